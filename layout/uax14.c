/* uax14.c — line break opportunities (Unicode UAX #14) for the paragraphs
 * whose characters all belong to the classes prose in Latin, Cyrillic,
 * Greek and Chinese uses; any other paragraph goes to pango_get_log_attrs.
 *
 * Why: pango_get_log_attrs computes grapheme, word and sentence boundaries
 * with the line breaks, at some 730 instructions a character, and was 11 %
 * of an issue's build; the layout reads only is_line_break and
 * is_mandatory_break.  This takes the classes from GLib, as Pango does, and
 * applies the rules of UAX #14 (with its example 7 tailoring of numbers,
 * LB25, which Pango uses) in their order of precedence.  The classes left
 * to Pango are those whose rules look further than a pair, or that these
 * texts never meet: combining marks and joiners (LB9, LB10, LB8a), zero
 * width space, Hebrew letters, contingent breaks, Hangul, regional
 * indicators, emoji, South-East Asian scripts, NEL.  test_layout.c checks,
 * paragraph by paragraph, that the answers are Pango's. */
#include "internal.h"

/* The class of c after LB1, or -1 for a class left to Pango. */
static int lb_class(gunichar c)
{
    /* a mark of another class (the combining double marks U+035C..U+0362
     * and U+034F are GL, some Tibetan and Khmer signs BA) extends the
     * grapheme before it, and Pango never breaks inside a grapheme */
    if (c >= 0x300 && g_unichar_ismark(c))
        return -1;
    /* Thai (its digits, baht sign and marks of punctuation are not SA):
     * Pango breaks a paragraph with any of it with libthai, which answers
     * differently even between Latin characters of it */
    if (c >= 0x0E00 && c <= 0x0E7F)
        return -1;
    GUnicodeBreakType t = g_unichar_break_type(c);
    switch (t) {
    case G_UNICODE_BREAK_AMBIGUOUS:
    case G_UNICODE_BREAK_UNKNOWN:
        return G_UNICODE_BREAK_ALPHABETIC;
    case G_UNICODE_BREAK_CONDITIONAL_JAPANESE_STARTER:
        return G_UNICODE_BREAK_NON_STARTER;
    case G_UNICODE_BREAK_MANDATORY:
    case G_UNICODE_BREAK_CARRIAGE_RETURN:
    case G_UNICODE_BREAK_LINE_FEED:
    case G_UNICODE_BREAK_INSEPARABLE:
    case G_UNICODE_BREAK_NON_BREAKING_GLUE:
    case G_UNICODE_BREAK_SPACE:
    case G_UNICODE_BREAK_AFTER:
    case G_UNICODE_BREAK_BEFORE:
    case G_UNICODE_BREAK_BEFORE_AND_AFTER:
    case G_UNICODE_BREAK_HYPHEN:
    case G_UNICODE_BREAK_NON_STARTER:
    case G_UNICODE_BREAK_OPEN_PUNCTUATION:
    case G_UNICODE_BREAK_CLOSE_PUNCTUATION:
    case G_UNICODE_BREAK_CLOSE_PARENTHESIS:
    case G_UNICODE_BREAK_QUOTATION:
    case G_UNICODE_BREAK_EXCLAMATION:
    case G_UNICODE_BREAK_IDEOGRAPHIC:
    case G_UNICODE_BREAK_NUMERIC:
    case G_UNICODE_BREAK_INFIX_SEPARATOR:
    case G_UNICODE_BREAK_SYMBOL:
    case G_UNICODE_BREAK_ALPHABETIC:
    case G_UNICODE_BREAK_PREFIX:
    case G_UNICODE_BREAK_POSTFIX:
    case G_UNICODE_BREAK_WORD_JOINER:
        return (int)t;
    default:
        return -1;
    }
}

#define IS(x, k) ((x) == G_UNICODE_BREAK_##k)

/* What decides the boundary before a character of class b. */
typedef struct Ctx {
    int a;          /* the class just before (SP when spaces precede) */
    int a_wide;     /* the character just before is East Asian wide, full or half width */
    int b_wide;     /* so is the character after the boundary */
    int before_sp;  /* the last class before those spaces (or a, when none) */
    int numeric;    /* LB25: after NU (NU | SY | IS)* */
    int num_close;  /* LB25: after NU (NU | SY | IS)* (CL | CP) */
    int b_next;     /* the class after b (-2 at the end of the text) */
} Ctx;

