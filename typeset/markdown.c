/* markdown.c — turns Markdown (the body, the abstract, each reference's text)
 * into the flat DocBlocks / DocInlines of model.h with cmark-gfm.  A pre-scan
 * refuses container nesting past SRC_MAX_MD_DEPTH; the cmark tree is then walked
 * with cmark_iter only, never by recursion.  Citations [@key] are resolved
 * against doc->refs, footnote definitions collected into doc->footnotes.
 * Results live in the caller's Arena; cmark objects are freed here. */
#include "source.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Exported by libcmark-gfm-extensions but not declared in its headers. */
extern cmark_node_type CMARK_NODE_TABLE, CMARK_NODE_TABLE_ROW, CMARK_NODE_TABLE_CELL,
    CMARK_NODE_STRIKETHROUGH;

typedef struct MdCtx {
    const char *path;
    const char *text;         /* the Markdown as given to cmark */
    size_t len;
    int first_line;           /* file line of text line 1 */
    int col_shift;            /* added to columns on text line 1 (inline parses) */
    Doc *doc;
    Arena *a;
    DiagList *dl;
    int footnotes;            /* collect footnote definitions into doc->footnotes */
    VEC(size_t) lines;        /* byte offset where each text line starts */
    GHashTable *keys;         /* citation key → 1-based ref number, built on first use */
    int cache_line;           /* md_pos's last answer, so a long line is walked once */
    size_t cache_byte;
    int cache_char;
    int warned_footnote;
    int rc;
} MdCtx;

/* ---- positions ---------------------------------------------------------------*/

static void md_index_lines(MdCtx *c)
{
    VEC_PUSH(c->lines, 0);
    for (const char *p = c->text, *e = c->text + c->len;
         (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        VEC_PUSH(c->lines, (size_t)(p + 1 - c->text));
}

/* File position of cmark's (line, byte column), both 1-based in c->text;
 * the file column counts characters.  0/0 when cmark gave no position. */
static void md_pos(MdCtx *c, int line, int bcol, int *fl, int *fc)
{
    *fl = *fc = 0;
    if (line < 1 || line > c->lines.n || bcol < 1)
        return;
    size_t start = c->lines.v[line - 1];
    size_t end = line < c->lines.n ? c->lines.v[line] : c->len;
    size_t want = start + (size_t)bcol - 1 < end ? start + (size_t)bcol - 1 : end;
    size_t from = start;
    int chars = 0;
    if (c->cache_line == line && c->cache_byte <= want) {
        from = c->cache_byte;
        chars = c->cache_char;
    }
    for (size_t i = from; i < want; i++)
        chars += ((unsigned char)c->text[i] & 0xC0) != 0x80;
    c->cache_line = line;
    c->cache_byte = want;
    c->cache_char = chars;
    *fl = line + c->first_line - 1;
    *fc = chars + 1 + (line == 1 ? c->col_shift : 0);
}

static int md_chars(const char *s, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* ---- the nesting pre-scan --------------------------------------------------
 * cmark itself copes with deep nesting, but every later stage pays per level,
 * so hostile input is refused before parsing.  A container is open on a line
 * only if that line repeats its marker or indentation, so a per-line estimate
 * bounds the whole tree. */

/* Length of a block-quote or list marker at s (0 if none). */
static size_t md_marker_len(const char *s, size_t n)
{
    size_t i = 0;
    if (n > 0 && s[0] == '>')
        return 1;
    if (n > 0 && (s[0] == '-' || s[0] == '*' || s[0] == '+'))
        i = 1;
    else {
        while (i < n && i < 9 && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == 0 || i >= n || (s[i] != '.' && s[i] != ')'))
            return 0;
        i++;
    }
    return i == n || s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ? i : 0;
}

/* An upper estimate of the nesting a line implies: one per marker plus one per
 * two columns of indentation (a nested item is indented at least two columns
 * more than its parent), not counting the one space that follows a marker. */
static long md_line_depth(const char *s, size_t n)
{
    long markers = 0, ws = 0;
    int col = 0, after_marker = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] == ' ' || s[i] == '\t') {
            int w = s[i] == '\t' ? 4 - col % 4 : 1;
            col += w;
            ws += w - after_marker;
            after_marker = 0;
            i++;
            continue;
        }
        size_t m = md_marker_len(s + i, n - i);
        if (!m)
            break;
        markers++;
        i += m;
        col += (int)m;
        after_marker = 1;
    }
    return markers + ws / 2;
}

/* cmark-gfm 0.29.0.gfm.6 pads every table row to the width of the delimiter
 * row, so a wide header over many one-cell rows costs width × rows nodes (3,000
 * columns over 3,000 "|x" rows, 24 KB of input, made 9 million cells and took
 * 9 s).  The pre-scan bounds that product; real tables are far below it. */
#define MD_MAX_TABLE_CELLS 200000

/* Columns of a table delimiter row such as "|:--|--:|", 0 if s is not one. */
static long md_delim_cols(const char *s, size_t n)
{
    long cols = 0, pipes = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-' && (i == 0 || s[i - 1] != '-'))
            cols++;
        else if (s[i] == '|')
            pipes++;
        else if (!strchr("-: \t\n", s[i]))
            return 0;
    }
    return pipes ? cols : 0;
}

/* Whether s[0..n) is only blanks and newlines.  Bounded: the text is not
 * NUL-terminated (strspn here read past the end of the file's buffer). */
static int md_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
            return 0;
    return 1;
}

