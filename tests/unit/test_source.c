/* test_source.c — front matter, Markdown, citations, footnotes and the input
 * defences of typeset/frontmatter.c and typeset/markdown.c. */
#include "../../typeset/source.h"
#include "../../typeset/compose.h"
#include "check.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* One parse and everything it needs; t_fini frees it. */
typedef struct T {
    Arena a;
    DiagList dl;
    Doc doc;
    int rc;
    double secs;
} T;

static double t_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void t_parse_n(T *t, const char *src, size_t len)
{
    memset(t, 0, sizeof *t);
    arena_init(&t->a);
    diag_list_init(&t->dl);
    double t0 = t_now();
    t->rc = source_read_buffer("a.md", src, len, &t->doc, &t->a, &t->dl);
    t->secs = t_now() - t0;
}

static void t_parse(T *t, const char *src)
{
    t_parse_n(t, src, strlen(src));
}

static void t_fini(T *t)
{
    arena_fini(&t->a);
    diag_list_fini(&t->dl);
}

/* Whether a diagnostic of severity sev at line:col (0 = any) contains msg. */
static int t_has(const T *t, DiagSeverity sev, int line, int col, const char *msg)
{
    for (int i = 0; i < t->dl.n; i++) {
        const Diag *d = &t->dl.v[i];
        if (d->sev == sev && (!line || d->line == line) && (!col || d->col == col)
            && strstr(d->msg, msg))
            return 1;
    }
    return 0;
}

/* Prints the diagnostics, to see why a check failed. */
static void t_show(const T *t)
{
    for (int i = 0; i < t->dl.n; i++) {
        char buf[1200];
        diag_format(&t->dl.v[i], buf, sizeof buf);
        printf("     | %s\n", buf);
    }
}

/* The runs' texts joined, in a static buffer (tests are single-threaded). */
static const char *t_text(const DocInlines *in)
{
    static char buf[4096];
    buf[0] = 0;
    for (int i = 0; in && i < in->n; i++)
        strncat(buf, in->runs[i].text, sizeof buf - strlen(buf) - 1);
    return buf;
}

/* Index of the first run with exactly this text, or -1. */
static int t_run(const DocInlines *in, const char *text)
{
    for (int i = 0; i < in->n; i++)
        if (strcmp(in->runs[i].text, text) == 0)
            return i;
    return -1;
}

/* ---- front matter -------------------------------------------------------*/

static const char full_src[] =
    "---\n"                                             /* 1 */
    "title: \"Full *Title*\"\n"                         /* 2 */
    "subtitle: Sub\n"                                   /* 3 */
    "lang: ru-RU\n"                                     /* 4 */
    "doi: https://doi.org/10.1234/abc.5\n"              /* 5 */
    "article_type: research\n"                          /* 6 */
    "authors:\n"                                        /* 7 */
    "  - name: Ann Lee\n"                               /* 8 */
    "    affiliation: Leiden\n"                         /* 9 */
    "    country: NL\n"                                 /* 10 */
    "    address: Street 1\n"                           /* 11 */
    "    email: ann@example.org\n"                      /* 12 */
    "    orcid: 0000-0002-1825-0097\n"                  /* 13 */
    "    bio: Bio text\n"                               /* 14 */
    "  - name: Bo\n"                                    /* 15 */
    "abstract: |\n"                                     /* 16 */
    "  The *abstract* text.\n"                          /* 17 */
    "keywords: [one, two]\n"                            /* 18 */
    "received: 2024-01-02\n"                            /* 19 */
    "accepted: 2024-02-03\n"                            /* 20 */
    "published: 2024-03-04\n"                           /* 21 */
    "license: CC-BY\n"                                  /* 22 */
    "journal: J\n"                                      /* 23 */
    "issn: 1234-5678\n"                                 /* 24 */
    "volume: 1\n"                                       /* 25 */
    "number: \"2\"\n"                                   /* 26 */
    "year: 2024\n"                                      /* 27 */
    "first_page: 7\n"                                   /* 28 */
    "references:\n"                                     /* 29 */
    "  - \"Plain ref *Book*\"\n"                        /* 30 */
    "  - id: smith\n"                                   /* 31 */
    "    text: \"1999. Smith\"\n"                       /* 32 */
    "    doi: \"doi:10.5555/xyz\"\n"                    /* 33 */
    "    url: https://example.org/s\n"                  /* 34 */
    "---\n"                                             /* 35 */
    "Body text.\n";                                     /* 36 */

