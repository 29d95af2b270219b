/* split.c — best split of a node from its gradient/hessian histogram.
 * The rules are in split.h; this file is the scan. Per feature, one pass
 * over the ordinary bins accumulates the left sums (the right sums are the
 * node's totals minus them), a second pass repeats it with the missing bin
 * on the left when the node has missing rows. The common case (no L1, no
 * bounds, no monotone constraint) takes a path with one division per child
 * and no clamping. */
#include "split.h"

#include <math.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define HESS_FLOOR 1e-12

static double soft(double g, double l1)
{
    if (l1 <= 0.0)
        return g;
    if (g > l1)
        return g - l1;
    if (g < -l1)
        return g + l1;
    return 0.0;
}

double wn__leaf_output(double G, double H, double l1, double l2, double lo, double hi)
{
    double d = H + l2;
    if (!(d > 0.0))
        return 0.0;
    double w = -soft(G, l1) / d;
    if (w < lo)
        w = lo;
    if (w > hi)
        w = hi;
    return w;
}

static double score_of(double G, double H, double l1, double l2, double w)
{
    return -(2.0 * soft(G, l1) * w + (H + l2) * w * w);
}

typedef struct scan_ctx {
    const wn__split_params *p;
    wn__node_sums tot;
    double sg, sh;  /* scales of the quantised sums          */
    double lo, hi;
    double parent;  /* score of the unsplit node            */
    double hmin;    /* smallest admissible child hessian sum */
    int simple;     /* no l1, no bounds, no monotone         */
} scan_ctx;

/* Considers one candidate (quantised left sums); updates *best when
 * strictly better. */
static inline void consider(const scan_ctx *c, int mono, int64_t glq, int64_t hlq, int64_t nl,
                            int bin, int dl, int32_t f, wn__split *best)
{
    int64_t nr = c->tot.n - nl;
    if (nl < c->p->min_data || nr < c->p->min_data)
        return;
    int64_t grq = c->tot.g - glq, hrq = c->tot.h - hlq;
    double gl = (double)glq * c->sg, hl = (double)hlq * c->sh;
    double gr = (double)grq * c->sg, hr = (double)hrq * c->sh;
    if (!(hl > c->hmin) || !(hr > c->hmin))
        return;
    double l2 = c->p->l2, gain, wl, wr;
    if (c->simple) {
        gain = gl * gl / (hl + l2) + gr * gr / (hr + l2) - c->parent;
        if (!(gain > best->gain))
            return;
        wl = -gl / (hl + l2);
        wr = -gr / (hr + l2);
    } else {
        double l1 = c->p->l1;
        wl = wn__leaf_output(gl, hl, l1, l2, c->lo, c->hi);
        wr = wn__leaf_output(gr, hr, l1, l2, c->lo, c->hi);
        if ((mono > 0 && wl > wr) || (mono < 0 && wl < wr))
            return;
        gain = score_of(gl, hl, l1, l2, wl) + score_of(gr, hr, l1, l2, wr) - c->parent;
        if (!(gain > best->gain))
            return;
    }
    best->feature = f;
    best->bin = bin;
    best->default_left = dl < 0 ? nl >= nr : dl;
    best->gain = gain;
    best->left.g = glq;
    best->left.h = hlq;
    best->left.n = nl;
    best->right.g = grq;
    best->right.h = hrq;
    best->right.n = nr;
    best->wl = wl;
    best->wr = wr;
}

/* The prefix sums stay packed (hist.h): every prefix is a sum over a subset
 * of the node's rows, so it unpacks exactly like the node's totals. One
 * scan for both formats: PACKED3 carries the count in its low 16 bits. */
