/* test_trust.c — the trust checks: calibration of perfectly calibrated and of
 * distorted synthetic predictions, a hand-computed reliability table and its
 * empty bins; the leak check on a copy of the label, on noise and with NaN
 * rows; correlations of a known set of columns, weights against replication,
 * masks against views, constant columns; permutation importance of a trained
 * model (a pure-noise feature against the top one, same bits at any thread
 * count, views, multiclass); and the error and allocation-failure paths. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

static void assert_close(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g (tol %g)", what, got, want, tol);
}

/* ---- calibration -------------------------------------------------------------- */

static void test_calibration_synthetic(void **state)
{
    (void)state;
    enum { N = 200000, B = 10 };
    float *y = malloc(sizeof(float) * N);
    double *p = malloc(sizeof(double) * N), *q = malloc(sizeof(double) * N);
    wn_rng r = wn_rng_make(11, 0);
    for (int i = 0; i < N; i++) {
        p[i] = wn_rng_uniform(&r);
        y[i] = wn_rng_uniform(&r) < p[i] ? 1.0f : 0.0f;
        q[i] = p[i] * p[i]; /* a model that is too sure of background */
    }
    double mp[B], fp[B], ws[B], ece, ece2;
    WN_OK_OR_FAIL(wn_calibration(y, NULL, p, N, B, mp, fp, ws, &ece));
    double tot = 0.0;
    for (int b = 0; b < B; b++) {
        tot += ws[b];
        assert_true(mp[b] >= (double)b / B && mp[b] <= (double)(b + 1) / B);
        assert_close(fp[b], mp[b], 0.02, "calibrated bin");
    }
    assert_close(tot, N, 0.0, "weight total");
    if (!(ece < 0.01))
        fail_msg("calibrated ECE %g", ece);
    WN_OK_OR_FAIL(wn_calibration(y, NULL, q, N, B, mp, fp, ws, &ece2));
    /* |p - p^2| averages 1/6 over uniform p */
    if (!(ece2 > 0.1 && ece2 > 10.0 * ece))
        fail_msg("distorted ECE %g vs calibrated %g", ece2, ece);
    free(y);
    free(p);
    free(q);
}

static void test_calibration_exact(void **state)
{
    (void)state;
    const float y[6] = {0, 1, 1, 1, 0, 1}, w[6] = {1, 2, 1, 1, 2, 0.5f};
    const double p[6] = {0.1, 0.2, 0.8, 0.9, 0.95, 1.0};
    double mp[4], fp[4], ws[4], ece;
    WN_OK_OR_FAIL(wn_calibration(y, w, p, 6, 2, mp, fp, ws, &ece));
    /* bin 0: rows 1-2, W 3; bin 1 (closed at 1): rows 3-6, W 4.5 */
    assert_close(ws[0], 3.0, 0.0, "W0");
    assert_close(ws[1], 4.5, 0.0, "W1");
    assert_close(mp[0], 0.5 / 3.0, 1e-15, "mean0");
    assert_close(fp[0], 2.0 / 3.0, 1e-15, "frac0");
    assert_close(mp[1], 4.1 / 4.5, 1e-15, "mean1");
    assert_close(fp[1], 2.5 / 4.5, 1e-15, "frac1");
    assert_close(ece, (1.5 + fabs(2.5 - 4.1)) / 7.5, 1e-15, "ece");
    /* four bins: the middle two are empty */
    double ece4;
    WN_OK_OR_FAIL(wn_calibration(y, w, p, 6, 4, mp, fp, ws, &ece4));
    assert_true(isnan(mp[1]) && isnan(fp[1]) && ws[1] == 0.0);
    assert_true(isnan(mp[2]) && isnan(fp[2]) && ws[2] == 0.0);
    assert_close(mp[0], 0.5 / 3.0, 1e-15, "4 bins mean0");
    assert_close(ece4, ece, 1e-15, "4 bins ece");
    /* unweighted, p = 0 goes to the first bin */
    const double p0[2] = {0.0, 1.0};
    const float y0[2] = {0, 1};
    WN_OK_OR_FAIL(wn_calibration(y0, NULL, p0, 2, 3, mp, fp, ws, &ece));
    assert_true(ws[0] == 1.0 && ws[1] == 0.0 && ws[2] == 1.0 && ece == 0.0);
}

/* ---- leak check ------------------------------------------------------------------ */

