/* csv.c — STUB, replaced by the CSV reader/writer work. */
#include "core.h"
void wn_csv_options_default(wn_csv_options *o) { (void)o; }
wn_status wn_table_read_csv(const char *path, const wn_csv_options *o, wn_table **out)
{ (void)o; (void)out; return wn__fail(WN_EIO, "%s: CSV reader not built yet", path); }
wn_status wn_table_write_csv(const wn_table *t, const char *path)
{ (void)t; return wn__fail(WN_EIO, "%s: CSV writer not built yet", path); }
