/* report.c — the run report: one self-contained HTML file judging a model.
 *
 * A physicist believes a classifier after a familiar set of plots: the ROC
 * curve and TMVA's efficiency table, the classifier output per class with
 * the training sample overlaid (the overtraining check of TMVA, Hoecker et
 * al. 2007, arXiv:physics/0703039), which inputs matter (split gain,
 * permutation importance on held-out rows — Breiman 2001 — and mean |SHAP|,
 * Lundberg & Lee 2017), whether one input alone gives the answer away (a
 * leak), calibration, stability under 1% input smearing, the inputs themselves and their
 * correlations, the learning curves and what exactly was run. This file gathers the truth and
 * predictions once, runs the model-level panels (importance, learning
 * curves, manifest) and assembles the page; report_panels.c draws the
 * panels about predictions on held-out rows.
 *
 * The page has no scripts and no external resources: inline CSS and inline
 * SVG (svg.c) only, so it opens offline, years later, and can be attached
 * to a logbook. Its bytes are a pure function of the model, the data and
 * the options (no clock, no thread-count dependence). */
#include "report_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PERM_MIN_REPEATS 2
#define MAX_BARS 40 /* features shown in one bar chart */

void wn_report_options_default(wn_report_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->title = NULL;
    o->max_features = 8;
    o->max_rows = 5000;
    o->perm_repeats = 5;
    o->seed = 42;
    o->threads = 0;
}

/* ---- helpers shared with report_panels.c -------------------------------- */

void wn__rep_panel_open(wn__rep *r, const char *id, const char *title, int wide)
{
    wn__buf_printf(&r->body, "<section class=\"panel%s\" id=\"%s\">\n<h2>", wide ? " wide" : "",
                   id);
    wn__buf_escape(&r->body, title);
    wn__buf_puts(&r->body, "</h2>\n");
}

void wn__rep_panel_close(wn__rep *r)
{
    wn__buf_puts(&r->body, "</section>\n");
}

void wn__rep_verdict(wn__rep *r, const char *kind, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    wn__buf_printf(&r->verd, "<li class=\"%s\"><b>%s</b> ", kind, kind);
    wn__buf_escape(&r->verd, text);
    wn__buf_puts(&r->verd, "</li>\n");
}

