/* herder/request_signing.c: session keys and HMAC-SHA256 signatures of internal requests
 * (KIP-507) with OpenSSL. */
#include "herder/request_signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

/* Java's KeyGenerator for HmacSHA256 makes 256-bit keys. */
#define KEY_BYTES 32

static int b64_encode(const unsigned char *in, size_t len, char *out, size_t out_size)
{
    if (out_size < 4 * ((len + 2) / 3) + 1)
        return -1;
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    return 0;
}

/* Decode standard base64 (with padding) into `out`; returns the byte count or -1. */
static int b64_decode(const char *in, unsigned char *out, size_t out_size)
{
    size_t len = strlen(in);
    if (len == 0 || len % 4 != 0 || len / 4 * 3 > out_size)
        return -1;
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts padding as zero bytes. */
    if (in[len - 1] == '=')
        n--;
    if (in[len - 2] == '=')
        n--;
    return n;
}

int signing_new_key(char *out, size_t out_size)
{
    unsigned char key[KEY_BYTES];
    if (RAND_bytes(key, sizeof(key)) != 1)
        return -1;
    int rc = b64_encode(key, sizeof(key), out, out_size);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

int signing_sign(const char *key_b64, const char *body, size_t body_len, char *out,
                 size_t out_size)
{
    unsigned char key[256];
    int klen = b64_decode(key_b64, key, sizeof(key));
    if (klen <= 0)
        return -1;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mlen = 0;
    static const unsigned char empty[1] = {0};
    const unsigned char *data = body_len > 0 ? (const unsigned char *)body : empty;
    unsigned char *ok = HMAC(EVP_sha256(), key, klen, data, body_len, mac, &mlen);
    OPENSSL_cleanse(key, sizeof(key));
    if (ok == NULL)
        return -1;
    return b64_encode(mac, mlen, out, out_size);
}

bool signing_verify(const char *key_b64, const char *signature, const char *algorithm,
                    const char *body, size_t body_len, herder_reply *r)
{
    if (signature == NULL || algorithm == NULL) {
        herder_reply_error(r, 400, "Internal request missing required signature");
        return false;
    }
    if (strcmp(algorithm, SIGNING_ALGORITHM) != 0) {
        herder_reply_error(r, 400,
                           "This worker does not support the '%s' key signing algorithm used by "
                           "other workers. This worker is currently configured to use: [%s]. "
                           "Check that all workers' configuration files permit the same set of "
                           "signature algorithms, and correct any misconfigured worker and "
                           "restart it.",
                           algorithm, SIGNING_ALGORITHM);
        return false;
    }
    if (key_b64 == NULL) {
        herder_reply_error(r, 503,
                           "This worker is still starting up and has not been able to read a "
                           "session key from the config topic yet");
        return false;
    }
    char expected[SIGNING_B64_MAX];
    size_t slen = strlen(signature);
    if (signing_sign(key_b64, body, body_len, expected, sizeof(expected)) != 0 ||
        slen != strlen(expected) || CRYPTO_memcmp(expected, signature, slen) != 0) {
        herder_reply_error(r, 403, "Internal request contained invalid signature.");
        return false;
    }
    return true;
}
