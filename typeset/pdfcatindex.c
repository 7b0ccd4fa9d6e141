/* pdfcatindex.c — what pdfcat_read found in a part, saved beside it for the
 * next build (pdfcat_index_save, pdfcat_index_load; pdfcat.h).
 *
 * An unchanged article's PDF is merged into every rebuild of its issue, and
 * reading it (the xref, every object's extent, every reference in every
 * copied object, the trees) had been the larger half of a rebuild's work
 * besides the edited article's own.  The index keeps the reading as offsets
 * into the PDF's bytes: loading it is a pass over a small file, and the
 * part it gives is the one pdfcat_read would have made of the same bytes.
 *
 * Layout: the magic, the PDF's length and XXH3-128 digest (an index is used
 * only with the very bytes it was made from), then varints (layout/varint.h): the
 * xref's size, the scalars, the spans, each array with its count first; at
 * the end the XXH3-64 of everything before it.  A span is 0 (none) or its
 * start + 1 then its length.  Everything read is checked against the PDF's
 * length and the arrays' sizes: an index that does not hold together is
 * refused whole (NULL), and the caller reads the PDF instead. */
#include "pdfcat-private.h"

#include "../layout/varint.h"

#include <math.h>
#include <string.h>
#include <xxhash.h>

#define INDEX_MAGIC "typeset pdfcat index 1\n"
#define MAGIC_LEN (sizeof INDEX_MAGIC - 1)

/* ---- writing ------------------------------------------------------------------- */

static void put_u(GByteArray *b, unsigned long long v)
{
    guint8 buf[10];
    g_byte_array_append(b, buf, (guint)(var_enc_u(buf, v) - buf));
}

/* A signed value (keys and levels may be -1). */
static void put_s(GByteArray *b, long long v)
{
    put_u(b, var_zigzag(v));
}

static void put_span(GByteArray *b, const char *base, const char *v0, const char *v1)
{
    if (!v0) {
        put_u(b, 0);
        return;
    }
    put_u(b, (unsigned long long)(v0 - base) + 1);
    put_u(b, (unsigned long long)(v1 - v0));
}

static void put_bytes(GByteArray *b, const char *s, size_t len)
{
    if (!s) {
        put_u(b, 0);
        return;
    }
    put_u(b, (unsigned long long)len + 1);
    g_byte_array_append(b, (const guint8 *)s, (guint)len);
}

static void put_double(GByteArray *b, double d)
{
    guint8 raw[sizeof d];
    memcpy(raw, &d, sizeof d);
    g_byte_array_append(b, raw, sizeof raw);
}

GBytes *pdfcat_index_save(const PdfCatPart *p)
{
    if (!p || p->d.len > G_MAXUINT32)
        return NULL;
    const char *base = p->d.buf;
    GByteArray *b = g_byte_array_sized_new(16384);
    g_byte_array_append(b, (const guint8 *)INDEX_MAGIC, MAGIC_LEN);
    XXH128_hash_t h = XXH3_128bits(p->d.buf, p->d.len);
    put_u(b, p->d.len);
    put_u(b, h.low64);
    put_u(b, h.high64);
    put_u(b, (unsigned long long)p->d.size);
    put_s(b, p->max_key);
    put_s(b, p->max_used);
    put_span(b, base, p->lang.v0, p->lang.v1);
    put_span(b, base, p->info.v0, p->info.v1);
    put_span(b, base, p->pagemode.v0, p->pagemode.v1);
    put_bytes(b, p->lang_text, p->lang_text ? strlen(p->lang_text) : 0);
    for (long long i = 1; i < p->d.size; i++) {
        const PcObj *o = &p->obj[i];
        put_u(b, p->kind[i]);
        put_span(b, base, o->v0, o->v1);
        if (o->v0) {
            put_span(b, base, o->s0, o->s0 ? o->s0 + o->slen : NULL);
            put_u(b, o->nref);      /* (ref0 follows from the counts before) */
        }
    }
    put_u(b, p->refs->len);
    for (guint i = 0; i < p->refs->len; i++) {
        const PcRef *r = &g_array_index(p->refs, PcRef, i);
        put_u(b, r->at);
        put_u(b, r->len);
        put_s(b, r->num);
    }
    put_u(b, p->pages->len);
    for (guint i = 0; i < p->pages->len; i++) {
        const PcPage *pg = &g_array_index(p->pages, PcPage, i);
        put_s(b, pg->num);
        for (int k = 0; k < PC_N_INH; k++)
            put_span(b, base, pg->inh[k].v0, pg->inh[k].v1);
        for (int k = 0; k < 4; k++)
            put_double(b, pg->mb[k]);
    }
    const GArray *numbered[] = {p->nums, p->labels};
    for (int t = 0; t < 2; t++) {
        put_u(b, numbered[t]->len);
        for (guint i = 0; i < numbered[t]->len; i++) {
            const PcNum *n = &g_array_index(numbered[t], PcNum, i);
            put_s(b, n->key);
            put_span(b, base, n->v.v0, n->v.v1);
        }
    }
    put_u(b, p->names->len);
    for (guint i = 0; i < p->names->len; i++) {
        const PcName *n = &g_array_index(p->names, PcName, i);
        put_bytes(b, n->name, n->len);
        put_span(b, base, n->v.v0, n->v.v1);
    }
    put_u(b, p->outline->len);
    for (guint i = 0; i < p->outline->len; i++) {
        const PcItem *it = &g_array_index(p->outline, PcItem, i);
        put_s(b, it->level);
        put_span(b, base, it->title.v0, it->title.v1);
        put_bytes(b, it->dest, it->dest_len);
        put_span(b, base, it->dest_arr.v0, it->dest_arr.v1);
    }
    put_u(b, p->top->len);
    for (guint i = 0; i < p->top->len; i++)
        put_s(b, g_array_index(p->top, long long, i));
    guint64 sum = XXH3_64bits(b->data, b->len);
    guint8 raw[8];
    for (int k = 0; k < 8; k++)
        raw[k] = (guint8)(sum >> (8 * k));
    g_byte_array_append(b, raw, 8);
    return g_byte_array_free_to_bytes(b);
}

