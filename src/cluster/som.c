/* som.c — the self-organising map: Kohonen's batch map.
 *
 * Kohonen, "Self-organized formation of topologically correct feature
 * maps", Biol. Cybern. 43 (1982) 59-69; the batch algorithm as in Kohonen,
 * "Essentials of the self-organizing map", Neural Networks 37 (2013) 52-65,
 * and Kohonen, "Self-Organizing Maps", 3rd ed., Springer 2001, sec. 3.14.
 *
 * A grid of units, each holding a vector in the data's (fitted) space, is
 * bent through the data so that neighbouring units hold similar vectors:
 * the map is a 2-D picture of the data's shape. The batch map replaces
 * every unit's vector, once per epoch, by a weighted mean of the data,
 *     m_u = sum_i w_i h(u, c_i) x_i / sum_i w_i h(u, c_i),
 * c_i being event i's best-matching unit (the nearest vector) and
 * h(u, v) = exp(-|r_u - r_v|^2 / (2 sigma^2)) a Gaussian on the grid's
 * plane whose width falls exponentially from sigma0 to sigma_end over the
 * epochs. The sums are gathered per best-matching unit first (S_v =
 * sum_{c_i = v} w_i x_i, W_v = sum_{c_i = v} w_i), so an epoch costs one
 * nearest-unit search per event plus units^2 * d. A unit that no data
 * reaches (its denominator is 0) keeps its vector.
 *
 * Unlike the online map, this has no learning rate and no order of
 * presentation, so it is deterministic; the codebook starts on the plane
 * of the data's first two principal components (LAPACKE dsyevr on the
 * weighted covariance), spread over +-2 standard deviations along each, so
 * no random numbers are drawn at all. Searches are parallel over rows;
 * sums are gathered over a fixed partition of the rows (it depends on the
 * row count only) and added in partition order, so the result is the same
 * at any thread count.
 *
 * Quality measures on the fitted rows after the last epoch: quantisation
 * error (weighted mean distance to the best-matching unit), topographic
 * error (weighted fraction of events whose second-best unit is not a grid
 * neighbour of the best; Kiviluoto 1996), hits, and the U-matrix (Ultsch &
 * Siemon 1990: mean distance to the grid neighbours; high walls separate
 * clusters). Save and load are in som_io.c. */
#include "som.h"

#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <string.h>

#define CHUNK_ROWS 4096
#define MAX_CHUNKS 16

wn_som_params wn_som_params_default(void)
{
    wn_som_params p;
    memset(&p, 0, sizeof p);
    p.data.seed = 42;
    p.rows = 10;
    p.cols = 10;
    p.topology = WN_SOM_HEX;
    p.epochs = 20;
    p.sigma0 = 5.0; /* max(rows, cols) / 2 */
    p.sigma_end = 0.5;
    return p;
}

void wn_som_free(wn_som *m)
{
    if (!m)
        return;
    wn__features_free(&m->f);
    wn_free(m->codebook);
    wn_free(m->cbf);
    wn_free(m->umatrix);
    wn_free(m->hits);
    wn_free(m->header);
    wn_free(m);
}

int64_t wn_som_num_features(const wn_som *m)
{
    return m ? m->f.nfeat : 0;
}
const char *wn_som_feature_name(const wn_som *m, int64_t i)
{
    return m && i >= 0 && i < m->f.nfeat ? m->f.names[i] : NULL;
}
void wn_som_grid(const wn_som *m, int *rows, int *cols, wn_som_topology *topology)
{
    if (rows)
        *rows = m ? m->rows : 0;
    if (cols)
        *cols = m ? m->cols : 0;
    if (topology)
        *topology = m ? m->topology : WN_SOM_RECT;
}
int64_t wn_som_num_rows(const wn_som *m)
{
    return m ? m->nrows : 0;
}
int64_t wn_som_num_dropped(const wn_som *m)
{
    return m ? m->ndropped : 0;
}
const double *wn_som_codebook(const wn_som *m)
{
    return m ? m->codebook : NULL;
}
const double *wn_som_umatrix(const wn_som *m)
{
    return m ? m->umatrix : NULL;
}
const double *wn_som_hits(const wn_som *m)
{
    return m ? m->hits : NULL;
}
double wn_som_quantization_error(const wn_som *m)
{
    return m ? m->qe : (double)NAN;
}
double wn_som_topographic_error(const wn_som *m)
{
    return m ? m->te : (double)NAN;
}
const char *wn_som_header(const wn_som *m)
{
    return m ? m->header : NULL;
}

