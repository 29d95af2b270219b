/* test_core.c — errors, allocation hook, RNG, table, views, statistics. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(wn_status_name(WN_OK), "ok");
    assert_string_equal(wn_status_name(WN_EFORMAT), "malformed input");
    wn__fail(WN_EINVAL, "parameter %s out of range", "rows");
    assert_string_equal(wn_errmsg(), "parameter rows out of range");
    wn__fail_prefix(WN_EINVAL, "file.csv");
    assert_string_equal(wn_errmsg(), "file.csv: parameter rows out of range");
}

static void test_rng_pure_and_streams(void **state)
{
    (void)state;
    /* the same coordinates give the same number; neighbours differ */
    assert_true(wn_rng_u64_at(1, 2, 3) == wn_rng_u64_at(1, 2, 3));
    assert_true(wn_rng_u64_at(1, 2, 3) != wn_rng_u64_at(1, 2, 4));
    assert_true(wn_rng_u64_at(1, 2, 3) != wn_rng_u64_at(1, 3, 3));
    assert_true(wn_rng_u64_at(1, 2, 3) != wn_rng_u64_at(2, 2, 3));
    wn_rng r = wn_rng_make(7, 9);
    for (uint64_t i = 0; i < 100; i++)
        assert_true(wn_rng_u64(&r) == wn_rng_u64_at(7, 9, i));
}

static void test_rng_moments(void **state)
{
    (void)state;
    wn_rng r = wn_rng_make(123, 0);
    const int n = 200000;
    double s = 0, s2 = 0, e = 0, g = 0, p = 0, pl = 0;
    uint64_t below[10] = {0};
    for (int i = 0; i < n; i++) {
        double u = wn_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        double z = wn_rng_normal(&r);
        s += z;
        s2 += z * z;
        e += wn_rng_exponential(&r);
        g += wn_rng_gamma(&r, 2.5);
        p += (double)wn_rng_poisson(&r, 3.0);
        pl += (double)wn_rng_poisson(&r, 150.0);
        below[wn_rng_below(&r, 10)]++;
    }
    /* 5-sigma bands for each mean */
    assert_true(fabs(s / n) < 5.0 / sqrt(n));
    assert_true(fabs(s2 / n - 1.0) < 5.0 * sqrt(2.0 / n));
    assert_true(fabs(e / n - 1.0) < 5.0 / sqrt(n));
    assert_true(fabs(g / n - 2.5) < 5.0 * sqrt(2.5 / n));
    assert_true(fabs(p / n - 3.0) < 5.0 * sqrt(3.0 / n));
    assert_true(fabs(pl / n - 150.0) < 5.0 * sqrt(150.0 / n));
    for (int k = 0; k < 10; k++)
        assert_true(fabs((double)below[k] - n / 10.0) < 5.0 * sqrt(n * 0.09));
}

static void test_table_basics(void **state)
{
    (void)state;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(4, &t));
    float a[4] = {1, 2, NAN, 4}, b[4] = {0, 1, 1, 0};
    WN_OK_OR_FAIL(wn_table_add_column(t, "x", a));
    WN_OK_OR_FAIL(wn_table_add_column(t, "label", b));
    WN_EXPECT_ERR(wn_table_add_column(t, "x", a), WN_EINVAL, "duplicate column name 'x'");
    WN_EXPECT_ERR(wn_table_add_column(t, "", a), WN_EINVAL, "empty");
    assert_int_equal(wn_table_ncols(t), 2);
    int64_t c;
    WN_OK_OR_FAIL(wn_table_find(t, "label", &c));
    assert_int_equal(c, 1);
    WN_EXPECT_ERR(wn_table_find(t, "Label", &c), WN_ENOTFOUND, "did you mean 'label'");
    WN_EXPECT_ERR(wn_table_find(t, "y", &c), WN_ENOTFOUND, "columns are: x, label");
    WN_OK_OR_FAIL(wn_table_set_role(t, 1, WN_ROLE_LABEL));
    assert_int_equal(wn_table_role_column(t, WN_ROLE_LABEL), 1);
    assert_int_equal(wn_table_role_column(t, WN_ROLE_WEIGHT), -1);

    wn_column_stats st;
    WN_OK_OR_FAIL(wn_table_column_stats(t, 0, NULL, &st));
    assert_int_equal(st.count, 3);
    assert_int_equal(st.missing, 1);
    assert_true(fabs(st.mean - 7.0 / 3.0) < 1e-12);
    assert_true(st.min == 1.0 && st.max == 4.0);
    double var = ((1 - 7.0 / 3) * (1 - 7.0 / 3) + (2 - 7.0 / 3) * (2 - 7.0 / 3) +
                  (4 - 7.0 / 3) * (4 - 7.0 / 3)) / 3.0;
    assert_true(fabs(st.std - sqrt(var)) < 1e-12);

    int64_t n0, n1;
    WN_OK_OR_FAIL(wn_table_check_binary(t, 1, &n0, &n1));
    assert_int_equal(n0, 2);
    assert_int_equal(n1, 2);
    WN_EXPECT_ERR(wn_table_check_binary(t, 0, &n0, &n1), WN_EFORMAT, "missing");
    wn_table_free(t);
}

