/* test_pdfimage.c — figures as image XObjects (typeset/pdfimage.h): PNGs
 * (opaque, grey, half transparent) decoded and deflated, JPEGs (grey, RGB,
 * CMYK, progressive) embedded byte for byte; each drawn on a one-page PDF
 * that pdfimages lists, qpdf checks and pdftoppm renders in the expected
 * colours.  SVG, truncated, corrupt and oversized files write nothing.  The
 * images are made at run time in a temporary directory (Cairo for PNG,
 * Ghostscript for RGB and CMYK JPEG); the grey JPEG is tests/figures/photo.jpg
 * and the progressive one is below.  Run from the repository root.
 * KEEP_TMP=1 keeps the directory (its path is printed) to look at. */
#include "check.h"
#include "runcmd.h"

#include <cairo.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "../../typeset/image.h"
#include "../../typeset/pdfimage.h"

/* A 16 x 16 grey progressive JPEG (SOF2, no JFIF segment), left half 40,
 * right half 220: written by libjpeg 6.2 (libjpeg-turbo 2.1) at quality 75
 * with jpeg_simple_progression. */
static const unsigned char prog_jpeg[] = {
    0xff, 0xd8, 0xff, 0xdb, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07,
    0x07, 0x09, 0x09, 0x08, 0x0a, 0x0c, 0x14, 0x0d, 0x0c, 0x0b, 0x0b, 0x0c, 0x19, 0x12, 0x13, 0x0f,
    0x14, 0x1d, 0x1a, 0x1f, 0x1e, 0x1d, 0x1a, 0x1c, 0x1c, 0x20, 0x24, 0x2e, 0x27, 0x20, 0x22, 0x2c,
    0x23, 0x1c, 0x1c, 0x28, 0x37, 0x29, 0x2c, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1f, 0x27, 0x39, 0x3d,
    0x38, 0x32, 0x3c, 0x2e, 0x33, 0x34, 0x32, 0xff, 0xc2, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x10,
    0x01, 0x01, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x06, 0xff, 0xda, 0x00, 0x08, 0x01,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x93, 0x5a, 0x25, 0x5a, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0xff,
    0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x05, 0x02, 0x1f, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20,
    0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x06, 0x3f, 0x02, 0x1f, 0xff, 0xc4, 0x00, 0x14, 0x10,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x20, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x21, 0x1f, 0xff, 0xda, 0x00, 0x08,
    0x01, 0x01, 0x00, 0x00, 0x00, 0x10, 0x0f, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0xff, 0xda, 0x00,
    0x08, 0x01, 0x01, 0x00, 0x01, 0x3f, 0x10, 0x1f, 0xff, 0xd9,
};

static char *tmp;       /* the temporary directory */
static int have_poppler, have_qpdf, have_gs;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmp, name, NULL);
}

static void put_file(const char *name, const void *b, size_t n)
{
    char *p = tmp_path(name);
    g_file_set_contents(p, b, (gssize)n, NULL);
    g_free(p);
}

/* ---- the images ---------------------------------------------------------------- */

/* A 40 x 32 PNG of four quadrants (top left, top right, bottom left, bottom
 * right), each an RGBA colour 0..1, written by Cairo. */
