/* test_objective.c — the boosting objectives: gradients and hessians against
 * central finite differences of a loss written out here independently,
 * initial scores against the property that they minimise the constant loss,
 * label checks and their messages, the output transform, and thread-count
 * determinism. */
#include "wn_test.h"

#include "core.h"
#include "tree/objective.h"

#include <math.h>

static wn__objective obj(wn_objective kind, int nout, double delta)
{
    wn__objective o;
    o.kind = kind;
    o.nout = nout;
    o.huber_delta = delta;
    return o;
}

/* ---- reference losses (per row, unweighted) ------------------------------------ */

static double loss_binary(double f, double y)
{
    /* log(1 + e^f) - y f, written stably */
    double sp = f > 0 ? f + log1p(exp(-f)) : log1p(exp(f));
    return sp - y * f;
}
static double loss_l2(double f, double y)
{
    return 0.5 * (f - y) * (f - y);
}
static double loss_l1(double f, double y)
{
    return fabs(f - y);
}
static double huber_delta_g = 1.0;
static double loss_huber(double f, double y)
{
    double r = fabs(f - y), d = huber_delta_g;
    return r <= d ? 0.5 * r * r : d * (r - 0.5 * d);
}
/* softmax cross-entropy -log softmax(f)_y, via log-sum-exp */
static double loss_softmax(const double *f, int k, int y)
{
    double mx = f[0];
    for (int c = 1; c < k; c++)
        mx = f[c] > mx ? f[c] : mx;
    double s = 0.0;
    for (int c = 0; c < k; c++)
        s += exp(f[c] - mx);
    return mx + log(s) - f[y];
}

typedef double (*loss_fn)(double, double);

static void assert_close(double got, double want, double rel, double abs_tol, const char *what)
{
    double tol = abs_tol + rel * fabs(want);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.10g, want %.10g (tol %.3g)", what, got, want, tol);
}

/* gradient (and, with check_h, hessian) of one scalar objective at the
 * given points against finite differences of w * loss */
static void check_scalar(wn_objective kind, loss_fn loss, const double *fs, int nf, const float *ys,
                         int ny, int check_h)
{
    static const float ws[] = {1.0f, 2.5f, -0.7f, 0.3f};
    wn__objective o = obj(kind, 1, huber_delta_g);
    for (int a = 0; a < nf; a++)
        for (int b = 0; b < ny; b++)
            for (int c = 0; c < 4; c++) {
                double f = fs[a];
                float y = ys[b], w = ws[c];
                float g, h;
                wn__objective_gradients(&o, &y, &w, &f, 1, 1, &g, &h);
                double e = 1e-5;
                double fd = (double)w * (loss(f + e, (double)y) - loss(f - e, (double)y)) / (2 * e);
                char what[128];
                snprintf(what, sizeof what, "%s grad F=%g y=%g w=%g", wn_objective_name(kind), f,
                         (double)y, (double)w);
                assert_close((double)g, fd, 1e-5, 1e-7, what);
                if (check_h) {
                    double e2 = 1e-3;
                    double fd2 = (double)w *
                                 (loss(f + e2, (double)y) - 2 * loss(f, (double)y) +
                                  loss(f - e2, (double)y)) /
                                 (e2 * e2);
                    snprintf(what, sizeof what, "%s hess F=%g y=%g w=%g", wn_objective_name(kind),
                             f, (double)y, (double)w);
                    assert_close((double)h, fd2, 1e-4, 1e-7, what);
                } else {
                    /* L1 and Huber use h = w by contract (Newton step = mean) */
                    assert_true(h == w);
                }
            }
}

static void test_grad_binary(void **state)
{
    (void)state;
    const double fs[] = {-6.0, -3.0, -0.5, 0.0, 0.7, 4.0, 9.0};
    const float ys[] = {0.0f, 1.0f};
    check_scalar(WN_OBJ_BINARY, loss_binary, fs, 7, ys, 2, 1);
}

