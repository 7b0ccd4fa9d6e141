/* paint.c — see paint.h. */
#include "paint.h"

#include "../fonts/paintfont.h"
#include "image.h"
#include "pdfpaint.h"

#include <cairo-pdf.h>
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Draws glyph item gi with its origin at (x, y), stretched sx times
 * horizontally, in sf (paintfont.h), as pango_cairo_show_glyph_item would:
 * the same positions, the text attached cluster by cluster.  Returns -1,
 * having drawn nothing, when a glyph has no number in sf (Pango draws it). */
static int show_run(cairo_t *cr, const char *text, PangoGlyphItem *gi, double x, double y, double sx,
                    double shape_sx, cairo_scaled_font_t *sf, const PaintGlyphMap *map)
{
    /* glyphs drawn shape_sx wide in cells sx wide sit in the middle */
    double centre = (sx - shape_sx) / 2;
    const PangoGlyphString *g = gi->glyphs;
    int backward = (gi->item->analysis.level & 1) != 0;
    cairo_glyph_t stack_g[64];
    cairo_text_cluster_t stack_c[64];
    cairo_glyph_t *cg = g->num_glyphs <= 64 ? stack_g : g_new(cairo_glyph_t, g->num_glyphs);
    cairo_text_cluster_t *cc = g->num_glyphs <= 64 ? stack_c : g_new(cairo_text_cluster_t, g->num_glyphs);
    int n = 0, nc = 0, ok = 1;
    int xpos = 0;
    for (int i = 0; i < g->num_glyphs && ok; i++) {
        const PangoGlyphInfo *pg = &g->glyphs[i];
        if (pg->glyph & PANGO_GLYPH_UNKNOWN_FLAG) {
            ok = 0;     /* a hex box: Pango's to draw */
        } else if (pg->glyph != PANGO_GLYPH_EMPTY) {
            unsigned ng = paint_glyph(map, pg->glyph);
            if (ng == 0 && pg->glyph != 0)
                ok = 0;
            cg[n].index = ng;
            cg[n].x = x + (sx * (xpos + pg->geometry.x_offset) + centre * pg->geometry.width) /
                              PANGO_SCALE;
            cg[n].y = y + (double)pg->geometry.y_offset / PANGO_SCALE;
            n++;
        }
        xpos += pg->geometry.width;
    }
    PangoGlyphItemIter iter;
    if (ok && pango_glyph_item_iter_init_start(&iter, gi, text)) {
        do {
            int ng = backward ? iter.start_glyph - iter.end_glyph : iter.end_glyph - iter.start_glyph;
            for (int i = MIN(iter.start_glyph, iter.end_glyph + 1);
                 i < MAX(iter.start_glyph + 1, iter.end_glyph); i++)
                if (g->glyphs[i].glyph == PANGO_GLYPH_EMPTY)
                    ng--;
            cc[nc].num_bytes = iter.end_index - iter.start_index;
            cc[nc].num_glyphs = ng;
            nc++;
        } while (pango_glyph_item_iter_next_cluster(&iter));
    }
    if (ok) {
        cairo_set_scaled_font(cr, sf);
        cairo_show_text_glyphs(cr, text + gi->item->offset, gi->item->length, cg, n, cc, nc,
                               backward ? CAIRO_TEXT_CLUSTER_FLAG_BACKWARD : 0);
    }
    if (cg != stack_g)
        g_free(cg);
    if (cc != stack_c)
        g_free(cc);
    return ok ? 0 : -1;
}

/* See paint.h. */
int paint_square_script(PangoScript s)
{
    switch (s) {
    case PANGO_SCRIPT_HAN:
    case PANGO_SCRIPT_HIRAGANA:
    case PANGO_SCRIPT_KATAKANA:
    case PANGO_SCRIPT_HANGUL:
    case PANGO_SCRIPT_BOPOMOFO:
        return 1;
    default:
        return 0;
    }
}

