/* test_hist.c — quantised node histograms: the fast builder against a slow
 * reference bit for bit (root, shuffled row subsets, tiny and empty nodes),
 * the same bits at 1, 2 and 3 threads, exact subtraction, the packed (g, h)
 * arithmetic at its extremes, shape and argument errors, and allocation
 * failures. */
#include "wn_test.h"

#include "core.h"
#include "tree/bin.h"
#include "tree/hist.h"

#include <math.h>

/* ---- fixtures --------------------------------------------------------------- */

typedef struct fixture {
    wn_table *t;
    wn__binning *b;
    uint8_t *codes; /* row-major: codes[r*nf + f] */
    int64_t n, nf;
    int32_t *g, *h; /* quantised per-row gradient and hessian */
    uint64_t *gh;   /* packed */
} fixture;

/* HIGGS-like: column 0 is the label, columns 1..28 the features */
static const int64_t FC[28] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                               15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28};

/* Quantised magnitudes up to QMAX: with at most 2^16 rows every sum stays
 * well inside int32 (2^16 * 2^14 = 2^30). */
#define QMAX 16384

/* n rows of HIGGS-like features, plus (with extra) a column with 20% NaN, an
 * all-NaN column and a constant one; quantised gradients of both signs and
 * hessians that are mostly positive, some negative (negative event weights)
 * and some zero. */
static void fixture_make(fixture *x, int64_t n, int extra)
{
    assert_true(n <= 65536);
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
    WN_OK_OR_FAIL(wn__binning_apply_rowmajor(x->b, x->t, fc, 2, &x->codes));
    x->n = n;
    x->g = malloc((size_t)n * sizeof *x->g);
    x->h = malloc((size_t)n * sizeof *x->h);
    x->gh = malloc((size_t)n * sizeof *x->gh);
    assert_non_null(x->g);
    assert_non_null(x->h);
    assert_non_null(x->gh);
    for (int64_t i = 0; i < n; i++) {
        x->g[i] = (int32_t)wn_rng_below(&r, 2 * QMAX + 1) - QMAX;
        double u = wn_rng_uniform(&r);
        x->h[i] = u < 0.1 ? -(int32_t)wn_rng_below(&r, QMAX + 1)
                  : u < 0.15 ? 0
                             : (int32_t)wn_rng_below(&r, QMAX + 1);
        x->gh[i] = wn__gh_pack(x->g[i], x->h[i]);
    }
}

static void fixture_free(fixture *x)
{
    free(x->g);
    free(x->h);
    free(x->gh);
    wn_free(x->codes);
    wn__binning_free(x->b);
    wn_table_free(x->t);
}

/* The slow obvious version: for each row of the node, for each feature, add
 * the row's packed word and one to the bin of its code. Also checks, per
 * bin, that the packed sum unpacks to the int64 sums of the halves. */
static void ref_build(const fixture *x, const int64_t *rows, int64_t nnode, wn__hist *out)
{
    const size_t nb = (size_t)out->nbins_total;
    memset(out->gh, 0, nb * sizeof *out->gh);
    memset(out->n, 0, nb * sizeof *out->n);
    int64_t *sg = calloc(nb, sizeof *sg), *sh = calloc(nb, sizeof *sh);
    assert_non_null(sg);
    assert_non_null(sh);
    for (int64_t i = 0; i < nnode; i++) {
        int64_t r = rows ? rows[i] : i;
        assert_true(r >= 0 && r < x->n);
        for (int64_t f = 0; f < x->nf; f++) {
            int k = x->codes[r * x->nf + f];
            assert_true(k < x->b->nbins[f]);
            int64_t j = out->offset[f] + k;
            out->gh[j] += x->gh[r];
            out->n[j]++;
            sg[j] += x->g[r];
            sh[j] += x->h[r];
        }
    }
    for (size_t j = 0; j < nb; j++) {
        int64_t g, h;
        wn__gh_unpack(out->gh[j], &g, &h);
        if (g != sg[j] || h != sh[j])
            fail_msg("reference bin %zu: unpacked (%lld, %lld), sums (%lld, %lld)", j,
                     (long long)g, (long long)h, (long long)sg[j], (long long)sh[j]);
    }
    free(sg);
    free(sh);
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
    const size_t nb = (size_t)a->nbins_total;
    if (memcmp(a->gh, c->gh, nb * sizeof *a->gh) == 0 &&
        memcmp(a->n, c->n, nb * sizeof *a->n) == 0)
        return;
    for (size_t k = 0; k < nb; k++)
        if (a->gh[k] != c->gh[k] || a->n[k] != c->n[k]) {
            int64_t g1, h1, g2, h2;
            wn__gh_unpack(a->gh[k], &g1, &h1);
            wn__gh_unpack(c->gh[k], &g2, &h2);
            fail_msg("%s: bin %zu differs: (%lld, %lld, %u) vs (%lld, %lld, %u)", what, k,
                     (long long)g1, (long long)h1, (unsigned)a->n[k], (long long)g2,
                     (long long)h2, (unsigned)c->n[k]);
        }
}

