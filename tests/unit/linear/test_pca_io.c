/* test_pca_io.c — the PCA model file (src/linear/pca_io.c).
 *
 * A save/load round trip gives bit-identical transform outputs and the same
 * file bytes when saved again; every inconsistent header (written by hand
 * through the container layer, so the checksums are right) and every bad
 * "components" section is refused with WN_EFORMAT naming the file; byte
 * edits anywhere in the header give a refusal or a model that runs, never
 * a crash (the sanitizer build watches); an allocation-failure sweep over
 * fit, save, load and transform proves every error path frees what it took
 * (Pearson 1901 and Jolliffe 2002 for the model itself). */
#include "wn_test.h"

#include "core.h"
#include "io/container.h"
#include "json.h"
#include "linear/pca.h"
#include "pca_test_util.h"

#include <math.h>

static void test_save_load(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    enum { D = 6 };
    const int64_t n = 3000;
    double Q[D * D], sd[D] = {3, 2, 1.5, 1, 0.5, 0.2}, mu[D] = {0, 1, 2, 3, 4, 5e3};
    random_rotation(D, Q);
    double *X = gaussian_data(n, D, Q, sd, mu), *w = malloc(sizeof(double) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        w[i] = 1 + urand();
    X[7 * D + 2] = (double)NAN; /* dropped */
    wn_table *t = make_table(X, n, D, w);
    wn_pca_params p = wn_pca_params_default();
    p.components = 4;
    p.whiten = 1;
    p.data.standardize = 1;
    p.data.drop_missing = 1;
    p.data.command_line = "winnow reduce --pca 4";
    wn_pca *m = NULL, *l = NULL;
    WN_OK_OR_FAIL(wn_pca_fit(t, &p, &m));
    assert_int_equal(wn_pca_num_dropped(m), 1);
    assert_int_equal(wn_pca_num_rows(m), n - 1);
    const char *path = tmp_path("rt.wnm");
    WN_OK_OR_FAIL(wn_pca_save(m, path));
    WN_OK_OR_FAIL(wn_pca_load(path, &l));
    assert_string_equal(wn_pca_header(m), wn_pca_header(l));
    assert_int_equal(wn_pca_num_components(l), 4);
    assert_int_equal(wn_pca_num_dropped(l), 1);
    assert_int_equal(wn_pca_num_rows(l), n - 1);
    assert_memory_equal(wn_pca_mean(m), wn_pca_mean(l), sizeof(double) * D);
    assert_memory_equal(wn_pca_variance(m), wn_pca_variance(l), sizeof(double) * D);
    assert_memory_equal(wn_pca_components(m), wn_pca_components(l), sizeof(double) * D * 4);
    double *s1 = malloc(sizeof(double) * (size_t)(n * 4)),
           *s2 = malloc(sizeof(double) * (size_t)(n * 4));
    double *r1 = malloc(sizeof(double) * (size_t)n), *r2 = malloc(sizeof(double) * (size_t)n);
    WN_EXPECT_ERR(wn_pca_transform(l, t, 0, 2, s1, r1), WN_ENUMERIC, "row 8, column 'x2'");
    WN_OK_OR_FAIL(wn_pca_transform(m, t, 1, 2, s1, r1));
    WN_OK_OR_FAIL(wn_pca_transform(l, t, 1, 1, s2, r2));
    assert_true(isnan(s1[7 * 4]) && isnan(s1[7 * 4 + 3]) && isnan(r1[7]) && !isnan(r1[6]));
    assert_memory_equal(s1, s2, sizeof(double) * (size_t)(n * 4));
    assert_memory_equal(r1, r2, sizeof(double) * (size_t)n);
    /* a table with the features in another order, and extra columns */
    wn_table *t2 = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t2));
    float *col = malloc(sizeof(float) * (size_t)n);
    for (int f = D - 1; f >= 0; f--) {
        char name[8];
        snprintf(name, sizeof name, "x%d", f);
        wn_table_gather(t, f, col);
        WN_OK_OR_FAIL(wn_table_add_column(t2, name, col));
        WN_OK_OR_FAIL(wn_table_add_column(t2,
                                          f == 0   ? "extra0"
                                          : f == 1 ? "extra1"
                                                   : name + 1,
                                          col));
    }
    WN_OK_OR_FAIL(wn_pca_transform(l, t2, 1, 2, s2, r2));
    assert_memory_equal(s1, s2, sizeof(double) * (size_t)(n * 4));
    wn_table_free(t2);
    free(col);
    /* saving the loaded model gives the same bytes */
    const char *path2 = tmp_path("rt2.wnm");
    WN_OK_OR_FAIL(wn_pca_save(l, path2));
    FILE *f1 = fopen(path, "rb"), *f2 = fopen(path2, "rb");
    int c1, c2;
    do {
        c1 = fgetc(f1), c2 = fgetc(f2);
        assert_int_equal(c1, c2);
    } while (c1 != EOF);
    fclose(f1), fclose(f2);
    unlink(path), unlink(path2);
    wn_pca_free(m), wn_pca_free(l);
    wn_table_free(t);
    free(X), free(w), free(s1), free(s2), free(r1), free(r2);
}

