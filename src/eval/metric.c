/* metric.c — weighted figures of merit for predictions.
 *
 * Every metric is a ratio of weighted sums, so event weights (including the
 * negative weights of NLO Monte Carlo) enter linearly:
 *
 *   logloss   -sum w [y log p + (1-y) log(1-p)] / W,  p clamped to
 *             [1e-15, 1 - 1e-15] so a confident mistake costs 34.5, not inf
 *   mlogloss  -sum w log p_y / W, p_y clamped the same way
 *   error     sum w [prediction wrong] / W (binary: class 1 when p > 0.5;
 *             multiclass: the first largest probability)
 *   rmse      sqrt(sum w (p - y)^2 / W);  mae  sum w |p - y| / W
 *   huber     sum w L(p - y) / W, L(r) = r^2/2 for |r| <= delta,
 *             delta (|r| - delta/2) beyond
 *   auc       the weighted Mann-Whitney statistic: the probability that a
 *             positive outranks a negative, ties counted half
 *             (Hanley & McNeil, Radiology 143(1), 1982,
 *             doi:10.1148/radiology.143.1.7063747; Fawcett, Pattern Recogn.
 *             Lett. 27(8), 2006, doi:10.1016/j.patrec.2005.10.010).
 *
 * AUC in O(n log n): sort rows by prediction, walk the groups of equal
 * predictions from the lowest; a group with positive weight P and negative
 * weight N adds P * (negative weight strictly below) + P N / 2. The sum over
 * groups divided by W+ W- is the pair count of the definition. Sorting by
 * (prediction, row) is a total order, so the groups are summed in one fixed
 * order whatever qsort does with equal keys.
 *
 * All other sums are serial, in double, in row order: the same inputs give
 * the same bits on every run and thread count. */
#include "core.h"
#include "eval_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P_EPS 1e-15

static const char *const metric_names[] = {"default",  "logloss", "auc", "error",
                                           "mlogloss", "rmse",    "mae", "huber"};
#define NMETRIC ((int)(sizeof metric_names / sizeof metric_names[0]))

wn_status wn_metric_parse(const char *name, wn_metric *out)
{
    if (name && out)
        for (int k = 0; k < NMETRIC; k++)
            if (!strcmp(name, metric_names[k])) {
                *out = (wn_metric)k;
                return WN_OK;
            }
    return wn__fail(WN_EINVAL,
                    "unknown metric '%s'; the metrics are: default, logloss, auc, error, "
                    "mlogloss, rmse, mae, huber",
                    name ? name : "(null)");
}

const char *wn_metric_name(wn_metric m)
{
    if ((int)m < 0 || (int)m >= NMETRIC)
        return "unknown";
    return metric_names[m];
}

int wn_metric_higher_better(wn_metric m)
{
    return m == WN_METRIC_AUC;
}

/* ---- input checks ------------------------------------------------------------ */

/* NaN/inf labels and weights, NaN predictions, and labels that do not fit
 * the metric (0/1 for binary ones, 0..nclass-1 for multiclass ones). */
static wn_status check_inputs(wn_metric m, const float *y, const float *w, const double *pred,
                              int64_t n, int nclass)
{
    const int binary =
        nclass == 1 && (m == WN_METRIC_LOGLOSS || m == WN_METRIC_AUC || m == WN_METRIC_ERROR);
    const int multi = nclass > 1;
    const char *mn = wn_metric_name(m);
    for (int64_t i = 0; i < n; i++) {
        char v[32];
        if (!isfinite(y[i])) {
            wn__format_float(v, y[i]);
            return wn__fail(WN_ENUMERIC, "metric %s: label of row %lld is %s", mn,
                            (long long)(i + 1), v);
        }
        if (w && !isfinite(w[i])) {
            wn__format_float(v, w[i]);
            return wn__fail(WN_ENUMERIC, "metric %s: weight of row %lld is %s", mn,
                            (long long)(i + 1), v);
        }
        for (int c = 0; c < nclass; c++)
            if (isnan(pred[i * nclass + c]))
                return wn__fail(WN_ENUMERIC, "metric %s: prediction of row %lld is NaN", mn,
                                (long long)(i + 1));
        if (binary && y[i] != 0.0f && y[i] != 1.0f) {
            wn__format_float(v, y[i]);
            return wn__fail(WN_EFORMAT, "metric %s: label of row %lld is %s, must be 0 or 1", mn,
                            (long long)(i + 1), v);
        }
        if (multi && (!(y[i] >= 0.0f) || y[i] != floorf(y[i]) || y[i] >= (float)nclass)) {
            wn__format_float(v, y[i]);
            return wn__fail(WN_EFORMAT, "metric %s: label of row %lld is %s, must be a class 0..%d",
                            mn, (long long)(i + 1), v, nclass - 1);
        }
    }
    return WN_OK;
}

/* ---- AUC ---------------------------------------------------------------------- */


