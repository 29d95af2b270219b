/* params.c — GBDT parameters: defaults, setting from text, validation. */
#include "gbdt_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void wn_gbdt_params_default(wn_gbdt_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->objective = WN_OBJ_BINARY;
    p->rounds = 100;
    p->learning_rate = 0.1;
    p->num_leaves = 31;
    p->max_depth = 0;
    p->min_data_in_leaf = 20;
    p->min_sum_hessian = 1e-3;
    /* L2 = 1 (XGBoost's default): without it, on well separated data the
     * log-loss Newton step of a leaf of confidently misclassified events
     * (gradient ~1 each, hessian ~0) runs to thousands, and raw scores to
     * 1e5 (seen on the demo's resonance sample) */
    p->lambda_l2 = 1.0;
    p->row_subsample = 1.0;
    p->col_subsample = 1.0;
    p->max_bins = 255;
    p->bin_sample_rows = 200000;
    p->huber_delta = 1.0;
    p->metric = WN_METRIC_DEFAULT;
    p->seed = 42;
}

static wn_status bad(const char *key, const char *value, const char *range)
{
    return wn__fail(WN_EINVAL, "parameter %s = '%s': %s", key, value, range);
}

static int parse_i64(const char *s, int64_t *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return 0;
    *v = (int64_t)x;
    return 1;
}

static int parse_f64(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno == ERANGE || end == s || *end || !isfinite(x))
        return 0;
    *v = x;
    return 1;
}

static const char *const KEYS =
    "objective, num_class, rounds, learning_rate (eta), num_leaves, max_depth, "
    "min_data_in_leaf, min_sum_hessian, lambda_l1, lambda_l2, min_split_gain, "
    "row_subsample, col_subsample, max_bins, bin_sample_rows, huber_delta, "
    "early_stopping_rounds, metric, seed, threads, valid_fraction, ensemble";

wn_status wn_gbdt_params_set(wn_gbdt_params *p, const char *key, const char *value)
{
    if (!p || !key || !value)
        return wn__fail(WN_EINVAL, "gbdt_params_set: NULL argument");
    int64_t i;
    double d;
    if (!strcmp(key, "objective"))
        return wn_objective_parse(value, &p->objective);
    if (!strcmp(key, "metric"))
        return wn_metric_parse(value, &p->metric);
#define INT_KEY(name, field, lo, hi, range)                                                     \
    if (!strcmp(key, name)) {                                                                   \
        if (!parse_i64(value, &i) || i < (lo) || i > (hi))                                      \
            return bad(key, value, range);                                                      \
        p->field = (__typeof__(p->field))i;                                                     \
        return WN_OK;                                                                           \
    }
#define DBL_KEY(name, field, cond, range)                                                       \
    if (!strcmp(key, name)) {                                                                   \
        if (!parse_f64(value, &d) || !(cond))                                                   \
            return bad(key, value, range);                                                      \
        p->field = d;                                                                           \
        return WN_OK;                                                                           \
    }
    INT_KEY("num_class", num_class, 0, WN_GBDT_MAX_CLASSES, "an integer in 0..1024 (0: from the labels)")
    INT_KEY("rounds", rounds, 1, 10000000, "an integer in 1..10000000")
    INT_KEY("num_leaves", num_leaves, 2, WN_GBDT_MAX_LEAVES, "an integer in 2..65536")
    INT_KEY("max_depth", max_depth, 0, 64, "an integer in 0..64 (0: unlimited)")
    INT_KEY("min_data_in_leaf", min_data_in_leaf, 1, INT64_MAX, "an integer >= 1")
    INT_KEY("max_bins", max_bins, 2, 255, "an integer in 2..255")
    INT_KEY("bin_sample_rows", bin_sample_rows, INT64_MIN, INT64_MAX, "an integer (<= 0: all rows)")
    INT_KEY("early_stopping_rounds", early_stopping_rounds, 0, INT64_MAX, "an integer >= 0")
    INT_KEY("threads", threads, 0, 4096, "an integer in 0..4096 (0: all)")
    INT_KEY("ensemble", ensemble, 0, 100, "an integer in 0..100 (0 or 1: one model)")
    if (!strcmp(key, "seed")) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(value, &end, 10);
        if (errno || end == value || *end || value[0] == '-')
            return bad(key, value, "an integer in 0..2^64-1");
        p->seed = (uint64_t)s;
        return WN_OK;
    }
    DBL_KEY("learning_rate", learning_rate, d > 0.0, "a number > 0")
    DBL_KEY("eta", learning_rate, d > 0.0, "a number > 0")
    DBL_KEY("min_sum_hessian", min_sum_hessian, d >= 0.0, "a number >= 0")
    DBL_KEY("lambda_l1", lambda_l1, d >= 0.0, "a number >= 0")
    DBL_KEY("lambda_l2", lambda_l2, d >= 0.0, "a number >= 0")
    DBL_KEY("min_split_gain", min_split_gain, d >= 0.0, "a number >= 0")
    DBL_KEY("row_subsample", row_subsample, d > 0.0 && d <= 1.0, "a number in (0, 1]")
    DBL_KEY("col_subsample", col_subsample, d > 0.0 && d <= 1.0, "a number in (0, 1]")
    DBL_KEY("huber_delta", huber_delta, d > 0.0, "a number > 0")
    DBL_KEY("valid_fraction", valid_fraction, d >= 0.0 && d < 1.0, "a number in [0, 1)")
