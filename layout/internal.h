/* internal.h — private to layout/: the engine object, set lines as the
 * paragraph stage hands them to the page builder, and the vertical list. */
#ifndef TS_LAYOUT_INTERNAL_H
#define TS_LAYOUT_INTERNAL_H

#include "layout.h"
#include "hyph.h"

/* A set paragraph's key (paracache.c): the XXH3-128 of its inputs. */
#define PARA_KEY_LEN 16

typedef struct ParaEntry ParaEntry;

struct LayEngine {
    GHashTable *cache;          /* set paragraphs by their inputs (paracache.c) */
    guint8 *key_buf;            /* where a paragraph's inputs are put to be hashed ... */
    size_t key_cap;             /* ... and its size */
    unsigned generation;        /* lay_run count, for eviction */
    unsigned cache_keep;        /* layouts an unused entry survives */
    unsigned cache_oldest;      /* no entry was last used before this generation */
    int cache_hits, cache_misses;
    int cache_off;              /* TYPESET_NO_PARACACHE set */
    PangoFontMap *fontmap;      /* borrowed */
    PangoContext *ctx;          /* owned, glyph positions not rounded */
    char *hyph_dir;
    Hyph *hyph_en, *hyph_ru;    /* loaded on first use; NULL when missing */
    int tried_en, tried_ru;
    GHashTable *pinned;         /* PangoFont * whose FreeType face is kept locked */
    GHashTable *hyph_memo;      /* words already hyphenated (engine_hyph_word) */
    struct WordSlot *words;     /* words already shaped (words.c): an open table */
    guint words_mask, words_n;  /* its slots - 1, its entries */
    int words_off;              /* TYPESET_NO_WORDCACHE set */
    int uax14_off;              /* TYPESET_PANGO_BREAKS set: every paragraph's breaks
                                   from pango_get_log_attrs (uax14.c) */
    GHashTable *fontsets;       /* PangoFontset * -> its characters' fonts (itemize.c) */
    GHashTable *fontset_of;     /* font description + language -> the same (itemize.c) */
    GHashTable *families;       /* family list -> its PangoFontDescription (paragraph.c) */
    int itemize_off;            /* TYPESET_PANGO_ITEMIZE set: pango_itemize for all */
    int itemize_check;          /* TYPESET_CHECK_ITEMIZE set: compared with it, or abort */
    guint words_max;            /* entries before the memo is emptied (words.c) */
    GHashTable *hb_wraps;       /* pinned PangoFont * -> its HarfBuzz wrapper (hbshape.c) */
    GHashTable *hb_langs;       /* PangoLanguage * -> hb_language_t (hbshape.c) */
    hb_buffer_t *hb_buffer;     /* the one hbshape.c shapes in */
    int shape_off;              /* TYPESET_PANGO_SHAPE set: pango_shape_with_flags for all */
    int shape_check;            /* TYPESET_CHECK_SHAPE set: compared with it, or abort */
};

/* hbshape.c: text[0..len) of paragraph par[0..plen) (NULL: the text alone)
 * shaped into g as pango_shape_with_flags (.., PANGO_SHAPE_NONE) shapes it:
 * by HarfBuzz directly for left-to-right horizontal text without extra
 * attributes, else by Pango. */
void hbshape_init(LayEngine *e);
void hbshape_fini(LayEngine *e);
void hbshape(LayEngine *e, const PangoAnalysis *an, const char *text, int len, const char *par,
             int plen, PangoGlyphString *g);

/* words.c: the engine's memo of shaped words. */
void words_init(LayEngine *e);
void words_fini(LayEngine *e);
/* Shapes item it of paragraph par[0..plen) into out, as pango_shape_item
 * (it, par, plen, la, out, PANGO_SHAPE_NONE) does, word by word from the
 * memo where that gives the same glyphs. */
void words_shape_item(LayEngine *e, PangoItem *it, const char *par, int plen, PangoLogAttr *la,
                      PangoGlyphString *out);

/* itemize.c: the items of paragraph txt[0..len) (its nch characters ch)
 * with attributes attrs, as pango_itemize (e->ctx, txt, 0, len, attrs,
 * NULL) gives them: made here for left-to-right text without emoji whose
 * attributes are fonts and languages, else by pango_itemize. */
void itemize_init(LayEngine *e);
/* The fonts a run's prefetch asked for: their keys, and the last span's
 * font, which most spans repeat (its key is not even formatted). */
typedef struct FontsSeen {
    GHashTable *keys;           /* strings, owned */
    const LayFont *last;
    const char *last_lang;
} FontsSeen;
/* Asks now for the fontset text in font description fd and language lang
 * will take (itemize.c); para_prefetch_fonts, for the paragraphs of a run. */
