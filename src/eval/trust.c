/* trust.c — the checks that say whether a classifier can be believed:
 * calibration, the single-feature leak check, correlations of the inputs and
 * permutation importance.
 *
 *   calibration  the reliability diagram (DeGroot & Fienberg, The
 *                Statistician 32, 1983, 12-22; Niculescu-Mizil & Caruana,
 *                ICML 2005): nbins equal-width bins of the predicted
 *                probability; per bin the weighted mean prediction and the
 *                weighted fraction of label 1. The expected calibration error
 *                (Naeini, Cooper & Hauskrecht, AAAI 2015) is their weighted
 *                mean absolute gap, ECE = sum_b W_b |frac_b - mean_b| / W.
 *                The last bin is closed (p = 1 falls into it).
 *   leak check   the AUC of one feature used as the score (wn_metric_eval's
 *                AUC over the rows where it is not NaN): a feature that alone
 *                gives an AUC near 0 or 1 is likely a copy of the truth.
 *   correlation  weighted Pearson coefficients in two passes (weighted means,
 *                then centred co-moments; the two-pass form avoids the
 *                cancellation of the textbook one-pass sum, Chan, Golub &
 *                LeVeque, Am. Stat. 37(3), 1983). Rows are read in their
 *                logical order straight from the column storage (views
 *                through their index list), every sum is a double in row
 *                order: the same bits every time.
 *   permutation  Breiman (Machine Learning 45, 2001, 5-32) and Fisher, Rudin
 *   importance   & Dominici (JMLR 20(177), 2019): the loss of the metric when
 *                one feature's values are shuffled among the rows, which
 *                breaks its link with the label and the other features. Built
 *                on the public API only (predict, the model's accessors, the
 *                table), so it knows nothing of the trees: one private copy of
 *                the model's feature columns (plus label, weight and the fold
 *                column of a k-fold model) is made from the logical rows, and
 *                for feature f and repeat k its column is shuffled in place by
 *                Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm 3.4.2P) driven by
 *                the counter RNG at (seed, f << 20 | k), predicted, scored and
 *                restored. The permutations do not depend on threads, and
 *                wn_gbdt_predict is deterministic, so neither does the result;
 *                the parallelism is predict's. */
#include "core.h"
#include "eval_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- calibration -------------------------------------------------------------- */

wn_status wn_calibration(const float *y, const float *w, const double *p, int64_t n, int nbins,
                         double *mean_pred, double *frac_pos, double *wsum, double *ece)
{
    const char *fn = "calibration";
    if (!y || !p || !mean_pred || !frac_pos || !wsum || !ece)
        return wn__fail(WN_EINVAL, "%s: NULL %s", fn,
                        !y           ? "labels"
                        : !p         ? "predictions"
                        : !mean_pred ? "mean_pred"
                        : !frac_pos  ? "frac_pos"
                        : !wsum      ? "wsum"
                                     : "ece");
    if (n < 1)
        return wn__fail(WN_EINVAL, "%s: no rows (n = %lld)", fn, (long long)n);
    if (nbins < 2 || nbins > 1000)
        return wn__fail(WN_EINVAL, "%s: nbins must be in 2..1000, got %d", fn, nbins);
    for (int64_t i = 0; i < n; i++) {
        if (isnan(y[i]))
            return wn__fail(WN_ENUMERIC, "%s: label of row %lld is NaN", fn, (long long)(i + 1));
        wn_status st = wn__eval_check_binary_row(fn, y, w, i);
        if (st != WN_OK)
            return st;
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return wn__fail(WN_ENUMERIC, "%s: prediction of row %lld is %g, must be in [0, 1]", fn,
                            (long long)(i + 1), p[i]);
    }
    double *acc = wn__calloc((size_t)nbins * 3, sizeof *acc); /* W_b, sum w p, sum w y */
    int64_t *cnt = wn__calloc((size_t)nbins, sizeof *cnt);
    if (!acc || !cnt) {
        wn_free(acc);
        wn_free(cnt);
        return wn__oom(fn);
    }
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? (double)w[i] : 1.0;
        int b = (int)(p[i] * (double)nbins);
        if (b >= nbins)
            b = nbins - 1;
        acc[3 * b] += wi;
        acc[3 * b + 1] += wi * p[i];
        acc[3 * b + 2] += wi * (double)y[i];
        cnt[b]++;
        total += wi;
    }
    if (!(total > 0.0)) {
        wn_free(acc);
        wn_free(cnt);
        return wn__fail(WN_ENUMERIC, "%s: the sum of weights is %g, must be > 0", fn, total);
    }
    double e = 0.0;
    for (int b = 0; b < nbins; b++) {
        double wb = acc[3 * b];
        wsum[b] = wb;
        if (cnt[b] == 0 || wb == 0.0) {
            mean_pred[b] = frac_pos[b] = (double)NAN;
            continue;
        }
        mean_pred[b] = acc[3 * b + 1] / wb;
        frac_pos[b] = acc[3 * b + 2] / wb;
        e += wb * fabs(frac_pos[b] - mean_pred[b]);
    }
    *ece = e / total;
    wn_free(acc);
    wn_free(cnt);
    return WN_OK;
}