static void show_glyphs(cairo_t *cr, const LayItem *it, PaintDocFonts *fonts)
{
    double sx = it->scale_x > 0 ? it->scale_x : 1.0;
    double shape_sx = paint_square_script(it->gi->item->analysis.script) ? 1.0 : sx;
    const PaintGlyphMap *map = NULL;
    cairo_scaled_font_t *sf = paint_doc_fonts_get(fonts, it->gi->item->analysis.font, shape_sx, &map);
    if (sf && show_run(cr, it->text, it->gi, it->x, it->y, sx, shape_sx, sf, map) == 0)
        return;
    /* through Pango, with the text attached, so ligatures extract
     * (LIBRARY-NOTES §4) */
    if (shape_sx != sx) {       /* square cells: glyphs as designed, spaced out */
        PangoGlyphItem *spread = pango_glyph_item_copy(it->gi);
        for (int i = 0; i < spread->glyphs->num_glyphs; i++) {
            PangoGlyphGeometry *gg = &spread->glyphs->glyphs[i].geometry;
            gg->x_offset = (int)lround(sx * gg->x_offset + (sx - shape_sx) / 2 * gg->width);
            gg->width = (int)lround(sx * gg->width);
        }
        cairo_move_to(cr, it->x, it->y);
        pango_cairo_show_glyph_item(cr, it->text, spread);
        pango_glyph_item_free(spread);
        return;
    }
    if (sx == 1.0) {
        cairo_move_to(cr, it->x, it->y);
        pango_cairo_show_glyph_item(cr, it->text, it->gi);
        return;
    }
    cairo_save(cr);
    cairo_translate(cr, it->x, it->y);
    cairo_scale(cr, sx, 1.0);
    cairo_move_to(cr, 0, 0);
    pango_cairo_show_glyph_item(cr, it->text, it->gi);
    cairo_restore(cr);
}

/* Link targets: "#name" is a named destination (cairo 1.16 drops page-number
 * links to later pages, LIBRARY-NOTES §2); anything else is a URI.  Quotes and
 * backslashes in the attribute string are escaped as cairo's parser wants. */
static char *link_attrs(const LayItem *it, double off)
{
    GString *g = g_string_new(NULL);
    /* cairo 1.16 takes link rectangles in page space, ignoring the CTM: the
     * bleed and marks offset is added here */
    g_string_append_printf(g, "rect=[%.2f %.2f %.2f %.2f] ", it->x + off, it->y + off, it->w, it->h);
    int internal = it->str[0] == '#';
    g_string_append(g, internal ? "dest='" : "uri='");
    for (const char *p = it->str + internal; *p; p++) {
        if (*p == '\'' || *p == '\\')
            g_string_append_c(g, '\\');
        g_string_append_c(g, *p);
    }
    g_string_append_c(g, '\'');
    return g_string_free(g, FALSE);
}

static void paint_page_with(cairo_t *cr, const LayPage *p, const PaintOptions *o, PaintDocFonts *fonts)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    int depth = 0;
    for (int i = 0; i < p->n_items; i++) {
        const LayItem *it = &p->items[i];
        switch (it->kind) {
        case LI_GLYPHS:
            show_glyphs(cr, it, fonts);
            break;
        case LI_IMAGE:
            if (image_draw(cr, it->str, it->x, it->y, it->w, it->h) != 0) {
                /* the file went away between layout and painting: mark the place */
                cairo_save(cr);
                cairo_set_line_width(cr, 0.5);
                cairo_rectangle(cr, it->x, it->y, it->w, it->h);
                cairo_stroke(cr);
                cairo_restore(cr);
            }
            break;
        case LI_RULE:
            cairo_save(cr);
            cairo_set_line_width(cr, it->h > 0 ? it->h : 0.4);
            cairo_move_to(cr, it->x, it->y);
            cairo_line_to(cr, it->x + it->w, it->y);
            cairo_stroke(cr);
            cairo_restore(cr);
            break;
        case LI_LINK:
            if (o->tagged) {
                char *attrs = link_attrs(it, o->bleed + o->marks);
                cairo_tag_begin(cr, CAIRO_TAG_LINK, attrs);
                cairo_tag_end(cr, CAIRO_TAG_LINK);
                g_free(attrs);
            }
            break;
        case LI_DEST:
            if (o->tagged) {
                char *attrs = g_strdup_printf("name='%s' x=%.2f y=%.2f", it->str,
                                              it->x + o->bleed + o->marks, it->y + o->bleed + o->marks);
                cairo_tag_begin(cr, CAIRO_TAG_DEST, attrs);
                cairo_tag_end(cr, CAIRO_TAG_DEST);
                g_free(attrs);
            }
            break;
        case LI_TAG_BEGIN:
            if (o->tagged) {
                cairo_tag_begin(cr, it->str, NULL);
                depth++;
            }
            break;
        case LI_TAG_END:
            if (o->tagged && depth > 0) {
                cairo_tag_end(cr, it->str ? it->str : "P");
                depth--;
            }
            break;
        }
    }
}

