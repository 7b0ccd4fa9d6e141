/* hbshape.c — a word shaped by HarfBuzz directly, as pango_shape_with_flags
 * (PANGO_SHAPE_NONE) shapes it, for the common case.
 *
 * Pango 1.50 wraps the font's hb_font_t in a new sub-font on every call (to
 * put its own glyph functions over it: a character the font lacks becomes
 * PANGO_GLYPH_UNKNOWN_FLAG | ch with the hex box's width), takes a buffer
 * under a process-wide lock, looks the language and the font's features up,
 * and asks three colour tables about every glyph.  For the 25,000 words of
 * an issue that was a quarter of the shaping's cost.  Here each pinned font
 * gets its wrapper once, with the same functions, its features and whether
 * its face has colour glyphs at all; the engine keeps one buffer; and the
 * glyphs come out as pango_shape_internal leaves them.
 *
 * Taken: left-to-right, horizontal, upright, no extra attributes (so no
 * show flags, text transform or letter spacing), no inserted hyphen.
 * Anything else, or no glyph out of HarfBuzz, is Pango's.
 * TYPESET_CHECK_SHAPE=1 shapes every word both ways and aborts on a
 * difference (the tests run the samples so). */
#include "internal.h"

#include <hb-ot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Slots of a wrapper's memo of the parent's answers (a power of two). */
enum { WRAP_MEMO = 1024 };

typedef struct FontWrap {
    PangoFont *font;            /* a reference: the table is keyed by its address */
    hb_font_t *parent;          /* the font's own, Pango's */
    hb_font_t *wrap;            /* a sub-font of it with wrap_funcs */
    hb_feature_t features[32];
    unsigned n_features;
    int color;                  /* the face has colour layers, PNG or SVG glyphs */
    /* The parent's glyph for a character and advance for a glyph, as it
     * last answered for each slot (key + 1; 0: none): HarfBuzz asks for
     * every character and glyph of every word, and the parent's cmap and
     * hmtx lookups had cost 5 % of an issue's instructions.  The wrapper
     * belongs to one engine, and so to one thread. */
    guint32 cmap_key[WRAP_MEMO], adv_key[WRAP_MEMO];
    hb_codepoint_t cmap[WRAP_MEMO];
    hb_position_t adv[WRAP_MEMO];
} FontWrap;

/* ---- Pango's glyph functions (pango/shape.c), with no show flags ---------------- */

static hb_bool_t wrap_nominal_glyph(hb_font_t *font, void *data, hb_codepoint_t unicode,
                                    hb_codepoint_t *glyph, void *user)
{
    (void)font;
    (void)user;
    FontWrap *w = data;
    unsigned slot = unicode & (WRAP_MEMO - 1);
    int memo = unicode <= 0x10FFFF;     /* (key + 1 then cannot wrap to 0, "none") */
    if (memo && w->cmap_key[slot] == unicode + 1) {
        *glyph = w->cmap[slot];
        return TRUE;
    }
    if (hb_font_get_nominal_glyph(w->parent, unicode, glyph)) {
        if (memo) {
            w->cmap_key[slot] = unicode + 1;
            w->cmap[slot] = *glyph;
        }
        return TRUE;
    }
    /* HarfBuzz makes the other spaces from U+0020; U+0020 itself is said to
     * be there, as the hex box Pango measures */
    if (g_unichar_type(unicode) == G_UNICODE_SPACE_SEPARATOR) {
        if (unicode == 0x20) {
            *glyph = PANGO_GET_UNKNOWN_GLYPH(0x20);
            return TRUE;
        }
        return FALSE;
    }
    *glyph = PANGO_GET_UNKNOWN_GLYPH(unicode);     /* kept by HarfBuzz though not found */
    return unicode > 0x10FFFF;
}

/* The logical box Pango draws for an unknown glyph (a hex box). */
static PangoRectangle unknown_box(const FontWrap *w, hb_codepoint_t glyph)
{
    PangoRectangle logical;
    pango_font_get_glyph_extents(w->font, glyph, NULL, &logical);
    return logical;
}

static hb_position_t h_advance(FontWrap *w, hb_codepoint_t glyph)
{
    if (glyph & PANGO_GLYPH_UNKNOWN_FLAG)
        return unknown_box(w, glyph).width;
    unsigned slot = glyph & (WRAP_MEMO - 1);
    if (w->adv_key[slot] != glyph + 1) {
        w->adv[slot] = hb_font_get_glyph_h_advance(w->parent, glyph);
        w->adv_key[slot] = glyph + 1;       /* (not UNKNOWN_FLAG: no overflow) */
    }
    return w->adv[slot];
}

static hb_position_t wrap_h_advance(hb_font_t *font, void *data, hb_codepoint_t glyph, void *user)
{
    (void)font;
    (void)user;
    return h_advance(data, glyph);
}

/* Every glyph's at once, as HarfBuzz positions a buffer (one call for the
 * buffer, not one through its dispatch for each glyph). */
