/* test_roc.c — ROC summary, ROC curve and the KS test: the AUC against
 * wn_metric_eval; curves of a perfect and of a random classifier; the
 * efficiency table on a tiny exact case and on two uniform distributions
 * where it is analytic; AMS and its threshold against a brute-force scan;
 * the bootstrap interval (covers, narrows with n, same bits at any thread
 * count and seed); KS distance against an O(n^2) reference and p-values
 * against the series summed here; and the error cases. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

static void assert_close(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g (tol %g)", what, got, want, tol);
}

/* ---- AUC ------------------------------------------------------------------- */

static void test_auc_matches_metric(void **state)
{
    (void)state;
    enum { N = 3000 };
    static float y[N], w[N];
    static double s[N];
    wn_rng r = wn_rng_make(5, 0);
    for (int trial = 0; trial < 4; trial++) {
        for (int i = 0; i < N; i++) {
            y[i] = wn_rng_uniform(&r) < 0.3 ? 1.0f : 0.0f;
            double v = (double)y[i] + wn_rng_normal(&r);
            s[i] = trial % 2 ? floor(v * 3.0) / 3.0 : v; /* ties */
            double u = wn_rng_uniform(&r);
            w[i] = (float)(trial >= 2 && u < 0.15 ? -0.3 * u : 0.1 + u);
        }
        wn_roc_summary o;
        double want;
        WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, N, 0, 0.68, 1, 1, &o));
        WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, w, s, N, 1, 0.0, &want));
        assert_true(o.auc == want);
        assert_true(isnan(o.auc_lo) && isnan(o.auc_hi));
        WN_OK_OR_FAIL(wn_roc_summarize(y, NULL, s, N, 0, 0.68, 1, 1, &o));
        WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, NULL, s, N, 1, 0.0, &want));
        assert_true(o.auc == want);
    }
}

/* ---- curves ------------------------------------------------------------------ */

static void test_curve_perfect(void **state)
{
    (void)state;
    enum { N = 400 };
    static float y[N];
    static double s[N], es[N + 1], eb[N + 1];
    for (int i = 0; i < N; i++) {
        y[i] = i % 2 ? 1.0f : 0.0f;
        s[i] = (double)y[i] + 0.001 * (double)i; /* every signal above every background */
    }
    int64_t np = -1;
    WN_OK_OR_FAIL(wn_roc_curve(y, NULL, s, N, N + 1, es, eb, &np));
    assert_int_equal(np, N + 1);
    assert_true(es[0] == 0.0 && eb[0] == 0.0 && es[np - 1] == 1.0 && eb[np - 1] == 1.0);
    for (int64_t k = 1; k < np; k++) {
        assert_true(es[k] >= es[k - 1] && eb[k] >= eb[k - 1]);
        if (es[k] < 1.0)
            assert_true(eb[k] == 0.0);
    }
    /* thinned: still from (0,0) to (1,1), never more than asked */
    WN_OK_OR_FAIL(wn_roc_curve(y, NULL, s, N, 11, es, eb, &np));
    assert_true(np >= 2 && np <= 11);
    assert_true(es[0] == 0.0 && eb[0] == 0.0 && es[np - 1] == 1.0 && eb[np - 1] == 1.0);
    for (int64_t k = 1; k < np - 1; k++)
        assert_true(eb[k] == 0.0);
    WN_OK_OR_FAIL(wn_roc_curve(y, NULL, s, N, 2, es, eb, &np));
    assert_int_equal(np, 2);

    wn_roc_summary o;
    WN_OK_OR_FAIL(wn_roc_summarize(y, NULL, s, N, 0, 0.68, 1, 1, &o));
    assert_true(o.auc == 1.0);
    for (int k = 0; k < 3; k++) {
        assert_true(o.sig_eff_at_bkg[k] == 1.0);
        assert_true(o.bkg_rej_at_sig[k] == 1.0);
    }
}

