/* rest/tls.c: the SSL settings of https listeners (Connect's SSLUtils over the listeners.https.
 * prefix) turned into PEM key material in memory, from PEM or PKCS12 stores, with OpenSSL. */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "rest/rest_security.h"

/* Key stores are small; anything larger is a mistake (or not a key store). */
#define TLS_MAX_FILE (4u * 1024u * 1024u)

typedef struct tls_settings {
    const sl_props *cfg;
    const char *prefix;
    bool prefixed; /* some key carries the prefix: read only prefixed keys */
} tls_settings;

/* The value of `key` ("ssl.keystore.location") under the prefix or not, NULL when unset. The
 * name actually read is written to `name` for messages. */
static const char *setting(const tls_settings *s, const char *key, char *name, size_t size)
{
    snprintf(name, size, "%s%s", s->prefixed ? s->prefix : "", key);
    const char *v = s->cfg ? sl_props_get(s->cfg, name) : NULL;
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static void ssl_reason(char *buf, size_t size)
{
    unsigned long e = ERR_get_error();
    if (e == 0)
        snprintf(buf, size, "unknown error");
    else
        ERR_error_string_n(e, buf, size);
    ERR_clear_error();
}

static char *read_file(const char *path, size_t *len, const char *what, char *errstr,
                       size_t errstr_size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(errstr, errstr_size, "%s: cannot read %s: %s", what, path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(TLS_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, TLS_MAX_FILE + 1, f) : 0;
    fclose(f);
    if (buf == NULL || n > TLS_MAX_FILE) {
        free(buf);
        snprintf(errstr, errstr_size, "%s: %s is too large for a key store", what, path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static bool looks_pem(const char *data, size_t len)
{
    return memmem(data, len, "-----BEGIN ", 11) != NULL;
}

/* Every certificate of a PEM text, in order. NULL when there is none. */
static STACK_OF(X509) * pem_certs(const char *data, size_t len)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    STACK_OF(X509) *certs = sk_X509_new_null();
    X509 *x;
    while (bio != NULL && certs != NULL && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
        sk_X509_push(certs, x);
    ERR_clear_error(); /* the loop ends on "no start line" */
    BIO_free(bio);
    if (certs != NULL && sk_X509_num(certs) == 0) {
        sk_X509_free(certs);
        certs = NULL;
    }
    return certs;
}

static EVP_PKEY *pem_key(const char *data, size_t len, const char *password)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    /* An empty password string rather than NULL: without one, OpenSSL would prompt on the
     * terminal for an encrypted key. */
    EVP_PKEY *k =
        bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)(password ? password : "")) : NULL;
    BIO_free(bio);
    return k;
}

static int pkcs12_read(const char *data, size_t len, const char *password, EVP_PKEY **key,
                       STACK_OF(X509) * *chain, char *reason, size_t reason_size)
{
    const unsigned char *p = (const unsigned char *)data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)len);
    if (p12 == NULL) {
        snprintf(reason, reason_size, "not a PKCS12 file");
        ERR_clear_error();
        return SL_ERR;
    }
    X509 *cert = NULL;
    STACK_OF(X509) *ca = NULL;
    EVP_PKEY *pkey = NULL;
    int ok = PKCS12_parse(p12, password ? password : "", &pkey, &cert, &ca);
    PKCS12_free(p12);
    if (!ok) {
        ssl_reason(reason, reason_size);
        return SL_ERR;
    }
    STACK_OF(X509) *all = sk_X509_new_null();
    if (cert != NULL)
        sk_X509_push(all, cert);
    for (int i = 0; ca != NULL && i < sk_X509_num(ca); i++)
        sk_X509_push(all, sk_X509_value(ca, i));
    sk_X509_free(ca); /* the certificates moved into `all` */
    if (key != NULL)
        *key = pkey;
    else
        EVP_PKEY_free(pkey);
    *chain = all;
    return SL_OK;
}

