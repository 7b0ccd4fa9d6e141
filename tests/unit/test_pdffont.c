/* test_pdffont.c — the fonts of the PDF painter of our own
 * (typeset/pdffont.h): a paragraph of English (with an "fi" ligature),
 * Russian and Chinese drawn on one page written with pdfw embeds one subset
 * per face (TrueType as CID TrueType, Noto CJK as CID-keyed CFF), its text
 * extracts, qpdf finds the file sound, two runs give the same bytes, the
 * advances agree with Pango's, and fonts with something synthesized or hex
 * boxes are refused.  TEST_PDFFONT_KEEP=1 in the environment keeps the
 * page's PDF and its rendering (at 100 dpi) to look at. */
#include "check.h"
#include "runcmd.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <stdlib.h>

#include "../../fonts/fontload.h"
#include "../../layout/layout.h"
#include "../../typeset/paint.h"
#include "../../typeset/pdfcff.h"
#include "../../typeset/pdffont.h"
#include "../../typeset/pdfw.h"
#include "layinput.h"

static const char text[] =
    "The first fine office finds fifty files. "
    "Съешь же ещё этих мягких французских булок, да выпей чаю. "
    "如果没有指定文件，或者文件为“-”，则从标准输入读取。更改姓名（N）、注释（C）、"
    "工作电话（P）或家庭电话（H）。每一篇文章都要经过断行、分页和绘制三个步骤。";

/* What one PDF of the page tells besides its bytes. */
typedef struct Stats {
    int glyphs, texts, conflicts;
    double max_adv_diff;        /* pt, between /W and Pango's glyph advances */
    double size_min, size_max;  /* of the fonts drawn (Tf), pt */
} Stats;

/* Draws run it of font face k into content c: each glyph placed where
 * Pango puts it by TJ adjustments from the /W advances; the text of each
 * one-glyph cluster said to the ToUnicode CMap. */
static void draw_run(PdfFonts *f, GString *c, const LayItem *it, double page_h, Stats *st)
{
    PangoFont *font = it->gi->item->analysis.font;
    double size = 0, sx = it->scale_x > 0 ? it->scale_x : 1.0;
    int k = pdffont_face(f, font, &size);
    if (k < 0)
        return;
    st->size_min = st->glyphs ? MIN(st->size_min, size) : size;
    st->size_max = MAX(st->size_max, size);
    g_string_append_printf(c, "BT /F%d ", k);
    pdfw_num(c, size, 3);
    g_string_append(c, " Tf ");
    pdfw_num(c, sx, 4);
    g_string_append(c, " 0 0 1 ");
    pdfw_num(c, it->x, 3);
    g_string_append_c(c, ' ');
    pdfw_num(c, page_h - it->y, 3);
    g_string_append(c, " Tm [");
    const PangoGlyphString *gs = it->gi->glyphs;
    double pen = 0, want = 0;   /* where the text position is, where Pango's pen is (pt) */
    unsigned *codes = g_new0(unsigned, (gsize)gs->num_glyphs);
    for (int i = 0; i < gs->num_glyphs; i++) {
        const PangoGlyphInfo *gi = &gs->glyphs[i];
        double w = gi->geometry.width / (double)PANGO_SCALE;
        if (gi->glyph == PANGO_GLYPH_EMPTY) {
            want += w;
            continue;
        }
        double adv = 0;
        codes[i] = pdffont_code(f, k, gi->glyph, &adv);
        double adj = (pen - want) * 1000 / size;    /* TJ: positive moves left */
        if (fabs(adj) > 0.001) {
            g_string_append_c(c, ' ');
            pdfw_num(c, adj, 3);
        }
        g_string_append_printf(c, " <%04X>", codes[i]);
        pen = want + adv * size / 1000;
        /* Pango's glyph widths are kerned and justified; its unkerned
         * advance is the logical width of the glyph's extents */
        PangoRectangle ink, logical;
        pango_font_get_glyph_extents(font, gi->glyph, &ink, &logical);
        st->max_adv_diff = MAX(st->max_adv_diff, fabs(adv * size / 1000 - logical.width / (double)PANGO_SCALE));
        want += w;
        st->glyphs++;
    }
    g_string_append(c, " ] TJ ET\n");
    /* the clusters of one glyph: their text */
    PangoGlyphItemIter ci;
    PangoGlyphItem *gi = it->gi;
    for (gboolean ok = pango_glyph_item_iter_init_start(&ci, gi, it->text); ok;
         ok = pango_glyph_item_iter_next_cluster(&ci)) {
        if (abs(ci.end_glyph - ci.start_glyph) != 1 ||
            gs->glyphs[ci.start_glyph].glyph == PANGO_GLYPH_EMPTY)
            continue;
        int r = pdffont_text(f, k, codes[ci.start_glyph], it->text + ci.start_index,
                             ci.end_index - ci.start_index);
        st->texts++;
        st->conflicts += r == 0;
    }
    g_free(codes);
}

