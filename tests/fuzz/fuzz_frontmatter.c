/* fuzz_frontmatter.c — libFuzzer harness for the source reader's front half:
 * the input is a whole article file, read by source_read_buffer under a fixed
 * name, so the byte checks (UTF-8, NUL, BOM, CR), the front-matter split, the
 * libyaml event pass (aliases, depth, size) and the metadata validation all
 * see arbitrary bytes.  Seeds: tests/fuzz/corpus/frontmatter/.  Nothing is
 * printed; a crash, sanitizer report, leak or timeout is the finding. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../typeset/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Arena a;
    arena_init(&a);
    DiagList dl;
    diag_list_init(&dl);
    Doc doc;
    memset(&doc, 0, sizeof doc);
    source_read_buffer("fuzz.md", (const char *)data, size, &doc, &a, &dl);
    diag_list_fini(&dl);
    arena_fini(&a);
    return 0;
}
