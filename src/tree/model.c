/* model.c — the GBDT model: lifetime, accessors, the JSON header and the
 * model file (save and a loader that trusts nothing).
 *
 * A model file is one container (src/io/container.c, docs/model-format.md):
 * a JSON header that a person can read (schema, parameters, per-fold
 * summaries, provenance) and four binary sections:
 *   "bins"    the training binning (wn__binning_pack);
 *   "trees"   one 24-byte record per tree, fold by fold in tree order;
 *   "nodes"   one 40-byte record per internal node, tree by tree;
 *   "leaves"  one 24-byte record per leaf, tree by tree.
 * Every field is written byte by byte in little-endian order (never a struct
 * dump), so the file does not depend on the host's layout or byte order;
 * the exact bytes are in docs/model-format.md, "GBDT models".
 *
 * The loader is fuzzed (tests/fuzz/fuzz_model.c). It follows stb's rule:
 * every count read from the file is checked against the size of the section
 * that must hold it before anything is allocated from it, and every tree is
 * proved to be a tree (each internal node reached exactly once from the root,
 * each leaf exactly once, children/features/bins in range, thresholds not
 * NaN, leaf values finite) so that prediction can neither loop nor read out
 * of bounds. Errors are one line starting with the file name.
 *
 * Prediction lives in predict.c. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/container.h"
#include "json.h"
#include "unsup.h"

#define TREE_REC 24
#define NODE_REC 40
#define LEAF_REC 24
#define GBDT_FORMAT 1

/* ---- names ---- */

static const char *const obj_names[] = {"binary", "multiclass", "l2", "l1", "huber"};
static const char *const metric_names[] = {"default",  "logloss", "auc", "error",
                                           "mlogloss", "rmse",    "mae", "huber"};

static const char *obj_name(wn_objective o)
{
    return (unsigned)o < 5 ? obj_names[o] : "unknown";
}

static const char *metric_name(wn_metric m)
{
    return (unsigned)m < 8 ? metric_names[m] : "unknown";
}

/* ---- lifetime ---- */

wn_status wn__tree_alloc(int32_t nleaves, wn__tree **out)
{
    if (!out || nleaves < 1 || nleaves > WN_GBDT_MAX_LEAVES)
        return wn__fail(WN_EINVAL, "tree_alloc: nleaves = %d outside 1..%d", (int)nleaves,
                        WN_GBDT_MAX_LEAVES);
    size_t L = (size_t)nleaves, N = L - 1;
    /* header, nodes, then the 8-byte leaf arrays: every part stays aligned */
    size_t hdr = (sizeof(wn__tree) + 15) & ~(size_t)15;
    size_t bytes = hdr + N * sizeof(wn__node) + L * (2 * sizeof(double) + sizeof(int64_t));
    char *p = wn__calloc(1, bytes);
    if (!p)
        return wn__oom("tree");
    wn__tree *t = (wn__tree *)(void *)p;
    t->nleaves = nleaves;
    t->nodes = N ? (wn__node *)(void *)(p + hdr) : NULL;
    char *q = p + hdr + N * sizeof(wn__node);
    t->leaf_value = (double *)(void *)q;
    t->leaf_hess = t->leaf_value + L;
    t->leaf_count = (int64_t *)(void *)(t->leaf_hess + L);
    *out = t;
    return WN_OK;
}

void wn__tree_free(wn__tree *t)
{
    wn_free(t);
}

wn_model *wn__model_new(void)
{
    return wn__calloc(1, sizeof(wn_model));
}

void wn_model_free(wn_model *m)
{
    if (!m)
        return;
    for (int64_t i = 0; m->feature_names && i < m->nfeat; i++)
        wn_free(m->feature_names[i]);
    wn_free(m->feature_names);
    wn_free(m->label_name);
    wn_free(m->weight_name);
    wn_free(m->fold_by);
    wn__binning_free(m->bins);
    wn_free(m->monotone);
    wn_free(m->class_weight);
    for (int f = 0; m->folds && f < m->nfold; f++) {
        wn__fold *fd = m->folds + f;
        for (int64_t t = 0; fd->trees && t < fd->ntrees; t++)
            wn__tree_free(fd->trees[t]);
        wn_free(fd->trees);
        wn_free(fd->base_score);
        wn_free(fd->hist_train);
        wn_free(fd->hist_valid);
    }
    wn_free(m->folds);
    wn_free(m->command_line);
    wn_free(m->created);
    wn_free(m->header);
    wn_free(m);
}

