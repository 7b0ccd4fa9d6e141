/* paintfont.c — see paintfont.h. */
#include "paintfont.h"

#include <cairo-ft.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <glib.h>
#include <hb-subset.h>
#include <hb-ot.h>
#include <hb.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-font.h>

/* ---- Cairo faces of our own ----------------------------------------------------- */

/* What a Cairo face made from a FreeType face of ours keeps alive until Cairo
 * lets it go.  Its scaled fonts may outlive the document, and the thread, in
 * Cairo's cache of recently used fonts, and be freed from any thread: hence
 * a FreeType library for each face (one library's faces are not
 * thread-safe). */
typedef struct Mem {
    FT_Library lib;
    FT_Face face;
    hb_blob_t *blob;            /* the bytes of a face made from memory, or NULL */
} Mem;

static void mem_free(void *p)
{
    Mem *m = p;
    if (m->face)
        FT_Done_Face(m->face);
    if (m->lib)
        FT_Done_FreeType(m->lib);
    if (m->blob)
        hb_blob_destroy(m->blob);
    g_free(m);
}

static const cairo_user_data_key_t mem_key;

/* A Cairo face over m's FreeType face, owning m; NULL (m freed) on failure. */
static cairo_font_face_t *cairo_face_of(Mem *m)
{
    cairo_font_face_t *cf = cairo_ft_font_face_create_for_ft_face(m->face, 0);
    if (cairo_font_face_status(cf) != CAIRO_STATUS_SUCCESS ||
        cairo_font_face_set_user_data(cf, &mem_key, m, mem_free) != CAIRO_STATUS_SUCCESS) {
        cairo_font_face_destroy(cf);
        mem_free(m);
        return NULL;
    }
    return cf;
}

static cairo_font_face_t *face_from_file(const char *file, int index)
{
    Mem *m = g_new0(Mem, 1);
    if (FT_Init_FreeType(&m->lib) != 0) {
        m->lib = NULL;
        mem_free(m);
        return NULL;
    }
    if (FT_New_Face(m->lib, file, index, &m->face) != 0) {
        m->face = NULL;
        mem_free(m);
        return NULL;
    }
    return cairo_face_of(m);
}

/* Takes blob. */
static cairo_font_face_t *face_from_blob(hb_blob_t *blob)
{
    Mem *m = g_new0(Mem, 1);
    m->blob = blob;
    unsigned len = 0;
    const char *data = hb_blob_get_data(blob, &len);
    if (len == 0) {
        mem_free(m);
        return NULL;
    }
    if (FT_Init_FreeType(&m->lib) != 0) {
        m->lib = NULL;
        mem_free(m);
        return NULL;
    }
    if (FT_New_Memory_Face(m->lib, (const FT_Byte *)data, (FT_Long)len, 0, &m->face) != 0) {
        m->face = NULL;
        mem_free(m);
        return NULL;
    }
    return cairo_face_of(m);
}

/* Whether Cairo would draw font straight from its file with nothing
 * synthesized: a synthetic bold or slant, or a variation, lives in the
 * fontconfig pattern or the font, which a face of ours would not carry. */
int paint_font_file(PangoFont *font, const char **file, int *index)
{
    if (!font || !PANGO_IS_FC_FONT(font) || !PANGO_IS_CAIRO_FONT(font))
        return -1;
    FcPattern *pat = pango_fc_font_get_pattern(PANGO_FC_FONT(font));
    FcBool b = FcFalse;
    FcMatrix *m;
    FcChar8 *f = NULL;
    int i = 0;
    if (!pat)
        return -1;
    if (FcPatternGetBool(pat, FC_EMBOLDEN, 0, &b) == FcResultMatch && b)
        return -1;
    if (FcPatternGetMatrix(pat, FC_MATRIX, 0, &m) == FcResultMatch &&
        (m->xx != 1 || m->xy != 0 || m->yx != 0 || m->yy != 1))
        return -1;
    if (FcPatternGetBool(pat, FC_VARIABLE, 0, &b) == FcResultMatch && b)
        return -1;
    hb_font_t *hf = pango_font_get_hb_font(font);
    if (!hf || hb_ot_var_has_data(hb_font_get_face(hf)))
        return -1;
    if (FcPatternGetString(pat, FC_FILE, 0, &f) != FcResultMatch ||
        FcPatternGetInteger(pat, FC_INDEX, 0, &i) != FcResultMatch)
        return -1;
    *file = (const char *)f;
    *index = i;
    return 0;
}

/* ---- one Pango font, as the painter draws it ---------------------------------- */

struct PaintGlyphMap {
    hb_subset_plan_t *plan;     /* the old-to-new glyph numbers */
};

typedef struct Scaled {
    long key;                   /* the horizontal scale, in millionths */
    cairo_scaled_font_t *sf;    /* NULL: Cairo refused it */
} Scaled;

typedef struct Use {
    cairo_font_face_t *face;    /* NULL: Pango draws the font */
    cairo_matrix_t fm, ctm;     /* Pango's */
    cairo_font_options_t *opt;  /* Pango's */
    GArray *scaled;             /* of Scaled */
    const PaintGlyphMap *map;   /* NULL: Pango's glyph numbers */
} Use;

