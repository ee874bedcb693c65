/* data/json_converter.c: org.apache.kafka.connect.json.JsonConverter: its configuration, the
 * {"schema":...,"payload":...} envelope, and the schema caches that keep the hot path cheap. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "data/converters.h"
#include "data/json_internal.h"

#define ENVELOPE_ERROR                                                                           \
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "  \
    "contain additional fields. If you are trying to deserialize plain JSON data, set "          \
    "schemas.enable=false in your converter configuration."
#define SERIALIZATION_ERROR                                                                      \
    "Converting byte[] to Kafka Connect data failed due to serialization error: "

/* JsonConverterConfig (plus ConverterConfig's converter.type, which the runtime sets). */
static const sl_config_def jsonc_config[] = {
    {.name = "converter.type",
     .type = SL_CFG_STRING,
     .importance = SL_IMPORTANCE_LOW,
     .doc = "How this converter will be used."},
    {.name = "schemas.enable",
     .type = SL_CFG_BOOLEAN,
     .default_value = "true",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Include schemas within each of the serialized values and keys.",
     .group = "Schemas",
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Enable Schemas"},
    {.name = "schemas.cache.size",
     .type = SL_CFG_INT,
     .default_value = "1000",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "The maximum number of schemas that can be cached in this converter instance.",
     .group = "Schemas",
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Schema Cache Size"},
    {.name = "decimal.format",
     .type = SL_CFG_STRING,
     .default_value = "BASE64",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Controls which format this converter will serialize decimals in. This value is case "
            "insensitive and can be either 'BASE64' (default) or 'NUMERIC'",
     .group = "Serialization",
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Decimal Format",
     .validator = SL_VALIDATE_IN_ICASE("BASE64", "NUMERIC")},
    {.name = "replace.null.with.default",
     .type = SL_CFG_BOOLEAN,
     .default_value = "true",
     .importance = SL_IMPORTANCE_LOW,
     .doc = "Whether to replace fields that have a default value and that are null to the default "
            "value. When set to true, the default value is used, otherwise null is used.",
     .group = "Serialization",
     .width = SL_WIDTH_MEDIUM,
     .display_name = "Replace null with default"},
    SL_CONFIG_END,
};

/* Schemas read from envelopes, keyed by the exact bytes of their JSON. */
typedef struct in_entry {
    uint64_t hash;
    char *text;
    size_t len;
    sl_schema *schema; /* one reference */
} in_entry;

/* Schema JSON written into envelopes, keyed by the schema (held by one reference so that its
 * address cannot be reused by another schema while cached). */
typedef struct out_entry {
    sl_schema *schema;
    char *text;
    size_t len;
} out_entry;

typedef struct jsonc_conv {
    bool schemas_enable;
    jsonc_opts opts;
    size_t cache_cap;
    jsonc_reader reader;
    in_entry *in;
    size_t in_len, in_next, in_mru;
    out_entry *out;
    size_t out_len, out_next, out_mru;
    size_t out_hint; /* size of the last output, to size the next buffer */
} jsonc_conv;

static uint64_t hash_bytes(const unsigned char *p, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static int jsonc_init(const sl_config *config, sl_converter_role role, void **state, char *errstr,
                     size_t errstr_size)
{
    (void)role;
    jsonc_conv *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    /* Defaults when used without a parsed config (internal use). */
    c->schemas_enable = true;
    c->opts.replace_null_with_default = true;
    int64_t cache = 1000;
    if (config != NULL) {
        c->schemas_enable = sl_config_bool(config, "schemas.enable");
        c->opts.replace_null_with_default = sl_config_bool(config, "replace.null.with.default");
        cache = sl_config_int(config, "schemas.cache.size");
        const char *fmt = sl_config_string(config, "decimal.format");
        if (fmt && strcasecmp(fmt, "NUMERIC") == 0) {
            c->opts.decimal_numeric = true;
        } else if (fmt && strcasecmp(fmt, "BASE64") != 0) {
            snprintf(errstr, errstr_size,
                     "Invalid value %s for configuration decimal.format: String must be one of "
                     "(case insensitive): BASE64, NUMERIC",
                     fmt);
            free(c);
            return SL_ERR;
        }
    }
    /* Connect's LRU cache of that size; at least one entry is always kept (it is what makes a
     * stream of records with the same schema cheap). */
    c->cache_cap = cache < 1 ? 1 : cache > 100000 ? 100000 : (size_t)cache;
    c->reader.opts = c->opts;
    c->out_hint = 256;
    *state = c;
    return SL_OK;
}

static void jsonc_close(void *state)
{
    jsonc_conv *c = state;
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->in_len; i++) {
        free(c->in[i].text);
        sl_schema_unref(c->in[i].schema);
    }
    for (size_t i = 0; i < c->out_len; i++) {
        free(c->out[i].text);
        sl_schema_unref(c->out[i].schema);
    }
    free(c->in);
    free(c->out);
    jsonc_reader_fini(&c->reader);
    free(c);
}

/* ---- bytes -> Connect ---- */

static void report(const jsonc_err *e, char *errstr, size_t errstr_size)
{
    char detail[512];
    jsonc_err_format(e, detail, sizeof(detail));
    if (e->kind == JSONC_ERR_SYNTAX)
        snprintf(errstr, errstr_size, SERIALIZATION_ERROR "%s", detail);
    else
        snprintf(errstr, errstr_size, "%s", detail);
}

/* Add a freshly read schema (reference taken) under the bytes [text, text+len). */
static void in_cache_put(jsonc_conv *c, const unsigned char *text, size_t len, uint64_t hash,
                         sl_schema *s)
{
    char *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        sl_schema_unref(s);
        return;
    }
    memcpy(copy, text, len);
    size_t i;
    if (c->in_len < c->cache_cap) {
        if (c->in_len % 16 == 0) {
            in_entry *n = realloc(c->in, (c->in_len + 16) * sizeof(*n));
            if (n == NULL) {
                free(copy);
                sl_schema_unref(s);
                return;
            }
            c->in = n;
        }
        i = c->in_len++;
    } else {
        /* Evict the oldest entry. */
        i = c->in_next;
        c->in_next = (c->in_next + 1) % c->cache_cap;
        free(c->in[i].text);
        sl_schema_unref(c->in[i].schema);
    }
    c->in[i] = (in_entry){.hash = hash, .text = copy, .len = len, .schema = s};
    c->in_mru = i;
}

/* The schema at r->p in an envelope. The last schema's exact bytes are compared first: a
 * complete JSON value seen before needs neither scanning nor parsing again. *out is a new
 * reference (NULL for "schema":null). */
static int resolve_schema(jsonc_conv *c, sl_schema **out)
{
    jsonc_reader *r = &c->reader;
    *out = NULL;
    if (r->p < r->end && *r->p == 'n')
        return jsonc_read_literal(r, "null", 4);
    size_t avail = (size_t)(r->end - r->p);
    if (c->in_len > 0) {
        const in_entry *e = &c->in[c->in_mru];
        if (avail >= e->len && memcmp(r->p, e->text, e->len) == 0) {
            r->p += e->len;
            *out = sl_schema_ref(e->schema);
            return SL_OK;
        }
    }
    const unsigned char *start = r->p;
    if (jsonc_skip(r) != SL_OK)
        return SL_ERR;
    size_t len = (size_t)(r->p - start);
    uint64_t h = hash_bytes(start, len);
    for (size_t i = 0; i < c->in_len; i++) {
        const in_entry *e = &c->in[i];
        if (e->hash == h && e->len == len && memcmp(e->text, start, len) == 0) {
            c->in_mru = i;
            *out = sl_schema_ref(e->schema);
            return SL_OK;
        }
    }
    const unsigned char *after = r->p;
    sl_schema *s;
    r->p = start;
    if (jsonc_schema_read(r, &s) != SL_OK)
        return SL_ERR;
    r->p = after;
    if (s == NULL)
        return SL_OK;
    *out = sl_schema_ref(s);
    in_cache_put(c, start, len, h, s);
    return SL_OK;
}

/* The common case in one pass: {"schema":...,"payload":...} with each key once, the payload
 * converted as it is read once the schema is known. Anything unusual (or any error) returns
 * SL_ERR and the caller redoes the record with envelope_slow, which reports errors in
 * Connect's order. */
static int envelope_fast(jsonc_conv *c, sl_schema **schema_out, sl_value **value_out)
{
    jsonc_reader *r = &c->reader;
    sl_schema *schema = NULL;
    sl_value *value = NULL;
    const unsigned char *payload_at = NULL;
    bool have_schema = false, have_payload = false;
    jsonc_ws(r);
    if (r->p >= r->end || *r->p != '{')
        return SL_ERR;
    int more = jsonc_open_container(r, '}');
    while (more == 1) {
        const char *k;
        size_t kl;
        if (jsonc_read_key(r, &k, &kl) != SL_OK)
            goto slow;
        if (kl == 6 && memcmp(k, "schema", 6) == 0 && !have_schema) {
            have_schema = true;
            if (resolve_schema(c, &schema) != SL_OK)
                goto slow;
        } else if (kl == 7 && memcmp(k, "payload", 7) == 0 && !have_payload) {
            have_payload = true;
            if (have_schema) {
                if (jsonc_read_value(r, schema, &value) != SL_OK)
                    goto slow;
            } else {
                payload_at = r->p;
                if (jsonc_skip(r) != SL_OK)
                    goto slow;
            }
        } else {
            goto slow;
        }
        more = jsonc_next_or_close(r, '}');
    }
    jsonc_ws(r);
    if (more != 0 || r->p != r->end || !have_schema || !have_payload)
        goto slow;
    if (payload_at) {
        r->p = payload_at;
        if (jsonc_read_value(r, schema, &value) != SL_OK)
            goto slow;
    }
    *schema_out = schema;
    *value_out = value;
    return SL_OK;
slow:
    sl_value_destroy(value);
    sl_schema_unref(schema);
    return SL_ERR;
}

/* Connect's order of checks: parse (serialization error), envelope shape, schema, payload. */
static int envelope_slow(jsonc_conv *c, const void *data, size_t len, sl_schema **schema_out,
                         sl_value **value_out, char *errstr, size_t errstr_size)
{
    jsonc_reader *r = &c->reader;
    jsonc_reader_reset(r, data, len);
    jsonc_ws(r);
    if (r->p < r->end) {
        if (jsonc_skip(r) == SL_OK) {
            jsonc_ws(r);
            if (r->p != r->end)
                jsonc_unexpected(r, "end of input after the JSON value");
        }
        if (r->err.kind != JSONC_ERR_NONE) {
            report(&r->err, errstr, errstr_size);
            return SL_ERR;
        }
    }
    /* Valid JSON: now the envelope. Repeated keys count once (the last wins), as in an
     * ObjectNode. */
    jsonc_reader_reset(r, data, len);
    jsonc_ws(r);
    const unsigned char *schema_at = NULL, *payload_at = NULL;
    bool other = false;
    if (r->p < r->end && *r->p == '{') {
        int more = jsonc_open_container(r, '}');
        while (more == 1) {
            const char *k;
            size_t kl;
            jsonc_read_key(r, &k, &kl);
            if (kl == 6 && memcmp(k, "schema", 6) == 0)
                schema_at = r->p;
            else if (kl == 7 && memcmp(k, "payload", 7) == 0)
                payload_at = r->p;
            else
                other = true;
            jsonc_skip(r);
            more = jsonc_next_or_close(r, '}');
        }
    }
    if (schema_at == NULL || payload_at == NULL || other) {
        snprintf(errstr, errstr_size, "%s", ENVELOPE_ERROR);
        return SL_ERR;
    }
    sl_schema *schema = NULL;
    sl_value *value = NULL;
    r->p = schema_at;
    r->depth = 1;
    if (jsonc_schema_read(r, &schema) != SL_OK) {
        report(&r->err, errstr, errstr_size);
        return SL_ERR;
    }
    r->p = payload_at;
    if (jsonc_read_value(r, schema, &value) != SL_OK) {
        sl_schema_unref(schema);
        report(&r->err, errstr, errstr_size);
        return SL_ERR;
    }
    *schema_out = schema;
    *value_out = value;
    return SL_OK;
}

static int jsonc_to_value(void *state, const char *topic, const char *header_key,
                         const void *data, size_t len, sl_schema **schema, sl_value **value,
                         char *errstr, size_t errstr_size)
{
    (void)topic;
    (void)header_key;
    jsonc_conv *c = state;
    jsonc_reader *r = &c->reader;
    *schema = NULL;
    *value = NULL;
    if (data == NULL) /* a tombstone */
        return SL_OK;
    jsonc_reader_reset(r, data, len);
    if (c->schemas_enable) {
        if (envelope_fast(c, schema, value) == SL_OK)
            return SL_OK;
        return envelope_slow(c, data, len, schema, value, errstr, errstr_size);
    }
    jsonc_ws(r);
    if (r->p == r->end) /* no content: Jackson's MissingNode, which converts to null */
        return SL_OK;
    sl_value *v = NULL;
    if (jsonc_read_value(r, NULL, &v) == SL_OK) {
        jsonc_ws(r);
        if (r->p == r->end) {
            *value = v;
            return SL_OK;
        }
        jsonc_unexpected(r, "end of input after the JSON value");
        sl_value_destroy(v);
    }
    report(&r->err, errstr, errstr_size);
    return SL_ERR;
}

/* ---- Connect -> bytes ---- */

/* The envelope's schema JSON for `s`, from the cache or written and cached. */
static int schema_text(jsonc_conv *c, const sl_schema *s, const char **text, size_t *len,
                       jsonc_err *err)
{
    if (c->out_len > 0) {
        const out_entry *e = &c->out[c->out_mru];
        if (e->schema == s || sl_schema_equals(e->schema, s)) {
            *text = e->text;
            *len = e->len;
            return SL_OK;
        }
        for (int pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < c->out_len; i++) {
                e = &c->out[i];
                if (pass == 0 ? e->schema == s : sl_schema_equals(e->schema, s)) {
                    c->out_mru = i;
                    *text = e->text;
                    *len = e->len;
                    return SL_OK;
                }
            }
        }
    }
    jsonc_buf b = {0};
    jsonc_writer w = {.out = &b, .opts = c->opts};
    if (jsonc_schema_write(&w, s) != SL_OK) {
        *err = w.err;
        jsonc_buf_free(&b);
        return SL_ERR;
    }
    size_t i;
    if (c->out_len < c->cache_cap) {
        if (c->out_len % 16 == 0) {
            out_entry *n = realloc(c->out, (c->out_len + 16) * sizeof(*n));
            if (n == NULL) {
                jsonc_buf_free(&b);
                return jsonc_err_set(err, JSONC_ERR_NOMEM, "out of memory");
            }
            c->out = n;
        }
        i = c->out_len++;
    } else {
        i = c->out_next;
        c->out_next = (c->out_next + 1) % c->cache_cap;
        free(c->out[i].text);
        sl_schema_unref(c->out[i].schema);
    }
    c->out[i] = (out_entry){.schema = sl_schema_ref(s), .text = b.data, .len = b.len};
    c->out_mru = i;
    *text = b.data;
    *len = b.len;
    return SL_OK;
}

