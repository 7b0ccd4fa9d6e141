/* digest.c — see digest.h. */
#include "digest.h"

#include <glib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "../layout/base.h"

struct Digest {
    EVP_MD_CTX *ctx;
};

/* The SHA-256 implementation, fetched from libcrypto's default provider once
 * (a fetch per digest would take the provider's locks every time).  The
 * system's openssl.cnf is not read: nothing here depends on it. */
static const EVP_MD *sha256(void)
{
    static gsize done;
    static const EVP_MD *md;
    if (g_once_init_enter(&done)) {
        OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
        md = EVP_MD_fetch(NULL, "SHA256", NULL);
        if (!md)
            md = EVP_sha256();
        g_once_init_leave(&done, 1);
    }
    return md;
}

Digest *digest_new(void)
{
    Digest *d = xmalloc(sizeof *d);
    d->ctx = EVP_MD_CTX_new();
    if (!d->ctx || EVP_DigestInit_ex(d->ctx, sha256(), NULL) != 1) {
        fputs("typeset: error: libcrypto cannot compute SHA-256\n", stderr);
        abort();
    }
    return d;
}

void digest_update(Digest *d, const void *data, size_t len)
{
    if (len)
        EVP_DigestUpdate(d->ctx, data, len);
}

void digest_finish(Digest *d, char *hex, size_t bytes)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(d->ctx, md, &n);
    if (bytes > n)
        bytes = n;
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
    if (!d)
        return;
    EVP_MD_CTX_free(d->ctx);
    free(d);
}

void digest_hex(const void *data, size_t len, char hex[DIGEST_HEX])
{
    Digest *d = digest_new();
    digest_update(d, data, len);
    digest_finish(d, hex, 32);
}
