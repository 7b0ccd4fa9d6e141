/* pdffont.c — see pdffont.h.
 *
 * Codes.  Every face is a Type0 font with /Encoding /Identity-H, so a
 * two-byte code is a CID, and what a CID names depends on the outlines:
 *
 * - TrueType (glyf): the subset file goes in whole as a CIDFontType2 with
 *   /CIDToGIDMap /Identity, so the code of a glyph is its number in the
 *   subset (hb-subset's old-to-new glyph map).
 * - CFF, CID-keyed (Noto CJK): the subset's CFF table goes in as a
 *   CIDFontType0C, where a viewer finds the glyph of a CID through the CFF
 *   charset.  hb-subset renumbers the glyphs but writes their original
 *   CIDs into the subset's charset (HarfBuzz 6.0, Noto Serif CJK SC: glyph
 *   14211, CID 14211, becomes glyph 3 of a subset and keeps CID 14211), so
 *   the code of a glyph is read back from that charset: the CID of its new
 *   glyph number.
 * - A CFF face that is not CID-keyed (glyphs known by name) is refused:
 *   PDF viewers differ in how they find a CID in one.  So are CFF2 and any
 *   other outlines.
 *
 * Per face, after pdffont_build: map[] takes a Pango glyph number (old
 * glyph) to its new one (0, .notdef, for a glyph never noted); code[],
 * adv[] and text[] are indexed by new glyph number; order[] lists the new
 * glyph numbers by code, for /W, the ToUnicode CMap and code-to-glyph
 * lookups.  pdffont_code is two array reads. */
#include "pdffont.h"

#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

#include "../fonts/paintfont.h"
#include "pdfcff.h"

/* The longest text one code may stand for in the CMap, in UTF-16 units: a
 * bfchar destination is at most 512 bytes (PDF 32000-1:2008, 9.10.3). */
#define TEXT_MAX_UNITS 256

/* Entries of one beginbfchar block, at most (Adobe Technical Note #5411). */
#define BFCHAR_BLOCK 100

/* ---- one face --------------------------------------------------------------- */

typedef struct Face {
    int k;                      /* the resource index, /F<k> */
    char *file;                 /* the font file and the face in it */
    int index;
    hb_face_t *hb;              /* Pango's, referenced */
    int cff;                    /* CID-keyed CFF outlines; else TrueType */
    unsigned n_glyphs;          /* in the whole face */
    unsigned upem;
    guint32 *noted;             /* a bit per glyph of the face: drawn */
    unsigned top;               /* the highest glyph noted + 1 */

    /* after pdffont_build */
    guint16 *map;               /* [top]: old glyph -> new, 0 when never noted */
    unsigned n;                 /* glyphs in the subset */
    guint16 *code;              /* [n]: by new glyph */
    double *adv;                /* [n]: advance in 1/1000 em as written in /W */
    guint8 *drawn;              /* [n]: noted (or .notdef): gets a /W entry */
    char **text;                /* [n]: the text of the code, or NULL */
    guint16 *text_len;          /* [n]: its bytes (at most 3 * TEXT_MAX_UNITS) */
    guint16 *order;             /* [n]: new glyphs by code */
    hb_blob_t *prog;            /* the font program: subset file or CFF table */
    char *name;                 /* "ABCDEF+PostScriptName" */
    int ready;                  /* built: the arrays above are all there */
    double bbox[4], italic, ascent, descent, cap;   /* 1/1000 em; degrees */
} Face;

/* One Pango font as drawn: its face and the size Cairo draws it at. */
typedef struct Use {
    int k;
    double size_pt;
} Use;

struct PdfFonts {
    GPtrArray *faces;           /* Face*, by resource index k */
    GHashTable *by_file;        /* "index:file" -> Face* */
    GHashTable *uses;           /* PangoFont* (a reference) -> Use* */
    int built;
};

