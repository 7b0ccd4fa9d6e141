/* test_linebreak.c — the Knuth–Plass breaker on hand-built box/glue/penalty
 * lists whose optimal breaks are worked out in the comments, and libhyphen
 * hyphenation (en, ru) through layout/hyph.c.
 *
 * Units: every width below is in points; the lists use the same space glue
 * (4pt, stretch and shrink as noted) on a 100pt measure unless said otherwise.
 * Badness values quoted are TeX's (§108), demerits (line_penalty + b)^2. */
#include "../../layout/hyph.h"
#include "../../layout/linebreak.h"
#include "check.h"

#include <glib.h>
#include <glib/gstdio.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>

/* ---- building paragraphs ---------------------------------------------------*/
typedef struct Para {
    KpItem *v;
    int n, cap;
} Para;

static int add(Para *p, KpItem it)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 64;
        p->v = xrealloc(p->v, (size_t)p->cap * sizeof *p->v);
    }
    p->v[p->n] = it;
    return p->n++;
}

static int box(Para *p, double w)
{
    return add(p, (KpItem){.type = KP_BOX, .width = SC_FROM_PT(w)});
}

static int glue(Para *p, double w, double st, double sh)
{
    return add(p, (KpItem){.type = KP_GLUE, .width = SC_FROM_PT(w), .stretch = SC_FROM_PT(st),
                           .shrink = SC_FROM_PT(sh)});
}

/* a discretionary hyphen found by hyphenation: flagged, auto, 3pt wide */
static int hyph(Para *p, int pi)
{
    return add(p, (KpItem){.type = KP_PENALTY, .width = SC_FROM_PT(3), .penalty = pi,
                           .flagged = 1, .auto_hyph = 1});
}

static int penalty(Para *p, int pi)
{
    return add(p, (KpItem){.type = KP_PENALTY, .penalty = pi});
}

/* TeX's paragraph end: \penalty10000 \hskip\parfillskip \penalty-10000 */
static int finish(Para *p)
{
    penalty(p, KP_INF);
    add(p, (KpItem){.type = KP_GLUE, .stretch = KP_FIL});
    return penalty(p, -KP_INF);
}

/* words of the given widths separated by glue (w, st, sh); returns the index
 * of the glue after the last word (-1 if none is added) */
static int words(Para *p, const double *w, int k, double gw, double st, double sh, int trailing)
{
    int g = -1;
    for (int i = 0; i < k; i++) {
        box(p, w[i]);
        if (i < k - 1 || trailing)
            g = glue(p, gw, st, sh);
    }
    return g;
}

static LayBreakParams tex_params(void)
{
    LayBreakParams p = {0};
    p.pretolerance = 100;
    p.tolerance = 200;
    p.line_penalty = 10;
    p.hyphen_penalty = 50;
    p.exhyphen_penalty = 50;
    p.double_hyphen_demerits = 10000;
    p.final_hyphen_demerits = 5000;
    p.adj_demerits = 10000;
    p.emergency_stretch = 0;
    return p;
}

static const Scaled MEASURE = 100 * SC_UNIT;

/* Structural checks every result must pass: lines in order, covering the list
 * up to its final break, starts at boxes (or at the break for empty lines). */
static int sane(const KpResult *r, const Para *p)
{
    if (r->n <= 0 || r->lines[r->n - 1].end != p->n - 1)
        return 0;
    int prev = -1;
    for (int i = 0; i < r->n; i++) {
        const KpLine *L = &r->lines[i];
        if (L->end <= prev || L->start > L->end || (i == 0 && L->start != 0))
            return 0;
        if (i > 0 && L->start < L->end && p->v[L->start].type != KP_BOX)
            return 0;
        prev = L->end;
    }
    return 1;
}

static int any_hyphenated(const KpResult *r)
{
    for (int i = 0; i < r->n; i++)
        if (r->lines[i].hyphenated)
            return 1;
    return 0;
}

/* First fit: each line takes every word that still fits at full shrink. */
static int greedy(const Para *p, Scaled width, int *brk, int max)
{
    int nb = 0, start = 0;
    while (nb < max) {
        int64_t nat = 0, shr = 0;
        int last_ok = -1;
        for (int i = start; i < p->n; i++) {
            const KpItem *it = &p->v[i];
            int legal = (it->type == KP_GLUE && i > start && p->v[i - 1].type == KP_BOX) ||
                        (it->type == KP_PENALTY && it->penalty <= -KP_INF);
            if (legal && nat - shr <= width)
                last_ok = i;
            if ((legal && nat - shr > width) || (it->type == KP_PENALTY && it->penalty <= -KP_INF))
                break;
            if (it->type != KP_PENALTY) {
                nat += it->width;
                shr += it->shrink;
            }
        }
        if (last_ok < 0)
            return nb;
        brk[nb++] = last_ok;
        if (last_ok == p->n - 1)
            return nb;
        start = last_ok + 1;
        while (start < p->n && p->v[start].type != KP_BOX)
            start++;
    }
    return nb;
}

/* ---- (a) total fit differs from first fit --------------------------------
 * Glue 4/+2/-1.5.  Words 10 10 10 10 10 10 12 | 8 | 10 10 10 10 12 12 | 30 10.
 * Greedy squeezes w1..w8 onto line 1 (108pt shrunk to 97.5: tight, b=44) and
 * line 2 is then w9..w14 = 84pt with 10pt stretch: b=409, very loose.
 * Total fit puts w8 on line 2: 96pt + 96pt, b=4 each (decent, 196 demerits
 * each), last line w15 w16. */
