/* svg_map.c — the map plots of the unsupervised reports: points coloured by
 * category (PCA projections, clusters), 2-D histograms as density maps,
 * labelled matrices (centroids per feature, PCA loadings) and grid maps
 * (SOM U-matrix and hit map, on square or hexagonal grids).
 *
 * Scatter points are thinned when the series is added, so the plot keeps at
 * most max_points of them and a million events cost no more than a few
 * thousand: each category gets a quota by water-filling (the categories,
 * smallest first, take all their points or an equal share of what is left),
 * and a category with c points and quota q keeps every k-th, k = ceil(c/q),
 * which keeps ceil(c/k) <= q. Small categories thus keep all their points.
 * Larger categories are drawn first, so the small ones lie on top. Points
 * with NaN/inf coordinates or a category outside 0..ncat-1 are dropped;
 * cat == NULL puts every point in category 0. Category colours follow the
 * Okabe-Ito palette; past 8 the colours repeat with another marker (open
 * circles, then squares, then filled circles again). max_points <= 0 draws
 * no points.
 *
 * Sequential scales run light to dark through nine stops of a viridis-like
 * ramp (after van der Walt & Smith's viridis for matplotlib, 2015: roughly
 * even lightness steps, readable with the common colour-vision deficiencies
 * and in grey); diverging ones reuse the heatmap's blue-white-red. Non-finite
 * values are grey (#BBBBBB) in matrices and grids, and left out of ranges;
 * empty or non-finite density cells are not drawn. A colour bar with the
 * min and max labels stands right of each map. Matrix values are printed
 * (2-3 significant digits) when rows * cols <= 150 and the font needed to
 * fit them is at least 6 units.
 *
 * Like the rest of the layer, rendering allocates nothing but the buffer's
 * growth, and the text is a pure function of the input. */
#include "svg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_CELLS = 1 << 22, MAX_CATS = 1 << 16, BAR_STEPS = 24 };

#define GREY "#BBBBBB"
/* Abutting cells without antialiased seams between them. */
#define CRISP "<g shape-rendering=\"crispEdges\">"
#define SQRT3 1.7320508075688772

/* ---- colours and the colour bar ------------------------------------------ */

/* light (t = 0) to dark (t = 1): yellow, green, teal, blue, violet */
static const unsigned char seq_stops[9][3] = {
    {250, 230, 40}, {182, 222, 48}, {112, 205, 88}, {58, 183, 118}, {33, 157, 136},
    {38, 128, 142}, {50, 98, 141},  {64, 64, 132},  {70, 14, 88},
};

static void seq_colour(double t, char *out, size_t n)
{
    if (!isfinite(t)) {
        snprintf(out, n, GREY);
        return;
    }
    t = t < 0.0 ? 0.0 : t > 1.0 ? 1.0 : t;
    int i = (int)(t * 8.0);
    i = i > 7 ? 7 : i;
    double f = t * 8.0 - i;
    unsigned c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (unsigned)lround(seq_stops[i][k] + f * (seq_stops[i + 1][k] - seq_stops[i][k]));
    snprintf(out, n, "#%02X%02X%02X", c[0], c[1], c[2]);
}

/* The colour of v on [lo, hi]: diverging (lo = -hi) or sequential. */
static void map_colour(int diverging, double v, double lo, double hi, char *out, size_t n)
{
    if (!isfinite(v))
        snprintf(out, n, GREY);
    else if (diverging)
        wn__svg_diverging(v / hi, out, n);
    else
        seq_colour(hi > lo ? (v - lo) / (hi - lo) : 0.5, out, n);
}

/* Whether text on colour v wants to be white. */
static int dark(int diverging, double v, double lo, double hi)
{
    if (diverging)
        return fabs(v / hi) > 0.6;
    return (hi > lo ? (v - lo) / (hi - lo) : 0.5) > 0.45;
}

