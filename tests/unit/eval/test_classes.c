/* test_classes.c — multiclass and regression summaries: tiny cases worked by
 * hand; a perfect and a random classifier; integer weights acting exactly as
 * replicated rows; the one-vs-rest AUC against wn_metric_eval; the quantile
 * rule against a brute-force scan; the error cases (outputs untouched) and
 * every allocation failing in turn. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

static void assert_close(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g (tol %g)", what, got, want, tol);
}

/* ---- multiclass ------------------------------------------------------------------ */

/* Worked by hand in the comments below. */
static void test_multiclass_exact(void **state)
{
    (void)state;
    const float y[4] = {0, 1, 2, 1}, w[4] = {1, 2, 1, 1};
    const double p[12] = {
        0.7, 0.2, 0.1, /* argmax 0, true 0 */
        0.1, 0.6, 0.3, /* argmax 1, true 1 */
        0.2, 0.5, 0.3, /* argmax 1, true 2 */
        0.4, 0.4, 0.2, /* tie: argmax 0 (the lower), true 1 */
    };
    double auc[3], conf[9], acc;
    WN_OK_OR_FAIL(wn_multiclass_summary(y, w, p, 4, 3, auc, conf, &acc));
    const double want_conf[9] = {1, 0, 0, 1, 2, 0, 0, 1, 0};
    for (int k = 0; k < 9; k++)
        assert_close(conf[k], want_conf[k], 0.0, "confusion");
    assert_close(acc, 3.0 / 5.0, 1e-15, "accuracy");
    /* class 0: its one row (0.7) outranks every other */
    assert_close(auc[0], 1.0, 1e-15, "auc 0");
    /* class 1: positives 0.6 (w 2), 0.4 (w 1); negatives 0.2, 0.5 (w 1):
     * wins 2 + 2 + 1 of 3 x 2 */
    assert_close(auc[1], 5.0 / 6.0, 1e-15, "auc 1");
    /* class 2: positive 0.3 (w 1); negatives 0.1 (w 1), 0.3 (w 2, a tie: half),
     * 0.2 (w 1): 1 + 1 + 1 of 1 x 4 */
    assert_close(auc[2], 0.75, 1e-15, "auc 2");

    /* unit weights */
    WN_OK_OR_FAIL(wn_multiclass_summary(y, NULL, p, 4, 3, auc, conf, &acc));
    assert_close(acc, 0.5, 0.0, "unit accuracy");
    assert_close(conf[1 * 3 + 1], 1.0, 0.0, "unit conf[1][1]");
    assert_close(auc[1], 3.0 / 4.0, 1e-15, "unit auc 1");
}

static void test_multiclass_perfect_random(void **state)
{
    (void)state;
    enum { N = 6000, K = 4 };
    static float y[N], w[N];
    static double p[N * K];
    wn_rng r = wn_rng_make(11, 0);
    for (int i = 0; i < N; i++) {
        y[i] = (float)(i % K);
        w[i] = (float)(0.5 + wn_rng_uniform(&r));
        for (int c = 0; c < K; c++)
            p[i * K + c] = c == i % K ? 0.6 + 0.3 * wn_rng_uniform(&r) : 0.1 * wn_rng_uniform(&r);
    }
    double auc[K], conf[K * K], acc;
    WN_OK_OR_FAIL(wn_multiclass_summary(y, w, p, N, K, auc, conf, &acc));
    double sw = 0.0;
    for (int i = 0; i < N; i++)
        sw += (double)w[i];
    assert_close(acc, 1.0, 1e-12, "perfect accuracy");
    double total = 0.0;
    for (int a = 0; a < K; a++) {
        assert_close(auc[a], 1.0, 1e-12, "perfect auc"); /* rounding of the weighted sums */
        for (int b = 0; b < K; b++) {
            total += conf[a * K + b];
            if (a != b)
                assert_close(conf[a * K + b], 0.0, 0.0, "perfect off-diagonal");
        }
    }
    assert_close(total, sw, 1e-9, "confusion total");

    /* random: scores independent of the labels */
    for (int i = 0; i < N; i++) {
        y[i] = (float)wn_rng_below(&r, K);
        for (int c = 0; c < K; c++)
            p[i * K + c] = wn_rng_uniform(&r);
    }
    WN_OK_OR_FAIL(wn_multiclass_summary(y, w, p, N, K, auc, conf, &acc));
    assert_close(acc, 1.0 / K, 0.03, "random accuracy");
    for (int k = 0; k < K; k++) {
        assert_close(auc[k], 0.5, 0.03, "random auc");
        /* one-vs-rest is the binary AUC of [y == k] against column k */
        static float yk[N];
        static double pk[N];
        for (int i = 0; i < N; i++) {
            yk[i] = y[i] == (float)k ? 1.0f : 0.0f;
            pk[i] = p[i * K + k];
        }
        double want;
        WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, yk, w, pk, N, 1, 0.0, &want));
        assert_true(auc[k] == want);
    }
    /* accuracy agrees with the error metric */
    double err;
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_ERROR, y, w, p, N, K, 0.0, &err));
    assert_close(acc, 1.0 - err, 1e-12, "accuracy vs error");
}

