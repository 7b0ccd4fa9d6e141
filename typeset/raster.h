/* raster.h — pages as PNG images.  Takes a LayResult and the Style it was laid
 * out with, draws each page through paint_page (paint.h, the routine the PDF
 * uses, untagged) on a Cairo image surface and hands back PNG bytes in a
 * malloc'd buffer the caller frees.  Layout decisions are never made here:
 * a preview shows exactly the PDF's lines and pages. */
#ifndef TS_RASTER_H
#define TS_RASTER_H

#include <cairo.h>
#include <stddef.h>

#include "../layout/layout.h"
#include "style.h"

/* Bounds on a preview's resolution: below 1 dpi a page is a dot; above
 * RASTER_MAX_DPI a 240 mm page would pass Cairo's 32767-pixel limit. */
#define RASTER_MAX_DPI 1200

/* Pixel size of a trim of w_pt x h_pt at dpi: round(pt / 72 * dpi), at least
 * 1.  The page is drawn scaled by dpi / 72, so the last row or column may be
 * cut by up to half a pixel or left white. */
void raster_size(double w_pt, double h_pt, double dpi, int *w_px, int *h_px);

/* Renders page page_index (0-based, must exist) of r at dpi on white, with
 * the layout frames over it when frames is set.  On success *out (malloc'd,
 * caller frees) and *out_len hold a PNG (8-bit RGB) and 0 is returned; on a
 * Cairo failure (out of memory) -1 with a static message in *err. */
int raster_page_png(const LayResult *r, int page_index, const Style *st, double dpi, int frames,
                    unsigned char **out, size_t *out_len, const char **err);

/* Encodes an image surface as PNG into *out (malloc'd, caller frees).
 * Returns 0, or -1 with a static message in *err.  Shared with contact.c. */
int raster_encode_png(cairo_surface_t *s, unsigned char **out, size_t *out_len, const char **err);
/* Ends drawing: destroys cr, encodes s as PNG into *out (on success) and
 * destroys s.  Returns 0, or -1 with *err set. */
int raster_finish(cairo_t *cr, cairo_surface_t *s, unsigned char **out, size_t *out_len,
                  const char **err);

#endif
