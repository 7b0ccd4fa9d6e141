/* manifest.c — see manifest.h.  Two steps: an event pass builds a small tree
 * (refusing aliases, a second document and nesting past MANIFEST_MAX_DEPTH
 * before libyaml's quadratic nesting cost can bite, LIBRARY-NOTES §9), then a
 * walk over a key table fills the Manifest.  The tree lives in a scratch arena
 * freed before manifest_load returns. */
#include "manifest.h"
#include "style.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

typedef enum { MN_SCALAR, MN_SEQ, MN_MAP } MnKind;

/* A node; a map's kids alternate key, value.  line/col are 1-based. */
typedef struct MNode {
    MnKind kind;
    const char *s;
    int null_;              /* plain empty, "~" or "null" */
    int plain;              /* plain scalar: may read as a number */
    int line, col;
    struct MNode **kid;
    int n;
} MNode;

typedef VEC(ManifestArticle) ArticleVec;
typedef VEC(ManifestSection) SectionVec;

typedef struct MCtx {
    Manifest *m;
    Arena tmp;
    DiagList *dl;
    int rc;
} MCtx;

static void m_error(MCtx *c, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void m_error(MCtx *c, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_addv(c->dl, DIAG_ERROR, c->m->path, line, col, fmt, ap);
    va_end(ap);
    c->rc = -1;
}

/* ---- the event pass ---------------------------------------------------------*/

typedef struct MBuild {
    MNode *open[MANIFEST_MAX_DEPTH];
    VEC(MNode *) kids[MANIFEST_MAX_DEPTH];
    int depth, docs;
    MNode *root;
} MBuild;

static MNode *mb_add(MCtx *c, MBuild *b, MnKind kind, const yaml_event_t *ev)
{
    MNode *n = arena_alloc(&c->tmp, sizeof *n);
    n->kind = kind;
    n->line = (int)ev->start_mark.line + 1;     /* libyaml marks are 0-based */
    n->col = (int)ev->start_mark.column + 1;
    if (b->depth == 0)
        b->root = n;
    else
        VEC_PUSH(b->kids[b->depth - 1], n);
    return n;
}

/* One event: 0 to go on, -1 after an error. */
static int mb_event(MCtx *c, MBuild *b, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        m_error(c, line, col, "YAML aliases are not allowed in an issue manifest");
        return -1;
    case YAML_DOCUMENT_START_EVENT:
        if (++b->docs > 1) {
            m_error(c, line, col, "an issue manifest must be a single YAML document");
            return -1;
        }
        return 0;
    case YAML_SCALAR_EVENT: {
        MNode *n = mb_add(c, b, MN_SCALAR, ev);
        size_t len = ev->data.scalar.length;
        n->s = arena_strndup(&c->tmp, (const char *)ev->data.scalar.value, len);
        n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && ev->data.scalar.plain_implicit;
        n->null_ = n->plain && (len == 0 || !strcmp(n->s, "~") || !strcmp(n->s, "null"));
        return 0;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (b->depth >= MANIFEST_MAX_DEPTH) {
            m_error(c, line, col, "nesting deeper than %d levels", MANIFEST_MAX_DEPTH);
            return -1;
        }
        b->open[b->depth] = mb_add(c, b, ev->type == YAML_MAPPING_START_EVENT ? MN_MAP : MN_SEQ, ev);
        b->kids[b->depth].n = 0;
        b->depth++;
        return 0;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        MNode *n = b->open[--b->depth];
        n->n = b->kids[b->depth].n;
        n->kid = arena_calloc(&c->tmp, (size_t)n->n + 1, sizeof *n->kid);
        if (n->n)           /* memcpy from NULL is undefined even for 0 bytes */
            memcpy(n->kid, b->kids[b->depth].v, (size_t)n->n * sizeof *n->kid);
        return 0;
    }
    default:
        return 0;
    }
}

