/* test_svg.c — the SVG plotting layer: 1-2-5 ticks by their properties and
 * on known ranges, every series kind rendering to well-formed XML (checked
 * by a small tag/attribute/entity checker below), escaping, log-axis decade
 * labels, NaN skipping, deterministic output, and allocation failures at
 * every step (never a crash; -1 from series calls or buf.oom set). */
#include "wn_test.h"

#include "core.h"
#include "report/svg.h"

#include <math.h>

/* ---- a tiny XML well-formedness checker --------------------------------- */

static int is_name(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == ':' || c == '_';
}

/* An entity at s ("&amp;", "&#39;", ...): its length, or 0. */
static size_t entity(const char *s)
{
    size_t i = 1;
    if (s[i] == '#')
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            ;
    else
        for (; s[i] >= 'a' && s[i] <= 'z'; i++)
            ;
    return i > 1 && s[i] == ';' ? i + 1 : 0;
}

/* NULL when well-formed, else what is wrong (static text). One root. */
static const char *xml_check(const char *s)
{
    static char why[160];
    char stack[64][32];
    int depth = 0, roots = 0;
    for (size_t i = 0; s[i];) {
        if (s[i] == '&') {
            size_t e = entity(s + i);
            if (!e)
                return snprintf(why, sizeof why, "bad '&' at %zu", i), why;
            i += e;
            continue;
        }
        if (s[i] == '>')
            return snprintf(why, sizeof why, "raw '>' in text at %zu", i), why;
        if (s[i] != '<') {
            if (depth == 0)
                return snprintf(why, sizeof why, "text outside the root at %zu", i), why;
            i++;
            continue;
        }
        i++;
        int closing = s[i] == '/';
        i += (size_t)closing;
        size_t n0 = i;
        while (is_name(s[i]))
            i++;
        size_t nl = i - n0;
        if (nl == 0 || nl >= 32)
            return snprintf(why, sizeof why, "bad tag name at %zu", n0), why;
        if (closing) {
            if (s[i] != '>' || depth == 0 || strncmp(stack[depth - 1], s + n0, nl) ||
                stack[depth - 1][nl])
                return snprintf(why, sizeof why, "unbalanced </%.*s> at %zu", (int)nl, s + n0, n0),
                       why;
            depth--;
            i++;
            continue;
        }
        for (;;) { /* attributes */
            while (s[i] == ' ')
                i++;
            if (s[i] == '>' || (s[i] == '/' && s[i + 1] == '>'))
                break;
            size_t a0 = i;
            while (is_name(s[i]))
                i++;
            if (i == a0 || s[i] != '=' || s[i + 1] != '"')
                return snprintf(why, sizeof why, "bad attribute at %zu", a0), why;
            for (i += 2; s[i] != '"'; i++) {
                if (!s[i] || s[i] == '<')
                    return snprintf(why, sizeof why, "bad attribute value at %zu", a0), why;
                if (s[i] == '&' && !entity(s + i))
                    return snprintf(why, sizeof why, "bad '&' in attribute at %zu", i), why;
            }
            i++;
        }
        if (s[i] == '/') {
            i += 2;
            if (depth == 0)
                roots++;
            continue;
        }
        i++;
        if (depth == 0)
            roots++;
        if (depth == 64)
            return "too deep";
        memcpy(stack[depth], s + n0, nl);
        stack[depth++][nl] = '\0';
    }
    if (depth)
        return snprintf(why, sizeof why, "<%s> not closed", stack[depth - 1]), why;
    return roots == 1 ? NULL : "not exactly one root element";
}

static void assert_svg(const wn__buf *b, const char *what)
{
    if (b->oom || !b->s)
        fail_msg("%s: no text (oom %d)", what, b->oom);
    const char *why = xml_check(b->s);
    if (why)
        fail_msg("%s: %s\n%s", what, why, b->s);
    const char *must[] = {"<svg xmlns=\"http://www.w3.org/2000/svg\"", "viewBox=\"0 0 640 400\"",
                          "width=\"100%\"", "role=\"img\"", "<title>"};
    for (size_t k = 0; k < sizeof must / sizeof *must; k++)
        if (!strstr(b->s, must[k]))
            fail_msg("%s: lacks %s", what, must[k]);
    if (strstr(b->s, "nan") || strstr(b->s, "inf"))
        fail_msg("%s: a non-finite number in the text\n%s", what, b->s);
}

/* ---- fixtures ----------------------------------------------------------- */

enum { N = 50 };
static double X[N], Y[N], E[N], EDGES[N + 1], M[9 * 9];
static const char *LAB[9] = {
    "pt", "eta", "phi", "m_jj", "a<b", "&c", "\"q\"", "very long label name here", "x"};

