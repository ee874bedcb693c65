/* store/store_json.c: compact JSON output and strict JSON input for the Kafka-backed stores'
 * record values (see store_json.h). */
#include "store/store_json.h"

#include <string.h>

#include <stdio.h>

char *store_json_dump(const json_t *v)
{
    /* JSON_COMPACT drops the spaces after ',' and ':', matching Jackson's default output;
     * jansson keeps object insertion order, so fields come out in the order they were set. */
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

json_t *store_json_load(const char *buf, size_t len, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_DECODE_ANY, &jerr);
    if (root == NULL)
        snprintf(errstr, errstr_size, "invalid JSON at column %d: %s", jerr.column, jerr.text);
    return root;
}

bool store_key_prefix(const char *key, size_t len, const char *prefix, const char **rest,
                      size_t *rest_len)
{
    size_t pl = strlen(prefix);
    if (len < pl || memcmp(key, prefix, pl) != 0)
        return false;
    *rest = key + pl;
    *rest_len = len - pl;
    return true;
}
