/* rng.c — counter-based random numbers (Philox4x32-10).
 *
 * Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11, doi:10.1145/2063384.2063405. A keyed bijection of a 128-bit counter:
 * the key is the seed, the counter is (index, stream), so the k-th number of
 * stream s is computed directly, with no state shared between threads. This is
 * what makes winnow's results independent of the thread count: every row,
 * tree or fold draws from its own (stream, index) coordinates.
 *
 * One Philox block yields 128 bits; index i uses half (i & 1) of block i >> 1.
 * Distributions: uniform from 53 bits, Box-Muller normals (two uniforms, the
 * sine branch dropped so that each normal costs a fixed two draws),
 * Marsaglia-Tsang gamma (ACM TOMS 26(3), 2000), Poisson by multiplication for
 * small means and Hoermann's PTRS transformed rejection (1993) above. */
#include "core.h"

#include <math.h>

#define PH_M0 0xD2511F53u
#define PH_M1 0xCD9E8D57u
#define PH_W0 0x9E3779B9u
#define PH_W1 0xBB67AE85u

static inline void mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
    uint64_t p = (uint64_t)a * b;
    *hi = (uint32_t)(p >> 32);
    *lo = (uint32_t)p;
}

static void philox(uint32_t c[4], uint32_t k0, uint32_t k1)
{
    for (int r = 0; r < 10; r++) {
        uint32_t hi0, lo0, hi1, lo1;
        mulhilo(PH_M0, c[0], &hi0, &lo0);
        mulhilo(PH_M1, c[2], &hi1, &lo1);
        uint32_t n0 = hi1 ^ c[1] ^ k0;
        uint32_t n1 = lo1;
        uint32_t n2 = hi0 ^ c[3] ^ k1;
        uint32_t n3 = lo0;
        c[0] = n0;
        c[1] = n1;
        c[2] = n2;
        c[3] = n3;
        k0 += PH_W0;
        k1 += PH_W1;
    }
}

uint64_t wn_rng_u64_at(uint64_t seed, uint64_t stream, uint64_t counter)
{
    uint64_t block = counter >> 1;
    uint32_t c[4] = {(uint32_t)block, (uint32_t)(block >> 32), (uint32_t)stream,
                     (uint32_t)(stream >> 32)};
    philox(c, (uint32_t)seed, (uint32_t)(seed >> 32));
    if (counter & 1)
        return ((uint64_t)c[2] << 32) | c[3];
    return ((uint64_t)c[0] << 32) | c[1];
}

wn_rng wn_rng_make(uint64_t seed, uint64_t stream)
{
    wn_rng r = {seed, stream, 0};
    return r;
}

uint64_t wn_rng_u64(wn_rng *r) { return wn_rng_u64_at(r->seed, r->stream, r->counter++); }

double wn_rng_uniform(wn_rng *r) { return (double)(wn_rng_u64(r) >> 11) * 0x1.0p-53; }

double wn_rng_uniform_pos(wn_rng *r)
{
    return ((double)(wn_rng_u64(r) >> 12) + 0.5) * 0x1.0p-52;
}

double wn_rng_normal(wn_rng *r)
{
    double u1 = wn_rng_uniform_pos(r);
    double u2 = wn_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double wn_rng_exponential(wn_rng *r) { return -log(wn_rng_uniform_pos(r)); }

double wn_rng_gamma(wn_rng *r, double shape)
{
    if (!(shape > 0.0))
        return (double)NAN;
    if (shape < 1.0) {
        /* boost: G(a) = G(a+1) * U^(1/a) */
        double g = wn_rng_gamma(r, shape + 1.0);
        return g * pow(wn_rng_uniform_pos(r), 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = wn_rng_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = wn_rng_uniform_pos(r);
        if (u < 1.0 - 0.0331 * x * x * x * x)
            return d * v;
        if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
            return d * v;
    }
}

uint64_t wn_rng_below(wn_rng *r, uint64_t n)
{
    if (n <= 1)
        return 0;
    /* rejection on the top of the range keeps it unbiased */
    uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t x = wn_rng_u64(r);
        if (x < lim)
            return x % n;
    }
}

uint64_t wn_rng_poisson(wn_rng *r, double mean)
{
    if (!(mean > 0.0))
        return 0;
    if (mean < 30.0) {
        double l = exp(-mean), p = 1.0;
        uint64_t k = 0;
        for (;;) {
            p *= wn_rng_uniform(r);
            if (p <= l)
                return k;
            k++;
        }
    }
    double smu = sqrt(mean), b = 0.931 + 2.53 * smu, a = -0.059 + 0.02483 * b;
    double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    double lmu = log(mean);
    for (;;) {
        double u = wn_rng_uniform(r) - 0.5, v = wn_rng_uniform(r);
        double us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr)
            return (uint64_t)k;
        if (k < 0.0 || (us < 0.013 && v > us))
            continue;
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
            -mean + k * lmu - lgamma(k + 1.0))
            return (uint64_t)k;
    }
}

int wn__poisson1_at(uint64_t seed, uint64_t stream, uint64_t counter)
{
    double u = (double)(wn_rng_u64_at(seed, stream, counter) >> 11) * 0x1.0p-53;
    double p = 0.36787944117144233, cdf = p; /* e^-1 */
    int c = 0;
    while (u >= cdf && c < 20) {
        c++;
        p /= c;
        cdf += p;
    }
    return c;
}