static void test_multiclass_absent_class(void **state)
{
    (void)state;
    const float y[4] = {0, 1, 0, 1};
    const double p[12] = {0.5, 0.3, 0.2, 0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8};
    double auc[3], conf[9], acc;
    WN_OK_OR_FAIL(wn_multiclass_summary(y, NULL, p, 4, 3, auc, conf, &acc));
    assert_true(isnan(auc[2]));
    assert_close(auc[0], 1.0, 0.0, "auc 0");
    assert_close(conf[1 * 3 + 2], 1.0, 0.0, "row 4 predicted as the absent class");
    assert_close(acc, 0.75, 0.0, "accuracy");
    /* a class with all the weight: its complement is empty */
    const float y0[2] = {1, 1};
    WN_OK_OR_FAIL(wn_multiclass_summary(y0, NULL, p, 2, 3, auc, conf, &acc));
    assert_true(isnan(auc[0]) && isnan(auc[1]) && isnan(auc[2]));
}

static void test_multiclass_replication(void **state)
{
    (void)state;
    enum { N = 300, K = 3, NR = N * 4 };
    static float y[N], w[N], yr[NR];
    static double p[N * K], pr[NR * K];
    wn_rng r = wn_rng_make(3, 1);
    int m = 0;
    for (int i = 0; i < N; i++) {
        y[i] = (float)wn_rng_below(&r, K);
        for (int c = 0; c < K; c++)
            p[i * K + c] = floor(wn_rng_uniform(&r) * 8.0) / 8.0; /* ties */
        int copies = 1 + (int)wn_rng_below(&r, 4);
        w[i] = (float)copies;
        for (int k = 0; k < copies; k++, m++) {
            yr[m] = y[i];
            memcpy(pr + m * K, p + i * K, K * sizeof *p);
        }
    }
    double a1[K], c1[K * K], acc1, a2[K], c2[K * K], acc2;
    WN_OK_OR_FAIL(wn_multiclass_summary(y, w, p, N, K, a1, c1, &acc1));
    WN_OK_OR_FAIL(wn_multiclass_summary(yr, NULL, pr, m, K, a2, c2, &acc2));
    for (int k = 0; k < K; k++)
        assert_close(a1[k], a2[k], 1e-12, "replicated auc");
    for (int k = 0; k < K * K; k++)
        assert_close(c1[k], c2[k], 0.0, "replicated confusion");
    assert_close(acc1, acc2, 1e-15, "replicated accuracy");
}

