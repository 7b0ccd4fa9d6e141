/* test_pdfpost.c — the qpdf post-pass on real cairo output, and atomic file
 * output.  Hermetic: the PDFs are drawn with rectangles only (no fonts). */
#include <cairo-pdf.h>
#include <cairo.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <qpdf/qpdf-c.h>

#include "../../layout/base.h"
#include "../../typeset/output.h"
#include "../../typeset/pdfappend.h"
#include "../../typeset/pdfscan.h"
#include "../../typeset/pdfpost.h"
#include "check.h"
#include "minipdf.h"

#define TRIM_W 420.0
#define TRIM_H 595.0
#define BLEED 8.504          /* 3 mm */
#define EPOCH_2024 1704067200LL
#define NEAR(a, b) ((a) - (b) < 1e-3 && (b) - (a) < 1e-3)

/* ---- a cairo PDF in memory --------------------------------------------------*/
typedef struct Buf {
    unsigned char *v;
    size_t n, cap;
} Buf;

static cairo_status_t buf_write(void *closure, const unsigned char *data, unsigned int len)
{
    Buf *b = closure;
    if (b->n + len > b->cap) {
        b->cap = (b->n + len) * 2;
        b->v = xrealloc(b->v, b->cap);
    }
    memcpy(b->v + b->n, data, len);
    b->n += len;
    return CAIRO_STATUS_SUCCESS;
}

/* Two tagged pages of w x h pt, with a link (which corrupts cairo 1.16's xref
 * unless a structure tag encloses it) and fixed dates. */
static Buf make_pdf(double w, double h)
{
    Buf b = {0};
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(buf_write, &b, w, h);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "Test article");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, "2020-02-02T02:02:02Z");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, "2020-02-02T02:02:02Z");
    cairo_t *cr = cairo_create(s);
    cairo_tag_begin(cr, "Document", NULL);
    for (int page = 0; page < 2; page++) {
        cairo_tag_begin(cr, "P", NULL);
        cairo_rectangle(cr, 50, 50 + 20 * page, 100, 40);
        cairo_fill(cr);
        cairo_tag_end(cr, "P");
        cairo_tag_begin(cr, CAIRO_TAG_LINK, "uri='https://example.org/?a=b&c=d'");
        cairo_rectangle(cr, 50, 150, 80, 12);
        cairo_stroke(cr);
        cairo_tag_end(cr, CAIRO_TAG_LINK);
        cairo_show_page(cr);
    }
    cairo_tag_end(cr, "Document");
    cairo_destroy(cr);
    cairo_surface_finish(s);
    CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS, "cairo wrote the PDF (%zu bytes)", b.n);
    cairo_surface_destroy(s);
    return b;
}

/* The same PDF with every page's MediaBox moved to the root Pages node. */
static Buf inherit_media_box(const Buf *in)
{
    Buf b = {0};
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_read_memory(q, "in", (const char *)in->v, in->n, NULL);
    int n = qpdf_get_num_pages(q);
    qpdf_oh mb = 0;
    for (int i = 0; i < n; i++) {
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)i);
        mb = qpdf_oh_get_key(q, pg, "/MediaBox");
        qpdf_oh_remove_key(q, pg, "/MediaBox");
    }
    qpdf_oh pages = qpdf_oh_get_key(q, qpdf_get_root(q), "/Pages");
    qpdf_oh_replace_key(q, pages, "/MediaBox", mb);
    qpdf_init_write_memory(q);
    qpdf_write(q);
    CHECK(!qpdf_has_error(q), "moved /MediaBox to the Pages node");
    b.n = qpdf_get_buffer_length(q);
    b.v = xmalloc(b.n);
    memcpy(b.v, qpdf_get_buffer(q), b.n);
    qpdf_cleanup(&q);
    return b;
}

/* ---- inspecting the result ----------------------------------------------------*/
static int box_is(qpdf_data q, qpdf_oh page, const char *key, double llx, double lly,
                  double urx, double ury)
{
    qpdf_oh a = qpdf_oh_get_key(q, page, key);
    if (!qpdf_oh_is_array(q, a) || qpdf_oh_get_array_n_items(q, a) != 4)
        return 0;
    const double want[4] = {llx, lly, urx, ury};
    for (int i = 0; i < 4; i++)
        if (!NEAR(qpdf_oh_get_numeric_value(q, qpdf_oh_get_array_item(q, a, i)), want[i]))
            return 0;
    return 1;
}

