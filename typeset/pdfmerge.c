/* pdfmerge.c — see pdfmerge.h.
 *
 * The front document is the base: its catalog, Info, structure tree and page
 * labels are kept and extended.  Each part is read into a qpdf document of
 * its own, which (with its bytes) lives until the result is written: qpdf
 * copies foreign stream data only when writing.  Pages are copied first
 * (qpdf_add_page), so that the structure elements and destinations copied
 * after them point to the copies (qpdf maps a reference to a page it has not
 * copied to null).  qpdf_oh_copy_foreign_object wants indirect objects;
 * direct values (a destination array inside a name tree) are made indirect
 * in the part's document first, which is never written. */
#include "pdfmerge.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "pdfcat.h"
#include "pdfpp.h"

/* Name and number trees, outlines: deeper is a cycle or an attack. */
#define PM_MAX_DEPTH 64
/* Nodes of one name or number tree, at most. */
#define PM_MAX_TREE_NODES 1000000
/* Outline items read from one part, at most (a cycle through /Next ends here). */
#define PM_MAX_OUTLINE 100000

typedef struct PmName {
    char *name;                 /* bytes, not NUL-terminated in PDF terms */
    size_t len;
    qpdf_oh value;              /* in the result */
} PmName;

typedef struct PmNum {
    long long key;
    qpdf_oh value;              /* in the result */
} PmNum;

typedef struct PmEntry {
    int level;                  /* 1 = top */
    char *title;                /* UTF-8 */
    char *dest;                 /* a destination name, or NULL ... */
    qpdf_oh dest_oh;            /* ... an explicit destination in the result (0 = none) */
} PmEntry;

typedef struct Merge {
    PpCtx c;                    /* the result */
    GArray *names;              /* PmName: every destination */
    GArray *nums;               /* PmNum: the structure parent tree */
    GArray *outline;            /* PmEntry, in order */
    qpdf_oh st_root, st_kids;   /* the result's StructTreeRoot and its /K array */
    long long next_key;         /* first free parent-tree key */
} Merge;

/* A PDF string's bytes, copied. */
static char *pm_bytes(qpdf_data q, qpdf_oh s, size_t *len)
{
    const char *b = qpdf_oh_get_binary_string_value(q, s, len);
    char *r = g_malloc(*len + 1);
    memcpy(r, b ? b : "", *len);
    r[*len] = 0;
    return r;
}

/* Copies oh of the part src into the result. */
static qpdf_oh pm_copy(Merge *m, PpCtx *src, qpdf_oh oh)
{
    if (!qpdf_oh_is_indirect(src->q, oh))
        oh = qpdf_make_indirect_object(src->q, oh);
    return qpdf_oh_copy_foreign_object(m->c.q, src->q, oh);
}

/* dict[key], or null when dict is not a dictionary (qpdf would warn). */
static qpdf_oh pm_get(qpdf_data q, qpdf_oh dict, const char *key)
{
    return qpdf_oh_is_dictionary(q, dict) ? qpdf_oh_get_key(q, dict, key) : qpdf_oh_new_null(q);
}

/* Calls fn on every key/value pair of the name tree (key "/Names") or number
 * tree ("/Nums") below node, in order.  A node met twice (shared or cyclic
 * /Kids) is walked once.  Returns -1 when the tree is deeper than
 * PM_MAX_DEPTH or has more than PM_MAX_TREE_NODES nodes. */
typedef void (*PmTreeFn)(void *ud, qpdf_data q, qpdf_oh key, qpdf_oh value);

typedef struct PmWalk {
    qpdf_data q;
    const char *pairs;
    PmTreeFn fn;
    void *ud;
    GHashTable *seen;           /* object id << 16 | generation of indirect nodes */
    int nodes;
} PmWalk;

