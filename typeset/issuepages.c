/* issuepages.c — see issuepages.h. */
#include "issuepages.h"

int issuepages_start(int first_page, int recto_start)
{
    return recto_start && first_page % 2 == 0 ? first_page + 1 : first_page;
}

int issuepages_front_blanks(int n_front, int start)
{
    /* the page after the front and its blank is page n_front + blank + 1 of
     * issue.pdf, whose page 1 (the cover) is a recto: it must have start's
     * parity */
    return (n_front + start + 1) % 2;
}

int issuepages_number(int first_page, int recto_start, const int *pages, int n, int *first)
{
    int f = issuepages_start(first_page, recto_start);
    for (int k = 0; k < n; k++) {
        if (pages[k] <= 0) {
            first[k] = 0;
            continue;
        }
        if (recto_start && f % 2 == 0)
            f++;                /* the blank verso */
        first[k] = f;
        f += pages[k];
    }
    return f;
}

const char *issuepages_dest(int k, const char *name, Arena *a)
{
    return arena_printf(a, "a%d-%s", k, name);
}
