/* unsup.c — the data side shared by the unsupervised methods (PCA,
 * k-means, GMM, SOM, isolation forest): which columns, which rows, which
 * weights, and the affine map into the fitted space. One place for these
 * rules means one behaviour for every method: the same error for a NaN in
 * row 7 whether k-means or PCA finds it, the same refusal of negative
 * weights, the same standardisation saved in every model header.
 *
 * The passes over the data (missing-value scan, weighted moments) run over
 * fixed blocks of rows and combine the blocks in order, so the results do
 * not depend on the thread count. Moments are merged with Chan, Golub &
 * LeVeque's pairwise update (1979), which stays accurate when the mean is
 * large compared with the spread (detector coordinates, timestamps). */
#include "unsup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 16384 /* rows per block of a pass; fixed: results must not depend on threads */

void wn__features_free(wn__features *f)
{
    if (!f)
        return;
    if (f->names)
        for (int64_t i = 0; i < f->nfeat; i++)
            wn_free(f->names[i]);
    wn_free(f->names);
    wn_free(f->center);
    wn_free(f->scale);
    memset(f, 0, sizeof *f);
}

void wn__udata_free(wn__udata *u)
{
    if (!u)
        return;
    wn__features_free(&u->f);
    wn_free((void *)u->cols);
    wn_free(u->ridx);
    wn_free(u->rows);
    wn_free(u->w);
    memset(u, 0, sizeof *u);
}

static wn_status features_alloc(wn__features *f, int64_t nfeat)
{
    memset(f, 0, sizeof *f);
    f->names = wn__calloc((size_t)nfeat, sizeof *f->names);
    f->center = wn__calloc((size_t)nfeat, sizeof *f->center);
    f->scale = wn__malloc_array((size_t)nfeat, sizeof *f->scale);
    if (!f->names || !f->center || !f->scale) {
        wn_free(f->names), wn_free(f->center), wn_free(f->scale);
        memset(f, 0, sizeof *f);
        return wn__oom("feature list");
    }
    f->nfeat = nfeat;
    for (int64_t i = 0; i < nfeat; i++)
        f->scale[i] = 1.0;
    return WN_OK;
}

wn_status wn__find_named_columns(const wn_table *t, const char *const *names, int64_t n,
                                 const char *who, const char *what, const float **cols)
{
    char msg[900];
    size_t len = 0;
    int64_t missing = 0, listed = 0;
    for (int64_t f = 0; f < n; f++) {
        int64_t c;
        if (wn_table_find(t, names[f], &c) == WN_OK) {
            cols[f] = wn_table_column(t, c);
            continue;
        }
        missing++;
        size_t need = strlen(names[f]) + 4;
        if (len + need < sizeof msg - 40) {
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s\"%s\"", listed ? ", " : "",
                                    names[f]);
            listed++;
        }
    }
    if (!missing)
        return WN_OK;
    if (listed < missing)
        snprintf(msg + len, sizeof msg - len, " and %lld more", (long long)(missing - listed));
    return wn__fail(WN_ENOTFOUND, "%s: the table lacks %lld %s%s: %s", who, (long long)missing,
                    what, missing > 1 ? "s" : "", msg);
}

