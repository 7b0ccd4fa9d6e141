/* pdfpaint.c — see pdfpaint.h.
 *
 * One pass over the pages writes each page's content stream, its page
 * object and its link annotations as they come; the structure elements,
 * the parent tree, destinations, outline, labels, fonts and the shared
 * resources follow once every page is done.  Coordinates: the layout's
 * origin is the trim's top-left corner with y down; the PDF's is the
 * media's bottom-left with y up, so y becomes media height - (y + offset).
 *
 * Marked content: the content of the innermost open structure element is
 * one marked-content sequence with an MCID, opened at its first drawing and
 * closed when a child element begins or the element ends (a sequence with
 * an MCID never contains another); what is drawn outside every element —
 * running heads, folios, crop marks — is an /Artifact. */
#include "pdfpaint.h"

#include <math.h>
#include <string.h>

#include "pdffont.h"
#include "pdfimage.h"
#include "pdfw.h"

/* ---- the document being written ------------------------------------------------ */

enum { KID_MCID, KID_ELEM, KID_OBJR };

typedef struct Kid {
    int type;
    int v;                      /* MCID, element index, or annotation object */
    int page;                   /* page index (KID_MCID, KID_OBJR) */
} Kid;

typedef struct Elem {
    int obj;
    int parent;                 /* element index; -1 for the Document element */
    const char *tag;            /* structure type ("P", "H1", "Link") */
    int page;                   /* the page its content is on, -1 when none */
    GArray *kids;               /* of Kid */
} Elem;

typedef struct Dest {
    const char *name;
    int page;
    double x, y;                /* PDF coordinates */
} Dest;

typedef struct PageRec {
    int obj;
    int key;                    /* its /StructParents key */
} PageRec;

typedef struct ParentEntry {
    int key;
    int obj;                    /* the array of a page's elements by MCID, or a Link element */
} ParentEntry;

typedef struct Doc {
    const LayResult *r;
    const PaintOptions *o;
    PdfW w;
    PdfFonts *fonts;
    GHashTable *images;         /* path -> object number (int), or PDFIMAGE_UNREADABLE */
    GArray *image_objs;         /* (int) written image objects, by resource index */
    GHashTable *image_index;    /* path -> resource index + 1 */
    GArray *elems;              /* of Elem; 0 = Document */
    GArray *dests;              /* of Dest */
    GArray *pages;              /* of PageRec */
    GArray *parents;            /* of ParentEntry */
    int next_key;
    int resources, pages_obj;
    double off;                 /* trim origin on the media */
    double media_h;
    /* the page being written */
    int page;
    GString *cs;                /* its content stream */
    GArray *annots;             /* (int) its annotation objects */
    GArray *mcids;              /* (int) element object of each of its MCIDs */
    int stack[64];              /* open elements, innermost last */
    int depth;                  /* open elements beyond the 64 are counted, not kept */
    int marked;                 /* 0: no sequence open; 1: an MCID one; 2: an artifact */
    int font;                   /* text state: -1 = none yet on this page */
    double size, tz;
} Doc;

/* ---- content stream helpers -------------------------------------------------------- */

static double px(const Doc *d, double x)
{
    return x + d->off;
}

static double py(const Doc *d, double y)
{
    return d->media_h - (y + d->off);
}

static void num(Doc *d, double v)
{
    pdfw_num(d->cs, v, 3);
    pdfw_putc(d->cs, ' ');
}

static int elem_new(Doc *d, int parent, const char *tag, int page)
{
    Elem e = {.obj = pdfw_reserve(&d->w), .parent = parent, .tag = tag, .page = page,
              .kids = g_array_new(FALSE, FALSE, sizeof(Kid))};
    g_array_append_val(d->elems, e);
    int idx = (int)d->elems->len - 1;
    if (parent >= 0) {
        Kid k = {KID_ELEM, idx, page};
        g_array_append_val(g_array_index(d->elems, Elem, parent).kids, k);
    }
    return idx;
}

/* The element content drawn now belongs to: the innermost open one kept,
 * or 0 (Document) when the stack overflowed, or -1 outside every element
 * (the layout tags the flow and its notes; what it draws outside them is
 * page furniture: running heads and folios, an artifact). */
static int current_elem(const Doc *d)
{
    if (d->depth == 0)
        return -1;
    return d->depth <= (int)G_N_ELEMENTS(d->stack) ? d->stack[d->depth - 1] : 0;
}

static void end_marked(Doc *d)
{
    if (d->marked)
        pdfw_puts(d->cs, "EMC\n");
    d->marked = 0;
}

/* Opens the marked-content sequence what is about to be drawn belongs in. */
static void mark(Doc *d)
{
    if (!d->o->tagged)
        return;
    int e = current_elem(d);
    int want = e < 0 ? 2 : 1;
    if (d->marked == want)
        return;
    end_marked(d);
    if (want == 2) {
        pdfw_puts(d->cs, "/Artifact BMC\n");
    } else {
        Elem *el = &g_array_index(d->elems, Elem, e);
        int mcid = (int)d->mcids->len;
        g_array_append_val(d->mcids, el->obj);
        Kid k = {KID_MCID, mcid, d->page};
        g_array_append_val(el->kids, k);
        if (el->page < 0)
            el->page = d->page;
        pdfw_name(d->cs, el->tag);
        pdfw_puts(d->cs, " << /MCID ");
        pdfw_int(d->cs, mcid);
        pdfw_puts(d->cs, " >> BDC\n");
    }
    d->marked = want;
}

