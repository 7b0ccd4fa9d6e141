/* linebreak.c — Knuth–Plass total-fit line breaking, after tex.web §813–890
 * ("Breaking paragraphs into lines").  Section numbers below are tex.web's.
 *
 * The paragraph is a list of items: boxes (material), glue (stretchable space)
 * and penalties (break costs).  A legal breakpoint (§831, §866) is a glue item
 * right after a box, or a penalty < KP_INF.  Every feasible line (badness at
 * most the pass's threshold) from an earlier breakpoint to the current one is
 * charged demerits (§859), and the breaks of least total demerits win.
 *
 * Data structures (§819–§822):
 *
 *  - An ACTIVE node is a breakpoint a that may still start a line: some line
 *    ending at a is feasible and the material from a to the current position
 *    can still be shrunk to the line width.  It records the best total
 *    demerits of a paragraph prefix ending at a *with a given fitness class*
 *    for its last line (tight, decent, loose, very loose: §817).  TeX keeps
 *    one node per (position, fitness class, line-number class); all lines
 *    after the first have the same width here (TeX's easy_line case, §848),
 *    so nodes after the start differ only by position and fitness.  The
 *    active list is kept in order of creation, which is order of position,
 *    as TeX's is; the order matters for ties and for the final-pass rule.
 *  - A PASSIVE node (§821) is the permanent record of a break that an active
 *    node was created for: its position and a link to the passive node of the
 *    line's start.  Following those links from the best final node gives the
 *    chosen breaks, last to first (§877).  Active nodes are recycled through
 *    a free list when deactivated; passive nodes stay until the arena reset.
 *  - DELTA nodes (§822) are not used.  TeX stores width differences between
 *    neighbouring active nodes so as to add up the material of a line
 *    incrementally.  Here, prefix sums of width, stretch, fil stretch and
 *    shrink over the items make any line's totals two subtractions away, so
 *    evaluating a (active node, breakpoint) pair is O(1) and a pass stays
 *    O(items x active nodes), like TeX's.  An active node remembers the index
 *    where its next line starts (after the discardable items of §879) and the
 *    prefix sums there, which plays the role of TeX's break_width (§837).
 *
 * Passes (§863, §873): pass 1 uses pretolerance and no automatic hyphenation
 * (items with auto_hyph are not breakpoints; skipped when pretolerance < 0);
 * pass 2 uses tolerance and, when `hyphenate`, the auto_hyph penalties; pass 3
 * adds emergency_stretch to every line's stretch (TeX's background stretch).
 * The last pass (always pass 3 here: it runs whenever pass 2 fails) is the "final pass":
 * when a breakpoint would otherwise leave the active list empty, the last
 * active node is kept as the start of an (overfull or underfull) line with
 * zero "artificial" demerits (§854), so the final pass always ends with a
 * solution.
 *
 * Deviations from TeX, all deliberate:
 *  - demerits are summed in 64 bits (TeX's 32-bit totals can overflow on a
 *    long paragraph of bad lines); the "no break yet" value is KP_NO_BREAK;
 *  - looseness is ignored (only looseness = 0 is implemented);
 *  - a line from a break to a later break that lies before the next box (an
 *    empty line) has width 0; TeX's delta arithmetic would subtract the
 *    discardables beyond the later break;
 *  - the glue just before the final forced penalty (\parfillskip) is never a
 *    breakpoint: TeX puts \penalty10000 in front of it, callers need not;
 *  - protrusion: a line ending at break b may be wider by items[b].rprot, a
 *    line starting after break a by items[a].lprot.  The first line has no
 *    break before it; its left protrusion is items[0].lprot when item 0 is a
 *    box (a caller puts the first glyph's protrusion there), else 0;
 *  - boxes may carry stretch/shrink (font expansion), summed like glue.
 */
#include "linebreak.h"

#include <stdint.h>
#include <stdlib.h>