enum { LB_NO, LB_YES, LB_MUST };

/* East_Asian_Width F, W or H (GLib answers for F and W). */
static int ea_wide(gunichar c)
{
    return g_unichar_iswide(c) || (c >= 0xFF61 && c <= 0xFFDC) || (c >= 0xFFE8 && c <= 0xFFEE);
}

/* UAX #14's rules LB4 to LB31 for the boundary before b, in their order:
 * the first that applies decides. */
static int lb_rule(const Ctx *x, int b)
{
    int a = x->a, r = x->before_sp;
    /* most boundaries are inside a word: no rule before LB28 concerns two
     * letters (the numeric state matters only before NU, SY, IS, CL, CP,
     * PO, PR) */
    if (IS(a, ALPHABETIC) && IS(b, ALPHABETIC))
        return LB_NO;
    /* LB4, LB5: after a hard line break */
    if (IS(a, MANDATORY) || IS(a, LINE_FEED) || (IS(a, CARRIAGE_RETURN) && !IS(b, LINE_FEED)))
        return LB_MUST;
    if (IS(a, CARRIAGE_RETURN))
        return LB_NO;                                   /* LB5: CR × LF */
    /* LB6, LB7 */
    if (IS(b, MANDATORY) || IS(b, CARRIAGE_RETURN) || IS(b, LINE_FEED) || IS(b, SPACE))
        return LB_NO;
    /* LB11: word joiner */
    if (IS(a, WORD_JOINER) || IS(b, WORD_JOINER))
        return LB_NO;
    /* LB12, LB12a: glue */
    if (IS(a, NON_BREAKING_GLUE))
        return LB_NO;
    if (IS(b, NON_BREAKING_GLUE) && !IS(a, SPACE) && !IS(a, AFTER) && !IS(a, HYPHEN))
        return LB_NO;
    /* LB13, with example 7: × EX; [^NU] × (CL | CP | IS | SY) */
    if (IS(b, EXCLAMATION))
        return LB_NO;
    if (!IS(a, NUMERIC) && (IS(b, CLOSE_PUNCTUATION) || IS(b, CLOSE_PARENTHESIS) ||
                            IS(b, INFIX_SEPARATOR) || IS(b, SYMBOL)))
        return LB_NO;
    /* LB14-LB17: across spaces */
    if (IS(r, OPEN_PUNCTUATION))
        return LB_NO;
    if (IS(r, QUOTATION) && IS(b, OPEN_PUNCTUATION))
        return LB_NO;
    if ((IS(r, CLOSE_PUNCTUATION) || IS(r, CLOSE_PARENTHESIS)) && IS(b, NON_STARTER))
        return LB_NO;
    if (IS(r, BEFORE_AND_AFTER) && IS(b, BEFORE_AND_AFTER))
        return LB_NO;
    /* LB18: after spaces */
    if (IS(a, SPACE))
        return LB_YES;
    /* LB19: quotation marks */
    if (IS(a, QUOTATION) || IS(b, QUOTATION))
        return LB_NO;
    /* LB21 */
    if (IS(b, AFTER) || IS(b, HYPHEN) || IS(b, NON_STARTER) || IS(a, BEFORE))
        return LB_NO;
    /* LB22 (since Unicode 11, as Pango has it): × IN, whatever precedes */
    if (IS(b, INSEPARABLE))
        return LB_NO;
    /* LB23 */
    if ((IS(a, ALPHABETIC) && IS(b, NUMERIC)) || (IS(a, NUMERIC) && IS(b, ALPHABETIC)))
        return LB_NO;
    /* LB23a */
    if ((IS(a, PREFIX) && IS(b, IDEOGRAPHIC)) || (IS(a, IDEOGRAPHIC) && IS(b, POSTFIX)))
        return LB_NO;
    /* LB24 */
    if (((IS(a, PREFIX) || IS(a, POSTFIX)) && IS(b, ALPHABETIC)) ||
        (IS(a, ALPHABETIC) && (IS(b, PREFIX) || IS(b, POSTFIX))))
        return LB_NO;
    /* LB25, example 7 */
    if ((IS(a, PREFIX) || IS(a, POSTFIX)) && IS(b, NUMERIC))
        return LB_NO;
    if ((IS(a, PREFIX) || IS(a, POSTFIX)) && (IS(b, OPEN_PUNCTUATION) || IS(b, HYPHEN)) &&
        IS(x->b_next, NUMERIC))
        return LB_NO;
    if ((IS(a, OPEN_PUNCTUATION) || IS(a, HYPHEN)) && IS(b, NUMERIC))
        return LB_NO;
    if (IS(a, NUMERIC) && (IS(b, NUMERIC) || IS(b, SYMBOL) || IS(b, INFIX_SEPARATOR)))
        return LB_NO;
    if (x->numeric && (IS(b, NUMERIC) || IS(b, SYMBOL) || IS(b, INFIX_SEPARATOR) ||
                       IS(b, CLOSE_PUNCTUATION) || IS(b, CLOSE_PARENTHESIS)))
        return LB_NO;
    if ((x->numeric || x->num_close) && (IS(b, POSTFIX) || IS(b, PREFIX)))
        return LB_NO;
    /* LB28, LB29 */
    if (IS(a, ALPHABETIC) && IS(b, ALPHABETIC))
        return LB_NO;
    if (IS(a, INFIX_SEPARATOR) && IS(b, ALPHABETIC))
        return LB_NO;
    /* LB30, for parentheses that are not East Asian wide, full or half width */
    if ((IS(a, ALPHABETIC) || IS(a, NUMERIC)) && IS(b, OPEN_PUNCTUATION) && !x->b_wide)
        return LB_NO;
    if (IS(a, CLOSE_PARENTHESIS) && !x->a_wide && (IS(b, ALPHABETIC) || IS(b, NUMERIC)))
        return LB_NO;
    return LB_YES;                                      /* LB31 */
}

