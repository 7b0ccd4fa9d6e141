/* pdfimage.h — figures in a PDF the painter writes itself (pdfpaint.h):
 * a PNG or JPEG file becomes an image XObject.  JPEG bytes are embedded as
 * they are (DCTDecode, never re-encoded); PNG pixels are decoded (by Cairo's
 * PNG reader) and embedded losslessly (FlateDecode), with an /SMask when
 * the image has transparency.  SVG is not handled here: the painter leaves
 * a document with SVG figures to Cairo. */
#ifndef TS_PDFIMAGE_H
#define TS_PDFIMAGE_H

#include "pdfw.h"

enum {
    PDFIMAGE_UNREADABLE = -1,   /* missing, truncated, not an image: the painter draws a frame */
    PDFIMAGE_UNSUPPORTED = -2,  /* SVG: the document is left to Cairo */
};

/* Whether the file at path is an image this module embeds: a PNG of a
 * size it decodes, a JPEG whose header it takes (complete, 8-bit samples,
 * baseline or progressive, 1, 3 or 4 components): 1; else 0 (SVG, a JPEG
 * cut short or of 12-bit samples, anything else, unreadable), and the
 * painter leaves the document to Cairo, which draws what it drew before
 * (the JPEG's bytes passed through, a frame for a PNG it cannot read). */
int pdfimage_supported(const char *path);

/* Writes the image at path as an XObject with w; returns its object number,
 * or PDFIMAGE_UNREADABLE / PDFIMAGE_UNSUPPORTED (nothing written). */
int pdfimage_write(PdfW *w, const char *path);

#endif
