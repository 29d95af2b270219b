/* test_svg_map.c — the map plots (svg_map.c): scatter thinning (a million
 * points make at most max_points markers, small categories keep all theirs,
 * the axes still cover every point), category markers past 8 and the
 * legend's "+k more", density cells and their colour bar's min/max labels,
 * matrix cells, values, escaped labels and NaN grey, grid cells (hexagons
 * counted and checked to share their vertices with their neighbours),
 * empty input, refused arguments, byte-identical repeat renders, and every
 * allocation failure (never a crash; -1, or the same text). */
#include "wn_test.h"

#include "core.h"
#include "report/svg.h"

#include <math.h>

/* ---- a tiny XML well-formedness checker (as in test_svg.c) ---------------- */

static int is_name(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == ':' || c == '_';
}

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

/* NULL when well-formed with one root, else what is wrong. */
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
        int closing = s[++i] == '/';
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
        for (;;) {
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
            roots += depth == 0;
            continue;
        }
        i++;
        roots += depth == 0;
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
        fail_msg("%s: %s\n%.4000s", what, why, b->s);
    if (!strstr(b->s, "<svg xmlns=\"http://www.w3.org/2000/svg\"") || !strstr(b->s, "<title>"))
        fail_msg("%s: not a plot", what);
    if (strstr(b->s, "nan") || strstr(b->s, "inf"))
        fail_msg("%s: a non-finite number in the text", what);
}

static int count(const char *s, const char *needle)
{
    int k = 0;
    for (const char *q = s; (q = strstr(q, needle)) != NULL; q += strlen(needle))
        k++;
    return k;
}

/* Occurrences of needle between `from` and the next "</g>". */
static int count_in_group(const char *from, const char *needle)
{
    const char *end = strstr(from, "</g>");
    int k = 0;
    for (const char *q = from; (q = strstr(q, needle)) != NULL && q < end; q += strlen(needle))
        k++;
    return k;
}

/* The colour bar's labels, top to bottom (mid NULL: none). */
static void expect_bar(const char *s, const char *top, const char *mid, const char *bottom)
{
    const char *q = strstr(s, "stroke=\"#999\"/>");
    if (!q)
        fail_msg("no colour bar");
    const char *want[3] = {top, mid, bottom};
    for (int k = 0; k < 3; k++) {
        if (!want[k])
            continue;
        q = strchr(strstr(q, "<text") + 1, '>') + 1;
        if (strncmp(q, want[k], strlen(want[k])) || strncmp(q + strlen(want[k]), "</text>", 7))
            fail_msg("colour bar label %d: want %s, have %.20s", k, want[k], q);
    }
    if (strncmp(strstr(q, "</text>") + 7, "</g>", 4))
        fail_msg("colour bar: more labels than expected");
}

static void render(const wn__plot *p, wn__buf *b)
{
    memset(b, 0, sizeof *b);
    wn__plot_render(p, 640, 400, b);
}

/* The rects a map adds besides its cells: the background and, with a colour
 * bar, its 24 steps and its frame. */
enum { BG = 1, BAR = 25 };

/* ---- fixtures: one plot of each kind (builders for the failure test) ------ */

static double SX[300], SY[300], DC[12], MV[3 * 4], GV[7 * 9];
static int32_t SC[300];
static const char *ROWS[3] = {"k-means <1>", "cluster & 2", "\"three\""};
static const char *COLS[4] = {"pt", "eta", "phi", "m<&\">"};

static void fill(void)
{
    for (int i = 0; i < 300; i++) {
        SX[i] = sin(i * 0.37) + (i % 3);
        SY[i] = cos(i * 0.11) * (1 + i % 3);
        SC[i] = i % 3;
    }
    for (int i = 0; i < 12; i++)
        DC[i] = i % 5 == 0 ? 0.0 : (double)(i * i);
    for (int i = 0; i < 12; i++)
        MV[i] = -2.0 + 0.5 * i; /* -2 .. 3.5 */
    for (int i = 0; i < 63; i++)
        GV[i] = 1.0 + (i * 7) % 11;
}

