/* roc.c — ROC analysis of a binary classifier, and the two-sample
 * Kolmogorov-Smirnov test (the "trust panel": how good, how sure, how stable).
 *
 * One sort, many walks. Rows are sorted once by (score, row) — a total order,
 * so equal scores fall into one fixed sequence whatever qsort does — and the
 * groups of equal scores are found once. Every threshold then lies between two
 * distinct scores: a group is always taken whole, never split.
 *
 *   ROC curve   walking the groups from the highest score down, the weighted
 *               signal and background sums above the threshold give the points
 *               (eff_S, eff_B), from (0,0) (nothing selected) to (1,1) (all).
 *               The totals are the final running sums, so the last point is
 *               exactly (1,1). With negative weights the curve need not be
 *               monotone; nothing below assumes it is.
 *   efficiency  TMVA's table (Hoecker et al., physics/0703039, sec. 3.1.6):
 *               eff_S at eff_B = 1e-1, 1e-2, 1e-3 and 1 - eff_B at
 *               eff_S = 0.3, 0.5, 0.7, by linear interpolation along the first
 *               segment of the curve (from the top) that reaches the target.
 *               Interpolating inside a segment means keeping a random fraction
 *               of one group, so it is only trusted where the segment starts at
 *               a threshold that already selects some of that class: when the
 *               target lies inside the very first step (e.g. eff_B = 1e-3 with
 *               100 background events, whose first event already gives 1e-2),
 *               the curve cannot resolve it and the value is NaN — unless a
 *               curve point hits the target exactly, or the step leaves the
 *               other efficiency unchanged (a perfect classifier: eff_S is 1
 *               already at eff_B = 0, so it is 1 at any eff_B target).
 *   AMS         the approximate median significance of the ATLAS Higgs
 *               challenge (Adam-Bourdarios et al., JMLR W&CP 42, 2015, 19-55),
 *                 AMS = sqrt(2 ((s + b + b_reg) ln(1 + s/(b + b_reg)) - s)),
 *               b_reg = 10, with s and b the signal and background weight
 *               sums of the rows with score > t, maximised over thresholds t.
 *               It is a significance only when the weights are normalised to
 *               expected event counts (luminosity x cross section); with unit
 *               weights it is just a figure of merit for the cut. A threshold
 *               counts only when s > 0 and b + b_reg > 0 (negative weights);
 *               "select everything" always qualifies, the totals being > 0.
 *               The reported threshold is the midpoint between the lowest
 *               selected score and the next lower one (that lower score
 *               itself if the midpoint rounds onto the upper one), -inf when
 *               all rows are selected: score > threshold reproduces the cut.
 *   bootstrap   nboot resamples of the n rows with replacement (Efron &
 *               Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 13:
 *               percentile interval). A resample is only a multiplicity per
 *               row, so its AUC is the weighted AUC with weights w_i c_i over
 *               the same sorted order: O(n) per resample after the one sort.
 *               Resample k draws its n rows with wn_rng_below from
 *               (seed, stream k), and its AUC is stored at index k, so the
 *               interval is the same at any thread count. Resamples whose
 *               class totals are not > 0 have no AUC and are left out; the
 *               interval uses the sorted rest, quantiles (1 -+ level)/2 with
 *               linear interpolation between order statistics (Hyndman & Fan,
 *               Am. Stat. 50(4), 1996, definition 7); NaN when none is left.
 *   brier       sum w (score - y)^2 / W; accuracy sum w [(score > 0.5) == y]
 *               / W: class 1 when score > 0.5, as metric.c's error metric.
 *   AUC         wn_metric_eval's, so the two agree to the bit.
 *
 * KS test: both samples are sorted and merged; after each group of equal
 * values (from both samples at once) the weighted empirical CDFs are compared
 * and D is the largest |F_a - F_b|. The p-value is the asymptotic Kolmogorov
 * tail Q_KS(lambda) with lambda = (sqrt(ne) + 0.12 + 0.11/sqrt(ne)) D and
 * ne = na nb / (na + nb) for the Kish effective sizes n = (sum w)^2 / sum w^2
 * (the small-sample correction of Stephens, JRSS B 32(1), 1970, as given in
 * Numerical Recipes, 3rd ed., sec. 14.3.3). Q_KS is summed as
 * 2 sum_{j>=1} (-1)^{j-1} exp(-2 j^2 lambda^2) for lambda >= 1.18 and, where
 * that alternating series converges slowly, through the equivalent
 * theta-function form 1 - sqrt(2 pi)/lambda sum_{j>=1}
 * exp(-(2j-1)^2 pi^2 / (8 lambda^2)) (Kolmogorov 1933; Feller 1948).
 *
 * Everything is serial and in a fixed order except the bootstrap, whose
 * resamples are independent: the same inputs give the same bits at any
 * thread count. */
