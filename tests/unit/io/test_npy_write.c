/* test_npy_write.c — the .npy writer: round trips through both layouts
 * (views with reordered and repeated rows, NaN/inf/-0, names that need
 * escaping), the exact header layout, the 2.0 fallback, atomic writes under
 * real I/O failure and under allocation failure. */
#include "test_npy_util.h"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------------ */
/* Writing                                                                    */
/* ------------------------------------------------------------------------ */

static const char *odd_names[4] = {"mjj", "it's a \"q\" \\ back", "\xc3\xa9t\xc3\xa9 \xe6\x97\xa5",
                                   "tab\there\n\xf0\x9f\x98\x80"};

/* 5 rows, 4 columns with NaN, infinities, -0 and odd names. */
static wn_table *sample_table(void)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(5, &t));
    float cols[4][5] = {{1, 2, 3, 4, 5},
                        {NAN, INFINITY, -INFINITY, -0.0f, 1e-45f},
                        {0.1f, 3.4e38f, -7, 8, 9},
                        {10, 11, 12, 13, 14}};
    for (int c = 0; c < 4; c++)
        WN_OK_OR_FAIL(wn_table_add_column(t, odd_names[c], cols[c]));
    return t;
}

static void check_header_layout(const char *path, int version, const char *dict_start)
{
    size_t n;
    char *b = slurp(path, &n);
    assert_non_null(b);
    assert_memory_equal(b, "\x93NUMPY", 6);
    assert_int_equal((unsigned char)b[6], version);
    assert_int_equal(b[7], 0);
    size_t pre = version == 1 ? 10 : 12;
    size_t hl = 0;
    for (size_t k = pre; k-- > 8;)
        hl = hl << 8 | (unsigned char)b[k];
    assert_int_equal((pre + hl) % 64, 0);
    assert_true(pre + hl <= n);
    assert_int_equal(b[pre + hl - 1], '\n');
    for (size_t k = pre; k < pre + hl; k++) /* pure ASCII */
        assert_true((unsigned char)b[k] < 0x80);
    if (dict_start)
        assert_memory_equal(b + pre, dict_start, strlen(dict_start));
    free(b);
}

static void test_roundtrip_structured_view(void **state)
{
    (void)state;
    wn_table *t = sample_table(), *v = NULL, *back = NULL;
    int64_t rows[6] = {4, 0, 2, 2, 1, 3};
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 6, &v));
    const char *path = wn_test_file(".npy", "", 0);
    WN_OK_OR_FAIL(wn_table_write_npy(v, path, WN_NPY_STRUCTURED));
    check_header_layout(path, 1,
                        "{'descr': [('mjj', '<f4'), ('it\\'s a \"q\" \\\\ back', '<f4'), "
                        "('\\xe9t\\xe9 \\u65e5', '<f4'), ('tab\\there\\n\\U0001f600', "
                        "'<f4')], 'fortran_order': False, 'shape': (6,), }");
    WN_OK_OR_FAIL(wn_table_read_npy(path, &back));
    assert_int_equal(wn_table_nrows(back), 6);
    assert_int_equal(wn_table_ncols(back), 4);
    for (int c = 0; c < 4; c++) {
        assert_string_equal(wn_table_name(back, c), odd_names[c]);
        for (int r = 0; r < 6; r++)
            assert_same_float(wn_table_get(back, r, c), wn_table_get(v, r, c));
    }
    /* -0 keeps its sign, the subnormal its value */
    assert_true(signbit(wn_table_get(back, 5, 1)));
    assert_same_float(wn_table_get(back, 0, 1), 1e-45f);
    wn_table_free(back);
    wn_table_free(v);
    wn_table_free(t);
    unlink(path);
}

static void test_roundtrip_matrix(void **state)
{
    (void)state;
    wn_table *t = sample_table(), *v = NULL, *back = NULL;
    int64_t rows[3] = {3, 1, 3};
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 3, &v));
    const char *path = wn_test_file(".npy", "", 0);
    WN_OK_OR_FAIL(wn_table_write_npy(v, path, WN_NPY_MATRIX));
    check_header_layout(path, 1,
                        "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }     ");
    WN_OK_OR_FAIL(wn_table_read_npy(path, &back));
    assert_int_equal(wn_table_nrows(back), 3);
    assert_int_equal(wn_table_ncols(back), 4);
    assert_string_equal(wn_table_name(back, 3), "x3");
    for (int c = 0; c < 4; c++)
        for (int r = 0; r < 3; r++)
            assert_same_float(wn_table_get(back, r, c), wn_table_get(v, r, c));
    wn_table_free(back);
    /* the generic writer picks the structured layout from the extension */
    WN_OK_OR_FAIL(wn_table_write(t, path));
    WN_OK_OR_FAIL(wn_table_read(path, NULL, &back));
    assert_string_equal(wn_table_name(back, 1), odd_names[1]);
    assert_int_equal(wn_table_nrows(back), 5);
    wn_table_free(back);
    wn_table_free(v);
    wn_table_free(t);
    unlink(path);
}