/* Finite min and max of v[0..n); 0 when there is none. */
static int finite_range(const double *v, int64_t n, double *lo, double *hi)
{
    *lo = HUGE_VAL;
    *hi = -HUGE_VAL;
    for (int64_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            *lo = v[i] < *lo ? v[i] : *lo;
            *hi = v[i] > *hi ? v[i] : *hi;
        }
    return *lo <= *hi;
}

/* Width of a colour bar with labels of at most `chars` characters. */
static double bar_width(int chars)
{
    return 12.0 + 6.0 + 7.0 * chars;
}

/* A vertical colour bar from y0 (top, the high end) to y1, with its labels
 * (top, middle or NULL, bottom) to the right. */
static void colour_bar(wn__buf *b, double x, double y0, double y1, int diverging, const char *top,
                       const char *mid, const char *bottom)
{
    char col[16];
    double h = (y1 - y0) / BAR_STEPS;
    wn__buf_puts(b, CRISP);
    for (int k = 0; k < BAR_STEPS; k++) {
        double f = 1.0 - (k + 0.5) / BAR_STEPS;
        if (diverging)
            wn__svg_diverging(2.0 * f - 1.0, col, sizeof col);
        else
            seq_colour(f, col, sizeof col);
        wn__buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"%s\"/>",
                       cl(x), cl(y0 + k * h), cl(h + 0.1), col);
    }
    wn__buf_printf(b,
                   "</g><rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"none\" "
                   "stroke=\"#999\"/><g font-size=\"12\" fill=\"#333\"><text x=\"%.1f\" "
                   "y=\"%.1f\">%s</text>",
                   cl(x), cl(y0), cl(y1 - y0), cl(x + 17.0), cl(y0 + 9.0), top);
    if (mid)
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", cl(x + 17.0),
                       cl((y0 + y1) / 2.0 + 4.0), mid);
    wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text></g>", cl(x + 17.0), cl(y1), bottom);
}

/* ---- series -------------------------------------------------------------- */

void wn__svg_map_free(svg_series *s)
{
    if (s->lab2)
        for (int64_t i = 0; i < s->cols; i++)
            wn_free(s->lab2[i]);
    wn_free(s->lab2);
    wn_free(s->off);
}

/* n labels: copies of l[i], or the index when l (or l[i]) is NULL and
 * `numbers`, else "". Sets *bad on allocation failure. */
static char **copy_names(const char *const *l, int64_t n, int numbers, int *bad)
{
    char **c = *bad ? NULL : wn__calloc(n > 0 ? (size_t)n : 1, sizeof(char *));
    *bad |= !c;
    for (int64_t i = 0; c && i < n && !*bad; i++) {
        char t[24];
        snprintf(t, sizeof t, "%lld", (long long)i);
        *bad |= !(c[i] = wn__strdup(l && l[i] ? l[i] : numbers ? t : ""));
    }
    return c;
}

static double *copy_vals(const double *v, int64_t n, int *bad)
{
    double *c = *bad ? NULL : wn__malloc_array(n > 0 ? (size_t)n : 1, sizeof(double));
    *bad |= !c;
    if (c && n > 0)
        memcpy(c, v, (size_t)n * sizeof(double));
    return c;
}

static void start_map(svg_series *s, int kind)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    for (int k = 0; k < 6; k++)
        s->box[k] = (double)NAN;
}

typedef struct cat_count {
    int64_t n;
    int c;
} cat_count;

static int by_count(const void *a, const void *b)
{
    const cat_count *x = a, *y = b;
    return x->n != y->n ? (x->n < y->n ? -1 : 1) : x->c - y->c;
}

static void widen(double *box, double x, double y)
{
    double v[2] = {x, y};
    for (int a = 0; a < 2; a++) {
        if (!(v[a] >= box[2 * a]))
            box[2 * a] = v[a];
        if (!(v[a] <= box[2 * a + 1]))
            box[2 * a + 1] = v[a];
        if (v[a] > 0.0 && !(v[a] >= box[4 + a]))
            box[4 + a] = v[a];
    }
}

