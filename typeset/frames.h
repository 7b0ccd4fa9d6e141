/* frames.h — the layout overlay (`--frames`): draws, over a painted page, the
 * geometry the layout worked with, so a designer can see why a line or page
 * came out as it did.  Takes a LayResult and the Style it was laid out with;
 * draws with Cairo on whatever surface it is given (PNG preview or PDF) and
 * allocates nothing that outlives the call.
 *
 * What is drawn, in page coordinates (pt, origin = trim top-left):
 *   - the trim box (magenta), inset by half its line width so it stays visible,
 *     and, through frames_overlay on a PDF with --bleed, the bleed box (dashed
 *     magenta);
 *   - the margins as dashed cyan guides across the page and the text block
 *     as a solid blue frame (rgb 0, 0.35, 0.95), with column gutters when the style
 *     has several columns; the left margin is the inner one on a recto (odd
 *     folio) and the outer one on a verso, as in the page builder;
 *   - the baseline grid: one hairline every body leading, from the text top
 *     down to the text bottom;
 *   - each set line's box, filled with a translucent colour for its
 *     adjustment ratio: shrunk (ratio -1) blue, natural (0) green, stretched
 *     (1 and beyond) orange, overfull red, at 25 % opacity: over white,
 *     a natural line's box is rgb(191, 239, 191) in 8-bit units;
 *   - a small red tick just right of each hyphenated line's end;
 *   - the footnote area, when the page has one, as a tinted band from
 *     LayPage.notes_top to the text block bottom, across the whole block:
 *     in a two-column style it also covers the column whose notes start
 *     lower, as LayPage gives one notes_top per page. */
#ifndef TS_FRAMES_H
#define TS_FRAMES_H

#include <cairo.h>

#include "../layout/layout.h"
#include "style.h"

/* Draws the overlay of page page_index (0-based) of r, laid out with st.
 * Leaves the cairo state as it found it.  An index out of range draws
 * nothing. */
void frames_draw(cairo_t *cr, const LayResult *r, int page_index, const Style *st);

/* Adapter for PaintOptions.overlay (paint.h): data is a FramesOverlay.
 * Draws frames_draw's overlay and, when bleed > 0, the bleed box around the
 * trim (paint_pdf calls overlays at the trim origin, the bleed outside it). */
typedef struct FramesOverlay {
    const LayResult *result;
    const Style *style;
    double bleed;           /* pt beyond the trim on every side; 0 = none */
} FramesOverlay;
void frames_overlay(cairo_t *cr, int page_index, void *data);

#endif
