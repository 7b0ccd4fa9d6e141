/* compose.c — document model + style -> LayInput.  See compose.h. */
#include "compose.h"
#include "image.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef VEC(LayBlock) BlockVec;
typedef VEC(LaySpan) SpanVec;

typedef struct Ctx {
    const Doc *doc;
    const Style *st;
    const ComposeOptions *o;
    Arena *a;
    DiagList *dl;
    const char *lang;
    int heading_base;       /* smallest heading level in the body */
    int sections;
    int figures, tables;
    const char *table_name; /* "Table 2" from the caption just set, for its table's
                               "continued" label; NULL when the table has none */
} Ctx;

/* ---- fonts ------------------------------------------------------------------------*/
static const StyleFontSet *fontset(const Ctx *c, int idx)
{
    if (idx < 0 || idx >= c->st->n_fontsets)
        idx = 0;
    return &c->st->fontsets[idx];
}

static LayFont role_font(const Ctx *c, StyleRoleId r, unsigned flags)
{
    return compose_role_font(c->st, r, flags, c->a);
}

LayFont compose_role_font(const Style *st, StyleRoleId r, unsigned flags, Arena *a)
{
    const Ctx cc = {.st = st, .a = a};
    const Ctx *c = &cc;
    const StyleRole *ro = &c->st->roles[r];
    int fs = ro->fontset;
    if (flags & DOC_CODE) {
        for (int i = 0; i < c->st->n_fontsets; i++)
            if (strcmp(c->st->fontsets[i].name, "mono") == 0)
                fs = i;
    }
    const StyleFontSet *set = fontset(c, fs);
    LayFont f = {
        .families = set->families ? set->families : style_fontset_families(set, c->a),
        .size = ro->size,
        .bold = ro->bold || (flags & DOC_BOLD),
        .italic = (flags & DOC_ITALIC) ? !ro->italic : ro->italic,
    };
    if (flags & (DOC_SUPER | DOC_SUB))
        f.size = ro->size * 0.65;
    if (flags & DOC_CODE)
        f.size = ro->size * 0.92;
    return f;
}

/* ---- paragraph builder ---------------------------------------------------------------*/
typedef struct PB {
    Ctx *c;
    StyleRoleId role;
    GString *text;
    SpanVec spans;
    int src_line;
} PB;

static void pb_begin(PB *pb, Ctx *c, StyleRoleId role, int src_line)
{
    pb->c = c;
    pb->role = role;
    pb->text = g_string_new(NULL);
    pb->spans = (SpanVec){0};
    pb->src_line = src_line;
}

static int looks_like_url(const char *s)
{
    return strstr(s, "://") || strncmp(s, "www.", 4) == 0 || strncmp(s, "10.", 3) == 0 ||
           strncmp(s, "mailto:", 7) == 0;
}

static void pb_text(PB *pb, const char *s, unsigned flags, const char *link, int footnote, int line)
{
    if (!s || !*s)
        return;
    int start = (int)pb->text->len;
    const StyleRole *ro = &pb->c->st->roles[pb->role];
    if (strcmp(s, "\n") == 0) {
        g_string_append(pb->text, "\xE2\x80\xA8");      /* U+2028 line separator */
    } else if (ro->uppercase) {
        char *up = g_utf8_strup(s, -1);
        g_string_append(pb->text, up);
        g_free(up);
    } else {
        g_string_append(pb->text, s);
    }
    LaySpan sp = {
        .start = start,
        .end = (int)pb->text->len,
        .font = role_font(pb->c, pb->role, flags),
        .link = link,
        .footnote = footnote,
        .src_line = line ? line : pb->src_line,
    };
    if (flags & DOC_SUPER)
        sp.rise = ro->size * 0.36;
    if (flags & DOC_SUB)
        sp.rise = -ro->size * 0.12;
    if (flags & (DOC_NOHYPH | DOC_CODE))
        sp.flags |= LAY_NOHYPH;
    /* code breaks where a URL does (after / . _ : and the like), never with a
     * hyphen: a long identifier ran into the next column or the margin */
    if (flags & DOC_CODE)
        sp.flags |= LAY_URL;
    /* a URL, DOI or e-mail address as text breaks at its punctuation */
    if (link && (looks_like_url(s) || strncmp(link, "mailto:", 7) == 0))
        sp.flags |= LAY_URL | LAY_NOHYPH;
    /* merge with the previous span when nothing differs */
    if (pb->spans.n > 0) {
        LaySpan *pv = &pb->spans.v[pb->spans.n - 1];
        if (pv->end == start && pv->link == sp.link && pv->footnote == sp.footnote &&
            pv->flags == sp.flags && pv->rise == sp.rise && pv->font.size == sp.font.size &&
            pv->font.bold == sp.font.bold && pv->font.italic == sp.font.italic &&
            strcmp(pv->font.families, sp.font.families) == 0) {
            pv->end = sp.end;
            return;
        }
    }
    VEC_PUSH(pb->spans, sp);
}

static void pb_inlines(PB *pb, const DocInlines *in, unsigned extra_flags)
{
    for (int i = 0; i < in->n; i++) {
        const DocRun *r = &in->runs[i];
        pb_text(pb, r->text, r->flags | extra_flags, r->link, r->footnote, r->line);
    }
}

/* Finishes the paragraph into a block; drops it when empty. */
static LayBlock *pb_end(PB *pb, BlockVec *out, const char *tag)
{
    Ctx *c = pb->c;
    /* trim trailing spaces */
    while (pb->text->len > 0 && pb->text->str[pb->text->len - 1] == ' ')
        g_string_truncate(pb->text, pb->text->len - 1);
    if (pb->text->len == 0 || pb->spans.n == 0) {
        g_string_free(pb->text, TRUE);
        free(pb->spans.v);
        return NULL;
    }
    int len = (int)pb->text->len;
    int n = 0;
    LaySpan *spans = arena_calloc(c->a, (size_t)pb->spans.n, sizeof *spans);
    for (int i = 0; i < pb->spans.n; i++) {
        LaySpan s = pb->spans.v[i];
        if (s.start >= len)
            break;
        if (s.end > len)
            s.end = len;
        spans[n++] = s;
    }
    const StyleRole *ro = &c->st->roles[pb->role];
    LayBlock b = {
        .kind = LB_PARA,
        .para = {
            .text = arena_strndup(c->a, pb->text->str, (size_t)len),
            .len = len,
            .spans = spans,
            .n_spans = n,
            .lang = c->lang,
            .align = ro->align,
            .leading = ro->leading,
            .first_indent = ro->first_indent,
            .left_indent = ro->left_indent,
            .right_indent = ro->right_indent,
            .hang_indent = ro->hang_indent,
            .hyphenate = ro->hyphenate,
            .src_line = pb->src_line,
        },
        .space_before = ro->space_before,
        .space_after = ro->space_after,
        .keep_with_next = ro->keep_with_next,
        .tag = tag,
    };
    g_string_free(pb->text, TRUE);
    free(pb->spans.v);
    VEC_PUSH(*out, b);
    return &out->v[out->n - 1];
}

