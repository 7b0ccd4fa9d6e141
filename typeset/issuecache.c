/* issuecache.c — see issuecache.h. */
#include "issuecache.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stddef.h>
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

/* A file goes in as its digest, remembered in the cache across runs
 * (issuecache_file_sha_memo): an unchanged source, image or style is not
 * read and hashed again on every build. */
static void put_file(Digest *ck, IssueCache *cache, const char *label, const char *path)
{
    char sha[ISSUECACHE_HEX];
    if (path && issuecache_file_sha_memo(cache, path, sha) == 0)
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
                           const char *datadir, const char *overrides, IssueCache *cache,
                           char out[ISSUECACHE_HEX])
{
    Digest *ck = digest_new();
    put_part(ck, "version", TS_VERSION, strlen(TS_VERSION));
    put_file(ck, cache, "source", doc_path);
    char *dir = g_path_get_dirname(doc_path);
    for (guint i = 0; i < images->len; i++) {
        const char *src = images->pdata[i];
        char *p = g_path_is_absolute(src) ? g_strdup(src) : g_build_filename(dir, src, NULL);
        put_part(ck, "image-name", src, strlen(src));
        put_file(ck, cache, "image", p);
        g_free(p);
    }
    g_free(dir);
    put_file(ck, cache, "style", style_path);
    char *conf = g_build_filename(datadir, "fonts", "fonts.conf", NULL);
    put_file(ck, cache, "fonts.conf", conf);
    g_free(conf);
    if (overrides)
        put_part(ck, "overrides", overrides, strlen(overrides));
    finish(ck, out);
}