/* ---- the grid ---- */

void wn__som_pos(int cols, wn_som_topology topo, int64_t u, double *x, double *y)
{
    const int64_t i = u / cols, j = u % cols;
    if (topo == WN_SOM_HEX) {
        *x = (double)j + (i & 1 ? 0.5 : 0.0);
        *y = (double)i * 0.86602540378443864676; /* sqrt(3)/2 */
    } else {
        *x = (double)j;
        *y = (double)i;
    }
}

void wn__som_neighbours(int rows, int cols, wn_som_topology topo, int32_t *nb, uint8_t *nn)
{
    const int64_t units = (int64_t)rows * cols;
    for (int64_t u = 0; u < units; u++) {
        const int i = (int)(u / cols), j = (int)(u % cols);
        int k = 0;
        /* candidates: the 8 cells around; keep those at distance 1 */
        for (int di = -1; di <= 1; di++)
            for (int dj = -1; dj <= 1; dj++) {
                const int a = i + di, b = j + dj;
                if ((di == 0 && dj == 0) || a < 0 || a >= rows || b < 0 || b >= cols)
                    continue;
                double x0, y0, x1, y1;
                wn__som_pos(cols, topo, u, &x0, &y0);
                wn__som_pos(cols, topo, (int64_t)a * cols + b, &x1, &y1);
                const double d2 = (x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0);
                if (fabs(d2 - 1.0) < 1e-9)
                    nb[u * 6 + k++] = (int32_t)((int64_t)a * cols + b);
            }
        nn[u] = (uint8_t)k;
    }
}

void wn__som_umatrix(const wn_som *m, double *umatrix)
{
    const int64_t units = (int64_t)m->rows * m->cols, d = m->f.nfeat;
    for (int64_t u = 0; u < units; u++) {
        const int i = (int)(u / m->cols), j = (int)(u % m->cols);
        double sum = 0;
        int k = 0;
        for (int di = -1; di <= 1; di++)
            for (int dj = -1; dj <= 1; dj++) {
                const int a = i + di, b = j + dj;
                if ((di == 0 && dj == 0) || a < 0 || a >= m->rows || b < 0 || b >= m->cols)
                    continue;
                const int64_t v = (int64_t)a * m->cols + b;
                double x0, y0, x1, y1;
                wn__som_pos(m->cols, m->topology, u, &x0, &y0);
                wn__som_pos(m->cols, m->topology, v, &x1, &y1);
                if (fabs((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0) - 1.0) >= 1e-9)
                    continue;
                double s2 = 0;
                for (int64_t f = 0; f < d; f++) {
                    const double e = m->codebook[u * d + f] - m->codebook[v * d + f];
                    s2 += e * e;
                }
                sum += sqrt(s2);
                k++;
            }
        umatrix[u] = k ? sum / k : 0.0;
    }
}

wn_status wn__som_finish(wn_som *m)
{
    const size_t U = (size_t)m->rows * (size_t)m->cols, D = (size_t)m->f.nfeat;
    wn_free(m->cbf);
    if (!(m->cbf = wn__malloc_array(U * D, sizeof *m->cbf)))
        return wn__oom("self-organising map");
    for (size_t u = 0; u < U; u++)
        for (size_t f = 0; f < D; f++)
            m->cbf[f * U + u] = (float)m->codebook[u * D + f];
    return WN_OK;
}

