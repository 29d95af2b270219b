/* test_unsup.c — the data side shared by the unsupervised methods
 * (src/core/unsup.c): feature selection by role and by name, NaN rows
 * refused (naming row and column) or dropped and counted, weights (negative
 * refused), all-constant data refused, weighted standardisation against a
 * direct computation, views, binding a model's features to new data, the
 * header round trip and its validation, and the same bits at 1 and 2
 * threads. */
#include "wn_test.h"

#include "core.h"
#include "unsup.h"

#include <math.h>

static wn_table *make_table(int64_t n, int with_weight, int with_nan)
{
    wn_table *t;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float *a = malloc(sizeof(float) * (size_t)n), *b = malloc(sizeof(float) * (size_t)n);
    float *w = malloc(sizeof(float) * (size_t)n), *y = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++) {
        a[i] = (float)(1000.0 + (double)(i % 17) * 0.25);
        b[i] = (float)((double)(i % 5) - 2.0);
        w[i] = (float)(1 + i % 3);
        y[i] = (float)(i % 2);
    }
    if (with_nan) {
        b[6] = NAN;
        a[40] = INFINITY;
    }
    WN_OK_OR_FAIL(wn_table_add_column(t, "a", a));
    WN_OK_OR_FAIL(wn_table_add_column(t, "label", y));
    WN_OK_OR_FAIL(wn_table_add_column(t, "b", b));
    WN_OK_OR_FAIL(wn_table_set_role(t, 1, WN_ROLE_LABEL));
    if (with_weight) {
        WN_OK_OR_FAIL(wn_table_add_column(t, "w", w));
        WN_OK_OR_FAIL(wn_table_set_role(t, 3, WN_ROLE_WEIGHT));
    }
    free(a), free(b), free(w), free(y);
    return t;
}

static wn_unsup_data defaults(void)
{
    wn_unsup_data d;
    memset(&d, 0, sizeof d);
    d.seed = 42;
    return d;
}

static void test_roles_and_names(void **state)
{
    (void)state;
    wn_table *t = make_table(100, 1, 0);
    wn_unsup_data d = defaults();
    wn__udata u;
    WN_OK_OR_FAIL(wn__udata_prepare(t, &d, "test", &u));
    assert_int_equal(u.f.nfeat, 2); /* label and weight are not features */
    assert_string_equal(u.f.names[0], "a");
    assert_string_equal(u.f.names[1], "b");
    assert_int_equal(u.n, 100);
    assert_null(u.ridx);
    assert_non_null(u.w);
    double ws = 0;
    for (int i = 0; i < 100; i++)
        ws += 1 + i % 3;
    assert_true(fabs(u.wsum - ws) < 1e-9);
    wn__udata_free(&u);

    const char *names[] = {"b"};
    d.features = names, d.nfeatures = 1;
    WN_OK_OR_FAIL(wn__udata_prepare(t, &d, "test", &u));
    assert_int_equal(u.f.nfeat, 1);
    assert_string_equal(u.f.names[0], "b");
    wn__udata_free(&u);

    const char *bad[] = {"b", "nope", "zzz"};
    d.features = bad, d.nfeatures = 3;
    WN_EXPECT_ERR(wn__udata_prepare(t, &d, "test", &u), WN_ENOTFOUND, "lacks 2 features");
    const char *twice[] = {"a", "a"};
    d.features = twice, d.nfeatures = 2;
    WN_EXPECT_ERR(wn__udata_prepare(t, &d, "test", &u), WN_EINVAL, "'a' is listed twice");
    wn_table_free(t);
}

static void test_missing(void **state)
{
    (void)state;
    wn_table *t = make_table(100, 0, 1);
    wn_unsup_data d = defaults();
    wn__udata u;
    WN_EXPECT_ERR(wn__udata_prepare(t, &d, "kmeans", &u), WN_ENUMERIC, "row 7, column 'b'");
    d.drop_missing = 1;
    WN_OK_OR_FAIL(wn__udata_prepare(t, &d, "kmeans", &u));
    assert_int_equal(u.n, 98);
    assert_int_equal(u.ndropped, 2);
    assert_non_null(u.rows);
    assert_int_equal(u.rows[6], 7); /* row 6 dropped */
    assert_int_equal(u.rows[39], 41); /* and row 40 */
    float x[2];
    for (int64_t i = 0; i < u.n; i++) {
        wn__udata_row(&u, i, x);
        assert_true(isfinite(x[0]) && isfinite(x[1]));
    }
    wn__udata_free(&u);
    wn_table_free(t);
}

