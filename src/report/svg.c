/* svg.c — small plots as inline SVG text for the run report.
 *
 * A plot collects series (copies of the caller's data) and renders them in
 * one pass into a text buffer; rendering allocates nothing but the buffer's
 * growth, so an allocation failure there only sets buf.oom. Layout is in
 * viewBox units (the caller's w x h), so the same text scales to any width;
 * fonts are sized for ~640 units (13 units ≈ readable at phone width).
 *
 * Ticks follow the usual 1-2-5 rule (Heckbert, "Nice numbers for graph
 * labels", Graphics Gems, 1990): the smallest step m·10^k, m ∈ {1, 2, 5},
 * that puts at most max_ticks multiples of the step in the range. Log axes
 * put ticks on decades (10^k labels with a raised exponent), thinned when
 * there are many, and fall back to 1-2-5 within a decade when the range
 * spans less than two.
 *
 * Series are drawn inside a nested <svg> the size of the plot area: a
 * nested viewport clips its content, which gives clipping without ids (ids
 * would clash when a page holds several plots). The marks of each series
 * kind are drawn by svg_series.c. Colours are Okabe & Ito's
 * colour-blind-safe palette ("Color Universal Design", 2008); the heatmap
 * uses a blue–white–red diverging scale on [-1, 1]. The output is a pure
 * function of the input: no clocks, counters or pointers reach the text. */
#include "svg_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text buffer ------------------------------------------------------- */

static int buf_reserve(wn__buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (extra > SIZE_MAX - b->len - 1 || wn__grow_bytes(&b->s, &b->cap, b->len + extra + 1)) {
        b->oom = 1;
        return -1;
    }
    return 0;
}

static void buf_putn(wn__buf *b, const char *s, size_t n)
{
    if (!b || buf_reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void wn__buf_puts(wn__buf *b, const char *s)
{
    if (s)
        buf_putn(b, s, strlen(s));
}

void wn__buf_printf(wn__buf *b, const char *fmt, ...)
{
    if (!b || b->oom)
        return;
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    size_t room = b->s ? b->cap - b->len : 0;
    int n = vsnprintf(room ? b->s + b->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1; /* an encoding error: the text would be incomplete */
    } else if ((size_t)n < room) {
        b->len += (size_t)n;
    } else if (buf_reserve(b, (size_t)n) == 0) {
        vsnprintf(b->s + b->len, b->cap - b->len, fmt, aq);
        b->len += (size_t)n;
    }
    va_end(aq);
    if (b->s && b->cap > b->len)
        b->s[b->len] = '\0';
}

void wn__buf_escape(wn__buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            /* control characters are not allowed in XML 1.0 text */
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                rep = "";
        }
        if (rep) {
            buf_putn(b, run, (size_t)(s - run));
            wn__buf_puts(b, rep);
            run = s + 1;
        }
    }
    buf_putn(b, run, (size_t)(s - run));
}

void wn__buf_free(wn__buf *b)
{
    if (!b)
        return;
    wn_free(b->s);
    memset(b, 0, sizeof *b);
}

/* ---- plot and series --------------------------------------------------- */

static void series_free(svg_series *s)
{
    wn_free(s->name);
    wn_free(s->x);
    wn_free(s->y);
    wn_free(s->e);
    if (s->lab)
        for (int64_t i = 0; i < s->n; i++)
            wn_free(s->lab[i]);
    wn_free(s->lab);
    wn__svg_map_free(s);
}

wn__plot *wn__plot_new(const char *title, const char *xlabel, const char *ylabel)
{
    wn__plot *p = wn__calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if ((title && !(p->title = wn__strdup(title))) ||
        (xlabel && !(p->xlabel = wn__strdup(xlabel))) ||
        (ylabel && !(p->ylabel = wn__strdup(ylabel)))) {
        wn__plot_free(p);
        return NULL;
    }
    return p;
}

void wn__plot_free(wn__plot *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->ns; i++)
        series_free(&p->s[i]);
    wn_free(p->s);
    wn_free(p->title);
    wn_free(p->xlabel);
    wn_free(p->ylabel);
    wn_free(p);
}