/* One paragraph of plain text in a role. */
static LayBlock *simple(Ctx *c, BlockVec *out, StyleRoleId role, const char *text, const char *link,
                        const char *tag, int line)
{
    PB pb;
    pb_begin(&pb, c, role, line);
    pb_text(&pb, text, 0, link, 0, line);
    return pb_end(&pb, out, tag);
}

/* ---- names and templates ---------------------------------------------------------------*/
static int has_cjk(const char *s)
{
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c >= 0x2E80 && c <= 0x9FFF)
            return 1;
    }
    return 0;
}

/* The initials of one given name: "Anna" -> "A.", "Jean-Paul" -> "J.-P.", an
 * initial already written ("A." or "A.A.") as it is. */
static void name_initial(GString *g, const char *tok)
{
    if (strchr(tok, '.')) {
        g_string_append(g, tok);
        return;
    }
    int first = 1;
    for (const char *p = tok; *p;) {
        if (!first)
            g_string_append_c(g, '-');
        g_string_append_unichar(g, g_unichar_toupper(g_utf8_get_char(p)));
        g_string_append_c(g, '.');
        first = 0;
        const char *h = strchr(p, '-');
        if (!h || !h[1])
            break;
        p = h + 1;
    }
}

/* A name as "Given Middle Family" or "Family, Given", with the particles of a
 * family name kept with it ("Ludwig van Beethoven", "van der Berg, Jan": a
 * lower-case word before the family name is a particle, as in van, von, de,
 * da, ibn).  cite: "Family G.M."; otherwise "G. M. Family".  A Chinese name, or
 * one word, is left as it is. */
static char *name_parts(const char *name, Arena *a, int cite)
{
    if (!name)
        return arena_strdup(a, "");
    if (has_cjk(name) || (!strchr(name, ' ') && !strchr(name, ',')))
        return arena_strdup(a, name);
    char *family = NULL, **given = NULL;
    const char *comma = strchr(name, ',');
    /* "Martin Luther King, Jr.": a generational suffix after the comma is
     * no given name; it follows the family name in either form */
    static const char *const suffixes[] = {"Jr.", "Sr.", "Jr", "Sr", "II", "III", "IV", NULL};
    const char *suffix = NULL;
    for (int i = 0; comma && suffixes[i] && !suffix; i++) {
        const char *t = comma + 1;
        while (*t == ' ')
            t++;
        if (strcmp(t, suffixes[i]) == 0)
            suffix = suffixes[i];
    }
    if (suffix) {
        char *bare = g_strndup(name, (gsize)(comma - name));
        char *r = name_parts(bare, a, cite);
        g_free(bare);
        return arena_printf(a, "%s %s", r, suffix);
    }
    if (comma) {
        family = g_strstrip(g_strndup(name, (gsize)(comma - name)));
        given = g_strsplit(comma + 1, " ", -1);
    } else {
        char **tok = g_strsplit(name, " ", -1);
        int n = 0;
        while (tok[n])
            n++;
        while (n > 0 && !*tok[n - 1])
            n--;
        int f = n > 0 ? n - 1 : 0;      /* the family name starts at tok[f] */
        while (f > 1 && *tok[f - 1] && g_unichar_islower(g_utf8_get_char(tok[f - 1])))
            f--;
        GString *fam = g_string_new(NULL);
        for (int i = f; i < n; i++)
            if (*tok[i])
                g_string_append_printf(fam, "%s%s", fam->len ? " " : "", tok[i]);
        family = g_string_free(fam, FALSE);
        given = g_new0(char *, f + 1);
        for (int i = 0; i < f; i++)
            given[i] = g_strdup(tok[i]);
        g_strfreev(tok);
    }
    GString *ini = g_string_new(NULL);
    for (int i = 0; given[i]; i++) {
        if (!*given[i])
            continue;
        if (!cite && ini->len)
            g_string_append_c(ini, ' ');
        name_initial(ini, given[i]);
    }
    if (!*family) {             /* ", Anna": no family name to build on */
        g_string_free(ini, TRUE);
        g_strfreev(given);
        g_free(family);
        return arena_strdup(a, name);
    }
    char *res = !ini->len ? arena_strdup(a, family)
                : cite ? arena_printf(a, "%s %s", family, ini->str)
                       : arena_printf(a, "%s %s", ini->str, family);
    g_string_free(ini, TRUE);
    g_strfreev(given);
    g_free(family);
    return res;
}

char *compose_name_cite(const char *name, Arena *a)
{
    return name_parts(name, a, 1);
}

char *compose_name_initials(const char *name, Arena *a)
{
    return name_parts(name, a, 0);
}

static char *join_authors(const Doc *d, Arena *a, int form)
{
    GString *g = g_string_new(NULL);
    for (int i = 0; i < d->meta.n_authors; i++) {
        const char *n = d->meta.authors[i].name;
        const char *s = form == 1 ? compose_name_cite(n, a) : form == 2 ? compose_name_initials(n, a) : n;
        if (i)
            g_string_append(g, ", ");
        g_string_append(g, s ? s : "");
    }
    char *r = arena_strdup(a, g->str);
    g_string_free(g, TRUE);
    return r;
}

static char *short_title(const char *t, Arena *a)
{
    if (!t)
        return arena_strdup(a, "");
    const char *colon = strstr(t, ": ");
    size_t n = colon ? (size_t)(colon - t) : strlen(t);
    if (g_utf8_strlen(t, (gssize)n) <= 70)
        return arena_strndup(a, t, n);
    /* cut at a word boundary before 65 characters */
    const char *p = g_utf8_offset_to_pointer(t, 65);
    const char *cut = p;
    while (cut > t && *cut != ' ')
        cut--;
    if (cut == t)
        cut = p;
    return arena_printf(a, "%.*s…", (int)(cut - t), t);
}

