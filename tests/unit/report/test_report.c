/* test_report.c — the run report through the C API on tiny models: the page's
 * structure (every panel for a binary classifier with training and held-out
 * rows; the model-only panels without data; residuals for regression), the
 * leak verdict naming a feature that copies the label, the same bytes at
 * any thread count, the errors, and every allocation failure giving
 * WN_ENOMEM (or the same page) without leaks. */
#include "wn_test.h"

#include "core.h"

#include <ctype.h>
#include <math.h>
#include <sys/stat.h>

static const char *report_path(void)
{
    return wn_test_file(".html", "", 0);
}

/* The file's text (malloc'd, NUL-terminated). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static int count(const char *s, const char *needle)
{
    int k = 0;
    for (const char *q = s; (q = strstr(q, needle)) != NULL; q += strlen(needle))
        k++;
    return k;
}

/* n rows: x0 informative, x1 weakly, x2 noise; label 0/1 (or, regression,
 * a value); leak != 0 adds a column "leak" equal to the label. */
static wn_table *make_table(int64_t n, int regression, int leak, uint64_t seed)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_create(n, &t));
    float *x = malloc(sizeof(float) * (size_t)n * 4);
    float *y = malloc(sizeof(float) * (size_t)n);
    wn_rng g = wn_rng_make(seed, 1);
    for (int64_t i = 0; i < n; i++) {
        double a = wn_rng_normal(&g), b = wn_rng_normal(&g), c = wn_rng_normal(&g);
        double z = a + 0.3 * b + 0.8 * wn_rng_normal(&g);
        x[i] = (float)a;
        x[n + i] = (float)b;
        x[2 * n + i] = (float)c;
        y[i] = regression ? (float)z : (float)(z > 0.0);
        x[3 * n + i] = y[i];
    }
    WN_OK_OR_FAIL(wn_table_add_column(t, "x0", x));
    WN_OK_OR_FAIL(wn_table_add_column(t, "x1", x + n));
    WN_OK_OR_FAIL(wn_table_add_column(t, "x2", x + 2 * n));
    if (leak)
        WN_OK_OR_FAIL(wn_table_add_column(t, "leak", x + 3 * n));
    WN_OK_OR_FAIL(wn_table_add_column(t, "label", y));
    WN_OK_OR_FAIL(wn_table_set_role(t, wn_table_ncols(t) - 1, WN_ROLE_LABEL));
    free(x);
    free(y);
    return t;
}

static wn_model *train(const wn_table *t, int regression)
{
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    p.objective = regression ? WN_OBJ_L2 : WN_OBJ_BINARY;
    p.rounds = 12;
    p.num_leaves = 4;
    p.min_data_in_leaf = 5;
    p.valid_fraction = 0.2;
    p.threads = 1;
    wn_model *m = NULL;
    WN_OK_OR_FAIL(wn_gbdt_train(t, NULL, &p, &m));
    return m;
}

/* Rows [lo, hi) of t as a view. */
static wn_table *rows(const wn_table *t, int64_t lo, int64_t hi)
{
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)(hi - lo));
    for (int64_t i = lo; i < hi; i++)
        idx[i - lo] = i;
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(t, idx, hi - lo, &v));
    free(idx);
    return v;
}

/* word occurs in s as a whole word (no letter on either side), any case. */
static int has_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    for (const char *q = s; *q; q++) {
        size_t i = 0;
        while (i < n && q[i] && (q[i] | 0x20) == word[i])
            i++;
        if (i == n && (q == s || !isalpha((unsigned char)q[-1])) && !isalpha((unsigned char)q[n]))
            return 1;
    }
    return 0;
}

