/* test_npy_read.c — the .npy reader: every element type in both byte orders
 * from hand-built files, C and Fortran order, float16 specials, record
 * arrays, header syntax variants, each kind of broken input (status and
 * message), FIFOs, allocation failure. Writing: test_npy_write.c. */
#include "test_npy_util.h"

#include <sys/stat.h>
#include <sys/wait.h>

/* ------------------------------------------------------------------------ */
/* Element types                                                              */
/* ------------------------------------------------------------------------ */

/* One 1-D file per (type string, values): encodes, reads, compares. */
static void check_dtype(const char *ts, int size, bool big, const uint64_t *raw, const float *want,
                        size_t n)
{
    uint8_t data[64];
    for (size_t i = 0; i < n; i++)
        put_uint(data + i * (size_t)size, raw[i], size, big);
    char dict[128];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%zu,), }", ts,
             n);
    wn_table *t = NULL;
    WN_OK_OR_FAIL(read_dict(1, dict, data, n * (size_t)size, &t));
    assert_int_equal(wn_table_nrows(t), (int64_t)n);
    assert_int_equal(wn_table_ncols(t), 1);
    assert_string_equal(wn_table_name(t, 0), "x0");
    for (size_t i = 0; i < n; i++) {
        float g = wn_table_get(t, (int64_t)i, 0);
        if (isnan(want[i]) ? !isnan(g) : f32_bits(g) != f32_bits(want[i]))
            fail_msg("%s element %zu: got %a, want %a", ts, i, (double)g, (double)want[i]);
    }
    wn_table_free(t);
}

static void test_integer_types(void **state)
{
    (void)state;
    const char orders[2] = {'<', '>'};
    for (int o = 0; o < 2; o++) {
        bool big = o == 1;
        for (int size = 1; size <= 8; size *= 2) {
            char ts[24];
            int bits = 8 * size;
            int64_t mn = size == 8 ? INT64_MIN : -((int64_t)1 << (bits - 1));
            int64_t mx = size == 8 ? INT64_MAX : ((int64_t)1 << (bits - 1)) - 1;
            uint64_t umx = size == 8 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
            /* signed */
            uint64_t raw[5] = {0, 1, (uint64_t)-1, (uint64_t)mn, (uint64_t)mx};
            float want[5] = {0.0f, 1.0f, -1.0f, (float)mn, (float)mx};
            snprintf(ts, sizeof ts, "%ci%d", size == 1 ? '|' : orders[o], size);
            check_dtype(ts, size, big, raw, want, 5);
            /* unsigned */
            uint64_t uraw[4] = {0, 1, 100, umx};
            float uwant[4] = {0.0f, 1.0f, 100.0f, (float)umx};
            snprintf(ts, sizeof ts, "%cu%d", size == 1 ? '|' : orders[o], size);
            check_dtype(ts, size, big, uraw, uwant, 4);
        }
    }
    /* literal bytes, no helper: '>i4' ff ff ff fe = -2, '<u2' 34 12 = 0x1234 */
    wn_table *t = NULL;
    WN_OK_OR_FAIL(read_dict(1, "{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }",
                            "\xff\xff\xff\xfe", 4, &t));
    assert_true(wn_table_get(t, 0, 0) == -2.0f);
    wn_table_free(t);
    WN_OK_OR_FAIL(read_dict(1, "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }",
                            "\x34\x12", 2, &t));
    assert_true(wn_table_get(t, 0, 0) == 4660.0f);
    wn_table_free(t);
    /* int64 beyond 2^24 rounds to the nearest float */
    uint64_t r[2] = {16777217, 9007199254740993ull};
    float w[2] = {16777216.0f, 9007199254740992.0f};
    check_dtype("<i8", 8, false, r, w, 2);
    /* bool: zero and non-zero; '?' is numpy's other spelling */
    uint64_t braw[3] = {0, 1, 7};
    float bwant[3] = {0.0f, 1.0f, 1.0f};
    check_dtype("|b1", 1, false, braw, bwant, 3);
    check_dtype("?", 1, false, braw, bwant, 3);
    /* native order '=' and no order at all */
    uint64_t nraw[2] = {258, 65535};
    float nwant[2] = {258.0f, 65535.0f};
    check_dtype("=u2", 2, host_big(), nraw, nwant, 2);
    check_dtype("u2", 2, host_big(), nraw, nwant, 2);
}