void itemize_prefetch(LayEngine *e, const PangoFontDescription *fd, PangoLanguage *lang);
void para_prefetch_fonts(LayEngine *e, const LayPara *p, FontsSeen *seen);
void itemize_fini(LayEngine *e);
GList *itemize_paragraph(LayEngine *e, const char *txt, int len, const gunichar *ch, int nch,
                         PangoAttrList *attrs);

/* uax14.c: fills la[0..n] (zeroed) with the line break opportunities of the
 * n characters ch, as pango_get_log_attrs gives them (is_line_break and
 * is_mandatory_break; nothing else), when every character is of a class it
 * handles: 0; else -1, and la is left for pango_get_log_attrs. */
int uax14_breaks(const gunichar *ch, int n, PangoLogAttr *la);

/* Keeps font's FreeType face open and locked until the engine is freed (a
 * cairo 1.16 race, see layout.c).  Once per font; NULL is fine. */
void engine_pin_font(LayEngine *e, PangoFont *font);

/* A set line: positioned items relative to the line's origin (left edge of
 * the measure, baseline) plus what the page builder needs to know. */
typedef struct SetLine {
    LayItem *items;             /* x relative to the text block's left edge, y = 0 at baseline */
    int n_items;
    double height;              /* the leading this line occupies */
    double ascent;              /* baseline distance from the top of the line box */
    int *footnotes;             /* footnote numbers whose markers are on this line */
    int n_footnotes;
    int keep_next;              /* no page break after this line (inside a table row) */
    int repeat;                 /* a table header line: repeated atop continuation pages */
    LayLine info;               /* x relative to the block, y unknown until paged */
} SetLine;

typedef struct SetPara {
    SetLine *lines;
    int n;
} SetPara;

/* Owns glyph strings and items created for a result. */
typedef struct GlyphPool {
    PangoGlyphItem **v;
    int n, cap;
    VEC(PangoGlyphItem *) blocks;   /* pieces in one block each (glyph_block_new) */
    VEC(ParaEntry *) refs;      /* cached paragraphs this result uses */
} GlyphPool;

void glyph_pool_add(GlyphPool *p, PangoGlyphItem *gi);
/* A glyph item over item (owned) whose glyph string of n glyphs is in the
 * same block as it (glyphs and clusters uninitialised): one allocation where
 * pango_glyph_string_new and its arrays are four.  Pango must never free or
 * resize its glyph string; only the pool frees it (glyph_pool_add_block). */
PangoGlyphItem *glyph_block_new(PangoItem *item, int n);
void glyph_pool_add_block(GlyphPool *p, PangoGlyphItem *gi);
void glyph_pool_free(GlyphPool *p);

/* The checksum paraio.c ends its bytes with (64-bit words multiplied and
 * folded; not a cryptographic digest). */
guint64 paraio_checksum(const guint8 *p, size_t n);

/* One set paragraph in the engine's cache (paracache.c), as paraio.c writes
 * and reads it. */
struct ParaEntry {
    gint refs;
    unsigned last_used;         /* engine generation */
    GBytes *key;                /* every input of para_set, serialised */
    Arena arena;
    GlyphPool pool;
    SetPara set;
    int src_line;               /* the paragraph's source line when it was set */
};

/* Sets one paragraph into lines of width `measure` (pt).  Items' glyph strings go
 * to pool; line arrays to arena a.  Errors (uncovered characters) go to dl. */
int para_set(LayEngine *e, const LayPara *p, double measure, const LayBreakParams *brk,
             const char *file, int para_index, GlyphPool *pool, Arena *a, DiagList *dl,
             SetPara *out);

/* The same through the engine's paragraph cache (paracache.c): identical
 * inputs give the remembered lines.  Use this everywhere but inside the cache. */
int para_set_cached(LayEngine *e, const LayPara *p, double measure, const LayBreakParams *brk,
                    const char *file, int para_index, GlyphPool *pool, Arena *a, DiagList *dl,
                    SetPara *out);
void paracache_init(LayEngine *e);
void paracache_fini(LayEngine *e);
void paracache_next_generation(LayEngine *e);
void paracache_release(void *entry);

/* Width (pt) of the widest line of p set ragged at `measure`, without
 * hyphenation: with a huge measure the natural width, with a tiny one the
 * widest word (for table column widths). */
double para_natural_width(LayEngine *e, const LayPara *p, const LayBreakParams *brk, double measure,
                          GlyphPool *pool, Arena *a, DiagList *dl, const char *file);

/* Builds pages from the set blocks (page.c). */
int page_build(LayEngine *e, const LayInput *in, SetPara *paras, SetPara *notes, GlyphPool *pool,
               LayResult *out, Arena *a, DiagList *dl);

Hyph *engine_hyph(LayEngine *e, int cyrillic);
/* hyph_word (hyph.h) remembered per engine: a word met again with the same
 * dictionary and minima is looked up, not hyphenated again. */
int engine_hyph_word(LayEngine *e, Hyph *h, const char *word, int len, char *pts, int left_min,
                     int right_min);

#endif