/* ---- glyphs -------------------------------------------------------------------------- */

/* Text attached to a span of glyphs: the cluster's text, from glyph `first`
 * through glyph `last` (indices in the glyph string). */
typedef struct Actual {
    int first, last;
    const char *text;
    int len;
} Actual;

static void put_hex4(GString *g, unsigned v)
{
    static const char hex[] = "0123456789ABCDEF";
    char b[4] = {hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15], hex[v & 15]};
    g_string_append_len(g, b, 4);
}


/* A two-byte code inside a literal string: half the bytes of hex, for the
 * deflater to go through; the delimiters and the backslash escaped, and a
 * carriage return, which a reader would take for an end of line. */
static void put_code(GString *g, unsigned v)
{
    char b[4];
    int n = 0;
    unsigned char c[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    for (int i = 0; i < 2; i++) {
        if (c[i] == '(' || c[i] == ')' || c[i] == '\\') {
            b[n++] = '\\';
            b[n++] = (char)c[i];
        } else if (c[i] == '\r') {
            b[n++] = '\\';
            b[n++] = 'r';
        } else {
            b[n++] = (char)c[i];
        }
    }
    pdfw_put(g, b, (size_t)n);
}

static void put_actual_text(GString *g, const char *text, int len)
{
    pdfw_puts(g, "/Span << /ActualText <FEFF");
    const char *p = text, *e = text + len;
    while (p < e) {
        gunichar c = g_utf8_get_char_validated(p, e - p);
        if (c == (gunichar)-1 || c == (gunichar)-2)
            break;
        if (c >= 0x10000) {
            c -= 0x10000;
            put_hex4(g, 0xD800 + (c >> 10));
            put_hex4(g, 0xDC00 + (c & 0x3FF));
        } else {
            put_hex4(g, c);
        }
        p = g_utf8_next_char(p);
    }
    pdfw_puts(g, "> >> BDC\n");
}

/* One cluster: glyphs [lo, hi) standing for text[0..len).  Notes its text
 * with the font, or lists it in act when the ToUnicode map cannot give it
 * (several glyphs for one text, or a glyph already mapped to other text). */
static void cluster(Doc *d, int k, const PangoGlyphString *g, const unsigned *codes, int lo,
                    int hi, const char *t, int len, Actual *act, int *n, int max)
{
    int drawn = 0, one = -1;
    for (int i = lo; i < hi && i < g->num_glyphs; i++)
        if (g->glyphs[i].glyph != PANGO_GLYPH_EMPTY) {
            drawn++;
            one = i;
        }
    if (drawn == 0 || len <= 0)
        return;     /* nothing drawn for this text, or no text: as Cairo does */
    if (drawn == 1 && pdffont_text(d->fonts, k, codes[one], t, len))
        return;
    if (*n < max)
        act[(*n)++] = (Actual){lo, hi - 1, t, len};
}

/* The clusters of the run (codes[i] is glyph i's code, 0 for an empty
 * glyph), through cluster(); returns how many went into act.  A
 * left-to-right run whose clusters go forward is walked directly (glyphs
 * with one log cluster form one); anything else with Pango's iterator. */
static int actual_spans(Doc *d, int k, const LayItem *it, const unsigned *codes, Actual *act,
                        int max)
{
    PangoGlyphItem *gi = it->gi;
    const PangoGlyphString *g = gi->glyphs;
    const char *base = it->text + gi->item->offset;
    int n = 0, ng = g->num_glyphs, forward = !(gi->item->analysis.level & 1);
    for (int i = 1; i < ng && forward; i++)
        forward = g->log_clusters[i] >= g->log_clusters[i - 1];
    if (forward && ng > 0 && g->log_clusters[0] == 0) {
        for (int i = 0; i < ng;) {
            int j = i + 1;
            while (j < ng && g->log_clusters[j] == g->log_clusters[i])
                j++;
            int start = g->log_clusters[i], stop = j < ng ? g->log_clusters[j] : gi->item->length;
            cluster(d, k, g, codes, i, j, base + start, stop - start, act, &n, max);
            i = j;
        }
        return n;
    }
    PangoGlyphItemIter iter;
    if (!pango_glyph_item_iter_init_start(&iter, gi, it->text))
        return 0;
    do {
        int lo = MIN(iter.start_glyph, iter.end_glyph + 1);
        int hi = MAX(iter.start_glyph + 1, iter.end_glyph);
        cluster(d, k, g, codes, lo, hi, it->text + iter.start_index,
                iter.end_index - iter.start_index, act, &n, max);
    } while (pango_glyph_item_iter_next_cluster(&iter));
    /* the iterator goes in logical order: a right-to-left run's clusters
     * come last glyph first, and show_glyphs takes the spans by glyph */
    if (n > 1 && act[0].first > act[n - 1].first)
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            Actual t = act[i];
            act[i] = act[j];
            act[j] = t;
        }
    return n;
}

/* After glyph i (drawn or empty): ends the span act[*a] when i is its last
 * glyph, closing the TJ array *open has open and the span's sequence. */
static void span_end(GString *cs, const Actual *act, int n_act, int i, int *a, int *in_act,
                     int *open)
{
    if (*a >= n_act || act[*a].last > i)
        return;
    if (*in_act) {
        if (*open == 2)
            pdfw_putc(cs, ')');
        if (*open)
            pdfw_puts(cs, "]TJ\n");
        pdfw_puts(cs, "EMC\n");
        *open = 0;
    }
    *in_act = 0;
    (*a)++;
}

