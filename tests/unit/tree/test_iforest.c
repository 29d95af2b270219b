/* test_iforest.c — the isolation forest (src/tree/iforest.c, iforest_io.c).
 *
 * Liu, Ting & Zhou, "Isolation Forest", ICDM 2008. Checked by properties:
 * planted outliers rank on top (AUC), scores lie in (0, 1], the fast
 * block scorer equals a plain one-row-at-a-time walk written here bit for
 * bit, fits and scores do not depend on the thread count, zero-weight rows
 * are never drawn, files round-trip bit for bit, and a corrupted or
 * inconsistent file (re-saved through the container layer, so its
 * checksums are right) is refused naming the file. Bad inputs give
 * messages naming the parameter, row or column; every allocation failure
 * is survived. */
#include "wn_test.h"

#include "core.h"
#include "io/container.h"
#include "tree/iforest.h"

#include <math.h>

static const char *const NAMES[5] = {"x0", "x1", "x2", "x3", "x4"};

/* n rows of a 5-D standard Gaussian; every 100th row (1%) is an outlier
 * placed at radius 6..8 in a random direction; column "y" (role label) is
 * 1 for the outliers. */
static wn_table *planted(int64_t n, uint64_t seed)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float *v = malloc(sizeof(float) * (size_t)n * 6);
    wn_rng r = wn_rng_make(seed, 7);
    for (int64_t i = 0; i < n; i++) {
        double z[5], norm = 0;
        for (int f = 0; f < 5; f++) {
            z[f] = wn_rng_normal(&r);
            norm += z[f] * z[f];
        }
        int out = i % 100 == 50;
        double scale = out ? (6 + 2 * wn_rng_uniform(&r)) / sqrt(norm) : 1.0;
        for (int f = 0; f < 5; f++)
            v[f * n + i] = (float)(z[f] * scale);
        v[5 * n + i] = (float)out;
    }
    for (int f = 0; f < 5; f++)
        WN_OK_OR_FAIL(wn_table_add_column(t, NAMES[f], v + f * n));
    WN_OK_OR_FAIL(wn_table_add_column(t, "y", v + 5 * n));
    WN_OK_OR_FAIL(wn_table_set_role(t, 5, WN_ROLE_LABEL));
    free(v);
    return t;
}

static wn_iforest *fit(const wn_table *t, int trees, int threads, int standardize)
{
    wn_iforest_params p = wn_iforest_params_default();
    p.trees = trees;
    p.data.threads = threads;
    p.data.standardize = standardize;
    wn_iforest *m = NULL;
    WN_OK_OR_FAIL(wn_iforest_fit(t, &p, &m));
    return m;
}

static double *score(const wn_iforest *m, const wn_table *t, int threads)
{
    double *s = malloc(sizeof(double) * (size_t)wn_table_nrows(t));
    WN_OK_OR_FAIL(wn_iforest_score(m, t, 0, threads, s));
    return s;
}

static void test_c_and_defaults(void **state)
{
    (void)state;
    assert_true(wn__iforest_c(1) == 0.0);
    assert_true(fabs(wn__iforest_c(2) - (2 * 0.5772156649 - 1.0)) < 1e-15);
    /* c(256) of the paper: 2 (ln 255 + gamma) - 2 * 255/256 */
    assert_true(fabs(wn__iforest_c(256) - (2 * (log(255.0) + 0.5772156649) - 510.0 / 256)) < 1e-12);
    assert_int_equal(wn__iforest_depth_for(256), 8);
    assert_int_equal(wn__iforest_depth_for(257), 9);
    assert_int_equal(wn__iforest_depth_for(2), 1);
    wn_iforest_params p = wn_iforest_params_default();
    assert_int_equal(p.trees, 100);
    assert_int_equal(p.sample_size, 256);
    assert_int_equal(p.max_depth, 0);
    assert_true(p.data.seed == 42);
}

