/* base.c — arena, diagnostics, allocation wrapper, UTF-8 validation. */
#include "base.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "typeset: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "typeset: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "typeset: out of memory\n");
        abort();
    }
    return p;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xmalloc(n), s, n);
}

/* ---- arena ---------------------------------------------------------------
 * Blocks of 64 KiB (a small arena's start at 1 KiB and double); a large
 * request gets a block of its own.  The head block is the one being filled. */
struct ArenaBlock {
    ArenaBlock *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK (64u * 1024u)
#define ARENA_SMALL 1024u

void arena_init(Arena *a)
{
    a->head = NULL;
    a->total = 0;
    a->chunk = 0;
}

void arena_init_small(Arena *a)
{
    arena_init(a);
    a->chunk = ARENA_SMALL;
}

void arena_fini(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void arena_reset(Arena *a)
{
    arena_fini(a);
}

void *arena_alloc(Arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    ArenaBlock *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t chunk = a->chunk ? a->chunk : ARENA_CHUNK;
        if (a->chunk && a->chunk < ARENA_CHUNK)
            a->chunk *= 2;      /* a small arena's blocks double up to the usual size */
        size_t cap = size > chunk / 4 ? size : chunk;
        ArenaBlock *nb = xmalloc(sizeof *nb + cap);
        nb->used = 0;
        nb->size = cap;
        if (b && cap != chunk) {
            /* a big private block goes behind the head so the head keeps filling */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

void *arena_calloc(Arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        fprintf(stderr, "typeset: allocation overflow\n");
        abort();
    }
    return arena_alloc(a, n * size);
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(Arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

/* ---- diagnostics ---------------------------------------------------------*/
void diag_list_init(DiagList *dl)
{
    memset(dl, 0, sizeof *dl);
}

void diag_list_fini(DiagList *dl)
{
    for (int i = 0; i < dl->n; i++) {
        free(dl->v[i].file);
        free(dl->v[i].msg);
    }
    free(dl->v);
    memset(dl, 0, sizeof *dl);
}

void diag_addv(DiagList *dl, DiagSeverity sev, const char *file, int line, int col,
               const char *fmt, va_list ap)
{
    if (sev == DIAG_ERROR)
        dl->errors++;
    else if (sev == DIAG_WARNING)
        dl->warnings++;
    int max = dl->max_kept ? dl->max_kept : 1000;
    if (dl->n >= max)
        return;
    if (dl->n == dl->cap) {
        dl->cap = dl->cap ? 2 * dl->cap : 16;
        dl->v = xrealloc(dl->v, (size_t)dl->cap * sizeof *dl->v);
    }
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    Diag *d = &dl->v[dl->n++];
    d->sev = sev;
    d->file = xstrdup(file ? file : "typeset");
    d->line = line;
    d->col = col;
    d->msg = xstrdup(buf);
}

void diag_add(DiagList *dl, DiagSeverity sev, const char *file, int line, int col,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_addv(dl, sev, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_list_merge(DiagList *dst, const DiagList *src)
{
    for (int i = 0; i < src->n; i++) {
        const Diag *d = &src->v[i];
        diag_add(dst, d->sev, d->file, d->line, d->col, "%s", d->msg);
    }
}

void diag_format(const Diag *d, char *buf, size_t size)
{
    static const char *const sevname[] = {"note", "warning", "error"};
    snprintf(buf, size, "%s:%d:%d: %s: %s", d->file, d->line > 0 ? d->line : 1,
             d->col > 0 ? d->col : 1, sevname[d->sev], d->msg);
}

/* ---- UTF-8 --------------------------------------------------------------- */

/* The characters of s[0..len), valid UTF-8: its bytes less its
 * continuation bytes (10xxxxxx), eight bytes at a time.  g_utf8_strlen's
 * count for text without NULs, whose byte-by-table walk was 1 % of an
 * issue build. */
long utf8_chars(const char *s, long len)
{
    long cont = 0, i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t c = x & ~(x << 1) & 0x8080808080808080ull;     /* bit 7 set, bit 6 clear */
        cont += (long)(((c >> 7) * 0x0101010101010101ull) >> 56);
    }
    for (; i < len; i++)
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    return len - cont;
}

/* Well-formed sequences per Unicode 15, Table 3-7 (no overlongs, no
 * surrogates, nothing above U+10FFFF). */
/* The bytes of the character at s (avail bytes there): 1 to 4, or 0 when
 * it is a NUL or not valid UTF-8 (an overlong form, a surrogate, past
 * U+10FFFF, cut short). */
static size_t char_bytes(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    size_t n;
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (n > avail)
        return 0;
    unsigned c1 = s[1];
    unsigned lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    if (c1 < lo || c1 > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Whether s[0..len) is valid UTF-8 without NULs, eight ASCII bytes at a
 * time: the usual answer, found without counting lines and columns. */
static int all_valid(const unsigned char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    while (i < len) {
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & highs) && !((w - ones) & ~w & highs)) {
                i += 8;         /* eight ASCII bytes, none a NUL */
                continue;
            }
        }
        size_t n = char_bytes(s + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

long utf8_find_invalid(const char *str, size_t len, int *line, int *col)
{
    const unsigned char *s = (const unsigned char *)str;
    if (all_valid(s, len))
        return -1;
    int ln = 1, cl = 1;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n = char_bytes(s + i, len - i);
        if (n == 0) {
            if (line) *line = ln;
            if (col) *col = cl;
            return (long)i;
        }
        if (c == '\n') {
            ln++;
            cl = 1;
        } else {
            cl++;
        }
        i += n;
    }
    return -1;
}

/* ---- the user's cache ------------------------------------------------------ */

static int mkdir_p(const char *path)
{
    char *buf = xstrdup(path);
    int rc = 0;
    for (char *p = buf + 1; ; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
                rc = -1;
                break;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    struct stat st;
    if (rc == 0 && (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = -1;
    free(buf);
    return rc;
}

char *base_user_cache_dir(const char *name)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char buf[PATH_MAX];
    if (xdg && xdg[0] == '/') {
        snprintf(buf, sizeof buf, "%s/typeset/%s", xdg, name);
        if (mkdir_p(buf) == 0)
            return xstrdup(buf);
    }
    if (home && home[0] == '/') {
        snprintf(buf, sizeof buf, "%s/.cache/typeset/%s", home, name);
        if (mkdir_p(buf) == 0)
            return xstrdup(buf);
    }
    snprintf(buf, sizeof buf, "/tmp/typeset-%u/%s", (unsigned)getuid(), name);
    mkdir_p(buf);           /* if even this fails, the caches are only lost */
    return xstrdup(buf);
}