static void show_glyphs(Doc *d, const LayItem *it)
{
    PangoGlyphItem *gi = it->gi;
    const PangoGlyphString *g = gi->glyphs;
    double size = 0;
    int k = pdffont_face(d->fonts, gi->item->analysis.font, &size);
    if (k < 0 || g->num_glyphs <= 0)
        return;     /* (the survey noted every font: cannot happen) */
    double sx = it->scale_x > 0 ? it->scale_x : 1.0;
    double shape_sx = paint_square_script(gi->item->analysis.script) ? 1.0 : sx;
    double centre = (sx - shape_sx) / 2;
    unsigned stack_codes[128];
    double stack_adv[128];
    Actual stack_act[32];
    int ng = g->num_glyphs;
    unsigned *codes = ng <= 128 ? stack_codes : g_new(unsigned, ng);
    double *adv = ng <= 128 ? stack_adv : g_new(double, ng);
    for (int i = 0; i < ng; i++) {
        PangoGlyph gl = g->glyphs[i].glyph;
        codes[i] = gl == PANGO_GLYPH_EMPTY ? 0 : pdffont_code(d->fonts, k, gl, &adv[i]);
    }
    int max_act = ng <= 32 ? 32 : ng;
    Actual *act = ng <= 32 ? stack_act : g_new(Actual, max_act);
    int n_act = actual_spans(d, k, it, codes, act, max_act);

    mark(d);
    GString *cs = d->cs;
    pdfw_puts(cs, "BT\n");
    if (k != d->font || size != d->size) {
        pdfw_puts(cs, "/F");
        pdfw_int(cs, k);
        pdfw_putc(cs, ' ');
        pdfw_num(cs, size, 4);
        pdfw_puts(cs, " Tf\n");
        d->font = k;
        d->size = size;
    }
    if (shape_sx != d->tz) {
        pdfw_num(cs, shape_sx * 100, 4);
        pdfw_puts(cs, " Tz\n");
        d->tz = shape_sx;
    }
    double unit = size * shape_sx / 1000;      /* pt per thousandth of text space */
    double x0 = px(d, it->x), y0 = py(d, it->y);
    double pen = 0, line_y = NAN;
    int open = 0;           /* 0: no TJ array; 1: array open; 2: array and hex string open */
    int a = 0, in_act = 0;
    gint64 xpos = 0;        /* (a sum of ints: wide enough for any) */
    for (int i = 0; i < ng; i++) {
        const PangoGlyphInfo *pg = &g->glyphs[i];
        gint64 here = xpos;
        xpos += pg->geometry.width;
        /* a span begins and ends at its first and last glyph, drawn or
         * empty (a cluster may start or end with an empty one) */
        if (a < n_act && act[a].first == i) {
            if (open == 2)
                pdfw_putc(cs, ')');
            if (open)
                pdfw_puts(cs, "]TJ\n");
            open = 0;
            put_actual_text(cs, act[a].text, act[a].len);
            in_act = 1;
        }
        if (pg->glyph == PANGO_GLYPH_EMPTY) {
            span_end(cs, act, n_act, i, &a, &in_act, &open);
            continue;
        }
        double gx = x0 + (sx * (double)(here + pg->geometry.x_offset) +
                          centre * pg->geometry.width) / PANGO_SCALE;
        double gy = y0 - (double)pg->geometry.y_offset / PANGO_SCALE;
        if (gy != line_y) {
            if (open == 2)
                pdfw_putc(cs, ')');
            if (open)
                pdfw_puts(cs, "]TJ\n");
            open = 0;
            pdfw_puts(cs, "1 0 0 1 ");
            num(d, gx);
            num(d, gy);
            pdfw_puts(cs, "Tm\n");
            line_y = gy;
            pen = gx;
        }
        if (!open) {
            pdfw_putc(cs, '[');
            open = 1;
        }
        /* whole thousandths of the size, as Cairo writes them: a glyph is
         * at most 0.005 pt (at 10 pt) from its place, and the error never
         * adds up, since pen follows what the viewer will do; Pango's
         * positions, in 1/1024 pt, would otherwise ask for a tenth-unit
         * nudge at every other glyph */
        double n = (pen - gx) / unit;
        if (!isfinite(n) || fabs(n) > 1e12)
            n = 0;      /* never reached by sane input (as pdfw_num): no jump past a long long */
        if (fabs(n) >= 0.5) {
            if (open == 2)
                pdfw_putc(cs, ')');
            double nr = round(n);
            pdfw_int(cs, (long long)nr);
            pen -= nr * unit;
            open = 1;
        }
        if (open == 1) {
            pdfw_putc(cs, '(');
            open = 2;
        }
        put_code(cs, codes[i]);
        pen += adv[i] * unit;
        span_end(cs, act, n_act, i, &a, &in_act, &open);
    }
    if (open == 2)
        pdfw_putc(cs, ')');
    if (open)
        pdfw_puts(cs, "]TJ\n");
    if (in_act)                 /* (spans end within the run: cannot happen) */
        pdfw_puts(cs, "EMC\n");
    pdfw_puts(cs, "ET\n");
    if (codes != stack_codes)
        g_free(codes);
    if (adv != stack_adv)
        g_free(adv);
    if (act != stack_act)
        g_free(act);
}

