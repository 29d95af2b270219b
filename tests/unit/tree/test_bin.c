/* test_bin.c — feature quantisation: cut choice, the split-equivalence rule,
 * the fast apply kernel against a slow reference, determinism, views,
 * serialisation and every allocation failure. */
#include "wn_test.h"

#include "core.h"
#include "tree/bin.h"

#include <float.h>
#include <math.h>

/* ---- helpers ---------------------------------------------------------------- */

static int ncuts(const wn__binning *b, int64_t f) { return b->nbins[f] > 2 ? b->nbins[f] - 2 : 0; }

/* The obvious version: count cuts below x by plain binary search. */
static int ref_bin(const wn__binning *b, int64_t f, float x)
{
    if (isnan(x))
        return b->missing_bin[f];
    if (b->nbins[f] == 1)
        return 0;
    int lo = 0, hi = ncuts(b, f); /* first index with cut >= x */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (b->cuts[f][mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static wn_table *make_table(int64_t n, int ncol, float **cols)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    for (int c = 0; c < ncol; c++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", c);
        WN_OK_OR_FAIL(wn_table_add_column(t, name, cols[c]));
    }
    return t;
}

static const int64_t FC[8] = {0, 1, 2, 3, 4, 5, 6, 7};

/* A table of nasty values: random normals, a few distinct levels, heavy
 * ties, and values exactly at / next to cuts chosen on a first pass. */
static float nasty_value(wn_rng *r)
{
    static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, FLT_MIN, -FLT_MIN, 1e-45f,
                                    -1e-45f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN};
    uint64_t k = wn_rng_below(r, 10);
    if (k < 2)
        return special[wn_rng_below(r, sizeof special / sizeof special[0])];
    if (k < 4)
        return (float)wn_rng_below(r, 7) - 3.0f;
    if (k < 5)
        return (float)(wn_rng_normal(r) * 1e-40); /* subnormals */
    return (float)wn_rng_normal(r);
}

/* ---- cut choice ------------------------------------------------------------- */

static void test_distinct_exact(void **state)
{
    (void)state;
    float a = 1.0f, an = nextafterf(1.0f, 2.0f);
    float x[10] = {3, 1, 2, 2, NAN, 5, 1, -INFINITY, INFINITY, -0.0f};
    float y[10] = {a, an, a, an, a, an, a, an, a, an}; /* neighbouring floats */
    float z[10] = {0.0f, -0.0f, 1e-45f, 0.0f, -0.0f, 1e-45f, 0.0f, 0.0f, 0.0f, 0.0f};
    float *cols[3] = {x, y, z};
    wn_table *t = make_table(10, 3, cols);
    wn__binning *b = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(t, FC, 3, 255, 0, 1, 1, &b));
    /* x: distinct finite {0, 1, 2, 3, 5} → cuts at midpoints */
    assert_int_equal(b->nbins[0], 6);
    assert_int_equal(b->missing_bin[0], 5);
    assert_int_equal(b->flags[0], 0);
    const float want[4] = {0.5f, 1.5f, 2.5f, 4.0f};
    for (int j = 0; j < 4; j++)
        assert_true(b->cuts[0][j] == want[j]);
    uint8_t *codes = NULL;
    WN_OK_OR_FAIL(wn__binning_apply(b, t, FC, 1, &codes));
    const uint8_t wantc[10] = {3, 1, 2, 2, 5, 4, 1, 0, 4, 0};
    assert_memory_equal(codes, wantc, 10);
    /* neighbouring floats are still separated: a <= cut < an */
    assert_int_equal(b->nbins[1], 3);
    assert_true(b->cuts[1][0] >= a && b->cuts[1][0] < an);
    for (int r = 0; r < 10; r++)
        assert_int_equal(codes[10 + r], y[r] == a ? 0 : 1);
    /* -0.0 and +0.0 are one value; the smallest subnormal is another */
    assert_int_equal(b->nbins[2], 3);
    assert_true(b->cuts[2][0] >= 0.0f && b->cuts[2][0] < 1e-45f);
    assert_true(signbit(b->cuts[2][0]) == 0);
    for (int r = 0; r < 10; r++)
        assert_int_equal(codes[20 + r], z[r] == 0.0f ? 0 : 1);
    wn_free(codes);
    wn__binning_free(b);
    wn_table_free(t);
}

