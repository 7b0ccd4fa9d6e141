/* paragraph.c — one paragraph from styled text to set lines:
 *   insert hyphenation points (libhyphen) → itemize and shape once (Pango) →
 *   boxes, glue and penalties (break chances from UAX #14 via Pango's log
 *   attributes, tailored for kinsoku, URLs, CJK spacing) → Knuth–Plass
 *   (linebreak.c) → lines cut from the already-shaped glyphs, with the chosen
 *   glue widths, font expansion and margin protrusion.  Only a line that ends
 *   in an added hyphen is re-shaped (its last segment). */
#include "internal.h"
#include "linebreak.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHY 0x00AD
/* Words in capitals this long or longer may be hyphenated; shorter ones are
 * taken for acronyms. */
#define HYPH_CAPS_MIN 8

/* ---- character classes ----------------------------------------------------*/

static inline int is_cjk(gunichar c)
{
    if (c < 0x3000)
        return 0;               /* (Latin and Cyrillic text asks for every character) */
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF) ||
           (c >= 0x3040 && c <= 0x30FF) || (c >= 0x20000 && c <= 0x2FFFF) ||
           (c >= 0xF900 && c <= 0xFAFF);
}

static inline int is_han(gunichar c)
{
    if (c < 0x3400)
        return 0;
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0xF900 && c <= 0xFAFF);
}

/* clreq §3.1.7 / JIS X 4051 kinsoku: characters that may not start a line. */
static int no_line_start(gunichar c)
{
    switch (c) {
    case '.': case ',': case ';': case ':': case '?': case '!': case ')': case ']': case '}':
    case 0x00BB: /* » */ case 0x00B7: /* · */
    case 0x3002: /* 。 */ case 0xFF0C: /* ， */ case 0x3001: /* 、 */ case 0xFF1B: /* ； */
    case 0xFF1A: /* ： */ case 0xFF1F: /* ？ */ case 0xFF01: /* ！ */ case 0xFF09: /* ） */
    case 0x300D: /* 」 */ case 0x300F: /* 』 */ case 0x300B: /* 》 */ case 0x3009: /* 〉 */
    case 0x3011: /* 】 */ case 0x3015: /* 〕 */ case 0x3017: /* 〗 */ case 0x3019: /* 〙 */
    case 0x301B: /* 〛 */ case 0x201D: /* ” */ case 0x2019: /* ’ */ case 0x2026: /* … */
    case 0x2025: /* ‥ */ case 0x30FB: /* ・ */ case 0x30FC: /* ー */ case 0xFF5E: /* ～ */
    case 0xFF05: /* ％ */ case 0x2030: /* ‰ */ case 0x2103: /* ℃ */
        return 1;
    default:
        return 0;
    }
}

/* … and characters that may not end one. */
static int no_line_end(gunichar c)
{
    switch (c) {
    case 0xFF08: /* （ */ case 0x300C: /* 「 */ case 0x300E: /* 『 */ case 0x300A: /* 《 */
    case 0x3008: /* 〈 */ case 0x3010: /* 【 */ case 0x3014: /* 〔 */ case 0x3016:
    case 0x201C: /* “ */ case 0x2018: /* ‘ */ case '(': case '[': case 0xAB: /* « */
        return 1;
    default:
        return 0;
    }
}

/* Full-width CJK punctuation whose glyph occupies one half of the em box
 * (clreq §3.1.6): closing ones are ink-left, opening ones ink-right. */
static int cjk_closing_punct(gunichar c)
{
    return c == 0x3002 || c == 0xFF0C || c == 0x3001 || c == 0xFF1B || c == 0xFF1A ||
           c == 0xFF09 || c == 0x300D || c == 0x300F || c == 0x300B || c == 0x3009 ||
           c == 0x3011 || c == 0x3015 || c == 0x201D || c == 0x2019;
}

static int cjk_opening_punct(gunichar c)
{
    return c == 0xFF08 || c == 0x300C || c == 0x300E || c == 0x300A || c == 0x3008 ||
           c == 0x3010 || c == 0x3014;
}

static int is_latin_or_digit(gunichar c)
{
    return (c < 0x250 && g_unichar_isalnum(c)) ||
           (c >= 0x400 && c <= 0x4FF && g_unichar_isalpha(c));
}