static void assert_hist_zero(const wn__hist *h)
{
    for (int64_t k = 0; k < h->nbins_total; k++)
        if (h->gh[k] != 0 || h->n[k] != 0)
            fail_msg("bin %lld not zero", (long long)k);
}

/* m distinct rows of 0..n-1 in random order (m <= n). */
static int64_t *random_rows(wn_rng *r, int64_t n, int64_t m)
{
    int64_t *all = malloc((size_t)(n > 0 ? n : 1) * sizeof *all);
    assert_non_null(all);
    for (int64_t i = 0; i < n; i++)
        all[i] = i;
    for (int64_t i = 0; i < m; i++) { /* partial Fisher-Yates */
        int64_t j = i + (int64_t)wn_rng_below(r, (uint64_t)(n - i)), tmp = all[i];
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
    /* clear zeroes a dirty histogram */
    for (int64_t k = 0; k < total; k++) {
        h->gh[k] = (uint64_t)k * 0x9e3779b97f4a7c15u;
        h->n[k] = (uint32_t)k + 1;
    }
    wn__hist_clear(h);
    assert_hist_zero(h);
    wn__hist_clear(NULL);
    wn__hist_free(h);
    wn__hist_free(NULL);
    wn__hist_builder_free(NULL);
    fixture_free(&x);
}

static void test_reference_root(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 20000, 1);
    wn__hist_builder *hb = builder_new(x.b, 1);
    wn__hist *h = hist_new(x.b), *ref = hist_new(x.b);
    ref_build(&x, NULL, x.n, ref);
    WN_OK_OR_FAIL(wn__hist_build(hb, x.codes, x.gh, NULL, x.n, h));
    assert_hist_equal(h, ref, "root vs reference");
    /* an explicit identity row list gives the same bits as rows == NULL */
    int64_t *id = malloc((size_t)x.n * sizeof *id);
    assert_non_null(id);
    for (int64_t i = 0; i < x.n; i++)
        id[i] = i;
    WN_OK_OR_FAIL(wn__hist_build(hb, x.codes, x.gh, id, x.n, h));
    assert_hist_equal(h, ref, "identity rows vs reference");
    /* every feature counts every row once and sums to the node's totals */
    int64_t G = 0, H = 0;
    for (int64_t i = 0; i < x.n; i++) {
        G += x.g[i];
        H += x.h[i];
    }
    for (int64_t f = 0; f < x.nf; f++) {
        int64_t cnt = 0;
        uint64_t acc = 0;
        for (int64_t k = h->offset[f]; k < h->offset[f + 1]; k++) {
            cnt += h->n[k];
            acc += h->gh[k];
        }
        int64_t g, hh;
        wn__gh_unpack(acc, &g, &hh);
        assert_int_equal(cnt, x.n);
        assert_int_equal(g, G);
        assert_int_equal(hh, H);
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
    assert_true(nmiss > 3000 && nmiss < 5000);
    int64_t km = h->offset[fa] + x.b->missing_bin[fa], g, hh;
    assert_int_equal(h->n[km], nmiss);
    wn__gh_unpack(h->gh[km], &g, &hh);
    assert_int_equal(g, gm);
    assert_int_equal(hh, hm);
    /* all-missing: its one bin holds everything; constant: bin 0 all, missing none */
    assert_int_equal(h->n[h->offset[fm]], x.n);
    assert_int_equal(h->n[h->offset[fcst]], x.n);
    assert_int_equal(h->n[h->offset[fcst] + 1], 0);
    assert_true(h->gh[h->offset[fcst] + 1] == 0);
    free(id);
    wn__hist_free(h);
    wn__hist_free(ref);
    wn__hist_builder_free(hb);
    fixture_free(&x);
}

static void test_subsets_tiny_empty(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 30000, 1);
    wn__hist_builder *hb1 = builder_new(x.b, 1), *hb2 = builder_new(x.b, 2);
    wn__hist *h = hist_new(x.b), *ref = hist_new(x.b);
    wn_rng r = wn_rng_make(99, 0);
    const int64_t sizes[] = {1, 2, 3, 4, 5, 7, 17, 100, 1000, 8191, 8192, 12000, 29999, 30000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t m = sizes[s];
        int64_t *rows = random_rows(&r, x.n, m);
        ref_build(&x, rows, m, ref);
        char what[64];
        snprintf(what, sizeof what, "subset of %lld rows, 1 thread", (long long)m);
        WN_OK_OR_FAIL(wn__hist_build(hb1, x.codes, x.gh, rows, m, h));
        assert_hist_equal(h, ref, what);
        snprintf(what, sizeof what, "subset of %lld rows, 2 threads", (long long)m);
        WN_OK_OR_FAIL(wn__hist_build(hb2, x.codes, x.gh, rows, m, h));
        assert_hist_equal(h, ref, what);
        /* tiny nodes: each row adds exactly once to each feature */
        if (m <= 7) {
            int64_t cnt = 0;
            for (int64_t k = 0; k < h->nbins_total; k++)
                cnt += h->n[k];
            assert_int_equal(cnt, m * x.nf);
        }
        free(rows);
    }
    /* one row: its packed word sits in exactly the bins of its codes */
    int64_t one = 5;
    WN_OK_OR_FAIL(wn__hist_build(hb2, x.codes, x.gh, &one, 1, h));
    for (int64_t f = 0; f < x.nf; f++)
        for (int64_t k = 0; k < x.b->nbins[f]; k++) {
            int hit = k == x.codes[one * x.nf + f];
            assert_int_equal(h->n[h->offset[f] + k], hit);
            assert_true(h->gh[h->offset[f] + k] == (hit ? x.gh[one] : 0));
        }
    /* the same row twice counts twice */
    int64_t two[2] = {5, 5};
    WN_OK_OR_FAIL(wn__hist_build(hb1, x.codes, x.gh, two, 2, h));
    assert_int_equal(h->n[h->offset[0] + x.codes[5 * x.nf]], 2);
    /* empty node: a dirty histogram is cleared, with or without a row list,
     * and codes/gh may be NULL */
    WN_OK_OR_FAIL(wn__hist_build(hb2, x.codes, x.gh, NULL, x.n, h));
    WN_OK_OR_FAIL(wn__hist_build(hb2, x.codes, x.gh, &one, 0, h));
    assert_hist_zero(h);
    WN_OK_OR_FAIL(wn__hist_build(hb1, x.codes, x.gh, NULL, x.n, h));
    WN_OK_OR_FAIL(wn__hist_build(hb1, NULL, NULL, NULL, 0, h));
    assert_hist_zero(h);
    wn__hist_free(h);
    wn__hist_free(ref);
    wn__hist_builder_free(hb1);
    wn__hist_builder_free(hb2);
    fixture_free(&x);
}

