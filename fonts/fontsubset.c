/* fontsubset.c — see fontsubset.h. */
#include "fontsubset.h"

#include <cairo-ft.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <glib.h>
#include <hb-subset.h>
#include <hb.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-font.h>

/* One face (shared by the PangoFonts of its sizes) and what is known of it. */
typedef struct Face {
    hb_face_t *hb;              /* Pango's, referenced */
    hb_set_t *glyphs;           /* drawn in it */
    hb_subset_plan_t *plan;     /* after build: the old-to-new glyph map */
    cairo_font_face_t *cairo;   /* after build: the cut-down face */
} Face;

struct FontSubst {
    Face *face;                 /* NULL: not cut down */
    cairo_scaled_font_t *scaled;
};

struct FontSubsets {
    GHashTable *fonts;          /* PangoFont* -> FontSubst* */
    GHashTable *faces;          /* hb_face_t* -> Face* */
    int built;
};

static void subst_free(gpointer p)
{
    FontSubst *s = p;
    if (s->scaled)
        cairo_scaled_font_destroy(s->scaled);
    g_free(s);
}

static void face_free(gpointer p)
{
    Face *f = p;
    if (f->cairo)
        cairo_font_face_destroy(f->cairo);
    if (f->plan)
        hb_subset_plan_destroy(f->plan);
    hb_set_destroy(f->glyphs);
    hb_face_destroy(f->hb);
    g_free(f);
}

FontSubsets *font_subsets_new(void)
{
    FontSubsets *fs = g_new0(FontSubsets, 1);
    fs->fonts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, subst_free);
    fs->faces = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, face_free);
    return fs;
}

void font_subsets_free(FontSubsets *fs)
{
    if (!fs)
        return;
    /* the scaled fonts first: they hold the cut-down faces */
    g_hash_table_destroy(fs->fonts);
    g_hash_table_destroy(fs->faces);
    g_free(fs);
}

/* Whether Cairo draws font straight from its file, nothing synthesized: a
 * synthetic bold or slant lives in the fontconfig pattern, which a face
 * made from memory would not carry. */
static int plain_fc_font(PangoFont *font)
{
    if (!PANGO_IS_FC_FONT(font) || !PANGO_IS_CAIRO_FONT(font))
        return 0;
    FcPattern *pat = pango_fc_font_get_pattern(PANGO_FC_FONT(font));
    FcBool b = FcFalse;
    FcMatrix *m;
    if (!pat)
        return 0;
    if (FcPatternGetBool(pat, FC_EMBOLDEN, 0, &b) == FcResultMatch && b)
        return 0;
    if (FcPatternGetMatrix(pat, FC_MATRIX, 0, &m) == FcResultMatch &&
        (m->xx != 1 || m->xy != 0 || m->yx != 0 || m->yy != 1))
        return 0;
    return 1;
}

/* The face of font if it is worth cutting down, else NULL. */
static Face *face_of(FontSubsets *fs, PangoFont *font)
{
    if (!plain_fc_font(font))
        return NULL;
    hb_font_t *hf = pango_font_get_hb_font(font);
    if (!hf)
        return NULL;
    hb_face_t *hb = hb_font_get_face(hf);
    Face *f = g_hash_table_lookup(fs->faces, hb);
    if (f)
        return f;
    hb_blob_t *cff = hb_face_reference_table(hb, HB_TAG('C', 'F', 'F', ' '));
    unsigned len = hb_blob_get_length(cff);
    hb_blob_destroy(cff);
    if (len < FONT_SUBSET_MIN_CFF)
        return NULL;
    f = g_new0(Face, 1);
    f->hb = hb_face_reference(hb);
    f->glyphs = hb_set_create();
    g_hash_table_insert(fs->faces, hb, f);
    return f;
}

void font_subsets_add(FontSubsets *fs, PangoFont *font, const PangoGlyphString *g)
{
    if (!font || fs->built)
        return;
    FontSubst *s = g_hash_table_lookup(fs->fonts, font);
    if (!s) {
        s = g_new0(FontSubst, 1);
        s->face = face_of(fs, font);
        g_hash_table_insert(fs->fonts, font, s);
    }
    if (!s->face)
        return;
    for (int i = 0; i < g->num_glyphs; i++) {
        PangoGlyph gl = g->glyphs[i].glyph;
        if (gl != PANGO_GLYPH_EMPTY && !(gl & PANGO_GLYPH_UNKNOWN_FLAG))
            hb_set_add(s->face->glyphs, gl);
    }
}

/* What the Cairo face made from memory keeps alive until Cairo lets it go
 * (its scaled fonts may outlive the document in Cairo's cache). */