int uax14_breaks(const gunichar *ch, int n, PangoLogAttr *la)
{
    int *cls = g_new(int, (gsize)n + 1);
    for (int i = 0; i < n; i++)
        if ((cls[i] = lb_class(ch[i])) < 0) {
            g_free(cls);
            return -1;
        }
    Ctx x = {.a = -1, .before_sp = -1, .b_next = -2};
    for (int i = 0; i <= n; i++) {
        /* the end of the text counts as a paragraph separator (BK) */
        int b = i < n ? cls[i] : G_UNICODE_BREAK_MANDATORY;
        la[i].is_line_break = la[i].is_mandatory_break = 0;
        if (i > 0) {
            x.b_next = i + 1 < n ? cls[i + 1] : -2;
            x.b_wide = i < n && (IS(b, OPEN_PUNCTUATION) || IS(b, CLOSE_PARENTHESIS)) && ea_wide(ch[i]);
            int r = lb_rule(&x, b);
            la[i].is_line_break = r != LB_NO;
            la[i].is_mandatory_break = r == LB_MUST;
        }
        /* the state for the next boundary */
        if (IS(b, SPACE)) {
            if (!IS(x.a, SPACE))
                x.before_sp = x.a;
        } else {
            x.before_sp = b;
        }
        int num = x.numeric;
        if (IS(b, NUMERIC)) {
            x.numeric = 1;
            x.num_close = 0;
        } else if (IS(b, SYMBOL) || IS(b, INFIX_SEPARATOR)) {
            x.num_close = 0;    /* numeric stays as it was */
        } else if (IS(b, CLOSE_PUNCTUATION) || IS(b, CLOSE_PARENTHESIS)) {
            x.numeric = 0;
            x.num_close = num;
        } else {
            x.numeric = x.num_close = 0;
        }
        x.a_wide = i < n && (IS(b, OPEN_PUNCTUATION) || IS(b, CLOSE_PARENTHESIS)) && ea_wide(ch[i]);
        x.a = b;
    }
    /* LB3: a break at the end; it is a hard one, as Pango has it */
    la[n].is_line_break = 1;
    la[n].is_mandatory_break = 1;
    g_free(cls);
    return 0;
}