static const char *field(const char *name, size_t n, const Doc *d, const ComposeOptions *o, Arena *a)
{
    const DocMeta *m = &d->meta;
#define IS(s) (n == strlen(s) && strncmp(name, s, n) == 0)
    if (IS("journal")) return m->journal;
    if (IS("issn")) return m->issn;
    if (IS("volume")) return m->volume;
    if (IS("number")) return m->number;
    if (IS("year")) return m->year;
    if (IS("title")) return m->title;
    if (IS("subtitle")) return m->subtitle;
    if (IS("short_title")) return short_title(m->title, a);
    if (IS("doi")) return m->doi;
    if (IS("doi_url")) return m->doi ? arena_printf(a, "https://doi.org/%s", m->doi) : NULL;
    if (IS("article_type")) return m->article_type;
    if (IS("received")) return m->received;
    if (IS("accepted")) return m->accepted;
    if (IS("published")) return m->published;
    if (IS("authors")) return join_authors(d, a, 0);
    if (IS("authors_cite") || IS("authors_short")) return join_authors(d, a, 1);
    if (IS("authors_initials")) return join_authors(d, a, 2);
    if (IS("first_page")) return o->first_page > 0 ? arena_printf(a, "%d", o->first_page) : NULL;
    if (IS("last_page")) return o->last_page > 0 ? arena_printf(a, "%d", o->last_page) : NULL;
    if (IS("pages")) {
        if (o->first_page <= 0)
            return NULL;
        if (o->last_page <= o->first_page)
            return arena_printf(a, "%d", o->first_page);
        return arena_printf(a, "%d–%d", o->first_page, o->last_page);
    }
    return NULL;
#undef IS
}

/* Where the page number goes in an expanded folio template (folio_parts). */
#define PAGE_MARK '\x01'

/* Expands {field}; "[ … ]" groups (nested up to 8 deep) vanish when a field
 * in them is empty.  A literal bracket is written "[[" or "]]".  {page} is
 * empty (only the page builder knows the page) unless mark_page: then it is
 * PAGE_MARK, and a PAGE_MARK the template or a field holds (a "\x01" escape
 * in YAML) is dropped, so each one in the result is a page number. */
static char *expand(const char *tpl, const Doc *doc, const ComposeOptions *o, int mark_page,
                    Arena *a)
{
    if (!tpl)
        return arena_strdup(a, "");
    enum { MAXG = 8 };
    GString *stack[MAXG + 1];
    int ok[MAXG + 1];
    int depth = 0;
    stack[0] = g_string_new(NULL);
    ok[0] = 1;
    for (const char *p = tpl; *p;) {
        GString *dst = stack[depth];
        if ((p[0] == '[' && p[1] == '[') || (p[0] == ']' && p[1] == ']')) {
            g_string_append_c(dst, p[0]);
            p += 2;
        } else if (*p == '[' && depth < MAXG) {
            stack[++depth] = g_string_new(NULL);
            ok[depth] = 1;
            p++;
        } else if (*p == ']' && depth > 0) {
            if (ok[depth])
                g_string_append(stack[depth - 1], stack[depth]->str);
            g_string_free(stack[depth--], TRUE);
            p++;
        } else if (*p == '{' && strchr(p, '}')) {
            const char *e = strchr(p, '}');
            if (mark_page && e - p - 1 == 4 && strncmp(p + 1, "page", 4) == 0) {
                g_string_append_c(dst, PAGE_MARK);
                p = e + 1;
                continue;
            }
            const char *v = field(p + 1, (size_t)(e - p - 1), doc, o, a);
            if (v && *v) {
                for (const char *q = v; *q; q++)
                    if (!mark_page || *q != PAGE_MARK)
                        g_string_append_c(dst, *q);
            } else {
                ok[depth] = 0;
            }
            p = e + 1;
        } else if (mark_page && *p == PAGE_MARK) {
            p++;
        } else {
            /* "{authors_cite}." with "Kireeva A.A." gives one full stop, not two */
            if (*p == '.' && dst->len > 0 && dst->str[dst->len - 1] == '.')
                p++;
            else
                g_string_append_c(dst, *p++);
        }
    }
    while (depth > 0) {
        if (ok[depth])
            g_string_append(stack[depth - 1], stack[depth]->str);
        g_string_free(stack[depth--], TRUE);
    }
    char *r = arena_strdup(a, stack[0]->str);
    g_string_free(stack[0], TRUE);
    return r;
}

char *compose_template(const char *tpl, const Doc *doc, const ComposeOptions *o, Arena *a)
{
    return expand(tpl, doc, o, 0, a);
}

/* Does the template reference a field that is empty (the line is dropped)? */
static int template_complete(const char *tpl, const Doc *doc, const ComposeOptions *o, Arena *a)
{
    int depth = 0;
    for (const char *p = tpl; *p; p++) {
        if (*p == '[') depth++;
        if (*p == ']' && depth) depth--;
        if (*p == '{' && !depth && strchr(p, '}')) {
            const char *e = strchr(p, '}');
            const char *v = field(p + 1, (size_t)(e - p - 1), doc, o, a);
            if (!v || !*v)
                return 0;
            p = e;
        }
    }
    return 1;
}

/* ---- the first page ----------------------------------------------------------------*/
static const char *label(const Ctx *c, StyleLabelId id)
{
    return style_label(c->st, id, c->lang);
}

