/* image.h — figures: probing an image file's size (PNG, JPEG, SVG) for the
 * composer, and drawing it for the painters.  JPEG data is handed to Cairo as
 * MIME data so the PDF embeds the original bytes, never re-encoded; PNG is
 * embedded losslessly; SVG is drawn as vectors through librsvg. */
#ifndef TS_IMAGE_H
#define TS_IMAGE_H

#include <cairo.h>
#include "../layout/base.h"

typedef enum { IMAGE_PNG, IMAGE_JPEG, IMAGE_SVG } ImageKind;

/* The kind of an image file's bytes b[0..n) by its first bytes: PNG and JPEG
 * by their signatures; anything else is IMAGE_SVG, which only librsvg can
 * confirm (image_probe reports what it cannot read). */
ImageKind image_kind(const unsigned char *b, size_t n);

/* What a JPEG's marker segments say (ITU T.81 Annex B). */
typedef struct ImageJpeg {
    int width, height;          /* of the first frame header (SOFn), both > 0 */
    int sof;                    /* its marker less 0xC0: 0 baseline, 1 extended, 2 progressive... */
    int precision;              /* bits per sample (8; 12 in extended and progressive frames) */
    int components;             /* colour components (0: the header too short to list them) */
    int adobe;                  /* an APP14 "Adobe" segment comes before the first scan (CMYK then
                                 * is stored inverted, as Adobe's programs write it) */
    int complete;               /* the markers and scans run on to EOI: the file is not cut short */
} ImageJpeg;

/* Reads the markers of the JPEG b[0..n) (from SOI to EOI, through the scans'
 * entropy-coded data).  Returns 0, or -1 when the data ends or goes wrong
 * before a frame header with a width and a height; what goes wrong after it
 * only leaves complete at 0. */
int image_jpeg_info(const unsigned char *b, size_t n, ImageJpeg *j);

/* Reads the image's kind and natural size (pixels at 96 dpi for PNG and JPEG,
 * the SVG's own size) in points.  Returns 0, or -1 after adding an error at
 * file:line:col ("cannot read image", "not an image", "truncated JPEG"…). */
int image_probe(const char *path, ImageKind *kind, double *w_pt, double *h_pt, const char *file,
                int line, int col, DiagList *dl);

/* Draws the image into the rectangle (x, y, w, h) in user space.  Returns 0, or
 * -1 when the file cannot be read any more (the painter draws a frame then). */
int image_draw(cairo_t *cr, const char *path, double x, double y, double w, double h);

#endif
