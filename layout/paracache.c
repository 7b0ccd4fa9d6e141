/* paracache.c — set paragraphs remembered across layouts.  Setting a paragraph
 * is a pure function of its text, spans, parameters and measure, so the engine
 * keeps every set paragraph under a key made of exactly those inputs.  A second
 * layout of the same article (the page range changed the masthead), a rebuild
 * in `typeset watch` after one paragraph was edited, or a running head set on
 * every page then costs a hash lookup instead of itemizing, shaping and
 * breaking again.
 *
 * Ownership: an entry owns its lines (its own arena) and glyph items (its own
 * pool).  It is reference-counted: the engine's table holds one reference, and
 * every LayResult that uses the entry holds one (kept in the result's
 * GlyphPool), so a result stays valid after the engine evicted the entry or was
 * freed.  Entries held by no result are evicted at the start of each lay_run
 * once PARACACHE_KEEP layouts passed without them.  An engine and its cache belong to one
 * thread; references are counted atomically so a result may be freed by
 * another thread once the engine's thread is done with it. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* How many layouts an unused entry survives by default.  Two covers the
 * cases that pay in one article: laid out again at once (its page range
 * changed) and a watch session.  An issue build keeps entries from one phase
 * to the next (lay_engine_set_cache_keep). */
#define PARACACHE_KEEP 2

static void entry_unref(ParaEntry *pe)
{
    if (!g_atomic_int_dec_and_test(&pe->refs))
        return;
    glyph_pool_free(&pe->pool);
    arena_fini(&pe->arena);
    g_bytes_unref(pe->key);
    free(pe);
}

void paracache_release(void *entry)
{
    entry_unref(entry);
}

/* A paragraph's inputs, serialised into the engine's buffer. */
typedef struct KeyBuf {
    LayEngine *e;
    size_t n;
} KeyBuf;

static void grow(KeyBuf *k, size_t n)
{
    LayEngine *e = k->e;
    size_t cap = e->key_cap ? e->key_cap : 4096;
    while (cap < k->n + n)
        cap *= 2;
    e->key_buf = xrealloc(e->key_buf, cap);
    e->key_cap = cap;
}

static inline void put_bytes(KeyBuf *k, const void *p, size_t n)
{
    if (!n)
        return;                 /* (p may be NULL: no text) */
    if (k->n + n > k->e->key_cap)
        grow(k, n);
    memcpy(k->e->key_buf + k->n, p, n);
    k->n += n;
}

static void put_str(KeyBuf *k, const char *s)
{
    size_t n = s ? strlen(s) + 1 : 0;
    put_bytes(k, &n, sizeof n);
    if (s)
        put_bytes(k, s, n);
}

static void put_font(KeyBuf *k, const LayFont *f)
{
    put_str(k, f->families);
    put_bytes(k, &f->size, sizeof f->size);
    put_bytes(k, &f->bold, sizeof f->bold);
    put_bytes(k, &f->italic, sizeof f->italic);
}

/* Every input of para_set, serialised field by field (never a struct's raw
 * bytes, whose padding is undefined), and hashed: the key is the XXH3-128
 * of them (PARA_KEY_LEN bytes).  The inputs themselves had made the keys a
 * fifth of the paragraphs an issue saves (2 MB: each holds the break
 * parameters and the text), and every lookup hashed and compared them;
 * two different paragraphs alike in 128 bits of XXH3 are not to be met by
 * chance (the cache keys of the issue, SHA-256, are the ones an adversary
 * could aim at: a paragraph cache only serves what this program set). */
static GBytes *make_key(LayEngine *e, const LayPara *p, double measure, const LayBreakParams *b)
{
    KeyBuf kb = {e, 0}, *k = &kb;
    put_bytes(k, &measure, sizeof measure);
    int ints[] = {b->pretolerance, b->tolerance, b->line_penalty, b->hyphen_penalty,
                  b->exhyphen_penalty, b->double_hyphen_demerits, b->final_hyphen_demerits,
                  b->adj_demerits, b->looseness, b->hyphen_left_min, b->hyphen_right_min,
                  b->hyphenate_last_word, b->protrusion_on, b->n_protrusion};
    double dbls[] = {b->emergency_stretch, b->space_stretch, b->space_shrink, b->cjk_stretch,
                     b->cjk_shrink, b->cjk_latin_space, b->ragged_last_line_min, b->expansion,
                     b->expansion_step};
    put_bytes(k, ints, sizeof ints);
    put_bytes(k, dbls, sizeof dbls);
    for (int i = 0; i < b->n_protrusion; i++) {
        put_bytes(k, &b->protrusion[i].ch, sizeof b->protrusion[i].ch);
        put_bytes(k, &b->protrusion[i].left, sizeof b->protrusion[i].left);
        put_bytes(k, &b->protrusion[i].right, sizeof b->protrusion[i].right);
    }
    put_bytes(k, &p->len, sizeof p->len);
    put_bytes(k, p->text, (size_t)p->len);
    put_str(k, p->lang);
    /* source lines are left out: an edit above the paragraph moves it without
     * changing how it is set (the copy shifts the lines' numbers) */
    int pi[] = {(int)p->align, p->hyphenate, p->n_spans};
    double pd[] = {p->leading, p->first_indent, p->left_indent, p->right_indent, p->hang_indent};
    put_bytes(k, pi, sizeof pi);
    put_bytes(k, pd, sizeof pd);
    put_str(k, p->marker);
    if (p->marker)
        put_font(k, &p->marker_font);
    for (int i = 0; i < p->n_spans; i++) {
        const LaySpan *s = &p->spans[i];
        int si[] = {s->start, s->end, (int)s->flags, s->footnote,
                    s->src_line ? s->src_line - p->src_line : -1};
        put_bytes(k, si, sizeof si);
        put_bytes(k, &s->rise, sizeof s->rise);
        put_font(k, &s->font);
        put_str(k, s->link);
    }
    XXH128_hash_t h = XXH3_128bits(e->key_buf, k->n);
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, h);
    G_STATIC_ASSERT(sizeof c.digest == PARA_KEY_LEN);
    return g_bytes_new(c.digest, sizeof c.digest);
}

