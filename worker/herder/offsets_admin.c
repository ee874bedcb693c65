/* herder/offsets_admin.c: KIP-875's offsets endpoints as Connect's Worker, SinkUtils and
 * OffsetUtils implement them: read, validate and write source offsets and sink group offsets. */
#include "herder/offsets_admin.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/value_internal.h"
#include "herder/entities.h"
#include "kafka/group_offsets.h"
#include "plugin/registry.h"
#include "runtime/offset_tracker.h"
#include "store/store_json.h"
#include "util/log.h"

#define OA_LOGGER "offsets"
#define OA_ADMIN_TIMEOUT_MS 30000

/* Jackson's names for the entity classes in its mapping errors. */
#define OA_CLASS_OFFSETS "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets"
#define OA_CLASS_OFFSET "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset"

typedef enum oa_kind { OA_UNKNOWN = 0, OA_SOURCE, OA_SINK } oa_kind;

static oa_kind connector_kind(const sl_props *config, herder_reply *r)
{
    const char *type = entities_connector_type(config);
    if (strcmp(type, "source") == 0)
        return OA_SOURCE;
    if (strcmp(type, "sink") == 0)
        return OA_SINK;
    /* Connect instantiates the class (Plugins.newConnector) and fails the same way. */
    const char *cls = config ? sl_props_get(config, "connector.class") : NULL;
    herder_reply_error(r, 500,
                       "Failed to find any class that implements Connector and which name "
                       "matches %s",
                       cls ? cls : "null");
    return OA_UNKNOWN;
}

/* Jackson's word for the JSON token a value starts with. */
static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "Object";
    case JSON_ARRAY:
        return "Array";
    case JSON_STRING:
        return "String";
    case JSON_INTEGER:
        return "Integer";
    case JSON_REAL:
        return "Floating-point";
    case JSON_TRUE:
    case JSON_FALSE:
        return "Boolean";
    default:
        return "null";
    }
}

/* ---- body shape (ConnectorsResource + Jackson) ---- */

bool offsets_admin_check_body(const json_t *body, herder_reply *r)
{
    /* Connect leaves these shape errors to Jackson, whose exceptions reach the client as 500s
     * (reference §1.2); they are the client's mistakes, so they are 400s here, with Jackson's
     * key phrases kept for tools that look for them. */
    if (body == NULL)
        return true;
    if (!json_is_object(body)) {
        herder_reply_error(r, 400, "Cannot deserialize value of type `%s` from %s value",
                           OA_CLASS_OFFSETS, json_kind(body));
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (strcmp(key, "offsets") != 0) {
            herder_reply_error(r, 400,
                               "Unrecognized field \"%s\" (class %s), not marked as ignorable "
                               "(one known property: \"offsets\")",
                               key, OA_CLASS_OFFSETS);
            return false;
        }
    }
    const json_t *offsets = json_object_get(body, "offsets");
    if (offsets != NULL && !json_is_null(offsets) && !json_is_array(offsets)) {
        herder_reply_error(r, 400,
                           "Cannot deserialize value of type `java.util.ArrayList<%s>` from %s "
                           "value",
                           OA_CLASS_OFFSET, json_kind(offsets));
        return false;
    }
    size_t i;
    json_t *e;
    json_array_foreach(offsets, i, e)
    {
        if (!json_is_object(e)) {
            herder_reply_error(r, 400, "Cannot construct instance of `%s` from %s value",
                               OA_CLASS_OFFSET, json_kind(e));
            return false;
        }
        json_object_foreach(e, key, v)
        {
            if (strcmp(key, "partition") != 0 && strcmp(key, "offset") != 0) {
                herder_reply_error(r, 400,
                                   "Unrecognized field \"%s\" (class %s), not marked as "
                                   "ignorable (2 known properties: \"offset\", \"partition\")",
                                   key, OA_CLASS_OFFSET);
                return false;
            }
            if (!json_is_object(v) && !json_is_null(v)) {
                herder_reply_error(r, 400,
                                   "Cannot deserialize value of type "
                                   "`java.util.LinkedHashMap<java.lang.String,java.lang.Object>` "
                                   "from %s value",
                                   json_kind(v));
                return false;
            }
        }
    }
    /* ConnectorsResource.alterConnectorOffsets: a missing, null or empty list. */
    if (json_array_size(offsets) == 0) {
        herder_reply_error(r, 400,
                           "Partitions / offsets need to be provided for an alter offsets request");
        return false;
    }
    return true;
}

