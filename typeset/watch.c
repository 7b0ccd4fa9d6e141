/* watch.c — `typeset watch`: builds the article, then rebuilds it whenever
 * the source, one of its images or the style file changes, until SIGINT or
 * SIGTERM (or --max-rebuilds).  The TsContext (fonts, engine, style) is made
 * once and kept; the style is reloaded only when its file changed.  Every
 * output is written atomically, and a build that fails leaves the last good
 * output in place, so a viewer that reloads on change only ever sees whole
 * files. */
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "article.h"
#include "commands.h"
#include "output.h"
#include "raster.h"
#include "watchset.h"

/* Quiet time after the last event before a rebuild: an editor's save is
 * several events (write, rename, attribute change) within a few ms.  A file
 * that keeps changing is rebuilt at least every WATCH_MAX_DELAY_MS. */
#define WATCH_DEBOUNCE_MS 100
#define WATCH_MAX_DELAY_MS 1000

static const char watch_usage[] =
    "usage: typeset watch ARTICLE.md [-o OUT.pdf] [--png DIR] [--dpi N] [--style NAME|PATH]\n"
    "                     [--first-page N] [--frames] [--max-rebuilds N]\n"
    "\n"
    "Builds ARTICLE.md, then rebuilds it whenever it, one of its images or the style\n"
    "file changes; stops on Ctrl-C or SIGTERM.  Each build prints\n"
    "\"rebuilt OUT.pdf in T ms (N pages, W warnings)\" and its diagnostics; a build\n"
    "with errors leaves the last good output as it was.\n"
    "\n"
    "  -o, --output FILE     the PDF (default: the source with .pdf)\n"
    "      --png DIR         also write every page as DIR/page-001.png, ...\n"
    "      --dpi N           resolution of those PNGs (default 96)\n"
    "  -s, --style NAME      a style name or a .yaml path (default: rjwpln)\n"
    "      --first-page N    folio of the first page (default: front matter, else 1)\n"
    "      --frames          draw the layout frames on the PDF and PNG pages\n"
    "      --max-rebuilds N  exit after N rebuilds that followed a change (tests);\n"
    "                        the exit status is then that of the last build\n";

typedef struct Watch {
    const char *input, *png_dir, *datadir;
    char *pdf;
    double dpi;
    int first_page, frames;
    long long epoch;
    char *style_path;       /* the file the context's style came from */
    TsContext ctx;
    WatchSet *ws;
    int pages;              /* pages of the last good build, 0 before it */
    int png_pages;          /* page PNGs the last good build wrote */
} Watch;

/* Follows the images the source names, relative to its directory as
 * compose.c resolves them, so adding an image that was missing rebuilds. */
static void follow_images(Watch *w, const Doc *doc)
{
    char *dir = g_path_get_dirname(doc->path);
    const DocBlocks *lists[2] = {&doc->body, &doc->abstract};
    watchset_drop(w->ws, WATCH_IMAGE);
    for (int k = 0; k < 2 + doc->n_footnotes; k++) {
        const DocBlocks *bl = k < 2 ? lists[k] : &doc->footnotes[k - 2].blocks;
        for (int i = 0; i < bl->n; i++) {
            const char *src = bl->v[i].src;
            if (bl->v[i].kind != DOC_IMAGE || !src || !*src || strstr(src, "://"))
                continue;
            char *path = src[0] == '/' ? g_strdup(src) : g_build_filename(dir, src, NULL);
            watchset_add(w->ws, path, WATCH_IMAGE);
            g_free(path);
        }
    }
    g_free(dir);
}

static int reload_style(Watch *w, DiagList *dl)
{
    Style *st = style_load(w->style_path, w->datadir, dl);
    if (!st)
        return -1;
    if (ctx_set_style(&w->ctx, st, dl) != 0) {
        style_free(st);
        return -1;
    }
    return 0;
}

/* Every page as DIR/page-NNN.png; pages the previous build had beyond the
 * new count are removed, so the directory always shows one version. */
