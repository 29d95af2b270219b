/* table.c — the columnar table and its row views.
 *
 * Columns are contiguous float32 arrays (NaN = missing) because every method
 * scans a feature at a time: histogram building, quantiles, moments. The
 * arrays live in a reference-counted store shared by a table and its views;
 * a view owns only its metadata and a row index list, so selecting the
 * training rows of a fold or a bootstrap sample costs 8 bytes a row, not a
 * copy of the data. Metadata (names, roles, categorical levels) is per table,
 * so a view may give a column another role than its parent does. */
#include "core.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

typedef struct store {
    _Atomic int64_t refs;
    int64_t n, cap;
    float **arrays;
} store;

typedef struct column {
    float *data; /* physical storage, in the store */
    char *name;
    wn_role role;
    int64_t nlevels;
    char **levels;
} column;

struct wn_table {
    store *st;
    int64_t nrows;
    int64_t *rows; /* NULL for a base table */
    int64_t ncols, cap;
    column *cols;
    int64_t *index; /* open-addressing hash of names → column, -1 = empty */
    int64_t index_cap; /* a power of two, >= 2 * ncols, or 0 */
};

/* FNV-1a: short names, no adversary worth more here. */
static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int64_t index_lookup(const wn_table *t, const char *name)
{
    if (!t->index_cap)
        return -1;
    uint64_t mask = (uint64_t)t->index_cap - 1;
    for (uint64_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
        int64_t c = t->index[i];
        if (c < 0)
            return -1;
        if (strcmp(t->cols[c].name, name) == 0)
            return c;
    }
}

static void index_put(wn_table *t, int64_t c)
{
    uint64_t mask = (uint64_t)t->index_cap - 1;
    uint64_t i = name_hash(t->cols[c].name) & mask;
    while (t->index[i] >= 0)
        i = (i + 1) & mask;
    t->index[i] = c;
}

/* Makes room for one more name, growing (and rebuilding) the index. */
static wn_status index_reserve(wn_table *t, int64_t ncols)
{
    if (2 * ncols <= t->index_cap)
        return WN_OK;
    int64_t cap = t->index_cap ? t->index_cap : 16;
    while (cap < 2 * ncols)
        cap *= 2;
    int64_t *ix = wn__malloc_array((size_t)cap, sizeof *ix);
    if (!ix)
        return wn__oom("column name index");
    for (int64_t i = 0; i < cap; i++)
        ix[i] = -1;
    wn_free(t->index);
    t->index = ix;
    t->index_cap = cap;
    for (int64_t c = 0; c < t->ncols; c++)
        index_put(t, c);
    return WN_OK;
}

static void store_release(store *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    for (int64_t i = 0; i < s->n; i++)
        wn_free(s->arrays[i]);
    wn_free(s->arrays);
    wn_free(s);
}

static void free_levels(column *c)
{
    for (int64_t k = 0; k < c->nlevels; k++)
        wn_free(c->levels[k]);
    wn_free(c->levels);
    c->levels = NULL;
    c->nlevels = 0;
}

wn_status wn_table_create(int64_t nrows, wn_table **out)
{
    if (nrows < 0)
        return wn__fail(WN_EINVAL, "table rows must be >= 0, got %lld", (long long)nrows);
    if ((uint64_t)nrows > SIZE_MAX / sizeof(float) / 2)
        return wn__fail(WN_ENOMEM, "table of %lld rows is too large for this machine",
                        (long long)nrows);
    wn_table *t = wn__calloc(1, sizeof *t);
    store *s = wn__calloc(1, sizeof *s);
    if (!t || !s) {
        wn_free(t);
        wn_free(s);
        return wn__oom("table");
    }
    atomic_init(&s->refs, 1);
    t->st = s;
    t->nrows = nrows;
    *out = t;
    return WN_OK;
}

void wn_table_free(wn_table *t)
{
    if (!t)
        return;
    for (int64_t c = 0; c < t->ncols; c++) {
        wn_free(t->cols[c].name);
        free_levels(&t->cols[c]);
    }
    wn_free(t->cols);
    wn_free(t->index);
    wn_free(t->rows);
    store_release(t->st);
    wn_free(t);
}

static wn_status check_name(const wn_table *t, const char *name)
{
    if (!name || !name[0])
        return wn__fail(WN_EINVAL, "column name must not be empty");
    if (strlen(name) > WN_MAX_NAME)
        return wn__fail(WN_EINVAL, "column name longer than %d bytes", WN_MAX_NAME);
    int64_t c = index_lookup(t, name);
    if (c >= 0)
        return wn__fail(WN_EINVAL, "duplicate column name '%s' (columns %lld and %lld)", name,
                        (long long)c + 1, (long long)t->ncols + 1);
    return WN_OK;
}

