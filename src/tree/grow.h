/* grow.h — growing one regression tree on gradients, leaf-wise (private).
 *
 * Leaf-wise (best-first) growth, as LightGBM (Ke et al., NeurIPS 2017) and
 * XGBoost's "lossguide": the leaf whose best split gains most is split next,
 * until num_leaves leaves exist or no admissible split remains; max_depth
 * bounds the depth. Ties between leaves go to the lower leaf number.
 *
 * Rows. The grower keeps the rows of each leaf as a contiguous range of one
 * index array, in ascending row order (a split partitions a range stably).
 * So every histogram sums its rows in ascending order, whatever the thread
 * count, and the histogram gathers walk memory forwards.
 *
 * Histograms. The smaller child (fewer rows; ties: the left) is built from
 * its rows; the larger is the parent's minus it (hist.h), written over the
 * parent's histogram. A leaf that cannot be split further (depth, row
 * count) gets no histogram.
 *
 * Concurrent splits. Carrying out a split (partition, the children's
 * histograms and best splits: an "expansion") depends only on the leaf's
 * own rows and bounds. So with several threads, splits of small leaves
 * (<= 32768 rows) run several at once, one per thread: the best leaf's and
 * the next best leaves' that have no expansion yet (up to two per thread,
 * while the leaf budget left is at least four times their number). An
 * expansion done ahead waits until its leaf is chosen and is then committed
 * (node and leaf numbers are given at commit, in the one-thread order);
 * if the tree ends first, the leaf's two partitioned runs are merged back
 * into ascending order. Larger splits use all threads inside them. The
 * tree is the one-thread tree, bit for bit. The leaf budget is not looked
 * at when expanding: the last split's children get searched (wasted work,
 * same tree).
 *
 * Monotone constraints: each leaf carries bounds [lo, hi] on its output; a
 * split on a feature constrained +1 (-1) gives the left child hi (lo) = mid
 * and the right lo (hi) = mid, with mid = (w_left + w_right) / 2 (the
 * bound-propagation method of XGBoost). */
#ifndef WN_TREE_GROW_H
#define WN_TREE_GROW_H

#include "core.h"
#include "bin.h"
#include "hist.h"
#include "model.h"
#include "split.h"

typedef struct wn__grow_params {
    int num_leaves;        /* >= 2                                        */
    int max_depth;         /* 0 = unlimited                               */
    wn__split_params split;
    double learning_rate;  /* multiplies the leaf values                  */
    int threads;
} wn__grow_params;

typedef struct wn__grower wn__grower;

/* Scratch for trees over nrows rows of binning b with up to num_leaves
 * leaves and `threads` threads (reused tree after tree). */
wn_status wn__grower_create(const wn__binning *b, int64_t nrows, int num_leaves, int threads,
                            wn__grower **out);
void wn__grower_free(wn__grower *g);

/* What one tree is grown on. */
typedef struct wn__grow_data {
    wn__recs *recs;        /* row records of all nrows rows: quantised (g, h)
                              and codes (hist.h)                            */
    const wn__quant *quant; /* non-NULL when every row is fitted and the
                              rows' (g, h) are not yet in the records: the
                              root histogram build quantises them (hist.h) */
    const uint8_t *fcodes; /* the codes feature-major, fcodes[f*nrows+r]:
                              the partition reads one feature of scattered
                              rows, and one feature's codes fit in L2       */
    double gscale, hscale; /* quantised sum * scale = gradient/hessian sum   */
    const float *grad;     /* [nrows] exact gradients and hessians: the leaf */
    const float *hess;     /*   values are computed from these               */
    const int64_t *rows;   /* the nused rows to fit, ascending; NULL = all   */
    int64_t nused;
    const uint8_t *use;    /* features allowed, NULL = all                   */
    double *score;         /* non-NULL: each fitted row r gets its leaf's
                              value added to score[r * score_stride], in the
                              pass that refits the leaf                      */
    int64_t score_stride;
} wn__grow_data;

/* Grows one tree. The structure (splits) comes from the quantised
 * histograms; each leaf's value is then computed from the exact gradient
 * and hessian sums of its rows, in ascending row order (the "leaf refit"
 * of quantised training), clamped to the leaf's monotone bounds, times the
 * learning rate. After the call the rows of leaf l are available from
 * wn__grower_leaf_rows until the next grow. A leaf whose exact hessian sum
 * is not > max(min_hess, 1e-12) gets the value 0 (docs/negative-weights.md). */
wn_status wn__grow_tree(wn__grower *g, const wn__grow_params *p, const wn__grow_data *d,
                        wn__tree **out);

/* Rows of leaf l of the last grown tree (ascending). */
void wn__grower_leaf_rows(const wn__grower *g, int32_t l, const wn__rowid **rows, int64_t *n);

#endif
