/* model_load.c — reading a GBDT model file without trusting it.
 *
 * The container layer (src/io/container.c) has already proved that the bytes
 * are what some writer saved (magic, checksums, section table); this file
 * proves that what was saved is a model winnow can run. The order matters:
 * the header's counts are checked against the sizes of the sections that
 * must hold them before anything is allocated from them (stb's rule), then
 * each tree is decoded and proved to be a tree:
 *   - every child index is in range, and no internal node (the root
 *     included) is the child of two nodes: in-degree <= 1, root in-degree 0;
 *   - a walk from the root reaches all L-1 internal nodes. With in-degree
 *     <= 1 the walk visits each node at most once, so it terminates; and
 *     reaching all of them rules out a cycle living apart from the root;
 *   - each leaf 0..L-1 is the child of exactly one node;
 *   - features < nfeat, bin an ordinary bin of the loaded binning, the
 *     threshold exactly that bin's upper cut (+inf for the last ordinary
 *     bin), so the code walk and the value walk agree; leaf values finite.
 * Prediction (predict.c) may then walk trees without any bounds checks.
 * Every failure is one line starting with the file's name (WN_EFORMAT), or
 * WN_ENOMEM when memory runs out. docs/model-format.md lists the layout. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/container.h"
#include "json.h"

#define TREE_REC 24
#define NODE_REC 40
#define LEAF_REC 24
#define GBDT_FORMAT 1
#define MAX_FOLDS 100

static const char *const obj_names[] = {"binary", "multiclass", "l2", "l1", "huber"};
static const char *const metric_names[] = {"default",  "logloss", "auc", "error",
                                           "mlogloss", "rmse",    "mae", "huber"};

typedef struct ld {
    const char *name;
    wn_model *m;
    uint8_t *seen_node, *seen_leaf; /* [WN_GBDT_MAX_LEAVES] scratch */
    int32_t *stack;
} ld;

static wn_status bad(const ld *L, const char *fmt, ...) WN__PRINTF(2, 3);
static wn_status bad(const ld *L, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wn__fail(WN_EFORMAT, "%s: %s", L->name, msg);
}

static int find_name(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* ---- header fields ---- */

static wn_status get_int(const ld *L, const wn__json *obj, const char *key, int64_t lo, int64_t hi,
                         const char *where, int64_t *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v)
        return bad(L, "%s: missing \"%s\"", where, key);
    if (v->type != WN__JSON_NUMBER || !v->is_int || v->i < lo || v->i > hi)
        return bad(L, "%s: \"%s\" must be an integer in %lld..%lld", where, key, (long long)lo,
                   (long long)hi);
    *out = v->i;
    return WN_OK;
}

/* A string member (non-empty, no NUL, at most maxlen bytes) copied into *out,
 * or NULL when the member is null (allowed only if nullable). */
static wn_status get_str(const ld *L, const wn__json *obj, const char *key, bool nullable,
                         size_t maxlen, char **out)
{
    const wn__json *v = wn__json_get(obj, key);
    *out = NULL;
    if (v && v->type == WN__JSON_NULL && nullable)
        return WN_OK;
    if (!v || v->type != WN__JSON_STRING || v->n == 0 || v->n > maxlen || strlen(v->u.str) != v->n)
        return bad(L, "header: \"%s\" must be a non-empty string%s", key,
                   nullable ? " or null" : "");
    if (!(*out = wn__strndup(v->u.str, v->n)))
        return wn__oom("model");
    return WN_OK;
}

/* An array of exactly n numbers (null -> NaN when allow_null) into dst. */
static wn_status get_doubles(const ld *L, const wn__json *arr, int64_t n, bool allow_null,
                             bool finite, const char *what, double *dst)
{
    if (!arr || arr->type != WN__JSON_ARRAY || (int64_t)arr->n != n)
        return bad(L, "header: %s must be an array of %lld numbers", what, (long long)n);
    for (int64_t i = 0; i < n; i++) {
        const wn__json *v = arr->u.items + i;
        if (v->type == WN__JSON_NULL && allow_null)
            dst[i] = (double)NAN;
        else if (v->type == WN__JSON_NUMBER && (!finite || isfinite(v->u.num)))
            dst[i] = v->u.num;
        else
            return bad(L, "header: %s[%lld] is not a %snumber", what, (long long)i,
                       finite ? "finite " : "");
    }
    return WN_OK;
}

