/* pdfw.h — writing a PDF file into memory, object by object: the header,
 * numbered objects in any order (numbers reserved ahead for forward
 * references), streams (deflated on request), the classic xref table and
 * the trailer; and the number, name and string syntax the writers share.
 * The shape written is the one pdfscan.h reads (one xref section, plain
 * objects), so the post-pass (pdfappend.h) and the issue merge (pdfcat.h)
 * take it as they take Cairo's.  Keeps no state outside the PdfW. */
#ifndef TS_PDFW_H
#define TS_PDFW_H

#include <glib.h>
#include <stddef.h>
#include <string.h>

typedef struct PdfW {
    GString *out;               /* the file so far */
    GArray *off;                /* (size_t) offset of each object by number, 0 = not yet */
    int open;                   /* the object begun and not ended, or 0 */
    struct libdeflate_compressor *z[2];     /* PDFW_FAST's and PDFW_SMALL's, made on first use */
} PdfW;

/* Starts a file: "%PDF-1.5" and a binary comment line. */
void pdfw_init(PdfW *w);
void pdfw_fini(PdfW *w);

/* A new object number, not yet written. */
int pdfw_reserve(PdfW *w);
/* Writes "num 0 obj\n" (num from pdfw_reserve; each written once) and
 * returns the buffer to append the object's value to; pdfw_end closes it. */
GString *pdfw_begin(PdfW *w, int num);
void pdfw_end(PdfW *w);
/* How pdfw_stream deflates (with libdeflate, whose level 1 is twice as
 * fast as zlib's and packs a little tighter): not at all; fast (level 1:
 * page content and fonts, written afresh by every build, where zlib's
 * level 6 took a fifth of an issue's build to save 6 % of the file); small
 * (level 6, for what is written once and kept). */
enum { PDFW_RAW = 0, PDFW_FAST = 1, PDFW_SMALL = 6 };

/* Writes object num as a stream of data[0..len): dict_extra (keys and
 * values, without "<<" ">>", may be NULL) and /Length, deflated (/Filter
 * /FlateDecode) at zlib level `level` unless it is PDFW_RAW.  0, or -1 when
 * zlib fails. */
int pdfw_stream(PdfW *w, int num, const char *dict_extra, const void *data, size_t len,
                int level);

/* The xref table and the trailer (/Size, /Root, /Info when info > 0; with
 * id, an /ID made deterministically from the bytes before the trailer, as
 * the post-pass makes it; without, the post-pass gives the file one), then
 * hands over the file: *len bytes, g_free'd by the caller.  Every reserved
 * number must have been written. */
unsigned char *pdfw_finish(PdfW *w, int root, int info, int id, size_t *len);

/* Appends b[0..n) (pdfw_puts: a string, pdfw_putc: a byte) to g as
 * g_string_append_len does, without its call through g_string_insert_len:
 * a page's content stream is written a few bytes at a time, 700,000 appends
 * for the benchmark issue.  b must not point into g (a growth moves it). */
static inline void pdfw_put(GString *g, const char *b, size_t n)
{
    if (g->len + n + 1 > g->allocated_len) {
        size_t len = g->len;
        g_string_set_size(g, len + n + 1);     /* grows the buffer (doubling) */
        g->len = len;
    }
    memcpy(g->str + g->len, b, n);
    g->len += n;
    g->str[g->len] = '\0';
}

static inline void pdfw_puts(GString *g, const char *s)
{
    pdfw_put(g, s, strlen(s));
}

static inline void pdfw_putc(GString *g, char c)
{
    pdfw_put(g, &c, 1);
}

/* Syntax.  A number with at most `decimals` decimals (0..6), no trailing
 * zeros, "-0" written "0"; an integer; a reference "n 0 R"; a name ("/" and
 * the bytes, delimiters and bytes outside '!'..'~' as #xx); a text string
 * (ps_text of pdfscan.h: ASCII literal or UTF-16BE hex with BOM). */
void pdfw_num(GString *g, double v, int decimals);
void pdfw_int(GString *g, long long v);
void pdfw_ref(GString *g, int num);
void pdfw_name(GString *g, const char *name);
void pdfw_text(GString *g, const char *utf8);
/* A byte string (PDF literal string with escapes) of s[0..len). */
void pdfw_bytes(GString *g, const char *s, size_t len);

#endif