static const LayProtrusion *protrusion_of(const LayBreakParams *brk, gunichar c)
{
    int lo = 0, hi = brk->n_protrusion - 1;
    if (!brk->protrusion_on || !brk->protrusion)
        return NULL;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (brk->protrusion[mid].ch == c)
            return &brk->protrusion[mid];
        if (brk->protrusion[mid].ch < c)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

/* ---- step 1: hyphenation points ------------------------------------------------
 * Finds the hyphenation points of every eligible word and marks them by byte:
 * hyph_at[b] = 1 when a hyphen break is allowed before byte b.  The text is
 * not changed (no soft hyphens are inserted), so shaping sees the words whole:
 * kerning and ligatures across a hyphenation point form as usual, and text
 * extraction gives the words back unchanged.  Soft hyphens the author typed
 * stay in the text and are break points of their own. */
typedef struct Text {
    char *s;
    int len;
    LaySpan *spans;
    int n_spans;
    unsigned char *hyph_at;     /* per byte, len + 1 entries */
} Text;

/* The character at s, and whether it is a letter or a capital, with ASCII
 * answered here: the scan for words to hyphenate asks for every character
 * of every paragraph, and most are ASCII. */
static inline gunichar char_at(const char *s)
{
    unsigned char b = (unsigned char)*s;
    return b < 0x80 ? b : g_utf8_get_char(s);
}

static inline int letter(gunichar c)
{
    return c < 0x80 ? (c | 32) - 'a' < 26u : g_unichar_isalpha(c) != 0;
}

static inline int capital(gunichar c)
{
    return c < 0x80 ? c - 'A' < 26u : g_unichar_isupper(c) != 0;
}

static int span_hyphenates(const LayPara *p, const LaySpan *sp)
{
    return p->hyphenate && !(sp->flags & (LAY_NOHYPH | LAY_URL));
}

/* Where the paragraph's last word starts (hyphenate_last_word off: never broken). */
static int last_word_start(const LayPara *p)
{
    const char *q = p->text + p->len;
    while (q > p->text) {
        const char *prev = g_utf8_prev_char(q);
        if (g_unichar_isalpha(g_utf8_get_char(prev)) || g_utf8_get_char(prev) == SHY)
            break;
        q = prev;
    }
    while (q > p->text) {
        const char *prev = g_utf8_prev_char(q);
        if (!g_unichar_isalpha(g_utf8_get_char(prev)))
            break;
        q = prev;
    }
    return (int)(q - p->text);
}

static void text_hyphenate(LayEngine *e, const LayPara *p, const LayBreakParams *brk, Arena *a,
                           Arena *scratch, Text *t)
{
    t->s = arena_strndup(a, p->text, (size_t)p->len);  /* the lines' glyphs point into it */
    t->len = p->len;
    /* a tab in running text is a word space (a code block's were expanded
     * to its tab stops by compose.c): no font has a glyph for it, and Pango
     * drew a hex box there, as wide as one */
    for (char *q = memchr(t->s, '\t', (size_t)t->len); q; q = memchr(q, '\t', (size_t)(t->s + t->len - q)))
        *q = ' ';
    t->spans = arena_calloc(scratch, (size_t)(p->n_spans ? p->n_spans : 1), sizeof *t->spans);
    memcpy(t->spans, p->spans, (size_t)p->n_spans * sizeof *t->spans);
    t->n_spans = p->n_spans;
    t->hyph_at = arena_alloc(scratch, (size_t)p->len + 1);
    int last_word = brk->hyphenate_last_word ? p->len : last_word_start(p);
    for (int si = 0; si < p->n_spans; si++) {
        const LaySpan *sp = &p->spans[si];
        if (!span_hyphenates(p, sp))
            continue;
        int i = sp->start;
        while (i < sp->end) {
            gunichar c = char_at(p->text + i);
            if (!letter(c)) {
                i = (int)(g_utf8_next_char(p->text + i) - p->text);
                continue;
            }
            /* a word: a maximal run of letters within the span */
            int w0 = i, w1 = i, upper = 0, letters = 0;
            while (w1 < sp->end) {
                gunichar d = char_at(p->text + w1);
                if (!letter(d))
                    break;
                upper += capital(d);
                letters++;
                w1 = (int)(g_utf8_next_char(p->text + w1) - p->text);
            }
            gunichar before = w0 > 0 ? char_at(g_utf8_prev_char(p->text + w0)) : ' ';
            gunichar after = w1 < p->len ? char_at(p->text + w1) : ' ';
            /* the dictionary by the word's script, not the paragraph's language */
            Hyph *h = engine_hyph(e, c >= 0x400 && c <= 0x52F);
            /* a short word in capitals is an acronym (NATO, ASEAN, UNESCO) and
             * is never broken; a long one is a word set in capitals */
            int acronym = upper == letters && letters < HYPH_CAPS_MIN;
            int eligible = h && letters >= brk->hyphen_left_min + brk->hyphen_right_min &&
                           !acronym && !g_unichar_isdigit(before) &&
                           !g_unichar_isdigit(after) && before != '@' && after != '@' &&
                           before != SHY && after != SHY && w0 < last_word &&
                           !(before == '/' || after == '/');
            if (eligible) {
                char small[128];
                char *pts = w1 - w0 <= (int)sizeof small ? small : g_malloc0((size_t)(w1 - w0));
                if (engine_hyph_word(e, h, p->text + w0, w1 - w0, pts, brk->hyphen_left_min,
                                     brk->hyphen_right_min))
                    for (int k = w0; k + 1 < w1; k++)
                        if (pts[k - w0])
                            t->hyph_at[k + 1] = 1;
                if (pts != small)
                    g_free(pts);
            }
            i = w1;
        }
    }
}

/* ---- step 2: shaping -------------------------------------------------------------*/
typedef struct Piece {
    PangoItem *item;
    PangoGlyphString *glyphs;
    int span;
    int ascending;              /* log_clusters never decrease (left-to-right text) */
} Piece;

typedef struct Shaped {
    Text t;
    int nchars;
    int *boff;                  /* char index -> byte offset, nchars+1 entries */
    int *cidx;                  /* byte offset -> char index (len+1) */
    gunichar *ch;
    Scaled *cw;                 /* char widths (Pango units == Scaled) */
    int *cpiece;                /* char -> piece */
    PangoLogAttr *la;
    Piece *pieces;
    int n_pieces;
    Scaled *hyw;                /* per piece: hyphen width, 0 until needed */
    int *cluster;               /* char -> byte where its glyph cluster starts */
} Shaped;

/* The description of font f: its families parsed once per engine (Pango's
 * parser was 1 % of a build, a paragraph's every span parsing the same
 * few family lists). */
static PangoFontDescription *font_desc(LayEngine *e, const LayFont *f)
{
    const char *fam = f->families && *f->families ? f->families : "Serif";
    PangoFontDescription *parsed = g_hash_table_lookup(e->families, fam);
    if (!parsed) {
        parsed = pango_font_description_from_string(fam);
        g_hash_table_insert(e->families, g_strdup(fam), parsed);
    }
    PangoFontDescription *d = pango_font_description_copy(parsed);
    pango_font_description_set_absolute_size(d, f->size * PANGO_SCALE);
    pango_font_description_set_weight(d, f->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(d, f->italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    return d;
}

/* Whether a and b ask for the same font. */
static int same_font(const LayFont *a, const LayFont *b)
{
    return a->size == b->size && a->bold == b->bold && a->italic == b->italic &&
           g_strcmp0(a->families, b->families) == 0;
}

/* Each font and language of p's spans not in seen yet: its fontset asked
 * for now (itemize_prefetch).  (The key was formatted for every span: 1.4 %
 * of an issue build, in snprintf's %f.) */
void para_prefetch_fonts(LayEngine *e, const LayPara *p, FontsSeen *seen)
{
    const char *lang = p->lang ? p->lang : "en";
    for (int k = 0; k < p->n_spans; k++) {
        const LayFont *f = &p->spans[k].font;
        if (seen->last && same_font(f, seen->last) && strcmp(lang, seen->last_lang) == 0)
            continue;
        seen->last = f;
        seen->last_lang = lang;
        char key[512];
        snprintf(key, sizeof key, "%s|%.3f|%d|%d|%s", f->families ? f->families : "", f->size,
                 f->bold, f->italic, lang);
        if (g_hash_table_contains(seen->keys, key))
            continue;
        g_hash_table_add(seen->keys, g_strdup(key));
        PangoFontDescription *d = font_desc(e, f);
        itemize_prefetch(e, d, pango_language_from_string(lang));
        pango_font_description_free(d);
    }
}

static int span_at(const Text *t, int byte)
{
    int lo = 0, hi = t->n_spans - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (t->spans[mid].start <= byte)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* One error per paragraph, naming its first character no configured font
 * covers and how many others there are. */
static void report_uncovered(const Shaped *s, const LayPara *p, const char *file, DiagList *dl)
{
    gunichar first = 0;
    int first_byte = 0, others = 0;
    for (int k = 0; k < s->n_pieces; k++) {
        const Piece *pc = &s->pieces[k];
        for (int g = 0; g < pc->glyphs->num_glyphs; g++) {
            PangoGlyph gl = pc->glyphs->glyphs[g].glyph;
            if (!(gl & PANGO_GLYPH_UNKNOWN_FLAG) || gl == PANGO_GLYPH_EMPTY)
                continue;
            int byte = pc->item->offset + pc->glyphs->log_clusters[g];
            gunichar c = g_utf8_get_char(s->t.s + byte);
            if (g_unichar_iscntrl(c) || g_unichar_type(c) == G_UNICODE_FORMAT ||
                g_unichar_isspace(c) || c == 0x2028)
                continue;
            /* the first in reading order (glyphs of right-to-left runs come reversed) */
            if (!first || byte < first_byte) {
                if (first && c != first)
                    others++;
                first = c;
                first_byte = byte;
            } else if (c != first) {
                others++;
            }
        }
    }
    if (!first)
        return;
    const LaySpan *sp = &s->t.spans[span_at(&s->t, first_byte)];
    char u[8] = {0};
    g_unichar_to_utf8(first, u);
    if (others)
        diag_add(dl, DIAG_ERROR, file, sp->src_line ? sp->src_line : p->src_line, 1,
                 "no configured font covers U+%04X '%s' (nor %d more characters in this paragraph)",
                 (unsigned)first, u, others);
    else
        diag_add(dl, DIAG_ERROR, file, sp->src_line ? sp->src_line : p->src_line, 1,
                 "no configured font covers U+%04X '%s'", (unsigned)first, u);
}

/* In Chinese text the quotation marks, dashes and ellipsis that Latin and
 * Chinese share are full-width (clreq §3.1.2): take them from the CJK face by
 * putting the last family of the span's list first. */
static int cjk_shared_punct(gunichar c)
{
    return c == 0x201C || c == 0x201D || c == 0x2018 || c == 0x2019 || c == 0x2014 ||
           c == 0x2026 || c == 0x00B7;
}

/* Whether character i of a Chinese paragraph is a shared mark set full-width
 * from the CJK face; an apostrophe touching a Latin letter belongs to the
 * Latin word (O’Neill, ‘BRICS’) and keeps the Latin face. */
static int cjk_wide_punct(const Shaped *s, int i)
{
    if (!cjk_shared_punct(s->ch[i]))
        return 0;
    return !((i > 0 && is_latin_or_digit(s->ch[i - 1]) && s->ch[i] == 0x2019) ||
             (i + 1 < s->nchars && is_latin_or_digit(s->ch[i + 1]) && s->ch[i] == 0x2019));
}

static int is_zh(const LayPara *p)
{
    return p->lang && strncmp(p->lang, "zh", 2) == 0;
}

/* Whether character i is set full-width: an ideograph, kana, CJK or
 * full-width punctuation, or a shared mark in the CJK face. */
static int cjk_wide_at(const LayPara *p, const Shaped *s, int i)
{
    return is_cjk(s->ch[i]) || (is_zh(p) && cjk_wide_punct(s, i));
}

static void cjk_punct_fonts(LayEngine *e, const Text *t, const Shaped *s, PangoAttrList *attrs)
{
    for (int i = 0; i < s->nchars; i++) {
        if (!cjk_wide_punct(s, i))
            continue;
        const LaySpan *sp = &t->spans[span_at(t, s->boff[i])];
        const char *fam = sp->font.families;
        const char *comma = fam ? strrchr(fam, ',') : NULL;
        if (!comma)
            continue;
        LayFont f = sp->font;
        char *swapped = g_strdup_printf("%s, %.*s", comma + 1 + (comma[1] == ' '),
                                        (int)(comma - fam), fam);
        f.families = swapped;
        PangoFontDescription *d = font_desc(e, &f);
        g_free(swapped);
        PangoAttribute *fa = pango_attr_font_desc_new(d);
        pango_font_description_free(d);
        fa->start_index = (guint)s->boff[i];
        fa->end_index = (guint)s->boff[i + 1];
        pango_attr_list_change(attrs, fa);
    }
}

/* Each character's width in glyph item gi of paragraph txt, into w, as
 * pango_glyph_item_get_logical_widths gives it (a cluster's width shared
 * equally by its characters, the remainder to the first), walked directly
 * for a left-to-right item whose clusters go forward (Pango's iterator was
 * 2 % of a build); anything else, and every item when the engine checks
 * itself (TYPESET_CHECK_ITEMIZE), through Pango. */
static void logical_widths(LayEngine *e, PangoGlyphItem *gi, const char *txt, int *w)
{
    const PangoGlyphString *g = gi->glyphs;
    int ng = g->num_glyphs, forward = !(gi->item->analysis.level & 1) && ng > 0 &&
                                      g->log_clusters[0] == 0;
    for (int i = 1; i < ng && forward; i++)
        forward = g->log_clusters[i] >= g->log_clusters[i - 1];
    if (!forward) {
        pango_glyph_item_get_logical_widths(gi, txt, w);
        return;
    }
    const char *base = txt + gi->item->offset;
    int ch = 0;
    for (int i = 0; i < ng;) {
        int j = i, width = 0;
        while (j < ng && g->log_clusters[j] == g->log_clusters[i])
            width += g->glyphs[j++].geometry.width;
        int start = g->log_clusters[i], stop = j < ng ? g->log_clusters[j] : gi->item->length;
        /* most clusters are one character, most of those one byte */
        int n = stop - start == 1 ? 1 : (int)utf8_chars(base + start, stop - start);
        if (n == 1) {
            w[ch++] = width;
        } else if (n > 0) {
            int each = width / n;
            for (int k = 0; k < n; k++)
                w[ch + k] = each;
            w[ch] += width - each * n;
            ch += n;
        }
        i = j;
    }
    if (e->itemize_check) {
        int *theirs = g_new(int, gi->item->num_chars + 1);
        pango_glyph_item_get_logical_widths(gi, txt, theirs);
        if (ch != gi->item->num_chars ||
            memcmp(theirs, w, sizeof(int) * (size_t)gi->item->num_chars) != 0) {
            fprintf(stderr, "typeset: itemize check: character widths differ from Pango's for \"%.*s\"\n",
                    gi->item->length < 60 ? gi->item->length : 60, base);
            abort();
        }
        g_free(theirs);
    }
}

static int shape_text(LayEngine *e, const LayPara *p, Shaped *s, GlyphPool *pool, Arena *a,
                      const char *file, DiagList *dl)
{
    const Text *t = &s->t;
    const char *txt = t->s;
    s->nchars = (int)utf8_chars(txt, t->len);
    s->boff = arena_calloc(a, (size_t)s->nchars + 1, sizeof *s->boff);
    s->cidx = arena_calloc(a, (size_t)t->len + 1, sizeof *s->cidx);
    s->ch = arena_calloc(a, (size_t)s->nchars + 1, sizeof *s->ch);
    s->cw = arena_calloc(a, (size_t)s->nchars + 1, sizeof *s->cw);
    s->cpiece = arena_calloc(a, (size_t)s->nchars + 1, sizeof *s->cpiece);
    s->la = arena_calloc(a, (size_t)s->nchars + 1, sizeof *s->la);
    s->cluster = arena_calloc(a, (size_t)s->nchars + 1, sizeof *s->cluster);
    for (int i = 0, b = 0; i < s->nchars; i++) {
        s->boff[i] = b;
        unsigned char c0 = (unsigned char)txt[b];
        if (c0 < 0x80) {            /* ASCII, most of Latin text: no decoding */
            s->ch[i] = c0;
            s->cidx[b++] = i;
            continue;
        }
        s->ch[i] = g_utf8_get_char(txt + b);
        int nb = (int)(g_utf8_next_char(txt + b) - (txt + b));
        for (int k = 0; k < nb; k++)
            s->cidx[b + k] = i;
        b += nb;
    }
    s->boff[s->nchars] = t->len;
    s->cidx[t->len] = s->nchars;

    PangoLanguage *lang = pango_language_from_string(p->lang ? p->lang : "en");
    if (e->uax14_off || uax14_breaks(s->ch, s->nchars, s->la) != 0)
        pango_get_log_attrs(txt, t->len, -1, lang, s->la, s->nchars + 1);

    PangoAttrList *attrs = pango_attr_list_new();
    PangoAttribute *la = pango_attr_language_new(lang);
    la->start_index = 0;
    la->end_index = (guint)t->len;
    pango_attr_list_insert(attrs, la);
    for (int k = 0; k < t->n_spans; k++) {
        PangoFontDescription *d = font_desc(e, &t->spans[k].font);
        PangoAttribute *fa = pango_attr_font_desc_new(d);
        pango_font_description_free(d);
        fa->start_index = (guint)t->spans[k].start;
        fa->end_index = (guint)t->spans[k].end;
        pango_attr_list_insert(attrs, fa);
    }
    if (is_zh(p))
        cjk_punct_fonts(e, t, s, attrs);
    GList *items = itemize_paragraph(e, txt, t->len, s->ch, s->nchars, attrs);
    pango_attr_list_unref(attrs);

    /* split items at span boundaries (links, footnote markers, flags) */
    VEC(Piece) pcs = {0};
    for (GList *l = items; l; l = l->next) {
        PangoItem *it = l->data;
        for (;;) {
            int si = span_at(t, it->offset);
            int end = t->spans[si].end;
            if (end < it->offset + it->length && end > it->offset) {
                int nc = (int)utf8_chars(txt + it->offset, end - it->offset);
                PangoItem *first = pango_item_split(it, end - it->offset, nc);
                VEC_PUSH(pcs, ((Piece){first, NULL, si, 0}));
                continue;
            }
            VEC_PUSH(pcs, ((Piece){it, NULL, si, 0}));
            break;
        }
    }
    g_list_free(items);
    s->pieces = arena_calloc(a, (size_t)(pcs.n ? pcs.n : 1), sizeof *s->pieces);
    if (pcs.n)
        memcpy(s->pieces, pcs.v, (size_t)pcs.n * sizeof *pcs.v);
    s->n_pieces = pcs.n;
    s->hyw = arena_calloc(a, (size_t)(pcs.n ? pcs.n : 1), sizeof *s->hyw);
    free(pcs.v);

    for (int k = 0; k < s->n_pieces; k++) {
        Piece *pc = &s->pieces[k];
        pc->glyphs = pango_glyph_string_new();
        int c0 = s->cidx[pc->item->offset];
        engine_pin_font(e, pc->item->analysis.font);    /* before the memo keeps it */
        words_shape_item(e, pc->item, txt, t->len, s->la + c0, pc->glyphs);
        PangoGlyphItem gi = {pc->item, pc->glyphs, 0, 0, 0};
        logical_widths(e, &gi, txt, s->cw + c0);
        /* each char's cluster: a ligature's chars share one, and no break
         * may fall inside it without re-shaping */
        for (int g = 0; g < pc->glyphs->num_glyphs; g++) {
            int cb = pc->item->offset + pc->glyphs->log_clusters[g];
            int end = pc->item->offset + pc->item->length;
            for (int h = g + 1; h < pc->glyphs->num_glyphs; h++) {
                int nb = pc->item->offset + pc->glyphs->log_clusters[h];
                if (nb != cb) {
                    end = nb;
                    break;
                }
            }
            for (int bb = cb; bb < end; bb = (int)(g_utf8_next_char(txt + bb) - txt))
                s->cluster[s->cidx[bb]] = cb;
        }
        for (int c = c0; c < c0 + pc->item->num_chars; c++)
            s->cpiece[c] = k;
        pc->ascending = 1;
        for (int g = 1; g < pc->glyphs->num_glyphs && pc->ascending; g++)
            pc->ascending = pc->glyphs->log_clusters[g] >= pc->glyphs->log_clusters[g - 1];
        /* the pool frees item and glyphs once the lines are cut */
        PangoGlyphItem *own = g_slice_new0(PangoGlyphItem);
        own->item = pc->item;
        own->glyphs = pc->glyphs;
        glyph_pool_add(pool, own);
    }
    int errs = dl->errors;
    report_uncovered(s, p, file, dl);
    return dl->errors > errs ? -1 : 0;
}

/* Width of a hyphen in the font of piece k (Pango units): shaped once per
 * piece, not once per hyphenation point. */
static Scaled hyphen_width(Shaped *s, int k)
{
    if (s->hyw[k] == 0) {
        PangoGlyphString *g = pango_glyph_string_new();
        PangoAnalysis an = s->pieces[k].item->analysis;
        pango_shape_with_flags("-", 1, "-", 1, &an, g, PANGO_SHAPE_NONE);
        s->hyw[k] = pango_glyph_string_get_width(g);
        pango_glyph_string_free(g);
    }
    return s->hyw[k];
}

/* ---- step 3: boxes, glue and penalties -----------------------------------------*/
typedef struct IMap {
    int b0, b1;                 /* bytes covered (boxes, spaces) or position (others) */
    int gl_byte;                /* glue: byte of the char whose glyph takes the extra width */
    Scaled extra;               /* glue: natural width not already in a glyph */
    int is_glue_adj;            /* glue that is adjusted when justifying */
} IMap;

typedef struct Items {
    VEC(KpItem) kp;
    VEC(IMap) map;
    int last_resort;            /* last-resort breaks exist (url_any) or could be added */
} Items;

/* Room for the items of a paragraph of len bytes: three for every four
 * bytes of justified text (a word's box and its glue, a hyphenation
 * point's penalty: the benchmark issue has one for every two), two a
 * byte of ragged text, whose every break is three items.  Growing from
 * eight had been a dozen copies a paragraph, each into memory not yet
 * touched.  (No more than 65,536 at first: a paragraph of megabytes grows
 * as before.) */
static void items_reserve(Items *it, int len, int justify)
{
    int cap = (justify ? len / 4 * 3 : 2 * (int)MIN(len, 1 << 20)) + 16;
    cap = MIN(cap, 1 << 16);    /* a longer paragraph grows as it goes */
    it->kp.v = xrealloc(it->kp.v, (size_t)cap * sizeof *it->kp.v);
    it->map.v = xrealloc(it->map.v, (size_t)cap * sizeof *it->map.v);
    it->kp.cap = it->map.cap = cap;
}

static void push(Items *it, KpItem k, IMap m)
{
    VEC_PUSH(it->kp, k);
    VEC_PUSH(it->map, m);
}

/* Character c is in a span that is neither a note mark nor raised. */
static int plain_at(const Shaped *s, int c)
{
    const LaySpan *sp = &s->t.spans[s->pieces[s->cpiece[c]].span];
    return sp->footnote == 0 && sp->rise == 0;
}

static Scaled em_of(const Shaped *s, int c)
{
    return SC_FROM_PT(s->t.spans[s->pieces[s->cpiece[c]].span].font.size);
}

/* A break chance that is not at a space: after a hyphen, inside URLs, between
 * ideographs.  In ragged settings every break chance carries the right-skip
 * stretch by the glue(0,R) penalty glue(0,-R) device (Knuth & Plass 1981, §"ragged"). */
typedef struct Build {
    const LayPara *p;
    const LayBreakParams *brk;
    Shaped *s;
    Items it;
    Scaled ragged;              /* R, 0 when justified */
    Scaled box_w, box_st;
    int box_b0, box_b1;
    int justify;
    int url_any;                /* add the last-resort breaks inside URLs and code */
} Build;

static void flush_box(Build *b)
{
    if (b->box_b1 > b->box_b0) {
        Scaled st = b->justify ? (Scaled)(b->box_w * b->brk->expansion) : 0;
        push(&b->it, (KpItem){.type = KP_BOX, .width = b->box_w, .stretch = st, .shrink = st},
             (IMap){b->box_b0, b->box_b1, -1, 0, 0});
    }
    b->box_w = 0;
    b->box_b0 = b->box_b1;
}

static Scaled rprot_of(Build *b, int c)
{
    if (c < 0)
        return 0;
    const LayProtrusion *pr = protrusion_of(b->brk, b->s->ch[c]);
    return pr ? (Scaled)(pr->right * b->s->cw[c]) : 0;
}

static Scaled lprot_of(Build *b, int c)
{
    if (c >= b->s->nchars)
        return 0;
    const LayProtrusion *pr = protrusion_of(b->brk, b->s->ch[c]);
    return pr ? (Scaled)(pr->left * b->s->cw[c]) : 0;
}

static void push_penalty(Build *b, int byte, int penalty, int flagged, int auto_hyph, Scaled w,
                         Scaled rprot, Scaled lprot)
{
    IMap m = {byte, byte, -1, 0, 0};
    if (b->ragged && penalty < KP_INF) {
        /* the ragged stretch before the penalty follows a box, so it would be
         * a breakpoint of its own, free and without the hyphen: forbid it */
        push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = KP_INF}, m);
        push(&b->it, (KpItem){.type = KP_GLUE, .stretch = b->ragged}, m);
    }
    push(&b->it,
         (KpItem){.type = KP_PENALTY, .width = w, .penalty = penalty, .flagged = flagged,
                  .auto_hyph = auto_hyph, .rprot = rprot, .lprot = lprot},
         m);
    if (b->ragged && penalty < KP_INF)
        push(&b->it, (KpItem){.type = KP_GLUE, .stretch = -b->ragged}, m);
}

/* Glue of natural width w, and the cost of a line break at it: 0 (a plain
 * space), KP_INF (none: an infinite penalty before it) or in between (a soft
 * tie: the break is at a penalty put before the glue, which then follows a
 * penalty, not a box, and is no breakpoint itself). */
static void push_glue(Build *b, int b0, int b1, int gl_byte, Scaled w, Scaled extra,
                      Scaled stretch, Scaled shrink, int pen, Scaled rprot, Scaled lprot)
{
    IMap m = {b0, b1, gl_byte, extra, 1}, at = {b0, b0, -1, 0, 0};
    if (pen >= KP_INF) {
        push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = KP_INF}, at);
        push(&b->it, (KpItem){.type = KP_GLUE, .width = w, .stretch = stretch, .shrink = shrink},
             m);
        return;
    }
    if (b->ragged) {
        /* Knuth and Plass's ragged right: stretch, the break, the stretch
         * taken back on the next line */
        if (pen > 0)    /* the stretch follows a box: it would be a free break */
            push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = KP_INF}, at);
        push(&b->it, (KpItem){.type = KP_GLUE, .stretch = b->ragged, .rprot = rprot, .lprot = lprot},
             at);
        push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = pen, .rprot = rprot, .lprot = lprot},
             at);
        push(&b->it, (KpItem){.type = KP_GLUE, .width = w, .stretch = -b->ragged}, m);
        return;
    }
    if (pen > 0) {
        push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = pen, .rprot = rprot, .lprot = lprot},
             at);
        push(&b->it, (KpItem){.type = KP_GLUE, .width = w, .stretch = stretch, .shrink = shrink},
             m);
        return;
    }
    push(&b->it,
         (KpItem){.type = KP_GLUE, .width = w, .stretch = stretch, .shrink = shrink,
                  .rprot = rprot, .lprot = lprot},
         m);
}

