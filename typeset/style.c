/* style.c — journal styles: the key table, YAML loading, validation and help.
 *
 * Every key is one row of style_keys[] below: dotted name, type, where it is
 * stored, default (written as it would be in a style file), unit and help.
 * Loading is table-driven in three steps:
 *   1. an event pass over the YAML refuses syntax errors, aliases, a second
 *      document and nesting deeper than STYLE_MAX_DEPTH (libyaml's parser is
 *      quadratic in depth, LIBRARY-NOTES §9);
 *   2. the document tree is walked; each leaf is matched to a row (the name
 *      segments <role> and <set> match a role name and any font-set name) and
 *      recorded as an assignment — unknown keys, duplicates and non-mappings
 *      are errors at the key;
 *   3. values are converted in dependency order: font sets, then the body role
 *      (its size first, since em is relative to it), the other roles (their
 *      own size first; unset keys marked inherit take body's value), then the
 *      page, line-breaking and other style-wide keys (em = body size), then
 *      cross-checks (text block at least one em wide, leading at least 0.8 of
 *      the size, running head and folio inside the trim).
 * All errors are collected; style_load returns NULL if there was any.  The
 * loader keeps no state outside its Loader, so styles load in parallel. */
#include "style.h"

#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define STYLE_MAX_DEPTH 64
#define STYLE_MAX_BYTES (1 << 20)

const char *const style_role_names[ROLE_COUNT] = {
    "body", "masthead", "article_type", "title", "subtitle", "author", "affiliation", "about",
    "label", "abstract", "keywords", "dates", "heading1", "heading2", "heading3", "quote",
    "list", "code", "table", "caption", "footnote", "references", "citation", "license",
    "running_head", "folio",
};

const char *const style_label_names[LABEL_COUNT] = {
    "abstract", "keywords", "references", "for_citations", "about_author", "about_authors",
    "received", "accepted", "published", "figure", "table", "email", "orcid", "continued",
};

static const char *const style_lang_names[STYLE_LANGS] = {"en", "ru", "zh"};

/* ---- the key table ---------------------------------------------------------*/
typedef enum {
    KT_LEN,         /* length: number + mm|cm|in|pt|em (bare = pt); stored as double pt */
    KT_INT,         /* integer; stored as int */
    KT_NUM,         /* number; double */
    KT_EMNUM,       /* number of em, "0.25" or "0.25em"; double */
    KT_BOOL,        /* true|false; int */
    KT_ALIGN,       /* justify|left|center|right; LayAlign */
    KT_STR,         /* string; const char * */
    KT_FONTSET,     /* name of a font set; int index into Style.fontsets */
    KT_STRLIST,     /* list of strings (or one string); const char ** + int count */
    KT_LABEL,       /* {en:, ru:, zh:} mapping; Style.labels[id] */
    KT_PROTRUSION,  /* {char: [left, right]} or [{char:, left:, right:}]; brk.protrusion */
} KeyType;

static const char *const key_type_names[] = {
    "length", "integer", "number", "em", "boolean", "alignment", "string", "font set",
    "strings", "label", "protrusion",
};

typedef enum {
    KS_STYLE,       /* off is an offset into Style */
    KS_ROLE,        /* "roles.<role>.KEY": offset into StyleRole */
    KS_FONTSET,     /* "fonts.<set>.KEY": offset into StyleFontSet */
    KS_LABEL,       /* "labels.NAME": off is the StyleLabelId */
    KS_LANG,        /* "languages.<lang>.linebreak.KEY": offset into LayBreakParams */
} KeyScope;

enum {
    KF_NONNEG = 1 << 0,     /* value >= 0 */
    KF_POS = 1 << 1,        /* value > 0 */
    KF_FRAC = 1 << 2,       /* 0 <= value <= 1 */
    KF_MIN1 = 1 << 3,       /* integer >= 1 */
    KF_INHERIT = 1 << 4,    /* role key: unset in a role other than body = body's value */
    KF_SCALE = 1 << 5,      /* inherited value scales with size/body size if the role sets size */
    KF_EMBODY = 1 << 6,     /* role key whose em is the body size (size itself) */
    KF_NONEMPTY = 1 << 7,   /* string must not be empty */
};

typedef struct StyleKey {
    const char *name;
    KeyType type;
    KeyScope scope;
    size_t off, off_n;      /* storage; off_n: count of a list (KT_STRLIST, KT_PROTRUSION) */
    unsigned flags;
    const char *def;        /* default in style-file syntax */
    const char *unit;       /* unit of the stored value, for help */
    const char *help;
} StyleKey;

#define ST(f) KS_STYLE, offsetof(Style, f), 0
#define RO(f) KS_ROLE, offsetof(StyleRole, f), 0
#define FS(f) KS_FONTSET, offsetof(StyleFontSet, f), 0
#define LB(id) KS_LABEL, (id), 0
#define LG(f) KS_LANG, offsetof(LayBreakParams, f), 0
#define NN KF_NONNEG
#define INH KF_INHERIT

