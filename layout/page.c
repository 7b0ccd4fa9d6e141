/* page.c — the page builder.  The set blocks become one vertical list of
 * lines, discardable glue and penalties (TeX's model, tex.web §980–1028, much
 * simplified): club and widow penalties inside paragraphs, infinite penalties
 * that keep a heading with the first two lines of what follows, forced breaks.
 * Each page takes lines until the next would overflow the text block less
 * its footnotes, then breaks at the cheapest legal point seen, where the cost
 * is the penalty plus a charge for every line the page runs short (so a page
 * runs one line short rather than leave a widow, but not three).  Footnotes go
 * on the page of their reference; one too long for the page continues on the
 * next.  Running heads and folios are set with the paragraph engine, one
 * line each; a table continued on a later page gets its "continued" label
 * and header rows again at the top. */
#include "internal.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

typedef enum { V_LINE, V_GLUE, V_PENALTY } VKind;

typedef struct V {
    VKind kind;
    const SetLine *line;
    double h;
    int penalty;
    int block;
    int flex;                   /* glue that vertical justification may stretch:
                                   not inside a kept group (caption + table, heading + text) */
} V;

typedef VEC(V) VList;

#define KP_INF_PAGE 10000     /* page penalties: >= no break, <= -KP_INF_PAGE forced */

/* The cost of a page running short, per line: linear, so that one line short
 * (60) always beats a widow or an orphan (150 by default) and two lines short
 * (120) still do; the glue on a short page is stretched to align the foot
 * (see emit_page). */
#define SHORT_LINE_COST 60.0
#define FLOAT_SEP 9.0           /* pt between a top figure and the text below it */

static void vpush(VList *vl, V v)
{
    VEC_PUSH(*vl, v);
}

static void build_vlist(const LayInput *in, const SetPara *paras, VList *vl)
{
    int prev_keep = 0;
    for (int i = 0; i < in->n_blocks; i++) {
        const LayBlock *b = &in->blocks[i];
        const SetPara *sp = &paras[i];
        if (b->kind == LB_PAGEBREAK) {
            vpush(vl, (V){V_PENALTY, NULL, 0, -KP_INF_PAGE, i, 0});
            prev_keep = 0;
            continue;
        }
        if (b->kind == LB_SPACE) {
            vpush(vl, (V){V_GLUE, NULL, b->space_before, 0, i, 1});
            continue;
        }
        if (sp->n == 0)
            continue;
        if (vl->n > 0)
            vpush(vl, (V){V_PENALTY, NULL, 0, prev_keep ? KP_INF_PAGE : 0, i, 0});
        if (b->space_before > 0)
            vpush(vl, (V){V_GLUE, NULL, b->space_before, 0, i, !prev_keep});
        int is_text = b->kind == LB_PARA;
        for (int k = 0; k < sp->n; k++) {
            if (k > 0) {
                int pen = 0;
                if (b->keep_with_next || sp->lines[k - 1].keep_next)
                    pen = KP_INF_PAGE;
                else if (is_text) {
                    if (k == 1)
                        pen += in->page.club_penalty;      /* one line left behind */
                    if (k == sp->n - 1)
                        pen += in->page.widow_penalty;     /* one line carried over */
                    if (k == 1 && prev_keep)
                        pen = KP_INF_PAGE;                 /* heading + one line */
                }
                vpush(vl, (V){V_PENALTY, NULL, 0, pen, i, 0});
            }
            vpush(vl, (V){V_LINE, &sp->lines[k], sp->lines[k].height, 0, i, 0});
        }
        if (b->space_after > 0)
            vpush(vl, (V){V_GLUE, NULL, b->space_after, 0, i, !b->keep_with_next});
        prev_keep = b->keep_with_next;
    }
}

/* ---- footnotes ------------------------------------------------------------------*/
typedef struct NoteQueue {
    const SetLine **v;          /* footnote lines waiting for a page */
    int n, cap;
} NoteQueue;

static double lines_height(const SetLine *const *l, int n)
{
    double h = 0;
    for (int i = 0; i < n; i++)
        h += l[i]->height;
    return h;
}

static double note_height(const SetPara *notes, const LayInput *in, int number)
{
    for (int f = 0; f < in->n_footnotes; f++)
        if (in->footnotes[f].number == number) {
            double h = 0;
            for (int k = 0; k < notes[f].n; k++)
                h += notes[f].lines[k].height;
            return h;
        }
    return 0;
}

/* ---- placing -------------------------------------------------------------------*/
typedef struct PageOut {
    VEC(LayItem) items;
} PageOut;

static void put(PageOut *po, LayItem it)
{
    VEC_PUSH(po->items, it);
}

static void put_line(PageOut *po, const SetLine *l, double x0, double baseline)
{
    for (int k = 0; k < l->n_items; k++) {
        LayItem it = l->items[k];
        it.x += x0;
        it.y += baseline;
        put(po, it);
    }
}

