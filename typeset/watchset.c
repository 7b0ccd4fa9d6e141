/* watchset.c — see watchset.h. */
#include "watchset.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* What makes a followed file "changed": its data was written or it was
 * replaced, created, removed or touched (touch only changes attributes). */
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
                    IN_DELETE | IN_ATTRIB | IN_ONLYDIR)

/* A followed file: the watch descriptor of its directory and its base name.
 * Events name the directory's wd and the entry, so matching on the pair is
 * right however the directory was spelled ("a/../b" or "b"). */
typedef struct WatchFile {
    int wd;
    char *base;
    unsigned tag;
} WatchFile;

struct WatchSet {
    int fd;
    VEC(WatchFile) files;
};

WatchSet *watchset_new(DiagList *dl)
{
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        diag_add(dl, DIAG_ERROR, "typeset", 1, 1, "cannot watch files: inotify: %s", g_strerror(errno));
        return NULL;
    }
    WatchSet *ws = xcalloc(1, sizeof *ws);
    ws->fd = fd;
    return ws;
}

void watchset_free(WatchSet *ws)
{
    if (!ws)
        return;
    for (int i = 0; i < ws->files.n; i++)
        free(ws->files.v[i].base);
    free(ws->files.v);
    close(ws->fd);
    free(ws);
}

int watchset_fd(const WatchSet *ws)
{
    return ws->fd;
}

int watchset_add(WatchSet *ws, const char *path, unsigned tag)
{
    char *dir = g_path_get_dirname(path);
    char *base = g_path_get_basename(path);
    int wd = inotify_add_watch(ws->fd, dir, WATCH_MASK);
    g_free(dir);
    int known = 0;
    for (int i = 0; wd >= 0 && i < ws->files.n && !known; i++)
        known = ws->files.v[i].wd == wd && ws->files.v[i].tag == tag &&
                strcmp(ws->files.v[i].base, base) == 0;
    if (wd >= 0 && !known)
        VEC_PUSH(ws->files, ((WatchFile){.wd = wd, .base = xstrdup(base), .tag = tag}));
    g_free(base);
    return wd >= 0 ? 0 : -1;
}

void watchset_drop(WatchSet *ws, unsigned tag)
{
    int k = 0;
    for (int i = 0; i < ws->files.n; i++) {
        if (ws->files.v[i].tag & tag)
            free(ws->files.v[i].base);
        else
            ws->files.v[k++] = ws->files.v[i];
    }
    ws->files.n = k;
}

static unsigned match(const WatchSet *ws, const struct inotify_event *ev)
{
    if (ev->mask & IN_Q_OVERFLOW)
        return WATCH_ALL;
    if (ev->len == 0)
        return 0;       /* an event on the directory itself */
    unsigned tags = 0;
    for (int i = 0; i < ws->files.n; i++)
        if (ws->files.v[i].wd == ev->wd && strcmp(ws->files.v[i].base, ev->name) == 0)
            tags |= ws->files.v[i].tag;
    return tags;
}

unsigned watchset_read(WatchSet *ws)
{
    /* aligned as inotify(7) asks; one read returns whole events only */
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    unsigned tags = 0;
    for (;;) {
        ssize_t n = read(ws->fd, buf, sizeof buf);
        if (n <= 0)
            break;      /* EAGAIN: drained (or an error; the next poll says) */
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            tags |= match(ws, ev);
            p += sizeof *ev + ev->len;
        }
    }
    return tags;
}