/* A big-endian unsigned integer of n bytes at p. */
static unsigned be(const guint8 *p, int n)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Frees a Face (a GDestroyNotify), built or not. */
static void face_free(gpointer p)
{
    Face *fc = p;
    if (fc->text)
        for (unsigned i = 0; i < fc->n; i++)
            g_free(fc->text[i]);
    g_free(fc->text);
    g_free(fc->text_len);
    g_free(fc->file);
    hb_face_destroy(fc->hb);
    g_free(fc->noted);
    g_free(fc->map);
    g_free(fc->code);
    g_free(fc->adv);
    g_free(fc->drawn);
    g_free(fc->order);
    hb_blob_destroy(fc->prog);
    g_free(fc->name);
    g_free(fc);
}

PdfFonts *pdffont_new(void)
{
    PdfFonts *f = g_new0(PdfFonts, 1);
    f->faces = g_ptr_array_new_with_free_func(face_free);
    f->by_file = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    f->uses = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_object_unref, g_free);
    return f;
}

void pdffont_free(PdfFonts *f)
{
    if (!f)
        return;
    g_hash_table_destroy(f->uses);
    g_hash_table_destroy(f->by_file);
    g_ptr_array_free(f->faces, TRUE);
    g_free(f);
}

int pdffont_count(const PdfFonts *f)
{
    return (int)f->faces->len;
}

/* ---- noting glyphs ------------------------------------------------------------- */

/* Which outlines hb's face has: 1 CID-keyed CFF, 0 TrueType, -1 neither
 * (or a CFF not CID-keyed, or one we cannot read). */
static int outlines(hb_face_t *hb)
{
    hb_blob_t *glyf = hb_face_reference_table(hb, HB_TAG('g', 'l', 'y', 'f'));
    unsigned glen = hb_blob_get_length(glyf);
    hb_blob_destroy(glyf);
    if (glen > 0)
        return 0;
    hb_blob_t *cff = hb_face_reference_table(hb, HB_TAG('C', 'F', 'F', ' '));
    unsigned len = 0;
    const guint8 *b = (const guint8 *)hb_blob_get_data(cff, &len);
    int r = len > 0 && pdfcff_cid_keyed(b, len) == 1 ? 1 : -1;
    hb_blob_destroy(cff);
    return r;
}

/* The face of file and index, hb being Pango's for it, or NULL when this
 * writer cannot embed it. */
static Face *face_new(const char *file, int index, hb_face_t *hb)
{
    int cff = outlines(hb);
    unsigned n = hb_face_get_glyph_count(hb), upem = hb_face_get_upem(hb);
    if (cff < 0 || n == 0 || n > 65536 || upem == 0 || hb_face_get_index(hb) != (unsigned)index)
        return NULL;
    Face *fc = g_new0(Face, 1);
    fc->file = g_strdup(file);
    fc->index = index;
    fc->hb = hb_face_reference(hb);
    fc->cff = cff;
    fc->n_glyphs = n;
    fc->upem = upem;
    fc->noted = g_new0(guint32, (n + 31) / 32);
    fc->top = 1;                /* .notdef is always in the subset */
    fc->noted[0] = 1;
    return fc;
}

/* The Use of font, made on first sight (with its face if new), or NULL when
 * font is one this writer refuses. */
