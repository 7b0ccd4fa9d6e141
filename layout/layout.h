/* layout.h — the engine: shapes paragraphs (Pango/HarfBuzz), hyphenates
 * (libhyphen), breaks lines (Knuth–Plass), and builds pages.  Takes a LayInput
 * (blocks of styled text, page geometry, parameters) and hands on a LayResult
 * (pages of positioned drawing items) that every painter reads.  It knows
 * nothing of files, YAML or Cairo surfaces.  The result owns its glyph strings;
 * free it with lay_result_fini.  A LayEngine is per thread. */
#ifndef TS_LAYOUT_H
#define TS_LAYOUT_H

#include <pango/pango.h>
#include "base.h"
#include "params.h"

/* ---- input -------------------------------------------------------------------*/
typedef struct LayFont {
    const char *families;   /* Pango family list, "PT Serif, Noto Serif CJK SC" */
    double size;            /* pt */
    int bold, italic;
} LayFont;

enum {
    LAY_NOHYPH = 1 << 0,    /* never hyphenate this span */
    LAY_URL = 1 << 1,       /* URL/DOI: extra break chances after / . - _ ? & = */
};

typedef struct LaySpan {
    int start, end;         /* byte range in the paragraph text */
    LayFont font;
    double rise;            /* pt, baseline shift (superscript > 0) */
    const char *link;       /* "https://…" or "#dest"; NULL */
    unsigned flags;         /* LAY_* */
    int footnote;           /* > 0: marker of footnote N (placed on this line's page) */
    int src_line;
} LaySpan;

/* The longest paragraph the engine sets: a real one is a few thousand bytes;
 * past this, memory and time would grow without bound. */
#define LAY_MAX_PARA_BYTES (512 * 1024)

/* The most pages one article may fill: the page builder stops with an error
 * past it (a journal article is tens of pages; 5,000 keeps a runaway input
 * from filling the disk and the arena). */
#define LAY_MAX_PAGES 5000

typedef struct LayPara {
    const char *text;       /* UTF-8; U+2028 is a forced line break */
    int len;
    LaySpan *spans;         /* cover [0, len) in order, no gaps */
    int n_spans;
    const char *lang;       /* BCP 47: "en", "ru", "zh" */
    LayAlign align;
    double leading;         /* pt, baseline to baseline */
    double first_indent, left_indent, right_indent, hang_indent; /* pt */
    int hyphenate;
    const char *marker;     /* set flush left in the indent before the first line */
    LayFont marker_font;
    int src_line;
} LayPara;

typedef enum {
    LB_PARA,                /* para */
    LB_RULE,                /* a horizontal rule of `rule_length` (0 = measure) */
    LB_SPACE,               /* vertical space space_before */
    LB_PAGEBREAK,
    LB_TABLE,               /* table */
    LB_IMAGE,               /* a figure: image (opaque path for the painter), centred */
} LayBlockKind;

typedef struct LayTable {
    int ncols, nrows, header_rows;
    LayPara *cells;         /* nrows * ncols; empty cells have len 0 */
    double rule_width;      /* pt, rules above/below the header and at the end */
    double cell_pad;        /* pt, horizontal padding on each side of a cell */
    double row_gap;         /* pt of space between body rows */
    double indent;          /* pt from the measure's left edge (a table in a list or quote) */
    LayPara continued;      /* "Table 2 (continued)": set above the repeated header
                               rows on each page the table continues on; len 0 = none */
} LayTable;

typedef struct LayBlock {
    LayBlockKind kind;
    LayPara para;
    LayTable *table;
    double space_before, space_after;   /* pt */
    double rule_length, rule_width;     /* LB_RULE (pt) */
    int keep_with_next;     /* keep with the first two lines of the next block */
    const char *tag;        /* structure tag: "P", "H1", "H2", "LI", "BlockQuote",
                               "Table", "Caption", "Note", "Lbl"...; NULL = "P" */
    const char *dest;       /* named destination at the block's top */
    int outline_level;      /* > 0: an outline entry of this depth */
    const char *outline_title;
    int span_columns;       /* two-column styles: this block spans the page */
    const char *image;      /* LB_IMAGE: what the painter draws (a file path) */
    double image_w, image_h;/* LB_IMAGE: natural size, pt (scaled down to the measure) */
    int flush_floats;       /* figures still waiting are placed before this block */
} LayBlock;

typedef struct LayFootnote {
    int number;
    LayBlock *blocks;
    int n;
} LayFootnote;

typedef struct LayPageSpec {
    double width, height;                           /* trim, pt */
    double margin_top, margin_bottom, margin_inner, margin_outer;
    int columns;
    double column_gap;
    int first_number;                               /* folio of the first page */
    int running_heads;
    const char *head_verso, *head_recto;            /* texts, may be NULL */
    LayFont head_font;
    double head_offset;                             /* baseline above text top */
    LayFont folio_font;
    double folio_offset;                            /* baseline below text bottom */
    /* Running heads and folios are one line each, aligned alike on verso and
     * recto (ALIGN_JUSTIFY, which one line cannot be, centres them).  A head
     * wider than the measure is cut at a word and ends in an ellipsis, with a
     * warning at head_*_line of `file`. */
    LayAlign head_align, folio_align;
    int head_verso_line, head_recto_line;           /* where the heads' text comes from */
    /* The folio: the page number between consecutive parts ("Page ", " of 12"
     * with two parts; n_folio_parts == 0: the number alone; one part: that
     * text without a number). */
    const char *const *folio_parts;
    int n_folio_parts;
    const char *lang;
    double footnote_rule_width, footnote_rule_length, footnote_gap;
    int widow_penalty, club_penalty;
} LayPageSpec;