static const StyleKey style_keys[] = {
    {"name", KT_STR, ST(name), 0, "", "", "style name (default: the file name without .yaml)"},
    /* page */
    {"page.width", KT_LEN, ST(page_width), KF_POS, "210mm", "pt", "trim width"},
    {"page.height", KT_LEN, ST(page_height), KF_POS, "297mm", "pt", "trim height"},
    {"page.margin_top", KT_LEN, ST(margin_top), NN, "25mm", "pt", "trim edge to text block top"},
    {"page.margin_bottom", KT_LEN, ST(margin_bottom), NN, "25mm", "pt", "text block bottom to trim edge"},
    {"page.margin_inner", KT_LEN, ST(margin_inner), NN, "25mm", "pt", "spine-side margin"},
    {"page.margin_outer", KT_LEN, ST(margin_outer), NN, "25mm", "pt", "fore-edge margin"},
    {"page.head_offset", KT_LEN, ST(head_offset), NN, "8mm", "pt", "running head baseline above the text block (at most margin_top less the head's size)"},
    {"page.folio_offset", KT_LEN, ST(folio_offset), NN, "10mm", "pt", "folio baseline below the text block (at most margin_bottom less the folio's size)"},
    {"page.columns", KT_INT, ST(columns), KF_MIN1, "1", "", "text columns per page"},
    {"page.column_gap", KT_LEN, ST(column_gap), NN, "6mm", "pt", "space between columns"},
    {"page.running_heads", KT_BOOL, ST(running_heads), 0, "true", "", "print running heads on pages after the first"},
    {"page.recto_start", KT_BOOL, ST(recto_start), 0, "true", "", "articles in an issue start on odd pages"},
    /* footnotes */
    {"footnotes.rule_width", KT_LEN, ST(footnote_rule_width), NN, "0.4pt", "pt", "thickness of the rule above footnotes"},
    {"footnotes.rule_length", KT_LEN, ST(footnote_rule_length), NN, "30mm", "pt", "length of that rule (0 = none)"},
    {"footnotes.gap", KT_LEN, ST(footnote_gap), NN, "6pt", "pt", "space between text and footnote rule"},
    /* font sets */
    {"fonts.<set>.latin", KT_STR, FS(latin), KF_NONEMPTY, "PT Serif", "", "family for Latin and Cyrillic"},
    {"fonts.<set>.cjk", KT_STR, FS(cjk), KF_NONEMPTY, "Noto Serif CJK SC", "", "family for Han (name the regional face)"},
    /* roles */
    {"roles.<role>.font", KT_FONTSET, RO(fontset), INH, "serif", "", "font set (a key of fonts)"},
    {"roles.<role>.size", KT_LEN, RO(size), INH | KF_POS | KF_EMBODY, "10pt", "pt", "type size (em = body size)"},
    {"roles.<role>.leading", KT_LEN, RO(leading), INH | KF_SCALE | KF_POS, "12pt", "pt", "baseline to baseline, at least 0.8 of size; scales with size if unset"},
    {"roles.<role>.bold", KT_BOOL, RO(bold), INH, "false", "", "bold weight"},
    {"roles.<role>.italic", KT_BOOL, RO(italic), INH, "false", "", "italic style"},
    {"roles.<role>.align", KT_ALIGN, RO(align), INH, "justify", "", "justify, left, center or right"},
    {"roles.<role>.first_indent", KT_LEN, RO(first_indent), 0, "0", "pt", "first-line indent (not after a heading); not inherited"},
    {"roles.<role>.left_indent", KT_LEN, RO(left_indent), INH | NN, "0", "pt", "indent of every line from the left"},
    {"roles.<role>.right_indent", KT_LEN, RO(right_indent), INH | NN, "0", "pt", "indent of every line from the right"},
    {"roles.<role>.hang_indent", KT_LEN, RO(hang_indent), NN, "0", "pt", "further indent of lines after the first; not inherited"},
    {"roles.<role>.space_before", KT_LEN, RO(space_before), NN, "0", "pt", "vertical space above; not inherited"},
    {"roles.<role>.space_after", KT_LEN, RO(space_after), NN, "0", "pt", "vertical space below; not inherited"},
    {"roles.<role>.hyphenate", KT_BOOL, RO(hyphenate), INH, "true", "", "hyphenate words"},
    {"roles.<role>.uppercase", KT_BOOL, RO(uppercase), 0, "false", "", "set in capitals; not inherited"},
    {"roles.<role>.keep_with_next", KT_BOOL, RO(keep_with_next), 0, "false", "", "keep with the next two lines; not inherited"},
    /* line breaking (TeX names in layout/params.h) */
    {"linebreak.pretolerance", KT_INT, ST(brk.pretolerance), 0, "100", "badness", "first pass without hyphenation (-1 skips it)"},
    {"linebreak.tolerance", KT_INT, ST(brk.tolerance), NN, "200", "badness", "second pass, with hyphenation"},
    {"linebreak.line_penalty", KT_INT, ST(brk.line_penalty), 0, "10", "demerits", "added to every line's badness"},
    {"linebreak.hyphen_penalty", KT_INT, ST(brk.hyphen_penalty), 0, "50", "penalty", "break at a hyphenation point"},
    {"linebreak.exhyphen_penalty", KT_INT, ST(brk.exhyphen_penalty), 0, "50", "penalty", "break after an explicit hyphen or dash"},
    {"linebreak.double_hyphen_demerits", KT_INT, ST(brk.double_hyphen_demerits), NN, "10000", "demerits", "two hyphenated lines in a row"},
    {"linebreak.final_hyphen_demerits", KT_INT, ST(brk.final_hyphen_demerits), NN, "5000", "demerits", "hyphen on the next-to-last line"},
    {"linebreak.adj_demerits", KT_INT, ST(brk.adj_demerits), NN, "10000", "demerits", "visually incompatible adjacent lines"},
    {"linebreak.emergency_stretch", KT_LEN, ST(brk.emergency_stretch), NN, "0", "pt", "extra stretch of the third pass (em = body size)"},
    {"linebreak.looseness", KT_INT, ST(brk.looseness), 0, "0", "lines", "try for this many more (or fewer) lines"},
    {"linebreak.space_stretch", KT_NUM, ST(brk.space_stretch), NN, "0.5", "space", "interword stretch, fraction of the space width"},
    {"linebreak.space_shrink", KT_NUM, ST(brk.space_shrink), NN, "0.33", "space", "interword shrink, fraction of the space width"},
    {"linebreak.cjk_stretch", KT_EMNUM, ST(brk.cjk_stretch), NN, "0.1", "em", "stretch between two ideographs"},
    {"linebreak.cjk_shrink", KT_EMNUM, ST(brk.cjk_shrink), NN, "0", "em", "shrink between two ideographs"},
    {"linebreak.cjk_latin_space", KT_EMNUM, ST(brk.cjk_latin_space), NN, "0.25", "em", "space between Han and Latin or digits"},
    {"linebreak.hyphen_left_min", KT_INT, ST(brk.hyphen_left_min), KF_MIN1, "2", "chars", "fewest characters before a hyphen"},
    {"linebreak.hyphen_right_min", KT_INT, ST(brk.hyphen_right_min), KF_MIN1, "3", "chars", "fewest characters after a hyphen"},
    {"linebreak.hyphenate_last_word", KT_BOOL, ST(brk.hyphenate_last_word), 0, "false", "", "allow hyphenating a paragraph's last word"},
    {"linebreak.ragged_last_line_min", KT_NUM, ST(brk.ragged_last_line_min), KF_FRAC, "0.2", "line", "ragged text: a last line shorter than this costs demerits"},
    {"linebreak.expansion", KT_NUM, ST(brk.expansion), KF_FRAC, "0", "width", "font expansion limit (0.02 = 2%; 0 = off)"},
    {"linebreak.expansion_step", KT_NUM, ST(brk.expansion_step), KF_POS | KF_FRAC, "0.005", "width", "font expansion step"},
    {"linebreak.protrusion_on", KT_BOOL, ST(brk.protrusion_on), 0, "false", "", "hang characters of the protrusion table into the margin"},
    /* per-language line breaking: a key set here replaces linebreak.KEY for
     * articles in that language (hyphenation is common in Russian and rare
     * in English, so the two want different penalties) */
    {"languages.<lang>.linebreak.pretolerance", KT_INT, LG(pretolerance), 0, "", "badness", "linebreak.pretolerance for this language"},
    {"languages.<lang>.linebreak.tolerance", KT_INT, LG(tolerance), NN, "", "badness", "linebreak.tolerance for this language"},
    {"languages.<lang>.linebreak.line_penalty", KT_INT, LG(line_penalty), 0, "", "demerits", "linebreak.line_penalty for this language"},
    {"languages.<lang>.linebreak.hyphen_penalty", KT_INT, LG(hyphen_penalty), 0, "", "penalty", "linebreak.hyphen_penalty for this language"},
    {"languages.<lang>.linebreak.exhyphen_penalty", KT_INT, LG(exhyphen_penalty), 0, "", "penalty", "linebreak.exhyphen_penalty for this language"},
    {"languages.<lang>.linebreak.double_hyphen_demerits", KT_INT, LG(double_hyphen_demerits), NN, "", "demerits", "linebreak.double_hyphen_demerits for this language"},
    {"languages.<lang>.linebreak.final_hyphen_demerits", KT_INT, LG(final_hyphen_demerits), NN, "", "demerits", "linebreak.final_hyphen_demerits for this language"},
    {"languages.<lang>.linebreak.adj_demerits", KT_INT, LG(adj_demerits), NN, "", "demerits", "linebreak.adj_demerits for this language"},
    {"languages.<lang>.linebreak.emergency_stretch", KT_LEN, LG(emergency_stretch), NN, "", "pt", "linebreak.emergency_stretch for this language"},
    {"languages.<lang>.linebreak.space_stretch", KT_NUM, LG(space_stretch), NN, "", "space", "linebreak.space_stretch for this language"},
    {"languages.<lang>.linebreak.space_shrink", KT_NUM, LG(space_shrink), NN, "", "space", "linebreak.space_shrink for this language"},
    {"languages.<lang>.linebreak.hyphen_left_min", KT_INT, LG(hyphen_left_min), KF_MIN1, "", "chars", "linebreak.hyphen_left_min for this language"},
    {"languages.<lang>.linebreak.hyphen_right_min", KT_INT, LG(hyphen_right_min), KF_MIN1, "", "chars", "linebreak.hyphen_right_min for this language"},
    {"languages.<lang>.linebreak.expansion", KT_NUM, LG(expansion), KF_FRAC, "", "width", "linebreak.expansion for this language"},
    {"protrusion", KT_PROTRUSION, KS_STYLE, offsetof(Style, brk.protrusion), offsetof(Style, brk.n_protrusion), 0, "", "advance",
     "{\",\": [left, right]} or [{char:, left:, right:}], fractions in [0, 1]"},
    /* pages */
    {"pages.widow_penalty", KT_INT, ST(widow_penalty), NN, "150", "penalty", "page break before a paragraph's last line"},
    {"pages.club_penalty", KT_INT, ST(club_penalty), NN, "150", "penalty", "page break after a paragraph's first line"},
    /* labels */
    {"labels.abstract", KT_LABEL, LB(LABEL_ABSTRACT), 0, "Abstract", "", "abstract heading, per language en/ru/zh"},
    {"labels.keywords", KT_LABEL, LB(LABEL_KEYWORDS), 0, "Keywords", "", "keywords lead-in"},
    {"labels.references", KT_LABEL, LB(LABEL_REFERENCES), 0, "References", "", "reference list heading"},
    {"labels.for_citations", KT_LABEL, LB(LABEL_FOR_CITATIONS), 0, "For citations", "", "citation line lead-in"},
    {"labels.about_author", KT_LABEL, LB(LABEL_ABOUT_AUTHOR), 0, "About the author", "", "author notes heading, one author"},
    {"labels.about_authors", KT_LABEL, LB(LABEL_ABOUT_AUTHORS), 0, "About the authors", "", "author notes heading, several"},
    {"labels.received", KT_LABEL, LB(LABEL_RECEIVED), 0, "Received", "", "date line"},
    {"labels.accepted", KT_LABEL, LB(LABEL_ACCEPTED), 0, "Accepted", "", "date line"},
    {"labels.published", KT_LABEL, LB(LABEL_PUBLISHED), 0, "Published", "", "date line"},
    {"labels.figure", KT_LABEL, LB(LABEL_FIGURE), 0, "Figure", "", "caption prefix"},
    {"labels.table", KT_LABEL, LB(LABEL_TABLE), 0, "Table", "", "caption prefix"},
    {"labels.email", KT_LABEL, LB(LABEL_EMAIL), 0, "E-mail", "", "contact lead-in"},
    {"labels.orcid", KT_LABEL, LB(LABEL_ORCID), 0, "ORCID", "", "ORCID lead-in"},
    {"labels.continued", KT_LABEL, LB(LABEL_CONTINUED), 0, "continued", "", "table continued on the next page"},
    /* templates */
    {"masthead", KT_STRLIST, KS_STYLE, offsetof(Style, masthead), offsetof(Style, n_masthead), 0, "", "",
     "first-page masthead lines with {field} placeholders"},
    {"masthead_rule", KT_LEN, ST(masthead_rule), NN, "0", "pt", "rule under the masthead (0 = none)"},
    {"citation", KT_STR, ST(citation_template), 0, "", "", "the \"For citations\" line template"},
    {"running.verso", KT_STR, ST(running_verso), 0, "{authors_short}", "", "running head on even pages"},
    {"running.recto", KT_STR, ST(running_recto), 0, "{short_title}", "", "running head on odd pages"},
    {"folio", KT_STR, ST(folio_template), 0, "{page}", "", "page number template"},
    {"license", KT_STR, ST(license_text), 0, "", "", "licence text when the article names none"},
};
#define N_KEYS ((int)(sizeof style_keys / sizeof style_keys[0]))