wn_status wn__table_adopt_column(wn_table *t, const char *name, float *data)
{
    if (t->rows)
        return wn__fail(WN_EINVAL, "cannot add a column to a row view");
    if (t->ncols >= WN_MAX_COLUMNS)
        return wn__fail(WN_ENOMEM, "more than %d columns", WN_MAX_COLUMNS);
    wn_status s = check_name(t, name);
    if (s)
        return s;
    if ((s = index_reserve(t, t->ncols + 1)) != WN_OK)
        return s;
    store *st = t->st;
    if (t->ncols == t->cap) {
        int64_t nc = t->cap ? t->cap * 2 : 8;
        column *cols = wn__realloc_array(t->cols, (size_t)nc, sizeof *cols);
        if (!cols)
            return wn__oom("column list");
        t->cols = cols;
        t->cap = nc;
    }
    if (st->n == st->cap) {
        int64_t nc = st->cap ? st->cap * 2 : 8;
        float **a = wn__realloc_array(st->arrays, (size_t)nc, sizeof *a);
        if (!a)
            return wn__oom("column store");
        st->arrays = a;
        st->cap = nc;
    }
    char *nm = wn__strdup(name);
    if (!nm)
        return wn__oom("column name");
    st->arrays[st->n++] = data;
    column *c = &t->cols[t->ncols++];
    memset(c, 0, sizeof *c);
    c->data = data;
    c->name = nm;
    c->role = WN_ROLE_FEATURE;
    index_put(t, t->ncols - 1);
    return WN_OK;
}

wn_status wn_table_add_column(wn_table *t, const char *name, const float *data)
{
    if (!t)
        return wn__fail(WN_EINVAL, "table is NULL");
    float *d = wn__malloc_array((size_t)t->nrows, sizeof(float));
    if (!d)
        return wn__oom("column data");
    if (data)
        memcpy(d, data, (size_t)t->nrows * sizeof(float));
    else
        for (int64_t i = 0; i < t->nrows; i++)
            d[i] = NAN;
    wn_status s = wn__table_adopt_column(t, name, d);
    if (s)
        wn_free(d);
    return s;
}

int64_t wn_table_nrows(const wn_table *t) { return t ? t->nrows : 0; }
int64_t wn_table_ncols(const wn_table *t) { return t ? t->ncols : 0; }

const char *wn_table_name(const wn_table *t, int64_t c)
{
    return (t && c >= 0 && c < t->ncols) ? t->cols[c].name : NULL;
}

wn_status wn_table_find(const wn_table *t, const char *name, int64_t *col)
{
    if (!t || !name)
        return wn__fail(WN_EINVAL, "table or name is NULL");
    int64_t hit = index_lookup(t, name);
    if (hit >= 0) {
        *col = hit;
        return WN_OK;
    }
    /* help the user: a case-insensitive match, else the list of names */
    for (int64_t c = 0; c < t->ncols; c++) {
        const char *a = t->cols[c].name, *b = name;
        while (*a && *b && (*a | 32) == (*b | 32)) {
            a++;
            b++;
        }
        if (!*a && !*b)
            return wn__fail(WN_ENOTFOUND, "no column named '%s' (did you mean '%s'?)", name,
                            t->cols[c].name);
    }
    char list[512];
    size_t off = 0;
    list[0] = 0;
    for (int64_t c = 0; c < t->ncols && off < sizeof list - 8; c++) {
        int k = snprintf(list + off, sizeof list - off, "%s%s", c ? ", " : "", t->cols[c].name);
        if (k < 0 || (size_t)k >= sizeof list - off) {
            snprintf(list + off, sizeof list - off, " ...");
            break;
        }
        off += (size_t)k;
    }
    return wn__fail(WN_ENOTFOUND, "no column named '%s'; columns are: %s", name, list);
}

const char *wn_role_name(wn_role r)
{
    switch (r) {
    case WN_ROLE_FEATURE: return "feature";
    case WN_ROLE_LABEL: return "label";
    case WN_ROLE_WEIGHT: return "weight";
    case WN_ROLE_ID: return "id";
    case WN_ROLE_IGNORED: return "ignored";
    }
    return "unknown";
}

wn_role wn_table_role(const wn_table *t, int64_t c)
{
    return (t && c >= 0 && c < t->ncols) ? t->cols[c].role : WN_ROLE_IGNORED;
}

wn_status wn_table_set_role(wn_table *t, int64_t c, wn_role r)
{
    if (!t || c < 0 || c >= t->ncols)
        return wn__fail(WN_EINVAL, "column index %lld out of range", (long long)c);
    if ((int)r < 0 || r > WN_ROLE_IGNORED)
        return wn__fail(WN_EINVAL, "unknown role %d", (int)r);
    t->cols[c].role = r;
    return WN_OK;
}

int64_t wn_table_role_column(const wn_table *t, wn_role r)
{
    for (int64_t c = 0; t && c < t->ncols; c++)
        if (t->cols[c].role == r)
            return c;
    return -1;
}

