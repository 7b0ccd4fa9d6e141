/* test_pdfpaint.c — the own PDF writer's marked content around text that
 * the ToUnicode map cannot give (ActualText spans, typeset/pdfpaint.c):
 * a right-to-left run (Latin under a bidi override) with several such
 * clusters, and a cluster whose first glyph is empty.  Every sequence must
 * balance (tests/pdfmarked.py) and the text must extract.  And the page
 * labels of pages numbered from 0. */
#include "check.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>
#include <stdlib.h>

#include "../../fonts/fontload.h"
#include "../../layout/layout.h"
#include "../../typeset/paint.h"
#include "layinput.h"
#include "runcmd.h"

/* Paints r tagged into dir/name; 0 when our own writer wrote it. */
static int paint_to(const LayResult *r, const char *dir, const char *name, char **path)
{
    PaintOptions po = {.width = 300, .height = 400, .tagged = 1};
    PaintMeta pm = {.title = "t"};
    unsigned char *pdf = NULL;
    size_t len = 0;
    const char *err = NULL;
    *path = g_build_filename(dir, name, NULL);
    int ok = paint_pdf(r, &po, &pm, &pdf, &len, &err) == 0 &&
             g_file_set_contents(*path, (const char *)pdf, (gssize)len, NULL);
    g_free(pdf);
    char *cmd = g_strdup_printf("pdfinfo %s", *path), *info = ok ? run(cmd) : NULL;
    ok = info && g_regex_match_simple("^Producer: *typeset", info, G_REGEX_MULTILINE, 0);
    g_free(info);
    g_free(cmd);
    return ok ? 0 : -1;
}

/* Whether every page's marked content balances (tests/pdfmarked.py). */
static int marked_ok(const char *path)
{
    char *cmd = g_strdup_printf("python3 tests/pdfmarked.py %s", path), *out = NULL;
    int st = run_status(cmd, &out);
    if (st != 0 && out)
        printf("# %s", out);
    g_free(out);
    g_free(cmd);
    return st == 0;
}

static char *text_of(const char *path)
{
    char *cmd = g_strdup_printf("pdftotext -q %s -", path), *out = run(cmd);
    g_free(cmd);
    return out;
}

