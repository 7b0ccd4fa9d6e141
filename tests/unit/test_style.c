/* test_style.c — style loading, validation diagnostics (exact line:col), units,
 * inheritance, labels, and the private font configuration.  Run from the repo
 * root (DATADIR "."). */
#include "check.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../fonts/fontload.h"
#include "../../typeset/style.h"

static char tmpdir[64];
static int tmpcount;

#define NEAR(a, b) (fabs((double)(a) - (double)(b)) < 0.01)

/* Writes yaml to a fresh file in tmpdir and loads it. */
static Style *load_text(const char *yaml, DiagList *dl, char *path, size_t size)
{
    snprintf(path, size, "%s/s%d.yaml", tmpdir, ++tmpcount);
    FILE *f = fopen(path, "w");
    fputs(yaml, f);
    fclose(f);
    return style_load(path, ".", dl);
}

/* Is there an error at line:col whose message contains `text`? */
static int has_diag(const DiagList *dl, int line, int col, const char *text)
{
    for (int i = 0; i < dl->n; i++)
        if (dl->v[i].sev == DIAG_ERROR && dl->v[i].line == line && dl->v[i].col == col &&
            strstr(dl->v[i].msg, text))
            return 1;
    return 0;
}

static const char *first_msg(const DiagList *dl, char *buf, size_t size)
{
    if (!dl->n)
        return "(no diagnostic)";
    diag_format(&dl->v[0], buf, size);
    return buf;
}

/* Expects `yaml` to fail with an error at line:col containing `text`. */
static void expect_error(const char *yaml, int line, int col, const char *text, int srcline)
{
    DiagList dl;
    diag_list_init(&dl);
    char path[128], buf[512];
    Style *s = load_text(yaml, &dl, path, sizeof path);
    CHECK(!s && has_diag(&dl, line, col, text), "line %d: %d:%d '%s' -> %s", srcline, line, col,
          text, first_msg(&dl, buf, sizeof buf));
    style_free(s);
    diag_list_fini(&dl);
}
#define EXPECT_ERROR(yaml, line, col, text) expect_error(yaml, line, col, text, __LINE__)

