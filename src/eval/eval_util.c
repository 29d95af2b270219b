/* eval_util.c — helpers shared by the trust checks (eval_internal.h). */
#include "eval_internal.h"

#include <math.h>
#include <stdlib.h>

wn_status wn__eval_copy_named(wn_table *copy, const wn_table *t, const char *name, const char *what,
                              const char *who, float *buf, int64_t *nc)
{
    int64_t c;
    if (wn_table_find(copy, name, nc) == WN_OK)
        return WN_OK;
    if (wn_table_find(t, name, &c) != WN_OK)
        return wn__fail(WN_ENOTFOUND, "%s: the %s column '%s' is not in the table", who, what,
                        name);
    wn_table_gather(t, c, buf);
    wn_status st = wn_table_add_column(copy, wn_table_name(t, c), buf);
    if (st == WN_OK)
        *nc = wn_table_ncols(copy) - 1;
    return st;
}

static int cmp_ranked(const void *a, const void *b)
{
    const wn__ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

wn__ranked *wn__eval_rank(const double *v, int64_t n)
{
    wn__ranked *r = wn__malloc_array((size_t)(n > 0 ? n : 1), sizeof *r);
    if (!r)
        return NULL;
    for (int64_t i = 0; i < n; i++) {
        r[i].v = v[i];
        r[i].row = i;
    }
    qsort(r, (size_t)n, sizeof *r, cmp_ranked);
    return r;
}

wn_status wn__eval_check_binary_row(const char *fn, const float *y, const float *w, int64_t i)
{
    char v[32];
    if (y[i] != 0.0f && y[i] != 1.0f) {
        wn__format_float(v, y[i]);
        return wn__fail(WN_EFORMAT, "%s: label of row %lld is %s, must be 0 or 1", fn,
                        (long long)(i + 1), v);
    }
    if (w && !isfinite(w[i])) {
        wn__format_float(v, w[i]);
        return wn__fail(WN_ENUMERIC, "%s: weight of row %lld is %s", fn, (long long)(i + 1), v);
    }
    return WN_OK;
}