/* The nearest and second-nearest units to x (squared distance in float,
 * ties to the lower unit); *second is -1 for a one-unit map. cbt is the
 * codebook transposed ([d][units]) so that the inner loop runs over units,
 * independent sums the compiler can vectorise; each unit's sum still adds
 * its features in order, so the result does not depend on the vector width.
 * d2: scratch [units]. */
static int32_t nearest(const float *restrict cbt, int64_t units, int64_t d, const float *restrict x,
                       float *restrict d2, int32_t *second)
{
    for (int64_t u = 0; u < units; u++)
        d2[u] = 0;
    for (int64_t f = 0; f < d; f++) {
        const float xf = x[f], *restrict row = cbt + f * units;
#pragma omp simd
        for (int64_t u = 0; u < units; u++) {
            const float e = xf - row[u];
            d2[u] += e * e;
        }
    }
    float best = INFINITY, next = INFINITY;
    int32_t b = 0, s = -1;
    for (int64_t u = 0; u < units; u++) {
        const float s2 = d2[u];
        if (s2 < best) {
            next = best, s = u ? b : -1;
            best = s2, b = (int32_t)u;
        } else if (s2 < next) {
            next = s2, s = (int32_t)u;
        }
    }
    *second = s;
    return b;
}

static double dist(const double *c, const float *x, int64_t d)
{
    double s2 = 0;
    for (int64_t f = 0; f < d; f++) {
        const double e = (double)x[f] - c[f];
        s2 += e * e;
    }
    return sqrt(s2);
}

/* ---- initialisation on the principal plane ---- */

/* Rows [lo, hi) of chunk c of nch over n rows. */
static void chunk(int64_t n, int nch, int c, int64_t *lo, int64_t *hi)
{
    *lo = n * c / nch;
    *hi = n * (c + 1) / nch;
}

/* mean[d] and the two leading unit eigenvectors (v[0..d), v[d..2d)) and
 * standard deviations sd[2] of the weighted covariance of X. */
static wn_status principal_plane(const float *X, const float *w, int64_t n, int64_t d, int nt,
                                 double *mean, double *v, double *sd)
{
    const int nch =
        (int)((n + CHUNK_ROWS - 1) / CHUNK_ROWS < MAX_CHUNKS ? (n + CHUNK_ROWS - 1) / CHUNK_ROWS
                                                             : MAX_CHUNKS);
    const size_t dd = (size_t)d * (size_t)d;
    double *acc = wn__calloc((size_t)nch, (dd + (size_t)d + 1) * sizeof(double));
    double *a = wn__calloc(dd, sizeof *a);
    if (!acc || !a) {
        wn_free(acc), wn_free(a);
        return wn__oom("self-organising map initialisation");
    }
    const size_t stride = dd + (size_t)d + 1;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1 && nch > 1)
    for (int c = 0; c < nch; c++) {
        int64_t lo, hi;
        chunk(n, nch, c, &lo, &hi);
        double *s = acc + (size_t)c * stride;
        for (int64_t i = lo; i < hi; i++) {
            const double wi = w ? (double)w[i] : 1.0;
            for (int64_t f = 0; f < d; f++)
                s[f] += wi * (double)X[i * d + f];
            s[d] += wi;
        }
    }
    double wsum = 0;
    for (int64_t f = 0; f < d; f++)
        mean[f] = 0;
    for (int c = 0; c < nch; c++) {
        const double *s = acc + (size_t)c * stride;
        for (int64_t f = 0; f < d; f++)
            mean[f] += s[f];
        wsum += s[d];
    }
    for (int64_t f = 0; f < d; f++)
        mean[f] /= wsum;
