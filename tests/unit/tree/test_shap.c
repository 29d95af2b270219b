/* test_shap.c — TreeSHAP and feature importance (src/tree/shap.c).
 *
 * Small hand-built trees (repeated features on a path, NaN defaults, zero
 * covers) are checked against the definition: Shapley values of
 *   v(S) = E[f(x) | x_S], computed by the cover-weighted recursion,
 * summed over all subsets S by brute force. Trained models (binary,
 * multiclass, 3-fold with and without the fold column) are checked by
 * properties: a row's values sum to its raw score, an unused feature gets
 * exactly 0, the bits do not depend on the thread count. Importance is
 * compared with direct sums over the nodes. Every allocation is failed in
 * turn to prove the error paths free what they took. */
#include "wn_test.h"

#include "core.h"
#include "tree/model.h"

#include <math.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 11);
}
static double urand(void)
{
    return (double)rnd() / 2097152.0 / 1024.0;
}

static const char *const FEAT[6] = {"a", "b", "c", "d", "e", "f"};

/* ---- hand-built models ---- */

/* Random subtree of L leaves over features 0..nf-1; counts consistent
 * (a node's count is its children's sum), some leaves with 0 rows. */
static int chain; /* grow: every left child a leaf (depth L - 1) */
static int32_t grow(wn__tree *t, int nf, int32_t *nn, int32_t *nl, int32_t L)
{
    if (L == 1) {
        int32_t k = (*nl)++;
        t->leaf_value[k] = urand() - 0.5;
        t->leaf_count[k] = rnd() % 8 == 0 ? 0 : 1 + (int64_t)(rnd() % 50);
        t->leaf_hess[k] = (double)t->leaf_count[k];
        return ~k;
    }
    int32_t id = (*nn)++;
    wn__node *n = t->nodes + id;
    n->feature = (int32_t)(rnd() % (uint32_t)nf);
    n->threshold = (float)((int)(rnd() % 3) - 1); /* -1, 0, 1: repeats split again */
    n->default_left = (uint8_t)(rnd() & 1);
    n->gain = (float)urand();
    int32_t l = chain ? 1 : 1 + (int32_t)(rnd() % (uint32_t)(L - 1));
    n->left = grow(t, nf, nn, nl, l);
    n->right = grow(t, nf, nn, nl, L - l);
    n->count = (n->left >= 0 ? t->nodes[n->left].count : t->leaf_count[~n->left]) +
               (n->right >= 0 ? t->nodes[n->right].count : t->leaf_count[~n->right]);
    n->hess = (double)n->count;
    return id;
}

/* A model with nf features (named a..), nout outputs, ntrees trees of up
 * to maxl leaves per fold; fold_by "id" when nfold > 1. */
static wn_model *hand_model(int nf, int nout, int nfold, int64_t ntrees, int32_t maxl)
{
    wn_model *m = wn__model_new();
    assert_non_null(m);
    m->objective = nout > 1 ? WN_OBJ_MULTICLASS : WN_OBJ_L2;
    m->nout = nout;
    m->num_class = nout > 1 ? nout : 0;
    m->nfeat = nf;
    m->feature_names = wn__calloc((size_t)nf, sizeof(char *));
    for (int i = 0; i < nf; i++)
        m->feature_names[i] = wn__strdup(FEAT[i]);
    m->label_name = wn__strdup("label");
    m->nfold = nfold;
    if (nfold > 1)
        m->fold_by = wn__strdup("id");
    m->folds = wn__calloc((size_t)nfold, sizeof(wn__fold));
    for (int f = 0; f < nfold; f++) {
        wn__fold *fd = m->folds + f;
        fd->ntrees = ntrees;
        fd->trees = wn__calloc((size_t)ntrees, sizeof(wn__tree *));
        for (int64_t k = 0; k < ntrees; k++) {
            int32_t L = k == 1 ? 1 : 2 + (int32_t)(rnd() % (uint32_t)(maxl - 1));
            WN_OK_OR_FAIL(wn__tree_alloc(L, &fd->trees[k]));
            int32_t nn = 0, nl = 0;
            grow(fd->trees[k], nf, &nn, &nl, L);
            if (L == 1) {
                fd->trees[k]->leaf_value[0] = 0.25;
                fd->trees[k]->leaf_count[0] = 7;
            }
        }
        fd->base_score = wn__calloc((size_t)nout, sizeof(double));
        for (int k = 0; k < nout; k++)
            fd->base_score[k] = urand() - 0.5;
    }
    return m;
}