/* ---- loader state ------------------------------------------------------------*/
typedef struct Assign {
    const StyleKey *key;
    int role, set;              /* context of KS_ROLE / KS_FONTSET keys, else -1 */
    const char *path;           /* real dotted name, for messages */
    yaml_node_t *k, *v;         /* key and value nodes */
} Assign;

typedef struct Loader {
    Arena *arena;
    DiagList *dl;
    const char *file;
    Style *st;
    yaml_document_t *doc;
    VEC(Assign) as;
    int errors;
    yaml_node_t *page_key;      /* for text-block errors */
    yaml_node_t *role_key[ROLE_COUNT];
    yaml_node_t *set_key[STYLE_MAX_FONTSETS];
} Loader;

typedef struct StyleBox {       /* a Style and the arena that holds everything it points to */
    Style s;
    Arena arena;
} StyleBox;

__attribute__((format(printf, 3, 4)))
static void lerr(Loader *L, const yaml_node_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int line = at ? (int)at->start_mark.line + 1 : 1, col = at ? (int)at->start_mark.column + 1 : 1;
    diag_addv(L->dl, DIAG_ERROR, L->file, line, col, fmt, ap);
    va_end(ap);
    L->errors++;
}

static int node_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line : 0;
}

/* "'text'" for messages (truncated), or what the node is. */
static const char *found(Loader *L, const yaml_node_t *n, const char *text)
{
    if (n && n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n && n->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (!text || !*text)
        return "nothing";
    size_t len = strlen(text);
    if (len > 40)
        return arena_printf(L->arena, "'%.37s...'", text);
    return arena_printf(L->arena, "'%s'", text);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Levenshtein distance, capped: for "did you mean" hints. */
static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    int d[41][41];
    for (int i = 0; i <= la; i++)
        d[i][0] = i;
    for (int j = 0; j <= lb; j++)
        d[0][j] = j;
    for (int i = 1; i <= la; i++)
        for (int j = 1; j <= lb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < c) c = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < c) c = d[i][j - 1] + 1;
            d[i][j] = c;
        }
    return d[la][lb];
}

/* The segment of `name` after `prefix.` (prefix "" = first segment) into buf;
 * 0 if name is not under prefix. */
static int next_segment(const char *name, const char *prefix, char *buf, size_t size)
{
    size_t pl = strlen(prefix);
    if (pl) {
        if (strncmp(name, prefix, pl) != 0 || name[pl] != '.')
            return 0;
        name += pl + 1;
    }
    size_t n = strcspn(name, ".");
    if (n >= size)
        n = size - 1;
    memcpy(buf, name, n);
    buf[n] = 0;
    return 1;
}

static int role_index(const char *name)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (strcmp(style_role_names[i], name) == 0)
            return i;
    return -1;
}

/* " (did you mean 'x'?)" for the closest key under pattern prefix, or "". */
static const char *suggest(Loader *L, const char *prefix, const char *seg)
{
    const char *best = NULL;
    int bestd = 3;
    char buf[64];
    for (int i = 0; i < N_KEYS; i++) {
        if (!next_segment(style_keys[i].name, prefix, buf, sizeof buf))
            continue;
        if (strcmp(buf, "<role>") == 0) {
            for (int r = 0; r < ROLE_COUNT; r++) {
                int d = edit_distance(seg, style_role_names[r]);
                if (d < bestd) {
                    bestd = d;
                    best = style_role_names[r];
                }
            }
        } else if (buf[0] != '<') {
            int d = edit_distance(seg, buf);
            if (d < bestd && d < (int)strlen(buf)) {
                bestd = d;
                best = arena_strdup(L->arena, buf);
            }
        }
    }
    return best ? arena_printf(L->arena, " (did you mean '%s'?)", best) : "";
}

static const StyleKey *find_key(const char *pattern)
{
    for (int i = 0; i < N_KEYS; i++)
        if (strcmp(style_keys[i].name, pattern) == 0)
            return &style_keys[i];
    return NULL;
}

static int has_children(const char *pattern)
{
    size_t n = strlen(pattern);
    for (int i = 0; i < N_KEYS; i++)
        if (strncmp(style_keys[i].name, pattern, n) == 0 && style_keys[i].name[n] == '.')
            return 1;
    return 0;
}

/* Is the segment after `prefix` a wildcard?  Returns "<role>", "<set>",
 * "<lang>" or NULL. */