static int pm_walk_node(PmWalk *w, qpdf_oh node, int depth)
{
    qpdf_data q = w->q;
    if (depth > PM_MAX_DEPTH || ++w->nodes > PM_MAX_TREE_NODES)
        return -1;
    if (!qpdf_oh_is_dictionary(q, node))
        return 0;
    if (qpdf_oh_is_indirect(q, node)) {
        gint64 id = ((gint64)qpdf_oh_get_object_id(q, node) << 16) | (qpdf_oh_get_generation(q, node) & 0xffff);
        if (g_hash_table_contains(w->seen, &id))
            return 0;
        gint64 *k = g_new(gint64, 1);
        *k = id;
        g_hash_table_add(w->seen, k);
    }
    qpdf_oh kv = qpdf_oh_get_key(q, node, w->pairs);
    if (qpdf_oh_is_array(q, kv)) {
        int n = qpdf_oh_get_array_n_items(q, kv);
        for (int i = 0; i + 1 < n; i += 2)
            w->fn(w->ud, q, qpdf_oh_get_array_item(q, kv, i), qpdf_oh_get_array_item(q, kv, i + 1));
    }
    qpdf_oh kids = qpdf_oh_get_key(q, node, "/Kids");
    if (qpdf_oh_is_array(q, kids)) {
        int n = qpdf_oh_get_array_n_items(q, kids);
        for (int i = 0; i < n; i++)
            if (pm_walk_node(w, qpdf_oh_get_array_item(q, kids, i), depth + 1) != 0)
                return -1;
    }
    return 0;
}

static int pm_walk_tree(qpdf_data q, qpdf_oh node, const char *pairs, PmTreeFn fn, void *ud)
{
    PmWalk w = {q, pairs, fn, ud, g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL), 0};
    int rc = pm_walk_node(&w, node, 0);
    g_hash_table_destroy(w.seen);
    return rc;
}

/* ---- collecting from the front and from each part ------------------------------*/

typedef struct PmPartCtx {
    Merge *m;
    PpCtx *src;                 /* NULL: the front, whose objects are the result's */
    const char *prefix;
    long long base;             /* added to parent-tree keys */
    long long max_key;          /* largest key seen, -1 = none */
    long long max_used;         /* largest shifted key a page or link uses, -1 = none */
} PmPartCtx;

static void pm_add_name(void *ud, qpdf_data q, qpdf_oh key, qpdf_oh value)
{
    PmPartCtx *p = ud;
    if (!qpdf_oh_is_string(q, key))
        return;
    size_t len;
    char *raw = pm_bytes(q, key, &len);
    PmName e = {.value = p->src ? pm_copy(p->m, p->src, value) : value};
    if (p->prefix) {
        size_t pl = strlen(p->prefix);
        e.name = g_malloc(pl + len + 1);
        memcpy(e.name, p->prefix, pl);
        memcpy(e.name + pl, raw, len + 1);
        e.len = pl + len;
        g_free(raw);
    } else {
        e.name = raw;
        e.len = len;
    }
    g_array_append_val(p->m->names, e);
}

static void pm_add_num(void *ud, qpdf_data q, qpdf_oh key, qpdf_oh value)
{
    PmPartCtx *p = ud;
    if (!qpdf_oh_is_integer(q, key))
        return;
    long long k = qpdf_oh_get_int_value(q, key);
    if (k < 0 || k > INT32_MAX)
        return;
    if (k > p->max_key)
        p->max_key = k;
    PmNum e = {.key = k + p->base, .value = p->src ? pm_copy(p->m, p->src, value) : value};
    g_array_append_val(p->m->nums, e);
}

/* doc's /Names /Dests tree into m->names. */
static int pm_collect_names(PmPartCtx *p, qpdf_data q)
{
    qpdf_oh names = pm_get(q, qpdf_get_root(q), "/Names");
    qpdf_oh dests = pm_get(q, names, "/Dests");
    return pm_walk_tree(q, dests, "/Names", pm_add_name, p);
}

/* A destination name with the part's prefix, or NULL when d is none. */
static char *pm_dest_name(const PmPartCtx *p, qpdf_data q, qpdf_oh d)
{
    if (!qpdf_oh_is_string(q, d) && !qpdf_oh_is_name(q, d))
        return NULL;
    size_t len;
    char *raw;
    if (qpdf_oh_is_name(q, d)) {        /* PDF 1.1 named destinations: a name object */
        raw = g_strdup(qpdf_oh_get_name(q, d) + 1);
        len = strlen(raw);
    } else {
        raw = pm_bytes(q, d, &len);
    }
    char *r = g_strconcat(p->prefix ? p->prefix : "", raw, NULL);
    g_free(raw);
    return r;
}