int main(void)
{
    DiagList dl;
    diag_list_init(&dl);
    FontLib *fl = fontlib_new(".", &dl);
    CHECK(fl != NULL, "font configuration loads");
    if (!fl)
        return check_finish();
    char *dir = g_dir_make_tmp("ts-pdfpaint-XXXXXX", NULL);
    LayEngine *e = lay_engine_new(fontlib_fontmap(fl), NULL);

    /* á, é, í noted first as themselves; then, under a right-to-left
     * override, the same glyphs for a + U+0301 and the like: each such
     * cluster gets an ActualText span, several in one right-to-left run */
    static const char rtl[] = "Plain \xC3\xA1 and \xC3\xA9 and \xC3\xAD. Then \xE2\x80\xAE"
                              "a\xCC\x81 xy e\xCC\x81 zw i\xCC\x81\xE2\x80\xAC end.";
    LaySpan sp;
    LayBlock b;
    LayInput in = input(&sp, &b, rtl, 10, "en");
    Arena a;
    arena_init(&a);
    LayResult r;
    CHECK(lay_run(e, &in, &r, &a, &dl) == 0 && r.n_pages == 1, "the paragraph sets");
    int backward = 0;
    for (int k = 0; k < r.pages[0].n_items; k++)
        if (r.pages[0].items[k].kind == LI_GLYPHS && (r.pages[0].items[k].gi->item->analysis.level & 1))
            backward++;
    CHECK(backward > 0, "the override makes a right-to-left run");
    char *path = NULL;
    CHECK(paint_to(&r, dir, "rtl.pdf", &path) == 0, "our own writer paints it");
    CHECK(marked_ok(path), "right-to-left ActualText spans: the marked content balances");
    char *t = text_of(path);
    CHECK(t && strstr(t, "Plain") && strstr(t, "end."), "the text extracts");
    g_free(t);
    g_unlink(path);
    g_free(path);

    /* a cluster whose first glyph is empty: "xb" drawn as [empty, b] after
     * a plain "b", so the cluster needs a span that begins on the empty
     * glyph; "q" after it must stay outside the span */
    const LayItem *run1 = NULL;
    for (int k = 0; k < r.pages[0].n_items && !run1; k++)
        if (r.pages[0].items[k].kind == LI_GLYPHS && !(r.pages[0].items[k].gi->item->analysis.level & 1))
            run1 = &r.pages[0].items[k];
    CHECK(run1 != NULL, "a left-to-right run to borrow a font from");
    if (run1) {
        static const char txt[] = "b xbq";
        PangoGlyphItem *gi = pango_glyph_item_copy(run1->gi);
        pango_item_free(gi->item);
        gi->item = pango_item_copy(run1->gi->item);
        gi->item->offset = 0;
        gi->item->length = (int)strlen(txt);
        gi->item->num_chars = (int)strlen(txt);
        PangoFont *font = gi->item->analysis.font;
        PangoGlyphString *g = gi->glyphs;
        pango_glyph_string_set_size(g, 5);
        hb_font_t *hf = pango_font_get_hb_font(font);
        hb_codepoint_t gb = 0, gsp = 0, gq = 0;
        hb_font_get_nominal_glyph(hf, 'b', &gb);
        hb_font_get_nominal_glyph(hf, ' ', &gsp);
        hb_font_get_nominal_glyph(hf, 'q', &gq);
        PangoGlyph glyphs[5] = {gb, gsp, PANGO_GLYPH_EMPTY, gb, gq};
        int clusters[5] = {0, 1, 2, 2, 4};
        for (int i = 0; i < 5; i++) {
            g->glyphs[i].glyph = glyphs[i];
            g->glyphs[i].geometry = (PangoGlyphGeometry){.width = glyphs[i] == PANGO_GLYPH_EMPTY ? 0 : 5 * PANGO_SCALE};
            g->log_clusters[i] = clusters[i];
        }
        LayItem it = {.kind = LI_GLYPHS, .x = 20, .y = 40, .gi = gi, .text = txt, .scale_x = 1};
        LayItem items[3] = {{.kind = LI_TAG_BEGIN, .str = "P"}, it, {.kind = LI_TAG_END, .str = "P"}};
        LayPage pg = {.items = items, .n_items = 3, .number = 1};
        LayResult one = r;
        one.pages = &pg;
        one.n_pages = 1;
        one.n_outline = 0;
        CHECK(paint_to(&one, dir, "empty.pdf", &path) == 0, "our own writer paints the made-up run");
        CHECK(marked_ok(path), "a span beginning on an empty glyph: the marked content balances");
        t = text_of(path);
        CHECK(t && strstr(t, "xbq"), "the span's text and the glyph after it both extract (\"%s\")",
              t ? g_strstrip(t) : "");
        g_free(t);
        g_unlink(path);
        g_free(path);
        pango_glyph_item_free(gi);
    }

    /* page labels: folios 0, 1, 2 (a first page numbered 0 has its number
     * as a text label; the range after it must start again at 1) */
    {
        LayItem rule = {.kind = LI_RULE, .x = 10, .y = 10, .w = 10};
        LayPage pages[3] = {{.items = &rule, .n_items = 1, .number = 0},
                            {.items = &rule, .n_items = 1, .number = 1},
                            {.items = &rule, .n_items = 1, .number = 2}};
        LayResult three = {.pages = pages, .n_pages = 3};
        PaintOptions po = {.width = 100, .height = 100, .tagged = 1};
        PaintMeta pm = {.title = "labels"};
        unsigned char *pdf = NULL;
        size_t len = 0;
        const char *err = NULL;
        int rc = paint_pdf(&three, &po, &pm, &pdf, &len, &err);
        const char *want = "/Nums [0 << /P (0) >> 1 << /S /D /St 1 >> ]";
        CHECK(rc == 0 && pdf && memmem(pdf, len, "/Producer (typeset", 18),
              "our own writer paints three pages");
        CHECK(pdf && memmem(pdf, len, want, strlen(want)),
              "page labels 0, 1, 2: %s", want);
        g_free(pdf);
    }

    lay_result_fini(&r);
    arena_fini(&a);
    lay_engine_free(e);
    g_rmdir(dir);
    g_free(dir);
    fontlib_free(fl);
    diag_list_fini(&dl);
    return check_finish();
}
