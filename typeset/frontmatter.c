/* frontmatter.c — reads an article source: checks the bytes, splits off the
 * YAML front matter, turns it into doc->meta and doc->refs, then hands the body,
 * the abstract and the reference texts to markdown.c.  Everything kept is copied
 * into the caller's Arena; the YAML tree built here lives in a scratch arena that
 * is freed before frontmatter_parse returns. */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* ---- reading and checking the bytes ---------------------------------------*/

static int source_read(const char *path, const char *buf, size_t len, Doc *doc, Arena *a,
                       DiagList *dl, int light);

static int source_read_path(const char *path, Doc *doc, Arena *a, DiagList *dl, int light)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    int err = fd < 0 ? errno : fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (err) {
        if (fd >= 0)
            close(fd);
        diag_add(dl, DIAG_ERROR, path, 1, 1, "cannot read file: %s", strerror(err));
        return -1;
    }
    if (S_ISREG(st.st_mode) && st.st_size > (off_t)SRC_MAX_BYTES) {
        close(fd);
        diag_add(dl, DIAG_ERROR, path, 1, 1, "file too large: %lld bytes, limit %u",
                 (long long)st.st_size, SRC_MAX_BYTES);
        return -1;
    }
    /* Read to EOF rather than trusting st_size: pipes and growing files have none. */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (len == cap)
            buf = xrealloc(buf, cap *= 2);
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            diag_add(dl, DIAG_ERROR, path, 1, 1, "cannot read file: %s", strerror(errno));
            close(fd);
            free(buf);
            return -1;
        }
        if (got == 0 || (len += (size_t)got) > SRC_MAX_BYTES)
            break;
    }
    close(fd);
    if (len > SRC_MAX_BYTES) {
        diag_add(dl, DIAG_ERROR, path, 1, 1, "file too large: more than %u bytes, limit %u",
                 SRC_MAX_BYTES, SRC_MAX_BYTES);
        free(buf);
        return -1;
    }
    int rc = source_read(path, buf, len, doc, a, dl, light);
    free(buf);     /* everything kept in doc was copied into the arena */
    return rc;
}

int source_read_file(const char *path, Doc *doc, Arena *a, DiagList *dl)
{
    return source_read_path(path, doc, a, dl, 0);
}

int source_read_file_light(const char *path, Doc *doc, Arena *a, DiagList *dl)
{
    return source_read_path(path, doc, a, dl, 1);
}

/* Returns a heap copy of s with CRLF and lone CR turned into LF, or NULL when s
 * has no CR.  Doing it once here keeps every later line count simple; line
 * numbers are unchanged and columns only lose the invisible CR. */
static char *src_normalise_newlines(const char *s, size_t len, size_t *out_len)
{
    if (!memchr(s, '\r', len))
        return NULL;
    char *d = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\r')
            d[n++] = s[i];
        else if (i + 1 >= len || s[i + 1] != '\n')
            d[n++] = '\n';
    }
    d[n] = 0;
    *out_len = n;
    return d;
}

/* Refuses what is not a UTF-8 text file; 0 when buf is acceptable. */
static int src_check_bytes(const char *path, const char *buf, size_t len, DiagList *dl)
{
    if (len == 0) {
        diag_add(dl, DIAG_ERROR, path, 1, 1,
                 "empty file: expected front matter starting with '---'");
        return -1;
    }
    int line = 1, col = 1;
    long bad = utf8_find_invalid(buf, len, &line, &col);
    if (bad < 0)
        return 0;
    unsigned char c = (unsigned char)buf[bad];
    if (c == 0)
        diag_add(dl, DIAG_ERROR, path, line, col, "binary file: NUL byte");
    else
        diag_add(dl, DIAG_ERROR, path, line, col, "invalid UTF-8 byte 0x%02X", c);
    return -1;
}

/* The title's inline Markdown (*emphasis*, `code`), set in the title block;
 * everything else that shows the title (PDF metadata, running heads, the
 * citation block, the contents) takes its plain text.  A footnote mark cannot
 * be set there: a warning, and it prints as written. */
static int fm_title_inline(const char *path, Doc *doc, Arena *a, DiagList *dl)
{
    DocMeta *m = &doc->meta;
    const char *fn = strstr(m->title, "[^");
    if (fn)
        diag_add(dl, DIAG_WARNING, path, m->title_line, m->title_col,
                 "a footnote mark in the title is printed as text: notes belong in the body");
    if (markdown_parse_inline(path, m->title, m->title_line, m->title_col, doc, &m->title_in, a,
                              dl) != 0)
        return -1;
    GString *g = g_string_new(NULL);
    for (int i = 0; i < m->title_in.n; i++)
        if (!m->title_in.runs[i].footnote)
            g_string_append(g, strcmp(m->title_in.runs[i].text, "\n") ? m->title_in.runs[i].text : " ");
    if (g->len > 0)
        m->title = arena_strdup(a, g->str);
    g_string_free(g, TRUE);
    return 0;
}

