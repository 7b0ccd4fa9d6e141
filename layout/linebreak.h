/* linebreak.h — Knuth–Plass total-fit line breaking (tex.web §813–890) over an
 * abstract list of boxes, glue and penalties.  Pure: no fonts, no text.  Takes
 * items and line widths, hands back the chosen breakpoints with their
 * adjustment ratios.  Active/passive nodes live in the caller's scratch Arena,
 * which may be reset after each paragraph. */
#ifndef TS_LINEBREAK_H
#define TS_LINEBREAK_H

#include "base.h"
#include "params.h"

#define KP_INF 10000        /* penalty >= KP_INF: no break; <= -KP_INF: forced */
#define KP_AWFUL_BAD 0x3FFFFFFF

typedef enum { KP_BOX, KP_GLUE, KP_PENALTY } KpType;

typedef struct KpItem {
    KpType type;
    Scaled width;
    Scaled stretch, shrink; /* glue; boxes may carry stretch/shrink too (font
                               expansion), summed like glue but never a break */
    int penalty;            /* KP_PENALTY */
    int flagged;            /* KP_PENALTY: a hyphen break (double-hyphen demerits) */
    int auto_hyph;          /* KP_PENALTY: inserted by hyphenation: ignored in pass 1 */
    int last_resort;        /* KP_PENALTY: a breakpoint only in a final (emergency) pass
                               run with KP_LAST_RESORT */
    Scaled rprot;           /* break here: material before may hang this far right */
    Scaled lprot;           /* break here: material after may hang this far left */
} KpItem;

typedef struct KpLine {
    int start;              /* first item of the line (after discarded glue/penalties) */
    int end;                /* the break item index (the line is [start, end)) */
    double ratio;           /* adjustment ratio: >0 stretch, <0 shrink */
    int fitness;            /* 0 tight, 1 decent, 2 loose, 3 very loose */
    int hyphenated;         /* ends at a flagged penalty */
    Scaled natural;         /* natural width of the line (incl. penalty width) */
    Scaled target;          /* the width the line must fill (incl. protrusion) */
    Scaled stretch, shrink; /* totals available on the line */
    int badness;
} KpLine;

typedef struct KpResult {
    KpLine *lines;          /* in the scratch arena */
    int n;
    int pass;               /* 1, 2 or 3 (emergency) — which pass succeeded */
    int overfull;           /* lines that could not be made to fit (pass 3 failed) */
} KpResult;

/* Breaks items[0..n) (which must end with glue(0, fil) + penalty(-KP_INF), as TeX's
 * \parfillskip + final \penalty) into lines of width `first` (line 1) and `rest`
 * (later lines).  p supplies tolerance, penalties, demerits and emergency stretch.
 * flags: KP_HYPHENATE, the pass-2 hyphenation points may be used;
 * KP_LAST_RESORT, so may the final pass's last_resort penalties.  Always succeeds:
 * when no feasible solution exists even in the emergency pass, the least bad
 * solution with overfull lines is returned and counted in result->overfull.
 * fil stretch: a glue stretch >= KP_FIL counts as infinite. */
#define KP_FIL (1 << 28)
enum { KP_HYPHENATE = 1, KP_LAST_RESORT = 2 };
void kp_break(const KpItem *items, int n, Scaled first, Scaled rest, const LayBreakParams *p,
              int flags, Arena *scratch, KpResult *result);

/* TeX's badness function (tex.web §108): about 100 (t/s)^3, capped at 10000. */
int kp_badness(Scaled t, Scaled s);

#endif
