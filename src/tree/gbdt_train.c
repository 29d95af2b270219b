/* gbdt_train.c — wn_gbdt_train: checks the table and the parameters, bins
 * the features, lays out the folds and validation rows, and runs the
 * boosting loop (gbdt.c) once per fold. */
#include "gbdt_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STREAM_VALID 0x56414c4944ull /* "VALID": the valid_fraction draw */
#define STREAM_BAG 0x424147000000ull /* "BAG": bootstrap counts, + member */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- column handling ------------------------------------------------------ */

static wn_status gather_checked(const wn_table *t, int64_t c, const char *what, float *dst)
{
    wn_table_gather(t, c, dst);
    int64_t n = wn_table_nrows(t);
    for (int64_t r = 0; r < n; r++)
        if (!isfinite(dst[r]))
            return wn__fail(WN_ENUMERIC, "%s column '%s': %s at row %lld (%s must be finite)",
                            what, wn_table_name(t, c), isnan(dst[r]) ? "NaN" : "inf",
                            (long long)(r + 1), what);
    return WN_OK;
}

/* Finds the single column with role r; -1 if none; error if several. */
static wn_status role_column(const wn_table *t, wn_role r, int required, int64_t *out)
{
    int64_t found = -1, nc = wn_table_ncols(t);
    for (int64_t c = 0; c < nc; c++) {
        if (wn_table_role(t, c) != r)
            continue;
        if (found >= 0)
            return wn__fail(WN_EINVAL, "gbdt: two %s columns ('%s' and '%s'): mark one",
                            wn_role_name(r), wn_table_name(t, found), wn_table_name(t, c));
        found = c;
    }
    if (found < 0 && required)
        return wn__fail(WN_EINVAL, "gbdt: no %s column: give the table a column with role %s",
                        wn_role_name(r), wn_role_name(r));
    *out = found;
    return WN_OK;
}

/* How many times row r is drawn into bagged member k's bootstrap sample: a
 * Poisson(1) count (Oza & Russell 2001's online bagging; the same as the
 * multinomial bootstrap as rows grow large), by inversion of one uniform
 * keyed by (seed, member, row), so each row's draw is independent of
 * scheduling and of the other rows. */
static int boot_count(uint64_t seed, int k, int64_t r)
{
    return wn__poisson1_at(seed ^ 0x6a09e667f3bcc909ull, STREAM_BAG + (uint64_t)k, (uint64_t)r);
}

static int held_out(const wn_gbdt_params *p, int64_t r)
{
    uint64_t u = wn_rng_u64_at(p->seed, STREAM_VALID, (uint64_t)r);
    return (double)(u >> 11) * 0x1.0p-53 < p->valid_fraction;
}

wn_status wn_gbdt_holdout_mask(const wn_gbdt_params *p, int64_t nrows, uint8_t *mask)
{
    if (!p || (!mask && nrows > 0) || nrows < 0)
        return wn__fail(WN_EINVAL, "gbdt_holdout_mask: bad arguments");
    for (int64_t r = 0; r < nrows; r++)
        mask[r] = (uint8_t)(p->valid_fraction > 0.0 && held_out(p, r));
    return WN_OK;
}

static wn_metric resolve_metric(const wn_gbdt_params *p)
{
    return p->metric == WN_METRIC_DEFAULT ? wn__objective_default_metric(p->objective) : p->metric;
}

static wn_status check_metric(wn_objective o, wn_metric m)
{
    int ok;
    switch (m) {
    case WN_METRIC_LOGLOSS:
    case WN_METRIC_AUC:
        ok = o == WN_OBJ_BINARY;
        break;
    case WN_METRIC_ERROR:
        ok = o == WN_OBJ_BINARY || o == WN_OBJ_MULTICLASS;
        break;
    case WN_METRIC_MLOGLOSS:
        ok = o == WN_OBJ_MULTICLASS;
        break;
    default:
        ok = o == WN_OBJ_L2 || o == WN_OBJ_L1 || o == WN_OBJ_HUBER;
        break;
    }
    if (!ok)
        return wn__fail(WN_EINVAL, "metric %s does not apply to objective %s", wn_metric_name(m),
                        wn_objective_name(o));
    return WN_OK;
}

