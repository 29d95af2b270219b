/* svg_series.c — the marks each series kind leaves in a plot: polylines
 * broken at NaN, markers with error bars, histogram areas and step
 * outlines, horizontal bars, dashed reference lines, the legend, and the
 * heatmap panel with its blue-white-red scale on [-1, 1]. Coordinates come
 * from the axes laid out by svg.c; every number goes through cl() so the
 * text is short and deterministic. */
#include "svg_internal.h"

#include <stdio.h>
#include <string.h>

const char *const wn__svg_palette[8] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                        "#E69F00", "#56B4E9", "#F0E442", "#000000"};

/* Appends s, escaped, cut to at most `max` characters (with "…"). */
void wn__svg_put_label(wn__buf *b, const char *s, int max)
{
    if (text_chars(s) <= max || max < 2) {
        wn__buf_escape(b, s);
        return;
    }
    char t[512];
    size_t i = 0;
    for (int c = 0; s[i] && i + 4 < sizeof t; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++c > max - 1)
            break;
        t[i] = s[i];
    }
    t[i] = '\0';
    wn__buf_escape(b, t);
    wn__buf_puts(b, "\xE2\x80\xA6");
}

/* Data marks of the x-y series inside the box [x0, x1] x [y0, y1]; line
 * segments are sampled so that a sparse diagonal still counts. */
static int64_t marks_in(const wn__plot *p, const svg_axis *ax, const svg_axis *ay, double x0,
                        double x1, double y0, double y1)
{
    int64_t hit = 0;
    for (int i = 0; i < p->ns; i++) {
        const svg_series *s = &p->s[i];
        if (s->kind == S_SCAT)
            hit += 8 * wn__svg_scatter_in(s, ax, ay, x0, x1, y0, y1);
        if (s->kind != S_LINE && s->kind != S_POINTS && s->kind != S_HIST)
            continue;
        for (int64_t j = 0; j < s->n; j++) {
            double x = s->x[j], y = s->y[j];
            if (!ok_on(ax, x) || !ok_on(ay, y))
                continue;
            double px = amap(ax, x), py = amap(ay, y), qx = px, qy = py;
            if (s->kind == S_LINE && j + 1 < s->n && ok_on(ax, s->x[j + 1]) &&
                ok_on(ay, s->y[j + 1])) {
                qx = amap(ax, s->x[j + 1]);
                qy = amap(ay, s->y[j + 1]);
            } else if (s->kind == S_HIST && ok_on(ax, s->x[j + 1])) {
                qx = amap(ax, s->x[j + 1]);
            }
            for (int k = 0; k < 8; k++) {
                double fx = px + (qx - px) * k / 8.0, fy = py + (qy - py) * k / 8.0;
                hit += fx >= x0 && fx <= x1 && fy >= y0 && fy <= y1;
            }
        }
    }
    return hit;
}

