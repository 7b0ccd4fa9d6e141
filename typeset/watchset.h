/* watchset.h — the files `typeset watch` follows, through one inotify
 * instance.  Each file is watched through its containing directory, not its
 * inode, so an editor that saves by writing a new file and renaming it over
 * the old one is seen like any other write.  A file carries a tag (source,
 * style, image); reading the events hands back which tags changed.  The set
 * owns its descriptor and strings; free it with watchset_free. */
#ifndef TS_WATCHSET_H
#define TS_WATCHSET_H

#include "../layout/base.h"

enum {
    WATCH_SOURCE = 1 << 0,
    WATCH_STYLE = 1 << 1,
    WATCH_IMAGE = 1 << 2,
    WATCH_ALL = WATCH_SOURCE | WATCH_STYLE | WATCH_IMAGE,
};

typedef struct WatchSet WatchSet;

/* Returns NULL after adding an error when inotify is not available. */
WatchSet *watchset_new(DiagList *dl);
void watchset_free(WatchSet *ws);

/* The descriptor to poll for input (non-blocking). */
int watchset_fd(const WatchSet *ws);

/* Follows path with tag (one WATCH_* bit).  Adding a file that is already
 * followed does nothing, but re-arms its directory, so a directory that was
 * removed and made again is followed anew.  Returns 0, or -1 when the
 * directory cannot be watched (it does not exist yet, say); then nothing is
 * added and nothing is reported: the caller tries again after its next build. */
int watchset_add(WatchSet *ws, const char *path, unsigned tag);

/* Forgets every file with this tag (the images, before the set of images
 * of a new version of the source is added). */
void watchset_drop(WatchSet *ws, unsigned tag);

/* Reads every pending event and returns the tags of the followed files they
 * touched (written, closed, renamed to or from, created, deleted, touched);
 * WATCH_ALL when the kernel's queue overflowed; 0 when nothing relevant
 * happened or nothing was pending. */
unsigned watchset_read(WatchSet *ws);

#endif
