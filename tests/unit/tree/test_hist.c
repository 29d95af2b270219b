/* test_hist.c — quantised node histograms: the fast builder against a slow
 * reference bit for bit (root, shuffled row subsets, tiny and empty nodes,
 * both formats: PACKED3 up to 65535 rows, WIDE above, built in chunks), the
 * same bits at 1, 2 and 3 threads, exact subtraction across formats, the
 * packed words at their extremes, the row records, shape and argument
 * errors, and allocation failures. */
#include "wn_test.h"

#include "core.h"
#include "tree/bin.h"
#include "tree/hist.h"

#include <math.h>

/* ---- fixtures --------------------------------------------------------------- */

typedef struct fixture {
    wn_table *t;
    wn__binning *b;
    wn__recs rc;    /* records: quantised (g, h) and codes */
    int64_t n, nf;
    int32_t *g, *h; /* quantised per-row gradient and hessian */
} fixture;

/* HIGGS-like: column 0 is the label, columns 1..28 the features */
static const int64_t FC[28] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                               15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28};

/* Row r's code of feature f. */
static int code_of(const fixture *x, int64_t r, int64_t f) { return wn__rec_codes(&x->rc, r)[f]; }

/* n rows of HIGGS-like features, plus (with extra) a column with 20% NaN, an
 * all-NaN column and a constant one; quantised gradients of both signs up to
 * the largest allowed magnitude (often AT it, so the packed fields reach
 * their limits in big nodes) and hessians that are mostly positive, some
 * negative (negative event weights) and some zero. */
static void fixture_make(fixture *x, int64_t n, int extra)
{
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &p);
    p.rows = n;
    p.seed = 7;
    p.threads = 1;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_HIGGS_LIKE, &p, &x->t, NULL));
    const int64_t nf = 28;
    assert_true(wn_table_ncols(x->t) > nf);
    wn_rng r = wn_rng_make(11, 0);
    int64_t fc[31];
    for (int64_t f = 0; f < nf; f++)
        fc[f] = FC[f];
    x->nf = nf;
    if (extra) {
        float *a = malloc((size_t)n * sizeof *a), *m = malloc((size_t)n * sizeof *m),
              *c = malloc((size_t)n * sizeof *c);
        assert_non_null(a);
        assert_non_null(m);
        assert_non_null(c);
        for (int64_t i = 0; i < n; i++) {
            a[i] = wn_rng_uniform(&r) < 0.2 ? NAN : (float)wn_rng_normal(&r);
            m[i] = NAN;
            c[i] = 3.0f;
        }
        int64_t base = wn_table_ncols(x->t);
        WN_OK_OR_FAIL(wn_table_add_column(x->t, "nanny", a));
        WN_OK_OR_FAIL(wn_table_add_column(x->t, "allnan", m));
        WN_OK_OR_FAIL(wn_table_add_column(x->t, "const", c));
        free(a);
        free(m);
        free(c);
        fc[nf] = base;
        fc[nf + 1] = base + 1;
        fc[nf + 2] = base + 2;
        x->nf = nf + 3;
    }
    WN_OK_OR_FAIL(wn__binning_fit(x->t, fc, x->nf, 255, 0, 3, 2, &x->b));
    WN_OK_OR_FAIL(wn__recs_create(n, x->nf, &x->rc));
    /* records and feature-major codes in one pass: both as the plain
     * feature-major binning gives */
    uint8_t *fm = malloc((size_t)(n * x->nf)), *fm_ref = NULL;
    assert_non_null(fm);
    WN_OK_OR_FAIL(
        wn__binning_apply_strided(x->b, x->t, fc, 2, x->rc.data + 4, x->rc.stride, fm));
    WN_OK_OR_FAIL(wn__binning_apply(x->b, x->t, fc, 2, &fm_ref));
    assert_memory_equal(fm, fm_ref, (size_t)(n * x->nf));
    for (int64_t row = 0; row < n; row += 97)
        for (int64_t f = 0; f < x->nf; f++)
            assert_int_equal(x->rc.data[row * x->rc.stride + 4 + f], fm_ref[f * n + row]);
    free(fm);
    wn_free(fm_ref);
    x->n = n;
    x->g = malloc((size_t)n * sizeof *x->g);
    x->h = malloc((size_t)n * sizeof *x->h);
    assert_non_null(x->g);
    assert_non_null(x->h);
    const int32_t Q = WN__Q_MAX;
    for (int64_t i = 0; i < n; i++) {
        double u = wn_rng_uniform(&r);
        x->g[i] = u < 0.3 ? Q : u < 0.5 ? -Q : (int32_t)wn_rng_below(&r, 2 * Q + 1) - Q;
        u = wn_rng_uniform(&r);
        x->h[i] = u < 0.1 ? -(int32_t)wn_rng_below(&r, Q + 1)
                  : u < 0.15 ? 0
                  : u < 0.5 ? Q
                             : (int32_t)wn_rng_below(&r, Q + 1);
        wn__rec_set_gh(&x->rc, i, x->g[i], x->h[i]);
    }
}

static void fixture_free(fixture *x)
{
    free(x->g);
    free(x->h);
    wn__recs_free(&x->rc);
    wn__binning_free(x->b);
    wn_table_free(x->t);
}

/* The slow obvious version, in int64 sums per bin: for each row of the
 * node, for each feature, add the row's g, h and one to the bin of its
 * code. sg, sh, sn: [nbins_total], overwritten. */
typedef struct ref_hist {
    int64_t nb;
    int fine; /* the records' qmax is over WN__Q_MAX: always WIDE */
    int64_t *g, *h, *n;
} ref_hist;

