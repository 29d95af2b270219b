/* pca.c — weighted principal component analysis: fit, transform, inverse.
 *
 * PCA (Pearson 1901, "On lines and planes of closest fit", Phil. Mag. 2:559;
 * Hotelling 1933; Jolliffe, "Principal Component Analysis", 2nd ed.,
 * Springer 2002) finds the orthonormal directions of largest variance: the
 * eigenvectors of the covariance matrix, sorted by eigenvalue.
 *
 * The covariance is built in ONE streaming pass over the table's columns,
 * never copying the data into a matrix (10M rows must fit in memory once).
 * Rows are taken in fixed blocks of BLOCK rows: a block is gathered into a
 * column-major double buffer, centred on its own weighted mean, scaled by
 * sqrt(w) per row, and its centred cross-product Z'Z comes from one rank-k
 * update (what BLAS dsyrk does; our kernel in pca_kernel.c says why it is
 * not BLAS). Blocks are merged with Chan, Golub & LeVeque's
 * pairwise update of (weight, mean, M2) (Chan et al. 1979, "Updating
 * formulae and a pairwise algorithm for computing sample variances";
 * weighted form as in West 1979), so no sum of squares ever meets a large
 * offset. Parallel work is a chunk of CHUNK_BLOCKS consecutive blocks (more
 * for very wide data, to bound the memory of the partial results); each
 * chunk is reduced sequentially by one thread into its own slot, and the
 * slots are merged in chunk order at the end, so the bits do not depend on
 * the thread count. Block and chunk sizes depend only on the rows and the
 * number of features.
 *
 * Standardisation (x_fit = (x - center) / scale) is an affine map, so the
 * pass works on the raw values and maps the mean and covariance afterwards:
 * mean_fit = (mean - center) / scale, cov_fit[i][j] = cov[i][j] / (s_i s_j).
 *
 * The covariance's denominator is sum(w) - sum(w^2)/sum(w) (reliability
 * weights; n - 1 without weights). Its eigen-decomposition is LAPACK's
 * dsyevr (Dhillon & Parlett, "Multiple representations to compute
 * orthogonal eigenvectors of symmetric tridiagonal matrices", Linear Algebra
 * Appl. 387 (2004) 1-28: the MRRR algorithm), with our own workspace so
 * every byte goes through the allocation hook. Eigenvalues below zero are
 * rounding noise and are clipped to 0. Each component is signed so that its
 * largest-magnitude entry (the first, on ties) is positive.
 *
 * Whitening divides score k by sd_k = sqrt(variance_k), floored at
 * DBL_EPSILON * sqrt(variance_0) so that a zero-variance direction gives
 * large finite scores, not inf/NaN (scikit-learn floors at machine epsilon
 * the same way). The inverse multiplies by the same sd_k.
 *
 * The model file (save, load, header) is in pca_io.c. */
#include "pca.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include <lapacke.h>

#ifdef _OPENMP
#include <omp.h>
#else
static int omp_get_thread_num(void)
{
    return 0;
}
#endif

#define BLOCK WN__PCA_BLOCK            /* rows per rank-k update (512)                 */
#define CHUNK_BLOCKS 16                /* blocks per unit of parallel work (8192 rows) */
#define PART_BYTES ((int64_t)64 << 20) /* cap on the chunks' partial moments  */

/* ---- lifetime and accessors ---- */

wn_pca *wn__pca_new(void)
{
    return wn__calloc(1, sizeof(wn_pca));
}

wn_status wn__pca_alloc(wn_pca *m)
{
    size_t d = (size_t)m->f.nfeat;
    m->mean = wn__calloc(d, sizeof(double));
    m->variance = wn__calloc(d, sizeof(double));
    m->components = wn__malloc_array((size_t)m->ncomp * d, sizeof(double));
    m->sd = wn__calloc((size_t)m->ncomp, sizeof(double));
    if (!m->mean || !m->variance || !m->components || !m->sd)
        return wn__oom("pca model");
    return WN_OK;
}

wn_status wn__pca_finish(wn_pca *m)
{
    double floor_sd = sqrt(m->variance[0]) * DBL_EPSILON;
    for (int k = 0; k < m->ncomp; k++) {
        double sd = sqrt(m->variance[k]);
        m->sd[k] = sd > floor_sd ? sd : floor_sd;
    }
    return WN_OK;
}

