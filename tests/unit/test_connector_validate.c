/* tests/unit/test_connector_validate.c: connector config validation as Connect's
 * validateConnectorConfig (framework, aliases, sink rules, plugin validate(), converters), the
 * 400 message, and the plugin config listing, against the config_plugin test plugin. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/configinfo.h"
#include "config/connector_validate.h"
#include "plugin/registry.h"
#include "props_util.h"

#define SINK "com.example.config.CheckedSinkConnector"


static int group_setup(void **state)
{
    (void)state;
    const char *build = getenv("SLUICE_BUILD");
    char path[PATH_MAX], err[512];
    snprintf(path, sizeof(path), "%s/tests/plugins/config_plugin.so",
             build && *build ? build : "build");
    if (registry_init() != SL_OK)
        return -1;
    if (registry_load_file(path, err, sizeof(err)) != SL_OK) {
        fprintf(stderr, "cannot load %s: %s (set SLUICE_BUILD)\n", path, err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    registry_shutdown();
    return 0;
}

/* Validate `raw` (taken), expecting success; returns the ConfigInfos. */
static json_t *validate_ok(sl_props *raw, config_result **res)
{
    json_t *infos = NULL;
    char err[1024] = "";
    int rc = connector_validate(raw, NULL, &infos, res, err, sizeof(err));
    if (rc != SL_OK)
        fail_msg("validation failed: %s", err);
    sl_props_destroy(raw);
    assert_non_null(infos);
    return infos;
}

/* The ConfigInfo of `name` in a ConfigInfos, or NULL. */
static json_t *info_of(json_t *infos, const char *name)
{
    size_t i;
    json_t *ci;
    json_array_foreach(json_object_get(infos, "configs"), i, ci) {
        json_t *def = json_object_get(ci, "definition");
        json_t *val = json_object_get(ci, "value");
        const char *n = json_string_value(json_object_get(json_is_object(def) ? def : val, "name"));
        if (n && strcmp(n, name) == 0)
            return ci;
    }
    return NULL;
}

/* Errors of `name` joined with '|'. */
static const char *errs(json_t *infos, const char *name)
{
    static char buf[4096];
    buf[0] = '\0';
    json_t *ci = info_of(infos, name);
    if (ci == NULL)
        return "<absent>";
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(json_object_get(ci, "value"), "errors"), i, e) {
        if (i)
            strcat(buf, "|");
        strncat(buf, json_string_value(e), sizeof(buf) - strlen(buf) - 2);
    }
    return buf;
}

static bool has_group(json_t *infos, const char *g)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(infos, "groups"), i, v) {
        if (strcmp(json_string_value(v), g) == 0)
            return true;
    }
    return false;
}

static void test_request_errors(void **state)
{
    (void)state;
    json_t *infos = (json_t *)1;
    char err[1024];
    sl_props *raw = props("name", "x", "tasks.max", "1", NULL);
    assert_int_equal(connector_validate(raw, NULL, &infos, NULL, err, sizeof(err)),
                     CONNECTOR_VALIDATE_BAD_REQUEST);
    assert_null(infos);
    assert_string_equal(err, "Connector config {name=x, tasks.max=1} contains no connector type");
    sl_props_destroy(raw);

    raw = props("connector.class", SINK, NULL);
    assert_int_equal(connector_validate(raw, "FileStreamSink", &infos, NULL, err, sizeof(err)),
                     CONNECTOR_VALIDATE_BAD_REQUEST);
    assert_string_equal(err, "Included connector type " SINK
                             " does not match request type FileStreamSink");
    config_result *r = NULL;
    static const char *const ok_types[] = {"CheckedSink", "CheckedSinkConnector", SINK,
                                           "config.CheckedSink"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(connector_validate(raw, ok_types[i], &infos, &r, err, sizeof(err)),
                         SL_OK);
        json_decref(infos);
        config_result_free(r);
    }
    sl_props_destroy(raw);

    raw = props("connector.class", "NoSuchThing", NULL);
    assert_int_equal(connector_validate(raw, NULL, &infos, &r, err, sizeof(err)), SL_ERR);
    assert_null(infos);
    assert_null(r);
    assert_non_null(strstr(err, "Failed to find any class that implements Connector and which "
                                "name matches NoSuchThing, available connectors are: "));
    assert_non_null(strstr(err, SINK));
    assert_non_null(strstr(err, "com.example.config.CheckedSourceConnector"));
    sl_props_destroy(raw);
}