bool offsets_admin_check_stopped(const char *name, target_state ts, int task_count, herder_reply *r)
{
    if (ts == TARGET_STOPPED && task_count == 0)
        return true;
    herder_reply_error(r, 400,
                       "Connectors must be in the STOPPED state before their offsets can be "
                       "modified. This can be done for the specified connector by issuing a "
                       "'PUT' request to the '/connectors/%s/stop' endpoint",
                       name);
    return false;
}

static void reply_message(herder_reply *r, bool reset)
{
    herder_reply_json(
        r, 200,
        json_pack("{s:s}", "message", reset ? OFFSETS_ADMIN_MSG_RESET : OFFSETS_ADMIN_MSG_ALTERED));
}

/* ---- source connectors: the offset store ---- */

typedef struct src_entry {
    char *key;
    size_t key_len;
    json_t *partition; /* NULL when only the key is wanted */
    json_t *offset;
} src_entry;

typedef struct src_scan {
    const char *name;
    bool want_values;
    src_entry *v;
    size_t n, cap;
    bool oom;
} src_scan;

/* The partition of an offsets-topic key when it belongs to connector `name`
 * (OffsetUtils.processPartitionKey: a two-element array of the name and a map), else NULL.
 * Caller owns the result. */
static json_t *key_partition(const char *name, const char *key, size_t len)
{
    char err[128];
    json_t *k = store_json_load(key, len, err, sizeof(err));
    json_t *out = NULL;
    if (json_is_array(k) && json_array_size(k) == 2 && json_is_string(json_array_get(k, 0)) &&
        strcmp(json_string_value(json_array_get(k, 0)), name) == 0 &&
        json_is_object(json_array_get(k, 1)))
        out = json_incref(json_array_get(k, 1));
    json_decref(k);
    return out;
}

static int src_scan_fn(void *opaque, const offset_entry *e)
{
    src_scan *s = opaque;
    if (e->value == NULL || s->oom)
        return 0;
    json_t *partition = key_partition(s->name, e->key, e->key_len);
    if (partition == NULL)
        return 0;
    json_t *offset = NULL;
    if (s->want_values) {
        char err[256];
        offset = store_json_load(e->value, e->value_len, err, sizeof(err));
        if (offset == NULL || json_is_null(offset)) {
            if (offset == NULL)
                LOG_WARN(OA_LOGGER, "connector %s: ignoring an unreadable stored offset: %s",
                         s->name, err);
            json_decref(offset);
            json_decref(partition);
            return 0;
        }
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        src_entry *nv = realloc(s->v, cap * sizeof(*nv));
        if (nv == NULL) {
            s->oom = true;
            json_decref(partition);
            json_decref(offset);
            return 1;
        }
        s->v = nv;
        s->cap = cap;
    }
    char *key = malloc(e->key_len + 1);
    if (key == NULL) {
        s->oom = true;
        json_decref(partition);
        json_decref(offset);
        return 1;
    }
    memcpy(key, e->key, e->key_len);
    key[e->key_len] = '\0';
    if (!s->want_values) {
        json_decref(partition);
        partition = NULL;
    }
    s->v[s->n++] = (src_entry){key, e->key_len, partition, offset};
    return 0;
}