/* A one-page PDF (300 x 400 pt) of content drawn in f's fonts, f built:
 * its bytes (g_free'd by the caller), or NULL when writing fails. */
static unsigned char *one_page(PdfFonts *f, const GString *content, size_t *len)
{
    PdfW w;
    pdfw_init(&w);
    int catalog = pdfw_reserve(&w), pages = pdfw_reserve(&w), page = pdfw_reserve(&w),
        cs = pdfw_reserve(&w);
    int n = pdffont_count(f);
    int *obj = g_new0(int, (gsize)n + 1);
    if (pdffont_write(f, &w, obj) != 0 ||
        pdfw_stream(&w, cs, NULL, content->str, content->len, PDFW_SMALL) != 0) {
        g_free(obj);
        pdfw_fini(&w);
        return NULL;
    }
    GString *g = pdfw_begin(&w, catalog);
    g_string_append_printf(g, "<< /Type /Catalog /Pages %d 0 R >>", pages);
    pdfw_end(&w);
    g = pdfw_begin(&w, pages);
    g_string_append_printf(g, "<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page);
    pdfw_end(&w);
    g = pdfw_begin(&w, page);
    g_string_append_printf(g, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 300 400] "
                              "/Contents %d 0 R /Resources << /Font <<", pages, cs);
    for (int k = 0; k < n; k++)
        g_string_append_printf(g, " /F%d %d 0 R", k, obj[k]);
    g_string_append(g, " >> >> >>");
    pdfw_end(&w);
    g_free(obj);
    unsigned char *bytes = pdfw_finish(&w, catalog, 0, 0, len);
    pdfw_fini(&w);
    return bytes;
}

/* The one-page PDF of page p with fonts of our own: its bytes (g_free'd by
 * the caller), or NULL when a font is refused or building fails. */
static unsigned char *page_pdf(const LayPage *p, size_t *len, Stats *st)
{
    *st = (Stats){0};
    PdfFonts *f = pdffont_new();
    int ok = 1;
    for (int i = 0; i < p->n_items; i++)
        if (p->items[i].kind == LI_GLYPHS)
            ok &= pdffont_add(f, p->items[i].gi->item->analysis.font, p->items[i].gi->glyphs) == 0;
    unsigned char *bytes = NULL;
    if (ok && pdffont_build(f) == 0) {
        GString *c = g_string_new(NULL);
        for (int i = 0; i < p->n_items; i++)
            if (p->items[i].kind == LI_GLYPHS)
                draw_run(f, c, &p->items[i], 400, st);
        bytes = one_page(f, c, len);
        g_string_free(c, TRUE);
    }
    pdffont_free(f);
    return bytes;
}

/* s without newlines, spaces and form feeds (g_free). */
static char *flat(const char *s)
{
    GString *g = g_string_new(NULL);
    for (const char *p = s ? s : ""; *p; p++)
        if (*p != '\n' && *p != ' ' && *p != '\f')
            g_string_append_c(g, *p);
    return g_string_free(g, FALSE);
}

/* The page of the PDF at path rasterised by pdftoppm at 100 dpi in grey
 * (g_free), or NULL; *n pixels. */
static unsigned char *grey(const char *path, const char *dir, gsize *n)
{
    char *cmd = g_strdup_printf("pdftoppm -r 100 -gray -singlefile %s %s/grey", path, dir);
    char *out = run(cmd), *pgm = g_build_filename(dir, "grey.pgm", NULL);
    gchar *img = NULL;
    gsize len = 0;
    unsigned char *px = NULL;
    *n = 417 * 556;             /* 300 x 400 pt at 100 dpi */
    if (out && g_file_get_contents(pgm, &img, &len, NULL) && len > *n) {
        px = g_malloc(*n);
        memcpy(px, img + len - *n, *n);     /* past the header */
    }
    g_unlink(pgm);
    g_free(pgm);
    g_free(img);
    g_free(out);
    g_free(cmd);
    return px;
}

