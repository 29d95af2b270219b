/* test_stability.c — stability under input smearing: zero resolution changes
 * nothing (every |change| exactly 0, every smeared AUC the nominal one); a
 * trained model moves more under 10% smearing than under 1%; the same bits
 * at thread counts 1 and 2 and through a view; NaN inputs survive; and the
 * error and allocation-failure paths. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

typedef struct fixture {
    wn_table *all, *train, *test;
    wn_model *m;
} fixture;

/* Higgs-like rows: a model trained (20 rounds) on the first 5000 rows, the
 * next 2000 (a view) held out. */
static void fixture_make(fixture *fx)
{
    enum { N = 7000, NTRAIN = 5000 };
    wn_sim_params sp;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &sp);
    sp.rows = N;
    sp.seed = 5;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_HIGGS_LIKE, &sp, &fx->all, NULL));
    int64_t *rows = malloc(sizeof(int64_t) * N);
    for (int64_t i = 0; i < N; i++)
        rows[i] = i;
    WN_OK_OR_FAIL(wn_table_view_rows(fx->all, rows, NTRAIN, &fx->train));
    WN_OK_OR_FAIL(wn_table_view_rows(fx->all, rows + NTRAIN, N - NTRAIN, &fx->test));
    free(rows);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 20;
    p.threads = 2;
    WN_OK_OR_FAIL(wn_gbdt_train(fx->train, NULL, &p, &fx->m));
}

static void fixture_free(fixture *fx)
{
    wn_model_free(fx->m);
    wn_table_free(fx->train);
    wn_table_free(fx->test);
    wn_table_free(fx->all);
}

static double *resolutions(const wn_model *m, double v)
{
    int64_t nf = wn_model_num_features(m);
    double *r = malloc(sizeof(double) * (size_t)nf);
    for (int64_t f = 0; f < nf; f++)
        r[f] = v;
    return r;
}

static void test_zero_resolution(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx);
    double *zero = resolutions(fx.m, 0.0);
    wn_stability s;
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, fx.test, zero, 4, 9, 2, &s));
    assert_true(s.mean_abs_change == 0.0);
    for (int k = 0; k < 3; k++)
        assert_true(s.q_abs_change[k] == 0.0);
    assert_true(s.auc_std == 0.0);
    assert_true(s.auc_mean == s.auc_nominal);
    assert_true(s.auc_nominal > 0.6 && s.auc_nominal < 1.0);
    free(zero);
    fixture_free(&fx);
}

static void test_smearing_grows(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx);
    double *r1 = resolutions(fx.m, 0.01), *r10 = resolutions(fx.m, 0.10);
    wn_stability a, b, dflt;
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, fx.test, r1, 5, 3, 2, &a));
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, fx.test, r10, 5, 3, 2, &b));
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, fx.test, NULL, 5, 3, 2, &dflt));
    /* NULL resolution is 1% for every feature */
    assert_memory_equal(&a, &dflt, sizeof a);
    assert_true(a.mean_abs_change > 0.0);
    assert_true(b.mean_abs_change > a.mean_abs_change);
    assert_true(b.q_abs_change[1] > a.q_abs_change[1]);
    assert_true(b.q_abs_change[2] > a.q_abs_change[2]);
    for (int k = 0; k < 2; k++) {
        assert_true(a.q_abs_change[k] <= a.q_abs_change[k + 1]);
        assert_true(b.q_abs_change[k] <= b.q_abs_change[k + 1]);
    }
    assert_true(a.auc_nominal == b.auc_nominal);
    assert_true(a.auc_std > 0.0 && b.auc_std > 0.0);
    /* 10% smearing blurs the inputs: the AUC falls, and moves more */
    assert_true(b.auc_mean < b.auc_nominal);
    assert_true(fabs(b.auc_mean - b.auc_nominal) > fabs(a.auc_mean - a.auc_nominal));
    assert_true(isfinite(a.auc_mean) && fabs(a.auc_mean - a.auc_nominal) < 0.02);
    free(r1);
    free(r10);
    fixture_free(&fx);
}

static void test_deterministic(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx);
    wn_stability a, b, c, d;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, fx.test, NULL, 3, 11, 1, &a));
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, fx.test, NULL, 3, 11, 2, &b));
    assert_memory_equal(&a, &b, sizeof a);
    /* a table holding the same rows, not a view: the same bits */
    wn_table *flat = NULL;
    int64_t n = wn_table_nrows(fx.test);
    float *buf = malloc(sizeof(float) * (size_t)n);
    WN_OK_OR_FAIL(wn_table_create(n, &flat));
    for (int64_t k = 0; k < wn_table_ncols(fx.test); k++) {
        wn_table_gather(fx.test, k, buf);
        WN_OK_OR_FAIL(wn_table_add_column(flat, wn_table_name(fx.test, k), buf));
    }
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, flat, NULL, 3, 11, 0, &c));
    assert_memory_equal(&a, &c, sizeof a);
    /* another seed draws other deviates */
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, fx.test, NULL, 3, 12, 1, &d));
    assert_true(d.mean_abs_change != a.mean_abs_change);

    /* NaN inputs stay NaN (the model routes them as at training) */
    int64_t c0;
    WN_OK_OR_FAIL(wn_table_find(flat, wn_model_feature_name(fx.m, 0), &c0));
    float *x = wn_table_column_mut(flat, c0);
    for (int64_t i = 0; i < n; i += 3)
        x[i] = NAN;
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, flat, NULL, 2, 11, 2, &c));
    assert_true(isfinite(c.mean_abs_change) && isfinite(c.q_abs_change[2]));
    assert_true(isfinite(c.auc_mean));
    free(buf);
    wn_table_free(flat);
    fixture_free(&fx);
}

