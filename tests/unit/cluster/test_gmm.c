/* test_gmm.c — the Gaussian mixture (src/cluster/gmm*.c).
 *
 * Properties: EM (Dempster, Laird & Rubin 1977) recovers the weights, means
 * and covariances of a planted 3-component 2-D mixture; BIC (Schwarz 1978)
 * picks the planted k; full beats diagonal on correlated data and diagonal
 * models are diagonal; degenerate components are regularised and counted;
 * a weight of 2 equals a duplicated row; predict agrees with the fit; every
 * bad input; bit-identical at 1 and 2 threads; file round trips, corrupted
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

static const double W3[3] = {0.5, 0.3, 0.2};
static const double M3[3][2] = {{0, 0}, {6, 1}, {-1, 7}};
static const double C3[3][2][2] = {
    {{1, 0.5}, {0.5, 1}}, {{0.5, 0}, {0, 2}}, {{1.5, -0.3}, {-0.3, 0.4}}};

/* n rows of the planted mixture; columns a, b (and "w" = weight if given) */
static wn_table *make_mix(int64_t n, const float *w, int32_t *truth)
{
    wn_table *t;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float *a = malloc(sizeof(float) * (size_t)n), *b = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++) {
        double u = urand();
        int c = u < W3[0] ? 0 : u < W3[0] + W3[1] ? 1 : 2;
        double l00 = sqrt(C3[c][0][0]), l10 = C3[c][1][0] / l00,
               l11 = sqrt(C3[c][1][1] - l10 * l10), z0 = nrand(), z1 = nrand();
        a[i] = (float)(M3[c][0] + l00 * z0);
        b[i] = (float)(M3[c][1] + l10 * z0 + l11 * z1);
        if (truth)
            truth[i] = c;
    }
    WN_OK_OR_FAIL(wn_table_add_column(t, "a", a));
    WN_OK_OR_FAIL(wn_table_add_column(t, "b", b));
    if (w) {
        WN_OK_OR_FAIL(wn_table_add_column(t, "w", w));
        WN_OK_OR_FAIL(wn_table_set_role(t, 2, WN_ROLE_WEIGHT));
    }
    free(a);
    free(b);
    return t;
}

/* the component of m whose mean is nearest to planted component c */
static int match(const wn_gmm *m, int c)
{
    int best = 0;
    double bd = (double)INFINITY;
    for (int k = 0; k < wn_gmm_k(m); k++) {
        const double *mu = wn_gmm_means(m) + 2 * k;
        double d = hypot(mu[0] - M3[c][0], mu[1] - M3[c][1]);
        if (d < bd) {
            bd = d;
            best = k;
        }
    }
    return best;
}

static void test_recovers_mixture(void **state)
{
    (void)state;
    const int64_t n = 30000;
    wn_table *t = make_mix(n, NULL, NULL);
    wn_gmm_params p = wn_gmm_params_default();
    p.k = 3;
    wn_gmm *m;
    WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &m));
    assert_true(wn_gmm_converged(m));
    assert_int_equal(wn_gmm_regularised(m), 0);
    assert_int_equal(wn_gmm_num_features(m), 2);
    assert_string_equal(wn_gmm_feature_name(m, 1), "b");
    double ws = 0;
    for (int c = 0; c < 3; c++) {
        int k = match(m, c);
        const double *mu = wn_gmm_means(m) + 2 * k, *cv = wn_gmm_covariances(m) + 4 * k;
        ws += wn_gmm_weights(m)[k];
        assert_true(fabs(wn_gmm_weights(m)[k] - W3[c]) < 0.02);
        for (int j = 0; j < 2; j++)
            if (fabs(mu[j] - M3[c][j]) > 0.05)
                fail_msg("component %d mean %d: %g vs %g", c, j, mu[j], M3[c][j]);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++) {
                double want = C3[c][a][b], got = cv[a * 2 + b];
                double tolr = 0.1 * (a == b ? want : sqrt(C3[c][0][0] * C3[c][1][1]));
                if (fabs(got - want) > tolr)
                    fail_msg("component %d cov (%d,%d): %g vs %g", c, a, b, got, want);
            }
        assert_true(cv[1] == cv[2]);
    }
    assert_true(fabs(ws - 1) < 1e-12);
    /* predict on the training rows agrees with the fit */
    double *resp = malloc(sizeof(double) * (size_t)n * 3), *ll = malloc(sizeof(double) * (size_t)n);
    int32_t *lab = malloc(sizeof(int32_t) * (size_t)n);
    WN_OK_OR_FAIL(wn_gmm_predict(m, t, 0, 2, resp, lab, ll));
    double mean = 0;
    for (int64_t i = 0; i < n; i++) {
        double s = resp[i * 3] + resp[i * 3 + 1] + resp[i * 3 + 2];
        assert_true(fabs(s - 1) < 1e-12);
        for (int k = 0; k < 3; k++)
            assert_true(resp[i * 3 + k] <= resp[i * 3 + lab[i]]);
        mean += ll[i];
    }
    mean /= (double)n;
    assert_true(fabs(mean - wn_gmm_loglik(m)) < 1e-9 * fabs(mean));
    double bic = -2 * (double)n * wn_gmm_loglik(m) + (2 + 6 + 9) * log((double)n);
    assert_true(fabs(bic - wn_gmm_bic(m)) < 1e-9 * fabs(bic));
    free(resp);
    free(ll);
    free(lab);
    wn_gmm_free(m);
    wn_table_free(t);
}

