/* contact.c — see contact.h. */
#include "contact.h"

#include <cairo.h>
#include <stdio.h>

#include "frames.h"
#include "paint.h"
#include "raster.h"

void contact_geometry(const Style *st, int n_pages, int first_folio, ContactGeometry *g)
{
    raster_size(st->page_width, st->page_height, CONTACT_DPI, &g->thumb_w, &g->thumb_h);
    g->first_recto = first_folio % 2 != 0;
    g->spreads = (n_pages + g->first_recto + 1) / 2;
    g->cols = g->spreads < CONTACT_SPREADS_PER_ROW ? g->spreads : CONTACT_SPREADS_PER_ROW;
    if (g->cols < 1)
        g->cols = 1;
    g->rows = (g->spreads + g->cols - 1) / g->cols;
    g->width = CONTACT_PAD + g->cols * (2 * g->thumb_w + CONTACT_PAD);
    g->height = CONTACT_PAD + g->rows * (g->thumb_h + CONTACT_LABEL + CONTACT_PAD);
}

/* Seven-segment digits, segments a..g as bits 0..6 (a top, b upper right,
 * c lower right, d bottom, e lower left, f upper left, g middle). */
static const unsigned char seg_digits[10] = {0x3F, 0x06, 0x5B, 0x4F, 0x66,
                                             0x6D, 0x7D, 0x07, 0x7F, 0x6F};
static const double seg_ends[7][4] = {
    {0, 0, 1, 0}, {1, 0, 1, 0.5}, {1, 0.5, 1, 1}, {0, 1, 1, 1},
    {0, 0.5, 0, 1}, {0, 0, 0, 0.5}, {0, 0.5, 1, 0.5},
};
#define DIGIT_W 5.0
#define DIGIT_H 9.0
#define DIGIT_GAP 3.0

/* The number centred on (cx, top of the digits = y). */
static void draw_number(cairo_t *cr, int number, double cx, double y)
{
    char s[16];
    int n = snprintf(s, sizeof s, "%d", number < 0 ? 0 : number);
    double x = cx - (n * DIGIT_W + (n - 1) * DIGIT_GAP) / 2;
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 1.3);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (int i = 0; i < n; i++, x += DIGIT_W + DIGIT_GAP) {
        unsigned bits = seg_digits[s[i] - '0'];
        for (int k = 0; k < 7; k++)
            if (bits & (1u << k)) {
                const double *e = seg_ends[k];
                cairo_move_to(cr, x + e[0] * DIGIT_W, y + e[1] * DIGIT_H);
                cairo_line_to(cr, x + e[2] * DIGIT_W, y + e[3] * DIGIT_H);
            }
    }
    cairo_stroke(cr);
    cairo_restore(cr);
}

static void draw_thumb(cairo_t *cr, const LayResult *r, int i, const Style *st, int frames,
                       const ContactGeometry *g, double x, double y)
{
    cairo_save(cr);
    cairo_rectangle(cr, x, y, g->thumb_w, g->thumb_h);
    cairo_clip(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, CONTACT_DPI / 72.0, CONTACT_DPI / 72.0);
    PaintOptions po = {.width = st->page_width, .height = st->page_height, .tagged = 0};
    paint_page(cr, &r->pages[i], &po);
    if (frames)
        frames_draw(cr, r, i, st);
    cairo_restore(cr);
    /* a hairline edge so white pages stand out from each other at the spine */
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, x + 0.5, y + 0.5, g->thumb_w - 1, g->thumb_h - 1);
    cairo_stroke(cr);
    cairo_restore(cr);
    draw_number(cr, r->pages[i].number, x + g->thumb_w / 2.0,
                y + g->thumb_h + (CONTACT_LABEL - DIGIT_H) / 2);
}

int contact_sheet_png(const LayResult *r, const Style *st, int frames, unsigned char **out,
                      size_t *out_len, const char **err)
{
    ContactGeometry g;
    contact_geometry(st, r->n_pages, r->pages[0].number, &g);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, g.width, g.height);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
    cairo_paint(cr);
    for (int i = 0; i < r->n_pages; i++) {
        int slot = g.first_recto + i;        /* 0 = verso of spread 0, 1 = its recto, ... */
        int spread = slot / 2, col = spread % g.cols, row = spread / g.cols;
        double x = CONTACT_PAD + col * (2 * g.thumb_w + CONTACT_PAD) + (slot % 2) * g.thumb_w;
        double y = CONTACT_PAD + row * (g.thumb_h + CONTACT_LABEL + CONTACT_PAD);
        draw_thumb(cr, r, i, st, frames, &g, x, y);
    }
    return raster_finish(cr, s, out, out_len, err);
}
