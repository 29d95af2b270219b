/* kmeans_engine.c — the k-means engine: weighted k-means++ seeding and
 * Hamerly's exact accelerated Lloyd iterations on a row-major float matrix.
 *
 * Lloyd's iteration (Lloyd 1982, IEEE Trans. Inf. Theory 28:129) alternates
 * "assign each row to its nearest centre" and "move each centre to the
 * weighted mean of its rows". Seeds come from k-means++ (Arthur &
 * Vassilvitskii 2007, SODA '07): the first centre is a row drawn with
 * probability proportional to its weight, each next one with probability
 * proportional to weight x squared distance to the nearest centre so far;
 * like scikit-learn we draw 2 + floor(ln k) candidates per centre and keep
 * the one that lowers the potential (weighted sum of squared distances)
 * most. All draws come from the counter RNG: wn_rng_make(seed, stream).
 *
 * Hamerly 2010 (SIAM SDM, "Making k-means even faster") keeps per row an
 * upper bound u on the distance to its centre and one lower bound l on the
 * distance to every other centre; after the centres move by p_j the bounds
 * become u + p_a and l - max_{j != a} p_j. A row whose u is below
 * max(l, s_a) (s_a: half the distance from centre a to its nearest other
 * centre) cannot change its assignment, so after a few iterations most rows
 * cost a few loads and a compare. All k distances of a row are float sums
 * over the features in order (wn__km_dist_all: AVX2 when the CPU has it,
 * else SSE; the same operations lane by lane, so the same bits), and every
 * bound test keeps a relative margin of (d + 2) float epsilons, several
 * times the error of a float distance: a row is only skipped when the skip
 * is certain, so the assignments are exactly those of Lloyd's iteration on
 * the same float distances (ties go to the lowest centre index). Bounds are
 * stored as floats rounded outwards (kmeans_hamerly.c).
 *
 * Centre sums are kept in double and updated only by the rows that change
 * cluster, block by block (fixed WN__CLU_BLOCK rows, merged in block order):
 * the result does not depend on the thread count.
 *
 * Empty clusters: a cluster left without (positive-weight) rows is
 * re-seeded deterministically at the positive-weight row farthest from its
 * own centre (ties: the lowest row), as scikit-learn does; that row moves to
 * the empty cluster. */
#include "cluster.h"

#include <float.h>
#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

typedef float v4f __attribute__((vector_size(16)));

