/* issuebuild.h — the issue command's build, private to issue.c and
 * issuebuild.c: the articles' way through both phases (reading, measuring,
 * numbering, setting, writing each article's PDF) on threads, each with a
 * TsContext of its own, and the cache.  issue.c holds the command line, the
 * plan and the summary; issuemerge.c makes issue.pdf from the article PDFs.
 *
 * Threads.  In phase 1 each thread holds a TsContext from the time it first
 * lays an article out (taken from a queue of idle ones, made on demand, so
 * never more than the threads), and sets the articles it measured once
 * their folios are known; in phase 2 each thread holds one context
 * throughout and prefers the articles it measured.
 * The glyphs of an article hold fonts of the context that set them, so they
 * are made, painted and released by the thread holding that context (or by
 * the driver while no job runs); nothing else is shared but the read-only
 * Style, the log, the items' `ready` marks and the merge (under its lock).
 * Which context sets an article does not change its layout, so -j 1 and -j 8
 * give the same bytes. */
#ifndef TS_ISSUEBUILD_H
#define TS_ISSUEBUILD_H

#include <glib.h>

#include "article.h"
#include "issuecache.h"
#include "issuelog.h"
#include "manifest.h"

#define ISSUE_MAX_ROUNDS 6

typedef struct IssueOptions {
    const char *manifest, *outdir, *style, *datadir;
    int jobs, quiet, plan, assemble, article;   /* article: 1-based, 0 = all */
    int exiting;        /* the process ends after this build: issue.pdf's merged
                           document is left to issuebuild_close, which an exiting
                           caller skips (issue.c, free_at_exit) */
} IssueOptions;

/* One article on its way through both phases.  A job writes the fields of
 * its own article only; the driver reads them between phases.  (Streaming,
 * the threads learn other articles' counts through the Stream, under its
 * lock, and stream_merge sets the folios of the articles not yet taken.) */
typedef struct Item {
    const ManifestArticle *ma;
    int k;                      /* 1-based position in the issue */
    Article *art;
    char content[ISSUECACHE_HEX];
    DiagList dl_open;           /* reading the source */
    DiagList dl_set;            /* the latest layout and its PDF */
    int pages;                  /* the count the numbering uses */
    int first;                  /* its first folio in the issue */
    int set_at;                 /* first folio of its current layout; 0 = none */
    int laid_at;                /* phase 1 laid it out at this folio (its place in the
                                   last build) and kept the layout; 0 = not kept */
    DiagList dl_laid;           /* that layout's warnings, for phase 2 to report */
    int place_first, place_pages;   /* where the last build set it (place_load), 0: unknown */
    int set_pages;              /* pages of that layout */
    double paint_cost;          /* paint_cost_estimate of phase 1's layout (0: none) */
    int cached_warnings;        /* warnings of the layout a cached PDF came from */
    TsContext *ctx;             /* the context whose cache holds its paragraphs, or NULL */
    unsigned char *pdf;         /* its PDF's bytes, for the merge (NULL: the merge
                                   reads the written file) ... */
    size_t pdf_len;
    struct PdfCatPart *read;    /* ... and those bytes read for it (pdfcat.h), or NULL */
    GBytes *read_index;         /* what was read of the PDF written here, for the next
                                   build (pdfcat_index_save; index_save), or NULL */
    unsigned char *pre_pdf;     /* its last build's PDF, read in phase 1 in case phase 2
                                   finds it unchanged (item_pre_read) ... */
    size_t pre_len;
    struct PdfCatPart *pre_read;
    struct stat pre_st;         /* ... and the file as it was then */
    struct OutputFile *pending; /* its PDF written, not yet committed (item_commit) */
    int commit_failed;          /* that commit failed (its error in dl_set); the driver
                                   marks it failed between phases */
    char pdf_id[ISSUECACHE_HEX];    /* the identity of the PDF written last
                                       (issuebuild.c, pdf_identity) */
    gint ready;                 /* atomic: it is set at its folio and written this round
                                   (in phase 1 or 2): the merge may take it */
    int cached;                 /* phase 1's count came from the cache */
    int paras_saved;            /* its set paragraphs were written for the next build */
    int failed;
} Item;

typedef struct Issue {
    const IssueOptions *o;
    Manifest *m;
    Style *style;
    char *cache_dir, *overrides;
    IssueCache *cache;          /* the small texts of cache_dir (issuecache.h) */
    long long epoch;            /* SOURCE_DATE_EPOCH, or -1 */
    long long pdf_epoch;        /* the PDFs' dates: epoch, or the start of the run */
    GAsyncQueue *idle;          /* contexts no job is using */
    GPtrArray *contexts;        /* every context, for closing; under lock */
    GMutex lock;
    Item *items;
    int n;
    IssueLog *log;
    DiagList dl;                /* the issue's own diagnostics (driver only) */
    struct IssueMerge *merge;   /* issue.pdf in the making (issuemerge.h), or NULL */
    gint hyph_started;          /* atomic: hyph_loader was started */
    GThread *hyph_loader;       /* loading the first laid-out article's dictionary
                                   (-j > 1), or NULL; set by a phase-1 job */
    struct LayHyphHold *hyph_hold;  /* what it loaded, once joined (issuebuild_wait_hyph) */
    GThread *spare_opener;      /* opening a second context beside the first (-j > 1),
                                   or NULL once joined; under lock */
    TsContext *spare;           /* what it opened (NULL: failed), until a job takes it */
    int stream;                 /* phase 1 streams: each article is set and written once
                                   the articles before it are measured (issuebuild.c,
                                   run_stream) */
    GThread *committer;         /* committing the articles' PDFs (issuebuild.c,
                                   commit_later), once one is written; under lock */
    GAsyncQueue *commits;       /* the items it is to commit */
    int commits_pending;        /* pushed and not yet committed; under lock */
    GCond commits_cond;         /* signalled as that goes down */
} Issue;

/* A job on one article; *c is the thread's context, NULL until the job
 * takes one (issuebuild_take_context).  0, or 1 when it could have none
 * and did nothing. */
typedef int (*IssueJobFn)(Issue *is, Item *it, TsContext **c);

/* An idle context, or a new one (NULL after adding why to dl; dl may be
 * NULL). */
TsContext *issuebuild_take_context(Issue *is, DiagList *dl);

/* Loads the style, makes OUTDIR and its cache, opens the first context (so a
 * broken style or font set is reported once, before any job).  Returns 0 or
 * -1 (errors in is->dl; call issuebuild_close either way). */
int issuebuild_open(Issue *is, const IssueOptions *o, Manifest *m);
/* Prints every diagnostic so far, article by article in issue order, then
 * the issue's own, and forgets them. */
void issuebuild_say(Issue *is);
/* Waits for the thread loading the hyphenation dictionaries, keeping what it
 * loaded, and for the one opening a spare context.  A command that returns
 * without issuebuild_close calls it first: exit's stdio teardown must not
 * run while those threads read a dictionary or the font configuration. */
void issuebuild_wait_hyph(Issue *is);
/* issuebuild_say, and frees everything but the manifest. */
void issuebuild_close(Issue *is);

/* Phase 1: every article's page count (k = 0), or only article k's (1-based,
 * in this thread: the --article job). */
void issuebuild_measure(Issue *is, int k);
/* Phase 2: numbers the pages, sets every article at its first folio and
 * writes its PDF, again until the numbers hold.  Returns 0, or -1 when they
 * did not settle (an error in is->dl).  Failed articles are skipped. */
int issuebuild_set(Issue *is);

#endif
