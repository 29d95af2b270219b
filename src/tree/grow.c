/* grow.c — leaf-wise growth of one tree (the algorithm is in grow.h). */
#include "grow.h"

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows of a deep node are scattered over the table: their codes are fetched
 * PREFETCH rows ahead of use. */
#define PREFETCH 16
#if defined(__GNUC__) || defined(__clang__)
#define WN__PREFETCH(p) __builtin_prefetch(p)
#else
#define WN__PREFETCH(p) ((void)(p))
#endif

/* Both children's split searches run at once when the histograms hold at
 * least this many bins (a search over fewer is shorter than waking a thread) */
#define PAR_SCAN_BINS 4096

#define PART_BLOCK 16384 /* rows per block of the parallel partition: fixed,
                            so the result never depends on the thread count */

typedef struct leaf_state {
    int64_t begin;
    wn__node_sums tot; /* quantised sums and row count */
    int depth;
    double lo, hi;
    wn__hist *hist; /* NULL when the leaf will not be split */
    wn__split best;
    int32_t parent; /* internal node pointing at this leaf, -1 for the root */
    int is_left;
} leaf_state;

struct wn__grower {
    const wn__binning *b;
    wn__hist_builder *hb;
    int64_t nrows;
    int maxl;
    int64_t *idx;
    int64_t *tmp;
    int64_t *blk; /* per-block left counts and offsets of the parallel partition */
    leaf_state *leaves;
    wn__node *nodes;
    wn__hist **pool;
    int npool, pool_cap;
};

void wn__grower_free(wn__grower *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->npool; i++)
        wn__hist_free(g->pool[i]);
    wn__hist_builder_free(g->hb);
    for (int i = 0; i < g->maxl; i++)
        wn__hist_free(g->leaves ? g->leaves[i].hist : NULL);
    wn_free(g->pool);
    wn_free(g->idx);
    wn_free(g->tmp);
    wn_free(g->blk);
    wn_free(g->leaves);
    wn_free(g->nodes);
    wn_free(g);
}

wn_status wn__grower_create(const wn__binning *b, int64_t nrows, int num_leaves, int threads,
                            wn__grower **out)
{
    if (!b || !out || nrows < 1 || num_leaves < 2 || num_leaves > WN_GBDT_MAX_LEAVES)
        return wn__fail(WN_EINVAL, "grower_create: bad arguments");
    wn__grower *g = wn__calloc(1, sizeof *g);
    if (!g)
        return wn__oom("tree grower");
    g->b = b;
    g->nrows = nrows;
    g->maxl = num_leaves;
    g->pool_cap = num_leaves + 1;
    g->idx = wn__malloc_array((size_t)nrows, sizeof *g->idx);
    g->tmp = wn__malloc_array((size_t)nrows, sizeof *g->tmp);
    g->blk = wn__malloc_array((size_t)(2 * (nrows / PART_BLOCK + 2)), sizeof *g->blk);
    g->leaves = wn__calloc((size_t)num_leaves, sizeof *g->leaves);
    g->nodes = wn__calloc((size_t)num_leaves, sizeof *g->nodes);
    g->pool = wn__calloc((size_t)g->pool_cap, sizeof *g->pool);
    if (!g->idx || !g->tmp || !g->blk || !g->leaves || !g->nodes || !g->pool) {
        wn__grower_free(g);
        return wn__oom("tree grower");
    }
    wn_status st = wn__hist_builder_create(b, threads, &g->hb);
    if (st != WN_OK) {
        wn__grower_free(g);
        return st;
    }
    *out = g;
    return WN_OK;
}

static wn_status hist_get(wn__grower *g, wn__hist **h)
{
    if (g->npool > 0) {
        *h = g->pool[--g->npool];
        return WN_OK;
    }
    return wn__hist_create(g->b, h);
}

static void hist_put(wn__grower *g, wn__hist *h)
{
    if (!h)
        return;
    if (g->npool < g->pool_cap)
        g->pool[g->npool++] = h;
    else
        wn__hist_free(h);
}

void wn__grower_leaf_rows(const wn__grower *g, int32_t l, const int64_t **rows, int64_t *n)
{
    *rows = g->idx + g->leaves[l].begin;
    *n = g->leaves[l].tot.n;
}

/* ---- stable partition of a leaf's rows --------------------------------- */

/* cf = the feature's codes (feature-major); a row's code is cf[r].
 * Branch-free: the missing bin is last, above any threshold bin, so
 * "code <= bin" is false for it and only its default direction can send it
 * left. */
static inline int goes_left(const uint8_t *cf, int64_t r, int miss, int bin, int dl)
{
    int c = cf[r];
    return (c <= bin) | ((c == miss) & dl);
}

/* Moves the rows of idx[0..n) going left to the front, keeping the order on
 * both sides. Returns the number going left. Large ranges are cut into
 * blocks of PART_BLOCK rows partitioned in parallel, each into its own slots
 * of tmp (lefts from the front, rights from the back, both slots written
 * and one pointer moved: no branch to mispredict); the blocks' lefts and
 * rights are then copied to their places. */
