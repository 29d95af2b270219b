/* gmm.c — the Gaussian mixture's public face: fit (restarts around the EM
 * engine), predict, choose_k, accessors.
 *
 * Each restart r seeds the mixture from a k-means fit (one k-means++ seed
 * from RNG stream r, Arthur & Vassilvitskii 2007; Hamerly's iterations,
 * Hamerly 2010), whose hard labels give the initial weights, means and
 * covariances; EM (Dempster, Laird & Rubin 1977; gmm_em.c) then runs to
 * convergence. The restart with the highest final mean log-likelihood is
 * kept (ties: the first). BIC (Schwarz 1978) = -2 sum(w) loglik + p ln
 * sum(w), with p = k - 1 + k d + k d (d + 1) / 2 (full) or k d (diagonal).
 * Everything lives in the fitted (standardised if asked) space. */
#include "cluster.h"

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

wn_gmm_params wn_gmm_params_default(void)
{
    wn_gmm_params p;
    memset(&p, 0, sizeof p);
    p.data.seed = 42;
    p.k = 0;
    p.cov = WN_GMM_FULL;
    p.max_iter = 200;
    p.tol = 1e-4;
    p.reg_covar = 1e-6;
    p.restarts = 1;
    return p;
}

static void arrays_free(wn_gmm *m)
{
    wn_free(m->weights);
    wn_free(m->means);
    wn_free(m->covs);
    wn_free(m->prec);
    wn_free(m->lognorm);
    m->weights = m->means = m->covs = m->prec = m->lognorm = NULL;
}

void wn_gmm_free(wn_gmm *m)
{
    if (!m)
        return;
    wn__features_free(&m->f);
    arrays_free(m);
    wn_free(m->command_line);
    wn_free(m->header);
    wn_free(m);
}

int64_t wn_gmm_num_features(const wn_gmm *m)
{
    return m ? m->f.nfeat : 0;
}
const char *wn_gmm_feature_name(const wn_gmm *m, int64_t i)
{
    return m && i >= 0 && i < m->f.nfeat ? m->f.names[i] : NULL;
}
int wn_gmm_k(const wn_gmm *m)
{
    return m ? m->k : 0;
}
int64_t wn_gmm_num_rows(const wn_gmm *m)
{
    return m ? m->nrows : 0;
}
int64_t wn_gmm_num_dropped(const wn_gmm *m)
{
    return m ? m->ndropped : 0;
}
const double *wn_gmm_weights(const wn_gmm *m)
{
    return m ? m->weights : NULL;
}
const double *wn_gmm_means(const wn_gmm *m)
{
    return m ? m->means : NULL;
}
const double *wn_gmm_covariances(const wn_gmm *m)
{
    return m ? m->covs : NULL;
}
double wn_gmm_loglik(const wn_gmm *m)
{
    return m ? m->loglik : (double)NAN;
}
double wn_gmm_bic(const wn_gmm *m)
{
    return m ? m->bic : (double)NAN;
}
int wn_gmm_iterations(const wn_gmm *m)
{
    return m ? m->iterations : 0;
}
int wn_gmm_converged(const wn_gmm *m)
{
    return m ? m->converged : 0;
}
int wn_gmm_regularised(const wn_gmm *m)
{
    return m ? m->regularised : 0;
}
const char *wn_gmm_header(const wn_gmm *m)
{
    return m ? m->header : NULL;
}

static wn_status check_params(const wn_gmm_params *p, const char *who)
{
    if (p->k < 1)
        return wn__fail(WN_EINVAL, "%s: k = %d must be at least 1", who, p->k);
    if (p->k > WN__CLU_MAX_K)
        return wn__fail(WN_EINVAL, "%s: k = %d is above the limit %d", who, p->k, WN__CLU_MAX_K);
    if (p->cov != WN_GMM_FULL && p->cov != WN_GMM_DIAG)
        return wn__fail(WN_EINVAL, "%s: cov = %d is neither full (0) nor diag (1)", who,
                        (int)p->cov);
    if (p->max_iter < 1)
        return wn__fail(WN_EINVAL, "%s: max_iter = %d must be at least 1", who, p->max_iter);
    if (!(p->tol >= 0) || !isfinite(p->tol))
        return wn__fail(WN_EINVAL, "%s: tol = %g must be finite and >= 0", who, p->tol);
    if (!(p->reg_covar >= 0) || !isfinite(p->reg_covar))
        return wn__fail(WN_EINVAL, "%s: reg_covar = %g must be finite and >= 0", who, p->reg_covar);
    if (p->restarts < 1)
        return wn__fail(WN_EINVAL, "%s: restarts = %d must be at least 1", who, p->restarts);
    return WN_OK;
}

/* Fits k components on D into m (k, params set): restarts, keep the best. */
static wn_status fit_em(const wn__km_data *D, wn_gmm *m, int32_t *label)
{
    const wn_gmm_params *p = &m->params;
    const int k = m->k;
    double *c = wn__malloc_array((size_t)k * (size_t)D->d, sizeof(double));
    wn_gmm t;
    wn_status s = WN_OK;
    if (!c)
        return wn__oom("gmm");
    int64_t total = (int64_t)p->restarts * p->max_iter;
    for (int r = 0; r < p->restarts; r++) {
        double inertia;
        int its;
        t = *m;
        t.weights = t.means = t.covs = t.prec = t.lognorm = NULL;
        t.regularised = 0;
        if ((s = wn__km_run(D, k, 1, 300, 1e-4, p->data.seed, (uint64_t)r, NULL, c, label, &inertia,
                            &its)) != WN_OK ||
            (s = wn__gmm_em(D, label, &t, &p->data.progress, (int64_t)r * p->max_iter, total)) !=
                WN_OK) {
            arrays_free(&t);
            break;
        }
        if (r == 0 || t.loglik > m->loglik) {
            arrays_free(m);
            *m = t;
        } else {
            arrays_free(&t);
        }
    }
    wn_free(c);
    if (s != WN_OK)
        return wn__fail_prefix(s, "gmm");
    const double dd = (double)D->d;
    const double np = (double)(k - 1) + (double)k * dd +
                      (double)k * (p->cov == WN_GMM_DIAG ? dd : dd * (dd + 1) / 2);
    m->bic = -2 * D->wsum * m->loglik + np * log(D->wsum);
    return WN_OK;
}

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

