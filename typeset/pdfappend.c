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

/* Nesting of arrays and dictionaries in one value, of /Pages nodes. */
#define PA_MAX_DEPTH 32
/* Pages read, at most (a cycle in /Kids ends here too). */
#define PA_MAX_PAGES 100000

typedef struct Pa {
    const char *buf;
    size_t len;
    size_t *off;                /* xref: offset of object i, 0 = free or absent */
    long long size;             /* trailer /Size */
    GString *out;               /* the appended section */
    GArray *changed;            /* (long long) object numbers written, in order */
    GArray *at;                 /* (size_t) their offsets in the final file */
    unsigned char *seen;        /* page tree nodes visited, by object number */
    int pages;
} Pa;

static int pa_delim(char c)
{
    return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
           c == '}' || c == '/' || c == '%';
}

static int pa_space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

/* Past white space and comments. */
static const char *pa_ws(const char *p, const char *e)
{
    while (p < e) {
        if (pa_space(*p)) {
            p++;
        } else if (*p == '%') {
            while (p < e && *p != '\n' && *p != '\r')
                p++;
        } else {
            break;
        }
    }
    return p;
}

/* A non-negative integer at p (digits only); NULL when there is none. */
static const char *pa_int(const char *p, const char *e, long long *v)
{
    const char *s = p;
    long long n = 0;
    while (p < e && *p >= '0' && *p <= '9' && p - s < 18)
        n = n * 10 + (*p++ - '0');
    if (p == s || (p < e && *p >= '0' && *p <= '9'))
        return NULL;
    *v = n;
    return p;
}

/* Past one value starting at p (white space before it skipped); NULL when
 * what is there is not a value this reader knows. */
static const char *pa_value(const char *p, const char *e, int depth)
{
    p = pa_ws(p, e);
    if (p >= e || depth > PA_MAX_DEPTH)
        return NULL;
    if (*p == '(') {
        int nest = 0;
        for (; p < e; p++) {
            if (*p == '\\')
                p++;
            else if (*p == '(')
                nest++;
            else if (*p == ')' && --nest == 0)
                return p + 1;
        }
        return NULL;
    }
    if (*p == '<' && p + 1 < e && p[1] == '<') {
        p += 2;
        for (;;) {
            p = pa_ws(p, e);
            if (p + 1 < e && p[0] == '>' && p[1] == '>')
                return p + 2;
            if (p >= e || *p != '/')
                return NULL;
            if (!(p = pa_value(p, e, depth + 1)) || !(p = pa_value(p, e, depth + 1)))
                return NULL;
        }
    }
    if (*p == '<') {
        const char *q = memchr(p, '>', (size_t)(e - p));
        return q ? q + 1 : NULL;
    }
    if (*p == '[') {
        p++;
        for (;;) {
            p = pa_ws(p, e);
            if (p < e && *p == ']')
                return p + 1;
            if (!(p = pa_value(p, e, depth + 1)))
                return NULL;
        }
    }
    if (*p == '/') {
        p++;
        while (p < e && !pa_space(*p) && !pa_delim(*p))
            p++;
        return p;
    }
    if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == '.') {
        const char *s = p;
        p++;
        while (p < e && ((*p >= '0' && *p <= '9') || *p == '.'))
            p++;
        /* "n g R": a reference */
        long long a, b;
        const char *q = pa_int(s, e, &a);
        if (q == p) {
            const char *r = pa_ws(q, e);
            const char *t = r < e ? pa_int(r, e, &b) : NULL;
            if (t && t > r) {
                t = pa_ws(t, e);
                if (t < e && *t == 'R' && (t + 1 >= e || pa_space(t[1]) || pa_delim(t[1])))
                    return t + 1;
            }
        }
        return p;
    }
    if ((*p >= 'a' && *p <= 'z')) {     /* true, false, null */
        while (p < e && *p >= 'a' && *p <= 'z')
            p++;
        return p;
    }
    return NULL;
}

/* The dictionary of object num: its "<<" at *d0, just past its ">>" at *d1.
 * 0, or -1 when the object is not a dictionary this reader can take. */
static int pa_object_dict(const Pa *a, long long num, const char **d0, const char **d1)
{
    if (num <= 0 || num >= a->size || !a->off[num])
        return -1;
    const char *p = a->buf + a->off[num], *e = a->buf + a->len;
    long long n, g;
    if (!(p = pa_int(p, e, &n)) || n != num)
        return -1;
    p = pa_ws(p, e);
    if (!(p = pa_int(p, e, &g)) || g != 0)
        return -1;
    p = pa_ws(p, e);
    if (e - p < 3 || memcmp(p, "obj", 3) != 0)
        return -1;
    p = pa_ws(p + 3, e);
    if (e - p < 2 || p[0] != '<' || p[1] != '<')
        return -1;
    const char *end = pa_value(p, e, 0);
    if (!end)
        return -1;
    const char *after = pa_ws(end, e);
    if (e - after < 6 || memcmp(after, "endobj", 6) != 0)
        return -1;      /* a stream, or something else after the dictionary */
    *d0 = p;
    *d1 = end;
    return 0;
}

