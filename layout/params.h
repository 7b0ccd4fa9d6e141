/* params.h — plain parameter structs the engine takes from a style: alignment
 * and the line-breaking / microtypography parameters.  Declared here so the
 * engine needs no knowledge of style files; typeset/style.c fills them. */
#ifndef TS_PARAMS_H
#define TS_PARAMS_H

#include <stdint.h>

typedef enum { ALIGN_JUSTIFY, ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } LayAlign;

typedef struct LayProtrusion {
    uint32_t ch;            /* code point */
    float left, right;      /* fraction of the glyph's advance hung into the margin */
} LayProtrusion;

typedef struct LayBreakParams {
    int pretolerance, tolerance;        /* TeX \pretolerance, \tolerance (badness) */
    int line_penalty;                   /* \linepenalty */
    int hyphen_penalty, exhyphen_penalty;
    int double_hyphen_demerits, final_hyphen_demerits, adj_demerits;
    double emergency_stretch;           /* pt, third pass */
    int looseness;
    double space_stretch, space_shrink; /* fractions of the font's space width */
    double cjk_stretch, cjk_shrink;     /* em per inter-ideograph boundary */
    double cjk_latin_space;             /* em inserted between Han and Latin/digits */
    int hyphen_left_min, hyphen_right_min;
    int hyphenate_last_word;            /* 0: never hyphenate a paragraph's last word */
    double ragged_last_line_min;        /* ragged paragraphs: a last line shorter than this
                                           fraction of the measure costs demerits */
    double expansion, expansion_step;   /* font expansion: max fraction (0.02) and step */
    int protrusion_on;
    const LayProtrusion *protrusion;    /* sorted by ch */
    int n_protrusion;
} LayBreakParams;

#endif
