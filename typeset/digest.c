/* digest.c — see digest.h.  OpenSSL's low-level SHA-256 functions, not the
 * EVP interface: EVP finds its implementation through the provider machinery
 * (0.7 ms on first use, in a build of one article that takes 50), and these
 * run the same SHA-NI code.  OpenSSL 3.0 marks them deprecated but ships
 * them in every 3.x release; OPENSSL_API_COMPAT keeps the headers quiet.
 *
 * libcrypto is opened on the first digest (dynload.h), not linked: mapped and
 * relocated before main it was 1 ms of every start (4.8 -> 3.8 ms for
 * `typeset --version`), and a rebuild of an issue takes 30.  Its first use
 * in an issue build is in the thread that digests the dictionaries
 * (issuebuild.c, overrides_text), beside the first font context's opening;
 * a `typeset build` never uses it. */
#define OPENSSL_API_COMPAT 10101
#include "digest.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/sha.h>
#include <string.h>
#include <xxhash.h>

#include "dynload.h"

#ifndef TS_CRYPTO_SONAME
#define TS_CRYPTO_SONAME "libcrypto.so.3"
#endif

/* The three functions used, from libcrypto once opened. */
typedef struct Sha256 {
    int (*init)(SHA256_CTX *c);
    int (*update)(SHA256_CTX *c, const void *data, size_t len);
    int (*final)(unsigned char *md, SHA256_CTX *c);
} Sha256;

static gpointer sha256_load(gpointer out)
{
    Sha256 *f = out;
    void *h = dynload_open(TS_CRYPTO_SONAME, "libssl3");
    /* (void **)&: the POSIX way to store a dlsym result in a function pointer */
    dynload_sym(h, TS_CRYPTO_SONAME, "SHA256_Init", (void **)&f->init);
    dynload_sym(h, TS_CRYPTO_SONAME, "SHA256_Update", (void **)&f->update);
    dynload_sym(h, TS_CRYPTO_SONAME, "SHA256_Final", (void **)&f->final);
    return f;
}

static const Sha256 *sha256(void)
{
    static Sha256 table;
    static GOnce once = G_ONCE_INIT;
    return g_once(&once, sha256_load, &table);
}

/* XXH3's output is fixed from 0.8.0 on (0.7.x's changed, and its streaming
 * had bugs): the /IDs must not change with the library. */
#if XXH_VERSION_NUMBER < 800
#error "libxxhash 0.8.0 or later is needed"
#endif

#include "../layout/base.h"

struct Digest {
    SHA256_CTX ctx;
    XXH3_state_t *id;           /* an /ID's digest (digest_new_id), or NULL */
};

Digest *digest_new(void)
{
    Digest *d = xmalloc(sizeof *d);
    sha256()->init(&d->ctx);
    d->id = NULL;
    return d;
}

Digest *digest_new_id(void)
{
    Digest *d = xmalloc(sizeof *d);
    d->id = XXH3_createState();
    if (!d->id) {
        fprintf(stderr, "typeset: out of memory\n");
        abort();
    }
    XXH3_128bits_reset(d->id);
    return d;
}

void digest_update(Digest *d, const void *data, size_t len)
{
    if (!len)
        return;
    if (d->id)
        XXH3_128bits_update(d->id, data, len);
    else
        sha256()->update(&d->ctx, data, len);
}

void digest_finish(Digest *d, char *hex, size_t bytes)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    size_t have = sizeof md;
    if (d->id) {
        XXH128_canonical_t c;     /* (big-endian: the same digits on any machine) */
        XXH128_canonicalFromHash(&c, XXH3_128bits_digest(d->id));
        memcpy(md, c.digest, sizeof c.digest);
        have = sizeof c.digest;
    } else {
        sha256()->final(md, &d->ctx);
    }
    if (bytes > have)
        bytes = have;
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < bytes; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * bytes] = '\0';
    digest_free(d);
}

void digest_free(Digest *d)
{
    if (d && d->id)
        XXH3_freeState(d->id);
    free(d);
}

void digest_hex(const void *data, size_t len, char hex[DIGEST_HEX])
{
    Digest *d = digest_new();
    digest_update(d, data, len);
    digest_finish(d, hex, 32);
}

void digest_id_hex(const void *data, size_t len, char hex[DIGEST_ID_HEX])
{
    Digest *d = digest_new_id();
    digest_update(d, data, len);
    digest_finish(d, hex, 16);
}