static void test_planted_outliers(void **state)
{
    (void)state;
    const int64_t n = 3000;
    wn_table *t = planted(n, 1);
    wn_iforest *m = fit(t, 100, 0, 0);
    assert_int_equal(wn_iforest_num_trees(m), 100);
    assert_int_equal(wn_iforest_num_features(m), 5);
    assert_string_equal(wn_iforest_feature_name(m, 4), "x4");
    assert_null(wn_iforest_feature_name(m, 5));
    assert_int_equal(wn_iforest_num_rows(m), n);
    assert_int_equal(wn_iforest_num_dropped(m), 0);
    double *s = score(m, t, 0);
    for (int64_t i = 0; i < n; i++)
        assert_true(s[i] > 0 && s[i] <= 1);
    int64_t ycol;
    WN_OK_OR_FAIL(wn_table_find(t, "y", &ycol));
    double auc;
    WN_OK_OR_FAIL(wn_metric_eval(WN_METRIC_AUC, wn_table_column(t, ycol), NULL, s, n, 1, 0, &auc));
    assert_true(auc > 0.95);
    /* outliers score above 0.5 on average, ordinary events below it */
    double so = 0, si = 0;
    for (int64_t i = 0; i < n; i++)
        *(i % 100 == 50 ? &so : &si) += s[i];
    assert_true(so / (double)(n / 100) > 0.6);
    assert_true(si / (double)(n - n / 100) < 0.5);
    const char *h = wn_iforest_header(m);
    assert_non_null(strstr(h, "\"kind\": \"iforest\""));
    assert_non_null(strstr(h, "\"depth_limit\": 8"));
    free(s);
    wn_iforest_free(m);
    wn_table_free(t);
}

/* The obvious scorer: one row, one tree at a time, with a branch. */
static void reference(const wn_iforest *m, const wn_table *t, double *out)
{
    const int64_t n = wn_table_nrows(t), d = m->f.nfeat;
    float x[16];
    for (int64_t r = 0; r < n; r++) {
        for (int64_t f = 0; f < d; f++) {
            int64_t c;
            WN_OK_OR_FAIL(wn_table_find(t, m->f.names[f], &c));
            x[f] = (float)(((double)wn_table_get(t, r, c) - m->f.center[f]) / m->f.scale[f]);
        }
        double h = 0;
        for (int k = 0; k < m->trees; k++) {
            const int64_t o = m->off[k];
            int32_t i = 0, depth = 0;
            while (m->lsize[o + i] == 0) {
                const wn__ifnode *q = m->nodes + o + i;
                i = x[q->feat] < q->thr ? q->next : q->next + 1;
                depth++;
            }
            assert_true(depth <= m->depth_limit);
            assert_true(m->leafval[o + i] ==
                        (double)depth + wn__iforest_c((double)m->lsize[o + i]));
            h += m->leafval[o + i];
        }
        out[r] = pow(2.0, -(h / m->trees) / wn__iforest_c((double)m->psi));
    }
}

static void test_reference_walk(void **state)
{
    (void)state;
    const int64_t n = 1003; /* not a multiple of the block or of 8 */
    wn_table *t = planted(n, 2);
    for (int standardize = 0; standardize < 2; standardize++) {
        wn_iforest *m = fit(t, 37, 2, standardize);
        double *s = score(m, t, 2), *ref = malloc(sizeof(double) * (size_t)n);
        reference(m, t, ref);
        for (int64_t i = 0; i < n; i++)
            assert_true(fabs(s[i] - ref[i]) <= 1e-15 * ref[i]);
        /* every tree holds psi rows in its leaves */
        for (int k = 0; k < m->trees; k++) {
            int64_t rows = 0;
            for (int64_t i = m->off[k]; i < m->off[k + 1]; i++)
                rows += m->lsize[i];
            assert_int_equal(rows, 256);
        }
        free(s);
        free(ref);
        wn_iforest_free(m);
    }
    wn_table_free(t);
}

