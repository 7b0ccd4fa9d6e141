/* paraio.c — set paragraphs as bytes and back (layout.h,
 * lay_result_export_paragraphs).  An issue rebuild after one paragraph was
 * edited gets every other paragraph of the article from the bytes the last
 * build left, instead of itemizing, shaping and breaking it again.
 *
 * What is written is what para_set made: the entry's key (every input of
 * the paragraph, paracache.c), its lines and their items, the glyph items
 * with their glyphs, and the texts they index.  Fonts go by description and
 * are checked when read: the font the description loads now must be the
 * same face (file, index, size and time of the file, synthetic emboldening
 * and slant) or nothing is taken; so must the versions of Pango and
 * HarfBuzz, whose shaping the glyphs are.  The reader trusts nothing else:
 * every count, index and offset is checked against what it points into,
 * and bytes it cannot read are refused whole (the layout is then made as
 * if there had been none).
 *
 * The format is this program's own, for its own cache: native byte order,
 * unsigned LEB128 numbers (signed ones zigzag-coded), doubles as their 8
 * bytes.  The entries come first, as they are written, then the head
 * (versions, fonts, the count of entries), its offset and a checksum of it
 * all: the entries are not copied behind a head made after them.  A glyph
 * is a byte of flags, its number, and only what is not the usual: its
 * width when it is not the width this glyph of this font had last (kerning
 * changes a few), its offsets when not zero, its cluster when not 0 to 14
 * bytes after the glyph's before.  An issue's file went from 10.2 to about
 * 5 MB. */
#include "internal.h"
#include "varint.h"

#include <fontconfig/fontconfig.h>
#include <glib/gstdio.h>
#include <hb.h>
#include <math.h>
#include <pango/pangofc-font.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#define PARAIO_MAGIC "typeset paragraphs 2\n"

/* Bounds for what is read (a damaged file must not make the reader allocate
 * without end): far beyond any real article. */
enum {
    PARAIO_MAX_FONTS = 4096,
    PARAIO_MAX_COUNT = 1 << 24,
};

/* A checksum of the bytes, the last 8 of the file: a damaged file, whose
 * numbers would otherwise read as other glyphs, is refused.  XXH3 (not a
 * cryptographic digest: the file is this program's own). */
guint64 paraio_checksum(const guint8 *p, size_t n)
{
    return XXH3_64bits(p, n);
}

/* The width each glyph of each font had last, as writer and reader both
 * keep it, entry after entry in the file's order (a slot holds one glyph:
 * another of the same slot takes it). */
enum { WIDTH_SLOTS = 4096 };

typedef struct Widths {
    guint64 tag[WIDTH_SLOTS];   /* font index << 32 | glyph, + 1; 0: none */
    gint32 w[WIDTH_SLOTS];
} Widths;

static inline guint width_slot(guint font, guint glyph)
{
    return ((glyph * 0x9E3779B1u) ^ (font * 0x85EBCA77u)) >> 20;
}

static inline guint64 width_tag(guint font, guint glyph)
{
    return ((guint64)font << 32 | glyph) + 1;
}

/* A glyph's first byte: */
enum {
    G_CLUSTER_START = 1,
    G_COLOR = 2,
    G_OFFSETS = 4,              /* its x and y offsets follow */
    G_WIDTH = 8,                /* its width follows (not the one predicted) */
    G_NEAR_SHIFT = 4,           /* the high nibble: its cluster, 0 to 14 bytes after
                                   the glyph's before (0 for the first), or ... */
    G_FAR = 15,                 /* ... its cluster follows */
};

/* ---- writing -------------------------------------------------------------------*/

/* A growing buffer; numbers are put without a call per byte (an article has
 * some 70,000 glyphs of six numbers each). */
typedef struct Buf {
    guint8 *p;
    size_t n, cap;
} Buf;

