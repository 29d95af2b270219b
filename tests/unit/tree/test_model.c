/* test_model.c — the GBDT model file and prediction (src/tree/model.c,
 * model_load.c, predict.c).
 *
 * Models are built by hand (random trees over a real binning, a one-leaf
 * tree, a 199-deep chain, multiclass, 3 folds), and the fast predictor is
 * compared with the obvious recursive walk written here. Files are checked
 * to round-trip bit for bit, and a corrupted or inconsistent file (re-saved
 * through the container layer, so the checksums are right) must be refused
 * with a message naming the file. */
#include "wn_test.h"

#include "core.h"
#include "io/container.h"
#include "tree/model.h"

#include <math.h>

static uint64_t rng_state = 88172645463325252ull;
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

static const char *const FEAT[3] = {"a", "b", "c"};

/* Columns a, b, c (with NaN), id (0..n-1 shuffled a little), x (unused). */
static wn_table *make_table(int64_t n)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float *v = malloc(sizeof(float) * (size_t)(n ? n : 1));
    for (int c = 0; c < 3; c++) {
        for (int64_t i = 0; i < n; i++) {
            v[i] = (float)(urand() * 10 - 5);
            if (c == 1)
                v[i] = (float)(int)(urand() * 6); /* few distinct values */
            if (rnd() % 10 == 0)
                v[i] = NAN;
        }
        WN_OK_OR_FAIL(wn_table_add_column(t, FEAT[c], v));
    }
    for (int64_t i = 0; i < n; i++)
        v[i] = (float)((i * 7) % (n ? n : 1));
    WN_OK_OR_FAIL(wn_table_add_column(t, "id", v));
    free(v);
    return t;
}

/* Random tree: nodes numbered in pre-order, so node 0 is the root. chain:
 * every left child a leaf (depth nleaves-1). */
static int32_t grow(wn__tree *t, const wn__binning *b, int32_t *nn, int32_t *nl, int32_t L,
                    int chain)
{
    if (L == 1) {
        int32_t k = (*nl)++;
        t->leaf_value[k] = urand() - 0.5;
        t->leaf_hess[k] = 1 + k;
        t->leaf_count[k] = 10 + k;
        return ~k;
    }
    int32_t id = (*nn)++;
    wn__node *n = t->nodes + id;
    n->feature = (int32_t)(rnd() % 3);
    int nb = b->nbins[n->feature];
    n->bin = (uint8_t)(nb > 2 ? rnd() % (unsigned)(nb - 1) : 0);
    n->threshold = b->cuts[n->feature][n->bin]; /* +inf past the real cuts */
    n->default_left = (uint8_t)(rnd() & 1);
    n->gain = (float)urand();
    n->hess = urand() * 100;
    n->count = 100 + id;
    int32_t l = chain ? 1 : 1 + (int32_t)(rnd() % (uint32_t)(L - 1));
    n->left = grow(t, b, nn, nl, l, chain);
    n->right = grow(t, b, nn, nl, L - l, chain);
    return id;
}

static wn__tree *make_tree(const wn__binning *b, int32_t L, int chain)
{
    wn__tree *t = NULL;
    WN_OK_OR_FAIL(wn__tree_alloc(L, &t));
    int32_t nn = 0, nl = 0;
    grow(t, b, &nn, &nl, L, chain);
    assert_int_equal(nn, L - 1);
    assert_int_equal(nl, L);
    return t;
}

/* A model over a, b, c: rounds rounds per fold; tree 0 of each fold has 12
 * leaves, tree 1 is a constant, tree 2 a 200-leaf chain, the rest random. */
