/* pdfpost.h — the PDF post-pass: takes the bytes Cairo wrote into memory and
 * hands back a rewritten PDF (print boxes, fixed Info dates, catalog /Lang and
 * viewer preferences, producer, deterministic /ID, object streams) in a new
 * malloc'd buffer the caller frees.  Uses libqpdf's C API; keeps no state
 * between calls, so separate jobs may run it in parallel threads. */
#ifndef TS_PDFPOST_H
#define TS_PDFPOST_H

#include <stddef.h>

#include "../layout/base.h"

typedef struct PdfPostOptions {
    double bleed_pt;        /* the cairo page was drawn at trim + 2*bleed_pt (+ 2*marks_pt); 0 = no bleed */
    double marks_pt;        /* extra media beyond the bleed for crop marks; 0 = none */
    long long epoch;        /* creation/modification time, seconds since 1970 UTC
                               (from SOURCE_DATE_EPOCH or now); years 0..9999 */
    const char *lang;       /* BCP 47 for the catalog's /Lang, NULL = leave as is */
    const char *title;      /* non-NULL: /ViewerPreferences << /DisplayDocTitle true >>,
                               and Info /Title when cairo wrote none (UTF-8) */
    const char *producer;   /* replaces cairo's /Producer, e.g. "typeset 0.1.0 (cairo 1.16.0)";
                               NULL = keep cairo's */
    int plain_xref;         /* 1: no object streams (every object and the xref table in
                               plain PDF 1.4 syntax, as older RIPs and PDF/X-1a want;
                               larger, and quicker to write); a full rewrite */
    int rewrite;            /* 1: always the qpdf rewrite, never the appended update */
} PdfPostOptions;

/* "D:YYYYMMDDHHmmSS+00'00'" for epoch (PDF 32000-1 §7.9.4); -1 when the year
 * is outside 0..9999. */
int pdfpost_format_date(long long epoch, char *buf, size_t size);

/* Post-processes the PDF in[0..len).  Cairo's own output (the shape
 * pdfappend.h reads) gets the changes as an incremental update appended to
 * its bytes; anything else, and o->plain_xref or o->rewrite, is rewritten
 * whole with qpdf:
 *  - every page gets /TrimBox = MediaBox inset by bleed_pt + marks_pt and
 *    /BleedBox = MediaBox inset by marks_pt (both = MediaBox when 0); the
 *    MediaBox may be inherited from a Pages node;
 *  - Info /CreationDate and /ModDate become "D:YYYYMMDDHHmmSS+00'00'" from
 *    o->epoch (cairo 1.16 writes them without "D:");
 *  - the catalog gets /Lang and /ViewerPreferences as described above;
 *  - Info /Producer is replaced;
 *  - the file gets a deterministic /ID (and, rewritten by qpdf, object
 *    streams unless o->plain_xref), so the same input and options always give
 *    byte-identical output.
 * qpdf warnings (a damaged input it had to repair) become DIAG_WARNINGs.
 * On success *out (malloc'd, caller frees) and *out_len are set and 0 is
 * returned.  On failure (unparsable PDF, a page without a usable MediaBox, a
 * bleed larger than the page, an epoch out of range) an error is added at
 * file:1:1 (file = the output's name, for the message), *out is NULL and -1 is
 * returned. */
int pdfpost_run(const unsigned char *in, size_t len, const PdfPostOptions *o,
                unsigned char **out, size_t *out_len, const char *file, DiagList *dl);

#endif
