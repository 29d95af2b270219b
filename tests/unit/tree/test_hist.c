/* test_hist.c — node histograms: the fast builder against a slow reference
 * bit for bit, the subtraction trick, thread-count determinism, the missing
 * bin, empty nodes, row subsets and views, errors and allocation failures. */
#include "wn_test.h"

#include "core.h"
#include "tree/bin.h"
#include "tree/hist.h"

#include <math.h>

/* ---- fixtures --------------------------------------------------------------- */

typedef struct fixture {
    wn_table *t;
    wn__binning *b;
    uint8_t *codes;
    int64_t n, nf;
    float *grad, *hess;
} fixture;

/* HIGGS-like: column 0 is the label, columns 1..28 the features */
static const int64_t FC[28] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                               15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28};

/* n rows of HIGGS-like features, plus (with extra) a column with 20% NaN, an
 * all-NaN column and a constant one; gradients like logistic loss. */
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
    if (extra) {
        float *a = malloc((size_t)n * sizeof *a), *m = malloc((size_t)n * sizeof *m),
              *c = malloc((size_t)n * sizeof *c);
        for (int64_t i = 0; i < n; i++) {
            a[i] = wn_rng_uniform(&r) < 0.2 ? NAN : (float)wn_rng_normal(&r);
            m[i] = NAN;
            c[i] = 3.0f;
        }
        /* the new columns come after the existing ones */
        int64_t base = wn_table_ncols(x->t);
        WN_OK_OR_FAIL(wn_table_add_column(x->t, "nanny", a));
        WN_OK_OR_FAIL(wn_table_add_column(x->t, "allnan", m));
        WN_OK_OR_FAIL(wn_table_add_column(x->t, "const", c));
        free(a);
        free(m);
        free(c);
        x->nf = nf + 3;
        int64_t *fc = malloc((size_t)x->nf * sizeof *fc);
        for (int64_t f = 0; f < nf; f++)
            fc[f] = FC[f];
        fc[nf] = base;
        fc[nf + 1] = base + 1;
        fc[nf + 2] = base + 2;
        WN_OK_OR_FAIL(wn__binning_fit(x->t, fc, x->nf, 255, 0, 3, 2, &x->b));
        WN_OK_OR_FAIL(wn__binning_apply(x->b, x->t, fc, 2, &x->codes));
        free(fc);
    } else {
        x->nf = nf;
        WN_OK_OR_FAIL(wn__binning_fit(x->t, FC, nf, 255, 0, 3, 2, &x->b));
        WN_OK_OR_FAIL(wn__binning_apply(x->b, x->t, FC, 2, &x->codes));
    }
    x->n = n;
    x->grad = malloc((size_t)n * sizeof(float));
    x->hess = malloc((size_t)n * sizeof(float));
    for (int64_t i = 0; i < n; i++) {
        double pr = wn_rng_uniform(&r);
        /* magnitudes over 2^-20 .. 2^20, so that double sums of the floats
         * round and the order of the additions shows in the bits */
        double scale = ldexp(1.0, (int)wn_rng_below(&r, 41) - 20);
        x->grad[i] = (float)((pr - (wn_rng_uniform(&r) < 0.5 ? 1.0 : 0.0)) * scale);
        x->hess[i] = (float)(pr * (1.0 - pr));
    }
}

static void fixture_free(fixture *x)
{
    free(x->grad);
    free(x->hess);
    wn_free(x->codes);
    wn__binning_free(x->b);
    wn_table_free(x->t);
}

/* The slow obvious version: per feature, rows in the order given, double
 * sums of the float gradients (rows == NULL: 0 .. nnode-1). Same order as
 * hist.h defines, so the bits must match. */