static wn_model *make_model(const wn_table *t, wn_objective obj, int nclass, int nfold,
                            int64_t rounds)
{
    wn_model *m = wn__model_new();
    assert_non_null(m);
    m->objective = obj;
    m->num_class = obj == WN_OBJ_BINARY ? 2 : obj == WN_OBJ_MULTICLASS ? nclass : 0;
    m->nout = obj == WN_OBJ_MULTICLASS ? nclass : 1;
    m->nfeat = 3;
    m->feature_names = wn__calloc(3, sizeof(char *));
    for (int i = 0; i < 3; i++)
        m->feature_names[i] = wn__strdup(FEAT[i]);
    m->label_name = wn__strdup("label");
    m->metric = obj == WN_OBJ_BINARY       ? WN_METRIC_AUC
                : obj == WN_OBJ_MULTICLASS ? WN_METRIC_MLOGLOSS
                                           : WN_METRIC_RMSE;
    int64_t cols[3] = {0, 1, 2};
    WN_OK_OR_FAIL(wn__binning_fit(t, cols, 3, 16, 0, 1, 1, &m->bins));
    m->params.objective = obj;
    m->params.rounds = rounds;
    m->params.learning_rate = 0.1;
    m->params.num_leaves = 31;
    m->params.seed = 42;
    m->params.folds = nfold;
    m->nfold = nfold;
    if (nfold > 1)
        m->fold_by = wn__strdup("id");
    m->folds = wn__calloc((size_t)nfold, sizeof(wn__fold));
    for (int f = 0; f < nfold; f++) {
        wn__fold *fd = m->folds + f;
        fd->ntrees = rounds * m->nout;
        fd->rounds_trained = rounds + 2;
        fd->best_round = rounds - 1;
        fd->trees = wn__calloc((size_t)fd->ntrees, sizeof(wn__tree *));
        for (int64_t k = 0; k < fd->ntrees; k++)
            fd->trees[k] = make_tree(m->bins,
                                     k == 0   ? 12
                                     : k == 1 ? 1
                                     : k == 2 ? 200
                                              : 2 + (int32_t)(rnd() % 30),
                                     k == 2);
        fd->base_score = wn__calloc((size_t)m->nout, sizeof(double));
        for (int k = 0; k < m->nout; k++)
            fd->base_score[k] = urand() - 0.5;
        fd->hist_train = wn__calloc((size_t)fd->rounds_trained, sizeof(double));
        fd->hist_valid = wn__calloc((size_t)fd->rounds_trained, sizeof(double));
        for (int64_t k = 0; k < fd->rounds_trained; k++) {
            fd->hist_train[k] = k % 10 ? (double)NAN : urand();
            fd->hist_valid[k] = urand();
        }
    }
    m->input_hash = wn__table_fingerprint(t);
    m->command_line = wn__strdup("winnow train --test");
    return m;
}

/* ---- the slow reference ---- */

static double ref_tree(const wn__tree *tr, const float *x)
{
    if (tr->nleaves == 1)
        return tr->leaf_value[0];
    int32_t n = 0;
    for (;;) {
        const wn__node *nd = tr->nodes + n;
        float v = x[nd->feature];
        int left = isnan(v) ? nd->default_left : v <= nd->threshold;
        int32_t c = left ? nd->left : nd->right;
        if (c < 0)
            return tr->leaf_value[~c];
        n = c;
    }
}

static void ref_fold(const wn_model *m, int f, const float *x, double *raw)
{
    const wn__fold *fd = m->folds + f;
    for (int k = 0; k < m->nout; k++)
        raw[k] = fd->base_score[k];
    for (int64_t t = 0; t < fd->ntrees; t++)
        raw[t % m->nout] += ref_tree(fd->trees[t], x);
}

