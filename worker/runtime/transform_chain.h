/* runtime/transform_chain.h: a task's single message transforms, built from a connector's
 * transforms / predicates keys and applied in order to every record. */
#ifndef SLUICE_RUNTIME_TRANSFORM_CHAIN_H
#define SLUICE_RUNTIME_TRANSFORM_CHAIN_H

#include <sluice/sdk.h>

typedef struct transform_chain transform_chain;

/* How class names are resolved. The default (NULL resolver) is the plugin registry
 * (registry_find_transform / registry_find_predicate); tests pass their own. */
typedef struct transform_resolver {
    const sl_transform_def *(*transform)(void *opaque, const char *class_name);
    const sl_predicate_def *(*predicate)(void *opaque, const char *class_name);
    void *opaque;
} transform_resolver;

/* Build the chain for `conn_config` (borrowed): `transforms=a,b` in order, each with
 * transforms.<a>.type, its own keys under transforms.<a>. (parsed with the transform's table),
 * and optional transforms.<a>.predicate (an alias listed in `predicates`, whose
 * predicates.<p>.type and keys are used) and transforms.<a>.negate. One predicate instance
 * per alias is shared by the transforms using it, as in Connect. Calls every init().
 * `label` (e.g. "conn-0", copied) tags log lines. On SL_OK *out is the chain (possibly with
 * no steps); caller owns it (transform_chain_destroy). On SL_ERR *out is NULL, errstr names
 * the alias and key, and everything already initialised was closed. Runs on the task thread
 * that will use the chain (plugins' init may rely on it). */
int transform_chain_new(const sl_props *conn_config, const transform_resolver *resolver,
                        const char *label, transform_chain **out, char *errstr, size_t errstr_size);

/* Apply every step to `record` (borrowed; modified in place). Returns SL_OK to keep it,
 * SL_DROP if a step dropped it (counted; later steps are not run), or a negative code from
 * the failing step with errstr "transform <alias> (<class>) failed: <reason>". Called from
 * the owning task's thread only. Cheap when the chain is empty. */
int transform_chain_apply(transform_chain *c, sl_record *record, char *errstr, size_t errstr_size);

/* The class name of the step whose failure transform_chain_apply last returned (static data
 * of the plugin), or NULL if none failed yet. Owning thread. */
const char *transform_chain_failed_class(const transform_chain *c);

/* Retries of a step that returned SL_ERR_RETRIABLE: `retry(opaque, attempt)` (attempt 1 after
 * the first failure of the step) sleeps the backoff and returns true to apply the step again,
 * false to give up (the step's error is returned). NULL (the default) never retries. Owning
 * thread; `opaque` is borrowed and must outlive the chain. */
void transform_chain_set_retry(transform_chain *c, bool (*retry)(void *opaque, int attempt),
                               void *opaque);

/* Number of steps. */
size_t transform_chain_size(const transform_chain *c);
/* Records dropped so far (SL_DROP). Readable from the owning thread. */
uint64_t transform_chain_dropped(const transform_chain *c);

/* Close every transform and predicate (close() callbacks), log the drop count at DEBUG and
 * free the chain. NULL is accepted. Owning thread. */
void transform_chain_destroy(transform_chain *c);

#endif
