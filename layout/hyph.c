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
 * through the patterns at all: they would find spurious breaks in it.
 *
 * Substrings.  libhyphen's matcher finds a pattern's digits only if the
 * pattern also carries those of every pattern embedded in it; a dictionary
 * made from TeX patterns must first go through libhyphen's substrings.pl
 * (README.hyphen).  Debian's hyphen-ru ships the TeX patterns unprocessed
 * (4,679 lines, 5,856 once processed) and so finds few breaks: до-стоприме-
 * чатель-ность for до-сто-при-ме-ча-тель-ность.  So every dictionary goes
 * through the same step here (hyph_embed) before libhyphen reads it; one that
 * was processed already comes out with the same patterns.  The state
 * machine libhyphen makes of that is kept in the user's cache (hyph_kept_*,
 * hyph_pack), the one file this module writes. */
#include "hyph.h"

#include "base.h"

#include <glib.h>
#include <hyphen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <glib/gstdio.h>

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
    Arena arena;              /* holds dict when it came from the kept file */
    int dict_in_arena;
    char *key;                /* in the shared table (hyph_acquire), else NULL */
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
    /* each letter once: the patterns repeat them hundreds of thousands of
     * times (a bit per BMP character; the rare letter beyond, in a table) */
    guint32 *bmp = g_new0(guint32, 0x10000 / 32);
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
            int fresh;
            if (cp < 0x10000) {
                fresh = !(bmp[cp / 32] & (1u << (cp % 32)));
                bmp[cp / 32] |= 1u << (cp % 32);
            } else {
                fresh = g_hash_table_add(seen, GUINT_TO_POINTER(cp));
            }
            if (fresh && cp && g_unichar_isalpha(cp)) {
                HyphLetter l = {cp, cp, byte};
                g_array_append_val(out, l);
            }
        }
        p = eol;
    }
    g_hash_table_destroy(seen);
    g_free(bmp);
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
         * needs no iconv (one converter for the 128 bytes: g_convert opened
         * one per byte) */
        GIConv cd = g_iconv_open("UTF-8", charset);
        ok = cd != (GIConv)-1;                 /* iconv does not know the charset */
        for (int b = 0; b < 256 && ok; b++) {
            if (b < 0x80) {
                byte_cp[b] = (gunichar)b;
                continue;
            }
            char in = (char)b, out[8];
            gchar *ip = &in, *op = out;
            gsize il = 1, ol = sizeof out;
            if (g_iconv(cd, &ip, &il, &op, &ol) != (gsize)-1 && il == 0 && op > out &&
                g_utf8_validate(out, op - out, NULL) && g_utf8_strlen(out, op - out) == 1)
                byte_cp[b] = g_utf8_get_char(out);
            g_iconv(cd, NULL, NULL, NULL, NULL);   /* back to the initial state */
        }
        if (cd != (GIConv)-1)
            g_iconv_close(cd);
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

/* ---- substring embedding ---------------------------------------------------
 * What substrings.pl does for plain patterns: for every pattern P and every
 * pattern S whose letters occur in P's at offset i, the pattern "P's first
 * i + |S| letters" gets, at every place S's letters occur in it, the larger of
 * its own digit and S's.  Letters are bytes (an 8-bit or UTF-8 pattern file
 * alike: a byte string that starts or ends inside a UTF-8 character is never
 * a pattern's letters). */

/* A pattern split into letters and the digit before each letter and after
 * the last (nl + 1 digits). */
typedef struct HyphPat {
    char *letters;
    unsigned char *digits;
    int nl;
} HyphPat;

static HyphPat *hyph_pat_parse(Arena *a, const char *s, size_t n)
{
    HyphPat *p = arena_alloc(a, sizeof *p);
    p->letters = arena_alloc(a, n + 1);
    p->digits = arena_alloc(a, n + 1);      /* zeroed */
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            p->digits[p->nl] = (unsigned char)(s[i] - '0');
        else
            p->letters[p->nl++] = s[i];
    }
    p->letters[p->nl] = 0;
    return p;
}

/* Raises p's digits to sub's wherever sub's letters occur in p's. */
static void hyph_pat_combine(HyphPat *p, const HyphPat *sub)
{
    for (int i = 0; i + sub->nl <= p->nl; i++)
        if (memcmp(p->letters + i, sub->letters, (size_t)sub->nl) == 0)
            for (int j = 0; j <= sub->nl; j++)
                if (sub->digits[j] > p->digits[i + j])
                    p->digits[i + j] = sub->digits[j];
}

