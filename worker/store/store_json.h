/* store/store_json.h: the JSON conventions shared by the Kafka-backed stores: compact output in
 * insertion order (Connect's JsonConverter, schemas disabled) and bounded, strict parsing. */
#ifndef SLUICE_STORE_JSON_H
#define SLUICE_STORE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Compact JSON text of `v` (borrowed), fields in insertion order. Caller frees the result;
 * NULL on out of memory. Pure function, any thread. */
char *store_json_dump(const json_t *v);

/* Parse `len` bytes (borrowed; need not be NUL-terminated) as one JSON value. Caller owns the
 * result (json_decref); NULL + errstr ("invalid JSON at column N: ...") on bad input,
 * including embedded NUL characters. Pure function, any thread. */
json_t *store_json_load(const char *buf, size_t len, char *errstr, size_t errstr_size);

/* True if the `len`-byte record key starts with `prefix`; then *rest and *rest_len describe
 * what follows it (borrowed from `key`). Internal-topic keys are "<prefix><name>". */
bool store_key_prefix(const char *key, size_t len, const char *prefix, const char **rest,
                      size_t *rest_len);

#endif
