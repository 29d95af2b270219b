/* hist.c — building quantised node histograms (hist.h has the layout and
 * the reasons).
 *
 * Inner loop: for each row of the node, its packed (g, h) word is added to
 * the bin of each feature's code, and the bin's count incremented. Codes are
 * row-major, so one row's codes are one contiguous read; the histogram of
 * all features (nbins_total x 12 bytes, ~86 KB for 28 features of 256 bins)
 * stays in L2. The feature loop is unrolled by four to give the CPU
 * independent updates to overlap.
 *
 * Threads: a node of at least PAR_MIN_ROWS rows is cut into as many
 * contiguous chunks as threads; each thread sums its chunk into its own
 * scratch histogram and the partials are added bin by bin after the
 * parallel region. Integer sums make the order irrelevant, hence the same bits at any
 * thread count; the old floating-point builder had to keep one serial row
 * order per feature for that. */
#include "hist.h"

#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define NCODES 256
#define PAR_MIN_ROWS 8192
/* A node's rows are scattered over the table in deep nodes: their codes and
 * gradients are fetched PREFETCH rows ahead of use. */
#define PREFETCH 16
#if defined(__GNUC__) || defined(__clang__)
#define WN__PREFETCH(p) __builtin_prefetch(p)
#else
#define WN__PREFETCH(p) ((void)(p))
#endif

struct wn__hist_builder {
    const wn__binning *b;
    int nt;
    int64_t nbins_total;
    int64_t *offset;  /* [nfeat+1]                            */
    uint64_t *gh;     /* [nt * nbins_total] partial sums       */
    uint32_t *n;      /* [nt * nbins_total] partial counts     */
};

/* ---- allocation ----------------------------------------------------------- */

void wn__hist_free(wn__hist *h) { wn_free(h); }

void wn__hist_clear(wn__hist *h)
{
    if (!h)
        return;
    memset(h->gh, 0, (size_t)h->nbins_total * sizeof *h->gh);
    memset(h->n, 0, (size_t)h->nbins_total * sizeof *h->n);
}

static wn_status total_bins(const wn__binning *b, const char *who, int64_t *total)
{
    if (!b)
        return wn__fail(WN_EINVAL, "%s: binning is NULL", who);
    if (b->nfeat < 1 || b->nfeat > WN_MAX_COLUMNS)
        return wn__fail(WN_EINVAL, "%s: nfeat = %lld outside 1..%d", who, (long long)b->nfeat,
                        WN_MAX_COLUMNS);
    int64_t t = 0;
    for (int64_t f = 0; f < b->nfeat; f++) {
        if (b->nbins[f] < 1 || b->nbins[f] > NCODES)
            return wn__fail(WN_EINVAL, "%s: feature %lld has %d bins (1..%d)", who, (long long)f,
                            b->nbins[f], NCODES);
        t += b->nbins[f]; /* <= WN_MAX_COLUMNS * 256: no overflow */
    }
    *total = t;
    return WN_OK;
}

wn_status wn__hist_create(const wn__binning *b, wn__hist **out)
{
    if (!out)
        return wn__fail(WN_EINVAL, "hist_create: out is NULL");
    int64_t total;
    wn_status st = total_bins(b, "hist_create", &total);
    if (st != WN_OK)
        return st;
    /* header | offsets | gh | n, each part a multiple of 8 bytes */
    size_t nf = (size_t)b->nfeat, nb = (size_t)total;
    size_t head = (sizeof(wn__hist) + 7) / 8 * 8;
    size_t offs = (nf + 1) * sizeof(int64_t);
    size_t ghb = nb * sizeof(uint64_t);
    size_t nbb = (nb * sizeof(uint32_t) + 7) / 8 * 8;
    unsigned char *mem = wn__calloc(1, head + offs + ghb + nbb);
    if (!mem)
        return wn__oom("histogram");
    wn__hist *h = (wn__hist *)(void *)mem;
    h->nfeat = b->nfeat;
    h->nbins_total = total;
    h->offset = (int64_t *)(void *)(mem + head);
    h->gh = (uint64_t *)(void *)(mem + head + offs);
    h->n = (uint32_t *)(void *)(mem + head + offs + ghb);
    h->offset[0] = 0;
    for (int64_t f = 0; f < b->nfeat; f++)
        h->offset[f + 1] = h->offset[f] + b->nbins[f];
    *out = h;
    return WN_OK;
}

void wn__hist_builder_free(wn__hist_builder *hb)
{
    if (!hb)
        return;
    wn_free(hb->offset);
    wn_free(hb->gh);
    wn_free(hb->n);
    wn_free(hb);
}

wn_status wn__hist_builder_create(const wn__binning *b, int threads, wn__hist_builder **out)
{
    if (!out)
        return wn__fail(WN_EINVAL, "hist_builder_create: out is NULL");
    int64_t total;
    wn_status st = total_bins(b, "hist_builder_create", &total);
    if (st != WN_OK)
        return st;
    wn__hist_builder *hb = wn__calloc(1, sizeof *hb);
    if (!hb)
        return wn__oom("histogram builder");
    hb->b = b;
    hb->nt = wn__threads(threads);
    hb->nbins_total = total;
    hb->offset = wn__malloc_array((size_t)b->nfeat + 1, sizeof *hb->offset);
    hb->gh = wn__malloc_array((size_t)hb->nt * (size_t)total, sizeof *hb->gh);
    hb->n = wn__malloc_array((size_t)hb->nt * (size_t)total, sizeof *hb->n);
    if (!hb->offset || !hb->gh || !hb->n) {
        wn__hist_builder_free(hb);
        return wn__oom("histogram builder");
    }
    hb->offset[0] = 0;
    for (int64_t f = 0; f < b->nfeat; f++)
        hb->offset[f + 1] = hb->offset[f] + b->nbins[f];
    *out = hb;
    return WN_OK;
}

