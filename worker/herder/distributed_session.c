/* herder/distributed_session.c: the distributed herder's side of KIP-507: the leader writes
 * and rotates the session key, every worker verifies signed internal requests with it, and a
 * follower whose connector produced new task configs POSTs them, signed, to the leader. */
#include "herder/distributed_internal.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "herder/entities.h"
#include "herder/forward.h"
#include "herder/request_signing.h"
#include "util/log.h"

/* Retries of a failed task-config POST (Connect: 250 ms doubling up to a minute). */
#define SEND_BACKOFF_INITIAL_MS 250
#define SEND_BACKOFF_MAX_MS 60000
/* How often a leader retries writing a session key after a failure. */
#define KEY_RETRY_MS 5000

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void dh_session_refresh(distributed_herder *h)
{
    const config_snapshot *s = h->snap;
    pthread_mutex_lock(&h->mu);
    snprintf(h->session_key, sizeof(h->session_key), "%s",
             s && s->has_session_key && s->session_key_b64 ? s->session_key_b64 : "");
    pthread_mutex_unlock(&h->mu);
}

void dh_session_maintain(distributed_herder *h)
{
    pthread_mutex_lock(&h->mu);
    bool leader = h->is_leader && h->have_assignment && h->sessioned;
    pthread_mutex_unlock(&h->mu);
    if (!leader || h->snap == NULL || h->stopping)
        return;
    int64_t now = wall_ms();
    if (h->snap->has_session_key && h->snap->session_creation_ts + h->key_ttl_ms > now)
        return;
    if (h->key_attempt_ms > 0 && dh_now_ms() - h->key_attempt_ms < KEY_RETRY_MS)
        return;
    h->key_attempt_ms = dh_now_ms();
    char key[SIGNING_B64_MAX], err[512];
    if (signing_new_key(key, sizeof(key)) != 0) {
        LOG_ERROR(DH_LG, "cannot generate a session key: no random bytes");
        return;
    }
    if (config_log_put_session_key(h->cfg, key, SIGNING_ALGORITHM, now, err, sizeof(err)) !=
        SL_OK) {
        LOG_ERROR(DH_LG, "cannot write the session key: %s", err);
        return;
    }
    LOG_INFO(DH_LG, "wrote a new session key (%s)",
             h->snap->has_session_key ? "the previous one expired" : "none existed");
    dh_refresh_snapshot(h);
}

bool dh_session_verify(distributed_herder *h, herder_reply *r)
{
    const forward_ctx *ctx = forward_ctx_get();
    char key[sizeof(h->session_key)];
    pthread_mutex_lock(&h->mu);
    bool sessioned = h->sessioned;
    snprintf(key, sizeof(key), "%s", h->session_key);
    pthread_mutex_unlock(&h->mu);
    if (!sessioned) /* Connect verifies only once the group runs the sessioned protocol */
        return true;
    return signing_verify(key[0] ? key : NULL, ctx ? ctx->signature : NULL,
                          ctx ? ctx->signature_alg : NULL, ctx ? ctx->body : NULL,
                          ctx ? ctx->body_len : 0, r);
}

/* ---- the follower's task-config POST ---- */

typedef struct sender {
    distributed_herder *h;
    char *name, *body, *leader_url;
} sender;

typedef struct retry_req {
    distributed_herder *h;
    char name[];
} retry_req;

static void run_retry(void *arg)
{
    retry_req *q = arg;
    distributed_herder *h = q->h;
    if (!h->stopping && assignment_set_has_connector(&h->started, q->name))
        dh_regenerate_tasks(h, q->name);
    free(q);
}

/* Sleep `ms` in slices, returning early when the herder stops. */
static void nap(distributed_herder *h, int ms)
{
    for (int slept = 0; slept < ms && !atomic_load(&h->senders_quit); slept += 50)
        usleep(50 * 1000);
}