static void front(Ctx *c, BlockVec *out)
{
    const Doc *d = c->doc;
    const DocMeta *m = &d->meta;
    int mast_lines = 0;
    for (int i = 0; i < c->st->n_masthead; i++) {
        const char *tpl = c->st->masthead[i];
        if (!template_complete(tpl, d, c->o, c->a))
            continue;
        mast_lines++;
        char *line = compose_template(tpl, d, c->o, c->a);
        const char *link = strstr(tpl, "{doi_url}") && m->doi
                               ? arena_printf(c->a, "https://doi.org/%s", m->doi) : NULL;
        PB pb;
        pb_begin(&pb, c, ROLE_MASTHEAD, 1);
        if (link) {
            /* link only the DOI URL part of the line */
            const char *u = strstr(line, link);
            if (u) {
                char *pre = arena_strndup(c->a, line, (size_t)(u - line));
                pb_text(&pb, pre, 0, NULL, 0, 1);
                pb_text(&pb, link, DOC_NOHYPH, link, 0, 1);
                pb_text(&pb, u + strlen(link), 0, NULL, 0, 1);
            } else {
                pb_text(&pb, line, 0, NULL, 0, 1);
            }
        } else {
            pb_text(&pb, line, 0, NULL, 0, 1);
        }
        pb_end(&pb, out, "P");
    }
    if (c->st->masthead_rule > 0 && mast_lines > 0)
        VEC_PUSH(*out, ((LayBlock){.kind = LB_RULE, .rule_width = c->st->masthead_rule,
                                   .space_after = 6, .tag = "P"}));
    if (m->article_type)
        simple(c, out, ROLE_ARTICLE_TYPE, m->article_type, NULL, "P", 1);
    LayBlock *t;
    if (m->title_in.n > 0) {
        PB pb;
        pb_begin(&pb, c, ROLE_TITLE, m->title_line);
        pb_inlines(&pb, &m->title_in, 0);
        t = pb_end(&pb, out, "H1");
    } else {
        t = simple(c, out, ROLE_TITLE, m->title, NULL, "H1", m->title_line);
    }
    if (t) {
        t->dest = "title";
        t->keep_with_next = 1;
    }
    if (m->subtitle)
        simple(c, out, ROLE_SUBTITLE, m->subtitle, NULL, "P", m->title_line);

    /* authors, with affiliation numbers when there is more than one affiliation */
    const char *affs[64];
    int naff = 0;
    int *aidx = arena_calloc(c->a, (size_t)(m->n_authors + 1), sizeof(int));
    for (int i = 0; i < m->n_authors; i++) {
        const DocAuthor *au = &m->authors[i];
        const char *aff = au->affiliation
            ? (au->country ? arena_printf(c->a, "%s, %s", au->affiliation, au->country) : au->affiliation)
            : au->country;
        aidx[i] = -1;
        if (!aff)
            continue;
        for (int k = 0; k < naff; k++)
            if (strcmp(affs[k], aff) == 0)
                aidx[i] = k;
        if (aidx[i] < 0 && naff < 64) {
            affs[naff] = aff;
            aidx[i] = naff++;
        }
    }
    if (m->n_authors > 0) {
        PB pb;
        pb_begin(&pb, c, ROLE_AUTHOR, m->authors[0].line);
        for (int i = 0; i < m->n_authors; i++) {
            if (i)
                pb_text(&pb, ", ", 0, NULL, 0, 0);
            pb_text(&pb, m->authors[i].name, 0, NULL, 0, m->authors[i].line);
            if (naff > 1 && aidx[i] >= 0)
                pb_text(&pb, arena_printf(c->a, "%d", aidx[i] + 1), DOC_SUPER, NULL, 0, 0);
        }
        pb_end(&pb, out, "P");
        for (int k = 0; k < naff; k++) {
            PB pa;
            pb_begin(&pa, c, ROLE_AFFILIATION, m->authors[0].line);
            if (naff > 1)
                pb_text(&pa, arena_printf(c->a, "%d", k + 1), DOC_SUPER, NULL, 0, 0);
            pb_text(&pa, affs[k], 0, NULL, 0, 0);
            LayBlock *ab = pb_end(&pa, out, "P");
            if (ab && k + 1 < naff)
                ab->space_after = 0;    /* the role's space follows the last one only */
        }
    }
    if (c->doc->abstract.n > 0) {
        LayBlock *lb = simple(c, out, ROLE_LABEL, label(c, LABEL_ABSTRACT), NULL, "H2", m->abstract_line);
        if (lb)
            lb->keep_with_next = 1;
        for (int i = 0; i < c->doc->abstract.n; i++) {
            const DocBlock *b = &c->doc->abstract.v[i];
            PB pb;
            pb_begin(&pb, c, ROLE_ABSTRACT, b->line);
            pb_inlines(&pb, &b->in, 0);
            LayBlock *ab = pb_end(&pb, out, "P");
            if (ab && i == 0)
                ab->para.first_indent = 0;
        }
    }
    if (m->n_keywords > 0) {
        PB pb;
        pb_begin(&pb, c, ROLE_KEYWORDS, 1);
        pb_text(&pb, arena_printf(c->a, "%s: ", label(c, LABEL_KEYWORDS)), DOC_BOLD, NULL, 0, 0);
        for (int i = 0; i < m->n_keywords; i++)
            pb_text(&pb, arena_printf(c->a, "%s%s", m->keywords[i], i + 1 < m->n_keywords ? "; " : ""),
                    0, NULL, 0, 0);
        pb_end(&pb, out, "P");
    }
    const char *dl[3] = {m->received, m->accepted, m->published};
    StyleLabelId dlab[3] = {LABEL_RECEIVED, LABEL_ACCEPTED, LABEL_PUBLISHED};
    GString *dates = g_string_new(NULL);
    for (int i = 0; i < 3; i++)
        if (dl[i])
            g_string_append_printf(dates, "%s%s: %s", dates->len ? ". " : "", label(c, dlab[i]), dl[i]);
    if (dates->len)
        simple(c, out, ROLE_DATES, dates->str, NULL, "P", 1);
    g_string_free(dates, TRUE);
}

/* ---- the body ---------------------------------------------------------------------*/
/* A figure: the image block (kept with its caption) and "Figure N. caption". */
static int figure(Ctx *c, const DocBlock *b, BlockVec *out)
{
    const char *src = b->src ? b->src : "";
    if (strstr(src, "://")) {
        diag_add(c->dl, DIAG_ERROR, c->doc->path, b->line, b->col,
                 "image '%s' is remote: images must be local files", src);
        return -1;
    }
    char *path = (src[0] == '/' || !c->o->base_dir) ? arena_strdup(c->a, src)
                                                   : arena_printf(c->a, "%s/%s", c->o->base_dir, src);
    ImageKind kind;
    double w = 0, h = 0;
    if (image_probe(path, &kind, &w, &h, c->doc->path, b->line, b->col, c->dl) != 0)
        return -1;
    const StyleRole *cap = &c->st->roles[ROLE_CAPTION];
    VEC_PUSH(*out, ((LayBlock){.kind = LB_IMAGE, .image = path, .image_w = w, .image_h = h,
                               .keep_with_next = 1, .tag = "Figure",
                               .space_before = cap->space_before > 0 ? cap->space_before : 6,
                               .space_after = 4}));
    PB pb;
    pb_begin(&pb, c, ROLE_CAPTION, b->line);
    pb_text(&pb, arena_printf(c->a, "%s %d. ", label(c, LABEL_FIGURE), ++c->figures), DOC_BOLD,
            NULL, 0, 0);
    pb_inlines(&pb, &b->in, 0);
    LayBlock *cb = pb_end(&pb, out, "Caption");
    if (cb)
        cb->para.first_indent = 0;
    return 0;
}

