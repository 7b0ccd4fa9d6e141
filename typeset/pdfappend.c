/* pdfappend.c — see pdfappend.h.
 *
 * What is read is cairo 1.16's own output, whose shape is known: one classic
 * xref table, one trailer naming /Root and /Info, a /Pages tree of plain
 * dictionaries, and page, catalog and Info objects that are dictionaries
 * (never streams).  The reader is strict about that shape and answers
 * PDFAPPEND_UNKNOWN for anything else, so a surprise costs the qpdf rewrite,
 * never a wrong file.  Dictionary values are skipped by a small tokenizer
 * (strings with nested parentheses and escapes, hex strings, names, numbers,
 * references, arrays, dictionaries, comments), depth-limited. */
#include "pdfappend.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "pdfscan.h"

/* Nesting of /Pages nodes, at most. */
#define PA_MAX_DEPTH 32
/* Pages read, at most (a cycle in /Kids ends here too). */
#define PA_MAX_PAGES 100000

typedef struct Pa {
    PsDoc d;                    /* cairo's file */
    GString *out;               /* the appended section */
    GArray *changed;            /* (long long) object numbers written, in order */
    GArray *at;                 /* (size_t) their offsets in the final file */
    unsigned char *seen;        /* page tree nodes visited, by object number */
    int pages;
} Pa;

/* Writes a new version of object num: the dictionary [d0, d1) without the
 * keys in drop (NULL-terminated), followed by the entries in add (PDF text,
 * may be empty). */
static void pa_rewrite(Pa *a, long long num, const char *d0, const char *d1,
                       const char *const *drop, const char *add)
{
    size_t at = a->d.len + a->out->len;
    g_array_append_val(a->changed, num);
    g_array_append_val(a->at, at);
    g_string_append_printf(a->out, "%lld 0 obj\n<<", num);
    const char *p = d0 + 2;
    for (;;) {
        const char *k = ps_ws(p, d1);
        if (k >= d1 || *k != '/')
            break;
        const char *v = ps_value(k, d1, 1);
        const char *ve = v ? ps_value(v, d1, 1) : NULL;
        if (!ve)
            break;      /* cannot happen: pa_object_dict parsed the whole dictionary */
        int dropped = 0;
        for (int i = 0; drop && drop[i] && !dropped; i++)
            dropped = (size_t)(v - k) == strlen(drop[i]) && memcmp(k, drop[i], (size_t)(v - k)) == 0;
        if (!dropped) {
            g_string_append_c(a->out, ' ');
            g_string_append_len(a->out, k, ve - k);
        }
        p = ve;
    }
    g_string_append_printf(a->out, "%s%s >>\nendobj\n", *add ? " " : "", add);
}

/* The pages below /Pages node num, in order; inherited is the MediaBox from
 * above (NULL when none).  0, PDFAPPEND_UNKNOWN, or PDFAPPEND_ERROR after an
 * error. */