/* ---- leak check --------------------------------------------------------------- */

wn_status wn_single_feature_auc(const float *y, const float *w, const float *x, int64_t n,
                                double *auc, int64_t *used)
{
    const char *fn = "single-feature auc";
    if (!y || !x || !auc || !used)
        return wn__fail(WN_EINVAL, "%s: NULL %s", fn,
                        !y     ? "labels"
                        : !x   ? "feature"
                        : !auc ? "output auc"
                               : "output used");
    if (n < 2)
        return wn__fail(WN_EINVAL, "%s: need at least 2 rows, got %lld", fn, (long long)n);
    double sp = 0.0, sn = 0.0;
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        wn_status st = wn__eval_check_binary_row(fn, y, w, i);
        if (st != WN_OK)
            return st;
        if (isnan(x[i]))
            continue;
        m++;
        double wi = w ? (double)w[i] : 1.0;
        if (y[i] == 1.0f)
            sp += wi;
        else
            sn += wi;
    }
    if (!(sp > 0.0) || !(sn > 0.0))
        return wn__fail(WN_ENUMERIC,
                        "%s: over the %lld rows where the feature is not NaN, the class weight "
                        "totals are %g for signal (y = 1) and %g for background (y = 0); both "
                        "must be > 0",
                        fn, (long long)m, sp, sn);
    float *yy = wn__malloc_array((size_t)m, sizeof *yy);
    float *ww = w ? wn__malloc_array((size_t)m, sizeof *ww) : NULL;
    double *s = wn__malloc_array((size_t)m, sizeof *s);
    if (!yy || !s || (w && !ww)) {
        wn_free(yy);
        wn_free(ww);
        wn_free(s);
        return wn__oom(fn);
    }
    for (int64_t i = 0, k = 0; i < n; i++) {
        if (isnan(x[i]))
            continue;
        yy[k] = y[i];
        if (ww)
            ww[k] = w[i];
        s[k++] = (double)x[i];
    }
    double a;
    wn_status st = wn_metric_eval(WN_METRIC_AUC, yy, ww, s, m, 1, 0.0, &a);
    wn_free(yy);
    wn_free(ww);
    wn_free(s);
    if (st != WN_OK)
        return wn__fail_prefix(st, "%s", fn);
    *auc = a;
    *used = m;
    return WN_OK;
}

/* ---- correlation -------------------------------------------------------------- */

