/* herder/herder.h: what the REST layer asks of a herder (standalone or distributed). Every
 * operation fills a herder_reply with Connect's status code and JSON body, so that REST
 * handlers, forwarding and tests all speak the same shapes (reference §1). */
#ifndef SLUICE_HERDER_H
#define SLUICE_HERDER_H

#include <jansson.h>
#include <sluice/sdk.h>

typedef enum target_state {
    TARGET_STARTED = 0,
    TARGET_PAUSED,
    TARGET_STOPPED,
} target_state;

/* The answer to one REST operation. The herder sets status and body (it owns `body` until the
 * REST layer sends and frees it with herder_reply_fini). */
typedef struct herder_reply {
    int status;            /* HTTP status */
    json_t *body;          /* NULL for an empty body (202/204) */
    char location[512];    /* Location header value, "" for none */
} herder_reply;

void herder_reply_init(herder_reply *r);
void herder_reply_fini(herder_reply *r);
/* Set status and Connect's error body {"error_code":status,"message":...}. */
void herder_reply_error(herder_reply *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Set status and take `body` (may be NULL). */
void herder_reply_json(herder_reply *r, int status, json_t *body);
/* GET /health's answer (reference §1.5): 200 "healthy" when the herder thread answered
 * (`answered`) after start-up, 503 "starting" before start-up finished, else 500
 * "unhealthy". */
void herder_reply_health(herder_reply *r, bool answered, bool started);

typedef struct herder herder;

/* Operations. Names, paths and bodies are borrowed for the call. Every operation may be called
 * from any REST thread concurrently; the herder serializes them itself. */
typedef struct herder_ops {
    /* GET / : {"version","commit","kafka_cluster_id"} */
    void (*server_info)(herder *h, herder_reply *r);
    /* GET /connectors[?expand=status|info]: expand flags may both be false. */
    void (*list_connectors)(herder *h, bool expand_status, bool expand_info, herder_reply *r);
    /* POST /connectors: `config` is the JSON object of string values (already checked to be
     * an object of strings by REST), `name` trimmed, `initial_state` NULL if absent. */
    void (*create_connector)(herder *h, const char *name, json_t *config,
                             const char *initial_state, herder_reply *r);
    /* PUT /connectors/{c}/config: create (201 + Location) or update (200). */
    void (*put_connector_config)(herder *h, const char *name, json_t *config, herder_reply *r);
    /* PATCH /connectors/{c}/config: null values delete keys. */
    void (*patch_connector_config)(herder *h, const char *name, json_t *patch, herder_reply *r);
    void (*get_connector)(herder *h, const char *name, herder_reply *r);
    void (*get_connector_config)(herder *h, const char *name, herder_reply *r);
    void (*get_connector_status)(herder *h, const char *name, herder_reply *r);
    void (*get_connector_tasks)(herder *h, const char *name, herder_reply *r);
    void (*get_task_status)(herder *h, const char *name, int task, herder_reply *r);
    void (*restart_connector)(herder *h, const char *name, bool include_tasks, bool only_failed,
                              herder_reply *r);
    void (*restart_task)(herder *h, const char *name, int task, herder_reply *r);
    void (*pause_connector)(herder *h, const char *name, herder_reply *r);
    void (*resume_connector)(herder *h, const char *name, herder_reply *r);
    void (*stop_connector)(herder *h, const char *name, herder_reply *r);
    void (*delete_connector)(herder *h, const char *name, herder_reply *r);
    /* PUT /connector-plugins/{p}/config/validate */
    void (*validate_config)(herder *h, const char *plugin, json_t *config, herder_reply *r);

    /* GET /health: 200 {"status":"healthy",...} once the herder thread answers a no-op within
     * 10 s; 503 "starting" before startup completes; 500 "unhealthy" on timeout. */
    void (*health)(herder *h, herder_reply *r);
    /* GET /connectors/{c}/offsets: {"offsets":[{"partition":{...},"offset":{...}}]}. */
    void (*get_offsets)(herder *h, const char *name, herder_reply *r);
    /* PATCH /connectors/{c}/offsets with the parsed body (`body` borrowed; REST has checked it is
     * a JSON object), or DELETE /connectors/{c}/offsets when `body` is NULL (reset). */
    void (*alter_offsets)(herder *h, const char *name, json_t *body, herder_reply *r);
    /* GET /connectors/{c}/topics: {"<c>":{"topics":[...]}} (an unknown connector has none). */
    void (*get_topics)(herder *h, const char *name, herder_reply *r);
    /* PUT /connectors/{c}/topics/reset: 202 empty body. */
    void (*reset_topics)(herder *h, const char *name, herder_reply *r);
    /* Internal POST /connectors/{c}/tasks: `configs` is the parsed JSON array of task config
     * maps (borrowed). The request's signature headers are read from forward_ctx_get(). 204 on
     * success. */
    void (*put_task_configs)(herder *h, const char *name, json_t *configs, herder_reply *r);
    /* PUT /admin/loggers/{logger}?scope=cluster: `level` already validated. 204 on success. */
    void (*set_cluster_logger_level)(herder *h, const char *logger, const char *level,
                                     herder_reply *r);
} herder_ops;

struct herder {
    const herder_ops *ops;
};

#endif