static void test_views_share_and_outlive(void **state)
{
    (void)state;
    wn_table *t = NULL, *v = NULL, *vv = NULL;
    WN_OK_OR_FAIL(wn_table_create(5, &t));
    float a[5] = {10, 11, 12, 13, 14};
    WN_OK_OR_FAIL(wn_table_add_column(t, "a", a));
    int64_t rows[3] = {4, 0, 2};
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 3, &v));
    assert_int_equal(wn_table_nrows(v), 3);
    assert_true(wn_table_get(v, 0, 0) == 14.0f);
    /* no copy: the view reads the parent's storage */
    assert_ptr_equal(wn_table_column(v, 0), wn_table_column(t, 0));
    assert_null(wn_table_column_mut(v, 0));
    int64_t r2[2] = {2, 1};
    WN_OK_OR_FAIL(wn_table_view_rows(v, r2, 2, &vv));
    wn_table_free(t);
    wn_table_free(v);
    float g[2];
    wn_table_gather(vv, 0, g);
    assert_true(g[0] == 12.0f && g[1] == 10.0f);
    int64_t bad = 5;
    WN_EXPECT_ERR(wn_table_view_rows(vv, &bad, 1, &v), WN_EINVAL, "outside");
    wn_table_free(vv);
}

static void test_stats_thread_independent(void **state)
{
    (void)state;
    const int64_t n = 300000;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    WN_OK_OR_FAIL(wn_table_add_column(t, "x", NULL));
    float *x = wn_table_column_mut(t, 0);
    float *w = malloc((size_t)n * sizeof *w);
    wn_rng r = wn_rng_make(5, 0);
    for (int64_t i = 0; i < n; i++) {
        x[i] = (float)(wn_rng_normal(&r) * 3.0 + 100.0);
        w[i] = (float)(wn_rng_uniform(&r) * 2.0 - 0.5); /* some negative weights */
    }
    wn_column_stats a, b;
    WN_OK_OR_FAIL(wn_table_column_stats(t, 0, w, &a));
    /* reference: a plain two-pass sum in long double */
    long double sw = 0, swx = 0;
    for (int64_t i = 0; i < n; i++) {
        sw += (long double)w[i];
        swx += (long double)w[i] * (long double)x[i];
    }
    assert_true(fabs(a.mean - (double)(swx / sw)) < 1e-9 * fabs(a.mean));
#ifdef _OPENMP
    extern void omp_set_num_threads(int);
    omp_set_num_threads(1);
    WN_OK_OR_FAIL(wn_table_column_stats(t, 0, w, &b));
    omp_set_num_threads(2);
#else
    WN_OK_OR_FAIL(wn_table_column_stats(t, 0, w, &b));
#endif
    assert_memory_equal(&a, &b, sizeof a);
    free(w);
    wn_table_free(t);
}

/* Every allocation inside table building and viewing may fail: walk N until
 * the operation succeeds, checking that each failure is clean (ASan reports
 * any leak). */
static void test_alloc_failure_sweep(void **state)
{
    (void)state;
    int succeeded = 0;
    for (int64_t n = 1; n < 200 && !succeeded; n++) {
        wn__alloc_fail_at(n);
        wn_table *t = NULL, *v = NULL;
        wn_status s = wn_table_create(3, &t);
        if (s == WN_OK)
            s = wn_table_add_column(t, "a", NULL);
        if (s == WN_OK)
            s = wn_table_add_column(t, "b", NULL);
        const char *lv[2] = {"g", "h"};
        if (s == WN_OK)
            s = wn_table_set_levels(t, 1, lv, 2);
        int64_t rows[2] = {0, 2};
        if (s == WN_OK)
            s = wn_table_view_rows(t, rows, 2, &v);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            succeeded = 1;
        else
            assert_int_equal(s, WN_ENOMEM);
        wn_table_free(v);
        wn_table_free(t);
    }
    assert_true(succeeded);
}

static void test_levels(void **state)
{
    (void)state;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(3, &t));
    float c[3] = {0, 1, 2};
    WN_OK_OR_FAIL(wn_table_add_column(t, "class", c));
    const char *lv[3] = {"GALAXY", "STAR", "QSO"};
    WN_OK_OR_FAIL(wn_table_set_levels(t, 0, lv, 3));
    assert_int_equal(wn_table_nlevels(t, 0), 3);
    assert_string_equal(wn_table_level(t, 0, 2), "QSO");
    assert_null(wn_table_level(t, 0, 3));
    WN_EXPECT_ERR(wn_table_check_binary(t, 0, NULL, NULL), WN_EFORMAT, "3 classes");
    wn_table_free(t);
}

