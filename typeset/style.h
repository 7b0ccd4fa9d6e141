/* style.h — a journal style: page geometry, text roles, line-breaking and
 * microtypography parameters, labels and templates, all read from a YAML file
 * (styles/NAME.yaml).  Every key is declared once in style.c's key table (type,
 * default, unit, help), which drives parsing, defaults, validation and
 * `typeset style --help-keys`.  A Style is immutable after style_load and may be
 * shared read-only between threads.  Lengths are stored in points. */
#ifndef TS_STYLE_H
#define TS_STYLE_H

#include "../layout/base.h"
#include "../layout/params.h"

/* Text roles.  The order is the order of style_role_names[]. */
typedef enum {
    ROLE_BODY, ROLE_MASTHEAD, ROLE_ARTICLE_TYPE, ROLE_TITLE, ROLE_SUBTITLE, ROLE_AUTHOR,
    ROLE_AFFILIATION, ROLE_ABOUT, ROLE_LABEL, ROLE_ABSTRACT, ROLE_KEYWORDS, ROLE_DATES,
    ROLE_HEADING1, ROLE_HEADING2, ROLE_HEADING3, ROLE_QUOTE, ROLE_LIST, ROLE_CODE,
    ROLE_TABLE, ROLE_CAPTION, ROLE_FOOTNOTE, ROLE_REFERENCES, ROLE_CITATION,
    ROLE_LICENSE, ROLE_RUNNING_HEAD, ROLE_FOLIO,
    ROLE_COUNT
} StyleRoleId;
extern const char *const style_role_names[ROLE_COUNT];

/* A font set names one family per script; roles pick a set by name. */
typedef struct StyleFontSet {
    const char *name;       /* "serif", "sans", "mono" */
    const char *latin;      /* family for Latin and Cyrillic, e.g. "PT Serif" */
    const char *cjk;        /* family for Han, e.g. "Noto Serif CJK SC" */
    const char *families;   /* the two as one Pango family list, made once by
                               the loader ("PT Serif, Noto Serif CJK SC") */
} StyleFontSet;
#define STYLE_MAX_FONTSETS 8

typedef struct StyleRole {
    int fontset;            /* index into Style.fontsets */
    double size, leading;   /* pt */
    int bold, italic;
    LayAlign align;
    double first_indent;    /* pt, first line of a paragraph (not after a heading) */
    double left_indent, right_indent;   /* pt */
    double hang_indent;     /* pt: lines after the first start this much further in */
    double space_before, space_after;   /* pt */
    int hyphenate;
    int uppercase;
    int keep_with_next;     /* headings: keep with the next two lines */
} StyleRole;


typedef enum {
    LABEL_ABSTRACT, LABEL_KEYWORDS, LABEL_REFERENCES, LABEL_FOR_CITATIONS, LABEL_ABOUT_AUTHOR,
    LABEL_ABOUT_AUTHORS, LABEL_RECEIVED, LABEL_ACCEPTED, LABEL_PUBLISHED, LABEL_FIGURE,
    LABEL_TABLE, LABEL_EMAIL, LABEL_ORCID, LABEL_CONTINUED,
    LABEL_COUNT
} StyleLabelId;
extern const char *const style_label_names[LABEL_COUNT];
#define STYLE_LANGS 3       /* 0 = en, 1 = ru, 2 = zh */

typedef struct Style {
    const char *name;       /* from the file */
    const char *path;       /* the file it was loaded from */
    /* page (pt) */
    double page_width, page_height;
    double margin_top, margin_bottom, margin_inner, margin_outer;
    double head_offset;     /* running head baseline distance above the text block top */
    double folio_offset;    /* folio baseline distance below the text block bottom */
    int columns;
    double column_gap;
    int running_heads;      /* 0: none */
    int recto_start;        /* articles in an issue start on odd pages */
    /* footnotes */
    double footnote_rule_width, footnote_rule_length, footnote_gap;
    /* fonts and roles */
    StyleFontSet fontsets[STYLE_MAX_FONTSETS];
    int n_fontsets;
    StyleRole roles[ROLE_COUNT];
    LayBreakParams brk;     /* protrusion table owned by the Style */
    LayBreakParams brk_lang[STYLE_LANGS];   /* brk with languages.<lang>.linebreak applied */
    /* widows and orphans */
    int widow_penalty, club_penalty;
    /* labels per language, never NULL after load ("" if unset) */
    const char *labels[LABEL_COUNT][STYLE_LANGS];
    /* templates with {field} placeholders, see compose.c for the fields */
    const char **masthead;  /* lines of the first-page masthead */
    int n_masthead;
    const char *citation_template;  /* the "For citations" line */
    const char *running_verso, *running_recto;
    const char *folio_template;     /* e.g. "{page}" */
    const char *license_text;       /* printed when the article names no licence */
    double masthead_rule;           /* pt, rule under the masthead; 0 = none */
} Style;

/* Loads a style by NAME (looked up as DATADIR/styles/NAME.yaml) or by PATH
 * (anything containing '/' or ending in .yaml or .yml).  Returns NULL after
 * adding an error at the offending key's position.  The result owns all its
 * memory. */
Style *style_load(const char *name_or_path, const char *datadir, DiagList *dl);

/* Whether style_load takes name_or_path as a path, and the file it reads for
 * it (g_free it). */
int style_is_path(const char *name_or_path);
char *style_file(const char *name_or_path, const char *datadir);
void style_free(Style *s);
/* A font set's latin and cjk families as one Pango family list, in a. */
const char *style_fontset_families(const StyleFontSet *set, Arena *a);

/* The line-breaking parameters for an article in lang (BCP 47): the
 * language's own when it is en, ru or zh, else linebreak's. */
const LayBreakParams *style_linebreak(const Style *s, const char *lang);

/* Index of a label language for a BCP 47 tag ("ru-RU" -> 1); unknown -> 0. */
int style_lang_index(const char *lang);
const char *style_label(const Style *s, StyleLabelId id, const char *lang);

/* Prints the key table (name, type, default, unit, help) to f. */
#include <stdio.h>
void style_print_keys(FILE *f);

#endif