/* ---- rules, figures, links ---------------------------------------------------------- */

static void stroke_line(Doc *d, double w, double x0, double y0, double x1, double y1)
{
    pdfw_puts(d->cs, "q ");
    num(d, w);
    pdfw_puts(d->cs, "w ");
    num(d, px(d, x0));
    num(d, py(d, y0));
    pdfw_puts(d->cs, "m ");
    num(d, px(d, x1));
    num(d, py(d, y1));
    pdfw_puts(d->cs, "l S Q\n");
}

static void draw_image(Doc *d, const LayItem *it)
{
    gpointer v;
    int idx;
    if (g_hash_table_lookup_extended(d->image_index, it->str, NULL, &v)) {
        idx = GPOINTER_TO_INT(v) - 1;
    } else {
        int obj = pdfimage_write(&d->w, it->str);
        idx = -1;
        if (obj > 0) {
            g_array_append_val(d->image_objs, obj);
            idx = (int)d->image_objs->len - 1;
        }
        g_hash_table_insert(d->image_index, (gpointer)it->str, GINT_TO_POINTER(idx + 1));
    }
    mark(d);
    GString *cs = d->cs;
    if (idx < 0) {      /* the file went away after layout: mark the place, as paint.c does */
        pdfw_puts(cs, "q 0.5 w ");
        num(d, px(d, it->x));
        num(d, py(d, it->y + it->h));
        num(d, it->w);
        num(d, it->h);
        pdfw_puts(cs, "re S Q\n");
        return;
    }
    pdfw_puts(cs, "q ");
    num(d, it->w);
    pdfw_puts(cs, "0 0 ");
    num(d, it->h);
    num(d, px(d, it->x));
    num(d, py(d, it->y + it->h));
    pdfw_puts(cs, "cm /Im");
    pdfw_int(cs, idx);
    pdfw_puts(cs, " Do Q\n");
}

/* A link annotation and its Link element, a child of the current element. */
static void put_link(Doc *d, const LayItem *it)
{
    int annot = pdfw_reserve(&d->w);
    int parent = current_elem(d);
    int e = elem_new(d, parent < 0 ? 0 : parent, "Link", d->page);
    Kid k = {KID_OBJR, annot, d->page};
    g_array_append_val(g_array_index(d->elems, Elem, e).kids, k);
    int key = d->next_key++;
    ParentEntry pe = {key, g_array_index(d->elems, Elem, e).obj};
    g_array_append_val(d->parents, pe);
    g_array_append_val(d->annots, annot);

    GString *g = pdfw_begin(&d->w, annot);
    pdfw_puts(g, "<< /Type /Annot /Subtype /Link /Rect [");
    pdfw_num(g, px(d, it->x), 3);
    pdfw_putc(g, ' ');
    pdfw_num(g, py(d, it->y + it->h), 3);
    pdfw_putc(g, ' ');
    pdfw_num(g, px(d, it->x + it->w), 3);
    pdfw_putc(g, ' ');
    pdfw_num(g, py(d, it->y), 3);
    g_string_append(g, "] /Border [0 0 0] /StructParent ");
    pdfw_int(g, key);
    if (it->str[0] == '#') {
        g_string_append(g, " /Dest ");
        pdfw_bytes(g, it->str + 1, strlen(it->str + 1));
    } else {
        g_string_append(g, " /A << /S /URI /URI ");
        pdfw_bytes(g, it->str, strlen(it->str));
        g_string_append(g, " >>");
    }
    g_string_append(g, " >>");
    pdfw_end(&d->w);
}

/* ---- pages ----------------------------------------------------------------------------- */

static void crop_marks(Doc *d)
{
    const PaintOptions *o = d->o;
    double d0 = o->bleed + 3, d1 = o->bleed + o->marks - 2;
    if (o->marks <= 0 || d1 <= d0)
        return;
    /* in layout coordinates relative to the trim origin, as paint.c's */
    double xs[2] = {0, o->width}, ys[2] = {0, o->height};
    mark(d);        /* outside every element: an artifact */
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++) {
            double sx = i ? 1 : -1, sy = k ? 1 : -1;
            stroke_line(d, 0.25, xs[i] + sx * d0, ys[k], xs[i] + sx * d1, ys[k]);
            stroke_line(d, 0.25, xs[i], ys[k] + sy * d0, xs[i], ys[k] + sy * d1);
        }
}