/* ---- accessors ---- */

const char *wn_model_kind(const wn_model *m)
{
    return m ? "gbdt" : NULL;
}
wn_objective wn_model_objective(const wn_model *m)
{
    return m ? m->objective : WN_OBJ_BINARY;
}
int wn_model_num_outputs(const wn_model *m)
{
    return m ? m->nout : 0;
}
int64_t wn_model_num_features(const wn_model *m)
{
    return m ? m->nfeat : 0;
}
const char *wn_model_feature_name(const wn_model *m, int64_t i)
{
    return m && i >= 0 && i < m->nfeat ? m->feature_names[i] : NULL;
}
const char *wn_model_label_name(const wn_model *m)
{
    return m ? m->label_name : NULL;
}
const char *wn_model_weight_name(const wn_model *m)
{
    return m ? m->weight_name : NULL;
}
int wn_model_ensemble_size(const wn_model *m)
{
    return m && m->params.ensemble > 1 ? m->params.ensemble : 0;
}

int wn_model_num_folds(const wn_model *m)
{
    return m ? m->nfold : 0;
}
const char *wn_model_fold_by(const wn_model *m)
{
    return m && m->nfold > 1 ? m->fold_by : NULL;
}
const char *wn_model_header(const wn_model *m)
{
    return m ? m->header : NULL;
}

int64_t wn_model_num_rounds(const wn_model *m, int fold)
{
    if (!m || fold < 0 || fold >= m->nfold || m->nout < 1)
        return 0;
    return m->folds[fold].ntrees / m->nout;
}

wn_status wn_model_history(const wn_model *m, int fold, wn_metric *metric, const double **train,
                           const double **valid, int64_t *n)
{
    if (!m)
        return wn__fail(WN_EINVAL, "model_history: model is NULL");
    if (fold < 0 || fold >= m->nfold)
        return wn__fail(WN_EINVAL, "model_history: fold %d outside 0..%d", fold, m->nfold - 1);
    const wn__fold *fd = m->folds + fold;
    if (metric)
        *metric = m->metric;
    if (train)
        *train = fd->hist_train;
    if (valid)
        *valid = fd->hist_valid;
    if (n)
        *n = fd->rounds_trained;
    return WN_OK;
}

/* ---- header ---- */

static void jw_params(wn__jw *w, const wn_model *m)
{
    const wn_gbdt_params *p = &m->params;
    wn__jw_key(w, "parameters");
    wn__jw_object_begin(w);
    wn__jw_key(w, "objective"), wn__jw_string(w, obj_name(p->objective));
    wn__jw_key(w, "num_class"), wn__jw_int(w, p->num_class);
    wn__jw_key(w, "rounds"), wn__jw_int(w, p->rounds);
    wn__jw_key(w, "learning_rate"), wn__jw_double(w, p->learning_rate);
    wn__jw_key(w, "num_leaves"), wn__jw_int(w, p->num_leaves);
    wn__jw_key(w, "max_depth"), wn__jw_int(w, p->max_depth);
    wn__jw_key(w, "min_data_in_leaf"), wn__jw_int(w, p->min_data_in_leaf);
    wn__jw_key(w, "min_sum_hessian"), wn__jw_double(w, p->min_sum_hessian);
    wn__jw_key(w, "lambda_l1"), wn__jw_double(w, p->lambda_l1);
    wn__jw_key(w, "lambda_l2"), wn__jw_double(w, p->lambda_l2);
    wn__jw_key(w, "min_split_gain"), wn__jw_double(w, p->min_split_gain);
    wn__jw_key(w, "row_subsample"), wn__jw_double(w, p->row_subsample);
    wn__jw_key(w, "col_subsample"), wn__jw_double(w, p->col_subsample);
    wn__jw_key(w, "max_bins"), wn__jw_int(w, p->max_bins);
    wn__jw_key(w, "bin_sample_rows"), wn__jw_int(w, p->bin_sample_rows);
    wn__jw_key(w, "huber_delta"), wn__jw_double(w, p->huber_delta);
    wn__jw_key(w, "valid_fraction"), wn__jw_double(w, p->valid_fraction);
    wn__jw_key(w, "early_stopping_rounds"), wn__jw_int(w, p->early_stopping_rounds);
    wn__jw_key(w, "metric"), wn__jw_string(w, metric_name(p->metric));
    wn__jw_key(w, "folds"), wn__jw_int(w, p->folds);
    wn__jw_key(w, "ensemble"), wn__jw_int(w, p->ensemble);
    wn__jw_u64(w, "seed", p->seed);
    wn__jw_key(w, "threads"), wn__jw_int(w, p->threads);
    if (m->monotone) {
        wn__jw_key(w, "monotone");
        wn__jw_array_begin(w);
        for (int64_t i = 0; i < m->nfeat; i++)
            wn__jw_int(w, m->monotone[i]);
        wn__jw_array_end(w);
    }
    if (m->class_weight)
        wn__jw_doubles(w, "class_weight", m->class_weight, p->n_class_weight);
    wn__jw_object_end(w);
}