static void test_total_fit(Arena *ar)
{
    Para p = {0};
    const double w1[] = {10, 10, 10, 10, 10, 10, 12}, w2[] = {8}, w3[] = {10, 10, 10, 10, 12, 12},
                 w4[] = {30, 10};
    int g7 = words(&p, w1, 7, 4, 2, 1.5, 1);
    int g8 = words(&p, w2, 1, 4, 2, 1.5, 1);
    int g14 = words(&p, w3, 6, 4, 2, 1.5, 1);
    words(&p, w4, 2, 4, 2, 1.5, 0);
    int end = finish(&p);
    LayBreakParams prm = tex_params();
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p), "(a) result is well formed");
    CHECK(r.n == 3 && r.pass == 1 && r.overfull == 0, "(a) 3 lines in pass 1: n=%d pass=%d", r.n,
          r.pass);
    CHECK(r.n == 3 && r.lines[0].end == g7 && r.lines[1].end == g14 && r.lines[2].end == end,
          "(a) total fit breaks after w7 and w14");
    CHECK(r.n == 3 && r.lines[0].badness == 4 && r.lines[1].badness == 4 && r.lines[0].fitness == 1,
          "(a) both lines decent, badness 4: %d %d", r.lines[0].badness, r.lines[1].badness);
    CHECK(r.n == 3 && r.lines[1].start == g7 + 1, "(a) line 2 starts at w8");
    CHECK(r.n == 3 && r.lines[0].ratio > 0.33 && r.lines[0].ratio < 0.34, "(a) ratio 4/12: %f",
          r.lines[0].ratio);
    CHECK(r.n == 3 && r.lines[2].ratio == 0.0 && r.lines[2].stretch == KP_FIL,
          "(a) last line: fil stretch, ratio 0");
    int gb[8];
    int ng = greedy(&p, MEASURE, gb, 8);
    CHECK(ng == 3 && gb[0] == g8 && gb[1] == g14, "(a) greedy breaks after w8 and w14 (%d: %d %d)",
          ng, gb[0], gb[1]);
    CHECK(ng >= 1 && r.n >= 1 && gb[0] != r.lines[0].end, "(a) greedy and total fit differ");
    free(p.v);
    arena_reset(ar);
}

/* ---- (b) the emergency pass ----------------------------------------------
 * 40 40 40 on 100pt with glue 4/+2/-1.5: two words leave 16pt to fill with
 * 2pt of stretch (b=10000), three are overfull.  emergency_stretch 20pt gives
 * stretch 22: b=38, so pass 3 finds [40 40] [40]. */
static void test_emergency(Arena *ar)
{
    Para p = {0};
    const double w[] = {40, 40, 40};
    words(&p, w, 3, 4, 2, 1.5, 0);
    finish(&p);
    LayBreakParams prm = tex_params();
    prm.emergency_stretch = 20;
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p), "(b) result is well formed");
    CHECK(r.pass == 3 && r.overfull == 0 && r.n == 2, "(b) pass 3, no overfull: pass=%d ov=%d n=%d",
          r.pass, r.overfull, r.n);
    CHECK(r.n == 2 && r.lines[0].end == 3, "(b) line 1 holds two words");
    CHECK(r.n == 2 && r.lines[0].ratio > 7.99 && r.lines[0].ratio < 8.01 &&
              r.lines[0].stretch == 2 * SC_UNIT,
          "(b) reported ratio uses the real stretch (16/2): %f", r.lines[0].ratio);

    prm.emergency_stretch = 0;  /* pass 3 still runs: it accepts any underfull line */
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.pass == 3 && r.overfull == 0,
          "(b) without emergency stretch pass 3 answers with an underfull line: %d", r.pass);
    free(p.v);
    arena_reset(ar);
}

/* ---- (c) impossible: a box wider than the measure ---------------------------*/
static void test_impossible(Arena *ar)
{
    for (int em = 0; em <= 20; em += 20) {
        Para p = {0};
        const double w[] = {30, 150, 30};
        words(&p, w, 3, 4, 2, 1.5, 0);
        finish(&p);
        LayBreakParams prm = tex_params();
        prm.emergency_stretch = em;
        KpResult r;
        kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
        CHECK(sane(&r, &p), "(c) result is well formed (emergency %d)", em);
        CHECK(r.overfull == 1, "(c) one overfull line: %d (emergency %d)", r.overfull, em);
        int found = 0;
        for (int i = 0; i < r.n; i++)
            if (r.lines[i].natural - r.lines[i].shrink > r.lines[i].target)
                found = r.lines[i].badness > 10000;
        CHECK(found, "(c) the overfull line reports badness > 10000");
        free(p.v);
        arena_reset(ar);

        Para q = {0};       /* a single box, nothing else */
        box(&q, 150);
        finish(&q);
        kp_break(q.v, q.n, MEASURE, MEASURE, &prm, 0, ar, &r);
        CHECK(sane(&r, &q) && r.n == 1 && r.overfull == 1, "(c) lone wide box: n=%d ov=%d", r.n,
              r.overfull);
        free(q.v);
        arena_reset(ar);
    }
    KpResult r;
    LayBreakParams prm = tex_params();
    kp_break(NULL, 0, MEASURE, MEASURE, &prm, 0, ar, &r);
    CHECK(r.n == 0, "(c) an empty list gives no lines");

    Para e = {0};           /* nothing but the final break: one empty line */
    penalty(&e, -KP_INF);
    kp_break(e.v, e.n, MEASURE, MEASURE, &prm, 0, ar, &r);
    CHECK(r.n == 1 && r.lines[0].end == 0 && r.lines[0].natural == 0 && r.overfull == 0,
          "(c) a lone final penalty gives one empty line");
    free(e.v);

    Para v = {0};           /* no final forced break: one is assumed at n */
    const double w[] = {40, 40};
    words(&v, w, 2, 4, 2, 1.5, 0);
    add(&v, (KpItem){.type = KP_GLUE, .stretch = KP_FIL});
    kp_break(v.v, v.n, MEASURE, MEASURE, &prm, 0, ar, &r);
    CHECK(r.n == 1 && r.lines[0].end == v.n && r.lines[0].badness == 0 && r.pass == 1,
          "(c) without the final penalty the last line ends at n (end=%d)", r.n ? r.lines[0].end : -1);
    free(v.v);
    arena_reset(ar);
}

/* ---- (d) hyphenation in pass 2 ---------------------------------------------
 * Six 10pt words (80pt with spaces) then a 50pt word hyphenable as 15-35.
 * Without the hyphen line 1 is 80pt (b=800) or 134pt (overfull); with it
 * 80+4+15+3 = 102pt, shrink 9: b=1.  Pass 1 ignores auto_hyph, so pass 2. */
