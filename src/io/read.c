/* read.c — choose a reader or writer by file extension. */
#include "core.h"

#include <string.h>
#include <strings.h>

static const char *ext_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    if (!dot || (slash && dot < slash))
        return "";
    return dot + 1;
}

static int is_csv_ext(const char *e)
{
    static const char *const names[] = {"csv", "tsv", "txt", "dat", "data", "tab"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(e, names[i]))
            return 1;
    return 0;
}

wn_status wn_table_read(const char *path, const wn_csv_options *o, wn_table **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "read: path or out is NULL");
    const char *e = ext_of(path);
    if (!strcasecmp(e, "npy"))
        return wn_table_read_npy(path, out);
    if (is_csv_ext(e) || !*e) {
        wn_csv_options d;
        if (!o) {
            wn_csv_options_default(&d);
            o = &d;
        }
        return wn_table_read_csv(path, o, out);
    }
    return wn__fail(WN_EINVAL,
                    "%s: unknown file type '.%s' (winnow reads .csv .tsv .txt .dat .data and .npy)",
                    path, e);
}

wn_status wn_table_write(const wn_table *t, const char *path)
{
    if (!t || !path)
        return wn__fail(WN_EINVAL, "write: table or path is NULL");
    const char *e = ext_of(path);
    if (!strcasecmp(e, "npy"))
        return wn_table_write_npy(t, path, WN_NPY_STRUCTURED);
    if (!strcasecmp(e, "csv"))
        return wn_table_write_csv(t, path);
    return wn__fail(WN_EINVAL, "%s: unknown output type '.%s' (winnow writes .csv and .npy)",
                    path, e);
}
