/* runtime/offset_tracker.c: per-source-partition rings of in-flight records; the committable
 * offset of a partition is the last record of its fully acked prefix (Connect's SubmittedRecords).
 */
#include "runtime/offset_tracker.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/value_internal.h"

#define SEQ_BITS 40
#define SEQ_MASK ((UINT64_C(1) << SEQ_BITS) - 1)
#define MAX_SLOTS (UINT64_C(1) << (64 - SEQ_BITS))

/* One in-flight record: its serialized offset (NULL = null offset) and, when the task wants
 * records back on ack, the record itself. */
typedef struct inflight {
    char *offset;
    uint32_t offset_len;
    bool acked;
    sl_record *rec;
} inflight;

typedef struct slot {
    sl_value *partition; /* our copy; NULL for the null-partition slot */
    uint64_t hash;
    char *key; /* offsets-topic key; NULL for the null-partition slot */
    size_t key_len;
    inflight *ring; /* capacity is a power of two */
    size_t cap, head, count;
    uint64_t head_seq, next_seq; /* masked to SEQ_BITS */
    bool has_committable;        /* some record of the acked prefix exists */
    char *committable;           /* its offset JSON (NULL = null offset) */
    uint32_t committable_len;
    uint64_t gen;        /* bumped when committable changes */
    uint64_t stored_gen; /* gen last written to the store */
} slot;

struct offset_tracker {
    char *connector;
    slot *slots;
    size_t nslots, slots_cap;
    int64_t null_slot; /* -1 until a record without source partition shows up */
    uint32_t *table;   /* open addressing: slot index + 1, 0 = empty */
    size_t table_cap;
    size_t last_slot; /* most records come from the partition of the previous one */
    size_t in_flight;
    /* current snapshot */
    offset_entry *snap;
    size_t *snap_slots;
    uint64_t *snap_gens;
    size_t snap_n;
};

/* ---- hashing of source partition maps (FNV-1a over the value's content) ---- */

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static uint64_t value_hash(uint64_t h, const sl_value *v)
{
    if (v == NULL)
        return fnv(h, "\0n", 2);
    sl_type type = sl_value_type(v);
    unsigned char tb = (unsigned char)type;
    h = fnv(h, &tb, 1);
    switch (type) {
    case SL_TYPE_INT8:
    case SL_TYPE_INT16:
    case SL_TYPE_INT32:
    case SL_TYPE_INT64: {
        int64_t i = 0;
        sl_value_get_int(v, &i);
        return fnv(h, &i, sizeof(i));
    }
    case SL_TYPE_FLOAT32:
    case SL_TYPE_FLOAT64: {
        double d = 0;
        sl_value_get_double(v, &d);
        return fnv(h, &d, sizeof(d));
    }
    case SL_TYPE_BOOLEAN: {
        unsigned char b = sl_value_get_bool(v) ? 1 : 0;
        return fnv(h, &b, 1);
    }
    case SL_TYPE_STRING: {
        size_t len = 0;
        const char *s = sl_value_get_string(v, &len);
        return fnv(h, s, s ? len : 0);
    }
    case SL_TYPE_BYTES: {
        size_t len = 0;
        const void *b = sl_value_get_bytes(v, &len);
        return fnv(h, b, b ? len : 0);
    }
    case SL_TYPE_ARRAY:
        for (size_t i = 0, n = sl_value_array_len(v); i < n; i++)
            h = value_hash(h, sl_value_array_get(v, i));
        return h;
    case SL_TYPE_MAP:
        for (size_t i = 0, n = sl_value_map_len(v); i < n; i++) {
            h = value_hash(h, sl_value_map_key_at(v, i));
            h = value_hash(h, sl_value_map_value_at(v, i));
        }
        return h;
    case SL_TYPE_STRUCT: {
        const sl_schema *s = sl_value_struct_schema(v);
        for (size_t i = 0, n = sl_schema_field_count(s); i < n; i++)
            h = value_hash(h, sl_value_struct_get_index(v, i));
        return h;
    }
    }
    return h;
}

/* ---- fast serialization of common offset maps ---- */

/* True if `s` can be written between JSON quotes as is (Jackson escapes nothing in it). */
static bool plain_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return false;
    }
    return true;
}

/* Compact JSON of an offset map whose keys and string values are plain ASCII and whose other
 * values are integers, booleans or null: the bulk of real offsets ({"position":42}). Writes
 * what value_to_json writes, without its generality; returns NULL (not handled) otherwise,
 * and the caller falls back to value_to_json_len. Caller frees. */
