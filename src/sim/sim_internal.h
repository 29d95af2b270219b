/* sim_internal.h — what the built-in simulations share (never installed).
 *
 * Every simulated row draws its numbers from its own generator, keyed by
 * (seed, kind salt, row index), so a row's content does not depend on which
 * thread made it or in which order: the output is bit-identical at any thread
 * count. The key comes from the library's counter-based Philox generator
 * (wn_rng_u64_at); inside the row a xoshiro256** generator (Blackman & Vigna,
 * "Scrambled linear pseudorandom number generators", ACM TOMS 47(4), 2021,
 * arXiv:1805.01407) seeded from that 128-bit key by SplitMix64 produces the
 * draws. The reason is speed: a Philox block costs ~40 cycles per 64 bits,
 * xoshiro ~2, and the higgs-like kind needs ~100 draws a row at millions of
 * rows a second. Rows are independent because their keys are distinct
 * outputs of a keyed bijection; within a row the xoshiro period (2^256) is
 * never approached.
 *
 * The row kinds (resonance, shower, higgs-like, mismodelled) run through
 * wn__sim_rows: rows in blocks, each block an OpenMP parallel loop, progress
 * and cancellation between blocks on the calling thread. The light curve is a
 * time series with memory (red noise), made serially. */
#ifndef WN_SIM_INTERNAL_H
#define WN_SIM_INTERNAL_H

#include "core.h"

#include <math.h>

#define WN__PI 3.14159265358979323846
#define WN__TWO_PI 6.28318530717958647692

/* Per-kind salts: the Philox stream of each kind, so that the same seed gives
 * unrelated numbers in different kinds (and in the two mismodelled samples). */
enum {
    WN__SALT_RESONANCE = 0x5265736f,
    WN__SALT_SHOWER = 0x53686f77,
    WN__SALT_HIGGS = 0x48696767,
    WN__SALT_MISMODELLED_DATA = 0x4d697344,
    WN__SALT_MISMODELLED_SIM = 0x4d697353,
    WN__SALT_LIGHTCURVE = 0x4c696768
};

/* ---- the per-row generator --------------------------------------------- */

typedef struct wn__rr {
    uint64_t s[4];
    float spare; /* second Box-Muller normal, valid when has_spare */
    int has_spare;
} wn__rr;

static inline uint64_t wn__splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The generator of row `row` of the kind with stream `salt`. */
static inline wn__rr wn__rr_make(uint64_t seed, uint64_t salt, uint64_t row)
{
    uint64_t k0 = wn_rng_u64_at(seed, salt, 2 * row);
    uint64_t k1 = wn_rng_u64_at(seed, salt, 2 * row + 1);
    wn__rr r;
    r.s[0] = wn__splitmix64(&k0);
    r.s[1] = wn__splitmix64(&k0);
    r.s[2] = wn__splitmix64(&k1);
    r.s[3] = wn__splitmix64(&k1);
    if (!(r.s[0] | r.s[1] | r.s[2] | r.s[3]))
        r.s[0] = 1; /* the one forbidden state; never happens in practice */
    r.spare = 0.0f;
    r.has_spare = 0;
    return r;
}

static inline uint64_t wn__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t wn__rr_u64(wn__rr *r)
{
    uint64_t *s = r->s;
    uint64_t out = wn__rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = wn__rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1), 53 bits. */
static inline double wn__rr_uniform(wn__rr *r)
{
    return (double)(wn__rr_u64(r) >> 11) * 0x1.0p-53;
}
/* Uniform in (0, 1), 53 bits. */
static inline double wn__rr_uniform_pos(wn__rr *r)
{
    return ((double)(wn__rr_u64(r) >> 12) + 0.5) * 0x1.0p-52;
}
/* Uniform in (0, 1), 24 bits: for float work. */
static inline float wn__rr_uniformf(wn__rr *r)
{
    return ((float)(wn__rr_u64(r) >> 41) + 0.5f) * 0x1.0p-23f;
}
/* Standard normal (double), Box-Muller; each call costs two draws. */
static inline double wn__rr_normal(wn__rr *r)
{
    double u1 = wn__rr_uniform_pos(r), u2 = wn__rr_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(WN__TWO_PI * u2);
}
/* Standard normal (float), Box-Muller with both branches used: tails reach
 * about 5.8 sigma, plenty for detector smearing. */
static inline float wn__rr_normalf(wn__rr *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    float u1 = wn__rr_uniformf(r), u2 = wn__rr_uniformf(r);
    float rad = sqrtf(-2.0f * logf(u1)), a = (float)WN__TWO_PI * u2;
    r->spare = rad * sinf(a);
    r->has_spare = 1;
    return rad * cosf(a);
}
/* Exponential of mean 1. */
static inline double wn__rr_exponential(wn__rr *r)
{
    return -log(wn__rr_uniform_pos(r));
}
/* Breit-Wigner (Cauchy) of peak m0 and full width gamma, truncated to
 * [lo, hi] by inverting the CDF on that interval (exact, one draw). */
static inline double wn__rr_breit_wigner(wn__rr *r, double m0, double gamma, double lo, double hi)
{
    double a = atan(2.0 * (lo - m0) / gamma), b = atan(2.0 * (hi - m0) / gamma);
    return m0 + 0.5 * gamma * tan(a + (b - a) * wn__rr_uniform(r));
}

static inline double wn__clamp(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

/* ---- the row driver ------------------------------------------------------ */

/* Fills row i of the output; ctx is the kind's own context (column pointers,
 * parameters). Must only write row i. */
typedef void (*wn__sim_row_fn)(const void *ctx, int64_t i);

/* Runs fn over rows 0..n-1 in blocks (parallel inside a block, honouring
 * p->threads), reporting progress and honouring cancellation between blocks
 * on the calling thread. */
wn_status wn__sim_rows(const wn_sim_params *p, int64_t n, wn__sim_row_fn fn, const void *ctx);

/* Adds `n` NaN-filled columns named names[0..n-1] with roles[0..n-1] and
 * returns their storage in cols[0..n-1]. */
wn_status wn__sim_columns(wn_table *t, const char *const *names, const wn_role *roles, int n,
                          float **cols);

/* The kinds. Each fills the table `t` (p->rows rows, no columns yet); the
 * parameters are already validated. */
wn_status wn__sim_resonance(const wn_sim_params *p, wn_table *t);
wn_status wn__sim_shower(const wn_sim_params *p, wn_table *t);
wn_status wn__sim_higgs(const wn_sim_params *p, wn_table *t);
wn_status wn__sim_mismodelled(const wn_sim_params *p, wn_table *t);
/* *meta (may be NULL) receives the JSON truth, allocated with wn__malloc. */
wn_status wn__sim_lightcurve(const wn_sim_params *p, wn_table *t, char **meta);

#endif