static void test_rjwpln(void)
{
    DiagList dl;
    diag_list_init(&dl);
    Style *s = style_load("rjwpln", ".", &dl);
    char buf[512];
    CHECK(s != NULL && dl.errors == 0, "rjwpln loads: %s", first_msg(&dl, buf, sizeof buf));
    if (!s)
        return;
    CHECK_STR(s->name, "rjwpln", "name");
    CHECK_STR(s->path, "./styles/rjwpln.yaml", "looked up in DATADIR/styles");
    CHECK(NEAR(s->page_width, 481.89) && NEAR(s->page_height, 680.31), "trim %.2f x %.2f",
          s->page_width, s->page_height);
    CHECK(NEAR(s->margin_top, 56.69) && NEAR(s->margin_bottom, 56.69) &&
          NEAR(s->margin_inner, 56.69) && NEAR(s->margin_outer, 56.69), "margins %.2f",
          s->margin_top);
    CHECK(NEAR(s->page_width - s->margin_inner - s->margin_outer, MM_TO_PT(130)),
          "text block 130 mm wide");
    CHECK(s->columns == 1 && s->running_heads && !s->recto_start, "columns, running heads");
    CHECK(NEAR(s->footnote_rule_width, 0.4) && NEAR(s->footnote_rule_length, MM_TO_PT(30)),
          "footnote rule");
    const StyleRole *body = &s->roles[ROLE_BODY];
    CHECK(body->size == 10 && body->leading == 13 && body->align == ALIGN_JUSTIFY &&
          body->first_indent == 10 && body->hyphenate, "body 10/13 justified, 1em indent");
    CHECK_STR(s->fontsets[body->fontset].latin, "PT Serif", "body latin family");
    CHECK_STR(s->fontsets[body->fontset].cjk, "Noto Serif CJK SC", "body cjk family");
    const StyleRole *ref = &s->roles[ROLE_REFERENCES];
    CHECK(ref->size == 9 && ref->leading == 11.5 && ref->hang_indent > 0 && ref->first_indent == 0,
          "references 9/11.5 hang %.2f", ref->hang_indent);
    const StyleRole *ab = &s->roles[ROLE_ABSTRACT];
    CHECK(ab->size == 9 && ab->leading == 11.5, "abstract 9/11.5");
    CHECK(s->roles[ROLE_FOOTNOTE].size == 8 && s->roles[ROLE_FOOTNOTE].leading == 10,
          "footnote 8/10");
    const StyleRole *t = &s->roles[ROLE_TITLE];
    CHECK(t->size == 16 && t->leading == 19 && t->bold && t->align == ALIGN_LEFT &&
          t->first_indent == 0 && !t->hyphenate, "title 16/19 bold left");
    CHECK(s->roles[ROLE_HEADING1].size == 11 && s->roles[ROLE_HEADING1].bold &&
          s->roles[ROLE_HEADING1].keep_with_next, "heading1 11pt bold, kept with next");
    CHECK(s->roles[ROLE_QUOTE].left_indent == 9 && s->roles[ROLE_QUOTE].right_indent == 9,
          "quote indented 1em (9pt) each side");
    CHECK(s->roles[ROLE_RUNNING_HEAD].italic && s->roles[ROLE_RUNNING_HEAD].size == 8,
          "running head 8pt italic");
    CHECK(s->roles[ROLE_RUNNING_HEAD].align == ALIGN_CENTER && s->roles[ROLE_FOLIO].align == ALIGN_CENTER,
          "running head and folio centred");
    CHECK_STR(s->folio_template, "{page}", "folio template");
    CHECK_STR(style_label(s, LABEL_CONTINUED, "ru"), "продолжение", "continued label");
    CHECK_STR(s->fontsets[s->roles[ROLE_CODE].fontset].latin, "PT Mono", "code in PT Mono");
    CHECK(s->brk.pretolerance == 180 && s->brk.tolerance == 600 && s->brk.line_penalty == 10 &&
          s->brk.hyphen_penalty == 200 && s->brk.exhyphen_penalty == 50 &&
          s->brk.double_hyphen_demerits == 300000 && s->brk.final_hyphen_demerits == 5000 &&
          s->brk.adj_demerits == 10000 && s->brk.emergency_stretch == 30 && s->brk.looseness == 0,
          "TeX parameters");
    CHECK(NEAR(s->brk.space_stretch, 0.5) && NEAR(s->brk.space_shrink, 0.26) &&
          NEAR(s->brk.cjk_stretch, 0.1) && NEAR(s->brk.cjk_shrink, 0.05) &&
          NEAR(s->brk.cjk_latin_space, 0.25) && s->brk.hyphen_left_min == 2 &&
          s->brk.hyphen_right_min == 2 && !s->brk.hyphenate_last_word &&
          NEAR(s->brk.ragged_last_line_min, 0.2), "spacing and hyphenation parameters");
    CHECK(NEAR(s->brk.expansion, 0.02) && NEAR(s->brk.expansion_step, 0.005) &&
          s->brk.protrusion_on, "microtypography on");
    const LayBreakParams *ru = style_linebreak(s, "ru-RU"), *en = style_linebreak(s, "en");
    CHECK(ru->tolerance == 200 && NEAR(ru->space_shrink, 0.2) && ru->hyphen_penalty == 200 &&
              NEAR(ru->expansion, 0.02) && ru->n_protrusion == s->brk.n_protrusion,
          "Russian: its own tolerance and shrink, the rest from linebreak");
    CHECK(en->tolerance == 600 && NEAR(en->space_shrink, 0.26) &&
              style_linebreak(s, "fr") == &s->brk && style_linebreak(s, NULL) == &s->brk,
          "English as linebreak; another language gets linebreak itself");
    CHECK(s->widow_penalty == 150 && s->club_penalty == 150, "widow/club penalties");
    int sorted = s->brk.n_protrusion >= 15;
    for (int i = 1; i < s->brk.n_protrusion; i++)
        if (s->brk.protrusion[i - 1].ch >= s->brk.protrusion[i].ch)
            sorted = 0;
    CHECK(sorted, "protrusion table of %d sorted by code point", s->brk.n_protrusion);
    const LayProtrusion *comma = NULL, *guil = NULL, *cjkstop = NULL;
    for (int i = 0; i < s->brk.n_protrusion; i++) {
        if (s->brk.protrusion[i].ch == ',') comma = &s->brk.protrusion[i];
        if (s->brk.protrusion[i].ch == 0xAB) guil = &s->brk.protrusion[i];
        if (s->brk.protrusion[i].ch == 0x3002) cjkstop = &s->brk.protrusion[i];
    }
    CHECK(comma && comma->left == 0 && NEAR(comma->right, 0.7), "comma protrudes right 0.7");
    CHECK(guil && NEAR(guil->left, 0.5) && guil->right == 0, "« protrudes left 0.5");
    CHECK(cjkstop && NEAR(cjkstop->right, 0.5), "。 protrudes right 0.5");
    CHECK_STR(style_label(s, LABEL_ABSTRACT, "en"), "Abstract", "label en");
    CHECK_STR(style_label(s, LABEL_ABSTRACT, "ru-RU"), "Аннотация", "label ru-RU");
    CHECK_STR(style_label(s, LABEL_REFERENCES, "zh"), "参考文献", "label zh");
    CHECK_STR(style_label(s, LABEL_KEYWORDS, "zh-Hans-CN"), "关键词", "label zh-Hans-CN");
    CHECK_STR(style_label(s, LABEL_FOR_CITATIONS, "ru"), "Для цитирования", "label for citations");
    CHECK_STR(style_label(s, LABEL_ABSTRACT, "de"), "Abstract", "unknown language -> en");
    CHECK_STR(style_label(s, LABEL_CONTINUED, NULL), "continued", "NULL language -> en");
    int all = 1;
    for (int l = 0; l < LABEL_COUNT; l++)
        for (int g = 0; g < STYLE_LANGS; g++)
            if (!s->labels[l][g] || !*s->labels[l][g])
                all = 0;
    CHECK(all, "every label set in every language");
    CHECK(s->n_masthead == 4, "masthead lines: %d", s->n_masthead);
    if (s->n_masthead == 4)
        CHECK_STR(s->masthead[3], "{doi_url}", "masthead line 4");
    CHECK(NEAR(s->masthead_rule, 0.5), "masthead rule");
    CHECK_STR(s->license_text,
              "This work is licensed under a Creative Commons Attribution 4.0 License.", "license");
    CHECK_STR(s->running_verso, "{authors_short}", "running verso");
    CHECK_STR(s->folio_template, "{page}", "folio");
    CHECK(s->citation_template && strstr(s->citation_template, "{doi_url}"), "citation template");
    style_free(s);
    diag_list_fini(&dl);
}

