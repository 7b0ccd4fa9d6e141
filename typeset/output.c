/* output.c — atomic file output, signal cleanup of temporary files, mkdir -p
 * and default output names (see output.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE          /* GNU strerror_r (returns char *) */
#endif
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>

/* ---- the in-flight registry ------------------------------------------------
 * Why global: the signal handler has no context argument (see output.h).
 * Each slot holds one temporary path and a lock-free atomic state:
 *
 *   FREE --claim (CAS)--> CLAIMED --path copied--> ARMED --disarm (CAS)--> FREE
 *                                                    |
 *                              signal handler (CAS)  +--> CLEANING (never left)
 *
 * Only the owning thread writes path, and only while the slot is CLAIMED; the
 * handler reads path only after winning ARMED -> CLEANING, so it never sees a
 * half-written path and no owner can reuse a slot the handler is unlinking.
 * Lock-free atomics are the one shared-object kind a C17 signal handler may
 * touch (C17 7.14.1.1), hence the static assertion.  A write that finds every
 * slot busy still works; only its cleanup-on-signal is lost. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the signal handler needs lock-free atomic int");

#define OUTPUT_SLOTS 64
#define OUTPUT_SLOT_PATH 4096

enum { OUTPUT_SLOT_FREE, OUTPUT_SLOT_CLAIMED, OUTPUT_SLOT_ARMED, OUTPUT_SLOT_CLEANING };

typedef struct OutputSlot {
    atomic_int state;
    char path[OUTPUT_SLOT_PATH];
} OutputSlot;

static OutputSlot output_slots[OUTPUT_SLOTS];

static const int output_signals[] = {SIGINT, SIGTERM, SIGHUP};

/* Claims a free slot for a path of plen bytes; returns its index, or -1
 * (table full or path too long for a slot). */
static int output_slot_claim(size_t plen)
{
    if (plen >= OUTPUT_SLOT_PATH)
        return -1;
    for (int i = 0; i < OUTPUT_SLOTS; i++) {
        int expect = OUTPUT_SLOT_FREE;
        if (atomic_compare_exchange_strong(&output_slots[i].state, &expect,
                                           OUTPUT_SLOT_CLAIMED))
            return i;
    }
    return -1;
}

/* Publishes tmp (the created temporary file) in a CLAIMED slot. */
static void output_slot_arm(int slot, const char *tmp, size_t plen)
{
    if (slot < 0)
        return;
    memcpy(output_slots[slot].path, tmp, plen + 1);
    atomic_store(&output_slots[slot].state, OUTPUT_SLOT_ARMED);   /* seq_cst: path first */
}

/* Frees a CLAIMED or ARMED slot.  A slot the handler has taken (CLEANING)
 * stays taken: the process is about to die. */
static void output_slot_release(int slot)
{
    if (slot < 0)
        return;
    int expect = OUTPUT_SLOT_ARMED;
    if (!atomic_compare_exchange_strong(&output_slots[slot].state, &expect, OUTPUT_SLOT_FREE) &&
        expect == OUTPUT_SLOT_CLAIMED)
        atomic_store(&output_slots[slot].state, OUTPUT_SLOT_FREE);
}

/* Unlinks every armed temporary file, for good (its slot stays CLEANING).
 * Uses only async-signal-safe calls: atomics, unlink. */
static void output_unlink_all(void)
{
    for (int i = 0; i < OUTPUT_SLOTS; i++) {
        int expect = OUTPUT_SLOT_ARMED;
        if (atomic_compare_exchange_strong(&output_slots[i].state, &expect,
                                           OUTPUT_SLOT_CLEANING))
            unlink(output_slots[i].path);
    }
}

_Noreturn void output_fatal_exit(void)
{
    output_unlink_all();
    /* _exit, not exit: other threads may be at work, and exit would tear
     * down stdio and run atexit handlers under them; what is buffered for
     * standard output is written first */
    fflush(stdout);
    _exit(1);
}

/* Uses only async-signal-safe calls: atomics, unlink, sigaction, raise. */
static void output_on_signal(int sig)
{
    int saved_errno = errno;
    output_unlink_all();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    /* sig is blocked while we run, so the default action happens on return */
    raise(sig);
    errno = saved_errno;
}