#pragma omp parallel for schedule(static) num_threads(nt) if (nt > 1 && nch > 1)
    for (int c = 0; c < nch; c++) {
        int64_t lo, hi;
        chunk(n, nch, c, &lo, &hi);
        double *s = acc + (size_t)c * stride + d + 1;
        for (int64_t i = lo; i < hi; i++) {
            const double wi = w ? (double)w[i] : 1.0;
            const float *x = X + i * d;
            for (int64_t f = 0; f < d; f++) {
                const double ef = wi * ((double)x[f] - mean[f]);
                for (int64_t g = f; g < d; g++)
                    s[f * d + g] += ef * ((double)x[g] - mean[g]);
            }
        }
    }
    for (int c = 0; c < nch; c++)
        for (size_t k = 0; k < dd; k++)
            a[k] += acc[(size_t)c * stride + (size_t)d + 1 + k] / wsum;
    wn_free(acc);
    /* a holds the upper triangle row-major = the lower one column-major */
    const lapack_int ld = (lapack_int)d, il = d >= 2 ? ld - 1 : 1;
    lapack_int found = 0, lwork = -1, liwork = -1, iq = 0, info;
    double wq = 0;
    const double abstol = LAPACKE_dlamch('S');
    info = LAPACKE_dsyevr_work(LAPACK_COL_MAJOR, 'V', 'I', 'L', ld, a, ld, 0, 0, il, ld, abstol,
                               &found, NULL, NULL, ld, NULL, &wq, lwork, &iq, liwork);
    if (info != 0) {
        wn_free(a);
        return wn__fail(WN_ENUMERIC, "som: LAPACK dsyevr workspace query failed (info %d)",
                        (int)info);
    }
    lwork = (lapack_int)wq, liwork = iq;
    double *ev = wn__malloc_array((size_t)d, sizeof *ev);
    double *z = wn__malloc_array((size_t)d * 2, sizeof *z);
    double *work = wn__malloc_array((size_t)lwork, sizeof *work);
    lapack_int *iwork = wn__malloc_array((size_t)liwork, sizeof *iwork);
    lapack_int *isuppz = wn__malloc_array(4, sizeof *isuppz);
    wn_status s = WN_OK;
    if (!ev || !z || !work || !iwork || !isuppz) {
        s = wn__oom("self-organising map initialisation");
        goto done;
    }
    info = LAPACKE_dsyevr_work(LAPACK_COL_MAJOR, 'V', 'I', 'L', ld, a, ld, 0, 0, il, ld, abstol,
                               &found, ev, z, ld, isuppz, work, lwork, iwork, liwork);
    if (info != 0 || found < 1) {
        s = wn__fail(WN_ENUMERIC, "som: LAPACK dsyevr failed (info %d)", (int)info);
        goto done;
    }
    /* ascending: the largest is last */
    for (int k = 0; k < 2; k++) {
        const lapack_int col = found - 1 - k;
        double *vk = v + k * d;
        if (col < 0) {
            for (int64_t f = 0; f < d; f++)
                vk[f] = 0;
            sd[k] = 0;
            continue;
        }
        int64_t big = 0;
        for (int64_t f = 0; f < d; f++) {
            vk[f] = z[(size_t)col * (size_t)d + (size_t)f];
            if (fabs(vk[f]) > fabs(vk[big]))
                big = f;
        }
        if (vk[big] < 0) /* a sign that does not depend on LAPACK's whim */
            for (int64_t f = 0; f < d; f++)
                vk[f] = -vk[f];
        sd[k] = ev[col] > 0 ? sqrt(ev[col]) : 0.0;
    }
done:
    wn_free(a), wn_free(ev), wn_free(z), wn_free(work), wn_free(iwork), wn_free(isuppz);
    return s;
}

/* Codebook on the principal plane: the grid's longer side along the first
 * component, each side spanning +-2 standard deviations. */