/* Reference prediction of logical row r; route: use the id column. */
static void ref_predict(const wn_model *m, const wn_table *t, int64_t r, int route,
                        wn_predict_kind kind, double *out)
{
    float x[3];
    for (int c = 0; c < 3; c++)
        x[c] = wn_table_get(t, r, c);
    double raw[8], tmp[8];
    if (m->nfold == 1) {
        ref_fold(m, 0, x, raw);
    } else if (route) {
        ref_fold(m, (int)((int64_t)wn_table_get(t, r, 3) % m->nfold), x, raw);
    } else {
        for (int k = 0; k < m->nout; k++)
            raw[k] = 0;
        for (int f = 0; f < m->nfold; f++) {
            ref_fold(m, f, x, tmp);
            for (int k = 0; k < m->nout; k++)
                raw[k] += tmp[k];
        }
        for (int k = 0; k < m->nout; k++)
            raw[k] /= m->nfold;
    }
    if (kind == WN_PREDICT_VALUE && m->objective == WN_OBJ_BINARY)
        raw[0] = 1 / (1 + exp(-raw[0]));
    if (kind == WN_PREDICT_VALUE && m->objective == WN_OBJ_MULTICLASS) {
        double mx = raw[0], s = 0;
        for (int k = 1; k < m->nout; k++)
            mx = raw[k] > mx ? raw[k] : mx;
        for (int k = 0; k < m->nout; k++)
            s += (raw[k] = exp(raw[k] - mx));
        for (int k = 0; k < m->nout; k++)
            raw[k] /= s;
    }
    memcpy(out, raw, sizeof(double) * (size_t)m->nout);
}

static void check_against_ref(const wn_model *m, const wn_table *t, int route)
{
    int64_t n = wn_table_nrows(t);
    int K = m->nout;
    double *p = malloc(sizeof(double) * (size_t)(n * K + 1));
    double want[8];
    for (int kind = 0; kind < 2; kind++) {
        WN_OK_OR_FAIL(wn_gbdt_predict(m, t, (wn_predict_kind)kind, 0, p));
        for (int64_t r = 0; r < n; r++) {
            ref_predict(m, t, r, route, (wn_predict_kind)kind, want);
            for (int k = 0; k < K; k++) {
                if (kind == WN_PREDICT_RAW && m->nfold == 1 && p[r * K + k] != want[k])
                    fail_msg("row %lld output %d: %.17g != %.17g", (long long)r, k, p[r * K + k],
                             want[k]);
                if (fabs(p[r * K + k] - want[k]) > 1e-12 * (1 + fabs(want[k])))
                    fail_msg("row %lld output %d kind %d: %.17g vs %.17g", (long long)r, k, kind,
                             p[r * K + k], want[k]);
            }
        }
    }
    free(p);
}

/* Sets some values exactly on thresholds, so "x == threshold goes left" is
 * exercised. */
static void put_on_thresholds(wn_table *t, const wn_model *m)
{
    const wn__tree *tr = m->folds[0].trees[0];
    for (int32_t k = 0; k < tr->nleaves - 1 && k < 50; k++) {
        const wn__node *nd = tr->nodes + k;
        if (isfinite(nd->threshold))
            wn_table_column_mut(t, nd->feature)[k] = nd->threshold;
    }
}

static void test_predict_binary(void **state)
{
    (void)state;
    wn_table *t = make_table(1000);
    wn_model *m = make_model(t, WN_OBJ_BINARY, 2, 1, 20);
    put_on_thresholds(t, m);
    check_against_ref(m, t, 0);
    /* a view: rows reversed with repeats */
    int64_t rows[500];
    for (int i = 0; i < 500; i++)
        rows[i] = (999 - 2 * i + 1000) % 1000;
    rows[7] = rows[8];
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 500, &v));
    check_against_ref(m, v, 0);
    wn_table_free(v);
    wn_model_free(m);
    wn_table_free(t);
}

static void test_predict_multiclass_regression(void **state)
{
    (void)state;
    wn_table *t = make_table(700);
    wn_model *m = make_model(t, WN_OBJ_MULTICLASS, 3, 1, 7);
    check_against_ref(m, t, 0);
    double *p = malloc(sizeof(double) * 700 * 3);
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 1, p));
    for (int r = 0; r < 700; r++)
        assert_true(fabs(p[3 * r] + p[3 * r + 1] + p[3 * r + 2] - 1) < 1e-12);
    free(p);
    wn_model_free(m);
    m = make_model(t, WN_OBJ_L2, 0, 1, 5);
    check_against_ref(m, t, 0);
    wn_model_free(m);
    wn_table_free(t);
}

