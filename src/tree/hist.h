/* hist.h — gradient/hessian histograms of one tree node (private).
 *
 * For every feature f and bin k of a wn__binning, a node's histogram holds
 * the sum of the gradients, the sum of the hessians and the number of the
 * node's rows whose code of feature f is k. Split finding scans these
 * instead of the rows (LightGBM, Ke et al. NeurIPS 2017; XGBoost "hist").
 *
 * Layout: one flat array of wn__hist_bin {double g, h; int64_t n} (24 bytes,
 * the three numbers a split scan reads together, so one cache line serves a
 * bin), feature after feature: feature f's bins are
 *   bins[offset[f]] .. bins[offset[f+1]-1],  offset[f+1]-offset[f] = nbins[f]
 * with the missing bin last (bin.h). The header, the offsets and the bins are
 * ONE allocation, so a node's histogram is created and freed in one step and
 * a histogram pool can recycle whole nodes.
 *
 * Sums are doubles accumulated from float gradients in the node's row order,
 * feature by feature (hist.c explains why this makes the bits independent of
 * the thread count). Counts are exact.
 *
 * Thread safety: a histogram is a plain buffer. build and subtract write only
 * their output; any number of calls on distinct outputs may run at once. */
#ifndef WN_TREE_HIST_H
#define WN_TREE_HIST_H

#include "core.h"
#include "bin.h"

typedef struct wn__hist_bin {
    double g;  /* sum of gradients  */
    double h;  /* sum of hessians   */
    int64_t n; /* number of rows    */
} wn__hist_bin;

typedef struct wn__hist {
    int64_t nfeat;
    int64_t nbins_total; /* offset[nfeat]                                  */
    int64_t *offset;     /* [nfeat+1] first bin of each feature; points into
                            the same allocation as the header              */
    wn__hist_bin *bins;  /* [nbins_total], likewise                         */
} wn__hist;

/* The bins of feature f (0 <= f < h->nfeat): nbins[f] entries. */
static inline wn__hist_bin *wn__hist_feature(const wn__hist *h, int64_t f)
{
    return h->bins + h->offset[f];
}

/* A zeroed histogram shaped by b (one allocation). *out is released with
 * wn__hist_free. Errors: WN_EINVAL (NULL arguments, b->nfeat < 1, an nbins
 * outside 1..256), WN_ENOMEM (also when the size would overflow size_t). */
wn_status wn__hist_create(const wn__binning *b, wn__hist **out);

/* Accepts NULL. */
void wn__hist_free(wn__hist *h);

/* Sets every sum and count to zero. */
void wn__hist_clear(wn__hist *h);

/* Builds the histogram of one node into out (overwritten; shaped by b):
 *   codes  feature-major codes of all nrows rows, codes[f*nrows + r]
 *          (wn__binning_apply); every code of feature f must be < nbins[f];
 *   grad, hess  [nrows] per-row gradient and hessian;
 *   rows   the node's nnode row indices, each in [0, nrows), in the order
 *          the sums follow; NULL means rows 0 .. nnode-1 (the root);
 *   threads  0 = all available; the result is bit-identical at any count.
 * For every f and k, out's bin (f, k) receives, in the order of `rows`,
 *   g = (((0 + (double)grad[r0]) + (double)grad[r1]) + ...)
 * over the rows r whose code is k (likewise h), and n their count.
 * Takes scratch of 8*nnode bytes for the node's (g, h) pairs.
 * Errors: WN_EINVAL (NULL arguments while nnode > 0, nnode < 0 or > nrows
 * for rows == NULL, a row index out of range, out not shaped by b, a code
 * >= nbins: then out's content is unspecified), WN_ENOMEM. */
wn_status wn__hist_build(const wn__binning *b, const uint8_t *codes, int64_t nrows,
                         const float *grad, const float *hess, const int64_t *rows,
                         int64_t nnode, int threads, wn__hist *out);

/* sibling = parent - child, bin by bin (the subtraction trick: build the
 * smaller child directly, derive the larger one). sibling may be parent or
 * child itself. Counts are exact. The sums are NOT bit-identical to a direct
 * build of the sibling: the direct build adds the sibling's rows alone, the
 * difference rounds the two larger sums; they agree to about
 * n * 2^-53 * (sum of |g| over the bin's parent rows). A trainer that must be
 * reproducible only needs to choose the built child by a deterministic rule
 * (fewer rows, ties to the left), which makes the whole tree deterministic.
 * Errors: WN_EINVAL (NULL arguments, shapes differ; sibling untouched). */
wn_status wn__hist_subtract(const wn__hist *parent, const wn__hist *child, wn__hist *sibling);

#endif