static void test_threads_deterministic(void **state)
{
    (void)state;
    const int64_t n = 5000;
    wn_table *t = planted(n, 3);
    wn_iforest *a = fit(t, 50, 1, 1), *b = fit(t, 50, 2, 1);
    assert_int_equal(a->off[50], b->off[50]);
    assert_memory_equal(a->nodes, b->nodes, sizeof(wn__ifnode) * (size_t)a->off[50]);
    assert_memory_equal(a->leafval, b->leafval, sizeof(double) * (size_t)a->off[50]);
    double *s1 = score(a, t, 1), *s2 = score(a, t, 2), *s3 = score(b, t, 3);
    assert_memory_equal(s1, s2, sizeof(double) * (size_t)n);
    assert_memory_equal(s1, s3, sizeof(double) * (size_t)n);
    /* another seed gives another forest */
    wn_iforest_params p = wn_iforest_params_default();
    p.trees = 50;
    p.data.standardize = 1;
    p.data.seed = 43;
    wn_iforest *c = NULL;
    WN_OK_OR_FAIL(wn_iforest_fit(t, &p, &c));
    double *s4 = score(c, t, 2);
    assert_true(memcmp(s1, s4, sizeof(double) * (size_t)n) != 0);
    free(s1), free(s2), free(s3), free(s4);
    wn_iforest_free(a), wn_iforest_free(b), wn_iforest_free(c);
    wn_table_free(t);
}

/* Rows of weight 0 are never drawn: the data with 0-weight rows appended
 * grows the same forest as the data with weight 1 everywhere. */