static void test_single_feature_auc(void **state)
{
    (void)state;
    enum { N = 20000 };
    static float y[N], w[N], x[N], yy[N], ww[N];
    static double s[N];
    wn_rng r = wn_rng_make(3, 1);
    for (int i = 0; i < N; i++) {
        y[i] = wn_rng_uniform(&r) < 0.4 ? 1.0f : 0.0f;
        w[i] = (float)(0.5 + wn_rng_uniform(&r));
    }
    double auc;
    int64_t used;
    WN_OK_OR_FAIL(wn_single_feature_auc(y, w, y, N, &auc, &used)); /* the label itself */
    assert_true(auc == 1.0 && used == N);
    for (int i = 0; i < N; i++)
        x[i] = 1.0f - y[i];
    WN_OK_OR_FAIL(wn_single_feature_auc(y, NULL, x, N, &auc, &used));
    assert_true(auc == 0.0);
    for (int i = 0; i < N; i++)
        x[i] = (float)wn_rng_normal(&r);
    WN_OK_OR_FAIL(wn_single_feature_auc(y, w, x, N, &auc, &used));
    assert_close(auc, 0.5, 0.02, "noise auc");
    /* NaN rows: skipped, counted, and the rest scored as wn_metric_eval does */
    int64_t m = 0;
    for (int i = 0; i < N; i++) {
        x[i] = (float)((double)y[i] + wn_rng_normal(&r));
        if (i % 7 == 3)
            x[i] = NAN;
        else {
            yy[m] = y[i];
            ww[m] = w[i];
            s[m++] = (double)x[i];
        }
    }
    double want;
    WN_OK_OR_FAIL(wn_single_feature_auc(y, w, x, N, &auc, &used));
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, yy, ww, s, m, 1, 0.0, &want));
    assert_int_equal(used, m);
    assert_true(auc == want && auc > 0.7);
}

/* ---- correlation ----------------------------------------------------------------- */

static wn_table *table_of(int64_t n, int k, float *const *cols)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    for (int c = 0; c < k; c++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", c);
        WN_OK_OR_FAIL(wn_table_add_column(t, name, cols[c]));
    }
    return t;
}

static void test_correlation_known(void **state)
{
    (void)state;
    enum { N = 20000, K = 4 };
    float *c[K];
    for (int k = 0; k < K; k++)
        c[k] = malloc(sizeof(float) * N);
    wn_rng r = wn_rng_make(9, 2);
    for (int i = 0; i < N; i++) {
        c[0][i] = (float)wn_rng_normal(&r);
        c[1][i] = 2.0f * c[0][i] + 1.0f;
        c[2][i] = -c[0][i];
        c[3][i] = (float)wn_rng_normal(&r);
    }
    wn_table *t = table_of(N, K, c);
    const int64_t cols[K] = {0, 1, 2, 3};
    double o[K * K];
    WN_OK_OR_FAIL(wn_correlation(t, cols, K, NULL, NULL, o));
    for (int a = 0; a < K; a++) {
        assert_true(o[a * K + a] == 1.0);
        for (int b = 0; b < K; b++)
            assert_true(o[a * K + b] == o[b * K + a]);
    }
    assert_close(o[0 * K + 1], 1.0, 1e-6, "x vs 2x+1");
    assert_close(o[0 * K + 2], -1.0, 1e-12, "x vs -x");
    assert_close(o[1 * K + 2], -1.0, 1e-6, "2x+1 vs -x");
    assert_close(o[0 * K + 3], 0.0, 0.03, "x vs noise");
    /* a 3-column subset in another order gives the same coefficients */
    const int64_t sub[3] = {3, 2, 0};
    double o3[9];
    WN_OK_OR_FAIL(wn_correlation(t, sub, 3, NULL, NULL, o3));
    assert_true(o3[1 * 3 + 2] == o[2 * K + 0] && o3[0 * 3 + 2] == o[3 * K + 0]);
    wn_table_free(t);
    for (int k = 0; k < K; k++)
        free(c[k]);
}

