/* pdfcatread.c — reading one part for the merge on bytes (pdfcat.h).
 *
 * Reading a part marks each of its objects with what the merge does with it:
 * copied (renumbered), rewritten (pages, link annotations, the top structure
 * elements), or dropped (the catalog, Info, the page tree, the structure
 * tree root, and the nodes of the parent, name, outline and label trees,
 * whose entries are collected instead).  Anything the reader does not know
 * (keys it would have to carry over, direct annotations, indirect actions, a
 * broken tree) makes pdfcat_read answer NULL, and the merge goes through
 * qpdf instead: a surprise costs time, never a wrong file. */
#include "pdfcat-private.h"

#include <string.h>

const char *const pc_inheritable[] = {"/MediaBox", "/Resources", "/CropBox", "/Rotate"};

/* ---- reading a part --------------------------------------------------------------*/

/* 1 when the dictionary [d0, d1) has no key outside allowed (NULL-ended). */
static int pc_only_keys(const char *d0, const char *d1, const char *const *allowed)
{
    const char *p = d0 + 2;
    for (;;) {
        const char *k = ps_ws(p, d1);
        if (k >= d1 || *k != '/')
            return 1;
        const char *v = ps_value(k, d1, 1), *ve = v ? ps_value(v, d1, 1) : NULL;
        if (!ve)
            return 0;
        int ok = 0;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = ps_is_name(k, v, allowed[i]);
        if (!ok)
            return 0;
        p = ve;
    }
}

/* A value that must be a dictionary: direct, or a reference to one (marked
 * as kind, which must have been unmarked).  0 or -1. */
static int pc_deref_dict(PdfCatPart *p, const char *v, const char *ve, int kind, const char **d0,
                         const char **d1)
{
    v = ps_ws(v, ve);
    long long r = ps_ref(v, ve);
    if (r > 0) {
        if (r >= p->d.size || p->kind[r] != PC_COPY || ps_dict(&p->d, r, d0, d1) != 0)
            return -1;  /* (met twice: a shared or cyclic tree) */
        p->kind[r] = (unsigned char)kind;
        return 0;
    }
    if (v + 1 < ve && v[0] == '<' && v[1] == '<') {
        *d0 = v;
        *d1 = ve;
        return 0;
    }
    return -1;
}

/* A key in 0..INT32_MAX at [v, ve): 0, or -1. */
static int pc_key(const char *v, const char *ve, long long *k)
{
    v = ps_ws(v, ve);
    return ps_int(v, ve, k) == ve && *k <= INT32_MAX ? 0 : -1;
}

/* The parent-tree key the dictionary [d0, d1) names under name, if any,
 * noted in p->max_used.  0, or -1 when it is not a key. */
static int pc_used_key(PdfCatPart *p, const char *d0, const char *d1, const char *name)
{
    const char *e, *v = ps_get(d0, d1, name, &e);
    long long k;
    if (!v)
        return 0;
    if (pc_key(v, e, &k) != 0)
        return -1;
    if (k > p->max_used)
        p->max_used = k;
    return 0;
}

/* The name or number tree at value [v, ve): its pairs into arr (PcNum for
 * "/Nums", PcName for "/Names"), nodes dropped.  0 or -1. */
static int pc_tree(PdfCatPart *p, const char *v, const char *ve, const char *pairs, GArray *arr,
                   int depth)
{
    const char *d0, *d1, *e;
    static const char *const keys[] = {"/Kids", "/Nums", "/Names", "/Limits", NULL};
    if (depth > PC_MAX_DEPTH || ++p->tree_nodes > PC_MAX_TREE_NODES ||
        pc_deref_dict(p, v, ve, PC_DROP, &d0, &d1) != 0 || !pc_only_keys(d0, d1, keys))
        return -1;
    const char *a = ps_get(d0, d1, pairs, &e), *at = NULL, *k, *ke, *val, *vale;
    int rc;
    while (a && (rc = ps_array_next(a, e, &at, &k, &ke)) != 0) {
        if (rc < 0 || ps_array_next(a, e, &at, &val, &vale) != 1)
            return -1;      /* (a key without its value) */
        if (arr == p->names) {
            PcName n = {.v = {val, vale}};
            if (!(n.name = ps_string(k, ke, &n.len)))
                return -1;
            g_array_append_val(arr, n);
        } else {
            PcNum n = {.v = {val, vale}};
            if (pc_key(k, ke, &n.key) != 0)
                return -1;
            g_array_append_val(arr, n);
        }
    }
    const char *kids = ps_get(d0, d1, "/Kids", &e);
    at = NULL;
    while (kids && (rc = ps_array_next(kids, e, &at, &k, &ke)) != 0)
        if (rc < 0 || ps_ref(k, ke) <= 0 || pc_tree(p, k, ke, pairs, arr, depth + 1) != 0)
            return -1;
    return 0;
}