static void test_grad_regression(void **state)
{
    (void)state;
    const double fs[] = {-2.1, -0.4, 0.05, 0.9, 3.3};
    const float ys[] = {-1.3f, 0.2f, 2.0f};
    check_scalar(WN_OBJ_L2, loss_l2, fs, 5, ys, 3, 1);
    check_scalar(WN_OBJ_L1, loss_l1, fs, 5, ys, 3, 0);
    huber_delta_g = 1.0;
    check_scalar(WN_OBJ_HUBER, loss_huber, fs, 5, ys, 3, 0);
    huber_delta_g = 0.35;
    check_scalar(WN_OBJ_HUBER, loss_huber, fs, 5, ys, 3, 0);
    huber_delta_g = 1.0;
    /* L1 exactly at the label: sign(0) = 0 */
    wn__objective o = obj(WN_OBJ_L1, 1, 1.0);
    double f = 2.0;
    float y = 2.0f, g, h;
    wn__objective_gradients(&o, &y, NULL, &f, 1, 1, &g, &h);
    assert_true(g == 0.0f && h == 1.0f);
}

static void test_grad_multiclass(void **state)
{
    (void)state;
    enum { K = 4, N = 6 };
    double f[N * K];
    float y[N], w[N] = {1.0f, 2.0f, -0.5f, 0.8f, 1.5f, -1.2f};
    wn_rng r = wn_rng_make(5, 0);
    for (int i = 0; i < N; i++) {
        y[i] = (float)(i % K);
        for (int c = 0; c < K; c++)
            f[i * K + c] = 3.0 * wn_rng_normal(&r);
    }
    float g[K * N], h[K * N];
    wn__objective o = obj(WN_OBJ_MULTICLASS, K, 1.0);
    wn__objective_gradients(&o, y, w, f, N, 1, g, h);
    for (int i = 0; i < N; i++)
        for (int c = 0; c < K; c++) {
            double fp[K], fm[K], f0[K];
            memcpy(fp, f + i * K, sizeof fp);
            memcpy(fm, f + i * K, sizeof fm);
            memcpy(f0, f + i * K, sizeof f0);
            double e = 1e-5;
            fp[c] += e;
            fm[c] -= e;
            double wi = (double)w[i];
            double fd =
                wi * (loss_softmax(fp, K, (int)y[i]) - loss_softmax(fm, K, (int)y[i])) / (2 * e);
            assert_close((double)g[c * N + i], fd, 1e-5, 1e-7, "multiclass grad");
            double e2 = 1e-3;
            fp[c] = f0[c] + e2;
            fm[c] = f0[c] - e2;
            double fd2 = wi *
                         (loss_softmax(fp, K, (int)y[i]) - 2 * loss_softmax(f0, K, (int)y[i]) +
                          loss_softmax(fm, K, (int)y[i])) /
                         (e2 * e2);
            assert_close((double)h[c * N + i], fd2, 1e-4, 1e-7, "multiclass hess");
        }
}

/* scores so large that exp overflows if done naively */
static void test_extreme_scores(void **state)
{
    (void)state;
    double f[4] = {-1000.0, 1000.0, -750.0, 750.0};
    float y[4] = {1.0f, 0.0f, 0.0f, 1.0f}, g[4], h[4];
    wn__objective o = obj(WN_OBJ_BINARY, 1, 1.0);
    wn__objective_gradients(&o, y, NULL, f, 4, 1, g, h);
    for (int i = 0; i < 4; i++)
        assert_true(isfinite(g[i]) && isfinite(h[i]) && h[i] > 0.0f);
    assert_true(g[0] == -1.0f && g[1] == 1.0f);
    double mf[2 * 3] = {1000.0, -1000.0, 0.0, -800.0, -800.0, -801.0};
    float my[2] = {1.0f, 2.0f}, mg[6], mh[6];
    wn__objective m = obj(WN_OBJ_MULTICLASS, 3, 1.0);
    wn__objective_gradients(&m, my, NULL, mf, 2, 1, mg, mh);
    for (int i = 0; i < 6; i++)
        assert_true(isfinite(mg[i]) && isfinite(mh[i]) && mh[i] > 0.0f);
    wn__objective_transform(&o, f, 4, 1);
    assert_true(f[0] == 0.0 && f[1] == 1.0);
    wn__objective_transform(&m, mf, 2, 1);
    for (int i = 0; i < 6; i++)
        assert_true(isfinite(mf[i]) && mf[i] >= 0.0 && mf[i] <= 1.0);
    assert_true(mf[0] == 1.0);
    assert_close(mf[3] + mf[4] + mf[5], 1.0, 1e-15, 0, "softmax sum");
    assert_close(mf[3], 1.0 / (2.0 + exp(-1.0)), 1e-14, 0, "softmax value");
}

