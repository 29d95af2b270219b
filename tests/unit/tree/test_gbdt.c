/* test_gbdt.c — the GBDT trainer: hand-checkable cases, the weighted-loss
 * definition (also with negative weights), weights vs replicated rows,
 * missing values, monotone constraints, early stopping, k-fold, multiclass,
 * determinism across thread counts, and the bad inputs of the issue. */
#include "wn_test.h"

#include <math.h>

#include "tree/model.h"

/* A table from columns; names "x0".., label "y", optional weight "w". */
static wn_table *make_table(int64_t n, int nx, const float *x /* nx*n, col-major */,
                            const float *y, const float *w)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    char name[16];
    for (int j = 0; j < nx; j++) {
        snprintf(name, sizeof name, "x%d", j);
        WN_OK_OR_FAIL(wn_table_add_column(t, name, x + (int64_t)j * n));
    }
    WN_OK_OR_FAIL(wn_table_add_column(t, "y", y));
    WN_OK_OR_FAIL(wn_table_set_role(t, nx, WN_ROLE_LABEL));
    if (w) {
        WN_OK_OR_FAIL(wn_table_add_column(t, "w", w));
        WN_OK_OR_FAIL(wn_table_set_role(t, nx + 1, WN_ROLE_WEIGHT));
    }
    return t;
}

static void exact_params(wn_gbdt_params *p, wn_objective o)
{
    wn_gbdt_params_default(p);
    p->objective = o;
    p->rounds = 1;
    p->num_leaves = 2;
    p->learning_rate = 1.0;
    p->min_data_in_leaf = 1;
    p->min_sum_hessian = 0.0;
    p->lambda_l2 = 0.0;
    p->threads = 1;
}

/* L2 with known weights: every number of the model by hand. */
static void test_l2_exact_leaves(void **state)
{
    (void)state;
    float x[4] = {0, 0, 1, 1}, y[4] = {1, 3, 10, 20}, w[4] = {1, 3, 2, 2};
    wn_table *t = make_table(4, 1, x, y, w);
    wn_gbdt_params p;
    exact_params(&p, WN_OBJ_L2);
    p.lambda_l2 = 1.0;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    /* base = weighted mean 70/8 = 8.75; g = w (F - y): 7.75, 17.25, -2.5,
     * -22.5; left G = 25, H = 4 -> -25/(4+1) = -5; right +5 */
    assert_true(m->folds[0].base_score[0] == 8.75);
    const wn__tree *tr = m->folds[0].trees[0];
    assert_int_equal(tr->nleaves, 2);
    assert_int_equal(tr->nodes[0].feature, 0);
    assert_true(tr->nodes[0].threshold >= 0.0f && tr->nodes[0].threshold < 1.0f);
    double pred[4];
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 1, pred));
    assert_true(pred[0] == 3.75 && pred[1] == 3.75);
    assert_true(pred[2] == 13.75 && pred[3] == 13.75);
    wn_model_free(m);
    wn_table_free(t);
}

/* One split on a step function, found exactly at the step (100 distinct
 * values: one bin each, so the cut can fall between 0.30 and 0.31). */
static void test_step_function(void **state)
{
    (void)state;
    enum { N = 2000 };
    float *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (int i = 0; i < N; i++) {
        x[i] = (float)((i * 37) % 100) / 100.0f;
        y[i] = x[i] > 0.3f ? 5.0f : -1.0f;
    }
    wn_table *t = make_table(N, 1, x, y, NULL);
    wn_gbdt_params p;
    exact_params(&p, WN_OBJ_L2);
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    const wn__tree *tr = m->folds[0].trees[0];
    float thr = tr->nodes[0].threshold;
    assert_true(thr >= 0.3f && thr < 0.31f);
    double *pred = malloc(N * sizeof *pred);
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 1, pred));
    for (int i = 0; i < N; i++)
        assert_true(fabs(pred[i] - (double)y[i]) < 1e-5); /* float gradients */
    free(pred);
    wn_model_free(m);
    wn_table_free(t);
    free(x);
    free(y);
}

/* L2 with negative weights: the leaf value minimises sum w (F + v - y)^2,
 * v = sum w (y - F) / sum w, as long as each leaf's weight sum is > 0. */
