/* test_som.c — the self-organising map (src/cluster/som.c, som_io.c).
 *
 * Kohonen's batch map, checked by properties on 2-D data of four separated
 * blobs: every event maps to a unit near its blob, the units between blobs
 * get no hits and high U-matrix values, the quantisation error falls with
 * more epochs, a codebook vector's best unit is its own, doubling every
 * weight changes nothing but the hits, rect and hex grids have 4 and 6
 * neighbours inside, fits do not depend on the thread count, files round
 * trip bit for bit and corrupted ones are refused naming the file, bad
 * parameters are refused naming the parameter, allocation failures are
 * survived. */
#include "wn_test.h"

#include "cluster/som.h"
#include "core.h"
#include "io/container.h"

#include <math.h>

static const double CX[4] = {-5, 5, -5, 5}, CY[4] = {-5, -5, 5, 5};

/* n rows: blob i % 4, Gaussian of sd 0.5 around (CX, CY); column "blob"
 * (role label); optional weight column of `w`. */
static wn_table *blobs(int64_t n, float w)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float *v = malloc(sizeof(float) * (size_t)n * 3);
    wn_rng r = wn_rng_make(5, 1);
    for (int64_t i = 0; i < n; i++) {
        v[i] = (float)(CX[i % 4] + 0.5 * wn_rng_normal(&r));
        v[n + i] = (float)(CY[i % 4] + 0.5 * wn_rng_normal(&r));
        v[2 * n + i] = (float)(i % 4);
    }
    WN_OK_OR_FAIL(wn_table_add_column(t, "x", v));
    WN_OK_OR_FAIL(wn_table_add_column(t, "y", v + n));
    WN_OK_OR_FAIL(wn_table_add_column(t, "blob", v + 2 * n));
    WN_OK_OR_FAIL(wn_table_set_role(t, 2, WN_ROLE_LABEL));
    if (w > 0) {
        for (int64_t i = 0; i < n; i++)
            v[i] = w;
        WN_OK_OR_FAIL(wn_table_add_column(t, "w", v));
        WN_OK_OR_FAIL(wn_table_set_role(t, 3, WN_ROLE_WEIGHT));
    }
    free(v);
    return t;
}

static wn_som *fit(const wn_table *t, int rows, int cols, wn_som_topology topo, int epochs,
                   int threads)
{
    wn_som_params p = wn_som_params_default();
    p.rows = rows, p.cols = cols, p.topology = topo, p.epochs = epochs;
    p.sigma0 = (rows > cols ? rows : cols) / 2.0;
    p.data.threads = threads;
    wn_som *m = NULL;
    WN_OK_OR_FAIL(wn_som_fit(t, &p, &m));
    return m;
}

static double min_blob_dist(const double *c)
{
    double best = HUGE_VAL;
    for (int b = 0; b < 4; b++)
        best = fmin(best, hypot(c[0] - CX[b], c[1] - CY[b]));
    return best;
}