static char *certs_to_pem(STACK_OF(X509) * certs)
{
    BIO *bio = BIO_new(BIO_s_mem());
    for (int i = 0; bio != NULL && i < sk_X509_num(certs); i++)
        PEM_write_bio_X509(bio, sk_X509_value(certs, i));
    char *mem = NULL;
    long n = bio ? BIO_get_mem_data(bio, &mem) : 0;
    char *out = n > 0 ? strndup(mem, (size_t)n) : NULL;
    BIO_free(bio);
    return out;
}

static char *key_to_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL || !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)) {
        BIO_free(bio);
        return NULL;
    }
    char *mem = NULL;
    long n = BIO_get_mem_data(bio, &mem);
    char *out = n > 0 ? strndup(mem, (size_t)n) : NULL;
    OPENSSL_cleanse(mem, (size_t)n);
    BIO_free(bio);
    return out;
}

/* "PEM", "PKCS12" or NULL (auto); JKS is refused. */
static int store_type(const tls_settings *s, const char *key, const char **type, char *errstr,
                      size_t errstr_size)
{
    char name[160];
    const char *t = setting(s, key, name, sizeof(name));
    *type = NULL;
    if (t == NULL)
        return SL_OK;
    if (strcasecmp(t, "PEM") == 0 || strcasecmp(t, "PKCS12") == 0) {
        *type = strcasecmp(t, "PEM") == 0 ? "PEM" : "PKCS12";
        return SL_OK;
    }
    if (strcasecmp(t, "JKS") == 0) {
        snprintf(errstr, errstr_size,
                 "%s=JKS is not supported: use PKCS12 (keytool -importkeystore -srckeystore "
                 "store.jks -destkeystore store.p12 -deststoretype PKCS12) or PEM",
                 name);
        return SL_ERR;
    }
    snprintf(errstr, errstr_size, "Invalid value %s for %s: expected PEM or PKCS12", t, name);
    return SL_ERR;
}