static void test_negative_weights_l2(void **state)
{
    (void)state;
    float x[6] = {0, 0, 0, 1, 1, 1}, y[6] = {1, 2, 4, 10, 11, 30};
    float w[6] = {2, -0.5f, 1, 1.5f, -1, 2};
    wn_table *t = make_table(6, 1, x, y, w);
    wn_gbdt_params p;
    exact_params(&p, WN_OBJ_L2);
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    double pred[6];
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 1, pred));
    double s0 = 2 * 1 - 0.5 * 2 + 1 * 4, w0 = 2.5; /* weighted mean, x = 0 */
    double s1 = 1.5 * 10 - 11 + 2 * 30, w1 = 2.5;
    assert_true(fabs(pred[0] - s0 / w0) < 1e-5); /* float gradients */
    assert_true(fabs(pred[4] - s1 / w1) < 1e-5);
    wn_model_free(m);
    wn_table_free(t);
}

/* Binary log-loss with negative weights converges to the weighted maximum
 * likelihood p = S1 / (S0 + S1) in each group (the weighted-loss optimum). */
static void test_negative_weights_logloss(void **state)
{
    (void)state;
    enum { N = 400 };
    float x[N], y[N], w[N];
    double s[2][2] = {{0, 0}, {0, 0}};
    wn_rng r = wn_rng_make(3, 1);
    for (int i = 0; i < N; i++) {
        x[i] = (float)(i % 2);
        y[i] = wn_rng_uniform(&r) < (x[i] > 0 ? 0.7 : 0.2) ? 1.0f : 0.0f;
        w[i] = wn_rng_uniform(&r) < 0.2 ? -0.5f : 1.0f;
        s[i % 2][(int)y[i]] += (double)w[i];
    }
    wn_table *t = make_table(N, 1, x, y, w);
    wn_gbdt_params p;
    exact_params(&p, WN_OBJ_BINARY);
    p.rounds = 60;
    p.learning_rate = 0.5;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    double pred[N];
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 1, pred));
    for (int g = 0; g < 2; g++) {
        double want = s[g][1] / (s[g][0] + s[g][1]);
        assert_true(fabs(pred[g] - want) < 1e-6);
    }
    wn_model_free(m);
    wn_table_free(t);
}

/* Integer weights give the same model as rows repeated that many times. */
static void test_weights_vs_replicas(void **state)
{
    (void)state;
    enum { N = 600, NX = 3 };
    float x[NX * N], y[N], w[N];
    int64_t nrep = 0;
    wn_rng r = wn_rng_make(11, 2);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < NX; j++)
            x[j * N + i] = (float)wn_rng_below(&r, 40); /* <= 255 distinct: same bins */
        y[i] = ((double)(x[i] + x[N + i]) > 40 + 10 * wn_rng_normal(&r)) ? 1.0f : 0.0f;
        w[i] = (float)(1 + wn_rng_below(&r, 3));
        nrep += (int64_t)w[i];
    }
    float *xr = malloc((size_t)(NX * nrep) * sizeof *xr), *yr = malloc((size_t)nrep * sizeof *yr);
    int64_t k = 0;
    for (int i = 0; i < N; i++)
        for (int c = 0; c < (int)w[i]; c++, k++) {
            for (int j = 0; j < NX; j++)
                xr[j * nrep + k] = x[j * N + i];
            yr[k] = y[i];
        }
    wn_table *tw = make_table(N, NX, x, y, w), *tr = make_table(nrep, NX, xr, yr, NULL);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 20;
    p.num_leaves = 8;
    p.min_data_in_leaf = 1;
    p.min_sum_hessian = 0;
    p.lambda_l2 = 1.0;
    wn_model *mw = NULL, *mr = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(tw, NULL, &p, &mw));
    WN_OK_OR_FAIL(wn_gbdt_train(tr, NULL, &p, &mr));
    assert_true(fabs(mw->folds[0].base_score[0] - mr->folds[0].base_score[0]) < 1e-12);
    for (int64_t t = 0; t < mw->folds[0].ntrees; t++) {
        const wn__tree *a = mw->folds[0].trees[t], *b = mr->folds[0].trees[t];
        assert_int_equal(a->nleaves, b->nleaves);
        for (int32_t i = 0; i < a->nleaves - 1; i++) {
            assert_int_equal(a->nodes[i].feature, b->nodes[i].feature);
            assert_true(a->nodes[i].threshold == b->nodes[i].threshold);
        }
        for (int32_t l = 0; l < a->nleaves; l++)
            assert_true(fabs(a->leaf_value[l] - b->leaf_value[l]) < 1e-6);
    }
    wn_model_free(mw);
    wn_model_free(mr);
    wn_table_free(tw);
    wn_table_free(tr);
    free(xr);
    free(yr);
}

