/* gmm_em.c — EM for a weighted Gaussian mixture (Dempster, Laird & Rubin
 * 1977, JRSS B 39:1), full or diagonal covariances.
 *
 * E-step: log N(x | mu, Sigma) from the Cholesky factor Sigma = L L^T
 * (LAPACKE_dpotrf): with P = L^-T, the Mahalanobis term is |(x - mu)^T P|^2
 * and log det Sigma = 2 sum log L_ii; responsibilities by log-sum-exp.
 * M-step, weighted like everything else: N_k = sum w r_k (+ 10 eps, as
 * scikit-learn, so an empty component divides by a tiny number, not 0),
 * means and covariances accumulated in one pass around the current means
 * (Sigma = S/N - delta delta^T with delta the shift of the mean), which is
 * stable because the means move little between iterations. reg_covar is
 * added to every covariance's diagonal (as scikit-learn). A covariance that
 * is degenerate without it (Cholesky fails, or a pivot — a conditional
 * variance — is at most max(reg_covar, 1e-12 x its largest variance): a
 * component of identical points, a feature constant within a component)
 * is counted in `regularised`; if even with reg_covar the Cholesky fails,
 * the regularisation is raised 10x at a time until it succeeds, each raise
 * counted too. Converged when the mean log-likelihood per unit weight
 * changes by less than tol.
 *
 * Rank-one covariance updates are skipped for responsibilities below 1e-10
 * (their contribution is below the rounding of the sums that matter); the
 * weights and means use every responsibility.
 *
 * Passes run over fixed blocks of WN__CLU_BLOCK rows, each block summing
 * into its own partial (double), merged in block order: the result does not
 * depend on the thread count. Initialisation (hard responsibilities from a
 * k-means fit) is done by the caller (gmm.c). */
#include "cluster.h"

#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define LOG_2PI 1.8378770664093454836

int wn__clu_cholesky(const double *a, int64_t d, double *L, double *minpiv2)
{
    memcpy(L, a, sizeof(double) * (size_t)(d * d));
    /* column-major 'U' of a symmetric matrix is row-major lower: no copy */
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)d, L, (lapack_int)d);
    if (info != 0)
        return 1;
    double mp = (double)INFINITY;
    for (int64_t i = 0; i < d; i++) {
        for (int64_t j = i + 1; j < d; j++)
            L[i * d + j] = 0;
        double p = L[i * d + i] * L[i * d + i];
        if (!(p > 0) || !isfinite(p))
            return 1;
        mp = p < mp ? p : mp;
    }
    if (minpiv2)
        *minpiv2 = mp;
    return 0;
}

/* prec = L^-T (row-major upper) and sum log L_ii for one covariance;
 * 0 on success. L: d*d scratch. */
static int factor_one(const double *cov, int64_t d, int diag, double *prec, double *L,
                      double *logdet_half)
{
    double h = 0;
    memset(prec, 0, sizeof(double) * (size_t)(d * d));
    if (diag) {
        for (int64_t j = 0; j < d; j++) {
            double v = cov[j * d + j];
            if (!(v > 0) || !isfinite(v))
                return 1;
            double sd = sqrt(v);
            prec[j * d + j] = 1 / sd;
            h += log(sd);
        }
        *logdet_half = h;
        return 0;
    }
    if (wn__clu_cholesky(cov, d, L, NULL))
        return 1;
    /* column j of L^-1 by forward substitution; P[j][i] = Linv[i][j] */
    for (int64_t j = 0; j < d; j++) {
        for (int64_t i = j; i < d; i++) {
            double s = i == j ? 1 : 0;
            for (int64_t t = j; t < i; t++)
                s -= L[i * d + t] * prec[j * d + t];
            prec[j * d + i] = s / L[i * d + i];
        }
        h += log(L[j * d + j]);
    }
    for (int64_t v = 0; v < d * d; v++)
        if (!isfinite(prec[v]))
            return 1;
    *logdet_half = h;
    return 0;
}