/* A break inside a URL or code with no punctuation there: only when the
 * paragraph set without such breaks has an overfull line (it is then set
 * again, these allowed in the emergency pass), and even then dear (a hyphen
 * costs 50 by default).  What fits without them never changes. */
#define URL_ANY_PENALTY 5000

static int url_break_after(gunichar c)
{
    return c == '/' || c == '.' || c == '-' || c == '_' || c == '?' || c == '&' || c == '=' ||
           c == '#' || c == ':' || c == '%' || c == '~';
}

/* ---- spaces that must not break -------------------------------------------------
 * Typographic ties (Мильчин, Справочник издателя и автора; Chicago 6.121 for
 * initials): no line break after an initial or a one-letter abbreviation
 * ("А. С. Пушкин", "J. R. R. Tolkien", "т. е."), before a run of initials
 * ("Пушкин А. С.", "Kireeva A.A."), between "№", "§" or a short abbreviation
 * and the number after it ("№ 81", "ст. 234", "pp. 3"), before %, ‰ or °;
 * in Russian also after a one-letter word (в, к, с, и: never at a line's end)
 * and between a number and a short unit or abbreviation after it ("146 млн",
 * "10 км", "1982 г."). */
/* A space between words (a line break, U+2028 or \n, is not one). */
static inline int word_space(gunichar c)
{
    return c == ' ' || c == '\t' || c == 0x00A0 || c == 0x202F || c == 0x2009 || c == 0x2002 ||
           c == 0x2003 || c == 0x3000;
}