static void ref_init(ref_hist *rf, const wn__binning *b)
{
    rf->nb = 0;
    rf->fine = 0;
    for (int64_t f = 0; f < b->nfeat; f++)
        rf->nb += b->nbins[f];
    rf->g = calloc((size_t)rf->nb, sizeof *rf->g);
    rf->h = calloc((size_t)rf->nb, sizeof *rf->h);
    rf->n = calloc((size_t)rf->nb, sizeof *rf->n);
    assert_non_null(rf->g);
    assert_non_null(rf->h);
    assert_non_null(rf->n);
}

static void ref_free(ref_hist *rf)
{
    free(rf->g);
    free(rf->h);
    free(rf->n);
}

static void ref_build(const fixture *x, const wn__rowid *rows, int64_t nnode, ref_hist *rf)
{
    memset(rf->g, 0, (size_t)rf->nb * sizeof *rf->g);
    memset(rf->h, 0, (size_t)rf->nb * sizeof *rf->h);
    memset(rf->n, 0, (size_t)rf->nb * sizeof *rf->n);
    for (int64_t i = 0; i < nnode; i++) {
        int64_t r = rows ? rows[i] : i;
        assert_true(r >= 0 && r < x->n);
        int64_t off = 0;
        for (int64_t f = 0; f < x->nf; f++) {
            int k = code_of(x, r, f);
            assert_true(k < x->b->nbins[f]);
            rf->g[off + k] += x->g[r];
            rf->h[off + k] += x->h[r];
            rf->n[off + k]++;
            off += x->b->nbins[f];
        }
    }
}

/* h (either format) holds exactly the reference sums, in the format its
 * row count calls for. */
static void assert_matches_ref(const wn__hist *h, const ref_hist *rf, int64_t nnode,
                               const char *what)
{
    assert_int_equal(h->nbins_total, rf->nb);
    int want = nnode > WN__P3_MAX_ROWS || rf->fine ? WN__HIST_WIDE : WN__HIST_PACKED3;
    if (h->fmt != want)
        fail_msg("%s: format %d, want %d for %lld rows", what, h->fmt, want, (long long)nnode);
    for (int64_t k = 0; k < rf->nb; k++) {
        int64_t g, hh, n;
        wn__hist_bin(h, k, &g, &hh, &n);
        if (g != rf->g[k] || hh != rf->h[k] || n != rf->n[k])
            fail_msg("%s: bin %lld is (%lld, %lld, %lld), reference (%lld, %lld, %lld)", what,
                     (long long)k, (long long)g, (long long)hh, (long long)n,
                     (long long)rf->g[k], (long long)rf->h[k], (long long)rf->n[k]);
    }
}

static wn__hist *hist_new(const wn__binning *b)
{
    wn__hist *h = NULL;
    WN_OK_OR_FAIL(wn__hist_create(b, &h));
    return h;
}

static wn__hist_builder *builder_new(const wn__binning *b, int threads)
{
    wn__hist_builder *hb = NULL;
    WN_OK_OR_FAIL(wn__hist_builder_create(b, threads, &hb));
    return hb;
}

static void assert_hist_equal(const wn__hist *a, const wn__hist *c, const char *what)
{
    assert_int_equal(a->nfeat, c->nfeat);
    assert_int_equal(a->nbins_total, c->nbins_total);
    for (int64_t k = 0; k < a->nbins_total; k++) {
        int64_t g1, h1, n1, g2, h2, n2;
        wn__hist_bin(a, k, &g1, &h1, &n1);
        wn__hist_bin(c, k, &g2, &h2, &n2);
        if (g1 != g2 || h1 != h2 || n1 != n2)
            fail_msg("%s: bin %lld differs: (%lld, %lld, %lld) vs (%lld, %lld, %lld)", what,
                     (long long)k, (long long)g1, (long long)h1, (long long)n1, (long long)g2,
                     (long long)h2, (long long)n2);
    }
}

static void assert_hist_zero(const wn__hist *h)
{
    for (int64_t k = 0; k < h->nbins_total; k++) {
        int64_t g, hh, n;
        wn__hist_bin(h, k, &g, &hh, &n);
        if (g != 0 || hh != 0 || n != 0)
            fail_msg("bin %lld not zero", (long long)k);
    }
}

/* m distinct rows of 0..n-1 in random order (m <= n). */
static wn__rowid *random_rows(wn_rng *r, int64_t n, int64_t m)
{
    wn__rowid *all = malloc((size_t)(n > 0 ? n : 1) * sizeof *all);
    assert_non_null(all);
    for (int64_t i = 0; i < n; i++)
        all[i] = (wn__rowid)i;
    for (int64_t i = 0; i < m; i++) { /* partial Fisher-Yates */
        int64_t j = i + (int64_t)wn_rng_below(r, (uint64_t)(n - i));
        wn__rowid tmp = all[i];
        all[i] = all[j];
        all[j] = tmp;
    }
    return all;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_layout(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 3000, 1);
    wn__hist *h = hist_new(x.b);
    assert_int_equal(h->nfeat, x.nf);
    assert_int_equal(h->fmt, WN__HIST_WIDE);
    int64_t total = 0;
    for (int64_t f = 0; f < x.nf; f++) {
        assert_int_equal(h->offset[f], total);
        total += x.b->nbins[f];
    }
    assert_int_equal(h->offset[x.nf], total);
    assert_int_equal(h->nbins_total, total);
    assert_hist_zero(h);
    /* the all-missing feature has one bin, the constant one two */
    assert_int_equal(x.b->nbins[x.nf - 2], 1);
    assert_int_equal(x.b->nbins[x.nf - 1], 2);
    /* clear zeroes a dirty histogram of either format */
    for (int fmt = 0; fmt < 2; fmt++) {
        h->fmt = fmt ? WN__HIST_PACKED3 : WN__HIST_WIDE;
        for (int64_t k = 0; k < total; k++) {
            h->gh[k] = (uint64_t)k * 0x9e3779b97f4a7c15u;
            h->n[k] = (uint32_t)k + 1;
        }
        wn__hist_clear(h);
        assert_int_equal(h->fmt, WN__HIST_WIDE);
        assert_hist_zero(h);
    }
    wn__hist_clear(NULL);
    wn__hist_free(h);
    wn__hist_free(NULL);
    wn__hist_builder_free(NULL);
    fixture_free(&x);
}