static void test_weights_and_constant(void **state)
{
    (void)state;
    wn_table *t = make_table(50, 1, 0);
    wn_table_column_mut(t, 3)[12] = -1.0f;
    wn_unsup_data d = defaults();
    wn__udata u;
    WN_EXPECT_ERR(wn__udata_prepare(t, &d, "gmm", &u), WN_ENUMERIC, "row 13: negative weight");
    wn_table_free(t);

    wn_table *c;
    WN_OK_OR_FAIL(wn_table_create(10, &c));
    float v[10] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
    WN_OK_OR_FAIL(wn_table_add_column(c, "x", v));
    WN_OK_OR_FAIL(wn_table_add_column(c, "y", v));
    WN_EXPECT_ERR(wn__udata_prepare(c, &d, "pca", &u), WN_ENUMERIC, "all 2 features are constant");
    wn_table_free(c);

    wn_table *e;
    WN_OK_OR_FAIL(wn_table_create(0, &e));
    WN_EXPECT_ERR(wn__udata_prepare(e, &d, "pca", &u), WN_EINVAL, "no rows");
    wn_table_free(e);
}

static void test_standardize(void **state)
{
    (void)state;
    const int64_t n = 50000; /* several blocks */
    wn_table *t = make_table(n, 1, 0);
    wn_unsup_data d = defaults();
    d.standardize = 1;
    wn__udata u;
    WN_OK_OR_FAIL(wn__udata_prepare(t, &d, "test", &u));
    const float *a = wn_table_column(t, 0), *w = wn_table_column(t, 3);
    double sw = 0, sa = 0;
    for (int64_t i = 0; i < n; i++)
        sw += (double)w[i], sa += (double)w[i] * (double)a[i];
    double mean = sa / sw, ss = 0;
    for (int64_t i = 0; i < n; i++)
        ss += (double)w[i] * ((double)a[i] - mean) * ((double)a[i] - mean);
    double sd = sqrt(ss / sw);
    assert_true(fabs(u.f.center[0] - mean) < 1e-9 * fabs(mean));
    assert_true(fabs(u.f.scale[0] - sd) < 1e-9 * sd);
    /* the fitted space has weighted mean 0 and variance 1 */
    float *X;
    WN_OK_OR_FAIL(wn__udata_matrix(&u, 2, &X));
    double m0 = 0, v0 = 0;
    for (int64_t i = 0; i < n; i++)
        m0 += (double)w[i] * (double)X[i * 2];
    m0 /= sw;
    for (int64_t i = 0; i < n; i++)
        v0 += (double)w[i] * ((double)X[i * 2] - m0) * ((double)X[i * 2] - m0);
    assert_true(fabs(m0) < 1e-5);
    assert_true(fabs(v0 / sw - 1) < 1e-5);

    /* the same bits at one thread */
    wn__udata u1;
    d.threads = 1;
    WN_OK_OR_FAIL(wn__udata_prepare(t, &d, "test", &u1));
    assert_memory_equal(u.f.center, u1.f.center, 2 * sizeof(double));
    assert_memory_equal(u.f.scale, u1.f.scale, 2 * sizeof(double));
    float *X1;
    WN_OK_OR_FAIL(wn__udata_matrix(&u1, 1, &X1));
    assert_memory_equal(X, X1, (size_t)n * 2 * sizeof(float));
    wn_free(X), wn_free(X1);
    wn__udata_free(&u1);
    wn__udata_free(&u);
    wn_table_free(t);
}

static void test_view_and_bind(void **state)
{
    (void)state;
    wn_table *t = make_table(100, 0, 1);
    int64_t rows[4] = {40, 5, 6, 8};
    wn_table *v;
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 4, &v));
    wn_unsup_data d = defaults();
    wn__udata u;
    WN_EXPECT_ERR(wn__udata_prepare(v, &d, "som", &u), WN_ENUMERIC, "row 1, column 'a'");
    d.drop_missing = 1;
    WN_OK_OR_FAIL(wn__udata_prepare(v, &d, "som", &u));
    assert_int_equal(u.n, 2);
    assert_int_equal(u.ndropped, 2);
    assert_int_equal(u.ridx[0], 5);
    assert_int_equal(u.rows[0], 1);
    assert_int_equal(u.ridx[1], 8);
    assert_int_equal(u.rows[1], 3);

    wn__bound b;
    WN_EXPECT_ERR(wn__features_bind(&u.f, v, 0, "score", &b), WN_ENUMERIC, "row 1, column 'a'");
    WN_OK_OR_FAIL(wn__features_bind(&u.f, v, 1, "score", &b));
    float x[2];
    assert_int_equal(wn__bound_row(&b, 0, x), 1);
    assert_int_equal(wn__bound_row(&b, 1, x), 0);
    assert_true(x[0] == wn_table_get(t, 5, 0) && x[1] == wn_table_get(t, 5, 2));
    assert_int_equal(wn__bound_row(&b, 2, x), 1);
    wn__bound_free(&b);

    wn_table *o;
    WN_OK_OR_FAIL(wn_table_create(2, &o));
    float z[2] = {1, 2};
    WN_OK_OR_FAIL(wn_table_add_column(o, "b", z));
    WN_EXPECT_ERR(wn__features_bind(&u.f, o, 0, "score", &b), WN_ENOTFOUND,
                  "lacks 1 model feature: \"a\"");
    wn_table_free(o);
    wn__udata_free(&u);
    wn_table_free(v);
    wn_table_free(t);
}

