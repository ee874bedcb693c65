/* plugins/datagen/plugin.c: the datagen plugin's entry point: DatagenConnector, a mock-data
 * source modeled on Confluent's kafka-connect-datagen, written only against the public SDK. */
#include <sluice/sdk.h>

#include "datagen.h"

static const sl_connector_def *const datagen_connectors[] = {&datagen_connector_def, NULL};

SL_PLUGIN(.name = "datagen", .version = DATAGEN_PLUGIN_VERSION,
          .description = "DatagenConnector: mock data (users, pageviews, orders, trades change "
                         "events, or a user's annotated Avro-like template) with Connect "
                         "schemas, for demos and tests",
          .connectors = datagen_connectors);
