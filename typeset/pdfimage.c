/* pdfimage.c — see pdfimage.h.
 *
 * A file is read whole (g_file_get_contents) and checked before any object
 * number is reserved: pdfw_finish requires every reserved number written, so
 * everything that can fail (the JPEG's markers, the PNG's decoding, zlib)
 * happens first, and the objects are written only when nothing can fail
 * any more. */
#include "pdfimage.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "image.h"

/* The largest image embedded: neither side longer than PDFIMAGE_MAX_SIDE
 * pixels, and a PNG's decoded pixels (w * h * 4: Cairo decodes to 32-bit
 * pixels in our memory) at most PDFIMAGE_MAX_BYTES.  A JPEG is never
 * decoded here, its bytes are copied: a 24-megapixel photograph is fine.
 * What is larger is refused as unreadable. */
#define PDFIMAGE_MAX_BYTES ((uint64_t)64 << 20)
#define PDFIMAGE_MAX_SIDE 30000

/* zlib's default level, as pdfw_stream's */
#define PDFIMAGE_ZLEVEL 6

static int size_ok(uint64_t w, uint64_t h, uint64_t bytes_per_pixel)
{
    return w > 0 && h > 0 && w <= PDFIMAGE_MAX_SIDE && h <= PDFIMAGE_MAX_SIDE &&
           w * h * bytes_per_pixel <= PDFIMAGE_MAX_BYTES;
}

/* The image dictionary's keys both kinds share, for pdfw_stream's dict_extra.
 * /Interpolate: the Cairo painter draws figures with CAIRO_FILTER_GOOD,
 * which smooths an image scaled up; a viewer does so only when asked. */
static void image_dict(GString *d, int w, int h, const char *colour_space)
{
    g_string_append(d, "/Type /XObject /Subtype /Image /Width ");
    pdfw_int(d, w);
    g_string_append(d, " /Height ");
    pdfw_int(d, h);
    g_string_append(d, " /ColorSpace ");
    g_string_append(d, colour_space);
    g_string_append(d, " /BitsPerComponent 8 /Interpolate true");
}

/* ---- JPEG: the file's bytes as they are ------------------------------------------- */

/* A JPEG a PDF viewer decodes (DCTDecode is baseline and progressive JPEG,
 * 8-bit samples) whose bytes run to EOI, written as one XObject. */
/* Whether the JPEG b[0..n) is one this module embeds (its header in *j). */
static int jpeg_ok(const unsigned char *b, size_t n, ImageJpeg *j)
{
    return image_jpeg_info(b, n, j) == 0 && j->complete && j->sof <= 2 && j->precision == 8 &&
           (j->components == 1 || j->components == 3 || j->components == 4) &&
           size_ok((uint64_t)j->width, (uint64_t)j->height, 0);
}

/* Whether the PNG b[0..n) has the size this module decodes (IHDR, the
 * first chunk, PNG spec §11.2.2). */
static int png_size_ok(const unsigned char *b, size_t n)
{
    if (n < 33 || memcmp(b + 12, "IHDR", 4) != 0)
        return 0;
    uint64_t w = (uint64_t)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
    uint64_t h = (uint64_t)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
    return size_ok(w, h, 4);
}

static int write_jpeg(PdfW *w, const unsigned char *b, size_t n)
{
    ImageJpeg j;
    if (!jpeg_ok(b, n, &j))
        return PDFIMAGE_UNREADABLE;
    static const char *const spaces[] = {
        [1] = "/DeviceGray", [3] = "/DeviceRGB", [4] = "/DeviceCMYK"};
    GString *d = g_string_new(NULL);
    image_dict(d, j.width, j.height, spaces[j.components]);
    /* Adobe's programs store CMYK inverted (and write APP14); DCTDecode
     * hands the values on as stored, so without /Decode a viewer shows such
     * an image near black (poppler does: test_pdfimage).  Cairo 1.16 writes
     * no /Decode: this painter and Cairo's differ there. */
    if (j.components == 4 && j.adobe)
        g_string_append(d, " /Decode [1 0 1 0 1 0 1 0]");
    g_string_append(d, " /Filter /DCTDecode");
    int num = pdfw_reserve(w);
    pdfw_stream(w, num, d->str, b, n, PDFW_RAW);
    g_string_free(d, TRUE);
    return num;
}

/* ---- PNG: decoded by Cairo, deflated -------------------------------------------- */

/* A deflate stream fed a row at a time, so that the pixels are never held
 * twice over: the Cairo surface and the compressed planes only. */
typedef struct {
    z_stream z;
    GByteArray *out;
    int failed;
} Zbuf;