/* ---- cost constants ------------------------------------------------------*/
#define KP_INF_BAD 10000            /* §108 inf_bad: an infinitely bad line */
#define KP_OVERFULL_BAD (KP_INF_BAD + 1) /* §853: shrinks more than it can */
#define KP_EJECT (-KP_INF)          /* §157 eject_penalty: a forced break */
#define KP_DEMERITS_CAP 100000000   /* §859: (line_penalty + b) >= 10000 costs 10^8 */
#define KP_LOOSE_BAD 12             /* §852-§853: b > 12 is loose (or tight) */
#define KP_VERY_LOOSE_BAD 99        /* §852: b > 99 is very loose */
#define KP_NO_BREAK (INT64_MAX / 4) /* awful_bad (§833) for 64-bit demerits */

enum { FIT_TIGHT, FIT_DECENT, FIT_LOOSE, FIT_VERY_LOOSE, FIT_CLASSES };

/* tex.web §108.  r approximates alpha*t/s with alpha^3 ~ 100 * 2^18, so that
 * r^3 / 2^18 ~ 100 (t/s)^3; the branches keep t*297 inside 32 bits. */
int kp_badness(Scaled t, Scaled s)
{
    int32_t r;
    if (t == 0)
        return 0;
    if (s <= 0)
        return KP_INF_BAD;
    if (t <= 7230584) {
        /* r = t * 297 / s > 1290 without the division, which was most of
         * the break search's time: most lines tried are far too loose */
        if ((int64_t)t * 297 >= (int64_t)s * 1291)
            return KP_INF_BAD;
        r = (int32_t)((t * 297) / s);         /* 297^3 = 99.94 * 2^18 */
    }
    else if (s >= 1663497)
        r = t / (s / 297);
    else
        r = t;
    if (r > 1290)                             /* 1290^3 < 2^31 < 1291^3 */
        return KP_INF_BAD;
    return (int)((r * r * r + 0400000) / 01000000); /* r^3 / 2^18, rounded */
}

/* ---- nodes ---------------------------------------------------------------*/
/* Where a line's material begins: prefix sums at its first item. */
typedef struct KpMark {
    int64_t width, stretch, shrink;
    int32_t fil;
} KpMark;

typedef struct KpPassive {
    const struct KpPassive *prev;   /* break before this line; NULL: paragraph start */
    int pos;                        /* item index of the break */
    int fitness;                    /* of the line that ends here */
    int line;                       /* number of that line, 1-based */
} KpPassive;

typedef struct KpActive {
    struct KpActive *next;
    const KpPassive *brk;           /* NULL: the start of the paragraph */
    int start;                      /* first item of the line after this break */
    int fitness;                    /* of the line ending here (§817) */
    int hyphenated;                 /* the break is at a flagged penalty */
    int64_t width;                  /* of the next line, with its left protrusion */
    KpMark mark;                    /* prefix sums at start, cached: the hot loop
                                       then reads only the node and the break */
    int64_t total;                  /* total_demerits (§819) */
} KpActive;

/* Everything one kp_break call needs; lives on its stack. */
typedef struct KpBreaker {
    const KpItem *items;
    int n;
    int end;                        /* position of the final break: n-1, or n (virtual) */
    Scaled first, rest;
    const LayBreakParams *p;
    Arena *arena;
    int64_t *width, *stretch, *shrink; /* prefix sums over items[0..i) */
    int32_t *fil;                   /* prefix count of infinite stretch */
    int *next_box;                  /* smallest box index >= i, or n */
    /* the current pass (§863) */
    int threshold;
    int use_hyph;                   /* auto_hyph penalties are breakpoints */
    int use_last_resort;            /* so are last_resort ones, in the final pass */
    int final_pass;
    int64_t background_stretch;     /* emergency stretch in pass 3 */
    KpActive *active;               /* the active list, in order of creation */
    KpActive *spare;                /* recycled active nodes */
} KpBreaker;

/* A line's totals and its badness and fitness class (§851-§853). */
typedef struct KpFit {
    int64_t natural, stretch, shrink, target;
    int fil;                        /* has infinite stretch */
    int badness, fitness;
} KpFit;

/* Where a line ends: prefix sums at the break plus what the break adds. */
typedef struct KpEnd {
    int64_t width, stretch, shrink; /* width includes a penalty's own width */
    int32_t fil;
    Scaled rprot;
} KpEnd;