static void test_correlation_weights_mask(void **state)
{
    (void)state;
    enum { N = 3000, K = 3 };
    float *c[K], *rep[K], w[N];
    int64_t nrep = 0;
    uint8_t mask[N];
    int64_t sel[N], nsel = 0;
    wn_rng r = wn_rng_make(4, 4);
    for (int k = 0; k < K; k++) {
        c[k] = malloc(sizeof(float) * N);
        rep[k] = malloc(sizeof(float) * N * 3);
    }
    for (int i = 0; i < N; i++) {
        double u = wn_rng_normal(&r);
        c[0][i] = (float)u;
        c[1][i] = (float)(0.6 * u + 0.8 * wn_rng_normal(&r));
        c[2][i] = (float)(wn_rng_uniform(&r) - 0.3 * u);
        w[i] = (float)(1 + wn_rng_below(&r, 3));
        for (int m = 0; m < (int)w[i]; m++, nrep++)
            for (int k = 0; k < K; k++)
                rep[k][nrep] = c[k][i];
        mask[i] = i % 3 != 1;
        if (mask[i])
            sel[nsel++] = i;
    }
    const int64_t cols[K] = {0, 1, 2};
    double ow[K * K], orep[K * K], om[K * K], ov[K * K];
    wn_table *t = table_of(N, K, c), *tr = table_of(nrep, K, rep), *v = NULL;
    WN_OK_OR_FAIL(wn_correlation(t, cols, K, w, NULL, ow));
    WN_OK_OR_FAIL(wn_correlation(tr, cols, K, NULL, NULL, orep));
    for (int k = 0; k < K * K; k++)
        assert_close(ow[k], orep[k], 1e-12, "weights = replication");
    assert_close(ow[1], 0.6, 0.05, "constructed correlation");
    /* the mask selects the same rows as a view of them: the same bits */
    WN_OK_OR_FAIL(wn_correlation(t, cols, K, NULL, mask, om));
    WN_OK_OR_FAIL(wn_table_view_rows(t, sel, nsel, &v));
    WN_OK_OR_FAIL(wn_correlation(v, cols, K, NULL, NULL, ov));
    assert_memory_equal(om, ov, sizeof om);
    /* NaN in a row leaves that row out, as the mask does */
    for (int i = 1; i < N; i += 3)
        c[i % 2 ? 2 : 0][i] = NAN;
    wn_table *tn = table_of(N, K, c);
    WN_OK_OR_FAIL(wn_correlation(tn, cols, K, NULL, NULL, ov));
    assert_memory_equal(om, ov, sizeof om);
    /* a constant column: NaN in its row and column, the rest untouched */
    for (int i = 0; i < N; i++)
        c[1][i] = 2.5f;
    wn_table *tc = table_of(N, K, c);
    WN_OK_OR_FAIL(wn_correlation(tc, cols, K, NULL, mask, ov));
    for (int k = 0; k < K; k++)
        assert_true(isnan(ov[1 * K + k]) && isnan(ov[k * K + 1]));
    assert_true(ov[0] == 1.0 && ov[2] == om[2] && ov[8] == 1.0);
    wn_table_free(t);
    wn_table_free(tr);
    wn_table_free(v);
    wn_table_free(tn);
    wn_table_free(tc);
    for (int k = 0; k < K; k++) {
        free(c[k]);
        free(rep[k]);
    }
}

/* ---- permutation importance ------------------------------------------------------ */

/* Higgs-like rows with a pure-noise feature added; a model trained on the
 * first 5000 rows (a view), the rest (another view) held out. */
typedef struct fixture {
    wn_table *all, *train, *test;
    wn_model *m;
} fixture;

static void fixture_make(fixture *fx)
{
    enum { N = 8000, NTRAIN = 5000 };
    wn_sim_params sp;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &sp);
    sp.rows = N;
    sp.seed = 21;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_HIGGS_LIKE, &sp, &fx->all, NULL));
    float *v = malloc(sizeof(float) * N);
    wn_rng r = wn_rng_make(77, 0);
    for (int i = 0; i < N; i++)
        v[i] = (float)wn_rng_normal(&r);
    WN_OK_OR_FAIL(wn_table_add_column(fx->all, "noise", v));
    for (int i = 0; i < N; i++)
        v[i] = (float)(0.5 + wn_rng_uniform(&r));
    WN_OK_OR_FAIL(wn_table_add_column(fx->all, "w", v));
    WN_OK_OR_FAIL(wn_table_set_role(fx->all, wn_table_ncols(fx->all) - 1, WN_ROLE_WEIGHT));
    free(v);
    int64_t *rows = malloc(sizeof(int64_t) * N);
    for (int64_t i = 0; i < N; i++)
        rows[i] = i;
    WN_OK_OR_FAIL(wn_table_view_rows(fx->all, rows, NTRAIN, &fx->train));
    WN_OK_OR_FAIL(wn_table_view_rows(fx->all, rows + NTRAIN, N - NTRAIN, &fx->test));
    free(rows);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 30;
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