static int64_t partition(wn__grower *g, int64_t *idx, int64_t n, const uint8_t *cf, int miss,
                         int bin, int dl, int threads)
{
    int64_t nb = (n + PART_BLOCK - 1) / PART_BLOCK;
    int nt = wn__threads(threads);
    int64_t *tmp = g->tmp;
    if (nb < 2 || nt < 2) {
        int64_t nl = 0, nr = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t r = idx[i];
            if (i + PREFETCH < n)
                WN__PREFETCH(cf + idx[i + PREFETCH]);
            int left = goes_left(cf, r, miss, bin, dl);
            idx[nl] = r; /* nl <= i: never overwrites a row not yet read */
            tmp[nr] = r;
            nl += left;
            nr += 1 - left;
        }
        memcpy(idx + nl, tmp, (size_t)nr * sizeof *idx);
        return nl;
    }
    int64_t *cnt = g->blk, *off = g->blk + nb;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t k = 0; k < nb; k++) {
        int64_t a = k * PART_BLOCK, e = a + PART_BLOCK < n ? a + PART_BLOCK : n;
        int64_t l = a, r = e - 1; /* l <= r + 1 throughout: writes stay in [a, e) */
        for (int64_t i = a; i < e; i++) {
            int64_t row = idx[i];
            if (i + PREFETCH < e)
                WN__PREFETCH(cf + idx[i + PREFETCH]);
            int left = goes_left(cf, row, miss, bin, dl);
            tmp[l] = row;
            tmp[r] = row;
            l += left;
            r -= 1 - left;
        }
        cnt[k] = l - a;
    }
    int64_t nl = 0;
    for (int64_t k = 0; k < nb; k++) {
        off[k] = nl;
        nl += cnt[k];
    }
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int64_t k = 0; k < nb; k++) {
        int64_t a = k * PART_BLOCK, e = a + PART_BLOCK < n ? a + PART_BLOCK : n, c = cnt[k];
        memcpy(idx + off[k], tmp + a, (size_t)c * sizeof *idx);
        int64_t *dst = idx + nl + (a - off[k]); /* the rights, back in order */
        for (int64_t i = e - 1; i >= a + c; i--)
            *dst++ = tmp[i];
    }
    return nl;
}

/* ---- growth --------------------------------------------------------------- */

static int can_split(const wn__grow_params *p, const wn__grow_data *d, const leaf_state *s,
                     int nleaves)
{
    double hmin = p->split.min_hess > 1e-12 ? p->split.min_hess : 1e-12;
    return nleaves < p->num_leaves && (p->max_depth <= 0 || s->depth < p->max_depth) &&
           s->tot.n >= 2 * p->split.min_data && (double)s->tot.h * d->hscale > hmin;
}

static void find(wn__grower *g, const wn__grow_params *p, const wn__grow_data *d, leaf_state *s)
{
    wn__split_find(s->hist, g->b, &p->split, d->use, s->tot, d->gscale, d->hscale, s->lo, s->hi,
                   p->threads, &s->best);
}

