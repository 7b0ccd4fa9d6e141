/* fuzz_pdfcat.c — libFuzzer harness for the readers of PDFs in Cairo's
 * shape: the appended post-pass (typeset/pdfappend.c) and the issue merge on
 * bytes (typeset/pdfcat.c), both on typeset/pdfscan.c.  An input is one PDF.
 * It is post-passed; when pdfcat reads it, it is merged as the front and as
 * a part (after a blank page, its names prefixed) into an in-memory issue,
 * and that issue must be readable by pdfcat in turn (the merge writes the
 * shape it reads).  What pdfcat read is also saved as the index a build keeps
 * for the next (pdfcat_index_save), which must load back from the same bytes
 * and merge into the same issue, byte for byte.  Seeds: corpus/pdfcat/
 * (small articles as typeset writes them, and Cairo's file alone). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        int merged = c && pdfcat_add(c, p, &part) == 0 && pdfcat_finish(c, &out, &n) == 0;
        if (merged) {
            PdfCatPart *back = pdfcat_read(out, n);
            if (!back) {
                fprintf(stderr, "fuzz_pdfcat: the merge wrote a PDF pdfcat cannot read\n");
                abort();
            }
            pdfcat_part_free(back);
        }
        pdfcat_free(c);
        /* the index of what was read: loaded back, the same merge */
        GBytes *ix = pdfcat_index_save(p);
        gsize xl = 0;
        const void *x = ix ? g_bytes_get_data(ix, &xl) : NULL;
        PdfCatPart *q = x ? pdfcat_index_load(data, size, x, xl) : NULL;
        if (ix && !q) {
            fprintf(stderr, "fuzz_pdfcat: an index does not load back from its own bytes\n");
            abort();
        }
        if (q) {
            DiagList dq;
            diag_list_init(&dq);
            unsigned char *out2 = NULL;
            size_t n2 = 0;
            /* and its bytes let go as they are made (pdfcat_drop, as an
             * issue build writes them to the file): the pieces and the rest
             * are the same file */
            PdfCat *c2 = pdfcat_new(p, &mo, "issue.pdf", &dq);
            GString *pieces = g_string_new(NULL);
            size_t bl = 0;
            const char *b = c2 ? pdfcat_bytes(c2, &bl) : NULL;
            if (b)
                g_string_append_len(pieces, b, (gssize)bl);
            if (c2)
                pdfcat_drop(c2);
            int merged2 = c2 && pdfcat_add(c2, q, &part) == 0;
            if (merged2) {
                b = pdfcat_bytes(c2, &bl);
                g_string_append_len(pieces, b, (gssize)bl);
                pdfcat_drop(c2);
                merged2 = pdfcat_finish(c2, &out2, &n2) == 0;
            }
            if (merged2)
                g_string_append_len(pieces, (const char *)out2, (gssize)n2);
            if (merged2 != merged || (merged && (pieces->len != n || memcmp(out, pieces->str, n) != 0))) {
                fprintf(stderr, "fuzz_pdfcat: the merge from the index, its bytes let go as made, "
                                "differs from the merge from the reading\n");
                abort();
            }
            g_string_free(pieces, TRUE);
            free(out2);
            pdfcat_free(c2);
            diag_list_fini(&dq);
            pdfcat_part_free(q);
        }
        if (ix)
            g_bytes_unref(ix);
        free(out);
        out = NULL;
        pdfcat_part_free(p);
    }
    diag_list_fini(&dl);
    return 0;
}
