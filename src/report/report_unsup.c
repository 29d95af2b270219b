/* report_unsup.c — the report of an unsupervised run (`winnow reduce`,
 * `cluster`, `anomalies`): the page machinery of the training report
 * (page.c) with panels for what was fitted. The panels read the model
 * through its public accessors and the data through the table, so they
 * show exactly what a user of the library would get.
 *
 * Per-feature views (centres, 2-D projections, feature distributions) use a
 * sample of at most o.max_rows rows drawn by the counter RNG; distributions
 * of a per-row result (scores, cluster sizes) use every row. Features are
 * shown in z units (the sample's mean and standard deviation), so that a
 * GeV and a radian can sit in one picture. The anomaly panels are in
 * report_anom.c. */
#include "report_unsup_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the model, whichever it is ---- */

static const char *kind_name(const wn_unsup_report *u)
{
    return u->pca ? "PCA" : u->kmeans ? "k-means" : u->gmm ? "Gaussian mixture" : u->som ? "SOM"
                                                                                            : "isolation forest";
}

static int64_t model_nf(const wn_unsup_report *u)
{
    return u->pca      ? wn_pca_num_features(u->pca)
           : u->kmeans ? wn_kmeans_num_features(u->kmeans)
           : u->gmm    ? wn_gmm_num_features(u->gmm)
           : u->som    ? wn_som_num_features(u->som)
                       : wn_iforest_num_features(u->iforest);
}

static const char *model_fname(const wn_unsup_report *u, int64_t i)
{
    return u->pca      ? wn_pca_feature_name(u->pca, i)
           : u->kmeans ? wn_kmeans_feature_name(u->kmeans, i)
           : u->gmm    ? wn_gmm_feature_name(u->gmm, i)
           : u->som    ? wn_som_feature_name(u->som, i)
                       : wn_iforest_feature_name(u->iforest, i);
}

static const char *model_header(const wn_unsup_report *u)
{
    return u->pca      ? wn_pca_header(u->pca)
           : u->kmeans ? wn_kmeans_header(u->kmeans)
           : u->gmm    ? wn_gmm_header(u->gmm)
           : u->som    ? wn_som_header(u->som)
                       : wn_iforest_header(u->iforest);
}

/* ---- data gathered once ---- */

void wn__urep_free(wn__urep *q)
{
    wn_free(q->fnames);
    wn_free(q->x);
    wn_free(q->mu);
    wn_free(q->sd);
    wn_free(q->srows);
    wn_free(q->y);
    wn_free(q->ys);
    wn_table_free(q->sample);
    wn__buf_free(&q->r.body);
    wn__buf_free(&q->r.verd);
}

/* Class of a label value: 0..ncls-1, or -1 (NaN, negative, not integer). */
static int class_of(float v, int ncls)
{
    if (!(v >= 0) || v != floorf(v) || v >= (float)ncls)
        return -1;
    return (int)v;
}