static void test_a4(void)
{
    DiagList dl;
    diag_list_init(&dl);
    char buf[512];
    Style *a = style_load("a4-sans", ".", &dl);
    Style *r = style_load("./styles/rjwpln.yaml", "/nonexistent", &dl);
    CHECK(a && r && dl.errors == 0, "a4-sans and rjwpln (by path) load: %s",
          first_msg(&dl, buf, sizeof buf));
    if (a && r) {
        CHECK(NEAR(a->page_width, 595.28) && NEAR(a->page_height, 841.89), "A4 trim");
        CHECK(NEAR(a->margin_inner, MM_TO_PT(25)), "25 mm margins");
        CHECK(a->roles[ROLE_BODY].size == 11 && a->roles[ROLE_BODY].leading == 14, "body 11/14");
        CHECK_STR(a->fontsets[a->roles[ROLE_TITLE].fontset].latin, "PT Sans", "title in PT Sans");
        CHECK_STR(a->fontsets[a->roles[ROLE_HEADING1].fontset].cjk, "Noto Sans CJK SC",
                  "headings: Noto Sans CJK SC");
        CHECK(a->roles[ROLE_TITLE].bold, "title bold");
        CHECK(a->roles[ROLE_RUNNING_HEAD].align == ALIGN_RIGHT && a->roles[ROLE_FOLIO].align == ALIGN_RIGHT &&
              a->roles[ROLE_RUNNING_HEAD].uppercase, "running head and folio flush right, head in capitals");
        CHECK(strcmp(style_label(a, LABEL_ABSTRACT, "en"), style_label(r, LABEL_ABSTRACT, "en")) != 0,
              "labels differ");
        CHECK(a->n_masthead != r->n_masthead || strcmp(a->masthead[0], r->masthead[0]) != 0,
              "mastheads differ");
        CHECK(NEAR(a->brk.emergency_stretch, 5.5), "emergency_stretch 0.5em = 5.5pt (body em)");
        CHECK(a->brk.n_protrusion == 8 && a->brk.protrusion[a->brk.n_protrusion - 1].ch == 0x3002,
              "list-form protrusion with U+3002");
    }
    style_free(a);
    style_free(r);
    diag_list_fini(&dl);
}

