/* test_paint.c — the PDF painter's own fonts (fonts/paintfont.h): a
 * thread's fonts are its own and kept, expansion gets a stretched font, the
 * large CJK face is cut down with its glyphs renumbered, a stretched line
 * widens Latin glyphs but spaces Han ones out unchanged, and a painted page
 * keeps its text, its look and its fonts while embedding far fewer bytes. */
#include "check.h"
#include "runcmd.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>

#include "../../fonts/fontload.h"
#include "../../fonts/paintfont.h"
#include "../../layout/layout.h"
#include "../../typeset/paint.h"
#include "layinput.h"

static const char zh[] =
    "如果没有指定文件，或者文件为“-”，则从标准输入读取。更改姓名（N）、注释（C）、"
    "工作电话（P）或家庭电话（H）。Typeset 在排版时使用 Noto Serif CJK 字体，"
    "每一篇文章都要经过断行、分页和绘制三个步骤。";

static int is_cjk_font(PangoFont *f)
{
    PangoFontDescription *d = pango_font_describe(f);
    int cjk = strstr(pango_font_description_get_family(d), "CJK") != NULL;
    pango_font_description_free(d);
    return cjk;
}

/* The first and last ink columns (of pixels darker than mid-grey) of a page
 * holding one glyph, painted with scale_x sx: through Pango into an image
 * (pdf = 0), or as a PDF with the painter's own fonts, rasterised by
 * pdftoppm (pdf = 1).  4 pixels to the point.  0, or -1 when nothing shows. */
static int ink(const LayResult *r, const LayItem *glyph, double sx, int pdf, int *x0, int *x1)
{
    LayItem it = *glyph;
    it.x = 20;
    it.y = 40;
    it.scale_x = sx;
    LayPage pg = {.items = &it, .n_items = 1};
    int w = 4 * 100, h = 4 * 60;
    unsigned char *px = NULL;
    int stride = 0;
    cairo_surface_t *s = NULL;
    gchar *img = NULL;
    if (!pdf) {
        s = cairo_image_surface_create(CAIRO_FORMAT_A8, w, h);
        cairo_t *cr = cairo_create(s);
        cairo_scale(cr, 4, 4);
        PaintOptions po = {.width = 100, .height = 60};
        paint_page(cr, &pg, &po);
        cairo_destroy(cr);
        cairo_surface_flush(s);
        px = cairo_image_surface_get_data(s);
        stride = cairo_image_surface_get_stride(s);
    } else {
        LayResult one = *r;
        one.pages = &pg;
        one.n_pages = 1;
        PaintOptions po = {.width = 100, .height = 60};
        PaintMeta pm = {.title = "ink"};
        unsigned char *bytes = NULL;
        size_t len = 0;
        const char *err = NULL;
        char *dir = g_dir_make_tmp("ts-ink-XXXXXX", NULL);
        char *path = g_build_filename(dir, "g.pdf", NULL), *pgm = g_build_filename(dir, "p.pgm", NULL);
        char *cmd = g_strdup_printf("pdftoppm -r 288 -gray -singlefile %s %s/p", path, dir);
        char *out = NULL;
        gsize ilen = 0;
        if (paint_pdf(&one, &po, &pm, &bytes, &len, &err) == 0 &&
            g_file_set_contents(path, (const char *)bytes, (gssize)len, NULL) && (out = run(cmd)) &&
            g_file_get_contents(pgm, &img, &ilen, NULL) && ilen >= (gsize)(w * h)) {
            px = (unsigned char *)img + ilen - (gsize)(w * h);   /* past the header */
            stride = w;
            for (int i = 0; i < w * h; i++)
                px[i] = (unsigned char)(255 - px[i]);             /* ink as coverage */
        }
        g_free(out);
        g_free(cmd);
        g_free(bytes);
        g_unlink(path);
        g_unlink(pgm);
        g_rmdir(dir);
        g_free(path);
        g_free(pgm);
        g_free(dir);
    }
    *x0 = w;
    *x1 = -1;
    for (int y = 0; px && y < h; y++)
        for (int x = 0; x < w; x++)
            if (px[y * stride + x] > 128) {
                *x0 = MIN(*x0, x);
                *x1 = MAX(*x1, x);
            }
    if (s)
        cairo_surface_destroy(s);
    g_free(img);
    return *x1 >= 0 ? 0 : -1;
}