static wn_status gather(wn__urep *q)
{
    const wn_unsup_report *u = q->u;
    q->n = wn_table_nrows(u->t);
    q->nf = model_nf(u);
    q->fnames = wn__malloc_array((size_t)q->nf, sizeof *q->fnames);
    if (!q->fnames)
        return wn__oom("report");
    for (int64_t f = 0; f < q->nf; f++)
        q->fnames[f] = model_fname(u, f);
    int64_t *rows = NULL;
    wn_status s = wn__rep_sample_rows(&q->r, u->t, &q->sample, &rows);
    if (s != WN_OK)
        return s;
    const wn_table *st = q->sample ? q->sample : u->t;
    q->ns = wn_table_nrows(st);
    /* srows[i]: the row of t of sample row i */
    q->srows = rows ? rows : wn__malloc_array((size_t)(q->ns ? q->ns : 1), sizeof *q->srows);
    q->x = wn__malloc_array((size_t)(q->ns ? q->ns : 1) * (size_t)q->nf, sizeof *q->x);
    q->mu = wn__calloc((size_t)q->nf, sizeof *q->mu);
    q->sd = wn__calloc((size_t)q->nf, sizeof *q->sd);
    if (!q->srows || !q->x || !q->mu || !q->sd)
        return wn__oom("report");
    for (int64_t i = 0; !rows && i < q->ns; i++)
        q->srows[i] = i;
    for (int64_t f = 0; f < q->nf; f++) {
        int64_t c;
        if ((s = wn_table_find(st, q->fnames[f], &c)) != WN_OK)
            return s;
        float *col = q->x + f * q->ns;
        wn_table_gather(st, c, col);
        double m = 0, m2 = 0;
        int64_t k = 0;
        for (int64_t i = 0; i < q->ns; i++)
            if (isfinite(col[i])) {
                k++;
                double d = (double)col[i] - m;
                m += d / (double)k;
                m2 += d * ((double)col[i] - m);
            }
        q->mu[f] = m;
        q->sd[f] = k > 1 && m2 > 0 ? sqrt(m2 / (double)(k - 1)) : 1.0;
    }
    if (u->label) {
        int64_t c;
        if ((s = wn_table_find(u->t, u->label, &c)) != WN_OK)
            return s;
        q->y = wn__malloc_array((size_t)(q->n ? q->n : 1), sizeof *q->y);
        q->ys = wn__malloc_array((size_t)(q->ns ? q->ns : 1), sizeof *q->ys);
        if (!q->y || !q->ys)
            return wn__oom("report labels");
        wn_table_gather(u->t, c, q->y);
        float mx = -1;
        for (int64_t i = 0; i < q->n; i++)
            if (q->y[i] >= 0 && q->y[i] == floorf(q->y[i]) && q->y[i] > mx && q->y[i] < 64)
                mx = q->y[i];
        q->ncls = (int)mx + 1;
        for (int64_t i = 0; i < q->ns; i++)
            q->ys[i] = q->y[q->srows[i]];
        q->levels_col = c;
    }
    return WN_OK;
}

int wn__urep_class(const wn__urep *q, float v)
{
    return class_of(v, q->ncls);
}

void wn__urep_class_name(const wn__urep *q, int k, char *buf, size_t size)
{
    const char *lv = q->u->label && wn_table_nlevels(q->u->t, q->levels_col) > k
                         ? wn_table_level(q->u->t, q->levels_col, k)
                         : NULL;
    if (lv)
        snprintf(buf, size, "%s (%d)", lv, k);
    else
        snprintf(buf, size, "%s = %d", q->u->label ? q->u->label : "class", k);
}

/* ---- PCA ---- */

static void panel_variance(wn__urep *q)
{
    wn__rep *r = &q->r;
    const wn_pca *m = q->u->pca;
    const int64_t nf = q->nf;
    const int kept = wn_pca_num_components(m);
    const double *v = wn_pca_variance(m);
    double tot = 0;
    for (int64_t i = 0; i < nf; i++)
        tot += v[i];
    double edges[WN__UREP_MAXF + 1], h[WN__UREP_MAXF], x[WN__UREP_MAXF], cum[WN__UREP_MAXF];
    int64_t shown = nf < WN__UREP_MAXF ? nf : WN__UREP_MAXF;
    double c = 0;
    for (int64_t i = 0; i < shown; i++) {
        edges[i] = (double)i + 0.5;
        h[i] = tot > 0 ? v[i] / tot : 0;
        c += h[i];
        cum[i] = c;
        x[i] = (double)i + 1;
    }
    edges[shown] = (double)shown + 0.5;
    wn__rep_panel_open(r, "variance", "Explained variance", 0);
    wn__plot *p = wn__plot_new("explained variance per component", "component",
                               "fraction of the total variance");
    if (p) {
        wn__plot_axis(p, 'y', WN__AXIS_LINEAR, 0, 1);
        if (wn__plot_hist(p, "each", edges, h, shown, 1, 0) ||
            wn__plot_line(p, "cumulative", x, cum, shown, 1) ||
            wn__plot_refline(p, 'x', (double)kept + 0.5, "kept"))
            r->oom = 1;
    }
    wn__rep_plot(r, p, 480, 340);
    char a[32], b[32];
    double kf = 0;
    for (int i = 0; i < kept && i < nf; i++)
        kf += tot > 0 ? v[i] / tot : 0;
    wn__rep_para(r, "caption",
                 "%lld features%s; %d component%s kept, explaining %s%% of the variance of %lld "
                 "fitted rows (%lld left out for missing values). Largest eigenvalue %s.",
                 (long long)nf, q->standardized ? ", each standardised to unit variance" : "",
                 kept, kept > 1 ? "s" : "", wn__rep_num(a, 100 * kf),
                 (long long)wn_pca_num_rows(m), (long long)wn_pca_num_dropped(m),
                 wn__rep_num(b, v[0]));
    wn__rep_verdict(r, "info", "PCA: %d of %lld components explain %s%% of the variance", kept,
                    (long long)nf, a);
    wn__rep_panel_close(r);
}

