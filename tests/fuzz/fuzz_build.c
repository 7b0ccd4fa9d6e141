/* fuzz_build.c — libFuzzer harness for the whole build to an in-memory PDF:
 * source -> model -> compose -> shaping, hyphenation, line and page breaking ->
 * Cairo painter -> qpdf post-pass.  The context (style rjwpln, the private font
 * configuration, the layout engine) is opened once with datadir "." — run from
 * the repository root — as a long-running issue build would keep it.  Inputs
 * are whole article files.  Seeds: corpus/build/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../typeset/article.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static TsContext ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    DiagList dl;
    diag_list_init(&dl);
    if (ctx_open(&ctx, ".", NULL, NULL, &dl) != 0) {
        char buf[1400];
        for (int i = 0; i < dl.n; i++) {
            diag_format(&dl.v[i], buf, sizeof buf);
            fprintf(stderr, "%s\n", buf);
        }
        fprintf(stderr, "fuzz_build: cannot open the context (run from the repository root)\n");
        abort();
    }
    diag_list_fini(&dl);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DiagList dl;
    diag_list_init(&dl);
    Article *art = article_open_buffer("fuzz.md", (const char *)data, size, &dl);
    if (art && article_layout(art, &ctx, 0, &dl) == 0) {
        unsigned char *pdf = NULL;
        size_t len = 0;
        if (article_render_pdf(art, &ctx, 1700000000, &pdf, &len, &dl) == 0 &&
            (len < 5 || pdf[0] != '%'))
            abort();            /* a "successful" render must be a PDF */
        free(pdf);
    }
    article_free(art);
    diag_list_fini(&dl);
    return 0;
}