static int write_pngs(Watch *w, const Article *art, DiagList *dl)
{
    if (output_mkdirs(w->png_dir, dl) != 0)
        return -1;
    int n = article_pages(art);
    for (int i = 0; i < n; i++) {
        unsigned char *png = NULL;
        size_t len = 0;
        const char *err = NULL;
        char *path = g_strdup_printf("%s/page-%03d.png", w->png_dir, i + 1);
        int rc = raster_page_png(&art->result, i, w->ctx.style, w->dpi, w->frames, &png, &len, &err);
        if (rc != 0)
            diag_add(dl, DIAG_ERROR, path, 1, 1, "cannot render the page: %s", err);
        else
            rc = output_write_atomic(path, png, len, dl);
        free(png);
        g_free(path);
        if (rc != 0)
            return -1;
    }
    for (int i = n; i < w->png_pages; i++) {
        char *path = g_strdup_printf("%s/page-%03d.png", w->png_dir, i + 1);
        unlink(path);
        g_free(path);
    }
    w->png_pages = n;
    return 0;
}

/* One build: style (when its file changed), source, layout, outputs.  Prints
 * the diagnostics and one summary line.  Returns 0 when the outputs were
 * replaced; -1 when they were left as they were. */
static int rebuild(Watch *w, int *style_dirty, const char *verb)
{
    gint64 t0 = g_get_monotonic_time();
    DiagList dl;
    diag_list_init(&dl);
    int rc = *style_dirty ? reload_style(w, &dl) : 0;
    if (rc == 0)
        *style_dirty = 0;   /* else the next build tries the file again */
    Article *art = rc == 0 ? article_open(w->input, &dl) : NULL;
    if (art) {
        follow_images(w, &art->doc);
        art->expect_pages = w->pages;
    }
    if (!art || article_layout(art, &w->ctx, w->first_page, &dl) != 0 || dl.errors > 0)
        rc = -1;
    if (rc == 0) {
        art->frames = w->frames;
        rc = article_write_pdf(art, &w->ctx, w->pdf, w->epoch, &dl);
    }
    if (rc == 0 && w->png_dir)
        rc = write_pngs(w, art, &dl);
    if (rc == 0)
        w->pages = article_pages(art);
    print_diags(&dl);
    long long ms = (g_get_monotonic_time() - t0 + 500) / 1000;
    if (rc == 0)
        printf("%s %s in %lld ms (%d pages, %d warnings)\n", verb, w->pdf, ms, article_pages(art),
               dl.warnings);
    else
        printf("failed %s in %lld ms (%d errors); the last good output stays\n", w->pdf, ms,
               dl.errors);
    fflush(stdout);
    fflush(stderr);
    article_free(art);
    diag_list_fini(&dl);
    return rc;
}

/* Waits for changes and rebuilds until a signal arrives on sfd or
 * max_rebuilds (< 0: no limit) rebuilds are done.  Returns the exit status. */
static int watch_loop(Watch *w, int sfd, long max_rebuilds)
{
    unsigned pending = 0;
    int style_dirty = 0, rc = 0;
    gint64 first = 0, last = 0;
    for (long done = 0; max_rebuilds < 0 || done < max_rebuilds;) {
        gint64 now = g_get_monotonic_time();
        gint64 due = MIN(last + WATCH_DEBOUNCE_MS * 1000, first + WATCH_MAX_DELAY_MS * 1000);
        int timeout = !pending ? -1 : due <= now ? 0 : (int)((due - now + 999) / 1000);
        struct pollfd pf[2] = {{watchset_fd(w->ws), POLLIN, 0}, {sfd, POLLIN, 0}};
        if (poll(pf, 2, timeout) < 0) {
            if (errno == EINTR)
                continue;   /* some other signal: SIGINT/SIGTERM are blocked */
            fprintf(stderr, "typeset: watch: poll: %s\n", g_strerror(errno));
            return 1;
        }
        if (pf[1].revents & POLLIN)
            return 0;
        if (pf[0].revents & POLLIN) {
            unsigned tags = watchset_read(w->ws);
            now = g_get_monotonic_time();
            if (tags && !pending)
                first = now;
            if (tags)
                last = now;
            pending |= tags;
        }
        now = g_get_monotonic_time();
        due = MIN(last + WATCH_DEBOUNCE_MS * 1000, first + WATCH_MAX_DELAY_MS * 1000);
        if (!pending || now < due)
            continue;
        if (pending & WATCH_STYLE)
            style_dirty = 1;
        pending = 0;
        rc = rebuild(w, &style_dirty, "rebuilt") == 0 ? 0 : 1;
        /* re-arm: a directory removed and made again gets a new watch */
        watchset_add(w->ws, w->input, WATCH_SOURCE);
        watchset_add(w->ws, w->style_path, WATCH_STYLE);
        done++;
    }
    return rc;
}