static int tie_white(gunichar c)
{
    return word_space(c) || c == 0x2028 || c == '\n';
}

/* Chars [w0, w1) are initials only: one or more "Letter." pairs, the letters
 * capitals unless one pair ("т." is a one-letter abbreviation). */
static int tie_initials(const Shaped *s, int w0, int w1)
{
    int n = w1 - w0;
    if (n < 2 || n % 2)
        return 0;
    for (int k = w0; k < w1; k += 2)
        if (!g_unichar_isalpha(s->ch[k]) || s->ch[k + 1] != '.' ||
            (n > 2 && !g_unichar_isupper(s->ch[k])))
            return 0;
    return 1;
}

/* A soft tie's cost: a break after a Russian one-letter word is allowed, at a
 * price (a hard tie there cost a percent of loose lines on the benchmark
 * corpus; at 1000 none, and a few such breaks remain where the alternative
 * is a bad line). */
#define TIE_SOFT_PENALTY 1000

/* Whether the space at i may not break: KP_INF (never), TIE_SOFT_PENALTY
 * (only at a price) or 0 (a plain space). */
static int tie_space(const LayPara *p, const Shaped *s, int i)
{
    int w0 = i, w1 = i + 1;
    while (w0 > 0 && !tie_white(s->ch[w0 - 1]))
        w0--;
    while (w1 < s->nchars && !tie_white(s->ch[w1]))
        w1++;
    int prev_n = i - w0, next_n = w1 - (i + 1);
    if (prev_n == 0 || next_n == 0)
        return 0;
    gunichar next = s->ch[i + 1], last = s->ch[i - 1];
    if (tie_initials(s, w0, i))
        return KP_INF;
    if (next_n == 2 && g_unichar_isupper(next) && s->ch[i + 2] == '.')
        return KP_INF;       /* a surname before its initials */
    if (next_n >= 4 && tie_initials(s, i + 1, w1))
        return KP_INF;
    if (g_unichar_isdigit(next) &&
        (last == 0x2116 || last == 0x00A7 ||
         (last == '.' && prev_n <= 5 && g_unichar_isalpha(s->ch[w0]))))
        return KP_INF;       /* № 81, § 5, ст. 234, pp. 3 */
    if (next == '%' || next == 0x2030 || next == 0x00B0)
        return KP_INF;
    if (p->lang && strncmp(p->lang, "ru", 2) == 0) {
        if (prev_n == 1 && g_unichar_isalpha(last))   /* в, к, с, и ...; "и т. д." never */
            return next_n == 2 && s->ch[i + 2] == '.' ? KP_INF : TIE_SOFT_PENALTY;
        if (g_unichar_isdigit(last) && next_n <= 5 && g_unichar_islower(next)) {
            int k = i + 1;
            while (k < w1 && g_unichar_isalpha(s->ch[k]))
                k++;
            if (k - (i + 1) <= 4 && (k == w1 || (s->ch[k] == '.' && k + 1 == w1) ||
                                     (k + 1 == w1 && g_unichar_ispunct(s->ch[k]))))
                return KP_INF;   /* 146 млн, 10 км, 1982 г. */
        }
    }
    return 0;
}