/* ---- corrupted and inconsistent files ---- */

/* text with the first `from` replaced by `to` (malloc'd), or NULL. */
static char *replace(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at)
        return NULL;
    size_t a = (size_t)(at - text), lf = strlen(from), lt = strlen(to), n = strlen(text);
    char *o = malloc(n - lf + lt + 1);
    memcpy(o, text, a);
    memcpy(o + a, to, lt);
    memcpy(o + a + lt, at + lf, n - a - lf + 1);
    return o;
}

static void expect_refused(const char *header, const void *sec, size_t size, const char *needle)
{
    const char *path = tmp_path("bad.wnm");
    wn__section s = {"components", sec, size};
    WN_OK_OR_FAIL(wn__container_save(path, header, &s, sec ? 1 : 0));
    wn_pca *m = NULL;
    wn_status st = wn_pca_load(path, &m);
    if (st != WN_EFORMAT)
        fail_msg("%s: %s (%s), want a format error", needle, wn_status_name(st), wn_errmsg());
    if (!strstr(wn_errmsg(), path) || !strstr(wn_errmsg(), needle))
        fail_msg("message '%s' lacks the file or '%s'", wn_errmsg(), needle);
    assert_null(m);
    unlink(path);
}

static void test_corrupt(void **state)
{
    (void)state;
    enum { D = 3 };
    const int64_t n = 400;
    double Q[D * D], sd[D] = {3, 2, 1}, mu[D] = {1, 2, 3};
    random_rotation(D, Q);
    double *X = gaussian_data(n, D, Q, sd, mu);
    wn_table *t = make_table(X, n, D, NULL);
    wn_pca *m = fit(t, 2, 0, 0, 1);
    const char *h = wn_pca_header(m);
    uint8_t sec[2 * D * 8], bad[2 * D * 8];
    for (int i = 0; i < 2 * D; i++) {
        uint64_t u;
        memcpy(&u, wn_pca_components(m) + i, 8);
        wn__put_le64(sec + 8 * i, u);
    }
    char vtxt[64];
    wn__json_format_double(vtxt, wn_pca_variance(m)[0]); /* as the header writes it */
    struct {
        const char *from, *to, *needle;
    } edits[] = {
        {"\"components\": 2", "\"components\": 4", "\"components\" must be an integer in 1..3"},
        {"\"components\": 2", "\"components\": 0", "\"components\""},
        {"\"kind\": \"pca\"", "\"kind\": \"kmeans\"", "not a pca model"},
        {"\"format_version\": 1", "\"format_version\": 99", "newer"},
        {"\"n_rows\": 400", "\"n_rows\": 1", "n_rows"},
        {"\"n_dropped\": 0", "\"n_dropped\": 5", "drop_missing is false"},
        {"\"standardize\": false", "\"standardize\": true", "standardize"},
        {"\"whiten\": false", "\"whiten\": 0", "whiten"},
        {"\"wsum\": ", "\"wsum\": -", "wsum"},
        {"\"denominator\": 399", "\"denominator\": 401", "exceeds wsum"},
        {"\"features\": [", "\"features\": [\"x9\",", "not an array of 4"},
        {"\"x1\"", "\"x0\"", "appears twice"},
        {vtxt, "-1", "variance[0] is negative"},
        {vtxt, "0.001", "descending"},
        {"\"provenance\"", "\"provenancex\"", "provenance"},
        {"\"input_hash\": \"", "\"input_hash\": \"z", "input_hash"},
    };
    for (size_t e = 0; e < sizeof edits / sizeof *edits; e++) {
        char *h2 = replace(h, edits[e].from, edits[e].to);
        if (!h2)
            fail_msg("edit %zu: '%s' not in the header:\n%s", e, edits[e].from, h);
        expect_refused(h2, sec, sizeof sec, edits[e].needle);
        free(h2);
    }
    /* the section */
    expect_refused(h, sec, sizeof sec - 8, "need 48");
    expect_refused(h, NULL, 0, "missing section \"components\"");
    memcpy(bad, sec, sizeof bad);
    double x = (double)NAN;
    uint64_t u;
    memcpy(&u, &x, 8);
    wn__put_le64(bad + 8, u);
    expect_refused(h, bad, sizeof bad, "not finite");
    for (int i = 0; i < 8 * D; i++) /* component 0 negated: sign convention */
        bad[i] = sec[i];
    for (int i = 0; i < D; i++) {
        double c = -wn_pca_components(m)[i];
        memcpy(&u, &c, 8);
        wn__put_le64(bad + 8 * i, u);
    }
    expect_refused(h, bad, sizeof bad, "largest-magnitude entry is not positive");
    memcpy(bad, sec, sizeof bad); /* component 1 := component 0 */
    memcpy(bad + 8 * D, sec, 8 * D);
    expect_refused(h, bad, sizeof bad, "not orthonormal");

    /* byte edits anywhere in the header: refused or loaded, never a crash */
    size_t hl = strlen(h);
    char *h2 = malloc(hl + 1);
    double *sc = calloc((size_t)(n * D), sizeof(double)), *rc = malloc(sizeof(double) * (size_t)n);
    double *xb = malloc(sizeof(double) * (size_t)(n * D));
    int loaded = 0, refused = 0;
    const char *path = tmp_path("edit.wnm");
    for (size_t i = 0; i < hl; i += 5) {
        memcpy(h2, h, hl + 1);
        char c = h2[i];
        h2[i] = c >= '0' && c <= '8' ? (char)(c + 1) : c == '9' ? '-' : c == 'e' ? 'E' : '7';
        wn__section s = {"components", sec, sizeof sec};
        if (wn__container_save(path, h2, &s, 1) != WN_OK)
            continue; /* not a JSON object with a kind any more */
        wn_pca *l = NULL;
        wn_status st = wn_pca_load(path, &l);
        if (st == WN_OK) { /* whatever it loaded must run */
            loaded++;
            assert_true(wn_pca_num_components(l) <= D && wn_pca_num_features(l) <= D);
            st = wn_pca_transform(l, t, 1, 1, sc, rc);
            assert_true(st == WN_OK || st == WN_ENOTFOUND);
            WN_OK_OR_FAIL(wn_pca_inverse(l, sc, n, xb));
            wn_pca_free(l);
        } else if (st == WN_EFORMAT) {
            refused++;
        } else {
            fail_msg("edit at %zu: %s: %s", i, wn_status_name(st), wn_errmsg());
        }
    }
    assert_true(refused > 0 && loaded > 0);
    unlink(path);
    free(h2), free(sc), free(rc), free(xb);
    wn_pca_free(m);
    wn_table_free(t);
    free(X);
}