static void test_weights(void **state)
{
    (void)state;
    const int64_t n = 1000, extra = 300;
    wn_table *t = planted(n, 4), *u = planted(n + extra, 4);
    float *w = malloc(sizeof(float) * (size_t)(n + extra));
    for (int64_t i = 0; i < n + extra; i++)
        w[i] = i < n ? 1.0f : 0.0f;
    WN_OK_OR_FAIL(wn_table_add_column(t, "w", w));
    WN_OK_OR_FAIL(wn_table_set_role(t, 6, WN_ROLE_WEIGHT));
    /* the extra rows of u: far away, so they would matter if drawn */
    float *x0 = wn_table_column_mut(u, 0);
    for (int64_t i = n; i < n + extra; i++)
        x0[i] = 1000.0f + (float)i;
    WN_OK_OR_FAIL(wn_table_add_column(u, "w", w));
    WN_OK_OR_FAIL(wn_table_set_role(u, 6, WN_ROLE_WEIGHT));
    wn_iforest *a = fit(t, 20, 2, 0), *b = fit(u, 20, 1, 0);
    assert_int_equal(a->off[20], b->off[20]);
    assert_memory_equal(a->nodes, b->nodes, sizeof(wn__ifnode) * (size_t)a->off[20]);
    /* negative weights are refused, naming the row */
    w[7] = -1;
    WN_OK_OR_FAIL(wn_table_add_column(t, "w2", w));
    WN_OK_OR_FAIL(wn_table_set_role(t, 6, WN_ROLE_IGNORED));
    WN_OK_OR_FAIL(wn_table_set_role(t, 7, WN_ROLE_WEIGHT));
    wn_iforest_params p = wn_iforest_params_default();
    wn_iforest *m = NULL;
    WN_EXPECT_ERR(wn_iforest_fit(t, &p, &m), WN_ENUMERIC, "row 8");
    assert_null(m);
    free(w);
    wn_iforest_free(a), wn_iforest_free(b);
    wn_table_free(t), wn_table_free(u);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    const int64_t n = 400;
    wn_table *t = planted(n, 5);
    wn_iforest_params p = wn_iforest_params_default();
    wn_iforest *m = NULL;
    p.trees = 0;
    WN_EXPECT_ERR(wn_iforest_fit(t, &p, &m), WN_EINVAL, "trees = 0");
    p = wn_iforest_params_default();
    p.sample_size = 1;
    WN_EXPECT_ERR(wn_iforest_fit(t, &p, &m), WN_EINVAL, "sample_size = 1");
    p = wn_iforest_params_default();
    p.max_depth = -1;
    WN_EXPECT_ERR(wn_iforest_fit(t, &p, &m), WN_EINVAL, "max_depth");
    WN_EXPECT_ERR(wn_iforest_fit(NULL, &p, &m), WN_EINVAL, "NULL");
    p = wn_iforest_params_default();
    const char *feats[2] = {"x0", "nope"};
    p.data.features = feats;
    p.data.nfeatures = 2;
    WN_EXPECT_ERR(wn_iforest_fit(t, &p, &m), WN_ENOTFOUND, "nope");
    assert_null(m);
    /* NaN: an error naming row and column, unless dropped */
    wn_table_column_mut(t, 2)[9] = NAN;
    p = wn_iforest_params_default();
    WN_EXPECT_ERR(wn_iforest_fit(t, &p, &m), WN_ENUMERIC, "row 10, column 'x2'");
    p.data.drop_missing = 1;
    WN_OK_OR_FAIL(wn_iforest_fit(t, &p, &m));
    assert_int_equal(wn_iforest_num_rows(m), n - 1);
    assert_int_equal(wn_iforest_num_dropped(m), 1);
    double *s = malloc(sizeof(double) * (size_t)n);
    WN_EXPECT_ERR(wn_iforest_score(m, t, 0, 1, s), WN_ENUMERIC, "row 10, column 'x2'");
    WN_OK_OR_FAIL(wn_iforest_score(m, t, 1, 1, s));
    assert_true(isnan(s[9]));
    assert_true(s[8] > 0 && s[10] > 0);
    /* a table without one of the model's features */
    wn_table *u = NULL;
    WN_OK_OR_FAIL(wn_table_create(3, &u));
    for (int f = 0; f < 4; f++)
        WN_OK_OR_FAIL(wn_table_add_column(u, NAMES[f], NULL));
    WN_EXPECT_ERR(wn_iforest_score(m, u, 1, 1, s), WN_ENOTFOUND, "x4");
    wn_table_free(u);
    /* one row is not enough */
    WN_OK_OR_FAIL(wn_table_create(1, &u));
    WN_OK_OR_FAIL(wn_table_add_column(u, "a", NULL));
    wn_table_column_mut(u, 0)[0] = 1;
    wn_iforest *one = NULL;
    p = wn_iforest_params_default();
    WN_EXPECT_ERR(wn_iforest_fit(u, &p, &one), WN_EINVAL, "iforest");
    assert_null(one);
    wn_table_free(u);
    free(s);
    wn_iforest_free(m);
    wn_table_free(t);
}

/* A view scores its own rows; a tiny table caps the sample at its rows. */
static void test_views_and_small(void **state)
{
    (void)state;
    const int64_t n = 600;
    wn_table *t = planted(n, 6);
    int64_t rows[100];
    for (int i = 0; i < 100; i++)
        rows[i] = 599 - 5 * i;
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 100, &v));
    wn_iforest *m = fit(t, 10, 2, 1);
    double *all = score(m, t, 2), *sub = score(m, v, 2);
    for (int i = 0; i < 100; i++)
        assert_true(sub[i] == all[rows[i]]);
    wn_iforest *small = fit(v, 10, 2, 0);
    assert_int_equal(small->psi, 100);
    assert_int_equal(small->depth_limit, 7);
    free(all), free(sub);
    wn_iforest_free(m), wn_iforest_free(small);
    wn_table_free(v), wn_table_free(t);
}

static const char *tmp_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/wn_if_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid(), name);
    return p;
}

