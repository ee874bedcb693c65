/* plugins/file/plugin.c: the file plugin's entry point: one shared object providing Kafka's
 * FileStreamSource and FileStreamSink connectors, written only against the public SDK. */
#include <sluice/sdk.h>

#include "file.h"

static const sl_connector_def *const file_connectors[] = {&file_source_def, &file_sink_def, NULL};

SL_PLUGIN(.name = "file", .version = FILE_PLUGIN_VERSION,
          .description = "FileStreamSource and FileStreamSink, compatible with Kafka's "
                         "connect-file",
          .connectors = file_connectors);