/* A trie over pattern letters.  Letters are numbered densely (an alphabet
 * has a few dozen); nodes near the root, which have many children and are
 * passed through on every walk, index them by letter number, deeper ones
 * keep a short sibling list. */
#define HYPH_TRIE_WIDE_DEPTH 3

typedef struct HyphTrieNode {
    int child, sibling;         /* sibling list (deep nodes) */
    int *kids;                  /* child by letter number (shallow nodes), or NULL */
    unsigned char letter;       /* letter number */
    unsigned char depth;
    const HyphPat *pat;         /* the pattern whose letters end here */
    HyphPat *made;              /* the embedded pattern for these letters */
} HyphTrieNode;

typedef struct HyphTrie {
    HyphTrieNode *v;
    int n, cap;
    unsigned char num[256];     /* byte -> letter number (1-based; 0 = not a letter) */
    int n_letters;
} HyphTrie;

static int hyph_trie_node(HyphTrie *t, int depth)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->v = g_renew(HyphTrieNode, t->v, t->cap);
    }
    t->v[t->n] = (HyphTrieNode){.child = -1, .sibling = -1, .depth = (unsigned char)depth};
    if (depth < HYPH_TRIE_WIDE_DEPTH)
        t->v[t->n].kids = g_new0(int, t->n_letters + 1);   /* 0 = none: 0 is the root */
    return t->n++;
}

/* The child of node n along byte c; made when `make`, else -1 if none. */
static int hyph_trie_child(HyphTrie *t, int n, unsigned char c, int make)
{
    if (n < 0 || !t->num[c])
        return -1;
    int l = t->num[c];
    int k;
    if (t->v[n].kids) {
        k = t->v[n].kids[l];
        if (k || !make)
            return k ? k : -1;
    } else {
        for (k = t->v[n].child; k >= 0 && t->v[k].letter != l; k = t->v[k].sibling)
            ;
        if (k >= 0 || !make)
            return k;
    }
    k = hyph_trie_node(t, t->v[n].depth + 1);      /* may move t->v */
    t->v[k].letter = (unsigned char)l;
    if (t->v[n].kids) {
        t->v[n].kids[l] = k;
    } else {
        t->v[k].sibling = t->v[n].child;
        t->v[n].child = k;
    }
    return k;
}

static void hyph_trie_free(HyphTrie *t)
{
    for (int i = 0; i < t->n; i++)
        g_free(t->v[i].kids);
    g_free(t->v);
}

static void hyph_pat_append(GString *out, const HyphPat *p)
{
    for (int i = 0; i <= p->nl; i++) {
        if (p->digits[i])
            g_string_append_c(out, (char)('0' + p->digits[i]));
        if (i < p->nl)
            g_string_append_c(out, p->letters[i]);
    }
    g_string_append_c(out, '\n');
}

/* The dictionary text with its patterns embedded, or NULL to use it as it is
 * (it has non-standard patterns, "x/y,1,2", which only processed
 * dictionaries have, or a second level of patterns). */
