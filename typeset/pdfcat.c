/* pdfcat.c — see pdfcat.h; a part is read by pdfcatread.c.
 *
 * Each object a part's reading kept is copied with its references
 * renumbered; a reference to a dropped object becomes a reference to the
 * result's own catalog, page tree or structure root, or null.  Pages, link
 * annotations and the top structure elements are written anew, and the
 * trees are built from what the parts' reading collected. */
#include "pdfcat-private.h"

#include "digest.h"

#include <stdio.h>
#include <string.h>

/* ---- the merge ---------------------------------------------------------------------*/

/* What the merge keeps of a part's trees, as PDF text in the result's numbers. */
/* (PDF text is kept in GStrings: a string object may hold NUL bytes) */
typedef struct CatNum {
    long long key;
    GString *v;
} CatNum;

typedef struct CatName {
    char *name;
    size_t len;
    GString *v;
} CatName;

typedef struct CatItem {
    int level;                  /* 1 = top */
    GString *title;             /* a string object */
    GString *dest;              /* a destination (string object or array) or NULL */
} CatItem;

struct PdfCat {
    PdfMergeOptions o;
    const char *file;
    DiagList *dl;
    GString *out;               /* the file after its first `dropped` bytes */
    size_t dropped;             /* written out by the caller and let go (pdfcat_drop) */
    Digest *id;                 /* XXH3-128 of the file up to out[hashed]: the trailer's /ID */
    size_t hashed;
    GArray *at;                 /* size_t: offset of each object by number (0: none yet) */
    long long next;             /* the next free object number */
    GArray *kids;               /* long long: the pages, in order */
    GArray *top;                /* long long: the structure root's kids */
    GArray *nums, *labels;      /* CatNum */
    GArray *names;              /* CatName */
    GArray *outline;            /* CatItem */
    long long next_key;         /* first free parent-tree key */
    int n_front;
    double boxes_mb[4];         /* the media box boxes_text was made for ... */
    GString *boxes_text;        /* ... its " /TrimBox [...] /BleedBox [...]" (pc_boxes) */
    GString *info;              /* the front's Info entries to keep, as PDF text */
    int info_title;             /* ... among them a /Title */
    GString *pagemode;
};

/* One part being copied: its object numbers in the result. */
typedef struct PcMap {
    const PdfCatPart *p;
    long long *num;             /* by the part's number: the result's, or 0 (dropped) */
    long long base;             /* added to its parent-tree keys */
    const char *prefix;         /* before its destination names (NULL: none) */
} PcMap;

/* A non-negative integer in decimal (g_string_append_printf costs more than
 * the rest of copying a reference: a merge writes some 100,000 of them). */
static void pc_int(GString *g, long long v)
{
    char b[24];
    int n = 0;
    unsigned long long u = v < 0 ? 0 : (unsigned long long)v;
    do
        b[sizeof b - 1 - n++] = (char)('0' + u % 10);
    while ((u /= 10) && n < (int)sizeof b);
    g_string_append_len(g, b + sizeof b - n, n);
}

/* "NUM 0 R" */
static void pc_int_ref(GString *g, long long num)
{
    pc_int(g, num);
    g_string_append_len(g, " 0 R", 4);
}

static void pc_ref(GString *g, const PcMap *m, long long r)
{
    long long n = 0;
    if (r > 0 && r < m->p->d.size) {
        switch (m->p->kind[r]) {
        case PC_CATALOG: n = PC_N_CATALOG; break;
        case PC_PAGES: n = PC_N_PAGES; break;
        case PC_STROOT: n = PC_N_STROOT; break;
        default: n = m->num[r];
        }
    }
    if (n > 0)
        pc_int_ref(g, n);
    else
        g_string_append(g, "null");
}

/* The value text [p, e) with its references renumbered. */
static void pc_copy(GString *g, const char *p, const char *e, const PcMap *m)
{
    while (p < e) {
        const char *re;
        long long r;
        const char *q = pc_find_ref(p, e, &re, &r);
        g_string_append_len(g, p, q - p);
        if (q >= e)
            break;
        pc_ref(g, m, r);
        p = re;
    }
}

