/* frames.c — see frames.h. */
#include "frames.h"

#include <math.h>

/* Line widths (pt).  Thin enough not to hide the text at 96 dpi, thick
 * enough to survive antialiasing at 72 dpi. */
#define FR_TRIM_W 0.75
#define FR_BLOCK_W 0.6
#define FR_GUIDE_W 0.3
#define FR_GRID_W 0.25
#define FR_TICK_W 0.9
#define FR_LINE_ALPHA 0.25          /* fill of a line box */
#define FR_NOTES_ALPHA 0.22

/* LayLine gives the baseline and the line's height (its leading) but not its
 * ascent; the page builder puts the baseline about 3/4 of the leading below
 * the slot's top for body text (ascent = leading/2 + 0.32 size, and leading
 * is about 1.3 size), so the box is drawn from there: good enough to see
 * spacing, and consecutive boxes tile without overlap. */
#define FR_ASCENT_SHARE 0.75

static void mix(const double a[3], const double b[3], double t, double out[3])
{
    for (int k = 0; k < 3; k++)
        out[k] = a[k] + (b[k] - a[k]) * t;
}

/* Blue (shrunk to the limit) -> green (natural) -> orange (stretched by its
 * full stretchability or more); overfull lines red whatever their ratio. */
static void ratio_rgb(double ratio, int overfull, double rgb[3])
{
    static const double blue[3] = {0.0, 0.3, 1.0}, green[3] = {0.0, 0.75, 0.0},
                        orange[3] = {1.0, 0.55, 0.0}, red[3] = {1.0, 0.0, 0.0};
    double t = ratio < -1 ? -1 : ratio > 1 ? 1 : ratio;
    if (overfull)
        mix(red, red, 0, rgb);
    else if (t < 0)
        mix(green, blue, -t, rgb);
    else
        mix(green, orange, t, rgb);
}

static void stroke_rect(cairo_t *cr, double x, double y, double w, double h)
{
    cairo_rectangle(cr, x, y, w, h);
    cairo_stroke(cr);
}

static void hline(cairo_t *cr, double x0, double x1, double y)
{
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    cairo_stroke(cr);
}

static void vline(cairo_t *cr, double x, double y0, double y1)
{
    cairo_move_to(cr, x, y0);
    cairo_line_to(cr, x, y1);
    cairo_stroke(cr);
}

/* The page frame: trim, margin guides, text block, columns, baseline grid. */
static void draw_block(cairo_t *cr, const Style *st, double left, double right, double top,
                       double bottom)
{
    double w = st->page_width, h = st->page_height;
    cairo_set_line_width(cr, FR_TRIM_W);
    cairo_set_source_rgb(cr, 0.85, 0.0, 0.85);
    stroke_rect(cr, FR_TRIM_W / 2, FR_TRIM_W / 2, w - FR_TRIM_W, h - FR_TRIM_W);

    static const double dash[] = {3.0, 2.0};
    cairo_set_line_width(cr, FR_GUIDE_W);
    cairo_set_source_rgba(cr, 0.0, 0.7, 0.85, 0.8);
    cairo_set_dash(cr, dash, 2, 0);
    vline(cr, left, 0, h);
    vline(cr, right, 0, h);
    hline(cr, 0, w, top);
    hline(cr, 0, w, bottom);
    cairo_set_dash(cr, NULL, 0, 0);

    double leading = st->roles[ROLE_BODY].leading;
    if (leading > 0.5) {
        cairo_set_line_width(cr, FR_GRID_W);
        cairo_set_source_rgba(cr, 0.3, 0.65, 1.0, 0.6);
        for (double y = top + leading; y < bottom - 0.01; y += leading)
            hline(cr, left, right, y);
    }

    cairo_set_line_width(cr, FR_BLOCK_W);
    cairo_set_source_rgb(cr, 0.0, 0.35, 0.95);
    stroke_rect(cr, left, top, right - left, bottom - top);
    if (st->columns > 1) {
        double cw = (right - left - (st->columns - 1) * st->column_gap) / st->columns;
        for (int k = 1; k < st->columns; k++) {
            double x = left + k * cw + (k - 1) * st->column_gap;
            vline(cr, x, top, bottom);
            vline(cr, x + st->column_gap, top, bottom);
        }
    }
}

static void draw_lines(cairo_t *cr, const LayResult *r, int page_index)
{
    cairo_set_line_width(cr, FR_TICK_W);
    for (int i = 0; i < r->n_lines; i++) {
        const LayLine *l = &r->lines[i];
        if (l->page != page_index)
            continue;
        double rgb[3];
        ratio_rgb(l->ratio, l->overfull > 0, rgb);
        double top = l->y - FR_ASCENT_SHARE * l->h;
        cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], FR_LINE_ALPHA);
        cairo_rectangle(cr, l->x, top, l->w, l->h);
        cairo_fill(cr);
        if (l->hyphenated) {
            /* beside the box, not on the hyphen, so both stay visible */
            double x = l->x + l->w + 1.5;
            cairo_set_source_rgb(cr, 0.9, 0.0, 0.0);
            cairo_move_to(cr, x, l->y - 0.45 * l->h);
            cairo_line_to(cr, x + 1.5, l->y);
            cairo_stroke(cr);
        }
    }
}

void frames_draw(cairo_t *cr, const LayResult *r, int page_index, const Style *st)
{
    if (page_index < 0 || page_index >= r->n_pages)
        return;
    const LayPage *p = &r->pages[page_index];
    /* recto (odd folio): inner margin on the left, as layout/page.c places it */
    double left = (p->number % 2) ? st->margin_inner : st->margin_outer;
    double right = left + st->page_width - st->margin_inner - st->margin_outer;
    double top = st->margin_top, bottom = st->page_height - st->margin_bottom;
    cairo_save(cr);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    if (p->notes_top > 0) {
        cairo_set_source_rgba(cr, 1.0, 0.75, 0.1, FR_NOTES_ALPHA);
        cairo_rectangle(cr, left, p->notes_top, right - left, bottom - p->notes_top);
        cairo_fill(cr);
    }
    draw_lines(cr, r, page_index);
    draw_block(cr, st, left, right, top, bottom);
    cairo_restore(cr);
}

void frames_overlay(cairo_t *cr, int page_index, void *data)
{
    const FramesOverlay *fo = data;
    frames_draw(cr, fo->result, page_index, fo->style);
    if (fo->bleed > 0) {
        static const double dash[] = {2.0, 2.0};
        double b = fo->bleed - FR_TRIM_W / 2;     /* inside the bleed, as the trim line */
        cairo_save(cr);
        cairo_set_line_width(cr, FR_TRIM_W);
        cairo_set_source_rgb(cr, 0.85, 0.0, 0.85);
        cairo_set_dash(cr, dash, 2, 0);
        stroke_rect(cr, -b, -b, fo->style->page_width + 2 * b, fo->style->page_height + 2 * b);
        cairo_restore(cr);
    }
}
