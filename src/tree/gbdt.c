/* gbdt.c — the boosting loop: wn_gbdt_train.
 *
 * Data flow. The features of the whole training table are binned once
 * (bin.h: the bins depend on the feature values only, never on labels, so
 * k-fold models may share them) and coded feature-major. A fold trains on a
 * list of rows of that table (all rows, or those whose fold differs, minus
 * validation rows); the grower sees only that list. Raw scores are doubles;
 * gradients and hessians floats (hist.h sums them in double).
 *
 * Each round: gradients of every row (objective.h), the round's row sample
 * (kept iff a counter-based uniform draw keyed by (seed, fold, round, row) is
 * below row_subsample) and feature sample (partial Fisher-Yates keyed by
 * (seed, fold, round, output)), one tree per output, L1 leaves refitted to
 * weighted medians of the residuals, then scores updated: the grown rows
 * from the grower's leaf ranges, other rows by walking the tree on codes.
 * No random draw depends on the schedule, and every sum has a fixed order,
 * so the model is the same at any thread count.
 *
 * Validation: metric each round; the training metric every 10th round and
 * the last (it costs a pass over all rows). Early stopping keeps the rounds
 * up to the best validation round. */
#include "gbdt_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bin.h"
#include "grow.h"
#include "model.h"
#include "objective.h"

#define STREAM_ROWS 1ull
#define STREAM_COLS 2ull
#define STREAM_QUANT 3ull



/* ---- small helpers -------------------------------------------------------- */

typedef struct vw_pair {
    double v, w;
} vw_pair;

static int cmp_vw(const void *a, const void *b)
{
    double x = ((const vw_pair *)a)->v, y = ((const vw_pair *)b)->v;
    return (x > y) - (x < y);
}

/* Weighted median of n pairs (weights > 0), sorting in place. */
static double weighted_median(vw_pair *p, int64_t n)
{
    if (n <= 0)
        return 0.0;
    qsort(p, (size_t)n, sizeof *p, cmp_vw);
    double tot = 0.0;
    for (int64_t i = 0; i < n; i++)
        tot += p[i].w;
    double acc = 0.0;
    for (int64_t i = 0; i < n; i++) {
        acc += p[i].w;
        if (acc >= 0.5 * tot)
            return p[i].v;
    }
    return p[n - 1].v;
}

/* Adds tree t (output k) to scores of the rows in `rows` (n; NULL = 0..n-1)
 * by walking it on codes (row r's at codes + r * stride); score row-major,
 * indexed by position. */
static void add_tree_walk(const wn__tree *t, const wn__binning *b, const uint8_t *codes,
                          int64_t stride, const int64_t *rows, int64_t n, double *score,
                          int nout, int k, int threads)
{
    int nt = wn__threads(threads);
#pragma omp parallel for num_threads(nt) schedule(static) if (n > 32768 && nt > 1)
    for (int64_t i = 0; i < n; i++) {
        int64_t r = rows ? rows[i] : i;
        int32_t l = wn__tree_leaf_codes(t, b, codes + r * stride);
        score[i * nout + k] += t->leaf_value[l];
    }
}

/* Scores -> metric on n rows given by index (rows into y/w/score). */
static wn_status eval_metric(const train_ctx *c, const float *y, const float *w,
                             const double *score, const int64_t *rows, int64_t n, int byrow,
                             double *out)
{
    int K = c->nout;
    double *pred = wn__malloc_array((size_t)n * (size_t)K, sizeof *pred);
    float *yy = wn__malloc_array((size_t)n, sizeof *yy);
    float *ww = w ? wn__malloc_array((size_t)n, sizeof *ww) : NULL;
    if (!pred || !yy || (w && !ww)) {
        wn_free(pred);
        wn_free(yy);
        wn_free(ww);
        return wn__oom("metric buffers");
    }
    int nt = wn__threads(c->p->threads);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1 && n > 65536)
    for (int64_t i = 0; i < n; i++) {
        int64_t r = rows ? rows[i] : i;
        int64_t s = byrow ? r : i; /* score indexed by row or by position */
        memcpy(pred + i * K, score + s * K, (size_t)K * sizeof *pred);
        yy[i] = y[r];
        if (ww)
            ww[i] = w[r];
    }
    wn__objective_transform(&c->obj, pred, n, c->p->threads);
    int nclass = c->obj.kind == WN_OBJ_MULTICLASS ? K : 1;
    wn_status st = wn_metric_eval(c->metric, yy, ww, pred, n, nclass, c->p->huber_delta, out);
    wn_free(pred);
    wn_free(yy);
    wn_free(ww);
    return st;
}