static void test_units_and_inheritance(void)
{
    DiagList dl;
    diag_list_init(&dl);
    char path[128], buf[512];
    Style *s = load_text(
        "page:\n"
        "  width: 6in\n"
        "  height: 24cm\n"
        "  margin_top: 72\n"
        "  margin_bottom: 2em\n"
        "  folio_offset: 3pt\n"            /* 2em less the 18pt folio leaves 6pt */
        "  margin_inner: 1.5 cm\n"
        "  margin_outer: 10mm\n"
        "roles:\n"
        "  title: {size: 20pt, first_indent: 1em}\n"
        "  body: {size: 12pt, leading: 15pt, bold: true, first_indent: 2em, space_after: 5pt,"
        " hang_indent: 3pt, uppercase: true, keep_with_next: true, left_indent: 0.5em}\n"
        "  caption: {size: 8pt}\n"
        "  folio: {size: 1.5em, leading: 2em}\n"
        "linebreak: {cjk_latin_space: 0.3em, emergency_stretch: 1em}\n",
        &dl, path, sizeof path);
    CHECK(s != NULL, "unit style loads: %s", first_msg(&dl, buf, sizeof buf));
    if (s) {
        CHECK(NEAR(s->page_width, 432) && NEAR(s->page_height, 680.31), "in and cm");
        CHECK(NEAR(s->margin_top, 72), "bare number is pt");
        CHECK(NEAR(s->margin_bottom, 24), "page em = body size (12pt)");
        CHECK(NEAR(s->margin_inner, 42.52) && NEAR(s->margin_outer, 28.35), "cm with a space, mm");
        CHECK(NEAR(s->roles[ROLE_BODY].first_indent, 24) && NEAR(s->roles[ROLE_BODY].left_indent, 6),
              "role em = its own size");
        const StyleRole *t = &s->roles[ROLE_TITLE];
        CHECK(NEAR(t->first_indent, 20), "title em is 20pt");
        CHECK(NEAR(t->leading, 25), "leading scales with size when unset: %.2f", t->leading);
        CHECK(t->bold && NEAR(t->left_indent, 6), "bold, left_indent inherited");
        CHECK(t->space_after == 0 && t->hang_indent == 0 && !t->uppercase && !t->keep_with_next,
              "space_after, hang_indent, uppercase, keep_with_next not inherited");
        const StyleRole *m = &s->roles[ROLE_MASTHEAD];
        CHECK(m->size == 12 && m->leading == 15 && m->bold && m->first_indent == 0,
              "unset role = body without the non-inherited keys");
        CHECK(NEAR(s->roles[ROLE_CAPTION].leading, 10), "caption 8pt leading 10pt (15 * 8/12)");
        CHECK(NEAR(s->roles[ROLE_FOLIO].size, 18) && NEAR(s->roles[ROLE_FOLIO].leading, 36),
              "size em = body size; leading em = own size");
        CHECK(NEAR(s->brk.cjk_latin_space, 0.3) && NEAR(s->brk.emergency_stretch, 12),
              "em numbers and linebreak em");
        char stem[64];
        snprintf(stem, sizeof stem, "%.*s", (int)strcspn(strrchr(path, '/') + 1, "."),
                 strrchr(path, '/') + 1);
        CHECK_STR(s->name, stem, "name defaults to the file name");
        CHECK_STR(s->fontsets[0].name, "serif", "default font set");
        CHECK_STR(s->fontsets[0].latin, "PT Serif", "default latin family");
        CHECK_STR(style_label(s, LABEL_REFERENCES, "ru"), "References", "default label, en fallback");
    }
    style_free(s);
    diag_list_fini(&dl);

    diag_list_init(&dl);
    s = load_text("name: x\nlabels:\n  abstract: {en: Summary}\n", &dl, path, sizeof path);
    CHECK(s && !strcmp(style_label(s, LABEL_ABSTRACT, "ru"), "Summary") &&
          !strcmp(style_label(s, LABEL_ABSTRACT, "zh-CN"), "Summary"), "missing ru/zh fall back to en");
    CHECK(s && NEAR(s->page_width, 595.28) && s->brk.tolerance == 200 && s->n_masthead == 0,
          "table defaults");
    style_free(s);
    diag_list_fini(&dl);
}