static int pa_pages(Pa *a, long long num, const double *inherited, int depth,
                    const PdfPostOptions *o, const char *file, DiagList *dl)
{
    const char *d0, *d1, *ve;
    if (depth > PA_MAX_DEPTH || num <= 0 || num >= a->d.size || a->seen[num] ||
        ps_dict(&a->d, num, &d0, &d1) != 0)
        return PDFAPPEND_UNKNOWN;   /* (a node met twice: a shared or cyclic tree) */
    a->seen[num] = 1;
    const char *t = ps_get(d0, d1, "/Type", &ve);
    int is_pages = t && ve - t == 6 && memcmp(t, "/Pages", 6) == 0;
    int is_page = t && ve - t == 5 && memcmp(t, "/Page", 5) == 0;
    if (!is_pages && !is_page)
        return PDFAPPEND_UNKNOWN;
    double mb[4];
    const double *box = inherited;
    const char *m = ps_get(d0, d1, "/MediaBox", &ve);
    if (m) {
        if (ps_media_box(m, ve, mb) != 0)
            return PDFAPPEND_UNKNOWN;
        box = mb;
    }
    if (is_pages) {
        const char *k = ps_get(d0, d1, "/Kids", &ve), *at = NULL, *i0, *i1;
        int more;
        while (k && (more = ps_array_next(k, ve, &at, &i0, &i1)) != 0) {
            long long kid = more > 0 ? ps_ref(i0, i1) : -1;
            if (kid < 0)
                return PDFAPPEND_UNKNOWN;
            int rc = pa_pages(a, kid, box, depth + 1, o, file, dl);
            if (rc != 0)
                return rc;
        }
        return k ? 0 : PDFAPPEND_UNKNOWN;
    }
    if (++a->pages > PA_MAX_PAGES || !box)
        return PDFAPPEND_UNKNOWN;
    if (ps_get(d0, d1, "/TrimBox", &ve) || ps_get(d0, d1, "/BleedBox", &ve))
        return PDFAPPEND_UNKNOWN;   /* not cairo's: leave it to qpdf */
    double bleed = o->bleed_pt > 0 ? o->bleed_pt : 0, marks = o->marks_pt > 0 ? o->marks_pt : 0;
    double inset = bleed + marks;
    if (2 * inset >= box[2] - box[0] || 2 * inset >= box[3] - box[1]) {
        diag_add(dl, DIAG_ERROR, file, 1, 1,
                 "PDF post-pass: page %d: bleed %.3fpt + marks %.3fpt leave no trim area "
                 "on a %.3f x %.3fpt page",
                 a->pages, bleed, marks, box[2] - box[0], box[3] - box[1]);
        return PDFAPPEND_ERROR;
    }
    GString *add = g_string_new(NULL);
    ps_box(add, "/TrimBox", box, inset);
    ps_box(add, "/BleedBox", box, marks);
    pa_rewrite(a, num, d0, d1, NULL, add->str + 1);
    g_string_free(add, TRUE);
    return 0;
}

