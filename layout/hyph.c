/* hyph.c — libhyphen wrapper: finds a language's .dic file, learns its alphabet
 * and encoding, and maps pattern results back to UTF-8 byte offsets.
 *
 * libhyphen wants the word lower-case and in the dictionary's own encoding (the
 * first line of the .dic file: UTF-8 for hyph_en_US.dic, KOI8-R for
 * hyph_ru_RU.dic).  Its result vector hnj[] marks a break after position i with
 * an odd digit; for a UTF-8 dictionary position i counts characters (libhyphen
 * normalises the vector), for an 8-bit one it counts bytes, which are again
 * characters.  So both kinds come back per character, and we keep the UTF-8
 * byte offset where each character of the caller's word ends.
 *
 * The alphabet: every letter that occurs in a pattern.  A word with any other
 * character (a digit, a Latin letter in a Russian word, CJK) is not run
 * through the patterns at all: they would find spurious breaks in it. */
#include "hyph.h"

#include <glib.h>
#include <hyphen.h>
#include <stdlib.h>
#include <string.h>

#define HYPH_DEFAULT_DIR "/usr/share/hyphen"

/* One letter of the alphabet: what the lower-cased input character cp is fed
 * to the patterns as — the character `as` (UTF-8 dictionaries) or the byte
 * `byte` (8-bit dictionaries). */
typedef struct HyphLetter {
    gunichar cp;
    gunichar as;
    unsigned char byte;
} HyphLetter;

struct Hyph {
    HyphenDict *dict;
    int utf8;                 /* dictionary encoding is UTF-8, else 8-bit */
    HyphLetter *alpha;        /* sorted by cp, unique */
    int n_alpha;
};

/* Letters the patterns lack but that hyphenate like another letter: hyphen-ru
 * has no pattern with ё, and Russian hyphenates ё exactly as е. */
static const gunichar hyph_folds[][2] = {
    {0x0451, 0x0435},         /* ё -> е */
};

/* ---- loading -----------------------------------------------------------*/

/* Splits a BCP 47 tag into a lower-case language ("en") and an upper-case
 * two-letter region ("US", or "" when absent).  Returns 0 for a malformed tag. */
static int hyph_parse_lang(const char *lang, char ll[4], char rr[3])
{
    ll[0] = rr[0] = 0;
    if (!lang)
        return 0;
    int part = 0;
    const char *p = lang;
    while (*p) {
        size_t n = strcspn(p, "-_");
        if (part == 0) {
            if (n < 2 || n > 3)
                return 0;
            for (size_t i = 0; i < n; i++) {
                if (!g_ascii_isalpha(p[i]))
                    return 0;
                ll[i] = g_ascii_tolower(p[i]);
            }
            ll[n] = 0;
        } else if (n == 2 && g_ascii_isalpha(p[0]) && g_ascii_isalpha(p[1]) && !rr[0]) {
            rr[0] = g_ascii_toupper(p[0]);
            rr[1] = g_ascii_toupper(p[1]);
            rr[2] = 0;
        } /* a script (Latn) or numeric region (419) subtag is ignored */
        part++;
        p += n;
        if (*p)
            p++;
    }
    return ll[0] != 0;
}

/* The first existing candidate file, newly allocated, or NULL. */
static char *hyph_find_file(const char *dir, const char *ll, const char *rr)
{
    char *path;
    if (rr[0]) {
        char *name = g_strdup_printf("hyph_%s_%s.dic", ll, rr);
        path = g_build_filename(dir, name, NULL);
        g_free(name);
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
            return path;
        g_free(path);
    }
    char *name = g_strdup_printf("hyph_%s.dic", ll);
    path = g_build_filename(dir, name, NULL);
    g_free(name);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return path;
    g_free(path);

    /* any region of the language; the smallest name, so the choice does not
     * depend on directory order */
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return NULL;
    char *prefix = g_strdup_printf("hyph_%s_", ll);
    char *best = NULL;
    const char *e;
    while ((e = g_dir_read_name(d))) {
        if (g_str_has_prefix(e, prefix) && g_str_has_suffix(e, ".dic") &&
            (!best || strcmp(e, best) < 0)) {
            g_free(best);
            best = g_strdup(e);
        }
    }
    g_dir_close(d);
    g_free(prefix);
    path = NULL;
    if (best) {
        path = g_build_filename(dir, best, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            g_free(path);
            path = NULL;
        }
    }
    g_free(best);
    return path;
}

