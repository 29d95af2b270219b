/* model.h — the in-memory GBDT model shared by the trainer (gbdt.c), the
 * grower (grow.c) and the model file / prediction code (model.c). Private.
 *
 * A tree with L leaves has L-1 internal nodes; node 0 is the root when L > 1
 * (a tree of one leaf is a constant). A child index c >= 0 is another
 * internal node, c < 0 is leaf ~c (0 .. L-1). A row goes left at node n iff
 *   x is NaN ? n.default_left : x <= n.threshold
 * on the raw feature value x, which is the same decision as
 *   code == missing_bin ? default_left : code <= n.bin
 * on its bin code (bin.h: code <= b  <=>  x <= cuts[b]; threshold is
 * cuts[bin], or +inf when bin is the last ordinary bin: a split that only
 * separates the missing values).
 *
 * Leaf values already include the learning rate. The raw score of output k
 * of a row is base_score[k] + the sum of the leaf values of the trees of
 * output k. Trees are stored round-major: tree t belongs to round t / nout
 * and output t % nout. */
#ifndef WN_TREE_MODEL_H
#define WN_TREE_MODEL_H

#include "core.h"
#include "bin.h"

typedef struct wn__node {
    float threshold;      /* go left iff x <= threshold (x not NaN)        */
    int32_t feature;      /* model feature index, 0 .. nfeat-1             */
    int32_t left, right;  /* >= 0: internal node; < 0: leaf ~index          */
    uint8_t bin;          /* the same split on codes: code <= bin           */
    uint8_t default_left; /* where NaN (the missing bin) goes               */
    uint8_t pad_[2];
    float gain;           /* split gain (loss reduction), for importance    */
    double hess;          /* sum of hessians of the node's training rows    */
    int64_t count;        /* training rows reaching the node                */
} wn__node;

typedef struct wn__tree {
    int32_t nleaves;      /* >= 1                                           */
    wn__node *nodes;      /* [nleaves - 1]                                  */
    double *leaf_value;   /* [nleaves], learning rate applied               */
    double *leaf_hess;    /* [nleaves] sum of hessians (cover)              */
    int64_t *leaf_count;  /* [nleaves] training rows                        */
} wn__tree;

/* One allocation holding the tree's arrays; nodes/leaf arrays are zeroed.
 * Released with wn__tree_free (which accepts NULL). */
wn_status wn__tree_alloc(int32_t nleaves, wn__tree **out);
void wn__tree_free(wn__tree *t);

/* Leaf reached by one row given its codes (rc[f] = code of feature f, as
 * in row-major codes: rc = codes + row * nfeat). */
static inline int32_t wn__tree_leaf_codes(const wn__tree *t, const wn__binning *b,
                                          const uint8_t *rc)
{
    if (t->nleaves == 1)
        return 0;
    int32_t n = 0;
    for (;;) {
        const wn__node *nd = t->nodes + n;
        int code = rc[nd->feature];
        int left = code == b->missing_bin[nd->feature] ? nd->default_left : code <= nd->bin;
        int32_t c = left ? nd->left : nd->right;
        if (c < 0)
            return ~c;
        n = c;
    }
}

/* The fold models of a model: fold f's trees are trees[f][0 .. ntrees[f]-1]. */
typedef struct wn__fold {
    int64_t ntrees;       /* rounds * nout                                  */
    wn__tree **trees;
    double *base_score;   /* [nout]                                         */
    int64_t rounds_trained; /* before the early-stopping cut               */
    int64_t best_round;   /* 0-based; == rounds kept - 1                    */
    double *hist_train;   /* [rounds_trained]                               */
    double *hist_valid;   /* [rounds_trained] or NULL                       */
} wn__fold;

struct wn_model {
    wn_objective objective;
    int nout;             /* 1 (binary, regression) or num_class            */
    int num_class;        /* 2 for binary, K for multiclass, 0 regression   */
    int64_t nfeat;
    char **feature_names; /* [nfeat]                                        */
    char *label_name;
    char *weight_name;    /* NULL without weights                           */
    char *fold_by;        /* NULL for one fold                              */
    wn__binning *bins;    /* the training binning (nfeat features)          */
    wn_gbdt_params params; /* pointers inside are NULL in the copy           */
    int8_t *monotone;     /* [nfeat] or NULL                                */
    double *class_weight; /* [n_class_weight] or NULL                       */
    wn_metric metric;     /* resolved (never WN_METRIC_DEFAULT)             */
    int nfold;            /* >= 1                                           */
    wn__fold *folds;      /* [nfold]                                        */
    uint64_t input_hash;  /* wn__table_fingerprint of the training table    */
    char *command_line;   /* or NULL                                        */
    char *created;        /* ISO 8601 UTC; from SOURCE_DATE_EPOCH when set  */
    double train_seconds; /* wall time of training (not saved)              */
    char *header;         /* the JSON header (built by save, or loaded)     */
};

/* A zeroed model (everything NULL/0); free with wn_model_free. */
wn_model *wn__model_new(void);

/* Builds m->header (the JSON text saved in the file and returned by
 * wn_model_header) from the fields above; the trainer calls it last. */
wn_status wn__model_build_header(wn_model *m);

/* Column data of every model feature in t, found by name: cols[f] is the
 * PHYSICAL column (read views through wn_table_rows). WN_ENOTFOUND lists the
 * missing features, the message starting with `who` ("predict", "shap"). */
wn_status wn__model_feature_columns(const wn_model *m, const wn_table *t, const char *who,
                                    const float **cols);

/* The fold of every row of t for a k-fold model: (id mod nfold) of column
 * idc, whose values must be integers >= 0 (WN_EINVAL names the row, the
 * value and `who` otherwise). fold[nrows]. */
wn_status wn__model_row_folds(const wn_model *m, const wn_table *t, int64_t idc, const char *who,
                              uint8_t *fold);

/* wn_model_load on len bytes in memory (name used in messages): the fuzz
 * target's entry. Loaded trees are checked to be trees (every node reached
 * exactly once from the root, children and features in range, leaves
 * numbered 0..L-1 once each, thresholds not NaN, bins below the feature's
 * bin count), so prediction cannot loop or read out of bounds. */
wn_status wn__model_load_mem(const char *name, const uint8_t *buf, size_t len, wn_model **out);

#endif