typedef struct Range {
    int from, to;               /* V entries [from, to) */
} Range;

typedef struct Pager {
    LayEngine *e;
    const LayInput *in;
    const SetPara *paras, *notes;
    GlyphPool *pool;
    Arena *a;
    DiagList *dl;
    VEC(LayPage) pages;
    VEC(LayLine) lines;
    VEC(LayOutline) outline;
    NoteQueue carry;
    unsigned char *block_started;   /* dest/outline emitted */
    unsigned char *deferred;        /* V entries of floats moved out of the flow */
    VEC(Range) floats;              /* deferred figures waiting for a frame top */
    int carry_mid_note;             /* the carried note lines begin inside a note */
    SetPara head[2];                /* running head: verso, recto (once head_done) */
    int head_done[2], head_warned[2], folio_warned;
    SetPara *cont;                  /* by block: a table's "continued" line(s), n = 0 if none */
} Pager;

static double text_left(const Pager *pg, int page_index)
{
    const LayPageSpec *ps = &pg->in->page;
    int number = ps->first_number + page_index;
    /* recto (odd folio): inner margin on the left */
    return (number % 2) ? ps->margin_inner : ps->margin_outer;
}

/* ---- running heads and folios ------------------------------------------------------
 * Each is one line.  A text too wide for the measure is cut: at the last word
 * boundary that leaves room for an ellipsis (at a character boundary when not
 * even the first word fits), with the punctuation that would dangle before
 * the ellipsis dropped ("Ivanov I.I., Petrov P.P.," -> "Ivanov I.I.…"), and
 * one warning says what was printed. */
#define ELLIPSIS "\xE2\x80\xA6"

/* Sets len bytes of s in font at `width`.  Returns 0 when they make one line
 * that does not stick out, 1 when they do not, -1 on an error (in pg->dl). */
static int set_line(Pager *pg, const char *s, int len, const LayFont *font, LayAlign align,
                    double width, SetPara *out)
{
    LaySpan sp = {.start = 0, .end = len, .font = *font};
    LayPara p = {.text = s, .len = len, .spans = &sp, .n_spans = 1,
                 .lang = pg->in->page.lang, .align = align, .leading = font->size * 1.2};
    if (para_set_cached(pg->e, &p, width, &pg->in->brk, pg->in->file, -1, pg->pool, pg->a, pg->dl,
                        out) != 0)
        return -1;
    return out->n == 1 && out->lines[0].info.overfull <= 0 ? 0 : 1;
}

/* s cut at byte n, less the spaces and punctuation that would end it before
 * the ellipsis, plus the ellipsis; NULL when nothing is left. */
static const char *cut_text(Arena *a, const char *s, int n)
{
    static const char *const dangling[] = {
        " ", "\xC2\xA0", ",", ";", ":", "-", "/", "(", "[", "\xC2\xAB", "\xC2\xB7",
        "\xE2\x80\x93", "\xE2\x80\x94", "\xE2\x80\x9C", "\xE2\x80\x9E",        /* – — “ „ */
        "\xEF\xBC\x8C", "\xE3\x80\x81", "\xEF\xBC\x9B", "\xEF\xBC\x9A",        /* ， 、 ； ： */
    };
    for (int again = 1; again && n > 0;) {
        again = 0;
        for (size_t k = 0; k < sizeof dangling / sizeof *dangling; k++) {
            int l = (int)strlen(dangling[k]);
            if (n >= l && memcmp(s + n - l, dangling[k], (size_t)l) == 0) {
                n -= l;
                again = 1;
                break;
            }
        }
    }
    return n > 0 ? arena_printf(a, "%.*s" ELLIPSIS, n, s) : NULL;
}

/* The longest cut of s that fits, trying the byte offsets cuts[0..n) (in
 * increasing order; a longer cut is never narrower, so a binary search).
 * Returns the text set in *out, or NULL (out->n = 0) if none fits. */