/* The value of key (e.g. "/Pages") in the dictionary [d0, d1): its span, or
 * NULL when absent. */
static const char *pa_get(const char *d0, const char *d1, const char *key, const char **vend)
{
    size_t kl = strlen(key);
    const char *p = d0 + 2;
    for (;;) {
        p = pa_ws(p, d1);
        if (p >= d1 || *p != '/')
            return NULL;
        const char *k = p;
        const char *v = pa_value(p, d1, 1);     /* the key is a name */
        if (!v)
            return NULL;
        const char *ve = pa_value(v, d1, 1);
        if (!ve)
            return NULL;
        if ((size_t)(v - k) == kl && memcmp(k, key, kl) == 0) {
            *vend = ve;
            return pa_ws(v, d1);
        }
        p = ve;
    }
}

/* A reference "n 0 R" in [v, ve): its object number, or -1. */
static long long pa_ref(const char *v, const char *ve)
{
    long long n, g;
    const char *p = pa_int(v, ve, &n);
    if (!p)
        return -1;
    p = pa_ws(p, ve);
    if (!(p = pa_int(p, ve, &g)) || g != 0)
        return -1;
    p = pa_ws(p, ve);
    return p < ve && *p == 'R' ? n : -1;
}

/* Writes a new version of object num: the dictionary [d0, d1) without the
 * keys in drop (NULL-terminated), followed by the entries in add (PDF text,
 * may be empty). */