/* One outline item and its children, then its later siblings.  Returns -1
 * when too deep or too many. */
static int pm_walk_outline(PmPartCtx *p, qpdf_data q, qpdf_oh item, int level, int *count)
{
    if (level > PM_MAX_DEPTH)
        return -1;
    while (qpdf_oh_is_dictionary(q, item)) {
        if (++*count > PM_MAX_OUTLINE)
            return -1;
        PmEntry e = {.level = level};
        qpdf_oh t = pm_get(q, item, "/Title");
        e.title = g_strdup(qpdf_oh_is_string(q, t) ? qpdf_oh_get_utf8_value(q, t) : "");
        qpdf_oh d = pm_get(q, item, "/Dest");
        if (qpdf_oh_is_null(q, d)) {
            qpdf_oh a = pm_get(q, item, "/A");
            if (qpdf_oh_is_dictionary(q, a) &&
                qpdf_oh_is_name_and_equals(q, pm_get(q, a, "/S"), "/GoTo"))
                d = pm_get(q, a, "/D");
        }
        if (qpdf_oh_is_array(q, d))
            e.dest_oh = p->src ? pm_copy(p->m, p->src, d) : d;
        else
            e.dest = pm_dest_name(p, q, d);
        g_array_append_val(p->m->outline, e);
        if (pm_walk_outline(p, q, pm_get(q, item, "/First"), level + 1, count) != 0)
            return -1;
        item = pm_get(q, item, "/Next");
    }
    return 0;
}

static int pm_collect_outline(PmPartCtx *p, qpdf_data q, int level)
{
    int count = 0;
    qpdf_oh ol = pm_get(q, qpdf_get_root(q), "/Outlines");
    return pm_walk_outline(p, q, pm_get(q, ol, "/First"), level, &count);
}

/* Adds 'add' to the integer at dict[key] and returns the new value; a key
 * outside 0..INT32_MAX (never one of ours) is removed.  -1 when none. */
static long long pm_shift_key(qpdf_data q, qpdf_oh dict, const char *key, long long add)
{
    qpdf_oh v = qpdf_oh_get_key(q, dict, key);
    if (!qpdf_oh_is_integer(q, v))
        return -1;
    long long k = qpdf_oh_get_int_value(q, v);
    if (k < 0 || k > INT32_MAX || add > INT32_MAX) {
        qpdf_oh_remove_key(q, dict, key);
        return -1;
    }
    qpdf_oh_replace_key(q, dict, key, qpdf_oh_new_integer(q, k + add));
    return k + add;
}

/* Renames a link's named destination (as /Dest or a GoTo action's /D). */
static void pm_prefix_link(const PmPartCtx *p, qpdf_data q, qpdf_oh annot)
{
    qpdf_oh holder = annot;
    const char *key = "/Dest";
    qpdf_oh d = pm_get(q, annot, "/Dest");
    if (qpdf_oh_is_null(q, d)) {
        qpdf_oh a = pm_get(q, annot, "/A");
        if (!qpdf_oh_is_dictionary(q, a) ||
            !qpdf_oh_is_name_and_equals(q, pm_get(q, a, "/S"), "/GoTo"))
            return;
        holder = a;
        key = "/D";
        d = pm_get(q, a, "/D");
    }
    char *name = pm_dest_name(p, q, d);
    if (name)
        qpdf_oh_replace_key(q, holder, key, qpdf_oh_new_binary_string(q, name, strlen(name)));
    g_free(name);
}

/* The result's page copied last: parent-tree keys shifted, links renamed. */
static void pm_fix_page(PmPartCtx *p, qpdf_oh page)
{
    qpdf_data q = p->m->c.q;
    long long u = pm_shift_key(q, page, "/StructParents", p->base);
    if (u > p->max_used)
        p->max_used = u;
    qpdf_oh annots = pm_get(q, page, "/Annots");
    if (!qpdf_oh_is_array(q, annots))
        return;
    int n = qpdf_oh_get_array_n_items(q, annots);
    for (int i = 0; i < n; i++) {
        qpdf_oh a = qpdf_oh_get_array_item(q, annots, i);
        if (!qpdf_oh_is_dictionary(q, a))
            continue;
        u = pm_shift_key(q, a, "/StructParent", p->base);
        if (u > p->max_used)
            p->max_used = u;
        if (qpdf_oh_is_name_and_equals(q, pm_get(q, a, "/Subtype"), "/Link"))
            pm_prefix_link(p, q, a);
    }
}

