/* test_pdfw.c — the PDF object writer (typeset/pdfw.h): number, name and
 * string syntax, streams, and a whole file that qpdf and the readers of
 * pdfscan.h accept, with objects written out of order. */
#include "check.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <zlib.h>

#include "../../typeset/pdfscan.h"
#include "../../typeset/pdfw.h"

static char *num(double v, int decimals)
{
    GString *g = g_string_new(NULL);
    pdfw_num(g, v, decimals);
    return g_string_free(g, FALSE);
}

#define NUM(v, d, want) do { char *s_ = num(v, d); CHECK_STR(s_, want, "%g at %d decimals is %s", (double)(v), d, want); g_free(s_); } while (0)

static void syntax(void)
{
    NUM(0, 3, "0");
    NUM(-0.0001, 3, "0");
    NUM(1.5, 3, "1.5");
    NUM(-2.25, 3, "-2.25");
    NUM(680.314961, 3, "680.315");
    NUM(12.0004, 3, "12");
    NUM(0.0996, 2, "0.1");
    NUM(123456789, 0, "123456789");
    NUM(-7.5, 0, "-8");     /* llround: half away from zero */
    NUM(1.234567891, 9, "1.234568");   /* decimals clamp to 6 */
    NUM(NAN, 3, "0");
    NUM(1e300, 3, "0");

    GString *g = g_string_new(NULL);
    pdfw_int(g, -9223372036854775807LL - 1);
    CHECK_STR(g->str, "-9223372036854775808", "the smallest integer");
    g_string_truncate(g, 0);
    pdfw_name(g, "A b#(c)/\xc3\xa9");
    CHECK_STR(g->str, "/A#20b#23#28c#29#2F#C3#A9", "a name's delimiters, space and bytes escaped");
    g_string_truncate(g, 0);
    pdfw_bytes(g, "a(b)c\\\r\n\x01\xff", 10);
    CHECK_STR(g->str, "(a\\(b\\)c\\\\\\015\\012\\001\\377)", "a byte string's escapes");
    g_string_truncate(g, 0);
    pdfw_text(g, "Привет");
    CHECK(g_str_has_prefix(g->str, "<FEFF041F"), "a non-ASCII text string in UTF-16BE (%s)", g->str);
    g_string_free(g, TRUE);
}

/* A one-page file written with objects out of order and a deflated stream:
 * pdfscan reads its xref and objects, qpdf checks it, zlib inflates the
 * stream back. */
static void file(void)
{
    PdfW w;
    pdfw_init(&w);
    int cat = pdfw_reserve(&w), pages = pdfw_reserve(&w), page = pdfw_reserve(&w),
        cs = pdfw_reserve(&w);
    const char *ops = "0 0 1 rg 10 10 80 80 re f\n";
    CHECK(pdfw_stream(&w, cs, NULL, ops, strlen(ops), PDFW_FAST) == 0, "a deflated stream");
    GString *g = pdfw_begin(&w, page);
    g_string_append_printf(g, "<< /Type /Page /Parent %d 0 R /MediaBox [0 0 100 100] /Contents %d 0 R >>",
                           pages, cs);
    pdfw_end(&w);
    g = pdfw_begin(&w, pages);
    g_string_append_printf(g, "<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page);
    pdfw_end(&w);
    g = pdfw_begin(&w, cat);
    g_string_append_printf(g, "<< /Type /Catalog /Pages %d 0 R >>", pages);
    pdfw_end(&w);
    size_t len = 0;
    unsigned char *pdf = pdfw_finish(&w, cat, 0, 0, &len);
    pdfw_fini(&w);
    PsDoc d = {0};
    CHECK(ps_doc_read(&d, pdf, len) == 0 && d.root == cat && d.size == 5, "pdfscan reads the xref");
    const char *v0, *v1, *s0, *end;
    size_t slen = 0;
    if (ps_object(&d, cs, &v0, &v1, &s0, &slen, &end) == 0 && s0) {
        unsigned char back[256];
        uLongf n = sizeof back;
        CHECK(uncompress(back, &n, (const Bytef *)s0, (uLong)slen) == Z_OK && n == strlen(ops) &&
                  memcmp(back, ops, n) == 0, "the stream inflates to what was written");
    } else {
        CHECK(0, "the content stream is found");
    }
    ps_doc_fini(&d);
    char *dir = g_dir_make_tmp("test-pdfw-XXXXXX", NULL);
    char *path = g_build_filename(dir, "w.pdf", NULL);
    CHECK(g_file_set_contents(path, (const char *)pdf, (gssize)len, NULL), "written to %s", path);
    char *cmd = g_strdup_printf("qpdf --check '%s'", path), *out = NULL;
    int status = -1;
    g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL);
    CHECK(status == 0 && out && strstr(out, "No syntax or stream encoding errors"),
          "qpdf --check passes");
    g_free(out);
    g_free(cmd);
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
    g_free(pdf);
}

int main(void)
{
    syntax();
    file();
    return check_finish();
}