void paint_page(cairo_t *cr, const LayPage *p, const PaintOptions *o)
{
    paint_page_with(cr, p, o, NULL);
}

/* Crop marks at the four trim corners, in the marks area outside the bleed
 * as printers expect: each mark continues a trim edge, from 3 pt beyond the
 * bleed to 2 pt short of the media edge, 0.25 pt, in registration black. */
static void crop_marks(cairo_t *cr, const PaintOptions *o)
{
    double off = o->bleed + o->marks;
    double d0 = o->bleed + 3, d1 = o->bleed + o->marks - 2;
    if (d1 <= d0)
        return;
    double xs[2] = {off, off + o->width}, ys[2] = {off, off + o->height};
    cairo_save(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.25);
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++) {
            double sx = i ? 1 : -1, sy = k ? 1 : -1;   /* outward directions */
            cairo_move_to(cr, xs[i] + sx * d0, ys[k]);
            cairo_line_to(cr, xs[i] + sx * d1, ys[k]);
            cairo_move_to(cr, xs[i], ys[k] + sy * d0);
            cairo_line_to(cr, xs[i], ys[k] + sy * d1);
        }
    cairo_stroke(cr);
    cairo_restore(cr);
}

static cairo_status_t to_bytes(void *closure, const unsigned char *data, unsigned int len)
{
    g_byte_array_append(closure, data, len);
    return CAIRO_STATUS_SUCCESS;
}

int paint_pdf(const LayResult *r, const PaintOptions *o, const PaintMeta *m, unsigned char **out,
              size_t *out_len, const char **err)
{
    const char *painter = getenv("TYPESET_PAINTER");
    if (!painter || strcmp(painter, "cairo") != 0) {
        int rc = pdfpaint_pdf(r, o, m, out, out_len, err);
        if (rc == 0 && o->final_done)
            *o->final_done = o->final;
        if (rc != PDFPAINT_DECLINED)
            return rc;
    }
    if (o->final_done)
        *o->final_done = 0;
    GByteArray *buf = g_byte_array_new();
    double off = o->bleed + o->marks;      /* trim origin on the media */
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(to_bytes, buf, o->width + 2 * off,
                                                             o->height + 2 * off);
    cairo_pdf_surface_restrict_to_version(s, CAIRO_PDF_VERSION_1_5);
    if (m->title) cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, m->title);
    if (m->author) cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, m->author);
    if (m->subject) cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT, m->subject);
    if (m->keywords) cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, m->keywords);
    if (m->creator) cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, m->creator);
    if (m->date_iso) {
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, m->date_iso);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, m->date_iso);
    }
    /* the glyphs of each large CFF face, to cut it down before Cairo embeds it */
    PaintDocFonts *fonts = paint_doc_fonts_new(o->fonts);
    for (int i = 0; i < r->n_pages; i++)
        for (int k = 0; k < r->pages[i].n_items; k++) {
            const LayItem *it = &r->pages[i].items[k];
            if (it->kind == LI_GLYPHS)
                paint_doc_fonts_add(fonts, it->gi->item->analysis.font, it->gi->glyphs);
        }
    paint_doc_fonts_build(fonts);
    cairo_t *cr = cairo_create(s);
    /* every piece of content sits inside a structure tag: untagged links corrupt
     * cairo 1.16's xref (LIBRARY-NOTES §2) */
    cairo_tag_begin(cr, "Document", NULL);
    for (int i = 0; i < r->n_pages; i++) {
        char label[32];
        snprintf(label, sizeof label, "%d", r->pages[i].number);
        cairo_pdf_surface_set_page_label(s, r->pages[i].label ? r->pages[i].label : label);
        cairo_save(cr);
        cairo_translate(cr, off, off);
        paint_page_with(cr, &r->pages[i], o, fonts);
        if (o->overlay) {
            cairo_save(cr);
            o->overlay(cr, i, o->overlay_data);
            cairo_restore(cr);
        }
        cairo_restore(cr);
        if (o->marks > 0)
            crop_marks(cr, o);
        cairo_show_page(cr);
    }
    cairo_tag_end(cr, "Document");
    /* the outline: headings nested by level */
    int parent[8] = {CAIRO_PDF_OUTLINE_ROOT};
    for (int i = 0; i < r->n_outline; i++) {
        const LayOutline *ol = &r->outline[i];
        int lvl = ol->level < 1 ? 1 : ol->level > 7 ? 7 : ol->level;
        char *attrs = g_strdup_printf("dest='%s'", ol->dest);
        int id = cairo_pdf_surface_add_outline(s, parent[lvl - 1], ol->title, attrs, 0);
        g_free(attrs);
        for (int k = lvl; k < 8; k++)
            parent[k] = id;
    }
    /* a drawing call cairo refused (bad clusters, say) leaves the context in
     * error and every later call a no-op: a PDF with pages missing their
     * text, unless the error is caught here */
    cairo_status_t cst = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_status_t st = cst != CAIRO_STATUS_SUCCESS ? cst : cairo_surface_status(s);
    cairo_surface_destroy(s);
    paint_doc_fonts_free(fonts);
    if (st != CAIRO_STATUS_SUCCESS) {
        *err = cairo_status_to_string(st);
        g_byte_array_free(buf, TRUE);
        return -1;
    }
    *out_len = buf->len;
    *out = g_byte_array_free(buf, FALSE);
    return 0;
}

