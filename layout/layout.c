/* layout.c — the engine object and lay_run: sets every block's paragraphs
 * (paragraph.c), turns tables into rows of set lines, sets footnotes, and hands
 * everything to the page builder (page.c). */
#include "internal.h"

#include <cairo-ft.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

void glyph_pool_add(GlyphPool *p, PangoGlyphItem *gi)
{
    VEC_PUSH(*p, gi);
}

/* The block: the glyph item, its glyph string, then the glyphs and the
 * clusters (each part a multiple of eight bytes). */
typedef struct GlyphBlock {
    PangoGlyphItem gi;
    PangoGlyphString g;
} GlyphBlock;

PangoGlyphItem *glyph_block_new(PangoItem *item, int n)
{
    size_t m = n > 0 ? (size_t)n : 1;
    size_t at = (sizeof(GlyphBlock) + 7) & ~(size_t)7;
    size_t clusters = at + ((m * sizeof(PangoGlyphInfo) + 7) & ~(size_t)7);
    GlyphBlock *b = g_malloc(clusters + m * sizeof(gint));
    memset(b, 0, sizeof *b);
    b->g.glyphs = (PangoGlyphInfo *)(void *)((char *)b + at);
    b->g.log_clusters = (gint *)(void *)((char *)b + clusters);
    b->g.num_glyphs = b->g.space = n;
    b->gi.item = item;
    b->gi.glyphs = &b->g;
    return &b->gi;
}

void glyph_pool_add_block(GlyphPool *p, PangoGlyphItem *gi)
{
    VEC_PUSH(p->blocks, gi);
}

void glyph_pool_free(GlyphPool *p)
{
    for (int i = 0; i < p->refs.n; i++)
        paracache_release(p->refs.v[i]);
    free(p->refs.v);
    for (int i = 0; i < p->blocks.n; i++) {
        pango_item_free(p->blocks.v[i]->item);
        g_free(p->blocks.v[i]);         /* the glyph item is the block's start */
    }
    free(p->blocks.v);
    for (int i = 0; i < p->n; i++) {
        PangoGlyphItem *gi = p->v[i];
        pango_item_free(gi->item);
        pango_glyph_string_free(gi->glyphs);
        g_slice_free(PangoGlyphItem, gi);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

/* Cairo 1.16 keeps one list of font faces per font file, shared by every
 * thread, and adds a new face to it without a lock
 * (_cairo_ft_font_face_create; later cairo locks it).  Two threads making the
 * first face of one file at the same moment each made one; a PDF painted
 * later used both and embedded PT Serif twice (two subsets: the same text,
 * different bytes; seen about once in a few hundred issue builds under
 * load).  Pango makes a font's cairo face when its scaled font is first
 * asked for, and in typeset that is engine_pin_font, called when a paragraph
 * first uses the font (traced with a wrapper around
 * cairo_ft_font_face_create_for_pattern: every first face of an issue build
 * is made there).  So that call is made under this process-wide lock. */
static GMutex face_lock;

/* Cairo 1.16 keeps at most ten FreeType faces open and, opening another,
 * closes one that is not locked at that moment.  The fonts configuration has
 * 14 faces; with more than ten in use (an issue with a two-style front and
 * articles), one thread closed a face that another thread's PDF font
 * subsetting was reading: `typeset issue -j 2` crashed in FT_Get_First_Char
 * about one run in four.  So each face is locked when a paragraph first uses
 * it and stays locked while the engine lives; cairo shares faces by file and
 * index, so the face Pango and the painter use is the one held open here. */
void engine_pin_font(LayEngine *e, PangoFont *font)
{
    if (!font || g_hash_table_contains(e->pinned, font) || !PANGO_IS_CAIRO_FONT(font))
        return;
    /* under face_lock: this may make the font's cairo face (see above) */
    g_mutex_lock(&face_lock);
    cairo_scaled_font_t *sf = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font));
    int locked = sf && cairo_scaled_font_get_type(sf) == CAIRO_FONT_TYPE_FT &&
                 cairo_ft_scaled_font_lock_face(sf);
    g_mutex_unlock(&face_lock);
    if (locked)
        g_hash_table_add(e->pinned, g_object_ref(font));
}