static void init_codebook(wn_som *m, const double *mean, const double *v, const double *sd)
{
    const int64_t units = (int64_t)m->rows * m->cols, d = m->f.nfeat;
    double xmin = HUGE_VAL, xmax = -HUGE_VAL, ymin = HUGE_VAL, ymax = -HUGE_VAL;
    for (int64_t u = 0; u < units; u++) {
        double x, y;
        wn__som_pos(m->cols, m->topology, u, &x, &y);
        xmin = fmin(xmin, x), xmax = fmax(xmax, x), ymin = fmin(ymin, y), ymax = fmax(ymax, y);
    }
    for (int64_t u = 0; u < units; u++) {
        double x, y;
        wn__som_pos(m->cols, m->topology, u, &x, &y);
        const double tx = xmax > xmin ? (x - xmin) / (xmax - xmin) : 0.5;
        const double ty = ymax > ymin ? (y - ymin) / (ymax - ymin) : 0.5;
        double a = -2 + 4 * tx, b = -2 + 4 * ty;
        if (m->rows > m->cols) {
            const double t = a;
            a = b, b = t;
        }
        for (int64_t f = 0; f < d; f++)
            m->codebook[u * d + f] = mean[f] + a * sd[0] * v[f] + b * sd[1] * v[d + f];
    }
}

/* ---- fit ---- */

typedef struct fitctx {
    wn_som *m;
    const float *X;
    const float *w;
    int64_t n, d, units;
    int nt, nch;
    int32_t *bmu, *second; /* [n] */
    double *acc;           /* [nch][units][d + 1] */
    double *h;             /* [threads][units + d] neighbourhood scratch */
    float *d2;             /* [threads][units] distances of one row */
    double *px, *py;       /* [units] grid positions */
} fitctx;

static void find_bmus(fitctx *c, int want_second)
{
    const int64_t n = c->n, d = c->d, units = c->units;
    const float *cb = c->m->cbf;
#pragma omp parallel num_threads(c->nt) if (c->nt > 1)
    {
        float *d2 = c->d2 + (size_t)omp_get_thread_num() * (size_t)units;
#pragma omp for schedule(static, 256)
        for (int64_t i = 0; i < n; i++) {
            int32_t s2;
            c->bmu[i] = nearest(cb, units, d, c->X + i * d, d2, &s2);
            if (want_second)
                c->second[i] = s2;
        }
    }
}

/* S_v and W_v per chunk, then summed in chunk order into acc[0]. */
static void gather_sums(fitctx *c)
{
    const int64_t d = c->d, units = c->units;
    const size_t per = (size_t)units * (size_t)(d + 1);
    memset(c->acc, 0, (size_t)c->nch * per * sizeof *c->acc);
#pragma omp parallel for schedule(static) num_threads(c->nt) if (c->nt > 1 && c->nch > 1)
    for (int ch = 0; ch < c->nch; ch++) {
        int64_t lo, hi;
        chunk(c->n, c->nch, ch, &lo, &hi);
        double *a = c->acc + (size_t)ch * per;
        for (int64_t i = lo; i < hi; i++) {
            const double wi = c->w ? (double)c->w[i] : 1.0;
            double *s = a + (size_t)c->bmu[i] * (size_t)(d + 1);
            const float *x = c->X + i * d;
            for (int64_t f = 0; f < d; f++)
                s[f] += wi * (double)x[f];
            s[d] += wi;
        }
    }
    for (int ch = 1; ch < c->nch; ch++)
        for (size_t k = 0; k < per; k++)
            c->acc[k] += c->acc[(size_t)ch * per + k];
}

/* m_u = sum_v h(u, v) S_v / sum_v h(u, v) W_v, one unit per iteration;
 * h(u, .) goes to the thread's row of c->h. */