static void test_format_float_roundtrip(void **state)
{
    (void)state;
    char buf[32];
    wn_rng r = wn_rng_make(11, 0);
    for (int i = 0; i < 100000; i++) {
        uint32_t bits = (uint32_t)wn_rng_u64(&r);
        float f;
        memcpy(&f, &bits, 4);
        if (isnan(f))
            continue;
        wn__format_float(buf, f);
        assert_true(strtof(buf, NULL) == f);
    }
    /* against the obvious reference: printf at rising precision until strtof
     * reads it back; the fast path must read back too and be no longer */
    for (int i = 0; i < 300000; i++) {
        uint32_t bits = (uint32_t)wn_rng_u64(&r);
        if (i % 3 == 0) /* also plenty of everyday magnitudes */
            bits = (bits & 0x807fffffu) | ((uint32_t)(110 + i % 40) << 23);
        float f;
        memcpy(&f, &bits, 4);
        if (!isfinite(f))
            continue;
        char ref[32];
        for (int p = 6; p <= 9; p++) {
            snprintf(ref, sizeof ref, "%.*g", p, (double)f);
            if (strtof(ref, NULL) == f)
                break;
        }
        int n = wn__format_float(buf, f);
        assert_int_equal(n, (int)strlen(buf));
        if (strtof(buf, NULL) != f)
            fail_msg("%s does not read back to %a", buf, (double)f);
        if (strlen(buf) > strlen(ref))
            fail_msg("%s is longer than %s", buf, ref);
    }
    const float fixed[] = {0.1f, 1e6f, 123456.0f, 1234567.0f, 1e-5f, 0.0001f, -2.5f, 3.4028235e38f,
                           1.4e-45f, 100.0f, 0.5f};
    const char *want[] = {"0.1", "1e+06", "123456", "1234567", "1e-05", "0.0001", "-2.5",
                          "3.4028235e+38", "1.4013e-45", "100", "0.5"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        wn__format_float(buf, fixed[i]);
        assert_string_equal(buf, want[i]);
    }
    wn__format_float(buf, -0.0f);
    assert_string_equal(buf, "-0");
    wn__format_float(buf, 0.1f);
    assert_string_equal(buf, "0.1");
    wn__format_float(buf, NAN);
    assert_string_equal(buf, "nan");
}

static void test_class_counts(void **state)
{
    (void)state;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(6, &t));
    float y[6] = {1, 0, 1, NAN, 2, 1}, w[6] = {0.5f, 1, -0.25f, 1, 2, 1};
    WN_OK_OR_FAIL(wn_table_add_column(t, "y", y));
    wn_class_count k[3];
    int64_t n, miss;
    WN_OK_OR_FAIL(wn_table_class_counts(t, 0, w, k, 3, &n, &miss));
    assert_int_equal(n, 3);
    assert_int_equal(miss, 1);
    assert_true(k[0].value == 0.0f && k[0].count == 1 && k[0].weight == 1.0);
    assert_true(k[1].value == 1.0f && k[1].count == 3 && k[1].weight == 1.25);
    assert_true(k[2].value == 2.0f && k[2].count == 1 && k[2].weight == 2.0);
    WN_EXPECT_ERR(wn_table_class_counts(t, 0, NULL, k, 2, &n, &miss), WN_EFORMAT,
                  "more than 2 distinct values");
    wn_table_free(t);
}

/* Many columns: names are hashed, so adding and finding stay fast and the
 * duplicate check still fires at the far end. */
static void test_many_columns(void **state)
{
    (void)state;
    wn_table *t = NULL, *v = NULL;
    WN_OK_OR_FAIL(wn_table_create(1, &t));
    char name[32];
    for (int i = 0; i < WN_MAX_COLUMNS; i++) {
        snprintf(name, sizeof name, "x%d", i);
        WN_OK_OR_FAIL(wn_table_add_column(t, name, NULL));
    }
    WN_EXPECT_ERR(wn_table_add_column(t, "extra", NULL), WN_ENOMEM, "more than");
    int64_t c;
    WN_OK_OR_FAIL(wn_table_find(t, "x99999", &c));
    assert_int_equal(c, 99999);
    int64_t row = 0;
    WN_OK_OR_FAIL(wn_table_view_rows(t, &row, 1, &v));
    WN_OK_OR_FAIL(wn_table_find(v, "x12345", &c));
    assert_int_equal(c, 12345);
    wn_table_free(v);
    wn_table_free(t);
    WN_OK_OR_FAIL(wn_table_create(1, &t));
    WN_OK_OR_FAIL(wn_table_add_column(t, "a", NULL));
    WN_OK_OR_FAIL(wn_table_add_column(t, "b", NULL));
    WN_EXPECT_ERR(wn_table_add_column(t, "a", NULL), WN_EINVAL, "columns 1 and 3");
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_rng_pure_and_streams),
        cmocka_unit_test(test_rng_moments),
        cmocka_unit_test(test_table_basics),
        cmocka_unit_test(test_views_share_and_outlive),
        cmocka_unit_test(test_stats_thread_independent),
        cmocka_unit_test(test_alloc_failure_sweep),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_format_float_roundtrip),
        cmocka_unit_test(test_class_counts),
        cmocka_unit_test(test_many_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