static void test_records(void **state)
{
    (void)state;
    wn__recs r;
    const int64_t nfs[] = {1, 3, 4, 5, 28, 100};
    for (size_t i = 0; i < sizeof nfs / sizeof nfs[0]; i++) {
        WN_OK_OR_FAIL(wn__recs_create(37, nfs[i], &r));
        assert_int_equal((uintptr_t)r.data % 64, 0);
        assert_int_equal(r.stride % 8, 0);
        assert_true(r.stride >= 4 + nfs[i] && r.stride < 4 + nfs[i] + 8);
        assert_int_equal(r.nrows, 37);
        assert_int_equal(r.nfeat, nfs[i]);
        /* zeroed; codes after the 4 bytes of (g, h) */
        for (int64_t k = 0; k < 37 * r.stride; k++)
            assert_int_equal(r.data[k], 0);
        assert_ptr_equal(wn__rec_codes(&r, 5), r.data + 5 * r.stride + 4);
        wn__recs_free(&r);
        assert_null(r.data);
        assert_null(r.mem);
    }
    /* (g, h) round trips at the extremes, independently of the codes */
    WN_OK_OR_FAIL(wn__recs_create(4, 28, &r));
    const int32_t v[] = {0, 1, -1, 2, -2, 63, -64, WN__Q_MAX, -WN__Q_MAX};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
            memset(wn__rec_codes(&r, 2), 0xff, 28);
            wn__rec_set_gh(&r, 2, v[i], v[j]);
            int32_t g, h;
            wn__rec_gh(&r, 2, &g, &h);
            assert_int_equal(g, v[i]);
            assert_int_equal(h, v[j]);
            assert_int_equal(wn__rec_codes(&r, 2)[0], 0xff);
            assert_int_equal(r.data[r.stride], 0); /* row 1 untouched */
            assert_int_equal(r.data[3 * r.stride], 0);
        }
    wn__recs_free(&r);
    wn__recs_free(NULL);
    /* errors */
    WN_EXPECT_ERR(wn__recs_create(10, 28, NULL), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn__recs_create(0, 28, &r), WN_EINVAL, "rows");
    WN_EXPECT_ERR(wn__recs_create(10, 0, &r), WN_EINVAL, "features");
    WN_EXPECT_ERR(wn__recs_create(INT64_MAX / 4, 28, &r), WN_ENOMEM, "row records");
    assert_null(r.data);
}

/* The root of a PACKED3 node and of a WIDE one (built in chunks). */
static void test_reference_root(void **state)
{
    (void)state;
    const int64_t sizes[] = {20000, 140000};
    for (int s = 0; s < 2; s++) {
        fixture x;
        fixture_make(&x, sizes[s], 1);
        wn__hist_builder *hb = builder_new(x.b, 1);
        wn__hist *h = hist_new(x.b);
        ref_hist ref;
        ref_init(&ref, x.b);
        ref_build(&x, NULL, x.n, &ref);
        WN_OK_OR_FAIL(wn__hist_build(hb, &x.rc, NULL, x.n, h));
        assert_matches_ref(h, &ref, x.n, "root vs reference");
        /* an explicit identity row list gives the same bits as rows == NULL */
        wn__rowid *id = malloc((size_t)x.n * sizeof *id);
        assert_non_null(id);
        for (int64_t i = 0; i < x.n; i++)
            id[i] = (wn__rowid)i;
        WN_OK_OR_FAIL(wn__hist_build(hb, &x.rc, id, x.n, h));
        assert_matches_ref(h, &ref, x.n, "identity rows vs reference");
        /* every feature counts every row once and sums to the node's totals */
        int64_t G = 0, H = 0;
        for (int64_t i = 0; i < x.n; i++) {
            G += x.g[i];
            H += x.h[i];
        }
        for (int64_t f = 0; f < x.nf; f++) {
            int64_t cnt = 0, sg = 0, sh = 0;
            for (int64_t k = h->offset[f]; k < h->offset[f + 1]; k++) {
                int64_t g, hh, n;
                wn__hist_bin(h, k, &g, &hh, &n);
                cnt += n;
                sg += g;
                sh += hh;
            }
            assert_int_equal(cnt, x.n);
            assert_int_equal(sg, G);
            assert_int_equal(sh, H);
        }
        /* the missing bin of the NaN column holds exactly its NaN rows */
        const float *nanny = wn_table_column(x.t, wn_table_ncols(x.t) - 3);
        int64_t fa = x.nf - 3, fm = x.nf - 2, fcst = x.nf - 1, nmiss = 0, gm = 0, hm = 0;
        for (int64_t i = 0; i < x.n; i++)
            if (isnan(nanny[i])) {
                nmiss++;
                gm += x.g[i];
                hm += x.h[i];
            }
        assert_true(nmiss > x.n / 7 && nmiss < x.n / 4);
        int64_t g, hh, n;
        wn__hist_bin(h, h->offset[fa] + x.b->missing_bin[fa], &g, &hh, &n);
        assert_int_equal(n, nmiss);
        assert_int_equal(g, gm);
        assert_int_equal(hh, hm);
        /* all-missing: its one bin holds everything; constant: bin 0 all, missing none */
        wn__hist_bin(h, h->offset[fm], &g, &hh, &n);
        assert_int_equal(n, x.n);
        wn__hist_bin(h, h->offset[fcst], &g, &hh, &n);
        assert_int_equal(n, x.n);
        wn__hist_bin(h, h->offset[fcst] + 1, &g, &hh, &n);
        assert_true(n == 0 && g == 0 && hh == 0);
        free(id);
        ref_free(&ref);
        wn__hist_free(h);
        wn__hist_builder_free(hb);
        fixture_free(&x);
    }
}