static void panel_loadings(wn__urep *q)
{
    wn__rep *r = &q->r;
    const wn_pca *m = q->u->pca;
    int k = wn_pca_num_components(m);
    if (k > 10)
        k = 10;
    const int64_t nf = q->nf;
    char(*rl)[16] = wn__malloc_array((size_t)k, sizeof *rl);
    const char **rlab = wn__malloc_array((size_t)k, sizeof *rlab);
    if (!rl || !rlab) {
        wn_free(rl), wn_free(rlab);
        r->oom = 1;
        return;
    }
    for (int i = 0; i < k; i++) {
        snprintf(rl[i], sizeof rl[i], "PC%d", i + 1);
        rlab[i] = rl[i];
    }
    wn__rep_panel_open(r, "loadings", "Loadings", nf > 12);
    wn__plot *p = wn__plot_new("components (rows) by feature (columns)", NULL, NULL);
    if (p && wn__plot_matrix(p, rlab, q->fnames, wn_pca_components(m), k, nf, 1))
        r->oom = 1;
    wn__rep_plot(r, p, nf > 12 ? 960 : 480, 120 + 30 * k + (nf > 12 ? 80 : 40));
    wn__rep_para(r, "caption",
                 "Each component is a unit vector over the features (signed so that its largest "
                 "entry is positive): the weight of each feature in it.");
    wn__rep_panel_close(r);
    wn_free(rl), wn_free(rlab);
}

/* The sample projected on two axes: PCA scores of the model itself, or of a
 * 2-component PCA of the sample (for the clustering views). xy[2*ns]. */
static wn_status project2(wn__urep *q, const wn_pca *m, double *xy)
{
    const wn_table *st = q->sample ? q->sample : q->u->t;
    int k = wn_pca_num_components(m);
    double *sc = wn__malloc_array((size_t)(q->ns ? q->ns : 1) * (size_t)k, sizeof *sc);
    if (!sc)
        return wn__oom("report");
    wn_status s = wn_pca_transform(m, st, 1, q->r.o.threads, sc, NULL);
    for (int64_t i = 0; s == WN_OK && i < q->ns; i++) {
        xy[2 * i] = sc[i * k];
        xy[2 * i + 1] = k > 1 ? sc[i * k + 1] : 0;
    }
    wn_free(sc);
    return s;
}