void wn_pca_free(wn_pca *m)
{
    if (!m)
        return;
    wn__features_free(&m->f);
    wn_free(m->mean);
    wn_free(m->components);
    wn_free(m->variance);
    wn_free(m->sd);
    wn_free(m->header);
    wn_free(m);
}

wn_pca_params wn_pca_params_default(void)
{
    wn_pca_params p;
    memset(&p, 0, sizeof p);
    p.data.seed = 42;
    p.components = 0;
    p.whiten = 0;
    return p;
}

int64_t wn_pca_num_features(const wn_pca *m)
{
    return m ? m->f.nfeat : 0;
}
const char *wn_pca_feature_name(const wn_pca *m, int64_t i)
{
    return m && i >= 0 && i < m->f.nfeat ? m->f.names[i] : NULL;
}
int wn_pca_num_components(const wn_pca *m)
{
    return m ? m->ncomp : 0;
}
int64_t wn_pca_num_rows(const wn_pca *m)
{
    return m ? m->nrows : 0;
}
int64_t wn_pca_num_dropped(const wn_pca *m)
{
    return m ? m->ndropped : 0;
}
const double *wn_pca_mean(const wn_pca *m)
{
    return m ? m->mean : NULL;
}
const double *wn_pca_components(const wn_pca *m)
{
    return m ? m->components : NULL;
}
const double *wn_pca_variance(const wn_pca *m)
{
    return m ? m->variance : NULL;
}
const char *wn_pca_header(const wn_pca *m)
{
    return m ? m->header : NULL;
}

/* ---- the covariance pass ---- */

/* Weight, weighted mean and centred cross-product (upper triangle of a
 * row-major d x d matrix) of a set of rows. */
typedef struct moments {
    double w, w2; /* sum of weights and of their squares                   */
    double *mean; /* [d]                                                    */
    double *m2;   /* [d][d], upper triangle (i <= j) valid                  */
} moments;

/* One thread's scratch. */
typedef struct work {
    double *z;   /* [d][BLOCK] the gathered block, column-major            */
    double *sw;  /* [BLOCK] sqrt of the row weights                        */
    int simd;    /* wn__pca_simd()                                         */
    moments blk; /* the block's moments                                    */
} work;

/* a <- a merged with b (Chan et al. 1979, weighted): delta = mean_b -
 * mean_a; M2 = M2_a + M2_b + delta delta' w_a w_b / w. */
static void merge(moments *a, const moments *b, int64_t d)
{
    if (!(b->w > 0))
        return;
    if (!(a->w > 0)) {
        a->w = b->w;
        a->w2 = b->w2;
        memcpy(a->mean, b->mean, (size_t)d * sizeof(double));
        memcpy(a->m2, b->m2, (size_t)(d * d) * sizeof(double));
        return;
    }
    double w = a->w + b->w, f = a->w * b->w / w, g = b->w / w;
    for (int64_t i = 0; i < d; i++) {
        double di = b->mean[i] - a->mean[i], fdi = f * di;
        double *ra = a->m2 + i * d;
        const double *rb = b->m2 + i * d;
        for (int64_t j = i; j < d; j++)
            ra[j] += rb[j] + fdi * (b->mean[j] - a->mean[j]);
    }
    for (int64_t i = 0; i < d; i++)
        a->mean[i] += g * (b->mean[i] - a->mean[i]);
    a->w = w;
    a->w2 += b->w2;
}

/* The moments of fit rows [r0, r0 + nb) into wk->blk. */
static void block_moments(const wn__udata *u, int64_t d, int64_t r0, int64_t nb, work *wk)
{
    const int64_t *ridx = u->ridx;
    double *z = wk->z, *sw = wk->sw;
    moments *b = &wk->blk;
    double w = 0, w2 = 0;
    if (u->w) {
        for (int64_t r = 0; r < nb; r++) {
            double x = (double)u->w[r0 + r];
            w += x;
            w2 += x * x;
            sw[r] = sqrt(x);
        }
    } else {
        w = w2 = (double)nb;
    }
    b->w = w;
    b->w2 = w2;
    if (!(w > 0))
        return;
    for (int64_t f = 0; f < d; f++)
        b->mean[f] = wn__pca_gather(u->cols[f], ridx, u->w, sw, w, r0, nb, z + f * BLOCK, wk->simd);
    wn__pca_xprod(z, d, nb, b->m2, wk->simd);
}