static int load_keystore(const tls_settings *s, bool need, rest_tls *out, char *errstr,
                         size_t errstr_size)
{
    char n_loc[160], n_pass[160], n_keypass[160], n_chain[160], n_key[160], reason[256];
    const char *type = NULL;
    if (store_type(s, "ssl.keystore.type", &type, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    const char *loc = setting(s, "ssl.keystore.location", n_loc, sizeof(n_loc));
    const char *pass = setting(s, "ssl.keystore.password", n_pass, sizeof(n_pass));
    const char *keypass = setting(s, "ssl.key.password", n_keypass, sizeof(n_keypass));
    const char *chain_pem = setting(s, "ssl.keystore.certificate.chain", n_chain, sizeof(n_chain));
    const char *key_text = setting(s, "ssl.keystore.key", n_key, sizeof(n_key));
    if (loc == NULL && chain_pem == NULL && key_text == NULL) {
        if (need) {
            snprintf(errstr, errstr_size,
                     "An https listener needs a key store: set %s (a PEM file with the "
                     "certificate chain and private key, or a PKCS12 file)",
                     n_loc);
            return SL_ERR;
        }
        return SL_OK;
    }
    STACK_OF(X509) *chain = NULL;
    EVP_PKEY *key = NULL;
    int rc = SL_ERR;
    if (loc == NULL) {
        /* Kafka's ssl.keystore.type=PEM with the chain and key inline. */
        if (chain_pem == NULL || key_text == NULL) {
            snprintf(errstr, errstr_size, "%s and %s must be set together", n_chain, n_key);
            return SL_ERR;
        }
        chain = pem_certs(chain_pem, strlen(chain_pem));
        key = pem_key(key_text, strlen(key_text), keypass);
        if (chain == NULL || key == NULL) {
            ssl_reason(reason, sizeof(reason));
            snprintf(errstr, errstr_size, "%s: %s", chain == NULL ? n_chain : n_key,
                     chain == NULL ? "no PEM certificate found"
                                   : "cannot read the private key (wrong ssl.key.password?)");
            goto done;
        }
    } else {
        size_t len = 0;
        char *data = read_file(loc, &len, n_loc, errstr, errstr_size);
        if (data == NULL)
            return SL_ERR;
        bool pem = type ? strcmp(type, "PEM") == 0 : looks_pem(data, len);
        if (pem) {
            chain = pem_certs(data, len);
            key = chain ? pem_key(data, len, keypass) : NULL;
            if (chain == NULL || key == NULL) {
                ssl_reason(reason, sizeof(reason));
                snprintf(errstr, errstr_size, "%s=%s: %s", n_loc, loc,
                         chain == NULL ? "no PEM certificate found"
                                       : "no readable private key (missing, or encrypted with "
                                         "another ssl.key.password)");
            }
        } else if (pkcs12_read(data, len, pass, &key, &chain, reason, sizeof(reason)) != SL_OK ||
                   key == NULL) {
            snprintf(errstr, errstr_size, "%s=%s: cannot read the PKCS12 key store (%s)", n_loc,
                     loc, key == NULL && chain != NULL ? "no private key in it" : reason);
        }
        OPENSSL_cleanse(data, len);
        free(data);
        if (chain == NULL || key == NULL)
            goto done;
    }
    if (sk_X509_num(chain) == 0 || !X509_check_private_key(sk_X509_value(chain, 0), key)) {
        ERR_clear_error();
        snprintf(errstr, errstr_size,
                 "%s: the private key does not match the first certificate of the chain",
                 loc ? n_loc : n_chain);
        goto done;
    }
    out->cert_pem = certs_to_pem(chain);
    out->key_pem = key_to_pem(key);
    if (out->cert_pem == NULL || out->key_pem == NULL) {
        snprintf(errstr, errstr_size, "Out of memory encoding the key store");
        goto done;
    }
    rc = SL_OK;
done:
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    return rc;
}

static int load_truststore(const tls_settings *s, rest_tls *out, char *errstr, size_t errstr_size)
{
    char n_loc[160], n_pass[160], n_certs[160], reason[256];
    const char *type = NULL;
    if (store_type(s, "ssl.truststore.type", &type, errstr, errstr_size) != SL_OK)
        return SL_ERR;
    const char *loc = setting(s, "ssl.truststore.location", n_loc, sizeof(n_loc));
    const char *pass = setting(s, "ssl.truststore.password", n_pass, sizeof(n_pass));
    const char *inline_pem = setting(s, "ssl.truststore.certificates", n_certs, sizeof(n_certs));
    STACK_OF(X509) *certs = NULL;
    if (loc != NULL) {
        size_t len = 0;
        char *data = read_file(loc, &len, n_loc, errstr, errstr_size);
        if (data == NULL)
            return SL_ERR;
        bool pem = type ? strcmp(type, "PEM") == 0 : looks_pem(data, len);
        if (pem)
            certs = pem_certs(data, len);
        else if (pkcs12_read(data, len, pass, NULL, &certs, reason, sizeof(reason)) != SL_OK)
            snprintf(errstr, errstr_size, "%s=%s: cannot read the PKCS12 trust store (%s)", n_loc,
                     loc, reason);
        free(data);
        if (certs == NULL || sk_X509_num(certs) == 0) {
            if (pem || certs != NULL)
                snprintf(errstr, errstr_size, "%s=%s: no certificate found", n_loc, loc);
            sk_X509_pop_free(certs, X509_free);
            return SL_ERR;
        }
    } else if (inline_pem != NULL) {
        certs = pem_certs(inline_pem, strlen(inline_pem));
        if (certs == NULL) {
            snprintf(errstr, errstr_size, "%s: no PEM certificate found", n_certs);
            return SL_ERR;
        }
    } else {
        return SL_OK;
    }
    out->trust_pem = certs_to_pem(certs);
    sk_X509_pop_free(certs, X509_free);
    if (out->trust_pem == NULL) {
        snprintf(errstr, errstr_size, "Out of memory encoding the trust store");
        return SL_ERR;
    }
    return SL_OK;
}

/* ssl.enabled.protocols (Java names) as a GnuTLS priority string. */
static int protocols(const tls_settings *s, rest_tls *out, char *errstr, size_t errstr_size)
{
    char name[160];
    const char *v = setting(s, "ssl.enabled.protocols", name, sizeof(name));
    if (v == NULL)
        return SL_OK;
    static const struct {
        const char *java, *gnutls;
    } map[] = {{"TLSv1.3", "+VERS-TLS1.3"},
               {"TLSv1.2", "+VERS-TLS1.2"},
               {"TLSv1.1", "+VERS-TLS1.1"},
               {"TLSv1", "+VERS-TLS1.0"}};
    char prio[256] = "NORMAL:-VERS-ALL";
    bool any = false;
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ",");
        const char *a = p;
        size_t l = len;
        while (l > 0 && isspace((unsigned char)*a))
            a++, l--;
        while (l > 0 && isspace((unsigned char)a[l - 1]))
            l--;
        if (l > 0) {
            bool found = false;
            for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
                if (strlen(map[i].java) == l && strncasecmp(a, map[i].java, l) == 0) {
                    found = any = true;
                    if (strstr(prio, map[i].gnutls) == NULL) {
                        strcat(prio, ":");
                        strcat(prio, map[i].gnutls);
                    }
                }
            }
            if (!found) {
                snprintf(errstr, errstr_size,
                         "%s: unsupported protocol '%.*s' (use TLSv1.2 and/or TLSv1.3)", name,
                         (int)l, a);
                return SL_ERR;
            }
        }
        p += len;
        if (*p == ',')
            p++;
    }
    if (!any)
        return SL_OK;
    out->priorities = strdup(prio);
    return out->priorities ? SL_OK : SL_ERR;
}

