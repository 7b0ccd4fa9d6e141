/* main.c — the command line: parses arguments (getopt_long), finds the data
 * directory, runs one command, prints the diagnostics and picks the exit
 * status: 0 success, 1 bad input, 2 usage. */
#include <getopt.h>
#include <glib.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "commands.h"
#include "../fonts/fontload.h"
#include "output.h"
#include "style.h"

static const char usage[] =
    "usage: typeset build ARTICLE.md [-o OUT.pdf] [--style NAME|PATH] [--first-page N] [--strict]\n"
    "                     [--report FILE] [--bleed MM] [--marks] [--frames]\n"
    "       typeset check ARTICLE.md [--style NAME|PATH] [--strict]\n"
    "       typeset fonts [--style NAME|PATH]\n"
    "       typeset preview ARTICLE.md -o DIR [--dpi N] [--pages A-B] [--frames]\n"
    "                       [--contact-sheet FILE.png] [--style S] [--first-page N]\n"
    "       typeset watch ARTICLE.md [-o OUT.pdf] [--png DIR] [--style S] [--max-rebuilds N]\n"
    "       typeset issue ISSUE.yaml -o OUTDIR [-j N] [--quiet] [--plan] [--style S]\n"
    "       typeset style-keys\n"
    "       typeset --help | --version\n"
    "\n"
    "  -o, --output FILE     where the PDF goes (default: the source with .pdf)\n"
    "  -s, --style NAME      a style in the data directory's styles/, or a .yaml path\n"
    "                        (default: rjwpln)\n"
    "      --first-page N    folio of the first page (default: front matter, else 1)\n"
    "      --strict          treat every warning as an error (production runs)\n"
    "      --report FILE     write the line report (ratios, hyphens, overfull/underfull) as JSON\n"
    "      --bleed MM        extend the page by MM on every side (BleedBox = trim + MM)\n"
    "      --marks           crop marks outside the bleed (the MediaBox grows by 10 mm)\n"
    "      --frames          draw the layout frames over every page (trim, margins,\n"
    "                        text block, baseline grid, line boxes by adjustment ratio)\n"
    "  typeset preview --help and typeset watch --help describe those commands.\n"
    "\n"
    "Environment: TYPESET_DATADIR (styles/ and fonts/), SOURCE_DATE_EPOCH (PDF dates),\n"
    "  TYPESET_PAINTER=cairo (paint PDFs with Cairo instead of typeset's own writer).\n";

static int has_data(const char *dir)
{
    char *p = g_build_filename(dir, "fonts", "fonts.conf", NULL);
    int ok = access(p, R_OK) == 0;
    g_free(p);
    return ok;
}

/* The data directory: $TYPESET_DATADIR, else the source tree the binary was
 * built in (build/typeset -> ..), else PREFIX/share/typeset beside bin/. */
static char *find_datadir(void)
{
    const char *env = getenv("TYPESET_DATADIR");
    if (env && *env)
        return g_strdup(env);
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (exe) {
        char *bindir = g_path_get_dirname(exe);
        char *cands[2] = {g_build_filename(bindir, "..", NULL),
                          g_build_filename(bindir, "..", "share", "typeset", NULL)};
        g_free(bindir);
        g_free(exe);
        for (int i = 0; i < 2; i++)
            if (has_data(cands[i])) {
                g_free(cands[1 - i]);
                return cands[i];
            }
        g_free(cands[0]);
        g_free(cands[1]);
    }
    return g_strdup(".");
}

void print_diags(const DiagList *dl)
{
    char buf[1400];
    for (int i = 0; i < dl->n; i++) {
        diag_format(&dl->v[i], buf, sizeof buf);
        fprintf(stderr, "%s\n", buf);
    }
    if (dl->n < dl->errors + dl->warnings)
        fprintf(stderr, "typeset: %d more diagnostics not shown\n", dl->errors + dl->warnings - dl->n);
}

long long source_date_epoch(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return -1;
    char *end;
    long long v = strtoll(s, &end, 10);
    return (*end || v < 0) ? -1 : v;
}

enum { OPT_FIRST = 256, OPT_STRICT, OPT_HELP, OPT_VERSION, OPT_REPORT, OPT_BLEED, OPT_MARKS, OPT_FRAMES };
static const struct option opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"style", required_argument, NULL, 's'},
    {"first-page", required_argument, NULL, OPT_FIRST},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"report", required_argument, NULL, OPT_REPORT},
    {"bleed", required_argument, NULL, OPT_BLEED},
    {"marks", no_argument, NULL, OPT_MARKS},
    {"frames", no_argument, NULL, OPT_FRAMES},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Applies one option; returns -1 to go on, or the exit status to stop with. */