static void test_permutation_importance(void **state)
{
    (void)state;
    fixture fx;
    fixture_make(&fx);
    int64_t nf = wn_model_num_features(fx.m), noise = -1;
    for (int64_t f = 0; f < nf; f++)
        if (!strcmp(wn_model_feature_name(fx.m, f), "noise"))
            noise = f;
    assert_true(noise >= 0);
    double *mean = malloc(sizeof(double) * (size_t)nf), *std = malloc(sizeof(double) * (size_t)nf);
    double *mean2 = malloc(sizeof(double) * (size_t)nf),
           *std2 = malloc(sizeof(double) * (size_t)nf);
    for (int pass = 0; pass < 2; pass++) {
        wn_metric met = pass ? WN_METRIC_AUC : WN_METRIC_DEFAULT;
        WN_OK_OR_FAIL(wn_gbdt_permutation_importance(fx.m, fx.test, met, 5, 13, 1, mean, std));
        int64_t top = 0;
        for (int64_t f = 0; f < nf; f++) {
            assert_true(isfinite(mean[f]) && std[f] >= 0.0);
            if (mean[f] > mean[top])
                top = f;
        }
        if (!(fabs(mean[noise]) <= 2.0 * std[noise] + 1e-12))
            fail_msg("%s: noise importance %g +- %g", wn_metric_name(met), mean[noise], std[noise]);
        if (!(mean[top] > 0.01 && mean[top] > 20.0 * fabs(mean[noise]) &&
              mean[top] > 5.0 * std[top]))
            fail_msg("%s: top %s %g +- %g, noise %g", wn_metric_name(met),
                     wn_model_feature_name(fx.m, top), mean[top], std[top], mean[noise]);
        /* the same bits at another thread count */
        WN_OK_OR_FAIL(wn_gbdt_permutation_importance(fx.m, fx.test, met, 5, 13, 2, mean2, std2));
        assert_memory_equal(mean, mean2, sizeof(double) * (size_t)nf);
        assert_memory_equal(std, std2, sizeof(double) * (size_t)nf);
    }
    /* the contract by hand: a base-table copy of the held-out rows, column f
     * shuffled by Fisher-Yates from (seed, f << 20 | k), scored by AUC */
    WN_OK_OR_FAIL(
        wn_gbdt_permutation_importance(fx.m, fx.test, WN_METRIC_AUC, 5, 13, 2, mean, std));
    int64_t n = wn_table_nrows(fx.test), nc = wn_table_ncols(fx.test);
    wn_table *b = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &b));
    float *col = malloc(sizeof(float) * (size_t)n);
    for (int64_t c = 0; c < nc; c++) {
        wn_table_gather(fx.test, c, col);
        WN_OK_OR_FAIL(wn_table_add_column(b, wn_table_name(fx.test, c), col));
        WN_OK_OR_FAIL(wn_table_set_role(b, c, wn_table_role(fx.test, c)));
    }
    WN_OK_OR_FAIL(wn_gbdt_permutation_importance(fx.m, b, WN_METRIC_AUC, 5, 13, 1, mean2, std2));
    assert_memory_equal(mean, mean2, sizeof(double) * (size_t)nf);
    assert_memory_equal(std, std2, sizeof(double) * (size_t)nf);
    double *pred = malloc(sizeof(double) * (size_t)n), *pred0 = malloc(sizeof(double) * (size_t)n);
    double base, s, d[5];
    float *bw = malloc(sizeof(float) * (size_t)n);
    int64_t ly, lw, lf;
    WN_OK_OR_FAIL(wn_table_find(b, wn_model_label_name(fx.m), &ly));
    WN_OK_OR_FAIL(wn_table_find(b, "w", &lw));
    const float *yv = wn_table_column(b, ly), *wv = wn_table_column(b, lw);
    WN_OK_OR_FAIL(wn_gbdt_predict(fx.m, b, WN_PREDICT_VALUE, 1, pred0));
    const int64_t check[2] = {0, noise};
    for (int q = 0; q < 2; q++) {
        int64_t f = check[q];
        WN_OK_OR_FAIL(wn_table_find(b, wn_model_feature_name(fx.m, f), &lf));
        float *x = wn_table_column_mut(b, lf);
        memcpy(col, x, sizeof(float) * (size_t)n);
        double sum = 0.0;
        for (int k = 0; k < 5; k++) {
            /* repeat k: its bootstrap resample (Poisson(1) counts x weights) */
            for (int64_t i = 0; i < n; i++)
                bw[i] = (float)((double)wv[i] *
                                wn__poisson1_at(13, 0x426f6f74ull << 20 | (uint64_t)k, (uint64_t)i));
            WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, yv, bw, pred0, n, 1, 0.0, &base));
            wn_rng g = wn_rng_make(13, (uint64_t)f << 20 | (uint64_t)k);
            for (int64_t i = n - 1; i > 0; i--) {
                int64_t j = (int64_t)wn_rng_below(&g, (uint64_t)i + 1);
                float t = x[i];
                x[i] = x[j];
                x[j] = t;
            }
            WN_OK_OR_FAIL(wn_gbdt_predict(fx.m, b, WN_PREDICT_VALUE, 1, pred));
            WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, yv, bw, pred, n, 1, 0.0, &s));
            memcpy(x, col, sizeof(float) * (size_t)n);
            d[k] = base - s;
            sum += d[k];
        }
        double mu = sum / 5.0, ss = 0.0;
        for (int k = 0; k < 5; k++)
            ss += (d[k] - mu) * (d[k] - mu);
        assert_true(mean[f] == mu);
        assert_close(std[f], sqrt(ss / 4.0), 0.0, "std by hand");
    }
    free(pred), free(pred0), free(bw);
    free(col);
    wn_table_free(b);
    /* another seed gives other permutations */
    WN_OK_OR_FAIL(
        wn_gbdt_permutation_importance(fx.m, fx.test, WN_METRIC_AUC, 5, 14, 2, mean2, std2));
    assert_true(memcmp(mean, mean2, sizeof(double) * (size_t)nf) != 0);
    free(mean);
    free(std);
    free(mean2);
    free(std2);
    fixture_free(&fx);
}

