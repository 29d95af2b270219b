/* test_split.c — split search on hand-checkable histograms: tiny tables with
 * few distinct values (one bin each), hand-chosen quantised (g, h) with
 * scales 1, and gains recomputed here from the formula in split.h. */
#include "wn_test.h"

#include "core.h"
#include "tree/bin.h"
#include "tree/hist.h"
#include "tree/split.h"

#include <math.h>

#define INF ((double)INFINITY)

/* ---- fixture: a tiny table, its bins and its histogram --------------------- */

typedef struct mini {
    wn_table *t;
    wn__binning *b;
    wn__hist *h;
    wn__node_sums tot;
    int64_t n, nf;
} mini;

/* x is feature-major: x[f*n + r]. The histogram of all rows is built from
 * row records (PACKED3, the format of nodes of up to 65535 rows). */
static void mini_make(mini *m, int64_t n, int64_t nf, const float *x, const int32_t *g,
                      const int32_t *h)
{
    m->n = n;
    m->nf = nf;
    WN_OK_OR_FAIL(wn_table_create(n, &m->t));
    int64_t *fc = malloc((size_t)nf * sizeof *fc);
    assert_non_null(fc);
    for (int64_t f = 0; f < nf; f++) {
        char name[32];
        snprintf(name, sizeof name, "f%lld", (long long)f);
        WN_OK_OR_FAIL(wn_table_add_column(m->t, name, x + f * n));
        fc[f] = f;
    }
    WN_OK_OR_FAIL(wn__binning_fit(m->t, fc, nf, 255, 0, 1, 1, &m->b));
    wn__recs rc;
    WN_OK_OR_FAIL(wn__recs_create(n, nf, &rc));
    WN_OK_OR_FAIL(wn__binning_apply_strided(m->b, m->t, fc, 1, rc.data + 4, rc.stride, NULL));
    free(fc);
    m->tot.g = m->tot.h = 0;
    m->tot.n = n;
    for (int64_t i = 0; i < n; i++) {
        wn__rec_set_gh(&rc, i, g[i], h[i]);
        m->tot.g += g[i];
        m->tot.h += h[i];
    }
    wn__hist_builder *hb = NULL;
    WN_OK_OR_FAIL(wn__hist_create(m->b, &m->h));
    WN_OK_OR_FAIL(wn__hist_builder_create(m->b, 1, &hb));
    WN_OK_OR_FAIL(wn__hist_build(hb, &rc, NULL, n, m->h));
    assert_int_equal(m->h->fmt, WN__HIST_PACKED3);
    wn__hist_builder_free(hb);
    wn__recs_free(&rc);
}

static void mini_free(mini *m)
{
    wn__hist_free(m->h);
    wn__binning_free(m->b);
    wn_table_free(m->t);
}

/* The same sums in the WIDE format (what a node of more than 65535 rows
 * has): the scan must find the same split in both. */
static wn__hist *as_wide(const mini *m)
{
    wn__hist *w = NULL;
    WN_OK_OR_FAIL(wn__hist_create(m->b, &w));
    for (int64_t k = 0; k < m->h->nbins_total; k++) {
        int64_t g, h, n;
        wn__hist_bin(m->h, k, &g, &h, &n);
        w->gh[k] = wn__gh_pack((int32_t)g, (int32_t)h);
        w->n[k] = (uint32_t)n;
    }
    assert_int_equal(w->fmt, WN__HIST_WIDE);
    return w;
}

static wn__split_params params(double l2)
{
    wn__split_params p;
    memset(&p, 0, sizeof p);
    p.min_data = 1;
    p.min_hess = 0.0;
    p.l1 = 0.0;
    p.l2 = l2;
    p.min_gain = 0.0;
    p.monotone = NULL;
    return p;
}