static int build(wn__plot *p, int kind)
{
    static const char *names[3] = {"signal", "background", "other"};
    switch (kind) {
    case 0: return wn__plot_scatter(p, SX, SY, SC, 300, names, 3, 200);
    case 1: return wn__plot_density(p, DC, 4, 3, -1.0, 1.0, 0.0, 3.0, 0);
    case 2: return wn__plot_matrix(p, ROWS, COLS, MV, 3, 4, 1);
    case 3: return wn__plot_grid(p, GV, 7, 9, 1);
    default: return wn__plot_grid(p, GV, 7, 9, 0);
    }
}

static void render_kind(int kind, wn__buf *b)
{
    wn__plot *p = wn__plot_new("map", "PC1", "PC2");
    assert_non_null(p);
    assert_int_equal(build(p, kind), 0);
    render(p, b);
    wn__plot_free(p);
}

/* ---- scatter ------------------------------------------------------------- */

static void test_scatter_thinning(void **state)
{
    (void)state;
    enum { BIG = 1000000 };
    double *x = malloc(BIG * sizeof *x), *y = malloc(BIG * sizeof *y);
    int32_t *c = malloc(BIG * sizeof *c);
    assert_true(x && y && c);
    for (int i = 0; i < BIG; i++) {
        x[i] = sin(i * 0.001) * (1.0 + (i % 7) * 0.1);
        y[i] = cos(i * 0.0013);
        c[i] = i < 50 ? 2 : i < 10000 ? 1 : 0; /* 990000, 9950 and 50 points */
    }
    x[100000] = 100.0; /* an outlier that thinning drops: the axis still covers it */
    const char *names[3] = {"bulk", "mid", "rare"};
    for (int64_t max = 1; max <= 20000; max *= 20) {
        wn__plot *p = wn__plot_new("PCA", "PC1", "PC2");
        assert_int_equal(wn__plot_scatter(p, x, y, c, BIG, names, 3, max), 0);
        wn__buf a, b;
        render(p, &a);
        render(p, &b);
        assert_svg(&a, "thinned");
        assert_int_equal(a.len, b.len); /* deterministic */
        assert_memory_equal(a.s, b.s, a.len);
        int circles = count(a.s, "<circle") - 3; /* less the legend's */
        if (circles > max || circles < (max < 1000 ? 0 : max * 9 / 10))
            fail_msg("max_points %lld: %d circles", (long long)max, circles);
        if (max >= 400) { /* the rare category keeps every point */
            const char *g = strstr(a.s, "<g fill=\"#009E73\"");
            assert_non_null(g);
            assert_int_equal(count_in_group(g, "<circle"), 50);
        }
        assert_non_null(strstr(a.s, ">100</text>"));
        assert_true(a.len < 100000 + (size_t)max * 60);
        wn__buf_free(&a);
        wn__buf_free(&b);
        wn__plot_free(p);
    }
    free(x);
    free(y);
    free(c);
}

