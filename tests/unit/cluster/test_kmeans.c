/* test_kmeans.c — weighted k-means (src/cluster/kmeans*.c).
 *
 * Properties, not stored outputs: planted well-separated clusters are found
 * exactly (up to a permutation of the labels); Hamerly's iterations end
 * where a plain Lloyd iteration written here ends from the same seeds
 * (Lloyd 1982, Hamerly 2010); a row of weight 2 counts as two rows; k = 1
 * gives the weighted mean; restarts keep the lowest inertia; standardisation
 * and original units; silhouette; the elbow of choose_k; every bad input;
 * bit-identical results at 1 and 2 threads; file round trips, corrupted
 * files refused, and an allocation-failure sweep. */
#include "wn_test.h"

#include "cluster/cluster.h"
#include "core.h"
#include "io/container.h"

#include <math.h>

static uint64_t rs = 88172645463325252ull;
static uint32_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (uint32_t)(rs >> 11);
}
static double urand(void)
{
    return ((double)rnd() + 0.5) / 4294967296.0;
}
static double nrand(void)
{
    return sqrt(-2 * log(urand())) * cos(6.283185307179586 * urand());
}

/* Planted clusters: k centres at distance >= sep, unit spread, columns
 * x0..x{d-1}, "truth" (label role), and "w" (weight role) when weights. */
typedef struct planted {
    wn_table *t;
    int32_t *truth;
    double cen[8][4];
} planted;

static planted make_planted(int64_t n, int d, int k, double sep, const float *weights)
{
    planted P;
    memset(&P, 0, sizeof P);
    for (int c = 0; c < k; c++)
        for (int j = 0; j < d; j++)
            P.cen[c][j] = (j == c % d ? sep : 0) * (1 + c / d) + 100 * j;
    WN_OK_OR_FAIL(wn_table_create(n, &P.t));
    P.truth = malloc(sizeof(int32_t) * (size_t)n);
    float *v = malloc(sizeof(float) * (size_t)n * (size_t)(d + 1));
    for (int64_t i = 0; i < n; i++) {
        int c = (int)(i % k);
        P.truth[i] = c;
        for (int j = 0; j < d; j++)
            v[(size_t)j * (size_t)n + (size_t)i] = (float)(P.cen[c][j] + nrand());
    }
    for (int j = 0; j < d; j++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", j);
        WN_OK_OR_FAIL(wn_table_add_column(P.t, name, v + (size_t)j * (size_t)n));
    }
    for (int64_t i = 0; i < n; i++)
        v[i] = (float)P.truth[i];
    WN_OK_OR_FAIL(wn_table_add_column(P.t, "truth", v));
    WN_OK_OR_FAIL(wn_table_set_role(P.t, d, WN_ROLE_LABEL));
    if (weights) {
        WN_OK_OR_FAIL(wn_table_add_column(P.t, "w", weights));
        WN_OK_OR_FAIL(wn_table_set_role(P.t, d + 1, WN_ROLE_WEIGHT));
    }
    free(v);
    return P;
}

static void free_planted(planted *P)
{
    wn_table_free(P->t);
    free(P->truth);
}

/* label == truth up to a permutation */
static void expect_partition(const int32_t *label, const int32_t *truth, int64_t n, int k)
{
    int map[16], back[16];
    for (int c = 0; c < 16; c++)
        map[c] = back[c] = -1;
    for (int64_t i = 0; i < n; i++) {
        int a = label[i], t = truth[i];
        assert_true(a >= 0 && a < k);
        if (map[t] < 0 && back[a] < 0) {
            map[t] = a;
            back[a] = t;
        }
        if (map[t] != a)
            fail_msg("row %lld: truth %d -> label %d, earlier %d", (long long)i, t, a, map[t]);
    }
}