static void build_items(Build *b)
{
    items_reserve(&b->it, b->p->len, b->justify);
    Shaped *s = b->s;
    const LayBreakParams *brk = b->brk;
    const LayPara *p = b->p;
    if (p->first_indent > 0 && !p->marker)
        push(&b->it, (KpItem){.type = KP_BOX, .width = SC_FROM_PT(p->first_indent)},
             (IMap){0, 0, -1, 0, 0});
    b->box_b0 = b->box_b1 = 0;
    int indent_run = 1;         /* only white so far on this line (a code line's indent) */
    for (int i = 0; i < s->nchars; i++) {
        gunichar c = s->ch[i];
        int byte = s->boff[i];
        gunichar prev = i > 0 ? s->ch[i - 1] : 0;
        const LaySpan *sp = &s->t.spans[s->pieces[s->cpiece[i]].span];
        if (c == 0x2028 || c == '\n') {
            indent_run = 1;
            flush_box(b);
            push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = KP_INF}, (IMap){byte, byte, -1, 0, 0});
            push(&b->it, (KpItem){.type = KP_GLUE, .stretch = KP_FIL}, (IMap){byte, byte, -1, 0, 0});
            push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = -KP_INF},
                 (IMap){byte, byte, -1, 0, 0});
            b->box_b0 = b->box_b1 = s->boff[i + 1];
            continue;
        }
        int white = word_space(c);
        if (white && indent_run && (c == ' ' || c == '\t')) {
            /* spaces that open a line (after a hard break, or the first line
             * of a code block) are its indent: part of the line's first box,
             * never glue a break would discard */
            b->box_w += s->cw[i];
            b->box_b1 = s->boff[i + 1];
            continue;
        }
        indent_run = 0;
        if (white) {
            flush_box(b);
            Scaled w = s->cw[i];
            int breakable = c != 0x00A0 && c != 0x202F;
            /* Russian typography: a dash never starts a line (the space before
             * it does not break) */
            if (i + 1 < s->nchars && s->ch[i + 1] == 0x2014 && p->lang &&
                strncmp(p->lang, "ru", 2) == 0)
                breakable = 0;
            int pen = !breakable ? KP_INF
                      : c == ' ' && !is_zh(p) && i > 0 && i + 1 < s->nchars ? tie_space(p, s, i)
                                                                             : 0;
            Scaled st = b->ragged ? 0 : (Scaled)(w * brk->space_stretch);
            Scaled sh = b->ragged ? 0 : (Scaled)(w * brk->space_shrink);
            if (c == 0x3000)
                st = sh = 0;
            Scaled extra = 0;
            if ((c == ' ' || c == '\t') && is_zh(p) && i > 0 && i + 1 < s->nchars) {
                /* A space typed beside Chinese in Chinese text is not set as
                 * a word space (clreq; xeCJK does the same): between two
                 * ideographs or next to a full-width mark, which has its own
                 * blank, it becomes the ideographs' glue; between an
                 * ideograph and a Latin letter or digit (not a note mark),
                 * the Han–Latin space.  Other languages keep their spaces (a
                 * Japanese name, Chinese words quoted in English). */
                gunichar l = s->ch[i - 1], r = s->ch[i + 1];
                int lw = cjk_wide_at(p, s, i - 1), rw = cjk_wide_at(p, s, i + 1);
                Scaled nw = -1;
                if ((lw && rw) || (lw && !is_han(l)) || (rw && !is_han(r))) {
                    Scaled em = em_of(s, lw ? i - 1 : i + 1);
                    nw = 0;
                    st = b->ragged ? 0 : (Scaled)(em * brk->cjk_stretch);
                    sh = b->ragged ? 0 : (Scaled)(em * brk->cjk_shrink);
                } else if (((is_han(l) && is_latin_or_digit(r)) || (is_latin_or_digit(l) && is_han(r))) &&
                           plain_at(s, i - 1) && plain_at(s, i + 1)) {
                    nw = (Scaled)(em_of(s, is_han(l) ? i - 1 : i + 1) * brk->cjk_latin_space);
                    st = b->ragged ? 0 : (Scaled)(nw * brk->space_stretch);
                    sh = b->ragged ? 0 : (Scaled)(nw * brk->space_shrink);
                }
                if (nw >= 0) {
                    extra = nw - w;     /* the space's glyph keeps its advance */
                    w = nw;
                    if (no_line_start(r) || no_line_end(l))
                        pen = KP_INF;
                }
            }
            push_glue(b, byte, s->boff[i + 1], byte, w, extra, st, sh, pen, rprot_of(b, i - 1),
                      lprot_of(b, i + 1));
            b->box_b0 = b->box_b1 = s->boff[i + 1];
            continue;
        }
        if (i > 0 && !(prev == ' ' || prev == 0x00A0 || prev == 0x202F || prev == 0x2028 ||
                       prev == '\n' || prev == 0x3000 || prev == '\t')) {
            /* a boundary between two visible characters */
            int allowed = s->la[i].is_line_break && !s->la[i].is_mandatory_break;
            int cjk_pair = is_cjk(prev) || is_cjk(c);
            if (no_line_start(c) || no_line_end(prev))
                allowed = 0;
            if (sp->footnote > 0 || sp->rise > 0)
                allowed = 0;    /* a note mark or superscript stays with what it marks */
            int in_url = (sp->flags & LAY_URL) != 0;
            if (in_url && !allowed && ((url_break_after(prev) && !url_break_after(c)) || c == '@') &&
                i > 1 && !(prev == '/' && s->ch[i - 2] == '/') && !(prev == ':' && c == '/'))
                allowed = 2;    /* (an e-mail address breaks before its @) */
            /* and, dearly, between any two characters of a URL or code: a
             * run with no punctuation to break at otherwise sticks out of
             * the column (the url package's \UrlBreaks does the same) */
            else if (in_url && !allowed && i > 1 && !g_unichar_isspace(prev) && !no_line_start(c)) {
                if (b->url_any)
                    allowed = 3;
                b->it.last_resort = 1;      /* a second setting may add some */
            }
            int auto_point = s->t.hyph_at[byte] && s->cluster[i] != s->cluster[i - 1];
            if (prev == SHY || auto_point) {
                /* a soft hyphen the author typed (pass 1 may use it) or a
                 * dictionary point (pass 2 only); never inside a ligature */
                flush_box(b);
                int k = s->cpiece[i - 1];
                Scaled hw = hyphen_width(s, k);
                const LayProtrusion *pr = protrusion_of(brk, '-');
                push_penalty(b, byte, brk->hyphen_penalty, 1, prev != SHY, hw,
                             pr ? (Scaled)(pr->right * hw) : 0, 0);
            } else if (allowed && (prev == '-' || prev == 0x2010 || prev == 0x2013)) {
                flush_box(b);
                push_penalty(b, byte, brk->exhyphen_penalty, 1, 0, 0, rprot_of(b, i - 1),
                             lprot_of(b, i));
            } else if (cjk_pair) {
                flush_box(b);
                Scaled em = em_of(s, is_cjk(c) ? i : i - 1);
                Scaled extra = 0;
                if (((is_han(prev) && is_latin_or_digit(c)) || (is_latin_or_digit(prev) && is_han(c))) &&
                    sp->rise == 0 && s->t.spans[s->pieces[s->cpiece[i - 1]].span].rise == 0)
                    extra = (Scaled)(em * brk->cjk_latin_space);   /* not around note marks */
                Scaled st = b->ragged ? 0 : (Scaled)(em * brk->cjk_stretch);
                Scaled sh = b->ragged ? 0 : (Scaled)(em * brk->cjk_shrink);
                push_glue(b, byte, byte, s->boff[i - 1], extra, extra, st, sh, allowed ? 0 : KP_INF,
                          rprot_of(b, i - 1), lprot_of(b, i));
                b->box_b0 = b->box_b1 = byte;
            } else if (allowed) {
                flush_box(b);
                push_penalty(b, byte, allowed == 2 ? 50 : allowed == 3 ? URL_ANY_PENALTY : 0, 0, 0, 0,
                             rprot_of(b, i - 1), lprot_of(b, i));
                if (allowed == 3)
                    b->it.kp.v[b->it.kp.n - (b->ragged ? 2 : 1)].last_resort = 1;
            }
        }
        b->box_w += s->cw[i];
        b->box_b1 = s->boff[i + 1];
    }
    flush_box(b);
    int end = s->t.len;
    push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = KP_INF}, (IMap){end, end, -1, 0, 0});
    push(&b->it, (KpItem){.type = KP_GLUE, .stretch = KP_FIL}, (IMap){end, end, -1, 0, 0});
    push(&b->it, (KpItem){.type = KP_PENALTY, .penalty = -KP_INF}, (IMap){end, end, -1, 0, 0});
}