/* Checks the boxes of every page of out for a media box of w x h at the origin. */
static void check_result(const unsigned char *out, size_t len, double w, double h,
                         double bleed, double marks, int rewritten, const char *what)
{
    qpdf_data q = qpdf_init();
    qpdf_silence_errors(q);
    qpdf_set_suppress_warnings(q, QPDF_TRUE);
    qpdf_read_memory(q, "out", (const char *)out, len, NULL);
    CHECK(!qpdf_has_error(q) && !qpdf_more_warnings(q), "%s: result parses cleanly", what);
    CHECK(qpdf_check_pdf(q) == QPDF_SUCCESS, "%s: qpdf_check_pdf is clean", what);
    int n = qpdf_get_num_pages(q);
    CHECK(n == 2, "%s: 2 pages (got %d)", what, n);
    for (int i = 0; i < n; i++) {
        qpdf_oh pg = qpdf_get_page_n(q, (size_t)i);
        double t = bleed + marks;
        CHECK(box_is(q, pg, "/TrimBox", t, t, w - t, h - t), "%s: page %d TrimBox", what, i + 1);
        CHECK(box_is(q, pg, "/BleedBox", marks, marks, w - marks, h - marks),
              "%s: page %d BleedBox", what, i + 1);
    }
    qpdf_oh root = qpdf_get_root(q);
    CHECK_STR(qpdf_oh_get_utf8_value(q, qpdf_oh_get_key(q, root, "/Lang")), "en-GB",
              "%s: /Lang", what);
    qpdf_oh vp = qpdf_oh_get_key(q, root, "/ViewerPreferences");
    CHECK(qpdf_oh_get_bool_value(q, qpdf_oh_get_key(q, vp, "/DisplayDocTitle")),
          "%s: DisplayDocTitle", what);
    CHECK_STR(qpdf_get_info_key(q, "/CreationDate"), "D:20240101000000+00'00'",
              "%s: CreationDate", what);
    CHECK_STR(qpdf_get_info_key(q, "/ModDate"), "D:20240101000000+00'00'", "%s: ModDate", what);
    CHECK_STR(qpdf_get_info_key(q, "/Producer"), "typeset 0.1.0 (cairo 1.16.0)",
              "%s: Producer", what);
    CHECK_STR(qpdf_get_info_key(q, "/Title"), "Test article", "%s: cairo's Title kept", what);
    qpdf_oh id = qpdf_oh_get_key(q, qpdf_get_trailer(q), "/ID");
    CHECK(qpdf_oh_is_array(q, id) && qpdf_oh_get_array_n_items(q, id) == 2, "%s: /ID", what);
    if (rewritten)
        CHECK(memmem(out, len, "/ObjStm", 7) != NULL, "%s: rewritten, with object streams", what);
    else
        CHECK(qpdf_oh_is_integer(q, qpdf_oh_get_key(q, qpdf_get_trailer(q), "/Prev")),
              "%s: an incremental update (the trailer has /Prev)", what);
    CHECK(!qpdf_has_error(q), "%s: no qpdf error while inspecting", what);
    qpdf_cleanup(&q);
}