/* ---- reading ------------------------------------------------------------------- */

typedef struct Rd {
    VarReader in;
    const char *base;
    size_t len;                 /* the PDF's */
} Rd;

static unsigned long long get_u(Rd *r)
{
    return var_get_u(&r->in);
}

static long long get_s(Rd *r)
{
    return var_get_i(&r->in);
}

/* A count of items at least min_bytes each in what is left: bounded by it. */
static guint get_count(Rd *r, size_t min_bytes)
{
    unsigned long long n = get_u(r);
    if (n > (unsigned long long)(r->in.e - r->in.p) / min_bytes || n > G_MAXUINT32 / 2)
        r->in.bad = 1;
    return r->in.bad ? 0 : (guint)n;
}

static PcSpan get_span(Rd *r)
{
    PcSpan s = {NULL, NULL};
    unsigned long long at = get_u(r);
    if (at == 0)
        return s;
    unsigned long long n = get_u(r);
    if (at - 1 > r->len || n > r->len - (at - 1)) {
        r->in.bad = 1;
        return s;
    }
    s.v0 = r->base + (at - 1);
    s.v1 = s.v0 + n;
    return s;
}

/* A byte string as put_bytes wrote it: NULL for none, else g_malloc'd and
 * NUL-terminated, its length in *len. */
static char *get_bytes(Rd *r, size_t *len)
{
    unsigned long long n = get_u(r);
    *len = 0;
    if (n == 0 || r->in.bad)
        return NULL;
    if (n - 1 > (unsigned long long)(r->in.e - r->in.p)) {
        r->in.bad = 1;
        return NULL;
    }
    *len = (size_t)(n - 1);
    char *s = g_malloc(*len + 1);
    memcpy(s, r->in.p, *len);
    s[*len] = 0;
    r->in.p += *len;
    return s;
}

/* An object number a reference may name (one past the xref's size, or a
 * free one, the merge makes null). */
static int num_ok(long long n)
{
    return n >= 0 && n <= 999999999999999999LL;    /* (pc_find_ref reads up to 18 digits) */
}

/* Whether [v0, v1) is a dictionary as ps_dict finds one. */
static int dict_span(const char *v0, const char *v1)
{
    return v0 && v1 - v0 >= 4 && v0[0] == '<' && v0[1] == '<' && v1[-2] == '>' && v1[-1] == '>';
}

/* What pdfcat_read guarantees of a part and the merge relies on, checked
 * for one loaded: an object of a kind other than copied exists; pages,
 * annotations and structure elements are dictionaries, not streams; every
 * page object is in the page list once, and every structure element in the
 * structure's kids once; there is a page; a language text has its value;
 * the media boxes are as ps_media_box leaves them.  1 when it holds. */