static GString *hyph_embed(const char *text, size_t len)
{
    Arena a;                                        /* every pattern, parsed and made */
    arena_init(&a);
    GHashTable *pats = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *order = g_ptr_array_new();           /* HyphPat *, each once */
    GString *out = g_string_new(NULL);
    int plain = 1, first = 1;
    for (const char *l = text, *end = text + len; l < end && plain;) {
        const char *e = memchr(l, '\n', (size_t)(end - l));
        if (!e)
            e = end;
        size_t n = (size_t)(e - l);
        while (n > 0 && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
            n--;
        /* the charset, comments and keywords (LEFTHYPHENMIN, NOHYPHEN,
         * COMPOUND...) pass through; of a pattern line libhyphen reads the
         * first word, and so does this */
        int header = first || (n > 0 && (l[0] == '%' || g_ascii_isupper(l[0])));
        if (!header) {
            size_t w = 0;
            while (w < n && l[w] != ' ' && l[w] != '\t' && l[w] != '%')
                w++;
            n = w;
        }
        if (first || header) {
            if (n >= 9 && strncmp(l, "NEXTLEVEL", 9) == 0)
                plain = 0;
            g_string_append_len(out, l, (gssize)n);    /* charset, LEFTHYPHENMIN ... */
            g_string_append_c(out, '\n');
        } else if (memchr(l, '/', n)) {
            plain = 0;
        } else if (n > 0) {
            HyphPat *p = hyph_pat_parse(&a, l, n);
            /* a repeated pattern: the later one counts, as in substrings.pl;
             * that script also embeds at the earlier one's place, which can
             * leave a pattern set that differs (4a4a for a4a) but, in every
             * random dictionary tried, hyphenates every word alike.
             * hyphen-en-us and hyphen-ru come out identical. */
            HyphPat *old = g_hash_table_lookup(pats, p->letters);
            if (old)
                g_ptr_array_remove(order, old);
            g_ptr_array_add(order, p);
            g_hash_table_replace(pats, p->letters, p);
        }
        first = 0;
        l = e + 1;
    }
    if (!plain) {
        g_ptr_array_free(order, TRUE);
        g_hash_table_destroy(pats);
        g_string_free(out, TRUE);
        arena_fini(&a);
        return NULL;
    }
    /* Every pattern's letters in a trie: walking it from each position of a
     * pattern finds the patterns that occur there, and the node of a
     * pattern's prefix holds the pattern made for that prefix (no hashing:
     * hyphen-en-us's 11,000 patterns take about a millisecond). */
    HyphTrie t = {0};
    for (guint k = 0; k < order->len; k++) {
        const HyphPat *p = order->pdata[k];
        for (int i = 0; i < p->nl; i++) {
            unsigned char c = (unsigned char)p->letters[i];
            if (!t.num[c] && t.n_letters < 255)
                t.num[c] = (unsigned char)++t.n_letters;
        }
    }
    hyph_trie_node(&t, 0);                          /* the root */
    for (guint k = 0; k < order->len; k++) {
        const HyphPat *p = order->pdata[k];
        int n = 0;
        for (int i = 0; i < p->nl; i++)
            n = hyph_trie_child(&t, n, (unsigned char)p->letters[i], 1);
        t.v[n].pat = p;
    }
    GPtrArray *made_order = g_ptr_array_new();
    int *prefix = NULL;                             /* node of p's first k letters */
    int prefix_cap = 0;
    for (guint k = 0; k < order->len; k++) {
        const HyphPat *p = order->pdata[k];
        if (p->nl + 1 > prefix_cap) {
            prefix_cap = p->nl + 1;
            prefix = g_renew(int, prefix, prefix_cap);
        }
        prefix[0] = 0;
        for (int i = 0; i < p->nl; i++)
            prefix[i + 1] = hyph_trie_child(&t, prefix[i], (unsigned char)p->letters[i], 0);
        for (int i = 0; i < p->nl; i++) {
            int n = 0;
            for (int j = 1; i + j <= p->nl; j++) {
                n = hyph_trie_child(&t, n, (unsigned char)p->letters[i + j - 1], 0);
                if (n < 0)
                    break;
                const HyphPat *sub = t.v[n].pat;
                if (!sub)
                    continue;
                HyphTrieNode *pn = &t.v[prefix[i + j]];
                if (!pn->made) {
                    HyphPat *np = arena_alloc(&a, sizeof *np);
                    np->nl = i + j;
                    np->letters = arena_alloc(&a, (size_t)np->nl + 1);
                    memcpy(np->letters, p->letters, (size_t)np->nl);
                    np->digits = arena_alloc(&a, (size_t)np->nl + 1);
                    memcpy(np->digits + i, sub->digits, (size_t)sub->nl + 1);
                    pn->made = np;
                    g_ptr_array_add(made_order, np);
                } else {
                    hyph_pat_combine(pn->made, sub);
                }
            }
        }
    }
    for (guint k = 0; k < made_order->len; k++)
        hyph_pat_append(out, made_order->pdata[k]);
    g_free(prefix);
    hyph_trie_free(&t);
    g_ptr_array_free(made_order, TRUE);
    g_ptr_array_free(order, TRUE);
    g_hash_table_destroy(pats);
    arena_fini(&a);
    return out;
}

/* ---- the compiled dictionaries, kept --------------------------------------
 * Making libhyphen's state machine is the whole cost of loading a
 * dictionary: hyph_embed and then libhyphen's parser took 110M instructions
 * (15 ms) for hyphen-en-us in every process that hyphenates English, and
 * their result changes only with the dictionary and this program.  So the
 * machine itself is kept in the user's cache (base.h), one file a
 * dictionary: a header line naming the program's version, the layout of
 * libhyphen's structures, the dictionary's path, size and time, and the
 * length and CRC-32 of the bytes that follow, which are the levels of the
 * machine as hyph_pack writes them.  hyph_unpack rebuilds them in the Hyph's
 * arena, without parsing, and checks every count and state number, and that
 * the result is a machine libhyphen could have made (hyph_machine_sound: a
 * checksum only catches accidents, and libhyphen trusts its machine).  A
 * file that does not match in every point is made again; one that cannot be
 * written is only slower. */

#define HYPH_MAX_LEVELS 4           /* libhyphen makes two; more is damage */
#define HYPH_NONE 0xFFFFFFFFu       /* a string that is NULL */

static void pack_u32(GByteArray *o, guint32 v)
{
    g_byte_array_append(o, (const guint8 *)&v, sizeof v);
}

static void pack_str(GByteArray *o, const char *s, size_t n)
{
    pack_u32(o, s ? (guint32)n : HYPH_NONE);
    if (s)
        g_byte_array_append(o, (const guint8 *)s, (guint)n);
}

/* The bytes of nohyphen: nohyphenl + 1 strings, each with its NUL. */
static size_t nohyphen_size(const HyphenDict *d)
{
    if (!d->nohyphen)
        return 0;
    size_t n = 0;
    for (int i = 0; i <= d->nohyphenl; i++)
        n += strlen(d->nohyphen + n) + 1;
    return n;
}

/* d's levels (d, d->nextlevel, ...) into o; FALSE when there are too many. */
static gboolean hyph_pack(const HyphenDict *d, GByteArray *o)
{
    int levels = 0;
    for (const HyphenDict *l = d; l; l = l->nextlevel)
        if (++levels > HYPH_MAX_LEVELS)
            return FALSE;
    pack_u32(o, (guint32)levels);
    for (const HyphenDict *l = d; l; l = l->nextlevel) {
        guint8 mins[4] = {(guint8)l->lhmin, (guint8)l->rhmin, (guint8)l->clhmin, (guint8)l->crhmin};
        g_byte_array_append(o, mins, 4);
        pack_u32(o, (guint32)l->utf8);
        guint8 cset[MAX_NAME] = {0};        /* what follows its NUL is not set */
        memcpy(cset, l->cset, strnlen(l->cset, MAX_NAME - 1));
        g_byte_array_append(o, cset, MAX_NAME);
        pack_u32(o, (guint32)l->nohyphenl);
        pack_str(o, l->nohyphen, nohyphen_size(l));
        pack_u32(o, (guint32)l->num_states);
        for (int i = 0; i < l->num_states; i++) {
            const HyphenState *st = &l->states[i];
            pack_u32(o, (guint32)st->fallback_state);
            /* libhyphen sets these only for a state with a replacement */
            guint8 rc[2] = {st->repl ? (guint8)st->replindex : 0, st->repl ? (guint8)st->replcut : 0};
            g_byte_array_append(o, rc, 2);
            pack_str(o, st->match, st->match ? strlen(st->match) : 0);
            pack_str(o, st->repl, st->repl ? strlen(st->repl) : 0);
            pack_u32(o, (guint32)st->num_trans);
            for (int t = 0; t < st->num_trans; t++) {
                g_byte_array_append(o, (const guint8 *)&st->trans[t].ch, 1);
                pack_u32(o, (guint32)st->trans[t].new_state);
            }
        }
    }
    return TRUE;
}

typedef struct Unpack {
    const guint8 *p, *end;
    gboolean bad;
} Unpack;

static guint32 unpack_u32(Unpack *u)
{
    guint32 v = 0;
    if (u->end - u->p < 4) {
        u->bad = TRUE;
        return 0;
    }
    memcpy(&v, u->p, 4);
    u->p += 4;
    return v;
}

static const guint8 *unpack_bytes(Unpack *u, size_t n)
{
    if ((size_t)(u->end - u->p) < n) {
        u->bad = TRUE;
        return NULL;
    }
    const guint8 *b = u->p;
    u->p += n;
    return b;
}

/* A string of the file, NUL-terminated in a; NULL for none (or bad). */
static char *unpack_str(Unpack *u, Arena *a)
{
    guint32 n = unpack_u32(u);
    if (u->bad || n == HYPH_NONE)
        return NULL;
    const guint8 *b = unpack_bytes(u, n);
    return b ? arena_strndup(a, (const char *)b, n) : NULL;
}

/* Whether level d is a machine libhyphen could have made, so that running it
 * ends and writes inside its buffers: a trie (every state reached from state
 * 0 once, its depth the length of its string), every fallback to a state of
 * smaller depth (or none: the walk ends), no match longer than its state's
 * string and the digit before it, replacements inside their match, no empty
 * string among the no-hyphen ones. */
static gboolean hyph_machine_sound(const HyphenDict *d)
{
    int n = d->num_states;
    int *depth = g_new(int, n), *queue = g_new(int, n);
    for (int i = 0; i < n; i++)
        depth[i] = -1;
    int head = 0, tail = 0;
    gboolean ok = TRUE;
    depth[0] = 0;
    queue[tail++] = 0;
    while (head < tail && ok) {
        const HyphenState *st = &d->states[queue[head++]];
        for (int t = 0; t < st->num_trans && ok; t++) {
            int to = st->trans[t].new_state;
            ok = depth[to] < 0;
            if (ok) {
                depth[to] = depth[queue[head - 1]] + 1;
                queue[tail++] = to;
            }
        }
    }
    ok = ok && tail == n;
    for (int i = 0; i < n && ok; i++) {
        const HyphenState *st = &d->states[i];
        int fb = st->fallback_state;
        size_t ml = st->match ? strlen(st->match) : 0;
        ok = (fb == -1 || (i > 0 && depth[fb] < depth[i])) && ml <= (size_t)depth[i] + 1 &&
             (!st->repl || (st->replindex >= 0 && st->replcut >= 0 &&
                            (size_t)st->replindex + (size_t)st->replcut <= ml));
    }
    if (d->nohyphen && ok) {            /* nohyphenl + 1 strings, none empty */
        const char *p = d->nohyphen;
        for (int i = 0; i <= d->nohyphenl && ok; i++) {
            ok = *p != '\0';
            p += strlen(p) + 1;
        }
    }
    g_free(depth);
    g_free(queue);
    return ok;
}

/* The machine hyph_pack wrote, rebuilt in a; NULL when the bytes are not
 * one: a count past the end, a state number out of range, a string without
 * its ends, a machine libhyphen would not have made (hyph_machine_sound). */
static HyphenDict *hyph_unpack(const guint8 *p, size_t n, Arena *a)
{
    Unpack u = {p, p + n, FALSE};
    guint32 levels = unpack_u32(&u);
    if (u.bad || levels < 1 || levels > HYPH_MAX_LEVELS)
        return NULL;
    HyphenDict *first = NULL, **link = &first;
    for (guint32 k = 0; k < levels && !u.bad; k++) {
        HyphenDict *d = arena_alloc(a, sizeof *d);
        const guint8 *mins = unpack_bytes(&u, 4);
        if (!mins)
            return NULL;
        d->lhmin = (char)mins[0];
        d->rhmin = (char)mins[1];
        d->clhmin = (char)mins[2];
        d->crhmin = (char)mins[3];
        d->utf8 = (int)unpack_u32(&u);
        const guint8 *cset = unpack_bytes(&u, MAX_NAME);
        if (!cset)
            return NULL;
        memcpy(d->cset, cset, MAX_NAME);
        d->cset[MAX_NAME - 1] = '\0';
        guint32 nhl = unpack_u32(&u), nhn = unpack_u32(&u);
        if (u.bad || nhl > 1000000)
            return NULL;
        d->nohyphenl = (int)nhl;
        if (nhn != HYPH_NONE) {
            /* nhl + 1 NUL-terminated strings, exactly */
            const guint8 *b = unpack_bytes(&u, nhn);
            if (!b || nhn == 0 || b[nhn - 1] != '\0')
                return NULL;
            guint32 strings = 0;
            for (guint32 i = 0; i < nhn; i++)
                strings += b[i] == '\0';
            if (strings != nhl + 1)
                return NULL;
            d->nohyphen = arena_alloc(a, nhn);
            memcpy(d->nohyphen, b, nhn);
        }
        guint32 ns = unpack_u32(&u);
        /* every state takes at least 14 bytes of the file */
        if (u.bad || ns < 1 || ns > (size_t)(u.end - u.p) / 14)
            return NULL;
        d->num_states = (int)ns;
        d->states = arena_calloc(a, ns, sizeof *d->states);
        for (guint32 i = 0; i < ns && !u.bad; i++) {
            HyphenState *st = &d->states[i];
            gint32 fb = (gint32)unpack_u32(&u);
            const guint8 *rc = unpack_bytes(&u, 2);
            if (!rc || fb < -1 || fb >= (gint32)ns)
                return NULL;
            st->fallback_state = fb;
            st->replindex = (signed char)rc[0];
            st->replcut = (signed char)rc[1];
            st->match = unpack_str(&u, a);
            st->repl = unpack_str(&u, a);
            guint32 nt = unpack_u32(&u);
            if (u.bad || nt > (size_t)(u.end - u.p) / 5)
                return NULL;
            st->num_trans = (int)nt;
            st->trans = nt ? arena_calloc(a, nt, sizeof *st->trans) : NULL;
            for (guint32 t = 0; t < nt; t++) {
                const guint8 *ch = unpack_bytes(&u, 1);
                gint32 to = (gint32)unpack_u32(&u);
                if (!ch || u.bad || to < 0 || to >= (gint32)ns)
                    return NULL;
                st->trans[t].ch = (char)ch[0];
                st->trans[t].new_state = to;
            }
        }
        if (u.bad || !hyph_machine_sound(d))
            return NULL;
        *link = d;
        link = &d->nextlevel;
    }
    return u.bad || u.p != u.end ? NULL : first;
}

static char *hyph_kept_path(const char *path)
{
    char *dir = base_user_cache_dir("hyphen");
    char *base = g_path_get_basename(path);
    char *digest = g_compute_checksum_for_string(G_CHECKSUM_SHA1, path, -1);
    char *kept = g_strdup_printf("%s/%.12s-%s.hyc", dir, digest, base);
    g_free(digest);
    g_free(base);
    free(dir);
    return kept;
}

/* The header names the layout of libhyphen's structures too: a machine
 * kept by a build against another hyphen.h is made again. */
static char *hyph_kept_header(const char *path, const struct stat *st, size_t len, guint32 crc)
{
    return g_strdup_printf("typeset-hyphen 2 %s %d/%zu/%zu/%zu %lld %lld %lld %zu %08x %s\n", TS_VERSION,
                           MAX_NAME, sizeof(HyphenDict), sizeof(HyphenState), sizeof(HyphenTrans),
                           (long long)st->st_size, (long long)st->st_mtim.tv_sec,
                           (long long)st->st_mtim.tv_nsec, len, (unsigned)crc, path);
}

/* The machine kept for the dictionary at path (described by st), rebuilt
 * in a, or NULL. */
static HyphenDict *hyph_kept_read(const char *kept, const char *path, const struct stat *st, Arena *a)
{
    gchar *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(kept, &data, &n, NULL))
        return NULL;
    HyphenDict *d = NULL;
    const char *nl = memchr(data, '\n', n);
    if (nl) {
        size_t body = n - (size_t)(nl + 1 - data);
        guint32 crc = (guint32)crc32(0L, (const Bytef *)nl + 1, (uInt)body);
        char *want = hyph_kept_header(path, st, body, crc);
        if (strlen(want) == (size_t)(nl + 1 - data) && memcmp(want, data, strlen(want)) == 0)
            d = hyph_unpack((const guint8 *)nl + 1, body, a);
        g_free(want);
    }
    g_free(data);
    return d;
}

