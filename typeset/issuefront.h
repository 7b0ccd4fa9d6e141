/* issuefront.h — the issue's own pages: a cover (ISSN, journal, volume /
 * number / year, the cover's image and title lines) and a table of contents (section
 * headings; per article its title, authors and first page, set right, each a
 * link to the article's title destination).  Both are engine blocks in the
 * style's roles, laid out by the same engine as the articles, so the issue's
 * pages are set exactly like its text.  Takes plain metadata, hands on a
 * LayResult whose strings live in the caller's arena and whose glyphs the
 * result owns (lay_result_fini). */
#ifndef TS_ISSUEFRONT_H
#define TS_ISSUEFRONT_H

#include "../layout/layout.h"
#include "model.h"
#include "style.h"

typedef struct IssueFrontEntry {
    const DocMeta *meta;    /* title, authors, lang */
    int first_page;
    const char *dest;       /* the named destination of its title ("a4-title") */
    int section;            /* index into IssueFront.sections; -1 = none */
} IssueFrontEntry;

typedef struct IssueFront {
    const char *file;       /* the manifest, for diagnostics */
    const char *lang;       /* language of the cover and contents labels */
    const char *journal, *issn, *volume, *number, *year;   /* any may be NULL */
    const char *const *cover_lines;
    int n_cover_lines;
    const char *cover_image;    /* a PNG, JPEG or SVG file, NULL = none */
    int cover_image_line, cover_image_col;  /* where the manifest names it */
    const char *const *sections;
    int n_sections;
    const IssueFrontEntry *entries;
    int n_entries;
} IssueFront;

/* Lays out the cover (first page) and the contents (the pages after it).  The
 * pages are labelled "i", "ii", … and carry no folios.  Returns 0, or -1 after
 * adding an error. */
int issuefront_layout(const IssueFront *f, const Style *st, LayEngine *e, LayResult *out, Arena *a,
                      DiagList *dl);

/* Lower-case roman numeral of n (1..3999) in the arena, e.g. 4 -> "iv". */
char *issuefront_roman(int n, Arena *a);

#endif