#undef INT_KEY
#undef DBL_KEY
    return wn__fail(WN_EINVAL, "unknown parameter '%s' (known: %s)", key, KEYS);
}

wn_status wn__gbdt_params_check(const wn_gbdt_params *p)
{
    if (!p)
        return wn__fail(WN_EINVAL, "gbdt: params is NULL");
    if ((unsigned)p->objective > WN_OBJ_HUBER)
        return wn__fail(WN_EINVAL, "parameter objective = %d is not an objective", (int)p->objective);
    if (p->rounds < 1)
        return wn__fail(WN_EINVAL, "parameter rounds = %lld: need at least 1 round",
                        (long long)p->rounds);
    if (!(p->learning_rate > 0.0) || !isfinite(p->learning_rate))
        return wn__fail(WN_EINVAL, "parameter learning_rate = %g: must be a finite number > 0",
                        p->learning_rate);
    if (p->num_leaves < 2 || p->num_leaves > WN_GBDT_MAX_LEAVES)
        return wn__fail(WN_EINVAL, "parameter num_leaves = %d: must be in 2..%d", p->num_leaves,
                        WN_GBDT_MAX_LEAVES);
    if (p->max_depth < 0 || p->max_depth > 64)
        return wn__fail(WN_EINVAL, "parameter max_depth = %d: must be in 0..64", p->max_depth);
    if (p->min_data_in_leaf < 1)
        return wn__fail(WN_EINVAL, "parameter min_data_in_leaf = %lld: must be >= 1",
                        (long long)p->min_data_in_leaf);
#define NONNEG(field)                                                                           \
    if (!(p->field >= 0.0) || !isfinite(p->field))                                             \
        return wn__fail(WN_EINVAL, "parameter " #field " = %g: must be a finite number >= 0",   \
                        p->field);
    NONNEG(min_sum_hessian)
    NONNEG(lambda_l1)
    NONNEG(lambda_l2)
    NONNEG(min_split_gain)
#undef NONNEG
    if (!(p->row_subsample > 0.0 && p->row_subsample <= 1.0))
        return wn__fail(WN_EINVAL, "parameter row_subsample = %g: must be in (0, 1]",
                        p->row_subsample);
    if (!(p->col_subsample > 0.0 && p->col_subsample <= 1.0))
        return wn__fail(WN_EINVAL, "parameter col_subsample = %g: must be in (0, 1]",
                        p->col_subsample);
    if (p->max_bins < 2 || p->max_bins > 255)
        return wn__fail(WN_EINVAL, "parameter max_bins = %d: must be in 2..255", p->max_bins);
    if (!(p->huber_delta > 0.0) || !isfinite(p->huber_delta))
        return wn__fail(WN_EINVAL, "parameter huber_delta = %g: must be > 0", p->huber_delta);
    if (!(p->valid_fraction >= 0.0 && p->valid_fraction < 1.0))
        return wn__fail(WN_EINVAL, "parameter valid_fraction = %g: must be in [0, 1)",
                        p->valid_fraction);
    if (p->early_stopping_rounds < 0)
        return wn__fail(WN_EINVAL, "parameter early_stopping_rounds = %lld: must be >= 0",
                        (long long)p->early_stopping_rounds);
    if (p->folds < 0 || p->folds > 100)
        return wn__fail(WN_EINVAL, "parameter folds = %d: must be in 0..100", p->folds);
    if (p->folds > 1 && (!p->fold_by || !*p->fold_by))
        return wn__fail(WN_EINVAL, "parameter folds = %d needs fold_by (the event-number "
                                   "column)", p->folds);
    if (p->ensemble < 0 || p->ensemble > 100)
        return wn__fail(WN_EINVAL, "parameter ensemble = %d: must be in 0..100", p->ensemble);
    if (p->ensemble > 1 && p->folds > 1)
        return wn__fail(WN_EINVAL, "parameters ensemble = %d and folds = %d: an ensemble of "
                                   "bagged models and k-fold training cannot be combined",
                        p->ensemble, p->folds);
    if (p->threads < 0 || p->threads > 4096)
        return wn__fail(WN_EINVAL, "parameter threads = %d: must be in 0..4096", p->threads);
    if (p->num_class < 0 || p->num_class > WN_GBDT_MAX_CLASSES)
        return wn__fail(WN_EINVAL, "parameter num_class = %d: must be in 0..%d", p->num_class,
                        WN_GBDT_MAX_CLASSES);
    if (p->monotone) {
        for (int64_t i = 0; i < p->n_monotone; i++)
            if (p->monotone[i] < -1 || p->monotone[i] > 1)
                return wn__fail(WN_EINVAL, "parameter monotone[%lld] = %d: must be -1, 0 or +1",
                                (long long)i, p->monotone[i]);
    }
    if (p->class_weight) {
        for (int i = 0; i < p->n_class_weight; i++)
            if (!(p->class_weight[i] > 0.0) || !isfinite(p->class_weight[i]))
                return wn__fail(WN_EINVAL, "parameter class_weight[%d] = %g: must be a finite "
                                           "number > 0", i, p->class_weight[i]);
    }
    return WN_OK;
}