static void test_bic_and_diag(void **state)
{
    (void)state;
    wn_table *t = make_mix(6000, NULL, NULL);
    wn_gmm_params p = wn_gmm_params_default();
    double bic[5], ll[5];
    WN_OK_OR_FAIL(wn_gmm_choose_k(t, &p, 1, 5, bic, ll));
    for (int k = 0; k < 5; k++)
        if (k != 2)
            assert_true(bic[2] < bic[k]);
    assert_true(ll[2] > ll[1] && ll[1] > ll[0]);
    /* diagonal: diagonal matrices, worse than full on correlated data */
    p.k = 3;
    wn_gmm *full, *diag;
    WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &full));
    p.cov = WN_GMM_DIAG;
    WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &diag));
    for (int k = 0; k < 3; k++) {
        const double *cv = wn_gmm_covariances(diag) + 4 * k;
        assert_true(cv[1] == 0 && cv[2] == 0 && cv[0] > 0 && cv[3] > 0);
    }
    assert_true(wn_gmm_loglik(full) > wn_gmm_loglik(diag));
    assert_true(wn_gmm_bic(full) < wn_gmm_bic(diag));
    assert_true(strstr(wn_gmm_header(diag), "\"cov\": \"diag\"") != NULL);
    /* component 1 is axis-aligned: the diagonal model gets its variances */
    int k = match(diag, 1);
    const double *cv = wn_gmm_covariances(diag) + 4 * k;
    assert_true(fabs(cv[0] - 0.5) < 0.1 && fabs(cv[3] - 2) < 0.2);
    wn_gmm_free(full);
    wn_gmm_free(diag);
    wn_table_free(t);
}

/* a component of identical points, and a feature constant within one */
static void test_degenerate(void **state)
{
    (void)state;
    for (int variant = 0; variant < 2; variant++) {
        const int64_t n = 500;
        float a[500], b[500];
        for (int64_t i = 0; i < n; i++) {
            if (i < 200) {
                a[i] = variant ? (float)(20 + nrand()) : 20.0f;
                b[i] = 20.0f; /* constant within the cluster */
            } else {
                a[i] = (float)nrand();
                b[i] = (float)nrand();
            }
        }
        wn_table *t;
        WN_OK_OR_FAIL(wn_table_create(n, &t));
        WN_OK_OR_FAIL(wn_table_add_column(t, "a", a));
        WN_OK_OR_FAIL(wn_table_add_column(t, "b", b));
        for (int cov = 0; cov < 2; cov++) {
            wn_gmm_params p = wn_gmm_params_default();
            p.k = 2;
            p.cov = (wn_gmm_cov)cov;
            wn_gmm *m;
            WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &m));
            assert_true(wn_gmm_regularised(m) > 0);
            assert_true(isfinite(wn_gmm_loglik(m)) && isfinite(wn_gmm_bic(m)));
            assert_true(strstr(wn_gmm_header(m), "\"regularised\": 0") == NULL);
            int k = fabs(wn_gmm_means(m)[0] - 20) < 1 ? 0 : 1;
            assert_true(fabs(wn_gmm_weights(m)[k] - 0.4) < 1e-9);
            assert_true(wn_gmm_covariances(m)[4 * k + 3] < 1e-5);
            wn_gmm_free(m);
        }
        wn_table_free(t);
    }
}