static void test_full_front_matter(void)
{
    T t;
    t_parse(&t, full_src);
    const DocMeta *m = &t.doc.meta;
    CHECK(t.rc == 0, "full front matter parses (rc %d)", t.rc);
    CHECK(t.dl.errors == 0 && t.dl.warnings == 0, "no diagnostics (%d/%d)", t.dl.errors,
          t.dl.warnings);
    t_show(&t);
    CHECK_STR(t.doc.path, "a.md", "doc->path is set");
    CHECK_STR(m->title, "Full Title", "title: its plain text");
    int italic = 0;
    for (int i = 0; i < m->title_in.n; i++)
        italic |= strcmp(m->title_in.runs[i].text, "Title") == 0 &&
                  (m->title_in.runs[i].flags & DOC_ITALIC);
    CHECK(italic, "title: its Markdown, *Title* in italics");
    CHECK(m->title_line == 2, "title_line %d", m->title_line);
    CHECK_STR(m->subtitle, "Sub", "subtitle");
    CHECK_STR(m->lang, "ru-RU", "lang with region");
    CHECK_STR(m->doi, "10.1234/abc.5", "doi URL normalised");
    CHECK_STR(m->article_type, "research", "article_type");
    CHECK(m->n_authors == 2, "two authors (%d)", m->n_authors);
    if (m->n_authors == 2) {
        CHECK_STR(m->authors[0].name, "Ann Lee", "author name");
        CHECK_STR(m->authors[0].affiliation, "Leiden", "affiliation");
        CHECK_STR(m->authors[0].country, "NL", "country");
        CHECK_STR(m->authors[0].address, "Street 1", "address");
        CHECK_STR(m->authors[0].email, "ann@example.org", "email");
        CHECK_STR(m->authors[0].orcid, "0000-0002-1825-0097", "orcid");
        CHECK_STR(m->authors[0].bio, "Bio text", "bio");
        CHECK(m->authors[0].line == 8 && m->authors[0].col == 5, "author 1 at %d:%d",
              m->authors[0].line, m->authors[0].col);
        CHECK_STR(m->authors[1].name, "Bo", "second author");
    }
    CHECK(m->abstract && strstr(m->abstract, "The *abstract* text."), "abstract text");
    CHECK(m->abstract_line == 17, "abstract_line %d", m->abstract_line);
    CHECK(t.doc.abstract.n == 1 && t.doc.abstract.v[0].kind == DOC_PARA, "abstract parsed");
    if (t.doc.abstract.n == 1) {
        const DocInlines *in = &t.doc.abstract.v[0].in;
        int k = t_run(in, "abstract");
        CHECK(k >= 0 && in->runs[k].flags == DOC_ITALIC, "abstract emphasis");
        CHECK(in->runs[0].line == 17, "abstract run line %d", in->runs[0].line);
    }
    CHECK(m->n_keywords == 2 && !strcmp(m->keywords[0], "one") && !strcmp(m->keywords[1], "two"),
          "keywords list");
    CHECK_STR(m->received, "2024-01-02", "received");
    CHECK_STR(m->accepted, "2024-02-03", "accepted");
    CHECK_STR(m->published, "2024-03-04", "published");
    CHECK_STR(m->license, "CC-BY", "license");
    CHECK_STR(m->journal, "J", "journal");
    CHECK_STR(m->issn, "1234-5678", "issn");
    CHECK_STR(m->volume, "1", "number as text: volume");
    CHECK_STR(m->number, "2", "number");
    CHECK_STR(m->year, "2024", "year");
    CHECK(m->first_page == 7, "first_page %d", m->first_page);
    CHECK(t.doc.n_refs == 2, "two references (%d)", t.doc.n_refs);
    if (t.doc.n_refs == 2) {
        const DocRef *r = t.doc.refs;
        CHECK_STR(r[0].id, "ref1", "string ref gets id refN");
        CHECK(r[0].line == 30 && r[0].col == 5, "ref 1 at %d:%d", r[0].line, r[0].col);
        CHECK_STR(r[1].id, "smith", "map ref id");
        CHECK_STR(r[1].doi, "10.5555/xyz", "ref doi normalised");
        CHECK_STR(r[1].url, "https://example.org/s", "ref url");
        CHECK_STR(t_text(&r[0].in), "Plain ref Book", "ref 1 inline text");
        int k = t_run(&r[0].in, "Book");
        CHECK(k >= 0 && r[0].in.runs[k].flags == DOC_ITALIC, "ref 1 italic title");
        CHECK_STR(t_text(&r[1].in), "1999. Smith", "'1999.' stays text, not a list");
    }
    CHECK(t.doc.body_line == 36, "body_line %d", t.doc.body_line);
    CHECK(t.doc.body.n == 1 && t.doc.body.v[0].line == 36 && t.doc.body.v[0].col == 1,
          "body paragraph at 36:1");
    t_fini(&t);
}

static void test_missing_title(void)
{
    T t;
    t_parse(&t, "---\nsubtitle: x\n---\nBody\n");
    CHECK(t.rc == -1, "missing title fails");
    CHECK(t_has(&t, DIAG_ERROR, 1, 1, "missing required front-matter key 'title'"),
          "missing title error at 1:1");
    t_fini(&t);
    t_parse(&t, "---\ntitle: \"\"\n---\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 2, 8, "'title' must not be empty"),
          "empty title is an error at its value");
    t_fini(&t);
    t_parse(&t, "---\n---\nBody\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 1, 1, "missing required front-matter key"),
          "empty front matter: missing title");
    t_fini(&t);
}