/* Object i of the part (PC_COPY), its references as the reader found them. */
static void pc_copy_obj(GString *g, const PcMap *m, long long i)
{
    const PcObj *o = &m->p->obj[i];
    const PcRef *r = &g_array_index(m->p->refs, PcRef, o->ref0);
    const char *p = o->v0;
    for (guint k = 0; k < o->nref; k++) {
        g_string_append_len(g, p, o->v0 + r[k].at - p);
        pc_ref(g, m, r[k].num);
        p = o->v0 + r[k].at + r[k].len;
    }
    g_string_append_len(g, p, o->v1 - p);
}

/* " KEY VALUE" of an entry (value [v, ve)) unless KEY is in drop. */
static void pc_copy_entry(GString *g, const char *k, const char *v, const char *ve,
                          const PcMap *m, const char *const *drop)
{
    for (int i = 0; drop && drop[i]; i++)
        if (ps_is_name(k, v, drop[i]))
            return;
    g_string_append_c(g, ' ');
    g_string_append_len(g, k, v - k);
    g_string_append_c(g, ' ');
    pc_copy(g, ps_ws(v, ve), ve, m);
}

/* The dictionary [d0, d1) without the keys in drop, then extra (PDF text). */
static void pc_copy_dict(GString *g, const char *d0, const char *d1, const PcMap *m,
                         const char *const *drop, const char *extra);

/* The same from its index (ps_index), when that holds every entry: the
 * dictionary is not read again. */
static void pc_copy_indexed(GString *g, const PsIndex *ix, const PcMap *m,
                            const char *const *drop, const char *extra)
{
    if (!ix->whole) {
        pc_copy_dict(g, ix->d0, ix->d1, m, drop, extra);
        return;
    }
    g_string_append(g, "<<");
    for (int i = 0; i < ix->n; i++)
        pc_copy_entry(g, ix->kv[i].k, ix->kv[i].v, ix->kv[i].ve, m, drop);
    if (extra && *extra) {
        g_string_append_c(g, ' ');
        g_string_append(g, extra);
    }
    g_string_append(g, " >>");
}

static void pc_copy_dict(GString *g, const char *d0, const char *d1, const PcMap *m,
                         const char *const *drop, const char *extra)
{
    g_string_append(g, "<<");
    const char *p = d0 + 2;
    for (;;) {
        const char *k = ps_ws(p, d1);
        if (k >= d1 || *k != '/')
            break;
        const char *v = ps_value(k, d1, 1), *ve = v ? ps_value(v, d1, 1) : NULL;
        if (!ve)
            break;      /* cannot happen: the reader parsed it */
        pc_copy_entry(g, k, v, ve, m, drop);
        p = ve;
    }
    if (extra && *extra) {
        g_string_append_c(g, ' ');
        g_string_append(g, extra);
    }
    g_string_append(g, " >>");
}

/* A string object of the bytes s[0..n) (escaped). */
static void pc_string(GString *g, const char *s, size_t n)
{
    g_string_append_c(g, '(');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '(' || c == ')' || c == '\\')
            g_string_append_c(g, '\\');
        if (c < 0x20 || c >= 0x7F)
            g_string_append_printf(g, "\\%03o", c);
        else
            g_string_append_c(g, (char)c);
    }
    g_string_append_c(g, ')');
}

/* A destination name with the part's prefix, as a string object. */
static void pc_dest_name(GString *g, const PcMap *m, const char *s, size_t n)
{
    GString *t = g_string_new(m->prefix ? m->prefix : "");
    g_string_append_len(t, s, (gssize)n);
    pc_string(g, t->str, t->len);
    g_string_free(t, TRUE);
}

static void pc_begin(PdfCat *c, long long num)
{
    if ((long long)c->at->len <= num)
        g_array_set_size(c->at, (guint)num + 1);
    g_array_index(c->at, size_t, num) = c->dropped + c->out->len;
    pc_int(c->out, num);
    g_string_append_len(c->out, " 0 obj\n", 7);
}

static void pc_end(PdfCat *c)
{
    g_string_append(c->out, "\nendobj\n");
}

/* The /ID's digest brought up to the end of out. */
static void pc_hash(PdfCat *c)
{
    digest_update(c->id, c->out->str + c->hashed, c->out->len - c->hashed);
    c->hashed = c->out->len;
}