/* Columns a.. (values -1.5 .. 1.5 and exact thresholds, 10% NaN), then id. */
static wn_table *hand_table(int nf, int64_t n)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float *v = malloc(sizeof(float) * (size_t)n);
    for (int c = 0; c < nf; c++) {
        for (int64_t i = 0; i < n; i++) {
            v[i] = (float)((int)(rnd() % 7) - 3) * 0.5f;
            if (rnd() % 10 == 0)
                v[i] = NAN;
        }
        WN_OK_OR_FAIL(wn_table_add_column(t, FEAT[c], v));
    }
    for (int64_t i = 0; i < n; i++)
        v[i] = (float)(i * 5 % n);
    WN_OK_OR_FAIL(wn_table_add_column(t, "id", v));
    free(v);
    return t;
}

/* ---- the brute-force reference ---- */

static double cov(const wn__tree *tr, int32_t c)
{
    return c >= 0 ? (double)tr->nodes[c].count : (double)tr->leaf_count[~c];
}

/* E[f(x) | x_S] of the subtree at c: S a bit mask of known features. */
static double cond_exp(const wn__tree *tr, int32_t c, const float *x, unsigned S)
{
    if (c < 0)
        return tr->leaf_value[~c];
    const wn__node *nd = tr->nodes + c;
    if (S >> nd->feature & 1u) {
        float v = x[nd->feature];
        int left = isnan(v) ? nd->default_left : v <= nd->threshold;
        return cond_exp(tr, left ? nd->left : nd->right, x, S);
    }
    double cl = cov(tr, nd->left), cr = cov(tr, nd->right);
    double wl = cl + cr > 0 ? cl / (cl + cr) : 0.5;
    return wl * cond_exp(tr, nd->left, x, S) + (1 - wl) * cond_exp(tr, nd->right, x, S);
}

/* Exact Shapley values of one tree (phi[nf] += v(empty set)). */
static void brute_tree(const wn__tree *tr, int nf, const float *x, double *phi)
{
    if (tr->nleaves == 1) {
        phi[nf] += tr->leaf_value[0];
        return;
    }
    double fact[8] = {1, 1, 2, 6, 24, 120, 720, 5040};
    double v[64];
    for (unsigned S = 0; S < 1u << nf; S++)
        v[S] = cond_exp(tr, 0, x, S);
    for (int i = 0; i < nf; i++)
        for (unsigned S = 0; S < 1u << nf; S++) {
            if (S >> i & 1u)
                continue;
            int s = __builtin_popcount(S);
            phi[i] += fact[s] * fact[nf - s - 1] / fact[nf] * (v[S | 1u << i] - v[S]);
        }
    phi[nf] += v[0];
}

/* Reference values of one fold for row x: out[k * (nf+1) + j]. */
static void brute_fold(const wn_model *m, int f, const float *x, double *out)
{
    const int nf = (int)m->nfeat;
    for (int i = 0; i < m->nout * (nf + 1); i++)
        out[i] = 0;
    for (int k = 0; k < m->nout; k++)
        out[k * (nf + 1) + nf] = m->folds[f].base_score[k];
    for (int64_t t = 0; t < m->folds[f].ntrees; t++)
        brute_tree(m->folds[f].trees[t], nf, x, out + (t % m->nout) * (nf + 1));
}