/* The driver: validate → front matter → body → abstract → reference texts.
 * Body and abstract are parsed even after a front-matter value error so that
 * one run reports as much as it can; a broken split stops everything. */
int source_read_buffer(const char *path, const char *buf, size_t len, Doc *doc, Arena *a,
                       DiagList *dl)
{
    return source_read(path, buf, len, doc, a, dl, 0);
}

/* The body, the abstract and the reference texts. */
static int source_parse_rest(const char *path, const char *body, size_t body_len, Doc *doc,
                             Arena *a, DiagList *dl)
{
    int rc = 0;
    if (markdown_parse(path, body, body_len, doc->body_line, doc, &doc->body, 1, a, dl))
        rc = -1;
    if (doc->meta.abstract
        && markdown_parse(path, doc->meta.abstract, strlen(doc->meta.abstract),
                          doc->meta.abstract_line, doc, &doc->abstract, 0, a, dl))
        rc = -1;
    for (int i = 0; i < doc->n_refs; i++) {
        DocRef *r = &doc->refs[i];
        if (markdown_parse_inline(path, r->text, r->line, r->col, doc, &r->in, a, dl))
            rc = -1;
    }
    return rc;
}

int source_complete(Doc *doc, Arena *a, DiagList *dl)
{
    if (!doc->light)
        return 0;
    doc->light = 0;
    return source_parse_rest(doc->path, doc->body_src, doc->body_src_len, doc, a, dl);
}

static int source_read(const char *path, const char *buf, size_t len, Doc *doc, Arena *a,
                       DiagList *dl, int light)
{
    doc->path = arena_strdup(a, path);
    if (len > SRC_MAX_BYTES) {
        diag_add(dl, DIAG_ERROR, path, 1, 1, "file too large: %zu bytes, limit %u", len,
                 SRC_MAX_BYTES);
        return -1;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;  /* a BOM says nothing we need; positions ignore it as editors do */
        len -= 3;
    }
    size_t nlen = len;
    char *norm = src_normalise_newlines(buf, len, &nlen);
    if (norm)
        buf = norm, len = nlen;
    int rc = src_check_bytes(path, buf, len, dl);
    const char *body = NULL;
    size_t body_len = 0;
    int body_line = 0;
    if (rc == 0)
        rc = frontmatter_parse(path, buf, len, doc, a, dl, &body, &body_len, &body_line);
    if (body) {
        doc->body_line = body_line;
        if (light) {
            doc->light = 1;
            doc->body_src = arena_strndup(a, body, body_len);
            doc->body_src_len = body_len;
        } else if (source_parse_rest(path, body, body_len, doc, a, dl) != 0) {
            rc = -1;
        }
        if (doc->meta.title && fm_title_inline(path, doc, a, dl) != 0)
            rc = -1;
    }
    free(norm);
    return rc;
}

/* ---- splitting off the front matter ---------------------------------------*/

/* Whether the line s[0..n) (without its newline) is `mark` plus optional
 * trailing blanks. */