static int hyph_letter_cmp(const void *a, const void *b)
{
    gunichar x = ((const HyphLetter *)a)->cp, y = ((const HyphLetter *)b)->cp;
    return x < y ? -1 : x > y;
}

static const HyphLetter *hyph_find_letter(const Hyph *h, gunichar cp)
{
    HyphLetter key = {cp, 0, 0};
    return bsearch(&key, h->alpha, (size_t)h->n_alpha, sizeof key, hyph_letter_cmp);
}

/* Collects the letters of the pattern lines of the .dic text (after its
 * charset line).  Skipped: keyword lines (LEFTHYPHENMIN 2, NOHYPHEN ...: they
 * start with an ASCII capital), comments (%) and the TeX leftovers hyphen-ru
 * carries (\hyphenation{ ... }).  Only what precedes a '/' (the replacement
 * part of a non-standard pattern) is a pattern.  byte_cp maps each byte of an
 * 8-bit dictionary to its code point (NULL for UTF-8). */
static void hyph_collect(GArray *out, const char *text, size_t len, const gunichar *byte_cp)
{
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    const char *p = memchr(text, '\n', len);
    const char *end = text + len;
    while (p && p < end) {
        p++;                                   /* start of the next line */
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *slash = memchr(p, '/', (size_t)(eol - p));
        const char *stop = slash ? slash : eol;
        int skip = p == eol || *p == '%' || *p == '\\' || (*p >= 'A' && *p <= 'Z') ||
                   memchr(p, '{', (size_t)(eol - p)) || memchr(p, '}', (size_t)(eol - p));
        for (const char *q = p; !skip && q < stop;) {
            gunichar cp;
            unsigned char byte = 0;
            if (byte_cp) {
                byte = (unsigned char)*q++;
                cp = byte_cp[byte];
            } else {
                cp = g_utf8_get_char_validated(q, stop - q);
                if (cp == (gunichar)-1 || cp == (gunichar)-2)
                    break;                     /* a broken line: ignore its rest */
                q = g_utf8_next_char(q);
            }
            /* each letter once: the patterns repeat them hundreds of thousands
             * of times, and sorting all of them was a tenth of a short build */
            if (cp && g_unichar_isalpha(cp) && g_hash_table_add(seen, GUINT_TO_POINTER(cp))) {
                HyphLetter l = {cp, cp, byte};
                g_array_append_val(out, l);
            }
        }
        p = eol;
    }
    g_hash_table_destroy(seen);
}

/* Sorts and dedups the letters and adds the folds (ё as е) the patterns need. */
static void hyph_finish_alphabet(Hyph *h, GArray *letters)
{
    g_array_sort(letters, hyph_letter_cmp);
    guint n = 0;
    for (guint i = 0; i < letters->len; i++) {
        HyphLetter *l = &g_array_index(letters, HyphLetter, i);
        if (n == 0 || g_array_index(letters, HyphLetter, n - 1).cp != l->cp)
            g_array_index(letters, HyphLetter, n++) = *l;
    }
    g_array_set_size(letters, n);
    h->alpha = (HyphLetter *)letters->data;
    h->n_alpha = (int)letters->len;
    HyphLetter folds[G_N_ELEMENTS(hyph_folds)];
    guint n_folds = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(hyph_folds); i++) {
        const HyphLetter *to = hyph_find_letter(h, hyph_folds[i][1]);
        if (to && !hyph_find_letter(h, hyph_folds[i][0]))
            folds[n_folds++] = (HyphLetter){hyph_folds[i][0], to->as, to->byte};
    }
    if (n_folds) {
        g_array_append_vals(letters, folds, n_folds);
        g_array_sort(letters, hyph_letter_cmp);
    }
    h->n_alpha = (int)letters->len;
    h->alpha = (HyphLetter *)g_array_free(letters, FALSE);
}