static void check_brute(int nf, int nout, int nfold, int route)
{
    const int64_t n = 40;
    wn_model *m = hand_model(nf, nout, nfold, 6, chain ? 3000 : 12);
    wn_table *t = hand_table(nf, n);
    const int nv = nout * (nf + 1);
    double *out = malloc(sizeof(double) * (size_t)(n * nv));
    double ref[64], tmp[64];
    if (!route && nfold > 1) { /* no id column: copy the features only */
        wn_table *u = NULL;
        WN_OK_OR_FAIL(wn_table_create(n, &u));
        for (int c = 0; c < nf; c++)
            WN_OK_OR_FAIL(wn_table_add_column(u, FEAT[c], wn_table_column(t, c)));
        WN_OK_OR_FAIL(wn_gbdt_shap(m, u, 1, out));
        wn_table_free(u);
    } else {
        WN_OK_OR_FAIL(wn_gbdt_shap(m, t, 1, out));
    }
    for (int64_t r = 0; r < n; r++) {
        float x[6];
        for (int c = 0; c < nf; c++)
            x[c] = wn_table_get(t, r, c);
        if (nfold == 1 || route) {
            int f = nfold == 1 ? 0 : (int)((int64_t)wn_table_get(t, r, nf) % nfold);
            brute_fold(m, f, x, ref);
        } else {
            for (int i = 0; i < nv; i++)
                ref[i] = 0;
            for (int f = 0; f < nfold; f++) {
                brute_fold(m, f, x, tmp);
                for (int i = 0; i < nv; i++)
                    ref[i] += tmp[i];
            }
            for (int i = 0; i < nv; i++)
                ref[i] /= nfold;
        }
        for (int i = 0; i < nv; i++)
            if (fabs(out[r * nv + i] - ref[i]) > 1e-12)
                fail_msg("nf %d nout %d nfold %d row %lld value %d: %.17g, brute force %.17g", nf,
                         nout, nfold, (long long)r, i, out[r * nv + i], ref[i]);
    }
    free(out);
    wn_table_free(t);
    wn_model_free(m);
}

static void test_brute_force(void **state)
{
    (void)state;
    for (int rep = 0; rep < 4; rep++)
        for (int nf = 1; nf <= 6; nf++)
            check_brute(nf, 1, 1, 0);
    check_brute(4, 3, 1, 0);
    check_brute(5, 2, 3, 1);
    check_brute(5, 1, 3, 0);
    chain = 1; /* 2..3000-leaf chains: deep paths, every feature repeated */
    check_brute(3, 1, 1, 0);
    chain = 0;
}

/* ---- trained models ---- */

/* wn_gbdt_shap's rows against wn_gbdt_predict RAW; returns the values. */
static double *check_sum(const wn_model *m, const wn_table *t, int threads)
{
    const int64_t n = wn_table_nrows(t), nf = wn_model_num_features(m);
    const int nout = wn_model_num_outputs(m);
    const int64_t nv = nout * (nf + 1);
    double *out = malloc(sizeof(double) * (size_t)(n * nv));
    double *raw = malloc(sizeof(double) * (size_t)(n * nout));
    WN_OK_OR_FAIL(wn_gbdt_shap(m, t, threads, out));
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_RAW, threads, raw));
    for (int64_t r = 0; r < n; r++)
        for (int k = 0; k < nout; k++) {
            double s = 0;
            for (int64_t j = 0; j <= nf; j++)
                s += out[r * nv + k * (nf + 1) + j];
            double want = raw[r * nout + k];
            if (fabs(s - want) > 1e-9 * (1 + fabs(want)))
                fail_msg("row %lld output %d: SHAP sum %.17g, raw score %.17g", (long long)r, k, s,
                         want);
        }
    free(raw);
    return out;
}

/* Higgs-like rows plus "unused" (a constant: never split on) and NaN in
 * 15% of two features, so default directions are learned and used. */
static wn_table *higgs(int64_t rows)
{
    wn_sim_params sp;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &sp);
    sp.rows = rows;
    sp.seed = 7;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_HIGGS_LIKE, &sp, &t, NULL));
    float *v = malloc(sizeof(float) * (size_t)rows);
    for (int64_t i = 0; i < rows; i++)
        v[i] = 3.0f;
    WN_OK_OR_FAIL(wn_table_add_column(t, "unused", v));
    /* NaN copies of the first two features replace them */
    int done = 0;
    char name[64];
    for (int64_t c = 0; c < wn_table_ncols(t) && done < 2; c++) {
        if (wn_table_role(t, c) != WN_ROLE_FEATURE)
            continue;
        for (int64_t i = 0; i < rows; i++)
            v[i] = rnd() % 100 < 15 ? NAN : wn_table_get(t, i, c);
        snprintf(name, sizeof name, "nan_%s", wn_table_name(t, c));
        WN_OK_OR_FAIL(wn_table_add_column(t, name, v));
        WN_OK_OR_FAIL(wn_table_set_role(t, c, WN_ROLE_IGNORED));
        done++;
    }
    free(v);
    return t;
}

