/* plugin/host_table.c: the sl_host function table handed to every plugin's entry point, built
 * from SL_HOST_API so that each field points at the worker function of the same name. */
#include "plugin/registry.h"

/* Expanding the same list the plugin side expands keeps the two in the same order by
 * construction; a function missing from the worker is a link error, not a NULL slot. */
#define HOST_TABLE_FIELD(ret, name, params) .name = name,

static const sl_host g_host_table = {
    .abi_major = SL_ABI_MAJOR,
    .abi_minor = SL_ABI_MINOR,
    .struct_size = sizeof(sl_host),
    SL_HOST_API(HOST_TABLE_FIELD)};

const sl_host *registry_host_table(void) { return &g_host_table; }
