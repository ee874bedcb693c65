/* herder/forward.c: Connect's request forwarding (RestClient + HerderRequestHandler): the same
 * method, path, query and body sent to the leader or owner with forward=true/false. */
#include "herder/forward.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/log.h"

#define LG "forward"
/* Connect's DEFAULT_REST_REQUEST_TIMEOUT_MS. */
#define FORWARD_TIMEOUT_MS 90000L

static __thread const forward_ctx *current;

/* The TLS material of forward_set_tls, shared by reference so that a request under way keeps
 * the copy it started with when it is replaced. */
typedef struct tls_material {
    int refs; /* guarded by tls_lock */
    char *ca, *cert, *key;
    bool verify_host;
} tls_material;

static pthread_mutex_t tls_lock = PTHREAD_MUTEX_INITIALIZER;
static tls_material *tls_current;

static void tls_release(tls_material *m)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&tls_lock);
    bool last = --m->refs == 0;
    pthread_mutex_unlock(&tls_lock);
    if (!last)
        return;
    free(m->ca);
    free(m->cert);
    if (m->key != NULL) {
        memset(m->key, 0, strlen(m->key));
        free(m->key);
    }
    free(m);
}

static tls_material *tls_acquire(void)
{
    pthread_mutex_lock(&tls_lock);
    tls_material *m = tls_current;
    if (m != NULL)
        m->refs++;
    pthread_mutex_unlock(&tls_lock);
    return m;
}

int forward_set_tls(const forward_tls *tls)
{
    tls_material *m = NULL;
    if (tls != NULL) {
        m = calloc(1, sizeof(*m));
        if (m == NULL)
            return SL_ERR;
        m->refs = 1;
        m->verify_host = tls->verify_host;
        m->ca = tls->ca_pem ? strdup(tls->ca_pem) : NULL;
        m->cert = tls->cert_pem ? strdup(tls->cert_pem) : NULL;
        m->key = tls->key_pem ? strdup(tls->key_pem) : NULL;
        if ((tls->ca_pem && !m->ca) || (tls->cert_pem && !m->cert) || (tls->key_pem && !m->key)) {
            tls_release(m);
            return SL_ERR;
        }
    }
    pthread_mutex_lock(&tls_lock);
    tls_material *old = tls_current;
    tls_current = m;
    pthread_mutex_unlock(&tls_lock);
    tls_release(old);
    return SL_OK;
}

/* Point curl at the TLS material (the blobs are copied by curl). */
static void apply_tls(CURL *c, const tls_material *m)
{
    if (m == NULL)
        return;
    if (m->ca != NULL) {
        struct curl_blob ca = {.data = m->ca, .len = strlen(m->ca), .flags = CURL_BLOB_COPY};
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
    }
    if (m->cert != NULL && m->key != NULL) {
        struct curl_blob cert = {.data = m->cert, .len = strlen(m->cert), .flags = CURL_BLOB_COPY};
        struct curl_blob key = {.data = m->key, .len = strlen(m->key), .flags = CURL_BLOB_COPY};
        curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
        curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
        curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
    }
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, m->verify_host ? 2L : 0L);
}

/* Append "Name: value" to a curl header list (which copies it); nothing when `value` is NULL
 * or holds a line break. */
static struct curl_slist *add_header(struct curl_slist *hdrs, const char *name, const char *value)
{
    if (value == NULL || strpbrk(value, "\r\n") != NULL)
        return hdrs;
    size_t len = strlen(name) + strlen(value) + 3;
    char *line = malloc(len);
    if (line == NULL)
        return hdrs;
    snprintf(line, len, "%s: %s", name, value);
    struct curl_slist *grown = curl_slist_append(hdrs, line);
    free(line);
    return grown ? grown : hdrs;
}

void forward_ctx_set(const forward_ctx *ctx)
{
    current = ctx;
}

const forward_ctx *forward_ctx_get(void)
{
    return current;
}

char *forward_build_url(const char *base, const char *target, const char *forward_value)
{
    if (base == NULL || target == NULL || forward_value == NULL)
        return NULL;
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);
    size_t cap = blen + strlen(target) + strlen(forward_value) + 32;
    char *out = malloc(cap);
    if (out == NULL)
        return NULL;
    size_t n = (size_t)snprintf(out, cap, "%.*s%.*s", (int)blen, base, (int)plen, target);
    char sep = '?';
    if (q) {
        /* Keep every parameter but `forward` (any earlier value is replaced by ours). */
        const char *p = q + 1;
        while (*p) {
            const char *amp = strchr(p, '&');
            size_t len = amp ? (size_t)(amp - p) : strlen(p);
            bool is_forward = (len == 7 && strncmp(p, "forward", 7) == 0) ||
                              (len > 7 && strncmp(p, "forward=", 8) == 0);
            if (len > 0 && !is_forward) {
                n += (size_t)snprintf(out + n, cap - n, "%c%.*s", sep, (int)len, p);
                sep = '&';
            }
            p += len;
            if (*p == '&')
                p++;
        }
    }
    snprintf(out + n, cap - n, "%cforward=%s", sep, forward_value);
    return out;
}