/* a weight of 2 is a duplicated row */
static void test_weights(void **state)
{
    (void)state;
    const int64_t n = 3000;
    float *w = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        w[i] = i % 4 == 0 ? 2.0f : 1.0f;
    wn_table *t = make_mix(n, w, NULL);
    const int64_t nb = n + n / 4;
    wn_table *d;
    WN_OK_OR_FAIL(wn_table_create(nb, &d));
    float *col = malloc(sizeof(float) * (size_t)nb);
    for (int j = 0; j < 2; j++) {
        int64_t r = 0;
        for (int64_t i = 0; i < n; i++) {
            col[r++] = wn_table_get(t, i, j);
            if (i % 4 == 0)
                col[r++] = wn_table_get(t, i, j);
        }
        WN_OK_OR_FAIL(wn_table_add_column(d, j ? "b" : "a", col));
    }
    wn_gmm_params p = wn_gmm_params_default();
    p.k = 3;
    p.tol = 1e-10;
    p.max_iter = 1000;
    wn_gmm *mw, *md;
    WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &mw));
    WN_OK_OR_FAIL(wn_gmm_fit(d, &p, &md));
    assert_true(fabs(wn_gmm_loglik(mw) - wn_gmm_loglik(md)) < 1e-7);
    assert_true(fabs(wn_gmm_bic(mw) - wn_gmm_bic(md)) < 1e-4);
    for (int c = 0; c < 3; c++) {
        int a = match(mw, c), b = match(md, c);
        assert_true(fabs(wn_gmm_weights(mw)[a] - wn_gmm_weights(md)[b]) < 1e-6);
        for (int j = 0; j < 4; j++)
            assert_true(
                fabs(wn_gmm_covariances(mw)[4 * a + j] - wn_gmm_covariances(md)[4 * b + j]) < 1e-5);
    }
    wn_gmm_free(mw);
    wn_gmm_free(md);
    wn_table_free(t);
    wn_table_free(d);
    free(col);
    free(w);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    wn_table *t = make_mix(40, NULL, NULL);
    wn_gmm_params p = wn_gmm_params_default();
    wn_gmm *m = NULL;
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_EINVAL, "gmm: k = 0 must be at least 1");
    p.k = 41;
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_EINVAL, "k = 41 is more than the 40 rows");
    p.k = 2;
    p.cov = (wn_gmm_cov)7;
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_EINVAL, "cov = 7");
    p.cov = WN_GMM_FULL;
    p.reg_covar = -1;
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_EINVAL, "reg_covar");
    p.reg_covar = 1e-6;
    p.tol = (double)NAN;
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_EINVAL, "tol");
    p.tol = 1e-4;
    p.max_iter = 0;
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_EINVAL, "max_iter");
    p.max_iter = 100;
    p.restarts = 0;
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_EINVAL, "restarts");
    p.restarts = 1;
    WN_EXPECT_ERR(wn_gmm_fit(t, NULL, &m), WN_EINVAL, "NULL");
    double bic[3], ll[3];
    WN_EXPECT_ERR(wn_gmm_choose_k(t, &p, 2, 1, bic, ll), WN_EINVAL, "k range 2..1");
    wn_table_column_mut(t, 0)[11] = INFINITY;
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_ENUMERIC, "row 12, column 'a'");
    p.data.drop_missing = 1;
    WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &m));
    assert_int_equal(wn_gmm_num_dropped(m), 1);
    assert_int_equal(wn_gmm_num_rows(m), 39);
    double resp[80], lg[40];
    int32_t lab[40];
    WN_EXPECT_ERR(wn_gmm_predict(m, t, 0, 1, resp, lab, lg), WN_ENUMERIC, "row 12, column 'a'");
    WN_OK_OR_FAIL(wn_gmm_predict(m, t, 1, 1, resp, lab, lg));
    assert_int_equal(lab[11], -1);
    assert_true(isnan(lg[11]) && isnan(resp[22]) && isnan(resp[23]));
    assert_true(lab[10] >= 0 && isfinite(lg[10]));
    WN_OK_OR_FAIL(wn_gmm_predict(m, t, 1, 1, NULL, NULL, lg)); /* outputs optional */
    wn_table *t2;
    WN_OK_OR_FAIL(wn_table_create(2, &t2));
    WN_OK_OR_FAIL(wn_table_add_column(t2, "b", NULL));
    WN_EXPECT_ERR(wn_gmm_predict(m, t2, 1, 1, resp, lab, lg), WN_ENOTFOUND, "\"a\"");
    wn_table_free(t2);
    wn_gmm_free(m);
    float w[40];
    for (int i = 0; i < 40; i++)
        w[i] = 1;
    w[3] = -0.5f;
    WN_OK_OR_FAIL(wn_table_add_column(t, "w", w));
    WN_OK_OR_FAIL(wn_table_set_role(t, 2, WN_ROLE_WEIGHT));
    WN_EXPECT_ERR(wn_gmm_fit(t, &p, &m), WN_ENUMERIC, "row 4: negative weight");
    wn_table_free(t);
}