static int write_page(Doc *d, int pi)
{
    const LayPage *p = &d->r->pages[pi];
    PageRec *pr = &g_array_index(d->pages, PageRec, pi);
    d->page = pi;
    g_string_truncate(d->cs, 0);
    g_array_set_size(d->annots, 0);
    g_array_set_size(d->mcids, 0);
    d->depth = 0;
    d->marked = 0;
    d->font = -1;
    d->size = 0;
    d->tz = 1;
    for (int i = 0; i < p->n_items; i++) {
        const LayItem *it = &p->items[i];
        switch (it->kind) {
        case LI_GLYPHS:
            show_glyphs(d, it);
            break;
        case LI_IMAGE:
            draw_image(d, it);
            break;
        case LI_RULE:
            mark(d);
            stroke_line(d, it->h > 0 ? it->h : 0.4, it->x, it->y, it->x + it->w, it->y);
            break;
        case LI_LINK:
            if (d->o->tagged)
                put_link(d, it);
            break;
        case LI_DEST:
            if (d->o->tagged) {
                Dest ds = {it->str, pi, px(d, it->x), py(d, it->y)};
                g_array_append_val(d->dests, ds);
            }
            break;
        case LI_TAG_BEGIN:
            if (d->o->tagged) {
                end_marked(d);
                int e = elem_new(d, current_elem(d) < 0 ? 0 : current_elem(d), it->str, pi);
                if (d->depth < (int)G_N_ELEMENTS(d->stack))
                    d->stack[d->depth] = e;
                d->depth++;
            }
            break;
        case LI_TAG_END:
            if (d->o->tagged && d->depth > 0) {
                end_marked(d);
                d->depth--;
            }
            break;
        }
    }
    end_marked(d);
    d->depth = 0;
    crop_marks(d);
    end_marked(d);

    int contents = pdfw_reserve(&d->w);
    if (pdfw_stream(&d->w, contents, NULL, d->cs->str, d->cs->len, PDFW_FAST) != 0)
        return -1;
    if (d->o->tagged) {
        int arr = pdfw_reserve(&d->w);
        GString *g = pdfw_begin(&d->w, arr);
        g_string_append_c(g, '[');
        for (guint i = 0; i < d->mcids->len; i++) {
            if (i)
                g_string_append_c(g, ' ');
            pdfw_ref(g, g_array_index(d->mcids, int, i));
        }
        g_string_append_c(g, ']');
        pdfw_end(&d->w);
        ParentEntry pe = {pr->key, arr};
        g_array_append_val(d->parents, pe);
    }
    double mw = d->o->width + 2 * d->off;
    GString *g = pdfw_begin(&d->w, pr->obj);
    g_string_append(g, "<< /Type /Page /Parent ");
    pdfw_ref(g, d->pages_obj);
    g_string_append(g, " /MediaBox [0 0 ");
    pdfw_num(g, mw, 4);
    g_string_append_c(g, ' ');
    pdfw_num(g, d->media_h, 4);
    g_string_append_c(g, ']');
    if (d->o->final) {          /* the trim, inside the bleed, inside the marks */
        double in[2] = {d->off, d->o->marks};
        const char *key[2] = {" /TrimBox [", " /BleedBox ["};
        for (int b = 0; b < 2; b++) {
            g_string_append(g, key[b]);
            pdfw_num(g, in[b], 4);
            g_string_append_c(g, ' ');
            pdfw_num(g, in[b], 4);
            g_string_append_c(g, ' ');
            pdfw_num(g, mw - in[b], 4);
            g_string_append_c(g, ' ');
            pdfw_num(g, d->media_h - in[b], 4);
            g_string_append_c(g, ']');
        }
    }
    g_string_append(g, " /Resources ");
    pdfw_ref(g, d->resources);
    g_string_append(g, " /Contents ");
    pdfw_ref(g, contents);
    if (d->o->tagged) {
        g_string_append(g, " /StructParents ");
        pdfw_int(g, pr->key);
        g_string_append(g, " /Tabs /S");
    }
    if (d->annots->len) {
        g_string_append(g, " /Annots [");
        for (guint i = 0; i < d->annots->len; i++) {
            if (i)
                g_string_append_c(g, ' ');
            pdfw_ref(g, g_array_index(d->annots, int, i));
        }
        g_string_append_c(g, ']');
    }
    g_string_append(g, " >>");
    pdfw_end(&d->w);
    return 0;
}

/* ---- the document's trees ------------------------------------------------------------- */

static void write_elems(Doc *d, int root)
{
    for (guint i = 0; i < d->elems->len; i++) {
        Elem *e = &g_array_index(d->elems, Elem, i);
        GString *g = pdfw_begin(&d->w, e->obj);
        g_string_append(g, "<< /Type /StructElem /S ");
        pdfw_name(g, e->tag);
        g_string_append(g, " /P ");
        pdfw_ref(g, e->parent < 0 ? root : g_array_index(d->elems, Elem, e->parent).obj);
        if (e->page >= 0) {
            g_string_append(g, " /Pg ");
            pdfw_ref(g, g_array_index(d->pages, PageRec, e->page).obj);
        }
        g_string_append(g, " /K [");
        for (guint k = 0; k < e->kids->len; k++) {
            const Kid *kd = &g_array_index(e->kids, Kid, k);
            if (k)
                g_string_append_c(g, ' ');
            int pg = g_array_index(d->pages, PageRec, kd->page < 0 ? 0 : kd->page).obj;
            if (kd->type == KID_ELEM) {
                pdfw_ref(g, g_array_index(d->elems, Elem, kd->v).obj);
            } else if (kd->type == KID_OBJR) {
                g_string_append(g, "<< /Type /OBJR /Obj ");
                pdfw_ref(g, kd->v);
                g_string_append(g, " /Pg ");
                pdfw_ref(g, pg);
                g_string_append(g, " >>");
            } else if (kd->page == e->page) {
                pdfw_int(g, kd->v);
            } else {
                g_string_append(g, "<< /Type /MCR /Pg ");
                pdfw_ref(g, pg);
                g_string_append(g, " /MCID ");
                pdfw_int(g, kd->v);
                g_string_append(g, " >>");
            }
        }
        g_string_append(g, "] >>");
        pdfw_end(&d->w);
        g_array_free(e->kids, TRUE);
        e->kids = NULL;
    }
}