static Use *use_of(PdfFonts *f, PangoFont *font)
{
    Use *u = g_hash_table_lookup(f->uses, font);
    if (u)
        return u;
    const char *file;
    int index;
    if (paint_font_file(font, &file, &index) != 0)
        return NULL;
    /* the size Cairo draws at: Pango's scaled font's matrix, which must be a
     * plain scale (a skew or stretch would not be drawn by Tf alone) */
    cairo_scaled_font_t *sf = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font));
    cairo_matrix_t fm;
    if (!sf || cairo_scaled_font_status(sf) != CAIRO_STATUS_SUCCESS)
        return NULL;
    cairo_scaled_font_get_font_matrix(sf, &fm);
    if (fm.xy != 0 || fm.yx != 0 || fm.xx != fm.yy || !(fm.yy > 0))
        return NULL;
    char *key = g_strdup_printf("%d:%s", index, file);
    Face *fc = g_hash_table_lookup(f->by_file, key);
    if (!fc) {
        fc = face_new(file, index, hb_font_get_face(pango_font_get_hb_font(font)));
        if (!fc) {
            g_free(key);
            return NULL;
        }
        fc->k = (int)f->faces->len;
        g_ptr_array_add(f->faces, fc);
        g_hash_table_insert(f->by_file, key, fc);
    } else {
        g_free(key);
    }
    u = g_new(Use, 1);
    u->k = fc->k;
    u->size_pt = fm.yy;
    g_hash_table_insert(f->uses, g_object_ref(font), u);
    return u;
}

int pdffont_add(PdfFonts *f, PangoFont *font, const PangoGlyphString *g)
{
    if (f->built || !font || !g)
        return -1;
    Use *u = use_of(f, font);
    if (!u)
        return -1;
    Face *fc = g_ptr_array_index(f->faces, u->k);
    for (int i = 0; i < g->num_glyphs; i++) {
        PangoGlyph gl = g->glyphs[i].glyph;
        if (gl != PANGO_GLYPH_EMPTY && ((gl & PANGO_GLYPH_UNKNOWN_FLAG) || gl >= fc->n_glyphs))
            return -1;
    }
    for (int i = 0; i < g->num_glyphs; i++) {
        PangoGlyph gl = g->glyphs[i].glyph;
        if (gl == PANGO_GLYPH_EMPTY)
            continue;
        fc->noted[gl / 32] |= 1u << (gl % 32);
        if (gl >= fc->top)
            fc->top = gl + 1;
    }
    return 0;
}

int pdffont_face(PdfFonts *f, PangoFont *font, double *size_pt)
{
    Use *u = g_hash_table_lookup(f->uses, font);
    if (!u)
        return -1;
    *size_pt = u->size_pt;
    return u->k;
}

/* ---- building: the subset, codes, advances, metrics ------------------------- */

/* Tables a PDF viewer does not read from an embedded font: the layout
 * tables are for shaping, done; cmap is for text to glyphs (the PDF gives
 * glyphs); vertical metrics for vertical writing (we write horizontally);
 * hdmx, LTSH and VDMX are a hinting rasteriser's caches. */
static const char *const dropped[] = {"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "VORG",
                                      "vhea", "vmtx", "DSIG", "cmap", "kern", "hdmx", "LTSH",
                                      "VDMX"};

/* Hands the subsetter the face's tables, but an empty blob for a table it
 * is to drop: told to drop them, HarfBuzz 6.0's plan still reads the cmap
 * (every mapping of the face: 44,000 in Noto CJK) and the layout tables,
 * 3-4 ms for each document that draws a few ideographs, 0.1 ms without. */
static hb_blob_t *kept_table(hb_face_t *face, hb_tag_t tag, void *data)
{
    (void)face;
    for (size_t i = 0; i < G_N_ELEMENTS(dropped); i++)
        if (tag == hb_tag_from_string(dropped[i], 4))
            return hb_blob_get_empty();
    return hb_face_reference_table(data, tag);
}

static void face_unref(void *data)
{
    hb_face_destroy(data);
}

