/* rest/openapi_doc.c: docs/openapi.json embedded in the binary at build time (the assembler's
 * .incbin, path relative to the repository root where make runs), served at /openapi.json. */
#include "rest/rest_internal.h"

__asm__(".section .rodata\n"
        ".balign 16\n"
        "sluice_openapi_start:\n"
        ".incbin \"docs/openapi.json\"\n"
        "sluice_openapi_end:\n"
        ".byte 0\n"
        ".balign 8\n"
        "sluice_openapi_size:\n"
        ".quad sluice_openapi_end - sluice_openapi_start\n"
        ".global sluice_openapi_start\n"
        ".global sluice_openapi_size\n"
        ".hidden sluice_openapi_start\n"
        ".hidden sluice_openapi_size\n"
        ".previous\n");

extern const char sluice_openapi_start[];
extern const unsigned long long sluice_openapi_size;

const char *rest_openapi_text(void)
{
    return sluice_openapi_start;
}

size_t rest_openapi_len(void)
{
    return (size_t)sluice_openapi_size;
}