static void hyph_kept_write(const char *kept, const char *path, const struct stat *st,
                            const GByteArray *mach)
{
    guint32 crc = (guint32)crc32(0L, (const Bytef *)mach->data, (uInt)mach->len);
    char *head = hyph_kept_header(path, st, mach->len, crc);
    char *tmp = g_strdup_printf("%s.XXXXXX", kept);
    int fd = g_mkstemp(tmp);
    if (fd >= 0) {
        size_t hl = strlen(head);
        int ok = write(fd, head, hl) == (ssize_t)hl &&
                 write(fd, mach->data, mach->len) == (ssize_t)mach->len;
        ok = close(fd) == 0 && ok;
        if (!ok || rename(tmp, kept) != 0)
            g_unlink(tmp);
    }
    g_free(tmp);
    g_free(head);
}

/* libhyphen's dictionary from the file at path: the machine kept, rebuilt
 * in a (*in_arena set), or made by libhyphen from hyph_embed's text (and
 * kept for the next time). */
static HyphenDict *hyph_load_dict(const char *path, Arena *a, int *in_arena)
{
    char *text = NULL;
    gsize len = 0;
    struct stat st;
    char *kept = NULL;
    *in_arena = 0;
    if (stat(path, &st) == 0 && getenv("TYPESET_NO_HYPHEN_CACHE") == NULL) {
        kept = hyph_kept_path(path);
        HyphenDict *d = hyph_kept_read(kept, path, &st, a);
        if (d) {
            g_free(kept);
            *in_arena = 1;
            return d;
        }
        arena_reset(a);
    }
    if (!g_file_get_contents(path, &text, &len, NULL)) {
        g_free(kept);
        return NULL;
    }
    GString *emb = hyph_embed(text, len);
    HyphenDict *d = NULL;
    if (!emb) {
        d = hnj_hyphen_load(path);
    } else {
        FILE *f = fmemopen(emb->str, emb->len, "r");
        if (f) {
            d = hnj_hyphen_load_file(f);
            fclose(f);
        }
        g_string_free(emb, TRUE);
    }
    if (d && kept) {
        GByteArray *mach = g_byte_array_new();
        if (hyph_pack(d, mach))
            hyph_kept_write(kept, path, &st, mach);
        g_byte_array_free(mach, TRUE);
    }
    g_free(kept);
    g_free(text);
    return d;
}