static int64_t feature_index(const wn_model *m, const char *name)
{
    for (int64_t j = 0; j < wn_model_num_features(m); j++)
        if (!strcmp(wn_model_feature_name(m, j), name))
            return j;
    fail_msg("model lacks feature %s", name);
    return -1;
}

static void check_importance(const wn_model *m)
{
    const int64_t nf = m->nfeat;
    double *imp[3], *ref[3];
    for (int k = 0; k < 3; k++) {
        imp[k] = malloc(sizeof(double) * (size_t)nf);
        ref[k] = calloc((size_t)nf, sizeof(double));
        WN_OK_OR_FAIL(wn_gbdt_importance(m, (wn_importance_kind)k, imp[k]));
    }
    for (int f = 0; f < m->nfold; f++)
        for (int64_t t = 0; t < m->folds[f].ntrees; t++) {
            const wn__tree *tr = m->folds[f].trees[t];
            for (int32_t i = 0; i < tr->nleaves - 1; i++) {
                ref[WN_IMPORTANCE_GAIN][tr->nodes[i].feature] += (double)tr->nodes[i].gain;
                ref[WN_IMPORTANCE_SPLITS][tr->nodes[i].feature] += 1;
                ref[WN_IMPORTANCE_COVER][tr->nodes[i].feature] += (double)tr->nodes[i].count;
            }
        }
    double total = 0;
    for (int k = 0; k < 3; k++)
        for (int64_t j = 0; j < nf; j++) {
            assert_true(fabs(imp[k][j] - ref[k][j]) <= 1e-9 * (1 + fabs(ref[k][j])));
            total += imp[WN_IMPORTANCE_SPLITS][j];
        }
    assert_true(total > 0);
    for (int k = 0; k < 3; k++) {
        free(imp[k]);
        free(ref[k]);
    }
}

static void test_trained_binary(void **state)
{
    (void)state;
    wn_table *t = higgs(5000);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 20;
    p.num_leaves = 31;
    p.threads = 2;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    const int64_t n = wn_table_nrows(t), nf = wn_model_num_features(m), nv = nf + 1;
    double *a = check_sum(m, t, 1);
    double *b = check_sum(m, t, 2);
    assert_memory_equal(a, b, sizeof(double) * (size_t)(n * nv));

    /* the constant feature: never split on, importance 0, SHAP exactly 0 */
    const int64_t u = feature_index(m, "unused");
    double *imp = malloc(sizeof(double) * (size_t)nf);
    for (int k = 0; k < 3; k++) {
        WN_OK_OR_FAIL(wn_gbdt_importance(m, (wn_importance_kind)k, imp));
        assert_true(imp[u] == 0.0);
    }
    for (int64_t r = 0; r < n; r++)
        assert_true(a[r * nv + u] == 0.0);
    check_importance(m);

    /* expected value: base score + cover-weighted mean leaf values */
    double ev = m->folds[0].base_score[0];
    for (int64_t k = 0; k < m->folds[0].ntrees; k++) {
        const wn__tree *tr = m->folds[0].trees[k];
        double s = 0, c = 0;
        for (int32_t l = 0; l < tr->nleaves; l++) {
            s += tr->leaf_value[l] * (double)tr->leaf_count[l];
            c += (double)tr->leaf_count[l];
        }
        ev += s / c;
    }
    assert_true(fabs(a[nf] - ev) < 1e-9);

    /* a view with every 3rd row in reverse order: the same rows' values */
    int64_t nr = n / 3, *rows = malloc(sizeof(int64_t) * (size_t)nr);
    for (int64_t i = 0; i < nr; i++)
        rows[i] = n - 1 - 3 * i;
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, nr, &v));
    double *c = check_sum(m, v, 2);
    for (int64_t i = 0; i < nr; i++)
        assert_memory_equal(c + i * nv, a + rows[i] * nv, sizeof(double) * (size_t)nv);
    free(c);
    wn_table_free(v);
    free(rows);
    free(imp);
    free(a);
    free(b);
    wn_model_free(m);
    wn_table_free(t);
}

