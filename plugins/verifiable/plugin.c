/* plugins/verifiable/plugin.c: the verifiable plugin's entry point: Kafka's VerifiableSource and
 * VerifiableSink test connectors, written only against the public SDK. */
#include <sluice/sdk.h>

#include "verifiable.h"

static const sl_connector_def *const verifiable_connectors[] = {&verifiable_source_def,
                                                                &verifiable_sink_def, NULL};

SL_PLUGIN(.name = "verifiable", .version = VERIFIABLE_PLUGIN_VERSION,
          .description = "VerifiableSource and VerifiableSink, the sequence-numbered test "
                         "connectors of Kafka's connect tools, for counting loss and "
                         "duplication exactly",
          .connectors = verifiable_connectors);
