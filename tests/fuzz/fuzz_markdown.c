/* fuzz_markdown.c — libFuzzer harness for Markdown -> document model: the
 * input is the body of an article whose front matter is fixed and valid (a
 * title, an abstract and three references, so citations [@a; @b] resolve).
 * It goes through source_read_buffer, i.e. the same byte checks as a real file
 * and then markdown_parse (cmark-gfm with tables and footnotes, the nesting and
 * table-size pre-scan, citations, footnotes).  Seeds: corpus/markdown/. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../typeset/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char front[] =
    "---\n"
    "title: Fuzz\n"
    "abstract: An *abstract* with a citation [@a].\n"
    "references:\n"
    "  - {id: a, text: \"Author A. 2020. A title. Journal. 1(2). P. 3-4.\", doi: 10.1000/a}\n"
    "  - {id: b, text: \"Author B. 2021. *Another*.\"}\n"
    "  - Plain reference c.\n"
    "---\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t flen = sizeof front - 1;
    char *buf = malloc(flen + size + 1);
    if (!buf)
        return 0;
    memcpy(buf, front, flen);
    if (size)
        memcpy(buf + flen, data, size);
    Arena a;
    arena_init(&a);
    DiagList dl;
    diag_list_init(&dl);
    Doc doc;
    memset(&doc, 0, sizeof doc);
    source_read_buffer("fuzz.md", buf, flen + size, &doc, &a, &dl);
    diag_list_fini(&dl);
    arena_fini(&a);
    free(buf);
    return 0;
}