/* Feature selection: names given, or the WN_ROLE_FEATURE columns. */
static wn_status select_features(const wn_table *t, const wn_unsup_data *d, const char *who,
                                 wn__features *f, const float ***cols_out)
{
    int64_t nf = 0;
    const int64_t ncols = wn_table_ncols(t);
    if (d->features) {
        if (d->nfeatures < 1)
            return wn__fail(WN_EINVAL, "%s: nfeatures is %lld with a feature list", who,
                            (long long)d->nfeatures);
        nf = d->nfeatures;
    } else {
        for (int64_t c = 0; c < ncols; c++)
            nf += wn_table_role(t, c) == WN_ROLE_FEATURE;
        if (nf == 0)
            return wn__fail(WN_EINVAL, "%s: the table has no feature columns (%lld columns, none "
                                       "with the feature role)", who, (long long)ncols);
    }
    wn_status s = features_alloc(f, nf);
    if (s != WN_OK)
        return s;
    const float **cols = wn__calloc((size_t)nf, sizeof *cols);
    if (!cols) {
        wn__features_free(f);
        return wn__oom("feature columns");
    }
    int64_t k = 0;
    for (int64_t c = 0; c < ncols && !d->features; c++)
        if (wn_table_role(t, c) == WN_ROLE_FEATURE)
            f->names[k++] = wn__strdup(wn_table_name(t, c));
    for (int64_t i = 0; i < nf && d->features; i++) {
        if (!d->features[i] || !d->features[i][0]) {
            s = wn__fail(WN_EINVAL, "%s: feature %lld of the list has no name", who, (long long)i);
            goto fail;
        }
        for (int64_t j = 0; j < i; j++)
            if (strcmp(d->features[i], d->features[j]) == 0) {
                s = wn__fail(WN_EINVAL, "%s: feature '%s' is listed twice", who, d->features[i]);
                goto fail;
            }
        f->names[i] = wn__strdup(d->features[i]);
    }
    for (int64_t i = 0; i < nf; i++)
        if (!f->names[i]) {
            s = wn__oom("feature names");
            goto fail;
        }
    if ((s = wn__find_named_columns(t, (const char *const *)f->names, nf, who, "feature", cols)) !=
        WN_OK)
        goto fail;
    *cols_out = cols;
    return WN_OK;
fail:
    wn_free((void *)cols);
    wn__features_free(f);
    return s;
}

/* First row (logical, 0-based) in [0, n) with a non-finite value in any of
 * the columns, and that column; -1 when none. Parallel over blocks, the
 * smallest row wins: the same answer at any thread count. */
static int64_t first_bad_row(const float *const *cols, int64_t nfeat, const int64_t *ridx,
                             int64_t n, int threads, int64_t *bad_feat)
{
    int64_t nb = (n + BLOCK - 1) / BLOCK, best = -1, bestf = -1;
#pragma omp parallel for schedule(static) num_threads(threads) if (nb > 1)
    for (int64_t b = 0; b < nb; b++) {
        int64_t lo = b * BLOCK, hi = lo + BLOCK < n ? lo + BLOCK : n;
        int64_t row = -1, feat = -1;
        for (int64_t f = 0; f < nfeat; f++) {
            const float *c = cols[f];
            int64_t end = row >= 0 ? row : hi;
            for (int64_t r = lo; r < end; r++)
                if (!isfinite(c[ridx ? ridx[r] : r])) {
                    row = r, feat = f;
                    break;
                }
        }
        if (row >= 0) {
#pragma omp critical(wn_features_bad)
            if (best < 0 || row < best || (row == best && feat < bestf))
                best = row, bestf = feat;
        }
    }
    *bad_feat = bestf;
    return best;
}

static int row_ok(const float *const *cols, int64_t nfeat, int64_t p)
{
    for (int64_t f = 0; f < nfeat; f++)
        if (!isfinite(cols[f][p]))
            return 0;
    return 1;
}

/* Weighted mean and variance of each feature over the fit rows: per block
 * (mean, M2, W) merged in block order (Chan et al. 1979). */
typedef struct moments {
    double w, mean, m2;
} moments;

static void merge(moments *a, const moments *b)
{
    if (b->w <= 0)
        return;
    if (a->w <= 0) {
        *a = *b;
        return;
    }
    double w = a->w + b->w, d = b->mean - a->mean;
    a->mean += d * b->w / w;
    a->m2 += b->m2 + d * d * a->w * b->w / w;
    a->w = w;
}

/* One block of one feature: two passes (weighted mean, then the weighted
 * sum of squared deviations), each a plain vectorisable loop; no division
 * per row. w == NULL: unweighted. */