static void src_scan_free(src_scan *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->v[i].key);
        json_decref(s->v[i].partition);
        json_decref(s->v[i].offset);
    }
    free(s->v);
}

static int cmp_entry(const void *a, const void *b)
{
    const src_entry *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static void source_get(offset_store *store, const char *name, herder_reply *r)
{
    src_scan s = {.name = name, .want_values = true};
    offset_store_foreach(store, src_scan_fn, &s);
    if (s.oom) {
        src_scan_free(&s);
        herder_reply_error(r, 500,
                           "Failed to retrieve offsets for source connector %s: out of "
                           "memory",
                           name);
        return;
    }
    if (s.n > 1)
        qsort(s.v, s.n, sizeof(*s.v), cmp_entry);
    json_t *arr = json_array();
    for (size_t i = 0; i < s.n; i++)
        json_array_append_new(
            arr, json_pack("{s:O,s:O}", "partition", s.v[i].partition, "offset", s.v[i].offset));
    src_scan_free(&s);
    herder_reply_json(r, 200, json_pack("{s:o}", "offsets", arr));
}

/* A partition or offset object of the request as the value model reads it back from the
 * offsets topic (Worker.normalizeSourceConnectorOffsets: through the internal JsonConverter),
 * checked as OffsetUtils.validateFormat. NULL with errstr on failure. */
static sl_value *source_map(const json_t *obj, char *errstr, size_t errstr_size)
{
    char *text = store_json_dump(obj);
    if (text == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    sl_value *v = offset_tracker_parse_value(text, strlen(text), errstr, errstr_size);
    free(text);
    if (v == NULL) {
        if (errstr[0] == '\0')
            snprintf(errstr, errstr_size, "unreadable offset map");
        return NULL;
    }
    if (value_validate_offset_map(v, errstr, errstr_size) != SL_OK) {
        sl_value_destroy(v);
        return NULL;
    }
    return v;
}

static void entries_free(offset_entry *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)v[i].key);
        free((char *)v[i].value);
    }
    free(v);
}

static void source_write(offset_store *store, const char *name, offset_entry *v, size_t n,
                         bool reset, herder_reply *r)
{
    char err[1024] = "";
    if (n > 0 && offset_store_put(store, v, n, err, sizeof(err)) != SL_OK) {
        herder_reply_error(r, 500, "Failed to modify offsets for source connector %s: %s", name,
                           err[0] ? err : "the offset store refused the write");
        return;
    }
    if (n == 0)
        LOG_INFO(OA_LOGGER,
                 "No offsets found for source connector %s - this can occur due to a prior "
                 "attempt to reset offsets or if the source connector hasn't committed any "
                 "offsets yet",
                 name);
    else
        LOG_INFO(OA_LOGGER, "%s %zu source offset(s) of connector %s", reset ? "reset" : "wrote", n,
                 name);
    reply_message(r, reset);
}

static void source_reset(offset_store *store, const char *name, herder_reply *r)
{
    src_scan s = {.name = name, .want_values = false};
    offset_store_foreach(store, src_scan_fn, &s);
    offset_entry *v = s.n ? calloc(s.n, sizeof(*v)) : NULL;
    if (s.oom || (s.n && v == NULL)) {
        src_scan_free(&s);
        free(v);
        herder_reply_error(r, 500,
                           "Failed to modify offsets for source connector %s: out of "
                           "memory",
                           name);
        return;
    }
    for (size_t i = 0; i < s.n; i++) {
        v[i].key = s.v[i].key; /* handed over to v */
        v[i].key_len = s.v[i].key_len;
        s.v[i].key = NULL;
    }
    size_t n = s.n;
    src_scan_free(&s);
    source_write(store, name, v, n, true, r);
    entries_free(v, n);
}