#include "core.h"
#include "eval_internal.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define AMS_BREG 10.0

static const double eff_b_targets[3] = {1e-1, 1e-2, 1e-3};
static const double eff_s_targets[3] = {0.3, 0.5, 0.7};

/* ---- input checks ------------------------------------------------------------ */

/* Labels 0/1, finite weights, non-NaN scores; *wpos / *wneg the class totals
 * (row order), which must be > 0. */
static wn_status check_rows(const char *fn, const float *y, const float *w, const double *score,
                            int64_t n, double *wpos, double *wneg)
{
    double sp = 0.0, sn = 0.0;
    for (int64_t i = 0; i < n; i++) {
        wn_status st = wn__eval_check_binary_row(fn, y, w, i);
        if (st != WN_OK)
            return st;
        if (isnan(score[i]))
            return wn__fail(WN_ENUMERIC, "%s: score of row %lld is NaN", fn, (long long)(i + 1));
        double wi = w ? (double)w[i] : 1.0;
        if (y[i] == 1.0f)
            sp += wi;
        else
            sn += wi;
    }
    if (!(sp > 0.0) || !(sn > 0.0))
        return wn__fail(WN_ENUMERIC,
                        "%s: class weight totals are %g for signal (y = 1) and %g for "
                        "background (y = 0); both must be > 0",
                        fn, sp, sn);
    *wpos = sp;
    *wneg = sn;
    return WN_OK;
}

/* ---- the sorted order ------------------------------------------------------------ */

/* The ROC curve at every threshold: point 0 is (0,0), point g (1..ngroup)
 * selects the g highest groups; thr[g] is the cut "score > thr[g]". */
typedef struct curve {
    int64_t npt;
    double *es, *eb, *s, *b, *thr;
} curve;

static void curve_free(curve *c)
{
    wn_free(c->es);
    wn_free(c->eb);
    wn_free(c->s);
    wn_free(c->b);
    wn_free(c->thr);
}

static wn_status curve_build(const float *y, const float *w, const wn__ranked *r, int64_t n, curve *c)
{
    memset(c, 0, sizeof *c);
    size_t cap = (size_t)n + 1;
    c->es = wn__malloc_array(cap, sizeof(double));
    c->eb = wn__malloc_array(cap, sizeof(double));
    c->s = wn__malloc_array(cap, sizeof(double));
    c->b = wn__malloc_array(cap, sizeof(double));
    c->thr = wn__malloc_array(cap, sizeof(double));
    if (!c->es || !c->eb || !c->s || !c->b || !c->thr) {
        curve_free(c);
        return wn__oom("roc curve");
    }
    double s = 0.0, b = 0.0;
    int64_t g = 0;
    c->s[0] = c->b[0] = 0.0;
    c->thr[0] = HUGE_VAL;
    for (int64_t k = n; k > 0;) { /* groups from the top: r[j..k-1] */
        int64_t j = k - 1;
        while (j > 0 && r[j - 1].v == r[k - 1].v)
            j--;
        for (int64_t q = j; q < k; q++) {
            double wi = w ? (double)w[r[q].row] : 1.0;
            if (y[r[q].row] == 1.0f)
                s += wi;
            else
                b += wi;
        }
        g++;
        c->s[g] = s;
        c->b[g] = b;
        double hi = r[j].v;
        if (j == 0)
            c->thr[g] = -HUGE_VAL;
        else {
            double lo = r[j - 1].v, mid = 0.5 * hi + 0.5 * lo;
            c->thr[g] = mid < hi && mid > lo ? mid : lo;
        }
        k = j;
    }
    c->npt = g + 1;
    for (int64_t p = 0; p < c->npt; p++) {
        c->es[p] = c->s[p] / s;
        c->eb[p] = c->b[p] / b;
    }
    return WN_OK;
}

/* Value of `other` where `along` first reaches target (see the file comment
 * for when that is NaN). */
static double interp_at(const double *along, const double *other, int64_t npt, double target)
{
    for (int64_t p = 1; p < npt; p++) {
        double a0 = along[p - 1], a1 = along[p];
        if (a1 == target)
            return other[p];
        if (a0 < target && target < a1) {
            if (other[p] == other[p - 1])
                return other[p]; /* flat: every fraction of the group agrees */
            if (!(a0 > 0.0))
                return (double)NAN; /* inside the first step: not resolved */
            double f = (target - a0) / (a1 - a0);
            return other[p - 1] + f * (other[p] - other[p - 1]);
        }
    }
    return (double)NAN;
}