/* Whether a page of media box mb has room for the bleed and marks: 0, or
 * -1 after an error. */
static int pc_boxes_fit(PdfCat *c, const double mb[4], guint page)
{
    double bleed = c->o.post.bleed_pt > 0 ? c->o.post.bleed_pt : 0;
    double marks = c->o.post.marks_pt > 0 ? c->o.post.marks_pt : 0;
    double inset = bleed + marks;
    if (2 * inset >= mb[2] - mb[0] || 2 * inset >= mb[3] - mb[1]) {
        diag_add(c->dl, DIAG_ERROR, c->file, 1, 1,
                 "PDF post-pass: page %u: bleed %.3fpt + marks %.3fpt leave no trim area "
                 "on a %.3f x %.3fpt page",
                 page, bleed, marks, mb[2] - mb[0], mb[3] - mb[1]);
        return -1;
    }
    return 0;
}

/* " /TrimBox [...] /BleedBox [...]" for a page of media box mb onto g; -1
 * after an error when the bleed leaves no trim area.  The text is made once
 * for each media box in a row (an issue's pages have one or two): its
 * numbers had been half of merging an unchanged article. */
static int pc_boxes(PdfCat *c, GString *g, const double mb[4], guint page)
{
    if (pc_boxes_fit(c, mb, page) != 0)
        return -1;
    if (!c->boxes_text || memcmp(c->boxes_mb, mb, sizeof c->boxes_mb) != 0) {
        double marks = c->o.post.marks_pt > 0 ? c->o.post.marks_pt : 0;
        double inset = (c->o.post.bleed_pt > 0 ? c->o.post.bleed_pt : 0) + marks;
        if (!c->boxes_text)
            c->boxes_text = g_string_new(NULL);
        g_string_truncate(c->boxes_text, 0);
        ps_box(c->boxes_text, "/TrimBox", mb, inset);
        ps_box(c->boxes_text, "/BleedBox", mb, marks);
        memcpy(c->boxes_mb, mb, sizeof c->boxes_mb);
    }
    g_string_append_len(g, c->boxes_text->str, (gssize)c->boxes_text->len);
    return 0;
}

static int pc_blank(PdfCat *c)
{
    const double mb[4] = {0, 0, c->o.blank_width, c->o.blank_height};
    GString *g = g_string_new(NULL);
    if (pc_boxes(c, g, mb, c->kids->len + 1) != 0) {
        g_string_free(g, TRUE);
        return -1;
    }
    long long n = c->next++;
    pc_begin(c, n);
    g_string_append_printf(c->out, "<< /Type /Page /Parent %d 0 R /MediaBox [ 0 0 ", PC_N_PAGES);
    g_string_append_printf(c->out, "%.4f %.4f ] /Resources << >>%s >>", c->o.blank_width,
                           c->o.blank_height, g->str);
    pc_end(c);
    g_array_append_val(c->kids, n);
    g_string_free(g, TRUE);
    return 0;
}

/* A key of the part's parent tree, moved by its base. */
static long long pc_shift(const PcMap *m, const char *v, const char *ve)
{
    long long k = 0;
    ps_int(ps_ws(v, ve), ve, &k);       /* the reader checked it */
    return k + m->base;
}

static void pc_emit_page(PdfCat *c, const PcMap *m, const PcPage *pg, const char *d0,
                         const char *d1, GString *extra)
{
    static const char *const drop[] = {"/Parent", "/StructParents", "/TrimBox", "/BleedBox",
                                       NULL};
    PsIndex ix;
    ps_index(d0, d1, &ix);
    const char *e, *sp = ps_index_get(&ix, "/StructParents", &e);
    g_string_printf(extra, "/Parent %d 0 R", PC_N_PAGES);
    if (sp)
        g_string_append_printf(extra, " /StructParents %lld", pc_shift(m, sp, e));
    for (int i = 0; i < PC_N_INH; i++)
        if (pg->inh[i].v0) {
            g_string_append_printf(extra, " %s ", pc_inheritable[i]);
            pc_copy(extra, pg->inh[i].v0, pg->inh[i].v1, m);
        }
    pc_boxes(c, extra, pg->mb, 0);     /* checked before anything was written */
    pc_copy_indexed(c->out, &ix, m, drop, extra->str);
}