/* Points coloured by category (cat per sample row), or a density map. */
static void plane_plot(wn__urep *q, const char *title, const char *xl, const char *yl,
                       const double *xy, const int32_t *cat, int ncat, const char *const *names)
{
    wn__rep *r = &q->r;
    const int64_t ns = q->ns;
    double *x = wn__malloc_array((size_t)(ns ? ns : 1), sizeof *x);
    double *y = wn__malloc_array((size_t)(ns ? ns : 1), sizeof *y);
    if (!x || !y) {
        wn_free(x), wn_free(y);
        r->oom = 1;
        return;
    }
    double x0 = HUGE_VAL, x1 = -HUGE_VAL, y0 = HUGE_VAL, y1 = -HUGE_VAL;
    for (int64_t i = 0; i < ns; i++) {
        x[i] = xy[2 * i];
        y[i] = xy[2 * i + 1];
        if (isfinite(x[i]) && isfinite(y[i])) {
            x0 = fmin(x0, x[i]), x1 = fmax(x1, x[i]);
            y0 = fmin(y0, y[i]), y1 = fmax(y1, y[i]);
        }
    }
    wn__plot *p = wn__plot_new(title, xl, yl);
    if (p && cat) {
        if (wn__plot_scatter(p, x, y, cat, ns, names, ncat, 4000))
            r->oom = 1;
    } else if (p && x1 > x0 && y1 > y0) {
        enum { NB = 60 };
        double *cnt = wn__calloc(NB * NB, sizeof *cnt);
        if (!cnt) {
            r->oom = 1;
        } else {
            for (int64_t i = 0; i < ns; i++) {
                if (!isfinite(x[i]) || !isfinite(y[i]))
                    continue;
                int ix = (int)((x[i] - x0) / (x1 - x0) * NB), iy = (int)((y[i] - y0) / (y1 - y0) * NB);
                cnt[(iy < NB ? iy : NB - 1) * NB + (ix < NB ? ix : NB - 1)] += 1;
            }
            wn__plot_axis(p, 'x', WN__AXIS_LINEAR, x0, x1);
            wn__plot_axis(p, 'y', WN__AXIS_LINEAR, y0, y1);
            if (wn__plot_density(p, cnt, NB, NB, x0, x1, y0, y1, 1))
                r->oom = 1;
            wn_free(cnt);
        }
    }
    wn__rep_plot(r, p, 480, 420);
    wn_free(x), wn_free(y);
}

/* Class of each sample row as a category (or NULL without a label). */
static int32_t *sample_classes(wn__urep *q, char (**names)[64], const char ***np)
{
    if (!q->ys || q->ncls < 1)
        return NULL;
    int32_t *c = wn__malloc_array((size_t)(q->ns ? q->ns : 1), sizeof *c);
    *names = wn__malloc_array((size_t)q->ncls, sizeof **names);
    *np = wn__malloc_array((size_t)q->ncls, sizeof **np);
    if (!c || !*names || !*np) {
        wn_free(c), wn_free(*names), wn_free((void *)*np);
        *names = NULL, *np = NULL;
        q->r.oom = 1;
        return NULL;
    }
    for (int64_t i = 0; i < q->ns; i++)
        c[i] = wn__urep_class(q, q->ys[i]);
    for (int k = 0; k < q->ncls; k++) {
        wn__urep_class_name(q, k, (*names)[k], sizeof (*names)[k]);
        (*np)[k] = (*names)[k];
    }
    return c;
}

static void panel_pca_plane(wn__urep *q)
{
    wn__rep *r = &q->r;
    double *xy = wn__malloc_array((size_t)(q->ns ? q->ns : 1) * 2, sizeof *xy);
    if (!xy) {
        r->oom = 1;
        return;
    }
    wn__rep_panel_open(r, "plane", "First two components", 0);
    wn_status s = project2(q, q->u->pca, xy);
    if (s != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
    } else {
        char(*names)[64] = NULL;
        const char **np = NULL;
        int32_t *cat = sample_classes(q, &names, &np);
        plane_plot(q, cat ? "PC1 vs PC2 by class" : "PC1 vs PC2 (density, log scale)", "PC1",
                   wn_pca_num_components(q->u->pca) > 1 ? "PC2" : "(one component kept)", xy, cat,
                   q->ncls, np);
        wn__rep_para(r, "caption", "%lld rows%s.", (long long)q->ns,
                     q->sample ? " sampled at random" : "");
        wn_free(cat), wn_free(names), wn_free((void *)np);
    }
    wn_free(xy);
    wn__rep_panel_close(r);
}