static moments block_moments(const float *c, const int64_t *ridx, const float *w, int64_t lo,
                             int64_t hi)
{
    moments m = {0, 0, 0};
    double sw = 0, sx = 0;
    if (!ridx && !w) {
#pragma omp simd reduction(+ : sx)
        for (int64_t i = lo; i < hi; i++)
            sx += (double)c[i];
        sw = (double)(hi - lo);
    } else {
        for (int64_t i = lo; i < hi; i++) {
            double wi = w ? (double)w[i] : 1.0;
            sw += wi;
            sx += wi * (double)c[ridx ? ridx[i] : i];
        }
    }
    if (!(sw > 0))
        return m;
    const double mu = sx / sw;
    double s2 = 0;
    if (!ridx && !w) {
#pragma omp simd reduction(+ : s2)
        for (int64_t i = lo; i < hi; i++) {
            double d = (double)c[i] - mu;
            s2 += d * d;
        }
    } else {
        for (int64_t i = lo; i < hi; i++) {
            double d = (double)c[ridx ? ridx[i] : i] - mu;
            s2 += (w ? (double)w[i] : 1.0) * d * d;
        }
    }
    m.w = sw, m.mean = mu, m.m2 = s2;
    return m;
}

static wn_status feature_moments(const wn__udata *u, int threads, double *mean, double *var)
{
    const int64_t n = u->n, nf = u->f.nfeat, nb = (n + BLOCK - 1) / BLOCK;
    moments *part = wn__malloc_array((size_t)(nb * nf), sizeof *part);
    if (!part)
        return wn__oom("feature moments");
#pragma omp parallel for schedule(static) num_threads(threads) if (nb > 1)
    for (int64_t b = 0; b < nb; b++) {
        int64_t lo = b * BLOCK, hi = lo + BLOCK < n ? lo + BLOCK : n;
        for (int64_t f = 0; f < nf; f++)
            part[b * nf + f] = block_moments(u->cols[f], u->ridx, u->w, lo, hi);
    }
    for (int64_t f = 0; f < nf; f++) {
        moments m = {0, 0, 0};
        for (int64_t b = 0; b < nb; b++)
            merge(&m, &part[b * nf + f]);
        mean[f] = m.mean;
        var[f] = m.w > 0 ? m.m2 / m.w : 0;
    }
    wn_free(part);
    return WN_OK;
}