static int fm_is_fence(const char *s, size_t n, const char *mark)
{
    if (n < 3 || memcmp(s, mark, 3) != 0)
        return 0;
    for (size_t i = 3; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

/* Finds the YAML block and the body; 0 or -1 with an error at 1:1. */
static int fm_split(const char *path, const char *buf, size_t len, DiagList *dl,
                    const char **yaml, size_t *ylen, const char **body, size_t *body_len,
                    int *body_line)
{
    const char *end = buf + len;
    const char *nl = memchr(buf, '\n', len);
    if (!fm_is_fence(buf, (size_t)((nl ? nl : end) - buf), "---")) {
        diag_add(dl, DIAG_ERROR, path, 1, 1,
                 "expected front matter: the file must start with a '---' line");
        return -1;
    }
    const char *start = nl ? nl + 1 : end;
    int line = 2;
    for (const char *p = start; p < end; line++) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((e ? e : end) - p);
        if (fm_is_fence(p, n, "---") || fm_is_fence(p, n, "...")) {
            *yaml = start;
            *ylen = (size_t)(p - start);
            *body = e ? e + 1 : end;
            *body_len = (size_t)(end - *body);
            *body_line = line + 1;
            return 0;
        }
        p = e ? e + 1 : end;
    }
    diag_add(dl, DIAG_ERROR, path, 1, 1, "unterminated front matter: no closing '---' line");
    return -1;
}

/* ---- the YAML tree ---------------------------------------------------------
 * Built from libyaml events so that the event pass that refuses aliases and
 * caps depth is also the only parse: no yaml_parser_load, no recursion.  A map's
 * kids alternate key, value.  Positions are already file positions. */
typedef enum { YN_SCALAR, YN_SEQ, YN_MAP } YKind;

typedef struct YNode {
    YKind kind;
    const char *s;        /* scalar text (NUL-terminated copy) */
    int null_;            /* plain `~`, `null` or nothing: "not given" */
    int plain;            /* untagged plain scalar: may read as number or boolean */
    int block;            /* literal `|` or folded `>`: text starts on the next line */
    int line, col;
    struct YNode **kid;
    int n;
} YNode;

typedef struct FmCtx {
    const char *path;
    Doc *doc;
    Arena *a;             /* the article's arena: what we keep */
    Arena tmp;            /* the YAML tree */
    DiagList *dl;
    int rc;               /* -1 once an error was added */
} FmCtx;

/* Front matter's first line is file line 2; libyaml marks are 0-based. */
#define FM_LINE(mark) ((int)(mark).line + 2)
#define FM_COL(mark) ((int)(mark).column + 1)

static void fm_error(FmCtx *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fm_error(FmCtx *c, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_addv(c->dl, DIAG_ERROR, c->path, line, col, fmt, ap);
    va_end(ap);
    c->rc = -1;
}

typedef struct YBuild {
    YNode *open[SRC_MAX_YAML_DEPTH];                /* containers being filled */
    VEC(YNode *) kids[SRC_MAX_YAML_DEPTH];
    int depth;
    YNode *root;
    int docs;
} YBuild;

static void yb_attach(YBuild *b, YNode *n)
{
    if (b->depth == 0)
        b->root = n;
    else
        VEC_PUSH(b->kids[b->depth - 1], n);
}

static YNode *yb_node(FmCtx *c, YKind kind, const yaml_event_t *ev)
{
    YNode *n = arena_alloc(&c->tmp, sizeof *n);
    n->kind = kind;
    n->line = FM_LINE(ev->start_mark);
    n->col = FM_COL(ev->start_mark);
    return n;
}

static int yb_is_null(const char *s, size_t n)
{
    return n == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0
           || strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

static void yb_scalar(FmCtx *c, YBuild *b, const yaml_event_t *ev)
{
    YNode *n = yb_node(c, YN_SCALAR, ev);
    size_t len = ev->data.scalar.length;
    n->s = arena_strndup(&c->tmp, (const char *)ev->data.scalar.value, len);
    yaml_scalar_style_t st = ev->data.scalar.style;
    n->plain = st == YAML_PLAIN_SCALAR_STYLE && ev->data.scalar.plain_implicit;
    n->null_ = n->plain && yb_is_null(n->s, len);
    n->block = st == YAML_LITERAL_SCALAR_STYLE || st == YAML_FOLDED_SCALAR_STYLE;
    yb_attach(b, n);
}

/* Opens a sequence or map; refuses nesting past SRC_MAX_YAML_DEPTH. */
static int yb_open(FmCtx *c, YBuild *b, YKind kind, const yaml_event_t *ev)
{
    if (b->depth >= SRC_MAX_YAML_DEPTH) {
        fm_error(c, FM_LINE(ev->start_mark), FM_COL(ev->start_mark),
                 "nesting deeper than %d levels", SRC_MAX_YAML_DEPTH);
        return -1;
    }
    YNode *n = yb_node(c, kind, ev);
    yb_attach(b, n);
    b->open[b->depth] = n;
    b->kids[b->depth].n = 0;
    b->depth++;
    return 0;
}

static void yb_close(FmCtx *c, YBuild *b)
{
    b->depth--;
    YNode *n = b->open[b->depth];
    n->n = b->kids[b->depth].n;
    n->kid = arena_calloc(&c->tmp, (size_t)n->n, sizeof *n->kid);
    if (n->n)
        memcpy(n->kid, b->kids[b->depth].v, (size_t)n->n * sizeof *n->kid);
}

/* One event: 0 to go on, -1 after an error. */
static int yb_event(FmCtx *c, YBuild *b, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        /* Aliases are how "billion laughs" explodes; front matter never needs them. */
        fm_error(c, FM_LINE(ev->start_mark), FM_COL(ev->start_mark),
                 "YAML aliases are not allowed in front matter");
        return -1;
    case YAML_DOCUMENT_START_EVENT:
        if (++b->docs > 1) {
            fm_error(c, FM_LINE(ev->start_mark), FM_COL(ev->start_mark),
                     "YAML: front matter must be a single document");
            return -1;
        }
        return 0;
    case YAML_SCALAR_EVENT:
        yb_scalar(c, b, ev);
        return 0;
    case YAML_SEQUENCE_START_EVENT:
        return yb_open(c, b, YN_SEQ, ev);
    case YAML_MAPPING_START_EVENT:
        return yb_open(c, b, YN_MAP, ev);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        yb_close(c, b);
        return 0;
    default:
        return 0;
    }
}

/* Reports a libyaml parse error at its file position.  Reader errors (bad
 * encoding) carry only a byte offset, which we turn into a line/column. */
static void fm_yaml_error(FmCtx *c, const yaml_parser_t *p, const char *yaml, size_t len)
{
    int line = FM_LINE(p->problem_mark), col = FM_COL(p->problem_mark);
    if (p->error == YAML_READER_ERROR) {
        line = 2;
        col = 1;
        for (size_t i = 0; i < p->problem_offset && i < len; i++) {
            if (yaml[i] == '\n')
                line++, col = 1;
            else if (((unsigned char)yaml[i] & 0xC0) != 0x80)
                col++;
        }
    }
    const char *problem = p->problem ? p->problem : "syntax error";
    if (p->context)
        fm_error(c, line, col, "YAML: %s (%s)", problem, p->context);
    else
        fm_error(c, line, col, "YAML: %s", problem);
}

/* The event pass: builds the tree in c->tmp, or returns -1 after an error. */
static int fm_load(FmCtx *c, const char *yaml, size_t len, YNode **root)
{
    yaml_parser_t p;
    yaml_event_t ev;
    YBuild *b = xcalloc(1, sizeof *b);
    int rc = 0, done = 0;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    while (!done && rc == 0) {
        if (!yaml_parser_parse(&p, &ev)) {
            fm_yaml_error(c, &p, yaml, len);
            rc = -1;
            break;
        }
        rc = yb_event(c, b, &ev);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    *root = rc == 0 ? b->root : NULL;
    for (int i = 0; i < SRC_MAX_YAML_DEPTH; i++)
        free(b->kids[i].v);
    free(b);
    return rc;
}

/* ---- reading values ------------------------------------------------------*/

/* What a node is, for "expected X, found Y" messages. */
static const char *yn_what(const YNode *n)
{
    if (n->kind == YN_SEQ)
        return "a list";
    if (n->kind == YN_MAP)
        return "a map";
    if (n->null_)
        return "an empty value";
    if (n->plain) {
        static const char *const bools[] = {"true", "false", "True", "False", "TRUE",
                                            "FALSE", "yes", "no"};
        for (size_t i = 0; i < sizeof bools / sizeof *bools; i++)
            if (strcmp(n->s, bools[i]) == 0)
                return "a boolean";
        char *end;
        errno = 0;
        (void)strtod(n->s, &end);
        if (*n->s && !*end)
            return "a number";
    }
    return "a string";
}

/* A scalar as text in the article arena, trailing newlines of block scalars
 * dropped; NULL for an empty value.  Numbers and booleans are kept as written. */
static const char *fm_text(FmCtx *c, const YNode *v, const char *what)
{
    if (v->kind != YN_SCALAR) {
        fm_error(c, v->line, v->col, "%s must be text, found %s", what, yn_what(v));
        return NULL;
    }
    if (v->null_)
        return NULL;
    size_t n = strlen(v->s);
    while (n > 0 && v->s[n - 1] == '\n')
        n--;
    return arena_strndup(c->a, v->s, n);
}

/* Strips the resolver prefixes people paste ("https://doi.org/", "doi:") and
 * returns the bare DOI, or NULL when what is left does not start with "10.". */
static const char *fm_bare_doi(Arena *a, const char *s)
{
    static const char *const prefixes[] = {"https://doi.org/", "http://doi.org/",
                                           "https://dx.doi.org/", "http://dx.doi.org/",
                                           "doi.org/", "doi:"};
    while (*s == ' ' || *s == '\t')
        s++;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncasecmp(s, prefixes[i], n) == 0) {
            s += n;
            break;
        }
    }
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        n--;
    if (n < 4 || strncmp(s, "10.", 3) != 0)
        return NULL;
    return arena_strndup(a, s, n);
}

static const char *fm_doi(FmCtx *c, const YNode *v, const char *what)
{
    const char *s = fm_text(c, v, what);
    if (!s)
        return NULL;
    const char *doi = fm_bare_doi(c->a, s);
    if (!doi)
        fm_error(c, v->line, v->col, "%s must be a DOI starting with '10.', found '%s'",
                 what, s);
    return doi;
}

/* Checks and canonicalises a BCP 47 tag (language[-script][-region][-variant…]):
 * a 2–3 letter language, then subtags of 1–8 letters or digits.  Case is
 * normalised (en-US, zh-Hans) so later stages can compare prefixes.  NULL if
 * malformed. */
static const char *fm_lang_tag(Arena *a, const char *s)
{
    size_t n = strlen(s);
    char *t = arena_strndup(a, s, n);
    size_t i = 0, sub = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && g_ascii_isalnum(t[j]))
            j++;
        size_t k = j - i;
        if (k == 0 || k > 8 || (j < n && t[j] != '-') || (j + 1 == n))
            return NULL;
        for (size_t m = i; m < j; m++) {
            if (sub == 0 && !g_ascii_isalpha(t[m]))
                return NULL;
            int upper = (sub > 0 && k == 2) || (sub > 0 && k == 4 && m == i);
            t[m] = upper ? g_ascii_toupper(t[m]) : g_ascii_tolower(t[m]);
        }
        if (sub == 0 && (k < 2 || k > 3))
            return NULL;
        sub++;
        i = j + 1;
    }
    return sub ? t : NULL;
}