static void test_valid_sink(void **state)
{
    (void)state;
    config_result *r = NULL;
    json_t *infos = validate_ok(props("name", "s", "connector.class", "CheckedSink", "topics", "a",
                                      "path", "/tmp/out", "password", "hunter2", "unrelated",
                                      "x", NULL),
                                &r);
    assert_int_equal(configinfo_error_count(infos), 0);
    assert_int_equal(config_result_error_count(r), 0);
    assert_string_equal(json_string_value(json_object_get(infos, "name")), "CheckedSink");
    json_t *groups = json_object_get(infos, "groups");
    static const char *const expect_groups[] = {"Common", "Transforms", "Predicates",
                                                "Error Handling", "File"};
    assert_int_equal(json_array_size(groups), 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(json_string_value(json_array_get(groups, i)), expect_groups[i]);
    /* framework keys first, in Connect's order; the connector's after */
    json_t *configs = json_object_get(infos, "configs");
    json_t *first = json_object_get(json_array_get(configs, 0), "definition");
    assert_string_equal(json_string_value(json_object_get(first, "name")), "name");
    assert_string_equal(json_string_value(json_object_get(first, "display_name")),
                        "Connector name");
    json_t *tm = info_of(infos, "tasks.max");
    assert_string_equal(json_string_value(json_object_get(json_object_get(tm, "value"), "value")),
                        "1");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(tm, "definition"), "default_value")),
        "1");
    /* the connector's redefinition replaced the framework's in place */
    json_t *rt = json_object_get(info_of(infos, "errors.retry.timeout"), "definition");
    assert_string_equal(json_string_value(json_object_get(rt, "documentation")), "Overridden.");
    json_t *pw = json_object_get(info_of(infos, "password"), "value");
    assert_string_equal(json_string_value(json_object_get(pw, "value")), "[hidden]");
    char *text = json_dumps(infos, 0);
    assert_null(strstr(text, "hunter2"));
    free(text);
    /* keys nobody defines are not listed */
    assert_null(info_of(infos, "unrelated"));
    assert_null(connector_validate_message(infos));
    json_decref(infos);
    config_result_free(r);
}

static void test_sink_rules(void **state)
{
    (void)state;
    json_t *infos = validate_ok(props("name", "s", "connector.class", SINK, "path", "p", NULL),
                                NULL);
    assert_string_equal(errs(infos, "topics"), "Must configure one of topics or topics.regex");
    assert_string_equal(errs(infos, "topics.regex"),
                        "Must configure one of topics or topics.regex");
    assert_int_equal(configinfo_error_count(infos), 2);
    json_decref(infos);

    infos = validate_ok(props("name", "s", "connector.class", SINK, "path", "p", "topics", "a",
                              "topics.regex", "a.*", NULL),
                        NULL);
    assert_string_equal(errs(infos, "topics"),
                        "topics and topics.regex are mutually exclusive options, but both are "
                        "set.");
    assert_string_equal(errs(infos, "topics.regex"),
                        "topics and topics.regex are mutually exclusive options, but both are "
                        "set.");
    json_decref(infos);

    infos = validate_ok(props("name", "s", "connector.class", SINK, "path", "p", "topics",
                              "a, dlq,a,", "errors.deadletterqueue.topic.name", " dlq ", NULL),
                        NULL);
    assert_string_equal(errs(infos, "topics"),
                        "The DLQ topic 'dlq' may not be included in the list of topics "
                        "('topics=[a, dlq]') consumed by the connector");
    json_decref(infos);

    infos = validate_ok(props("name", "s", "connector.class", SINK, "path", "p", "topics.regex",
                              "d.*", "errors.deadletterqueue.topic.name", "dlq", NULL),
                        NULL);
    assert_string_equal(errs(infos, "topics.regex"),
                        "The DLQ topic 'dlq' may not be matched by the regex for the topics "
                        "('topics.regex=d.*') consumed by the connector");
    assert_int_equal(configinfo_error_count(infos), 1);
    json_decref(infos);

    infos = validate_ok(props("name", "s", "connector.class", SINK, "path", "p", "topics.regex",
                              "x.*", "errors.deadletterqueue.topic.name", "dlq", NULL),
                        NULL);
    assert_int_equal(configinfo_error_count(infos), 0);
    json_decref(infos);

    infos = validate_ok(props("name", "s", "connector.class", SINK, "path", "p", "topics.regex",
                              "a(", NULL),
                        NULL);
    assert_non_null(strstr(errs(infos, "topics.regex"),
                           "Invalid value a( for configuration topics.regex: Invalid regex: "));
    json_decref(infos);
}