static wn__split find(const mini *m, const wn__split_params *p, const uint8_t *use, double lo,
                      double hi, int threads)
{
    wn__split s, sw;
    memset(&s, 0x5a, sizeof s);
    memset(&sw, 0x5a, sizeof sw);
    wn__split_find(m->h, m->b, p, use, m->tot, 1.0, 1.0, lo, hi, threads, &s);
    /* every search also runs on the WIDE copy of the histogram */
    wn__hist *w = as_wide(m);
    wn__split_find(w, m->b, p, use, m->tot, 1.0, 1.0, lo, hi, threads, &sw);
    wn__hist_free(w);
    if (memcmp(&s, &sw, sizeof s) != 0)
        fail_msg("PACKED3 and WIDE histograms give different splits: feature %d bin %d gain "
                 "%.17g vs feature %d bin %d gain %.17g", s.feature, s.bin, s.gain, sw.feature,
                 sw.bin, sw.gain);
    return s;
}

/* The split.h formula, written out. */
static double T(double G, double l1)
{
    return G > l1 ? G - l1 : G < -l1 ? G + l1 : 0.0;
}

static double gain_of(double GL, double HL, double GR, double HR, double l1, double l2)
{
    double G = GL + GR, H = HL + HR;
    return T(GL, l1) * T(GL, l1) / (HL + l2) + T(GR, l1) * T(GR, l1) / (HR + l2) -
           T(G, l1) * T(G, l1) / (H + l2);
}