static int md_prescan(MdCtx *c)
{
    long width = 0, cells = 0;    /* of the table the scan is in, if any */
    for (int ln = 0; ln < c->lines.n; ln++) {
        size_t b = c->lines.v[ln], e = ln + 1 < c->lines.n ? c->lines.v[ln + 1] : c->len;
        const char *s = c->text + b;
        int fl = ln + c->first_line, fc = 1 + (ln == 0 ? c->col_shift : 0);
        if (md_line_depth(s, e - b) > SRC_MAX_MD_DEPTH) {
            diag_add(c->dl, DIAG_ERROR, c->path, fl, fc, "nesting deeper than %d levels",
                     SRC_MAX_MD_DEPTH);
            return -1;
        }
        long w = md_delim_cols(s, e - b);
        if (w > 1)
            width = w;
        else if (md_blank(s, e - b))
            width = 0;
        else if ((cells += width) > MD_MAX_TABLE_CELLS) {
            diag_add(c->dl, DIAG_ERROR, c->path, fl, fc, "table too large: more than %d cells",
                     MD_MAX_TABLE_CELLS);
            return -1;
        }
    }
    return 0;
}

/* ---- runs ------------------------------------------------------------------
 * The inline walk keeps counters for the styles it is inside (emphasis can nest)
 * and a stack of the links it is inside; each text piece becomes a run with the
 * flags of that moment. */
typedef struct RunBuf {
    VEC(DocRun) v;
    int italic, bold, strike;
    VEC(const char *) links;
    VEC(int) link_first;      /* index of the first run of each open link */
    int line, col;            /* where the next run starts if its node has no position */
    int quotes, squotes;      /* double and single quotation marks open (md_quotes) */
    gunichar qlast;           /* the last character md_quotes saw, across text nodes */
} RunBuf;

static unsigned md_flags(const RunBuf *rb)
{
    return (rb->italic ? DOC_ITALIC : 0) | (rb->bold ? DOC_BOLD : 0)
           | (rb->strike ? DOC_STRIKE : 0);
}

static const char *md_link(const RunBuf *rb)
{
    return rb->links.n ? rb->links.v[rb->links.n - 1] : NULL;
}

static void md_emit(MdCtx *c, RunBuf *rb, const char *s, size_t n, unsigned flags,
                    const char *link, int line, int col)
{
    if (n == 0)
        return;
    DocRun r = {arena_strndup(c->a, s, n), flags, link, 0, line, col};
    VEC_PUSH(rb->v, r);
}

/* Whether w[0..n) looks like a URL, a DOI or an e-mail address once the
 * punctuation around it is trimmed; [*b, *e) is then the part to flag. */
static int md_special_word(const char *w, size_t n, size_t *b, size_t *e)
{
    /* each kind needs a '/' (URL, DOI), a '@' (e-mail) or "www.": most
     * words have none (a sentence's last word has only its full stop), and
     * are done with here */
    int slash_at = 0, www = 0;
    for (size_t k = 0; k < n && !slash_at; k++) {
        slash_at = w[k] == '/' || w[k] == '@';
        www |= w[k] == '.' && k >= 3 && (w[k - 3] | 32) == 'w' && (w[k - 2] | 32) == 'w' &&
               (w[k - 1] | 32) == 'w';
    }
    if (!slash_at && !www)
        return 0;
    static const char *const open[] = {"(", "[", "{", "<", "\"", "'", "\xE2\x80\x9C",
                                       "\xC2\xAB", "\xE2\x80\x98"};
    static const char *const close[] = {".", ",", ";", ":", "!", "?", ")", "]", "}", ">",
                                        "\"", "'", "\xE2\x80\x9D", "\xC2\xBB", "\xE2\x80\x99"};
    size_t s = 0, t = n;
    for (size_t k = 0; k < sizeof open / sizeof *open; k++) {
        size_t l = strlen(open[k]);
        if (t - s >= l && memcmp(w + s, open[k], l) == 0)
            s += l, k = (size_t)-1;
    }
    for (size_t k = 0; k < sizeof close / sizeof *close; k++) {
        size_t l = strlen(close[k]);
        if (t - s >= l && memcmp(w + t - l, close[k], l) == 0)
            t -= l, k = (size_t)-1;
    }
    if (t <= s)
        return 0;
    *b = s;
    *e = t;
    const char *p = w + s;
    size_t m = t - s;
    if (memmem(p, m, "://", 3) || (m > 4 && g_ascii_strncasecmp(p, "www.", 4) == 0))
        return 1;
    for (size_t i = 0; i + 3 < m; i++) {       /* DOI: 10.NNNN/… */
        if (p[i] != '1' || p[i + 1] != '0' || p[i + 2] != '.' || (i > 0 && g_ascii_isalnum(p[i - 1])))
            continue;
        size_t d = i + 3;
        while (d < m && g_ascii_isdigit(p[d]))
            d++;
        if (d - i - 3 >= 4 && d + 1 < m && p[d] == '/')
            return 1;
    }
    const char *at = memchr(p, '@', m);        /* e-mail: x@host.tld */
    if (at && at > p) {
        const char *dot = memchr(at, '.', (size_t)(p + m - at));
        return dot && dot > at + 1 && dot + 1 < p + m;
    }
    return 0;
}

/* Emits plain text s[0..n), giving DOC_NOHYPH to the words that are URLs,
 * DOIs or addresses and splitting the run around them. */
static void md_plain(MdCtx *c, RunBuf *rb, const char *s, size_t n, int line, int col)
{
    unsigned f = md_flags(rb);
    const char *link = md_link(rb);
    size_t done = 0, i = 0;
    int done_col = col;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
            i++;
        size_t w = i, b, e;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
            i++;
        if (i == w || !md_special_word(s + w, i - w, &b, &e))
            continue;
        int bcol = done_col + md_chars(s + done, w + b - done);
        md_emit(c, rb, s + done, w + b - done, f, link, line, done_col);
        md_emit(c, rb, s + w + b, e - b, f | DOC_NOHYPH, link, line, bcol);
        done_col = bcol + md_chars(s + w + b, e - b);
        done = w + e;
    }
    md_emit(c, rb, s + done, n - done, f, link, line, done_col);
}