static int zbuf_init(Zbuf *zb)
{
    memset(&zb->z, 0, sizeof zb->z);
    zb->out = g_byte_array_new();
    zb->failed = deflateInit(&zb->z, PDFIMAGE_ZLEVEL) != Z_OK;
    return zb->failed ? -1 : 0;
}

/* Compresses p[0..len); finish ends the stream.  A zlib error sets failed. */
static void zbuf_put(Zbuf *zb, const unsigned char *p, size_t len, int finish)
{
    if (zb->failed)
        return;
    unsigned char chunk[16384];
    zb->z.next_in = (Bytef *)p;
    zb->z.avail_in = (uInt)len;
    for (;;) {
        zb->z.next_out = chunk;
        zb->z.avail_out = sizeof chunk;
        int rc = deflate(&zb->z, finish ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR || (rc == Z_BUF_ERROR && zb->z.avail_out == sizeof chunk)) {
            zb->failed = 1;
            return;
        }
        g_byte_array_append(zb->out, chunk, (guint)(sizeof chunk - zb->z.avail_out));
        if (finish ? rc == Z_STREAM_END : zb->z.avail_out != 0)
            return;
    }
}

static void zbuf_fini(Zbuf *zb)
{
    deflateEnd(&zb->z);
    g_byte_array_free(zb->out, TRUE);
}

/* Cairo's PNG reader reads from the bytes already in memory. */
typedef struct {
    const unsigned char *b;
    size_t n, at;
} PngSource;

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int len)
{
    PngSource *src = closure;
    if (len > src->n - src->at)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, src->b + src->at, len);
    src->at += len;
    return CAIRO_STATUS_SUCCESS;
}

/* The PNG decoded into a surface of ARGB32 or RGB24, or NULL.  The size in
 * IHDR (the first chunk, PNG spec §11.2.2) is checked before decoding, so
 * a huge image costs nothing.  Cairo 1.16's reader gives ARGB32 or RGB24;
 * any other format is painted into ARGB32 as Cairo would draw it. */
static cairo_surface_t *png_decode(const unsigned char *b, size_t n)
{
    if (!png_size_ok(b, n))
        return NULL;
    uint64_t w = (uint64_t)b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19];
    uint64_t h = (uint64_t)b[20] << 24 | b[21] << 16 | b[22] << 8 | b[23];
    PngSource src = {b, n, 0};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(png_read, &src);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS ||
        (uint64_t)cairo_image_surface_get_width(s) != w ||
        (uint64_t)cairo_image_surface_get_height(s) != h) {
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_format_t f = cairo_image_surface_get_format(s);
    if (f != CAIRO_FORMAT_ARGB32 && f != CAIRO_FORMAT_RGB24) {
        cairo_surface_t *t = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)w, (int)h);
        cairo_t *cr = cairo_create(t);
        cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
        cairo_set_source_surface(cr, s, 0, 0);
        cairo_paint(cr);
        cairo_destroy(cr);
        cairo_surface_destroy(s);
        s = t;
        if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(s);
            return NULL;
        }
    }
    cairo_surface_flush(s);
    return s;
}

/* One pixel of a Cairo surface (native-endian 0xAARRGGBB, colour
 * premultiplied by alpha in ARGB32, alpha undefined in RGB24) as
 * straight r, g, b, a.  Rounded to nearest; deterministic. */
static void pixel(uint32_t p, int has_alpha, unsigned char rgba[4])
{
    unsigned a = has_alpha ? p >> 24 : 255;
    unsigned c[3] = {(p >> 16) & 255, (p >> 8) & 255, p & 255};
    for (int k = 0; k < 3; k++) {
        unsigned v = c[k];
        if (a == 0)
            v = 0;
        else if (a < 255)
            v = MIN(255u, (v * 255 + a / 2) / a);
        rgba[k] = (unsigned char)v;
    }
    rgba[3] = (unsigned char)a;
}

/* The surface as a colour plane (grey, one byte a pixel, when every pixel
 * has r = g = b; else RGB) and an alpha plane when some pixel is not opaque,
 * each deflated into its Zbuf (alpha's left empty when not needed).
 * 0, or -1 when zlib fails. */