static void test_wrong_types(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\nauthors: Bob Smith\n---\n");
    CHECK(t.rc == -1, "authors as a string fails");
    CHECK(t_has(&t, DIAG_ERROR, 3, 10, "'authors' must be a list of maps, found a string"),
          "authors error at 3:10");
    t_show(&t);
    t_fini(&t);
    t_parse(&t, "---\ntitle: [a, b]\nfirst_page: 0\nkeywords: {a: 1}\n---\n");
    CHECK(t_has(&t, DIAG_ERROR, 2, 8, "'title' must be text, found a list"), "title list");
    CHECK(t_has(&t, DIAG_ERROR, 3, 13, "'first_page' must be a positive integer"),
          "first_page 0");
    CHECK(t_has(&t, DIAG_ERROR, 4, 11, "'keywords' must be a list of texts, found a map"),
          "keywords map");
    CHECK(t.dl.errors == 3, "all three errors reported (%d)", t.dl.errors);
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nfirst_page: 3a\n---\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 3, 13, "found '3a'"), "first_page 3a");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nauthors:\n  - affiliation: X\n  - Bob\n---\n");
    CHECK(t_has(&t, DIAG_ERROR, 4, 5, "missing required key 'name' in author 1"),
          "author without name");
    CHECK(t_has(&t, DIAG_ERROR, 5, 5, "found a string"), "author item as a string");
    t_fini(&t);
}

static void test_single_author_and_keyword_string(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\nauthors: {name: Solo, email: s@x.org}\n"
                "keywords: \"alpha, beta ,gamma\"\n---\n");
    CHECK(t.rc == 0, "single map author accepted");
    CHECK(t.doc.meta.n_authors == 1 && !strcmp(t.doc.meta.authors[0].name, "Solo"),
          "one author from a map");
    CHECK(t.doc.meta.n_keywords == 3 && !strcmp(t.doc.meta.keywords[1], "beta")
              && !strcmp(t.doc.meta.keywords[2], "gamma"),
          "comma-separated keywords split and trimmed");
    CHECK_STR(t.doc.meta.lang, "en", "lang defaults to en");
    t_fini(&t);
}

static void test_unknown_key_and_duplicates(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\n\nfoo: 1\n---\n");
    CHECK(t.rc == 0, "unknown key is not an error");
    CHECK(t_has(&t, DIAG_WARNING, 4, 1, "unknown front-matter key 'foo'"),
          "unknown key warning at 4:1");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\ntitle: U\n---\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 3, 1, "duplicate key 'title' (first at 2:1)"),
          "duplicate top-level key");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nreferences:\n  - id: a\n    text: A\n  - id: b\n    text: B\n"
                "  - id: a\n    text: C\n---\n");
    CHECK(t.rc == -1, "duplicate ref id fails");
    CHECK(t_has(&t, DIAG_ERROR, 8, 9, "duplicate reference id 'a' (first at 4:9)"),
          "duplicate ref id at the second one");
    t_show(&t);
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nreferences:\n  - Plain\n  - id: ref1\n    text: B\n---\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 5, 9, "duplicate reference id 'ref1'"),
          "explicit id clashing with a generated refN");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nreferences:\n  - id: x\n  - text: y\n---\n");
    CHECK(t_has(&t, DIAG_ERROR, 4, 5, "missing required key 'text' in reference 1")
              && t_has(&t, DIAG_ERROR, 5, 5, "missing required key 'id' in reference 2"),
          "reference without text / without id");
    t_fini(&t);
}

static void test_lang_and_doi(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\nlang: de\n---\n");
    CHECK(t.rc == 0 && t_has(&t, DIAG_WARNING, 3, 7, "unsupported language 'de': no hyphenation"),
          "unsupported language is a warning");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nlang: ZH-hans\n---\n");
    CHECK(t.rc == 0 && t.dl.warnings == 0, "zh-Hans accepted");
    CHECK_STR(t.doc.meta.lang, "zh-Hans", "tag case canonicalised");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nlang: en_US\n---\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 3, 7, "malformed language tag 'en_US'"),
          "malformed tag is an error");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nlang: english\n---\n");
    CHECK(t.rc == -1, "7-letter primary subtag refused");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\ndoi: \"DOI:10.1000/ABC\"\n---\n");
    CHECK_STR(t.doc.meta.doi, "10.1000/ABC", "doi: prefix stripped");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\ndoi: http://dx.doi.org/10.1/x\n---\n");
    CHECK_STR(t.doc.meta.doi, "10.1/x", "dx.doi.org prefix stripped");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\ndoi: 11.1234/x\n---\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 3, 6, "must be a DOI starting with '10.'"),
          "non-DOI refused");
    t_fini(&t);
}