/* Thins the valid points into s (x, y grouped by draw slot, off). The box
 * covers all valid points, drawn or not. Returns nonzero on failure. */
static int thin(svg_series *s, const double *x, const double *y, const int32_t *cat, int64_t n,
                int ncat, int64_t max_points)
{
    int64_t *cnt = wn__calloc((size_t)ncat + 1, sizeof *cnt), *step = NULL, *pos = NULL;
    cat_count *ord = NULL;
    if (cnt)
        step = wn__calloc((size_t)ncat + 1, sizeof *step);
    if (step)
        pos = wn__calloc((size_t)ncat + 1, sizeof *pos);
    if (pos)
        ord = wn__calloc((size_t)ncat + 1, sizeof *ord);
    s->off = ord ? wn__calloc(2 * (size_t)ncat + 1, sizeof *s->off) : NULL;
    int bad = !s->off;
    for (int64_t i = 0; i < n && !bad; i++) {
        int32_t c = cat ? cat[i] : 0;
        if (c >= 0 && c < ncat && isfinite(x[i]) && isfinite(y[i])) {
            cnt[c]++;
            widen(s->box, x[i], y[i]);
        }
    }
    int64_t budget = max_points > 0 ? max_points : 0, total = 0;
    for (int c = 0; c < ncat && !bad; c++)
        ord[c] = (cat_count){cnt[c], c};
    if (!bad)
        qsort(ord, (size_t)ncat, sizeof *ord, by_count);
    for (int j = 0; j < ncat && !bad; j++) { /* water-filling, smallest first */
        int c = ord[j].c;
        int64_t q = budget / (ncat - j), keep = cnt[c] < q ? cnt[c] : q;
        step[c] = keep > 0 ? (cnt[c] + keep - 1) / keep : 0;
        ord[j].n = step[c] ? (cnt[c] + step[c] - 1) / step[c] : 0; /* <= keep */
        budget -= ord[j].n;
        total += ord[j].n;
    }
    if (!bad) { /* draw slots: largest first (ties by category) */
        for (int j = 0; j < ncat; j++)
            ord[j].n = -ord[j].n;
        qsort(ord, (size_t)ncat, sizeof *ord, by_count);
        for (int j = 0; j < ncat; j++) {
            s->off[j + 1] = s->off[j] - ord[j].n;
            s->off[ncat + 1 + j] = ord[j].c;
            pos[ord[j].c] = s->off[j];
        }
        s->x = wn__malloc_array(total > 0 ? (size_t)total : 1, sizeof(double));
        s->y = s->x ? wn__malloc_array(total > 0 ? (size_t)total : 1, sizeof(double)) : NULL;
        bad = !s->y;
    }
    for (int c = 0; c < ncat && !bad; c++)
        cnt[c] = 0; /* now: the valid points of c seen so far */
    for (int64_t i = 0; i < n && !bad; i++) {
        int32_t c = cat ? cat[i] : 0;
        if (c < 0 || c >= ncat || !isfinite(x[i]) || !isfinite(y[i]))
            continue;
        int64_t k = cnt[c]++;
        if (step[c] && k % step[c] == 0) {
            s->x[pos[c]] = x[i];
            s->y[pos[c]++] = y[i];
        }
    }
    s->n = total;
    wn_free(cnt);
    wn_free(step);
    wn_free(pos);
    wn_free(ord);
    return bad;
}

int wn__plot_scatter(wn__plot *p, const double *x, const double *y, const int32_t *cat, int64_t n,
                     const char *const *names, int ncat, int64_t max_points)
{
    if (!p || n < 0 || n > ((int64_t)1 << 40) || ncat < 0 || ncat > MAX_CATS ||
        (n > 0 && (!x || !y)))
        return -1;
    if (!cat && ncat < 1)
        ncat = 1;
    svg_series s;
    start_map(&s, S_SCAT);
    s.cols = ncat;
    int bad = thin(&s, x, y, cat, n, ncat, max_points);
    if (names || ncat > 1) /* one unnamed category needs no legend */
        s.lab2 = copy_names(names, ncat, 1, &bad);
    return wn__svg_add(p, &s, 0, bad);
}

