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

#endif