static void pc_emit_annot(PdfCat *c, const PcMap *m, const char *d0, const char *d1, GString *extra)
{
    const char *drop[4] = {"/StructParent", NULL, NULL, NULL};
    PsIndex ix;
    ps_index(d0, d1, &ix);
    const char *e, *v = ps_index_get(&ix, "/StructParent", &e);
    g_string_truncate(extra, 0);
    if (v)
        g_string_append_printf(extra, "/StructParent %lld", pc_shift(m, v, e));
    v = ps_index_get(&ix, "/Subtype", &e);
    if (m->prefix && ps_is_name(v, e, "/Link")) {
        const char *dv = ps_index_get(&ix, "/Dest", &e);
        PcItem it = {0};
        if (dv && pc_dest(dv, e, &it) == 0 && it.dest) {
            drop[1] = "/Dest";
            g_string_append(extra, extra->len ? " /Dest " : "/Dest ");
            pc_dest_name(extra, m, it.dest, it.dest_len);
        }
        const char *a = dv ? NULL : ps_index_get(&ix, "/A", &e);
        const char *a1 = e, *s = a ? ps_get(a, a1, "/S", &e) : NULL;
        const char *dd = ps_is_name(s, e, "/GoTo") ? ps_get(a, a1, "/D", &e) : NULL;
        PcItem goto_ = {0};
        if (dd && pc_dest(dd, e, &goto_) == 0 && goto_.dest) {
            static const char *const adrop[] = {"/D", NULL};
            GString *dest = g_string_new("/D ");
            pc_dest_name(dest, m, goto_.dest, goto_.dest_len);
            drop[1] = "/A";
            g_string_append(extra, extra->len ? " /A " : "/A ");
            pc_copy_dict(extra, a, a1, m, adrop, dest->str);
            g_string_free(dest, TRUE);
        }
        g_free(goto_.dest);
        g_free(it.dest);
    }
    pc_copy_indexed(c->out, &ix, m, drop, extra->str);
}

/* The part's objects, renumbered, in the order of their numbers. */
static void pc_emit(PdfCat *c, const PcMap *m)
{
    const PdfCatPart *p = m->p;
    GString *extra = g_string_new(NULL);
    guint *page = g_new0(guint, (gsize)p->d.size);     /* a page object's index */
    for (guint k = 0; k < p->pages->len; k++)
        page[g_array_index(p->pages, PcPage, k).num] = k;
    for (long long i = 1; i < p->d.size; i++) {
        if (!m->num[i])
            continue;
        const char *v0 = p->obj[i].v0, *v1 = p->obj[i].v1, *s = p->obj[i].s0, *end;
        size_t sl = p->obj[i].slen;
        pc_begin(c, m->num[i]);
        switch (p->kind[i]) {
        case PC_PAGE:
            pc_emit_page(c, m, &g_array_index(p->pages, PcPage, page[i]), v0, v1, extra);
            break;
        case PC_ANNOT:
            pc_emit_annot(c, m, v0, v1, extra);
            break;
        case PC_TOP:
            g_string_truncate(extra, 0);
            if (m->prefix && p->lang_text && !ps_get(v0, v1, "/Lang", &end)) {
                g_string_append(extra, "/Lang ");
                g_string_append_len(extra, p->lang.v0, p->lang.v1 - p->lang.v0);
            }
            pc_copy_dict(c->out, v0, v1, m, NULL, extra->str);
            break;
        default:
            pc_copy_obj(c->out, m, i);
        }
        if (s) {
            g_string_append(c->out, "\nstream\n");
            g_string_append_len(c->out, s, (gssize)sl);
            g_string_append(c->out, "\nendstream");
        }
        pc_end(c);
    }
    g_free(page);
    g_string_free(extra, TRUE);
}

static GString *pc_text(const PcMap *m, PcSpan v)
{
    GString *g = g_string_new(NULL);
    pc_copy(g, ps_ws(v.v0, v.v1), v.v1, m);
    return g;
}