static Scaled kp_clamp(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : (Scaled)v;
}

static KpMark kp_mark(const KpBreaker *B, int i)
{
    return (KpMark){B->width[i], B->stretch[i], B->shrink[i], B->fil[i]};
}

static KpEnd kp_end(const KpBreaker *B, int cur)
{
    const KpItem *brk = cur < B->n ? &B->items[cur] : NULL;
    KpEnd e = {B->width[cur], B->stretch[cur], B->shrink[cur], B->fil[cur], 0};
    if (brk && brk->type == KP_PENALTY)
        e.width += brk->width;      /* a penalty's width shows only at a break */
    if (brk)
        e.rprot = brk->rprot;
    return e;
}

/* The line from mark m to end e on a line of width `width` (already including
 * the left protrusion), with `background` extra stretch (pass 3). */
static void kp_fit(const KpMark *m, const KpEnd *e, int64_t width, int64_t background, KpFit *f)
{
    f->natural = e->width - m->width;
    f->stretch = e->stretch - m->stretch + background;
    f->shrink = e->shrink - m->shrink;
    f->fil = e->fil - m->fil > 0;
    f->target = width + e->rprot;

    int64_t shortfall = f->target - f->natural;
    if (shortfall > 0) {            /* §852: stretch */
        if (f->fil) {
            f->badness = 0;
            f->fitness = FIT_DECENT;
        } else {
            f->badness = kp_badness(kp_clamp(shortfall), kp_clamp(f->stretch));
            f->fitness = f->badness > KP_VERY_LOOSE_BAD ? FIT_VERY_LOOSE
                         : f->badness > KP_LOOSE_BAD    ? FIT_LOOSE
                                                        : FIT_DECENT;
        }
    } else {                        /* §853: shrink */
        if (-shortfall > f->shrink)
            f->badness = KP_OVERFULL_BAD;
        else
            f->badness = kp_badness(kp_clamp(-shortfall), kp_clamp(f->shrink));
        f->fitness = f->badness > KP_LOOSE_BAD ? FIT_TIGHT : FIT_DECENT;
    }
}

/* §859: the demerits of a line of badness b ending at a break of penalty pi,
 * after a line ending at r.  final_break: cur is the paragraph's last break,
 * which TeX treats as a hyphenated one (§873), so a hyphen on the penultimate
 * line costs final_hyphen_demerits instead of double_hyphen_demerits. */
static int64_t kp_demerits(const LayBreakParams *p, int b, int pi, int flagged, int final_break,
                           int fitness, const KpActive *r)
{
    int64_t d = (int64_t)p->line_penalty + b;
    d = llabs(d) >= KP_INF_BAD ? KP_DEMERITS_CAP : d * d;
    if (pi > 0)
        d += (int64_t)pi * pi;
    else if (pi > KP_EJECT)
        d -= (int64_t)pi * pi;
    if ((flagged || final_break) && r->hyphenated)
        d += final_break ? p->final_hyphen_demerits : p->double_hyphen_demerits;
    if (abs(fitness - r->fitness) > 1)
        d += p->adj_demerits;
    return d;
}

/* A ragged paragraph's last line shorter than ragged_last_line_min of its
 * measure costs up to KP_SHORT_LAST_DEMERITS, growing with the square of how
 * much it lacks: about what making the line before it three ems shorter
 * costs, so a word or two move down rather than leave one short word alone. */
#define KP_SHORT_LAST_DEMERITS 100000

static int64_t kp_short_last(const LayBreakParams *p, const KpFit *f, int final_break)
{
    if (!final_break || p->ragged_last_line_min <= 0 || f->target <= 0)
        return 0;
    double want = p->ragged_last_line_min * (double)f->target;
    if ((double)f->natural >= want)
        return 0;
    double lack = (want - (double)f->natural) / want;
    return (int64_t)(KP_SHORT_LAST_DEMERITS * lack * lack);
}

static KpActive *kp_new_active(KpBreaker *B)
{
    KpActive *a = B->spare;
    if (a)
        B->spare = a->next;
    else
        a = arena_alloc(B->arena, sizeof *a);
    a->next = NULL;
    return a;
}