static void test_structure_errors(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\nBody without end\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 1, 1,
                              "unterminated front matter: no closing '---' line"),
          "unterminated front matter");
    t_fini(&t);
    t_parse(&t, "title: T\n---\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 1, 1, "expected front matter: the file must "
                                                    "start with a '---' line"),
          "missing opening line");
    t_fini(&t);
    t_parse(&t, "--- \ntitle: T\n...  \nBody\n");
    CHECK(t.rc == 0 && t.doc.body_line == 4, "'---' with trailing spaces, '...' closes");
    t_fini(&t);
    t_parse(&t, "\xEF\xBB\xBF---\r\ntitle: T\r\n---\r\nBody *x*\r\n\r\nTwo\r\n");
    CHECK(t.rc == 0 && t.doc.body.n == 2, "BOM and CRLF accepted");
    CHECK(t.doc.body.n == 2 && t.doc.body.v[1].line == 6, "CRLF body positions");
    CHECK_STR(t.doc.meta.title, "T", "CRLF title has no CR");
    t_fini(&t);
}

static void test_yaml_errors(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\nkey: a: b\n---\n");
    CHECK(t.rc == -1, "YAML syntax error fails");
    CHECK(t_has(&t, DIAG_ERROR, 3, 7, "YAML: mapping values are not allowed in this context"),
          "YAML error at 3:7");
    t_show(&t);
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\nlist: [a, b\n---\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 0, 0, "YAML: ")
              && t_has(&t, DIAG_ERROR, 0, 0, "(while parsing a flow sequence)"),
          "unclosed flow sequence: problem (context)");
    t_fini(&t);
}

static void test_billion_laughs(void)
{
    char src[4096] = "---\ntitle: T\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\","
                     "\"lol\",\"lol\"]\n";
    for (char n = 'b'; n <= 'i'; n++) {
        char line[128];
        char p = (char)(n - 1);
        snprintf(line, sizeof line, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", n, n, p, p,
                 p, p, p, p, p, p, p);
        strcat(src, line);
    }
    strcat(src, "---\nBody\n");
    T t;
    t_parse(&t, src);
    CHECK(t.rc == -1, "alias bomb refused");
    CHECK(t_has(&t, DIAG_ERROR, 4, 8, "YAML aliases are not allowed in front matter"),
          "alias error at the first alias 4:8");
    CHECK(t.secs < 0.1, "alias bomb refused quickly (%.4f s)", t.secs);
    t_show(&t);
    t_fini(&t);
}

static void test_deep_yaml(void)
{
    size_t n = 10000;
    char *src = malloc(2 * n + 64);
    strcpy(src, "---\ntitle: T\nx: ");
    size_t k = strlen(src);
    memset(src + k, '[', n);
    memset(src + k + n, ']', n);
    strcpy(src + k + 2 * n, "\n---\n");
    T t;
    t_parse(&t, src);
    /* the top-level map is level 1, so the 64th '[' (column 4 + 63) is level 65 */
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 3, 4 + 63, "nesting deeper than 64 levels"),
          "10,000-deep flow sequence refused at level 65");
    CHECK(t.secs < 0.1, "deep YAML refused quickly (%.4f s)", t.secs);
    t_show(&t);
    t_fini(&t);
    /* exactly 64 levels are fine: the map and 63 sequences */
    k = strlen("---\ntitle: T\nx: ");
    memset(src + k, '[', 63);
    memset(src + k + 63, ']', 63);
    strcpy(src + k + 126, "\n---\n");
    t_parse(&t, src);
    CHECK(t.rc == 0, "64 levels accepted (rc %d)", t.rc);
    t_show(&t);
    t_fini(&t);
    free(src);
}

static void test_bytes(void)
{
    T t;
    t_parse_n(&t, "", 0);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 1, 1,
                              "empty file: expected front matter starting with '---'"),
          "empty buffer refused at 1:1");
    t_fini(&t);
    static const char nul[] = "---\ntitle: T\n---\nab\0cd\n";
    t_parse_n(&t, nul, sizeof nul - 1);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 4, 3, "binary file: NUL byte"), "NUL at 4:3");
    t_fini(&t);
    t_parse(&t, "---\ntitle: T\n---\n\xD0\x96x\xFF\n");
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 4, 3, "invalid UTF-8 byte 0xFF"),
          "invalid UTF-8 at 4:3 (columns count characters)");
    t_show(&t);
    t_fini(&t);
    size_t big = SRC_MAX_BYTES + 1;
    char *buf = malloc(big);
    memset(buf, 'a', big);
    t_parse_n(&t, buf, big);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 1, 1, "file too large: 16777217 bytes, limit"),
          "over-size buffer refused");
    t_fini(&t);
    free(buf);
    size_t fb = SRC_MAX_FRONT_BYTES + 100;
    buf = malloc(fb + 32);
    strcpy(buf, "---\ntitle: T\n");
    size_t i = strlen(buf);
    for (; i < fb; i += 2)
        memcpy(buf + i, "#\n", 2);     /* YAML comment lines */
    strcpy(buf + i, "---\n");
    t_parse(&t, buf);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 0, 0, "front matter too large"),
          "over-size front matter refused");
    t_fini(&t);
    free(buf);
    memset(&t, 0, sizeof t);
    arena_init(&t.a);
    diag_list_init(&t.dl);
    t.rc = source_read_file("/nonexistent/dir/x.md", &t.doc, &t.a, &t.dl);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 1, 1, "cannot read file: No such file"),
          "unreadable file");
    t_fini(&t);
}