/* A part (or the front, prefix NULL): numbers, objects, trees. */
static int pc_part(PdfCat *c, const PdfCatPart *p, const char *prefix, int level)
{
    /* the pages' boxes first: an error leaves nothing half-written */
    for (guint i = 0; i < p->pages->len; i++)
        if (pc_boxes_fit(c, g_array_index(p->pages, PcPage, i).mb, c->kids->len + i + 1) != 0)
            return -1;
    PcMap m = {.p = p, .num = g_new0(long long, (gsize)p->d.size), .prefix = prefix};
    for (long long i = 1; i < p->d.size; i++)
        if (p->d.off[i] && p->kind[i] < PC_DROP)
            m.num[i] = c->next++;
    m.base = c->next_key;
    long long top = p->max_key > p->max_used ? p->max_key : p->max_used;
    c->next_key += top + 1;
    pc_emit(c, &m);
    for (guint i = 0; i < p->pages->len; i++)
        g_array_append_val(c->kids, m.num[g_array_index(p->pages, PcPage, i).num]);
    for (guint i = 0; i < p->top->len; i++)
        g_array_append_val(c->top, m.num[g_array_index(p->top, long long, i)]);
    for (guint i = 0; i < p->nums->len; i++) {
        const PcNum *n = &g_array_index(p->nums, PcNum, i);
        CatNum e = {.key = n->key + m.base, .v = pc_text(&m, n->v)};
        g_array_append_val(c->nums, e);
    }
    for (guint i = 0; i < p->names->len; i++) {
        const PcName *n = &g_array_index(p->names, PcName, i);
        GString *t = g_string_new(prefix ? prefix : "");
        g_string_append_len(t, n->name, (gssize)n->len);
        CatName e = {.len = t->len, .v = pc_text(&m, n->v)};
        e.name = g_string_free(t, FALSE);
        g_array_append_val(c->names, e);
    }
    for (guint i = 0; i < p->outline->len; i++) {
        const PcItem *it = &g_array_index(p->outline, PcItem, i);
        CatItem e = {.level = it->level + level};
        /* renumbered: a /Title may be a reference to a string object */
        e.title = it->title.v0 ? pc_text(&m, it->title) : g_string_new("()");
        if (it->dest) {
            e.dest = g_string_new(NULL);
            pc_dest_name(e.dest, &m, it->dest, it->dest_len);
        } else if (it->dest_arr.v0) {
            e.dest = pc_text(&m, it->dest_arr);
        }
        g_array_append_val(c->outline, e);
    }
    if (!prefix) {      /* the front: its labels, Info and page mode */
        for (guint i = 0; i < p->labels->len; i++) {
            const PcNum *n = &g_array_index(p->labels, PcNum, i);
            if (n->key >= p->pages->len)
                continue;
            CatNum e = {.key = n->key, .v = pc_text(&m, n->v)};
            g_array_append_val(c->labels, e);
        }
        if (p->info.v0) {
            /* /Producer replaced only when one is given (as pdfpost.c does) */
            const char *const drop[] = {"/CreationDate", "/ModDate",
                                        c->o.post.producer ? "/Producer" : NULL, NULL};
            c->info = g_string_new(NULL);
            pc_copy_dict(c->info, p->info.v0, p->info.v1, &m, drop, NULL);
            g_string_truncate(c->info, c->info->len - 3);   /* " >>" */
            g_string_erase(c->info, 0, 2);                  /* "<<" */
            const char *te;
            c->info_title = ps_get(p->info.v0, p->info.v1, "/Title", &te) != NULL;
        }
        if (p->pagemode.v0)
            c->pagemode = pc_text(&m, p->pagemode);
    }
    g_free(m.num);
    return 0;
}