static void pm_add_blank(Merge *m, const PdfMergeOptions *o)
{
    qpdf_data q = m->c.q;
    char dict[160];
    snprintf(dict, sizeof dict, "<< /Type /Page /MediaBox [0 0 %.4f %.4f] /Resources << >> >>",
             o->blank_width, o->blank_height);
    qpdf_oh page = qpdf_make_indirect_object(q, qpdf_oh_parse(q, dict));
    qpdf_add_page(q, q, page, QPDF_FALSE);
}

/* The result's StructTreeRoot (made when the front has none) with /K as an
 * array, and the first free parent-tree key after the front's. */
static void pm_struct_root(Merge *m)
{
    qpdf_data q = m->c.q;
    qpdf_oh root = qpdf_get_root(q);
    m->st_root = pm_get(q, root, "/StructTreeRoot");
    if (!qpdf_oh_is_dictionary(q, m->st_root)) {
        m->st_root = qpdf_make_indirect_object(q, qpdf_oh_parse(q, "<< /Type /StructTreeRoot >>"));
        qpdf_oh_replace_key(q, root, "/StructTreeRoot", m->st_root);
        qpdf_oh_replace_key(q, root, "/MarkInfo", qpdf_oh_parse(q, "<< /Marked true >>"));
    }
    qpdf_oh k = pm_get(q, m->st_root, "/K");
    if (qpdf_oh_is_array(q, k)) {
        m->st_kids = k;
    } else {
        m->st_kids = qpdf_oh_new_array(q);
        if (qpdf_oh_is_dictionary(q, k))
            qpdf_oh_append_item(q, m->st_kids, k);
        qpdf_oh_replace_key(q, m->st_root, "/K", m->st_kids);
    }
    PmPartCtx front = {.m = m, .max_key = -1};
    pm_walk_tree(q, pm_get(q, m->st_root, "/ParentTree"), "/Nums", pm_add_num, &front);
    m->next_key = front.max_key + 1;
}

/* One part: its pages after blanks_before blank ones, then its destinations,
 * structure and outline.  Returns 0 or -1 (error added). */