static void assert_close(double got, double want, const char *what)
{
    if (!(fabs(got - want) <= 1e-12 * (1.0 + fabs(want))))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

static void assert_split(const wn__split *s, int32_t f, int bin, int dl, int64_t gl, int64_t hl,
                         int64_t nl, const mini *m)
{
    if (s->feature != f || s->bin != bin || s->default_left != dl)
        fail_msg("split (f %d, bin %d, default_left %d), want (f %d, bin %d, default_left %d)",
                 s->feature, s->bin, s->default_left, f, bin, dl);
    assert_int_equal(s->left.g, gl);
    assert_int_equal(s->left.h, hl);
    assert_int_equal(s->left.n, nl);
    assert_int_equal(s->right.g, m->tot.g - gl);
    assert_int_equal(s->right.h, m->tot.h - hl);
    assert_int_equal(s->right.n, m->tot.n - nl);
}

/* The basic table: 8 rows, h = 1.
 *   f0: 1 1 2 2 3 3 4 4      g: -4 -4 -2 -2 2 2 4 4
 *   f1: 2 2 2 1 2 1 1 1      (x=1: g sums 8; x=2: -8; outputs increase in x)
 *   f2: copy of f0 (ties)    f3: all NaN    f4: constant */
#define NB 8
static const int32_t BG[NB] = {-4, -4, -2, -2, 2, 2, 4, 4};
static const int32_t BH[NB] = {1, 1, 1, 1, 1, 1, 1, 1};

static void basic_make(mini *m)
{
    float x[5 * NB] = {1, 1, 2, 2, 3, 3, 4, 4, /* f0 */
                       2, 2, 2, 1, 2, 1, 1, 1, /* f1 */
                       1, 1, 2, 2, 3, 3, 4, 4, /* f2 */
                       0, 0, 0, 0, 0, 0, 0, 0, /* f3 */
                       7, 7, 7, 7, 7, 7, 7, 7};
    for (int i = 0; i < NB; i++)
        x[3 * NB + i] = NAN;
    mini_make(m, NB, 5, x, BG, BH);
    /* one bin per distinct value, plus the missing bin */
    assert_int_equal(m->b->nbins[0], 5);
    assert_int_equal(m->b->nbins[1], 3);
    assert_int_equal(m->b->nbins[2], 5);
    assert_int_equal(m->b->nbins[3], 1);
    assert_int_equal(m->b->nbins[4], 2);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_basic(void **state)
{
    (void)state;
    mini m;
    basic_make(&m);
    wn__split_params p = params(1.0);
    /* f0 bin 1 (x <= 2): GL = -12, HL = 4 | GR = 12, HR = 4; G = 0 */
    const uint8_t use01[5] = {1, 1, 0, 1, 1};
    for (int threads = 1; threads <= 4; threads += 3) {
        wn__split s = find(&m, &p, use01, -INF, INF, threads);
        assert_split(&s, 0, 1, 1, -12, 4, 4, &m); /* no missing: default to the larger, 4 >= 4 */
        assert_close(s.gain, gain_of(-12, 4, 12, 4, 0, 1), "gain");
        assert_close(s.gain, 57.6, "gain by hand");
        assert_close(s.wl, 12.0 / 5.0, "wl");
        assert_close(s.wr, -12.0 / 5.0, "wr");
    }
    /* ties go to the lower feature: f2 is a copy of f0 */
    wn__split s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.feature, 0);
    /* use[f] = 0 skips a feature: without f0, its copy f2; without both, f1 */
    const uint8_t use_no0[5] = {0, 1, 1, 1, 1};
    s = find(&m, &p, use_no0, -INF, INF, 1);
    assert_split(&s, 2, 1, 1, -12, 4, 4, &m);
    const uint8_t use_1[5] = {0, 1, 0, 1, 1};
    s = find(&m, &p, use_1, -INF, INF, 1);
    /* f1 bin 0 (x <= 1): rows 3,5,6,7: GL = 8, HL = 4 */
    assert_split(&s, 1, 0, 1, 8, 4, 4, &m);
    assert_close(s.gain, gain_of(8, 4, -8, 4, 0, 1), "f1 gain");
    assert_close(s.gain, 25.6, "f1 gain by hand");
    /* all-missing and constant features cannot split */
    const uint8_t use_34[5] = {0, 0, 0, 1, 1};
    s = find(&m, &p, use_34, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    /* scales: gscale 0.5, hscale 2 turn the quantised sums into gradients */
    wn__split_find(m.h, m.b, &p, NULL, m.tot, 0.5, 2.0, -INF, INF, 1, &s);
    assert_split(&s, 0, 1, 1, -12, 4, 4, &m);
    assert_close(s.gain, gain_of(-6, 8, 6, 8, 0, 1), "scaled gain");
    assert_close(s.wl, 6.0 / 9.0, "scaled wl");
    /* l2 = 0 works too: 144/4 * 2 */
    p.l2 = 0.0;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 1, 1, -12, 4, 4, &m);
    assert_close(s.gain, 72.0, "l2 = 0");
    mini_free(&m);
}

/* Many features for the parallel path (nf >= 64): all copies of f0 of the
 * basic table; ties go to the lowest usable one at any thread count. */
static void test_ties_parallel(void **state)
{
    (void)state;
    enum { NF = 70 };
    float *x = malloc((size_t)NF * NB * sizeof *x);
    assert_non_null(x);
    for (int f = 0; f < NF; f++)
        for (int i = 0; i < NB; i++)
            x[f * NB + i] = (float)(1 + i / 2);
    mini m;
    mini_make(&m, NB, NF, x, BG, BH);
    free(x);
    wn__split_params p = params(1.0);
    uint8_t use[NF];
    for (int threads = 1; threads <= 4; threads++) {
        wn__split s = find(&m, &p, NULL, -INF, INF, threads);
        assert_split(&s, 0, 1, 1, -12, 4, 4, &m);
        assert_close(s.gain, 57.6, "parallel gain");
        for (int f = 0; f < NF; f++)
            use[f] = f >= 37;
        s = find(&m, &p, use, -INF, INF, threads);
        assert_split(&s, 37, 1, 1, -12, 4, 4, &m);
        memset(use, 0, sizeof use);
        s = find(&m, &p, use, -INF, INF, threads);
        assert_int_equal(s.feature, -1);
    }
    mini_free(&m);
}

static void test_l1(void **state)
{
    (void)state;
    mini m;
    basic_make(&m);
    const uint8_t use0[5] = {1, 0, 0, 0, 0};
    wn__split_params p = params(1.0);
    p.l1 = 3.0;
    /* T(-12) = -9, T(12) = 9, T(0) = 0: 81/5 * 2 */
    wn__split s = find(&m, &p, use0, -INF, INF, 1);
    assert_split(&s, 0, 1, 1, -12, 4, 4, &m);
    assert_close(s.gain, gain_of(-12, 4, 12, 4, 3, 1), "l1 = 3");
    assert_close(s.gain, 32.4, "l1 = 3 by hand");
    assert_close(s.wl, 9.0 / 5.0, "l1 wl");
    assert_close(s.wr, -9.0 / 5.0, "l1 wr");
    /* l1 = 10: bins 0 and 2 have |GL|, |GR| = 8 < 10, score 0; bin 1 keeps
     * T = -2, 2: 4/5 * 2 */
    p.l1 = 10.0;
    s = find(&m, &p, use0, -INF, INF, 1);
    assert_split(&s, 0, 1, 1, -12, 4, 4, &m);
    assert_close(s.gain, 1.6, "l1 = 10");
    /* l1 = 12: nothing left */
    p.l1 = 12.0;
    s = find(&m, &p, use0, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    mini_free(&m);
}

/* 8 rows, h = 1, f0 = 1..8, g = -20 2 2 2 2 4 4 4 (sum 0). Unconstrained
 * best is bin 0 (250); min_data 2 -> bin 1; min_data 3 -> bin 2. */
static void test_min_data_min_hess(void **state)
{
    (void)state;
    const float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const int32_t g[8] = {-20, 2, 2, 2, 2, 4, 4, 4}, h[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    mini m;
    mini_make(&m, 8, 1, x, g, h);
    assert_int_equal(m.b->nbins[0], 9);
    wn__split_params p = params(1.0);
    wn__split s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 0, 0, -20, 1, 1, &m); /* 1 < 7: default right */
    assert_close(s.gain, gain_of(-20, 1, 20, 7, 0, 1), "unconstrained");
    assert_close(s.gain, 250.0, "unconstrained by hand");
    p.min_data = 2;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 1, 0, -18, 2, 2, &m);
    assert_close(s.gain, gain_of(-18, 2, 18, 6, 0, 1), "min_data 2");
    p.min_data = 3;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 2, 0, -16, 3, 3, &m);
    assert_close(s.gain, gain_of(-16, 3, 16, 5, 0, 1), "min_data 3");
    p.min_data = 4; /* only 4 | 4 */
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 3, 1, -14, 4, 4, &m);
    p.min_data = 5; /* a node of 8 rows cannot give two children of 5 */
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    /* min_hess: a child's hessian sum must exceed it strictly */
    p.min_data = 1;
    p.min_hess = 0.999;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.bin, 0);
    p.min_hess = 1.0;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 1, 0, -18, 2, 2, &m);
    p.min_hess = 2.5;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 2, 0, -16, 3, 3, &m);
    p.min_hess = 4.0; /* neither child can exceed 4 of 8 */
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    p.min_hess = -5.0; /* below the floor: as 0 */
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.bin, 0);
    mini_free(&m);
}