/* Tab stops in code blocks: every 4 columns, as Pandoc sets them. */
#define CODE_TAB 4

/* line with each tab replaced by spaces up to the next tab stop (columns
 * counted in characters); line itself when it has no tab. */
static const char *expand_tabs(Arena *a, const char *line)
{
    if (!strchr(line, '\t'))
        return line;
    GString *g = g_string_new(NULL);
    long col = 0;
    for (const char *p = line; *p; p = g_utf8_next_char(p)) {
        if (*p == '\t') {
            do
                g_string_append_c(g, ' ');
            while (++col % CODE_TAB);
        } else {
            g_string_append_len(g, p, g_utf8_next_char(p) - p);
            col++;
        }
    }
    const char *r = arena_strdup(a, g->str);
    g_string_free(g, TRUE);
    return r;
}

/* A paragraph right before a table is its caption when it starts with the
 * table label ("Table 2.", "Таблица 1.", "表1") or with "Table:" (Pandoc's
 * form, numbered here).  Returns 1 for a caption; *auto_skip is the number
 * of bytes of a "Table:" prefix to replace by the number. */
static int is_table_caption(const Ctx *c, const DocBlock *b, const DocBlock *next, int *auto_skip)
{
    *auto_skip = 0;
    if (!next || next->kind != DOC_TABLE || b->in.n == 0 || b->list_depth || b->quote_depth)
        return 0;
    const char *t = b->in.runs[0].text;
    const char *lab = label(c, LABEL_TABLE);
    if (strncmp(t, "Table:", 6) == 0) {
        *auto_skip = 6;
        return 1;
    }
    size_t n = strlen(lab);
    return n > 0 && strncmp(t, lab, n) == 0;
}

/* The name a caption gives its table: the table label and the number the
 * author wrote after it ("Table 2.1. Results" -> "Table 2.1", "表3 …" ->
 * "表3"), or the label alone when no number follows ("Таблица: …").  Good
 * enough for the captions is_table_caption accepts. */
static const char *caption_name(const Ctx *c, const char *text)
{
    const char *lab = label(c, LABEL_TABLE);
    const char *p = text + strlen(lab), *num;
    while (*p == ' ')
        p++;
    num = p;
    while (g_ascii_isalnum(*p) || ((*p == '.' || *p == '-') && g_ascii_isalnum(p[1])))
        p++;
    return p > num ? arena_printf(c->a, "%s %.*s", lab, (int)(p - num), num) : lab;
}

/* The line above a table's header rows on the pages it continues on:
 * "Table 2 (continued)" in the caption role, the name bold as in the caption
 * ("（续）" in Chinese); "(continued)" for a table without a caption. */
static void continued_label(Ctx *c, LayTable *t, int line)
{
    const char *cont = label(c, LABEL_CONTINUED);
    if (!*cont)
        return;             /* the style asks for none */
    int zh = style_lang_index(c->lang) == 2;
    PB pb;
    pb_begin(&pb, c, ROLE_CAPTION, line);
    if (c->table_name) {
        pb_text(&pb, c->table_name, DOC_BOLD, NULL, 0, line);
        pb_text(&pb, zh ? "" : " ", 0, NULL, 0, line);
    }
    pb_text(&pb, arena_printf(c->a, zh ? "（%s）" : "(%s)", cont), 0, NULL, 0, line);
    BlockVec tmp = {0};
    LayBlock *lb = pb_end(&pb, &tmp, "Caption");
    if (lb) {
        lb->para.first_indent = 0;
        t->continued = lb->para;
    }
    free(tmp.v);
}

static int table_block(Ctx *c, const DocBlock *b, BlockVec *out)
{
    LayTable *t = arena_alloc(c->a, sizeof *t);
    t->ncols = b->ncols;
    t->nrows = b->nrows;
    t->header_rows = b->header_rows;
    t->rule_width = 0.5;
    t->cell_pad = 3;
    t->row_gap = c->st->roles[ROLE_TABLE].leading * 0.3;
    t->cells = arena_calloc(c->a, (size_t)(b->ncols * b->nrows + 1), sizeof *t->cells);
    for (int r = 0; r < b->nrows; r++)
        for (int k = 0; k < b->ncols; k++) {
            BlockVec tmp = {0};
            PB pb;
            /* GFM: the delimiter row (|---|) follows the header rows */
            pb_begin(&pb, c, ROLE_TABLE, b->line + r + (b->header_rows > 0 && r >= b->header_rows));
            pb_inlines(&pb, &b->cells[r * b->ncols + k], r < b->header_rows ? DOC_BOLD : 0);
            LayBlock *cb = pb_end(&pb, &tmp, "TD");
            if (cb) {
                cb->para.first_indent = 0;
                char al = b->align ? b->align[k] : 'n';
                cb->para.align = al == 'r' ? ALIGN_RIGHT : al == 'c' ? ALIGN_CENTER : ALIGN_LEFT;
                cb->para.hyphenate = 1;
                t->cells[r * b->ncols + k] = cb->para;
            } else {
                t->cells[r * b->ncols + k].leading = c->st->roles[ROLE_TABLE].leading;
            }
            free(tmp.v);
        }
    continued_label(c, t, b->line);
    c->table_name = NULL;
    const StyleRole *ro = &c->st->roles[ROLE_TABLE];
    /* in a list or a quote, a table takes the indent its paragraphs take */
    const StyleRole *list = &c->st->roles[ROLE_LIST], *quote = &c->st->roles[ROLE_QUOTE];
    if (b->list_depth)
        t->indent += list->left_indent +
                     b->list_depth * (list->hang_indent > 0 ? list->hang_indent : 1.5 * list->size);
    if (b->quote_depth)
        t->indent += quote->left_indent + (b->quote_depth - 1) *
                                              (quote->left_indent > 0 ? quote->left_indent : quote->size);
    VEC_PUSH(*out, ((LayBlock){.kind = LB_TABLE, .table = t, .tag = "Table",
                               .space_before = ro->space_before, .space_after = ro->space_after}));
    return 0;
}