static int cmp_parent(const void *a, const void *b)
{
    return ((const ParentEntry *)a)->key - ((const ParentEntry *)b)->key;
}

static int write_struct_tree(Doc *d)
{
    int root = pdfw_reserve(&d->w), tree = pdfw_reserve(&d->w);
    write_elems(d, root);
    g_array_sort(d->parents, cmp_parent);
    GString *g = pdfw_begin(&d->w, tree);
    g_string_append(g, "<< /Nums [");
    for (guint i = 0; i < d->parents->len; i++) {
        const ParentEntry *pe = &g_array_index(d->parents, ParentEntry, i);
        if (i)
            g_string_append_c(g, ' ');
        pdfw_int(g, pe->key);
        g_string_append_c(g, ' ');
        pdfw_ref(g, pe->obj);
    }
    g_string_append(g, "] >>");
    pdfw_end(&d->w);
    g = pdfw_begin(&d->w, root);
    g_string_append(g, "<< /Type /StructTreeRoot /K [");
    pdfw_ref(g, g_array_index(d->elems, Elem, 0).obj);
    g_string_append(g, "] /ParentTree ");
    pdfw_ref(g, tree);
    g_string_append(g, " /ParentTreeNextKey ");
    pdfw_int(g, d->next_key);
    g_string_append(g, " >>");
    pdfw_end(&d->w);
    return root;
}

static int cmp_dest(const void *a, const void *b)
{
    int c = strcmp(((const Dest *)a)->name, ((const Dest *)b)->name);
    if (c)
        return c;
    /* the first of equal names wins: keep them in page order */
    const Dest *x = a, *y = b;
    return x->page != y->page ? x->page - y->page : (x < y ? -1 : x > y);
}

static void put_dest_array(Doc *d, GString *g, int page, double x, double y)
{
    g_string_append_c(g, '[');
    pdfw_ref(g, g_array_index(d->pages, PageRec, page).obj);
    g_string_append(g, " /XYZ ");
    pdfw_num(g, x, 3);
    g_string_append_c(g, ' ');
    pdfw_num(g, y, 3);
    g_string_append(g, " 0]");
}

/* The name tree of destinations, one node, names in byte order. */
static int write_dests(Doc *d)
{
    if (d->dests->len == 0)
        return 0;
    g_array_sort(d->dests, cmp_dest);
    int obj = pdfw_reserve(&d->w);
    GString *g = pdfw_begin(&d->w, obj);
    g_string_append(g, "<< /Names [");
    const char *prev = NULL;
    for (guint i = 0; i < d->dests->len; i++) {
        const Dest *ds = &g_array_index(d->dests, Dest, i);
        if (prev && strcmp(prev, ds->name) == 0)
            continue;
        prev = ds->name;
        pdfw_bytes(g, ds->name, strlen(ds->name));
        g_string_append_c(g, ' ');
        put_dest_array(d, g, ds->page, ds->x, ds->y);
        g_string_append_c(g, ' ');
    }
    g_string_append(g, "] >>");
    pdfw_end(&d->w);
    return obj;
}

/* The outline: headings nested by level, each item closed. */
static int write_outline(Doc *d)
{
    const LayResult *r = d->r;
    int n = r->n_outline;
    if (n == 0)
        return 0;
    int root = pdfw_reserve(&d->w);
    int *obj = g_new(int, n), *parent = g_new(int, n);
    int *first = g_new0(int, n), *last = g_new0(int, n), *prev = g_new0(int, n),
        *next = g_new0(int, n), *kids = g_new0(int, n);
    int stack[8] = {-1, -1, -1, -1, -1, -1, -1, -1};    /* the last item at each level */
    int root_first = -1, root_last = -1, root_count = 0;
    for (int i = 0; i < n; i++) {
        int lvl = r->outline[i].level < 1 ? 1 : r->outline[i].level > 7 ? 7 : r->outline[i].level;
        obj[i] = pdfw_reserve(&d->w);
        /* the parent: the last item of a lower level */
        int p = -1;
        for (int l = lvl - 1; l >= 1 && p < 0; l--)
            p = stack[l];
        parent[i] = p;
        int sib = p < 0 ? root_last : (kids[p] ? last[p] : -1);
        prev[i] = sib;
        next[i] = -1;
        if (sib >= 0)
            next[sib] = i;
        if (p < 0) {
            if (root_first < 0)
                root_first = i;
            root_last = i;
            root_count++;
        } else {
            if (!kids[p])
                first[p] = i;
            last[p] = i;
            kids[p]++;
        }
        stack[lvl] = i;
        for (int l = lvl + 1; l < 8; l++)
            stack[l] = -1;
    }
    for (int i = 0; i < n; i++) {
        GString *g = pdfw_begin(&d->w, obj[i]);
        g_string_append(g, "<< /Title ");
        pdfw_text(g, r->outline[i].title ? r->outline[i].title : "");
        g_string_append(g, " /Parent ");
        pdfw_ref(g, parent[i] < 0 ? root : obj[parent[i]]);
        if (prev[i] >= 0) {
            g_string_append(g, " /Prev ");
            pdfw_ref(g, obj[prev[i]]);
        }
        if (next[i] >= 0) {
            g_string_append(g, " /Next ");
            pdfw_ref(g, obj[next[i]]);
        }
        if (kids[i]) {
            g_string_append(g, " /First ");
            pdfw_ref(g, obj[first[i]]);
            g_string_append(g, " /Last ");
            pdfw_ref(g, obj[last[i]]);
            g_string_append(g, " /Count ");
            pdfw_int(g, -kids[i]);
        }
        if (r->outline[i].dest) {
            g_string_append(g, " /Dest ");
            pdfw_bytes(g, r->outline[i].dest, strlen(r->outline[i].dest));
        }
        g_string_append(g, " >>");
        pdfw_end(&d->w);
    }
    GString *g = pdfw_begin(&d->w, root);
    g_string_append(g, "<< /Type /Outlines /First ");
    pdfw_ref(g, obj[root_first]);
    g_string_append(g, " /Last ");
    pdfw_ref(g, obj[root_last]);
    g_string_append(g, " /Count ");
    pdfw_int(g, root_count);
    g_string_append(g, " >>");
    pdfw_end(&d->w);
    g_free(obj);
    g_free(parent);
    g_free(first);
    g_free(last);
    g_free(prev);
    g_free(next);
    g_free(kids);
    return root;
}