static void *send_main(void *arg)
{
    sender *s = arg;
    distributed_herder *h = s->h;
    log_set_context("herder-tasks");
    char key[sizeof(h->session_key)];
    pthread_mutex_lock(&h->mu);
    snprintf(key, sizeof(key), "%s", h->session_key);
    bool sessioned = h->sessioned;
    pthread_mutex_unlock(&h->mu);

    char sig[SIGNING_B64_MAX] = "";
    size_t len = strlen(s->body);
    char target[1024];
    char *enc = curl_easy_escape(NULL, s->name, 0);
    snprintf(target, sizeof(target), "/connectors/%s/tasks", enc ? enc : s->name);
    curl_free(enc);
    forward_ctx fc = {.method = "POST", .target = target, .body = s->body, .body_len = len};
    if (sessioned && key[0] && signing_sign(key, s->body, len, sig, sizeof(sig)) == 0) {
        fc.signature = sig;
        fc.signature_alg = SIGNING_ALGORITHM;
    }
    herder_reply r;
    herder_reply_init(&r);
    forward_ctx_set(&fc);
    forward_request(s->leader_url, &r);
    forward_ctx_set(NULL);
    if (r.status >= 200 && r.status < 300) {
        LOG_INFO(DH_LG, "sent the task configs of %s to the leader %s", s->name, s->leader_url);
        atomic_store(&h->send_backoff_ms, 0);
    } else {
        json_t *m = json_object_get(r.body, "message");
        LOG_WARN(DH_LG,
                 "request to the leader %s to reconfigure the tasks of %s failed (%d: %s): "
                 "retrying",
                 s->leader_url, s->name, r.status, json_is_string(m) ? json_string_value(m) : "");
        /* One backoff for all connectors: failures come from the leader being away or
         * changing, which affects every connector alike. */
        int wait = atomic_load(&h->send_backoff_ms);
        wait = wait <= 0 ? SEND_BACKOFF_INITIAL_MS
                         : (wait * 2 > SEND_BACKOFF_MAX_MS ? SEND_BACKOFF_MAX_MS : wait * 2);
        atomic_store(&h->send_backoff_ms, wait);
        nap(h, wait);
        retry_req *q = malloc(sizeof(*q) + strlen(s->name) + 1);
        /* The queue outlives every sender: destroy drains them before stopping it. */
        if (q != NULL && !atomic_load(&h->senders_quit)) {
            q->h = h;
            strcpy(q->name, s->name);
            request_queue_post(h->queue, run_retry, q, free);
        } else {
            free(q);
        }
    }
    herder_reply_fini(&r);
    free(s->name);
    free(s->body);
    free(s->leader_url);
    free(s);
    atomic_fetch_sub(&h->senders, 1);
    return NULL;
}

void dh_session_send_task_configs(distributed_herder *h, const char *name, sl_props *const *tasks,
                                  int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, entities_props_to_json(tasks[i]));
    sender *s = calloc(1, sizeof(*s));
    char *body = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    pthread_mutex_lock(&h->mu);
    char *url = strdup(h->leader_url);
    pthread_mutex_unlock(&h->mu);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    atomic_fetch_add(&h->senders, 1); /* before the check: dh_session_drain waits for it */
    if (atomic_load(&h->senders_quit)) {
        atomic_fetch_sub(&h->senders, 1);
        pthread_attr_destroy(&attr);
        free(s);
        free(body);
        free(url);
        return;
    }
    if (s != NULL && body != NULL && url != NULL) {
        *s = (sender){.h = h, .name = strdup(name), .body = body, .leader_url = url};
        if (s->name != NULL && pthread_create(&t, &attr, send_main, s) == 0) {
            pthread_attr_destroy(&attr);
            return;
        }
        free(s->name);
    }
    atomic_fetch_sub(&h->senders, 1);
    pthread_attr_destroy(&attr);
    LOG_ERROR(DH_LG, "cannot send the task configs of %s to the leader: out of resources", name);
    free(s);
    free(body);
    free(url);
}

void dh_session_drain(distributed_herder *h)
{
    atomic_store(&h->senders_quit, true);
    while (atomic_load(&h->senders) > 0)
        usleep(10 * 1000);
}