static const char *wildcard_after(const char *prefix)
{
    char buf[64];
    for (int i = 0; i < N_KEYS; i++)
        if (next_segment(style_keys[i].name, prefix, buf, sizeof buf) && buf[0] == '<')
            return strcmp(buf, "<role>") == 0 ? "<role>" : strcmp(buf, "<lang>") == 0 ? "<lang>" : "<set>";
    return NULL;
}

static int lang_name_index(const char *name)
{
    for (int i = 0; i < STYLE_LANGS; i++)
        if (strcmp(style_lang_names[i], name) == 0)
            return i;
    return -1;
}

static int fontset_index(const Style *st, const char *name)
{
    for (int i = 0; i < st->n_fontsets; i++)
        if (strcmp(st->fontsets[i].name, name) == 0)
            return i;
    return -1;
}

/* ---- step 2: walk the tree, record assignments --------------------------------*/
static void walk_map(Loader *L, yaml_node_t *map, const char *pat, const char *real, int role,
                     int set)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        const char *ks = scalar(k);
        if (!ks) {
            lerr(L, k, "%s%sexpected a key name, found %s", real, *real ? ": " : "",
                 found(L, k, NULL));
            continue;
        }
        const char *rp = *real ? arena_printf(L->arena, "%s.%s", real, ks) : ks;
        int dup = 0;
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p && !dup; q++) {
            const char *qs = scalar(yaml_document_get_node(L->doc, q->key));
            if (qs && strcmp(qs, ks) == 0) {
                lerr(L, k, "duplicate key '%s' (first at line %d)", rp,
                     node_line(yaml_document_get_node(L->doc, q->key)) + 1);
                dup = 1;
            }
        }
        if (dup)
            continue;
        const char *wild = wildcard_after(pat);
        const char *seg = ks;
        int r = role, s = set;
        if (wild && strcmp(wild, "<role>") == 0) {
            r = role_index(ks);
            if (r < 0) {
                lerr(L, k, "unknown role '%s'%s", rp, suggest(L, pat, ks));
                continue;
            }
            seg = wild;
            L->role_key[r] = k;
        } else if (wild && strcmp(wild, "<lang>") == 0) {
            r = lang_name_index(ks);        /* the language rides in the role slot */
            if (r < 0) {
                lerr(L, k, "unknown language '%s' (expected en, ru or zh)", rp);
                continue;
            }
            seg = wild;
        } else if (wild) {
            s = fontset_index(L->st, ks);
            if (s < 0) {
                if (L->st->n_fontsets == STYLE_MAX_FONTSETS) {
                    lerr(L, k, "too many font sets: '%s' would be number %d, the limit is %d", rp,
                         STYLE_MAX_FONTSETS + 1, STYLE_MAX_FONTSETS);
                    continue;
                }
                s = L->st->n_fontsets++;
                L->st->fontsets[s].name = arena_strdup(L->arena, ks);
                L->set_key[s] = k;
            }
            seg = wild;
        }
        const char *pp = *pat ? arena_printf(L->arena, "%s.%s", pat, seg) : seg;
        const StyleKey *key = find_key(pp);
        if (key) {
            Assign a = {key, r, s, rp, k, v};
            VEC_PUSH(L->as, a);
        } else if (has_children(pp)) {
            if (strcmp(pp, "page") == 0)
                L->page_key = k;
            if (v->type != YAML_MAPPING_NODE)
                lerr(L, v, "%s: expected a mapping, found %s", rp, found(L, v, scalar(v)));
            else
                walk_map(L, v, pp, rp, r, s);
        } else {
            lerr(L, k, "unknown key '%s'%s", rp, suggest(L, pat, ks));
        }
    }
}

static const Assign *find_assign(Loader *L, const StyleKey *key, int role, int set)
{
    for (int i = 0; i < L->as.n; i++) {
        const Assign *a = &L->as.v[i];
        if (a->key == key && ((key->scope != KS_ROLE && key->scope != KS_LANG) || a->role == role) &&
            (key->scope != KS_FONTSET || a->set == set))
            return a;
    }
    return NULL;
}

/* ---- step 3: values -----------------------------------------------------------*/
typedef enum { PV_OK, PV_FORMAT, PV_UNIT, PV_NOEM } ParseStatus;

/* A decimal number: [+-]digits[.digits] or [+-].digits; *end after it. */
static int parse_decimal(const char *s, double *out, const char **end)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    const char *d = p;
    while (isdigit((unsigned char)*p))
        p++;
    int nd = (int)(p - d);
    if (*p == '.') {
        p++;
        const char *f = p;
        while (isdigit((unsigned char)*p))
            p++;
        nd += (int)(p - f);
    }
    if (nd == 0)
        return 0;
    char buf[64];
    size_t n = (size_t)(p - s);
    if (n >= sizeof buf)
        return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    *out = strtod(buf, NULL);
    *end = p;
    return 1;
}

/* Length in points; em = `em` points (0: em not allowed here). */
static ParseStatus parse_length(const char *s, double em, double *pt, const char **unit)
{
    double v;
    const char *p;
    while (*s == ' ')
        s++;
    if (!parse_decimal(s, &v, &p))
        return PV_FORMAT;
    while (*p == ' ')
        p++;
    const char *u = p;
    while (isalpha((unsigned char)*p))
        p++;
    size_t ul = (size_t)(p - u);
    while (*p == ' ')
        p++;
    if (*p)
        return PV_FORMAT;
    *unit = u;
    if (ul == 0 || (ul == 2 && strncmp(u, "pt", 2) == 0))
        *pt = v;
    else if (ul == 2 && strncmp(u, "mm", 2) == 0)
        *pt = MM_TO_PT(v);
    else if (ul == 2 && strncmp(u, "cm", 2) == 0)
        *pt = MM_TO_PT(v * 10.0);
    else if (ul == 2 && strncmp(u, "in", 2) == 0)
        *pt = v * 72.0;
    else if (ul == 2 && strncmp(u, "em", 2) == 0) {
        if (em <= 0)
            return PV_NOEM;
        *pt = v * em;
    } else
        return PV_UNIT;
    return PV_OK;
}

static ParseStatus parse_number(const char *s, double *out, int allow_em)
{
    const char *p;
    while (*s == ' ')
        s++;
    if (!parse_decimal(s, out, &p))
        return PV_FORMAT;
    while (*p == ' ')
        p++;
    if (allow_em && strncmp(p, "em", 2) == 0)
        p += 2;
    while (*p == ' ')
        p++;
    return *p ? PV_FORMAT : PV_OK;
}

static const char *type_expect(const StyleKey *k)
{
    switch (k->type) {
    case KT_LEN: return "a length (number with mm, cm, in, pt or em)";
    case KT_INT: return "an integer";
    case KT_NUM: return "a number";
    case KT_EMNUM: return "a number of em";
    case KT_BOOL: return "true or false";
    case KT_ALIGN: return "justify, left, center or right";
    case KT_STR: return "a string";
    case KT_FONTSET: return "the name of a font set";
    case KT_STRLIST: return "a list of strings";
    case KT_LABEL: return "a mapping of en, ru, zh to strings";
    case KT_PROTRUSION: return "a mapping of characters to [left, right]";
    }
    return "a value";
}

static void store_double(void *dst, double v) { memcpy(dst, &v, sizeof v); }
static void store_int(void *dst, int v) { memcpy(dst, &v, sizeof v); }