static wn_status header_roundtrip(const char *text, wn__features *f)
{
    wn__json_doc *doc;
    wn_status s = wn__json_parse("h", text, strlen(text), 0, &doc);
    if (s != WN_OK)
        return s;
    s = wn__features_from_json(wn__json_doc_root(doc), "m.wnm", f);
    wn__json_doc_free(doc);
    return s;
}

static void test_header(void **state)
{
    (void)state;
    wn_table *t = make_table(100, 1, 0);
    wn_unsup_data d = defaults();
    d.standardize = 1;
    wn__udata u;
    WN_OK_OR_FAIL(wn__udata_prepare(t, &d, "test", &u));
    wn__jw w;
    wn__jw_init(&w, false);
    wn__jw_object_begin(&w);
    wn__features_json(&w, &u.f);
    wn__provenance_json(&w, u.input_hash, 42, NULL);
    wn__jw_object_end(&w);
    char *text;
    size_t len;
    WN_OK_OR_FAIL(wn__jw_finish(&w, &text, &len));
    assert_non_null(strstr(text, "\"input_hash\":\""));
    wn__features f;
    WN_OK_OR_FAIL(header_roundtrip(text, &f));
    assert_int_equal(f.nfeat, 2);
    assert_string_equal(f.names[1], "b");
    assert_int_equal(f.standardized, 1);
    assert_memory_equal(f.center, u.f.center, 2 * sizeof(double));
    assert_memory_equal(f.scale, u.f.scale, 2 * sizeof(double));
    wn__features_free(&f);
    wn_free(text);
    wn__udata_free(&u);
    wn_table_free(t);

    WN_EXPECT_ERR(header_roundtrip("{\"features\":[\"a\",\"a\"],\"standardized\":false,"
                                   "\"center\":[0,0],\"scale\":[1,1]}", &f),
                  WN_EFORMAT, "'a' appears twice");
    WN_EXPECT_ERR(header_roundtrip("{\"features\":[\"a\"],\"standardized\":false,"
                                   "\"center\":[0],\"scale\":[0]}", &f),
                  WN_EFORMAT, "scale of feature 'a' is 0");
    WN_EXPECT_ERR(header_roundtrip("{\"features\":[\"a\",\"b\"],\"standardized\":false,"
                                   "\"center\":[0],\"scale\":[1,1]}", &f),
                  WN_EFORMAT, "\"center\" is not an array of 2");
    WN_EXPECT_ERR(header_roundtrip("{\"features\":[],\"standardized\":false}", &f), WN_EFORMAT,
                  "\"features\"");
    WN_EXPECT_ERR(header_roundtrip("{\"features\":[\"a\"],\"center\":[0],\"scale\":[1]}", &f),
                  WN_EFORMAT, "\"standardized\"");
}

/* Every allocation of prepare, matrix and bind may fail: an error, never a
 * crash or a leak (ASan's leak checker watches the latter). */
static void test_alloc_failures(void **state)
{
    (void)state;
    wn_table *t = make_table(300, 1, 1);
    wn_unsup_data d = defaults();
    d.drop_missing = 1;
    d.standardize = 1;
    int ok = 0;
    for (int64_t k = 1; k < 200 && !ok; k++) {
        wn__alloc_fail_at(k);
        wn__udata u;
        wn_status s = wn__udata_prepare(t, &d, "test", &u);
        if (s == WN_OK) {
            float *X = NULL;
            s = wn__udata_matrix(&u, 1, &X);
            wn__bound b;
            if (s == WN_OK && (s = wn__features_bind(&u.f, t, 1, "x", &b)) == WN_OK)
                wn__bound_free(&b);
            wn_free(X);
            wn__udata_free(&u);
            ok = s == WN_OK;
        }
        if (!ok)
            assert_int_equal(s, WN_ENOMEM);
    }
    wn__alloc_fail_at(0);
    assert_true(ok);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles_and_names), cmocka_unit_test(test_missing),
        cmocka_unit_test(test_weights_and_constant), cmocka_unit_test(test_standardize),
        cmocka_unit_test(test_view_and_bind), cmocka_unit_test(test_header),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