static void test_threads(void **state)
{
    (void)state;
    const int64_t n = 3 * WN__CLU_BLOCK + 500;
    float *w = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        w[i] = (float)(0.25 + urand());
    wn_table *t = make_mix(n, w, NULL);
    wn_gmm_params p = wn_gmm_params_default();
    p.k = 3;
    p.restarts = 2;
    p.data.standardize = 1;
    wn_gmm *m[2];
    double *resp[2], *ll[2];
    int32_t *lab[2];
    for (int k = 0; k < 2; k++) {
        p.data.threads = k + 1;
        WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &m[k]));
        resp[k] = malloc(sizeof(double) * (size_t)n * 3);
        ll[k] = malloc(sizeof(double) * (size_t)n);
        lab[k] = malloc(sizeof(int32_t) * (size_t)n);
        WN_OK_OR_FAIL(wn_gmm_predict(m[k], t, 0, k + 1, resp[k], lab[k], ll[k]));
    }
    assert_memory_equal(wn_gmm_weights(m[0]), wn_gmm_weights(m[1]), sizeof(double) * 3);
    assert_memory_equal(wn_gmm_means(m[0]), wn_gmm_means(m[1]), sizeof(double) * 6);
    assert_memory_equal(wn_gmm_covariances(m[0]), wn_gmm_covariances(m[1]), sizeof(double) * 12);
    double a = wn_gmm_loglik(m[0]), b = wn_gmm_loglik(m[1]);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(wn_gmm_iterations(m[0]), wn_gmm_iterations(m[1]));
    assert_memory_equal(resp[0], resp[1], sizeof(double) * (size_t)n * 3);
    assert_memory_equal(ll[0], ll[1], sizeof(double) * (size_t)n);
    assert_memory_equal(lab[0], lab[1], sizeof(int32_t) * (size_t)n);
    for (int k = 0; k < 2; k++) {
        wn_gmm_free(m[k]);
        free(resp[k]);
        free(ll[k]);
        free(lab[k]);
    }
    free(w);
    wn_table_free(t);
}

