/* preview.c — `typeset preview`: lays the article out exactly as `build`
 * does (article.h) and writes pages as PNG (raster.h), optionally with the
 * layout frames (frames.h) and a contact sheet of every page (contact.h). */
#include <getopt.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "article.h"
#include "commands.h"
#include "contact.h"
#include "output.h"
#include "raster.h"

static const char preview_usage[] =
    "usage: typeset preview ARTICLE.md -o DIR [--dpi N] [--pages A-B] [--frames]\n"
    "                       [--contact-sheet FILE.png] [--style NAME|PATH] [--first-page N]\n"
    "\n"
    "Renders pages of the article, laid out as `typeset build` lays it out, to\n"
    "DIR/page-001.png, DIR/page-002.png, ... (numbered by position in the article).\n"
    "\n"
    "  -o, --output DIR          where the page images go (needed unless only a\n"
    "                            contact sheet is asked for)\n"
    "      --dpi N               resolution, 1 to 1200 (default 96); a page is\n"
    "                            round(trim / 72pt * N) pixels\n"
    "      --pages A-B           only pages A to B (1-based): A-B, A, or A- (to the end)\n"
    "      --frames              draw trim, margins, text block, baseline grid, line\n"
    "                            boxes by adjustment ratio, hyphens and footnote area\n"
    "      --contact-sheet FILE  every page as a thumbnail in spreads on one PNG\n"
    "  -s, --style NAME          a style name or a .yaml path (default: rjwpln)\n"
    "      --first-page N        folio of the first page (default: front matter, else 1)\n";

typedef struct PreviewOptions {
    const char *input, *dir, *sheet, *style;
    double dpi;
    int first_page, frames;
    int from, to;           /* 1-based page range; to = 0: to the last page */
} PreviewOptions;

/* "A-B", "A" or "A-", 1 <= A <= B.  Returns 0 or -1 (malformed). */
static int parse_pages(const char *s, int *from, int *to)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || a < 1 || a > 1000000 || *s == '+' || *s == ' ')
        return -1;
    if (*end == '\0') {
        *from = *to = (int)a;
        return 0;
    }
    if (*end != '-')
        return -1;
    const char *bs = end + 1;
    if (*bs == '\0') {
        *from = (int)a;
        *to = 0;
        return 0;
    }
    long b = strtol(bs, &end, 10);
    if (*bs < '0' || *bs > '9' || *end || b < a || b > 1000000)
        return -1;
    *from = (int)a;
    *to = (int)b;
    return 0;
}

enum { P_DPI = 256, P_PAGES, P_FRAMES, P_SHEET, P_FIRST, P_HELP };
static const struct option preview_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"dpi", required_argument, NULL, P_DPI},
    {"pages", required_argument, NULL, P_PAGES},
    {"frames", no_argument, NULL, P_FRAMES},
    {"contact-sheet", required_argument, NULL, P_SHEET},
    {"style", required_argument, NULL, 's'},
    {"first-page", required_argument, NULL, P_FIRST},
    {"help", no_argument, NULL, P_HELP},
    {NULL, 0, NULL, 0},
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("typeset: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    fputs(preview_usage, stderr);
    return 2;
}

