/* test_decoy.c — the decoy test passes a clean model and fails a planted
 * informative "decoy" (the label plus noise), as issue 5 asks; bad inputs. */
#include "wn_test.h"

#include <math.h>

static wn_table *higgs(int64_t rows)
{
    wn_sim_params sp;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &sp);
    sp.rows = rows;
    sp.seed = 5;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_HIGGS_LIKE, &sp, &t, NULL));
    /* a planted leak, not a feature: label + N(0, 0.5) */
    int64_t lc = wn_table_role_column(t, WN_ROLE_LABEL);
    float *v = malloc((size_t)rows * sizeof *v);
    wn_rng r = wn_rng_make(99, 0);
    for (int64_t i = 0; i < rows; i++)
        v[i] = wn_table_get(t, i, lc) + (float)(0.5 * wn_rng_normal(&r));
    WN_OK_OR_FAIL(wn_table_add_column(t, "leaky", v));
    WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 1, WN_ROLE_IGNORED));
    free(v);
    return t;
}

typedef struct split {
    wn_table *all, *train, *test;
} split;

static void split_make(split *s)
{
    s->all = higgs(6000);
    int64_t a[4000], b[2000];
    for (int64_t i = 0; i < 4000; i++)
        a[i] = i;
    for (int64_t i = 0; i < 2000; i++)
        b[i] = 4000 + i;
    WN_OK_OR_FAIL(wn_table_view_rows(s->all, a, 4000, &s->train));
    WN_OK_OR_FAIL(wn_table_view_rows(s->all, b, 2000, &s->test));
}

static void split_free(split *s)
{
    wn_table_free(s->train);
    wn_table_free(s->test);
    wn_table_free(s->all);
}

static void params(wn_gbdt_params *p)
{
    wn_gbdt_params_default(p);
    p->rounds = 30;
    p->num_leaves = 15;
}

static void test_clean_and_planted(void **state)
{
    (void)state;
    split s;
    split_make(&s);
    wn_gbdt_params p;
    params(&p);
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(s.train, NULL, &p, &m));
    wn_decoy_result r;
    WN_OK_OR_FAIL(wn_gbdt_decoy_test(m, s.train, s.test, &p, NULL, 5, &r));
    assert_int_equal(r.ndecoys, 2);
    for (int d = 0; d < 2; d++)
        if (!r.pass[d])
            fail_msg("clean decoy %s failed: %g +- %g (top %s %g)", r.names[d], r.mean[d],
                     r.std[d], r.top_name, r.top_mean);
    assert_true(r.all_pass);
    assert_true(r.top_mean > 0.01);
    assert_non_null(strstr(r.names[0], "shuffled"));

    WN_OK_OR_FAIL(wn_gbdt_decoy_test(m, s.train, s.test, &p, "leaky", 5, &r));
    assert_int_equal(r.ndecoys, 3);
    assert_false(r.pass[2]);
    assert_false(r.all_pass);
    assert_true(r.mean[2] > 10.0 * r.std[2]);

    /* reproducible: the same verdict and numbers */
    wn_decoy_result r2;
    WN_OK_OR_FAIL(wn_gbdt_decoy_test(m, s.train, s.test, &p, "leaky", 5, &r2));
    assert_memory_equal(r.mean, r2.mean, sizeof r.mean);
    wn_model_free(m);
    split_free(&s);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    split s;
    split_make(&s);
    wn_gbdt_params p;
    params(&p);
    p.rounds = 3;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(s.train, NULL, &p, &m));
    wn_decoy_result r;
    WN_EXPECT_ERR(wn_gbdt_decoy_test(m, s.train, s.test, &p, NULL, 1, &r), WN_EINVAL, "repeats");
    WN_EXPECT_ERR(wn_gbdt_decoy_test(m, s.train, s.test, &p, "nope", 3, &r), WN_ENOTFOUND,
                  "nope");
    WN_EXPECT_ERR(wn_gbdt_decoy_test(m, s.train, s.test, &p, "m_bb", 3, &r), WN_EINVAL,
                  "already a feature");
    WN_EXPECT_ERR(wn_gbdt_decoy_test(NULL, s.train, s.test, &p, NULL, 3, &r), WN_EINVAL, "model");
    float *z = calloc((size_t)wn_table_nrows(s.all), sizeof *z);
    WN_OK_OR_FAIL(wn_table_add_column(s.all, "decoy_noise", z));
    WN_OK_OR_FAIL(wn_table_set_role(s.all, wn_table_ncols(s.all) - 1, WN_ROLE_IGNORED));
    WN_EXPECT_ERR(wn_gbdt_decoy_test(m, s.all, NULL, &p, NULL, 3, &r), WN_EINVAL, "decoy_noise");
    free(z);
    wn_model_free(m);
    split_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_and_planted),
        cmocka_unit_test(test_bad_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
