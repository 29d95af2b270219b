/* test_csv.c — the CSV reader and writer: formats, errors, determinism,
 * exact number parsing, allocation failure, and the real data sets. */
#include "wn_test.h"

#include "io/csv_internal.h"
#include "core.h"

#include <math.h>

static wn_status rd(const char *text, const wn_csv_options *o, wn_table **t)
{
    return wn__table_read_csv_mem("t.csv", text, strlen(text), o, t);
}

static wn_csv_options opts(void)
{
    wn_csv_options o;
    wn_csv_options_default(&o);
    return o;
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

static void assert_tables_equal(const wn_table *a, const wn_table *b)
{
    assert_int_equal(wn_table_nrows(a), wn_table_nrows(b));
    assert_int_equal(wn_table_ncols(a), wn_table_ncols(b));
    for (int64_t c = 0; c < wn_table_ncols(a); c++) {
        assert_string_equal(wn_table_name(a, c), wn_table_name(b, c));
        assert_int_equal(wn_table_nlevels(a, c), wn_table_nlevels(b, c));
        for (int64_t k = 0; k < wn_table_nlevels(a, c); k++)
            assert_string_equal(wn_table_level(a, c, k), wn_table_level(b, c, k));
        for (int64_t r = 0; r < wn_table_nrows(a); r++)
            if (!same_bits(wn_table_get(a, r, c), wn_table_get(b, r, c)))
                fail_msg("column %lld row %lld: %g vs %g", (long long)c, (long long)r,
                         (double)wn_table_get(a, r, c), (double)wn_table_get(b, r, c));
    }
}

static void test_basic_and_header(void **state)
{
    (void)state;
    wn_csv_options o = opts();
    wn_table *t = NULL;
    WN_OK_OR_FAIL(rd("a,b,c\n1,2.5,x\n-3,1e3,y\n4,,x\n", &o, &t));
    assert_int_equal(wn_table_nrows(t), 3);
    assert_int_equal(wn_table_ncols(t), 3);
    assert_string_equal(wn_table_name(t, 1), "b");
    assert_true(wn_table_get(t, 1, 0) == -3.0f);
    assert_true(wn_table_get(t, 1, 1) == 1000.0f);
    assert_true(isnan(wn_table_get(t, 2, 1)));
    assert_int_equal(wn_table_nlevels(t, 2), 2);
    assert_string_equal(wn_table_level(t, 2, 0), "x");
    assert_true(wn_table_get(t, 2, 2) == 0.0f && wn_table_get(t, 1, 2) == 1.0f);
    wn_table_free(t);

    /* numeric first line: no header, names c0.. */
    WN_OK_OR_FAIL(rd("1,2\n3,4\n", &o, &t));
    assert_int_equal(wn_table_nrows(t), 2);
    assert_string_equal(wn_table_name(t, 0), "c0");
    assert_string_equal(wn_table_name(t, 1), "c1");
    wn_table_free(t);
    /* forced header / no header */
    o.header = 1;
    WN_OK_OR_FAIL(rd("1,2\n3,4\n", &o, &t));
    assert_string_equal(wn_table_name(t, 0), "1");
    assert_int_equal(wn_table_nrows(t), 1);
    wn_table_free(t);
    o.header = 0;
    WN_OK_OR_FAIL(rd("x,y\n3,4\n", &o, &t));
    assert_int_equal(wn_table_nrows(t), 2);
    assert_int_equal(wn_table_nlevels(t, 0), 2); /* "x" and "3" are levels */
    wn_table_free(t);
    o.header = -1;
    /* empty header names; quoted, spaced names */
    WN_OK_OR_FAIL(rd(",\"q,r\", s \n1,2,3\n", &o, &t));
    assert_string_equal(wn_table_name(t, 0), "c0");
    assert_string_equal(wn_table_name(t, 1), "q,r");
    assert_string_equal(wn_table_name(t, 2), "s");
    wn_table_free(t);
    /* a header whose text sits over text is still a header when one column
     * decides it */
    WN_OK_OR_FAIL(rd("id,cls\n1,g\n2,h\n", &o, &t));
    assert_string_equal(wn_table_name(t, 1), "cls");
    wn_table_free(t);
    WN_EXPECT_ERR(rd("a,b,a\n1,2,3\n", &o, &t), WN_EFORMAT,
                  "t.csv:1: duplicate column name 'a' (columns 1 and 3)");
}

static void test_line_endings_bom_comments(void **state)
{
    (void)state;
    wn_csv_options o = opts();
    wn_table *ref = NULL, *t = NULL;
    WN_OK_OR_FAIL(rd("a,b\n1,2\n3,4\n", &o, &ref));
    const char *variants[] = {
        "a,b\r\n1,2\r\n3,4\r\n",
        "a,b\r1,2\r3,4\r",
        "a,b\r\n1,2\r3,4",
        ("\xEF\xBB\xBF" "a,b\n1,2\n3,4"),
        "# comment\n#another\n\na,b\n\n1,2\n# mid comment\n   \n3,4\n\n",
        "  # indented comment\r\na,b\r\r1,2\r\n3,4\n",
    };
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
        WN_OK_OR_FAIL(rd(variants[i], &o, &t));
        assert_tables_equal(ref, t);
        wn_table_free(t);
    }
    wn_table_free(ref);
    /* line numbers count physical lines, bare CR included */
    WN_EXPECT_ERR(rd("a,b\r1,2\r\r# c\r3,4,5\r", &o, &t), WN_EFORMAT, "t.csv:5: expected 2");
    WN_EXPECT_ERR(rd("a,b\r\n1,2\r\n\r\n3\r\n", &o, &t), WN_EFORMAT, "t.csv:4: expected 2");
    /* comment char configurable, 0 = none */
    o.comment = '%';
    WN_OK_OR_FAIL(rd("%x\na,b\n1,2\n", &o, &t));
    assert_int_equal(wn_table_nrows(t), 1);
    wn_table_free(t);
}

