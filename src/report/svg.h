/* svg.h — small, dependency-free plots as inline SVG text (private).
 *
 * The run report (report.c) draws every panel with these: one plot = one
 * <svg> element with a viewBox (so it scales to any width, phone included),
 * axes with "nice" ticks (1-2-5 steps; decades on log axes with 10^k
 * labels), axis labels, a title, a legend, and series of a few kinds.
 * Text is escaped; numbers are printed with %.4g; NaN/inf points are skipped.
 *
 *     wn__plot *p = wn__plot_new("ROC", "signal efficiency", "background rejection");
 *     wn__plot_axis(p, 'y', WN__AXIS_LOG, 0, 0);           // 0,0: range from data
 *     wn__plot_line(p, "BDT", x, y, n, 0);
 *     wn__buf b = {0};
 *     wn__plot_render(p, 640, 400, &b);                   // appends "<svg ...>...</svg>"
 *     wn__plot_free(p);
 *
 * Series keep copies of their data. Colours come from a fixed palette in
 * series order (colour-blind safe: Okabe-Ito), or are chosen by index. */
#ifndef WN_REPORT_SVG_H
#define WN_REPORT_SVG_H

#include "core.h"

/* A growing text buffer (NUL-terminated while len > 0). */
typedef struct wn__buf {
    char *s;
    size_t len, cap;
    int oom; /* set when an append failed: the text is then incomplete */
} wn__buf;

void wn__buf_puts(wn__buf *b, const char *s);
void wn__buf_printf(wn__buf *b, const char *fmt, ...) WN__PRINTF(2, 3);
/* Appends s with & < > " ' escaped for HTML/SVG text and attributes. */
void wn__buf_escape(wn__buf *b, const char *s);
void wn__buf_free(wn__buf *b);

typedef enum wn__axis_scale { WN__AXIS_LINEAR = 0, WN__AXIS_LOG = 1 } wn__axis_scale;

typedef struct wn__plot wn__plot;

/* title/xlabel/ylabel may be NULL. NULL on allocation failure. */
wn__plot *wn__plot_new(const char *title, const char *xlabel, const char *ylabel);
void wn__plot_free(wn__plot *p);

/* Axis 'x' or 'y': scale and range; lo == hi means "from the data" (with a
 * small margin on linear axes; log axes use the positive data only). */
void wn__plot_axis(wn__plot *p, char axis, wn__axis_scale scale, double lo, double hi);

/* Series. name (legend; NULL = not in the legend). colour: -1 = next in the
 * palette, else a palette index. Each returns 0, or -1 on allocation failure
 * (then the plot is unchanged). */
int wn__plot_line(wn__plot *p, const char *name, const double *x, const double *y, int64_t n,
                  int colour);
/* Markers with vertical error bars (yerr may be NULL). */
int wn__plot_points(wn__plot *p, const char *name, const double *x, const double *y,
                    const double *yerr, int64_t n, int colour);
/* A histogram: nbins bins between edges[0..nbins], heights h[nbins];
 * filled (translucent area) or outline (step line). */
int wn__plot_hist(wn__plot *p, const char *name, const double *edges, const double *h,
                  int64_t nbins, int filled, int colour);
/* Horizontal bars, one per label, top to bottom, with optional error bars
 * (err may be NULL): importance plots. The y axis shows the labels. */
int wn__plot_hbars(wn__plot *p, const char *name, const char *const *labels, const double *v,
                   const double *err, int64_t n, int colour);
/* A heatmap of an n x n matrix (row-major) with labels on both axes and a
 * diverging colour scale on [-1, 1] (correlation matrices); values printed
 * in the cells when n <= 12. */
int wn__plot_heatmap(wn__plot *p, const char *const *labels, const double *m, int64_t n);
/* Maps (svg_map.c), for the unsupervised reports. Each adds one series that
 * owns the plot's data area (use one per plot; axes still come from
 * wn__plot_axis / the data). Return 0, or -1 on allocation failure.
 *
 * Points coloured by category: x[n], y[n], cat[n] in 0..ncat-1 (negative:
 * not drawn); names[ncat] label the legend (NULL: "0", "1", ...). At most
 * max_points are drawn, thinned deterministically (every k-th point of each
 * category, so small categories keep their points), as small translucent
 * circles, so a million events still make a small SVG. */
int wn__plot_scatter(wn__plot *p, const double *x, const double *y, const int32_t *cat, int64_t n,
                     const char *const *names, int ncat, int64_t max_points);
/* A 2-D histogram as a density map: counts[iy * nx + ix] over the box
 * [x0, x1] x [y0, y1] (iy = 0 at the bottom), a sequential colour scale
 * (light to dark, colour-blind safe) with a small colour bar; log_scale
 * colours by log10(1 + count). Empty cells are not drawn. */
int wn__plot_density(wn__plot *p, const double *counts, int nx, int ny, double x0, double x1,
                     double y0, double y1, int log_scale);
/* A rows x cols matrix (row-major) as coloured cells with row labels on
 * the left and column labels below (rotated when long): diverging colour
 * scale symmetric about 0 (range +-max|v|) or sequential (min..max); the
 * value printed in each cell when rows * cols <= 150. NaN cells grey. */
int wn__plot_matrix(wn__plot *p, const char *const *row_labels, const char *const *col_labels,
                    const double *v, int64_t rows, int64_t cols, int diverging);
/* A grid map (SOM U-matrix, hit map): v[r * cols + c] per cell, drawn as
 * squares (hex = 0) or hexagons (hex = 1: odd rows shifted right by half a
 * cell, rows sqrt(3)/2 apart), sequential colour with a colour bar; NaN
 * cells grey. Row 0 at the top. No axes are drawn for it. */
int wn__plot_grid(wn__plot *p, const double *v, int rows, int cols, int hex);

/* A horizontal or vertical reference line (diagonal for calibration: use a
 * line series instead). */
int wn__plot_refline(wn__plot *p, char axis, double at, const char *name);

/* Appends the plot as one <svg viewBox="0 0 w h" ...> element with a <title>
 * (for screen readers and the report's tests). Deterministic text. */
void wn__plot_render(const wn__plot *p, int w, int h, wn__buf *out);

/* Nice ticks for [lo, hi] (lo < hi): at most max_ticks values at a 1-2-5
 * step covering the range, written to ticks[]; returns the count. Exposed
 * for the tests. */
int wn__nice_ticks(double lo, double hi, int max_ticks, double *ticks);

#endif