static void ref_build(const fixture *x, const int64_t *rows, int64_t nnode, wn__hist *out)
{
    memset(out->bins, 0, (size_t)out->nbins_total * sizeof *out->bins);
    for (int64_t f = 0; f < x->nf; f++)
        for (int64_t i = 0; i < nnode; i++) {
            int64_t r = rows ? rows[i] : i;
            int k = x->codes[f * x->n + r];
            assert_true(k < x->b->nbins[f]);
            wn__hist_bin *e = &out->bins[out->offset[f] + k];
            e->g = e->g + (double)x->grad[r];
            e->h = e->h + (double)x->hess[r];
            e->n = e->n + 1;
        }
}

static wn__hist *hist_new(const wn__binning *b)
{
    wn__hist *h = NULL;
    WN_OK_OR_FAIL(wn__hist_create(b, &h));
    return h;
}

static void assert_hist_equal(const wn__hist *a, const wn__hist *c, const char *what)
{
    assert_int_equal(a->nbins_total, c->nbins_total);
    for (int64_t k = 0; k < a->nbins_total; k++)
        if (memcmp(&a->bins[k], &c->bins[k], sizeof a->bins[k]) != 0)
            fail_msg("%s: bin %lld differs: (%.17g, %.17g, %lld) vs (%.17g, %.17g, %lld)", what,
                     (long long)k, a->bins[k].g, a->bins[k].h, (long long)a->bins[k].n,
                     c->bins[k].g, c->bins[k].h, (long long)c->bins[k].n);
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
        assert_true(wn__hist_feature(h, f) == h->bins + total);
        total += x.b->nbins[f];
    }
    assert_int_equal(h->offset[x.nf], total);
    assert_int_equal(h->nbins_total, total);
    for (int64_t k = 0; k < total; k++)
        assert_true(h->bins[k].g == 0.0 && h->bins[k].h == 0.0 && h->bins[k].n == 0);
    /* the all-missing feature has one bin, the constant one two */
    assert_int_equal(x.b->nbins[x.nf - 2], 1);
    assert_int_equal(x.b->nbins[x.nf - 1], 2);
    wn__hist_free(h);
    wn__hist_free(NULL);
    fixture_free(&x);
}

static void test_reference_root_and_threads(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 20000, 1);
    wn__hist *h1 = hist_new(x.b), *h2 = hist_new(x.b), *h3 = hist_new(x.b),
             *ref = hist_new(x.b);
    ref_build(&x, NULL, x.n, ref);
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 1, h1));
    assert_hist_equal(h1, ref, "root, 1 thread vs reference");
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 2, h2));
    assert_memory_equal(h1->bins, h2->bins, (size_t)h1->nbins_total * sizeof *h1->bins);
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 7, h3));
    assert_memory_equal(h1->bins, h3->bins, (size_t)h1->nbins_total * sizeof *h1->bins);
    /* an explicit identity row list gives the same bits as rows == NULL */
    int64_t *id = malloc((size_t)x.n * sizeof *id);
    for (int64_t i = 0; i < x.n; i++)
        id[i] = i;
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, id, x.n, 2, h2));
    assert_hist_equal(h2, ref, "identity rows vs reference");
    /* every feature counts every row once; the sums agree across features */
    for (int64_t f = 0; f < x.nf; f++) {
        int64_t cnt = 0;
        double g = 0;
        for (int k = 0; k < x.b->nbins[f]; k++) {
            cnt += wn__hist_feature(h1, f)[k].n;
            g += wn__hist_feature(h1, f)[k].g;
        }
        assert_int_equal(cnt, x.n);
        double g0 = 0;
        for (int k = 0; k < x.b->nbins[0]; k++)
            g0 += wn__hist_feature(h1, 0)[k].g;
        assert_true(fabs(g - g0) <= 1e-9 * 1048576.0 * (double)x.n);
    }
    free(id);
    wn__hist_free(h1);
    wn__hist_free(h2);
    wn__hist_free(h3);
    wn__hist_free(ref);
    fixture_free(&x);
}