void issuecache_content(const Doc *doc, const char *style_path, const char *datadir,
                        const char *overrides, IssueCache *cache, char out[ISSUECACHE_HEX])
{
    GPtrArray *images = issuecache_images(doc);
    issuecache_content_of(doc->path, images, style_path, datadir, overrides, cache, out);
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

void issuecache_pdf_id(const void *pdf, size_t len, char out[ISSUECACHE_HEX])
{
    out[0] = 'x';
    digest_id_hex(pdf, len, out + 1);
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

/* ---- the small texts, and their packs -------------------------------------------*/

#define PACK_MAGIC "typeset cache pack 1\n"
#define PACK_EXT ".pack"
#define PACK_MAX (64u << 20)        /* a pack larger than this is not read */
#define NAME_MAX_LEN 128

typedef struct CacheText {
    gint64 written;             /* when a build put it (seconds) */
    int racy;                   /* a file digest: trusted only when a time of the cache's
                                   file system, taken before the file was read, is
                                   later than stamp (memo_stamp) ... */
    int vouched;                /* ... as one has been */
    struct timespec stamp;
    int mine;                   /* put by this process, not saved since */
    int used;                   /* got or put by this process */
    guint64 gen;                /* the cache's put count when it was put */
    size_t len;
    char data[];                /* len bytes and a NUL */
} CacheText;

struct IssueCache {
    char *dir;
    GMutex lock;
    GHashTable *texts;          /* name -> CacheText */
    GPtrArray *read;            /* the packs' paths read (a whole save replaces them) */
    guint64 gen;                /* puts so far */
    guint64 saved_gen;          /* ... when the last save took its texts */
};

static int later(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

static int name_ok(const char *n, size_t len)
{
    if (len == 0 || len > NAME_MAX_LEN || n[0] == '.' || (len == 3 && memcmp(n, "end", 3) == 0))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isalnum(n[i]) && n[i] != '.' && n[i] != '-' && n[i] != '_')
            return 0;
    return 1;
}

static CacheText *text_new(const void *data, size_t len)
{
    CacheText *t = g_malloc(sizeof *t + len + 1);
    *t = (CacheText){.len = len};
    memcpy(t->data, data, len);
    t->data[len] = '\0';
    return t;
}

/* Keeps t under name, unless what is there was written later (the lock held). */
static void take(IssueCache *c, const char *name, size_t nlen, CacheText *t)
{
    char *key = g_strndup(name, nlen);
    CacheText *old = g_hash_table_lookup(c->texts, key);
    if (old && old->written > t->written) {
        g_free(key);
        g_free(t);
        return;
    }
    g_hash_table_replace(c->texts, key, t);
}

/* The first sep in [p, end), or NULL. */
static const char *field(const char *p, const char *end, char sep)
{
    return memchr(p, sep, (size_t)(end - p));
}

static int parse_ll(const char *p, const char *e, long long lo, long long hi, long long *out)
{
    if (p == e || e - p > 20)
        return -1;
    long long v = 0;
    for (const char *q = p; q < e; q++) {
        if (*q < '0' || *q > '9' || v > (hi - (*q - '0')) / 10)
            return -1;
        v = v * 10 + (*q - '0');
    }
    if (v < lo)
        return -1;
    *out = v;
    return 0;
}

/* A line's record: NAME SP WRITTEN SP STAMP SP TEXT, the text with '\' and
 * newline escaped ("\\", "\n"); STAMP "-" or SECONDS.NANOSECONDS.  The text
 * unescaped into *t, or -1. */
static int parse_line(const char *p, const char *e, const char **name, size_t *nlen,
                      CacheText **t)
{
    const char *s1 = field(p, e, ' ');
    if (!s1 || !name_ok(p, (size_t)(s1 - p)))
        return -1;
    *name = p;
    *nlen = (size_t)(s1 - p);
    const char *s2 = field(s1 + 1, e, ' ');
    long long written, sec, nsec = 0;
    if (!s2 || parse_ll(s1 + 1, s2, 0, (long long)1 << 40, &written) != 0)
        return -1;
    const char *s3 = field(s2 + 1, e, ' ');
    if (!s3)
        return -1;
    int racy = 0;
    if (s3 - (s2 + 1) == 1 && s2[1] == '-') {
        sec = 0;
    } else {
        const char *dot = field(s2 + 1, s3, '.');
        if (!dot || parse_ll(s2 + 1, dot, 0, (long long)1 << 40, &sec) != 0 ||
            parse_ll(dot + 1, s3, 0, 999999999, &nsec) != 0)
            return -1;
        racy = 1;
    }
    const char *v = s3 + 1;
    CacheText *x = g_malloc(sizeof *x + (size_t)(e - v) + 1);
    size_t n = 0;
    /* the spans between escapes copied whole (a pack is mostly PDF indexes) */
    for (const char *q = v; q < e;) {
        const char *bs = memchr(q, '\\', (size_t)(e - q));
        const char *stop = bs ? bs : e;
        memcpy(x->data + n, q, (size_t)(stop - q));
        n += (size_t)(stop - q);
        if (!bs)
            break;
        if (bs + 1 < e && (bs[1] == '\\' || bs[1] == 'n')) {
            x->data[n++] = bs[1] == 'n' ? '\n' : '\\';
            q = bs + 2;
        } else {
            g_free(x);
            return -1;
        }
    }
    x->data[n] = '\0';
    CacheText head = {.written = written, .racy = racy, .len = n,
                      .stamp = {.tv_sec = (time_t)sec, .tv_nsec = (long)nsec}};
    memcpy(x, &head, offsetof(CacheText, data));      /* every field, not the data */
    *t = x;
    return 0;
}

typedef struct Parsed {
    const char *name;
    size_t nlen;
    CacheText *t;
} Parsed;

int issuecache_pack_read(IssueCache *c, const char *text, size_t len, const struct timespec *mtime)
{
    size_t ml = strlen(PACK_MAGIC);
    if (len < ml || memcmp(text, PACK_MAGIC, ml) != 0 || text[len - 1] != '\n')
        return -1;
    GArray *got = g_array_new(FALSE, FALSE, sizeof(Parsed));
    const char *p = text + ml, *end = text + len;
    long long count = -1;
    int ok = 1;
    while (p < end && ok) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));      /* there is one: text ends so */
        if (nl - p > 4 && memcmp(p, "end ", 4) == 0) {
            ok = parse_ll(p + 4, nl, 0, 1 << 30, &count) == 0 && nl + 1 == end;
        } else {
            Parsed r;
            ok = parse_line(p, nl, &r.name, &r.nlen, &r.t) == 0;
            if (ok)
                g_array_append_val(got, r);
        }
        p = nl + 1;
    }
    ok = ok && count == (long long)got->len;
    g_mutex_lock(&c->lock);
    for (guint i = 0; i < got->len; i++) {
        Parsed *r = &g_array_index(got, Parsed, i);
        /* a file digest is trusted only when the pack was written after the
         * file's last change (issuecache_file_sha_memo) */
        if (!ok || (r->t->racy && !later(mtime, &r->t->stamp))) {
            g_free(r->t);
        } else {
            r->t->vouched = 1;
            take(c, r->name, r->nlen, r->t);
        }
    }
    g_mutex_unlock(&c->lock);
    g_array_free(got, TRUE);
    return ok ? 0 : -1;
}