/* Range flags for a converted number; reports and returns 0 when violated. */
static int check_range(Loader *L, const StyleKey *k, const char *path, double v,
                       const char *text, const yaml_node_t *at)
{
    const char *what = k->type == KT_LEN ? "length" : k->type == KT_INT ? "integer" : "number";
    if ((k->flags & KF_POS) && !(v > 0)) {
        lerr(L, at, "%s: expected a positive %s, found %s", path, what, found(L, at, text));
        return 0;
    }
    if ((k->flags & KF_NONNEG) && v < 0) {
        lerr(L, at, "%s: expected a non-negative %s, found %s", path, what, found(L, at, text));
        return 0;
    }
    if ((k->flags & KF_MIN1) && v < 1) {
        lerr(L, at, "%s: expected an integer of at least 1, found %s", path, found(L, at, text));
        return 0;
    }
    if ((k->flags & KF_FRAC) && (v < 0 || v > 1)) {
        lerr(L, at, "%s: expected a number in [0, 1], found %s", path, found(L, at, text));
        return 0;
    }
    return 1;
}

/* Converts scalar `text` for key k into dst.  `at` is the value node (NULL for a
 * table default; then `fallback` positions an error).  em: points per em, 0 if
 * em is not allowed. */
static int convert(Loader *L, const StyleKey *k, const char *path, const char *text,
                   const yaml_node_t *at, const yaml_node_t *fallback, double em, void *dst)
{
    const yaml_node_t *pos = at ? at : fallback;
    if (at && at->type != YAML_SCALAR_NODE) {
        lerr(L, at, "%s: expected %s, found %s", path, type_expect(k), found(L, at, NULL));
        return 0;
    }
    double v = 0;
    const char *unit = "";
    switch (k->type) {
    case KT_LEN: {
        ParseStatus ps = parse_length(text, em, &v, &unit);
        if (ps == PV_UNIT) {
            size_t ul = strspn(unit, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
            lerr(L, pos, "%s: unknown unit '%.*s' in %s (expected mm, cm, in, pt or em)", path,
                 (int)ul, unit, found(L, at, text));
            return 0;
        }
        if (ps == PV_NOEM) {
            lerr(L, pos, "%s: em is relative to this size and cannot be used here, found %s",
                 path, found(L, at, text));
            return 0;
        }
        if (ps != PV_OK || !isfinite(v) || fabs(v) > 1e5) {
            lerr(L, pos, "%s: expected %s, found %s", path, type_expect(k), found(L, at, text));
            return 0;
        }
        if (!check_range(L, k, path, v, text, pos))
            return 0;
        store_double(dst, v);
        return 1;
    }
    case KT_NUM:
    case KT_EMNUM:
        if (parse_number(text, &v, k->type == KT_EMNUM) != PV_OK || fabs(v) > 1e9) {
            lerr(L, pos, "%s: expected %s, found %s", path, type_expect(k), found(L, at, text));
            return 0;
        }
        if (!check_range(L, k, path, v, text, pos))
            return 0;
        store_double(dst, v);
        return 1;
    case KT_INT: {
        const char *p = text, *e;
        while (*p == ' ')
            p++;
        const char *q = p + (*p == '+' || *p == '-');
        int ok = isdigit((unsigned char)*q);
        for (e = q; isdigit((unsigned char)*e); e++)
            ;
        while (*e == ' ')
            e++;
        if (!ok || *e || strlen(q) > 10 || fabs(v = strtod(p, NULL)) > 1e9) {
            lerr(L, pos, "%s: expected an integer, found %s", path, found(L, at, text));
            return 0;
        }
        if (!check_range(L, k, path, v, text, pos))
            return 0;
        store_int(dst, (int)v);
        return 1;
    }
    case KT_BOOL:
        if (strcasecmp(text, "true") == 0)
            store_int(dst, 1);
        else if (strcasecmp(text, "false") == 0)
            store_int(dst, 0);
        else {
            lerr(L, pos, "%s: expected true or false, found %s", path, found(L, at, text));
            return 0;
        }
        return 1;
    case KT_ALIGN: {
        static const char *const names[] = {"justify", "left", "center", "right"};
        for (int i = 0; i < 4; i++)
            if (strcmp(text, names[i]) == 0) {
                LayAlign a = (LayAlign)i;
                memcpy(dst, &a, sizeof a);
                return 1;
            }
        lerr(L, pos, "%s: expected justify, left, center or right, found %s", path,
             found(L, at, text));
        return 0;
    }
    case KT_STR: {
        if ((k->flags & KF_NONEMPTY) && !*text) {
            lerr(L, pos, "%s: expected a non-empty string, found nothing", path);
            return 0;
        }
        const char *s = arena_strdup(L->arena, text);
        memcpy(dst, &s, sizeof s);
        return 1;
    }
    case KT_FONTSET: {
        int i = fontset_index(L->st, text);
        if (i < 0) {
            char list[256] = "";
            for (int j = 0; j < L->st->n_fontsets; j++) {
                size_t n = strlen(list);
                snprintf(list + n, sizeof list - n, "%s%s", j ? ", " : "", L->st->fontsets[j].name);
            }
            lerr(L, pos, "%s: undefined font set %s (defined: %s)", path, found(L, at, text),
                 *list ? list : "none");
            return 0;
        }
        store_int(dst, i);
        return 1;
    }
    default:
        break;
    }
    return 0;
}

/* A key's value from its assignment, or its default. */
static int apply_key(Loader *L, const StyleKey *k, const Assign *a, const char *path,
                     const yaml_node_t *fallback, double em, void *dst)
{
    if (a)
        return convert(L, k, a->path, scalar(a->v) ? scalar(a->v) : "", a->v, NULL, em, dst);
    return convert(L, k, path, k->def, NULL, fallback, em, dst);
}

static size_t key_size(const StyleKey *k)
{
    switch (k->type) {
    case KT_LEN: case KT_NUM: case KT_EMNUM: return sizeof(double);
    case KT_INT: case KT_BOOL: case KT_FONTSET: return sizeof(int);
    case KT_ALIGN: return sizeof(LayAlign);
    case KT_STR: return sizeof(const char *);
    default: return 0;
    }
}

const char *style_fontset_families(const StyleFontSet *set, Arena *a)
{
    return arena_printf(a, "%s%s%s", set->latin ? set->latin : "", set->cjk && *set->cjk ? ", " : "",
                        set->cjk ? set->cjk : "");
}

static void apply_fontsets(Loader *L)
{
    Style *st = L->st;
    if (st->n_fontsets == 0) {          /* no fonts section: one "serif" set of defaults */
        st->fontsets[0].name = "serif";
        st->n_fontsets = 1;
    }
    for (int s = 0; s < st->n_fontsets; s++)
        for (int i = 0; i < N_KEYS; i++) {
            const StyleKey *k = &style_keys[i];
            if (k->scope != KS_FONTSET)
                continue;
            const char *path = arena_printf(L->arena, "fonts.%s.%s", st->fontsets[s].name,
                                            strrchr(k->name, '.') + 1);
            apply_key(L, k, find_assign(L, k, -1, s), path, L->set_key[s], 0,
                      (char *)&st->fontsets[s] + k->off);
        }
    for (int s = 0; s < st->n_fontsets; s++)
        st->fontsets[s].families = style_fontset_families(&st->fontsets[s], L->arena);
}

static void apply_role(Loader *L, int r)
{
    StyleRole *role = &L->st->roles[r], *body = &L->st->roles[ROLE_BODY];
    const StyleKey *ksize = find_key("roles.<role>.size");
    const Assign *asize = find_assign(L, ksize, r, -1);
    char path[96];
    /* size first: the em of every other key of the role */
    snprintf(path, sizeof path, "roles.%s.size", style_role_names[r]);
    if (r == ROLE_BODY || asize) {
        if (!apply_key(L, ksize, asize, path, L->role_key[r],
                       r == ROLE_BODY ? 0 : body->size, &role->size))
            role->size = r == ROLE_BODY ? 10 : body->size;
    } else {
        role->size = body->size;
    }
    for (int i = 0; i < N_KEYS; i++) {
        const StyleKey *k = &style_keys[i];
        if (k->scope != KS_ROLE || k == ksize)
            continue;
        void *dst = (char *)role + k->off;
        const Assign *a = find_assign(L, k, r, -1);
        snprintf(path, sizeof path, "roles.%s.%s", style_role_names[r], strrchr(k->name, '.') + 1);
        if (!a && r != ROLE_BODY && (k->flags & KF_INHERIT)) {
            memcpy(dst, (char *)body + k->off, key_size(k));
            if ((k->flags & KF_SCALE) && asize && body->size > 0)
                store_double(dst, *(double *)((char *)body + k->off) * role->size / body->size);
        } else {
            apply_key(L, k, a, path, L->role_key[r], (k->flags & KF_EMBODY) ? body->size : role->size,
                      dst);
        }
    }
}

/* U+XXXX or exactly one UTF-8 character; 0 if neither. */
static uint32_t one_char(const char *s)
{
    if ((s[0] == 'U' || s[0] == 'u') && s[1] == '+' && isxdigit((unsigned char)s[2])) {
        char *end;
        unsigned long v = strtoul(s + 2, &end, 16);
        return !*end && v > 0 && v <= 0x10FFFF ? (uint32_t)v : 0;
    }
    const unsigned char *u = (const unsigned char *)s;
    uint32_t c;
    int n;
    if (u[0] == 0) return 0;
    if (u[0] < 0x80) { c = u[0]; n = 1; }
    else if ((u[0] & 0xE0) == 0xC0) { c = u[0] & 0x1F; n = 2; }
    else if ((u[0] & 0xF0) == 0xE0) { c = u[0] & 0x0F; n = 3; }
    else if ((u[0] & 0xF8) == 0xF0) { c = u[0] & 0x07; n = 4; }
    else return 0;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (u[i] & 0x3F);
    }
    return u[n] ? 0 : c;
}