static int pm_part(Merge *m, PpCtx *src, const PdfMergePart *part, const PdfMergeOptions *o)
{
    qpdf_data q = m->c.q, s = src->q;
    for (int i = 0; i < part->blanks_before; i++)
        pm_add_blank(m, o);
    PmPartCtx p = {.m = m, .src = src, .prefix = part->prefix, .base = m->next_key, .max_key = -1,
                   .max_used = -1};
    int n = qpdf_get_num_pages(s);
    if (!pp_ok(src, "reading the page tree"))
        return -1;
    for (int i = 0; i < n; i++) {
        qpdf_add_page(q, s, qpdf_get_page_n(s, (size_t)i), QPDF_FALSE);
        pm_fix_page(&p, qpdf_get_page_n(q, (size_t)qpdf_get_num_pages(q) - 1));
        if (!pp_ok(&m->c, "copying a page") || !pp_ok(src, "copying a page"))
            return -1;
    }
    qpdf_oh st = pm_get(s, qpdf_get_root(s), "/StructTreeRoot");
    qpdf_oh k = pm_get(s, st, "/K");
    int nk = qpdf_oh_is_array(s, k) ? qpdf_oh_get_array_n_items(s, k) : qpdf_oh_is_dictionary(s, k);
    /* the part's language, which its catalog said and the result's catalog
     * does not (a Russian article in an English issue): on its top-level
     * structure elements, so that a screen reader reads it in Russian */
    qpdf_oh lang = pm_get(s, qpdf_get_root(s), "/Lang");
    const char *lang_s = qpdf_oh_is_string(s, lang) ? qpdf_oh_get_utf8_value(s, lang) : NULL;
    char *part_lang = lang_s && *lang_s ? g_strdup(lang_s) : NULL;
    for (int i = 0; i < nk; i++) {
        qpdf_oh kid = qpdf_oh_is_array(s, k) ? qpdf_oh_get_array_item(s, k, i) : k;
        if (!qpdf_oh_is_dictionary(s, kid))
            continue;
        qpdf_oh copy = pm_copy(m, src, kid);
        qpdf_oh_replace_key(q, copy, "/P", m->st_root);
        if (part_lang && !qpdf_oh_has_key(q, copy, "/Lang"))
            qpdf_oh_replace_key(q, copy, "/Lang", qpdf_oh_new_unicode_string(q, part_lang));
        qpdf_oh_append_item(q, m->st_kids, copy);
    }
    g_free(part_lang);
    int rc = pm_walk_tree(s, pm_get(s, st, "/ParentTree"), "/Nums", pm_add_num, &p);
    m->next_key += p.max_key + 1;
    if (p.max_used >= m->next_key)      /* keys used by pages but missing from the tree */
        m->next_key = p.max_used + 1;
    if (rc == 0)
        rc = pm_collect_names(&p, s);
    PmEntry head = {.level = 1, .title = g_strdup(part->title ? part->title : ""),
                    .dest = part->title_dest ? g_strdup(part->title_dest) : NULL};
    g_array_append_val(m->outline, head);
    if (rc == 0)
        rc = pm_collect_outline(&p, s, 2);
    if (rc != 0) {
        diag_add(m->c.dl, DIAG_ERROR, m->c.file, 1, 1,
                 "merging %s: a name, number or outline tree deeper than %d levels or longer "
                 "than %d items", part->file, PM_MAX_DEPTH, PM_MAX_OUTLINE);
        return -1;
    }
    return pp_ok(&m->c, "copying structure and destinations") &&
                   pp_ok(src, "copying structure and destinations") ? 0 : -1;
}

/* ---- writing the trees ----------------------------------------------------------*/

