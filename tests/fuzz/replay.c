/* replay.c — runs a fuzz harness on files without libFuzzer: for machines
 * without clang (build with any C compiler, ideally with -fsanitize=address,
 * undefined).  Usage: replay-HARNESS FILE|DIR...; each file is one input.
 * Exits 0 when every input ran (a crash or sanitizer report ends it first). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        return -1;
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    return 0;
}

static int run_path(const char *path, int *n)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*n)++;
        return run_file(path);
    }
    struct dirent **names;
    int k = scandir(path, &names, NULL, alphasort);
    int rc = k < 0 ? -1 : 0;
    for (int i = 0; i < k; i++) {
        if (names[i]->d_name[0] != '.') {
            char *p;
            if (asprintf(&p, "%s/%s", path, names[i]->d_name) < 0)
                abort();
            if (run_path(p, n) != 0)
                rc = -1;
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    int rc = 0, n = 0;
    for (int i = 1; i < argc; i++)
        if (argv[i][0] != '-' && run_path(argv[i], &n) != 0)
            rc = 1;
    fprintf(stderr, "replayed %d inputs\n", n);
    return rc;
}
