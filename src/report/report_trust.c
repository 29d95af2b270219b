/* report_trust.c — the run report's panels for two trust checks that need
 * more than one model: the bagged ensemble (each member's held-out AUC, and
 * the spread of the members' outputs per event: the model's own
 * uncertainty, Breiman 1996; Lakshminarayanan et al. 2017 use the same
 * spread for deep ensembles) and the decoy test (a shuffled copy of the top
 * feature and a noise column retrained with the real ones: their
 * permutation importance must stay in the noise band). */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPREAD_BINS 30

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

wn_status wn__rep_ensemble(wn__rep *r)
{
    const int k = wn_model_ensemble_size(r->m);
    if (k < 2 || !r->test || r->obj != WN_OBJ_BINARY)
        return WN_OK;
    char a[32], b[32], c[32], d[32];
    wn__rep_panel_open(r, "ensemble", "Ensemble: the model's own uncertainty", 0);
    wn_table *view = NULL;
    wn_status s = wn__rep_sample(r, r->test, &view);
    const wn_table *t = view ? view : r->test;
    const int64_t n = wn_table_nrows(t);
    double *pm = NULL, *sd = NULL, *auc = NULL;
    float *y = NULL, *w = NULL;
    int64_t yc, wc = -1;
    if (s == WN_OK) {
        pm = wn__malloc_array((size_t)k * (size_t)n, sizeof *pm);
        sd = wn__malloc_array((size_t)n, sizeof *sd);
        auc = wn__malloc_array((size_t)k, sizeof *auc);
        y = wn__malloc_array((size_t)n, sizeof *y);
        w = wn__malloc_array((size_t)n, sizeof *w);
        if (!pm || !sd || !auc || !y || !w)
            s = wn__oom("report");
    }
    if (s == WN_OK && (s = wn_table_find(t, wn_model_label_name(r->m), &yc)) == WN_OK &&
        (!wn_model_weight_name(r->m) ||
         (s = wn_table_find(t, wn_model_weight_name(r->m), &wc)) == WN_OK)) {
        wn_table_gather(t, yc, y);
        if (wc >= 0)
            wn_table_gather(t, wc, w);
        s = wn_gbdt_predict_members(r->m, t, r->o.threads, pm);
    }
    for (int j = 0; s == WN_OK && j < k; j++)
        s = wn_metric_eval(WN_METRIC_AUC, y, wc >= 0 ? w : NULL, pm + (int64_t)j * n, n, 1, 1.0,
                           &auc[j]);
    if (s == WN_ENOMEM)
        goto done;
    if (s != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
        s = WN_OK;
        goto done;
    }
    double am = 0, a2 = 0, smax = 0;
    for (int j = 0; j < k; j++)
        am += auc[j] / k;
    for (int j = 0; j < k; j++)
        a2 += (auc[j] - am) * (auc[j] - am);
    const double astd = sqrt(a2 / (k - 1));
    for (int64_t i = 0; i < n; i++) {
        double mu = 0, ss = 0;
        for (int j = 0; j < k; j++)
            mu += pm[(int64_t)j * n + i] / k;
        for (int j = 0; j < k; j++)
            ss += (pm[(int64_t)j * n + i] - mu) * (pm[(int64_t)j * n + i] - mu);
        sd[i] = sqrt(ss / (k - 1));
        smax = sd[i] > smax ? sd[i] : smax;
    }
    qsort(sd, (size_t)n, sizeof *sd, cmp_d);
    double hi = smax > 0 ? smax : 1e-3, edges[SPREAD_BINS + 1], h[SPREAD_BINS] = {0};
    for (int q = 0; q <= SPREAD_BINS; q++)
        edges[q] = hi * q / SPREAD_BINS;
    for (int64_t i = 0; i < n; i++) {
        int q = (int)(sd[i] / hi * SPREAD_BINS);
        h[q < SPREAD_BINS ? q : SPREAD_BINS - 1] += 1.0;
    }
    wn__plot *p = wn__plot_new("spread of the members per event", "std of P(signal) over members",
                               "events");
    if (p) {
        wn__plot_axis(p, 'y', WN__AXIS_LOG, 0, 0);
        if (wn__plot_hist(p, "held-out", edges, h, SPREAD_BINS, 1, 0) ||
            wn__plot_refline(p, 'x', sd[n / 2], "median"))
            r->oom = 1;
    }
    wn__rep_plot(r, p, 480, 340);
    /* the members' AUCs, as points with the mean and ±1 std lines */
    double *xs = wn__malloc_array((size_t)k, sizeof *xs);
    if (!xs) {
        s = wn__oom("report");
        goto done;
    }
    for (int j = 0; j < k; j++)
        xs[j] = j + 1;
    p = wn__plot_new("held-out AUC of each member", "member", "AUC");
    if (p) {
        if (wn__plot_points(p, "member", xs, auc, NULL, k, 0) ||
            wn__plot_refline(p, 'y', am, "mean") || wn__plot_refline(p, 'y', am - astd, "-1 std") ||
            wn__plot_refline(p, 'y', am + astd, "+1 std"))
            r->oom = 1;
    }
    wn__rep_plot(r, p, 480, 300);
    wn_free(xs);
    wn__rep_para(r, "caption",
                 "%d models, each trained on its own bootstrap resample (Poisson(1) counts), "
                 "scored on %lld held-out events. Member AUC %s ± %s; the ensemble's prediction "
                 "is their mean. Per-event standard deviation of P(signal): median %s, 90%% %s "
                 "(the prediction_std column of winnow predict).",
                 k, (long long)n, wn__rep_num(a, am), wn__rep_num(b, astd),
                 wn__rep_num(c, sd[n / 2]), wn__rep_num(d, sd[(int64_t)(0.9 * (double)(n - 1))]));
    wn__rep_verdict(r, "info", "ensemble of %d: member AUC %s ± %s; per-event std median %s", k,
                    a, b, c);
done:
    wn__rep_panel_close(r);
    wn_table_free(view);
    wn_free(pm), wn_free(sd), wn_free(auc), wn_free(y), wn_free(w);
    return s;
}