/* Pixels of the page as Cairo paints it (paint.h) and as the PDF at path
 * shows it that differ by more than a third of the grey scale, and the
 * pixels with ink in either; -1 when one cannot be had. */
static int compare_with_cairo(const LayResult *r, const char *path, const char *dir, int *inked)
{
    PaintOptions po = {.width = 300, .height = 400};
    PaintMeta pm = {.title = "cairo"};
    unsigned char *bytes = NULL;
    size_t len = 0;
    const char *err = NULL;
    char *cpath = g_build_filename(dir, "cairo.pdf", NULL);
    unsigned char *a = NULL, *b = NULL;
    gsize na = 0, nb = 0;
    if (paint_pdf(r, &po, &pm, &bytes, &len, &err) == 0 &&
        g_file_set_contents(cpath, (const char *)bytes, (gssize)len, NULL)) {
        a = grey(cpath, dir, &na);
        b = grey(path, dir, &nb);
    }
    int diff = -1;
    *inked = 0;
    if (a && b && na == nb) {
        diff = 0;
        for (gsize i = 0; i < na; i++) {
            diff += abs((int)a[i] - (int)b[i]) > 85;
            *inked += a[i] < 128 || b[i] < 128;
        }
    }
    g_unlink(cpath);
    g_free(cpath);
    g_free(bytes);
    g_free(a);
    g_free(b);
    return diff;
}

/* Checks pdffonts' table for path: every font embedded, a subset, with a
 * ToUnicode map; both kinds of CID font there. */
static void check_fonts(const char *path)
{
    char *cmd = g_strdup_printf("pdffonts %s", path);
    char *out = run(cmd);
    g_free(cmd);
    CHECK(out != NULL, "pdffonts reads the file");
    if (!out)
        return;
    printf("%s", out);
    char **lines = g_strsplit(out, "\n", -1);
    int n = 0, good = 0;
    for (char **l = lines + 2; *l && **l; l++, n++) {
        char **col = g_strsplit_set(*l, " ", -1);
        GPtrArray *w = g_ptr_array_new();
        for (char **c = col; *c; c++)
            if (**c)
                g_ptr_array_add(w, *c);
        /* name type... encoding emb sub uni num gen */
        guint m = w->len;
        good += m >= 7 && strchr(g_ptr_array_index(w, 0), '+') &&
                strcmp(g_ptr_array_index(w, m - 5), "yes") == 0 &&
                strcmp(g_ptr_array_index(w, m - 4), "yes") == 0 &&
                strcmp(g_ptr_array_index(w, m - 3), "yes") == 0;
        g_ptr_array_free(w, TRUE);
        g_strfreev(col);
    }
    g_strfreev(lines);
    CHECK(n >= 2 && good == n, "%d fonts, %d embedded subsets with ToUnicode", n, good);
    CHECK(strstr(out, "CID TrueType") && strstr(out, "CID Type 0C"),
          "both CID TrueType (PT) and CID Type 0C (Noto CJK) fonts");
    CHECK(strstr(out, "+PTSerif-Regular") && strstr(out, "+NotoSerifCJKsc-Regular"),
          "under their PostScript names (the SC face of the collection)");
    g_free(out);
}

/* Adds FC_EMBOLDEN to every pattern: fonts drawn with a synthetic bold. */
static void embolden(FcPattern *pat, gpointer data)
{
    (void)data;
    FcPatternDel(pat, FC_EMBOLDEN);
    FcPatternAddBool(pat, FC_EMBOLDEN, FcTrue);
}

/* A font of fm for desc, loaded anew (a reference). */
static PangoFont *load(PangoFontMap *fm, const char *desc)
{
    PangoContext *ctx = pango_font_map_create_context(fm);
    pango_cairo_context_set_resolution(ctx, 72);    /* as the layout's: 1 pt a unit */
    PangoFontDescription *d = pango_font_description_from_string(desc);
    PangoFont *font = pango_font_map_load_font(fm, ctx, d);
    pango_font_description_free(d);
    g_object_unref(ctx);
    return font;
}

/* One glyph of a plain font: the size it is set at, glyphs and fonts
 * refused, codes and texts after the build; drawn with its text mapped to
 * a character beyond the BMP, which pdftotext reads back (a surrogate pair
 * in the CMap).  Files go to dir. */
