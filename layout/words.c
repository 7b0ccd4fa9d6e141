/* words.c — each word shaped once per engine.
 *
 * HarfBuzz shapes an English or Russian word the same wherever it stands
 * between two spaces, and the words of a journal issue repeat: of its
 * 110,000 words, 12,400 are distinct.  Shaping was the largest single cost
 * of laying out an issue (13 % of its instructions), so a left-to-right
 * item of Latin, Cyrillic or Greek text is shaped in pieces, each looked up
 * in the engine's memo first, and the glyphs joined.
 *
 * The join must be what shaping the whole item gives, and fonts do kern
 * across spaces: PT Serif kerns a space after a full stop or a comma and
 * before an A.  So the cluster at each end of a word (its first or last
 * character, or ligature) is also shaped after a space (" A") or before one
 * (". "), once per font and analysis; where that gives the space's glyph
 * and the cluster's side by side, glyph for glyph, the space is a place to cut
 * on that side.  The item is cut only there, into single words and spaces
 * and, where a space may not be cut, runs of words ("etc., the"), each
 * shaped once and remembered.  That catches what a space does to the glyph
 * beside it (kerning, contextual forms); a font rule that looks further
 * across a space (a letter changed by the word after next) would be missed.
 * Checked item by item against whole-item shaping on the benchmark corpus,
 * the samples and both styles: no difference.  Right-to-left text,
 * attributes beyond the font, and long runs are shaped whole, as before.
 * Where it cuts depends only on the font, the analysis and the words, so
 * the output never depends on what the engine met before. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* Longest word (bytes) the memo takes; longer ones shape the item whole.
 * The memo is emptied, between items, once it holds WORDS_MAX entries
 * (TYPESET_WORDCACHE_MAX overrides it, for tests). */
enum { WORD_MAX = 96, WORDS_MAX = 200000 };

/* What shapes a word besides its text (zeroed, padding included: the key
 * is compared as bytes). */
typedef struct Head {
    PangoFont *font;
    PangoLanguage *lang;
    guint32 script;
    guint8 gravity, flags, bot, eot;
    guint8 kind;                /* what the entry holds: glyphs, or a test (Kind) */
    guint8 pad[7];              /* named, so no store may leave them unspecified */
} Head;
_Static_assert(sizeof(Head) == 2 * sizeof(void *) + 16, "Head has no unnamed padding");

enum Kind { GLYPHS, SPACE_BEFORE, SPACE_AFTER };

/* A memo entry is one block: its key (what shapes it, then the text), and
 * after it the glyphs and their clusters, so a lookup touches the table's
 * slot and the one block whose glyphs it then copies: the memo's lookups
 * had been the build's worst cache misses (key, entry and glyph arrays each
 * apart). */
typedef struct Word {
    guint hash;
    guint klen;                 /* bytes of key */
    int n;
    int cut;                    /* a test entry: its answer */
    signed char cut_before, cut_after;  /* glyphs: cuts() remembered, -1 until asked */
    PangoGlyphInfo *g;          /* n glyphs, log clusters relative to the word, in the block */
    int *lc;
    char key[];                 /* Head, then the word's bytes */
} Word;

/* The memo's table: open addressing, probed linearly, each slot the
 * entry's hash beside it.  A lookup reads one slot (a quarter of a cache
 * line) and the one entry whose hash matches; GHashTable, which it
 * replaces, kept hashes and keys in two arrays and compared through a
 * function pointer: three cache misses a lookup, where the memo's 160,000
 * lookups of an issue had been 4.6 % of its cycles. */
typedef struct WordSlot {
    guint hash;
    Word *w;                    /* NULL: empty */
} WordSlot;

enum { SLOTS_MIN = 1024 };

static int word_is(const Word *w, const Word *k)
{
    return w->klen == k->klen && memcmp(w->key, k->key, k->klen) == 0;
}

static Word *table_find(const LayEngine *e, const Word *k)
{
    for (guint i = k->hash & e->words_mask;; i = (i + 1) & e->words_mask) {
        const WordSlot *sl = &e->words[i];
        if (!sl->w)
            return NULL;
        if (sl->hash == k->hash && word_is(sl->w, k))
            return sl->w;
    }
}

static void table_put(WordSlot *slots, guint mask, Word *w)
{
    guint i = w->hash & mask;
    while (slots[i].w)
        i = (i + 1) & mask;
    slots[i] = (WordSlot){w->hash, w};
}