wn_status wn__rep_decoy(wn__rep *r)
{
    const wn_decoy_result *d = r->o.decoy;
    if (!d || d->ndecoys < 1 || d->ndecoys > 3)
        return WN_OK;
    char a[32], b[32];
    wn__rep_panel_open(r, "decoy", "Decoy test", 0);
    const char *labels[4];
    double v[4], e[4];
    labels[0] = d->top_name;
    v[0] = d->top_mean;
    e[0] = 0;
    for (int i = 0; i < d->ndecoys; i++) {
        labels[i + 1] = d->names[i];
        v[i + 1] = d->mean[i];
        e[i + 1] = d->std[i];
    }
    wn__plot *p = wn__plot_new("permutation importance after retraining with decoys",
                               "loss of the metric when shuffled", NULL);
    if (p && wn__plot_hbars(p, "importance", labels, v, e, d->ndecoys + 1, 0))
        r->oom = 1;
    wn__rep_plot(r, p, 480, 120 + 40 * d->ndecoys);
    wn__buf_puts(&r->body, "<table><tr><th>decoy</th><th>importance</th><th>verdict</th></tr>\n");
    for (int i = 0; i < d->ndecoys; i++) {
        wn__buf_puts(&r->body, "<tr><td>");
        wn__buf_escape(&r->body, d->names[i]);
        wn__buf_printf(&r->body, "</td><td class=\"num\">%s ± %s</td><td>%s</td></tr>\n",
                       wn__rep_num(a, d->mean[i]), wn__rep_num(b, d->std[i]),
                       d->pass[i] ? "within the noise band" : "IMPORTANT: fails");
    }
    wn__buf_puts(&r->body, "</table>\n");
    wn__rep_para(r, "caption",
                 "The model retrained with a row-shuffled copy of its most important feature "
                 "(same distribution, no information) and pure noise added. A decoy passes when "
                 "its importance is within 2 standard deviations of 0 or below 1%% of the top "
                 "real feature's (%s, %s).",
                 d->top_name, wn__rep_num(a, d->top_mean));
    if (d->all_pass)
        wn__rep_verdict(r, "pass", "decoy test: every decoy stays in the noise band");
    else
        wn__rep_verdict(r, "warn", "decoy test: a decoy was found important; the importance "
                                   "ranking is not to be trusted at this level");
    wn__rep_panel_close(r);
    return WN_OK;
}