wn_status wn__gmm_factor(wn_gmm *m)
{
    const int64_t k = m->k, d = m->f.nfeat;
    const int diag = m->params.cov == WN_GMM_DIAG;
    double *L = wn__malloc_array((size_t)(d * d), sizeof(double));
    wn_free(m->prec);
    wn_free(m->lognorm);
    m->prec = wn__malloc_array((size_t)k * (size_t)(d * d), sizeof(double));
    m->lognorm = wn__malloc_array((size_t)k, sizeof(double));
    wn_status s = WN_OK;
    if (!L || !m->prec || !m->lognorm) {
        s = wn__oom("gmm model");
    } else {
        for (int64_t c = 0; c < k && s == WN_OK; c++) {
            double h;
            if (factor_one(m->covs + c * d * d, d, diag, m->prec + c * d * d, L, &h))
                s = wn__fail(WN_ENUMERIC, "gmm: covariance %lld is not positive definite",
                             (long long)c);
            else
                m->lognorm[c] = log(m->weights[c]) - 0.5 * (double)d * LOG_2PI - h;
        }
    }
    wn_free(L);
    return s;
}

/* Log densities lp[k] of x (log weights included) and their log-sum-exp.
 * scratch: 2d doubles (the difference, then y). */
static inline double logp_row(const wn_gmm *m, const float *x, double *lp, double *diff)
{
    const int64_t k = m->k, d = m->f.nfeat;
    const int diag = m->params.cov == WN_GMM_DIAG;
    double *y = diff + d, mx = -(double)INFINITY;
    for (int64_t c = 0; c < k; c++) {
        const double *mu = m->means + c * d, *P = m->prec + c * d * d;
        double maha = 0;
        if (diag) {
            for (int64_t j = 0; j < d; j++) {
                double t = ((double)x[j] - mu[j]) * P[j * d + j];
                maha += t * t;
            }
        } else {
            for (int64_t j = 0; j < d; j++) {
                diff[j] = (double)x[j] - mu[j];
                y[j] = 0;
            }
            for (int64_t a = 0; a < d; a++) {
                const double da = diff[a], *pa = P + a * d;
                for (int64_t b = a; b < d; b++)
                    y[b] += da * pa[b];
            }
            for (int64_t j = 0; j < d; j++)
                maha += y[j] * y[j];
        }
        lp[c] = m->lognorm[c] - 0.5 * maha;
        mx = lp[c] > mx ? lp[c] : mx;
    }
    if (!isfinite(mx))
        return mx;
    double s = 0;
    for (int64_t c = 0; c < k; c++)
        s += exp(lp[c] - mx);
    return mx + log(s);
}

double wn__gmm_logp_row(const wn_gmm *m, const float *x, double *lp, double *scratch)
{
    return logp_row(m, x, lp, scratch);
}

typedef struct em_work {
    const wn__km_data *D;
    wn_gmm *m;
    int64_t k, d, dd, per, nb, wave;
    int diag;
    double *part; /* [wave][per]: N[k], Sx[k][d], Sxx[k][dd], ll           */
    double *scr;  /* [threads][2d + k]                                     */
    double *mu0;  /* [k][d] the means the pass accumulates around          */
    double *L;    /* [d][d]                                                */
    double *raw;  /* [d][d]                                                */
} em_work;

/* One pass over block b: E-step with m's parameters (or hard labels),
 * accumulating the M-step sums around mu0 into slot sl (accum) and the
 * weighted log-likelihood. */
static void em_block(em_work *e, const int32_t *label, int64_t b, int64_t sl, int accum)
{
    const wn__km_data *D = e->D;
    const int64_t k = e->k, d = e->d, dd = e->dd;
    const int64_t lo = b * WN__CLU_BLOCK,
                  hi = lo + WN__CLU_BLOCK < D->n ? lo + WN__CLU_BLOCK : D->n;
    double *P = e->part + sl * e->per, *Nk = P, *Sx = P + k, *Sxx = Sx + k * d;
#ifdef _OPENMP
    double *scr = e->scr + (2 * d + k) * omp_get_thread_num();
#else
    double *scr = e->scr;
#endif
    double *lp = scr + 2 * d, ll = 0;
    memset(P, 0, sizeof(double) * (size_t)e->per);
    for (int64_t i = lo; i < hi; i++) {
        const float *x = D->X + i * d;
        const double w = D->w ? (double)D->w[i] : 1.0;
        if (label) {
            for (int64_t c = 0; c < k; c++)
                lp[c] = c == label[i] ? 1 : 0;
        } else {
            double lse = logp_row(e->m, x, lp, scr);
            ll += w * lse;
            for (int64_t c = 0; c < k; c++)
                lp[c] = exp(lp[c] - lse);
        }
        if (!accum || !(w > 0))
            continue;
        for (int64_t c = 0; c < k; c++) {
            const double wr = w * lp[c];
            if (!(wr > 0))
                continue;
            const double *mu = e->mu0 + c * d;
            double *sx = Sx + c * d, *sxx = Sxx + c * dd, *df = scr;
            Nk[c] += wr;
            for (int64_t j = 0; j < d; j++) {
                df[j] = (double)x[j] - mu[j];
                sx[j] += wr * df[j];
            }
            if (lp[c] < 1e-10)
                continue;
            if (e->diag) {
                for (int64_t j = 0; j < d; j++)
                    sxx[j] += wr * df[j] * df[j];
            } else {
                for (int64_t a = 0; a < d; a++) {
                    const double va = wr * df[a];
                    double *row = sxx + a * d;
                    for (int64_t bb = a; bb < d; bb++)
                        row[bb] += va * df[bb];
                }
            }
        }
    }
    P[e->per - 1] = ll;
}