static int take_option(int c, BuildOptions *bo)
{
    switch (c) {
    case 'o': bo->output = optarg; return -1;
    case 's': bo->style = optarg; return -1;
    case OPT_FIRST: {
        char *end;
        long v = strtol(optarg, &end, 10);
        if (*end || v < 1 || v > 1000000) {
            fprintf(stderr, "typeset: --first-page wants a positive number, not '%s'\n", optarg);
            return 2;
        }
        bo->first_page = (int)v;
        return -1;
    }
    case OPT_STRICT: bo->strict = 1; return -1;
    case OPT_REPORT: bo->report = optarg; return -1;
    case OPT_MARKS: bo->marks = 1; return -1;
    case OPT_BLEED: {
        char *end;
        double v = strtod(optarg, &end);
        if (*end || !(v >= 0 && v <= 50)) {
            fprintf(stderr, "typeset: --bleed wants millimetres from 0 to 50, not '%s'\n", optarg);
            return 2;
        }
        bo->bleed_mm = v;
        return -1;
    }
    case OPT_FRAMES: bo->frames = 1; return -1;
    case 'h': case OPT_HELP: fputs(usage, stdout); return 0;
    case 'V': case OPT_VERSION: printf("typeset %s\n", TS_VERSION); return 0;
    default: fputs(usage, stderr); return 2;
    }
}

/* Commands with their own option parsing live in their own files; each takes
 * the arguments after the command name (argv[0] = the command) and returns the
 * exit status.  See commands.h. */
static const struct {
    const char *name;
    int (*run)(int argc, char **argv, const char *datadir);
} commands[] = {
    {"preview", cmd_preview},
    {"watch", cmd_watch},
    {"issue", cmd_issue},
    {NULL, NULL},
};

/* glibc's malloc returns large freed blocks to the kernel at once and maps
 * them again on the next request: in an issue build the kernel's page faults
 * and page zeroing were 8 % of the profile.  A run is short-lived, so freed
 * memory is kept for reuse: no mmap below 32 MiB (glibc's ceiling for this
 * setting), no trimming below 256 MiB, the heap grown 16 MiB at a time.
 * Measured on the benchmark issue: about 9 % less wall time at -j 1, the same
 * peak RSS, the same bytes out.  Ignored under the sanitizers and valgrind,
 * which bring their own allocator. */
static void tune_malloc(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
}

int main(int argc, char **argv)
{
    tune_malloc();
    if (argc >= 2)
        for (size_t i = 0; commands[i].name; i++)
            if (strcmp(argv[1], commands[i].name) == 0) {
                char *datadir = find_datadir();
                output_install_signal_cleanup();
                int rc = commands[i].run(argc - 1, argv + 1, datadir);
                g_free(datadir);
                fontlib_shutdown();
                return rc;
            }
    BuildOptions bo = {.epoch = source_date_epoch()};
    int c;
    while ((c = getopt_long(argc, argv, "+o:s:hV", opts, NULL)) != -1) {
        int r = take_option(c, &bo);
        if (r >= 0)
            return r;
    }
    if (optind >= argc) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[optind++];
    /* options may also follow the command and its argument */
    const char *input = NULL;
    while (optind < argc) {
        c = getopt_long(argc, argv, "+o:s:hV", opts, NULL);
        if (c == -1) {
            if (input) {
                fprintf(stderr, "typeset: unexpected argument '%s'\n", argv[optind]);
                return 2;
            }
            input = argv[optind++];
            continue;
        }
        int r = take_option(c, &bo);
        if (r >= 0)
            return r;
    }
    char *datadir = find_datadir();
    bo.datadir = datadir;
    DiagList dl;
    diag_list_init(&dl);
    int rc;
    output_install_signal_cleanup();
    if (strcmp(cmd, "build") == 0 || strcmp(cmd, "check") == 0) {
        if (!input) {
            fprintf(stderr, "typeset: %s needs an ARTICLE.md\n%s", cmd, usage);
            g_free(datadir);
            return 2;
        }
        bo.input = input;
        bo.check_only = strcmp(cmd, "check") == 0;
        rc = build_article(&bo, &dl) == 0 ? 0 : 1;
        if (bo.strict) {
            /* what failed the build says so: each warning is printed as the
             * error --strict made it */
            for (int i = 0; i < dl.n; i++)
                if (dl.v[i].sev == DIAG_WARNING)
                    dl.v[i].sev = DIAG_ERROR;
            dl.errors += dl.warnings;
            dl.warnings = 0;
        }
    } else if ((strcmp(cmd, "fonts") == 0 || strcmp(cmd, "style-keys") == 0) && input) {
        fprintf(stderr, "typeset: %s takes no file: unexpected argument '%s'\n", cmd, input);
        rc = 2;
    } else if (strcmp(cmd, "fonts") == 0) {
        rc = build_list_fonts(datadir, bo.style, &dl) == 0 ? 0 : 1;
    } else if (strcmp(cmd, "style-keys") == 0) {
        style_print_keys(stdout);
        rc = 0;
    } else {
        fprintf(stderr, "typeset: unknown command '%s'\n%s", cmd, usage);
        rc = 2;
    }
    print_diags(&dl);
    diag_list_fini(&dl);
    g_free(datadir);
    fontlib_shutdown();
    return rc;
}
