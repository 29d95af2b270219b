/* test_npy_util.h — helpers shared by the .npy tests: files built byte by
 * byte (so the tests need no Python), and exact float comparison. */
#ifndef WN_TEST_NPY_UTIL_H
#define WN_TEST_NPY_UTIL_H

#include "wn_test.h"

#include "io/npy_internal.h"

#include <math.h>
#include <stdbool.h>

/* ------------------------------------------------------------------------ */
/* Building files by hand                                                     */
/* ------------------------------------------------------------------------ */

/* An .npy image: magic, version major.0, header length (u16 for 1, u32 for
 * 2 and 3), the dict padded with spaces and '\n' to a multiple of `align`,
 * then `len` data bytes. Caller frees. */
static inline uint8_t *npy_build_aligned(int major, const char *dict, const void *data, size_t len,
                                         size_t align, size_t *out_len)
{
    size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
    size_t total = (pre + dl + 1 + align - 1) / align * align;
    size_t hl = total - pre;
    uint8_t *b = malloc(total + len + 1);
    assert_non_null(b);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (uint8_t)major;
    b[7] = 0;
    for (size_t k = 8; k < pre; k++)
        b[k] = (uint8_t)(hl >> (8 * (k - 8)));
    memcpy(b + pre, dict, dl);
    memset(b + pre + dl, ' ', hl - dl - 1);
    b[total - 1] = '\n';
    if (len)
        memcpy(b + total, data, len);
    *out_len = total + len;
    return b;
}

static inline uint8_t *npy_build(int major, const char *dict, const void *data, size_t len,
                                 size_t *out_len)
{
    return npy_build_aligned(major, dict, data, len, 64, out_len);
}

/* Reads an image through a real file, and through the memory entry point,
 * and checks that both agree on the status. */
static inline wn_status read_image(const uint8_t *img, size_t n, wn_table **out)
{
    const char *path = wn_test_file(".npy", img, n);
    wn_table *m = NULL;
    wn_status sm = wn__table_read_npy_mem("mem.npy", img, n, &m);
    wn_table_free(m);
    wn_status s = wn_table_read_npy(path, out);
    assert_int_equal(s, sm);
    unlink(path);
    return s;
}

static inline wn_status read_dict(int major, const char *dict, const void *data, size_t len,
                                  wn_table **out)
{
    size_t n;
    uint8_t *img = npy_build(major, dict, data, len, &n);
    wn_status s = read_image(img, n, out);
    free(img);
    return s;
}

static inline bool host_big(void)
{
    uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 0;
}

static inline void put_uint(uint8_t *p, uint64_t v, int size, bool big)
{
    for (int k = 0; k < size; k++)
        p[big ? size - 1 - k : k] = (uint8_t)(v >> (8 * k));
}

static inline uint64_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static inline void assert_same_float(float got, float want)
{
    if (isnan(want)) {
        if (!isnan(got))
            fail_msg("got %g, want NaN", (double)got);
        return;
    }
    if (f32_bits(got) != f32_bits(want))
        fail_msg("got %a, want %a", (double)got, (double)want);
}

static inline char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)len + 1);
    assert_non_null(b);
    *n = fread(b, 1, (size_t)len, f);
    b[*n] = 0;
    fclose(f);
    return b;
}

#endif