static void test_multiclass_errors(void **state)
{
    (void)state;
    float y[3] = {0, 1, 2}, w[3] = {1, 1, 1};
    double p[9] = {0.5, 0.3, 0.2, 0.2, 0.7, 0.1, 0.1, 0.1, 0.8};
    double auc[3] = {-7, -7, -7}, conf[9], acc = -7;
    WN_EXPECT_ERR(wn_multiclass_summary(NULL, w, p, 3, 3, auc, conf, &acc), WN_EINVAL, "labels");
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, NULL, 3, 3, auc, conf, &acc), WN_EINVAL,
                  "probabilities");
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, NULL, conf, &acc), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, NULL, &acc), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, NULL), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 0, 3, auc, conf, &acc), WN_EINVAL, "no rows");
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 1, auc, conf, &acc), WN_EINVAL, "nclass");
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, WN_GBDT_MAX_CLASSES + 1, auc, conf, &acc),
                  WN_EINVAL, "nclass");
    y[1] = NAN;
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, &acc), WN_ENUMERIC,
                  "label of row 2 is nan");
    y[1] = 3.0f;
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, &acc), WN_EFORMAT,
                  "label of row 2 is 3, must be a class 0..2");
    y[1] = 0.5f;
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, &acc), WN_EFORMAT, "row 2");
    y[1] = -1.0f;
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, &acc), WN_EFORMAT, "row 2");
    y[1] = 1.0f;
    w[2] = INFINITY;
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, &acc), WN_ENUMERIC,
                  "weight of row 3 is inf");
    w[2] = 1.0f;
    p[4] = (double)NAN;
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, &acc), WN_ENUMERIC,
                  "probability 1 of row 2 is NaN");
    p[4] = 0.7;
    w[0] = -1.0f;
    w[1] = 0.5f;
    w[2] = 0.5f;
    WN_EXPECT_ERR(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, &acc), WN_ENUMERIC,
                  "sum of weights is 0");
    assert_true(auc[0] == -7 && acc == -7); /* outputs untouched on failure */
    /* negative weights are fine while the total is > 0 */
    w[1] = 2.0f;
    WN_OK_OR_FAIL(wn_multiclass_summary(y, w, p, 3, 3, auc, conf, &acc));
    assert_true(isnan(auc[0])); /* class 0's own total is -1 */
    assert_close(acc, 1.0, 1e-15, "accuracy with a negative weight");
}

/* ---- regression ------------------------------------------------------------------ */

static void test_regression_exact(void **state)
{
    (void)state;
    /* residuals 0.5, 0, -1, 1: mse 2.25/4, mae 2.5/4; ybar 2.5, SS_tot 5 */
    const float y[4] = {1, 2, 3, 4};
    const double pred[4] = {1.5, 2, 2, 5};
    double rmse, mae, r2, q[5];
    WN_OK_OR_FAIL(wn_regression_summary(y, NULL, pred, 4, &rmse, &mae, &r2, q));
    assert_close(rmse, 0.75, 1e-15, "rmse");
    assert_close(mae, 0.625, 1e-15, "mae");
    assert_close(r2, 0.55, 1e-15, "r2");
    /* sorted -1, 0, 0.5, 1 with C = 1..4: q W = 0.1, 0.64, 2, 3.36, 3.9 */
    const double want_q[5] = {-1, -1, 0, 1, 1};
    for (int k = 0; k < 5; k++)
        assert_close(q[k], want_q[k], 0.0, "quantile");

    /* weights 1, 1, 6, 2 (W 10): sorted -1 (6), 0 (1), 0.5 (1), 1 (2);
     * C = 6, 7, 8, 10 against 0.25, 1.6, 5, 8.4, 9.75 */
    const float w[4] = {1, 1, 6, 2};
    WN_OK_OR_FAIL(wn_regression_summary(y, w, pred, 4, &rmse, &mae, &r2, q));
    assert_close(rmse, sqrt((0.25 + 6.0 + 2.0) / 10.0), 1e-15, "weighted rmse");
    assert_close(mae, (0.5 + 6.0 + 2.0) / 10.0, 1e-15, "weighted mae");
    /* ybar = (1 + 2 + 18 + 8) / 10 = 2.9; SS_tot = 3.61 + 0.81 + 6 * 0.01 + 2 * 1.21 */
    assert_close(r2, 1.0 - 8.25 / (3.61 + 0.81 + 0.06 + 2.42), 1e-14, "weighted r2");
    const double want_wq[5] = {-1, -1, -1, 1, 1};
    for (int k = 0; k < 5; k++)
        assert_close(q[k], want_wq[k], 0.0, "weighted quantile");

    /* a perfect prediction; a constant label has no R^2 */
    const float yc[3] = {2, 2, 2};
    const double pc[3] = {2, 2, 3};
    WN_OK_OR_FAIL(
        wn_regression_summary(y, NULL, (const double[4]){1, 2, 3, 4}, 4, &rmse, &mae, &r2, q));
    assert_true(rmse == 0.0 && mae == 0.0 && r2 == 1.0 && q[0] == 0.0 && q[4] == 0.0);
    WN_OK_OR_FAIL(wn_regression_summary(yc, NULL, pc, 3, &rmse, &mae, &r2, q));
    assert_true(isnan(r2));
    WN_OK_OR_FAIL(wn_regression_summary(y, NULL, pred, 1, &rmse, &mae, &r2, q));
    assert_true(rmse == 0.5 && isnan(r2) && q[0] == 0.5 && q[4] == 0.5);
}