/* Parses argv into o; returns -1 to go on, else the exit status. */
static int preview_args(int argc, char **argv, PreviewOptions *o)
{
    int c;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:s:h", preview_opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->dir = optarg; break;
        case 's': o->style = optarg; break;
        case P_FRAMES: o->frames = 1; break;
        case P_SHEET: o->sheet = optarg; break;
        case P_DPI: {
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > RASTER_MAX_DPI)
                return usage_error("--dpi wants a whole number from 1 to 1200, not '%s'", optarg);
            o->dpi = (double)v;
            break;
        }
        case P_FIRST: {
            long v = strtol(optarg, &end, 10);
            if (!*optarg || *end || v < 1 || v > 1000000)
                return usage_error("--first-page wants a positive number, not '%s'", optarg);
            o->first_page = (int)v;
            break;
        }
        case P_PAGES:
            if (parse_pages(optarg, &o->from, &o->to) != 0)
                return usage_error("--pages wants A-B, A or A- with 1 <= A <= B, not '%s'", optarg);
            break;
        case 'h': case P_HELP: fputs(preview_usage, stdout); return 0;
        default: fputs(preview_usage, stderr); return 2;
        }
    }
    if (optind != argc - 1)
        return usage_error("preview needs exactly one ARTICLE.md");
    o->input = argv[optind];
    if (!o->dir && !o->sheet)
        return usage_error("preview needs -o DIR or --contact-sheet FILE.png");
    if (o->from && !o->dir)
        return usage_error("--pages needs -o DIR");
    return -1;
}

static int write_page(const Article *art, const TsContext *ctx, const PreviewOptions *o, int i,
                      DiagList *dl)
{
    unsigned char *png = NULL;
    size_t len = 0;
    const char *err = NULL;
    char *path = g_strdup_printf("%s/page-%03d.png", o->dir, i + 1);
    int rc = raster_page_png(&art->result, i, ctx->style, o->dpi, o->frames, &png, &len, &err);
    if (rc != 0)
        diag_add(dl, DIAG_ERROR, path, 1, 1, "cannot render page %d: %s", i + 1, err);
    else
        rc = output_write_atomic(path, png, len, dl);
    free(png);
    g_free(path);
    return rc;
}

static int write_sheet(const Article *art, const TsContext *ctx, const PreviewOptions *o,
                       DiagList *dl)
{
    unsigned char *png = NULL;
    size_t len = 0;
    const char *err = NULL;
    int rc = contact_sheet_png(&art->result, ctx->style, o->frames, &png, &len, &err);
    if (rc != 0)
        diag_add(dl, DIAG_ERROR, o->sheet, 1, 1, "cannot render the contact sheet: %s", err);
    else
        rc = output_write_atomic(o->sheet, png, len, dl);
    free(png);
    return rc;
}

/* Writes the asked-for pages and sheet of a laid-out article.  Returns the
 * exit status. */
static int preview_write(const Article *art, const TsContext *ctx, const PreviewOptions *o,
                         DiagList *dl)
{
    int n = article_pages(art);
    int from = o->from ? o->from : 1, to = o->to ? o->to : n;
    if (o->dir && (from > n || to > n)) {
        fprintf(stderr, "typeset: --pages %d-%d: the article has %d page%s\n", from, to, n,
                n == 1 ? "" : "s");
        return 2;
    }
    if (o->dir && output_mkdirs(o->dir, dl) != 0)
        return 1;
    for (int i = from - 1; o->dir && i < to; i++)
        if (write_page(art, ctx, o, i, dl) != 0)
            return 1;
    if (o->sheet && n > 0 && write_sheet(art, ctx, o, dl) != 0)
        return 1;
    return 0;
}

int cmd_preview(int argc, char **argv, const char *datadir)
{
    PreviewOptions o = {.dpi = 96};
    int rc = preview_args(argc, argv, &o);
    if (rc >= 0)
        return rc;
    DiagList dl;
    diag_list_init(&dl);
    TsContext ctx;
    Article *art = article_open(o.input, &dl);
    rc = ctx_open(&ctx, datadir, o.style, NULL, &dl) == 0 ? 0 : 1;
    if (art && rc == 0 && article_layout(art, &ctx, o.first_page, &dl) != 0)
        rc = 1;
    if (!art || dl.errors > 0)
        rc = 1;
    if (rc == 0)
        rc = preview_write(art, &ctx, &o, &dl);
    print_diags(&dl);
    ctx_close(&ctx);   /* safe on a context ctx_open refused */
    article_free(art);
    diag_list_fini(&dl);
    return rc;
}