static void test_planted(void **state)
{
    (void)state;
    planted P = make_planted(600, 3, 4, 20, NULL);
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 4;
    wn_kmeans *m = NULL;
    WN_OK_OR_FAIL(wn_kmeans_fit(P.t, &p, &m));
    assert_int_equal(wn_kmeans_k(m), 4);
    assert_int_equal(wn_kmeans_num_features(m), 3);
    assert_string_equal(wn_kmeans_feature_name(m, 2), "x2");
    assert_int_equal(wn_kmeans_num_rows(m), 600);
    int32_t lab[600];
    double d2[600];
    WN_OK_OR_FAIL(wn_kmeans_assign(m, P.t, 0, 2, lab, d2));
    expect_partition(lab, P.truth, 600, 4);
    /* centres in the data's units, near the planted ones */
    const double *c = wn_kmeans_centers(m), *sz = wn_kmeans_sizes(m);
    double in = 0;
    for (int i = 0; i < 600; i++) {
        int a = lab[i], t = P.truth[i];
        for (int j = 0; j < 3; j++)
            assert_true(fabs(c[a * 3 + j] - P.cen[t][j]) < 0.3);
        in += d2[i];
    }
    for (int a = 0; a < 4; a++)
        assert_true(sz[a] == 150);
    assert_true(fabs(in - wn_kmeans_inertia(m)) < 1e-9 * in);
    assert_true(wn_kmeans_silhouette(m) > 0.8);
    assert_true(wn_kmeans_iterations(m) >= 1);
    wn_kmeans_free(m);
    free_planted(&P);
}

/* ---- Lloyd's iteration, plainly: float distances summed in feature order
 * (the engine's arithmetic), ties to the lowest centre, weighted means ---- */
static int lloyd_ref(const float *X, const float *w, int64_t n, int64_t d, int k, double *c,
                     int32_t *lab)
{
    float *cf = malloc(sizeof(float) * (size_t)(k * d));
    double *S = malloc(sizeof(double) * (size_t)(k * (d + 1)));
    int it;
    for (int64_t i = 0; i < n; i++)
        lab[i] = -1;
    for (it = 0; it < 1000; it++) {
        for (int64_t t = 0; t < k * d; t++)
            cf[t] = (float)c[t];
        int64_t changed = 0;
        for (int64_t i = 0; i < n; i++) {
            int best = 0;
            float bd = INFINITY;
            for (int a = 0; a < k; a++) {
                float s = 0;
                for (int64_t j = 0; j < d; j++) {
                    float t = X[i * d + j] - cf[a * d + j];
                    s += t * t;
                }
                if (s < bd) {
                    bd = s;
                    best = a;
                }
            }
            changed += lab[i] != best;
            lab[i] = best;
        }
        if (!changed)
            break;
        memset(S, 0, sizeof(double) * (size_t)(k * (d + 1)));
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1;
            for (int64_t j = 0; j < d; j++)
                S[lab[i] * d + j] += wi * (double)X[i * d + j];
            S[k * d + lab[i]] += wi;
        }
        for (int a = 0; a < k; a++)
            for (int64_t j = 0; j < d; j++)
                if (S[k * d + a] > 0)
                    c[a * d + j] = S[a * d + j] / S[k * d + a];
    }
    free(cf);
    free(S);
    return it;
}

static void hamerly_vs_lloyd(int weighted, int64_t n, int64_t d, int k)
{
    float *X = malloc(sizeof(float) * (size_t)(n * d)), *w = NULL;
    for (int64_t i = 0; i < n * d; i++)
        X[i] = (float)(nrand() + (i % d == 0 ? 3 * (double)((i / d) % 3) : 0));
    if (weighted) {
        w = malloc(sizeof(float) * (size_t)n);
        for (int64_t i = 0; i < n; i++)
            w[i] = (float)(urand() * 3);
    }
    double ws = 0;
    for (int64_t i = 0; i < n; i++)
        ws += w ? (double)w[i] : 1;
    wn__km_data D = {X, w, n, d, ws, 2};
    double *c0 = malloc(sizeof(double) * (size_t)(k * d)),
           *c1 = malloc(sizeof(double) * (size_t)(k * d));
    int32_t *l0 = malloc(sizeof(int32_t) * (size_t)n), *l1 = malloc(sizeof(int32_t) * (size_t)n);
    WN_OK_OR_FAIL(wn__km_seed(&D, k, 7, 3, c0));
    memcpy(c1, c0, sizeof(double) * (size_t)(k * d));
    double in;
    int its;
    WN_OK_OR_FAIL(wn__km_iterate(&D, k, 1000, 0, c0, l0, &in, &its, NULL, 0, 0));
    int rits = lloyd_ref(X, w, n, d, k, c1, l1);
    assert_true(its >= 2);
    for (int64_t t = 0; t < k * d; t++)
        if (fabs(c0[t] - c1[t]) > 1e-6)
            fail_msg("centre value %lld: hamerly %.17g lloyd %.17g (%d vs %d iterations)",
                     (long long)t, c0[t], c1[t], its, rits);
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(l0[i], l1[i]);
    free(X);
    free(w);
    free(c0);
    free(c1);
    free(l0);
    free(l1);
}

