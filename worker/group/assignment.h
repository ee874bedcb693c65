/* group/assignment.h: ordered sets of connectors and (connector, task) ids, the data model the
 * Connect assignors work on (Connect's ConnectorsAndTasks), independent of the wire format. */
#ifndef SLUICE_GROUP_ASSIGNMENT_H
#define SLUICE_GROUP_ASSIGNMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One task of one connector (Connect's ConnectorTaskId). */
typedef struct assignment_task {
    char *connector; /* owned by the set holding the task */
    int32_t task;    /* 0-based task id; the connector instance itself is not a task */
} assignment_task;

/* An insertion-ordered set: adding an item already present is a no-op, so a member that
 * reports the same item twice holds it once. All strings are owned (copied on add).
 * A zeroed struct is a valid empty set. Not thread-safe: one owner at a time. */
typedef struct assignment_set {
    char **connectors;
    size_t n_connectors;
    size_t cap_connectors;
    assignment_task *tasks;
    size_t n_tasks;
    size_t cap_tasks;
} assignment_set;

/* Make `s` an empty set (no allocation). */
void assignment_set_init(assignment_set *s);
/* Free everything `s` holds and leave it empty and reusable. NULL is a no-op. */
void assignment_set_clear(assignment_set *s);

/* Add connector `name` (copied; borrowed for the call) unless present.
 * Returns 0, or -1 on allocation failure or NULL name (set unchanged). */
int assignment_set_add_connector(assignment_set *s, const char *name);
/* Add task (`connector`, `task`) (name copied) unless present. Same return convention. */
int assignment_set_add_task(assignment_set *s, const char *connector, int32_t task);
/* Add every item of `from` (borrowed) not yet in `s`, keeping `from`'s order. 0 or -1. */
int assignment_set_add_all(assignment_set *s, const assignment_set *from);
/* Replace `dst`'s contents with a copy of `src` (borrowed). 0, or -1 with `dst` emptied. */
int assignment_set_copy(assignment_set *dst, const assignment_set *src);

bool assignment_set_has_connector(const assignment_set *s, const char *name);
bool assignment_set_has_task(const assignment_set *s, const char *connector, int32_t task);
/* Remove an item if present, keeping the order of the others. Returns true when removed. */
bool assignment_set_remove_connector(assignment_set *s, const char *name);
bool assignment_set_remove_task(assignment_set *s, const char *connector, int32_t task);
/* Remove from `s` every item that is in `sub` (borrowed). */
void assignment_set_remove_all(assignment_set *s, const assignment_set *sub);
/* True when `a` and `b` share at least one connector or task. */
bool assignment_set_intersects(const assignment_set *a, const assignment_set *b);

/* Number of connectors plus tasks. */
size_t assignment_set_size(const assignment_set *s);
bool assignment_set_is_empty(const assignment_set *s);
/* Sort connectors by name (bytewise) and tasks by (connector, task id), as Connect's TreeSets. */
void assignment_set_sort(assignment_set *s);

/* Order of Connect's ConnectorTaskId: connector name, then task id. */
int assignment_task_cmp(const assignment_task *a, const assignment_task *b);

#endif