static void source_alter(offset_store *store, const char *name, const json_t *offsets,
                         herder_reply *r)
{
    size_t n = json_array_size(offsets);
    offset_entry *v = calloc(n, sizeof(*v));
    if (v == NULL) {
        herder_reply_error(r, 500, "out of memory");
        return;
    }
    char err[1024];
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(offsets, i);
        const json_t *jp = json_object_get(e, "partition");
        const json_t *jo = json_object_get(e, "offset");
        err[0] = '\0';
        if (!json_is_object(jp)) {
            /* Connect would write a key with a null partition, which no task can ever read
             * back; refuse it instead. */
            herder_reply_error(r, 400,
                               "The partition for a source connector offset cannot be null or "
                               "missing");
            entries_free(v, i);
            return;
        }
        sl_value *pv = source_map(jp, err, sizeof(err));
        sl_value *ov = NULL;
        if (pv != NULL && json_is_object(jo))
            ov = source_map(jo, err, sizeof(err));
        if (pv == NULL || (json_is_object(jo) && ov == NULL)) {
            /* OffsetUtils throws a DataException, which Connect maps to 500. */
            herder_reply_error(r, 500, "%s", err);
            sl_value_destroy(pv);
            entries_free(v, i);
            return;
        }
        v[i].key = offset_tracker_key(name, pv, &v[i].key_len);
        if (ov != NULL)
            v[i].value = offset_tracker_offset_json(ov, &v[i].value_len);
        bool oom = v[i].key == NULL || (ov != NULL && v[i].value == NULL);
        sl_value_destroy(pv);
        sl_value_destroy(ov);
        if (oom) {
            herder_reply_error(r, 500,
                               "Failed to modify offsets for source connector %s: out "
                               "of memory",
                               name);
            entries_free(v, i + 1);
            return;
        }
    }
    source_write(store, name, v, n, false, r);
    entries_free(v, n);
}

/* ---- sink connectors: the consumer group ---- */

/* String.valueOf(value) as Connect's SinkUtils applies it to a Jackson-read JSON value, into
 * buf. */
static const char *java_string(const json_t *v, char *buf, size_t size)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        snprintf(buf, size, "%s", json_string_value(v));
        break;
    case JSON_INTEGER:
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: {
        /* Double.toString: always a fraction or an exponent. */
        snprintf(buf, size, "%.17g", json_real_value(v));
        if (strpbrk(buf, ".eEn") == NULL && strlen(buf) + 2 < size)
            strcat(buf, ".0");
        break;
    }
    case JSON_TRUE:
        snprintf(buf, size, "true");
        break;
    case JSON_FALSE:
        snprintf(buf, size, "false");
        break;
    case JSON_NULL:
        snprintf(buf, size, "null");
        break;
    default: {
        char *text = store_json_dump(v);
        snprintf(buf, size, "%s", text ? text : "");
        free(text);
    }
    }
    return buf;
}

