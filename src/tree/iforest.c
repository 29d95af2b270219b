/* iforest.c — the isolation forest: fitting and scoring.
 *
 * Liu, Ting & Zhou, "Isolation Forest", ICDM 2008 (doi:10.1109/ICDM.2008.17);
 * the longer account is Liu, Ting & Zhou, ACM TKDD 6(1), 2012.
 *
 * Anomalies are few and different, so random axis-parallel cuts isolate
 * them in fewer steps than ordinary events. Each tree takes a subsample of
 * psi = min(sample_size, rows) events (without replacement; with event
 * weights, drawn with replacement with probability proportional to weight,
 * so that a weight w counts as w identical events) and splits it on a random
 * feature at a value drawn uniformly between that feature's minimum and
 * maximum at the node, until a node holds one event, all its events are
 * equal, or the depth limit ceil(log2(psi)) is reached. A leaf of n events
 * at depth d counts as a path length d + c(n), c(n) being the mean path
 * length of an unsuccessful search in a binary search tree of n keys. An
 * event's score is 2^(-E[h(x)] / c(psi)): near 1 for anomalies, below 0.5
 * for ordinary events.
 *
 * Determinism: tree k draws every number from its own counter-RNG stream
 * (wn_rng_make(seed, k)), so trees can be built in any order on any number
 * of threads and come out bit-identical.
 *
 * Scoring is the hot path (a million events times a hundred trees). Trees
 * are stored as flat node arrays (iforest.h) whose leaves loop to
 * themselves, so that a walk is `depth` branch-free steps. Rows are scored in
 * blocks of BLOCK: the block's features are gathered once into a small
 * row-major buffer that stays in L1, then every tree walks all rows of the
 * block level by level; the steps of different rows are independent, which
 * keeps the core's load units busy instead of waiting on one walk's chain of
 * dependent loads. Each row sums its path lengths in tree order, so the
 * scores do not depend on the thread count or the block schedule. */
#include "iforest.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 128     /* rows scored together                            */
#define TREE_CHUNK 32 /* trees built between two progress reports        */

/* ---- small helpers ---- */

double wn__iforest_c(double n)
{
    if (n <= 1)
        return 0.0;
    return 2.0 * (log(n - 1.0) + 0.5772156649) - 2.0 * (n - 1.0) / n;
}

int wn__iforest_depth_for(int64_t psi)
{
    int d = 0;
    while (((int64_t)1 << d) < psi)
        d++;
    return d;
}

wn_iforest_params wn_iforest_params_default(void)
{
    wn_iforest_params p;
    memset(&p, 0, sizeof p);
    p.data.seed = 42;
    p.trees = 100;
    p.sample_size = 256;
    p.max_depth = 0;
    return p;
}

void wn_iforest_free(wn_iforest *m)
{
    if (!m)
        return;
    wn__features_free(&m->f);
    wn_free(m->off);
    wn_free(m->steps);
    wn_free(m->nodes);
    wn_free(m->leafval);
    wn_free(m->lsize);
    wn_free(m->header);
    wn_free(m);
}

int64_t wn_iforest_num_features(const wn_iforest *m)
{
    return m ? m->f.nfeat : 0;
}
const char *wn_iforest_feature_name(const wn_iforest *m, int64_t i)
{
    return m && i >= 0 && i < m->f.nfeat ? m->f.names[i] : NULL;
}
int wn_iforest_num_trees(const wn_iforest *m)
{
    return m ? m->trees : 0;
}
int64_t wn_iforest_num_rows(const wn_iforest *m)
{
    return m ? m->nrows : 0;
}
int64_t wn_iforest_num_dropped(const wn_iforest *m)
{
    return m ? m->ndropped : 0;
}
const char *wn_iforest_header(const wn_iforest *m)
{
    return m ? m->header : NULL;
}

/* ---- building one tree ---- */