static void test_missing_bin(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 5000, 1);
    wn__hist *h = hist_new(x.b);
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 2, h));
    const float *nanny = wn_table_column(x.t, wn_table_ncols(x.t) - 3);
    int64_t fa = x.nf - 3, fm = x.nf - 2, fcst = x.nf - 1;
    int64_t nmiss = 0;
    double g = 0.0, hs = 0.0;
    for (int64_t i = 0; i < x.n; i++)
        if (isnan(nanny[i])) {
            nmiss++;
            g += (double)x.grad[i];
            hs += (double)x.hess[i];
        }
    assert_true(nmiss > 800 && nmiss < 1200);
    const wn__hist_bin *mb = &wn__hist_feature(h, fa)[x.b->missing_bin[fa]];
    assert_int_equal(mb->n, nmiss);
    assert_true(mb->g == g && mb->h == hs); /* same row order: exact */
    /* all-missing: the one bin holds everything; constant: bin 0 all, missing none */
    assert_int_equal(wn__hist_feature(h, fm)[0].n, x.n);
    assert_int_equal(wn__hist_feature(h, fcst)[0].n, x.n);
    assert_int_equal(wn__hist_feature(h, fcst)[1].n, 0);
    assert_true(wn__hist_feature(h, fcst)[1].g == 0.0);
    wn__hist_free(h);
    fixture_free(&x);
}

static void test_empty_node(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 1000, 1);
    wn__hist *h = hist_new(x.b);
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 1, h));
    int64_t one = 5;
    /* a dirty histogram is cleared by an empty build, with or without a row list */
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, &one, 0, 2, h));
    for (int64_t k = 0; k < h->nbins_total; k++)
        assert_true(h->bins[k].g == 0.0 && h->bins[k].h == 0.0 && h->bins[k].n == 0);
    WN_OK_OR_FAIL(wn__hist_build(x.b, NULL, 0, NULL, NULL, NULL, 0, 2, h));
    for (int64_t k = 0; k < h->nbins_total; k++)
        assert_true(h->bins[k].n == 0);
    /* a one-row node */
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, &one, 1, 2, h));
    for (int64_t f = 0; f < x.nf; f++) {
        const wn__hist_bin *e = &wn__hist_feature(h, f)[x.codes[f * x.n + 5]];
        assert_int_equal(e->n, 1);
        assert_true(e->g == (double)x.grad[5] && e->h == (double)x.hess[5]);
    }
    wn__hist_free(h);
    fixture_free(&x);
}