static void test_float_types(void **state)
{
    (void)state;
    for (int o = 0; o < 3; o++) {
        bool big = o == 1 || (o == 2 && host_big());
        const char *ord = o == 0 ? "<" : o == 1 ? ">" : "=";
        char ts[8];
        float fv[6] = {1.5f, -0.0f, INFINITY, NAN, 3.4e38f, 1e-45f};
        uint64_t fr[6];
        for (int i = 0; i < 6; i++)
            fr[i] = f32_bits(fv[i]);
        snprintf(ts, sizeof ts, "%sf4", ord);
        check_dtype(ts, 4, big, fr, fv, 6);
        double dv[6] = {1.5, -2.25, 1e300, 1e-300, (double)NAN, 0.1};
        float dw[6] = {1.5f, -2.25f, INFINITY, 0.0f, NAN, 0.1f};
        uint64_t dr[6];
        for (int i = 0; i < 6; i++)
            dr[i] = f64_bits(dv[i]);
        snprintf(ts, sizeof ts, "%sf8", ord);
        check_dtype(ts, 8, big, dr, dw, 6);
        /* float16 specials, each bit pattern with its exact value */
        uint64_t hr[12] = {0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00,
                           0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x3555};
        float hw[12] = {0.0f,  -0.0f,    0x1p-24f, 0x3ffp-24f, 0x1p-14f, 1.0f,
                        -2.0f, 65504.0f, INFINITY, -INFINITY,  NAN,      0.333251953125f};
        snprintf(ts, sizeof ts, "%sf2", ord);
        check_dtype(ts, 2, big, hr, hw, 12);
    }
    /* float16 NaN with the sign bit and a payload stays NaN */
    uint64_t nr[2] = {0xfe01, 0x7c01};
    float nw[2] = {NAN, NAN};
    check_dtype("<f2", 2, false, nr, nw, 2);
}

static void test_unsupported_types(void **state)
{
    (void)state;
    static const struct {
        const char *ts, *needle;
    } bad[] = {
        {"|O", "'|O' (Python objects)"},
        {"<c8", "'<c8' (complex numbers)"},
        {"<U3", "'<U3' (unicode strings)"},
        {"|S5", "'|S5' (byte strings)"},
        {"<M8[ns]", "'<M8[ns]' (datetimes)"},
        {"<m8[s]", "(timedeltas)"},
        {"|V8", "'|V8' (raw bytes (void))"},
        {"<f16", "(extended precision floats)"},
        {"<i3", "'<i3' (integers of this size)"},
        {"<x4", "'<x4' (not a numeric type)"},
        {"", "(not a numeric type)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (1,), }",
                 bad[i].ts);
        wn_table *t = NULL;
        WN_EXPECT_ERR(read_dict(1, dict, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16, &t), WN_EFORMAT,
                      bad[i].needle);
        assert_null(t);
        assert_non_null(strstr(wn_errmsg(), "winnow reads float16/32/64"));
    }
}

/* ------------------------------------------------------------------------ */
/* Shapes and orders                                                          */
/* ------------------------------------------------------------------------ */

static void test_c_and_fortran_order(void **state)
{
    (void)state;
    const uint8_t d[12] = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0};
    wn_table *t = NULL;
    WN_OK_OR_FAIL(
        read_dict(1, "{'descr': '<i2', 'fortran_order': True, 'shape': (3, 2), }", d, 12, &t));
    assert_int_equal(wn_table_nrows(t), 3);
    assert_int_equal(wn_table_ncols(t), 2);
    assert_string_equal(wn_table_name(t, 1), "x1");
    for (int r = 0; r < 3; r++) {
        assert_true(wn_table_get(t, r, 0) == (float)(r + 1));
        assert_true(wn_table_get(t, r, 1) == (float)(r + 4));
    }
    wn_table_free(t);
    WN_OK_OR_FAIL(
        read_dict(1, "{'descr': '<i2', 'fortran_order': False, 'shape': (3, 2), }", d, 12, &t));
    for (int r = 0; r < 3; r++) {
        assert_true(wn_table_get(t, r, 0) == (float)(2 * r + 1));
        assert_true(wn_table_get(t, r, 1) == (float)(2 * r + 2));
    }
    wn_table_free(t);
    /* Fortran order of a 1-D array changes nothing */
    WN_OK_OR_FAIL(
        read_dict(1, "{'descr': '<i2', 'fortran_order': True, 'shape': (6,), }", d, 12, &t));
    assert_true(wn_table_get(t, 5, 0) == 6.0f);
    wn_table_free(t);
}