/* Takes a reference to face (which may be NULL). */
static Use *use_new(PangoFont *font, cairo_font_face_t *face, const PaintGlyphMap *map)
{
    Use *u = g_new0(Use, 1);
    if (!face)
        return u;
    cairo_scaled_font_t *orig = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font));
    if (!orig || cairo_scaled_font_status(orig) != CAIRO_STATUS_SUCCESS)
        return u;
    cairo_scaled_font_get_font_matrix(orig, &u->fm);
    cairo_scaled_font_get_ctm(orig, &u->ctm);
    u->opt = cairo_font_options_create();
    cairo_scaled_font_get_font_options(orig, u->opt);
    u->face = cairo_font_face_reference(face);
    u->scaled = g_array_new(FALSE, FALSE, sizeof(Scaled));
    u->map = map;
    return u;
}

static void use_free(gpointer p)
{
    Use *u = p;
    if (u->scaled) {
        for (guint i = 0; i < u->scaled->len; i++) {
            Scaled *s = &g_array_index(u->scaled, Scaled, i);
            if (s->sf)
                cairo_scaled_font_destroy(s->sf);
        }
        g_array_free(u->scaled, TRUE);
    }
    if (u->opt)
        cairo_font_options_destroy(u->opt);
    if (u->face)
        cairo_font_face_destroy(u->face);
    g_free(u);
}

static cairo_scaled_font_t *use_scaled(Use *u, double sx)
{
    if (!u->face)
        return NULL;
    long key = lround(sx * 1e6);
    for (guint i = 0; i < u->scaled->len; i++) {
        Scaled *s = &g_array_index(u->scaled, Scaled, i);
        if (s->key == key)
            return s->sf;
    }
    cairo_matrix_t fm = u->fm;
    if (key != 1000000) {
        cairo_matrix_t st;
        cairo_matrix_init_scale(&st, sx, 1);
        cairo_matrix_multiply(&fm, &u->fm, &st);
    }
    Scaled s = {key, cairo_scaled_font_create(u->face, &fm, &u->ctm, u->opt)};
    if (cairo_scaled_font_status(s.sf) != CAIRO_STATUS_SUCCESS) {
        cairo_scaled_font_destroy(s.sf);
        s.sf = NULL;
    }
    g_array_append_val(u->scaled, s);
    return s.sf;
}

/* ---- a thread's fonts -------------------------------------------------------------- */

struct PaintFonts {
    GHashTable *uses;           /* PangoFont* (a reference) -> Use* */
    GHashTable *faces;          /* "index:file" -> cairo_font_face_t* (a reference) */
};

PaintFonts *paint_fonts_new(void)
{
    PaintFonts *pf = g_new0(PaintFonts, 1);
    pf->uses = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_object_unref, use_free);
    pf->faces = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)cairo_font_face_destroy);
    return pf;
}

void paint_fonts_free(PaintFonts *pf)
{
    if (!pf)
        return;
    g_hash_table_destroy(pf->uses);     /* the scaled fonts first: they hold the faces */
    g_hash_table_destroy(pf->faces);
    g_free(pf);
}

static Use *thread_use(PaintFonts *pf, PangoFont *font)
{
    Use *u = g_hash_table_lookup(pf->uses, font);
    if (u)
        return u;
    cairo_font_face_t *face = NULL;
    const char *file = NULL;
    int index = 0;
    if (paint_font_file(font, &file, &index) == 0) {
        char *key = g_strdup_printf("%d:%s", index, file);
        face = g_hash_table_lookup(pf->faces, key);
        if (!face) {
            face = face_from_file(file, index);
            if (face)
                g_hash_table_insert(pf->faces, key, face);
            else
                g_free(key);
        } else {
            g_free(key);
        }
    }
    u = use_new(font, face, NULL);
    g_hash_table_insert(pf->uses, g_object_ref(font), u);
    return u;
}

/* ---- a document's fonts: large CFF faces cut down ------------------------------ */

typedef struct Cut {
    hb_face_t *hb;              /* Pango's, referenced */
    hb_set_t *glyphs;           /* drawn in it */
    PaintGlyphMap map;          /* after build */
    cairo_font_face_t *face;    /* after build: the cut-down face, or NULL */
} Cut;

struct PaintDocFonts {
    PaintFonts *pf;
    int own_pf;
    GHashTable *cuts;           /* hb_face_t* -> Cut* */
    GHashTable *fonts;          /* PangoFont* -> Cut* (or &not_cut) */
    GHashTable *uses;           /* PangoFont* -> Use*, for the fonts of cut faces */
    int built;
};

static Cut not_cut;

static void cut_free(gpointer p)
{
    Cut *c = p;
    if (c->face)
        cairo_font_face_destroy(c->face);
    if (c->map.plan)
        hb_subset_plan_destroy(c->map.plan);
    hb_set_destroy(c->glyphs);
    hb_face_destroy(c->hb);
    g_free(c);
}

