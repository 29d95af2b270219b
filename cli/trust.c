/* trust.c — the trust summary `winnow train` prints under its training
 * summary: features ranked by split gain, and for binary classifiers the
 * held-out figures physicists check before believing a classifier (AUC with
 * a bootstrap interval, TMVA's efficiency table, the AMS) and TMVA's
 * overtraining check (Kolmogorov-Smirnov test of training vs held-out
 * scores, per class). All numbers come from the library; this file picks
 * the rows and prints. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOP_FEATURES 10
#define NBOOT 200
#define KS_ALARM 0.01   /* p below this: the score distributions differ */
#define STAB_ROWS 20000 /* held-out rows smeared, at most */
#define STAB_REPEATS 5

typedef struct feat_rank {
    double v;
    int64_t i;
} feat_rank;

static int by_value_desc(const void *a, const void *b)
{
    const feat_rank *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

static void print_importance(const wn_model *m)
{
    int64_t nf = wn_model_num_features(m);
    double *gain = malloc((size_t)nf * sizeof *gain);
    feat_rank *r = malloc((size_t)nf * sizeof *r);
    if (!gain || !r || wn_gbdt_importance(m, WN_IMPORTANCE_GAIN, gain) != WN_OK) {
        free(gain);
        free(r);
        return;
    }
    double tot = 0.0;
    for (int64_t i = 0; i < nf; i++) {
        r[i].v = gain[i];
        r[i].i = i;
        tot += gain[i];
    }
    qsort(r, (size_t)nf, sizeof *r, by_value_desc);
    printf("  features by split gain:");
    for (int64_t i = 0; i < nf && i < TOP_FEATURES; i++)
        printf("%s %s %.1f%%", i ? "," : "", wn_model_feature_name(m, r[i].i),
               tot > 0.0 ? 100.0 * r[i].v / tot : 0.0);
    if (nf > TOP_FEATURES)
        printf(", ... (%lld more)", (long long)(nf - TOP_FEATURES));
    printf("\n");
    free(gain);
    free(r);
}

/* Label and weight columns of t by the model's names (weights NULL when the
 * model is unweighted). 0 on success. */
static int gather_truth(const wn_model *m, const wn_table *t, float *y, float *w)
{
    int64_t c;
    if (wn_table_find(t, wn_model_label_name(m), &c) != WN_OK)
        return -1;
    wn_table_gather(t, c, y);
    const char *wn = wn_model_weight_name(m);
    if (w && wn) {
        if (wn_table_find(t, wn, &c) != WN_OK)
            return -1;
        wn_table_gather(t, c, w);
    } else if (w) {
        for (int64_t r = 0, n = wn_table_nrows(t); r < n; r++)
            w[r] = 1.0f;
    }
    return 0;
}

/* Scores and truth of one sample: the rows of t with mask[r] == want (mask
 * NULL: all rows). */
typedef struct sample {
    double *s;
    float *y, *w;
    int64_t n;
} sample;

static void sample_free(sample *x)
{
    free(x->s);
    free(x->y);
    free(x->w);
}

static int take(const double *s, const float *y, const float *w, int64_t n, const uint8_t *mask,
                int want, sample *out)
{
    memset(out, 0, sizeof *out);
    out->s = malloc((size_t)(n ? n : 1) * sizeof *out->s);
    out->y = malloc((size_t)(n ? n : 1) * sizeof *out->y);
    out->w = malloc((size_t)(n ? n : 1) * sizeof *out->w);
    if (!out->s || !out->y || !out->w)
        return -1;
    for (int64_t r = 0; r < n; r++)
        if (!mask || mask[r] == want) {
            out->s[out->n] = s[r];
            out->y[out->n] = y[r];
            out->w[out->n] = w[r];
            out->n++;
        }
    return 0;
}

/* Leak check: each feature alone as the score, on the held-out rows. */
static void print_leak(const wn_model *m, const wn_table *t, const sample *h, const uint8_t *mask,
                       int want)
{
    int64_t nf = wn_model_num_features(m), n = wn_table_nrows(t);
    float *x = malloc((size_t)n * sizeof *x), *xs = malloc((size_t)(h->n ? h->n : 1) * sizeof *xs);
    if (!x || !xs) {
        free(x);
        free(xs);
        return;
    }
    double worst = 0.5;
    int64_t wf = -1;
    for (int64_t f = 0; f < nf; f++) {
        int64_t c;
        if (wn_table_find(t, wn_model_feature_name(m, f), &c) != WN_OK)
            continue;
        wn_table_gather(t, c, x);
        int64_t k = 0;
        for (int64_t r = 0; r < n; r++)
            if (!mask || mask[r] == want)
                xs[k++] = x[r];
        double auc;
        int64_t used;
        if (k != h->n || wn_single_feature_auc(h->y, h->w, xs, k, &auc, &used) != WN_OK)
            continue;
        double sep = auc > 0.5 ? auc : 1.0 - auc;
        if (sep > worst) {
            worst = sep;
            wf = f;
        }
    }
    if (wf >= 0) {
        if (worst > 0.999)
            printf("  WARNING leak check: feature '%s' alone separates the classes (AUC %.4f): "
                   "is it derived from the label?\n",
                   wn_model_feature_name(m, wf), worst);
        else
            printf("  leak check: no single feature separates the classes (best alone: '%s', "
                   "AUC %.4f)\n",
                   wn_model_feature_name(m, wf), worst);
    }
    free(x);
    free(xs);
}

/* Reliability of the predicted probabilities on the held-out rows. */
static void print_calibration(const sample *h)
{
    enum { NB = 20 };
    double mp[NB], fp[NB], ws[NB], ece;
    if (wn_calibration(h->y, h->w, h->s, h->n, NB, mp, fp, ws, &ece) == WN_OK)
        printf("  calibration: expected calibration error %.4f (%d bins)\n", ece, NB);
}

static void print_roc(const sample *h, uint64_t seed, int threads)
{
    wn_roc_summary rs;
    if (wn_roc_summarize(h->y, h->w, h->s, h->n, NBOOT, 0.68, seed, threads, &rs) != WN_OK) {
        printf("  ROC: not available (%s)\n", wn_errmsg());
        return;
    }
    printf("  AUC %.4f [%.4f, %.4f] (68%% bootstrap interval, %d resamples)\n", rs.auc,
           rs.auc_lo, rs.auc_hi, NBOOT);
    printf("  signal efficiency at background efficiency 1e-1 / 1e-2 / 1e-3: "
           "%.3f / %.3f / %.3f\n",
           rs.sig_eff_at_bkg[0], rs.sig_eff_at_bkg[1], rs.sig_eff_at_bkg[2]);
    printf("  background rejection at signal efficiency 0.3 / 0.5 / 0.7: %.4f / %.4f / %.4f\n",
           rs.bkg_rej_at_sig[0], rs.bkg_rej_at_sig[1], rs.bkg_rej_at_sig[2]);
    printf("  AMS %.3f at score > %.4g (weights read as expected event counts)\n", rs.ams,
           rs.ams_threshold);
}

/* KS test of training vs held-out scores, class by class. */
static void print_ks(const sample *tr, const sample *h)
{
    int alarm = 0;
    printf("  overtraining (KS, training vs held-out scores):");
    for (int cls = 0; cls < 2; cls++) {
        sample a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        uint8_t *ma = malloc((size_t)(tr->n ? tr->n : 1)), *mb = malloc((size_t)(h->n ? h->n : 1));
        if (!ma || !mb) {
            free(ma);
            free(mb);
            printf(" out of memory\n");
            return;
        }
        for (int64_t r = 0; r < tr->n; r++)
            ma[r] = tr->y[r] == (float)cls;
        for (int64_t r = 0; r < h->n; r++)
            mb[r] = h->y[r] == (float)cls;
        double d, p;
        if (take(tr->s, tr->y, tr->w, tr->n, ma, 1, &a) == 0 &&
            take(h->s, h->y, h->w, h->n, mb, 1, &b) == 0 &&
            wn_ks_test(a.s, a.w, a.n, b.s, b.w, b.n, &d, &p) == WN_OK) {
            printf("%s class %d D = %.4f p = %.3g", cls ? ";" : "", cls, d, p);
            alarm |= p < KS_ALARM;
        } else {
            printf("%s class %d not available (%s)", cls ? ";" : "", cls, wn_errmsg());
        }
        sample_free(&a);
        sample_free(&b);
        free(ma);
        free(mb);
    }
    printf("\n    %s\n", alarm ? "-> the distributions differ (p < 0.01): the model may be "
                              "overtrained; compare the train and valid metrics"
                            : "-> no sign of overtraining (p >= 0.01 for both classes)");
}

/* Stability under 1% smearing of every input (wn_gbdt_stability) on the
 * held-out rows of t (mask[r] == want; mask NULL: all rows). At most
 * STAB_ROWS rows, drawn by selection sampling (Knuth, TAOCP vol. 2,
 * Algorithm 3.4.2S) from the counter RNG, so the figure is cheap and the
 * same at any thread count. */
static void print_stability(const wn_model *m, const wn_table *t, const uint8_t *mask, int want,
                            uint64_t seed, int threads)
{
    int64_t n = wn_table_nrows(t), avail = 0, k = 0;
    for (int64_t r = 0; r < n; r++)
        avail += !mask || mask[r] == want;
    int64_t take_n = avail < STAB_ROWS ? avail : STAB_ROWS;
    int64_t *rows = malloc((size_t)(take_n ? take_n : 1) * sizeof *rows);
    wn_table *view = NULL;
    wn_stability st;
    if (!rows) {
        printf("  stability: not available (out of memory)\n");
        return;
    }
    wn_rng g = wn_rng_make(seed, 0x57ab1e);
    for (int64_t r = 0, seen = 0; r < n && k < take_n; r++) {
        if (mask && mask[r] != want)
            continue;
        /* keep row r with probability (still needed) / (still available) */
        if ((double)(avail - seen) * wn_rng_uniform(&g) < (double)(take_n - k))
            rows[k++] = r;
        seen++;
    }
    if (wn_table_view_rows(t, rows, k, &view) != WN_OK ||
        wn_gbdt_stability(m, view, NULL, STAB_REPEATS, seed, threads, &st) != WN_OK)
        printf("  stability: not available (%s)\n", wn_errmsg());
    else
        printf("  stability: 1%% smearing of every feature changes P(signal) by median %.3g, "
               "90%% %.3g, 99%% %.3g; AUC %.4f ± %.4f (nominal %.4f)%s\n",
               st.q_abs_change[0], st.q_abs_change[1], st.q_abs_change[2], st.auc_mean, st.auc_std,
               st.auc_nominal, k < avail ? " on a sample of the held-out events" : "");
    wn_table_free(view);
    free(rows);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* An ensemble (--ensemble K): each bagged member's AUC on the held-out rows
 * of t (mask[r] == want; NULL: all), their mean, spread and range, and the
 * distribution of the per-event standard deviation of P(signal) across the
 * members — the uncertainty `winnow predict` writes beside each score. */
static void print_ensemble(const wn_model *m, const wn_table *t, const uint8_t *mask, int want,
                           int threads)
{
    int k = wn_model_ensemble_size(m);
    if (k < 2)
        return;
    int64_t n = wn_table_nrows(t), nh = 0;
    int64_t *rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
    for (int64_t r = 0; rows && r < n; r++)
        if (!mask || mask[r] == want)
            rows[nh++] = r;
    wn_table *v = NULL;
    double *pm = NULL, *sd = NULL, *auc = NULL;
    float *y = NULL, *w = NULL;
    if (!rows || nh < 2 || wn_table_view_rows(t, rows, nh, &v) != WN_OK ||
        !(pm = malloc((size_t)k * (size_t)nh * sizeof *pm)) ||
        !(sd = malloc((size_t)nh * sizeof *sd)) || !(auc = malloc((size_t)k * sizeof *auc)) ||
        !(y = malloc((size_t)nh * sizeof *y)) || !(w = malloc((size_t)nh * sizeof *w)) ||
        gather_truth(m, v, y, w) || wn_gbdt_predict_members(m, v, threads, pm) != WN_OK) {
        printf("  ensemble: not available (%s)\n", nh < 2 ? "too few held-out events" : wn_errmsg());
        goto done;
    }
    double am = 0, a2 = 0, amin = 1, amax = 0;
    for (int j = 0; j < k; j++) {
        if (wn_metric_eval(WN_METRIC_AUC, y, w, pm + (int64_t)j * nh, nh, 1, 1.0, &auc[j]) != WN_OK) {
            printf("  ensemble: not available (%s)\n", wn_errmsg());
            goto done;
        }
        am += auc[j];
        amin = auc[j] < amin ? auc[j] : amin;
        amax = auc[j] > amax ? auc[j] : amax;
    }
    am /= k;
    for (int j = 0; j < k; j++)
        a2 += (auc[j] - am) * (auc[j] - am);
    for (int64_t r = 0; r < nh; r++) {
        double s1 = 0, s2 = 0;
        for (int j = 0; j < k; j++)
            s1 += pm[(int64_t)j * nh + r];
        s1 /= k;
        for (int j = 0; j < k; j++)
            s2 += (pm[(int64_t)j * nh + r] - s1) * (pm[(int64_t)j * nh + r] - s1);
        sd[r] = sqrt(s2 / (k - 1));
    }
    qsort(sd, (size_t)nh, sizeof *sd, cmp_double);
    printf("  ensemble: %d bagged models, held-out AUC %.4f ± %.4f (range %.4f .. %.4f); "
           "per-event std of P(signal): median %.3g, 90%% %.3g, max %.3g\n",
           k, am, sqrt(a2 / (k - 1)), amin, amax, sd[nh / 2], sd[(int64_t)(0.9 * (double)(nh - 1))],
           sd[nh - 1]);
done:
    wn_table_free(v);
    free(rows), free(pm), free(sd), free(auc), free(y), free(w);
}

/* Multiclass and regression models: the held-out figures that apply
 * (per-class AUC, accuracy and confusion matrix; RMSE, MAE, R², residual
 * quantiles), on the validation file, the --valid rows, or with k folds the
 * out-of-fold predictions of every row. */
static void print_other(const wn_model *m, const wn_table *train, const wn_table *valid,
                        const wn_gbdt_params *p, int threads)
{
    const wn_table *t = valid ? valid : train;
    const int64_t n = wn_table_nrows(t);
    const int K = wn_model_num_outputs(m);
    if (!valid && !(p->valid_fraction > 0.0) &&
        (wn_model_num_folds(m) < 2 || wn_model_ensemble_size(m) > 1)) {
        printf("  no held-out data: give --valid FRAC|FILE (or --folds) for held-out figures\n");
        return;
    }
    uint8_t *mask = !valid && p->valid_fraction > 0.0 ? malloc((size_t)n + 1) : NULL;
    double *pr = malloc(((size_t)n * (size_t)K + 1) * sizeof *pr);
    float *y = malloc(((size_t)n + 1) * sizeof *y), *w = malloc(((size_t)n + 1) * sizeof *w);
    double *auc = malloc(((size_t)K + 1) * sizeof *auc);
    double *conf = malloc(((size_t)K * (size_t)K + 1) * sizeof *conf);
    if (!pr || !y || !w || !auc || !conf || (!valid && p->valid_fraction > 0.0 && !mask) ||
        (mask && wn_gbdt_holdout_mask(p, n, mask) != WN_OK) || gather_truth(m, t, y, w) ||
        wn_gbdt_predict(m, t, WN_PREDICT_VALUE, threads, pr) != WN_OK) {
        printf("  held-out figures not available (%s)\n", wn_errmsg());
        goto done;
    }
    int64_t k = 0;
    for (int64_t r = 0; r < n; r++)
        if (!mask || mask[r]) {
            y[k] = y[r];
            w[k] = w[r];
            memmove(pr + k * K, pr + r * K, (size_t)K * sizeof *pr);
            k++;
        }
    printf("  held-out: %lld events\n", (long long)k);
    if (wn_model_objective(m) == WN_OBJ_MULTICLASS) {
        double acc;
        if (wn_multiclass_summary(y, w, pr, k, K, auc, conf, &acc) != WN_OK) {
            printf("  not available (%s)\n", wn_errmsg());
            goto done;
        }
        printf("  accuracy %.4f; one-vs-rest AUC per class:", acc);
        for (int c = 0; c < K; c++)
            printf(" %d: %.4f", c, auc[c]);
        printf("\n");
        if (K <= 10) {
            printf("  confusion (rows: true class, columns: predicted; fractions of the row):\n");
            for (int a = 0; a < K; a++) {
                double row = 0.0;
                for (int b = 0; b < K; b++)
                    row += conf[a * K + b];
                printf("    %d:", a);
                for (int b = 0; b < K; b++)
                    printf(" %6.4f", row > 0.0 ? conf[a * K + b] / row : 0.0);
                printf("\n");
            }
        }
    } else {
        double rmse, mae, r2, q[5];
        if (wn_regression_summary(y, w, pr, k, &rmse, &mae, &r2, q) != WN_OK) {
            printf("  not available (%s)\n", wn_errmsg());
            goto done;
        }
        printf("  RMSE %.4g, MAE %.4g, R2 %.4f; residual (prediction - label) quantiles "
               "2.5/16/50/84/97.5%%: %.3g / %.3g / %.3g / %.3g / %.3g\n",
               rmse, mae, r2, q[0], q[1], q[2], q[3], q[4]);
    }
done:
    free(mask);
    free(pr);
    free(y);
    free(w);
    free(auc);
    free(conf);
}

void cli_trust_summary(const wn_model *m, const wn_table *train, const wn_table *valid,
                       const wn_gbdt_params *p, int threads)
{
    printf("\ntrust:\n");
    print_importance(m);
    if (wn_model_objective(m) != WN_OBJ_BINARY) {
        print_other(m, train, valid, p, threads);
        return;
    }
    int64_t n = wn_table_nrows(train), nv = valid ? wn_table_nrows(valid) : 0;
    if (!valid && !(p->valid_fraction > 0.0) && wn_model_num_folds(m) < 2) {
        printf("  no held-out data: give --valid FRAC|FILE (or --folds) for the ROC figures "
               "and the overtraining check\n");
        return;
    }
    double *s = malloc((size_t)n * sizeof *s), *sv = nv ? malloc((size_t)nv * sizeof *sv) : NULL;
    float *y = malloc((size_t)n * sizeof *y), *w = malloc((size_t)n * sizeof *w);
    float *yv = nv ? malloc((size_t)nv * sizeof *yv) : NULL;
    float *wv = nv ? malloc((size_t)nv * sizeof *wv) : NULL;
    uint8_t *mask = malloc((size_t)n);
    sample tr, h;
    memset(&tr, 0, sizeof tr);
    memset(&h, 0, sizeof h);
    if (!s || !y || !w || !mask || (nv && (!sv || !yv || !wv)) || gather_truth(m, train, y, w) ||
        wn_gbdt_predict(m, train, WN_PREDICT_VALUE, threads, s) != WN_OK) {
        printf("  not available (%s)\n", wn_errmsg());
        goto done;
    }
    if (valid) {
        if (gather_truth(m, valid, yv, wv) ||
            wn_gbdt_predict(m, valid, WN_PREDICT_VALUE, threads, sv) != WN_OK) {
            printf("  not available (%s)\n", wn_errmsg());
            goto done;
        }
        if (take(s, y, w, n, NULL, 0, &tr) || take(sv, yv, wv, nv, NULL, 0, &h))
            goto done;
        printf("  held-out: the validation file, %lld events\n", (long long)h.n);
        print_roc(&h, p->seed, threads);
        print_ensemble(m, valid, NULL, 0, threads);
        print_calibration(&h);
        print_stability(m, valid, NULL, 0, p->seed, threads);
        print_leak(m, valid, &h, NULL, 0);
        print_ks(&tr, &h);
        goto done;
    } else if (p->valid_fraction > 0.0) {
        wn_gbdt_holdout_mask(p, n, mask);
        if (take(s, y, w, n, mask, 0, &tr) || take(s, y, w, n, mask, 1, &h))
            goto done;
        printf("  held-out: %lld of %lld events (--valid %g)\n", (long long)h.n, (long long)n,
               p->valid_fraction);
    } else {
        /* k-fold: predict already gives each event the model that did not
         * see it, so every event is held out once */
        if (take(s, y, w, n, NULL, 0, &h))
            goto done;
        printf("  held-out: every event, scored by the fold model that did not see it\n");
        print_roc(&h, p->seed, threads);
        print_calibration(&h);
        print_stability(m, train, NULL, 0, p->seed, threads);
        print_leak(m, train, &h, NULL, 0);
        goto done;
    }
    print_roc(&h, p->seed, threads);
    print_ensemble(m, train, mask, 1, threads);
    print_calibration(&h);
    print_stability(m, train, mask, 1, p->seed, threads);
    print_leak(m, train, &h, mask, 1);
    print_ks(&tr, &h);
done:
    sample_free(&tr);
    sample_free(&h);
    free(s);
    free(sv);
    free(y);
    free(w);
    free(yv);
    free(wv);
    free(mask);
}

/* The decoy test (wn_gbdt_decoy_test): retrains with a shuffled copy of the
 * top feature and a noise column, and reports their permutation importance
 * on the held-out rows (the validation file, the --valid fraction, or, with
 * neither, the training rows). Returns 0, or 1 when a decoy failed. */
int cli_decoy_summary(const wn_model *m, const wn_table *t, const wn_table *valid,
                      const wn_gbdt_params *p, wn_decoy_result *out)
{
    wn_table *held = NULL;
    const wn_table *test = valid;
    int64_t n = wn_table_nrows(t), nh = 0;
    if (!valid && p->valid_fraction > 0.0 && p->folds < 2) {
        uint8_t *mask = malloc((size_t)n + 1);
        int64_t *rows = malloc(((size_t)n + 1) * sizeof *rows);
        if (mask && rows && wn_gbdt_holdout_mask(p, n, mask) == WN_OK) {
            for (int64_t r = 0; r < n; r++)
                if (mask[r])
                    rows[nh++] = r;
            if (nh > 1 && wn_table_view_rows(t, rows, nh, &held) == WN_OK)
                test = held;
        }
        free(mask);
        free(rows);
    }
    printf("  decoy test (retraining with decoys; importance on %s):",
           test ? "held-out rows" : "the training rows");
    fflush(stdout);
    wn_decoy_result r;
    wn_status s = wn_gbdt_decoy_test(m, t, test, p, NULL, 5, &r);
    wn_table_free(held);
    if (s != WN_OK) {
        printf(" not available (%s)\n", wn_errmsg());
        return -1;
    }
    if (out)
        *out = r;
    for (int d = 0; d < r.ndecoys; d++)
        printf("%s %s %.4g +- %.2g %s", d ? ";" : "", r.names[d], r.mean[d], r.std[d],
               r.pass[d] ? "PASS" : "FAIL");
    printf("\n    (top real feature: %s %.4g)\n", r.top_name, r.top_mean);
    if (!r.all_pass)
        printf("  WARNING decoy test: a decoy was found important: the ranking is not to be "
               "trusted at this level\n");
    return !r.all_pass;
}
