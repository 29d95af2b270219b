/* test_json.c — the JSON writer and the strict parser. */
#include "wn_test.h"

#include "core.h"
#include "json.h"

#include <math.h>

static wn__json_doc *parse_ok(const char *text)
{
    wn__json_doc *d = NULL;
    WN_OK_OR_FAIL(wn__json_parse("t", text, strlen(text), 0, &d));
    return d;
}

static void test_writer_compact_and_pretty(void **state)
{
    (void)state;
    for (int pretty = 0; pretty < 2; pretty++) {
        wn__jw w;
        wn__jw_init(&w, pretty);
        wn__jw_object_begin(&w);
        wn__jw_key(&w, "kind");
        wn__jw_string(&w, "gbdt");
        wn__jw_key(&w, "n");
        wn__jw_int(&w, -42);
        wn__jw_key(&w, "a");
        wn__jw_array_begin(&w);
        wn__jw_double(&w, 0.1);
        wn__jw_bool(&w, true);
        wn__jw_null(&w);
        wn__jw_array_end(&w);
        wn__jw_key(&w, "e");
        wn__jw_object_begin(&w);
        wn__jw_object_end(&w);
        wn__jw_object_end(&w);
        char *t;
        size_t n;
        WN_OK_OR_FAIL(wn__jw_finish(&w, &t, &n));
        assert_int_equal(n, strlen(t));
        if (!pretty)
            assert_string_equal(t, "{\"kind\":\"gbdt\",\"n\":-42,\"a\":[0.1,true,null],\"e\":{}}");
        else
            assert_string_equal(t, "{\n  \"kind\": \"gbdt\",\n  \"n\": -42,\n  \"a\": [\n    0.1,\n"
                                   "    true,\n    null\n  ],\n  \"e\": {}\n}\n");
        wn__json_doc *d = parse_ok(t);
        const wn__json *r = wn__json_doc_root(d);
        assert_string_equal(wn__json_get_string(r, "kind", NULL), "gbdt");
        assert_int_equal(wn__json_get_int(r, "n", 0), -42);
        assert_int_equal(wn__json_len(wn__json_get(r, "a")), 3);
        assert_true(wn__json_at(wn__json_get(r, "a"), 0)->u.num == 0.1);
        assert_true(wn__json_at(wn__json_get(r, "a"), 1)->boolean);
        assert_int_equal(wn__json_at(wn__json_get(r, "a"), 2)->type, WN__JSON_NULL);
        assert_null(wn__json_at(wn__json_get(r, "a"), 3));
        assert_int_equal(wn__json_get(r, "e")->type, WN__JSON_OBJECT);
        assert_true(wn__json_get_bool(r, "missing", true));
        assert_true(wn__json_get_number(r, "kind", 7.5) == 7.5); /* wrong type */
        wn__json_doc_free(d);
        wn_free(t);
    }
}

static void test_writer_misuse(void **state)
{
    (void)state;
    wn__jw w;
    char *t = NULL;
    size_t n;
    wn__jw_init(&w, false);
    wn__jw_object_begin(&w);
    wn__jw_int(&w, 1); /* value without a key */
    assert_int_equal(wn__jw_finish(&w, &t, &n), WN_EINTERNAL);
    assert_null(t);
    wn__jw_init(&w, false);
    wn__jw_array_begin(&w);
    assert_int_equal(wn__jw_finish(&w, &t, &n), WN_EINTERNAL); /* left open */
    wn__jw_init(&w, false);
    wn__jw_string(&w, "\xff\xfe");
    WN_EXPECT_ERR(wn__jw_finish(&w, &t, &n), WN_EINVAL, "not valid UTF-8");
    wn__jw_init(&w, false);
    for (int k = 0; k <= WN__JSON_MAX_DEPTH; k++)
        wn__jw_array_begin(&w);
    assert_int_equal(wn__jw_finish(&w, &t, &n), WN_EINTERNAL);
    wn__jw_init(&w, false);
    wn__jw_int(&w, 1);
    wn__jw_int(&w, 2);
    assert_int_equal(wn__jw_finish(&w, &t, &n), WN_EINTERNAL);
}