/* A pass over all blocks; the merged sums land in slot 0 of part when
 * accumulating (the waves fold into it in block order). Returns the mean
 * log-likelihood per unit weight. */
static double em_pass(em_work *e, const int32_t *label, int accum, double *tot)
{
    const int64_t per = e->per;
    double ll = 0;
    memset(tot, 0, sizeof(double) * (size_t)per);
    for (int64_t b0 = 0; b0 < e->nb; b0 += e->wave) {
        int64_t b1 = b0 + e->wave < e->nb ? b0 + e->wave : e->nb;
#pragma omp parallel for schedule(dynamic, 1) num_threads(e->D->threads)
        for (int64_t b = b0; b < b1; b++)
            em_block(e, label, b, b - b0, accum);
        for (int64_t b = b0; b < b1; b++) {
            const double *P = e->part + (b - b0) * per;
            for (int64_t t = 0; t < per; t++)
                tot[t] += P[t];
        }
    }
    ll = tot[per - 1];
    return ll / e->D->wsum;
}

/* The M-step from the merged sums tot; counts degenerate covariances. */
static wn_status m_step(em_work *e, const double *tot)
{
    wn_gmm *m = e->m;
    const int64_t k = e->k, d = e->d, dd = e->dd;
    const double *Nk = tot, *Sx = tot + k, *Sxx = Sx + k * d;
    const double reg = m->params.reg_covar;
    double nsum = 0;
    m->regularised = 0; /* it describes the latest M-step: the fitted model */
    for (int64_t c = 0; c < k; c++)
        nsum += Nk[c] + 10 * DBL_EPSILON;
    for (int64_t c = 0; c < k; c++) {
        const double N = Nk[c] + 10 * DBL_EPSILON;
        double *mu = m->means + c * d, *cov = m->covs + c * d * d, *raw = e->raw;
        m->weights[c] = N / nsum;
        double maxdiag = 0;
        for (int64_t a = 0; a < d; a++)
            mu[a] = e->mu0[c * d + a] + Sx[c * d + a] / N;
        memset(raw, 0, sizeof(double) * (size_t)(d * d));
        for (int64_t a = 0; a < d; a++) {
            const double da = Sx[c * d + a] / N;
            if (e->diag) {
                double v = Sxx[c * dd + a] / N - da * da;
                raw[a * d + a] = v > 0 ? v : 0;
            } else {
                for (int64_t b = a; b < d; b++) {
                    double v = Sxx[c * dd + a * d + b] / N - da * (Sx[c * d + b] / N);
                    raw[a * d + b] = raw[b * d + a] = v;
                }
                raw[a * d + a] = raw[a * d + a] > 0 ? raw[a * d + a] : 0;
            }
            maxdiag = raw[a * d + a] > maxdiag ? raw[a * d + a] : maxdiag;
        }
        /* degenerate without the regularisation? */
        double mp = 0;
        int degenerate;
        if (e->diag) {
            mp = (double)INFINITY;
            for (int64_t a = 0; a < d; a++)
                mp = raw[a * d + a] < mp ? raw[a * d + a] : mp;
            degenerate = 0;
        } else {
            degenerate = wn__clu_cholesky(raw, d, e->L, &mp);
        }
        double floor_v = 1e-12 * maxdiag;
        if (degenerate || mp <= (reg > floor_v ? reg : floor_v))
            m->regularised++;
        double r = reg, base = reg > 0 ? reg : 1e-10;
        for (int t = 0;; t++) {
            memcpy(cov, raw, sizeof(double) * (size_t)(d * d));
            for (int64_t a = 0; a < d; a++)
                cov[a * d + a] += r;
            double h;
            if (!factor_one(cov, d, e->diag, m->prec + c * d * d, e->L, &h)) {
                m->lognorm[c] = log(m->weights[c]) - 0.5 * (double)d * LOG_2PI - h;
                break;
            }
            if (t >= 40)
                return wn__fail(WN_ENUMERIC,
                                "gmm: covariance of component %lld stays singular after "
                                "regularisation %g",
                                (long long)c, r);
            base *= 10;
            r = base;
            m->regularised++;
        }
    }
    return WN_OK;
}

