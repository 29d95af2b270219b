/* split.h — best split of a tree node from its histogram (private).
 *
 * Second-order gain (Chen & Guestrin, KDD 2016, eq. 7) with L1 soft
 * thresholding (LightGBM's lambda_l1) and L2:
 *   T(G)      = sign(G) max(|G| - l1, 0)
 *   w*(G, H)  = -T(G) / (H + l2), clamped to the node's [lo, hi] bounds
 *   score(G, H, w) = -(2 T(G) w + (H + l2) w^2)   (= T(G)^2/(H+l2) unclamped)
 *   gain = score(left) + score(right) - score(parent)
 * A candidate is admissible when each child has >= min_data rows and a
 * hessian sum > max(min_hess, 1e-12) (with negative event weights a child's
 * hessian sum can be zero or negative: no Newton step exists there, so such
 * splits are never taken; docs/negative-weights.md), and, for a feature with a
 * monotone constraint c = +1 (-1), w(left) <= w(right) (>=).
 *
 * Missing values: the missing bin is last (bin.h). Each threshold b is tried
 * with the missing rows sent right and, when the node has missing rows, sent
 * left; the better is the learned default direction. Without missing rows
 * the default goes to the child with more rows. The threshold b = nb-2 (all
 * non-missing rows left) is tried only with missing rows sent right.
 *
 * Ties: the first candidate in (feature, missing-right before missing-left,
 * bin) order wins, so the choice is deterministic.
 *
 * The histogram holds quantised integer sums (hist.h); a sum S of quantised
 * gradients stands for S * gscale (hessians: * hscale). Left sums are
 * integer prefix sums and right sums integer differences, so left + right
 * is exactly the node's total. */
#ifndef WN_TREE_SPLIT_H
#define WN_TREE_SPLIT_H

#include "core.h"
#include "bin.h"
#include "hist.h"

typedef struct wn__split_params {
    int64_t min_data;
    double min_hess;
    double l1, l2;
    double min_gain;
    const int8_t *monotone; /* [nfeat] or NULL */
} wn__split_params;

/* A node's totals: quantised sums and row count. */
typedef struct wn__node_sums {
    int64_t g, h, n;
} wn__node_sums;

typedef struct wn__split {
    int32_t feature;      /* -1: no admissible split                         */
    int bin;              /* left iff code <= bin (non-missing)              */
    int default_left;
    double gain;
    wn__node_sums left, right; /* quantised sums of the children             */
    double wl, wr;        /* clamped child outputs (before learning rate)    */
} wn__split;

/* Leaf output for sums (G, H), clamped to [lo, hi]; 0 when H + l2 <= 0. */
double wn__leaf_output(double G, double H, double l1, double l2, double lo, double hi);

/* Best split of a node with totals `tot` and output bounds [lo, hi] over
 * the features f with use[f] != 0 (use may be NULL = all) and nb > 2;
 * gscale/hscale turn quantised sums into gradient/hessian sums.
 * Parallel over features with `threads`; the result does not depend on it.
 * best->feature = -1 when nothing is admissible or the gain <= min_gain. */
void wn__split_find(const wn__hist *h, const wn__binning *b, const wn__split_params *p,
                    const uint8_t *use, wn__node_sums tot, double gscale, double hscale,
                    double lo, double hi, int threads, wn__split *best);

#endif