/* clreq §3.1.6: two adjacent full-width punctuation marks are set in 1.5 em,
 * not 2 em: the half-em of blank between them is removed from the glyphs. */
static void compress_cjk_punct(Shaped *s)
{
    for (int i = 1; i < s->nchars; i++) {
        gunichar a = s->ch[i - 1], c = s->ch[i];
        int a_p = cjk_closing_punct(a) || cjk_opening_punct(a);
        int c_p = cjk_closing_punct(c) || cjk_opening_punct(c);
        if (!a_p || !c_p)
            continue;
        Scaled half = s->cw[i] / 2;
        if (cjk_closing_punct(a)) {
            /* the closing mark's blank is on its right: narrow its glyph */
            Piece *pc = &s->pieces[s->cpiece[i - 1]];
            for (int g = pc->glyphs->num_glyphs - 1; g >= 0; g--)
                if (pc->item->offset + pc->glyphs->log_clusters[g] == s->boff[i - 1]) {
                    pc->glyphs->glyphs[g].geometry.width -= half;
                    s->cw[i - 1] -= half;
                    break;
                }
        } else if (cjk_opening_punct(c)) {
            /* the opening mark's blank is on its left: pull its ink left */
            Piece *pc = &s->pieces[s->cpiece[i]];
            for (int g = 0; g < pc->glyphs->num_glyphs; g++)
                if (pc->item->offset + pc->glyphs->log_clusters[g] == s->boff[i]) {
                    pc->glyphs->glyphs[g].geometry.width -= half;
                    pc->glyphs->glyphs[g].geometry.x_offset -= half;
                    s->cw[i] -= half;
                    break;
                }
        }
    }
}

/* ---- step 4: cutting lines from the shaped pieces ---------------------------------*/

/* A copy of piece pc restricted to bytes [b0, b1) of the paragraph, taken
 * from the already-shaped glyphs (no re-shaping: the break is at a space, a
 * hyphen or a soft hyphen, where HarfBuzz has nothing to join). */
static PangoGlyphItem *cut_piece(const Shaped *s, const Piece *pc, int b0, int b1)
{
    PangoItem *it = pango_item_copy(pc->item);
    int off = it->offset;
    it->offset = b0;
    it->length = b1 - b0;
    it->num_chars = (int)utf8_chars(s->t.s + b0, b1 - b0);
    /* the glyphs of bytes [b0, b1): in ascending text, a run found by
     * bisection (a line of a long paragraph need not walk all its glyphs) */
    const int *lc = pc->glyphs->log_clusters;
    int k0 = 0, k1 = pc->glyphs->num_glyphs;
    if (pc->ascending) {
        int lo = 0, hi = k1;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (off + lc[mid] < b0)
                lo = mid + 1;
            else
                hi = mid;
        }
        k0 = lo;
        for (k1 = k0; k1 < pc->glyphs->num_glyphs && off + lc[k1] < b1; k1++)
            ;
    }
    int n = 0;
    for (int k = k0; k < k1; k++) {
        int cb = off + lc[k];
        n += cb >= b0 && cb < b1;
    }
    /* exactly n, in one block with the glyph item (a cached paragraph keeps
     * these for the whole run, and an issue cuts 25,000) */
    PangoGlyphItem *gi = glyph_block_new(it, n);
    PangoGlyphString *g = gi->glyphs;
    n = 0;
    for (int k = k0; k < k1; k++) {
        int cb = off + lc[k];
        if (cb >= b0 && cb < b1) {
            g->glyphs[n] = pc->glyphs->glyphs[k];
            g->log_clusters[n] = cb - b0;
            n++;
        }
    }
    return gi;
}

/* The hyphen added at a line broken at a soft hyphen: a glyph item of its own
 * over the text "-", in the font of piece pc.  Mapped to U+002D rather than to
 * the soft hyphen, so that text extraction joins the word again and the hyphen
 * reads as a hyphen to every tool. */
