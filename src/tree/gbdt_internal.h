/* gbdt_internal.h — shared by the GBDT trainer's files (private). */
#ifndef WN_TREE_GBDT_INTERNAL_H
#define WN_TREE_GBDT_INTERNAL_H

#include "core.h"
#include "bin.h"
#include "hist.h"
#include "model.h"
#include "objective.h"

/* Every parameter in range (messages name the parameter and its range). */
wn_status wn__gbdt_params_check(const wn_gbdt_params *p);

/* What the boosting loop of one fold needs (gbdt.c); filled by
 * wn_gbdt_train (gbdt_train.c). */
typedef struct train_ctx {
    const wn_gbdt_params *p;
    wn__objective obj;
    int nout;
    int64_t nrows;
    int64_t nfeat;
    const float *y;  /* [nrows] labels                                     */
    const float *w;  /* [nrows] effective weights, or NULL                 */
    wn__recs recs;   /* row records of the training table: codes and, each
                        tree, the quantised (g, h) (hist.h)                */
    uint8_t *fcodes; /* the codes feature-major (for the row partition)    */
    wn__binning *bins;
    const int8_t *monotone;
    wn_metric metric;
    /* separate validation table, if any */
    int64_t nv_ext;
    const float *yv_ext, *wv_ext;
    uint8_t *codes_v;
    /* progress over all folds */
    int64_t done_rounds, total_rounds;
    int nfold;
    double last_train;  /* last evaluated training metric (NaN: none yet) */
    char stage[160];    /* the progress stage text                        */
} train_ctx;

/* The rows one fold fits and validates on (rows of the training table). */
typedef struct fold_rows {
    int64_t *train;   /* ascending rows of the table to fit, ntrain          */
    int64_t ntrain;
    int64_t *valid;   /* rows of the table held out, or NULL                */
    int64_t nvalid;
    int use_ext;      /* validate on the separate table                     */
} fold_rows;

/* Trains the fold's trees into *out (zeroed first; on error *out may hold
 * some trees: the caller frees them with the model). */
wn_status wn__gbdt_train_fold(train_ctx *c, int fold, const fold_rows *fr, wn__fold *out);

#endif
