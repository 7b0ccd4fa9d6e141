/* raster.c — see raster.h. */
#include "raster.h"

#include <glib.h>
#include <math.h>
#include <stdlib.h>

#include "frames.h"
#include "paint.h"

void raster_size(double w_pt, double h_pt, double dpi, int *w_px, int *h_px)
{
    long w = lround(w_pt / 72.0 * dpi), h = lround(h_pt / 72.0 * dpi);
    *w_px = w < 1 ? 1 : (int)w;
    *h_px = h < 1 ? 1 : (int)h;
}

/* cairo's PNG stream writer appends to a GByteArray. */
static cairo_status_t png_append(void *closure, const unsigned char *data, unsigned int len)
{
    g_byte_array_append(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

int raster_encode_png(cairo_surface_t *s, unsigned char **out, size_t *out_len, const char **err)
{
    GByteArray *b = g_byte_array_new();
    cairo_status_t st = cairo_surface_write_to_png_stream(s, png_append, b);
    if (st != CAIRO_STATUS_SUCCESS) {
        g_byte_array_free(b, TRUE);
        *err = cairo_status_to_string(st);
        return -1;
    }
    *out_len = b->len;
    *out = g_byte_array_free(b, FALSE);     /* g_malloc is malloc since GLib 2.46: free() it */
    return 0;
}

int raster_page_png(const LayResult *r, int page_index, const Style *st, double dpi, int frames,
                    unsigned char **out, size_t *out_len, const char **err)
{
    int w, h;
    raster_size(st->page_width, st->page_height, dpi, &w, &h);
    /* RGB24: the page is opaque, and the PNG comes out without an alpha channel */
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, dpi / 72.0, dpi / 72.0);
    PaintOptions po = {.width = st->page_width, .height = st->page_height, .tagged = 0};
    paint_page(cr, &r->pages[page_index], &po);
    if (frames)
        frames_draw(cr, r, page_index, st);
    return raster_finish(cr, s, out, out_len, err);
}

int raster_finish(cairo_t *cr, cairo_surface_t *s, unsigned char **out, size_t *out_len,
                  const char **err)
{
    cairo_status_t cst = cairo_status(cr);
    cairo_destroy(cr);
    int rc;
    if (cst != CAIRO_STATUS_SUCCESS) {
        *err = cairo_status_to_string(cst);
        rc = -1;
    } else {
        rc = raster_encode_png(s, out, out_len, err);
    }
    cairo_surface_destroy(s);
    return rc;
}