const char *hyph_default_dir(void)
{
    return HYPH_DEFAULT_DIR;
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
    arena_init(&h->arena);
    if (!hyph_read_alphabet(h, path) || !(h->dict = hyph_load_dict(path, &h->arena, &h->dict_in_arena))) {
        g_free(path);
        hyph_free(h);
        return NULL;
    }
    g_free(path);
    return h;
}

/* ---- the process-wide table ----------------------------------------------*/

/* One (dir, lang) of the table.  The lock is not held while a dictionary
 * loads: a thread wanting another language, or one already loaded, does not
 * wait for it; a thread wanting the same one waits on hyph_shared_loaded. */
typedef struct HyphSlot {
    Hyph *h;                  /* NULL: none for the language (or still loading) */
    int loading;
    int users;                /* acquired and not released, with the loader */
} HyphSlot;

static GMutex hyph_shared_lock;
static GCond hyph_shared_loaded;
static GHashTable *hyph_shared;     /* "dir\nlang" -> HyphSlot * */

static void hyph_slot_drop(const char *key, HyphSlot *slot)
{
    g_hash_table_remove(hyph_shared, key);
    g_free(slot);
    if (g_hash_table_size(hyph_shared) == 0) {
        g_hash_table_destroy(hyph_shared);
        hyph_shared = NULL;
    }
}