static void test_curve_random(void **state)
{
    (void)state;
    enum { N = 100000, M = 101 };
    float *y = malloc(N * sizeof *y);
    double *s = malloc(N * sizeof *s), es[M], eb[M];
    assert_non_null(y);
    assert_non_null(s);
    wn_rng r = wn_rng_make(77, 0);
    for (int i = 0; i < N; i++) {
        y[i] = wn_rng_uniform(&r) < 0.5 ? 1.0f : 0.0f;
        s[i] = wn_rng_uniform(&r);
    }
    int64_t np = 0;
    WN_OK_OR_FAIL(wn_roc_curve(y, NULL, s, N, M, es, eb, &np));
    assert_true(np > 90 && np <= M);
    assert_true(es[0] == 0.0 && eb[0] == 0.0 && es[np - 1] == 1.0 && eb[np - 1] == 1.0);
    for (int64_t k = 0; k < np; k++) {
        assert_close(eb[k], es[k], 0.01, "random classifier on the diagonal");
        if (k > 0 && k < np - 1) /* equal steps of eff_S: the first point past k/(M-1) */
            assert_close(es[k], (double)k / (M - 1), 1e-3, "eff_S step");
    }
    wn_roc_summary o;
    WN_OK_OR_FAIL(wn_roc_summarize(y, NULL, s, N, 0, 0.68, 1, 1, &o));
    assert_close(o.auc, 0.5, 0.01, "random auc");
    free(y);
    free(s);
}

/* a curve with fewer points than asked: every threshold, exactly */
static void test_curve_exact(void **state)
{
    (void)state;
    float y[5] = {1.0f, 0.0f, 1.0f, 0.0f, 1.0f};
    double s[5] = {0.9, 0.8, 0.8, 0.3, 0.1}, es[10], eb[10];
    double wes[5] = {0.0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1.0}, web[5] = {0.0, 0.0, 0.5, 1.0, 1.0};
    int64_t np = 0;
    WN_OK_OR_FAIL(wn_roc_curve(y, NULL, s, 5, 10, es, eb, &np));
    assert_int_equal(np, 5);
    for (int k = 0; k < 5; k++) {
        assert_close(es[k], wes[k], 1e-15, "eff_S");
        assert_close(eb[k], web[k], 1e-15, "eff_B");
    }
    wn_roc_summary o;
    WN_OK_OR_FAIL(wn_roc_summarize(y, NULL, s, 5, 0, 0.68, 1, 1, &o));
    /* the first background step is 0.5: no eff_B target is resolved */
    for (int k = 0; k < 3; k++)
        assert_true(isnan(o.sig_eff_at_bkg[k]));
    /* 0.3 inside the first signal step, which is pure signal: exact */
    assert_true(o.bkg_rej_at_sig[0] == 1.0);
    assert_close(o.bkg_rej_at_sig[1], 0.75, 1e-15, "rej at 0.5, half way to (2/3, 1/2)");
    assert_close(o.bkg_rej_at_sig[2], 0.0, 1e-15, "rej at 0.7");
}

/* ---- efficiency table ----------------------------------------------------------- */

static void test_efficiency_exact(void **state)
{
    (void)state;
    /* background at i/20 + 0.01 (i = 0..19), signal at j/10 + 0.05 (j = 0..9) */
    float y[30];
    double s[30];
    for (int i = 0; i < 20; i++) {
        y[i] = 0.0f;
        s[i] = i / 20.0 + 0.01;
    }
    for (int j = 0; j < 10; j++) {
        y[20 + j] = 1.0f;
        s[20 + j] = j / 10.0 + 0.05;
    }
    wn_roc_summary o;
    WN_OK_OR_FAIL(wn_roc_summarize(y, NULL, s, 30, 0, 0.68, 1, 1, &o));
    /* eff_B = 0.1: the two top background rows (0.96, 0.91) and signal 0.95 */
    assert_close(o.sig_eff_at_bkg[0], 0.1, 1e-12, "eff_S at eff_B 0.1");
    /* 0.01 and 0.001 lie inside the first background step (0.05), a row
     * with no signal beside it: eff_S is 0 for any fraction of it */
    assert_true(o.sig_eff_at_bkg[1] == 0.0 && o.sig_eff_at_bkg[2] == 0.0);
    /* give the top row a signal partner: now the step is not resolved */
    y[29] = 1.0f; /* signal at 0.95 -> 0.96, tied with the top background */
    s[29] = 0.96;
    WN_OK_OR_FAIL(wn_roc_summarize(y, NULL, s, 30, 0, 0.68, 1, 1, &o));
    assert_true(isnan(o.sig_eff_at_bkg[1]) && isnan(o.sig_eff_at_bkg[2]));
    /* eff_S 0.3 / 0.5 / 0.7: cuts at 0.75 / 0.55 / 0.35 pass 5 / 9 / 13 of 20 */
    assert_close(o.bkg_rej_at_sig[0], 0.75, 1e-12, "rej at 0.3");
    assert_close(o.bkg_rej_at_sig[1], 0.55, 1e-12, "rej at 0.5");
    assert_close(o.bkg_rej_at_sig[2], 0.35, 1e-12, "rej at 0.7");
}

