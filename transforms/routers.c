/* transforms/routers.c: the topic-renaming transforms RegexRouter (regex + Java replacement)
 * and TimestampRouter (topic.format with ${topic} and a formatted ${timestamp}). */
#include <stdlib.h>
#include <string.h>

#include "date_format.h"
#include "smt.h"
#include "smt_regex.h"
#include "transforms.h"

/* The last topic seen and what it became: records of one topic arrive in runs, so this
 * saves the regex work (or string building) for almost every record. */
typedef struct topic_memo {
    char *in;
    char *out; /* NULL: unchanged */
} topic_memo;

static void memo_clear(topic_memo *m)
{
    free(m->in);
    free(m->out);
    m->in = m->out = NULL;
}

/* ==== RegexRouter ==== */

static const sl_config_def regex_router_config[] = {
    {.name = "regex",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Regular expression to use for matching.",
     .validator = SL_VALIDATE_CUSTOM(smt_valid_regex)},
    {.name = "replacement",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Replacement string."},
    SL_CONFIG_END,
};

typedef struct regex_router {
    smt_regex *re;
    topic_memo memo;
} regex_router;

static int regex_router_prepare(const sl_config *c, smt_regex **out, smt_cfgerr *e)
{
    const char *regex = sl_config_string(c, "regex");
    const char *repl = sl_config_string(c, "replacement");
    char why[300];
    *out = NULL;
    if (regex == NULL || smt_regex_compile(regex, out, why, sizeof(why)) != SL_OK) {
        smt_cfgerr_set(e, "regex", "Invalid value %s for configuration regex: Invalid regex: %s",
                       regex ? regex : "null", regex ? why : "null");
        return SL_ERR;
    }
    if (smt_regex_set_replacement(*out, repl ? repl : "", why, sizeof(why)) != SL_OK) {
        smt_cfgerr_set(e, "replacement", "Invalid value %s for configuration replacement: %s", repl,
                       why);
        smt_regex_free(*out);
        *out = NULL;
        return SL_ERR;
    }
    return SL_OK;
}

static void regex_router_validate(sl_validation *v)
{
    const sl_config *c = sl_validation_config(v);
    if (sl_config_string(c, "regex") == NULL || sl_config_string(c, "replacement") == NULL)
        return; /* already reported as missing */
    smt_cfgerr e = {0};
    smt_regex *re = NULL;
    if (regex_router_prepare(c, &re, &e) != SL_OK) {
        if (strcmp(e.key, "replacement") == 0) /* a bad regex has its own validator */
            sl_validation_error(v, e.key, e.message);
        return;
    }
    smt_regex_free(re);
}

static int regex_router_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    regex_router *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    smt_cfgerr e = {0};
    if (regex_router_prepare(c, &s->re, &e) != SL_OK) {
        snprintf(errstr, errstr_size, "%s", e.message);
        free(s);
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

static int regex_router_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    regex_router *s = state;
    const char *topic = sl_record_topic(r);
    if (topic == NULL)
        return SL_OK;
    if (s->memo.in == NULL || strcmp(s->memo.in, topic) != 0) {
        memo_clear(&s->memo);
        char *in = strdup(topic);
        int matched = smt_regex_matches(s->re, topic);
        char *out = matched ? smt_regex_replace_first(s->re, topic) : NULL;
        if (in == NULL || (matched && out == NULL)) {
            free(in);
            free(out);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        s->memo.in = in;
        s->memo.out = out;
        if (out != NULL)
            sl_log(SL_LOG_TRACE, "Rerouting from topic '%s' to new topic '%s'", topic, out);
    }
    if (s->memo.out != NULL)
        sl_record_set_topic(r, s->memo.out);
    return SL_OK;
}

static void regex_router_close(void *state)
{
    regex_router *s = state;
    if (s == NULL)
        return;
    smt_regex_free(s->re);
    memo_clear(&s->memo);
    free(s);
}

const sl_transform_def smt_regex_router = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = SMT_PKG "RegexRouter",
    .version = SMT_VERSION,
    .doc = "Update the record topic using the configured regular expression and replacement "
           "string.",
    .config = regex_router_config,
    .validate = regex_router_validate,
    .init = regex_router_init,
    .apply = regex_router_apply,
    .close = regex_router_close,
};

/* ==== TimestampRouter ==== */

static const sl_config_def timestamp_router_config[] = {
    {.name = "topic.format",
     .type = SL_CFG_STRING,
     .default_value = "${topic}-${timestamp}",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Format string which can contain <code>${topic}</code> and <code>${timestamp}</code> "
            "as placeholders for the topic and timestamp, respectively."},
    {.name = "timestamp.format",
     .type = SL_CFG_STRING,
     .default_value = "yyyyMMdd",
     .importance = SL_IMPORTANCE_HIGH,
     .doc = "Format string for the timestamp that is compatible with "
            "<code>java.text.SimpleDateFormat</code>."},
    SL_CONFIG_END,
};

typedef struct timestamp_router {
    char *topic_format;
    smt_datefmt *fmt;
    char *last_topic, *last_ts, *last_out; /* memo of the last rename */
} timestamp_router;

static int timestamp_router_fmt(const sl_config *c, smt_datefmt **out, smt_cfgerr *e)
{
    const char *f = sl_config_string(c, "timestamp.format");
    char why[256];
    if (smt_datefmt_compile(f ? f : "", out, why, sizeof(why)) != SL_OK) {
        smt_cfgerr_set(e, "timestamp.format",
                       "Invalid value %s for configuration timestamp.format: %s", f ? f : "null",
                       why);
        return SL_ERR;
    }
    return SL_OK;
}

static void timestamp_router_validate(sl_validation *v)
{
    smt_cfgerr e = {0};
    smt_datefmt *f = NULL;
    if (timestamp_router_fmt(sl_validation_config(v), &f, &e) != SL_OK)
        sl_validation_error(v, e.key, e.message);
    smt_datefmt_free(f);
}

static void timestamp_router_close(void *state)
{
    timestamp_router *s = state;
    if (s == NULL)
        return;
    free(s->topic_format);
    smt_datefmt_free(s->fmt);
    free(s->last_topic);
    free(s->last_ts);
    free(s->last_out);
    free(s);
}

static int timestamp_router_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    timestamp_router *s = calloc(1, sizeof(*s));
    const char *tf = sl_config_string(c, "topic.format");
    if (s == NULL || (s->topic_format = strdup(tf ? tf : "")) == NULL) {
        free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    smt_cfgerr e = {0};
    if (timestamp_router_fmt(c, &s->fmt, &e) != SL_OK) {
        snprintf(errstr, errstr_size, "%s", e.message);
        timestamp_router_close(s);
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

/* Replace every `token` in `text` by `with` (Java's replaceAll with a quoted replacement).
 * Caller frees. */
static char *replace_all(const char *text, const char *token, const char *with)
{
    size_t tl = strlen(token), wl = strlen(with), count = 0;
    for (const char *p = strstr(text, token); p; p = strstr(p + tl, token))
        count++;
    char *out = malloc(strlen(text) + count * wl + 1);
    if (out == NULL)
        return NULL;
    char *o = out;
    const char *p = text;
    for (const char *m = strstr(p, token); m; m = strstr(p, token)) {
        memcpy(o, p, (size_t)(m - p));
        o += m - p;
        memcpy(o, with, wl);
        o += wl;
        p = m + tl;
    }
    strcpy(o, p);
    return out;
}

static int timestamp_router_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    timestamp_router *s = state;
    int64_t ts = sl_record_timestamp(r);
    const char *topic = sl_record_topic(r);
    if (ts < 0) {
        snprintf(errstr, errstr_size, "Timestamp missing on record: topic=%s partition=%d", topic,
                 (int)sl_record_partition(r));
        return SL_ERR;
    }
    char tsbuf[256];
    smt_datefmt_format(s->fmt, ts, tsbuf, sizeof(tsbuf));
    if (s->last_out == NULL || strcmp(s->last_topic, topic) != 0 ||
        strcmp(s->last_ts, tsbuf) != 0) {
        char *step = replace_all(s->topic_format, "${topic}", topic);
        char *out = step ? replace_all(step, "${timestamp}", tsbuf) : NULL;
        free(step);
        char *lt = strdup(topic), *lts = strdup(tsbuf);
        if (out == NULL || lt == NULL || lts == NULL) {
            free(out);
            free(lt);
            free(lts);
            snprintf(errstr, errstr_size, "out of memory");
            return SL_ERR;
        }
        free(s->last_topic);
        free(s->last_ts);
        free(s->last_out);
        s->last_topic = lt;
        s->last_ts = lts;
        s->last_out = out;
    }
    sl_record_set_topic(r, s->last_out);
    return SL_OK;
}

const sl_transform_def smt_timestamp_router = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = SMT_PKG "TimestampRouter",
    .version = SMT_VERSION,
    .doc = "Update the record's topic field as a function of the original topic value and the "
           "record timestamp.",
    .config = timestamp_router_config,
    .validate = timestamp_router_validate,
    .init = timestamp_router_init,
    .apply = timestamp_router_apply,
    .close = timestamp_router_close,
};