static void test_hyphen_pass(Arena *ar)
{
    Para p = {0};
    const double w[] = {10, 10, 10, 10, 10, 10};
    words(&p, w, 6, 4, 2, 1.5, 1);
    box(&p, 15);
    int h = hyph(&p, 50);
    box(&p, 35);
    glue(&p, 4, 2, 1.5);
    const double t[] = {10, 10};
    words(&p, t, 2, 4, 2, 1.5, 0);
    finish(&p);
    LayBreakParams prm = tex_params();
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p), "(d) result is well formed");
    CHECK(r.pass == 2 && r.n == 2 && r.lines[0].end == h && r.lines[0].hyphenated,
          "(d) pass 2 breaks at the hyphen: pass=%d n=%d", r.pass, r.n);
    CHECK(r.n == 2 && r.lines[0].natural == 102 * SC_UNIT,
          "(d) the hyphen's width counts on its line: %d", r.n ? r.lines[0].natural : 0);
    CHECK(r.n == 2 && r.lines[1].start == h + 1 && r.lines[1].natural == 63 * SC_UNIT,
          "(d) line 2 starts after the hyphen, 35+4+10+4+10 wide");
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 0, ar, &r);
    CHECK(sane(&r, &p) && !any_hyphenated(&r), "(d) hyphenate=0: no hyphen used (pass %d, %d overfull)",
          r.pass, r.overfull);
    free(p.v);
    arena_reset(ar);
}

/* ---- (e) double-hyphen demerits ----------------------------------------------
 * Glue 4/+4/-2.  Line 1 can only end with a hyphen: 30 30 29- = 100pt.
 * Line 2 (14 14 14 14 14 = 86pt) then either ends at a space (shortfall 14,
 * stretch 16: b=66, loose, 76^2 = 5776) or takes 7- of the next word (100pt,
 * b=0: 100 + 50^2 = 2600, plus 10000 for a second hyphen in a row).
 * final_hyphen_demerits is 0 here to isolate the effect. */
static int build_double(Para *p, int *h1, int *h2, int *g_before)
{
    const double a[] = {30, 30};
    words(p, a, 2, 4, 4, 2, 1);
    box(p, 29);
    *h1 = hyph(p, 50);
    const double b[] = {14, 14, 14, 14, 14};
    *g_before = words(p, b, 5, 4, 4, 2, 1);
    box(p, 7);
    *h2 = hyph(p, 50);
    box(p, 20);
    glue(p, 4, 4, 2);
    box(p, 10);
    return finish(p);
}

static void test_double_hyphen(Arena *ar)
{
    Para p = {0};
    int h1, h2, g;
    build_double(&p, &h1, &h2, &g);
    LayBreakParams prm = tex_params();
    prm.final_hyphen_demerits = 0;
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.n == 3 && r.lines[0].end == h1 && r.lines[1].end == g &&
              !r.lines[1].hyphenated,
          "(e) double_hyphen_demerits 10000: line 2 ends at a space (n=%d)", r.n);
    CHECK(r.n == 3 && r.lines[1].badness == 66 && r.lines[1].fitness == 2,
          "(e) ... a loose line, b=66: %d", r.n == 3 ? r.lines[1].badness : -1);
    prm.double_hyphen_demerits = 0;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.n == 3 && r.lines[0].end == h1 && r.lines[1].end == h2 &&
              r.lines[1].hyphenated,
          "(e) double_hyphen_demerits 0: two hyphens in a row (n=%d)", r.n);
    free(p.v);
    arena_reset(ar);
}

/* ---- (f) final-hyphen demerits -----------------------------------------------
 * Line 1 is the 86pt line of (e): at a space b=66 (5776), with 7- b=0 (2600)
 * but then the penultimate line is hyphenated: +5000 = 7600. */
static void test_final_hyphen(Arena *ar)
{
    Para p = {0};
    const double b[] = {14, 14, 14, 14, 14};
    int g = words(&p, b, 5, 4, 4, 2, 1);
    box(&p, 7);
    int h = hyph(&p, 50);
    box(&p, 20);
    glue(&p, 4, 4, 2);
    box(&p, 10);
    finish(&p);
    LayBreakParams prm = tex_params();
    prm.pretolerance = -1;  /* pass 1 would take b=66 without looking at hyphens */
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.pass == 2 && r.n == 2 && r.lines[0].end == g,
          "(f) final_hyphen_demerits 5000: no hyphen on the penultimate line");
    prm.final_hyphen_demerits = 0;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.n == 2 && r.lines[0].end == h && r.lines[0].hyphenated,
          "(f) final_hyphen_demerits 0: the hyphen wins");
    free(p.v);
    arena_reset(ar);
}

/* ---- (g) forced breaks -----------------------------------------------------
 * "20 20 \\ 20 20": the forced break is preceded by \penalty10000 \hfil, as
 * TeX's \\ is, so the short line is not underfull. */
static void test_forced(Arena *ar)
{
    Para p = {0};
    const double w[] = {20, 20};
    words(&p, w, 2, 4, 2, 1.5, 0);
    int f = finish(&p);     /* the same three items as the end of a paragraph */
    int second = words(&p, w, 2, 4, 2, 1.5, 0);
    (void)second;
    int end = finish(&p);
    LayBreakParams prm = tex_params();
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.n == 2 && r.pass == 1, "(g) two lines in pass 1 (n=%d pass=%d)", r.n,
          r.pass);
    CHECK(r.n == 2 && r.lines[0].end == f && r.lines[1].start == f + 1 && r.lines[1].end == end,
          "(g) the forced break is honoured");
    CHECK(r.n == 2 && r.lines[0].badness == 0 && r.lines[0].natural == 44 * SC_UNIT,
          "(g) line 1 is 44pt of material, badness 0");

    /* a forced break with no fil before it: underfull, found in the final pass */
    Para q = {0};
    words(&q, w, 2, 4, 2, 1.5, 0);
    int f2 = penalty(&q, -KP_INF);
    words(&q, w, 2, 4, 2, 1.5, 0);
    finish(&q);
    kp_break(q.v, q.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &q) && r.n == 2 && r.lines[0].end == f2 && r.overfull == 0,
          "(g) a bare forced break still breaks (pass %d, badness %d)", r.pass,
          r.n ? r.lines[0].badness : -1);
    free(p.v);
    free(q.v);
    arena_reset(ar);
}