/* ---- clusters ---- */

static int n_clusters(const wn__urep *q)
{
    const wn_unsup_report *u = q->u;
    if (u->kmeans)
        return wn_kmeans_k(u->kmeans);
    if (u->gmm)
        return wn_gmm_k(u->gmm);
    if (u->som) {
        int gr, gc;
        wn_som_topology tp;
        wn_som_grid(u->som, &gr, &gc, &tp);
        return gr * gc;
    }
    return 0;
}

static void panel_sizes(wn__urep *q, int k)
{
    wn__rep *r = &q->r;
    double *sz = wn__calloc((size_t)k, sizeof *sz);
    char(*lab)[24] = wn__malloc_array((size_t)k, sizeof *lab);
    const char **lp = wn__malloc_array((size_t)k, sizeof *lp);
    if (!sz || !lab || !lp) {
        wn_free(sz), wn_free(lab), wn_free((void *)lp);
        r->oom = 1;
        return;
    }
    int64_t none = 0;
    for (int64_t i = 0; i < q->n; i++) {
        int32_t c = q->u->cluster[i];
        if (c >= 0 && c < k)
            sz[c] += 1;
        else
            none++;
    }
    for (int c = 0; c < k; c++) {
        snprintf(lab[c], sizeof lab[c], "cluster %d", c);
        lp[c] = lab[c];
    }
    wn__rep_panel_open(r, "sizes", "Cluster sizes", 0);
    wn__plot *p = wn__plot_new("events per cluster", "events", NULL);
    if (p && wn__plot_hbars(p, "events", lp, sz, NULL, k, 0))
        r->oom = 1;
    wn__rep_plot(r, p, 480, 100 + 22 * k);
    wn__rep_para(r, "caption", "%lld events in %d clusters%s%lld without one (missing values).",
                 (long long)(q->n - none), k, none ? "; " : "; ", (long long)none);
    wn__rep_panel_close(r);
    wn_free(sz), wn_free(lab), wn_free((void *)lp);
}

/* Mean of each feature per cluster over the sample, in z units. */
static void panel_centres(wn__urep *q, int k)
{
    wn__rep *r = &q->r;
    const int64_t nf = q->nf;
    double *m = wn__calloc((size_t)k * (size_t)nf, sizeof *m);
    double *cnt = wn__calloc((size_t)k, sizeof *cnt);
    char(*lab)[24] = wn__malloc_array((size_t)k, sizeof *lab);
    const char **lp = wn__malloc_array((size_t)k, sizeof *lp);
    if (!m || !cnt || !lab || !lp) {
        wn_free(m), wn_free(cnt), wn_free(lab), wn_free((void *)lp);
        r->oom = 1;
        return;
    }
    for (int64_t i = 0; i < q->ns; i++) {
        int32_t c = q->u->cluster[q->srows[i]];
        if (c < 0 || c >= k)
            continue;
        cnt[c] += 1;
        for (int64_t f = 0; f < nf; f++)
            m[c * nf + f] += ((double)q->x[f * q->ns + i] - q->mu[f]) / q->sd[f];
    }
    for (int c = 0; c < k; c++) {
        for (int64_t f = 0; f < nf; f++)
            m[c * nf + f] = cnt[c] > 0 ? m[c * nf + f] / cnt[c] : DNAN;
        snprintf(lab[c], sizeof lab[c], "cluster %d", c);
        lp[c] = lab[c];
    }
    wn__rep_panel_open(r, "centres", "Cluster centres per feature", 1);
    wn__plot *p = wn__plot_new("mean of each feature per cluster (z units)", NULL, NULL);
    if (p && wn__plot_matrix(p, lp, q->fnames, m, k, nf, 1))
        r->oom = 1;
    wn__rep_plot(r, p, 960, 140 + 26 * k);
    wn__rep_para(r, "caption",
                 "z = (x - mean) / std over the sampled rows: blue below the average event, red "
                 "above; a cluster is what makes its row stand out.");
    wn__rep_panel_close(r);
    wn_free(m), wn_free(cnt), wn_free(lab), wn_free((void *)lp);
}