int wn__plot_density(wn__plot *p, const double *counts, int nx, int ny, double x0, double x1,
                     double y0, double y1, int log_scale)
{
    int64_t n = (int64_t)nx * ny;
    if (!p || nx < 0 || ny < 0 || n > MAX_CELLS ||
        (n > 0 && (!counts || !isfinite(x0) || !isfinite(x1) || !isfinite(y0) || !isfinite(y1) ||
                   !(x0 < x1) || !(y0 < y1))))
        return -1;
    svg_series s;
    start_map(&s, S_DENS);
    int bad = 0;
    s.n = n;
    s.rows = ny;
    s.cols = nx;
    s.log_scale = log_scale != 0;
    s.y = copy_vals(counts, n, &bad);
    if (n > 0) {
        double box[6] = {x0, x1, y0, y1, x0, y0};
        memcpy(s.box, box, sizeof box);
    }
    return wn__svg_add(p, &s, 0, bad);
}

int wn__plot_matrix(wn__plot *p, const char *const *row_labels, const char *const *col_labels,
                    const double *v, int64_t rows, int64_t cols, int diverging)
{
    if (!p || rows < 0 || cols < 0 || rows > MAX_CELLS || cols > MAX_CELLS ||
        rows * cols > MAX_CELLS || (rows * cols > 0 && !v))
        return -1;
    svg_series s;
    start_map(&s, S_MAT);
    int bad = 0;
    s.n = rows;
    s.rows = rows;
    s.cols = cols;
    s.diverging = diverging != 0;
    s.y = copy_vals(v, rows * cols, &bad);
    s.lab = copy_names(row_labels, rows, 0, &bad);
    s.lab2 = copy_names(col_labels, cols, 0, &bad);
    return wn__svg_add(p, &s, 0, bad);
}

int wn__plot_grid(wn__plot *p, const double *v, int rows, int cols, int hex)
{
    int64_t n = (int64_t)rows * cols;
    if (!p || rows < 0 || cols < 0 || n > MAX_CELLS || (n > 0 && !v))
        return -1;
    svg_series s;
    start_map(&s, S_GRID);
    int bad = 0;
    s.n = n;
    s.rows = rows;
    s.cols = cols;
    s.hex = hex != 0;
    s.y = copy_vals(v, n, &bad);
    return wn__svg_add(p, &s, 0, bad);
}

/* ---- scatter ------------------------------------------------------------- */

/* Marker variant of category c: 0 filled circle, 1 open circle, 2 square. */
static int variant(int64_t c)
{
    return (int)((c / 8) % 3);
}

void wn__svg_scatter(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay)
{
    /* fewer points, bigger and bolder markers */
    double r = s->n > 5000 ? 1.8 : s->n > 1000 ? 2.4 : 3.2;
    const char *op = s->n > 5000 ? "0.45" : s->n > 1000 ? "0.55" : "0.7";
    for (int64_t j = 0; j < s->cols; j++) {
        int64_t c = s->off[s->cols + 1 + j];
        if (s->off[j] == s->off[j + 1])
            continue;
        const char *col = wn__svg_palette[c % 8];
        int v = variant(c);
        if (v == 1)
            wn__buf_printf(b, "<g fill=\"none\" stroke=\"%s\" stroke-opacity=\"%s\">", col, op);
        else
            wn__buf_printf(b, "<g fill=\"%s\" fill-opacity=\"%s\">", col, op);
        for (int64_t i = s->off[j]; i < s->off[j + 1]; i++) {
            if (!ok_on(ax, s->x[i]) || !ok_on(ay, s->y[i]))
                continue;
            double px = cl(amap(ax, s->x[i])), py = cl(amap(ay, s->y[i]));
            if (v == 2)
                wn__buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                               cl(px - r), cl(py - r), 2.0 * r, 2.0 * r);
            else
                wn__buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>", px, py, r);
        }
        wn__buf_puts(b, "</g>");
    }
}