wn_status wn__udata_prepare(const wn_table *t, const wn_unsup_data *d, const char *who,
                            wn__udata *u)
{
    memset(u, 0, sizeof *u);
    if (!t || !d || !who)
        return wn__fail(WN_EINVAL, "%s: NULL argument", who ? who : "fit");
    const int64_t nrows = wn_table_nrows(t);
    const int threads = wn__threads(d->threads);
    if (nrows < 1)
        return wn__fail(WN_EINVAL, "%s: the table has no rows", who);
    const float **cols = NULL;
    wn_status s = select_features(t, d, who, &u->f, &cols);
    if (s != WN_OK)
        return s;
    u->cols = cols;
    u->input_hash = wn__table_fingerprint(t);
    const int64_t nf = u->f.nfeat;
    const int64_t *view = wn_table_rows(t);
    const int64_t wc = wn_table_role_column(t, WN_ROLE_WEIGHT);
    const float *wcol = wc >= 0 ? wn_table_column(t, wc) : NULL;

    /* weights: finite and >= 0 */
    for (int64_t r = 0; wcol && r < nrows; r++) {
        float w = wcol[view ? view[r] : r];
        if (!isfinite(w) || w < 0) {
            s = wn__fail(WN_ENUMERIC, "%s: weight column '%s', row %lld: %s weight %g (%s)", who,
                         wn_table_name(t, wc), (long long)(r + 1), isfinite(w) ? "negative" : "non-finite",
                         (double)w,
                         isfinite(w) ? "unsupervised methods need non-negative weights: a density, "
                                       "a centroid or a variance has no meaning with negative mass"
                                     : "weights must be finite");
            goto fail;
        }
    }
    /* missing values */
    int64_t badf = -1, bad = first_bad_row(cols, nf, view, nrows, threads, &badf);
    if (bad >= 0 && !d->drop_missing) {
        float v = cols[badf][view ? view[bad] : bad];
        s = wn__fail(WN_ENUMERIC, "%s: row %lld, column '%s': %s value (%s); use drop_missing "
                                "(--drop-missing) to leave such rows out",
                     who, (long long)(bad + 1), u->f.names[badf],
                     isnan(v) ? "missing (NaN)" : "infinite", isnan(v) ? "nan" : "inf");
        goto fail;
    }
    if (bad >= 0 || view) {
        int64_t n = 0;
        u->ridx = wn__malloc_array((size_t)nrows, sizeof *u->ridx);
        u->rows = bad >= 0 ? wn__malloc_array((size_t)nrows, sizeof *u->rows) : NULL;
        if (!u->ridx || (bad >= 0 && !u->rows)) {
            s = wn__oom("row list");
            goto fail;
        }
        for (int64_t r = 0; r < nrows; r++) {
            int64_t p = view ? view[r] : r;
            if (bad >= 0 && r >= bad && !row_ok(cols, nf, p))
                continue;
            if (u->rows)
                u->rows[n] = r;
            u->ridx[n++] = p;
        }
        u->n = n;
        u->ndropped = nrows - n;
    } else {
        u->n = nrows;
    }
    if (u->n < 1) {
        s = wn__fail(WN_ENUMERIC, "%s: every one of the %lld rows has a missing or infinite value",
                     who, (long long)nrows);
        goto fail;
    }
    if (wcol) {
        u->w = wn__malloc_array((size_t)u->n, sizeof *u->w);
        if (!u->w) {
            s = wn__oom("weights");
            goto fail;
        }
        double sum = 0;
        for (int64_t i = 0; i < u->n; i++)
            sum += (double)(u->w[i] = wcol[u->ridx ? u->ridx[i] : i]);
        if (!(sum > 0)) {
            s = wn__fail(WN_ENUMERIC, "%s: weight column '%s': the weights of the rows used sum "
                                    "to %g; they must sum to more than 0",
                         who, wn_table_name(t, wc), sum);
            goto fail;
        }
        u->wsum = sum;
    } else {
        u->wsum = (double)u->n;
    }
    /* moments: all-constant data is an error; standardisation */
    double *mean = wn__malloc_array((size_t)(2 * nf), sizeof *mean);
    if (!mean) {
        s = wn__oom("feature moments");
        goto fail;
    }
    double *var = mean + nf;
    if ((s = feature_moments(u, threads, mean, var)) != WN_OK) {
        wn_free(mean);
        goto fail;
    }
    int64_t npos = 0;
    for (int64_t i = 0; i < u->n && npos < 2; i++)
        npos += !u->w || u->w[i] > 0;
    if (npos < 2) {
        s = u->w ? wn__fail(WN_EINVAL, "%s: only one of the %lld rows used has a positive "
                                       "weight: nothing to learn from",
                            who, (long long)u->n)
                 : wn__fail(WN_EINVAL, "%s: only one row to fit: nothing to learn from", who);
        wn_free(mean);
        goto fail;
    }
    int64_t nconst = 0;
    for (int64_t f = 0; f < nf; f++)
        nconst += !(var[f] > 1e-300 && var[f] > 1e-24 * mean[f] * mean[f]);
    if (nconst == nf) {
        s = wn__fail(WN_ENUMERIC, "%s: all %lld feature%s constant over the %lld rows used: "
                                "nothing to learn from",
                     who, (long long)nf, nf > 1 ? "s are" : " is", (long long)u->n);
        wn_free(mean);
        goto fail;
    }
    if (d->standardize) {
        u->f.standardized = 1;
        for (int64_t f = 0; f < nf; f++) {
            u->f.center[f] = mean[f];
            double sd = sqrt(var[f]);
            u->f.scale[f] = sd > 0 && isfinite(sd) && var[f] > 1e-24 * mean[f] * mean[f] ? sd : 1.0;
        }
    }
    wn_free(mean);
    return WN_OK;
fail:
    wn__udata_free(u);
    return s;
}

wn_status wn__udata_matrix(const wn__udata *u, int threads, float **X)
{
    const int64_t n = u->n, nf = u->f.nfeat;
    if ((uint64_t)n > SIZE_MAX / sizeof(float) / (uint64_t)nf)
        return wn__fail(WN_ENOMEM, "data matrix of %lld x %lld is too large", (long long)n,
                        (long long)nf);
    float *x = wn__malloc_array((size_t)(n * nf), sizeof *x);
    if (!x)
        return wn__oom("data matrix");
    const int64_t nb = (n + BLOCK - 1) / BLOCK;
    threads = wn__threads(threads);
#pragma omp parallel for schedule(static) num_threads(threads) if (nb > 1)
    for (int64_t b = 0; b < nb; b++) {
        int64_t lo = b * BLOCK, hi = lo + BLOCK < n ? lo + BLOCK : n;
        for (int64_t f = 0; f < nf; f++) {
            const float *c = u->cols[f];
            const double m = u->f.center[f], sc = u->f.scale[f];
            for (int64_t i = lo; i < hi; i++)
                x[i * nf + f] = wn__fit_float(((double)c[u->ridx ? u->ridx[i] : i] - m) / sc);
        }
    }
    *X = x;
    return WN_OK;
}