static void test_read_file(void)
{
    char path[] = "/tmp/test_source_XXXXXX";
    int fd = mkstemp(path);
    static const char src[] = "---\r\ntitle: From file\r\n---\r\nHello [@x].\r\n";
    CHECK(fd >= 0 && write(fd, src, sizeof src - 1) == (ssize_t)(sizeof src - 1),
          "temp file written");
    close(fd);
    T t;
    memset(&t, 0, sizeof t);
    arena_init(&t.a);
    diag_list_init(&t.dl);
    t.rc = source_read_file(path, &t.doc, &t.a, &t.dl);
    unlink(path);
    CHECK(t.rc == 0, "file read (rc %d)", t.rc);
    CHECK_STR(t.doc.meta.title, "From file", "title from the file");
    CHECK_STR(t.doc.path, path, "doc->path is the file name");
    CHECK(t.doc.body.n == 1 && !strcmp(t_text(&t.doc.body.v[0].in), "Hello [?]."),
          "body from the file");
    CHECK(t_has(&t, DIAG_WARNING, 4, 8, "unknown reference 'x'") && t.dl.v[0].file
              && !strcmp(t.dl.v[0].file, path),
          "warning names the file, at 4:8");
    t_fini(&t);
    memset(&t, 0, sizeof t);
    arena_init(&t.a);
    diag_list_init(&t.dl);
    t.rc = source_read_file("/tmp", &t.doc, &t.a, &t.dl);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 1, 1, "cannot read file: Is a directory"),
          "a directory is unreadable");
    t_fini(&t);
}

/* ---- Markdown ------------------------------------------------------------*/

#define REFS3 "---\ntitle: T\nreferences:\n  - id: a\n    text: A\n  - id: b\n    text: B\n" \
              "  - id: c\n    text: C\n---\n"   /* body starts at line 11 */

static void test_citations(void)
{
    T t;
    t_parse(&t, REFS3 "See [@c; @a] and [@b; @a; @c; @a] and [@nope] end.\n");
    CHECK(t.rc == 0, "citations parse (rc %d)", t.rc);
    const DocInlines *in = t.doc.body.n ? &t.doc.body.v[0].in : NULL;
    CHECK_STR(t_text(in), "See [1, 3] and [1\xE2\x80\x93" "3] and [?] end.",
              "sorted, ranges compressed, unknown as ?");
    if (in) {
        int k = t_run(in, "3");
        CHECK(k > 0 && in->runs[k].link && !strcmp(in->runs[k].link, "#ref-3"),
              "number is its own run linked to #ref-3");
        CHECK(k > 0 && in->runs[k - 1].link == NULL, "separator unlinked");
        int q = t_run(in, "?");
        CHECK(q > 0 && in->runs[q].link == NULL, "unknown key not linked");
    }
    /* "See [@c; @a] and [@b; @a; @c; @a] and [@nope]": '@nope' is at column 40 */
    CHECK(t_has(&t, DIAG_WARNING, 11, 40, "unknown reference 'nope'"),
          "unknown key warning at 11:40");
    t_show(&t);
    t_fini(&t);
    /* cmark splits '[' and ']' into their own text nodes, and emphasis or an
     * escape before the citation makes more; consolidation must join them */
    t_parse(&t, REFS3 "*x*[@b] \\*y [@zz; @a] [@b](http://l.org)\n");
    in = t.doc.body.n ? &t.doc.body.v[0].in : NULL;
    CHECK_STR(t_text(in), "x[2] *y [1, ?] @b", "citations after emphasis and escapes; a "
                                               "real link stays a link");
    CHECK(t_has(&t, DIAG_WARNING, 11, 14, "unknown reference 'zz'"),
          "unknown key column found in the source despite the escape");
    t_show(&t);
    t_fini(&t);
    t_parse(&t, REFS3 "Code `[@a]` stays.\n");
    in = t.doc.body.n ? &t.doc.body.v[0].in : NULL;
    CHECK(in && t_run(in, "[@a]") >= 0 && (in->runs[t_run(in, "[@a]")].flags & DOC_CODE),
          "no citations inside code");
    t_fini(&t);
}

