/* fuzz_pack.c — libFuzzer harness for the reader of the issue cache's packs
 * (typeset/issuecache.c, issuecache_pack_read): an input is a pack as a
 * build finds it in OUTDIR/.cache, damaged or hostile.  What it takes must
 * survive a round trip: the texts read, written out as a pack again
 * (issuecache_pack_text) and read into a fresh cache, come back the same,
 * byte for byte, and the records among them parse as they did (a mismatch
 * aborts).  Seeds: corpus/pack/, the pack of a build of samples/issue.yaml
 * cut down, and hand-made ones (escapes, stamps, a count that is wrong). */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../typeset/issuecache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The names of a pack's lines (the text up to the first space of each). */
static GPtrArray *names_of(const char *text, size_t len)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *sp = memchr(p, ' ', (size_t)(e - p));
        if (sp)
            g_ptr_array_add(names, g_strndup(p, (size_t)(sp - p)));
        p = e + 1;
    }
    return names;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the pack's own time: late enough for most stamps, not for all */
    struct timespec mtime = {1800000000, 500000000};
    IssueCache *a = issuecache_open(NULL);
    if (issuecache_pack_read(a, (const char *)data, size, &mtime) != 0) {
        issuecache_free(a);
        return 0;
    }
    size_t len = 0;
    char *again = issuecache_pack_text(a, 0, &len);    /* (0: nothing is too old) */
    IssueCache *b = issuecache_open(NULL);
    if (issuecache_pack_read(b, again, len, &mtime) != 0)
        abort();                /* what was written cannot be read */
    GPtrArray *names = names_of((const char *)data, size);
    for (guint i = 0; i < names->len; i++) {
        size_t la = 0, lb = 0;
        char *ta = issuecache_text_get(a, names->pdata[i], &la);
        char *tb = issuecache_text_get(b, names->pdata[i], &lb);
        if (!ta != !tb || (ta && (la != lb || memcmp(ta, tb, la) != 0)))
            abort();            /* a text changed on its way round */
        IssueCacheRecord ra, rb;
        int ga = issuecache_get(a, names->pdata[i], &ra), gb = issuecache_get(b, names->pdata[i], &rb);
        if (ga != gb || (ga == 0 && (ra.pages != rb.pages || ra.warnings != rb.warnings ||
                                     strcmp(ra.pdf_sha, rb.pdf_sha) != 0)))
            abort();
        g_free(ta);
        g_free(tb);
    }
    g_ptr_array_free(names, TRUE);
    g_free(again);
    issuecache_free(b);
    issuecache_free(a);
    return 0;
}