static void test_quotes(void **state)
{
    (void)state;
    wn_csv_options o = opts();
    wn_table *t = NULL;
    WN_OK_OR_FAIL(rd("name,v\n\"a,b\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n \"sp\" ,\"4\"\n",
                     &o, &t));
    assert_int_equal(wn_table_nrows(t), 4);
    assert_string_equal(wn_table_level(t, 0, 0), "a,b");
    assert_string_equal(wn_table_level(t, 0, 1), "say \"hi\"");
    assert_string_equal(wn_table_level(t, 0, 2), "two\nlines");
    assert_string_equal(wn_table_level(t, 0, 3), "sp");
    assert_true(wn_table_get(t, 3, 1) == 4.0f);
    wn_table_free(t);
    /* line numbers stay physical after a multi-line field */
    WN_EXPECT_ERR(rd("n,v\n\"x\ny\",1\nz,2,3\n", &o, &t), WN_EFORMAT, "t.csv:4: expected 2");
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "n,v\n\"x\r\ny\",1\n");
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "\"\"\"\",%d\n", i);
    snprintf(buf + n, sizeof buf - n, "z,\"x,y\"\n");
    WN_EXPECT_ERR(rd(buf, &o, &t), WN_EFORMAT, "t.csv:124:2 (v): expected a number, found 'x,y'");
    WN_EXPECT_ERR(rd("n,v\nx,1\n\"open,2\ny,3\n", &o, &t), WN_EFORMAT,
                  "t.csv:3:1 (n): unterminated quoted field");
    WN_EXPECT_ERR(rd("n,v\n\"ab\"cd,1\n", &o, &t), WN_EFORMAT,
                  "t.csv:2:1 (n): text after the closing quote: 'cd,1'");
}

static void test_sniffing(void **state)
{
    (void)state;
    wn_csv_options o = opts();
    wn_table *t = NULL;
    const char *files[] = {"a\tb\tc\n1\t2\t3\n4\t5\t6\n", "a;b;c\n1;2;3\n4;5;6\n",
                           "a|b|c\n1|2|3\n4|5|6\n", "  a   b c\n1 2\t 3  \n 4 5 6\n",
                           "a,b,c\n1,2,3\n4,5,6\n"};
    for (size_t i = 0; i < 5; i++) {
        WN_OK_OR_FAIL(rd(files[i], &o, &t));
        assert_int_equal(wn_table_ncols(t), 3);
        assert_int_equal(wn_table_nrows(t), 2);
        assert_string_equal(wn_table_name(t, 2), "c");
        assert_true(wn_table_get(t, 1, 2) == 6.0f);
        wn_table_free(t);
    }
    /* TSV keeps empty fields (missing); text with spaces does not fool it */
    WN_OK_OR_FAIL(rd("a\tb\tc\nx y\t\t3\n1\t5\t6\n", &o, &t));
    assert_int_equal(wn_table_ncols(t), 3);
    assert_true(isnan(wn_table_get(t, 0, 1)));
    wn_table_free(t);
    /* override */
    o.delimiter = ';';
    WN_OK_OR_FAIL(rd("a,b;c\n1,5;2\n", &o, &t));
    assert_int_equal(wn_table_ncols(t), 2);
    assert_string_equal(wn_table_name(t, 0), "a,b");
    wn_table_free(t);
}