/* ---- citations ---------------------------------------------------------------*/
typedef struct CiteKey {
    size_t off, len;          /* the key without its '@', in the text node */
    size_t pre, pre_len;      /* text before the key ("see "), trimmed; may be empty */
    size_t loc, loc_len;      /* the locator after it ("p. 33"), trimmed; may be empty */
} CiteKey;
typedef VEC(CiteKey) CiteKeys;

static int md_key_byte(unsigned char ch)
{
    return g_ascii_isalnum(ch) || ch >= 0x80 || (ch && strchr("_-:./", ch));
}

/* Matches a citation at s[i] == '[': items separated by ';', each an optional
 * prefix, '@key' and an optional locator, as Pandoc writes them:
 * `[@a; @b]`, `[see @a, p. 33]`, `[@a p. 5; @b]`.  The '@' must open the item
 * or follow a space (so `[mail a@b.org]` is no citation); prefix and locator
 * hold no '@', '[' or ']'.  Returns the offset just past ']' or 0. */
static size_t md_cite_match(const char *s, size_t n, size_t i, CiteKeys *keys)
{
    size_t p = i + 1;
    keys->n = 0;
    for (;;) {
        while (p < n && s[p] == ' ')
            p++;
        size_t pre = p;
        while (p < n && s[p] != '@' && s[p] != ';' && s[p] != '[' && s[p] != ']')
            p++;
        if (p >= n || s[p] != '@' || (p > pre && s[p - 1] != ' '))
            return 0;
        size_t pre_len = p - pre;
        while (pre_len > 0 && s[pre + pre_len - 1] == ' ')
            pre_len--;
        size_t k = ++p;
        while (p < n && md_key_byte((unsigned char)s[p]))
            p++;
        if (p == k)
            return 0;
        CiteKey ck = {k, p - k, pre, pre_len, 0, 0};
        if (p < n && s[p] != ' ' && s[p] != ',' && s[p] != ';' && s[p] != ']')
            return 0;
        if (p < n && s[p] == ',')
            p++;
        while (p < n && s[p] == ' ')
            p++;
        ck.loc = p;
        while (p < n && s[p] != ';' && s[p] != ']' && s[p] != '[' && s[p] != '@')
            p++;
        if (p >= n || s[p] == '[' || s[p] == '@')
            return 0;
        ck.loc_len = p - ck.loc;
        while (ck.loc_len > 0 && s[ck.loc + ck.loc_len - 1] == ' ')
            ck.loc_len--;
        VEC_PUSH(*keys, ck);
        if (s[p] == ']')
            return p + 1;
        p++;                  /* ';' */
    }
}

/* 1-based number of the reference with this id, 0 if there is none. */
static int md_ref_number(MdCtx *c, const char *key, size_t n)
{
    if (!c->keys) {
        c->keys = g_hash_table_new(g_str_hash, g_str_equal);
        for (int i = c->doc->n_refs - 1; i >= 0; i--)  /* the first of duplicates wins */
            if (c->doc->refs[i].id)
                g_hash_table_insert(c->keys, (gpointer)c->doc->refs[i].id,
                                    GINT_TO_POINTER(i + 1));
    }
    char *k = g_strndup(key, n);
    int num = GPOINTER_TO_INT(g_hash_table_lookup(c->keys, k));
    g_free(k);
    return num;
}

/* Where `@key` is in the file.  The literal of a text node may differ from its
 * source (escapes, entities), so the key is looked up in the source line from
 * *from on; the computed guess (gl, gc) is the fallback. */
static void md_key_pos(MdCtx *c, cmark_node *nd, const char *key, size_t n, size_t *from,
                       int *line, int *col)
{
    int ln = cmark_node_get_start_line(nd), bc = cmark_node_get_start_column(nd);
    if (ln < 1 || ln > c->lines.n || bc < 1)
        return;
    size_t ls = c->lines.v[ln - 1], le = ln < c->lines.n ? c->lines.v[ln] : c->len;
    size_t p = *from ? *from : ls + (size_t)bc - 1;
    for (; p + n < le; p++) {
        if (c->text[p] == '@' && memcmp(c->text + p + 1, key, n) == 0
            && (p + n + 1 >= le || !md_key_byte((unsigned char)c->text[p + n + 1]))) {
            md_pos(c, ln, (int)(p - ls) + 1, line, col);
            *from = p + 1;
            return;
        }
    }
    *from = le;   /* not in the source as written: keep the guess, and stay linear */
}

static int md_int_cmp(const void *x, const void *y)
{
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

static void md_cite_number(MdCtx *c, RunBuf *rb, int num, int line, int col)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d", num);
    md_emit(c, rb, buf, strlen(buf), md_flags(rb), arena_printf(c->a, "#ref-%d", num), line,
            col);
}