int pdfappend_run(const unsigned char *in, size_t len, const PdfPostOptions *o,
                  unsigned char **out, size_t *out_len, const char *file, DiagList *dl)
{
    *out = NULL;
    *out_len = 0;
    Pa a = {0};
    /* cairo writes one xref section: an update of it is not its shape */
    if (ps_doc_read(&a.d, in, len) != 0 || a.d.sections != 1) {
        ps_doc_fini(&a.d);
        return PDFAPPEND_UNKNOWN;
    }
    long long xref = (long long)a.d.xref, root = a.d.root, info = a.d.info;
    a.seen = g_malloc0((gsize)a.d.size);
    a.out = g_string_new("\n");
    a.changed = g_array_new(FALSE, FALSE, sizeof(long long));
    a.at = g_array_new(FALSE, FALSE, sizeof(size_t));
    int rc = PDFAPPEND_UNKNOWN;
    const char *c0, *c1, *ve;
    char date[64];
    if (ps_dict(&a.d, root, &c0, &c1) != 0)
        goto done;
    const char *pg = ps_get(c0, c1, "/Pages", &ve);
    long long pages = pg ? ps_ref(pg, ve) : -1;
    if (pages <= 0 || ps_get(c0, c1, "/Lang", &ve) || ps_get(c0, c1, "/ViewerPreferences", &ve))
        goto done;
    if (pdfpost_format_date(o->epoch, date, sizeof date) < 0) {
        diag_add(dl, DIAG_ERROR, file, 1, 1,
                 "PDF post-pass: date %lld (seconds since 1970) is outside the years 0..9999",
                 o->epoch);
        rc = PDFAPPEND_ERROR;
        goto done;
    }
    if ((rc = pa_pages(&a, pages, NULL, 0, o, file, dl)) != 0)
        goto done;
    rc = PDFAPPEND_UNKNOWN;
    if (a.pages == 0) {
        diag_add(dl, DIAG_ERROR, file, 1, 1, "PDF post-pass: the PDF has no pages");
        rc = PDFAPPEND_ERROR;
        goto done;
    }
    /* the catalog */
    GString *add = g_string_new(NULL);
    if (o->lang) {
        g_string_append(add, "/Lang ");
        ps_text(add, o->lang);
    }
    if (o->title)
        g_string_append_printf(add, "%s/ViewerPreferences << /DisplayDocTitle true >>",
                               add->len ? " " : "");
    pa_rewrite(&a, root, c0, c1, NULL, add->str);
    /* Info: cairo's entries, the dates and producer replaced */
    g_string_truncate(add, 0);
    g_string_append_printf(add, "/CreationDate (%s) /ModDate (%s)", date, date);
    if (o->producer) {
        g_string_append(add, " /Producer ");
        ps_text(add, o->producer);
    }
    const char *i0 = "<< >>", *i1 = i0 + 5;
    long long info_num = info;
    if (info > 0 && ps_dict(&a.d, info, &i0, &i1) != 0) {
        g_string_free(add, TRUE);
        goto done;
    }
    if (o->title && !ps_get(i0, i1, "/Title", &ve)) {
        g_string_append(add, " /Title ");
        ps_text(add, o->title);
    }
    long long size = a.d.size;
    if (info_num <= 0)
        info_num = size++;      /* cairo wrote none: a new object */
    static const char *const info_drop[] = {"/CreationDate", "/ModDate", NULL, NULL};
    static const char *const info_drop_producer[] = {"/CreationDate", "/ModDate", "/Producer", NULL};
    pa_rewrite(&a, info_num, i0, i1, o->producer ? info_drop_producer : info_drop, add->str);
    g_string_free(add, TRUE);

    /* xref: the changed objects, sorted, in runs of consecutive numbers */
    guint n = a.changed->len;
    long long *num = (long long *)(void *)a.changed->data;
    size_t *at = (size_t *)(void *)a.at->data;
    for (guint i = 1; i < n; i++)      /* insertion sort: pages come nearly in order */
        for (guint j = i; j > 0 && num[j - 1] > num[j]; j--) {
            long long tn = num[j]; num[j] = num[j - 1]; num[j - 1] = tn;
            size_t ta = at[j]; at[j] = at[j - 1]; at[j - 1] = ta;
        }
    size_t xref_at = len + a.out->len;
    g_string_append(a.out, "xref\n");
    for (guint i = 0; i < n;) {
        guint j = i;
        while (j + 1 < n && num[j + 1] == num[j] + 1)
            j++;
        g_string_append_printf(a.out, "%lld %u\n", num[i], j - i + 1);
        for (guint k = i; k <= j; k++)
            g_string_append_printf(a.out, "%010zu 00000 n \n", at[k]);
        i = j + 1;
    }
    /* a deterministic /ID: the digest of everything before the trailer (the
     * 16 bytes of XXH3-128, the size an MD5 /ID has; digest.h) */
    Digest *ck = digest_new_id();
    digest_update(ck, in, len);
    digest_update(ck, a.out->str, a.out->len);
    char id[33];
    digest_finish(ck, id, 16);
    g_string_append_printf(a.out,
                           "trailer\n<< /Size %lld /Root %lld 0 R /Info %lld 0 R /Prev %lld "
                           "/ID [<%s><%s>] >>\nstartxref\n%zu\n%%%%EOF\n",
                           size, root, info_num, xref, id, id, xref_at);
    *out_len = len + a.out->len;
    *out = xmalloc(*out_len);
    memcpy(*out, in, len);
    memcpy(*out + len, a.out->str, a.out->len);
    rc = 0;
done:
    g_string_free(a.out, TRUE);
    g_array_free(a.changed, TRUE);
    g_array_free(a.at, TRUE);
    ps_doc_fini(&a.d);
    g_free(a.seen);
    return rc;
}
