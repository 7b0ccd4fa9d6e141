/* issuefront.c — see issuefront.h.  The contents is a two-column table per
 * section (title and authors | first page): the engine has no tab stops, and a
 * table is how it sets text flush right beside a ragged column. */
#include "issuefront.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "image.h"

typedef VEC(LayBlock) BlockVec;
typedef VEC(LaySpan) SpanVec;

typedef struct Front {
    const IssueFront *f;
    const Style *st;
    Arena *a;
    BlockVec out;
} Front;

/* Labels of the issue's own pages, by style_lang_index (en, ru, zh). */
static const char *const contents_label[STYLE_LANGS] = {"Contents", "Содержание", "目录"};
static const char *const volume_fmt[STYLE_LANGS][3] = {
    {"Volume %s", "Number %s", "%s"}, {"Том %s", "№ %s", "%s"}, {"第%s卷", "第%s期", "%s年"}};

/* A paragraph under construction: text and its spans, all in one role. */
typedef struct Para {
    StyleRoleId role;
    GString *text;
    SpanVec spans;
} Para;

static void para_add(Front *fr, Para *p, const char *s, unsigned flags, const char *link)
{
    if (!s || !*s)
        return;
    int start = (int)p->text->len;
    if (fr->st->roles[p->role].uppercase) {
        char *up = g_utf8_strup(s, -1);
        g_string_append(p->text, up);
        g_free(up);
    } else {
        g_string_append(p->text, s);
    }
    LaySpan sp = {.start = start, .end = (int)p->text->len,
                  .font = compose_role_font(fr->st, p->role, flags, fr->a), .link = link};
    VEC_PUSH(p->spans, sp);
}

/* The finished paragraph, with the role's measures; frees p's buffers. */
static LayPara para_end(Front *fr, Para *p, LayAlign align, const char *lang)
{
    const StyleRole *ro = &fr->st->roles[p->role];
    LayPara lp = {
        .text = arena_strndup(fr->a, p->text->str, p->text->len),
        .len = (int)p->text->len,
        .spans = arena_calloc(fr->a, (size_t)p->spans.n + 1, sizeof(LaySpan)),
        .n_spans = p->spans.n,
        .lang = lang,
        .align = align,
        .leading = ro->leading,
        .hyphenate = 0,         /* titles in a list read better whole */
        .src_line = 1,
    };
    if (p->spans.n)         /* memcpy from NULL is undefined even for 0 bytes */
        memcpy(lp.spans, p->spans.v, (size_t)p->spans.n * sizeof(LaySpan));
    g_string_free(p->text, TRUE);
    free(p->spans.v);
    return lp;
}

static LayBlock *block(Front *fr, LayBlock b)
{
    VEC_PUSH(fr->out, b);
    return &fr->out.v[fr->out.n - 1];
}

/* One line of text in a role; align < 0 keeps the role's alignment. */
static LayBlock *line(Front *fr, StyleRoleId role, const char *text, int align, const char *tag)
{
    if (!text || !*text)
        return NULL;
    Para p = {.role = role, .text = g_string_new(NULL)};
    para_add(fr, &p, text, 0, NULL);
    const StyleRole *ro = &fr->st->roles[role];
    return block(fr, (LayBlock){.kind = LB_PARA,
                                .para = para_end(fr, &p, align < 0 ? ro->align : (LayAlign)align,
                                                 fr->f->lang),
                                .space_before = ro->space_before, .space_after = ro->space_after,
                                .keep_with_next = ro->keep_with_next, .tag = tag});
}

static void space(Front *fr, double pt)
{
    block(fr, (LayBlock){.kind = LB_SPACE, .space_before = pt});
}

/* "Volume 1 · Number 1-2 · 2022", leaving out what the manifest does not say. */
static char *volume_line(Front *fr)
{
    const IssueFront *f = fr->f;
    int li = style_lang_index(f->lang);
    const char *val[3] = {f->volume, f->number, f->year};
    GString *g = g_string_new(NULL);
    for (int i = 0; i < 3; i++) {
        if (!val[i])
            continue;
        if (g->len)
            g_string_append(g, li == 2 ? " " : " · ");
        g_string_append_printf(g, volume_fmt[li][i], val[i]);
    }
    char *s = arena_strdup(fr->a, g->str);
    g_string_free(g, TRUE);
    return s;
}

/* The cover image, centred, at most a third of the text block tall so that
 * the cover stays one page (the engine only narrows images to the measure). */