static const char *tmp_path(const char *name)
{
    static char b[4][512];
    static int k;
    char *p = b[k++ & 3];
    snprintf(p, 512, "%s/wn_gmm_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
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

static void resave(const char *path, const char *hdr, const uint8_t *mb, size_t mn,
                   const uint8_t *cb, size_t cn)
{
    wn__section s[2] = {{"means", mb, mn}, {"covariances", cb, cn}};
    WN_OK_OR_FAIL(wn__container_save(path, hdr, s, 2));
}

static void test_round_trip(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = make_mix(2000, NULL, NULL);
    wn_gmm_params p = wn_gmm_params_default();
    p.k = 3;
    p.data.command_line = "winnow gmm --k 3";
    wn_gmm *m, *l;
    WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &m));
    const char *f1 = tmp_path("a.wnm"), *f2 = tmp_path("b.wnm"), *f3 = tmp_path("c.wnm");
    WN_OK_OR_FAIL(wn_gmm_save(m, f1));
    WN_OK_OR_FAIL(wn_gmm_load(f1, &l));
    assert_string_equal(wn_gmm_header(m), wn_gmm_header(l));
    assert_memory_equal(wn_gmm_weights(m), wn_gmm_weights(l), sizeof(double) * 3);
    assert_memory_equal(wn_gmm_means(m), wn_gmm_means(l), sizeof(double) * 6);
    assert_memory_equal(wn_gmm_covariances(m), wn_gmm_covariances(l), sizeof(double) * 12);
    assert_true(wn_gmm_loglik(m) == wn_gmm_loglik(l) && wn_gmm_bic(m) == wn_gmm_bic(l));
    assert_int_equal(wn_gmm_converged(l), wn_gmm_converged(m));
    double r1[6000], r2[6000], g1[2000], g2[2000];
    int32_t a1[2000], a2[2000];
    WN_OK_OR_FAIL(wn_gmm_predict(m, t, 0, 2, r1, a1, g1));
    WN_OK_OR_FAIL(wn_gmm_predict(l, t, 0, 2, r2, a2, g2));
    assert_memory_equal(r1, r2, sizeof r1);
    assert_memory_equal(g1, g2, sizeof g1);
    assert_memory_equal(a1, a2, sizeof a1);
    WN_OK_OR_FAIL(wn_gmm_save(l, f2));
    size_t n1, n2;
    uint8_t *b1 = slurp(f1, &n1), *b2 = slurp(f2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
    wn_gmm_free(l);
    /* corrupted files, re-saved through the container (checksums right) */
    wn__container *c;
    WN_OK_OR_FAIL(wn__container_load(f1, &c));
    const char *hdr = wn__container_header(c, NULL);
    const void *sd;
    size_t mn, cn;
    WN_OK_OR_FAIL(wn__container_section(c, "means", &sd, &mn));
    uint8_t *mb = malloc(mn);
    memcpy(mb, sd, mn);
    WN_OK_OR_FAIL(wn__container_section(c, "covariances", &sd, &cn));
    uint8_t *cb = calloc(1, cn + 8); /* room for a section too long */
    memcpy(cb, sd, cn);
    struct {
        const char *from, *to, *needle;
    } E[] = {
        {"\"gmm\"", "\"kmeans\"", "not a gmm model"},
        {"\"format_version\": 1", "\"format_version\": 9", "newer"},
        {"\"k\": 3", "\"k\": 4", "weights"},
        {"\"cov\": \"full\"", "\"cov\": \"round\"", "\"cov\" must be"},
        {"\"weights\": [\n    0.", "\"weights\": [\n    0.0", "sum to"},
        {"\"weights\": [\n    0.", "\"weights\": [\n    -0.", "outside (0, 1]"},
        {"\"converged\": true", "\"converged\": 1", "converged"},
        {"\"reg_covar\": 1e-06", "\"reg_covar\": -1e-06", ">= 0"},
        {"\"loglik\": -", "\"loglik\": null, \"x\": -", "loglik"},
    };
    for (size_t e = 0; e < sizeof E / sizeof E[0]; e++) {
        const char *at = strstr(hdr, E[e].from);
        if (!at)
            fail_msg("header lacks %s:\n%s", E[e].from, hdr);
        size_t hl = strlen(hdr), fl = strlen(E[e].from), tl = strlen(E[e].to);
        char *h = malloc(hl + tl + 1);
        memcpy(h, hdr, (size_t)(at - hdr));
        memcpy(h + (at - hdr), E[e].to, tl);
        strcpy(h + (at - hdr) + tl, at + fl);
        resave(f3, h, mb, mn, cb, cn);
        WN_EXPECT_ERR(wn_gmm_load(f3, &l), WN_EFORMAT, E[e].needle);
        assert_non_null(strstr(wn_errmsg(), f3));
        free(h);
    }
    /* covariance 0: asymmetric, then not positive definite; a NaN mean */
    uint8_t save[32];
    memcpy(save, cb, 32);
    double v = 0.123;
    memcpy(cb + 8, &v, 8);
    resave(f3, hdr, mb, mn, cb, cn);
    WN_EXPECT_ERR(wn_gmm_load(f3, &l), WN_EFORMAT, "not symmetric");
    memcpy(cb, save, 32);
    v = -1;
    memcpy(cb, &v, 8);
    resave(f3, hdr, mb, mn, cb, cn);
    WN_EXPECT_ERR(wn_gmm_load(f3, &l), WN_EFORMAT, "not positive definite");
    memcpy(cb, save, 32);
    uint64_t nanb = 0x7ff8000000000000ull;
    memcpy(save, mb, 16);
    memcpy(mb + 8, &nanb, 8);
    resave(f3, hdr, mb, mn, cb, cn);
    WN_EXPECT_ERR(wn_gmm_load(f3, &l), WN_EFORMAT, "section \"means\": value 1 is not finite");
    memcpy(mb, save, 16);
    resave(f3, hdr, mb, mn - 8, cb, cn);
    WN_EXPECT_ERR(wn_gmm_load(f3, &l), WN_EFORMAT, "expected 6 doubles");
    resave(f3, hdr, mb, mn, cb, cn + 8);
    WN_EXPECT_ERR(wn_gmm_load(f3, &l), WN_EFORMAT, "expected 12 doubles");
    free(mb);
    free(cb);
    wn__container_free(c);
    /* a diagonal model with an off-diagonal entry */
    p.cov = WN_GMM_DIAG;
    wn_gmm *dg;
    WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &dg));
    WN_OK_OR_FAIL(wn_gmm_save(dg, f1));
    WN_OK_OR_FAIL(wn__container_load(f1, &c));
    WN_OK_OR_FAIL(wn__container_section(c, "covariances", &sd, &cn));
    cb = malloc(cn);
    memcpy(cb, sd, cn);
    WN_OK_OR_FAIL(wn__container_section(c, "means", &sd, &mn));
    v = 0.01;
    memcpy(cb + 8, &v, 8);
    memcpy(cb + 16, &v, 8);
    resave(f3, wn__container_header(c, NULL), sd, mn, cb, cn);
    WN_EXPECT_ERR(wn_gmm_load(f3, &l), WN_EFORMAT, "diagonal covariance 0");
    free(cb);
    wn__container_free(c);
    wn_gmm_free(dg);
    unlink(f1);
    unlink(f2);
    unlink(f3);
    wn_gmm_free(m);
    wn_table_free(t);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = make_mix(300, NULL, NULL);
    wn_gmm_params p = wn_gmm_params_default();
    p.k = 2;
    p.restarts = 2;
    p.max_iter = 5;
    p.data.threads = 2;
    const char *f = tmp_path("af.wnm");
    double ll[300];
    int ok = 0;
    for (int64_t i = 1; i < 5000 && !ok; i++) {
        wn_gmm *m = NULL, *l = NULL;
        wn__alloc_fail_at(i);
        wn_status s = wn_gmm_fit(t, &p, &m);
        if (s == WN_OK)
            s = wn_gmm_save(m, f);
        if (s == WN_OK)
            s = wn_gmm_load(f, &l);
        if (s == WN_OK)
            s = wn_gmm_predict(l, t, 0, 2, NULL, NULL, ll);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            ok = 1;
        else if (s != WN_ENOMEM)
            fail_msg("fail at %lld: %s: %s", (long long)i, wn_status_name(s), wn_errmsg());
        wn_gmm_free(m);
        wn_gmm_free(l);
    }
    assert_true(ok);
    unlink(f);
    wn_table_free(t);
}

/* Writes fuzz seeds (tests/fuzz/corpus/umodel) when WN_UMODEL_CORPUS names a
 * folder: a full and a diagonal mixture. */
static void test_write_seeds(void **state)
{
    (void)state;
    const char *dir = getenv("WN_UMODEL_CORPUS");
    if (!dir)
        skip();
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = make_mix(300, NULL, NULL);
    for (int cov = 0; cov < 2; cov++) {
        wn_gmm_params p = wn_gmm_params_default();
        p.k = 3;
        p.cov = (wn_gmm_cov)cov;
        wn_gmm *m;
        WN_OK_OR_FAIL(wn_gmm_fit(t, &p, &m));
        char q[512];
        snprintf(q, sizeof q, "%s/gmm_%s.wnm", dir, cov ? "diag" : "full");
        WN_OK_OR_FAIL(wn_gmm_save(m, q));
        wn_gmm_free(m);
    }
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_mixture), cmocka_unit_test(test_bic_and_diag),
        cmocka_unit_test(test_degenerate),       cmocka_unit_test(test_weights),
        cmocka_unit_test(test_bad_inputs),       cmocka_unit_test(test_threads),
        cmocka_unit_test(test_round_trip),       cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_write_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