static void test_missing_and_specials(void **state)
{
    (void)state;
    wn_csv_options o = opts();
    wn_table *t = NULL;
    WN_OK_OR_FAIL(rd("a,b\n1,NA\nnan,N/A\nnull,NaN\ninf,-inf\n+inf,Infinity\n -7 , 2 \n", &o, &t));
    assert_true(isnan(wn_table_get(t, 0, 1)) && isnan(wn_table_get(t, 1, 0)));
    assert_true(isnan(wn_table_get(t, 1, 1)) && isnan(wn_table_get(t, 2, 0)));
    assert_true(isinf(wn_table_get(t, 3, 0)) && wn_table_get(t, 3, 0) > 0);
    assert_true(isinf(wn_table_get(t, 3, 1)) && wn_table_get(t, 3, 1) < 0);
    assert_true(wn_table_get(t, 4, 0) > 0 && isinf(wn_table_get(t, 4, 1)));
    assert_true(wn_table_get(t, 5, 0) == -7.0f);
    wn_column_stats s;
    WN_OK_OR_FAIL(wn_table_column_stats(t, 0, NULL, &s));
    assert_int_equal(s.posinf, 2);
    wn_table_free(t);
    /* custom tokens match text exactly: -999 but not -999.0 */
    o.missing = "-999, MISSING";
    WN_OK_OR_FAIL(rd("a,b\n-999,1\n-999.0,MISSING\n5,\n", &o, &t));
    assert_true(isnan(wn_table_get(t, 0, 0)));
    assert_true(wn_table_get(t, 1, 0) == -999.0f);
    assert_true(isnan(wn_table_get(t, 1, 1)) && isnan(wn_table_get(t, 2, 1)));
    wn_table_free(t);
    /* custom tokens add to the defaults: NA stays missing */
    WN_OK_OR_FAIL(rd("a\nNA\nx\n", &o, &t));
    assert_int_equal(wn_table_nlevels(t, 0), 1);
    assert_true(isnan(wn_table_get(t, 0, 0)));
    wn_table_free(t);
    /* hex is text, not a number */
    o = opts();
    WN_OK_OR_FAIL(rd("a,b\n0x1A,2\n1,3\n", &o, &t));
    assert_int_equal(wn_table_nlevels(t, 0), 2);
    wn_table_free(t);
    /* a stray text in a numeric column is an error, not a new text column */
    WN_EXPECT_ERR(rd("a,b\n1,2\n3,abc\n", &o, &t), WN_EFORMAT, "t.csv:3:2 (b)");
    WN_EXPECT_ERR(rd("a,b\n1,2\n3,abc\n", &o, &t), WN_EFORMAT, "'abc'");
    t = NULL;
    WN_EXPECT_ERR(rd("a,b\n1,2\n0x1A,3\n", &o, &t), WN_EFORMAT, "'0x1A'");
    assert_null(t); /* out-parameters are set only on success */
    wn_table_free(t);
}

static void test_categorical(void **state)
{
    (void)state;
    wn_csv_options o = opts();
    wn_table *t = NULL;
    WN_OK_OR_FAIL(rd("x,class\n1,h\n2,g\n3,h\n4,NA\n5,other\n", &o, &t));
    assert_int_equal(wn_table_nlevels(t, 1), 3);
    assert_string_equal(wn_table_level(t, 1, 0), "h");
    assert_string_equal(wn_table_level(t, 1, 1), "g");
    assert_true(wn_table_get(t, 2, 1) == 0.0f && wn_table_get(t, 1, 1) == 1.0f);
    assert_true(isnan(wn_table_get(t, 3, 1)) && wn_table_get(t, 4, 1) == 2.0f);
    wn_table_free(t);
    /* forced by name: numbers become levels */
    o.strings = "code";
    WN_OK_OR_FAIL(rd("code,v\n10,1\n7,2\n10,3\n", &o, &t));
    assert_int_equal(wn_table_nlevels(t, 0), 2);
    assert_string_equal(wn_table_level(t, 0, 1), "7");
    wn_table_free(t);
    o.strings = "nope";
    WN_EXPECT_ERR(rd("code,v\n10,1\n", &o, &t), WN_EINVAL, "'nope'");
    /* text after 100 numbers: an error naming line, column, name and text */
    o.strings = NULL;
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "a,energy\n");
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%d,%d.5\n", i, i);
    snprintf(buf + n, sizeof buf - n, "1,abc\x01%s\n",
             "defghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
    WN_EXPECT_ERR(rd(buf, &o, &t), WN_EFORMAT,
                  "t.csv:152:2 (energy): expected a number, found 'abc\\x01defghij");
    assert_non_null(strstr(wn_errmsg(), "first 40 shown"));
    assert_null(strchr(wn_errmsg(), '\x01'));
}

