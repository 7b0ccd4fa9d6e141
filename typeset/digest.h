/* digest.h — SHA-256 for the issue cache's keys, through OpenSSL's
 * libcrypto, and XXH3's 128 bits (libxxhash) for the PDFs' /ID (and the
 * names and identities the issue cache needs no seal for).  GLib's
 * GChecksum has only portable C loops: its SHA-256 ran at 3–5 ms a megabyte,
 * and hashing the sources, the article PDFs and issue.pdf was 3 % of an
 * issue build; libcrypto uses the CPU's SHA instructions where there are any
 * (0.6 ms a megabyte here).  An /ID needs no resistance to collisions made on
 * purpose, only to tell files apart (PDF 2.0, 14.4: an MD5 of anything that
 * tells them apart), and XXH3 takes a sixth to a tenth of that time (0.06 to
 * 0.11 ms a megabyte): the digest of issue.pdf had been 3 ms of the merge's
 * one-thread chain.  A Digest is one caller's. */
#ifndef TS_DIGEST_H
#define TS_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX 65                   /* SHA-256: 64 hex digits + NUL */

typedef struct Digest Digest;

/* A SHA-256 digest; digest_new_id: an XXH3 128-bit one (at most 16 bytes
 * from digest_finish). */
Digest *digest_new(void);
Digest *digest_new_id(void);
void digest_update(Digest *d, const void *data, size_t len);
/* The first `bytes` bytes of the digest (at most 32, or 16) as 2 * bytes lowercase
 * hex digits and a NUL, into hex; frees d. */
void digest_finish(Digest *d, char *hex, size_t bytes);

/* Frees d unfinished (NULL: nothing). */
void digest_free(Digest *d);

/* The whole SHA-256 of data as 64 hex digits. */
void digest_hex(const void *data, size_t len, char hex[DIGEST_HEX]);
/* The whole XXH3-128 of data as 32 hex digits (a name or an identity, not a
 * seal: the issue cache's packs and article PDFs). */
#define DIGEST_ID_HEX 33
void digest_id_hex(const void *data, size_t len, char hex[DIGEST_ID_HEX]);

#endif