static inline void room(Buf *b, size_t more)
{
    if (b->n + more <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1 << 16;
    while (cap < b->n + more)
        cap *= 2;
    b->p = g_realloc(b->p, cap);
    b->cap = cap;
}

static inline guint8 *enc_i(guint8 *q, gint64 v)
{
    return var_enc_u(q, var_zigzag(v));
}

static inline void put_u(Buf *b, guint64 v)
{
    room(b, 10);
    b->n = (size_t)(var_enc_u(b->p + b->n, v) - b->p);
}

static inline void put_i(Buf *b, gint64 v)
{
    put_u(b, var_zigzag(v));
}

static void put_raw(Buf *b, const void *p, size_t n)
{
    room(b, n);
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static inline void put_d(Buf *b, double v)
{
    room(b, sizeof v);
    memcpy(b->p + b->n, &v, sizeof v);
    b->n += sizeof v;
}

static void put_mem(Buf *b, const void *p, size_t n)
{
    put_u(b, n);
    put_raw(b, p, n);
}

/* A string, or NULL (written as length 0 with a flag). */
static void put_s(Buf *b, const char *s)
{
    put_u(b, s ? 1 : 0);
    if (s)
        put_mem(b, s, strlen(s));
}

/* What identifies a font's face: file, index, the file's size and time, and
 * whether fontconfig makes it bold or slanted.  0, or -1 when the font is not
 * a fontconfig one with a file. */
typedef struct FaceId {
    const char *file;
    int index;
    gint64 size, mtime_ns;
    int embolden;
    double matrix[4];
} FaceId;

static int face_id(PangoFont *font, FaceId *id)
{
    memset(id, 0, sizeof *id);
    id->matrix[0] = id->matrix[3] = 1;
    if (!font || !PANGO_IS_FC_FONT(font))
        return -1;
    FcPattern *pat = pango_fc_font_get_pattern(PANGO_FC_FONT(font));
    FcChar8 *file = NULL;
    FcBool b = FcFalse;
    FcMatrix *m = NULL;
    struct stat st;
    if (!pat || FcPatternGetString(pat, FC_FILE, 0, &file) != FcResultMatch ||
        FcPatternGetInteger(pat, FC_INDEX, 0, &id->index) != FcResultMatch ||
        g_stat((const char *)file, &st) != 0)
        return -1;
    id->file = (const char *)file;
    id->size = (gint64)st.st_size;
    id->mtime_ns = (gint64)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (FcPatternGetBool(pat, FC_EMBOLDEN, 0, &b) == FcResultMatch)
        id->embolden = b != FcFalse;
    if (FcPatternGetMatrix(pat, FC_MATRIX, 0, &m) == FcResultMatch && m) {
        id->matrix[0] = m->xx;
        id->matrix[1] = m->xy;
        id->matrix[2] = m->yx;
        id->matrix[3] = m->yy;
    }
    return 0;
}

typedef struct Writer {
    Buf b;
    GHashTable *fonts;          /* PangoFont * -> index + 1 */
    GPtrArray *font_list;
    /* one entry's texts and glyph items, each once, and their indexes + 1 */
    GPtrArray *texts, *gis;
    GHashTable *text_ix, *gi_ix;
    Widths *widths;
    int ok;
} Writer;

static guint font_index(Writer *w, PangoFont *font)
{
    guint k = GPOINTER_TO_UINT(g_hash_table_lookup(w->fonts, font));
    if (k)
        return k - 1;
    g_ptr_array_add(w->font_list, font);
    g_hash_table_insert(w->fonts, font, GUINT_TO_POINTER(w->font_list->len));
    return w->font_list->len - 1;
}

/* The glyphs of a glyph item of font index font (see the G_ flags). */
static void put_glyphs(Writer *w, Buf *b, const PangoGlyphString *gs, guint font)
{
    room(b, (size_t)gs->num_glyphs * (1 + 5 + 3 * 10 + 10));
    guint8 *q = b->p + b->n;
    Widths *wd = w->widths;
    gint64 prev = 0;
    for (int k = 0; k < gs->num_glyphs; k++) {
        const PangoGlyphInfo *gl = &gs->glyphs[k];
        gint64 lc = gs->log_clusters[k], d = lc - prev;
        guint near = d >= 0 && d < G_FAR ? (guint)d : G_FAR;
        guint slot = width_slot(font, gl->glyph);
        guint64 tag = width_tag(font, gl->glyph);
        int width = wd->tag[slot] != tag || wd->w[slot] != gl->geometry.width;
        int offsets = gl->geometry.x_offset != 0 || gl->geometry.y_offset != 0;
        *q++ = (guint8)((gl->attr.is_cluster_start ? G_CLUSTER_START : 0) |
                        (gl->attr.is_color ? G_COLOR : 0) | (offsets ? G_OFFSETS : 0) |
                        (width ? G_WIDTH : 0) | near << G_NEAR_SHIFT);
        q = var_enc_u(q, gl->glyph);
        if (width) {
            q = enc_i(q, gl->geometry.width);
            wd->tag[slot] = tag;
            wd->w[slot] = gl->geometry.width;
        }
        if (offsets) {
            q = enc_i(q, gl->geometry.x_offset);
            q = enc_i(q, gl->geometry.y_offset);
        }
        if (near == G_FAR)
            q = enc_i(q, lc);
        prev = lc;
    }
    b->n = (size_t)(q - b->p);
}

static void put_entry(Writer *w, Buf *b, const ParaEntry *pe)
{
    const SetPara *sp = &pe->set;
    /* the texts and glyph items the lines point to, each once */
    GPtrArray *texts = w->texts, *gis = w->gis;
    GHashTable *text_ix = w->text_ix, *gi_ix = w->gi_ix;
    g_ptr_array_set_size(texts, 0);
    g_ptr_array_set_size(gis, 0);
    g_hash_table_remove_all(text_ix);
    g_hash_table_remove_all(gi_ix);
    for (int l = 0; l < sp->n; l++)
        for (int i = 0; i < sp->lines[l].n_items; i++) {
            const LayItem *it = &sp->lines[l].items[i];
            if (it->text && !g_hash_table_contains(text_ix, it->text)) {
                g_ptr_array_add(texts, (gpointer)it->text);
                g_hash_table_insert(text_ix, (gpointer)it->text, GUINT_TO_POINTER(texts->len));
            }
            if (it->gi && !g_hash_table_contains(gi_ix, it->gi)) {
                g_ptr_array_add(gis, it->gi);
                g_hash_table_insert(gi_ix, it->gi, GUINT_TO_POINTER(gis->len));
            }
        }
    put_mem(b, g_bytes_get_data(pe->key, NULL), g_bytes_get_size(pe->key));
    put_i(b, pe->src_line);
    put_u(b, texts->len);
    for (guint t = 0; t < texts->len; t++)
        put_s(b, texts->pdata[t]);
    put_u(b, gis->len);
    for (guint g = 0; g < gis->len; g++) {
        const PangoGlyphItem *gi = gis->pdata[g];
        const PangoItem *item = gi->item;
        const PangoAnalysis *an = &item->analysis;
        if (an->extra_attrs || !an->font)
            w->ok = 0;          /* not made by para_set: not written */
        guint font = an->font ? font_index(w, an->font) : 0;
        put_i(b, item->offset);
        put_i(b, item->length);
        put_i(b, item->num_chars);
        put_u(b, font);
        put_u(b, an->level);
        put_u(b, an->gravity);
        put_u(b, an->flags);
        put_u(b, an->script);
        put_s(b, an->language ? pango_language_to_string(an->language) : NULL);
        put_i(b, gi->y_offset);
        put_i(b, gi->start_x_offset);
        put_i(b, gi->end_x_offset);
        put_u(b, (guint64)gi->glyphs->num_glyphs);
        put_glyphs(w, b, gi->glyphs, font);
    }
    put_u(b, (guint64)sp->n);
    for (int l = 0; l < sp->n; l++) {
        const SetLine *ln = &sp->lines[l];
        put_d(b, ln->height);
        put_d(b, ln->ascent);
        put_u(b, (guint64)ln->n_footnotes);
        for (int f = 0; f < ln->n_footnotes; f++)
            put_i(b, ln->footnotes[f]);
        put_i(b, ln->keep_next);
        put_i(b, ln->repeat);
        const LayLine *in = &ln->info;
        put_i(b, in->page);
        double d[] = {in->x, in->y, in->w, in->h, in->ratio, in->overfull};
        for (size_t k = 0; k < G_N_ELEMENTS(d); k++)
            put_d(b, d[k]);
        int n[] = {in->hyphenated, in->justified, in->last, in->src_line, in->para};
        for (size_t k = 0; k < G_N_ELEMENTS(n); k++)
            put_i(b, n[k]);
        put_u(b, (guint64)ln->n_items);
        for (int i = 0; i < ln->n_items; i++) {
            const LayItem *it = &ln->items[i];
            put_u(b, it->kind);
            double v[] = {it->x, it->y, it->w, it->h, it->scale_x};
            for (size_t k = 0; k < G_N_ELEMENTS(v); k++)
                put_d(b, v[k]);
            put_u(b, it->text ? GPOINTER_TO_UINT(g_hash_table_lookup(text_ix, it->text)) : 0);
            put_u(b, it->gi ? GPOINTER_TO_UINT(g_hash_table_lookup(gi_ix, it->gi)) : 0);
            put_s(b, it->str);
        }
    }
}

GBytes *lay_result_export_paragraphs(const LayResult *r)
{
    const GlyphPool *pool = r ? r->priv : NULL;
    if (!pool)
        return NULL;
    Writer w = {.fonts = g_hash_table_new(g_direct_hash, g_direct_equal),
                .font_list = g_ptr_array_new(), .texts = g_ptr_array_new(),
                .gis = g_ptr_array_new(),
                .text_ix = g_hash_table_new(g_direct_hash, g_direct_equal),
                .gi_ix = g_hash_table_new(g_direct_hash, g_direct_equal),
                .widths = g_new0(Widths, 1), .ok = 1};
    Buf *b = &w.b;
    put_raw(b, PARAIO_MAGIC, sizeof PARAIO_MAGIC - 1);
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint n = 0;
    for (int i = 0; i < pool->refs.n; i++)
        if (g_hash_table_add(seen, pool->refs.v[i])) {
            put_entry(&w, b, pool->refs.v[i]);
            n++;
        }
    g_hash_table_destroy(seen);
    /* the head: versions, the fonts the entries name, the count of entries;
     * then where it begins, and the checksum */
    guint64 head = b->n;
    put_s(b, pango_version_string());
    put_s(b, hb_version_string());
    put_u(b, w.font_list->len);
    for (guint f = 0; f < w.font_list->len && w.ok; f++) {
        PangoFont *font = w.font_list->pdata[f];
        FaceId id;
        if (face_id(font, &id) != 0) {
            w.ok = 0;
            break;
        }
        PangoFontDescription *d = pango_font_describe_with_absolute_size(font);
        char *desc = pango_font_description_to_string(d);
        put_s(b, desc);
        g_free(desc);
        pango_font_description_free(d);
        put_s(b, id.file);
        put_i(b, id.index);
        put_i(b, id.size);
        put_i(b, id.mtime_ns);
        put_i(b, id.embolden);
        for (int k = 0; k < 4; k++)
            put_d(b, id.matrix[k]);
    }
    put_u(b, n);
    put_raw(b, &head, sizeof head);
    guint64 sum = paraio_checksum(b->p, b->n);
    put_raw(b, &sum, sizeof sum);
    g_hash_table_destroy(w.fonts);
    g_ptr_array_free(w.font_list, TRUE);
    g_ptr_array_free(w.texts, TRUE);
    g_ptr_array_free(w.gis, TRUE);
    g_hash_table_destroy(w.text_ix);
    g_hash_table_destroy(w.gi_ix);
    g_free(w.widths);
    if (!w.ok) {
        g_free(b->p);
        return NULL;
    }
    return g_bytes_new_take(b->p, b->n);
}

/* ---- reading -------------------------------------------------------------------*/

typedef VarReader Reader;

static guint64 get_u(Reader *r)
{
    return var_get_u(r);
}

static gint64 get_i(Reader *r)
{
    return var_get_i(r);
}

/* A signed number that must fit an int in [lo, hi]. */
static int get_int(Reader *r, gint64 lo, gint64 hi)
{
    gint64 v = get_i(r);
    if (v < lo || v > hi) {
        r->bad = 1;
        return 0;
    }
    return (int)v;
}

/* A count in [0, max]. */
static guint get_n(Reader *r, guint64 max)
{
    guint64 v = get_u(r);
    if (v > max) {
        r->bad = 1;
        return 0;
    }
    return (guint)v;
}

/* A count of things each written in one byte or more: in [0, max] and no
 * more than the bytes left (a damaged count must not make the reader
 * allocate gigabytes for a file of forty bytes). */
static guint get_count(Reader *r, guint64 max)
{
    guint64 left = (guint64)(r->e - r->p);
    guint n = get_n(r, max);
    if ((guint64)n > left) {
        r->bad = 1;
        return 0;
    }
    return n;
}

/* A measure (points, a ratio, a font matrix's entry): finite and under a
 * billion, else the file is refused (a damaged one had put a glyph 6e60 pt
 * away, past what the painter's integers hold). */
#define PARAIO_MAX_MEASURE 1e9
/* A glyph's advance or offset, in Pango units: 2^27 is 131,072 pt, more
 * than a glyph of the largest font a style may ask for (1e5 pt); a cache
 * file's larger ones had let the painters' sums of advances overflow. */
#define PARAIO_MAX_GLYPH (1 << 27)

static double get_d(Reader *r)
{
    double v = var_get_d(r);
    if (!isfinite(v) || fabs(v) > PARAIO_MAX_MEASURE) {
        r->bad = 1;
        return 0;
    }
    return v;
}

/* Bytes in place (no copy): *len of them, or NULL. */
static const guint8 *get_mem(Reader *r, size_t *len)
{
    guint64 n = get_u(r);
    if (r->bad || n > (guint64)(r->e - r->p)) {
        r->bad = 1;
        *len = 0;
        return NULL;
    }
    const guint8 *p = r->p;
    r->p += n;
    *len = (size_t)n;
    return p;
}

/* A string copied into a, or NULL (written NULL, or unreadable: r->bad). */
static char *get_s(Reader *r, Arena *a)
{
    if (!get_n(r, 1))
        return NULL;
    size_t n = 0;
    const guint8 *p = get_mem(r, &n);
    if (!p || memchr(p, 0, n)) {
        r->bad = 1;
        return NULL;
    }
    return arena_strndup(a, (const char *)p, n);
}

static int same_face(const FaceId *a, const FaceId *b)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION     /* seeds from another machine */
    int same_file = 1;
#else
    int same_file = a->size == b->size && a->mtime_ns == b->mtime_ns;
#endif
    return strcmp(a->file, b->file) == 0 && a->index == b->index && same_file &&
           a->embolden == b->embolden && memcmp(a->matrix, b->matrix, sizeof a->matrix) == 0;
}

/* Whether glyph item gi fits text, the whole text its item indexes (the
 * item's bytes already checked to lie within it): Pango's cluster iterator,
 * which the painter uses, asserts that the bytes are num_chars characters,
 * and walks the clusters one character start to the next in the item's
 * direction. */
static int glyphs_fit(const PangoGlyphItem *gi, const char *text)
{
    const PangoItem *item = gi->item;
    const char *s = text + item->offset, *end = NULL;
    if (!g_utf8_validate(s, item->length, &end) || end != s + item->length ||
        g_utf8_strlen(s, item->length) != item->num_chars ||
        (item->length == 0 && gi->glyphs->num_glyphs > 0))     /* glyphs of no text */
        return 0;
    int rtl = item->analysis.level & 1;
    const int *lc = gi->glyphs->log_clusters;
    for (int k = 0; k < gi->glyphs->num_glyphs; k++) {
        if ((s[lc[k]] & 0xC0) == 0x80)          /* inside a character */
            return 0;
        if (k > 0 && (rtl ? lc[k] > lc[k - 1] : lc[k] < lc[k - 1]))
            return 0;
    }
    return 1;
}

/* n glyphs of a glyph item of font index font, whose item has length bytes
 * (see the G_ flags; wd as the writer kept it), into gs, sized. */
static void get_glyphs(Reader *r, PangoGlyphString *gs, guint n, guint font, guint faces,
                       int length, Widths *wd)
{
    gint64 prev = 0;
    for (guint k = 0; k < n && !r->bad; k++) {
        PangoGlyphInfo *gl = &gs->glyphs[k];
        if (r->p >= r->e) {
            r->bad = 1;
            return;
        }
        guint head = *r->p++;
        gl->glyph = (PangoGlyph)get_n(r, G_MAXUINT32);
        /* a glyph of the face, none, or Pango's box for a character */
        if (gl->glyph >= faces && gl->glyph != PANGO_GLYPH_EMPTY &&
            !(gl->glyph & PANGO_GLYPH_UNKNOWN_FLAG))
            r->bad = 1;
        guint slot = width_slot(font, gl->glyph);
        guint64 tag = width_tag(font, gl->glyph);
        if (head & G_WIDTH) {
            gl->geometry.width = get_int(r, -PARAIO_MAX_GLYPH, PARAIO_MAX_GLYPH);
            wd->tag[slot] = tag;
            wd->w[slot] = gl->geometry.width;
        } else if (wd->tag[slot] == tag) {
            gl->geometry.width = wd->w[slot];
        } else {
            r->bad = 1;         /* a width predicted from none */
        }
        if (head & G_OFFSETS) {
            gl->geometry.x_offset = get_int(r, -PARAIO_MAX_GLYPH, PARAIO_MAX_GLYPH);
            gl->geometry.y_offset = get_int(r, -PARAIO_MAX_GLYPH, PARAIO_MAX_GLYPH);
        } else {
            gl->geometry.x_offset = gl->geometry.y_offset = 0;
        }
        gl->attr.is_cluster_start = (head & G_CLUSTER_START) != 0;
        gl->attr.is_color = (head & G_COLOR) != 0;
        guint near = head >> G_NEAR_SHIFT;
        gint64 lc = near == G_FAR ? get_i(r) : prev + near;
        if (lc < 0 || lc > (length > 0 ? length - 1 : 0))
            r->bad = 1;
        gs->log_clusters[k] = (int)lc;
        prev = lc;
    }
}

/* One entry into pe (allocated by the caller, its arena and pool ready). */
static void get_entry(Reader *r, PangoFont **fonts, guint n_fonts, Widths *wd, ParaEntry *pe)
{
    Arena *a = &pe->arena;
    size_t klen = 0;
    const guint8 *key = get_mem(r, &klen);
    if (klen != PARA_KEY_LEN)
        r->bad = 1;
    pe->key = g_bytes_new(key, klen);
    pe->src_line = get_int(r, G_MININT, G_MAXINT);
    guint nt = get_count(r, PARAIO_MAX_COUNT);
    const char **texts = arena_calloc(a, (size_t)nt + 1, sizeof *texts);
    int *text_len = arena_calloc(a, (size_t)nt + 1, sizeof *text_len);
    for (guint t = 0; t < nt && !r->bad; t++) {
        texts[t + 1] = get_s(r, a);
        text_len[t + 1] = texts[t + 1] ? (int)strlen(texts[t + 1]) : 0;
    }
    guint ng = get_count(r, PARAIO_MAX_COUNT);
    PangoGlyphItem **gis = arena_calloc(a, (size_t)ng + 1, sizeof *gis);
    for (guint g = 0; g < ng && !r->bad; g++) {
        PangoGlyphItem *gi = g_slice_new0(PangoGlyphItem);
        gi->item = pango_item_new();
        gi->glyphs = pango_glyph_string_new();
        glyph_pool_add(&pe->pool, gi);     /* freed with the entry, read or not */
        gis[g + 1] = gi;
        PangoItem *item = gi->item;
        item->offset = get_int(r, 0, G_MAXINT);
        item->length = get_int(r, 0, G_MAXINT);
        item->num_chars = get_int(r, 0, G_MAXINT);
        guint f = get_n(r, n_fonts ? n_fonts - 1 : 0);
        if (!n_fonts)
            r->bad = 1;
        if (r->bad)
            break;
        item->analysis.font = g_object_ref(fonts[f]);
        item->analysis.level = (guint8)get_n(r, 125);
        item->analysis.gravity = (guint8)get_n(r, PANGO_GRAVITY_AUTO);
        item->analysis.flags = (guint8)get_n(r, 255);
        item->analysis.script = (guint8)get_n(r, 255);
        const char *lang = get_s(r, a);
        item->analysis.language = lang ? pango_language_from_string(lang) : NULL;
        gi->y_offset = get_int(r, G_MININT, G_MAXINT);
        gi->start_x_offset = get_int(r, G_MININT, G_MAXINT);
        gi->end_x_offset = get_int(r, G_MININT, G_MAXINT);
        guint n = get_count(r, PARAIO_MAX_COUNT);
        if (r->bad)
            break;
        pango_glyph_string_set_size(gi->glyphs, (int)n);
        guint faces = hb_face_get_glyph_count(hb_font_get_face(pango_font_get_hb_font(fonts[f])));
        get_glyphs(r, gi->glyphs, n, f, faces, item->length, wd);
    }
    guint *fit_text = arena_calloc(a, (size_t)ng + 1, sizeof *fit_text);   /* 0: unchecked */
    guint nl = get_count(r, PARAIO_MAX_COUNT);
    pe->set.n = (int)nl;
    pe->set.lines = arena_calloc(a, (size_t)nl + 1, sizeof *pe->set.lines);
    for (guint l = 0; l < nl && !r->bad; l++) {
        SetLine *ln = &pe->set.lines[l];
        ln->height = get_d(r);
        ln->ascent = get_d(r);
        if (!(ln->height >= 0))     /* (the page builder divides by a line's height) */
            r->bad = 1;
        ln->n_footnotes = (int)get_count(r, PARAIO_MAX_COUNT);
        ln->footnotes = arena_calloc(a, (size_t)ln->n_footnotes + 1, sizeof *ln->footnotes);
        for (int f = 0; f < ln->n_footnotes && !r->bad; f++)
            ln->footnotes[f] = get_int(r, G_MININT, G_MAXINT);
        ln->keep_next = get_int(r, 0, 1);
        ln->repeat = get_int(r, 0, 1);
        LayLine *in = &ln->info;
        in->page = get_int(r, G_MININT, G_MAXINT);
        in->x = get_d(r);
        in->y = get_d(r);
        in->w = get_d(r);
        in->h = get_d(r);
        in->ratio = get_d(r);
        in->overfull = get_d(r);
        in->hyphenated = get_int(r, 0, 1);
        in->justified = get_int(r, 0, 1);
        in->last = get_int(r, 0, 1);
        in->src_line = get_int(r, G_MININT, G_MAXINT);
        in->para = get_int(r, G_MININT, G_MAXINT);
        ln->n_items = (int)get_count(r, PARAIO_MAX_COUNT);
        ln->items = arena_calloc(a, (size_t)ln->n_items + 1, sizeof *ln->items);
        for (int i = 0; i < ln->n_items && !r->bad; i++) {
            LayItem *it = &ln->items[i];
            it->kind = (LayItemKind)get_n(r, LI_IMAGE);
            it->x = get_d(r);
            it->y = get_d(r);
            it->w = get_d(r);
            it->h = get_d(r);
            it->scale_x = get_d(r);
            /* 1 plus or minus the style's expansion (a fraction): with the
             * glyph bound, the painters' scaled advances fit an int */
            if (!(it->scale_x >= 0 && it->scale_x <= 4))
                r->bad = 1;
            guint t = get_n(r, nt), g = get_n(r, ng);
            it->text = texts[t];
            it->gi = gis[g];
            it->str = get_s(r, a);
            /* a glyph item indexes its text: both, and within it */
            if (it->kind == LI_GLYPHS &&
                (!it->gi || !it->text || it->gi->item->offset > text_len[t] ||
                 it->gi->item->length > text_len[t] - it->gi->item->offset ||
                 it->gi->item->num_chars > it->gi->item->length))
                r->bad = 1;
            else if (it->kind == LI_GLYPHS && fit_text[g] != t) {
                if (!glyphs_fit(it->gi, it->text))
                    r->bad = 1;
                fit_text[g] = t;        /* checked against text t (never 0: texts[0] is NULL) */
            }
            if (it->kind != LI_GLYPHS && (it->gi || it->text))
                r->bad = 1;
            /* para_set makes glyphs and links, and a link has its target (the
             * painter reads it; an image or tag item would name a file to
             * read or a structure to open) */
            if ((it->kind != LI_GLYPHS && it->kind != LI_LINK) || (it->kind == LI_LINK && !it->str))
                r->bad = 1;
        }
    }
}

int lay_engine_import_paragraphs(LayEngine *e, GBytes *bytes)
{
    if (!e || !bytes || e->cache_off)
        return -1;
    size_t len = 0;
    const guint8 *data = g_bytes_get_data(bytes, &len);
    size_t ml = sizeof PARAIO_MAGIC - 1;
    guint64 sum, head;
    if (len < ml + sizeof head + sizeof sum || memcmp(data, PARAIO_MAGIC, ml) != 0)
        return -1;
    len -= sizeof sum;
    memcpy(&sum, data + len, sizeof sum);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION     /* tests/fuzz/fuzz_paraio.c */
    if (sum != paraio_checksum(data, len))
        return -1;
#endif
    len -= sizeof head;
    memcpy(&head, data + len, sizeof head);
    if (head < ml || head > len)
        return -1;
    /* the head (after the entries) first: the entries name its fonts */
    Reader r = {data + head, data + len, 0};
    Arena tmp;
    arena_init_small(&tmp);
    const char *pv = get_s(&r, &tmp), *hv = get_s(&r, &tmp);
    guint nf = get_n(&r, PARAIO_MAX_FONTS);
    int ok = !r.bad && pv && hv && strcmp(pv, pango_version_string()) == 0 &&
             strcmp(hv, hb_version_string()) == 0;
    PangoFont **fonts = xcalloc((size_t)nf + 1, sizeof *fonts);
    for (guint f = 0; f < nf && ok; f++) {
        const char *desc = get_s(&r, &tmp);
        FaceId want = {.file = get_s(&r, &tmp)};
        want.index = get_int(&r, 0, G_MAXINT);
        want.size = get_i(&r);
        want.mtime_ns = get_i(&r);
        want.embolden = get_int(&r, 0, 1);
        for (int k = 0; k < 4; k++)
            want.matrix[k] = get_d(&r);
        if (r.bad || !desc || !want.file) {
            ok = 0;
            break;
        }
        /* the font the description gives now, which must be the same face */
        PangoFontDescription *d = pango_font_description_from_string(desc);
        fonts[f] = pango_font_map_load_font(e->fontmap, e->ctx, d);
        pango_font_description_free(d);
        FaceId have;
        if (!fonts[f] || face_id(fonts[f], &have) != 0 || !same_face(&want, &have))
            ok = 0;
    }
    /* (each entry is more than a byte) */
    guint ne = ok ? get_n(&r, MIN(PARAIO_MAX_COUNT, head - ml)) : 0;
    ok = ok && !r.bad && r.p == r.e;
    r = (Reader){data + ml, data + head, 0};
    ParaEntry **read = xcalloc((size_t)ne + 1, sizeof *read);
    Widths *wd = g_new0(Widths, 1);
    guint n_read = 0;
    for (guint i = 0; i < ne && ok && !r.bad; i++) {
        ParaEntry *pe = xcalloc(1, sizeof *pe);
        arena_init_small(&pe->arena);
        read[n_read++] = pe;
        get_entry(&r, fonts, nf, wd, pe);
    }
    g_free(wd);
    ok = ok && !r.bad && r.p == r.e;
    int taken = 0;
    for (guint i = 0; i < n_read; i++) {
        ParaEntry *pe = read[i];
        if (ok && !g_hash_table_contains(e->cache, pe->key)) {
            pe->refs = 1;           /* the table's */
            pe->last_used = e->generation;
            g_hash_table_insert(e->cache, pe->key, pe);
            taken++;
        } else {
            pe->refs = 1;
            paracache_release(pe);
        }
    }
    for (guint f = 0; f < nf; f++)
        if (fonts[f]) {
            if (ok)
                engine_pin_font(e, fonts[f]);
            g_object_unref(fonts[f]);
        }
    free(fonts);
    free(read);
    arena_fini(&tmp);
    return ok ? taken : -1;
}