void wn__plot_axis(wn__plot *p, char axis, wn__axis_scale scale, double lo, double hi)
{
    if (!p || (axis != 'x' && axis != 'y'))
        return;
    int a = axis == 'y';
    p->ax[a].log = scale == WN__AXIS_LOG;
    if (!isfinite(lo) || !isfinite(hi))
        lo = hi = 0.0;
    p->ax[a].lo = lo < hi ? lo : hi;
    p->ax[a].hi = lo < hi ? hi : lo;
}

/* Copies v[0..n) (NULL stays NULL); sets *bad on allocation failure. */
static double *copy_d(const double *v, int64_t n, int *bad)
{
    if (!v || *bad)
        return NULL;
    double *c = wn__malloc_array(n > 0 ? (size_t)n : 1, sizeof(double));
    if (!c)
        *bad = 1;
    else if (n > 0)
        memcpy(c, v, (size_t)n * sizeof(double));
    return c;
}

static char **copy_labels(const char *const *l, int64_t n, int *bad)
{
    if (*bad)
        return NULL;
    char **c = wn__calloc(n > 0 ? (size_t)n : 1, sizeof(char *));
    if (!c) {
        *bad = 1;
        return NULL;
    }
    for (int64_t i = 0; i < n && !*bad; i++)
        if (!(c[i] = wn__strdup(l && l[i] ? l[i] : "")))
            *bad = 1;
    return c;
}

/* Takes s (freeing it on failure); picks its colour once it is in. */
static int add_series(wn__plot *p, svg_series *s, int colour, int bad)
{
    svg_series *ns = bad ? NULL : wn__realloc_array(p->s, (size_t)p->ns + 1, sizeof *ns);
    if (!ns) {
        series_free(s);
        return -1;
    }
    p->s = ns;
    s->colour = colour >= 0 ? colour % 8 : p->next_colour++ % 8;
    p->s[p->ns++] = *s;
    return 0;
}

int wn__svg_add(wn__plot *p, svg_series *s, int colour, int bad)
{
    return add_series(p, s, colour, bad);
}

static int start(wn__plot *p, svg_series *s, int kind, const char *name, int64_t n, int *bad)
{
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->n = n;
    *bad = 0;
    if (!p || n < 0 || n > ((int64_t)1 << 40))
        return -1;
    if (name && !(s->name = wn__strdup(name)))
        *bad = 1;
    return 0;
}

int wn__plot_line(wn__plot *p, const char *name, const double *x, const double *y, int64_t n,
                  int colour)
{
    svg_series s;
    int bad;
    if (start(p, &s, S_LINE, name, n, &bad) || (n > 0 && (!x || !y)))
        return series_free(&s), -1;
    s.x = copy_d(x, n, &bad);
    s.y = copy_d(y, n, &bad);
    return add_series(p, &s, colour, bad);
}

int wn__plot_points(wn__plot *p, const char *name, const double *x, const double *y,
                    const double *yerr, int64_t n, int colour)
{
    svg_series s;
    int bad;
    if (start(p, &s, S_POINTS, name, n, &bad) || (n > 0 && (!x || !y)))
        return series_free(&s), -1;
    s.x = copy_d(x, n, &bad);
    s.y = copy_d(y, n, &bad);
    s.e = copy_d(yerr, n, &bad);
    return add_series(p, &s, colour, bad);
}

int wn__plot_hist(wn__plot *p, const char *name, const double *edges, const double *h,
                  int64_t nbins, int filled, int colour)
{
    svg_series s;
    int bad;
    if (start(p, &s, S_HIST, name, nbins, &bad) || (nbins > 0 && (!edges || !h)))
        return series_free(&s), -1;
    s.filled = filled != 0;
    s.x = copy_d(edges, nbins + 1, &bad);
    s.y = copy_d(h, nbins, &bad);
    return add_series(p, &s, colour, bad);
}

int wn__plot_hbars(wn__plot *p, const char *name, const char *const *labels, const double *v,
                   const double *err, int64_t n, int colour)
{
    svg_series s;
    int bad;
    if (start(p, &s, S_HBARS, name, n, &bad) || (n > 0 && !v))
        return series_free(&s), -1;
    s.y = copy_d(v, n, &bad);
    s.e = copy_d(err, n, &bad);
    s.lab = copy_labels(labels, n, &bad);
    return add_series(p, &s, colour, bad);
}

