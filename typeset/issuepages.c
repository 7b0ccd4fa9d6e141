/* issuepages.c — see issuepages.h. */
#include "issuepages.h"

int issuepages_number(int first_page, int recto_start, const int *pages, int n, int *first)
{
    int f = first_page;
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
