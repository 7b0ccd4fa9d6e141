/* fuzz_manifest.c — libFuzzer harness for the issue manifest loader.
 * manifest_load takes a path and checks that every article it names exists
 * beside it, so the harness makes one private directory (in LLVMFuzzerInitialize)
 * holding the four sample article names as empty files, writes each input to
 * DIR/issue.yaml and loads it: the event pass (syntax, aliases, depth, size),
 * the key table, sections and the file checks all see the bytes.  Seeds:
 * corpus/manifest/ (samples/issue.yaml and hand-written broken ones). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../typeset/manifest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/fuzz-manifest-XXXXXX";
static char path[sizeof dir + 16];

static void cleanup(void)
{
    static const char *const names[] = {"issue.yaml", "en-article.md", "ru-article.md",
                                        "zh-article.md", "kireeva-2022.md"};
    char p[sizeof dir + 32];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) {
        perror("fuzz_manifest: mkdtemp");
        abort();
    }
    atexit(cleanup);
    static const char *const names[] = {"en-article.md", "ru-article.md", "zh-article.md",
                                        "kireeva-2022.md"};
    char p[sizeof dir + 32];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        FILE *f = fopen(p, "w");
        if (!f)
            abort();
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/issue.yaml", dir);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    DiagList dl;
    diag_list_init(&dl);
    Manifest *m = manifest_load(path, &dl);
    if (m)
        manifest_free(m);
    diag_list_fini(&dl);
    return 0;
}