wn_status wn_correlation(const wn_table *t, const int64_t *cols, int64_t ncols, const float *w,
                         const uint8_t *mask, double *out)
{
    const char *fn = "correlation";
    if (!t || !cols || !out)
        return wn__fail(WN_EINVAL, "%s: NULL %s", fn,
                        !t      ? "table"
                        : !cols ? "column list"
                                : "output");
    int64_t nc = wn_table_ncols(t), n = wn_table_nrows(t);
    if (ncols < 1 || ncols > WN_MAX_COLUMNS)
        return wn__fail(WN_EINVAL, "%s: ncols must be in 1..%d, got %lld", fn, WN_MAX_COLUMNS,
                        (long long)ncols);
    for (int64_t a = 0; a < ncols; a++)
        if (cols[a] < 0 || cols[a] >= nc)
            return wn__fail(WN_EINVAL, "%s: column index %lld (entry %lld) is outside 0..%lld", fn,
                            (long long)cols[a], (long long)(a + 1), (long long)(nc - 1));
    const int64_t *rows = wn_table_rows(t);
    const float **data = wn__malloc_array((size_t)ncols, sizeof *data);
    double *mean = wn__malloc_array((size_t)ncols, sizeof *mean);
    double *d = wn__malloc_array((size_t)ncols, sizeof *d);
    uint8_t *keep = wn__malloc_array(n > 0 ? (size_t)n : 1, 1);
    wn_status st = WN_OK;
    if (!data || !mean || !d || !keep) {
        st = wn__oom(fn);
        goto done;
    }
    for (int64_t a = 0; a < ncols; a++)
        data[a] = wn_table_column(t, cols[a]);

    /* the rows used, and the weight total */
    double wtot = 0.0;
    int64_t m = 0;
    for (int64_t r = 0; r < n; r++) {
        int64_t pr = rows ? rows[r] : r;
        keep[r] = 0;
        if (mask && !mask[r])
            continue;
        int ok = 1;
        for (int64_t a = 0; a < ncols && ok; a++)
            ok = isfinite(data[a][pr]) != 0;
        if (!ok)
            continue;
        if (w && !isfinite(w[r])) {
            char v[32];
            wn__format_float(v, w[r]);
            st = wn__fail(WN_ENUMERIC, "%s: weight of row %lld is %s", fn, (long long)(r + 1), v);
            goto done;
        }
        keep[r] = 1;
        m++;
        wtot += w ? (double)w[r] : 1.0;
    }
    if (!(wtot > 0.0)) {
        st = wn__fail(WN_ENUMERIC,
                      "%s: %lld rows are selected and free of NaN/inf; their weight total is %g, "
                      "must be > 0",
                      fn, (long long)m, wtot);
        goto done;
    }

    /* pass 1: weighted means, each a row-order sum */
    for (int64_t a = 0; a < ncols; a++) {
        double s = 0.0;
        for (int64_t r = 0; r < n; r++)
            if (keep[r])
                s += (w ? (double)w[r] : 1.0) * (double)data[a][rows ? rows[r] : r];
        mean[a] = s / wtot;
    }
    /* pass 2: centred co-moments into the upper triangle of out, row order */
    for (int64_t a = 0; a < ncols; a++)
        for (int64_t b = a; b < ncols; b++)
            out[a * ncols + b] = 0.0;
    for (int64_t r = 0; r < n; r++) {
        if (!keep[r])
            continue;
        int64_t pr = rows ? rows[r] : r;
        double wi = w ? (double)w[r] : 1.0;
        for (int64_t a = 0; a < ncols; a++)
            d[a] = (double)data[a][pr] - mean[a];
        for (int64_t a = 0; a < ncols; a++) {
            double wa = wi * d[a];
            double *o = out + a * ncols;
            for (int64_t b = a; b < ncols; b++)
                o[b] += wa * d[b];
        }
    }
    for (int64_t a = 0; a < ncols; a++)
        d[a] = out[a * ncols + a]; /* the variances (times W) */
    for (int64_t a = 0; a < ncols; a++) {
        for (int64_t b = a; b < ncols; b++) {
            double v;
            if (!(d[a] > 0.0) || !(d[b] > 0.0))
                v = (double)NAN; /* constant (or, with negative weights, no variance) */
            else if (a == b)
                v = 1.0;
            else {
                v = out[a * ncols + b] / sqrt(d[a] * d[b]);
                v = v > 1.0 ? 1.0 : v < -1.0 ? -1.0 : v;
            }
            out[a * ncols + b] = out[b * ncols + a] = v;
        }
    }
done:
    wn_free((void *)data);
    wn_free(mean);
    wn_free(d);
    wn_free(keep);
    return st;
}

/* ---- permutation importance ------------------------------------------------- */

/* The metric that applies to the model's objective: WN_METRIC_DEFAULT becomes
 * the objective's own; others must fit the kind of output. */
