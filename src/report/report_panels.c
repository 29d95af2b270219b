/* report_panels.c — the report's panels about predictions and inputs: ROC
 * and TMVA's efficiency table, classifier output per class with the
 * Kolmogorov-Smirnov overtraining check, the single-feature leak check,
 * calibration (reliability curve and expected calibration error, Guo et al.
 * 2017, arXiv:1706.04599), stability under 1% smearing of the inputs, input
 * distributions, correlations per class and
 * regression residuals. The numbers come from the library (eval/); this
 * file chooses rows, bins and words. */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBOOT 200
#define ROC_POINTS 200
#define OUT_BINS 40
#define DIST_BINS 40
#define CAL_BINS 20
#define KS_ALARM 0.01
#define LEAK_AUC 0.999
#define ECE_ALARM 0.05
#define MAX_SPLIT_CLASSES 10
#define DNAN ((double)NAN)
#define STAB_BINS 40
#define STAB_REPEATS 5
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* The weight of row i (1 when unweighted). */
static double wt(const float *w, int64_t i)
{
    return w ? (double)w[i] : 1.0;
}

/* ---- ROC and the efficiency table --------------------------------------- */

wn_status wn__rep_roc(wn__rep *r)
{
    char a[32], b[32], c[32];
    wn_roc_summary rs;
    wn_status s =
        wn_roc_summarize(r->yt, r->wt, r->pt, r->nt, NBOOT, 0.68, r->o.seed, r->o.threads, &rs);
    if (s == WN_ENOMEM)
        return s;
    wn__rep_panel_open(r, "roc", "ROC curve", 0);
    if (s != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
        wn__rep_panel_close(r);
        wn__rep_panel_open(r, "efficiency", "Efficiency table", 0);
        wn__rep_para(r, "note", "not available");
        wn__rep_panel_close(r);
        wn__rep_verdict(r, "warn", "ROC not available on the held-out rows");
        return WN_OK;
    }
    wn__rep_verdict(r, "info", "AUC %s [%s, %s] (68%% bootstrap interval) on %lld held-out rows",
                    wn__rep_num(a, rs.auc), wn__rep_num(b, rs.auc_lo), wn__rep_num(c, rs.auc_hi),
                    (long long)r->nt);

    double *es = wn__malloc_array(ROC_POINTS, sizeof *es);
    double *eb = wn__malloc_array(ROC_POINTS, sizeof *eb);
    double *rx = wn__malloc_array(ROC_POINTS, sizeof *rx);
    double *ry = wn__malloc_array(ROC_POINTS, sizeof *ry);
    int64_t np = 0;
    if (!es || !eb || !rx || !ry) {
        s = wn__oom("report ROC");
        goto done;
    }
    s = wn_roc_curve(r->yt, r->wt, r->pt, r->nt, ROC_POINTS, es, eb, &np);
    if (s == WN_ENOMEM)
        goto done;
    if (s != WN_OK) {
        wn__rep_para(r, "note", "ROC curve not available: %s", wn_errmsg());
        s = WN_OK;
    } else {
        wn__buf_puts(&r->body, "<div class=\"grid\">\n");
        wn__plot *p = wn__plot_new("ROC", "signal efficiency", "background efficiency");
        double d[2] = {0.0, 1.0};
        if (p) {
            wn__plot_axis(p, 'x', WN__AXIS_LINEAR, 0.0, 1.0);
            wn__plot_axis(p, 'y', WN__AXIS_LINEAR, 0.0, 1.0);
            if (wn__plot_line(p, "random", d, d, 2, 7) || wn__plot_line(p, "BDT", es, eb, np, 0))
                r->oom = 1;
        }
        wn__rep_plot(r, p, 480, 400);
        int64_t k = 0;
        for (int64_t i = 0; i < np; i++)
            if (eb[i] > 0.0 && es[i] > 0.0) {
                rx[k] = es[i];
                ry[k++] = 1.0 / eb[i];
            }
        p = wn__plot_new("background rejection", "signal efficiency",
                         "background rejection 1/eff_B");
        if (p) {
            wn__plot_axis(p, 'x', WN__AXIS_LINEAR, 0.0, 1.0);
            wn__plot_axis(p, 'y', WN__AXIS_LOG, 0.0, 0.0);
            if (wn__plot_line(p, "BDT", rx, ry, k, 0))
                r->oom = 1;
        }
        wn__rep_plot(r, p, 480, 400);
        wn__buf_puts(&r->body, "</div>\n");
    }
    wn__rep_panel_close(r);

    wn__rep_panel_open(r, "efficiency", "Efficiency table (TMVA)", 0);
    wn__buf_puts(&r->body, "<table>\n<tr><th>figure</th><th>value</th></tr>\n");
    static const char *const be[3] = {"0.1", "0.01", "0.001"};
    static const char *const se[3] = {"0.3", "0.5", "0.7"};
    for (int i = 0; i < 3; i++)
        wn__buf_printf(&r->body,
                       "<tr><td>signal efficiency at background efficiency %s</td>"
                       "<td class=\"num\">%s</td></tr>\n",
                       be[i], wn__rep_num(a, rs.sig_eff_at_bkg[i]));
    for (int i = 0; i < 3; i++)
        wn__buf_printf(&r->body,
                       "<tr><td>background rejection (1 - eff_B) at signal efficiency %s</td>"
                       "<td class=\"num\">%s</td></tr>\n",
                       se[i], wn__rep_num(a, rs.bkg_rej_at_sig[i]));
    wn__buf_printf(&r->body,
                   "<tr><td>AUC (68%% bootstrap interval, %d resamples)</td>"
                   "<td class=\"num\">%s [%s, %s]</td></tr>\n",
                   NBOOT, wn__rep_num(a, rs.auc), wn__rep_num(b, rs.auc_lo),
                   wn__rep_num(c, rs.auc_hi));
    wn__buf_printf(&r->body,
                   "<tr><td>AMS (b_reg = 10; weights as expected counts)</td>"
                   "<td class=\"num\">%s at score &gt; %s</td></tr>\n",
                   wn__rep_num(a, rs.ams), wn__rep_num(b, rs.ams_threshold));
    wn__buf_printf(&r->body,
                   "<tr><td>Brier score</td><td class=\"num\">%s</td></tr>\n"
                   "<tr><td>accuracy at 0.5</td><td class=\"num\">%s</td></tr>\n</table>\n",
                   wn__rep_num(a, rs.brier), wn__rep_num(b, rs.accuracy));
    wn__rep_panel_close(r);
done:
    wn_free(es);
    wn_free(eb);
    wn_free(rx);
    wn_free(ry);
    return s;
}

