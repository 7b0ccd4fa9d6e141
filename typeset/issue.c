/* issue.c — the `issue` command: a journal issue from a manifest.  Options,
 * the plan (phase 1 as one command per article, `--article N`, and phase 2 as
 * one, `--assemble`), the driver and the summary.  The phases are in
 * issuebuild.c, issue.pdf's merge in issuemerge.c. */
#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "issuebuild.h"
#include "issuecache.h"
#include "issuemerge.h"
#include "issuepages.h"
#include "output.h"

/* The rest of issue.pdf's merging (issuemerge.h) and the file, in an idle
 * context.  Returns its page count or -1. */
static int write_issue(Issue *is)
{
    TsContext *c = g_async_queue_pop(is->idle);     /* no job runs now */
    int pages = issuemerge_finish(is->merge, c);
    g_async_queue_push(is->idle, c);
    return pages;
}

/* ---- the command ----------------------------------------------------------------*/

static const char usage[] =
    "usage: typeset issue ISSUE.yaml -o OUTDIR [-j N] [--quiet] [--style NAME|PATH]\n"
    "       typeset issue ISSUE.yaml -o OUTDIR --plan          print the build as commands\n"
    "       typeset issue ISSUE.yaml -o OUTDIR --article N     phase 1 for article N (1-based)\n"
    "       typeset issue ISSUE.yaml -o OUTDIR --assemble      phase 2, after every --article job\n"
    "\n"
    "Writes OUTDIR/issue.pdf and OUTDIR/STEM.pdf for each article; the cache is OUTDIR/.cache/.\n"
    "  -j, --jobs N      worker threads (default: the number of processors)\n"
    "  -q, --quiet       no progress, no log lines, no summary (diagnostics still go to stderr)\n";

enum { OPT_PLAN = 256, OPT_ASSEMBLE, OPT_ARTICLE, OPT_HELP };