IssueCache *issuecache_open(const char *cache_dir)
{
    IssueCache *c = g_new0(IssueCache, 1);
    c->dir = g_strdup(cache_dir);
    g_mutex_init(&c->lock);
    c->texts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    c->read = g_ptr_array_new_with_free_func(g_free);
    GDir *d = cache_dir ? g_dir_open(cache_dir, 0, NULL) : NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n; d && (n = g_dir_read_name(d));)
        if (g_str_has_suffix(n, PACK_EXT) && n[0] != '.')
            g_ptr_array_add(names, g_strdup(n));
    if (d)
        g_dir_close(d);
    int refused = 0;
    for (guint i = 0; i < names->len; i++) {
        char *path = g_build_filename(cache_dir, names->pdata[i], NULL);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);    /* (a FIFO so named) */
        struct stat st;
        int whole = 0;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= PACK_MAX) {
            char *buf = g_malloc((size_t)st.st_size + 1);
            size_t got = 0;
            ssize_t r = 1;
            while (got < (size_t)st.st_size && (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
                got += (size_t)r;
            if (r >= 0 && got == (size_t)st.st_size) {
                if (issuecache_pack_read(c, buf, got, &st.st_mtim) != 0)
                    refused++;
                whole = 1;      /* read to the end: taken, or shown not whole */
            }
            g_free(buf);
        }
        if (fd >= 0)
            close(fd);
        /* a whole save replaces the packs read; one that could not be
         * (another user's, one too large) is left alone */
        if (whole)
            g_ptr_array_add(c->read, path);
        else
            g_free(path);
    }
    g_ptr_array_free(names, TRUE);
    /* a pack not whole, or more than one (an --article job's, two builds'):
     * the next whole save replaces them with one, even with nothing new */
    if (refused > 0 || c->read->len > 1)
        c->saved_gen = G_MAXUINT64;
    return c;
}

void issuecache_free(IssueCache *c)
{
    if (!c)
        return;
    g_hash_table_destroy(c->texts);
    g_ptr_array_free(c->read, TRUE);
    g_mutex_clear(&c->lock);
    g_free(c->dir);
    g_free(c);
}

char *issuecache_text_get(IssueCache *c, const char *name, size_t *len)
{
    if (!c)
        return NULL;
    g_mutex_lock(&c->lock);
    CacheText *t = g_hash_table_lookup(c->texts, name);
    if (t && t->racy && !t->vouched)
        t = NULL;
    char *copy = t ? g_memdup2(t->data, t->len + 1) : NULL;
    if (t) {
        t->used = 1;
        if (len)
            *len = t->len;
    }
    g_mutex_unlock(&c->lock);
    return copy;
}