static inline v4f ld4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static void dist_all_sse(const float *x, const float *ct, int64_t d, int64_t kpad, float *out)
{
    int64_t c = 0;
    for (; c + 16 <= kpad; c += 16) {
        v4f a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        const float *p = ct + c;
        for (int64_t j = 0; j < d; j++, p += kpad) {
            v4f xv = (v4f){0} + x[j];
            v4f t0 = xv - ld4(p), t1 = xv - ld4(p + 4), t2 = xv - ld4(p + 8), t3 = xv - ld4(p + 12);
            a0 += t0 * t0;
            a1 += t1 * t1;
            a2 += t2 * t2;
            a3 += t3 * t3;
        }
        memcpy(out + c, &a0, sizeof a0);
        memcpy(out + c + 4, &a1, sizeof a1);
        memcpy(out + c + 8, &a2, sizeof a2);
        memcpy(out + c + 12, &a3, sizeof a3);
    }
    for (; c < kpad; c += 8) {
        v4f a0 = {0}, a1 = {0};
        const float *p = ct + c;
        for (int64_t j = 0; j < d; j++, p += kpad) {
            v4f xv = (v4f){0} + x[j];
            v4f t0 = xv - ld4(p), t1 = xv - ld4(p + 4);
            a0 += t0 * t0;
            a1 += t1 * t1;
        }
        memcpy(out + c, &a0, sizeof a0);
        memcpy(out + c + 4, &a1, sizeof a1);
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KM_AVX2 1
#include <immintrin.h>
typedef float v8f __attribute__((vector_size(32)));
#define LD8(v, p) memcpy(&(v), (p), sizeof(v))

/* The same arithmetic lane by lane on 8-wide AVX2 vectors (no FMA: the sums
 * stay bit-identical to the SSE and scalar versions). */
__attribute__((target("avx2"))) static void dist_all_avx2(const float *x, const float *ct,
                                                          int64_t d, int64_t kpad, float *out)
{
    int64_t c = 0;
    for (; c + 16 <= kpad; c += 16) {
        v8f a0 = {0}, a1 = {0}, c0, c1;
        const float *p = ct + c;
        for (int64_t j = 0; j < d; j++, p += kpad) {
            v8f xv = (v8f){0} + x[j];
            LD8(c0, p);
            LD8(c1, p + 8);
            v8f t0 = xv - c0, t1 = xv - c1;
            a0 += t0 * t0;
            a1 += t1 * t1;
        }
        memcpy(out + c, &a0, sizeof a0);
        memcpy(out + c + 8, &a1, sizeof a1);
    }
    for (; c < kpad; c += 8) {
        v8f a0 = {0}, c0;
        const float *p = ct + c;
        for (int64_t j = 0; j < d; j++, p += kpad) {
            LD8(c0, p);
            v8f t0 = ((v8f){0} + x[j]) - c0;
            a0 += t0 * t0;
        }
        memcpy(out + c, &a0, sizeof a0);
    }
}
#endif

void wn__km_dist_all(const float *x, const float *ct, int64_t d, int64_t kpad, float *out)
{
#ifdef KM_AVX2
    if (__builtin_cpu_supports("avx2")) {
        dist_all_avx2(x, ct, d, kpad, out);
        return;
    }
#endif
    dist_all_sse(x, ct, d, kpad, out);
}

/* Top two of one chain: b1 (at index a) and b2. */
typedef struct top2 {
    float b1, b2;
    int64_t a;
} top2;

static inline void top2_add(top2 *t, float v, int64_t c)
{
    const int lt = v < t->b1;
    t->b2 = lt ? t->b1 : (v < t->b2 ? v : t->b2);
    t->a = lt ? c : t->a;
    t->b1 = lt ? v : t->b1;
}

/* x and y merged; ties of b1 go to the lower index */
static inline top2 top2_merge(top2 x, top2 y)
{
    const int yw = y.b1 < x.b1 || (y.b1 == x.b1 && y.a < x.a);
    top2 w = yw ? y : x, l = yw ? x : y;
    w.b2 = l.b1 < w.b2 ? l.b1 : w.b2;
    return w;
}

static int64_t argmin2(const float *dd, int64_t k, float *d1, float *d2)
{
    /* branch-free, in four interleaved chains: the winner's position is
     * unpredictable, and the chains cut the latency */
    const float inf = INFINITY;
    top2 t[4] = {{inf, inf, 0}, {inf, inf, 1}, {inf, inf, 2}, {inf, inf, 3}};
    int64_t c = 0;
    for (; c + 4 <= k; c += 4) {
        top2_add(&t[0], dd[c], c);
        top2_add(&t[1], dd[c + 1], c + 1);
        top2_add(&t[2], dd[c + 2], c + 2);
        top2_add(&t[3], dd[c + 3], c + 3);
    }
    for (; c < k; c++)
        top2_add(&t[c & 3], dd[c], c);
    top2 r = top2_merge(top2_merge(t[0], t[1]), top2_merge(t[2], t[3]));
    *d1 = r.b1;
    *d2 = r.b2;
    return r.a;
}

#ifdef KM_AVX2
typedef int v8i __attribute__((vector_size(32)));
#define SEL(mask, a, b) ((v8f)(((v8i)(a) & (mask)) | ((v8i)(b) & ~(mask))))

/* Folds 8 distances of centres c0.. into the per-lane top two (m at index
 * mi, then s); pad lanes (index >= k) count as +inf. Strict compares keep
 * the earlier (lower) index on ties. */
#define FOLD(v, c0)                                                                                \
    do {                                                                                           \
        const v8i ci_ = lane + (int)(c0);                                                          \
        const v8f vv_ = SEL(ci_ < kk, v, infv);                                                    \
        const v8i lt_ = vv_ < m;                                                                   \
        const v8f mx_ = SEL(lt_, m, vv_);                                                          \
        s = SEL(mx_ < s, mx_, s);                                                                  \
        m = SEL(lt_, vv_, m);                                                                      \
        mi = (mi & ~lt_) | (ci_ & lt_);                                                            \
    } while (0)

__attribute__((target("avx2"))) static inline float hmin8(__m256 v)
{
    __m256 t = _mm256_min_ps(v, _mm256_permute2f128_ps(v, v, 1));
    t = _mm256_min_ps(t, _mm256_shuffle_ps(t, t, 0x4e));
    t = _mm256_min_ps(t, _mm256_shuffle_ps(t, t, 0xb1));
    return _mm_cvtss_f32(_mm256_castps256_ps128(t));
}

/* wn__km_nearest2 on AVX2: the distances as in dist_all_avx2 (same bits),
 * the top two found lane-wise in registers, then across the 8 lanes. */
__attribute__((target("avx2"))) static int64_t nearest2_avx2(const float *x, const float *ct,
                                                             int64_t d, int64_t kpad, int64_t k,
                                                             float *d1, float *d2)
{
    const v8i lane = {0, 1, 2, 3, 4, 5, 6, 7}, kk = (v8i){0} + (int)k;
    const v8f infv = (v8f){0} + (float)INFINITY;
    v8f m = infv, s = infv;
    v8i mi = (v8i){0};
    int64_t c = 0;
    for (; c + 16 <= kpad; c += 16) {
        v8f a0 = {0}, a1 = {0}, c0, c1;
        const float *p = ct + c;
        for (int64_t j = 0; j < d; j++, p += kpad) {
            v8f xv = (v8f){0} + x[j];
            LD8(c0, p);
            LD8(c1, p + 8);
            v8f t0 = xv - c0, t1 = xv - c1;
            a0 += t0 * t0;
            a1 += t1 * t1;
        }
        FOLD(a0, c);
        FOLD(a1, c + 8);
    }
    for (; c < kpad; c += 8) {
        v8f a0 = {0}, c0;
        const float *p = ct + c;
        for (int64_t j = 0; j < d; j++, p += kpad) {
            LD8(c0, p);
            v8f t0 = ((v8f){0} + x[j]) - c0;
            a0 += t0 * t0;
        }
        FOLD(a0, c);
    }
    /* across the lanes: the smallest value by a shuffle tree, its lane by
     * a compare mask (ties between lanes, rare, by a scan of the indices) */
    const __m256 mv = (__m256)m, sv = (__m256)s;
    const float b1 = hmin8(mv);
    const unsigned eq =
        (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(mv, _mm256_set1_ps(b1), _CMP_EQ_OQ));
    int I[8], w = __builtin_ctz(eq | 0x100u) & 7;
    memcpy(I, &mi, sizeof I);
    if (eq & (eq - 1))
        for (int l = 0; l < 8; l++)
            if ((eq >> l & 1) && I[l] < I[w])
                w = l;
    const v8i isw = lane == w;
    const float b2 = hmin8((__m256)SEL(isw, sv, mv));
    const int bi = I[w];
    *d1 = b1;
    *d2 = b2;
    return bi;
}
#endif

int64_t wn__km_nearest2_ref(const float *x, const float *ct, int64_t d, int64_t kpad, int64_t k,
                            float *dd, float *d1, float *d2)
{
    dist_all_sse(x, ct, d, kpad, dd);
    return argmin2(dd, k, d1, d2);
}

int64_t wn__km_nearest2(const float *x, const float *ct, int64_t d, int64_t kpad, int64_t k,
                        float *dd, float *d1, float *d2)
{
#ifdef KM_AVX2
    if (__builtin_cpu_supports("avx2"))
        return nearest2_avx2(x, ct, d, kpad, k, d1, d2);
#endif
    return wn__km_nearest2_ref(x, ct, d, kpad, k, dd, d1, d2);
}

/* The scalar twin of one lane of wn__km_dist_all. */
static inline float dist1(const float *x, const float *c, int64_t d)
{
    float a = 0;
    for (int64_t j = 0; j < d; j++) {
        float t = x[j] - c[j];
        a += t * t;
    }
    return a;
}

static inline double wgt(const wn__km_data *D, int64_t i)
{
    return D->w ? (double)D->w[i] : 1.0;
}

static inline int64_t nblocks(int64_t n)
{
    return (n + WN__CLU_BLOCK - 1) / WN__CLU_BLOCK;
}

wn_status wn__km_mean_variance(const wn__km_data *D, double *out)
{
    const int64_t n = D->n, d = D->d, nb = nblocks(n);
    double *part = wn__calloc((size_t)(nb * d), sizeof(double));
    double *mean = wn__calloc((size_t)d, sizeof(double));
    if (!part || !mean) {
        wn_free(part);
        wn_free(mean);
        return wn__oom("kmeans tolerance");
    }
    double v = 0;
    for (int pass = 0; pass < 2; pass++) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(D->threads)
        for (int64_t b = 0; b < nb; b++) {
            double *p = part + b * d;
            int64_t hi = (b + 1) * WN__CLU_BLOCK < n ? (b + 1) * WN__CLU_BLOCK : n;
            for (int64_t j = 0; j < d; j++)
                p[j] = 0;
            for (int64_t i = b * WN__CLU_BLOCK; i < hi; i++) {
                const float *x = D->X + i * d;
                double w = wgt(D, i);
                for (int64_t j = 0; j < d; j++) {
                    double t = (double)x[j] - mean[j];
                    p[j] += pass ? w * t * t : w * (double)x[j];
                }
            }
        }
        for (int64_t j = 0; j < d; j++) {
            double s = 0;
            for (int64_t b = 0; b < nb; b++)
                s += part[b * d + j];
            if (pass)
                v += s / D->wsum;
            else
                mean[j] = s / D->wsum;
        }
    }
    wn_free(part);
    wn_free(mean);
    *out = v / (double)d;
    return WN_OK;
}

/* ---- k-means++ ---- */

/* Row whose cumulative mass (w, or w * dist when dist is set) first
 * exceeds r, given the block sums bsum[nb]; -1 when rounding left none. */
static int64_t pick_row(const wn__km_data *D, const double *bsum, const double *dist, double r)
{
    const int64_t nb = nblocks(D->n);
    for (int64_t b = 0; b < nb; b++) {
        if (!(r < bsum[b])) {
            r -= bsum[b];
            continue;
        }
        int64_t hi = (b + 1) * WN__CLU_BLOCK < D->n ? (b + 1) * WN__CLU_BLOCK : D->n;
        double local = 0;
        for (int64_t i = b * WN__CLU_BLOCK; i < hi; i++) {
            local += dist ? wgt(D, i) * dist[i] : wgt(D, i);
            if (local > r)
                return i;
        }
        return -1;
    }
    return -1;
}

/* Fallback for a pick lost to rounding or a zero potential: the last row
 * with positive mass, else the first positive-weight row. */
static int64_t last_massive(const wn__km_data *D, const double *dist)
{
    for (int64_t i = D->n - 1; i >= 0; i--)
        if (wgt(D, i) > 0 && (!dist || dist[i] > 0))
            return i;
    for (int64_t i = 0; i < D->n; i++)
        if (wgt(D, i) > 0)
            return i;
    return 0;
}

wn_status wn__km_seed(const wn__km_data *D, int k, uint64_t seed, uint64_t stream, double *centers)
{
    const int64_t n = D->n, d = D->d, nb = nblocks(n);
    const int T = 2 + (int)log((double)k);
    double *closest = wn__malloc_array((size_t)n, sizeof(double));
    float *cand = wn__malloc_array((size_t)n * (size_t)T, sizeof(float));
    double *bsum = wn__malloc_array((size_t)nb, sizeof(double));
    double *bpot = wn__malloc_array((size_t)(nb * T), sizeof(double));
    const int64_t kp = wn__km_kpad(T);
    float *ctc = wn__calloc((size_t)(d * kp), sizeof(float));
    float *dd = wn__malloc_array((size_t)(D->threads * kp), sizeof(float));
    int64_t *ids = wn__malloc_array((size_t)T, sizeof(int64_t));
    wn_status s = WN_OK;
    if (!closest || !cand || !bsum || !bpot || !ctc || !dd || !ids) {
        s = wn__oom("kmeans++ seeding");
        goto done;
    }
    wn_rng rng = wn_rng_make(seed, stream);
    /* first centre: weight-proportional */
#pragma omp parallel for schedule(dynamic, 1) num_threads(D->threads)
    for (int64_t b = 0; b < nb; b++) {
        int64_t hi = (b + 1) * WN__CLU_BLOCK < n ? (b + 1) * WN__CLU_BLOCK : n;
        double a = 0;
        for (int64_t i = b * WN__CLU_BLOCK; i < hi; i++)
            a += wgt(D, i);
        bsum[b] = a;
    }
    double tot = 0;
    for (int64_t b = 0; b < nb; b++)
        tot += bsum[b];
    int64_t c0 = pick_row(D, bsum, NULL, wn_rng_uniform(&rng) * tot);
    if (c0 < 0)
        c0 = last_massive(D, NULL);
    const float *x0 = D->X + c0 * d;
    for (int64_t j = 0; j < d; j++)
        centers[j] = (double)x0[j];
#pragma omp parallel for schedule(dynamic, 1) num_threads(D->threads)
    for (int64_t b = 0; b < nb; b++) {
        int64_t hi = (b + 1) * WN__CLU_BLOCK < n ? (b + 1) * WN__CLU_BLOCK : n;
        double a = 0;
        for (int64_t i = b * WN__CLU_BLOCK; i < hi; i++) {
            closest[i] = (double)dist1(D->X + i * d, x0, d);
            a += wgt(D, i) * closest[i];
        }
        bsum[b] = a;
    }
    for (int c = 1; c < k; c++) {
        double pot = 0;
        for (int64_t b = 0; b < nb; b++)
            pot += bsum[b];
        memset(ctc, 0, sizeof(float) * (size_t)(d * kp));
        for (int t = 0; t < T; t++) {
            int64_t id = pick_row(D, bsum, closest, wn_rng_uniform(&rng) * pot);
            ids[t] = id >= 0 ? id : last_massive(D, closest);
            for (int64_t j = 0; j < d; j++)
                ctc[j * kp + t] = D->X[ids[t] * d + j];
        }
        /* potential after adding each candidate; candidate distances kept */
#pragma omp parallel for schedule(dynamic, 1) num_threads(D->threads)
        for (int64_t b = 0; b < nb; b++) {
            int64_t hi = (b + 1) * WN__CLU_BLOCK < n ? (b + 1) * WN__CLU_BLOCK : n;
#ifdef _OPENMP
            float *o = dd + kp * omp_get_thread_num();
#else
            float *o = dd;
#endif
            double a[16] = {0};
            for (int64_t i = b * WN__CLU_BLOCK; i < hi; i++) {
                wn__km_dist_all(D->X + i * d, ctc, d, kp, o);
                double w = wgt(D, i);
                for (int t = 0; t < T; t++) {
                    cand[(size_t)t * (size_t)n + (size_t)i] = o[t];
                    double m = (double)o[t] < closest[i] ? (double)o[t] : closest[i];
                    a[t] += w * m;
                }
            }
            for (int t = 0; t < T; t++)
                bpot[b * T + t] = a[t];
        }
        int best = 0;
        double bestpot = (double)INFINITY;
        for (int t = 0; t < T; t++) {
            double p = 0;
            for (int64_t b = 0; b < nb; b++)
                p += bpot[b * T + t];
            if (p < bestpot) {
                bestpot = p;
                best = t;
            }
        }
        for (int64_t j = 0; j < d; j++)
            centers[c * d + j] = (double)D->X[ids[best] * d + j];
        const float *cb = cand + (size_t)best * (size_t)n;
#pragma omp parallel for schedule(dynamic, 1) num_threads(D->threads)
        for (int64_t b = 0; b < nb; b++) {
            int64_t hi = (b + 1) * WN__CLU_BLOCK < n ? (b + 1) * WN__CLU_BLOCK : n;
            double a = 0;
            for (int64_t i = b * WN__CLU_BLOCK; i < hi; i++) {
                if ((double)cb[i] < closest[i])
                    closest[i] = (double)cb[i];
                a += wgt(D, i) * closest[i];
            }
            bsum[b] = a;
        }
    }
done:
    wn_free(closest);
    wn_free(cand);
    wn_free(bsum);
    wn_free(bpot);
    wn_free(ctc);
    wn_free(dd);
    wn_free(ids);
    return s;
}