PdfCat *pdfcat_new(const PdfCatPart *front, const PdfMergeOptions *o, const char *file,
                   DiagList *dl)
{
    PdfCat *c = g_new0(PdfCat, 1);
    c->o = *o;
    c->file = file;
    c->dl = dl;
    c->out = g_string_sized_new(1 << 20);
    c->id = digest_new_id();
    c->at = g_array_new(FALSE, TRUE, sizeof(size_t));
    c->kids = g_array_new(FALSE, FALSE, sizeof(long long));
    c->top = g_array_new(FALSE, FALSE, sizeof(long long));
    c->nums = g_array_new(FALSE, FALSE, sizeof(CatNum));
    c->labels = g_array_new(FALSE, FALSE, sizeof(CatNum));
    c->names = g_array_new(FALSE, FALSE, sizeof(CatName));
    c->outline = g_array_new(FALSE, FALSE, sizeof(CatItem));
    c->next = PC_N_FIRST;
    /* the front's header line, and a comment of bytes above 127 (a binary file) */
    const char *h = front->d.buf;
    size_t hl = 0;
    while (hl < 16 && hl < front->d.len && h[hl] != '\n' && h[hl] != '\r')
        hl++;
    g_string_append_len(c->out, h, (gssize)hl);
    g_string_append(c->out, "\n%\xbf\xf7\xa2\xfe\n");
    c->n_front = (int)front->pages->len;
    if (pc_part(c, front, NULL, 1) != 0 ||
        (o->front_blank_label && pc_blank(c) != 0)) {
        pdfcat_free(c);
        return NULL;
    }
    return c;
}

int pdfcat_add(PdfCat *c, const PdfCatPart *part, const PdfMergePart *meta)
{
    for (int i = 0; i < meta->blanks_before; i++)
        if (pc_blank(c) != 0)
            return -1;
    /* the part's outline entry: its title, and its own outline below it */
    CatItem head = {.level = 1};
    head.title = g_string_new(NULL);
    ps_text(head.title, meta->title ? meta->title : "");
    if (meta->title_dest) {
        head.dest = g_string_new(NULL);
        pc_string(head.dest, meta->title_dest, strlen(meta->title_dest));
    }
    g_array_append_val(c->outline, head);
    int rc = pc_part(c, part, meta->prefix ? meta->prefix : "", 2);
    /* the digest as the file grows, while other jobs still run, rather
     * than all of it in the one-thread tail */
    pc_hash(c);
    return rc;
}

/* ---- the trees and the end of the file -------------------------------------------*/

static int pc_name_cmp(const void *pa, const void *pb)
{
    const CatName *a = pa, *b = pb;
    int r = memcmp(a->name, b->name, a->len < b->len ? a->len : b->len);
    return r ? r : (a->len > b->len) - (a->len < b->len);
}

/* Outline items from *i on at level, under parent; returns how many are
 * visible when parent is open (all below them closed). */
static int pc_outline_items(PdfCat *c, long long parent, guint *i, int level, long long *first,
                            long long *last)
{
    long long prev = 0;
    int n = 0;
    *first = *last = 0;
    /* numbers first: an item names its next sibling before that is written */
    while (*i < c->outline->len) {
        CatItem *e = &g_array_index(c->outline, CatItem, *i);
        if (e->level < level)
            break;
        if (e->level > level) {         /* a child without a parent: lift it */
            e->level = level;
            continue;
        }
        long long me = c->next++;
        ++*i;
        long long kf, kl;
        int kids = pc_outline_items(c, me, i, level + 1, &kf, &kl);
        /* the next sibling's number, if there is one: the next at this level */
        long long next = 0;
        if (*i < c->outline->len && g_array_index(c->outline, CatItem, *i).level >= level)
            next = c->next;
        pc_begin(c, me);
        g_string_append(c->out, "<< /Title ");
        g_string_append_len(c->out, e->title->str, e->title->len);
        g_string_append_printf(c->out, " /Parent %lld 0 R", parent);
        if (e->dest) {
            g_string_append(c->out, " /Dest ");
            g_string_append_len(c->out, e->dest->str, e->dest->len);
        }
        if (prev)
            g_string_append_printf(c->out, " /Prev %lld 0 R", prev);
        if (next)
            g_string_append_printf(c->out, " /Next %lld 0 R", next);
        if (kids)
            g_string_append_printf(c->out, " /First %lld 0 R /Last %lld 0 R /Count %d", kf, kl,
                                   -kids);
        g_string_append(c->out, " >>");
        pc_end(c);
        if (!*first)
            *first = me;
        *last = me;
        prev = me;
        n++;
    }
    return n;
}

