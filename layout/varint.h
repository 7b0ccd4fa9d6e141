/* varint.h — the numbers of the cache's binary files, written and read:
 * unsigned ones as LEB128 (seven bits a byte, low first), signed ones
 * zigzagged first, doubles as their eight bytes in the machine's order (a
 * cache is read where it was written).  A VarReader never reads past its
 * end: a number cut short or too long sets `bad` and reads as 0, and the
 * caller refuses the file.  Used by layout/paraio.c (set paragraphs) and
 * typeset/pdfcatindex.c (the index of a PDF). */
#ifndef TS_VARINT_H
#define TS_VARINT_H

#include <glib.h>
#include <string.h>

/* v at q, at most 10 bytes; returns the end. */
static inline guint8 *var_enc_u(guint8 *q, guint64 v)
{
    while (v >= 0x80) {
        *q++ = (guint8)(v | 0x80);
        v >>= 7;
    }
    *q++ = (guint8)v;
    return q;
}

static inline guint64 var_zigzag(gint64 v)
{
    return ((guint64)v << 1) ^ (guint64)(v >> 63);
}

typedef struct VarReader {
    const guint8 *p, *e;
    int bad;
} VarReader;

static inline guint64 var_get_u(VarReader *r)
{
    guint64 v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->e) {
            r->bad = 1;
            return 0;
        }
        guint8 c = *r->p++;
        v |= (guint64)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

static inline gint64 var_get_i(VarReader *r)
{
    guint64 u = var_get_u(r);
    return (gint64)(u >> 1) ^ -(gint64)(u & 1);
}

static inline double var_get_d(VarReader *r)
{
    double v = 0;
    if ((size_t)(r->e - r->p) < sizeof v) {
        r->bad = 1;
        return 0;
    }
    memcpy(&v, r->p, sizeof v);
    r->p += sizeof v;
    return v;
}

#endif