/* ---- (h) protrusion ------------------------------------------------------------
 * 50 47 | 30 with glue 4/+2/-0: line 1 is 101pt and cannot shrink.  rprot 1pt
 * at the break lets it hang into the margin.  lprot 0.5pt at the break widens
 * line 2; lprot 0.25pt on item 0 widens line 1 (the first line's convention). */
static void test_protrusion(Arena *ar)
{
    Para p = {0};
    box(&p, 50);
    glue(&p, 4, 2, 0);
    box(&p, 47);
    int g = glue(&p, 4, 2, 0);
    box(&p, 30);
    finish(&p);
    LayBreakParams prm = tex_params();
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.overfull == 0 && r.pass == 3 && r.lines[0].end != g,
          "(h) without protrusion no break at the glue fits: pass 3 sets underfull lines (%d, %d)",
          r.pass, r.overfull);
    p.v[g].rprot = SC_UNIT;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.overfull == 0 && r.pass == 1 && r.n == 2 && r.lines[0].end == g,
          "(h) rprot 1pt: fits in pass 1 (pass=%d ov=%d)", r.pass, r.overfull);
    CHECK(r.n == 2 && r.lines[0].target == 101 * SC_UNIT && r.lines[0].badness == 0,
          "(h) line 1 target 101pt: %d", r.n ? r.lines[0].target : 0);
    p.v[g].lprot = SC_UNIT / 2;
    p.v[0].lprot = SC_UNIT / 4;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(r.n == 2 && r.lines[0].target == 101 * SC_UNIT + SC_UNIT / 4 &&
              r.lines[1].target == 100 * SC_UNIT + SC_UNIT / 2,
          "(h) lprot: line 1 target +0.25pt (item 0), line 2 +0.5pt (the break)");
    CHECK(r.n == 2 && r.lines[1].natural == 30 * SC_UNIT, "(h) line 2 natural 30pt");
    free(p.v);
    arena_reset(ar);
}

/* ---- (i) badness, TeX §108 ---------------------------------------------------
 * badness(t, s) = (r^3 + 2^17) / 2^18 with r = t*297/s, integer division. */
/* Ragged right (Knuth & Plass's device: glue(0,+R) penalty glue(space,-R)),
 * R = 30, words 35 35 20 | 8 on a 100pt measure.  The natural choice fills
 * line 1 exactly and leaves "8" alone on the last line; with
 * ragged_last_line_min 0.3 that costs 53,777 demerits, and the breaker moves
 * "20" down instead (line 1 at 75pt, badness 58: 4,624 demerits). */
static void ragged_words(Para *p)
{
    const double w[] = {35, 35, 20, 8};
    for (int i = 0; i < 4; i++) {
        box(p, w[i]);
        if (i < 3) {
            glue(p, 0, 30, 0);
            penalty(p, 0);
            glue(p, 5, -30, 0);
        }
    }
    finish(p);
}

static void test_short_last_line(Arena *ar)
{
    Para p = {0};
    ragged_words(&p);
    LayBreakParams prm = tex_params();
    prm.pretolerance = -1;
    prm.tolerance = 10000;
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 0, ar, &r);
    CHECK(r.n == 2 && r.lines[1].natural == SC_FROM_PT(8), "ragged: without a minimum the last line is the one short word");
    prm.ragged_last_line_min = 0.3;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 0, ar, &r);
    CHECK(r.n == 2 && r.lines[1].natural == SC_FROM_PT(33) && sane(&r, &p),
          "ragged: with ragged_last_line_min 0.3 a word moves down (last line %.1fpt)",
          r.n == 2 ? SC_TO_PT(r.lines[1].natural) : -1.0);
    free(p.v);
}

static void test_badness(void)
{
    CHECK(kp_badness(0, 0) == 0, "(i) badness(0,0) = 0");
    CHECK(kp_badness(0, 100) == 0, "(i) badness(0,100) = 0");
    CHECK(kp_badness(1, 0) == 10000, "(i) badness(1,0) = inf_bad");
    CHECK(kp_badness(100, 100) == 100, "(i) badness(100,100) = 100: %d", kp_badness(100, 100));
    CHECK(kp_badness(50, 100) == 12, "(i) badness(50,100) = 12 (r=148; exact 12.5): %d",
          kp_badness(50, 100));
    CHECK(kp_badness(200, 100) == 800, "(i) badness(200,100) = 800: %d", kp_badness(200, 100));
    CHECK(kp_badness(130, 100) == 219, "(i) badness(130,100) = 219: %d", kp_badness(130, 100));
    CHECK(kp_badness(434, 100) == 8151, "(i) badness(434,100) = 8151 (r=1288): %d",
          kp_badness(434, 100));
    CHECK(kp_badness(435, 100) == 10000, "(i) badness(435,100) = 10000 (r=1291 > 1290)");
    CHECK(kp_badness(8000000, 7000000) == 149, "(i) large t branch: badness = 149: %d",
          kp_badness(8000000, 7000000));
    CHECK(kp_badness(8000000, 1700000) == 10000, "(i) large t, r > 1290: inf_bad");
    CHECK(kp_badness(14 * SC_UNIT, 16 * SC_UNIT) == 66, "(i) 14pt over 16pt: 66");
}

/* ---- (j) adj_demerits ----------------------------------------------------------
 * Glue 4/+2/-1.5.  Y breaks before the 6pt word m: line 1 is 87.5pt with 12pt
 * stretch (b=113, very loose: 15129), line 2 m + 96pt = 106pt with 10.5pt
 * shrink (b=18, tight: 784).  X breaks at a penalty 127 after m: 97.5pt (b=1,
 * 121 + 127^2 = 16250) and 96pt (b=4, 196).  Y is cheaper (16013 vs 16546)
 * unless adj_demerits charges the very loose → tight step (and the very loose
 * first line after the decent paragraph start, §864). */