static void test_transform(void **state)
{
    (void)state;
    double f[5] = {-2.0, -0.1, 0.0, 0.3, 5.0}, f0[5];
    memcpy(f0, f, sizeof f);
    wn__objective o = obj(WN_OBJ_BINARY, 1, 1.0);
    wn__objective_transform(&o, f, 5, 1);
    for (int i = 0; i < 5; i++)
        assert_close(f[i], 1.0 / (1.0 + exp(-f0[i])), 1e-15, 0, "sigmoid");
    enum { K = 5, N = 50 };
    double s[N * K], s0[N * K];
    wn_rng r = wn_rng_make(9, 0);
    for (int i = 0; i < N * K; i++)
        s[i] = s0[i] = 10.0 * wn_rng_normal(&r);
    wn__objective m = obj(WN_OBJ_MULTICLASS, K, 1.0);
    wn__objective_transform(&m, s, N, 1);
    for (int i = 0; i < N; i++) {
        double sum = 0.0;
        for (int c = 0; c < K; c++) {
            sum += s[i * K + c];
            /* ratios are exp of score differences */
            if (c && s[i * K] > 1e-200 && s[i * K + c] > 1e-200)
                assert_close(log(s[i * K + c] / s[i * K]), s0[i * K + c] - s0[i * K], 1e-12, 1e-12,
                             "softmax ratio");
        }
        assert_close(sum, 1.0, 1e-14, 0, "softmax sum");
    }
    /* regression: identity */
    double v[3] = {-1.5, 0.0, 7.25};
    wn__objective l = obj(WN_OBJ_HUBER, 1, 1.0);
    wn__objective_transform(&l, v, 3, 1);
    assert_true(v[0] == -1.5 && v[1] == 0.0 && v[2] == 7.25);
}

/* ---- initial scores ------------------------------------------------------------ */

static double const_loss(wn_objective kind, const float *y, const float *w, int64_t n,
                         const double *base, int k, double delta)
{
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? (double)w[i] : 1.0, l;
        switch (kind) {
        case WN_OBJ_BINARY: l = loss_binary(base[0], (double)y[i]); break;
        case WN_OBJ_MULTICLASS: l = loss_softmax(base, k, (int)y[i]); break;
        case WN_OBJ_L2: l = loss_l2(base[0], (double)y[i]); break;
        case WN_OBJ_L1: l = loss_l1(base[0], (double)y[i]); break;
        default:
            huber_delta_g = delta;
            l = loss_huber(base[0], (double)y[i]);
            break;
        }
        s += wi * l;
    }
    return s;
}

/* base minimises the constant loss: no coordinate moved by +-1e-4 lowers it */
static void check_minimum(wn_objective kind, const float *y, const float *w, int64_t n, int k)
{
    wn__objective o = obj(kind, k, 1.0);
    double base[8];
    WN_OK_OR_FAIL(wn__objective_init(&o, y, w, n, base));
    double l0 = const_loss(kind, y, w, n, base, k, 1.0);
    for (int c = 0; c < k; c++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            double b[8];
            memcpy(b, base, sizeof b);
            b[c] += sgn * 1e-4;
            double l1 = const_loss(kind, y, w, n, b, k, 1.0);
            if (l1 < l0 - 1e-12 * fabs(l0))
                fail_msg("%s: moving base[%d] by %g lowers the loss %.15g -> %.15g",
                         wn_objective_name(kind), c, sgn * 1e-4, l0, l1);
        }
}