static void check_blobs(wn_som_topology topo)
{
    const int64_t n = 2000;
    wn_table *t = blobs(n, 0);
    wn_som *m = fit(t, 8, 8, topo, 20, 2);
    int rows, cols;
    wn_som_topology tp;
    wn_som_grid(m, &rows, &cols, &tp);
    assert_int_equal(rows, 8), assert_int_equal(cols, 8), assert_int_equal(tp, topo);
    assert_int_equal(wn_som_num_features(m), 2);
    assert_string_equal(wn_som_feature_name(m, 1), "y");
    assert_int_equal(wn_som_num_rows(m), n);
    const double *cb = wn_som_codebook(m), *um = wn_som_umatrix(m), *hits = wn_som_hits(m);
    double total = 0, u_in = 0, u_out = 0;
    int n_in = 0, n_out = 0, empty = 0;
    for (int u = 0; u < 64; u++) {
        total += hits[u];
        const double dmin = min_blob_dist(cb + 2 * u);
        if (dmin < 1.5)
            u_in += um[u], n_in++;
        else if (dmin > 2.5) {
            u_out += um[u], n_out++;
            assert_true(hits[u] <= 2); /* nothing lives between the blobs */
        }
        empty += hits[u] == 0;
    }
    assert_true(fabs(total - (double)n) < 1e-9);
    assert_true(n_in >= 4 && n_out >= 4);
    assert_true(u_out / n_out > 2 * (u_in / n_in));
    assert_true(empty >= 8);
    /* each event's unit sits at its own blob */
    int32_t *bmu = malloc(sizeof(int32_t) * (size_t)n);
    double *qerr = malloc(sizeof(double) * (size_t)n);
    WN_OK_OR_FAIL(wn_som_bmu(m, t, 0, 2, bmu, qerr));
    int64_t good = 0;
    double qsum = 0;
    for (int64_t i = 0; i < n; i++) {
        const double *c = cb + 2 * bmu[i];
        good += hypot(c[0] - CX[i % 4], c[1] - CY[i % 4]) < 1.5;
        qsum += qerr[i];
    }
    assert_true(good >= n * 98 / 100);
    assert_true(fabs(qsum / (double)n - wn_som_quantization_error(m)) < 1e-9);
    const double te = wn_som_topographic_error(m);
    assert_true(te >= 0 && te <= 0.2);
    assert_non_null(strstr(wn_som_header(m), "\"kind\": \"som\""));
    free(bmu), free(qerr);
    wn_som_free(m);
    wn_table_free(t);
}

static void test_blobs_hex(void **state)
{
    (void)state;
    check_blobs(WN_SOM_HEX);
}

static void test_blobs_rect(void **state)
{
    (void)state;
    check_blobs(WN_SOM_RECT);
}

static void test_neighbours(void **state)
{
    (void)state;
    int32_t nb[6 * 25];
    uint8_t nn[25];
    wn__som_neighbours(5, 5, WN_SOM_RECT, nb, nn);
    assert_int_equal(nn[12], 4), assert_int_equal(nn[0], 2), assert_int_equal(nn[2], 3);
    wn__som_neighbours(5, 5, WN_SOM_HEX, nb, nn);
    assert_int_equal(nn[12], 6); /* row 2 (even), col 2 */
    assert_int_equal(nn[7], 6);  /* row 1 (odd), col 2 */
    /* row 1 is shifted right: unit (1,2) touches (0,2), (0,3), (2,2), (2,3) */
    int want[6] = {2, 3, 6, 8, 12, 13}, hit = 0;
    for (int k = 0; k < 6; k++)
        for (int j = 0; j < 6; j++)
            hit += nb[7 * 6 + k] == want[j];
    assert_int_equal(hit, 6);
    double x, y;
    wn__som_pos(5, WN_SOM_HEX, 7, &x, &y);
    assert_true(x == 2.5 && fabs(y - sqrt(3) / 2) < 1e-15);
    wn_som_params p = wn_som_params_default();
    assert_int_equal(p.rows, 10), assert_int_equal(p.cols, 10);
    assert_int_equal(p.topology, WN_SOM_HEX), assert_int_equal(p.epochs, 20);
    assert_true(p.sigma0 == 5.0 && p.sigma_end == 0.5);
}

static void test_epochs_lower_error(void **state)
{
    (void)state;
    wn_table *t = blobs(1200, 0);
    wn_som *a = fit(t, 6, 6, WN_SOM_HEX, 1, 2), *b = fit(t, 6, 6, WN_SOM_HEX, 5, 2);
    wn_som *c = fit(t, 6, 6, WN_SOM_HEX, 30, 2);
    assert_true(wn_som_quantization_error(b) < wn_som_quantization_error(a));
    assert_true(wn_som_quantization_error(c) <= wn_som_quantization_error(b) * 1.0001);
    wn_som_free(a), wn_som_free(b), wn_som_free(c);
    wn_table_free(t);
}