static int parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) {
        fprintf(stderr, "typeset: %s wants a whole number from %ld to %ld, not '%s'\n", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

enum { W_PNG = 256, W_DPI, W_FIRST, W_FRAMES, W_MAX, W_HELP };
static const struct option watch_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"png", required_argument, NULL, W_PNG},
    {"dpi", required_argument, NULL, W_DPI},
    {"style", required_argument, NULL, 's'},
    {"first-page", required_argument, NULL, W_FIRST},
    {"frames", no_argument, NULL, W_FRAMES},
    {"max-rebuilds", required_argument, NULL, W_MAX},
    {"help", no_argument, NULL, W_HELP},
    {NULL, 0, NULL, 0},
};

/* Parses argv into w; returns -1 to go on, else the exit status. */
static int watch_args(int argc, char **argv, Watch *w, const char **style, long *max_rebuilds)
{
    const char *out = NULL;
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:h", watch_opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 's': *style = optarg; break;
        case W_PNG: w->png_dir = optarg; break;
        case W_FRAMES: w->frames = 1; break;
        case W_DPI:
            if (parse_long("--dpi", optarg, 1, RASTER_MAX_DPI, &v) != 0)
                return 2;
            w->dpi = (double)v;
            break;
        case W_FIRST:
            if (parse_long("--first-page", optarg, 1, 1000000, &v) != 0)
                return 2;
            w->first_page = (int)v;
            break;
        case W_MAX:
            if (parse_long("--max-rebuilds", optarg, 0, 1000000000, max_rebuilds) != 0)
                return 2;
            break;
        case 'h': case W_HELP: fputs(watch_usage, stdout); return 0;
        default: fputs(watch_usage, stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "typeset: watch needs exactly one ARTICLE.md\n%s", watch_usage);
        return 2;
    }
    w->input = argv[optind];
    w->pdf = out ? xstrdup(out) : output_default_path(w->input, ".pdf");
    return -1;
}

int cmd_watch(int argc, char **argv, const char *datadir)
{
    Watch w = {.datadir = datadir, .dpi = 96, .epoch = source_date_epoch()};
    const char *style = NULL;
    long max_rebuilds = -1;
    int rc = watch_args(argc, argv, &w, &style, &max_rebuilds);
    if (rc >= 0)
        return rc;
    /* SIGINT/SIGTERM arrive through a descriptor, so a build in progress
     * finishes (its output is whole) before the loop sees them and exits 0 */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
    DiagList dl;
    diag_list_init(&dl);
    w.ws = watchset_new(&dl);
    char *pdf_dir = g_path_get_dirname(w.pdf);
    rc = sfd < 0 || !w.ws || output_mkdirs(pdf_dir, &dl) != 0 ||
                 ctx_open(&w.ctx, datadir, style, NULL, &dl) != 0
             ? 1 : -1;
    g_free(pdf_dir);
    print_diags(&dl);
    diag_list_fini(&dl);
    if (rc < 0) {
        w.style_path = xstrdup(w.ctx.style->path);
        if (watchset_add(w.ws, w.input, WATCH_SOURCE) != 0 ||
            watchset_add(w.ws, w.style_path, WATCH_STYLE) != 0) {
            fprintf(stderr, "typeset: cannot watch the directory of '%s' or '%s'\n", w.input,
                    w.style_path);
            rc = 1;
        }
    }
    if (rc < 0) {
        int style_dirty = 0;
        rc = rebuild(&w, &style_dirty, "built") == 0 ? 0 : 1;
        if (max_rebuilds != 0)
            rc = watch_loop(&w, sfd, max_rebuilds);
        ctx_close(&w.ctx);
    }
    watchset_free(w.ws);
    if (sfd >= 0)
        close(sfd);
    free(w.style_path);
    free(w.pdf);
    return rc;
}