static void test_footnotes(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\n---\nOne[^x] two[^y] again[^x].\n\n[^y]: Why *so*.\n\n"
                "    More of y.\n\n[^x]: Ex.\n");
    CHECK(t.rc == 0, "footnotes parse");
    CHECK(t.doc.body.n == 1, "definitions are not body blocks (%d blocks)", t.doc.body.n);
    const DocInlines *in = t.doc.body.n ? &t.doc.body.v[0].in : NULL;
    int k = in ? t_run(in, "2") : -1;
    CHECK(k > 0 && in->runs[k].footnote == 2 && (in->runs[k].flags & DOC_SUPER),
          "second footnote marker: number 2, superscript");
    CHECK(t.doc.n_footnotes == 2, "two footnotes (%d)", t.doc.n_footnotes);
    if (t.doc.n_footnotes == 2) {
        const DocFootnote *f = t.doc.footnotes;
        CHECK(f[0].number == 1 && f[0].blocks.n == 1, "footnote 1: one block");
        CHECK_STR(f[0].blocks.n ? t_text(&f[0].blocks.v[0].in) : "", "Ex.", "footnote 1 is x");
        CHECK(f[1].number == 2 && f[1].blocks.n == 2, "footnote 2: two blocks");
        CHECK_STR(f[1].blocks.n ? t_text(&f[1].blocks.v[0].in) : "", "Why so.",
                  "footnote 2 is y");
    }
    t_fini(&t);
}

static void test_table(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\n---\n| A | *B* | C | D |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n"
                "| 5 |\n");
    const DocBlock *b = t.doc.body.n ? &t.doc.body.v[0] : NULL;
    CHECK(b && b->kind == DOC_TABLE, "table block");
    if (b && b->kind == DOC_TABLE) {
        CHECK(b->ncols == 4 && b->nrows == 3 && b->header_rows == 1, "4 cols, 3 rows, header");
        CHECK_STR(b->align, "lcrn", "alignments");
        CHECK_STR(t_text(&b->cells[1]), "B", "header cell B");
        CHECK(b->cells[1].n == 1 && b->cells[1].runs[0].flags == DOC_ITALIC, "cell emphasis");
        CHECK_STR(t_text(&b->cells[6]), "3", "row 1 col 3");
        CHECK_STR(t_text(&b->cells[8]), "5", "row 2 col 1");
        CHECK(b->cells[9].n == 0, "missing cell is empty");
        CHECK(b->line == 4 && b->col == 1, "table at 4:1");
        CHECK(b->cells[6].runs[0].line == 6 && b->cells[6].runs[0].col == 11,
              "cell run at 6:11 (%d:%d)", b->cells[6].runs[0].line, b->cells[6].runs[0].col);
    }
    t_fini(&t);
}

static void test_lists_and_quotes(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\n---\n- a\n  - b\n\n  a2\n- c\n\n3) x\n4) y\n\n> q\n> > qq\n>\n"
                "> - in quote\n");
    const DocBlocks *bl = &t.doc.body;
    CHECK(bl->n == 9, "nine blocks (%d)", bl->n);
    if (bl->n == 9) {
        const DocBlock *v = bl->v;
        CHECK(v[0].list_depth == 1 && v[0].marker && !strcmp(v[0].marker, "\xE2\x80\xA2"),
              "bullet item depth 1 marker •");
        CHECK(v[1].list_depth == 2 && v[1].marker != NULL, "nested item depth 2");
        CHECK(v[2].list_depth == 1 && v[2].marker == NULL && v[2].item_continues == 1,
              "second paragraph of item continues");
        CHECK(v[3].marker && !strcmp(v[3].marker, "\xE2\x80\xA2") && !v[3].item_continues,
              "next item gets a marker");
        CHECK_STR(v[4].marker, "3)", "ordered list counts from its start");
        CHECK_STR(v[5].marker, "4)", "second ordered item");
        CHECK(v[6].quote_depth == 1 && v[6].list_depth == 0, "quote depth 1");
        CHECK(v[7].quote_depth == 2, "nested quote depth 2");
        CHECK(v[8].quote_depth == 1 && v[8].list_depth == 1, "list inside quote");
        CHECK(v[4].line == 10 && v[4].col == 4, "item paragraph at 10:4");
    }
    t_fini(&t);
    /* depth is capped at DOC_MAX_DEPTH */
    char src[512] = "---\ntitle: T\n---\n";
    for (int i = 0; i < 20; i++)
        strcat(src, "> ");
    strcat(src, "deep\n");
    t_parse(&t, src);
    CHECK(t.doc.body.n == 1 && t.doc.body.v[0].quote_depth == DOC_MAX_DEPTH,
          "quote depth capped at %d", DOC_MAX_DEPTH);
    t_fini(&t);
}