static void wrap_h_advances(hb_font_t *font, void *data, unsigned count, const hb_codepoint_t *glyph,
                            unsigned glyph_stride, hb_position_t *advance, unsigned advance_stride,
                            void *user)
{
    (void)font;
    (void)user;
    for (unsigned i = 0; i < count; i++) {
        *advance = h_advance(data, *glyph);
        glyph = (const hb_codepoint_t *)(const void *)((const char *)glyph + glyph_stride);
        advance = (hb_position_t *)(void *)((char *)advance + advance_stride);
    }
}

static hb_position_t wrap_v_advance(hb_font_t *font, void *data, hb_codepoint_t glyph, void *user)
{
    (void)font;
    (void)user;
    FontWrap *w = data;
    return glyph & PANGO_GLYPH_UNKNOWN_FLAG ? unknown_box(w, glyph).height
                                            : hb_font_get_glyph_v_advance(w->parent, glyph);
}

static hb_bool_t wrap_extents(hb_font_t *font, void *data, hb_codepoint_t glyph,
                              hb_glyph_extents_t *ext, void *user)
{
    (void)font;
    (void)user;
    FontWrap *w = data;
    if (glyph & PANGO_GLYPH_UNKNOWN_FLAG) {
        PangoRectangle ink;
        pango_font_get_glyph_extents(w->font, glyph, &ink, NULL);
        ext->x_bearing = ink.x;
        ext->y_bearing = ink.y;
        ext->width = ink.width;
        ext->height = ink.height;
        return TRUE;
    }
    return hb_font_get_glyph_extents(w->parent, glyph, ext);
}

/* The functions, made once and immutable (as Pango's are). */
static hb_font_funcs_t *wrap_funcs(void)
{
    static hb_font_funcs_t *funcs;
    if (g_once_init_enter(&funcs)) {
        hb_font_funcs_t *f = hb_font_funcs_create();
        hb_font_funcs_set_nominal_glyph_func(f, wrap_nominal_glyph, NULL, NULL);
        hb_font_funcs_set_glyph_h_advance_func(f, wrap_h_advance, NULL, NULL);
        hb_font_funcs_set_glyph_h_advances_func(f, wrap_h_advances, NULL, NULL);
        hb_font_funcs_set_glyph_v_advance_func(f, wrap_v_advance, NULL, NULL);
        hb_font_funcs_set_glyph_extents_func(f, wrap_extents, NULL, NULL);
        hb_font_funcs_make_immutable(f);
        g_once_init_leave(&funcs, f);
    }
    return funcs;
}

static void wrap_free(gpointer p)
{
    FontWrap *w = p;
    hb_font_destroy(w->wrap);
    g_object_unref(w->font);
    g_free(w);
}

static FontWrap *font_wrap(LayEngine *e, PangoFont *font)
{
    FontWrap *w = g_hash_table_lookup(e->hb_wraps, font);
    if (w)
        return w;
    hb_font_t *parent = pango_font_get_hb_font(font);
    if (!parent)
        return NULL;
    w = g_new0(FontWrap, 1);
    w->font = g_object_ref(font);
    w->parent = parent;
    w->wrap = hb_font_create_sub_font(parent);
    hb_font_set_funcs(w->wrap, wrap_funcs(), w, NULL);
    pango_font_get_features(font, w->features, G_N_ELEMENTS(w->features), &w->n_features);
    hb_face_t *face = hb_font_get_face(parent);
    w->color = hb_ot_color_has_layers(face) || hb_ot_color_has_png(face) || hb_ot_color_has_svg(face);
    g_hash_table_insert(e->hb_wraps, font, w);
    return w;
}

/* pango/shape.c's glyph_has_color, asked only of a face that has colour. */
static int glyph_has_color(hb_font_t *font, hb_codepoint_t glyph)
{
    hb_face_t *face = hb_font_get_face(font);
    if (hb_ot_color_glyph_get_layers(face, glyph, 0, NULL, NULL) > 0)
        return 1;
    hb_blob_t *blob = NULL;
    if (hb_ot_color_has_png(face) && (blob = hb_ot_color_glyph_reference_png(font, glyph))) {
        unsigned n = hb_blob_get_length(blob);
        hb_blob_destroy(blob);
        if (n > 0)
            return 1;
    }
    if (hb_ot_color_has_svg(face) && (blob = hb_ot_color_glyph_reference_svg(face, glyph))) {
        unsigned n = hb_blob_get_length(blob);
        hb_blob_destroy(blob);
        if (n > 0)
            return 1;
    }
    return 0;
}

static hb_language_t hb_lang(LayEngine *e, PangoLanguage *lang)
{
    gpointer v;
    if (g_hash_table_lookup_extended(e->hb_langs, lang, NULL, &v))
        return v;
    hb_language_t l = hb_language_from_string(pango_language_to_string(lang), -1);
    g_hash_table_insert(e->hb_langs, lang, (gpointer)l);
    return l;
}