/* One tree as built: nodes in breadth-first order. */
typedef struct built {
    int32_t nn, depth;
    wn__ifnode *nodes;
    double *leafval;
    int32_t *lsize;
} built;

static void built_free(built *b)
{
    wn_free(b->nodes);
    wn_free(b->leafval);
    wn_free(b->lsize);
    memset(b, 0, sizeof *b);
}

/* Per-thread scratch for building trees. */
typedef struct scratch {
    float *x;               /* [psi][d] the subsample, row-major         */
    int32_t *perm;          /* [psi] rows of x, partitioned node by node */
    int32_t *lo, *hi, *dep; /* [2 psi] node ranges, in node order        */
    int64_t *pick;          /* [psi] chosen fit rows                     */
    int64_t *set;           /* [hcap] open-addressing set for sampling   */
    size_t hcap;
    float *fmin, *fmax; /* [d] ranges at the node                    */
    int32_t *cand;      /* [d] non-constant features                 */
} scratch;

static void scratch_free(scratch *s)
{
    wn_free(s->x);
    wn_free(s->perm);
    wn_free(s->lo);
    wn_free(s->hi);
    wn_free(s->dep);
    wn_free(s->pick);
    wn_free(s->set);
    wn_free(s->fmin);
    wn_free(s->fmax);
    wn_free(s->cand);
}

