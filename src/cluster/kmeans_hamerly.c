/* kmeans_hamerly.c — Hamerly's exact accelerated k-means iterations, and
 * the restarts around them.
 *
 * Hamerly 2010 (SIAM SDM, "Making k-means even faster"): per row an upper
 * bound u on the distance to its centre a and one lower bound l on the
 * distance to every other centre. When the centres move by p_j, u += p_a
 * and l -= max_{j != a} p_j; a row with u < max(l, s_a), where s_a is half
 * the distance from centre a to its nearest other centre, keeps its centre
 * without any distance computed. Otherwise u is tightened to the true
 * distance and, if the test still fails, all k distances are computed
 * (one vectorised pass over the transposed float centres). Lloyd 1982 is the
 * iteration being accelerated; the assignments are exactly Lloyd's (see
 * kmeans_engine.c on the float distances and the bound margins).
 *
 * The bounds are floats (8 bytes a row instead of 16: the sweep that
 * updates them streams through memory every iteration), each rounded
 * outwards so that it stays a bound. A block is done in two sweeps: the
 * first updates every row's bounds and lists the rows whose test fails; the
 * second tightens and, where needed, recomputes those, prefetching rows
 * ahead since they are scattered.
 *
 * Work is split into fixed blocks of WN__CLU_BLOCK rows. Each block writes
 * its changes to the centre sums (old cluster minus the row, new cluster
 * plus the row, in double) into its own partial; partials are merged in
 * block order, so the sums are the same at any thread count. Blocks run in
 * waves sized to bound the partials' memory (the wave size changes only
 * the parallelism, never the result). */
#include "cluster.h"

#include <float.h>
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct km_work {
    const wn__km_data *D;
    int64_t n, d, k, kpad, nb, wave;
    float *u, *l;     /* [n] bounds, rounded outwards (up / down)           */
    float *ct;        /* [d][kpad] float centres, transposed                */
    float *cf;        /* [k][d] the same, row-major                         */
    double *S, *W;    /* [k][d], [k] weighted sums of the clusters          */
    int64_t *cnt;     /* [k] positive-weight rows per cluster               */
    double *part;     /* [wave][k * (d + 1)] block partials                 */
    int64_t *pcnt;    /* [wave][k]                                          */
    int64_t *bchg;    /* [wave] rows that changed cluster                   */
    uint8_t *dirty;   /* [wave]                                             */
    double *s, *move; /* [k]                                                */
    float *sf, *mf;   /* [k] the same as floats, s rounded down, move up    */
    double *cold;     /* [k][d]                                             */
    float *scratch;   /* [threads][kpad]                                    */
    int32_t *list;    /* [threads][WN__CLU_BLOCK] rows failing the test     */
    double eps;       /* relative margin of the bound tests                 */
} km_work;

static inline double wgt(const wn__km_data *D, int64_t i)
{
    return D->w ? (double)D->w[i] : 1.0;
}

static inline float dist1(const float *x, const float *c, int64_t d)
{
    float a = 0;
    for (int64_t j = 0; j < d; j++) {
        float t = x[j] - c[j];
        a += t * t;
    }
    return a;
}

static void work_free(km_work *w)
{
    wn_free(w->u);
    wn_free(w->l);
    wn_free(w->ct);
    wn_free(w->cf);
    wn_free(w->S);
    wn_free(w->W);
    wn_free(w->cnt);
    wn_free(w->part);
    wn_free(w->pcnt);
    wn_free(w->bchg);
    wn_free(w->dirty);
    wn_free(w->s);
    wn_free(w->move);
    wn_free(w->sf);
    wn_free(w->mf);
    wn_free(w->cold);
    wn_free(w->scratch);
    wn_free(w->list);
    memset(w, 0, sizeof *w);
}