static int body_blocks(Ctx *c, const DocBlocks *bl, BlockVec *out, StyleRoleId base_role)
{
    int rc = 0;
    int after_heading = 1;
    for (int i = 0; i < bl->n; i++) {
        const DocBlock *b = &bl->v[i];
        switch (b->kind) {
        case DOC_HEADING: {
            int lvl = b->level - c->heading_base;
            StyleRoleId r = lvl <= 0 ? ROLE_HEADING1 : lvl == 1 ? ROLE_HEADING2 : ROLE_HEADING3;
            PB pb;
            pb_begin(&pb, c, r, b->line);
            pb_inlines(&pb, &b->in, 0);
            static const char *const htag[] = {"H2", "H3", "H4"};
            LayBlock *hb = pb_end(&pb, out, htag[r - ROLE_HEADING1]);
            if (hb) {
                hb->keep_with_next = 1;
                hb->dest = arena_printf(c->a, "sec-%d", ++c->sections);
                hb->outline_level = r - ROLE_HEADING1 + 1;
                hb->outline_title = hb->para.text;
            }
            after_heading = 1;
            continue;
        }
        case DOC_PARA: {
            int skip;
            if (is_table_caption(c, b, i + 1 < bl->n ? &bl->v[i + 1] : NULL, &skip)) {
                PB pc;
                pb_begin(&pc, c, ROLE_CAPTION, b->line);
                c->tables++;
                if (skip) {
                    pb_text(&pc, arena_printf(c->a, "%s %d. ", label(c, LABEL_TABLE), c->tables),
                            DOC_BOLD, NULL, 0, 0);
                    const char *rest = b->in.runs[0].text + skip;
                    while (*rest == ' ')
                        rest++;
                    pb_text(&pc, rest, b->in.runs[0].flags, b->in.runs[0].link, 0, b->line);
                    DocInlines tail = {b->in.runs + 1, b->in.n - 1};
                    pb_inlines(&pc, &tail, 0);
                } else {
                    pb_inlines(&pc, &b->in, 0);
                }
                LayBlock *cb = pb_end(&pc, out, "Caption");
                if (cb) {
                    cb->keep_with_next = 1;
                    cb->para.first_indent = 0;
                }
                c->table_name = skip ? arena_printf(c->a, "%s %d", label(c, LABEL_TABLE), c->tables)
                                     : caption_name(c, b->in.runs[0].text);
                break;
            }
            StyleRoleId r = b->quote_depth ? ROLE_QUOTE : b->list_depth ? ROLE_LIST : base_role;
            PB pb;
            pb_begin(&pb, c, r, b->line);
            pb_inlines(&pb, &b->in, 0);
            LayBlock *pbk = pb_end(&pb, out, b->list_depth ? "LI" : b->quote_depth ? "BlockQuote" : "P");
            if (!pbk)
                break;
            const StyleRole *ro = &c->st->roles[r];
            if (b->list_depth) {
                /* the role's space goes around the list, not between its items */
                if (i > 0 && bl->v[i - 1].kind == DOC_PARA && bl->v[i - 1].list_depth)
                    pbk->space_before = 0;
                if (i + 1 < bl->n && bl->v[i + 1].kind == DOC_PARA && bl->v[i + 1].list_depth)
                    pbk->space_after = 0;
            }
            if (b->quote_depth > 1)
                pbk->para.left_indent += (b->quote_depth - 1) * (ro->left_indent > 0 ? ro->left_indent : ro->size);
            if (b->list_depth) {
                double step = ro->hang_indent > 0 ? ro->hang_indent : 1.5 * ro->size;
                pbk->para.left_indent += (b->list_depth - 1) * step;
                pbk->para.hang_indent = step;
                pbk->para.first_indent = 0;
                if (b->marker) {
                    pbk->para.marker = b->marker;
                    pbk->para.marker_font = role_font(c, r, 0);
                } else {
                    pbk->para.left_indent += step;
                    pbk->para.hang_indent = 0;
                }
            }
            if (after_heading || b->quote_depth)
                pbk->para.first_indent = b->list_depth ? pbk->para.first_indent : 0;
            after_heading = 0;
            break;
        }
        case DOC_CODEBLOCK: {
            /* lines of the literal become forced line breaks; tabs become
             * spaces to the next multiple of CODE_TAB columns (a tab has no
             * width of its own in the font) */
            LayBlock *cb = NULL;
            PB pb;
            pb_begin(&pb, c, ROLE_CODE, b->line);
            for (int k = 0; k < b->in.n; k++) {
                char **lines = g_strsplit(b->in.runs[k].text, "\n", -1);
                for (int q = 0; lines[q]; q++) {
                    if (q && (lines[q][0] || lines[q + 1]))
                        pb_text(&pb, "\n", DOC_CODE, NULL, 0, 0);
                    pb_text(&pb, expand_tabs(c->a, lines[q]), DOC_CODE, NULL, 0, b->line + q);
                }
                g_strfreev(lines);
            }
            cb = pb_end(&pb, out, "Code");
            if (cb) {
                cb->para.align = ALIGN_LEFT;
                cb->para.hyphenate = 0;
                cb->para.first_indent = 0;
            }
            break;
        }
        case DOC_RULE:
            VEC_PUSH(*out, ((LayBlock){.kind = LB_RULE, .rule_width = 0.4, .space_before = 6,
                                       .space_after = 6, .rule_length = 72}));
            break;
        case DOC_TABLE: {
            /* a captioned table hangs from its caption (whose space_after
             * separates them); otherwise the table role's space_before */
            int captioned = i > 0 && bl->v[i - 1].kind == DOC_PARA &&
                            is_table_caption(c, &bl->v[i - 1], b, &(int){0});
            int at = out->n;
            table_block(c, b, out);
            if (captioned && at < out->n)
                out->v[at].space_before = 0;
            break;
        }
        case DOC_IMAGE:
            if (figure(c, b, out) != 0)
                rc = -1;
            break;
        }
    }
    return rc;
}