/* Column indices of the model's features in another table, by name. */
static wn_status match_features(const wn_table *t, const wn_table *v, const int64_t *fc,
                                int64_t nf, int64_t *vc)
{
    for (int64_t i = 0; i < nf; i++) {
        const char *name = wn_table_name(t, fc[i]);
        if (wn_table_find(v, name, &vc[i]) != WN_OK)
            return wn__fail(WN_ENOTFOUND, "validation table has no feature column '%s'", name);
    }
    return WN_OK;
}

static char *dup_or_null(const char *s) { return s ? wn__strdup(s) : NULL; }

typedef struct train_data {
    float *y, *w, *yv, *wv;
    int64_t *fc, *vfc, *fold_of;
    float *wbag; /* ensemble: the weights times a member's bootstrap counts */
    fold_rows fr;
} train_data;

static void train_data_free(train_data *d)
{
    wn_free(d->y);
    wn_free(d->w);
    wn_free(d->yv);
    wn_free(d->wv);
    wn_free(d->fc);
    wn_free(d->vfc);
    wn_free(d->fold_of);
    wn_free(d->wbag);
    wn_free(d->fr.train);
    wn_free(d->fr.valid);
}

/* Event weights after class weights; checks finiteness, sign rules, sum. */
static wn_status prepare_weights(const wn_table *t, int64_t wc, const wn_gbdt_params *p,
                                 const float *y, float *w, int64_t n)
{
    if (wc >= 0) {
        wn_status st = gather_checked(t, wc, "weight", w);
        if (st != WN_OK)
            return st;
    } else {
        for (int64_t r = 0; r < n; r++)
            w[r] = 1.0f;
    }
    if (p->class_weight) {
        for (int64_t r = 0; r < n; r++) {
            int64_t k = (int64_t)y[r];
            if (k >= 0 && k < p->n_class_weight)
                w[r] = (float)((double)w[r] * p->class_weight[k]);
        }
    }
    double sum = 0.0;
    int64_t neg = 0;
    for (int64_t r = 0; r < n; r++) {
        sum += (double)w[r];
        neg += w[r] < 0.0f;
    }
    const char *wname = wc >= 0 ? wn_table_name(t, wc) : "(unit)";
    if (neg && p->objective == WN_OBJ_L1)
        return wn__fail(WN_EINVAL, "weight column '%s' has %lld negative weights: objective l1 "
                                   "cannot take them (its leaves are weighted medians, "
                                   "undefined for negative weights); use l2 or huber, see "
                                   "docs/negative-weights.md", wname, (long long)neg);
    if (!(sum > 0.0))
        return wn__fail(WN_ENUMERIC, "weight column '%s': the weights sum to %g; they must "
                                     "sum to > 0 to train", wname, sum);
    return WN_OK;
}