static void test_quantile_counts(void **state)
{
    (void)state;
    const int64_t n = 100000;
    const int B = 64;
    float *x = malloc((size_t)n * sizeof *x), *u = malloc((size_t)n * sizeof *u);
    wn_rng r = wn_rng_make(5, 0);
    for (int64_t i = 0; i < n; i++) {
        x[i] = (float)wn_rng_normal(&r);
        u[i] = (float)wn_rng_exponential(&r);
    }
    float *cols[2] = {x, u};
    wn_table *t = make_table(n, 2, cols);
    wn__binning *b = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(t, FC, 2, B, 0, 1, 2, &b));
    uint8_t *codes = NULL;
    WN_OK_OR_FAIL(wn__binning_apply(b, t, FC, 2, &codes));
    for (int f = 0; f < 2; f++) {
        assert_int_equal(b->nbins[f], B + 1);
        int64_t cnt[256] = {0};
        for (int64_t i = 0; i < n; i++)
            cnt[codes[f * n + i]]++;
        assert_int_equal(cnt[B], 0); /* no missing */
        double target = (double)n / B;
        for (int k = 0; k < B; k++)
            if (fabs((double)cnt[k] - target) > 0.01 * target + 2)
                fail_msg("feature %d bin %d holds %lld, want about %.0f", f, k,
                         (long long)cnt[k], target);
    }
    /* a sample of a fifth: bins still hold about a 64th of all rows */
    wn__binning *bs = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(t, FC, 1, B, n / 5, 9, 1, &bs));
    uint8_t *cs = NULL;
    WN_OK_OR_FAIL(wn__binning_apply(bs, t, FC, 1, &cs));
    int64_t cnt[256] = {0};
    for (int64_t i = 0; i < n; i++)
        cnt[cs[i]]++;
    for (int k = 0; k < B; k++) /* binomial spread of a 20000-row sample: ~9% per bin */
        assert_true(fabs((double)cnt[k] - (double)n / B) < 0.4 * (double)n / B);
    wn_free(cs);
    wn__binning_free(bs);
    wn_free(codes);
    wn__binning_free(b);
    wn_table_free(t);
    free(x);
    free(u);
}

static void test_heavy_ties(void **state)
{
    (void)state;
    const int64_t n = 50000;
    const int B = 32;
    float *x = malloc((size_t)n * sizeof *x);
    wn_rng r = wn_rng_make(6, 0);
    int64_t zeros = 0;
    for (int64_t i = 0; i < n; i++) {
        x[i] = wn_rng_uniform(&r) < 0.9 ? 0.0f : (float)wn_rng_normal(&r) + 0.5f;
        zeros += x[i] == 0.0f;
    }
    float *cols[1] = {x};
    wn_table *t = make_table(n, 1, cols);
    wn__binning *b = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(t, FC, 1, B, 0, 1, 1, &b));
    assert_true(b->nbins[0] >= B - 2 && b->nbins[0] <= B + 1);
    uint8_t *codes = NULL;
    WN_OK_OR_FAIL(wn__binning_apply(b, t, FC, 1, &codes));
    int64_t cnt[256] = {0};
    for (int64_t i = 0; i < n; i++)
        cnt[codes[i]]++;
    int z = wn__binning_bin_of(b, 0, 0.0f);
    assert_int_equal(cnt[z], zeros); /* the tie value is alone in its bin */
    /* the other 10% are spread over the remaining bins */
    double rest = (double)(n - zeros) / (b->nbins[0] - 2);
    for (int k = 0; k < b->nbins[0] - 1; k++) {
        if (k == z)
            continue;
        if ((double)cnt[k] < 0.5 * rest || (double)cnt[k] > 2.0 * rest)
            fail_msg("bin %d holds %lld of the non-zero rows, want about %.0f", k,
                     (long long)cnt[k], rest);
    }
    wn_free(codes);
    wn__binning_free(b);
    wn_table_free(t);
    free(x);
}