static void test_save_load(void **state)
{
    (void)state;
    const int64_t n = 2000;
    wn_table *t = planted(n, 8);
    wn_iforest *m = fit(t, 40, 2, 1);
    const char *path = tmp_path("rt.wnm");
    WN_OK_OR_FAIL(wn_iforest_save(m, path));
    wn_iforest *l = NULL;
    WN_OK_OR_FAIL(wn_iforest_load(path, &l));
    assert_string_equal(wn_iforest_header(m), wn_iforest_header(l));
    assert_int_equal(wn_iforest_num_rows(l), n);
    assert_int_equal(wn_iforest_num_trees(l), 40);
    double *a = score(m, t, 2), *b = score(l, t, 1);
    assert_memory_equal(a, b, sizeof(double) * (size_t)n);
    /* saved again, the same bytes */
    const char *p2 = tmp_path("rt2.wnm");
    WN_OK_OR_FAIL(wn_iforest_save(l, p2));
    FILE *f1 = fopen(path, "rb"), *f2 = fopen(p2, "rb");
    int c1, c2;
    do {
        c1 = fgetc(f1), c2 = fgetc(f2);
        assert_int_equal(c1, c2);
    } while (c1 != EOF);
    fclose(f1), fclose(f2);
    WN_EXPECT_ERR(wn_iforest_load(tmp_path("absent.wnm"), &l), WN_EIO, "absent.wnm");
    free(a), free(b);
    unlink(path), unlink(p2);
    wn_iforest_free(m), wn_iforest_free(l);
    wn_table_free(t);
}

/* Re-saves the model's sections after `edit` changed a copy of them (or the
 * header after `hedit` replaced text) and expects the load to fail. */
typedef void (*edit_fn)(uint8_t *trees, uint8_t *nodes, size_t nnodes);

static void expect_refused(const wn_iforest *m, edit_fn edit, const char *from, const char *to,
                           const char *needle)
{
    const char *path = tmp_path("bad.wnm");
    const int64_t total = m->off[m->trees];
    WN_OK_OR_FAIL(wn_iforest_save(m, path));
    wn__container *c = NULL;
    WN_OK_OR_FAIL(wn__container_load(path, &c));
    const void *tp, *np;
    size_t tn, nn;
    WN_OK_OR_FAIL(wn__container_section(c, "trees", &tp, &tn));
    WN_OK_OR_FAIL(wn__container_section(c, "nodes", &np, &nn));
    assert_int_equal(nn, (size_t)total * WN__IF_NODE_REC);
    uint8_t *tr = malloc(tn), *nd = malloc(nn);
    memcpy(tr, tp, tn), memcpy(nd, np, nn);
    if (edit)
        edit(tr, nd, (size_t)total);
    const char *h = wn__container_header(c, NULL);
    char *hdr = malloc(strlen(h) + 256);
    strcpy(hdr, h);
    if (from) {
        char *at = strstr(hdr, from);
        assert_non_null(at);
        char rest[8192];
        snprintf(rest, sizeof rest, "%s", at + strlen(from));
        strcpy(at, to);
        strcat(at, rest);
    }
    wn__section secs[2] = {{"trees", tr, tn}, {"nodes", nd, nn}};
    WN_OK_OR_FAIL(wn__container_save(path, hdr, secs, 2));
    wn__container_free(c);
    wn_iforest *l = NULL;
    WN_EXPECT_ERR(wn_iforest_load(path, &l), WN_EFORMAT, needle);
    assert_non_null(strstr(wn_errmsg(), "bad.wnm"));
    assert_null(l);
    free(tr), free(nd), free(hdr);
    unlink(path);
}