int wn__svg_scatter_rows(const svg_series *s, int room, int *w)
{
    if (!s->lab2 || s->cols <= 0)
        return 0;
    int rows = s->cols <= room ? (int)s->cols : room > 1 ? room : 1;
    int named = rows < s->cols ? rows - 1 : rows; /* the last row says "+k more" */
    for (int c = 0; c < named; c++) {
        int k = text_chars(s->lab2[c]);
        *w = k > *w ? k : *w;
    }
    if (named < rows)
        *w = *w > 12 ? *w : 12;
    return rows;
}

void wn__svg_scatter_legend(wn__buf *b, const svg_series *s, int rows, double x0, double y0, int k)
{
    int named = rows < s->cols ? rows - 1 : rows;
    for (int c = 0; c < rows; c++) {
        double yy = y0 + 17.0 + 18.0 * (k + c), mx = x0 + 16.0, my = yy - 4.0;
        if (c == named) {
            wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">+%lld more</text>",
                           cl(x0 + 32.0), cl(yy), (long long)(s->cols - named));
            break;
        }
        const char *col = wn__svg_palette[c % 8];
        int v = variant(c);
        if (v == 2)
            wn__buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"/>",
                           cl(mx - 4.0), cl(my - 4.0), col);
        else
            wn__buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" %s=\"%s\"%s/>", cl(mx),
                           cl(my), v ? "stroke" : "fill", col,
                           v ? " fill=\"none\" stroke-width=\"1.5\"" : "");
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", cl(x0 + 32.0), cl(yy));
        wn__svg_put_label(b, s->lab2[c], 28);
        wn__buf_puts(b, "</text>");
    }
}

int64_t wn__svg_scatter_in(const svg_series *s, const svg_axis *ax, const svg_axis *ay, double x0,
                           double x1, double y0, double y1)
{
    int64_t hit = 0;
    for (int64_t i = 0; i < s->n; i++) {
        if (!ok_on(ax, s->x[i]) || !ok_on(ay, s->y[i]))
            continue;
        double px = amap(ax, s->x[i]), py = amap(ay, s->y[i]);
        hit += px >= x0 && px <= x1 && py >= y0 && py <= y1;
    }
    return hit;
}

/* ---- density ------------------------------------------------------------- */

static double dens_f(const svg_series *s, double c)
{
    return s->log_scale ? log10(1.0 + c) : c;
}

/* Smallest and largest non-empty count; 0 when every cell is empty. */
static int dens_range(const svg_series *s, double *lo, double *hi)
{
    *lo = HUGE_VAL;
    *hi = -HUGE_VAL;
    for (int64_t i = 0; i < s->n; i++)
        if (isfinite(s->y[i]) && s->y[i] > 0.0) {
            *lo = s->y[i] < *lo ? s->y[i] : *lo;
            *hi = s->y[i] > *hi ? s->y[i] : *hi;
        }
    return *lo <= *hi;
}

static const svg_series *first_density(const wn__plot *p)
{
    for (int i = 0; i < p->ns; i++)
        if (p->s[i].kind == S_DENS)
            return &p->s[i];
    return NULL;
}

/* Characters of the wider of lo's and hi's labels; fills them. */
static int bar_labels(double lo, double hi, char *tl, char *tb, size_t n)
{
    wn__svg_fmt_num(tb, n, lo);
    wn__svg_fmt_num(tl, n, hi);
    int a = (int)strlen(tl), c = (int)strlen(tb);
    return a > c ? a : c;
}