static void test_write_large_and_v2(void **state)
{
    (void)state;
    /* 700 columns of 100-character names: the header passes 65535 bytes */
    const int64_t n = 600, k = 700;
    wn_table *t = NULL, *back = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    char name[128];
    for (int64_t c = 0; c < k; c++) {
        snprintf(name, sizeof name, "%0100lld", (long long)c);
        WN_OK_OR_FAIL(wn_table_add_column(t, name, NULL));
        float *d = wn_table_column_mut(t, c);
        for (int64_t r = 0; r < n; r++)
            d[r] = (float)(r * k + c);
    }
    const char *path = wn_test_file(".npy", "", 0);
    WN_OK_OR_FAIL(wn_table_write_npy(t, path, WN_NPY_STRUCTURED));
    check_header_layout(path, 2, "{'descr': [('0000");
    WN_OK_OR_FAIL(wn_table_read_npy(path, &back));
    assert_int_equal(wn_table_ncols(back), k);
    snprintf(name, sizeof name, "%0100lld", (long long)(k - 1));
    assert_string_equal(wn_table_name(back, k - 1), name);
    for (int64_t r = 0; r < n; r += 7)
        for (int64_t c = 0; c < k; c += 13)
            assert_true(wn_table_get(back, r, c) == (float)(r * k + c));
    wn_table_free(back);
    /* the matrix form of the same table crosses the writer's chunks */
    WN_OK_OR_FAIL(wn_table_write_npy(t, path, WN_NPY_MATRIX));
    check_header_layout(path, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (600, 700)");
    WN_OK_OR_FAIL(wn_table_read_npy(path, &back));
    assert_true(wn_table_get(back, n - 1, k - 1) == (float)(n * k - 1));
    wn_table_free(back);
    wn_table_free(t);
    unlink(path);
}

static void test_write_edge_cases(void **state)
{
    (void)state;
    wn_table *t = NULL, *back = NULL;
    const char *path = wn_test_file(".npy", "", 0);
    WN_OK_OR_FAIL(wn_table_create(3, &t));
    WN_EXPECT_ERR(wn_table_write_npy(t, path, WN_NPY_STRUCTURED), WN_EINVAL, "no columns");
    float cls[3] = {0, 1, 0};
    WN_OK_OR_FAIL(wn_table_add_column(t, "class", cls));
    const char *lv[2] = {"g", "h"};
    WN_OK_OR_FAIL(wn_table_set_levels(t, 0, lv, 2));
    WN_EXPECT_ERR(wn_table_write_npy(t, path, (wn_npy_layout)7), WN_EINVAL, "unknown NPY layout");
    WN_EXPECT_ERR(wn_table_write_npy(NULL, path, WN_NPY_MATRIX), WN_EINVAL, "NULL");
    /* categorical columns are written as their codes */
    WN_OK_OR_FAIL(wn_table_write_npy(t, path, WN_NPY_STRUCTURED));
    WN_OK_OR_FAIL(wn_table_read_npy(path, &back));
    assert_int_equal(wn_table_nlevels(back, 0), 0);
    assert_true(wn_table_get(back, 1, 0) == 1.0f);
    wn_table_free(back);
    /* a view of no rows writes a valid (0,) file, which the reader refuses */
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(t, NULL, 0, &v));
    WN_OK_OR_FAIL(wn_table_write_npy(v, path, WN_NPY_STRUCTURED));
    check_header_layout(path, 1,
                        "{'descr': [('class', '<f4')], 'fortran_order': False, "
                        "'shape': (0,), }");
    WN_EXPECT_ERR(wn_table_read_npy(path, &back), WN_EFORMAT, "has no rows");
    wn_table_free(v);
    /* a name that is not valid UTF-8: the stray byte comes back as latin-1 */
    wn_table *u = NULL;
    WN_OK_OR_FAIL(wn_table_create(1, &u));
    WN_OK_OR_FAIL(wn_table_add_column(u, "a\xff", NULL));
    WN_OK_OR_FAIL(wn_table_write_npy(u, path, WN_NPY_STRUCTURED));
    check_header_layout(path, 1, "{'descr': [('a\\xff', '<f4')]");
    WN_OK_OR_FAIL(wn_table_read_npy(path, &back));
    assert_string_equal(wn_table_name(back, 0), "a\xc3\xbf");
    assert_true(isnan(wn_table_get(back, 0, 0)));
    wn_table_free(back);
    wn_table_free(u);
    wn_table_free(t);
    unlink(path);
}