static int cover_image(Front *fr, double text_h, DiagList *dl)
{
    const IssueFront *f = fr->f;
    ImageKind kind;
    double w, h;
    if (image_probe(f->cover_image, &kind, &w, &h, f->file, f->cover_image_line,
                    f->cover_image_col, dl) != 0)
        return -1;
    if (h > text_h / 3) {
        w *= text_h / 3 / h;
        h = text_h / 3;
    }
    space(fr, fr->st->roles[ROLE_TITLE].leading);
    block(fr, (LayBlock){.kind = LB_IMAGE, .image = arena_strdup(fr->a, f->cover_image),
                         .image_w = w, .image_h = h, .tag = "Figure"});
    return 0;
}

/* The cover: ISSN at the head, the journal's name a quarter down the text
 * block (glue at a page top is discarded, hence the ISSN line first), the issue
 * line, the image, a rule and the cover's own lines. */
static int cover(Front *fr, DiagList *dl)
{
    const IssueFront *f = fr->f;
    const Style *st = fr->st;
    double text_h = st->page_height - st->margin_top - st->margin_bottom;
    line(fr, ROLE_MASTHEAD, f->issn ? arena_printf(fr->a, "ISSN %s", f->issn) : " ", ALIGN_CENTER, "P");
    space(fr, text_h / (f->cover_image ? 8 : 4));
    line(fr, ROLE_TITLE, f->journal, ALIGN_CENTER, "H1");
    space(fr, st->roles[ROLE_TITLE].leading);
    line(fr, ROLE_SUBTITLE, volume_line(fr), ALIGN_CENTER, "P");
    int rc = f->cover_image ? cover_image(fr, text_h, dl) : 0;
    if (f->n_cover_lines > 0) {
        space(fr, st->roles[ROLE_TITLE].leading);
        block(fr, (LayBlock){.kind = LB_RULE, .rule_width = 0.6, .space_after = 12, .tag = "P"});
    }
    for (int i = 0; i < f->n_cover_lines; i++) {
        LayBlock *b = line(fr, ROLE_HEADING1, f->cover_lines[i], ALIGN_CENTER, "P");
        if (b && i + 1 < f->n_cover_lines)
            b->space_after = 0;     /* lines of one title */
        if (b && i > 0)
            b->space_before = 0;
    }
    block(fr, (LayBlock){.kind = LB_PAGEBREAK});
    return rc;
}

/* "A. A. Kireeva, B. Li" */
static const char *authors_of(Front *fr, const DocMeta *m)
{
    GString *g = g_string_new(NULL);
    for (int i = 0; i < m->n_authors; i++)
        g_string_append_printf(g, "%s%s", i ? ", " : "",
                               compose_name_initials(m->authors[i].name, fr->a));
    char *s = g->len ? arena_strdup(fr->a, g->str) : NULL;
    g_string_free(g, TRUE);
    return s;
}

/* Whether another entry of section s (-1: any) follows entry i. */
static int has_next(const IssueFront *f, int i, int s)
{
    for (int j = i + 1; j < f->n_entries; j++)
        if (s < 0 || f->entries[j].section == s)
            return 1;
    return 0;
}

/* One table of the entries of section s (-1: all entries of a flat list).
 * Each row: title (bold) and authors (italic) on the next line, then a blank
 * line (a forced break and a space) before the next row; the first page set
 * flush right.  Both cells
 * link to the article's title. */
static void contents_table(Front *fr, int s)
{
    const IssueFront *f = fr->f;
    VEC(LayPara) cells = {0};
    for (int i = 0; i < f->n_entries; i++) {
        const IssueFrontEntry *e = &f->entries[i];
        if (s >= 0 && e->section != s)
            continue;
        const char *link = arena_printf(fr->a, "#%s", e->dest);
        const char *lang = e->meta->lang ? e->meta->lang : f->lang;
        Para t = {.role = ROLE_BODY, .text = g_string_new(NULL)};
        para_add(fr, &t, e->meta->title, DOC_BOLD, link);
        const char *au = authors_of(fr, e->meta);
        if (au) {
            para_add(fr, &t, "\xE2\x80\xA8", 0, link);     /* U+2028: forced line break */
            para_add(fr, &t, au, DOC_ITALIC, link);
        }
        if (has_next(f, i, s))
            para_add(fr, &t, "\xE2\x80\xA8 ", 0, NULL);  /* a blank line: the gap to the next row */
        VEC_PUSH(cells, para_end(fr, &t, ALIGN_LEFT, lang));
        Para n = {.role = ROLE_BODY, .text = g_string_new(NULL)};
        para_add(fr, &n, arena_printf(fr->a, "%d", e->first_page), 0, link);
        VEC_PUSH(cells, para_end(fr, &n, ALIGN_RIGHT, f->lang));
    }
    if (cells.n == 0)
        return;
    LayTable *t = arena_alloc(fr->a, sizeof *t);
    *t = (LayTable){.ncols = 2, .nrows = cells.n / 2, .rule_width = 0.4, .cell_pad = 3,
                    .cells = arena_calloc(fr->a, (size_t)cells.n, sizeof(LayPara))};
    memcpy(t->cells, cells.v, (size_t)cells.n * sizeof(LayPara));
    free(cells.v);
    block(fr, (LayBlock){.kind = LB_TABLE, .table = t, .tag = "TOC",
                         .space_after = fr->st->roles[ROLE_BODY].leading});
}