static void test_scatter_marks(void **state)
{
    (void)state;
    /* bad points are dropped: NaN, inf, categories out of range */
    double x[10] = {0, 1, 2, (double)NAN, 4, 5, 6, 7, 8, 9};
    double y[10] = {0, 1, HUGE_VAL, 3, 4, 5, 6, 7, 8, 9};
    int32_t c[10] = {0, 1, 0, 1, -1, 2, 0, 1, 0, 1};
    const char *names[2] = {"<sig & \"nal\">", NULL};
    wn__plot *p = wn__plot_new("bad points", NULL, NULL);
    assert_int_equal(wn__plot_scatter(p, x, y, c, 10, names, 2, 1000), 0);
    wn__buf b;
    render(p, &b);
    assert_svg(&b, "bad points");
    assert_int_equal(count(b.s, "<circle") - 2, 6);
    assert_non_null(strstr(b.s, ">&lt;sig &amp; &quot;nal&quot;&gt;</text>"));
    assert_non_null(strstr(strstr(b.s, "stroke=\"#ccc\""), ">1</text>")); /* NULL: the index */
    wn__buf_free(&b);
    /* with another named series (k-means centroids): one legend holds both */
    double cx[2] = {0.5, 7.5}, cy[2] = {0.5, 7.5};
    assert_int_equal(wn__plot_points(p, "centroids", cx, cy, NULL, 2, 7), 0);
    render(p, &b);
    assert_svg(&b, "scatter and points");
    const char *leg = strstr(b.s, "stroke=\"#ccc\"");
    assert_non_null(leg);
    assert_int_equal(count(leg, "</text>"), 3);
    assert_non_null(strstr(leg, ">centroids</text>"));
    wn__plot_free(p);
    wn__buf_free(&b);
    /* no categories given: one unnamed class and no legend */
    p = wn__plot_new(NULL, NULL, NULL);
    assert_int_equal(wn__plot_scatter(p, x, y, NULL, 10, NULL, 0, 1000), 0);
    render(p, &b);
    assert_svg(&b, "no categories");
    assert_int_equal(count(b.s, "<circle"), 8);
    assert_null(strstr(b.s, "stroke=\"#ccc\"")); /* the legend's frame */
    wn__plot_free(p);
    wn__buf_free(&b);
    /* 20 categories: colours repeat with open circles, then squares; the
     * legend ends in "+k more" when they do not all fit */
    enum { K = 20, PER = 5 };
    double xx[K * PER], yy[K * PER];
    int32_t cc[K * PER];
    for (int i = 0; i < K * PER; i++) {
        xx[i] = i % PER;
        yy[i] = i / PER;
        cc[i] = i / PER;
    }
    p = wn__plot_new("clusters", "x", "y");
    assert_int_equal(wn__plot_scatter(p, xx, yy, cc, K * PER, NULL, K, 1000), 0);
    render(p, &b);
    assert_svg(&b, "20 categories");
    const char *ring = strstr(b.s, "<g fill=\"none\" stroke=\"#0072B2\"");
    assert_non_null(ring); /* category 8 */
    assert_int_equal(count_in_group(ring, "<circle"), PER);
    const char *sq = strstr(b.s, "<g fill=\"#0072B2\"");
    for (int k = 0; k < 2 && sq; k++) /* category 0, then 16: squares */
        sq = k ? strstr(sq + 1, "<g fill=\"#0072B2\"") : sq;
    assert_non_null(sq);
    assert_int_equal(count_in_group(sq, "<rect"), PER);
    const char *more = strstr(b.s, " more</text>");
    assert_non_null(more);
    int shown = count(strstr(b.s, "stroke=\"#ccc\""), "</text>") - 1;
    char want[32];
    snprintf(want, sizeof want, ">+%d more</text>", K - shown);
    assert_non_null(strstr(b.s, want));
    assert_true(shown >= 5 && shown < K);
    wn__plot_free(p);
    wn__buf_free(&b);
}

/* ---- density ------------------------------------------------------------- */