/* ---- quantised gradients ---------------------------------------------------

   Each round the gradients and hessians of the fitted rows are scaled to
   integers with at most Q levels on each side of zero, Q = WN__Q_MAX = 127
   (fewer above 16.9M rows: Q <= (2^31-1)/nused - 1 keeps every sum within
   the 32-bit halves of the wide histogram words, hist.h; up to 32767 when
   at most 65535 rows are fitted, where speed does not matter), and rounded
   STOCHASTICALLY: x -> floor(x + u) with u uniform in [0, 1), so every row's
   integer is unbiased however small its gradient (Shi et al., NeurIPS 2022,
   who find 2-3 bits enough). u comes from a counter-based hash of (seed,
   fold, round, output, row), independent of the schedule. The split search
   sees gradients to ~1/127 of the largest; the leaf values are computed from
   the exact gradients (grow.h). On the higgs-like benchmark, Q = 7, 31, 127
   and 2683 gave the same held-out AUC to 3e-4 after 200 rounds. */

/* Scales the fitted rows' gradients into q (the maximum |g| and |h| to Q),
 * sets recs->qmax, and, unless `defer` (all rows fitted: the root
 * histogram build quantises them in its own pass, hist.h), quantises every
 * fitted row into its record. */
static void quantize(const float *grad, const float *hess, const int64_t *rows, int64_t nused,
                     uint64_t key, int threads, int defer, wn__recs *recs, wn__quant *q,
                     double *gscale, double *hscale)
{
    int nt = wn__threads(threads);
    double gmax = 0.0, hmax = 0.0;
#pragma omp parallel for num_threads(nt) schedule(static) reduction(max : gmax, hmax) if (nused > 65536 && nt > 1)
    for (int64_t i = 0; i < nused; i++) {
        int64_t r = rows ? rows[i] : i;
        double ag = fabs((double)grad[r]), ah = fabs((double)hess[r]);
        gmax = ag > gmax ? ag : gmax;
        hmax = ah > hmax ? ah : hmax;
    }
    double Q = (double)(INT32_MAX / nused - 1);
    if (Q > (double)(nused <= WN__P3_MAX_ROWS ? WN__Q_FINE : WN__Q_MAX))
        Q = (double)(nused <= WN__P3_MAX_ROWS ? WN__Q_FINE : WN__Q_MAX);
    if (Q < 1.0)
        Q = 1.0;
    recs->qmax = (int32_t)Q;
    q->grad = grad;
    q->hess = hess;
    q->Q = Q;
    q->key = key;
    q->gi = gmax > 0.0 ? Q / gmax : 0.0;
    q->hi = hmax > 0.0 ? Q / hmax : 0.0;
    *gscale = gmax > 0.0 ? gmax / Q : 1.0;
    *hscale = hmax > 0.0 ? hmax / Q : 1.0;
    if (defer)
        return;
#pragma omp parallel for num_threads(nt) schedule(static) if (nused > 65536 && nt > 1)
    for (int64_t i = 0; i < nused; i++) {
        int64_t r = rows ? rows[i] : i;
        int32_t g, h;
        wn__quant_row(q, r, &g, &h);
        wn__rec_set_gh(recs, r, g, h);
    }
}

/* ---- one fold ------------------------------------------------------------- */