static void test_predict_folds(void **state)
{
    (void)state;
    wn_table *t = make_table(900);
    wn_model *m = make_model(t, WN_OBJ_BINARY, 2, 3, 6);
    assert_int_equal(wn_model_num_folds(m), 3);
    assert_string_equal(wn_model_fold_by(m), "id");
    check_against_ref(m, t, 1); /* routed by id */
    /* without the id column: the mean of the folds */
    int64_t cols[3] = {0, 1, 2};
    wn_table *u = NULL;
    WN_OK_OR_FAIL(wn_table_create(900, &u));
    float *buf = malloc(sizeof(float) * 900);
    for (int c = 0; c < 3; c++) {
        wn_table_gather(t, cols[c], buf);
        WN_OK_OR_FAIL(wn_table_add_column(u, FEAT[c], buf));
    }
    check_against_ref(m, u, 0);
    /* a bad id names the row and the value */
    wn_table_column_mut(t, 3)[41] = 2.5f;
    double *p = malloc(sizeof(double) * 900);
    WN_EXPECT_ERR(wn_gbdt_predict(m, t, WN_PREDICT_RAW, 0, p), WN_EINVAL, "row 42");
    WN_EXPECT_ERR(wn_gbdt_predict(m, t, WN_PREDICT_RAW, 0, p), WN_EINVAL, "2.5");
    wn_table_column_mut(t, 3)[41] = -1.0f;
    WN_EXPECT_ERR(wn_gbdt_predict(m, t, WN_PREDICT_RAW, 0, p), WN_EINVAL, "-1");
    free(p);
    free(buf);
    wn_table_free(u);
    wn_model_free(m);
    wn_table_free(t);
}

static void test_missing_columns_and_args(void **state)
{
    (void)state;
    wn_table *t = make_table(10), *u = NULL;
    wn_model *m = make_model(t, WN_OBJ_BINARY, 2, 1, 3);
    WN_OK_OR_FAIL(wn_table_create(10, &u));
    WN_OK_OR_FAIL(wn_table_add_column(u, "b", NULL));
    double p[10];
    WN_EXPECT_ERR(wn_gbdt_predict(m, u, WN_PREDICT_VALUE, 0, p), WN_ENOTFOUND, "\"a\", \"c\"");
    WN_EXPECT_ERR(wn_gbdt_predict(m, u, WN_PREDICT_VALUE, 0, p), WN_ENOTFOUND, "2 model features");
    WN_EXPECT_ERR(wn_gbdt_predict(NULL, t, WN_PREDICT_VALUE, 0, p), WN_EINVAL, "model");
    WN_EXPECT_ERR(wn_gbdt_predict(m, t, (wn_predict_kind)7, 0, p), WN_EINVAL, "kind");
    /* zero rows */
    wn_table *z = make_table(0);
    WN_OK_OR_FAIL(wn_gbdt_predict(m, z, WN_PREDICT_VALUE, 0, p));
    wn_table_free(z);
    wn_table_free(u);
    wn_model_free(m);
    wn_table_free(t);
}

