/* plugins/postgres/plugin.c: the postgres plugin's entry point: one shared object providing
 * the PostgreSQL sink connector, written only against the public SDK. */
#include <sluice/sdk.h>

#include "pgsink.h"

static const sl_connector_def *const pg_connectors[] = {&pg_sink_def, NULL};

SL_PLUGIN(.name = "postgres", .version = PG_PLUGIN_VERSION,
          .description = "PostgreSQL sink: COPY micro-batches, upsert/update/delete, exactly "
                         "once through an offsets table",
          .connectors = pg_connectors);
