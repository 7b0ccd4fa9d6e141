/* issuepages.h — numbering an issue: continuous folios from the first page,
 * each article on a recto (odd folio) when the style asks for it, a blank
 * verso before it where needed; and the names that keep an article's
 * destinations unique in issue.pdf (pdfmerge.h puts them on). */
#ifndef TS_ISSUEPAGES_H
#define TS_ISSUEPAGES_H

#include "../layout/layout.h"

/* Sets first[k] to the first folio of article k.  Articles with pages[k] <= 0
 * (failed ones) take no room and get first[k] = 0.  Returns the folio that
 * would follow the last article. */
int issuepages_number(int first_page, int recto_start, const int *pages, int n, int *first);

/* The destination name of `name` in article k: "a<k>-name" in a. */
const char *issuepages_dest(int k, const char *name, Arena *a);

#endif
