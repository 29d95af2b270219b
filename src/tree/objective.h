/* objective.h — loss functions of gradient boosting (private).
 *
 * For row i with label y_i, weight w_i and raw score F_i (K scores for
 * multiclass), each objective gives the per-row gradient and hessian of
 * w_i * loss(y_i, F_i) with respect to F_i, i.e. w_i * dl/dF and
 * w_i * d2l/dF2 (for multiclass the diagonal of the hessian, the usual
 * approximation). Weights are used as given: negative weights give negative
 * per-row terms (docs/negative-weights.md); the grower's safeguards handle
 * leaves whose hessian sum is not positive.
 *
 *   binary     p = 1/(1+exp(-F));  g = w (p - y);  h = w max(p(1-p), 1e-16)
 *   multiclass p_k = softmax(F)_k; g_k = w (p_k - [y==k]);
 *              h_k = w max(p_k (1-p_k), 1e-16)
 *   L2         g = w (F - y);          h = w
 *   L1         g = w sign(F - y);      h = w   (leaf values are then
 *              replaced by weighted medians of the residuals: grow.c)
 *   Huber      r = F - y; g = w r if |r| <= delta else w delta sign(r); h = w
 *
 * All loops are elementwise (parallel over rows, identical bits at any
 * thread count). exp/log are the C library's. */
#ifndef WN_TREE_OBJECTIVE_H
#define WN_TREE_OBJECTIVE_H

#include "core.h"

typedef struct wn__objective {
    wn_objective kind;
    int nout;           /* 1, or K for multiclass                          */
    double huber_delta; /* Huber only                                      */
} wn__objective;

/* Checks labels y[0..n-1] for the objective; `name` is the label column's
 * name for messages. binary: every value 0 or 1 and both present
 * (WN_EFORMAT lists up to 5 distinct values found otherwise; "all labels
 * are 1: need both classes"); multiclass: integers 0..K-1 where K =
 * *num_class if > 0, else max+1 (set into *num_class), K >= 3 (K = 2: use
 * binary), K <= WN_GBDT_MAX_CLASSES, at least 2 classes present;
 * regression: finite. NaN/inf labels: WN_ENUMERIC naming the first row
 * (0-based row r is reported as "row r+1"). */
wn_status wn__objective_check_labels(const wn__objective *o, const float *y, int64_t n,
                                     const char *name, int *num_class);

/* Initial raw scores base[0..nout-1] minimising the weighted loss of a
 * constant: binary log(S1/S0) (S = weight sums per class), multiclass
 * log(S_k / S) (a class with S_k <= 0 gets log(1e-12 ...) clamped to -30),
 * L2 the weighted mean, L1 the weighted median, Huber the weighted median.
 * Sums in double, serial in row order. Errors: WN_ENUMERIC when the needed
 * weight sums are not > 0 (e.g. binary with S1 <= 0 or S0 <= 0), naming
 * them. w may be NULL (all 1). */
wn_status wn__objective_init(const wn__objective *o, const float *y, const float *w, int64_t n,
                             double *base);

/* Gradients and hessians of every row: score[r*nout + k] (row-major raw
 * scores), out grad[k*n + r], hess[k*n + r] (output-major: each output's
 * column is contiguous for the histogram builder). w may be NULL.
 * threads: 0 = all. */
void wn__objective_gradients(const wn__objective *o, const float *y, const float *w,
                             const double *score, int64_t n, int threads, float *grad,
                             float *hess);

/* Raw scores -> outputs in place (n rows of nout): sigmoid, softmax
 * (max-subtracted), identity. */
void wn__objective_transform(const wn__objective *o, double *score, int64_t n, int threads);

/* The metric an objective reports by default. */
wn_metric wn__objective_default_metric(wn_objective kind);

#endif