/* Enough data to cross the reader's 1 MiB chunks in both paths. */
static void test_large_crosses_chunks(void **state)
{
    (void)state;
    const size_t n = 300000, k = 3;
    uint8_t *d = malloc(n * k * 8);
    assert_non_null(d);
    for (int fortran = 0; fortran < 2; fortran++) {
        for (size_t r = 0; r < n; r++)
            for (size_t c = 0; c < k; c++) {
                size_t at = fortran ? c * n + r : r * k + c;
                put_uint(d + at * 8, f64_bits((double)(r * k + c) + 0.5), 8, true);
            }
        char dict[128];
        snprintf(dict, sizeof dict, "{'descr': '>f8', 'fortran_order': %s, 'shape': (%zu, %zu), }",
                 fortran ? "True" : "False", n, k);
        wn_table *t = NULL;
        WN_OK_OR_FAIL(read_dict(1, dict, d, n * k * 8, &t));
        for (size_t r = 0; r < n; r += 997)
            for (size_t c = 0; c < k; c++)
                assert_true(wn_table_get(t, (int64_t)r, (int64_t)c) ==
                            (float)((double)(r * k + c) + 0.5));
        assert_true(wn_table_get(t, (int64_t)n - 1, 2) == (float)((double)(n * k - 1) + 0.5));
        wn_table_free(t);
    }
    free(d);
}

static void test_records(void **state)
{
    (void)state;
    /* mjj <f4, label <i8, 3 padding bytes, w >f8, unnamed |u1 (→ f4),
     * a titled field, 26 bytes a record */
    const char *dict = "{'descr': [('mjj', '<f4'), ('label', '<i8'), ('', '|V3'), ('w', '>f8'), "
                       "('', '|u1'), (('a title', 'ti'), '<i2')], 'fortran_order': False, "
                       "'shape': (2,), }";
    uint8_t d[52];
    memset(d, 0xAA, sizeof d);
    for (int r = 0; r < 2; r++) {
        uint8_t *p = d + 26 * r;
        put_uint(p, f32_bits(100.5f + (float)r), 4, false);
        put_uint(p + 4, (uint64_t)(int64_t)(r ? -1 : 1), 8, false);
        put_uint(p + 15, f64_bits(0.25 * (r + 1)), 8, true);
        p[23] = (uint8_t)(200 + r);
        put_uint(p + 24, (uint64_t)(r ? -300 : 300), 2, false);
    }
    wn_table *t = NULL;
    WN_OK_OR_FAIL(read_dict(1, dict, d, sizeof d, &t));
    assert_int_equal(wn_table_ncols(t), 5);
    assert_int_equal(wn_table_nrows(t), 2);
    const char *names[5] = {"mjj", "label", "w", "f4", "ti"};
    for (int c = 0; c < 5; c++)
        assert_string_equal(wn_table_name(t, c), names[c]);
    assert_true(wn_table_get(t, 0, 0) == 100.5f && wn_table_get(t, 1, 0) == 101.5f);
    assert_true(wn_table_get(t, 0, 1) == 1.0f && wn_table_get(t, 1, 1) == -1.0f);
    assert_true(wn_table_get(t, 0, 2) == 0.25f && wn_table_get(t, 1, 2) == 0.5f);
    assert_true(wn_table_get(t, 0, 3) == 200.0f && wn_table_get(t, 1, 3) == 201.0f);
    assert_true(wn_table_get(t, 0, 4) == 300.0f && wn_table_get(t, 1, 4) == -300.0f);
    wn_table_free(t);
}

