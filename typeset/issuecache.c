/* issuecache.c — see issuecache.h. */
#include "issuecache.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "output.h"

#define RECORD_MAGIC "typeset issue cache 2\n"
#define RECORD_END "end\n"          /* the last line: a record cut short is refused */

/* Each part goes in as "label length\n" + bytes, so no two different input
 * sets can produce the same byte stream. */
static void put_part(Digest *ck, const char *label, const void *data, size_t len)
{
    char head[128];
    snprintf(head, sizeof head, "%s %zu\n", label, len);
    digest_update(ck, head, strlen(head));
    digest_update(ck, data, len);
}

/* A file goes in as its digest, remembered in cache_dir across runs
 * (issuecache_file_sha_memo): an unchanged source, image or style is not
 * read and hashed again on every build. */
static void put_file(Digest *ck, const char *cache_dir, const char *label, const char *path)
{
    char sha[ISSUECACHE_HEX];
    if (path && issuecache_file_sha_memo(cache_dir, path, sha) == 0)
        put_part(ck, label, sha, strlen(sha));
    else
        put_part(ck, "absent", label, strlen(label));
}

static void finish(Digest *ck, char out[ISSUECACHE_HEX])
{
    digest_finish(ck, out, (ISSUECACHE_HEX - 1) / 2);
}

/* The images of blocks bl (their src as written) onto srcs. */
static void add_images(GPtrArray *srcs, const DocBlocks *bl)
{
    for (int i = 0; i < bl->n; i++)
        if (bl->v[i].kind == DOC_IMAGE && bl->v[i].src)
            g_ptr_array_add(srcs, (gpointer)bl->v[i].src);
}

GPtrArray *issuecache_images(const Doc *doc)
{
    GPtrArray *srcs = g_ptr_array_new();
    add_images(srcs, &doc->body);
    add_images(srcs, &doc->abstract);
    for (int f = 0; f < doc->n_footnotes; f++)
        add_images(srcs, &doc->footnotes[f].blocks);
    return srcs;
}

void issuecache_content_of(const char *doc_path, const GPtrArray *images, const char *style_path,
                           const char *datadir, const char *overrides, const char *cache_dir,
                           char out[ISSUECACHE_HEX])
{
    Digest *ck = digest_new();
    put_part(ck, "version", TS_VERSION, strlen(TS_VERSION));
    put_file(ck, cache_dir, "source", doc_path);
    char *dir = g_path_get_dirname(doc_path);
    for (guint i = 0; i < images->len; i++) {
        const char *src = images->pdata[i];
        char *p = g_path_is_absolute(src) ? g_strdup(src) : g_build_filename(dir, src, NULL);
        put_part(ck, "image-name", src, strlen(src));
        put_file(ck, cache_dir, "image", p);
        g_free(p);
    }
    g_free(dir);
    put_file(ck, cache_dir, "style", style_path);
    char *conf = g_build_filename(datadir, "fonts", "fonts.conf", NULL);
    put_file(ck, cache_dir, "fonts.conf", conf);
    g_free(conf);
    if (overrides)
        put_part(ck, "overrides", overrides, strlen(overrides));
    finish(ck, out);
}

void issuecache_content(const Doc *doc, const char *style_path, const char *datadir,
                        const char *overrides, const char *cache_dir, char out[ISSUECACHE_HEX])
{
    GPtrArray *images = issuecache_images(doc);
    issuecache_content_of(doc->path, images, style_path, datadir, overrides, cache_dir, out);
    g_ptr_array_free(images, TRUE);
}

void issuecache_key(const char *content, const char *kind, long long a, long long b,
                    char out[ISSUECACHE_HEX])
{
    char *s = g_strdup_printf("%s %s %lld %lld", content, kind, a, b);
    digest_hex(s, strlen(s), out);
    g_free(s);
}

void issuecache_sha(const void *data, size_t len, char out[ISSUECACHE_HEX])
{
    digest_hex(data, len, out);
}

int issuecache_file_sha(const char *path, char out[ISSUECACHE_HEX])
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, NULL))
        return -1;
    issuecache_sha(data, len, out);
    g_free(data);
    return 0;
}

int issuecache_get(const char *cache_dir, const char *key, IssueCacheRecord *r)
{
    memset(r, 0, sizeof *r);
    char *path = g_build_filename(cache_dir, key, NULL);
    gchar *text = NULL;
    /* written without fsync (output_write_cache): whole or refused */
    int ok = g_file_get_contents(path, &text, NULL, NULL) && g_str_has_prefix(text, RECORD_MAGIC) &&
             g_str_has_suffix(text, RECORD_END);
    g_free(path);
    if (ok) {
        char **lines = g_strsplit(text + strlen(RECORD_MAGIC), "\n", -1);
        for (char **l = lines; *l; l++) {
            char *end = NULL;
            if (g_str_has_prefix(*l, "pages ")) {
                long n = strtol(*l + 6, &end, 10);
                r->pages = (*end || n < 1 || n > 1000000) ? 0 : (int)n;
                ok = r->pages > 0;
            } else if (g_str_has_prefix(*l, "warnings ")) {
                long n = strtol(*l + 9, &end, 10);
                r->warnings = (*end || n < 0 || n > 1000000000) ? 0 : (int)n;
            } else if (g_str_has_prefix(*l, "pdf ") && strlen(*l + 4) == ISSUECACHE_HEX - 1) {
                g_strlcpy(r->pdf_sha, *l + 4, ISSUECACHE_HEX);
            }
        }
        g_strfreev(lines);
    }
    g_free(text);
    return ok && (r->pages > 0 || r->pdf_sha[0]) ? 0 : -1;
}