static void test_efficiency_uniform(void **state)
{
    (void)state;
    /* signal ~ U(0.5, 1.5), background ~ U(0, 1): eff_B = e at cut 1 - e,
     * where eff_S = 1.5 - (1 - e) = 0.5 + e; eff_S = x at cut 1.5 - x,
     * eff_B = max(0, x - 0.5) */
    enum { N = 200000 };
    float *y = malloc(N * sizeof *y);
    double *s = malloc(N * sizeof *s);
    assert_non_null(y);
    assert_non_null(s);
    wn_rng r = wn_rng_make(9, 3);
    for (int i = 0; i < N; i++) {
        y[i] = (float)(i % 2);
        s[i] = wn_rng_uniform(&r) + (i % 2 ? 0.5 : 0.0);
    }
    wn_roc_summary o;
    WN_OK_OR_FAIL(wn_roc_summarize(y, NULL, s, N, 0, 0.68, 1, 1, &o));
    assert_close(o.sig_eff_at_bkg[0], 0.6, 0.006, "eff_S at 0.1");
    assert_close(o.sig_eff_at_bkg[1], 0.51, 0.006, "eff_S at 0.01");
    assert_close(o.sig_eff_at_bkg[2], 0.501, 0.006, "eff_S at 0.001");
    assert_close(o.bkg_rej_at_sig[0], 1.0, 1e-12, "rej at 0.3");
    assert_close(o.bkg_rej_at_sig[1], 1.0, 0.006, "rej at 0.5");
    assert_close(o.bkg_rej_at_sig[2], 0.8, 0.006, "rej at 0.7");
    assert_close(o.auc, 0.875, 0.005, "auc of the two uniforms");
    free(y);
    free(s);
}

/* ---- AMS, Brier, accuracy ----------------------------------------------------------- */

static double ams_of(double s, double b)
{
    double br = b + 10.0;
    return sqrt(2.0 * ((s + br) * log(1.0 + s / br) - s));
}

static void ams_above(const float *y, const float *w, const double *sc, int n, double t, double *s,
                      double *b)
{
    *s = *b = 0.0;
    for (int i = 0; i < n; i++)
        if (sc[i] > t) {
            if (y[i] == 1.0f)
                *s += (double)w[i];
            else
                *b += (double)w[i];
        }
}

static void test_ams(void **state)
{
    (void)state;
    enum { N = 8 };
    float y[N] = {1, 1, 0, 1, 0, 0, 1, 0};
    float w[N] = {5, 3, 20, 2, 40, 100, 4, 1};
    double sc[N] = {0.9, 0.8, 0.7, 0.6, 0.5, 0.1, 0.5, 0.95};
    double best = -1.0, s, b;
    ams_above(y, w, sc, N, -HUGE_VAL, &s, &b);
    best = ams_of(s, b);
    for (int k = 0; k < N; k++) {
        ams_above(y, w, sc, N, sc[k], &s, &b);
        if (s > 0.0 && ams_of(s, b) > best)
            best = ams_of(s, b);
    }
    wn_roc_summary o;
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, sc, N, 0, 0.68, 1, 1, &o));
    assert_close(o.ams, best, 1e-12, "ams");
    ams_above(y, w, sc, N, o.ams_threshold, &s, &b);
    assert_close(ams_of(s, b), best, 1e-12, "ams at the reported threshold");
    /* hand check: the best cut keeps 0.95, 0.9, 0.8 (s = 8, b = 1; AMS 2.18):
     * going down to 0.7 adds 20 background (1.39), to 0.5 another 40 */
    assert_true(o.ams_threshold > 0.7 && o.ams_threshold < 0.8);
    assert_close(o.ams, ams_of(8.0, 1.0), 1e-12, "ams by hand");
}