static void test_subsets_tiny_empty(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 140000, 1);
    wn__hist_builder *hb1 = builder_new(x.b, 1), *hb2 = builder_new(x.b, 2);
    wn__hist *h = hist_new(x.b);
    ref_hist ref;
    ref_init(&ref, x.b);
    wn_rng r = wn_rng_make(99, 0);
    const int64_t sizes[] = {1,     2,     3,     4,     5,     7,      17,     100,   1000,
                             8191,  8192,  12000, 29999, 65534, 65535, 65536, 65537, 131070,
                             131071, 139999};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t m = sizes[s];
        wn__rowid *rows = random_rows(&r, x.n, m);
        ref_build(&x, rows, m, &ref);
        char what[64];
        snprintf(what, sizeof what, "subset of %lld rows, 1 thread", (long long)m);
        WN_OK_OR_FAIL(wn__hist_build(hb1, &x.rc, rows, m, h));
        assert_matches_ref(h, &ref, m, what);
        snprintf(what, sizeof what, "subset of %lld rows, 2 threads", (long long)m);
        WN_OK_OR_FAIL(wn__hist_build(hb2, &x.rc, rows, m, h));
        assert_matches_ref(h, &ref, m, what);
        free(rows);
    }
    /* one row: its word sits in exactly the bins of its codes */
    wn__rowid one = 5;
    WN_OK_OR_FAIL(wn__hist_build(hb2, &x.rc, &one, 1, h));
    for (int64_t f = 0; f < x.nf; f++)
        for (int64_t k = 0; k < x.b->nbins[f]; k++) {
            int hit = k == code_of(&x, one, f);
            assert_true(h->gh[h->offset[f] + k] == (hit ? wn__p3_row(x.g[one], x.h[one]) : 0));
        }
    /* the same row twice counts twice */
    wn__rowid two[2] = {5, 5};
    int64_t g, hh, n;
    WN_OK_OR_FAIL(wn__hist_build(hb1, &x.rc, two, 2, h));
    wn__hist_bin(h, code_of(&x, 5, 0), &g, &hh, &n);
    assert_int_equal(n, 2);
    assert_int_equal(g, 2 * x.g[5]);
    /* empty node: a dirty histogram is cleared, with or without a row list,
     * and the records may be NULL */
    WN_OK_OR_FAIL(wn__hist_build(hb2, &x.rc, NULL, x.n, h));
    WN_OK_OR_FAIL(wn__hist_build(hb2, &x.rc, &one, 0, h));
    assert_hist_zero(h);
    WN_OK_OR_FAIL(wn__hist_build(hb1, &x.rc, NULL, 1000, h));
    WN_OK_OR_FAIL(wn__hist_build(hb1, NULL, NULL, 0, h));
    assert_hist_zero(h);
    ref_free(&ref);
    wn__hist_free(h);
    wn__hist_builder_free(hb1);
    wn__hist_builder_free(hb2);
    fixture_free(&x);
}

static void test_threads(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 150000, 1);
    wn__hist_builder *hb[4] = {builder_new(x.b, 1), builder_new(x.b, 2), builder_new(x.b, 3),
                               builder_new(x.b, 0)};
    wn__hist *h = hist_new(x.b);
    ref_hist ref;
    ref_init(&ref, x.b);
    wn_rng r = wn_rng_make(5, 0);
    /* the root; big shuffled nodes of both formats; nodes just over the
     * parallel threshold (fewer ranges than threads) and with an odd size;
     * a WIDE node whose threads' ranges are under one chunk each */
    const int64_t sizes[] = {-1, 50001, 8192, 10000, 12289, 20011, 65535, 70001, 131072};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t m = sizes[s] < 0 ? x.n : sizes[s];
        wn__rowid *rows = sizes[s] < 0 ? NULL : random_rows(&r, x.n, m);
        ref_build(&x, rows, m, &ref);
        for (int t = 0; t < 4; t++) {
            char what[80];
            snprintf(what, sizeof what, "%lld rows, builder %d", (long long)m, t);
            wn__hist_clear(h);
            h->n[0] = 77; /* dirty: build overwrites */
            h->gh[1] = 5;
            WN_OK_OR_FAIL(wn__hist_build(hb[t], &x.rc, rows, m, h));
            assert_matches_ref(h, &ref, m, what);
        }
        free(rows);
    }
    for (int t = 0; t < 4; t++)
        wn__hist_builder_free(hb[t]);
    ref_free(&ref);
    wn__hist_free(h);
    fixture_free(&x);
}

/* Parent rows: every row but multiples of `skip`, shuffled; split on
 * feature fs at bin cut. */