static int protrusion_value(Loader *L, const char *path, yaml_node_t *n, float *out)
{
    static const StyleKey frac = {"", KT_NUM, KS_STYLE, 0, 0, KF_FRAC, "0", "", ""};
    double v;
    if (!convert(L, &frac, path, scalar(n) ? scalar(n) : "", n, NULL, 0, &v))
        return 0;
    *out = (float)v;
    return 1;
}

typedef VEC(LayProtrusion) ProtVec;

static int cmp_protrusion(const void *a, const void *b)
{
    uint32_t x = ((const LayProtrusion *)a)->ch, y = ((const LayProtrusion *)b)->ch;
    return x < y ? -1 : x > y;
}

/* One entry: character node `cn` (scalar) and sides from a [l, r] list or a
 * {left:, right:} mapping (`sides`), or from the entry mapping itself. */
static void protrusion_entry(Loader *L, const Assign *a, yaml_node_t *cn, yaml_node_t *sides,
                             int in_entry, ProtVec *vec)
{
    const char *cs = scalar(cn);
    uint32_t ch = cs ? one_char(cs) : 0;
    if (!ch) {
        lerr(L, cn, "%s: expected a single character or U+XXXX, found %s", a->path,
             found(L, cn, cs));
        return;
    }
    LayProtrusion p = {ch, 0, 0};
    const char *path = arena_printf(L->arena, "%s.%s", a->path, cs);
    if (sides->type == YAML_SEQUENCE_NODE) {
        int n = (int)(sides->data.sequence.items.top - sides->data.sequence.items.start);
        if (n != 2) {
            lerr(L, sides, "%s: expected [left, right], found a list of %d", path, n);
            return;
        }
        yaml_node_t *l = yaml_document_get_node(L->doc, sides->data.sequence.items.start[0]);
        yaml_node_t *r = yaml_document_get_node(L->doc, sides->data.sequence.items.start[1]);
        if (!protrusion_value(L, path, l, &p.left) || !protrusion_value(L, path, r, &p.right))
            return;
    } else if (sides->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *q = sides->data.mapping.pairs.start; q < sides->data.mapping.pairs.top; q++) {
            yaml_node_t *k = yaml_document_get_node(L->doc, q->key);
            yaml_node_t *v = yaml_document_get_node(L->doc, q->value);
            const char *ks = scalar(k) ? scalar(k) : "";
            if (strcmp(ks, "left") == 0) {
                if (!protrusion_value(L, path, v, &p.left))
                    return;
            } else if (strcmp(ks, "right") == 0) {
                if (!protrusion_value(L, path, v, &p.right))
                    return;
            } else if (!in_entry || strcmp(ks, "char") != 0) {
                lerr(L, k, "unknown key '%s.%s' (expected left or right)", path, ks);
                return;
            }
        }
    } else {
        lerr(L, sides, "%s: expected [left, right], found %s", path, found(L, sides, scalar(sides)));
        return;
    }
    for (int i = 0; i < vec->n; i++)
        if (vec->v[i].ch == ch) {
            lerr(L, cn, "%s: duplicate entry for U+%04X", a->path, (unsigned)ch);
            return;
        }
    VEC_PUSH(*vec, p);
}

static void apply_protrusion(Loader *L, const StyleKey *k, const Assign *a)
{
    ProtVec vec = {0};
    yaml_node_t *v = a ? a->v : NULL;
    if (!v) {
        /* default: empty table */
    } else if (v->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++)
            protrusion_entry(L, a, yaml_document_get_node(L->doc, q->key),
                             yaml_document_get_node(L->doc, q->value), 0, &vec);
    } else if (v->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(L->doc, *it);
            yaml_node_t *cn = NULL;
            if (e->type == YAML_MAPPING_NODE)
                for (yaml_node_pair_t *q = e->data.mapping.pairs.start; q < e->data.mapping.pairs.top; q++) {
                    yaml_node_t *kk = yaml_document_get_node(L->doc, q->key);
                    if (scalar(kk) && strcmp(scalar(kk), "char") == 0)
                        cn = yaml_document_get_node(L->doc, q->value);
                }
            if (!cn) {
                lerr(L, e, "%s: expected {char:, left:, right:}, found %s", a->path,
                     e->type == YAML_MAPPING_NODE ? "no char" : found(L, e, scalar(e)));
                continue;
            }
            protrusion_entry(L, a, cn, e, 1, &vec);
        }
    } else if (scalar(v) && !*scalar(v)) {
        /* "protrusion:" with no value: empty table */
    } else {
        lerr(L, v, "%s: expected %s, found %s", a->path, type_expect(k), found(L, v, scalar(v)));
    }
    LayProtrusion *arr = NULL;
    if (vec.n) {
        qsort(vec.v, (size_t)vec.n, sizeof *vec.v, cmp_protrusion);
        arr = arena_calloc(L->arena, (size_t)vec.n, sizeof *arr);
        memcpy(arr, vec.v, (size_t)vec.n * sizeof *arr);
    }
    const LayProtrusion *carr = arr;
    memcpy((char *)L->st + k->off, &carr, sizeof carr);
    store_int((char *)L->st + k->off_n, vec.n);
    free(vec.v);
}

static void apply_strlist(Loader *L, const StyleKey *k, const Assign *a)
{
    const char **list = NULL;
    int n = 0;
    yaml_node_t *v = a ? a->v : NULL;
    if (v && v->type == YAML_SEQUENCE_NODE) {
        int cap = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
        list = arena_calloc(L->arena, (size_t)cap + 1, sizeof *list);
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            yaml_node_t *e = yaml_document_get_node(L->doc, *it);
            if (!scalar(e))
                lerr(L, e, "%s: expected a string, found %s", a->path, found(L, e, NULL));
            else
                list[n++] = arena_strdup(L->arena, scalar(e));
        }
    } else if (v && scalar(v)) {
        if (*scalar(v)) {
            list = arena_calloc(L->arena, 2, sizeof *list);
            list[n++] = arena_strdup(L->arena, scalar(v));
        }
    } else if (v) {
        lerr(L, v, "%s: expected %s, found %s", a->path, type_expect(k), found(L, v, NULL));
    }
    memcpy((char *)L->st + k->off, &list, sizeof list);
    store_int((char *)L->st + k->off_n, n);
}