static void test_errors(void)
{
    EXPECT_ERROR("page:\n  widht: 170mm\n", 2, 3, "unknown key 'page.widht' (did you mean 'width'?)");
    EXPECT_ERROR("name: x\ncolour: red\n", 2, 1, "unknown key 'colour'");
    EXPECT_ERROR("roles:\n  hedaing1: {size: 10pt}\n", 2, 3, "unknown role 'roles.hedaing1' (did you mean 'heading1'?)");
    EXPECT_ERROR("roles:\n  title: {sise: 10pt}\n", 2, 11, "unknown key 'roles.title.sise'");
    EXPECT_ERROR("labels:\n  abstract: {en: A, de: B}\n", 2, 21, "unknown key 'labels.abstract.de'");
    /* columns count characters, not bytes */
    EXPECT_ERROR("labels:\n  abstract: {ru: Аннотация, de: B}\n", 2, 29, "unknown key 'labels.abstract.de'");
    EXPECT_ERROR("page:\n  columns: two\n", 2, 12, "page.columns: expected an integer, found 'two'");
    EXPECT_ERROR("page:\n  running_heads: yes\n", 2, 18, "page.running_heads: expected true or false, found 'yes'");
    EXPECT_ERROR("roles:\n  body: {align: middle}\n", 2, 17, "expected justify, left, center or right, found 'middle'");
    EXPECT_ERROR("page: 12\n", 1, 7, "page: expected a mapping, found '12'");
    EXPECT_ERROR("page:\n  width: [1, 2]\n", 2, 10, "page.width: expected a length");
    EXPECT_ERROR("page:\n  width: wide\n", 2, 10, "page.width: expected a length (number with mm, cm, in, pt or em), found 'wide'");
    EXPECT_ERROR("page:\n  width: 170px\n", 2, 10, "page.width: unknown unit 'px' in '170px'");
    EXPECT_ERROR("page: {margin_top: -5mm}\n", 1, 20, "page.margin_top: expected a non-negative length, found '-5mm'");
    EXPECT_ERROR("roles:\n  title: {size: -3pt}\n", 2, 17, "roles.title.size: expected a positive length, found '-3pt'");
    EXPECT_ERROR("roles:\n  body: {size: 2em}\n", 2, 16, "roles.body.size: em is relative to this size");
    EXPECT_ERROR("page:\n  height: 0\n", 2, 11, "page.height: expected a positive length, found '0'");
    EXPECT_ERROR("name: x\npage:\n  width: 43.2pt\n  margin_inner: 20pt\n  margin_outer: 20pt\n",
                 2, 1, "text block is 3.2pt wide, narrower than one em (10pt)");
    EXPECT_ERROR("page: {height: 60pt, margin_top: 25pt, margin_bottom: 25pt}\n", 1, 1,
                 "text block is 10pt high, less than one body line (12pt)");
    EXPECT_ERROR("page: {columns: 3, column_gap: 220pt}\n", 1, 1,
                 "columns are 4.51pt wide, narrower than one em (10pt)");
    EXPECT_ERROR("roles:\n  body:\n    leading: -1pt\n", 3, 14, "roles.body.leading: expected a positive length, found '-1pt'");
    EXPECT_ERROR("fonts:\n  serif: {latin: PT Serif}\nroles:\n  title: {font: fancy}\n", 4, 17,
                 "roles.title.font: undefined font set 'fancy' (defined: serif)");
    EXPECT_ERROR("fonts:\n  sans: {latin: PT Sans}\n", 1, 1, "roles.body.font: undefined font set 'serif'");
    EXPECT_ERROR("fonts:\n  serif: {latin: \"\"}\n", 2, 18, "fonts.serif.latin: expected a non-empty string");
    EXPECT_ERROR("protrusion:\n  \",\": [0, 1.5]\n", 2, 12, "protrusion.,: expected a number in [0, 1], found '1.5'");
    EXPECT_ERROR("protrusion:\n  - {char: \"(\", left: -0.1}\n", 2, 23, "expected a number in [0, 1], found '-0.1'");
    EXPECT_ERROR("protrusion:\n  ab: [0, 0.5]\n", 2, 3, "protrusion: expected a single character or U+XXXX, found 'ab'");
    EXPECT_ERROR("protrusion:\n  \",\": [0.5]\n", 2, 8, "expected [left, right], found a list of 1");
    EXPECT_ERROR("protrusion:\n  \",\": [0, 0.5]\n  U+002C: [0, 0.4]\n", 3, 3, "duplicate entry for U+002C");
    EXPECT_ERROR("linebreak: {ragged_last_line_min: 2}\n", 1, 35, "expected a number in [0, 1]");
    EXPECT_ERROR("linebreak: {tolerance: 1.5}\n", 1, 24, "linebreak.tolerance: expected an integer, found '1.5'");
    EXPECT_ERROR("linebreak: {hyphen_left_min: 0}\n", 1, 30, "expected an integer of at least 1");
    EXPECT_ERROR("page:\n  width: 170mm\n  width: 180mm\n", 3, 3, "duplicate key 'page.width' (first at line 2)");
    EXPECT_ERROR("masthead: [a, {b: c}]\n", 1, 15, "masthead: expected a string, found a mapping");
    EXPECT_ERROR("a: b: c\n", 1, 5, "YAML: mapping values are not allowed in this context");
    EXPECT_ERROR("page: {width: 170mm\n", 2, 1, "YAML: ");
    EXPECT_ERROR("page: &p {width: 170mm}\nfootnotes: *p\n", 2, 12, "YAML aliases are not allowed in a style");
    EXPECT_ERROR("name: a\n---\nname: b\n", 2, 1, "one YAML document");
    EXPECT_ERROR("- a\n- b\n", 1, 1, "expected a mapping of style keys, found a list");
    EXPECT_ERROR("", 1, 1, "style file is empty");
    {
        char yaml[256] = "x: ";
        for (int i = 0; i < 70; i++) strcat(yaml, "[");
        for (int i = 0; i < 70; i++) strcat(yaml, "]");
        strcat(yaml, "\n");
        /* the root mapping is level 1, so the 64th '[' (column 67) is level 65 */
        EXPECT_ERROR(yaml, 1, 67, "YAML nesting is deeper than 64 levels");
    }
    {
        /* 100k levels would take libyaml's parser a minute; the event pass stops at 65 */
        size_t n = 100000;
        char *deep = malloc(2 * n + 8);
        strcpy(deep, "x: ");
        memset(deep + 3, '[', n);
        deep[3 + n] = 0;
        EXPECT_ERROR(deep, 1, 67, "nesting");
        free(deep);
    }

    DiagList dl;
    diag_list_init(&dl);
    Style *s = style_load("nonexistent", ".", &dl);
    CHECK(!s && dl.n == 1 && dl.v[0].line == 1 && dl.v[0].col == 1 &&
          !strcmp(dl.v[0].file, "./styles/nonexistent.yaml") &&
          !strcmp(dl.v[0].msg, "cannot read style 'nonexistent': no such file or directory"),
          "missing style: %s", dl.n ? dl.v[0].msg : "(none)");
    diag_list_fini(&dl);

    /* several errors are all reported */
    diag_list_init(&dl);
    char path[128];
    s = load_text("page: {width: 1px, height: x}\nroles: {body: {bold: 2}}\n", &dl, path, sizeof path);
    CHECK(!s && dl.errors == 3, "three errors reported: %d", dl.errors);
    diag_list_fini(&dl);
}