typedef struct LayInput {
    const char *file;       /* for diagnostics only */
    LayPageSpec page;
    LayBreakParams brk;
    LayBlock *blocks;
    int n_blocks;
    LayFootnote *footnotes;
    int n_footnotes;
} LayInput;

/* ---- output ------------------------------------------------------------------*/
typedef enum {
    LI_GLYPHS,              /* gi drawn at (x, y) = baseline origin, scaled by scale_x */
    LI_RULE,                /* line from (x, y) to (x + w, y), thickness h */
    LI_LINK,                /* rectangle (x, y, w, h) linking to str (uri or "#dest") */
    LI_DEST,                /* named destination str at (x, y) */
    LI_TAG_BEGIN,           /* structure tag str; balanced within a page */
    LI_TAG_END,             /* str = the name of the tag it closes */
    LI_IMAGE,               /* image str drawn into the rectangle (x, y, w, h) */
} LayItemKind;

typedef struct LayItem {
    LayItemKind kind;
    double x, y, w, h;      /* pt, from the page's top-left corner */
    PangoGlyphItem *gi;     /* LI_GLYPHS: owned by the LayResult */
    const char *text;       /* LI_GLYPHS: the paragraph text gi indexes */
    double scale_x;         /* LI_GLYPHS: font expansion (1.0 = none) */
    const char *str;        /* tag name, link target or dest name */
} LayItem;

/* Frame information for overlays and reports: one entry per set line. */
typedef struct LayLine {
    int page;               /* 0-based */
    double x, y, w, h;      /* the line box, pt; y is the baseline */
    double ratio;           /* adjustment ratio (stretch > 0, shrink < 0) */
    double overfull;        /* pt past the measure, 0 if none */
    int hyphenated, justified, last;
    int src_line, para;     /* paragraph index (in input order) */
} LayLine;

typedef struct LayOutline {
    int level;
    const char *title;
    const char *dest;
} LayOutline;

typedef struct LayPage {
    LayItem *items;
    int n_items;
    int number;             /* printed folio */
    const char *label;      /* page label when not the number ("iii"), else NULL */
    double text_bottom;     /* y where the body text ended on this page (pt) */
    double notes_top;       /* y of the footnote area's top; 0 when there are no notes */
} LayPage;

typedef struct LayResult {
    LayPage *pages;
    int n_pages;
    LayLine *lines;
    int n_lines;
    LayOutline *outline;
    int n_outline;
    /* private: glyph strings to free */
    void *priv;
} LayResult;

typedef struct LayEngine LayEngine;

/* fontmap: borrowed, must outlive the engine.  hyph_dir: where hyph_*.dic live
 * (NULL = /usr/share/hyphen).  Per thread. */
LayEngine *lay_engine_new(PangoFontMap *fontmap, const char *hyph_dir);
void lay_engine_free(LayEngine *e);

/* Lays out `in`.  Strings of the result live in `a` or in the result.  Warnings
 * (overfull / underfull lines, a character no font covers is an error) go to dl.
 * Returns 0, or -1 when an error was added. */
int lay_run(LayEngine *e, const LayInput *in, LayResult *out, Arena *a, DiagList *dl);
void lay_result_fini(LayResult *r);

/* How many layouts a set paragraph no layout used stays in the engine's
 * cache (0 = the default, 2).  An issue build sets about its article count,
 * so that the second phase finds every article's paragraphs set. */
void lay_engine_set_cache_keep(LayEngine *e, unsigned layouts);

/* Paragraphs the engine found in its cache (set before with the same inputs)
 * and had to set, since it was created. */
void lay_cache_stats(const LayEngine *e, int *hits, int *misses);

/* Every set paragraph r uses (its lines, glyphs and fonts, and the inputs
 * they were set from), as bytes for lay_engine_import_paragraphs in another
 * process; NULL when r holds a font that cannot be named (paraio.c). */
GBytes *lay_result_export_paragraphs(const LayResult *r);
/* Puts the paragraphs of such bytes into e's cache, where a layout finds
 * those whose inputs it sets again.  Taken only when the fonts they name are
 * the same faces for e now and Pango and HarfBuzz are the versions that
 * shaped them; bytes damaged or of another version are refused whole.
 * Returns the number of paragraphs taken (those already cached are not),
 * or -1 when refused. */
int lay_engine_import_paragraphs(LayEngine *e, GBytes *bytes);

/* Loads, on the calling thread, the hyphenation dictionary engines with
 * hyph_dir use for most words of a text in lang (engines pick dictionaries
 * by the word's script: Russian for Cyrillic, English for the rest; a
 * language written in Cyrillic gets the Russian one, any other the English
 * one), and keeps it loaded until lay_hyph_unhold.  Dictionaries are loaded
 * once per process and shared by every engine; an issue build calls this
 * on a thread of its own for the first article it lays out, so that its
 * layout does not wait the 4-13 ms a dictionary takes.  Others load when an
 * engine first needs them. */
typedef struct LayHyphHold LayHyphHold;
LayHyphHold *lay_hyph_hold(const char *hyph_dir, const char *lang);
void lay_hyph_unhold(LayHyphHold *h);    /* NULL is fine */

/* Lower-level entry points, for tests and tools --------------------------------*/

/* Hyphenation points of one word (UTF-8) for lang: sets pts[i] = 1 when a break
 * is allowed after byte i.  Returns the number of points, 0 if no dictionary. */
int lay_hyphenate(LayEngine *e, const char *lang, const char *word, int len, char *pts,
                  int left_min, int right_min);

#endif