static void fm_lang(FmCtx *c, const YNode *v)
{
    const char *s = fm_text(c, v, "'lang'");
    if (!s)
        return;
    const char *tag = fm_lang_tag(c->a, s);
    if (!tag) {
        fm_error(c, v->line, v->col,
                 "malformed language tag '%s': expected e.g. 'en', 'ru-RU' or 'zh-Hans'", s);
        return;
    }
    c->doc->meta.lang = tag;
    size_t pl = strcspn(tag, "-");
    if (!(pl == 2 && (!strncmp(tag, "en", 2) || !strncmp(tag, "ru", 2)
                      || !strncmp(tag, "zh", 2))))
        diag_add(c->dl, DIAG_WARNING, c->path, v->line, v->col,
                 "unsupported language '%s': no hyphenation", tag);
}

static void fm_title(FmCtx *c, const YNode *v)
{
    const char *s = fm_text(c, v, "'title'");
    const char *p = s;
    while (p && (*p == ' ' || *p == '\t' || *p == '\n'))
        p++;
    if (v->kind == YN_SCALAR && (!p || !*p))
        fm_error(c, v->line, v->col, "'title' must not be empty");
    c->doc->meta.title = s;
    c->doc->meta.title_line = v->line;
    c->doc->meta.title_col = v->col;
}

