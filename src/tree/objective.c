/* objective.c — loss functions of gradient boosting: label checks, initial
 * scores, per-row gradients/hessians and the output transform.
 *
 * Gradient boosting fits each tree to a second-order Taylor expansion of the
 * loss around the current raw scores (Friedman, "Greedy function
 * approximation: a gradient boosting machine", Ann. Statist. 29(5), 2001,
 * doi:10.1214/aos/1013203451; Chen & Guestrin, "XGBoost", KDD 2016,
 * arXiv:1603.02754). Each objective therefore only has to supply, per row,
 * w * dl/dF and w * d2l/dF2 (the formulas are in objective.h), and the
 * constant score that minimises the weighted loss before the first tree.
 *
 * Numerics. The sigmoid is evaluated as 1/(1+exp(-F)) for F >= 0 and as
 * exp(F)/(1+exp(F)) for F < 0, so exp never overflows and p never becomes
 * NaN for |F| large. Softmax subtracts the row maximum before exp (every
 * exponent is <= 0, the largest is exactly 1), so the sum is in [1, K].
 * Hessians of the probabilistic losses are floored at 1e-16 so a saturated
 * row does not give a zero-hessian leaf. Everything is computed in double
 * and rounded to float once at the store.
 *
 * Determinism. The gradient and transform loops are elementwise over rows,
 * so they run in parallel with OpenMP and give the same bits at any thread
 * count. The initial scores are serial sums in row order; the weighted
 * median sorts (value, weight) pairs under a total order, so ties between
 * equal values with different weights are accumulated in one fixed order. */
#include "objective.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows below which the elementwise loops stay on one thread. */
#define PAR_MIN_ROWS 16384

/* ---- names ------------------------------------------------------------------ */

static const char *const obj_names[] = {"binary", "multiclass", "l2", "l1", "huber"};
#define NOBJ ((int)(sizeof obj_names / sizeof obj_names[0]))

wn_status wn_objective_parse(const char *name, wn_objective *out)
{
    if (name && out) {
        for (int k = 0; k < NOBJ; k++)
            if (!strcmp(name, obj_names[k])) {
                *out = (wn_objective)k;
                return WN_OK;
            }
        if (!strcmp(name, "regression")) {
            *out = WN_OBJ_L2;
            return WN_OK;
        }
    }
    return wn__fail(WN_EINVAL,
                    "unknown objective '%s'; the objectives are: binary, multiclass, l2 "
                    "(alias regression), l1, huber",
                    name ? name : "(null)");
}

const char *wn_objective_name(wn_objective o)
{
    if ((int)o < 0 || (int)o >= NOBJ)
        return "unknown";
    return obj_names[o];
}

wn_metric wn__objective_default_metric(wn_objective kind)
{
    switch (kind) {
    case WN_OBJ_BINARY: return WN_METRIC_LOGLOSS;
    case WN_OBJ_MULTICLASS: return WN_METRIC_MLOGLOSS;
    case WN_OBJ_L2: return WN_METRIC_RMSE;
    case WN_OBJ_L1: return WN_METRIC_MAE;
    case WN_OBJ_HUBER: return WN_METRIC_HUBER;
    }
    return WN_METRIC_RMSE;
}

/* ---- label checks ------------------------------------------------------------ */

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The first non-finite label, as a status naming its row, or WN_OK. */
static wn_status check_finite(const float *y, int64_t n, const char *name)
{
    for (int64_t i = 0; i < n; i++)
        if (!isfinite(y[i])) {
            char v[32];
            wn__format_float(v, y[i]);
            return wn__fail(WN_ENUMERIC, "label column '%s': row %lld is %s", name,
                            (long long)(i + 1), v);
        }
    return WN_OK;
}

static wn_status check_binary(const float *y, int64_t n, const char *name)
{
    /* up to 5 distinct values in order of appearance; 0 and 1 are two of
     * them at most, so when a bad value exists at least one is listed */
    float seen[5];
    int nseen = 0, more = 0;
    int64_t first_bad = -1, n1 = 0;
    for (int64_t i = 0; i < n; i++) {
        float v = y[i];
        if (v == 1.0f) {
            n1++;
            continue;
        }
        if (v == 0.0f)
            continue;
        if (first_bad < 0)
            first_bad = i;
    }
    if (first_bad >= 0) {
        for (int64_t i = 0; i < n; i++) {
            int k = 0;
            while (k < nseen && !(seen[k] == y[i]))
                k++;
            if (k < nseen)
                continue;
            if (nseen < 5)
                seen[nseen++] = y[i];
            else {
                more = 1;
                break;
            }
        }
        qsort(seen, (size_t)nseen, sizeof seen[0], cmp_float);
        char list[5 * 34 + 8];
        size_t len = 0;
        for (int k = 0; k < nseen; k++) {
            char v[32];
            wn__format_float(v, seen[k]);
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", v);
        }
        if (more)
            snprintf(list + len, sizeof list - len, ", ...");
        char bad[32];
        wn__format_float(bad, y[first_bad]);
        return wn__fail(WN_EFORMAT,
                        "label column '%s' must hold 0 or 1 for objective binary; found %s "
                        "(first bad value %s at row %lld)",
                        name, list, bad, (long long)(first_bad + 1));
    }
    if (n1 == 0 || n1 == n)
        return wn__fail(WN_EFORMAT, "label column '%s': all labels are %d: need both classes", name,
                        n1 ? 1 : 0);
    return WN_OK;
}