static void test_blocks_and_runs(void)
{
    T t;
    t_parse(&t, "---\ntitle: T\n---\n## Head\n\n```c\nint x;\n```\n\n---\n\n![Cap *x*](f.png)\n\n"
                "A **b** ~~s~~ `c` [l](http://l.org) <https://a.org/p> see https://u.org/x, "
                "10.1234/abc. and me@x.org.  \nnext <br>\n");
    const DocBlocks *bl = &t.doc.body;
    CHECK(bl->n == 5, "five blocks (%d)", bl->n);
    if (bl->n == 5) {
        CHECK(bl->v[0].kind == DOC_HEADING && bl->v[0].level == 2, "heading level 2");
        CHECK(bl->v[1].kind == DOC_CODEBLOCK && bl->v[1].in.n == 1
                  && bl->v[1].in.runs[0].flags == DOC_CODE
                  && !strcmp(bl->v[1].in.runs[0].text, "int x;"),
              "code block: one DOC_CODE run");
        CHECK(bl->v[2].kind == DOC_RULE, "thematic break");
        CHECK(bl->v[3].kind == DOC_IMAGE && !strcmp(bl->v[3].src, "f.png"), "image block");
        CHECK_STR(t_text(&bl->v[3].in), "Cap x", "image caption");
        const DocInlines *in = &bl->v[4].in;
        int k;
        k = t_run(in, "b");
        CHECK(k >= 0 && in->runs[k].flags == DOC_BOLD, "strong → bold");
        k = t_run(in, "s");
        CHECK(k >= 0 && in->runs[k].flags == DOC_STRIKE, "strikethrough");
        k = t_run(in, "c");
        CHECK(k >= 0 && in->runs[k].flags == (DOC_CODE | DOC_NOHYPH), "inline code");
        k = t_run(in, "l");
        CHECK(k >= 0 && !strcmp(in->runs[k].link, "http://l.org")
                  && !(in->runs[k].flags & DOC_NOHYPH),
              "link with its own text: no NOHYPH");
        k = t_run(in, "https://a.org/p");
        CHECK(k >= 0 && in->runs[k].link && (in->runs[k].flags & DOC_NOHYPH), "autolink");
        k = t_run(in, "https://u.org/x");
        CHECK(k >= 0 && (in->runs[k].flags & DOC_NOHYPH), "bare URL word NOHYPH (comma split off)");
        k = t_run(in, "10.1234/abc");
        CHECK(k >= 0 && in->runs[k].flags == DOC_NOHYPH, "DOI word NOHYPH");
        CHECK(k > 0 && !(in->runs[k - 1].flags & DOC_NOHYPH), "text before the DOI not flagged");
        k = t_run(in, "me@x.org");
        CHECK(k >= 0 && (in->runs[k].flags & DOC_NOHYPH), "e-mail NOHYPH");
        CHECK(t_run(in, "\n") >= 0, "hard line break run");
        CHECK(t_run(in, "<br>") >= 0, "inline HTML as its literal");
        CHECK(t_run(in, " ") >= 0, "soft break as a space");
    }
    t_fini(&t);
}

static void test_inline_parse(void)
{
    Arena a;
    DiagList dl;
    Doc doc = {0};
    DocInlines in;
    arena_init(&a);
    diag_list_init(&dl);
    int rc = markdown_parse_inline("r.md", "- *Title*, 2nd ed.", 5, 9, &doc, &in, &a, &dl);
    CHECK(rc == 0 && !strcmp(t_text(&in), "- Title, 2nd ed."), "leading '-' kept as text");
    CHECK(in.n > 0 && in.runs[0].line == 5 && in.runs[0].col >= 9, "positions from line/col");
    rc = markdown_parse_inline("r.md", "# Not a heading", 5, 9, &doc, &in, &a, &dl);
    CHECK_STR(t_text(&in), "# Not a heading", "leading '#' kept as text");
    arena_fini(&a);
    diag_list_fini(&dl);
}

static void test_footnotes_off(void)
{
    Arena a;
    DiagList dl;
    Doc doc = {0};
    DocBlocks out;
    arena_init(&a);
    diag_list_init(&dl);
    const char *md = "Text[^1].\n\n[^1]: Note.\n";
    int rc = markdown_parse("x.md", md, strlen(md), 20, &doc, &out, 0, &a, &dl);
    CHECK(rc == 0 && out.n == 1 && doc.n_footnotes == 0, "footnotes=0: no definitions kept");
    CHECK(out.n == 1 && out.v[0].line == 20, "first_line shifts positions");
    arena_fini(&a);
    diag_list_fini(&dl);
}

/* ---- hostile Markdown -------------------------------------------------------*/

static char *t_body(const char *unit, size_t reps, const char *tail)
{
    size_t ul = strlen(unit), n = 16 + ul * reps + strlen(tail) + 32;
    char *s = malloc(n), *p = s;
    p += sprintf(p, "---\ntitle: T\n---\n");
    for (size_t i = 0; i < reps; i++, p += ul)
        memcpy(p, unit, ul);
    strcpy(p, tail);
    return s;
}