static int scratch_alloc(scratch *s, int64_t psi, int64_t d, int weighted)
{
    memset(s, 0, sizeof *s);
    size_t P = (size_t)psi, D = (size_t)d;
    s->hcap = 16;
    while (s->hcap < 2 * P)
        s->hcap *= 2;
    s->x = wn__malloc_array(P * D, sizeof *s->x);
    s->perm = wn__malloc_array(P, sizeof *s->perm);
    s->lo = wn__malloc_array(2 * P, sizeof *s->lo);
    s->hi = wn__malloc_array(2 * P, sizeof *s->hi);
    s->dep = wn__malloc_array(2 * P, sizeof *s->dep);
    s->pick = wn__malloc_array(P, sizeof *s->pick);
    s->set = weighted ? NULL : wn__malloc_array(s->hcap, sizeof *s->set);
    s->fmin = wn__malloc_array(D, sizeof *s->fmin);
    s->fmax = wn__malloc_array(D, sizeof *s->fmax);
    s->cand = wn__malloc_array(D, sizeof *s->cand);
    if (!s->x || !s->perm || !s->lo || !s->hi || !s->dep || !s->pick || (!weighted && !s->set) ||
        !s->fmin || !s->fmax || !s->cand) {
        scratch_free(s);
        return -1;
    }
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* psi distinct rows of 0..n-1, uniformly (Floyd's algorithm: for j from
 * n-psi to n-1 draw t in 0..j and take t, or j when t is already taken),
 * sorted so that the gather reads the columns forward. */
static void sample_plain(scratch *s, wn_rng *r, int64_t n, int64_t psi)
{
    if (psi == n) {
        for (int64_t i = 0; i < n; i++)
            s->pick[i] = i;
        return;
    }
    const size_t mask = s->hcap - 1;
    for (size_t i = 0; i < s->hcap; i++)
        s->set[i] = -1;
    int64_t k = 0;
    for (int64_t j = n - psi; j < n; j++) {
        int64_t t = (int64_t)wn_rng_below(r, (uint64_t)j + 1);
        for (int pass = 0; pass < 2; pass++) {
            /* insert t; if it was there, insert j instead (never there) */
            size_t h = (size_t)(((uint64_t)t * 0x9E3779B97F4A7C15ull) >> 20) & mask;
            while (s->set[h] >= 0 && s->set[h] != t)
                h = (h + 1) & mask;
            if (s->set[h] != t) {
                s->set[h] = t;
                s->pick[k++] = t;
                break;
            }
            t = j;
        }
    }
    qsort(s->pick, (size_t)psi, sizeof *s->pick, cmp_i64);
}

/* psi rows drawn with replacement, P(row i) = w_i / sum(w): cum holds the
 * running sums of the weights. */
static void sample_weighted(scratch *s, wn_rng *r, const double *cum, int64_t n, int64_t psi)
{
    const double total = cum[n - 1];
    for (int64_t k = 0; k < psi; k++) {
        double u = wn_rng_uniform(r) * total;
        int64_t lo = 0, hi = n - 1; /* first i with cum[i] > u */
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        s->pick[k] = lo;
    }
    qsort(s->pick, (size_t)psi, sizeof *s->pick, cmp_i64);
}

/* Grows tree `k` on its subsample; returns -1 when memory runs out. */
static int grow_tree(const wn__udata *u, const double *cum, int64_t psi, int depth_limit,
                     uint64_t seed, int k, scratch *s, built *out)
{
    const int64_t d = u->f.nfeat;
    wn_rng r = wn_rng_make(seed, (uint64_t)k);
    if (cum)
        sample_weighted(s, &r, cum, u->n, psi);
    else
        sample_plain(s, &r, u->n, psi);
    for (int64_t i = 0; i < psi; i++) {
        wn__udata_row(u, s->pick[i], s->x + i * d);
        s->perm[i] = (int32_t)i;
    }
    const size_t cap = (size_t)(2 * psi - 1);
    memset(out, 0, sizeof *out);
    out->nodes = wn__malloc_array(cap, sizeof *out->nodes);
    out->leafval = wn__malloc_array(cap, sizeof *out->leafval);
    out->lsize = wn__malloc_array(cap, sizeof *out->lsize);
    if (!out->nodes || !out->leafval || !out->lsize) {
        built_free(out);
        return -1;
    }
    /* breadth first: node i's children are appended as a pair */
    int32_t nn = 1, maxdep = 0;
    s->lo[0] = 0, s->hi[0] = (int32_t)psi, s->dep[0] = 0;
    for (int32_t i = 0; i < nn; i++) {
        const int32_t lo = s->lo[i], hi = s->hi[i], dep = s->dep[i];
        int32_t nc = 0;
        if (hi - lo > 1 && dep < depth_limit) {
            for (int64_t f = 0; f < d; f++)
                s->fmin[f] = s->fmax[f] = s->x[(int64_t)s->perm[lo] * d + f];
            for (int32_t j = lo + 1; j < hi; j++) {
                const float *x = s->x + (int64_t)s->perm[j] * d;
                for (int64_t f = 0; f < d; f++) {
                    s->fmin[f] = x[f] < s->fmin[f] ? x[f] : s->fmin[f];
                    s->fmax[f] = x[f] > s->fmax[f] ? x[f] : s->fmax[f];
                }
            }
            for (int64_t f = 0; f < d; f++)
                if (s->fmax[f] > s->fmin[f])
                    s->cand[nc++] = (int32_t)f;
        }
        if (nc == 0) { /* leaf */
            const int32_t size = hi - lo;
            out->nodes[i] = (wn__ifnode){NAN, 0, i};
            out->leafval[i] = (double)dep + wn__iforest_c((double)size);
            out->lsize[i] = size;
            maxdep = dep > maxdep ? dep : maxdep;
            continue;
        }
        const int32_t f = s->cand[wn_rng_below(&r, (uint64_t)nc)];
        const float mn = s->fmin[f], mx = s->fmax[f];
        float thr = (float)((double)mn + wn_rng_uniform(&r) * ((double)mx - (double)mn));
        if (!(thr > mn)) /* rounding: keep both sides non-empty (mn < thr <= mx) */
            thr = nextafterf(mn, mx);
        /* partition: x < thr left, x >= thr right */
        int32_t a = lo, b = hi - 1;
        while (a <= b) {
            if (s->x[(int64_t)s->perm[a] * d + f] < thr) {
                a++;
            } else {
                int32_t t = s->perm[a];
                s->perm[a] = s->perm[b];
                s->perm[b--] = t;
            }
        }
        out->nodes[i] = (wn__ifnode){thr, f, nn};
        out->leafval[i] = 0.0;
        out->lsize[i] = 0;
        s->lo[nn] = lo, s->hi[nn] = a, s->dep[nn] = dep + 1;
        s->lo[nn + 1] = a, s->hi[nn + 1] = hi, s->dep[nn + 1] = dep + 1;
        nn += 2;
    }
    out->nn = nn;
    out->depth = maxdep;
    return 0;
}

static int report(const wn_progress *pg, int64_t done, int64_t total)
{
    return pg->fn && pg->fn(pg->ud, "iforest", done, total);
}

/* ---- fit ---- */

wn_status wn_iforest_fit(const wn_table *t, const wn_iforest_params *p, wn_iforest **out)
{
    if (!t || !p || !out)
        return wn__fail(WN_EINVAL, "iforest: NULL argument");
    if (p->trees < 1 || p->trees > WN__IF_MAX_TREES)
        return wn__fail(WN_EINVAL, "iforest: trees = %d: must be 1..%d", p->trees,
                        WN__IF_MAX_TREES);
    if (p->sample_size < 2 || p->sample_size > WN__IF_MAX_SAMPLE)
        return wn__fail(WN_EINVAL, "iforest: sample_size = %lld: must be 2..%lld",
                        (long long)p->sample_size, (long long)WN__IF_MAX_SAMPLE);
    if (p->max_depth < 0 || p->max_depth > WN__IF_MAX_DEPTH)
        return wn__fail(WN_EINVAL, "iforest: max_depth = %d: must be 0 (automatic) or 1..%d",
                        p->max_depth, WN__IF_MAX_DEPTH);
    wn__udata u;
    wn_status s = wn__udata_prepare(t, &p->data, "iforest", &u);
    if (s != WN_OK)
        return s;
    if (u.n < 2) {
        wn__udata_free(&u);
        return wn__fail(WN_EINVAL, "iforest: %lld usable row%s: at least 2 are needed",
                        (long long)u.n, u.n == 1 ? "" : "s");
    }
    const int T = p->trees;
    const int64_t psi = p->sample_size < u.n ? p->sample_size : u.n;
    const int depth_limit = p->max_depth ? p->max_depth : wn__iforest_depth_for(psi);
    const int nt = wn__threads(p->data.threads);
    wn_iforest *m = wn__calloc(1, sizeof *m);
    built *bt = wn__calloc((size_t)T, sizeof *bt);
    scratch *sc = wn__calloc((size_t)nt, sizeof *sc);
    double *cum = NULL;
    int scratch_ok = 0;
    if (!m || !bt || !sc) {
        s = wn__oom("isolation forest");
        goto done;
    }
    if (u.w) {
        if (!(cum = wn__malloc_array((size_t)u.n, sizeof *cum))) {
            s = wn__oom("isolation forest weights");
            goto done;
        }
        double acc = 0;
        for (int64_t i = 0; i < u.n; i++)
            cum[i] = acc += (double)u.w[i];
    }
    for (int k = 0; k < nt; k++, scratch_ok++)
        if (scratch_alloc(sc + k, psi, u.f.nfeat, cum != NULL) != 0) {
            s = wn__oom("isolation forest scratch");
            goto done;
        }
    int failed = 0;
    for (int t0 = 0; t0 < T && !failed; t0 += TREE_CHUNK) {
        const int t1 = t0 + TREE_CHUNK < T ? t0 + TREE_CHUNK : T;
        if (report(&p->data.progress, t0, T)) {
            s = wn__fail(WN_EINVAL, "cancelled");
            goto done;
        }
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nt > 1 && t1 - t0 > 1)
        for (int k = t0; k < t1; k++) {
            scratch *mine = sc + omp_get_thread_num();
            if (grow_tree(&u, cum, psi, depth_limit, p->data.seed, k, mine, bt + k) != 0) {
#pragma omp atomic write
                failed = 1;
            }
        }
    }
    if (failed) {
        s = wn__oom("isolation tree");
        goto done;
    }
    if (report(&p->data.progress, T, T)) {
        s = wn__fail(WN_EINVAL, "cancelled");
        goto done;
    }
    /* concatenate */
    int64_t total = 0;
    for (int k = 0; k < T; k++)
        total += bt[k].nn;
    m->off = wn__malloc_array((size_t)T + 1, sizeof *m->off);
    m->steps = wn__malloc_array((size_t)T, sizeof *m->steps);
    m->nodes = wn__malloc_array((size_t)total, sizeof *m->nodes);
    m->leafval = wn__malloc_array((size_t)total, sizeof *m->leafval);
    m->lsize = wn__malloc_array((size_t)total, sizeof *m->lsize);
    if (!m->off || !m->steps || !m->nodes || !m->leafval || !m->lsize) {
        s = wn__oom("isolation forest");
        goto done;
    }
    m->off[0] = 0;
    for (int k = 0; k < T; k++) {
        const int64_t o = m->off[k];
        memcpy(m->nodes + o, bt[k].nodes, (size_t)bt[k].nn * sizeof *m->nodes);
        memcpy(m->leafval + o, bt[k].leafval, (size_t)bt[k].nn * sizeof *m->leafval);
        memcpy(m->lsize + o, bt[k].lsize, (size_t)bt[k].nn * sizeof *m->lsize);
        m->steps[k] = bt[k].depth;
        m->off[k + 1] = o + bt[k].nn;
    }
    m->trees = T;
    m->sample_size = p->sample_size;
    m->max_depth = p->max_depth;
    m->seed = p->data.seed;
    m->drop_missing = p->data.drop_missing != 0;
    m->standardize = p->data.standardize != 0;
    m->nrows = u.n;
    m->ndropped = u.ndropped;
    m->psi = psi;
    m->depth_limit = depth_limit;
    m->cpsi = wn__iforest_c((double)psi);
    m->f = u.f;
    memset(&u.f, 0, sizeof u.f);
    if ((s = wn__iforest_build_header(m, u.input_hash, p->data.command_line)) != WN_OK)
        goto done;
    *out = m;
    m = NULL;
done:
    for (int k = 0; bt && k < T; k++)
        built_free(bt + k);
    wn_free(bt);
    for (int k = 0; k < scratch_ok; k++)
        scratch_free(sc + k);
    wn_free(sc);
    wn_free(cum);
    wn_iforest_free(m);
    wn__udata_free(&u);
    return s;
}

