/* plugins/fs/fs_partition.c: Default, Field and TimeBased partitioners (Confluent's storage
 * partitioners' behaviour and names), timestamp extractors and time-bucket arithmetic. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fs_names.h"
#include "fs_partition.h"

#define DAY_MS 86400000LL

struct fs_partitioner {
    fs_part_kind kind;
    char **fields;
    size_t nfields;
    fs_timefmt *fmt;
    fs_tz *tz;
    int64_t duration_ms;
    fs_ts_kind ts_kind;
    char *ts_field;
    char *delim;
};

/* ---- names ---- */

/* The simple name: after the last '.' or '$'. */
static const char *simple_name(const char *name)
{
    const char *s = name;
    for (const char *p = name; *p; p++)
        if (*p == '.' || *p == '$')
            s = p + 1;
    return s;
}

/* Case-insensitive match of `s` against `base` with an optional `suffix`. */
static bool named(const char *s, const char *base, const char *suffix)
{
    size_t bl = strlen(base);
    if (strncasecmp(s, base, bl) != 0)
        return false;
    return s[bl] == '\0' || strcasecmp(s + bl, suffix) == 0;
}

int fs_partitioner_resolve(const char *name, fs_part_kind *kind, int64_t *duration_ms,
                           const char **path_format)
{
    if (name == NULL)
        return SL_ERR;
    /* Confluent's packages (storage-common and the HDFS connector's older one) or none. */
    static const char *const pkgs[] = {"io.confluent.connect.storage.partitioner.",
                                       "io.confluent.connect.hdfs.partitioner.", ""};
    bool known_pkg = false;
    for (size_t i = 0; i < 3 && !known_pkg; i++)
        known_pkg = strncmp(name, pkgs[i], strlen(pkgs[i])) == 0 &&
                    strchr(name + strlen(pkgs[i]), '.') == NULL;
    if (!known_pkg)
        return SL_ERR;
    const char *s = simple_name(name);
    if (named(s, "Default", "Partitioner")) {
        *kind = FS_PART_DEFAULT;
    } else if (named(s, "Field", "Partitioner")) {
        *kind = FS_PART_FIELD;
    } else if (named(s, "TimeBased", "Partitioner") || named(s, "Time", "Partitioner")) {
        *kind = FS_PART_TIME;
    } else if (named(s, "Daily", "Partitioner")) {
        *kind = FS_PART_TIME;
        *duration_ms = DAY_MS;
        *path_format = "'year'=YYYY/'month'=MM/'day'=dd";
    } else if (named(s, "Hourly", "Partitioner")) {
        *kind = FS_PART_TIME;
        *duration_ms = 3600000;
        *path_format = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";
    } else {
        return SL_ERR;
    }
    return SL_OK;
}

int fs_extractor_resolve(const char *name, fs_ts_kind *kind)
{
    if (name == NULL)
        return SL_ERR;
    const char *s = simple_name(name);
    if (named(s, "RecordField", "TimestampExtractor"))
        *kind = FS_TS_RECORD_FIELD;
    else if (named(s, "Record", "TimestampExtractor"))
        *kind = FS_TS_RECORD;
    else if (named(s, "Wallclock", "TimestampExtractor"))
        *kind = FS_TS_WALLCLOCK;
    else
        return SL_ERR;
    return SL_OK;
}

/* ---- construction ---- */

void fs_partitioner_free(fs_partitioner *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nfields; i++)
        free(p->fields[i]);
    free(p->fields);
    fs_timefmt_free(p->fmt);
    fs_tz_free(p->tz);
    free(p->ts_field);
    free(p->delim);
    free(p);
}