static void test_trained_multiclass(void **state)
{
    (void)state;
    wn_table *t = higgs(3000);
    int64_t n = wn_table_nrows(t), lc = wn_table_role_column(t, WN_ROLE_LABEL);
    float *y3 = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        y3[i] = wn_table_get(t, i, lc) + (float)(i % 3 == 0);
    WN_OK_OR_FAIL(wn_table_add_column(t, "y3", y3));
    free(y3);
    WN_OK_OR_FAIL(wn_table_set_role(t, lc, WN_ROLE_IGNORED));
    WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 1, WN_ROLE_LABEL));
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.objective = WN_OBJ_MULTICLASS;
    p.rounds = 8;
    p.num_leaves = 15;
    p.threads = 2;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    assert_int_equal(wn_model_num_outputs(m), 3);
    double *a = check_sum(m, t, 2);
    check_importance(m);
    free(a);
    wn_model_free(m);
    wn_table_free(t);
}

/* The model's features of t, copied into a table without the fold column. */
static wn_table *features_only(const wn_model *m, const wn_table *t)
{
    const int64_t n = wn_table_nrows(t);
    wn_table *u = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &u));
    float *v = malloc(sizeof(float) * (size_t)n);
    for (int64_t j = 0; j < wn_model_num_features(m); j++) {
        int64_t c;
        WN_OK_OR_FAIL(wn_table_find(t, wn_model_feature_name(m, j), &c));
        for (int64_t i = 0; i < n; i++)
            v[i] = wn_table_get(t, i, c);
        WN_OK_OR_FAIL(wn_table_add_column(u, wn_model_feature_name(m, j), v));
    }
    free(v);
    return u;
}

static void test_trained_kfold(void **state)
{
    (void)state;
    wn_table *t = higgs(4000);
    float *id = malloc(sizeof(float) * 4000);
    for (int64_t i = 0; i < 4000; i++)
        id[i] = (float)((i * 7919) % 4000);
    WN_OK_OR_FAIL(wn_table_add_column(t, "event", id));
    WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 1, WN_ROLE_ID));
    free(id);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 10;
    p.num_leaves = 15;
    p.folds = 3;
    p.fold_by = "event";
    p.threads = 2;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    assert_int_equal(wn_model_num_folds(m), 3);
    const int64_t n = wn_table_nrows(t), nv = wn_model_num_features(m) + 1;
    double *a = check_sum(m, t, 2); /* routed by event */
    wn_table *u = features_only(m, t);
    double *b = check_sum(m, u, 2); /* mean of the folds */
    double *c = check_sum(m, u, 1);
    assert_memory_equal(b, c, sizeof(double) * (size_t)(n * nv));
    int differ = 0;
    for (int64_t i = 0; i < n * nv; i++)
        differ += a[i] != b[i];
    assert_true(differ > 0);
    check_importance(m);
    free(a);
    free(b);
    free(c);
    wn_table_free(u);
    wn_model_free(m);
    wn_table_free(t);
}

/* Hand-built: unused feature exactly 0, sum property with NaNs, threads. */
static void test_hand_properties(void **state)
{
    (void)state;
    wn_model *m = hand_model(4, 2, 1, 30, 40);
    /* feature d (3) is never split on */
    for (int64_t k = 0; k < m->folds[0].ntrees; k++) {
        wn__tree *tr = m->folds[0].trees[k];
        for (int32_t i = 0; i < tr->nleaves - 1; i++)
            if (tr->nodes[i].feature == 3)
                tr->nodes[i].feature = 1;
    }
    wn_table *t = hand_table(4, 3000);
    double *a = check_sum(m, t, 1);
    double *b = check_sum(m, t, 2);
    assert_memory_equal(a, b, sizeof(double) * 3000 * 10);
    for (int64_t r = 0; r < 3000; r++)
        for (int k = 0; k < 2; k++)
            assert_true(a[r * 10 + k * 5 + 3] == 0.0);
    double imp[4];
    WN_OK_OR_FAIL(wn_gbdt_importance(m, WN_IMPORTANCE_COVER, imp));
    assert_true(imp[3] == 0.0);
    check_importance(m);
    free(a);
    free(b);
    wn_table_free(t);
    wn_model_free(m);
}