static void test_connector_errors(void **state)
{
    (void)state;
    config_result *r = NULL;
    json_t *infos = validate_ok(props("name", "", "connector.class", SINK, "topics", "t",
                                      "batch.size", "0", "tasks.max", "x", "mystery", "m",
                                      "nullkey", NULL, NULL),
                                &r);
    assert_string_equal(errs(infos, "name"),
                        "Invalid value  for configuration name: String may not be empty");
    assert_string_equal(errs(infos, "path"),
                        "Missing required configuration \"path\" which has no default value.");
    assert_string_equal(errs(infos, "batch.size"),
                        "Invalid value 0 for configuration batch.size: Value must be at least 1");
    assert_string_equal(errs(infos, "tasks.max"),
                        "Invalid value x for configuration tasks.max: Not a number of type "
                        "INT|Invalid value null for configuration tasks.max: Value must be "
                        "non-null");
    /* plugin validate() on an undefined key, and a null value: definition null, listed first */
    json_t *configs = json_object_get(infos, "configs");
    json_t *c0 = json_array_get(configs, 0), *c1 = json_array_get(configs, 1);
    assert_true(json_is_null(json_object_get(c0, "definition")));
    assert_true(json_is_null(json_object_get(c1, "definition")));
    assert_string_equal(errs(infos, "mystery"), "mystery is not a thing");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(info_of(infos, "mystery"), "value"),
                                          "value")),
        "m");
    assert_string_equal(errs(infos, "nullkey"),
                        "Null value can not be supplied as the configuration value.");
    assert_int_equal(configinfo_error_count(infos), 7);
    assert_int_equal(config_result_error_count(r), 7);

    char *msg = connector_validate_message(infos);
    assert_non_null(msg);
    assert_true(strncmp(msg,
                        "Connector configuration is invalid and contains the following 7 "
                        "error(s):\n",
                        strlen("Connector configuration is invalid and contains the following 7 "
                               "error(s):\n")) == 0);
    assert_non_null(strstr(msg, "\nMissing required configuration \"path\" which has no default "
                                "value.\n"));
    const char *tail = "\nYou can also find the above list of errors at the endpoint "
                       "`/connector-plugins/{connectorType}/config/validate`";
    assert_string_equal(msg + strlen(msg) - strlen(tail), tail);
    free(msg);
    json_decref(infos);
    config_result_free(r);

    infos = validate_ok(props("name", "s", "connector.class", SINK, "topics", "t", "path",
                              "/forbidden/x", NULL),
                        NULL);
    assert_string_equal(errs(infos, "path"), "path is forbidden");
    json_decref(infos);
}

