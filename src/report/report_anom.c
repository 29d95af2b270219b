/* report_anom.c — the anomaly panels of the unsupervised report: the score
 * distribution (per class when a label is given, on a log scale: the tail
 * is the point), the ROC of the score against the label (how well "odd"
 * coincides with the class a physicist cares about, never used to fit), the
 * top-scoring events with the features that make them odd (largest |z|),
 * and the iterative baskets: per round the pool it was fitted on, the
 * scores it reached, its class content, and the features whose
 * distributions set the baskets apart from the rest. */
#include "report_unsup_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCORE_BINS 50
#define TOP_EVENTS 20
#define FEAT_BINS 30

static void panel_scores(wn__urep *q)
{
    wn__rep *r = &q->r;
    const double *sc = q->u->score;
    const char *name = q->u->score_name ? q->u->score_name : "anomaly score";
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (int64_t i = 0; i < q->n; i++)
        if (isfinite(sc[i]))
            lo = fmin(lo, sc[i]), hi = fmax(hi, sc[i]);
    wn__rep_panel_open(r, "scores", "Score distribution", 0);
    if (!(hi > lo)) {
        wn__rep_para(r, "note", "every score is the same (or missing): nothing to show");
        wn__rep_panel_close(r);
        return;
    }
    int nser = q->y && q->ncls > 0 && q->ncls <= 8 ? q->ncls : 1;
    double edges[SCORE_BINS + 1], h[8][SCORE_BINS];
    memset(h, 0, sizeof h);
    for (int b = 0; b <= SCORE_BINS; b++)
        edges[b] = lo + (hi - lo) * b / SCORE_BINS;
    int64_t none = 0;
    for (int64_t i = 0; i < q->n; i++) {
        if (!isfinite(sc[i])) {
            none++;
            continue;
        }
        int c = nser > 1 ? wn__urep_class(q, q->y[i]) : 0;
        if (c < 0)
            continue;
        int b = (int)((sc[i] - lo) / (hi - lo) * SCORE_BINS);
        h[c][b < SCORE_BINS ? b : SCORE_BINS - 1] += 1;
    }
    wn__plot *p = wn__plot_new(name, name, "events");
    if (p) {
        wn__plot_axis(p, 'y', WN__AXIS_LOG, 0, 0);
        for (int c = 0; c < nser; c++) {
            char nm[64];
            if (nser > 1)
                wn__urep_class_name(q, c, nm, sizeof nm);
            else
                snprintf(nm, sizeof nm, "all events");
            if (wn__plot_hist(p, nm, edges, h[c], SCORE_BINS, c == 0, c))
                r->oom = 1;
        }
    }
    wn__rep_plot(r, p, 480, 340);
    char a[32], b[32];
    wn__rep_para(r, "caption", "%lld events, %s from %s to %s (higher = more anomalous)%s%lld "
                               "without a score (missing values).",
                 (long long)(q->n - none), name, wn__rep_num(a, lo), wn__rep_num(b, hi),
                 none ? "; " : "; ", (long long)none);
    wn__rep_panel_close(r);
}

static void panel_roc(wn__urep *q)
{
    wn__rep *r = &q->r;
    if (!q->y || q->ncls != 2)
        return;
    int64_t m = 0;
    float *y = wn__malloc_array((size_t)(q->n ? q->n : 1), sizeof *y);
    double *s = wn__malloc_array((size_t)(q->n ? q->n : 1), sizeof *s);
    double es[200], eb[200];
    if (!y || !s) {
        wn_free(y), wn_free(s);
        r->oom = 1;
        return;
    }
    for (int64_t i = 0; i < q->n; i++)
        if (isfinite(q->u->score[i]) && wn__urep_class(q, q->y[i]) >= 0) {
            y[m] = q->y[i];
            s[m++] = q->u->score[i];
        }
    wn__rep_panel_open(r, "roc", "The score against the label", 0);
    double auc;
    int64_t np = 0;
    if (m < 2 || wn_metric_eval(WN_METRIC_AUC, y, NULL, s, m, 1, 1.0, &auc) != WN_OK ||
        wn_roc_curve(y, NULL, s, m, 200, es, eb, &np) != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
    } else {
        wn__plot *p = wn__plot_new("ROC of the anomaly score", "fraction of class 0 above the cut",
                                   "fraction of class 1 above the cut");
        double d[2] = {0, 1};
        if (p && (wn__plot_line(p, "score", eb, es, np, 0) ||
                  wn__plot_line(p, "random", d, d, 2, 7)))
            r->oom = 1;
        wn__rep_plot(r, p, 480, 400);
        char a[32];
        wn__rep_para(r, "caption",
                     "The label '%s' was not used to fit: this shows how far 'anomalous' "
                     "coincides with class 1. AUC %s (0.5: no relation).",
                     q->u->label, wn__rep_num(a, auc));
        wn__rep_verdict(r, auc > 0.7 ? "pass" : "info",
                        "the anomaly score separates '%s' with AUC %s", q->u->label, a);
    }
    wn__rep_panel_close(r);
    wn_free(y), wn_free(s);
}