static void check_common(const char *html)
{
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
    assert_non_null(strstr(html, "name=\"viewport\""));
    assert_null(strstr(html, "<script"));
    assert_int_equal(count(html, "http"), count(html, "http://www.w3.org/2000/svg"));
    assert_false(has_word(html, "nan"));
    assert_false(has_word(html, "inf"));
    assert_non_null(strstr(html, "class=\"verdicts\""));
    /* every top-level plot opens with its <title> */
    int nsvg = count(html, "<svg xmlns");
    assert_true(nsvg >= 1);
    for (const char *q = html; (q = strstr(q, "<svg xmlns")) != NULL; q++) {
        const char *t = strstr(q, "<title>"), *next = strstr(q + 1, "<svg xmlns");
        assert_true(t && (!next || t < next));
    }
    assert_non_null(strstr(html, "</html>\n"));
}

static void test_defaults(void **state)
{
    (void)state;
    wn_report_options o;
    memset(&o, 0x5a, sizeof o);
    wn_report_options_default(&o);
    assert_null(o.title);
    assert_int_equal(o.max_features, 8);
    assert_int_equal(o.max_rows, 5000);
    assert_int_equal(o.perm_repeats, 5);
    assert_int_equal(o.seed, 42);
    assert_int_equal(o.threads, 0);
}

static void test_binary_structure(void **state)
{
    (void)state;
    wn_table *t = make_table(1200, 0, 0, 7);
    wn_model *m = train(t, 0);
    wn_table *tr = rows(t, 0, 900), *te = rows(t, 900, 1200);
    wn_report_options o;
    wn_report_options_default(&o);
    o.threads = 1;
    const char *path = report_path();
    WN_OK_OR_FAIL(wn_gbdt_report(m, tr, te, &o, path));
    char *html = slurp(path);
    check_common(html);
    static const char *const ids[] = {"roc",      "efficiency",  "output", "importance",
                                      "leak",     "calibration", "inputs", "correlation",
                                      "learning", "manifest"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "id=\"%s\"", ids[i]);
        if (!strstr(html, needle))
            fail_msg("no panel %s", ids[i]);
    }
    assert_non_null(strstr(html, "<b>pass</b> leak:"));
    assert_non_null(strstr(html, "overtraining:"));
    assert_non_null(strstr(html, "Kolmogorov-Smirnov"));
    assert_non_null(strstr(html, "<pre>{\n  \""));
    assert_null(strstr(html, "id=\"residuals\""));
    /* the same bytes again, and at another thread count */
    o.threads = 3;
    const char *path2 = report_path();
    WN_OK_OR_FAIL(wn_gbdt_report(m, tr, te, &o, path2));
    char *html2 = slurp(path2);
    assert_string_equal(html, html2);
    free(html);
    free(html2);
    remove(path);
    remove(path2);
    wn_table_free(tr);
    wn_table_free(te);
    wn_table_free(t);
    wn_model_free(m);
}

static void test_leak_named(void **state)
{
    (void)state;
    wn_table *t = make_table(600, 0, 1, 9);
    wn_model *m = train(t, 0);
    const char *path = report_path();
    WN_OK_OR_FAIL(wn_gbdt_report(m, NULL, t, NULL, path));
    char *html = slurp(path);
    check_common(html);
    assert_non_null(strstr(html, "<b>warn</b> leak: feature leak alone has AUC 1"));
    /* no training rows: no overtraining verdict */
    assert_null(strstr(html, "overtraining:"));
    free(html);
    remove(path);
    wn_table_free(t);
    wn_model_free(m);
}

static void test_model_only_and_regression(void **state)
{
    (void)state;
    wn_table *t = make_table(600, 1, 0, 11);
    wn_model *m = train(t, 1);
    wn_report_options o;
    wn_report_options_default(&o);
    o.title = "a <regression> & more";
    const char *path = report_path();
    WN_OK_OR_FAIL(wn_gbdt_report(m, NULL, NULL, &o, path));
    char *html = slurp(path);
    check_common(html);
    assert_non_null(strstr(html, "a &lt;regression&gt; &amp; more"));
    assert_non_null(strstr(html, "id=\"importance\""));
    assert_non_null(strstr(html, "id=\"learning\""));
    assert_non_null(strstr(html, "id=\"manifest\""));
    assert_null(strstr(html, "id=\"roc\""));
    assert_null(strstr(html, "id=\"inputs\""));
    free(html);
    WN_OK_OR_FAIL(wn_gbdt_report(m, t, t, &o, path));
    html = slurp(path);
    check_common(html);
    assert_non_null(strstr(html, "id=\"residuals\""));
    assert_non_null(strstr(html, "id=\"inputs\""));
    assert_null(strstr(html, "id=\"calibration\""));
    free(html);
    remove(path);
    wn_table_free(t);
    wn_model_free(m);
}