static char *fast_offset_json(const sl_value *map, size_t *out_len)
{
    char buf[512];
    size_t n = 0;
    size_t entries = sl_value_map_len(map);
    buf[n++] = '{';
    for (size_t i = 0; i < entries; i++) {
        size_t klen = 0;
        const char *k = sl_value_get_string(sl_value_map_key_at(map, i), &klen);
        if (k == NULL || sl_value_type(sl_value_map_key_at(map, i)) != SL_TYPE_STRING ||
            !plain_ascii(k, klen) || n + klen + 48 > sizeof(buf))
            return NULL;
        if (i > 0)
            buf[n++] = ',';
        buf[n++] = '"';
        memcpy(buf + n, k, klen);
        n += klen;
        buf[n++] = '"';
        buf[n++] = ':';
        const sl_value *v = sl_value_map_value_at(map, i);
        if (v == NULL) {
            memcpy(buf + n, "null", 4);
            n += 4;
            continue;
        }
        switch (sl_value_type(v)) {
        case SL_TYPE_INT8:
        case SL_TYPE_INT16:
        case SL_TYPE_INT32:
        case SL_TYPE_INT64: {
            int64_t x = 0;
            sl_value_get_int(v, &x);
            char digits[24];
            size_t d = 0;
            uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
            do {
                digits[d++] = (char)('0' + u % 10);
                u /= 10;
            } while (u != 0);
            if (x < 0)
                buf[n++] = '-';
            while (d > 0)
                buf[n++] = digits[--d];
            break;
        }
        case SL_TYPE_BOOLEAN:
            if (sl_value_get_bool(v)) {
                memcpy(buf + n, "true", 4);
                n += 4;
            } else {
                memcpy(buf + n, "false", 5);
                n += 5;
            }
            break;
        case SL_TYPE_STRING: {
            size_t slen = 0;
            const char *str = sl_value_get_string(v, &slen);
            if (!plain_ascii(str, slen) || n + slen + 8 > sizeof(buf))
                return NULL;
            buf[n++] = '"';
            memcpy(buf + n, str, slen);
            n += slen;
            buf[n++] = '"';
            break;
        }
        default:
            return NULL;
        }
    }
    buf[n++] = '}';
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, buf, n);
    out[n] = '\0';
    *out_len = n;
    return out;
}

char *offset_tracker_offset_json(const sl_value *offset, size_t *len)
{
    char *json = fast_offset_json(offset, len);
    return json != NULL ? json : value_to_json_len(offset, NULL, len);
}

/* ---- keys ---- */