/* A time of the cache directory's file system, now: the directory's own
 * times set to now and read back (0), or -1 when that cannot be done.  The
 * file system's clock, its granularity (a second on some) and its ordering
 * of times handed out (the multigrain timestamps of Linux 6.13 and later),
 * not the process's clock, which can run ahead of a coarse timestamp within
 * its granule. */
static int fs_now(const IssueCache *c, struct timespec *t, dev_t *dev)
{
    struct stat st;
    if (!c->dir || utimensat(AT_FDCWD, c->dir, NULL, 0) != 0 || stat(c->dir, &st) != 0)
        return -1;
    *t = st.st_mtim;
    *dev = st.st_dev;
    return 0;
}

/* put, with the stamp of a file digest (NULL: none), vouched for or not */
static void put_stamped(IssueCache *c, const char *name, const void *text, size_t len,
                        const struct timespec *stamp, int vouched)
{
    if (!c || !name_ok(name, strlen(name)))
        return;
    CacheText *t = text_new(text, len);
    t->written = (gint64)time(NULL);
    t->mine = t->used = 1;
    if (stamp) {
        t->racy = 1;
        t->stamp = *stamp;
        t->vouched = vouched;
    }
    g_mutex_lock(&c->lock);
    CacheText *old = g_hash_table_lookup(c->texts, name);
    if (!old || old->len != len || memcmp(old->data, text, len) != 0 || old->racy != t->racy ||
        (stamp && !(old->stamp.tv_sec == stamp->tv_sec && old->stamp.tv_nsec == stamp->tv_nsec))) {
        t->gen = ++c->gen;
        g_hash_table_replace(c->texts, g_strdup(name), t);
    } else {
        /* the same text again: younger, and trusted if either is; on disk
         * at the next save only if it is newly trusted (its age aside) */
        old->written = t->written;
        old->used = 1;
        if (t->racy && t->vouched && !old->vouched) {
            old->vouched = 1;
            old->mine = 1;
            old->gen = ++c->gen;
        }
        g_free(t);
    }
    g_mutex_unlock(&c->lock);
}

void issuecache_text_put(IssueCache *c, const char *name, const void *text, size_t len)
{
    put_stamped(c, name, text, len, NULL, 0);
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether a save writes t: trusted, and this process's (only_mine), else
 * this process's, used by it, or written by a build in the last
 * ISSUECACHE_KEEP_UNUSED seconds (the records of an edit undone soon after). */
static int saved(const CacheText *t, int only_mine, time_t now)
{
    if (t->racy && !t->vouched)
        return 0;
    if (only_mine)
        return t->mine;
    return t->mine || t->used || t->written + ISSUECACHE_KEEP_UNUSED >= (gint64)now;
}

/* The pack of the texts a save writes (*n of them), the lock held. */
static GString *pack_of(IssueCache *c, int only_mine, time_t now, guint *n)
{
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, c->texts);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (saved(v, only_mine, now))
            g_ptr_array_add(names, k);
    g_ptr_array_sort(names, str_cmp);       /* (the same texts, the same pack) */
    size_t size = sizeof PACK_MAGIC + 16;
    for (guint i = 0; i < names->len; i++)
        size += ((const CacheText *)g_hash_table_lookup(c->texts, names->pdata[i]))->len + 128;
    GString *g = g_string_sized_new(size);
    g_string_append(g, PACK_MAGIC);
    for (guint i = 0; i < names->len; i++) {
        const CacheText *t = g_hash_table_lookup(c->texts, names->pdata[i]);
        g_string_append_printf(g, "%s %" G_GINT64_FORMAT " ", (char *)names->pdata[i], t->written);
        if (t->racy)
            g_string_append_printf(g, "%lld.%09ld ", (long long)t->stamp.tv_sec, t->stamp.tv_nsec);
        else
            g_string_append(g, "- ");
        size_t from = 0;            /* the spans between escapes appended whole */
        for (size_t j = 0; j < t->len; j++)
            if (t->data[j] == '\n' || t->data[j] == '\\') {
                g_string_append_len(g, t->data + from, (gssize)(j - from));
                g_string_append(g, t->data[j] == '\n' ? "\\n" : "\\\\");
                from = j + 1;
            }
        g_string_append_len(g, t->data + from, (gssize)(t->len - from));
        g_string_append_c(g, '\n');
    }
    g_string_append_printf(g, "end %u\n", names->len);
    *n = names->len;
    g_ptr_array_free(names, TRUE);
    return g;
}

