/* pdffont.h — the fonts of a PDF the painter writes itself (pdfpaint.h):
 * each font file (face) drawn from becomes one composite font (Type0,
 * Identity-H, two-byte codes) with its glyphs cut out by HarfBuzz's
 * subsetter, a /W array of their advances and a ToUnicode CMap.  The
 * painter notes every glyph first (pdffont_add), builds the subsets
 * (pdffont_build), then asks for each glyph's code as it writes the pages,
 * tells which text each code stands for, and at the end has the font
 * objects written (pdffont_write).  One PdfFonts per document; nothing is
 * shared between documents or threads. */
#ifndef TS_PDFFONT_H
#define TS_PDFFONT_H

#include <pango/pango.h>

#include "pdfw.h"

typedef struct PdfFonts PdfFonts;

PdfFonts *pdffont_new(void);
void pdffont_free(PdfFonts *f);

/* Notes the glyphs of g, drawn in font.  -1 when font is one this writer
 * cannot embed faithfully: a synthetic bold or slant or any font matrix, a
 * variable face, a font not from a file fontconfig names, a face HarfBuzz
 * cannot cut (neither TrueType outlines nor CFF), a CFF face that is not
 * CID-keyed (viewers differ in how they find a CID in one), a glyph with
 * PANGO_GLYPH_UNKNOWN_FLAG (a hex box Pango draws); the painter then leaves
 * the whole document to Cairo.  PANGO_GLYPH_EMPTY glyphs are skipped (never
 * drawn).  -1 as well once pdffont_build has run.  0 otherwise. */
int pdffont_add(PdfFonts *f, PangoFont *font, const PangoGlyphString *g);

/* Cuts every face down to its noted glyphs.  0, or -1 when the subsetter
 * fails (the painter leaves the document to Cairo). */
int pdffont_build(PdfFonts *f);

/* The face font draws from, as a resource index k (the painter names it
 * /F<k>), and the size to set it at (the Tf operand, in pt).  -1 for a font
 * never noted. */
int pdffont_face(PdfFonts *f, PangoFont *font, double *size_pt);

/* The two-byte code that draws glyph (Pango's glyph number, as noted) of
 * face k, and its advance in thousandths of the font size (as written in
 * /W).  A glyph never noted answers 0, the .notdef code. */
unsigned pdffont_code(PdfFonts *f, int k, unsigned glyph, double *advance_1000);

/* Says that code of face k stands for the UTF-8 text[0..len): the first
 * text said for a code goes into the ToUnicode CMap.  Returns 1 when the
 * CMap maps code to exactly this text (now or already), 0 when it maps it
 * to other text (the painter then attaches this text as ActualText). */
int pdffont_text(PdfFonts *f, int k, unsigned code, const char *text, int len);

/* Writes every face's objects (Type0 font, CIDFont, descriptor, font file,
 * ToUnicode) with w, and sets obj[k] to the Type0 font's object number for
 * each face k < pdffont_count(f).  0, or -1 (zlib failed). */
int pdffont_count(const PdfFonts *f);
int pdffont_write(PdfFonts *f, PdfW *w, int *obj);

#endif
