/* image.h — figures: probing an image file's size (PNG, JPEG, SVG) for the
 * composer, and drawing it for the painters.  JPEG data is handed to Cairo as
 * MIME data so the PDF embeds the original bytes, never re-encoded; PNG is
 * embedded losslessly; SVG is drawn as vectors through librsvg. */
#ifndef TS_IMAGE_H
#define TS_IMAGE_H

#include <cairo.h>
#include "../layout/base.h"

typedef enum { IMAGE_PNG, IMAGE_JPEG, IMAGE_SVG } ImageKind;

/* Reads the image's kind and natural size (pixels at 96 dpi for PNG and JPEG,
 * the SVG's own size) in points.  Returns 0, or -1 after adding an error at
 * file:line:col ("cannot read image", "not an image", "truncated JPEG"…). */
int image_probe(const char *path, ImageKind *kind, double *w_pt, double *h_pt, const char *file,
                int line, int col, DiagList *dl);

/* Draws the image into the rectangle (x, y, w, h) in user space.  Returns 0, or
 * -1 when the file cannot be read any more (the painter draws a frame then). */
int image_draw(cairo_t *cr, const char *path, double x, double y, double w, double h);

#endif