static wn_status header_text(const wn_model *m, const char *created, char **out)
{
    wn__jw w;
    wn__jw_init(&w, true);
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "kind"), wn__jw_string(&w, "gbdt");
    wn__jw_key(&w, "format_version"), wn__jw_int(&w, GBDT_FORMAT);
    wn__jw_key(&w, "winnow_version"), wn__jw_string(&w, wn_version());
    wn__jw_key(&w, "created"), wn__jw_string(&w, created);
    wn__jw_key(&w, "objective"), wn__jw_string(&w, obj_name(m->objective));
    wn__jw_key(&w, "num_class"), wn__jw_int(&w, m->num_class);
    wn__jw_key(&w, "nout"), wn__jw_int(&w, m->nout);
    wn__jw_key(&w, "features");
    wn__jw_array_begin(&w);
    for (int64_t i = 0; i < m->nfeat; i++)
        wn__jw_string(&w, m->feature_names[i]);
    wn__jw_array_end(&w);
    wn__jw_str_or_null(&w, "label", m->label_name);
    wn__jw_str_or_null(&w, "weight", m->weight_name);
    wn__jw_str_or_null(&w, "fold_by", m->nfold > 1 ? m->fold_by : NULL);
    wn__jw_key(&w, "nfold"), wn__jw_int(&w, m->nfold);
    wn__jw_key(&w, "metric"), wn__jw_string(&w, metric_name(m->metric));
    jw_params(&w, m);
    wn__jw_key(&w, "folds");
    wn__jw_array_begin(&w);
    for (int f = 0; f < m->nfold; f++) {
        const wn__fold *fd = m->folds + f;
        wn__jw_object_begin(&w);
        wn__jw_key(&w, "rounds_trained"), wn__jw_int(&w, fd->rounds_trained);
        wn__jw_key(&w, "best_round"), wn__jw_int(&w, fd->best_round);
        wn__jw_key(&w, "ntrees"), wn__jw_int(&w, fd->ntrees);
        wn__jw_doubles(&w, "base_score", fd->base_score, m->nout);
        wn__jw_doubles(&w, "history_train", fd->hist_train, fd->rounds_trained);
        wn__jw_doubles(&w, "history_valid", fd->hist_valid, fd->rounds_trained);
        wn__jw_object_end(&w);
    }
    wn__jw_array_end(&w);
    wn__jw_key(&w, "provenance");
    wn__jw_object_begin(&w);
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)m->input_hash);
    wn__jw_key(&w, "input_fingerprint"), wn__jw_string(&w, hex);
    wn__jw_u64(&w, "seed", m->params.seed);
    wn__jw_str_or_null(&w, "command_line", m->command_line);
    wn__jw_object_end(&w);
    wn__jw_object_end(&w);
    size_t len;
    return wn__jw_finish(&w, out, &len);
}

wn_status wn__model_build_header(wn_model *m)
{
    if (!m)
        return wn__fail(WN_EINVAL, "model_build_header: model is NULL");
    if (!m->created) {
        char b[32];
        wn__now_iso(b);
        if (!(m->created = wn__strdup(b)))
            return wn__oom("model header");
    }
    char *h;
    wn_status s = header_text(m, m->created, &h);
    if (s != WN_OK)
        return wn__fail_prefix(s, "model header");
    wn_free(m->header);
    m->header = h;
    return WN_OK;
}

/* ---- save ---- */

static void put_f32(uint8_t *p, float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    wn__put_le32(p, u);
}

static void put_f64(uint8_t *p, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    wn__put_le64(p, u);
}

