/* kmeans.c — weighted k-means: the public face (fit, assign, choose_k,
 * accessors) and the silhouette.
 *
 * The fit prepares the rows (src/core/unsup.c: features, weights, missing
 * values, standardisation), builds the row-major float matrix of the fitted
 * space and hands it to the engine: k-means++ seeding (Arthur &
 * Vassilvitskii 2007) and Hamerly's exact iterations (Hamerly 2010) of
 * Lloyd's algorithm (Lloyd 1982), `restarts` times, keeping the lowest
 * inertia (kmeans_engine.c, kmeans_hamerly.c). Centres are kept in the
 * fitted space for assignment and reported in the data's own units
 * (c * scale + center).
 *
 * The silhouette (Rousseeuw 1987, J. Comput. Appl. Math. 20:53) is exact on
 * a sample of silhouette_sample rows drawn without replacement by the
 * counter RNG (stream WN__CLU_STREAM_SILHOUETTE): for a sampled row i of
 * cluster A, a(i) is the weighted mean distance to the other sampled rows of
 * A, b(i) the smallest weighted mean distance to the sampled rows of another
 * cluster, s(i) = (b - a) / max(a, b) (0 when i is alone in A); the score is
 * the weighted mean of s(i). O(s^2 d), parallel over rows, deterministic. */
#include "cluster.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

wn_kmeans_params wn_kmeans_params_default(void)
{
    wn_kmeans_params p;
    memset(&p, 0, sizeof p);
    p.data.seed = 42;
    p.k = 0;
    p.restarts = 4;
    p.max_iter = 300;
    p.tol = 1e-4;
    p.silhouette_sample = 5000;
    return p;
}

void wn_kmeans_free(wn_kmeans *m)
{
    if (!m)
        return;
    wn__features_free(&m->f);
    wn_free(m->centers_fit);
    wn_free(m->centers);
    wn_free(m->sizes);
    wn_free(m->ct);
    wn_free(m->command_line);
    wn_free(m->header);
    wn_free(m);
}

int64_t wn_kmeans_num_features(const wn_kmeans *m)
{
    return m ? m->f.nfeat : 0;
}
const char *wn_kmeans_feature_name(const wn_kmeans *m, int64_t i)
{
    return m && i >= 0 && i < m->f.nfeat ? m->f.names[i] : NULL;
}
int wn_kmeans_k(const wn_kmeans *m)
{
    return m ? m->k : 0;
}
int64_t wn_kmeans_num_rows(const wn_kmeans *m)
{
    return m ? m->nrows : 0;
}
int64_t wn_kmeans_num_dropped(const wn_kmeans *m)
{
    return m ? m->ndropped : 0;
}
const double *wn_kmeans_centers(const wn_kmeans *m)
{
    return m ? m->centers : NULL;
}
const double *wn_kmeans_sizes(const wn_kmeans *m)
{
    return m ? m->sizes : NULL;
}
double wn_kmeans_inertia(const wn_kmeans *m)
{
    return m ? m->inertia : (double)NAN;
}
double wn_kmeans_silhouette(const wn_kmeans *m)
{
    return m ? m->silhouette : (double)NAN;
}
int wn_kmeans_iterations(const wn_kmeans *m)
{
    return m ? m->iterations : 0;
}
const char *wn_kmeans_header(const wn_kmeans *m)
{
    return m ? m->header : NULL;
}

wn_status wn__kmeans_derive(wn_kmeans *m)
{
    const int64_t k = m->k, d = m->f.nfeat, kp = wn__km_kpad(k);
    wn_free(m->ct);
    wn_free(m->centers);
    m->ct = wn__calloc((size_t)(d * kp), sizeof(float));
    m->centers = wn__malloc_array((size_t)(k * d), sizeof(double));
    if (!m->ct || !m->centers)
        return wn__oom("kmeans model");
    for (int64_t c = 0; c < k; c++)
        for (int64_t j = 0; j < d; j++) {
            double v = m->centers_fit[c * d + j];
            m->ct[j * kp + c] = (float)v;
            m->centers[c * d + j] = v * m->f.scale[j] + m->f.center[j];
        }
    return WN_OK;
}