static void test_hamerly_matches_lloyd(void **state)
{
    (void)state;
    hamerly_vs_lloyd(0, 5000, 5, 8);
    hamerly_vs_lloyd(1, 9000, 3, 12);
    hamerly_vs_lloyd(0, 3000, 17, 20);
}

/* the fast nearest-two kernel (AVX2 where the CPU has it) against the plain
 * one: same index, same bits, duplicated centres making ties */
static void test_nearest2_kernel(void **state)
{
    (void)state;
    const int64_t ds[3] = {1, 3, 28};
    for (int di = 0; di < 3; di++)
        for (int64_t k = 1; k <= 40; k++) {
            const int64_t d = ds[di], kp = wn__km_kpad(k);
            float *ct = calloc((size_t)(d * kp), sizeof(float)), x[28], dd[48];
            for (int64_t c = 0; c < k; c++)
                for (int64_t j = 0; j < d; j++)
                    ct[j * kp + c] = c % 3 == 2 ? ct[j * kp + c - 1] : (float)(urand() * 4);
            for (int rep = 0; rep < 50; rep++) {
                for (int64_t j = 0; j < d; j++)
                    x[j] = rep == 0 ? ct[j * kp + (k > 1)] : (float)(urand() * 4);
                float a1, a2, b1, b2;
                int64_t ia = wn__km_nearest2(x, ct, d, kp, k, dd, &a1, &a2);
                int64_t ib = wn__km_nearest2_ref(x, ct, d, kp, k, dd, &b1, &b2);
                assert_int_equal(ia, ib);
                assert_memory_equal(&a1, &b1, sizeof a1);
                assert_memory_equal(&a2, &b2, sizeof a2);
                for (int64_t c = 0; c < k; c++)
                    assert_true(dd[c] >= b1 && (c == ib || dd[c] >= b2) && (dd[c] > b1 || c >= ib));
                if (k == 1)
                    assert_true(isinf(b2));
            }
            free(ct);
        }
}

/* weight 2 == the row twice */
static void test_weights(void **state)
{
    (void)state;
    const int64_t n = 400;
    float *w = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        w[i] = i % 3 == 0 ? 2.0f : 1.0f;
    planted A = make_planted(n, 2, 3, 30, w);
    /* B: the same rows, those of weight 2 twice */
    int64_t nb = n + (n + 2) / 3;
    wn_table *B;
    WN_OK_OR_FAIL(wn_table_create(nb, &B));
    float *col = malloc(sizeof(float) * (size_t)nb);
    for (int j = 0; j < 2; j++) {
        int64_t r = 0;
        for (int64_t i = 0; i < n; i++) {
            col[r++] = wn_table_get(A.t, i, j);
            if (i % 3 == 0)
                col[r++] = wn_table_get(A.t, i, j);
        }
        WN_OK_OR_FAIL(wn_table_add_column(B, j ? "x1" : "x0", col));
    }
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 3;
    p.silhouette_sample = 0;
    wn_kmeans *ma, *mb;
    WN_OK_OR_FAIL(wn_kmeans_fit(A.t, &p, &ma));
    WN_OK_OR_FAIL(wn_kmeans_fit(B, &p, &mb));
    assert_true(fabs(wn_kmeans_inertia(ma) - wn_kmeans_inertia(mb)) < 1e-9 * wn_kmeans_inertia(ma));
    assert_true(isnan(wn_kmeans_silhouette(ma)));
    for (int a = 0; a < 3; a++) {
        int found = 0;
        for (int b = 0; b < 3; b++)
            if (fabs(wn_kmeans_centers(ma)[a * 2] - wn_kmeans_centers(mb)[b * 2]) < 1e-9 &&
                fabs(wn_kmeans_centers(ma)[a * 2 + 1] - wn_kmeans_centers(mb)[b * 2 + 1]) < 1e-9 &&
                wn_kmeans_sizes(ma)[a] == wn_kmeans_sizes(mb)[b])
                found = 1;
        assert_true(found);
    }
    wn_kmeans_free(ma);
    wn_kmeans_free(mb);
    wn_table_free(B);
    free(col);
    free(w);
    free_planted(&A);
}