void wn__svg_legend(const wn__plot *p, wn__buf *b, const svg_axis *ax, const svg_axis *ay)
{
    int n = 0, w = 0;
    for (int i = 0; i < p->ns; i++)
        if (p->s[i].name && p->s[i].kind != S_HEAT) {
            int c = text_chars(p->s[i].name);
            n++;
            w = c > w ? c : w;
        }
    int room = (int)((ay->p0 - ay->p1 - 24.0) / 18.0) - n, rows[2] = {0, 0}; /* scatter rows */
    for (int i = 0, k = 0; i < p->ns; i++)
        if (p->s[i].kind == S_SCAT && k < 2) {
            rows[k] = wn__svg_scatter_rows(&p->s[i], room, &w);
            room -= rows[k];
            n += rows[k++];
        }
    if (!n)
        return;
    w = w > 28 ? 28 : w;
    double bw = w * 7.0 + 38.0, bh = n * 18.0 + 8.0, y0 = cl(ay->p1 + 8.0);
    double x0 = cl(ax->p1 - bw - 8.0), xl = cl(ax->p0 + 8.0);
    if (xl < x0 && marks_in(p, ax, ay, xl, xl + bw, y0, y0 + bh) <
                       marks_in(p, ax, ay, x0, x0 + bw, y0, y0 + bh))
        x0 = xl;
    wn__buf_printf(b,
                   "<g font-size=\"12\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"#fff\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>",
                   x0, y0, cl(bw), cl(bh));
    int k = 0;
    for (int i = 0, j = 0; i < p->ns; i++) {
        const svg_series *s = &p->s[i];
        if (s->kind == S_SCAT && j < 2) {
            wn__svg_scatter_legend(b, s, rows[j], x0, y0, k);
            k += rows[j++];
        }
        if (!s->name || s->kind == S_HEAT)
            continue;
        const char *c = wn__svg_palette[s->colour];
        double yy = y0 + 17.0 + 18.0 * k++;
        if (s->kind == S_LINE || s->kind == S_REF)
            wn__buf_printf(b, "<path d=\"M%.1f %.1fH%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>",
                           x0 + 6.0, yy - 4.0, x0 + 26.0, s->kind == S_REF ? "#555" : c,
                           s->kind == S_REF ? " stroke-dasharray=\"6 4\"" : "");
        else if (s->kind == S_POINTS)
            wn__buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>", x0 + 16.0,
                           yy - 4.0, c);
        else
            wn__buf_printf(b,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"10\" fill=\"%s\" "
                           "fill-opacity=\"%s\" stroke=\"%s\"/>",
                           x0 + 8.0, yy - 9.0, c,
                           s->kind == S_HIST && !s->filled ? "0"
                           : s->kind == S_HIST             ? "0.35"
                                                           : "1",
                           c);
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", x0 + 32.0, yy);
        wn__svg_put_label(b, s->name, 28);
        wn__buf_puts(b, "</text>");
    }
    wn__buf_puts(b, "</g>");
}

void wn__svg_line(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay)
{
    const char *c = wn__svg_palette[s->colour];
    wn__buf_printf(
        b, "<g fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\">", c);
    int64_t np = 0;
    double lx = 0.0, ly = 0.0;
    for (int64_t j = 0; j <= s->n; j++) {
        int ok = j < s->n && ok_on(ax, s->x[j]) && ok_on(ay, s->y[j]);
        if (!ok) { /* a gap (or the end) closes the segment */
            if (np)
                wn__buf_puts(b, "\"/>");
            if (np == 1) /* a lone point would draw nothing */
                wn__buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>", lx, ly,
                               c);
            np = 0;
            continue;
        }
        double px = cl(amap(ax, s->x[j])), py = cl(amap(ay, s->y[j]));
        if (np && fabs(px - lx) < 0.25 && fabs(py - ly) < 0.25)
            continue; /* below the text's resolution: keeps ROC curves small */
        wn__buf_printf(b, "%s%.1f,%.1f", np ? " " : "<polyline points=\"", px, py);
        lx = px;
        ly = py;
        np++;
    }
    wn__buf_puts(b, "</g>");
}

void wn__svg_points(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay)
{
    const char *c = wn__svg_palette[s->colour];
    if (s->e) {
        wn__buf_printf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"", c);
        for (int64_t j = 0; j < s->n; j++) {
            double x = s->x[j], y = s->y[j], e = fabs(s->e[j]);
            if (!ok_on(ax, x) || !ok_on(ay, y) || !isfinite(e) || e == 0.0)
                continue;
            double y0 = ok_on(ay, y - e) ? amap(ay, y - e) : ay->p0;
            wn__buf_printf(b, "M%.1f %.1fV%.1f", cl(amap(ax, x)), cl(y0), cl(amap(ay, y + e)));
        }
        wn__buf_puts(b, "\"/>");
    }
    wn__buf_printf(b, "<g fill=\"%s\">", c);
    for (int64_t j = 0; j < s->n; j++)
        if (ok_on(ax, s->x[j]) && ok_on(ay, s->y[j]))
            wn__buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"/>", cl(amap(ax, s->x[j])),
                           cl(amap(ay, s->y[j])));
    wn__buf_puts(b, "</g>");
}