/* ---- the back matter ---------------------------------------------------------------*/
static void references(Ctx *c, BlockVec *out)
{
    const Doc *d = c->doc;
    if (d->n_refs == 0)
        return;
    LayBlock *lb = simple(c, out, ROLE_LABEL, label(c, LABEL_REFERENCES), NULL, "H2", 1);
    if (lb) {
        lb->keep_with_next = 1;
        lb->dest = "references";
        lb->outline_level = 1;
        lb->outline_title = lb->para.text;
    }
    for (int i = 0; i < d->n_refs; i++) {
        const DocRef *r = &d->refs[i];
        PB pb;
        pb_begin(&pb, c, ROLE_REFERENCES, r->line);
        if (r->in.n)
            pb_inlines(&pb, &r->in, 0);
        else
            pb_text(&pb, r->text, 0, NULL, 0, r->line);
        if (r->doi) {
            pb_text(&pb, " DOI: ", 0, NULL, 0, 0);
            pb_text(&pb, r->doi, DOC_NOHYPH, arena_printf(c->a, "https://doi.org/%s", r->doi), 0, 0);
        }
        if (r->url) {
            pb_text(&pb, r->doi ? ". URL: " : " URL: ", 0, NULL, 0, 0);
            pb_text(&pb, r->url, DOC_NOHYPH, r->url, 0, 0);
        }
        LayBlock *rb = pb_end(&pb, out, "LI");
        if (!rb)
            continue;
        rb->dest = arena_printf(c->a, "ref-%d", i + 1);
        rb->para.marker = arena_printf(c->a, "%d.", i + 1);
        rb->para.marker_font = role_font(c, ROLE_REFERENCES, 0);
        rb->para.first_indent = 0;
        if (rb->para.hang_indent <= 0)
            rb->para.hang_indent = 2 * c->st->roles[ROLE_REFERENCES].size;
    }
}

/* ". " before the next item of an author's note, or just " " when the text
 * so far already ends a sentence (a bio written with its full stop). */
static const char *note_sep(const PB *pb)
{
    const char *t = pb->text->str;
    size_t n = pb->text->len;
    while (n > 0 && t[n - 1] == ' ')
        n--;
    int ends = n > 0 && strchr(".!?", t[n - 1]);
    ends |= n >= 3 && memcmp(t + n - 3, "\xE2\x80\xA6", 3) == 0;    /* … */
    return ends ? " " : ". ";
}

static void about(Ctx *c, BlockVec *out)
{
    const DocMeta *m = &c->doc->meta;
    int any = 0;
    for (int i = 0; i < m->n_authors; i++)
        any |= m->authors[i].bio || m->authors[i].address || m->authors[i].email || m->authors[i].orcid;
    if (!any)
        return;
    LayBlock *lb = simple(c, out, ROLE_LABEL,
                          label(c, m->n_authors > 1 ? LABEL_ABOUT_AUTHORS : LABEL_ABOUT_AUTHOR),
                          NULL, "H2", 1);
    if (lb)
        lb->keep_with_next = 1;
    for (int i = 0; i < m->n_authors; i++) {
        const DocAuthor *au = &m->authors[i];
        PB pb;
        pb_begin(&pb, c, ROLE_ABOUT, au->line);
        pb_text(&pb, au->name, DOC_BOLD, NULL, 0, au->line);
        if (au->bio)
            pb_text(&pb, arena_printf(c->a, " — %s", au->bio), 0, NULL, 0, 0);
        if (au->address)
            pb_text(&pb, arena_printf(c->a, "%s%s", au->bio ? note_sep(&pb) : ", ", au->address), 0,
                    NULL, 0, 0);
        if (au->email) {
            pb_text(&pb, arena_printf(c->a, "%s%s: ", note_sep(&pb), label(c, LABEL_EMAIL)), 0, NULL,
                    0, 0);
            pb_text(&pb, au->email, DOC_NOHYPH, arena_printf(c->a, "mailto:%s", au->email), 0, 0);
        }
        if (au->orcid) {
            const char *id = strncmp(au->orcid, "https://", 8) == 0 ? au->orcid
                             : arena_printf(c->a, "https://orcid.org/%s", au->orcid);
            pb_text(&pb, arena_printf(c->a, "%s%s: ", note_sep(&pb), label(c, LABEL_ORCID)), 0, NULL,
                    0, 0);
            pb_text(&pb, id, DOC_NOHYPH, id, 0, 0);
        }
        LayBlock *ab = pb_end(&pb, out, "P");
        if (ab)
            ab->para.first_indent = 0;
    }
}

static void citation(Ctx *c, BlockVec *out)
{
    if (!c->st->citation_template)
        return;
    LayBlock *lb = simple(c, out, ROLE_LABEL, label(c, LABEL_FOR_CITATIONS), NULL, "H2", 1);
    if (lb)
        lb->keep_with_next = 1;
    char *line = compose_template(c->st->citation_template, c->doc, c->o, c->a);
    const char *doi_url = c->doc->meta.doi
        ? arena_printf(c->a, "https://doi.org/%s", c->doc->meta.doi) : NULL;
    PB pb;
    pb_begin(&pb, c, ROLE_CITATION, 1);
    const char *u = doi_url ? strstr(line, doi_url) : NULL;
    if (u) {
        pb_text(&pb, arena_strndup(c->a, line, (size_t)(u - line)), 0, NULL, 0, 0);
        pb_text(&pb, doi_url, DOC_NOHYPH, doi_url, 0, 0);
        pb_text(&pb, u + strlen(doi_url), 0, NULL, 0, 0);
    } else {
        pb_text(&pb, line, 0, NULL, 0, 0);
    }
    LayBlock *cb = pb_end(&pb, out, "P");
    if (cb)
        cb->para.first_indent = 0;
}

static void license(Ctx *c, BlockVec *out)
{
    const char *t = c->doc->meta.license;
    if (!t || strlen(t) < 24)   /* a bare licence name: print the style's sentence */
        t = c->st->license_text ? c->st->license_text : t;
    if (!t)
        return;
    LayBlock *b = simple(c, out, ROLE_LICENSE, t, NULL, "P", 1);
    if (b)
        b->para.first_indent = 0;
}

static void footnotes(Ctx *c, LayInput *in)
{
    const Doc *d = c->doc;
    in->footnotes = arena_calloc(c->a, (size_t)(d->n_footnotes + 1), sizeof *in->footnotes);
    in->n_footnotes = d->n_footnotes;
    for (int f = 0; f < d->n_footnotes; f++) {
        BlockVec v = {0};
        body_blocks(c, &d->footnotes[f].blocks, &v, ROLE_FOOTNOTE);
        for (int k = 0; k < v.n; k++) {
            v.v[k].tag = "Note";
            v.v[k].para.first_indent = 0;
            v.v[k].space_before = v.v[k].space_after = 0;
            if (v.v[k].kind == LB_PARA) {
                double hang = c->st->roles[ROLE_FOOTNOTE].size * 1.5;
                if (k == 0) {
                    v.v[k].para.marker = arena_printf(c->a, "%d", d->footnotes[f].number);
                    v.v[k].para.marker_font = role_font(c, ROLE_FOOTNOTE, 0);
                    v.v[k].para.hang_indent = hang;
                } else {
                    v.v[k].para.left_indent += hang;
                }
            }
        }
        in->footnotes[f].number = d->footnotes[f].number;
        in->footnotes[f].n = v.n;
        in->footnotes[f].blocks = arena_calloc(c->a, (size_t)(v.n + 1), sizeof(LayBlock));
        if (v.n)            /* memcpy from NULL is undefined even for 0 bytes */
            memcpy(in->footnotes[f].blocks, v.v, (size_t)v.n * sizeof(LayBlock));
        free(v.v);
    }
}