wn_status wn_gbdt_train(const wn_table *train, const wn_table *valid, const wn_gbdt_params *p,
                        wn_model **out)
{
    if (!train || !p || !out)
        return wn__fail(WN_EINVAL, "gbdt_train: %s is NULL", !train ? "train" : !p ? "params" : "out");
    wn_status st = wn__gbdt_params_check(p);
    if (st != WN_OK)
        return st;
    double t0 = now_s();
    const int64_t n = wn_table_nrows(train), nc = wn_table_ncols(train);
    if (n < 2)
        return wn__fail(WN_EFORMAT, "training table has %lld row%s: need at least 2",
                        (long long)n, n == 1 ? "" : "s");
    if (n > ((int64_t)1 << 30))
        return wn__fail(WN_EINVAL, "training table has %lld rows: at most 2^30 are supported",
                        (long long)n);
    int64_t lc, wc, foldc = -1;
    if ((st = role_column(train, WN_ROLE_LABEL, 1, &lc)) != WN_OK ||
        (st = role_column(train, WN_ROLE_WEIGHT, 0, &wc)) != WN_OK)
        return st;
    if (p->early_stopping_rounds > 0 && !valid && !(p->valid_fraction > 0.0))
        return wn__fail(WN_EINVAL, "parameter early_stopping_rounds = %lld needs validation "
                                   "data: a validation table or valid_fraction > 0",
                        (long long)p->early_stopping_rounds);
    const int bag = p->ensemble > 1 ? p->ensemble : 0;
    int nfold = bag ? bag : p->folds > 1 ? p->folds : 1;
    if (nfold > 1 && !bag) {
        if ((st = wn_table_find(train, p->fold_by, &foldc)) != WN_OK)
            return wn__fail(WN_ENOTFOUND, "fold_by column '%s' not found", p->fold_by);
        if (wn_table_role(train, foldc) == WN_ROLE_FEATURE)
            return wn__fail(WN_EINVAL, "fold_by column '%s' is also a feature: give it role id",
                            p->fold_by);
    }
    train_data d;
    memset(&d, 0, sizeof d);
    wn_model *m = NULL;
    train_ctx c;
    memset(&c, 0, sizeof c);
    d.fc = wn__malloc_array((size_t)nc, sizeof *d.fc);
    d.y = wn__malloc_array((size_t)n, sizeof *d.y);
    d.w = wn__malloc_array((size_t)n, sizeof *d.w);
    if (!d.fc || !d.y || !d.w) {
        st = wn__oom("training data");
        goto fail;
    }
    int64_t nf = 0;
    for (int64_t col = 0; col < nc; col++)
        if (wn_table_role(train, col) == WN_ROLE_FEATURE)
            d.fc[nf++] = col;
    if (nf == 0) {
        st = wn__fail(WN_EINVAL, "training table has no feature columns");
        goto fail;
    }
    if (p->monotone && p->n_monotone != nf) {
        st = wn__fail(WN_EINVAL, "parameter monotone has %lld entries for %lld features",
                      (long long)p->n_monotone, (long long)nf);
        goto fail;
    }
    if ((st = gather_checked(train, lc, "label", d.y)) != WN_OK)
        goto fail;
    c.obj.kind = p->objective;
    c.obj.huber_delta = p->huber_delta;
    c.obj.nout = 1;
    int num_class = p->objective == WN_OBJ_MULTICLASS ? p->num_class : 0;
    if ((st = wn__objective_check_labels(&c.obj, d.y, n, wn_table_name(train, lc), &num_class)) !=
        WN_OK)
        goto fail;
    if (p->objective == WN_OBJ_MULTICLASS)
        c.obj.nout = num_class;
    int ncls = p->objective == WN_OBJ_BINARY ? 2 : p->objective == WN_OBJ_MULTICLASS ? num_class : 0;
    if (p->class_weight && p->n_class_weight != ncls) {
        st = wn__fail(WN_EINVAL, "parameter class_weight has %d entries; the objective %s has "
                                 "%d classes", p->n_class_weight, wn_objective_name(p->objective),
                      ncls);
        goto fail;
    }
    if ((st = prepare_weights(train, wc, p, d.y, d.w, n)) != WN_OK)
        goto fail;
    c.metric = resolve_metric(p);
    if ((st = check_metric(p->objective, c.metric)) != WN_OK)
        goto fail;

    /* validation table */
    if (valid) {
        int64_t nv = wn_table_nrows(valid), vlc, vwc = -1;
        if (nv < 1) {
            st = wn__fail(WN_EINVAL, "validation table has no rows");
            goto fail;
        }
        d.vfc = wn__malloc_array((size_t)nf, sizeof *d.vfc);
        d.yv = wn__malloc_array((size_t)nv, sizeof *d.yv);
        d.wv = wn__malloc_array((size_t)nv, sizeof *d.wv);
        if (!d.vfc || !d.yv || !d.wv) {
            st = wn__oom("validation data");
            goto fail;
        }
        if ((st = match_features(train, valid, d.fc, nf, d.vfc)) != WN_OK)
            goto fail;
        if (wn_table_find(valid, wn_table_name(train, lc), &vlc) != WN_OK) {
            st = wn__fail(WN_ENOTFOUND, "validation table has no label column '%s'",
                          wn_table_name(train, lc));
            goto fail;
        }
        if (wc >= 0 && wn_table_find(valid, wn_table_name(train, wc), &vwc) != WN_OK) {
            st = wn__fail(WN_ENOTFOUND, "validation table has no weight column '%s'",
                          wn_table_name(train, wc));
            goto fail;
        }
        if ((st = gather_checked(valid, vlc, "label", d.yv)) != WN_OK)
            goto fail;
        int ncv = num_class;
        if (p->objective != WN_OBJ_BINARY && p->objective != WN_OBJ_MULTICLASS)
            ncv = 0;
        for (int64_t r = 0; r < nv; r++) {
            float yv = d.yv[r];
            int bad = ncls > 0 && (yv != floorf(yv) || yv < 0.0f || yv >= (float)ncls);
            if (bad) {
                st = wn__fail(WN_EFORMAT, "validation label '%s' at row %lld is %g: expected a "
                                          "class in 0..%d", wn_table_name(valid, vlc),
                              (long long)(r + 1), (double)yv, ncls - 1);
                goto fail;
            }
        }
        (void)ncv;
        if (vwc >= 0) {
            if ((st = gather_checked(valid, vwc, "weight", d.wv)) != WN_OK)
                goto fail;
        } else {
            for (int64_t r = 0; r < nv; r++)
                d.wv[r] = 1.0f;
        }
        c.nv_ext = nv;
        c.yv_ext = d.yv;
        c.wv_ext = d.wv;
    }

    /* folds */
    if (nfold > 1 && !bag) {
        d.fold_of = wn__malloc_array((size_t)n, sizeof *d.fold_of);
        if (!d.fold_of) {
            st = wn__oom("fold ids");
            goto fail;
        }
        for (int64_t r = 0; r < n; r++) {
            float v = wn_table_get(train, r, foldc);
            if (!(v >= 0.0f) || v != floorf(v) || !isfinite(v) || v >= 16777216.0f) {
                st = wn__fail(WN_EFORMAT, "fold_by column '%s' at row %lld is %g: expected an "
                                          "integer event number in 0..2^24", p->fold_by,
                              (long long)(r + 1), (double)v);
                goto fail;
            }
            d.fold_of[r] = (int64_t)v % nfold;
        }
    }

    /* bins and codes */
    if ((st = wn__binning_fit(train, d.fc, nf, p->max_bins, p->bin_sample_rows, p->seed,
                              p->threads, &c.bins)) != WN_OK)
        goto fail;
    if ((st = wn__recs_create(n, nf, &c.recs)) != WN_OK)
        goto fail;
    if (nf > INT64_MAX / n || !(c.fcodes = wn__malloc((size_t)(n * nf)))) {
        st = wn__oom("feature-major codes");
        goto fail;
    }
    if ((st = wn__binning_apply_strided(c.bins, train, d.fc, p->threads, c.recs.data + 4,
                                        c.recs.stride, c.fcodes)) != WN_OK)
        goto fail;
    if (valid && (st = wn__binning_apply_rowmajor(c.bins, valid, d.vfc, p->threads,
                                                  &c.codes_v)) != WN_OK)
        goto fail;

    m = wn__model_new();
    if (!m) {
        st = wn__oom("model");
        goto fail;
    }
    m->objective = p->objective;
    m->nout = c.obj.nout;
    m->num_class = ncls;
    m->nfeat = nf;
    m->metric = c.metric;
    m->nfold = nfold;
    m->params = *p;
    m->params.monotone = NULL;
    m->params.n_monotone = 0;
    m->params.class_weight = NULL;
    m->params.n_class_weight = 0;
    m->params.fold_by = NULL;
    m->params.command_line = NULL;
    m->params.progress.fn = NULL;
    m->params.progress.ud = NULL;
    m->params.num_class = num_class;
    m->params.metric = c.metric;
    m->params.threads = 0; /* not a model parameter: the model does not depend on it */
    m->input_hash = wn__table_fingerprint(train);
    m->feature_names = wn__calloc((size_t)nf, sizeof *m->feature_names);
    m->folds = wn__calloc((size_t)nfold, sizeof *m->folds);
    m->label_name = wn__strdup(wn_table_name(train, lc));
    m->weight_name = wc >= 0 ? wn__strdup(wn_table_name(train, wc)) : NULL;
    m->fold_by = nfold > 1 && !bag ? wn__strdup(p->fold_by) : NULL;
    m->command_line = dup_or_null(p->command_line);
    if (p->monotone) {
        m->monotone = wn__malloc((size_t)nf);
        if (m->monotone)
            memcpy(m->monotone, p->monotone, (size_t)nf);
    }
    if (p->class_weight) {
        m->class_weight = wn__malloc_array((size_t)p->n_class_weight, sizeof(double));
        if (m->class_weight)
            memcpy(m->class_weight, p->class_weight, (size_t)p->n_class_weight * sizeof(double));
        m->params.n_class_weight = p->n_class_weight;
    }
    if (p->monotone)
        m->params.n_monotone = nf;
    if (!m->feature_names || !m->folds || !m->label_name || (wc >= 0 && !m->weight_name) ||
        (nfold > 1 && !bag && !m->fold_by) || (p->command_line && !m->command_line) ||
        (p->monotone && !m->monotone) || (p->class_weight && !m->class_weight)) {
        st = wn__oom("model");
        goto fail;
    }
    for (int64_t i = 0; i < nf; i++)
        if (!(m->feature_names[i] = wn__strdup(wn_table_name(train, d.fc[i])))) {
            st = wn__oom("model");
            goto fail;
        }
    m->bins = c.bins;
    c.bins = NULL;

    c.p = p;
    c.nout = c.obj.nout;
    c.nrows = n;
    c.nfeat = nf;
    c.y = d.y;
    c.w = wc >= 0 || p->class_weight ? d.w : NULL;
    c.bins = m->bins;
    c.monotone = p->monotone;
    c.total_rounds = p->rounds * nfold;
    c.nfold = nfold;

    d.fr.train = wn__malloc_array((size_t)n, sizeof *d.fr.train);
    if (!valid && p->valid_fraction > 0.0)
        d.fr.valid = wn__malloc_array((size_t)n, sizeof *d.fr.valid);
    if (!d.fr.train || (!valid && p->valid_fraction > 0.0 && !d.fr.valid)) {
        st = wn__oom("fold rows");
        goto fail_model;
    }
    if (bag && !(d.wbag = wn__malloc_array((size_t)n, sizeof *d.wbag))) {
        st = wn__oom("bootstrap weights");
        goto fail_model;
    }
    for (int f = 0; f < nfold; f++) {
        fold_rows *fr = &d.fr;
        fr->ntrain = fr->nvalid = 0;
        fr->use_ext = valid != NULL;
        if (bag) { /* member f: its bootstrap counts multiply the weights */
            c.w = d.wbag;
            memcpy(d.wbag, d.w, (size_t)n * sizeof *d.wbag);
        }
        for (int64_t r = 0; r < n; r++) {
            if (nfold > 1 && !bag && d.fold_of[r] == f)
                continue;
            if (fr->valid && held_out(p, r)) {
                fr->valid[fr->nvalid++] = r;
                continue;
            }
            if (bag) {
                int k = boot_count(p->seed, f, r);
                if (!k)
                    continue;
                d.wbag[r] = (float)((double)d.w[r] * k);
            }
            fr->train[fr->ntrain++] = r;
        }
        if (fr->ntrain < 2) {
            st = wn__fail(WN_EINVAL, "fold %d has %lld training rows: need at least 2", f,
                          (long long)fr->ntrain);
            goto fail_model;
        }
        if (fr->valid && fr->nvalid == 0) {
            st = wn__fail(WN_EINVAL, "valid_fraction = %g leaves no validation rows",
                          p->valid_fraction);
            goto fail_model;
        }
        if ((st = wn__gbdt_train_fold(&c, f, fr, &m->folds[f])) != WN_OK)
            goto fail_model;
    }
    m->train_seconds = now_s() - t0;
    if ((st = wn__model_build_header(m)) != WN_OK)
        goto fail_model;
    wn__recs_free(&c.recs);
    wn_free(c.fcodes);
    wn_free(c.codes_v);
    train_data_free(&d);
    *out = m;
    return WN_OK;
fail_model:
    c.bins = NULL; /* owned by m */
fail:
    wn_model_free(m);
    wn__binning_free(c.bins);
    wn__recs_free(&c.recs);
    wn_free(c.fcodes);
    wn_free(c.codes_v);
    train_data_free(&d);
    return st;
}