/* ---- bootstrap ---------------------------------------------------------------- */

/* Weighted AUC with multiplicities cnt over the ascending order r, groups
 * starting at gstart[0..ngroup-1] (gstart[ngroup] = n). NaN when a class
 * total is not > 0. */
static double auc_counted(const float *y, const float *w, const wn__ranked *r, const int64_t *gstart,
                          int64_t ngroup, const uint32_t *cnt)
{
    double below_neg = 0.0, acc = 0.0, tp = 0.0;
    for (int64_t g = 0; g < ngroup; g++) {
        double gp = 0.0, gn = 0.0;
        for (int64_t k = gstart[g]; k < gstart[g + 1]; k++) {
            int64_t i = r[k].row;
            if (!cnt[i])
                continue;
            double wi = (w ? (double)w[i] : 1.0) * (double)cnt[i];
            if (y[i] == 1.0f)
                gp += wi;
            else
                gn += wi;
        }
        acc += below_neg * gp + 0.5 * gp * gn;
        below_neg += gn;
        tp += gp;
    }
    if (!(tp > 0.0) || !(below_neg > 0.0))
        return (double)NAN;
    return acc / (tp * below_neg);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile_sorted(const double *v, int64_t m, double q)
{
    double h = (double)(m - 1) * q;
    int64_t k = (int64_t)floor(h);
    if (k >= m - 1)
        return v[m - 1];
    return v[k] + (h - (double)k) * (v[k + 1] - v[k]);
}

static wn_status bootstrap(const float *y, const float *w, const wn__ranked *r, int64_t n,
                           int64_t nboot, double level, uint64_t seed, int threads, double *lo,
                           double *hi)
{
    if ((uint64_t)n > UINT32_MAX)
        return wn__fail(WN_EINVAL, "roc: bootstrap supports at most %lu rows, got %lld",
                        (unsigned long)UINT32_MAX, (long long)n);
    int64_t ngroup = 0;
    for (int64_t k = 0; k < n; k++)
        if (k == 0 || r[k].v != r[k - 1].v)
            ngroup++;
    int nt = wn__threads(threads);
    if ((int64_t)nt > nboot)
        nt = (int)nboot;
    int64_t *gstart = wn__malloc_array((size_t)ngroup + 1, sizeof *gstart);
    double *auc = wn__malloc_array((size_t)nboot, sizeof *auc);
    uint32_t *cnt = wn__malloc_array((size_t)nt, (size_t)n * sizeof *cnt);
    if (!gstart || !auc || !cnt) {
        wn_free(gstart);
        wn_free(auc);
        wn_free(cnt);
        return wn__oom("roc bootstrap");
    }
    for (int64_t k = 0, g = 0; k < n; k++)
        if (k == 0 || r[k].v != r[k - 1].v)
            gstart[g++] = k;
    gstart[ngroup] = n;

#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int64_t t = 0; t < nboot; t++) {
        uint32_t *c = cnt + (size_t)omp_get_thread_num() * (size_t)n;
        memset(c, 0, (size_t)n * sizeof *c);
        wn_rng g = wn_rng_make(seed, (uint64_t)t);
        for (int64_t k = 0; k < n; k++)
            c[wn_rng_below(&g, (uint64_t)n)]++;
        auc[t] = auc_counted(y, w, r, gstart, ngroup, c);
    }

    int64_t m = 0;
    for (int64_t t = 0; t < nboot; t++)
        if (!isnan(auc[t]))
            auc[m++] = auc[t];
    qsort(auc, (size_t)m, sizeof *auc, cmp_double);
    if (m > 0) {
        *lo = quantile_sorted(auc, m, 0.5 * (1.0 - level));
        *hi = quantile_sorted(auc, m, 0.5 * (1.0 + level));
    } else
        *lo = *hi = (double)NAN;
    wn_free(gstart);
    wn_free(auc);
    wn_free(cnt);
    return WN_OK;
}

/* ---- public ------------------------------------------------------------------- */