static int part_ok(const PdfCatPart *p)
{
    if (p->pages->len == 0 || (p->lang_text && !p->lang.v0))
        return 0;
    unsigned char *seen = g_malloc0((gsize)p->d.size);
    int ok = 1;
    for (guint i = 0; i < p->pages->len && ok; i++) {
        const PcPage *pg = &g_array_index(p->pages, PcPage, i);
        ok = !seen[pg->num]++;     /* (num checked in range, of kind PC_PAGE) */
        for (int k = 0; k < 4 && ok; k++)
            ok = fabs(pg->mb[k]) <= 14400 * 100;
        ok = ok && pg->mb[0] <= pg->mb[2] && pg->mb[1] <= pg->mb[3];
    }
    for (guint i = 0; i < p->top->len && ok; i++)
        ok = !seen[g_array_index(p->top, long long, i)]++;
    for (long long i = 1; i < p->d.size && ok; i++) {
        unsigned char k = p->kind[i];
        const PcObj *o = &p->obj[i];
        if (k != PC_COPY && !p->d.off[i])
            ok = 0;
        else if ((k == PC_PAGE || k == PC_TOP) && !seen[i])
            ok = 0;     /* (a page not in the list, an element not in the kids) */
        else if ((k == PC_PAGE || k == PC_ANNOT || k == PC_TOP) &&
                 (o->s0 || !dict_span(o->v0, o->v1)))
            ok = 0;
    }
    g_free(seen);
    return ok;
}