static void em_free(em_work *e)
{
    wn_free(e->part);
    wn_free(e->scr);
    wn_free(e->mu0);
    wn_free(e->L);
    wn_free(e->raw);
}

wn_status wn__gmm_em(const wn__km_data *D, const int32_t *label, wn_gmm *m, const wn_progress *prog,
                     int64_t done0, int64_t total)
{
    em_work e;
    memset(&e, 0, sizeof e);
    e.D = D;
    e.m = m;
    e.k = m->k;
    e.d = D->d;
    e.diag = m->params.cov == WN_GMM_DIAG;
    e.dd = e.diag ? e.d : e.d * e.d;
    e.per = e.k * (1 + e.d + e.dd) + 1;
    e.nb = (D->n + WN__CLU_BLOCK - 1) / WN__CLU_BLOCK;
    int64_t wave = (int64_t)(((size_t)64 << 20) / ((size_t)e.per * sizeof(double)));
    e.wave = wave < 1 ? 1 : wave > e.nb ? e.nb : wave;
    const size_t k = (size_t)e.k, d = (size_t)e.d;
    e.part = wn__malloc_array((size_t)(e.wave + 1), (size_t)e.per * sizeof(double));
    e.scr = wn__malloc_array((size_t)D->threads, (2 * d + k) * sizeof(double));
    e.mu0 = wn__malloc_array(k * d, sizeof(double));
    e.L = wn__malloc_array(d * d, sizeof(double));
    e.raw = wn__malloc_array(d * d, sizeof(double));
    m->weights = wn__malloc_array(k, sizeof(double));
    m->means = wn__calloc(k * d, sizeof(double));
    m->covs = wn__malloc_array(k * d, d * sizeof(double));
    m->prec = wn__malloc_array(k * d, d * sizeof(double));
    m->lognorm = wn__malloc_array(k, sizeof(double));
    wn_status s = WN_OK;
    if (!e.part || !e.scr || !e.mu0 || !e.L || !e.raw || !m->weights || !m->means || !m->covs ||
        !m->prec || !m->lognorm) {
        em_free(&e);
        return wn__oom("gmm");
    }
    double *tot = e.part + e.wave * e.per;
    /* initial means: the label means (around 0 first, then exact) */
    memset(e.mu0, 0, sizeof(double) * k * d);
    em_pass(&e, label, 1, tot);
    if ((s = m_step(&e, tot)) != WN_OK)
        goto done;
    memcpy(e.mu0, m->means, sizeof(double) * k * d);
    m->regularised = 0;
    em_pass(&e, label, 1, tot);
    if ((s = m_step(&e, tot)) != WN_OK)
        goto done;
    double prev = -(double)INFINITY;
    m->converged = 0;
    m->iterations = 0;
    for (int it = 1; it <= m->params.max_iter; it++) {
        memcpy(e.mu0, m->means, sizeof(double) * k * d);
        double ll = em_pass(&e, NULL, 1, tot);
        if (!isfinite(ll)) {
            s = wn__fail(WN_ENUMERIC, "gmm: the log-likelihood is not finite at iteration %d", it);
            goto done;
        }
        if ((s = m_step(&e, tot)) != WN_OK)
            goto done;
        m->iterations = it;
        if (prog && prog->fn && prog->fn(prog->ud, "gmm", done0 + it, total)) {
            s = wn__fail(WN_EINVAL, "cancelled");
            goto done;
        }
        if (fabs(ll - prev) < m->params.tol) {
            m->converged = 1;
            break;
        }
        prev = ll;
    }
    if ((s = wn__gmm_factor(m)) != WN_OK)
        goto done;
    m->loglik = em_pass(&e, NULL, 0, tot);
done:
    em_free(&e);
    return s;
}