/* ---- scoring ---- */

/* One step of a walk: from node i to its child (or stay, at a leaf). */
#define STEP(i, x)                                                                                 \
    do {                                                                                           \
        const wn__ifnode *q_ = nd + (i);                                                           \
        (i) = q_->next + ((x)[q_->feat] >= q_->thr);                                               \
    } while (0)

/* Sum of the path lengths of rows xb[0..nb) (row-major, d features) over
 * every tree, in tree order. Eight rows walk a tree together: their chains
 * of dependent loads are independent, so the core overlaps them. */
static void score_block(const wn_iforest *m, const float *xb, int64_t d, int nb, double *acc)
{
    for (int r = 0; r < nb; r++)
        acc[r] = 0.0;
    for (int k = 0; k < m->trees; k++) {
        const wn__ifnode *nd = m->nodes + m->off[k];
        const double *lv = m->leafval + m->off[k];
        const int steps = m->steps[k];
        int r = 0;
        for (; r + 8 <= nb; r += 8) {
            const float *x0 = xb + r * d, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
            const float *x4 = x3 + d, *x5 = x4 + d, *x6 = x5 + d, *x7 = x6 + d;
            int32_t i0 = 0, i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0, i6 = 0, i7 = 0;
            for (int st = 0; st < steps; st++) {
                STEP(i0, x0);
                STEP(i1, x1);
                STEP(i2, x2);
                STEP(i3, x3);
                STEP(i4, x4);
                STEP(i5, x5);
                STEP(i6, x6);
                STEP(i7, x7);
            }
            acc[r] += lv[i0], acc[r + 1] += lv[i1], acc[r + 2] += lv[i2], acc[r + 3] += lv[i3];
            acc[r + 4] += lv[i4], acc[r + 5] += lv[i5], acc[r + 6] += lv[i6];
            acc[r + 7] += lv[i7];
        }
        for (; r < nb; r++) {
            const float *x0 = xb + r * d;
            int32_t i0 = 0;
            for (int st = 0; st < steps; st++)
                STEP(i0, x0);
            acc[r] += lv[i0];
        }
    }
}