static void test_string_escapes(void **state)
{
    (void)state;
    /* every byte 1..127, plus multi-byte UTF-8 passed through */
    char in[200];
    size_t n = 0;
    for (int c = 1; c < 128; c++)
        in[n++] = (char)c;
    const char *utf = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"; /* é € 😀 */
    memcpy(in + n, utf, strlen(utf));
    n += strlen(utf);
    wn__jw w;
    wn__jw_init(&w, false);
    wn__jw_string_n(&w, in, n);
    char *t;
    size_t tl;
    WN_OK_OR_FAIL(wn__jw_finish(&w, &t, &tl));
    assert_non_null(strstr(t, "\\u0001\\u0002"));
    assert_non_null(strstr(t, "\\b\\t\\n\\u000b\\f\\r"));
    assert_non_null(strstr(t, "\\u001f !\\\"#"));
    assert_non_null(strstr(t, "[\\\\]"));
    assert_non_null(strstr(t, utf));
    for (size_t k = 0; k < tl; k++)
        assert_true((unsigned char)t[k] >= 0x20);
    wn__json_doc *d = parse_ok(t);
    const wn__json *r = wn__json_doc_root(d);
    assert_int_equal(r->type, WN__JSON_STRING);
    assert_int_equal(r->n, n);
    assert_memory_equal(r->u.str, in, n);
    wn__json_doc_free(d);
    wn_free(t);

    /* \u escapes, surrogate pairs, \u0000 */
    d = parse_ok("\"a\\u00e9\\u20AC\\ud83d\\ude00\\/\\u0000z\"");
    r = wn__json_doc_root(d);
    assert_int_equal(r->n, 1 + 2 + 3 + 4 + 1 + 1 + 1);
    assert_memory_equal(r->u.str, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80/\0z", r->n);
    wn__json_doc_free(d);
}

static double reparse(double v)
{
    char b[40];
    int n = wn__json_format_double(b, v);
    assert_true(n > 0 && n < 32);
    wn__json_doc *d = parse_ok(b);
    double r = wn__json_doc_root(d)->u.num;
    wn__json_doc_free(d);
    return r;
}

static void test_numbers(void **state)
{
    (void)state;
    char b[40];
    wn__json_format_double(b, 0.1);
    assert_string_equal(b, "0.1");
    wn__json_format_double(b, 1e308);
    assert_string_equal(b, "1e+308");
    wn__json_format_double(b, -0.0);
    assert_string_equal(b, "-0");
    wn__json_format_double(b, 1.0 / 3.0);
    assert_string_equal(b, "0.3333333333333333");
    double vals[] = {0.1,
                     1e308,
                     -1e308,
                     5e-324,
                     2.2250738585072014e-308,
                     1.0 / 3.0,
                     123456789.0,
                     -0.0,
                     1e21,
                     9007199254740993.0,
                     3.141592653589793,
                     1e-7,
                     6.02214076e23};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        double r = reparse(vals[k]);
        assert_memory_equal(&r, &vals[k], sizeof r); /* bit for bit, -0 too */
    }
    /* random doubles round-trip bit for bit */
    wn_rng g = wn_rng_make(5, 0);
    for (int k = 0; k < 2000; k++) {
        uint64_t u = wn_rng_u64(&g);
        double v;
        memcpy(&v, &u, sizeof v);
        if (!isfinite(v))
            continue;
        double r = reparse(v);
        assert_memory_equal(&r, &v, sizeof r);
    }
    /* non-finite -> null */
    wn__jw w;
    wn__jw_init(&w, false);
    wn__jw_array_begin(&w);
    wn__jw_double(&w, (double)NAN);
    wn__jw_double(&w, -(double)INFINITY);
    wn__jw_array_end(&w);
    char *t;
    size_t n;
    WN_OK_OR_FAIL(wn__jw_finish(&w, &t, &n));
    assert_string_equal(t, "[null,null]");
    wn_free(t);

    /* int64 boundaries are exact */
    wn__json_doc *d = parse_ok("[9223372036854775807,-9223372036854775808,9223372036854775808,"
                               "-9223372036854775809,-0,0,1e2,1.0,-12]");
    const wn__json *r = wn__json_doc_root(d);
    assert_true(wn__json_at(r, 0)->is_int && wn__json_at(r, 0)->i == INT64_MAX);
    assert_true(wn__json_at(r, 1)->is_int && wn__json_at(r, 1)->i == INT64_MIN);
    assert_false(wn__json_at(r, 2)->is_int);
    assert_true(wn__json_at(r, 2)->u.num == 9223372036854775808.0);
    assert_false(wn__json_at(r, 3)->is_int);
    assert_true(wn__json_at(r, 4)->is_int && wn__json_at(r, 4)->i == 0);
    assert_true(signbit(wn__json_at(r, 4)->u.num));
    assert_false(signbit(wn__json_at(r, 5)->u.num));
    assert_false(wn__json_at(r, 6)->is_int); /* exponent: not an integer literal */
    assert_true(wn__json_at(r, 6)->u.num == 100.0);
    assert_false(wn__json_at(r, 7)->is_int);
    assert_int_equal(wn__json_at(r, 8)->i, -12);
    wn__json_doc_free(d);
    wn__jw_init(&w, false);
    wn__jw_array_begin(&w);
    wn__jw_int(&w, INT64_MIN);
    wn__jw_int(&w, INT64_MAX);
    wn__jw_array_end(&w);
    WN_OK_OR_FAIL(wn__jw_finish(&w, &t, &n));
    assert_string_equal(t, "[-9223372036854775808,9223372036854775807]");
    wn_free(t);
}