/* NaN rows carry the signal: the split learns to send them the right way. */
static void test_missing_direction(void **state)
{
    (void)state;
    enum { N = 1000 };
    float x[N], y[N];
    for (int i = 0; i < N; i++) {
        int miss = i % 4 == 0;
        x[i] = miss ? (float)NAN : (float)(i % 97) / 97.0f;
        y[i] = miss || x[i] > 0.8f ? 1.0f : 0.0f;
    }
    wn_table *t = make_table(N, 1, x, y, NULL);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 30;
    p.num_leaves = 4;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    double pred[N];
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 0, pred));
    assert_true(pred[0] > 0.9);  /* NaN */
    assert_true(pred[1] < 0.1);  /* 1/97 */
    assert_true(pred[90] > 0.9); /* 90/97 */
    wn_model_free(m);
    wn_table_free(t);
}

/* With a +1 constraint the prediction never falls as x0 rises. */
static void test_monotone(void **state)
{
    (void)state;
    enum { N = 3000 };
    float x[2 * N], y[N];
    wn_rng r = wn_rng_make(5, 5);
    for (int i = 0; i < N; i++) {
        x[i] = (float)wn_rng_uniform(&r);
        x[N + i] = (float)wn_rng_uniform(&r);
        double f = sin(6.0 * (double)x[i]) + 2.0 * (double)x[i] + (double)x[N + i];
        y[i] = (float)(f + 0.3 * wn_rng_normal(&r));
    }
    wn_table *t = make_table(N, 2, x, y, NULL);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.objective = WN_OBJ_L2;
    p.rounds = 50;
    int8_t mono[2] = {1, 0};
    p.monotone = mono;
    p.n_monotone = 2;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    enum { G = 200 };
    float gx[2 * G], gy[G] = {0};
    for (int z = 0; z < 5; z++) {
        for (int i = 0; i < G; i++) {
            gx[i] = (float)i / G;
            gx[G + i] = 0.2f * (float)z;
        }
        wn_table *g = make_table(G, 2, gx, gy, NULL);
        double pred[G];
        WN_OK_OR_FAIL(wn_gbdt_predict(m, g, WN_PREDICT_VALUE, 1, pred));
        for (int i = 1; i < G; i++)
            assert_true(pred[i] >= pred[i - 1]);
        wn_table_free(g);
    }
    wn_model_free(m);
    wn_table_free(t);
}

static wn_table *higgs(int64_t rows, uint64_t seed)
{
    wn_sim_params sp;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &sp);
    sp.rows = rows;
    sp.seed = seed;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_HIGGS_LIKE, &sp, &t, NULL));
    return t;
}

/* The grower at scale: more than 65535 fitted rows (127-level quantisation,
 * the root quantised inside its histogram build, wide histograms summed in
 * chunks) and 255 leaves (several small splits at once, runners-up expanded
 * ahead and merged back when the tree ends first): the same trees, leaf
 * values and training history at 1, 2 and 3 threads. */
static void test_determinism_big(void **state)
{
    (void)state;
    wn_table *t = higgs(90000, 21);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 3;
    p.num_leaves = 255;
    wn_model *m[3] = {NULL, NULL, NULL};
    for (int k = 0; k < 3; k++) {
        p.threads = k + 1;
        WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m[k]));
    }
    for (int k = 1; k < 3; k++) {
        const wn__fold *a = &m[0]->folds[0], *b = &m[k]->folds[0];
        assert_int_equal(a->ntrees, b->ntrees);
        for (int64_t i = 0; i < a->ntrees; i++) {
            const wn__tree *x = a->trees[i], *y = b->trees[i];
            assert_int_equal(x->nleaves, y->nleaves);
            assert_true(x->nleaves > 200); /* grew to (nearly) the budget */
            assert_memory_equal(x->nodes, y->nodes, (size_t)(x->nleaves - 1) * sizeof *x->nodes);
            assert_memory_equal(x->leaf_value, y->leaf_value,
                                (size_t)x->nleaves * sizeof *x->leaf_value);
            assert_memory_equal(x->leaf_count, y->leaf_count,
                                (size_t)x->nleaves * sizeof *x->leaf_count);
        }
        assert_memory_equal(a->hist_train, b->hist_train, (size_t)p.rounds * sizeof(double));
    }
    for (int k = 0; k < 3; k++)
        wn_model_free(m[k]);
    wn_table_free(t);
}