/* The subset plan of fc's noted glyphs, or NULL. */
static hb_subset_plan_t *face_plan(const Face *fc)
{
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in)
        return NULL;
    hb_face_t *src = hb_face_create_for_tables(kept_table, hb_face_reference(fc->hb), face_unref);
    hb_face_set_index(src, hb_face_get_index(fc->hb));
    hb_face_set_upem(src, hb_face_get_upem(fc->hb));
    hb_face_set_glyph_count(src, hb_face_get_glyph_count(fc->hb));
    hb_set_t *gs = hb_subset_input_glyph_set(in);
    for (unsigned w = 0; w < (fc->top + 31) / 32; w++)
        for (guint32 bits = fc->noted[w]; bits; bits &= bits - 1)
            hb_set_add(gs, w * 32 + (unsigned)__builtin_ctz(bits));
    hb_set_clear(hb_subset_input_unicode_set(in));
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < G_N_ELEMENTS(dropped); i++)
        hb_set_add(drop, hb_tag_from_string(dropped[i], 4));
    /* CFF subroutines expanded: faster to cut (as paintfont.c finds), and
     * small enough once deflated */
    if (fc->cff)
        hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_DESUBROUTINIZE);
    hb_subset_plan_t *plan = hb_subset_plan_create_or_fail(src, in);
    hb_subset_input_destroy(in);
    hb_face_destroy(src);       /* the plan holds what it needs */
    return plan;
}

/* Fills fc->code (new glyph -> code) from the subset's font program: the
 * glyph number itself (TrueType) or its CID in the CFF charset.  0 or -1. */
static int face_codes(Face *fc)
{
    fc->code = g_new(guint16, fc->n);
    if (!fc->cff) {
        for (unsigned i = 0; i < fc->n; i++)
            fc->code[i] = (guint16)i;
        return 0;
    }
    unsigned len = 0;
    const guint8 *b = (const guint8 *)hb_blob_get_data(fc->prog, &len);
    return pdfcff_cids(b, len, fc->n, fc->code);
}

/* Orders new glyphs by code, for qsort_r. */
static int by_code(const void *a, const void *b, void *data)
{
    const guint16 *code = data;
    return (int)code[*(const guint16 *)a] - (int)code[*(const guint16 *)b];
}

/* Fills fc->order; -1 when two glyphs share a code (a broken charset). */
static int face_order(Face *fc)
{
    fc->order = g_new(guint16, fc->n);
    for (unsigned i = 0; i < fc->n; i++)
        fc->order[i] = (guint16)i;
    if (fc->cff)
        qsort_r(fc->order, fc->n, sizeof *fc->order, by_code, fc->code);
    for (unsigned i = 1; i < fc->n; i++)
        if (fc->code[fc->order[i]] == fc->code[fc->order[i - 1]])
            return -1;
    return 0;
}

/* The advance of each noted glyph, from the face at its own units, in
 * thousandths of the em rounded as /W writes it (three decimals). */
static void face_advances(Face *fc, hb_font_t *hf)
{
    fc->adv = g_new0(double, fc->n);
    fc->drawn = g_new0(guint8, fc->n);
    for (unsigned g = 0; g < fc->top; g++) {
        if (!(fc->noted[g / 32] & (1u << (g % 32))))
            continue;
        unsigned nw = fc->map[g];
        hb_position_t a = hb_font_get_glyph_h_advance(hf, g);
        fc->adv[nw] = (double)llround((double)a * 1e6 / fc->upem) / 1000;
        fc->drawn[nw] = 1;
    }
}

/* Metrics for the font descriptor, in thousandths of the em: the bounding
 * box of the head table, the italic angle of post, the ascender, descender
 * and cap height HarfBuzz reads from OS/2 or hhea (the ascender standing in
 * for a missing cap height). */
