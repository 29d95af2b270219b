/* cluster.h — internals shared by k-means and the Gaussian mixture (never
 * installed): the model structs, the k-means engine (k-means++ seeding and
 * Hamerly's iterations on a row-major float matrix), the EM engine, and the
 * container readers that the fuzz targets call.
 *
 * References: Lloyd 1982 (IEEE Trans. Inf. Theory 28:129, the iteration);
 * Arthur & Vassilvitskii 2007 (SODA, k-means++ seeding); Hamerly 2010 (SDM,
 * "Making k-means even faster": one upper and one lower bound per row);
 * Dempster, Laird & Rubin 1977 (JRSS B 39:1, EM); Schwarz 1978 (Ann. Stat.
 * 6:461, BIC).
 *
 * Determinism: every pass over the rows runs over fixed blocks of
 * WN__CLU_BLOCK rows (independent of the thread count); block partial sums
 * are merged in block order in double precision, so the same data, seed and
 * parameters give the same bits at any thread count. */
#ifndef WN_CLUSTER_H
#define WN_CLUSTER_H

#include "core.h"
#include "io/container.h"
#include "io/umodel_io.h"
#include "unsup.h"

#define WN__CLU_BLOCK 4096
#define WN__CLU_MAX_K 1000000
/* RNG streams: k-means++ seeding of restart r uses stream r; the silhouette
 * sample its own stream. */
#define WN__CLU_STREAM_SILHOUETTE 0x73696c686f7565ull

/* The data a fit runs on: X[n][d] row-major in the fitted space, weights
 * w[n] (NULL: all 1) summing to wsum > 0. */
typedef struct wn__km_data {
    const float *X;
    const float *w;
    int64_t n, d;
    double wsum;
    int threads; /* resolved (>= 1) */
} wn__km_data;

/* Mean over features of the weighted variance of X (sklearn's tolerance
 * scale). */
wn_status wn__km_mean_variance(const wn__km_data *D, double *out);

/* Greedy weighted k-means++ (2 + floor(ln k) candidates per centre, keeping
 * the one that lowers the potential most; draws from wn_rng_make(seed,
 * stream)). centers[k][d] gets copies of k data rows. */
wn_status wn__km_seed(const wn__km_data *D, int k, uint64_t seed, uint64_t stream, double *centers);

/* Hamerly's iterations from centers[k][d] (in: the seeds; out: the final
 * centres) until no assignment changes, the sum of squared centre shifts is
 * <= tol_abs, or max_iter centre updates. label[n] gets the final
 * assignment (argmin over the final centres, ties to the lowest index),
 * *inertia the weighted sum of squared distances (double), *iterations the
 * number of centre updates. The result equals Lloyd's iteration from the
 * same seeds. prog: optional; (done0, total) place this run in a longer
 * job. Errors: WN_ENOMEM, WN_EINVAL "cancelled". */
wn_status wn__km_iterate(const wn__km_data *D, int k, int max_iter, double tol_abs, double *centers,
                         int32_t *label, double *inertia, int *iterations, const wn_progress *prog,
                         int64_t done0, int64_t total);

/* restarts runs (seed streams stream0 .. stream0 + restarts - 1), keeping
 * the lowest inertia (ties: the first). tol is relative to the mean
 * variance. Outputs as wn__km_iterate; label may be NULL. */
wn_status wn__km_run(const wn__km_data *D, int k, int restarts, int max_iter, double tol,
                     uint64_t seed, uint64_t stream0, const wn_progress *prog, double *centers,
                     int32_t *label, double *inertia, int *iterations);

/* Squared distances from x[d] to k centres held transposed as ct[d][kpad]
 * (float; kpad a multiple of 8): out[kpad]. Each entry is the float sum
 * over features in order of (x - c)^2, bit-identical to a scalar loop. */
void wn__km_dist_all(const float *x, const float *ct, int64_t d, int64_t kpad, float *out);
static inline int64_t wn__km_kpad(int64_t k)
{
    return (k + 7) / 8 * 8;
}
/* The nearest of k centres (ct as above) to x: its index (ties: the lowest),
 * *d1 its squared distance and *d2 the second smallest (+inf when k = 1).
 * dd[kpad] is scratch. AVX2 when the CPU has it (distances and top two in
 * registers); _ref is the plain version (all distances, then a scan), and
 * both give the same bits. */