/* The first item of the line after a break at pos: discardable items (glue,
 * penalties) up to the next box are dropped (§879). */
static int kp_line_start(const KpBreaker *B, int pos)
{
    return pos + 1 <= B->n ? B->next_box[pos + 1] : B->n;
}

/* Sets where the line after active node a begins and how wide it may be.
 * pos: the break (-1: the paragraph start, whose left protrusion is
 * items[0].lprot when item 0 is a box). */
static void kp_place(const KpBreaker *B, KpActive *a, int pos)
{
    Scaled lprot;
    if (pos < 0) {
        a->start = 0;               /* nothing is discarded at the very start */
        lprot = B->items[0].type == KP_BOX ? B->items[0].lprot : 0;
    } else {
        a->start = kp_line_start(B, pos);
        lprot = pos < B->n ? B->items[pos].lprot : 0;
    }
    a->mark = kp_mark(B, a->start);
    a->width = (int64_t)(pos < 0 ? B->first : B->rest) + lprot;
}

/* §829 try_break: considers every active node as the start of a line ending at
 * the breakpoint cur, deactivates nodes that can no longer start a line (§851,
 * §860) and appends new active nodes for the best breaks at cur, one per
 * fitness class (§836, §845). */
static void kp_try_break(KpBreaker *B, int cur, int pi, int flagged, int final_break)
{
    const LayBreakParams *p = B->p;
    int64_t minimal[FIT_CLASSES];   /* minimal_demerits (§833) */
    const KpPassive *best_place[FIT_CLASSES] = {0};
    int best_line[FIT_CLASSES] = {0};
    int64_t minimum = KP_NO_BREAK;  /* minimum_demerits */
    for (int k = 0; k < FIT_CLASSES; k++)
        minimal[k] = KP_NO_BREAK;
    if (pi <= KP_EJECT)
        pi = KP_EJECT;              /* §831: a forced break */

    const KpEnd end = kp_end(B, cur);
    const KpMark here = kp_mark(B, cur);
    KpActive *prev = NULL, *r = B->active;
    while (r) {
        KpActive *next = r->next;
        KpFit f;
        /* a start beyond cur (the break precedes the next box): an empty line.
         * Only a forced break may end one (two hard line breaks in a row);
         * otherwise a ragged line's glue-penalty-glue gave two breaks in a
         * row around an overfull word, and an empty line between them. */
        if (r->start > cur && pi != KP_EJECT) {
            prev = r;
            goto next_node;
        }
        kp_fit(r->start <= cur ? &r->mark : &here, &end, r->width, B->background_stretch, &f);
        int artificial = 0, stays;
        if (f.badness > KP_INF_BAD || pi == KP_EJECT) {
            /* §854: r cannot start a line beyond cur.  In the final pass, if r
             * is the only active node left and nothing better reaches cur,
             * keep the line r..cur anyway so that the list never empties. */
            if (B->final_pass && minimum == KP_NO_BREAK && next == NULL && prev == NULL)
                artificial = 1;
            else if (f.badness > B->threshold)
                goto deactivate;
            stays = 0;
        } else {
            prev = r;
            if (f.badness > B->threshold)
                goto next_node;
            stays = 1;
        }
        /* §855: record a feasible break */
        int64_t d = artificial ? 0 : kp_demerits(p, f.badness, pi, flagged, final_break,
                                                 f.fitness, r) + kp_short_last(p, &f, final_break);
        d += r->total;
        if (d <= minimal[f.fitness]) {
            minimal[f.fitness] = d;
            best_place[f.fitness] = r->brk;
            best_line[f.fitness] = r->brk ? r->brk->line : 0;
            if (d < minimum)
                minimum = d;
        }
        if (stays)
            goto next_node;
    deactivate:                     /* §860 */
        if (prev)
            prev->next = next;
        else
            B->active = next;
        r->next = B->spare;
        B->spare = r;
    next_node:
        r = next;
    }
    /* prev is now the tail of the list */

    if (minimum == KP_NO_BREAK)
        return;
    /* §836: keep breaks of every fitness class that come within adj_demerits
     * of the best one; another class may pay off on the next line */
    int64_t adj = llabs((int64_t)p->adj_demerits);
    minimum = adj >= KP_NO_BREAK - minimum ? KP_NO_BREAK - 1 : minimum + adj;
    for (int k = FIT_VERY_LOOSE; k >= FIT_TIGHT; k--) { /* TeX's order, §836 */
        if (minimal[k] > minimum)
            continue;
        KpPassive *pass = arena_alloc(B->arena, sizeof *pass); /* §845 */
        pass->prev = best_place[k];
        pass->pos = cur;
        pass->fitness = k;
        pass->line = best_line[k] + 1;
        KpActive *a = kp_new_active(B);
        a->brk = pass;
        kp_place(B, a, cur);
        a->fitness = k;
        a->hyphenated = flagged;
        a->total = minimal[k];
        if (prev)
            prev->next = a;
        else
            B->active = a;
        prev = a;
    }
}