static void test_transforms(void **state)
{
    (void)state;
    config_result *r = NULL;
    json_t *infos = validate_ok(
        props("name", "s", "connector.class", SINK, "topics", "t", "path", "p", "transforms",
              "t, u,w,n,x", "transforms.t.type", "Tag$Value", "transforms.t.level", "-1",
              "transforms.t.predicate", "big", "predicates", "big", "predicates.big.type",
              "com.example.config.IsBig", "transforms.u.type", "com.example.Nope",
              "transforms.w.type", "com.example.config.CheckedConverter", "transforms.n.type",
              "Tag$Value", "transforms.n.tag", "bad", "transforms.n.negate", "true",
              "transforms.x.type", "Tag$Value", "transforms.x.tag", "ok",
              "transforms.x.predicate", "ghost", NULL),
        &r);
    /* the alias keys are embedded with Connect's groups and orders */
    assert_true(has_group(infos, "Transforms: t"));
    assert_true(has_group(infos, "Transforms: u"));
    assert_true(has_group(infos, "Predicates: big"));
    json_t *type = info_of(infos, "transforms.t.type");
    json_t *tdef = json_object_get(type, "definition");
    assert_string_equal(json_string_value(json_object_get(tdef, "type")), "CLASS");
    assert_true(json_is_true(json_object_get(tdef, "required")));
    assert_string_equal(json_string_value(json_object_get(tdef, "documentation")),
                        "Class for the 't' transformation.");
    assert_string_equal(json_string_value(json_object_get(tdef, "display_name")),
                        "Transformation type for t");
    assert_int_equal(json_integer_value(json_object_get(tdef, "order")), 0);
    json_t *tval = json_object_get(type, "value");
    assert_string_equal(json_string_value(json_object_get(tval, "value")),
                        "com.example.config.Tag$Value");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(tval, "recommended_values"), 0)),
        "com.example.config.Tag$Value");
    json_t *tag = json_object_get(info_of(infos, "transforms.t.tag"), "definition");
    assert_string_equal(json_string_value(json_object_get(tag, "group")), "Transforms: t");
    assert_int_equal(json_integer_value(json_object_get(tag, "order")), 1);
    assert_non_null(info_of(infos, "transforms.t.negate"));
    assert_non_null(info_of(infos, "transforms.t.predicate"));
    /* errors */
    assert_string_equal(errs(infos, "transforms.t.tag"),
                        "Missing required configuration \"transforms.t.tag\" which has no "
                        "default value.");
    assert_string_equal(errs(infos, "transforms.t.level"),
                        "Invalid value -1 for configuration level: Value must be at least 0");
    assert_string_equal(errs(infos, "transforms.t.predicate"), "");
    assert_string_equal(errs(infos, "transforms.u.type"),
                        "Invalid value com.example.Nope for configuration transforms.u.type: "
                        "Class com.example.Nope could not be found.");
    assert_string_equal(errs(infos, "transforms.w.type"),
                        "Class class com.example.config.CheckedConverter does not implement the "
                        "Transformation interface");
    assert_string_equal(errs(infos, "transforms.n.type"),
                        "Config 'transforms.n.negate' was provided but there is no config "
                        "'transforms.n.predicate' defining a predicate to be negated.");
    assert_string_equal(errs(infos, "transforms.n.tag"), "tag must not be bad");
    assert_string_equal(errs(infos, "transforms.x.predicate"),
                        "Invalid value ghost for configuration predicate: the predicate alias "
                        "'ghost' is not listed in 'predicates'");
    assert_string_equal(errs(infos, "predicates.big.size"),
                        "Missing required configuration \"predicates.big.size\" which has no "
                        "default value.");
    assert_int_equal(configinfo_error_count(infos), 8);
    assert_int_equal(config_result_error_count(r), 8);
    json_decref(infos);
    config_result_free(r);

    /* a type missing altogether */
    infos = validate_ok(props("name", "s", "connector.class", SINK, "topics", "t", "path", "p",
                              "transforms", "a", NULL),
                        NULL);
    assert_string_equal(errs(infos, "transforms.a.type"),
                        "Missing required configuration \"transforms.a.type\" which has no "
                        "default value.");
    assert_int_equal(configinfo_error_count(infos), 1);
    json_decref(infos);
}

static void test_converters(void **state)
{
    (void)state;
    config_result *r = NULL;
    json_t *infos = validate_ok(
        props("name", "s", "connector.class", SINK, "topics", "t", "path", "p", "key.converter",
              "com.example.config.CheckedConverter", "key.converter.strict", "maybe",
              "value.converter", "CheckedConverter", "header.converter", "CheckedConverter",
              NULL),
        &r);
    /* key converter: its own keys, prefixed, after the connector's */
    json_t *strict = info_of(infos, "key.converter.strict");
    assert_non_null(strict);
    assert_string_equal(errs(infos, "key.converter.strict"),
                        "Invalid value maybe for configuration strict: Expected value to be "
                        "either true or false");
    json_t *ct = json_object_get(info_of(infos, "key.converter.converter.type"), "value");
    assert_string_equal(json_string_value(json_object_get(ct, "value")), "key");
    assert_true(has_group(infos, "Checks"));
    /* value converter by alias: fine; its keys show with the value role */
    ct = json_object_get(info_of(infos, "value.converter.converter.type"), "value");
    assert_string_equal(json_string_value(json_object_get(ct, "value")), "value");
    /* not a header converter */
    assert_string_equal(errs(infos, "header.converter"),
                        "Class class com.example.config.CheckedConverter does not implement the "
                        "HeaderConverter interface");
    assert_null(info_of(infos, "header.converter.strict"));
    assert_int_equal(configinfo_error_count(infos), 2);
    assert_int_equal(config_result_error_count(r), 2);
    const char *key, *msg;
    bool found = false;
    for (size_t i = 0; config_result_error_at(r, i, &key, &msg); i++)
        found = found || strcmp(key, "key.converter.strict") == 0;
    assert_true(found);
    json_decref(infos);
    config_result_free(r);

    infos = validate_ok(props("name", "s", "connector.class", SINK, "topics", "t", "path", "p",
                              "value.converter", "Nope", "key.converter",
                              "org.apache.kafka.connect.json.JsonConverter", NULL),
                        NULL);
    assert_string_equal(errs(infos, "value.converter"),
                        "Invalid value Nope for configuration value.converter: Class Nope could "
                        "not be found.");
    assert_string_equal(errs(infos, "key.converter"), "");
    json_decref(infos);
}