/* a three-class model: mlogloss and error apply, AUC does not */
static void test_permutation_multiclass(void **state)
{
    (void)state;
    enum { N = 1500 };
    float *c[3];
    wn_rng r = wn_rng_make(5, 5);
    for (int k = 0; k < 3; k++)
        c[k] = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) {
        c[2][i] = (float)wn_rng_below(&r, 3);                 /* label */
        c[0][i] = c[2][i] + (float)(0.5 * wn_rng_normal(&r)); /* informative */
        c[1][i] = (float)wn_rng_normal(&r);                   /* noise */
    }
    wn_table *t = table_of(N, 3, c);
    WN_OK_OR_FAIL(wn_table_set_role(t, 2, WN_ROLE_LABEL));
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.objective = WN_OBJ_MULTICLASS;
    p.rounds = 10;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    double mean[2], std[2];
    WN_OK_OR_FAIL(wn_gbdt_permutation_importance(m, t, WN_METRIC_MLOGLOSS, 3, 1, 2, mean, std));
    assert_true(mean[0] > 0.1 && mean[0] > 10.0 * fabs(mean[1]));
    WN_OK_OR_FAIL(wn_gbdt_permutation_importance(m, t, WN_METRIC_ERROR, 3, 1, 2, mean, std));
    assert_true(mean[0] > 0.1);
    WN_EXPECT_ERR(wn_gbdt_permutation_importance(m, t, WN_METRIC_AUC, 3, 1, 2, mean, std),
                  WN_EINVAL, "does not apply");
    wn_model_free(m);
    wn_table_free(t);
    for (int k = 0; k < 3; k++)
        free(c[k]);
}

/* ---- errors ------------------------------------------------------------------------ */

