/* plugins/file/file.h: what the file plugin's sources share: the two connector definitions
 * and small helpers. Internal to the plugin (hidden symbols, not part of any ABI). */
#ifndef SLUICE_PLUGINS_FILE_FILE_H
#define SLUICE_PLUGINS_FILE_FILE_H

#include <sluice/sdk.h>
#include <stddef.h>

#define FILE_PLUGIN_VERSION "1.0.0"

/* org.apache.kafka.connect.file.FileStreamSourceConnector (source.c). */
extern const sl_connector_def file_source_def;
/* org.apache.kafka.connect.file.FileStreamSinkConnector (sink.c). */
extern const sl_connector_def file_sink_def;

/* True when `file` means standard input/output: null or empty, as Kafka's source treats it. */
static inline bool file_is_std(const char *file) { return file == NULL || *file == '\0'; }

#endif
