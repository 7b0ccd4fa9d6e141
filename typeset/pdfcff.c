/* pdfcff.c — see pdfcff.h. */
#include "pdfcff.h"

#include <string.h>

/* A big-endian unsigned integer of n bytes at p. */
static unsigned be(const uint8_t *p, int n)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* An INDEX: count entries, entry i at data + offset[i] .. data + offset[i+1]
 * (offsets counted from 1, so data is the byte before the first entry). */
typedef struct CffIndex {
    unsigned count;
    int osize;
    size_t offs, data, end;     /* the offset array; data; just past the INDEX */
} CffIndex;

/* The INDEX at off of the CFF b[0..len).  0, or -1 when it does not fit. */
static int cff_index(const uint8_t *b, size_t len, size_t off, CffIndex *ix)
{
    memset(ix, 0, sizeof *ix);
    if (off > len || len - off < 2)
        return -1;
    ix->count = be(b + off, 2);
    if (ix->count == 0) {
        ix->end = off + 2;
        return 0;
    }
    if (len - off < 3)
        return -1;
    ix->osize = b[off + 2];
    ix->offs = off + 3;
    if (ix->osize < 1 || ix->osize > 4 ||
        (len - ix->offs) / (size_t)ix->osize < (size_t)ix->count + 1)
        return -1;
    ix->data = ix->offs + ((size_t)ix->count + 1) * (size_t)ix->osize - 1;
    ix->end = ix->data + be(b + ix->offs + (size_t)ix->count * (size_t)ix->osize, ix->osize);
    return ix->end <= len ? 0 : -1;
}

/* Entry i of ix: b[*s..*e).  0, or -1 when malformed. */
static int cff_entry(const uint8_t *b, const CffIndex *ix, unsigned i, size_t *s, size_t *e)
{
    if (i >= ix->count)
        return -1;
    *s = ix->data + be(b + ix->offs + (size_t)i * (size_t)ix->osize, ix->osize);
    *e = ix->data + be(b + ix->offs + ((size_t)i + 1) * (size_t)ix->osize, ix->osize);
    return *s > ix->data && *s <= *e && *e <= ix->end ? 0 : -1;
}

/* What the Top DICT says that we use: the charset and CharStrings offsets
 * (operators 15 and 17) and whether the font is CID-keyed (ROS, 12 30). */
typedef struct CffTop {
    long charset, charstrings;
    int ros;
} CffTop;

/* The operand of a DICT at b[*i..e) starting with byte v = b[*i] (not an
 * operator), with *i moved past it.  0, or -1 when malformed.  Reals count
 * as 0: none of the operators read here takes one. */
static int cff_operand(const uint8_t *b, size_t *i, size_t e, long *out)
{
    unsigned v = b[*i];
    size_t need = v == 28 ? 3 : v == 29 ? 5 : v >= 247 && v <= 254 ? 2 : 1;
    if (e - *i < need)
        return -1;
    const uint8_t *p = b + *i;
    *i += need;
    if (v >= 32 && v <= 246)
        *out = (long)v - 139;
    else if (v >= 247 && v <= 250)
        *out = ((long)v - 247) * 256 + p[1] + 108;
    else if (v >= 251 && v <= 254)
        *out = -((long)v - 251) * 256 - p[1] - 108;
    else if (v == 28)
        *out = (int16_t)be(p + 1, 2);
    else if (v == 29)
        *out = (int32_t)be(p + 1, 4);
    else if (v == 30) {
        while (*i < e && (b[*i] & 0x0F) != 0x0F && (b[*i] & 0xF0) != 0xF0)
            (*i)++;
        if (*i >= e)
            return -1;
        (*i)++;
        *out = 0;
    } else {
        return -1;              /* reserved */
    }
    return 0;
}

/* Reads the Top DICT at b[s..e).  0, or -1 when malformed. */
static int cff_top_dict(const uint8_t *b, size_t s, size_t e, CffTop *t)
{
    long arg[48];
    int n = 0;
    *t = (CffTop){.charset = 0, .charstrings = -1, .ros = 0};
    for (size_t i = s; i < e;) {
        unsigned v = b[i];
        if (v > 21) {
            if (n == (int)(sizeof arg / sizeof arg[0]) || cff_operand(b, &i, e, &arg[n]) != 0)
                return -1;
            n++;
            continue;
        }
        unsigned op = v;
        if (v == 12) {
            if (e - i < 2)
                return -1;
            op = 1200 + b[i + 1];
            i++;
        }
        i++;
        if (op == 15 && n >= 1)
            t->charset = arg[n - 1];
        else if (op == 17 && n >= 1)
            t->charstrings = arg[n - 1];
        else if (op == 1230)
            t->ros = 1;
        n = 0;
    }
    return 0;
}

/* The Top DICT of the CFF b[0..len) (the first: a CFF in an OpenType file
 * holds one font).  0, or -1 when malformed. */
static int cff_top(const uint8_t *b, size_t len, CffTop *t)
{
    CffIndex names, tops;
    size_t s, e;
    if (len < 4 || b[0] != 1 || cff_index(b, len, b[2], &names) != 0 ||
        cff_index(b, len, names.end, &tops) != 0 || cff_entry(b, &tops, 0, &s, &e) != 0)
        return -1;
    return cff_top_dict(b, s, e, t);
}

int pdfcff_cids(const uint8_t *b, size_t len, unsigned n, uint16_t *cid)
{
    CffTop t;
    CffIndex cs;
    if (cff_top(b, len, &t) != 0 || !t.ros || t.charset <= 2 || (size_t)t.charset >= len ||
        t.charstrings <= 0 || cff_index(b, len, (size_t)t.charstrings, &cs) != 0 ||
        cs.count != n || n == 0)
        return -1;
    int fmt = b[t.charset];
    size_t p = (size_t)t.charset + 1;
    unsigned g = 1;
    cid[0] = 0;
    if (fmt == 0) {
        for (; g < n; g++, p += 2) {
            if (len - p < 2)
                return -1;
            cid[g] = (uint16_t)be(b + p, 2);
        }
        return 0;
    }
    if (fmt != 1 && fmt != 2)
        return -1;
    size_t range = fmt == 1 ? 3 : 4;
    while (g < n) {
        if (len - p < range)
            return -1;
        unsigned first = be(b + p, 2), left = be(b + p + 2, fmt == 1 ? 1 : 2);
        p += range;
        for (unsigned j = 0; j <= left && g < n; j++, g++) {
            if (first + j > 0xFFFF)
                return -1;
            cid[g] = (uint16_t)(first + j);
        }
    }
    return 0;
}

int pdfcff_cid_keyed(const uint8_t *b, size_t len)
{
    CffTop t;
    if (cff_top(b, len, &t) != 0)
        return -1;
    return t.ros;
}