static wn_status work_init(km_work *w, const wn__km_data *D, int k)
{
    memset(w, 0, sizeof *w);
    w->D = D;
    w->n = D->n;
    w->d = D->d;
    w->k = k;
    w->kpad = wn__km_kpad(k);
    w->nb = (D->n + WN__CLU_BLOCK - 1) / WN__CLU_BLOCK;
    size_t per = (size_t)k * (size_t)(D->d + 1) * sizeof(double);
    int64_t wave = (int64_t)(((size_t)64 << 20) / (per ? per : 1));
    if (wave < 1)
        wave = 1;
    if (wave > w->nb)
        wave = w->nb;
    w->wave = wave;
    w->eps = (double)(D->d + 2) * (double)FLT_EPSILON;
    const size_t n = (size_t)D->n, d = (size_t)D->d, K = (size_t)k;
    w->u = wn__malloc_array(n, sizeof(float));
    w->l = wn__malloc_array(n, sizeof(float));
    w->ct = wn__calloc(d * (size_t)w->kpad, sizeof(float));
    w->cf = wn__malloc_array(K * d, sizeof(float));
    w->S = wn__malloc_array(K * d, sizeof(double));
    w->W = wn__malloc_array(K, sizeof(double));
    w->cnt = wn__malloc_array(K, sizeof(int64_t));
    w->part = wn__malloc_array((size_t)wave * K, (d + 1) * sizeof(double));
    w->pcnt = wn__malloc_array((size_t)wave * K, sizeof(int64_t));
    w->bchg = wn__malloc_array((size_t)wave, sizeof(int64_t));
    w->dirty = wn__malloc_array((size_t)wave, 1);
    w->s = wn__malloc_array(K, sizeof(double));
    w->move = wn__calloc(K, sizeof(double));
    w->sf = wn__malloc_array(K, sizeof(float));
    w->mf = wn__malloc_array(K, sizeof(float));
    w->cold = wn__malloc_array(K * d, sizeof(double));
    w->scratch = wn__malloc_array((size_t)D->threads * (size_t)w->kpad, sizeof(float));
    w->list = wn__malloc_array((size_t)D->threads * WN__CLU_BLOCK, sizeof(int32_t));
    if (!w->list || !w->u || !w->l || !w->ct || !w->cf || !w->S || !w->W || !w->cnt || !w->part ||
        !w->pcnt || !w->bchg || !w->dirty || !w->s || !w->move || !w->sf || !w->mf || !w->cold ||
        !w->scratch) {
        work_free(w);
        return wn__oom("kmeans");
    }
    return WN_OK;
}

/* Bounds are stored as floats, rounded so that they stay bounds: u up,
 * l down (and never below 0, which bounds any distance). */
static inline float up(double v)
{
    float f = (float)v;
    uint32_t b;
    memcpy(&b, &f, 4);
    b += (uint32_t)((double)f < v); /* v >= 0: one float up; branch-free */
    memcpy(&f, &b, 4);
    return f;
}

static inline float down(double v)
{
    v = v > 0 ? v : 0;
    float f = (float)v;
    uint32_t b;
    memcpy(&b, &f, 4);
    b -= (uint32_t)((double)f > v);
    memcpy(&f, &b, 4);
    return f;
}

/* Nearest and second nearest of the float distances dd[k]. */
/* Float copies of the double centres, s_j, and (when old is set) the
 * movement of each float centre; returns the largest and second largest
 * movement and the index of the largest. */
static void set_centres(km_work *w, const double *c, int track, double *m1, double *m2, int64_t *r1)
{
    const int64_t k = w->k, d = w->d, kp = w->kpad;
    *m1 = *m2 = 0;
    *r1 = -1;
    for (int64_t a = 0; a < k; a++) {
        double mv = 0;
        for (int64_t j = 0; j < d; j++) {
            float f = (float)c[a * d + j];
            double t = (double)f - (double)w->cf[a * d + j];
            mv += t * t;
            w->cf[a * d + j] = f;
            w->ct[j * kp + a] = f;
        }
        w->move[a] = track ? sqrt(mv) : 0;
        if (w->move[a] > *m1) {
            *m2 = *m1;
            *m1 = w->move[a];
            *r1 = a;
        } else if (w->move[a] > *m2) {
            *m2 = w->move[a];
        }
    }
    for (int64_t a = 0; a < k; a++) {
        double best = (double)INFINITY;
        for (int64_t b = 0; b < k; b++) {
            if (b == a)
                continue;
            double t2 = 0;
            for (int64_t j = 0; j < d; j++) {
                double t = (double)w->cf[a * d + j] - (double)w->cf[b * d + j];
                t2 += t * t;
            }
            if (t2 < best)
                best = t2;
        }
        w->s[a] = 0.5 * sqrt(best);
        w->sf[a] = down(w->s[a]);
        w->mf[a] = up(w->move[a]);
    }
}

/* Squared distance with four partial sums: not bit-identical to the
 * kernel's in-order sum, but within the same error bound, which is all the
 * bound tests need (their margin covers either). */
static inline double dist_fast(const float *x, const float *c, int64_t d)
{
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    int64_t j = 0;
    for (; j + 4 <= d; j += 4) {
        float t0 = x[j] - c[j], t1 = x[j + 1] - c[j + 1], t2 = x[j + 2] - c[j + 2],
              t3 = x[j + 3] - c[j + 3];
        a0 += t0 * t0;
        a1 += t1 * t1;
        a2 += t2 * t2;
        a3 += t3 * t3;
    }
    for (; j < d; j++) {
        float t = x[j] - c[j];
        a0 += t * t;
    }
    return (double)((a0 + a1) + (a2 + a3));
}