void hbshape_init(LayEngine *e)
{
    e->hb_wraps = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, wrap_free);
    e->hb_langs = g_hash_table_new(g_direct_hash, g_direct_equal);
    e->hb_buffer = hb_buffer_create();
    e->shape_check = getenv("TYPESET_CHECK_SHAPE") != NULL;
    e->shape_off = getenv("TYPESET_PANGO_SHAPE") != NULL;
}

void hbshape_fini(LayEngine *e)
{
    g_hash_table_destroy(e->hb_wraps);
    g_hash_table_destroy(e->hb_langs);
    hb_buffer_destroy(e->hb_buffer);
}

/* The glyphs into g, or 0 when the analysis is not one this path takes. */
static int shape_direct(LayEngine *e, const PangoAnalysis *an, const char *text, int len,
                        const char *par, int plen, PangoGlyphString *g)
{
    if (e->shape_off || !an->font || (an->level & 1) || an->extra_attrs ||
        (an->flags & PANGO_ANALYSIS_FLAG_NEED_HYPHEN) || PANGO_GRAVITY_IS_VERTICAL(an->gravity) ||
        PANGO_GRAVITY_IS_IMPROPER(an->gravity))
        return 0;
    FontWrap *w = font_wrap(e, an->font);
    if (!w)
        return 0;
    if (!par) {
        par = text;
        plen = len;
    }
    unsigned off = (unsigned)(text - par);
    hb_buffer_t *b = e->hb_buffer;
    hb_buffer_clear_contents(b);
    hb_buffer_set_direction(b, HB_DIRECTION_LTR);
    hb_buffer_set_script(b, (hb_script_t)g_unicode_script_to_iso15924((GUnicodeScript)an->script));
    hb_buffer_set_language(b, hb_lang(e, an->language));
    hb_buffer_set_cluster_level(b, HB_BUFFER_CLUSTER_LEVEL_MONOTONE_CHARACTERS);
    hb_buffer_set_flags(b, HB_BUFFER_FLAG_BOT | HB_BUFFER_FLAG_EOT);
    hb_buffer_set_invisible_glyph(b, PANGO_GLYPH_EMPTY);
    /* the text, and HarfBuzz's context on each side of it, in one call */
    hb_buffer_add_utf8(b, par, plen, off, len);
    hb_shape(w->wrap, b, w->features, w->n_features);
    unsigned n = hb_buffer_get_length(b);
    if (n == 0)
        return 0;               /* Pango's fallback shaping and its warning */
    const hb_glyph_info_t *gi = hb_buffer_get_glyph_infos(b, NULL);
    const hb_glyph_position_t *gp = hb_buffer_get_glyph_positions(b, NULL);
    pango_glyph_string_set_size(g, (int)n);
    int last = (int)gi[0].cluster - (int)off - 1;
    for (unsigned i = 0; i < n; i++) {
        PangoGlyphInfo *o = &g->glyphs[i];
        o->glyph = gi[i].codepoint;
        g->log_clusters[i] = (int)gi[i].cluster - (int)off;
        o->attr.is_cluster_start = g->log_clusters[i] != last;
        last = g->log_clusters[i];
        o->attr.is_color = w->color && glyph_has_color(w->wrap, gi[i].codepoint);
        o->geometry.width = gp[i].x_advance;
        o->geometry.x_offset = gp[i].x_offset;
        o->geometry.y_offset = -gp[i].y_offset;
        if (o->geometry.width < 0) {        /* pango_shape_internal's */
            o->geometry.width = -o->geometry.width;
            o->geometry.x_offset += o->geometry.width;
        }
    }
    return 1;
}

static int same_glyphs(const PangoGlyphString *a, const PangoGlyphString *b)
{
    if (a->num_glyphs != b->num_glyphs)
        return 0;
    for (int i = 0; i < a->num_glyphs; i++) {
        const PangoGlyphInfo *x = &a->glyphs[i], *y = &b->glyphs[i];
        if (x->glyph != y->glyph || x->geometry.width != y->geometry.width ||
            x->geometry.x_offset != y->geometry.x_offset ||
            x->geometry.y_offset != y->geometry.y_offset ||
            x->attr.is_cluster_start != y->attr.is_cluster_start ||
            x->attr.is_color != y->attr.is_color || a->log_clusters[i] != b->log_clusters[i])
            return 0;
    }
    return 1;
}

void hbshape(LayEngine *e, const PangoAnalysis *an, const char *text, int len, const char *par,
             int plen, PangoGlyphString *g)
{
    if (!shape_direct(e, an, text, len, par, plen, g)) {
        pango_shape_with_flags(text, len, par, plen, an, g, PANGO_SHAPE_NONE);
        return;
    }
    if (e->shape_check) {
        PangoGlyphString *p = pango_glyph_string_new();
        pango_shape_with_flags(text, len, par, plen, an, p, PANGO_SHAPE_NONE);
        if (!same_glyphs(g, p)) {
            fprintf(stderr, "typeset: TYPESET_CHECK_SHAPE: '%.*s' shaped otherwise than Pango does\n",
                    len, text);
            abort();
        }
        pango_glyph_string_free(p);
    }
}