static void batch_update(fitctx *c, double sigma)
{
    const int64_t d = c->d, units = c->units;
    const double inv2s2 = 1.0 / (2.0 * sigma * sigma);
    double *cb = c->m->codebook;
    const double *S = c->acc;
#pragma omp parallel num_threads(c->nt) if (c->nt > 1 && units > 16)
    {
        double *h = c->h + (size_t)omp_get_thread_num() * (size_t)(units + d);
        double *num = h + units;
#pragma omp for schedule(static)
        for (int64_t u = 0; u < units; u++) {
            double den = 0;
            for (int64_t v = 0; v < units; v++) {
                const double dx = c->px[u] - c->px[v], dy = c->py[u] - c->py[v];
                h[v] = exp(-(dx * dx + dy * dy) * inv2s2);
                den += h[v] * S[(size_t)v * (size_t)(d + 1) + (size_t)d];
            }
            if (!(den > 0) || !isfinite(den))
                continue; /* no data reaches this unit: it keeps its vector */
            for (int64_t f = 0; f < d; f++)
                num[f] = 0;
            for (int64_t v = 0; v < units; v++) {
                const double *sv = S + (size_t)v * (size_t)(d + 1);
                if (sv[d] > 0)
                    for (int64_t f = 0; f < d; f++)
                        num[f] += h[v] * sv[f];
            }
            for (int64_t f = 0; f < d; f++)
                cb[u * d + f] = num[f] / den;
        }
    }
}

static int report(const wn_progress *pg, int64_t done, int64_t total)
{
    return pg->fn && pg->fn(pg->ud, "som", done, total);
}

/* Hits, quantisation and topographic errors from the final BMUs. */
static void quality(fitctx *c, const int32_t *nb, const uint8_t *nn)
{
    wn_som *m = c->m;
    const int64_t d = c->d, units = c->units;
    const size_t per = (size_t)units + 3; /* hits, then qe, te, wsum */
    memset(c->acc, 0, (size_t)c->nch * per * sizeof *c->acc);
#pragma omp parallel for schedule(static) num_threads(c->nt) if (c->nt > 1 && c->nch > 1)
    for (int ch = 0; ch < c->nch; ch++) {
        int64_t lo, hi;
        chunk(c->n, c->nch, ch, &lo, &hi);
        double *a = c->acc + (size_t)ch * per;
        for (int64_t i = lo; i < hi; i++) {
            const double wi = c->w ? (double)c->w[i] : 1.0;
            const int32_t b = c->bmu[i], s = c->second[i];
            a[b] += wi;
            a[units] += wi * dist(m->codebook + (int64_t)b * d, c->X + i * d, d);
            int adj = s < 0;
            for (int k = 0; k < nn[b]; k++)
                adj |= nb[(int64_t)b * 6 + k] == s;
            a[units + 1] += adj ? 0.0 : wi;
            a[units + 2] += wi;
        }
    }
    for (int ch = 1; ch < c->nch; ch++)
        for (size_t k = 0; k < per; k++)
            c->acc[k] += c->acc[(size_t)ch * per + k];
    memcpy(m->hits, c->acc, (size_t)units * sizeof *m->hits);
    m->qe = c->acc[units] / c->acc[units + 2];
    m->te = c->acc[units + 1] / c->acc[units + 2];
}