static wn_status resolve_metric(const wn_model *m, wn_metric metric, wn_metric *out)
{
    wn_objective o = wn_model_objective(m);
    int cls = o == WN_OBJ_BINARY, multi = o == WN_OBJ_MULTICLASS;
    if (metric == WN_METRIC_DEFAULT) {
        *out = cls                 ? WN_METRIC_LOGLOSS
               : multi             ? WN_METRIC_MLOGLOSS
               : o == WN_OBJ_L1    ? WN_METRIC_MAE
               : o == WN_OBJ_HUBER ? WN_METRIC_HUBER
                                   : WN_METRIC_RMSE;
        return WN_OK;
    }
    int ok;
    switch (metric) {
    case WN_METRIC_LOGLOSS:
    case WN_METRIC_AUC: ok = cls; break;
    case WN_METRIC_ERROR: ok = cls || multi; break;
    case WN_METRIC_MLOGLOSS: ok = multi; break;
    case WN_METRIC_RMSE:
    case WN_METRIC_MAE:
    case WN_METRIC_HUBER: ok = !cls && !multi; break;
    default: return wn__fail(WN_EINVAL, "permutation importance: unknown metric %d", (int)metric);
    }
    if (!ok)
        return wn__fail(WN_EINVAL, "permutation importance: metric %s does not apply to a %s model",
                        wn_metric_name(metric), wn_objective_name(o));
    *out = metric;
    return WN_OK;
}

/* The model's huber_delta, read from its JSON header (1, the default, if the
 * key is absent). */
static double model_huber_delta(const wn_model *m)
{
    const char *h = wn_model_header(m), *k = h ? strstr(h, "\"huber_delta\"") : NULL;
    if (!k)
        return 1.0;
    k += strlen("\"huber_delta\"");
    while (*k == ' ' || *k == ':')
        k++;
    char *end;
    double v = strtod(k, &end);
    return end != k && v > 0.0 && isfinite(v) ? v : 1.0;
}

/* Bootstrap weights of repeat k: w[i] (1 when w is NULL) times a Poisson(1)
 * count from the counter RNG at (seed, stream of k, i). */
static void boot_weights(uint64_t seed, int k, const float *w, int64_t n, float *bw)
{
    const uint64_t stream = 0x426f6f74ull << 20 | (uint64_t)k; /* "Boot" */
    for (int64_t i = 0; i < n; i++)
        bw[i] = (float)((w ? (double)w[i] : 1.0) * wn__poisson1_at(seed, stream, (uint64_t)i));
}