/* Same data, parameters and seed: the same file at 1 and 2 threads. */
static void test_determinism(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "0", 1);
    wn_table *t = higgs(20000, 9);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 15;
    p.num_leaves = 63;
    p.row_subsample = 0.8;
    p.col_subsample = 0.7;
    p.valid_fraction = 0.2;
    p.min_data_in_leaf = 5;
    const char *path[2] = {wn_test_file(".wnm", "", 0), wn_test_file(".wnm", "", 0)};
    double *pred[2];
    for (int k = 0; k < 2; k++) {
        p.threads = k + 1;
        wn_model *m = NULL;
        WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
        WN_OK_OR_FAIL(wn_model_save(m, path[k]));
        pred[k] = malloc(20000 * sizeof(double));
        WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_RAW, k + 1, pred[k]));
        wn_model_free(m);
    }
    assert_memory_equal(pred[0], pred[1], 20000 * sizeof(double));
    FILE *f0 = fopen(path[0], "rb"), *f1 = fopen(path[1], "rb");
    assert_non_null(f0);
    assert_non_null(f1);
    int a, b;
    long pos = 0;
    do {
        a = fgetc(f0);
        b = fgetc(f1);
        if (a != b)
            fail_msg("model files differ at byte %ld", pos);
        pos++;
    } while (a != EOF);
    fclose(f0);
    fclose(f1);
    free(pred[0]);
    free(pred[1]);
    remove(path[0]);
    remove(path[1]);
    wn_table_free(t);
}

/* Every objective, k-fold and the monotone path give the same bits at 1 and
 * 2 threads (row counts above the parallel thresholds). */
static void test_determinism_objectives(void **state)
{
    (void)state;
    wn_table *t = higgs(70000, 12);
    int64_t n = wn_table_nrows(t), lc = wn_table_role_column(t, WN_ROLE_LABEL);
    float *y3 = malloc((size_t)n * sizeof *y3), *id = malloc((size_t)n * sizeof *id);
    for (int64_t i = 0; i < n; i++) {
        y3[i] = wn_table_get(t, i, lc) + (float)(i % 3 == 0); /* 0..2 */
        id[i] = (float)i;
    }
    WN_OK_OR_FAIL(wn_table_add_column(t, "y3", y3));
    WN_OK_OR_FAIL(wn_table_add_column(t, "event", id));
    WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 2, WN_ROLE_IGNORED));
    WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 1, WN_ROLE_ID));
    const wn_objective objs[5] = {WN_OBJ_MULTICLASS, WN_OBJ_L1, WN_OBJ_HUBER, WN_OBJ_L2,
                                  WN_OBJ_BINARY};
    for (int c = 0; c < 5; c++) {
        if (objs[c] == WN_OBJ_MULTICLASS) {
            WN_OK_OR_FAIL(wn_table_set_role(t, lc, WN_ROLE_IGNORED));
            WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 2, WN_ROLE_LABEL));
        } else if (objs[c] == WN_OBJ_L1) {
            WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 2, WN_ROLE_IGNORED));
            WN_OK_OR_FAIL(wn_table_set_role(t, lc, WN_ROLE_LABEL));
        }
        wn_gbdt_params p;
        wn_gbdt_params_default(&p);
        p.objective = objs[c];
        p.rounds = 2;
        p.num_leaves = 15;
        int8_t mono[28] = {0};
        mono[0] = 1;
        mono[5] = -1;
        if (objs[c] == WN_OBJ_BINARY) {
            p.folds = 3;
            p.fold_by = "event";
            p.monotone = mono;
            p.n_monotone = 28;
            p.lambda_l1 = 0.5;
        }
        int K = objs[c] == WN_OBJ_MULTICLASS ? 3 : 1;
        double *pred[2];
        for (int k = 0; k < 2; k++) {
            p.threads = k + 1;
            wn_model *m = NULL;
            WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
            pred[k] = malloc((size_t)(n * K) * sizeof(double));
            WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_RAW, 2 - k, pred[k]));
            wn_model_free(m);
        }
        if (memcmp(pred[0], pred[1], (size_t)(n * K) * sizeof(double)) != 0)
            fail_msg("objective %s: predictions differ between 1 and 2 threads",
                     wn_objective_name(objs[c]));
        free(pred[0]);
        free(pred[1]);
    }
    free(y3);
    free(id);
    wn_table_free(t);
}

