/* decoy.c — the decoy test: does an irrelevant variable stay irrelevant?
 *
 * Physicists distrust a feature ranking until they have seen a variable that
 * cannot carry information be ranked as such. The test retrains the model
 * with decoys added to the features and asks whether any decoy matters:
 *   - decoy_shuffled: the most important feature (by split gain) with its
 *     values permuted among the rows — its distribution, binning and split
 *     opportunities are exactly those of a real, strong feature, but its
 *     link to the label is destroyed;
 *   - decoy_noise: standard normal noise;
 *   - optionally a named existing column (the tests plant a label copy with
 *     noise there, which must FAIL).
 * Importance is measured by permutation (wn_gbdt_permutation_importance) on
 * held-out rows, so a decoy the trees split on by chance, but which does
 * not change predictions that matter, still passes. A decoy passes when its
 * mean importance is within twice its spread over the repeats, or below 1%
 * of the top real feature's. Everything goes through the public API; the
 * permutations and the noise come from the counter RNG, so the verdict is
 * reproducible. */
#include "core.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DECOY_STREAM 0x4445434f59ull /* "DECOY" */

/* A copy of t's logical rows with the same names and roles, plus the decoys
 * (shuffled copy of column `topc`, noise, and extra as a feature). */
static wn_status augment(const wn_table *t, int64_t topc, const char *extra, uint64_t seed,
                         wn_table **out)
{
    const int64_t n = wn_table_nrows(t), nc = wn_table_ncols(t);
    wn_table *a = NULL;
    float *buf = wn__malloc_array((size_t)(n ? n : 1), sizeof *buf);
    if (!buf)
        return wn__oom("decoy table");
    wn_status st = wn_table_create(n, &a);
    for (int64_t c = 0; st == WN_OK && c < nc; c++) {
        wn_table_gather(t, c, buf);
        st = wn_table_add_column(a, wn_table_name(t, c), buf);
        if (st == WN_OK)
            st = wn_table_set_role(a, c, wn_table_role(t, c));
        if (st == WN_OK && extra && !strcmp(wn_table_name(t, c), extra))
            st = wn_table_set_role(a, c, WN_ROLE_FEATURE);
    }
    if (st == WN_OK) {
        wn_table_gather(t, topc, buf);
        wn_rng r = wn_rng_make(seed ^ DECOY_STREAM, 1);
        for (int64_t i = n - 1; i > 0; i--) {
            int64_t j = (int64_t)wn_rng_below(&r, (uint64_t)(i + 1));
            float tmp = buf[i];
            buf[i] = buf[j];
            buf[j] = tmp;
        }
        st = wn_table_add_column(a, "decoy_shuffled", buf);
    }
    if (st == WN_OK) {
        wn_rng r = wn_rng_make(seed ^ DECOY_STREAM, 2);
        for (int64_t i = 0; i < n; i++)
            buf[i] = (float)wn_rng_normal(&r);
        st = wn_table_add_column(a, "decoy_noise", buf);
    }
    wn_free(buf);
    if (st != WN_OK) {
        wn_table_free(a);
        return st;
    }
    *out = a;
    return WN_OK;
}

static int64_t index_of(const wn_model *m, const char *name)
{
    for (int64_t i = 0, nf = wn_model_num_features(m); i < nf; i++)
        if (!strcmp(wn_model_feature_name(m, i), name))
            return i;
    return -1;
}