wn_status wn__gbdt_train_fold(train_ctx *c, int fold, const fold_rows *fr, wn__fold *out)
{
    const wn_gbdt_params *p = c->p;
    const int K = c->nout;
    const int64_t n = c->nrows;
    wn_status st = WN_OK;
    wn__grower *g = NULL;
    double *score = NULL, *score_v = NULL;
    float *grad = NULL, *hess = NULL;
    int64_t *sample = NULL;
    uint8_t *use = NULL;
    vw_pair *pairs = NULL;
    int have_valid = fr->use_ext || fr->nvalid > 0;
    int64_t nv = fr->use_ext ? c->nv_ext : fr->nvalid;
    const int64_t max_trees = p->rounds * K;

    memset(out, 0, sizeof *out);
    out->trees = wn__calloc((size_t)max_trees, sizeof *out->trees);
    out->base_score = wn__calloc((size_t)K, sizeof *out->base_score);
    out->hist_train = wn__malloc_array((size_t)p->rounds, sizeof(double));
    out->hist_valid = have_valid ? wn__malloc_array((size_t)p->rounds, sizeof(double)) : NULL;
    score = wn__malloc_array((size_t)n * (size_t)K, sizeof *score);
    grad = wn__malloc_array((size_t)n * (size_t)K, sizeof *grad);
    hess = wn__malloc_array((size_t)n * (size_t)K, sizeof *hess);
    score_v = have_valid ? wn__malloc_array((size_t)nv * (size_t)K, sizeof *score_v) : NULL;
    sample = p->row_subsample < 1.0 ? wn__malloc_array((size_t)fr->ntrain, sizeof *sample) : NULL;
    use = wn__malloc(c->nfeat ? (size_t)c->nfeat : 1);
    pairs = p->objective == WN_OBJ_L1 ? wn__malloc_array((size_t)fr->ntrain, sizeof *pairs) : NULL;
    if (!out->trees || !out->base_score || !out->hist_train || (have_valid && !out->hist_valid) ||
        !score || !grad || !hess || (have_valid && !score_v) ||
        (p->row_subsample < 1.0 && !sample) || !use || (p->objective == WN_OBJ_L1 && !pairs)) {
        st = wn__oom("training buffers");
        goto done;
    }
    if ((st = wn__grower_create(c->bins, n, p->num_leaves, p->threads, &g)) != WN_OK)
        goto done;

    /* initial scores from the fitted rows */
    {
        float *yt = wn__malloc_array((size_t)fr->ntrain, sizeof *yt);
        float *wt = c->w ? wn__malloc_array((size_t)fr->ntrain, sizeof *wt) : NULL;
        if (!yt || (c->w && !wt)) {
            wn_free(yt);
            wn_free(wt);
            st = wn__oom("training buffers");
            goto done;
        }
        for (int64_t i = 0; i < fr->ntrain; i++) {
            yt[i] = c->y[fr->train[i]];
            if (wt)
                wt[i] = c->w[fr->train[i]];
        }
        st = wn__objective_init(&c->obj, yt, wt, fr->ntrain, out->base_score);
        wn_free(yt);
        wn_free(wt);
        if (st != WN_OK)
            goto done;
    }
    for (int64_t r = 0; r < n; r++)
        memcpy(score + r * K, out->base_score, (size_t)K * sizeof *score);
    for (int64_t r = 0; r < nv; r++)
        memcpy(score_v + r * K, out->base_score, (size_t)K * sizeof *score_v);

    wn__grow_params gp;
    gp.num_leaves = p->num_leaves;
    gp.max_depth = p->max_depth;
    gp.split.min_data = p->min_data_in_leaf;
    gp.split.min_hess = p->min_sum_hessian;
    gp.split.l1 = p->lambda_l1;
    gp.split.l2 = p->lambda_l2;
    gp.split.min_gain = p->min_split_gain;
    gp.split.monotone = c->monotone;
    gp.learning_rate = p->learning_rate;
    gp.threads = p->threads;

    int higher = wn_metric_higher_better(c->metric);
    c->last_train = (double)NAN;
    double best_metric = higher ? -HUGE_VAL : HUGE_VAL;
    int64_t best_round = -1, round;
    int64_t nfeat_use = (int64_t)ceil(p->col_subsample * (double)c->nfeat);
    if (nfeat_use < 1)
        nfeat_use = 1;
    int64_t *perm = NULL;
    if (nfeat_use < c->nfeat) {
        perm = wn__malloc_array((size_t)c->nfeat, sizeof *perm);
        if (!perm) {
            st = wn__oom("feature sample");
            goto done;
        }
    }
    const int all_rows = fr->ntrain == n && !sample;
    for (round = 0; round < p->rounds; round++) {
        wn__objective_gradients(&c->obj, c->y, c->w, score, n, p->threads, grad, hess);
        const int64_t *rows = fr->ntrain == n ? NULL : fr->train;
        int64_t nused = fr->ntrain;
        if (sample) {
            uint64_t stream = STREAM_ROWS | (uint64_t)fold << 8 | (uint64_t)round << 16;
            nused = 0;
            for (int64_t i = 0; i < fr->ntrain; i++) {
                int64_t r = fr->train[i];
                uint64_t u = wn_rng_u64_at(p->seed, stream, (uint64_t)r);
                if ((double)(u >> 11) * 0x1.0p-53 < p->row_subsample)
                    sample[nused++] = r;
            }
            if (nused == 0)
                sample[nused++] = fr->train[0];
            rows = sample;
        }
        for (int k = 0; k < K; k++) {
            if (perm) {
                wn_rng rng = wn_rng_make(p->seed, STREAM_COLS | (uint64_t)fold << 8 |
                                                      (uint64_t)round << 16 | (uint64_t)k << 48);
                for (int64_t f = 0; f < c->nfeat; f++)
                    perm[f] = f;
                memset(use, 0, (size_t)c->nfeat);
                for (int64_t j = 0; j < nfeat_use; j++) {
                    int64_t s = j + (int64_t)wn_rng_below(&rng, (uint64_t)(c->nfeat - j));
                    int64_t tmp = perm[j];
                    perm[j] = perm[s];
                    perm[s] = tmp;
                    use[perm[j]] = 1;
                }
            }
            wn__grow_data gd;
            gd.recs = &c->recs;
            gd.fcodes = c->fcodes;
            gd.grad = grad + (int64_t)k * n;
            gd.hess = hess + (int64_t)k * n;
            gd.rows = rows;
            gd.nused = nused;
            gd.use = perm ? use : NULL;
            /* the grower adds the leaf values to the scores of the fitted
             * rows as it refits the leaves; not for L1, whose leaf values
             * are replaced below */
            gd.score = all_rows && p->objective != WN_OBJ_L1 ? score + k : NULL;
            gd.score_stride = K;
            uint64_t key = wn__mix64(p->seed ^ wn__mix64(STREAM_QUANT | (uint64_t)fold << 8 |
                                                 (uint64_t)round << 16 | (uint64_t)k << 48));
            wn__quant q;
            int defer = rows == NULL && nused == n;
            quantize(gd.grad, gd.hess, rows, nused, key, p->threads, defer, &c->recs, &q,
                     &gd.gscale, &gd.hscale);
            gd.quant = defer ? &q : NULL;
            wn__tree *t = NULL;
            st = wn__grow_tree(g, &gp, &gd, &t);
            if (st != WN_OK)
                goto done_perm;
            out->trees[round * K + k] = t;
            out->ntrees = round * K + k + 1;
            if (p->objective == WN_OBJ_L1) {
                /* leaves: weighted medians of the residuals y - F */
                for (int32_t l = 0; l < t->nleaves; l++) {
                    const wn__rowid *lr;
                    int64_t ln;
                    wn__grower_leaf_rows(g, l, &lr, &ln);
                    for (int64_t i = 0; i < ln; i++) {
                        pairs[i].v = (double)c->y[lr[i]] - score[lr[i] * K + k];
                        pairs[i].w = c->w ? (double)c->w[lr[i]] : 1.0;
                    }
                    t->leaf_value[l] = p->learning_rate * weighted_median(pairs, ln);
                }
            }
            if (gd.score) {
                /* done by the grower */
            } else if (all_rows) {
                int nt = wn__threads(p->threads);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1 && n > 65536)
                for (int32_t l = 0; l < t->nleaves; l++) {
                    const wn__rowid *lr;
                    int64_t ln;
                    wn__grower_leaf_rows(g, l, &lr, &ln);
                    double v = t->leaf_value[l];
                    for (int64_t i = 0; i < ln; i++)
                        score[lr[i] * K + k] += v;
                }
            } else {
                /* rows of the table are indexed directly: walk all fitted rows */
                int nt = wn__threads(p->threads);
                const int64_t *tr = fr->train;
                int64_t ntr = fr->ntrain;
#pragma omp parallel for num_threads(nt) schedule(static) if (ntr > 32768 && nt > 1)
                for (int64_t i = 0; i < ntr; i++) {
                    int64_t r = tr[i];
                    score[r * K + k] +=
                        t->leaf_value[wn__tree_leaf_codes(t, c->bins, wn__rec_codes(&c->recs, r))];
                }
            }
            if (fr->use_ext)
                add_tree_walk(t, c->bins, c->codes_v, c->nfeat, NULL, c->nv_ext, score_v, K, k,
                              p->threads);
            else if (fr->nvalid > 0)
                add_tree_walk(t, c->bins, wn__rec_codes(&c->recs, 0), c->recs.stride, fr->valid,
                              fr->nvalid, score_v, K, k,
                              p->threads);
        }
        out->rounds_trained = round + 1;
        int stop = 0;
        if (have_valid) {
            double m;
            if (fr->use_ext)
                st = eval_metric(c, c->yv_ext, c->wv_ext, score_v, NULL, nv, 0, &m);
            else
                st = eval_metric(c, c->y, c->w, score_v, fr->valid, nv, 0, &m);
            if (st != WN_OK)
                goto done_perm;
            out->hist_valid[round] = m;
            if (higher ? m > best_metric : m < best_metric) {
                best_metric = m;
                best_round = round;
            }
            if (p->early_stopping_rounds > 0 && round - best_round >= p->early_stopping_rounds)
                stop = 1;
        }
        out->hist_train[round] = (double)NAN;
        if ((round + 1) % 10 == 0 || round + 1 == p->rounds || stop) {
            st = eval_metric(c, c->y, c->w, score, fr->train, fr->ntrain, 1,
                             &out->hist_train[round]);
            if (st != WN_OK)
                goto done_perm;
        }
        c->done_rounds++;
        if (p->progress.fn) {
            /* "train fold 2/5 logloss 0.4213/0.4391": the last evaluated
             * training metric, then the validation metric */
            int len = snprintf(c->stage, sizeof c->stage, "train");
            if (c->nfold > 1)
                len += snprintf(c->stage + len, sizeof c->stage - (size_t)len, " fold %d/%d",
                                fold + 1, c->nfold);
            if (!isnan(out->hist_train[round]))
                c->last_train = out->hist_train[round];
            if (!isnan(c->last_train))
                len += snprintf(c->stage + len, sizeof c->stage - (size_t)len, " %s %.5g",
                                wn_metric_name(c->metric), c->last_train);
            if (have_valid)
                snprintf(c->stage + len, sizeof c->stage - (size_t)len, "%s%.5g",
                         isnan(c->last_train) ? " valid " : "/", out->hist_valid[round]);
        }
        if (p->progress.fn &&
            p->progress.fn(p->progress.ud, c->stage, c->done_rounds, c->total_rounds)) {
            st = wn__fail(WN_EINVAL, "cancelled");
            goto done_perm;
        }
        if (stop)
            break;
    }
    out->best_round = out->rounds_trained - 1;
    if (have_valid && p->early_stopping_rounds > 0 && best_round >= 0) {
        out->best_round = best_round;
        int64_t keep = (best_round + 1) * K;
        for (int64_t t = keep; t < out->ntrees; t++) {
            wn__tree_free(out->trees[t]);
            out->trees[t] = NULL;
        }
        out->ntrees = keep;
        c->done_rounds += p->rounds - out->rounds_trained; /* progress: skipped rounds */
    }
done_perm:
    wn_free(perm);
done:
    wn__grower_free(g);
    wn_free(score);
    wn_free(score_v);
    wn_free(grad);
    wn_free(hess);
    wn_free(sample);
    wn_free(use);
    wn_free(pairs);
    return st;
}