/* Adds w (not in the table); the table stays at most half full. */
static void table_add(LayEngine *e, Word *w)
{
    if (2 * (e->words_n + 1) > e->words_mask + 1) {
        guint size = 2 * (e->words_mask + 1);
        WordSlot *slots = g_new0(WordSlot, size);
        for (guint i = 0; i <= e->words_mask; i++)
            if (e->words[i].w)
                table_put(slots, size - 1, e->words[i].w);
        g_free(e->words);
        e->words = slots;
        e->words_mask = size - 1;
    }
    table_put(e->words, e->words_mask, w);
    e->words_n++;
}

/* Frees every entry; the table keeps its size. */
static void table_clear(LayEngine *e)
{
    for (guint i = 0; i <= e->words_mask; i++) {
        g_free(e->words[i].w);
        e->words[i].w = NULL;
    }
    e->words_n = 0;
}

/* The key's hash, eight bytes at a time (a multiply and a rotate per word,
 * then a final mix): the byte-at-a-time FNV-1a it replaces spent a
 * dependent multiply on each of the key's 32 head bytes, on every lookup. */
static guint key_hash_bytes(const char *b, guint n)
{
    const guint64 m = 0x9E3779B97F4A7C15ull;
    guint64 h = n * m;
    guint i = 0;
    for (; i + 8 <= n; i += 8) {
        guint64 x;
        memcpy(&x, b + i, 8);
        h = ((h << 23 | h >> 41) ^ x) * m;
    }
    if (i < n) {
        guint64 x = 0;
        memcpy(&x, b + i, n - i);
        h = ((h << 23 | h >> 41) ^ x) * m;
    }
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    h ^= h >> 32;
    return (guint)h;
}

/* A new entry under key[0..klen) (hash its hash) holding n glyphs g with
 * clusters lc (copied; none for a test entry). */
static Word *word_new(const char *key, guint klen, guint hash, int n, const PangoGlyphInfo *g,
                      const int *lc)
{
    size_t at = (sizeof(Word) + klen + 7) & ~(size_t)7;
    Word *w = g_malloc(at + (size_t)n * (sizeof *g + sizeof *lc));
    w->hash = hash;
    w->klen = klen;
    w->n = n;
    w->cut = 0;
    w->cut_before = w->cut_after = -1;
    memcpy(w->key, key, klen);
    w->g = (PangoGlyphInfo *)(void *)((char *)w + at);
    w->lc = (int *)(void *)(w->g + n);
    if (n) {
        memcpy(w->g, g, (size_t)n * sizeof *g);
        memcpy(w->lc, lc, (size_t)n * sizeof *lc);
    }
    return w;
}

void words_init(LayEngine *e)
{
    e->words = g_new0(WordSlot, SLOTS_MIN);
    e->words_mask = SLOTS_MIN - 1;
    e->words_n = 0;
    e->words_off = getenv("TYPESET_NO_WORDCACHE") != NULL;
    const char *max = getenv("TYPESET_WORDCACHE_MAX");
    e->words_max = max && atoi(max) > 0 ? (guint)atoi(max) : WORDS_MAX;
}

void words_fini(LayEngine *e)
{
    table_clear(e);
    g_free(e->words);
    e->words = NULL;
}

/* The memo keys hold the font's address: only a font the engine holds
 * (engine_pin_font) may be in one, or a later font could reuse it.  A hyphen
 * to insert (PANGO_ANALYSIS_FLAG_NEED_HYPHEN) goes after the item's last
 * character, not after each word's. */
static int scriptable(const LayEngine *e, const PangoItem *it)
{
    GUnicodeScript s = (GUnicodeScript)it->analysis.script;
    return (it->analysis.level & 1) == 0 && it->analysis.extra_attrs == NULL &&
           it->analysis.font != NULL && g_hash_table_contains(e->pinned, it->analysis.font) &&
           !(it->analysis.flags & PANGO_ANALYSIS_FLAG_NEED_HYPHEN) &&
           (s == G_UNICODE_SCRIPT_LATIN || s == G_UNICODE_SCRIPT_CYRILLIC ||
            s == G_UNICODE_SCRIPT_GREEK || s == G_UNICODE_SCRIPT_COMMON);
}

/* text[0..len) shaped alone (within the paragraph par[0..plen) for
 * HarfBuzz's context and text-boundary flags). */
static PangoGlyphString *shape(LayEngine *e, const PangoAnalysis *an, const char *text, int len,
                               const char *par, int plen)
{
    PangoGlyphString *g = pango_glyph_string_new();
    hbshape(e, an, text, len, par, plen, g);
    return g;
}

static int same_glyph(const PangoGlyphInfo *a, const PangoGlyphInfo *b)
{
    return a->glyph == b->glyph && a->geometry.width == b->geometry.width &&
           a->geometry.x_offset == b->geometry.x_offset &&
           a->geometry.y_offset == b->geometry.y_offset &&
           a->attr.is_cluster_start == b->attr.is_cluster_start;
}