/* What typeset's own writer (pdfpaint.h) spends, measured with callgrind
 * on the benchmark issue: some two thousand instructions a glyph drawn
 * (its layout again at its folio, the content stream, its deflating); for
 * a face of more than LARGE_FACE glyphs (Noto CJK: 65,535), a fixed cost to
 * cut it (HarfBuzz's subset plan reads the whole face: some 90M
 * instructions) and a hundred times a glyph's cost for each glyph it keeps
 * (desubroutinized, written, deflated).  A page of Chinese costs three of
 * English. */
double paint_cost_estimate(const LayResult *r)
{
    enum { LARGE_FACE = 10000, LARGE_FACE_FIXED = 50000, LARGE_FACE_GLYPH = 100 };
    GHashTable *seen = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    double cost = 0;
    for (int p = 0; p < r->n_pages; p++)
        for (int i = 0; i < r->pages[p].n_items; i++) {
            const LayItem *it = &r->pages[p].items[i];
            if (it->kind != LI_GLYPHS || !it->gi)
                continue;
            PangoFont *font = it->gi->item->analysis.font;
            guint32 *bits = g_hash_table_lookup(seen, font);
            if (!bits) {
                /* bit 65535 (no glyph number of a 16-bit face) marks a large face */
                bits = g_new0(guint32, 65536 / 32);
                hb_font_t *hf = font ? pango_font_get_hb_font(font) : NULL;
                if (hf && hb_face_get_glyph_count(hb_font_get_face(hf)) > LARGE_FACE) {
                    bits[65535 / 32] |= 1u << (65535 % 32);
                    cost += LARGE_FACE_FIXED;
                }
                g_hash_table_insert(seen, font, bits);
            }
            int large = (bits[65535 / 32] >> (65535 % 32)) & 1;
            const PangoGlyphString *g = it->gi->glyphs;
            if (!large) {
                cost += g->num_glyphs;
                continue;
            }
            for (int k = 0; k < g->num_glyphs; k++) {
                PangoGlyph gl = g->glyphs[k].glyph;
                cost += 1;
                if (large && gl < 65535 && !(bits[gl / 32] & (1u << (gl % 32)))) {
                    bits[gl / 32] |= 1u << (gl % 32);
                    cost += LARGE_FACE_GLYPH;
                }
            }
        }
    g_hash_table_destroy(seen);
    return cost;
}
