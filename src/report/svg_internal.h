/* svg_internal.h — what svg.c (plot, axes, layout) and svg_series.c (the
 * marks of each series kind, legend, heatmap) share. Private to src/report. */
#ifndef WN_REPORT_SVG_INTERNAL_H
#define WN_REPORT_SVG_INTERNAL_H

#include "svg.h"

#include <math.h>

enum { S_LINE, S_POINTS, S_HIST, S_HBARS, S_HEAT, S_REF, S_SCAT, S_DENS, S_MAT, S_GRID };

typedef struct svg_series {
    int kind, colour, filled;
    char axis; /* refline */
    double at; /* refline */
    char *name;
    int64_t n;         /* points, bins, bars, or the heatmap's side */
    double *x, *y, *e; /* x: edges (hist); y: values or matrix; e: errors */
    char **lab;        /* hbars and heatmap: n labels; matrix: row labels */
    /* maps (svg_map.c): scatter, density, matrix, grid */
    int64_t rows, cols; /* matrix, grid; density ny, nx; scatter: cols categories */
    int64_t *off;       /* scatter: off[j] the first kept point of draw slot j (cols + 1,
                           largest category first), off[cols + 1 + j] the slot's category */
    char **lab2;        /* matrix: cols column labels; scatter: cols legend names */
    double box[6];      /* data box for the axes: x lo hi, y lo hi, smallest positive x, y */
    int diverging, hex, log_scale;
} svg_series;

struct wn__plot {
    char *title, *xlabel, *ylabel;
    struct {
        int log;
        double lo, hi;
    } ax[2];
    svg_series *s;
    int ns, next_colour;
};

/* Okabe-Ito, in series order */
extern const char *const wn__svg_palette[8];

typedef struct svg_axis {
    int log;
    double lo, hi, llo, lhi; /* range, and its log10 on log axes */
    double p0, p1;           /* viewBox coordinates of lo and hi */
    int nt;
    double t[64];
    int sup[64]; /* tick k is 10^sup[k] (log decades); INT32_MIN otherwise */
} svg_axis;

static inline double amap(const svg_axis *a, double v)
{
    double f = a->log ? (log10(v) - a->llo) / (a->lhi - a->llo) : (v - a->lo) / (a->hi - a->lo);
    return a->p0 + f * (a->p1 - a->p0);
}

static inline int ok_on(const svg_axis *a, double v)
{
    return isfinite(v) && (!a->log || v > 0.0);
}

/* A coordinate for the text: clamped far outside the view (the nested
 * viewport clips), rounded to 0.1 unit, never "-0.0". */
static inline double cl(double v)
{
    v = v < -1e5 ? -1e5 : v > 1e5 ? 1e5 : v;
    v = round(v * 10.0) / 10.0;
    return v == 0.0 ? 0.0 : v;
}

/* Characters (UTF-8 lead bytes) in s, for width estimates. */
static inline int text_chars(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80; /* UTF-8 lead bytes */
    return n;
}

/* Appends s, escaped, cut to at most `max` characters (with "…"). */
void wn__svg_put_label(wn__buf *b, const char *s, int max);

/* The marks of one series in the plot area of axes ax, ay (svg_series.c). */
void wn__svg_line(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay);
void wn__svg_points(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay);
void wn__svg_hist(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay);
void wn__svg_ref(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay);
/* Bars of the k-th of m hbars series, category i in [top + i band, +band). */
void wn__svg_hbars(wn__buf *b, const svg_series *s, const svg_axis *ax, double top, double band,
                   int64_t ncat, int k, int m);
/* The legend of the named series, in the plot area's top-right corner, or
 * its top-left when fewer data marks lie there. */
void wn__svg_legend(const wn__plot *p, wn__buf *b, const svg_axis *ax, const svg_axis *ay);
/* A whole heatmap panel below `top` in a W x H view. */
void wn__svg_heatmap(wn__buf *b, const svg_series *s, double W, double H, double top);
/* The heatmap's diverging colour of v in [-1, 1] as "#RRGGBB"; grey for NaN. */
void wn__svg_diverging(double v, char *out, size_t n);

/* Shared with svg_map.c: svg.c's %.4g number format, and its series append
 * (takes s, freeing it on failure; 0 or -1). */
void wn__svg_fmt_num(char *out, size_t n, double v);
int wn__svg_add(wn__plot *p, svg_series *s, int colour, int bad);

/* Maps (svg_map.c). Frees what only map series own. */
void wn__svg_map_free(svg_series *s);
/* Extra room right of the x-y plot area the map series need (colour bar). */
double wn__svg_map_right(const wn__plot *p);
/* Marks inside the plot area: scatter points, density cells. */
void wn__svg_scatter(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay);
void wn__svg_density(wn__buf *b, const svg_series *s, const svg_axis *ax, const svg_axis *ay);
/* What goes right of the plot area: the density colour bar. */
void wn__svg_map_after(wn__buf *b, const wn__plot *p, const svg_axis *ax, const svg_axis *ay);
/* A whole matrix or grid panel below `top` in a W x H view. */
void wn__svg_map_panel(wn__buf *b, const svg_series *s, double W, double H, double top);
/* Scatter legend: the rows it takes when `room` rows are free (widening *w
 * to its widest name), the rows themselves from legend row k, and the kept
 * points inside a box (for the legend's placement). */
int wn__svg_scatter_rows(const svg_series *s, int room, int *w);
void wn__svg_scatter_legend(wn__buf *b, const svg_series *s, int rows, double x0, double y0, int k);
int64_t wn__svg_scatter_in(const svg_series *s, const svg_axis *ax, const svg_axis *ay, double x0,
                           double x1, double y0, double y1);

#endif
