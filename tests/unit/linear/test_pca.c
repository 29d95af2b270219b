/* test_pca.c — PCA (src/linear/pca.c, pca_io.c, pca_kernel.c).
 *
 * Properties, not stored outputs (STYLE rule 9): PCA of a rotated
 * anisotropic Gaussian recovers the rotation and the variances (Pearson
 * 1901; Jolliffe 2002); the fast covariance pass and eigen-decomposition
 * agree with a naive two-pass covariance and LAPACK's plain dsyev; the SIMD
 * kernels agree with the obvious loops; a weight of 2 is a duplicated row;
 * whitened scores have unit variance; transform then inverse is the
 * identity with every component; the reconstruction error is the squared
 * distance to the principal subspace; results are bit-identical at any
 * thread count and on a view. Every bad input is refused with a message
 * that names the culprit. The model file is tested in test_pca_io.c. */
#include "wn_test.h"

#include "core.h"
#include "linear/pca.h"
#include "pca_test_util.h"

#include <lapacke.h>
#include <math.h>

/* ---- the rotated Gaussian, and the slow reference ---- */

static void test_rotated_gaussian(void **state)
{
    (void)state;
    enum { D = 5 };
    const int64_t n = 40000;
    double Q[D * D], sd[D] = {3, 2, 1, 0.5, 0.25}, mu[D] = {10, -5, 1000, 0, 3};
    random_rotation(D, Q);
    double *X = gaussian_data(n, D, Q, sd, mu);
    wn_table *t = make_table(X, n, D, NULL);
    wn_pca *m = fit(t, 3, 0, 0, 2);
    assert_int_equal(wn_pca_num_components(m), 3);
    assert_int_equal(wn_pca_num_features(m), D);
    assert_int_equal(wn_pca_num_rows(m), n);
    assert_int_equal(wn_pca_num_dropped(m), 0);
    assert_string_equal(wn_pca_feature_name(m, 2), "x2");
    assert_null(wn_pca_feature_name(m, D));
    const double *c = wn_pca_components(m), *v = wn_pca_variance(m), *mean = wn_pca_mean(m);
    for (int k = 0; k < 3; k++) {
        double dt = dotv(c + k * D, Q + k * D, D);
        if (!(fabs(dt) > 0.999))
            fail_msg("component %d: |dot| with the true axis = %.6f", k, fabs(dt));
        assert_true(fabs(dotv(c + k * D, c + k * D, D) - 1) < 1e-12);
    }
    for (int k = 0; k < D; k++) {
        double want = sd[k] * sd[k];
        if (!(fabs(v[k] / want - 1) < 0.04))
            fail_msg("variance %d: %.5f, want %.5f", k, v[k], want);
    }
    for (int f = 0; f < D; f++)
        assert_true(fabs(mean[f] - mu[f]) < 0.05);

    /* reference: naive two-pass covariance of the float data, LAPACK dsyev */
    double ref_mean[D] = {0}, C[D * D] = {0}, ev[D];
    for (int64_t i = 0; i < n; i++)
        for (int f = 0; f < D; f++)
            ref_mean[f] += (double)(float)X[i * D + f] / (double)n;
    for (int64_t i = 0; i < n; i++)
        for (int a = 0; a < D; a++)
            for (int b = 0; b < D; b++)
                C[a * D + b] += ((double)(float)X[i * D + a] - ref_mean[a]) *
                                ((double)(float)X[i * D + b] - ref_mean[b]) / (double)(n - 1);
    assert_int_equal(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', D, C, D, ev), 0);
    for (int k = 0; k < D; k++) {
        double want = ev[D - 1 - k];
        if (!(fabs(v[k] - want) <= 1e-9 * want))
            fail_msg("variance %d: %.17g, reference %.17g", k, v[k], want);
    }
    for (int f = 0; f < D; f++)
        assert_true(fabs(mean[f] - ref_mean[f]) <= 1e-9 * (1 + fabs(mu[f])));
    for (int k = 0; k < 3; k++) {
        double col[D], dt = 0;
        for (int f = 0; f < D; f++)
            col[f] = C[f * D + (D - 1 - k)];
        dt = dotv(c + k * D, col, D);
        assert_true(fabs(fabs(dt) - 1) < 1e-8);
        /* sign convention: the largest-magnitude entry is positive */
        int big = 0;
        for (int f = 1; f < D; f++)
            if (fabs(c[k * D + f]) > fabs(c[k * D + big]))
                big = f;
        assert_true(c[k * D + big] > 0);
    }
    /* explained fractions come from every eigenvalue */
    double tot = 0;
    for (int k = 0; k < D; k++)
        tot += v[k];
    assert_true(fabs(v[0] / tot - 9 / 14.3125) < 0.02);
    assert_non_null(strstr(wn_pca_header(m), "\"kind\": \"pca\""));
    wn_pca_free(m);
    wn_table_free(t);
    free(X);
}

/* The SIMD kernels against the obvious loops. */
static void test_kernels(void **state)
{
    (void)state;
    enum { B = WN__PCA_BLOCK, DMAX = 9 };
    double *z = calloc((size_t)(DMAX + 3) * B, sizeof(double));
    double m_ref[DMAX * DMAX], m_a[DMAX * DMAX], m_b[DMAX * DMAX];
    const int64_t sizes[4] = {1, 13, 100, B};
    for (int d = 1; d <= DMAX; d += 3)
        for (int si = 0; si < 4; si++) {
            int64_t nr = sizes[si];
            memset(z, 0, sizeof(double) * (size_t)(DMAX + 3) * B);
            for (int f = 0; f < d; f++)
                for (int64_t r = 0; r < nr; r++)
                    z[f * B + r] = gauss();
            for (int i = 0; i < d; i++)
                for (int j = i; j < d; j++) {
                    double s = 0;
                    for (int64_t r = 0; r < nr; r++)
                        s += z[i * B + r] * z[j * B + r];
                    m_ref[i * d + j] = s;
                }
            wn__pca_xprod(z, d, nr, m_a, 0);
            wn__pca_xprod(z, d, nr, m_b, wn__pca_simd());
            for (int i = 0; i < d; i++)
                for (int j = i; j < d; j++) {
                    double tol = 1e-12 * (double)nr * 10;
                    assert_true(fabs(m_a[i * d + j] - m_ref[i * d + j]) <= tol);
                    assert_true(fabs(m_b[i * d + j] - m_ref[i * d + j]) <= tol);
                }
        }
    /* projection with residual */
    enum { D = 7, K = 3 };
    double V[K * D], *y = malloc(sizeof(double) * D * B), *y2 = malloc(sizeof(double) * D * B);
    double *s1 = malloc(sizeof(double) * K * B), *s2 = malloc(sizeof(double) * K * B);
    double rec1[B], rec2[B];
    for (int i = 0; i < K * D; i++)
        V[i] = gauss();
    for (int i = 0; i < D * B; i++)
        y[i] = y2[i] = gauss();
    double ref_s[B / 37 + 1][K], ref_rec[B / 37 + 1];
    for (int r = 0, q = 0; r < B; r += 37, q++) { /* the obvious loops, some rows */
        double res[D];
        for (int f = 0; f < D; f++)
            res[f] = y[f * B + r];
        for (int j = 0; j < K; j++) {
            ref_s[q][j] = 0;
            for (int f = 0; f < D; f++)
                ref_s[q][j] += V[j * D + f] * y[f * B + r];
        }
        ref_rec[q] = 0;
        for (int f = 0; f < D; f++) {
            for (int j = 0; j < K; j++)
                res[f] -= ref_s[q][j] * V[j * D + f];
            ref_rec[q] += res[f] * res[f];
        }
    }
    wn__pca_project(V, D, K, y, s1, rec1, 0);
    wn__pca_project(V, D, K, y2, s2, rec2, wn__pca_simd());
    for (int i = 0; i < K * B; i++)
        assert_true(fabs(s1[i] - s2[i]) <= 1e-12 * (1 + fabs(s1[i])));
    for (int r = 0; r < B; r++)
        assert_true(fabs(rec1[r] - rec2[r]) <= 1e-12 * (1 + rec1[r]));
    for (int r = 0, q = 0; r < B; r += 37, q++) {
        for (int j = 0; j < K; j++)
            assert_true(fabs(s1[j * B + r] - ref_s[q][j]) <= 1e-12 * (1 + fabs(ref_s[q][j])));
        assert_true(fabs(rec1[r] - ref_rec[q]) <= 1e-12 * (1 + ref_rec[q]));
    }
    free(z), free(y), free(y2), free(s1), free(s2);
}

/* ---- weights, standardize, whiten, inverse, reconstruction ---- */

static void test_weights_duplicate(void **state)
{
    (void)state;
    enum { D = 4 };
    const int64_t n = 3000, ndup = 200;
    double Q[D * D], sd[D] = {2, 1.5, 1, 0.3}, mu[D] = {1, 2, 3, 4};
    random_rotation(D, Q);
    double *X = gaussian_data(n, D, Q, sd, mu);
    double *w = malloc(sizeof(double) * (size_t)n);
    double *X2 = malloc(sizeof(double) * (size_t)((n + ndup) * D));
    memcpy(X2, X, sizeof(double) * (size_t)(n * D));
    for (int64_t i = 0; i < n; i++)
        w[i] = i < ndup ? 2 : 1;
    memcpy(X2 + n * D, X, sizeof(double) * (size_t)(ndup * D));
    wn_table *tw = make_table(X, n, D, w), *td = make_table(X2, n + ndup, D, NULL);
    wn_pca *mw = fit(tw, 0, 0, 0, 2), *md = fit(td, 0, 0, 0, 2);
    assert_int_equal(wn_pca_num_rows(mw), n);
    assert_int_equal(wn_pca_num_rows(md), n + ndup);
    for (int f = 0; f < D; f++)
        assert_true(fabs(wn_pca_mean(mw)[f] - wn_pca_mean(md)[f]) < 1e-10);
    for (int i = 0; i < D * D; i++)
        assert_true(fabs(wn_pca_components(mw)[i] - wn_pca_components(md)[i]) < 1e-10);
    /* the denominators differ by design: sum(w) - sum(w^2)/sum(w) against N - 1 */
    double W = (double)(n + ndup), W2 = (double)(n - ndup) + 4.0 * (double)ndup;
    double den_w = W - W2 / W, den_d = W - 1;
    for (int k = 0; k < D; k++) {
        double a = wn_pca_variance(mw)[k] * den_w, b = wn_pca_variance(md)[k] * den_d;
        assert_true(fabs(a - b) <= 1e-10 * b);
    }
    wn_pca_free(mw), wn_pca_free(md);
    wn_table_free(tw), wn_table_free(td);
    free(X), free(X2), free(w);
}

static void test_standardize_whiten_inverse(void **state)
{
    (void)state;
    enum { D = 3 };
    const int64_t n = 5000;
    double *X = malloc(sizeof(double) * (size_t)(n * D));
    for (int64_t i = 0; i < n; i++) { /* correlation 0.6 between x0 and x1 */
        double a = gauss(), b = gauss();
        X[i * D + 0] = 0.01 * a + 5;
        X[i * D + 1] = 1000 * (0.6 * a + 0.8 * b) + 5000;
        X[i * D + 2] = 3 * gauss() - 7;
    }
    wn_table *t = make_table(X, n, D, NULL);
    wn_pca *m = fit(t, 0, 1, 1, 2);
    assert_non_null(strstr(wn_pca_header(m), "\"standardized\": true"));
    const double *v = wn_pca_variance(m), *c = wn_pca_components(m);
    /* standardized: eigenvalues of the correlation matrix, ~1.6, 1, 0.4 */
    assert_true(fabs(v[0] - 1.6) < 0.06 && fabs(v[1] - 1) < 0.06 && fabs(v[2] - 0.4) < 0.06);
    assert_true(fabs(fabs(c[0]) - sqrt(0.5)) < 0.02 && fabs(fabs(c[1]) - sqrt(0.5)) < 0.02);
    /* whitened scores have unit variance and zero mean */
    double *s = malloc(sizeof(double) * (size_t)(n * D)), *rec = malloc(sizeof(double) * (size_t)n);
    WN_OK_OR_FAIL(wn_pca_transform(m, t, 0, 2, s, rec));
    for (int k = 0; k < D; k++) {
        double mu = 0, var = 0;
        for (int64_t i = 0; i < n; i++)
            mu += s[i * D + k] / (double)n;
        for (int64_t i = 0; i < n; i++)
            var += (s[i * D + k] - mu) * (s[i * D + k] - mu) / (double)(n - 1);
        assert_true(fabs(mu) < 1e-9);
        if (!(fabs(var - 1) < 1e-9))
            fail_msg("whitened component %d has variance %.12f", k, var);
    }
    /* all components: inverse(transform(x)) = x in the original units */
    double *xb = malloc(sizeof(double) * (size_t)(n * D));
    WN_OK_OR_FAIL(wn_pca_inverse(m, s, n, xb));
    for (int64_t i = 0; i < n * D; i++) {
        double x = (double)(float)X[i];
        if (!(fabs(xb[i] - x) <= 1e-5 * fabs(x) + 1e-9))
            fail_msg("inverse: element %lld is %.9g, want %.9g", (long long)i, xb[i], x);
    }
    for (int64_t i = 0; i < n; i++)
        assert_true(rec[i] < 1e-18);
    WN_EXPECT_ERR(wn_pca_inverse(m, s, -1, xb), WN_EINVAL, "n = -1");
    WN_EXPECT_ERR(wn_pca_inverse(m, NULL, 1, xb), WN_EINVAL, "scores");
    WN_OK_OR_FAIL(wn_pca_inverse(m, NULL, 0, NULL));
    wn_pca_free(m);
    wn_table_free(t);
    free(X), free(s), free(rec), free(xb);
}

static void test_reconstruction(void **state)
{
    (void)state;
    enum { D = 3 };
    const int64_t n = 2000;
    /* points on the plane through p0 spanned by u and v (orthonormal) */
    const double u[D] = {0.6, 0.8, 0}, w[D] = {0, 0, 1}, nrm[D] = {0.8, -0.6, 0};
    const double p0[D] = {1, 2, 3};
    double *X = malloc(sizeof(double) * (size_t)((n + 2) * D));
    for (int64_t i = 0; i < n; i++) {
        double a = 4 * gauss(), b = 2 * gauss();
        for (int f = 0; f < D; f++)
            X[i * D + f] = p0[f] + a * u[f] + b * w[f];
    }
    /* two probes: on the plane, and 3 units off it */
    for (int f = 0; f < D; f++) {
        X[n * D + f] = p0[f] + 2 * u[f] - 1 * w[f];
        X[(n + 1) * D + f] = p0[f] + 1 * u[f] + 2 * w[f] + 3 * nrm[f];
    }
    wn_table *t = make_table(X, n, D, NULL), *probe = make_table(X + n * D, 2, D, NULL);
    wn_pca *m = fit(t, 2, 0, 0, 1);
    assert_true(wn_pca_variance(m)[2] < 1e-10);
    double s[4], rec[2];
    WN_OK_OR_FAIL(wn_pca_transform(m, probe, 0, 1, s, rec));
    if (!(rec[0] < 1e-9))
        fail_msg("on-plane point: recon %.3g", rec[0]);
    if (!(fabs(rec[1] - 9) < 1e-5))
        fail_msg("off-plane point: recon %.9g, want 9", rec[1]);
    /* and the back-projection lands on the plane: distance 3 from the probe */
    double xb[2 * D];
    WN_OK_OR_FAIL(wn_pca_inverse(m, s, 2, xb));
    double d2 = 0;
    for (int f = 0; f < D; f++)
        d2 += (xb[D + f] - X[(n + 1) * D + f]) * (xb[D + f] - X[(n + 1) * D + f]);
    assert_true(fabs(d2 - 9) < 1e-5);
    WN_OK_OR_FAIL(wn_pca_transform(m, probe, 0, 1, NULL, rec)); /* scores optional */
    WN_OK_OR_FAIL(wn_pca_transform(m, probe, 0, 1, s, NULL));
    wn_pca_free(m);
    wn_table_free(t), wn_table_free(probe);
    free(X);
}

/* ---- determinism, views, save/load ---- */

static void test_threads_bit_identical(void **state)
{
    (void)state;
    enum { D = 7 };
    const int64_t n = 100003; /* 13 chunks, a ragged last block */
    double Q[D * D], sd[D] = {5, 4, 3, 2, 1, 0.5, 0.1}, mu[D] = {1e4, 0, -3, 7, 1, 2, 3};
    random_rotation(D, Q);
    double *X = gaussian_data(n, D, Q, sd, mu), *w = malloc(sizeof(double) * (size_t)n);
    for (int64_t i = 0; i < n; i++) /* a whole chunk of zero weights, then a few */
        w[i] = i >= 10000 && i < 20000 ? 0 : urand() < 0.05 ? 0 : 0.5 + urand();
    wn_table *t = make_table(X, n, D, w);
    wn_pca *m[3];
    double *s[3], *r[3];
    for (int k = 0; k < 3; k++) {
        m[k] = fit(t, 4, k == 2, 0, k + 1);
        s[k] = malloc(sizeof(double) * (size_t)(n * 4));
        r[k] = malloc(sizeof(double) * (size_t)n);
        WN_OK_OR_FAIL(wn_pca_transform(m[0], t, 0, k + 1, s[k], r[k]));
    }
    for (int k = 1; k < 3; k++) {
        assert_memory_equal(wn_pca_mean(m[0]), wn_pca_mean(m[k]), sizeof(double) * D);
        assert_memory_equal(wn_pca_variance(m[0]), wn_pca_variance(m[k]), sizeof(double) * D);
        assert_memory_equal(wn_pca_components(m[0]), wn_pca_components(m[k]),
                            sizeof(double) * D * 4);
        assert_memory_equal(s[0], s[k], sizeof(double) * (size_t)(n * 4));
        assert_memory_equal(r[0], r[k], sizeof(double) * (size_t)n);
    }
    /* a view of every other row equals a table of those rows (the ridx path) */
    const int64_t nv = n / 2;
    int64_t *rows = malloc(sizeof(int64_t) * (size_t)nv);
    double *Xv = malloc(sizeof(double) * (size_t)(nv * D)),
           *wv = malloc(sizeof(double) * (size_t)nv);
    for (int64_t i = 0; i < nv; i++) {
        rows[i] = 2 * i + 1;
        memcpy(Xv + i * D, X + rows[i] * D, sizeof(double) * D);
        wv[i] = w[rows[i]];
    }
    wn_table *view = NULL, *tv = make_table(Xv, nv, D, wv);
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, nv, &view));
    wn_pca *a = fit(view, 4, 0, 1, 2), *b = fit(tv, 4, 0, 1, 1);
    assert_memory_equal(wn_pca_components(a), wn_pca_components(b), sizeof(double) * D * 4);
    assert_memory_equal(wn_pca_variance(a), wn_pca_variance(b), sizeof(double) * D);
    WN_OK_OR_FAIL(wn_pca_transform(a, view, 0, 2, s[1], r[1]));
    WN_OK_OR_FAIL(wn_pca_transform(a, tv, 0, 1, s[2], r[2]));
    assert_memory_equal(s[1], s[2], sizeof(double) * (size_t)(nv * 4));
    assert_memory_equal(r[1], r[2], sizeof(double) * (size_t)nv);
    wn_pca_free(a), wn_pca_free(b);
    wn_table_free(view), wn_table_free(tv);
    free(rows), free(Xv), free(wv);
    for (int k = 0; k < 3; k++)
        wn_pca_free(m[k]), free(s[k]), free(r[k]);
    wn_table_free(t);
    free(X), free(w);
}

