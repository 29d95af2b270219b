/* fuzz_csv.c — libFuzzer target for the CSV reader.
 *
 * Parses the input in memory (no temporary file) four ways: one thread, two
 * threads with tiny chunks, three threads, and the general serial parser.
 * All must agree on the status, and on success on every bit of the table;
 * a disagreement aborts so the fuzzer keeps the input. */
#include "io/csv_internal.h"

#include <stdlib.h>
#include <string.h>

static int same(const wn_table *a, const wn_table *b)
{
    if (wn_table_nrows(a) != wn_table_nrows(b) || wn_table_ncols(a) != wn_table_ncols(b))
        return 0;
    for (int64_t c = 0; c < wn_table_ncols(a); c++) {
        if (strcmp(wn_table_name(a, c), wn_table_name(b, c)) ||
            wn_table_nlevels(a, c) != wn_table_nlevels(b, c))
            return 0;
        for (int64_t k = 0; k < wn_table_nlevels(a, c); k++)
            if (strcmp(wn_table_level(a, c, k), wn_table_level(b, c, k)))
                return 0;
        const float *x = wn_table_column(a, c), *y = wn_table_column(b, c);
        if (memcmp(x, y, (size_t)wn_table_nrows(a) * sizeof(float)))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wn_csv_options o;
    wn_csv_options_default(&o);
    if (size > 0 && data[0] == '!') { /* let the fuzzer reach other options */
        o.missing = "-999,x";
        o.max_line = 64;
        o.header = -1;
    }
    const char *buf = (const char *)data;
    wn__csv_knobs kn[4] = {{0, 0}, {1, 0}, {7, 0}, {0, 1}};
    int threads[4] = {1, 2, 3, 1};
    wn_table *ref = NULL;
    o.threads = 1;
    wn_status s0 = wn__table_read_csv_mem_knobs("fuzz.csv", buf, size, &o, &kn[0], &ref);
    for (int i = 1; i < 4; i++) {
        wn_table *t = NULL;
        o.threads = threads[i];
        wn_status s = wn__table_read_csv_mem_knobs("fuzz.csv", buf, size, &o, &kn[i], &t);
        if (s != s0 || (s == WN_OK && !same(ref, t)))
            abort();
        wn_table_free(t);
    }
    wn_table_free(ref);
    return 0;
}