static wn_status check_multiclass(const float *y, int64_t n, const char *name, int *num_class)
{
    int given = *num_class;
    if (given > 0 && (given < 3 || given > WN_GBDT_MAX_CLASSES))
        return wn__fail(WN_EINVAL, "num_class must be in 3..%d for objective multiclass, got %d%s",
                        WN_GBDT_MAX_CLASSES, given, given == 2 ? " (2 classes: use binary)" : "");
    int64_t maxv = -1;
    for (int64_t i = 0; i < n; i++) {
        float v = y[i];
        int limit = given > 0 ? given : WN_GBDT_MAX_CLASSES;
        if (!(v >= 0.0f) || v != floorf(v) || v >= (float)limit) {
            char s[32];
            wn__format_float(s, v);
            if (given > 0)
                return wn__fail(WN_EFORMAT,
                                "label column '%s': row %lld is %s; multiclass labels must be "
                                "integers 0..%d (num_class %d)",
                                name, (long long)(i + 1), s, given - 1, given);
            return wn__fail(WN_EFORMAT,
                            "label column '%s': row %lld is %s; multiclass labels must be "
                            "integers 0..%d",
                            name, (long long)(i + 1), s, WN_GBDT_MAX_CLASSES - 1);
        }
        if ((int64_t)v > maxv)
            maxv = (int64_t)v;
    }
    int k = given > 0 ? given : (int)(maxv + 1);
    if (k < 3)
        return wn__fail(WN_EFORMAT,
                        "label column '%s' has %d classes (labels 0..%d); objective "
                        "multiclass needs at least 3: use binary",
                        name, k, k - 1);
    /* at least two classes present */
    float first = y[0];
    int64_t i = 1;
    while (i < n && y[i] == first)
        i++;
    if (i == n)
        return wn__fail(WN_EFORMAT, "label column '%s': all labels are %d: need at least 2 classes",
                        name, (int)first);
    *num_class = k;
    return WN_OK;
}

wn_status wn__objective_check_labels(const wn__objective *o, const float *y, int64_t n,
                                     const char *name, int *num_class)
{
    if (!o || !y || n < 1)
        return wn__fail(WN_EINVAL, "label check: no labels (n = %lld)", (long long)n);
    if (!name)
        name = "label";
    wn_status s = check_finite(y, n, name);
    if (s != WN_OK)
        return s;
    switch (o->kind) {
    case WN_OBJ_BINARY: return check_binary(y, n, name);
    case WN_OBJ_MULTICLASS:
        if (!num_class)
            return wn__fail(WN_EINVAL, "label check: num_class is NULL");
        return check_multiclass(y, n, name, num_class);
    case WN_OBJ_L2:
    case WN_OBJ_L1:
    case WN_OBJ_HUBER: return WN_OK;
    }
    return wn__fail(WN_EINVAL, "unknown objective %d", (int)o->kind);
}

/* ---- initial scores ----------------------------------------------------------- */

typedef struct vw {
    float v, w;
} vw;

/* Total order on (value, weight): equal values are adjacent and ties are
 * broken by weight, so the cumulative sums below do not depend on qsort's
 * order among equal keys. Values and weights are finite here. */
static int cmp_vw(const void *a, const void *b)
{
    const vw *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->w > y->w) - (x->w < y->w);
}

/* Weighted median of y (weights w > 0 or NULL; zero weights are skipped):
 * the smallest value whose cumulative weight reaches half the total, or,
 * when the cumulative weight equals exactly half, the midpoint between that
 * value and the next one (every point between them minimises sum w|y - c|). */