static void subtract_case(const fixture *x, wn_rng *r, int64_t skip, int64_t fs, int cut)
{
    int64_t np = 0, nl = 0, nr = 0;
    wn__rowid *par = malloc((size_t)x->n * sizeof *par),
              *left = malloc((size_t)x->n * sizeof *left),
              *right = malloc((size_t)x->n * sizeof *right);
    assert_non_null(par);
    assert_non_null(left);
    assert_non_null(right);
    for (int64_t i = 0; i < x->n; i++)
        if (i % skip != 0)
            par[np++] = (wn__rowid)i;
    for (int64_t i = np - 1; i > 0; i--) {
        int64_t j = (int64_t)wn_rng_below(r, (uint64_t)i + 1);
        wn__rowid tmp = par[i];
        par[i] = par[j];
        par[j] = tmp;
    }
    for (int64_t i = 0; i < np; i++) {
        wn__rowid row = par[i];
        if (code_of(x, row, fs) <= cut)
            left[nl++] = row;
        else
            right[nr++] = row;
    }
    assert_true(nl > 1000 && nr > 1000);
    wn__hist_builder *hb = builder_new(x->b, 2);
    wn__hist *hp = hist_new(x->b), *hl = hist_new(x->b), *hr = hist_new(x->b),
             *hs = hist_new(x->b);
    WN_OK_OR_FAIL(wn__hist_build(hb, &x->rc, par, np, hp));
    WN_OK_OR_FAIL(wn__hist_build(hb, &x->rc, left, nl, hl));
    WN_OK_OR_FAIL(wn__hist_build(hb, &x->rc, right, nr, hr));
    WN_OK_OR_FAIL(wn__hist_subtract(hp, hl, hs));
    assert_hist_equal(hs, hr, "parent - left vs right");
    assert_int_equal(hs->fmt, hp->fmt);
    WN_OK_OR_FAIL(wn__hist_subtract(hp, hr, hs));
    assert_hist_equal(hs, hl, "parent - right vs left");
    /* the split feature: the right child has nothing in the left bins */
    for (int k = 0; k <= cut; k++) {
        int64_t g, hh, n;
        wn__hist_bin(hr, hr->offset[fs] + k, &g, &hh, &n);
        assert_true(n == 0 && g == 0 && hh == 0);
    }
    /* parent - parent is zero */
    WN_OK_OR_FAIL(wn__hist_subtract(hp, hp, hs));
    assert_hist_zero(hs);
    /* in place: sibling may be the child, or the parent */
    wn__hist *hl2 = hist_new(x->b);
    memcpy(hl2->gh, hl->gh, (size_t)hl->nbins_total * sizeof *hl->gh);
    memcpy(hl2->n, hl->n, (size_t)hl->nbins_total * sizeof *hl->n);
    hl2->fmt = hl->fmt;
    WN_OK_OR_FAIL(wn__hist_subtract(hp, hl2, hl2));
    assert_hist_equal(hl2, hr, "in place into the child");
    /* a WIDE child of a PACKED3 parent cannot be */
    if (hp->fmt == WN__HIST_WIDE && hl->fmt == WN__HIST_PACKED3)
        WN_EXPECT_ERR(wn__hist_subtract(hl, hp, hs), WN_EINVAL, "wide child");
    WN_OK_OR_FAIL(wn__hist_subtract(hp, hl, hp));
    assert_hist_equal(hp, hr, "in place into the parent");
    wn__hist_free(hl2);
    wn__hist_free(hp);
    wn__hist_free(hl);
    wn__hist_free(hr);
    wn__hist_free(hs);
    wn__hist_builder_free(hb);
    free(par);
    free(left);
    free(right);
}

static void test_subtract(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 150000, 1);
    wn_rng r = wn_rng_make(3, 0);
    int64_t fn = x.nf - 3;
    /* a PACKED3 parent (40000 rows): split at the median bin of feature 3,
     * and at the NaN column's missing bin */
    fixture small;
    fixture_make(&small, 40000, 1);
    subtract_case(&small, &r, 5, 3, small.b->missing_bin[3] / 2);
    subtract_case(&small, &r, 5, fn, small.b->missing_bin[fn] - 1);
    fixture_free(&small);
    /* a WIDE parent (120000 rows): a median split (two PACKED3 children of
     * ~60000 rows), a lopsided one (PACKED3 left, WIDE right) and the
     * missing bin (WIDE left, PACKED3 right) */
    subtract_case(&x, &r, 5, 3, x.b->missing_bin[3] / 2);
    subtract_case(&x, &r, 5, 3, x.b->missing_bin[3] / 8);
    subtract_case(&x, &r, 5, fn, x.b->missing_bin[fn] - 1);
    fixture_free(&x);
}

/* Fine quantisation (small tables): per-row values up to WN__Q_FINE, every
 * histogram WIDE and built directly; sums up to 65535 * 32767 < 2^31. */
static void test_fine(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 65535, 1);
    wn_rng r = wn_rng_make(8, 0);
    const int32_t Q = WN__Q_FINE;
    for (int64_t i = 0; i < x.n; i++) {
        double u = wn_rng_uniform(&r);
        x.g[i] = u < 0.4 ? Q : u < 0.6 ? -Q : (int32_t)wn_rng_below(&r, 2 * (uint64_t)Q + 1) - Q;
        x.h[i] = u < 0.7 ? Q : (int32_t)wn_rng_below(&r, 2 * (uint64_t)Q + 1) - Q;
        wn__rec_set_gh(&x.rc, i, x.g[i], x.h[i]);
    }
    x.rc.qmax = Q;
    wn__hist_builder *hb1 = builder_new(x.b, 1), *hb2 = builder_new(x.b, 2);
    wn__hist *h = hist_new(x.b), *hs = hist_new(x.b), *hc = hist_new(x.b);
    ref_hist ref;
    ref_init(&ref, x.b);
    ref.fine = 1;
    const int64_t sizes[] = {1, 7, 1000, 8192, 30001, 65535};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t m = sizes[s];
        wn__rowid *rows = random_rows(&r, x.n, m);
        ref_build(&x, rows, m, &ref);
        WN_OK_OR_FAIL(wn__hist_build(hb1, &x.rc, rows, m, h));
        assert_matches_ref(h, &ref, m, "fine, 1 thread");
        WN_OK_OR_FAIL(wn__hist_build(hb2, &x.rc, rows, m, h));
        assert_matches_ref(h, &ref, m, "fine, 2 threads");
        free(rows);
    }
    /* subtraction stays exact: root - first half = second half */
    wn__rowid *rows = random_rows(&r, x.n, x.n);
    WN_OK_OR_FAIL(wn__hist_build(hb2, &x.rc, NULL, x.n, h));
    WN_OK_OR_FAIL(wn__hist_build(hb2, &x.rc, rows, x.n / 2, hc));
    WN_OK_OR_FAIL(wn__hist_subtract(h, hc, hs));
    ref_build(&x, rows + x.n / 2, x.n - x.n / 2, &ref);
    assert_matches_ref(hs, &ref, x.n - x.n / 2, "fine subtraction");
    /* qmax out of range is refused */
    x.rc.qmax = Q + 1;
    WN_EXPECT_ERR(wn__hist_build(hb1, &x.rc, NULL, 10, h), WN_EINVAL, "qmax");
    x.rc.qmax = 0;
    WN_EXPECT_ERR(wn__hist_build(hb1, &x.rc, NULL, 10, h), WN_EINVAL, "qmax");
    free(rows);
    ref_free(&ref);
    wn__hist_free(h);
    wn__hist_free(hs);
    wn__hist_free(hc);
    wn__hist_builder_free(hb1);
    wn__hist_builder_free(hb2);
    fixture_free(&x);
}

