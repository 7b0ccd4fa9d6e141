/* build.h — the pipeline driver for one article: source -> document model ->
 * composed blocks -> layout -> PDF, in one short function.  Everything a run
 * needs hangs off the options and the diagnostics list; no global state. */
#ifndef TS_BUILD_H
#define TS_BUILD_H

#include "../layout/base.h"

/* Media added beyond the bleed for crop marks with --marks. */
#define BUILD_MARKS_MM 10.0

typedef struct BuildOptions {
    const char *input;
    const char *output;     /* NULL: the input path with .pdf */
    const char *style;      /* NULL: "rjwpln" */
    const char *datadir;    /* where styles/ and fonts/ are */
    int first_page;         /* 0: from the front matter, else 1 */
    int strict;             /* warnings are errors */
    int check_only;         /* validate, write nothing */
    double bleed_mm;        /* --bleed MM */
    int marks;              /* --marks: crop marks outside the bleed */
    int frames;             /* draw the layout frames over every page (frames.h) */
    const char *report;     /* --report FILE.json: the line report, or NULL */
    long long epoch;        /* PDF dates; -1 = now */
} BuildOptions;

/* Returns 0 when the PDF was written (or the check passed); -1 otherwise.
 * Diagnostics are added to dl; nothing is printed. */
int build_article(const BuildOptions *o, DiagList *dl);

/* `typeset fonts`: writes which font file serves each role and script. */
int build_list_fonts(const char *datadir, const char *style, DiagList *dl);

#endif
