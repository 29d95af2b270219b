/* unsup.h — what every unsupervised method shares (never installed):
 * (Named unsup.h, not features.h: src/core is on the include path and glibc has its own <features.h>.)
 * choosing the feature columns of a table, the weights, the missing-value
 * policy, standardisation, and the parts of a model file header that say
 * which features a model reads and where it came from.
 *
 * Fit side:
 *
 *     wn__udata u;
 *     if ((s = wn__udata_prepare(t, &p->data, "pca", &u)) != WN_OK) return s;
 *     for (int64_t i = 0; i < u.n; i++) {          // row i of the fit
 *         float x[...]; wn__udata_row(&u, i, x);   // standardised if asked
 *         double w = u.w ? u.w[i] : 1.0;
 *     }
 *     model->features = u.f; u.f = (wn__features){0};   // the model takes them
 *     wn__udata_free(&u);
 *
 * Apply side: wn__features_bind finds the model's features by name in a
 * table, then wn__bound_row reads row r (0..nrows-1 of that table).
 *
 * Everything is deterministic; the passes over the data are parallel over
 * fixed blocks of rows and reduce in block order. */
#ifndef WN_CORE_UNSUP_H
#define WN_CORE_UNSUP_H

#include "core.h"
#include "json.h"

#include <float.h>
#include <math.h>

/* The features a model reads, and the affine map into its fitted space:
 * x_fit[f] = (x[f] - center[f]) / scale[f]. */
typedef struct wn__features {
    int64_t nfeat;
    char **names;     /* [nfeat], owned                                    */
    int standardized; /* 0: center 0, scale 1                              */
    double *center;   /* [nfeat]                                           */
    double *scale;    /* [nfeat], > 0                                      */
} wn__features;

void wn__features_free(wn__features *f); /* releases the arrays; f may be zeroed */

/* The rows a method fits on. Row i (0..n-1) of the fit reads feature f at
 * cols[f][ridx ? ridx[i] : i] (cols are physical columns; ridx maps through
 * views and dropped rows). */
typedef struct wn__udata {
    wn__features f;
    int64_t n;          /* rows used (>= 1)                                 */
    int64_t ndropped;   /* rows left out for NaN/inf (drop_missing)         */
    const float **cols; /* [nfeat]                                          */
    int64_t *ridx;      /* [n] physical rows, or NULL (identity)            */
    int64_t *rows;      /* [n] the table's (logical) row indices, or NULL   */
    float *w;           /* [n] weights (>= 0), or NULL when unweighted      */
    double wsum;        /* sum of weights (n when unweighted), > 0          */
    uint64_t input_hash; /* wn__table_fingerprint(t)                        */
} wn__udata;

/* Checks and selects (see winnow.h, "Unsupervised methods"): features by
 * name or role, weights (finite, >= 0, positive sum), NaN/inf (error naming
 * row and column, or dropped), standardisation (weighted mean and standard
 * deviation; all-constant data is an error). who starts every message.
 * Errors: WN_ENUMERIC (NaN/inf, bad weights, constant data), WN_EINVAL (no
 * rows, arguments), WN_ENOTFOUND, WN_ENOMEM. On failure u is zeroed. */
wn_status wn__udata_prepare(const wn_table *t, const wn_unsup_data *d, const char *who,
                            wn__udata *u);
void wn__udata_free(wn__udata *u);

/* A fitted-space value as float: a loaded model's centre and scale are only
 * known to be finite, so (x - centre) / scale may pass the float range;
 * converting such a double is undefined behaviour in C, so it is clamped. */
static inline float wn__fit_float(double z)
{
    return z > (double)FLT_MAX ? FLT_MAX : z < -(double)FLT_MAX ? -FLT_MAX : (float)z;
}

/* Row i of the fit, in the fitted space (x[nfeat]). */
static inline void wn__udata_row(const wn__udata *u, int64_t i, float *x)
{
    int64_t r = u->ridx ? u->ridx[i] : i;
    for (int64_t f = 0; f < u->f.nfeat; f++)
        x[f] = wn__fit_float(((double)u->cols[f][r] - u->f.center[f]) / u->f.scale[f]);
}

/* The whole fit as a row-major float matrix X[n][nfeat] in the fitted space
 * (wn__malloc'd; the caller frees with wn_free). Parallel. */
wn_status wn__udata_matrix(const wn__udata *u, int threads, float **X);

/* Finds each of names[n] in t by exact name: cols[i] is the PHYSICAL column
 * (read views through wn_table_rows). WN_ENOTFOUND lists the missing ones:
 * "<who>: the table lacks 2 <what>s: "a", "b"". */
wn_status wn__find_named_columns(const wn_table *t, const char *const *names, int64_t n,
                                 const char *who, const char *what, const float **cols);

/* A model's features found by name in a table it is applied to. */
typedef struct wn__bound {
    int64_t nrows;
    const wn__features *f;
    const float **cols;   /* [nfeat] physical columns, owned                */
    const int64_t *ridx;  /* the table's view rows, or NULL (borrowed)      */
} wn__bound;

/* WN_ENOTFOUND names every missing feature. Without allow_missing, a NaN/inf
 * in any of them is WN_ENUMERIC naming the first such row (1-based) and
 * column. On success free with wn__bound_free. */
wn_status wn__features_bind(const wn__features *f, const wn_table *t, int allow_missing,
                            const char *who, wn__bound *b);
void wn__bound_free(wn__bound *b);

/* Row r of the bound table in the fitted space; returns 0, or 1 when a value
 * is NaN/inf (x is then filled anyway, NaN included). */
static inline int wn__bound_row(const wn__bound *b, int64_t r, float *x)
{
    int64_t p = b->ridx ? b->ridx[r] : r;
    int bad = 0;
    for (int64_t f = 0; f < b->f->nfeat; f++) {
        float v = b->cols[f][p];
        bad |= !isfinite(v);
        x[f] = wn__fit_float(((double)v - b->f->center[f]) / b->f->scale[f]);
    }
    return bad;
}

/* Model header pieces. wn__features_json writes the members "features",
 * "standardized", "center", "scale" into the object being written.
 * wn__features_from_json reads them back from a parsed header, checking
 * every one (unique non-empty names, at most 1e6, finite centres, finite
 * positive scales); errors are WN_EFORMAT naming `file`. */
void wn__features_json(wn__jw *w, const wn__features *f);
wn_status wn__features_from_json(const wn__json *root, const char *file, wn__features *f);

/* Writes "winnow_version", "created" (wn__now_iso), "input_hash" (16 hex
 * digits), "seed" and "command_line" (null when NULL). */
void wn__provenance_json(wn__jw *w, uint64_t input_hash, uint64_t seed, const char *command_line);

/* ISO 8601 UTC time: SOURCE_DATE_EPOCH when set (so that tests get
 * byte-identical files), else now. */
void wn__now_iso(char buf[32]);

/* JSON helpers shared by model headers. */
void wn__jw_doubles(wn__jw *w, const char *key, const double *v, int64_t n); /* null if !v */
void wn__jw_u64(wn__jw *w, const char *key, uint64_t v);
void wn__jw_str_or_null(wn__jw *w, const char *key, const char *s);
/* Reads array `key` of exactly n finite numbers into out[n]; WN_EFORMAT
 * naming file and key otherwise. */
wn_status wn__json_doubles(const wn__json *obj, const char *key, int64_t n, const char *file,
                           double *out);

#endif