/* A copy of the run of gi cut to its first glyph (and that glyph's text). */
static PangoGlyphItem *first_glyph(const PangoGlyphItem *gi, const char *text)
{
    PangoGlyphItem *one = pango_glyph_item_copy((PangoGlyphItem *)gi);
    one->glyphs->num_glyphs = 1;
    one->glyphs->log_clusters[0] = 0;
    one->item->length = (int)(g_utf8_next_char(text + gi->item->offset) - (text + gi->item->offset));
    one->item->num_chars = 1;
    return one;
}

int main(void)
{
    DiagList dl;
    diag_list_init(&dl);
    FontLib *fl = fontlib_new(".", &dl);
    CHECK(fl != NULL, "font configuration loads");
    if (!fl)
        return check_finish();
    LayEngine *e = lay_engine_new(fontlib_fontmap(fl), NULL);
    LaySpan sp;
    LayBlock b;
    LayInput in = input(&sp, &b, zh, 10, "zh");
    Arena a;
    arena_init(&a);
    LayResult r;
    CHECK(lay_run(e, &in, &r, &a, &dl) == 0 && r.n_pages == 1, "a mixed Chinese paragraph sets");

    /* which faces are cut down, and the glyph map */
    PaintFonts *pf = paint_fonts_new();
    PaintDocFonts *d = paint_doc_fonts_new(pf);
    PangoFont *cjk = NULL, *latin = NULL;
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (int k = 0; k < r.pages[0].n_items; k++) {
        const LayItem *it = &r.pages[0].items[k];
        if (it->kind != LI_GLYPHS)
            continue;
        PangoFont *f = it->gi->item->analysis.font;
        paint_doc_fonts_add(d, f, it->gi->glyphs);
        if (is_cjk_font(f)) {
            cjk = f;
            for (int g = 0; g < it->gi->glyphs->num_glyphs; g++)
                g_hash_table_add(seen, GUINT_TO_POINTER(it->gi->glyphs->glyphs[g].glyph));
        } else {
            latin = f;
        }
    }
    CHECK(cjk && latin, "the paragraph draws in a CJK face and a Latin one");
    paint_doc_fonts_build(d);
    const PaintGlyphMap *map = NULL, *lmap = NULL;
    CHECK(cjk && paint_doc_fonts_get(d, cjk, 1, &map) && map,
          "the CJK face (CFF) is cut down, its glyphs renumbered");
    cairo_scaled_font_t *l1 = latin ? paint_doc_fonts_get(d, latin, 1, &lmap) : NULL;
    CHECK(latin && l1 && !lmap,
          "the Latin face (TrueType) is drawn whole, its glyph numbers as Pango's");
    if (map) {
        /* every glyph drawn has its own new number (0 stays .notdef) */
        int n = (int)g_hash_table_size(seen), ok = 1;
        GHashTable *news = g_hash_table_new(g_direct_hash, g_direct_equal);
        GHashTableIter hi;
        gpointer k;
        g_hash_table_iter_init(&hi, seen);
        while (g_hash_table_iter_next(&hi, &k, NULL)) {
            unsigned ng = paint_glyph(map, GPOINTER_TO_UINT(k));
            ok &= ng > 0 && !g_hash_table_contains(news, GUINT_TO_POINTER(ng));
            g_hash_table_add(news, GUINT_TO_POINTER(ng));
        }
        CHECK(ok && n > 40, "%d glyphs drawn, renumbered one to one", n);
        /* a glyph of the face never drawn has no counterpart */
        unsigned unseen = 1;
        while (g_hash_table_contains(seen, GUINT_TO_POINTER(unseen)))
            unseen++;
        CHECK(paint_glyph(map, unseen) == 0, "a glyph never drawn has no counterpart");
        g_hash_table_destroy(news);
    }
    g_hash_table_destroy(seen);
    if (l1) {
        /* Pango's size and matrix; not Pango's own font (shared by every thread) */
        cairo_scaled_font_t *pango_sf = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(latin));
        cairo_matrix_t a1, a0, a2;
        cairo_scaled_font_get_font_matrix(l1, &a1);
        cairo_scaled_font_get_font_matrix(pango_sf, &a0);
        CHECK(l1 != pango_sf && a1.xx == a0.xx && a1.yy == a0.yy,
              "the thread's own font, at Pango's size (%.3f)", a1.xx);
        /* font expansion: the same font stretched, made once */
        cairo_scaled_font_t *l2 = paint_doc_fonts_get(d, latin, 1.02, &lmap);
        cairo_scaled_font_get_font_matrix(l2, &a2);
        CHECK(l2 && l2 != l1 && fabs(a2.xx / a1.xx - 1.02) < 1e-9 && a2.yy == a1.yy,
              "expansion 1.02 gets a font stretched 1.02 horizontally");
        CHECK(paint_doc_fonts_get(d, latin, 1.02, &lmap) == l2, "and gets it again, not a new one");
        /* the next document on the thread draws with the same fonts, warm */
        PaintDocFonts *d2 = paint_doc_fonts_new(pf);
        CHECK(paint_doc_fonts_get(d2, latin, 1, &lmap) == l1, "the thread's next document uses the same font");
        paint_doc_fonts_free(d2);
        /* another thread's fonts are its own */
        PaintFonts *pf2 = paint_fonts_new();
        PaintDocFonts *d3 = paint_doc_fonts_new(pf2);
        cairo_scaled_font_t *l3 = paint_doc_fonts_get(d3, latin, 1, &lmap);
        CHECK(l3 && l3 != l1 && cairo_scaled_font_get_font_face(l3) != cairo_scaled_font_get_font_face(l1),
              "another thread's font is another font, of another face");
        paint_doc_fonts_free(d3);
        paint_fonts_free(pf2);
    }
    paint_doc_fonts_free(d);
    paint_fonts_free(pf);

    /* a line stretched to the measure: a Latin glyph is widened with it, a
     * Han glyph keeps its shape in the middle of its widened cell (clreq
     * spreads Chinese text between the characters), in the PDF and in the
     * image preview alike */
    const LayItem *han = NULL, *lat = NULL;
    for (int k = 0; k < r.pages[0].n_items; k++) {
        const LayItem *it = &r.pages[0].items[k];
        if (it->kind != LI_GLYPHS)
            continue;
        PangoScript sc = it->gi->item->analysis.script;
        if (!han && sc == PANGO_SCRIPT_HAN && is_cjk_font(it->gi->item->analysis.font))
            han = it;
        if (!lat && sc == PANGO_SCRIPT_LATIN && !is_cjk_font(it->gi->item->analysis.font))
            lat = it;
    }
    CHECK(han && lat, "the paragraph has a Han run and a Latin one");
    for (int pdf = 0; han && lat && pdf < 2; pdf++) {
        const char *how = pdf ? "PDF" : "image";
        LayItem h1 = *han, l1 = *lat;
        h1.gi = first_glyph(han->gi, han->text);
        l1.gi = first_glyph(lat->gi, lat->text);
        double cell = h1.gi->glyphs->glyphs[0].geometry.width / (double)PANGO_SCALE;
        int a0, a1, b0, b1, c0, c1, d0, d1;
        int ok = ink(&r, &h1, 1.0, pdf, &a0, &a1) == 0 && ink(&r, &h1, 1.25, pdf, &b0, &b1) == 0 &&
                 ink(&r, &l1, 1.0, pdf, &c0, &c1) == 0 && ink(&r, &l1, 1.25, pdf, &d0, &d1) == 0;
        CHECK(ok, "%s: single glyphs paint", how);
        if (ok) {
            int shift = (int)lround(4 * cell * 0.25 / 2);   /* half the cell's growth, px */
            CHECK(abs((b1 - b0) - (a1 - a0)) <= 1 && abs((b0 - a0) - shift) <= 1,
                  "%s: a Han glyph in a cell 1.25 wide keeps its width (%d px, was %d) and moves "
                  "%d px right (half the growth: %d)", how, b1 - b0, a1 - a0, b0 - a0, shift);
            CHECK((d1 - d0) > 1.15 * (c1 - c0),
                  "%s: a Latin glyph is widened with its line (%d px, was %d)", how, d1 - d0, c1 - c0);
        }
        pango_glyph_item_free(h1.gi);
        pango_glyph_item_free(l1.gi);
    }

    /* painted: the same text, the fonts embedded as before, a small file */
    PaintOptions po = {.width = 300, .height = 400, .tagged = 1};
    PaintMeta pm = {.title = "test"};
    unsigned char *pdf = NULL;
    size_t len = 0;
    const char *err = NULL;
    CHECK(paint_pdf(&r, &po, &pm, &pdf, &len, &err) == 0, "the page paints");
    char *dir = g_dir_make_tmp("ts-paint-XXXXXX", NULL);
    char *path = g_build_filename(dir, "zh.pdf", NULL);
    g_file_set_contents(path, (const char *)pdf, (gssize)len, NULL);
    char *cmd = g_strdup_printf("pdftotext -raw %s -", path);
    char *text = run(cmd);
    g_free(cmd);
    char *flat = NULL;
    if (text) {
        GString *s = g_string_new(NULL);
        for (const char *p = text; *p; p++)
            if (*p != '\n' && *p != ' ' && *p != '\f')
                g_string_append_c(s, *p);
        flat = g_string_free(s, FALSE);
    }
    CHECK(flat && strstr(flat, "如果没有指定文件，或者文件为“-”，则从标准输入读取。") &&
              strstr(flat, "工作电话（P）或家庭电话（H）。"),
          "the text extracts as written");
    cmd = g_strdup_printf("pdffonts %s", path);
    char *fonts = run(cmd);
    g_free(cmd);
    CHECK(fonts && strstr(fonts, "+NotoSerifCJKsc-Regular") && strstr(fonts, "CID Type 0C"),
          "the CJK face is embedded as a CFF subset under its own name");
    /* the whole page with its Latin and CJK subsets: about 25 KB (Cairo
     * embedding the same glyphs from the whole face: about 81 KB) */
    CHECK(len < 40000, "the page's PDF is %zu bytes (< 40000)", len);
    /* it renders: ink on the page */
    cmd = g_strdup_printf("pdftoppm -r 72 -gray -singlefile %s %s/p", path, dir);
    char *ok = run(cmd);
    g_free(cmd);
    char *pgm = g_build_filename(dir, "p.pgm", NULL);
    gchar *img = NULL;
    gsize ilen = 0;
    int dark = 0;
    if (ok && g_file_get_contents(pgm, &img, &ilen, NULL))
        for (gsize i = 20; i < ilen; i++)     /* past the PGM header */
            dark += (unsigned char)img[i] < 160;
    CHECK(dark > 50, "the page renders with ink (%d dark pixels)", dark);
    g_free(img);
    g_unlink(pgm);
    g_free(pgm);
    g_free(ok);
    g_free(fonts);
    g_free(text);
    g_free(flat);
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
    g_free(pdf);

    lay_result_fini(&r);
    arena_fini(&a);
    lay_engine_free(e);
    fontlib_free(fl);
    diag_list_fini(&dl);
    return check_finish();
}