static void test_adj(Arena *ar)
{
    Para p = {0};
    const double l1[] = {9, 9, 9, 9, 9, 9, 9.5}, l2[] = {10, 10, 10, 10, 10, 10, 12}, l3[] = {40};
    int g1 = words(&p, l1, 7, 4, 2, 1.5, 1);
    box(&p, 6);
    int pen = penalty(&p, 127);
    glue(&p, 4, 2, 1.5);
    int g3 = words(&p, l2, 7, 4, 2, 1.5, 1);
    words(&p, l3, 1, 4, 2, 1.5, 0);
    finish(&p);
    LayBreakParams prm = tex_params();
    prm.pretolerance = -1;
    KpResult r;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.n == 3 && r.lines[0].end == pen && r.lines[1].end == g3,
          "(j) adj_demerits 10000: break at the penalty, two decent lines (n=%d)", r.n);
    CHECK(r.n == 3 && r.lines[0].fitness == 1 && r.lines[1].fitness == 1, "(j) ... decent, decent");
    prm.adj_demerits = 0;
    kp_break(p.v, p.n, MEASURE, MEASURE, &prm, 1, ar, &r);
    CHECK(sane(&r, &p) && r.n == 3 && r.lines[0].end == g1 && r.lines[1].end == g3,
          "(j) adj_demerits 0: very loose then tight is cheaper (n=%d)", r.n);
    CHECK(r.n == 3 && r.lines[0].fitness == 3 && r.lines[1].fitness == 0 &&
              r.lines[0].badness == 113 && r.lines[1].badness == 18,
          "(j) ... fitness %d (b=%d) then %d (b=%d)", r.lines[0].fitness, r.lines[0].badness,
          r.lines[1].fitness, r.lines[1].badness);
    CHECK(r.n == 3 && r.lines[1].ratio < -0.57 && r.lines[1].ratio > -0.58,
          "(j) tight line ratio -6/10.5: %f", r.lines[1].ratio);
    free(p.v);
    arena_reset(ar);
}

/* ---- (k) a long synthetic paragraph ---------------------------------------------*/
static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static void build_long(Para *p, int n_words, uint32_t seed)
{
    for (int i = 0; i < n_words; i++) {
        double w = 8 + (lcg(&seed) % 4000) / 100.0;   /* 8..48pt */
        if (w > 30) {                                   /* hyphenable */
            box(p, w / 2);
            hyph(p, 50);
            box(p, w / 2);
        } else {
            box(p, w);
        }
        if (i < n_words - 1)
            glue(p, 3.33, 1.67, 1.11);
    }
    finish(p);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Breaks p and returns the best of five wall-clock times in ms (the machine
 * is shared; the minimum is the stable figure). */
static double time_break(const Para *p, Scaled width, const LayBreakParams *prm, Arena *ar,
                         KpResult *r)
{
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        arena_reset(ar);
        double t0 = now_ms();
        kp_break(p->v, p->n, width, width, prm, 1, ar, r);
        double t = now_ms() - t0;
        if (t < best)
            best = t;
    }
    return best;
}

static void test_long(Arena *ar)
{
    Para p = {0};
    build_long(&p, 10000, 12345);
    LayBreakParams prm = tex_params();
    KpResult r;
    double t = time_break(&p, 345 * SC_UNIT, &prm, ar, &r);
    CHECK(sane(&r, &p) && r.overfull == 0, "(k) 10000 words: %d items, %d lines, pass %d", p.n, r.n,
          r.pass);
    printf("     (k) 10000 words / %d items, 345pt: %.3f ms (%.4f ms per 1000 items, best of 5)\n",
           p.n, t, t * 1000.0 / p.n);

    /* tolerance 10000 keeps every underfull candidate active (TeX's worst case) */
    prm.pretolerance = -1;
    prm.tolerance = 10000;
    t = time_break(&p, 345 * SC_UNIT, &prm, ar, &r);
    CHECK(sane(&r, &p), "(k) tolerance 10000: %d lines", r.n);
    printf("     (k) same, tolerance 10000: %.3f ms (%.4f ms per 1000 items)\n", t,
           t * 1000.0 / p.n);
    free(p.v);

    Para q = {0};           /* ~6000 items on a wide measure: ~110 active nodes */
    build_long(&q, 2200, 777);
    t = time_break(&q, 1000 * SC_UNIT, &prm, ar, &r);
    CHECK(sane(&r, &q), "(k) %d items on a 1000pt measure: %d lines", q.n, r.n);
    printf("     (k) %d items, 1000pt, tolerance 10000 (~110 active nodes): %.3f ms "
           "(%.4f ms per 1000 items)\n",
           q.n, t, t * 1000.0 / q.n);
    free(q.v);
    arena_reset(ar);
}

/* ---- hyphenation -----------------------------------------------------------------*/

/* word with '-' after every point, in buf */
static const char *show(const char *w, const char *pts, char *buf)
{
    int n = (int)strlen(w), k = 0;
    for (int i = 0; i < n; i++) {
        buf[k++] = w[i];
        if (pts[i])
            buf[k++] = '-';
    }
    buf[k] = 0;
    return buf;
}

/* every point is at the last byte of a character, and the minima hold */
static int boundaries_ok(const char *w, const char *pts, int lmin, int rmin)
{
    int n = (int)strlen(w), chars_before = 0, total = 0;
    for (int i = 0; i < n; i++)
        total += ((unsigned char)w[i] & 0xC0) != 0x80;
    for (int i = 0; i < n; i++) {
        chars_before += ((unsigned char)w[i] & 0xC0) != 0x80;
        if (!pts[i])
            continue;
        if (i + 1 >= n || ((unsigned char)w[i + 1] & 0xC0) == 0x80)
            return 0;
        if (chars_before < lmin || total - chars_before < rmin)
            return 0;
    }
    return 1;
}

