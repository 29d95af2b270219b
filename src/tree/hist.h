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
 * hessian are integers g_q, h_q (the trainer scales and rounds them, gbdt.c),
 * packed in one 64-bit word  v = (g_q << 32) + h_q  (two's complement,
 * modulo 2^64). Adding packed words adds both halves at once, with the carry
 * out of the low half undone when unpacking, as long as each half of every
 * SUM stays within int32 — the trainer chooses the scale so that it does.
 * Integer addition is associative: a histogram is the same whatever the
 * order of its rows, so rows may be split among threads freely and the
 * result is still bit-identical at any thread count; and the subtraction
 * trick (sibling = parent - built child) is exact.
 *
 * Layout: per bin one uint64 packed sum (gh) and one uint32 count (n), in two
 * parallel arrays, feature after feature: feature f's bins are
 *   [offset[f], offset[f+1]),  offset[f+1] - offset[f] = nbins[f]
 * with the missing bin last (bin.h). Codes are ROW-major here
 * (codes[r*nfeat + f], wn__binning_apply_rowmajor): a row's codes share a
 * cache line, which matters in deep nodes whose rows are scattered.
 *
 * Thread safety: a histogram is a plain buffer; a builder holds per-thread
 * scratch and serves one build at a time. */
#ifndef WN_TREE_HIST_H
#define WN_TREE_HIST_H

#include "core.h"
#include "bin.h"

typedef struct wn__hist {
    int64_t nfeat;
    int64_t nbins_total; /* offset[nfeat]                                  */
    int64_t *offset;     /* [nfeat+1], in the same allocation as the header */
    uint64_t *gh;        /* [nbins_total] packed (g << 32) + h sums         */
    uint32_t *n;         /* [nbins_total] row counts                        */
} wn__hist;

/* Packs a quantised (g, h), each |.| < 2^31. */
static inline uint64_t wn__gh_pack(int32_t g, int32_t h)
{
    return ((uint64_t)(uint32_t)g << 32) + (uint64_t)(int64_t)h;
}

/* Unpacks a packed sum whose halves are within int32. */
static inline void wn__gh_unpack(uint64_t v, int64_t *g, int64_t *h)
{
    int32_t lo = (int32_t)(uint32_t)(v & 0xffffffffu);
    uint64_t hi = v - (uint64_t)(int64_t)lo; /* undo the borrow/carry of lo */
    *h = lo;
    *g = (int32_t)(uint32_t)(hi >> 32);
}

/* A zeroed histogram shaped by b (one allocation). Released with
 * wn__hist_free. Errors: WN_EINVAL (NULL, nfeat < 1, nbins outside 1..256),
 * WN_ENOMEM. */
wn_status wn__hist_create(const wn__binning *b, wn__hist **out);
void wn__hist_free(wn__hist *h); /* accepts NULL */
void wn__hist_clear(wn__hist *h);

typedef struct wn__hist_builder wn__hist_builder;

/* Scratch for building histograms shaped by b with up to `threads` threads
 * (0 = all available). Released with wn__hist_builder_free. */
wn_status wn__hist_builder_create(const wn__binning *b, int threads, wn__hist_builder **out);
void wn__hist_builder_free(wn__hist_builder *hb);

/* Builds the histogram of one node into out (overwritten):
 *   codes  row-major codes of all rows, codes[r*nfeat + f]; every code of
 *          feature f must be < nbins[f] (as wn__binning_apply_rowmajor gives:
 *          not checked here, this is the hot loop);
 *   gh     [nrows] packed quantised (g, h) per row;
 *   rows   the node's nnode row indices (any order), NULL = rows 0..nnode-1.
 * Large nodes are split into contiguous chunks, one per thread, each summed
 * into the thread's own histogram; the partial histograms are then added.
 * The result does not depend on the thread count (integer sums). Errors:
 * WN_EINVAL (NULL arguments while nnode > 0, shapes differ, nnode < 0). */
wn_status wn__hist_build(wn__hist_builder *hb, const uint8_t *codes, const uint64_t *gh,
                         const int64_t *rows, int64_t nnode, wn__hist *out);

/* sibling = parent - child, exactly. sibling may be parent or child.
 * Errors: WN_EINVAL (NULL arguments, shapes differ). */
wn_status wn__hist_subtract(const wn__hist *parent, const wn__hist *child, wn__hist *sibling);

#endif