/* ---- classifier output and the KS test ---------------------------------- */

/* Normalised histogram (unit area) of the scores of class cls on [0, 1]:
 * h[OUT_BINS] and the statistical error e (sqrt of the sum of w^2). */
static void score_hist(const double *p, const float *y, const float *w, int64_t n, int cls,
                       double *h, double *e)
{
    double tot = 0.0;
    for (int i = 0; i < OUT_BINS; i++)
        h[i] = e[i] = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if (y[i] != (float)cls || !isfinite(p[i]))
            continue;
        int k = (int)(p[i] * OUT_BINS);
        k = k < 0 ? 0 : k >= OUT_BINS ? OUT_BINS - 1 : k;
        double v = wt(w, i);
        h[k] += v;
        e[k] += v * v;
        tot += v;
    }
    double bw = 1.0 / OUT_BINS;
    for (int i = 0; i < OUT_BINS; i++) {
        h[i] = tot != 0.0 ? h[i] / (tot * bw) : 0.0;
        e[i] = tot != 0.0 ? sqrt(e[i]) / (fabs(tot) * bw) : 0.0;
    }
}

/* The scores (and weights) of one class: a fresh copy. */
static int class_scores(const double *p, const float *y, const float *w, int64_t n, int cls,
                        double **sp, float **sw, int64_t *k)
{
    *sp = wn__malloc_array((size_t)(n ? n : 1), sizeof **sp);
    *sw = wn__malloc_array((size_t)(n ? n : 1), sizeof **sw);
    if (!*sp || !*sw)
        return -1;
    *k = 0;
    for (int64_t i = 0; i < n; i++)
        if (y[i] == (float)cls) {
            (*sp)[*k] = p[i];
            (*sw)[*k] = (float)wt(w, i);
            (*k)++;
        }
    return 0;
}