wn_status wn__features_bind(const wn__features *f, const wn_table *t, int allow_missing,
                            const char *who, wn__bound *b)
{
    memset(b, 0, sizeof *b);
    if (!f || !t)
        return wn__fail(WN_EINVAL, "%s: NULL argument", who);
    const float **cols = wn__calloc((size_t)f->nfeat, sizeof *cols);
    if (!cols)
        return wn__oom("feature columns");
    wn_status s = wn__find_named_columns(t, (const char *const *)f->names, f->nfeat, who,
                                         "model feature", cols);
    if (s != WN_OK) {
        wn_free((void *)cols);
        return s;
    }
    b->nrows = wn_table_nrows(t);
    b->f = f;
    b->cols = cols;
    b->ridx = wn_table_rows(t);
    if (!allow_missing) {
        int64_t badf = -1, bad = first_bad_row(cols, f->nfeat, b->ridx, b->nrows, wn__threads(0),
                                               &badf);
        if (bad >= 0) {
            float v = cols[badf][b->ridx ? b->ridx[bad] : bad];
            s = wn__fail(WN_ENUMERIC, "%s: row %lld, column '%s': %s value; allow missing rows "
                                    "(--drop-missing) to give them no output",
                         who, (long long)(bad + 1), f->names[badf],
                         isnan(v) ? "missing (NaN)" : "infinite");
            wn__bound_free(b);
            return s;
        }
    }
    return WN_OK;
}

void wn__bound_free(wn__bound *b)
{
    if (!b)
        return;
    wn_free((void *)b->cols);
    memset(b, 0, sizeof *b);
}

/* ---- model header pieces ---- */

void wn__now_iso(char buf[32])
{
    time_t t = time(NULL);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (*end == 0 && v >= 0)
            t = (time_t)v;
    }
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, 32, "1970-01-01T00:00:00Z");
}

void wn__jw_str_or_null(wn__jw *w, const char *key, const char *s)
{
    wn__jw_key(w, key);
    if (s)
        wn__jw_string(w, s);
    else
        wn__jw_null(w);
}

void wn__jw_doubles(wn__jw *w, const char *key, const double *v, int64_t n)
{
    wn__jw_key(w, key);
    if (!v) {
        wn__jw_null(w);
        return;
    }
    wn__jw_array_begin(w);
    for (int64_t i = 0; i < n; i++)
        wn__jw_double(w, v[i]);
    wn__jw_array_end(w);
}

void wn__jw_u64(wn__jw *w, const char *key, uint64_t v)
{
    wn__jw_key(w, key);
    if (v <= (uint64_t)INT64_MAX) {
        wn__jw_int(w, (int64_t)v);
    } else {
        char b[24];
        snprintf(b, sizeof b, "%llu", (unsigned long long)v);
        wn__jw_string(w, b);
    }
}

void wn__features_json(wn__jw *w, const wn__features *f)
{
    wn__jw_key(w, "features");
    wn__jw_array_begin(w);
    for (int64_t i = 0; i < f->nfeat; i++)
        wn__jw_string(w, f->names[i]);
    wn__jw_array_end(w);
    wn__jw_key(w, "standardized");
    wn__jw_bool(w, f->standardized != 0);
    wn__jw_doubles(w, "center", f->center, f->nfeat);
    wn__jw_doubles(w, "scale", f->scale, f->nfeat);
}