/* Whether g, the glyphs of a then b shaped together (a_len bytes of a),
 * is a's glyphs and b's side by side. */
static int apart(const PangoGlyphString *g, const PangoGlyphString *a, int a_len,
                 const PangoGlyphString *b)
{
    if (g->num_glyphs != a->num_glyphs + b->num_glyphs)
        return 0;
    for (int i = 0; i < a->num_glyphs; i++)
        if (!same_glyph(&g->glyphs[i], &a->glyphs[i]) || g->log_clusters[i] != a->log_clusters[i])
            return 0;
    for (int i = 0; i < b->num_glyphs; i++) {
        int k = a->num_glyphs + i;
        if (!same_glyph(&g->glyphs[k], &b->glyphs[i]) ||
            g->log_clusters[k] != b->log_clusters[i] + a_len)
            return 0;
    }
    return 1;
}

/* The memo's entry of kind for text[0..len) in analysis an, made on first
 * meeting: the glyphs of the text alone, or whether a space before (after)
 * it shapes apart from it. */
static Word *entry(LayEngine *e, const PangoAnalysis *an, const char *text, int len,
                   const char *par, int plen, enum Kind kind)
{
    /* len <= WORD_MAX: the callers' words, runs and clusters are no longer */
    _Alignas(Word) char buf[sizeof(Word) + sizeof(Head) + WORD_MAX];
    Word *k = (Word *)buf;     /* a probe: its key only */
    Head h;
    memset(&h, 0, sizeof h);
    h.font = an->font;
    h.lang = an->language;
    h.script = (guint32)an->script;
    h.gravity = an->gravity;
    h.flags = an->flags;
    h.kind = (guint8)kind;
    if (kind == GLYPHS) {
        h.bot = text == par;
        h.eot = text + len == par + plen;
    }
    k->klen = (guint)(sizeof h + (size_t)len);
    memcpy(k->key, &h, sizeof h);
    memcpy(k->key + sizeof h, text, (size_t)len);
    k->hash = key_hash_bytes(k->key, k->klen);
    Word *w = table_find(e, k);
    if (w)
        return w;
    if (kind == GLYPHS) {
        PangoGlyphString *g = shape(e, an, text, len, par, plen);
        w = word_new(k->key, k->klen, k->hash, g->num_glyphs, g->glyphs, g->log_clusters);
        pango_glyph_string_free(g);
    } else {
        /* " text" (or "text ") against " " and "text" side by side */
        char *spaced = g_malloc((size_t)len + 1);
        int before = kind == SPACE_BEFORE;
        spaced[before ? 0 : len] = ' ';
        memcpy(spaced + before, text, (size_t)len);
        PangoGlyphString *both = shape(e, an, spaced, len + 1, NULL, 0);
        PangoGlyphString *sp = shape(e, an, " ", 1, NULL, 0);
        PangoGlyphString *alone = shape(e, an, text, len, NULL, 0);
        w = word_new(k->key, k->klen, k->hash, 0, NULL, NULL);
        w->cut = before ? apart(both, sp, 1, alone) : apart(both, alone, len, sp);
        pango_glyph_string_free(both);
        pango_glyph_string_free(sp);
        pango_glyph_string_free(alone);
        g_free(spaced);
    }
    table_add(e, w);
    return w;
}

/* Whether a space may be cut from word w (the glyphs of text[0..len)) on
 * its left (before) or right: tested on the word's first or last cluster,
 * the glyph a space beside it would meet. */
static int cuts(LayEngine *e, const PangoAnalysis *an, Word *w, const char *text, int len,
                int before)
{
    signed char *known = before ? &w->cut_before : &w->cut_after;
    if (*known >= 0)
        return *known;
    if (w->n == 0)
        return *known = 0;
    int c0, c1;                 /* the cluster's bytes */
    if (before) {
        c0 = 0;
        c1 = len;
        for (int i = 0; i < w->n; i++)
            if (w->lc[i] > 0 && w->lc[i] < c1)
                c1 = w->lc[i];
    } else {
        c0 = 0;
        for (int i = 0; i < w->n; i++)
            if (w->lc[i] > c0)
                c0 = w->lc[i];
        c1 = len;
    }
    *known = (signed char)entry(e, an, text + c0, c1 - c0, NULL, 0,
                                before ? SPACE_BEFORE : SPACE_AFTER)->cut;
    return *known;
}

