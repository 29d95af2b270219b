/* pca.h — the in-memory PCA model shared by the fit and transform code
 * (pca.c) and the model file (pca_io.c). Private; never installed.
 *
 * Everything lives in the fitted space of the features (wn__features: x_fit
 * = (x - center) / scale, the identity unless standardize was asked):
 * mean[nfeat] is the weighted mean there, components[ncomp][nfeat] the unit
 * eigenvectors of the weighted covariance, row-major, and variance[nfeat]
 * every eigenvalue in descending order (Pearson 1901; Jolliffe, "Principal
 * Component Analysis", 2nd ed., Springer 2002). */
#ifndef WN_LINEAR_PCA_H
#define WN_LINEAR_PCA_H

#include "core.h"
#include "io/container.h"
#include "unsup.h"

#define WN__PCA_FORMAT 1
#define WN__PCA_BLOCK 512 /* rows per block of the passes; fixed (determinism) */

struct wn_pca {
    wn__features f;      /* names, standardisation (nfeat = f.nfeat)        */
    int ncomp;           /* 1 .. nfeat                                      */
    int whiten;          /* 0 or 1                                          */
    int drop_missing;    /* the fit's setting (recorded in the header)      */
    int64_t nrows;       /* rows fitted (>= 2)                              */
    int64_t ndropped;    /* rows left out for NaN/inf                       */
    double wsum;         /* sum of the fit's weights (nrows unweighted)     */
    double denom;        /* sum(w) - sum(w^2)/sum(w): the covariance's      */
    uint64_t input_hash; /* provenance                                      */
    uint64_t seed;       /* provenance (PCA draws no random numbers)        */
    double *mean;        /* [nfeat]                                         */
    double *components;  /* [ncomp][nfeat]                                  */
    double *variance;    /* [nfeat], descending, >= 0                       */
    double *sd;          /* [ncomp] whitening divisors (wn__pca_finish)     */
    char *header;        /* the JSON header (built at fit, or as loaded)    */
};

/* A zeroed model; free with wn_pca_free. NULL when out of memory. */
wn_pca *wn__pca_new(void);

/* Allocates mean, variance (nfeat) and components (ncomp x nfeat) for a
 * model whose f.nfeat and ncomp are set. WN_ENOMEM. */
wn_status wn__pca_alloc(wn_pca *m);

/* Derives what transform needs from the fitted arrays (the whitening
 * divisors): called by the fit and by the loader. WN_ENOMEM. */
wn_status wn__pca_finish(wn_pca *m);

/* Builds m->header from the model's fields; provenance from command_line
 * (may be NULL) and the current time (SOURCE_DATE_EPOCH when set). */
wn_status wn__pca_build_header(wn_pca *m, const char *command_line);

/* Kernels (pca_kernel.c) on a block held column-major: feature f of the
 * block's rows at z + f * WN__PCA_BLOCK.
 *
 * wn__pca_simd: 1 when this CPU runs the AVX2+FMA versions (pass it as
 * simd; 0 selects the plain reference versions).
 *
 * wn__pca_gather: fit rows r0 .. r0+nb-1 of one column (physical rows
 * ridx[r] when ridx is not NULL) into zf[0..nb), centred on their weighted
 * mean (weights w[r0..], NULL for none; wsum their sum, sw[0..nb) their
 * square roots) and multiplied by sqrt(w); rows nb .. (nb rounded up to
 * 4) - 1 are zeroed for wn__pca_xprod. Returns the mean.
 *
 * wn__pca_xprod: m2[i * d + j] = sum over rows r < nr of z_i[r] z_j[r], for
 * i <= j < d (the upper triangle of Z'Z; the rest of m2 is untouched). The
 * buffer must hold d rounded up to a multiple of 4 columns, those past d
 * zero, and rows nr .. (nr rounded up to 4) - 1 of every column zero.
 *
 * wn__pca_project: for every row r < WN__PCA_BLOCK of y (centred, fitted
 * space, d columns), s_j[r] = v_j . y[r] for the k rows v_j of v[k][d]
 * (s: k columns of WN__PCA_BLOCK); when rec is not NULL, y becomes the
 * residual y - sum_j s_j v_j and rec[r] its squared norm. */
int wn__pca_simd(void);
double wn__pca_gather(const float *col, const int64_t *ridx, const float *w, const double *sw,
                      double wsum, int64_t r0, int64_t nb, double *zf, int simd);
void wn__pca_xprod(const double *z, int64_t d, int64_t nr, double *m2, int simd);
void wn__pca_project(const double *v, int64_t d, int k, double *y, double *s, double *rec,
                     int simd);

/* The loader behind wn_pca_load, on a container already read and checked
 * (the fuzz target's entry). Trusts nothing in it: every count, value and
 * relation is checked; errors are WN_EFORMAT naming `file`, or WN_ENOMEM.
 * c is not freed. */
wn_status wn__pca_from_container(const wn__container *c, const char *file, wn_pca **out);

#endif