static void test_density(void **state)
{
    (void)state;
    /* distinct counts: one rect per non-empty cell */
    double c[12] = {0, 1, 4, 9, (double)NAN, 25, 36, 0, 64, 81, 100, HUGE_VAL};
    for (int lg = 0; lg < 2; lg++) {
        wn__plot *p = wn__plot_new("density", "PC1", "PC2");
        assert_int_equal(wn__plot_density(p, c, 4, 3, -2.0, 2.0, 0.0, 3.0, lg), 0);
        wn__buf b;
        render(p, &b);
        assert_svg(&b, "density");
        assert_int_equal(count(b.s, "<rect"), BG + BAR + 8);
        expect_bar(b.s, "100", lg ? "log" : NULL, "1"); /* min 1, not 0: empty */
        /* light to dark: the smallest count is the ramp's light end */
        assert_non_null(strstr(b.s, "fill=\"#FAE628\""));
        wn__plot_free(p);
        wn__buf_free(&b);
    }
    /* equal neighbours merge into one rect per row; big counts in %.4g */
    double e[100];
    for (int i = 0; i < 100; i++)
        e[i] = i < 90 ? 7.0 : 123456.0;
    wn__plot *p = wn__plot_new("flat", NULL, NULL);
    assert_int_equal(wn__plot_density(p, e, 10, 10, 0.0, 1.0, 0.0, 1.0, 1), 0);
    wn__buf b;
    render(p, &b);
    assert_svg(&b, "flat");
    assert_int_equal(count(b.s, "<rect"), BG + BAR + 10);
    expect_bar(b.s, "1.235e5", "log", "7");
    wn__plot_free(p);
    wn__buf_free(&b);
    /* refused: negative sizes, no counts, an empty or non-finite box */
    p = wn__plot_new(NULL, NULL, NULL);
    assert_int_equal(wn__plot_density(p, c, -1, 3, 0, 1, 0, 1, 0), -1);
    assert_int_equal(wn__plot_density(p, NULL, 2, 2, 0, 1, 0, 1, 0), -1);
    assert_int_equal(wn__plot_density(p, c, 2, 2, 1, 1, 0, 1, 0), -1);
    assert_int_equal(wn__plot_density(p, c, 2, 2, 0, 1, 0, (double)NAN, 0), -1);
    assert_int_equal(wn__plot_density(p, c, 1 << 12, 1 << 12, 0, 1, 0, 1, 0), -1);
    wn__plot_free(p);
}

/* ---- matrix -------------------------------------------------------------- */

static void test_matrix(void **state)
{
    (void)state;
    double v[12];
    memcpy(v, MV, sizeof v);
    v[5] = (double)NAN;
    for (int dv = 0; dv < 2; dv++) {
        wn__plot *p = wn__plot_new("centroids", NULL, NULL);
        assert_int_equal(wn__plot_matrix(p, ROWS, COLS, v, 3, 4, dv), 0);
        wn__buf b;
        render(p, &b);
        assert_svg(&b, "matrix");
        assert_int_equal(count(b.s, "<rect"), BG + 12 + BAR);
        assert_int_equal(count(b.s, "fill=\"#BBBBBB\""), 1); /* the NaN cell */
        assert_non_null(strstr(b.s, ">k-means &lt;1&gt;</text>"));
        assert_non_null(strstr(b.s, ">cluster &amp; 2</text>"));
        assert_non_null(strstr(b.s, ">&quot;three&quot;</text>"));
        assert_non_null(strstr(b.s, ">m&lt;&amp;&quot;&gt;</text>"));
        assert_null(strstr(b.s, "rotate(-45)"));     /* short column labels */
        assert_non_null(strstr(b.s, ">1.5</text>")); /* values in the cells */
        assert_non_null(strstr(b.s, ">-1.5</text>"));
        if (dv) { /* symmetric: +-max|v| and 0 */
            expect_bar(b.s, "3.5", "0", "-3.5");
            assert_non_null(strstr(b.s, "fill=\"#B2182B\"")); /* the max: full red */
        } else {                                              /* min .. max */
            expect_bar(b.s, "3.5", NULL, "-2");
            assert_null(strstr(b.s, "fill=\"#B2182B\""));
        }
        wn__plot_free(p);
        wn__buf_free(&b);
    }
    /* many cells: no values; long column labels turn */
    enum { R = 8, C = 30 };
    double m[R * C];
    const char *cl[C];
    for (int i = 0; i < R * C; i++)
        m[i] = sin((double)i);
    for (int j = 0; j < C; j++)
        cl[j] = "a rather long feature name";
    wn__plot *p = wn__plot_new("loadings", NULL, NULL);
    assert_int_equal(wn__plot_matrix(p, NULL, cl, m, R, C, 1), 0);
    wn__buf b;
    render(p, &b);
    assert_svg(&b, "big matrix");
    assert_int_equal(count(b.s, "<rect"), BG + R * C + BAR);
    assert_non_null(strstr(b.s, "rotate(-45)"));
    assert_null(strstr(b.s, "text-anchor=\"middle\">")); /* no values group */
    wn__plot_free(p);
    wn__buf_free(&b);
    /* refused */
    p = wn__plot_new(NULL, NULL, NULL);
    assert_int_equal(wn__plot_matrix(p, NULL, NULL, NULL, 2, 2, 0), -1);
    assert_int_equal(wn__plot_matrix(p, NULL, NULL, m, -1, 2, 0), -1);
    wn__plot_free(p);
}