/* A piece of an item: a word, a run of spaces, or words that may not be cut apart. */
typedef struct Tok {
    int at, len;                /* bytes, from the item's start */
    Word *w;                    /* single words and runs of spaces: from the memo */
} Tok;

/* The item shaped whole, as pango_shape_item shapes it: by hbshape when
 * the log attributes cannot matter (no hyphen to insert, no attribute that
 * could ask for a text transform). */
static void shape_whole(LayEngine *e, PangoItem *it, const char *par, int plen, PangoLogAttr *la,
                        PangoGlyphString *out)
{
    if (it->analysis.extra_attrs || (it->analysis.flags & PANGO_ANALYSIS_FLAG_NEED_HYPHEN))
        pango_shape_item(it, par, plen, la, out, PANGO_SHAPE_NONE);
    else
        hbshape(e, &it->analysis, par + it->offset, it->length, par, plen, out);
}

void words_shape_item(LayEngine *e, PangoItem *it, const char *par, int plen, PangoLogAttr *la,
                      PangoGlyphString *out)
{
    const char *t = par + it->offset;
    int len = it->length;
    if (e->words_off || !scriptable(e, it) || !memchr(t, ' ', (size_t)len)) {
        shape_whole(e, it, par, plen, la, out);
        return;
    }
    /* emptied here, never inside entry(): the Word pointers below (tok[].w,
     * cuts()' remembered answer) live until the item's glyphs are joined */
    if (e->words_n >= e->words_max)
        table_clear(e);
    /* the words and runs of spaces */
    Tok stack[64];
    Tok *tok = stack;
    int nt = 0, cap = 64, whole = 0;
    Word *space = NULL;         /* the entry of " " inside the paragraph */
    /* a long item of new words fills the memo past words_max (it is emptied
     * only between items): past this it is shaped whole */
    guint full = e->words_max + WORDS_MAX / 2;
    for (int i = 0; i < len && !whole;) {
        int j = i + 1;
        while (j < len && (t[j] == ' ') == (t[i] == ' '))
            j++;
        if (j - i > WORD_MAX || e->words_n >= full) {
            whole = 1;
            break;
        }
        if (nt == cap) {
            cap *= 2;
            tok = tok == stack ? memcpy(g_new(Tok, cap), stack, sizeof stack) : g_renew(Tok, tok, cap);
        }
        Word *w;
        if (j - i == 1 && t[i] == ' ' && t + i != par && t + j != par + plen) {
            /* the item's single spaces are one entry (the same key) */
            if (!space)
                space = entry(e, &it->analysis, t + i, 1, par, plen, GLYPHS);
            w = space;
        } else {
            w = entry(e, &it->analysis, t + i, j - i, par, plen, GLYPHS);
        }
        tok[nt++] = (Tok){i, j - i, w};
        i = j;
    }
    /* joined where a space may not be cut from its word: a single space
     * between words that allow it, else the run goes on */
    int nc = 0;
    for (int i = 0; i < nt && !whole;) {
        int j = i;
        for (;;) {
            const Tok *a = &tok[j], *b = j + 1 < nt ? &tok[j + 1] : NULL;
            if (!b)
                break;
            int a_space = t[a->at] == ' ', b_space = t[b->at] == ' ';
            int cut = a_space ? a->len == 1 && cuts(e, &it->analysis, b->w, t + b->at, b->len, 1)
                              : b_space && b->len == 1 &&
                                    cuts(e, &it->analysis, a->w, t + a->at, a->len, 0);
            if (cut)
                break;
            j++;
            if (tok[j].at + tok[j].len - tok[i].at > WORD_MAX ||
                e->words_n >= full) {
                whole = 1;      /* a run too long for the memo */
                break;
            }
        }
        if (whole)
            break;
        Tok c = tok[i];
        if (j > i) {
            c.len = tok[j].at + tok[j].len - c.at;
            if (c.len > WORD_MAX)
                whole = 1;
            else
                c.w = entry(e, &it->analysis, t + c.at, c.len, par, plen, GLYPHS);
        }
        tok[nc++] = c;
        i = j + 1;
    }
    if (whole) {
        shape_whole(e, it, par, plen, la, out);
    } else {
        int glyphs = 0;
        for (int i = 0; i < nc; i++)
            glyphs += tok[i].w->n;
        pango_glyph_string_set_size(out, glyphs);
        int k = 0;
        for (int i = 0; i < nc; i++)
            for (int g = 0; g < tok[i].w->n; g++, k++) {
                out->glyphs[k] = tok[i].w->g[g];
                out->log_clusters[k] = tok[i].w->lc[g] + tok[i].at;
            }
    }
    if (tok != stack)
        g_free(tok);
}