char *offset_tracker_key(const char *connector, const sl_value *partition, size_t *len)
{
    /* Java's JsonConverter writes the key as a compact JSON array; jansson escapes strings
     * the same way Jackson does for what can appear here (quotes, backslash, control chars
     * as \b \f \n \r \t or \u00XX, UTF-8 left as is, '/' not escaped). */
    json_t *name = json_string(connector ? connector : "");
    if (name == NULL)
        return NULL;
    char *name_json = json_dumps(name, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(name);
    if (name_json == NULL)
        return NULL;
    size_t plen = 0;
    char *pjson = value_to_json_len(partition, NULL, &plen);
    if (pjson == NULL) {
        free(name_json);
        return NULL;
    }
    size_t nlen = strlen(name_json);
    size_t total = 1 + nlen + 1 + plen + 1;
    char *key = malloc(total + 1);
    if (key != NULL) {
        char *p = key;
        *p++ = '[';
        memcpy(p, name_json, nlen);
        p += nlen;
        *p++ = ',';
        memcpy(p, pjson, plen);
        p += plen;
        *p++ = ']';
        *p = '\0';
        if (len != NULL)
            *len = total;
    }
    free(name_json);
    free(pjson);
    return key;
}

/* ---- tracker ---- */

offset_tracker *offset_tracker_new(const char *connector)
{
    offset_tracker *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->connector = strdup(connector ? connector : "");
    t->table_cap = 16;
    t->table = calloc(t->table_cap, sizeof(*t->table));
    if (t->connector == NULL || t->table == NULL) {
        offset_tracker_destroy(t);
        return NULL;
    }
    t->null_slot = -1;
    return t;
}

static void snapshot_free(offset_tracker *t)
{
    for (size_t i = 0; i < t->snap_n; i++)
        free((char *)t->snap[i].value);
    free(t->snap);
    free(t->snap_slots);
    free(t->snap_gens);
    t->snap = NULL;
    t->snap_slots = NULL;
    t->snap_gens = NULL;
    t->snap_n = 0;
}

void offset_tracker_destroy(offset_tracker *t)
{
    if (t == NULL)
        return;
    snapshot_free(t);
    for (size_t i = 0; i < t->nslots; i++) {
        slot *s = &t->slots[i];
        for (size_t k = 0; k < s->count; k++) {
            inflight *e = &s->ring[(s->head + k) & (s->cap - 1)];
            free(e->offset);
            sl_record_release(e->rec);
        }
        free(s->ring);
        free(s->committable);
        sl_value_destroy(s->partition);
        free(s->key);
    }
    free(t->slots);
    free(t->table);
    free(t->connector);
    free(t);
}

static int table_grow(offset_tracker *t)
{
    size_t cap = t->table_cap * 2;
    uint32_t *nt = calloc(cap, sizeof(*nt));
    if (nt == NULL)
        return SL_ERR;
    for (size_t i = 0; i < t->nslots; i++) {
        if (t->slots[i].partition == NULL)
            continue;
        size_t pos = (size_t)t->slots[i].hash & (cap - 1);
        while (nt[pos] != 0)
            pos = (pos + 1) & (cap - 1);
        nt[pos] = (uint32_t)(i + 1);
    }
    free(t->table);
    t->table = nt;
    t->table_cap = cap;
    return SL_OK;
}

static int64_t slot_add(offset_tracker *t, const sl_value *partition, uint64_t hash, char *errstr,
                        size_t errstr_size)
{
    if (t->nslots + 1 >= MAX_SLOTS || t->nslots + 1 > UINT32_MAX - 1) {
        snprintf(errstr, errstr_size, "too many source partitions");
        return -1;
    }
    if (t->nslots == t->slots_cap) {
        size_t cap = t->slots_cap ? t->slots_cap * 2 : 8;
        slot *ns = realloc(t->slots, cap * sizeof(*ns));
        if (ns == NULL)
            goto oom;
        t->slots = ns;
        t->slots_cap = cap;
    }
    slot s = {0};
    s.hash = hash;
    if (partition != NULL) {
        if (value_validate_offset_map(partition, errstr, errstr_size) != SL_OK)
            return -1;
        s.partition = sl_value_copy(partition);
        s.key = offset_tracker_key(t->connector, partition, &s.key_len);
        if (s.partition == NULL || s.key == NULL) {
            sl_value_destroy(s.partition);
            free(s.key);
            goto oom;
        }
    }
    size_t idx = t->nslots;
    t->slots[t->nslots++] = s;
    if (partition != NULL) {
        if ((t->nslots) * 2 > t->table_cap && table_grow(t) != SL_OK) {
            t->nslots--;
            sl_value_destroy(s.partition);
            free(s.key);
            goto oom;
        }
        size_t pos = (size_t)hash & (t->table_cap - 1);
        while (t->table[pos] != 0)
            pos = (pos + 1) & (t->table_cap - 1);
        t->table[pos] = (uint32_t)(idx + 1);
    }
    return (int64_t)idx;
oom:
    snprintf(errstr, errstr_size, "out of memory tracking source offsets");
    return -1;
}

static int64_t slot_find(offset_tracker *t, const sl_value *partition, char *errstr,
                         size_t errstr_size)
{
    if (partition == NULL) {
        if (t->null_slot < 0)
            t->null_slot = slot_add(t, NULL, 0, errstr, errstr_size);
        return t->null_slot;
    }
    uint64_t hash = value_hash(UINT64_C(0xcbf29ce484222325), partition);
    if (t->last_slot < t->nslots) {
        slot *s = &t->slots[t->last_slot];
        if (s->partition != NULL && s->hash == hash && sl_value_equals(s->partition, partition))
            return (int64_t)t->last_slot;
    }
    size_t pos = (size_t)hash & (t->table_cap - 1);
    while (t->table[pos] != 0) {
        slot *s = &t->slots[t->table[pos] - 1];
        if (s->hash == hash && sl_value_equals(s->partition, partition)) {
            t->last_slot = t->table[pos] - 1;
            return (int64_t)t->last_slot;
        }
        pos = (pos + 1) & (t->table_cap - 1);
    }
    int64_t idx = slot_add(t, partition, hash, errstr, errstr_size);
    if (idx >= 0)
        t->last_slot = (size_t)idx;
    return idx;
}

static int ring_push(slot *s, char *offset, uint32_t offset_len, sl_record *rec)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        inflight *nr = malloc(cap * sizeof(*nr));
        if (nr == NULL)
            return SL_ERR;
        for (size_t k = 0; k < s->count; k++)
            nr[k] = s->ring[(s->head + k) & (s->cap - 1)];
        free(s->ring);
        s->ring = nr;
        s->cap = cap;
        s->head = 0;
    }
    s->ring[(s->head + s->count) & (s->cap - 1)] =
        (inflight){.offset = offset, .offset_len = offset_len, .acked = false, .rec = rec};
    s->count++;
    s->next_seq = (s->next_seq + 1) & SEQ_MASK;
    return SL_OK;
}

