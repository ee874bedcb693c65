/* data/record.c: the refcounted record (Connect's SourceRecord/SinkRecord with headers) that
 * flows through tasks and transforms; one allocation per record on the hot path. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "data/record_internal.h"
#include "data/value_layout.h"

typedef struct record_header {
    char *key;
    sl_schema *schema;
    sl_value *value;
} record_header;

struct sl_record {
    atomic_int refs;
    int32_t partition;
    int64_t offset;
    int64_t timestamp;
    sl_timestamp_type ts_type;
    char *topic; /* == orig_topic until a transform renames the record; then malloc'd */
    sl_schema *key_schema;
    sl_value *key;
    sl_schema *value_schema;
    sl_value *value;
    record_header *headers;
    size_t nheaders, hcap;
    sl_value *src_partition;
    sl_value *src_offset;
    void *user;
    void (*user_free)(void *user); /* non-NULL: the record owns `user` */
    char orig_topic[]; /* the topic given at creation, in the same allocation */
};

static sl_record *record_alloc(const char *topic)
{
    size_t tlen = strlen(topic);
    sl_record *r = malloc(sizeof(*r) + tlen + 1);
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof(*r));
    atomic_init(&r->refs, 1);
    memcpy(r->orig_topic, topic, tlen + 1);
    r->topic = r->orig_topic;
    r->partition = -1;
    r->offset = -1;
    r->timestamp = -1;
    r->ts_type = SL_TS_NONE;
    return r;
}

sl_record *sl_source_record_new(const char *topic, int32_t partition, sl_schema *key_schema,
                                 sl_value *key, sl_schema *value_schema, sl_value *value)
{
    sl_record *r = topic ? record_alloc(topic) : NULL;
    if (r == NULL) {
        sl_schema_unref(key_schema);
        sl_value_destroy(key);
        sl_schema_unref(value_schema);
        sl_value_destroy(value);
        return NULL;
    }
    r->partition = partition;
    r->key_schema = key_schema;
    r->key = key;
    r->value_schema = value_schema;
    r->value = value;
    return r;
}

sl_record *record_new_consumed(const char *topic, int32_t partition, int64_t offset,
                               int64_t timestamp, sl_timestamp_type ts_type)
{
    sl_record *r = topic ? record_alloc(topic) : NULL;
    if (r == NULL)
        return NULL;
    r->partition = partition;
    r->offset = offset;
    r->timestamp = timestamp;
    r->ts_type = ts_type;
    return r;
}

static void header_fini(record_header *h)
{
    free(h->key);
    sl_schema_unref(h->schema);
    sl_value_destroy(h->value);
}

static void record_free(sl_record *r)
{
    if (r->topic != r->orig_topic)
        free(r->topic);
    sl_schema_unref(r->key_schema);
    sl_value_destroy(r->key);
    sl_schema_unref(r->value_schema);
    sl_value_destroy(r->value);
    for (size_t i = 0; i < r->nheaders; i++)
        header_fini(&r->headers[i]);
    free(r->headers);
    sl_value_destroy(r->src_partition);
    sl_value_destroy(r->src_offset);
    if (r->user_free != NULL)
        r->user_free(r->user);
    free(r);
}

sl_record *sl_record_retain(sl_record *r)
{
    if (r)
        atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    return r;
}

void sl_record_release(sl_record *r)
{
    if (r && atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1)
        record_free(r);
}

void sl_record_set_source_position(sl_record *r, sl_value *partition, sl_value *offset)
{
    if (r == NULL) {
        sl_value_destroy(partition);
        sl_value_destroy(offset);
        return;
    }
    sl_value_destroy(r->src_partition);
    sl_value_destroy(r->src_offset);
    r->src_partition = partition;
    r->src_offset = offset;
}

const sl_value *sl_record_source_partition(const sl_record *r)
{
    return r ? r->src_partition : NULL;
}

const sl_value *sl_record_source_offset(const sl_record *r) { return r ? r->src_offset : NULL; }

/* ---- metadata ---- */