/* The root build with the quantisation fused in: the same records and the
 * same histogram as quantising every row first and then building, in both
 * formats and at 1 and 2 threads; bad arguments refused. */
static void test_build_quantize(void **state)
{
    (void)state;
    const int64_t sizes[] = {3000, 70000};
    for (int s = 0; s < 2; s++) {
        fixture x;
        fixture_make(&x, sizes[s], 1);
        float *grad = malloc((size_t)x.n * sizeof *grad), *hess = malloc((size_t)x.n * sizeof *hess);
        assert_non_null(grad);
        assert_non_null(hess);
        wn_rng r = wn_rng_make(31, (uint64_t)s);
        for (int64_t i = 0; i < x.n; i++) {
            grad[i] = (float)(2.0 * wn_rng_uniform(&r) - 1.0);
            hess[i] = (float)(0.25 * wn_rng_uniform(&r));
        }
        grad[7] = 1.0f; /* the maxima scale to exactly Q */
        hess[9] = 0.25f;
        wn__quant q = {grad, hess, WN__Q_MAX / 1.0, WN__Q_MAX / 0.25, WN__Q_MAX, 0x1234567ull};
        for (int64_t i = 0; i < x.n; i++) { /* the reference: quantise, then build */
            int32_t g, h;
            wn__quant_row(&q, i, &g, &h);
            assert_true(g >= -WN__Q_MAX && g <= WN__Q_MAX && h >= 0 && h <= WN__Q_MAX);
            x.g[i] = g;
            x.h[i] = h;
            wn__rec_set_gh(&x.rc, i, g, h);
        }
        assert_int_equal(x.g[7], WN__Q_MAX);
        size_t bytes = (size_t)(x.n * x.rc.stride);
        uint8_t *want = malloc(bytes);
        assert_non_null(want);
        memcpy(want, x.rc.data, bytes);
        ref_hist ref;
        ref_init(&ref, x.b);
        ref_build(&x, NULL, x.n, &ref);
        for (int t = 1; t <= 2; t++) {
            wn__hist_builder *hb = builder_new(x.b, t);
            wn__hist *h = hist_new(x.b);
            for (int64_t i = 0; i < x.n; i++) /* forget the (g, h) */
                wn__rec_set_gh(&x.rc, i, 0, 0);
            WN_OK_OR_FAIL(wn__hist_build_quantize(hb, &x.rc, &q, h));
            assert_matches_ref(h, &ref, x.n, "fused quantisation");
            assert_memory_equal(x.rc.data, want, bytes);
            wn__quant bad = q;
            bad.Q = WN__Q_MAX + 1.0;
            WN_EXPECT_ERR(wn__hist_build_quantize(hb, &x.rc, &bad, h), WN_EINVAL, "qmax");
            bad.Q = 0.5;
            WN_EXPECT_ERR(wn__hist_build_quantize(hb, &x.rc, &bad, h), WN_EINVAL, "Q");
            bad = q;
            bad.grad = NULL;
            WN_EXPECT_ERR(wn__hist_build_quantize(hb, &x.rc, &bad, h), WN_EINVAL, "NULL");
            WN_EXPECT_ERR(wn__hist_build_quantize(hb, NULL, &q, h), WN_EINVAL, "NULL");
            wn__hist_free(h);
            wn__hist_builder_free(hb);
        }
        free(want);
        free(grad);
        free(hess);
        ref_free(&ref);
        fixture_free(&x);
    }
}