/* A destination at [v, ve) (a name, a string, or an array) into it. */
int pc_dest(const char *v, const char *ve, PcItem *it)
{
    v = ps_ws(v, ve);
    if (*v == '[') {
        it->dest_arr = (PcSpan){v, ve};
        return 0;
    }
    if (*v == '/') {                    /* PDF 1.1: a name object, its #xx escapes decoded */
        GString *g = g_string_sized_new((gsize)(ve - v));
        for (const char *q = v + 1; q < ve; q++) {
            int h1 = *q == '#' && q + 2 < ve ? g_ascii_xdigit_value(q[1]) : -1;
            int h2 = h1 >= 0 ? g_ascii_xdigit_value(q[2]) : -1;
            if (h2 >= 0) {
                g_string_append_c(g, (char)(h1 << 4 | h2));
                q += 2;
            } else {
                g_string_append_c(g, *q);
            }
        }
        it->dest_len = g->len;
        it->dest = g_string_free(g, FALSE);
        return 0;
    }
    return (it->dest = ps_string(v, ve, &it->dest_len)) ? 0 : -1;
}

/* Outline item at [v, ve) and its later siblings, with their children. */
static int pc_outline(PdfCatPart *p, const char *v, const char *ve, int level)
{
    static const char *const keys[] = {"/Title", "/Parent", "/Prev", "/Next", "/First", "/Last",
                                       "/Count", "/Dest", "/A", "/C", "/F", NULL};
    while (v) {
        const char *d0, *d1, *e;
        if (level > PC_MAX_DEPTH || (int)p->outline->len >= PC_MAX_OUTLINE ||
            ps_ref(v, ve) <= 0 || pc_deref_dict(p, v, ve, PC_DROP, &d0, &d1) != 0 ||
            !pc_only_keys(d0, d1, keys))
            return -1;
        PcItem it = {.level = level};
        const char *t = ps_get(d0, d1, "/Title", &e);
        if (t)
            it.title = (PcSpan){t, e};
        const char *dv = ps_get(d0, d1, "/Dest", &e);
        if (dv && pc_dest(dv, e, &it) != 0)
            return -1;
        const char *a = dv ? NULL : ps_get(d0, d1, "/A", &e);
        if (a) {
            const char *a1;
            if (*a != '<' || !(a1 = e))
                return -1;      /* an indirect action: not copied */
            const char *s = ps_get(a, a1, "/S", &e);
            if (ps_is_name(s, e, "/GoTo")) {
                const char *dd = ps_get(a, a1, "/D", &e);
                if (dd && pc_dest(dd, e, &it) != 0)
                    return -1;
            }
        }
        g_array_append_val(p->outline, it);
        const char *f = ps_get(d0, d1, "/First", &e);
        if (f && pc_outline(p, f, e, level + 1) != 0)
            return -1;
        v = ps_get(d0, d1, "/Next", &ve);
    }
    return 0;
}

/* An annotation of a page (a reference at [v, ve)). */
static int pc_annot(PdfCatPart *p, const char *v, const char *ve)
{
    long long r = ps_ref(v, ve);
    const char *d0, *d1, *e;
    if (r <= 0 || r >= p->d.size || ps_dict(&p->d, r, &d0, &d1) != 0)
        return -1;
    if (p->kind[r] == PC_ANNOT)
        return 0;       /* on two pages */
    if (p->kind[r] != PC_COPY)
        return -1;
    p->kind[r] = PC_ANNOT;
    if (pc_used_key(p, d0, d1, "/StructParent") != 0)
        return -1;
    /* a destination that is a reference (to a string) would be copied as an
     * object, unprefixed: the link would lose its target */
    const char *dv = ps_get(d0, d1, "/Dest", &e);
    if (dv && ps_ref(dv, e) > 0)
        return -1;
    const char *a = ps_get(d0, d1, "/A", &e);
    if (a && *a != '<')
        return -1;      /* an indirect action: its destination could not be renamed */
    const char *a1 = e, *s = a ? ps_get(a, a1, "/S", &e) : NULL;
    const char *dd = ps_is_name(s, e, "/GoTo") ? ps_get(a, a1, "/D", &e) : NULL;
    if (dd && ps_ref(dd, e) > 0)
        return -1;
    return 0;
}

