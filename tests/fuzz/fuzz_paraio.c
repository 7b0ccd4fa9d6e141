/* fuzz_paraio.c — libFuzzer harness for the reader of set paragraphs
 * (layout/paraio.c, lay_engine_import_paragraphs): an input is a file an
 * issue build left in its cache, damaged or hostile.  Built with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, the reader skips the checksum
 * and the fonts' file sizes and times (which would refuse nearly every
 * input, and every seed on another machine), so that what follows them is
 * fuzzed.  Whatever it takes is then laid out (the same paragraphs,
 * three_paragraphs() of tests/unit/layinput.h, so the imported ones are
 * used) and painted to an in-memory PDF.  Seeds:
 * corpus/paraio/, exports of that input, written by this harness when
 * TYPESET_PARAIO_SEED names a directory (tests/fuzz/seed.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fonts/fontload.h"
#include "../../layout/layout.h"
#include "../../typeset/paint.h"
#include "../unit/layinput.h"     /* three_paragraphs(): the input */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FontLib *fl;

/* Lays out the input in e, and paints it (0) or not (-1). */
static int run(LayEngine *e, LayResult *r, Arena *a, DiagList *dl)
{
    LaySpan sp[3];
    LayBlock b[3];
    LayInput in = three_paragraphs(sp, b);
    if (lay_run(e, &in, r, a, dl) != 0)
        return -1;
    PaintOptions po = {.width = in.page.width, .height = in.page.height, .tagged = 1};
    PaintMeta pm = {.title = "fuzz"};
    unsigned char *pdf = NULL;
    size_t len = 0;
    const char *err = NULL;
    int rc = paint_pdf(r, &po, &pm, &pdf, &len, &err);
    g_free(pdf);
    return rc;
}

/* TYPESET_PARAIO_SEED=DIR: writes the seeds (the export of the input as
 * set, and of it set twice: the same entries once) and exits. */
static void write_seeds(const char *dir)
{
    LayEngine *e = lay_engine_new(fontlib_fontmap(fl), NULL);
    DiagList dl;
    diag_list_init(&dl);
    Arena a;
    arena_init(&a);
    LayResult r;
    if (run(e, &r, &a, &dl) != 0) {
        fprintf(stderr, "fuzz_paraio: the input does not set\n");
        exit(1);
    }
    GBytes *b = lay_result_export_paragraphs(&r);
    char *path = g_strdup_printf("%s/seed-export.paras", dir);
    if (!b || !g_file_set_contents(path, g_bytes_get_data(b, NULL), (gssize)g_bytes_get_size(b), NULL)) {
        fprintf(stderr, "fuzz_paraio: cannot write %s\n", path);
        exit(1);
    }
    g_free(path);
    g_bytes_unref(b);
    lay_result_fini(&r);
    arena_fini(&a);
    lay_engine_free(e);
    diag_list_fini(&dl);
    exit(0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    DiagList dl;
    diag_list_init(&dl);
    fl = fontlib_new(".", &dl);
    if (!fl) {
        fprintf(stderr, "fuzz_paraio: cannot load the fonts (run from the repository root)\n");
        exit(1);
    }
    diag_list_fini(&dl);
    const char *seed = getenv("TYPESET_PARAIO_SEED");
    if (seed)
        write_seeds(seed);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fl)
        LLVMFuzzerInitialize(NULL, NULL);
    LayEngine *e = lay_engine_new(fontlib_fontmap(fl), NULL);
    GBytes *b = g_bytes_new(data, size);
    lay_engine_import_paragraphs(e, b);
    g_bytes_unref(b);
    DiagList dl;
    diag_list_init(&dl);
    Arena a;
    arena_init(&a);
    LayResult r;
    run(e, &r, &a, &dl);
    lay_result_fini(&r);
    arena_fini(&a);
    diag_list_fini(&dl);
    lay_engine_free(e);
    return 0;
}