wn_status wn_som_fit(const wn_table *t, const wn_som_params *p, wn_som **out)
{
    if (!t || !p || !out)
        return wn__fail(WN_EINVAL, "som: NULL argument");
    if (p->rows < 1 || p->cols < 1 || p->rows > WN__SOM_MAX_SIDE || p->cols > WN__SOM_MAX_SIDE ||
        (int64_t)p->rows * p->cols > WN__SOM_MAX_UNITS)
        return wn__fail(WN_EINVAL,
                        "som: grid %d x %d: rows and cols must be 1..%d, with at most "
                        "%d units",
                        p->rows, p->cols, WN__SOM_MAX_SIDE, WN__SOM_MAX_UNITS);
    if (p->topology != WN_SOM_RECT && p->topology != WN_SOM_HEX)
        return wn__fail(WN_EINVAL, "som: topology %d is not rect (0) or hex (1)", (int)p->topology);
    if (p->epochs < 1 || p->epochs > WN__SOM_MAX_EPOCHS)
        return wn__fail(WN_EINVAL, "som: epochs = %d: must be 1..%d", p->epochs,
                        WN__SOM_MAX_EPOCHS);
    if (!(p->sigma0 > 0) || !isfinite(p->sigma0))
        return wn__fail(WN_EINVAL, "som: sigma0 = %g: must be a finite number > 0", p->sigma0);
    if (!(p->sigma_end > 0) || !isfinite(p->sigma_end))
        return wn__fail(WN_EINVAL, "som: sigma_end = %g: must be a finite number > 0",
                        p->sigma_end);
    wn__udata u;
    wn_status s = wn__udata_prepare(t, &p->data, "som", &u);
    if (s != WN_OK)
        return s;
    const int64_t units = (int64_t)p->rows * p->cols, d = u.f.nfeat;
    if (units > u.n) {
        const int64_t nfit = u.n;
        wn__udata_free(&u);
        return wn__fail(WN_EINVAL,
                        "som: grid %d x %d has %lld units, more than the %lld rows "
                        "to fit; choose a smaller grid",
                        p->rows, p->cols, (long long)units, (long long)nfit);
    }
    fitctx c;
    memset(&c, 0, sizeof c);
    c.n = u.n, c.d = d, c.units = units, c.w = u.w;
    c.nt = wn__threads(p->data.threads);
    c.nch =
        (int)((u.n + CHUNK_ROWS - 1) / CHUNK_ROWS < MAX_CHUNKS ? (u.n + CHUNK_ROWS - 1) / CHUNK_ROWS
                                                               : MAX_CHUNKS);
    float *X = NULL;
    int32_t *nb = NULL;
    uint8_t *nn = NULL;
    double plane[3 * 64], *pl = plane; /* mean, v1, v2 (heap when d > 64) */
    wn_som *m = wn__calloc(1, sizeof *m);
    if (!m) {
        s = wn__oom("self-organising map");
        goto done;
    }
    c.m = m;
    m->rows = p->rows, m->cols = p->cols, m->topology = p->topology, m->epochs = p->epochs;
    m->sigma0 = p->sigma0, m->sigma_end = p->sigma_end, m->seed = p->data.seed;
    m->drop_missing = p->data.drop_missing != 0, m->standardize = p->data.standardize != 0;
    m->nrows = u.n, m->ndropped = u.ndropped;
    if ((s = wn__udata_matrix(&u, c.nt, &X)) != WN_OK)
        goto done;
    m->f = u.f; /* the model takes the features (after the matrix read them) */
    memset(&u.f, 0, sizeof u.f);
    c.X = X;
    const size_t U = (size_t)units, D = (size_t)d;
    const size_t accn = (size_t)c.nch * U * (D + 1) > (size_t)c.nch * (U + 3)
                            ? (size_t)c.nch * U * (D + 1)
                            : (size_t)c.nch * (U + 3);
    if (d > 64 && !(pl = wn__malloc_array(3 * D, sizeof *pl))) {
        s = wn__oom("self-organising map");
        goto done;
    }
    if (!(m->codebook = wn__malloc_array(U * D, sizeof(double))) ||
        !(m->umatrix = wn__malloc_array(U, sizeof(double))) ||
        !(m->hits = wn__malloc_array(U, sizeof(double))) ||
        !(c.bmu = wn__malloc_array((size_t)u.n, sizeof *c.bmu)) ||
        !(c.second = wn__malloc_array((size_t)u.n, sizeof *c.second)) ||
        !(c.acc = wn__malloc_array(accn, sizeof *c.acc)) ||
        !(c.h = wn__malloc_array((size_t)c.nt * (U + D), sizeof *c.h)) ||
        !(c.d2 = wn__malloc_array((size_t)c.nt * U, sizeof *c.d2)) ||
        !(c.px = wn__malloc_array(2 * U, sizeof *c.px)) ||
        !(nb = wn__malloc_array(6 * U, sizeof *nb)) || !(nn = wn__malloc_array(U, 1))) {
        s = wn__oom("self-organising map");
        goto done;
    }
    c.py = c.px + U;
    for (int64_t k = 0; k < units; k++)
        wn__som_pos(m->cols, m->topology, k, c.px + k, c.py + k);
    wn__som_neighbours(m->rows, m->cols, m->topology, nb, nn);
    double sd[2];
    if ((s = principal_plane(X, u.w, u.n, d, c.nt, pl, pl + d, sd)) != WN_OK)
        goto done;
    init_codebook(m, pl, pl + d, sd);
    for (int e = 0; e < p->epochs; e++) {
        if (report(&p->data.progress, e, p->epochs)) {
            s = wn__fail(WN_EINVAL, "cancelled");
            goto done;
        }
        const double sigma =
            p->epochs > 1 ? p->sigma0 * pow(p->sigma_end / p->sigma0, (double)e / (p->epochs - 1))
                          : p->sigma0;
        if ((s = wn__som_finish(m)) != WN_OK)
            goto done;
        find_bmus(&c, 0);
        gather_sums(&c);
        batch_update(&c, sigma);
    }
    if (report(&p->data.progress, p->epochs, p->epochs)) {
        s = wn__fail(WN_EINVAL, "cancelled");
        goto done;
    }
    if ((s = wn__som_finish(m)) != WN_OK)
        goto done;
    find_bmus(&c, 1);
    quality(&c, nb, nn);
    wn__som_umatrix(m, m->umatrix);
    if ((s = wn__som_build_header(m, u.input_hash, p->data.command_line)) != WN_OK)
        goto done;
    *out = m;
    m = NULL;
done:
    if (pl != plane)
        wn_free(pl);
    wn_free(X), wn_free(nb), wn_free(nn);
    wn_free(c.bmu), wn_free(c.second), wn_free(c.acc), wn_free(c.h), wn_free(c.d2), wn_free(c.px);
    wn_som_free(m);
    wn__udata_free(&u);
    return s;
}