static void test_brier_accuracy(void **state)
{
    (void)state;
    float y[4] = {1, 0, 1, 0}, w[4] = {1, 2, 3, 4};
    double s[4] = {0.9, 0.6, 0.5, 0.2};
    wn_roc_summary o;
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, 4, 0, 0.68, 1, 1, &o));
    double brier = (1 * 0.01 + 2 * 0.36 + 3 * 0.25 + 4 * 0.04) / 10.0;
    assert_close(o.brier, brier, 1e-12, "brier");
    /* right: row 1 (0.9 > 0.5) and row 4; 0.5 is class 0, so row 3 is wrong */
    assert_close(o.accuracy, 0.5, 1e-12, "accuracy");
}

/* ---- bootstrap ------------------------------------------------------------------- */

static void make_sample(int n, uint64_t seed, float *y, float *w, double *s)
{
    wn_rng r = wn_rng_make(seed, 0);
    for (int i = 0; i < n; i++) {
        y[i] = wn_rng_uniform(&r) < 0.4 ? 1.0f : 0.0f;
        s[i] = 0.8 * (double)y[i] + wn_rng_normal(&r);
        w[i] = (float)(0.5 + wn_rng_uniform(&r));
    }
}

static void test_bootstrap(void **state)
{
    (void)state;
    enum { NBIG = 20000 };
    float *y = malloc(NBIG * sizeof *y), *w = malloc(NBIG * sizeof *w);
    double *s = malloc(NBIG * sizeof *s);
    assert_true(y && w && s);
    wn_roc_summary a, b, c;
    make_sample(1000, 4, y, w, s);
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, 1000, 300, 0.68, 42, 1, &a));
    assert_true(a.auc_lo < a.auc && a.auc < a.auc_hi);
    double small = a.auc_hi - a.auc_lo;
    /* the same seed: the same bits, at any thread count */
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, 1000, 300, 0.68, 42, 2, &b));
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, 1000, 300, 0.68, 42, 3, &c));
    memset(&a, 0, sizeof a);
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, 1000, 300, 0.68, 42, 1, &a));
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&a, &c, sizeof a);
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, 1000, 300, 0.68, 43, 1, &b));
    assert_true(b.auc_lo != a.auc_lo || b.auc_hi != a.auc_hi);
    /* a wider level, a wider interval */
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, 1000, 300, 0.95, 42, 2, &b));
    assert_true(b.auc_lo <= a.auc_lo && b.auc_hi >= a.auc_hi);
    /* 20x the rows: about sqrt(20) = 4.5x narrower */
    make_sample(NBIG, 4, y, w, s);
    WN_OK_OR_FAIL(wn_roc_summarize(y, w, s, NBIG, 200, 0.68, 42, 2, &a));
    assert_true(a.auc_lo < a.auc && a.auc < a.auc_hi);
    double big = a.auc_hi - a.auc_lo;
    if (!(big < small / 2.5 && big > small / 10.0))
        fail_msg("interval widths %g (n = 1000) and %g (n = %d)", small, big, NBIG);
    free(y);
    free(w);
    free(s);
}

/* ---- Kolmogorov-Smirnov -------------------------------------------------------------- */

static double ks_brute(const double *a, const float *wa, int na, const double *b, const float *wb,
                       int nb)
{
    double ta = 0.0, tb = 0.0, d = 0.0;
    for (int i = 0; i < na; i++)
        ta += wa ? (double)wa[i] : 1.0;
    for (int j = 0; j < nb; j++)
        tb += wb ? (double)wb[j] : 1.0;
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < (pass ? nb : na); k++) {
            double x = pass ? b[k] : a[k], fa = 0.0, fb = 0.0;
            for (int i = 0; i < na; i++)
                if (a[i] <= x)
                    fa += wa ? (double)wa[i] : 1.0;
            for (int j = 0; j < nb; j++)
                if (b[j] <= x)
                    fb += wb ? (double)wb[j] : 1.0;
            double v = fabs(fa / ta - fb / tb);
            if (v > d)
                d = v;
        }
    return d;
}

/* the alternating series, summed long past convergence */
static double q_ks_ref(double lambda)
{
    double sum = 0.0;
    for (int j = 1; j <= 400; j++)
        sum += (j % 2 ? 2.0 : -2.0) * exp(-2.0 * j * j * lambda * lambda);
    return sum;
}