static void contents(Front *fr)
{
    const IssueFront *f = fr->f;
    LayBlock *h = line(fr, ROLE_TITLE, contents_label[style_lang_index(f->lang)], -1, "H1");
    if (h)
        h->dest = "contents";
    if (f->n_sections == 0)
        contents_table(fr, -1);
    for (int s = 0; s < f->n_sections; s++) {
        line(fr, ROLE_HEADING2, f->sections[s], -1, "H2");
        contents_table(fr, s);
    }
}

/* The page as the articles have it, without running heads; the first number
 * only decides which margin is inner (the cover is a recto). */
static void page_spec(Front *fr, LayInput *in)
{
    const Style *st = fr->st;
    LayPageSpec *ps = &in->page;
    *ps = (LayPageSpec){
        .width = st->page_width, .height = st->page_height,
        .margin_top = st->margin_top, .margin_bottom = st->margin_bottom,
        .margin_inner = st->margin_inner, .margin_outer = st->margin_outer,
        .columns = 1, .first_number = 1,
        .head_font = compose_role_font(st, ROLE_RUNNING_HEAD, 0, fr->a),
        .head_offset = st->head_offset,
        .folio_font = compose_role_font(st, ROLE_FOLIO, 0, fr->a),
        .folio_offset = st->folio_offset,
        .lang = fr->f->lang,
        .widow_penalty = st->widow_penalty, .club_penalty = st->club_penalty,
    };
    in->brk = *style_linebreak(st, fr->f->lang);
    in->file = fr->f->file;
}

/* The page builder sets an arabic folio on every page after the first (and a
 * running head when the style has them); the issue's own pages are labelled
 * i, ii, … and print none.  That furniture is known by what it is, not by
 * where it comes in the list: page.c sets every line of body and notes inside
 * a structure tag, and the running head and folio are the only text it sets
 * outside one (it puts them first on the page, for cairo 1.16, but that is
 * its business).  So drop what is drawn, or linked, at tag depth 0. */
static void drop_folio(LayPage *p)
{
    int depth = 0, keep = 0;
    for (int i = 0; i < p->n_items; i++) {
        const LayItem *it = &p->items[i];
        if (it->kind == LI_TAG_BEGIN)
            depth++;
        else if (it->kind == LI_TAG_END && depth > 0)
            depth--;
        else if (depth == 0 && (it->kind == LI_GLYPHS || it->kind == LI_LINK))
            continue;           /* furniture: its glyphs stay owned by the result */
        p->items[keep++] = *it;
    }
    p->n_items = keep;
}

int issuefront_layout(const IssueFront *f, const Style *st, LayEngine *e, LayResult *out, Arena *a,
                      DiagList *dl)
{
    Front fr = {.f = f, .st = st, .a = a};
    memset(out, 0, sizeof *out);
    if (cover(&fr, dl) != 0) {
        free(fr.out.v);
        return -1;
    }
    contents(&fr);
    LayInput in = {0};
    page_spec(&fr, &in);
    in.blocks = arena_calloc(a, (size_t)fr.out.n + 1, sizeof(LayBlock));
    memcpy(in.blocks, fr.out.v, (size_t)fr.out.n * sizeof(LayBlock));
    in.n_blocks = fr.out.n;
    free(fr.out.v);
    int rc = lay_run(e, &in, out, a, dl);
    for (int i = 0; rc == 0 && i < out->n_pages; i++) {
        out->pages[i].label = issuefront_roman(i + 1, a);
        if (i > 0)
            drop_folio(&out->pages[i]);
    }
    return rc;
}

char *issuefront_roman(int n, Arena *a)
{
    static const struct { int v; const char *s; } tab[] = {
        {1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
        {40, "xl"}, {10, "x"}, {9, "ix"}, {5, "v"}, {4, "iv"}, {1, "i"}};
    if (n < 1 || n > 3999)
        return arena_printf(a, "%d", n);
    char buf[32] = "";
    for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
        while (n >= tab[i].v) {
            strcat(buf, tab[i].s);
            n -= tab[i].v;
        }
    return arena_strdup(a, buf);
}