/* A codebook vector's best-matching unit is its own unit, at distance 0. */
static void test_codebook_own_unit(void **state)
{
    (void)state;
    wn_table *t = blobs(800, 0);
    wn_som *m = fit(t, 5, 7, WN_SOM_RECT, 10, 1);
    const double *cb = wn_som_codebook(m);
    wn_table *q = NULL;
    WN_OK_OR_FAIL(wn_table_create(35, &q));
    float xs[35], ys[35];
    for (int u = 0; u < 35; u++)
        xs[u] = (float)cb[2 * u], ys[u] = (float)cb[2 * u + 1];
    WN_OK_OR_FAIL(wn_table_add_column(q, "y", ys)); /* by name, not position */
    WN_OK_OR_FAIL(wn_table_add_column(q, "x", xs));
    int32_t bmu[35];
    double qerr[35];
    WN_OK_OR_FAIL(wn_som_bmu(m, q, 0, 2, bmu, qerr));
    for (int u = 0; u < 35; u++) {
        assert_int_equal(bmu[u], u);
        assert_true(qerr[u] < 1e-6);
    }
    /* missing rows: -1 and NaN with allow_missing, else an error */
    xs[3] = NAN;
    wn_table_free(q);
    WN_OK_OR_FAIL(wn_table_create(35, &q));
    WN_OK_OR_FAIL(wn_table_add_column(q, "x", xs));
    WN_EXPECT_ERR(wn_som_bmu(m, q, 0, 1, bmu, qerr), WN_ENOTFOUND, "y");
    WN_OK_OR_FAIL(wn_table_add_column(q, "y", ys));
    WN_EXPECT_ERR(wn_som_bmu(m, q, 0, 1, bmu, qerr), WN_ENUMERIC, "row 4, column 'x'");
    WN_OK_OR_FAIL(wn_som_bmu(m, q, 1, 1, bmu, NULL));
    assert_int_equal(bmu[3], -1);
    assert_int_equal(bmu[4], 4);
    wn_table_free(q);
    wn_som_free(m);
    wn_table_free(t);
}

static void test_deterministic_and_weights(void **state)
{
    (void)state;
    const int64_t n = 10000; /* several row chunks */
    wn_table *t = blobs(n, 0), *w2 = blobs(n, 2.0f);
    wn_som *a = fit(t, 6, 5, WN_SOM_HEX, 8, 1), *b = fit(t, 6, 5, WN_SOM_HEX, 8, 2);
    wn_som *c = fit(w2, 6, 5, WN_SOM_HEX, 8, 2);
    assert_memory_equal(wn_som_codebook(a), wn_som_codebook(b), sizeof(double) * 60);
    assert_memory_equal(wn_som_hits(a), wn_som_hits(b), sizeof(double) * 30);
    assert_true(wn_som_quantization_error(a) == wn_som_quantization_error(b));
    /* a weight of 2 everywhere is the same data counted twice */
    assert_memory_equal(wn_som_codebook(a), wn_som_codebook(c), sizeof(double) * 60);
    for (int u = 0; u < 30; u++)
        assert_true(wn_som_hits(c)[u] == 2 * wn_som_hits(a)[u]);
    wn_som_free(a), wn_som_free(b), wn_som_free(c);
    wn_table_free(t), wn_table_free(w2);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    wn_table *t = blobs(20, 0);
    wn_som_params p = wn_som_params_default();
    wn_som *m = NULL;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_EINVAL, "grid 10 x 10");
    p.rows = 4, p.cols = 5, p.sigma0 = 2;
    WN_OK_OR_FAIL(wn_som_fit(t, &p, &m)); /* 20 units, 20 rows: fine */
    wn_som_free(m);
    m = NULL;
    p.rows = 0;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_EINVAL, "grid 0 x 5");
    p.rows = 2, p.cols = -1;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_EINVAL, "grid 2 x -1");
    p.cols = 2, p.epochs = 0;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_EINVAL, "epochs = 0");
    p.epochs = 3, p.sigma0 = 0;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_EINVAL, "sigma0");
    p.sigma0 = 1, p.sigma_end = -1;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_EINVAL, "sigma_end");
    p.sigma_end = (double)NAN;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_EINVAL, "sigma_end");
    p.sigma_end = 0.5, p.topology = (wn_som_topology)3;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_EINVAL, "topology");
    p.topology = WN_SOM_RECT;
    wn_table_column_mut(t, 0)[6] = NAN;
    WN_EXPECT_ERR(wn_som_fit(t, &p, &m), WN_ENUMERIC, "row 7, column 'x'");
    p.data.drop_missing = 1;
    WN_OK_OR_FAIL(wn_som_fit(t, &p, &m));
    assert_int_equal(wn_som_num_dropped(m), 1);
    assert_int_equal(wn_som_num_rows(m), 19);
    wn_som_free(m);
    WN_EXPECT_ERR(wn_som_fit(NULL, &p, &m), WN_EINVAL, "NULL");
    wn_som_free(NULL);
    wn_table_free(t);
}