int issuecache_put(const char *cache_dir, const char *key, const IssueCacheRecord *r, DiagList *dl)
{
    if (output_mkdirs(cache_dir, dl) != 0)
        return -1;
    GString *g = g_string_new(RECORD_MAGIC);
    if (r->pages > 0)
        g_string_append_printf(g, "pages %d\n", r->pages);
    if (r->pdf_sha[0])
        g_string_append_printf(g, "pdf %s\n", r->pdf_sha);
    if (r->warnings > 0)
        g_string_append_printf(g, "warnings %d\n", r->warnings);
    g_string_append(g, RECORD_END);
    char *path = g_build_filename(cache_dir, key, NULL);
    int rc = output_write_cache(path, g->str, g->len, dl);
    g_free(path);
    g_string_free(g, TRUE);
    return rc;
}

/* The memo's key: the file's name, identity and times. */
static void memo_key(const char *path, const struct stat *st, char key[ISSUECACHE_HEX])
{
    char *id = g_strdup_printf("file %s %llu %llu %lld %lld.%09ld %lld.%09ld", path,
                               (unsigned long long)st->st_dev, (unsigned long long)st->st_ino,
                               (long long)st->st_size, (long long)st->st_mtim.tv_sec,
                               st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
    issuecache_sha(id, strlen(id), key);
    g_free(id);
}

int issuecache_same_stat(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int later(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* Remembers that the file st describes has digest sha.  The record is kept
 * only when its own timestamp, from the same file system's clock, is later
 * than the file's modification and status change: a change to the file made
 * after it then shows in the file's times (git's rule for "racy" index
 * entries, with the record as the probe).  A file changed in the same clock
 * tick as the record was written is not remembered: it is read next time. */
static void memo_put(const char *cache_dir, const struct stat *st, const char *key,
                     const char *sha)
{
    IssueCacheRecord r = {0};
    g_strlcpy(r.pdf_sha, sha, ISSUECACHE_HEX);
    DiagList quiet;             /* a memo that cannot be written is only slower */
    diag_list_init(&quiet);
    char *rec = g_build_filename(cache_dir, key, NULL);
    struct stat rt;
    if (issuecache_put(cache_dir, key, &r, &quiet) == 0 &&
        (stat(rec, &rt) != 0 || !later(&rt.st_mtim, &st->st_mtim) || !later(&rt.st_mtim, &st->st_ctim)))
        g_unlink(rec);
    g_free(rec);
    diag_list_fini(&quiet);
}

int issuecache_file_sha_memo(const char *cache_dir, const char *path, char out[ISSUECACHE_HEX])
{
    struct stat st;
    if (!cache_dir || stat(path, &st) != 0)
        return issuecache_file_sha(path, out);
    char key[ISSUECACHE_HEX];
    memo_key(path, &st, key);
    IssueCacheRecord r;
    if (issuecache_get(cache_dir, key, &r) == 0 && r.pdf_sha[0]) {
        g_strlcpy(out, r.pdf_sha, ISSUECACHE_HEX);
        return 0;
    }
    if (issuecache_file_sha(path, out) != 0)
        return -1;
    /* remembered only when the file did not change while it was read */
    struct stat st2;
    if (stat(path, &st2) == 0 && issuecache_same_stat(&st, &st2))
        memo_put(cache_dir, &st, key, out);
    return 0;
}

void issuecache_file_memo(const char *cache_dir, const char *path, const struct stat *written,
                          const char *sha)
{
    struct stat st;
    if (!cache_dir || stat(path, &st) != 0 || !issuecache_same_stat(&st, written))
        return;
    char key[ISSUECACHE_HEX];
    memo_key(path, &st, key);
    memo_put(cache_dir, &st, key, sha);
}

/* Sets path's modification time to now, making it (empty) if it is not there. */
static void stamp(const char *path)
{
    if (utimensat(AT_FDCWD, path, NULL, 0) == 0)
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
        close(fd);
}

int issuecache_prune(const char *cache_dir, time_t now)
{
    char *mark = g_build_filename(cache_dir, "pruned", NULL);
    struct stat st;
    int removed = 0;
    if (stat(mark, &st) != 0) {
        stamp(mark);            /* a new cache: its clock starts */
    } else if (now - st.st_mtime >= (time_t)ISSUECACHE_PRUNE_HOURS * 3600) {
        GDir *d = g_dir_open(cache_dir, 0, NULL);
        for (const char *n; d && (n = g_dir_read_name(d));) {
            if (strcmp(n, "pruned") == 0)
                continue;
            char *path = g_build_filename(cache_dir, n, NULL);
            /* (a file being written is new: it stays) */
            if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
                now - st.st_mtime > (time_t)ISSUECACHE_PRUNE_DAYS * 86400 && g_unlink(path) == 0)
                removed++;
            g_free(path);
        }
        if (d)
            g_dir_close(d);
        stamp(mark);
    }
    g_free(mark);
    return removed;
}