/* Counts files in dir whose name starts with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (!strncmp(e->d_name, prefix, strlen(prefix)))
            n++;
    closedir(d);
    return n;
}

static void make_temp_dir(char *dir, size_t cap)
{
    snprintf(dir, cap, "%s/wn_npy_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
}

static void test_atomic_writes(void **state)
{
    (void)state;
    wn_table *t = sample_table();
    WN_EXPECT_ERR(wn_table_write_npy(t, "/nonexistent-dir-wn/x.npy", WN_NPY_STRUCTURED), WN_EIO,
                  "/nonexistent-dir-wn/x.npy");
    char dir[256], path[300];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/target.npy", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("old contents", f);
    fclose(f);
    /* a real write error: the file size limit stops the data half way */
    wn_table *big = NULL;
    WN_OK_OR_FAIL(wn_table_create(20000, &big));
    WN_OK_OR_FAIL(wn_table_add_column(big, "a", NULL));
    WN_OK_OR_FAIL(wn_table_add_column(big, "b", NULL));
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 4096;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    wn_status s = wn_table_write_npy(big, path, WN_NPY_MATRIX);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    if (s != WN_EIO)
        fail_msg("write past the size limit -> %s: %s", wn_status_name(s), wn_errmsg());
    assert_non_null(strstr(wn_errmsg(), path));
    size_t n;
    char *b = slurp(path, &n);
    assert_string_equal(b, "old contents");
    free(b);
    assert_int_equal(count_prefixed(dir, "target.npy.tmp"), 0);
    wn_table_free(big);
    /* and a write that succeeds replaces it */
    WN_OK_OR_FAIL(wn_table_write_npy(t, path, WN_NPY_MATRIX));
    wn_table *back = NULL;
    WN_OK_OR_FAIL(wn_table_read_npy(path, &back));
    assert_int_equal(wn_table_nrows(back), 5);
    wn_table_free(back);
    unlink(path);
    rmdir(dir);
    wn_table_free(t);
}

/* ------------------------------------------------------------------------ */
/* Allocation failure                                                         */
/* ------------------------------------------------------------------------ */

static void test_alloc_failure_write(void **state)
{
    (void)state;
    wn_table *t = sample_table(), *v = NULL;
    int64_t rows[2] = {1, 0};
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 2, &v));
    char dir[256], path[300];
    make_temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.npy", dir);
    for (int layout = 0; layout < 2; layout++) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs("previous", f);
        fclose(f);
        int succeeded = 0;
        for (int64_t k = 1; k < 100 && !succeeded; k++) {
            wn__alloc_fail_at(k);
            wn_status s = wn_table_write_npy(v, path, (wn_npy_layout)layout);
            wn__alloc_fail_at(0);
            if (s == WN_OK) {
                succeeded = 1;
                continue;
            }
            assert_int_equal(s, WN_ENOMEM);
            size_t n;
            char *b = slurp(path, &n);
            assert_string_equal(b, "previous");
            free(b);
            assert_int_equal(count_prefixed(dir, "t.npy.tmp"), 0);
        }
        assert_true(succeeded);
        wn_table *back = NULL;
        WN_OK_OR_FAIL(wn_table_read_npy(path, &back));
        assert_true(wn_table_get(back, 0, 0) == 2.0f);
        wn_table_free(back);
    }
    unlink(path);
    rmdir(dir);
    wn_table_free(v);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_structured_view),
        cmocka_unit_test(test_roundtrip_matrix),
        cmocka_unit_test(test_write_large_and_v2),
        cmocka_unit_test(test_write_edge_cases),
        cmocka_unit_test(test_atomic_writes),
        cmocka_unit_test(test_alloc_failure_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