static void unpin_font(gpointer data)
{
    PangoFont *font = data;
    cairo_ft_scaled_font_unlock_face(pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font)));
    g_object_unref(font);
}

LayEngine *lay_engine_new(PangoFontMap *fontmap, const char *hyph_dir)
{
    LayEngine *e = xcalloc(1, sizeof *e);
    e->fontmap = fontmap;
    e->ctx = pango_font_map_create_context(fontmap);
    /* LIBRARY-NOTES §4: Pango rounds glyph positions by default, even for PDF */
    pango_context_set_round_glyph_positions(e->ctx, FALSE);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(e->ctx, fo);
    cairo_font_options_destroy(fo);
    e->hyph_dir = hyph_dir ? xstrdup(hyph_dir) : NULL;
    e->pinned = g_hash_table_new_full(g_direct_hash, g_direct_equal, unpin_font, NULL);
    e->hyph_memo = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    words_init(e);
    hbshape_init(e);
    e->uax14_off = getenv("TYPESET_PANGO_BREAKS") != NULL;   /* for comparing the two */
    itemize_init(e);
    e->families = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify)pango_font_description_free);
    paracache_init(e);
    return e;
}

void lay_engine_free(LayEngine *e)
{
    if (!e)
        return;
    paracache_fini(e);
    itemize_fini(e);
    g_hash_table_destroy(e->families);
    hbshape_fini(e);            /* its wrappers use the pinned fonts */
    g_hash_table_destroy(e->pinned);
    g_hash_table_destroy(e->hyph_memo);
    words_fini(e);
    g_object_unref(e->ctx);
    hyph_release(e->hyph_en);
    hyph_release(e->hyph_ru);
    free(e->hyph_dir);
    free(e);
}

/* Dictionaries are chosen by the word's script, not the paragraph's language,
 * so a Russian title inside an English reference list is hyphenated in Russian. */
Hyph *engine_hyph(LayEngine *e, int cyrillic)
{
    if (cyrillic) {
        if (!e->tried_ru) {
            e->hyph_ru = hyph_acquire(e->hyph_dir, "ru");
            e->tried_ru = 1;
        }
        return e->hyph_ru;
    }
    if (!e->tried_en) {
        e->hyph_en = hyph_acquire(e->hyph_dir, "en");
        e->tried_en = 1;
    }
    return e->hyph_en;
}

struct LayHyphHold {
    Hyph *h;
};

/* engine_hyph's choice for the words of a text in lang: the Russian
 * dictionary for a language written in Cyrillic, else the English one. */
static const char *hyph_for_lang(const char *lang)
{
    int n = 0;
    const PangoScript *sc = lang ? pango_language_get_scripts(pango_language_from_string(lang), &n) : NULL;
    for (int i = 0; sc && i < n; i++)
        if (sc[i] == PANGO_SCRIPT_CYRILLIC)
            return "ru";
    return "en";
}

LayHyphHold *lay_hyph_hold(const char *hyph_dir, const char *lang)
{
    LayHyphHold *h = xcalloc(1, sizeof *h);
    h->h = hyph_acquire(hyph_dir, hyph_for_lang(lang));
    return h;
}

void lay_hyph_unhold(LayHyphHold *h)
{
    if (!h)
        return;
    hyph_release(h->h);
    free(h);
}

/* Words longer than HYPH_MEMO_BYTES are hyphenated every time; the memo is
 * emptied when it holds HYPH_MEMO_MAX words (about 10 MB at worst; an issue
 * of 230 pages has some 20,000 different words). */
enum { HYPH_MEMO_BYTES = 96, HYPH_MEMO_MAX = 50000 };