/* The moments of fit rows [r0, r1) into acc, merging their blocks in
 * order. */
static void chunk_moments(const wn__udata *u, int64_t d, int64_t r0, int64_t r1, work *wk,
                          moments *acc)
{
    acc->w = acc->w2 = 0;
    for (int64_t r = r0; r < r1; r += BLOCK) {
        int64_t nb = r1 - r < BLOCK ? r1 - r : BLOCK;
        block_moments(u, d, r, nb, wk);
        merge(acc, &wk->blk, d);
    }
}

static int moments_alloc(moments *m, int64_t d)
{
    m->mean = wn__calloc((size_t)d, sizeof(double));
    m->m2 = wn__calloc((size_t)d, (size_t)d * sizeof(double)); /* lower half stays 0 */
    return m->mean && m->m2;
}

static void moments_free(moments *m)
{
    wn_free(m->mean);
    wn_free(m->m2);
}

/* Rows per chunk: CHUNK_BLOCKS blocks, more when the chunks' partial
 * moments would pass PART_BYTES (wide data). A function of n and d only. */
static int64_t chunk_rows(int64_t n, int64_t d)
{
    const int64_t per = (d * d + d + 2) * (int64_t)sizeof(double);
    int64_t cap = PART_BYTES / per, rows = BLOCK * CHUNK_BLOCKS;
    if (cap < 1)
        cap = 1;
    if (n / rows >= cap) {
        rows = (n + cap - 1) / cap;
        rows = (rows + BLOCK - 1) / BLOCK * BLOCK;
    }
    return rows;
}

/* The weighted moments of every fit row into g. Each chunk's moments go
 * to its own slot and are merged in chunk order after the parallel loop:
 * no thread ever waits for another (an ordered section did, and with
 * spinning waits on a loaded machine the pass took 4x longer). */
static wn_status covariance_pass(const wn__udata *u, int64_t d, const wn_unsup_data *dp, moments *g)
{
    const int64_t crows = chunk_rows(u->n, d), nchunk = (u->n + crows - 1) / crows;
    int nt = wn__threads(dp->threads);
    if (nt > nchunk)
        nt = (int)nchunk;
    const int simd = wn__pca_simd();
    work *wk = wn__calloc((size_t)nt, sizeof(work));
    moments *part = wn__calloc((size_t)nchunk, sizeof(moments));
    wn_status s = WN_OK;
    if (!wk || !part) {
        s = wn__oom("pca workspace");
        goto done;
    }
    for (int t = 0; t < nt; t++) {
        wk[t].simd = simd;
        /* zeroed: columns d..d4-1 stay zero, as the kernel wants */
        wk[t].z = wn__calloc((size_t)((d + 3) & ~(int64_t)3) * BLOCK, sizeof(double));
        wk[t].sw = wn__malloc_array(BLOCK, sizeof(double));
        if (!wk[t].z || !wk[t].sw || !moments_alloc(&wk[t].blk, d)) {
            s = wn__oom("pca workspace");
            goto done;
        }
    }
    for (int64_t c = 0; c < nchunk; c++)
        if (!moments_alloc(part + c, d)) {
            s = wn__oom("pca workspace");
            goto done;
        }
    const wn_progress pr = dp->progress;
    int cancelled = 0;
    int64_t ndone = 0, every = nchunk / 100 + 1;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int64_t c = 0; c < nchunk; c++) {
        int stop, tid = omp_get_thread_num();
#pragma omp atomic read
        stop = cancelled;
        if (stop)
            continue;
        int64_t r1 = (c + 1) * crows < u->n ? (c + 1) * crows : u->n;
        chunk_moments(u, d, c * crows, r1, wk + tid, part + c);
        int64_t k;
#pragma omp atomic capture
        k = ++ndone;
        if (pr.fn && tid == 0 && (k % every == 0 || k == nchunk) &&
            pr.fn(pr.ud, "pca", k, nchunk)) {
#pragma omp atomic write
            cancelled = 1;
        }
    }
    if (cancelled) {
        s = wn__fail(WN_EINVAL, "cancelled");
        goto done;
    }
    g->w = g->w2 = 0;
    for (int64_t c = 0; c < nchunk; c++)
        merge(g, part + c, d);
done:
    for (int t = 0; wk && t < nt; t++) {
        wn_free(wk[t].z);
        wn_free(wk[t].sw);
        moments_free(&wk[t].blk);
    }
    for (int64_t c = 0; part && c < nchunk; c++)
        moments_free(part + c);
    wn_free(wk);
    wn_free(part);
    return s;
}

