/* fuzz_npy.c — libFuzzer target for the .npy reader.
 *
 * Feeds the bytes to the in-memory entry point (the same code the file reader
 * runs, minus fopen), so the fuzzer never touches the filesystem. A table
 * that loads is checked for the shape promises the reader makes and every
 * value is touched, so ASan sees any read of unfilled or foreign memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/npy_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wn_table *t = NULL;
    wn_status s = wn__table_read_npy_mem("fuzz.npy", data, size, &t);
    if (s != WN_OK) {
        /* a failure leaves no table and explains itself */
        if (t || !wn_errmsg()[0] || strncmp(wn_errmsg(), "fuzz.npy: ", 10) != 0)
            abort();
        return 0;
    }
    int64_t nrows = wn_table_nrows(t), ncols = wn_table_ncols(t);
    if (nrows <= 0 || ncols <= 0 || ncols > WN_MAX_COLUMNS)
        abort();
    volatile float sink = 0;
    for (int64_t c = 0; c < ncols; c++) {
        if (!wn_table_name(t, c) || !wn_table_name(t, c)[0])
            abort();
        const float *d = wn_table_column(t, c);
        for (int64_t r = 0; r < nrows; r++)
            sink += d[r];
    }
    (void)sink;
    wn_table_free(t);
    return 0;
}