static void apply_label(Loader *L, const StyleKey *k, const Assign *a)
{
    const char **lab = L->st->labels[k->off];
    lab[0] = arena_strdup(L->arena, k->def);
    for (int i = 1; i < STYLE_LANGS; i++)
        lab[i] = "";
    if (!a)
        return;
    yaml_node_t *v = a->v;
    if (v->type != YAML_MAPPING_NODE) {
        lerr(L, v, "%s: expected %s, found %s", a->path, type_expect(k), found(L, v, scalar(v)));
        return;
    }
    for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
        yaml_node_t *kn = yaml_document_get_node(L->doc, q->key);
        yaml_node_t *vn = yaml_document_get_node(L->doc, q->value);
        const char *ks = scalar(kn) ? scalar(kn) : "";
        int li = -1;
        for (int i = 0; i < STYLE_LANGS; i++)
            if (strcmp(ks, style_lang_names[i]) == 0)
                li = i;
        if (li < 0) {
            lerr(L, kn, "unknown key '%s.%s' (expected en, ru or zh)", a->path, ks);
        } else if (!scalar(vn)) {
            lerr(L, vn, "%s.%s: expected a string, found %s", a->path, ks, found(L, vn, NULL));
        } else {
            lab[li] = arena_strdup(L->arena, scalar(vn));
        }
    }
}

static void apply_style_keys(Loader *L)
{
    double em = L->st->roles[ROLE_BODY].size;
    for (int i = 0; i < N_KEYS; i++) {
        const StyleKey *k = &style_keys[i];
        if (k->scope == KS_ROLE || k->scope == KS_FONTSET || k->scope == KS_LANG)
            continue;
        const Assign *a = find_assign(L, k, -1, -1);
        if (k->scope == KS_LABEL)
            apply_label(L, k, a);
        else if (k->type == KT_PROTRUSION)
            apply_protrusion(L, k, a);
        else if (k->type == KT_STRLIST)
            apply_strlist(L, k, a);
        else
            apply_key(L, k, a, k->name, NULL, em, (char *)L->st + k->off);
    }
}

/* Each language's line breaking: the linebreak keys, with what
 * languages.<lang>.linebreak sets instead. */
static void apply_languages(Loader *L)
{
    double em = L->st->roles[ROLE_BODY].size;
    for (int l = 0; l < STYLE_LANGS; l++) {
        L->st->brk_lang[l] = L->st->brk;
        for (int i = 0; i < N_KEYS; i++) {
            const StyleKey *k = &style_keys[i];
            const Assign *a = k->scope == KS_LANG ? find_assign(L, k, l, -1) : NULL;
            if (a)
                apply_key(L, k, a, a->path, NULL, em, (char *)&L->st->brk_lang[l] + k->off);
        }
    }
}

/* "%.2f" without trailing zeros. */
static const char *fmt_pt(Loader *L, double v)
{
    char *s = arena_printf(L->arena, "%.2f", v);
    char *e = s + strlen(s) - 1;
    while (*e == '0')
        *e-- = 0;
    if (*e == '.')
        *e = 0;
    return s;
}

static void check_geometry(Loader *L)
{
    Style *st = L->st;
    double em = st->roles[ROLE_BODY].size, lead = st->roles[ROLE_BODY].leading;
    double w = st->page_width - st->margin_inner - st->margin_outer;
    double h = st->page_height - st->margin_top - st->margin_bottom;
    if (st->page_width <= 0 || st->page_height <= 0)
        return;                                 /* already reported */
    if (w < em) {
        lerr(L, L->page_key, "text block is %spt wide, narrower than one em (%spt)",
             fmt_pt(L, w), fmt_pt(L, em));
    } else if (st->columns > 1) {
        double cw = (w - (st->columns - 1) * st->column_gap) / st->columns;
        if (cw < em)
            lerr(L, L->page_key, "columns are %spt wide, narrower than one em (%spt)",
                 fmt_pt(L, cw), fmt_pt(L, em));
    }
    if (h < lead || h < em)
        lerr(L, L->page_key, "text block is %spt high, less than one body line (%spt)",
             fmt_pt(L, h), fmt_pt(L, lead > em ? lead : em));
}

/* Leading below this fraction of the type size makes a line's descenders
 * run into the next line's capitals: display type is set solid or a little
 * tighter (10/9), never much below that. */
#define STYLE_MIN_LEADING 0.8

/* What a check found for a key: its value as written, or what it was given. */
static const char *found_value(Loader *L, const Assign *a, double v, const char *how)
{
    if (a)
        return found(L, a->v, scalar(a->v));
    return arena_printf(L->arena, "%spt (%s)", fmt_pt(L, v), how);
}

/* Every role's leading is at least STYLE_MIN_LEADING of its size.  The error
 * goes to the role's leading if it sets one, else to its size (the body's
 * default leading under a large size).  A role without its own leading keeps
 * body's ratio, so only body's error is reported for it. */
static void check_leading(Loader *L)
{
    const StyleKey *klead = find_key("roles.<role>.leading"), *ksize = find_key("roles.<role>.size");
    int body_bad = 0;
    for (int r = 0; r < ROLE_COUNT; r++) {
        const StyleRole *ro = &L->st->roles[r];
        if (!(ro->leading > 0) || ro->leading >= STYLE_MIN_LEADING * ro->size - 1e-9)
            continue;
        const Assign *al = find_assign(L, klead, r, -1), *as = find_assign(L, ksize, r, -1);
        if (r == ROLE_BODY)
            body_bad = 1;
        else if (!al && body_bad)
            continue;
        lerr(L, al ? al->v : as ? as->v : L->role_key[r],
             "roles.%s.leading: expected at least %.0f%% of the type size (%spt for %spt type), "
             "found %s", style_role_names[r], STYLE_MIN_LEADING * 100,
             fmt_pt(L, STYLE_MIN_LEADING * ro->size), fmt_pt(L, ro->size),
             found_value(L, al, ro->leading, r == ROLE_BODY ? "the default" : "scaled from body"));
    }
}

/* The running head's baseline sits head_offset above the text block, the
 * folio's folio_offset below it.  Each must stay at least its own type size
 * inside the trim, or the line is cut off or lands off the page (one size is
 * about the 3 mm printers ask to keep clear of the cut).  The error goes to the
 * offset when the style sets it, else to the margin. */
static void check_furniture(Loader *L)
{
    const Style *st = L->st;
    struct {
        const char *key, *margin_key, *what;
        double offset, margin, size;
        int on;
    } f[] = {
        {"page.head_offset", "page.margin_top", "the running head", st->head_offset, st->margin_top,
         st->roles[ROLE_RUNNING_HEAD].size, st->running_heads},
        {"page.folio_offset", "page.margin_bottom", "the folio", st->folio_offset, st->margin_bottom,
         st->roles[ROLE_FOLIO].size, 1},
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        double room = f[i].margin - f[i].size;
        if (!f[i].on || f[i].offset <= room + 1e-9)
            continue;
        const Assign *ao = find_assign(L, find_key(f[i].key), -1, -1);
        const Assign *am = find_assign(L, find_key(f[i].margin_key), -1, -1);
        if (room < 0)
            lerr(L, am ? am->v : L->page_key,
                 "%s: expected room for %s (at least its %spt type), found %s", f[i].margin_key,
                 f[i].what, fmt_pt(L, f[i].size), found_value(L, am, f[i].margin, "the default"));
        else
            lerr(L, ao ? ao->v : am ? am->v : L->page_key,
                 "%s: expected at most %spt (%s %spt less %s's %spt type), found %s", f[i].key,
                 fmt_pt(L, room), f[i].margin_key + 5, fmt_pt(L, f[i].margin), f[i].what,
                 fmt_pt(L, f[i].size), found_value(L, ao, f[i].offset, "the default"));
    }
}

