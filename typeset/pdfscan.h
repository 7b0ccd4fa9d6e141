/* pdfscan.h — reading PDF bytes of the shape Cairo 1.16 writes, and the
 * incremental updates pdfappend.h appends to it: white space, values,
 * classic xref tables chained by /Prev, objects and dictionary entries; and
 * the few values its callers write (rectangles, text strings).
 * Nothing is decoded or copied: every answer is a span of the caller's bytes,
 * which must outlive what points into them.  Strict: what it does not know
 * it answers with NULL or -1, and its callers (pdfappend.c, pdfcat.c) then
 * leave the file to qpdf.  Keeps no state. */
#ifndef TS_PDFSCAN_H
#define TS_PDFSCAN_H

#include <glib.h>
#include <stddef.h>

/* Nesting of arrays and dictionaries in one value, at most. */
#define PS_MAX_DEPTH 32

/* The characters' classes of PDF's syntax (7.2.2): whitespace (NUL
 * included), delimiters, digits. */
enum { PS_SPACE = 1, PS_DELIM = 2, PS_DIGIT = 4 };
extern const unsigned char ps_class[256];
static inline int ps_is(char c, int classes)
{
    return ps_class[(unsigned char)c] & classes;
}

/* Past white space and comments. */
const char *ps_ws(const char *p, const char *e);
/* A non-negative integer at p (digits only): past it, or NULL. */
const char *ps_int(const char *p, const char *e, long long *v);
/* Past one value starting at p (white space before it skipped), or NULL when
 * what is there is not a value this reader knows. */
const char *ps_value(const char *p, const char *e, int depth);
/* The value of key ("/Pages") in the dictionary [d0, d1) (white space before
 * it skipped, its end in *vend), or NULL when absent. */
const char *ps_get(const char *d0, const char *d1, const char *key, const char **vend);
/* A dictionary's entries found in one pass, for a caller that asks it for
 * several keys (a page: its type, four inherited attributes twice, its
 * annotations; each ps_get walks the dictionary from its start).  Answers
 * as ps_get does, which it falls back on past its first PS_INDEX_MAX
 * entries. */
#define PS_INDEX_MAX 24
typedef struct PsIndex {
    const char *d0, *d1;
    int n;
    int whole;                  /* every entry is in kv: a key not there is absent */
    struct {
        const char *k, *v, *ve; /* the key (with its /), the value's span */
    } kv[PS_INDEX_MAX];
} PsIndex;
void ps_index(const char *d0, const char *d1, PsIndex *ix);
const char *ps_index_get(const PsIndex *ix, const char *key, const char **vend);

/* The items of the array [v, ve), one a call: *at is NULL on the first
 * call, and the next item is [*i0, *i1).  1 for an item, 0 after the last,
 * -1 when [v, ve) is not an array or an item is not a value. */
int ps_array_next(const char *v, const char *ve, const char **at, const char **i0,
                  const char **i1);
/* The object number of the reference "n 0 R" in [v, ve), or -1. */
long long ps_ref(const char *v, const char *ve);
/* 1 when [v, ve) is the name object name ("/Page"). */
int ps_is_name(const char *v, const char *ve, const char *name);
/* The bytes of the string object (literal or hex) at [v, ve), decoded into
 * a new buffer (NUL-terminated, length in *len); NULL when it is none. */
char *ps_string(const char *v, const char *ve, size_t *len);

/* A rectangle array in [v, ve) (a MediaBox): four plain numbers,
 * normalised to llx lly urx ury.  0 or -1. */
int ps_media_box(const char *v, const char *ve, double mb[4]);

/* One PDF's cross-reference: where each object starts. */
typedef struct PsDoc {
    const char *buf;
    size_t len;
    size_t *off;                /* by object number: offset of "n 0 obj", 0 = free or absent */
    long long size;             /* the newest trailer's /Size */
    long long root, info;       /* the catalog's and Info's numbers (info 0: none) */
    size_t xref;                /* offset of the newest xref section */
    int sections;               /* xref sections read: 1 = no incremental update */
} PsDoc;

/* Reads the xref sections from the last startxref back along /Prev (the
 * newest entry for an object wins).  0, or -1 when the file is not in the
 * known shape (xref streams, encryption, a broken table); d needs
 * ps_doc_fini either way. */
int ps_doc_read(PsDoc *d, const unsigned char *buf, size_t len);
void ps_doc_fini(PsDoc *d);
/* Object num's value [*v0, *v1) and, when it is a stream, its data
 * [*s0, *s0 + *slen) (*s0 NULL when not); *end is just past its "endobj".
 * 0, or -1 when it is absent or not in the known shape. */
int ps_object(const PsDoc *d, long long num, const char **v0, const char **v1, const char **s0,
              size_t *slen, const char **end);
/* Object num's dictionary (not a stream): [*d0, *d1).  0 or -1. */
int ps_dict(const PsDoc *d, long long num, const char **d0, const char **d1);

/* Writing.  " KEY [ ... ]": the rectangle mb inset by d on every side, its
 * numbers with at most 4 decimals (as the post-pass writes /TrimBox). */
void ps_box(GString *g, const char *key, const double mb[4], double d);
/* A PDF text string: printable ASCII as a literal string, anything else as
 * UTF-16BE with its byte order mark, in hex. */
void ps_text(GString *g, const char *utf8);

#endif