void wn__provenance_json(wn__jw *w, uint64_t input_hash, uint64_t seed, const char *command_line)
{
    char created[32], hex[24];
    wn__now_iso(created);
    wn__jw_key(w, "winnow_version"), wn__jw_string(w, wn_version());
    wn__jw_key(w, "created"), wn__jw_string(w, created);
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)input_hash);
    wn__jw_key(w, "input_hash"), wn__jw_string(w, hex);
    wn__jw_u64(w, "seed", seed);
    wn__jw_str_or_null(w, "command_line", command_line);
}

wn_status wn__json_doubles(const wn__json *obj, const char *key, int64_t n, const char *file,
                           double *out)
{
    const wn__json *a = wn__json_get(obj, key);
    if (!a || a->type != WN__JSON_ARRAY || (int64_t)wn__json_len(a) != n)
        return wn__fail(WN_EFORMAT, "%s: header member \"%s\" is not an array of %lld numbers",
                        file, key, (long long)n);
    for (int64_t i = 0; i < n; i++) {
        const wn__json *v = wn__json_at(a, (size_t)i);
        if (!v || v->type != WN__JSON_NUMBER || !isfinite(v->u.num))
            return wn__fail(WN_EFORMAT, "%s: header member \"%s\"[%lld] is not a finite number",
                            file, key, (long long)i);
        out[i] = v->u.num;
    }
    return WN_OK;
}

#define MAX_FEATURES 1000000

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

wn_status wn__features_from_json(const wn__json *root, const char *file, wn__features *f)
{
    memset(f, 0, sizeof *f);
    const wn__json *a = wn__json_get(root, "features");
    if (!a || a->type != WN__JSON_ARRAY || wn__json_len(a) < 1 ||
        wn__json_len(a) > MAX_FEATURES)
        return wn__fail(WN_EFORMAT, "%s: header member \"features\" is not a list of 1 to %d "
                                    "names", file, MAX_FEATURES);
    const int64_t nf = (int64_t)wn__json_len(a);
    wn_status s = features_alloc(f, nf);
    if (s != WN_OK)
        return s;
    for (int64_t i = 0; i < nf; i++) {
        const wn__json *v = wn__json_at(a, (size_t)i);
        if (!v || v->type != WN__JSON_STRING || !v->n) {
            s = wn__fail(WN_EFORMAT, "%s: feature %lld of the header is not a non-empty name",
                         file, (long long)i);
            goto fail;
        }
        if (!(f->names[i] = wn__strndup(v->u.str, v->n))) {
            s = wn__oom("feature names");
            goto fail;
        }
        if (strlen(f->names[i]) != v->n) {
            s = wn__fail(WN_EFORMAT, "%s: feature %lld of the header has a NUL in its name", file,
                         (long long)i);
            goto fail;
        }
    }
    /* duplicates: sort a copy of the pointers */
    if (nf > 1) {
        char **sorted = wn__malloc_array((size_t)nf, sizeof *sorted);
        if (!sorted) {
            s = wn__oom("feature names");
            goto fail;
        }
        memcpy(sorted, f->names, (size_t)nf * sizeof *sorted);
        qsort(sorted, (size_t)nf, sizeof *sorted, cmp_str_ptr);
        for (int64_t i = 1; i < nf; i++)
            if (strcmp(sorted[i - 1], sorted[i]) == 0) {
                s = wn__fail(WN_EFORMAT, "%s: feature '%s' appears twice in the header", file,
                             sorted[i]);
                wn_free(sorted);
                goto fail;
            }
        wn_free(sorted);
    }
    const wn__json *st = wn__json_get(root, "standardized");
    if (!st || st->type != WN__JSON_BOOL) {
        s = wn__fail(WN_EFORMAT, "%s: header member \"standardized\" is not true or false", file);
        goto fail;
    }
    f->standardized = st->boolean ? 1 : 0;
    if ((s = wn__json_doubles(root, "center", nf, file, f->center)) != WN_OK ||
        (s = wn__json_doubles(root, "scale", nf, file, f->scale)) != WN_OK)
        goto fail;
    for (int64_t i = 0; i < nf; i++)
        if (!(f->scale[i] > 0)) {
            s = wn__fail(WN_EFORMAT, "%s: scale of feature '%s' is %g; it must be > 0", file,
                         f->names[i], f->scale[i]);
            goto fail;
        }
    return WN_OK;
fail:
    wn__features_free(f);
    return s;
}