/* Moves row i (weight wi) from cluster a (-1: none) to c in the partial. */
static inline void move_row(double *P, double *PW, int64_t *PC, const float *x, int64_t d,
                            double wi, int64_t a, int64_t c)
{
    if (a >= 0) {
        double *pa = P + a * d;
        for (int64_t j = 0; j < d; j++)
            pa[j] -= wi * (double)x[j];
        PW[a] -= wi;
        PC[a] -= wi > 0;
    }
    double *pc = P + c * d;
    for (int64_t j = 0; j < d; j++)
        pc[j] += wi * (double)x[j];
    PW[c] += wi;
    PC[c] += wi > 0;
}

/* One assignment pass over block b into partial slot sl. full: every row
 * computes all distances and adds itself to its cluster's partial.
 * Otherwise Hamerly: a first sweep updates the bounds and lists the rows
 * whose test fails; a second sweep tightens u for those (prefetching the
 * rows ahead) and computes all distances where the test still fails; rows
 * that change cluster move between partials. */
static void assign_block(km_work *w, int32_t *label, int64_t b, int64_t sl, int full, double m1,
                         double m2, int64_t r1)
{
    const wn__km_data *D = w->D;
    const int64_t k = w->k, d = w->d, kp = w->kpad;
    const int64_t lo = b * WN__CLU_BLOCK,
                  hi = lo + WN__CLU_BLOCK < w->n ? lo + WN__CLU_BLOCK : w->n;
    double *P = w->part + (size_t)sl * (size_t)(k * (d + 1));
    double *PW = P + k * d;
    int64_t *PC = w->pcnt + sl * k;
#ifdef _OPENMP
    const int tid = omp_get_thread_num();
#else
    const int tid = 0;
#endif
    float *dd = w->scratch + kp * tid;
    int32_t *list = w->list + (int64_t)WN__CLU_BLOCK * tid;
    const double ep = 1 + w->eps, em = 1 - w->eps;
    const float epf = (float)ep, emf = (float)em, fup = 1 + 0x1p-22f, fdown = 1 - 0x1p-22f;
    const float m1f = up(m1), m2f = up(m2);
    int64_t chg = 0, nl = 0;
    int dirty = 0;
    if (full) {
        memset(P, 0, sizeof(double) * (size_t)(k * (d + 1)));
        memset(PC, 0, sizeof(int64_t) * (size_t)k);
        dirty = 1;
        for (int64_t i = lo; i < hi; i++) {
            const float *x = D->X + i * d;
            float d1, d2;
            int64_t c = wn__km_nearest2(x, w->ct, d, kp, k, dd, &d1, &d2);
            w->u[i] = up(sqrt((double)d1));
            w->l[i] = down(sqrt((double)d2));
            label[i] = (int32_t)c;
            move_row(P, PW, PC, x, d, wgt(D, i), -1, c);
        }
        w->bchg[sl] = hi - lo;
        w->dirty[sl] = 1;
        return;
    }
    for (int64_t i = lo; i < hi; i++) {
        const int64_t a = label[i];
        /* float arithmetic, each result pushed outwards by 2^-22 (more
         * than its rounding error), so the bounds stay bounds */
        const float ui = (w->u[i] + w->mf[a]) * fup, ld = (w->l[i] - (a == r1 ? m2f : m1f)) * fdown,
                    li = ld > 0 ? ld : 0;
        const float mm = w->sf[a] > li ? w->sf[a] : li;
        w->u[i] = ui;
        w->l[i] = li;
        if (!(ui * epf < mm * emf))
            list[nl++] = (int32_t)(i - lo);
    }
    for (int64_t t = 0; t < nl; t++) {
        if (t + 8 < nl) { /* a row spans up to three cache lines */
            const char *q = (const char *)(D->X + (lo + list[t + 8]) * d);
            __builtin_prefetch(q);
            __builtin_prefetch(q + 64);
            __builtin_prefetch(q + 4 * d - 1);
        }
        const int64_t i = lo + list[t], a = label[i];
        const float *x = D->X + i * d;
        const double li = (double)w->l[i], mm = w->s[a] > li ? w->s[a] : li;
        const double ui = sqrt(dist_fast(x, w->cf + a * d, d));
        if (ui * ep < mm * em) {
            w->u[i] = up(ui);
            continue;
        }
        float d1, d2;
        int64_t c = wn__km_nearest2(x, w->ct, d, kp, k, dd, &d1, &d2);
        w->u[i] = up(sqrt((double)d1));
        w->l[i] = down(sqrt((double)d2));
        if (c == a)
            continue;
        label[i] = (int32_t)c;
        chg++;
        if (!dirty) {
            memset(P, 0, sizeof(double) * (size_t)(k * (d + 1)));
            memset(PC, 0, sizeof(int64_t) * (size_t)k);
            dirty = 1;
        }
        move_row(P, PW, PC, x, d, wgt(D, i), a, c);
    }
    w->bchg[sl] = chg;
    w->dirty[sl] = (uint8_t)dirty;
}

