/* tests/unit/plugins/wrong_major.c: a hand-written entry returning a manifest built for ABI 2.0;
 * the loader must refuse it naming both versions. */
#include <sluice/sdk.h>

static const sl_manifest manifest = {
    .abi_major = 2, .abi_minor = 0, .struct_size = sizeof(sl_manifest), .name = "wrong-major"};

__attribute__((visibility("default"))) const sl_manifest *
sluice_plugin_entry(const sl_host *host, char *errstr, size_t errstr_size)
{
    (void)host, (void)errstr, (void)errstr_size;
    return &manifest;
}