PaintDocFonts *paint_doc_fonts_new(PaintFonts *pf)
{
    PaintDocFonts *d = g_new0(PaintDocFonts, 1);
    d->own_pf = pf == NULL;
    d->pf = pf ? pf : paint_fonts_new();
    d->cuts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, cut_free);
    d->fonts = g_hash_table_new(g_direct_hash, g_direct_equal);
    d->uses = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, use_free);
    return d;
}

void paint_doc_fonts_free(PaintDocFonts *d)
{
    if (!d)
        return;
    g_hash_table_destroy(d->uses);
    g_hash_table_destroy(d->fonts);
    g_hash_table_destroy(d->cuts);
    if (d->own_pf)
        paint_fonts_free(d->pf);
    g_free(d);
}

/* The cut of font's face if it is a large CFF one, else &not_cut. */
static Cut *cut_of(PaintDocFonts *d, PangoFont *font)
{
    const char *file;
    int index;
    if (paint_font_file(font, &file, &index) != 0)
        return &not_cut;
    hb_face_t *hb = hb_font_get_face(pango_font_get_hb_font(font));
    Cut *c = g_hash_table_lookup(d->cuts, hb);
    if (c)
        return c;
    hb_blob_t *cff = hb_face_reference_table(hb, HB_TAG('C', 'F', 'F', ' '));
    unsigned len = hb_blob_get_length(cff);
    hb_blob_destroy(cff);
    if (len < PAINT_CUT_MIN_CFF)
        return &not_cut;
    c = g_new0(Cut, 1);
    c->hb = hb_face_reference(hb);
    c->glyphs = hb_set_create();
    g_hash_table_insert(d->cuts, hb, c);
    return c;
}

void paint_doc_fonts_add(PaintDocFonts *d, PangoFont *font, const PangoGlyphString *g)
{
    if (!font || d->built)
        return;
    Cut *c = g_hash_table_lookup(d->fonts, font);
    if (!c) {
        c = cut_of(d, font);
        g_hash_table_insert(d->fonts, font, c);
    }
    if (c == &not_cut)
        return;
    for (int i = 0; i < g->num_glyphs; i++) {
        PangoGlyph gl = g->glyphs[i].glyph;
        if (gl != PANGO_GLYPH_EMPTY && !(gl & PANGO_GLYPH_UNKNOWN_FLAG))
            hb_set_add(c->glyphs, gl);
    }
}

/* The layout tables are for shaping, done; cmap is for text to glyphs, done.
 * What Cairo's embedding reads stays: CFF, head, hhea, hmtx, maxp, OS/2,
 * name, post. */
static const char *const dropped[] = {"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG",
                                      "vhea", "vmtx", "DSIG", "cmap", "kern"};

static void cut_down(Cut *c)
{
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in)
        return;
    hb_set_union(hb_subset_input_glyph_set(in), c->glyphs);
    hb_set_clear(hb_subset_input_unicode_set(in));
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < G_N_ELEMENTS(dropped); i++)
        hb_set_add(drop, hb_tag_from_string(dropped[i], 4));
    /* subroutines expanded: faster to cut, and smaller once embedded */
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_DESUBROUTINIZE);
    c->map.plan = hb_subset_plan_create_or_fail(c->hb, in);
    hb_subset_input_destroy(in);
    if (!c->map.plan)
        return;
    hb_face_t *sub = hb_subset_plan_execute_or_fail(c->map.plan);
    if (!sub)
        return;
    hb_blob_t *blob = hb_face_reference_blob(sub);
    hb_face_destroy(sub);
    c->face = face_from_blob(blob);
}

void paint_doc_fonts_build(PaintDocFonts *d)
{
    d->built = 1;
    GHashTableIter hi;
    gpointer k, v;
    g_hash_table_iter_init(&hi, d->cuts);
    while (g_hash_table_iter_next(&hi, &k, &v)) {
        Cut *c = v;
        if (!hb_set_is_empty(c->glyphs))
            cut_down(c);
    }
    /* a font of a face that could not be cut down is drawn as any other */
    g_hash_table_iter_init(&hi, d->fonts);
    while (g_hash_table_iter_next(&hi, &k, &v)) {
        Cut *c = v;
        if (c != &not_cut && c->face)
            g_hash_table_insert(d->uses, k, use_new(k, c->face, &c->map));
    }
}

cairo_scaled_font_t *paint_doc_fonts_get(PaintDocFonts *d, PangoFont *font, double sx,
                                         const PaintGlyphMap **map)
{
    if (!d || !font)
        return NULL;
    Use *u = g_hash_table_lookup(d->uses, font);
    if (!u)
        u = thread_use(d->pf, font);
    *map = u->map;
    return use_scaled(u, sx);
}

unsigned paint_glyph(const PaintGlyphMap *map, unsigned glyph)
{
    if (!map)
        return glyph;
    hb_codepoint_t g = hb_map_get(hb_subset_plan_old_to_new_glyph_mapping(map->plan), glyph);
    return g == HB_MAP_VALUE_INVALID ? 0 : g;
}