/* Prints sorted numbers, compressing runs of three or more into "a–b". */
static void md_cite_emit(MdCtx *c, RunBuf *rb, int *nums, int nn, int unknown, int line,
                         int col)
{
    unsigned f = md_flags(rb);
    const char *link = md_link(rb);
    md_emit(c, rb, "[", 1, f, link, line, col);
    for (int i = 0; i < nn;) {
        int j = i;
        while (j + 1 < nn && nums[j + 1] == nums[j] + 1)
            j++;
        if (i > 0)
            md_emit(c, rb, ", ", 2, f, link, line, col);
        if (j - i >= 2) {
            md_cite_number(c, rb, nums[i], line, col);
            md_emit(c, rb, "\xE2\x80\x93", 3, f, link, line, col);   /* en dash */
            md_cite_number(c, rb, nums[j], line, col);
            i = j + 1;
        } else {
            md_cite_number(c, rb, nums[i], line, col);
            i++;
        }
    }
    for (int u = 0; u < unknown; u++) {
        if (nn > 0 || u > 0)
            md_emit(c, rb, ", ", 2, f, link, line, col);
        md_emit(c, rb, "?", 1, f, link, line, col);
    }
    md_emit(c, rb, "]", 1, f, link, line, col);
}

/* A citation with a prefix or a locator: its items in the order written,
 * "[see 5, p. 33; 7]" (numbers are not sorted or merged into ranges: each
 * locator belongs to its number). */
static void md_cite_items(MdCtx *c, RunBuf *rb, const char *s, const CiteKeys *keys, int line,
                          int col)
{
    unsigned f = md_flags(rb);
    const char *link = md_link(rb);
    md_emit(c, rb, "[", 1, f, link, line, col);
    for (int k = 0; k < keys->n; k++) {
        const CiteKey *ck = &keys->v[k];
        if (k > 0)
            md_emit(c, rb, "; ", 2, f, link, line, col);
        if (ck->pre_len) {
            md_emit(c, rb, s + ck->pre, ck->pre_len, f, link, line, col);
            md_emit(c, rb, " ", 1, f, link, line, col);
        }
        int num = md_ref_number(c, s + ck->off, ck->len);
        if (num)
            md_cite_number(c, rb, num, line, col);
        else
            md_emit(c, rb, "?", 1, f, link, line, col);
        if (ck->loc_len) {
            md_emit(c, rb, ", ", 2, f, link, line, col);
            md_emit(c, rb, s + ck->loc, ck->loc_len, f, link, line, col);
        }
    }
    md_emit(c, rb, "]", 1, f, link, line, col);
}

/* Resolves one matched citation whose keys are in s (the text node's literal;
 * its '[' is at s[open], column col); warns about unknown keys, printing one
 * "?" per distinct unknown key. */
static void md_cite(MdCtx *c, RunBuf *rb, cmark_node *nd, const char *s, size_t open,
                    const CiteKeys *keys, size_t *from, int line, int col)
{
    int *nums = xcalloc((size_t)keys->n, sizeof *nums);
    int nn = 0, unknown = 0;
    for (int k = 0; k < keys->n; k++) {
        const char *key = s + keys->v[k].off;
        size_t kl = keys->v[k].len;
        int num = md_ref_number(c, key, kl);
        if (num) {
            nums[nn++] = num;
            continue;
        }
        int kline = line, kcol = col + md_chars(s + open, keys->v[k].off - 1 - open);
        md_key_pos(c, nd, key, kl, from, &kline, &kcol);
        diag_add(c->dl, DIAG_WARNING, c->path, kline, kcol, "unknown reference '%.*s'", (int)kl,
                 key);
        int seen = 0;
        for (int j = 0; j < k && !seen; j++)
            seen = keys->v[j].len == kl && memcmp(s + keys->v[j].off, key, kl) == 0;
        unknown += !seen;
    }
    int annotated = 0;
    for (int k = 0; k < keys->n; k++)
        annotated |= keys->v[k].pre_len > 0 || keys->v[k].loc_len > 0;
    if (annotated) {
        md_cite_items(c, rb, s, keys, line, col);
        free(nums);
        return;
    }
    qsort(nums, (size_t)nn, sizeof *nums, md_int_cmp);
    int uniq = 0;
    for (int i = 0; i < nn; i++)
        if (uniq == 0 || nums[uniq - 1] != nums[i])
            nums[uniq++] = nums[i];
    md_cite_emit(c, rb, nums, uniq, unknown, line, col);
    free(nums);
}

/* A text node: citations become numbered runs, the rest plain text. */
/* Double quotation marks as the language sets them.  cmark's smart quotes
 * are English ones, and beside CJK characters (not punctuation to its
 * flanking rules) it takes every " for a closing mark.  Russian: «» outside,
 * „“ inside; Chinese: “” and ‘’ alternating, whatever cmark chose (an ’
 * between Latin letters stays an apostrophe).  Other languages
 * are left as cmark set them.  The count of open marks lives in rb, so it
 * runs on across the text nodes of one paragraph.  Returns s or a converted
 * copy. */
static const char *md_quotes(MdCtx *c, RunBuf *rb, const char *s)
{
    const char *lang = c->doc && c->doc->meta.lang ? c->doc->meta.lang : "en";
    int ru = strncmp(lang, "ru", 2) == 0, zh = strncmp(lang, "zh", 2) == 0;
    if (!ru && !zh)
        return s;
    gunichar before = rb->qlast;    /* an apostrophe right after *emphasis* */
    if (s && *s)
        rb->qlast = g_utf8_get_char(g_utf8_prev_char(s + strlen(s)));
    if (!s || !strstr(s, "\xE2\x80"))
        return s;
    GString *g = g_string_sized_new(strlen(s) + 8);
    for (const char *p = s; *p; before = g_utf8_get_char(p), p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);
        if (zh && (ch == 0x2018 || ch == 0x2019)) {
            /* single marks alternate too, but one between two Latin
             * letters is an apostrophe (don't) */
            gunichar after = g_utf8_get_char(g_utf8_next_char(p));
            if (g_ascii_isalpha((char)before) && before < 0x80 && after < 0x80 &&
                g_ascii_isalpha((char)after)) {
                g_string_append_unichar(g, 0x2019);
            } else {
                g_string_append_unichar(g, rb->squotes % 2 == 0 ? 0x2018 : 0x2019);
                rb->squotes = rb->squotes % 2 == 0;
            }
            continue;
        }
        if (ch != 0x201C && ch != 0x201D) {
            g_string_append_len(g, p, g_utf8_next_char(p) - p);
            continue;
        }
        int open = zh ? rb->quotes % 2 == 0 : ch == 0x201C;
        if (zh) {
            g_string_append_unichar(g, open ? 0x201C : 0x201D);
            rb->quotes = open ? 1 : 0;
        } else if (open) {
            g_string_append_unichar(g, rb->quotes++ == 0 ? 0x00AB : 0x201E);
        } else {
            rb->quotes = rb->quotes > 0 ? rb->quotes - 1 : 0;
            g_string_append_unichar(g, rb->quotes == 0 ? 0x00BB : 0x201C);
        }
    }
    const char *r = arena_strdup(c->a, g->str);
    g_string_free(g, TRUE);
    return r;
}

