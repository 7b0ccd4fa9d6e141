/* issuepages.c — see issuepages.h. */
#include "issuepages.h"

#include <string.h>

#include "issuefront.h"

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

void issuepages_prefix(LayResult *r, int k, Arena *a)
{
    for (int p = 0; p < r->n_pages; p++)
        for (int i = 0; i < r->pages[p].n_items; i++) {
            LayItem *it = &r->pages[p].items[i];
            if (it->kind == LI_DEST && it->str)
                it->str = issuepages_dest(k, it->str, a);
            else if (it->kind == LI_LINK && it->str && it->str[0] == '#')
                it->str = arena_printf(a, "#%s", issuepages_dest(k, it->str + 1, a));
        }
    for (int i = 0; i < r->n_outline; i++)
        r->outline[i].dest = issuepages_dest(k, r->outline[i].dest, a);
}

static int count_pages(const LayResult *front, const IssuePart *parts, int n, int first_page,
                       int recto_start)
{
    int total = front->n_pages + (recto_start && front->n_pages % 2);
    int f = first_page;
    for (int k = 0; k < n; k++) {
        const LayResult *r = parts[k].result;
        int start = r->n_pages ? r->pages[0].number : f;
        total += (start > f ? start - f : 0) + r->n_pages;
        f = start + r->n_pages;
    }
    return total;
}

void issuepages_assemble(const LayResult *front, const IssuePart *parts, int n, int first_page,
                         int recto_start, LayResult *out, Arena *a)
{
    memset(out, 0, sizeof *out);
    int total = count_pages(front, parts, n, first_page, recto_start);
    out->pages = arena_calloc(a, (size_t)total + 1, sizeof(LayPage));
    LayPage *pg = out->pages;
    for (int i = 0; i < front->n_pages; i++)
        *pg++ = front->pages[i];
    if (recto_start && front->n_pages % 2)
        *pg++ = (LayPage){.label = issuefront_roman(front->n_pages + 1, a)};
    int n_outline = 0;
    for (int k = 0; k < n; k++)
        n_outline += 1 + parts[k].result->n_outline;
    out->outline = arena_calloc(a, (size_t)n_outline + 1, sizeof(LayOutline));
    LayOutline *ol = out->outline;
    int f = first_page;
    for (int k = 0; k < n; k++) {
        const LayResult *r = parts[k].result;
        int start = r->n_pages ? r->pages[0].number : f;
        for (; f < start; f++)
            *pg++ = (LayPage){.number = f};     /* blank verso: folio in the labels only */
        for (int i = 0; i < r->n_pages; i++)
            *pg++ = r->pages[i];
        f = start + r->n_pages;
        *ol++ = (LayOutline){1, parts[k].title, issuepages_dest(parts[k].k, "title", a)};
        for (int i = 0; i < r->n_outline; i++) {
            LayOutline e = r->outline[i];
            e.level += 1;
            *ol++ = e;
        }
    }
    out->n_pages = (int)(pg - out->pages);
    out->n_outline = (int)(ol - out->outline);
}