wn_status wn_gmm_fit(const wn_table *t, const wn_gmm_params *p, wn_gmm **out)
{
    if (!t || !p || !out)
        return wn__fail(WN_EINVAL, "gmm: NULL argument");
    wn_status s = check_params(p, "gmm");
    if (s != WN_OK)
        return s;
    wn__udata u;
    float *X;
    wn__km_data D;
    if ((s = prepare(t, &p->data, "gmm", p->k, &u, &X, &D)) != WN_OK)
        return s;
    wn_gmm *m = wn__calloc(1, sizeof *m);
    int32_t *label = wn__malloc_array((size_t)u.n, sizeof(int32_t));
    if (!m || !label) {
        s = wn__oom("gmm model");
        goto done;
    }
    m->params = *p;
    m->params.data.features = NULL;
    m->params.data.nfeatures = 0;
    m->params.data.command_line = NULL;
    m->k = p->k;
    m->f = u.f; /* the model takes the features */
    u.f = (wn__features){0};
    m->nrows = u.n;
    m->ndropped = u.ndropped;
    m->input_hash = u.input_hash;
    if (p->data.command_line && !(m->command_line = wn__strdup(p->data.command_line))) {
        s = wn__oom("gmm model");
        goto done;
    }
    if ((s = fit_em(&D, m, label)) != WN_OK)
        goto done;
    m->params.data.progress = (wn_progress){0};
    if ((s = wn__gmm_build_header(m)) != WN_OK)
        goto done;
    *out = m;
    m = NULL;
done:
    wn_gmm_free(m);
    wn_free(label);
    wn_free(X);
    wn__udata_free(&u);
    return s;
}

wn_status wn_gmm_choose_k(const wn_table *t, const wn_gmm_params *p, int kmin, int kmax,
                          double *bic, double *loglik)
{
    if (!t || !p || !bic || !loglik)
        return wn__fail(WN_EINVAL, "gmm_choose_k: NULL argument");
    if (kmin < 1 || kmax < kmin)
        return wn__fail(WN_EINVAL, "gmm_choose_k: k range %d..%d is empty or below 1", kmin, kmax);
    wn_gmm_params q = *p;
    q.k = kmax;
    wn_status s = check_params(&q, "gmm_choose_k");
    if (s != WN_OK)
        return s;
    wn__udata u;
    float *X;
    wn__km_data D;
    if ((s = prepare(t, &p->data, "gmm_choose_k", kmax, &u, &X, &D)) != WN_OK)
        return s;
    int32_t *label = wn__malloc_array((size_t)u.n, sizeof(int32_t));
    if (!label)
        s = wn__oom("gmm_choose_k");
    for (int k = kmin; s == WN_OK && k <= kmax; k++) {
        wn_gmm m;
        memset(&m, 0, sizeof m);
        m.params = *p;
        m.k = k;
        m.f.nfeat = u.f.nfeat;
        s = fit_em(&D, &m, label);
        bic[k - kmin] = m.bic;
        loglik[k - kmin] = m.loglik;
        arrays_free(&m);
    }
    wn_free(label);
    wn_free(X);
    wn__udata_free(&u);
    return s;
}

wn_status wn_gmm_predict(const wn_gmm *m, const wn_table *t, int allow_missing, int threads,
                         double *resp, int32_t *label, double *loglik)
{
    if (!m || !t)
        return wn__fail(WN_EINVAL, "gmm_predict: NULL argument");
    wn__bound b;
    wn_status s = wn__features_bind(&m->f, t, allow_missing, "gmm_predict", &b);
    if (s != WN_OK)
        return s;
    const int64_t d = m->f.nfeat, k = m->k, n = b.nrows, per = 3 * d + k;
    const int nt = wn__threads(threads);
    double *scr = wn__malloc_array((size_t)nt, (size_t)per * sizeof(double));
    if (!scr) {
        wn__bound_free(&b);
        return wn__oom("gmm_predict");
    }
#pragma omp parallel for schedule(dynamic, 256) num_threads(nt)
    for (int64_t r = 0; r < n; r++) {
#ifdef _OPENMP
        double *sc = scr + per * omp_get_thread_num();
#else
        double *sc = scr;
#endif
        double *lp = sc + 2 * d;
        float *x = (float *)(void *)(lp + k);
        if (wn__bound_row(&b, r, x)) {
            if (resp)
                for (int64_t c = 0; c < k; c++)
                    resp[r * k + c] = (double)NAN;
            if (label)
                label[r] = -1;
            if (loglik)
                loglik[r] = (double)NAN;
            continue;
        }
        double lse = wn__gmm_logp_row(m, x, lp, sc);
        int64_t a = 0;
        for (int64_t c = 1; c < k; c++)
            if (lp[c] > lp[a])
                a = c;
        if (resp)
            for (int64_t c = 0; c < k; c++)
                resp[r * k + c] = exp(lp[c] - lse);
        if (label)
            label[r] = (int32_t)a;
        if (loglik)
            loglik[r] = lse;
    }
    wn_free(scr);
    wn__bound_free(&b);
    return WN_OK;
}