/* Negative event weights: x = 1..4, g = -10 -10 10 10, h = 1 -2 3 3, l2 = 2.
 *   bin 0: GL -10, HL  1 | GR 10, HR 4: 100/3 + 100/6        = 50
 *   bin 1: GL -20, HL -1 | GR 20, HR 6: would be 400/1 + 400/8 = 450, but
 *          HL <= 0: inadmissible
 *   bin 2: GL -10, HL  2 | GR 10, HR 3: 100/4 + 100/5        = 45 */
static void test_negative_hessian(void **state)
{
    (void)state;
    const float x[4] = {1, 2, 3, 4};
    const int32_t g[4] = {-10, -10, 10, 10}, h[4] = {1, -2, 3, 3};
    mini m;
    mini_make(&m, 4, 1, x, g, h);
    wn__split_params p = params(2.0);
    wn__split s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 0, 0, -10, 1, 1, &m);
    assert_close(s.gain, gain_of(-10, 1, 10, 4, 0, 2), "negative hessian");
    assert_close(s.gain, 50.0, "negative hessian by hand");
    /* the same through the general path (bounds given) */
    s = find(&m, &p, NULL, -1e9, 1e9, 1);
    assert_split(&s, 0, 0, 0, -10, 1, 1, &m);
    assert_close(s.gain, 50.0, "negative hessian, general path");
    mini_free(&m);
    /* the mirror: the right child's hessian sum is negative at bin 1 */
    const int32_t g2[4] = {10, 10, -10, -10}, h2[4] = {3, 3, -2, 1};
    mini_make(&m, 4, 1, x, g2, h2);
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 2, 1, 10, 4, 3, &m);
    assert_close(s.gain, 50.0, "mirror");
    mini_free(&m);
    /* a child whose hessian sum is exactly zero is inadmissible too:
     * h = 1 -1 1 1 gives HL = 0 at bin 1 (else 400/2 + 400/4 = 300) */
    const int32_t h3[4] = {1, -1, 1, 1};
    mini_make(&m, 4, 1, x, g, h3);
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_true(s.feature == 0 && s.bin != 1);
    mini_free(&m);
    /* a node whose own hessian sum is <= 0 is not split */
    const int32_t h4[4] = {1, -5, 1, 1};
    mini_make(&m, 4, 1, x, g, h4);
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    mini_free(&m);
}

