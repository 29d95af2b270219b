/* test_baskets.c — iterative anomaly baskets (src/cluster/baskets.c).
 *
 * A 5-D Gaussian with two kinds of planted anomaly: 20 isolated outliers
 * far out in random directions, and a tight cluster of 20 events far from
 * everything (a clustered anomaly, which masks itself: a detector fitted on
 * it learns it as normal). Properties checked: the first basket holds the
 * isolated outliers and not the masked cluster, which surfaces once they
 * are out of the pool; after three rounds the baskets hold every planted
 * anomaly; no event is basketed twice; a judge
 * that calls everything ordinary keeps the pool whole; candidates leave the
 * pool; the score history has a row per round; runs do not depend on the
 * thread count; missing rows score NaN and are never basketed; the PCA
 * detector finds events off the data's plane; bad parameters are refused;
 * every allocation failure is survived. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

#define NNORM 2000
#define NISO 20
#define NCLU 20
#define NALL (NNORM + NISO + NCLU)

/* Rows 0..NNORM-1 ordinary, then the isolated outliers, then the cluster;
 * column "kind" (role label): 0, 1, 2. plane: the ordinary events lie near
 * the plane of the first two axes (for the PCA detector). */
static wn_table *planted(int plane)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(NALL, &t));
    float *v = malloc(sizeof(float) * NALL * 6);
    wn_rng r = wn_rng_make(11, plane);
    for (int64_t i = 0; i < NALL; i++) {
        double z[5], norm = 0;
        for (int f = 0; f < 5; f++) {
            z[f] = wn_rng_normal(&r);
            norm += z[f] * z[f];
        }
        int kind = i < NNORM ? 0 : i < NNORM + NISO ? 1 : 2;
        for (int f = 0; f < 5; f++) {
            double x = z[f];
            if (kind == 0 && plane && f >= 2)
                x *= 0.05;
            if (kind == 1)
                x *= 8.0 / sqrt(norm);
            if (kind == 2)
                x = (plane ? 1.0 : 4.0) + 0.02 * z[f];
            v[f * NALL + i] = (float)x;
        }
        v[5 * NALL + i] = (float)kind;
    }
    static const char *names[5] = {"a", "b", "c", "d", "e"};
    for (int f = 0; f < 5; f++)
        WN_OK_OR_FAIL(wn_table_add_column(t, names[f], v + f * NALL));
    WN_OK_OR_FAIL(wn_table_add_column(t, "kind", v + 5 * NALL));
    WN_OK_OR_FAIL(wn_table_set_role(t, 5, WN_ROLE_LABEL));
    free(v);
    return t;
}

/* Checks the invariants every result must keep; returns how many planted
 * anomalies the baskets hold. */
static int check(const wn_baskets *b, int rounds, int64_t bs)
{
    assert_int_equal(b->rounds, rounds);
    assert_int_equal(b->nrows, NALL);
    assert_int_equal(b->basket_size, bs);
    uint8_t *seen = calloc(NALL, 1);
    int found = 0;
    for (int r = 0; r < rounds; r++) {
        for (int64_t i = 0; i < bs; i++) {
            int64_t row = b->basket_rows[r * bs + i];
            assert_true(row >= 0 && row < NALL);
            assert_false(seen[row]); /* never basketed twice */
            seen[row] = 1;
            found += row >= NNORM;
            assert_true(b->basket_scores[r * bs + i] == b->scores[r * NALL + row]);
            if (i > 0) /* best first */
                assert_true(b->basket_scores[r * bs + i] <= b->basket_scores[r * bs + i - 1]);
        }
        for (int64_t i = 0; i < NALL; i++)
            assert_true(isfinite(b->scores[r * NALL + i]));
    }
    free(seen);
    return found;
}

static void test_finds_all_planted(void **state)
{
    (void)state;
    wn_table *t = planted(0);
    wn_baskets_params p = wn_baskets_params_default();
    assert_int_equal(p.rounds, 3);
    assert_int_equal(p.basket_size, 50);
    assert_int_equal(p.data.standardize, 1);
    assert_int_equal(p.method, WN_ANOMALY_IFOREST);
    p.basket_size = 20;
    p.rounds = 3;
    p.iforest_sample = NALL; /* every tree sees the whole cluster: it masks itself */
    wn_baskets *b = NULL;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &b));
    assert_int_equal(check(b, 3, 20), NISO + NCLU);
    /* round 1 finds the isolated outliers; the cluster, learnt as normal,
     * surfaces only once they have left the pool */
    int iso0 = 0, clu0 = 0;
    for (int i = 0; i < 20; i++) {
        int64_t row = b->basket_rows[i];
        iso0 += row >= NNORM && row < NNORM + NISO;
        clu0 += row >= NNORM + NISO;
    }
    assert_true(iso0 >= 18);
    assert_true(clu0 <= 2);
    double c0 = 0, c1 = 0;
    for (int64_t i = NNORM + NISO; i < NALL; i++)
        c0 += b->scores[i], c1 += b->scores[NALL + i];
    assert_true(c1 > c0);
    /* no judge: every basket event is a candidate and leaves the pool */
    assert_int_equal(b->pool_size[0], NALL);
    assert_int_equal(b->pool_size[1], NALL - 20);
    assert_int_equal(b->pool_size[2], NALL - 40);
    for (int i = 0; i < 60; i++)
        assert_int_equal(b->basket_ordinary[i], 0);
    wn_baskets_free(b);
    wn_table_free(t);
}