static void test_subset_and_view(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 30000, 1);
    /* a shuffled subset of a third of the rows */
    int64_t m = 0;
    int64_t *rows = malloc((size_t)x.n * sizeof *rows);
    for (int64_t i = 0; i < x.n; i++)
        if (i % 3 == 1)
            rows[m++] = i;
    wn_rng r = wn_rng_make(99, 0);
    for (int64_t i = m - 1; i > 0; i--) {
        int64_t j = (int64_t)wn_rng_below(&r, (uint64_t)i + 1), tmp = rows[i];
        rows[i] = rows[j];
        rows[j] = tmp;
    }
    wn__hist *h = hist_new(x.b), *h2 = hist_new(x.b), *ref = hist_new(x.b);
    ref_build(&x, rows, m, ref);
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, rows, m, 2, h));
    assert_hist_equal(h, ref, "shuffled subset vs reference");
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, rows, m, 1, h2));
    assert_memory_equal(h->bins, h2->bins, (size_t)h->nbins_total * sizeof *h->bins);
    /* the same rows as a table view: its own codes and gathered gradients,
     * rows == NULL, give the same bits */
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(x.t, rows, m, &v));
    int64_t *fc = malloc((size_t)x.nf * sizeof *fc);
    int64_t base = wn_table_ncols(x.t) - 3;
    for (int64_t f = 0; f < x.nf - 3; f++)
        fc[f] = FC[f];
    for (int k = 0; k < 3; k++)
        fc[x.nf - 3 + k] = base + k;
    uint8_t *cv = NULL;
    WN_OK_OR_FAIL(wn__binning_apply(x.b, v, fc, 2, &cv));
    float *gv = malloc((size_t)m * sizeof *gv), *hv = malloc((size_t)m * sizeof *hv);
    for (int64_t i = 0; i < m; i++) {
        gv[i] = x.grad[rows[i]];
        hv[i] = x.hess[rows[i]];
    }
    WN_OK_OR_FAIL(wn__hist_build(x.b, cv, m, gv, hv, NULL, m, 2, h2));
    assert_hist_equal(h2, ref, "view vs reference");
    /* another order of the same rows: equal counts, sums within rounding */
    int64_t *sorted = malloc((size_t)m * sizeof *sorted);
    for (int64_t i = 0, k = 0; i < x.n; i++)
        if (i % 3 == 1)
            sorted[k++] = i;
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, sorted, m, 2, h2));
    for (int64_t k = 0; k < h->nbins_total; k++) {
        assert_int_equal(h2->bins[k].n, h->bins[k].n);
        assert_true(fabs(h2->bins[k].g - h->bins[k].g) <= 1e-12 * 1048576.0 * (double)m);
    }
    free(sorted);
    free(gv);
    free(hv);
    wn_free(cv);
    free(fc);
    wn_table_free(v);
    free(rows);
    wn__hist_free(h);
    wn__hist_free(h2);
    wn__hist_free(ref);
    fixture_free(&x);
}

static void test_subtract(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 40000, 1);
    /* parent: every row but multiples of 5; split on feature 3 at its median bin */
    int64_t np = 0, nl = 0, nr = 0;
    int64_t *par = malloc((size_t)x.n * sizeof *par), *left = malloc((size_t)x.n * sizeof *left),
            *right = malloc((size_t)x.n * sizeof *right);
    int cut = x.b->missing_bin[3] / 2;
    for (int64_t i = 0; i < x.n; i++) {
        if (i % 5 == 0)
            continue;
        par[np++] = i;
        if (x.codes[3 * x.n + i] <= cut)
            left[nl++] = i;
        else
            right[nr++] = i;
    }
    assert_true(nl > 1000 && nr > 1000);
    wn__hist *hp = hist_new(x.b), *hl = hist_new(x.b), *hr = hist_new(x.b),
             *hs = hist_new(x.b), *habs = hist_new(x.b);
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, par, np, 2, hp));
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, left, nl, 2, hl));
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, right, nr, 1, hr));
    WN_OK_OR_FAIL(wn__hist_subtract(hp, hl, hs));
    /* the scale of the rounding: sums of |g| over the parent's rows */
    float *absg = malloc((size_t)x.n * sizeof *absg);
    for (int64_t i = 0; i < x.n; i++)
        absg[i] = fabsf(x.grad[i]);
    WN_OK_OR_FAIL(wn__hist_build(x.b, x.codes, x.n, absg, x.hess, par, np, 1, habs));
    int64_t inexact = 0;
    for (int64_t k = 0; k < hp->nbins_total; k++) {
        assert_int_equal(hs->bins[k].n, hr->bins[k].n);
        double tg = 1e-9 * (habs->bins[k].g > 1.0 ? habs->bins[k].g : 1.0);
        double th = 1e-9 * (hp->bins[k].h > 1.0 ? hp->bins[k].h : 1.0);
        if (fabs(hs->bins[k].g - hr->bins[k].g) > tg || fabs(hs->bins[k].h - hr->bins[k].h) > th)
            fail_msg("bin %lld: derived (%.17g, %.17g), direct (%.17g, %.17g)", (long long)k,
                     hs->bins[k].g, hs->bins[k].h, hr->bins[k].g, hr->bins[k].h);
        inexact += hs->bins[k].g != hr->bins[k].g;
    }
    printf("subtract: %lld of %lld bins differ from a direct build in the last bits\n",
           (long long)inexact, (long long)hp->nbins_total);
    /* feature 3 itself: the right child has nothing in the left bins */
    for (int k = 0; k <= cut; k++)
        assert_int_equal(wn__hist_feature(hs, 3)[k].n, 0);
    /* in place: sibling may be the parent */
    WN_OK_OR_FAIL(wn__hist_subtract(hp, hl, hp));
    assert_memory_equal(hp->bins, hs->bins, (size_t)hs->nbins_total * sizeof *hs->bins);
    free(absg);
    free(par);
    free(left);
    free(right);
    wn__hist_free(hp);
    wn__hist_free(hl);
    wn__hist_free(hr);
    wn__hist_free(hs);
    wn__hist_free(habs);
    fixture_free(&x);
}