/* z of row i (a row of t) for feature f: from the table, not the sample. */
static double z_of(const wn__urep *q, const float *v, int64_t f)
{
    return ((double)v[f] - q->mu[f]) / q->sd[f];
}

static void panel_top(wn__urep *q)
{
    wn__rep *r = &q->r;
    int64_t *rk = wn__malloc_array((size_t)(q->n ? q->n : 1), sizeof *rk);
    float *v = wn__malloc_array((size_t)q->nf, sizeof *v);
    int64_t *cols = wn__malloc_array((size_t)q->nf, sizeof *cols);
    if (!rk || !v || !cols || wn__rep_rank_desc(q->u->score, q->n, rk) != 0) {
        wn_free(rk), wn_free(v), wn_free(cols);
        r->oom = 1;
        return;
    }
    int64_t m = 0, idc = -1; /* the finite scores come first */
    while (m < q->n && isfinite(q->u->score[rk[m]]))
        m++;
    for (int64_t f = 0; f < q->nf; f++)
        if (wn_table_find(q->u->t, q->fnames[f], &cols[f]) != WN_OK)
            cols[f] = -1;
    if (q->u->id && wn_table_find(q->u->t, q->u->id, &idc) != WN_OK)
        idc = -1;
    wn__rep_panel_open(r, "top", "Top events", 1);
    wn__buf *b = &r->body;
    wn__buf_printf(b, "<table><tr><th>rank</th><th>row</th>%s<th>score</th>%s"
                      "<th>most unusual features (value, z)</th></tr>\n",
                   idc >= 0 ? "<th>id</th>" : "", q->y ? "<th>label</th>" : "");
    char a[32], c[32];
    for (int64_t t = 0; t < m && t < TOP_EVENTS; t++) {
        int64_t i = rk[t];
        wn__buf_printf(b, "<tr><td>%lld</td><td class=\"num\">%lld</td>", (long long)t + 1,
                       (long long)i + 1);
        if (idc >= 0) {
            double idv = (double)wn_table_get(q->u->t, i, idc);
            if (idv == floor(idv) && fabs(idv) < 1e15)
                wn__buf_printf(b, "<td class=\"num\">%.0f</td>", idv);
            else
                wn__buf_printf(b, "<td class=\"num\">%s</td>", wn__rep_num(a, idv));
        }
        wn__buf_printf(b, "<td class=\"num\">%s</td>", wn__rep_num(a, q->u->score[i]));
        if (q->y)
            wn__buf_printf(b, "<td class=\"num\">%s</td>", wn__rep_num(a, (double)q->y[i]));
        for (int64_t f = 0; f < q->nf; f++)
            v[f] = cols[f] >= 0 ? wn_table_get(q->u->t, i, cols[f]) : NAN;
        /* the three largest |z| */
        int64_t best[3] = {-1, -1, -1};
        for (int64_t f = 0; f < q->nf; f++) {
            double z = fabs(z_of(q, v, f));
            if (!isfinite(z))
                continue;
            for (int j = 0; j < 3; j++)
                if (best[j] < 0 || z > fabs(z_of(q, v, best[j]))) {
                    for (int l = 2; l > j; l--)
                        best[l] = best[l - 1];
                    best[j] = f;
                    break;
                }
        }
        wn__buf_puts(b, "<td>");
        for (int j = 0; j < 3 && best[j] >= 0; j++) {
            wn__buf_puts(b, j ? ", " : "");
            wn__buf_escape(b, q->fnames[best[j]]);
            wn__buf_printf(b, " %s (z %s)", wn__rep_num(a, (double)v[best[j]]),
                           wn__rep_num(c, z_of(q, v, best[j])));
        }
        wn__buf_puts(b, "</td></tr>\n");
    }
    wn__buf_puts(b, "</table>\n");
    wn__rep_para(r, "caption",
                 "The %d highest-scoring events (row: 1-based row of the data). z = (value - "
                 "mean) / std over the sampled events.",
                 TOP_EVENTS);
    wn__rep_panel_close(r);
    wn_free(rk), wn_free(v), wn_free(cols);
}