static void test_constant_and_missing(void **state)
{
    (void)state;
    float c[6] = {2, 2, NAN, 2, 2, 2}, m[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    float inf[6] = {INFINITY, -INFINITY, NAN, INFINITY, INFINITY, NAN};
    float *cols[3] = {c, m, inf};
    wn_table *t = make_table(6, 3, cols);
    wn__binning *b = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(t, FC, 3, 16, 0, 1, 2, &b));
    assert_int_equal(b->nbins[0], 2);
    assert_int_equal(b->missing_bin[0], 1);
    assert_int_equal(b->flags[0], WN__BIN_CONSTANT);
    assert_int_equal(b->nbins[1], 1);
    assert_int_equal(b->missing_bin[1], 0);
    assert_int_equal(b->flags[1], WN__BIN_ALL_MISSING);
    assert_int_equal(b->nbins[2], 1); /* ±inf alone: no finite value either */
    assert_true(b->flags[2] & WN__BIN_SKIP);
    uint8_t *codes = NULL;
    WN_OK_OR_FAIL(wn__binning_apply(b, t, FC, 2, &codes));
    const uint8_t want[18] = {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(codes, want, 18);
    assert_int_equal(wn__binning_bin_of(b, 0, 1e30f), 0);
    assert_int_equal(wn__binning_bin_of(b, 1, 3.0f), 0);
    wn_free(codes);
    wn__binning_free(b);
    wn_table_free(t);

    /* an empty table: every feature is all-missing */
    WN_OK_OR_FAIL(wn_table_create(0, &t));
    WN_OK_OR_FAIL(wn_table_add_column(t, "a", NULL));
    WN_OK_OR_FAIL(wn__binning_fit(t, FC, 1, 16, 100, 1, 1, &b));
    assert_int_equal(b->nbins[0], 1);
    WN_OK_OR_FAIL(wn__binning_apply(b, t, FC, 1, &codes));
    wn_free(codes);
    wn__binning_free(b);
    wn_table_free(t);
}

static void test_errors(void **state)
{
    (void)state;
    float x[3] = {1, 2, 3};
    float *cols[1] = {x};
    wn_table *t = make_table(3, 1, cols);
    wn__binning *b = NULL;
    int64_t bad[1] = {1};
    WN_EXPECT_ERR(wn__binning_fit(t, FC, 1, 1, 0, 1, 1, &b), WN_EINVAL, "max_bins = 1");
    WN_EXPECT_ERR(wn__binning_fit(t, FC, 1, 256, 0, 1, 1, &b), WN_EINVAL, "max_bins = 256");
    WN_EXPECT_ERR(wn__binning_fit(t, bad, 1, 16, 0, 1, 1, &b), WN_EINVAL, "feature_cols[0] = 1");
    WN_EXPECT_ERR(wn__binning_fit(t, FC, 0, 16, 0, 1, 1, &b), WN_EINVAL, "nfeat");
    WN_EXPECT_ERR(wn__binning_fit(t, NULL, 1, 16, 0, 1, 1, &b), WN_EINVAL, "feature_cols");
    WN_EXPECT_ERR(wn__binning_fit(NULL, FC, 1, 16, 0, 1, 1, &b), WN_EINVAL, "table");
    assert_null(b);
    WN_OK_OR_FAIL(wn__binning_fit(t, FC, 1, 16, 0, 1, 1, &b));
    uint8_t *codes = NULL;
    WN_EXPECT_ERR(wn__binning_apply(b, t, bad, 1, &codes), WN_EINVAL, "feature_cols[0]");
    WN_EXPECT_ERR(wn__binning_apply(b, t, FC, 1, NULL), WN_EINVAL, "codes_out");
    assert_null(codes);
    wn__binning_free(b);
    wn__binning_free(NULL);
    wn_table_free(t);
}

/* ---- the split rule and the fast kernel ----------------------------------- */

static wn_table *nasty_table(int64_t n, int ncol, uint64_t seed)
{
    float *cols[8];
    wn_rng r = wn_rng_make(seed, 0);
    for (int c = 0; c < ncol; c++) {
        cols[c] = malloc((size_t)n * sizeof(float));
        for (int64_t i = 0; i < n; i++)
            cols[c][i] = c == 0 ? (float)wn_rng_normal(&r) : nasty_value(&r);
    }
    wn_table *t = make_table(n, ncol, cols);
    for (int c = 0; c < ncol; c++)
        free(cols[c]);
    return t;
}

/* Rewrites a share of each column to sit exactly on, or one ulp either side
 * of, a cut of b, so the edge rule is exercised where it matters. */
static void put_values_on_cuts(wn_table *t, const wn__binning *b, int ncol, uint64_t seed)
{
    wn_rng r = wn_rng_make(seed, 1);
    int64_t n = wn_table_nrows(t);
    for (int c = 0; c < ncol; c++) {
        float *d = wn_table_column_mut(t, c);
        if (ncuts(b, c) == 0)
            continue;
        for (int64_t i = 0; i < n; i += 3) {
            float cut = b->cuts[c][wn_rng_below(&r, (uint64_t)ncuts(b, c))];
            uint64_t k = wn_rng_below(&r, 3);
            d[i] = k == 0 ? cut : k == 1 ? nextafterf(cut, INFINITY) : nextafterf(cut, -INFINITY);
        }
    }
}

static void test_split_equivalence_and_reference(void **state)
{
    (void)state;
    const int64_t n = 30000;
    const int ncol = 6;
    const int maxb[3] = {255, 17, 2};
    for (int mb = 0; mb < 3; mb++) {
        wn_table *t = nasty_table(n, ncol, 11 + (uint64_t)mb);
        wn__binning *b = NULL;
        WN_OK_OR_FAIL(wn__binning_fit(t, FC, ncol, maxb[mb], 5000, 3, 2, &b));
        put_values_on_cuts(t, b, ncol, 4);
        uint8_t *codes = NULL, *rm = NULL;
        WN_OK_OR_FAIL(wn__binning_apply(b, t, FC, 2, &codes));
        WN_OK_OR_FAIL(wn__binning_apply_rowmajor(b, t, FC, 2, &rm));
        wn_rng r = wn_rng_make(77, (uint64_t)mb);
        for (int f = 0; f < ncol; f++) {
            const float *d = wn_table_column(t, f);
            assert_true(b->nbins[f] <= maxb[mb] + 1);
            for (int j = 1; j < ncuts(b, f); j++)
                assert_true(b->cuts[f][j - 1] < b->cuts[f][j]);
            for (int64_t i = 0; i < n; i++) {
                int want = ref_bin(b, f, d[i]);
                if (codes[f * n + i] != want || rm[i * ncol + f] != want ||
                    wn__binning_bin_of(b, f, d[i]) != want)
                    fail_msg("feature %d row %lld x=%a: fast %d / rowmajor %d / bin_of %d, "
                             "reference %d",
                             f, (long long)i, (double)d[i], codes[f * n + i], rm[i * ncol + f],
                             wn__binning_bin_of(b, f, d[i]), want);
            }
            /* split "code <= cb" is "x <= cuts[cb]" on raw floats; NaN ↔ missing */
            for (int trial = 0; trial < 8 && ncuts(b, f) > 0; trial++) {
                int cb = (int)wn_rng_below(&r, (uint64_t)ncuts(b, f));
                float cut = b->cuts[f][cb];
                for (int64_t i = 0; i < n; i++) {
                    int code = codes[f * n + i];
                    if (isnan(d[i])) {
                        assert_int_equal(code, b->missing_bin[f]);
                        continue;
                    }
                    assert_true(code != b->missing_bin[f]);
                    if ((code <= cb) != (d[i] <= cut))
                        fail_msg("feature %d row %lld x=%a code %d: split at bin %d vs cut %a",
                                 f, (long long)i, (double)d[i], code, cb, (double)cut);
                }
            }
            /* ±inf: top and bottom ordinary bins */
            if (b->nbins[f] > 1) {
                assert_int_equal(wn__binning_bin_of(b, f, INFINITY), b->nbins[f] - 2);
                assert_int_equal(wn__binning_bin_of(b, f, -INFINITY), 0);
            }
        }
        wn_free(rm);
        wn_free(codes);
        wn__binning_free(b);
        wn_table_free(t);
    }
}

static void test_threads_and_views(void **state)
{
    (void)state;
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &p);
    p.rows = 40000;
    p.threads = 2;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_HIGGS_LIKE, &p, &t, NULL));
    /* column 0 is the label: bin the first 8 features */
    const int64_t nf = 8, fc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    wn__binning *b1 = NULL, *b2 = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(t, fc, nf, 255, 10000, 5, 1, &b1));
    WN_OK_OR_FAIL(wn__binning_fit(t, fc, nf, 255, 10000, 5, 2, &b2));
    void *p1 = NULL, *p2 = NULL;
    size_t l1 = 0, l2 = 0;
    WN_OK_OR_FAIL(wn__binning_pack(b1, &p1, &l1));
    WN_OK_OR_FAIL(wn__binning_pack(b2, &p2, &l2));
    assert_int_equal(l1, l2);
    assert_memory_equal(p1, p2, l1); /* identical cuts at 1 and 2 threads */
    uint8_t *c1 = NULL, *c2 = NULL;
    int64_t n = wn_table_nrows(t);
    WN_OK_OR_FAIL(wn__binning_apply(b1, t, fc, 1, &c1));
    WN_OK_OR_FAIL(wn__binning_apply(b2, t, fc, 2, &c2));
    assert_memory_equal(c1, c2, (size_t)(n * nf));
    /* another seed draws another sample, so other cuts */
    wn__binning *b3 = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(t, fc, nf, 255, 10000, 6, 2, &b3));
    assert_true(memcmp(b3->cuts[0], b1->cuts[0], 255 * sizeof(float)) != 0);
    wn__binning_free(b3);

    /* a view (reversed, every other row): codes equal the parent's codes of
     * the same rows; and fitting on all rows of a view equals fitting on a
     * copy of those rows */
    int64_t nv = n / 2;
    int64_t *rows = malloc((size_t)nv * sizeof *rows);
    for (int64_t i = 0; i < nv; i++)
        rows[i] = n - 1 - 2 * i;
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, nv, &v));
    uint8_t *cv = NULL, *cvr = NULL;
    WN_OK_OR_FAIL(wn__binning_apply(b1, v, fc, 2, &cv));
    WN_OK_OR_FAIL(wn__binning_apply_rowmajor(b1, v, fc, 2, &cvr));
    for (int64_t f = 0; f < nf; f++)
        for (int64_t i = 0; i < nv; i++) {
            assert_int_equal(cv[f * nv + i], c1[f * n + rows[i]]);
            assert_int_equal(cvr[i * nf + f], c1[f * n + rows[i]]);
        }
    float *cols[8];
    for (int64_t f = 0; f < nf; f++) {
        cols[f] = malloc((size_t)nv * sizeof(float));
        wn_table_gather(v, fc[f], cols[f]);
    }
    wn_table *copy = make_table(nv, (int)nf, cols);
    wn__binning *bv = NULL, *bc = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(v, fc, nf, 64, 0, 5, 2, &bv));
    WN_OK_OR_FAIL(wn__binning_fit(copy, FC, nf, 64, 0, 5, 1, &bc));
    void *pv = NULL, *pc = NULL;
    size_t lv = 0, lc = 0;
    WN_OK_OR_FAIL(wn__binning_pack(bv, &pv, &lv));
    WN_OK_OR_FAIL(wn__binning_pack(bc, &pc, &lc));
    assert_int_equal(lv, lc);
    assert_memory_equal(pv, pc, lv);
    /* a sampled fit of a view reads the view's rows, not the parent's */
    wn__binning *bvs = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(v, fc, nf, 64, nv / 2, 5, 2, &bvs));
    wn__binning_free(bvs);
    for (int64_t f = 0; f < nf; f++)
        free(cols[f]);
    wn_free(pv);
    wn_free(pc);
    wn__binning_free(bv);
    wn__binning_free(bc);
    wn_table_free(copy);
    wn_free(cv);
    wn_free(cvr);
    wn_table_free(v);
    free(rows);
    wn_free(c1);
    wn_free(c2);
    wn_free(p1);
    wn_free(p2);
    wn__binning_free(b1);
    wn__binning_free(b2);
    wn_table_free(t);
}