const float *wn_table_column(const wn_table *t, int64_t c)
{
    return (t && c >= 0 && c < t->ncols) ? t->cols[c].data : NULL;
}

float *wn_table_column_mut(wn_table *t, int64_t c)
{
    return (t && !t->rows && c >= 0 && c < t->ncols) ? t->cols[c].data : NULL;
}

const int64_t *wn_table_rows(const wn_table *t) { return t ? t->rows : NULL; }

float wn_table_get(const wn_table *t, int64_t r, int64_t c)
{
    const float *d = t->cols[c].data;
    return t->rows ? d[t->rows[r]] : d[r];
}

void wn_table_gather(const wn_table *t, int64_t c, float *dst)
{
    const float *d = t->cols[c].data;
    if (!t->rows) {
        memcpy(dst, d, (size_t)t->nrows * sizeof(float));
        return;
    }
    for (int64_t i = 0; i < t->nrows; i++)
        dst[i] = d[t->rows[i]];
}

static wn_status copy_levels(column *dst, const column *src)
{
    dst->levels = NULL;
    dst->nlevels = 0;
    if (!src->nlevels)
        return WN_OK;
    dst->levels = wn__calloc((size_t)src->nlevels, sizeof(char *));
    if (!dst->levels)
        return wn__oom("levels");
    for (int64_t k = 0; k < src->nlevels; k++) {
        dst->levels[k] = wn__strdup(src->levels[k]);
        if (!dst->levels[k]) {
            dst->nlevels = k;
            free_levels(dst);
            return wn__oom("levels");
        }
    }
    dst->nlevels = src->nlevels;
    return WN_OK;
}

wn_status wn_table_view_rows(const wn_table *t, const int64_t *rows, int64_t n, wn_table **out)
{
    if (!t || (n > 0 && !rows) || n < 0)
        return wn__fail(WN_EINVAL, "view: bad arguments (table %p, %lld rows)", (const void *)t,
                        (long long)n);
    for (int64_t i = 0; i < n; i++)
        if (rows[i] < 0 || rows[i] >= t->nrows)
            return wn__fail(WN_EINVAL, "view: row index %lld at position %lld is outside 0..%lld",
                            (long long)rows[i], (long long)i, (long long)t->nrows - 1);
    wn_table *v = wn__calloc(1, sizeof *v);
    if (!v)
        return wn__oom("view");
    v->rows = wn__malloc_array((size_t)n, sizeof(int64_t));
    v->cols = wn__calloc((size_t)(t->ncols ? t->ncols : 1), sizeof(column));
    if (!v->rows || !v->cols) {
        wn_free(v->rows);
        wn_free(v->cols);
        wn_free(v);
        return wn__oom("view");
    }
    for (int64_t i = 0; i < n; i++)
        v->rows[i] = t->rows ? t->rows[rows[i]] : rows[i];
    v->nrows = n;
    v->cap = t->ncols;
    v->st = t->st;
    atomic_fetch_add(&t->st->refs, 1);
    for (int64_t c = 0; c < t->ncols; c++) {
        column *d = &v->cols[c];
        const column *s = &t->cols[c];
        d->data = s->data;
        d->role = s->role;
        d->name = wn__strdup(s->name);
        if (!d->name || copy_levels(d, s) != WN_OK) {
            wn_free(d->name);
            v->ncols = c;
            wn_table_free(v);
            return wn__oom("view");
        }
        v->ncols = c + 1;
    }
    if (index_reserve(v, v->ncols) != WN_OK) {
        wn_table_free(v);
        return wn__oom("view");
    }
    *out = v;
    return WN_OK;
}

int64_t wn_table_nlevels(const wn_table *t, int64_t c)
{
    return (t && c >= 0 && c < t->ncols) ? t->cols[c].nlevels : 0;
}

const char *wn_table_level(const wn_table *t, int64_t c, int64_t k)
{
    if (!t || c < 0 || c >= t->ncols || k < 0 || k >= t->cols[c].nlevels)
        return NULL;
    return t->cols[c].levels[k];
}

wn_status wn_table_set_levels(wn_table *t, int64_t c, const char *const *levels, int64_t n)
{
    if (!t || c < 0 || c >= t->ncols)
        return wn__fail(WN_EINVAL, "column index %lld out of range", (long long)c);
    if (n < 0 || n > WN_MAX_LEVELS || (n > 0 && !levels))
        return wn__fail(WN_EINVAL, "level count %lld outside 0..%d", (long long)n, WN_MAX_LEVELS);
    column tmp;
    memset(&tmp, 0, sizeof tmp);
    column src;
    memset(&src, 0, sizeof src);
    src.nlevels = n;
    src.levels = (char **)(uintptr_t)levels;
    wn_status s = copy_levels(&tmp, &src);
    if (s)
        return s;
    free_levels(&t->cols[c]);
    t->cols[c].levels = tmp.levels;
    t->cols[c].nlevels = tmp.nlevels;
    return WN_OK;
}
