/* classes.c — summaries of multiclass classifiers and of regressions.
 *
 * Multiclass: the one-vs-rest AUC of class k is the binary AUC of the labels
 * [y == k] against the scores prob[:, k] (Fawcett, Pattern Recogn. Lett.
 * 27(8), 2006, doi:10.1016/j.patrec.2005.10.010, sec. 9: one AUC per class
 * against the rest), computed by wn_metric_eval(WN_METRIC_AUC) so it agrees
 * to the bit with the binary metric. A class whose own weight total, or
 * whose complement's, is not > 0 has no AUC: NaN there, not an error. The
 * confusion matrix sums the weights per (true class, argmax class), ties to
 * the lower class (as the error metric and numpy's argmax); the accuracy is
 * the weight on the diagonal over the total.
 *
 * Regression, with residuals r = pred - y and W = sum w:
 *   rmse      sqrt(sum w r^2 / W);  mae  sum w |r| / W
 *   r2        1 - SS_res / SS_tot, SS_res = sum w r^2, SS_tot = sum w
 *             (y - ybar)^2 about the weighted mean ybar = sum w y / W
 *             (sklearn's r2_score with sample_weight). NaN when SS_tot is
 *             not > 0: a constant label (or, with negative weights, a
 *             non-positive spread) has no fraction of variance to explain.
 *   quantiles the weighted inverse CDF of the residuals (Hyndman & Fan,
 *             Am. Stat. 50(4), 1996, definition 1 with weights): the rows
 *             are sorted by (residual, row), the groups of equal residuals
 *             walked from the lowest with the running weight sum C taken
 *             after each whole group, and the q-quantile is the smallest
 *             residual whose C reaches q * W_s (C >= q W_s, compared in
 *             double, no tolerance), where W_s is the same sum finished in
 *             the sorted order, so the last group always qualifies. With unit
 *             weights this is the order statistic of rank ceil(q n), and an
 *             integer weight acts exactly as that many copies of the row.
 *             Levels 2.5%, 16%, 50%, 84%, 97.5% (the median and the 1 and
 *             2 sigma bands of a Gaussian).
 *
 * All sums are serial, in double, in a fixed order: the same inputs give the
 * same bits on every run. Outputs are written only on success. */
#include "core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double reg_levels[5] = {0.025, 0.16, 0.5, 0.84, 0.975};

/* ---- multiclass ---------------------------------------------------------------- */

static wn_status check_multiclass(const float *y, const float *w, const double *prob, int64_t n,
                                  int nclass)
{
    for (int64_t i = 0; i < n; i++) {
        char v[32];
        if (!isfinite(y[i])) {
            wn__format_float(v, y[i]);
            return wn__fail(WN_ENUMERIC, "multiclass summary: label of row %lld is %s",
                            (long long)(i + 1), v);
        }
        if (w && !isfinite(w[i])) {
            wn__format_float(v, w[i]);
            return wn__fail(WN_ENUMERIC, "multiclass summary: weight of row %lld is %s",
                            (long long)(i + 1), v);
        }
        for (int c = 0; c < nclass; c++)
            if (isnan(prob[i * nclass + c]))
                return wn__fail(WN_ENUMERIC,
                                "multiclass summary: probability %d of row %lld is NaN", c,
                                (long long)(i + 1));
        if (!(y[i] >= 0.0f) || y[i] != floorf(y[i]) || y[i] >= (float)nclass) {
            wn__format_float(v, y[i]);
            return wn__fail(WN_EFORMAT,
                            "multiclass summary: label of row %lld is %s, must be a class 0..%d",
                            (long long)(i + 1), v, nclass - 1);
        }
    }
    return WN_OK;
}

wn_status wn_multiclass_summary(const float *y, const float *w, const double *prob, int64_t n,
                                int nclass, double *auc, double *conf, double *accuracy)
{
    if (!y || !prob || !auc || !conf || !accuracy)
        return wn__fail(WN_EINVAL, "multiclass summary: NULL %s",
                        !y      ? "labels"
                        : !prob ? "probabilities"
                        : !auc  ? "auc output"
                        : !conf ? "confusion output"
                                : "accuracy output");
    if (n < 1)
        return wn__fail(WN_EINVAL, "multiclass summary: no rows (n = %lld)", (long long)n);
    if (nclass < 2 || nclass > WN_GBDT_MAX_CLASSES)
        return wn__fail(WN_EINVAL, "multiclass summary: nclass must be in 2..%d, got %d",
                        WN_GBDT_MAX_CLASSES, nclass);
    if ((uint64_t)n > SIZE_MAX / sizeof(double) / (size_t)nclass)
        return wn__fail(WN_EINVAL, "multiclass summary: %lld rows x %d classes is too large",
                        (long long)n, nclass);
    wn_status s = check_multiclass(y, w, prob, n, nclass);
    if (s != WN_OK)
        return s;

    const size_t K = (size_t)nclass;
    double sw = 0.0, diag = 0.0;
    double *cm = wn__calloc(K * K, sizeof *cm);
    double *a = wn__malloc_array(K, sizeof *a);
    float *yk = wn__malloc_array((size_t)n, sizeof *yk);
    double *pk = wn__malloc_array((size_t)n, sizeof *pk);
    if (!cm || !a || !yk || !pk) {
        s = wn__oom("multiclass summary");
        goto done;
    }
    for (int64_t i = 0; i < n; i++) {
        const double *p = prob + i * nclass;
        double wi = w ? (double)w[i] : 1.0;
        int best = 0;
        for (int c = 1; c < nclass; c++)
            if (p[c] > p[best])
                best = c;
        int t = (int)y[i];
        cm[(size_t)t * K + (size_t)best] += wi;
        sw += wi;
        if (best == t)
            diag += wi;
    }
    if (!(sw > 0.0)) {
        s = wn__fail(WN_ENUMERIC, "multiclass summary: the sum of weights is %g, must be > 0", sw);
        goto done;
    }
    for (int k = 0; k < nclass; k++) {
        /* the same sums, in the same row order, as metric.c's AUC takes */
        double wpos = 0.0, wneg = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1.0;
            int pos = (int)y[i] == k;
            yk[i] = pos ? 1.0f : 0.0f;
            pk[i] = prob[i * nclass + k];
            if (pos)
                wpos += wi;
            else
                wneg += wi;
        }
        if (!(wpos > 0.0) || !(wneg > 0.0)) {
            a[k] = (double)NAN;
            continue;
        }
        s = wn_metric_eval(WN_METRIC_AUC, yk, w, pk, n, 1, 0.0, &a[k]);
        if (s != WN_OK) {
            wn__fail_prefix(s, "multiclass summary, class %d", k);
            goto done;
        }
    }
    memcpy(auc, a, K * sizeof *a);
    memcpy(conf, cm, K * K * sizeof *cm);
    *accuracy = diag / sw;
