/* issuelog.c — see issuelog.h. */
#include "issuelog.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>

#include "../layout/base.h"

struct IssueLog {
    GMutex lock;
    int quiet, tty, n;
    int measured, set, pages;
    int bar_shown;
    gint64 start;
};

#define BAR_WIDTH 24

IssueLog *issuelog_new(int quiet, int tty, int n)
{
    IssueLog *l = xcalloc(1, sizeof *l);
    g_mutex_init(&l->lock);
    l->quiet = quiet;
    l->tty = tty && !quiet;
    l->n = n > 0 ? n : 1;
    l->start = g_get_monotonic_time();
    return l;
}

void issuelog_free(IssueLog *l)
{
    if (!l)
        return;
    g_mutex_clear(&l->lock);
    free(l);
}

double issuelog_elapsed(const IssueLog *l)
{
    return (double)(g_get_monotonic_time() - l->start) / 1e6;
}

/* The bar counts two steps per article: measured, then set. */
static void draw_bar(IssueLog *l)
{
    if (!l->tty)
        return;
    int done = l->measured + l->set, total = 2 * l->n;
    int fill = done * BAR_WIDTH / (total ? total : 1);
    char bar[BAR_WIDTH + 1];
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[BAR_WIDTH] = 0;
    fprintf(stderr, "\r\033[K[%s] measured %d/%d  set %d/%d  %d pages  %.1f s", bar, l->measured,
            l->n, l->set, l->n, l->pages, issuelog_elapsed(l));
    fflush(stderr);
    l->bar_shown = 1;
}

static void clear_bar(IssueLog *l)
{
    if (l->bar_shown)
        fputs("\r\033[K", stderr);
    l->bar_shown = 0;
}

void issuelog_line(IssueLog *l, const char *fmt, ...)
{
    if (l->quiet)
        return;
    g_mutex_lock(&l->lock);
    clear_bar(l);
    va_list ap;
    va_start(ap, fmt);
    fputs("typeset: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    draw_bar(l);
    g_mutex_unlock(&l->lock);
}

void issuelog_measured(IssueLog *l)
{
    g_mutex_lock(&l->lock);
    l->measured++;
    draw_bar(l);
    g_mutex_unlock(&l->lock);
}

void issuelog_set(IssueLog *l, int pages)
{
    g_mutex_lock(&l->lock);
    l->set++;
    l->pages += pages;
    draw_bar(l);
    g_mutex_unlock(&l->lock);
}

void issuelog_reset_set(IssueLog *l)
{
    g_mutex_lock(&l->lock);
    l->set = 0;
    l->pages = 0;
    draw_bar(l);
    g_mutex_unlock(&l->lock);
}

void issuelog_finish(IssueLog *l)
{
    g_mutex_lock(&l->lock);
    clear_bar(l);
    fflush(stderr);
    g_mutex_unlock(&l->lock);
}