static MNode *m_parse(MCtx *c, const char *text, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    MBuild *b = xcalloc(1, sizeof *b);
    int rc = 0, done = 0;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done && rc == 0) {
        if (!yaml_parser_parse(&p, &ev)) {
            m_error(c, (int)p.problem_mark.line + 1, (int)p.problem_mark.column + 1, "YAML: %s%s%s%s",
                    p.problem ? p.problem : "syntax error", p.context ? " (" : "",
                    p.context ? p.context : "", p.context ? ")" : "");
            rc = -1;
            break;
        }
        rc = mb_event(c, b, &ev);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    MNode *root = rc == 0 ? b->root : NULL;
    for (int i = 0; i < MANIFEST_MAX_DEPTH; i++)
        free(b->kids[i].v);
    free(b);
    return root;
}

/* ---- values -------------------------------------------------------------------*/

/* strerror in lower case, as diagnostics are written; in the arena. */
static const char *m_strerror(MCtx *c, int err)
{
    char *s = arena_strdup(&c->tmp, g_strerror(err));
    s[0] = g_ascii_tolower(s[0]);
    return s;
}

static const char *what(const MNode *n)
{
    return n->kind == MN_SEQ ? "a list" : n->kind == MN_MAP ? "a map"
           : n->null_ ? "an empty value" : "text";
}

/* A non-empty scalar copied into the manifest's arena, or NULL after an error. */
static const char *m_text(MCtx *c, const MNode *v, const char *key)
{
    if (v->kind != MN_SCALAR || v->null_ || !*v->s) {
        m_error(c, v->line, v->col, "'%s' must be text, found %s", key, what(v));
        return NULL;
    }
    return arena_strdup(&c->m->arena, v->s);
}

/* A path from the manifest, resolved against its directory. */
static const char *m_path(MCtx *c, const char *p)
{
    if (g_path_is_absolute(p))
        return arena_strdup(&c->m->arena, p);
    char *full = g_build_filename(c->m->dir, p, NULL);
    const char *r = arena_strdup(&c->m->arena, full);
    g_free(full);
    return r;
}

/* Each map key once, each a scalar; returns 0 when k may be used. */
static int m_key_ok(MCtx *c, GHashTable *seen, const MNode *k)
{
    if (k->kind != MN_SCALAR) {
        m_error(c, k->line, k->col, "keys must be text, found %s", what(k));
        return -1;
    }
    const MNode *first = g_hash_table_lookup(seen, k->s);
    if (first) {
        m_error(c, k->line, k->col, "duplicate key '%s' (first at %d:%d)", k->s, first->line,
                first->col);
        return -1;
    }
    g_hash_table_insert(seen, (gpointer)k->s, (gpointer)k);
    return 0;
}

static void m_first_page(MCtx *c, const MNode *v)
{
    char *end = NULL;
    long n = v->kind == MN_SCALAR && !v->null_ ? strtol(v->s, &end, 10) : 0;
    if (!end || *end || end == v->s || n < 1 || n > 1000000) {
        m_error(c, v->line, v->col, "'first_page' must be a whole number from 1 to 1000000, found %s",
                v->kind == MN_SCALAR && !v->null_ ? v->s : what(v));
        return;
    }
    c->m->first_page = (int)n;
    c->m->first_page_line = v->line;
    c->m->first_page_col = v->col;
}

static void m_lang(MCtx *c, const MNode *v)
{
    const char *s = m_text(c, v, "lang");
    if (!s)
        return;
    if (!g_regex_match_simple("^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$", s, 0, 0)) {
        m_error(c, v->line, v->col, "'lang' must be a BCP 47 tag such as en or ru, found '%s'", s);
        return;
    }
    /* it picks the cover's and contents' labels, which exist in these
     * languages only (issuefront.c); another would get English labels under
     * its own /Lang, so it is refused rather than warned about as an
     * article's is (an article in it is still set, only not hyphenated) */
    static const char *const labelled[] = {"en", "ru", "zh"};
    size_t pl = strcspn(s, "-");
    int ok = 0;
    for (size_t i = 0; i < sizeof labelled / sizeof *labelled; i++)
        ok |= pl == 2 && g_ascii_strncasecmp(s, labelled[i], 2) == 0;
    if (!ok) {
        m_error(c, v->line, v->col,
                "unsupported language '%s': the cover and contents are labelled in en, ru or zh", s);
        return;
    }
    c->m->lang = s;
}