int engine_hyph_word(LayEngine *e, Hyph *h, const char *word, int len, char *pts, int left_min,
                     int right_min)
{
    if (!h || !word || !pts || len <= 0 || len > HYPH_MEMO_BYTES || memchr(word, 0, (size_t)len))
        return hyph_word(h, word, len, pts, left_min, right_min);
    /* the key: dictionary, both minima (as bytes 1..121, never NUL), the word */
    char key[HYPH_MEMO_BYTES + 4];
    key[0] = h == e->hyph_ru ? 'r' : 'e';
    key[1] = (char)(CLAMP(left_min, 0, 120) + 1);
    key[2] = (char)(CLAMP(right_min, 0, 120) + 1);
    memcpy(key + 3, word, (size_t)len);
    key[len + 3] = 0;
    const char *hit = g_hash_table_lookup(e->hyph_memo, key);
    if (hit) {
        memcpy(pts, hit, (size_t)len);
        return (unsigned char)hit[len];
    }
    int n = hyph_word(h, word, len, pts, left_min, right_min);
    if (g_hash_table_size(e->hyph_memo) >= HYPH_MEMO_MAX)
        g_hash_table_remove_all(e->hyph_memo);
    char *v = g_malloc((size_t)len + 1);
    memcpy(v, pts, (size_t)len);
    v[len] = (char)CLAMP(n, 0, 255);
    g_hash_table_insert(e->hyph_memo, g_strdup(key), v);
    return n;
}

int lay_hyphenate(LayEngine *e, const char *lang, const char *word, int len, char *pts,
                  int left_min, int right_min)
{
    Hyph *h = engine_hyph(e, lang && strncmp(lang, "ru", 2) == 0);
    if (!h || (lang && strncmp(lang, "zh", 2) == 0)) {
        memset(pts, 0, (size_t)len);
        return 0;
    }
    return engine_hyph_word(e, h, word, len, pts, left_min, right_min);
}

/* ---- tables ----------------------------------------------------------------------
 * Column widths from content (table_columns): every column gets at least its
 * widest word, the rest of the measure in proportion to how much wider its
 * cells would like to be.  Each row becomes several set lines (one per visual
 * line of its tallest cell) that never part; rules above and below the header
 * and at the end; the header lines repeat on continuation pages. */
static void rule_line(Arena *a, double w, double thick, double height, SetLine *l)
{
    l->items = arena_calloc(a, 1, sizeof *l->items);
    l->items[0] = (LayItem){.kind = LI_RULE, .x = 0, .y = -height / 2, .w = w, .h = thick};
    l->n_items = 1;
    l->height = height;
    l->ascent = height / 2;
    l->info.para = -1;
}

/* Column widths as HTML's auto table layout does it, roughly: every column
 * gets its minimum (widest word); the rest of the measure goes to columns in
 * proportion to how much wider than that they would like to be. */
static void table_columns(const double *nat, const double *min, int nc, double measure, double *cw)
{
    double tmin = 0, tnat = 0;
    for (int c = 0; c < nc; c++) {
        tmin += min[c];
        tnat += nat[c];
    }
    for (int c = 0; c < nc; c++) {
        if (tnat <= measure)
            cw[c] = nat[c] + (measure - tnat) / nc;
        else if (tmin >= measure)
            cw[c] = min[c] * measure / tmin;        /* words will overflow: shrink evenly */
        else
            cw[c] = min[c] + (nat[c] - min[c]) * (measure - tmin) / (tnat - tmin);
    }
}

