/* rest/body.c: request body checks. Connect maps bodies with Jackson and lets its errors reach
 * the catch-all (500); we answer 400 naming what is wrong, while accepting what Connect does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest/rest_internal.h"

bool rest_content_type_is_json(const char *content_type)
{
    if (content_type == NULL)
        return false;
    const char *p = content_type;
    while (*p == ' ' || *p == '\t')
        p++;
    static const char json[] = "application/json";
    if (strncasecmp(p, json, sizeof(json) - 1) != 0)
        return false;
    p += sizeof(json) - 1;
    while (*p == ' ' || *p == '\t')
        p++;
    /* Parameters (charset=utf-8, ...) are accepted whatever they say: bodies are checked to be
     * UTF-8 anyway, which is what JSON requires (RFC 8259 §8.1). */
    return *p == '\0' || *p == ';';
}

const char *rest_clip(const char *s, char *buf, size_t size)
{
    size_t len = strlen(s);
    if (len < size)
        return s;
    /* Leave room for "...", then back off to the start of a UTF-8 sequence so the message
     * stays valid UTF-8 (jansson refuses to encode anything else). */
    if (size < 4) {
        if (size > 0)
            buf[0] = '\0';
        return buf;
    }
    size_t n = size - 4;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, s, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

const char *rest_json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

json_t *rest_body_parse(const char *body, size_t len, herder_reply *r)
{
    size_t i = 0;
    if (body == NULL)
        len = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    if (i == len) {
        herder_reply_error(r, 400, "Request body is empty: expected a JSON document");
        return NULL;
    }
    size_t bad = 0;
    if (!rest_utf8_valid(body, len, &bad)) {
        herder_reply_error(r, 400, "Request body is not valid UTF-8 (bad byte at offset %zu)", bad);
        return NULL;
    }
    json_error_t err;
    /* JSON_DECODE_ANY: a body such as "x" or 5 parses, so the caller can say "must be an
     * object" rather than report a syntax error. Duplicate keys keep the last value, as
     * Jackson does. jansson bounds nesting depth, so hostile nesting cannot exhaust the
     * stack. */
    json_t *v = json_loadb(body, len, JSON_DECODE_ANY, &err);
    if (v == NULL) {
        herder_reply_error(r, 400, "Invalid JSON in request body: %s (line %d, column %d)",
                           err.text, err.line, err.column);
        return NULL;
    }
    return v;
}

/* Shortest "%g" text that reads back as the same double: Jackson hands the number's source
 * text to Map<String,String>; this is the closest we can get after parsing. */
static void format_real(double d, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

json_t *rest_config_object(const json_t *in, bool allow_null, const char *what, herder_reply *r)
{
    if (!json_is_object(in)) {
        herder_reply_error(r, 400, "%s must be a JSON object of string values, not %s", what,
                           rest_json_type_name(in));
        return NULL;
    }
    json_t *out = json_object();
    if (out == NULL) {
        herder_reply_error(r, 500, "Out of memory");
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)in, key, v)
    {
        json_t *s = NULL;
        char buf[64], kbuf[256];
        switch (json_typeof(v)) {
        case JSON_STRING:
            s = json_stringn(json_string_value(v), json_string_length(v));
            break;
        case JSON_INTEGER:
            /* Jackson coerces scalars to String: {"tasks.max": 1} works in Connect. */
            snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            s = json_string(buf);
            break;
        case JSON_REAL:
            format_real(json_real_value(v), buf, sizeof(buf));
            s = json_string(buf);
            break;
        case JSON_TRUE:
            s = json_string("true");
            break;
        case JSON_FALSE:
            s = json_string("false");
            break;
        case JSON_NULL:
            if (!allow_null) {
                herder_reply_error(r, 400,
                                   "Null value can not be supplied as the configuration value "
                                   "(key '%s')",
                                   rest_clip(key, kbuf, sizeof(kbuf)));
                json_decref(out);
                return NULL;
            }
            s = json_null();
            break;
        case JSON_OBJECT:
        case JSON_ARRAY:
            herder_reply_error(r, 400,
                               "Invalid value for configuration key '%s' in %s: expected a "
                               "string, got %s",
                               rest_clip(key, kbuf, sizeof(kbuf)), what, rest_json_type_name(v));
            json_decref(out);
            return NULL;
        }
        if (s == NULL || json_object_set_new(out, key, s) != 0) {
            /* json_stringn refuses only invalid UTF-8, which the parser already rejected. */
            herder_reply_error(r, 500, "Out of memory");
            json_decref(out);
            return NULL;
        }
    }
    return out;
}

/* Java's String.trim(): strip every char <= U+0020 at both ends. */
static char *java_trim(const char *s)
{
    while (*s != '\0' && (unsigned char)*s <= 0x20)
        s++;
    size_t len = strlen(s);
    while (len > 0 && (unsigned char)s[len - 1] <= 0x20)
        len--;
    return strndup(s, len);
}

void rest_create_request_fini(rest_create_request *req)
{
    free(req->name);
    json_decref(req->config);
    free(req->initial_state);
    memset(req, 0, sizeof(*req));
}

int rest_create_request_parse(const json_t *body, rest_create_request *out, herder_reply *r)
{
    memset(out, 0, sizeof(*out));
    if (!json_is_object(body)) {
        herder_reply_error(r, 400,
                           "Request body must be a JSON object {\"name\":...,\"config\":{...}}, "
                           "not %s",
                           rest_json_type_name(body));
        return SL_ERR;
    }
    const json_t *name = json_object_get(body, "name");
    if (name != NULL && !json_is_null(name) && !json_is_string(name)) {
        herder_reply_error(r, 400, "Connector name must be a string, not %s", rest_json_type_name(name));
        return SL_ERR;
    }
    /* Connect: a missing name becomes "" and is then refused by the herder's checks. */
    out->name = java_trim(json_is_string(name) ? json_string_value(name) : "");

    const json_t *config = json_object_get(body, "config");
    if (config == NULL || json_is_null(config)) {
        herder_reply_error(r, 400, "Request body has no 'config' object");
        rest_create_request_fini(out);
        return SL_ERR;
    }
    out->config = rest_config_object(config, false, "Connector configuration", r);
    if (out->config == NULL) {
        rest_create_request_fini(out);
        return SL_ERR;
    }

    const json_t *state = json_object_get(body, "initial_state");
    if (state != NULL && !json_is_null(state)) {
        static const char *const states[] = {"RUNNING", "PAUSED", "STOPPED"};
        const char *s = json_is_string(state) ? json_string_value(state) : NULL;
        char sbuf[128];
        for (size_t i = 0; s != NULL && i < sizeof(states) / sizeof(states[0]); i++)
            if (strcasecmp(s, states[i]) == 0)
                out->initial_state = strdup(states[i]);
        if (out->initial_state == NULL) {
            if (s != NULL)
                herder_reply_error(r, 400,
                                   "Invalid initial_state '%s': must be one of RUNNING, "
                                   "PAUSED, STOPPED",
                                   rest_clip(s, sbuf, sizeof(sbuf)));
            else
                herder_reply_error(r, 400,
                                   "Invalid initial_state: must be one of \"RUNNING\", "
                                   "\"PAUSED\", \"STOPPED\", not %s",
                                   rest_json_type_name(state));
            rest_create_request_fini(out);
            return SL_ERR;
        }
    }
    if (out->name == NULL) {
        herder_reply_error(r, 500, "Out of memory");
        rest_create_request_fini(out);
        return SL_ERR;
    }
    return SL_OK;
}