static void fm_first_page(FmCtx *c, const YNode *v)
{
    const char *s = v->kind == YN_SCALAR && !v->null_ ? v->s : NULL;
    size_t nd = s ? strspn(s, "0123456789") : 0;
    long val = nd && nd < 10 && !s[nd] ? strtol(s, NULL, 10) : 0;
    if (val <= 0) {
        if (s)
            fm_error(c, v->line, v->col, "'first_page' must be a positive integer, found '%s'",
                     s);
        else
            fm_error(c, v->line, v->col, "'first_page' must be a positive integer, found %s",
                     yn_what(v));
        return;
    }
    c->doc->meta.first_page = (int)val;
}

static void fm_abstract(FmCtx *c, const YNode *v)
{
    if (v->kind == YN_SCALAR && v->null_)
        return;
    if (v->kind != YN_SCALAR) {
        fm_error(c, v->line, v->col, "'abstract' must be text, found %s", yn_what(v));
        return;
    }
    /* Kept whole (a trailing newline is harmless Markdown). */
    c->doc->meta.abstract = arena_strdup(c->a, v->s);
    c->doc->meta.abstract_line = v->line + (v->block ? 1 : 0);
}

/* Keywords: a list of texts, or one comma-separated text. */
static void fm_keywords(FmCtx *c, const YNode *v)
{
    VEC(const char *) kw = {0};
    if (v->kind == YN_SEQ) {
        for (int i = 0; i < v->n; i++) {
            const char *s = fm_text(c, v->kid[i], "each keyword");
            if (s && *s)
                VEC_PUSH(kw, s);
        }
    } else if (v->kind == YN_SCALAR) {
        for (const char *p = v->null_ ? "" : v->s; *p;) {
            size_t n = strcspn(p, ",");
            const char *e = p + n;
            while (p < e && g_ascii_isspace(*p))
                p++;
            while (e > p && g_ascii_isspace(e[-1]))
                e--;
            if (e > p)
                VEC_PUSH(kw, arena_strndup(c->a, p, (size_t)(e - p)));
            p += n + (p[n] == ',');
        }
    } else {
        fm_error(c, v->line, v->col, "'keywords' must be a list of texts, found %s",
                 yn_what(v));
    }
    c->doc->meta.n_keywords = kw.n;
    c->doc->meta.keywords = arena_calloc(c->a, (size_t)kw.n, sizeof *kw.v);
    if (kw.n)
        memcpy(c->doc->meta.keywords, kw.v, (size_t)kw.n * sizeof *kw.v);
    free(kw.v);
}

