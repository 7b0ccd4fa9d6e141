/* issuepages.h — numbering and assembling an issue.  Numbering: continuous
 * folios from the first page, each article on a recto (odd folio) when the
 * style asks for it, a blank verso before it where needed.  Assembling: one
 * LayResult whose pages are the front matter's, the blank versos and the
 * articles' pages, with every destination and internal link made unique per
 * article, an outline of the articles with their headings one level below, and
 * page labels equal to the printed folios.  Page structs are copied, glyph
 * items borrowed: the front matter's and the articles' results must outlive
 * the assembled one, which is freed with its arena (never lay_result_fini). */
#ifndef TS_ISSUEPAGES_H
#define TS_ISSUEPAGES_H

#include "../layout/layout.h"

/* Sets first[k] to the first folio of article k.  Articles with pages[k] <= 0
 * (failed ones) take no room and get first[k] = 0.  Returns the folio that
 * would follow the last article. */
int issuepages_number(int first_page, int recto_start, const int *pages, int n, int *first);

/* Rewrites article k's destinations, its "#…" links and its outline targets
 * to "a<k>-…" (k >= 1), so that names stay unique in the issue; new strings go
 * into a (the article's arena).  Call once per result. */
void issuepages_prefix(LayResult *r, int k, Arena *a);

/* The destination name of `name` in article k: "a<k>-name" in a. */
const char *issuepages_dest(int k, const char *name, Arena *a);

typedef struct IssuePart {
    const LayResult *result;    /* already prefixed */
    const char *title;          /* outline entry of the article */
    int k;                      /* 1-based, as given to issuepages_prefix */
} IssuePart;

/* Fills *out: the front pages; when recto_start, a blank page so that the
 * front matter has an even count; then from folio first_page on, each
 * article's pages with blank pages wherever its first folio leaves a gap.
 * Every blank page of the front matter gets the next roman label.  The
 * outline has one entry per article (its "title" destination) with the
 * article's own entries nested one level below. */
void issuepages_assemble(const LayResult *front, const IssuePart *parts, int n, int first_page,
                         int recto_start, LayResult *out, Arena *a);

#endif
