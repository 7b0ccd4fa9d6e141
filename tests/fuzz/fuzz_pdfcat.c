/* fuzz_pdfcat.c — libFuzzer harness for the readers of PDFs in Cairo's
 * shape: the appended post-pass (typeset/pdfappend.c) and the issue merge on
 * bytes (typeset/pdfcat.c), both on typeset/pdfscan.c.  An input is one PDF.
 * It is post-passed; when pdfcat reads it, it is merged as the front and as
 * a part (after a blank page, its names prefixed) into an in-memory issue,
 * and that issue must be readable by pdfcat in turn (the merge writes the
 * shape it reads).  Seeds: corpus/pdfcat/ (small articles as typeset writes
 * them, and Cairo's file alone). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../typeset/pdfappend.h"
#include "../../typeset/pdfcat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DiagList dl;
    diag_list_init(&dl);
    PdfPostOptions o = {.epoch = 1700000000, .lang = "en", .title = "t", .producer = "p"};
    unsigned char *out = NULL;
    size_t n = 0;
    pdfappend_run(data, size, &o, &out, &n, "in.pdf", &dl);
    free(out);
    out = NULL;
    PdfCatPart *p = pdfcat_read(data, size);
    if (p) {
        PdfMergeOptions mo = {.post = o, .blank_width = 100, .blank_height = 120,
                              .front_blank_label = "ii", .first_folio = 3};
        PdfMergePart part = {.pdf = data, .len = size, .file = "in.pdf", .prefix = "a1-",
                             .title = "T", .title_dest = "a1-title", .blanks_before = 1};
        PdfCat *c = pdfcat_new(p, &mo, "issue.pdf", &dl);
        if (c && pdfcat_add(c, p, &part) == 0 && pdfcat_finish(c, &out, &n) == 0) {
            PdfCatPart *back = pdfcat_read(out, n);
            if (!back) {
                fprintf(stderr, "fuzz_pdfcat: the merge wrote a PDF pdfcat cannot read\n");
                abort();
            }
            pdfcat_part_free(back);
            free(out);
        }
        pdfcat_free(c);
        pdfcat_part_free(p);
    }
    diag_list_fini(&dl);
    return 0;
}