/* ---- applying ---- */

wn_status wn_som_bmu(const wn_som *m, const wn_table *t, int allow_missing, int threads,
                     int32_t *bmu, double *qerr)
{
    if (!m || !t || !bmu)
        return wn__fail(WN_EINVAL, "som_bmu: NULL argument");
    wn__bound b;
    wn_status s = wn__features_bind(&m->f, t, allow_missing, "som_bmu", &b);
    if (s != WN_OK)
        return s;
    const int64_t n = b.nrows, d = m->f.nfeat, units = (int64_t)m->rows * m->cols;
    const int nt = wn__threads(threads);
    float *xs = wn__malloc_array((size_t)nt, ((size_t)d + (size_t)units) * sizeof *xs);
    if (!xs) {
        wn__bound_free(&b);
        return wn__oom("som_bmu");
    }
#pragma omp parallel num_threads(nt) if (nt > 1 && n > 1024)
    {
        float *x = xs + (size_t)omp_get_thread_num() * (size_t)(d + units), *d2 = x + d;
#pragma omp for schedule(static, 1024)
        for (int64_t r = 0; r < n; r++) {
            if (wn__bound_row(&b, r, x)) {
                bmu[r] = -1;
                if (qerr)
                    qerr[r] = (double)NAN;
                continue;
            }
            int32_t s2;
            const int32_t k = nearest(m->cbf, units, d, x, d2, &s2);
            bmu[r] = k;
            if (qerr)
                qerr[r] = dist(m->codebook + (int64_t)k * d, x, d);
        }
    }
    wn_free(xs);
    wn__bound_free(&b);
    return WN_OK;
}
