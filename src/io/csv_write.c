/* csv_write.c — the CSV writer.
 *
 * Writes a header of column names and the table's logical rows (so a view
 * writes just its rows), comma-separated, LF line ends. Numbers use the
 * shortest text that reads back to the same float (wn__format_float), NaN is
 * an empty cell, +-inf are "inf"/"-inf" (which the reader accepts), and a
 * categorical column writes its level text. Names and levels are quoted
 * (RFC 4180, "" for a quote) when they hold a comma, quote, line break,
 * leading/trailing blank, or start with the comment character '#'.
 *
 * Rows are assembled in a 64 KiB buffer and handed to fwrite in blocks; the
 * file is written through wn__write_atomic, so a failed write leaves any old
 * file in place. */
#include "csv_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct wbuf {
    FILE *f;
    char b[65536];
    size_t n;
    int err;
} wbuf;

static void wflush(wbuf *w)
{
    if (w->n && fwrite(w->b, 1, w->n, w->f) != w->n)
        w->err = 1;
    w->n = 0;
}

static void wput(wbuf *w, const char *s, size_t n)
{
    while (n) {
        if (w->n == sizeof w->b)
            wflush(w);
        size_t k = sizeof w->b - w->n;
        if (k > n)
            k = n;
        memcpy(w->b + w->n, s, k);
        w->n += k;
        s += k;
        n -= k;
    }
}

static void wchar(wbuf *w, char c)
{
    if (w->n == sizeof w->b)
        wflush(w);
    w->b[w->n++] = c;
}

static void wtext(wbuf *w, const char *s)
{
    size_t n = strlen(s);
    int q = n == 0 || s[0] == ' ' || s[0] == '\t' || s[0] == '#' || s[n - 1] == ' ' ||
            s[n - 1] == '\t' || strpbrk(s, ",\"\r\n") != NULL;
    if (!q) {
        wput(w, s, n);
        return;
    }
    wchar(w, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            wchar(w, '"');
        wchar(w, *p);
    }
    wchar(w, '"');
}

typedef struct wctx {
    const wn_table *t;
    const char *path;
} wctx;

static wn_status write_rows(void *ctxp, void *file)
{
    const wctx *x = ctxp;
    const wn_table *t = x->t;
    wbuf *w = wn__malloc(sizeof *w);
    if (!w)
        return wn__oom("write buffer");
    w->f = file;
    w->n = 0;
    w->err = 0;
    int64_t nc = wn_table_ncols(t), nr = wn_table_nrows(t);
    for (int64_t c = 0; c < nc; c++) {
        if (c)
            wchar(w, ',');
        wtext(w, wn_table_name(t, c));
    }
    wchar(w, '\n');
    char num[32];
    for (int64_t r = 0; r < nr && !w->err; r++) {
        for (int64_t c = 0; c < nc; c++) {
            if (c)
                wchar(w, ',');
            float v = wn_table_get(t, r, c);
            if (isnan(v)) {
                if (nc == 1) /* an empty line would read back as no row */
                    wput(w, "\"\"", 2);
                continue;
            }
            if (wn_table_nlevels(t, c) > 0 && v >= 0 && v == floorf(v)) {
                const char *lv = wn_table_level(t, c, (int64_t)v);
                if (lv) {
                    wtext(w, lv);
                    continue;
                }
            }
            int k = wn__format_float(num, v);
            wput(w, num, (size_t)k);
        }
        wchar(w, '\n');
    }
    wflush(w);
    int err = w->err;
    wn_free(w);
    if (err)
        return wn__fail(WN_EIO, "%s: write failed (disk full?)", x->path);
    return WN_OK;
}

wn_status wn_table_write_csv(const wn_table *t, const char *path)
{
    if (!t || !path)
        return wn__fail(WN_EINVAL, "write_csv: table or path is NULL");
    if (wn_table_ncols(t) == 0)
        return wn__fail(WN_EINVAL, "%s: the table has no columns to write", path);
    wctx x = {t, path};
    return wn__write_atomic(path, write_rows, &x);
}
