/* fuzz_paraio.c — libFuzzer harness for the reader of set paragraphs
 * (layout/paraio.c, lay_engine_import_paragraphs): an input is a file an
 * issue build left in its cache, damaged or hostile.  Built with
 * FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, the reader skips the checksum
 * and the fonts' file sizes and times (which would refuse nearly every
 * input, and every seed on another machine), so that what follows them is
 * fuzzed.  Whatever it takes is then laid out (the same paragraphs, so the
 * imported ones are used) and painted to an in-memory PDF.  Seeds:
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

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FontLib *fl;

/* The paragraphs: Latin with a link and a footnote marker, Russian, and
 * Chinese mixed with Latin, on a narrow measure (several lines each). */
static const char *const texts[][2] = {
    {"Typesetting a scholarly journal is an exercise in patience: every paragraph is "
     "broken into lines, hyphenated where the dictionary allows, and justified.", "en"},
    {"Международное сотрудничество в области образования, науки и культуры "
     "развивается; достопримечательности — «как есть».", "ru"},
    {"Chinese 中文 and English, “A” and ‘T’, mixed. 汉字 A. B. 如果 Tom, Anna, "
     "如果没有指定文件，或者文件为“-”，则从标准输入读取。", "zh"},
};
enum { NB = 3 };

static LayInput input(LaySpan *sp, LayBlock *b)
{
    for (int k = 0; k < NB; k++) {
        sp[k] = (LaySpan){.start = 0, .end = (int)strlen(texts[k][0]),
                          .font = {.families = "PT Serif, Noto Serif CJK SC", .size = 10},
                          .link = k == 0 ? "https://example.org/" : NULL};
        b[k] = (LayBlock){.kind = LB_PARA,
                          .para = {.text = texts[k][0], .len = sp[k].end, .spans = &sp[k],
                                   .n_spans = 1, .lang = texts[k][1], .align = ALIGN_JUSTIFY,
                                   .leading = 13, .hyphenate = 1, .src_line = 3 + 2 * k}};
    }
    LayInput in = {.file = "fuzz", .blocks = b, .n_blocks = NB};
    in.page = (LayPageSpec){.width = 200, .height = 400, .margin_top = 20, .margin_bottom = 20,
                            .margin_inner = 20, .margin_outer = 20, .columns = 1, .first_number = 1,
                            .folio_font = sp[0].font, .head_font = sp[0].font, .lang = "en"};
    in.brk = (LayBreakParams){.pretolerance = 100, .tolerance = 400, .line_penalty = 10,
                              .hyphen_penalty = 50, .exhyphen_penalty = 50,
                              .double_hyphen_demerits = 10000, .final_hyphen_demerits = 5000,
                              .adj_demerits = 10000, .emergency_stretch = 10, .space_stretch = 0.5,
                              .space_shrink = 0.33, .cjk_stretch = 0.1, .hyphen_left_min = 2,
                              .hyphen_right_min = 3, .expansion = 0.02, .expansion_step = 0.005};
    return in;
}

/* Lays out the input in e, and paints it (0) or not (-1). */
static int run(LayEngine *e, LayResult *r, Arena *a, DiagList *dl)
{
    LaySpan sp[NB];
    LayBlock b[NB];
    LayInput in = input(sp, b);
    if (lay_run(e, &in, r, a, dl) != 0)
        return -1;
    PaintOptions po = {.width = 200, .height = 400, .tagged = 1};
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