typedef struct bad_case {
    const char *text;
    const char *msg; /* must appear in the error */
} bad_case;

static void test_malformed(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"", "line 1, column 1 (byte 0): expected a value, found end of input"},
        {"   ", "column 4 (byte 3): expected a value"},
        {"{\n  \"a\" 1}", "line 2, column 7 (byte 8): expected ':' after an object key, found '1'"},
        {"{\"a\":1,}", "column 8 (byte 7): expected a string key, found '}'"},
        {"[1,]", "column 4 (byte 3): expected a value, found ']'"},
        {"[1 2]", "column 4 (byte 3): expected ',' or ']', found '2'"},
        {"{\"a\":1 \"b\":2}", "expected ',' or '}'"},
        {"[1", "column 3 (byte 2): expected ',' or ']', found end of input"},
        {"{'a':1}", "expected a string key, found '''"},
        {"01", "leading zeros"},
        {"-", "expected a digit after '-'"},
        {"+1", "expected a value, found '+'"},
        {"1.", "expected a digit after '.'"},
        {".5", "expected a value, found '.'"},
        {"1e", "expected a digit in the exponent"},
        {"1e+", "expected a digit in the exponent"},
        {"0x10", "unexpected 'x' after the JSON value"},
        {"1e400", "out of range"},
        {"NaN", "expected a value, found 'N'"},
        {"Infinity", "expected a value"},
        {"tru", "expected a value, found 't'"},
        {"nul", "expected a value"},
        {"\"abc", "column 1 (byte 0): unterminated string"},
        {"\"a\\x\"", "column 3 (byte 2): invalid escape '\\x'"},
        {"\"\\u12G4\"", "four hex digits"},
        {"\"\\u12\"", "four hex digits"},
        {"\"\\udc00\"", "lone low surrogate"},
        {"\"\\ud800\"", "not followed by a low surrogate"},
        {"\"\\ud800\\u0041\"", "not followed by a low surrogate"},
        {"\"a\tb\"", "column 3 (byte 2): control character U+0009"},
        {"\"\xc3\"", "invalid UTF-8"},
        {"\"\xc0\xaf\"", "invalid UTF-8"},         /* overlong */
        {"\"\xed\xa0\x80\"", "invalid UTF-8"},     /* surrogate */
        {"\"\xf4\x90\x80\x80\"", "invalid UTF-8"}, /* past U+10FFFF */
        {"\xef\xbb\xbf{}", "found byte 0xef"},     /* BOM */
        {"{} {}", "unexpected '{' after the JSON value"},
        {"{\"a\":1,\"a\":2}", "column 8 (byte 7): duplicate key \"a\""},
        {"[1]/*c*/", "unexpected '/'"},
        {"{\"a\"}", "expected ':'"},
        {"{\"a\":}", "expected a value, found '}'"},
        {"[\"a\",\n\n   x]", "line 3, column 4 (byte 10): expected a value, found 'x'"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        wn__json_doc *d = NULL;
        wn_status s = wn__json_parse("hdr", cases[k].text, strlen(cases[k].text), 0, &d);
        if (s != WN_EFORMAT || d)
            fail_msg("case %zu '%s': got %s", k, cases[k].text, wn_status_name(s));
        if (strncmp(wn_errmsg(), "hdr: line ", 10) != 0 || !strstr(wn_errmsg(), cases[k].msg))
            fail_msg("case %zu '%s': message '%s' lacks '%s'", k, cases[k].text, wn_errmsg(),
                     cases[k].msg);
    }
    /* a NUL byte in the text is not whitespace */
    wn__json_doc *d = NULL;
    WN_EXPECT_ERR(wn__json_parse("hdr", "{}\0", 3, 0, &d), WN_EFORMAT, "byte 0x00");
    /* duplicate keys in a wide object (the sorting path) */
    char big[4000];
    size_t n = 0;
    big[n++] = '{';
    for (int k = 0; k < 100; k++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"k%d\":%d", k ? "," : "", k % 99, k);
    big[n++] = '}';
    WN_EXPECT_ERR(wn__json_parse("hdr", big, n, 0, &d), WN_EFORMAT, "duplicate key \"k0\"");
    /* ...and none when the keys differ */
    n = 0;
    big[n++] = '{';
    for (int k = 0; k < 100; k++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%s\"k%d\":%d", k ? "," : "", k, k);
    big[n++] = '}';
    WN_OK_OR_FAIL(wn__json_parse("hdr", big, n, 0, &d));
    assert_int_equal(wn__json_get_int(wn__json_doc_root(d), "k99", -1), 99);
    wn__json_doc_free(d);
}