static int pm_name_cmp(const void *pa, const void *pb)
{
    const PmName *a = pa, *b = pb;
    int c = memcmp(a->name, b->name, a->len < b->len ? a->len : b->len);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* /Names /Dests as one sorted leaf (byte order, PDF 32000-1 §7.9.6); of two
 * equal names the first stays. */
static void pm_write_names(Merge *m)
{
    qpdf_data q = m->c.q;
    g_array_sort(m->names, pm_name_cmp);    /* stable: glib's is a merge sort */
    qpdf_oh arr = qpdf_oh_new_array(q);
    for (guint i = 0; i < m->names->len; i++) {
        PmName *e = &g_array_index(m->names, PmName, i);
        if (i > 0 && pm_name_cmp(e, e - 1) == 0)
            continue;
        qpdf_oh_append_item(q, arr, qpdf_oh_new_binary_string(q, e->name, e->len));
        qpdf_oh_append_item(q, arr, e->value);
    }
    qpdf_oh tree = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
    qpdf_oh_replace_key(q, tree, "/Names", arr);
    qpdf_oh root = qpdf_get_root(q);
    qpdf_oh names = pm_get(q, root, "/Names");
    if (!qpdf_oh_is_dictionary(q, names)) {
        names = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
        qpdf_oh_replace_key(q, root, "/Names", names);
    }
    qpdf_oh_replace_key(q, names, "/Dests", tree);
}

static void pm_write_parent_tree(Merge *m)
{
    qpdf_data q = m->c.q;
    qpdf_oh arr = qpdf_oh_new_array(q);
    for (guint i = 0; i < m->nums->len; i++) {      /* ascending: parts come in order */
        PmNum *e = &g_array_index(m->nums, PmNum, i);
        qpdf_oh_append_item(q, arr, qpdf_oh_new_integer(q, e->key));
        qpdf_oh_append_item(q, arr, e->value);
    }
    qpdf_oh tree = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
    qpdf_oh_replace_key(q, tree, "/Nums", arr);
    qpdf_oh_replace_key(q, m->st_root, "/ParentTree", tree);
    qpdf_oh_replace_key(q, m->st_root, "/ParentTreeNextKey", qpdf_oh_new_integer(q, m->next_key));
}

/* Items [from, to) of the flat list at level 'level' and their children,
 * under parent; returns the number of items visible when parent is open
 * (all below it closed). */
static int pm_build_outline(Merge *m, qpdf_oh parent, guint *i, int level)
{
    qpdf_data q = m->c.q;
    qpdf_oh first = 0, prev = 0;
    int n = 0;
    while (*i < m->outline->len) {
        PmEntry *e = &g_array_index(m->outline, PmEntry, *i);
        if (e->level < level)
            break;
        if (e->level > level) {         /* a child without a parent: lift it */
            e->level = level;
            continue;
        }
        qpdf_oh it = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
        qpdf_oh_replace_key(q, it, "/Title", qpdf_oh_new_unicode_string(q, e->title));
        qpdf_oh_replace_key(q, it, "/Parent", parent);
        if (e->dest)
            qpdf_oh_replace_key(q, it, "/Dest", qpdf_oh_new_binary_string(q, e->dest, strlen(e->dest)));
        else if (e->dest_oh)
            qpdf_oh_replace_key(q, it, "/Dest", e->dest_oh);
        if (prev) {
            qpdf_oh_replace_key(q, prev, "/Next", it);
            qpdf_oh_replace_key(q, it, "/Prev", prev);
        } else {
            first = it;
        }
        prev = it;
        n++;
        ++*i;
        int kids = pm_build_outline(m, it, i, level + 1);
        if (kids > 0)
            qpdf_oh_replace_key(q, it, "/Count", qpdf_oh_new_integer(q, -kids));   /* closed */
    }
    if (first) {
        qpdf_oh_replace_key(q, parent, "/First", first);
        qpdf_oh_replace_key(q, parent, "/Last", prev);
    }
    return n;
}

static void pm_write_outline(Merge *m)
{
    qpdf_data q = m->c.q;
    qpdf_oh ol = qpdf_make_indirect_object(q, qpdf_oh_parse(q, "<< /Type /Outlines >>"));
    guint i = 0;
    int n = pm_build_outline(m, ol, &i, 1);
    qpdf_oh_replace_key(q, ol, "/Count", qpdf_oh_new_integer(q, n));
    qpdf_oh_replace_key(q, qpdf_get_root(q), "/Outlines", ol);
}

typedef struct PmLabels {
    qpdf_oh arr;
    int n_front;
    int any;                    /* an entry at key 0 */
} PmLabels;

static void pm_keep_label(void *ud, qpdf_data q, qpdf_oh key, qpdf_oh value)
{
    PmLabels *l = ud;
    if (!qpdf_oh_is_integer(q, key))
        return;
    long long k = qpdf_oh_get_int_value(q, key);
    if (k < 0 || k >= l->n_front)
        return;
    l->any |= k == 0;
    qpdf_oh_append_item(q, l->arr, qpdf_oh_new_integer(q, k));
    qpdf_oh_append_item(q, l->arr, value);
}

/* The front's labels, the front blank's, then decimal folios. */
static void pm_write_labels(Merge *m, int n_front, const PdfMergeOptions *o)
{
    qpdf_data q = m->c.q;
    qpdf_oh root = qpdf_get_root(q);
    PmLabels l = {.arr = qpdf_oh_new_array(q), .n_front = n_front};
    pm_walk_tree(q, pm_get(q, root, "/PageLabels"), "/Nums", pm_keep_label, &l);
    if (!l.any && n_front > 0) {        /* the first range must start at page 0 */
        qpdf_oh_insert_item(q, l.arr, 0, qpdf_oh_new_integer(q, 0));
        qpdf_oh_insert_item(q, l.arr, 1, qpdf_oh_parse(q, "<< /S /r >>"));
    }
    int at = n_front;
    if (o->front_blank_label) {
        qpdf_oh d = qpdf_oh_new_dictionary(q);
        qpdf_oh_replace_key(q, d, "/P", qpdf_oh_new_unicode_string(q, o->front_blank_label));
        qpdf_oh_append_item(q, l.arr, qpdf_oh_new_integer(q, at++));
        qpdf_oh_append_item(q, l.arr, d);
    }
    qpdf_oh d = qpdf_oh_parse(q, "<< /S /D >>");
    qpdf_oh_replace_key(q, d, "/St", qpdf_oh_new_integer(q, o->first_folio > 0 ? o->first_folio : 1));
    qpdf_oh_append_item(q, l.arr, qpdf_oh_new_integer(q, at));
    qpdf_oh_append_item(q, l.arr, d);
    qpdf_oh tree = qpdf_make_indirect_object(q, qpdf_oh_new_dictionary(q));
    qpdf_oh_replace_key(q, tree, "/Nums", l.arr);
    qpdf_oh_replace_key(q, root, "/PageLabels", tree);
}

struct PdfMerge {
    PdfMergeOptions o;
    const unsigned char *front;
    size_t front_len;
    const char *file;
    DiagList *dl;
    PdfCat *cat;                /* the merge on bytes, while every input allows it */
    GArray *added;              /* PdfMergePart: what cat took, to be given to qpdf */
    int qpdf;                   /* m is in use */
    const char *because;        /* the input that made it so */
    Merge m;
    int n_front;
    int failed;
};

/* The qpdf merge from the front (it continues with pdfmerge_add's parts). */
static int pm_qpdf_new(PdfMerge *pm)
{
    Merge *m = &pm->m;
    const PdfMergeOptions *o = &pm->o;
    pm->qpdf = 1;
    m->names = g_array_new(FALSE, FALSE, sizeof(PmName));
    m->nums = g_array_new(FALSE, FALSE, sizeof(PmNum));
    m->outline = g_array_new(FALSE, FALSE, sizeof(PmEntry));
    int ok = pp_open(&m->c, pm->front, pm->front_len, pm->file, pm->dl) == 0;
    m->c.plain_xref = 1;        /* as pdfcat writes: the issue goes to the printer,
                                   whose RIP may predate object streams */
    if (ok) {
        pm->n_front = qpdf_get_num_pages(m->c.q);
        ok = pp_ok(&m->c, "reading the front pages");
    }
    PmPartCtx fp = {.m = m, .max_key = -1};
    if (ok && (pm_collect_names(&fp, m->c.q) != 0 || pm_collect_outline(&fp, m->c.q, 1) != 0)) {
        diag_add(pm->dl, DIAG_ERROR, pm->file, 1, 1,
                 "the front PDF's name tree or outline is too deep");
        ok = 0;
    }
    if (ok) {
        pm_struct_root(m);
        if (o->front_blank_label)
            pm_add_blank(m, o);
    }
    return ok ? 0 : -1;
}

static int pm_qpdf_add(PdfMerge *pm, const PdfMergePart *part)
{
    /* The part's document is freed as soon as its objects are copied: qpdf
     * (8.3 on) copies stream data lazily from the part's bytes, which the
     * caller keeps, not from its document. */
    PpCtx src;
    int rc = pp_open(&src, part->pdf, part->len, part->file, pm->m.c.dl) == 0 &&
                     pm_part(&pm->m, &src, part, &pm->o) == 0 ? 0 : -1;
    pp_close(&src);
    return rc;
}

PdfMerge *pdfmerge_new(const unsigned char *front, size_t front_len, const PdfMergeOptions *o,
                       const char *file, DiagList *dl)
{
    PdfMerge *pm = g_new0(PdfMerge, 1);
    pm->o = *o;
    pm->front = front;
    pm->front_len = front_len;
    pm->file = file;
    pm->dl = dl;
    pm->added = g_array_new(FALSE, FALSE, sizeof(PdfMergePart));
    int errors = dl->errors;
    PdfCatPart *f = pdfcat_read(front, front_len);
    if (f) {
        pm->cat = pdfcat_new(f, o, file, dl);
        pdfcat_part_free(f);
    }
    if (!pm->cat)
        pm->because = "the front document (cover and contents)";
    if (!pm->cat && (dl->errors > errors || pm_qpdf_new(pm) != 0)) {
        pdfmerge_free(pm);
        return NULL;
    }
    return pm;
}

int pdfmerge_add(PdfMerge *pm, const PdfMergePart *part)
{
    if (!pm || pm->failed)
        return -1;
    if (pm->cat) {
        PdfCatPart *own = part->read ? NULL : pdfcat_read(part->pdf, part->len);
        const PdfCatPart *r = part->read ? part->read : own;
        if (r) {
            PdfMergePart kept = *part;
            kept.read = NULL;       /* (the caller may free it once added) */
            if (pdfcat_add(pm->cat, r, part) != 0)
                pm->failed = 1;
            else
                g_array_append_val(pm->added, kept);
            pdfcat_part_free(own);
            return pm->failed ? -1 : 0;
        }
        /* not the shape pdfcat reads: qpdf merges everything again */
        pdfcat_free(pm->cat);
        pm->cat = NULL;
        pm->because = part->file;
        if (pm_qpdf_new(pm) != 0) {
            pm->failed = 1;
            return -1;
        }
        for (guint i = 0; i < pm->added->len && !pm->failed; i++)
            if (pm_qpdf_add(pm, &g_array_index(pm->added, PdfMergePart, i)) != 0)
                pm->failed = 1;
    }
    if (!pm->failed && pm_qpdf_add(pm, part) != 0)
        pm->failed = 1;
    return pm->failed ? -1 : 0;
}

int pdfmerge_finish(PdfMerge *pm, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!pm || pm->failed)
        return -1;
    if (pm->cat) {
        if (pdfcat_finish(pm->cat, out, out_len) == 0)
            return 0;
        pm->failed = 1;
        return -1;
    }
    Merge *m = &pm->m;
    pm_write_names(m);
    pm_write_parent_tree(m);
    pm_write_outline(m);
    pm_write_labels(m, pm->n_front, &pm->o);
    int ok = pp_ok(&m->c, "writing the trees") && pp_boxes(&m->c, &pm->o.post) == 0 &&
             pp_metadata(&m->c, &pm->o.post) == 0 && pp_write(&m->c, out, out_len) == 0;
    pp_report_hidden(&m->c);    /* said now: the caller may never free pm */
    if (ok)
        return 0;
    pm->failed = 1;
    return -1;
}