/* The page tree below the reference [v, ve); inh: what its ancestors give. */
static int pc_pages(PdfCatPart *p, const char *v, const char *ve, const PcSpan *inh_in, int depth)
{
    const char *d0, *d1, *e;
    long long r = ps_ref(v, ve);
    if (depth > PC_MAX_DEPTH || r <= 0 || r >= p->d.size || p->kind[r] != PC_COPY ||
        ps_dict(&p->d, r, &d0, &d1) != 0)
        return -1;
    PsIndex ix;
    ps_index(d0, d1, &ix);
    const char *te, *t = ps_index_get(&ix, "/Type", &te);
    PcSpan inh[PC_N_INH];
    int own[PC_N_INH];          /* the node gives it itself */
    memcpy(inh, inh_in, sizeof inh);
    for (int i = 0; i < PC_N_INH; i++) {
        const char *iv = ps_index_get(&ix, pc_inheritable[i], &e);
        own[i] = iv != NULL;
        if (iv)
            inh[i] = (PcSpan){iv, e};
    }
    if (ps_is_name(t, te, "/Pages")) {
        static const char *const keys[] = {"/Type", "/Kids", "/Count", "/Parent", "/MediaBox",
                                           "/Resources", "/CropBox", "/Rotate", NULL};
        p->kind[r] = depth == 0 ? PC_PAGES : PC_DROP;
        const char *k = ps_index_get(&ix, "/Kids", &e), *at = NULL, *q, *qe;
        int rc = -1;
        if (!pc_only_keys(d0, d1, keys) || !k)
            return -1;
        while ((rc = ps_array_next(k, e, &at, &q, &qe)) > 0)
            if (pc_pages(p, q, qe, inh, depth + 1) != 0)
                return -1;
        return rc;
    }
    if (!ps_is_name(t, te, "/Page") || p->pages->len >= PC_MAX_PAGES)
        return -1;
    p->kind[r] = PC_PAGE;
    PcPage pg = {.num = r};
    for (int i = 0; i < PC_N_INH; i++)
        if (!own[i])
            pg.inh[i] = inh[i];
    if (!inh[0].v0 || ps_media_box(inh[0].v0, inh[0].v1, pg.mb) != 0)
        return -1;
    if (pc_used_key(p, d0, d1, "/StructParents") != 0)
        return -1;
    const char *an = ps_index_get(&ix, "/Annots", &e);
    if (an) {
        const char *a0 = an, *a1 = e;
        long long ar = ps_ref(an, e);
        if (ar > 0) {   /* the array in an object of its own (copied as it is) */
            const char *s, *end;
            size_t sl;
            if (ar >= p->d.size || ps_object(&p->d, ar, &a0, &a1, &s, &sl, &end) != 0 || s)
                return -1;
        }
        const char *at = NULL, *q, *qe;
        int rc;
        while ((rc = ps_array_next(a0, a1, &at, &q, &qe)) != 0)
            if (rc < 0 || pc_annot(p, q, qe) != 0)
                return -1;
    }
    g_array_append_val(p->pages, pg);
    return 0;
}

/* A child of the structure tree root (a reference at [v, ve)). */
static int pc_top(PdfCatPart *p, const char *v, const char *ve)
{
    long long kid = ps_ref(v, ve);
    const char *k0, *k1;
    if (kid <= 0 || kid >= p->d.size || p->kind[kid] != PC_COPY ||
        ps_dict(&p->d, kid, &k0, &k1) != 0)
        return -1;  /* (a direct element, none, or not a dictionary: not taken) */
    p->kind[kid] = PC_TOP;
    g_array_append_val(p->top, kid);
    return 0;
}