int64_t wn__km_nearest2(const float *x, const float *ct, int64_t d, int64_t kpad, int64_t k,
                        float *dd, float *d1, float *d2);
int64_t wn__km_nearest2_ref(const float *x, const float *ct, int64_t d, int64_t kpad, int64_t k,
                            float *dd, float *d1, float *d2);

/* ---- the models ---- */

struct wn_kmeans {
    wn__features f;
    wn_kmeans_params params; /* data.features and command_line NULL */
    int k;
    int64_t nrows, ndropped;
    double *centers_fit; /* [k][d] fitted space                           */
    double *centers;     /* [k][d] original units                         */
    double *sizes;       /* [k]                                            */
    float *ct;           /* [d][kpad] float centres, transposed (assign)  */
    double inertia, silhouette;
    int iterations;
    uint64_t input_hash;
    char *command_line;
    char *header;
};

struct wn_gmm {
    wn__features f;
    wn_gmm_params params; /* data.features and command_line NULL */
    int k;
    int64_t nrows, ndropped;
    double *weights; /* [k]                                               */
    double *means;   /* [k][d]                                            */
    double *covs;    /* [k][d][d] (diagonal ones stored full)             */
    double *prec;    /* [k][d][d] upper P = L^-T (Sigma = L L^T)          */
    double *lognorm; /* [k] log w - d/2 log 2pi - sum log L_ii            */
    double loglik, bic;
    int iterations, converged, regularised;
    uint64_t input_hash;
    char *command_line;
    char *header;
};

/* Derived arrays (ct / prec, lognorm) from the stored ones; used by the
 * fit and the loader. wn__gmm_factor fails with WN_ENUMERIC when a
 * covariance is not positive definite. */
wn_status wn__kmeans_derive(wn_kmeans *m);
wn_status wn__gmm_factor(wn_gmm *m);
/* Header JSON (built at fit time, kept verbatim by the loader). */
wn_status wn__kmeans_build_header(wn_kmeans *m);
wn_status wn__gmm_build_header(wn_gmm *m);

/* Cholesky of the symmetric d x d matrix a (row-major, full) into lower L
 * (row-major, zero above the diagonal) via LAPACKE_dpotrf; returns 0 on
 * success, else non-zero (not positive definite). *minpiv2 (may be NULL)
 * gets the smallest L_ii^2. */
int wn__clu_cholesky(const double *a, int64_t d, double *L, double *minpiv2);

/* EM for the mixture (gmm_em.c) on D from the initial labels label[n]
 * (hard responsibilities). Fills m's weights, means, covs, prec, lognorm,
 * loglik (under the final parameters), iterations, converged,
 * regularised. m->k, m->params, m->f.nfeat must be set. */
wn_status wn__gmm_em(const wn__km_data *D, const int32_t *label, wn_gmm *m, const wn_progress *prog,
                     int64_t done0, int64_t total);
/* Log densities of one row x[d] (fitted space): lp[k] per component
 * (log weight included); returns the row's log density (log-sum-exp). */
double wn__gmm_logp_row(const wn_gmm *m, const float *x, double *lp, double *scratch);

/* The loaders behind wn_kmeans_load / wn_gmm_load, for the fuzz targets:
 * check everything in c (kind, counts, finite values, section sizes,
 * symmetric positive definite covariances, weights summing to 1) and build
 * a model; WN_EFORMAT naming file on any inconsistency. c stays the
 * caller's. */
wn_status wn__kmeans_from_container(const wn__container *c, const char *file, wn_kmeans **out);
wn_status wn__gmm_from_container(const wn__container *c, const char *file, wn_gmm **out);

/* Shared by kmeans_io.c and gmm_io.c (cluster_io.c); the generic model-file
 * helpers (wn__um_*) are in io/umodel_io.h. wn__clu_jw_data writes the
 * data-handling parameters; wn__clu_read_data reads them back (checked
 * against the features f) with the provenance, whose seed must match. */
void wn__clu_jw_data(wn__jw *w, const wn_unsup_data *d);
wn_status wn__clu_read_data(const wn__json *root, const char *file, const wn__features *f,
                            wn_unsup_data *d, uint64_t *input_hash, char **command_line);

#endif