/* ---- eigen-decomposition ---- */

/* Eigenvalues (descending, clipped at 0) of the symmetric d x d matrix a
 * (full, destroyed) into var[d], and the leading ncomp eigenvectors, signed,
 * into comp[ncomp][d]. */
static wn_status eigen(double *a, int64_t d64, int ncomp, double *var, double *comp)
{
    const lapack_int d = (lapack_int)d64;
    lapack_int found = 0, liwork = -1, lwork = -1, iq = 0, info;
    double wq = 0;
    double abstol = LAPACKE_dlamch('S'); /* high relative accuracy (dsyevr docs) */
    info = LAPACKE_dsyevr_work(LAPACK_COL_MAJOR, 'V', 'A', 'L', d, a, d, 0, 0, 0, 0, abstol, &found,
                               var, NULL, d, NULL, &wq, lwork, &iq, liwork);
    if (info != 0)
        return wn__fail(WN_ENUMERIC, "pca: LAPACK dsyevr workspace query failed (info %d)",
                        (int)info);
    lwork = (lapack_int)wq;
    liwork = iq;
    double *w = wn__malloc_array((size_t)d, sizeof(double));
    double *z = wn__malloc_array((size_t)d * (size_t)d, sizeof(double));
    double *wrk = wn__malloc_array((size_t)lwork, sizeof(double));
    lapack_int *iwork = wn__malloc_array((size_t)liwork, sizeof(lapack_int));
    lapack_int *isuppz = wn__malloc_array(2 * (size_t)d, sizeof(lapack_int));
    wn_status s = WN_OK;
    if (!w || !z || !wrk || !iwork || !isuppz) {
        s = wn__oom("pca eigen-decomposition");
        goto done;
    }
    info = LAPACKE_dsyevr_work(LAPACK_COL_MAJOR, 'V', 'A', 'L', d, a, d, 0, 0, 0, 0, abstol, &found,
                               w, z, d, isuppz, wrk, lwork, iwork, liwork);
    if (info != 0 || found != d) {
        s = wn__fail(WN_ENUMERIC,
                     "pca: LAPACK dsyevr failed on the %d x %d covariance (info %d, %d of %d "
                     "eigenvalues)",
                     (int)d, (int)d, (int)info, (int)found, (int)d);
        goto done;
    }
    for (lapack_int k = 0; k < d; k++) {
        double v = w[d - 1 - k];
        var[k] = v > 0 ? v : 0.0;
    }
    for (int k = 0; k < ncomp; k++) {
        const double *col = z + (size_t)(d - 1 - k) * (size_t)d; /* column-major: contiguous */
        double *out = comp + (size_t)k * (size_t)d;
        lapack_int big = 0;
        for (lapack_int i = 1; i < d; i++)
            if (fabs(col[i]) > fabs(col[big]))
                big = i;
        double sg = col[big] < 0 ? -1.0 : 1.0;
        for (lapack_int i = 0; i < d; i++)
            out[i] = sg * col[i] + 0.0; /* + 0.0: no -0 in the output */
    }
done:
    wn_free(w);
    wn_free(z);
    wn_free(wrk);
    wn_free(iwork);
    wn_free(isuppz);
    return s;
}

/* ---- fit ---- */