int fs_partitioner_new(const fs_part_conf *c, fs_partitioner **out, bool *locale_fallback,
                       char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (locale_fallback)
        *locale_fallback = false;
    fs_partitioner *p = calloc(1, sizeof(*p));
    if (p == NULL)
        goto oom;
    p->kind = c->kind;
    p->ts_kind = c->ts_kind;
    p->duration_ms = c->duration_ms;
    p->delim = strdup(c->delim && c->delim[0] ? c->delim : "/");
    if (p->delim == NULL)
        goto oom;
    if (fs_tz_open(c->timezone, &p->tz, errstr, errstr_size) != SL_OK)
        goto fail;
    if (c->kind == FS_PART_FIELD) {
        if (c->nfields == 0) {
            snprintf(errstr, errstr_size,
                     "partition.field.name must name at least one field for FieldPartitioner");
            goto fail;
        }
        p->fields = calloc(c->nfields, sizeof(*p->fields));
        if (p->fields == NULL)
            goto oom;
        for (size_t i = 0; i < c->nfields; i++) {
            if (c->fields[i] == NULL || c->fields[i][0] == '\0') {
                snprintf(errstr, errstr_size, "partition.field.name has an empty field name");
                goto fail;
            }
            if ((p->fields[p->nfields++] = strdup(c->fields[i])) == NULL)
                goto oom;
        }
    }
    if (c->kind == FS_PART_TIME) {
        if (c->path_format == NULL || c->path_format[0] == '\0') {
            snprintf(errstr, errstr_size, "Path format cannot be empty (path.format)");
            goto fail;
        }
        if (c->duration_ms <= 0) {
            snprintf(errstr, errstr_size,
                     "partition.duration.ms must be positive for TimeBasedPartitioner");
            goto fail;
        }
        if (fs_timefmt_compile(c->path_format, c->locale, &p->fmt, locale_fallback, errstr,
                               errstr_size) != SL_OK)
            goto fail;
    }
    if (c->ts_kind == FS_TS_RECORD_FIELD) {
        if (c->ts_field == NULL || c->ts_field[0] == '\0') {
            snprintf(errstr, errstr_size,
                     "timestamp.field must be set for the RecordField timestamp extractor");
            goto fail;
        }
        if ((p->ts_field = strdup(c->ts_field)) == NULL)
            goto oom;
    }
    *out = p;
    return SL_OK;
oom:
    snprintf(errstr, errstr_size, "out of memory");
fail:
    fs_partitioner_free(p);
    return SL_ERR;
}

fs_part_kind fs_partitioner_kind(const fs_partitioner *p)
{
    return p->kind;
}
const fs_tz *fs_partitioner_tz(const fs_partitioner *p)
{
    return p->tz;
}
bool fs_partitioner_wallclock(const fs_partitioner *p)
{
    return p->ts_kind == FS_TS_WALLCLOCK;
}

/* ---- field lookup ---- */

/* The value (and its schema, NULL when schemaless) of `name` in v, following dots into nested
 * structs and maps when no field has the whole name. */
static bool lookup(const sl_value *v, const sl_schema *s, const char *name, const sl_value **out,
                   const sl_schema **out_schema)
{
    sl_type t = sl_value_type(v);
    if (t == SL_TYPE_STRUCT) {
        const sl_schema *ss = sl_value_struct_schema(v);
        int i = sl_schema_field_index(ss, name);
        if (i >= 0) {
            *out = sl_value_struct_get_index(v, (size_t)i);
            *out_schema = sl_schema_field_schema(ss, (size_t)i);
            return true;
        }
    } else if (t == SL_TYPE_MAP) {
        for (size_t i = 0; i < sl_value_map_len(v); i++) {
            const char *k = sl_value_get_string(sl_value_map_key_at(v, i), NULL);
            if (k != NULL && strcmp(k, name) == 0) {
                *out = sl_value_map_value_at(v, i);
                *out_schema =
                    s && sl_schema_type(s) == SL_TYPE_MAP ? sl_schema_value_schema(s) : NULL;
                return true;
            }
        }
    } else {
        return false;
    }
    const char *dot = strchr(name, '.');
    while (dot != NULL) {
        char *head = strndup(name, (size_t)(dot - name));
        const sl_value *hv;
        const sl_schema *hs;
        bool found = head && lookup(v, s, head, &hv, &hs);
        free(head);
        if (found && lookup(hv, hs, dot + 1, out, out_schema))
            return true;
        dot = strchr(dot + 1, '.');
    }
    return false;
}

