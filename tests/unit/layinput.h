/* layinput.h — one justified paragraph on a 300 x 400 pt page, the engine
 * input the layout and painter unit tests start from.  size: the font size
 * (pt); lang: the paragraph's language. */
#ifndef TS_TEST_LAYINPUT_H
#define TS_TEST_LAYINPUT_H

#include <string.h>

#include "../../layout/layout.h"

static LayInput input(LaySpan *sp, LayBlock *b, const char *text, double size, const char *lang)
{
    *sp = (LaySpan){.start = 0, .end = (int)strlen(text),
                    .font = {.families = "PT Serif, Noto Serif CJK SC", .size = size}};
    *b = (LayBlock){.kind = LB_PARA,
                    .para = {.text = text, .len = (int)strlen(text), .spans = sp, .n_spans = 1,
                             .lang = lang, .align = ALIGN_JUSTIFY, .leading = size * 1.3,
                             .hyphenate = 1, .src_line = 5}};
    LayInput in = {.file = "test", .blocks = b, .n_blocks = 1};
    in.page = (LayPageSpec){.width = 300, .height = 400, .margin_top = 20, .margin_bottom = 20,
                            .margin_inner = 20, .margin_outer = 20, .columns = 1, .first_number = 1,
                            .folio_font = sp->font, .head_font = sp->font, .lang = lang};
    in.brk = (LayBreakParams){.pretolerance = 100, .tolerance = 400, .line_penalty = 10,
                              .hyphen_penalty = 50, .exhyphen_penalty = 50,
                              .double_hyphen_demerits = 10000, .final_hyphen_demerits = 5000,
                              .adj_demerits = 10000, .emergency_stretch = 10, .space_stretch = 0.5,
                              .space_shrink = 0.33, .cjk_stretch = 0.1, .hyphen_left_min = 2,
                              .hyphen_right_min = 3, .expansion = 0.02, .expansion_step = 0.005};
    return in;
}

#endif