static void face_metrics(Face *fc, hb_font_t *hf)
{
    double s = 1000.0 / fc->upem;
    unsigned len = 0;
    hb_blob_t *head = hb_face_reference_table(fc->hb, HB_TAG('h', 'e', 'a', 'd'));
    const guint8 *h = (const guint8 *)hb_blob_get_data(head, &len);
    if (len >= 54)
        for (int i = 0; i < 4; i++)
            fc->bbox[i] = (int16_t)be(h + 36 + 2 * i, 2) * s;
    hb_blob_destroy(head);
    hb_blob_t *post = hb_face_reference_table(fc->hb, HB_TAG('p', 'o', 's', 't'));
    const guint8 *p = (const guint8 *)hb_blob_get_data(post, &len);
    if (len >= 8)
        fc->italic = (int32_t)be(p + 4, 4) / 65536.0;
    hb_blob_destroy(post);
    hb_position_t v = 0;
    if (hb_ot_metrics_get_position(hf, HB_OT_METRICS_TAG_HORIZONTAL_ASCENDER, &v))
        fc->ascent = v * s;
    else
        fc->ascent = fc->bbox[3];
    if (hb_ot_metrics_get_position(hf, HB_OT_METRICS_TAG_HORIZONTAL_DESCENDER, &v))
        fc->descent = v * s;
    else
        fc->descent = fc->bbox[1];
    if (hb_ot_metrics_get_position(hf, HB_OT_METRICS_TAG_CAP_HEIGHT, &v) && v > 0)
        fc->cap = v * s;
    else
        fc->cap = fc->ascent;
}

/* The PostScript name of fc (name ID 6) with only letters, digits, '-',
 * '_' and '.' kept (a PDF name without escapes, no '+' to mix with the
 * subset tag), at most 63 bytes; else one made from the file's name. */
static char *face_ps_name(const Face *fc)
{
    char raw[128] = "";
    unsigned len = sizeof raw;
    hb_ot_name_get_utf8(fc->hb, HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &len, raw);
    GString *g = g_string_new(NULL);
    for (const char *p = raw; *p && g->len < 63; p++)
        if (g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.')
            g_string_append_c(g, *p);
    if (g->len == 0) {
        char *base = g_path_get_basename(fc->file);
        for (const char *p = base; *p && g->len < 56; p++)
            if (g_ascii_isalnum(*p))
                g_string_append_c(g, *p);
        g_string_append_printf(g, "-%d", fc->index);
        g_free(base);
    }
    return g_string_free(g, FALSE);
}

/* "ABCDEF+name": the subset tag (PDF 32000-1:2008, 9.6.4), six capitals
 * from an FNV-1a hash of the name and the glyphs noted, so the same glyphs
 * of the same face get the same tag. */
static char *face_tagged_name(const Face *fc, const char *name)
{
    guint64 h = 0xcbf29ce484222325ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (guint8)*p) * 0x100000001b3ULL;
    for (unsigned w = 0; w < (fc->top + 31) / 32; w++)
        for (int k = 0; k < 4; k++)
            h = (h ^ ((fc->noted[w] >> (8 * k)) & 0xFF)) * 0x100000001b3ULL;
    char tag[7];
    for (int i = 0; i < 6; i++, h /= 26)
        tag[i] = (char)('A' + h % 26);
    tag[6] = 0;
    return g_strconcat(tag, "+", name, NULL);
}

/* Cuts fc down to its noted glyphs and works out codes, advances, metrics
 * and name.  0, or -1 when the subsetter fails or its output is unreadable. */
static int face_build(Face *fc)
{
    hb_subset_plan_t *plan = face_plan(fc);
    if (!plan)
        return -1;
    const hb_map_t *old_new = hb_subset_plan_old_to_new_glyph_mapping(plan);
    fc->n = hb_map_get_population(old_new);    /* the noted glyphs and their components */
    fc->map = g_new0(guint16, fc->top);
    int ok = fc->n > 0 && fc->n <= 65536;
    for (unsigned g = 0; ok && g < fc->top; g++) {
        if (!(fc->noted[g / 32] & (1u << (g % 32))))
            continue;
        hb_codepoint_t nw = hb_map_get(old_new, g);
        ok = nw < fc->n;
        fc->map[g] = (guint16)nw;
    }
    hb_face_t *sub = ok ? hb_subset_plan_execute_or_fail(plan) : NULL;
    hb_subset_plan_destroy(plan);
    if (!sub)
        return -1;
    /* a builder face: with tag 0 it serializes the whole file */
    fc->prog = fc->cff ? hb_face_reference_table(sub, HB_TAG('C', 'F', 'F', ' '))
                       : hb_face_reference_blob(sub);
    hb_face_destroy(sub);
    if (hb_blob_get_length(fc->prog) == 0 || face_codes(fc) != 0 || face_order(fc) != 0)
        return -1;
    fc->text = g_new0(char *, fc->n);
    fc->text_len = g_new0(guint16, fc->n);
    hb_font_t *hf = hb_font_create(fc->hb);     /* scale: the em, in font units */
    face_advances(fc, hf);
    face_metrics(fc, hf);
    hb_font_destroy(hf);
    char *ps = face_ps_name(fc);
    fc->name = face_tagged_name(fc, ps);
    g_free(ps);
    fc->ready = 1;
    return 0;
}