static void panel_cluster_plane(wn__urep *q, int k)
{
    wn__rep *r = &q->r;
    wn__rep_panel_open(r, "plane", "Clusters on the first two principal components", 0);
    wn_pca_params pp = wn_pca_params_default();
    pp.components = q->nf > 1 ? 2 : 1;
    pp.data.features = q->fnames;
    pp.data.nfeatures = q->nf;
    pp.data.standardize = 1;
    pp.data.drop_missing = 1;
    pp.data.threads = r->o.threads;
    wn_pca *m = NULL;
    double *xy = wn__malloc_array((size_t)(q->ns ? q->ns : 1) * 2, sizeof *xy);
    int32_t *cat = wn__malloc_array((size_t)(q->ns ? q->ns : 1), sizeof *cat);
    char(*lab)[24] = wn__malloc_array((size_t)k, sizeof *lab);
    const char **lp = wn__malloc_array((size_t)k, sizeof *lp);
    wn_status s = !xy || !cat || !lab || !lp ? wn__oom("report") : WN_OK;
    if (s == WN_OK)
        s = wn_pca_fit(q->sample ? q->sample : q->u->t, &pp, &m);
    if (s == WN_OK)
        s = project2(q, m, xy);
    if (s == WN_ENOMEM) {
        r->oom = 1;
    } else if (s != WN_OK) {
        wn__rep_para(r, "note", "not available: %s", wn_errmsg());
    } else {
        for (int64_t i = 0; i < q->ns; i++)
            cat[i] = q->u->cluster[q->srows[i]];
        for (int c = 0; c < k; c++) {
            snprintf(lab[c], sizeof lab[c], "cluster %d", c);
            lp[c] = lab[c];
        }
        plane_plot(q, "sampled events by cluster", "PC1 (standardised features)", "PC2", xy, cat,
                   k, lp);
        wn__rep_para(r, "caption",
                     "A 2-component PCA of the standardised features of %lld sampled events, "
                     "only to draw them: the clusters were found in all %lld dimensions.",
                     (long long)q->ns, (long long)q->nf);
    }
    wn_pca_free(m);
    wn_free(xy), wn_free(cat), wn_free(lab), wn_free((void *)lp);
    wn__rep_panel_close(r);
}

/* Classes per cluster: how well the clusters separate the label. */
static void panel_purity(wn__urep *q, int k)
{
    wn__rep *r = &q->r;
    const int nc = q->ncls;
    double *t = wn__calloc((size_t)k * (size_t)nc, sizeof *t);
    if (!t) {
        r->oom = 1;
        return;
    }
    for (int64_t i = 0; i < q->n; i++) {
        int32_t c = q->u->cluster[i];
        int y = wn__urep_class(q, q->y[i]);
        if (c >= 0 && c < k && y >= 0)
            t[c * nc + y] += 1;
    }
    wn__rep_panel_open(r, "classes", "Classes per cluster (the label is not used to fit)", 0);
    wn__buf *b = &r->body;
    wn__buf_puts(b, "<table><tr><th>cluster</th><th>events</th>");
    char nm[64], a[32];
    for (int y = 0; y < nc; y++) {
        wn__urep_class_name(q, y, nm, sizeof nm);
        wn__buf_puts(b, "<th>");
        wn__buf_escape(b, nm);
        wn__buf_puts(b, "</th>");
    }
    wn__buf_puts(b, "</tr>\n");
    double pure = 0, tot = 0;
    for (int c = 0; c < k && c < 64; c++) {
        double rt = 0, mx = 0;
        for (int y = 0; y < nc; y++)
            rt += t[c * nc + y], mx = fmax(mx, t[c * nc + y]);
        pure += mx, tot += rt;
        wn__buf_printf(b, "<tr><td>%d</td><td class=\"num\">%.0f</td>", c, rt);
        for (int y = 0; y < nc; y++)
            wn__buf_printf(b, "<td class=\"num\">%s%%</td>",
                           wn__rep_num(a, rt > 0 ? 100 * t[c * nc + y] / rt : DNAN));
        wn__buf_puts(b, "</tr>\n");
    }
    wn__buf_puts(b, "</table>\n");
    wn__rep_para(r, "caption",
                 "Share of each class in each cluster. Purity (events in their cluster's "
                 "majority class): %s%%.",
                 wn__rep_num(a, tot > 0 ? 100 * pure / tot : DNAN));
    wn__rep_verdict(r, "info", "clusters vs '%s': purity %s%%", q->u->label, a);
    wn__rep_panel_close(r);
    wn_free(t);
}