static int same_shape(const wn__hist *a, const wn__hist *c)
{
    return a->nfeat == c->nfeat && a->nbins_total == c->nbins_total &&
           memcmp(a->offset, c->offset, (size_t)(a->nfeat + 1) * sizeof(int64_t)) == 0;
}

/* ---- build ---------------------------------------------------------------- */

/* Sums rows [a, e) of the node into (gh, n), zeroed by the caller. */
static void sum_rows(const uint8_t *codes, int64_t nf, const int64_t *off, const uint64_t *ghr,
                     const int64_t *rows, int64_t a, int64_t e, uint64_t *gh, uint32_t *n)
{
    for (int64_t i = a; i < e; i++) {
        int64_t r = rows ? rows[i] : i;
        if (rows && i + PREFETCH < e) {
            WN__PREFETCH(codes + rows[i + PREFETCH] * nf);
            WN__PREFETCH(ghr + rows[i + PREFETCH]);
        }
        const uint8_t *c = codes + r * nf;
        uint64_t v = ghr[r];
        int64_t f = 0;
        for (; f + 4 <= nf; f += 4) {
            int64_t k0 = off[f] + c[f], k1 = off[f + 1] + c[f + 1];
            int64_t k2 = off[f + 2] + c[f + 2], k3 = off[f + 3] + c[f + 3];
            gh[k0] += v;
            n[k0]++;
            gh[k1] += v;
            n[k1]++;
            gh[k2] += v;
            n[k2]++;
            gh[k3] += v;
            n[k3]++;
        }
        for (; f < nf; f++) {
            int64_t k = off[f] + c[f];
            gh[k] += v;
            n[k]++;
        }
    }
}

wn_status wn__hist_build(wn__hist_builder *hb, const uint8_t *codes, const uint64_t *gh,
                         const int64_t *rows, int64_t nnode, wn__hist *out)
{
    if (!hb || !out)
        return wn__fail(WN_EINVAL, "hist_build: %s is NULL", hb ? "out" : "builder");
    if (nnode < 0)
        return wn__fail(WN_EINVAL, "hist_build: nnode = %lld", (long long)nnode);
    if (out->nfeat != hb->b->nfeat || out->nbins_total != hb->nbins_total ||
        memcmp(out->offset, hb->offset, (size_t)(out->nfeat + 1) * sizeof(int64_t)) != 0)
        return wn__fail(WN_EINVAL, "hist_build: histogram not shaped by the binning");
    if (nnode > 0 && (!codes || !gh))
        return wn__fail(WN_EINVAL, "hist_build: %s is NULL", !codes ? "codes" : "gh");
    wn__hist_clear(out);
    if (nnode == 0)
        return WN_OK;
    const int64_t nf = out->nfeat, nb = out->nbins_total;
    int nt = hb->nt;
    if (nt > 1 && nnode >= PAR_MIN_ROWS) {
        if ((int64_t)nt > nnode / (PAR_MIN_ROWS / 2))
            nt = (int)(nnode / (PAR_MIN_ROWS / 2));
    } else {
        nt = 1;
    }
    if (nt == 1) {
        sum_rows(codes, nf, out->offset, gh, rows, 0, nnode, out->gh, out->n);
        return WN_OK;
    }
    int used = nt;
#pragma omp parallel num_threads(nt)
    {
#ifdef _OPENMP
        int t = omp_get_thread_num(), tn = omp_get_num_threads();
#else
        int t = 0, tn = 1;
#endif
        if (t == 0)
            used = tn;
        uint64_t *pg = t == 0 ? out->gh : hb->gh + (size_t)t * (size_t)nb;
        uint32_t *pn = t == 0 ? out->n : hb->n + (size_t)t * (size_t)nb;
        if (t) {
            memset(pg, 0, (size_t)nb * sizeof *pg);
            memset(pn, 0, (size_t)nb * sizeof *pn);
        }
        int64_t a = nnode * t / tn, e = nnode * (t + 1) / tn;
        sum_rows(codes, nf, out->offset, gh, rows, a, e, pg, pn);
    }
    /* one barrier per build (the region's end): on a busy machine every
     * barrier may wait a time slice for a descheduled thread */
    for (int u = 1; u < used; u++) {
        const uint64_t *pg = hb->gh + (size_t)u * (size_t)nb;
        const uint32_t *pn = hb->n + (size_t)u * (size_t)nb;
        for (int64_t k = 0; k < nb; k++) {
            out->gh[k] += pg[k];
            out->n[k] += pn[k];
        }
    }
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
    const int64_t nb = parent->nbins_total;
    for (int64_t k = 0; k < nb; k++) {
        sibling->gh[k] = parent->gh[k] - child->gh[k];
        sibling->n[k] = parent->n[k] - child->n[k];
    }
    return WN_OK;
}