/* The model learns (AUC well above chance on held-out data), early stopping
 * keeps the best round, and the validation history agrees with it. */
static void test_learns_and_early_stopping(void **state)
{
    (void)state;
    wn_table *t = higgs(30000, 1), *v = higgs(10000, 2);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 400;
    p.learning_rate = 0.3;
    p.early_stopping_rounds = 10;
    p.metric = WN_METRIC_AUC;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, v, &p, &m));
    wn_metric met;
    const double *ht, *hv;
    int64_t nr;
    WN_OK_OR_FAIL(wn_model_history(m, 0, &met, &ht, &hv, &nr));
    assert_int_equal(met, WN_METRIC_AUC);
    assert_non_null(hv);
    int64_t kept = wn_model_num_rounds(m, 0);
    assert_true(kept >= 1 && kept <= nr);
    for (int64_t i = 0; i < nr; i++)
        assert_true(hv[i] <= hv[kept - 1]);
    assert_true(nr < 400 ? nr - kept == 10 : 1);
    int64_t nv = wn_table_nrows(v);
    double *pred = malloc((size_t)nv * sizeof *pred);
    WN_OK_OR_FAIL(wn_gbdt_predict(m, v, WN_PREDICT_VALUE, 0, pred));
    int64_t lc = wn_table_role_column(v, WN_ROLE_LABEL);
    float *y = malloc((size_t)nv * sizeof *y);
    wn_table_gather(v, lc, y);
    double auc;
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, y, NULL, pred, nv, 1, 1.0, &auc));
    assert_true(fabs(auc - hv[kept - 1]) < 1e-12);
    assert_true(auc > 0.7);
    free(pred);
    free(y);
    wn_model_free(m);
    wn_table_free(t);
    wn_table_free(v);
}

/* k-fold: each fold's trees are grown on the rows of the other folds. */
static void test_kfold(void **state)
{
    (void)state;
    wn_table *t = higgs(6000, 4);
    int64_t n = wn_table_nrows(t);
    float *id = malloc((size_t)n * sizeof *id);
    for (int64_t i = 0; i < n; i++)
        id[i] = (float)(i * 7 + 3);
    WN_OK_OR_FAIL(wn_table_add_column(t, "event", id));
    WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 1, WN_ROLE_ID));
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 5;
    p.folds = 3;
    p.fold_by = "event";
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    assert_int_equal(wn_model_num_folds(m), 3);
    for (int f = 0; f < 3; f++) {
        int64_t want = 0;
        for (int64_t i = 0; i < n; i++)
            want += ((int64_t)id[i] % 3) != f;
        const wn__tree *tr = m->folds[f].trees[0];
        int64_t got = 0;
        for (int32_t l = 0; l < tr->nleaves; l++)
            got += tr->leaf_count[l];
        assert_int_equal(got, want);
    }
    double *pred = malloc((size_t)n * sizeof *pred);
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 0, pred));
    for (int64_t i = 0; i < n; i++)
        if (!(pred[i] > 0.0 && pred[i] < 1.0))
            fail_msg("row %lld: prediction %g", (long long)i, pred[i]);
    free(pred);
    free(id);
    wn_model_free(m);
    wn_table_free(t);
}

static void test_multiclass(void **state)
{
    (void)state;
    enum { N = 3000 };
    float x[2 * N], y[N];
    wn_rng r = wn_rng_make(8, 8);
    for (int i = 0; i < N; i++) {
        int k = i % 3;
        y[i] = (float)k;
        x[i] = (float)(wn_rng_normal(&r) + 3.0 * (k == 1));
        x[N + i] = (float)(wn_rng_normal(&r) + 3.0 * (k == 2));
    }
    wn_table *t = make_table(N, 2, x, y, NULL);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.objective = WN_OBJ_MULTICLASS;
    p.rounds = 30;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    assert_int_equal(wn_model_num_outputs(m), 3);
    double *pred = malloc(3 * N * sizeof *pred);
    WN_OK_OR_FAIL(wn_gbdt_predict(m, t, WN_PREDICT_VALUE, 0, pred));
    int right = 0;
    for (int i = 0; i < N; i++) {
        const double *q = pred + 3 * i;
        assert_true(fabs(q[0] + q[1] + q[2] - 1.0) < 1e-9);
        int arg = q[1] > q[0] ? 1 : 0;
        arg = q[2] > q[arg] ? 2 : arg;
        right += arg == (int)y[i];
    }
    assert_true(right > (int)(0.9 * N));
    free(pred);
    wn_model_free(m);
    wn_table_free(t);
}