static inline void scan_feature(const scan_ctx *c, const uint64_t *gh, const uint32_t *cnt,
                                int p3, int nb, int32_t f, int mono, wn__split *best)
{
    const uint64_t miss = gh[nb - 1];
    const int64_t mn = p3 ? (int64_t)(miss & 0xffffu) : cnt[nb - 1];
    const int has_missing = mn > 0;
    const int last = has_missing ? nb - 2 : nb - 3; /* last threshold tried */
    const int64_t N = c->tot.n, md = c->p->min_data;
    for (int pass = 0; pass < 1 + has_missing; pass++) {
        uint64_t acc = pass ? miss : 0;
        int64_t n = pass ? mn : 0;
        int end = pass ? nb - 3 : last;
        int dl = pass ? 1 : has_missing ? 0 : -1;
        for (int b = 0; b <= end; b++) {
            acc += gh[b];
            if (p3)
                n = (int64_t)(acc & 0xffffu);
            else
                n += cnt[b];
            if (n < md)
                continue;
            if (N - n < md)
                break;
            int64_t g, h, nn;
            if (p3)
                wn__p3_unpack(acc, &g, &h, &nn);
            else
                wn__gh_unpack(acc, &g, &h);
            consider(c, mono, g, h, n, b, dl, f, best);
        }
    }
}

static void scan_one(const scan_ctx *c, const wn__hist *h, const wn__binning *b, int64_t f,
                     wn__split *best)
{
    int mono = c->p->monotone ? c->p->monotone[f] : 0;
    if (h->fmt == WN__HIST_PACKED3)
        scan_feature(c, h->gh + h->offset[f], NULL, 1, b->nbins[f], (int32_t)f, mono, best);
    else
        scan_feature(c, h->gh + h->offset[f], h->n + h->offset[f], 0, b->nbins[f], (int32_t)f,
                     mono, best);
}

void wn__split_find(const wn__hist *h, const wn__binning *b, const wn__split_params *p,
                    const uint8_t *use, wn__node_sums tot, double gscale, double hscale,
                    double lo, double hi, int threads, wn__split *best)
{
    scan_ctx c;
    c.p = p;
    c.tot = tot;
    c.sg = gscale;
    c.sh = hscale;
    c.lo = lo;
    c.hi = hi;
    c.hmin = p->min_hess > HESS_FLOOR ? p->min_hess : HESS_FLOOR;
    c.simple = p->l1 <= 0.0 && !p->monotone && isinf(lo) && isinf(hi);
    double G = (double)tot.g * gscale, H = (double)tot.h * hscale;
    double w = wn__leaf_output(G, H, p->l1, p->l2, lo, hi);
    c.parent = c.simple ? (H + p->l2 > 0.0 ? G * G / (H + p->l2) : 0.0)
                        : score_of(G, H, p->l1, p->l2, w);
    best->feature = -1;
    best->gain = p->min_gain > 0.0 ? p->min_gain : 0.0;
    if (tot.n < 2 * p->min_data || !(H > c.hmin))
        return;
    const int64_t nf = b->nfeat;
    int nt = wn__threads(threads);
    int par = nt > 1 && nf >= 64;
    if (!par) {
        for (int64_t f = 0; f < nf; f++) {
            if ((use && !use[f]) || b->nbins[f] <= 2)
                continue;
            scan_one(&c, h, b, f, best);
        }
        return;
    }
    /* Parallel: each thread keeps the best of a contiguous range of
     * features (static split), the ranges are merged in feature order with
     * the same strict comparison, which yields the serial answer. */
    wn__split part[64];
    if (nt > 64)
        nt = 64;
    for (int t = 0; t < nt; t++)
        part[t] = *best;
#pragma omp parallel num_threads(nt)
    {
#ifdef _OPENMP
        int t = omp_get_thread_num();
        int tn = omp_get_num_threads();
#else
        int t = 0, tn = 1;
#endif
        int64_t f0 = nf * t / tn, f1 = nf * (t + 1) / tn;
        for (int64_t f = f0; f < f1; f++) {
            if ((use && !use[f]) || b->nbins[f] <= 2)
                continue;
            scan_one(&c, h, b, f, &part[t]);
        }
    }
    for (int t = 0; t < nt; t++)
        if (part[t].feature >= 0 && part[t].gain > best->gain)
            *best = part[t];
}