static void test_source(void **state)
{
    (void)state;
    json_t *infos = validate_ok(props("name", "src", "connector.class", "CheckedSource",
                                      "topic.creation.groups", "g,g", NULL),
                                NULL);
    static const char *const expect_groups[] = {"Common", "Transforms", "Predicates",
                                                "Error Handling", "Topic Creation",
                                                "Exactly Once Support", "offsets.topic"};
    json_t *groups = json_object_get(infos, "groups");
    assert_int_equal(json_array_size(groups), 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(json_string_value(json_array_get(groups, i)), expect_groups[i]);
    assert_string_equal(errs(infos, "topic.creation.groups"),
                        "Invalid value [g, g] for configuration topic.creation.groups: Duplicate "
                        "alias provided.");
    assert_null(info_of(infos, "topics")); /* no sink keys or rules for sources */
    assert_non_null(info_of(infos, "interval.ms"));
    assert_int_equal(configinfo_error_count(infos), 1);
    json_decref(infos);
}

static void test_plugin_config(void **state)
{
    (void)state;
    json_t *out = NULL;
    char err[256];
    assert_int_equal(connector_plugin_config("CheckedSink", &out, err, sizeof(err)), SL_OK);
    /* own keys first (their definitions win), then the framework's */
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "name")),
                        "path");
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 3), "name")),
                        "errors.retry.timeout");
    assert_string_equal(json_string_value(json_object_get(json_array_get(out, 4), "name")),
                        "name");
    size_t n = json_array_size(out);
    size_t retry_count = 0;
    bool topics = false;
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_object_get(json_array_get(out, i), "name"));
        retry_count += strcmp(name, "errors.retry.timeout") == 0;
        topics = topics || strcmp(name, "topics") == 0;
    }
    assert_int_equal(retry_count, 1);
    assert_true(topics);
    json_decref(out);

    assert_int_equal(connector_plugin_config("com.example.config.Tag$Value", &out, err,
                                             sizeof(err)),
                     SL_OK);
    assert_int_equal(json_array_size(out), 2);
    json_decref(out);
    assert_int_equal(connector_plugin_config("Nope", &out, err, sizeof(err)),
                     CONNECTOR_VALIDATE_NOT_FOUND);
    assert_null(out);
    assert_string_equal(err, "Unknown plugin Nope.");
}

static void test_typed_parse(void **state)
{
    (void)state;
    const sl_connector_def *def = registry_find_connector("CheckedSink");
    assert_non_null(def);
    sl_props *raw = props("name", "s", "connector.class", SINK, "batch.size", "7", "topics",
                          "a,b", NULL);
    config_result *r = NULL;
    sl_config *c = connector_config_parse(def, raw, &r);
    sl_props_destroy(raw);
    assert_non_null(c);
    assert_int_equal(sl_config_int(c, "batch.size"), 7);
    assert_int_equal(sl_config_int(c, "tasks.max"), 1);
    assert_true(sl_config_long(c, "errors.retry.timeout") == 5); /* the connector's default */
    const char *const *items;
    assert_int_equal(sl_config_list(c, "topics", &items), 2);
    assert_string_equal(errs(NULL, "x"), "<absent>");
    assert_int_equal(config_result_error_count(r), 1); /* path is required */
    config_result_free(r);
    config_free(c);
    assert_null(connector_config_parse(NULL, NULL, &r));
    assert_null(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_errors), cmocka_unit_test(test_valid_sink),
        cmocka_unit_test(test_sink_rules),     cmocka_unit_test(test_connector_errors),
        cmocka_unit_test(test_transforms),     cmocka_unit_test(test_converters),
        cmocka_unit_test(test_source),         cmocka_unit_test(test_plugin_config),
        cmocka_unit_test(test_typed_parse),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
