/* test_issue.c — the pure parts of `typeset issue`: page numbering with and
 * without recto starts, destination prefixes, the assembled page list and
 * outline (typeset/issuepages.c), roman labels (typeset/issuefront.c), and
 * the manifest reader's errors (typeset/manifest.c). */
#include "../../typeset/issuefront.h"
#include "../../typeset/issuepages.h"
#include "../../typeset/manifest.h"
#include "check.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

static void numbering(void)
{
    int pages[4] = {9, 7, 5, 6}, first[4];
    int next = issuepages_number(77, 0, pages, 4, first);
    CHECK(first[0] == 77 && first[1] == 86 && first[2] == 93 && first[3] == 98 && next == 104,
          "run on: 77 86 93 98, next 104 (got %d %d %d %d, %d)", first[0], first[1], first[2],
          first[3], next);
    next = issuepages_number(77, 1, pages, 4, first);
    CHECK(first[0] == 77 && first[1] == 87 && first[2] == 95 && first[3] == 101 && next == 107,
          "recto starts: 77 87 95 101 (got %d %d %d %d)", first[0], first[1], first[2], first[3]);
    next = issuepages_number(2, 1, pages, 1, first);
    CHECK(first[0] == 3, "recto start on an even first page: the first article moves to 3");
    int with_failed[3] = {4, 0, 5};
    issuepages_number(1, 0, with_failed, 3, first);
    CHECK(first[1] == 0 && first[2] == 5, "a failed article takes no room (got %d, %d)", first[1],
          first[2]);
}

static void roman(void)
{
    Arena a;
    arena_init(&a);
    CHECK_STR(issuefront_roman(1, &a), "i", "1");
    CHECK_STR(issuefront_roman(4, &a), "iv", "4");
    CHECK_STR(issuefront_roman(14, &a), "xiv", "14");
    CHECK_STR(issuefront_roman(1994, &a), "mcmxciv", "1994");
    arena_fini(&a);
}

/* Two one-page "articles" with a destination, a link and an outline entry. */
static void assemble(void)
{
    Arena a;
    arena_init(&a);
    LayItem items[2][3];
    LayPage pages[2];
    LayOutline ol[2];
    LayResult r[2];
    for (int k = 0; k < 2; k++) {
        items[k][0] = (LayItem){.kind = LI_DEST, .str = "title"};
        items[k][1] = (LayItem){.kind = LI_LINK, .str = "#ref-1"};
        items[k][2] = (LayItem){.kind = LI_LINK, .str = "https://doi.org/10.1/x"};
        pages[k] = (LayPage){.items = items[k], .n_items = 3, .number = k == 0 ? 5 : 7};
        ol[k] = (LayOutline){1, "References", "references"};
        r[k] = (LayResult){.pages = &pages[k], .n_pages = 1, .outline = &ol[k], .n_outline = 1};
        issuepages_prefix(&r[k], k + 1, &a);
    }
    CHECK_STR(items[1][0].str, "a2-title", "destination prefixed");
    CHECK_STR(items[1][1].str, "#a2-ref-1", "internal link prefixed");
    CHECK_STR(items[1][2].str, "https://doi.org/10.1/x", "external link untouched");
    CHECK_STR(ol[0].dest, "a1-references", "outline target prefixed");

    LayPage fp = {.label = "i"};
    LayResult front = {.pages = &fp, .n_pages = 1};
    IssuePart parts[2] = {{&r[0], "First", 1}, {&r[1], "Second", 2}};
    LayResult all;
    issuepages_assemble(&front, parts, 2, 5, 1, &all, &a);
    CHECK(all.n_pages == 5, "cover, its blank, p. 5, blank p. 6, p. 7 (got %d pages)", all.n_pages);
    CHECK_STR(all.pages[1].label, "ii", "the front matter is padded to an even count");
    CHECK(all.pages[3].number == 6 && all.pages[3].n_items == 0, "blank verso numbered 6");
    CHECK(all.n_outline == 4 && all.outline[0].level == 1 && all.outline[1].level == 2,
          "one entry per article, its own entries one level down");
    CHECK_STR(all.outline[2].dest, "a2-title", "article entry points at its title");
    arena_fini(&a);
}

/* Writes text to DIR/name; returns the path (g_free). */
static char *put(const char *dir, const char *name, const char *text)
{
    char *p = g_build_filename(dir, name, NULL);
    g_file_set_contents(p, text, -1, NULL);
    return p;
}

static int has_diag(const DiagList *dl, int line, int col, const char *part)
{
    for (int i = 0; i < dl->n; i++)
        if (dl->v[i].line == line && dl->v[i].col == col && strstr(dl->v[i].msg, part))
            return 1;
    return 0;
}

static void manifest(void)
{
    char *dir = g_dir_make_tmp("ts-issue-XXXXXX", NULL);
    g_free(put(dir, "a.md", "---\ntitle: A\n---\n"));
    g_free(put(dir, "b.md", "---\ntitle: B\n---\n"));
    DiagList dl;
    diag_list_init(&dl);
    char *p = put(dir, "ok.yaml",
                  "journal: J\nvolume: 3\nfirst_page: 12\nsections:\n  - title: S\n"
                  "    articles: [a.md]\n  - title: T\n    articles: [b.md]\n");
    Manifest *m = manifest_load(p, &dl);
    CHECK(m && m->n_articles == 2 && m->n_sections == 2 && m->first_page == 12, "sections read");
    CHECK(m && m->articles[1].section == 1 && strcmp(m->articles[1].stem, "b") == 0,
          "article b in section 2, stem b");
    CHECK(m && strcmp(m->volume, "3") == 0, "a number given as volume is kept as text");
    manifest_free(m);
    g_free(p);

    p = put(dir, "bad.yaml", "journal: J\nfirst_page: 0\narticles:\n  - a.md\n  - gone.md\n  - a.md\n");
    m = manifest_load(p, &dl);
    CHECK(!m, "refused");
    CHECK(has_diag(&dl, 2, 13, "first_page"), "first_page 0 at 2:13");
    CHECK(has_diag(&dl, 5, 5, "cannot read article 'gone.md'"), "missing article at 5:5");
    CHECK(has_diag(&dl, 6, 5, "listed twice"), "duplicate at 6:5");
    g_free(p);
    diag_list_fini(&dl);
    diag_list_init(&dl);

    GString *deep = g_string_new("articles: ");
    for (int i = 0; i < 200; i++)
        g_string_append_c(deep, '[');
    p = put(dir, "deep.yaml", deep->str);
    m = manifest_load(p, &dl);
    CHECK(!m && has_diag(&dl, 1, 10 + MANIFEST_MAX_DEPTH, "nesting deeper"), "depth capped");
    g_string_free(deep, TRUE);
    g_free(p);
    diag_list_fini(&dl);
    const char *files[] = {"a.md", "b.md", "ok.yaml", "bad.yaml", "deep.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *f = g_build_filename(dir, files[i], NULL);
        g_remove(f);
        g_free(f);
    }
    g_rmdir(dir);
    g_free(dir);
}

int main(void)
{
    numbering();
    roman();
    assemble();
    manifest();
    return check_finish();
}
