/* pdfmerge.h — one PDF from finished ones, at the PDF level: a front document
 * (the cover and contents, as Cairo wrote it) followed by parts (the
 * articles' PDFs as written to disk), with blank pages between them where the
 * pagination wants them.  Each part's pages are copied with their content,
 * resources, links and structure; nothing is painted again.  The result has
 * one name tree of destinations (each part's names prefixed, so they stay
 * unique and the front's links to "PREFIXtitle" resolve), one structure tree
 * (the parts' trees below the front's, their parent-tree keys renumbered), an
 * outline (each part's title with its own outline one level below), page
 * labels (the front's own, then decimal folios from first_folio on), and goes
 * through the same post-pass as every PDF (pdfpost.h), with a plain xref
 * table.  When every input is in the shape Cairo and the post-pass write,
 * the merge is done on their bytes (pdfcat.h); from the first input that is
 * not, it is done again by qpdf.  Inputs are borrowed. */
#ifndef TS_PDFMERGE_H
#define TS_PDFMERGE_H

#include <stddef.h>

#include "pdfpost.h"

typedef struct PdfMergePart {
    const unsigned char *pdf;   /* a complete PDF */
    size_t len;
    const char *file;           /* its name, for diagnostics */
    const char *prefix;         /* put before each of its destination names, e.g. "a3-" */
    const char *title;          /* its outline entry (UTF-8) ... */
    const char *title_dest;     /* ... and where it leads (a name after prefixing) */
    int blanks_before;          /* blank pages inserted before its first page */
    const struct PdfCatPart *read;  /* pdfcat_read of pdf done ahead (any thread), or NULL */
} PdfMergePart;

typedef struct PdfMergeOptions {
    PdfPostOptions post;        /* dates, language, title, producer, bleed of the result
                                   (plain_xref and rewrite are not read: the result
                                   always has a plain xref table) */
    double blank_width, blank_height;   /* pt: the media of inserted blank pages */
    const char *front_blank_label;      /* non-NULL: one blank page after the front, so labelled */
    int first_folio;            /* label of the first page after the front (and its blank) */
} PdfMergeOptions;

/* The same in steps, so that parts can be added while later ones are still
 * being made: new (the front), add (each part, in order), finish (the
 * trees, the post-pass, the bytes), free.  Every buffer given must live until
 * pdfmerge_free.  pdfmerge_new returns NULL when the front cannot be read;
 * after a failed step (its error in dl) the others return -1, and all of them
 * take NULL.  One thread at a time; any thread. */
typedef struct PdfMerge PdfMerge;
PdfMerge *pdfmerge_new(const unsigned char *front, size_t front_len, const PdfMergeOptions *o,
                       const char *file, DiagList *dl);
int pdfmerge_add(PdfMerge *pm, const PdfMergePart *part);
int pdfmerge_finish(PdfMerge *pm, unsigned char **out, size_t *out_len);
/* While the merge is on the bytes (pdfcat.h), the file so far after the
 * bytes dropped, which pdfmerge_finish's result begins with (*len bytes);
 * NULL once qpdf merges (whose file is only made at the end) or after a
 * failed step. */
const char *pdfmerge_bytes(const PdfMerge *pm, size_t *len);
/* While the merge is on the bytes: lets the bytes so far go, once the
 * caller has written them (pdfcat_drop); pdfmerge_finish's result is then
 * the rest of the file.  Once qpdf merges, its result is the whole file. */
void pdfmerge_drop(PdfMerge *pm);
/* The input that sent the merge to qpdf (its file name), or NULL while the
 * merge is done on the bytes. */
const char *pdfmerge_qpdf_because(const PdfMerge *pm);
/* Adds, once, the count of qpdf warnings on the merged document that were
 * not shown (pdfmerge_finish and pdfmerge_free do it too). */
void pdfmerge_report_hidden(PdfMerge *pm);
void pdfmerge_free(PdfMerge *pm);

/* Writes the merged PDF into *out (malloc'd, caller frees).  Returns 0, or -1
 * with an error at file:1:1 (file = the output's name) when a part cannot be
 * read or the result cannot be written. */
int pdfmerge_run(const unsigned char *front, size_t front_len, const PdfMergePart *parts, int n,
                 const PdfMergeOptions *o, unsigned char **out, size_t *out_len, const char *file,
                 DiagList *dl);

#endif
