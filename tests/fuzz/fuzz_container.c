/* fuzz_container.c — libFuzzer target for the model container loader.
 *
 * Feeds the bytes to the in-memory loader. A failure must explain itself in
 * one line naming the file; a container that loads is read completely: the
 * header text, its parsed tree and every section's bytes, so ASan sees any
 * pointer that escaped the copy the loader made. Random bytes rarely pass
 * the CRC; the seed corpus holds valid files for the fuzzer to mutate, and
 * libFuzzer's CMP tracing lets it solve the checksum comparisons. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wn__container *c = NULL;
    wn_status s = wn__container_load_mem("fuzz.wnm", data, size, &c);
    if (s != WN_OK) {
        if (c || strncmp(wn_errmsg(), "fuzz.wnm: ", 10) != 0 || strchr(wn_errmsg(), '\n'))
            abort();
        return 0;
    }
    size_t hl;
    const char *h = wn__container_header(c, &hl);
    if (strlen(h) != hl || !wn__json_get_string(wn__container_header_json(c), "kind", NULL))
        abort();
    volatile uint8_t sink = 0;
    for (int k = 0; k < wn__container_nsections(c); k++) {
        const char *name = wn__container_section_name(c, k);
        const void *p;
        size_t n;
        if (!name || wn__container_section(c, name, &p, &n) != WN_OK || (uintptr_t)p % 64)
            abort();
        for (size_t j = 0; j < n; j++)
            sink ^= ((const uint8_t *)p)[j];
    }
    (void)sink;
    wn__container_free(c);
    return 0;
}