static void md_text(MdCtx *c, RunBuf *rb, cmark_node *nd)
{
    const char *s = md_quotes(c, rb, cmark_node_get_literal(nd));
    size_t n = s ? strlen(s) : 0, done = 0, from = 0;
    int line = rb->line, col = rb->col;
    if (cmark_node_get_start_line(nd) > 0)
        md_pos(c, cmark_node_get_start_line(nd), cmark_node_get_start_column(nd), &line, &col);
    CiteKeys keys = {0};
    int done_col = col;
    for (size_t i = 0; i + 1 < n; i++) {
        size_t end;
        if (s[i] != '[' || !(end = md_cite_match(s, n, i, &keys)))
            continue;
        md_plain(c, rb, s + done, i - done, line, done_col);
        done_col += md_chars(s + done, i - done);
        md_cite(c, rb, nd, s, i, &keys, &from, line, done_col);
        done_col += md_chars(s + i, end - i);
        done = end;
        i = end - 1;
    }
    md_plain(c, rb, s + done, n - done, line, done_col);
    free(keys.v);
    rb->line = line;
    rb->col = done_col + md_chars(s + done, n - done);
}

/* ---- links, footnote markers, the inline walk ------------------------------*/

/* Whether the runs' text, joined, is the URL (minus a scheme autolinks add). */
static int md_runs_are_url(const DocRun *r, int n, const char *url)
{
    static const char *const drop[] = {"", "mailto:", "http://", "https://"};
    for (size_t d = 0; d < sizeof drop / sizeof *drop; d++) {
        size_t dl = strlen(drop[d]);
        if (strncmp(url, drop[d], dl) != 0)
            continue;
        const char *p = url + dl;
        int ok = n > 0;
        for (int i = 0; i < n && ok; i++) {
            size_t l = strlen(r[i].text);
            ok = strncmp(p, r[i].text, l) == 0;
            p += ok ? l : 0;
        }
        if (ok && !*p)
            return 1;
    }
    return 0;
}

static void md_link_event(MdCtx *c, RunBuf *rb, cmark_node *nd, int enter)
{
    if (enter) {
        const char *url = cmark_node_get_url(nd);
        VEC_PUSH(rb->links, arena_strdup(c->a, url ? url : ""));
        VEC_PUSH(rb->link_first, rb->v.n);
        return;
    }
    const char *url = rb->links.v[--rb->links.n];
    int first = rb->link_first.v[--rb->link_first.n];
    if (rb->v.n > first &&      /* an empty link: no runs, rb->v.v may be NULL */
        md_runs_are_url(rb->v.v + first, rb->v.n - first, url))
        for (int i = first; i < rb->v.n; i++)
            rb->v.v[i].flags |= DOC_NOHYPH;
}

static void md_footnote_ref(MdCtx *c, RunBuf *rb, cmark_node *nd, int line, int col)
{
    const char *num = cmark_node_get_literal(nd);   /* gfm.6: the number, not the label */
    if (!c->footnotes) {
        if (!c->warned_footnote++)
            diag_add(c->dl, DIAG_WARNING, c->path, line, col,
                     "footnote ignored: footnotes are only allowed in the article body");
        return;
    }
    if (!num)
        return;
    md_emit(c, rb, num, strlen(num), md_flags(rb) | DOC_SUPER, md_link(rb), line, col);
    rb->v.v[rb->v.n - 1].footnote = atoi(num);
}

static void md_inline_event(MdCtx *c, RunBuf *rb, cmark_node *nd, int enter)
{
    cmark_node_type t = cmark_node_get_type(nd);
    int d = enter ? 1 : -1, line = rb->line, col = rb->col;
    if (t == CMARK_NODE_EMPH)
        rb->italic += d;
    else if (t == CMARK_NODE_STRONG)
        rb->bold += d;
    else if (t == CMARK_NODE_STRIKETHROUGH)
        rb->strike += d;
    else if (t == CMARK_NODE_LINK)
        md_link_event(c, rb, nd, enter);
    if (!enter || t == CMARK_NODE_EMPH || t == CMARK_NODE_STRONG
        || t == CMARK_NODE_STRIKETHROUGH || t == CMARK_NODE_LINK)
        return;
    if (t == CMARK_NODE_TEXT) {
        md_text(c, rb, nd);
        return;
    }
    if (cmark_node_get_start_line(nd) > 0)
        md_pos(c, cmark_node_get_start_line(nd), cmark_node_get_start_column(nd), &line, &col);
    const char *lit = cmark_node_get_literal(nd);
    if (t == CMARK_NODE_CODE && lit)
        md_emit(c, rb, lit, strlen(lit), md_flags(rb) | DOC_CODE | DOC_NOHYPH, md_link(rb),
                line, col);
    else if (t == CMARK_NODE_SOFTBREAK)
        md_emit(c, rb, " ", 1, md_flags(rb), md_link(rb), line, col);
    else if (t == CMARK_NODE_LINEBREAK)
        md_emit(c, rb, "\n", 1, md_flags(rb), md_link(rb), line, col);
    else if (t == CMARK_NODE_HTML_INLINE && lit)
        md_emit(c, rb, lit, strlen(lit), md_flags(rb), md_link(rb), line, col);
    else if (t == CMARK_NODE_FOOTNOTE_REFERENCE)
        md_footnote_ref(c, rb, nd, line, col);
    /* images contribute their alt text through their children */
}