static void fill(void)
{
    for (int i = 0; i < N; i++) {
        X[i] = i / (double)(N - 1);
        Y[i] = X[i] * X[i] + 0.01;
        E[i] = 0.05;
        EDGES[i] = -2.0 + 0.1 * i;
    }
    EDGES[N] = -2.0 + 0.1 * N;
    for (int i = 0; i < 81; i++)
        M[i] = i % 10 == 0 ? 1.0 : sin((double)i);
}

/* Builds a plot with one kind of series (or all of them: kind -1). Returns
 * 0, or -1 when a call failed (allocation failure tests). */
static int build(wn__plot *p, int kind)
{
    int r = 0;
    if (kind == 0 || kind < 0)
        r |= wn__plot_line(p, "line", X, Y, N, -1);
    if (kind == 1 || kind < 0)
        r |= wn__plot_points(p, "points", X, Y, E, N, -1);
    if (kind == 2 || kind < 0)
        r |= wn__plot_hist(p, "filled", EDGES, Y, N, 1, -1);
    if (kind == 3 || kind < 0)
        r |= wn__plot_hist(p, "outline", EDGES, Y, N, 0, 3);
    if (kind == 4)
        r |= wn__plot_hbars(p, "gain", LAB, Y, E, 9, -1);
    if (kind == 5)
        r |= wn__plot_heatmap(p, LAB, M, 9);
    if (kind == 6 || kind < 0) {
        r |= wn__plot_refline(p, 'y', 0.5, "ref");
        r |= wn__plot_refline(p, 'x', 0.25, NULL);
    }
    return r ? -1 : 0;
}

static void render_kind(int kind, wn__buf *b)
{
    wn__plot *p = wn__plot_new("title", "x label", "y label");
    assert_non_null(p);
    assert_int_equal(build(p, kind), 0);
    wn__plot_render(p, 640, 400, b);
    wn__plot_free(p);
}

/* ---- tests -------------------------------------------------------------- */

static void expect_ticks(double lo, double hi, int max, const double *want, int nwant)
{
    double t[64];
    int n = wn__nice_ticks(lo, hi, max, t);
    if (n != nwant)
        fail_msg("[%g, %g]: %d ticks, want %d", lo, hi, n, nwant);
    for (int k = 0; k < n; k++)
        if (fabs(t[k] - want[k]) > 1e-12 * (hi - lo))
            fail_msg("[%g, %g]: tick %d is %.17g, want %g", lo, hi, k, t[k], want[k]);
}

/* the properties: inside the range, at most max, evenly spaced by m·10^k */
static void check_ticks(double lo, double hi, int max)
{
    double t[64];
    int n = wn__nice_ticks(lo, hi, max, t);
    if (n < 2 || n > max)
        fail_msg("[%g, %g] max %d: %d ticks", lo, hi, max, n);
    double st = t[1] - t[0], k = floor(log10(st) + 1e-9), m = st / pow(10.0, k);
    if (!(fabs(m - 1.0) < 1e-6 || fabs(m - 2.0) < 1e-6 || fabs(m - 5.0) < 1e-6))
        fail_msg("[%g, %g]: step %g is not 1-2-5", lo, hi, st);
    for (int i = 0; i < n; i++) {
        if (t[i] < lo - 1e-9 * st || t[i] > hi + 1e-9 * st)
            fail_msg("[%g, %g]: tick %g outside", lo, hi, t[i]);
        if (i && fabs(t[i] - t[i - 1] - st) > 1e-6 * st)
            fail_msg("[%g, %g]: uneven ticks", lo, hi);
        if (fabs(t[i] / st - round(t[i] / st)) > 1e-6 * (1.0 + fabs(t[i] / st)))
            fail_msg("[%g, %g]: tick %g not a multiple of %g", lo, hi, t[i], st);
    }
}

static void test_nice_ticks(void **state)
{
    (void)state;
    expect_ticks(0.0, 1.0, 6, (double[]){0, 0.2, 0.4, 0.6, 0.8, 1.0}, 6);
    expect_ticks(0.0, 1.0, 11, (double[]){0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}, 11);
    expect_ticks(0.013, 0.087, 5, (double[]){0.02, 0.04, 0.06, 0.08}, 4);
    expect_ticks(-3.0, 7.0, 6, (double[]){-2, 0, 2, 4, 6}, 5);
    expect_ticks(-3.0, 7.0, 11, (double[]){-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7}, 11);
    double t[64];
    assert_int_equal(wn__nice_ticks(0.0, 1.0, 6, t), 6);
    assert_true(t[1] == 0.2 && t[3] == 0.6); /* exact, not 0.6000000000000001 */
    double ranges[][2] = {{1e-12, 3e-12}, {-5e-9, 5e-9},    {1e9, 1e12},    {-1e200, 1e200},
                          {0.5, 0.50001}, {1234.5, 1299.0}, {-1.0, -0.001}, {3.0, 4.0}};
    for (size_t r = 0; r < sizeof ranges / sizeof *ranges; r++)
        for (int max = 3; max <= 12; max++)
            check_ticks(ranges[r][0], ranges[r][1], max);
    /* lo == hi and bad input give no ticks; the plot widens such ranges */
    assert_int_equal(wn__nice_ticks(1.0, 1.0, 6, t), 0);
    assert_int_equal(wn__nice_ticks(2.0, 1.0, 6, t), 0);
    assert_int_equal(wn__nice_ticks((double)NAN, 1.0, 6, t), 0);
    assert_int_equal(wn__nice_ticks(0.0, HUGE_VAL, 6, t), 0);
    assert_int_equal(wn__nice_ticks(0.0, 1.0, 0, t), 0);
}