int pdfcat_finish(PdfCat *c, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    char date[64];
    if (pdfpost_format_date(c->o.post.epoch, date, sizeof date) < 0) {
        diag_add(c->dl, DIAG_ERROR, c->file, 1, 1,
                 "PDF post-pass: date %lld (seconds since 1970) is outside the years 0..9999",
                 c->o.post.epoch);
        return -1;
    }
    GString *o = c->out;
    /* the parent tree */
    long long ptree = c->next++;
    pc_begin(c, ptree);
    g_string_append(o, "<< /Nums [");
    for (guint i = 0; i < c->nums->len; i++) {
        CatNum *e = &g_array_index(c->nums, CatNum, i);
        g_string_append_c(o, ' ');
        pc_int(o, e->key);
        g_string_append_c(o, ' ');
        g_string_append_len(o, e->v->str, e->v->len);
    }
    g_string_append(o, " ] >>");
    pc_end(c);
    pc_begin(c, PC_N_STROOT);
    g_string_append(o, "<< /Type /StructTreeRoot /K [");
    for (guint i = 0; i < c->top->len; i++)
        g_string_append_printf(o, " %lld 0 R", g_array_index(c->top, long long, i));
    g_string_append_printf(o, " ] /ParentTree %lld 0 R /ParentTreeNextKey %lld >>", ptree,
                           c->next_key);
    pc_end(c);
    /* destinations: one sorted leaf (byte order); of two equal names the first stays */
    g_array_sort(c->names, pc_name_cmp);        /* stable: glib's is a merge sort */
    long long dests = c->next++;
    pc_begin(c, dests);
    g_string_append(o, "<< /Names [");
    for (guint i = 0; i < c->names->len; i++) {
        CatName *e = &g_array_index(c->names, CatName, i);
        if (i > 0 && pc_name_cmp(e, e - 1) == 0)
            continue;
        g_string_append_c(o, ' ');
        pc_string(o, e->name, e->len);
        g_string_append_c(o, ' ');
        g_string_append_len(o, e->v->str, e->v->len);
    }
    g_string_append(o, " ] >>");
    pc_end(c);
    /* the outline */
    long long outlines = c->next++, first, last;
    guint i = 0;
    int n = pc_outline_items(c, outlines, &i, 1, &first, &last);
    pc_begin(c, outlines);
    g_string_append(o, "<< /Type /Outlines");
    if (n)
        g_string_append_printf(o, " /First %lld 0 R /Last %lld 0 R", first, last);
    g_string_append_printf(o, " /Count %d >>", n);
    pc_end(c);
    /* page labels: the front's, the front blank's, then decimal folios */
    long long labels = c->next++;
    pc_begin(c, labels);
    g_string_append(o, "<< /Nums [");
    if (c->n_front > 0 && (c->labels->len == 0 || g_array_index(c->labels, CatNum, 0).key != 0))
        g_string_append(o, " 0 << /S /r >>");
    for (guint k = 0; k < c->labels->len; k++) {
        CatNum *e = &g_array_index(c->labels, CatNum, k);
        g_string_append_printf(o, " %lld ", e->key);
        g_string_append_len(o, e->v->str, e->v->len);
    }
    int at = c->n_front;
    if (c->o.front_blank_label) {
        g_string_append_printf(o, " %d << /P ", at++);
        ps_text(o, c->o.front_blank_label);
        g_string_append(o, " >>");
    }
    g_string_append_printf(o, " %d << /S /D /St %d >> ] >>", at,
                           c->o.first_folio > 0 ? c->o.first_folio : 1);
    pc_end(c);
    /* the page tree */
    pc_begin(c, PC_N_PAGES);
    g_string_append(o, "<< /Type /Pages /Kids [");
    for (guint k = 0; k < c->kids->len; k++) {
        g_string_append_c(o, ' ');
        pc_int_ref(o, g_array_index(c->kids, long long, k));
    }
    g_string_append_printf(o, " ] /Count %u >>", c->kids->len);
    pc_end(c);
    /* Info: the front's entries, the dates and producer replaced */
    pc_begin(c, PC_N_INFO);
    g_string_append(o, "<<");
    if (c->info)
        g_string_append_len(o, c->info->str, c->info->len);
    g_string_append_printf(o, " /CreationDate (%s) /ModDate (%s)", date, date);
    if (c->o.post.producer) {
        g_string_append(o, " /Producer ");
        ps_text(o, c->o.post.producer);
    }
    if (c->o.post.title && !c->info_title) {
        g_string_append(o, " /Title ");
        ps_text(o, c->o.post.title);
    }
    g_string_append(o, " >>");
    pc_end(c);
    /* the catalog */
    pc_begin(c, PC_N_CATALOG);
    g_string_append_printf(o,
                           "<< /Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R /MarkInfo "
                           "<< /Marked true >> /Outlines %lld 0 R /PageLabels %lld 0 R /Names "
                           "<< /Dests %lld 0 R >>",
                           PC_N_PAGES, PC_N_STROOT, outlines, labels, dests);
    if (c->pagemode) {
        g_string_append(o, " /PageMode ");
        g_string_append_len(o, c->pagemode->str, c->pagemode->len);
    }
    if (c->o.post.lang) {
        g_string_append(o, " /Lang ");
        ps_text(o, c->o.post.lang);
    }
    if (c->o.post.title)
        g_string_append(o, " /ViewerPreferences << /DisplayDocTitle true >>");
    g_string_append(o, " >>");
    pc_end(c);
    /* the xref table, one section; a deterministic /ID */
    size_t xref = c->dropped + o->len;
    long long size = c->next;
    g_array_set_size(c->at, (guint)size);
    g_string_append_printf(o, "xref\n0 %lld\n0000000000 65535 f \n", size);
    for (long long k = 1; k < size; k++) {
        size_t a = g_array_index(c->at, size_t, k);
        char entry[21] = "0000000000 00000 n \n";
        if (a) {
            for (int d = 9; d >= 0 && a; d--, a /= 10)
                entry[d] = (char)('0' + a % 10);
        } else {
            memcpy(entry, "0000000000 00001 f \n", 20);     /* cannot happen */
        }
        g_string_append_len(o, entry, 20);
    }
    pc_hash(c);
    char id[33];                /* 16 bytes, the size of an MD5 /ID */
    digest_finish(c->id, id, 16);
    c->id = NULL;
    g_string_append_printf(o,
                           "trailer\n<< /Size %lld /Root %d 0 R /Info %d 0 R /ID [<%s><%s>] >>\n"
                           "startxref\n%zu\n%%%%EOF\n",
                           size, PC_N_CATALOG, PC_N_INFO, id, id, xref);
    *out_len = o->len;
    *out = (unsigned char *)g_string_free(o, FALSE);  /* malloc'd: GLib's allocator is malloc */
    c->out = NULL;
    return 0;
}