/* Whether style_load takes s as a path rather than a name (style.c's is_path). */
static void m_style(MCtx *c, const MNode *v)
{
    const char *s = m_text(c, v, "style");
    /* a path (as style_load tells them apart) is relative to the manifest */
    if (s && style_is_path(s))
        s = m_path(c, s);
    c->m->style = s;
    c->m->style_line = v->line;
    c->m->style_col = v->col;
}

static void m_cover(MCtx *c, const MNode *v)
{
    if (v->kind != MN_MAP) {
        m_error(c, v->line, v->col, "'cover' must be a map with 'title' and 'image', found %s", what(v));
        return;
    }
    Manifest *m = c->m;
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i + 1 < v->n; i += 2) {
        const MNode *k = v->kid[i], *x = v->kid[i + 1];
        if (m_key_ok(c, seen, k) != 0)
            continue;
        if (strcmp(k->s, "title") == 0) {
            /* a list of lines; one line may be given as plain text */
            int n = x->kind == MN_SEQ ? x->n : 1;
            m->cover_title = arena_calloc(&m->arena, (size_t)n + 1, sizeof *m->cover_title);
            for (int j = 0; j < n; j++) {
                const char *s = m_text(c, x->kind == MN_SEQ ? x->kid[j] : x, "cover.title");
                if (s)
                    m->cover_title[m->n_cover_title++] = s;
            }
        } else if (strcmp(k->s, "image") == 0) {
            const char *s = m_text(c, x, "cover.image");
            if (s) {
                m->cover_image = m_path(c, s);
                m->cover_image_line = x->line;
                m->cover_image_col = x->col;
                if (access(m->cover_image, R_OK) != 0)
                    m_error(c, x->line, x->col, "cannot read cover image '%s': %s", s,
                            m_strerror(c, errno));
            }
        } else {
            m_error(c, k->line, k->col, "unknown key 'cover.%s' (expected title, image)", k->s);
        }
    }
    g_hash_table_destroy(seen);
}

/* Appends the entries of an `articles:` list to out. */
static void m_article_list(MCtx *c, const MNode *v, int section, ArticleVec *out)
{
    if (v->kind != MN_SEQ || v->n == 0) {
        m_error(c, v->line, v->col, "'articles' must be a non-empty list of article files, found %s",
                v->kind == MN_SEQ ? "an empty list" : what(v));
        return;
    }
    for (int i = 0; i < v->n; i++) {
        const MNode *e = v->kid[i];
        const char *name = m_text(c, e, "articles");
        if (!name)
            continue;
        char *base = g_path_get_basename(name);
        char *dot = strrchr(base, '.');
        if (dot && dot != base)
            *dot = 0;
        ManifestArticle a = {.name = name, .path = m_path(c, name), .section = section,
                             .stem = arena_strdup(&c->m->arena, base), .line = e->line, .col = e->col};
        g_free(base);
        VEC_PUSH(*out, a);
    }
}

static void m_section(MCtx *c, const MNode *v, SectionVec *secs, ArticleVec *arts)
{
    if (v->kind != MN_MAP) {
        m_error(c, v->line, v->col, "a section must be a map with 'title' and 'articles', found %s",
                what(v));
        return;
    }
    ManifestSection s = {.line = v->line, .col = v->col};
    const MNode *list = NULL;
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i + 1 < v->n; i += 2) {
        const MNode *k = v->kid[i], *x = v->kid[i + 1];
        if (m_key_ok(c, seen, k) != 0)
            continue;
        if (strcmp(k->s, "title") == 0)
            s.title = m_text(c, x, "title");
        else if (strcmp(k->s, "articles") == 0)
            list = x;
        else
            m_error(c, k->line, k->col, "unknown key '%s' in a section (expected title, articles)", k->s);
    }
    g_hash_table_destroy(seen);
    if (!s.title)
        m_error(c, v->line, v->col, "section without a 'title'");
    if (!list)
        m_error(c, v->line, v->col, "section without 'articles'");
    else
        m_article_list(c, list, secs->n, arts);
    VEC_PUSH(*secs, s);
}

