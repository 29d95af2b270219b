/* pca_kernel.c — the two hot loops of PCA, written for the cache and the
 * vector units: the block cross-product of the covariance pass, and the
 * block projection of transform.
 *
 * Both work on a block of WN__PCA_BLOCK rows held column-major (feature f
 * of the block's rows contiguous at z + f * WN__PCA_BLOCK), gathered from
 * the table's columns, so every inner loop runs along contiguous memory.
 *
 * Cross-product (the covariance's rank-k update Z'Z, as BLAS dsyrk would
 * do; Golub & Van Loan, "Matrix Computations", 4th ed., 1.5 on blocking):
 * a 2 x 4 tile of output entries at a time, each accumulator a vector of 4
 * rows, so one pass over 6 columns feeds 8 fused multiply-adds per row
 * group. Not BLAS: the pthreads OpenBLAS called from inside our OpenMP team
 * starts its own threads, oversubscribes the cores (measured: the pass took
 * up to 2x longer, spinning in sched_yield), and cannot be told otherwise
 * without changing process-wide state. The AVX2+FMA version is chosen at
 * run time (wn__pca_simd); the plain one is the reference and the fallback.
 *
 * Projection: scores S = V Y for the block (k x BLOCK), then the residual Y
 * - V'S and its squared norm per row, explicitly (the shortcut ||y||^2 -
 * ||s||^2 cancels catastrophically for rows close to the principal
 * subspace). Loops have the fixed trip count WN__PCA_BLOCK, so the
 * compilers vectorise them; the body is compiled twice, plain and for
 * AVX2+FMA.
 *
 * Results depend on the CPU's kernel (FMA rounds once), never on the number
 * of threads: each block's arithmetic is fixed. */
#include "pca.h"

#include <string.h>

#define B WN__PCA_BLOCK

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WN__PCA_X86 1
#include <immintrin.h>
#define AVX2_FMA __attribute__((target("avx2,fma")))
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