/* ---- grid ---------------------------------------------------------------- */

/* The six vertices of the k-th polygon. */
static void hex_at(const char *s, int k, double v[6][2])
{
    const char *q = s;
    for (int i = 0; i <= k; i++)
        q = strstr(q, "<polygon points=\"") + 17;
    for (int i = 0; i < 6; i++) {
        char *e;
        v[i][0] = strtod(q, &e);
        v[i][1] = strtod(e + 1, &e);
        q = e;
    }
}

static void same_point(const double *a, const double *b)
{
    if (fabs(a[0] - b[0]) > 0.11 || fabs(a[1] - b[1]) > 0.11)
        fail_msg("vertices apart: (%g, %g) vs (%g, %g)", a[0], a[1], b[0], b[1]);
}

static void test_grid(void **state)
{
    (void)state;
    enum { R = 7, C = 9 };
    double v[R * C];
    memcpy(v, GV, sizeof v); /* 1 .. 11 */
    v[10] = (double)NAN;
    for (int hex = 0; hex < 2; hex++) {
        wn__plot *p = wn__plot_new("SOM U-matrix", "x", "y");
        assert_int_equal(wn__plot_grid(p, v, R, C, hex), 0);
        wn__buf b;
        render(p, &b);
        assert_svg(&b, "grid");
        assert_int_equal(count(b.s, "<polygon"), hex ? R * C : 0);
        assert_int_equal(count(b.s, "<rect"), BG + BAR + (hex ? 0 : R * C));
        assert_int_equal(count(b.s, "fill=\"#BBBBBB\""), 1);
        expect_bar(b.s, "11", NULL, "1");
        assert_null(strstr(b.s, "#e6e6e6")); /* no axes, no grid lines */
        assert_null(strstr(b.s, ">x</text>"));
        if (hex) { /* neighbours share their edges: no gaps */
            double a[6][2], r[6][2], d[6][2];
            hex_at(b.s, 0, a);
            hex_at(b.s, 1, r); /* (0, 1) */
            hex_at(b.s, C, d); /* (1, 0), shifted half a cell right */
            same_point(a[1], r[5]);
            same_point(a[2], r[4]);
            same_point(a[2], d[0]);
            same_point(a[3], d[5]);
            /* regular: the width is sqrt(3) times the radius */
            assert_true(fabs((a[1][0] - a[5][0]) - sqrt(3.0) * (a[3][1] - a[0][1]) / 2.0) < 0.2);
        }
        wn__plot_free(p);
        wn__buf_free(&b);
    }
    /* all NaN: grey cells, no colour bar */
    double nan4[4] = {(double)NAN, (double)NAN, (double)NAN, (double)NAN};
    wn__plot *p = wn__plot_new(NULL, NULL, NULL);
    assert_int_equal(wn__plot_grid(p, nan4, 2, 2, 1), 0);
    wn__buf b;
    render(p, &b);
    assert_svg(&b, "all NaN");
    assert_int_equal(count(b.s, "<polygon"), 4);
    assert_int_equal(count(b.s, "<rect"), BG);
    wn__plot_free(p);
    wn__buf_free(&b);
    p = wn__plot_new(NULL, NULL, NULL);
    assert_int_equal(wn__plot_grid(p, NULL, 2, 2, 0), -1);
    assert_int_equal(wn__plot_grid(p, v, -2, 2, 0), -1);
    wn__plot_free(p);
}