static void check_api(FontLib *fl, DiagList *dl, const char *dir)
{
    PangoFont *plain = load(fontlib_fontmap(fl), "PT Serif 10");
    PangoGlyphString *gs = pango_glyph_string_new();
    pango_glyph_string_set_size(gs, 2);
    memset(gs->glyphs, 0, sizeof *gs->glyphs * 2);
    gs->glyphs[0].glyph = 40;
    gs->glyphs[1].glyph = PANGO_GLYPH_EMPTY;
    PdfFonts *f = pdffont_new();
    double size = 0;
    CHECK(plain && pdffont_add(f, plain, gs) == 0 && pdffont_face(f, plain, &size) == 0,
          "a plain font is taken, an empty glyph skipped");
    CHECK(size == 10, "PT Serif 10 is set at %g pt", size);
    gs->glyphs[1].glyph = PANGO_GLYPH_UNKNOWN_FLAG | 0x4E2D;
    CHECK(pdffont_add(f, plain, gs) == -1, "a hex box (PANGO_GLYPH_UNKNOWN_FLAG) is refused");

    /* a font map whose fonts all have a synthetic bold */
    FontLib *bold = fontlib_new(".", dl);
    PangoFontMap *bfm = bold ? fontlib_fontmap(bold) : NULL;
    if (bfm) {
        pango_fc_font_map_set_default_substitute(PANGO_FC_FONT_MAP(bfm), embolden, NULL, NULL);
        PangoFont *emb = load(bfm, "PT Serif 10");
        FcBool b = FcFalse;
        FcPattern *pat = emb ? pango_fc_font_get_pattern(PANGO_FC_FONT(emb)) : NULL;
        CHECK(pat && FcPatternGetBool(pat, FC_EMBOLDEN, 0, &b) == FcResultMatch && b,
              "the font map makes a synthetic bold");
        gs->glyphs[1].glyph = 41;
        CHECK(emb && pdffont_add(f, emb, gs) == -1 && pdffont_face(f, emb, &size) == -1,
              "a synthetic bold font is refused");
        if (emb)
            g_object_unref(emb);
    }
    fontlib_free(bold);

    gs->glyphs[1].glyph = PANGO_GLYPH_EMPTY;
    CHECK(pdffont_count(f) == 1 && pdffont_build(f) == 0, "one face, built");
    CHECK(pdffont_add(f, plain, gs) == -1, "nothing more is taken once built");
    double adv = 0, adv0 = 0;
    unsigned code = pdffont_code(f, 0, 40, &adv), code0 = pdffont_code(f, 0, 41, &adv0);
    CHECK(code == 1 && adv > 0 && code0 == 0 && adv0 > 0,
          "the glyph has code %u (advance %g), one never noted .notdef's 0 (advance %g)", code,
          adv, adv0);
    static const char astral[] = "\xF0\x9D\x90\x80";   /* U+1D400 */
    CHECK(pdffont_text(f, 0, code, astral, 4) == 1 && pdffont_text(f, 0, code, astral, 4) == 1,
          "the code maps to the first text said, and says so again");
    CHECK(pdffont_text(f, 0, code, "A", 1) == 0, "another text for it is refused");
    CHECK(pdffont_text(f, 0, 0xFFFF, "A", 1) == 0 && pdffont_text(f, 1, code, "A", 1) == 0,
          "a code or a face that is not there takes no text");
    GString *c = g_string_new(NULL);
    g_string_append_printf(c, "BT /F0 10 Tf 20 300 Td <%04X> Tj ET", code);
    size_t len = 0;
    unsigned char *pdf = one_page(f, c, &len);
    char *path = g_build_filename(dir, "astral.pdf", NULL);
    char *cmd = g_strdup_printf("pdftotext %s -", path);
    char *out = pdf && g_file_set_contents(path, (const char *)pdf, (gssize)len, NULL) ? run(cmd) : NULL;
    CHECK(out && strstr(out, astral), "a text beyond the BMP extracts (a surrogate pair)");
    g_unlink(path);
    g_free(out);
    g_free(cmd);
    g_free(path);
    g_free(pdf);
    g_string_free(c, TRUE);
    pdffont_free(f);
    pango_glyph_string_free(gs);
    if (plain)
        g_object_unref(plain);
}

