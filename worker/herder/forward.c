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
    char *auth = NULL;
    if (ctx->authorization != NULL) {
        size_t alen = strlen(ctx->authorization) + 32;
        auth = malloc(alen);
        if (auth != NULL) {
            snprintf(auth, alen, "Authorization: %s", ctx->authorization);
            hdrs = curl_slist_append(hdrs, auth);
        }
    }
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
    free(auth);
    free(b.data);
    free(url);
}