/* Leading and the furniture's offsets are bounded: lines that overprint and
 * a running head or folio off the page are errors at the key that did it. */
static void test_bounds(void)
{
    EXPECT_ERROR("roles:\n  body: {leading: 0pt}\n", 2, 19,
                 "roles.body.leading: expected a positive length, found '0pt'");
    EXPECT_ERROR("roles:\n  title: {size: 16pt, leading: 12pt}\n", 2, 32,
                 "roles.title.leading: expected at least 80% of the type size (12.8pt for 16pt type), found '12pt'");
    EXPECT_ERROR("roles:\n  body: {size: 20pt}\n", 2, 16,
                 "roles.body.leading: expected at least 80% of the type size (16pt for 20pt type), found 12pt (the default)");
    EXPECT_ERROR("page: {head_offset: 500mm}\n", 1, 21,
                 "page.head_offset: expected at most 60.87pt (margin_top 70.87pt less the running head's 10pt type), found '500mm'");
    EXPECT_ERROR("page: {margin_bottom: 10pt}\n", 1, 23,
                 "page.folio_offset: expected at most 0pt (margin_bottom 10pt less the folio's 10pt type), found 28.35pt (the default)");
    EXPECT_ERROR("page: {margin_top: 4pt}\n", 1, 20,
                 "page.margin_top: expected room for the running head (at least its 10pt type), found '4pt'");

    DiagList dl;
    diag_list_init(&dl);
    char path[128], buf[512];
    /* body's bad leading is reported once, not again for every role that scales it */
    Style *s = load_text("roles:\n  body: {size: 10pt, leading: 5pt}\n  title: {size: 16pt}\n", &dl,
                         path, sizeof path);
    CHECK(!s && dl.errors == 1, "one error for body's leading: %d", dl.errors);
    style_free(s);
    diag_list_fini(&dl);

    /* the bounds themselves are allowed: leading 0.8 of the size, a head whose
     * baseline is one size below the trim, no head at all with no top margin */
    diag_list_init(&dl);
    s = load_text("roles:\n  body: {size: 10pt, leading: 8pt}\n  running_head: {size: 8pt}\n"
                  "page: {margin_top: 30pt, head_offset: 22pt}\n", &dl, path, sizeof path);
    CHECK(s != NULL, "leading 10/8 and a head 8pt below the trim load: %s",
          first_msg(&dl, buf, sizeof buf));
    style_free(s);
    diag_list_fini(&dl);
    diag_list_init(&dl);
    s = load_text("page: {margin_top: 0, running_heads: false}\n", &dl, path, sizeof path);
    CHECK(s != NULL, "no running heads, no top margin: %s", first_msg(&dl, buf, sizeof buf));
    style_free(s);
    diag_list_fini(&dl);
}