/* ---- step 1: read and screen the YAML ---------------------------------------------*/
static char *read_file(const char *path, size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > STYLE_MAX_BYTES) {
                *err = EFBIG;
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (!ferror(f) && n > STYLE_MAX_BYTES) {
        *err = EFBIG;
        free(buf);
        fclose(f);
        return NULL;
    }
    if (ferror(f)) {
        *err = errno ? errno : EIO;
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Event pass: syntax errors, aliases, depth, several documents.  0 on error. */
static int screen_yaml(Loader *L, const char *buf, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        lerr(L, NULL, "YAML: cannot initialise the parser");
        return 0;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    int depth = 0, docs = 0, ok = 1;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            diag_add(L->dl, DIAG_ERROR, L->file, (int)p.problem_mark.line + 1,
                     (int)p.problem_mark.column + 1, "YAML: %s",
                     p.problem ? p.problem : "syntax error");
            L->errors++;
            ok = 0;
            break;
        }
        int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
        yaml_event_type_t t = ev.type;
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT)
            break;
        const char *msg = NULL;
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
            if (++depth > STYLE_MAX_DEPTH)
                msg = "YAML nesting is deeper than 64 levels";
        } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (t == YAML_ALIAS_EVENT) {
            msg = "YAML aliases are not allowed in a style";
        } else if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            msg = "a style file holds one YAML document, found a second";
        }
        if (msg) {
            diag_add(L->dl, DIAG_ERROR, L->file, line, col, "%s", msg);
            L->errors++;
            ok = 0;
            break;
        }
    }
    yaml_parser_delete(&p);
    return ok;
}

/* ---- public ------------------------------------------------------------------*/
int style_is_path(const char *s)
{
    return strchr(s, '/') || g_str_has_suffix(s, ".yaml") || g_str_has_suffix(s, ".yml");
}

char *style_file(const char *name_or_path, const char *datadir)
{
    return style_is_path(name_or_path)
               ? g_strdup(name_or_path)
               : g_strdup_printf("%s/styles/%s.yaml", datadir && *datadir ? datadir : ".",
                                 name_or_path);
}

Style *style_load(const char *name_or_path, const char *datadir, DiagList *dl)
{
    if (!name_or_path || !*name_or_path) {
        diag_add(dl, DIAG_ERROR, "typeset", 1, 1, "no style named");
        return NULL;
    }
    StyleBox *box = xcalloc(1, sizeof *box);
    arena_init(&box->arena);
    Style *st = &box->s;
    Loader L = {.arena = &box->arena, .dl = dl, .st = st};
    char *file = style_file(name_or_path, datadir);
    const char *path = arena_strdup(L.arena, file);
    g_free(file);
    L.file = path;
    st->path = path;

    size_t len = 0;
    int err = 0;
    char *buf = read_file(path, &len, &err);
    if (!buf) {
        char ebuf[256];
        const char *es = err == EFBIG ? "file is larger than 1 MiB"
                                      : strerror_r(err, ebuf, sizeof ebuf);
        diag_add(dl, DIAG_ERROR, path, 1, 1, "cannot read style '%s': %c%s", name_or_path,
                 tolower((unsigned char)es[0]), es + 1);
        style_free(st);
        return NULL;
    }

    yaml_document_t doc;
    int have_doc = 0;
    if (screen_yaml(&L, buf, len)) {
        yaml_parser_t p;
        yaml_parser_initialize(&p);
        yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
        if (!yaml_parser_load(&p, &doc)) {
            diag_add(dl, DIAG_ERROR, path, (int)p.problem_mark.line + 1,
                     (int)p.problem_mark.column + 1, "YAML: %s",
                     p.problem ? p.problem : "cannot load the document");
            L.errors++;
        } else {
            have_doc = 1;
        }
        yaml_parser_delete(&p);
    }
    if (have_doc) {
        L.doc = &doc;
        yaml_node_t *root = yaml_document_get_root_node(&doc);
        if (!root) {
            lerr(&L, NULL, "style file is empty");
        } else if (root->type != YAML_MAPPING_NODE) {
            lerr(&L, root, "expected a mapping of style keys, found %s",
                 found(&L, root, scalar(root)));
        } else {
            walk_map(&L, root, "", "", -1, -1);
            apply_fontsets(&L);
            apply_role(&L, ROLE_BODY);
            for (int r = 1; r < ROLE_COUNT; r++)
                apply_role(&L, r);
            apply_style_keys(&L);
            apply_languages(&L);
            if (!L.errors) {
                check_geometry(&L);
                check_leading(&L);
                check_furniture(&L);
            }
        }
        yaml_document_delete(&doc);
    }
    free(buf);
    free(L.as.v);
    if (L.errors || !have_doc) {
        style_free(st);
        return NULL;
    }
    if (!st->name || !*st->name) {          /* the file name without directory and .yaml */
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        size_t n = strcspn(b, ".");
        st->name = arena_strndup(L.arena, b, n);
    }
    return st;
}

void style_free(Style *s)
{
    if (!s)
        return;
    StyleBox *box = (StyleBox *)((char *)s - offsetof(StyleBox, s));
    arena_fini(&box->arena);
    free(box);
}

const LayBreakParams *style_linebreak(const Style *s, const char *lang)
{
    if (lang) {
        size_t n = strcspn(lang, "-_");
        for (int i = 0; i < STYLE_LANGS; i++)
            if (strlen(style_lang_names[i]) == n && strncasecmp(lang, style_lang_names[i], n) == 0)
                return &s->brk_lang[i];
    }
    return &s->brk;
}

int style_lang_index(const char *lang)
{
    if (!lang)
        return 0;
    size_t n = strcspn(lang, "-_");
    for (int i = 0; i < STYLE_LANGS; i++)
        if (strlen(style_lang_names[i]) == n && strncasecmp(lang, style_lang_names[i], n) == 0)
            return i;
    return 0;
}

const char *style_label(const Style *s, StyleLabelId id, const char *lang)
{
    if (!s || (int)id < 0 || id >= LABEL_COUNT)
        return "";
    const char *l = s->labels[id][style_lang_index(lang)];
    if (!l || !*l)
        l = s->labels[id][0];
    return l ? l : "";
}

void style_print_keys(FILE *f)
{
    fprintf(f, "%-34s %-10s %-20s %-8s %s\n", "# key", "type", "default", "unit", "help");
    for (int i = 0; i < N_KEYS; i++) {
        const StyleKey *k = &style_keys[i];
        const char *def = k->def && *k->def ? k->def : "-";
        char quoted[64];
        if (k->type == KT_STR && k->def && *k->def && strchr(k->def, ' ')) {
            snprintf(quoted, sizeof quoted, "\"%s\"", k->def);
            def = quoted;
        }
        fprintf(f, "%-34s %-10s %-20s %-8s %s%s\n", k->name, key_type_names[k->type], def,
                *k->unit ? k->unit : "-", k->help,
                (k->flags & KF_INHERIT) ? " [inherits from body]" : "");
    }
    fprintf(f, "# <role>: one of");
    for (int r = 0; r < ROLE_COUNT; r++)
        fprintf(f, " %s", style_role_names[r]);
    fprintf(f, "\n# <lang>: en, ru or zh (an unset key takes the linebreak value)");
    fprintf(f, "\n# <set>: a font-set name (serif, sans, mono, ...); lengths take mm, cm, in, pt"
               " or em (a role's own size; body size elsewhere), a bare number is pt\n");
}