static void child_out_of_range(uint8_t *tr, uint8_t *nd, size_t n)
{
    (void)tr, (void)n;
    wn__put_le32(nd + 8, 100000); /* root's child */
}
static void child_backwards(uint8_t *tr, uint8_t *nd, size_t n)
{
    (void)tr, (void)n;
    /* node 1 (internal in these trees) points back at the root's children */
    assert_true(wn__get_le32(nd + 12) != 0xFFFFFFFFu);
    wn__put_le32(nd + 12 + 8, 1);
}
static void feature_out_of_range(uint8_t *tr, uint8_t *nd, size_t n)
{
    (void)tr, (void)n;
    wn__put_le32(nd, 5);
}
static void threshold_nan(uint8_t *tr, uint8_t *nd, size_t n)
{
    (void)tr, (void)n;
    wn__put_le32(nd + 4, 0x7FC00000u);
}
static void leaf_size(uint8_t *tr, uint8_t *nd, size_t n)
{
    (void)tr;
    for (size_t i = 0; i < n; i++)
        if (wn__get_le32(nd + i * 12) == 0xFFFFFFFFu) {
            wn__put_le32(nd + i * 12 + 8, wn__get_le32(nd + i * 12 + 8) + 1);
            return;
        }
}
static void shared_child(uint8_t *tr, uint8_t *nd, size_t n)
{
    (void)tr, (void)n;
    /* node 1 gets node 2's children: they have two parents now */
    memcpy(nd + 12 + 8, nd + 24 + 8, 4);
}
static void tree_count(uint8_t *tr, uint8_t *nd, size_t n)
{
    (void)nd, (void)n;
    wn__put_le32(tr, wn__get_le32(tr) + 2);
}

static void test_corrupt(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = planted(1000, 9);
    wn_iforest *m = fit(t, 5, 1, 0);
    expect_refused(m, child_out_of_range, NULL, NULL, "child");
    expect_refused(m, child_backwards, NULL, NULL, "child");
    expect_refused(m, feature_out_of_range, NULL, NULL, "feature 5");
    expect_refused(m, threshold_nan, NULL, NULL, "threshold");
    expect_refused(m, leaf_size, NULL, NULL, "leaves hold");
    expect_refused(m, shared_child, NULL, NULL, "parent");
    expect_refused(m, tree_count, NULL, NULL, "nodes");
    expect_refused(m, NULL, "\"kind\": \"iforest\"", "\"kind\": \"pca\"", "not an isolation");
    expect_refused(m, NULL, "\"trees\": 5", "\"trees\": 6", "4 per tree");
    expect_refused(m, NULL, "\"depth_limit\": 8", "\"depth_limit\": 7", "depth_limit");
    expect_refused(m, NULL, "\"format_version\": 1", "\"format_version\": 2", "newer");
    expect_refused(m, NULL, "\"n_rows\": 1000", "\"n_rows\": -3", "n_rows");
    /* a shallower limit makes the deep splits illegal */
    expect_refused(m, NULL, "\"max_depth\": 0", "\"max_depth\": 3", "depth_limit");
    wn_iforest_free(m);
    wn_table_free(t);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = planted(500, 10);
    wn_table_column_mut(t, 1)[3] = NAN;
    const char *path = tmp_path("af.wnm");
    double *s = malloc(sizeof(double) * 500);
    int ok = 0;
    for (int64_t f = 1; f < 5000 && !ok; f++) {
        wn_iforest_params p = wn_iforest_params_default();
        p.trees = 7;
        p.data.threads = 2;
        p.data.standardize = 1;
        p.data.drop_missing = 1;
        wn_iforest *m = NULL, *l = NULL;
        wn__alloc_fail_at(f);
        wn_status st = wn_iforest_fit(t, &p, &m);
        if (st == WN_OK)
            st = wn_iforest_save(m, path);
        if (st == WN_OK)
            st = wn_iforest_load(path, &l);
        if (st == WN_OK)
            st = wn_iforest_score(l, t, 1, 2, s);
        wn__alloc_fail_at(0);
        if (st == WN_OK)
            ok = 1;
        else if (st != WN_ENOMEM)
            fail_msg("fail at %lld: %s: %s", (long long)f, wn_status_name(st), wn_errmsg());
        wn_iforest_free(m);
        wn_iforest_free(l);
    }
    assert_true(ok);
    free(s);
    unlink(path);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c_and_defaults),  cmocka_unit_test(test_planted_outliers),
        cmocka_unit_test(test_reference_walk),  cmocka_unit_test(test_threads_deterministic),
        cmocka_unit_test(test_weights),         cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_views_and_small), cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_corrupt),         cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