static void expect(const Hyph *h, const char *w, int l, int r, const char *want)
{
    char pts[512], buf[1024];
    int n = hyph_word(h, w, (int)strlen(w), pts, l, r);
    show(w, pts, buf);
    CHECK(strcmp(buf, want) == 0 && boundaries_ok(w, pts, l, r), "hyph %s (%d,%d) -> %s (%d points)",
          w, l, r, buf, n);
}

/* w with its hyphens shown ("type-set-ting"), into buf; "" for no dictionary. */
static void hyphenated(const Hyph *h, const char *w, int l, int r, char *buf, size_t size)
{
    char pts[512], shown[1024] = "";
    if (h && strlen(w) < sizeof pts) {
        hyph_word(h, w, (int)strlen(w), pts, l, r);
        show(w, pts, shown);
    }
    g_strlcpy(buf, shown, size);
}

typedef struct ThreadArg {
    const Hyph *h;
    int failures;
} ThreadArg;

/* hyph_acquire from many threads at once, half of them for each language:
 * the dictionaries load while the table's lock is free. */
typedef struct AcquireArg {
    const char *lang;
    Hyph *got;
} AcquireArg;

static void *acquire_thread(void *arg)
{
    AcquireArg *a = arg;
    a->got = hyph_acquire(NULL, a->lang);
    return NULL;
}

static void *hyph_thread(void *arg)
{
    ThreadArg *a = arg;
    const char *w = "incomprehensibilities";
    char pts[64];
    for (int i = 0; i < 3000; i++) {
        int n = hyph_word(a->h, w, (int)strlen(w), pts, 2, 3);
        if (n != 7 || !pts[1] || !pts[4] || !pts[16])
            a->failures++;
    }
    return NULL;
}

static void test_hyph(void)
{
    Hyph *en = hyph_load(NULL, "en");
    CHECK(en != NULL, "hyph: en loads");
    if (en) {
        expect(en, "typesetting", 2, 3, "type-set-ting");
        expect(en, "Typesetting", 2, 3, "Type-set-ting");
        expect(en, "TYPESETTING", 2, 3, "TYPE-SET-TING");
        expect(en, "incomprehensibilities", 2, 3, "in-com-pre-hen-si-bil-i-ties");
        expect(en, "incomprehensibilities", 3, 4, "incom-pre-hen-si-bil-i-ties");
        expect(en, "hyphenation", 2, 3, "hy-phen-ation");
        expect(en, "algorithm", 2, 3, "al-go-rithm");
        expect(en, "table", 2, 3, "ta-ble");
        expect(en, "table", 2, 4, "table");
        expect(en, "type2setting", 2, 3, "type2setting");
        expect(en, "typesetting3", 2, 3, "typesetting3");
        expect(en, "тип", 2, 3, "тип");
        char pts[4] = {1, 1, 1, 1};
        CHECK(hyph_word(en, "ab", 2, pts, 1, 1) == 0 && !pts[0] && !pts[1],
              "hyph: short word, pts cleared");
        CHECK(hyph_word(en, "\xff\xfe", 2, pts, 1, 1) == 0, "hyph: invalid UTF-8 gets none");
        CHECK(hyph_word(NULL, "word", 4, pts, 1, 1) == 0, "hyph: NULL dictionary gets none");

        ThreadArg args[4];
        pthread_t th[4];
        for (int i = 0; i < 4; i++) {
            args[i] = (ThreadArg){en, 0};
            pthread_create(&th[i], NULL, hyph_thread, &args[i]);
        }
        int fails = 0;
        for (int i = 0; i < 4; i++) {
            pthread_join(th[i], NULL);
            fails += args[i].failures;
        }
        CHECK(fails == 0, "hyph: 4 threads share one dictionary: %d wrong results", fails);
    }
    Hyph *en_us = hyph_load(NULL, "en-US"), *en_gb = hyph_load(NULL, "EN_gb");
    CHECK(en_us && en_gb, "hyph: en-US and en-GB (falls back to hyph_en.dic) load");
    hyph_free(en_us);
    hyph_free(en_gb);
    hyph_free(en);

    Hyph *s1 = hyph_acquire(NULL, "ru"), *s2 = hyph_acquire(NULL, "ru");
    Hyph *s3 = hyph_acquire(NULL, "zh");
    CHECK(s1 && s1 == s2 && !s3, "hyph: the shared table gives one dictionary per language, none for zh");
    hyph_release(s1);
    char sp[32];
    CHECK(hyph_word(s2, "сотрудничество", (int)strlen("сотрудничество"), sp, 2, 2) == 4,
          "hyph: a shared dictionary outlives one of its two holders");
    hyph_release(s2);
    Hyph *s4 = hyph_acquire(NULL, "ru");
    CHECK(s4 != NULL, "hyph: loaded again after the last holder let go");
    hyph_release(s4);
    {
        enum { N = 8 };
        pthread_t th[N];
        AcquireArg args[N];
        for (int i = 0; i < N; i++) {
            args[i] = (AcquireArg){.lang = i % 2 ? "ru" : "en"};
            pthread_create(&th[i], NULL, acquire_thread, &args[i]);
        }
        for (int i = 0; i < N; i++)
            pthread_join(th[i], NULL);
        int same = 1;
        for (int i = 2; i < N; i++)
            same &= args[i].got == args[i % 2].got;
        char pe[32], pr[32];
        CHECK(same && args[0].got && args[1].got && args[0].got != args[1].got &&
                  hyph_word(args[0].got, "international", 13, pe, 2, 3) > 0 &&
                  hyph_word(args[1].got, "сотрудничество", (int)strlen("сотрудничество"), pr, 2, 2) == 4,
              "hyph: %d threads asking at once for two languages get one dictionary each", N);
        for (int i = 0; i < N; i++)
            hyph_release(args[i].got);
        Hyph *again = hyph_acquire(NULL, "en");
        CHECK(again != NULL, "hyph: ... and, all let go, it loads again");
        hyph_release(again);
    }

    Hyph *ru = hyph_load(NULL, "ru-RU");
    CHECK(ru != NULL, "hyph: ru-RU loads");
    if (ru) {
        /* hyphen-ru ships TeX's patterns without libhyphen's substring step;
         * read raw they give до-стоприме-чатель-ность and между-на-род-ных:
         * hyph_load embeds the substrings itself (hyph.c) */
        expect(ru, "достопримечательность", 2, 2, "до-сто-при-ме-ча-тель-ность");
        expect(ru, "международных", 2, 2, "меж-ду-на-род-ных");
        expect(ru, "международных", 2, 3, "меж-ду-на-род-ных");
        expect(ru, "сотрудничество", 2, 2, "со-труд-ни-че-ство");
        expect(ru, "Сотрудничество", 2, 3, "Со-труд-ни-че-ство");
        expect(ru, "СОТРУДНИЧЕСТВО", 2, 2, "СО-ТРУД-НИ-ЧЕ-СТВО");
        expect(ru, "предупреждения", 2, 2, "пре-ду-пре-жде-ния");
        char a[64], b[64], c[64];
        const char *yo = "ёлочка", *ye = "елочка", *YO = "Ёлочка";
        int na = hyph_word(ru, yo, (int)strlen(yo), a, 2, 2);
        int nb = hyph_word(ru, ye, (int)strlen(ye), b, 2, 2);
        int nc = hyph_word(ru, YO, (int)strlen(YO), c, 2, 2);
        CHECK(na > 0 && na == nb && nb == nc && memcmp(a, b, strlen(ye)) == 0 &&
                  memcmp(a, c, strlen(ye)) == 0,
              "hyph: ё/Ё hyphenate like е (%d %d %d points)", na, nb, nc);
        expect(ru, "сотрудничество2", 2, 2, "сотрудничество2");
        expect(ru, "hello", 2, 2, "hello");
        expect(ru, "сотрудniчество", 2, 2, "сотрудniчество");
    }
    hyph_free(ru);

    CHECK(hyph_load(NULL, "zh") == NULL, "hyph: no dictionary for zh");
    CHECK(hyph_load(NULL, "zh-Hans-CN") == NULL, "hyph: none for zh-Hans-CN");
    CHECK(hyph_load(NULL, NULL) == NULL && hyph_load(NULL, "") == NULL && hyph_load(NULL, "e") == NULL,
          "hyph: bad tags give NULL");
    CHECK(hyph_load("/nonexistent", "en") == NULL, "hyph: missing directory gives NULL");
}

