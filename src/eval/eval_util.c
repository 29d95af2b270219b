/* eval_util.c — helpers shared by the trust checks (eval_internal.h). */
#include "eval_internal.h"

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