static void test_buf(void **state)
{
    (void)state;
    wn__buf b = {0};
    wn__buf_escape(&b, "a<b & \"c\" 'd' >\x01");
    assert_string_equal(b.s, "a&lt;b &amp; &quot;c&quot; &#39;d&#39; &gt;");
    wn__buf_free(&b);
    for (int i = 0; i < 2000; i++)
        wn__buf_printf(&b, "%d,", i);
    assert_false(b.oom);
    assert_int_equal(b.len, strlen(b.s));
    assert_memory_equal(b.s, "0,1,2,", 6);
    assert_non_null(strstr(b.s, ",1999,"));
    wn__buf_free(&b);
    assert_null(b.s);
}

static void test_kinds_well_formed(void **state)
{
    (void)state;
    const char *marks[] = {"<polyline",  "<circle", "fill-opacity=\"0.35\"", "<path",
                           ">pt</text>", "<rect",   "stroke-dasharray"};
    for (int kind = -1; kind <= 6; kind++) {
        wn__buf b = {0};
        render_kind(kind, &b);
        char what[32];
        snprintf(what, sizeof what, "kind %d", kind);
        assert_svg(&b, what);
        if (kind >= 0 && !strstr(b.s, marks[kind]))
            fail_msg("%s lacks %s:\n%s", what, marks[kind], b.s);
        wn__buf_free(&b);
    }
    /* an empty plot, and none at all */
    wn__buf b = {0};
    wn__plot *p = wn__plot_new(NULL, NULL, NULL);
    wn__plot_render(p, 640, 400, &b);
    assert_svg(&b, "empty");
    assert_non_null(strstr(b.s, "<title>plot</title>"));
    wn__plot_free(p);
    wn__buf_free(&b);
    wn__plot_render(NULL, 640, 400, &b);
    assert_svg(&b, "NULL plot");
    wn__buf_free(&b);
}

static void test_escaping(void **state)
{
    (void)state;
    wn__plot *p = wn__plot_new("a<b & \"c\"", "x<y", "&z");
    const char *lab[2] = {"<l1>", "l&2"};
    double v[2] = {1.0, 2.0};
    assert_int_equal(wn__plot_hbars(p, "<n>", lab, v, NULL, 2, -1), 0);
    wn__buf b = {0};
    wn__plot_render(p, 640, 400, &b);
    assert_svg(&b, "escaping");
    assert_non_null(strstr(b.s, "<title>a&lt;b &amp; &quot;c&quot;</title>"));
    assert_non_null(strstr(b.s, "&lt;l1&gt;"));
    wn__plot_free(p);
    wn__buf_free(&b);
}

static void test_log_axis(void **state)
{
    (void)state;
    double x[41], y[41];
    for (int i = 0; i <= 40; i++) {
        x[i] = i / 40.0;
        y[i] = pow(10.0, -4.0 + i / 10.0); /* 1e-4 .. 1 */
    }
    y[3] = 0.0; /* skipped on a log axis */
    y[4] = -1.0;
    wn__plot *p = wn__plot_new("ROC", "eff", "rej");
    wn__plot_axis(p, 'y', WN__AXIS_LOG, 0, 0);
    assert_int_equal(wn__plot_line(p, "BDT", x, y, 41, -1), 0);
    assert_int_equal(wn__plot_points(p, NULL, x, y, NULL, 41, -1), 0);
    wn__buf b = {0};
    wn__plot_render(p, 640, 400, &b);
    assert_svg(&b, "log");
    for (int k = -4; k <= -2; k++) {
        char want[16];
        snprintf(want, sizeof want, ">%d</tspan>", k);
        if (!strstr(b.s, want))
            fail_msg("log axis lacks the 10^%d label:\n%s", k, b.s);
    }
    assert_non_null(strstr(b.s, ">1</text>"));
    wn__plot_free(p);
    wn__buf_free(&b);
    /* a narrow log range falls back to 1-2-5 ticks; a user range is kept */
    p = wn__plot_new(NULL, NULL, NULL);
    wn__plot_axis(p, 'x', WN__AXIS_LOG, 0.2, 0.9);
    assert_int_equal(wn__plot_line(p, NULL, x + 8, y + 8, 30, -1), 0);
    wn__plot_render(p, 640, 400, &b);
    assert_svg(&b, "narrow log");
    assert_non_null(strstr(b.s, ">0.5</text>"));
    wn__plot_free(p);
    wn__buf_free(&b);
}