static void test_errors(void **state)
{
    (void)state;
    wn_csv_options o = opts();
    wn_table *t = NULL;
    WN_EXPECT_ERR(rd("a,b\n1,2\n3\n", &o, &t), WN_EFORMAT, "t.csv:3: expected 2 fields");
    assert_non_null(strstr(wn_errmsg(), "found 1"));
    WN_EXPECT_ERR(rd("a,b\n1,2\n3,4,5,6\n", &o, &t), WN_EFORMAT, "found 4");
    WN_EXPECT_ERR(wn__table_read_csv_mem("t.csv", "a,b\n1,2\n3,4\0x\n", 14, &o, &t), WN_EFORMAT,
                  "t.csv:3:2 (b): NUL byte");
    WN_EXPECT_ERR(rd("", &o, &t), WN_EFORMAT, "no header and no data");
    WN_EXPECT_ERR(rd("# only\n\n#comments\n", &o, &t), WN_EFORMAT, "no header and no data");
    WN_EXPECT_ERR(rd("a,b\n", &o, &t), WN_EFORMAT, "t.csv:1: has a header but no data rows");
    WN_EXPECT_ERR(rd("# c\na,b\n\n# c\n", &o, &t), WN_EFORMAT, "t.csv:2: has a header");
    o.max_line = 10;
    WN_EXPECT_ERR(rd("a,b\n1,2\n3,4444444444444\n5,6\n", &o, &t), WN_EFORMAT,
                  "t.csv:3: line is longer than 10 bytes");
    /* the long line is reported even if a later line has a bad cell, and a
     * bad cell before it wins */
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "a,b\n");
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%d,%d\n", i % 10, i % 7);
    snprintf(buf + n, sizeof buf - n, "1,x2\n3,4444444444444\n");
    WN_EXPECT_ERR(rd(buf, &o, &t), WN_EFORMAT, "t.csv:122:2 (b): expected a number, found 'x2'");
    snprintf(buf + n, sizeof buf - n, "3,4444444444444\n1,x2\n");
    WN_EXPECT_ERR(rd(buf, &o, &t), WN_EFORMAT, "t.csv:122: line is longer");
    o = opts();
    WN_EXPECT_ERR(wn_table_read_csv("/nonexistent/dir/x.csv", &o, &t), WN_EIO,
                  "No such file or directory");
    WN_EXPECT_ERR(wn_table_read_csv("/tmp", &o, &t), WN_EIO, "directory");
    o.header = 3;
    WN_EXPECT_ERR(rd("a\n1\n", &o, &t), WN_EINVAL, "header");
    o = opts();
    o.delimiter = '"';
    WN_EXPECT_ERR(rd("a\n1\n", &o, &t), WN_EINVAL, "delimiter");
    /* out-parameter untouched on failure */
    t = (wn_table *)&o;
    WN_EXPECT_ERR(rd("", NULL, &t), WN_EFORMAT, "no header");
    assert_ptr_equal(t, &o);
}

/* A generated file with numbers of many shapes, text columns, missing cells,
 * comments and blank lines; parsed with 1, 2 and 3 threads, tiny chunks and
 * the general parser, every bit must agree. */
static char *gen_file(size_t *len, int rows, int bad_row)
{
    size_t cap = (size_t)rows * 200 + 200, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    n += (size_t)snprintf(b + n, cap - n, "# generated\nid,x,y,z,cls,w\n");
    wn_rng r = wn_rng_make(11, 0);
    const char *cls[5] = {"STAR", "GALAXY", "QSO", "star", "Q S O"};
    for (int i = 0; i < rows; i++) {
        if (i % 997 == 5)
            n += (size_t)snprintf(b + n, cap - n, "# comment %d\n\n", i);
        double x = wn_rng_normal(&r) * pow(10.0, (double)wn_rng_below(&r, 30) - 15.0);
        double y = wn_rng_uniform(&r) * 1000;
        int k = (int)wn_rng_below(&r, i < 1000 ? 3 : 5);
        const char *eol = (i % 3 == 0) ? "\r\n" : (i % 7 == 0 ? "\r" : "\n");
        if (i == bad_row)
            n += (size_t)snprintf(b + n, cap - n, "%d,%.17g,oops,,%s,1%s", i, x, cls[k], eol);
        else
            n += (size_t)snprintf(b + n, cap - n, "%d,%.17g,%.*f,%s,%s,%.3e%s", i, x,
                                  (int)(i % 9), y, i % 11 == 0 ? "" : "-999", cls[k],
                                  wn_rng_normal(&r), eol);
    }
    *len = n;
    return b;
}

