/* issuepages.h — numbering an issue: continuous folios from the first page,
 * each on its side of the sheet once the cover and contents are padded
 * (issuepages_front_blanks), each article on a recto (odd folio) when the style asks for it, a blank
 * verso before it where needed; and the names that keep an article's
 * destinations unique in issue.pdf (pdfmerge.h puts them on). */
#ifndef TS_ISSUEPAGES_H
#define TS_ISSUEPAGES_H

#include "../layout/layout.h"

/* The folio of the first page after the issue's cover and contents:
 * first_page, or with recto starts the odd folio after an even one.  The
 * first article cannot start on that verso, and a blank page carrying it
 * would cost a leaf of its own (after the front's pad page, so that it fell
 * on a left-hand page), so the issue's folios begin at the recto. */
int issuepages_start(int first_page, int recto_start);

/* How many blank pages (0 or 1) go between the n_front pages of the cover
 * and contents and the page with folio `start`, so that every folio lands on
 * its side when issue.pdf is printed: its page 1, the cover, is a recto, so
 * an odd folio must be on an odd page of the file and an even one on an even
 * page. */
int issuepages_front_blanks(int n_front, int start);

/* Sets first[k] to the first folio of article k, from
 * issuepages_start(first_page, recto_start) on.  Articles with pages[k] <= 0
 * (failed ones) take no room and get first[k] = 0.  Returns the folio that
 * would follow the last article. */
int issuepages_number(int first_page, int recto_start, const int *pages, int n, int *first);

/* The destination name of `name` in article k: "a<k>-name" in a. */
const char *issuepages_dest(int k, const char *name, Arena *a);

#endif