/* ---- serialisation ------------------------------------------------------------ */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void test_pack_roundtrip_and_truncation(void **state)
{
    (void)state;
    wn_table *t = nasty_table(5000, 4, 21);
    wn__binning *b = NULL;
    WN_OK_OR_FAIL(wn__binning_fit(t, FC, 4, 40, 0, 1, 1, &b));
    void *buf = NULL;
    size_t len = 0;
    WN_OK_OR_FAIL(wn__binning_pack(b, &buf, &len));
    wn__binning *u = NULL;
    WN_OK_OR_FAIL(wn__binning_unpack(buf, len, &u));
    assert_int_equal(u->nfeat, b->nfeat);
    for (int64_t f = 0; f < b->nfeat; f++) {
        assert_int_equal(u->nbins[f], b->nbins[f]);
        assert_int_equal(u->missing_bin[f], b->missing_bin[f]);
        assert_int_equal(u->flags[f], b->flags[f]);
        assert_int_equal(u->depth[f], b->depth[f]);
        assert_memory_equal(u->cuts[f], b->cuts[f], 256 * sizeof(float));
    }
    void *buf2 = NULL;
    size_t len2 = 0;
    WN_OK_OR_FAIL(wn__binning_pack(u, &buf2, &len2));
    assert_int_equal(len2, len);
    assert_memory_equal(buf2, buf, len);
    wn__binning_free(u);
    /* every truncation fails cleanly, leaving *out alone */
    for (size_t k = 0; k < len; k++) {
        wn__binning *x = (wn__binning *)(uintptr_t)1;
        wn_status s = wn__binning_unpack(buf, k, &x);
        if (s != WN_EFORMAT || x != (wn__binning *)(uintptr_t)1)
            fail_msg("truncation to %zu bytes: %s (%s)", k, wn_status_name(s), wn_errmsg());
        assert_true(strncmp(wn_errmsg(), "binning: ", 9) == 0);
    }
    /* corruptions */
    uint8_t *c = malloc(len + 1);
    const uint8_t *orig = buf;
    int f0 = 16; /* feature 0 record */
    assert_true(orig[f0] > 3); /* it has at least two cuts */
#define CORRUPT(stmt, n, needle)                                                                   \
    do {                                                                                           \
        memcpy(c, orig, len);                                                                      \
        stmt;                                                                                      \
        WN_EXPECT_ERR(wn__binning_unpack(c, (n), &u), WN_EFORMAT, needle);                         \
    } while (0)
    CORRUPT(c[0] = 'X', len, "magic");
    CORRUPT(c[4] = 2, len, "version 2");
    CORRUPT(c[8] = 0, len, "feature count 0");
    CORRUPT(c[15] = 1, len, "feature count");
    CORRUPT((c[f0] = 0, c[f0 + 1] = 0), len, "0 bins");
    CORRUPT((c[f0] = 1, c[f0 + 1] = 1), len, "257 bins");
    CORRUPT(c[f0 + 2] = 1, len, "reserved");
    CORRUPT(put32(c + f0 + 4, 0x7fc00000u), len, "not finite");
    CORRUPT(put32(c + f0 + 4, 0x7f800000u), len, "not finite");
    CORRUPT(memcpy(c + f0 + 4, orig + f0 + 8, 4), len, "not ascending");
    CORRUPT(c[len] = 0, len + 1, "trailing");
#undef CORRUPT
    free(c);
    wn_free(buf);
    wn_free(buf2);
    wn__binning_free(b);
    wn_table_free(t);
}