static void panel_choose_k(wn__urep *q)
{
    const wn_unsup_report *u = q->u;
    wn__rep *r = &q->r;
    int nk = u->kmax - u->kmin + 1;
    if (nk < 1 || nk > 1000 || (!u->inertia && !u->silhouette && !u->bic && !u->loglik))
        return;
    double *x = wn__malloc_array((size_t)nk, sizeof *x);
    if (!x) {
        r->oom = 1;
        return;
    }
    for (int i = 0; i < nk; i++)
        x[i] = u->kmin + i;
    wn__rep_panel_open(r, "choosek", "Choice of k", 0);
    const double *a1 = u->inertia ? u->inertia : u->bic;
    const double *a2 = u->inertia ? u->silhouette : u->loglik;
    const char *n1 = u->inertia ? "inertia" : "BIC", *n2 = u->inertia ? "silhouette" : "mean log-likelihood";
    if (a1) {
        wn__plot *p = wn__plot_new(u->inertia ? "elbow: inertia vs k" : "BIC vs k (lower is better)",
                                   "k", n1);
        if (p && wn__plot_line(p, n1, x, a1, nk, 0))
            r->oom = 1;
        wn__rep_plot(r, p, 480, 300);
    }
    if (a2) {
        wn__plot *p = wn__plot_new(u->inertia ? "silhouette vs k (higher is better)"
                                              : "mean log-likelihood vs k", "k", n2);
        if (p && wn__plot_line(p, n2, x, a2, nk, 1))
            r->oom = 1;
        wn__rep_plot(r, p, 480, 300);
    }
    wn__buf *b = &r->body;
    char s1[32], s2[32];
    wn__buf_printf(b, "<table><tr><th>k</th><th>%s</th><th>%s</th></tr>\n", n1, n2);
    for (int i = 0; i < nk; i++)
        wn__buf_printf(b, "<tr><td>%d</td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
                       u->kmin + i, wn__rep_num(s1, a1 ? a1[i] : DNAN),
                       wn__rep_num(s2, a2 ? a2[i] : DNAN));
    wn__buf_puts(b, "</table>\n");
    wn__rep_panel_close(r);
    wn_free(x);
}

