/* test_metric.c — evaluation metrics: weighted AUC against an O(n^2) count
 * of ordered pairs (ties half) with ties and negative weights, the other
 * metrics against values worked out by hand, the error cases, and the
 * name table. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

static void assert_close(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol * (1.0 + fabs(want))))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* the definition: sum over (positive, negative) pairs of w+ w- [p+ > p-],
 * ties counting half, over W+ W- */
static double auc_brute(const float *y, const float *w, const double *p, int64_t n)
{
    double num = 0.0, wp = 0.0, wn = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? (double)w[i] : 1.0;
        if (y[i] == 1.0f)
            wp += wi;
        else
            wn += wi;
        if (y[i] != 1.0f)
            continue;
        for (int64_t j = 0; j < n; j++) {
            if (y[j] != 0.0f)
                continue;
            double wj = w ? (double)w[j] : 1.0;
            num += wi * wj * (p[i] > p[j] ? 1.0 : p[i] == p[j] ? 0.5 : 0.0);
        }
    }
    return num / (wp * wn);
}

static void test_auc_random(void **state)
{
    (void)state;
    enum { N = 700 };
    static float y[N], w[N];
    static double p[N];
    wn_rng r = wn_rng_make(21, 0);
    for (int trial = 0; trial < 6; trial++) {
        for (int i = 0; i < N; i++) {
            y[i] = wn_rng_uniform(&r) < 0.4 ? 1.0f : 0.0f;
            /* few distinct predictions (many ties) in half the trials */
            double s = (double)y[i] * 0.7 + wn_rng_normal(&r);
            p[i] = trial % 2 ? floor(s * 4.0) / 4.0 : s;
            /* a fifth of the weights negative in the later trials */
            double u = wn_rng_uniform(&r);
            w[i] = (float)(trial >= 2 && u < 0.2 ? -0.5 * u : 0.2 + u);
        }
        double got;
        WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, w, p, N, 1, 0.0, &got));
        assert_close(got, auc_brute(y, w, p, N), 1e-12, "weighted auc");
        WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, NULL, p, N, 1, 0.0, &got));
        assert_close(got, auc_brute(y, NULL, p, N), 1e-12, "unweighted auc");
    }
}

static void test_auc_known(void **state)
{
    (void)state;
    float y[6] = {0.0f, 0.0f, 1.0f, 0.0f, 1.0f, 1.0f};
    float w[6] = {1.0f, 2.0f, 0.5f, 1.0f, 3.0f, 1.0f};
    double p[6] = {0.1, 0.2, 0.7, 0.3, 0.9, 0.8}, q[6], c[6], out;
    for (int i = 0; i < 6; i++) {
        q[i] = -p[i];
        c[i] = 0.5;
    }
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, w, p, 6, 1, 0.0, &out));
    assert_true(out == 1.0);
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, w, q, 6, 1, 0.0, &out));
    assert_true(out == 0.0);
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, w, c, 6, 1, 0.0, &out));
    assert_true(out == 0.5); /* all tied */
    /* one swapped pair: positive at 0.25 (w 0.5) ranks below negative 0.3 (w 1) */
    p[2] = 0.25;
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, w, p, 6, 1, 0.0, &out));
    assert_close(out, 1.0 - 0.5 * 1.0 / (4.5 * 4.0), 1e-15, "one swap");
    assert_true(wn_metric_higher_better(WN_METRIC_AUC));
}

static void test_auc_errors(void **state)
{
    (void)state;
    float y[3] = {1.0f, 1.0f, 1.0f}, w[3] = {1.0f, 1.0f, 1.0f};
    double p[3] = {0.1, 0.5, 0.9}, out = -1.0;
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_AUC, y, w, p, 3, 1, 0.0, &out), WN_ENUMERIC,
                  "negatives");
    assert_true(out == -1.0);
    float y2[3] = {1.0f, 0.0f, 0.0f}, w2[3] = {1.0f, 1.0f, -1.0f};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_AUC, y2, w2, p, 3, 1, 0.0, &out), WN_ENUMERIC,
                  "negatives");
    float y3[3] = {1.0f, 2.0f, 0.0f};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_AUC, y3, NULL, p, 3, 1, 0.0, &out), WN_EFORMAT,
                  "row 2 is 2");
    double pn[3] = {0.1, 0.2, (double)NAN};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_AUC, y2, NULL, pn, 3, 1, 0.0, &out), WN_ENUMERIC,
                  "row 3");
    float wn_[3] = {1.0f, NAN, 1.0f};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_AUC, y2, wn_, p, 3, 1, 0.0, &out), WN_ENUMERIC, "row 2");
    float yn[3] = {NAN, 0.0f, 1.0f};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_AUC, yn, NULL, p, 3, 1, 0.0, &out), WN_ENUMERIC,
                  "row 1");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_AUC, y2, NULL, p, 1, 3, 0.0, &out), WN_EINVAL, "auc");
    /* allocation failure while ranking */
    wn__alloc_fail_at(1);
    wn_status s = wn_metric_eval(WN_METRIC_AUC, y2, NULL, p, 3, 1, 0.0, &out);
    wn__alloc_fail_at(0);
    assert_int_equal(s, WN_ENOMEM);
    assert_true(out == -1.0);
}

