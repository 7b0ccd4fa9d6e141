/* digest.c — see digest.h.  OpenSSL's low-level SHA-256 functions, not the
 * EVP interface: EVP finds its implementation through the provider machinery
 * (0.7 ms on first use, in a build of one article that takes 50), and these
 * run the same SHA-NI code.  OpenSSL 3.0 marks them deprecated but ships
 * them in every 3.x release; OPENSSL_API_COMPAT keeps the headers quiet. */
#define OPENSSL_API_COMPAT 10101
#include "digest.h"

#include <glib.h>
#include <openssl/sha.h>

#include "../layout/base.h"

struct Digest {
    SHA256_CTX ctx;
};

Digest *digest_new(void)
{
    Digest *d = xmalloc(sizeof *d);
    SHA256_Init(&d->ctx);
    return d;
}

void digest_update(Digest *d, const void *data, size_t len)
{
    if (len)
        SHA256_Update(&d->ctx, data, len);
}

void digest_finish(Digest *d, char *hex, size_t bytes)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_Final(md, &d->ctx);
    if (bytes > sizeof md)
        bytes = sizeof md;
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
    free(d);
}

void digest_hex(const void *data, size_t len, char hex[DIGEST_HEX])
{
    Digest *d = digest_new();
    digest_update(d, data, len);
    digest_finish(d, hex, 32);
}
