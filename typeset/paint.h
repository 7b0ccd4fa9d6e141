/* paint.h — the painters.  Both read a LayResult: the PDF painter writes it
 * into memory (tags, links, destinations, outline, page labels, metadata),
 * with typeset's own PDF writer (pdfpaint.h) or, for what that declines,
 * Cairo's PDF surface; the PNG painter draws it into image surfaces with
 * Cairo.  One Cairo page-drawing routine serves the preview, the frames
 * overlay and Cairo's PDF; the own writer is checked against it page by
 * page (tests/e2e/painter.sh). */
#ifndef TS_PAINT_H
#define TS_PAINT_H

#include <cairo.h>
#include "../layout/layout.h"

typedef struct PaintMeta {
    const char *title, *author, *subject, *keywords, *creator;
    const char *date_iso;   /* "2024-01-01T00:00:00Z" */
    const char *lang;       /* the catalog's /Lang when the PDF is final; NULL: none */
} PaintMeta;

typedef struct PaintOptions {
    double width, height;   /* trim size, pt */
    int tagged;             /* structure tags, links and destinations (PDF) */
    double bleed;           /* pt added on every side of the trim (PDF) */
    double marks;           /* pt of media beyond the bleed, with crop marks (PDF) */
    /* When set, paint_pdf calls overlay after painting each page, with the
     * page's 0-based index and overlay_data, in page coordinates (origin =
     * trim top-left) between cairo_save/cairo_restore: typeset build --frames
     * draws the layout frames this way (frames.h). */
    void (*overlay)(cairo_t *cr, int page_index, void *data);
    void *overlay_data;
    /* The Cairo fonts of the painting thread (fontlib_paint_fonts), kept from
     * one document to the next; NULL: the document makes its own (PDF). */
    struct PaintFonts *fonts;
    /* The PDF as delivered: /TrimBox and /BleedBox on every page, /Lang and
     * (with a title) /ViewerPreferences << /DisplayDocTitle true >> in the
     * catalog, the trailer's deterministic /ID -- what the post-pass
     * (pdfpost.h) adds to Cairo's output.  Our writer writes them itself and
     * sets *final_done (when given) to 1; after Cairo (0) the post-pass must. */
    int final;
    int *final_done;
} PaintOptions;

/* Scripts whose characters each fill a square cell (Han, kana, Hangul,
 * bopomofo).  A line of them stretched to the measure is drawn with the
 * glyphs as designed and the space shared out between the cells, the way
 * Chinese and Japanese text is justified (W3C clreq §3.8, jlreq §3.8),
 * rather than with every character widened; both PDF painters and the
 * preview draw them so. */
int paint_square_script(PangoScript s);

/* Draws page p at the current transformation (origin = trim top-left). */
void paint_page(cairo_t *cr, const LayPage *p, const PaintOptions *o);

/* Renders the whole result as a PDF into *out (g_malloc'd, caller g_free's):
 * with pdfpaint_pdf, unless it declines or the environment variable
 * TYPESET_PAINTER is "cairo" (for comparing the two), else with Cairo.
 * Returns 0 or -1 (message in *err). */
int paint_pdf(const LayResult *r, const PaintOptions *o, const PaintMeta *m, unsigned char **out,
              size_t *out_len, const char **err);

/* What painting r is likely to cost, in glyph-drawing units: for ordering
 * work (an issue paints its dearest articles first), not a measurement. */
double paint_cost_estimate(const LayResult *r);

#endif