static void test_threads(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 60000, 1);
    wn__hist_builder *hb[4] = {builder_new(x.b, 1), builder_new(x.b, 2), builder_new(x.b, 3),
                               builder_new(x.b, 0)};
    wn__hist *h = hist_new(x.b), *ref = hist_new(x.b);
    wn_rng r = wn_rng_make(5, 0);
    /* the root; a big shuffled node; nodes just over the parallel threshold
     * (fewer chunks than threads) and with an odd size */
    const int64_t sizes[] = {-1, 50001, 8192, 10000, 12289, 20011};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        int64_t m = sizes[s] < 0 ? x.n : sizes[s];
        int64_t *rows = sizes[s] < 0 ? NULL : random_rows(&r, x.n, m);
        ref_build(&x, rows, m, ref);
        for (int t = 0; t < 4; t++) {
            char what[80];
            snprintf(what, sizeof what, "%lld rows, builder %d", (long long)m, t);
            wn__hist_clear(h);
            h->n[0] = 77; /* dirty: build overwrites */
            WN_OK_OR_FAIL(wn__hist_build(hb[t], x.codes, x.gh, rows, m, h));
            assert_hist_equal(h, ref, what);
        }
        free(rows);
    }
    for (int t = 0; t < 4; t++)
        wn__hist_builder_free(hb[t]);
    wn__hist_free(h);
    wn__hist_free(ref);
    fixture_free(&x);
}

