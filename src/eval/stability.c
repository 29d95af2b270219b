/* stability.c — how much a model's output moves when its inputs are smeared
 * within their measurement resolution.
 *
 * A physicist's inputs carry detector resolution: an energy known to 1%, an
 * angle to a few mrad. A classifier whose output jumps when a feature moves
 * by less than its resolution has learned structure the detector cannot
 * resolve (sharp cuts on fine binning, often from overtraining), and its
 * efficiency will not transfer to data. The test is the one systematic
 * studies do by hand: smear every input, x -> x (1 + sigma_f z) with
 * z ~ N(0, 1), re-evaluate, and look at the distribution of |output change|
 * and at the spread of the AUC over the smeared copies.
 *
 * Built on the public API only, like permutation importance (trust.c): one
 * private copy of the model's feature columns (plus label, weight and the
 * fold column of a k-fold model) is made from the logical rows of t. The
 * nominal outputs are predicted once; each repeat smears the copy from the
 * nominal values and predicts again. The deviate for (repeat, feature, row)
 * comes from the counter RNG at stream (repeat << 32 | feature), counter row
 * (wn_rng_normal on a generator positioned per row), so it is the same at
 * any thread count; predict is deterministic, every sum runs in a fixed
 * order, and the quantiles come from a sort: the result is bit-identical at
 * any thread count. The parallelism is predict's. */
#include "core.h"
#include "eval_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STAB_MAX_REPEATS 10000
#define STAB_DEFAULT_RES 0.01

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of sorted v[n] (n >= 1), linear interpolation between order
 * statistics (Hyndman & Fan 1996, definition 7). */
static double quantile_sorted(const double *v, size_t n, double q)
{
    double h = q * (double)(n - 1);
    size_t lo = (size_t)h;
    if (lo + 1 >= n)
        return v[n - 1];
    double f = h - (double)lo;
    return v[lo] + f * (v[lo + 1] - v[lo]);
}

/* 1 when the rows' labels are all 0/1 and both classes carry positive
 * weight, so the AUC is defined. */
static int auc_defined(const float *y, const float *w, int64_t n)
{
    double sp = 0.0, sn = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (y[i] != 0.0f && y[i] != 1.0f)
            return 0;
        double wi = w ? (double)w[i] : 1.0;
        if (!isfinite(wi))
            return 0;
        if (y[i] == 1.0f)
            sp += wi;
        else
            sn += wi;
    }
    return sp > 0.0 && sn > 0.0;
}

/* wn_gbdt_stability, and when changes != NULL also every |output change|
 * (n * repeats values, sorted ascending) in *changes (released with wn_free)
 * and their count in *nchanges: the report draws their histogram. Declared
 * in src/report/report_internal.h, its only other user. */
wn_status wn__gbdt_stability_changes(const wn_model *m, const wn_table *t, const double *resolution,
                                     int repeats, uint64_t seed, int threads, wn_stability *out,
                                     double **changes, int64_t *nchanges);