/* Brute force: the smallest residual value v whose total weight of residuals
 * <= v reaches q W. O(n^2). */
static double brute_quantile(const float *y, const float *w, const double *pred, int n, double q)
{
    double sw = 0.0, best = (double)INFINITY;
    for (int i = 0; i < n; i++)
        sw += (double)w[i];
    for (int i = 0; i < n; i++) {
        double v = pred[i] - (double)y[i], c = 0.0;
        for (int j = 0; j < n; j++)
            if (pred[j] - (double)y[j] <= v)
                c += (double)w[j];
        if (c >= q * sw - 1e-9 && v < best)
            best = v;
    }
    return best;
}

static void test_regression_replication_and_brute(void **state)
{
    (void)state;
    enum { N = 500, NR = N * 5 };
    static float y[N], w[N], yr[NR];
    static double pred[N], prr[NR];
    wn_rng r = wn_rng_make(8, 2);
    int m = 0;
    for (int i = 0; i < N; i++) {
        y[i] = (float)(10.0 * wn_rng_uniform(&r));
        pred[i] = (double)y[i] + floor(4.0 * wn_rng_normal(&r)) / 4.0; /* tied residuals */
        int copies = 1 + (int)wn_rng_below(&r, 5);
        w[i] = (float)copies;
        for (int k = 0; k < copies; k++, m++) {
            yr[m] = y[i];
            prr[m] = pred[i];
        }
    }
    double a[3], qa[5], b[3], qb[5];
    WN_OK_OR_FAIL(wn_regression_summary(y, w, pred, N, &a[0], &a[1], &a[2], qa));
    WN_OK_OR_FAIL(wn_regression_summary(yr, NULL, prr, m, &b[0], &b[1], &b[2], qb));
    for (int k = 0; k < 3; k++)
        assert_close(a[k], b[k], 1e-12, "replicated rmse/mae/r2");
    const double lv[5] = {0.025, 0.16, 0.5, 0.84, 0.975};
    for (int k = 0; k < 5; k++) {
        assert_true(qa[k] == qb[k]);
        assert_true(qa[k] == brute_quantile(y, w, pred, N, lv[k]));
    }
    /* rmse and mae agree with the metrics */
    double want;
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_RMSE, y, w, pred, N, 1, 0.0, &want));
    assert_close(a[0], want, 1e-12, "rmse vs metric");
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_MAE, y, w, pred, N, 1, 0.0, &want));
    assert_close(a[1], want, 1e-12, "mae vs metric");
    /* a Gaussian residual: the 16/84% quantiles near -+1 sigma */
    static float yg[4000];
    static double pg[4000];
    for (int i = 0; i < 4000; i++) {
        yg[i] = 0.0f;
        pg[i] = 2.0 * wn_rng_normal(&r);
    }
    WN_OK_OR_FAIL(wn_regression_summary(yg, NULL, pg, 4000, &a[0], &a[1], &a[2], qa));
    assert_close(qa[1], -2.0, 0.15, "16%");
    assert_close(qa[2], 0.0, 0.1, "median");
    assert_close(qa[3], 2.0, 0.15, "84%");
    assert_close(a[0], 2.0, 0.1, "rmse of N(0, 2)");
}