static void test_subtract(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 40000, 1);
    /* parent: every row but multiples of 5, shuffled; split on feature 3 at
     * its median bin, and (second round) on the NaN column's missing bin */
    wn_rng r = wn_rng_make(3, 0);
    for (int round = 0; round < 2; round++) {
        int64_t np = 0, nl = 0, nr = 0;
        int64_t *par = malloc((size_t)x.n * sizeof *par),
                *left = malloc((size_t)x.n * sizeof *left),
                *right = malloc((size_t)x.n * sizeof *right);
        assert_non_null(par);
        assert_non_null(left);
        assert_non_null(right);
        for (int64_t i = 0; i < x.n; i++)
            if (i % 5 != 0)
                par[np++] = i;
        for (int64_t i = np - 1; i > 0; i--) {
            int64_t j = (int64_t)wn_rng_below(&r, (uint64_t)i + 1), tmp = par[i];
            par[i] = par[j];
            par[j] = tmp;
        }
        int64_t fs = round == 0 ? 3 : x.nf - 3;
        int cut = round == 0 ? x.b->missing_bin[3] / 2 : x.b->missing_bin[fs] - 1;
        for (int64_t i = 0; i < np; i++) {
            int64_t row = par[i];
            if (x.codes[row * x.nf + fs] <= cut)
                left[nl++] = row;
            else
                right[nr++] = row;
        }
        assert_true(nl > 1000 && nr > 1000);
        wn__hist_builder *hb = builder_new(x.b, 2);
        wn__hist *hp = hist_new(x.b), *hl = hist_new(x.b), *hr = hist_new(x.b),
                 *hs = hist_new(x.b);
        WN_OK_OR_FAIL(wn__hist_build(hb, x.codes, x.gh, par, np, hp));
        WN_OK_OR_FAIL(wn__hist_build(hb, x.codes, x.gh, left, nl, hl));
        WN_OK_OR_FAIL(wn__hist_build(hb, x.codes, x.gh, right, nr, hr));
        WN_OK_OR_FAIL(wn__hist_subtract(hp, hl, hs));
        assert_hist_equal(hs, hr, "parent - left vs right");
        WN_OK_OR_FAIL(wn__hist_subtract(hp, hr, hs));
        assert_hist_equal(hs, hl, "parent - right vs left");
        /* the split feature: the right child has nothing in the left bins */
        for (int k = 0; k <= cut; k++)
            assert_int_equal(hr->n[hr->offset[fs] + k], 0);
        /* parent - parent is zero */
        WN_OK_OR_FAIL(wn__hist_subtract(hp, hp, hs));
        assert_hist_zero(hs);
        /* in place: sibling may be the child, or the parent */
        wn__hist *hl2 = hist_new(x.b);
        memcpy(hl2->gh, hl->gh, (size_t)hl->nbins_total * sizeof *hl->gh);
        memcpy(hl2->n, hl->n, (size_t)hl->nbins_total * sizeof *hl->n);
        WN_OK_OR_FAIL(wn__hist_subtract(hp, hl2, hl2));
        assert_hist_equal(hl2, hr, "in place into the child");
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
    fixture_free(&x);
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
    /* zero packs to zero; (0, -1) is all ones in the low half only after the
     * carry is undone: its high half must read 0 */
    assert_true(wn__gh_pack(0, 0) == 0);
    int64_t g, h;
    wn__gh_unpack(wn__gh_pack(0, -1), &g, &h);
    assert_int_equal(g, 0);
    assert_int_equal(h, -1);
    /* random walks: running sums of packed words unpack to the running sums
     * of the halves while those stay within int32 (big steps, both signs, so
     * the low half carries and borrows often) */
    wn_rng r = wn_rng_make(2024, 0);
    for (int walk = 0; walk < 200; walk++) {
        uint64_t acc = 0;
        int64_t sg = 0, sh = 0;
        int32_t step = walk < 100 ? (1 << 24) : M;
        for (int i = 0; i < 2000; i++) {
            int32_t a = (int32_t)((int64_t)wn_rng_below(&r, 2 * (uint64_t)step + 1) - step);
            int32_t b = (int32_t)((int64_t)wn_rng_below(&r, 2 * (uint64_t)step + 1) - step);
            if (sg + a < -M || sg + a > M || sh + b < -M || sh + b > M)
                continue; /* the trainer keeps every sum within int32 */
            acc += wn__gh_pack(a, b);
            sg += a;
            sh += b;
            wn__gh_unpack(acc, &g, &h);
            if (g != sg || h != sh)
                fail_msg("walk %d step %d: unpacked (%lld, %lld), sums (%lld, %lld)", walk, i,
                         (long long)g, (long long)h, (long long)sg, (long long)sh);
        }
    }
    /* order does not matter: adding many words forwards and backwards */
    uint64_t fw = 0, bw = 0;
    uint64_t words[1000];
    for (int i = 0; i < 1000; i++)
        words[i] = wn__gh_pack((int32_t)wn_rng_below(&r, 2000001) - 1000000,
                               (int32_t)wn_rng_below(&r, 2000001) - 1000000);
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
    WN_EXPECT_ERR(wn__hist_build(NULL, x.codes, x.gh, NULL, x.n, h), WN_EINVAL, "builder");
    WN_EXPECT_ERR(wn__hist_build(hb, x.codes, x.gh, NULL, x.n, NULL), WN_EINVAL, "out");
    WN_EXPECT_ERR(wn__hist_build(hb, x.codes, x.gh, NULL, -1, h), WN_EINVAL, "nnode");
    WN_EXPECT_ERR(wn__hist_build(hb, x.codes, x.gh, NULL, x.n, hy), WN_EINVAL, "shaped");
    WN_EXPECT_ERR(wn__hist_build(hb, x.codes, x.gh, NULL, x.n, hswap), WN_EINVAL, "shaped");
    WN_EXPECT_ERR(wn__hist_build(hb, NULL, x.gh, NULL, x.n, h), WN_EINVAL, "codes");
    WN_EXPECT_ERR(wn__hist_build(hb, x.codes, NULL, NULL, x.n, h), WN_EINVAL, "gh");
    /* subtract */
    WN_EXPECT_ERR(wn__hist_subtract(NULL, h, h), WN_EINVAL, "parent");
    WN_EXPECT_ERR(wn__hist_subtract(h, NULL, h), WN_EINVAL, "child");
    WN_EXPECT_ERR(wn__hist_subtract(h, h, NULL), WN_EINVAL, "sibling");
    WN_EXPECT_ERR(wn__hist_subtract(h, hy, h), WN_EINVAL, "shapes");
    WN_EXPECT_ERR(wn__hist_subtract(h, h, hy), WN_EINVAL, "shapes");
    WN_EXPECT_ERR(wn__hist_subtract(hswap, h, h), WN_EINVAL, "shapes");
    WN_EXPECT_ERR(wn__hist_subtract(h, h, hswap), WN_EINVAL, "shapes");
    /* still usable after the errors */
    WN_OK_OR_FAIL(wn__hist_build(hb, x.codes, x.gh, NULL, x.n, h));
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
    fixture_make(&x, 20000, 1);
    int64_t rows[4] = {9, 2, 19999, 0};
    wn__hist *ref = hist_new(x.b);
    ref_build(&x, NULL, x.n, ref);
    int succeeded = 0;
    int64_t n;
    for (n = 1; !succeeded && n < 1000; n++) {
        wn__hist *a = NULL, *c = NULL;
        wn__hist_builder *b1 = NULL, *b3 = NULL;
        wn__alloc_fail_at(n);
        wn_status s = wn__hist_create(x.b, &a);
        if (s == WN_OK)
            s = wn__hist_builder_create(x.b, 1, &b1);
        if (s == WN_OK)
            s = wn__hist_builder_create(x.b, 3, &b3);
        if (s == WN_OK)
            s = wn__hist_create(x.b, &c);
        if (s == WN_OK)
            s = wn__hist_build(b3, x.codes, x.gh, NULL, x.n, a);
        if (s == WN_OK)
            s = wn__hist_build(b1, x.codes, x.gh, rows, 4, c);
        if (s == WN_OK)
            s = wn__hist_subtract(a, c, a);
        wn__alloc_fail_at(0);
        if (s == WN_OK) {
            succeeded = 1;
            WN_OK_OR_FAIL(wn__hist_build(b1, x.codes, x.gh, NULL, x.n, c));
            assert_hist_equal(c, ref, "after the sweep");
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
    wn__hist_free(ref);
    fixture_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_reference_root),
        cmocka_unit_test(test_subsets_tiny_empty),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_subtract),
        cmocka_unit_test(test_pack),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