static void test_binary_metrics(void **state)
{
    (void)state;
    float y[2] = {1.0f, 0.0f}, w[2] = {1.0f, 3.0f};
    double p[2] = {0.8, 0.4}, out;
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_LOGLOSS, y, w, p, 2, 1, 0.0, &out));
    assert_close(out, -(log(0.8) + 3.0 * log(0.6)) / 4.0, 1e-15, "logloss");
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_LOGLOSS, y, NULL, p, 2, 1, 0.0, &out));
    assert_close(out, -(log(0.8) + log(0.6)) / 2.0, 1e-15, "logloss unweighted");
    /* clamping: certain and wrong costs -log(1e-15), not inf */
    double bad[2] = {0.0, 1.0};
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_LOGLOSS, y, NULL, bad, 2, 1, 0.0, &out));
    /* 1 - (1 - 1e-15) is 1.11e-15 in doubles, so the two rows differ a little */
    assert_close(out, -(log(1e-15) + log(1.0 - (1.0 - 1e-15))) / 2.0, 1e-14, "logloss clamp");
    assert_true(out > 34.5 && out < 34.6);
    /* negative weight: still a ratio of sums */
    float w3[3] = {2.0f, -0.5f, 1.0f}, y3[3] = {1.0f, 1.0f, 0.0f};
    double p3[3] = {0.9, 0.3, 0.2};
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_LOGLOSS, y3, w3, p3, 3, 1, 0.0, &out));
    assert_close(out, -(2.0 * log(0.9) - 0.5 * log(0.3) + log(0.8)) / 2.5, 1e-15,
                 "logloss negative weight");

    float ye[4] = {1.0f, 0.0f, 1.0f, 0.0f}, we[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    double pe[4] = {0.9, 0.6, 0.5, 0.1};
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_ERROR, ye, NULL, pe, 4, 1, 0.0, &out));
    assert_close(out, 0.5, 1e-15, "error"); /* 0.6 -> 1 wrong; 0.5 -> 0 wrong */
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_ERROR, ye, we, pe, 4, 1, 0.0, &out));
    assert_close(out, 5.0 / 10.0, 1e-15, "weighted error");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_LOGLOSS, ye, NULL, pe, 2, 2, 0.0, &out), WN_EINVAL,
                  "logloss");
    float yb[2] = {1.0f, 0.5f};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_ERROR, yb, NULL, pe, 2, 1, 0.0, &out), WN_EFORMAT,
                  "0.5");
    float wz[2] = {1.0f, -1.0f};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_LOGLOSS, y, wz, p, 2, 1, 0.0, &out), WN_ENUMERIC,
                  "sum of weights");
    assert_false(wn_metric_higher_better(WN_METRIC_LOGLOSS));
}

static void test_regression_metrics(void **state)
{
    (void)state;
    float y[3] = {1.0f, 2.0f, 3.0f}, w[3] = {1.0f, 1.0f, 2.0f};
    double p[3] = {1.5, 2.0, 2.0}, out;
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_RMSE, y, w, p, 3, 1, 0.0, &out));
    assert_close(out, 0.75, 1e-15, "rmse"); /* (0.25 + 0 + 2) / 4 = 0.5625 */
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_MAE, y, w, p, 3, 1, 0.0, &out));
    assert_close(out, 0.625, 1e-15, "mae");
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_MAE, y, NULL, p, 3, 1, 0.0, &out));
    assert_close(out, 0.5, 1e-15, "mae unweighted");
    /* delta 0.6: r = 0.5 -> 0.125, 0 -> 0, 1 -> 0.6 (1 - 0.3) = 0.42 */
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_HUBER, y, w, p, 3, 1, 0.6, &out));
    assert_close(out, (0.125 + 0.0 + 2.0 * 0.42) / 4.0, 1e-15, "huber");
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_HUBER, y, w, p, 3, 1, 10.0, &out));
    assert_close(out, 0.5625 / 2.0, 1e-15, "huber quadratic");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_HUBER, y, w, p, 3, 1, 0.0, &out), WN_EINVAL,
                  "huber_delta");
    /* a negative weight that makes the mean square negative */
    float wneg[3] = {-3.0f, 1.0f, 3.0f};
    double pz[3] = {3.0, 2.0, 3.0};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_RMSE, y, wneg, pz, 3, 1, 0.0, &out), WN_ENUMERIC,
                  "rmse");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_RMSE, y, NULL, p, 3, 2, 0.0, &out), WN_EINVAL, "rmse");
    double pn[3] = {1.0, (double)NAN, 2.0};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_MAE, y, NULL, pn, 3, 1, 0.0, &out), WN_ENUMERIC,
                  "row 2");
}

