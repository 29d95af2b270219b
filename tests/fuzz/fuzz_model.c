/* fuzz_model.c — libFuzzer target for the GBDT model loader.
 *
 * Feeds the bytes to wn__model_load_mem. A failure must explain itself in one
 * line that starts with the file's name. A model that loads is then used:
 * its accessors are read and it predicts a small table whose columns carry
 * the model's feature names (values spread over every bin, with NaN and
 * +-inf), with one and two threads and both kinds, routed by fold when the
 * model has folds. That proves the loader's checks are enough for
 * prediction to stay in bounds and terminate (ASan/UBSan watch the walk).
 * The seeds (tests/fuzz/corpus/model) are valid files written by
 * tests/unit/tree/test_model.c; libFuzzer's CMP tracing gets past the CRCs. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NROWS 67

static void use(const wn_model *m)
{
    int64_t nf = wn_model_num_features(m);
    int K = wn_model_num_outputs(m);
    if (nf < 1 || K < 1 || !wn_model_header(m) || strcmp(wn_model_kind(m), "gbdt") != 0)
        abort();
    for (int f = 0; f < wn_model_num_folds(m); f++) {
        int64_t n;
        if (wn_model_history(m, f, NULL, NULL, NULL, &n) != WN_OK || n < 1 ||
            wn_model_num_rounds(m, f) < 1)
            abort();
    }
    if (nf > 200)
        return; /* keep each run fast */
    wn_table *t = NULL;
    if (wn_table_create(NROWS, &t) != WN_OK)
        return;
    float col[NROWS];
    for (int64_t f = 0; f < nf; f++) {
        for (int r = 0; r < NROWS; r++)
            col[r] = r == 0   ? NAN
                     : r == 1 ? INFINITY
                     : r == 2 ? -INFINITY
                              : (float)((r * 7 + f) % 61) - 30.0f;
        if (wn_table_add_column(t, wn_model_feature_name(m, f), col) != WN_OK) {
            wn_table_free(t);
            return;
        }
    }
    const char *fb = wn_model_fold_by(m);
    if (fb && wn_table_find(t, fb, &(int64_t){0}) != WN_OK) {
        for (int r = 0; r < NROWS; r++)
            col[r] = (float)r;
        if (wn_table_add_column(t, fb, col) != WN_OK) {
            wn_table_free(t);
            return;
        }
    }
    double *out = malloc(sizeof(double) * NROWS * (size_t)K);
    double *out2 = malloc(sizeof(double) * NROWS * (size_t)K);
    if (out && out2) {
        for (int kind = 0; kind < 2; kind++) {
            wn_status s1 = wn_gbdt_predict(m, t, (wn_predict_kind)kind, 1, out);
            wn_status s2 = wn_gbdt_predict(m, t, (wn_predict_kind)kind, 2, out2);
            if (s1 != s2)
                abort();
            if (s1 == WN_OK && memcmp(out, out2, sizeof(double) * NROWS * (size_t)K) != 0)
                abort();
        }
    }
    free(out);
    free(out2);
    wn_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wn_model *m = NULL;
    wn_status s = wn__model_load_mem("fuzz.wnm", data, size, &m);
    if (s != WN_OK) {
        if (m || strncmp(wn_errmsg(), "fuzz.wnm: ", 10) != 0 || strchr(wn_errmsg(), '\n'))
            abort();
        return 0;
    }
    use(m);
    wn_model_free(m);
    return 0;
}