static void test_deep_markdown(void)
{
    T t;
    char *s = t_body("> ", 10000, "x\n");
    t_parse(&t, s);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 4, 1, "nesting deeper than 1000 levels"),
          "10,000-deep quotes refused at 4:1");
    CHECK(t.secs < 0.5, "deep quotes handled in %.3f s", t.secs);
    t_fini(&t);
    free(s);
    s = t_body("- ", 10000, "x\n");
    t_parse(&t, s);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 4, 1, "nesting deeper than 1000 levels"),
          "10,000-deep '- - -' refused");
    CHECK(t.secs < 0.5, "deep list line handled in %.3f s", t.secs);
    t_fini(&t);
    free(s);
    /* 10,000 lines "- x", each indented one column more than the last (50 MB,
     * past SRC_MAX_BYTES, so straight to markdown_parse) */
    size_t n = 10000, cap = 64 + n * (n + 5) / 2 + 5 * n;
    s = malloc(cap);
    char *p = s;
    for (size_t i = 0; i < n; i++) {
        memset(p, ' ', i);
        p += i;
        memcpy(p, "- x\n", 4);
        p += 4;
    }
    memset(&t, 0, sizeof t);
    arena_init(&t.a);
    diag_list_init(&t.dl);
    double t0 = t_now();
    DocBlocks out;
    t.rc = markdown_parse("a.md", s, (size_t)(p - s), 4, &t.doc, &out, 1, &t.a, &t.dl);
    t.secs = t_now() - t0;
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 2004, 1, "nesting deeper than 1000 levels"),
          "staircase list refused at its line 2001 (file line 2004)");
    CHECK(t.secs < 0.5, "staircase handled in %.3f s", t.secs);
    t_show(&t);
    t_fini(&t);
    /* the first 2,000 lines of it nest about 1,000 deep and are parsed */
    memset(&t, 0, sizeof t);
    arena_init(&t.a);
    diag_list_init(&t.dl);
    size_t part = 0;
    for (size_t i = 0; i < 2000; i++)
        part += i + 4;
    t0 = t_now();
    t.rc = markdown_parse("a.md", s, part, 4, &t.doc, &out, 1, &t.a, &t.dl);
    t.secs = t_now() - t0;
    /* (some lines are lazy continuations of the item above, not items) */
    CHECK(t.rc == 0 && out.n > 1000 && out.v[out.n - 1].list_depth == DOC_MAX_DEPTH,
          "2,000-line staircase parsed, depth capped (%d blocks)", out.n);
    CHECK(t.secs < 0.5, "2,000-line staircase in %.3f s", t.secs);
    t_fini(&t);
    free(s);
    /* 999 levels are still parsed */
    s = t_body("> ", 999, "x\n");
    t_parse(&t, s);
    CHECK(t.rc == 0 && t.doc.body.n == 1 && t.doc.body.v[0].quote_depth == DOC_MAX_DEPTH,
          "999-deep quote parsed and capped");
    CHECK(t.secs < 0.5, "999 levels in %.3f s", t.secs);
    t_fini(&t);
    free(s);
    /* a wide table over many short rows: cmark pads each row to full width */
    s = t_body("|a", 3000, "|\n");
    size_t l = strlen(s);
    s = realloc(s, l + 3000 * 3 + 3000 * 4 + 8);
    strcpy(s + l, "|");
    for (int i = 0; i < 3000; i++)
        strcat(s + l, "-|");
    strcat(s + l, "\n");
    for (int i = 0; i < 3000; i++)
        strcat(s + l, "|x\n");
    t_parse(&t, s);
    CHECK(t.rc == -1 && t_has(&t, DIAG_ERROR, 0, 0, "table too large"),
          "wide padded table refused");
    CHECK(t.secs < 0.5, "wide table handled in %.3f s", t.secs);
    t_fini(&t);
    free(s);
}

/* Names as the citation block and the contents print them. */
static void test_names(void)
{
    Arena a;
    arena_init(&a);
    static const char *cases[][3] = {
        /* name, cite form, initials form */
        {"Anastasia A. Kireeva", "Kireeva A.A.", "A. A. Kireeva"},
        {"Jean-Paul Sartre", "Sartre J.-P.", "J.-P. Sartre"},
        {"Ludwig van Beethoven", "van Beethoven L.", "L. van Beethoven"},
        {"van der Berg, Jan", "van der Berg J.", "J. van der Berg"},
        {"Smith, John Adam", "Smith J.A.", "J. A. Smith"},
        {"A.B. Smith", "Smith A.B.", "A.B. Smith"},
        {"Madonna", "Madonna", "Madonna"},
        {"张伟", "张伟", "张伟"},
        {"Martin Luther King, Jr.", "King M.L. Jr.", "M. L. King Jr."},
        {", Anna", ", Anna", ", Anna"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_STR(compose_name_cite(cases[i][0], &a), cases[i][1], "cite form of '%s'", cases[i][0]);
        CHECK_STR(compose_name_initials(cases[i][0], &a), cases[i][2], "initials form of '%s'",
                  cases[i][0]);
    }
    arena_fini(&a);
}

int main(void)
{
    test_names();
    test_full_front_matter();
    test_missing_title();
    test_wrong_types();
    test_single_author_and_keyword_string();
    test_unknown_key_and_duplicates();
    test_lang_and_doi();
    test_structure_errors();
    test_yaml_errors();
    test_billion_laughs();
    test_deep_yaml();
    test_bytes();
    test_read_file();
    test_citations();
    test_footnotes();
    test_table();
    test_lists_and_quotes();
    test_blocks_and_runs();
    test_inline_parse();
    test_footnotes_off();
    test_deep_markdown();
    return check_finish();
}
