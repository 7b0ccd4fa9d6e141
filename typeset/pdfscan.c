/* pdfscan.c — see pdfscan.h.  Values are skipped by a small tokenizer
 * (strings with nested parentheses and escapes, hex strings, names, numbers,
 * references, arrays, dictionaries, comments), depth-limited. */
#include "pdfscan.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* xref sections followed along /Prev, at most. */
#define PS_MAX_SECTIONS 64
/* Object numbers, at most (a /Size beyond is refused). */
#define PS_MAX_OBJECTS 10000000

/* The characters' classes (PDF 32000, 7.2.2): one table look-up instead of
 * a chain of comparisons for each byte scanned, the inner loop of reading
 * and merging the article PDFs. */
const unsigned char ps_class[256] = {
    ['\0'] = PS_SPACE, ['\t'] = PS_SPACE, ['\n'] = PS_SPACE, ['\f'] = PS_SPACE,
    ['\r'] = PS_SPACE, [' '] = PS_SPACE,
    ['('] = PS_DELIM, [')'] = PS_DELIM, ['<'] = PS_DELIM, ['>'] = PS_DELIM, ['['] = PS_DELIM,
    [']'] = PS_DELIM, ['{'] = PS_DELIM, ['}'] = PS_DELIM, ['/'] = PS_DELIM, ['%'] = PS_DELIM,
    ['0'] = PS_DIGIT, ['1'] = PS_DIGIT, ['2'] = PS_DIGIT, ['3'] = PS_DIGIT, ['4'] = PS_DIGIT,
    ['5'] = PS_DIGIT, ['6'] = PS_DIGIT, ['7'] = PS_DIGIT, ['8'] = PS_DIGIT, ['9'] = PS_DIGIT,
};

static int ps_delim(char c)
{
    return ps_is(c, PS_DELIM);
}

static int ps_space(char c)
{
    return ps_is(c, PS_SPACE);
}