const char *sl_record_topic(const sl_record *r) { return r ? r->topic : NULL; }
int32_t sl_record_partition(const sl_record *r) { return r ? r->partition : -1; }
int64_t sl_record_offset(const sl_record *r) { return r ? r->offset : -1; }
int64_t sl_record_timestamp(const sl_record *r) { return r ? r->timestamp : -1; }

sl_timestamp_type sl_record_timestamp_type(const sl_record *r)
{
    return r ? r->ts_type : SL_TS_NONE;
}

/* For source records this is the topic the connector gave, before any transform. */
const char *sl_record_original_topic(const sl_record *r) { return r ? r->orig_topic : NULL; }

const sl_value *sl_record_key(const sl_record *r) { return r ? r->key : NULL; }
const sl_schema *sl_record_key_schema(const sl_record *r) { return r ? r->key_schema : NULL; }
const sl_value *sl_record_value(const sl_record *r) { return r ? r->value : NULL; }
const sl_schema *sl_record_value_schema(const sl_record *r) { return r ? r->value_schema : NULL; }

/* A rename back to the original topic costs nothing; other renames one allocation. On
 * allocation failure the record keeps its old topic (the setter cannot report errors). */
void sl_record_set_topic(sl_record *r, const char *topic)
{
    if (r == NULL || topic == NULL || topic == r->topic)
        return;
    char *nt;
    if (strcmp(topic, r->orig_topic) == 0) {
        nt = r->orig_topic;
    } else {
        nt = strdup(topic);
        if (nt == NULL)
            return;
    }
    if (r->topic != r->orig_topic)
        free(r->topic);
    r->topic = nt;
}

void sl_record_set_partition(sl_record *r, int32_t partition)
{
    if (r)
        r->partition = partition;
}

void sl_record_set_timestamp(sl_record *r, int64_t ts, sl_timestamp_type type)
{
    if (r) {
        r->timestamp = ts;
        r->ts_type = type;
    }
}

/* The caller hands a reference even when it passes the schema the record already holds, so
 * dropping the old reference is always right; the same value pointer is kept, not freed. */
static void replace_slot(sl_schema **sslot, sl_value **vslot, sl_schema *schema, sl_value *v)
{
    sl_schema *old_s = *sslot;
    sl_value *old_v = *vslot;
    *sslot = schema;
    *vslot = v;
    sl_schema_unref(old_s);
    if (old_v != v)
        sl_value_destroy(old_v);
}

void sl_record_set_key(sl_record *r, sl_schema *schema, sl_value *key)
{
    if (r == NULL) {
        sl_schema_unref(schema);
        sl_value_destroy(key);
        return;
    }
    replace_slot(&r->key_schema, &r->key, schema, key);
}

void sl_record_set_value(sl_record *r, sl_schema *schema, sl_value *value)
{
    if (r == NULL) {
        sl_schema_unref(schema);
        sl_value_destroy(value);
        return;
    }
    replace_slot(&r->value_schema, &r->value, schema, value);
}

/* NULL out-pointers mean "not wanted": that part is dropped. */
static void take_slot(sl_schema **sslot, sl_value **vslot, sl_schema **schema, sl_value **v)
{
    if (schema)
        *schema = *sslot;
    else
        sl_schema_unref(*sslot);
    if (v)
        *v = *vslot;
    else
        sl_value_destroy(*vslot);
    *sslot = NULL;
    *vslot = NULL;
}

void sl_record_take_key(sl_record *r, sl_schema **schema, sl_value **key)
{
    if (r == NULL) {
        if (schema)
            *schema = NULL;
        if (key)
            *key = NULL;
        return;
    }
    take_slot(&r->key_schema, &r->key, schema, key);
}

void sl_record_take_value(sl_record *r, sl_schema **schema, sl_value **value)
{
    if (r == NULL) {
        if (schema)
            *schema = NULL;
        if (value)
            *value = NULL;
        return;
    }
    take_slot(&r->value_schema, &r->value, schema, value);
}

/* ---- headers ---- */

size_t sl_record_header_count(const sl_record *r) { return r ? r->nheaders : 0; }

const char *sl_record_header_key(const sl_record *r, size_t i)
{
    return r && i < r->nheaders ? r->headers[i].key : NULL;
}