static wn_status get_u64(const ld *L, const wn__json *obj, const char *key, const char *where,
                         uint64_t *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (v && v->type == WN__JSON_NUMBER && v->is_int && v->i >= 0) {
        *out = (uint64_t)v->i;
        return WN_OK;
    }
    if (v && v->type == WN__JSON_STRING && v->n >= 1 && v->n <= 20) {
        char *end;
        unsigned long long u = strtoull(v->u.str, &end, 10);
        if (*end == 0 && v->u.str[0] >= '0' && v->u.str[0] <= '9') {
            *out = (uint64_t)u;
            return WN_OK;
        }
    }
    return bad(L, "%s: \"%s\" must be an unsigned integer", where, key);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static wn_status read_features(const ld *L, const wn__json *root)
{
    wn_model *m = L->m;
    const wn__json *fa = wn__json_get(root, "features");
    if (!fa || fa->type != WN__JSON_ARRAY || fa->n < 1 || fa->n > WN_MAX_COLUMNS)
        return bad(L, "header: \"features\" must be an array of 1..%d names", WN_MAX_COLUMNS);
    m->nfeat = (int64_t)fa->n;
    if (!(m->feature_names = wn__calloc(fa->n, sizeof(char *))))
        return wn__oom("model features");
    for (size_t i = 0; i < fa->n; i++) {
        const wn__json *v = fa->u.items + i;
        if (v->type != WN__JSON_STRING || v->n == 0 || v->n > WN_MAX_NAME ||
            strlen(v->u.str) != v->n)
            return bad(L, "header: feature %zu: not a non-empty name of at most %d bytes", i,
                       WN_MAX_NAME);
        if (!(m->feature_names[i] = wn__strndup(v->u.str, v->n)))
            return wn__oom("model features");
    }
    char **sorted = wn__malloc_array(fa->n, sizeof(char *));
    if (!sorted)
        return wn__oom("model features");
    memcpy(sorted, m->feature_names, fa->n * sizeof(char *));
    qsort(sorted, fa->n, sizeof(char *), cmp_str);
    for (size_t i = 1; i < fa->n; i++)
        if (strcmp(sorted[i - 1], sorted[i]) == 0) {
            wn__fail(WN_EFORMAT, "%s: header: feature \"%.200s\" appears twice", L->name,
                     sorted[i]);
            wn_free(sorted);
            return WN_EFORMAT;
        }
    wn_free(sorted);
    return WN_OK;
}

#define P_INT(key, field, lo, hi)                                                                  \
    if (wn__json_get(pj, key)) {                                                                   \
        int64_t v_;                                                                                \
        if ((s = get_int(L, pj, key, lo, hi, "header: parameters", &v_)) != WN_OK)                 \
            return s;                                                                              \
        p->field = (__typeof__(p->field))v_;                                                       \
    }
#define P_DBL(key, field)                                                                          \
    if ((v = wn__json_get(pj, key))) {                                                             \
        if (v->type != WN__JSON_NUMBER)                                                            \
            return bad(L, "header: parameters: \"%s\" must be a number", key);                     \
        p->field = v->u.num;                                                                       \
    }

static wn_status read_params(const ld *L, const wn__json *root)
{
    wn_model *m = L->m;
    wn_gbdt_params *p = &m->params;
    const wn__json *pj = wn__json_get(root, "parameters"), *v;
    wn_status s;
    if (!pj || pj->type != WN__JSON_OBJECT)
        return bad(L, "header: \"parameters\" must be an object");
    p->objective = m->objective;
    p->metric = WN_METRIC_DEFAULT;
    if ((v = wn__json_get(pj, "objective"))) {
        int k = v->type == WN__JSON_STRING ? find_name(obj_names, 5, v->u.str) : -1;
        if (k < 0)
            return bad(L, "header: parameters: unknown objective");
        p->objective = (wn_objective)k;
    }
    if ((v = wn__json_get(pj, "metric"))) {
        int k = v->type == WN__JSON_STRING ? find_name(metric_names, 8, v->u.str) : -1;
        if (k < 0)
            return bad(L, "header: parameters: unknown metric");
        p->metric = (wn_metric)k;
    }
    P_INT("num_class", num_class, 0, WN_GBDT_MAX_CLASSES)
    P_INT("rounds", rounds, 0, INT64_MAX)
    P_INT("num_leaves", num_leaves, 0, WN_GBDT_MAX_LEAVES)
    P_INT("max_depth", max_depth, 0, 1 << 20)
    P_INT("min_data_in_leaf", min_data_in_leaf, 0, INT64_MAX)
    P_INT("max_bins", max_bins, 0, 1 << 20)
    P_INT("bin_sample_rows", bin_sample_rows, INT64_MIN, INT64_MAX)
    P_INT("early_stopping_rounds", early_stopping_rounds, 0, INT64_MAX)
    P_INT("folds", folds, 0, 1 << 20)
    P_INT("ensemble", ensemble, 0, 100)
    P_INT("threads", threads, 0, 1 << 20)
    P_DBL("learning_rate", learning_rate)
    P_DBL("min_sum_hessian", min_sum_hessian)
    P_DBL("lambda_l1", lambda_l1)
    P_DBL("lambda_l2", lambda_l2)
    P_DBL("min_split_gain", min_split_gain)
    P_DBL("row_subsample", row_subsample)
    P_DBL("col_subsample", col_subsample)
    P_DBL("huber_delta", huber_delta)
    P_DBL("valid_fraction", valid_fraction)
    if (wn__json_get(pj, "seed") &&
        (s = get_u64(L, pj, "seed", "header: parameters", &p->seed)) != WN_OK)
        return s;
    if ((v = wn__json_get(pj, "monotone"))) {
        if (v->type != WN__JSON_ARRAY || (int64_t)v->n != m->nfeat)
            return bad(L, "header: parameters: \"monotone\" must have one entry per feature");
        if (!(m->monotone = wn__malloc_array(v->n, 1)))
            return wn__oom("model");
        for (size_t i = 0; i < v->n; i++) {
            const wn__json *e = v->u.items + i;
            if (e->type != WN__JSON_NUMBER || !e->is_int || e->i < -1 || e->i > 1)
                return bad(L, "header: parameters: monotone[%zu] is not -1, 0 or 1", i);
            m->monotone[i] = (int8_t)e->i;
        }
        p->n_monotone = m->nfeat;
    }
    if ((v = wn__json_get(pj, "class_weight"))) {
        if (v->type != WN__JSON_ARRAY || v->n < 1 || v->n > WN_GBDT_MAX_CLASSES)
            return bad(L, "header: parameters: \"class_weight\" must have 1..%d entries",
                       WN_GBDT_MAX_CLASSES);
        if (!(m->class_weight = wn__malloc_array(v->n, sizeof(double))))
            return wn__oom("model");
        if ((s = get_doubles(L, v, (int64_t)v->n, false, true, "parameters: class_weight",
                             m->class_weight)) != WN_OK)
            return s;
        p->n_class_weight = (int)v->n;
    }
    return WN_OK;
}

/* ---- trees ---- */

static float get_f32(const uint8_t *p)
{
    uint32_t u = wn__get_le32(p);
    float x;
    memcpy(&x, &u, 4);
    return x;
}

static double get_f64(const uint8_t *p)
{
    uint64_t u = wn__get_le64(p);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

/* Decodes one tree's nodes and leaves and proves it is a tree (see the top
 * of the file). */
static wn_status read_tree(const ld *L, int f, int64_t ti, const uint8_t *nb, const uint8_t *lb,
                           wn__tree *t)
{
    const wn_model *m = L->m;
    int32_t nn = t->nleaves - 1, nl = t->nleaves;
    memset(L->seen_node, 0, (size_t)nl);
    memset(L->seen_leaf, 0, (size_t)nl);
    for (int32_t k = 0; k < nn; k++) {
        const uint8_t *q = nb + (size_t)k * NODE_REC;
        wn__node *n = t->nodes + k;
        n->threshold = get_f32(q);
        n->feature = (int32_t)wn__get_le32(q + 4);
        n->left = (int32_t)wn__get_le32(q + 8);
        n->right = (int32_t)wn__get_le32(q + 12);
        n->bin = q[16];
        n->default_left = q[17];
        n->gain = get_f32(q + 20);
        n->hess = get_f64(q + 24);
        n->count = (int64_t)wn__get_le64(q + 32);
        if (n->feature < 0 || n->feature >= m->nfeat)
            return bad(L, "tree %lld of fold %d: node %d feature %d out of range (%lld features)",
                       (long long)ti, f, (int)k, (int)n->feature, (long long)m->nfeat);
        if (n->bin >= m->bins->nbins[n->feature])
            return bad(L,
                       "tree %lld of fold %d: node %d bin %d out of range (feature %d has %d "
                       "bins)",
                       (long long)ti, f, (int)k, (int)n->bin, (int)n->feature,
                       m->bins->nbins[n->feature]);
        if (isnan(n->threshold))
            return bad(L, "tree %lld of fold %d: node %d threshold is NaN", (long long)ti, f,
                       (int)k);
        /* the split on codes and the split on values must be one decision
         * (the predictor walks codes): bin an ordinary bin, threshold its
         * upper cut, +inf for the last ordinary bin */
        {
            const int last = m->bins->nbins[n->feature] - 2;
            const float want = n->bin < last ? m->bins->cuts[n->feature][n->bin] : INFINITY;
            if ((int)n->bin > last || n->threshold != want)
                return bad(L,
                           "tree %lld of fold %d: node %d threshold %g does not match its bin %d "
                           "(feature %d: %s %g)",
                           (long long)ti, f, (int)k, (double)n->threshold, (int)n->bin,
                           (int)n->feature, (int)n->bin > last ? "last ordinary bin" : "cut",
                           (int)n->bin > last ? (double)last : (double)want);
        }
        if (n->default_left > 1)
            return bad(L, "tree %lld of fold %d: node %d default_left is %d, not 0 or 1",
                       (long long)ti, f, (int)k, (int)n->default_left);
        int32_t ch[2] = {n->left, n->right};
        for (int j = 0; j < 2; j++) {
            int32_t c = ch[j];
            if (c >= 0) {
                if (c >= nn)
                    return bad(L, "tree %lld of fold %d: node %d child %d out of range",
                               (long long)ti, f, (int)k, (int)c);
                if (c == 0 || L->seen_node[c]++)
                    return bad(L,
                               "tree %lld of fold %d: node %d reached twice (a cycle or a "
                               "shared node)",
                               (long long)ti, f, (int)c);
            } else {
                int32_t leaf = ~c;
                if (leaf >= nl)
                    return bad(L, "tree %lld of fold %d: node %d child leaf %d out of range",
                               (long long)ti, f, (int)k, (int)leaf);
                if (L->seen_leaf[leaf]++)
                    return bad(L, "tree %lld of fold %d: leaf %d referenced twice", (long long)ti,
                               f, (int)leaf);
            }
        }
    }
    /* reachability: in-degree <= 1 and the root unreferenced, so each node is
     * pushed at most once */
    int32_t reached = 0, sp = 0;
    if (nn > 0)
        L->stack[sp++] = 0;
    while (sp > 0) {
        const wn__node *n = t->nodes + L->stack[--sp];
        reached++;
        if (n->left >= 0)
            L->stack[sp++] = n->left;
        if (n->right >= 0)
            L->stack[sp++] = n->right;
    }
    if (reached != nn)
        return bad(L,
                   "tree %lld of fold %d: only %d of %d nodes reachable from the root (a "
                   "cycle)",
                   (long long)ti, f, (int)reached, (int)nn);
    for (int32_t k = 0; k < nl; k++) {
        const uint8_t *q = lb + (size_t)k * LEAF_REC;
        if (nn > 0 && !L->seen_leaf[k])
            return bad(L, "tree %lld of fold %d: leaf %d is never reached", (long long)ti, f,
                       (int)k);
        t->leaf_value[k] = get_f64(q);
        t->leaf_hess[k] = get_f64(q + 8);
        t->leaf_count[k] = (int64_t)wn__get_le64(q + 16);
        if (!isfinite(t->leaf_value[k]))
            return bad(L, "tree %lld of fold %d: leaf %d value is not finite", (long long)ti, f,
                       (int)k);
    }
    return WN_OK;
}

static wn_status section(const ld *L, const wn__container *c, const char *sec, size_t rec,
                         const uint8_t **p, size_t *n)
{
    const void *d;
    size_t sz;
    if (wn__container_section(c, sec, &d, &sz) != WN_OK)
        return bad(L, "missing section \"%s\"", sec);
    if (rec && sz % rec)
        return bad(L, "section \"%s\" has %zu bytes, not a multiple of %zu", sec, sz, rec);
    *p = d;
    *n = rec ? sz / rec : sz;
    return WN_OK;
}

static wn_status read_folds(ld *L, const wn__container *c, const wn__json *root)
{
    wn_model *m = L->m;
    wn_status s;
    const wn__json *fa = wn__json_get(root, "folds");
    if (!fa || fa->type != WN__JSON_ARRAY || (int64_t)fa->n != m->nfold)
        return bad(L, "header: \"folds\" must be an array of %d fold objects", m->nfold);
    const uint8_t *tb, *nb, *lb;
    size_t ntr, nno, nle;
    if ((s = section(L, c, "trees", TREE_REC, &tb, &ntr)) != WN_OK ||
        (s = section(L, c, "nodes", NODE_REC, &nb, &nno)) != WN_OK ||
        (s = section(L, c, "leaves", LEAF_REC, &lb, &nle)) != WN_OK)
        return s;
    if (!(m->folds = wn__calloc((size_t)m->nfold, sizeof(wn__fold))))
        return wn__oom("model folds");
    size_t it = 0, in = 0, il = 0;
    for (int f = 0; f < m->nfold; f++) {
        wn__fold *fd = m->folds + f;
        const wn__json *fj = fa->u.items + f;
        char where[48];
        snprintf(where, sizeof where, "header: fold %d", f);
        if (fj->type != WN__JSON_OBJECT)
            return bad(L, "%s is not an object", where);
        int64_t rt, br, nt;
        if ((s = get_int(L, fj, "rounds_trained", 1, (int64_t)1 << 40, where, &rt)) != WN_OK ||
            (s = get_int(L, fj, "best_round", 0, rt - 1, where, &br)) != WN_OK ||
            (s = get_int(L, fj, "ntrees", 0, INT64_MAX, where, &nt)) != WN_OK)
            return s;
        if (nt != (br + 1) * m->nout)
            return bad(L, "%s: ntrees %lld != (best_round + 1) * nout = %lld", where, (long long)nt,
                       (long long)((br + 1) * m->nout));
        const wn__json *ht = wn__json_get(fj, "history_train"),
                       *hv = wn__json_get(fj, "history_valid");
        /* the history arrays bound rounds_trained by the header's size */
        if (!ht || ht->type != WN__JSON_ARRAY || (int64_t)ht->n != rt)
            return bad(L, "%s: history_train must have rounds_trained = %lld entries", where,
                       (long long)rt);
        if (!hv ||
            (hv->type != WN__JSON_NULL && (hv->type != WN__JSON_ARRAY || (int64_t)hv->n != rt)))
            return bad(L, "%s: history_valid must be null or have %lld entries", where,
                       (long long)rt);
        if ((uint64_t)nt > ntr - it)
            return bad(L, "%s: %lld trees but section \"trees\" holds %zu records in all", where,
                       (long long)nt, ntr);
        fd->rounds_trained = rt;
        fd->best_round = br;
        if (!(fd->base_score = wn__malloc_array((size_t)m->nout, sizeof(double))) ||
            !(fd->hist_train = wn__malloc_array((size_t)rt, sizeof(double))) ||
            (hv->type == WN__JSON_ARRAY &&
             !(fd->hist_valid = wn__malloc_array((size_t)rt, sizeof(double)))) ||
            !(fd->trees = wn__calloc((size_t)(nt ? nt : 1), sizeof(wn__tree *))))
            return wn__oom("model folds");
        if ((s = get_doubles(L, wn__json_get(fj, "base_score"), m->nout, false, true, "base_score",
                             fd->base_score)) != WN_OK ||
            (s = get_doubles(L, ht, rt, true, false, "history_train", fd->hist_train)) != WN_OK ||
            (fd->hist_valid &&
             (s = get_doubles(L, hv, rt, true, false, "history_valid", fd->hist_valid)) != WN_OK))
            return s;
        for (int64_t t = 0; t < nt; t++, it++) {
            const uint8_t *r = tb + it * TREE_REC;
            uint32_t rf = wn__get_le32(r), nl = wn__get_le32(r + 4);
            uint64_t fn = wn__get_le64(r + 8), fl = wn__get_le64(r + 16);
            if (rf != (uint32_t)f)
                return bad(L, "tree %lld of fold %d: record says fold %u", (long long)t, f,
                           (unsigned)rf);
            if (nl < 1 || nl > WN_GBDT_MAX_LEAVES)
                return bad(L, "tree %lld of fold %d: %u leaves, outside 1..%d", (long long)t, f,
                           (unsigned)nl, WN_GBDT_MAX_LEAVES);
            if (fn != in || fl != il)
                return bad(L,
                           "tree %lld of fold %d: first node/leaf %llu/%llu, expected "
                           "%zu/%zu",
                           (long long)t, f, (unsigned long long)fn, (unsigned long long)fl, in, il);
            if (nl - 1 > nno - in || nl > nle - il)
                return bad(L,
                           "tree %lld of fold %d: %u leaves run past the \"nodes\" or "
                           "\"leaves\" section",
                           (long long)t, f, (unsigned)nl);
            if ((s = wn__tree_alloc((int32_t)nl, &fd->trees[t])) != WN_OK)
                return s;
            fd->ntrees = t + 1;
            if ((s = read_tree(L, f, t, nb + in * NODE_REC, lb + il * LEAF_REC, fd->trees[t])) !=
                WN_OK)
                return s;
            in += nl - 1;
            il += nl;
        }
    }
    if (it != ntr || in != nno || il != nle)
        return bad(L,
                   "sections hold %zu trees, %zu nodes, %zu leaves; the trees use %zu, %zu, "
                   "%zu",
                   ntr, nno, nle, it, in, il);
    return WN_OK;
}

/* ---- the whole model ---- */

static wn_status load(ld *L, const wn__container *c)
{
    wn_model *m = L->m;
    const wn__json *root = wn__container_header_json(c);
    wn_status s;
    const char *kind = wn__json_get_string(root, "kind", "");
    if (strcmp(kind, "gbdt") != 0)
        return bad(L, "not a gbdt model (kind \"%.100s\")", kind);
    int64_t fv, v;
    if ((s = get_int(L, root, "format_version", 1, INT64_MAX, "header", &fv)) != WN_OK)
        return s;
    if (fv > GBDT_FORMAT)
        return bad(L, "gbdt format %lld is newer than this winnow reads (%d)", (long long)fv,
                   GBDT_FORMAT);
    const char *on = wn__json_get_string(root, "objective", NULL);
    int k = find_name(obj_names, 5, on);
    if (k < 0)
        return bad(L, "header: unknown objective \"%.100s\"", on ? on : "(missing)");
    m->objective = (wn_objective)k;
    if ((s = get_int(L, root, "num_class", 0, WN_GBDT_MAX_CLASSES, "header", &v)) != WN_OK)
        return s;
    m->num_class = (int)v;
    if ((s = get_int(L, root, "nout", 1, WN_GBDT_MAX_CLASSES, "header", &v)) != WN_OK)
        return s;
    m->nout = (int)v;
    int want_nc = m->objective == WN_OBJ_BINARY ? 2 : m->objective == WN_OBJ_MULTICLASS ? -1 : 0;
    if ((want_nc >= 0 && (m->num_class != want_nc || m->nout != 1)) ||
        (want_nc < 0 && (m->num_class < 3 || m->nout != m->num_class)))
        return bad(L, "header: nout %d and num_class %d do not fit objective %s", m->nout,
                   m->num_class, obj_names[k]);
    const char *mn = wn__json_get_string(root, "metric", NULL);
    if ((k = find_name(metric_names, 8, mn)) <= 0)
        return bad(L, "header: unknown metric \"%.100s\"", mn ? mn : "(missing)");
    m->metric = (wn_metric)k;
    if ((s = get_int(L, root, "nfold", 1, MAX_FOLDS, "header", &v)) != WN_OK)
        return s;
    m->nfold = (int)v;
    /* an ensemble's members are stored as folds, without a fold column */
    const int64_t ens = wn__json_get_int(wn__json_get(root, "parameters"), "ensemble", 0);
    if ((s = read_features(L, root)) != WN_OK ||
        (s = get_str(L, root, "label", true, WN_MAX_NAME, &m->label_name)) != WN_OK ||
        (s = get_str(L, root, "weight", true, WN_MAX_NAME, &m->weight_name)) != WN_OK ||
        (s = get_str(L, root, "fold_by", m->nfold == 1 || ens > 1, WN_MAX_NAME, &m->fold_by)) !=
            WN_OK)
        return s;
    if (m->nfold == 1) {
        wn_free(m->fold_by);
        m->fold_by = NULL;
    }
    if ((s = read_params(L, root)) != WN_OK)
        return s;
    m->params.fold_by = NULL;
    if (m->params.ensemble > 1 &&
        (m->params.ensemble != m->nfold || m->fold_by || m->params.folds > 1))
        return bad(L, "header: an ensemble of %d members must have %d folds and no fold_by "
                      "(it has %d%s)", m->params.ensemble, m->params.ensemble, m->nfold,
                   m->fold_by ? " and a fold_by" : "");
    const wn__json *pv = wn__json_get(root, "provenance");
    if (!pv || pv->type != WN__JSON_OBJECT)
        return bad(L, "header: \"provenance\" must be an object");
    const char *hx = wn__json_get_string(pv, "input_fingerprint", "");
    char *end;
    if (strlen(hx) != 16 || strspn(hx, "0123456789abcdef") != 16)
        return bad(L, "header: provenance: input_fingerprint must be 16 hex digits");
    m->input_hash = (uint64_t)strtoull(hx, &end, 16);
    if ((s = get_str(L, pv, "command_line", true, (size_t)1 << 20, &m->command_line)) != WN_OK ||
        (s = get_str(L, root, "created", false, 64, &m->created)) != WN_OK)
        return s;
    const uint8_t *bb;
    size_t blen;
    if ((s = section(L, c, "bins", 0, &bb, &blen)) != WN_OK)
        return s;
    if ((s = wn__binning_unpack(bb, blen, &m->bins)) != WN_OK)
        return wn__fail_prefix(s, "%s: section \"bins\"", L->name);
    if (m->bins->nfeat != m->nfeat)
        return bad(L, "section \"bins\" has %lld features, the header %lld",
                   (long long)m->bins->nfeat, (long long)m->nfeat);
    if ((s = read_folds(L, c, root)) != WN_OK)
        return s;
    size_t hl;
    const char *h = wn__container_header(c, &hl);
    if (!(m->header = wn__strndup(h, hl)))
        return wn__oom("model header");
    return WN_OK;
}

static wn_status load_container(const char *name, wn__container *c, wn_model **out)
{
    ld L = {name, wn__model_new(), NULL, NULL, NULL};
    wn_status s = WN_ENOMEM;
    L.seen_node = wn__malloc(WN_GBDT_MAX_LEAVES);
    L.seen_leaf = wn__malloc(WN_GBDT_MAX_LEAVES);
    L.stack = wn__malloc_array(WN_GBDT_MAX_LEAVES, sizeof(int32_t));
    if (!L.m || !L.seen_node || !L.seen_leaf || !L.stack)
        s = wn__oom("model");
    else
        s = load(&L, c);
    wn_free(L.seen_node);
    wn_free(L.seen_leaf);
    wn_free(L.stack);
    wn__container_free(c);
    if (s != WN_OK) {
        wn_model_free(L.m);
        return s;
    }
    *out = L.m;
    return WN_OK;
}

wn_status wn__model_load_mem(const char *name, const uint8_t *buf, size_t len, wn_model **out)
{
    if (!name || !out || (!buf && len))
        return wn__fail(WN_EINVAL, "model_load: NULL argument");
    wn__container *c = NULL;
    wn_status s = wn__container_load_mem(name, buf, len, &c);
    if (s != WN_OK)
        return s;
    return load_container(name, c, out);
}

wn_status wn_model_load(const char *path, wn_model **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "model_load: NULL argument");
    wn__container *c = NULL;
    wn_status s = wn__container_load(path, &c);
    if (s != WN_OK)
        return s;
    return load_container(path, c, out);
}
