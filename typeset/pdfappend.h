/* pdfappend.h — the PDF post-pass as an incremental update (PDF 32000-1
 * §7.5.6): cairo's bytes are kept as they are and a short section appended
 * after them replaces what the post-pass changes — every page (with /TrimBox
 * and /BleedBox), the Info dictionary (dates with "D:", the producer, a
 * title), the catalog (/Lang, /ViewerPreferences) — closed by an xref section
 * and a trailer with /Prev and a deterministic /ID.  A reader sees what the
 * qpdf rewrite (pdfpost.c) gives, without parsing and writing every object
 * again: about a tenth of an article's build.  The file is larger (no object
 * streams).  Keeps no state: separate jobs may run it in parallel. */
#ifndef TS_PDFAPPEND_H
#define TS_PDFAPPEND_H

#include "pdfpost.h"

enum {
    PDFAPPEND_ERROR = -1,       /* an error was added (a bleed larger than the page...) */
    PDFAPPEND_UNKNOWN = -2,     /* not the shape cairo writes: use the qpdf rewrite */
};

/* As pdfpost_run (same options and result, o->plain_xref ignored: the update
 * has a plain xref section).  Returns 0, PDFAPPEND_ERROR or PDFAPPEND_UNKNOWN
 * (nothing added to dl). */
int pdfappend_run(const unsigned char *in, size_t len, const PdfPostOptions *o,
                  unsigned char **out, size_t *out_len, const char *file, DiagList *dl);

#endif