static const char *tmp_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/wn_som_%d_%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid(), name);
    return p;
}

static void test_save_load(void **state)
{
    (void)state;
    wn_table *t = blobs(1000, 0);
    wn_som_params p = wn_som_params_default();
    p.rows = 4, p.cols = 6, p.sigma0 = 3, p.data.standardize = 1;
    wn_som *m = NULL, *l = NULL;
    WN_OK_OR_FAIL(wn_som_fit(t, &p, &m));
    const char *path = tmp_path("rt.wnm");
    WN_OK_OR_FAIL(wn_som_save(m, path));
    WN_OK_OR_FAIL(wn_som_load(path, &l));
    assert_string_equal(wn_som_header(m), wn_som_header(l));
    assert_memory_equal(wn_som_codebook(m), wn_som_codebook(l), sizeof(double) * 48);
    assert_memory_equal(wn_som_umatrix(m), wn_som_umatrix(l), sizeof(double) * 24);
    assert_memory_equal(wn_som_hits(m), wn_som_hits(l), sizeof(double) * 24);
    assert_true(wn_som_quantization_error(m) == wn_som_quantization_error(l));
    assert_true(wn_som_topographic_error(m) == wn_som_topographic_error(l));
    int32_t a[1000], b[1000];
    WN_OK_OR_FAIL(wn_som_bmu(m, t, 0, 2, a, NULL));
    WN_OK_OR_FAIL(wn_som_bmu(l, t, 0, 1, b, NULL));
    assert_memory_equal(a, b, sizeof a);
    wn_som_free(l);
    l = NULL;
    WN_EXPECT_ERR(wn_som_load(tmp_path("absent.wnm"), &l), WN_EIO, "absent.wnm");
    unlink(path);
    wn_som_free(m);
    wn_table_free(t);
}

/* Re-saves m's sections, one of them edited, or its header with text
 * replaced, and expects the load to fail naming the file. */
static void expect_refused(const wn_som *m, const char *sec, size_t at, uint64_t bits, size_t cut,
                           const char *from, const char *to, const char *needle)
{
    const char *path = tmp_path("bad.wnm");
    WN_OK_OR_FAIL(wn_som_save(m, path));
    wn__container *c = NULL;
    WN_OK_OR_FAIL(wn__container_load(path, &c));
    static const char *names[3] = {"codebook", "umatrix", "hits"};
    uint8_t *buf[3];
    wn__section secs[3];
    for (int k = 0; k < 3; k++) {
        const void *p;
        size_t n;
        WN_OK_OR_FAIL(wn__container_section(c, names[k], &p, &n));
        buf[k] = malloc(n + 1);
        memcpy(buf[k], p, n);
        if (sec && strcmp(sec, names[k]) == 0) {
            if (cut)
                n -= cut;
            else
                wn__put_le64(buf[k] + 8 * at, bits);
        }
        secs[k] = (wn__section){names[k], buf[k], n};
    }
    const char *h = wn__container_header(c, NULL);
    char *hdr = malloc(strlen(h) + 256);
    strcpy(hdr, h);
    if (from) {
        char *pos = strstr(hdr, from);
        assert_non_null(pos);
        char rest[8192];
        snprintf(rest, sizeof rest, "%s", pos + strlen(from));
        strcpy(pos, to);
        strcat(pos, rest);
    }
    WN_OK_OR_FAIL(wn__container_save(path, hdr, secs, 3));
    wn__container_free(c);
    wn_som *l = NULL;
    WN_EXPECT_ERR(wn_som_load(path, &l), WN_EFORMAT, needle);
    assert_non_null(strstr(wn_errmsg(), "bad.wnm"));
    assert_null(l);
    for (int k = 0; k < 3; k++)
        free(buf[k]);
    free(hdr);
    unlink(path);
}

