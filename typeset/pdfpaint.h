/* pdfpaint.h — the PDF painter of our own: writes a LayResult as PDF
 * directly (pdfw.h), with its fonts cut by HarfBuzz (pdffont.h) and its PNG
 * and JPEG figures (pdfimage.h): tagged structure with marked content,
 * running heads and folios as artifacts, links, named destinations, the
 * outline, page labels and the Info dictionary, in the shape the post-pass
 * and the issue merge read.  Cairo's PDF surface records every page and
 * replays it twice; this writes each glyph once.  What it does not write (an
 * SVG figure, a font pdffont refuses, the frames overlay) it declines, and
 * paint_pdf (paint.h) paints the document with Cairo instead. */
#ifndef TS_PDFPAINT_H
#define TS_PDFPAINT_H

#include "paint.h"

enum { PDFPAINT_DECLINED = -2 };

/* As paint_pdf: 0 with the file in *out (g_free'd by the caller; final as
 * o->final asks), -1 with a message in *err, or PDFPAINT_DECLINED (nothing
 * written: use Cairo). */
int pdfpaint_pdf(const LayResult *r, const PaintOptions *o, const PaintMeta *m, unsigned char **out,
                 size_t *out_len, const char **err);

#endif
