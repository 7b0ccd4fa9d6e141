/* base.h — the few things every stage shares: the article arena, diagnostics,
 * the fixed-point length type and small UTF-8 helpers.
 * Owns nothing global: an Arena and a DiagList belong to one job (one article);
 * whoever creates them frees them with arena_free / diag_list_fini. */
#ifndef TS_BASE_H
#define TS_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- lengths ---------------------------------------------------------------
 * One internal length: Pango units (1/1024 pt), as a 32-bit int is enough for
 * a page (±2 million points).  Values in other units say so (_pt, _mm, _px). */
typedef int32_t Scaled;
#define SC_UNIT 1024                                /* Scaled per point */
#define SC_FROM_PT(pt) ((Scaled)((pt) * SC_UNIT + ((pt) >= 0 ? 0.5 : -0.5)))
#define SC_TO_PT(s) ((double)(s) / SC_UNIT)
#define MM_TO_PT(mm) ((mm) * 72.0 / 25.4)

/* ---- arena -----------------------------------------------------------------
 * A bump allocator: everything of one article is allocated here and freed at
 * once.  Allocation failure aborts through xmalloc (an out-of-memory article is
 * not a recoverable diagnostic).  Not thread-safe: one arena per thread/job. */
typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head;
    size_t total;                  /* bytes handed out, for limits and stats */
    size_t chunk;                  /* next block's size; 0 = the usual 64 KiB */
} Arena;

void arena_init(Arena *a);
/* For one of many small things (a cached paragraph): blocks from 1 KiB up. */
void arena_init_small(Arena *a);
void arena_fini(Arena *a);         /* frees every block */
void arena_reset(Arena *a);        /* frees all but keeps nothing: same as fini+init */
void *arena_alloc(Arena *a, size_t size);             /* zeroed, 16-byte aligned */
void *arena_calloc(Arena *a, size_t n, size_t size);  /* checks n*size overflow */
char *arena_strdup(Arena *a, const char *s);          /* NULL stays NULL */
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The one allocation wrapper: aborts with a message on failure. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t size);
char *xstrdup(const char *s);

/* A growable array in the arena-free heap, for builders: 
 *   VEC(int) v = {0}; VEC_PUSH(v, 3); ... free(v.v); */
#define VEC(T) struct { T *v; int n, cap; }
#define VEC_PUSH(vec, x) do { \
        if ((vec).n == (vec).cap) { \
            (vec).cap = (vec).cap ? 2 * (vec).cap : 8; \
            (vec).v = xrealloc((vec).v, (size_t)(vec).cap * sizeof *(vec).v); \
        } \
        (vec).v[(vec).n++] = (x); \
    } while (0)

/* ---- diagnostics -----------------------------------------------------------
 * A diagnostic is FILE:LINE:COL: severity: message.  Stages add them to the
 * job's list; only the CLI prints them and picks the exit status.
 * line/col are 1-based; 0 means unknown (printed as FILE:1:1 for errors so that
 * every error line has the same shape). */
typedef enum { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR } DiagSeverity;

typedef struct Diag {
    DiagSeverity sev;
    char *file;                    /* heap-owned copies */
    int line, col;
    char *msg;
} Diag;

typedef struct DiagList {
    Diag *v;
    int n, cap;
    int errors, warnings;
    int max_kept;                  /* stop storing (but keep counting) past this; 0 = 1000 */
} DiagList;

void diag_list_init(DiagList *dl);
void diag_list_fini(DiagList *dl);
void diag_add(DiagList *dl, DiagSeverity sev, const char *file, int line, int col,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void diag_addv(DiagList *dl, DiagSeverity sev, const char *file, int line, int col,
               const char *fmt, va_list ap);
/* Appends every diagnostic of src to dst (copies). */
void diag_list_merge(DiagList *dst, const DiagList *src);
/* Formats one diagnostic as "FILE:LINE:COL: error: msg" (no newline) into buf. */
void diag_format(const Diag *d, char *buf, size_t size);

/* ---- UTF-8 -----------------------------------------------------------------*/
/* Returns the byte offset of the first invalid sequence (or a NUL byte) in
 * s[0..len), or -1 when all of it is valid UTF-8 without NULs.  Line and column
 * (1-based, column in characters) of that offset go to *line and *col. */
long utf8_find_invalid(const char *s, size_t len, int *line, int *col);

/* The characters of s[0..len), which must be valid UTF-8 without NULs
 * (g_utf8_strlen's count then), eight bytes at a time (see base.c). */
long utf8_chars(const char *s, long len);

/* ---- the user's cache ------------------------------------------------------
 * $XDG_CACHE_HOME/typeset/NAME, else $HOME/.cache/typeset/NAME, else
 * /tmp/typeset-UID/NAME, created (mode 0700) as far as it can be; heap
 * string, the caller frees.  What is kept there can always be made again:
 * the fontconfig cache, dictionaries as prepared for libhyphen. */
char *base_user_cache_dir(const char *name);

#endif