int wn__pca_simd(void)
{
#ifdef WN__PCA_X86
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* ---- gathering a block ---- */

static ALWAYS_INLINE double gather_body(const float *col, const int64_t *ridx, const float *w,
                                        const double *sw, double wsum, int64_t r0, int64_t nb,
                                        double *zf)
{
    double s = 0;
    if (ridx) {
        for (int64_t r = 0; r < nb; r++)
            zf[r] = (double)col[ridx[r0 + r]];
    } else {
        const float *c = col + r0;
#pragma omp simd
        for (int64_t r = 0; r < nb; r++)
            zf[r] = (double)c[r];
    }
    if (w) {
        const float *wr = w + r0;
#pragma omp simd reduction(+ : s)
        for (int64_t r = 0; r < nb; r++)
            s += (double)wr[r] * zf[r];
    } else {
#pragma omp simd reduction(+ : s)
        for (int64_t r = 0; r < nb; r++)
            s += zf[r];
    }
    const double mf = s / wsum;
    if (w) {
#pragma omp simd
        for (int64_t r = 0; r < nb; r++)
            zf[r] = (zf[r] - mf) * sw[r];
    } else {
#pragma omp simd
        for (int64_t r = 0; r < nb; r++)
            zf[r] -= mf;
    }
    for (int64_t r = nb; r < ((nb + 3) & ~(int64_t)3); r++) /* xprod's padding */
        zf[r] = 0;
    return mf;
}

static double gather_plain(const float *col, const int64_t *ridx, const float *w, const double *sw,
                           double wsum, int64_t r0, int64_t nb, double *zf)
{
    return gather_body(col, ridx, w, sw, wsum, r0, nb, zf);
}

#ifdef WN__PCA_X86
AVX2_FMA static double gather_avx2(const float *col, const int64_t *ridx, const float *w,
                                   const double *sw, double wsum, int64_t r0, int64_t nb,
                                   double *zf)
{
    return gather_body(col, ridx, w, sw, wsum, r0, nb, zf);
}
#endif

double wn__pca_gather(const float *col, const int64_t *ridx, const float *w, const double *sw,
                      double wsum, int64_t r0, int64_t nb, double *zf, int simd)
{
#ifdef WN__PCA_X86
    if (simd)
        return gather_avx2(col, ridx, w, sw, wsum, r0, nb, zf);
#endif
    (void)simd;
    return gather_plain(col, ridx, w, sw, wsum, r0, nb, zf);
}

/* ---- cross-product ---- */

static void xprod_plain(const double *z, int64_t d, int64_t nr, double *m2)
{
    for (int64_t i = 0; i < d; i++)
        for (int64_t j = i; j < d; j++) {
            const double *a = z + i * B, *b = z + j * B;
            double s = 0;
            for (int64_t r = 0; r < nr; r++)
                s += a[r] * b[r];
            m2[i * d + j] = s;
        }
}

#ifdef WN__PCA_X86
AVX2_FMA static inline double hsum4(__m256d v)
{
    __m128d lo = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

/* Needs the zero padding described in pca.h: columns d..d4-1 and rows
 * nr..nr4-1 of the block. */
AVX2_FMA static void xprod_avx2(const double *z, int64_t d, int64_t nr, double *m2)
{
    const int64_t n4 = (nr + 3) & ~(int64_t)3;
    for (int64_t i = 0; i < d; i += 2) {
        const double *a0 = z + i * B, *a1 = a0 + B;
        for (int64_t j = i & ~(int64_t)3; j < d; j += 4) {
            const double *b0 = z + j * B, *b1 = b0 + B, *b2 = b1 + B, *b3 = b2 + B;
            __m256d s00 = _mm256_setzero_pd(), s01 = s00, s02 = s00, s03 = s00;
            __m256d s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            for (int64_t r = 0; r < n4; r += 4) {
                __m256d x0 = _mm256_loadu_pd(a0 + r), x1 = _mm256_loadu_pd(a1 + r);
                __m256d y0 = _mm256_loadu_pd(b0 + r), y1 = _mm256_loadu_pd(b1 + r);
                __m256d y2 = _mm256_loadu_pd(b2 + r), y3 = _mm256_loadu_pd(b3 + r);
                s00 = _mm256_fmadd_pd(x0, y0, s00);
                s01 = _mm256_fmadd_pd(x0, y1, s01);
                s02 = _mm256_fmadd_pd(x0, y2, s02);
                s03 = _mm256_fmadd_pd(x0, y3, s03);
                s10 = _mm256_fmadd_pd(x1, y0, s10);
                s11 = _mm256_fmadd_pd(x1, y1, s11);
                s12 = _mm256_fmadd_pd(x1, y2, s12);
                s13 = _mm256_fmadd_pd(x1, y3, s13);
            }
            double t[8] = {hsum4(s00), hsum4(s01), hsum4(s02), hsum4(s03),
                           hsum4(s10), hsum4(s11), hsum4(s12), hsum4(s13)};
            for (int64_t ii = 0; ii < 2; ii++)
                for (int64_t jj = 0; jj < 4; jj++) {
                    int64_t I = i + ii, J = j + jj;
                    if (I < d && J < d && J >= I)
                        m2[I * d + J] = t[ii * 4 + jj];
                }
        }
    }
}
#endif

void wn__pca_xprod(const double *z, int64_t d, int64_t nr, double *m2, int simd)
{
#ifdef WN__PCA_X86
    if (simd) {
        xprod_avx2(z, d, nr, m2);
        return;
    }
#endif
    (void)simd;
    xprod_plain(z, d, nr, m2);
}

/* ---- projection ---- */

static ALWAYS_INLINE void project_body(const double *v, int64_t d, int k, double *y, double *s,
                                       double *rec)
{
    memset(s, 0, (size_t)k * B * sizeof(double));
    for (int64_t f = 0; f < d; f++) {
        const double *yf = y + f * B;
        for (int j = 0; j < k; j++) {
            const double c = v[(int64_t)j * d + f];
            double *sj = s + (int64_t)j * B;
#pragma omp simd
            for (int64_t r = 0; r < B; r++)
                sj[r] += c * yf[r];
        }
    }
    if (!rec)
        return;
    memset(rec, 0, B * sizeof(double));
    for (int64_t f = 0; f < d; f++) {
        double *yf = y + f * B;
        for (int j = 0; j < k; j++) {
            const double c = v[(int64_t)j * d + f];
            const double *sj = s + (int64_t)j * B;
#pragma omp simd
            for (int64_t r = 0; r < B; r++)
                yf[r] -= c * sj[r];
        }
#pragma omp simd
        for (int64_t r = 0; r < B; r++)
            rec[r] += yf[r] * yf[r];
    }
}

static void project_plain(const double *v, int64_t d, int k, double *y, double *s, double *rec)
{
    project_body(v, d, k, y, s, rec);
}

#ifdef WN__PCA_X86
AVX2_FMA static void project_avx2(const double *v, int64_t d, int k, double *y, double *s,
                                  double *rec)
{
    project_body(v, d, k, y, s, rec);
}
#endif

void wn__pca_project(const double *v, int64_t d, int k, double *y, double *s, double *rec, int simd)
{
#ifdef WN__PCA_X86
    if (simd) {
        project_avx2(v, d, k, y, s, rec);
        return;
    }
#endif
    (void)simd;
    project_plain(v, d, k, y, s, rec);
}