static int set_table(LayEngine *e, const LayInput *in, const LayBlock *blk, double measure,
                     GlyphPool *pool, Arena *a, DiagList *dl, int bi, SetPara *out)
{
    const LayTable *t = blk->table;
    int nc = t->ncols;
    double indent = t->indent > 0 && t->indent < measure / 2 ? t->indent : 0;
    measure -= indent;
    double *nat = arena_calloc(a, (size_t)nc, sizeof *nat);
    double *min = arena_calloc(a, (size_t)nc, sizeof *min);
    double pad = t->cell_pad;
    for (int r = 0; r < t->nrows; r++)
        for (int c = 0; c < nc; c++) {
            const LayPara *cp = &t->cells[r * nc + c];
            if (cp->len == 0)
                continue;
            double w = para_natural_width(e, cp, &in->brk, 1e5, pool, a, dl, in->file) + 2 * pad + 1;
            double m = para_natural_width(e, cp, &in->brk, 1, pool, a, dl, in->file) + 2 * pad + 1;
            if (w > nat[c])
                nat[c] = w;
            if (m > min[c])
                min[c] = m;
        }
    double *cw = arena_calloc(a, (size_t)nc, sizeof *cw);
    table_columns(nat, min, nc, measure, cw);
    VEC(SetLine) lines = {0};
    SetLine rl;
    memset(&rl, 0, sizeof rl);
    rule_line(a, measure, t->rule_width, 4, &rl);
    rl.repeat = t->header_rows > 0;
    rl.keep_next = 1;
    VEC_PUSH(lines, rl);
    for (int r = 0; r < t->nrows; r++) {
        SetPara *cells = arena_calloc(a, (size_t)nc, sizeof *cells);
        int rows = 0;
        double leading = 0;
        for (int c = 0; c < nc; c++) {
            const LayPara *cp = &t->cells[r * nc + c];
            if (cp->leading > leading)
                leading = cp->leading;
            if (cp->len == 0)
                continue;
            /* a cell is often one word: its last word may be hyphenated */
            LayBreakParams cb = in->brk;
            cb.hyphenate_last_word = 1;
            if (para_set_cached(e, cp, cw[c] - 2 * pad, &cb, in->file, bi, pool, a, dl, &cells[c]) != 0) {
                free(lines.v);      /* (leaked on this path: found by fuzz_build) */
                return -1;
            }
            for (int k = 0; k < cells[c].n; k++)
                if (cells[c].lines[k].info.overfull > 0.5) {
                    diag_add(dl, DIAG_WARNING, in->file, cp->src_line, 1,
                             "table cell too narrow: a line is %.1fpt too wide",
                             cells[c].lines[k].info.overfull);
                    break;
                }
            if (cells[c].n > rows)
                rows = cells[c].n;
        }
        if (rows == 0)
            rows = 1;       /* an empty row keeps its height */
        double x = 0;
        double *cx = arena_calloc(a, (size_t)nc, sizeof *cx);
        for (int c = 0; c < nc; c++) {
            cx[c] = x + pad;
            x += cw[c];
        }
        for (int k = 0; k < rows; k++) {
            SetLine l;
            memset(&l, 0, sizeof l);
            VEC(LayItem) items = {0};
            VEC(int) notes = {0};
            for (int c = 0; c < nc; c++) {
                if (k >= cells[c].n)
                    continue;
                SetLine *cl = &cells[c].lines[k];
                for (int q = 0; q < cl->n_items; q++) {
                    LayItem it = cl->items[q];
                    it.x += cx[c];
                    VEC_PUSH(items, it);
                }
                for (int q = 0; q < cl->n_footnotes; q++)
                    VEC_PUSH(notes, cl->footnotes[q]);
                l.ascent = cl->ascent;
                l.info = cl->info;
            }
            l.items = arena_calloc(a, (size_t)(items.n ? items.n : 1), sizeof *items.v);
            if (items.n)    /* memcpy from NULL is undefined even for 0 bytes */
                memcpy(l.items, items.v, (size_t)items.n * sizeof *items.v);
            l.n_items = items.n;
            l.footnotes = arena_calloc(a, (size_t)(notes.n ? notes.n : 1), sizeof(int));
            if (notes.n)
                memcpy(l.footnotes, notes.v, (size_t)notes.n * sizeof(int));
            l.n_footnotes = notes.n;
            free(items.v);
            free(notes.v);
            l.height = leading;
            l.info.para = -1;   /* table lines are not measured as justified text */
            /* a row never splits; the header stays with the first row, the
             * last row with the closing rule */
            l.keep_next = k + 1 < rows || r < t->header_rows || r + 1 == t->nrows;
            l.repeat = r < t->header_rows;
            VEC_PUSH(lines, l);
        }
        if (r + 1 < t->nrows && r + 1 != t->header_rows) {
            /* a little air between body rows */
            SetLine gap;
            memset(&gap, 0, sizeof gap);
            gap.height = t->row_gap;
            gap.info.para = -1;
            gap.keep_next = r + 2 == t->nrows;  /* the last row stays with the closing rule */
            VEC_PUSH(lines, gap);
        }
        if (r + 1 == t->header_rows && r + 1 < t->nrows) {     /* (a header-only table: the closing rule) */
            rule_line(a, measure, t->rule_width / 2, 4, &rl);
            rl.repeat = 1;
            rl.keep_next = 1;
            VEC_PUSH(lines, rl);
        }
    }
    rule_line(a, measure, t->rule_width, 4, &rl);
    rl.repeat = 0;
    rl.keep_next = 0;
    VEC_PUSH(lines, rl);
    if (indent > 0)
        for (int k = 0; k < lines.n; k++) {
            lines.v[k].info.x += indent;
            for (int q = 0; q < lines.v[k].n_items; q++)
                lines.v[k].items[q].x += indent;
        }
    out->lines = arena_calloc(a, (size_t)lines.n, sizeof *lines.v);
    memcpy(out->lines, lines.v, (size_t)lines.n * sizeof *lines.v);
    out->n = lines.n;
    free(lines.v);
    return 0;
}

