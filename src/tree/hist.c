/* hist.c — gradient/hessian histograms of a tree node for histogram GBDT.
 *
 * A histogram GBDT (LightGBM, Ke et al., NeurIPS 2017; XGBoost "hist", Chen &
 * Guestrin, KDD 2016, arXiv:1603.02754) finds a node's best split from, for
 * each feature and bin, the sums of gradients and hessians of the node's
 * rows. Building these sums is the dominant cost of training; the
 * subtraction trick (a sibling's histogram is the parent's minus the built
 * child's, LightGBM) halves it by building only the smaller child.
 *
 * Determinism. Floating-point addition is not associative, so the bits of a
 * sum depend on the order of its terms. This builder parallelises over
 * FEATURES: each feature's histogram is accumulated by one thread, serially,
 * in the order of the node's row list, so the result is the same at any
 * thread count and under any schedule. Parallelising over rows (each thread
 * a partial histogram of a block of rows, then a merge) scales better when
 * there are few features, but its sums depend on where the blocks start and
 * in which order the partials are added: it is deterministic only with block
 * boundaries fixed independently of the thread count and a fixed merge order
 * (e.g. a binary tree over blocks), and even then it is a different order
 * from the serial one, so the reference would have to follow it. For the
 * feature counts of tabular data (tens to hundreds) feature parallelism
 * keeps every core busy without any of that.
 *
 * Inner loop. The node's (g, h) pairs are first gathered into a contiguous
 * buffer in row order (one random access per row instead of one per row and
 * feature); then each feature reads its codes codes[f*nrows + rows[i]] and
 * the pairs sequentially and adds into a 256-entry local histogram, copied
 * out at the end (no false sharing between threads, and any uint8 code stays
 * in bounds, so a bad code is detected rather than written past the
 * feature). The loop keeps one accumulator per bin: splitting it into
 * several interleaved accumulators would hide the store-to-load latency when
 * consecutive rows hit the same bin, but would change the order of the sums
 * relative to the serial definition in hist.h.
 *
 * The slow obvious version lives in tests/unit/tree/test_hist.c and the two
 * are compared bit for bit. */
#include "hist.h"

#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define NCODES 256
#define PAR_MIN_WORK 65536 /* rows x features below which one thread runs */

typedef struct gh_pair {
    float g, h;
} gh_pair;

/* ---- allocation ----------------------------------------------------------- */

void wn__hist_free(wn__hist *h) { wn_free(h); }

void wn__hist_clear(wn__hist *h)
{
    if (h)
        memset(h->bins, 0, (size_t)h->nbins_total * sizeof *h->bins);
}

wn_status wn__hist_create(const wn__binning *b, wn__hist **out)
{
    if (!b || !out)
        return wn__fail(WN_EINVAL, "hist_create: %s is NULL", b ? "out" : "binning");
    if (b->nfeat < 1 || b->nfeat > WN_MAX_COLUMNS)
        return wn__fail(WN_EINVAL, "hist_create: nfeat = %lld outside 1..%d",
                        (long long)b->nfeat, WN_MAX_COLUMNS);
    int64_t total = 0;
    for (int64_t f = 0; f < b->nfeat; f++) {
        if (b->nbins[f] < 1 || b->nbins[f] > NCODES)
            return wn__fail(WN_EINVAL, "hist_create: feature %lld has %d bins (1..%d)",
                            (long long)f, b->nbins[f], NCODES);
        total += b->nbins[f]; /* <= WN_MAX_COLUMNS * 256: no overflow */
    }
    /* header, offsets, bins: each size a multiple of 8, so bins stay aligned */
    size_t nf = (size_t)b->nfeat, nb = (size_t)total;
    size_t head = (sizeof(wn__hist) + 7) / 8 * 8;
    if (nf + 1 > (SIZE_MAX - head) / sizeof(int64_t))
        return wn__oom("histogram");
    size_t offs = (nf + 1) * sizeof(int64_t);
    if (nb > (SIZE_MAX - head - offs) / sizeof(wn__hist_bin))
        return wn__oom("histogram");
    size_t bytes = head + offs + nb * sizeof(wn__hist_bin);
    unsigned char *mem = wn__calloc(1, bytes);
    if (!mem)
        return wn__oom("histogram");
    wn__hist *h = (wn__hist *)(void *)mem;
    h->nfeat = b->nfeat;
    h->nbins_total = total;
    h->offset = (int64_t *)(void *)(mem + head);
    h->bins = (wn__hist_bin *)(void *)(mem + head + offs);
    h->offset[0] = 0;
    for (int64_t f = 0; f < b->nfeat; f++)
        h->offset[f + 1] = h->offset[f] + b->nbins[f];
    *out = h;
    return WN_OK;
}

static int same_shape(const wn__hist *a, const wn__hist *c)
{
    return a->nfeat == c->nfeat && a->nbins_total == c->nbins_total &&
           memcmp(a->offset, c->offset, (size_t)(a->nfeat + 1) * sizeof(int64_t)) == 0;
}

/* ---- build ---------------------------------------------------------------- */

/* One feature's sums in row order into acc[256] (zeroed here). The two loops
 * differ only in how the code is found; the sums are formed identically. */
