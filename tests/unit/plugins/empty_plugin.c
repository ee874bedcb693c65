/* tests/unit/plugins/empty_plugin.c: a valid plugin that provides nothing; the loader must
 * unload it (calling fini) rather than keep a useless shared object. */
#include <sluice/sdk.h>

static void empty_fini(void) { sl_log(SL_LOG_INFO, "empty plugin fini"); }

SL_PLUGIN(.name = "empty", .version = "0.0.0", .fini = empty_fini);