static void test_header_syntax_variants(void **state)
{
    (void)state;
    const uint8_t d[8] = {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}; /* 1.0f, 2.0f */
    static const char *const dicts[] = {
        /* keys in any order, odd spacing, trailing commas, double quotes,
         * a Python 2 long */
        "{ \"shape\" : ( 2L , ) ,\n\t'fortran_order':False,'descr':'<f4',}",
        "{'descr':'<f4','fortran_order':False,'shape':(2,)}",
        "{'descr': [('a', '<f4',),], 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }",
    };
    for (size_t i = 0; i < sizeof dicts / sizeof dicts[0]; i++) {
        wn_table *t = NULL;
        WN_OK_OR_FAIL(read_dict(1, dicts[i], d, 8, &t));
        assert_int_equal(wn_table_nrows(t), 2);
        assert_true(wn_table_get(t, 0, 0) == 1.0f && wn_table_get(t, 1, 0) == 2.0f);
        wn_table_free(t);
    }
    /* version 2.0 and an old 16-byte aligned header */
    wn_table *t = NULL;
    WN_OK_OR_FAIL(
        read_dict(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", d, 8, &t));
    assert_true(wn_table_get(t, 1, 0) == 2.0f);
    wn_table_free(t);
    size_t n;
    uint8_t *img = npy_build_aligned(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                                     d, 8, 16, &n);
    WN_OK_OR_FAIL(read_image(img, n, &t));
    free(img);
    assert_true(wn_table_get(t, 1, 0) == 2.0f);
    wn_table_free(t);
}

static void test_names_and_encodings(void **state)
{
    (void)state;
    const uint8_t d[4] = {0, 0, 0x80, 0x3f};
    wn_table *t = NULL;
    /* 3.0: UTF-8 header text */
    WN_OK_OR_FAIL(read_dict(3,
                            "{'descr': [('\xc3\xa9t\xc3\xa9', '<f4')], 'fortran_order': False, "
                            "'shape': (1,), }",
                            d, 4, &t));
    assert_string_equal(wn_table_name(t, 0), "\xc3\xa9t\xc3\xa9");
    wn_table_free(t);
    /* 1.0: latin-1 header text, converted to UTF-8 */
    WN_OK_OR_FAIL(read_dict(1,
                            "{'descr': [('\xe9', '<f4')], 'fortran_order': False, "
                            "'shape': (1,), }",
                            d, 4, &t));
    assert_string_equal(wn_table_name(t, 0), "\xc3\xa9");
    wn_table_free(t);
    /* Python escapes */
    const uint8_t d4[16] = {0};
    WN_OK_OR_FAIL(
        read_dict(1,
                  "{'descr': [('a\\'b', '<f4'), (\"q\\\"\\\\\", '<f4'), ('\\u65e5\\x41\\t', "
                  "'<f4'), ('\\U0001F600\\101\\z', '<f4')], 'fortran_order': False, "
                  "'shape': (1,), }",
                  d4, 16, &t));
    assert_string_equal(wn_table_name(t, 0), "a'b");
    assert_string_equal(wn_table_name(t, 1), "q\"\\");
    assert_string_equal(wn_table_name(t, 2), "\xe6\x97\xa5"
                                             "A\t");
    assert_string_equal(wn_table_name(t, 3), "\xf0\x9f\x98\x80"
                                             "A\\z");
    wn_table_free(t);
}

/* ------------------------------------------------------------------------ */
/* Broken input                                                               */
/* ------------------------------------------------------------------------ */

static void expect_bad_dict(int major, const char *dict, size_t data_len, wn_status st,
                            const char *needle)
{
    uint8_t *d = calloc(1, data_len + 1);
    wn_table *t = NULL;
    wn_status s = read_dict(major, dict, d, data_len, &t);
    free(d);
    if (s != st)
        fail_msg("%s -> %s (want %s): %s", dict, wn_status_name(s), wn_status_name(st),
                 wn_errmsg());
    if (!strstr(wn_errmsg(), needle))
        fail_msg("%s: message '%s' lacks '%s'", dict, wn_errmsg(), needle);
    assert_null(t);
}

static void test_bad_preamble(void **state)
{
    (void)state;
    wn_table *t = NULL;
    WN_EXPECT_ERR(read_image((const uint8_t *)"PK\3\4 not numpy at all", 22, &t), WN_EFORMAT,
                  "bad magic");
    WN_EXPECT_ERR(read_image((const uint8_t *)"\x93NU", 3, &t), WN_EFORMAT, "bad magic");
    WN_EXPECT_ERR(read_image((const uint8_t *)"", 0, &t), WN_EFORMAT, "not a NumPy .npy file");
    WN_EXPECT_ERR(read_image((const uint8_t *)"\x93NUMPY", 6, &t), WN_EFORMAT, "truncated");
    WN_EXPECT_ERR(read_image((const uint8_t *)"\x93NUMPY\x01\x00\x10", 9, &t), WN_EFORMAT,
                  "truncated NPY header");
    WN_EXPECT_ERR(read_image((const uint8_t *)"\x93NUMPY\x04\x00\x10\x00", 10, &t), WN_EFORMAT,
                  "version 4.0");
    WN_EXPECT_ERR(read_image((const uint8_t *)"\x93NUMPY\x01\x01\x10\x00", 10, &t), WN_EFORMAT,
                  "version 1.1");
    WN_EXPECT_ERR(read_image((const uint8_t *)"\x93NUMPY\x00\x00\x10\x00", 10, &t), WN_EFORMAT,
                  "version 0.0");
    /* header length beyond the file */
    WN_EXPECT_ERR(read_image((const uint8_t *)"\x93NUMPY\x01\x00\x64\x00{'descr'", 18, &t),
                  WN_EFORMAT, "claims 100 bytes but the file has only 8");
    WN_EXPECT_ERR(read_image((const uint8_t *)"\x93NUMPY\x02\x00\xff\xff\xff\xff{", 13, &t),
                  WN_EFORMAT, "claims 4294967295 bytes");
    assert_null(t);
}

static void test_bad_dicts(void **state)
{
    (void)state;
    static const struct {
        const char *dict, *needle;
    } bad[] = {
        {"{'descr': '<f4', 'fortran_order': False, }", "lacks the 'shape' key"},
        {"{'fortran_order': False, 'shape': (1,), }", "lacks the 'descr' key"},
        {"{'descr': '<f4', 'shape': (1,), }", "lacks the 'fortran_order' key"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, x), }", "expected an integer"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, }", "expected an integer or ')'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1 2), }", "expected ',' or ')'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (,), }", "expected an integer"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", "expected a tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)", "expected ',' or '}'"},
        {"{'descr': '<f4", "unterminated string"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x", "unterminated string"},
        {"[1, 2]", "expected '{'"},
        {"", "expected '{'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}",
         "key appears twice"},
        {"{'descr': '<f4', 'fortran_order': yes, 'shape': (1,)}", "expected True or False"},
        {"{'descr': '<f4', 'fortran_order': Truely, 'shape': (1,)}", "expected True or False"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", "unexpected text after"},
        {"{'descr': '<f4' 'fortran_order': False, 'shape': (1,)}", "expected ',' or '}'"},
        {"{'descr' '<f4', 'fortran_order': False, 'shape': (1,)}", "expected ':'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "negative dimension"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
         "exceeds 2**63-1"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (12abc,)}", "bad integer"},
        {"{'descr': 4, 'fortran_order': False, 'shape': (1,)}", "expected a type string"},
        {"{'descr': ['<f4'], 'fortran_order': False, 'shape': (1,)}", "expected '(' starting"},
        {"{'descr': [('a' '<f4')], 'fortran_order': False, 'shape': (1,)}",
         "expected ',' after a field name"},
        {"{'descr': [('a', 5)], 'fortran_order': False, 'shape': (1,)}",
         "expected the field's type string"},
        {"{'descr': [('a', '<f4'] , 'fortran_order': False, 'shape': (1,)}", "expected ')'"},
        {"{'descr': [('a', '<f4') ('b', '<f4')], 'fortran_order': False, 'shape': (1,)}",
         "expected ',' or ']'"},
        {"{'descr': '\\x4', 'fortran_order': False, 'shape': (1,)}", "bad \\x escape"},
        {"{'descr': [('a\\x00', '<f4')], 'fortran_order': False, 'shape': (1,)}", "NUL"},
        {"{'descr': [('\\U00110000', '<f4')], 'fortran_order': False, 'shape': (1,)}",
         "beyond U+10FFFF"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_bad_dict(1, bad[i].dict, 4, WN_EFORMAT, bad[i].needle);
    /* the message says where */
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': nope, 'shape': (1,)}", 4, WN_EFORMAT,
                    "at byte 44");
}

static void test_bad_shapes_and_sizes(void **state)
{
    (void)state;
    /* a lying header: far more elements than data */
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 28), }", 4000,
                    WN_EFORMAT,
                    "header says shape (1000000, 28) = 28000000 elements of 4 bytes but the file "
                    "has 4000 data bytes");
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 11, WN_EFORMAT,
                    "but the file has 11 data bytes (it is truncated");
    /* dimensions whose product overflows */
    expect_bad_dict(1,
                    "{'descr': '<f4', 'fortran_order': False, "
                    "'shape': (4611686018427387904, 4611686018427387904), }",
                    16, WN_EFORMAT, "overflows 64 bits");
    expect_bad_dict(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,)}",
                    16, WN_EFORMAT, "overflows 64 bits");
    expect_bad_dict(1,
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (2305843009213693952, 3)}",
                    16, WN_EFORMAT, "overflows 64 bits");
    expect_bad_dict(1,
                    "{'descr': [('a', '<f8'), ('b', '<i8')], 'fortran_order': False, "
                    "'shape': (9223372036854775807,)}",
                    16, WN_EFORMAT, "overflows 64 bits");
    /* more data than the header describes */
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 16, WN_EFORMAT,
                    "4 trailing bytes after the array");
    /* dimensions */
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", 32,
                    WN_EFORMAT, "is 3-D");
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4, WN_EFORMAT,
                    "0-D");
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", 0, WN_EFORMAT,
                    "has no rows");
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", 0, WN_EFORMAT,
                    "has no rows");
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 0), }", 0, WN_EFORMAT,
                    "has no columns");
    expect_bad_dict(1, "{'descr': [('', '|V4')], 'fortran_order': False, 'shape': (1,), }", 4,
                    WN_EFORMAT, "no numeric fields");
    expect_bad_dict(1, "{'descr': [], 'fortran_order': False, 'shape': (1,), }", 0, WN_EFORMAT,
                    "has no columns");
    expect_bad_dict(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 2), }", 16,
                    WN_EFORMAT, "record array must be 1-D");
    expect_bad_dict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 100001), }", 400004,
                    WN_ENOMEM, "100001 columns exceed");
}

