/* sluice/sdk.h: the one header a Sluice plugin includes.
 * Types and error codes: types.h. Values and schemas: value.h. Records: record.h.
 * Configuration: config.h. Connectors, tasks, transforms, predicates, converters and the
 * context calls: connector.h. Entry point, manifest and host table: plugin.h. */
#ifndef SLUICE_SDK_H
#define SLUICE_SDK_H

#include "types.h"
#include "value.h"
#include "record.h"
#include "config.h"
#include "connector.h"
#include "plugin.h"

#endif