/* The runs of everything under root (a paragraph, heading, cell or image). */
static void md_inlines(MdCtx *c, cmark_node *root, DocInlines *out)
{
    RunBuf rb = {0};
    md_pos(c, cmark_node_get_start_line(root), cmark_node_get_start_column(root), &rb.line,
           &rb.col);
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *nd = cmark_iter_get_node(it);
        if (nd != root)
            md_inline_event(c, &rb, nd, ev == CMARK_EVENT_ENTER);
    }
    cmark_iter_free(it);
    out->n = rb.v.n;
    out->runs = arena_calloc(c->a, (size_t)rb.v.n, sizeof *out->runs);
    if (rb.v.n)
        memcpy(out->runs, rb.v.v, (size_t)rb.v.n * sizeof *rb.v.v);
    free(rb.v.v);
    free(rb.links.v);
    free(rb.link_first.v);
}

/* ---- blocks ------------------------------------------------------------------
 * The block walk tracks the lists, items and quotes it is inside (as stacks in
 * heap vectors, so depth costs no C stack), and while inside a footnote
 * definition sends blocks to that footnote instead of the output. */
typedef struct ListState {
    int ordered, paren, next;
} ListState;

typedef struct ItemState {
    const char *marker;
    int started;              /* its first block has taken the marker */
} ItemState;

typedef struct BlockWalk {
    VEC(DocBlock) main, foot;
    int in_foot;
    VEC(ListState) lists;
    VEC(ItemState) items;
    int quotes;
    VEC(DocFootnote) notes;
    int ndefs;
} BlockWalk;

static int md_cap(int depth)
{
    return depth < DOC_MAX_DEPTH ? depth : DOC_MAX_DEPTH;
}

/* Appends a block with the nesting of this moment; the pointer is valid until
 * the next md_block_new. */
static DocBlock *md_block_new(MdCtx *c, BlockWalk *w, DocBlockKind kind, cmark_node *nd)
{
    DocBlock b = {.kind = kind};
    b.list_depth = md_cap(w->lists.n);
    b.quote_depth = md_cap(w->quotes);
    if (w->items.n) {
        ItemState *is = &w->items.v[w->items.n - 1];
        if (!is->started)
            b.marker = is->marker, is->started = 1;
        else
            b.item_continues = 1;
    }
    md_pos(c, cmark_node_get_start_line(nd), cmark_node_get_start_column(nd), &b.line, &b.col);
    if (w->in_foot) {
        VEC_PUSH(w->foot, b);
        return &w->foot.v[w->foot.n - 1];
    }
    VEC_PUSH(w->main, b);
    return &w->main.v[w->main.n - 1];
}

static void md_list_enter(MdCtx *c, BlockWalk *w, cmark_node *nd)
{
    (void)c;
    ListState l = {cmark_node_get_list_type(nd) == CMARK_ORDERED_LIST,
                   cmark_node_get_list_delim(nd) == CMARK_PAREN_DELIM,
                   cmark_node_get_list_start(nd)};
    VEC_PUSH(w->lists, l);
}

static void md_item_enter(MdCtx *c, BlockWalk *w)
{
    ItemState is = {"\xE2\x80\xA2", 0};        /* • */
    ListState *l = w->lists.n ? &w->lists.v[w->lists.n - 1] : NULL;
    if (l && l->ordered)
        is.marker = arena_printf(c->a, "%d%c", l->next++, l->paren ? ')' : '.');
    VEC_PUSH(w->items, is);
}

/* A paragraph, or DOC_IMAGE when it holds nothing but one image. */
static void md_para(MdCtx *c, BlockWalk *w, cmark_node *nd)
{
    cmark_node *img = cmark_node_first_child(nd);
    if (img && cmark_node_get_type(img) == CMARK_NODE_IMAGE && !cmark_node_next(img)) {
        DocBlock *b = md_block_new(c, w, DOC_IMAGE, nd);
        const char *url = cmark_node_get_url(img);
        b->src = arena_strdup(c->a, url ? url : "");
        md_inlines(c, img, &b->in);
        return;
    }
    md_inlines(c, nd, &md_block_new(c, w, DOC_PARA, nd)->in);
}

/* A block of literal text: a code block (DOC_CODE) or an HTML block. */
static void md_literal(MdCtx *c, BlockWalk *w, cmark_node *nd, DocBlockKind kind,
                       unsigned flags)
{
    const char *lit = cmark_node_get_literal(nd);
    size_t n = lit ? strlen(lit) : 0;
    if (n > 0 && lit[n - 1] == '\n')
        n--;                   /* cmark keeps the last line's newline; a line break is not text */
    DocBlock *b = md_block_new(c, w, kind, nd);
    DocRun *r = arena_alloc(c->a, sizeof *r);
    *r = (DocRun){arena_strndup(c->a, lit ? lit : "", n), flags, NULL, 0, b->line, b->col};
    b->in.runs = r;
    b->in.n = 1;
}