typedef struct buf {
    char *data;
    size_t len;
    char location[512];
} buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *opaque)
{
    buf *b = opaque;
    size_t n = size * nmemb;
    char *grown = realloc(b->data, b->len + n + 1);
    if (grown == NULL)
        return 0; /* makes curl fail the transfer */
    memcpy(grown + b->len, ptr, n);
    b->len += n;
    grown[b->len] = '\0';
    b->data = grown;
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *opaque)
{
    buf *b = opaque;
    size_t n = size * nmemb;
    if (n > 9 && strncasecmp(ptr, "Location:", 9) == 0) {
        const char *v = ptr + 9;
        size_t vl = n - 9;
        while (vl > 0 && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        if (vl < sizeof(b->location)) {
            memcpy(b->location, v, vl);
            b->location[vl] = '\0';
        }
    }
    return n;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Connect's RestClient.httpRequest: translate the remote answer. */
static void translate(long status, buf *b, herder_reply *r)
{
    if (status >= 400) {
        json_t *body = b->data ? json_loads(b->data, 0, NULL) : NULL;
        json_t *msg = json_object_get(body, "message");
        if (json_is_string(msg)) {
            json_t *code = json_object_get(body, "error_code");
            json_int_t ec = json_is_integer(code) ? json_integer_value(code) : status;
            herder_reply_json(
                r, (int)status,
                json_pack("{s:I,s:s}", "error_code", ec, "message", json_string_value(msg)));
        } else {
            herder_reply_error(r, (int)status, "%s", b->data ? b->data : "");
        }
        json_decref(body);
        return;
    }
    if (status == 204) {
        herder_reply_json(r, 204, NULL);
        return;
    }
    if (status >= 200 && status < 300) {
        json_t *body = (b->data && b->len > 0) ? json_loads(b->data, 0, NULL) : NULL;
        herder_reply_json(r, (int)status, body);
        snprintf(r->location, sizeof(r->location), "%s", b->location);
        return;
    }
    herder_reply_error(r, 500, "Unexpected status code when handling forwarded request: %ld",
                       status);
}

void forward_request(const char *target_url, herder_reply *r)
{
    const forward_ctx *ctx = current;
    if (target_url == NULL || *target_url == '\0') {
        herder_reply_error(r, 409, "%s", FORWARD_MSG_NO_LEADER);
        return;
    }
    if (ctx == NULL || ctx->target == NULL || ctx->method == NULL ||
        (ctx->forward != NULL && strcasecmp(ctx->forward, "true") != 0)) {
        /* forward=false: this was already the second hop (Jersey reads anything but "true"
         * as false, so any other value ends forwarding too). */
        herder_reply_error(r, 409, "%s", FORWARD_MSG_CONFLICT);
        return;
    }
    const char *next = ctx->forward == NULL ? "true" : "false";
    char *url = forward_build_url(target_url, ctx->target, next);
    if (url == NULL) {
        herder_reply_error(r, 500, "IO Error trying to forward REST request: out of memory");
        return;
    }
    pthread_once(&curl_once, curl_init_once);
    CURL *c = curl_easy_init();
    if (c == NULL) {
        free(url);
        herder_reply_error(r, 500, "IO Error trying to forward REST request: curl init failed");
        return;
    }
    LOG_DEBUG(LG, "forwarding %s %s", ctx->method, url);
    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (ctx->body != NULL)
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = add_header(hdrs, "Authorization", ctx->authorization);
    /* KIP-507: a signed internal request keeps its signature on every hop (the body goes
     * unchanged, so the signature still matches). */
    if (ctx->signature != NULL && ctx->signature_alg != NULL) {
        hdrs = add_header(hdrs, "X-Connect-Authorization", ctx->signature);
        hdrs = add_header(hdrs, "X-Connect-Request-Signature-Algorithm", ctx->signature_alg);
    }
    tls_material *tls = strncasecmp(url, "https://", 8) == 0 ? tls_acquire() : NULL;
    apply_tls(c, tls);
    buf b = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, ctx->method);
    if (ctx->body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, ctx->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)ctx->body_len);
    } else if (strcmp(ctx->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "kafka-connect");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, FORWARD_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &b);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        herder_reply_error(r, 500, "IO Error trying to forward REST request: %s",
                           curl_easy_strerror(rc));
    } else {
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        translate(status, &b, r);
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    tls_release(tls);
    free(b.data);
    free(url);
}