/* ---- maps: duplicate keys, field tables -------------------------------------*/

/* Records key k of a map in seen (name → key node); an error and 1 when it
 * was there already.  A non-text key is an error too. */
static int fm_key_seen(FmCtx *c, GHashTable *seen, const YNode *k)
{
    if (k->kind != YN_SCALAR) {
        fm_error(c, k->line, k->col, "keys must be text, found %s", yn_what(k));
        return 1;
    }
    const YNode *first = g_hash_table_lookup(seen, k->s);
    if (first) {
        fm_error(c, k->line, k->col, "duplicate key '%s' (first at %d:%d)", k->s,
                 first->line, first->col);
        return 1;
    }
    g_hash_table_insert(seen, (gpointer)k->s, (gpointer)k);
    return 0;
}

/* The text fields of an author, by offset into DocAuthor. */
static const struct {
    const char *key;
    size_t off;
} fm_author_fields[] = {
    {"name", offsetof(DocAuthor, name)},       {"affiliation", offsetof(DocAuthor, affiliation)},
    {"country", offsetof(DocAuthor, country)}, {"address", offsetof(DocAuthor, address)},
    {"email", offsetof(DocAuthor, email)},     {"orcid", offsetof(DocAuthor, orcid)},
    {"bio", offsetof(DocAuthor, bio)},
};

/* An ORCID iD: 16 digits in groups of four (the last may be X), after an
 * optional https://orcid.org/, with ISO 7064 MOD 11-2's check digit right. */
static int fm_orcid_ok(const char *s)
{
    static const char *const prefixes[] = {"https://orcid.org/", "http://orcid.org/", "orcid.org/"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0) {
            s += strlen(prefixes[i]);
            break;
        }
    if (strlen(s) != 19)
        return 0;
    int total = 0;
    for (int i = 0, d = 0; i < 19; i++) {
        if (i % 5 == 4) {
            if (s[i] != '-')
                return 0;
            continue;
        }
        if (++d == 16)
            return (s[i] == 'X' ? 10 : g_ascii_isdigit(s[i]) ? s[i] - '0' : -1) ==
                   (12 - (total % 11)) % 11;
        if (!g_ascii_isdigit(s[i]))
            return 0;
        total = (total + s[i] - '0') * 2;
    }
    return 0;
}

/* An e-mail address as a reader can use it: one '@', something before it, a
 * domain with a dot after it, no spaces. */
static int fm_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    return at && at > s && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
           at[1] != '.' && s[strlen(s) - 1] != '.' && !strpbrk(s, " \t,;<>");
}

static void fm_author(FmCtx *c, const YNode *m, int idx, DocAuthor *au)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    au->line = m->line;
    au->col = m->col;
    for (int i = 0; i + 1 < m->n; i += 2) {
        const YNode *k = m->kid[i], *v = m->kid[i + 1];
        if (fm_key_seen(c, seen, k))
            continue;
        size_t f = 0, nf = sizeof fm_author_fields / sizeof *fm_author_fields;
        while (f < nf && strcmp(fm_author_fields[f].key, k->s) != 0)
            f++;
        if (f == nf) {
            diag_add(c->dl, DIAG_WARNING, c->path, k->line, k->col,
                     "unknown author key '%s'", k->s);
            continue;
        }
        char what[48];
        snprintf(what, sizeof what, "'%s' of author %d", k->s, idx);
        const char *t = fm_text(c, v, what);
        *(const char **)((char *)au + fm_author_fields[f].off) = t;
        if (t && strcmp(k->s, "orcid") == 0 && !fm_orcid_ok(t))
            diag_add(c->dl, DIAG_WARNING, c->path, v->line, v->col,
                     "%s is not a valid ORCID iD (0000-0000-0000-000X, check digit included): %s",
                     what, t);
        else if (t && strcmp(k->s, "email") == 0 && !fm_email_ok(t))
            diag_add(c->dl, DIAG_WARNING, c->path, v->line, v->col,
                     "%s is not an e-mail address: %s", what, t);
    }
    if (!au->name)
        fm_error(c, m->line, m->col, "missing required key 'name' in author %d", idx);
    g_hash_table_destroy(seen);
}

/* Authors: a list of maps, or one map standing for a one-author list. */
static void fm_authors(FmCtx *c, const YNode *v)
{
    if (v->kind == YN_SCALAR && v->null_)
        return;
    const YNode *const *items = (const YNode *const *)v->kid;
    int n = v->n;
    if (v->kind == YN_MAP) {
        items = &v;
        n = 1;
    } else if (v->kind != YN_SEQ) {
        fm_error(c, v->line, v->col, "'authors' must be a list of maps, found %s",
                 yn_what(v));
        return;
    }
    DocMeta *m = &c->doc->meta;
    m->authors = arena_calloc(c->a, (size_t)n, sizeof *m->authors);
    for (int i = 0; i < n; i++) {
        if (items[i]->kind != YN_MAP) {
            fm_error(c, items[i]->line, items[i]->col,
                     "each author in 'authors' must be a map, found %s", yn_what(items[i]));
            continue;
        }
        fm_author(c, items[i], i + 1, &m->authors[m->n_authors++]);
    }
}