static void test_errors(void **state)
{
    (void)state;
    wn_model *m = hand_model(3, 1, 3, 4, 6);
    wn_table *t = hand_table(3, 10);
    double out[40], imp[3];
    WN_EXPECT_ERR(wn_gbdt_shap(NULL, t, 1, out), WN_EINVAL, "model");
    WN_EXPECT_ERR(wn_gbdt_shap(m, NULL, 1, out), WN_EINVAL, "table");
    WN_EXPECT_ERR(wn_gbdt_shap(m, t, 1, NULL), WN_EINVAL, "out");
    WN_EXPECT_ERR(wn_gbdt_importance(NULL, WN_IMPORTANCE_GAIN, imp), WN_EINVAL, "model");
    WN_EXPECT_ERR(wn_gbdt_importance(m, WN_IMPORTANCE_GAIN, NULL), WN_EINVAL, "out");
    WN_EXPECT_ERR(wn_gbdt_importance(m, (wn_importance_kind)7, imp), WN_EINVAL, "kind");
    wn_table *u = NULL;
    WN_OK_OR_FAIL(wn_table_create(10, &u));
    WN_OK_OR_FAIL(wn_table_add_column(u, "b", wn_table_column(t, 1)));
    WN_EXPECT_ERR(wn_gbdt_shap(m, u, 1, out), WN_ENOTFOUND, "\"a\", \"c\"");
    wn_table_free(u);
    /* a bad fold id, as predict refuses it */
    float id[10] = {0, 1, 2, 3, 4, 5, 6, -1, 8, 9};
    WN_OK_OR_FAIL(wn_table_create(10, &u));
    for (int c = 0; c < 3; c++)
        WN_OK_OR_FAIL(wn_table_add_column(u, FEAT[c], wn_table_column(t, c)));
    WN_OK_OR_FAIL(wn_table_add_column(u, "id", id));
    WN_EXPECT_ERR(wn_gbdt_shap(m, u, 1, out), WN_EINVAL, "row 8");
    wn_table_free(u);
    /* zero rows */
    WN_OK_OR_FAIL(wn_table_create(0, &u));
    for (int c = 0; c < 3; c++)
        WN_OK_OR_FAIL(wn_table_add_column(u, FEAT[c], id));
    WN_OK_OR_FAIL(wn_gbdt_shap(m, u, 1, out));
    wn_table_free(u);
    wn_table_free(t);
    wn_model_free(m);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    wn_model *m = hand_model(4, 2, 3, 6, 20);
    wn_table *t = hand_table(4, 200);
    wn_table *u = features_only(m, t);
    double *ref = malloc(sizeof(double) * 200 * 10), *out = malloc(sizeof(double) * 200 * 10);
    for (int which = 0; which < 2; which++) {
        const wn_table *x = which ? u : t;
        WN_OK_OR_FAIL(wn_gbdt_shap(m, x, 2, ref));
        int ok = 0;
        for (int64_t f = 1; f < 100 && !ok; f++) {
            wn__alloc_fail_at(f);
            wn_status s = wn_gbdt_shap(m, x, 2, out);
            wn__alloc_fail_at(0);
            if (s == WN_OK) {
                ok = 1;
                assert_memory_equal(out, ref, sizeof(double) * 200 * 10);
            } else if (s != WN_ENOMEM) {
                fail_msg("fail at %lld: %s: %s", (long long)f, wn_status_name(s), wn_errmsg());
            }
        }
        assert_true(ok);
    }
    free(ref);
    free(out);
    wn_table_free(u);
    wn_table_free(t);
    wn_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brute_force),    cmocka_unit_test(test_hand_properties),
        cmocka_unit_test(test_trained_binary), cmocka_unit_test(test_trained_multiclass),
        cmocka_unit_test(test_trained_kfold),  cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