int wn__plot_heatmap(wn__plot *p, const char *const *labels, const double *m, int64_t n)
{
    svg_series s;
    int bad;
    if (start(p, &s, S_HEAT, NULL, n, &bad) || n > 4096 || (n > 0 && !m))
        return series_free(&s), -1;
    s.y = copy_d(m, n * n, &bad);
    s.lab = copy_labels(labels, n, &bad);
    return add_series(p, &s, 7, bad);
}

int wn__plot_refline(wn__plot *p, char axis, double at, const char *name)
{
    svg_series s;
    int bad;
    if (start(p, &s, S_REF, name, 0, &bad) || (axis != 'x' && axis != 'y'))
        return series_free(&s), -1;
    s.axis = axis;
    s.at = at;
    return add_series(p, &s, 7, bad);
}

/* ---- ticks ------------------------------------------------------------- */

/* m·10^k, exact for the small powers: 2/10 is 0.2, where 2·0.1 is not. */
static double scaled(double m, int k)
{
    return k < 0 ? m / pow(10.0, (double)-k) : m * pow(10.0, (double)k);
}

int wn__nice_ticks(double lo, double hi, int max_ticks, double *ticks)
{
    if (!ticks || max_ticks < 1 || !isfinite(lo) || !isfinite(hi) || !(lo < hi) ||
        !isfinite(hi - lo))
        return 0;
    static const double mant[3] = {1.0, 2.0, 5.0};
    double raw = (hi - lo) / (max_ticks > 1 ? max_ticks - 1 : 1);
    int k = (int)floor(log10(raw)) - 1;
    for (int it = 0; it < 12; it++, k++) {
        for (int j = 0; j < 3; j++) {
            double st = scaled(mant[j], k);
            if (st <= 0.0 || !isfinite(st))
                continue;
            double a = ceil(lo / st), z = floor(hi / st);
            if (fabs(a) > 1e15 || fabs(z) > 1e15)
                return 0; /* the range is below the resolution of a double */
            if (z - a + 1.0 > (double)max_ticks)
                continue;
            int n = 0;
            for (double i = a; i <= z; i += 1.0)
                ticks[n++] = k < 0 ? i * mant[j] / pow(10.0, (double)-k) : i * st;
            return n;
        }
    }
    return 0;
}

/* ---- rendering --------------------------------------------------------- */

/* %.4g without the exponent's '+' and leading zeros: 1e-05 → 1e-5. */
static void fmt_num(char *out, size_t n, double v)
{
    char t[48];
    snprintf(t, sizeof t, "%.4g", v == 0.0 ? 0.0 : v);
    char *e = strchr(t, 'e');
    if (!e) {
        snprintf(out, n, "%s", t);
        return;
    }
    char *d = e + 1, *w = e + 1;
    if (*d == '+')
        d++;
    else if (*d == '-')
        *w++ = *d++;
    while (*d == '0' && d[1])
        d++;
    memmove(w, d, strlen(d) + 1);
    snprintf(out, n, "%s", t);
}

void wn__svg_fmt_num(char *out, size_t n, double v)
{
    fmt_num(out, n, v);
}

/* Widens the range [*lo, *hi] by the finite (positive, on log axes) v. */
static void acc(const svg_axis *a, double v, double *lo, double *hi)
{
    if (!ok_on(a, v))
        return;
    if (v < *lo)
        *lo = v;
    if (v > *hi)
        *hi = v;
}

/* Range of axis `which` (0 x, 1 y) from the data; *floor0 when histograms
 * stand on y = 0 (then no margin is put below a zero minimum). */
static void data_range(const wn__plot *p, const svg_axis *a, int which, double *lo, double *hi,
                       int *floor0)
{
    *lo = HUGE_VAL;
    *hi = -HUGE_VAL;
    *floor0 = 0;
    for (int i = 0; i < p->ns; i++) {
        const svg_series *s = &p->s[i];
        for (int64_t j = 0; j < s->n && (s->kind == S_LINE || s->kind == S_POINTS); j++) {
            double v = which ? s->y[j] : s->x[j];
            acc(a, v, lo, hi);
            if (which && s->e && isfinite(s->e[j])) {
                acc(a, v + fabs(s->e[j]), lo, hi);
                acc(a, v - fabs(s->e[j]), lo, hi);
            }
        }
        if (s->kind == S_HIST) {
            for (int64_t j = 0; j <= s->n && !which; j++)
                acc(a, s->x[j], lo, hi);
            for (int64_t j = 0; j < s->n && which; j++)
                acc(a, s->y[j], lo, hi);
            if (which && !a->log) {
                acc(a, 0.0, lo, hi);
                *floor0 = 1;
            }
        }
        if (s->kind == S_REF && s->axis == (which ? 'y' : 'x'))
            acc(a, s->at, lo, hi);
        if (s->kind == S_SCAT || s->kind == S_DENS) /* maps keep their data's box */
            for (int k = 0; k < 3; k++)
                acc(a, s->box[k < 2 ? 2 * which + k : 4 + which], lo, hi);
    }
}