double wn__svg_map_right(const wn__plot *p)
{
    const svg_series *s = first_density(p);
    double lo, hi;
    char t[2][48];
    if (!s || !dens_range(s, &lo, &hi))
        return 0.0;
    int c = bar_labels(lo, hi, t[0], t[1], sizeof t[0]);
    return 12.0 + bar_width(c > 3 ? c : 3); /* 3: room for "log" */
}

void wn__svg_density(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay)
{
    double lo, hi;
    if (!dens_range(s, &lo, &hi))
        return;
    double flo = dens_f(s, lo), fhi = dens_f(s, hi);
    double dx = (s->box[1] - s->box[0]) / (double)s->cols;
    double dy = (s->box[3] - s->box[2]) / (double)s->rows;
    char col[16], run[16] = "";
    wn__buf_puts(b, CRISP);
    for (int64_t iy = 0; iy < s->rows; iy++) {
        double ya = s->box[2] + (double)iy * dy, yb = s->box[2] + (double)(iy + 1) * dy;
        if (!ok_on(ay, ya) || !ok_on(ay, yb))
            continue;
        double top = cl(amap(ay, yb)), h = cl(amap(ay, ya) - top + 0.2), rx = 0.0, rend = 0.0;
        run[0] = '\0';
        for (int64_t ix = 0; ix <= s->cols; ix++) {
            double c = ix < s->cols ? s->y[iy * s->cols + ix] : 0.0;
            double xa = s->box[0] + (double)ix * dx, xb = s->box[0] + (double)(ix + 1) * dx;
            int draw = ix < s->cols && isfinite(c) && c > 0.0 && ok_on(ax, xa) && ok_on(ax, xb);
            if (draw)
                seq_colour(fhi > flo ? (dens_f(s, c) - flo) / (fhi - flo) : 1.0, col, sizeof col);
            if (run[0] && (!draw || strcmp(col, run) != 0)) { /* close the run */
                wn__buf_printf(b,
                               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                               "fill=\"%s\"/>",
                               rx, top, cl(rend - rx + 0.2), h, run);
                run[0] = '\0';
            }
            if (!draw)
                continue;
            if (!run[0]) {
                rx = cl(amap(ax, xa));
                memcpy(run, col, sizeof run);
            }
            rend = cl(amap(ax, xb));
        }
    }
    wn__buf_puts(b, "</g>");
}

void wn__svg_map_after(wn__buf *b, const wn__plot *p, const svg_axis *ax, const svg_axis *ay)
{
    const svg_series *s = first_density(p);
    double lo, hi;
    char tl[48], tb[48];
    if (!s || !dens_range(s, &lo, &hi))
        return;
    bar_labels(lo, hi, tl, tb, sizeof tl);
    colour_bar(b, ax->p1 + 12.0, ay->p1, ay->p0, 0, tl, s->log_scale ? "log" : NULL, tb);
}

/* ---- matrix -------------------------------------------------------------- */

/* v rounded to `digits` significant digits, in the %.4g format. */
static void cell_num(char *out, size_t n, double v, int digits)
{
    char t[48];
    snprintf(t, sizeof t, "%.*e", digits - 1, v);
    wn__svg_fmt_num(out, n, strtod(t, NULL));
}

static int max_chars(char *const *l, int64_t n)
{
    int w = 0;
    for (int64_t i = 0; l && i < n; i++) {
        int c = text_chars(l[i]);
        w = c > w ? c : w;
    }
    return w;
}

/* Every `step`-th label, so that labels `gap` apart are at least `need`. */
static int64_t label_step(double gap, double need)
{
    return gap >= need ? 1 : (int64_t)ceil(need / gap);
}