int offset_tracker_submit(offset_tracker *t, sl_record *record, bool keep_record,
                          offset_token *token, char *errstr, size_t errstr_size)
{
    int64_t idx = slot_find(t, sl_record_source_partition(record), errstr, errstr_size);
    if (idx < 0)
        return SL_ERR;
    slot *s = &t->slots[idx];
    if (s->count >= SEQ_MASK) {
        snprintf(errstr, errstr_size, "too many records in flight");
        return SL_ERR;
    }
    /* Serialize the offset now, while the record is hot, instead of keeping the record
     * alive until Kafka acknowledges it: the JSON is what the store needs anyway. */
    char *json = NULL;
    size_t len = 0;
    if (s->partition != NULL) {
        const sl_value *off = sl_record_source_offset(record);
        if (off != NULL) {
            char verr[256] = "";
            if (value_validate_offset_map(off, verr, sizeof(verr)) != SL_OK) {
                snprintf(errstr, errstr_size, "invalid source offset for partition %.*s: %s",
                         (int)s->key_len, s->key, verr);
                return SL_ERR;
            }
            json = offset_tracker_offset_json(off, &len);
            if (json == NULL || len > UINT32_MAX) {
                free(json);
                snprintf(errstr, errstr_size, "out of memory tracking source offsets");
                return SL_ERR;
            }
        }
    }
    uint64_t seq = s->next_seq;
    if (ring_push(s, json, (uint32_t)len, keep_record ? sl_record_retain(record) : NULL) != SL_OK) {
        free(json);
        if (keep_record)
            sl_record_release(record);
        snprintf(errstr, errstr_size, "out of memory tracking source offsets");
        return SL_ERR;
    }
    t->in_flight++;
    *token = ((uint64_t)idx << SEQ_BITS) | seq;
    return SL_OK;
}

int offset_tracker_ack(offset_tracker *t, offset_token token, sl_record **record)
{
    if (record != NULL)
        *record = NULL;
    uint64_t idx = token >> SEQ_BITS;
    if (idx >= t->nslots)
        return SL_ERR;
    slot *s = &t->slots[idx];
    uint64_t d = ((token & SEQ_MASK) - s->head_seq) & SEQ_MASK;
    if (d >= s->count)
        return SL_ERR;
    inflight *e = &s->ring[(s->head + d) & (s->cap - 1)];
    if (e->acked)
        return SL_ERR;
    e->acked = true;
    t->in_flight--;
    if (record != NULL) {
        *record = e->rec;
        e->rec = NULL;
    }
    /* Only the acked prefix may be committed: a later record's offset would claim that every
     * earlier record of the partition is in Kafka (Connect's SubmittedRecords). */
    while (s->count > 0 && s->ring[s->head].acked) {
        inflight *h = &s->ring[s->head];
        if (s->partition != NULL) {
            free(s->committable);
            s->committable = h->offset;
            s->committable_len = h->offset_len;
            s->has_committable = true;
            s->gen++;
        } else {
            free(h->offset);
        }
        sl_record_release(h->rec);
        h->offset = NULL;
        h->rec = NULL;
        s->head = (s->head + 1) & (s->cap - 1);
        s->count--;
        s->head_seq = (s->head_seq + 1) & SEQ_MASK;
    }
    return SL_OK;
}

int offset_tracker_cancel(offset_tracker *t, offset_token token)
{
    uint64_t idx = token >> SEQ_BITS;
    if (idx >= t->nslots)
        return SL_ERR;
    slot *s = &t->slots[idx];
    if (s->count == 0 || (token & SEQ_MASK) != ((s->next_seq - 1) & SEQ_MASK))
        return SL_ERR;
    inflight *e = &s->ring[(s->head + s->count - 1) & (s->cap - 1)];
    if (e->acked)
        return SL_ERR;
    free(e->offset);
    sl_record_release(e->rec);
    s->count--;
    s->next_seq = (s->next_seq - 1) & SEQ_MASK;
    t->in_flight--;
    return SL_OK;
}

