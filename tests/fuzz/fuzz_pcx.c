/* fuzz_pcx.c — libFuzzer harness for the loader of the index a build keeps
 * of an article's PDF for the next (typeset/pdfcatindex.c,
 * pdfcat_index_load): an input is such an index, damaged or hostile, for a
 * fixed PDF (tests/fuzz/corpus/pdfcat/seed-breaks-cairo-post.pdf, a small
 * article as typeset writes it, with links, outline and structure).  Built
 * with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, the loader skips the
 * index's checksum and the digest of the PDF it names (which would refuse
 * nearly every input), so that what follows them is fuzzed.  Whatever it
 * loads is merged, as a part, into an in-memory issue.  Seeds: corpus/pcx/,
 * the index of that PDF, written by this harness when TYPESET_PCX_SEED
 * names a directory (tests/fuzz/seed.sh). */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../typeset/pdfcat.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef PCX_PDF
#define PCX_PDF "tests/fuzz/corpus/pdfcat/seed-breaks-cairo-post.pdf"
#endif

static unsigned char *pdf;
static size_t pdf_len;
static PdfCatPart *front;

int LLVMFuzzerInitialize(int *argc, char **argv[])
{
    (void)argc;
    (void)argv;
    gchar *bytes = NULL;
    gsize len = 0;
    if (!g_file_get_contents(PCX_PDF, &bytes, &len, NULL) ||
        !(front = pdfcat_read((unsigned char *)bytes, len))) {
        fprintf(stderr, "fuzz_pcx: cannot read %s (run from the repository root)\n", PCX_PDF);
        exit(1);
    }
    pdf = (unsigned char *)bytes;
    pdf_len = len;
    const char *dir = getenv("TYPESET_PCX_SEED");
    if (dir) {
        GBytes *ix = pdfcat_index_save(front);
        gsize xl = 0;
        const void *x = g_bytes_get_data(ix, &xl);
        char *path = g_build_filename(dir, "seed-breaks-cairo-post.pcx", NULL);
        int ok = g_file_set_contents(path, x, (gssize)xl, NULL);
        g_free(path);
        g_bytes_unref(ix);
        pdfcat_part_free(front);
        g_free(pdf);
        exit(ok ? 0 : 1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PdfCatPart *p = pdfcat_index_load(pdf, pdf_len, data, size);
    if (!p)
        return 0;
    DiagList dl;
    diag_list_init(&dl);
    PdfMergeOptions mo = {.post = {.epoch = 1700000000, .lang = "en", .title = "t", .producer = "p"},
                          .blank_width = 100, .blank_height = 120, .front_blank_label = "ii",
                          .first_folio = 3};
    PdfMergePart part = {.pdf = pdf, .len = pdf_len, .file = "in.pdf", .prefix = "a1-",
                         .title = "T", .title_dest = "a1-title", .blanks_before = 1};
    PdfCat *c = pdfcat_new(front, &mo, "issue.pdf", &dl);
    unsigned char *out = NULL;
    size_t n = 0;
    if (c && pdfcat_add(c, p, &part) == 0)
        pdfcat_finish(c, &out, &n);
    free(out);
    pdfcat_free(c);
    pdfcat_part_free(p);
    diag_list_fini(&dl);
    return 0;
}