static void test_multiclass_metrics(void **state)
{
    (void)state;
    float y[2] = {0.0f, 2.0f}, w[2] = {1.0f, 3.0f};
    double p[6] = {0.7, 0.2, 0.1, 0.1, 0.3, 0.6}, out;
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_MLOGLOSS, y, NULL, p, 2, 3, 0.0, &out));
    assert_close(out, -(log(0.7) + log(0.6)) / 2.0, 1e-15, "mlogloss");
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_MLOGLOSS, y, w, p, 2, 3, 0.0, &out));
    assert_close(out, -(log(0.7) + 3.0 * log(0.6)) / 4.0, 1e-15, "weighted mlogloss");
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_ERROR, y, w, p, 2, 3, 0.0, &out));
    assert_true(out == 0.0);
    float y2[2] = {1.0f, 2.0f};
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_ERROR, y2, w, p, 2, 3, 0.0, &out));
    assert_close(out, 0.25, 1e-15, "multiclass error");
    float y3[2] = {0.0f, 3.0f};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_MLOGLOSS, y3, NULL, p, 2, 3, 0.0, &out), WN_EFORMAT,
                  "row 2 is 3");
    float y4[2] = {0.5f, 1.0f};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_MLOGLOSS, y4, NULL, p, 2, 3, 0.0, &out), WN_EFORMAT,
                  "row 1");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_MLOGLOSS, y, NULL, p, 2, 1, 0.0, &out), WN_EINVAL,
                  "mlogloss");
    double pn[6] = {0.7, 0.2, 0.1, 0.1, (double)NAN, 0.6};
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_MLOGLOSS, y, NULL, pn, 2, 3, 0.0, &out), WN_ENUMERIC,
                  "row 2");
}

static void test_args_and_names(void **state)
{
    (void)state;
    float y[2] = {0.0f, 1.0f};
    double p[2] = {0.2, 0.7}, out;
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_DEFAULT, y, NULL, p, 2, 1, 0.0, &out), WN_EINVAL,
                  "default");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_LOGLOSS, y, NULL, p, 0, 1, 0.0, &out), WN_EINVAL,
                  "no rows");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_LOGLOSS, NULL, NULL, p, 2, 1, 0.0, &out), WN_EINVAL,
                  "NULL");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_LOGLOSS, y, NULL, NULL, 2, 1, 0.0, &out), WN_EINVAL,
                  "NULL");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_LOGLOSS, y, NULL, p, 2, 1, 0.0, NULL), WN_EINVAL,
                  "NULL");
    WN_EXPECT_ERR(wn_metric_eval(WN_METRIC_LOGLOSS, y, NULL, p, 2, 0, 0.0, &out), WN_EINVAL,
                  "nclass");
    WN_EXPECT_ERR(wn_metric_eval((wn_metric)42, y, NULL, p, 2, 1, 0.0, &out), WN_EINVAL, "unknown");
    static const char *const names[] = {"default",  "logloss", "auc", "error",
                                        "mlogloss", "rmse",    "mae", "huber"};
    for (int k = 0; k < 8; k++) {
        wn_metric m;
        WN_OK_OR_FAIL(wn_metric_parse(names[k], &m));
        assert_int_equal((int)m, k);
        assert_string_equal(wn_metric_name(m), names[k]);
        assert_int_equal(wn_metric_higher_better(m), m == WN_METRIC_AUC);
    }
    wn_metric m = WN_METRIC_MAE;
    WN_EXPECT_ERR(wn_metric_parse("accuracy", &m), WN_EINVAL, "logloss, auc");
    assert_int_equal(m, WN_METRIC_MAE);
    WN_EXPECT_ERR(wn_metric_parse(NULL, &m), WN_EINVAL, "huber");
    assert_string_equal(wn_metric_name((wn_metric)-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_random),         cmocka_unit_test(test_auc_known),
        cmocka_unit_test(test_auc_errors),         cmocka_unit_test(test_binary_metrics),
        cmocka_unit_test(test_regression_metrics), cmocka_unit_test(test_multiclass_metrics),
        cmocka_unit_test(test_args_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