/* A CFF of n glyphs written by hand into b (at least 256 bytes): header,
 * Name INDEX, a Top DICT (with ROS when cid; charset and CharStrings
 * offsets as 5-byte operands), empty String and Subrs INDEXes, n one-byte
 * charstrings, and a charset of format fmt giving glyph g the CID 100 + 3g
 * (format 0) or CIDs 100.. in runs of 4 (formats 1, 2).  Its length. */
static size_t mini_cff(uint8_t *b, int cid, int fmt, unsigned n)
{
    static const uint8_t head[] = {1, 0, 4, 1, 0, 1, 1, 1, 2, 'A'};
    size_t o = sizeof head;
    memcpy(b, head, o);
    uint8_t dict[32];
    size_t d = 0;
    if (cid) {          /* ROS: "Adobe" "Identity" 0 as SIDs 391 392 and 0 */
        static const uint8_t ros[] = {28, 1, 135, 28, 1, 136, 139, 12, 30};
        memcpy(dict, ros, sizeof ros);
        d = sizeof ros;
    }
    size_t at_charset = d + 1, top = o + 5, cs = top + d + 12 + 4;
    size_t charset = cs + 3 + (n + 1) + n;
    dict[d++] = 29;
    d += 4;
    dict[d++] = 15;
    dict[d++] = 29;
    d += 4;
    dict[d++] = 17;
    for (int k = 0; k < 4; k++) {
        dict[at_charset + (size_t)k] = (uint8_t)(charset >> (24 - 8 * k));
        dict[at_charset + 6 + (size_t)k] = (uint8_t)(cs >> (24 - 8 * k));
    }
    uint8_t idx[] = {0, 1, 1, 1, (uint8_t)(d + 1)};
    memcpy(b + o, idx, sizeof idx);
    memcpy(b + top, dict, d);
    o = top + d;
    memset(b + o, 0, 4);        /* String INDEX, Global Subr INDEX */
    o += 4;
    b[o++] = 0;
    b[o++] = (uint8_t)n;
    b[o++] = 1;
    for (unsigned g = 0; g <= n; g++)
        b[o++] = (uint8_t)(g + 1);
    for (unsigned g = 0; g < n; g++)
        b[o++] = 14;            /* endchar */
    b[o++] = (uint8_t)fmt;
    if (fmt == 0) {
        for (unsigned g = 1; g < n; g++, o += 2) {
            b[o] = (uint8_t)((100 + 3 * g) >> 8);
            b[o + 1] = (uint8_t)(100 + 3 * g);
        }
    } else {
        for (unsigned g = 1; g < n; g += 4) {
            unsigned first = 100 + 10 * g;
            b[o++] = (uint8_t)(first >> 8);
            b[o++] = (uint8_t)first;
            if (fmt == 2)
                b[o++] = 0;
            b[o++] = 3;         /* nLeft: 4 glyphs a run */
        }
    }
    return o;
}