/* One feature, two rows, and a wide odd-sized table. */
static void test_edge_shapes(void **state)
{
    (void)state;
    double X1[2] = {1, 4};
    wn_table *t = make_table(X1, 2, 1, NULL);
    wn_pca *m = fit(t, 0, 1, 0, 1);
    assert_int_equal(wn_pca_num_components(m), 1);
    assert_true(wn_pca_components(m)[0] == 1.0);
    assert_true(fabs(wn_pca_variance(m)[0] - 4.5) < 1e-12); /* (1.5^2 * 2) / (2 - 1) */
    assert_true(fabs(wn_pca_mean(m)[0] - 2.5) < 1e-12);
    double s[2], r[2], xb[2];
    WN_OK_OR_FAIL(wn_pca_transform(m, t, 0, 1, s, r));
    assert_true(fabs(s[0] + sqrt(0.5)) < 1e-12 && fabs(s[1] - sqrt(0.5)) < 1e-12);
    WN_OK_OR_FAIL(wn_pca_inverse(m, s, 2, xb));
    assert_true(fabs(xb[0] - 1) < 1e-12 && fabs(xb[1] - 4) < 1e-12);
    wn_pca_free(m);
    wn_table_free(t);

    enum { D = 37 };
    const int64_t n = 700;
    double *X = malloc(sizeof(double) * (size_t)(n * D));
    for (int64_t i = 0; i < n * D; i++)
        X[i] = gauss() * (1 + (double)(i % D));
    t = make_table(X, n, D, NULL);
    m = fit(t, 5, 0, 0, 2);
    double tot = 0, ref = 0;
    for (int k = 0; k < D; k++) {
        tot += wn_pca_variance(m)[k];
        if (k > 0)
            assert_true(wn_pca_variance(m)[k] <= wn_pca_variance(m)[k - 1]);
    }
    for (int f = 0; f < D; f++) { /* the trace is the sum of the variances */
        double mu = 0, v = 0;
        for (int64_t i = 0; i < n; i++)
            mu += (double)(float)X[i * D + f] / (double)n;
        for (int64_t i = 0; i < n; i++)
            v += ((double)(float)X[i * D + f] - mu) * ((double)(float)X[i * D + f] - mu);
        ref += v / (double)(n - 1);
    }
    assert_true(fabs(tot - ref) < 1e-9 * ref);
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) {
            double dt = dotv(wn_pca_components(m) + a * D, wn_pca_components(m) + b * D, D);
            assert_true(fabs(dt - (a == b)) < 1e-12);
        }
    wn_pca_free(m);
    wn_table_free(t);
    free(X);
}