char *issuecache_pack_text(IssueCache *c, time_t now, size_t *len)
{
    guint n;
    g_mutex_lock(&c->lock);
    GString *g = pack_of(c, 0, now, &n);
    g_mutex_unlock(&c->lock);
    *len = g->len;
    return g_string_free(g, FALSE);
}

int issuecache_save(IssueCache *c, int full, time_t now, DiagList *dl)
{
    if (!c)
        return 0;
    g_mutex_lock(&c->lock);
    int changed = c->gen != c->saved_gen;
    g_mutex_unlock(&c->lock);
    if (!changed)
        return 0;
    g_mutex_lock(&c->lock);
    guint64 gen = c->gen;
    guint n = 0;
    GString *g = pack_of(c, !full, now, &n);
    g_mutex_unlock(&c->lock);
    if (!full && n == 0) {      /* nothing of this process's to add */
        g_string_free(g, TRUE);
        return 0;
    }
    /* written without the lock: the other threads go on putting (what they
     * put meanwhile is the next save's) */
    int rc = -1;
    if (g->len > PACK_MAX) {
        diag_add(dl, DIAG_ERROR, c->dir, 1, 1, "cache: a pack of %zu bytes is too large to keep",
                 g->len);
        g_string_free(g, TRUE);
        return -1;
    }
    /* named by its content (XXH3-128: a name, not a seal; SHA-256 of the
     * pack had been a third of a save): a process that writes the same pack
     * writes the same file */
    char sum[DIGEST_ID_HEX];
    digest_id_hex(g->str, g->len, sum);
    char *name = g_strconcat(sum, PACK_EXT, NULL);
    char *path = g_build_filename(c->dir, name, NULL);
    rc = output_mkdirs(c->dir, dl) == 0 ? output_write_cache(path, g->str, g->len, dl) : -1;
    g_mutex_lock(&c->lock);
    if (rc == 0) {
        for (guint i = 0; full && i < c->read->len; i++)
            if (strcmp(c->read->pdata[i], path) != 0)
                g_unlink(c->read->pdata[i]);        /* (gone already: another build's) */
        if (full)
            g_ptr_array_set_size(c->read, 0);
        g_ptr_array_add(c->read, g_strdup(path));
        c->saved_gen = gen;
        GHashTableIter it;
        gpointer v;
        g_hash_table_iter_init(&it, c->texts);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
            CacheText *t = v;
            if (t->gen <= gen && !(t->racy && !t->vouched))
                t->mine = 0;
        }
    }
    g_mutex_unlock(&c->lock);
    g_free(path);
    g_free(name);
    g_string_free(g, TRUE);
    return rc;
}

/* ---- records and file digests -------------------------------------------------*/

int issuecache_get(IssueCache *c, const char *key, IssueCacheRecord *r)
{
    memset(r, 0, sizeof *r);
    size_t len = 0;
    char *text = issuecache_text_get(c, key, &len);
    /* a pack is whole or refused; the record is checked whole again */
    int ok = text && g_str_has_prefix(text, RECORD_MAGIC) && g_str_has_suffix(text, RECORD_END);
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
            } else if (g_str_has_prefix(*l, "pdf ") && strlen(*l + 4) >= 1 &&
                       strlen(*l + 4) <= ISSUECACHE_HEX - 1) {
                g_strlcpy(r->pdf_sha, *l + 4, ISSUECACHE_HEX);
            }
        }
        g_strfreev(lines);
    }
    g_free(text);
    return ok && (r->pages > 0 || r->pdf_sha[0]) ? 0 : -1;
}

