/* test_uax14.c — the line break opportunities of layout/uax14.c against
 * pango_get_log_attrs, which they replace for most paragraphs: every
 * paragraph (blank-line separated) of the samples, the block tests, the
 * bad-input corpus and, when it has been generated, the benchmark corpus,
 * and strings made to exercise each rule.  At every position the layout
 * reads (between two characters that are not spaces) and at every other,
 * is_line_break and is_mandatory_break must be Pango's.  A paragraph with a
 * class uax14.c leaves to Pango is counted, not compared. */
#include "check.h"

#include <glib.h>
#include <pango/pango.h>
#include <stdlib.h>

#include "../../layout/internal.h"

static int compared, declined, differing, reported;

/* Compares the two on text; 0 when they agree (or uax14.c declines). */
static int compare(const char *text, gssize len, const char *where)
{
    if (len < 0)
        len = (gssize)strlen(text);
    if (!g_utf8_validate(text, len, NULL))
        return 0;
    glong n = g_utf8_strlen(text, len);
    gunichar *ch = g_new(gunichar, n + 1);
    const char *p = text;
    for (glong i = 0; i < n; i++, p = g_utf8_next_char(p))
        ch[i] = g_utf8_get_char(p);
    PangoLogAttr *ours = g_new0(PangoLogAttr, n + 1), *theirs = g_new0(PangoLogAttr, n + 1);
    int bad = 0;
    if (uax14_breaks(ch, (int)n, ours) != 0) {
        declined++;
    } else {
        compared++;
        pango_get_log_attrs(text, (int)len, -1, pango_language_from_string("en"), theirs,
                            (int)n + 1);
        for (glong i = 0; i <= n; i++)
            if (ours[i].is_line_break != theirs[i].is_line_break ||
                ours[i].is_mandatory_break != theirs[i].is_mandatory_break) {
                bad = 1;
                if (reported++ < 12) {
                    char ctx[64] = "";
                    int k = 0;
                    for (glong j = i - 3 < 0 ? 0 : i - 3; j < i + 3 && j < n && k < 40; j++)
                        k += g_unichar_to_utf8(ch[j], ctx + k);
                    ctx[k] = 0;
                    printf("# %s: at %ld of \"%s\" (U+%04X U+%04X): ours %d/%d, Pango's %d/%d\n",
                           where, i, ctx, i > 0 ? ch[i - 1] : 0, i < n ? ch[i] : 0,
                           ours[i].is_line_break, ours[i].is_mandatory_break,
                           theirs[i].is_line_break, theirs[i].is_mandatory_break);
                }
            }
        differing += bad;
    }
    g_free(ours);
    g_free(theirs);
    g_free(ch);
    return bad;
}

/* Every paragraph of a file, as blank lines separate them. */
static void file(const char *path)
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        return;
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *q = strstr(p, "\n\n");
        if (!q || q > end)
            q = end;
        compare(p, q - p, path);
        p = q + 2;
    }
    g_free(data);
}

static void dir(const char *d, const char *suffix)
{
    GDir *g = g_dir_open(d, 0, NULL);
    for (const char *n; g && (n = g_dir_read_name(g));)
        if (g_str_has_suffix(n, suffix)) {
            char *path = g_build_filename(d, n, NULL);
            file(path);
            g_free(path);
        }
    if (g)
        g_dir_close(g);
}

/* utf8_chars (base.c), eight bytes at a time, against GLib's count: every
 * start and length within text of one- to four-byte characters, so that
 * each byte position meets the word boundary. */
static void test_utf8_chars(void)
{
    const char *t = "ab\u00e9c \u0436\u0437\u4e2d\u6587 x\U0001F600y\u2014z 123 \u00ab\u00bbqrstuvwxyz\u0416";
    long len = (long)strlen(t), bad = 0, tried = 0;
    for (long a = 0; a < len; a++) {
        if (((unsigned char)t[a] & 0xC0) == 0x80)
            continue;           /* a start inside a character */
        for (long b = a; b <= len; b++) {
            if (b < len && ((unsigned char)t[b] & 0xC0) == 0x80)
                continue;
            tried++;
            bad += utf8_chars(t + a, b - a) != g_utf8_strlen(t + a, b - a);
        }
    }
    CHECK(bad == 0 && tried > 500, "utf8_chars counts as g_utf8_strlen (%ld of %ld spans differ)",
          bad, tried);
}

/* utf8_find_invalid (base.c: eight ASCII bytes at a time, then each
 * character) against GLib's validator: random bytes, mostly ASCII with
 * lead and continuation bytes and NULs mixed in, must be refused at the
 * same offset, and valid text accepted. */
static void test_utf8_find_invalid(void)
{
    static const unsigned char pool[] = {'a', 'b', ' ', '\n', 0xD0, 0xB6, 0xE4, 0xB8, 0xAD, 0xF0,
                                         0x9F, 0x98, 0x80, 0xED, 0xA0, 0x80, 0xC0, 0xFF, 0xF4, 0x90,
                                         0x00, 'x', 'y', 'z'};
    guint32 seed = 12345;
    int differ = 0, valid = 0;
    for (int t = 0; t < 20000; t++) {
        unsigned char buf[40];
        size_t len = (size_t)(t % 40);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            guint32 r = seed >> 8;
            buf[i] = r % 4 ? (unsigned char)('a' + r % 26) : pool[(r >> 8) % sizeof pool];
        }
        const gchar *end = NULL;
        int ok = g_utf8_validate_len((const char *)buf, len, &end);
        int line = 0, col = 0;
        long at = utf8_find_invalid((const char *)buf, len, &line, &col);
        valid += ok;
        differ += ok ? at != -1 : at != (long)(end - (const char *)buf);
    }
    CHECK(differ == 0 && valid > 1000, "utf8_find_invalid refuses what GLib refuses, where it does "
          "(%d of 20000 differ, %d valid)", differ, valid);
}