static void test_regression_errors(void **state)
{
    (void)state;
    float y[3] = {1, 2, 3}, w[3] = {1, 1, 1};
    double pred[3] = {1, 2, 3};
    double rmse = -7, mae = -7, r2 = -7, q[5] = {-7, -7, -7, -7, -7};
    WN_EXPECT_ERR(wn_regression_summary(NULL, w, pred, 3, &rmse, &mae, &r2, q), WN_EINVAL,
                  "labels");
    WN_EXPECT_ERR(wn_regression_summary(y, w, NULL, 3, &rmse, &mae, &r2, q), WN_EINVAL,
                  "predictions");
    WN_EXPECT_ERR(wn_regression_summary(y, w, pred, 3, &rmse, &mae, &r2, NULL), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn_regression_summary(y, w, pred, 0, &rmse, &mae, &r2, q), WN_EINVAL, "no rows");
    y[2] = INFINITY;
    WN_EXPECT_ERR(wn_regression_summary(y, w, pred, 3, &rmse, &mae, &r2, q), WN_ENUMERIC,
                  "label of row 3 is inf");
    y[2] = 3.0f;
    w[0] = NAN;
    WN_EXPECT_ERR(wn_regression_summary(y, w, pred, 3, &rmse, &mae, &r2, q), WN_ENUMERIC,
                  "weight of row 1 is nan");
    w[0] = 1.0f;
    pred[1] = (double)NAN;
    WN_EXPECT_ERR(wn_regression_summary(y, w, pred, 3, &rmse, &mae, &r2, q), WN_ENUMERIC,
                  "prediction of row 2 is NaN");
    pred[1] = 2.0;
    w[0] = -2.0f;
    WN_EXPECT_ERR(wn_regression_summary(y, w, pred, 3, &rmse, &mae, &r2, q), WN_ENUMERIC,
                  "sum of weights is 0");
    /* total > 0, but the negative weight sits on the one large residual */
    w[0] = -3.0f;
    w[1] = 2.0f;
    w[2] = 2.0f;
    pred[0] = 5.0;
    WN_EXPECT_ERR(wn_regression_summary(y, w, pred, 3, &rmse, &mae, &r2, q), WN_ENUMERIC,
                  "negative weights");
    assert_true(rmse == -7 && mae == -7 && r2 == -7 && q[0] == -7);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    enum { N = 50, K = 3 };
    float y[N], w[N];
    double p[N * K], auc[K], conf[K * K], acc, rmse, mae, r2, q[5];
    wn_rng r = wn_rng_make(2, 0);
    for (int i = 0; i < N; i++) {
        y[i] = (float)(i % K);
        w[i] = (float)(0.5 + wn_rng_uniform(&r));
        for (int c = 0; c < K; c++)
            p[i * K + c] = wn_rng_uniform(&r);
    }
    for (int64_t k = 1; k <= 12; k++) {
        wn__alloc_fail_at(k);
        wn_status a = wn_multiclass_summary(y, w, p, N, K, auc, conf, &acc);
        wn__alloc_fail_at(k);
        wn_status b = wn_regression_summary(y, w, p, N, &rmse, &mae, &r2, q);
        wn__alloc_fail_at(0);
        assert_true(a == WN_OK || a == WN_ENOMEM);
        assert_true(b == WN_OK || b == WN_ENOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multiclass_exact),
        cmocka_unit_test(test_multiclass_perfect_random),
        cmocka_unit_test(test_multiclass_absent_class),
        cmocka_unit_test(test_multiclass_replication),
        cmocka_unit_test(test_multiclass_errors),
        cmocka_unit_test(test_regression_exact),
        cmocka_unit_test(test_regression_replication_and_brute),
        cmocka_unit_test(test_regression_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