/* k = 1: the weighted mean */
static void test_k1(void **state)
{
    (void)state;
    const int64_t n = 300;
    float *w = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        w[i] = (float)(i % 5) * 0.5f;
    planted P = make_planted(n, 3, 3, 10, w);
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 1;
    wn_kmeans *m;
    WN_OK_OR_FAIL(wn_kmeans_fit(P.t, &p, &m));
    double mean[3] = {0}, ws = 0, in = 0;
    for (int64_t i = 0; i < n; i++) {
        ws += (double)w[i];
        for (int j = 0; j < 3; j++)
            mean[j] += (double)w[i] * (double)wn_table_get(P.t, i, j);
    }
    for (int j = 0; j < 3; j++) {
        mean[j] /= ws;
        assert_true(fabs(wn_kmeans_centers(m)[j] - mean[j]) < 1e-9 * (1 + fabs(mean[j])));
    }
    for (int64_t i = 0; i < n; i++)
        for (int j = 0; j < 3; j++) {
            double t = (double)wn_table_get(P.t, i, j) - mean[j];
            in += (double)w[i] * t * t;
        }
    assert_true(fabs(wn_kmeans_inertia(m) - in) < 1e-8 * in);
    assert_true(wn_kmeans_sizes(m)[0] == ws);
    assert_true(isnan(wn_kmeans_silhouette(m)));
    wn_kmeans_free(m);
    free(w);
    free_planted(&P);
}

/* restarts keep the lowest inertia (ties: the first) */
static void test_restarts(void **state)
{
    (void)state;
    const int64_t n = 2000, d = 2;
    float *X = malloc(sizeof(float) * (size_t)(n * d));
    for (int64_t i = 0; i < n * d; i++)
        X[i] = (float)urand();
    wn__km_data D = {X, NULL, n, d, (double)n, 2};
    double c[14], best = (double)INFINITY, in, in5;
    int32_t *l = malloc(sizeof(int32_t) * (size_t)n);
    int its, distinct = 0;
    double first = 0;
    for (int r = 0; r < 5; r++) {
        WN_OK_OR_FAIL(wn__km_run(&D, 7, 1, 300, 1e-4, 11, (uint64_t)r, NULL, c, l, &in, &its));
        if (r == 0)
            first = in;
        distinct |= in != first;
        best = in < best ? in : best;
    }
    assert_true(distinct); /* the restarts really differ */
    WN_OK_OR_FAIL(wn__km_run(&D, 7, 5, 300, 1e-4, 11, 0, NULL, c, l, &in5, &its));
    assert_true(in5 == best);
    free(X);
    free(l);
}

