/* hist.h — quantised gradient/hessian histograms of a tree node (private).
 *
 * For every feature f and bin k of a wn__binning, a node's histogram holds
 * the sum of the node's quantised gradients, the sum of their quantised
 * hessians and the number of its rows whose code of feature f is k. Split
 * finding scans these instead of the rows (LightGBM, Ke et al. NeurIPS 2017;
 * XGBoost "hist", Chen & Guestrin KDD 2016).
 *
 * Quantised gradients (Shi, Ke, Zhang, Liu et al., "Quantized Training of
 * Gradient Boosting Decision Trees", NeurIPS 2022): each row's gradient and
 * hessian are small integers g_q, h_q with |g_q|, |h_q| <= recs->qmax (the
 * trainer scales and rounds them stochastically, gbdt.c): WN__Q_MAX on big
 * tables, up to WN__Q_FINE on small ones, where speed does not matter and
 * near-exact sums keep e.g. weighted and replicated rows on the same
 * splits. Integer addition is
 * associative, so a histogram is the same whatever the order of its rows:
 * rows may be split among threads freely with bit-identical results, and
 * the subtraction trick (sibling = parent - built child) is exact.
 *
 * Row records (wn__recs). What a histogram reads of a row lives in one
 * place: a record of `stride` bytes (a multiple of 8, 64-byte aligned base)
 * holding the row's packed (g_q, h_q) in its first 4 bytes (g in the high
 * 16 bits, h in the low 16, two's complement) and its nfeat bin codes after.
 * With 28 features a record is 32 bytes: a row of a deep node, wherever it
 * lies in the table, costs one cache line, not one for its codes and one
 * for its gradients.
 *
 * Two formats of the bins, both one uint64 word per bin:
 *  - PACKED3 (nodes of at most WN__P3_MAX_ROWS rows, qmax <= WN__Q_MAX):
 *    the three sums in one
 *    word,  v = (G << 40) + (H << 16) + N  (two's complement, modulo 2^64).
 *    A row adds (g_q << 40) + (h_q << 16) + 1 to each of its bins: ONE
 *    integer add per feature updates all three sums. With N <= 65535 and
 *    |g_q|, |h_q| <= 127, N fits its 16 bits and |G|, |H| < 2^23 fit their 24,
 *    so every sum of rows of the node (bins, prefix sums) unpacks exactly.
 *  - WIDE (larger nodes, or qmax > WN__Q_MAX): gh = (G << 32) + H in one
 *    word, the count in the parallel uint32 array n; the trainer keeps
 *    every |sum| < 2^31 (it caps the quantisation at (2^31-1)/rows). With
 *    qmax <= WN__Q_MAX a wide histogram is built in chunks of
 *    WN__P3_MAX_ROWS rows, each summed PACKED3 in scratch and then added;
 *    otherwise directly, two adds per feature.
 * Bins are laid out feature after feature: feature f's bins are
 *   [offset[f], offset[f+1]),  offset[f+1] - offset[f] = nbins[f]
 * with the missing bin last (bin.h). wn__hist_bin reads a bin in either
 * format.
 *
 * Thread safety: a histogram is a plain buffer; a builder holds per-thread
 * scratch and serves one build at a time. */
#ifndef WN_TREE_HIST_H
#define WN_TREE_HIST_H

#include "core.h"
#include "bin.h"

#include <string.h>

#define WN__Q_MAX 127          /* largest |g_q|, |h_q| of one row for PACKED3 */
#define WN__Q_FINE 32767       /* largest |g_q|, |h_q| of one row at all      */
#define WN__P3_MAX_ROWS 65535  /* most rows a PACKED3 histogram holds        */

enum { WN__HIST_WIDE = 0, WN__HIST_PACKED3 = 1 };

/* A row of the training table in the trainer's row lists: 32 bits (the
 * trainer takes at most 2^30 rows), half the memory traffic of the row
 * partition and of the gathers. */
typedef int32_t wn__rowid;

typedef struct wn__hist {
    int64_t nfeat;
    int64_t nbins_total; /* offset[nfeat]                                  */
    int64_t *offset;     /* [nfeat+1], in the same allocation as the header */
    int fmt;             /* WN__HIST_WIDE or WN__HIST_PACKED3              */
    uint64_t *gh;        /* [nbins_total] WIDE: (G << 32) + H; PACKED3: all */
    uint32_t *n;         /* [nbins_total] WIDE: row counts; PACKED3: unused */
} wn__hist;