static double measure_of(const LayInput *in)
{
    const LayPageSpec *ps = &in->page;
    double w = ps->width - ps->margin_inner - ps->margin_outer;
    if (ps->columns > 1)
        w = (w - (ps->columns - 1) * ps->column_gap) / ps->columns;
    return w;
}

static int set_blocks(LayEngine *e, const LayInput *in, const LayBlock *blocks, int n,
                      GlyphPool *pool, Arena *a, DiagList *dl, SetPara *out)
{
    const LayPageSpec *ps = &in->page;
    double full = ps->width - ps->margin_inner - ps->margin_outer;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const LayBlock *b = &blocks[i];
        double measure = b->span_columns ? full : measure_of(in);
        memset(&out[i], 0, sizeof out[i]);
        if (b->kind == LB_PARA) {
            if (para_set_cached(e, &b->para, measure, &in->brk, in->file, i, pool, a, dl, &out[i]) != 0)
                rc = -1;
        } else if (b->kind == LB_TABLE && b->table) {
            if (set_table(e, in, b, measure, pool, a, dl, i, &out[i]) != 0)
                rc = -1;
        } else if (b->kind == LB_IMAGE) {
            /* a figure is one unbreakable line as tall as the image */
            double w = b->image_w, h = b->image_h;
            if (w > measure) {
                h *= measure / w;
                w = measure;
            }
            SetLine *l = arena_calloc(a, 1, sizeof *l);
            l->items = arena_calloc(a, 1, sizeof *l->items);
            l->items[0] = (LayItem){.kind = LI_IMAGE, .x = (measure - w) / 2, .y = -h, .w = w,
                                    .h = h, .str = b->image};
            l->n_items = 1;
            l->height = h;
            l->ascent = h;
            l->info.para = -1;
            out[i].lines = l;
            out[i].n = 1;
        } else if (b->kind == LB_RULE) {
            out[i].lines = arena_calloc(a, 1, sizeof(SetLine));
            out[i].n = 1;
            rule_line(a, b->rule_length > 0 ? b->rule_length : measure, b->rule_width, 8,
                      &out[i].lines[0]);
        }
    }
    return rc;
}