/* A full or Hamerly pass over all blocks, merging partials into S, W, cnt
 * (set when full, updated otherwise). Returns the rows that changed. */
static int64_t assign_pass(km_work *w, int32_t *label, int full, double m1, double m2, int64_t r1)
{
    const int64_t k = w->k, d = w->d, per = k * (d + 1);
    int64_t changed = 0;
    if (full) {
        memset(w->S, 0, sizeof(double) * (size_t)(k * d));
        memset(w->W, 0, sizeof(double) * (size_t)k);
        memset(w->cnt, 0, sizeof(int64_t) * (size_t)k);
    }
    for (int64_t b0 = 0; b0 < w->nb; b0 += w->wave) {
        int64_t b1 = b0 + w->wave < w->nb ? b0 + w->wave : w->nb;
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->D->threads)
        for (int64_t b = b0; b < b1; b++)
            assign_block(w, label, b, b - b0, full, m1, m2, r1);
        for (int64_t b = b0; b < b1; b++) {
            int64_t sl = b - b0;
            changed += w->bchg[sl];
            if (!w->dirty[sl])
                continue;
            const double *P = w->part + sl * per;
            for (int64_t t = 0; t < k * d; t++)
                w->S[t] += P[t];
            for (int64_t c = 0; c < k; c++) {
                w->W[c] += P[k * d + c];
                w->cnt[c] += w->pcnt[sl * k + c];
            }
        }
    }
    return changed;
}

/* Re-seeds empty clusters (see kmeans_engine.c): returns the rows moved. */
static int64_t fix_empty(km_work *w, int32_t *label)
{
    const wn__km_data *D = w->D;
    const int64_t k = w->k, d = w->d, n = w->n;
    int64_t moved = 0;
    for (int64_t c = 0; c < k && moved < k; c++) {
        if (w->cnt[c] > 0 && w->W[c] > 0)
            continue;
        /* the farthest positive-weight row from its own centre; a serial
         * scan keeps it simple and this is rare */
        int64_t best = -1;
        float bd = -1;
        for (int64_t i = 0; i < n; i++) {
            if (!(wgt(D, i) > 0) || label[i] == c)
                continue;
            float v = dist1(D->X + i * d, w->cf + (int64_t)label[i] * d, d);
            if (v > bd) {
                bd = v;
                best = i;
            }
        }
        if (best < 0)
            break;
        const float *x = D->X + best * d;
        double wi = wgt(D, best);
        int64_t a = label[best];
        for (int64_t j = 0; j < d; j++) {
            w->S[a * d + j] -= wi * (double)x[j];
            w->S[c * d + j] += wi * (double)x[j];
        }
        w->W[a] -= wi;
        w->W[c] += wi;
        w->cnt[a]--;
        w->cnt[c]++;
        label[best] = (int32_t)c;
        w->u[best] = INFINITY; /* forces a full recomputation next pass */
        w->l[best] = 0;
        moved++;
        if (w->cnt[a] == 0 && a < c)
            c = a - 1; /* its old cluster emptied: visit it again */
    }
    return moved;
}

static wn_status final_pass(km_work *w, const double *centers, const int32_t *label,
                            double *inertia)
{
    const wn__km_data *D = w->D;
    const int64_t k = w->k, d = w->d, per = k * (d + 1);
    double tot = 0;
    for (int64_t b0 = 0; b0 < w->nb; b0 += w->wave) {
        int64_t b1 = b0 + w->wave < w->nb ? b0 + w->wave : w->nb;
#pragma omp parallel for schedule(dynamic, 1) num_threads(D->threads)
        for (int64_t b = b0; b < b1; b++) {
            int64_t lo = b * WN__CLU_BLOCK,
                    hi = lo + WN__CLU_BLOCK < w->n ? lo + WN__CLU_BLOCK : w->n;
            double a = 0;
            for (int64_t i = lo; i < hi; i++) {
                const float *x = D->X + i * d;
                const double *c = centers + (int64_t)label[i] * d;
                double s2 = 0;
                for (int64_t j = 0; j < d; j++) {
                    double t = (double)x[j] - c[j];
                    s2 += t * t;
                }
                a += wgt(D, i) * s2;
            }
            w->part[(b - b0) * per] = a;
        }
        for (int64_t b = b0; b < b1; b++)
            tot += w->part[(b - b0) * per];
    }
    *inertia = tot;
    return WN_OK;
}