wn_status wn_gbdt_decoy_test(const wn_model *m, const wn_table *train, const wn_table *test,
                             const wn_gbdt_params *p, const char *extra_decoy, int repeats,
                             wn_decoy_result *out)
{
    if (!m || !train || !p || !out)
        return wn__fail(WN_EINVAL, "decoy test: %s is NULL",
                        !m ? "model" : !train ? "train" : !p ? "params" : "out");
    if (repeats < 2)
        return wn__fail(WN_EINVAL, "decoy test: repeats = %d, need at least 2", repeats);
    const int64_t nf = wn_model_num_features(m);
    if (nf < 1)
        return wn__fail(WN_EINVAL, "decoy test: the model has no features");
    const wn_table *tabs[2] = {train, test};
    for (int k = 0; k < 2; k++) {
        int64_t c;
        if (tabs[k] && (wn_table_find(tabs[k], "decoy_shuffled", &c) == WN_OK ||
                        wn_table_find(tabs[k], "decoy_noise", &c) == WN_OK))
            return wn__fail(WN_EINVAL, "decoy test: the data already has a column named "
                                       "decoy_shuffled or decoy_noise");
    }
    if (extra_decoy) {
        int64_t c;
        for (int k = 0; k < 2; k++)
            if (tabs[k] && wn_table_find(tabs[k], extra_decoy, &c) != WN_OK)
                return wn__fail(WN_ENOTFOUND, "decoy test: extra decoy column '%s' not found",
                                extra_decoy);
        if (index_of(m, extra_decoy) >= 0)
            return wn__fail(WN_EINVAL, "decoy test: '%s' is already a feature of the model",
                            extra_decoy);
    }
    /* the most important real feature, by split gain */
    double *gain = wn__malloc_array((size_t)nf, sizeof *gain);
    if (!gain)
        return wn__oom("decoy test");
    wn_status st = wn_gbdt_importance(m, WN_IMPORTANCE_GAIN, gain);
    int64_t top = 0;
    for (int64_t i = 1; st == WN_OK && i < nf; i++)
        if (gain[i] > gain[top])
            top = i;
    wn_free(gain);
    if (st != WN_OK)
        return st;
    const char *top_name = wn_model_feature_name(m, top);
    int64_t topc_train, topc_test = -1;
    if (wn_table_find(train, top_name, &topc_train) != WN_OK ||
        (test && wn_table_find(test, top_name, &topc_test) != WN_OK))
        return wn__fail(WN_ENOTFOUND, "decoy test: feature '%s' not in the data", top_name);

    wn_table *atr = NULL, *ate = NULL;
    wn_model *m2 = NULL;
    double *mean = NULL, *sd = NULL;
    if ((st = augment(train, topc_train, extra_decoy, p->seed, &atr)) != WN_OK)
        goto done;
    if (test && (st = augment(test, topc_test, extra_decoy, p->seed + 1, &ate)) != WN_OK)
        goto done;
    /* early stopping needs validation data: the held-out rows serve, as they
     * would for the original model */
    const wn_table *valid = p->early_stopping_rounds > 0 && !(p->valid_fraction > 0.0) ? ate
                                                                                       : NULL;
    if ((st = wn_gbdt_train(atr, valid, p, &m2)) != WN_OK)
        goto done;
    const int64_t nf2 = wn_model_num_features(m2);
    mean = wn__malloc_array((size_t)nf2, sizeof *mean);
    sd = wn__malloc_array((size_t)nf2, sizeof *sd);
    if (!mean || !sd) {
        st = wn__oom("decoy test");
        goto done;
    }
    wn_metric met = wn_model_objective(m2) == WN_OBJ_BINARY ? WN_METRIC_AUC : WN_METRIC_DEFAULT;
    if ((st = wn_gbdt_permutation_importance(m2, ate ? ate : atr, met, repeats, p->seed,
                                             p->threads, mean, sd)) != WN_OK)
        goto done;
    memset(out, 0, sizeof *out);
    const char *dn[3] = {"decoy_shuffled", "decoy_noise", extra_decoy};
    out->ndecoys = extra_decoy ? 3 : 2;
    out->top_mean = -HUGE_VAL;
    for (int64_t i = 0; i < nf2; i++) {
        const char *nm = wn_model_feature_name(m2, i);
        int is_decoy = 0;
        for (int d = 0; d < out->ndecoys; d++)
            is_decoy |= !strcmp(nm, dn[d]);
        if (!is_decoy && mean[i] > out->top_mean) {
            out->top_mean = mean[i];
            snprintf(out->top_name, sizeof out->top_name, "%s", nm);
        }
    }
    out->all_pass = 1;
    for (int d = 0; d < out->ndecoys; d++) {
        int64_t i = index_of(m2, dn[d]);
        if (d == 0)
            snprintf(out->names[d], sizeof out->names[d], "decoy_shuffled (shuffled %.50s)",
                     top_name);
        else
            snprintf(out->names[d], sizeof out->names[d], "%.79s", dn[d]);
        if (i < 0) { /* cannot happen: every feature of the table is in m2 */
            st = wn__fail(WN_EINTERNAL, "decoy test: decoy '%s' missing from the model", dn[d]);
            goto done;
        }
        out->mean[d] = mean[i];
        out->std[d] = sd[i];
        out->pass[d] = mean[i] <= 2.0 * sd[i] || mean[i] <= 0.01 * out->top_mean;
        out->all_pass &= out->pass[d];
    }
done:
    wn_free(mean);
    wn_free(sd);
    wn_model_free(m2);
    wn_table_free(atr);
    wn_table_free(ate);
    return st;
}