/* standardize: a huge-noise feature hides the clusters unless scaled */
static void test_standardize(void **state)
{
    (void)state;
    const int64_t n = 400;
    wn_table *t;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float a[400], b[400];
    int32_t truth[400], lab[400];
    for (int64_t i = 0; i < n; i++) {
        truth[i] = (int32_t)(i & 1);
        a[i] = (float)(1000 + (truth[i] ? 5 : -5) + 0.5 * nrand());
        b[i] = (float)(1000 * nrand());
    }
    WN_OK_OR_FAIL(wn_table_add_column(t, "a", a));
    WN_OK_OR_FAIL(wn_table_add_column(t, "b", b));
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 2;
    p.data.standardize = 1;
    wn_kmeans *m;
    WN_OK_OR_FAIL(wn_kmeans_fit(t, &p, &m));
    WN_OK_OR_FAIL(wn_kmeans_assign(m, t, 0, 1, lab, NULL));
    expect_partition(lab, truth, n, 2);
    const double *c = wn_kmeans_centers(m); /* original units */
    double lo = c[0] < c[2] ? c[0] : c[2], hi = c[0] < c[2] ? c[2] : c[0];
    assert_true(fabs(lo - 995) < 0.2 && fabs(hi - 1005) < 0.2);
    assert_true(strstr(wn_kmeans_header(m), "\"standardized\": true") != NULL);
    wn_kmeans_free(m);
    p.data.standardize = 0;
    WN_OK_OR_FAIL(wn_kmeans_fit(t, &p, &m));
    WN_OK_OR_FAIL(wn_kmeans_assign(m, t, 0, 1, lab, NULL));
    int agree = 0;
    for (int64_t i = 0; i < n; i++)
        agree += lab[i] == truth[i];
    assert_true(agree > 100 && agree < 300); /* the noise decided */
    wn_kmeans_free(m);
    wn_table_free(t);
}

static void test_choose_k(void **state)
{
    (void)state;
    planted P = make_planted(800, 3, 4, 15, NULL);
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 1; /* ignored */
    double in[6], sil[6];
    WN_OK_OR_FAIL(wn_kmeans_choose_k(P.t, &p, 1, 6, in, sil));
    for (int i = 1; i < 6; i++)
        assert_true(in[i] <= in[i - 1] * (1 + 1e-12));
    assert_true(in[2] / in[3] > 5);   /* 3 -> 4: a big drop */
    assert_true(in[3] / in[4] < 1.3); /* 4 -> 5: little */
    assert_true(isnan(sil[0]));
    for (int i = 1; i < 6; i++)
        if (i != 3)
            assert_true(sil[3] > sil[i]);
    free_planted(&P);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    planted P = make_planted(50, 2, 2, 10, NULL);
    wn_kmeans_params p = wn_kmeans_params_default();
    wn_kmeans *m = NULL;
    p.k = 0;
    WN_EXPECT_ERR(wn_kmeans_fit(P.t, &p, &m), WN_EINVAL, "k = 0 must be at least 1");
    p.k = 51;
    WN_EXPECT_ERR(wn_kmeans_fit(P.t, &p, &m), WN_EINVAL, "k = 51 is more than the 50 rows");
    p.k = 2;
    p.restarts = 0;
    WN_EXPECT_ERR(wn_kmeans_fit(P.t, &p, &m), WN_EINVAL, "restarts");
    p.restarts = 1;
    p.tol = -1;
    WN_EXPECT_ERR(wn_kmeans_fit(P.t, &p, &m), WN_EINVAL, "tol");
    p.tol = 1e-4;
    p.max_iter = 0;
    WN_EXPECT_ERR(wn_kmeans_fit(P.t, &p, &m), WN_EINVAL, "max_iter");
    p.max_iter = 10;
    p.silhouette_sample = -1;
    WN_EXPECT_ERR(wn_kmeans_fit(P.t, &p, &m), WN_EINVAL, "silhouette_sample");
    p.silhouette_sample = 10;
    WN_EXPECT_ERR(wn_kmeans_fit(NULL, &p, &m), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn_kmeans_choose_k(P.t, &p, 3, 2, NULL, NULL), WN_EINVAL, "NULL");
    double in[2], sil[2];
    WN_EXPECT_ERR(wn_kmeans_choose_k(P.t, &p, 0, 1, in, sil), WN_EINVAL, "k range 0..1");
    WN_EXPECT_ERR(wn_kmeans_choose_k(P.t, &p, 50, 51, in, sil), WN_EINVAL, "more than");
    /* NaN: named, or dropped */
    wn_table_column_mut(P.t, 1)[6] = NAN;
    WN_EXPECT_ERR(wn_kmeans_fit(P.t, &p, &m), WN_ENUMERIC, "row 7, column 'x1'");
    p.data.drop_missing = 1;
    WN_OK_OR_FAIL(wn_kmeans_fit(P.t, &p, &m));
    assert_int_equal(wn_kmeans_num_dropped(m), 1);
    assert_int_equal(wn_kmeans_num_rows(m), 49);
    int32_t lab[50];
    double d2[50];
    WN_EXPECT_ERR(wn_kmeans_assign(m, P.t, 0, 1, lab, d2), WN_ENUMERIC, "row 7, column 'x1'");
    WN_OK_OR_FAIL(wn_kmeans_assign(m, P.t, 1, 1, lab, d2));
    assert_int_equal(lab[6], -1);
    assert_true(isnan(d2[6]));
    assert_true(lab[5] >= 0);
    /* a missing feature at assign */
    wn_table *t2;
    WN_OK_OR_FAIL(wn_table_create(3, &t2));
    WN_OK_OR_FAIL(wn_table_add_column(t2, "x0", NULL));
    WN_EXPECT_ERR(wn_kmeans_assign(m, t2, 1, 1, lab, d2), WN_ENOTFOUND, "x1");
    WN_EXPECT_ERR(wn_kmeans_assign(NULL, t2, 1, 1, lab, d2), WN_EINVAL, "NULL");
    wn_table_free(t2);
    wn_kmeans_free(m);
    /* negative weight; all-constant data */
    float w[50], z[50];
    for (int i = 0; i < 50; i++)
        w[i] = 1, z[i] = 3;
    w[9] = -1;
    WN_OK_OR_FAIL(wn_table_add_column(P.t, "w", w));
    WN_OK_OR_FAIL(wn_table_set_role(P.t, 3, WN_ROLE_WEIGHT));
    WN_EXPECT_ERR(wn_kmeans_fit(P.t, &p, &m), WN_ENUMERIC, "row 10: negative weight");
    wn_table *c;
    WN_OK_OR_FAIL(wn_table_create(50, &c));
    WN_OK_OR_FAIL(wn_table_add_column(c, "z", z));
    WN_OK_OR_FAIL(wn_table_add_column(c, "y", z));
    WN_EXPECT_ERR(wn_kmeans_fit(c, &p, &m), WN_ENUMERIC, "constant");
    wn_table_free(c);
    free_planted(&P);
}