static int progress_stop(const wn_progress *p, int64_t done, int64_t total)
{
    if (!p || !p->fn)
        return 0;
    int64_t step = total > 200 ? total / 200 : 1;
    if (done % step && done != total)
        return 0;
    return p->fn(p->ud, "kmeans", done, total) != 0;
}

static wn_status iterate(km_work *w, int max_iter, double tol_abs, double *centers, int32_t *label,
                         double *inertia, int *iterations, const wn_progress *prog, int64_t done0,
                         int64_t total)
{
    const int64_t k = w->k, d = w->d;
    double m1, m2;
    int64_t r1;
    memset(w->cf, 0, sizeof(float) * (size_t)(k * d));
    set_centres(w, centers, 0, &m1, &m2, &r1);
    int it = 0, strict = 0;
    int64_t changed = assign_pass(w, label, 1, 0, 0, -1);
    for (;;) {
        changed += fix_empty(w, label);
        memcpy(w->cold, centers, sizeof(double) * (size_t)(k * d));
        double shift = 0;
        for (int64_t c = 0; c < k; c++)
            for (int64_t j = 0; j < d; j++) {
                double v = w->W[c] > 0 ? w->S[c * d + j] / w->W[c] : w->cold[c * d + j];
                double t = v - w->cold[c * d + j];
                shift += t * t;
                centers[c * d + j] = v;
            }
        set_centres(w, centers, 1, &m1, &m2, &r1);
        it++;
        if (progress_stop(prog, done0 + it, total))
            return wn__fail(WN_EINVAL, "cancelled");
        if (changed == 0) {
            strict = 1;
            break;
        }
        if (shift <= tol_abs || it >= max_iter)
            break;
        changed = assign_pass(w, label, 0, m1, m2, r1);
    }
    if (!strict) /* labels consistent with the final centres */
        assign_pass(w, label, 0, m1, m2, r1);
    *iterations = it;
    return final_pass(w, centers, label, inertia);
}

wn_status wn__km_iterate(const wn__km_data *D, int k, int max_iter, double tol_abs, double *centers,
                         int32_t *label, double *inertia, int *iterations, const wn_progress *prog,
                         int64_t done0, int64_t total)
{
    km_work w;
    wn_status s = work_init(&w, D, k);
    if (s != WN_OK)
        return s;
    s = iterate(&w, max_iter, tol_abs, centers, label, inertia, iterations, prog, done0, total);
    work_free(&w);
    return s;
}

wn_status wn__km_run(const wn__km_data *D, int k, int restarts, int max_iter, double tol,
                     uint64_t seed, uint64_t stream0, const wn_progress *prog, double *centers,
                     int32_t *label, double *inertia, int *iterations)
{
    const size_t kd = (size_t)k * (size_t)D->d;
    double mv = 0;
    km_work w;
    wn_status s = wn__km_mean_variance(D, &mv);
    if (s != WN_OK)
        return s;
    double *c = wn__malloc_array(kd, sizeof(double));
    int32_t *lab = wn__malloc_array((size_t)D->n, sizeof(int32_t));
    int32_t *best_lab = label ? NULL : wn__malloc_array((size_t)D->n, sizeof(int32_t));
    if (!c || !lab || (!label && !best_lab)) {
        s = wn__oom("kmeans");
        goto done;
    }
    if ((s = work_init(&w, D, k)) != WN_OK)
        goto done;
    int32_t *keep = label ? label : best_lab;
    double best = (double)INFINITY;
    int64_t total = (int64_t)restarts * max_iter;
    for (int r = 0; r < restarts; r++) {
        double in;
        int its;
        if ((s = wn__km_seed(D, k, seed, stream0 + (uint64_t)r, c)) != WN_OK ||
            (s = iterate(&w, max_iter, tol * mv, c, lab, &in, &its, prog, (int64_t)r * max_iter,
                         total)) != WN_OK)
            break;
        if (r == 0 || in < best) {
            best = in;
            memcpy(centers, c, kd * sizeof(double));
            memcpy(keep, lab, (size_t)D->n * sizeof(int32_t));
            *inertia = in;
            *iterations = its;
        }
    }
    work_free(&w);
done:
    wn_free(c);
    wn_free(lab);
    wn_free(best_lab);
    return s;
}