Hyph *hyph_acquire(const char *dir, const char *lang)
{
    char *key = g_strdup_printf("%s\n%s", dir ? dir : HYPH_DEFAULT_DIR, lang ? lang : "");
    g_mutex_lock(&hyph_shared_lock);
    if (!hyph_shared)
        hyph_shared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    HyphSlot *slot = g_hash_table_lookup(hyph_shared, key);
    if (slot) {
        slot->users++;
        while (slot->loading)
            g_cond_wait(&hyph_shared_loaded, &hyph_shared_lock);
    } else {
        slot = g_new0(HyphSlot, 1);
        slot->loading = 1;
        slot->users = 1;
        g_hash_table_insert(hyph_shared, g_strdup(key), slot);
        g_mutex_unlock(&hyph_shared_lock);
        Hyph *h = hyph_load(dir, lang);
        g_mutex_lock(&hyph_shared_lock);
        if (h)
            h->key = g_strdup(key);
        slot->h = h;
        slot->loading = 0;
        g_cond_broadcast(&hyph_shared_loaded);
    }
    Hyph *h = slot->h;
    if (!h && --slot->users == 0)
        hyph_slot_drop(key, slot);      /* no dictionary: asked again next time */
    g_mutex_unlock(&hyph_shared_lock);
    g_free(key);
    return h;
}

void hyph_release(Hyph *h)
{
    if (!h)
        return;
    g_mutex_lock(&hyph_shared_lock);
    HyphSlot *slot = g_hash_table_lookup(hyph_shared, h->key);
    int last = --slot->users == 0;
    if (last)
        hyph_slot_drop(h->key, slot);
    g_mutex_unlock(&hyph_shared_lock);
    if (last)
        hyph_free(h);
}

void hyph_free(Hyph *h)
{
    if (!h)
        return;
    g_free(h->key);
    if (h->dict && !h->dict_in_arena)
        hnj_hyphen_free(h->dict);
    arena_fini(&h->arena);
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