static wn_status weighted_median(const float *y, const float *w, int64_t n, const char *what,
                                 double *out)
{
    vw *a = wn__malloc_array((size_t)n, sizeof *a);
    if (!a)
        return wn__oom("weighted median");
    int64_t m = 0;
    double total = 0.0;
    for (int64_t i = 0; i < n; i++) {
        float wi = w ? w[i] : 1.0f;
        if (wi == 0.0f)
            continue;
        a[m].v = y[i];
        a[m].w = wi;
        m++;
        total += (double)wi;
    }
    if (m == 0 || !(total > 0.0)) {
        wn_free(a);
        return wn__fail(WN_ENUMERIC, "%s: the sum of weights is %g, must be > 0", what, total);
    }
    qsort(a, (size_t)m, sizeof *a, cmp_vw);
    double half = 0.5 * total, cum = 0.0;
    int64_t j = 0;
    for (; j < m; j++) {
        cum += (double)a[j].w;
        /* the whole group of equal values */
        while (j + 1 < m && a[j + 1].v == a[j].v)
            cum += (double)a[++j].w;
        if (cum >= half)
            break;
    }
    if (j >= m)
        j = m - 1; /* rounding: cum fell a hair short of half */
    double med = (double)a[j].v;
    if (cum == half && j + 1 < m)
        med = 0.5 * ((double)a[j].v + (double)a[j + 1].v);
    wn_free(a);
    *out = med;
    return WN_OK;
}

wn_status wn__objective_init(const wn__objective *o, const float *y, const float *w, int64_t n,
                             double *base)
{
    if (!o || !y || !base || n < 1)
        return wn__fail(WN_EINVAL, "initial score: no rows (n = %lld)", (long long)n);
    switch (o->kind) {
    case WN_OBJ_BINARY: {
        double s0 = 0.0, s1 = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1.0;
            if (y[i] == 1.0f)
                s1 += wi;
            else
                s0 += wi;
        }
        if (!(s1 > 0.0) || !(s0 > 0.0))
            return wn__fail(WN_ENUMERIC,
                            "objective binary: weight sums are %g for class 1 and %g for class "
                            "0; both must be > 0",
                            s1, s0);
        base[0] = log(s1 / s0);
        return WN_OK;
    }
    case WN_OBJ_MULTICLASS: {
        int k = o->nout;
        if (k < 1 || k > WN_GBDT_MAX_CLASSES)
            return wn__fail(WN_EINTERNAL, "multiclass with %d outputs", k);
        double *s = wn__calloc((size_t)k, sizeof *s);
        if (!s)
            return wn__oom("class weight sums");
        double total = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1.0;
            int c = (int)y[i];
            if (!(y[i] >= 0.0f) || c >= k) {
                wn_free(s);
                return wn__fail(WN_EINTERNAL, "multiclass label %g out of 0..%d at row %lld",
                                (double)y[i], k - 1, (long long)(i + 1));
            }
            s[c] += wi;
            total += wi;
        }
        if (!(total > 0.0)) {
            wn_free(s);
            return wn__fail(WN_ENUMERIC,
                            "objective multiclass: the sum of weights is %g, must be > 0", total);
        }
        /* a class with no (or negative) weight starts from probability 1e-12,
         * i.e. log(1e-12) = -27.6, and no start is below -30 */
        for (int c = 0; c < k; c++) {
            double p = s[c] / total;
            double b = log(p > 1e-12 ? p : 1e-12);
            base[c] = b < -30.0 ? -30.0 : b;
        }
        wn_free(s);
        return WN_OK;
    }
    case WN_OBJ_L2: {
        double sw = 0.0, swy = 0.0;
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1.0;
            sw += wi;
            swy += wi * (double)y[i];
        }
        if (!(sw > 0.0))
            return wn__fail(WN_ENUMERIC, "objective l2: the sum of weights is %g, must be > 0", sw);
        base[0] = swy / sw;
        return WN_OK;
    }
    case WN_OBJ_L1:
    case WN_OBJ_HUBER: {
        int negative = 0;
        if (w)
            for (int64_t i = 0; i < n && !negative; i++)
                negative = w[i] < 0.0f;
        if (!negative)
            return weighted_median(y, w, n, wn_objective_name(o->kind), base);
        if (o->kind == WN_OBJ_L1) {
            /* the trainer refuses negative weights for L1 before this */
            return wn__fail(WN_ENUMERIC, "objective l1 needs weights >= 0");
        }
        /* Huber with negative weights: a median of signed weights is not
         * defined (the cumulative weight need not be monotone), so start
         * from the weighted mean instead, the minimiser of the quadratic
         * part of the Huber loss; the trees correct the rest. */
        double sw = 0.0, swy = 0.0;
        for (int64_t i = 0; i < n; i++) {
            sw += (double)w[i];
            swy += (double)w[i] * (double)y[i];
        }
        if (!(sw > 0.0))
            return wn__fail(WN_ENUMERIC, "objective huber: the sum of weights is %g, must be > 0",
                            sw);
        base[0] = swy / sw;
        return WN_OK;
    }
    }
    return wn__fail(WN_EINVAL, "unknown objective %d", (int)o->kind);
}

