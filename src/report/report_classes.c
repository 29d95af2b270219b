/* report_classes.c — the run report's panels for models that are not
 * binary classifiers: multiclass (one-vs-rest AUC per class, the confusion
 * matrix normalised per true class, as TMVA's multiclass evaluation shows
 * them) and regression (prediction against truth on a thinned sample, and
 * the residual quantiles). The residual histogram itself is in
 * report_panels.c. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_SHOWN_CLASSES 12
#define MAX_POINTS 2000

wn_status wn__rep_multiclass(wn__rep *r)
{
    if (r->obj != WN_OBJ_MULTICLASS || !r->test)
        return WN_OK;
    const int k = r->nout;
    char a[32];
    double *auc = wn__malloc_array((size_t)k, sizeof *auc);
    double *conf = wn__malloc_array((size_t)k * (size_t)k, sizeof *conf);
    char(*names)[64] = wn__malloc_array((size_t)k, sizeof *names);
    const char **lab = wn__malloc_array((size_t)k, sizeof *lab);
    if (!auc || !conf || !names || !lab) {
        wn_free(auc), wn_free(conf), wn_free(names), wn_free(lab);
        return wn__oom("report classes");
    }
    double acc = 0;
    wn__rep_panel_open(r, "classes", "Classes: one-vs-rest AUC and confusion", 1);
    wn_status s = wn_multiclass_summary(r->yt, r->wt, r->pt, r->nt, k, auc, conf, &acc);
    if (s == WN_ENOMEM)
        goto done;
    if (s != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
        s = WN_OK;
        goto done;
    }
    for (int c = 0; c < k; c++) {
        wn__rep_class_name(r, c, names[c], sizeof names[c]);
        lab[c] = names[c];
    }
    wn__buf_puts(&r->body, "<div class=\"grid\">");
    wn__plot *p = wn__plot_new("one-vs-rest AUC per class", "AUC", NULL);
    if (p) {
        wn__plot_axis(p, 'x', WN__AXIS_LINEAR, 0.5, 1.0);
        if (wn__plot_hbars(p, "AUC", lab, auc, NULL, k, 0))
            r->oom = 1;
    }
    wn__rep_plot(r, p, 480, 100 + 24 * (k < 40 ? k : 40));
    if (k <= MAX_SHOWN_CLASSES) {
        /* rows normalised: the fraction of each true class given each label */
        for (int t = 0; t < k; t++) {
            double row = 0;
            for (int c = 0; c < k; c++)
                row += conf[t * k + c];
            for (int c = 0; c < k; c++)
                conf[t * k + c] = row != 0 ? conf[t * k + c] / row : 0;
        }
        p = wn__plot_new("confusion (rows: true class, columns: predicted; fractions)", NULL, NULL);
        if (p && wn__plot_heatmap(p, lab, conf, k))
            r->oom = 1;
        wn__rep_plot(r, p, 480, 480);
    }
    wn__buf_puts(&r->body, "</div>\n");
    wn__rep_para(r, "caption",
                 "Held-out rows (%lld): weighted accuracy %s. Each class's AUC treats it as "
                 "signal and every other class as background.",
                 (long long)r->nt, wn__rep_num(a, acc));
done:
    wn__rep_panel_close(r);
    wn_free(auc), wn_free(conf), wn_free(names), wn_free(lab);
    return s;
}

wn_status wn__rep_regression(wn__rep *r)
{
    if (r->obj == WN_OBJ_BINARY || r->obj == WN_OBJ_MULTICLASS || !r->test || r->nt < 2)
        return WN_OK;
    char a[32], b[32], c[32], d[32], e[32];
    double rmse, mae, r2, q[5];
    wn_status s = wn_regression_summary(r->yt, r->wt, r->pt, r->nt, &rmse, &mae, &r2, q);
    if (s == WN_ENOMEM)
        return s;
    wn__rep_panel_open(r, "regression", "Prediction against truth", 0);
    if (s != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
        wn__rep_panel_close(r);
        return WN_OK;
    }
    /* every k-th held-out row, at most MAX_POINTS points */
    int64_t step = (r->nt + MAX_POINTS - 1) / MAX_POINTS, m = 0;
    double *x = wn__malloc_array(MAX_POINTS + 1, sizeof *x);
    double *y = wn__malloc_array(MAX_POINTS + 1, sizeof *y);
    if (!x || !y) {
        wn_free(x), wn_free(y);
        wn__rep_panel_close(r);
        return wn__oom("report regression");
    }
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (int64_t i = 0; i < r->nt && m < MAX_POINTS; i += step) {
        if (!isfinite(r->yt[i]) || !isfinite(r->pt[i]))
            continue;
        x[m] = (double)r->yt[i];
        y[m] = r->pt[i];
        lo = fmin(lo, fmin(x[m], y[m]));
        hi = fmax(hi, fmax(x[m], y[m]));
        m++;
    }
    wn__plot *p = wn__plot_new("prediction vs truth (held-out)", "truth", "prediction");
    if (p && m > 0) {
        double dx[2] = {lo, hi};
        if (wn__plot_points(p, "events", x, y, NULL, m, 0) ||
            wn__plot_line(p, "prediction = truth", dx, dx, 2, 7))
            r->oom = 1;
    }
    wn__rep_plot(r, p, 480, 420);
    wn_free(x), wn_free(y);
    wn__rep_para(r, "caption",
                 "%lld of %lld held-out rows shown. RMSE %s, MAE %s, R² %s; residual (prediction "
                 "- truth) quantiles 16%% / 50%% / 84%%: %s / %s / %s.",
                 (long long)m, (long long)r->nt, wn__rep_num(a, rmse), wn__rep_num(b, mae),
                 wn__rep_num(c, r2), wn__rep_num(d, q[1]), wn__rep_num(e, q[2]),
                 wn__rep_num(a, q[3]));
    wn__rep_panel_close(r);
    return WN_OK;
}