static void test_depth_limit(void **state)
{
    (void)state;
    char buf[2 * 100000 + 1];
    /* arrays nested exactly to the limit parse; one deeper does not */
    for (int depth = 63; depth <= 65; depth++) {
        size_t n = 0;
        for (int k = 0; k < depth; k++)
            buf[n++] = '[';
        for (int k = 0; k < depth; k++)
            buf[n++] = ']';
        wn__json_doc *d = NULL;
        wn_status s = wn__json_parse("t", buf, n, 0, &d);
        if (depth <= WN__JSON_MAX_DEPTH) {
            assert_int_equal(s, WN_OK);
            wn__json_doc_free(d);
        } else {
            assert_int_equal(s, WN_EFORMAT);
            assert_non_null(strstr(wn_errmsg(), "byte 64): nesting deeper than 64 levels"));
        }
    }
    /* 100000 opening brackets: refused at the limit, no deep recursion */
    memset(buf, '[', 100000);
    wn__json_doc *d = NULL;
    WN_EXPECT_ERR(wn__json_parse("t", buf, 100000, 0, &d), WN_EFORMAT, "nesting deeper");
    /* a smaller limit is honoured, objects count too */
    WN_EXPECT_ERR(wn__json_parse("t", "{\"a\":{\"b\":[1]}}", 15, 2, &d), WN_EFORMAT,
                  "byte 10): nesting deeper than 2");
    WN_OK_OR_FAIL(wn__json_parse("t", "{\"a\":{\"b\":[1]}}", 15, 3, &d));
    assert_true(wn__json_at(wn__json_get(wn__json_get(wn__json_doc_root(d), "a"), "b"), 0)->i == 1);
    wn__json_doc_free(d);
}

static void test_size_limit(void **state)
{
    (void)state;
    wn__json_doc *d = NULL;
    /* the length is checked before a byte is read */
    WN_EXPECT_ERR(wn__json_parse("t", "", WN__JSON_MAX_TEXT + 1, 0, &d), WN_ENOMEM,
                  "over the limit");
}

static void test_alloc_failure_sweep(void **state)
{
    (void)state;
    /* big enough to need several arena blocks, stack growth and the sort */
    size_t cap = 300000, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "{\"kind\":\"x\",\"s\":\"%0200d\",\"a\":[", 7);
    for (int k = 0; k < 5000; k++)
        n += (size_t)snprintf(text + n, cap - n, "%s{\"v\":%d.5,\"w\":\"\\u00e9%d\"}", k ? "," : "",
                              k, k);
    n += (size_t)snprintf(text + n, cap - n, "],\"o\":{");
    for (int k = 0; k < 40; k++)
        n += (size_t)snprintf(text + n, cap - n, "%s\"k%d\":[]", k ? "," : "", k);
    n += (size_t)snprintf(text + n, cap - n, "}}");
    int ok = 0;
    int64_t tries = 0;
    for (int64_t f = 1; f < 10000 && !ok; f++, tries++) {
        wn__alloc_fail_at(f);
        wn__json_doc *d = NULL;
        wn_status s = wn__json_parse("t", text, n, 0, &d);
        wn__jw w;
        char *out = NULL;
        size_t on;
        if (s == WN_OK) {
            wn__jw_init(&w, true);
            wn__jw_object_begin(&w);
            for (int k = 0; k < 2000; k++) {
                wn__jw_key(&w, "key");
                wn__jw_double(&w, k * 0.25);
            }
            wn__jw_object_end(&w);
            s = wn__jw_finish(&w, &out, &on);
        }
        wn__alloc_fail_at(0);
        if (s == WN_OK) {
            ok = 1;
            assert_int_equal(wn__json_len(wn__json_get(wn__json_doc_root(d), "a")), 5000);
        } else {
            assert_int_equal(s, WN_ENOMEM);
            assert_null(out);
        }
        wn__json_doc_free(d);
        wn_free(out);
    }
    assert_true(ok);
    assert_true(tries > 5);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_compact_and_pretty),
        cmocka_unit_test(test_writer_misuse),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_alloc_failure_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