const char *pdfmerge_bytes(const PdfMerge *pm, size_t *len)
{
    *len = 0;
    return pm && pm->cat && !pm->failed ? pdfcat_bytes(pm->cat, len) : NULL;
}

void pdfmerge_drop(PdfMerge *pm)
{
    if (pm && pm->cat && !pm->failed)
        pdfcat_drop(pm->cat);
}

const char *pdfmerge_qpdf_because(const PdfMerge *pm)
{
    return pm ? pm->because : NULL;
}

void pdfmerge_report_hidden(PdfMerge *pm)
{
    if (pm && pm->qpdf)
        pp_report_hidden(&pm->m.c);
}

void pdfmerge_free(PdfMerge *pm)
{
    if (!pm)
        return;
    pdfcat_free(pm->cat);
    g_array_free(pm->added, TRUE);
    Merge *m = &pm->m;
    if (pm->qpdf) {
        for (guint i = 0; i < m->names->len; i++)
            g_free(g_array_index(m->names, PmName, i).name);
        for (guint i = 0; i < m->outline->len; i++) {
            g_free(g_array_index(m->outline, PmEntry, i).title);
            g_free(g_array_index(m->outline, PmEntry, i).dest);
        }
        g_array_free(m->names, TRUE);
        g_array_free(m->nums, TRUE);
        g_array_free(m->outline, TRUE);
        pp_close(&m->c);
    }
    g_free(pm);
}

int pdfmerge_run(const unsigned char *front, size_t front_len, const PdfMergePart *parts, int n,
                 const PdfMergeOptions *o, unsigned char **out, size_t *out_len, const char *file,
                 DiagList *dl)
{
    PdfMerge *pm = pdfmerge_new(front, front_len, o, file, dl);
    for (int i = 0; i < n; i++)
        pdfmerge_add(pm, &parts[i]);
    int rc = pdfmerge_finish(pm, out, out_len);
    pdfmerge_free(pm);
    return rc;
}