/* fewer distinct points than k: empty clusters are re-seeded, no failure */
static void test_empty_clusters(void **state)
{
    (void)state;
    wn_table *t;
    WN_OK_OR_FAIL(wn_table_create(40, &t));
    float a[40];
    for (int i = 0; i < 40; i++)
        a[i] = (float)(i % 3);
    WN_OK_OR_FAIL(wn_table_add_column(t, "a", a));
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 5;
    wn_kmeans *m;
    WN_OK_OR_FAIL(wn_kmeans_fit(t, &p, &m));
    assert_true(wn_kmeans_inertia(m) < 1e-12);
    wn_kmeans_free(m);
    wn_table_free(t);
}

/* bit-identical at 1 and 2 threads, on several blocks of rows */
static void test_threads(void **state)
{
    (void)state;
    const int64_t n = 3 * WN__CLU_BLOCK + 777;
    float *w = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        w[i] = (float)(0.5 + urand());
    planted P = make_planted(n, 4, 6, 3, w);
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 6;
    p.restarts = 2;
    p.silhouette_sample = 700;
    wn_kmeans *m[2];
    int32_t *lab[2];
    double *d2[2];
    for (int t = 0; t < 2; t++) {
        p.data.threads = t + 1;
        WN_OK_OR_FAIL(wn_kmeans_fit(P.t, &p, &m[t]));
        lab[t] = malloc(sizeof(int32_t) * (size_t)n);
        d2[t] = malloc(sizeof(double) * (size_t)n);
        WN_OK_OR_FAIL(wn_kmeans_assign(m[t], P.t, 0, t + 1, lab[t], d2[t]));
    }
    assert_memory_equal(wn_kmeans_centers(m[0]), wn_kmeans_centers(m[1]), sizeof(double) * 24);
    assert_memory_equal(wn_kmeans_sizes(m[0]), wn_kmeans_sizes(m[1]), sizeof(double) * 6);
    double a = wn_kmeans_inertia(m[0]), b = wn_kmeans_inertia(m[1]);
    double sa = wn_kmeans_silhouette(m[0]), sb = wn_kmeans_silhouette(m[1]);
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&sa, &sb, sizeof sa);
    assert_int_equal(wn_kmeans_iterations(m[0]), wn_kmeans_iterations(m[1]));
    assert_memory_equal(lab[0], lab[1], sizeof(int32_t) * (size_t)n);
    assert_memory_equal(d2[0], d2[1], sizeof(double) * (size_t)n);
    for (int t = 0; t < 2; t++) {
        wn_kmeans_free(m[t]);
        free(lab[t]);
        free(d2[t]);
    }
    free(w);
    free_planted(&P);
}