static void test_errors(void **state)
{
    (void)state;
    wn_table *t = make_table(400, 0, 0, 13);
    wn_model *m = train(t, 0);
    const char *path = report_path();
    remove(path);
    WN_EXPECT_ERR(wn_gbdt_report(NULL, t, t, NULL, path), WN_EINVAL, "model");
    WN_EXPECT_ERR(wn_gbdt_report(m, t, t, NULL, NULL), WN_EINVAL, "path");
    WN_EXPECT_ERR(wn_gbdt_report(m, t, t, NULL, "/nonexistent-dir/r.html"), WN_EIO,
                  "/nonexistent-dir/r.html");
    /* held-out rows without the label column */
    wn_table *u = NULL;
    WN_OK_OR_FAIL(wn_table_create(400, &u));
    for (int c = 0; c < 3; c++)
        WN_OK_OR_FAIL(wn_table_add_column(u, wn_table_name(t, c), wn_table_column(t, c)));
    WN_EXPECT_ERR(wn_gbdt_report(m, NULL, u, NULL, path), WN_ENOTFOUND, "'label'");
    wn_table_free(u);
    /* a missing feature */
    WN_OK_OR_FAIL(wn_table_create(400, &u));
    WN_OK_OR_FAIL(wn_table_add_column(u, "x0", wn_table_column(t, 0)));
    WN_OK_OR_FAIL(wn_table_add_column(u, "label", wn_table_column(t, 3)));
    WN_EXPECT_ERR(wn_gbdt_report(m, NULL, u, NULL, path), WN_ENOTFOUND, "x1");
    wn_table_free(u);
    struct stat sb;
    assert_int_not_equal(stat(path, &sb), 0); /* nothing written */
    wn_table_free(t);
    wn_model_free(m);
}

static void test_alloc_failures(void **state)
{
    (void)state;
    wn_table *t = make_table(300, 0, 0, 17);
    wn_model *m = train(t, 0);
    wn_table *tr = rows(t, 0, 200), *te = rows(t, 200, 300);
    wn_report_options o;
    wn_report_options_default(&o);
    o.threads = 1;
    o.max_features = 2;
    o.perm_repeats = 2;
    const char *path = report_path();
    wn__alloc_fail_at(0);
    WN_OK_OR_FAIL(wn_gbdt_report(m, tr, te, &o, path));
    int64_t total = wn__alloc_fail_at(0);
    char *ref = slurp(path);
    assert_true(total > 10);
    int64_t step = total / 1000 + 1;
    for (int64_t f = 1; f <= total + 1; f += step) {
        wn__alloc_fail_at(f);
        wn_status s = wn_gbdt_report(m, tr, te, &o, path);
        wn__alloc_fail_at(0);
        if (s == WN_OK) {
            char *html = slurp(path);
            if (strcmp(html, ref) != 0) {
                size_t k = 0;
                while (html[k] && html[k] == ref[k])
                    k++;
                fail_msg("failing allocation %lld of %lld changed the page at byte %zu: "
                         "'%.80s' instead of '%.80s'",
                         (long long)f, (long long)total, k, html + k, ref + k);
            }
            free(html);
        } else if (s != WN_ENOMEM) {
            fail_msg("fail at %lld: %s: %s", (long long)f, wn_status_name(s), wn_errmsg());
        }
    }
    free(ref);
    remove(path);
    wn_table_free(tr);
    wn_table_free(te);
    wn_table_free(t);
    wn_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_binary_structure),
        cmocka_unit_test(test_leak_named), cmocka_unit_test(test_model_only_and_regression),
        cmocka_unit_test(test_errors),     cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