static void test_init(void **state)
{
    (void)state;
    enum { N = 1001 };
    static float y01[N], yk[N], yr[N], w[N];
    wn_rng r = wn_rng_make(3, 0);
    double s0 = 0, s1 = 0, sw = 0, swy = 0;
    for (int i = 0; i < N; i++) {
        y01[i] = wn_rng_uniform(&r) < 0.3 ? 1.0f : 0.0f;
        yk[i] = (float)wn_rng_below(&r, 4);
        yr[i] = (float)(2.0 * wn_rng_normal(&r) + 1.0);
        w[i] = (float)(0.1 + wn_rng_uniform(&r));
        if (y01[i] == 1.0f)
            s1 += (double)w[i];
        else
            s0 += (double)w[i];
        sw += (double)w[i];
        swy += (double)w[i] * (double)yr[i];
    }
    check_minimum(WN_OBJ_BINARY, y01, w, N, 1);
    check_minimum(WN_OBJ_BINARY, y01, NULL, N, 1);
    check_minimum(WN_OBJ_MULTICLASS, yk, w, N, 4);
    check_minimum(WN_OBJ_L2, yr, w, N, 1);
    check_minimum(WN_OBJ_L1, yr, w, N, 1);
    check_minimum(WN_OBJ_L1, yr, NULL, N, 1);
    check_minimum(WN_OBJ_L1, yr, NULL, N - 1, 1); /* even count */

    double b[4];
    wn__objective o = obj(WN_OBJ_BINARY, 1, 1.0);
    WN_OK_OR_FAIL(wn__objective_init(&o, y01, w, N, b));
    assert_close(b[0], log(s1 / s0), 1e-14, 0, "binary init");
    o = obj(WN_OBJ_L2, 1, 1.0);
    WN_OK_OR_FAIL(wn__objective_init(&o, yr, w, N, b));
    assert_close(b[0], swy / sw, 1e-14, 1e-15, "l2 init");

    /* weighted medians by hand */
    float ym[4] = {10.0f, 1.0f, 3.0f, 2.0f}, wm[4] = {1.0f, 1.0f, 3.0f, 1.0f};
    o = obj(WN_OBJ_L1, 1, 1.0);
    WN_OK_OR_FAIL(wn__objective_init(&o, ym, NULL, 4, b));
    assert_true(b[0] == 2.5); /* cumulative weight hits exactly half at 2 */
    WN_OK_OR_FAIL(wn__objective_init(&o, ym, wm, 4, b));
    assert_true(b[0] == 3.0);
    o = obj(WN_OBJ_HUBER, 1, 1.0);
    WN_OK_OR_FAIL(wn__objective_init(&o, ym, wm, 4, b));
    assert_true(b[0] == 3.0);
    /* Huber with a negative weight: the weighted mean */
    float wn_[4] = {1.0f, 1.0f, 3.0f, -1.0f};
    WN_OK_OR_FAIL(wn__objective_init(&o, ym, wn_, 4, b));
    assert_close(b[0], (10.0 + 1.0 + 9.0 - 2.0) / 4.0, 1e-15, 0, "huber negative-weight init");
    o = obj(WN_OBJ_L1, 1, 1.0);
    WN_EXPECT_ERR(wn__objective_init(&o, ym, wn_, 4, b), WN_ENUMERIC, "weights");

    /* multiclass: log(S_k / S), an absent class starts at log(1e-12) */
    float yc[5] = {0.0f, 1.0f, 1.0f, 0.0f, 1.0f}, wc[5] = {1.0f, 2.0f, 1.0f, 1.0f, 1.0f};
    o = obj(WN_OBJ_MULTICLASS, 3, 1.0);
    WN_OK_OR_FAIL(wn__objective_init(&o, yc, wc, 5, b));
    assert_close(b[0], log(2.0 / 6.0), 1e-14, 0, "multiclass init 0");
    assert_close(b[1], log(4.0 / 6.0), 1e-14, 0, "multiclass init 1");
    assert_close(b[2], log(1e-12), 1e-14, 0, "multiclass init absent");

    /* weight sums that are not > 0 */
    float yb[3] = {1.0f, 0.0f, 0.0f}, wb[3] = {-1.0f, 1.0f, 1.0f};
    o = obj(WN_OBJ_BINARY, 1, 1.0);
    WN_EXPECT_ERR(wn__objective_init(&o, yb, wb, 3, b), WN_ENUMERIC, "class 1");
    float wz[3] = {1.0f, -1.0f, -1.0f};
    o = obj(WN_OBJ_L2, 1, 1.0);
    WN_EXPECT_ERR(wn__objective_init(&o, yb, wz, 3, b), WN_ENUMERIC, "sum of weights");

    /* allocation failure in the weighted median */
    o = obj(WN_OBJ_L1, 1, 1.0);
    wn__alloc_fail_at(1);
    wn_status s = wn__objective_init(&o, yr, w, N, b);
    wn__alloc_fail_at(0);
    assert_int_equal(s, WN_ENOMEM);
}

/* ---- label checks ----------------------------------------------------------------- */