static int all_ordinary(void *ud, int round, const int64_t *rows, const double *scores, int64_t n,
                        uint8_t *ordinary)
{
    int *calls = ud;
    assert_int_equal(round, *calls);
    (*calls)++;
    for (int64_t i = 0; i < n; i++) {
        assert_true(rows[i] >= 0 && isfinite(scores[i]));
        ordinary[i] = 1;
    }
    return 0;
}

/* Marks the isolated outliers ordinary, the rest candidates. */
static int iso_ordinary(void *ud, int round, const int64_t *rows, const double *scores, int64_t n,
                        uint8_t *ordinary)
{
    (void)ud, (void)round, (void)scores;
    for (int64_t i = 0; i < n; i++)
        ordinary[i] = rows[i] >= NNORM && rows[i] < NNORM + NISO ? 7 : 0;
    return 0;
}

static int cancel(void *ud, int round, const int64_t *rows, const double *scores, int64_t n,
                  uint8_t *ordinary)
{
    (void)ud, (void)rows, (void)scores, (void)n, (void)ordinary;
    return round == 1;
}

static void test_judge(void **state)
{
    (void)state;
    wn_table *t = planted(0);
    wn_baskets_params p = wn_baskets_params_default();
    p.basket_size = 15;
    p.iforest_trees = 50;
    int calls = 0;
    p.judge = all_ordinary;
    p.judge_ud = &calls;
    wn_baskets *b = NULL;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &b));
    assert_int_equal(calls, 3);
    check(b, 3, 15);
    for (int r = 0; r < 3; r++)
        assert_int_equal(b->pool_size[r], NALL);
    for (int i = 0; i < 45; i++)
        assert_int_equal(b->basket_ordinary[i], 1);
    wn_baskets_free(b);

    p.judge = iso_ordinary;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &b));
    check(b, 3, 15);
    int64_t pool = NALL;
    for (int r = 0; r < 3; r++) {
        assert_int_equal(b->pool_size[r], pool);
        for (int i = 0; i < 15; i++) {
            int64_t row = b->basket_rows[r * 15 + i];
            int iso = row >= NNORM && row < NNORM + NISO;
            assert_int_equal(b->basket_ordinary[r * 15 + i], iso); /* normalised to 0/1 */
            pool -= !iso;
        }
    }
    wn_baskets_free(b);

    p.judge = cancel;
    b = NULL;
    WN_EXPECT_ERR(wn_anomaly_baskets(t, &p, &b), WN_EINVAL, "cancelled");
    assert_null(b);
    wn_table_free(t);
}

static void test_deterministic(void **state)
{
    (void)state;
    wn_table *t = planted(0);
    wn_baskets_params p = wn_baskets_params_default();
    p.basket_size = 10;
    p.iforest_trees = 30;
    p.data.threads = 1;
    wn_baskets *a = NULL, *b = NULL, *c = NULL;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &a));
    p.data.threads = 2;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &b));
    assert_memory_equal(a->basket_rows, b->basket_rows, sizeof(int64_t) * 30);
    assert_memory_equal(a->scores, b->scores, sizeof(double) * 3 * NALL);
    /* rounds use different seeds: round 2's scores are not round 1's
     * (the pool changed too), and another seed changes the run */
    assert_true(memcmp(a->scores, a->scores + NALL, sizeof(double) * NALL) != 0);
    p.data.seed = 7;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &c));
    assert_true(memcmp(a->scores, c->scores, sizeof(double) * NALL) != 0);
    wn_baskets_free(a), wn_baskets_free(b), wn_baskets_free(c);
    wn_table_free(t);
}

static void test_missing(void **state)
{
    (void)state;
    wn_table *t = planted(0);
    /* the most anomalous isolated outlier gets a NaN */
    wn_table_column_mut(t, 3)[NNORM + 4] = NAN;
    wn_baskets_params p = wn_baskets_params_default();
    p.basket_size = 20;
    p.iforest_trees = 50;
    wn_baskets *b = NULL;
    WN_EXPECT_ERR(wn_anomaly_baskets(t, &p, &b), WN_ENUMERIC, "column 'd'");
    assert_non_null(strstr(wn_errmsg(), "row 2005"));
    p.data.drop_missing = 1;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &b));
    assert_int_equal(b->pool_size[0], NALL - 1);
    for (int r = 0; r < b->rounds; r++) {
        assert_true(isnan(b->scores[r * NALL + NNORM + 4]));
        for (int i = 0; i < 20; i++)
            assert_true(b->basket_rows[r * 20 + i] != NNORM + 4);
    }
    wn_baskets_free(b);
    wn_table_free(t);
}