wn_status wn_roc_summarize(const float *y, const float *w, const double *score, int64_t n,
                           int64_t nboot, double level, uint64_t seed, int threads,
                           wn_roc_summary *out)
{
    const char *fn = "roc";
    if (!y || !score || !out)
        return wn__fail(WN_EINVAL, "%s: NULL %s", fn, !y ? "labels" : !score ? "scores" : "output");
    if (n < 2)
        return wn__fail(WN_EINVAL, "%s: need at least 2 rows, got %lld", fn, (long long)n);
    if (nboot < 0)
        return wn__fail(WN_EINVAL, "%s: nboot must be >= 0, got %lld", fn, (long long)nboot);
    if (!(level > 0.0 && level < 1.0))
        return wn__fail(WN_EINVAL, "%s: level must be in (0,1), got %g", fn, level);
    double wpos, wneg;
    wn_status st = check_rows(fn, y, w, score, n, &wpos, &wneg);
    if (st != WN_OK)
        return st;

    wn_roc_summary o;
    st = wn_metric_eval(WN_METRIC_AUC, y, w, score, n, 1, 0.0, &o.auc);
    if (st != WN_OK)
        return st;
    wn__ranked *r = wn__eval_rank(score, n);
    if (!r)
        return wn__oom("roc ranking");
    curve c;
    st = curve_build(y, w, r, n, &c);
    if (st != WN_OK) {
        wn_free(r);
        return st;
    }
    for (int k = 0; k < 3; k++) {
        o.sig_eff_at_bkg[k] = interp_at(c.eb, c.es, c.npt, eff_b_targets[k]);
        o.bkg_rej_at_sig[k] = 1.0 - interp_at(c.es, c.eb, c.npt, eff_s_targets[k]);
    }
    o.ams = -1.0;
    o.ams_threshold = (double)NAN;
    for (int64_t p = 1; p < c.npt; p++) {
        double s = c.s[p], bb = c.b[p] + AMS_BREG;
        if (!(s > 0.0) || !(bb > 0.0))
            continue;
        double rad = 2.0 * ((s + bb) * log1p(s / bb) - s);
        double a = sqrt(rad > 0.0 ? rad : 0.0);
        if (a > o.ams) {
            o.ams = a;
            o.ams_threshold = c.thr[p];
        }
    }
    curve_free(&c);

    double sw = 0.0, sb = 0.0, sa = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? (double)w[i] : 1.0, d = score[i] - (double)y[i];
        sw += wi;
        sb += wi * d * d;
        sa += wi * (double)((score[i] > 0.5 ? 1.0f : 0.0f) == y[i]);
    }
    o.brier = sb / sw;
    o.accuracy = sa / sw;

    o.auc_lo = o.auc_hi = (double)NAN;
    if (nboot > 0) {
        st = bootstrap(y, w, r, n, nboot, level, seed, threads, &o.auc_lo, &o.auc_hi);
        if (st != WN_OK) {
            wn_free(r);
            return st;
        }
    }
    wn_free(r);
    *out = o;
    return WN_OK;
}

wn_status wn_roc_curve(const float *y, const float *w, const double *score, int64_t n,
                       int64_t max_points, double *eff_sig, double *eff_bkg, int64_t *npoints)
{
    const char *fn = "roc curve";
    if (!y || !score || !eff_sig || !eff_bkg || !npoints)
        return wn__fail(WN_EINVAL, "%s: NULL %s", fn,
                        !y         ? "labels"
                        : !score   ? "scores"
                        : !eff_sig ? "eff_sig"
                        : !eff_bkg ? "eff_bkg"
                                   : "npoints");
    if (n < 2)
        return wn__fail(WN_EINVAL, "%s: need at least 2 rows, got %lld", fn, (long long)n);
    if (max_points < 2)
        return wn__fail(WN_EINVAL, "%s: max_points must be >= 2, got %lld", fn,
                        (long long)max_points);
    double wpos, wneg;
    wn_status st = check_rows(fn, y, w, score, n, &wpos, &wneg);
    if (st != WN_OK)
        return st;
    wn__ranked *r = wn__eval_rank(score, n);
    if (!r)
        return wn__oom("roc ranking");
    curve c;
    st = curve_build(y, w, r, n, &c);
    wn_free(r);
    if (st != WN_OK)
        return st;
    int64_t m = 0;
    if (c.npt <= max_points) {
        for (int64_t p = 0; p < c.npt; p++, m++) {
            eff_sig[m] = c.es[p];
            eff_bkg[m] = c.eb[p];
        }
    } else {
        /* the first point at or past each step of eff_S, in curve order */
        int64_t p = 0, last = c.npt - 1;
        eff_sig[m] = c.es[0];
        eff_bkg[m++] = c.eb[0];
        for (int64_t k = 1; k < max_points - 1; k++) {
            double target = (double)k / (double)(max_points - 1);
            int64_t q = p + 1;
            while (q < last && c.es[q] < target)
                q++;
            if (q >= last)
                break;
            eff_sig[m] = c.es[q];
            eff_bkg[m++] = c.eb[q];
            p = q;
        }
        eff_sig[m] = c.es[last];
        eff_bkg[m++] = c.eb[last];
    }
    curve_free(&c);
    *npoints = m;
    return WN_OK;
}