wn_status wn__grow_tree(wn__grower *g, const wn__grow_params *p, const wn__grow_data *d,
                        wn__tree **out)
{
    const int64_t nused = d->nused;
    if (nused < 1 || nused > g->nrows || p->num_leaves > g->maxl || p->num_leaves < 2)
        return wn__fail(WN_EINTERNAL, "grow_tree: bad arguments");
    const int64_t *rows = d->rows;
    wn__node_sums tot = {0, 0, nused};
    for (int64_t i = 0; i < nused; i++) {
        int64_t r = rows ? rows[i] : i;
        int32_t gq, hq;
        wn__rec_gh(d->recs, r, &gq, &hq);
        g->idx[i] = r;
        tot.g += gq;
        tot.h += hq;
    }
    wn_status st = WN_OK;
    int nleaves = 1, nnodes = 0;
    leaf_state *L = g->leaves;
    memset(&L[0], 0, sizeof L[0]);
    L[0].tot = tot;
    L[0].lo = -HUGE_VAL;
    L[0].hi = HUGE_VAL;
    L[0].parent = -1;
    L[0].best.feature = -1;
    if (can_split(p, d, &L[0], 1)) {
        if ((st = hist_get(g, &L[0].hist)) != WN_OK)
            goto done;
        st = wn__hist_build(g->hb, d->recs, rows ? g->idx : NULL, nused, L[0].hist);
        if (st != WN_OK)
            goto done;
        find(g, p, d, &L[0]);
    }
    while (nleaves < p->num_leaves) {
        int best = -1;
        for (int l = 0; l < nleaves; l++)
            if (L[l].best.feature >= 0 && (best < 0 || L[l].best.gain > L[best].best.gain))
                best = l;
        if (best < 0)
            break;
        leaf_state *s = &L[best];
        const wn__split sp = s->best;
        const int32_t f = sp.feature;
        int64_t nl = partition(g, g->idx + s->begin, s->tot.n, d->fcodes + (int64_t)f * g->nrows,
                               g->b->missing_bin[f], sp.bin, sp.default_left, p->threads);
        if (nl != sp.left.n) {
            st = wn__fail(WN_EINTERNAL, "grow_tree: partition sent %lld rows left, "
                                        "histogram said %lld", (long long)nl,
                          (long long)sp.left.n);
            goto done;
        }
        int32_t k = nnodes++;
        wn__node *nd = &g->nodes[k];
        memset(nd, 0, sizeof *nd);
        nd->feature = f;
        nd->bin = (uint8_t)sp.bin;
        nd->threshold = g->b->cuts[f][sp.bin]; /* +inf past the last cut */
        nd->default_left = (uint8_t)sp.default_left;
        nd->gain = (float)sp.gain;
        nd->hess = (double)s->tot.h * d->hscale;
        nd->count = s->tot.n;
        nd->left = ~(int32_t)best;
        nd->right = ~(int32_t)nleaves;
        if (s->parent >= 0) {
            if (s->is_left)
                g->nodes[s->parent].left = k;
            else
                g->nodes[s->parent].right = k;
        }
        leaf_state *r = &L[nleaves];
        wn__hist *ph = s->hist;
        s->hist = NULL;
        *r = *s;
        s->tot = sp.left;
        r->begin = s->begin + sp.left.n;
        r->tot = sp.right;
        s->depth++;
        r->depth = s->depth;
        s->parent = r->parent = k;
        s->is_left = 1;
        r->is_left = 0;
        s->best.feature = r->best.feature = -1;
        int mono = p->split.monotone ? p->split.monotone[f] : 0;
        if (mono) {
            double mid = 0.5 * (sp.wl + sp.wr);
            if (mono > 0) {
                s->hi = mid < s->hi ? mid : s->hi;
                r->lo = mid > r->lo ? mid : r->lo;
            } else {
                s->lo = mid > s->lo ? mid : s->lo;
                r->hi = mid < r->hi ? mid : r->hi;
            }
        }
        nleaves++;
        int ok_l = can_split(p, d, s, nleaves), ok_r = can_split(p, d, r, nleaves);
        if (!ok_l && !ok_r) {
            hist_put(g, ph);
            continue;
        }
        leaf_state *small = sp.left.n <= sp.right.n ? s : r, *large = small == s ? r : s;
        int ok_small = small == s ? ok_l : ok_r, ok_large = small == s ? ok_r : ok_l;
        wn__hist *hs = NULL;
        if ((st = hist_get(g, &hs)) != WN_OK) {
            hist_put(g, ph);
            goto done;
        }
        st = wn__hist_build(g->hb, d->recs, g->idx + small->begin, small->tot.n, hs);
        if (st == WN_OK && ok_large)
            st = wn__hist_subtract(ph, hs, ph);
        if (st != WN_OK) {
            hist_put(g, ph);
            hist_put(g, hs);
            goto done;
        }
        if (ok_small)
            small->hist = hs;
        else
            hist_put(g, hs);
        if (ok_large)
            large->hist = ph;
        else
            hist_put(g, ph);
        if (ok_small && ok_large && wn__threads(p->threads) > 1 &&
            g->b->nfeat * WN__BIN_MAX_BINS >= PAR_SCAN_BINS) {
            /* the two searches are independent: one per thread */
            wn__grow_params p1 = *p;
            p1.threads = 1;
#pragma omp parallel sections num_threads(2)
            {
#pragma omp section
                find(g, &p1, d, small);
#pragma omp section
                find(g, &p1, d, large);
            }
        } else {
            if (ok_small)
                find(g, p, d, small);
            if (ok_large)
                find(g, p, d, large);
        }
    }
    wn__tree *t = NULL;
    if ((st = wn__tree_alloc(nleaves, &t)) != WN_OK)
        goto done;
    memcpy(t->nodes, g->nodes, (size_t)nnodes * sizeof *t->nodes);
    const wn__split_params *sp = &p->split;
    double hmin = sp->min_hess > 1e-12 ? sp->min_hess : 1e-12;
    int nt = wn__threads(p->threads);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1 && nused > 65536)
    for (int l = 0; l < nleaves; l++) {
        /* leaf refit: exact sums of the leaf's rows, ascending row order */
        const int64_t *lr = g->idx + L[l].begin;
        double G = 0.0, H = 0.0;
        for (int64_t i = 0; i < L[l].tot.n; i++) {
            G += (double)d->grad[lr[i]];
            H += (double)d->hess[lr[i]];
        }
        double w = H > hmin ? wn__leaf_output(G, H, sp->l1, sp->l2, L[l].lo, L[l].hi) : 0.0;
        t->leaf_value[l] = p->learning_rate * w;
        t->leaf_hess[l] = H;
        t->leaf_count[l] = L[l].tot.n;
    }
    *out = t;
done:
    for (int l = 0; l < nleaves; l++) {
        hist_put(g, L[l].hist);
        L[l].hist = NULL;
    }
    return st;
}
