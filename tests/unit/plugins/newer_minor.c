/* tests/unit/plugins/newer_minor.c: a hand-written entry returning a manifest built for a minor
 * ABI newer than the worker's; the loader must refuse it. */
#include <sluice/sdk.h>

static const sl_manifest manifest = {.abi_major = SL_ABI_MAJOR,
                                     .abi_minor = SL_ABI_MINOR + 1,
                                     .struct_size = sizeof(sl_manifest),
                                     .name = "newer-minor"};

__attribute__((visibility("default"))) const sl_manifest *
sluice_plugin_entry(const sl_host *host, char *errstr, size_t errstr_size)
{
    (void)host, (void)errstr, (void)errstr_size;
    return &manifest;
}