int main(void)
{
    test_utf8_chars();
    test_utf8_find_invalid();
    static const char *const cases[] = {
        "a-b co-operate e-mail 1-2 -3 x -y (a)b a(b) [1] {2} 3) 4( 5, 6. 7; a,b a.b a:b",
        "$100 100$ 100% %100 €5 5€ 1,000.50 1.5-2.5 12:30 №5 +7 (495) 123-45-67",
        "\"quoted\" “curly” «ёлочки» „lower“ ‘single’ 'apostrophe's' a\"b \"(x)\"",
        "em—dash en–dash a — b a – b ——— a/b http://x.org/a_b?c=d&e#f a\\b",
        "wait… what?! no!? ¿qué? ¡sí! a·b a•b a|b a~b a^b a*b a=b a<b>c",
        "NBSP a\u00a0b a\u202fb a\u2060b soft\u00adhyphen tab\there line\u2028sep",
        "a\nb a\r\nb a\rb\n\nc",
        "中文，标点。（括号）“引号”《书名》【注】——破折号……省略号、顿号；分号：冒号？！",
        "汉字123汉字abc汉字 ABC汉字 100%的 ￥100 第1章 2022年1月",
        "Ёлка, ёж, «Север» — (2022) №12 с. 98–130. Т. 1, вып. 2/3.",
        "Ἀθῆναι αβγ δ-ε ΑΒΓ (ω)",
        "x) y] z} (1) [2] {3} 1) 2] 3} a)b a]b a}c",
        "1/2 3.14 −5 +3 -5 5- 5-- --5 5e-3 U+00A0 v2.0.1 4x4 a1b2",
        "\u3000全角空格\u3000 ｆｕｌｌ　ｗｉｄｔｈ　１２３ ！？",
        /* LB22 is × IN after anything (Unicode 11 on), as Pango has it */
        "他说。……好，……对）……“”…… wait)… so-… 5%… $… x—… a/… ?… 1.… ‥ a,‥",
        /* marks of classes other than CM (GL, BA) extend the grapheme */
        "a \u0361b \u035Cc x-\u0362y ( \u034Fz ",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        CHECK(compare(cases[i], -1, "case") == 0, "case %zu: Pango's breaks", i);
    int before = differing;
    dir("samples", ".md");
    dir("tests/blocks", ".md");
    dir("tests/bad", ".md");
    dir("build/bench/corpus/src", ".md");
    CHECK(differing == before, "every paragraph of the samples, block tests, bad inputs and "
          "corpus: %d compared, %d left to Pango, %d differ", compared, declined,
          differing - before);
    CHECK(compared > 100, "enough paragraphs were compared (%d)", compared);
    /* random strings of the classes uax14.c takes: a few characters of each
     * class (from every block below U+3100, where prose's punctuation is)
     * and the common ones many times over, in every order */
    {
        GArray *pool = g_array_new(FALSE, FALSE, sizeof(gunichar));
        int per[64] = {0};
        for (gunichar c = 0x20; c < 0x3100; c++) {
            GUnicodeBreakType t = g_unichar_break_type(c);
            gunichar two[2] = {'a', c};
            PangoLogAttr la2[3];
            if ((int)t < 64 && per[t] < 8 && g_unichar_validate(c) && uax14_breaks(two, 2, la2) == 0) {
                per[t]++;
                g_array_append_val(pool, c);
            }
        }
        static const gunichar common[] = {' ', ' ', 'a', 'b', '1', '.', ',', '-', '(', ')', '"',
                                          '\n', 0x4E2D, 0x3002, 0xFF0C, 0xFF08, 0xFF09, '%', '$',
                                          0x2014, 0x2026, 0x00A0, 0x2060, '/', '!', '?', 0x201C,
                                          0x201D, 0x00AB, 0x00BB, 0x0416, 0x3001};
        for (int k = 0; k < 16; k++)
            g_array_append_vals(pool, common, G_N_ELEMENTS(common));
        GRand *rnd = g_rand_new_with_seed(14);
        int before_r = differing, compared_r = compared;
        for (int i = 0; i < 50000 && differing - before_r < 3; i++) {
            gunichar ch[12];
            int n = g_rand_int_range(rnd, 1, 13);
            for (int k = 0; k < n; k++)
                ch[k] = g_array_index(pool, gunichar, g_rand_int_range(rnd, 0, (gint32)pool->len));
            char *u = g_ucs4_to_utf8(ch, n, NULL, NULL, NULL);
            compare(u, -1, "random");
            g_free(u);
        }
        CHECK(differing == before_r && compared - compared_r > 40000,
              "random strings of the classes taken: %d compared, %d differ", compared - compared_r,
              differing - before_r);
        g_rand_free(rnd);
        g_array_free(pool, TRUE);
    }
    /* one that must be left to Pango: a combining mark */
    gunichar cm[] = {'e', 0x0301, 'a'};
    PangoLogAttr la[4] = {{0}};
    CHECK(uax14_breaks(cm, 3, la) == -1, "a combining mark is left to Pango");
    /* and Thai, which Pango breaks with libthai: its digits and marks of
     * punctuation are not SA, yet Pango answers otherwise around them */
    gunichar thai[] = {'%', '^', 0x0E5B, '.'};
    PangoLogAttr la5[5] = {{0}};
    CHECK(uax14_breaks(thai, 4, la5) == -1, "Thai is left to Pango");
    CHECK(compare("%^\u0E5B.\u2014(", -1, "case") == 0, "Thai punctuation: Pango's breaks");
    return check_finish();
}
