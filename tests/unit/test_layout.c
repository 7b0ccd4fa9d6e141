/* test_layout.c — the engine on hand-made input: the paragraph cache gives the
 * same lines as setting afresh, survives its engine, misses when an input
 * changes, and goes to bytes and back; kinsoku and hyphens at the level of
 * set lines. */
#include "check.h"

#include <math.h>
#include <stdlib.h>

#include "../../fonts/fontload.h"
#include "../../layout/layout.h"
#include "layinput.h"

/* Whether a and b place the same glyphs (count in *glyphs). */
static int same_glyphs(const LayResult *wr, const LayResult *pr, int *glyphs)
{
    int ok = wr->n_pages == pr->n_pages;
    for (int pg = 0; ok && pg < wr->n_pages; pg++) {
        ok = wr->pages[pg].n_items == pr->pages[pg].n_items;
        for (int k = 0; ok && k < wr->pages[pg].n_items; k++) {
            const LayItem *a = &wr->pages[pg].items[k], *b = &pr->pages[pg].items[k];
            ok = a->kind == b->kind && a->x == b->x;
            if (!ok || a->kind != LI_GLYPHS)
                continue;
            const PangoGlyphString *ga = a->gi->glyphs, *gb = b->gi->glyphs;
            ok = ga->num_glyphs == gb->num_glyphs;
            for (int g = 0; ok && g < ga->num_glyphs; g++, (*glyphs)++)
                ok = ga->glyphs[g].glyph == gb->glyphs[g].glyph &&
                     ga->glyphs[g].geometry.width == gb->glyphs[g].geometry.width &&
                     ga->glyphs[g].geometry.x_offset == gb->glyphs[g].geometry.x_offset &&
                     ga->log_clusters[g] == gb->log_clusters[g];
        }
    }
    return ok;
}

static int same_lines(const LayResult *a, const LayResult *b)
{
    if (a->n_lines != b->n_lines || a->n_pages != b->n_pages)
        return 0;
    for (int i = 0; i < a->n_lines; i++)
        if (a->lines[i].x != b->lines[i].x || a->lines[i].y != b->lines[i].y ||
            a->lines[i].ratio != b->lines[i].ratio || a->lines[i].hyphenated != b->lines[i].hyphenated)
            return 0;
    return 1;
}

/* The right end of the ink-carrying items of a one-line, left-aligned paragraph. */
static double set_width(LayEngine *e, const char *text, const char *lang, DiagList *dl)
{
    LaySpan sp;
    LayBlock b;
    LayInput in = input(&sp, &b, text, 10, lang);
    b.para.align = ALIGN_LEFT;
    Arena a;
    arena_init(&a);
    LayResult r;
    double right = -1;
    if (lay_run(e, &in, &r, &a, dl) == 0) {
        for (int k = 0; k < r.pages[0].n_items; k++) {
            const LayItem *it = &r.pages[0].items[k];
            if (it->kind != LI_GLYPHS)
                continue;
            double x = it->x;
            for (int g = 0; g < it->gi->glyphs->num_glyphs; g++)
                x += it->scale_x * it->gi->glyphs->glyphs[g].geometry.width / PANGO_SCALE;
            if (x > right)
                right = x;
        }
        lay_result_fini(&r);
    }
    arena_fini(&a);
    return right;
}