/* Page labels: the printed folios, a decimal range for each run of
 * consecutive numbers, a prefix-only label for a page labelled otherwise. */
static int write_labels(Doc *d)
{
    const LayResult *r = d->r;
    int obj = pdfw_reserve(&d->w);
    GString *g = pdfw_begin(&d->w, obj);
    g_string_append(g, "<< /Nums [");
    for (int i = 0; i < r->n_pages; i++) {
        const LayPage *p = &r->pages[i];
        if (p->label) {
            pdfw_int(g, i);
            g_string_append(g, " << /P ");
            pdfw_text(g, p->label);
            g_string_append(g, " >> ");
        } else if (i == 0 || r->pages[i - 1].label || r->pages[i - 1].number < 1 ||
                   (long long)r->pages[i - 1].number + 1 != p->number || p->number < 1) {
            /* (a page after one labelled by its number as text, folio 0
             * or below, starts a range: that label is a prefix alone) */
            pdfw_int(g, i);
            if (p->number >= 1) {
                g_string_append(g, " << /S /D /St ");
                pdfw_int(g, p->number);
                g_string_append(g, " >> ");
            } else {        /* folio 0 or below has no decimal label: its number as text */
                char b[24];
                snprintf(b, sizeof b, "%d", p->number);
                g_string_append(g, " << /P ");
                pdfw_text(g, b);
                g_string_append(g, " >> ");
            }
        }
    }
    g_string_append(g, "] >>");
    pdfw_end(&d->w);
    return obj;
}

/* "D:YYYYMMDDHHmmSS+00'00'" from "YYYY-MM-DDTHH:MM:SSZ"; NULL if not that. */
static char *pdf_date(const char *iso)
{
    int Y, M, D, h, m, s;
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &Y, &M, &D, &h, &m, &s) != 6)
        return NULL;
    return g_strdup_printf("D:%04d%02d%02d%02d%02d%02d+00'00'", Y, M, D, h, m, s);
}

static int write_info(Doc *d, const PaintMeta *m)
{
    int obj = pdfw_reserve(&d->w);
    GString *g = pdfw_begin(&d->w, obj);
    g_string_append(g, "<<");
    const struct { const char *key, *v; } kv[] = {
        {"/Title", m->title}, {"/Author", m->author}, {"/Subject", m->subject},
        {"/Keywords", m->keywords}, {"/Creator", m->creator}};
    for (size_t i = 0; i < G_N_ELEMENTS(kv); i++)
        if (kv[i].v) {
            g_string_append_printf(g, " %s ", kv[i].key);
            pdfw_text(g, kv[i].v);
        }
    g_string_append(g, " /Producer (typeset " TS_VERSION ")");
    char *date = pdf_date(m->date_iso);
    if (date) {
        g_string_append(g, " /CreationDate ");
        pdfw_text(g, date);
        g_string_append(g, " /ModDate ");
        pdfw_text(g, date);
        g_free(date);
    }
    g_string_append(g, " >>");
    pdfw_end(&d->w);
    return obj;
}

/* The fonts and the shared resource dictionary.  0, or -1 when a font
 * could not be written (its deflater could not be had). */
static int write_resources(Doc *d)
{
    int nf = pdffont_count(d->fonts);
    int *fobj = g_new0(int, nf > 0 ? nf : 1);
    if (pdffont_write(d->fonts, &d->w, fobj) != 0) {
        g_free(fobj);
        return -1;
    }
    GString *g = pdfw_begin(&d->w, d->resources);
    g_string_append(g, "<< /Font <<");
    for (int k = 0; k < nf; k++) {
        g_string_append(g, " /F");
        pdfw_int(g, k);
        g_string_append_c(g, ' ');
        pdfw_ref(g, fobj[k]);
    }
    g_string_append(g, " >>");
    if (d->image_objs->len) {
        g_string_append(g, " /XObject <<");
        for (guint i = 0; i < d->image_objs->len; i++) {
            g_string_append(g, " /Im");
            pdfw_int(g, i);
            g_string_append_c(g, ' ');
            pdfw_ref(g, g_array_index(d->image_objs, int, i));
        }
        g_string_append(g, " >>");
    }
    g_string_append(g, " >>");
    pdfw_end(&d->w);
    g_free(fobj);
    return 0;
}

/* ---- what this painter takes ------------------------------------------------------------ */

/* Notes every glyph in the document's fonts; 0, or -1 when something is
 * there this painter does not write. */