done:
    wn_free(cm);
    wn_free(a);
    wn_free(yk);
    wn_free(pk);
    return s;
}

/* ---- regression ------------------------------------------------------------------ */

typedef struct resid {
    double r;
    int64_t row;
} resid;

static int cmp_resid(const void *a, const void *b)
{
    const resid *x = a, *y = b;
    if (x->r != y->r)
        return x->r < y->r ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

wn_status wn_regression_summary(const float *y, const float *w, const double *pred, int64_t n,
                                double *rmse, double *mae, double *r2, double *q)
{
    if (!y || !pred || !rmse || !mae || !r2 || !q)
        return wn__fail(WN_EINVAL, "regression summary: NULL %s",
                        !y      ? "labels"
                        : !pred ? "predictions"
                                : "output");
    if (n < 1)
        return wn__fail(WN_EINVAL, "regression summary: no rows (n = %lld)", (long long)n);
    for (int64_t i = 0; i < n; i++) {
        char v[32];
        if (!isfinite(y[i])) {
            wn__format_float(v, y[i]);
            return wn__fail(WN_ENUMERIC, "regression summary: label of row %lld is %s",
                            (long long)(i + 1), v);
        }
        if (w && !isfinite(w[i])) {
            wn__format_float(v, w[i]);
            return wn__fail(WN_ENUMERIC, "regression summary: weight of row %lld is %s",
                            (long long)(i + 1), v);
        }
        if (isnan(pred[i]))
            return wn__fail(WN_ENUMERIC, "regression summary: prediction of row %lld is NaN",
                            (long long)(i + 1));
    }

    double sw = 0.0, swy = 0.0, sq = 0.0, ab = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? (double)w[i] : 1.0;
        double r = pred[i] - (double)y[i];
        sw += wi;
        swy += wi * (double)y[i];
        sq += wi * r * r;
        ab += wi * fabs(r);
    }
    if (!(sw > 0.0))
        return wn__fail(WN_ENUMERIC, "regression summary: the sum of weights is %g, must be > 0",
                        sw);
    double mse = sq / sw;
    /* negative weights can make the weighted mean square negative */
    if (!(mse >= 0.0))
        return wn__fail(WN_ENUMERIC,
                        "regression summary: the weighted mean squared error is %g (negative "
                        "weights); its root is undefined",
                        mse);
    double ybar = swy / sw, sst = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? (double)w[i] : 1.0;
        double d = (double)y[i] - ybar;
        sst += wi * d * d;
    }

    resid *rs = wn__malloc_array((size_t)n, sizeof *rs);
    if (!rs)
        return wn__oom("regression summary residuals");
    for (int64_t i = 0; i < n; i++) {
        rs[i].r = pred[i] - (double)y[i];
        rs[i].row = i;
    }
    qsort(rs, (size_t)n, sizeof *rs, cmp_resid);
    double ws = 0.0;
    for (int64_t j = 0; j < n; j++)
        ws += w ? (double)w[rs[j].row] : 1.0;
    double qv[5];
    int next = 0;
    double cum = 0.0;
    for (int64_t j = 0; j < n && next < 5;) {
        int64_t k = j;
        for (; k < n && rs[k].r == rs[j].r; k++)
            cum += w ? (double)w[rs[k].row] : 1.0;
        while (next < 5 && (cum >= reg_levels[next] * ws || k == n))
            qv[next++] = rs[j].r;
        j = k;
    }
    wn_free(rs);

    *rmse = sqrt(mse);
    *mae = ab / sw;
    *r2 = sst > 0.0 ? 1.0 - sq / sst : (double)NAN;
    memcpy(q, qv, sizeof qv);
    return WN_OK;
}
