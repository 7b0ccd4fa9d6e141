/* pdfw.c — see pdfw.h. */
#include "pdfw.h"

#include <math.h>
#include <string.h>
#include <libdeflate.h>

#include "digest.h"
#include "pdfscan.h"

void pdfw_init(PdfW *w)
{
    w->out = g_string_sized_new(1 << 16);
    w->off = g_array_new(FALSE, TRUE, sizeof(size_t));
    size_t zero = 0;
    g_array_append_val(w->off, zero);   /* object 0: the head of the free list */
    w->open = 0;
    w->z[0] = w->z[1] = NULL;
    g_string_append(w->out, "%PDF-1.5\n%\xe2\xe3\xcf\xd3\n");
}

void pdfw_fini(PdfW *w)
{
    for (int k = 0; k < 2; k++) {
        libdeflate_free_compressor(w->z[k]);
        w->z[k] = NULL;
    }
    if (w->out)
        g_string_free(w->out, TRUE);
    if (w->off)
        g_array_free(w->off, TRUE);
    w->out = NULL;
    w->off = NULL;
}

int pdfw_reserve(PdfW *w)
{
    size_t zero = 0;
    g_array_append_val(w->off, zero);
    return (int)w->off->len - 1;
}

GString *pdfw_begin(PdfW *w, int num)
{
    g_assert(num > 0 && (guint)num < w->off->len && !w->open);
    g_array_index(w->off, size_t, num) = w->out->len;
    w->open = num;
    pdfw_int(w->out, num);
    g_string_append(w->out, " 0 obj\n");
    return w->out;
}

void pdfw_end(PdfW *w)
{
    g_string_append(w->out, "\nendobj\n");
    w->open = 0;
}

int pdfw_stream(PdfW *w, int num, const char *dict_extra, const void *data, size_t len,
                int level)
{
    int deflate = level != PDFW_RAW;
    unsigned char *z = NULL;
    if (deflate) {
        int k = level == PDFW_FAST ? 0 : 1;
        if (!w->z[k] && !(w->z[k] = libdeflate_alloc_compressor(level)))
            return -1;
        size_t bound = libdeflate_zlib_compress_bound(w->z[k], len);
        z = g_malloc(bound);
        size_t zlen = libdeflate_zlib_compress(w->z[k], data, len, z, bound);
        if (zlen == 0) {
            g_free(z);
            return -1;
        }
        data = z;
        len = zlen;
    }
    GString *g = pdfw_begin(w, num);
    g_string_append(g, "<<");
    if (dict_extra && *dict_extra) {
        g_string_append_c(g, ' ');
        g_string_append(g, dict_extra);
    }
    if (deflate)
        g_string_append(g, " /Filter /FlateDecode");
    g_string_append(g, " /Length ");
    pdfw_int(g, (long long)len);
    g_string_append(g, " >>\nstream\n");
    g_string_append_len(g, data, (gssize)len);
    g_string_append(g, "\nendstream");
    pdfw_end(w);
    g_free(z);
    return 0;
}

unsigned char *pdfw_finish(PdfW *w, int root, int info, int id, size_t *len)
{
    size_t xref = w->out->len;
    guint n = w->off->len;
    g_string_append(w->out, "xref\n0 ");
    pdfw_int(w->out, n);
    g_string_append(w->out, "\n0000000000 65535 f \n");
    for (guint i = 1; i < n; i++) {
        size_t o = g_array_index(w->off, size_t, i);
        g_assert(o > 0);
        char e[21];
        for (int k = 9; k >= 0; k--, o /= 10)
            e[k] = (char)('0' + o % 10);
        memcpy(e + 10, " 00000 n \n", 10);
        g_string_append_len(w->out, e, 20);
    }
    size_t trailer_at = w->out->len;
    g_string_append(w->out, "trailer\n<< /Size ");
    pdfw_int(w->out, n);
    g_string_append(w->out, " /Root ");
    pdfw_ref(w->out, root);
    if (info > 0) {
        g_string_append(w->out, " /Info ");
        pdfw_ref(w->out, info);
    }
    if (id) {       /* the XXH3-128 of all before the trailer (digest.h) */
        char hex[DIGEST_ID_HEX];
        digest_id_hex(w->out->str, trailer_at, hex);
        g_string_append_printf(w->out, " /ID [<%s><%s>]", hex, hex);
    }
    g_string_append(w->out, " >>\nstartxref\n");
    pdfw_int(w->out, (long long)xref);
    g_string_append(w->out, "\n%%EOF\n");
    *len = w->out->len;
    unsigned char *r = (unsigned char *)g_string_free(w->out, FALSE);
    w->out = NULL;
    return r;
}

void pdfw_int(GString *g, long long v)
{
    char b[24];
    int i = sizeof b;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        b[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        b[--i] = '-';
    pdfw_put(g, b + i, sizeof b - (size_t)i);
}

void pdfw_num(GString *g, double v, int decimals)
{
    static const double scale[] = {1, 10, 100, 1000, 1e4, 1e5, 1e6};
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    if (!isfinite(v) || fabs(v) > 1e12)
        v = 0;          /* never reached by sane input; a PDF number either way */
    long long q = llround(v * scale[decimals]);
    if (q == 0) {
        pdfw_putc(g, '0');
        return;
    }
    while (decimals > 0 && q % 10 == 0) {
        q /= 10;
        decimals--;
    }
    char b[32];
    int i = sizeof b;
    unsigned long long u = q < 0 ? 0ULL - (unsigned long long)q : (unsigned long long)q;
    for (int k = 0; k < decimals; k++) {
        b[--i] = (char)('0' + u % 10);
        u /= 10;
    }
    if (decimals > 0)
        b[--i] = '.';
    do {
        b[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (q < 0)
        b[--i] = '-';
    pdfw_put(g, b + i, sizeof b - (size_t)i);
}

void pdfw_ref(GString *g, int num)
{
    pdfw_int(g, num);
    g_string_append(g, " 0 R");
}

void pdfw_name(GString *g, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    g_string_append_c(g, '/');
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < '!' || *p > '~' || strchr("#()<>[]{}/%", *p)) {
            g_string_append_c(g, '#');
            g_string_append_c(g, hex[*p >> 4]);
            g_string_append_c(g, hex[*p & 15]);
        } else {
            g_string_append_c(g, (char)*p);
        }
    }
}

void pdfw_text(GString *g, const char *utf8)
{
    ps_text(g, utf8);
}

void pdfw_bytes(GString *g, const char *s, size_t len)
{
    g_string_append_c(g, '(');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '(' || c == ')' || c == '\\') {
            g_string_append_c(g, '\\');
            g_string_append_c(g, (char)c);
        } else if (c < 0x20 || c >= 0x7F) {
            char o[5] = {'\\', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
                         (char)('0' + (c & 7)), 0};
            g_string_append_len(g, o, 4);
        } else {
            g_string_append_c(g, (char)c);
        }
    }
    g_string_append_c(g, ')');
}
