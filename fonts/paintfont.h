/* paintfont.h — the Cairo fonts the PDF painter draws with.
 *
 * Drawn through Pango, a glyph run uses the Cairo font Pango made for it, and
 * Cairo shares that font between every thread of the process: one face per
 * font file, one scaled font per size, one glyph cache, each behind a lock
 * that Cairo holds for a whole glyph run while it records, analyses and
 * writes the page.  Two threads painting the same body face take turns.  And
 * a line set with font expansion is drawn under a scaled CTM, for which Cairo
 * looks its scaled font up again in its process-wide table.
 *
 * So the painter draws with fonts of its own:
 *
 * - PaintFonts, one per thread (its FontLib keeps it): for each font file a
 *   FreeType face and a Cairo face of the thread's own, and for each Pango
 *   font and horizontal scale a Cairo scaled font made once, with Pango's
 *   size, transformation and options.  No face, scaled font or glyph cache
 *   is shared with other threads, and glyph caches stay warm from one
 *   document to the next.  (Cairo still takes its process-wide table's lock
 *   to find the font again when a glyph run's font differs from the one
 *   before: cairo_set_scaled_font keeps only the last.)
 *
 *   Cairo may keep a released scaled font, and with it its face, in its
 *   cache of 256 recently used ones, and free it later from any thread:
 *   hence a FreeType library per face.
 *
 * - PaintDocFonts, one per document: the large CFF faces (Noto CJK) cut down
 *   to the glyphs the document draws.  Cairo 1.16 embeds an OpenType/CFF face
 *   by loading its whole CFF table (15 MB for Noto Serif CJK) and keeping
 *   every subroutine; HarfBuzz's subsetter, with the subroutines expanded and
 *   the layout tables dropped, gives Cairo a small face instead.  On the
 *   benchmark's Chinese article (17 pages, 897 distinct ideographs) the
 *   embedded Noto face goes from 670 KB to 220 KB, the PDF from 1.0 to
 *   0.5 MB, and the build from 0.32 to 0.25 s.
 *
 * Glyph positions, the text attached to them and the embedded font names are
 * those Pango would give.  A font these cannot serve (a synthetic bold or
 * slant, a variable face, a face HarfBuzz or FreeType refuses) is drawn
 * through Pango as before. */
#ifndef TS_PAINTFONT_H
#define TS_PAINTFONT_H

#include <cairo.h>
#include <pango/pango.h>

/* A CFF face is cut down only when its CFF table is at least this large. */
#define PAINT_CUT_MIN_CFF (1024 * 1024)

/* Whether font is drawn straight from a font file with nothing synthesized
 * (no synthetic bold or slant, no font matrix, not a variable face): 0, with
 * the file (owned by font's fontconfig pattern) and the face index in it;
 * -1 for any other font, which only Pango draws faithfully. */
int paint_font_file(PangoFont *font, const char **file, int *index);

typedef struct PaintFonts PaintFonts;
PaintFonts *paint_fonts_new(void);
void paint_fonts_free(PaintFonts *pf);

typedef struct PaintDocFonts PaintDocFonts;

/* A document's fonts, drawing with pf's (a thread's own; NULL: fonts of the
 * document's own, made afresh). */
PaintDocFonts *paint_doc_fonts_new(PaintFonts *pf);
void paint_doc_fonts_free(PaintDocFonts *d);

/* Notes the glyphs of g, drawn in font.  Call for every glyph string before
 * paint_doc_fonts_build. */
void paint_doc_fonts_add(PaintDocFonts *d, PangoFont *font, const PangoGlyphString *g);

/* Cuts down every large CFF face to the glyphs noted. */
void paint_doc_fonts_build(PaintDocFonts *d);

/* The Cairo font to draw font's glyphs with, stretched sx times horizontally
 * (font expansion), or NULL: draw through Pango.  *map is NULL when that
 * font has Pango's glyph numbers; otherwise the face was cut down for the
 * document and paint_glyph gives the numbers in it. */
typedef struct PaintGlyphMap PaintGlyphMap;
cairo_scaled_font_t *paint_doc_fonts_get(PaintDocFonts *d, PangoFont *font, double sx,
                                         const PaintGlyphMap **map);

/* glyph's number in the font paint_doc_fonts_get gave with map, or 0 when it
 * has none there (a glyph never noted; draw through Pango). */
unsigned paint_glyph(const PaintGlyphMap *map, unsigned glyph);

#endif
