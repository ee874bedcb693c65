/* version.h: Sluice's own version, and the Kafka Connect REST API level it implements (shown
 * as "version" by GET /, so that tools which gate features on Connect's version work). */
#ifndef SLUICE_VERSION_H
#define SLUICE_VERSION_H

#define SLUICE_VERSION "0.1.0"
#define SLUICE_CONNECT_VERSION "3.9.0"
#ifndef SLUICE_COMMIT
#define SLUICE_COMMIT "unknown"
#endif

#endif