#define M_TEXT(k) {#k, offsetof(Manifest, k), NULL}
static const struct {
    const char *key;
    size_t off;                                 /* text fields */
    void (*fn)(MCtx *, const MNode *);          /* the rest */
} m_keys[] = {
    M_TEXT(journal), M_TEXT(issn), M_TEXT(volume), M_TEXT(number), M_TEXT(year),
    {"first_page", 0, m_first_page}, {"lang", 0, m_lang}, {"style", 0, m_style},
    {"cover", 0, m_cover},
};
#undef M_TEXT

/* The top-level map; `sections` and `articles` are collected for m_finish. */
static void m_walk(MCtx *c, const MNode *root, const MNode **sections, const MNode **articles)
{
    if (!root || root->kind != MN_MAP) {
        m_error(c, root ? root->line : 1, root ? root->col : 1,
                "an issue manifest must be a map of 'key: value' lines, found %s",
                root ? what(root) : "nothing");
        return;
    }
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i + 1 < root->n; i += 2) {
        const MNode *k = root->kid[i], *v = root->kid[i + 1];
        if (m_key_ok(c, seen, k) != 0)
            continue;
        if (strcmp(k->s, "sections") == 0) {
            *sections = v;
            continue;
        }
        if (strcmp(k->s, "articles") == 0) {
            *articles = v;
            continue;
        }
        size_t j = 0;
        while (j < sizeof m_keys / sizeof *m_keys && strcmp(m_keys[j].key, k->s) != 0)
            j++;
        if (j == sizeof m_keys / sizeof *m_keys)
            m_error(c, k->line, k->col,
                    "unknown key '%s' (expected journal, issn, volume, number, year, first_page, "
                    "lang, style, cover, sections or articles)", k->s);
        else if (m_keys[j].fn)
            m_keys[j].fn(c, v);
        else
            *(const char **)((char *)c->m + m_keys[j].off) = m_text(c, v, k->s);
    }
    g_hash_table_destroy(seen);
}

/* Builds the article list and checks it: every file readable (all missing ones
 * reported), none listed twice, no two writing the same OUTDIR/STEM.pdf. */
static void m_articles(MCtx *c, const MNode *root, const MNode *sections, const MNode *articles)
{
    Manifest *m = c->m;
    SectionVec secs = {0};
    ArticleVec arts = {0};
    if (sections && articles)
        m_error(c, articles->line, articles->col, "give either 'sections' or 'articles', not both");
    else if (!sections && !articles)
        m_error(c, root->line, root->col, "missing 'sections' or 'articles': the issue has no articles");
    else if (articles)
        m_article_list(c, articles, -1, &arts);
    else if (sections->kind != MN_SEQ || sections->n == 0)
        m_error(c, sections->line, sections->col, "'sections' must be a non-empty list, found %s",
                sections->kind == MN_SEQ ? "an empty list" : what(sections));
    else
        for (int i = 0; i < sections->n; i++)
            m_section(c, sections->kid[i], &secs, &arts);
    if (arts.n > MANIFEST_MAX_ARTICLES)
        m_error(c, root->line, root->col, "%d articles, more than the limit of %d", arts.n,
                MANIFEST_MAX_ARTICLES);
    GHashTable *paths = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *stems = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i < arts.n; i++) {
        ManifestArticle *a = &arts.v[i];
        struct stat st;
        const ManifestArticle *same;
        if (stat(a->path, &st) != 0 || access(a->path, R_OK) != 0)
            m_error(c, a->line, a->col, "cannot read article '%s': %s", a->name, m_strerror(c, errno));
        else if (!S_ISREG(st.st_mode))
            m_error(c, a->line, a->col, "article '%s' is not a regular file", a->name);
        else if ((same = g_hash_table_lookup(paths, a->path)))
            m_error(c, a->line, a->col, "article '%s' is listed twice (first at %d:%d)", a->name,
                    same->line, same->col);
        else if ((same = g_hash_table_lookup(stems, a->stem)) || strcmp(a->stem, "issue") == 0)
            m_error(c, a->line, a->col, "article '%s' would be written to '%s.pdf', %s", a->name,
                    a->stem, same ? "as is an earlier article" : "the name of the issue itself");
        g_hash_table_insert(paths, (gpointer)a->path, a);
        g_hash_table_insert(stems, (gpointer)a->stem, a);
    }
    g_hash_table_destroy(paths);
    g_hash_table_destroy(stems);
    m->n_sections = secs.n;
    m->sections = arena_calloc(&m->arena, (size_t)secs.n + 1, sizeof *m->sections);
    if (secs.n)             /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(m->sections, secs.v, (size_t)secs.n * sizeof *secs.v);
    m->n_articles = arts.n;
    m->articles = arena_calloc(&m->arena, (size_t)arts.n + 1, sizeof *m->articles);
    if (arts.n)
        memcpy(m->articles, arts.v, (size_t)arts.n * sizeof *arts.v);
    free(secs.v);
    free(arts.v);
}

