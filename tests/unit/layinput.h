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

/* Three paragraphs, English (its text a link), Russian and Chinese mixed with
 * Latin, in one input on a measure that breaks each into several lines: the
 * paragraph cache's round trip through bytes (test_layout.c) and its fuzz
 * harness (tests/fuzz/fuzz_paraio.c) set these. */
static inline LayInput three_paragraphs(LaySpan sp[3], LayBlock b[3])
{
    static const char *const three_texts[3][2] = {
        {"Typesetting a scholarly journal is an exercise in patience: every paragraph is "
         "broken into lines, hyphenated where the dictionary allows, and justified.", "en"},
        {"Международное сотрудничество в области образования, науки и культуры "
         "развивается; достопримечательности — «как есть».", "ru"},
        {"Chinese 中文 and English, “A” and ‘T’, mixed. 汉字 A. B. 如果 Tom, Anna, "
         "如果没有指定文件，或者文件为“-”，则从标准输入读取。", "zh"},
    };
    LayInput in = input(&sp[0], &b[0], three_texts[0][0], 10, three_texts[0][1]);
    for (int k = 1; k < 3; k++)
        input(&sp[k], &b[k], three_texts[k][0], 10, three_texts[k][1]);
    sp[0].link = "https://example.org/";
    in.blocks = b;
    in.n_blocks = 3;
    in.page.margin_outer = 100;
    return in;
}

#endif