static void panel_baskets(wn__urep *q)
{
    wn__rep *r = &q->r;
    const wn_baskets *bk = q->u->baskets;
    if (!bk || bk->rounds < 1 || bk->nrows != q->n)
        return;
    wn__rep_panel_open(r, "baskets", "Baskets", 1);
    wn__buf *b = &r->body;
    char a[32], c[32];
    wn__buf_printf(b, "<table><tr><th>round</th><th>fitted on</th><th>basket</th>"
                      "<th>scores</th><th>judged ordinary</th>%s</tr>\n",
                   q->y ? "<th>label = 1 in the basket</th>" : "");
    uint8_t *in = wn__calloc((size_t)(q->n ? q->n : 1), 1);
    if (!in) {
        r->oom = 1;
        wn__rep_panel_close(r);
        return;
    }
    int64_t total = 0, pos = 0;
    for (int rd = 0; rd < bk->rounds; rd++) {
        int64_t cnt = 0, ord = 0, y1 = 0;
        double smin = HUGE_VAL, smax = -HUGE_VAL;
        for (int64_t j = 0; j < bk->basket_size; j++) {
            int64_t row = bk->basket_rows[(int64_t)rd * bk->basket_size + j];
            if (row < 0 || row >= q->n)
                continue;
            double s = bk->basket_scores[(int64_t)rd * bk->basket_size + j];
            cnt++;
            ord += bk->basket_ordinary[(int64_t)rd * bk->basket_size + j] != 0;
            smin = fmin(smin, s), smax = fmax(smax, s);
            in[row] = 1;
            if (q->y && q->y[row] == 1.0f)
                y1++;
        }
        total += cnt, pos += y1;
        wn__buf_printf(b, "<tr><td>%d</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td>"
                          "<td class=\"num\">%s .. %s</td><td class=\"num\">%lld</td>",
                       rd + 1, (long long)bk->pool_size[rd], (long long)cnt, wn__rep_num(a, smin),
                       wn__rep_num(c, smax), (long long)ord);
        if (q->y)
            wn__buf_printf(b, "<td class=\"num\">%lld of %lld</td>", (long long)y1,
                           (long long)cnt);
        wn__buf_puts(b, "</tr>\n");
    }
    wn__buf_puts(b, "</table>\n");
    if (q->y)
        wn__rep_verdict(r, "info", "baskets: %lld events in %d rounds, %lld of them with '%s' = 1",
                        (long long)total, bk->rounds, (long long)pos, q->u->label);
    /* the features that set the baskets apart: largest |mean z difference| */
    double *d = wn__calloc((size_t)q->nf, sizeof *d);
    int64_t nin = 0;
    for (int64_t i = 0; i < q->ns; i++)
        nin += in[q->srows[i]];
    if (d && nin > 0 && nin < q->ns) {
        for (int64_t f = 0; f < q->nf; f++) {
            double s1 = 0, s0 = 0;
            int64_t n1 = 0, n0 = 0;
            for (int64_t i = 0; i < q->ns; i++) {
                double z = ((double)q->x[f * q->ns + i] - q->mu[f]) / q->sd[f];
                if (!isfinite(z))
                    continue;
                if (in[q->srows[i]])
                    s1 += z, n1++;
                else
                    s0 += z, n0++;
            }
            d[f] = n1 && n0 ? fabs(s1 / (double)n1 - s0 / (double)n0) : 0;
        }
        wn__buf_puts(b, "<div class=\"grid\">");
        for (int shown = 0; shown < 4 && shown < q->nf; shown++) {
            int64_t f = 0;
            for (int64_t g = 1; g < q->nf; g++)
                if (d[g] > d[f])
                    f = g;
            if (!(d[f] > 0))
                break;
            d[f] = -1;
            double lo = HUGE_VAL, hi = -HUGE_VAL;
            for (int64_t i = 0; i < q->ns; i++) {
                double v = (double)q->x[f * q->ns + i];
                if (isfinite(v))
                    lo = fmin(lo, v), hi = fmax(hi, v);
            }
            if (!(hi > lo))
                continue;
            double edges[FEAT_BINS + 1], h0[FEAT_BINS] = {0}, h1[FEAT_BINS] = {0};
            for (int k = 0; k <= FEAT_BINS; k++)
                edges[k] = lo + (hi - lo) * k / FEAT_BINS;
            double w0 = 0, w1 = 0;
            for (int64_t i = 0; i < q->ns; i++) {
                double v = (double)q->x[f * q->ns + i];
                if (!isfinite(v))
                    continue;
                int k = (int)((v - lo) / (hi - lo) * FEAT_BINS);
                k = k < FEAT_BINS ? k : FEAT_BINS - 1;
                if (in[q->srows[i]])
                    h1[k] += 1, w1 += 1;
                else
                    h0[k] += 1, w0 += 1;
            }
            for (int k = 0; k < FEAT_BINS; k++)
                h0[k] /= w0, h1[k] /= w1;
            wn__plot *p = wn__plot_new(q->fnames[f], q->fnames[f], "fraction of events");
            if (p && (wn__plot_hist(p, "rest", edges, h0, FEAT_BINS, 1, 0) ||
                      wn__plot_hist(p, "baskets", edges, h1, FEAT_BINS, 0, 1)))
                r->oom = 1;
            wn__rep_plot(r, p, 400, 300);
        }
        wn__buf_puts(b, "</div>\n");
        wn__rep_para(r, "caption",
                     "Each round fits on the pool (events not yet taken out as candidates), "
                     "scores every event, and baskets the best-scoring ones not seen before. "
                     "Plots: the features whose means differ most (in z units) between the "
                     "basketed and the other sampled events (%lld of %lld in baskets).",
                     (long long)nin, (long long)q->ns);
    } else if (!d) {
        r->oom = 1;
    }
    wn_free(d);
    wn_free(in);
    wn__rep_panel_close(r);
}

wn_status wn__urep_anomaly_panels(wn__urep *q)
{
    panel_scores(q);
    panel_roc(q);
    panel_top(q);
    panel_baskets(q);
    return q->r.oom ? wn__oom("report") : WN_OK;
}
