/* issuecache.h — the issue build's content-addressed cache in OUTDIR/.cache/.
 * A key is a SHA-256 over everything an article's pages depend on (its source
 * bytes, its images, the style file, fonts/fonts.conf, the program version, the
 * manifest's metadata overrides) plus what the record is for (the first page,
 * the PDF dates).  A record is a small text file named by its key, holding a
 * page count and/or the SHA-256 of an article PDF written from it (with the
 * number of warnings its layout gave).  Records
 * are written atomically, so concurrent jobs (threads or processes) may share
 * a cache; a stale or damaged record is simply a miss. */
#ifndef TS_ISSUECACHE_H
#define TS_ISSUECACHE_H

#include <glib.h>
#include <sys/stat.h>
#include <time.h>

#include "model.h"

#define ISSUECACHE_HEX 65           /* 64 hex digits + NUL */

typedef struct IssueCacheRecord {
    int pages;                      /* 0 = none */
    char pdf_sha[ISSUECACHE_HEX];   /* "" = none */
    int warnings;                   /* diagnostics of the layout the PDF came from */
} IssueCacheRecord;

/* The content digest of an article (hex, into out): doc must be open (its
 * images are found in its body); style_path and datadir name the style file
 * and fonts/fonts.conf; overrides is the manifest metadata put on the article
 * (any text; NULL = none).  Files go in by their digests, remembered in
 * cache_dir (issuecache_file_sha_memo; NULL: every file read).  Unreadable
 * inputs are hashed as absent: the article's own build reports them. */
void issuecache_content(const Doc *doc, const char *style_path, const char *datadir,
                        const char *overrides, const char *cache_dir, char out[ISSUECACHE_HEX]);
/* The same from the source's path and its images' src (issuecache_images: in
 * the body, the abstract, the footnotes, in order; its strings the doc's). */
GPtrArray *issuecache_images(const Doc *doc);
void issuecache_content_of(const char *doc_path, const GPtrArray *images, const char *style_path,
                           const char *datadir, const char *overrides, const char *cache_dir,
                           char out[ISSUECACHE_HEX]);

/* The key of one record: content digest + kind ("pages", "pdf") + numbers. */
void issuecache_key(const char *content, const char *kind, long long a, long long b,
                    char out[ISSUECACHE_HEX]);

/* Reads record `key` from cache_dir; 0 when found and well formed, else -1. */
int issuecache_get(const char *cache_dir, const char *key, IssueCacheRecord *r);
/* Writes it (atomic; creates cache_dir).  Returns 0 or -1 after an error. */
int issuecache_put(const char *cache_dir, const char *key, const IssueCacheRecord *r, DiagList *dl);

/* SHA-256 (hex) of a buffer, or of a file's bytes (-1 if unreadable). */
void issuecache_sha(const void *data, size_t len, char out[ISSUECACHE_HEX]);
int issuecache_file_sha(const char *path, char out[ISSUECACHE_HEX]);
/* issuecache_file_sha remembered in cache_dir (NULL: not remembered) under
 * the file's identity and times (device, inode, size, modification and
 * status-change times to the nanosecond, what git's index compares): a file
 * unchanged since is not read again.  Rewriting a file changes its ctime,
 * which no one can set back; a memo is kept only when the record's own
 * timestamp is later than the file's times (a rewrite within one timestamp
 * tick would otherwise go unseen), so a file changed a moment ago is read
 * again next time. */
int issuecache_file_sha_memo(const char *cache_dir, const char *path, char out[ISSUECACHE_HEX]);
/* Remembers, as issuecache_file_sha_memo does, that path has digest sha, for
 * a file this program wrote with that digest and found as `written` (stat)
 * right after: nothing is remembered when it has changed since. */
void issuecache_file_memo(const char *cache_dir, const char *path, const struct stat *written,
                          const char *sha);

/* Whether a and b are the same file unchanged: device, inode, size and both
 * times, to the nanosecond. */
int issuecache_same_stat(const struct stat *a, const struct stat *b);

/* The cache's files no build has written for ISSUECACHE_PRUNE_DAYS, removed,
 * at most once every ISSUECACHE_PRUNE_HOURS (cache_dir/pruned's time says
 * when it was last done; the first call only sets it).  A record an
 * unchanged article still uses but no build has rewritten goes too: the
 * article is laid out once more and its records written again.  Returns how
 * many files went. */
enum { ISSUECACHE_PRUNE_DAYS = 30, ISSUECACHE_PRUNE_HOURS = 24 };
int issuecache_prune(const char *cache_dir, time_t now);

#endif