static const char *fit_cut(Pager *pg, const char *s, const int *cuts, int n, const LayFont *font,
                           LayAlign align, double width, SetPara *out)
{
    const char *best = NULL;
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const char *t = cut_text(pg->a, s, cuts[mid]);
        SetPara sp;
        int r = t ? set_line(pg, t, (int)strlen(t), font, align, width, &sp) : 0;
        if (r < 0)
            break;
        if (r == 0) {
            if (t) {
                best = t;
                *out = sp;
            }
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (!best)
        out->n = 0;
    return best;
}

/* Sets s as one line of furniture into *out (out->n = 0: nothing to draw).
 * Text too wide is shortened and, unless *warned (which is then set), a
 * warning at src_line of the input file says so, naming the line `what`. */
static void set_furniture(Pager *pg, const char *s, const LayFont *font, LayAlign align,
                          double width, const char *what, int src_line, int *warned, SetPara *out)
{
    out->n = 0;
    if (!s || !*s)
        return;
    int len = (int)strlen(s);
    int r = set_line(pg, s, len, font, align, width, out);
    if (r <= 0) {
        if (r < 0)
            out->n = 0;
        return;
    }
    VEC(int) cuts = {0};
    for (int i = 1; i < len; i++)
        if (s[i] == ' ')
            VEC_PUSH(cuts, i);
    const char *shown = fit_cut(pg, s, cuts.v, cuts.n, font, align, width, out);
    if (!shown) {   /* not one word fits: cut between characters */
        cuts.n = 0;
        for (const char *q = g_utf8_next_char(s); q < s + len; q = g_utf8_next_char(q))
            VEC_PUSH(cuts, (int)(q - s));
        shown = fit_cut(pg, s, cuts.v, cuts.n, font, align, width, out);
    }
    free(cuts.v);
    if (*warned)
        return;
    *warned = 1;
    if (shown)
        diag_add(pg->dl, DIAG_WARNING, pg->in->file, src_line > 0 ? src_line : 1, 1,
                 "%s is too long for one line (%.1fpt): shortened to '%s'", what, width, shown);
    else
        diag_add(pg->dl, DIAG_WARNING, pg->in->file, src_line > 0 ? src_line : 1, 1,
                 "%s does not fit in %.1fpt: left out", what, width);
}

/* One line cannot be justified: a style that leaves the alignment at body's
 * (justify) gets it centred, as the furniture always was. */
static LayAlign furniture_align(LayAlign a)
{
    return a == ALIGN_JUSTIFY ? ALIGN_CENTER : a;
}

/* The folio text of page `number`: the parts with the number between them. */
static const char *folio_text(Arena *a, const LayPageSpec *ps, int number)
{
    if (ps->n_folio_parts <= 0 || !ps->folio_parts)
        return arena_printf(a, "%d", number);
    const char *t = ps->folio_parts[0] ? ps->folio_parts[0] : "";
    for (int i = 1; i < ps->n_folio_parts; i++)
        t = arena_printf(a, "%s%d%s", t, number, ps->folio_parts[i] ? ps->folio_parts[i] : "");
    return t;
}

static void put_set(PageOut *po, const SetPara *sp, double x, double baseline)
{
    if (sp->n > 0)
        put_line(po, &sp->lines[0], x, baseline);
}

static void page_furniture(Pager *pg, PageOut *po, int page_index)
{
    const LayPageSpec *ps = &pg->in->page;
    if (page_index == 0)
        return;     /* the first page carries the masthead instead */
    int number = ps->first_number + page_index;
    double left = text_left(pg, page_index);
    double width = ps->width - ps->margin_inner - ps->margin_outer;
    if (ps->running_heads) {
        /* the same on every verso (recto): set once, warned about once */
        int recto = number % 2 != 0;
        if (!pg->head_done[recto]) {
            pg->head_done[recto] = 1;
            set_furniture(pg, recto ? ps->head_recto : ps->head_verso, &ps->head_font,
                          furniture_align(ps->head_align), width,
                          recto ? "running head (recto)" : "running head (verso)",
                          recto ? ps->head_recto_line : ps->head_verso_line,
                          &pg->head_warned[recto], &pg->head[recto]);
        }
        put_set(po, &pg->head[recto], left, ps->margin_top - ps->head_offset);
    }
    SetPara folio;
    set_furniture(pg, folio_text(pg->a, ps, number), &ps->folio_font,
                  furniture_align(ps->folio_align), width, "folio", 1, &pg->folio_warned, &folio);
    put_set(po, &folio, left, ps->height - ps->margin_bottom + ps->folio_offset);
}

static const char *tag_of(const LayInput *in, int block)
{
    const char *t = in->blocks[block].tag;
    return t ? t : "P";
}

/* A table that continues at the top of a page gets its "continued" label and
 * its header rows again: when the first line at `i` belongs to a table already
 * begun on an earlier page, returns the table's block and sets *height to what
 * those lines take; else -1. */
static int continued_table(const Pager *pg, const VList *vl, int i, double *height)
{
    *height = 0;
    if (i >= vl->n || vl->v[i].kind != V_LINE || vl->v[i].line->repeat)
        return -1;
    int b = vl->v[i].block;
    if (pg->in->blocks[b].kind != LB_TABLE || !pg->block_started[b])
        return -1;
    const SetPara *lab = &pg->cont[b], *sp = &pg->paras[b];
    for (int k = 0; k < lab->n; k++)
        *height += lab->lines[k].height;
    for (int k = 0; k < sp->n && sp->lines[k].repeat; k++)
        *height += sp->lines[k].height;
    return *height > 0 ? b : -1;
}

/* Emits V[from, to) and the footnotes onto a new page. */
/* A frame is the rectangle one run of lines fills: the page's text block in a
 * one-column style; in a two-column style each column, plus on the first page
 * a full-width frame for the blocks that span the columns (masthead, title,
 * abstract).  Footnotes sit at the foot of the frame that marks them. */
typedef struct Frame {
    double x, y, w, h;
    int span;                   /* takes only blocks with span_columns */
    double target;              /* balanced column height, 0 = fill */
} Frame;

/* Vertical justification (TeX's \flushbottom): a frame that ran short to
 * avoid a widow, an orphan or a split heading gets the shortfall spread over
 * the space between its blocks, so facing pages end on the same line.  Glue
 * grows to twice its size at most; a frame with no glue stays short. */
static double glue_scale(const Pager *pg, const VList *vl, int from, int to, double room_h,
                         int flush)
{
    double used = 0, glue = 0, hh;
    int started = 0;
    continued_table(pg, vl, from, &hh);
    used += hh;
    for (int i = from; i < to; i++) {
        const V *v = &vl->v[i];
        if (pg->deferred[i])
            continue;
        if (v->kind == V_LINE) {
            used += v->h;
            started = 1;
        } else if (v->kind == V_GLUE && started) {
            used += v->h;
            if (v->flex)
                glue += v->h;
        }
    }
    double room = room_h - used;
    if (!flush || room <= 0.01 || glue <= 0)
        return 1.0;
    double f = 1.0 + room / glue;
    return f > 2.0 ? 2.0 : f;
}

/* Emits V[from, to) into frame fr of the page being built, notes at its foot;
 * returns the height the body took. */
static double emit_frame(Pager *pg, PageOut *po, const Frame *fr, const VList *vl,
                         const Range *tops, int ntops, int from, int to,
                         const SetLine **fn, int nfn, int continued, int flush,
                         double *notes_top)
{
    const LayInput *in = pg->in;
    const LayPageSpec *ps = &in->page;
    int page_index = pg->pages.n;
    double left = fr->x;
    double y = fr->y;
    int open_block = -1;
    int skipping = 1;           /* glue at the top of a frame is discarded */
    double notes_h = nfn > 0 ? lines_height(fn, nfn) + ps->footnote_gap : 0;
    double gscale = glue_scale(pg, vl, from, to, fr->h - notes_h, flush && !fr->target && !ntops);
    /* the figures deferred to this frame's top, then the flow */
    for (int r = 0; r <= ntops; r++) {
    int r0 = r < ntops ? tops[r].from : from, r1 = r < ntops ? tops[r].to : to;
    for (int i = r0; i < r1; i++) {
        const V *v = &vl->v[i];
        if (v->kind == V_PENALTY || (r == ntops && pg->deferred[i]))
            continue;
        if (v->kind == V_GLUE) {
            if (!skipping)
                y += v->flex ? v->h * gscale : v->h;
            continue;
        }
        skipping = 0;
        const SetLine *l = v->line;
        const LayBlock *b = &in->blocks[v->block];
        if (open_block != v->block) {
            if (open_block >= 0)
                put(po, (LayItem){.kind = LI_TAG_END, .str = tag_of(in, open_block)});
            double hh;
            int tb = continued_table(pg, vl, i, &hh);
            if (tb >= 0 && pg->cont[tb].n > 0) {
                /* the label is a caption beside the table, as the first one is */
                const SetPara *lab = &pg->cont[tb];
                put(po, (LayItem){.kind = LI_TAG_BEGIN, .str = "Caption"});
                for (int k = 0; k < lab->n; k++) {
                    put_line(po, &lab->lines[k], left, y + lab->lines[k].ascent);
                    y += lab->lines[k].height;
                }
                put(po, (LayItem){.kind = LI_TAG_END, .str = "Caption"});
            }
            put(po, (LayItem){.kind = LI_TAG_BEGIN, .str = tag_of(in, v->block)});
            open_block = v->block;
            const SetPara *hdr = tb >= 0 ? &pg->paras[tb] : NULL;
            for (int k = 0; hdr && k < hdr->n && hdr->lines[k].repeat; k++) {
                put_line(po, &hdr->lines[k], left, y + hdr->lines[k].ascent);
                y += hdr->lines[k].height;
            }
            if (!pg->block_started[v->block]) {
                pg->block_started[v->block] = 1;
                if (b->dest)
                    put(po, (LayItem){.kind = LI_DEST, .x = left, .y = y, .str = b->dest});
                if (b->outline_level > 0 && b->dest)
                    VEC_PUSH(pg->outline, ((LayOutline){b->outline_level, b->outline_title, b->dest}));
            }
        }
        double baseline = y + l->ascent;
        put_line(po, l, left, baseline);
        if (l->info.para >= 0) {
            LayLine info = l->info;
            info.page = page_index;
            info.x += left;
            info.y = baseline;
            VEC_PUSH(pg->lines, info);
        }
        y += l->height;
    }
    if (r < ntops)
        y += FLOAT_SEP;
    }
    if (open_block >= 0)
        put(po, (LayItem){.kind = LI_TAG_END, .str = tag_of(in, open_block)});

    if (nfn > 0) {
        double top = fr->y + fr->h - notes_h;
        *notes_top = top;
        /* a note continued from the previous page sits under a full-width
         * rule (the continuation rule), a new one under the short rule */
        double rule_w = ps->footnote_rule_length > 0 && ps->footnote_rule_length < fr->w
                            ? ps->footnote_rule_length : fr->w / 4;
        put(po, (LayItem){.kind = LI_RULE, .x = left, .y = top + ps->footnote_gap / 2,
                          .w = continued ? fr->w : rule_w, .h = ps->footnote_rule_width});
        double fy = top + ps->footnote_gap;
        put(po, (LayItem){.kind = LI_TAG_BEGIN, .str = "Note"});
        for (int k = 0; k < nfn; k++) {
            put_line(po, fn[k], left, fy + fn[k]->ascent);
            fy += fn[k]->height;
        }
        put(po, (LayItem){.kind = LI_TAG_END, .str = "Note"});
    }
    return y - fr->y;
}

/* Is l the first line of a footnote? */
static int note_starts(const Pager *pg, const SetLine *l)
{
    for (int f = 0; f < pg->in->n_footnotes; f++)
        if (pg->notes[f].n > 0 && &pg->notes[f].lines[0] == l)
            return 1;
    return 0;
}

static void queue_note(Pager *pg, NoteQueue *q, int number)
{
    for (int f = 0; f < pg->in->n_footnotes; f++)
        if (pg->in->footnotes[f].number == number)
            for (int k = 0; k < pg->notes[f].n; k++)
                VEC_PUSH(*q, &pg->notes[f].lines[k]);
}

static int is_span_line(const LayInput *in, const VList *vl, int i)
{
    return i < vl->n && vl->v[i].kind == V_LINE && in->blocks[vl->v[i].block].span_columns;
}

typedef struct Filler {
    Pager *pg;
    const VList *vl;
    unsigned char *noted;       /* footnotes already queued, by number */
    int max_note;
    double unit;                /* a typical line, for the short-page charge */
    int cols;                   /* columns of the style */
} Filler;

static double range_height(const VList *vl, Range r)
{
    double h = 0;
    int started = 0;
    for (int k = r.from; k < r.to; k++) {
        if (vl->v[k].kind == V_LINE)
            started = 1;
        if (vl->v[k].kind == V_LINE || (vl->v[k].kind == V_GLUE && started))
            h += vl->v[k].h;
    }
    return h;
}

/* The V entries of the figure whose image line is at j: the image and, when it
 * is kept with the next block (its caption), that block too. */
static Range float_group(const LayInput *in, const VList *vl, int j)
{
    int b = vl->v[j].block;
    int last = in->blocks[b].keep_with_next && b + 1 < in->n_blocks ? b + 1 : b;
    int k = j;
    while (k < vl->n && (vl->v[k].kind != V_LINE || vl->v[k].block <= last) &&
           !(vl->v[k].kind == V_PENALTY && vl->v[k].block > last))
        k++;
    /* stop before the penalty that separates the group from what follows */
    while (k > j && vl->v[k - 1].kind == V_PENALTY)
        k--;
    return (Range){j, k};
}

/* Fills frame fr from vl[i]: picks the cheapest legal break that fits (penalty
 * plus the short-page charge), takes the footnotes of the lines placed (and
 * those carried over), emits everything into po.  Returns the index after the
 * break. */
static int fill_frame(Filler *f, const Frame *fr, int i, PageOut *po, double *used,
                      double *notes_top)
{
    Pager *pg = f->pg;
    const VList *vl = f->vl;
    const LayInput *in = pg->in;
    const LayPageSpec *ps = &in->page;
    double avail = fr->target > 0 && fr->target < fr->h ? fr->target : fr->h;
    /* footnote lines carried over from the previous frame come first */
    double carry_h = lines_height(pg->carry.v, pg->carry.n);
    int carry_take = pg->carry.n;
    double carry_max = i >= vl->n ? fr->h - ps->footnote_gap : fr->h * 0.5;
    while (carry_take > 0 && carry_h > carry_max)
        carry_h -= pg->carry.v[--carry_take]->height;
    if (carry_take == 0 && pg->carry.n > 0)
        carry_h = pg->carry.v[carry_take++]->height;
    double fn_h = carry_take ? carry_h + ps->footnote_gap : 0;
    int carry_continues = carry_take > 0 && pg->carry_mid_note;
    double h = 0;
    /* figures deferred from earlier frames go on top, as many as fit; a frame
     * of the text block's full height takes one at least (a figure is never
     * taller than that: fit_figures), so every figure finds a place, while a
     * short frame (a column under a spanning title) takes only what fits */
    int ntops = 0;
    double full = ps->height - ps->margin_top - ps->margin_bottom;
    while (ntops < pg->floats.n && !fr->span) {
        double fh = range_height(vl, pg->floats.v[ntops]) + FLOAT_SEP;
        if (ntops > 0 && h + fh > avail * 0.7)
            break;
        if (ntops == 0 && fh - FLOAT_SEP > avail + 0.01 && fr->h < full - 0.5)
            break;
        h += fh;
        ntops++;
    }
    /* the notes marked in those figures' captions belong to this frame */
    for (int t = 0; t < ntops; t++)
        for (int k = pg->floats.v[t].from; k < pg->floats.v[t].to; k++) {
            const V *v = &vl->v[k];
            for (int m = 0; v->kind == V_LINE && m < v->line->n_footnotes; m++) {
                int num = v->line->footnotes[m];
                if (num >= 0 && num <= f->max_note && !f->noted[num])
                    fn_h += note_height(pg->notes, in, num) + (fn_h == 0 ? ps->footnote_gap : 0);
            }
        }
    double th;
    continued_table(pg, vl, i, &th);    /* a repeated table header (and label) comes first */
    h += th;
    int best = -1, last_pen = -1, notes_full = 0;
    double best_cost = 1e18;
    int j = i, lines_here = 0;
    for (; j < vl->n; j++) {
        const V *v = &vl->v[j];
        if (pg->deferred[j])
            continue;
        if (v->kind == V_LINE && in->blocks[v->block].kind == LB_IMAGE && !fr->span) {
            /* a figure that does not fit floats to the top of the next frame
             * and the text after it fills this one (never before its mention:
             * it only ever moves later).  Figures keep their order: behind
             * one still waiting (deferred here, or from before and not on
             * this frame's top), a figure waits too, as LaTeX's floats do. */
            Range g = float_group(in, vl, j);
            double gh = range_height(vl, g);
            int waiting = pg->floats.n > ntops;
            if ((h + gh + fn_h > avail + 0.01 && (lines_here > 0 || ntops > 0)) || waiting) {
                for (int k = g.from; k < g.to; k++)
                    pg->deferred[k] = 1;
                VEC_PUSH(pg->floats, g);
                j = g.to - 1;
                continue;
            }
        }
        if (v->kind == V_PENALTY) {
            last_pen = j;
            if (v->penalty <= -KP_INF_PAGE) {
                best = j;
                break;
            }
            if (v->penalty < KP_INF_PAGE && lines_here > 0) {
                double short_lines = (avail - h - fn_h) / f->unit;
                double cost = v->penalty + SHORT_LINE_COST * short_lines;
                if (cost <= best_cost) {
                    best_cost = cost;
                    best = j;
                }
            }
            continue;
        }
        if (v->kind == V_GLUE) {
            h += v->h;
            continue;
        }
        if (in->blocks[v->block].flush_floats && pg->floats.n > ntops && !fr->span) {
            /* a float barrier (the end matter): the frame ends here and the
             * next ones take the waiting figures on top, at least one each,
             * until none is left */
            best = j;
            break;
        }
        if (f->cols > 1 && fr->span != (in->blocks[v->block].span_columns != 0)) {
            best = last_pen;    /* where the spanning blocks end, the columns begin */
            break;
        }
        double add_fn = 0;
        for (int k = 0; k < v->line->n_footnotes; k++) {
            int num = v->line->footnotes[k];
            if (num >= 0 && num <= f->max_note && !f->noted[num])
                add_fn += note_height(pg->notes, in, num);
        }
        if (add_fn > 0 && fn_h == 0)
            add_fn += ps->footnote_gap;
        if (notes_full && lines_here > 0)
            break;      /* notes running on to the next page fill this frame's foot */
        if (h + v->h + fn_h + add_fn > avail + 0.01 && lines_here > 0) {
            /* a note too long for the room left may run on to the next page:
             * the line stays when two lines of its note fit below it */
            double min_note = (fn_h == 0 ? ps->footnote_gap : 0) + 2 * f->unit;
            if (add_fn <= 0 || h + v->h + fn_h + min_note > avail + 0.01)
                break;
            add_fn = avail - h - v->h - fn_h;
            notes_full = 1;
        }
        h += v->h;
        fn_h += add_fn;
        lines_here++;
    }
    if (j >= vl->n)
        best = vl->n;
    if (best < 0)
        best = j;   /* no legal break fitted: break before the overflowing line */
    /* notes referenced by lines in this frame, in order, after the carried ones */
    NoteQueue q = {0};
    for (int k = 0; k < carry_take; k++)
        VEC_PUSH(q, pg->carry.v[k]);
    NoteQueue rest = {0};
    for (int k = carry_take; k < pg->carry.n; k++)
        VEC_PUSH(rest, pg->carry.v[k]);
    double body_h = 0;
    for (int t = 0; t < ntops; t++) {
        body_h += range_height(vl, pg->floats.v[t]) + FLOAT_SEP;
        for (int k = pg->floats.v[t].from; k < pg->floats.v[t].to; k++) {
            const V *v = &vl->v[k];
            for (int m = 0; v->kind == V_LINE && m < v->line->n_footnotes; m++) {
                int num = v->line->footnotes[m];
                if (num >= 0 && num <= f->max_note && !f->noted[num]) {
                    f->noted[num] = 1;
                    queue_note(pg, &q, num);
                }
            }
        }
    }
    body_h += th;       /* a repeated table header takes room from the notes too */
    for (int k = i; k < best && k < vl->n; k++) {
        const V *v = &vl->v[k];
        if (pg->deferred[k])
            continue;
        if (v->kind == V_GLUE && body_h > 0)
            body_h += v->h;
        if (v->kind != V_LINE)
            continue;
        body_h += v->h;
        for (int m = 0; m < v->line->n_footnotes; m++) {
            int num = v->line->footnotes[m];
            if (num >= 0 && num <= f->max_note && !f->noted[num]) {
                f->noted[num] = 1;
                queue_note(pg, &q, num);
            }
        }
    }
    /* what does not fit goes on, ahead of later notes */
    double room = fr->h - body_h - ps->footnote_gap;
    int take = 0;
    double nused = 0;
    while (take < q.n && nused + q.v[take]->height <= room + 0.01) {
        nused += q.v[take]->height;
        take++;
    }
    if (take == 0 && q.n > 0 && body_h == 0)
        take = 1;
    NoteQueue next = {0};
    for (int k = take; k < q.n; k++)
        VEC_PUSH(next, q.v[k]);
    pg->carry_mid_note = take < q.n && !note_starts(pg, q.v[take]);
    for (int k = 0; k < rest.n; k++)
        VEC_PUSH(next, rest.v[k]);
    /* the article's end, a forced break and the end of the spanning blocks stay short */
    int flush = !fr->span && best < vl->n &&
                !(vl->v[best].kind == V_PENALTY && vl->v[best].penalty <= -KP_INF_PAGE);
    /* the top floats leave the queue (copied first: emitting may defer none) */
    Range *tops = ntops ? xmalloc((size_t)ntops * sizeof *tops) : NULL;
    if (ntops) {
        memcpy(tops, pg->floats.v, (size_t)ntops * sizeof *tops);
        memmove(pg->floats.v, pg->floats.v + ntops, (size_t)(pg->floats.n - ntops) * sizeof *tops);
        pg->floats.n -= ntops;
    }
    *used = emit_frame(pg, po, fr, vl, tops, ntops, i, best, q.v, take, carry_continues, flush,
                       notes_top);
    free(tops);
    free(q.v);
    free(rest.v);
    free(pg->carry.v);
    pg->carry = next;
    if (best >= vl->n)
        return vl->n;
    /* a break at a penalty or glue is consumed; a break forced before a line
     * (nothing legal fitted) leaves that line for the next frame */
    return vl->v[best].kind == V_LINE ? best : best + 1;
}

/* Height of the material from i to the end: for balancing the last page's columns. */
static double rest_height(const VList *vl, int i)
{
    double h = 0;
    for (int k = i; k < vl->n; k++)
        if (vl->v[k].kind != V_PENALTY)
            h += vl->v[k].h;
    return h;
}

int page_build(LayEngine *e, const LayInput *in, SetPara *paras, SetPara *notes, GlyphPool *pool,
               LayResult *out, Arena *a, DiagList *dl)
{
    Pager pg = {.e = e, .in = in, .paras = paras, .notes = notes, .pool = pool, .a = a, .dl = dl};
    pg.block_started = arena_alloc(a, (size_t)in->n_blocks + 1);
    VList vl = {0};
    build_vlist(in, paras, &vl);
    pg.deferred = arena_alloc(a, (size_t)vl.n + 1);
    const LayPageSpec *ps = &in->page;
    int cols = ps->columns > 1 ? ps->columns : 1;
    double full_w = ps->width - ps->margin_inner - ps->margin_outer;
    double col_w = (full_w - (cols - 1) * ps->column_gap) / cols;
    /* each table's "continued" label, at the table's measure */
    pg.cont = arena_calloc(a, (size_t)in->n_blocks + 1, sizeof *pg.cont);
    for (int b = 0; b < in->n_blocks; b++) {
        const LayBlock *bl = &in->blocks[b];
        if (bl->kind != LB_TABLE || !bl->table || bl->table->continued.len <= 0)
            continue;
        if (para_set_cached(e, &bl->table->continued, bl->span_columns ? full_w : col_w, &in->brk,
                            in->file, -1, pool, a, dl, &pg.cont[b]) != 0)
            pg.cont[b].n = 0;
    }
    Filler f = {.pg = &pg, .vl = &vl, .unit = 12};
    for (int i = 0; i < vl.n; i++)
        if (vl.v[i].kind == V_LINE) {
            f.unit = vl.v[i].h;
            break;
        }
    for (int k = 0; k < in->n_footnotes; k++)
        if (in->footnotes[k].number > f.max_note)
            f.max_note = in->footnotes[k].number;
    f.noted = arena_alloc(a, (size_t)f.max_note + 1);
    f.cols = cols;
    double bottom = ps->height - ps->margin_bottom;
    int i = 0;
    int rc = 0;
    while (i < vl.n || pg.carry.n > 0 || pg.floats.n > 0) {
        while (i < vl.n && (vl.v[i].kind != V_LINE || pg.deferred[i]))
            i++;
        if (i >= vl.n && pg.carry.n == 0 && pg.floats.n == 0)
            break;
        if (pg.pages.n >= LAY_MAX_PAGES) {  /* every page takes a line or a note: this ends */
            diag_add(dl, DIAG_ERROR, in->file, i < vl.n ? vl.v[i].line->info.src_line : 0, 1,
                     "article too long: more than %d pages", LAY_MAX_PAGES);
            rc = -1;
            break;
        }
        int page_index = pg.pages.n;
        PageOut po = {0};
        /* running head and folio first: Cairo 1.16 rejects a page whose first
         * drawing is an image inside a structure tag (a figure floated to the top) */
        page_furniture(&pg, &po, page_index);
        double left = text_left(&pg, page_index);
        double y = ps->margin_top, used = 0, notes_top = 0, text_bottom = y;
        if (cols > 1 && is_span_line(in, &vl, i)) {
            Frame fr = {left, y, full_w, bottom - y, 1, 0};
            i = fill_frame(&f, &fr, i, &po, &used, &notes_top);
            y += used + f.unit;
            text_bottom = y;
            while (i < vl.n && vl.v[i].kind != V_LINE)
                i++;
        }
        double frame_h = bottom - y;
        /* balance the columns of the last page: each gets an equal share */
        double target = 0;
        double rest = rest_height(&vl, i);
        if (cols > 1 && pg.carry.n == 0 && rest <= cols * frame_h - cols * f.unit) {
            double lines = f.unit > 0 ? rest / cols / f.unit + 1.999 : 0;
            if (lines >= 0 && lines < 1e6)      /* (no line height of 0, nor a wild one) */
                target = f.unit * (int)lines;
        }
        for (int c = 0; c < (cols > 1 ? cols : 1); c++) {
            while (i < vl.n && (vl.v[i].kind != V_LINE || pg.deferred[i]))
                i++;
            if (i >= vl.n && pg.carry.n == 0 && pg.floats.n == 0)
                break;
            if (cols > 1 && is_span_line(in, &vl, i))
                break;      /* spanning material after columns waits for the next page */
            Frame fr = {left + c * (col_w + ps->column_gap), y, cols > 1 ? col_w : full_w, frame_h, 0,
                        c + 1 < cols ? target : 0};
            double nt = 0;
            i = fill_frame(&f, &fr, i, &po, &used, &nt);
            if (nt > 0 && (notes_top == 0 || nt < notes_top))
                notes_top = nt;
            if (y + used > text_bottom)
                text_bottom = y + used;
        }
        LayPage page = {.number = ps->first_number + page_index, .n_items = po.items.n,
                        .text_bottom = text_bottom, .notes_top = notes_top};
        page.items = arena_calloc(a, (size_t)(po.items.n ? po.items.n : 1), sizeof(LayItem));
        memcpy(page.items, po.items.v, (size_t)po.items.n * sizeof(LayItem));
        free(po.items.v);
        VEC_PUSH(pg.pages, page);
    }
    free(vl.v);
    free(pg.carry.v);
    free(pg.floats.v);
    if (rc != 0) {
        free(pg.pages.v);
        free(pg.lines.v);
        free(pg.outline.v);
        return rc;
    }
    if (pg.pages.n == 0) {
        LayPage empty = {.number = ps->first_number, .items = NULL, .n_items = 0};
        VEC_PUSH(pg.pages, empty);
    }
    out->pages = arena_calloc(a, (size_t)pg.pages.n, sizeof(LayPage));
    memcpy(out->pages, pg.pages.v, (size_t)pg.pages.n * sizeof(LayPage));
    out->n_pages = pg.pages.n;
    out->lines = arena_calloc(a, (size_t)(pg.lines.n ? pg.lines.n : 1), sizeof(LayLine));
    if (pg.lines.n)
        memcpy(out->lines, pg.lines.v, (size_t)pg.lines.n * sizeof(LayLine));
    out->n_lines = pg.lines.n;
    out->outline = arena_calloc(a, (size_t)(pg.outline.n ? pg.outline.n : 1), sizeof(LayOutline));
    if (pg.outline.n)
        memcpy(out->outline, pg.outline.v, (size_t)pg.outline.n * sizeof(LayOutline));
    out->n_outline = pg.outline.n;
    free(pg.pages.v);
    free(pg.lines.v);
    free(pg.outline.v);
    return 0;
}