static void test_nan(void **state)
{
    (void)state;
    double x[6] = {0, 1, 2, 3, 4, 5}, y[6] = {1, (double)NAN, 2, HUGE_VAL, 3, 4},
           e[6] = {(double)NAN, 1, 1, 1, HUGE_VAL, 1};
    double edges[7] = {0, 1, 2, (double)NAN, 4, 5, 6}, m[4] = {1, (double)NAN, (double)NAN, 1};
    const char *lab[2] = {"a", "b"};
    for (int kind = 0; kind < 5; kind++) {
        wn__plot *p = wn__plot_new("gaps", NULL, NULL);
        if (kind == 0)
            assert_int_equal(wn__plot_line(p, "l", x, y, 6, -1), 0);
        if (kind == 1)
            assert_int_equal(wn__plot_points(p, "p", x, y, e, 6, -1), 0);
        if (kind == 2)
            assert_int_equal(wn__plot_hist(p, "h", edges, y, 6, 1, -1), 0);
        if (kind == 3)
            assert_int_equal(wn__plot_hbars(p, "b", lab, y, e, 2, -1), 0);
        if (kind == 4)
            assert_int_equal(wn__plot_heatmap(p, lab, m, 2), 0);
        assert_int_equal(wn__plot_refline(p, 'y', (double)NAN, "r"), 0);
        wn__buf b = {0};
        wn__plot_render(p, 640, 400, &b);
        assert_svg(&b, "nan"); /* also checks that no "nan"/"inf" is printed */
        if (kind == 0)         /* the line breaks into segments at the gaps */
            assert_non_null(strstr(strstr(b.s, "<polyline") + 1, "<polyline"));
        wn__plot_free(p);
        wn__buf_free(&b);
    }
    /* all data NaN, and lo == hi data: a range is made up */
    wn__plot *p = wn__plot_new(NULL, NULL, NULL);
    double c[3] = {2, 2, 2};
    assert_int_equal(wn__plot_line(p, NULL, c, c, 3, -1), 0);
    assert_int_equal(wn__plot_line(p, NULL, y + 1, y + 1, 1, -1), 0);
    wn__buf b = {0};
    wn__plot_render(p, 640, 400, &b);
    assert_svg(&b, "constant");
    wn__plot_free(p);
    wn__buf_free(&b);
}

static void test_deterministic(void **state)
{
    (void)state;
    for (int kind = -1; kind <= 6; kind++) {
        wn__buf a = {0}, b = {0};
        render_kind(kind, &a);
        render_kind(kind, &b);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.s, b.s, a.len);
        wn__buf_free(&a);
        wn__buf_free(&b);
    }
}

static void test_alloc_failure(void **state)
{
    (void)state;
    for (int kind = -1; kind <= 6; kind++) {
        wn__buf ref = {0};
        render_kind(kind, &ref);
        int done = 0;
        for (int64_t f = 1; f < 400 && !done; f++) {
            wn__alloc_fail_at(f);
            wn__plot *p = wn__plot_new("title", "x label", "y label");
            int r = p ? build(p, kind) : -1;
            wn__buf b = {0};
            if (p)
                wn__plot_render(p, 640, 400, &b);
            int64_t used = wn__alloc_fail_at(0);
            if (p && r == 0 && !b.oom) {
                /* nothing failed: the text is the reference */
                assert_true(used < f);
                assert_int_equal(b.len, ref.len);
                assert_memory_equal(b.s, ref.s, ref.len);
                done = 1;
            } else if (p && b.s && !b.oom) {
                /* a series was refused: what was drawn is still well-formed */
                assert_null(xml_check(b.s));
            }
            wn__plot_free(p);
            wn__buf_free(&b);
        }
        assert_true(done);
        wn__buf_free(&ref);
    }
    /* appends after an out-of-memory are no-ops */
    wn__buf b = {0};
    wn__alloc_fail_at(1);
    wn__buf_puts(&b, "abc");
    wn__alloc_fail_at(0);
    assert_true(b.oom);
    wn__buf_printf(&b, "%d", 42);
    wn__buf_puts(&b, "x");
    assert_int_equal(b.len, 0);
    wn__buf_free(&b);
    assert_false(b.oom);
}

int main(void)
{
    fill();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_ticks),        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_kinds_well_formed), cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_log_axis),          cmocka_unit_test(test_nan),
        cmocka_unit_test(test_deterministic),     cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