/* ---- references ------------------------------------------------------------*/

typedef struct RefPos {
    int line, col;
} RefPos;

/* Registers r's id; an error naming the first use when it is a duplicate. */
static void fm_ref_id(FmCtx *c, GHashTable *ids, const char *id, int line, int col)
{
    RefPos *first = g_hash_table_lookup(ids, id);
    if (first) {
        fm_error(c, line, col, "duplicate reference id '%s' (first at %d:%d)", id,
                 first->line, first->col);
        return;
    }
    RefPos *p = arena_alloc(&c->tmp, sizeof *p);
    p->line = line;
    p->col = col;
    g_hash_table_insert(ids, (gpointer)id, p);
}

/* A map item: id and text required, doi and url optional.  Returns 0 when
 * the item is usable. */
static int fm_ref_map(FmCtx *c, const YNode *m, int idx, DocRef *r, GHashTable *ids)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    const YNode *idnode = NULL;
    for (int i = 0; i + 1 < m->n; i += 2) {
        const YNode *k = m->kid[i], *v = m->kid[i + 1];
        if (fm_key_seen(c, seen, k))
            continue;
        if (strcmp(k->s, "id") == 0) {
            r->id = fm_text(c, v, "reference 'id'");
            idnode = v;
        } else if (strcmp(k->s, "text") == 0) {
            r->text = fm_text(c, v, "reference 'text'");
        } else if (strcmp(k->s, "doi") == 0) {
            r->doi = fm_doi(c, v, "reference 'doi'");
        } else if (strcmp(k->s, "url") == 0) {
            r->url = fm_text(c, v, "reference 'url'");
        } else {
            diag_add(c->dl, DIAG_WARNING, c->path, k->line, k->col,
                     "unknown reference key '%s'", k->s);
        }
    }
    g_hash_table_destroy(seen);
    if (!r->id)
        fm_error(c, m->line, m->col, "missing required key 'id' in reference %d", idx);
    if (!r->text)
        fm_error(c, m->line, m->col, "missing required key 'text' in reference %d", idx);
    if (r->id && idnode)
        fm_ref_id(c, ids, r->id, idnode->line, idnode->col);
    return r->id && r->text ? 0 : -1;
}

static void fm_references(FmCtx *c, const YNode *v)
{
    if (v->kind == YN_SCALAR && v->null_)
        return;
    if (v->kind != YN_SEQ) {
        fm_error(c, v->line, v->col, "'references' must be a list, found %s", yn_what(v));
        return;
    }
    Doc *d = c->doc;
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    d->refs = arena_calloc(c->a, (size_t)v->n, sizeof *d->refs);
    for (int i = 0; i < v->n; i++) {
        const YNode *it = v->kid[i];
        DocRef *r = &d->refs[d->n_refs];
        r->line = it->line;
        r->col = it->col;
        if (it->kind == YN_MAP) {
            if (fm_ref_map(c, it, i + 1, r, ids) == 0)
                d->n_refs++;
        } else if (it->kind == YN_SCALAR && !it->null_) {
            r->id = arena_printf(c->a, "ref%d", i + 1);
            r->text = fm_text(c, it, "reference");
            fm_ref_id(c, ids, r->id, it->line, it->col);
            d->n_refs++;
        } else {
            fm_error(c, it->line, it->col,
                     "each reference must be a text or a map with 'id' and 'text', found %s",
                     yn_what(it));
        }
        if (r->id == NULL || r->text == NULL)
            memset(r, 0, sizeof *r);
    }
    g_hash_table_destroy(ids);
}

/* ---- the top-level key table ------------------------------------------------
 * Every front-matter key, once: plain text keys name their DocMeta field;
 * the others have a reader of their own. */
typedef struct FmKey {
    const char *key;
    size_t off;                                   /* text field, when fn is NULL */
    void (*fn)(FmCtx *c, const YNode *v);
    int date;                                     /* the text field is a date (fm_date) */
} FmKey;

static void fm_meta_doi(FmCtx *c, const YNode *v)
{
    c->doc->meta.doi = fm_doi(c, v, "'doi'");
}