static void finish_range(svg_axis *a, double lo, double hi, int floor0)
{
    if (!(lo <= hi)) { /* no data */
        lo = a->log ? 1.0 : 0.0;
        hi = a->log ? 10.0 : 1.0;
    } else if (a->log) {
        if (hi / lo < 1.0001) {
            lo /= 2.0;
            hi *= 2.0;
        }
        double f = pow(10.0, 0.04 * log10(hi / lo));
        lo /= f;
        hi *= f;
    } else if (hi - lo <= 1e-9 * fmax(fabs(lo), fabs(hi))) {
        double d = lo == 0.0 ? 1.0 : 0.1 * fabs(lo);
        lo -= d;
        hi += d;
    } else {
        double pad = 0.04 * (hi - lo);
        if (!(floor0 && lo == 0.0))
            lo -= pad;
        hi += pad;
    }
    a->lo = lo;
    a->hi = hi;
}

/* Fills a->t with ticks at most `maxt` (decades on log axes). */
static void make_ticks(svg_axis *a, int maxt)
{
    a->nt = 0;
    if (a->log) {
        a->llo = log10(a->lo);
        a->lhi = log10(a->hi);
        int k0 = (int)ceil(a->llo - 1e-9), k1 = (int)floor(a->lhi + 1e-9);
        if (k1 - k0 >= 1) {
            int st = (k1 - k0 + maxt) / maxt;
            for (int k = k0; k <= k1 && a->nt < 64; k++)
                if (((k % st) + st) % st == 0) {
                    a->sup[a->nt] = k;
                    a->t[a->nt++] = pow(10.0, (double)k);
                }
            return;
        }
        static const double mant[3] = {1.0, 2.0, 5.0};
        for (int k = (int)floor(a->llo); k <= k1; k++)
            for (int j = 0; j < 3 && a->nt < 64; j++) {
                double t = scaled(mant[j], k);
                if (t >= a->lo && t <= a->hi) {
                    a->sup[a->nt] = INT32_MIN;
                    a->t[a->nt++] = t;
                }
            }
        if (a->nt >= 2)
            return;
        a->nt = 0;
    }
    a->nt = wn__nice_ticks(a->lo, a->hi, maxt < 64 ? maxt : 64, a->t);
    for (int k = 0; k < a->nt; k++)
        a->sup[k] = INT32_MIN;
}

/* Tick label text (escaped-safe) and its width in characters. */
static int tick_label(const svg_axis *a, int k, char *out, size_t n)
{
    if (a->sup[k] == INT32_MIN) {
        fmt_num(out, n, a->t[k]);
        return (int)strlen(out);
    }
    int e = a->sup[k];
    if (e == 0 || e == 1) {
        snprintf(out, n, "%s", e ? "10" : "1");
        return e + 1;
    }
    /* dy rather than baseline-shift: Firefox ignores baseline-shift */
    snprintf(out, n, "10<tspan dy=\"-5\" font-size=\"9\">%d</tspan>", e);
    return e < 0 ? 4 + (e <= -10) : 3 + (e >= 10);
}

static int clampi(double v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : (int)v;
}

/* Axes, grid, labels and the series of an x-y plot, or of a bar plot when
 * the plot has hbars (then y shows the categories and x starts at 0). */