typedef struct Mem {
    FT_Library lib;             /* its own: FreeType faces of one library are not thread-safe */
    FT_Face face;
    hb_blob_t *blob;
} Mem;

static void mem_free(void *p)
{
    Mem *m = p;
    FT_Done_Face(m->face);
    FT_Done_FreeType(m->lib);
    hb_blob_destroy(m->blob);
    g_free(m);
}

static const cairo_user_data_key_t mem_key;

/* The layout tables are for shaping, done; cmap is for text to glyphs, done.
 * What Cairo's embedding reads stays: CFF, head, hhea, hmtx, maxp, OS/2,
 * name, post. */
static const char *const dropped[] = {"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG",
                                      "vhea", "vmtx", "DSIG", "cmap", "kern"};

static cairo_font_face_t *cut_down(Face *f)
{
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in)
        return NULL;
    hb_set_union(hb_subset_input_glyph_set(in), f->glyphs);
    hb_set_clear(hb_subset_input_unicode_set(in));
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < G_N_ELEMENTS(dropped); i++)
        hb_set_add(drop, hb_tag_from_string(dropped[i], 4));
    /* subroutines expanded: faster to cut, and smaller once embedded */
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_DESUBROUTINIZE);
    f->plan = hb_subset_plan_create_or_fail(f->hb, in);
    hb_subset_input_destroy(in);
    if (!f->plan)
        return NULL;
    hb_face_t *sub = hb_subset_plan_execute_or_fail(f->plan);
    if (!sub)
        return NULL;
    Mem *m = g_new0(Mem, 1);
    m->blob = hb_face_reference_blob(sub);
    hb_face_destroy(sub);
    unsigned len = 0;
    const char *data = hb_blob_get_data(m->blob, &len);
    if (len == 0 || FT_Init_FreeType(&m->lib) != 0) {
        hb_blob_destroy(m->blob);
        g_free(m);
        return NULL;
    }
    if (FT_New_Memory_Face(m->lib, (const FT_Byte *)data, (FT_Long)len, 0, &m->face) != 0) {
        FT_Done_FreeType(m->lib);
        hb_blob_destroy(m->blob);
        g_free(m);
        return NULL;
    }
    cairo_font_face_t *cf = cairo_ft_font_face_create_for_ft_face(m->face, 0);
    if (cairo_font_face_set_user_data(cf, &mem_key, m, mem_free) != CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(cf);
        mem_free(m);
        return NULL;
    }
    return cf;
}

void font_subsets_build(FontSubsets *fs)
{
    fs->built = 1;
    GHashTableIter hi;
    gpointer k, v;
    g_hash_table_iter_init(&hi, fs->faces);
    while (g_hash_table_iter_next(&hi, &k, &v)) {
        Face *f = v;
        if (!hb_set_is_empty(f->glyphs))
            f->cairo = cut_down(f);
    }
    /* a font of a face that could not be cut down is drawn through Pango */
    g_hash_table_iter_init(&hi, fs->fonts);
    while (g_hash_table_iter_next(&hi, &k, &v)) {
        FontSubst *s = v;
        if (!s->face || !s->face->cairo) {
            s->face = NULL;
            continue;
        }
        /* the same size, transformation and options as Pango's own */
        cairo_scaled_font_t *orig = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(k));
        if (!orig) {
            s->face = NULL;
            continue;
        }
        cairo_matrix_t fm, ctm;
        cairo_scaled_font_get_font_matrix(orig, &fm);
        cairo_scaled_font_get_ctm(orig, &ctm);
        cairo_font_options_t *opt = cairo_font_options_create();
        cairo_scaled_font_get_font_options(orig, opt);
        s->scaled = cairo_scaled_font_create(s->face->cairo, &fm, &ctm, opt);
        cairo_font_options_destroy(opt);
        if (cairo_scaled_font_status(s->scaled) != CAIRO_STATUS_SUCCESS) {
            cairo_scaled_font_destroy(s->scaled);
            s->scaled = NULL;
            s->face = NULL;
        }
    }
}

cairo_scaled_font_t *font_subsets_get(FontSubsets *fs, PangoFont *font, const FontSubst **subst)
{
    FontSubst *s = fs && font ? g_hash_table_lookup(fs->fonts, font) : NULL;
    if (!s || !s->face)
        return NULL;
    *subst = s;
    return s->scaled;
}

unsigned font_subst_glyph(const FontSubst *s, unsigned glyph)
{
    const hb_map_t *map = hb_subset_plan_old_to_new_glyph_mapping(s->face->plan);
    hb_codepoint_t g = hb_map_get(map, glyph);
    return g == HB_MAP_VALUE_INVALID ? 0 : g;
}