static void test_ks_basic(void **state)
{
    (void)state;
    enum { N = 5000 };
    static double a[N], b[N];
    double d, p;
    wn_rng r = wn_rng_make(11, 0);
    for (int i = 0; i < N; i++)
        a[i] = wn_rng_normal(&r);
    WN_OK_OR_FAIL(wn_ks_test(a, NULL, N, a, NULL, N, &d, &p));
    assert_true(d == 0.0 && p == 1.0);
    for (int i = 0; i < N; i++)
        b[i] = wn_rng_normal(&r) + 0.3;
    WN_OK_OR_FAIL(wn_ks_test(a, NULL, N, b, NULL, N, &d, &p));
    if (!(p < 1e-6 && d > 0.05))
        fail_msg("shifted normals: D = %g, p = %g", d, p);
    for (int i = 0; i < N; i++)
        b[i] = wn_rng_normal(&r);
    WN_OK_OR_FAIL(wn_ks_test(a, NULL, N, b, NULL, N, &d, &p));
    if (!(p > 0.01))
        fail_msg("same distribution: D = %g, p = %g", d, p);

    /* a = 0..99, b = a + k: D = k/100, ne = 50; both series branches */
    double x[100], z[100];
    int ks[3] = {5, 17, 20};
    for (int t = 0; t < 3; t++) {
        for (int i = 0; i < 100; i++) {
            x[i] = i;
            z[i] = i + ks[t];
        }
        WN_OK_OR_FAIL(wn_ks_test(x, NULL, 100, z, NULL, 100, &d, &p));
        assert_close(d, ks[t] / 100.0, 1e-15, "D of shifted grids");
        double lam = (sqrt(50.0) + 0.12 + 0.11 / sqrt(50.0)) * d;
        assert_close(p, q_ks_ref(lam), 1e-12, "p-value");
    }
}

static void test_ks_brute_and_weights(void **state)
{
    (void)state;
    enum { NA = 300, NB = 250 };
    static double a[NA], b[NB], ar[4 * NA];
    static float wa[NA], wb[NB];
    wn_rng r = wn_rng_make(12, 0);
    for (int trial = 0; trial < 3; trial++) {
        for (int i = 0; i < NA; i++) {
            a[i] = floor(wn_rng_normal(&r) * 5.0) / 5.0; /* ties within and across samples */
            double u = wn_rng_uniform(&r);
            wa[i] = (float)(trial == 2 && u < 0.1 ? -0.2 : 0.2 + u);
        }
        for (int j = 0; j < NB; j++) {
            b[j] = floor((wn_rng_normal(&r) + 0.2) * 5.0) / 5.0;
            wb[j] = (float)(0.5 + wn_rng_uniform(&r));
        }
        double d, p;
        WN_OK_OR_FAIL(wn_ks_test(a, wa, NA, b, wb, NB, &d, &p));
        assert_close(d, ks_brute(a, wa, NA, b, wb, NB), 1e-12, "weighted D");
        assert_true(p >= 0.0 && p <= 1.0);
        WN_OK_OR_FAIL(wn_ks_test(a, NULL, NA, b, NULL, NB, &d, &p));
        assert_close(d, ks_brute(a, NULL, NA, b, NULL, NB), 1e-12, "unweighted D");
    }
    /* integer weights 1..4 == rows repeated that often */
    int m = 0;
    for (int i = 0; i < NA; i++) {
        wa[i] = (float)(1 + i % 4);
        for (int k = 0; k <= i % 4; k++)
            ar[m++] = a[i];
    }
    double d1, d2, p;
    WN_OK_OR_FAIL(wn_ks_test(a, wa, NA, b, NULL, NB, &d1, &p));
    WN_OK_OR_FAIL(wn_ks_test(ar, NULL, m, b, NULL, NB, &d2, &p));
    assert_true(d1 == d2);
}

