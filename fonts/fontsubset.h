/* fontsubset.h — large CFF faces cut down before the PDF painter hands them
 * to Cairo.
 *
 * Cairo 1.16 embeds an OpenType/CFF face by loading its whole CFF table and
 * reading every glyph it draws from it.  For Noto Serif CJK (a 15 MB table,
 * 65,535 glyphs, deep subroutines) that costs 100–170 ms per document, and
 * the embedded subset still weighs about 530 bytes a glyph, subroutines and
 * all.  A FontSubsets collects the glyphs one document draws in each such
 * face, cuts the face down to them with HarfBuzz's subsetter (subroutines
 * expanded, layout tables dropped), and gives the painter a Cairo font made
 * from the cut-down face with the glyphs renumbered.  The text, its
 * extraction and the glyph positions are unchanged.  On the benchmark's
 * Chinese article (17 pages, 897 distinct ideographs) the embedded Noto face
 * goes from 670 KB to 220 KB, the PDF from 1.0 to 0.5 MB, and the build from
 * 0.32 to 0.25 s.
 *
 * One FontSubsets serves one document, on one thread.  A face it cannot cut
 * down (HarfBuzz refuses it, a synthetic bold or slant, too small to matter)
 * is simply not offered: the painter draws it through Pango as before. */
#ifndef TS_FONTSUBSET_H
#define TS_FONTSUBSET_H

#include <cairo.h>
#include <pango/pango.h>

/* A face is cut down only when its CFF table is at least this large. */
#define FONT_SUBSET_MIN_CFF (1024 * 1024)

typedef struct FontSubsets FontSubsets;

FontSubsets *font_subsets_new(void);
void font_subsets_free(FontSubsets *fs);

/* Notes the glyphs of g, drawn in font.  Call for every glyph string before
 * font_subsets_build. */
void font_subsets_add(FontSubsets *fs, PangoFont *font, const PangoGlyphString *g);

/* Cuts down every eligible face to the glyphs noted. */
void font_subsets_build(FontSubsets *fs);

/* The Cairo font to draw font's glyphs with, or NULL (draw through Pango).
 * *glyph_of maps a glyph of font to the cut-down face's: it returns 0 (draw
 * through Pango) for a glyph never noted.  Owned by fs. */
typedef struct FontSubst FontSubst;
cairo_scaled_font_t *font_subsets_get(FontSubsets *fs, PangoFont *font, const FontSubst **subst);
unsigned font_subst_glyph(const FontSubst *s, unsigned glyph);

#endif