static int jsonc_from_value(void *state, const char *topic, const char *header_key,
                           const sl_schema *schema, const sl_value *value, void **out,
                           size_t *out_len, char *errstr, size_t errstr_size)
{
    (void)topic;
    (void)header_key;
    jsonc_conv *c = state;
    *out = NULL;
    *out_len = 0;
    /* Only a null value without a schema is a tombstone; with a schema Connect writes an
     * envelope (or "null") holding the null, or the schema's default. */
    if (schema == NULL && value == NULL)
        return SL_OK;
    jsonc_buf b = {0};
    jsonc_buf_grow(&b, c->out_hint);
    jsonc_writer w = {.out = &b, .opts = c->opts};
    int rc = SL_OK;
    if (c->schemas_enable) {
        jsonc_buf_put(&b, "{\"schema\":", 10);
        if (schema == NULL) {
            jsonc_buf_put(&b, "null", 4);
        } else {
            const char *text = NULL;
            size_t len = 0;
            rc = schema_text(c, schema, &text, &len, &w.err);
            if (rc == SL_OK)
                jsonc_buf_put(&b, text, len);
        }
        jsonc_buf_put(&b, ",\"payload\":", 11);
    }
    if (rc == SL_OK)
        rc = jsonc_write_value(&w, schema, value);
    if (c->schemas_enable)
        jsonc_buf_putc(&b, '}');
    if (rc == SL_OK && b.oom)
        rc = jsonc_err_set(&w.err, JSONC_ERR_NOMEM, "out of memory");
    if (rc != SL_OK) {
        jsonc_err_format(&w.err, errstr, errstr_size);
        jsonc_buf_free(&b);
        return SL_ERR;
    }
    c->out_hint = b.len + 16;
    *out = b.data;
    *out_len = b.len;
    return SL_OK;
}

const sl_converter_def json_converter_def = {
    .struct_size = sizeof(sl_converter_def),
    .class_name = "org.apache.kafka.connect.json.JsonConverter",
    .version = NULL,
    .doc = "Converts between Connect data and JSON, with the schema embedded in each message "
           "unless schemas.enable=false.",
    .config = jsonc_config,
    .header_converter = true,
    .init = jsonc_init,
    .from_value = jsonc_from_value,
    .to_value = jsonc_to_value,
    .close = jsonc_close,
};