static void md_table(MdCtx *c, BlockWalk *w, cmark_node *nd)
{
    int ncols = cmark_gfm_extensions_get_table_columns(nd), nrows = 0;
    for (cmark_node *r = cmark_node_first_child(nd); r; r = cmark_node_next(r))
        nrows++;
    DocBlock *b = md_block_new(c, w, DOC_TABLE, nd);
    b->ncols = ncols;
    b->nrows = nrows;
    b->align = arena_alloc(c->a, (size_t)ncols + 1);
    const uint8_t *al = cmark_gfm_extensions_get_table_alignments(nd);
    for (int i = 0; i < ncols; i++)
        b->align[i] = al && (al[i] == 'l' || al[i] == 'c' || al[i] == 'r') ? (char)al[i] : 'n';
    b->cells = arena_calloc(c->a, (size_t)nrows * (size_t)ncols, sizeof *b->cells);
    cmark_node *row = cmark_node_first_child(nd);
    b->header_rows = row && cmark_gfm_extensions_get_table_row_is_header(row) ? 1 : 0;
    for (int r = 0; row; row = cmark_node_next(row), r++) {
        int k = 0;
        for (cmark_node *cell = cmark_node_first_child(row); cell && k < ncols;
             cell = cmark_node_next(cell), k++)
            md_inlines(c, cell, &b->cells[(size_t)r * (size_t)ncols + (size_t)k]);
    }
}

static void md_blocks_copy(Arena *a, const DocBlock *v, int n, DocBlocks *out)
{
    out->n = n;
    out->v = arena_calloc(a, (size_t)n, sizeof *out->v);
    if (n)
        memcpy(out->v, v, (size_t)n * sizeof *v);
}

/* Footnote definitions: cmark-gfm moves them to the end in reference order and
 * their labels are unreachable, so the N-th definition is footnote N. */
static void md_footdef(MdCtx *c, BlockWalk *w, cmark_iter *it, cmark_node *nd, int enter)
{
    if (enter) {
        w->ndefs++;
        if (!c->footnotes) {
            cmark_iter_reset(it, nd, CMARK_EVENT_EXIT);   /* skip its blocks entirely */
            return;
        }
        w->in_foot = 1;
        w->foot.n = 0;
        return;
    }
    DocFootnote f = {.number = w->ndefs};
    md_blocks_copy(c->a, w->foot.v, w->foot.n, &f.blocks);
    VEC_PUSH(w->notes, f);
    w->in_foot = 0;
}

/* Leaf-level blocks; returns 1 when the walk must skip nd's subtree. */
static int md_leaf_block(MdCtx *c, BlockWalk *w, cmark_node *nd, cmark_node_type t)
{
    if (t == CMARK_NODE_PARAGRAPH) {
        md_para(c, w, nd);
    } else if (t == CMARK_NODE_HEADING) {
        DocBlock *b = md_block_new(c, w, DOC_HEADING, nd);
        b->level = cmark_node_get_heading_level(nd);
        md_inlines(c, nd, &b->in);
    } else if (t == CMARK_NODE_TABLE) {
        md_table(c, w, nd);
    } else if (t == CMARK_NODE_CODE_BLOCK) {
        md_literal(c, w, nd, DOC_CODEBLOCK, DOC_CODE);
    } else if (t == CMARK_NODE_HTML_BLOCK) {
        const char *lit = cmark_node_get_literal(nd);
        if (lit && strncmp(lit, "<!--", 4) != 0)   /* comments are the author's notes */
            md_literal(c, w, nd, DOC_PARA, 0);
    } else if (t == CMARK_NODE_THEMATIC_BREAK) {
        md_block_new(c, w, DOC_RULE, nd);
    } else {
        return 0;
    }
    return 1;
}

static void md_block_event(MdCtx *c, BlockWalk *w, cmark_iter *it, cmark_node *nd, int enter)
{
    cmark_node_type t = cmark_node_get_type(nd);
    if (t == CMARK_NODE_LIST) {
        if (enter)
            md_list_enter(c, w, nd);
        else
            w->lists.n--;
    } else if (t == CMARK_NODE_ITEM) {
        if (enter)
            md_item_enter(c, w);
        else
            w->items.n--;
    } else if (t == CMARK_NODE_BLOCK_QUOTE) {
        w->quotes += enter ? 1 : -1;
    } else if (t == CMARK_NODE_FOOTNOTE_DEFINITION) {
        md_footdef(c, w, it, nd, enter);
    } else if (enter && md_leaf_block(c, w, nd, t)
               && cmark_node_first_child(nd)) {
        cmark_iter_reset(it, nd, CMARK_EVENT_EXIT);   /* its inlines are done */
    }
}

static void md_add_footnotes(MdCtx *c, const BlockWalk *w)
{
    Doc *d = c->doc;
    if (!w->notes.n)
        return;
    DocFootnote *v = arena_calloc(c->a, (size_t)(d->n_footnotes + w->notes.n), sizeof *v);
    if (d->n_footnotes)
        memcpy(v, d->footnotes, (size_t)d->n_footnotes * sizeof *v);
    memcpy(v + d->n_footnotes, w->notes.v, (size_t)w->notes.n * sizeof *v);
    d->footnotes = v;
    d->n_footnotes += w->notes.n;
}

static void md_walk(MdCtx *c, cmark_node *root, DocBlocks *out)
{
    BlockWalk w = {0};
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE)
        md_block_event(c, &w, it, cmark_iter_get_node(it), ev == CMARK_EVENT_ENTER);
    cmark_iter_free(it);
    md_blocks_copy(c->a, w.main.v, w.main.n, out);
    md_add_footnotes(c, &w);
    free(w.main.v);
    free(w.foot.v);
    free(w.lists.v);
    free(w.items.v);
    free(w.notes.v);
}