/* A user's cache of its own for a hyphenation test (XDG_CACHE_HOME pointed
 * at a new directory, put back by cache_close): where hyph.c keeps its
 * compiled dictionaries, and the one file it kept there. */
typedef struct TestCache {
    char *dir, *saved, *hdir;
} TestCache;

static void cache_open(TestCache *c)
{
    c->dir = g_dir_make_tmp("test-hyph-XXXXXX", NULL);
    const char *old = g_getenv("XDG_CACHE_HOME");
    c->saved = old ? g_strdup(old) : NULL;
    g_setenv("XDG_CACHE_HOME", c->dir, TRUE);
    c->hdir = g_build_filename(c->dir, "typeset", "hyphen", NULL);
}

/* The file kept in c (the first there), or NULL. */
static char *cache_kept(const TestCache *c)
{
    GDir *d = g_dir_open(c->hdir, 0, NULL);
    const char *name = d ? g_dir_read_name(d) : NULL;
    char *kept = name ? g_build_filename(c->hdir, name, NULL) : NULL;
    if (d)
        g_dir_close(d);
    return kept;
}

/* Removes c's directories with the file kept (freed), and puts the user's
 * cache back. */
static void cache_close(TestCache *c, char *kept)
{
    if (kept)
        g_unlink(kept);
    g_free(kept);
    g_rmdir(c->hdir);
    char *t = g_build_filename(c->dir, "typeset", NULL);
    g_rmdir(t);
    g_free(t);
    g_rmdir(c->dir);
    if (c->saved)
        g_setenv("XDG_CACHE_HOME", c->saved, TRUE);
    else
        g_unsetenv("XDG_CACHE_HOME");
    g_free(c->saved);
    g_free(c->hdir);
    g_free(c->dir);
}

/* A kept machine whose checksum is right but whose states are not a
 * machine libhyphen makes (a fallback to its own state: libhyphen's walk
 * would never end) is refused and made again. */
static guint32 rd32(const guint8 *p)
{
    guint32 v;
    memcpy(&v, p, 4);
    return v;
}

static void test_hyph_kept_unsound(void)
{
    TestCache c;
    cache_open(&c);
    hyph_free(hyph_load(NULL, "en"));
    char *kept = cache_kept(&c);
    gchar *data = NULL, *orig = NULL;
    gsize n = 0;
    int done = 0;
    if (kept && g_file_get_contents(kept, &data, &n, NULL)) {
        orig = g_memdup2(data, n);
        char *nl = memchr(data, '\n', n);
        guint8 *b = (guint8 *)nl + 1, *e = (guint8 *)data + n, *p = b + 4;     /* levels */
        /* the first level: mins, utf8, cset, nohyphenl, nohyphen, states */
        p += 4 + 4 + 20 + 4;
        guint32 nh = rd32(p);
        p += 4 + (nh == 0xFFFFFFFFu ? 0 : nh);
        guint32 ns = rd32(p);
        p += 4;
        if (ns > 1 && p + 4 <= e) {
            /* state 0, then state 1's fallback made its own number */
            p += 4 + 2;
            for (int k = 0; k < 2; k++) {
                guint32 l = rd32(p);
                p += 4 + (l == 0xFFFFFFFFu ? 0 : l);
            }
            guint32 nt = rd32(p);
            p += 4 + nt * 5;
            guint32 one = 1;
            memcpy(p, &one, 4);
            /* the header again, with the body's new checksum */
            size_t body = (size_t)(e - b);
            guint32 crc = (guint32)crc32(0L, b, (uInt)body);
            char *head = g_strndup(data, (gsize)(nl - data));
            char *sp = strrchr(head, ' ');  /* " PATH" last; the crc before it */
            *sp = '\0';
            char *cs = strrchr(head, ' ');
            char *fixed = g_strdup_printf("%.*s %08x %s\n", (int)(cs - head), head, (unsigned)crc, sp + 1);
            GString *g = g_string_new(fixed);
            g_string_append_len(g, (const char *)b, (gssize)body);
            g_file_set_contents(kept, g->str, (gssize)g->len, NULL);
            g_string_free(g, TRUE);
            g_free(fixed);
            g_free(head);
            done = 1;
        }
    }
    CHECK(done, "hyph: a kept machine altered, its checksum made right");
    Hyph *h = hyph_load(NULL, "en");
    char got[64];
    if (h)
        hyphenated(h, "hyphenation", 2, 3, got, sizeof got);
    CHECK(h && strcmp(got, "hy-phen-ation") == 0,
          "hyph: the unsound machine is refused and made again (got %s)", h ? got : "none");
    hyph_free(h);
    gchar *again = NULL;
    gsize m = 0;
    CHECK(kept && g_file_get_contents(kept, &again, &m, NULL) && m == n && orig &&
              memcmp(again, orig, m) == 0,
          "hyph: ... and kept again as it was");
    g_free(again);
    g_free(orig);
    g_free(data);
    cache_close(&c, kept);
}

