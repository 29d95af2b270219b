/* eval_internal.h — helpers shared by the trust checks that work on a
 * private copy of a table's columns (trust.c, stability.c). Private. */
#ifndef WN_EVAL_INTERNAL_H
#define WN_EVAL_INTERNAL_H

#include "core.h"

/* Copies the column `name` of t (its logical rows: views work) into a new
 * column of `copy` named like it, unless `copy` has it already; *nc gets its
 * index in `copy`. buf: scratch of nrows(t) floats. WN_ENOTFOUND reads
 * "WHO: the WHAT column 'NAME' is not in the table". */
wn_status wn__eval_copy_named(wn_table *copy, const wn_table *t, const char *name, const char *what,
                              const char *who, float *buf, int64_t *nc);

/* Rows sorted ascending by (value, row): the order every rank-based figure
 * (AUC, ROC curve, KS) walks; -0.0 and 0.0 compare equal, so they share a
 * group. NULL when out of memory (no message set). Released with wn_free. */
typedef struct wn__ranked {
    double v;
    int64_t row;
} wn__ranked;
wn__ranked *wn__eval_rank(const double *v, int64_t n);

/* Row i of a binary sample: the label must be 0 or 1 (WN_EFORMAT) and the
 * weight, when w is given, finite (WN_ENUMERIC); messages start with fn and
 * name the 1-based row. */
wn_status wn__eval_check_binary_row(const char *fn, const float *y, const float *w, int64_t i);

#endif