static void test_pack(void **state)
{
    (void)state;
    const int32_t M = INT32_MAX; /* 2^31 - 1 */
    const int32_t v[] = {0, 1, -1, 2, -2, 12345, -12345, 65535, -65536, 1 << 30, -(1 << 30),
                         M - 1, -(M - 1), M, -M};
    const size_t nv = sizeof v / sizeof v[0];
    for (size_t i = 0; i < nv; i++)
        for (size_t j = 0; j < nv; j++) {
            uint64_t w = wn__gh_pack(v[i], v[j]);
            int64_t g, h;
            wn__gh_unpack(w, &g, &h);
            if (g != v[i] || h != v[j])
                fail_msg("pack(%d, %d) unpacks to (%lld, %lld)", v[i], v[j], (long long)g,
                         (long long)h);
            /* the difference of two packed words is the packed difference
             * (when it fits) */
            for (size_t k = 0; k < nv; k++)
                for (size_t l = 0; l < nv; l++) {
                    int64_t dg = (int64_t)v[i] - v[k], dh = (int64_t)v[j] - v[l];
                    if (dg < -M || dg > M || dh < -M || dh > M)
                        continue;
                    int64_t g2, h2;
                    wn__gh_unpack(w - wn__gh_pack(v[k], v[l]), &g2, &h2);
                    if (g2 != dg || h2 != dh)
                        fail_msg("(%d,%d)-(%d,%d) unpacks to (%lld, %lld)", v[i], v[j], v[k],
                                 v[l], (long long)g2, (long long)h2);
                    int64_t sg = (int64_t)v[i] + v[k], sh = (int64_t)v[j] + v[l];
                    if (sg < -M || sg > M || sh < -M || sh > M)
                        continue;
                    wn__gh_unpack(w + wn__gh_pack(v[k], v[l]), &g2, &h2);
                    if (g2 != sg || h2 != sh)
                        fail_msg("(%d,%d)+(%d,%d) unpacks to (%lld, %lld)", v[i], v[j], v[k],
                                 v[l], (long long)g2, (long long)h2);
                }
        }
    assert_true(wn__gh_pack(0, 0) == 0);
    int64_t g, h, n;
    wn__gh_unpack(wn__gh_pack(0, -1), &g, &h);
    assert_int_equal(g, 0);
    assert_int_equal(h, -1);
    /* PACKED3 at its limits: 65535 rows all at +-Q in g and h, every mix */
    const int64_t Q = WN__Q_MAX, N = WN__P3_MAX_ROWS;
    const int32_t q[] = {0, 1, -1, WN__Q_MAX, -WN__Q_MAX, 77, -100};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        for (size_t j = 0; j < sizeof q / sizeof q[0]; j++) {
            uint64_t w = wn__p3_row(q[i], q[j]), acc = 0;
            wn__p3_unpack(w, &g, &h, &n);
            assert_true(g == q[i] && h == q[j] && n == 1);
            acc = w * (uint64_t)N; /* N equal rows */
            wn__p3_unpack(acc, &g, &h, &n);
            if (g != q[i] * N || h != q[j] * N || n != N)
                fail_msg("%lld rows of (%d, %d) unpack to (%lld, %lld, %lld)", (long long)N,
                         q[i], q[j], (long long)g, (long long)h, (long long)n);
        }
    assert_true(Q * N < (1 << 23)); /* the 24-bit fields hold every sum */
    /* random walks of up to 65535 rows with extreme values: every running
     * sum unpacks exactly, and converts to the WIDE word of the same sums */
    wn_rng r = wn_rng_make(2024, 0);
    for (int walk = 0; walk < 40; walk++) {
        uint64_t acc = 0;
        int64_t sg = 0, sh = 0;
        int64_t len = walk < 20 ? 1000 : N;
        for (int64_t i = 0; i < len; i++) {
            int32_t a = (int32_t)wn_rng_below(&r, 2 * (uint64_t)Q + 1) - (int32_t)Q;
            int32_t b = walk % 2 ? (int32_t)Q : (int32_t)wn_rng_below(&r, 2 * (uint64_t)Q + 1) - (int32_t)Q;
            acc += wn__p3_row(a, b);
            sg += a;
            sh += b;
            if (i % 97 == 0 || i == len - 1) {
                wn__p3_unpack(acc, &g, &h, &n);
                if (g != sg || h != sh || n != i + 1)
                    fail_msg("walk %d row %lld: unpacked (%lld, %lld, %lld), sums (%lld, %lld, "
                             "%lld)", walk, (long long)i, (long long)g, (long long)h,
                             (long long)n, (long long)sg, (long long)sh, (long long)(i + 1));
            }
        }
    }
    /* order does not matter: adding many words forwards and backwards */
    uint64_t fw = 0, bw = 0;
    uint64_t words[1000];
    for (int i = 0; i < 1000; i++)
        words[i] = wn__p3_row((int32_t)wn_rng_below(&r, 255) - 127,
                              (int32_t)wn_rng_below(&r, 255) - 127);
    for (int i = 0; i < 1000; i++) {
        fw += words[i];
        bw += words[999 - i];
    }
    assert_true(fw == bw);
}