void output_install_signal_cleanup(void)
{
    for (size_t i = 0; i < sizeof output_signals / sizeof *output_signals; i++) {
        struct sigaction old;
        if (sigaction(output_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;          /* e.g. under nohup: keep ignoring */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = output_on_signal;
        sigemptyset(&sa.sa_mask);
        for (size_t j = 0; j < sizeof output_signals / sizeof *output_signals; j++)
            sigaddset(&sa.sa_mask, output_signals[j]);
        sigaction(output_signals[i], &sa, NULL);
    }
}

/* Blocks (on = 1) or restores the cleanup signals in this thread, so that a
 * signal cannot fall between creating a temporary file and registering it, or
 * between renaming it and unregistering it.  (Another thread may still take
 * the signal in that window; the table makes that rare, not impossible.) */
static void output_block(int on, sigset_t *saved)
{
    if (on) {
        sigset_t set;
        sigemptyset(&set);
        for (size_t i = 0; i < sizeof output_signals / sizeof *output_signals; i++)
            sigaddset(&set, output_signals[i]);
        pthread_sigmask(SIG_BLOCK, &set, saved);
    } else {
        pthread_sigmask(SIG_SETMASK, saved, NULL);
    }
}

/* ---- atomic write ----------------------------------------------------------*/
static const char *output_strerror(int err, char *buf, size_t size)
{
    return strerror_r(err, buf, size);     /* GNU version: may ignore buf */
}

static void output_error(DiagList *dl, const char *path, const char *what, int err)
{
    char buf[256];
    diag_add(dl, DIAG_ERROR, path, 1, 1, "%s '%s': %s", what, path,
             output_strerror(err, buf, sizeof buf));
}

/* Creates path + ".XXXXXX" with the X's made unique, as mkostemp does, but
 * with mode 0644 given to open(2), so that the kernel applies the process
 * umask (mkostemp makes 0600, and the umask can only be read by setting it,
 * which would race with other threads creating files).  The name is from a
 * counter, the time and the process; a name taken is tried again. */
static void output_temp_name(char *tmp)
{
    static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    static atomic_uint counter;     /* process-wide: only makes names differ */
    char *x = tmp + strlen(tmp) - 6;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned long long v = (unsigned long long)ts.tv_nsec * 2654435761u ^
                           (unsigned long long)atomic_fetch_add(&counter, 1) * 40503u ^
                           (unsigned long long)getpid() << 20;
    for (int i = 0; i < 6; i++, v /= 62)
        x[i] = digits[v % 62];
}

static int output_create_temp(char *tmp)
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        output_temp_name(tmp);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

/* Gives the unnamed file fd (O_TMPFILE) the name tmp (its X's made unique,
 * as output_create_temp does): 0, or -1 with errno. */
static int output_link_temp(int fd, char *tmp)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    for (int attempt = 0; attempt < 1000; attempt++) {
        output_temp_name(tmp);
        if (linkat(AT_FDCWD, proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        if (errno != EEXIST)
            return -1;
    }
    errno = EEXIST;
    return -1;
}

static int output_write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The directory path is in ("a/b" -> "a", "/b" -> "/", "b" -> "."); malloc'd,
 * or NULL when out of memory. */
static char *output_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? (slash == path ? strdup("/") : strndup(path, (size_t)(slash - path)))
                 : strdup(".");
}

/* fsync of path's directory, so the rename itself survives a crash.
 * Best effort: some file systems refuse fsync on directories. */
static void output_sync_dir(const char *path)
{
    char *dir = output_dir_of(path);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

struct OutputFile {
    char *path, *tmp;
    int fd, slot;
    int unnamed;                /* fd is an O_TMPFILE file, named tmp only at the commit */
    off_t at;                   /* bytes written */
    off_t synced;               /* bytes given to the disk early (whole pages) */
    int err;                    /* the first write's errno, or 0 */
};

/* An OutputFile for path, its temporary name path.XXXXXX not yet made. */
static OutputFile *output_file_new(const char *path)
{
    size_t plen = strlen(path);
    OutputFile *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->tmp = xmalloc(plen + 8);
    memcpy(f->tmp, path, plen);
    memcpy(f->tmp + plen, ".XXXXXX", 8);
    f->fd = -1;
    f->slot = -1;
    return f;
}

static void output_file_free(OutputFile *f)
{
    free(f->tmp);
    free(f->path);
    free(f);
}

OutputFile *output_file_open(const char *path, DiagList *dl)
{
    size_t plen = strlen(path);
    OutputFile *f = output_file_new(path);
    sigset_t saved;
    output_block(1, &saved);
    f->slot = output_slot_claim(plen + 7);
    f->fd = output_create_temp(f->tmp);
    int err = errno;
    if (f->fd >= 0)
        output_slot_arm(f->slot, f->tmp, plen + 7);
    output_block(0, &saved);
    if (f->fd < 0) {
        output_slot_release(f->slot);
        output_error(dl, path, "cannot write", err);
        output_file_free(f);
        return NULL;
    }
    return f;
}

OutputFile *output_file_open_unnamed(const char *path, DiagList *dl)
{
    char *dir = output_dir_of(path);
    int fd = dir ? open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644) : -1;
    free(dir);
    if (fd < 0)                 /* (a file system without O_TMPFILE) */
        return output_file_open(path, dl);
    OutputFile *f = output_file_new(path);
    f->fd = fd;
    f->unnamed = 1;
    return f;
}

void output_file_append(OutputFile *f, const void *data, size_t len, int early)
{
    if (f->err || len == 0)
        return;
    if (output_write_all(f->fd, data, len) < 0) {
        f->err = errno;
        return;
    }
    f->at += (off_t)len;
    /* the disk gets the whole pages written so far while the rest is made
     * (advice: no error to keep), so that the final fsync waits for the
     * last ones only; not the page still being filled, which the next
     * write would change under its writeback */
    off_t whole = f->at & ~(off_t)4095;
    if (early && whole > f->synced) {
        sync_file_range(f->fd, f->synced, whole - f->synced, SYNC_FILE_RANGE_WRITE);
        f->synced = whole;
    }
}

void output_file_abort(OutputFile *f)
{
    if (!f)
        return;
    close(f->fd);               /* (an unnamed file goes with it) */
    if (!f->unnamed)
        unlink(f->tmp);
    output_slot_release(f->slot);
    output_file_free(f);
}

/* output_file_commit, with the fsyncs (sync) or without. */
static int output_file_close(OutputFile *f, int sync, DiagList *dl)
{
    int err = f->err;
    if (!err && sync && fsync(f->fd) < 0)
        err = errno;
    if (!err && f->unnamed) {
        /* named only now, for the rename, and registered for the signals'
         * cleanup meanwhile */
        sigset_t saved;
        output_block(1, &saved);
        f->slot = output_slot_claim(strlen(f->tmp));
        if (output_link_temp(f->fd, f->tmp) == 0) {
            output_slot_arm(f->slot, f->tmp, strlen(f->tmp));
            f->unnamed = 0;
        } else {
            err = errno;
        }
        output_block(0, &saved);
    }
    if (close(f->fd) < 0 && !err)
        err = errno;
    if (!err) {
        sigset_t saved;
        output_block(1, &saved);
        if (rename(f->tmp, f->path) == 0)
            output_slot_release(f->slot);   /* unregister only once the name is gone */
        else
            err = errno;
        output_block(0, &saved);
    }
    if (err) {
        if (!f->unnamed)
            unlink(f->tmp);
        output_slot_release(f->slot);
        output_error(dl, f->path, "cannot write", err);
    } else if (sync) {
        output_sync_dir(f->path);
    }
    output_file_free(f);
    return err ? -1 : 0;
}

int output_file_commit(OutputFile *f, DiagList *dl)
{
    return output_file_close(f, 1, dl);
}

static int output_write_renamed(const char *path, const void *data, size_t len, int sync,
                                DiagList *dl)
{
    OutputFile *f = output_file_open(path, dl);
    if (!f)
        return -1;
    output_file_append(f, data, len, 0);
    return output_file_close(f, sync, dl);
}

int output_write_atomic(const char *path, const void *data, size_t len, DiagList *dl)
{
    return output_write_renamed(path, data, len, 1, dl);
}

int output_write_cache(const char *path, const void *data, size_t len, DiagList *dl)
{
    return output_write_renamed(path, data, len, 0, dl);
}

/* ---- mkdir -p --------------------------------------------------------------*/
/* mkdir that accepts an existing directory. */
static int output_mkdir1(const char *dir)
{
    if (mkdir(dir, 0777) == 0)
        return 0;
    int err = errno;
    struct stat st;
    if (err == EEXIST) {
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        err = ENOTDIR;
    }
    errno = err;
    return -1;
}

int output_mkdirs(const char *dir, DiagList *dl)
{
    if (!dir || !*dir)
        return 0;
    char *p = xstrdup(dir);
    int rc = 0;
    /* every prefix ending before a '/' (the root and repeated slashes skipped),
     * then the whole path */
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/' || s[-1] == '/')
            continue;
        *s = 0;
        rc = output_mkdir1(p);
        *s = '/';
    }
    if (rc == 0)
        rc = output_mkdir1(p);
    if (rc < 0)
        output_error(dl, dir, "cannot create directory", errno);
    free(p);
    return rc;
}

/* ---- default output path ---------------------------------------------------*/
char *output_default_path(const char *src, const char *ext)
{
    if (*ext == '.')
        ext++;
    const char *base = strrchr(src, '/');
    base = base ? base + 1 : src;
    const char *dot = strrchr(base, '.');
    size_t keep = dot && dot != base ? (size_t)(dot - src) : strlen(src);
    size_t elen = strlen(ext);
    char *out = xmalloc(keep + 1 + elen + 1);
    memcpy(out, src, keep);
    out[keep] = '.';
    memcpy(out + keep + 1, ext, elen + 1);
    return out;
}

int output_is_file(const char *out_path, const char *src)
{
    struct stat so, ss;
    return src && out_path && lstat(out_path, &so) == 0 && stat(src, &ss) == 0 &&
           so.st_dev == ss.st_dev && so.st_ino == ss.st_ino;
}
