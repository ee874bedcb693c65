/* tests/unit/plugins/tiny_manifest.c: a hand-written entry whose manifest claims a struct_size
 * too small for ABI 1.x; the loader must refuse it rather than read past its end. */
#include <sluice/sdk.h>

static const sl_manifest manifest = {
    .abi_major = SL_ABI_MAJOR, .abi_minor = SL_ABI_MINOR, .struct_size = 12, .name = "tiny"};

__attribute__((visibility("default"))) const sl_manifest *
sluice_plugin_entry(const sl_host *host, char *errstr, size_t errstr_size)
{
    (void)host, (void)errstr, (void)errstr_size;
    return &manifest;
}