static void test_thread_determinism(void **state)
{
    (void)state;
    size_t len;
    char *text = gen_file(&len, 30000, -1);
    wn_csv_options o = opts();
    o.missing = "-999";
    wn_table *ref = NULL, *t = NULL;
    o.threads = 1;
    WN_OK_OR_FAIL(wn__table_read_csv_mem("g.csv", text, len, &o, &ref));
    assert_int_equal(wn_table_nrows(ref), 30000);
    assert_int_equal(wn_table_nlevels(ref, 4), 5);
    wn__csv_knobs kn[4] = {{0, 0}, {1, 0}, {4096, 0}, {0, 1}};
    int th[4] = {2, 3, 2, 1};
    for (int i = 0; i < 4; i++) {
        o.threads = th[i];
        WN_OK_OR_FAIL(wn__table_read_csv_mem_knobs("g.csv", text, len, &o, &kn[i], &t));
        assert_tables_equal(ref, t);
        wn_table_free(t);
    }
    /* through a real file too */
    const char *path = wn_test_file(".csv", text, len);
    o.threads = 2;
    WN_OK_OR_FAIL(wn_table_read_csv(path, &o, &t));
    assert_tables_equal(ref, t);
    wn_table_free(t);
    unlink(path);
    wn_table_free(ref);
    free(text);
    /* the same error at any thread count */
    text = gen_file(&len, 30000, 20000);
    char first[512];
    o.threads = 1;
    assert_int_equal(wn__table_read_csv_mem("g.csv", text, len, &o, &t), WN_EFORMAT);
    snprintf(first, sizeof first, "%s", wn_errmsg());
    assert_non_null(strstr(first, "(y): expected a number, found 'oops'"));
    for (int i = 0; i < 4; i++) {
        o.threads = th[i];
        assert_int_equal(wn__table_read_csv_mem_knobs("g.csv", text, len, &o, &kn[i], &t),
                         WN_EFORMAT);
        assert_string_equal(wn_errmsg(), first);
    }
    free(text);
}