static void draw_matrix(wn__buf *b, const svg_series *s, double W, double H, double top)
{
    int64_t R = s->rows, C = s->cols;
    if (R == 0 || C == 0)
        return;
    double lo = 0.0, hi = 1.0;
    int any = finite_range(s->y, R * C, &lo, &hi), dv = s->diverging;
    if (dv) {
        hi = fmax(fabs(lo), fabs(hi));
        hi = any && hi > 0.0 ? hi : 1.0;
        lo = -hi;
    }
    char tl[48], tb[48];
    int bc = any ? bar_labels(lo, hi, tl, tb, sizeof tl) : 0;
    int rc = max_chars(s->lab, R), cc = max_chars(s->lab2, C);
    double lw = fmin(rc * 7.0, 0.3 * W), left = lw + 14.0;
    double right = 16.0 + (any ? bar_width(bc) + 10.0 : 0.0);
    double cw = (W - left - right) / (double)C;
    int rot = cc * 7.0 + 6.0 > cw; /* column labels rotated by 45 degrees */
    double cl_w = fmin(cc * 7.0, 0.3 * W);
    if (rot && left < cl_w * 0.72) { /* room for the first label's slant */
        left = cl_w * 0.72;
        cw = (W - left - right) / (double)C;
    }
    double bottom = rot ? cl_w * 0.72 + 16.0 : cc ? 26.0 : 10.0;
    double ch = (H - top - bottom) / (double)R;
    if (cw <= 0.5 || ch <= 0.5)
        return;
    ch = fmin(ch, fmax(cw, 40.0)); /* no towering cells */
    double mh = ch * (double)R, mw = cw * (double)C;
    char col[16];
    wn__buf_puts(b, CRISP);
    for (int64_t i = 0; i < R; i++)
        for (int64_t j = 0; j < C; j++) {
            double x0 = cl(left + (double)j * cw), y0 = cl(top + (double)i * ch);
            map_colour(dv, s->y[i * C + j], lo, hi, col, sizeof col);
            wn__buf_printf(
                b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>", x0,
                y0, cl(left + (double)(j + 1) * cw - x0 + 0.1),
                cl(top + (double)(i + 1) * ch - y0 + 0.1), col);
        }
    wn__buf_puts(b, "</g>");
    if (R * C <= 150) { /* the values, if a readable font fits them */
        int digits = cw >= 40.0 ? 3 : 2, vc = 1;
        char t[48];
        for (int64_t i = 0; i < R * C; i++)
            if (isfinite(s->y[i])) {
                cell_num(t, sizeof t, s->y[i], digits);
                vc = (int)strlen(t) > vc ? (int)strlen(t) : vc;
            }
        double fs = fmin(12.0, fmin(ch * 0.45, 0.9 * cw / (0.62 * vc)));
        if (fs >= 6.0) {
            wn__buf_printf(b, "<g font-size=\"%.1f\" text-anchor=\"middle\">", cl(fs));
            for (int64_t i = 0; i < R * C; i++) {
                if (!isfinite(s->y[i]))
                    continue;
                cell_num(t, sizeof t, s->y[i], digits);
                wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>",
                               cl(left + ((double)(i % C) + 0.5) * cw),
                               cl(top + ((double)(i / C) + 0.5) * ch + fs * 0.35),
                               dark(dv, s->y[i], lo, hi) ? "#fff" : "#222", t);
            }
            wn__buf_puts(b, "</g>");
        }
    }
    wn__buf_puts(b, "<g font-size=\"12\" fill=\"#333\">");
    int64_t rs = label_step(ch, 11.0), cs = label_step(cw, rot ? 18.0 : 1.0);
    for (int64_t i = 0; i < R && rc; i += rs) {
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", cl(left - 6.0),
                       cl(top + ((double)i + 0.5) * ch + 4.0));
        wn__svg_put_label(b, s->lab[i], (int)(lw / 7.0));
        wn__buf_puts(b, "</text>");
    }
    for (int64_t j = 0; j < C && cc; j += cs) {
        double x = left + ((double)j + 0.5) * cw;
        if (rot)
            wn__buf_printf(b,
                           "<text transform=\"translate(%.1f %.1f) rotate(-45)\" "
                           "text-anchor=\"end\">",
                           cl(x + 4.0), cl(top + mh + 10.0));
        else
            wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cl(x),
                           cl(top + mh + 17.0));
        wn__svg_put_label(b, s->lab2[j], rot ? (int)(cl_w / 7.0) : cc);
        wn__buf_puts(b, "</text>");
    }
    wn__buf_puts(b, "</g>");
    if (any)
        colour_bar(b, left + mw + 16.0, top, top + fmax(mh, fmin(100.0, H - top - bottom)), dv, tl,
                   dv ? "0" : NULL, tb);
}

