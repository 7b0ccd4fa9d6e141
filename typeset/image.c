/* image.c — see image.h. */
#include "image.h"

#include <glib.h>
#include "rsvgload.h"
#include <stdio.h>
#include <string.h>

#define PX_TO_PT (72.0 / 96.0)

ImageKind image_kind(const unsigned char *b, size_t n)
{
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return IMAGE_PNG;
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return IMAGE_JPEG;
    return IMAGE_SVG;
}

/* Where the entropy-coded data that starts at b[i] ends: the next marker,
 * or n.  Inside it 0xFF is followed by 0x00 (a stuffed byte), a RSTn (D0..D7)
 * or more 0xFF fill bytes; any other code is a marker (ITU T.81 §B.1.1.5). */
static size_t jpeg_scan_end(const unsigned char *b, size_t n, size_t i)
{
    for (;;) {
        const unsigned char *ff = i < n ? memchr(b + i, 0xFF, n - i) : NULL;
        if (!ff)
            return n;
        i = (size_t)(ff - b);
        if (i + 1 >= n)
            return n;
        unsigned c = b[i + 1];
        if (c == 0x00 || (c >= 0xD0 && c <= 0xD7))
            i += 2;
        else if (c == 0xFF)
            i++;
        else
            return i;
    }
}

/* The segments after SOI (ITU T.81 §B.1.1): each is 0xFF and a code (0xFF
 * fill bytes may come before it); SOI, EOI, TEM and RSTn stand alone, every
 * other has a two-byte length that counts itself, then its body; entropy-coded
 * data follows each SOS.  The frame header (SOFn, §B.2.2): length, P, Y, X,
 * Nf, then three bytes for each component.  Adobe's APP14 segment (Adobe
 * Technical Note 5116): "Adobe", version, two flag words, transform: 12 bytes
 * of body, as libjpeg requires. */
int image_jpeg_info(const unsigned char *b, size_t n, ImageJpeg *j)
{
    memset(j, 0, sizeof *j);
    int frame = 0, scanned = 0;
    size_t i = 2;
    while (i + 2 <= n) {
        if (b[i] != 0xFF)
            break;
        unsigned m = b[i + 1];
        if (m == 0xFF) {
            i++;
            continue;
        }
        if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
            i += 2;
            continue;
        }
        if (m == 0xD9) {
            j->complete = frame;
            break;
        }
        if (i + 4 > n)
            break;
        size_t len = (size_t)b[i + 2] << 8 | b[i + 3];
        if (len < 2 || i + 2 + len > n)
            break;
        const unsigned char *body = b + i + 4;
        if (!frame && m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (len < 7)
                return -1;
            j->sof = (int)m - 0xC0;
            j->precision = body[0];
            j->height = body[1] << 8 | body[2];
            j->width = body[3] << 8 | body[4];
            if (len >= 8 && len >= 8 + 3 * (size_t)body[5])
                j->components = body[5];
            if (j->width <= 0 || j->height <= 0)
                return -1;
            frame = 1;
        } else if (m == 0xEE && !scanned && len >= 14 && memcmp(body, "Adobe", 5) == 0) {
            j->adobe = 1;
        }
        i += 2 + len;
        if (m == 0xDA) {
            if (!frame)
                break;
            scanned = 1;
            i = jpeg_scan_end(b, n, i);
        }
    }
    return frame ? 0 : -1;
}

/* A library's message made fit for a one-line diagnostic, in place: line
 * breaks inside become spaces and trailing white space goes (librsvg ends its
 * XML errors with a newline). */
static const char *one_line(char *msg)
{
    if (!msg)
        return "";
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == ' ')
        msg[--n] = 0;
    return msg;
}