void rest_tls_fini(rest_tls *t)
{
    if (t->key_pem != NULL)
        OPENSSL_cleanse(t->key_pem, strlen(t->key_pem));
    free(t->cert_pem);
    free(t->key_pem);
    free(t->trust_pem);
    free(t->priorities);
    memset(t, 0, sizeof(*t));
}

int rest_tls_load(const sl_props *cfg, const char *prefix, bool need_keystore, rest_tls *out,
                  char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof(*out));
    tls_settings s = {.cfg = cfg, .prefix = prefix};
    size_t plen = strlen(prefix);
    for (size_t i = 0; cfg != NULL && i < sl_props_count(cfg); i++)
        if (strncmp(sl_props_key_at(cfg, i), prefix, plen) == 0)
            s.prefixed = true;
    char name[160];
    const char *ca = setting(&s, "ssl.client.auth", name, sizeof(name));
    if (ca == NULL || strcasecmp(ca, "none") == 0) {
        out->client_auth = REST_CLIENT_AUTH_NONE;
    } else if (strcasecmp(ca, "requested") == 0) {
        out->client_auth = REST_CLIENT_AUTH_REQUESTED;
    } else if (strcasecmp(ca, "required") == 0) {
        out->client_auth = REST_CLIENT_AUTH_REQUIRED;
    } else {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration %s: expected none, requested or required", ca,
                 name);
        return SL_ERR;
    }
    /* Kafka's default "https" verifies host names; an empty value turns that off. */
    out->verify_hostname =
        setting(&s, "ssl.endpoint.identification.algorithm", name, sizeof(name)) != NULL ||
        cfg == NULL || !sl_props_has(cfg, name);
    if (load_keystore(&s, need_keystore, out, errstr, errstr_size) != SL_OK ||
        load_truststore(&s, out, errstr, errstr_size) != SL_OK ||
        protocols(&s, out, errstr, errstr_size) != SL_OK) {
        rest_tls_fini(out);
        return SL_ERR;
    }
    if (out->client_auth != REST_CLIENT_AUTH_NONE && out->trust_pem == NULL && need_keystore) {
        setting(&s, "ssl.truststore.location", name, sizeof(name));
        snprintf(errstr, errstr_size,
                 "ssl.client.auth=%s needs a trust store to check client certificates: set %s",
                 out->client_auth == REST_CLIENT_AUTH_REQUIRED ? "required" : "requested", name);
        rest_tls_fini(out);
        return SL_ERR;
    }
    return SL_OK;
}