static GString *record_text(const IssueCacheRecord *r)
{
    GString *g = g_string_new(RECORD_MAGIC);
    if (r->pages > 0)
        g_string_append_printf(g, "pages %d\n", r->pages);
    if (r->pdf_sha[0])
        g_string_append_printf(g, "pdf %s\n", r->pdf_sha);
    if (r->warnings > 0)
        g_string_append_printf(g, "warnings %d\n", r->warnings);
    g_string_append(g, RECORD_END);
    return g;
}

void issuecache_put(IssueCache *c, const char *key, const IssueCacheRecord *r)
{
    GString *g = record_text(r);
    issuecache_text_put(c, key, g->str, g->len);
    g_string_free(g, TRUE);
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

/* The time a memo of the file st describes must be vouched for by: the
 * later of its modification and status-change times, and two seconds more
 * for a file on another file system than the cache's, whose timestamps may
 * be coarser (a second on some, two on FAT) or come from another clock (a
 * file server's): a time of the cache's file system later than the file's
 * own is then no proof that a change after it would show. */
static struct timespec memo_stamp(const struct stat *st, dev_t cache_dev)
{
    struct timespec stamp = later(&st->st_ctim, &st->st_mtim) ? st->st_ctim : st->st_mtim;
    if (st->st_dev != cache_dev)
        stamp.tv_sec += 2;
    return stamp;
}

/* Remembers that the file st describes has digest sha: trusted (vouched)
 * when before, a time of the cache's file system taken before the file was
 * read, is later than the file's stamp (memo_stamp). */
static void memo_put(IssueCache *c, const struct stat *st, const char *key, const char *sha,
                     int timed, const struct timespec *before, dev_t cache_dev)
{
    struct timespec stamp = memo_stamp(st, cache_dev);
    IssueCacheRecord r = {0};
    g_strlcpy(r.pdf_sha, sha, ISSUECACHE_HEX);
    GString *g = record_text(&r);
    put_stamped(c, key, g->str, g->len, &stamp, timed && later(before, &stamp));
    g_string_free(g, TRUE);
}

int issuecache_file_sha_known(IssueCache *c, const char *path)
{
    struct stat st;
    if (!c || stat(path, &st) != 0)
        return 0;
    char key[ISSUECACHE_HEX];
    memo_key(path, &st, key);
    IssueCacheRecord r;
    return issuecache_get(c, key, &r) == 0 && r.pdf_sha[0];
}

int issuecache_file_sha_memo(IssueCache *c, const char *path, char out[ISSUECACHE_HEX])
{
    struct stat st;
    if (!c || stat(path, &st) != 0)
        return issuecache_file_sha(path, out);
    char key[ISSUECACHE_HEX];
    memo_key(path, &st, key);
    IssueCacheRecord r;
    if (issuecache_get(c, key, &r) == 0 && r.pdf_sha[0]) {
        g_strlcpy(out, r.pdf_sha, ISSUECACHE_HEX);
        return 0;
    }
    /* the file system's time before the reading: a change after it has a
     * later time than this, so it shows in the file's times if this is
     * later than them */
    struct timespec before;
    dev_t dev = 0;
    int timed = fs_now(c, &before, &dev) == 0;
    if (issuecache_file_sha(path, out) != 0)
        return -1;
    /* remembered only when the file did not change while it was read */
    struct stat st2;
    if (stat(path, &st2) == 0 && issuecache_same_stat(&st, &st2))
        memo_put(c, &st, key, out, timed, &before, dev);
    return 0;
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
            if (strcmp(n, "pruned") == 0 || g_str_has_suffix(n, PACK_EXT))
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