static void test_check_labels(void **state)
{
    (void)state;
    int k = 0;
    wn__objective b = obj(WN_OBJ_BINARY, 1, 1.0);
    float ok[4] = {0.0f, 1.0f, 1.0f, 0.0f};
    WN_OK_OR_FAIL(wn__objective_check_labels(&b, ok, 4, "y", &k));
    float bad[6] = {0.0f, 1.0f, 2.0f, 3.5f, 2.0f, 1.0f};
    WN_EXPECT_ERR(wn__objective_check_labels(&b, bad, 6, "sig", NULL), WN_EFORMAT, "0, 1, 2, 3.5");
    WN_EXPECT_ERR(wn__objective_check_labels(&b, bad, 6, "sig", NULL), WN_EFORMAT, "'sig'");
    WN_EXPECT_ERR(wn__objective_check_labels(&b, bad, 6, "sig", NULL), WN_EFORMAT, "row 3");
    float many[8] = {5.0f, 6.0f, 7.0f, 8.0f, 9.0f, 10.0f, 0.0f, 1.0f};
    WN_EXPECT_ERR(wn__objective_check_labels(&b, many, 8, "y", NULL), WN_EFORMAT, "5, 6, 7, 8, 9");
    float ones[3] = {1.0f, 1.0f, 1.0f};
    WN_EXPECT_ERR(wn__objective_check_labels(&b, ones, 3, "y", NULL), WN_EFORMAT,
                  "all labels are 1");
    float zeros[2] = {0.0f, 0.0f};
    WN_EXPECT_ERR(wn__objective_check_labels(&b, zeros, 2, "y", NULL), WN_EFORMAT,
                  "all labels are 0");
    float nan3[4] = {0.0f, 1.0f, NAN, 1.0f};
    WN_EXPECT_ERR(wn__objective_check_labels(&b, nan3, 4, "y", NULL), WN_ENUMERIC, "row 3");

    wn__objective m = obj(WN_OBJ_MULTICLASS, 0, 1.0);
    float mc[5] = {0.0f, 3.0f, 1.0f, 1.0f, 2.0f};
    k = 0;
    WN_OK_OR_FAIL(wn__objective_check_labels(&m, mc, 5, "y", &k));
    assert_int_equal(k, 4);
    k = 6;
    WN_OK_OR_FAIL(wn__objective_check_labels(&m, mc, 5, "y", &k));
    assert_int_equal(k, 6);
    k = 3;
    WN_EXPECT_ERR(wn__objective_check_labels(&m, mc, 5, "y", &k), WN_EFORMAT, "row 2");
    assert_int_equal(k, 3);
    k = 0;
    WN_EXPECT_ERR(wn__objective_check_labels(&m, ok, 4, "y", &k), WN_EFORMAT, "use binary");
    assert_int_equal(k, 0);
    k = 2;
    WN_EXPECT_ERR(wn__objective_check_labels(&m, mc, 5, "y", &k), WN_EINVAL, "num_class");
    k = WN_GBDT_MAX_CLASSES + 1;
    WN_EXPECT_ERR(wn__objective_check_labels(&m, mc, 5, "y", &k), WN_EINVAL, "num_class");
    float frac[3] = {0.0f, 1.5f, 2.0f};
    k = 0;
    WN_EXPECT_ERR(wn__objective_check_labels(&m, frac, 3, "y", &k), WN_EFORMAT, "1.5");
    float neg[3] = {0.0f, -1.0f, 2.0f};
    WN_EXPECT_ERR(wn__objective_check_labels(&m, neg, 3, "y", &k), WN_EFORMAT, "-1");
    float huge[2] = {0.0f, 5000.0f};
    WN_EXPECT_ERR(wn__objective_check_labels(&m, huge, 2, "y", &k), WN_EFORMAT, "5000");
    float twos[3] = {2.0f, 2.0f, 2.0f};
    k = 4;
    WN_EXPECT_ERR(wn__objective_check_labels(&m, twos, 3, "y", &k), WN_EFORMAT,
                  "at least 2 classes");
    k = 0;
    WN_EXPECT_ERR(wn__objective_check_labels(&m, nan3, 4, "y", &k), WN_ENUMERIC, "row 3");

    wn__objective l = obj(WN_OBJ_L2, 1, 1.0);
    float reg[3] = {-4.5f, 0.0f, 1e30f};
    WN_OK_OR_FAIL(wn__objective_check_labels(&l, reg, 3, "y", NULL));
    float inf2[3] = {1.0f, INFINITY, 0.0f};
    WN_EXPECT_ERR(wn__objective_check_labels(&l, inf2, 3, "y", NULL), WN_ENUMERIC, "row 2");
    l = obj(WN_OBJ_HUBER, 1, 1.0);
    WN_EXPECT_ERR(wn__objective_check_labels(&l, nan3, 4, "y", NULL), WN_ENUMERIC, "row 3");
}

