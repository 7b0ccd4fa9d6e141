/* pdfcat.h — the issue merge (pdfmerge.h) done on the bytes: when the front
 * and every part are in the shape pdfscan.h reads (Cairo's output and the
 * post-pass appended to it), their objects are copied as they are, renumbered;
 * only pages, links and the parts' top structure elements are written anew,
 * and the document's trees (pages, structure, parent tree, destinations,
 * outline, page labels) are built from what was read.  The result is the
 * PDF pdfmerge.h describes, with a plain xref table, without qpdf reading
 * and writing every object.  A part is read (pdfcat_read) in any thread,
 * ahead of the merge; the merge is used by one thread at a time.  The bytes
 * a PdfCatPart was read from must outlive it; a PdfCat copies what it needs,
 * so a part may be freed once added. */
#ifndef TS_PDFCAT_H
#define TS_PDFCAT_H

#include <glib.h>

#include "pdfmerge.h"

typedef struct PdfCatPart PdfCatPart;

/* The part's objects, pages and trees, read; NULL when the PDF is not in
 * the known shape (then the merge is left to qpdf). */
PdfCatPart *pdfcat_read(const unsigned char *pdf, size_t len);
void pdfcat_part_free(PdfCatPart *p);

/* What pdfcat_read found in a part, as bytes to keep beside its PDF
 * (pdfcatindex.c); NULL when it cannot be saved (a PDF over 4 GB). */
GBytes *pdfcat_index_save(const PdfCatPart *p);
/* The part pdfcat_read would read from pdf, from an index pdfcat_index_save
 * made of these very bytes; NULL when it was made of other bytes, or is
 * damaged (then read the PDF). */
PdfCatPart *pdfcat_index_load(const unsigned char *pdf, size_t len, const void *index,
                              size_t index_len);

typedef struct PdfCat PdfCat;

/* A merge starting from the front document (read by pdfcat_read). */
PdfCat *pdfcat_new(const PdfCatPart *front, const PdfMergeOptions *o, const char *file,
                   DiagList *dl);
/* Appends the part's pages after part->blanks_before blank ones.  0, or -1
 * with an error in dl (a page too small for the bleed). */
int pdfcat_add(PdfCat *c, const PdfCatPart *part, const PdfMergePart *meta);
/* The trees, Info, catalog, xref and trailer; the file in *out (malloc'd),
 * less the bytes pdfcat_drop let go.  0, or -1 with an error in dl. */
int pdfcat_finish(PdfCat *c, unsigned char **out, size_t *out_len);
/* The file so far (*len bytes) after those dropped: the bytes
 * pdfcat_finish's result begins with, which no later step changes. */
const char *pdfcat_bytes(const PdfCat *c, size_t *len);
/* Lets the bytes so far go (the caller has written them): the merge keeps
 * only what comes after, and numbers its offsets as before.  An issue's
 * file had been held whole, 4 MB of the heap for the benchmark's. */
void pdfcat_drop(PdfCat *c);
void pdfcat_free(PdfCat *c);

#endif