/* ---- allocation failures ---- */

static void test_alloc_failures(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    enum { D = 4 };
    const int64_t n = 20000;
    double Q[D * D], sd[D] = {3, 2, 1, 0.5}, mu[D] = {1, 2, 3, 4};
    random_rotation(D, Q);
    double *X = gaussian_data(n, D, Q, sd, mu), *w = malloc(sizeof(double) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        w[i] = urand();
    X[3] = (double)NAN;
    wn_table *t = make_table(X, n, D, w);
    wn_pca_params p = wn_pca_params_default();
    p.components = 2;
    p.data.standardize = 1;
    p.data.drop_missing = 1;
    p.data.threads = 2;
    const char *path = tmp_path("af.wnm");
    double *s = malloc(sizeof(double) * (size_t)(n * 2)), *r = malloc(sizeof(double) * (size_t)n);
    int ok = 0, failed = 0;
    for (int64_t f = 1; f < 500 && !ok; f++) {
        wn_pca *m = NULL, *l = NULL;
        wn__alloc_fail_at(f);
        wn_status st = wn_pca_fit(t, &p, &m);
        if (st == WN_OK)
            st = wn_pca_save(m, path);
        if (st == WN_OK)
            st = wn_pca_load(path, &l);
        if (st == WN_OK)
            st = wn_pca_transform(l, t, 1, 2, s, r);
        wn__alloc_fail_at(0);
        if (st == WN_OK)
            ok = 1;
        else if (st != WN_ENOMEM)
            fail_msg("fail at %lld: %s: %s", (long long)f, wn_status_name(st), wn_errmsg());
        else
            failed++;
        wn_pca_free(m);
        wn_pca_free(l);
    }
    assert_true(ok);
    assert_true(failed >= 20); /* fit, save, load and transform all allocate */
    unlink(path);
    free(s), free(r), free(X), free(w);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_corrupt),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