static void draw_xy(const wn__plot *p, wn__buf *b, double W, double H, double top)
{
    svg_axis ax, ay;
    memset(&ax, 0, sizeof ax);
    memset(&ay, 0, sizeof ay);
    int cat = -1, m = 0;
    for (int i = 0; i < p->ns; i++)
        if (p->s[i].kind == S_HBARS && (m++, cat < 0))
            cat = i;
    int64_t ncat = cat >= 0 ? p->s[cat].n : 0;
    ax.log = cat < 0 && p->ax[0].log;
    ay.log = cat < 0 && p->ax[1].log;
    double lo, hi, bottom = 30.0 + (p->xlabel ? 20.0 : 0.0), right = 16.0 + wn__svg_map_right(p);
    int f0;
    for (int a = 0; a < 2; a++) {
        svg_axis *A = a ? &ay : &ax;
        if (p->ax[a].lo < p->ax[a].hi && (!A->log || p->ax[a].lo > 0.0) && !(cat >= 0 && a)) {
            A->lo = p->ax[a].lo;
            A->hi = p->ax[a].hi;
        } else if (cat >= 0 && a == 0) { /* bars from 0 to the ends of the error bars */
            lo = hi = 0.0;
            for (int i = 0; i < p->ns; i++)
                for (int64_t j = 0; j < p->s[i].n && p->s[i].kind == S_HBARS; j++) {
                    double v = p->s[i].y[j], e = p->s[i].e ? fabs(p->s[i].e[j]) : 0.0;
                    acc(A, v, &lo, &hi);
                    acc(A, v + (isfinite(e) ? e : 0.0), &lo, &hi);
                    acc(A, v - (isfinite(e) ? e : 0.0), &lo, &hi);
                }
            A->hi = hi > lo ? hi + 0.05 * (hi - lo) : 1.0;
            A->lo = lo < 0.0 ? lo - 0.05 * (hi - lo) : 0.0;
        } else {
            data_range(p, A, a, &lo, &hi, &f0);
            finish_range(A, lo, hi, f0);
        }
    }
    char t[96];
    int yw = 0;
    if (cat < 0) {
        make_ticks(&ay, clampi((H - top - bottom) / 45.0, 3, 10));
        for (int k = 0; k < ay.nt; k++) {
            int c = tick_label(&ay, k, t, sizeof t);
            yw = c > yw ? c : yw;
        }
    } else {
        for (int64_t i = 0; i < ncat; i++) {
            int c = text_chars(p->s[cat].lab[i]);
            yw = c > yw ? c : yw;
        }
        yw = clampi(fmin(yw, 0.4 * W / 7.0), 1, 1000);
    }
    double left = yw * 7.0 + 14.0 + (p->ylabel ? 20.0 : 0.0);
    ax.p0 = left;
    ax.p1 = W - right;
    ay.p0 = H - bottom;
    ay.p1 = top;
    double pw = ax.p1 - ax.p0, ph = ay.p0 - ay.p1;
    if (pw < 10.0 || ph < 10.0)
        return;
    for (int maxt = clampi(pw / 80.0, 3, 10);; maxt--) { /* fewer x ticks if labels collide */
        make_ticks(&ax, maxt);
        int xw = 0;
        for (int k = 0; k < ax.nt; k++) {
            int c = tick_label(&ax, k, t, sizeof t);
            xw = c > xw ? c : xw;
        }
        if (maxt <= 2 || xw * 7.0 * ax.nt < pw * 0.85)
            break;
    }
    /* grid and axes */
    wn__buf_puts(b, "<path fill=\"none\" stroke=\"#e6e6e6\" d=\"");
    for (int k = 0; k < ax.nt; k++)
        wn__buf_printf(b, "M%.1f %.1fV%.1f", cl(amap(&ax, ax.t[k])), cl(ay.p0), cl(ay.p1));
    for (int k = 0; k < ay.nt && cat < 0; k++)
        wn__buf_printf(b, "M%.1f %.1fH%.1f", cl(ax.p0), cl(amap(&ay, ay.t[k])), cl(ax.p1));
    wn__buf_printf(b, "\"/><path fill=\"none\" stroke=\"#444\" d=\"M%.1f %.1fV%.1fH%.1f", cl(ax.p0),
                   cl(ay.p1), cl(ay.p0), cl(ax.p1));
    for (int k = 0; k < ax.nt; k++)
        wn__buf_printf(b, "M%.1f %.1fv5", cl(amap(&ax, ax.t[k])), cl(ay.p0));
    for (int k = 0; k < ay.nt && cat < 0; k++)
        wn__buf_printf(b, "M%.1f %.1fh-5", cl(ax.p0), cl(amap(&ay, ay.t[k])));
    wn__buf_puts(b, "\"/><g font-size=\"12\" fill=\"#333\">");
    for (int k = 0; k < ax.nt; k++) {
        tick_label(&ax, k, t, sizeof t);
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                       cl(amap(&ax, ax.t[k])), cl(ay.p0 + 19.0), t);
    }
    for (int k = 0; k < ay.nt && cat < 0; k++) {
        tick_label(&ay, k, t, sizeof t);
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                       cl(ax.p0 - 8.0), cl(amap(&ay, ay.t[k]) + 4.0), t);
    }
    double band = ncat > 0 ? ph / (double)ncat : ph;
    for (int64_t i = 0; i < ncat; i++) {
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", cl(ax.p0 - 8.0),
                       cl(top + ((double)i + 0.5) * band + 4.0));
        wn__svg_put_label(b, p->s[cat].lab[i], yw);
        wn__buf_puts(b, "</text>");
    }
    wn__buf_puts(b, "</g>");
    if (p->xlabel) {
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                       cl(ax.p0 + pw / 2.0), cl(H - 9.0));
        wn__buf_escape(b, p->xlabel);
        wn__buf_puts(b, "</text>");
    }
    if (p->ylabel) {
        wn__buf_printf(b,
                       "<text transform=\"translate(17 %.1f) rotate(-90)\" text-anchor=\"middle\">",
                       cl(ay.p1 + ph / 2.0));
        wn__buf_escape(b, p->ylabel);
        wn__buf_puts(b, "</text>");
    }
    /* series, clipped by a nested viewport the size of the plot area */
    wn__buf_printf(b,
                   "<svg x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" viewBox=\"%.1f %.1f "
                   "%.1f %.1f\">",
                   cl(ax.p0), cl(ay.p1), cl(pw), cl(ph), cl(ax.p0), cl(ay.p1), cl(pw), cl(ph));
    for (int i = 0, k = 0; i < p->ns; i++) {
        const svg_series *s = &p->s[i];
        if (s->kind == S_HBARS)
            wn__svg_hbars(b, s, &ax, top, band, ncat, k++, m);
        else if (s->kind == S_REF && !(cat >= 0 && s->axis == 'y'))
            wn__svg_ref(b, s, &ax, &ay);
        else if (cat >= 0)
            continue;
        else if (s->kind == S_LINE)
            wn__svg_line(b, s, &ax, &ay);
        else if (s->kind == S_POINTS)
            wn__svg_points(b, s, &ax, &ay);
        else if (s->kind == S_HIST)
            wn__svg_hist(b, s, &ax, &ay);
        else if (s->kind == S_SCAT)
            wn__svg_scatter(b, s, &ax, &ay);
        else if (s->kind == S_DENS)
            wn__svg_density(b, s, &ax, &ay);
    }
    wn__buf_puts(b, "</svg>");
    wn__svg_map_after(b, p, &ax, &ay);
    wn__svg_legend(p, b, &ax, &ay);
}

