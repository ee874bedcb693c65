/* tests/unit/plugins/entry_fails.c: a hand-written entry that returns NULL with a reason; the
 * loader must report "entry failed: <reason>". */
#include <stdio.h>

#include <sluice/sdk.h>

__attribute__((visibility("default"))) const sl_manifest *
sluice_plugin_entry(const sl_host *host, char *errstr, size_t errstr_size)
{
    (void)host;
    snprintf(errstr, errstr_size, "license file not found");
    return NULL;
}