static wn_status check_params(const wn_kmeans_params *p, const char *who)
{
    if (p->k < 1)
        return wn__fail(WN_EINVAL, "%s: k = %d must be at least 1", who, p->k);
    if (p->k > WN__CLU_MAX_K)
        return wn__fail(WN_EINVAL, "%s: k = %d is above the limit %d", who, p->k, WN__CLU_MAX_K);
    if (p->restarts < 1)
        return wn__fail(WN_EINVAL, "%s: restarts = %d must be at least 1", who, p->restarts);
    if (p->max_iter < 1)
        return wn__fail(WN_EINVAL, "%s: max_iter = %d must be at least 1", who, p->max_iter);
    if (!(p->tol >= 0) || !isfinite(p->tol))
        return wn__fail(WN_EINVAL, "%s: tol = %g must be finite and >= 0", who, p->tol);
    if (p->silhouette_sample < 0)
        return wn__fail(WN_EINVAL, "%s: silhouette_sample = %lld must be >= 0", who,
                        (long long)p->silhouette_sample);
    return WN_OK;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The silhouette of label[n] on a sample (see the top of the file). */
static wn_status silhouette(const wn__km_data *D, const int32_t *label, int k, int64_t sample,
                            uint64_t seed, double *out)
{
    *out = (double)NAN;
    if (sample <= 0 || k < 2)
        return WN_OK;
    const int64_t n = D->n, d = D->d, s = sample < n ? sample : n;
    int64_t *idx = wn__malloc_array((size_t)n, sizeof(int64_t));
    double *acc = wn__malloc_array((size_t)D->threads * 2 * (size_t)k, sizeof(double));
    double *si = wn__malloc_array((size_t)s, sizeof(double));
    uint8_t *ok = wn__malloc_array((size_t)s, 1);
    wn_status st = WN_OK;
    if (!idx || !acc || !si || !ok) {
        st = wn__oom("silhouette");
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        idx[i] = i;
    if (s < n) { /* partial Fisher-Yates, then row order */
        wn_rng r = wn_rng_make(seed, WN__CLU_STREAM_SILHOUETTE);
        for (int64_t i = 0; i < s; i++) {
            int64_t j = i + (int64_t)wn_rng_below(&r, (uint64_t)(n - i));
            int64_t t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        qsort(idx, (size_t)s, sizeof(int64_t), cmp_i64);
    }
#pragma omp parallel for schedule(dynamic, 16) num_threads(D->threads)
    for (int64_t ii = 0; ii < s; ii++) {
#ifdef _OPENMP
        double *sum = acc + 2 * k * omp_get_thread_num();
#else
        double *sum = acc;
#endif
        double *ws = sum + k;
        for (int c = 0; c < k; c++)
            sum[c] = ws[c] = 0;
        const int64_t i = idx[ii];
        const float *xi = D->X + i * d;
        for (int64_t jj = 0; jj < s; jj++) {
            const int64_t j = idx[jj];
            if (j == i)
                continue;
            const float *xj = D->X + j * d;
            double t2 = 0;
            for (int64_t f = 0; f < d; f++) {
                double t = (double)xi[f] - (double)xj[f];
                t2 += t * t;
            }
            double w = D->w ? (double)D->w[j] : 1.0;
            sum[label[j]] += w * sqrt(t2);
            ws[label[j]] += w;
        }
        const int a = label[i];
        double b = (double)INFINITY;
        for (int c = 0; c < k; c++)
            if (c != a && ws[c] > 0 && sum[c] / ws[c] < b)
                b = sum[c] / ws[c];
        ok[ii] = (uint8_t)(isfinite(b) != 0);
        if (!(ws[a] > 0) || !isfinite(b)) {
            si[ii] = 0;
        } else {
            double av = sum[a] / ws[a], mx = av > b ? av : b;
            si[ii] = mx > 0 ? (b - av) / mx : 0;
        }
    }
    double num = 0, den = 0;
    int any = 0;
    for (int64_t ii = 0; ii < s; ii++) {
        double w = D->w ? (double)D->w[idx[ii]] : 1.0;
        num += w * si[ii];
        den += w;
        any |= ok[ii];
    }
    if (any && den > 0)
        *out = num / den;
done:
    wn_free(idx);
    wn_free(acc);
    wn_free(si);
    wn_free(ok);
    return st;
}

/* One fit on prepared data: fills m (everything but the features). */
static wn_status fit_one(const wn__km_data *D, const wn_kmeans_params *p, int k, wn_kmeans *m,
                         int32_t *label)
{
    const size_t kd = (size_t)k * (size_t)D->d;
    m->k = k;
    m->centers_fit = wn__malloc_array(kd, sizeof(double));
    m->sizes = wn__calloc((size_t)k, sizeof(double));
    if (!m->centers_fit || !m->sizes)
        return wn__oom("kmeans model");
    wn_status s = wn__km_run(D, k, p->restarts, p->max_iter, p->tol, p->data.seed, 0,
                             &p->data.progress, m->centers_fit, label, &m->inertia, &m->iterations);
    if (s != WN_OK)
        return wn__fail_prefix(s, "kmeans");
    for (int64_t i = 0; i < D->n; i++) /* serial: a fixed summation order */
        m->sizes[label[i]] += D->w ? (double)D->w[i] : 1.0;
    return silhouette(D, label, k, p->silhouette_sample, p->data.seed, &m->silhouette);
}

/* Prepares the table: u, X and D. On failure everything is released. */
static wn_status prepare(const wn_table *t, const wn_unsup_data *dp, const char *who, int kmax,
                         wn__udata *u, float **X, wn__km_data *D)
{
    *X = NULL;
    wn_status s = wn__udata_prepare(t, dp, who, u);
    if (s != WN_OK)
        return s;
    if (kmax > u->n) {
        s = wn__fail(WN_EINVAL, "%s: k = %d is more than the %lld rows", who, kmax,
                     (long long)u->n);
    } else if ((s = wn__udata_matrix(u, dp->threads, X)) == WN_OK) {
        *D = (wn__km_data){*X, u->w, u->n, u->f.nfeat, u->wsum, wn__threads(dp->threads)};
        return WN_OK;
    }
    wn__udata_free(u);
    return s;
}

wn_status wn_kmeans_fit(const wn_table *t, const wn_kmeans_params *p, wn_kmeans **out)
{
    if (!t || !p || !out)
        return wn__fail(WN_EINVAL, "kmeans: NULL argument");
    wn_status s = check_params(p, "kmeans");
    if (s != WN_OK)
        return s;
    wn__udata u;
    float *X;
    wn__km_data D;
    if ((s = prepare(t, &p->data, "kmeans", p->k, &u, &X, &D)) != WN_OK)
        return s;
    wn_kmeans *m = wn__calloc(1, sizeof *m);
    int32_t *label = wn__malloc_array((size_t)u.n, sizeof(int32_t));
    if (!m || !label) {
        s = wn__oom("kmeans model");
        goto done;
    }
    m->params = *p;
    m->params.data.features = NULL;
    m->params.data.nfeatures = 0;
    m->params.data.command_line = NULL;
    m->params.data.progress = (wn_progress){0};
    m->nrows = u.n;
    m->ndropped = u.ndropped;
    m->input_hash = u.input_hash;
    if (p->data.command_line && !(m->command_line = wn__strdup(p->data.command_line))) {
        s = wn__oom("kmeans model");
        goto done;
    }
    if ((s = fit_one(&D, p, p->k, m, label)) != WN_OK)
        goto done;
    m->f = u.f;
    u.f = (wn__features){0};
    if ((s = wn__kmeans_derive(m)) != WN_OK || (s = wn__kmeans_build_header(m)) != WN_OK)
        goto done;
    *out = m;
    m = NULL;
done:
    wn_kmeans_free(m);
    wn_free(label);
    wn_free(X);
    wn__udata_free(&u);
    return s;
}

wn_status wn_kmeans_choose_k(const wn_table *t, const wn_kmeans_params *p, int kmin, int kmax,
                             double *inertia, double *silhouette_out)
{
    if (!t || !p || !inertia || !silhouette_out)
        return wn__fail(WN_EINVAL, "kmeans_choose_k: NULL argument");
    if (kmin < 1 || kmax < kmin)
        return wn__fail(WN_EINVAL, "kmeans_choose_k: k range %d..%d is empty or below 1", kmin,
                        kmax);
    wn_kmeans_params q = *p;
    q.k = kmax;
    wn_status s = check_params(&q, "kmeans_choose_k");
    if (s != WN_OK)
        return s;
    wn__udata u;
    float *X;
    wn__km_data D;
    if ((s = prepare(t, &p->data, "kmeans_choose_k", kmax, &u, &X, &D)) != WN_OK)
        return s;
    int32_t *label = wn__malloc_array((size_t)u.n, sizeof(int32_t));
    if (!label)
        s = wn__oom("kmeans_choose_k");
    for (int k = kmin; s == WN_OK && k <= kmax; k++) {
        wn_kmeans m;
        memset(&m, 0, sizeof m);
        s = fit_one(&D, p, k, &m, label);
        inertia[k - kmin] = m.inertia;
        silhouette_out[k - kmin] = m.silhouette;
        wn_free(m.centers_fit);
        wn_free(m.sizes);
    }
    wn_free(label);
    wn_free(X);
    wn__udata_free(&u);
    return s;
}

wn_status wn_kmeans_assign(const wn_kmeans *m, const wn_table *t, int allow_missing, int threads,
                           int32_t *label, double *dist2)
{
    if (!m || !t || !label)
        return wn__fail(WN_EINVAL, "kmeans_assign: NULL argument");
    wn__bound b;
    wn_status s = wn__features_bind(&m->f, t, allow_missing, "kmeans_assign", &b);
    if (s != WN_OK)
        return s;
    const int64_t d = m->f.nfeat, k = m->k, kp = wn__km_kpad(k), n = b.nrows;
    const int nt = wn__threads(threads);
    float *scr = wn__malloc_array((size_t)nt, (size_t)(d + kp) * sizeof(float));
    if (!scr) {
        wn__bound_free(&b);
        return wn__oom("kmeans_assign");
    }
#pragma omp parallel for schedule(dynamic, 1024) num_threads(nt)
    for (int64_t r = 0; r < n; r++) {
#ifdef _OPENMP
        float *x = scr + (d + kp) * omp_get_thread_num();
#else
        float *x = scr;
#endif
        float *dd = x + d;
        if (wn__bound_row(&b, r, x)) {
            label[r] = -1;
            if (dist2)
                dist2[r] = (double)NAN;
            continue;
        }
        float d1, d2;
        const int64_t a = wn__km_nearest2(x, m->ct, d, kp, k, dd, &d1, &d2);
        label[r] = (int32_t)a;
        if (dist2) {
            const double *c = m->centers_fit + a * d;
            double s2 = 0;
            for (int64_t j = 0; j < d; j++) {
                double t2 = (double)x[j] - c[j];
                s2 += t2 * t2;
            }
            dist2[r] = s2;
        }
    }
    wn_free(scr);
    wn__bound_free(&b);
    return WN_OK;
}