const char *pdfcat_bytes(const PdfCat *c, size_t *len)
{
    *len = c->out ? c->out->len : 0;
    return c->out ? c->out->str : NULL;
}

void pdfcat_drop(PdfCat *c)
{
    if (!c->out)
        return;
    pc_hash(c);
    c->dropped += c->out->len;
    c->hashed = 0;
    g_string_truncate(c->out, 0);
}

void pdfcat_free(PdfCat *c)
{
    if (!c)
        return;
    for (guint i = 0; i < c->nums->len; i++)
        g_string_free(g_array_index(c->nums, CatNum, i).v, TRUE);
    for (guint i = 0; i < c->labels->len; i++)
        g_string_free(g_array_index(c->labels, CatNum, i).v, TRUE);
    for (guint i = 0; i < c->names->len; i++) {
        g_free(g_array_index(c->names, CatName, i).name);
        g_string_free(g_array_index(c->names, CatName, i).v, TRUE);
    }
    for (guint i = 0; i < c->outline->len; i++) {
        g_string_free(g_array_index(c->outline, CatItem, i).title, TRUE);
        if (g_array_index(c->outline, CatItem, i).dest)
            g_string_free(g_array_index(c->outline, CatItem, i).dest, TRUE);
    }
    g_array_free(c->nums, TRUE);
    g_array_free(c->labels, TRUE);
    g_array_free(c->names, TRUE);
    g_array_free(c->outline, TRUE);
    g_array_free(c->kids, TRUE);
    g_array_free(c->top, TRUE);
    g_array_free(c->at, TRUE);
    if (c->out)
        g_string_free(c->out, TRUE);
    digest_free(c->id);
    if (c->info)
        g_string_free(c->info, TRUE);
    if (c->pagemode)
        g_string_free(c->pagemode, TRUE);
    if (c->boxes_text)
        g_string_free(c->boxes_text, TRUE);
    g_free(c);
}