const sl_schema *sl_record_header_schema(const sl_record *r, size_t i)
{
    return r && i < r->nheaders ? r->headers[i].schema : NULL;
}

const sl_value *sl_record_header_value(const sl_record *r, size_t i)
{
    return r && i < r->nheaders ? r->headers[i].value : NULL;
}

int sl_record_header_last(const sl_record *r, const char *key)
{
    if (r == NULL || key == NULL)
        return -1;
    for (size_t i = r->nheaders; i-- > 0;)
        if (strcmp(r->headers[i].key, key) == 0)
            return (int)i;
    return -1;
}

void sl_record_header_add(sl_record *r, const char *key, sl_schema *schema, sl_value *value)
{
    char *k = r && key ? strdup(key) : NULL;
    if (k && r->nheaders == r->hcap) {
        size_t cap = r->hcap ? r->hcap * 2 : 4;
        record_header *nh = realloc(r->headers, cap * sizeof(*nh));
        if (nh == NULL) {
            free(k);
            k = NULL;
        } else {
            r->headers = nh;
            r->hcap = cap;
        }
    }
    if (k == NULL) {
        sl_schema_unref(schema);
        sl_value_destroy(value);
        return;
    }
    r->headers[r->nheaders].key = k;
    r->headers[r->nheaders].schema = schema;
    r->headers[r->nheaders].value = value;
    r->nheaders++;
}

size_t sl_record_header_remove(sl_record *r, const char *key)
{
    if (r == NULL || key == NULL)
        return 0;
    size_t o = 0, removed = 0;
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcmp(r->headers[i].key, key) == 0) {
            header_fini(&r->headers[i]);
            removed++;
        } else {
            r->headers[o++] = r->headers[i];
        }
    }
    r->nheaders = o;
    return removed;
}

/* ---- worker-only ---- */

void record_set_user(sl_record *r, void *user)
{
    record_set_user_owned(r, user, NULL);
}

void record_set_user_owned(sl_record *r, void *user, void (*user_free)(void *user))
{
    if (r == NULL) {
        if (user_free != NULL)
            user_free(user);
        return;
    }
    if (r->user_free != NULL && r->user != user)
        r->user_free(r->user);
    r->user = user;
    r->user_free = user_free;
}

void *record_user(const sl_record *r) { return r ? r->user : NULL; }

void record_set_offset(sl_record *r, int64_t offset)
{
    if (r)
        r->offset = offset;
}

sl_record *record_copy(const sl_record *r)
{
    if (r == NULL)
        return NULL;
    sl_record *c = record_alloc(r->orig_topic);
    if (c == NULL)
        return NULL;
    c->partition = r->partition;
    c->offset = r->offset;
    c->timestamp = r->timestamp;
    c->ts_type = r->ts_type;
    c->user = r->user;
    bool ok = true;
    if (r->topic != r->orig_topic) {
        c->topic = strdup(r->topic);
        if (c->topic == NULL) {
            c->topic = c->orig_topic;
            ok = false;
        }
    }
    c->key_schema = sl_schema_ref(r->key_schema);
    c->value_schema = sl_schema_ref(r->value_schema);
    c->key = sl_value_copy(r->key);
    c->value = sl_value_copy(r->value);
    c->src_partition = sl_value_copy(r->src_partition);
    c->src_offset = sl_value_copy(r->src_offset);
    ok = ok && (c->key || !r->key) && (c->value || !r->value) &&
         (c->src_partition || !r->src_partition) && (c->src_offset || !r->src_offset);
    if (ok && r->nheaders) {
        c->headers = calloc(r->nheaders, sizeof(*c->headers));
        ok = c->headers != NULL;
        if (ok)
            c->hcap = r->nheaders;
        for (size_t i = 0; ok && i < r->nheaders; i++) {
            record_header *h = &c->headers[i];
            h->key = strdup(r->headers[i].key);
            h->schema = sl_schema_ref(r->headers[i].schema);
            h->value = sl_value_copy(r->headers[i].value);
            c->nheaders++;
            ok = h->key && (h->value || !r->headers[i].value);
        }
    }
    if (!ok) {
        record_free(c);
        return NULL;
    }
    return c;
}
