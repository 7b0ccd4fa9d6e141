/* pdfpp.h — private to pdfpost.c and pdfmerge.c: one qpdf document being
 * rewritten, and the steps of the post-pass (pdfpost.h) that the issue merge
 * (pdfmerge.h) shares.  Every step returns 0 (or 1 for pp_ok) on success and
 * otherwise has added an error to c->dl. */
#ifndef TS_PDFPP_H
#define TS_PDFPP_H

#include "qpdfload.h"

#include "pdfpost.h"

typedef struct PpCtx {
    qpdf_data q;
    const char *file;        /* for diagnostics */
    const char *desc;        /* the name qpdf puts in front of its messages */
    DiagList *dl;
    int warnings;            /* qpdf warnings seen so far */
    int plain_xref;          /* pp_write: no object streams (PdfPostOptions.plain_xref) */
    int hidden_said;         /* pp_report_hidden has said how many were not shown */
} PpCtx;

/* Initialises c and reads the PDF in[0..len), which must outlive c.  Call
 * pp_close whatever it returns. */
int pp_open(PpCtx *c, const unsigned char *in, size_t len, const char *file, DiagList *dl);
/* Adds, once, a warning that says how many qpdf warnings were not shown. */
void pp_report_hidden(PpCtx *c);
/* pp_report_hidden, and frees the qpdf document. */
void pp_close(PpCtx *c);
/* 1 when the qpdf calls since the last check succeeded; else adds the error
 * (what = the step) and returns 0.  Moves qpdf's warnings into c->dl. */
int pp_ok(PpCtx *c, const char *what);
/* TrimBox and BleedBox on every page (pdfpost.h). */
int pp_boxes(PpCtx *c, const PdfPostOptions *o);
/* Info dates, producer and title, catalog /Lang and viewer preferences. */
int pp_metadata(PpCtx *c, const PdfPostOptions *o);
/* Writes the document with a deterministic /ID and (unless c->plain_xref)
 * object streams into a malloc'd buffer. */
int pp_write(PpCtx *c, unsigned char **out, size_t *out_len);

#endif
