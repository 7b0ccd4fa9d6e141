/* fuzz_style.c — libFuzzer harness for the style loader.  style_load takes a
 * path, so each input is written to one memfd (created once, truncated per
 * run) and loaded through /proc/self/fd/N: no temporary files, no change to
 * style.c.  The event pass (syntax, aliases, depth), the key table walk, unit
 * parsing and the geometry cross-checks all see the bytes.  Seeds:
 * corpus/style/ (the shipped styles and tests/bad/styles). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../typeset/style.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fd = memfd_create("fuzz-style.yaml", MFD_CLOEXEC);
    if (fd < 0) {
        perror("fuzz_style: memfd_create");
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
        abort();
    DiagList dl;
    diag_list_init(&dl);
    Style *s = style_load(path, ".", &dl);
    style_free(s);
    diag_list_fini(&dl);
    return 0;
}
