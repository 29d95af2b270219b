/* iforest.h — the isolation forest's internals, shared by iforest.c (fit and
 * scoring), iforest_io.c (header, save, load) and the tests and fuzz target
 * (never installed).
 *
 * Liu, Ting & Zhou, "Isolation Forest", ICDM 2008, doi:10.1109/ICDM.2008.17.
 *
 * A fitted tree is kept in the form the scorer walks fastest: nodes in
 * breadth-first order, the two children of a node side by side (left at
 * `next`, right at `next + 1`), and every leaf turned into a self-loop
 * (feature 0, threshold NaN: `x >= NaN` is false, so a walk that reaches a
 * leaf stays there). A walk is then a fixed number of branch-free steps,
 * the tree's depth, which lets many rows walk the same tree in lock step. */
#ifndef WN_TREE_IFOREST_H
#define WN_TREE_IFOREST_H

#include "core.h"
#include "io/container.h"
#include "unsup.h"

#define WN__IF_FORMAT 1
#define WN__IF_MAX_TREES 100000
#define WN__IF_MAX_SAMPLE ((int64_t)1 << 26) /* node indices stay in int32 */
#define WN__IF_MAX_DEPTH 100000
#define WN__IF_NODE_REC 12 /* file record: feature i32, threshold f32, child i32 */

/* One node as the scorer reads it: internal: go to next + (x[feat] >= thr);
 * leaf: feat 0, thr NaN, next = itself. */
typedef struct wn__ifnode {
    float thr;
    int32_t feat;
    int32_t next;
} wn__ifnode;

struct wn_iforest {
    wn__features f;
    int trees; /* parameters as given */
    int64_t sample_size;
    int max_depth;
    uint64_t seed;
    int drop_missing, standardize;
    int64_t nrows, ndropped;
    int64_t psi;       /* sample size used: min(sample_size, rows)         */
    int depth_limit;   /* max_depth, or ceil(log2(psi))                    */
    double cpsi;       /* c(psi), the score's normaliser                   */
    int64_t *off;      /* [trees + 1] first node of each tree              */
    int32_t *steps;    /* [trees] depth of each tree (walk length)         */
    wn__ifnode *nodes; /* [off[trees]] local child indices                 */
    double *leafval;   /* [off[trees]] leaf: depth + c(size); internal: 0  */
    int32_t *lsize;    /* [off[trees]] leaf: sample rows in it; internal: 0 */
    char *header;      /* JSON, owned                                      */
};

/* c(n) of the paper: the average path length of an unsuccessful search in
 * a binary search tree of n keys, 2 H(n-1) - 2 (n-1)/n with
 * H(i) = ln(i) + 0.5772156649; c(n) = 0 for n <= 1. */
double wn__iforest_c(double n);

/* ceil(log2(psi)) for psi >= 2. */
int wn__iforest_depth_for(int64_t psi);

/* Builds m->header from the model (kind, format_version, features,
 * provenance, parameters, n_rows, n_dropped, results). */
wn_status wn__iforest_build_header(wn_iforest *m, uint64_t input_hash, const char *command_line);

/* A model from a loaded container, every byte checked (WN_EFORMAT naming
 * file, WN_ENOMEM). The fuzz target's entry point. */
wn_status wn__iforest_from_container(const wn__container *c, const char *file, wn_iforest **out);

#endif