static void test_errors(void **state)
{
    (void)state;
    const float y[4] = {0, 1, 0, 1}, bad[4] = {0, 1, 2, 1}, nan4[4] = {0, NAN, 1, 1};
    const float wbad[4] = {1, 1, INFINITY, 1}, x[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    const double p[4] = {0.1, 0.6, 0.3, 0.9}, pbad[4] = {0.1, 1.5, 0.3, 0.9};
    double mp[3], fp[3], ws[3], ece, auc;
    int64_t used;
    WN_EXPECT_ERR(wn_calibration(NULL, NULL, p, 4, 3, mp, fp, ws, &ece), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn_calibration(y, NULL, p, 4, 3, mp, fp, NULL, &ece), WN_EINVAL, "wsum");
    WN_EXPECT_ERR(wn_calibration(y, NULL, p, 0, 3, mp, fp, ws, &ece), WN_EINVAL, "no rows");
    WN_EXPECT_ERR(wn_calibration(y, NULL, p, 4, 1, mp, fp, ws, &ece), WN_EINVAL, "nbins");
    WN_EXPECT_ERR(wn_calibration(y, NULL, p, 4, 1001, mp, fp, ws, &ece), WN_EINVAL, "nbins");
    WN_EXPECT_ERR(wn_calibration(bad, NULL, p, 4, 3, mp, fp, ws, &ece), WN_EFORMAT, "row 3");
    WN_EXPECT_ERR(wn_calibration(nan4, NULL, p, 4, 3, mp, fp, ws, &ece), WN_ENUMERIC, "row 2");
    WN_EXPECT_ERR(wn_calibration(y, wbad, p, 4, 3, mp, fp, ws, &ece), WN_ENUMERIC, "row 3");
    WN_EXPECT_ERR(wn_calibration(y, NULL, pbad, 4, 3, mp, fp, ws, &ece), WN_ENUMERIC, "row 2");
    const float wneg[4] = {1, -1, 1, -2};
    WN_EXPECT_ERR(wn_calibration(y, wneg, p, 4, 3, mp, fp, ws, &ece), WN_ENUMERIC, "sum");

    WN_EXPECT_ERR(wn_single_feature_auc(y, NULL, NULL, 4, &auc, &used), WN_EINVAL, "feature");
    WN_EXPECT_ERR(wn_single_feature_auc(y, NULL, x, 1, &auc, &used), WN_EINVAL, "2 rows");
    WN_EXPECT_ERR(wn_single_feature_auc(bad, NULL, x, 4, &auc, &used), WN_EFORMAT, "row 3");
    WN_EXPECT_ERR(wn_single_feature_auc(y, wbad, x, 4, &auc, &used), WN_ENUMERIC, "row 3");
    const float xn[4] = {1, NAN, 2, NAN}; /* no signal row left */
    WN_EXPECT_ERR(wn_single_feature_auc(y, NULL, xn, 4, &auc, &used), WN_ENUMERIC, "2 rows");

    float *c[2] = {(float[]){1, 2, 3, 4}, (float[]){1, 3, 2, 5}};
    wn_table *t = table_of(4, 2, c);
    const int64_t cols[2] = {0, 1}, badcols[2] = {0, 2};
    double o[4];
    const uint8_t none[4] = {0, 0, 0, 0};
    WN_EXPECT_ERR(wn_correlation(NULL, cols, 2, NULL, NULL, o), WN_EINVAL, "table");
    WN_EXPECT_ERR(wn_correlation(t, NULL, 2, NULL, NULL, o), WN_EINVAL, "column list");
    WN_EXPECT_ERR(wn_correlation(t, cols, 0, NULL, NULL, o), WN_EINVAL, "ncols");
    WN_EXPECT_ERR(wn_correlation(t, badcols, 2, NULL, NULL, o), WN_EINVAL, "column index 2");
    WN_EXPECT_ERR(wn_correlation(t, cols, 2, wbad, NULL, o), WN_ENUMERIC, "row 3");
    WN_EXPECT_ERR(wn_correlation(t, cols, 2, NULL, none, o), WN_ENUMERIC, "0 rows");
    wn_table_free(t);

    fixture fx;
    fixture_make(&fx);
    int64_t nf = wn_model_num_features(fx.m);
    double *mean = malloc(sizeof(double) * (size_t)nf), *std = malloc(sizeof(double) * (size_t)nf);
    WN_EXPECT_ERR(wn_gbdt_permutation_importance(NULL, fx.test, WN_METRIC_AUC, 3, 1, 1, mean, std),
                  WN_EINVAL, "model");
    WN_EXPECT_ERR(wn_gbdt_permutation_importance(fx.m, NULL, WN_METRIC_AUC, 3, 1, 1, mean, std),
                  WN_EINVAL, "table");
    WN_EXPECT_ERR(wn_gbdt_permutation_importance(fx.m, fx.test, WN_METRIC_AUC, 3, 1, 1, NULL, std),
                  WN_EINVAL, "mean");
    WN_EXPECT_ERR(wn_gbdt_permutation_importance(fx.m, fx.test, WN_METRIC_AUC, 1, 1, 1, mean, std),
                  WN_EINVAL, "repeats");
    WN_EXPECT_ERR(wn_gbdt_permutation_importance(fx.m, fx.test, WN_METRIC_RMSE, 3, 1, 1, mean, std),
                  WN_EINVAL, "does not apply");
    WN_EXPECT_ERR(
        wn_gbdt_permutation_importance(fx.m, fx.test, WN_METRIC_MLOGLOSS, 3, 1, 1, mean, std),
        WN_EINVAL, "does not apply");
    /* tables without the label or the weight column */
    const char *drop[2] = {wn_model_label_name(fx.m), wn_model_weight_name(fx.m)};
    assert_non_null(drop[1]);
    for (int q = 0; q < 2; q++) {
        wn_table *less = NULL;
        WN_OK_OR_FAIL(wn_table_create(wn_table_nrows(fx.all), &less));
        for (int64_t k = 0; k < wn_table_ncols(fx.all); k++)
            if (strcmp(wn_table_name(fx.all, k), drop[q]))
                WN_OK_OR_FAIL(wn_table_add_column(less, wn_table_name(fx.all, k),
                                                  wn_table_column(fx.all, k)));
        WN_EXPECT_ERR(wn_gbdt_permutation_importance(fx.m, less, WN_METRIC_AUC, 3, 1, 1, mean, std),
                      WN_ENOTFOUND, drop[q]);
        wn_table_free(less);
    }
    free(mean);
    free(std);
    fixture_free(&fx);
}

/* every allocation failure is reported, and frees what it took */
static void test_alloc_failures(void **state)
{
    (void)state;
    enum { N = 300 };
    float y[N], x[N], *c[3];
    double p[N];
    wn_rng r = wn_rng_make(2, 2);
    for (int k = 0; k < 3; k++)
        c[k] = malloc(sizeof(float) * N);
    for (int i = 0; i < N; i++) {
        y[i] = (float)(i % 2);
        p[i] = wn_rng_uniform(&r);
        x[i] = i % 5 ? (float)p[i] : NAN;
        c[0][i] = (float)p[i];
        c[1][i] = (float)wn_rng_normal(&r) + (float)i / 100.0f;
        c[2][i] = y[i];
    }
    wn_table *t = table_of(N, 3, c);
    WN_OK_OR_FAIL(wn_table_set_role(t, 2, WN_ROLE_LABEL));
    wn_gbdt_params gp;
    wn_gbdt_params_default(&gp);
    gp.rounds = 3;
    gp.min_data_in_leaf = 5;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &gp, &m));
    const int64_t cols[2] = {0, 1};
    for (int64_t k = 1; k < 60; k++) {
        double mp[5], fp[5], ws[5], ece, auc, o[4], mean[2], std[2];
        int64_t used;
        wn__alloc_fail_at(k);
        wn_status a = wn_calibration(y, NULL, p, N, 5, mp, fp, ws, &ece);
        wn__alloc_fail_at(k);
        wn_status b = wn_single_feature_auc(y, NULL, x, N, &auc, &used);
        wn__alloc_fail_at(k);
        wn_status cc = wn_correlation(t, cols, 2, NULL, NULL, o);
        wn__alloc_fail_at(k);
        wn_status d = wn_gbdt_permutation_importance(m, t, WN_METRIC_LOGLOSS, 2, 1, 1, mean, std);
        wn__alloc_fail_at(0);
        assert_true(a == WN_OK || a == WN_ENOMEM);
        assert_true(b == WN_OK || b == WN_ENOMEM);
        assert_true(cc == WN_OK || cc == WN_ENOMEM);
        if (d != WN_OK && d != WN_ENOMEM)
            fail_msg("permutation importance under allocation failure %lld: %s: %s", (long long)k,
                     wn_status_name(d), wn_errmsg());
    }
    wn_model_free(m);
    wn_table_free(t);
    for (int k = 0; k < 3; k++)
        free(c[k]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calibration_synthetic),
        cmocka_unit_test(test_calibration_exact),
        cmocka_unit_test(test_single_feature_auc),
        cmocka_unit_test(test_correlation_known),
        cmocka_unit_test(test_correlation_weights_mask),
        cmocka_unit_test(test_permutation_importance),
        cmocka_unit_test(test_permutation_multiclass),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