static const char *tmp_path(const char *name)
{
    static char b[4][512];
    static int k;
    char *p = b[k++ & 3];
    snprintf(p, 512, "%s/wn_km_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
             name);
    return p;
}

static uint8_t *slurp(const char *p, size_t *len)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void test_round_trip(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    planted P = make_planted(500, 3, 4, 12, NULL);
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 4;
    p.data.standardize = 1;
    p.data.command_line = "winnow cluster --k 4";
    wn_kmeans *m, *l;
    WN_OK_OR_FAIL(wn_kmeans_fit(P.t, &p, &m));
    const char *f1 = tmp_path("a.wnm"), *f2 = tmp_path("b.wnm");
    WN_OK_OR_FAIL(wn_kmeans_save(m, f1));
    WN_OK_OR_FAIL(wn_kmeans_load(f1, &l));
    assert_string_equal(wn_kmeans_header(m), wn_kmeans_header(l));
    assert_memory_equal(wn_kmeans_centers(m), wn_kmeans_centers(l), sizeof(double) * 12);
    assert_memory_equal(wn_kmeans_sizes(m), wn_kmeans_sizes(l), sizeof(double) * 4);
    assert_true(wn_kmeans_inertia(m) == wn_kmeans_inertia(l));
    assert_true(wn_kmeans_silhouette(m) == wn_kmeans_silhouette(l));
    assert_int_equal(wn_kmeans_iterations(m), wn_kmeans_iterations(l));
    assert_int_equal(wn_kmeans_num_rows(l), 500);
    int32_t la[500], lb[500];
    double da[500], db[500];
    WN_OK_OR_FAIL(wn_kmeans_assign(m, P.t, 0, 2, la, da));
    WN_OK_OR_FAIL(wn_kmeans_assign(l, P.t, 0, 2, lb, db));
    assert_memory_equal(la, lb, sizeof la);
    assert_memory_equal(da, db, sizeof da);
    WN_OK_OR_FAIL(wn_kmeans_save(l, f2));
    size_t n1, n2;
    uint8_t *b1 = slurp(f1, &n1), *b2 = slurp(f2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    /* corrupted files: re-saved through the container, checksums right */
    wn__container *c;
    WN_OK_OR_FAIL(wn__container_load(f1, &c));
    const void *sd;
    size_t sn;
    WN_OK_OR_FAIL(wn__container_section(c, "centers", &sd, &sn));
    uint8_t *cen = malloc(sn);
    memcpy(cen, sd, sn);
    const char *hdr = wn__container_header(c, NULL);
    struct {
        const char *from, *to, *needle;
    } E[] = {
        {"\"kmeans\"", "\"gmm\"", "not a kmeans model"},
        {"\"format_version\": 1", "\"format_version\": 2", "newer"},
        {"\"k\": 4", "\"k\": 5", "section \"centers\" has"},
        {"\"k\": 4", "\"k\": 0", "\"k\" must be an integer"},
        {"\"n_rows\": 500", "\"n_rows\": 2", "n_rows"},
        {"\"iterations\"", "\"iteration\"", "iterations"},
        {"\"silhouette\": 0.", "\"silhouette\": 7.", "outside [-1, 1]"},
        {"\"inertia\": ", "\"inertia\": -", "negative"},
        {"\"x1\"", "\"x0\"", "appears twice"},
        {"\"sizes\": [\n    125", "\"sizes\": [\n    -125", "sizes[0] is negative"},
        {"\"input_hash\": \"", "\"input_hash\": \"z", "input_hash"},
        {"\"provenance\"", "\"provenanse\"", "provenance"},
    };
    const char *f3 = tmp_path("c.wnm");
    for (size_t e = 0; e < sizeof E / sizeof E[0]; e++) {
        const char *at = strstr(hdr, E[e].from);
        assert_non_null(at);
        size_t hl = strlen(hdr), fl = strlen(E[e].from), tl = strlen(E[e].to);
        char *h = malloc(hl + tl + 1);
        memcpy(h, hdr, (size_t)(at - hdr));
        memcpy(h + (at - hdr), E[e].to, tl);
        strcpy(h + (at - hdr) + tl, at + fl);
        wn__section s = {"centers", cen, sn};
        WN_OK_OR_FAIL(wn__container_save(f3, h, &s, 1));
        WN_EXPECT_ERR(wn_kmeans_load(f3, &l), WN_EFORMAT, E[e].needle);
        assert_non_null(strstr(wn_errmsg(), f3));
        free(h);
    }
    wn_kmeans_free(l);
    /* a NaN centre; a short section; no section */
    uint64_t nanb = 0x7ff8000000000000ull;
    memcpy(cen + 8, &nanb, 8);
    wn__section s = {"centers", cen, sn};
    WN_OK_OR_FAIL(wn__container_save(f3, hdr, &s, 1));
    WN_EXPECT_ERR(wn_kmeans_load(f3, &l), WN_EFORMAT, "not finite");
    s.size = sn - 8;
    WN_OK_OR_FAIL(wn__container_save(f3, hdr, &s, 1));
    WN_EXPECT_ERR(wn_kmeans_load(f3, &l), WN_EFORMAT, "expected 12 doubles");
    WN_OK_OR_FAIL(wn__container_save(f3, hdr, NULL, 0));
    WN_EXPECT_ERR(wn_kmeans_load(f3, &l), WN_EFORMAT, "missing section \"centers\"");
    free(cen);
    wn__container_free(c);
    unlink(f1);
    unlink(f2);
    unlink(f3);
    wn_kmeans_free(m);
    free_planted(&P);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    planted P = make_planted(300, 3, 3, 12, NULL);
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 3;
    p.restarts = 2;
    p.data.threads = 2;
    const char *f = tmp_path("af.wnm");
    int32_t lab[300];
    int ok = 0;
    for (int64_t i = 1; i < 5000 && !ok; i++) {
        wn_kmeans *m = NULL, *l = NULL;
        wn__alloc_fail_at(i);
        wn_status s = wn_kmeans_fit(P.t, &p, &m);
        if (s == WN_OK)
            s = wn_kmeans_save(m, f);
        if (s == WN_OK)
            s = wn_kmeans_load(f, &l);
        if (s == WN_OK)
            s = wn_kmeans_assign(l, P.t, 0, 2, lab, NULL);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            ok = 1;
        else if (s != WN_ENOMEM)
            fail_msg("fail at %lld: %s: %s", (long long)i, wn_status_name(s), wn_errmsg());
        wn_kmeans_free(m);
        wn_kmeans_free(l);
    }
    assert_true(ok);
    unlink(f);
    free_planted(&P);
}

/* Writes fuzz seeds (tests/fuzz/corpus/umodel) when WN_UMODEL_CORPUS names a
 * folder. */
static void test_write_seeds(void **state)
{
    (void)state;
    const char *dir = getenv("WN_UMODEL_CORPUS");
    if (!dir)
        skip();
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    planted P = make_planted(200, 3, 3, 12, NULL);
    wn_kmeans_params p = wn_kmeans_params_default();
    p.k = 3;
    p.data.standardize = 1;
    wn_kmeans *m;
    WN_OK_OR_FAIL(wn_kmeans_fit(P.t, &p, &m));
    char q[512];
    snprintf(q, sizeof q, "%s/kmeans.wnm", dir);
    WN_OK_OR_FAIL(wn_kmeans_save(m, q));
    wn_kmeans_free(m);
    free_planted(&P);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted),
        cmocka_unit_test(test_hamerly_matches_lloyd),
        cmocka_unit_test(test_nearest2_kernel),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_k1),
        cmocka_unit_test(test_restarts),
        cmocka_unit_test(test_standardize),
        cmocka_unit_test(test_choose_k),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_empty_clusters),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_write_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
