/* test_ensemble.c — bagged ensembles (params.ensemble = K): K members that
 * differ (each saw its own bootstrap resample), predict = the mean of the
 * members' probabilities, raw = the mean of their raw scores, the members'
 * spread shrinks as the training data grows, the same bits at 1 and 2 threads
 * and after a save/load round trip, and the parameter's bad values. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

static wn_table *data(int64_t n, uint64_t seed)
{
    wn_sim_params sp;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &sp);
    sp.rows = n;
    sp.seed = seed;
    wn_table *t;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_HIGGS_LIKE, &sp, &t, NULL));
    return t;
}

static wn_model *train(const wn_table *t, int k, int threads)
{
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 15;
    p.num_leaves = 8;
    p.ensemble = k;
    p.threads = threads;
    wn_model *m;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    return m;
}

static void test_mean_of_members(void **state)
{
    (void)state;
    wn_table *t = data(4000, 3);
    wn_model *m = train(t, 4, 2);
    assert_int_equal(wn_model_ensemble_size(m), 4);
    assert_int_equal(wn_model_num_folds(m), 4);
    assert_null(wn_model_fold_by(m));
    const int64_t n = wn_table_nrows(t);
    double *mem = malloc(sizeof(double) * (size_t)(4 * n)), *p = malloc(sizeof(double) * (size_t)n);
    double *raw = malloc(sizeof(double) * (size_t)n);
    WN_OK_OR_FAIL(wn_gbdt_predict_members(m, t, 2, mem));
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 2, p));
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_RAW, 2, raw));
    int64_t differ = 0;
    for (int64_t r = 0; r < n; r++) {
        double s = 0, sl = 0;
        for (int k = 0; k < 4; k++) {
            double v = mem[k * n + r];
            assert_true(v > 0 && v < 1);
            s += v;
            sl += log(v / (1 - v));
        }
        assert_true(fabs(p[r] - s / 4) < 1e-12);
        assert_true(fabs(raw[r] - sl / 4) < 1e-9); /* mean raw score */
        differ += mem[r] != mem[n + r];
    }
    /* each member saw its own resample: they disagree on most events */
    assert_true(differ > n / 2);
    free(mem), free(p), free(raw);
    wn_model_free(m);
    wn_table_free(t);
}

static void test_determinism_and_roundtrip(void **state)
{
    (void)state;
    wn_table *t = data(3000, 9);
    wn_model *a = train(t, 3, 1), *b = train(t, 3, 2);
    const int64_t n = wn_table_nrows(t);
    double *pa = malloc(sizeof(double) * (size_t)(3 * n)), *pb = malloc(sizeof(double) * (size_t)(3 * n));
    WN_OK_OR_FAIL(wn_gbdt_predict_members(a, t, 1, pa));
    WN_OK_OR_FAIL(wn_gbdt_predict_members(b, t, 2, pb));
    assert_memory_equal(pa, pb, sizeof(double) * (size_t)(3 * n));
    const char *path = wn_test_file(".wnm", "", 0);
    WN_OK_OR_FAIL(wn_model_save(a, path));
    wn_model *c;
    WN_OK_OR_FAIL(wn_model_load(path, &c));
    assert_int_equal(wn_model_ensemble_size(c), 3);
    assert_non_null(strstr(wn_model_header(c), "\"ensemble\": 3"));
    WN_OK_OR_FAIL(wn_gbdt_predict_members(c, t, 2, pb));
    assert_memory_equal(pa, pb, sizeof(double) * (size_t)(3 * n));
    remove(path);
    free(pa), free(pb);
    wn_model_free(a), wn_model_free(b), wn_model_free(c);
    wn_table_free(t);
}

/* The members' spread is an uncertainty: it shrinks as the training data
 * grows (the same events scored by ensembles trained on 800 and on 8000). */
static double mean_spread(const wn_model *m, const wn_table *t, int k)
{
    const int64_t n = wn_table_nrows(t);
    double *mem = malloc(sizeof(double) * (size_t)(k * n)), tot = 0;
    WN_OK_OR_FAIL(wn_gbdt_predict_members(m, t, 2, mem));
    for (int64_t r = 0; r < n; r++) {
        double mu = 0, ss = 0;
        for (int j = 0; j < k; j++)
            mu += mem[j * n + r] / k;
        for (int j = 0; j < k; j++)
            ss += (mem[j * n + r] - mu) * (mem[j * n + r] - mu);
        tot += sqrt(ss / (k - 1));
    }
    free(mem);
    return tot / (double)n;
}

static void test_spread_shrinks(void **state)
{
    (void)state;
    wn_table *small = data(800, 11), *big = data(8000, 12), *test = data(2000, 13);
    wn_model *ms = train(small, 6, 2), *mb = train(big, 6, 2);
    double ss = mean_spread(ms, test, 6), sb = mean_spread(mb, test, 6);
    assert_true(sb > 0);
    assert_true(ss > 1.5 * sb);
    wn_model_free(ms), wn_model_free(mb);
    wn_table_free(small), wn_table_free(big), wn_table_free(test);
}

static void test_bad_params(void **state)
{
    (void)state;
    wn_table *t = data(500, 1);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    wn_model *m;
    p.ensemble = 101;
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EINVAL, "ensemble = 101");
    p.ensemble = -1;
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EINVAL, "ensemble = -1");
    p.ensemble = 3;
    p.folds = 2;
    p.fold_by = "label";
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EINVAL, "cannot be combined");
    wn_gbdt_params_default(&p);
    WN_EXPECT_ERR(wn_gbdt_params_set(&p, "ensemble", "500"), WN_EINVAL, "ensemble");
    WN_OK_OR_FAIL(wn_gbdt_params_set(&p, "ensemble", "7"));
    assert_int_equal(p.ensemble, 7);
    /* a one-model model has one member, equal to predict */
    p.ensemble = 0;
    p.rounds = 5;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    assert_int_equal(wn_model_ensemble_size(m), 0);
    const int64_t n = wn_table_nrows(t);
    double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)n);
    WN_OK_OR_FAIL(wn_gbdt_predict_members(m, t, 1, a));
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 1, b));
    assert_memory_equal(a, b, sizeof(double) * (size_t)n);
    free(a), free(b);
    wn_model_free(m);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mean_of_members),
        cmocka_unit_test(test_determinism_and_roundtrip),
        cmocka_unit_test(test_spread_shrinks),
        cmocka_unit_test(test_bad_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