/* The machine rebuilt from the kept file hyphenates every word of the
 * samples as libhyphen's own loading of the dictionary does. */
static void test_hyph_kept_words(const char *lang, const char *sample)
{
    gchar *text = NULL;
    CHECK(g_file_get_contents(sample, &text, NULL, NULL), "hyph: %s read", sample);
    if (!text)
        return;
    Hyph *mine = hyph_load(NULL, lang);         /* writes or reads the kept file */
    hyph_free(mine);
    mine = hyph_load(NULL, lang);               /* the kept file, surely */
    g_setenv("TYPESET_NO_HYPHEN_CACHE", "1", TRUE);
    Hyph *theirs = hyph_load(NULL, lang);
    g_unsetenv("TYPESET_NO_HYPHEN_CACHE");
    int words = 0, differ = 0, points = 0;
    const char *p = text;
    while (*p && mine && theirs) {
        while (*p && !g_unichar_isalpha(g_utf8_get_char(p)))
            p = g_utf8_next_char(p);
        const char *w = p;
        while (*p && g_unichar_isalpha(g_utf8_get_char(p)))
            p = g_utf8_next_char(p);
        int len = (int)(p - w);
        if (len < 4 || len > 200)
            continue;
        char a[256], b[256];
        hyph_word(mine, w, len, a, 2, 2);
        hyph_word(theirs, w, len, b, 2, 2);
        words++;
        differ += memcmp(a, b, (size_t)len) != 0;
        for (int i = 0; i < len; i++)
            points += a[i] != 0;
    }
    CHECK(mine && theirs && words > 500 && points > 100 && differ == 0,
          "hyph: %s: %d words of %s, %d points, the same as libhyphen's loading for all but %d", lang,
          words, sample, points, differ);
    hyph_free(mine);
    hyph_free(theirs);
    g_free(text);
}

/* The dictionaries compiled into libhyphen's state machine are kept in the
 * user's cache (hyph.c): the first load writes the file, the next reads it,
 * a file changed in one byte or made for another dictionary is not taken
 * (and is made again), and every way hyphenates alike. */
static void test_hyph_kept(void)
{
    TestCache c;
    cache_open(&c);
    const char *words[] = {"incomprehensibilities", "typesetting", "hyphenation"};
    char want[3][64];
    Hyph *h = hyph_load(NULL, "en");
    for (int i = 0; i < 3; i++)
        hyphenated(h, words[i], 2, 3, want[i], sizeof want[i]);
    hyph_free(h);
    char *kept = cache_kept(&c);
    CHECK(kept && g_str_has_suffix(kept, ".hyc"), "hyph: the compiled dictionary is kept (%s)",
          kept ? kept : "none");
    gchar *first = NULL;
    gsize first_n = 0;
    if (kept)
        g_file_get_contents(kept, &first, &first_n, NULL);
    for (int round = 0; kept && round < 3; round++) {
        gchar *data = NULL;
        gsize n = 0;
        g_file_get_contents(kept, &data, &n, NULL);
        if (round == 1 && n > 100)
            data[n - 50] ^= 1;          /* one byte of the patterns */
        if (round == 2 && n > 40)
            memcpy(strstr(data, "typeset-hyphen 2") + 17, "9", 1);   /* another version */
        if (round > 0)
            g_file_set_contents(kept, data, (gssize)n, NULL);
        g_free(data);
        h = hyph_load(NULL, "en");
        int same = h != NULL;
        for (int i = 0; i < 3 && h; i++) {
            char got[64];
            hyphenated(h, words[i], 2, 3, got, sizeof got);
            same = same && strcmp(got, want[i]) == 0;
        }
        hyph_free(h);
        CHECK(same, "hyph: %s: the same hyphens", round == 0 ? "read from the kept file"
                                                : round == 1 ? "a damaged kept file made again"
                                                             : "another version's file made again");
        if (round > 0) {
            gchar *again = NULL;
            gsize m = 0;
            g_file_get_contents(kept, &again, &m, NULL);
            CHECK(again && m == first_n && memcmp(again, first, m) == 0,
                  "hyph: the file is refused and written again as it was first");
            g_free(again);
        }
    }
    g_free(first);
    cache_close(&c, kept);
}

int main(void)
{
    Arena ar;
    arena_init(&ar);
    test_total_fit(&ar);
    test_emergency(&ar);
    test_impossible(&ar);
    test_hyphen_pass(&ar);
    test_double_hyphen(&ar);
    test_final_hyphen(&ar);
    test_forced(&ar);
    test_protrusion(&ar);
    test_badness();
    test_short_last_line(&ar);
    test_adj(&ar);
    test_long(&ar);
    test_hyph();
    test_hyph_kept();
    test_hyph_kept_unsound();
    test_hyph_kept_words("en", "samples/en-article.md");
    test_hyph_kept_words("ru", "samples/ru-article.md");
    arena_fini(&ar);
    return check_finish();
}
