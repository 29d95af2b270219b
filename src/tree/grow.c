/* grow.c — leaf-wise growth of one tree (the algorithm is in grow.h). */
#include "grow.h"

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows of a deep node are scattered over the table: their codes are fetched
 * PREFETCH rows ahead of use. */
#define PREFETCH 64
#if defined(__GNUC__) || defined(__clang__)
#define WN__PREFETCH(p) __builtin_prefetch(p)
#else
#define WN__PREFETCH(p) ((void)(p))
#endif

/* Both children's split searches run at once when the histograms hold at
 * least this many bins (a search over fewer is shorter than waking a thread) */
#define PAR_SCAN_BINS 4096

#define PART_BLOCK 4096 /* rows per block of the parallel partition (small, so
                           that the threads' shares are even; the result does
                           not depend on it: the partition is stable)       */

/* Splits of leaves of at most SPEC_MAX_ROWS rows run several at a time, one
 * per thread, when threads are available: the best leaf's and,
 * speculatively, those of up to SPEC_PER_THREAD * threads - 1 runners-up
 * (grow.h). */
#define SPEC_MAX_ROWS 32768
#define SPEC_PER_THREAD 2
#define SPEC_MAX_THREADS 16
#define SPEC_ROOM 4

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

/* A leaf's split carried out but not yet committed to the tree: its rows
 * are partitioned (lefts first), the children's histograms built and their
 * best splits found. */
typedef struct expansion {
    int done;
    leaf_state left, right;
    wn__hist *spare[2]; /* histograms the children do not need, or NULL */
} expansion;