/* The catalog and what hangs from it. */
static int pc_catalog(PdfCatPart *p)
{
    const char *c0, *c1, *e, *v;
    static const char *const keys[] = {"/Type", "/Pages", "/StructTreeRoot", "/MarkInfo",
                                       "/Outlines", "/PageLabels", "/Names", "/Lang",
                                       "/ViewerPreferences", "/PageMode", NULL};
    if (ps_dict(&p->d, p->d.root, &c0, &c1) != 0 || !pc_only_keys(c0, c1, keys))
        return -1;
    p->kind[p->d.root] = PC_CATALOG;
    if (p->d.info > 0) {
        if (ps_dict(&p->d, p->d.info, &p->info.v0, &p->info.v1) != 0)
            return -1;
        p->kind[p->d.info] = PC_DROP;
    }
    if ((v = ps_get(c0, c1, "/Lang", &e))) {
        size_t n;
        p->lang = (PcSpan){v, e};
        p->lang_text = ps_string(v, e, &n);
        if (!p->lang_text)
            return -1;
        if (n == 0) {   /* (a UTF-16 tag, with its byte order mark, is taken as it is) */
            g_free(p->lang_text);
            p->lang_text = NULL;
        }
    }
    if ((v = ps_get(c0, c1, "/PageMode", &e)))
        p->pagemode = (PcSpan){v, e};
    PcSpan none[PC_N_INH] = {{0}};
    if (!(v = ps_get(c0, c1, "/Pages", &e)) || pc_pages(p, v, e, none, 0) != 0 ||
        p->pages->len == 0)
        return -1;
    if ((v = ps_get(c0, c1, "/StructTreeRoot", &e))) {
        const char *s0, *s1, *ke;
        static const char *const skeys[] = {"/Type", "/K", "/ParentTree", "/ParentTreeNextKey",
                                            NULL};
        long long r = ps_ref(v, e);
        if (r <= 0 || pc_deref_dict(p, v, e, PC_STROOT, &s0, &s1) != 0 ||
            !pc_only_keys(s0, s1, skeys))
            return -1;
        const char *k = ps_get(s0, s1, "/K", &ke), *at = NULL, *q, *qe;
        int rc;
        if (k && *k != '[') {
            if (pc_top(p, k, ke) != 0)      /* one element, not in an array */
                return -1;
        } else {
            while (k && (rc = ps_array_next(k, ke, &at, &q, &qe)) != 0)
                if (rc < 0 || pc_top(p, q, qe) != 0)
                    return -1;
        }
        const char *pt = ps_get(s0, s1, "/ParentTree", &ke);
        if (pt && pc_tree(p, pt, ke, "/Nums", p->nums, 0) != 0)
            return -1;
        for (guint i = 0; i < p->nums->len; i++)
            if (g_array_index(p->nums, PcNum, i).key > p->max_key)
                p->max_key = g_array_index(p->nums, PcNum, i).key;
    }
    if ((v = ps_get(c0, c1, "/Names", &e))) {
        const char *n0, *n1, *de;
        static const char *const nkeys[] = {"/Dests", NULL};
        if (pc_deref_dict(p, v, e, PC_DROP, &n0, &n1) != 0 || !pc_only_keys(n0, n1, nkeys))
            return -1;
        const char *dv = ps_get(n0, n1, "/Dests", &de);
        if (dv && pc_tree(p, dv, de, "/Names", p->names, 0) != 0)
            return -1;
    }
    if ((v = ps_get(c0, c1, "/Outlines", &e))) {
        const char *o0, *o1, *fe;
        if (pc_deref_dict(p, v, e, PC_DROP, &o0, &o1) != 0)
            return -1;
        const char *f = ps_get(o0, o1, "/First", &fe);
        if (f && pc_outline(p, f, fe, 0) != 0)
            return -1;
    }
    if ((v = ps_get(c0, c1, "/PageLabels", &e)) && pc_tree(p, v, e, "/Nums", p->labels, 0) != 0)
        return -1;
    return 0;
}

PdfCatPart *pdfcat_part_new(void)
{
    PdfCatPart *p = g_new0(PdfCatPart, 1);
    p->pages = g_array_new(FALSE, FALSE, sizeof(PcPage));
    p->nums = g_array_new(FALSE, FALSE, sizeof(PcNum));
    p->names = g_array_new(FALSE, FALSE, sizeof(PcName));
    p->outline = g_array_new(FALSE, FALSE, sizeof(PcItem));
    p->labels = g_array_new(FALSE, FALSE, sizeof(PcNum));
    p->top = g_array_new(FALSE, FALSE, sizeof(long long));
    p->refs = g_array_new(FALSE, FALSE, sizeof(PcRef));
    p->max_key = p->max_used = -1;
    return p;
}