static wn_status eval_auc(const float *y, const float *w, const double *pred, int64_t n,
                          double *out)
{
    double wpos = 0.0, wneg = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? (double)w[i] : 1.0;
        if (y[i] == 1.0f)
            wpos += wi;
        else
            wneg += wi;
    }
    if (!(wpos > 0.0) || !(wneg > 0.0))
        return wn__fail(WN_ENUMERIC,
                        "metric auc: weight sums are %g for positives and %g for negatives; "
                        "both must be > 0",
                        wpos, wneg);
    wn__ranked *r = wn__eval_rank(pred, n);
    if (!r)
        return wn__oom("auc ranking");
    double below_neg = 0.0, acc = 0.0;
    for (int64_t j = 0; j < n;) {
        double gp = 0.0, gn = 0.0;
        int64_t k = j;
        for (; k < n && r[k].v == r[j].v; k++) {
            int64_t i = r[k].row;
            double wi = w ? (double)w[i] : 1.0;
            if (y[i] == 1.0f)
                gp += wi;
            else
                gn += wi;
        }
        acc += below_neg * gp + 0.5 * gp * gn;
        below_neg += gn;
        j = k;
    }
    wn_free(r);
    *out = acc / (wpos * wneg);
    return WN_OK;
}

/* ---- the rest: weighted means of a per-row loss ------------------------------- */

static double clamp_p(double p)
{
    return p < P_EPS ? P_EPS : p > 1.0 - P_EPS ? 1.0 - P_EPS : p;
}

static double row_loss(wn_metric m, double yi, const double *p, int nclass, double delta)
{
    switch (m) {
    case WN_METRIC_LOGLOSS: {
        /* yi is 0 or 1 (checked): one log, the other term is exactly 0 */
        double q = clamp_p(p[0]);
        return yi == 1.0 ? -log(q) : -log(1.0 - q);
    }
    case WN_METRIC_MLOGLOSS: return -log(clamp_p(p[(int)yi]));
    case WN_METRIC_ERROR: {
        if (nclass == 1)
            return (double)((p[0] > 0.5 ? 1.0 : 0.0) != yi);
        int best = 0;
        for (int c = 1; c < nclass; c++)
            if (p[c] > p[best])
                best = c;
        return (double)(best != (int)yi);
    }
    case WN_METRIC_RMSE: return (p[0] - yi) * (p[0] - yi);
    case WN_METRIC_MAE: return fabs(p[0] - yi);
    case WN_METRIC_HUBER: {
        double r = fabs(p[0] - yi);
        return r <= delta ? 0.5 * r * r : delta * (r - 0.5 * delta);
    }
    default: return 0.0;
    }
}

wn_status wn_metric_eval(wn_metric m, const float *y, const float *w, const double *pred, int64_t n,
                         int nclass, double huber_delta, double *out)
{
    if (!y || !pred || !out)
        return wn__fail(WN_EINVAL, "metric %s: NULL %s", wn_metric_name(m),
                        !y      ? "labels"
                        : !pred ? "predictions"
                                : "output");
    if (n < 1)
        return wn__fail(WN_EINVAL, "metric %s: no rows (n = %lld)", wn_metric_name(m),
                        (long long)n);
    if (nclass < 1 || nclass > WN_GBDT_MAX_CLASSES)
        return wn__fail(WN_EINVAL, "metric %s: nclass must be in 1..%d, got %d", wn_metric_name(m),
                        WN_GBDT_MAX_CLASSES, nclass);
    switch (m) {
    case WN_METRIC_DEFAULT:
        return wn__fail(WN_EINVAL, "metric default: resolve it to the objective's own metric "
                                   "before evaluating");
    case WN_METRIC_LOGLOSS:
    case WN_METRIC_AUC:
    case WN_METRIC_RMSE:
    case WN_METRIC_MAE:
    case WN_METRIC_HUBER:
        if (nclass != 1)
            return wn__fail(WN_EINVAL,
                            "metric %s is not defined for %d classes (use mlogloss or error)",
                            wn_metric_name(m), nclass);
        break;
    case WN_METRIC_MLOGLOSS:
        if (nclass < 2)
            return wn__fail(WN_EINVAL, "metric mlogloss needs nclass >= 2 (binary: logloss)");
        break;
    case WN_METRIC_ERROR: break;
    default: return wn__fail(WN_EINVAL, "unknown metric %d", (int)m);
    }
    if (m == WN_METRIC_HUBER && !(huber_delta > 0.0 && isfinite(huber_delta)))
        return wn__fail(WN_EINVAL, "metric huber: huber_delta must be finite and > 0, got %g",
                        huber_delta);
    wn_status s = check_inputs(m, y, w, pred, n, nclass);
    if (s != WN_OK)
        return s;
    if (m == WN_METRIC_AUC)
        return eval_auc(y, w, pred, n, out);

    double sw = 0.0, acc = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? (double)w[i] : 1.0;
        sw += wi;
        acc += wi * row_loss(m, (double)y[i], pred + i * nclass, nclass, huber_delta);
    }
    if (!(sw > 0.0))
        return wn__fail(WN_ENUMERIC, "metric %s: the sum of weights is %g, must be > 0",
                        wn_metric_name(m), sw);
    double v = acc / sw;
    if (m == WN_METRIC_RMSE) {
        /* negative weights can make the weighted mean square negative */
        if (!(v >= 0.0))
            return wn__fail(WN_ENUMERIC,
                            "metric rmse: the weighted mean squared error is %g (negative "
                            "weights); its root is undefined",
                            v);
        v = sqrt(v);
    }
    *out = v;
    return WN_OK;
}