/* received, accepted, published: printed as written, so any text is taken,
 * but what looks like an ISO date (2022-01-28) must be a real day (an error
 * otherwise: 2023-13-45), and other text is worth a warning (dates are
 * written YYYY-MM-DD in this front matter). */
static const char *fm_date(FmCtx *c, const YNode *v, const char *key)
{
    char what[40];
    snprintf(what, sizeof what, "'%s'", key);
    const char *t = fm_text(c, v, what);
    if (!t)
        return NULL;
    int y = 0, m = 0, d = 0, iso = strlen(t) == 10 && t[4] == '-' && t[7] == '-';
    for (int i = 0; iso && i < 10; i++)
        iso = i == 4 || i == 7 || g_ascii_isdigit(t[i]);
    if (iso) {
        y = atoi(t);
        m = atoi(t + 5);
        d = atoi(t + 8);
        if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y) || y < 1000) {
            fm_error(c, v->line, v->col, "'%s' is not a real date: %s", key, t);
            return NULL;
        }
    } else {
        diag_add(c->dl, DIAG_WARNING, c->path, v->line, v->col,
                 "'%s' is not a date in the form YYYY-MM-DD: %s (printed as written)", key, t);
    }
    return t;
}

#define FM_TEXT(k) {#k, offsetof(DocMeta, k), NULL, 0}
#define FM_DATE(k) {#k, offsetof(DocMeta, k), NULL, 1}
static const FmKey fm_keys[] = {
    {"title", 0, fm_title, 0},          FM_TEXT(subtitle),
    {"lang", 0, fm_lang, 0},            {"doi", 0, fm_meta_doi, 0},
    FM_TEXT(article_type),              {"authors", 0, fm_authors, 0},
    {"abstract", 0, fm_abstract, 0},    {"keywords", 0, fm_keywords, 0},
    FM_DATE(received),                  FM_DATE(accepted),
    FM_DATE(published),                 FM_TEXT(license),
    FM_TEXT(journal),                   FM_TEXT(issn),
    FM_TEXT(volume),                    FM_TEXT(number),
    FM_TEXT(year),                      {"first_page", 0, fm_first_page, 0},
    {"references", 0, fm_references, 0},
};
#undef FM_TEXT
#undef FM_DATE

static void fm_key(FmCtx *c, const YNode *k, const YNode *v)
{
    for (size_t i = 0; i < sizeof fm_keys / sizeof *fm_keys; i++) {
        if (strcmp(fm_keys[i].key, k->s) != 0)
            continue;
        if (fm_keys[i].fn) {
            fm_keys[i].fn(c, v);
        } else {
            char what[40];
            snprintf(what, sizeof what, "'%s'", k->s);
            *(const char **)((char *)&c->doc->meta + fm_keys[i].off) =
                fm_keys[i].date ? fm_date(c, v, k->s) : fm_text(c, v, what);
        }
        return;
    }
    diag_add(c->dl, DIAG_WARNING, c->path, k->line, k->col, "unknown front-matter key '%s'",
             k->s);
}

static void fm_meta(FmCtx *c, const YNode *root)
{
    if (root && root->kind != YN_MAP && !root->null_) {
        fm_error(c, root->line, root->col,
                 "front matter must be a map of 'key: value' lines, found %s", yn_what(root));
        return;
    }
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; root && i + 1 < root->n; i += 2)
        if (!fm_key_seen(c, seen, root->kid[i]))
            fm_key(c, root->kid[i], root->kid[i + 1]);
    if (!g_hash_table_contains(seen, "title"))
        fm_error(c, 1, 1, "missing required front-matter key 'title'");
    g_hash_table_destroy(seen);
}

int frontmatter_parse(const char *path, const char *buf, size_t len, Doc *doc, Arena *a,
                      DiagList *dl, const char **body, size_t *body_len, int *body_line)
{
    const char *yaml = NULL;
    size_t ylen = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        buf += 3, len -= 3;
    *body = NULL;
    *body_len = 0;
    *body_line = 0;
    doc->meta.lang = "en";
    const char *b;
    size_t bl;
    int line;
    if (fm_split(path, buf, len, dl, &yaml, &ylen, &b, &bl, &line))
        return -1;
    if (ylen > SRC_MAX_FRONT_BYTES) {
        diag_add(dl, DIAG_ERROR, path, 2, 1, "front matter too large: %zu bytes, limit %u",
                 ylen, SRC_MAX_FRONT_BYTES);
        return -1;
    }
    FmCtx c = {.path = path, .doc = doc, .a = a, .dl = dl};
    arena_init(&c.tmp);
    YNode *root = NULL;
    if (fm_load(&c, yaml, ylen, &root) == 0)
        fm_meta(&c, root);
    arena_fini(&c.tmp);
    *body = b;
    *body_len = bl;
    *body_line = line;
    return c.rc;
}