/* A figure taller than the text block ran off the page and took its caption
 * (kept with it) below the bottom edge.  So a figure is scaled down, keeping
 * its proportions, until it, its caption and the space around them fit the
 * text block; a caption taller than three quarters of the block still leaves
 * the figure a quarter of it. */
static void fit_figures(const LayInput *in, const LayBlock *blocks, int n, SetPara *out)
{
    const LayPageSpec *ps = &in->page;
    double room = ps->height - ps->margin_top - ps->margin_bottom;
    for (int i = 0; i < n; i++) {
        if (blocks[i].kind != LB_IMAGE || out[i].n != 1 || out[i].lines[0].n_items != 1)
            continue;
        double need = blocks[i].space_before + blocks[i].space_after + 1;
        if (blocks[i].keep_with_next && i + 1 < n) {
            need += blocks[i + 1].space_before;
            for (int k = 0; k < out[i + 1].n; k++)
                need += out[i + 1].lines[k].height;
        }
        double max_h = room - need;
        if (max_h < room / 4)
            max_h = room / 4;
        SetLine *l = &out[i].lines[0];
        LayItem *it = &l->items[0];
        if (it->h <= max_h || it->h <= 0)
            continue;
        double w = it->w * max_h / it->h;
        it->x += (it->w - w) / 2;       /* still centred */
        it->w = w;
        it->h = max_h;
        it->y = -max_h;
        l->height = l->ascent = max_h;
    }
}

int lay_run(LayEngine *e, const LayInput *in, LayResult *out, Arena *a, DiagList *dl)
{
    memset(out, 0, sizeof *out);
    paracache_next_generation(e);
    GlyphPool *pool = xcalloc(1, sizeof *pool);
    out->priv = pool;
    SetPara *paras = arena_calloc(a, (size_t)(in->n_blocks ? in->n_blocks : 1), sizeof *paras);
    FontsSeen seen = {.keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    for (int i = 0; i < in->n_blocks; i++)
        if (in->blocks[i].kind == LB_PARA)
            para_prefetch_fonts(e, &in->blocks[i].para, &seen);
    for (int f = 0; f < in->n_footnotes; f++)
        for (int i = 0; i < in->footnotes[f].n; i++)
            if (in->footnotes[f].blocks[i].kind == LB_PARA)
                para_prefetch_fonts(e, &in->footnotes[f].blocks[i].para, &seen);
    g_hash_table_destroy(seen.keys);
    int rc = set_blocks(e, in, in->blocks, in->n_blocks, pool, a, dl, paras);
    fit_figures(in, in->blocks, in->n_blocks, paras);
    /* each footnote's blocks become one run of lines */
    SetPara *notes = arena_calloc(a, (size_t)(in->n_footnotes ? in->n_footnotes : 1), sizeof *notes);
    for (int f = 0; f < in->n_footnotes; f++) {
        const LayFootnote *fn = &in->footnotes[f];
        SetPara *parts = arena_calloc(a, (size_t)(fn->n ? fn->n : 1), sizeof *parts);
        if (set_blocks(e, in, fn->blocks, fn->n, pool, a, dl, parts) != 0)
            rc = -1;
        int total = 0;
        for (int k = 0; k < fn->n; k++)
            total += parts[k].n;
        notes[f].lines = arena_calloc(a, (size_t)(total ? total : 1), sizeof(SetLine));
        for (int k = 0; k < fn->n; k++) {
            if (parts[k].n)
                memcpy(notes[f].lines + notes[f].n, parts[k].lines, (size_t)parts[k].n * sizeof(SetLine));
            notes[f].n += parts[k].n;
        }
    }
    if (rc != 0)
        return -1;
    return page_build(e, in, paras, notes, pool, out, a, dl);
}

void lay_result_fini(LayResult *r)
{
    if (r->priv) {
        glyph_pool_free(r->priv);
        free(r->priv);
    }
    memset(r, 0, sizeof *r);
}