wn_status wn__rep_output(wn__rep *r)
{
    double edges[OUT_BINS + 1], h[OUT_BINS], e[OUT_BINS], x[OUT_BINS];
    double ksp[2] = {DNAN, DNAN};
    char names[2][64], lab[96];
    for (int i = 0; i <= OUT_BINS; i++)
        edges[i] = (double)i / OUT_BINS;
    for (int i = 0; i < OUT_BINS; i++)
        x[i] = (edges[i] + edges[i + 1]) / 2.0;
    wn__rep_panel_open(r, "output", "Classifier output", 0);
    wn__plot *p = wn__plot_new("classifier output", "P(signal)", "normalised");
    if (!p)
        return wn__oom("report output");
    for (int cls = 0; cls < 2; cls++) {
        wn__rep_class_name(r, cls, names[cls], sizeof names[cls]);
        score_hist(r->pt, r->yt, r->wt, r->nt, cls, h, e);
        snprintf(lab, sizeof lab, "%s, held-out", names[cls]);
        if (wn__plot_hist(p, lab, edges, h, OUT_BINS, 1, cls)) {
            wn__plot_free(p);
            return wn__oom("report output");
        }
        if (r->ntr) {
            score_hist(r->ptr, r->ytr, r->wtr, r->ntr, cls, h, e);
            snprintf(lab, sizeof lab, "%s, training", names[cls]);
            if (wn__plot_points(p, lab, x, h, e, OUT_BINS, cls)) {
                wn__plot_free(p);
                return wn__oom("report output");
            }
            double *a = NULL, *b = NULL;
            float *wa = NULL, *wb = NULL;
            int64_t na = 0, nb = 0;
            double d = DNAN, pv = DNAN;
            if (class_scores(r->ptr, r->ytr, r->wtr, r->ntr, cls, &a, &wa, &na) ||
                class_scores(r->pt, r->yt, r->wt, r->nt, cls, &b, &wb, &nb)) {
                wn_free(a);
                wn_free(b);
                wn_free(wa);
                wn_free(wb);
                wn__plot_free(p);
                return wn__oom("report KS test");
            }
            wn_status ks = wn_ks_test(a, r->wtr ? wa : NULL, na, b, r->wt ? wb : NULL, nb, &d, &pv);
            if (ks == WN_OK)
                ksp[cls] = pv;
            wn_free(a);
            wn_free(b);
            wn_free(wa);
            wn_free(wb);
            if (ks == WN_ENOMEM) {
                wn__plot_free(p);
                return ks;
            }
        }
    }
    wn__rep_plot(r, p, 560, 400);
    char a[32], b[32];
    if (r->ntr) {
        wn__rep_para(r, "caption",
                     "Held-out rows filled, training rows as points with statistical errors. "
                     "Kolmogorov-Smirnov p-values, training vs held-out: %s p = %s, %s p = %s.",
                     names[0], wn__rep_num(a, ksp[0]), names[1], wn__rep_num(b, ksp[1]));
        if (!isfinite(ksp[0]) || !isfinite(ksp[1]))
            wn__rep_verdict(r, "warn", "overtraining: KS test not available for both classes");
        else if (ksp[0] < KS_ALARM || ksp[1] < KS_ALARM)
            wn__rep_verdict(r, "warn",
                            "overtraining: training and held-out scores differ (KS p = %s "
                            "background, %s signal; alarm below %g)",
                            wn__rep_num(a, ksp[0]), wn__rep_num(b, ksp[1]), KS_ALARM);
        else
            wn__rep_verdict(r, "pass", "overtraining: KS p = %s background, %s signal (>= %g)",
                            wn__rep_num(a, ksp[0]), wn__rep_num(b, ksp[1]), KS_ALARM);
    } else {
        wn__rep_para(r, "caption",
                     "Held-out rows; no training rows given, so no "
                     "overtraining check.");
    }
    wn__rep_panel_close(r);
    return WN_OK;
}

/* ---- leak check ------------------------------------------------------------ */