static void test_pdfpost(void)
{
    const double w = TRIM_W + 2 * BLEED, h = TRIM_H + 2 * BLEED;
    Buf pdf = make_pdf(w, h);
    PdfPostOptions o = {.bleed_pt = BLEED, .epoch = EPOCH_2024, .lang = "en-GB",
                        .title = "Test article", .producer = "typeset 0.1.0 (cairo 1.16.0)"};
    DiagList dl;
    diag_list_init(&dl);

    unsigned char *out1, *out2;
    size_t n1, n2;
    int rc = pdfpost_run(pdf.v, pdf.n, &o, &out1, &n1, "a.pdf", &dl);
    CHECK(rc == 0 && dl.errors == 0 && dl.warnings == 0, "bleed 3mm: ok without diagnostics");
    check_result(out1, n1, w, h, BLEED, 0, 0, "bleed 3mm");
    CHECK(n1 > pdf.n && memcmp(out1, pdf.v, pdf.n) == 0, "appended: cairo's bytes come first, unchanged");
    /* the same through the qpdf rewrite */
    o.rewrite = 1;
    unsigned char *outq;
    size_t nq;
    rc = pdfpost_run(pdf.v, pdf.n, &o, &outq, &nq, "a.pdf", &dl);
    CHECK(rc == 0, "bleed 3mm, rewritten: ok");
    if (rc == 0)
        check_result(outq, nq, w, h, BLEED, 0, 1, "bleed 3mm, rewritten");
    free(outq);
    o.rewrite = 0;
    /* a PDF not in cairo's shape (here: already updated, its trailer has
     * /Prev, and its pages have boxes) is rewritten by qpdf instead */
    rc = pdfpost_run(out1, n1, &o, &outq, &nq, "a.pdf", &dl);
    CHECK(rc == 0, "an updated PDF again: ok");
    if (rc == 0)
        check_result(outq, nq, w, h, BLEED, 0, 1, "updated again, so rewritten");
    free(outq);
    rc = pdfpost_run(pdf.v, pdf.n, &o, &out2, &n2, "a.pdf", &dl);
    CHECK(rc == 0 && n1 == n2 && memcmp(out1, out2, n1) == 0, "deterministic: %zu bytes twice", n1);
    free(out2);

    /* a different date changes the output (and /ID) */
    o.epoch = EPOCH_2024 + 1;
    rc = pdfpost_run(pdf.v, pdf.n, &o, &out2, &n2, "a.pdf", &dl);
    CHECK(rc == 0 && (n1 != n2 || memcmp(out1, out2, n1) != 0), "another date, other bytes");
    free(out2);
    free(out1);

    /* no bleed, no marks: both boxes equal the MediaBox */
    o.epoch = EPOCH_2024;
    o.bleed_pt = 0;
    rc = pdfpost_run(pdf.v, pdf.n, &o, &out1, &n1, "b.pdf", &dl);
    CHECK(rc == 0, "no bleed: ok");
    if (rc == 0)
        check_result(out1, n1, w, h, 0, 0, 0, "no bleed");
    free(out1);

    /* bleed and crop-mark margin, MediaBox inherited from the Pages node */
    Buf inh = inherit_media_box(&pdf);
    o.bleed_pt = BLEED;
    o.marks_pt = 20;
    rc = pdfpost_run(inh.v, inh.n, &o, &out1, &n1, "c.pdf", &dl);
    CHECK(rc == 0, "inherited MediaBox with marks: ok");
    if (rc == 0)
        check_result(out1, n1, w, h, BLEED, 20, 0, "inherited+marks");
    free(out1);
    free(inh.v);
    CHECK(dl.errors == 0 && dl.warnings == 0, "no diagnostics so far (%d)", dl.n);

    /* a bleed that eats the page */
    o.marks_pt = 0;
    o.bleed_pt = w;
    rc = pdfpost_run(pdf.v, pdf.n, &o, &out1, &n1, "d.pdf", &dl);
    CHECK(rc == -1 && out1 == NULL && dl.errors == 1, "bleed larger than the page: error");
    o.bleed_pt = BLEED;

    /* garbage */
    diag_list_fini(&dl);
    diag_list_init(&dl);
    static const unsigned char junk[] = "this is not a PDF at all\n%%EOF\n";
    rc = pdfpost_run(junk, sizeof junk - 1, &o, &out1, &n1, "junk.pdf", &dl);
    CHECK(rc == -1 && out1 == NULL && n1 == 0, "garbage: -1");
    CHECK(dl.errors == 1 && dl.n == 1 && strcmp(dl.v[0].file, "junk.pdf") == 0 &&
              strstr(dl.v[0].msg, "not a PDF") != NULL,
          "garbage: one error naming the file: %s", dl.n ? dl.v[0].msg : "");
    rc = pdfpost_run(junk, 0, &o, &out1, &n1, "empty.pdf", &dl);
    CHECK(rc == -1 && dl.errors == 2, "empty input: -1 with an error");
    static const unsigned char bad[] = "%PDF-1.5\n1 0 obj << /Type /Catalog >>\nnonsense\n";
    rc = pdfpost_run(bad, sizeof bad - 1, &o, &out1, &n1, "bad.pdf", &dl);
    CHECK(rc == -1 && out1 == NULL && dl.errors == 3 && dl.n == 3 &&
              strstr(dl.v[2].msg, "PDF post-pass failed (") != NULL,
          "broken PDF: qpdf's error, warnings dropped: %s", dl.n == 3 ? dl.v[2].msg : "");
    rc = pdfpost_run(pdf.v, pdf.n / 2, &o, &out1, &n1, "half.pdf", &dl);
    CHECK(rc == -1 && out1 == NULL && dl.errors == 4, "truncated PDF: -1: %s", dl.v[dl.n - 1].msg);
    /* year 10000 */
    o.epoch = 253402300800LL;
    rc = pdfpost_run(pdf.v, pdf.n, &o, &out1, &n1, "y.pdf", &dl);
    CHECK(rc == -1 && dl.errors == 5, "epoch past 9999: %s", dl.v[dl.n - 1].msg);
    diag_list_fini(&dl);
    free(pdf.v);
}

