/* issuecache.h — the issue build's content-addressed cache in OUTDIR/.cache/.
 * A key is a SHA-256 over everything an article's pages depend on (its source
 * bytes, its images, the style file, fonts/fonts.conf, the program version, the
 * manifest's metadata overrides) plus what the record is for (the first page,
 * the PDF dates).  A record is a small text named by its key, holding a page
 * count and/or the SHA-256 of an article PDF written from it (with the
 * number of warnings its layout gave); other small texts (file digests, an
 * article's images, where it was set) are kept the same way.
 *
 * The small texts live in memory while a build runs (an IssueCache, shared
 * by its threads) and go to disk together, as one pack file
 * (OUTDIR/.cache/NAME.pack, written atomically) when the build ends: an issue
 * makes some eighty of them, and each had been a file of its own, created,
 * renamed and, on the next full build, deleted (on ext4 without a journal a
 * new file's inode is found by a scan that steps over every inode deleted in
 * the last minutes: 20 ms of a 300 ms benchmark build went there).  The large
 * files (paragraphs, PDF indexes, the cover) stay files of their own.
 *
 * A pack is whole or refused (its last line counts its records), so a crash
 * while one is written (packs are not fsynced) costs misses, not wrong
 * answers; a stale or damaged record is simply a miss.  Concurrent processes
 * may share a cache: a whole build (issuecache_save with full set) writes
 * the records in use and recent ones and removes the packs it read, which
 * the new one replaces; a process laying out one article of a plan
 * (--article) adds a pack of its own records only, which the next whole
 * build folds in. */
#ifndef TS_ISSUECACHE_H
#define TS_ISSUECACHE_H

#include <glib.h>
#include <sys/stat.h>
#include <time.h>

#include "model.h"

#define ISSUECACHE_HEX 65           /* 64 hex digits + NUL */

/* The small texts of one cache directory, shared by a build's threads (each
 * call takes the cache's lock).  Opening reads the directory's packs (none
 * when it does not exist yet); a pack that is not whole is left unread and
 * replaced by the next whole save. */
typedef struct IssueCache IssueCache;
IssueCache *issuecache_open(const char *cache_dir);
void issuecache_free(IssueCache *c);
/* A copy of the text named name (g_free; *len its length, a NUL after it),
 * or NULL when there is none.  c NULL: NULL. */
char *issuecache_text_get(IssueCache *c, const char *name, size_t *len);
/* Keeps text under name (a key, with or without an extension: letters,
 * digits, '.', '-' and '_'), replacing what was there. */
void issuecache_text_put(IssueCache *c, const char *name, const void *text, size_t len);
/* Writes the cache's texts when any was put since the last save (or the
 * cache was opened from packs not whole, or from more than one), without
 * fsync: full, the texts this process got or put and those a build wrote in
 * the last ISSUECACHE_KEEP_UNUSED seconds (an edit undone soon after finds
 * its records), and the packs read are removed; otherwise only the texts
 * this process put, beside the other packs.  File digests not trusted are
 * left out (issuecache_file_sha_memo).  The lock is not held while the pack
 * is written: other threads may go on.  Returns 0, or -1 after adding why
 * to dl (the next build is only slower). */
enum { ISSUECACHE_KEEP_UNUSED = 3600 };
int issuecache_save(IssueCache *c, int full, time_t now, DiagList *dl);
/* A pack's text parsed into c (as issuecache_open does; mtime, the pack's
 * modification time, decides which file digests it may be trusted for):
 * 0, or -1 when it is not a whole pack (nothing is taken).  For the tests
 * and the fuzzer. */
int issuecache_pack_read(IssueCache *c, const char *text, size_t len, const struct timespec *mtime);
/* The texts c holds, as a pack (g_free). */
char *issuecache_pack_text(IssueCache *c, time_t now, size_t *len);

typedef struct IssueCacheRecord {
    int pages;                      /* 0 = none */
    char pdf_sha[ISSUECACHE_HEX];   /* "" = none */
    int warnings;                   /* diagnostics of the layout the PDF came from */
} IssueCacheRecord;