/* A constant feature trains (it is never split on); every bad input of the
 * issue fails with a message that names the problem. */
static void test_bad_inputs(void **state)
{
    (void)state;
    enum { N = 100 };
    float x[2 * N], y[N], w[N];
    for (int i = 0; i < N; i++) {
        x[i] = (float)i;
        x[N + i] = 3.0f;
        y[i] = (float)(i % 2);
        w[i] = 1.0f;
    }
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.rounds = 3;
    p.min_data_in_leaf = 2;
    wn_model *m = NULL;
    wn_table *t = make_table(N, 2, x, y, w), *t2 = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    for (int64_t k = 0; k < m->folds[0].ntrees; k++)
        for (int32_t i = 0; i < m->folds[0].trees[k]->nleaves - 1; i++)
            assert_int_equal(m->folds[0].trees[k]->nodes[i].feature, 0);
    wn_model_free(m);
    m = NULL;
    wn_table_free(t);

    y[5] = 2.0f;
    t = make_table(N, 2, x, y, w);
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EFORMAT, "2");
    wn_table_free(t);
    y[5] = 1.0f;
    float ones[N];
    for (int i = 0; i < N; i++)
        ones[i] = 1.0f;
    t = make_table(N, 2, x, ones, w);
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EFORMAT, "");
    wn_table_free(t);
    y[7] = (float)NAN;
    t = make_table(N, 2, x, y, w);
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_ENUMERIC, "row 8");
    wn_table_free(t);
    y[7] = 1.0f;
    w[9] = (float)NAN;
    t = make_table(N, 2, x, y, w);
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_ENUMERIC, "weight");
    wn_table_free(t);
    float zero[N] = {0};
    t = make_table(N, 2, x, y, zero);
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_ENUMERIC, "sum");
    wn_table_free(t);
    for (int i = 0; i < N; i++)
        w[i] = i == 3 ? -1.0f : 1.0f;
    t = make_table(N, 2, x, y, w);
    p.objective = WN_OBJ_L1;
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EINVAL, "negative");
    p.objective = WN_OBJ_BINARY;
    p.rounds = 0;
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EINVAL, "rounds");
    p.rounds = 3;
    p.num_leaves = 1;
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EINVAL, "num_leaves");
    p.num_leaves = 31;
    p.learning_rate = 0.0;
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EINVAL, "learning_rate");
    p.learning_rate = 0.1;
    wn_table_free(t);
    t = make_table(1, 2, x, y, NULL);
    WN_EXPECT_ERR(wn_gbdt_train(t, NULL, &p, &m), WN_EFORMAT, "1 row");
    p.early_stopping_rounds = 5;
    t2 = make_table(N, 2, x, y, NULL);
    WN_EXPECT_ERR(wn_gbdt_train(t2, NULL, &p, &m), WN_EINVAL, "validation");
    wn_table_free(t2);
    p.early_stopping_rounds = 0;
    wn_table_free(t);
    WN_EXPECT_ERR(wn_gbdt_params_set(&p, "num_leaves", "1"), WN_EINVAL, "num_leaves");
    WN_EXPECT_ERR(wn_gbdt_params_set(&p, "nonsense", "1"), WN_EINVAL, "unknown parameter");
    WN_OK_OR_FAIL(wn_gbdt_params_set(&p, "eta", "0.05"));
    assert_true(p.learning_rate == 0.05);
    assert_null(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l2_exact_leaves),
        cmocka_unit_test(test_step_function),
        cmocka_unit_test(test_negative_weights_l2),
        cmocka_unit_test(test_negative_weights_logloss),
        cmocka_unit_test(test_weights_vs_replicas),
        cmocka_unit_test(test_missing_direction),
        cmocka_unit_test(test_monotone),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_determinism_big),
        cmocka_unit_test(test_determinism_objectives),
        cmocka_unit_test(test_learns_and_early_stopping),
        cmocka_unit_test(test_kfold),
        cmocka_unit_test(test_multiclass),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