static int survey(const LayResult *r, PdfFonts *f)
{
    for (int i = 0; i < r->n_pages; i++)
        for (int k = 0; k < r->pages[i].n_items; k++) {
            const LayItem *it = &r->pages[i].items[k];
            if (it->kind == LI_GLYPHS && it->gi &&
                pdffont_add(f, it->gi->item->analysis.font, it->gi->glyphs) != 0)
                return -1;
            if (it->kind == LI_IMAGE && !pdfimage_supported(it->str))
                return -1;
        }
    return pdffont_build(f);
}

static void doc_free(Doc *d)
{
    for (guint i = 0; d->elems && i < d->elems->len; i++)
        if (g_array_index(d->elems, Elem, i).kids)
            g_array_free(g_array_index(d->elems, Elem, i).kids, TRUE);
    if (d->elems)
        g_array_free(d->elems, TRUE);
    g_array_free(d->dests, TRUE);
    g_array_free(d->pages, TRUE);
    g_array_free(d->parents, TRUE);
    g_array_free(d->annots, TRUE);
    g_array_free(d->mcids, TRUE);
    g_array_free(d->image_objs, TRUE);
    g_hash_table_destroy(d->image_index);
    g_string_free(d->cs, TRUE);
    pdffont_free(d->fonts);
    pdfw_fini(&d->w);
}

int pdfpaint_pdf(const LayResult *r, const PaintOptions *o, const PaintMeta *m, unsigned char **out,
                 size_t *out_len, const char **err)
{
    if (o->overlay || r->n_pages <= 0)
        return PDFPAINT_DECLINED;
    PdfFonts *fonts = pdffont_new();
    if (survey(r, fonts) != 0) {
        pdffont_free(fonts);
        return PDFPAINT_DECLINED;
    }
    Doc d = {.r = r, .o = o, .fonts = fonts};
    pdfw_init(&d.w);
    d.image_index = g_hash_table_new(g_str_hash, g_str_equal);
    d.image_objs = g_array_new(FALSE, FALSE, sizeof(int));
    d.elems = g_array_new(FALSE, FALSE, sizeof(Elem));
    d.dests = g_array_new(FALSE, FALSE, sizeof(Dest));
    d.pages = g_array_sized_new(FALSE, FALSE, sizeof(PageRec), (guint)r->n_pages);
    d.parents = g_array_new(FALSE, FALSE, sizeof(ParentEntry));
    d.annots = g_array_new(FALSE, FALSE, sizeof(int));
    d.mcids = g_array_new(FALSE, FALSE, sizeof(int));
    d.cs = g_string_sized_new(1 << 15);
    d.off = o->bleed + o->marks;
    d.media_h = o->height + 2 * d.off;
    int catalog = pdfw_reserve(&d.w);
    d.pages_obj = pdfw_reserve(&d.w);
    d.resources = pdfw_reserve(&d.w);
    if (o->tagged)
        elem_new(&d, -1, "Document", -1);
    for (int i = 0; i < r->n_pages; i++) {
        PageRec pr = {.obj = pdfw_reserve(&d.w), .key = o->tagged ? d.next_key++ : -1};
        g_array_append_val(d.pages, pr);
    }
    int rc = 0;
    for (int i = 0; i < r->n_pages && rc == 0; i++)
        rc = write_page(&d, i);
    if (rc != 0) {
        *err = "cannot compress a page";
        doc_free(&d);
        return -1;
    }
    int stroot = o->tagged ? write_struct_tree(&d) : 0;
    int dests = write_dests(&d);
    int outline = write_outline(&d);
    int labels = write_labels(&d);
    if (write_resources(&d) != 0) {
        *err = "cannot write the fonts";
        doc_free(&d);
        return -1;
    }
    int info = write_info(&d, m);

    GString *g = pdfw_begin(&d.w, d.pages_obj);
    g_string_append(g, "<< /Type /Pages /Count ");
    pdfw_int(g, r->n_pages);
    g_string_append(g, " /Kids [");
    for (int i = 0; i < r->n_pages; i++) {
        if (i)
            g_string_append_c(g, ' ');
        pdfw_ref(g, g_array_index(d.pages, PageRec, i).obj);
    }
    g_string_append(g, "] >>");
    pdfw_end(&d.w);

    g = pdfw_begin(&d.w, catalog);
    g_string_append(g, "<< /Type /Catalog /Pages ");
    pdfw_ref(g, d.pages_obj);
    if (stroot) {
        g_string_append(g, " /StructTreeRoot ");
        pdfw_ref(g, stroot);
        g_string_append(g, " /MarkInfo << /Marked true >>");
    }
    if (outline) {
        g_string_append(g, " /Outlines ");
        pdfw_ref(g, outline);
    }
    g_string_append(g, " /PageLabels ");
    pdfw_ref(g, labels);
    if (dests) {
        g_string_append(g, " /Names << /Dests ");
        pdfw_ref(g, dests);
        g_string_append(g, " >>");
    }
    if (o->final && m->lang) {
        g_string_append(g, " /Lang ");
        pdfw_text(g, m->lang);
    }
    if (o->final && m->title)
        g_string_append(g, " /ViewerPreferences << /DisplayDocTitle true >>");
    g_string_append(g, " >>");
    pdfw_end(&d.w);

    *out = pdfw_finish(&d.w, catalog, info, o->final, out_len);
    doc_free(&d);
    return 0;
}