static void quadrant_png(const char *name, cairo_format_t f, const double q[4][4])
{
    cairo_surface_t *s = cairo_image_surface_create(f, 40, 32);
    cairo_t *cr = cairo_create(s);
    cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
    for (int k = 0; k < 4; k++) {
        cairo_set_source_rgba(cr, q[k][0], q[k][1], q[k][2], q[k][3]);
        cairo_rectangle(cr, k % 2 * 20, k / 2 * 16, 20, 16);
        cairo_fill(cr);
    }
    cairo_destroy(cr);
    char *p = tmp_path(name);
    cairo_surface_write_to_png(s, p);
    g_free(p);
    cairo_surface_destroy(s);
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void png_chunk(GByteArray *a, const char *type, const unsigned char *data, size_t n)
{
    unsigned char h[8];
    put_be32(h, (uint32_t)n);
    memcpy(h + 4, type, 4);
    g_byte_array_append(a, h, 8);
    g_byte_array_append(a, data, (guint)n);
    uLong crc = crc32(crc32(0, (const Bytef *)type, 4), data, (uInt)n);
    put_be32(h, (uint32_t)crc);
    g_byte_array_append(a, h, 4);
}

/* A valid black 1-bit grey PNG of w x h pixels, written by hand (PNG spec
 * §5, §11.2.2): small on disk whatever its size, so the limits can be met
 * without making the test slow. */
static void bilevel_png(const char *name, uint32_t w, uint32_t h)
{
    GByteArray *a = g_byte_array_new();
    g_byte_array_append(a, (const guint8 *)"\x89PNG\r\n\x1a\n", 8);
    unsigned char ihdr[13] = {0};
    put_be32(ihdr, w);
    put_be32(ihdr + 4, h);
    ihdr[8] = 1;        /* bit depth; colour type 0 (grey), no interlace */
    png_chunk(a, "IHDR", ihdr, 13);
    size_t row = 1 + (w + 7) / 8, raw_n = row * h;   /* filter byte 0, then zeros */
    unsigned char *raw = g_malloc0(raw_n);
    uLongf zn = compressBound((uLong)raw_n);
    unsigned char *z = g_malloc(zn);
    compress2(z, &zn, raw, (uLong)raw_n, 9);
    png_chunk(a, "IDAT", z, zn);
    png_chunk(a, "IEND", (const unsigned char *)"", 0);   /* crc32 of NULL is its seed */
    put_file(name, a->data, a->len);
    g_free(raw);
    g_free(z);
    g_byte_array_free(a, TRUE);
}

/* A JPEG of 40 x 32 pixels by Ghostscript's device dev (jpeg, jpegcmyk)
 * painting the PostScript ps. */
static int gs_jpeg(const char *name, const char *dev, const char *ps)
{
    char *p = tmp_path(name);
    char *cmd = g_strdup_printf("gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=%s -dJPEGQ=95 "
                                "-g40x32 -r72 -sOutputFile=%s -c \"%s showpage\"",
                                dev, p, ps);
    char *out = run(cmd);
    int ok = out && g_file_test(p, G_FILE_TEST_EXISTS);
    g_free(out);
    g_free(cmd);
    g_free(p);
    return ok;
}

/* A copy of the file at src, cut to its first `keep` bytes (all when
 * keep = 0) and with bytes changed: n_patch (offset, value) pairs, the
 * offset counted from the first occurrence of `at` (or the start). */
static void variant(const char *src, const char *name, size_t keep, const char *at, size_t at_len,
                    int n_patch, const int *patch)
{
    gchar *b = NULL;
    gsize n = 0;
    if (!g_file_get_contents(src, &b, &n, NULL))
        return;
    size_t base = 0;
    if (at) {
        const char *f = memmem(b, n, at, at_len);
        base = f ? (size_t)(f - b) : 0;
    }
    for (int k = 0; k < n_patch; k++)
        if (base + (size_t)patch[2 * k] < n)
            b[base + (size_t)patch[2 * k]] = (char)patch[2 * k + 1];
    put_file(name, b, keep && keep < n ? keep : n);
    g_free(b);
}

/* ---- the page ------------------------------------------------------------------ */

/* Finishes w as a one-page PDF, 120 x 100 pt, that draws object im as /Im0
 * in the rectangle (10, 10) 100 x 80; g_free'd by the caller. */
static unsigned char *page_pdf(PdfW *w, int im, size_t *len)
{
    int cat = pdfw_reserve(w), pages = pdfw_reserve(w), page = pdfw_reserve(w);
    int content = pdfw_reserve(w);
    static const char ops[] = "q 100 0 0 80 10 10 cm /Im0 Do Q";
    pdfw_stream(w, content, NULL, ops, strlen(ops), PDFW_RAW);
    GString *g = pdfw_begin(w, page);
    g_string_append(g, "<< /Type /Page /Parent ");
    pdfw_ref(g, pages);
    g_string_append(g, " /MediaBox [0 0 120 100] /Resources << /XObject << /Im0 ");
    pdfw_ref(g, im);
    g_string_append(g, " >> >> /Contents ");
    pdfw_ref(g, content);
    g_string_append(g, " >>");
    pdfw_end(w);
    g = pdfw_begin(w, pages);
    g_string_append(g, "<< /Type /Pages /Kids [");
    pdfw_ref(g, page);
    g_string_append(g, "] /Count 1 >>");
    pdfw_end(w);
    g = pdfw_begin(w, cat);
    g_string_append(g, "<< /Type /Catalog /Pages ");
    pdfw_ref(g, pages);
    g_string_append(g, " >>");
    pdfw_end(w);
    return pdfw_finish(w, cat, 0, 0, len);
}

/* The image at path (in the temporary directory, or else as given) on a
 * page: the PDF's bytes (g_free'd by the caller), NULL when pdfimage_write
 * refused it. */
static unsigned char *image_page(const char *path, size_t *len)
{
    char *p = g_path_is_absolute(path) || g_file_test(path, G_FILE_TEST_EXISTS) ? g_strdup(path)
                                                                               : tmp_path(path);
    PdfW w;
    pdfw_init(&w);
    int im = pdfimage_write(&w, p);
    g_free(p);
    unsigned char *pdf = NULL;
    if (im > 0)
        pdf = page_pdf(&w, im, len);
    pdfw_fini(&w);
    return pdf;
}

/* A colour expected on the rendered page (72 dpi: a pixel a point, y down):
 * the image covers x 10..110, y 10..90. */
typedef struct {
    int x, y;
    int r, g, b;
} Probe;

/* The four quadrants' centres */
#define TL 35, 30
#define TR 85, 30
#define BL 35, 70
#define BR 85, 70

/* A row of `pdfimages -list`. */
typedef struct {
    char type[16], color[16], enc[16], interp[8];
    int w, h;
} ListRow;

static int list_rows(const char *pdf_path, ListRow *rows, int max)
{
    char *cmd = g_strdup_printf("pdfimages -list %s", pdf_path);
    char *out = run(cmd);
    g_free(cmd);
    int n = 0;
    char **lines = g_strsplit(out ? out : "", "\n", -1);
    for (int k = 2; lines[k] && n < max; k++) {   /* past the heading and the rule */
        ListRow *r = &rows[n];
        int page, num, comp, bpc;
        if (sscanf(lines[k], "%d %d %15s %d %d %15s %d %d %15s %7s", &page, &num, r->type, &r->w,
                   &r->h, r->color, &comp, &bpc, r->enc, r->interp) == 10)
            n++;
    }
    g_strfreev(lines);
    g_free(out);
    return out ? n : -1;
}

/* Checks the image file `name` drawn on a page: pdfimages lists one image
 * of w x h in colour space `color` (gray, rgb, cmyk) encoded as `enc` (image
 * for Flate, jpeg) and interpolated, and with a grey smask when `smask`;
 * qpdf finds nothing wrong; pdftoppm renders each probe within tol of its
 * colour and the page white outside the image.  Returns the PDF (g_free'd by
 * the caller) or NULL. */
static unsigned char *check_image(const char *name, int w, int h, const char *color,
                                  const char *enc, int smask, const Probe *pr, int n_pr, int tol,
                                  size_t *len)
{
    unsigned char *pdf = image_page(name, len);
    CHECK(pdf != NULL, "%s: written", name);
    if (!pdf)
        return NULL;
    char *base = g_path_get_basename(name);
    char *pdf_name = g_strconcat(base, ".pdf", NULL);
    char *pdf_path = tmp_path(pdf_name);
    g_file_set_contents(pdf_path, (const char *)pdf, (gssize)*len, NULL);
    if (have_poppler) {
        ListRow rows[4];
        int n = list_rows(pdf_path, rows, 4);
        CHECK(n == 1 + smask && strcmp(rows[0].type, "image") == 0 && rows[0].w == w &&
                  rows[0].h == h && strcmp(rows[0].color, color) == 0 &&
                  strcmp(rows[0].enc, enc) == 0 && strcmp(rows[0].interp, "yes") == 0,
              "%s: pdfimages lists %d image(s), the first %s %dx%d %s %s interpolated %s", name,
              n, n > 0 ? rows[0].type : "-", n > 0 ? rows[0].w : 0, n > 0 ? rows[0].h : 0,
              n > 0 ? rows[0].color : "-", n > 0 ? rows[0].enc : "-", n > 0 ? rows[0].interp : "-");
        if (smask)
            CHECK(n == 2 && strcmp(rows[1].type, "smask") == 0 && rows[1].w == w &&
                      rows[1].h == h && strcmp(rows[1].color, "gray") == 0,
                  "%s: and its grey soft mask", name);

        char *png_path = g_strconcat(pdf_path, ".render", NULL);
        char *cmd = g_strdup_printf("pdftoppm -r 72 -png -singlefile %s %s", pdf_path, png_path);
        char *out = run(cmd);
        char *png = g_strconcat(png_path, ".png", NULL);
        cairo_surface_t *s = cairo_image_surface_create_from_png(png);
        int ok = out && cairo_surface_status(s) == CAIRO_STATUS_SUCCESS &&
                 cairo_image_surface_get_width(s) == 120 &&
                 cairo_image_surface_get_height(s) == 100;
        CHECK(ok, "%s: pdftoppm renders the page, 120x100 pixels", name);
        if (ok) {
            const unsigned char *d = cairo_image_surface_get_data(s);
            int stride = cairo_image_surface_get_stride(s);
            Probe white[] = {{5, 5, 255, 255, 255}, {115, 95, 255, 255, 255}};
            for (int k = 0; k < n_pr + 2; k++) {
                const Probe *p = k < n_pr ? &pr[k] : &white[k - n_pr];
                uint32_t v = *(const uint32_t *)(const void *)(d + p->y * stride + 4 * p->x);
                int r = (int)(v >> 16 & 255), g = (int)(v >> 8 & 255), b = (int)(v & 255);
                int t = k < n_pr ? tol : 0;
                CHECK(abs(r - p->r) <= t && abs(g - p->g) <= t && abs(b - p->b) <= t,
                      "%s: pixel (%d, %d) is %d %d %d, expected %d %d %d (within %d)", name, p->x,
                      p->y, r, g, b, p->r, p->g, p->b, t);
            }
        }
        cairo_surface_destroy(s);
        g_free(png);
        g_free(out);
        g_free(cmd);
        g_free(png_path);
    }
    if (have_qpdf) {
        char *cmd = g_strdup_printf("qpdf --check %s", pdf_path);
        char *out = run(cmd);
        CHECK(out && strstr(out, "No syntax or stream encoding errors found"),
              "%s: qpdf --check passes", name);
        g_free(out);
        g_free(cmd);
    }
    g_free(pdf_path);
    g_free(pdf_name);
    g_free(base);
    return pdf;
}

static int contains(const unsigned char *hay, size_t n, const char *needle)
{
    return memmem(hay, n, needle, strlen(needle)) != NULL;
}

/* Whether the file's bytes appear, whole and unchanged, in the PDF. */
static int embeds_file(const unsigned char *pdf, size_t n, const char *path)
{
    gchar *b = NULL;
    gsize bn = 0;
    if (!g_file_get_contents(path, &b, &bn, NULL))
        return 0;
    int r = memmem(pdf, n, b, bn) != NULL;
    g_free(b);
    return r;
}

/* ---- what is refused -------------------------------------------------------------- */

/* pdfimage_write gives `want` for the file and writes nothing: the PdfW's
 * bytes and its object numbers are as they were. */
static void check_refused(const char *name, int want, const char *why)
{
    char *p = g_file_test(name, G_FILE_TEST_EXISTS) ? g_strdup(name) : tmp_path(name);
    PdfW w;
    pdfw_init(&w);
    size_t len = w.out->len;
    guint nums = w.off->len;
    int rc = pdfimage_write(&w, p);
    CHECK(rc == want && w.out->len == len && w.off->len == nums, "%s (%s): %d, nothing written",
          why, name, rc);
    pdfw_fini(&w);
    g_free(p);
}

/* ---- the same bytes from threads -------------------------------------------------- */

static const char *const thread_files[] = {"rgb.png", "alpha.png", "grey.png", "prog.jpg"};

/* Every file of thread_files on one PdfW, finished: its bytes. */
static gpointer write_all(gpointer len_out)
{
    PdfW w;
    pdfw_init(&w);
    int last = 0;
    for (size_t k = 0; k < G_N_ELEMENTS(thread_files); k++) {
        char *p = tmp_path(thread_files[k]);
        int im = pdfimage_write(&w, p);
        last = im > 0 ? im : last;
        g_free(p);
    }
    unsigned char *pdf = page_pdf(&w, last, len_out);
    pdfw_fini(&w);
    return pdf;
}

static void check_threads(void)
{
    size_t len0 = 0, len[4] = {0};
    unsigned char *one = write_all(&len0);
    GThread *t[4];
    for (int k = 0; k < 4; k++)
        t[k] = g_thread_new("pdfimage", write_all, &len[k]);
    int same = 1;
    for (int k = 0; k < 4; k++) {
        unsigned char *b = g_thread_join(t[k]);
        same &= len[k] == len0 && memcmp(b, one, len0) == 0;
        g_free(b);
    }
    CHECK(same && len0 > 0, "four threads at once write the same %zu bytes as one alone", len0);
    g_free(one);
}

/* ---- main ------------------------------------------------------------------------ */

static void remove_tmp(void)
{
    GDir *d = g_dir_open(tmp, 0, NULL);
    const char *e;
    while (d && (e = g_dir_read_name(d))) {
        char *p = tmp_path(e);
        g_unlink(p);
        g_free(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(tmp);
}

int main(void)
{
    tmp = g_dir_make_tmp("ts-pdfimage-XXXXXX", NULL);
    if (!tmp) {
        CHECK(0, "a temporary directory");
        return check_finish();
    }
    char *pp = g_find_program_in_path("pdftoppm"), *pi = g_find_program_in_path("pdfimages");
    char *pq = g_find_program_in_path("qpdf"), *pg = g_find_program_in_path("gs");
    have_poppler = pp && pi;
    have_qpdf = pq != NULL;
    have_gs = pg != NULL;
    g_free(pp);
    g_free(pi);
    g_free(pq);
    g_free(pg);
    if (!have_poppler)
        printf("skip: no pdftoppm/pdfimages (poppler-utils): nothing listed or rendered\n");
    if (!have_qpdf)
        printf("skip: no qpdf: the PDFs are not checked\n");
    if (!have_gs)
        printf("skip: no gs (ghostscript): no RGB or CMYK JPEG\n");

    /* the images */
    static const double rgb[4][4] = {{1, 0, 0, 1}, {0, 1, 0, 1}, {0, 0, 1, 1}, {1, 1, 0, 1}};
    static const double grey[4][4] = {
        {0.25, 0.25, 0.25, 1}, {0.8, 0.8, 0.8, 1}, {0, 0, 0, 1}, {1, 1, 1, 1}};
    /* left: blue at half alpha (premultiplied in Cairo's surface); right:
     * opaque dark green */
    static const double alpha[4][4] = {
        {0, 0, 1, 0.5}, {0, 0.6, 0, 1}, {0, 0, 1, 0.5}, {0, 0.6, 0, 1}};
    quadrant_png("rgb.png", CAIRO_FORMAT_RGB24, rgb);
    quadrant_png("grey.png", CAIRO_FORMAT_RGB24, grey);
    quadrant_png("alpha.png", CAIRO_FORMAT_ARGB32, alpha);
    put_file("prog.jpg", prog_jpeg, sizeof prog_jpeg);
    const char *photo = "tests/figures/photo.jpg";
    int gs_rgb = have_gs && gs_jpeg("rgb.jpg", "jpeg",
                                     "1 0 0 setrgbcolor 0 0 20 32 rectfill "
                                     "0 0 1 setrgbcolor 20 0 20 32 rectfill");
    int gs_cmyk = have_gs && gs_jpeg("cmyk.jpg", "jpegcmyk",
                                      "1 0 0 0 setcmykcolor 0 0 20 32 rectfill "
                                      "0 0 1 0 setcmykcolor 20 0 20 32 rectfill");
    CHECK(!have_gs || (gs_rgb && gs_cmyk), "ghostscript writes an RGB and a CMYK JPEG");

    /* kinds and JPEG headers (image.h) */
    {
        gchar *b = NULL;
        gsize n = 0;
        ImageJpeg j;
        CHECK(g_file_get_contents(photo, &b, &n, NULL) &&
                  image_kind((unsigned char *)b, n) == IMAGE_JPEG &&
                  image_jpeg_info((unsigned char *)b, n, &j) == 0 && j.width == 200 &&
                  j.height == 120 && j.sof == 0 && j.precision == 8 && j.components == 1 &&
                  !j.adobe && j.complete,
              "photo.jpg: baseline, 200x120, one component, no Adobe segment, whole");
        CHECK(image_jpeg_info((unsigned char *)b, 3000, &j) == 0 && j.width == 200 && !j.complete,
              "its first 3000 bytes (into the scan): the header is read, the file is not whole");
        g_free(b);
        CHECK(image_jpeg_info(prog_jpeg, sizeof prog_jpeg, &j) == 0 && j.sof == 2 &&
                  j.width == 16 && j.components == 1 && j.complete,
              "the progressive JPEG: SOF2, 16 wide, whole");
        CHECK(image_kind((const unsigned char *)"\x89PNG\r\n\x1a\n", 8) == IMAGE_PNG &&
                  image_kind((const unsigned char *)"<svg", 4) == IMAGE_SVG,
              "PNG by its signature; anything else is left to librsvg as SVG");
        char *p = tmp_path("cmyk.jpg");
        if (gs_cmyk && g_file_get_contents(p, &b, &n, NULL)) {
            CHECK(image_jpeg_info((unsigned char *)b, n, &j) == 0 && j.components == 4 && j.adobe &&
                      j.complete,
                  "Ghostscript's CMYK JPEG: four components, an Adobe segment");
            g_free(b);
        }
        g_free(p);
    }

    CHECK(pdfimage_supported(photo) == 1 && pdfimage_supported("tests/figures/bars.png") == 1,
          "pdfimage_supported: a JPEG and a PNG");
    CHECK(pdfimage_supported("tests/figures/diagram.svg") == 0 &&
              pdfimage_supported("tests/figures/figures.md") == 0 &&
              pdfimage_supported("tests/figures/none.png") == 0,
          "pdfimage_supported: not an SVG, a text file or a missing file");

    /* PNG */
    size_t len = 0;
    unsigned char *pdf;
    Probe rgb_pr[] = {{TL, 255, 0, 0}, {TR, 0, 255, 0}, {BL, 0, 0, 255}, {BR, 255, 255, 0}};
    pdf = check_image("rgb.png", 40, 32, "rgb", "image", 0, rgb_pr, 4, 2, &len);
    CHECK(pdf && !contains(pdf, len, "/SMask") && contains(pdf, len, "/FlateDecode"),
          "rgb.png: deflated, no soft mask");
    g_free(pdf);
    Probe grey_pr[] = {{TL, 64, 64, 64}, {TR, 204, 204, 204}, {BL, 0, 0, 0}, {BR, 255, 255, 255}};
    g_free(check_image("grey.png", 40, 32, "gray", "image", 0, grey_pr, 4, 2, &len));
    /* blue at half alpha over white: 128 128 255 (un-premultiplied: the
     * premultiplied 0 0 128 would show as 128 128 191) */
    Probe alpha_pr[] = {{TL, 128, 128, 255}, {TR, 0, 153, 0}, {BL, 128, 128, 255}, {BR, 0, 153, 0}};
    pdf = check_image("alpha.png", 40, 32, "rgb", "image", 1, alpha_pr, 4, 3, &len);
    CHECK(pdf && contains(pdf, len, "/SMask"), "alpha.png: the colour image names its /SMask");
    g_free(pdf);
    g_free(check_image("tests/figures/bars.png", 400, 240, "gray", "image", 0, NULL, 0, 0, &len));

    /* JPEG */
    pdf = check_image(photo, 200, 120, "gray", "jpeg", 0, NULL, 0, 0, &len);
    CHECK(pdf && embeds_file(pdf, len, photo) && contains(pdf, len, "/Filter /DCTDecode") &&
              !contains(pdf, len, "/FlateDecode"),
          "photo.jpg: its bytes verbatim in the PDF, DCTDecode only");
    g_free(pdf);
    Probe prog_pr[] = {
        {TL, 40, 40, 40}, {TR, 220, 220, 220}, {BL, 40, 40, 40}, {BR, 220, 220, 220}};
    pdf = check_image("prog.jpg", 16, 16, "gray", "jpeg", 0, prog_pr, 4, 6, &len);
    CHECK(pdf && memmem(pdf, len, prog_jpeg, sizeof prog_jpeg), "prog.jpg: its bytes verbatim");
    g_free(pdf);
    if (gs_rgb) {
        Probe pr[] = {{TL, 255, 0, 0}, {TR, 0, 0, 255}, {BL, 255, 0, 0}, {BR, 0, 0, 255}};
        pdf = check_image("rgb.jpg", 40, 32, "rgb", "jpeg", 0, pr, 4, 24, &len);
        char *p = tmp_path("rgb.jpg");
        CHECK(pdf && embeds_file(pdf, len, p) && !contains(pdf, len, "/Decode"),
              "rgb.jpg: its bytes verbatim, no /Decode");
        g_free(p);
        g_free(pdf);
    }
    if (gs_cmyk) {
        /* cyan and yellow as poppler 22 converts them (not the naive 0 255
         * 255, 255 255 0), far from the black that the uninverted values
         * (0 1 1 1, 1 1 0 1) give; a wide margin for other converters */
        Probe pr[] = {{TL, 0, 172, 239}, {TR, 255, 242, 0}, {BL, 0, 172, 239}, {BR, 255, 242, 0}};
        pdf = check_image("cmyk.jpg", 40, 32, "cmyk", "jpeg", 0, pr, 4, 60, &len);
        char *p = tmp_path("cmyk.jpg");
        CHECK(pdf && embeds_file(pdf, len, p) && contains(pdf, len, "/Decode [1 0 1 0 1 0 1 0]"),
              "cmyk.jpg: its bytes verbatim, inverted by /Decode (Adobe segment)");
        g_free(p);
        g_free(pdf);
    }

    /* what is refused, writing nothing */
    check_refused("tests/figures/diagram.svg", PDFIMAGE_UNSUPPORTED, "SVG");
    check_refused("tests/figures/figures.md", PDFIMAGE_UNREADABLE, "a text file");
    check_refused("none.png", PDFIMAGE_UNREADABLE, "a missing file");
    {
        char *p = tmp_path("rgb.png");
        variant(p, "cut.png", 60, NULL, 0, 0, NULL);
        g_free(p);
    }
    check_refused("cut.png", PDFIMAGE_UNREADABLE, "a truncated PNG");
    variant(photo, "cut.jpg", 3000, NULL, 0, 0, NULL);   /* in the scan, past the headers */
    check_refused("cut.jpg", PDFIMAGE_UNREADABLE, "a truncated JPEG");
    put_file("cutprog.jpg", prog_jpeg, sizeof prog_jpeg - 40);
    check_refused("cutprog.jpg", PDFIMAGE_UNREADABLE, "a truncated progressive JPEG");
    {   /* what this module refuses the painter leaves to Cairo, which drew it before */
        char *cut = tmp_path("cut.jpg"), *cutpng = tmp_path("cut.png");
        CHECK(pdfimage_supported(cut) == 0, "pdfimage_supported: not a truncated JPEG");
        CHECK(pdfimage_supported(cutpng) == 1,
              "pdfimage_supported: a truncated PNG is taken (its frame is drawn, as Cairo drew it)");
        g_free(cut);
        g_free(cutpng);
    }
    /* photo.jpg's frame header: FF C0, length 11, P, Y, X, Nf */
    static const char sof0[] = "\xff\xc0\x00\x0b";
    const int p12[] = {4, 12}, lossless[] = {1, 0xC3}, two[] = {9, 2};
    const int huge[] = {7, 30001 >> 8, 8, 30001 & 255};
    const int big[] = {5, 8200 >> 8, 6, 8200 & 255, 7, 8200 >> 8, 8, 8200 & 255};
    const int fits[] = {5, 8000 >> 8, 6, 8000 & 255, 7, 8000 >> 8, 8, 8000 & 255};
    variant(photo, "p12.jpg", 0, sof0, 4, 1, p12);
    check_refused("p12.jpg", PDFIMAGE_UNREADABLE, "12-bit samples");
    variant(photo, "lossless.jpg", 0, sof0, 4, 1, lossless);
    check_refused("lossless.jpg", PDFIMAGE_UNREADABLE, "a lossless frame (SOF3)");
    variant(photo, "two.jpg", 0, sof0, 4, 1, two);
    check_refused("two.jpg", PDFIMAGE_UNREADABLE, "two components");
    variant(photo, "wide.jpg", 0, sof0, 4, 2, huge);
    check_refused("wide.jpg", PDFIMAGE_UNREADABLE, "a JPEG 30001 pixels wide");
    variant(photo, "big.jpg", 0, sof0, 4, 4, big);
    variant(photo, "fits.jpg", 0, sof0, 4, 4, fits);
    /* a JPEG is copied, never decoded here: a large one is embedded */
    for (int i = 0; i < 2; i++) {
        char *p = tmp_path(i ? "fits.jpg" : "big.jpg");
        PdfW w;
        pdfw_init(&w);
        CHECK(pdfimage_write(&w, p) > 0, "a grey JPEG of %s is embedded",
              i ? "8000x8000 (61 MB decoded)" : "8200x8200 (64.1 MB decoded)");
        pdfw_fini(&w);
        g_free(p);
    }
    bilevel_png("small.png", 64, 48);
    bilevel_png("wide.png", 30001, 1);
    bilevel_png("big.png", 4100, 4100);
    bilevel_png("tall.png", 1, 16384);
    g_free(check_image("small.png", 64, 48, "gray", "image", 0, NULL, 0, 0, &len));
    check_refused("wide.png", PDFIMAGE_UNREADABLE, "a PNG 30001 pixels wide");
    check_refused("big.png", PDFIMAGE_UNREADABLE, "a PNG of 4100x4100 (64.1 MB decoded)");
    g_free(check_image("tall.png", 1, 16384, "gray", "image", 0, NULL, 0, 0, &len));
    {
        char *p = tmp_path("wide.png");
        cairo_surface_t *s = cairo_image_surface_create_from_png(p);
        CHECK(cairo_surface_status(s) == CAIRO_STATUS_SUCCESS,
              "(Cairo itself reads the 30001-pixel PNG: the limit is this module's)");
        cairo_surface_destroy(s);
        g_free(p);
    }

    check_threads();

    if (getenv("KEEP_TMP"))
        printf("kept %s\n", tmp);
    else
        remove_tmp();
    g_free(tmp);
    return check_finish();
}