/* Random number texts of many shapes: the parser must equal (float)strtod. */
static void test_fastfloat_vs_strtod(void **state)
{
    (void)state;
    wn_rng r = wn_rng_make(2024, 7);
    char s[128];
    long checked = 0;
    for (int it = 0; it < 2000000; it++) {
        size_t n = 0;
        uint64_t shape = wn_rng_below(&r, 8);
        uint64_t sg = wn_rng_below(&r, 4);
        if (sg == 1)
            s[n++] = '-';
        else if (sg == 2)
            s[n++] = '+';
        int nint = (int)wn_rng_below(&r, shape == 0 ? 30 : 10);
        int nfrac = (int)wn_rng_below(&r, shape == 1 ? 40 : 12);
        if (shape == 2)
            nint = 0;
        for (int i = 0; i < nint; i++)
            s[n++] = (char)('0' + wn_rng_below(&r, i == 0 && shape == 3 ? 1 : 10));
        if (nfrac || wn_rng_below(&r, 2)) {
            s[n++] = '.';
            for (int i = 0; i < nfrac; i++)
                s[n++] = (char)('0' + wn_rng_below(&r, shape == 4 ? 2 : 10));
        }
        if (wn_rng_below(&r, 2)) {
            s[n++] = wn_rng_below(&r, 2) ? 'e' : 'E';
            uint64_t es = wn_rng_below(&r, 3);
            if (es)
                s[n++] = es == 1 ? '-' : '+';
            int e = (int)wn_rng_below(&r, shape == 5 ? 400 : (shape == 6 ? 50 : 30));
            if (shape == 7)
                e = 36 + (int)wn_rng_below(&r, 15); /* around the float subnormals */
            n += (size_t)snprintf(s + n, sizeof s - n, "%d", e);
        }
        s[n] = 0;
        float got = -1.0f;
        int ok = wn__parse_number(s, n, &got);
        char *end = NULL;
        double want = strtod(s, &end);
        int valid = n > 0 && end == s + n && !strpbrk(s, "xXiInN");
        if (ok != valid)
            fail_msg("'%s': parser says %d, strtod consumed %d of %d", s, ok,
                     (int)(end - s), (int)n);
        if (ok) {
            float w = (float)want;
            if (!same_bits(got, w))
                fail_msg("'%s': got %.9g, want %.9g", s, (double)got, (double)w);
            checked++;
        }
    }
    assert_true(checked > 1000000);
    /* long mantissas near float rounding boundaries: "%.18e" of floats (the
     * HIGGS text), and of float midpoints nudged by a few double ulps, where
     * the extended-precision path must either agree with strtod or step aside */
    for (int it = 0; it < 300000; it++) {
        uint32_t bits = (uint32_t)wn_rng_u64(&r) & 0x7f7fffffu;
        float f;
        memcpy(&f, &bits, 4);
        if (!isfinite(f))
            continue;
        double mid = ((double)f + (double)nextafterf(f, INFINITY)) / 2.0;
        int nudge = (int)wn_rng_below(&r, 5) - 2;
        for (int k = 0; k < abs(nudge); k++)
            mid = nextafter(mid, nudge > 0 ? (double)INFINITY : 0.0);
        const char *fmt[3] = {"%.18e", "%.25e", "%.17g"};
        double vals[2] = {(double)f, mid};
        for (int v = 0; v < 2; v++)
            for (int q = 0; q < 3; q++) {
                int n = snprintf(s, sizeof s, fmt[q], vals[v]);
                float got = -1.0f;
                assert_int_equal(wn__parse_number(s, (size_t)n, &got), 1);
                float w = (float)strtod(s, NULL);
                if (!same_bits(got, w))
                    fail_msg("'%s': got %.9g, want %.9g", s, (double)got, (double)w);
            }
    }
    /* fixed cases */
    const char *fixed[] = {"0", "-0", ".5", "5.", "1e5", "1E-5", "3.4028235e38", "3.5e38",
                           "1e-46", "1.4e-45", "7e-46", "123456789012345678901234567890",
                           "0.000000000000000000000000000000000000000001", "9007199254740993",
                           "1e39", "-1e400", "2.5e-324", "1e22", "1e23", "12345678e30",
                           "4.9406564584124654e-324"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        float got;
        assert_int_equal(wn__parse_number(fixed[i], strlen(fixed[i]), &got), 1);
        if (!same_bits(got, (float)strtod(fixed[i], NULL)))
            fail_msg("'%s'", fixed[i]);
    }
    float v;
    const char *bad[] = {"", ".", "+", "-", "e5", "1e", "1e+", "0x10", "1.2.3", " 1", "1 ",
                         "1,5", "infinite", "nanx", "1d5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (wn__parse_number(bad[i], strlen(bad[i]), &v) != 0)
            fail_msg("'%s' should be text", bad[i]);
    assert_int_equal(wn__parse_number("-Infinity", 9, &v), 1);
    assert_true(isinf(v) && v < 0);
}

static void test_writer_roundtrip(void **state)
{
    (void)state;
    wn_table *t = NULL, *v = NULL, *back = NULL;
    WN_OK_OR_FAIL(wn_table_create(5, &t));
    float a[5] = {1.5f, NAN, -0.1f, 3.4028235e38f, INFINITY};
    float b[5] = {0, 1, 2, NAN, 0};
    float c[5] = {1e-45f, 0.3f, 7, 8, 9};
    WN_OK_OR_FAIL(wn_table_add_column(t, "x, the \"first\"", a));
    WN_OK_OR_FAIL(wn_table_add_column(t, "kind", b));
    WN_OK_OR_FAIL(wn_table_add_column(t, "#c", c));
    const char *lv[3] = {"a,b", "say \"x\"", " sp"};
    WN_OK_OR_FAIL(wn_table_set_levels(t, 1, lv, 3));
    char path[512];
    snprintf(path, sizeof path, "%s/wn_csv_w_%d.csv",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    WN_OK_OR_FAIL(wn_table_write_csv(t, path));
    wn_csv_options o = opts();
    WN_OK_OR_FAIL(wn_table_read_csv(path, &o, &back));
    assert_tables_equal(t, back);
    wn_table_free(back);
    /* a view writes its logical rows */
    int64_t rows[2] = {4, 2};
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 2, &v));
    WN_OK_OR_FAIL(wn_table_write_csv(v, path));
    WN_OK_OR_FAIL(wn_table_read_csv(path, &o, &back));
    assert_int_equal(wn_table_nrows(back), 2);
    assert_true(isinf(wn_table_get(back, 0, 0)));
    assert_true(wn_table_get(back, 1, 2) == 7.0f);
    assert_string_equal(wn_table_level(back, 1, 0), "a,b");
    assert_string_equal(wn_table_level(back, 1, 1), " sp");
    wn_table_free(back);
    /* one column with NaN rows survives (no blank lines) */
    wn_table *one = NULL;
    WN_OK_OR_FAIL(wn_table_create(3, &one));
    float d[3] = {NAN, 2, NAN};
    WN_OK_OR_FAIL(wn_table_add_column(one, "d", d));
    WN_OK_OR_FAIL(wn_table_write_csv(one, path));
    WN_OK_OR_FAIL(wn_table_read_csv(path, &o, &back));
    assert_tables_equal(one, back);
    wn_table_free(back);
    wn_table_free(one);
    /* failure leaves the old file alone */
    WN_EXPECT_ERR(wn_table_write_csv(t, "/nonexistent/dir/out.csv"), WN_EIO, "/nonexistent");
    unlink(path);
    wn_table_free(v);
    wn_table_free(t);
}