/* Filled: a translucent area, then the outline; outline: the step line. A
 * bin that cannot be drawn (NaN, or <= 0 on a log axis) breaks the path. */
void wn__svg_hist(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay)
{
    const char *c = wn__svg_palette[s->colour];
    double base = cl(ay->log ? ay->p0 : amap(ay, 0.0));
    for (int pass = s->filled ? 0 : 1; pass < 2; pass++) {
        if (pass == 0)
            wn__buf_printf(b, "<path fill=\"%s\" fill-opacity=\"0.35\" stroke=\"none\" d=\"", c);
        else
            wn__buf_printf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"", c);
        const char *close = pass == 0 ? "V%.1fZ" : "V%.1f";
        int open = 0;
        double last = 0.0;
        for (int64_t j = 0; j < s->n; j++) {
            double e0 = s->x[j], e1 = s->x[j + 1];
            if (!ok_on(ax, e0) || !ok_on(ax, e1) || !ok_on(ay, s->y[j])) {
                if (open)
                    wn__buf_printf(b, close, base);
                open = 0;
                continue;
            }
            double x0 = cl(amap(ax, e0)), x1 = cl(amap(ax, e1)), y = cl(amap(ay, s->y[j]));
            if (open && x0 != last) {
                wn__buf_printf(b, close, base);
                open = 0;
            }
            if (!open)
                wn__buf_printf(b, "M%.1f %.1f", x0, base);
            wn__buf_printf(b, "V%.1fH%.1f", y, x1);
            open = 1;
            last = x1;
        }
        if (open)
            wn__buf_printf(b, close, base);
        wn__buf_puts(b, "\"/>");
    }
}

void wn__svg_ref(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay)
{
    const svg_axis *a = s->axis == 'x' ? ax : ay;
    if (!ok_on(a, s->at))
        return;
    double v = cl(amap(a, s->at));
    wn__buf_puts(
        b, "<path fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\" ");
    if (s->axis == 'x')
        wn__buf_printf(b, "d=\"M%.1f %.1fV%.1f\"/>", v, cl(ay->p0), cl(ay->p1));
    else
        wn__buf_printf(b, "d=\"M%.1f %.1fH%.1f\"/>", cl(ax->p0), v, cl(ax->p1));
}

/* Bars of the k-th of m hbars series in category bands of height `band`. */
void wn__svg_hbars(wn__buf *b, const svg_series *s, const svg_axis *ax, double top, double band,
                   int64_t ncat, int k, int m)
{
    const char *c = wn__svg_palette[s->colour];
    double bh = band * 0.7 / m, zero = amap(ax, 0.0);
    wn__buf_printf(b, "<g fill=\"%s\">", c);
    for (int64_t i = 0; i < s->n && i < ncat; i++) {
        if (!isfinite(s->y[i]))
            continue;
        double y0 = top + (double)i * band + band * 0.15 + k * bh, xv = amap(ax, s->y[i]);
        wn__buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                       cl(fmin(zero, xv)), cl(y0), cl(fabs(xv - zero)), cl(bh));
    }
    wn__buf_puts(b, "</g>");
    if (!s->e)
        return;
    wn__buf_puts(b, "<path fill=\"none\" stroke=\"#222\" stroke-width=\"1.2\" d=\"");
    for (int64_t i = 0; i < s->n && i < ncat; i++) {
        double v = s->y[i], e = fabs(s->e[i]);
        if (!isfinite(v) || !isfinite(e) || e == 0.0)
            continue;
        double yc = top + (double)i * band + band * 0.15 + (k + 0.5) * bh;
        double x0 = cl(amap(ax, v - e)), x1 = cl(amap(ax, v + e)), hw = bh * 0.25;
        wn__buf_printf(b, "M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f", x0, cl(yc), x1, x0,
                       cl(yc - hw), cl(yc + hw), x1, cl(yc - hw), cl(yc + hw));
    }
    wn__buf_puts(b, "\"/>");
}