/* ps_ws, inline in this file's loops */
static inline const char *ws(const char *p, const char *e)
{
    while (p < e) {
        if (ps_space(*p)) {
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

const char *ps_ws(const char *p, const char *e)
{
    return ws(p, e);
}

/* ps_int, inline in this file's loops */
static inline const char *int_at(const char *p, const char *e, long long *v)
{
    const char *s = p;
    long long n = 0;
    while (p < e && ps_is(*p, PS_DIGIT) && p - s < 18)
        n = n * 10 + (*p++ - '0');
    if (p == s || (p < e && ps_is(*p, PS_DIGIT)))
        return NULL;
    *v = n;
    return p;
}

const char *ps_int(const char *p, const char *e, long long *v)
{
    return int_at(p, e, v);
}

const char *ps_value(const char *p, const char *e, int depth)
{
    p = ws(p, e);
    if (p >= e || depth > PS_MAX_DEPTH)
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
            p = ws(p, e);
            if (p + 1 < e && p[0] == '>' && p[1] == '>')
                return p + 2;
            if (p >= e || *p != '/')
                return NULL;
            if (!(p = ps_value(p, e, depth + 1)) || !(p = ps_value(p, e, depth + 1)))
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
            p = ws(p, e);
            if (p < e && *p == ']')
                return p + 1;
            if (!(p = ps_value(p, e, depth + 1)))
                return NULL;
        }
    }
    if (*p == '/') {
        p++;
        while (p < e && !ps_is(*p, PS_SPACE | PS_DELIM))
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
        const char *q = int_at(s, e, &a);
        if (q == p) {
            const char *r = ws(q, e);
            const char *t = r < e ? int_at(r, e, &b) : NULL;
            if (t && t > r) {
                t = ws(t, e);
                if (t < e && *t == 'R' && (t + 1 >= e || ps_space(t[1]) || ps_delim(t[1])))
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

const char *ps_get(const char *d0, const char *d1, const char *key, const char **vend)
{
    size_t kl = strlen(key);
    const char *p = d0 + 2;
    for (;;) {
        p = ws(p, d1);
        if (p >= d1 || *p != '/')
            return NULL;
        const char *k = p;
        const char *v = ps_value(p, d1, 1);     /* the key is a name */
        if (!v)
            return NULL;
        const char *ve = ps_value(v, d1, 1);
        if (!ve)
            return NULL;
        if ((size_t)(v - k) == kl && memcmp(k, key, kl) == 0) {
            *vend = ve;
            return ws(v, d1);
        }
        p = ve;
    }
}

/* ps_get's walk, once: the entries until the end, the first that is not
 * one (ps_get answers NULL for any key past it, and so does this), or the
 * index is full. */
void ps_index(const char *d0, const char *d1, PsIndex *ix)
{
    ix->d0 = d0;
    ix->d1 = d1;
    ix->n = 0;
    ix->whole = 1;
    const char *p = d0 + 2;
    for (;;) {
        p = ws(p, d1);
        if (p >= d1 || *p != '/')
            return;
        const char *k = p;
        const char *v = ps_value(p, d1, 1);
        if (!v)
            return;
        const char *ve = ps_value(v, d1, 1);
        if (!ve)
            return;
        if (ix->n == PS_INDEX_MAX) {
            ix->whole = 0;      /* the rest by ps_get */
            return;
        }
        ix->kv[ix->n].k = k;
        ix->kv[ix->n].v = v;
        ix->kv[ix->n].ve = ve;
        ix->n++;
        p = ve;
    }
}

const char *ps_index_get(const PsIndex *ix, const char *key, const char **vend)
{
    size_t kl = strlen(key);
    for (int i = 0; i < ix->n; i++)
        if ((size_t)(ix->kv[i].v - ix->kv[i].k) == kl && memcmp(ix->kv[i].k, key, kl) == 0) {
            *vend = ix->kv[i].ve;
            return ws(ix->kv[i].v, ix->d1);
        }
    return ix->whole ? NULL : ps_get(ix->d0, ix->d1, key, vend);
}

int ps_array_next(const char *v, const char *ve, const char **at, const char **i0,
                  const char **i1)
{
    const char *p = *at;
    if (!p) {
        p = ws(v, ve);
        if (p >= ve || *p != '[')
            return -1;
        p++;
    }
    p = ws(p, ve);
    if (p < ve && *p == ']')
        return 0;
    const char *q = ps_value(p, ve, 1);
    if (!q)
        return -1;
    *i0 = p;
    *i1 = *at = q;
    return 1;
}

long long ps_ref(const char *v, const char *ve)
{
    long long n, g;
    const char *p = int_at(ws(v, ve), ve, &n);
    if (!p)
        return -1;
    p = ws(p, ve);
    if (!(p = int_at(p, ve, &g)) || g != 0)
        return -1;
    p = ws(p, ve);
    return p < ve && *p == 'R' ? n : -1;
}

int ps_is_name(const char *v, const char *ve, const char *name)
{
    size_t n = strlen(name);
    return v && (size_t)(ve - v) == n && memcmp(v, name, n) == 0;
}

static int ps_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *ps_string(const char *v, const char *ve, size_t *len)
{
    v = ws(v, ve);
    if (v >= ve || (*v != '(' && *v != '<') || (*v == '<' && v + 1 < ve && v[1] == '<'))
        return NULL;
    GString *g = g_string_sized_new((gsize)(ve - v));
    if (*v == '<') {
        int hi = -1;
        for (const char *p = v + 1; p < ve && *p != '>'; p++) {
            int h = ps_hex(*p);
            if (h < 0)
                continue;       /* white space */
            if (hi < 0) {
                hi = h;
            } else {
                g_string_append_c(g, (char)(hi << 4 | h));
                hi = -1;
            }
        }
        if (hi >= 0)
            g_string_append_c(g, (char)(hi << 4));
    } else {
        int nest = 0;
        for (const char *p = v; p < ve; p++) {
            char c = *p;
            if (c == '(' && nest++ == 0)
                continue;
            if (c == ')' && --nest == 0)
                break;
            if (c == '\r') {    /* an end of line in a string is a line feed */
                if (p + 1 < ve && p[1] == '\n')
                    p++;
                c = '\n';
            } else if (c == '\\' && p + 1 < ve) {
                c = *++p;
                switch (c) {
                case 'n': c = '\n'; break;
                case 'r': c = '\r'; break;
                case 't': c = '\t'; break;
                case 'b': c = '\b'; break;
                case 'f': c = '\f'; break;
                case '\r':     /* a line continuation */
                    if (p + 1 < ve && p[1] == '\n')
                        p++;
                    continue;
                case '\n':
                    continue;
                default:
                    if (c >= '0' && c <= '7') {
                        int o = 0;
                        for (int i = 0; i < 3 && p < ve && *p >= '0' && *p <= '7'; i++)
                            o = o * 8 + (*p++ - '0');
                        p--;
                        c = (char)o;
                    }           /* else the character itself: ( ) \ and any other */
                }
            }
            g_string_append_c(g, c);
        }
    }
    *len = g->len;
    return g_string_free(g, FALSE);
}

/* One classic xref section at offset x and its trailer, entries not yet set
 * in d->off taken; *prev is the trailer's /Prev (-1 when none).  0 or -1. */
static int ps_section(PsDoc *d, size_t x, unsigned char *set, long long *prev)
{
    const char *p = d->buf + x, *e = d->buf + d->len;
    if (e - p < 4 || memcmp(p, "xref", 4) != 0)
        return -1;
    p += 4;
    for (;;) {
        p = ws(p, e);
        if (e - p >= 7 && memcmp(p, "trailer", 7) == 0)
            break;
        long long first, count;
        if (!(p = int_at(p, e, &first)))
            return -1;
        p = ws(p, e);
        if (!(p = int_at(p, e, &count)) || count < 0 || count > PS_MAX_OBJECTS ||
            first > PS_MAX_OBJECTS || first + count > d->size)
            return -1;
        while (p < e && (*p == ' ' || *p == '\r' || *p == '\n'))
            p++;
        if ((size_t)(e - p) < (size_t)count * 20)
            return -1;
        for (long long i = 0; i < count; i++, p += 20) {
            long long o, g;
            if (int_at(p, p + 10, &o) != p + 10 || p[10] != ' ' || int_at(p + 11, p + 16, &g) != p + 16 ||
                p[16] != ' ' || (p[17] != 'n' && p[17] != 'f'))
                return -1;      /* "nnnnnnnnnn ggggg n" and two bytes of end of line */
            if (set[first + i])
                continue;       /* a newer section said */
            set[first + i] = 1;
            if (p[17] == 'n' && (size_t)o < d->len)
                d->off[first + i] = (size_t)o;
        }
    }
    p = ws(p + 7, e);
    const char *d1 = ps_value(p, e, 0);
    const char *ve;
    /* /XRefStm: a hybrid file, whose objects in object streams the table does
     * not list (they would read as absent, their references as null) */
    if (!d1 || p[0] != '<' || ps_get(p, d1, "/Encrypt", &ve) || ps_get(p, d1, "/XRefStm", &ve))
        return -1;
    const char *pv = ps_get(p, d1, "/Prev", &ve);
    *prev = -1;
    if (pv && (!int_at(pv, ve, prev) || (size_t)*prev >= d->len))
        return -1;
    return 0;
}

int ps_doc_read(PsDoc *d, const unsigned char *buf, size_t len)
{
    memset(d, 0, sizeof *d);
    d->buf = (const char *)buf;
    d->len = len;
    /* startxref N, near the end */
    size_t tail = len < 1024 ? len : 1024;
    const char *sx = NULL, *e = d->buf + len;
    for (const char *p = e - tail; p + 9 <= e; p++)
        if (memcmp(p, "startxref", 9) == 0)
            sx = p;
    long long x;
    if (!sx || !int_at(ws(sx + 9, e), e, &x) || (size_t)x >= len)
        return -1;
    d->xref = (size_t)x;
    /* the newest trailer: /Size, /Root, /Info */
    const char *t = memmem(d->buf + x, len - (size_t)x, "trailer", 7);
    if (!t)
        return -1;
    const char *t0 = ws(t + 7, e), *t1 = ps_value(t0, e, 0), *ve;
    if (!t1 || *t0 != '<')
        return -1;
    const char *s = ps_get(t0, t1, "/Size", &ve), *r = ps_get(t0, t1, "/Root", &ve);
    if (!s || !int_at(s, t1, &d->size) || d->size < 1 || d->size > PS_MAX_OBJECTS || !r ||
        (d->root = ps_ref(r, ve)) <= 0 || d->root >= d->size)
        return -1;
    const char *i = ps_get(t0, t1, "/Info", &ve);
    d->info = i ? ps_ref(i, ve) : 0;
    if (i && (d->info <= 0 || d->info >= d->size))
        return -1;
    d->off = g_new0(size_t, (gsize)d->size);
    unsigned char *set = g_malloc0((gsize)d->size);
    int rc = 0;
    for (long long at = x; at >= 0 && rc == 0; d->sections++) {
        if (d->sections == PS_MAX_SECTIONS)
            rc = -1;
        else
            rc = ps_section(d, (size_t)at, set, &at);
    }
    g_free(set);
    return rc;
}

void ps_doc_fini(PsDoc *d)
{
    g_free(d->off);
    d->off = NULL;
}

/* ps_object; nested: num is a stream's indirect /Length, which must be a
 * plain integer object.  A stream there is refused before its own /Length is
 * looked at: two streams whose /Length name each other (or a long chain of
 * them) would otherwise recurse without end. */
static int ps_object_at(const PsDoc *d, long long num, const char **v0, const char **v1,
                        const char **s0, size_t *slen, const char **end, int nested)
{
    if (num <= 0 || num >= d->size || !d->off[num])
        return -1;
    const char *p = d->buf + d->off[num], *e = d->buf + d->len;
    long long n, g;
    if (!(p = int_at(p, e, &n)) || n != num)
        return -1;
    p = ws(p, e);
    if (!(p = int_at(p, e, &g)) || g != 0)
        return -1;
    p = ws(p, e);
    if (e - p < 3 || memcmp(p, "obj", 3) != 0)
        return -1;
    p = ws(p + 3, e);
    const char *ve = ps_value(p, e, 0);
    if (!ve)
        return -1;
    *v0 = p;
    *v1 = ve;
    *s0 = NULL;
    *slen = 0;
    const char *q = ws(ve, e);
    if (e - q >= 6 && memcmp(q, "stream", 6) == 0) {
        if (nested)
            return -1;
        /* data after "stream" and its end of line, /Length bytes long */
        const char *lv, *le;
        long long sl = -1;
        if (*p != '<' || !(lv = ps_get(p, ve, "/Length", &le)))
            return -1;
        long long lref = ps_ref(lv, le);
        if (lref > 0) {
            const char *l0, *l1, *ls;
            size_t ll;
            const char *lend;
            if (lref == num || ps_object_at(d, lref, &l0, &l1, &ls, &ll, &lend, 1) != 0 || ls ||
                int_at(l0, l1, &sl) != l1)
                return -1;
        } else if (int_at(lv, le, &sl) != le) {
            return -1;
        }
        q += 6;
        if (q < e && *q == '\r')
            q++;
        if (q >= e || *q != '\n')
            return -1;
        q++;
        if (sl < 0 || sl > e - q)
            return -1;
        *s0 = q;
        *slen = (size_t)sl;
        q = ws(q + sl, e);
        if (e - q < 9 || memcmp(q, "endstream", 9) != 0)
            return -1;
        q = ws(q + 9, e);
    }
    if (e - q < 6 || memcmp(q, "endobj", 6) != 0)
        return -1;
    *end = q + 6;
    return 0;
}

int ps_object(const PsDoc *d, long long num, const char **v0, const char **v1, const char **s0,
              size_t *slen, const char **end)
{
    return ps_object_at(d, num, v0, v1, s0, slen, end, 0);
}

int ps_dict(const PsDoc *d, long long num, const char **d0, const char **d1)
{
    const char *s, *end;
    size_t sl;
    if (ps_object(d, num, d0, d1, &s, &sl, &end) != 0 || s || **d0 != '<' || (*d0)[1] != '<')
        return -1;
    return 0;
}

/* ---- writing ---------------------------------------------------------------------*/

/* A number as the post-pass writes box coordinates: at most 4 decimals, no
 * trailing zeros. */
static void ps_num(GString *g, double v)
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

void ps_box(GString *g, const char *key, const double mb[4], double d)
{
    g_string_append_printf(g, " %s [", key);
    const double v[4] = {mb[0] + d, mb[1] + d, mb[2] - d, mb[3] - d};
    for (int i = 0; i < 4; i++) {
        g_string_append_c(g, ' ');
        ps_num(g, v[i]);
    }
    g_string_append(g, " ]");
}

/* A MediaBox array in [v, ve): four numbers, normalised (llx lly urx ury). */
int ps_media_box(const char *v, const char *ve, double mb[4])
{
    const char *p = ws(v, ve);
    if (p >= ve || *p != '[')
        return -1;
    p++;
    for (int i = 0; i < 4; i++) {
        p = ws(p, ve);
        char *end;
        mb[i] = g_ascii_strtod(p, &end);
        if (end == p || !isfinite(mb[i]) || fabs(mb[i]) > 14400 * 100)
            return -1;      /* (PDF's largest page is 14,400 units of up to 75,000 pt) */
        for (const char *q = p; q < end; q++)
            if (!g_ascii_isdigit(*q) && *q != '.' && *q != '-' && *q != '+')
                return -1;  /* a plain PDF number: no "nan", no exponent */
        p = end;
    }
    p = ws(p, ve);
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

/* A PDF text string: ASCII printable as a literal string (escaped), anything
 * else as UTF-16BE with its byte order mark, in hex. */
void ps_text(GString *g, const char *utf8)
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