/* One pass over the paragraph (§863 "create an active breakpoint representing
 * the beginning of the paragraph", then §866 for each item).  Returns the
 * active node with the fewest total demerits at the final break (§874), or
 * NULL when the active list emptied before the end. */
static const KpActive *kp_pass(KpBreaker *B)
{
    while (B->active) {             /* recycle the previous pass's nodes */
        KpActive *a = B->active;
        B->active = a->next;
        a->next = B->spare;
        B->spare = a;
    }
    KpActive *start = kp_new_active(B);
    start->brk = NULL;
    kp_place(B, start, -1);
    start->fitness = FIT_DECENT;    /* §864 */
    start->hyphenated = 0;
    start->total = 0;
    B->active = start;

    const KpItem *it = B->items;
    for (int cur = 0; cur < B->n && B->active; cur++) {
        if (it[cur].type == KP_GLUE) {
            /* §866: glue breaks only after a box; never at \parfillskip */
            if (cur > 0 && it[cur - 1].type == KP_BOX && !(cur == B->n - 2 && B->end == B->n - 1))
                kp_try_break(B, cur, 0, 0, 0);
        } else if (it[cur].type == KP_PENALTY && it[cur].penalty < KP_INF) {
            if (it[cur].auto_hyph && !B->use_hyph)
                continue;           /* §863: no hyphenation in this pass */
            if (it[cur].last_resort && !(B->final_pass && B->use_last_resort))
                continue;
            kp_try_break(B, cur, it[cur].penalty, it[cur].flagged, cur == B->end);
        }
    }
    if (B->active && B->end == B->n)
        kp_try_break(B, B->n, KP_EJECT, 0, 1); /* §873: the virtual final break */

    const KpActive *best = NULL;    /* §874 */
    for (const KpActive *a = B->active; a; a = a->next)
        if (a->brk && a->brk->pos == B->end && (!best || a->total < best->total))
            best = a;
    return best;
}

/* §877-§881: turns the chain of passive nodes into lines; counts overfull ones.
 * The reported badness, ratio and stretch are those of the line as it will be
 * set (TeX's hpack, §658), without the emergency stretch that only helped to
 * choose the breaks. */
static void kp_collect(const KpBreaker *B, const KpActive *best, Arena *arena, KpResult *res)
{
    int n_lines = best->brk->line;
    res->lines = arena_calloc(arena, (size_t)n_lines, sizeof *res->lines);
    res->n = n_lines;
    res->overfull = 0;
    int k = n_lines - 1;
    for (const KpPassive *pb = best->brk; pb; pb = pb->prev, k--) {
        int b = pb->pos;
        KpActive from;
        kp_place(B, &from, pb->prev ? pb->prev->pos : -1);
        int start = from.start <= b ? from.start : b;
        const KpMark m = kp_mark(B, start);
        const KpEnd e = kp_end(B, b);
        KpFit f;
        kp_fit(&m, &e, from.width, 0, &f);
        KpLine *L = &res->lines[k];
        L->start = start;
        L->end = b;
        L->fitness = pb->fitness;
        L->hyphenated = b < B->n && B->items[b].type == KP_PENALTY && B->items[b].flagged;
        L->natural = kp_clamp(f.natural);
        L->target = kp_clamp(f.target);
        L->stretch = f.fil ? KP_FIL : kp_clamp(f.stretch);
        L->shrink = kp_clamp(f.shrink);
        L->badness = f.badness;
        int64_t shortfall = f.target - f.natural;
        if (shortfall > 0)
            L->ratio = f.fil || f.stretch <= 0 ? 0.0 : (double)shortfall / (double)f.stretch;
        else if (shortfall < 0 && f.shrink > 0)
            L->ratio = -shortfall > f.shrink ? -1.0 : (double)shortfall / (double)f.shrink;
        else
            L->ratio = 0.0;
        if (-shortfall > f.shrink)
            res->overfull++;
    }
}