/* Fewer eligible events than baskets want: the last basket is short, padded
 * with -1, and the loop stops when nothing is left. */
static void test_short_baskets(void **state)
{
    (void)state;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(30, &t));
    float v[30];
    for (int i = 0; i < 30; i++)
        v[i] = (float)(i * i % 17);
    WN_OK_OR_FAIL(wn_table_add_column(t, "x", v));
    wn_baskets_params p = wn_baskets_params_default();
    p.basket_size = 12;
    p.rounds = 5;
    p.iforest_trees = 10;
    int calls = 0;
    p.judge = all_ordinary; /* the pool stays whole, so each round can fit */
    p.judge_ud = &calls;
    wn_baskets *b = NULL;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &b));
    assert_int_equal(b->rounds, 3);
    for (int i = 0; i < 6; i++)
        assert_true(b->basket_rows[24 + i] >= 0);
    for (int i = 6; i < 12; i++) {
        assert_int_equal(b->basket_rows[24 + i], -1);
        assert_true(isnan(b->basket_scores[24 + i]));
    }
    wn_baskets_free(b);
    wn_table_free(t);
}

static void test_pca(void **state)
{
    (void)state;
    wn_table *t = planted(1);
    wn_baskets_params p = wn_baskets_params_default();
    p.method = WN_ANOMALY_PCA;
    p.data.standardize = 0;
    p.basket_size = 20;
    wn_baskets *b = NULL;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &b));
    assert_int_equal(check(b, 3, 20), NISO + NCLU);
    wn_baskets_free(b);
    p.pca_components = 2;
    WN_OK_OR_FAIL(wn_anomaly_baskets(t, &p, &b));
    assert_int_equal(check(b, 3, 20), NISO + NCLU);
    wn_baskets_free(b);
    b = NULL;
    p.pca_components = 5;
    WN_EXPECT_ERR(wn_anomaly_baskets(t, &p, &b), WN_EINVAL, "pca_components = 5");
    assert_null(b);
    wn_table_free(t);
}

static void test_bad_params(void **state)
{
    (void)state;
    wn_table *t = planted(0);
    wn_baskets_params p = wn_baskets_params_default();
    wn_baskets *b = NULL;
    p.rounds = 0;
    WN_EXPECT_ERR(wn_anomaly_baskets(t, &p, &b), WN_EINVAL, "rounds = 0");
    p = wn_baskets_params_default();
    p.basket_size = 0;
    WN_EXPECT_ERR(wn_anomaly_baskets(t, &p, &b), WN_EINVAL, "basket_size = 0");
    p = wn_baskets_params_default();
    p.iforest_trees = 0;
    WN_EXPECT_ERR(wn_anomaly_baskets(t, &p, &b), WN_EINVAL, "iforest_trees = 0");
    p = wn_baskets_params_default();
    p.method = (wn_anomaly_method)9;
    WN_EXPECT_ERR(wn_anomaly_baskets(t, &p, &b), WN_EINVAL, "method 9");
    p = wn_baskets_params_default();
    WN_EXPECT_ERR(wn_anomaly_baskets(NULL, &p, &b), WN_EINVAL, "NULL");
    assert_null(b);
    wn_anomaly_method m;
    WN_OK_OR_FAIL(wn_anomaly_method_parse("iforest", &m));
    assert_int_equal(m, WN_ANOMALY_IFOREST);
    WN_OK_OR_FAIL(wn_anomaly_method_parse("pca", &m));
    assert_int_equal(m, WN_ANOMALY_PCA);
    WN_EXPECT_ERR(wn_anomaly_method_parse("lof", &m), WN_EINVAL, "iforest, pca");
    WN_EXPECT_ERR(wn_anomaly_method_parse(NULL, &m), WN_EINVAL, "valid");
    wn_baskets_free(NULL);
    wn_table_free(t);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    wn_table *t = planted(1);
    int ok = 0;
    for (int64_t f = 1; f < 5000 && !ok; f++) {
        wn_baskets_params p = wn_baskets_params_default();
        p.rounds = 2;
        p.basket_size = 5;
        p.iforest_trees = 3;
        p.data.threads = 2;
        p.method = f % 2 ? WN_ANOMALY_IFOREST : WN_ANOMALY_PCA;
        wn_baskets *b = NULL;
        wn__alloc_fail_at(f / 2 + 1);
        wn_status s = wn_anomaly_baskets(t, &p, &b);
        wn__alloc_fail_at(0);
        if (s == WN_OK && p.method == WN_ANOMALY_PCA)
            ok = 1;
        else if (s != WN_OK && s != WN_ENOMEM)
            fail_msg("fail at %lld: %s: %s", (long long)f, wn_status_name(s), wn_errmsg());
        wn_baskets_free(b);
    }
    assert_true(ok);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finds_all_planted), cmocka_unit_test(test_judge),
        cmocka_unit_test(test_deterministic),     cmocka_unit_test(test_missing),
        cmocka_unit_test(test_short_baskets),     cmocka_unit_test(test_pca),
        cmocka_unit_test(test_bad_params),        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