/* ---- packed words ------------------------------------------------------- */

/* Packs a quantised (g, h), each |.| < 2^31 (WIDE). */
static inline uint64_t wn__gh_pack(int32_t g, int32_t h)
{
    return ((uint64_t)(uint32_t)g << 32) + (uint64_t)(int64_t)h;
}

/* Unpacks a WIDE sum whose halves are within int32. */
static inline void wn__gh_unpack(uint64_t v, int64_t *g, int64_t *h)
{
    int32_t lo = (int32_t)(uint32_t)(v & 0xffffffffu);
    uint64_t hi = v - (uint64_t)(int64_t)lo; /* undo the borrow/carry of lo */
    *h = lo;
    *g = (int32_t)(uint32_t)(hi >> 32);
}

/* The PACKED3 word of one row: (g << 40) + (h << 16) + 1. */
static inline uint64_t wn__p3_row(int32_t g, int32_t h)
{
    return ((uint64_t)(int64_t)g << 40) + ((uint64_t)(int64_t)h << 16) + 1u;
}

/* Unpacks a PACKED3 sum of at most WN__P3_MAX_ROWS rows. */
static inline void wn__p3_unpack(uint64_t v, int64_t *g, int64_t *h, int64_t *n)
{
    uint64_t c = v & 0xffffu;
    uint64_t t = (v - c) >> 16; /* (G << 24) + H modulo 2^48 */
    int64_t hh = (int64_t)((t & 0xffffffu) ^ 0x800000u) - 0x800000;
    uint64_t u = ((t - (uint64_t)hh) >> 24) & 0xffffffu;
    *g = (int64_t)(u ^ 0x800000u) - 0x800000;
    *h = hh;
    *n = (int64_t)c;
}

/* Bin k of h, in either format. */
static inline void wn__hist_bin(const wn__hist *h, int64_t k, int64_t *g, int64_t *hh,
                                int64_t *n)
{
    if (h->fmt == WN__HIST_PACKED3) {
        wn__p3_unpack(h->gh[k], g, hh, n);
    } else {
        wn__gh_unpack(h->gh[k], g, hh);
        *n = h->n[k];
    }
}

/* ---- row records -------------------------------------------------------- */

typedef struct wn__recs {
    void *mem;       /* the allocation                                   */
    uint8_t *data;   /* 64-byte aligned; row r at data + r * stride        */
    int64_t nrows, nfeat, stride;
    int32_t qmax;    /* bound on every stored |g_q|, |h_q| (<= WN__Q_FINE) */
} wn__recs;

/* Zeroed records for nrows x nfeat (stride = 4 + nfeat rounded up to 8),
 * qmax = WN__Q_MAX.
 * Errors: WN_EINVAL (NULL out, nrows < 1, nfeat outside 1..WN_MAX_COLUMNS),
 * WN_ENOMEM. Released with wn__recs_free (accepts NULL, zeroes *r). */
wn_status wn__recs_create(int64_t nrows, int64_t nfeat, wn__recs *out);
void wn__recs_free(wn__recs *r);

/* The codes of row r (nfeat bytes). */
static inline uint8_t *wn__rec_codes(const wn__recs *r, int64_t row)
{
    return r->data + row * r->stride + 4;
}

/* Stores row r's quantised (g, h), |g|, |h| <= r->qmax (not checked). */
static inline void wn__rec_set_gh(wn__recs *r, int64_t row, int32_t g, int32_t h)
{
    uint32_t w = ((uint32_t)(uint16_t)(int16_t)g << 16) | (uint32_t)(uint16_t)(int16_t)h;
    memcpy(r->data + row * r->stride, &w, sizeof w);
}

static inline void wn__rec_gh(const wn__recs *r, int64_t row, int32_t *g, int32_t *h)
{
    uint32_t w;
    memcpy(&w, r->data + row * r->stride, sizeof w);
    *g = (int16_t)(uint16_t)(w >> 16);
    *h = (int16_t)(uint16_t)(w & 0xffffu);
}

/* ---- quantisation of one row ------------------------------------------- */

