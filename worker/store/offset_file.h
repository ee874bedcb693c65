/* store/offset_file.h: the standalone, file-backed source-offset store
 * (offset.storage.file.filename); offset_file_open itself is declared in store/offset_store.h.
 *
 * File format (UTF-8 JSON, one pair per line, rewritten whole on every put):
 *
 *     [
 *     ["[\"file-src\",{\"filename\":\"/tmp/in.txt\"}]","{\"position\":42}"],
 *     ...
 *     ]
 *
 * A JSON array of [key, value] pairs, each a JSON *string* holding the exact bytes of the
 * offsets-topic key and value (compact JSON text, reference §2.2). Strings rather than nested
 * JSON keep the key bytes identical across rewrites, which lookups depend on. Tombstoned
 * partitions are simply absent. A pair whose value is JSON null is accepted on load and
 * ignored; an empty (0-byte) file loads as an empty store, as Kafka's FileOffsetBackingStore
 * treats an empty file. Anything else that does not match is a load error naming the file. */
#ifndef SLUICE_STORE_OFFSET_FILE_H
#define SLUICE_STORE_OFFSET_FILE_H

#include "store/offset_store.h"

/* The temporary file a put writes before renaming it over `path`: "<path>.tmp", in the same
 * directory so that rename() is atomic. Writes it into `out` (caller-provided). Returns SL_OK,
 * or SL_ERR if it does not fit. Pure function, any thread. Exposed for tests. */
int offset_file_tmp_path(const char *path, char *out, size_t out_size);

#endif