/* The CFF charset reader (pdfcff.h) on CFFs written by hand. */
static void check_cff(void)
{
    uint8_t b[256];
    uint16_t cid[9];
    size_t len = mini_cff(b, 1, 0, 9);
    int ok = pdfcff_cid_keyed(b, len) == 1 && pdfcff_cids(b, len, 9, cid) == 0 && cid[0] == 0;
    for (unsigned g = 1; ok && g < 9; g++)
        ok = cid[g] == 100 + 3 * g;
    CHECK(ok, "a CID-keyed CFF: its charset of format 0 read");
    for (int fmt = 1; fmt <= 2; fmt++) {
        len = mini_cff(b, 1, fmt, 9);
        ok = pdfcff_cids(b, len, 9, cid) == 0 && cid[0] == 0;
        for (unsigned g = 1; ok && g < 9; g++)
            ok = cid[g] == 100 + 10 * (1 + (g - 1) / 4 * 4) + (g - 1) % 4;
        CHECK(ok, "format %d: ranges of CIDs read", fmt);
        CHECK(pdfcff_cids(b, len - 1, 9, cid) == -1, "format %d: a charset cut short is refused",
              fmt);
    }
    CHECK(pdfcff_cids(b, len, 8, cid) == -1, "a glyph count other than CharStrings' is refused");
    len = mini_cff(b, 0, 0, 9);
    CHECK(pdfcff_cid_keyed(b, len) == 0 && pdfcff_cids(b, len, 9, cid) == -1,
          "a name-keyed CFF is told apart and has no CIDs");
    CHECK(pdfcff_cid_keyed(b, 12) == -1 && pdfcff_cid_keyed(b, 3) == -1,
          "a CFF cut inside its Top DICT is refused");
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
    LayInput in = input(&sp, &b, text, 10, "en");
    Arena a;
    arena_init(&a);
    LayResult r;
    CHECK(lay_run(e, &in, &r, &a, &dl) == 0 && r.n_pages == 1, "the paragraph sets on one page");

    size_t len = 0, len2 = 0;
    Stats st, st2;
    unsigned char *pdf = r.n_pages ? page_pdf(&r.pages[0], &len, &st) : NULL;
    CHECK(pdf != NULL, "every glyph string is taken, the subsets built, the page written "
                       "(%zu bytes, %d glyphs)", len, st.glyphs);
    CHECK(st.conflicts == 0 && st.texts > 100, "%d one-glyph clusters, their text in the CMap",
          st.texts);
    CHECK(st.max_adv_diff < 0.001, "/W advances agree with Pango's (%.4f pt apart at most)",
          st.max_adv_diff);
    CHECK(st.size_min == 10 && st.size_max == 10, "the 10 pt style is set at Tf %g..%g", st.size_min,
          st.size_max);
    unsigned char *again = r.n_pages ? page_pdf(&r.pages[0], &len2, &st2) : NULL;
    CHECK(pdf && again && len == len2 && memcmp(pdf, again, len) == 0,
          "a second run writes the same bytes");
    g_free(again);

    /* the files go to a directory of their own, kept to be looked at when
     * TEST_PDFFONT_KEEP is set */
    char *dir = g_dir_make_tmp("ts-pdffont-XXXXXX", NULL);
    char *path = g_build_filename(dir, "page.pdf", NULL), *png = g_build_filename(dir, "page.png", NULL);
    if (pdf && g_file_set_contents(path, (const char *)pdf, (gssize)len, NULL)) {
        check_fonts(path);
        char *cmd = g_strdup_printf("pdftotext -raw %s -", path);
        char *out = run(cmd), *fl_out = flat(out);
        g_free(cmd);
        CHECK(strstr(fl_out, "如果没有指定文件，或者文件为“-”，则从标准输入读取。") &&
                  strstr(fl_out, "工作电话（P）或家庭电话（H）。"),
              "the Chinese text extracts");
        CHECK(strstr(fl_out, "французских") && strstr(fl_out, "Съешь"), "the Russian text extracts");
        CHECK(strstr(fl_out, "Thefirstfineofficefindsfiftyfiles."),
              "the English text extracts, ligatures (fi, ffi) and all");
        g_free(out);
        g_free(fl_out);
        cmd = g_strdup_printf("qpdf --check %s", path);
        out = run(cmd);
        g_free(cmd);
        CHECK(out && strstr(out, "No syntax or stream encoding errors"), "qpdf --check passes");
        g_free(out);
        cmd = g_strdup_printf("gs -q -dNOPAUSE -dBATCH -sDEVICE=nullpage %s", path);
        out = run(cmd);
        g_free(cmd);
        CHECK(out && !strcasestr(out, "error"), "ghostscript reads it without complaint");
        g_free(out);
        cmd = g_strdup_printf("pdftoppm -r 100 -png -singlefile %s %s/page", path, dir);
        out = run(cmd);
        g_free(cmd);
        CHECK(out && g_file_test(png, G_FILE_TEST_EXISTS), "pdftoppm renders it");
        g_free(out);
        int inked = 0, diff = compare_with_cairo(&r, path, dir, &inked);
        CHECK(diff >= 0 && diff < inked / 20, "the page looks as Cairo paints it: %d of %d inked "
              "pixels differ by more than a third of the grey scale", diff, inked);
    }
    g_free(pdf);

    check_api(fl, &dl, dir);
    check_cff();

    if (getenv("TEST_PDFFONT_KEEP")) {
        printf("kept %s and %s\n", path, png);
    } else {
        g_unlink(path);
        g_unlink(png);
        g_rmdir(dir);
    }
    g_free(path);
    g_free(png);
    g_free(dir);

    lay_result_fini(&r);
    arena_fini(&a);
    lay_engine_free(e);
    fontlib_free(fl);
    diag_list_fini(&dl);
    return check_finish();
}