static void test_missing(void **state)
{
    (void)state;
    const float x[6] = {1, 1, 2, 2, NAN, NAN};
    const int32_t h[6] = {1, 1, 1, 1, 1, 1};
    wn__split_params p = params(1.0);
    mini m;
    /* NaN rows behave like x = 1: they belong left.
     *   missing right, bin 0: L -10/2 | R 0/4
     *   missing left,  bin 0: L -20/4 | R 10/2 (best)          G = -10, H = 6 */
    const int32_t gl[6] = {-5, -5, 5, 5, -5, -5};
    mini_make(&m, 6, 1, x, gl, h);
    assert_int_equal(m.b->nbins[0], 3);
    wn__split s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 0, 1, -20, 4, 4, &m);
    assert_close(s.gain, gain_of(-20, 4, 10, 2, 0, 1), "NaN left");
    assert_close(s.gain, 80.0 + 100.0 / 3.0 - 100.0 / 7.0, "NaN left by hand");
    /* the general path learns the same */
    s = find(&m, &p, NULL, -1e9, 1e9, 1);
    assert_split(&s, 0, 0, 1, -20, 4, 4, &m);
    mini_free(&m);
    /* NaN rows behave like x = 2: they belong right.
     *   missing right, bin 0: L -10/2 | R 20/4 (best)          G = 10, H = 6 */
    const int32_t gr[6] = {-5, -5, 5, 5, 5, 5};
    mini_make(&m, 6, 1, x, gr, h);
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, 0, 0, -10, 2, 2, &m);
    assert_close(s.gain, gain_of(-10, 2, 20, 4, 0, 1), "NaN right");
    mini_free(&m);
    /* missing only: the NaN rows differ from all others; the best split is
     * bin nb-2 = 1 (all non-missing left), missing right.
     *   bin 0 either way: 100/3 + 100/5; bin 1: 400/5 + 400/3 */
    const int32_t gm[6] = {-5, -5, -5, -5, 10, 10};
    mini_make(&m, 6, 1, x, gm, h);
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_split(&s, 0, m.b->nbins[0] - 2, 0, -20, 4, 4, &m);
    assert_close(s.gain, gain_of(-20, 4, 20, 2, 0, 1), "missing only");
    /* with min_data 3 the missing-only split (2 rows right) is out, and
     * so is bin 0 (2 | 4 with missing right); missing left, bin 0 gives
     * 4 | 2; nothing admissible */
    p.min_data = 3;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    mini_free(&m);
    /* a NaN column without any non-NaN value in a node, next to a normal
     * one: the all-missing feature is skipped */
    const float x2[12] = {1, 1, 2, 2, 3, 3, NAN, NAN, NAN, NAN, NAN, NAN};
    const int32_t g2[6] = {-5, -5, 0, 0, 5, 5};
    mini_make(&m, 6, 2, x2, g2, h);
    p.min_data = 1;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.feature, 0);
    const uint8_t use1[2] = {0, 1};
    s = find(&m, &p, use1, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    mini_free(&m);
}