/* ---- names ------------------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k <= 4; k++) {
        wn_objective o;
        WN_OK_OR_FAIL(wn_objective_parse(wn_objective_name((wn_objective)k), &o));
        assert_int_equal((int)o, k);
    }
    wn_objective o;
    WN_OK_OR_FAIL(wn_objective_parse("regression", &o));
    assert_int_equal(o, WN_OBJ_L2);
    WN_EXPECT_ERR(wn_objective_parse("logistic", &o), WN_EINVAL, "binary, multiclass");
    WN_EXPECT_ERR(wn_objective_parse(NULL, &o), WN_EINVAL, "huber");
    assert_string_equal(wn_objective_name((wn_objective)99), "unknown");
    assert_int_equal(wn__objective_default_metric(WN_OBJ_BINARY), WN_METRIC_LOGLOSS);
    assert_int_equal(wn__objective_default_metric(WN_OBJ_MULTICLASS), WN_METRIC_MLOGLOSS);
    assert_int_equal(wn__objective_default_metric(WN_OBJ_L2), WN_METRIC_RMSE);
    assert_int_equal(wn__objective_default_metric(WN_OBJ_L1), WN_METRIC_MAE);
    assert_int_equal(wn__objective_default_metric(WN_OBJ_HUBER), WN_METRIC_HUBER);
}

/* ---- determinism ------------------------------------------------------------------- */

static void test_threads(void **state)
{
    (void)state;
    const int64_t n = 100000;
    const int K = 3;
    float *y01 = malloc((size_t)n * sizeof *y01), *yk = malloc((size_t)n * sizeof *yk),
          *yr = malloc((size_t)n * sizeof *yr), *w = malloc((size_t)n * sizeof *w);
    double *f = malloc((size_t)(n * K) * sizeof *f), *t1 = malloc((size_t)(n * K) * sizeof *t1),
           *t2 = malloc((size_t)(n * K) * sizeof *t2);
    float *g1 = malloc((size_t)(n * K) * sizeof *g1), *h1 = malloc((size_t)(n * K) * sizeof *h1),
          *g2 = malloc((size_t)(n * K) * sizeof *g2), *h2 = malloc((size_t)(n * K) * sizeof *h2);
    wn_rng r = wn_rng_make(17, 0);
    for (int64_t i = 0; i < n; i++) {
        y01[i] = (float)(wn_rng_uniform(&r) < 0.5);
        yk[i] = (float)wn_rng_below(&r, (uint64_t)K);
        yr[i] = (float)wn_rng_normal(&r);
        w[i] = (float)(wn_rng_uniform(&r) * 2.0 - 0.3);
    }
    for (int64_t i = 0; i < n * K; i++)
        f[i] = 4.0 * wn_rng_normal(&r);
    const wn_objective kinds[5] = {WN_OBJ_BINARY, WN_OBJ_MULTICLASS, WN_OBJ_L2, WN_OBJ_L1,
                                   WN_OBJ_HUBER};
    for (int j = 0; j < 5; j++) {
        int k = kinds[j] == WN_OBJ_MULTICLASS ? K : 1;
        const float *y = kinds[j] == WN_OBJ_BINARY ? y01 : k > 1 ? yk : yr;
        wn__objective o = obj(kinds[j], k, 0.8);
        size_t bytes = (size_t)(n * k) * sizeof(float);
        wn__objective_gradients(&o, y, w, f, n, 1, g1, h1);
        wn__objective_gradients(&o, y, w, f, n, 2, g2, h2);
        assert_memory_equal(g1, g2, bytes);
        assert_memory_equal(h1, h2, bytes);
        memcpy(t1, f, (size_t)(n * k) * sizeof(double));
        memcpy(t2, f, (size_t)(n * k) * sizeof(double));
        wn__objective_transform(&o, t1, n, 1);
        wn__objective_transform(&o, t2, n, 2);
        assert_memory_equal(t1, t2, (size_t)(n * k) * sizeof(double));
    }
    free(y01);
    free(yk);
    free(yr);
    free(w);
    free(f);
    free(t1);
    free(t2);
    free(g1);
    free(h1);
    free(g2);
    free(h2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grad_binary),     cmocka_unit_test(test_grad_regression),
        cmocka_unit_test(test_grad_multiclass), cmocka_unit_test(test_extreme_scores),
        cmocka_unit_test(test_transform),       cmocka_unit_test(test_init),
        cmocka_unit_test(test_check_labels),    cmocka_unit_test(test_names),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