/* ---- Kolmogorov-Smirnov ------------------------------------------------------- */

/* Q_KS(lambda) = P(K > lambda) for the Kolmogorov distribution. */
static double q_ks(double lambda)
{
    if (!(lambda > 0.0))
        return 1.0;
    if (lambda < 1.18) {
        const double pi = 3.14159265358979323846;
        double sum = 0.0, f = -pi * pi / (8.0 * lambda * lambda);
        for (int j = 1; j <= 20; j++) {
            double t = exp(f * (double)((2 * j - 1) * (2 * j - 1)));
            sum += t;
            if (t < 1e-17 * sum)
                break;
        }
        return 1.0 - sqrt(2.0 * pi) / lambda * sum;
    }
    double sum = 0.0, sign = 1.0, a = -2.0 * lambda * lambda;
    for (int j = 1; j <= 100; j++) {
        double t = exp(a * (double)j * (double)j);
        sum += sign * t;
        if (t < 1e-17 * fabs(sum) || t == 0.0)
            break;
        sign = -sign;
    }
    return 2.0 * sum;
}

static wn_status ks_check(const char *which, const double *v, const float *wv, int64_t nv,
                          double *sw, double *sw2)
{
    double s = 0.0, s2 = 0.0;
    for (int64_t i = 0; i < nv; i++) {
        if (isnan(v[i]))
            return wn__fail(WN_ENUMERIC, "ks test: value of row %lld of sample %s is NaN",
                            (long long)(i + 1), which);
        double wi = 1.0;
        if (wv) {
            if (!isfinite(wv[i])) {
                char b[32];
                wn__format_float(b, wv[i]);
                return wn__fail(WN_ENUMERIC, "ks test: weight of row %lld of sample %s is %s",
                                (long long)(i + 1), which, b);
            }
            wi = (double)wv[i];
        }
        s += wi;
        s2 += wi * wi;
    }
    if (!(s > 0.0))
        return wn__fail(WN_ENUMERIC, "ks test: the weight total of sample %s is %g, must be > 0",
                        which, s);
    *sw = s;
    *sw2 = s2;
    return WN_OK;
}

wn_status wn_ks_test(const double *a, const float *wa, int64_t na, const double *b, const float *wb,
                     int64_t nb, double *d, double *p)
{
    if (!a || !b || !d || !p)
        return wn__fail(WN_EINVAL, "ks test: NULL %s",
                        !a   ? "sample a"
                        : !b ? "sample b"
                        : !d ? "output d"
                             : "output p");
    if (na < 1 || nb < 1)
        return wn__fail(WN_EINVAL, "ks test: both samples need at least 1 row, got %lld and %lld",
                        (long long)na, (long long)nb);
    double swa, swa2, swb, swb2;
    wn_status st = ks_check("a", a, wa, na, &swa, &swa2);
    if (st == WN_OK)
        st = ks_check("b", b, wb, nb, &swb, &swb2);
    if (st != WN_OK)
        return st;
    wn__ranked *ra = wn__eval_rank(a, na), *rb = ra ? wn__eval_rank(b, nb) : NULL;
    if (!ra || !rb) {
        wn_free(ra);
        return wn__oom("ks test ranking");
    }
    double ca = 0.0, cb = 0.0, dmax = 0.0;
    int64_t i = 0, j = 0;
    while (i < na || j < nb) {
        double v = i < na && (j >= nb || ra[i].v <= rb[j].v) ? ra[i].v : rb[j].v;
        for (; i < na && ra[i].v == v; i++)
            ca += wa ? (double)wa[ra[i].row] : 1.0;
        for (; j < nb && rb[j].v == v; j++)
            cb += wb ? (double)wb[rb[j].row] : 1.0;
        double dist = fabs(ca / swa - cb / swb);
        if (dist > dmax)
            dmax = dist;
    }
    wn_free(ra);
    wn_free(rb);
    double nea = swa * swa / swa2, neb = swb * swb / swb2, ne = nea * neb / (nea + neb);
    double sq = sqrt(ne), q = q_ks((sq + 0.12 + 0.11 / sq) * dmax);
    *d = dmax;
    *p = q < 0.0 ? 0.0 : q > 1.0 ? 1.0 : q;
    return WN_OK;
}