static void test_languages(void)
{
    DiagList dl;
    diag_list_init(&dl);
    char path[128];
    Style *s = load_text("linebreak: {tolerance: 300, hyphen_penalty: 60}\n"
                         "languages:\n  en: {linebreak: {hyphen_penalty: 500, emergency_stretch: 2em}}\n"
                         "  zh: {linebreak: {tolerance: 100}}\n", &dl, path, sizeof path);
    CHECK(s != NULL && dl.errors == 0, "languages block loads");
    if (s) {
        const LayBreakParams *en = style_linebreak(s, "en-GB"), *zh = style_linebreak(s, "zh");
        const LayBreakParams *ru = style_linebreak(s, "ru");
        CHECK(en->hyphen_penalty == 500 && en->tolerance == 300 && NEAR(en->emergency_stretch, 20),
              "en: its penalty, linebreak's tolerance, em of the body size (%d %d %.1f)",
              en->hyphen_penalty, en->tolerance, en->emergency_stretch);
        CHECK(zh->tolerance == 100 && zh->hyphen_penalty == 60 && ru->tolerance == 300 &&
                  ru->hyphen_penalty == 60, "zh its tolerance; ru all from linebreak");
    }
    style_free(s);
    diag_list_fini(&dl);
    EXPECT_ERROR("languages:\n  fr: {linebreak: {tolerance: 100}}\n", 2, 3, "unknown language 'languages.fr'");
    EXPECT_ERROR("languages:\n  ru: {linebreak: {tolerence: 100}}\n", 2, 20, "unknown key 'languages.ru.linebreak.tolerence' (did you mean 'tolerance'?)");
    EXPECT_ERROR("languages:\n  ru: {linebreak: {tolerance: -5}}\n", 2, 31, "tolerance");
    EXPECT_ERROR("languages:\n  ru: {linebreak: {cjk_stretch: 1}}\n", 2, 20, "unknown key");
}

static void test_lang_and_keys(void)
{
    CHECK(style_lang_index("en") == 0 && style_lang_index("ru") == 1 && style_lang_index("RU-ru") == 1 &&
          style_lang_index("zh_CN") == 2 && style_lang_index("fr") == 0 && style_lang_index(NULL) == 0 &&
          style_lang_index("rus") == 0, "style_lang_index");
    CHECK_STR(style_role_names[ROLE_RUNNING_HEAD], "running_head", "role names match the enum");
    CHECK_STR(style_role_names[ROLE_FOLIO], "folio", "last role name");
    CHECK_STR(style_label_names[LABEL_CONTINUED], "continued", "last label name");

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    style_print_keys(f);
    fclose(f);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    CHECK(lines > 80, "style_print_keys prints %d lines", lines);
    CHECK(strstr(text, "page.width") && strstr(text, "210mm") &&
          strstr(text, "roles.<role>.hang_indent") && strstr(text, "linebreak.tolerance") &&
          strstr(text, "labels.for_citations"), "key table lists page, roles, linebreak, labels");
    /* every label name has a row, so the table covers the enum */
    int all = 1;
    for (int i = 0; i < LABEL_COUNT; i++) {
        char key[64];
        snprintf(key, sizeof key, "\nlabels.%s ", style_label_names[i]);
        if (!strstr(text, key))
            all = 0;
    }
    CHECK(all, "every label has a key row");
    free(text);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return s && a >= b && strcmp(s + a - b, suffix) == 0;
}