/* ---- atomic output ------------------------------------------------------------*/
static int read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = 0;
    return (int)n;
}

/* Number of entries in dir other than . and .., and whether any looks like a
 * temporary file ("name.XXXXXX"). */
static int count_entries(const char *dir, int *temps)
{
    DIR *d = opendir(dir);
    int n = 0;
    *temps = 0;
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        const char *dot = strrchr(e->d_name, '.');
        if (dot && strlen(dot) == 7 && strcmp(dot, ".pdf") != 0)
            (*temps)++;
    }
    closedir(d);
    return n;
}

static void test_output(void)
{
    char dir[] = "/tmp/test_output.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temp dir %s", dir);
    char path[128], buf[512], missing[128], sub[128];
    snprintf(path, sizeof path, "%s/out.pdf", dir);
    DiagList dl;
    diag_list_init(&dl);
    mode_t old_mask = umask(027);

    CHECK(output_write_atomic(path, "first", 5, &dl) == 0, "write new file");
    CHECK(read_file(path, buf, sizeof buf) == 5 && strcmp(buf, "first") == 0, "content: %s", buf);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "mode 0644 & ~umask 027 = %o",
          (unsigned)(st.st_mode & 0777));
    umask(022);
    CHECK(output_write_atomic(path, "second, longer", 14, &dl) == 0, "replace existing file");
    CHECK(read_file(path, buf, sizeof buf) == 14 && strcmp(buf, "second, longer") == 0,
          "replaced content: %s", buf);
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644, "mode 0644 under umask 022");
    CHECK(output_write_atomic(path, "", 0, &dl) == 0 && read_file(path, buf, sizeof buf) == 0,
          "empty file");
    CHECK(dl.errors == 0, "no errors so far");

    snprintf(missing, sizeof missing, "%s/nope/out.pdf", dir);
    CHECK(output_write_atomic(missing, "x", 1, &dl) == -1, "missing directory: -1");
    CHECK(dl.errors == 1 && !strcmp(dl.v[0].file, missing) && dl.v[0].line == 1 &&
              dl.v[0].col == 1,
          "error at path:1:1");
    snprintf(buf, sizeof buf, "cannot write '%s': %s", missing, strerror(ENOENT));
    CHECK_STR(dl.v[0].msg, buf, "message: %s", dl.v[0].msg);
    snprintf(sub, sizeof sub, "%s/nope", dir);
    CHECK(access(sub, F_OK) == -1, "missing directory still missing");

    /* a directory in the way: rename fails, the temp file must go */
    snprintf(sub, sizeof sub, "%s/isdir", dir);
    CHECK(mkdir(sub, 0755) == 0, "made %s", sub);
    CHECK(output_write_atomic(sub, "x", 1, &dl) == -1 && dl.errors == 2, "directory as target: -1");
    int temps;
    CHECK(count_entries(dir, &temps) == 2 && temps == 0, "only out.pdf and isdir left, no temps");
    rmdir(sub);

    /* in parts (OutputFile): the old file stays until the commit, which
     * puts the parts in its place; an abort leaves it and no temp file */
    OutputFile *f = output_file_open(path, &dl);
    CHECK(f != NULL, "open in parts");
    output_file_append(f, "third", 5, 1);
    output_file_append(f, "", 0, 1);
    output_file_append(f, ", in parts", 10, 0);
    CHECK(read_file(path, buf, sizeof buf) == 0, "the old (empty) file until the commit");
    CHECK(count_entries(dir, &temps) == 2 && temps == 1, "one temp file while it is written");
    CHECK(output_file_commit(f, &dl) == 0, "commit");
    CHECK(read_file(path, buf, sizeof buf) == 15 && strcmp(buf, "third, in parts") == 0,
          "committed content: %s", buf);
    f = output_file_open(path, &dl);
    CHECK(f != NULL, "open again");
    output_file_append(f, "lost", 4, 1);
    output_file_abort(f);
    output_file_abort(NULL);
    CHECK(read_file(path, buf, sizeof buf) == 15 && strcmp(buf, "third, in parts") == 0,
          "aborted: the file as it was: %s", buf);
    CHECK(count_entries(dir, &temps) == 1 && temps == 0, "aborted: no temp file");
    CHECK(output_file_open(missing, &dl) == NULL && dl.errors == 3, "open in a missing directory");
    CHECK(count_entries(dir, &temps) == 1 && temps == 0, "and nothing left");
    /* unnamed until the commit: nothing in the directory while it is
     * written, nothing after an abort */
    f = output_file_open_unnamed(path, &dl);
    CHECK(f != NULL, "open unnamed");
    output_file_append(f, "fourth", 6, 1);
    CHECK(count_entries(dir, &temps) == 1 && temps == 0, "no name while it is written");
    CHECK(output_file_commit(f, &dl) == 0 && read_file(path, buf, sizeof buf) == 6 &&
              strcmp(buf, "fourth") == 0, "unnamed, committed: %s", buf);
    CHECK(count_entries(dir, &temps) == 1 && temps == 0, "committed: no temp file");
    f = output_file_open_unnamed(path, &dl);
    output_file_append(f, "lost", 4, 0);
    output_file_abort(f);
    CHECK(read_file(path, buf, sizeof buf) == 6 && count_entries(dir, &temps) == 1 && temps == 0,
          "unnamed, aborted: the file as it was, nothing else");
    /* a commit that cannot rename (a directory in the way) fails, and
     * leaves no temporary file */
    char in_way[160];
    snprintf(in_way, sizeof in_way, "%s/in-way", dir);
    CHECK(mkdir(in_way, 0755) == 0, "made %s", in_way);
    for (int unnamed = 0; unnamed < 2; unnamed++) {
        f = unnamed ? output_file_open_unnamed(in_way, &dl) : output_file_open(in_way, &dl);
        output_file_append(f, "x", 1, 1);
        int errs = dl.errors;
        CHECK(output_file_commit(f, &dl) == -1 && dl.errors == errs + 1,
              "commit over a directory fails (%s)", unnamed ? "unnamed" : "named");
        CHECK(count_entries(dir, &temps) == 2 && temps == 0, "and leaves no temp file");
    }
    rmdir(in_way);

    /* mkdir -p */
    snprintf(sub, sizeof sub, "%s/a//b/c/", dir);
    CHECK(output_mkdirs(sub, &dl) == 0, "mkdirs %s", sub);
    CHECK(output_mkdirs(sub, &dl) == 0, "mkdirs again");
    snprintf(sub, sizeof sub, "%s/a/b/c", dir);
    CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode), "a/b/c is a directory");
    snprintf(buf, sizeof buf, "%s/out.pdf/x", dir);
    CHECK(output_mkdirs(buf, &dl) == -1 && dl.errors == 6, "mkdirs through a file: -1");
    CHECK(strstr(dl.v[dl.n - 1].msg, "cannot create directory") != NULL, "%s", dl.v[dl.n - 1].msg);
    CHECK(output_mkdirs("", &dl) == 0 && output_mkdirs(NULL, &dl) == 0, "mkdirs of nothing");
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/a/b", dir);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/a", dir);
    rmdir(sub);

    /* a real post-passed PDF through the atomic writer */
    Buf pdf = make_pdf(200, 300);
    PdfPostOptions o = {.epoch = EPOCH_2024};
    unsigned char *out;
    size_t n;
    CHECK(pdfpost_run(pdf.v, pdf.n, &o, &out, &n, path, &dl) == 0 &&
              output_write_atomic(path, out, n, &dl) == 0,
          "post-passed PDF written");
    CHECK(stat(path, &st) == 0 && (size_t)st.st_size == n, "size %zu", n);
    free(out);
    free(pdf.v);

    CHECK(count_entries(dir, &temps) == 1 && temps == 0, "no temp files left in %s", dir);
    unlink(path);
    CHECK(rmdir(dir) == 0, "temp dir empty and removed");
    umask(old_mask);
    diag_list_fini(&dl);
}