static void heat_colour(double v, char *out, size_t n)
{
    if (!isfinite(v)) {
        snprintf(out, n, "#BBBBBB");
        return;
    }
    double t = fmin(fabs(v), 1.0);
    const double *to = v < 0.0 ? (const double[3]){33, 102, 172} : (const double[3]){178, 24, 43};
    snprintf(out, n, "#%02X%02X%02X", (unsigned)lround(255.0 + t * (to[0] - 255.0)),
             (unsigned)lround(255.0 + t * (to[1] - 255.0)),
             (unsigned)lround(255.0 + t * (to[2] - 255.0)));
}

void wn__svg_diverging(double v, char *out, size_t n)
{
    heat_colour(v, out, n);
}

void wn__svg_heatmap(wn__buf *b, const svg_series *s, double W, double H, double top)
{
    int64_t n = s->n;
    int maxc = 0;
    for (int64_t i = 0; i < n; i++) {
        int c = text_chars(s->lab[i]);
        maxc = c > maxc ? c : maxc;
    }
    double lab = fmin(maxc * 7.0, 0.3 * W), left = lab + 14.0, bottom = lab * 0.72 + 16.0;
    double side = fmin(W - left - 70.0, H - top - bottom);
    if (n == 0 || side <= 0.0)
        return;
    double cell = side / (double)n, fs = fmin(12.0, cell * 0.32);
    int maxl = (int)(lab / 7.0);
    char col[16];
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) {
            double v = s->y[i * n + j];
            heat_colour(v, col, sizeof col);
            wn__buf_printf(
                b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                cl(left + (double)j * cell), cl(top + (double)i * cell), cl(cell + 0.05),
                cl(cell + 0.05), col);
        }
    if (n <= 12) {
        wn__buf_printf(b, "<g font-size=\"%.1f\" text-anchor=\"middle\">", cl(fs));
        for (int64_t i = 0; i < n * n; i++)
            if (isfinite(s->y[i]))
                wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%.2f</text>",
                               cl(left + ((double)(i % n) + 0.5) * cell),
                               cl(top + ((double)(i / n) + 0.5) * cell + fs * 0.35),
                               fabs(s->y[i]) > 0.6 ? "#fff" : "#222",
                               s->y[i] == 0.0 ? 0.0 : s->y[i]);
        wn__buf_puts(b, "</g>");
    }
    wn__buf_puts(b, "<g font-size=\"12\" fill=\"#333\">");
    for (int64_t i = 0; i < n; i++) {
        double c = ((double)i + 0.5) * cell;
        wn__buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", cl(left - 6.0),
                       cl(top + c + 4.0));
        wn__svg_put_label(b, s->lab[i], maxl);
        wn__buf_printf(b,
                       "</text><text transform=\"translate(%.1f %.1f) rotate(-45)\" "
                       "text-anchor=\"end\">",
                       cl(left + c + 4.0), cl(top + side + 10.0));
        wn__svg_put_label(b, s->lab[i], maxl);
        wn__buf_puts(b, "</text>");
    }
    /* the colour bar: 20 steps from +1 (top) to -1 */
    double bx = left + side + 16.0;
    for (int k = 0; k < 20; k++) {
        heat_colour(1.0 - (k + 0.5) / 10.0, col, sizeof col);
        wn__buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"%s\"/>",
                       cl(bx), cl(top + k * side / 20.0), cl(side / 20.0 + 0.05), col);
    }
    wn__buf_printf(b,
                   "<text x=\"%.1f\" y=\"%.1f\">1</text><text x=\"%.1f\" y=\"%.1f\">0</text>"
                   "<text x=\"%.1f\" y=\"%.1f\">-1</text></g>",
                   cl(bx + 16.0), cl(top + 10.0), cl(bx + 16.0), cl(top + side / 2.0 + 4.0),
                   cl(bx + 16.0), cl(top + side));
}