void wn__rep_para(wn__rep *r, const char *cls, const char *fmt, ...)
{
    char text[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    wn__buf_printf(&r->body, "<p class=\"%s\">", cls);
    wn__buf_escape(&r->body, text);
    wn__buf_puts(&r->body, "</p>\n");
}

void wn__rep_plot(wn__rep *r, wn__plot *p, int w, int h)
{
    if (!p) {
        r->oom = 1;
        return;
    }
    wn__buf_puts(&r->body, "<figure>");
    wn__plot_render(p, w, h, &r->body);
    wn__buf_puts(&r->body, "</figure>\n");
    wn__plot_free(p);
}

const char *wn__rep_num(char *buf, double v)
{
    if (isfinite(v))
        snprintf(buf, 32, "%.4g", v);
    else
        snprintf(buf, 32, "n/a");
    return buf;
}

void wn__rep_class_name(const wn__rep *r, int k, char *buf, size_t size)
{
    if (r->obj == WN_OBJ_BINARY)
        snprintf(buf, size, "%s (%d)", k ? "signal" : "background", k);
    else
        snprintf(buf, size, "class %d", k);
}

/* ---- gathering ---------------------------------------------------------- */

/* Labels and weights of t by the model's column names. The label must be
 * there; a missing weight column means unweighted (*w = NULL). */
static wn_status gather_truth(const wn__rep *r, const wn_table *t, const char *what, float **y,
                              float **w)
{
    int64_t n = wn_table_nrows(t), c;
    const char *label = wn_model_label_name(r->m);
    *y = NULL;
    *w = NULL;
    if (!label || wn_table_find(t, label, &c) != WN_OK)
        return wn__fail(WN_ENOTFOUND, "the %s rows have no label column '%s'", what,
                        label ? label : "(none)");
    *y = wn__malloc_array((size_t)(n ? n : 1), sizeof **y);
    if (!*y)
        return wn__oom("report labels");
    wn_table_gather(t, c, *y);
    const char *wname = wn_model_weight_name(r->m);
    if (wname && wn_table_find(t, wname, &c) == WN_OK) {
        *w = wn__malloc_array((size_t)(n ? n : 1), sizeof **w);
        if (!*w)
            return wn__oom("report weights");
        wn_table_gather(t, c, *w);
    }
    return WN_OK;
}

static wn_status predict_rows(const wn__rep *r, const wn_table *t, double **out)
{
    int64_t n = wn_table_nrows(t);
    if ((uint64_t)n > SIZE_MAX / sizeof(double) / (uint64_t)r->nout)
        return wn__fail(WN_ENOMEM, "report: %lld rows are too many", (long long)n);
    *out = wn__malloc_array((size_t)(n ? n : 1) * (size_t)r->nout, sizeof **out);
    if (!*out)
        return wn__oom("report predictions");
    return n ? wn_gbdt_predict(r->m, t, WN_PREDICT_VALUE, r->o.threads, *out) : WN_OK;
}

typedef struct ranked {
    double v;
    int64_t i;
} ranked;

static int by_v_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

/* order[0..n-1] = indices sorting v descending (ties by index). */
int wn__rep_rank_desc(const double *v, int64_t n, int64_t *order)
{
    ranked *t = wn__malloc_array((size_t)(n ? n : 1), sizeof *t);
    if (!t)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        t[i].v = isfinite(v[i]) ? v[i] : -HUGE_VAL;
        t[i].i = i;
    }
    qsort(t, (size_t)n, sizeof *t, by_v_desc);
    for (int64_t i = 0; i < n; i++)
        order[i] = t[i].i;
    wn_free(t);
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* At most max_rows rows of t, drawn without replacement by the counter RNG
 * (partial Fisher-Yates, then back in table order). *out = NULL: use t. */
static wn_status sample_rows(const wn__rep *r, const wn_table *t, wn_table **out, int64_t **rows)
{
    int64_t n = wn_table_nrows(t), k = r->o.max_rows;
    *out = NULL;
    if (rows)
        *rows = NULL;
    if (k <= 0 || n <= k)
        return WN_OK;
    int64_t *idx = wn__malloc_array((size_t)n, sizeof *idx);
    if (!idx)
        return wn__oom("report row sample");
    for (int64_t i = 0; i < n; i++)
        idx[i] = i;
    wn_rng g = wn_rng_make(r->o.seed, 0x7265706f7274ULL /* "report" */);
    for (int64_t i = 0; i < k; i++) {
        int64_t j = i + (int64_t)wn_rng_below(&g, (uint64_t)(n - i));
        int64_t tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
    }
    qsort(idx, (size_t)k, sizeof *idx, cmp_i64);
    wn_status s = wn_table_view_rows(t, idx, k, out);
    if (s == WN_OK && rows)
        *rows = idx;
    else
        wn_free(idx);
    return s;
}

wn_status wn__rep_sample(const wn__rep *r, const wn_table *t, wn_table **out)
{
    return sample_rows(r, t, out, NULL);
}

wn_status wn__rep_sample_rows(const wn__rep *r, const wn_table *t, wn_table **out, int64_t **rows)
{
    return sample_rows(r, t, out, rows);
}

/* ---- importance ---------------------------------------------------------- */

static wn_metric perm_metric(wn_objective o)
{
    switch (o) {
    case WN_OBJ_BINARY: return WN_METRIC_AUC;
    case WN_OBJ_MULTICLASS: return WN_METRIC_MLOGLOSS;
    case WN_OBJ_L1: return WN_METRIC_MAE;
    case WN_OBJ_HUBER: return WN_METRIC_HUBER;
    default: return WN_METRIC_RMSE;
    }
}

/* Bars of v (with err, may be NULL) for the features in order[0..n-1],
 * at most MAX_BARS of them. */
static void bars(wn__rep *r, const char *title, const char *xlabel, const char *series,
                 const double *v, const double *err, const int64_t *order, int64_t n, int colour)
{
    int64_t k = n < MAX_BARS ? n : MAX_BARS;
    const char **labels = wn__malloc_array((size_t)(k ? k : 1), sizeof *labels);
    double *bv = wn__malloc_array((size_t)(k ? k : 1), sizeof *bv);
    double *be = wn__malloc_array((size_t)(k ? k : 1), sizeof *be);
    wn__plot *p = wn__plot_new(title, xlabel, NULL);
    if (!labels || !bv || !be || !p) {
        r->oom = 1;
        goto done;
    }
    for (int64_t i = 0; i < k; i++) {
        labels[i] = wn_model_feature_name(r->m, order[i]);
        bv[i] = v[order[i]];
        be[i] = err ? err[order[i]] : 0.0;
    }
    if (wn__plot_hbars(p, series, labels, bv, err ? be : NULL, k, colour) != 0) {
        r->oom = 1;
        goto done;
    }
    wn__rep_plot(r, p, 440, (int)(70 + 20 * k));
    p = NULL;
    if (n > k)
        wn__rep_para(r, "caption", "the top %lld of %lld features", (long long)k, (long long)n);
done:
    wn__plot_free(p);
    wn_free(labels);
    wn_free(bv);
    wn_free(be);
}

static wn_status panel_importance(wn__rep *r)
{
    int64_t nf = r->nf;
    const wn_table *src = r->test ? r->test : r->train;
    wn_table *view = NULL, *sview = NULL;
    double *frac = NULL, *mean = NULL, *sd = NULL, *shap = NULL, *mabs = NULL;
    int64_t *ord = NULL;
    wn_status s = WN_OK;

    wn__rep_panel_open(r, "importance", "Feature importance", 1);
    wn__rep_para(r, "caption",
                 "Left: share of the total split gain (all trees). Middle: permutation "
                 "importance on held-out rows, the loss of %s when one feature is shuffled "
                 "(mean and standard deviation over %d shuffles). Right: mean |SHAP value| "
                 "(TreeSHAP) in raw-score units.",
                 wn_metric_name(perm_metric(r->obj)),
                 r->o.perm_repeats < PERM_MIN_REPEATS ? PERM_MIN_REPEATS : r->o.perm_repeats);
    wn__buf_puts(&r->body, "<div class=\"grid\">\n");
    frac = wn__malloc_array((size_t)nf, sizeof *frac);
    ord = wn__malloc_array((size_t)nf, sizeof *ord);
    if (!frac || !ord) {
        s = wn__oom("report importance");
        goto done;
    }
    double tot = 0.0;
    for (int64_t i = 0; i < nf; i++)
        tot += r->gain[i];
    for (int64_t i = 0; i < nf; i++)
        frac[i] = tot > 0.0 ? r->gain[i] / tot : 0.0;
    bars(r, "split gain", "fraction of total gain", "gain", frac, NULL, r->order, nf, 0);

    if (src && (s = sample_rows(r, src, &view, NULL)) != WN_OK)
        goto done;
    const wn_table *samp = view ? view : src;
    int64_t ns = samp ? wn_table_nrows(samp) : 0;

    if (r->test && ns >= 2) {
        mean = wn__malloc_array((size_t)nf, sizeof *mean);
        sd = wn__malloc_array((size_t)nf, sizeof *sd);
        if (!mean || !sd) {
            s = wn__oom("report permutation importance");
            goto done;
        }
        int reps = r->o.perm_repeats < PERM_MIN_REPEATS ? PERM_MIN_REPEATS : r->o.perm_repeats;
        s = wn_gbdt_permutation_importance(r->m, samp, perm_metric(r->obj), reps, r->o.seed,
                                           r->o.threads, mean, sd);
        if (s == WN_ENOMEM)
            goto done;
        if (s == WN_OK && wn__rep_rank_desc(mean, nf, ord) != 0) {
            s = wn__oom("report permutation ranking");
            goto done;
        }
        if (s == WN_OK) {
            char tl[96];
            snprintf(tl, sizeof tl, "permutation importance (%lld rows)", (long long)ns);
            bars(r, tl, "metric loss when shuffled", "permutation", mean, sd, ord, nf, 1);
        } else {
            wn__rep_para(r, "note", "permutation importance not available: %s", wn_errmsg());
        }
        s = WN_OK;
    } else {
        wn__rep_para(r, "note", "permutation importance needs held-out rows with labels");
    }

    /* Exact TreeSHAP costs about (leaves x depth^2) per row and tree: 0.45 us
     * per split and row on this project's machine, 58 ms a row for a
     * 500-tree, 255-leaf model. The SHAP rows are an even thinning of the
     * sample to a budget of ~3e7 split-rows (a few seconds), at least 200. */
    if (ns >= 1) {
        double splits = 0;
        double *sp = wn__malloc_array((size_t)nf, sizeof *sp);
        if (!sp) {
            s = wn__oom("report SHAP budget");
            goto done;
        }
        if (wn_gbdt_importance(r->m, WN_IMPORTANCE_SPLITS, sp) == WN_OK)
            for (int64_t j = 0; j < nf; j++)
                splits += sp[j];
        wn_free(sp);
        double cap = splits > 0 ? 3e7 / splits : (double)ns;
        int64_t nk = cap < 200 ? 200 : cap > (double)ns ? ns : (int64_t)cap;
        if (nk < ns) {
            int64_t *ix = wn__malloc_array((size_t)nk, sizeof *ix);
            if (!ix) {
                s = wn__oom("report SHAP rows");
                goto done;
            }
            for (int64_t i = 0; i < nk; i++)
                ix[i] = (int64_t)((double)i * (double)ns / (double)nk);
            s = wn_table_view_rows(samp, ix, nk, &sview);
            wn_free(ix);
            if (s != WN_OK)
                goto done;
            samp = sview;
            ns = nk;
        }
    }
    if (ns >= 1) {
        size_t per = (size_t)r->nout * (size_t)(nf + 1);
        if ((uint64_t)ns > SIZE_MAX / sizeof(double) / per) {
            s = wn__fail(WN_ENOMEM, "report: SHAP values of %lld rows are too large",
                         (long long)ns);
            goto done;
        }
        shap = wn__malloc_array((size_t)ns * per, sizeof *shap);
        mabs = wn__calloc((size_t)nf, sizeof *mabs);
        if (!shap || !mabs) {
            s = wn__oom("report SHAP values");
            goto done;
        }
        s = wn_gbdt_shap(r->m, samp, r->o.threads, shap);
        if (s == WN_ENOMEM)
            goto done;
        if (s == WN_OK) {
            for (int64_t row = 0; row < ns; row++)
                for (int k = 0; k < r->nout; k++) {
                    const double *v =
                        shap + ((size_t)row * (size_t)r->nout + (size_t)k) * (size_t)(nf + 1);
                    for (int64_t j = 0; j < nf; j++)
                        mabs[j] += fabs(v[j]);
                }
            for (int64_t j = 0; j < nf; j++)
                mabs[j] /= (double)ns;
            if (wn__rep_rank_desc(mabs, nf, ord) != 0) {
                s = wn__oom("report SHAP ranking");
                goto done;
            }
            char tl[96];
            snprintf(tl, sizeof tl, "mean |SHAP| (%lld %s rows)", (long long)ns,
                     r->test ? "held-out" : "training");
            bars(r, tl, "mean |SHAP value|", "SHAP", mabs, NULL, ord, nf, 2);
        } else {
            wn__rep_para(r, "note", "SHAP values not available: %s", wn_errmsg());
        }
        s = WN_OK;
    }
done:
    wn__buf_puts(&r->body, "</div>\n");
    wn__rep_panel_close(r);
    wn_table_free(sview);
    wn_table_free(view);
    wn_free(frac);
    wn_free(ord);
    wn_free(mean);
    wn_free(sd);
    wn_free(shap);
    wn_free(mabs);
    return s;
}

/* ---- learning curves ----------------------------------------------------- */

static wn_status panel_learning(wn__rep *r)
{
    int nfold = wn_model_num_folds(r->m);
    wn__rep_panel_open(r, "learning", "Learning curves", 0);
    wn__rep_para(r, "caption",
                 "The metric per boosting round on the training rows (evaluated every 10th "
                 "round and at the last) and on the validation rows; a dashed line marks the "
                 "rounds kept after early stopping.");
    wn__buf_puts(&r->body, "<div class=\"grid\">\n");
    for (int f = 0; f < nfold; f++) {
        wn_metric met = WN_METRIC_DEFAULT;
        const double *tr = NULL, *va = NULL;
        int64_t n = 0;
        if (wn_model_history(r->m, f, &met, &tr, &va, &n) != WN_OK || n < 1) {
            wn__rep_para(r, "note", "fold %d: no metric history", f);
            continue;
        }
        double *x = wn__malloc_array((size_t)n, sizeof *x);
        double *xt = wn__malloc_array((size_t)n, sizeof *xt);
        double *yt = wn__malloc_array((size_t)n, sizeof *yt);
        char title[64];
        if (nfold > 1)
            snprintf(title, sizeof title, "fold %d", f);
        else
            snprintf(title, sizeof title, "learning curve");
        wn__plot *p = wn__plot_new(title, "boosting round", wn_metric_name(met));
        if (!x || !xt || !yt || !p) {
            wn_free(x);
            wn_free(xt);
            wn_free(yt);
            wn__plot_free(p);
            return wn__oom("report learning curves");
        }
        int64_t nt = 0;
        for (int64_t i = 0; i < n; i++) {
            x[i] = (double)(i + 1);
            if (tr && isfinite(tr[i])) {
                xt[nt] = (double)(i + 1);
                yt[nt++] = tr[i];
            }
        }
        int bad = 0;
        if (nt > 0)
            bad |= wn__plot_line(p, NULL, xt, yt, nt, 0) != 0 ||
                   wn__plot_points(p, "train", xt, yt, NULL, nt, 0) != 0;
        if (va)
            bad |= wn__plot_line(p, "valid", x, va, n, 1) != 0;
        int64_t kept = wn_model_num_rounds(r->m, f);
        if (kept > 0 && kept < n)
            bad |= wn__plot_refline(p, 'x', (double)kept, "kept") != 0;
        wn_free(x);
        wn_free(xt);
        wn_free(yt);
        if (bad) {
            wn__plot_free(p);
            return wn__oom("report learning curves");
        }
        wn__rep_plot(r, p, 560, 360);
    }
    wn__buf_puts(&r->body, "</div>\n");
    wn__rep_panel_close(r);
    return WN_OK;
}

/* ---- manifest ------------------------------------------------------------ */

/* JSON text re-indented two spaces per level (strings copied verbatim),
 * HTML-escaped into b. Tolerates anything: it only tracks strings and
 * brackets. */
void wn__rep_json_pretty(wn__buf *b, const char *js)
{
    int depth = 0, in_str = 0, esc = 0;
    char c1[2] = {0, 0};
    for (const char *q = js; *q; q++) {
        char c = *q;
        if (in_str) {
            c1[0] = c;
            if (c == '"' && !esc) {
                wn__buf_puts(b, "\"");
                in_str = 0;
                continue;
            }
            wn__buf_escape(b, c1);
            esc = !esc && c == '\\';
            continue;
        }
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
            continue;
        if (c == '"') {
            in_str = 1;
            wn__buf_puts(b, "\"");
        } else if (c == '{' || c == '[') {
            const char *nx = q + 1;
            while (*nx == ' ' || *nx == '\n' || *nx == '\t' || *nx == '\r')
                nx++;
            if (*nx == (c == '{' ? '}' : ']')) {
                wn__buf_puts(b, c == '{' ? "{}" : "[]");
                q = nx;
                continue;
            }
            depth++;
            wn__buf_printf(b, "%c\n%*s", c, 2 * depth, "");
        } else if (c == '}' || c == ']') {
            depth = depth > 0 ? depth - 1 : 0;
            wn__buf_printf(b, "\n%*s%c", 2 * depth, "", c);
        } else if (c == ',') {
            wn__buf_printf(b, ",\n%*s", 2 * depth, "");
        } else if (c == ':') {
            wn__buf_puts(b, ": ");
        } else {
            c1[0] = c;
            wn__buf_escape(b, c1);
        }
    }
}

static void panel_manifest(wn__rep *r)
{
    wn__rep_panel_open(r, "manifest", "Manifest", 1);
    wn__buf_puts(&r->body, "<table class=\"kv\">\n");
    wn__buf_printf(&r->body, "<tr><th>winnow</th><td>%s</td></tr>\n", wn_version());
    wn__buf_puts(&r->body, "<tr><th>training rows in this report</th><td>");
    if (r->train)
        wn__buf_printf(&r->body, "%lld", (long long)wn_table_nrows(r->train));
    else
        wn__buf_puts(&r->body, "none");
    wn__buf_puts(&r->body, "</td></tr>\n<tr><th>held-out rows</th><td>");
    if (r->test)
        wn__buf_printf(&r->body, "%lld", (long long)wn_table_nrows(r->test));
    else
        wn__buf_puts(&r->body, "none");
    wn__buf_printf(&r->body,
                   "</td></tr>\n<tr><th>rows sampled for SHAP and permutation importance</th>"
                   "<td>at most %lld</td></tr>\n"
                   "<tr><th>permutation repeats</th><td>%d</td></tr>\n"
                   "<tr><th>report seed</th><td>%llu</td></tr>\n"
                   "<tr><th>features in the per-feature panels</th><td>%d</td></tr>\n"
                   "</table>\n",
                   (long long)r->o.max_rows, r->o.perm_repeats, (unsigned long long)r->o.seed,
                   r->o.max_features);
    wn__rep_para(r, "caption",
                 "The model file's header: parameters, data fingerprint, seed, "
                 "version and command line.");
    const char *h = wn_model_header(r->m);
    wn__buf_puts(&r->body, "<pre>");
    wn__rep_json_pretty(&r->body, h ? h : "{}");
    wn__buf_puts(&r->body, "</pre>\n");
    wn__rep_panel_close(r);
}

/* ---- assembly: page.c ---------------------------------------------------- */

/* The line under the title: kind, objective, features, label, weights. */
static void page_meta(const wn__rep *r, char *meta, size_t size)
{
    const char *wname = wn_model_weight_name(r->m);
    int n = snprintf(meta, size, "%s model, objective %s%s, %lld features, label '%s'%s%s%s",
                     wn_model_kind(r->m), wn_objective_name(r->obj),
                     r->obj == WN_OBJ_MULTICLASS ? " (classes in outputs)" : "", (long long)r->nf,
                     wn_model_label_name(r->m), wname ? ", weights '" : "", wname ? wname : "",
                     wname ? "'" : "");
    size_t len = n > 0 && (size_t)n < size ? (size_t)n : size - 1;
    if (wn_model_ensemble_size(r->m) > 1)
        snprintf(meta + len, size - len, ", ensemble of %d bagged models",
                 wn_model_ensemble_size(r->m));
    else if (wn_model_num_folds(r->m) > 1)
        snprintf(meta + len, size - len, ", %d folds by '%s'", wn_model_num_folds(r->m),
                 wn_model_fold_by(r->m));
    len = strlen(meta);
    if (r->obj == WN_OBJ_MULTICLASS)
        snprintf(meta + len, size - len, ", %d classes", r->nout);
}

static void rep_free(wn__rep *r)
{
    wn_free(r->order);
    wn_free(r->gain);
    wn_free(r->yt);
    wn_free(r->wt);
    wn_free(r->ytr);
    wn_free(r->wtr);
    wn_free(r->pt);
    wn_free(r->ptr);
    wn__buf_free(&r->body);
    wn__buf_free(&r->verd);
}

wn_status wn_gbdt_report(const wn_model *m, const wn_table *train, const wn_table *test,
                         const wn_report_options *o, const char *path)
{
    if (!m || !path || !*path)
        return wn__fail(WN_EINVAL, "wn_gbdt_report: model and path are required");
    wn__rep r;
    memset(&r, 0, sizeof r);
    r.m = m;
    if (o)
        r.o = *o;
    else
        wn_report_options_default(&r.o);
    if (r.o.max_features < 1)
        r.o.max_features = 1;
    if (r.o.max_rows < 100)
        r.o.max_rows = 100;
    if (r.o.perm_repeats < PERM_MIN_REPEATS)
        r.o.perm_repeats = PERM_MIN_REPEATS;
    r.obj = wn_model_objective(m);
    r.nout = wn_model_num_outputs(m);
    r.nf = wn_model_num_features(m);
    if (r.nout < 1 || r.nf < 1)
        return wn__fail(WN_EINVAL, "wn_gbdt_report: the model has no outputs or features");
    if (test && wn_table_nrows(test) < 1)
        test = NULL;
    if (train && wn_table_nrows(train) < 1)
        train = NULL;
    r.train = train;
    r.test = test;

    wn_status s = WN_OK;
    r.gain = wn__malloc_array((size_t)r.nf, sizeof *r.gain);
    r.order = wn__malloc_array((size_t)r.nf, sizeof *r.order);
    if (!r.gain || !r.order) {
        s = wn__oom("report");
        goto done;
    }
    if ((s = wn_gbdt_importance(m, WN_IMPORTANCE_GAIN, r.gain)) != WN_OK)
        goto done;
    if (wn__rep_rank_desc(r.gain, r.nf, r.order) != 0) {
        s = wn__oom("report");
        goto done;
    }
    if (test) {
        r.nt = wn_table_nrows(test);
        if ((s = gather_truth(&r, test, "held-out", &r.yt, &r.wt)) != WN_OK ||
            (s = predict_rows(&r, test, &r.pt)) != WN_OK)
            goto done;
    }
    if (train) {
        r.ntr = wn_table_nrows(train);
        if ((s = gather_truth(&r, train, "training", &r.ytr, &r.wtr)) != WN_OK ||
            (s = predict_rows(&r, train, &r.ptr)) != WN_OK)
            goto done;
    }

    int binary = r.obj == WN_OBJ_BINARY;
    if (binary && test) {
        if ((s = wn__rep_roc(&r)) != WN_OK || (s = wn__rep_output(&r)) != WN_OK)
            goto done;
    }
    if (!binary && test &&
        ((s = wn__rep_residuals(&r)) != WN_OK || (s = wn__rep_multiclass(&r)) != WN_OK ||
         (s = wn__rep_regression(&r)) != WN_OK))
        goto done;
    if ((s = panel_importance(&r)) != WN_OK)
        goto done;
    if ((s = wn__rep_decoy(&r)) != WN_OK)
        goto done;
    if (binary && (test || train)) {
        if ((s = wn__rep_leak(&r)) != WN_OK)
            goto done;
        if (test && (s = wn__rep_calibration(&r)) != WN_OK)
            goto done;
        if (test && (s = wn__rep_stability(&r)) != WN_OK)
            goto done;
        if (test && (s = wn__rep_ensemble(&r)) != WN_OK)
            goto done;
    }
    if ((test || train) && (s = wn__rep_inputs(&r)) != WN_OK)
        goto done;
    if (binary && (test || train) && (s = wn__rep_correlation(&r)) != WN_OK)
        goto done;
    if ((s = panel_learning(&r)) != WN_OK)
        goto done;
    panel_manifest(&r);

    char title[1200], meta[2048];
    if (r.o.title)
        snprintf(title, sizeof title, "%s", r.o.title);
    else
        snprintf(title, sizeof title, "winnow report: %s %s, label '%s'", wn_objective_name(r.obj),
                 wn_model_kind(m), wn_model_label_name(m));
    page_meta(&r, meta, sizeof meta);
    s = wn__rep_write_page(&r, title, meta, "no checks apply without held-out rows", path);
done:
    if (s == WN_OK && r.oom)
        s = wn__oom("report");
    rep_free(&r);
    return s;
}