static void test_bad_fields(void **state)
{
    (void)state;
    expect_bad_dict(1,
                    "{'descr': [('a', '<f4'), ('s', '<U3')], 'fortran_order': False, "
                    "'shape': (1,), }",
                    16, WN_EFORMAT, "'<U3' (unicode strings) in field s");
    expect_bad_dict(1,
                    "{'descr': [('a', [('b', '<f4')])], 'fortran_order': False, "
                    "'shape': (1,), }",
                    4, WN_EFORMAT, "field 'a' is a nested record");
    expect_bad_dict(1,
                    "{'descr': [('pix', '<f4', (3,))], 'fortran_order': False, "
                    "'shape': (1,), }",
                    12, WN_EFORMAT, "field 'pix' is a subarray");
    expect_bad_dict(1,
                    "{'descr': [('a', '<f4'), ('a', '<f4')], 'fortran_order': False, "
                    "'shape': (1,), }",
                    8, WN_EFORMAT, "duplicate column name 'a'");
    expect_bad_dict(1, "{'descr': [('raw', '|V4')], 'fortran_order': False, 'shape': (1,), }", 4,
                    WN_EFORMAT, "(raw bytes (void)) in field raw");
    /* an unnamed field whose default name clashes */
    expect_bad_dict(1,
                    "{'descr': [('f1', '<f4'), ('', '<f4')], 'fortran_order': False, "
                    "'shape': (1,), }",
                    8, WN_EFORMAT, "duplicate column name 'f1'");
}