/* The content digest of an article (hex, into out): doc must be open (its
 * images are found in its body); style_path and datadir name the style file
 * and fonts/fonts.conf; overrides is the manifest metadata put on the article
 * (any text; NULL = none).  Files go in by their digests, remembered in
 * cache (issuecache_file_sha_memo; NULL: every file read).  Unreadable
 * inputs are hashed as absent: the article's own build reports them. */
void issuecache_content(const Doc *doc, const char *style_path, const char *datadir,
                        const char *overrides, IssueCache *cache, char out[ISSUECACHE_HEX]);
/* The same from the source's path and its images' src (issuecache_images: in
 * the body, the abstract, the footnotes, in order; its strings the doc's). */
GPtrArray *issuecache_images(const Doc *doc);
void issuecache_content_of(const char *doc_path, const GPtrArray *images, const char *style_path,
                           const char *datadir, const char *overrides, IssueCache *cache,
                           char out[ISSUECACHE_HEX]);

/* The key of one record: content digest + kind ("pages", "pdf") + numbers. */
void issuecache_key(const char *content, const char *kind, long long a, long long b,
                    char out[ISSUECACHE_HEX]);

/* Record `key` from the cache: 0 when found and well formed, else -1. */
int issuecache_get(IssueCache *c, const char *key, IssueCacheRecord *r);
/* Keeps it (issuecache_save writes it). */
void issuecache_put(IssueCache *c, const char *key, const IssueCacheRecord *r);

/* SHA-256 (hex) of a buffer, or of a file's bytes (-1 if unreadable). */
void issuecache_sha(const void *data, size_t len, char out[ISSUECACHE_HEX]);
/* A PDF's identity in the cache: "x" and the XXH3-128 of its bytes, hex (a
 * SHA-256 had been 3 % of a build; this takes 0.03 ms for an article).
 * Checked on the bytes themselves, which the merge reads anyway: no memo
 * of the file's times to trust. */
void issuecache_pdf_id(const void *pdf, size_t len, char out[ISSUECACHE_HEX]);
int issuecache_file_sha(const char *path, char out[ISSUECACHE_HEX]);
/* issuecache_file_sha remembered in the cache (NULL: not remembered) under
 * the file's identity and times (device, inode, size, modification and
 * status-change times to the nanosecond, what git's index compares): a file
 * unchanged since is not read again.  Rewriting a file changes its ctime,
 * which no one can set back; but a rewrite within one tick of the file
 * system's clock (a second on some) would go unseen, so a memo is trusted
 * only when a time of the cache directory's file system (its own times set
 * to now and read back), taken before the file was read, is later than the
 * file's times: a change after the reading then shows in them.  For a file
 * on another file system (coarser timestamps, another clock) it must be
 * later by two seconds more.  A later build trusts it only when the pack
 * holding it is later than that too (git's rule for "racy" index entries,
 * the pack as the index).  A file changed a moment before it was read is
 * read again next time. */
int issuecache_file_sha_memo(IssueCache *c, const char *path, char out[ISSUECACHE_HEX]);
/* Whether a digest of the file at path, as it is now, is remembered and
 * trusted (issuecache_file_sha_memo would not read it).  For the tests. */
int issuecache_file_sha_known(IssueCache *c, const char *path);

/* Whether a and b are the same file unchanged: device, inode, size and both
 * times, to the nanosecond. */
int issuecache_same_stat(const struct stat *a, const struct stat *b);

/* The cache's files no build has written for ISSUECACHE_PRUNE_DAYS, removed,
 * at most once every ISSUECACHE_PRUNE_HOURS (cache_dir/pruned's time says
 * when it was last done; the first call only sets it).  A file an
 * unchanged article still uses but no build has rewritten goes too: the
 * article is laid out once more and its files written again.  Packs are
 * left alone: a whole save keeps only the texts in use and recent ones
 * (issuecache_save), and a pack no build has replaced holds what the builds
 * since have used.
 * Returns how many files went. */
enum { ISSUECACHE_PRUNE_DAYS = 30, ISSUECACHE_PRUNE_HOURS = 24 };
int issuecache_prune(const char *cache_dir, time_t now);

#endif