/* The file's bytes, refused when over-size, not UTF-8 or containing NUL. */
static char *m_read(MCtx *c, size_t *len)
{
    struct stat st;
    char *text = NULL;
    int err = stat(c->m->path, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (err) {
        m_error(c, 1, 1, "cannot read the issue manifest: %s", m_strerror(c, err));
        return NULL;
    }
    if (st.st_size > (off_t)MANIFEST_MAX_BYTES) {
        m_error(c, 1, 1, "issue manifest too large: %lld bytes, limit %u", (long long)st.st_size,
                MANIFEST_MAX_BYTES);
        return NULL;
    }
    if (!g_file_get_contents(c->m->path, &text, len, NULL)) {
        m_error(c, 1, 1, "cannot read the issue manifest: %s", m_strerror(c, errno));
        return NULL;
    }
    int line = 1, col = 1;
    if (*len > MANIFEST_MAX_BYTES)
        m_error(c, 1, 1, "issue manifest too large: %zu bytes, limit %u", *len, MANIFEST_MAX_BYTES);
    else if (utf8_find_invalid(text, *len, &line, &col) >= 0)
        m_error(c, line, col, "the issue manifest is not UTF-8 text");
    if (c->rc != 0) {
        g_free(text);
        return NULL;
    }
    return text;
}

Manifest *manifest_load(const char *path, DiagList *dl)
{
    Manifest *m = xcalloc(1, sizeof *m);
    arena_init(&m->arena);
    m->path = arena_strdup(&m->arena, path);
    char *dir = g_path_get_dirname(path);
    m->dir = arena_strdup(&m->arena, dir);
    g_free(dir);
    m->lang = "en";
    m->first_page = 1;
    MCtx c = {.m = m, .dl = dl};
    arena_init(&c.tmp);
    size_t len = 0;
    char *text = m_read(&c, &len);
    MNode *root = text ? m_parse(&c, text, len) : NULL;
    if (c.rc == 0) {
        const MNode *sections = NULL, *articles = NULL;
        m_walk(&c, root, &sections, &articles);
        if (root && root->kind == MN_MAP)
            m_articles(&c, root, sections, articles);
    }
    g_free(text);
    arena_fini(&c.tmp);
    if (c.rc != 0) {
        manifest_free(m);
        return NULL;
    }
    return m;
}

int manifest_check_style(const Manifest *m, const char *datadir, DiagList *dl)
{
    if (!m->style)
        return 0;
    /* where style_load will look (style.h): a path as resolved by m_style,
     * a name in the data directory's styles/ */
    int is_path = style_is_path(m->style);
    char *file = style_file(m->style, datadir);
    int rc = 0;
    if (access(file, R_OK) != 0) {
        const char *es = g_strerror(errno);
        if (is_path)
            diag_add(dl, DIAG_ERROR, m->path, m->style_line, m->style_col,
                     "cannot read style '%s': %c%s", m->style, g_ascii_tolower(es[0]), es + 1);
        else
            diag_add(dl, DIAG_ERROR, m->path, m->style_line, m->style_col,
                     "unknown style '%s': cannot read %s: %c%s", m->style, file,
                     g_ascii_tolower(es[0]), es + 1);
        rc = -1;
    }
    g_free(file);
    return rc;
}

void manifest_free(Manifest *m)
{
    if (!m)
        return;
    arena_fini(&m->arena);
    free(m);
}
