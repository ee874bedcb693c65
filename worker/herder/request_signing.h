/* herder/request_signing.h: Connect's inter-worker request signing (KIP-507, reference §1.7):
 * session keys and the HMAC-SHA256 signature of an internal request's body. */
#ifndef SLUICE_HERDER_REQUEST_SIGNING_H
#define SLUICE_HERDER_REQUEST_SIGNING_H

#include <stdbool.h>
#include <stddef.h>

#include "herder/herder.h"

/* The only algorithm Sluice generates, signs and verifies with (Connect's default). */
#define SIGNING_ALGORITHM "HmacSHA256"
/* Base64 of a 32-byte key (and of a 32-byte signature) fits in this many chars with the NUL. */
#define SIGNING_B64_MAX 64

/* Fill `out` (at least SIGNING_B64_MAX chars) with a fresh random key, base64-encoded as it is
 * written to the config topic's session-key record. Returns 0, or -1 when the system's random
 * source fails. Any thread. */
int signing_new_key(char *out, size_t out_size);

/* base64(HMAC-SHA256(base64-decoded `key_b64`, body)) into `out` (at least SIGNING_B64_MAX
 * chars). `body` may be NULL when body_len is 0 (an empty body is signed as empty input).
 * Returns 0, or -1 when the key is not valid base64. Arguments borrowed. Any thread. */
int signing_sign(const char *key_b64, const char *body, size_t body_len, char *out,
                 size_t out_size);

/* Connect's checks of a signed internal request against the current session key
 * (`key_b64` NULL when none was read yet). Returns true when the request may proceed; else
 * fills `r` with 400 (headers missing, unsupported algorithm), 503 (no key yet) or 403 (bad
 * signature) and Connect's messages. The signature comparison takes constant time. */
bool signing_verify(const char *key_b64, const char *signature, const char *algorithm,
                    const char *body, size_t body_len, herder_reply *r);

#endif
