/* report_internal.h — what report.c (assembly, importance, learning curves,
 * manifest) and report_panels.c (the panels judging predictions on held-out
 * rows) share (private). */
#ifndef WN_REPORT_INTERNAL_H
#define WN_REPORT_INTERNAL_H

#include "svg.h"

/* One report in the making. Panels append to `body`, checks to `verd`; an
 * allocation failure anywhere sets `oom` (the report then fails with
 * WN_ENOMEM rather than being written incomplete). */
typedef struct wn__rep {
    const wn_model *m;
    const wn_table *train, *test;
    wn_report_options o;
    wn_objective obj;
    int nout;       /* model outputs: 1, or the number of classes        */
    int64_t nf;     /* model features                                    */
    int64_t *order; /* features by gain, largest first                   */
    double *gain;   /* gain per feature (model order)                    */
    /* labels, weights (NULL = unweighted) and predictions (WN_PREDICT_VALUE,
     * n * nout) of the test and training rows; n = 0 when absent */
    int64_t nt, ntr;
    float *yt, *wt, *ytr, *wtr;
    double *pt, *ptr;
    wn__buf body, verd;
    int oom;
} wn__rep;

/* Helpers (report.c). */
void wn__rep_panel_open(wn__rep *r, const char *id, const char *title, int wide);
void wn__rep_panel_close(wn__rep *r);
/* A check's outcome in the verdicts box: kind "pass", "warn" or "info".
 * The text is escaped. */
void wn__rep_verdict(wn__rep *r, const char *kind, const char *fmt, ...) WN__PRINTF(3, 4);
/* A paragraph (class "note" or "caption") with escaped text. */
void wn__rep_para(wn__rep *r, const char *cls, const char *fmt, ...) WN__PRINTF(3, 4);
/* Renders and frees p (NULL = out of memory) into the body. */
void wn__rep_plot(wn__rep *r, wn__plot *p, int w, int h);
/* %.4g of v into buf (32 bytes), or "n/a" when v is not finite. */
const char *wn__rep_num(char *buf, double v);
/* At most o.max_rows rows of t drawn by the counter RNG (*out = NULL: use
 * t as it is; otherwise a view to free). */
wn_status wn__rep_sample(const wn__rep *r, const wn_table *t, wn_table **out);
/* The same, and *rows (wn_free) the sampled rows of t in order (NULL with
 * *out NULL: every row). */
wn_status wn__rep_sample_rows(const wn__rep *r, const wn_table *t, wn_table **out, int64_t **rows);
/* order[0..n-1] = indices sorting v descending, ties by index, non-finite
 * values last (report.c). 0, or -1 when out of memory. */
int wn__rep_rank_desc(const double *v, int64_t n, int64_t *order);
/* A JSON text re-indented and escaped for a <pre> block. */
void wn__rep_json_pretty(wn__buf *b, const char *js);
/* The display name of class k of the label ("background (0)" ...). */
void wn__rep_class_name(const wn__rep *r, int k, char *buf, size_t size);

/* Writes the page (page.c): title, the meta line under it, the verdicts
 * (no_verdicts when there are none), links to every panel, the body and a
 * footer, atomically to path. WN_ENOMEM when any part ran out of memory. */
wn_status wn__rep_write_page(const wn__rep *r, const char *title, const char *meta,
                             const char *no_verdicts, const char *path);

/* Panels (report_panels.c). Each returns WN_OK, or WN_ENOMEM; any other
 * failure of a computation becomes a note in its panel. */
wn_status wn__rep_roc(wn__rep *r);
wn_status wn__rep_output(wn__rep *r);
wn_status wn__rep_leak(wn__rep *r);
wn_status wn__rep_calibration(wn__rep *r);
wn_status wn__rep_inputs(wn__rep *r);
wn_status wn__rep_correlation(wn__rep *r);
wn_status wn__rep_residuals(wn__rep *r);
wn_status wn__rep_stability(wn__rep *r);
/* report_trust.c: an ensemble's members, the decoy test. */
wn_status wn__rep_ensemble(wn__rep *r);
wn_status wn__rep_decoy(wn__rep *r);
/* report_classes.c: multiclass and regression models. */
wn_status wn__rep_multiclass(wn__rep *r);
wn_status wn__rep_regression(wn__rep *r);

/* wn_gbdt_stability plus every |output change| (sorted, wn_free), for the
 * stability panel's histogram (src/eval/stability.c). */
wn_status wn__gbdt_stability_changes(const wn_model *m, const wn_table *t, const double *resolution,
                                     int repeats, uint64_t seed, int threads, wn_stability *out,
                                     double **changes, int64_t *nchanges);

#endif
