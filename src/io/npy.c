/* npy.c — STUB, replaced by the NPY reader/writer work. */
#include "core.h"
wn_status wn_table_read_npy(const char *path, wn_table **out)
{ (void)out; return wn__fail(WN_EIO, "%s: NPY reader not built yet", path); }
wn_status wn_table_write_npy(const wn_table *t, const char *path, wn_npy_layout layout)
{ (void)t; (void)layout; return wn__fail(WN_EIO, "%s: NPY writer not built yet", path); }