static int int_arg(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == 0 || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Returns -1 to go on, or the exit status to stop with. */
static int parse_options(int argc, char **argv, IssueOptions *o)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},        {"style", required_argument, NULL, 's'},
        {"plan", no_argument, NULL, OPT_PLAN},    {"assemble", no_argument, NULL, OPT_ASSEMBLE},
        {"article", required_argument, NULL, OPT_ARTICLE}, {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "o:j:qs:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->outdir = optarg; break;
        case 's': o->style = optarg; break;
        case 'q': o->quiet = 1; break;
        case OPT_PLAN: o->plan = 1; break;
        case OPT_ASSEMBLE: o->assemble = 1; break;
        case 'j':
            if (int_arg(optarg, 1, 1024, &o->jobs) != 0) {
                fprintf(stderr, "typeset: -j wants a number from 1 to 1024, not '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_ARTICLE:
            if (int_arg(optarg, 1, MANIFEST_MAX_ARTICLES, &o->article) != 0) {
                fprintf(stderr, "typeset: --article wants a positive number, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': case OPT_HELP: fputs(usage, stdout); return 0;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind + 1 != argc || !o->outdir) {
        fprintf(stderr, "typeset: issue needs one ISSUE.yaml and -o OUTDIR\n%s", usage);
        return 2;
    }
    if (o->plan + o->assemble + (o->article > 0) > 1) {
        fprintf(stderr, "typeset: --plan, --assemble and --article go one at a time\n");
        return 2;
    }
    o->manifest = argv[optind];
    return -1;
}

/* A word for sh: as it is when it is safe, else in single quotes. */
static char *sh_word(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("_./:=+-,@%", *p))
            return g_shell_quote(s);
    return *s ? g_strdup(s) : g_shell_quote(s);
}

/* Phase 1 as one command per article, then phase 2: lines a publisher can
 * hand to GNU parallel, make -j or a cluster's job array. */
static void print_plan(const IssueOptions *o, const Manifest *m)
{
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *prog = sh_word(exe ? exe : "typeset");
    char *man = sh_word(o->manifest), *out = sh_word(o->outdir);
    char *style = o->style ? sh_word(o->style) : NULL;
    GString *common = g_string_new(NULL);
    g_string_printf(common, "%s issue %s -o %s%s%s", prog, man, out, style ? " --style " : "",
                    style ? style : "");
    for (int k = 1; k <= m->n_articles; k++)
        printf("%s --article %d\n", common->str, k);
    printf("%s --assemble\n", common->str);
    g_string_free(common, TRUE);
    g_free(exe);
    g_free(prog);
    g_free(man);
    g_free(out);
    g_free(style);
}

static void print_summary(const Issue *is, int issue_pages)
{
    int w = 7;
    for (int k = 0; k < is->n; k++) {
        int l = (int)g_utf8_strlen(is->items[k].ma->name, -1);
        w = l > w ? l : w;
    }
    printf("%-*s  %5s  %-11s  %8s\n", w, "article", "pages", "in issue", "warnings");
    for (int k = 0; k < is->n; k++) {
        const Item *it = &is->items[k];
        const char *name = it->ma->name;
        int pad = w - (int)g_utf8_strlen(name, -1) + (int)strlen(name);
        if (it->failed) {
            printf("%-*s  %5s  %-11s  %8d\n", pad, name, "-", "failed",
                   it->dl_open.warnings + it->dl_set.warnings + it->cached_warnings);
            continue;
        }
        char range[32];
        snprintf(range, sizeof range, "%d–%d", it->first, it->first + it->set_pages - 1);
        int rpad = 11 + (int)strlen(range) - (int)g_utf8_strlen(range, -1);
        printf("%-*s  %5d  %-*s  %8d\n", pad, name, it->set_pages, rpad, range,
               it->dl_open.warnings + it->dl_set.warnings + it->cached_warnings);
    }
    if (issue_pages > 0)
        printf("issue.pdf: %d pages\n", issue_pages);
    else
        printf("issue.pdf: not written\n");
}

/* A recto start moves an even first_page on to the next odd folio
 * (issuepages_start): said at the manifest's line, since the issue then
 * does not begin where it asks. */
static void say_first_page(Issue *is)
{
    const Manifest *m = is->m;
    int start = issuepages_start(m->first_page, is->style->recto_start);
    if (start != m->first_page)
        diag_add(&is->dl, DIAG_WARNING, m->path, m->first_page_line, m->first_page_col,
                 "first_page %d is a left-hand (even) page, but style '%s' starts articles on "
                 "right-hand (odd) pages: the first article starts on page %d",
                 m->first_page, is->style->name ? is->style->name : is->style->path, start);
}

/* The cache's small texts written as one pack (issuecache.h): a whole
 * build's replaces the packs it read; an --article job's holds its own
 * records only.  One that cannot be written only makes the next build
 * slower: said in the log, not an error. */
static void save_cache(Issue *is, int full)
{
    DiagList quiet;
    diag_list_init(&quiet);
    if (issuecache_save(is->cache, full, time(NULL), &quiet) != 0 && quiet.n > 0)
        issuelog_line(is->log, "cache: %s", quiet.v[0].msg);
    diag_list_fini(&quiet);
}

static gpointer save_job(gpointer data)
{
    save_cache(data, 1);
    return NULL;
}

/* The whole build: measure, number and set, and (when no article failed)
 * the issue PDF.  Returns the exit status. */
static int build_issue(Issue *is)
{
    double t0 = issuelog_elapsed(is->log);
    say_first_page(is);
    issuebuild_measure(is, 0);
    int cached = 0, failed = 0, set = 0;
    for (int k = 0; k < is->n; k++) {
        cached += is->items[k].cached;
        failed += is->items[k].failed;
        set += is->items[k].set_at > 0;
    }
    double t1 = issuelog_elapsed(is->log);
    g_mutex_lock(&is->lock);
    int contexts = (int)is->contexts->len;
    g_mutex_unlock(&is->lock);
    issuelog_line(is->log, "phase 1: %d articles measured and %d set in %.2f s (%d laid out, %d from "
                  "the cache, %d failed; %d font context%s)", is->n, set, t1 - t0,
                  is->n - cached - failed, cached, failed, contexts, contexts == 1 ? "" : "s");
    int ok = issuebuild_set(is) == 0;
    /* the pack is written beside issue.pdf's last steps */
    GThread *saver = g_thread_new("cache", save_job, is);
    double t2 = issuelog_elapsed(is->log);
    issuelog_line(is->log, "phase 2: articles set and written in %.2f s", t2 - t1);
    GString *names = g_string_new(NULL);
    failed = 0;
    for (int k = 0; k < is->n; k++)
        if (is->items[k].failed)
            g_string_append_printf(names, "%s%s", failed++ ? ", " : "", is->items[k].ma->name);
    int pages = -1;
    if (failed)
        diag_add(&is->dl, DIAG_ERROR, is->m->path, 1, 1,
                 "%d of %d articles failed (%s): issue.pdf was not written, and the articles after "
                 "a failed one are numbered without it", failed, is->n, names->str);
    else if (ok && is->merge)
        pages = write_issue(is);
    if (pages < 0 && is->merge)     /* issue.pdf's temporary file goes */
        issuemerge_restart(is->merge);
    g_thread_join(saver);
    save_cache(is, 1);              /* what the last steps put, if anything */
    if (pages > 0) {                /* (a failed build leaves the cache as it was) */
        int gone = issuecache_prune(is->cache_dir, time(NULL));
        if (gone > 0)
            issuelog_line(is->log, "cache: removed %d file%s no build had written for %d days", gone,
                          gone == 1 ? "" : "s", ISSUECACHE_PRUNE_DAYS);
    }
    g_string_free(names, TRUE);
    issuelog_finish(is->log);
    if (!is->o->quiet)
        print_summary(is, pages);
    return pages > 0 ? 0 : 1;
}

/* Freeing an issue build (the contexts with their fonts and paragraph
 * caches, the merged document of issue.pdf) takes about a tenth of a second,
 * longer than the kernel takes to reclaim it.  So the command, which ends the
 * process, says what it has to say and returns without freeing it; it stays
 * reachable from here.  Builds with TS_FREE_AT_EXIT (the sanitizer build) and
 * runs with TYPESET_FREE_AT_EXIT=1 in the environment free everything, so the
 * teardown stays checked (valgrind needs it: it counts as lost fontconfig
 * patterns that only Pango's caches point into). */
static struct {
    Issue *volatile is;         /* volatile: never read, but the stores must stay */
    Manifest *volatile m;
} kept_at_exit;

static int free_at_exit(void)
{
#ifdef TS_FREE_AT_EXIT
    return 1;
#else
    const char *v = getenv("TYPESET_FREE_AT_EXIT");
    return v && *v && strcmp(v, "0") != 0;
#endif
}

int cmd_issue(int argc, char **argv, const char *datadir)
{
    IssueOptions o = {.datadir = datadir, .jobs = (int)g_get_num_processors()};
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    DiagList dl;
    diag_list_init(&dl);
    Manifest *m = manifest_load(o.manifest, &dl);
    /* the manifest's style, unless --style replaces it, is looked for now:
     * a wrong name is the manifest's error, at its line */
    if (m && !o.style && manifest_check_style(m, datadir, &dl) != 0) {
        manifest_free(m);
        m = NULL;
    }
    print_diags(&dl);
    diag_list_fini(&dl);
    if (!m)
        return 1;
    if (o.article > m->n_articles) {
        fprintf(stderr, "typeset: --article %d, but the issue has %d articles\n", o.article,
                m->n_articles);
        manifest_free(m);
        return 2;
    }
    if (o.plan) {
        print_plan(&o, m);
        manifest_free(m);
        return 0;
    }
    o.exiting = !free_at_exit();
    Issue *is = xcalloc(1, sizeof *is);
    if (issuebuild_open(is, &o, m) != 0) {
        rc = 1;
    } else if (o.article > 0) {
        issuebuild_measure(is, o.article);
        save_cache(is, 0);
        issuelog_finish(is->log);
        rc = is->items[o.article - 1].failed ? 1 : 0;
    } else {
        rc = build_issue(is);
    }
    if (o.exiting) {
        issuebuild_wait_hyph(is);
        issuebuild_say(is);
        is->o = NULL;               /* o lives on this stack */
        kept_at_exit.is = is;
        kept_at_exit.m = m;
        return rc;
    }
    issuebuild_close(is);
    free(is);
    manifest_free(m);
    return rc;
}