/* ---- grid ---------------------------------------------------------------- */

static void draw_grid(wn__buf *b, const svg_series *s, double W, double H, double top)
{
    int64_t R = s->rows, C = s->cols;
    if (R == 0 || C == 0)
        return;
    double lo = 0.0, hi = 1.0;
    int any = finite_range(s->y, R * C, &lo, &hi);
    char tl[48], tb[48];
    double bw = any ? 16.0 + bar_width(bar_labels(lo, hi, tl, tb, sizeof tl)) : 0.0;
    double aw = W - 28.0 - bw, ah = H - top - 14.0;
    if (aw <= 1.0 || ah <= 1.0)
        return;
    /* hexagons: pointy-top, width w (flat to flat), circumradius w/sqrt(3),
     * rows 1.5 radii = w sqrt(3)/2 apart, odd rows half a cell right */
    double sh = s->hex && R > 1 ? 0.5 : 0.0;
    double w =
        s->hex ? fmin(aw / ((double)C + sh), ah / (((double)R - 1.0) * SQRT3 / 2.0 + 2.0 / SQRT3))
               : fmin(aw / (double)C, ah / (double)R);
    double rad = w / SQRT3, gw = w * ((double)C + sh);
    double gh = s->hex ? ((double)R - 1.0) * 1.5 * rad + 2.0 * rad : w * (double)R;
    double ox = 14.0 + (aw - gw) / 2.0, oy = top + (ah - gh) / 2.0;
    char col[16];
    wn__buf_puts(b, s->hex ? "<g stroke-width=\"0.6\" stroke-linejoin=\"round\">" : CRISP);
    for (int64_t r = 0; r < R; r++)
        for (int64_t c = 0; c < C; c++) {
            map_colour(0, s->y[r * C + c], lo, hi, col, sizeof col);
            if (!s->hex) {
                double x0 = cl(ox + (double)c * w), y0 = cl(oy + (double)r * w);
                wn__buf_printf(
                    b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                    x0, y0, cl(ox + (double)(c + 1) * w - x0 + 0.1),
                    cl(oy + (double)(r + 1) * w - y0 + 0.1), col);
                continue;
            }
            double cx = ox + w * ((double)c + 0.5 + (r % 2 ? 0.5 : 0.0));
            double cy = oy + rad + (double)r * 1.5 * rad, hw = w / 2.0;
            wn__buf_printf(b,
                           "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f "
                           "%.1f,%.1f\" fill=\"%s\" stroke=\"%s\"/>",
                           cl(cx), cl(cy - rad), cl(cx + hw), cl(cy - rad / 2.0), cl(cx + hw),
                           cl(cy + rad / 2.0), cl(cx), cl(cy + rad), cl(cx - hw),
                           cl(cy + rad / 2.0), cl(cx - hw), cl(cy - rad / 2.0), col, col);
        }
    wn__buf_puts(b, "</g>");
    if (any) {
        double bh = fmax(gh, fmin(100.0, ah)), by = top + (ah - bh) / 2.0;
        colour_bar(b, ox + gw + 16.0, by, by + bh, 0, tl, NULL, tb);
    }
}

void wn__svg_map_panel(wn__buf *b, const svg_series *s, double W, double H, double top)
{
    if (s->kind == S_MAT)
        draw_matrix(b, s, W, H, top);
    else if (s->kind == S_GRID)
        draw_grid(b, s, W, H, top);
}