/* ---- parsing -------------------------------------------------------------*/

static cmark_node *md_cmark(const char *text, size_t len)
{
    static const char *const exts[] = {"table", "strikethrough", "autolink"};
    /* Registration fills cmark's process-wide extension list; its own "done"
     * flag is not thread-safe, so the first call is guarded. */
    static gsize registered = 0;
    if (g_once_init_enter(&registered)) {
        cmark_gfm_core_extensions_ensure_registered();
        g_once_init_leave(&registered, 1);
    }
    /* cmark-gfm 0.29 keeps its inline special-character tables process-wide and
     * rewrites them as extensions are attached to a parser: two threads parsing
     * at once (typeset issue -j 2) now and then lost a link.  Parsing is a few
     * ms per article, so it is serialised (with the font-face lock in
     * layout/layout.c, one of the program's two process-wide locks). */
    static GMutex cmark_lock;
    g_mutex_lock(&cmark_lock);
    cmark_parser *p =
        cmark_parser_new(CMARK_OPT_SOURCEPOS | CMARK_OPT_FOOTNOTES | CMARK_OPT_SMART);
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
        cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
        if (e)
            cmark_parser_attach_syntax_extension(p, e);
    }
    cmark_parser_feed(p, text, len);
    cmark_node *root = cmark_parser_finish(p);
    cmark_parser_free(p);
    g_mutex_unlock(&cmark_lock);
    /* cmark may leave "[", "@key" and "]" as separate text nodes (a '[' is a
     * potential link opener); citation matching needs them joined */
    cmark_consolidate_text_nodes(root);
    return root;
}

static void md_ctx_fini(MdCtx *c)
{
    free(c->lines.v);
    if (c->keys)
        g_hash_table_destroy(c->keys);
}

/* Parses text into out (blocks) with positions shifted by first_line/col_shift. */
static int md_parse(MdCtx *c, DocBlocks *out)
{
    out->v = NULL;
    out->n = 0;
    md_index_lines(c);
    if (md_prescan(c) == 0) {
        cmark_node *root = md_cmark(c->text, c->len);
        md_walk(c, root, out);
        cmark_node_free(root);
    } else {
        c->rc = -1;
    }
    md_ctx_fini(c);
    return c->rc;
}

int markdown_parse(const char *path, const char *text, size_t len, int first_line,
                   Doc *doc, DocBlocks *out, int footnotes, Arena *a, DiagList *dl)
{
    MdCtx c = {.path = path, .text = text, .len = len, .first_line = first_line,
               .doc = doc, .a = a, .dl = dl, .footnotes = footnotes};
    return md_parse(&c, out);
}

/* A reference's text as one paragraph: newlines become spaces, and a start that
 * Markdown would read as a block ("1999. Title", "# x", "- x", "> x") is
 * escaped so the text stays inline.  Returns a heap string. */
static char *md_inline_source(const char *text)
{
    /* (cmark drops a byte order mark that starts its input: one here would
     * hide the start it precedes from the escaping below: fuzz finding,
     * "\uFEFF---" as a title, a thematic break with no text) */
    while (*text == ' ' || *text == '\t' || *text == '\n' || !strncmp(text, "\xEF\xBB\xBF", 3))
        text += *text == ' ' || *text == '\t' || *text == '\n' ? 1 : 3;
    size_t n = strlen(text), esc = SIZE_MAX;   /* esc: where to put a backslash */
    size_t d = strspn(text, "0123456789");
    char c0 = text[0], c1 = n > 1 ? text[1] : 0;
    if (c0 == '#' || c0 == '>' || c0 == '=' || c0 == '|')
        esc = 0;
    else if ((c0 == '-' || c0 == '+' || c0 == '*' || c0 == '_')
             && (c1 == 0 || c1 == ' ' || c1 == '\t' || c1 == c0))
        esc = 0;
    else if (!strncmp(text, "```", 3) || !strncmp(text, "~~~", 3)
             || (c0 == '[' && strstr(text, "]:")))
        esc = 0;
    else if (d > 0 && d <= 9 && (text[d] == '.' || text[d] == ')'))
        esc = d;
    char *s = xmalloc(n + 2);
    size_t k = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == esc)
            s[k++] = '\\';
        s[k++] = text[i] == '\n' ? ' ' : text[i];
    }
    return s;
}

int markdown_parse_inline(const char *path, const char *text, int line, int col, Doc *doc,
                          DocInlines *out, Arena *a, DiagList *dl)
{
    out->runs = NULL;
    out->n = 0;
    if (!text)
        return 0;
    char *src = md_inline_source(text);
    MdCtx c = {.path = path, .text = src, .len = strlen(src), .first_line = line,
               .col_shift = col > 0 ? col - 1 : 0, .doc = doc, .a = a, .dl = dl};
    DocBlocks blocks;
    int rc = md_parse(&c, &blocks);
    int total = 0;
    for (int i = 0; i < blocks.n; i++)
        total += blocks.v[i].in.n + (i > 0);
    out->runs = arena_calloc(a, (size_t)total, sizeof *out->runs);
    for (int i = 0; i < blocks.n; i++) {
        if (i > 0)   /* should not happen after escaping; keep the words apart anyway */
            out->runs[out->n++] = (DocRun){" ", 0, NULL, 0, line, col};
        if (blocks.v[i].in.n > 0)   /* (a block without text has no runs at all) */
            memcpy(out->runs + out->n, blocks.v[i].in.runs,
                   (size_t)blocks.v[i].in.n * sizeof *out->runs);
        out->n += blocks.v[i].in.n;
    }
    free(src);
    return rc;
}