static void test_default_path(void)
{
    static const char *const cases[][3] = {
        {"a/b.md", "pdf", "a/b.pdf"},     {"a/b.md", ".png", "a/b.png"},
        {"b.md", "pdf", "b.pdf"},         {"a/b", "pdf", "a/b.pdf"},
        {"a.d/b", "pdf", "a.d/b.pdf"},    {"a.d/.md", "pdf", "a.d/.md.pdf"},
        {"x.tar.md", "pdf", "x.tar.pdf"}, {"/abs/p.q.md", "trace", "/abs/p.q.trace"},
        {"./c.md", "pdf", "./c.pdf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *p = output_default_path(cases[i][0], cases[i][1]);
        CHECK_STR(p, cases[i][2], "default path %s + %s -> %s", cases[i][0], cases[i][1], p);
        free(p);
    }
}

/* A copy of b with the first `from` replaced by `to` (same length, so every
 * xref offset still holds); NULL when from is absent. */
static unsigned char *patched(const Buf *b, const char *from, const char *to)
{
    size_t n = strlen(from);
    unsigned char *at = memmem(b->v, b->n, from, n);
    if (!at || strlen(to) != n)
        return NULL;
    unsigned char *c = malloc(b->n);
    memcpy(c, b->v, b->n);
    memcpy(c + (at - b->v), to, n);
    return c;
}

/* The appended update reads only Cairo's shape; anything odd is left to the
 * qpdf rewrite (PDFAPPEND_UNKNOWN), never half-written. */
static void test_append_refuses(void)
{
    const double w = TRIM_W + 2 * BLEED, h = TRIM_H + 2 * BLEED;
    Buf pdf = make_pdf(w, h);
    PdfPostOptions o = {.bleed_pt = BLEED, .epoch = EPOCH_2024, .lang = "en",
                        .title = "T", .producer = "typeset"};
    DiagList dl;
    diag_list_init(&dl);
    unsigned char *out = NULL;
    size_t n = 0;
    CHECK(pdfappend_run(pdf.v, pdf.n, &o, &out, &n, "ok.pdf", &dl) == 0, "cairo's own PDF: appended");
    free(out);
    /* a /Size far beyond the objects (2^32 + 1 wrapped an array size once);
     * the trailer comes after every offset, so it may grow */
    unsigned char *sz = memmem(pdf.v, pdf.n, "/Size ", 6);
    size_t at = sz ? (size_t)(sz - pdf.v) + 6 : 0, end = at;
    while (sz && end < pdf.n && g_ascii_isdigit(pdf.v[end]))
        end++;
    GByteArray *big = g_byte_array_new();
    g_byte_array_append(big, pdf.v, (guint)at);
    g_byte_array_append(big, (const guint8 *)"4294967297", 10);
    g_byte_array_append(big, pdf.v + end, (guint)(pdf.n - end));
    CHECK(sz && pdfappend_run(big->data, big->len, &o, &out, &n, "size.pdf", &dl) ==
                    PDFAPPEND_UNKNOWN, "a huge /Size: left to qpdf");
    g_byte_array_free(big, TRUE);
    unsigned char *c;
    /* a MediaBox that is not a plain number */
    unsigned char *mb = memmem(pdf.v, pdf.n, "/MediaBox [ 0 0 ", 16);
    c = mb ? patched(&pdf, "/MediaBox [ 0 0 ", "/MediaBox [ nan ") : NULL;
    CHECK(c && pdfappend_run(c, pdf.n, &o, &out, &n, "nan.pdf", &dl) == PDFAPPEND_UNKNOWN,
          "a MediaBox of nan: left to qpdf");
    free(c);
    CHECK(dl.n == 0, "no diagnostics from refusals (%d)", dl.n);
    diag_list_fini(&dl);
    free(pdf.v);
}


/* ---- pdfscan: the reader pdfappend and the issue merge share -----------------*/

static void test_pdfscan(void)
{
    static const struct { const char *in, *out; size_t n; } strs[] = {
        {"(a\\(b\\)\\\\c\\101\\nd\\\ne)", "a(b)\\cA\nde", 10},
        {"(x(y)z)", "x(y)z", 5},
        {"<48 656c6C6f>", "Hello", 5},
        {"<414>", "A@", 2},
        {"(\\0616)", "16", 2},
        {"(\\q)", "q", 1},
    };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
        size_t n = 0;
        char *got = ps_string(strs[i].in, strs[i].in + strlen(strs[i].in), &n);
        CHECK(got && n == strs[i].n && memcmp(got, strs[i].out, n) == 0, "ps_string case %zu (got %zu bytes)",
              i, n);
        g_free(got);
    }
    const char *arr = "[ 1 (a]) /N 2 0 R [x] ]", *at = NULL, *i0, *i1;
    int items = 0, rc;
    while ((rc = ps_array_next(arr, arr + strlen(arr), &at, &i0, &i1)) > 0)
        items++;
    CHECK(rc == 0 && items == 5, "ps_array_next: five items, a ']' in a string is no end (got %d)", items);
    at = NULL;
    CHECK(ps_array_next(arr + 1, arr + strlen(arr), &at, &i0, &i1) < 0, "ps_array_next: not an array");
    const char *cut = "[ 1 (a";
    at = NULL;
    CHECK(ps_array_next(cut, cut + strlen(cut), &at, &i0, &i1) == 1 &&
              ps_array_next(cut, cut + strlen(cut), &at, &i0, &i1) < 0,
          "ps_array_next: an array cut short ends in -1");
    size_t n;
    const char *notstr = "<< /A 1 >>";
    CHECK(!ps_string(notstr, notstr + strlen(notstr), &n), "a dictionary is not a string");

    /* an update: object 1 as appended wins; an indirect /Length and a CR LF
     * after "stream" */
    const char *objs[] = {"<< /Type /Catalog /Old true >>", "<< /Length 3 0 R >>\r\nstream\r\nabcde\nendstream",
                          "5", NULL};
    size_t len;
    char *pdf = (char *)mini_pdf(objs, NULL, "<< /Type /Catalog /New true >>", &len);
    PsDoc d;
    CHECK(ps_doc_read(&d, (unsigned char *)pdf, len) == 0 && d.sections == 2 && d.size == 4 && d.root == 1,
          "two xref sections read along /Prev");
    const char *d0, *d1, *ve;
    CHECK(ps_dict(&d, 1, &d0, &d1) == 0 && ps_get(d0, d1, "/New", &ve) && !ps_get(d0, d1, "/Old", &ve),
          "the newest object 1 wins");
    const char *v0, *v1, *s0, *end;
    size_t sl = 0;
    CHECK(ps_object(&d, 2, &v0, &v1, &s0, &sl, &end) == 0 && s0 && sl == 5 && memcmp(s0, "abcde", 5) == 0,
          "a stream with an indirect /Length (got %zu bytes)", sl);
    CHECK(ps_object(&d, 4, &v0, &v1, &s0, &sl, &end) != 0 && ps_object(&d, 0, &v0, &v1, &s0, &sl, &end) != 0,
          "objects out of range are refused");
    ps_doc_fini(&d);
    g_free(pdf);

    /* a /Length that points at itself, and one longer than the file */
    const char *selfl[] = {"<< /Type /Catalog >>", "<< /Length 2 0 R >>\nstream\nabc\nendstream", NULL};
    pdf = (char *)mini_pdf(selfl, NULL, NULL, &len);
    CHECK(ps_doc_read(&d, (unsigned char *)pdf, len) == 0 && ps_object(&d, 2, &v0, &v1, &s0, &sl, &end) != 0,
          "a stream whose /Length is itself is refused");
    ps_doc_fini(&d);
    g_free(pdf);
    const char *longl[] = {"<< /Type /Catalog >>", "<< /Length 99999 >>\nstream\nabc\nendstream", NULL};
    pdf = (char *)mini_pdf(longl, NULL, NULL, &len);
    CHECK(ps_doc_read(&d, (unsigned char *)pdf, len) == 0 && ps_object(&d, 2, &v0, &v1, &s0, &sl, &end) != 0,
          "a stream longer than the file is refused");
    ps_doc_fini(&d);
    g_free(pdf);

    /* a cross-reference stream (PDF 1.5 compressed xref) is not the shape */
    const char *xs = "%PDF-1.5\n1 0 obj\n<< /Type /XRef /Size 2 /Root 1 0 R /W [1 1 1] /Length 0 >>\n"
                     "stream\n\nendstream\nendobj\nstartxref\n9\n%%EOF\n";
    CHECK(ps_doc_read(&d, (const unsigned char *)xs, strlen(xs)) != 0, "an xref stream is refused");
    ps_doc_fini(&d);
}

int main(void)
{
    test_append_refuses();
    test_pdfscan();
    test_pdfpost();
    test_output();
    test_default_path();
    return check_finish();
}
