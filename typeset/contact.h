/* contact.h — a contact sheet: every page of a laid-out article as a
 * thumbnail on one PNG, in spreads, with its page number underneath.  Takes a
 * LayResult and its Style, draws through paint_page (paint.h), hands back PNG
 * bytes the caller frees.
 *
 * Geometry, in pixels, so that a test can predict the image size:
 *   tw, th   = thumbnail size = raster_size(trim, CONTACT_DPI):
 *              round(trim_pt / 72 * 24); 170 x 240 mm gives 161 x 227
 *   spreads  = ceil((N + r) / 2) for N pages, r = 1 when the first page is a
 *              recto (odd folio: it stands alone on the right of its spread),
 *              else 0; a verso last page stands alone on the left of its own
 *   cols     = min(spreads, CONTACT_SPREADS_PER_ROW), rows = ceil(spreads / cols)
 *   width    = CONTACT_PAD + cols * (2 * tw + CONTACT_PAD)
 *   height   = CONTACT_PAD + rows * (th + CONTACT_LABEL + CONTACT_PAD)
 * The two pages of a spread touch at the spine; spread k sits in row k / cols,
 * column k % cols, its top-left corner at (CONTACT_PAD + col * (2 tw + PAD),
 * CONTACT_PAD + row * (th + LABEL + PAD)).  The page number (its folio) is
 * centred in the CONTACT_LABEL band under the thumbnail, drawn as
 * seven-segment strokes: no font is involved, so the sheet cannot depend on
 * which fonts the machine has. */
#ifndef TS_CONTACT_H
#define TS_CONTACT_H

#include <stddef.h>

#include "../layout/layout.h"
#include "style.h"

#define CONTACT_DPI 24
#define CONTACT_PAD 16
#define CONTACT_LABEL 18
#define CONTACT_SPREADS_PER_ROW 4

typedef struct ContactGeometry {
    int thumb_w, thumb_h;   /* px */
    int first_recto;        /* 1: the first page is alone on the right of spread 0 */
    int spreads, cols, rows;
    int width, height;      /* px, the whole sheet */
} ContactGeometry;

/* The geometry above for n_pages >= 1 pages whose first folio is first_folio. */
void contact_geometry(const Style *st, int n_pages, int first_folio, ContactGeometry *g);

/* Renders every page of r (at least one) as a contact sheet, with the layout
 * frames on each thumbnail when frames is set.  Returns 0 with *out
 * (malloc'd, caller frees), or -1 with a static message in *err (a Cairo
 * failure, such as a sheet too large for an image surface). */
int contact_sheet_png(const LayResult *r, const Style *st, int frames, unsigned char **out,
                      size_t *out_len, const char **err);

#endif