static void feature_sums(const uint8_t *cf, const gh_pair *p, const int64_t *rows, int64_t n,
                         wn__hist_bin *acc)
{
    memset(acc, 0, NCODES * sizeof *acc);
    if (rows) {
        for (int64_t i = 0; i < n; i++) {
            wn__hist_bin *a = acc + cf[rows[i]];
            a->g += (double)p[i].g;
            a->h += (double)p[i].h;
            a->n++;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            wn__hist_bin *a = acc + cf[i];
            a->g += (double)p[i].g;
            a->h += (double)p[i].h;
            a->n++;
        }
    }
}

wn_status wn__hist_build(const wn__binning *b, const uint8_t *codes, int64_t nrows,
                         const float *grad, const float *hess, const int64_t *rows,
                         int64_t nnode, int threads, wn__hist *out)
{
    if (!b || !out)
        return wn__fail(WN_EINVAL, "hist_build: %s is NULL", b ? "out" : "binning");
    if (nrows < 0 || nnode < 0)
        return wn__fail(WN_EINVAL, "hist_build: negative row count (nrows %lld, nnode %lld)",
                        (long long)nrows, (long long)nnode);
    if (out->nfeat != b->nfeat)
        return wn__fail(WN_EINVAL, "hist_build: histogram has %lld features, binning %lld",
                        (long long)out->nfeat, (long long)b->nfeat);
    for (int64_t f = 0; f < b->nfeat; f++)
        if (out->offset[f + 1] - out->offset[f] != b->nbins[f])
            return wn__fail(WN_EINVAL, "hist_build: histogram not shaped by the binning "
                                       "(feature %lld)", (long long)f);
    const int64_t nf = b->nfeat;
    if (nnode == 0) {
        wn__hist_clear(out);
        return WN_OK;
    }
    if (!codes || !grad || !hess)
        return wn__fail(WN_EINVAL, "hist_build: %s is NULL",
                        !codes ? "codes" : !grad ? "grad" : "hess");
    if (rows) {
        for (int64_t i = 0; i < nnode; i++)
            if (rows[i] < 0 || rows[i] >= nrows)
                return wn__fail(WN_EINVAL, "hist_build: rows[%lld] = %lld outside [0, %lld)",
                                (long long)i, (long long)rows[i], (long long)nrows);
    } else if (nnode > nrows) {
        return wn__fail(WN_EINVAL, "hist_build: nnode %lld > nrows %lld", (long long)nnode,
                        (long long)nrows);
    }
    if ((uint64_t)nnode > SIZE_MAX / sizeof(gh_pair))
        return wn__oom("histogram pairs");
    int nt = wn__threads(threads);
    if (nt > nf)
        nt = (int)nf;
    int par = nt > 1 && (double)nnode * (double)nf >= PAR_MIN_WORK;
    if (!par)
        nt = 1;
    /* all memory is taken before the parallel region: nothing inside fails */
    gh_pair *pairs = wn__malloc_array((size_t)nnode, sizeof *pairs);
    wn__hist_bin *acc = wn__malloc_array((size_t)nt * NCODES, sizeof *acc);
    if (!pairs || !acc) {
        wn_free(pairs);
        wn_free(acc);
        return wn__oom("histogram scratch");
    }
    for (int64_t i = 0; i < nnode; i++) {
        int64_t r = rows ? rows[i] : i;
        pairs[i].g = grad[r];
        pairs[i].h = hess[r];
    }
    int bad = 0;
#pragma omp parallel num_threads(nt) if (par)
    {
#ifdef _OPENMP
        wn__hist_bin *a = acc + (size_t)omp_get_thread_num() * NCODES;
#else
        wn__hist_bin *a = acc;
#endif
#pragma omp for schedule(dynamic, 1)
        for (int64_t f = 0; f < nf; f++) {
            feature_sums(codes + f * nrows, pairs, rows, nnode, a);
            int nb = b->nbins[f];
            memcpy(wn__hist_feature(out, f), a, (size_t)nb * sizeof *a);
            int64_t beyond = 0;
            for (int k = nb; k < NCODES; k++)
                beyond += a[k].n;
            if (beyond) {
#pragma omp atomic write
                bad = 1;
            }
        }
    }
    wn_free(acc);
    wn_free(pairs);
    if (bad)
        return wn__fail(WN_EINVAL, "hist_build: a code is >= its feature's bin count");
    return WN_OK;
}

/* ---- subtraction ---------------------------------------------------------- */

wn_status wn__hist_subtract(const wn__hist *parent, const wn__hist *child, wn__hist *sibling)
{
    if (!parent || !child || !sibling)
        return wn__fail(WN_EINVAL, "hist_subtract: %s is NULL",
                        !parent ? "parent" : !child ? "child" : "sibling");
    if (!same_shape(parent, child) || !same_shape(parent, sibling))
        return wn__fail(WN_EINVAL, "hist_subtract: histograms of different shapes");
    const wn__hist_bin *p = parent->bins, *c = child->bins;
    wn__hist_bin *s = sibling->bins;
    for (int64_t k = 0; k < parent->nbins_total; k++) {
        double g = p[k].g - c[k].g, h = p[k].h - c[k].h;
        int64_t n = p[k].n - c[k].n;
        s[k].g = g;
        s[k].h = h;
        s[k].n = n;
    }
    return WN_OK;
}