/* ---- allocation failures ------------------------------------------------------ */

static void test_alloc_failures(void **state)
{
    (void)state;
    wn_table *t = nasty_table(20000, 3, 31);
    int64_t rows[5] = {4, 3, 2, 1, 0};
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 5, &v));
    int succeeded = 0;
    for (int64_t n = 1; !succeeded && n < 1000; n++) {
        wn__alloc_fail_at(n);
        wn__binning *b = NULL, *u = NULL;
        uint8_t *codes = NULL, *rm = NULL, *cv = NULL;
        void *buf = NULL;
        size_t len = 0;
        wn_status s = wn__binning_fit(t, FC, 3, 64, 1000, 1, 2, &b);
        if (s == WN_OK)
            s = wn__binning_fit(v, FC, 3, 64, 0, 1, 1, &u);
        if (s == WN_OK) {
            wn__binning_free(u);
            u = NULL;
            s = wn__binning_apply(b, t, FC, 2, &codes);
        }
        if (s == WN_OK)
            s = wn__binning_apply_rowmajor(b, t, FC, 1, &rm);
        if (s == WN_OK)
            s = wn__binning_apply(b, v, FC, 1, &cv);
        if (s == WN_OK)
            s = wn__binning_pack(b, &buf, &len);
        if (s == WN_OK)
            s = wn__binning_unpack(buf, len, &u);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            succeeded = 1;
        else
            assert_int_equal(s, WN_ENOMEM);
        wn__binning_free(u);
        wn_free(buf);
        wn_free(cv);
        wn_free(rm);
        wn_free(codes);
        wn__binning_free(b);
    }
    assert_true(succeeded);
    wn_table_free(v);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distinct_exact),
        cmocka_unit_test(test_quantile_counts),
        cmocka_unit_test(test_heavy_ties),
        cmocka_unit_test(test_constant_and_missing),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_split_equivalence_and_reference),
        cmocka_unit_test(test_threads_and_views),
        cmocka_unit_test(test_pack_roundtrip_and_truncation),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