wn_status wn_model_save(const wn_model *m, const char *path)
{
    if (!m || !path)
        return wn__fail(WN_EINVAL, "model_save: %s is NULL", m ? "path" : "model");
    if (!m->bins || !m->folds || m->nfold < 1)
        return wn__fail(WN_EINVAL, "model_save: the model is incomplete");
    size_t ntree = 0, nnode = 0, nleaf = 0;
    for (int f = 0; f < m->nfold; f++)
        for (int64_t t = 0; t < m->folds[f].ntrees; t++) {
            ntree++;
            nnode += (size_t)m->folds[f].trees[t]->nleaves - 1;
            nleaf += (size_t)m->folds[f].trees[t]->nleaves;
        }
    char *hdr = m->header, *own = NULL;
    void *bins = NULL;
    size_t bins_len = 0;
    uint8_t *tr = wn__malloc_array(ntree ? ntree : 1, TREE_REC);
    uint8_t *nd = wn__malloc_array(nnode ? nnode : 1, NODE_REC);
    uint8_t *lf = wn__malloc_array(nleaf ? nleaf : 1, LEAF_REC);
    wn_status s = WN_OK;
    if (!tr || !nd || !lf) {
        s = wn__oom("model_save");
        goto done;
    }
    if (!hdr) {
        char b[32];
        if (!m->created)
            wn__now_iso(b);
        if ((s = header_text(m, m->created ? m->created : b, &own)) != WN_OK)
            goto done;
        hdr = own;
    }
    if ((s = wn__binning_pack(m->bins, &bins, &bins_len)) != WN_OK)
        goto done;
    size_t it = 0, in = 0, il = 0;
    for (int f = 0; f < m->nfold; f++)
        for (int64_t t = 0; t < m->folds[f].ntrees; t++) {
            const wn__tree *tree = m->folds[f].trees[t];
            uint8_t *r = tr + it++ * TREE_REC;
            wn__put_le32(r, (uint32_t)f);
            wn__put_le32(r + 4, (uint32_t)tree->nleaves);
            wn__put_le64(r + 8, (uint64_t)in);
            wn__put_le64(r + 16, (uint64_t)il);
            for (int32_t k = 0; k < tree->nleaves - 1; k++) {
                const wn__node *n = tree->nodes + k;
                uint8_t *q = nd + in++ * NODE_REC;
                put_f32(q, n->threshold);
                wn__put_le32(q + 4, (uint32_t)n->feature);
                wn__put_le32(q + 8, (uint32_t)n->left);
                wn__put_le32(q + 12, (uint32_t)n->right);
                q[16] = n->bin;
                q[17] = n->default_left ? 1 : 0;
                q[18] = q[19] = 0;
                put_f32(q + 20, n->gain);
                put_f64(q + 24, n->hess);
                wn__put_le64(q + 32, (uint64_t)n->count);
            }
            for (int32_t k = 0; k < tree->nleaves; k++) {
                uint8_t *q = lf + il++ * LEAF_REC;
                put_f64(q, tree->leaf_value[k]);
                put_f64(q + 8, tree->leaf_hess[k]);
                wn__put_le64(q + 16, (uint64_t)tree->leaf_count[k]);
            }
        }
    wn__section secs[4] = {{"bins", bins, bins_len},
                           {"trees", tr, ntree * TREE_REC},
                           {"nodes", nd, nnode * NODE_REC},
                           {"leaves", lf, nleaf * LEAF_REC}};
    s = wn__container_save(path, hdr, secs, 4);
done:
    wn_free(own);
    wn_free(bins);
    wn_free(tr);
    wn_free(nd);
    wn_free(lf);
    return s;
}

/* The loader is in model_load.c. */

/* ---- shared by predict.c and shap.c ------------------------------------ */

wn_status wn__model_feature_columns(const wn_model *m, const wn_table *t, const char *who,
                                    const float **cols)
{
    return wn__find_named_columns(t, (const char *const *)m->feature_names, m->nfeat, who,
                                  "model feature", cols);
}

wn_status wn__model_row_folds(const wn_model *m, const wn_table *t, int64_t idc, const char *who,
                              uint8_t *fold)
{
    const int64_t n = wn_table_nrows(t);
    const float *col = wn_table_column(t, idc);
    const int64_t *phys = wn_table_rows(t);
    for (int64_t r = 0; r < n; r++) {
        const float v = col[phys ? phys[r] : r];
        if (!(v >= 0.0f) || isinf(v) || v != floorf(v)) {
            char b[32];
            wn__format_float(b, v);
            return wn__fail(WN_EINVAL,
                            "%s: row %lld: fold column \"%s\" is %s, not an integer >= 0", who,
                            (long long)(r + 1), m->fold_by, b);
        }
        fold[r] = (uint8_t)fmod((double)v, (double)m->nfold);
    }
    return WN_OK;
}