/* ---- gradients ----------------------------------------------------------------- */

/* P(y = 1) = 1/(1+exp(-f)) without overflow: exp of a non-positive number. */
/* Branch-free (the sign of the scores is a coin flip per row): the same
 * two formulas, choosing the numerator. */
static inline double sigmoid(double f)
{
    double e = exp(-fabs(f));
    double num = f >= 0.0 ? 1.0 : e;
    return num / (1.0 + e);
}

static inline double sign_of(double r)
{
    return (double)((r > 0.0) - (r < 0.0));
}

void wn__objective_gradients(const wn__objective *o, const float *y, const float *w,
                             const double *score, int64_t n, int threads, float *grad, float *hess)
{
    const int nt = wn__threads(threads);
    const int par = n >= PAR_MIN_ROWS && nt > 1;
    switch (o->kind) {
    case WN_OBJ_BINARY:
#pragma omp parallel for num_threads(nt) if (par) schedule(static)
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1.0;
            double p = sigmoid(score[i]);
            double h = p * (1.0 - p);
            grad[i] = (float)(wi * (p - (double)y[i]));
            hess[i] = (float)(wi * (h > 1e-16 ? h : 1e-16));
        }
        break;
    case WN_OBJ_MULTICLASS: {
        const int k = o->nout;
#pragma omp parallel for num_threads(nt) if (par) schedule(static)
        for (int64_t i = 0; i < n; i++) {
            const double *f = score + i * k;
            double wi = w ? (double)w[i] : 1.0;
            double mx = f[0];
            for (int c = 1; c < k; c++)
                if (f[c] > mx)
                    mx = f[c];
            double sum = 0.0;
            for (int c = 0; c < k; c++)
                sum += exp(f[c] - mx);
            int yc = (int)y[i];
            for (int c = 0; c < k; c++) {
                double p = exp(f[c] - mx) / sum;
                double h = p * (1.0 - p);
                grad[(int64_t)c * n + i] = (float)(wi * (p - (c == yc ? 1.0 : 0.0)));
                hess[(int64_t)c * n + i] = (float)(wi * (h > 1e-16 ? h : 1e-16));
            }
        }
        break;
    }
    case WN_OBJ_L2:
#pragma omp parallel for num_threads(nt) if (par) schedule(static)
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1.0;
            grad[i] = (float)(wi * (score[i] - (double)y[i]));
            hess[i] = (float)wi;
        }
        break;
    case WN_OBJ_L1:
#pragma omp parallel for num_threads(nt) if (par) schedule(static)
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1.0;
            grad[i] = (float)(wi * sign_of(score[i] - (double)y[i]));
            hess[i] = (float)wi;
        }
        break;
    case WN_OBJ_HUBER: {
        const double delta = o->huber_delta;
#pragma omp parallel for num_threads(nt) if (par) schedule(static)
        for (int64_t i = 0; i < n; i++) {
            double wi = w ? (double)w[i] : 1.0;
            double r = score[i] - (double)y[i];
            double g = fabs(r) <= delta ? r : delta * sign_of(r);
            grad[i] = (float)(wi * g);
            hess[i] = (float)wi;
        }
        break;
    }
    }
}

/* ---- transform ------------------------------------------------------------------ */

void wn__objective_transform(const wn__objective *o, double *score, int64_t n, int threads)
{
    const int nt = wn__threads(threads);
    const int par = n >= PAR_MIN_ROWS && nt > 1;
    if (o->kind == WN_OBJ_BINARY) {
#pragma omp parallel for num_threads(nt) if (par) schedule(static)
        for (int64_t i = 0; i < n; i++)
            score[i] = sigmoid(score[i]);
    } else if (o->kind == WN_OBJ_MULTICLASS) {
        const int k = o->nout;
#pragma omp parallel for num_threads(nt) if (par) schedule(static)
        for (int64_t i = 0; i < n; i++) {
            double *f = score + i * k;
            double mx = f[0];
            for (int c = 1; c < k; c++)
                if (f[c] > mx)
                    mx = f[c];
            double sum = 0.0;
            for (int c = 0; c < k; c++) {
                f[c] = exp(f[c] - mx);
                sum += f[c];
            }
            for (int c = 0; c < k; c++)
                f[c] /= sum;
        }
    }
    /* L2, L1, Huber: the raw score is the prediction */
}