PdfCatPart *pdfcat_read(const unsigned char *pdf, size_t len)
{
    PdfCatPart *p = pdfcat_part_new();
    if (len < 8 || memcmp(pdf, "%PDF-1.", 7) != 0 || ps_doc_read(&p->d, pdf, len) != 0) {
        pdfcat_part_free(p);
        return NULL;
    }
    p->kind = g_malloc0((gsize)p->d.size);
    if (pc_catalog(p) != 0) {
        pdfcat_part_free(p);
        return NULL;
    }
    /* every object copied must be one this reader can copy; where each lies
     * is kept, so that the merge, one part at a time, does not parse it again */
    p->obj = g_new0(PcObj, (gsize)p->d.size);
    for (long long i = 1; i < p->d.size; i++) {
        PcObj *o = &p->obj[i];
        const char *end;
        if (p->d.off[i] && p->kind[i] < PC_DROP &&
            ps_object(&p->d, i, &o->v0, &o->v1, &o->s0, &o->slen, &end) != 0) {
            pdfcat_part_free(p);
            return NULL;
        }
        if (p->d.off[i] && p->kind[i] == PC_COPY) {
            o->ref0 = p->refs->len;
            const char *q = o->v0, *re;
            long long num;
            while ((q = pc_find_ref(q, o->v1, &re, &num)) < o->v1) {
                PcRef r = {(guint32)(q - o->v0), (guint32)(re - q), num};
                g_array_append_val(p->refs, r);
                q = re;
            }
            o->nref = p->refs->len - o->ref0;
        }
    }
    return p;
}

void pdfcat_part_free(PdfCatPart *p)
{
    if (!p)
        return;
    for (guint i = 0; i < p->names->len; i++)
        g_free(g_array_index(p->names, PcName, i).name);
    for (guint i = 0; i < p->outline->len; i++)
        g_free(g_array_index(p->outline, PcItem, i).dest);
    g_array_free(p->pages, TRUE);
    g_array_free(p->nums, TRUE);
    g_array_free(p->names, TRUE);
    g_array_free(p->outline, TRUE);
    g_array_free(p->labels, TRUE);
    g_array_free(p->top, TRUE);
    g_array_free(p->refs, TRUE);
    g_free(p->lang_text);
    g_free(p->kind);
    g_free(p->obj);
    ps_doc_fini(&p->d);
    g_free(p);
}

/* Where a reference, or something that hides one, can begin: a string, a
 * name, a comment, a number. */
static const unsigned char pc_special_class[256] = {
    ['('] = 1, ['<'] = 1, ['/'] = 1, ['%'] = 1, ['.'] = 1, ['-'] = 1, ['+'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
};

static int pc_special(char c)
{
    return pc_special_class[(unsigned char)c];
}

static int pc_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int pc_space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

/* At p (a digit), "N G R" as ps_value reads a reference (two unsigned
 * integers, white space, R ending at a delimiter; no comment between them,
 * which Cairo never writes, see below): N, with *end past the R.  -1 when
 * p starts no reference. */
static long long pc_scan_ref(const char *p, const char *e, const char **end)
{
    long long n = 0, g = 0;
    const char *q = p;
    while (q < e && pc_digit(*q) && q - p < 18)
        n = n * 10 + (*q++ - '0');
    if (q >= e || !pc_space(*q))
        return -1;
    while (q < e && pc_space(*q))
        q++;
    const char *g0 = q;
    while (q < e && pc_digit(*q) && q - g0 < 18)
        g = g * 10 + (*q++ - '0');
    if (q == g0 || q >= e || !pc_space(*q))
        return -1;
    while (q < e && pc_space(*q))
        q++;
    if (q >= e || *q != 'R' || (q + 1 < e && !pc_space(q[1]) && !strchr("()<>[]{}/%", q[1])))
        return -1;
    *end = q + 1;
    return g == 0 ? n : -1;
}

const char *pc_find_ref(const char *p, const char *e, const char **end, long long *num)
{
    while (p < e) {
        while (p < e && !pc_special(*p))
            p++;
        if (p >= e)
            break;
        const char *q;
        if (*p == '(' || (*p == '<' && !(p + 1 < e && p[1] == '<'))) {
            q = ps_value(p, e, 0);              /* a string, as it is */
            q = q ? q : e;
        } else if (*p == '<') {
            q = p + 2;
        } else if (*p == '/' || *p == '%') {    /* a name or a comment */
            q = p + 1;
            while (q < e && (*p == '%' ? *q != '\n' && *q != '\r'
                                       : !ps_is(*q, PS_SPACE | PS_DELIM)))
                q++;
        } else {                                /* a number, or a reference */
            long long r = -1;
            if (*p >= '0' && *p <= '9' && (r = pc_scan_ref(p, e, &q)) < 0) {
                /* not the plain form: as the reader parsed it (a comment
                 * inside a reference, a generation number not 0) */
                const char *ve = ps_value(p, e, 1);
                if (ve && ve[-1] == 'R') {
                    r = ps_ref(p, ve);
                    q = ve;
                }
            }
            if (r >= 0) {
                *end = q;
                *num = r;
                return p;
            }
            q = p + 1;
            while (q < e && ((*q >= '0' && *q <= '9') || *q == '.'))
                q++;
        }
        p = q;
    }
    return e;
}