size_t offset_tracker_in_flight(const offset_tracker *t)
{
    return t->in_flight;
}

size_t offset_tracker_partitions(const offset_tracker *t)
{
    return t->nslots;
}

int offset_tracker_snapshot(offset_tracker *t, const offset_entry **entries, size_t *n,
                            char *errstr, size_t errstr_size)
{
    snapshot_free(t);
    *entries = NULL;
    *n = 0;
    size_t dirty = 0;
    for (size_t i = 0; i < t->nslots; i++)
        if (t->slots[i].has_committable && t->slots[i].gen != t->slots[i].stored_gen)
            dirty++;
    if (dirty == 0)
        return SL_OK;
    t->snap = calloc(dirty, sizeof(*t->snap));
    t->snap_slots = calloc(dirty, sizeof(*t->snap_slots));
    t->snap_gens = calloc(dirty, sizeof(*t->snap_gens));
    if (t->snap == NULL || t->snap_slots == NULL || t->snap_gens == NULL) {
        snapshot_free(t);
        snprintf(errstr, errstr_size, "out of memory building the offset snapshot");
        return SL_ERR;
    }
    for (size_t i = 0; i < t->nslots; i++) {
        slot *s = &t->slots[i];
        if (!s->has_committable || s->gen == s->stored_gen)
            continue;
        offset_entry *e = &t->snap[t->snap_n];
        e->key = s->key;
        e->key_len = s->key_len;
        if (s->committable != NULL) {
            /* A copy: the slot's may be replaced by acks before the snapshot is done. */
            char *v = malloc((size_t)s->committable_len + 1);
            if (v == NULL) {
                snapshot_free(t);
                snprintf(errstr, errstr_size, "out of memory building the offset snapshot");
                return SL_ERR;
            }
            memcpy(v, s->committable, s->committable_len);
            v[s->committable_len] = '\0';
            e->value = v;
            e->value_len = s->committable_len;
        }
        t->snap_slots[t->snap_n] = i;
        t->snap_gens[t->snap_n] = s->gen;
        t->snap_n++;
    }
    *entries = t->snap;
    *n = t->snap_n;
    return SL_OK;
}

void offset_tracker_snapshot_done(offset_tracker *t, bool committed)
{
    if (committed)
        for (size_t i = 0; i < t->snap_n; i++)
            t->slots[t->snap_slots[i]].stored_gen = t->snap_gens[i];
    snapshot_free(t);
}

static sl_value *json_to_value(const json_t *j, int depth)
{
    if (depth > 64)
        return NULL;
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        sl_value *m = sl_value_new_map();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v)
        {
            sl_value *item = NULL;
            if (!json_is_null(v) && (item = json_to_value(v, depth + 1)) == NULL) {
                sl_value_destroy(m);
                return NULL;
            }
            if (sl_value_map_put_str(m, k, item) != SL_OK) {
                sl_value_destroy(m);
                return NULL;
            }
        }
        return m;
    }
    case JSON_ARRAY: {
        sl_value *a = sl_value_new_array();
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            sl_value *item = NULL;
            if (!json_is_null(v) && (item = json_to_value(v, depth + 1)) == NULL) {
                sl_value_destroy(a);
                return NULL;
            }
            if (sl_value_array_append(a, item) != SL_OK) {
                sl_value_destroy(a);
                return NULL;
            }
        }
        return a;
    }
    case JSON_STRING:
        return sl_value_new_string(json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return sl_value_new_int64((int64_t)json_integer_value(j));
    case JSON_REAL:
        return sl_value_new_float64(json_real_value(j));
    case JSON_TRUE:
        return sl_value_new_boolean(true);
    case JSON_FALSE:
        return sl_value_new_boolean(false);
    case JSON_NULL:
        return NULL;
    }
    return NULL;
}

sl_value *offset_tracker_parse_value(const char *json, size_t len, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    /* JSON_PRESERVE_ORDER is the default for jansson >= 2.8 objects' iteration order. */
    json_t *j = json_loadb(json, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (j == NULL) {
        snprintf(errstr, errstr_size, "malformed stored offset: %s", jerr.text);
        return NULL;
    }
    if (errstr_size > 0)
        errstr[0] = '\0';
    sl_value *v = json_is_null(j) ? NULL : json_to_value(j, 0);
    if (v == NULL && !json_is_null(j))
        snprintf(errstr, errstr_size, "stored offset too deep or out of memory");
    json_decref(j);
    return v;
}