int pdffont_build(PdfFonts *f)
{
    f->built = 1;
    for (guint k = 0; k < f->faces->len; k++)
        if (face_build(g_ptr_array_index(f->faces, k)) != 0)
            return -1;
    return 0;
}

/* ---- drawing ----------------------------------------------------------------- */

unsigned pdffont_code(PdfFonts *f, int k, unsigned glyph, double *advance_1000)
{
    const Face *fc = k >= 0 && (guint)k < f->faces->len ? g_ptr_array_index(f->faces, k) : NULL;
    if (!fc || !fc->ready) {    /* no such face, or not built */
        if (advance_1000)
            *advance_1000 = 0;
        return 0;
    }
    unsigned nw = glyph < fc->top ? fc->map[glyph] : 0;
    if (advance_1000)
        *advance_1000 = fc->adv[nw];
    return fc->code[nw];
}

/* The new glyph of code in fc, or -1 for a code no glyph has. */
static int glyph_of_code(const Face *fc, unsigned code)
{
    if (code < fc->n && fc->code[fc->order[code]] == code)
        return fc->order[code];         /* TrueType: always */
    unsigned lo = 0, hi = fc->n;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2, c = fc->code[fc->order[mid]];
        if (c == code)
            return fc->order[mid];
        if (c < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* UTF-16 units of the valid UTF-8 s[0..len). */
static long utf16_units(const char *s, int len)
{
    long n = 0;
    for (const char *p = s; p < s + len; p = g_utf8_next_char(p))
        n += g_utf8_get_char(p) > 0xFFFF ? 2 : 1;
    return n;
}

int pdffont_text(PdfFonts *f, int k, unsigned code, const char *text, int len)
{
    if (k < 0 || (guint)k >= f->faces->len)
        return 0;
    Face *fc = g_ptr_array_index(f->faces, k);
    int g = fc->ready ? glyph_of_code(fc, code) : -1;
    if (g < 0 || len <= 0 || !text)
        return 0;
    if (fc->text[g])            /* (its length kept: a strlen a cluster was 0.5 % of a build) */
        return fc->text_len[g] == len && memcmp(fc->text[g], text, (size_t)len) == 0;
    /* no NUL, valid, short enough for one bfchar destination */
    if (!g_utf8_validate_len(text, (gsize)len, NULL) || utf16_units(text, len) > TEXT_MAX_UNITS)
        return 0;
    fc->text[g] = g_strndup(text, (gsize)len);
    fc->text_len[g] = (guint16)len;
    return 1;
}

/* ---- writing ------------------------------------------------------------------ */

/* Compares two doubles, for qsort. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The most common advance of the glyphs drawn (the smallest of equally
 * common ones), for /DW. */
static double common_advance(const Face *fc)
{
    double *a = g_new(double, fc->n);
    unsigned n = 0;
    for (unsigned i = 0; i < fc->n; i++)
        if (fc->drawn[i])
            a[n++] = fc->adv[i];
    qsort(a, n, sizeof *a, cmp_double);
    double best = n ? a[0] : 1000;
    unsigned best_run = 0;
    for (unsigned i = 0, j; i < n; i = j) {
        for (j = i; j < n && a[j] == a[i]; j++)
            ;
        if (j - i > best_run) {
            best_run = j - i;
            best = a[i];
        }
    }
    g_free(a);
    return best;
}

/* The /W array: each run of consecutive codes drawn with an advance other
 * than dw as "first [w1 w2 ...]"; nothing when every one has dw. */
static void write_widths(GString *g, const Face *fc, double dw)
{
    unsigned other = 0;
    for (unsigned i = 0; i < fc->n; i++)
        other += fc->drawn[i] && fc->adv[i] != dw;
    if (!other)
        return;
    g_string_append(g, " /W [");
    long next = -1;                     /* the code that would extend the open run */
    for (unsigned i = 0; i < fc->n; i++) {
        unsigned nw = fc->order[i], c = fc->code[nw];
        if (!fc->drawn[nw] || fc->adv[nw] == dw)
            continue;
        if ((long)c != next) {
            if (next >= 0)
                g_string_append_c(g, ']');
            g_string_append_c(g, ' ');
            pdfw_int(g, c);
            g_string_append(g, " [");
        } else {
            g_string_append_c(g, ' ');
        }
        pdfw_num(g, fc->adv[nw], 3);
        next = (long)c + 1;
    }
    if (next >= 0)
        g_string_append_c(g, ']');
    g_string_append(g, " ]");
}

/* Appends four uppercase hex digits of u. */
static void hex4(GString *g, unsigned u)
{
    static const char hex[] = "0123456789ABCDEF";
    for (int s = 12; s >= 0; s -= 4)
        g_string_append_c(g, hex[(u >> s) & 15]);
}

/* The ToUnicode CMap of fc: each code with a text, in order of code, in
 * blocks of BFCHAR_BLOCK, the text as UTF-16BE (surrogate pairs past the
 * BMP).  The boilerplate is Adobe's (Technical Note #5411, example 1). */
static GString *tounicode(const Face *fc)
{
    GString *g = g_string_new("/CIDInit /ProcSet findresource begin\n"
                              "12 dict begin\n"
                              "begincmap\n"
                              "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                              "/CMapName /Adobe-Identity-UCS def\n"
                              "/CMapType 2 def\n"
                              "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    unsigned total = 0;
    for (unsigned i = 0; i < fc->n; i++)
        total += fc->text[i] != NULL;
    for (unsigned i = 0, done = 0; i < fc->n; i++) {
        unsigned nw = fc->order[i];
        if (!fc->text[nw])
            continue;
        if (done % BFCHAR_BLOCK == 0) {
            pdfw_int(g, MIN(BFCHAR_BLOCK, total - done));
            g_string_append(g, " beginbfchar\n");
        }
        g_string_append_c(g, '<');
        hex4(g, fc->code[nw]);
        g_string_append(g, "> <");
        for (const char *p = fc->text[nw]; *p; p = g_utf8_next_char(p)) {
            gunichar u = g_utf8_get_char(p);
            if (u > 0xFFFF) {
                hex4(g, 0xD800 + ((u - 0x10000) >> 10));
                hex4(g, 0xDC00 + ((u - 0x10000) & 0x3FF));
            } else {
                hex4(g, u);
            }
        }
        g_string_append(g, ">\n");
        done++;
        if (done % BFCHAR_BLOCK == 0 || done == total)
            g_string_append(g, "endbfchar\n");
    }
    g_string_append(g, "endcmap\n"
                       "CMapName currentdict /CMap defineresource pop\n"
                       "end\n"
                       "end\n");
    return g;
}

/* The font descriptor of fc (object num), its font file object prog. */
static void write_descriptor(PdfW *w, int num, const Face *fc, int prog)
{
    GString *g = pdfw_begin(w, num);
    g_string_append(g, "<< /Type /FontDescriptor /FontName ");
    pdfw_name(g, fc->name);
    g_string_append(g, " /Flags 4 /FontBBox [");
    for (int i = 0; i < 4; i++) {
        g_string_append_c(g, ' ');
        pdfw_num(g, i < 2 ? floor(fc->bbox[i]) : ceil(fc->bbox[i]), 0);
    }
    g_string_append(g, " ] /ItalicAngle ");
    pdfw_num(g, fc->italic, 2);
    g_string_append(g, " /Ascent ");
    pdfw_num(g, fc->ascent, 0);
    g_string_append(g, " /Descent ");
    pdfw_num(g, fc->descent, 0);
    g_string_append(g, " /CapHeight ");
    pdfw_num(g, fc->cap, 0);
    g_string_append(g, " /StemV 80 ");
    g_string_append(g, fc->cff ? "/FontFile3 " : "/FontFile2 ");
    pdfw_ref(g, prog);
    g_string_append(g, " >>");
    pdfw_end(w);
}

/* The CIDFont of fc (object num), its descriptor desc. */
static void write_cidfont(PdfW *w, int num, const Face *fc, int desc)
{
    GString *g = pdfw_begin(w, num);
    g_string_append(g, fc->cff ? "<< /Type /Font /Subtype /CIDFontType0 /BaseFont "
                               : "<< /Type /Font /Subtype /CIDFontType2 /BaseFont ");
    pdfw_name(g, fc->name);
    g_string_append(g, " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
                       " /FontDescriptor ");
    pdfw_ref(g, desc);
    double dw = common_advance(fc);
    g_string_append(g, " /DW ");
    pdfw_num(g, dw, 3);
    write_widths(g, fc, dw);
    if (!fc->cff)
        g_string_append(g, " /CIDToGIDMap /Identity");
    g_string_append(g, " >>");
    pdfw_end(w);
}

/* Every object of fc; the Type0 font's number. */
static int face_write(PdfW *w, const Face *fc)
{
    int type0 = pdfw_reserve(w), cid = pdfw_reserve(w), desc = pdfw_reserve(w),
        prog = pdfw_reserve(w), cmap = pdfw_reserve(w);
    unsigned len = 0;
    const char *data = hb_blob_get_data(fc->prog, &len);
    GString *extra = g_string_new(NULL);
    if (fc->cff) {
        g_string_append(extra, "/Subtype /CIDFontType0C");
    } else {
        g_string_append(extra, "/Length1 ");
        pdfw_int(extra, len);
    }
    int r = pdfw_stream(w, prog, extra->str, data, len, PDFW_FAST);
    g_string_free(extra, TRUE);
    GString *cm = tounicode(fc);
    if (r == 0)
        r = pdfw_stream(w, cmap, NULL, cm->str, cm->len, PDFW_FAST);
    g_string_free(cm, TRUE);
    if (r != 0)
        return -1;
    write_descriptor(w, desc, fc, prog);
    write_cidfont(w, cid, fc, desc);
    GString *g = pdfw_begin(w, type0);
    g_string_append(g, "<< /Type /Font /Subtype /Type0 /BaseFont ");
    pdfw_name(g, fc->name);
    g_string_append(g, " /Encoding /Identity-H /DescendantFonts [");
    pdfw_ref(g, cid);
    g_string_append(g, "] /ToUnicode ");
    pdfw_ref(g, cmap);
    g_string_append(g, " >>");
    pdfw_end(w);
    return type0;
}

int pdffont_write(PdfFonts *f, PdfW *w, int *obj)
{
    for (guint k = 0; k < f->faces->len; k++) {
        const Face *fc = g_ptr_array_index(f->faces, k);
        if (!fc->ready)
            return -1;          /* not built */
        obj[k] = face_write(w, fc);
        if (obj[k] < 0)
            return -1;
    }
    return 0;
}