static void test_missing_and_directory(void **state)
{
    (void)state;
    wn_table *t = NULL;
    WN_EXPECT_ERR(wn_table_read_npy("/nonexistent/dir/x.npy", &t), WN_EIO,
                  "/nonexistent/dir/x.npy: cannot open");
    WN_EXPECT_ERR(wn_table_read_npy("/tmp", &t), WN_EIO, "is a directory");
    WN_EXPECT_ERR(wn_table_read_npy(NULL, &t), WN_EINVAL, "NULL");
    assert_null(t);
}

/* A FIFO has no size up front: the reader must find short and long data as
 * it reads. */
static wn_status read_through_fifo(const uint8_t *img, size_t n, wn_table **out)
{
    char path[256];
    snprintf(path, sizeof path, "%s/wn_test_fifo_%d.npy",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    unlink(path);
    if (mkfifo(path, 0600) != 0)
        fail_msg("mkfifo %s failed", path);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(img, 1, n, f);
            fclose(f);
        }
        _exit(0);
    }
    wn_status s = wn_table_read_npy(path, out);
    int st;
    waitpid(pid, &st, 0);
    unlink(path);
    return s;
}

static void test_fifo(void **state)
{
    (void)state;
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    const uint8_t d[16] = {0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 1, 2, 3, 4};
    size_t n;
    uint8_t *img = npy_build(1, dict, d, 12, &n);
    wn_table *t = NULL;
    WN_OK_OR_FAIL(read_through_fifo(img, n, &t));
    assert_true(wn_table_get(t, 2, 0) == 3.0f);
    wn_table_free(t);
    t = NULL;
    WN_EXPECT_ERR(read_through_fifo(img, n - 2, &t), WN_EFORMAT,
                  "ends after 10 of the 12 data bytes");
    free(img);
    img = npy_build(1, dict, d, 16, &n);
    WN_EXPECT_ERR(read_through_fifo(img, n, &t), WN_EFORMAT, "trailing bytes");
    free(img);
    assert_null(t);
}