static int png_planes(cairo_surface_t *s, int *grey, int *has_alpha, Zbuf *colour, Zbuf *alpha)
{
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *data = cairo_image_surface_get_data(s);
    int argb = cairo_image_surface_get_format(s) == CAIRO_FORMAT_ARGB32;
    /* first pass: which planes, and how wide the colour one */
    *grey = 1;
    *has_alpha = 0;
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * stride);
        for (int x = 0; x < w; x++) {
            unsigned char px[4];
            pixel(row[x], argb, px);
            *grey &= px[0] == px[1] && px[1] == px[2];
            *has_alpha |= px[3] < 255;
        }
    }
    int ncol = *grey ? 1 : 3;
    unsigned char *crow = g_malloc((size_t)w * ncol), *arow = g_malloc((size_t)w);
    for (int y = 0; y < h; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * stride);
        for (int x = 0; x < w; x++) {
            unsigned char px[4];
            pixel(row[x], argb, px);
            memcpy(crow + (size_t)x * ncol, px, (size_t)ncol);
            arow[x] = px[3];
        }
        zbuf_put(colour, crow, (size_t)w * ncol, y == h - 1);
        if (*has_alpha)
            zbuf_put(alpha, arow, (size_t)w, y == h - 1);
    }
    g_free(crow);
    g_free(arow);
    return colour->failed || alpha->failed ? -1 : 0;
}

/* The PNG as an image XObject, with its alpha as a second one (/SMask)
 * when some pixel is not opaque. */
static int write_png(PdfW *w, const unsigned char *b, size_t n)
{
    cairo_surface_t *s = png_decode(b, n);
    if (!s)
        return PDFIMAGE_UNREADABLE;
    int iw = cairo_image_surface_get_width(s), ih = cairo_image_surface_get_height(s);
    Zbuf colour, alpha;
    int grey = 0, has_alpha = 0, rc = PDFIMAGE_UNREADABLE;
    int zok = zbuf_init(&colour) == 0;
    zok &= zbuf_init(&alpha) == 0;
    if (zok && png_planes(s, &grey, &has_alpha, &colour, &alpha) == 0) {
        int num = pdfw_reserve(w), smask = has_alpha ? pdfw_reserve(w) : 0;
        GString *d = g_string_new(NULL);
        image_dict(d, iw, ih, grey ? "/DeviceGray" : "/DeviceRGB");
        if (smask) {
            g_string_append(d, " /SMask ");
            pdfw_ref(d, smask);
        }
        g_string_append(d, " /Filter /FlateDecode");
        pdfw_stream(w, num, d->str, colour.out->data, colour.out->len, PDFW_RAW);
        if (smask) {
            g_string_truncate(d, 0);
            image_dict(d, iw, ih, "/DeviceGray");
            g_string_append(d, " /Filter /FlateDecode");
            pdfw_stream(w, smask, d->str, alpha.out->data, alpha.out->len, PDFW_RAW);
        }
        g_string_free(d, TRUE);
        rc = num;
    }
    zbuf_fini(&colour);
    zbuf_fini(&alpha);
    cairo_surface_destroy(s);
    return rc;
}

/* ---- the two entry points ---------------------------------------------------------- */

/* Whether bytes image_kind calls IMAGE_SVG look like SVG: gzip data (an
 * .svgz, which librsvg opens) or text with an "<svg" start tag.  Good enough:
 * a text file taken for SVG is left to the Cairo painter, which draws the
 * frame for it that this module's caller would have drawn. */
static int looks_svg(const unsigned char *b, size_t n)
{
    if (n >= 2 && b[0] == 0x1F && b[1] == 0x8B)
        return 1;
    return n >= 4 && memmem(b, n, "<svg", 4) != NULL;
}

/* Only the first bytes are read: the kind is all this tells. */
int pdfimage_supported(const char *path)
{
    gchar *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &data, &n, NULL))
        return 0;
    const unsigned char *b = (const unsigned char *)data;
    ImageJpeg j;
    int ok = 0;
    switch (image_kind(b, n)) {
    case IMAGE_JPEG:
        ok = jpeg_ok(b, n, &j);
        break;
    case IMAGE_PNG:
        ok = png_size_ok(b, n);
        break;
    default:
        break;
    }
    g_free(data);
    return ok;
}

int pdfimage_write(PdfW *w, const char *path)
{
    gchar *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &data, &n, NULL))
        return PDFIMAGE_UNREADABLE;
    const unsigned char *b = (const unsigned char *)data;
    int rc;
    switch (image_kind(b, n)) {
    case IMAGE_JPEG:
        rc = write_jpeg(w, b, n);
        break;
    case IMAGE_PNG:
        rc = write_png(w, b, n);
        break;
    default:
        rc = looks_svg(b, n) ? PDFIMAGE_UNSUPPORTED : PDFIMAGE_UNREADABLE;
        break;
    }
    g_free(data);
    return rc;
}
