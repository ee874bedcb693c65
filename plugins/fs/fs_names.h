/* plugins/fs/fs_names.h: the names the fs sink gives things: store.url to a directory, committed
 * and temporary file names (HDFS connector layout), path joining and partition-value escaping. */
#ifndef SLUICE_PLUGINS_FS_NAMES_H
#define SLUICE_PLUGINS_FS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest topic name Kafka allows. */
#define FS_TOPIC_MAX 249

/* Turn store.url into an absolute directory without a trailing '/': "file:///data/x",
 * "file:/data/x", "file://localhost/data/x" (percent-decoded) or a plain path (a relative one
 * is made absolute against the current directory). hdfs:// and every other scheme are refused
 * with a message saying what to do instead. Caller frees *out. Thread-safe. */
int fs_store_root(const char *url, char **out, char *errstr, size_t errstr_size);

/* A relative directory setting (topics.dir, logs.dir) normalised: leading, trailing and doubled
 * '/' removed; "." and ".." components refused (they would leave the store). Caller frees. */
int fs_clean_rel(const char *dir, const char *key, char **out, char *errstr, size_t errstr_size);

/* Join path parts (a NULL-terminated array) with single '/' separators, skipping empty parts.
 * Caller frees; NULL when out of memory. fs_path_join(a, b, ...) builds the array. */
char *fs_path_joinv(const char *const *parts);
#define fs_path_join(...) fs_path_joinv((const char *const[]){__VA_ARGS__, NULL})

/* "<topic>+<partition>+<start>+<end><ext>", offsets zero-padded to `pad` digits (wider values
 * are printed whole), as the HDFS connector's committed files. Returns the length the name
 * needs (as snprintf); buf holds the (possibly truncated) name. */
size_t fs_name_committed(char *buf, size_t cap, const char *topic, int32_t partition, int64_t start,
                         int64_t end, int pad, const char *ext);

typedef struct fs_name_parts {
    char topic[FS_TOPIC_MAX + 1];
    int32_t partition;
    int64_t start, end;
} fs_name_parts;

/* Parse a committed file name (HDFS's pattern: topic of [A-Za-z0-9._-], three '+'-separated
 * decimal numbers, optional ".ext" of word characters). false if `name` is anything else. */
bool fs_name_parse_committed(const char *name, fs_name_parts *out);

/* Temporary file name "<topic>+<partition>+<16 hex digits>_tmp<ext>": like HDFS's
 * "<uuid>_tmp<ext>" but naming its Kafka partition, so recovery deletes only its own. */
size_t fs_name_temp(char *buf, size_t cap, const char *topic, int32_t partition, uint64_t rnd,
                    const char *ext);
/* True if `name` is a temporary file of topic/partition. */
bool fs_name_is_temp_of(const char *name, const char *topic, int32_t partition);

/* Escape a partition value for use as one directory level (Hive-style %XX): '/', '\\', '%',
 * control characters and DEL are escaped, and "." / ".." become "%2E" / "%2E%2E", so no value
 * can climb out of or add levels to the layout. Caller frees; NULL when out of memory. */
char *fs_escape_value(const char *s, size_t len);

#endif