void kp_break(const KpItem *items, int n, Scaled first, Scaled rest, const LayBreakParams *p,
              int flags, Arena *scratch, KpResult *result)
{
    int hyphenate = (flags & KP_HYPHENATE) != 0;
    result->lines = NULL;
    result->n = 0;
    result->pass = 1;
    result->overfull = 0;
    if (n <= 0)
        return;

    KpBreaker B = {0};
    B.items = items;
    B.use_last_resort = (flags & KP_LAST_RESORT) != 0;
    B.n = n;
    B.first = first;
    B.rest = rest;
    B.p = p;
    B.arena = scratch;
    /* a list without its final forced break gets a virtual one after it */
    B.end = items[n - 1].type == KP_PENALTY && items[n - 1].penalty <= KP_EJECT ? n - 1 : n;

    B.width = arena_calloc(scratch, (size_t)n + 1, sizeof *B.width);
    B.stretch = arena_calloc(scratch, (size_t)n + 1, sizeof *B.stretch);
    B.shrink = arena_calloc(scratch, (size_t)n + 1, sizeof *B.shrink);
    B.fil = arena_calloc(scratch, (size_t)n + 1, sizeof *B.fil);
    B.next_box = arena_calloc(scratch, (size_t)n + 1, sizeof *B.next_box);
    for (int i = 0; i < n; i++) {
        const KpItem *it = &items[i];
        int counts = it->type != KP_PENALTY; /* penalty widths only at a break */
        B.width[i + 1] = B.width[i] + (counts ? it->width : 0);
        B.shrink[i + 1] = B.shrink[i] + (counts ? it->shrink : 0);
        B.stretch[i + 1] = B.stretch[i] + (counts && it->stretch < KP_FIL ? it->stretch : 0);
        B.fil[i + 1] = B.fil[i] + (counts && it->stretch >= KP_FIL);
    }
    B.next_box[n] = n;
    for (int i = n - 1; i >= 0; i--)
        B.next_box[i] = items[i].type == KP_BOX ? i : B.next_box[i + 1];

    /* §863: the passes */
    int pass;
    int second_pass;
    /* pass 3 always runs when pass 2 fails (see below), even with no stretch */
    int64_t emergency = SC_FROM_PT(p->emergency_stretch > 0 ? p->emergency_stretch : 0);
    if (p->pretolerance >= 0) {
        pass = 1;
        B.threshold = p->pretolerance;
        second_pass = 0;
        B.final_pass = 0;
    } else {
        pass = 2;
        B.threshold = p->tolerance;
        second_pass = 1;
        B.final_pass = 0;
    }
    for (;;) {
        B.use_hyph = second_pass && hyphenate;
        const KpActive *best = kp_pass(&B);
        if (best) {
            result->pass = pass;
            kp_collect(&B, best, scratch, result);
            return;
        }
        if (B.final_pass)           /* cannot happen: the final pass always ends */
            break;
        if (!second_pass) {
            pass = 2;
            B.threshold = p->tolerance;
            second_pass = 1;
            B.final_pass = 0;
        } else {
            /* Unlike TeX, the emergency pass accepts any underfull line
             * (threshold = inf_bad): for a printer a loose line is a blemish,
             * a line sticking into the margin is a defect. */
            pass = 3;
            B.background_stretch += emergency;
            B.threshold = KP_INF;
            B.final_pass = 1;
        }
    }
}