/* The trainer's stochastic rounding (gbdt.c has the reasons): row r's
 * gradient and hessian scaled by gi, hi and rounded down after adding a
 * uniform in [0, 1) from a hash of (key, r), clamped to [-Q, Q]. */
typedef struct wn__quant {
    const float *grad, *hess; /* [nrows] */
    double gi, hi, Q;
    uint64_t key;
} wn__quant;

static inline uint64_t wn__mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* floor(x) for |x| < 2^31 without a libm call (x86-64's baseline has no
 * rounding instruction): truncate, then step down where that rounded up. */
static inline int32_t wn__floor_i32(double x)
{
    int32_t t = (int32_t)x;
    return t - ((double)t > x);
}

static inline void wn__quant_row(const wn__quant *q, int64_t r, int32_t *g, int32_t *h)
{
    uint64_t z = wn__mix64(q->key + (uint64_t)r * 0x9e3779b97f4a7c15ull);
    double ug = (double)(uint32_t)z * 0x1.0p-32, uh = (double)(uint32_t)(z >> 32) * 0x1.0p-32;
    /* |grad * gi| <= Q <= 32767 (gi = Q / max |grad|): the floors fit */
    int32_t qg = wn__floor_i32((double)q->grad[r] * q->gi + ug);
    int32_t qh = wn__floor_i32((double)q->hess[r] * q->hi + uh);
    const int32_t Q = (int32_t)q->Q;
    *g = qg > Q ? Q : qg < -Q ? -Q : qg;
    *h = qh > Q ? Q : qh < -Q ? -Q : qh;
}

/* ---- histograms --------------------------------------------------------- */

/* A zeroed WIDE histogram shaped by b (one allocation). Released with
 * wn__hist_free. Errors: WN_EINVAL (NULL, nfeat < 1, nbins outside 1..256),
 * WN_ENOMEM. */
wn_status wn__hist_create(const wn__binning *b, wn__hist **out);
void wn__hist_free(wn__hist *h); /* accepts NULL */
void wn__hist_clear(wn__hist *h); /* zero bins, format WIDE */

typedef struct wn__hist_builder wn__hist_builder;

/* Scratch for building histograms shaped by b with up to `threads` threads
 * (0 = all available). Released with wn__hist_builder_free. */
wn_status wn__hist_builder_create(const wn__binning *b, int threads, wn__hist_builder **out);
void wn__hist_builder_free(wn__hist_builder *hb);

/* Builds the histogram of one node into out (overwritten; PACKED3 when
 * nnode <= WN__P3_MAX_ROWS and recs->qmax <= WN__Q_MAX, else WIDE):
 *   recs   the records of all rows (their codes must be < nbins[f] and
 *          their (g, h) within recs->qmax: not checked here, this is the hot
 *          loop; the trainer's sums must stay within int32 for WIDE);
 *   rows   the node's nnode row indices (any order), NULL = rows 0..nnode-1.
 * Large nodes are split into contiguous ranges, one per thread, each summed
 * into the thread's own histogram; the partial histograms are then added.
 * The result does not depend on the thread count (integer sums). Errors:
 * WN_EINVAL (NULL arguments while nnode > 0, shapes differ, nnode < 0,
 * qmax outside 1..WN__Q_FINE). */
wn_status wn__hist_build(wn__hist_builder *hb, const wn__recs *recs, const wn__rowid *rows,
                         int64_t nnode, wn__hist *out);

/* The root of a tree fitted on ALL rows of recs, with the quantisation
 * fused in: each row's (g, h) is quantised by q, stored in its record and
 * added, in the one pass that reads the record (the separate quantisation
 * pass wrote every record's cache line only for the root build to read it
 * back). recs->qmax must be >= q->Q. Same result as quantising every row
 * and then wn__hist_build(hb, recs, NULL, recs->nrows, out). Errors: as
 * wn__hist_build. */
wn_status wn__hist_build_quantize(wn__hist_builder *hb, wn__recs *recs, const wn__quant *q,
                                  wn__hist *out);

/* sibling = parent - child, exactly; sibling may be parent or child. The
 * result is WIDE if the parent is, else PACKED3. Errors: WN_EINVAL (NULL
 * arguments, shapes differ, a WIDE child of a PACKED3 parent). */
wn_status wn__hist_subtract(const wn__hist *parent, const wn__hist *child, wn__hist *sibling);

#endif