static void test_no_label(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx);
    wn_table *less = NULL;
    int64_t n = wn_table_nrows(fx.test);
    float *buf = malloc(sizeof(float) * (size_t)n);
    WN_OK_OR_FAIL(wn_table_create(n, &less));
    for (int64_t k = 0; k < wn_table_ncols(fx.test); k++)
        if (strcmp(wn_table_name(fx.test, k), wn_model_label_name(fx.m))) {
            wn_table_gather(fx.test, k, buf);
            WN_OK_OR_FAIL(wn_table_add_column(less, wn_table_name(fx.test, k), buf));
        }
    wn_stability s;
    WN_OK_OR_FAIL(wn_gbdt_stability(fx.m, less, NULL, 2, 1, 1, &s));
    assert_true(s.mean_abs_change > 0.0);
    assert_true(isnan(s.auc_mean) && isnan(s.auc_std) && isnan(s.auc_nominal));
    free(buf);
    wn_table_free(less);
    fixture_free(&fx);
}

static void test_errors(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx);
    wn_stability s;
    double *r = resolutions(fx.m, 0.01);
    WN_EXPECT_ERR(wn_gbdt_stability(NULL, fx.test, r, 2, 1, 1, &s), WN_EINVAL, "model");
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, NULL, r, 2, 1, 1, &s), WN_EINVAL, "table");
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, fx.test, r, 2, 1, 1, NULL), WN_EINVAL, "output");
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, fx.test, r, 0, 1, 1, &s), WN_EINVAL, "repeats");
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, fx.test, r, -3, 1, 1, &s), WN_EINVAL, "repeats");
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, fx.test, r, 2, 1, -1, &s), WN_EINVAL, "threads");
    const char *f1 = wn_model_feature_name(fx.m, 1);
    r[1] = -0.01;
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, fx.test, r, 2, 1, 1, &s), WN_EINVAL, f1);
    r[1] = (double)NAN;
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, fx.test, r, 2, 1, 1, &s), WN_EINVAL, f1);
    r[1] = (double)INFINITY;
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, fx.test, r, 2, 1, 1, &s), WN_EINVAL, f1);
    r[1] = 0.01;
    /* a table without a model feature */
    const char *f0 = wn_model_feature_name(fx.m, 0);
    wn_table *less = NULL;
    WN_OK_OR_FAIL(wn_table_create(wn_table_nrows(fx.all), &less));
    for (int64_t k = 0; k < wn_table_ncols(fx.all); k++)
        if (strcmp(wn_table_name(fx.all, k), f0))
            WN_OK_OR_FAIL(
                wn_table_add_column(less, wn_table_name(fx.all, k), wn_table_column(fx.all, k)));
    WN_EXPECT_ERR(wn_gbdt_stability(fx.m, less, r, 2, 1, 1, &s), WN_ENOTFOUND, f0);
    wn_table_free(less);
    free(r);
    fixture_free(&fx);
}

/* every allocation failure is reported, and frees what it took */
static void test_alloc_failures(void **state)
{
    (void)state;
    enum { N = 300 };
    float *c[3];
    wn_rng r = wn_rng_make(2, 2);
    for (int k = 0; k < 3; k++)
        c[k] = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) {
        c[2][i] = (float)(i % 2);
        c[0][i] = (float)wn_rng_normal(&r) + c[2][i];
        c[1][i] = (float)wn_rng_normal(&r) + (float)i / 100.0f;
    }
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(N, &t));
    WN_OK_OR_FAIL(wn_table_add_column(t, "a", c[0]));
    WN_OK_OR_FAIL(wn_table_add_column(t, "b", c[1]));
    WN_OK_OR_FAIL(wn_table_add_column(t, "y", c[2]));
    WN_OK_OR_FAIL(wn_table_set_role(t, 2, WN_ROLE_LABEL));
    wn_gbdt_params gp;
    wn_gbdt_params_default(&gp);
    gp.rounds = 3;
    gp.min_data_in_leaf = 5;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &gp, &m));
    for (int64_t k = 1; k < 60; k++) {
        wn_stability s;
        wn__alloc_fail_at(k);
        wn_status st = wn_gbdt_stability(m, t, NULL, 2, 1, 1, &s);
        wn__alloc_fail_at(0);
        if (st != WN_OK && st != WN_ENOMEM)
            fail_msg("stability under allocation failure %lld: %s: %s", (long long)k,
                     wn_status_name(st), wn_errmsg());
    }
    wn_model_free(m);
    wn_table_free(t);
    for (int k = 0; k < 3; k++)
        free(c[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_resolution), cmocka_unit_test(test_smearing_grows),
        cmocka_unit_test(test_deterministic),   cmocka_unit_test(test_no_label),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