static void test_errors(void **state)
{
    (void)state;
    fixture x, y;
    fixture_make(&x, 500, 1);
    fixture_make(&y, 500, 0);
    wn__hist *h = hist_new(x.b), *hy = hist_new(y.b), *o = NULL;
    wn__hist_builder *hb = builder_new(x.b, 2), *ob = NULL;
    /* create: NULL arguments, bad shapes; *out untouched */
    WN_EXPECT_ERR(wn__hist_create(NULL, &o), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn__hist_create(x.b, NULL), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn__hist_builder_create(NULL, 1, &ob), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn__hist_builder_create(x.b, 1, NULL), WN_EINVAL, "NULL");
    wn__binning fake = *x.b;
    int nb_bad[31];
    for (int64_t f = 0; f < x.nf; f++)
        nb_bad[f] = x.b->nbins[f];
    fake.nbins = nb_bad;
    fake.nfeat = 0;
    WN_EXPECT_ERR(wn__hist_create(&fake, &o), WN_EINVAL, "nfeat");
    WN_EXPECT_ERR(wn__hist_builder_create(&fake, 1, &ob), WN_EINVAL, "nfeat");
    fake.nfeat = x.nf;
    nb_bad[4] = 0;
    WN_EXPECT_ERR(wn__hist_create(&fake, &o), WN_EINVAL, "feature 4");
    nb_bad[4] = 257;
    WN_EXPECT_ERR(wn__hist_create(&fake, &o), WN_EINVAL, "feature 4");
    WN_EXPECT_ERR(wn__hist_builder_create(&fake, 1, &ob), WN_EINVAL, "feature 4");
    assert_null(o);
    assert_null(ob);
    nb_bad[4] = 256; /* the largest allowed */
    WN_OK_OR_FAIL(wn__hist_create(&fake, &o));
    wn__hist_free(o);
    o = NULL;
    /* a histogram of the same number of features and bins, but laid out
     * differently (two features' bin counts swapped) */
    int64_t fa = 0, fb = 1;
    while (x.b->nbins[fb] == x.b->nbins[fa])
        fb++;
    for (int64_t f = 0; f < x.nf; f++)
        nb_bad[f] = x.b->nbins[f];
    nb_bad[fa] = x.b->nbins[fb];
    nb_bad[fb] = x.b->nbins[fa];
    wn__hist *hswap = hist_new(&fake);
    assert_int_equal(hswap->nbins_total, h->nbins_total);
    /* build */
    WN_EXPECT_ERR(wn__hist_build(NULL, &x.rc, NULL, x.n, h), WN_EINVAL, "builder");
    WN_EXPECT_ERR(wn__hist_build(hb, &x.rc, NULL, x.n, NULL), WN_EINVAL, "out");
    WN_EXPECT_ERR(wn__hist_build(hb, &x.rc, NULL, -1, h), WN_EINVAL, "nnode");
    WN_EXPECT_ERR(wn__hist_build(hb, &x.rc, NULL, x.n, hy), WN_EINVAL, "shaped");
    WN_EXPECT_ERR(wn__hist_build(hb, &x.rc, NULL, x.n, hswap), WN_EINVAL, "shaped");
    WN_EXPECT_ERR(wn__hist_build(hb, NULL, NULL, x.n, h), WN_EINVAL, "records");
    WN_EXPECT_ERR(wn__hist_build(hb, &y.rc, NULL, x.n, h), WN_EINVAL, "features");
    /* subtract */
    WN_EXPECT_ERR(wn__hist_subtract(NULL, h, h), WN_EINVAL, "parent");
    WN_EXPECT_ERR(wn__hist_subtract(h, NULL, h), WN_EINVAL, "child");
    WN_EXPECT_ERR(wn__hist_subtract(h, h, NULL), WN_EINVAL, "sibling");
    WN_EXPECT_ERR(wn__hist_subtract(h, hy, h), WN_EINVAL, "shapes");
    WN_EXPECT_ERR(wn__hist_subtract(h, h, hy), WN_EINVAL, "shapes");
    WN_EXPECT_ERR(wn__hist_subtract(hswap, h, h), WN_EINVAL, "shapes");
    WN_EXPECT_ERR(wn__hist_subtract(h, h, hswap), WN_EINVAL, "shapes");
    /* binning into records: bad stride */
    WN_EXPECT_ERR(wn__binning_apply_strided(x.b, x.t, FC, 1, x.rc.data, x.nf - 1, NULL), WN_EINVAL,
                  "stride");
    WN_EXPECT_ERR(wn__binning_apply_strided(x.b, x.t, FC, 1, NULL, x.rc.stride, NULL), WN_EINVAL,
                  "dst");
    /* still usable after the errors */
    WN_OK_OR_FAIL(wn__hist_build(hb, &x.rc, NULL, x.n, h));
    wn__hist_free(hswap);
    wn__hist_free(h);
    wn__hist_free(hy);
    wn__hist_builder_free(hb);
    fixture_free(&x);
    fixture_free(&y);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 70000, 1);
    wn__rowid rows[4] = {9, 2, 19999, 0};
    ref_hist ref;
    ref_init(&ref, x.b);
    ref_build(&x, NULL, x.n, &ref);
    int succeeded = 0;
    int64_t n;
    for (n = 1; !succeeded && n < 1000; n++) {
        wn__hist *a = NULL, *c = NULL;
        wn__hist_builder *b1 = NULL, *b3 = NULL;
        wn__recs rc;
        memset(&rc, 0, sizeof rc);
        wn__alloc_fail_at(n);
        wn_status s = wn__hist_create(x.b, &a);
        if (s == WN_OK)
            s = wn__hist_builder_create(x.b, 1, &b1);
        if (s == WN_OK)
            s = wn__hist_builder_create(x.b, 3, &b3);
        if (s == WN_OK)
            s = wn__hist_create(x.b, &c);
        if (s == WN_OK)
            s = wn__recs_create(10, 3, &rc);
        if (s == WN_OK) {
            assert_non_null(rc.data);
            wn__recs_free(&rc);
        } else {
            assert_null(rc.data);
        }
        if (s == WN_OK)
            s = wn__hist_build(b3, &x.rc, NULL, x.n, a);
        if (s == WN_OK)
            s = wn__hist_build(b1, &x.rc, rows, 4, c);
        if (s == WN_OK)
            s = wn__hist_subtract(a, c, a);
        wn__alloc_fail_at(0);
        if (s == WN_OK) {
            succeeded = 1;
            WN_OK_OR_FAIL(wn__hist_build(b1, &x.rc, NULL, x.n, c));
            assert_matches_ref(c, &ref, x.n, "after the sweep");
        } else {
            assert_int_equal(s, WN_ENOMEM);
        }
        wn__hist_free(a);
        wn__hist_free(c);
        wn__hist_builder_free(b1);
        wn__hist_builder_free(b3);
    }
    assert_true(succeeded);
    assert_true(n > 3); /* at least the failures of the creates were seen */
    ref_free(&ref);
    fixture_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_reference_root),
        cmocka_unit_test(test_subsets_tiny_empty),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_subtract),
        cmocka_unit_test(test_fine),
        cmocka_unit_test(test_build_quantize),
        cmocka_unit_test(test_pack),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