struct wn__grower {
    const wn__binning *b;
    wn__hist_builder *hb;
    int nhb1;
    wn__hist_builder **hb1; /* [nhb1] one-thread builders of concurrent splits */
    expansion *ex;            /* [maxl] per leaf */
    int64_t nrows;
    int maxl;
    wn__rowid *idx;
    wn__rowid *tmp;
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
    for (int i = 0; i < g->nhb1; i++)
        wn__hist_builder_free(g->hb1 ? g->hb1[i] : NULL);
    wn_free(g->hb1);
    for (int i = 0; i < g->maxl; i++) {
        wn__hist_free(g->leaves ? g->leaves[i].hist : NULL);
        if (g->ex) {
            wn__hist_free(g->ex[i].left.hist);
            wn__hist_free(g->ex[i].right.hist);
            wn__hist_free(g->ex[i].spare[0]);
            wn__hist_free(g->ex[i].spare[1]);
        }
    }
    wn_free(g->ex);
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
    g->ex = wn__calloc((size_t)num_leaves, sizeof *g->ex);
    if (!g->idx || !g->tmp || !g->blk || !g->leaves || !g->nodes || !g->pool || !g->ex) {
        wn__grower_free(g);
        return wn__oom("tree grower");
    }
    wn_status st = wn__hist_builder_create(b, threads, &g->hb);
    int nt = wn__threads(threads);
    if (st == WN_OK && nt > 1) {
        nt = nt < SPEC_MAX_THREADS ? nt : SPEC_MAX_THREADS;
        g->hb1 = wn__calloc((size_t)nt, sizeof *g->hb1);
        if (!g->hb1)
            st = wn__oom("tree grower");
        for (int i = 0; st == WN_OK && i < nt; i++, g->nhb1++)
            st = wn__hist_builder_create(b, 1, &g->hb1[i]);
    }
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

void wn__grower_leaf_rows(const wn__grower *g, int32_t l, const wn__rowid **rows, int64_t *n)
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
 * of tmp (n scratch slots, the leaf's own: two leaves may be partitioned at
 * once) (lefts from the front, rights from the back, both slots written
 * and one pointer moved: no branch to mispredict); the blocks' lefts and
 * rights are then copied to their places. */
static int64_t partition(wn__grower *g, wn__rowid *idx, wn__rowid *tmp, int64_t n, const uint8_t *cf,
                         int miss, int bin, int dl, int threads)
{
    int64_t nb = (n + PART_BLOCK - 1) / PART_BLOCK;
    int nt = wn__threads(threads);
    if (nb < 2 || nt < 2) {
        int64_t nl = 0, nr = 0;
        for (int64_t i = 0; i < n; i++) {
            wn__rowid r = idx[i];
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
            wn__rowid row = idx[i];
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
        wn__rowid *dst = idx + nl + (a - off[k]); /* the rights, back in order */
        for (int64_t i = e - 1; i >= a + c; i--)
            *dst++ = tmp[i];
    }
    return nl;
}

/* ---- growth --------------------------------------------------------------- */

/* Whether leaf s may be split, the leaf budget aside. */
static int splittable(const wn__grow_params *p, const wn__grow_data *d, const leaf_state *s)
{
    double hmin = p->split.min_hess > 1e-12 ? p->split.min_hess : 1e-12;
    return (p->max_depth <= 0 || s->depth < p->max_depth) && s->tot.n >= 2 * p->split.min_data &&
           (double)s->tot.h * d->hscale > hmin;
}

static void find(wn__grower *g, const wn__grow_params *p, const wn__grow_data *d, leaf_state *s,
                 int threads)
{
    wn__split_find(s->hist, g->b, &p->split, d->use, s->tot, d->gscale, d->hscale, s->lo, s->hi,
                   threads, &s->best);
}

/* Carries out the split of leaf s (its best split) into x, with `threads`
 * threads, histograms from hb: partitions its rows, builds the smaller
 * child's histogram into hs (a free one) and derives the larger's from the
 * leaf's own, finds both children's best splits. The leaf budget is not
 * looked at: the children of the tree's last split get their searches too
 * (wasted, and the same tree). s->hist passes to the children. */
static wn_status expand(wn__grower *g, const wn__grow_params *p, const wn__grow_data *d,
                        leaf_state *s, wn__hist *hs, wn__hist_builder *hb, int threads,
                        expansion *x)
{
    const wn__split sp = s->best;
    const int32_t f = sp.feature;
    int64_t nl = partition(g, g->idx + s->begin, g->tmp + s->begin, s->tot.n,
                           d->fcodes + (int64_t)f * g->nrows, g->b->missing_bin[f], sp.bin,
                           sp.default_left, threads);
    if (nl != sp.left.n) {
        x->done = 1; /* so that hs is released with x */
        x->spare[0] = hs;
        return wn__fail(WN_EINTERNAL, "grow_tree: partition sent %lld rows left, histogram said "
                                      "%lld", (long long)nl, (long long)sp.left.n);
    }
    leaf_state *l = &x->left, *r = &x->right;
    wn__hist *ph = s->hist;
    s->hist = NULL;
    *l = *s;
    *r = *s;
    l->tot = sp.left;
    r->begin = s->begin + sp.left.n;
    r->tot = sp.right;
    l->depth = r->depth = s->depth + 1;
    l->best.feature = r->best.feature = -1;
    l->hist = r->hist = NULL;
    int mono = p->split.monotone ? p->split.monotone[f] : 0;
    if (mono) {
        double mid = 0.5 * (sp.wl + sp.wr);
        if (mono > 0) {
            l->hi = mid < l->hi ? mid : l->hi;
            r->lo = mid > r->lo ? mid : r->lo;
        } else {
            l->lo = mid > l->lo ? mid : l->lo;
            r->hi = mid < r->hi ? mid : r->hi;
        }
    }
    x->done = 1;
    x->spare[0] = hs;
    int ok_l = splittable(p, d, l), ok_r = splittable(p, d, r);
    if (!ok_l && !ok_r) {
        x->spare[1] = ph;
        return WN_OK;
    }
    leaf_state *small = sp.left.n <= sp.right.n ? l : r, *large = small == l ? r : l;
    int ok_small = small == l ? ok_l : ok_r, ok_large = small == l ? ok_r : ok_l;
    wn_status st = wn__hist_build(hb, d->recs, g->idx + small->begin, small->tot.n, hs);
    if (st == WN_OK && ok_large)
        st = wn__hist_subtract(ph, hs, ph);
    /* what a child that cannot split does not need is released with x */
    small->hist = ok_small ? hs : NULL;
    large->hist = ok_large ? ph : NULL;
    x->spare[0] = ok_small ? NULL : hs;
    x->spare[1] = ok_large ? NULL : ph;
    if (st != WN_OK)
        return st;
    if (ok_small && ok_large && threads > 1 && g->b->nfeat * WN__BIN_MAX_BINS >= PAR_SCAN_BINS) {
        /* the two searches are independent: one per thread */
#pragma omp parallel sections num_threads(2)
        {
#pragma omp section
            find(g, p, d, small, 1);
#pragma omp section
            find(g, p, d, large, 1);
        }
    } else {
        if (ok_small)
            find(g, p, d, small, threads);
        if (ok_large)
            find(g, p, d, large, threads);
    }
    return WN_OK;
}

/* Releases what an expansion holds and forgets it. */
static void expansion_drop(wn__grower *g, expansion *x)
{
    hist_put(g, x->left.hist);
    hist_put(g, x->right.hist);
    hist_put(g, x->spare[0]);
    hist_put(g, x->spare[1]);
    memset(x, 0, sizeof *x);
}

/* Undoes the partition of a leaf expanded but never split: merges its two
 * ascending runs back into one (the refit sums in ascending row order). */
static void unpartition(wn__grower *g, const leaf_state *s, const expansion *x)
{
    wn__rowid *idx = g->idx + s->begin, *tmp = g->tmp + s->begin;
    int64_t n = s->tot.n, nl = x->left.tot.n, i = 0, j = nl, k = 0;
    while (i < nl && j < n)
        tmp[k++] = idx[i] < idx[j] ? idx[i++] : idx[j++];
    while (i < nl)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
}

/* The best splittable leaf (highest gain, ties to the lower number), or
 * -1; with `unexpanded`, among those with no expansion yet and not in
 * skip[0..nskip). */
static int best_leaf(const wn__grower *g, int nleaves, const int *skip, int nskip, int unexpanded)
{
    const leaf_state *L = g->leaves;
    int best = -1;
    for (int l = 0; l < nleaves; l++) {
        if (L[l].best.feature < 0 || (unexpanded && g->ex[l].done))
            continue;
        int skipped = 0;
        for (int k = 0; k < nskip; k++)
            skipped |= skip[k] == l;
        if (!skipped && (best < 0 || L[l].best.gain > L[best].best.gain))
            best = l;
    }
    return best;
}

wn_status wn__grow_tree(wn__grower *g, const wn__grow_params *p, const wn__grow_data *d,
                        wn__tree **out)
{
    const int64_t nused = d->nused;
    if (nused < 1 || nused > g->nrows || p->num_leaves > g->maxl || p->num_leaves < 2)
        return wn__fail(WN_EINTERNAL, "grow_tree: bad arguments");
    const int64_t *rows = d->rows;
    wn__node_sums tot = {0, 0, nused};
    wn_status st = WN_OK;
    wn__hist *rh = NULL; /* the root's histogram */
    for (int64_t i = 0; i < nused; i++)
        g->idx[i] = (wn__rowid)(rows ? rows[i] : i);
    if (d->quant) {
        /* the rows' (g, h) come into being in the root build: the totals
         * are the sums over any one feature's bins */
        if (rows || nused != d->recs->nrows)
            return wn__fail(WN_EINTERNAL, "grow_tree: quantising root of a row subset");
        if ((st = hist_get(g, &rh)) != WN_OK)
            return st;
        if ((st = wn__hist_build_quantize(g->hb, d->recs, d->quant, rh)) != WN_OK) {
            hist_put(g, rh);
            return st;
        }
        for (int64_t k = rh->offset[0]; k < rh->offset[1]; k++) {
            int64_t bg, bh, bn;
            wn__hist_bin(rh, k, &bg, &bh, &bn);
            tot.g += bg;
            tot.h += bh;
        }
    } else {
        for (int64_t i = 0; i < nused; i++) {
            int32_t gq, hq;
            wn__rec_gh(d->recs, g->idx[i], &gq, &hq);
            tot.g += gq;
            tot.h += hq;
        }
    }
    int nleaves = 1, nnodes = 0;
    const int nt = wn__threads(p->threads);
    leaf_state *L = g->leaves;
    memset(&L[0], 0, sizeof L[0]);
    memset(g->ex, 0, (size_t)p->num_leaves * sizeof *g->ex);
    L[0].tot = tot;
    L[0].lo = -HUGE_VAL;
    L[0].hi = HUGE_VAL;
    L[0].parent = -1;
    L[0].best.feature = -1;
    if (splittable(p, d, &L[0])) {
        L[0].hist = rh;
        rh = NULL;
        if (!L[0].hist) {
            if ((st = hist_get(g, &L[0].hist)) != WN_OK)
                goto done;
            st = wn__hist_build(g->hb, d->recs, rows ? g->idx : NULL, nused, L[0].hist);
            if (st != WN_OK)
                goto done;
        }
        find(g, p, d, &L[0], p->threads);
    }
    hist_put(g, rh);
    while (nleaves < p->num_leaves) {
        int best = best_leaf(g, nleaves, NULL, 0, 0);
        if (best < 0)
            break;
        leaf_state *s = &L[best];
        expansion *x = &g->ex[best];
        if (!x->done) {
            /* a small split runs beside those of the next best small leaves
             * without an expansion, as many as the tree may still take */
            int cand[SPEC_PER_THREAD * SPEC_MAX_THREADS], nc = 1;
            cand[0] = best;
            int room = p->num_leaves - nleaves - 1; /* splits after this one */
            /* near the end of the tree the runners-up are less and less
             * likely to be split at all: speculate while the budget left is
             * at least SPEC_ROOM times the candidates (a wasted expansion
             * costs time, never the result) */
            int maxc = SPEC_PER_THREAD * g->nhb1;
            if (g->nhb1 > 1 && s->tot.n <= SPEC_MAX_ROWS)
                while (nc < maxc && nc * SPEC_ROOM <= room) {
                    int o = best_leaf(g, nleaves, cand, nc, 1);
                    if (o < 0 || L[o].tot.n > SPEC_MAX_ROWS)
                        break;
                    cand[nc++] = o;
                }
            wn__hist *hc[SPEC_PER_THREAD * SPEC_MAX_THREADS];
            for (int c = 0; c < nc; c++)
                if ((st = hist_get(g, &hc[c])) != WN_OK) {
                    while (c-- > 0)
                        hist_put(g, hc[c]);
                    goto done;
                }
            if (nc == 1) {
                st = expand(g, p, d, s, hc[0], g->hb, nt, x);
            } else {
                wn_status sc[SPEC_PER_THREAD * SPEC_MAX_THREADS];
                int nth = nc < g->nhb1 ? nc : g->nhb1;
#pragma omp parallel for num_threads(nth) schedule(dynamic, 1)
                for (int c = 0; c < nc; c++) {
#ifdef _OPENMP
                    int t = omp_get_thread_num();
#else
                    int t = 0;
#endif
                    sc[c] = expand(g, p, d, &L[cand[c]], hc[c], g->hb1[t], 1, &g->ex[cand[c]]);
                }
                for (int c = 0; c < nc; c++)
                    if (st == WN_OK)
                        st = sc[c];
            }
            if (st != WN_OK)
                goto done;
        }
        /* commit: node k splits leaf `best` into leaves best and nleaves */
        const wn__split sp = s->best;
        int32_t k = nnodes++;
        wn__node *nd = &g->nodes[k];
        memset(nd, 0, sizeof *nd);
        nd->feature = sp.feature;
        nd->bin = (uint8_t)sp.bin;
        nd->threshold = g->b->cuts[sp.feature][sp.bin]; /* +inf past the last cut */
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
        *s = x->left;
        *r = x->right;
        s->parent = r->parent = k;
        s->is_left = 1;
        r->is_left = 0;
        x->left.hist = x->right.hist = NULL;
        expansion_drop(g, x);
        memset(&g->ex[nleaves], 0, sizeof g->ex[nleaves]);
        nleaves++;
        if (nleaves == p->num_leaves) {
            hist_put(g, s->hist);
            hist_put(g, r->hist);
            s->hist = r->hist = NULL;
        }
    }
    for (int l = 0; l < nleaves; l++)
        if (g->ex[l].done) { /* expanded beside another, never split */
            unpartition(g, &L[l], &g->ex[l]);
            expansion_drop(g, &g->ex[l]);
        }
    wn__tree *t = NULL;
    if ((st = wn__tree_alloc(nleaves, &t)) != WN_OK)
        goto done;
    memcpy(t->nodes, g->nodes, (size_t)nnodes * sizeof *t->nodes);
    const wn__split_params *sp = &p->split;
    double hmin = sp->min_hess > 1e-12 ? sp->min_hess : 1e-12;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1 && nused > 65536)
    for (int l = 0; l < nleaves; l++) {
        /* leaf refit: exact sums of the leaf's rows, ascending row order */
        const wn__rowid *lr = g->idx + L[l].begin;
        const int64_t ln = L[l].tot.n;
        double G = 0.0, H = 0.0;
        for (int64_t i = 0; i < ln; i++) {
            if (i + PREFETCH < ln) {
                WN__PREFETCH(d->grad + lr[i + PREFETCH]);
                WN__PREFETCH(d->hess + lr[i + PREFETCH]);
            }
            G += (double)d->grad[lr[i]];
            H += (double)d->hess[lr[i]];
        }
        double w = H > hmin ? wn__leaf_output(G, H, sp->l1, sp->l2, L[l].lo, L[l].hi) : 0.0;
        double v = p->learning_rate * w;
        t->leaf_value[l] = v;
        t->leaf_hess[l] = H;
        t->leaf_count[l] = ln;
        if (d->score) {
            double *sc = d->score;
            const int64_t ss = d->score_stride;
            for (int64_t i = 0; i < ln; i++) {
                if (i + PREFETCH < ln)
                    WN__PREFETCH(sc + lr[i + PREFETCH] * ss);
                sc[lr[i] * ss] += v;
            }
        }
    }
    *out = t;
done:
    for (int l = 0; l < nleaves; l++) {
        if (g->ex[l].done)
            expansion_drop(g, &g->ex[l]);
        hist_put(g, L[l].hist);
        L[l].hist = NULL;
    }
    return st;
}