/* Reads the charset line and the alphabet of the .dic file at path. */
static int hyph_read_alphabet(Hyph *h, const char *path)
{
    char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, NULL))
        return 0;
    size_t cs_len = strcspn(text, "\r\n \t");
    char *charset = g_strndup(text, cs_len);
    gunichar byte_cp[256] = {0};
    int ok = 1;
    h->utf8 = g_ascii_strcasecmp(charset, "UTF-8") == 0 || g_ascii_strcasecmp(charset, "UTF8") == 0;
    if (!h->utf8) {
        /* 8-bit charset: learn what each byte is once, here, so that hyph_word
         * needs no iconv */
        for (int b = 0; b < 256 && ok; b++) {
            if (b < 0x80) {
                byte_cp[b] = (gunichar)b;
                continue;
            }
            char in = (char)b;
            gsize out_len = 0;
            GError *err = NULL;
            char *u = g_convert(&in, 1, "UTF-8", charset, NULL, &out_len, &err);
            if (err && err->domain == G_CONVERT_ERROR && err->code == G_CONVERT_ERROR_NO_CONVERSION)
                ok = 0;                        /* iconv does not know the charset */
            if (u && out_len > 0 && g_utf8_strlen(u, (gssize)out_len) == 1)
                byte_cp[b] = g_utf8_get_char(u);
            g_clear_error(&err);
            g_free(u);
        }
    }
    if (ok) {
        GArray *letters = g_array_new(FALSE, FALSE, sizeof(HyphLetter));
        hyph_collect(letters, text, len, h->utf8 ? NULL : byte_cp);
        hyph_finish_alphabet(h, letters);
        ok = h->n_alpha > 0;
    }
    g_free(charset);
    g_free(text);
    return ok;
}

Hyph *hyph_load(const char *dir, const char *lang)
{
    char ll[4], rr[3];
    if (!hyph_parse_lang(lang, ll, rr))
        return NULL;
    char *path = hyph_find_file(dir ? dir : HYPH_DEFAULT_DIR, ll, rr);
    if (!path)
        return NULL;
    Hyph *h = g_new0(Hyph, 1);
    if (!hyph_read_alphabet(h, path) || !(h->dict = hnj_hyphen_load(path))) {
        g_free(path);
        hyph_free(h);
        return NULL;
    }
    g_free(path);
    return h;
}

void hyph_free(Hyph *h)
{
    if (!h)
        return;
    if (h->dict)
        hnj_hyphen_free(h->dict);
    g_free(h->alpha);
    g_free(h);
}

/* ---- hyphenating ---------------------------------------------------------*/

int hyph_word(const Hyph *h, const char *word, int len, char *pts, int left_min, int right_min)
{
    if (pts && len > 0)
        memset(pts, 0, (size_t)len);
    if (!h || !word || !pts || len <= 0 || !g_utf8_validate(word, len, NULL))
        return 0;

    /* Lower-case character by character (g_unichar_tolower) rather than with
     * g_utf8_strdown: the latter may change the number of characters (İ becomes
     * i + U+0307), which would break the character-to-byte map. */
    char buf[HYPH_MAX_CHARS * 4 + 1];
    int ends[HYPH_MAX_CHARS];      /* byte offset of the last byte of char i */
    int blen = 0, nch = 0;
    for (const char *p = word, *end = word + len; p < end; p = g_utf8_next_char(p)) {
        if (nch == HYPH_MAX_CHARS)
            return 0;
        const HyphLetter *l = hyph_find_letter(h, g_unichar_tolower(g_utf8_get_char(p)));
        if (!l)
            return 0;                          /* digit, punctuation, other script */
        if (h->utf8)
            blen += g_unichar_to_utf8(l->as, buf + blen);
        else
            buf[blen++] = (char)l->byte;
        ends[nch++] = (int)(g_utf8_next_char(p) - word) - 1;
    }
    buf[blen] = 0;
    if (left_min < 1)
        left_min = 1;
    if (right_min < 1)
        right_min = 1;
    if (nch < left_min + right_min)
        return 0;

    char hnj[sizeof buf + 5];      /* libhyphen wants word_size + 5 */
    char **rep = NULL;             /* non-standard hyphenation (none in en/ru) */
    int *pos = NULL, *cut = NULL;
    int rc = hnj_hyphen_hyphenate3(h->dict, buf, blen, hnj, NULL, &rep, &pos, &cut,
                                   left_min, right_min, 0, 0);
    if (rep) {
        for (int i = 0; i < blen; i++)
            free(rep[i]);
        free(rep);
    }
    free(pos);
    free(cut);
    if (rc != 0)
        return 0;

    /* hnj[i] is per character in both encodings (see the top of the file);
     * the minima are checked again here because libhyphen counts some
     * ligature characters as two or three */
    int count = 0;
    for (int i = left_min - 1; i < nch - right_min; i++) {
        if (hnj[i] & 1) {
            pts[ends[i]] = 1;
            count++;
        }
    }
    return count;
}