void wn__plot_render(const wn__plot *p, int w, int h, wn__buf *out)
{
    if (!out)
        return;
    w = w <= 0 ? 640 : w > 100000 ? 100000 : w;
    h = h <= 0 ? 400 : h > 100000 ? 100000 : h;
    wn__buf_printf(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
        "role=\"img\" font-family=\"sans-serif\" font-size=\"13\"><title>",
        w, h);
    wn__buf_escape(out, p && p->title ? p->title : "plot");
    wn__buf_printf(out, "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", w, h);
    double top = 14.0;
    if (p && p->title) {
        wn__buf_printf(out,
                       "<text x=\"%.1f\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" "
                       "font-weight=\"bold\">",
                       cl(w / 2.0));
        wn__buf_escape(out, p->title);
        wn__buf_puts(out, "</text>");
        top = 34.0;
    }
    const svg_series *heat = NULL;
    for (int i = 0; p && i < p->ns && !heat; i++)
        if (p->s[i].kind == S_HEAT || p->s[i].kind == S_MAT || p->s[i].kind == S_GRID)
            heat = &p->s[i];
    if (heat && heat->kind == S_HEAT)
        wn__svg_heatmap(out, heat, (double)w, (double)h, top);
    else if (heat) /* a matrix or grid map owns the panel, like the heatmap */
        wn__svg_map_panel(out, heat, (double)w, (double)h, top);
    else if (p)
        draw_xy(p, out, (double)w, (double)h, top);
    wn__buf_puts(out, "</svg>");
}