/* Java's Long.parseLong / Integer.parseInt: an optional sign and decimal digits, in range. */
static bool java_parse_long(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (*p == '\0')
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* SinkUtils.parseSinkConnectorOffsets: the request's pairs as topic partitions, with
 * RD_KAFKA_OFFSET_INVALID for a null offset (remove it). A later pair for the same partition
 * wins. NULL after filling `r` with Connect's 400. */
static rd_kafka_topic_partition_list_t *sink_parse(const char *name, const json_t *offsets,
                                                   herder_reply *r)
{
    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new((int)json_array_size(offsets));
    char topic[1024], buf[1024], negative[1200] = "";
    size_t i;
    const json_t *e;
    json_array_foreach(offsets, i, e)
    {
        const json_t *jp = json_object_get(e, "partition");
        const json_t *jo = json_object_get(e, "offset");
        if (!json_is_object(jp)) {
            herder_reply_error(r, 400,
                               "The partition for a sink connector offset cannot be null or "
                               "missing");
            goto bad;
        }
        const json_t *jt = json_object_get(jp, "kafka_topic");
        const json_t *jn = json_object_get(jp, "kafka_partition");
        if (jt == NULL || jn == NULL) {
            herder_reply_error(r, 400,
                               "The partition for a sink connector offset must contain the keys "
                               "'kafka_topic' and 'kafka_partition'");
            goto bad;
        }
        if (json_is_null(jt)) {
            herder_reply_error(r, 400,
                               "Kafka topic names must be valid strings and may not be "
                               "null");
            goto bad;
        }
        if (json_is_null(jn)) {
            herder_reply_error(r, 400,
                               "Kafka partitions must be valid numbers and may not be "
                               "null");
            goto bad;
        }
        java_string(jt, topic, sizeof(topic));
        int64_t partition = 0;
        if (!java_parse_long(java_string(jn, buf, sizeof(buf)), INT32_MIN, INT32_MAX, &partition)) {
            herder_reply_error(r, 400,
                               "Failed to parse the following Kafka partition value in the "
                               "provided offsets: '%s'. Partition values for sink connectors "
                               "need to be integers.",
                               buf);
            goto bad;
        }
        int64_t offset = RD_KAFKA_OFFSET_INVALID;
        if (json_is_object(jo)) {
            const json_t *jk = json_object_get(jo, "kafka_offset");
            if (jk == NULL) {
                herder_reply_error(r, 400,
                                   "The offset for a sink connector should either be null or "
                                   "contain the key 'kafka_offset'");
                goto bad;
            }
            if (!java_parse_long(java_string(jk, buf, sizeof(buf)), INT64_MIN, INT64_MAX,
                                 &offset)) {
                herder_reply_error(r, 400,
                                   "Failed to parse the following Kafka offset value in the "
                                   "provided offsets: '%s'. Offset values for sink connectors "
                                   "need to be integers.",
                                   buf);
                goto bad;
            }
            if (offset < 0 && negative[0] == '\0')
                snprintf(negative, sizeof(negative),
                         "Invalid negative offset %" PRId64 " for %s-%" PRId64, offset, topic,
                         partition);
        }
        rd_kafka_topic_partition_t *tp =
            rd_kafka_topic_partition_list_find(l, topic, (int32_t)partition);
        if (tp == NULL)
            tp = rd_kafka_topic_partition_list_add(l, topic, (int32_t)partition);
        tp->offset = offset;
    }
    if (negative[0] != '\0') {
        /* new OffsetAndMetadata(negative) throws after parsing; Connect wraps it as a 500. */
        herder_reply_error(r, 500, "Failed to modify offsets for sink connector %s: %s", name,
                           negative);
        goto bad;
    }
    return l;
bad:
    rd_kafka_topic_partition_list_destroy(l);
    return NULL;
}

static group_offsets *sink_open(const sl_props *worker, const char *name, const sl_props *config,
                                const char *what, herder_reply *r)
{
    char err[1024] = "";
    group_offsets *g =
        group_offsets_open(worker, name, config, OA_ADMIN_TIMEOUT_MS, err, sizeof(err));
    if (g == NULL)
        herder_reply_error(r, 500, "Failed to %s for sink connector %s: %s", what, name, err);
    return g;
}

static void sink_get(const sl_props *worker, const char *name, const sl_props *config,
                     herder_reply *r)
{
    group_offsets *g = sink_open(worker, name, config, "retrieve consumer group offsets", r);
    if (g == NULL)
        return;
    char err[1024] = "";
    rd_kafka_topic_partition_list_t *l = NULL;
    if (group_offsets_list(g, &l, err, sizeof(err)) != GROUP_OFFSETS_OK) {
        LOG_ERROR(OA_LOGGER, "Failed to retrieve consumer group offsets for sink connector %s: %s",
                  name, err);
        herder_reply_error(r, 500,
                           "Failed to retrieve consumer group offsets for sink connector %s: %s",
                           name, err);
        group_offsets_close(g);
        return;
    }
    json_t *arr = json_array();
    for (int i = 0; i < l->cnt; i++)
        json_array_append_new(arr, json_pack("{s:{s:s,s:i},s:{s:I}}", "partition", "kafka_topic",
                                             l->elems[i].topic, "kafka_partition",
                                             (int)l->elems[i].partition, "offset", "kafka_offset",
                                             (json_int_t)l->elems[i].offset));
    rd_kafka_topic_partition_list_destroy(l);
    group_offsets_close(g);
    herder_reply_json(r, 200, json_pack("{s:o}", "offsets", arr));
}

/* Connect's wording when the group still has members (Worker.alterSinkConnectorOffsets /
 * resetSinkConnectorOffsets). */
static void sink_zombie(herder_reply *r, const char *name, const char *verb, const char *err)
{
    LOG_ERROR(OA_LOGGER, "connector %s: %s", name, err);
    herder_reply_error(r, 500,
                       "Failed to %s consumer group offsets for connector %s either because its "
                       "tasks haven't stopped completely yet or the connector was resumed before "
                       "the request to %s its offsets could be successfully completed. If the "
                       "connector is in a stopped state, this operation can be safely retried. If "
                       "it doesn't eventually succeed, the Connect cluster may need to be "
                       "restarted to get rid of the zombie sink tasks.",
                       verb, name, verb);
}

static void sink_alter(const sl_props *worker, const char *name, const sl_props *config,
                       const json_t *offsets, herder_reply *r)
{
    bool reset = offsets == NULL;
    rd_kafka_topic_partition_list_t *l = NULL;
    if (!reset && (l = sink_parse(name, offsets, r)) == NULL)
        return;
    group_offsets *g = sink_open(worker, name, config, "modify offsets", r);
    if (g == NULL) {
        if (l != NULL)
            rd_kafka_topic_partition_list_destroy(l);
        return;
    }
    char err[1024] = "";
    int rc = reset ? group_offsets_reset(g, err, sizeof(err))
                   : group_offsets_alter(g, l, err, sizeof(err));
    const char *verb = reset ? "reset" : "alter";
    if (rc == GROUP_OFFSETS_ACTIVE) {
        sink_zombie(r, name, verb, err);
    } else if (rc != GROUP_OFFSETS_OK) {
        LOG_ERROR(OA_LOGGER, "Failed to %s consumer group offsets for connector %s: %s", verb, name,
                  err);
        herder_reply_error(r, 500, "Failed to %s consumer group offsets for %sconnector %s: %s",
                           verb, reset ? "sink " : "", name, err);
    } else {
        LOG_INFO(OA_LOGGER, "%s the offsets of consumer group %s (connector %s)",
                 reset ? "reset" : "altered", group_offsets_group(g), name);
        reply_message(r, reset);
    }
    group_offsets_close(g);
    if (l != NULL)
        rd_kafka_topic_partition_list_destroy(l);
}

/* ---- entry points ---- */

void offsets_admin_get(const sl_props *worker, offset_store *store, const char *name,
                       const sl_props *config, herder_reply *r)
{
    switch (connector_kind(config, r)) {
    case OA_SOURCE:
        source_get(store, name, r);
        break;
    case OA_SINK:
        sink_get(worker, name, config, r);
        break;
    default:
        break;
    }
}

void offsets_admin_alter(const sl_props *worker, offset_store *store, const char *name,
                         const sl_props *config, json_t *body, herder_reply *r)
{
    if (!offsets_admin_check_body(body, r))
        return;
    const json_t *offsets = body ? json_object_get(body, "offsets") : NULL;
    switch (connector_kind(config, r)) {
    case OA_SOURCE:
        if (offsets == NULL)
            source_reset(store, name, r);
        else
            source_alter(store, name, offsets, r);
        break;
    case OA_SINK:
        sink_alter(worker, name, config, offsets, r);
        break;
    default:
        break;
    }
}