int image_probe(const char *path, ImageKind *kind, double *w_pt, double *h_pt, const char *file,
                int line, int col, DiagList *dl)
{
    gchar *data = NULL;
    gsize n = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &data, &n, &err)) {
        diag_add(dl, DIAG_ERROR, file, line, col, "cannot read image '%s': %s", path,
                 one_line(err->message));
        g_error_free(err);
        return -1;
    }
    const unsigned char *b = (const unsigned char *)data;
    *kind = image_kind(b, n);
    int rc = 0;
    if (*kind == IMAGE_PNG) {
        /* IHDR is the first chunk: width and height at bytes 16..23; Cairo
         * decodes the whole file so a truncated one is caught here, not when painting */
        cairo_surface_t *s = cairo_image_surface_create_from_png(path);
        if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
            diag_add(dl, DIAG_ERROR, file, line, col, "image '%s' is not a readable PNG: %s", path,
                     cairo_status_to_string(cairo_surface_status(s)));
            rc = -1;
        } else {
            *w_pt = cairo_image_surface_get_width(s) * PX_TO_PT;
            *h_pt = cairo_image_surface_get_height(s) * PX_TO_PT;
        }
        cairo_surface_destroy(s);
    } else if (*kind == IMAGE_JPEG) {
        ImageJpeg j;
        if (image_jpeg_info(b, n, &j) != 0) {
            diag_add(dl, DIAG_ERROR, file, line, col, "image '%s' is a truncated or corrupt JPEG", path);
            rc = -1;
        } else {
            *w_pt = j.width * PX_TO_PT;
            *h_pt = j.height * PX_TO_PT;
        }
    } else {
        RsvgHandle *h = rsvg_handle_new_from_data(b, n, &err);
        gdouble w = 0, hh = 0;
        if (!h || !rsvg_handle_get_intrinsic_size_in_pixels(h, &w, &hh) || w <= 0 || hh <= 0) {
            if (h) {
                /* no width/height attributes: fall back to the view box */
                RsvgRectangle vb;
                gboolean has_w, has_h, has_vb;
                RsvgLength lw, lh;
                rsvg_handle_get_intrinsic_dimensions(h, &has_w, &lw, &has_h, &lh, &has_vb, &vb);
                if (has_vb && vb.width > 0 && vb.height > 0) {
                    w = vb.width;
                    hh = vb.height;
                }
            }
        }
        if (!h || w <= 0 || hh <= 0) {
            diag_add(dl, DIAG_ERROR, file, line, col, "image '%s' is not a PNG, JPEG or SVG file%s%s",
                     path, err ? ": " : "", err ? one_line(err->message) : "");
            rc = -1;
        } else {
            *w_pt = w * PX_TO_PT;
            *h_pt = hh * PX_TO_PT;
        }
        if (err)
            g_error_free(err);
        if (h)
            g_object_unref(h);
    }
    g_free(data);
    return rc;
}

static void free_bytes(void *p)
{
    g_free(p);
}

int image_draw(cairo_t *cr, const char *path, double x, double y, double w, double h)
{
    gchar *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &data, &n, NULL))
        return -1;
    const unsigned char *b = (const unsigned char *)data;
    ImageKind k = image_kind(b, n);
    int rc = 0;
    cairo_save(cr);
    if (k == IMAGE_SVG) {
        RsvgHandle *hd = rsvg_handle_new_from_data(b, n, NULL);
        RsvgRectangle vp = {x, y, w, h};
        if (!hd || !rsvg_handle_render_document(hd, cr, &vp, NULL))
            rc = -1;
        if (hd)
            g_object_unref(hd);
        g_free(data);
    } else {
        cairo_surface_t *s;
        ImageJpeg j;
        if (k == IMAGE_PNG) {
            s = cairo_image_surface_create_from_png(path);
            g_free(data);
        } else if (image_jpeg_info(b, n, &j) == 0) {
            /* Cairo 1.16 cannot decode JPEG: a blank surface of the right size
             * carries the file as MIME data, which the PDF backend embeds as is
             * (DCTDecode).  Raster previews show it blank (see README). */
            s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, j.width, j.height);
            cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, b, n, free_bytes, data);
        } else {
            g_free(data);
            cairo_restore(cr);
            return -1;
        }
        if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
            double sw = cairo_image_surface_get_width(s), sh = cairo_image_surface_get_height(s);
            cairo_translate(cr, x, y);
            cairo_scale(cr, w / sw, h / sh);
            cairo_set_source_surface(cr, s, 0, 0);
            cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
            cairo_paint(cr);
        } else {
            rc = -1;
        }
        cairo_surface_destroy(s);
    }
    cairo_restore(cr);
    return rc;
}