static void test_threads(void **state)
{
    (void)state;
    wn_table *t = make_table(10000);
    wn_model *m = make_model(t, WN_OBJ_MULTICLASS, 3, 1, 10);
    double *p1 = malloc(sizeof(double) * 30000), *p2 = malloc(sizeof(double) * 30000);
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 1, p1));
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 2, p2));
    assert_memory_equal(p1, p2, sizeof(double) * 30000);
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 5, p2));
    assert_memory_equal(p1, p2, sizeof(double) * 30000);
    free(p1);
    free(p2);
    wn_model_free(m);
    wn_table_free(t);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static char *tmp_path(const char *name)
{
    static char p[8][300];
    static int k;
    char *q = p[k++ & 7];
    snprintf(q, 300, "%s/wn_model_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid(), name);
    return q;
}

static void test_save_load(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = make_table(2000);
    wn_model *m = make_model(t, WN_OBJ_MULTICLASS, 3, 3, 4);
    m->class_weight = wn__malloc(3 * sizeof(double));
    m->class_weight[0] = 1, m->class_weight[1] = 2.5, m->class_weight[2] = 0.1;
    m->params.n_class_weight = 3;
    m->monotone = wn__calloc(3, 1);
    m->monotone[1] = -1;
    m->params.n_monotone = 3;
    m->params.seed = UINT64_MAX - 3;
    m->folds[1].hist_valid[0] = (double)NAN;
    m->folds[2].hist_valid = (wn_free(m->folds[2].hist_valid), NULL);
    WN_OK_OR_FAIL(wn__model_build_header(m));
    assert_string_equal(m->created, "2023-11-14T22:13:20Z");
    const char *p1 = tmp_path("a.wnm"), *p2 = tmp_path("b.wnm");
    WN_OK_OR_FAIL(wn_model_save(m, p1));
    wn_model *l = NULL;
    WN_OK_OR_FAIL(wn_model_load(p1, &l));
    /* accessors */
    assert_string_equal(wn_model_kind(l), "gbdt");
    assert_int_equal(wn_model_objective(l), WN_OBJ_MULTICLASS);
    assert_int_equal(wn_model_num_outputs(l), 3);
    assert_int_equal(wn_model_num_features(l), 3);
    assert_string_equal(wn_model_feature_name(l, 2), "c");
    assert_null(wn_model_feature_name(l, 3));
    assert_string_equal(wn_model_label_name(l), "label");
    assert_int_equal(wn_model_num_folds(l), 3);
    assert_string_equal(wn_model_fold_by(l), "id");
    assert_int_equal(wn_model_num_rounds(l, 1), 4);
    assert_int_equal(wn_model_num_rounds(l, 3), 0);
    assert_string_equal(wn_model_header(l), wn_model_header(m));
    assert_true(l->params.seed == UINT64_MAX - 3);
    assert_true(l->input_hash == m->input_hash);
    assert_true(l->class_weight[1] == 2.5 && l->monotone[1] == -1);
    wn_metric met;
    const double *tr, *va;
    int64_t nh;
    WN_OK_OR_FAIL(wn_model_history(l, 1, &met, &tr, &va, &nh));
    assert_int_equal(met, WN_METRIC_MLOGLOSS);
    assert_int_equal(nh, 6);
    assert_true(isnan(tr[1]) && tr[0] == m->folds[1].hist_train[0]);
    assert_true(isnan(va[0]) && va[1] == m->folds[1].hist_valid[1]);
    WN_OK_OR_FAIL(wn_model_history(l, 2, NULL, NULL, &va, NULL));
    assert_null(va);
    WN_EXPECT_ERR(wn_model_history(l, 3, NULL, NULL, NULL, NULL), WN_EINVAL, "fold");
    /* predictions identical, also routed */
    double *a = malloc(sizeof(double) * 6000), *b = malloc(sizeof(double) * 6000);
    for (int kind = 0; kind < 2; kind++) {
        WN_OK_OR_FAIL(wn_gbdt_predict(m, t, (wn_predict_kind)kind, 0, a));
        WN_OK_OR_FAIL(wn_gbdt_predict(l, t, (wn_predict_kind)kind, 0, b));
        assert_memory_equal(a, b, sizeof(double) * 6000);
    }
    /* saved again: the same bytes; and a model without a header too */
    WN_OK_OR_FAIL(wn_model_save(l, p2));
    size_t n1, n2;
    uint8_t *f1 = slurp(p1, &n1), *f2 = slurp(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(f1, f2, n1);
    free(f2);
    wn_free(m->header);
    m->header = NULL;
    WN_OK_OR_FAIL(wn_model_save(m, p2));
    f2 = slurp(p2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(f1, f2, n1);
    /* from memory */
    wn_model *l2 = NULL;
    WN_OK_OR_FAIL(wn__model_load_mem("mem.wnm", f1, n1, &l2));
    WN_OK_OR_FAIL(wn_gbdt_predict(l2, t, WN_PREDICT_RAW, 0, b));
    assert_memory_equal(a, b, sizeof(double) * 6000);
    free(f1);
    free(f2);
    free(a);
    free(b);
    wn_model_free(l2);
    wn_model_free(l);
    wn_model_free(m);
    wn_table_free(t);
    unlink(p1);
    unlink(p2);
}

/* ---- corrupt files ---- */

typedef struct secs4 {
    char *header;
    uint8_t *d[4];
    size_t n[4];
} secs4;

static const char *const SEC[4] = {"bins", "trees", "nodes", "leaves"};

static void split_file(const char *path, secs4 *s)
{
    wn__container *c = NULL;
    WN_OK_OR_FAIL(wn__container_load(path, &c));
    s->header = strdup(wn__container_header(c, NULL));
    for (int k = 0; k < 4; k++) {
        const void *p;
        WN_OK_OR_FAIL(wn__container_section(c, SEC[k], &p, &s->n[k]));
        s->d[k] = malloc(s->n[k] + 1);
        memcpy(s->d[k], p, s->n[k]);
    }
    wn__container_free(c);
}

/* Re-saves s (checksums right) and expects the load to fail with `needle`. */
static void expect_bad(const secs4 *s, int nsec, const char *needle)
{
    const char *q = tmp_path("bad.wnm");
    wn__section secs[4];
    for (int k = 0; k < 4; k++)
        secs[k] = (wn__section){SEC[k], s->d[k], s->n[k]};
    WN_OK_OR_FAIL(wn__container_save(q, s->header, secs, nsec));
    wn_model *m = NULL;
    wn_status st = wn_model_load(q, &m);
    if (st != WN_EFORMAT || strncmp(wn_errmsg(), q, strlen(q)) != 0 ||
        !strstr(wn_errmsg(), needle) || strchr(wn_errmsg(), '\n'))
        fail_msg("want EFORMAT with '%s', got %s: %s", needle, wn_status_name(st), wn_errmsg());
    assert_null(m);
    unlink(q);
}

static void free_secs(secs4 *s)
{
    free(s->header);
    for (int k = 0; k < 4; k++)
        free(s->d[k]);
}

/* Replaces the first `from` in the header by `to`. */
static void hedit(secs4 *s, const char *from, const char *to)
{
    char *p = strstr(s->header, from);
    assert_non_null(p);
    size_t a = (size_t)(p - s->header), lf = strlen(from), lt = strlen(to);
    char *h = malloc(strlen(s->header) - lf + lt + 1);
    memcpy(h, s->header, a);
    strcpy(h + a, to);
    strcat(h, p + lf);
    free(s->header);
    s->header = h;
}

static void test_corrupt(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = make_table(300);
    wn_model *m = make_model(t, WN_OBJ_BINARY, 2, 1, 4);
    const char *p = tmp_path("good.wnm");
    WN_OK_OR_FAIL(wn_model_save(m, p));
    size_t n;
    uint8_t *b = slurp(p, &n);
    wn_model *l = NULL;
    /* truncated, flipped byte */
    WN_EXPECT_ERR(wn__model_load_mem("m.wnm", b, n - 5, &l), WN_EFORMAT, "m.wnm: ");
    WN_EXPECT_ERR(wn__model_load_mem("m.wnm", b, n / 2, &l), WN_EFORMAT, "truncated");
    for (size_t k = 0; k < n; k += 97) {
        b[k] ^= 0x20;
        wn_status s = wn__model_load_mem("m.wnm", b, n, &l);
        b[k] ^= 0x20;
        assert_int_equal(s, WN_EFORMAT);
        assert_true(strncmp(wn_errmsg(), "m.wnm: ", 7) == 0);
    }
    WN_EXPECT_ERR(wn_model_load("/nonexistent/x.wnm", &l), WN_EIO, "x.wnm");
    assert_null(l);
    secs4 s;
    /* the harness re-saves the good file first: it must load */
    split_file(p, &s);
    {
        const char *q = tmp_path("resaved.wnm");
        wn__section secs[4];
        for (int k = 0; k < 4; k++)
            secs[k] = (wn__section){SEC[k], s.d[k], s.n[k]};
        WN_OK_OR_FAIL(wn__container_save(q, s.header, secs, 4));
        WN_OK_OR_FAIL(wn_model_load(q, &l));
        wn_model_free(l);
        l = NULL;
        unlink(q);
    }
    /* tree 0 has 12 leaves: nodes 0..10, leaves 0..11 */
    uint8_t *nd = s.d[2], save[40];
#define NODE_EDIT(k, off, val, needle)                                                             \
    do {                                                                                           \
        memcpy(save, nd + (k)*40, 40);                                                             \
        wn__put_le32(nd + (k)*40 + (off), (uint32_t)(val));                                        \
        expect_bad(&s, 4, needle);                                                                 \
        memcpy(nd + (k)*40, save, 40);                                                             \
    } while (0)
    NODE_EDIT(5, 8, 11, "node 5 child 11 out of range");
    NODE_EDIT(5, 8, 5, "reached twice");         /* self-cycle */
    NODE_EDIT(3, 12, 0, "node 0 reached twice"); /* back to the root */
    NODE_EDIT(4, 4, 3, "feature 3 out of range");
    NODE_EDIT(4, 4, -1, "feature -1 out of range");
    NODE_EDIT(2, 0, 0x7fc00000u, "threshold is NaN");
    /* a threshold that is not its bin's cut: the code walk and the value
     * walk would disagree */
    NODE_EDIT(2, 0, 0x3f800001u, "does not match its bin");
    NODE_EDIT(2, 8, ~(int32_t)12, "leaf 12 out of range");
    {
        /* leaf referenced twice: find two leaf children and make them equal */
        int32_t l0 = 0, k0 = -1, k1 = -1;
        for (int k = 0; k < 11 && k1 < 0; k++)
            for (int j = 8; j <= 12; j += 4) {
                int32_t c = (int32_t)wn__get_le32(nd + k * 40 + j);
                if (c < 0 && k0 < 0) {
                    k0 = k * 40 + j;
                    l0 = c;
                } else if (c < 0 && k1 < 0 && k * 40 + j != k0) {
                    k1 = k * 40 + j;
                }
            }
        assert_true(k1 >= 0);
        uint32_t old = wn__get_le32(nd + k1);
        wn__put_le32(nd + k1, (uint32_t)l0);
        expect_bad(&s, 4, "referenced twice");
        wn__put_le32(nd + k1, old);
    }
    uint8_t oldbin = nd[4 * 40 + 16];
    nd[4 * 40 + 16] = 200; /* bin beyond the feature's bins */
    expect_bad(&s, 4, "bin 200 out of range");
    nd[4 * 40 + 16] = oldbin;
    /* leaf value inf */
    uint64_t inf_bits = 0x7ff0000000000000ull, old64 = wn__get_le64(s.d[3]);
    wn__put_le64(s.d[3], inf_bits);
    expect_bad(&s, 4, "not finite");
    wn__put_le64(s.d[3], old64);
    /* section sizes */
    s.n[2] -= 1;
    expect_bad(&s, 4, "not a multiple of 40");
    s.n[2] -= 39;
    expect_bad(&s, 4, "run past");
    s.n[2] += 40;
    s.n[3] += 24;
    s.d[3] = realloc(s.d[3], s.n[3]);
    memset(s.d[3] + s.n[3] - 24, 0, 24);
    expect_bad(&s, 4, "leaves");
    s.n[3] -= 24;
    expect_bad(&s, 3, "missing section \"leaves\"");
    /* tree records */
    wn__put_le32(s.d[1] + 4, 70000);
    expect_bad(&s, 4, "outside 1..65536");
    wn__put_le32(s.d[1] + 4, 12);
    wn__put_le32(s.d[1] + 24, 1);
    expect_bad(&s, 4, "record says fold 1");
    wn__put_le32(s.d[1] + 24, 0);
    /* header inconsistencies */
    secs4 h = s;
    h.header = strdup(s.header);
    hedit(&h, "\"gbdt\"", "\"pcaa\"");
    expect_bad(&h, 4, "not a gbdt model");
    free(h.header);
    h.header = strdup(s.header);
    hedit(&h, "\"nout\": 1", "\"nout\": 2");
    expect_bad(&h, 4, "do not fit objective");
    free(h.header);
    h.header = strdup(s.header);
    hedit(&h, "\"ntrees\": 4", "\"ntrees\": 3");
    expect_bad(&h, 4, "ntrees 3");
    free(h.header);
    h.header = strdup(s.header);
    hedit(&h, "\"c\"", "\"a\"");
    expect_bad(&h, 4, "appears twice");
    free(h.header);
    h.header = strdup(s.header);
    hedit(&h, "\"c\"", "\"\"");
    expect_bad(&h, 4, "feature 2");
    free(h.header);
    h.header = strdup(s.header);
    hedit(&h, "\"format_version\": 1", "\"format_version\": 2");
    expect_bad(&h, 4, "newer");
    free(h.header);
    h.header = strdup(s.header);
    hedit(&h, "\"best_round\": 3", "\"best_round\": 9");
    expect_bad(&h, 4, "best_round");
    free(h.header);
    free_secs(&s);
    free(b);
    unlink(p);
    wn_model_free(m);
    wn_table_free(t);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = make_table(500);
    wn_model *m = make_model(t, WN_OBJ_BINARY, 2, 3, 3);
    const char *p = tmp_path("af.wnm");
    double *out = malloc(sizeof(double) * 500);
    int ok = 0;
    for (int64_t f = 1; f < 2000 && !ok; f++) {
        wn_model *l = NULL;
        wn__alloc_fail_at(f);
        wn_status s = wn_model_save(m, p);
        if (s == WN_OK)
            s = wn_model_load(p, &l);
        if (s == WN_OK)
            s = wn_gbdt_predict(l, t, WN_PREDICT_VALUE, 2, out);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            ok = 1;
        else if (s != WN_ENOMEM)
            fail_msg("fail at %lld: %s: %s", (long long)f, wn_status_name(s), wn_errmsg());
        wn_model_free(l);
    }
    assert_true(ok);
    free(out);
    unlink(p);
    wn_model_free(m);
    wn_table_free(t);
}

/* Writes the fuzz seeds when WN_MODEL_CORPUS names a folder. */
static void test_write_seeds(void **state)
{
    (void)state;
    const char *dir = getenv("WN_MODEL_CORPUS");
    if (!dir)
        skip();
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = make_table(200);
    wn_model *m = make_model(t, WN_OBJ_BINARY, 2, 1, 3);
    char q[512];
    snprintf(q, sizeof q, "%s/binary.wnm", dir);
    WN_OK_OR_FAIL(wn_model_save(m, q));
    wn_model_free(m);
    m = make_model(t, WN_OBJ_L2, 0, 1, 2);
    snprintf(q, sizeof q, "%s/l2.wnm", dir);
    WN_OK_OR_FAIL(wn_model_save(m, q));
    wn_model_free(m);
    m = make_model(t, WN_OBJ_MULTICLASS, 3, 3, 1); /* small: no 200-leaf chain */
    for (int f = 0; f < 3; f++) {
        wn__tree_free(m->folds[f].trees[2]);
        m->folds[f].trees[2] = make_tree(m->bins, 3, 0);
    }
    snprintf(q, sizeof q, "%s/multiclass_3fold.wnm", dir);
    WN_OK_OR_FAIL(wn_model_save(m, q));
    wn_model_free(m);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predict_binary), cmocka_unit_test(test_predict_multiclass_regression),
        cmocka_unit_test(test_predict_folds),  cmocka_unit_test(test_missing_columns_and_args),
        cmocka_unit_test(test_threads),        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_corrupt),        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_write_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