int main(void)
{
    DiagList dl;
    diag_list_init(&dl);
    FontLib *fl = fontlib_new(".", &dl);
    CHECK(fl != NULL, "font configuration loads");
    if (!fl)
        return check_finish();
    const char *text =
        "Typesetting a scholarly journal is an exercise in patience: every paragraph is "
        "broken into lines with the total-fit algorithm, hyphenated where the dictionary "
        "allows, and justified with expansion and protrusion so that the margins look "
        "straight and the spaces look even, page after page, article after article.";
    LaySpan sp;
    LayBlock b;
    LayInput in = input(&sp, &b, text, 10, "en");
    Arena a1, a2, a3;
    arena_init(&a1);
    arena_init(&a2);
    arena_init(&a3);
    LayEngine *e = lay_engine_new(fontlib_fontmap(fl), NULL);
    LayResult r1, r2, r3;
    CHECK(lay_run(e, &in, &r1, &a1, &dl) == 0 && r1.n_lines >= 4, "a paragraph sets (%d lines)",
          r1.n_lines);
    int hits, misses;
    lay_cache_stats(e, &hits, &misses);
    int m1 = misses;
    CHECK(lay_run(e, &in, &r2, &a2, &dl) == 0, "sets again");
    lay_cache_stats(e, &hits, &misses);
    CHECK(misses == m1 && hits > 0, "the second layout takes the paragraph from the cache (%d hits)",
          hits);
    CHECK(same_lines(&r1, &r2), "cached lines are the lines set afresh");
    /* a fresh engine (empty cache) gives the same lines too */
    LayEngine *e2 = lay_engine_new(fontlib_fontmap(fl), NULL);
    CHECK(lay_run(e2, &in, &r3, &a3, &dl) == 0 && same_lines(&r1, &r3),
          "a fresh engine sets the same lines");
    lay_result_fini(&r3);
    lay_engine_free(e2);
    /* a change of measure must miss */
    in.page.margin_outer = 100;
    LayResult r4;
    Arena a4;
    arena_init(&a4);
    lay_run(e, &in, &r4, &a4, &dl);
    lay_cache_stats(e, &hits, &misses);
    CHECK(misses > m1, "another measure is set afresh");
    CHECK(r4.n_lines > r1.n_lines, "a narrower measure takes more lines (%d > %d)", r4.n_lines,
          r1.n_lines);
    /* a cached paragraph must not keep pointers into its input: set a linked
     * paragraph, overwrite the link string, set it again from the cache */
    {
        char link[64] = "https://example.org/first";
        const char *lt = "A linked sentence that is long enough to break into two lines on this measure.";
        LaySpan ls;
        LayBlock lb;
        LayInput li = input(&ls, &lb, lt, 10, "en");
        ls.link = link;
        Arena la, lb2;
        arena_init(&la);
        arena_init(&lb2);
        LayResult q1, q2;
        lay_run(e, &li, &q1, &la, &dl);
        strcpy(link, "XXXXXXXXXXXXXXXXXXXXXXXXXX");
        ls.link = "https://example.org/first";       /* same input again: a cache hit */
        lay_run(e, &li, &q2, &lb2, &dl);
        int ok = 0, bad = 0;
        for (int pg = 0; pg < q2.n_pages; pg++)
            for (int k = 0; k < q2.pages[pg].n_items; k++)
                if (q2.pages[pg].items[k].kind == LI_LINK) {
                    ok += strcmp(q2.pages[pg].items[k].str, "https://example.org/first") == 0;
                    bad += strcmp(q2.pages[pg].items[k].str, "https://example.org/first") != 0;
                }
        CHECK(ok > 0 && bad == 0, "cached lines keep their own copy of link targets (%d ok, %d bad)", ok, bad);
        lay_result_fini(&q1);
        lay_result_fini(&q2);
        arena_fini(&la);
        arena_fini(&lb2);
    }
    /* words in capitals: long ones hyphenate like any word, short ones are
     * acronyms and never break (paragraph.c, HYPH_CAPS_MIN) */
    {
        const char *caps[2] = {
            "SUPPLEMENTARY INTERNATIONAL DOCUMENTATION REQUIREMENTS CONCERNING AUTHORISATION",
            "NATO ASEAN UNESCO OPEC NASA CERN UNICEF FIFA WHO ISO IMF OSCE EFTA NATO ASEAN"};
        int hyph[2] = {0, 0};
        for (int t = 0; t < 2; t++) {
            LaySpan cs;
            LayBlock cb;
            LayInput ci = input(&cs, &cb, caps[t], 10, "en");
            ci.page.margin_outer = 150;     /* a 130pt measure */
            Arena ca;
            arena_init(&ca);
            LayResult cr;
            lay_run(e, &ci, &cr, &ca, &dl);
            for (int i = 0; i < cr.n_lines; i++)
                hyph[t] += cr.lines[i].hyphenated;
            lay_result_fini(&cr);
            arena_fini(&ca);
        }
        CHECK(hyph[0] > 0, "long words in capitals are hyphenated (%d lines)", hyph[0]);
        CHECK(hyph[1] == 0, "acronyms are never broken (%d lines)", hyph[1]);
    }
    /* spaces typed in Chinese: none between ideographs or beside a full-width
     * mark, the Han–Latin quarter em (not a word space) beside Latin */
    {
        static const char *const pairs[][2] = {
            {"字符串 或者 的行。", "字符串或者的行。"},
            {"指定的 字符串 或者 “y” 的行。", "指定的字符串或者“y”的行。"},
            {"如果 文件 1 或 PDF 文件。", "如果文件1或PDF文件。"},
            {"标识（ id 标签）。", "标识（id标签）。"},
        };
        for (size_t t = 0; t < sizeof pairs / sizeof *pairs; t++) {
            double with = set_width(e, pairs[t][0], "zh", &dl), without = set_width(e, pairs[t][1], "zh", &dl);
            CHECK(with > 0 && fabs(with - without) < 0.01, "'%s' is set as '%s' (%.2f pt, %.2f pt)",
                  pairs[t][0], pairs[t][1], with, without);
        }
        double en = set_width(e, "a b", "en", &dl), en0 = set_width(e, "ab", "en", &dl);
        CHECK(en - en0 > 1.5, "a space between Latin words keeps its width (%.2f pt)", en - en0);
        /* only Chinese text: a Japanese name, Chinese words quoted in English */
        double ja = set_width(e, "山田 太郎", "ja", &dl), ja0 = set_width(e, "山田太郎", "ja", &dl);
        CHECK(ja - ja0 > 1.5, "in Japanese a typed space between kanji stays (%.2f pt)", ja - ja0);
        double q = set_width(e, "Author 山田 太郎 wrote", "en", &dl),
               q0 = set_width(e, "Author 山田太郎 wrote", "en", &dl);
        CHECK(q - q0 > 1.5, "in English a typed space between ideographs stays (%.2f pt)", q - q0);
    }
    /* the engine remembers hyphenated words: a word met again, under the same
     * minima or others, gets what the dictionary gives for those minima */
    {
        const char *w = "internationalization";
        int n = (int)strlen(w);
        char a[32], b[32], c[32], d[32];
        int na = lay_hyphenate(e, "en", w, n, a, 2, 3);
        int nb = lay_hyphenate(e, "en", w, n, b, 2, 3);          /* from the memo */
        int nc = lay_hyphenate(e, "en", w, n, c, 6, 6);          /* other minima */
        int nd = lay_hyphenate(e, "en", w, n, d, 6, 6);
        int first = -1;
        for (int i = 0; i < n && first < 0; i++)
            if (c[i])
                first = i;
        CHECK(na > 2 && na == nb && memcmp(a, b, (size_t)n) == 0,
              "a word hyphenated again gives the same points (%d, %d)", na, nb);
        CHECK(nc > 0 && nc < na && first >= 5 && nc == nd && memcmp(c, d, (size_t)n) == 0,
              "other minima are remembered apart (%d points, the first after byte %d)", nc, first);
        LayEngine *fresh = lay_engine_new(fontlib_fontmap(fl), NULL);
        char f[32];
        int nf = lay_hyphenate(fresh, "en", w, n, f, 6, 6);
        CHECK(nf == nc && memcmp(c, f, (size_t)n) == 0, "a fresh engine agrees with the memo");
        lay_engine_free(fresh);
        /* a dictionary held ahead of need (an issue's loader thread, for the
         * first article laid out: Russian here): an engine made while it is
         * held, and one made after it is let go, hyphenate alike, in both
         * scripts (the English dictionary loaded when first needed) */
        LayHyphHold *hold = lay_hyph_hold(NULL, "ru");
        LayEngine *held = lay_engine_new(fontlib_fontmap(fl), NULL);
        const char *ru = "интернационализация";
        int rn = (int)strlen(ru);
        char g[64], h[64];
        int ng = lay_hyphenate(held, "en", w, n, g, 6, 6);
        int nr = lay_hyphenate(held, "ru", ru, rn, h, 2, 2);
        lay_hyph_unhold(hold);
        lay_engine_free(held);
        LayEngine *after = lay_engine_new(fontlib_fontmap(fl), NULL);
        char g2[64], h2[64];
        int ng2 = lay_hyphenate(after, "en", w, n, g2, 6, 6);
        int nr2 = lay_hyphenate(after, "ru", ru, rn, h2, 2, 2);
        /* the memo keeps the dictionaries apart: the word the Russian one
         * hyphenated is not answered from it when the English one is asked */
        char e2[64];
        int ne2 = lay_hyphenate(after, "en", ru, rn, e2, 2, 2);
        lay_engine_free(after);
        CHECK(nr2 > 2 && ne2 == 0, "the memo keeps the dictionaries apart (ru %d, en %d)", nr2, ne2);
        CHECK(hold && ng == nc && memcmp(g, c, (size_t)n) == 0 && nr > 3 && ng2 == ng &&
                  memcmp(g2, g, (size_t)n) == 0 && nr2 == nr && memcmp(h2, h, (size_t)rn) == 0,
              "dictionaries held ahead of need hyphenate as loaded on demand (%d, %d points)", ng, nr);
    }
    /* words shaped once (layout/words.c): the glyphs of every line are those
     * of shaping each item whole, where the font kerns across spaces too
     * (PT Serif kerns ". ", ", " and " A"), in English, Russian and a mix,
     * set twice in the same engine (the second time from the memo) */
    {
        static const char *const texts[][2] = {
            {"A. T. V. W. Y. “Avoid” ‘Yes’, said Anna. Then: “A V”, (A) [V] — AVA, TYPO, Wa, "
             "Yo, Te. Of the “Y”, etc., and A. N. Other, 1. 2, 3; 4: 5! 6? The end.", "en"},
            {"Ах, Т. А. У. Г. «Ты», „Ах“ — А. Г. Иванов, И. О. Фамилия; Ъ. Ь. Тут «А» и «Т». "
             "Он сказал: «Уже», а она — «Ага». Конец.", "ru"},
            {"Chinese 中文 and English, “A” and ‘T’, mixed. 汉字 A. B. 如果 Tom, Anna.", "en"},
        };
        setenv("TYPESET_NO_WORDCACHE", "1", 1);
        LayEngine *whole = lay_engine_new(fontlib_fontmap(fl), NULL);
        unsetenv("TYPESET_NO_WORDCACHE");
        LayEngine *words = lay_engine_new(fontlib_fontmap(fl), NULL);
        setenv("TYPESET_WORDCACHE_MAX", "1", 1);
        LayEngine *tiny = lay_engine_new(fontlib_fontmap(fl), NULL);
        unsetenv("TYPESET_WORDCACHE_MAX");
        for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
            for (int round = 0; round < 2; round++) {
                LaySpan ws, ps;
                LayBlock wb, pb;
                LayInput wi = input(&ws, &wb, texts[t][0], 10, texts[t][1]),
                         pi = input(&ps, &pb, texts[t][0], 10, texts[t][1]);
                /* several lines; another measure the second time, so that the
                 * paragraph comes from the word memo, not the paragraph cache */
                wi.page.margin_outer = pi.page.margin_outer = 120 + 25 * round;
                Arena wa, pa;
                arena_init(&wa);
                arena_init(&pa);
                LayResult wr, pr;
                int ok = lay_run(words, &wi, &wr, &wa, &dl) == 0 && lay_run(whole, &pi, &pr, &pa, &dl) == 0,
                    glyphs = 0;
                ok = ok && same_glyphs(&wr, &pr, &glyphs);
                CHECK(ok && glyphs > 50, "%s text, %s: word by word gives the glyphs of whole items (%d glyphs)",
                      texts[t][1], round ? "from the memo" : "first meeting", glyphs);
                /* a memo emptied at every item (it holds one entry at most
                 * between items): the words met earlier in the item stay
                 * readable, and the glyphs do not depend on what it held */
                LaySpan ts;
                LayBlock tb;
                LayInput ti = input(&ts, &tb, texts[t][0], 10, texts[t][1]);
                ti.page.margin_outer = wi.page.margin_outer;
                Arena ta;
                arena_init(&ta);
                LayResult tr;
                int tiny_ok = lay_run(tiny, &ti, &tr, &ta, &dl) == 0, tiny_glyphs = 0;
                tiny_ok = tiny_ok && same_glyphs(&tr, &pr, &tiny_glyphs);
                CHECK(tiny_ok && tiny_glyphs == glyphs,
                      "%s text, %s: a memo emptied at every item gives the same glyphs (%d glyphs)",
                      texts[t][1], round ? "second run" : "first run", tiny_glyphs);
                lay_result_fini(&tr);
                arena_fini(&ta);
                lay_result_fini(&wr);
                lay_result_fini(&pr);
                arena_fini(&wa);
                arena_fini(&pa);
            }
        lay_engine_free(whole);
        lay_engine_free(words);
        lay_engine_free(tiny);
    }
    /* set paragraphs as bytes (layout/paraio.c): another engine takes them
     * back and sets nothing again, with the same glyphs and lines; bytes cut
     * short or changed anywhere are refused, and the layout is then made
     * afresh, the same */
    {
        enum { NB = 3 };
        LaySpan spans[NB];
        LayBlock blocks[NB];
        LayInput pin = three_paragraphs(spans, blocks);
        LayEngine *ea = lay_engine_new(fontlib_fontmap(fl), NULL);
        Arena pa;
        arena_init(&pa);
        LayResult ra;
        int ok = lay_run(ea, &pin, &ra, &pa, &dl) == 0;
        GBytes *bytes = ok ? lay_result_export_paragraphs(&ra) : NULL;
        CHECK(ok && bytes && g_bytes_get_size(bytes) > 1000, "set paragraphs export (%zu bytes)",
              bytes ? g_bytes_get_size(bytes) : 0);
        LayEngine *eb = lay_engine_new(fontlib_fontmap(fl), NULL);
        int taken = bytes ? lay_engine_import_paragraphs(eb, bytes) : -1;
        int again = bytes ? lay_engine_import_paragraphs(eb, bytes) : -1;
        Arena pb;
        arena_init(&pb);
        LayResult rb;
        int h0, m0, h1, m1, glyphs = 0;
        lay_cache_stats(eb, &h0, &m0);
        ok = taken >= NB && again == 0 && lay_run(eb, &pin, &rb, &pb, &dl) == 0;
        lay_cache_stats(eb, &h1, &m1);
        CHECK(ok && m1 == m0 && h1 - h0 >= NB,
              "another engine takes them back (%d paragraphs, none twice) and sets none (%d hits, %d misses)",
              taken, h1 - h0, m1 - m0);
        CHECK(ok && same_glyphs(&ra, &rb, &glyphs) && same_lines(&ra, &rb) && glyphs > 200,
              "... with the glyphs and lines set afresh (%d glyphs)", glyphs);
        int link_ok = 0;
        for (int pg = 0; ok && pg < rb.n_pages; pg++)
            for (int k = 0; k < rb.pages[pg].n_items; k++)
                link_ok |= rb.pages[pg].items[k].kind == LI_LINK &&
                           strcmp(rb.pages[pg].items[k].str, "https://example.org/") == 0;
        CHECK(link_ok, "... and the link with its target");
        lay_result_fini(&rb);
        arena_fini(&pb);
        lay_engine_free(eb);
        /* damaged: cut at 40 places, a byte changed at 200 */
        int refused = 0, tries = 0, same = 1;
        gsize blen = bytes ? g_bytes_get_size(bytes) : 0;
        const guint8 *bd = bytes ? g_bytes_get_data(bytes, NULL) : NULL;
        for (int k = 0; bytes && k < 240; k++) {
            guint8 *copy = g_memdup2(bd, blen);
            gsize n = blen;
            if (k < 40)
                n = blen * (gsize)k / 40;
            else
                copy[(blen * (gsize)(k - 40)) / 200] ^= (guint8)(1u << (k % 8));
            GBytes *bad = g_bytes_new_take(copy, n);
            LayEngine *ec = lay_engine_new(fontlib_fontmap(fl), NULL);
            refused += lay_engine_import_paragraphs(ec, bad) < 0;
            tries++;
            if (k % 40 == 0) {          /* and the layout after it is the right one */
                Arena pc;
                arena_init(&pc);
                LayResult rc;
                int g2 = 0;
                same &= lay_run(ec, &pin, &rc, &pc, &dl) == 0 && same_glyphs(&ra, &rc, &g2) &&
                        same_lines(&ra, &rc);
                lay_result_fini(&rc);
                arena_fini(&pc);
            }
            lay_engine_free(ec);
            g_bytes_unref(bad);
        }
        CHECK(tries == 240 && refused == tries && same,
              "damaged bytes are refused (%d of %d) and the layout is made afresh", refused, tries);
        if (bytes)
            g_bytes_unref(bytes);
        lay_result_fini(&ra);
        arena_fini(&pa);
        lay_engine_free(ea);
    }
    /* results outlive the engine: freeing them afterwards is safe (ASan/valgrind check it) */
    lay_engine_free(e);
    CHECK(r1.n_lines > 0 && r1.pages[0].n_items > 0, "results stay readable after the engine is freed");
    lay_result_fini(&r1);
    lay_result_fini(&r2);
    lay_result_fini(&r4);
    arena_fini(&a1);
    arena_fini(&a2);
    arena_fini(&a3);
    arena_fini(&a4);
    fontlib_free(fl);
    CHECK(dl.errors == 0, "no errors (%d)", dl.errors);
    diag_list_fini(&dl);
    return check_finish();
}