wn_status wn_gbdt_permutation_importance(const wn_model *m, const wn_table *t, wn_metric metric,
                                         int repeats, uint64_t seed, int threads, double *mean,
                                         double *std)
{
    const char *fn = "permutation importance";
    if (!m || !t || !mean || !std)
        return wn__fail(WN_EINVAL, "%s: NULL %s", fn,
                        !m      ? "model"
                        : !t    ? "table"
                        : !mean ? "output mean"
                                : "output std");
    if (repeats < 2 || repeats > (1 << 20))
        return wn__fail(WN_EINVAL, "%s: repeats must be in 2..%d, got %d", fn, 1 << 20, repeats);
    if (threads < 0)
        return wn__fail(WN_EINVAL, "%s: threads must be >= 0, got %d", fn, threads);
    wn_metric met = WN_METRIC_DEFAULT;
    wn_status st = resolve_metric(m, metric, &met);
    if (st != WN_OK)
        return st;
    const int64_t n = wn_table_nrows(t), nf = wn_model_num_features(m);
    const int nout = wn_model_num_outputs(m);
    if (n < 2)
        return wn__fail(WN_EINVAL, "%s: need at least 2 rows, got %lld", fn, (long long)n);
    if (nf < 1 || nout < 1)
        return wn__fail(WN_EINVAL, "%s: the model has %lld features and %d outputs", fn,
                        (long long)nf, nout);
    const double delta = model_huber_delta(m);
    const int hb = wn_metric_higher_better(met);

    wn_table *copy = NULL;
    int64_t *fcol = wn__malloc_array((size_t)nf, sizeof *fcol);
    float *buf = wn__malloc_array((size_t)n, sizeof *buf);
    double *pred = wn__malloc_array((size_t)n, (size_t)nout * sizeof *pred);
    double *diff = wn__malloc_array((size_t)repeats, 2 * sizeof *diff);
    float *bw = wn__malloc_array((size_t)n, sizeof *bw);
    double *res = wn__malloc_array((size_t)nf, 2 * sizeof *res);
    if (!fcol || !buf || !pred || !diff || !res || !bw) {
        st = wn__oom(fn);
        goto done;
    }
    if ((st = wn_table_create(n, &copy)) != WN_OK)
        goto done;

    /* the copy: model features (in model order), label, weight, fold column */
    for (int64_t f = 0; f < nf; f++) {
        const char *name = wn_model_feature_name(m, f);
        if ((st = wn__eval_copy_named(copy, t, name, "feature", "permutation importance", buf,
                                      &fcol[f])) != WN_OK)
            goto done;
    }
    int64_t ycol, wcol = -1, tmp;
    if ((st = wn__eval_copy_named(copy, t, wn_model_label_name(m), "label",
                                  "permutation importance", buf, &ycol)) != WN_OK)
        goto done;
    wn_table_set_role(copy, ycol, WN_ROLE_LABEL);
    if (wn_model_weight_name(m)) {
        if ((st = wn__eval_copy_named(copy, t, wn_model_weight_name(m), "weight",
                                      "permutation importance", buf, &wcol)) != WN_OK)
            goto done;
        wn_table_set_role(copy, wcol, WN_ROLE_WEIGHT);
    }
    const char *fold = wn_model_num_folds(m) > 1 ? wn_model_fold_by(m) : NULL;
    if (fold && wn_table_find(t, fold, &tmp) == WN_OK) { /* predict uses it when present */
        if ((st = wn__eval_copy_named(copy, t, fold, "fold", "permutation importance", buf,
                                      &tmp)) != WN_OK)
            goto done;
        wn_table_set_role(copy, tmp, WN_ROLE_ID);
    }
    const float *y = wn_table_column(copy, ycol);
    const float *w = wcol >= 0 ? wn_table_column(copy, wcol) : NULL;

    double base;
    if ((st = wn_gbdt_predict(m, copy, WN_PREDICT_VALUE, threads, pred)) != WN_OK ||
        (st = wn_metric_eval(met, y, w, pred, n, nout, delta, &base)) != WN_OK) {
        wn__fail_prefix(st, "%s", fn);
        goto done;
    }
    /* repeat k scores on its own bootstrap resample of the rows (Poisson(1)
     * counts as weights), so the spread over repeats is an error bar for
     * the finite held-out sample too, not only for the shuffles */
    double *base_k = diff + repeats;
    for (int k = 0; k < repeats; k++) {
        boot_weights(seed, k, w, n, bw);
        if ((st = wn_metric_eval(met, y, bw, pred, n, nout, delta, &base_k[k])) != WN_OK) {
            wn__fail_prefix(st, "%s: bootstrap resample %d", fn, k);
            goto done;
        }
    }
    for (int64_t f = 0; f < nf; f++) {
        float *col = wn_table_column_mut(copy, fcol[f]);
        memcpy(buf, col, (size_t)n * sizeof *buf); /* the original order */
        for (int k = 0; k < repeats; k++) {
            wn_rng r = wn_rng_make(seed, (uint64_t)f << 20 | (uint64_t)k);
            for (int64_t i = n - 1; i > 0; i--) {
                int64_t j = (int64_t)wn_rng_below(&r, (uint64_t)i + 1);
                float v = col[i];
                col[i] = col[j];
                col[j] = v;
            }
            double s;
            boot_weights(seed, k, w, n, bw);
            st = wn_gbdt_predict(m, copy, WN_PREDICT_VALUE, threads, pred);
            if (st == WN_OK)
                st = wn_metric_eval(met, y, bw, pred, n, nout, delta, &s);
            memcpy(col, buf, (size_t)n * sizeof *buf);
            if (st != WN_OK) {
                wn__fail_prefix(st, "%s: feature '%s'", fn, wn_model_feature_name(m, f));
                goto done;
            }
            diff[k] = hb ? base_k[k] - s : s - base_k[k];
        }
        double sum = 0.0, ss = 0.0;
        for (int k = 0; k < repeats; k++)
            sum += diff[k];
        double mu = sum / (double)repeats;
        for (int k = 0; k < repeats; k++)
            ss += (diff[k] - mu) * (diff[k] - mu);
        res[2 * f] = mu;
        res[2 * f + 1] = sqrt(ss / (double)(repeats - 1));
    }
    for (int64_t f = 0; f < nf; f++) {
        mean[f] = res[2 * f];
        std[f] = res[2 * f + 1];
    }
done:
    wn_table_free(copy);
    wn_free(fcol);
    wn_free(buf);
    wn_free(pred);
    wn_free(diff);
    wn_free(res);
    wn_free(bw);
    return st;
}