static void pa_rewrite(Pa *a, long long num, const char *d0, const char *d1,
                       const char *const *drop, const char *add)
{
    size_t at = a->len + a->out->len;
    g_array_append_val(a->changed, num);
    g_array_append_val(a->at, at);
    g_string_append_printf(a->out, "%lld 0 obj\n<<", num);
    const char *p = d0 + 2;
    for (;;) {
        const char *k = pa_ws(p, d1);
        if (k >= d1 || *k != '/')
            break;
        const char *v = pa_value(k, d1, 1);
        const char *ve = v ? pa_value(v, d1, 1) : NULL;
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

/* A number as the post-pass writes box coordinates: at most 4 decimals, no
 * trailing zeros. */
static void pa_num(GString *g, double v)
{
    char b[64];
    snprintf(b, sizeof b, "%.4f", v);
    char *d = strchr(b, '.');
    if (d) {
        char *z = b + strlen(b) - 1;
        while (z > d && *z == '0')
            *z-- = 0;
        if (z == d)
            *z = 0;
    }
    if (strcmp(b, "-0") == 0)
        strcpy(b, "0");
    g_string_append(g, b);
}

static void pa_box(GString *g, const char *key, const double mb[4], double d)
{
    g_string_append_printf(g, " %s [", key);
    const double v[4] = {mb[0] + d, mb[1] + d, mb[2] - d, mb[3] - d};
    for (int i = 0; i < 4; i++) {
        g_string_append_c(g, ' ');
        pa_num(g, v[i]);
    }
    g_string_append(g, " ]");
}

/* A MediaBox array in [v, ve): four numbers, normalised (llx lly urx ury). */
static int pa_media_box(const char *v, const char *ve, double mb[4])
{
    const char *p = pa_ws(v, ve);
    if (p >= ve || *p != '[')
        return -1;
    p++;
    for (int i = 0; i < 4; i++) {
        p = pa_ws(p, ve);
        char *end;
        mb[i] = g_ascii_strtod(p, &end);
        if (end == p || !isfinite(mb[i]) || fabs(mb[i]) > 14400 * 100)
            return -1;      /* (PDF's largest page is 14,400 units of up to 75,000 pt) */
        for (const char *q = p; q < end; q++)
            if (!g_ascii_isdigit(*q) && *q != '.' && *q != '-' && *q != '+')
                return -1;  /* a plain PDF number: no "nan", no exponent */
        p = end;
    }
    p = pa_ws(p, ve);
    if (p >= ve || *p != ']')
        return -1;
    for (int i = 0; i < 2; i++)
        if (mb[i] > mb[i + 2]) {
            double t = mb[i];
            mb[i] = mb[i + 2];
            mb[i + 2] = t;
        }
    return 0;
}

/* The pages below /Pages node num, in order; inherited is the MediaBox from
 * above (NULL when none).  0, PDFAPPEND_UNKNOWN, or PDFAPPEND_ERROR after an
 * error. */
static int pa_pages(Pa *a, long long num, const double *inherited, int depth,
                    const PdfPostOptions *o, const char *file, DiagList *dl)
{
    const char *d0, *d1, *ve;
    if (depth > PA_MAX_DEPTH || num <= 0 || num >= a->size || a->seen[num] ||
        pa_object_dict(a, num, &d0, &d1) != 0)
        return PDFAPPEND_UNKNOWN;   /* (a node met twice: a shared or cyclic tree) */
    a->seen[num] = 1;
    const char *t = pa_get(d0, d1, "/Type", &ve);
    int is_pages = t && ve - t == 6 && memcmp(t, "/Pages", 6) == 0;
    int is_page = t && ve - t == 5 && memcmp(t, "/Page", 5) == 0;
    if (!is_pages && !is_page)
        return PDFAPPEND_UNKNOWN;
    double mb[4];
    const double *box = inherited;
    const char *m = pa_get(d0, d1, "/MediaBox", &ve);
    if (m) {
        if (pa_media_box(m, ve, mb) != 0)
            return PDFAPPEND_UNKNOWN;
        box = mb;
    }
    if (is_pages) {
        const char *k = pa_get(d0, d1, "/Kids", &ve);
        if (!k || *k != '[')
            return PDFAPPEND_UNKNOWN;
        const char *p = k + 1;
        for (;;) {
            p = pa_ws(p, ve);
            if (p < ve && *p == ']')
                return 0;
            const char *re = pa_value(p, ve, 1);
            long long kid = re ? pa_ref(p, re) : -1;
            if (kid < 0)
                return PDFAPPEND_UNKNOWN;
            int rc = pa_pages(a, kid, box, depth + 1, o, file, dl);
            if (rc != 0)
                return rc;
            p = re;
        }
    }
    if (++a->pages > PA_MAX_PAGES || !box)
        return PDFAPPEND_UNKNOWN;
    if (pa_get(d0, d1, "/TrimBox", &ve) || pa_get(d0, d1, "/BleedBox", &ve))
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
    pa_box(add, "/TrimBox", box, inset);
    pa_box(add, "/BleedBox", box, marks);
    pa_rewrite(a, num, d0, d1, NULL, add->str + 1);
    g_string_free(add, TRUE);
    return 0;
}

/* A PDF text string: ASCII printable as a literal string (escaped), anything
 * else as UTF-16BE with its byte order mark, in hex. */
static void pa_text(GString *g, const char *utf8)
{
    int ascii = 1;
    for (const unsigned char *p = (const unsigned char *)utf8; *p && ascii; p++)
        ascii = *p >= 0x20 && *p < 0x7F;
    if (ascii) {
        g_string_append_c(g, '(');
        for (const char *p = utf8; *p; p++) {
            if (*p == '(' || *p == ')' || *p == '\\')
                g_string_append_c(g, '\\');
            g_string_append_c(g, *p);
        }
        g_string_append_c(g, ')');
        return;
    }
    glong n = 0;
    gunichar2 *u = g_utf8_to_utf16(utf8, -1, NULL, &n, NULL);
    g_string_append(g, "<FEFF");
    for (glong i = 0; u && i < n; i++)
        g_string_append_printf(g, "%04X", u[i]);
    g_string_append_c(g, '>');
    g_free(u);
}

/* The xref table (one or more subsections, classic syntax) at offset x and
 * the trailer after it: fills a->off and a->size, the root and Info numbers.
 * 0, or -1 when this is not the shape cairo writes. */
static int pa_read_xref(Pa *a, size_t x, long long *root, long long *info)
{
    const char *p = a->buf + x, *e = a->buf + a->len;
    if (e - p < 4 || memcmp(p, "xref", 4) != 0)
        return -1;
    p += 4;
    GArray *offs = g_array_new(FALSE, TRUE, sizeof(size_t));
    for (;;) {
        p = pa_ws(p, e);
        if (e - p >= 7 && memcmp(p, "trailer", 7) == 0)
            break;
        long long first, count;
        if (!(p = pa_int(p, e, &first)))
            goto bad;
        p = pa_ws(p, e);
        if (!(p = pa_int(p, e, &count)) || count < 0 || count > 10000000 || first > 10000000)
            goto bad;
        while (p < e && (*p == ' ' || *p == '\r' || *p == '\n'))
            p++;
        if ((size_t)(e - p) < (size_t)count * 20)
            goto bad;
        if ((long long)offs->len < first + count)
            g_array_set_size(offs, (guint)(first + count));
        for (long long i = 0; i < count; i++, p += 20) {
            long long o;
            if (!pa_int(p, p + 10, &o) || (p[17] != 'n' && p[17] != 'f'))
                goto bad;
            if (p[17] == 'n' && (size_t)o < a->len)
                g_array_index(offs, size_t, first + i) = (size_t)o;
        }
    }
    p = pa_ws(p + 7, e);
    const char *d1 = pa_value(p, e, 0);
    const char *ve;
    if (!d1 || p[0] != '<')
        goto bad;
    const char *s = pa_get(p, d1, "/Size", &ve), *r = pa_get(p, d1, "/Root", &ve);
    if (!s || !pa_int(s, d1, &a->size) || a->size < 1 || a->size > 10000000 ||
        a->size < (long long)offs->len || !r || (*root = pa_ref(r, ve)) <= 0 ||
        pa_get(p, d1, "/Prev", &ve) || pa_get(p, d1, "/Encrypt", &ve))
        goto bad;
    const char *i = pa_get(p, d1, "/Info", &ve);
    *info = i ? pa_ref(i, ve) : 0;
    if (i && *info <= 0)
        goto bad;
    if ((long long)offs->len < a->size)
        g_array_set_size(offs, (guint)a->size);
    a->off = (size_t *)g_array_free(offs, FALSE);
    return 0;
bad:
    g_array_free(offs, TRUE);
    return -1;
}

int pdfappend_run(const unsigned char *in, size_t len, const PdfPostOptions *o,
                  unsigned char **out, size_t *out_len, const char *file, DiagList *dl)
{
    *out = NULL;
    *out_len = 0;
    Pa a = {.buf = (const char *)in, .len = len};
    /* startxref N, near the end */
    size_t tail = len < 1024 ? len : 1024;
    const char *sx = NULL;
    for (const char *p = a.buf + len - tail; p + 9 <= a.buf + len; p++)
        if (memcmp(p, "startxref", 9) == 0)
            sx = p;
    long long xref, root = 0, info = 0;
    if (!sx || !pa_int(pa_ws(sx + 9, a.buf + len), a.buf + len, &xref) || (size_t)xref >= len ||
        pa_read_xref(&a, (size_t)xref, &root, &info) != 0)
        return PDFAPPEND_UNKNOWN;
    a.seen = g_malloc0((gsize)a.size);
    a.out = g_string_new("\n");
    a.changed = g_array_new(FALSE, FALSE, sizeof(long long));
    a.at = g_array_new(FALSE, FALSE, sizeof(size_t));
    int rc = PDFAPPEND_UNKNOWN;
    const char *c0, *c1, *ve;
    char date[64];
    if (pa_object_dict(&a, root, &c0, &c1) != 0)
        goto done;
    const char *pg = pa_get(c0, c1, "/Pages", &ve);
    long long pages = pg ? pa_ref(pg, ve) : -1;
    if (pages <= 0 || pa_get(c0, c1, "/Lang", &ve) || pa_get(c0, c1, "/ViewerPreferences", &ve))
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
        pa_text(add, o->lang);
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
        pa_text(add, o->producer);
    }
    const char *i0 = "<< >>", *i1 = i0 + 5;
    long long info_num = info;
    if (info > 0 && pa_object_dict(&a, info, &i0, &i1) != 0) {
        g_string_free(add, TRUE);
        goto done;
    }
    if (o->title && !pa_get(i0, i1, "/Title", &ve)) {
        g_string_append(add, " /Title ");
        pa_text(add, o->title);
    }
    long long size = a.size;
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
    /* a deterministic /ID: the digest of everything before the trailer */
    GChecksum *ck = g_checksum_new(G_CHECKSUM_MD5);
    g_checksum_update(ck, in, len);
    g_checksum_update(ck, (const guchar *)a.out->str, a.out->len);
    const char *id = g_checksum_get_string(ck);
    g_string_append_printf(a.out,
                           "trailer\n<< /Size %lld /Root %lld 0 R /Info %lld 0 R /Prev %lld "
                           "/ID [<%s><%s>] >>\nstartxref\n%zu\n%%%%EOF\n",
                           size, root, info_num, xref, id, id, xref_at);
    g_checksum_free(ck);
    *out_len = len + a.out->len;
    *out = xmalloc(*out_len);
    memcpy(*out, in, len);
    memcpy(*out + len, a.out->str, a.out->len);
    rc = 0;
done:
    g_string_free(a.out, TRUE);
    g_array_free(a.changed, TRUE);
    g_array_free(a.at, TRUE);
    g_free(a.off);
    g_free(a.seen);
    return rc;
}