static int cancel_at;
static int ncalls;
static int prog(void *ud, const char *stage, int64_t done, int64_t total)
{
    (void)ud;
    assert_string_equal(stage, "parse");
    assert_true(done <= total);
    return ++ncalls == cancel_at;
}

static void test_progress_cancel(void **state)
{
    (void)state;
    size_t len;
    char *text = gen_file(&len, 20000, -1);
    wn_csv_options o = opts();
    o.progress.fn = prog;
    o.threads = 2;
    wn_table *t = NULL;
    cancel_at = 0;
    ncalls = 0;
    WN_OK_OR_FAIL(wn__table_read_csv_mem("g.csv", text, len, &o, &t));
    wn_table_free(t);
    assert_true(ncalls >= 3 && ncalls <= 100);
    cancel_at = 2;
    ncalls = 0;
    t = NULL;
    WN_EXPECT_ERR(wn__table_read_csv_mem("g.csv", text, len, &o, &t), WN_EINVAL, "cancelled");
    assert_null(t);
    free(text);
}

/* Every allocation may fail: each failure is a clean WN_ENOMEM (ASan checks
 * for leaks), and eventually the read succeeds. */
static void sweep(const char *text, const wn__csv_knobs *kn, int threads)
{
    wn_csv_options o = opts();
    o.threads = threads;
    int ok = 0;
    for (int64_t n = 1; n < 2000 && !ok; n++) {
        wn_table *t = NULL;
        wn__alloc_fail_at(n);
        wn_status s = wn__table_read_csv_mem_knobs("s.csv", text, strlen(text), &o, kn, &t);
        wn__alloc_fail_at(0);
        if (s == WN_OK) {
            ok = 1;
            assert_int_equal(wn_table_nrows(t), 4);
        } else if (s != WN_ENOMEM) {
            fail_msg("allocation %lld failing gave %s: %s", (long long)n, wn_status_name(s),
                     wn_errmsg());
        }
        wn_table_free(t);
    }
    assert_true(ok);
}

static void test_alloc_failure_sweep(void **state)
{
    (void)state;
    const char *plain = "a,b,cls,d\n1,2,g,x\n3,,h,y\n5,6,g,x\n7,8e300,h,z\n";
    const char *quoted = "a,b,cls,d\n1,2,\"g\",x\n3,,h,\"y\"\"\"\n5,6,g,x\n7,8,h,z\n";
    wn__csv_knobs small = {1, 0};
    sweep(plain, NULL, 1);
    sweep(plain, &small, 1);
    sweep(quoted, NULL, 1);
    /* a long number goes to the heap copy */
    char longnum[600] = "a,b\n1,2\n3,4\n5,6\n7,0.";
    size_t n = strlen(longnum);
    memset(longnum + n, '1', 300);
    longnum[n + 300] = '\n';
    longnum[n + 301] = 0;
    sweep(longnum, NULL, 1);
}

static const char *data_dir;

static wn_table *read_real(const char *rel, int header)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", data_dir, rel);
    wn_csv_options o = opts();
    o.header = header;
    o.threads = 2;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_table_read_csv(path, &o, &t));
    return t;
}