static const char hyphen_text[] = "-";

static PangoGlyphItem *hyphen_piece(const Piece *pc)
{
    PangoItem *it = pango_item_copy(pc->item);
    it->offset = 0;
    it->length = 1;
    it->num_chars = 1;
    PangoGlyphString *g = pango_glyph_string_new();
    pango_shape_with_flags(hyphen_text, 1, hyphen_text, 1, &it->analysis, g, PANGO_SHAPE_NONE);
    PangoGlyphItem *gi = g_slice_new0(PangoGlyphItem);
    gi->item = it;
    gi->glyphs = g;
    return gi;
}

typedef struct Extra {
    int byte;
    Scaled w;
} Extra;

typedef VEC(LayItem) ItemVec;

static void add_item(ItemVec *v, LayItem it)
{
    VEC_PUSH(*v, it);
}

static void set_line(Build *b, const KpResult *r, int li, double measure, GlyphPool *pool,
                     Arena *a, int para_index, SetLine *out)
{
    Shaped *s = b->s;
    const LayPara *p = b->p;
    const KpLine *L = &r->lines[li];
    const KpItem *kp = b->it.kp.v;
    const IMap *map = b->it.map.v;
    int last = li == r->n - 1;
    int b0 = map[L->start].b0;
    int b1 = map[L->end].b0;
    int hyph = L->hyphenated && kp[L->end].type == KP_PENALTY && kp[L->end].width > 0;
    /* protrusion actually granted to this line */
    Scaled lprot = li > 0 ? kp[r->lines[li - 1].end].lprot : 0;
    if (li == 0)
        lprot = 0;

    /* how much each glue and each box grows (tex.web §889–890: set the line with ratio r) */
    double scale = 1.0;
    Scaled target = L->target, natural = L->natural;
    Scaled glue_st = 0, glue_sh = 0, box_w = 0;
    for (int k = L->start; k < L->end; k++) {
        if (kp[k].type == KP_GLUE && map[k].is_glue_adj) {
            glue_st += kp[k].stretch;
            glue_sh += kp[k].shrink;
        } else if (kp[k].type == KP_BOX) {
            box_w += kp[k].width;
        }
    }
    /* a line ended by a forced break (a hard line break, U+2028) is set like
     * the last line: its fil glue takes the rest of the measure, the word
     * spaces keep their width */
    int forced = L->end < b->it.kp.n && kp[L->end].type == KP_PENALTY && kp[L->end].penalty <= -KP_INF;
    int justify = b->justify && ((!last && !forced) || L->ratio < 0);
    /* Font expansion takes its share of the ratio first, in whole steps; glue
     * makes up the rest.  The step is rounded down, so that the remainder is
     * always stretch, which every line with a space or an ideograph boundary
     * has; rounding toward zero (as pdfTeX does) leaves lines without glue
     * shrink (CJK, URLs) a fraction of a step too wide. */
    if (justify && b->brk->expansion > 0 && box_w > 0) {
        double step = b->brk->expansion_step > 0 ? b->brk->expansion_step : 0.005;
        double e = L->ratio * b->brk->expansion;
        if (e > b->brk->expansion) e = b->brk->expansion;
        if (e < -b->brk->expansion) e = -b->brk->expansion;
        e = (glue_st > 0 ? floor(e / step + 1e-9) : round(e / step)) * step;
        if (e < -b->brk->expansion) e = -b->brk->expansion;
        scale = 1.0 + e;
    }
    double fill = justify ? (double)target / scale - natural : 0; /* to distribute on glue */
    if (fill < -(double)glue_sh)
        fill = -(double)glue_sh;    /* an overfull line sticks out; spaces never vanish */
    VEC(Extra) ex = {0};
    for (int k = L->start; k < L->end; k++) {
        if (kp[k].type != KP_GLUE || map[k].gl_byte < 0)
            continue;
        double add = map[k].extra;
        if (justify) {
            if (fill > 0 && glue_st > 0)
                add += fill * kp[k].stretch / glue_st;
            else if (fill < 0 && glue_sh > 0)
                add += fill * kp[k].shrink / glue_sh;
        }
        if (add != 0)
            VEC_PUSH(ex, ((Extra){map[k].gl_byte, (Scaled)lround(add)}));
    }

    /* alignment offset for ragged lines */
    double x0 = -SC_TO_PT(lprot);
    if (!justify) {
        Scaled room = target - natural;
        if (p->align == ALIGN_CENTER)
            x0 += SC_TO_PT(room) / 2;
        else if (p->align == ALIGN_RIGHT)
            x0 += SC_TO_PT(room);
    }
    double indent = p->left_indent + ((li == 0 && !p->marker) ? 0 : p->hang_indent);
    double x = indent + x0;
    if (li == 0 && p->first_indent > 0 && !p->marker)
        x += p->first_indent * scale;   /* the indent box has no glyphs to draw */

    ItemVec items = {0};
    VEC(int) notes = {0};
    int ei = 0;
    const char *cur_link = NULL;
    double link_x0 = 0, link_h = 0, link_asc = 0;
    /* Pieces are contiguous and in text order: start at the one holding b0 and
     * stop past b1.  (Walking every piece of the paragraph for every line made
     * a 20,000-line code block take 4 s and a 40,000-line one 19 s.) */
    for (int k = b0 < s->t.len ? s->cpiece[s->cidx[b0]] : 0; k < s->n_pieces; k++) {
        const Piece *pc = &s->pieces[k];
        int pb0 = pc->item->offset, pb1 = pb0 + pc->item->length;
        if (pb0 >= b1)
            break;
        int c0 = pb0 > b0 ? pb0 : b0, c1 = pb1 < b1 ? pb1 : b1;
        if (c0 >= c1)
            continue;
        int last_piece = c1 == b1;
        PangoGlyphItem *gi = cut_piece(s, pc, c0, c1);
        for (int g = 0; g < gi->glyphs->num_glyphs; g++) {
            int cb = c0 + gi->glyphs->log_clusters[g];
            while (ei < ex.n && ex.v[ei].byte < cb)
                ei++;
            /* the extra goes on the last glyph of its cluster */
            if (ei < ex.n && ex.v[ei].byte == cb &&
                (g + 1 == gi->glyphs->num_glyphs ||
                 c0 + gi->glyphs->log_clusters[g + 1] != cb)) {
                gi->glyphs->glyphs[g].geometry.width += (int)lround(ex.v[ei].w / scale);
                ei++;
            }
        }
        glyph_pool_add_block(pool, gi);
        const LaySpan *sp = &s->t.spans[pc->span];
        double w = SC_TO_PT(pango_glyph_string_get_width(gi->glyphs)) * scale;
        add_item(&items,
                 (LayItem){.kind = LI_GLYPHS, .x = x, .y = -sp->rise, .gi = gi, .text = s->t.s,
                           .scale_x = scale});
        if (sp->footnote > 0)
            VEC_PUSH(notes, sp->footnote);
        /* link rectangles, merged over adjacent pieces with the same target */
        if (cur_link && (!sp->link || strcmp(sp->link, cur_link) != 0)) {
            add_item(&items,
                     (LayItem){.kind = LI_LINK, .x = link_x0, .y = -link_asc, .w = x - link_x0,
                               .h = link_h, .str = arena_strdup(a, cur_link)});
            cur_link = NULL;
        }
        if (sp->link && !cur_link) {
            cur_link = sp->link;
            link_x0 = x;
            link_asc = sp->font.size * 0.85;
            link_h = sp->font.size * 1.1;
        }
        x += w;
        if (hyph && last_piece) {
            PangoGlyphItem *hg = hyphen_piece(pc);
            glyph_pool_add(pool, hg);
            add_item(&items, (LayItem){.kind = LI_GLYPHS, .x = x, .y = -sp->rise, .gi = hg,
                                       .text = hyphen_text, .scale_x = scale});
            x += SC_TO_PT(pango_glyph_string_get_width(hg->glyphs)) * scale;
        }
    }
    /* link targets are copied: lines may outlive the input in the paragraph cache */
    if (cur_link)
        add_item(&items,
                 (LayItem){.kind = LI_LINK, .x = link_x0, .y = -link_asc, .w = x - link_x0,
                           .h = link_h, .str = arena_strdup(a, cur_link)});
    free(ex.v);

    out->items = arena_calloc(a, (size_t)(items.n ? items.n : 1), sizeof *items.v);
    if (items.n)            /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(out->items, items.v, (size_t)items.n * sizeof *items.v);
    out->n_items = items.n;
    free(items.v);
    out->footnotes = arena_calloc(a, (size_t)(notes.n ? notes.n : 1), sizeof(int));
    if (notes.n)
        memcpy(out->footnotes, notes.v, (size_t)notes.n * sizeof(int));
    out->n_footnotes = notes.n;
    free(notes.v);
    out->height = p->leading;
    double size = s->t.n_spans ? s->t.spans[0].font.size : p->leading / 1.2;
    out->ascent = p->leading * 0.5 + size * 0.32;

    LayLine *info = &out->info;
    info->x = indent;
    info->w = measure - p->left_indent - p->right_indent - (li == 0 && !p->marker ? 0 : p->hang_indent);
    info->h = p->leading;
    info->ratio = justify ? L->ratio : 0;
    /* past the measure even at full shrink: in ragged text too (no shrink,
     * ratio 0), where a long URL or word runs into the margin */
    double over = SC_TO_PT(natural - L->target - L->shrink);
    info->overfull = over > 0.05 ? over : 0;
    info->hyphenated = hyph;
    info->justified = justify;
    info->last = last;
    info->src_line = p->src_line;
    info->para = para_index;
    if (s->t.n_spans) {
        int si = span_at(&s->t, b0);
        if (s->t.spans[si].src_line)
            info->src_line = s->t.spans[si].src_line;
    }
}

