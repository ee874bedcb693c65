/* transforms/filter_predicates.c: Filter (drop every record it is applied to, used with a
 * predicate) and the predicates TopicNameMatches, HasHeaderKey and RecordIsTombstone. */
#include <stdlib.h>
#include <string.h>

#include "smt.h"
#include "smt_regex.h"
#include "transforms.h"

#define PRED_PKG "org.apache.kafka.connect.transforms.predicates."

/* ==== Filter ==== */

static const sl_config_def filter_config[] = {SL_CONFIG_END};

static int filter_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    (void)c;
    (void)errstr;
    (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int filter_apply(void *state, sl_record *r, char *errstr, size_t errstr_size)
{
    (void)state;
    (void)r;
    (void)errstr;
    (void)errstr_size;
    return SL_DROP;
}

const sl_transform_def smt_filter = {
    .struct_size = sizeof(sl_transform_def),
    .class_name = SMT_PKG "Filter",
    .version = SMT_VERSION,
    .doc = "Drops all records, filtering them from subsequent transformations in the chain. "
           "This is intended to be used conditionally to filter out records matching (or not "
           "matching) a particular Predicate.",
    .config = filter_config,
    .init = filter_init,
    .apply = filter_apply,
};

/* ==== TopicNameMatches ==== */

static int pattern_valid(const sl_config_def *def, const char *value, char *errstr,
                         size_t errstr_size)
{
    if (value != NULL && value[0] == '\0') {
        snprintf(errstr, errstr_size, "String must be non-empty");
        return SL_ERR;
    }
    return smt_valid_regex(def, value, errstr, errstr_size);
}

static const sl_config_def topic_name_matches_config[] = {
    {.name = "pattern",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "A Java regular expression for matching against the name of a record's topic.",
     .validator = SL_VALIDATE_CUSTOM(pattern_valid)},
    SL_CONFIG_END,
};

typedef struct topic_matches {
    smt_regex *re;
    char *last_topic; /* memo: topics arrive in runs */
    int last_result;
} topic_matches;

static void topic_name_matches_close(void *state)
{
    topic_matches *s = state;
    if (s == NULL)
        return;
    smt_regex_free(s->re);
    free(s->last_topic);
    free(s);
}

static int topic_name_matches_init(const sl_config *c, void **state, char *errstr,
                                   size_t errstr_size)
{
    const char *pattern = sl_config_string(c, "pattern");
    topic_matches *s = calloc(1, sizeof(*s));
    char why[300];
    if (s == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    if (pattern == NULL || smt_regex_compile(pattern, &s->re, why, sizeof(why)) != SL_OK) {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration pattern: entry must be a Java-compatible "
                 "regular expression: %s",
                 pattern ? pattern : "null", pattern ? why : "missing");
        free(s);
        return SL_ERR;
    }
    *state = s;
    return SL_OK;
}

static int topic_name_matches_test(void *state, const sl_record *r)
{
    topic_matches *s = state;
    const char *topic = sl_record_topic(r);
    if (topic == NULL)
        return 0;
    if (s->last_topic != NULL && strcmp(s->last_topic, topic) == 0)
        return s->last_result;
    int m = smt_regex_matches(s->re, topic);
    char *copy = strdup(topic);
    if (copy != NULL) {
        free(s->last_topic);
        s->last_topic = copy;
        s->last_result = m;
    }
    return m;
}

const sl_predicate_def smt_topic_name_matches = {
    .struct_size = sizeof(sl_predicate_def),
    .class_name = PRED_PKG "TopicNameMatches",
    .version = SMT_VERSION,
    .doc = "A predicate which is true for records with a topic name that matches the "
           "configured regular expression.",
    .config = topic_name_matches_config,
    .init = topic_name_matches_init,
    .test = topic_name_matches_test,
    .close = topic_name_matches_close,
};

/* ==== HasHeaderKey ==== */

static const sl_config_def has_header_key_config[] = {
    {.name = "name",
     .type = SL_CFG_STRING,
     .required = true,
     .importance = SL_IMPORTANCE_MEDIUM,
     .doc = "The header name.",
     .validator = SL_VALIDATE_NON_EMPTY},
    SL_CONFIG_END,
};

static int has_header_key_init(const sl_config *c, void **state, char *errstr, size_t errstr_size)
{
    const char *name = sl_config_string(c, "name");
    if (name == NULL || name[0] == '\0') {
        snprintf(errstr, errstr_size,
                 "Invalid value %s for configuration name: String must be non-empty",
                 name ? "" : "null");
        return SL_ERR;
    }
    if ((*state = strdup(name)) == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return SL_ERR;
    }
    return SL_OK;
}

static int has_header_key_test(void *state, const sl_record *r)
{
    return sl_record_header_last(r, state) >= 0;
}

static void has_header_key_close(void *state)
{
    free(state);
}

const sl_predicate_def smt_has_header_key = {
    .struct_size = sizeof(sl_predicate_def),
    .class_name = PRED_PKG "HasHeaderKey",
    .version = SMT_VERSION,
    .doc = "A predicate which is true for records with at least one header with the configured "
           "name.",
    .config = has_header_key_config,
    .init = has_header_key_init,
    .test = has_header_key_test,
    .close = has_header_key_close,
};

/* ==== RecordIsTombstone ==== */

static const sl_config_def record_is_tombstone_config[] = {SL_CONFIG_END};

static int record_is_tombstone_init(const sl_config *c, void **state, char *errstr,
                                    size_t errstr_size)
{
    (void)c;
    (void)errstr;
    (void)errstr_size;
    *state = NULL;
    return SL_OK;
}

static int record_is_tombstone_test(void *state, const sl_record *r)
{
    (void)state;
    return sl_record_value(r) == NULL;
}

const sl_predicate_def smt_record_is_tombstone = {
    .struct_size = sizeof(sl_predicate_def),
    .class_name = PRED_PKG "RecordIsTombstone",
    .version = SMT_VERSION,
    .doc = "A predicate which is true for records which are tombstones (i.e. have null value).",
    .config = record_is_tombstone_config,
    .init = record_is_tombstone_init,
    .test = record_is_tombstone_test,
};