static void test_errors(void **state)
{
    (void)state;
    fixture x, y;
    fixture_make(&x, 500, 1);
    fixture_make(&y, 500, 0);
    wn__hist *h = hist_new(x.b), *hy = hist_new(y.b), *o = NULL;
    WN_EXPECT_ERR(wn__hist_create(NULL, &o), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn__hist_create(x.b, NULL), WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 1, NULL),
                  WN_EINVAL, "NULL");
    WN_EXPECT_ERR(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 1, hy), WN_EINVAL,
                  "features");
    WN_EXPECT_ERR(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n + 1, 1, h),
                  WN_EINVAL, "nnode");
    WN_EXPECT_ERR(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, -1, 1, h), WN_EINVAL,
                  "negative");
    WN_EXPECT_ERR(wn__hist_build(x.b, x.codes, x.n, NULL, x.hess, NULL, x.n, 1, h), WN_EINVAL,
                  "grad");
    int64_t bad[3] = {0, 500, 1};
    WN_EXPECT_ERR(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, bad, 3, 1, h), WN_EINVAL,
                  "rows[1] = 500");
    bad[1] = -1;
    WN_EXPECT_ERR(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, bad, 3, 2, h), WN_EINVAL,
                  "rows[1] = -1");
    /* a code past the feature's bins is caught, not written elsewhere */
    int64_t fc = x.nf - 1; /* constant: 2 bins */
    x.codes[fc * x.n + 7] = 200;
    WN_EXPECT_ERR(wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 2, h), WN_EINVAL,
                  "code");
    WN_EXPECT_ERR(wn__hist_subtract(h, hy, h), WN_EINVAL, "shapes");
    WN_EXPECT_ERR(wn__hist_subtract(h, NULL, h), WN_EINVAL, "child");
    wn__hist_free(h);
    wn__hist_free(hy);
    fixture_free(&x);
    fixture_free(&y);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    fixture x;
    fixture_make(&x, 3000, 1);
    int64_t rows[4] = {9, 2, 2999, 0};
    int succeeded = 0;
    for (int64_t n = 1; !succeeded && n < 1000; n++) {
        wn__hist *a = NULL, *c = NULL;
        wn__alloc_fail_at(n);
        wn_status s = wn__hist_create(x.b, &a);
        if (s == WN_OK)
            s = wn__hist_create(x.b, &c);
        if (s == WN_OK)
            s = wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, NULL, x.n, 2, a);
        if (s == WN_OK)
            s = wn__hist_build(x.b, x.codes, x.n, x.grad, x.hess, rows, 4, 1, c);
        if (s == WN_OK)
            s = wn__hist_subtract(a, c, a);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            succeeded = 1;
        else
            assert_int_equal(s, WN_ENOMEM);
        wn__hist_free(a);
        wn__hist_free(c);
    }
    assert_true(succeeded);
    fixture_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_reference_root_and_threads),
        cmocka_unit_test(test_missing_bin),
        cmocka_unit_test(test_empty_node),
        cmocka_unit_test(test_subset_and_view),
        cmocka_unit_test(test_subtract),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