static void panel_som(wn__urep *q)
{
    wn__rep *r = &q->r;
    const wn_som *m = q->u->som;
    int gr, gc;
    wn_som_topology tp;
    wn_som_grid(m, &gr, &gc, &tp);
    char a[32], b[32];
    wn__rep_panel_open(r, "som", "Self-organising map", 1);
    wn__buf_puts(&r->body, "<div class=\"grid\">");
    wn__plot *p = wn__plot_new("U-matrix: distance to the neighbours", NULL, NULL);
    if (p && wn__plot_grid(p, wn_som_umatrix(m), gr, gc, tp == WN_SOM_HEX))
        r->oom = 1;
    wn__rep_plot(r, p, 480, 420);
    p = wn__plot_new("hit map: events per unit", NULL, NULL);
    if (p && wn__plot_grid(p, wn_som_hits(m), gr, gc, tp == WN_SOM_HEX))
        r->oom = 1;
    wn__rep_plot(r, p, 480, 420);
    wn__buf_puts(&r->body, "</div>\n");
    wn__rep_para(r, "caption",
                 "%d x %d %s grid. Dark ridges of the U-matrix separate groups of similar events; "
                 "empty units of the hit map are where the data is sparse. Quantisation error "
                 "%s, topographic error %s.",
                 gr, gc, tp == WN_SOM_HEX ? "hexagonal" : "rectangular",
                 wn__rep_num(a, wn_som_quantization_error(m)),
                 wn__rep_num(b, wn_som_topographic_error(m)));
    wn__rep_verdict(r, "info", "SOM %dx%d: quantisation error %s, topographic error %s", gr, gc,
                    a, b);
    wn__rep_panel_close(r);
}

static void panel_manifest(wn__urep *q)
{
    wn__rep *r = &q->r;
    wn__rep_panel_open(r, "manifest", "Manifest", 1);
    wn__rep_para(r, "caption",
                 "The model file's header: features, standardisation, parameters, data "
                 "fingerprint, seed, version and command line — what is needed to repeat the run.");
    wn__buf_puts(&r->body, "<pre>");
    const char *h = model_header(q->u);
    wn__rep_json_pretty(&r->body, h ? h : "{}");
    wn__buf_puts(&r->body, "</pre>\n");
    wn__rep_panel_close(r);
}

wn_status wn_unsup_report_write(const wn_unsup_report *u, const wn_report_options *o,
                                const char *path)
{
    if (!u || !u->t || !path || !*path)
        return wn__fail(WN_EINVAL, "unsup_report: the table and the path are required");
    int nmodels = !!u->pca + !!u->kmeans + !!u->gmm + !!u->som + !!u->iforest;
    if (nmodels != 1)
        return wn__fail(WN_EINVAL, "unsup_report: give exactly one model (got %d)", nmodels);
    wn__urep q;
    memset(&q, 0, sizeof q);
    q.u = u;
    if (o)
        q.r.o = *o;
    else
        wn_report_options_default(&q.r.o);
    if (q.r.o.max_rows < 100)
        q.r.o.max_rows = 100;
    const char *h = model_header(u);
    q.standardized = h && strstr(h, "\"standardized\": true") != NULL;
    wn_status s = gather(&q);
    if (s != WN_OK)
        goto done;
    int k = n_clusters(&q);
    if (u->pca) {
        panel_variance(&q);
        panel_loadings(&q);
        panel_pca_plane(&q);
    }
    if (u->cluster && k > 0) {
        if (!u->som)
            panel_sizes(&q, k);
        if (u->som)
            panel_som(&q);
        if (!u->som && k <= 64) {
            panel_centres(&q, k);
            panel_cluster_plane(&q, k);
        }
        if (q.y && q.ncls > 0)
            panel_purity(&q, k);
    }
    panel_choose_k(&q);
    if (u->score && (s = wn__urep_anomaly_panels(&q)) != WN_OK)
        goto done;
    panel_manifest(&q);
    char title[512], meta[1024];
    if (q.r.o.title)
        snprintf(title, sizeof title, "%s", q.r.o.title);
    else
        snprintf(title, sizeof title, "winnow report: %s", kind_name(u));
    snprintf(meta, sizeof meta, "%s on %lld events, %lld features%s%s%s", kind_name(u),
             (long long)q.n, (long long)q.nf, q.standardized ? " (standardised)" : "",
             u->label ? "; label shown, not fitted: " : "", u->label ? u->label : "");
    s = wn__rep_write_page(&q.r, title, meta, "no checks apply", path);
done:
    wn__urep_free(&q);
    return s;
}