/* Rows r0..r0+nb of the bound table into xb (row-major, fitted space), as
 * wn__bound_row would give them, read feature by feature so that each
 * column is read forward; bad[r] = 1 where a value is NaN/inf. */
static void gather(const wn__bound *b, int64_t r0, int nb, int64_t d, float *xb, uint8_t *bad)
{
    memset(bad, 0, (size_t)nb);
    const int64_t *ridx = b->ridx ? b->ridx + r0 : NULL;
    for (int64_t f = 0; f < d; f++) {
        const float *c = b->cols[f] + (ridx ? 0 : r0);
        const double ce = b->f->center[f], sc = b->f->scale[f];
        float *x = xb + f;
        if (b->f->standardized) {
            for (int r = 0; r < nb; r++, x += d) {
                float v = c[ridx ? ridx[r] : r];
                bad[r] = (uint8_t)(bad[r] | !isfinite(v));
                *x = (float)(((double)v - ce) / sc);
            }
        } else { /* (v - 0) / 1 == v: the same bits without the arithmetic */
            for (int r = 0; r < nb; r++, x += d) {
                float v = c[ridx ? ridx[r] : r];
                bad[r] = (uint8_t)(bad[r] | !isfinite(v));
                *x = v;
            }
        }
    }
}

wn_status wn_iforest_score(const wn_iforest *m, const wn_table *t, int allow_missing, int threads,
                           double *score)
{
    if (!m || !t || !score)
        return wn__fail(WN_EINVAL, "iforest_score: NULL argument");
    wn__bound b;
    wn_status s = wn__features_bind(&m->f, t, allow_missing, "iforest_score", &b);
    if (s != WN_OK)
        return s;
    const int64_t n = b.nrows, d = m->f.nfeat, nblk = (n + BLOCK - 1) / BLOCK;
    int nt = wn__threads(threads);
    if (nt > nblk)
        nt = nblk > 0 ? (int)nblk : 1;
    /* per thread: the block's sums, rows and missing flags */
    const size_t per = (size_t)BLOCK * (size_t)d * sizeof(float) + BLOCK * sizeof(double) + BLOCK;
    char *mem = wn__malloc_array((size_t)nt, per);
    if (!mem) {
        wn__bound_free(&b);
        return wn__oom("isolation forest scoring");
    }
    const double inv = -1.0 / ((double)m->trees * m->cpsi);
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        char *my = mem + (size_t)omp_get_thread_num() * per;
        double *acc = (double *)(void *)my;
        float *xb = (float *)(void *)(acc + BLOCK);
        uint8_t *bad = (uint8_t *)(xb + (size_t)BLOCK * (size_t)d);
#pragma omp for schedule(static)
        for (int64_t bl = 0; bl < nblk; bl++) {
            const int64_t r0 = bl * BLOCK;
            const int nb = (int)(n - r0 < BLOCK ? n - r0 : BLOCK);
            gather(&b, r0, nb, d, xb, bad);
            score_block(m, xb, d, nb, acc);
            for (int r = 0; r < nb; r++)
                score[r0 + r] = bad[r] ? (double)NAN : exp2(acc[r] * inv);
        }
    }
    wn_free(mem);
    wn__bound_free(&b);
    return WN_OK;
}