/* ---- bad input ---- */

static int cancel_at_2(void *ud, const char *stage, int64_t done, int64_t total)
{
    (void)stage, (void)total;
    *(int *)ud += 1;
    return done >= 2;
}

static void test_errors(void **state)
{
    (void)state;
    enum { D = 3 };
    const int64_t n = 50;
    double X[n * D], w[n];
    for (int64_t i = 0; i < n * D; i++)
        X[i] = gauss();
    for (int64_t i = 0; i < n; i++)
        w[i] = 1;
    wn_table *t = make_table(X, n, D, NULL);
    wn_pca_params p = wn_pca_params_default();
    wn_pca *m = NULL;
    p.components = 4;
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_EINVAL, "components = 4 exceeds");
    p.components = -1;
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_EINVAL, "components = -1 is negative");
    p.components = 0;
    WN_EXPECT_ERR(wn_pca_fit(NULL, &p, &m), WN_EINVAL, "table");
    WN_EXPECT_ERR(wn_pca_fit(t, NULL, &m), WN_EINVAL, "params");
    const char *names[2] = {"x1", "nope"};
    p.data.features = names;
    p.data.nfeatures = 2;
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_ENOTFOUND, "nope");
    p.data.features = NULL;
    p.data.nfeatures = 0;
    assert_null(m);
    wn_table_free(t);

    t = make_table(X, 1, D, NULL); /* one row */
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_EINVAL, "at least 2 rows");
    wn_table_free(t);

    X[2 * D + 1] = (double)NAN; /* row 3, column x1 */
    X[5 * D + 0] = (double)INFINITY;
    t = make_table(X, n, D, NULL);
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_ENUMERIC, "row 3, column 'x1'");
    p.data.drop_missing = 1;
    WN_OK_OR_FAIL(wn_pca_fit(t, &p, &m));
    assert_int_equal(wn_pca_num_dropped(m), 2);
    assert_int_equal(wn_pca_num_rows(m), n - 2);
    assert_non_null(strstr(wn_pca_header(m), "\"n_dropped\": 2"));
    /* transform: missing values without and with allow_missing */
    double s[n * D], r[n];
    WN_EXPECT_ERR(wn_pca_transform(m, t, 0, 1, s, r), WN_ENUMERIC, "row 3, column 'x1'");
    WN_OK_OR_FAIL(wn_pca_transform(m, t, 1, 1, s, r));
    assert_true(isnan(s[2 * D]) && isnan(r[2]) && isnan(r[5]) && !isnan(r[4]));
    /* a feature missing at transform */
    double Y[4 * 2];
    for (int i = 0; i < 8; i++)
        Y[i] = gauss();
    wn_table *t2 = make_table(Y, 4, 2, NULL);
    WN_EXPECT_ERR(wn_pca_transform(m, t2, 0, 1, s, r), WN_ENOTFOUND, "\"x2\"");
    WN_EXPECT_ERR(wn_pca_transform(NULL, t2, 0, 1, s, r), WN_EINVAL, "model");
    wn_table_free(t2);
    wn_pca_free(m);
    m = NULL;
    p.data.drop_missing = 0;
    wn_table_free(t);
    X[2 * D + 1] = 0.5;
    X[5 * D + 0] = 0.25;

    w[4] = -1; /* negative weight, row 5 */
    t = make_table(X, n, D, w);
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_ENUMERIC, "row 5");
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_ENUMERIC, "negative weight");
    wn_table_free(t);
    for (int64_t i = 0; i < n; i++) /* a single row with weight: no covariance */
        w[i] = i == 9 ? 3 : 0;
    t = make_table(X, n, D, w);
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_EINVAL, "pca: ");
    wn_table_free(t);

    for (int64_t i = 0; i < n * D; i++) /* all constant */
        X[i] = (double)(i % D);
    t = make_table(X, n, D, NULL);
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_ENUMERIC, "constant");
    wn_table_free(t);
    assert_null(m);

    /* progress and cancellation */
    double *Z = malloc(sizeof(double) * 40000 * 2);
    for (int i = 0; i < 80000; i++)
        Z[i] = gauss();
    t = make_table(Z, 40000, 2, NULL);
    int calls = 0;
    p.data.progress.fn = cancel_at_2;
    p.data.progress.ud = &calls;
    p.data.threads = 1;
    WN_EXPECT_ERR(wn_pca_fit(t, &p, &m), WN_EINVAL, "cancelled");
    assert_int_equal(calls, 2);
    assert_null(m);
    wn_table_free(t);
    free(Z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rotated_gaussian),  cmocka_unit_test(test_kernels),
        cmocka_unit_test(test_weights_duplicate), cmocka_unit_test(test_standardize_whiten_inverse),
        cmocka_unit_test(test_reconstruction),    cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_edge_shapes),       cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