static const char *type_name(sl_type t)
{
    static const char *const names[] = {"INT8",    "INT16",  "INT32", "INT64", "FLOAT32", "FLOAT64",
                                        "BOOLEAN", "STRING", "BYTES", "ARRAY", "MAP",     "STRUCT"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "null";
}

/* ---- encoding ---- */

typedef struct strbuf {
    char *s;
    size_t len, cap;
    bool oom;
} strbuf;

static void sb_add(strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *ns = realloc(b->s, cap);
        if (ns == NULL) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static int encode_field(const fs_partitioner *p, const sl_record *r, strbuf *b, char *errstr,
                        size_t errstr_size)
{
    const sl_value *v = sl_record_value(r);
    sl_type vt = sl_value_type(v);
    if (vt != SL_TYPE_STRUCT && vt != SL_TYPE_MAP) {
        snprintf(errstr, errstr_size, "FieldPartitioner needs a struct or map value, got %s",
                 type_name(vt));
        return SL_ERR;
    }
    for (size_t i = 0; i < p->nfields; i++) {
        const sl_value *fv = NULL;
        const sl_schema *fs = NULL;
        if (!lookup(v, sl_record_value_schema(r), p->fields[i], &fv, &fs)) {
            snprintf(errstr, errstr_size, "partition field '%s' is not in the record value",
                     p->fields[i]);
            return SL_ERR;
        }
        if (fv == NULL) {
            snprintf(errstr, errstr_size, "partition field '%s' is null", p->fields[i]);
            return SL_ERR;
        }
        char num[32];
        const char *text = NULL;
        size_t len = 0;
        int64_t iv;
        sl_type t = sl_value_type(fv);
        switch (t) {
        case SL_TYPE_INT8:
        case SL_TYPE_INT16:
        case SL_TYPE_INT32:
        case SL_TYPE_INT64:
            if (sl_schema_logical(fs) != SL_LOGICAL_NONE)
                break; /* Date, Time, Timestamp: not plain numbers */
            sl_value_get_int(fv, &iv);
            len = (size_t)snprintf(num, sizeof(num), "%lld", (long long)iv);
            text = num;
            break;
        case SL_TYPE_STRING:
            text = sl_value_get_string(fv, &len);
            break;
        case SL_TYPE_BOOLEAN:
            text = sl_value_get_bool(fv) ? "true" : "false";
            len = strlen(text);
            break;
        default:
            break;
        }
        if (text == NULL) {
            snprintf(errstr, errstr_size, "Type %s is not supported as a partition field ('%s')",
                     sl_schema_logical(fs) != SL_LOGICAL_NONE ? sl_schema_name(fs) : type_name(t),
                     p->fields[i]);
            return SL_ERR;
        }
        char *esc = fs_escape_value(text, len);
        if (esc == NULL) {
            b->oom = true;
            return SL_ERR;
        }
        if (i > 0)
            sb_add(b, p->delim, strlen(p->delim));
        sb_add(b, p->fields[i], strlen(p->fields[i]));
        sb_add(b, "=", 1);
        sb_add(b, esc, strlen(esc));
        free(esc);
    }
    return SL_OK;
}

int fs_partitioner_encode(const fs_partitioner *p, const sl_record *r, int64_t now_ms, char **out,
                          char *errstr, size_t errstr_size)
{
    *out = NULL;
    strbuf b = {0};
    int rc = SL_OK;
    switch (p->kind) {
    case FS_PART_DEFAULT: {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "partition=%d", (int)sl_record_partition(r));
        sb_add(&b, buf, (size_t)n);
        break;
    }
    case FS_PART_FIELD:
        rc = encode_field(p, r, &b, errstr, errstr_size);
        break;
    case FS_PART_TIME: {
        int64_t ts;
        rc = fs_partitioner_timestamp(p, r, now_ms, &ts, errstr, errstr_size);
        if (rc != SL_OK)
            break;
        int64_t bucket = fs_time_bucket(ts, p->duration_ms, p->tz);
        char small[256];
        size_t need = fs_timefmt_format(p->fmt, bucket, p->tz, small, sizeof(small));
        if (need < sizeof(small)) {
            sb_add(&b, small, need);
        } else {
            char *big = malloc(need + 1);
            if (big == NULL) {
                b.oom = true;
                break;
            }
            fs_timefmt_format(p->fmt, bucket, p->tz, big, need + 1);
            sb_add(&b, big, need);
            free(big);
        }
        break;
    }
    }
    if (b.oom) {
        snprintf(errstr, errstr_size, "out of memory");
        rc = SL_ERR;
    }
    if (rc != SL_OK) {
        free(b.s);
        return SL_ERR;
    }
    *out = b.s ? b.s : strdup("");
    return *out ? SL_OK : SL_ERR;
}

int fs_partitioner_timestamp(const fs_partitioner *p, const sl_record *r, int64_t now_ms,
                             int64_t *ts, char *errstr, size_t errstr_size)
{
    switch (p->ts_kind) {
    case FS_TS_WALLCLOCK:
        *ts = now_ms;
        return SL_OK;
    case FS_TS_RECORD:
        *ts = sl_record_timestamp(r);
        if (*ts < 0) {
            snprintf(errstr, errstr_size,
                     "Unable to determine timestamp using timestamp.extractor Record: the "
                     "record has no timestamp");
            return SL_ERR;
        }
        return SL_OK;
    case FS_TS_RECORD_FIELD:
        break;
    }
    const sl_value *fv = NULL;
    const sl_schema *fs = NULL;
    const sl_value *v = sl_record_value(r);
    if (!lookup(v, sl_record_value_schema(r), p->ts_field, &fv, &fs) || fv == NULL) {
        snprintf(errstr, errstr_size,
                 "Unable to determine timestamp using timestamp.extractor RecordField: field "
                 "'%s' is missing or null",
                 p->ts_field);
        return SL_ERR;
    }
    sl_type t = sl_value_type(fv);
    if (t == SL_TYPE_INT64 || t == SL_TYPE_INT32) {
        sl_value_get_int(fv, ts);
        if (sl_schema_logical(fs) == SL_LOGICAL_DATE)
            *ts *= DAY_MS;
        return SL_OK;
    }
    if (t == SL_TYPE_STRING && fs_parse_iso_time(sl_value_get_string(fv, NULL), ts) == SL_OK)
        return SL_OK;
    snprintf(errstr, errstr_size,
             "Unable to determine timestamp using timestamp.extractor RecordField: field '%s' "
             "is %s, not a timestamp (epoch ms number, Timestamp or ISO-8601 string)",
             p->ts_field, type_name(t));
    return SL_ERR;
}

/* ---- time arithmetic ---- */

int64_t fs_time_bucket(int64_t ts, int64_t duration_ms, const fs_tz *tz)
{
    int64_t local = fs_tz_utc_to_local_ms(tz, ts);
    return fs_tz_local_to_utc_ms(tz, fs_floordiv(local, duration_ms) * duration_ms);
}

int64_t fs_next_boundary(int64_t now_ms, int64_t interval_ms, const fs_tz *tz)
{
    int64_t local = fs_tz_utc_to_local_ms(tz, now_ms);
    int64_t start = fs_tz_local_to_utc_ms(tz, fs_floordiv(local, DAY_MS) * DAY_MS);
    return start + (fs_floordiv(now_ms - start, interval_ms) + 1) * interval_ms;
}

static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

int fs_parse_iso_time(const char *s, int64_t *ms)
{
    if (s == NULL)
        return SL_ERR;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
    const char *p = s;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return SL_ERR;
    int32_t off = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || h > 23 || mi > 59)
            return SL_ERR;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec) || sec > 60)
                return SL_ERR;
            if (*p == '.' || *p == ',') {
                p++;
                int n = 0;
                while (isdigit((unsigned char)*p)) {
                    if (n < 3)
                        frac = frac * 10 + (*p - '0');
                    n++;
                    p++;
                }
                if (n == 0)
                    return SL_ERR;
                for (; n < 3; n++)
                    frac *= 10;
            }
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (!digits(&p, 2, &oh))
                return SL_ERR;
            if (*p == ':')
                p++;
            if (isdigit((unsigned char)*p) && !digits(&p, 2, &om))
                return SL_ERR;
            off = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0')
        return SL_ERR;
    /* Days from civil (proleptic Gregorian). */
    int64_t yy = y - (mo <= 2);
    int64_t era = fs_floordiv(yy, 400);
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    *ms = ((days * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000 + frac;
    return SL_OK;
}