wn_status wn__gbdt_stability_changes(const wn_model *m, const wn_table *t, const double *resolution,
                                     int repeats, uint64_t seed, int threads, wn_stability *out,
                                     double **changes, int64_t *nchanges)
{
    const char *fn = "stability";
    if (!m || !t || !out)
        return wn__fail(WN_EINVAL, "%s: NULL %s", fn, !m ? "model" : !t ? "table" : "output");
    if (repeats < 1 || repeats > STAB_MAX_REPEATS)
        return wn__fail(WN_EINVAL, "%s: repeats must be in 1..%d, got %d", fn, STAB_MAX_REPEATS,
                        repeats);
    if (threads < 0)
        return wn__fail(WN_EINVAL, "%s: threads must be >= 0, got %d", fn, threads);
    const int64_t n = wn_table_nrows(t), nf = wn_model_num_features(m);
    const int nout = wn_model_num_outputs(m);
    if (nf < 1 || nout < 1)
        return wn__fail(WN_EINVAL, "%s: the model has %lld features and %d outputs", fn,
                        (long long)nf, nout);
    if (resolution)
        for (int64_t f = 0; f < nf; f++)
            if (!(resolution[f] >= 0.0) || !isfinite(resolution[f]))
                return wn__fail(WN_EINVAL,
                                "%s: the resolution of feature '%s' is %g, must be finite and "
                                ">= 0",
                                fn, wn_model_feature_name(m, f), resolution[f]);
    if (n < 1)
        return wn__fail(WN_EINVAL, "%s: the table has no rows", fn);
    if ((uint64_t)n > SIZE_MAX / sizeof(double) / (size_t)repeats / (size_t)nout)
        return wn__fail(WN_EINVAL, "%s: %lld rows x %d repeats is too many", fn, (long long)n,
                        repeats);

    wn_status st = WN_OK;
    wn_table *copy = NULL;
    int64_t *fcol = wn__malloc_array((size_t)nf, sizeof *fcol);
    float *buf = wn__malloc_array((size_t)n, sizeof *buf);
    float *nom = wn__malloc_array((size_t)n, (size_t)nf * sizeof *nom); /* nominal features */
    double *p0 = wn__malloc_array((size_t)n, (size_t)nout * sizeof *p0);
    double *p1 = wn__malloc_array((size_t)n, (size_t)nout * sizeof *p1);
    double *p0v = wn__malloc_array((size_t)n, sizeof *p0v); /* first output, nominal */
    double *p1v = wn__malloc_array((size_t)n, sizeof *p1v);
    double *chg = wn__malloc_array((size_t)n * (size_t)repeats, sizeof *chg);
    double *auc = wn__malloc_array((size_t)repeats, sizeof *auc);
    if (!fcol || !buf || !nom || !p0 || !p1 || !p0v || !p1v || !chg || !auc) {
        st = wn__oom(fn);
        goto done;
    }
    if ((st = wn_table_create(n, &copy)) != WN_OK)
        goto done;

    /* the copy: model features (model order), label and weight when present,
     * the fold column of a k-fold model when t has it (predict uses it) */
    for (int64_t f = 0; f < nf; f++) {
        if ((st = wn__eval_copy_named(copy, t, wn_model_feature_name(m, f), "feature", "stability",
                                      buf, &fcol[f])) != WN_OK)
            goto done;
        memcpy(nom + (size_t)f * (size_t)n, wn_table_column(copy, fcol[f]),
               (size_t)n * sizeof *nom);
    }
    int64_t ycol = -1, wcol = -1, tmp;
    const char *lname = wn_model_label_name(m), *wname = wn_model_weight_name(m);
    if (lname && wn_table_find(t, lname, &tmp) == WN_OK) {
        if ((st = wn__eval_copy_named(copy, t, lname, "label", "stability", buf, &ycol)) != WN_OK)
            goto done;
        wn_table_set_role(copy, ycol, WN_ROLE_LABEL);
    }
    if (wname && wn_table_find(t, wname, &tmp) == WN_OK) {
        if ((st = wn__eval_copy_named(copy, t, wname, "weight", "stability", buf, &wcol)) != WN_OK)
            goto done;
        wn_table_set_role(copy, wcol, WN_ROLE_WEIGHT);
    }
    const char *fold = wn_model_num_folds(m) > 1 ? wn_model_fold_by(m) : NULL;
    if (fold && wn_table_find(t, fold, &tmp) == WN_OK) {
        if ((st = wn__eval_copy_named(copy, t, fold, "fold", "stability", buf, &tmp)) != WN_OK)
            goto done;
        wn_table_set_role(copy, tmp, WN_ROLE_ID);
    }
    /* a weighted model scored without its weight column is scored
     * unweighted, as the label alone still defines the AUC */
    const float *y = ycol >= 0 ? wn_table_column(copy, ycol) : NULL;
    const float *w = wcol >= 0 ? wn_table_column(copy, wcol) : NULL;
    const int do_auc =
        wn_model_objective(m) == WN_OBJ_BINARY && y && n >= 2 && auc_defined(y, w, n);

    if ((st = wn_gbdt_predict(m, copy, WN_PREDICT_VALUE, threads, p0)) != WN_OK) {
        wn__fail_prefix(st, "%s", fn);
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        p0v[i] = p0[(size_t)i * (size_t)nout];
    double auc0 = (double)NAN;
    if (do_auc && (st = wn_metric_eval(WN_METRIC_AUC, y, w, p0v, n, 1, 0.0, &auc0)) != WN_OK) {
        wn__fail_prefix(st, "%s: nominal AUC", fn);
        goto done;
    }

    for (int k = 0; k < repeats; k++) {
        for (int64_t f = 0; f < nf; f++) {
            const double sig = resolution ? resolution[f] : STAB_DEFAULT_RES;
            const float *x0 = nom + (size_t)f * (size_t)n;
            float *col = wn_table_column_mut(copy, fcol[f]);
            const uint64_t stream = (uint64_t)k << 32 | (uint64_t)f;
            if (sig == 0.0) {
                memcpy(col, x0, (size_t)n * sizeof *col);
                continue;
            }
            for (int64_t i = 0; i < n; i++) {
                /* the generator positioned at this row: the deviate is a
                 * function of (seed, repeat, feature, row) alone */
                wn_rng r = wn_rng_make(seed, stream);
                r.counter = (uint64_t)i << 1; /* wn_rng_normal takes two */
                double z = wn_rng_normal(&r);
                col[i] = isnan(x0[i]) ? x0[i] : (float)((double)x0[i] * (1.0 + sig * z));
            }
        }
        if ((st = wn_gbdt_predict(m, copy, WN_PREDICT_VALUE, threads, p1)) != WN_OK) {
            wn__fail_prefix(st, "%s: repeat %d", fn, k + 1);
            goto done;
        }
        double *c = chg + (size_t)k * (size_t)n;
        for (int64_t i = 0; i < n; i++) {
            p1v[i] = p1[(size_t)i * (size_t)nout];
            c[i] = fabs(p1v[i] - p0v[i]);
        }
        if (do_auc &&
            (st = wn_metric_eval(WN_METRIC_AUC, y, w, p1v, n, 1, 0.0, &auc[k])) != WN_OK) {
            wn__fail_prefix(st, "%s: repeat %d AUC", fn, k + 1);
            goto done;
        }
    }

    const size_t nc = (size_t)n * (size_t)repeats;
    double sum = 0.0;
    for (size_t i = 0; i < nc; i++) /* fixed order: row, then repeat */
        sum += chg[i];
    qsort(chg, nc, sizeof *chg, cmp_double);
    wn_stability r;
    memset(&r, 0, sizeof r);
    r.mean_abs_change = sum / (double)nc;
    r.q_abs_change[0] = quantile_sorted(chg, nc, 0.50);
    r.q_abs_change[1] = quantile_sorted(chg, nc, 0.90);
    r.q_abs_change[2] = quantile_sorted(chg, nc, 0.99);
    r.auc_nominal = auc0;
    if (do_auc) {
        double s = 0.0, ss = 0.0;
        for (int k = 0; k < repeats; k++)
            s += auc[k];
        double mu = s / (double)repeats;
        for (int k = 0; k < repeats; k++)
            ss += (auc[k] - mu) * (auc[k] - mu);
        r.auc_mean = mu;
        r.auc_std = repeats > 1 ? sqrt(ss / (double)(repeats - 1)) : 0.0;
    } else {
        r.auc_mean = r.auc_std = (double)NAN;
    }
    *out = r;
    if (changes) {
        *changes = chg;
        *nchanges = (int64_t)nc;
        chg = NULL;
    }
done:
    wn_table_free(copy);
    wn_free(fcol);
    wn_free(buf);
    wn_free(nom);
    wn_free(p0);
    wn_free(p1);
    wn_free(p0v);
    wn_free(p1v);
    wn_free(chg);
    wn_free(auc);
    return st;
}

wn_status wn_gbdt_stability(const wn_model *m, const wn_table *t, const double *resolution,
                            int repeats, uint64_t seed, int threads, wn_stability *out)
{
    return wn__gbdt_stability_changes(m, t, resolution, repeats, seed, threads, out, NULL, NULL);
}