/* Draws the marker (list bullet, reference number) flush left in the indent. */
static void set_marker(LayEngine *e, const LayPara *p, GlyphPool *pool, Arena *a, SetLine *first,
                       const char *file, DiagList *dl)
{
    LaySpan sp = {.start = 0, .end = (int)strlen(p->marker), .font = p->marker_font};
    LayPara mp = {.text = p->marker, .len = sp.end, .spans = &sp, .n_spans = 1, .lang = p->lang,
                  .align = ALIGN_LEFT, .leading = p->leading};
    LayBreakParams brk = {.tolerance = 10000, .pretolerance = -1, .line_penalty = 10};
    SetPara sub;
    if (para_set(e, &mp, 1e4, &brk, file, -1, pool, a, dl, &sub) != 0 || sub.n == 0)
        return;
    SetLine *ml = &sub.lines[0];
    /* the marker ends a third of an em before the text: numbers of any width
     * line up on their full stops ("9." above "10.") and never touch the text */
    double w = 0;
    for (int k = 0; k < ml->n_items; k++)
        if (ml->items[k].kind == LI_GLYPHS) {
            double r = ml->items[k].x + SC_TO_PT(pango_glyph_string_get_width(ml->items[k].gi->glyphs));
            if (r > w)
                w = r;
        }
    double gap = p->marker_font.size / 3;
    double x0 = p->left_indent + p->hang_indent - gap - w;
    LayItem *merged = arena_calloc(a, (size_t)(first->n_items + ml->n_items), sizeof *merged);
    for (int k = 0; k < ml->n_items; k++) {
        merged[k] = ml->items[k];
        merged[k].x += x0;
    }
    memcpy(merged + ml->n_items, first->items, (size_t)first->n_items * sizeof *merged);
    first->items = merged;
    first->n_items += ml->n_items;
}

int para_set(LayEngine *e, const LayPara *p, double measure, const LayBreakParams *brk,
             const char *file, int para_index, GlyphPool *pool, Arena *a, DiagList *dl,
             SetPara *out)
{
    memset(out, 0, sizeof *out);
    if (p->len <= 0 || p->n_spans <= 0)
        return 0;
    if (p->len > LAY_MAX_PARA_BYTES) {
        diag_add(dl, DIAG_ERROR, file, p->src_line, 1,
                 "paragraph of %d bytes exceeds the limit of %d bytes", p->len, LAY_MAX_PARA_BYTES);
        return -1;
    }
    Shaped s;
    memset(&s, 0, sizeof s);
    /* per-character working arrays, items and break nodes live in a scratch
     * arena freed before returning: only the text and the lines stay in a */
    Arena scratch;
    arena_init(&scratch);
    /* the shaped pieces too: the lines get copies of their parts (cut_piece),
     * so a cached paragraph keeps one set of glyphs, not two */
    GlyphPool shaped = {0};
    text_hyphenate(e, p, brk, a, &scratch, &s.t);
    if (shape_text(e, p, &s, &shaped, &scratch, file, dl) != 0) {
        glyph_pool_free(&shaped);
        arena_fini(&scratch);
        return -1;
    }
    if (p->lang && strncmp(p->lang, "zh", 2) == 0)
        compress_cjk_punct(&s);     /* full-width marks: in Latin text ’” are narrow */

    Build b = {.p = p, .brk = brk, .s = &s, .justify = p->align == ALIGN_JUSTIFY};
    if (!b.justify) {
        double size = s.t.spans[0].font.size;
        b.ragged = SC_FROM_PT(3 * size);
    }
    build_items(&b);

    double left = p->left_indent + p->right_indent;
    double first = measure - left - (p->marker ? p->hang_indent : 0);
    double rest = measure - left - p->hang_indent;
    if (first < 1) first = 1;
    if (rest < 1) rest = 1;
    KpResult r;
    LayBreakParams pb = *brk;
    if (!b.justify) {
        pb.pretolerance = -1;
        pb.tolerance = 10000;
    } else {
        pb.ragged_last_line_min = 0;    /* a justified last line may be short */
    }
    kp_break(b.it.kp.v, b.it.kp.n, SC_FROM_PT(first), SC_FROM_PT(rest), &pb,
             p->hyphenate ? KP_HYPHENATE : 0, &scratch, &r);
    if (r.overfull > 0 && b.it.last_resort) {
        /* set again with the last-resort breaks inside URLs and code (the
         * items are built anew: the breaks split boxes, and the first
         * setting must not depend on them) */
        Build b2 = b;
        memset(&b2.it, 0, sizeof b2.it);
        b2.url_any = 1;
        b2.box_w = b2.box_st = 0;
        b2.box_b0 = b2.box_b1 = 0;
        build_items(&b2);
        KpResult r2;
        kp_break(b2.it.kp.v, b2.it.kp.n, SC_FROM_PT(first), SC_FROM_PT(rest), &pb,
                 (p->hyphenate ? KP_HYPHENATE : 0) | KP_LAST_RESORT, &scratch, &r2);
        Build *drop = &b2;
        if (r2.overfull < r.overfull) {
            drop = &b;
            r = r2;
        }
        free(drop->it.kp.v);
        free(drop->it.map.v);
        if (drop == &b)
            b = b2;
    }
    out->lines = arena_calloc(a, (size_t)(r.n ? r.n : 1), sizeof *out->lines);
    out->n = r.n;
    for (int li = 0; li < r.n; li++)
        set_line(&b, &r, li, measure, pool, a, para_index, &out->lines[li]);
    if (p->marker && r.n > 0)
        set_marker(e, p, pool, a, &out->lines[0], file, dl);
    glyph_pool_free(&shaped);
    arena_fini(&scratch);
    free(b.it.kp.v);
    free(b.it.map.v);
    return 0;
}

double para_natural_width(LayEngine *e, const LayPara *p, const LayBreakParams *brk, double measure,
                          GlyphPool *pool, Arena *a, DiagList *dl, const char *file)
{
    LayPara q = *p;
    q.align = ALIGN_LEFT;
    q.hyphenate = 0;
    q.first_indent = 0;
    SetPara sp;
    /* a measuring pass: its errors come again when the cell is set */
    DiagList quiet;
    diag_list_init(&quiet);
    int rc = para_set(e, &q, measure, brk, file, -1, pool, a, &quiet, &sp);
    diag_list_fini(&quiet);
    (void)dl;
    if (rc != 0)
        return 0;
    double w = 0;
    for (int i = 0; i < sp.n; i++) {
        const SetLine *l = &sp.lines[i];
        for (int k = 0; k < l->n_items; k++)
            if (l->items[k].kind == LI_GLYPHS) {
                double r = l->items[k].x +
                           SC_TO_PT(pango_glyph_string_get_width(l->items[k].gi->glyphs));
                if (r > w)
                    w = r;
            }
    }
    return w;
}
