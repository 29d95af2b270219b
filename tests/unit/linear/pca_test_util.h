/* pca_test_util.h — data and helpers shared by the PCA tests (test_pca.c,
 * test_pca_io.c): a small xorshift generator, Gaussian draws, random
 * rotations, tables built from row-major doubles. */
#ifndef WN_PCA_TEST_UTIL_H
#define WN_PCA_TEST_UTIL_H

#include "wn_test.h"

#include <math.h>

static uint64_t rng_state = 88172645463325252ull;
static inline uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}
static inline double urand(void)
{
    return ((double)rnd() + 0.5) / 4294967296.0;
}
static inline double gauss(void)
{
    return sqrt(-2 * log(urand())) * cos(6.283185307179586 * urand());
}

static inline const char *tmp_path(const char *name)
{
    static char p[8][300];
    static int k;
    char *q = p[k++ & 7];
    snprintf(q, 300, "%s/wn_pca_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
             name);
    return q;
}

/* A table of n rows from row-major X[n][d] (features x0..), with a weight
 * column when w is not NULL. */
static inline wn_table *make_table(const double *X, int64_t n, int d, const double *w)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float *v = malloc(sizeof(float) * (size_t)(n ? n : 1));
    char name[16];
    for (int f = 0; f < d; f++) {
        for (int64_t i = 0; i < n; i++)
            v[i] = (float)X[i * d + f];
        snprintf(name, sizeof name, "x%d", f);
        WN_OK_OR_FAIL(wn_table_add_column(t, name, v));
    }
    if (w) {
        for (int64_t i = 0; i < n; i++)
            v[i] = (float)w[i];
        WN_OK_OR_FAIL(wn_table_add_column(t, "w", v));
        WN_OK_OR_FAIL(wn_table_set_role(t, d, WN_ROLE_WEIGHT));
    }
    free(v);
    return t;
}

/* A random orthogonal d x d matrix Q (columns = axes), Gram-Schmidt. */
static inline void random_rotation(int d, double *Q)
{
    for (int j = 0; j < d; j++) {
        double *q = Q + j * d; /* column j stored contiguously here */
        for (int i = 0; i < d; i++)
            q[i] = gauss();
        for (int p = 0; p < j; p++) {
            double dot = 0;
            for (int i = 0; i < d; i++)
                dot += q[i] * Q[p * d + i];
            for (int i = 0; i < d; i++)
                q[i] -= dot * Q[p * d + i];
        }
        double nn = 0;
        for (int i = 0; i < d; i++)
            nn += q[i] * q[i];
        for (int i = 0; i < d; i++)
            q[i] /= sqrt(nn);
    }
}

/* X[n][d] = mu + sum_k sd_k g_k axis_k (axis k = Q + k*d). */
static inline double *gaussian_data(int64_t n, int d, const double *Q, const double *sd,
                                    const double *mu)
{
    double *X = malloc(sizeof(double) * (size_t)(n * d));
    for (int64_t i = 0; i < n; i++) {
        double *x = X + i * d;
        for (int f = 0; f < d; f++)
            x[f] = mu[f];
        for (int k = 0; k < d; k++) {
            double g = sd[k] * gauss();
            for (int f = 0; f < d; f++)
                x[f] += g * Q[k * d + f];
        }
    }
    return X;
}

static inline wn_pca *fit(const wn_table *t, int comps, int whiten, int standardize, int threads)
{
    wn_pca_params p = wn_pca_params_default();
    p.components = comps;
    p.whiten = whiten;
    p.data.standardize = standardize;
    p.data.threads = threads;
    wn_pca *m = NULL;
    WN_OK_OR_FAIL(wn_pca_fit(t, &p, &m));
    return m;
}

static inline double dotv(const double *a, const double *b, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++)
        s += a[i] * b[i];
    return s;
}

#endif