/* A running head or folio template filled in, in capitals when the role
 * says so; NULL for no template. */
static const char *furniture_text(Ctx *c, const char *tpl, StyleRoleId role)
{
    if (!tpl)
        return NULL;
    char *t = compose_template(tpl, c->doc, c->o, c->a);
    if (!c->st->roles[role].uppercase)
        return t;
    char *up = g_utf8_strup(t, -1);
    t = arena_strdup(c->a, up);
    g_free(up);
    return t;
}

/* The source line of the first field of tpl that has one (the title's or the
 * first author's), for warnings about the text it gives; else 1. */
static int template_line(const Doc *d, const char *tpl)
{
    for (const char *p = tpl ? strchr(tpl, '{') : NULL; p; p = strchr(p + 1, '{')) {
        if ((strncmp(p, "{title}", 7) == 0 || strncmp(p, "{short_title}", 13) == 0 ||
             strncmp(p, "{subtitle}", 10) == 0) && d->meta.title_line > 0)
            return d->meta.title_line;
        if (strncmp(p, "{authors", 8) == 0 && d->meta.n_authors > 0 && d->meta.authors[0].line > 0)
            return d->meta.authors[0].line;
    }
    return 1;
}

/* The folio template filled in but for {page}, cut where the page number goes. */
static void folio_parts(Ctx *c, LayPageSpec *ps)
{
    const char *tpl = c->st->folio_template ? c->st->folio_template : "{page}";
    char *t = expand(tpl, c->doc, c->o, 1, c->a);
    if (c->st->roles[ROLE_FOLIO].uppercase) {
        char *up = g_utf8_strup(t, -1);
        t = arena_strdup(c->a, up);
        g_free(up);
    }
    int n = 1;
    for (const char *p = t; *p; p++)
        n += *p == PAGE_MARK;
    const char **parts = arena_calloc(c->a, (size_t)n, sizeof *parts);
    for (int i = 0; i < n; i++) {
        char *e = strchr(t, PAGE_MARK);
        parts[i] = e ? arena_strndup(c->a, t, (size_t)(e - t)) : t;
        t = e ? e + 1 : t;
    }
    ps->folio_parts = parts;
    ps->n_folio_parts = n;
}

static void page_spec(Ctx *c, LayInput *in)
{
    const Style *st = c->st;
    LayPageSpec *ps = &in->page;
    ps->width = st->page_width;
    ps->height = st->page_height;
    ps->margin_top = st->margin_top;
    ps->margin_bottom = st->margin_bottom;
    ps->margin_inner = st->margin_inner;
    ps->margin_outer = st->margin_outer;
    ps->columns = st->columns > 0 ? st->columns : 1;
    ps->column_gap = st->column_gap;
    ps->first_number = c->o->first_page > 0 ? c->o->first_page : 1;
    ps->running_heads = st->running_heads;
    ps->head_verso = furniture_text(c, st->running_verso, ROLE_RUNNING_HEAD);
    ps->head_recto = furniture_text(c, st->running_recto, ROLE_RUNNING_HEAD);
    ps->head_verso_line = template_line(c->doc, st->running_verso);
    ps->head_recto_line = template_line(c->doc, st->running_recto);
    ps->head_font = role_font(c, ROLE_RUNNING_HEAD, 0);
    ps->head_align = st->roles[ROLE_RUNNING_HEAD].align;
    ps->head_offset = st->head_offset;
    folio_parts(c, ps);
    ps->folio_font = role_font(c, ROLE_FOLIO, 0);
    ps->folio_align = st->roles[ROLE_FOLIO].align;
    ps->folio_offset = st->folio_offset;
    ps->lang = c->lang;
    ps->footnote_rule_width = st->footnote_rule_width;
    ps->footnote_rule_length = st->footnote_rule_length;
    ps->footnote_gap = st->footnote_gap;
    ps->widow_penalty = st->widow_penalty;
    ps->club_penalty = st->club_penalty;
}

int compose_article(const Doc *doc, const Style *st, const ComposeOptions *o, LayInput *in,
                    Arena *a, DiagList *dl)
{
    memset(in, 0, sizeof *in);
    Ctx c = {.doc = doc, .st = st, .o = o, .a = a, .dl = dl,
             .lang = doc->meta.lang ? doc->meta.lang : "en", .heading_base = 9};
    for (int i = 0; i < doc->body.n; i++)
        if (doc->body.v[i].kind == DOC_HEADING && doc->body.v[i].level < c.heading_base)
            c.heading_base = doc->body.v[i].level;
    in->file = doc->path;
    in->brk = *style_linebreak(st, c.lang);
    page_spec(&c, in);

    BlockVec out = {0};
    front(&c, &out);
    for (int i = 0; i < out.n; i++)
        out.v[i].span_columns = 1;  /* two-column styles: the title block spans the page */
    if (out.n > 0 && doc->body.n > 0)
        out.v[out.n - 1].space_after += st->roles[ROLE_BODY].leading;
    int rc = body_blocks(&c, &doc->body, &out, ROLE_BODY);
    /* figures come before the end matter (references, about the authors, "For
     * citations", the licence), as a journal's \FloatBarrier puts them */
    int end_matter = out.n;
    references(&c, &out);
    about(&c, &out);
    citation(&c, &out);
    license(&c, &out);
    if (end_matter < out.n)
        out.v[end_matter].flush_floats = 1;
    footnotes(&c, in);
    in->blocks = arena_calloc(a, (size_t)(out.n + 1), sizeof(LayBlock));
    if (out.n)
        memcpy(in->blocks, out.v, (size_t)out.n * sizeof(LayBlock));
    in->n_blocks = out.n;
    free(out.v);
    return rc;
}