wn_status wn__rep_leak(wn__rep *r)
{
    const wn_table *t = r->test ? r->test : r->train;
    const float *y = r->test ? r->yt : r->ytr, *w = r->test ? r->wt : r->wtr;
    int64_t n = wn_table_nrows(t), nf = r->nf;
    float *x = wn__malloc_array((size_t)n, sizeof *x);
    double *auc = wn__malloc_array((size_t)nf, sizeof *auc);
    double *sep = wn__malloc_array((size_t)nf, sizeof *sep);
    int64_t *ord = wn__malloc_array((size_t)nf, sizeof *ord);
    const char **labels = wn__malloc_array((size_t)nf, sizeof *labels);
    double *bv = wn__malloc_array((size_t)nf, sizeof *bv);
    wn_status s = WN_OK;
    if (!x || !auc || !sep || !ord || !labels || !bv) {
        s = wn__oom("report leak check");
        goto done;
    }
    wn__rep_panel_open(r, "leak", "Leak check: each feature alone", 0);
    int64_t worst = -1;
    for (int64_t f = 0; f < nf; f++) {
        int64_t c, used = 0;
        auc[f] = DNAN;
        sep[f] = -1.0;
        if (wn_table_find(t, wn_model_feature_name(r->m, f), &c) != WN_OK)
            continue;
        wn_table_gather(t, c, x);
        wn_status st = wn_single_feature_auc(y, w, x, n, &auc[f], &used);
        if (st == WN_ENOMEM) {
            s = st;
            goto close;
        }
        if (st != WN_OK || !isfinite(auc[f])) {
            auc[f] = DNAN;
            continue;
        }
        sep[f] = auc[f] > 0.5 ? auc[f] : 1.0 - auc[f];
        if (worst < 0 || sep[f] > sep[worst])
            worst = f;
    }
    /* order by separation, largest first (ties by feature index) */
    for (int64_t i = 0; i < nf; i++)
        ord[i] = i;
    for (int64_t i = 1; i < nf; i++) {
        int64_t v = ord[i], j = i;
        while (j > 0 && sep[ord[j - 1]] < sep[v]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = v;
    }
    int64_t k = 0;
    for (int64_t i = 0; i < nf && k < 40; i++)
        if (sep[ord[i]] >= 0.0) {
            labels[k] = wn_model_feature_name(r->m, ord[i]);
            bv[k++] = auc[ord[i]];
        }
    wn__rep_para(r, "caption",
                 "The AUC of each feature used alone as the score on the %s rows (0.5: no "
                 "separation; near 0 or 1: the feature alone gives the label away). A warning "
                 "is raised when max(AUC, 1 - AUC) > %g.",
                 r->test ? "held-out" : "training", LEAK_AUC);
    if (k > 0) {
        wn__plot *p = wn__plot_new("single-feature AUC", "AUC", NULL);
        if (p) {
            wn__plot_axis(p, 'x', WN__AXIS_LINEAR, 0.0, 1.0);
            if (wn__plot_hbars(p, "AUC", labels, bv, NULL, k, 3) ||
                wn__plot_refline(p, 'x', 0.5, "0.5"))
                r->oom = 1;
        }
        wn__rep_plot(r, p, 560, (int)(70 + 18 * k));
    }
    char a[32];
    if (worst < 0) {
        wn__rep_para(r, "note", "no feature could be scored alone");
        wn__rep_verdict(r, "warn", "leak check not available");
    } else if (sep[worst] > LEAK_AUC) {
        wn__rep_verdict(r, "warn", "leak: feature %s alone has AUC %s",
                        wn_model_feature_name(r->m, worst), wn__rep_num(a, auc[worst]));
    } else {
        wn__rep_verdict(r, "pass",
                        "leak: no feature alone separates the classes (best: %s, "
                        "AUC %s)",
                        wn_model_feature_name(r->m, worst), wn__rep_num(a, auc[worst]));
    }
close:
    wn__rep_panel_close(r);
done:
    wn_free(x);
    wn_free(auc);
    wn_free(sep);
    wn_free(ord);
    wn_free(labels);
    wn_free(bv);
    return s;
}

/* ---- calibration ----------------------------------------------------------- */

wn_status wn__rep_calibration(wn__rep *r)
{
    double mp[CAL_BINS], fp[CAL_BINS], ws[CAL_BINS], ece = DNAN;
    char a[32];
    wn__rep_panel_open(r, "calibration", "Calibration", 0);
    wn_status s = wn_calibration(r->yt, r->wt, r->pt, r->nt, CAL_BINS, mp, fp, ws, &ece);
    if (s == WN_ENOMEM)
        return s;
    if (s != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
        wn__rep_panel_close(r);
        return WN_OK;
    }
    double d[2] = {0.0, 1.0};
    wn__plot *p = wn__plot_new("reliability", "mean predicted P(signal)", "fraction of signal");
    if (p) {
        wn__plot_axis(p, 'x', WN__AXIS_LINEAR, 0.0, 1.0);
        wn__plot_axis(p, 'y', WN__AXIS_LINEAR, 0.0, 1.0);
        if (wn__plot_line(p, "perfect", d, d, 2, 7) ||
            wn__plot_line(p, NULL, mp, fp, CAL_BINS, 0) ||
            wn__plot_points(p, "held-out", mp, fp, NULL, CAL_BINS, 0))
            r->oom = 1;
    }
    wn__rep_plot(r, p, 480, 420);
    /* A perfectly calibrated model still shows an ECE from counting noise:
     * per bin E|frac - mean| ~ sqrt(2/pi) sqrt(m (1 - m) / n_b), with n_b
     * the bin's rows estimated from its weight share. Warn only when the
     * ECE is clearly above that and above ECE_ALARM. */
    double wtot = 0.0, noise = 0.0;
    for (int i = 0; i < CAL_BINS; i++)
        wtot += ws[i] > 0.0 ? ws[i] : 0.0;
    for (int i = 0; i < CAL_BINS && wtot > 0.0; i++) {
        double nb = ws[i] / wtot * (double)r->nt;
        if (ws[i] > 0.0 && nb > 0.0 && isfinite(mp[i]))
            noise += ws[i] / wtot * sqrt(2.0 / M_PI * mp[i] * (1.0 - mp[i]) / nb);
    }
    char b[32];
    wn__rep_para(r, "caption",
                 "%d equal-width bins of the predicted probability; expected calibration "
                 "error ECE = %s (about %s expected from counting noise alone).",
                 CAL_BINS, wn__rep_num(a, ece), wn__rep_num(b, noise));
    if (isfinite(ece) && ece > ECE_ALARM && ece > 3.0 * noise)
        wn__rep_verdict(r, "warn",
                        "calibration: ECE %s (noise level %s): read the output as a score, "
                        "not a probability",
                        wn__rep_num(a, ece), wn__rep_num(b, noise));
    else
        wn__rep_verdict(r, "pass", "calibration: ECE %s (noise level %s)", wn__rep_num(a, ece),
                        wn__rep_num(b, noise));
    wn__rep_panel_close(r);
    return WN_OK;
}

/* ---- stability under input smearing ------------------------------------------ */

/* Every input smeared by 1% (x -> x (1 + 0.01 z), wn_gbdt_stability) on at
 * most max_rows held-out rows: the histogram of |change of P(signal)| over
 * rows and repeats, and the AUC of the smeared copies against the nominal
 * one. Information, not a test: what resolution means depends on the
 * detector, so no threshold is imposed. */
wn_status wn__rep_stability(wn__rep *r)
{
    char a[32], b[32], c[32], d[32], e[32], f[32];
    wn__rep_panel_open(r, "stability", "Stability under input smearing", 0);
    wn_table *view = NULL;
    double *chg = NULL;
    int64_t nchg = 0;
    wn_stability st;
    wn_status s = wn__rep_sample(r, r->test, &view);
    if (s == WN_OK)
        s = wn__gbdt_stability_changes(r->m, view ? view : r->test, NULL, STAB_REPEATS, r->o.seed,
                                       r->o.threads, &st, &chg, &nchg);
    int64_t nrows = view ? wn_table_nrows(view) : r->nt;
    wn_table_free(view);
    if (s == WN_ENOMEM)
        return s;
    if (s != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
        wn__rep_panel_close(r);
        return WN_OK;
    }
    /* bins on [0, hi]: hi a little above the 99% quantile, so the bulk is
     * resolved; the rare larger changes go into the last bin */
    double hi = 1.1 * st.q_abs_change[2];
    if (!(hi > 0.0))
        hi = chg[nchg - 1] > 0.0 ? chg[nchg - 1] : 1e-3;
    double edges[STAB_BINS + 1], h[STAB_BINS];
    for (int k = 0; k <= STAB_BINS; k++)
        edges[k] = hi * (double)k / STAB_BINS;
    for (int k = 0; k < STAB_BINS; k++)
        h[k] = 0.0;
    int64_t over = 0;
    for (int64_t i = 0; i < nchg; i++) {
        int k = (int)(chg[i] / hi * STAB_BINS);
        if (k >= STAB_BINS) {
            over += chg[i] > hi;
            k = STAB_BINS - 1;
        }
        h[k] += 1.0 / (double)nchg;
    }
    wn_free(chg);
    wn__plot *p = wn__plot_new("output change under 1% smearing", "|change of P(signal)|",
                               "fraction of rows x repeats");
    if (p) {
        wn__plot_axis(p, 'x', WN__AXIS_LINEAR, 0.0, hi);
        if (wn__plot_hist(p, "held-out", edges, h, STAB_BINS, 1, 0) ||
            wn__plot_refline(p, 'x', st.q_abs_change[0], "median") ||
            wn__plot_refline(p, 'x', st.q_abs_change[1], "90%"))
            r->oom = 1;
    }
    wn__rep_plot(r, p, 480, 360);
    wn__rep_para(r, "caption",
                 "Every input x of %lld held-out rows replaced by x (1 + 0.01 z), z ~ N(0, 1), "
                 "%d times (missing values stay missing). |change of P(signal)|: mean %s, median "
                 "%s, 90%% %s, "
                 "99%% %s; %lld values above the plot range are counted in the last bin.",
                 (long long)nrows, STAB_REPEATS, wn__rep_num(a, st.mean_abs_change),
                 wn__rep_num(b, st.q_abs_change[0]), wn__rep_num(c, st.q_abs_change[1]),
                 wn__rep_num(d, st.q_abs_change[2]), (long long)over);
    if (isfinite(st.auc_mean)) {
        wn__rep_para(r, "caption",
                     "AUC of the smeared copies %s ± %s (mean ± standard deviation over "
                     "%d), nominal %s.",
                     wn__rep_num(a, st.auc_mean), wn__rep_num(b, st.auc_std), STAB_REPEATS,
                     wn__rep_num(c, st.auc_nominal));
        wn__rep_verdict(r, "info",
                        "stability: 1%% smearing of every input changes P(signal) by median %s, "
                        "99%% %s; AUC %s ± %s (nominal %s)",
                        wn__rep_num(d, st.q_abs_change[0]), wn__rep_num(e, st.q_abs_change[2]),
                        wn__rep_num(a, st.auc_mean), wn__rep_num(b, st.auc_std),
                        wn__rep_num(f, st.auc_nominal));
    } else {
        wn__rep_verdict(r, "info",
                        "stability: 1%% smearing of every input changes P(signal) by median %s, "
                        "99%% %s",
                        wn__rep_num(d, st.q_abs_change[0]), wn__rep_num(e, st.q_abs_change[2]));
    }
    wn__rep_panel_close(r);
    return WN_OK;
}

/* ---- input distributions -------------------------------------------------- */

static int cmp_f(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The 0.5% and 99.5% quantiles of the finite values of x (scratch: n
 * floats). Returns 0, or -1 when there are none. */
static int quantile_range(const float *x, int64_t n, float *scratch, double *lo, double *hi)
{
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(x[i]))
            scratch[k++] = x[i];
    if (k == 0)
        return -1;
    qsort(scratch, (size_t)k, sizeof *scratch, cmp_f);
    *lo = (double)scratch[(int64_t)(0.005 * (double)(k - 1))];
    *hi = (double)scratch[(int64_t)(0.995 * (double)(k - 1))];
    if (!(*hi > *lo)) {
        *lo -= 0.5;
        *hi += 0.5;
    }
    return 0;
}

/* Unit-area histogram on edges of the rows with y == cls (cls < 0: all). */
static void dist_hist(const float *x, const float *y, const float *w, int64_t n, int cls, double lo,
                      double hi, double *h)
{
    double tot = 0.0, bw = (hi - lo) / DIST_BINS;
    for (int i = 0; i < DIST_BINS; i++)
        h[i] = 0.0;
    for (int64_t i = 0; i < n; i++) {
        if ((cls >= 0 && y[i] != (float)cls) || !isfinite(x[i]))
            continue;
        double v = wt(w, i);
        tot += v;
        double b = ((double)x[i] - lo) / bw;
        if (b < 0.0 || b > (double)DIST_BINS)
            continue;
        int k = (int)b;
        h[k < DIST_BINS ? k : DIST_BINS - 1] += v;
    }
    for (int i = 0; i < DIST_BINS; i++)
        h[i] = tot != 0.0 ? h[i] / (tot * bw) : 0.0;
}

wn_status wn__rep_inputs(wn__rep *r)
{
    const wn_table *t = r->test ? r->test : r->train;
    const float *y = r->test ? r->yt : r->ytr, *w = r->test ? r->wt : r->wtr;
    int64_t n = wn_table_nrows(t);
    int ncls = r->obj == WN_OBJ_BINARY ? 2 : r->obj == WN_OBJ_MULTICLASS ? r->nout : 0;
    if (ncls > MAX_SPLIT_CLASSES)
        ncls = 0;
    float *x = wn__malloc_array((size_t)n, sizeof *x);
    float *scratch = wn__malloc_array((size_t)n, sizeof *scratch);
    if (!x || !scratch) {
        wn_free(x);
        wn_free(scratch);
        return wn__oom("report input distributions");
    }
    wn__rep_panel_open(r, "inputs", "Input distributions", 1);
    wn__rep_para(r, "caption",
                 "The %d features with the largest split gain, on the %s rows%s; unit area, "
                 "%d bins between the 0.5%% and 99.5%% quantiles.",
                 r->o.max_features, r->test ? "held-out" : "training", ncls ? ", per class" : "",
                 DIST_BINS);
    wn__buf_puts(&r->body, "<div class=\"grid\">\n");
    int64_t nshow = r->nf < r->o.max_features ? r->nf : r->o.max_features;
    for (int64_t i = 0; i < nshow; i++) {
        const char *name = wn_model_feature_name(r->m, r->order[i]);
        int64_t c;
        double lo, hi, edges[DIST_BINS + 1], h[DIST_BINS];
        if (wn_table_find(t, name, &c) != WN_OK)
            continue;
        wn_table_gather(t, c, x);
        if (quantile_range(x, n, scratch, &lo, &hi) != 0) {
            wn__rep_para(r, "note", "%s: no finite values", name);
            continue;
        }
        for (int b = 0; b <= DIST_BINS; b++)
            edges[b] = lo + (hi - lo) * (double)b / DIST_BINS;
        wn__plot *p = wn__plot_new(name, name, "normalised");
        if (!p) {
            r->oom = 1;
            break;
        }
        for (int k = 0; k < (ncls ? ncls : 1); k++) {
            char cn[64];
            dist_hist(x, y, w, n, ncls ? k : -1, lo, hi, h);
            if (ncls)
                wn__rep_class_name(r, k, cn, sizeof cn);
            else
                snprintf(cn, sizeof cn, "all rows");
            if (wn__plot_hist(p, cn, edges, h, DIST_BINS, ncls <= 2, k)) {
                r->oom = 1;
                break;
            }
        }
        wn__rep_plot(r, p, 420, 300);
    }
    wn__buf_puts(&r->body, "</div>\n");
    wn__rep_panel_close(r);
    wn_free(x);
    wn_free(scratch);
    return WN_OK;
}

/* ---- correlations ------------------------------------------------------- */

wn_status wn__rep_correlation(wn__rep *r)
{
    const wn_table *t = r->test ? r->test : r->train;
    const float *y = r->test ? r->yt : r->ytr, *w = r->test ? r->wt : r->wtr;
    int64_t n = wn_table_nrows(t);
    int64_t k = r->nf < r->o.max_features ? r->nf : r->o.max_features;
    int64_t *cols = wn__malloc_array((size_t)k, sizeof *cols);
    const char **labels = wn__malloc_array((size_t)k, sizeof *labels);
    double *cm = wn__malloc_array((size_t)(k * k), sizeof *cm);
    uint8_t *mask = wn__malloc_array((size_t)n, 1);
    wn_status s = WN_OK;
    if (!cols || !labels || !cm || !mask) {
        s = wn__oom("report correlations");
        goto done;
    }
    int64_t kk = 0;
    for (int64_t i = 0; i < k; i++) {
        const char *name = wn_model_feature_name(r->m, r->order[i]);
        if (wn_table_find(t, name, &cols[kk]) == WN_OK)
            labels[kk++] = name;
    }
    wn__rep_panel_open(r, "correlation", "Correlations per class", 0);
    wn__rep_para(r, "caption",
                 "Weighted Pearson correlations of the %lld features with the "
                 "largest split gain, on the %s rows.",
                 (long long)kk, r->test ? "held-out" : "training");
    wn__buf_puts(&r->body, "<div class=\"grid\">\n");
    for (int cls = 0; cls < 2 && kk > 0; cls++) {
        char cn[64];
        for (int64_t i = 0; i < n; i++)
            mask[i] = y[i] == (float)cls;
        wn__rep_class_name(r, cls, cn, sizeof cn);
        s = wn_correlation(t, cols, kk, w, mask, cm);
        if (s == WN_ENOMEM)
            break;
        if (s != WN_OK) {
            wn__rep_para(r, "note", "%s: not available: %s", cn, wn_errmsg());
            s = WN_OK;
            continue;
        }
        int constant = 0;
        for (int64_t i = 0; i < kk * kk; i++)
            if (!isfinite(cm[i])) {
                cm[i] = 0.0;
                constant = 1;
            }
        wn__plot *p = wn__plot_new(cn, NULL, NULL);
        if (p && wn__plot_heatmap(p, labels, cm, kk))
            r->oom = 1;
        wn__rep_plot(r, p, 480, 460);
        if (constant)
            wn__rep_para(r, "note", "%s: a constant feature has no correlation (shown as 0)", cn);
    }
    wn__buf_puts(&r->body, "</div>\n");
    wn__rep_panel_close(r);
done:
    wn_free(cols);
    wn_free(labels);
    wn_free(cm);
    wn_free(mask);
    return s;
}

/* ---- regression and multiclass summaries ----------------------------------- */

wn_status wn__rep_residuals(wn__rep *r)
{
    char a[32], b[32];
    if (r->obj == WN_OBJ_MULTICLASS) {
        double ll = DNAN, err = DNAN;
        wn_status s =
            wn_metric_eval(WN_METRIC_MLOGLOSS, r->yt, r->wt, r->pt, r->nt, r->nout, 1.0, &ll);
        if (s == WN_OK)
            s = wn_metric_eval(WN_METRIC_ERROR, r->yt, r->wt, r->pt, r->nt, r->nout, 1.0, &err);
        if (s == WN_ENOMEM)
            return s;
        if (s != WN_OK)
            wn__rep_verdict(r, "warn", "held-out metrics not available: %s", wn_errmsg());
        else
            wn__rep_verdict(r, "info", "held-out: mlogloss %s, accuracy %s on %lld rows",
                            wn__rep_num(a, ll), wn__rep_num(b, 1.0 - err), (long long)r->nt);
        return WN_OK;
    }
    int64_t n = r->nt;
    float *res = wn__malloc_array((size_t)n, sizeof *res);
    float *scratch = wn__malloc_array((size_t)n, sizeof *scratch);
    if (!res || !scratch) {
        wn_free(res);
        wn_free(scratch);
        return wn__oom("report residuals");
    }
    double sw = 0.0, s1 = 0.0;
    for (int64_t i = 0; i < n; i++) {
        res[i] = (float)((double)r->yt[i] - r->pt[i]);
        if (isfinite(res[i])) {
            sw += wt(r->wt, i);
            s1 += wt(r->wt, i) * (double)res[i];
        }
    }
    double rmse = DNAN, mae = DNAN;
    int ok = wn_metric_eval(WN_METRIC_RMSE, r->yt, r->wt, r->pt, n, 1, 1.0, &rmse) == WN_OK &&
             wn_metric_eval(WN_METRIC_MAE, r->yt, r->wt, r->pt, n, 1, 1.0, &mae) == WN_OK;
    wn__rep_panel_open(r, "residuals", "Residuals", 0);
    double lo, hi, edges[DIST_BINS + 1], h[DIST_BINS];
    if (quantile_range(res, n, scratch, &lo, &hi) == 0) {
        for (int k = 0; k <= DIST_BINS; k++)
            edges[k] = lo + (hi - lo) * (double)k / DIST_BINS;
        dist_hist(res, r->yt, r->wt, n, -1, lo, hi, h);
        wn__plot *p = wn__plot_new("residuals", "label - prediction", "normalised");
        if (p && wn__plot_hist(p, "held-out", edges, h, DIST_BINS, 1, 0))
            r->oom = 1;
        wn__rep_plot(r, p, 480, 360);
    }
    char c[32];
    wn__rep_para(r, "caption", "Held-out rows: RMSE %s, MAE %s, mean residual %s.",
                 ok ? wn__rep_num(a, rmse) : "n/a", ok ? wn__rep_num(b, mae) : "n/a",
                 wn__rep_num(c, sw != 0.0 ? s1 / sw : DNAN));
    if (ok)
        wn__rep_verdict(r, "info", "held-out: RMSE %s, MAE %s on %lld rows", wn__rep_num(a, rmse),
                        wn__rep_num(b, mae), (long long)n);
    wn__rep_panel_close(r);
    wn_free(res);
    wn_free(scratch);
    return WN_OK;
}
