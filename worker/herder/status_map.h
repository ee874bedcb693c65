/* herder/status_map.h: the worker's view of connector and task statuses (Connect's
 * StatusBackingStore cache). Written by runtime threads through the listener, read by REST. */
#ifndef SLUICE_HERDER_STATUS_MAP_H
#define SLUICE_HERDER_STATUS_MAP_H

#include <jansson.h>

#include "herder/herder.h"

typedef struct status_map status_map;

/* Caller owns the map (status_map_destroy). All functions are thread-safe. */
status_map *status_map_new(void);
void status_map_destroy(status_map *m);

/* Record a state ("RUNNING", ...) with an optional trace (copied; NULL or "" = none) written
 * by `worker_id`. task < 0 means the connector itself. */
void status_map_put(status_map *m, const char *conn, int task, const char *state,
                    const char *trace, const char *worker_id);
/* Forget a task (task >= 0), or a connector and all its tasks (task < 0): Connect's tombstone. */
void status_map_remove(status_map *m, const char *conn, int task);
/* Forget tasks with id >= `count`. */
void status_map_trim_tasks(status_map *m, const char *conn, int count);

/* Remember the connector's type ("source", "sink", "unknown") for status output. */
void status_map_set_type(status_map *m, const char *conn, const char *type);

/* Connect's ConnectorStateInfo {"name","connector":{...},"tasks":[...],"type"} with tasks
 * sorted by id; NULL if no status is known for `conn`. `type` overrides the remembered type
 * when not NULL. Caller owns the result. */
json_t *status_map_connector_json(status_map *m, const char *conn, const char *type);
/* Connect's TaskState {"id","state","worker_id"[,"trace"]}; NULL if unknown. Caller owns. */
json_t *status_map_task_json(status_map *m, const char *conn, int task);
/* GET /connectors/{c}/status and GET .../tasks/{n}/status answered from the map: 200 with
 * the entity, or 404 with Connect's message. Any thread. */
void status_map_reply_connector(status_map *m, const char *conn, herder_reply *r);
void status_map_reply_task(status_map *m, const char *conn, int task, herder_reply *r);

/* The state of an instance into `buf` ("" if unknown). */
void status_map_state(status_map *m, const char *conn, int task, char *buf, size_t len);

#endif