static wn_status fit(const wn__udata *u, const wn_pca_params *p, wn_pca *m)
{
    const int64_t d = m->f.nfeat;
    moments g = {0, 0, NULL, NULL};
    double *cov = NULL;
    wn_status s;
    if (!moments_alloc(&g, d) || !(cov = wn__malloc_array((size_t)d, (size_t)d * sizeof(double)))) {
        s = wn__oom("pca covariance");
        goto done;
    }
    if ((s = covariance_pass(u, d, &p->data, &g)) != WN_OK)
        goto done;
    double denom = g.w - g.w2 / g.w;
    if (!(g.w > 0) || !(denom > 0)) {
        s = wn__fail(WN_EINVAL,
                     "pca: the weights leave fewer than 2 rows with positive weight "
                     "(sum(w) - sum(w^2)/sum(w) = %g): no covariance can be estimated",
                     denom);
        goto done;
    }
    const double *ctr = m->f.center, *scl = m->f.scale;
    double trace = 0;
    int finite = 1;
    for (int64_t i = 0; i < d; i++) {
        m->mean[i] = (g.mean[i] - ctr[i]) / scl[i];
        finite &= isfinite(m->mean[i]) != 0;
        for (int64_t j = i; j < d; j++) {
            double c = g.m2[i * d + j] / denom / (scl[i] * scl[j]);
            cov[i * d + j] = cov[j * d + i] = c;
            finite &= isfinite(c) != 0;
        }
        trace += cov[i * d + i];
    }
    if (!finite) { /* only values near FLT_MAX with tiny weights could get here */
        s = wn__fail(WN_ENUMERIC, "pca: the mean or covariance overflowed (values too large "
                                  "for double precision sums)");
        goto done;
    }
    if (!(trace > 0)) {
        s = wn__fail(WN_EINVAL,
                     "pca: every feature is constant over the %lld fitted rows: "
                     "there is no variance to analyse",
                     (long long)u->n);
        goto done;
    }
    m->denom = denom;
    m->wsum = g.w;
    s = eigen(cov, d, m->ncomp, m->variance, m->components);
done:
    moments_free(&g);
    wn_free(cov);
    return s;
}

wn_status wn_pca_fit(const wn_table *t, const wn_pca_params *p, wn_pca **out)
{
    if (!t || !p || !out)
        return wn__fail(WN_EINVAL, "pca: %s is NULL", !t ? "table" : !p ? "params" : "out");
    if (p->components < 0)
        return wn__fail(WN_EINVAL, "pca: components = %d is negative (1..features, or 0 for all)",
                        p->components);
    if (!(p->variance_fraction >= 0 && p->variance_fraction < 1))
        return wn__fail(WN_EINVAL, "pca: variance_fraction = %g: must be in [0, 1)",
                        p->variance_fraction);
    if (wn_table_nrows(t) < 2)
        return wn__fail(WN_EINVAL,
                        "pca: needs at least 2 rows to estimate a covariance; the "
                        "table has %lld",
                        (long long)wn_table_nrows(t));
    wn__udata u;
    wn_status s = wn__udata_prepare(t, &p->data, "pca", &u);
    if (s != WN_OK)
        return s;
    wn_pca *m = NULL;
    const int64_t d = u.f.nfeat;
    if (p->components > d) {
        s = wn__fail(WN_EINVAL, "pca: components = %d exceeds the number of features (%lld)",
                     p->components, (long long)d);
        goto done;
    }
    if (d > INT32_MAX / 2) {
        s = wn__fail(WN_EINVAL, "pca: %lld features is more than LAPACK can take", (long long)d);
        goto done;
    }
    if (u.n < 2) {
        s = wn__fail(WN_EINVAL,
                     "pca: needs at least 2 rows to estimate a covariance, got %lld (%lld "
                     "dropped for missing values)",
                     (long long)u.n, (long long)u.ndropped);
        goto done;
    }
    if (!(m = wn__pca_new())) {
        s = wn__oom("pca model");
        goto done;
    }
    m->f = u.f; /* the model takes the features */
    u.f = (wn__features){0};
    m->ncomp = p->components ? p->components : (int)d;
    m->whiten = p->whiten != 0;
    m->drop_missing = p->data.drop_missing != 0;
    m->nrows = u.n;
    m->ndropped = u.ndropped;
    m->input_hash = u.input_hash;
    m->seed = p->data.seed;
    if ((s = wn__pca_alloc(m)) != WN_OK || (s = fit(&u, p, m)) != WN_OK)
        goto done;
    if (!p->components && p->variance_fraction > 0) {
        /* all components were computed; keep the fewest that reach the
         * fraction (the arrays keep their size, the rows past k unused) */
        double total = 0, run = 0;
        for (int64_t i = 0; i < d; i++)
            total += m->variance[i] > 0 ? m->variance[i] : 0;
        int k = 0;
        while (k < d && (k == 0 || run < p->variance_fraction * total)) {
            run += m->variance[k] > 0 ? m->variance[k] : 0;
            k++;
        }
        m->ncomp = k;
    }
    if ((s = wn__pca_finish(m)) != WN_OK)
        goto done;
    s = wn__pca_build_header(m, p->data.command_line);
done:
    wn__udata_free(&u);
    if (s != WN_OK) {
        wn_pca_free(m);
        return s;
    }
    *out = m;
    return WN_OK;
}

/* ---- transform and inverse ---- */