static void test_monotone(void **state)
{
    (void)state;
    mini m;
    basic_make(&m);
    wn__split_params p = params(1.0);
    const uint8_t use01[5] = {1, 1, 0, 0, 0};
    /* f0's outputs decrease in x (wl > wr): +1 rejects every f0 split, the
     * increasing f1 wins */
    int8_t mono[5] = {1, 0, 0, 0, 0};
    p.monotone = mono;
    wn__split s = find(&m, &p, use01, -INF, INF, 1);
    assert_split(&s, 1, 0, 1, 8, 4, 4, &m);
    assert_true(s.wl <= s.wr);
    assert_close(s.gain, 25.6, "mono +1 on f0");
    /* -1 on f0 allows its split, unchanged */
    mono[0] = -1;
    s = find(&m, &p, use01, -INF, INF, 1);
    assert_split(&s, 0, 1, 1, -12, 4, 4, &m);
    assert_close(s.gain, 57.6, "mono -1 on f0");
    assert_true(s.wl >= s.wr);
    /* +1 on f0 and -1 on f1: both go the wrong way */
    mono[0] = 1;
    mono[1] = -1;
    s = find(&m, &p, use01, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    /* +1 on f1 alone: no effect on the f0 choice */
    mono[0] = 0;
    mono[1] = 1;
    s = find(&m, &p, use01, -INF, INF, 1);
    assert_split(&s, 0, 1, 1, -12, 4, 4, &m);
    mini_free(&m);
}

static void test_bounds_and_min_gain(void **state)
{
    (void)state;
    mini m;
    basic_make(&m);
    wn__split_params p = params(1.0);
    const uint8_t use0[5] = {1, 0, 0, 0, 0};
    /* outputs clamped to [-1, 1]: wl = 1, wr = -1;
     * score(G, H, w) = -(2 G w + (H + l2) w^2):
     *   left  -(2 (-12)(1)  + 5) = 19,  right -(2 (12)(-1) + 5) = 19 */
    wn__split s = find(&m, &p, use0, -1.0, 1.0, 1);
    assert_split(&s, 0, 1, 1, -12, 4, 4, &m);
    assert_close(s.wl, 1.0, "clamped wl");
    assert_close(s.wr, -1.0, "clamped wr");
    assert_close(s.gain, 38.0, "clamped gain");
    /* a one-sided bound: only the left output is clamped, to 2 */
    s = find(&m, &p, use0, -INF, 2.0, 1);
    assert_close(s.wl, 2.0, "hi only wl");
    assert_close(s.wr, -2.4, "hi only wr");
    assert_close(s.gain, -(2.0 * -12.0 * 2.0 + 5.0 * 4.0) + 28.8, "hi only gain");
    /* the parent's output is clamped too: with bounds [0.5, 1] all outputs
     * are 0.5 or more; here G = 0 so the parent scores -(9 * 0.25) */
    s = find(&m, &p, use0, 0.5, 1.0, 1);
    assert_close(s.wl, 1.0, "[0.5,1] wl");
    assert_close(s.wr, 0.5, "[0.5,1] wr");
    assert_close(s.gain, 19.0 + -(2.0 * 12.0 * 0.5 + 5.0 * 0.25) - -(9.0 * 0.25),
                 "[0.5,1] gain");
    /* min_gain: the split must beat it strictly */
    double g0 = find(&m, &p, use0, -INF, INF, 1).gain;
    p.min_gain = g0 * (1.0 - 1e-9);
    s = find(&m, &p, use0, -INF, INF, 1);
    assert_int_equal(s.feature, 0);
    p.min_gain = g0;
    s = find(&m, &p, use0, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    /* a min_gain between the best (57.6) and the next feature's (25.6)
     * leaves the best */
    p.min_gain = 30.0;
    s = find(&m, &p, NULL, -INF, INF, 1);
    assert_int_equal(s.feature, 0);
    /* negative min_gain is as 0: a split with no gain is not taken */
    const uint8_t use1only[5] = {0, 0, 0, 1, 1};
    p.min_gain = -1.0;
    s = find(&m, &p, use1only, -INF, INF, 1);
    assert_int_equal(s.feature, -1);
    mini_free(&m);
}

static void test_leaf_output(void **state)
{
    (void)state;
    const double inf = INF;
    assert_close(wn__leaf_output(-12, 4, 0, 1, -inf, inf), 2.4, "plain");
    assert_close(wn__leaf_output(12, 4, 0, 1, -inf, inf), -2.4, "plain negative");
    assert_close(wn__leaf_output(-12, 4, 0, 0, -inf, inf), 3.0, "l2 = 0");
    assert_close(wn__leaf_output(-12, 4, 3, 1, -inf, inf), 1.8, "l1");
    assert_close(wn__leaf_output(12, 4, 3, 1, -inf, inf), -1.8, "l1 negative");
    assert_true(wn__leaf_output(-2, 4, 3, 1, -inf, inf) == 0.0);
    assert_true(wn__leaf_output(3, 4, 3, 1, -inf, inf) == 0.0);
    assert_close(wn__leaf_output(-12, 4, 0, 1, -1, 1), 1.0, "clamp hi");
    assert_close(wn__leaf_output(12, 4, 0, 1, -1, 1), -1.0, "clamp lo");
    assert_close(wn__leaf_output(12, 4, 0, 1, 0.25, 1), 0.25, "clamp lo above 0");
    assert_close(wn__leaf_output(1, 4, 0, 1, -1, 1), -0.2, "inside bounds");
    /* no Newton step when H + l2 <= 0 */
    assert_true(wn__leaf_output(5, -1, 0, 1, -inf, inf) == 0.0);
    assert_true(wn__leaf_output(5, -3, 0, 1, -inf, inf) == 0.0);
    assert_true(wn__leaf_output(5, 0, 0, 0, -inf, inf) == 0.0);
    /* the split's outputs are the leaf outputs of its children */
    mini m;
    basic_make(&m);
    wn__split_params p = params(1.0);
    p.l1 = 1.0;
    wn__split s = find(&m, &p, NULL, -2.0, 2.0, 1);
    assert_int_equal(s.feature, 0);
    assert_close(s.wl, wn__leaf_output((double)s.left.g, (double)s.left.h, 1, 1, -2, 2), "wl");
    assert_close(s.wr, wn__leaf_output((double)s.right.g, (double)s.right.h, 1, 1, -2, 2), "wr");
    mini_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_ties_parallel),
        cmocka_unit_test(test_l1),
        cmocka_unit_test(test_min_data_min_hess),
        cmocka_unit_test(test_negative_hessian),
        cmocka_unit_test(test_missing),
        cmocka_unit_test(test_monotone),
        cmocka_unit_test(test_bounds_and_min_gain),
        cmocka_unit_test(test_leaf_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