PdfCatPart *pdfcat_index_load(const unsigned char *pdf, size_t len, const void *index,
                              size_t index_len)
{
    const guint8 *x = index;
    if (!pdf || !x || index_len < MAGIC_LEN + 8 || memcmp(x, INDEX_MAGIC, MAGIC_LEN) != 0)
        return NULL;
    guint64 sum = 0;
    for (int k = 0; k < 8; k++)
        sum |= (guint64)x[index_len - 8 + k] << (8 * k);
    Rd r = {{x + MAGIC_LEN, x + index_len - 8, 0}, (const char *)pdf, len};
    unsigned long long plen = get_u(&r), lo = get_u(&r), hi = get_u(&r);
    if (r.in.bad || plen != len)
        return NULL;
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION     /* tests/fuzz/fuzz_pcx.c */
    if (XXH3_64bits(x, index_len - 8) != sum)
        return NULL;
    XXH128_hash_t h = XXH3_128bits(pdf, len);
    if (h.low64 != lo || h.high64 != hi)
        return NULL;
#else
    (void)sum;
    (void)lo;
    (void)hi;
#endif

    PdfCatPart *p = pdfcat_part_new();
    if (len < 8 || memcmp(pdf, "%PDF-1.", 7) != 0 || ps_doc_read(&p->d, pdf, len) != 0 ||
        get_u(&r) != (unsigned long long)p->d.size || r.in.bad || p->d.size < 1) {
        pdfcat_part_free(p);
        return NULL;
    }
    p->max_key = get_s(&r);
    p->max_used = get_s(&r);
    p->lang = get_span(&r);
    p->info = get_span(&r);
    p->pagemode = get_span(&r);
    size_t n;
    p->lang_text = get_bytes(&r, &n);
    p->kind = g_malloc0((gsize)p->d.size);
    p->obj = g_new0(PcObj, (gsize)p->d.size);
    guint nref = 0;
    for (long long i = 1; i < p->d.size && !r.in.bad; i++) {
        PcObj *o = &p->obj[i];
        unsigned long long kind = get_u(&r);
        if (kind > PC_STROOT)
            r.in.bad = 1;
        p->kind[i] = (unsigned char)kind;
        PcSpan v = get_span(&r);
        /* an object's extent, exactly for those pdfcat_read reads */
        if (!v.v0 != !(p->d.off[i] && kind < PC_DROP))
            r.in.bad = 1;
        if (!v.v0 || r.in.bad)
            continue;
        PcSpan s = get_span(&r);
        o->v0 = v.v0;
        o->v1 = v.v1;
        o->s0 = s.v0;
        o->slen = s.v0 ? (size_t)(s.v1 - s.v0) : 0;
        o->ref0 = nref;
        unsigned long long k = get_u(&r);
        if (k > G_MAXUINT32 / 2 - nref || (k && kind != PC_COPY))
            r.in.bad = 1;
        else
            nref += (guint)(o->nref = (guint)k);
    }
    guint nrefs = get_count(&r, 3);
    if (nrefs != nref)
        r.in.bad = 1;
    g_array_set_size(p->refs, r.in.bad ? 0 : nrefs);
    for (guint i = 0; i < p->refs->len && !r.in.bad; i++) {
        PcRef *ref = &g_array_index(p->refs, PcRef, i);
        unsigned long long at = get_u(&r), rl = get_u(&r);
        ref->num = get_s(&r);
        if (at > G_MAXUINT32 || rl > G_MAXUINT32 || !num_ok(ref->num))
            r.in.bad = 1;
        ref->at = (guint32)at;
        ref->len = (guint32)rl;
    }
    /* every reference inside its object, in order */
    for (long long i = 1; i < p->d.size && !r.in.bad; i++) {
        const PcObj *o = &p->obj[i];
        size_t from = 0;
        for (guint k = o->ref0; k < o->ref0 + o->nref && !r.in.bad; k++) {
            const PcRef *ref = &g_array_index(p->refs, PcRef, k);
            if (ref->at < from || ref->len == 0 ||
                (size_t)ref->at + ref->len > (size_t)(o->v1 - o->v0))
                r.in.bad = 1;
            from = (size_t)ref->at + ref->len;
        }
    }
    guint np = get_count(&r, 2 + 4 * sizeof(double));
    for (guint i = 0; i < np && !r.in.bad; i++) {
        PcPage pg = {.num = get_s(&r)};
        for (int k = 0; k < PC_N_INH; k++)
            pg.inh[k] = get_span(&r);
        for (int k = 0; k < 4; k++)
            if (!isfinite(pg.mb[k] = var_get_d(&r.in)))
                r.in.bad = 1;
        if (pg.num < 1 || pg.num >= p->d.size || p->kind[pg.num] != PC_PAGE || !p->obj[pg.num].v0)
            r.in.bad = 1;
        g_array_append_val(p->pages, pg);
    }
    GArray *numbered[] = {p->nums, p->labels};
    for (int t = 0; t < 2; t++) {
        guint nn = get_count(&r, 2);
        for (guint i = 0; i < nn && !r.in.bad; i++) {
            PcNum num = {.key = get_s(&r)};
            num.v = get_span(&r);
            if (num.key < 0 || num.key > G_MAXINT32 || !num.v.v0)
                r.in.bad = 1;
            g_array_append_val(numbered[t], num);
        }
    }
    guint nn = get_count(&r, 2);
    for (guint i = 0; i < nn && !r.in.bad; i++) {
        PcName name = {0};
        name.name = get_bytes(&r, &name.len);
        name.v = get_span(&r);
        g_array_append_val(p->names, name);
        if (!name.name || !name.v.v0)
            r.in.bad = 1;
    }
    guint no = get_count(&r, 4);
    for (guint i = 0; i < no && !r.in.bad; i++) {
        PcItem it = {0};
        long long level = get_s(&r);
        it.title = get_span(&r);
        it.dest = get_bytes(&r, &it.dest_len);
        it.dest_arr = get_span(&r);
        it.level = (int)level;
        g_array_append_val(p->outline, it);
        int up = i == 0 ? 0 : g_array_index(p->outline, PcItem, i - 1).level + 1;
        if (level < 0 || level > PC_MAX_DEPTH || level > up)
            r.in.bad = 1;
    }
    guint nt = get_count(&r, 1);
    for (guint i = 0; i < nt && !r.in.bad; i++) {
        long long t = get_s(&r);
        if (t < 1 || t >= p->d.size || p->kind[t] != PC_TOP)
            r.in.bad = 1;
        g_array_append_val(p->top, t);
    }
    /* the parent tree's keys as pdfcat_read bounds them (0..INT32_MAX): the
     * merge numbers the next part's after the largest */
    long long max_key = -1;
    for (guint i = 0; i < p->nums->len; i++)
        max_key = MAX(max_key, g_array_index(p->nums, PcNum, i).key);
    if (p->max_key != max_key || p->max_used < -1 || p->max_used > G_MAXINT32)
        r.in.bad = 1;
    if (!r.in.bad && r.in.p == r.in.e && !part_ok(p))
        r.in.bad = 1;
    if (r.in.bad || r.in.p != r.in.e) {
        pdfcat_part_free(p);
        return NULL;
    }
    return p;
}