/* ------------------------------------------------------------------------ */
/* Allocation failure                                                         */
/* ------------------------------------------------------------------------ */

static void test_alloc_failure_read(void **state)
{
    (void)state;
    const char *dicts[2] = {
        "{'descr': [('a', '<f4'), ('', '|V2'), ('b', '>i2'), ('', '<f4')], 'fortran_order': "
        "False, 'shape': (3,), }",
        "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"};
    uint8_t d[36] = {0};
    size_t lens[2] = {36, 24};
    for (int which = 0; which < 2; which++) {
        size_t n;
        uint8_t *img = npy_build(1, dicts[which], d, lens[which], &n);
        const char *path = wn_test_file(".npy", img, n);
        int succeeded = 0;
        for (int64_t k = 1; k < 200 && !succeeded; k++) {
            for (int mem = 0; mem < 2; mem++) {
                wn_table *t = NULL;
                wn__alloc_fail_at(k);
                wn_status s =
                    mem ? wn__table_read_npy_mem("m.npy", img, n, &t) : wn_table_read_npy(path, &t);
                wn__alloc_fail_at(0);
                if (s == WN_OK) {
                    succeeded = 1;
                    assert_int_equal(wn_table_ncols(t), 3);
                } else {
                    assert_int_equal(s, WN_ENOMEM);
                    assert_non_null(strstr(wn_errmsg(), "out of memory"));
                    assert_null(t);
                }
                wn_table_free(t);
            }
        }
        assert_true(succeeded);
        unlink(path);
        free(img);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_types),          cmocka_unit_test(test_float_types),
        cmocka_unit_test(test_unsupported_types),      cmocka_unit_test(test_c_and_fortran_order),
        cmocka_unit_test(test_large_crosses_chunks),   cmocka_unit_test(test_records),
        cmocka_unit_test(test_header_syntax_variants), cmocka_unit_test(test_names_and_encodings),
        cmocka_unit_test(test_bad_preamble),           cmocka_unit_test(test_bad_dicts),
        cmocka_unit_test(test_bad_shapes_and_sizes),   cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_missing_and_directory),  cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_alloc_failure_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