static void test_corrupt(void **state)
{
    (void)state;
    wn_table *t = blobs(500, 0);
    wn_som_params p = wn_som_params_default();
    p.rows = 3, p.cols = 4, p.sigma0 = 2, p.epochs = 4;
    wn_som *m = NULL;
    WN_OK_OR_FAIL(wn_som_fit(t, &p, &m));
    const uint64_t nan = 0x7FF8000000000000ull, minus1 = 0xBFF0000000000000ull;
    expect_refused(m, "codebook", 5, nan, 0, NULL, NULL, "codebook");
    expect_refused(m, "codebook", 5, minus1, 0, NULL, NULL, "umatrix\" does not match");
    expect_refused(m, "codebook", 0, 0, 8, NULL, NULL, "codebook");
    expect_refused(m, "hits", 2, minus1, 0, NULL, NULL, "non-negative");
    expect_refused(m, "umatrix", 0, 0, 16, NULL, NULL, "umatrix");
    expect_refused(m, NULL, 0, 0, 0, "\"kind\": \"som\"", "\"kind\": \"gmm\"", "not a self");
    expect_refused(m, NULL, 0, 0, 0, "\"rows\": 3", "\"rows\": 4", "codebook");
    expect_refused(m, NULL, 0, 0, 0, "\"rows\": 3", "\"rows\": 0", "rows");
    expect_refused(m, NULL, 0, 0, 0, "\"cols\": 4", "\"cols\": 1001", "cols");
    expect_refused(m, NULL, 0, 0, 0, "\"hex\"", "\"tri\"", "topology");
    expect_refused(m, NULL, 0, 0, 0, "\"n_rows\": 500", "\"n_rows\": 5", "n_rows");
    expect_refused(m, NULL, 0, 0, 0, "\"format_version\": 1", "\"format_version\": 9", "newer");
    wn_som_free(m);
    wn_table_free(t);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    wn_table *t = blobs(300, 1.5f);
    const char *path = tmp_path("af.wnm");
    int32_t bmu[300];
    int ok = 0;
    for (int64_t f = 1; f < 5000 && !ok; f++) {
        wn_som_params p = wn_som_params_default();
        p.rows = 3, p.cols = 3, p.sigma0 = 1.5, p.epochs = 3, p.data.threads = 2;
        p.data.standardize = 1;
        wn_som *m = NULL, *l = NULL;
        wn__alloc_fail_at(f);
        wn_status s = wn_som_fit(t, &p, &m);
        if (s == WN_OK)
            s = wn_som_save(m, path);
        if (s == WN_OK)
            s = wn_som_load(path, &l);
        if (s == WN_OK)
            s = wn_som_bmu(l, t, 1, 2, bmu, NULL);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            ok = 1;
        else if (s != WN_ENOMEM)
            fail_msg("fail at %lld: %s: %s", (long long)f, wn_status_name(s), wn_errmsg());
        wn_som_free(m);
        wn_som_free(l);
    }
    assert_true(ok);
    unlink(path);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blobs_hex),         cmocka_unit_test(test_blobs_rect),
        cmocka_unit_test(test_neighbours),        cmocka_unit_test(test_epochs_lower_error),
        cmocka_unit_test(test_codebook_own_unit), cmocka_unit_test(test_deterministic_and_weights),
        cmocka_unit_test(test_bad_inputs),        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_corrupt),           cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