static void test_fonts(void)
{
    DiagList dl;
    diag_list_init(&dl);
    char buf[512];
    FontLib *fl = fontlib_new(".", &dl);
    CHECK(fl != NULL, "fontlib_new: %s", first_msg(&dl, buf, sizeof buf));
    if (!fl)
        return;
    const char *fam = "PT Serif, Noto Serif CJK SC";
    struct { const char *fam; int bold, italic; const char *lang, *text, *file; } cases[] = {
        {fam, 0, 0, "en", "Hello, world", "/PTF55F.ttf"},
        {fam, 0, 0, "ru", "Привет, мир", "/PTF55F.ttf"},
        {fam, 0, 0, "zh", "汉字排版", "/NotoSerifCJK-Regular.ttc#2"},
        {fam, 1, 0, "en", "Bold", "/PTF75F.ttf"},
        {fam, 0, 1, "en", "Italic", "/PTF56F.ttf"},
        {fam, 1, 1, "ru", "Жирный курсив", "/PTF76F.ttf"},
        {fam, 1, 0, "zh", "标题", "/NotoSerifCJK-Bold.ttc#2"},
        {"PT Sans, Noto Sans CJK SC", 1, 0, "en", "Heading", "/PTS75F.ttf"},
        {"PT Sans, Noto Sans CJK SC", 0, 0, "zh", "摘要", "/NotoSansCJK-Regular.ttc#2"},
        {"PT Mono", 0, 0, "en", "int x;", "/PTM55F.ttf"},
        {"PT Serif", 0, 0, "en", "Only PT Serif", "/PTF55F.ttf"},
        {"monospace", 0, 0, "en", "mono", "/PTM55F.ttf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *file = fontlib_resolve(fl, cases[i].fam, cases[i].bold, cases[i].italic, cases[i].lang,
                                     cases[i].text);
        CHECK(ends_with(file, cases[i].file), "%s%s%s '%s' -> %s", cases[i].fam,
              cases[i].bold ? " bold" : "", cases[i].italic ? " italic" : "", cases[i].text,
              file ? file : "(null)");
        free(file);
    }
    char *none = fontlib_resolve(fl, "PT Serif", 0, 0, "ar", "مرحبا");
    CHECK(none == NULL, "Arabic is covered by no configured font: %s", none ? none : "(null)");
    free(none);
    none = fontlib_resolve(fl, "DejaVu Sans", 0, 0, "en", "Hello");
    CHECK(none && strstr(none, "DejaVu") == NULL, "DejaVu Sans is not visible: %s",
          none ? none : "(null)");
    free(none);

    PangoFontFamily **families = NULL;
    int n = 0;
    pango_font_map_list_families(fontlib_fontmap(fl), &families, &n);
    static const char *const allowed[] = {
        "PT Serif", "PT Sans", "PT Mono", "Sans", "Serif", "Monospace", "System-ui",
    };
    int ok = n > 0, pt_serif = 0;
    char stray[128] = "";
    for (int i = 0; i < n; i++) {
        const char *name = pango_font_family_get_name(families[i]);
        int good = strncmp(name, "Noto Serif CJK ", 15) == 0 || strncmp(name, "Noto Sans CJK ", 14) == 0 ||
                   strncmp(name, "Noto Sans Mono CJK ", 19) == 0;
        for (size_t j = 0; j < sizeof allowed / sizeof allowed[0]; j++)
            good |= strcmp(name, allowed[j]) == 0;
        pt_serif |= strcmp(name, "PT Serif") == 0;
        if (!good) {
            ok = 0;
            snprintf(stray, sizeof stray, "%s", name);
        }
    }
    g_free(families);
    CHECK(ok && pt_serif, "font map lists only configured families (%d; stray: '%s')", n, stray);

    /* the font files as an issue's cache key holds them: one line a file
     * (a collection's faces once), in path order, each with its size */
    {
        char *id = fontlib_files_identity(fl);
        char **lines = g_strsplit(id, "\n", -1);
        int files = 0, sorted = 1, sized = 1;
        for (int i = 0; lines[i] && *lines[i]; i++) {
            files++;
            if (i > 0 && strcmp(lines[i - 1], lines[i]) >= 0)
                sorted = 0;
            struct stat st;
            char *sp = strchr(lines[i], ' ');
            if (sp)
                *sp = 0;
            sized &= sp && stat(lines[i], &st) == 0 && atoll(sp + 1) == (long long)st.st_size;
        }
        CHECK(files == 14 && sorted && sized && strstr(id, "/PTF55F.ttf ") &&
                  strstr(id, "/NotoSerifCJK-Regular.ttc "),
              "fontlib_files_identity: 14 files, in order, with their sizes (%d lines)", files);
        g_strfreev(lines);
        g_free(id);
    }

    /* two libraries are independent */
    FontLib *fl2 = fontlib_new(".", &dl);
    fontlib_free(fl);
    char *f2 = fl2 ? fontlib_resolve(fl2, fam, 0, 0, "en", "Hi") : NULL;
    CHECK(ends_with(f2, "/PTF55F.ttf"), "second FontLib works after the first is freed");
    free(f2);
    fontlib_free(fl2);
    diag_list_fini(&dl);

    diag_list_init(&dl);
    FontLib *bad = fontlib_new("/nonexistent-datadir", &dl);
    CHECK(!bad && dl.errors == 1 && strstr(dl.v[0].msg, "cannot read font configuration"),
          "missing fonts.conf: %s", first_msg(&dl, buf, sizeof buf));
    fontlib_free(bad);
    diag_list_fini(&dl);
}

/* Styles and font libraries on several threads at once. */
static void *worker(void *arg)
{
    int *ok = arg;
    DiagList dl;
    diag_list_init(&dl);
    *ok = 1;
    for (int i = 0; i < 3; i++) {
        Style *s = style_load(i % 2 ? "a4-sans" : "rjwpln", ".", &dl);
        FontLib *fl = fontlib_new(".", &dl);
        char *f = fl ? fontlib_resolve(fl, "PT Serif, Noto Serif CJK SC", 0, 0, "zh", "汉字") : NULL;
        if (!s || !fl || !ends_with(f, "/NotoSerifCJK-Regular.ttc#2"))
            *ok = 0;
        free(f);
        fontlib_free(fl);
        style_free(s);
    }
    if (dl.errors)
        *ok = 0;
    diag_list_fini(&dl);
    return NULL;
}

static void test_threads(void)
{
    pthread_t th[4];
    int ok[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, worker, &ok[i]);
    int all = 1;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        all &= ok[i];
    }
    CHECK(all, "4 threads load styles and font libraries independently");
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_style.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_rjwpln();
    test_a4();
    test_units_and_inheritance();
    test_errors();
    test_bounds();
    test_lang_and_keys();
    test_languages();
    test_fonts();
    test_threads();
    for (int i = 1; i <= tmpcount; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/s%d.yaml", tmpdir, i);
        unlink(p);
    }
    rmdir(tmpdir);
    return check_finish();
}