wn_status wn_pca_transform(const wn_pca *m, const wn_table *t, int allow_missing, int threads,
                           double *scores, double *recon)
{
    if (!m || !t)
        return wn__fail(WN_EINVAL, "pca transform: %s is NULL", m ? "table" : "model");
    wn__bound b;
    wn_status s = wn__features_bind(&m->f, t, allow_missing, "pca transform", &b);
    if (s != WN_OK)
        return s;
    const int64_t n = b.nrows, d = m->f.nfeat, nblk = (n + BLOCK - 1) / BLOCK;
    const int k = m->ncomp, simd = wn__pca_simd();
    int nt = wn__threads(threads);
    if (nt > nblk)
        nt = nblk > 0 ? (int)nblk : 1;
    if (!scores && !recon)
        goto done;
    /* per thread: y[d][BLOCK], s[k][BLOCK], rec[BLOCK], then bad[BLOCK] */
    const size_t per = (size_t)(d + k + 1) * BLOCK;
    double *buf = wn__malloc_array((size_t)nt, per * sizeof(double) + BLOCK);
    if (!buf) {
        s = wn__oom("pca transform");
        goto done;
    }
    const double *mean = m->mean, *ctr = m->f.center, *scl = m->f.scale, *sd = m->sd;
    const int whiten = m->whiten;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int64_t bi = 0; bi < nblk; bi++) {
        int tid = omp_get_thread_num();
        double *y = buf + (size_t)tid * (per + BLOCK / sizeof(double));
        double *sc = y + d * BLOCK, *rec = sc + (int64_t)k * BLOCK;
        uint8_t *bad = (uint8_t *)(rec + BLOCK);
        const int64_t r0 = bi * BLOCK, nr = n - r0 < BLOCK ? n - r0 : BLOCK;
        memset(bad, 0, BLOCK);
        for (int64_t f = 0; f < d; f++) { /* the row's x_fit - mean, as wn__bound_row */
            const float *col = b.cols[f];
            const double c = ctr[f], q = scl[f], mu = mean[f];
            double *yf = y + f * BLOCK;
            for (int64_t r = 0; r < nr; r++) {
                float v = col[b.ridx ? b.ridx[r0 + r] : r0 + r];
                bad[r] = (uint8_t)(bad[r] | !isfinite(v));
                yf[r] = ((double)v - c) / q - mu;
            }
            for (int64_t r = nr; r < BLOCK; r++)
                yf[r] = 0;
        }
        wn__pca_project(m->components, d, k, y, sc, recon ? rec : NULL, simd);
        for (int64_t r = 0; r < nr; r++) {
            double *out = scores ? scores + (r0 + r) * k : NULL;
            if (bad[r]) { /* only with allow_missing */
                for (int j = 0; out && j < k; j++)
                    out[j] = (double)NAN;
                if (recon)
                    recon[r0 + r] = (double)NAN;
                continue;
            }
            for (int j = 0; out && j < k; j++) {
                double v = sc[(int64_t)j * BLOCK + r];
                out[j] = whiten ? v / sd[j] : v;
            }
            if (recon)
                recon[r0 + r] = rec[r];
        }
    }
    wn_free(buf);
done:
    wn__bound_free(&b);
    return s;
}

wn_status wn_pca_inverse(const wn_pca *m, const double *scores, int64_t n, double *x)
{
    if (!m)
        return wn__fail(WN_EINVAL, "pca inverse: model is NULL");
    if (n < 0)
        return wn__fail(WN_EINVAL, "pca inverse: n = %lld is negative", (long long)n);
    if (n > 0 && (!scores || !x))
        return wn__fail(WN_EINVAL, "pca inverse: %s is NULL", scores ? "x" : "scores");
    const int64_t d = m->f.nfeat;
    const int k = m->ncomp;
    for (int64_t i = 0; i < n; i++) {
        double *xi = x + i * d;
        const double *si = scores + i * k;
        memcpy(xi, m->mean, (size_t)d * sizeof(double));
        for (int j = 0; j < k; j++) {
            const double *v = m->components + (size_t)j * (size_t)d;
            double a = m->whiten ? si[j] * m->sd[j] : si[j];
            for (int64_t f = 0; f < d; f++)
                xi[f] += a * v[f];
        }
        for (int64_t f = 0; f < d; f++)
            xi[f] = xi[f] * m->f.scale[f] + m->f.center[f];
    }
    return WN_OK;
}