/* ---- errors ----------------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    float y[4] = {0, 1, 0, 1}, w[4] = {1, 1, 1, 1};
    double s[4] = {0.1, 0.2, 0.3, 0.4}, es[4], eb[4];
    wn_roc_summary o;
    memset(&o, 0x5a, sizeof o);
    wn_roc_summary keep = o;
    int64_t np = -7;

    y[2] = 2.0f;
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, 0, 0.68, 1, 1, &o), WN_EFORMAT, "row 3");
    WN_EXPECT_ERR(wn_roc_curve(y, w, s, 4, 4, es, eb, &np), WN_EFORMAT, "must be 0 or 1");
    y[2] = 0.0f;
    s[1] = (double)NAN;
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, 0, 0.68, 1, 1, &o), WN_ENUMERIC,
                  "score of row 2 is NaN");
    s[1] = 0.2;
    w[3] = (float)NAN;
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, 0, 0.68, 1, 1, &o), WN_ENUMERIC, "weight of row 4");
    w[3] = -1.0f; /* signal total 0 */
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, 0, 0.68, 1, 1, &o), WN_ENUMERIC, "must be > 0");
    WN_EXPECT_ERR(wn_roc_curve(y, w, s, 4, 4, es, eb, &np), WN_ENUMERIC, "must be > 0");
    w[3] = 1.0f;
    float all0[4] = {0, 0, 0, 0};
    WN_EXPECT_ERR(wn_roc_summarize(all0, NULL, s, 4, 0, 0.68, 1, 1, &o), WN_ENUMERIC, "signal");
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 1, 0, 0.68, 1, 1, &o), WN_EINVAL, "at least 2");
    WN_EXPECT_ERR(wn_roc_curve(y, w, s, 1, 4, es, eb, &np), WN_EINVAL, "at least 2");
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, 10, 0.0, 1, 1, &o), WN_EINVAL, "level");
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, 10, 1.0, 1, 1, &o), WN_EINVAL, "level");
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, 10, (double)NAN, 1, 1, &o), WN_EINVAL, "level");
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, -1, 0.68, 1, 1, &o), WN_EINVAL, "nboot");
    WN_EXPECT_ERR(wn_roc_summarize(NULL, w, s, 4, 0, 0.68, 1, 1, &o), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn_roc_summarize(y, w, s, 4, 0, 0.68, 1, 1, NULL), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn_roc_curve(y, w, s, 4, 1, es, eb, &np), WN_EINVAL, "max_points");
    WN_EXPECT_ERR(wn_roc_curve(y, w, s, 4, 4, NULL, eb, &np), WN_EINVAL, "NULL");
    assert_memory_equal(&o, &keep, sizeof o); /* untouched on failure */
    assert_int_equal(np, -7);

    double d = 7.0, p = 7.0;
    WN_EXPECT_ERR(wn_ks_test(s, NULL, 0, s, NULL, 4, &d, &p), WN_EINVAL, "at least 1");
    WN_EXPECT_ERR(wn_ks_test(s, NULL, 4, NULL, NULL, 4, &d, &p), WN_EINVAL, "NULL");
    s[2] = (double)NAN;
    WN_EXPECT_ERR(wn_ks_test(s, NULL, 4, s, NULL, 2, &d, &p), WN_ENUMERIC, "row 3 of sample a");
    s[2] = 0.3;
    float neg[4] = {1, -2, 0.5f, 0};
    WN_EXPECT_ERR(wn_ks_test(s, NULL, 4, s, neg, 4, &d, &p), WN_ENUMERIC, "sample b");
    assert_true(d == 7.0 && p == 7.0);
}

/* every allocation failure is reported, and frees what it took */
static void test_alloc_failures(void **state)
{
    (void)state;
    enum { N = 200 };
    float y[N], w[N];
    double s[N], es[N + 1], eb[N + 1];
    make_sample(N, 8, y, w, s);
    for (int64_t k = 1; k < 40; k++) {
        wn_roc_summary o;
        int64_t np;
        double d, p;
        wn__alloc_fail_at(k);
        wn_status a = wn_roc_summarize(y, w, s, N, 5, 0.68, 1, 2, &o);
        wn__alloc_fail_at(k);
        wn_status b = wn_roc_curve(y, w, s, N, 10, es, eb, &np);
        wn__alloc_fail_at(k);
        wn_status c = wn_ks_test(s, w, N, s, NULL, N / 2, &d, &p);
        wn__alloc_fail_at(0);
        assert_true(a == WN_OK || a == WN_ENOMEM);
        assert_true(b == WN_OK || b == WN_ENOMEM);
        assert_true(c == WN_OK || c == WN_ENOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auc_matches_metric),
        cmocka_unit_test(test_curve_perfect),
        cmocka_unit_test(test_curve_random),
        cmocka_unit_test(test_curve_exact),
        cmocka_unit_test(test_efficiency_exact),
        cmocka_unit_test(test_efficiency_uniform),
        cmocka_unit_test(test_ams),
        cmocka_unit_test(test_brier_accuracy),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_ks_basic),
        cmocka_unit_test(test_ks_brute_and_weights),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