/* ---- all kinds ------------------------------------------------------------ */

static void test_empty(void **state)
{
    (void)state;
    for (int kind = 0; kind < 4; kind++) {
        wn__plot *p = wn__plot_new("empty", "x", "y");
        int r = kind == 0   ? wn__plot_scatter(p, NULL, NULL, NULL, 0, NULL, 0, 100)
                : kind == 1 ? wn__plot_density(p, NULL, 0, 0, (double)NAN, 0, 0, 0, 0)
                : kind == 2 ? wn__plot_matrix(p, NULL, NULL, NULL, 0, 0, 1)
                            : wn__plot_grid(p, NULL, 0, 5, 1);
        assert_int_equal(r, 0);
        wn__buf b;
        render(p, &b);
        assert_svg(&b, "empty");
        assert_int_equal(count(b.s, "<circle") + count(b.s, "<polygon"), 0);
        assert_int_equal(count(b.s, "<rect"), BG);
        assert_true((strstr(b.s, "#e6e6e6") != NULL) == (kind < 2)); /* axes */
        wn__plot_free(p);
        wn__buf_free(&b);
    }
    assert_int_equal(wn__plot_scatter(NULL, SX, SY, SC, 3, NULL, 3, 10), -1);
    wn__plot *p = wn__plot_new(NULL, NULL, NULL);
    assert_int_equal(wn__plot_scatter(p, NULL, SY, SC, 3, NULL, 3, 10), -1);
    assert_int_equal(wn__plot_scatter(p, SX, SY, SC, -3, NULL, 3, 10), -1);
    assert_int_equal(wn__plot_scatter(p, SX, SY, SC, 3, NULL, -1, 10), -1);
    wn__plot_free(p);
}

static void test_deterministic(void **state)
{
    (void)state;
    for (int kind = 0; kind < 5; kind++) {
        wn__buf a, b;
        render_kind(kind, &a);
        render_kind(kind, &b);
        assert_svg(&a, "fixture");
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.s, b.s, a.len);
        wn__buf_free(&a);
        wn__buf_free(&b);
    }
}

static void test_alloc_failure(void **state)
{
    (void)state;
    for (int kind = 0; kind < 5; kind++) {
        wn__buf ref;
        render_kind(kind, &ref);
        int done = 0;
        for (int64_t f = 1; f < 400 && !done; f++) {
            wn__alloc_fail_at(f);
            wn__plot *p = wn__plot_new("map", "PC1", "PC2");
            int r = p ? build(p, kind) : -1;
            wn__buf b = {0};
            if (p)
                wn__plot_render(p, 640, 400, &b);
            int64_t used = wn__alloc_fail_at(0);
            if (p && r == 0 && !b.oom) {
                assert_true(used < f);
                assert_int_equal(b.len, ref.len);
                assert_memory_equal(b.s, ref.s, ref.len);
                done = 1;
            } else if (p && b.s && !b.oom) {
                assert_null(xml_check(b.s)); /* refused: the plot without it */
                assert_null(strstr(b.s, "<circle"));
            }
            wn__plot_free(p);
            wn__buf_free(&b);
        }
        assert_true(done);
        wn__buf_free(&ref);
    }
}

int main(void)
{
    fill();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scatter_thinning),
        cmocka_unit_test(test_scatter_marks),
        cmocka_unit_test(test_density),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