static void test_real_data(void **state)
{
    (void)state;
    if (!(data_dir = wn_test_shared_data()))
        return;
    wn_table *t = read_real("magic/magic04.data", -1);
    assert_int_equal(wn_table_nrows(t), 19020);
    assert_int_equal(wn_table_ncols(t), 11);
    assert_string_equal(wn_table_name(t, 10), "class");
    assert_int_equal(wn_table_nlevels(t, 10), 2);
    assert_string_equal(wn_table_level(t, 10, 0), "g");
    assert_string_equal(wn_table_level(t, 10, 1), "h");
    int64_t n0, n1;
    WN_OK_OR_FAIL(wn_table_check_binary(t, 10, &n0, &n1));
    assert_int_equal(n0, 12332);
    assert_true(wn_table_get(t, 0, 0) == (float)28.7967);
    assert_true(wn_table_get(t, 1, 9) == (float)205.261);
    wn_table *nh = read_real("magic/magic04.noheader.data", -1);
    assert_int_equal(wn_table_nrows(nh), 19020);
    assert_int_equal(wn_table_ncols(nh), 11);
    assert_string_equal(wn_table_name(nh, 0), "c0");
    for (int64_t c = 0; c < 10; c++)
        for (int64_t r = 0; r < 19020; r += 101)
            assert_true(same_bits(wn_table_get(nh, r, c), wn_table_get(t, r, c)));
    wn_table_free(nh);
    wn_table_free(t);

    t = read_real("htru2/HTRU_2.csv", -1);
    assert_int_equal(wn_table_nrows(t), 17898);
    assert_int_equal(wn_table_ncols(t), 9);
    assert_string_equal(wn_table_name(t, 0), "IP_Mean");
    assert_string_equal(wn_table_name(t, 8), "class");
    assert_true(wn_table_get(t, 0, 0) == (float)140.5625);
    assert_true(wn_table_get(t, 0, 1) == (float)55.68378214);
    WN_OK_OR_FAIL(wn_table_check_binary(t, 8, &n0, &n1));
    assert_int_equal(n0 + n1, 17898);
    wn_table_free(t);

    t = read_real("sdss-skyserver-dr14/skyserver_dr14.csv", -1);
    assert_int_equal(wn_table_nrows(t), 10000);
    assert_int_equal(wn_table_ncols(t), 18);
    int64_t c;
    WN_OK_OR_FAIL(wn_table_find(t, "class", &c));
    assert_int_equal(wn_table_nlevels(t, c), 3);
    assert_string_equal(wn_table_level(t, c, 0), "STAR");
    assert_true(wn_table_get(t, 0, 1) == (float)183.5313256941);
    WN_OK_OR_FAIL(wn_table_find(t, "redshift", &c));
    assert_true(wn_table_get(t, 0, c) == (float)-0.000008956);
    assert_true(wn_table_get(t, 1, c) == (float)-5.491128E-05);
    wn_table_free(t);

    t = read_real("kepler-koi-cumulative/cumulative.csv", -1);
    assert_int_equal(wn_table_nrows(t), 9564);
    assert_int_equal(wn_table_ncols(t), 50);
    assert_string_equal(wn_table_name(t, 0), "loc_rowid");
    WN_OK_OR_FAIL(wn_table_find(t, "koi_teq_err1", &c));
    assert_true(isnan(wn_table_get(t, 0, c)));
    WN_OK_OR_FAIL(wn_table_find(t, "koi_period", &c));
    assert_true(wn_table_get(t, 0, c) == (float)9.488035570);
    WN_OK_OR_FAIL(wn_table_find(t, "koi_disposition", &c));
    assert_string_equal(wn_table_level(t, c, 0), "CONFIRMED");
    wn_table_free(t);

    t = read_real("cms-opendata-leptons/Zmumu_Run2011A.csv", -1);
    assert_int_equal(wn_table_nrows(t), 10583);
    assert_int_equal(wn_table_ncols(t), 14);
    assert_string_equal(wn_table_name(t, 2), "pt1");
    assert_true(wn_table_get(t, 0, 2) == (float)54.7055);
    assert_true(wn_table_get(t, 0, 1) == 74969122.0f);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_and_header),
        cmocka_unit_test(test_line_endings_bom_comments),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_sniffing),
        cmocka_unit_test(test_missing_and_specials),
        cmocka_unit_test(test_categorical),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_thread_determinism),
        cmocka_unit_test(test_fastfloat_vs_strtod),
        cmocka_unit_test(test_writer_roundtrip),
        cmocka_unit_test(test_progress_cancel),
        cmocka_unit_test(test_alloc_failure_sweep),
        cmocka_unit_test(test_real_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