/* The key's hash: its first bytes (it is a digest already). */
static guint key_hash(gconstpointer key)
{
    const guint8 *p = g_bytes_get_data((GBytes *)key, NULL);
    guint h;
    memcpy(&h, p, sizeof h);
    return h;
}

void paracache_init(LayEngine *e)
{
    e->cache_off = getenv("TYPESET_NO_PARACACHE") != NULL;  /* for measuring the cache */
    e->cache_keep = PARACACHE_KEEP;
    e->cache = g_hash_table_new_full(key_hash, g_bytes_equal, NULL, paracache_release);
}

void paracache_fini(LayEngine *e)
{
    free(e->key_buf);
    e->key_buf = NULL;
    e->key_cap = 0;
    if (e->cache)
        g_hash_table_destroy(e->cache);     /* drops the table's references */
    e->cache = NULL;
}

typedef struct Sweep {
    const LayEngine *e;
    unsigned oldest;            /* of the entries kept */
} Sweep;

static gboolean stale(gpointer key, gpointer value, gpointer data)
{
    (void)key;
    const ParaEntry *pe = value;
    Sweep *s = data;
    if (g_atomic_int_get(&pe->refs) == 1 && pe->last_used + s->e->cache_keep <= s->e->generation)
        return TRUE;
    if (pe->last_used < s->oldest)
        s->oldest = pe->last_used;
    return FALSE;
}

/* The sweep visits every entry (thousands in an issue, each a cache miss),
 * so it is skipped while no entry can be old enough to go: entries only
 * grow younger, and new ones are of the current generation. */
void paracache_next_generation(LayEngine *e)
{
    e->generation++;
    if (e->generation < e->cache_oldest + e->cache_keep)
        return;
    Sweep s = {e, e->generation};
    g_hash_table_foreach_remove(e->cache, stale, &s);
    e->cache_oldest = s.oldest;
}

void lay_engine_set_cache_keep(LayEngine *e, unsigned layouts)
{
    e->cache_keep = layouts > 0 ? layouts : PARACACHE_KEEP;
}

int para_set_cached(LayEngine *e, const LayPara *p, double measure, const LayBreakParams *brk,
                    const char *file, int para_index, GlyphPool *pool, Arena *a, DiagList *dl,
                    SetPara *out)
{
    if (e->cache_off)
        return para_set(e, p, measure, brk, file, para_index, pool, a, dl, out);
    GBytes *key = make_key(e, p, measure, brk);
    ParaEntry *pe = g_hash_table_lookup(e->cache, key);
    if (pe)
        e->cache_hits++;
    if (!pe) {
        e->cache_misses++;
        pe = xcalloc(1, sizeof *pe);
        arena_init_small(&pe->arena);     /* thousands live at once in an issue */
        if (para_set(e, p, measure, brk, file, para_index, &pe->pool, &pe->arena, dl, &pe->set) != 0) {
            glyph_pool_free(&pe->pool);
            arena_fini(&pe->arena);
            free(pe);
            g_bytes_unref(key);
            return -1;      /* errors are reported each time, never cached */
        }
        pe->refs = 1;       /* the table's */
        pe->src_line = p->src_line;
        pe->key = key;
        g_hash_table_insert(e->cache, key, pe);
    } else {
        g_bytes_unref(key);
    }
    pe->last_used = e->generation;
    g_atomic_int_inc(&pe->refs);
    VEC_PUSH(pool->refs, pe);
    /* the result gets its own copy of the line array: the page builder numbers
     * the lines' paragraph; the items and glyphs stay shared and read-only */
    out->n = pe->set.n;
    out->lines = arena_calloc(a, (size_t)(out->n ? out->n : 1), sizeof *out->lines);
    if (out->n)
        memcpy(out->lines, pe->set.lines, (size_t)out->n * sizeof *out->lines);
    for (int i = 0; i < out->n; i++) {
        out->lines[i].info.para = para_index;
        if (out->lines[i].info.src_line > 0)
            out->lines[i].info.src_line += p->src_line - pe->src_line;
    }
    return 0;
}

void lay_cache_stats(const LayEngine *e, int *hits, int *misses)
{
    *hits = e->cache_hits;
    *misses = e->cache_misses;
}
