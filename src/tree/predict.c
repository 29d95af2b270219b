/* predict.c — applying a GBDT model to a table, fast.
 *
 * Tree ensembles are evaluated row by row in most libraries: each row walks
 * each tree, and every node is a data-dependent branch that the CPU predicts
 * wrongly about half the time. Two ideas from the literature remove most of
 * that cost:
 *   - Block-wise evaluation (Lucchese et al., "QuickScorer", SIGIR 2015;
 *     Asadi, Lin & de Vries, "Runtime optimizations for tree-based machine
 *     learning models", IEEE TKDE 2014): score a block of rows against one
 *     tree at a time, so the tree stays in L1 while the block's features
 *     stay in L1/L2 too.
 *   - Predication and interleaving (Asadi et al.'s "pred" variant): walk all
 *     rows of the block in lockstep, one level per pass, choosing the child
 *     with a select instead of a branch. The rows' loads are independent, so
 *     the CPU overlaps their cache misses, and nothing is mispredicted. The
 *     list of rows still inside the tree is compacted after every pass
 *     (branch-free), so deep leaves of leaf-wise trees cost only the rows
 *     that reach them: on a 500-tree, 255-leaf model this is 2.5x faster
 *     than passes over the whole block (measured in this repository with
 *     `winnow predict --threads 1`, 3.4 s -> 1.34 s for 200k rows).
 *
 * Layout. At each call the model's trees are packed, fold by fold, into one
 * flat array of 16-byte nodes {threshold, feature | default_left << 31,
 * left, right} whose children are node indices (>= 0) or ~leaf (< 0) into
 * one flat array of leaf values. Packing costs one pass over the model, a
 * tiny part of any real prediction, and keeps the model itself read-only so
 * that many threads may predict with one model at once. Each block of rows
 * is copied, row-major, into a per-thread float buffer (this is also where a
 * view's row index is applied), then scored.
 *
 * Codes. When the model has at most 65535 features and 2^24 nodes per fold
 * (always, in practice), the block is first turned into the training bins'
 * codes (one byte per value, the same branchless search that binned the
 * training data; NaN as 255) and the trees are walked on 8-byte nodes {bin,
 * flags, feature, first child} laid out breadth-first with the two children
 * side by side: a quarter of the row bytes and half the node bytes of the
 * float walk, so the block and more of the trees stay in cache. The decision
 * is the same bit for bit (code <= bin <=> x <= cuts[bin] = threshold; the
 * loader refuses a model whose thresholds are not its bins' cuts): on the
 * 500-tree, 255-leaf model 1.33x faster than the float walk (median of 8
 * alternated runs of `winnow predict` on 200k rows, 2 threads). The float
 * walk remains for the rest.
 *
 * Determinism. A row's raw score is base_score[k] plus its leaf values in
 * tree order, each row on its own: the bits do not depend on the block
 * size or the thread count. A k-fold model routes a row to the fold that did
 * not see it (id mod nfold) when the table has the fold_by column, else it
 * averages the fold models' raw scores, summed in fold order. An ensemble
 * (bagged members stored as folds) averages its members' values instead,
 * and wn_gbdt_predict_members writes each member's values apart. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "objective.h"

#ifndef BLOCK
#define BLOCK 256 /* rows scored together */
#endif

typedef struct pnode {
    float thr;
    uint32_t fdl; /* feature | default_left << 31 */
    int32_t ch[2];
} pnode;

/* One fold's trees: internal nodes first (nodes[0 .. nint-1], tree after
 * tree), then one "sink" per leaf (nodes[nint + j] for leaf j) whose two
 * children are itself, so a walk that reached a leaf simply stays there and
 * the inner loop needs no test for it. */
/* The same trees on bin codes (8-byte nodes): go left iff
 *   code == 255 (missing) ? flags & 1 : code <= bin,
 * the children of a node sit side by side (child, child + 1), laid out
 * breadth-first per tree, and the parent says which children are leaves
 * (flags bit 1 left, bit 2 right), so a walk needs neither sinks nor a range
 * test; a leaf's value is val[its slot]. Half the node bytes and a quarter
 * of the row bytes of the float walk: the block stays in L1. Equivalent bit
 * for bit: code <= bin <=> x <= cuts[bin] = threshold (bin.h). */
typedef struct cnode {
    uint8_t bin, flags;
    uint16_t feat;
    int32_t child;
} cnode;

typedef struct pfold {
    cnode *cn;       /* NULL: the float walk only                          */
    double *cval;    /* [slots] leaf values by slot                        */
    int32_t *croot;  /* [ntrees] the root slot; crleaf: the root is a leaf */
    uint8_t *crleaf;
    pnode *nodes;
    double *leaf;  /* [nleaves] values, leaf j at sink nint + j */
    int32_t *root; /* [ntrees] */
    int32_t nint;
    int64_t ntrees;
    const double *base;
} pfold;

static void pfold_free(pfold *p, int n)
{
    for (int f = 0; p && f < n; f++) {
        wn_free(p[f].nodes);
        wn_free(p[f].leaf);
        wn_free(p[f].root);
        wn_free(p[f].cn);
        wn_free(p[f].cval);
        wn_free(p[f].croot);
        wn_free(p[f].crleaf);
    }
    wn_free(p);
}

/* Breadth-first coded layout of fold fd into p (slots: 2L - 1 per tree). */
static wn_status pack_coded(const wn__fold *fd, int64_t nslots, pfold *p)
{
    p->cn = wn__malloc_array((size_t)(nslots ? nslots : 1), sizeof(cnode));
    p->cval = wn__calloc((size_t)(nslots ? nslots : 1), sizeof(double));
    p->croot = wn__malloc_array((size_t)(fd->ntrees ? fd->ntrees : 1), sizeof(int32_t));
    p->crleaf = wn__malloc_array((size_t)(fd->ntrees ? fd->ntrees : 1), 1);
    int32_t *q = wn__malloc_array(WN_GBDT_MAX_LEAVES * 2, sizeof(int32_t)); /* BFS queue */
    if (!p->cn || !p->cval || !p->croot || !p->crleaf || !q) {
        wn_free(q);
        return wn__oom("predict");
    }
    int32_t base = 0;
    for (int64_t t = 0; t < fd->ntrees; t++) {
        const wn__tree *tr = fd->trees[t];
        p->croot[t] = base;
        p->crleaf[t] = tr->nleaves == 1;
        if (tr->nleaves == 1) {
            p->cval[base] = tr->leaf_value[0];
            base += 1;
            continue;
        }
        /* q holds (old node, slot) pairs of internal nodes to place */
        int head = 0, tail = 0;
        int32_t next = base + 1;
        q[tail++] = 0, q[tail++] = base;
        while (head < tail) {
            const wn__node *n = tr->nodes + q[head];
            int32_t slot = q[head + 1];
            head += 2;
            cnode *c = p->cn + slot;
            c->bin = n->bin;
            c->feat = (uint16_t)n->feature;
            c->child = next;
            c->flags = (uint8_t)(n->default_left ? 1 : 0);
            const int32_t ch[2] = {n->left, n->right};
            for (int d = 0; d < 2; d++) {
                if (ch[d] < 0) {
                    c->flags |= (uint8_t)(2 << d);
                    p->cval[next + d] = tr->leaf_value[~ch[d]];
                } else {
                    q[tail++] = ch[d], q[tail++] = next + d;
                }
            }
            next += 2;
        }
        base = next;
    }
    wn_free(q);
    return WN_OK;
}

static wn_status pack(const wn_model *m, pfold **out)
{
    pfold *pf = wn__calloc((size_t)m->nfold, sizeof(pfold));
    if (!pf)
        return wn__oom("predict");
    for (int f = 0; f < m->nfold; f++) {
        const wn__fold *fd = m->folds + f;
        pfold *p = pf + f;
        int64_t nn = 0, nl = 0;
        for (int64_t t = 0; t < fd->ntrees; t++) {
            nn += fd->trees[t]->nleaves - 1;
            nl += fd->trees[t]->nleaves;
        }
        if (nn + nl > INT32_MAX) {
            pfold_free(pf, m->nfold);
            return wn__fail(WN_ENOMEM, "predict: fold %d has %lld nodes, more than 2^31-1", f,
                            (long long)(nn + nl));
        }
        p->ntrees = fd->ntrees;
        p->base = fd->base_score;
        p->nint = (int32_t)nn;
        p->nodes = wn__malloc_array((size_t)(nn + nl ? nn + nl : 1), sizeof(pnode));
        p->leaf = wn__malloc_array((size_t)(nl ? nl : 1), sizeof(double));
        p->root = wn__malloc_array((size_t)(fd->ntrees ? fd->ntrees : 1), sizeof(int32_t));
        if (!p->nodes || !p->leaf || !p->root) {
            pfold_free(pf, m->nfold);
            return wn__oom("predict");
        }
        const int32_t ni = p->nint;
        int32_t in = 0, il = 0;
        for (int64_t t = 0; t < fd->ntrees; t++) {
            const wn__tree *tr = fd->trees[t];
            int32_t L = tr->nleaves;
            p->root[t] = L == 1 ? ni + il : in;
            for (int32_t k = 0; k < L - 1; k++) {
                const wn__node *n = tr->nodes + k;
                pnode *q = p->nodes + in + k;
                q->thr = n->threshold;
                q->fdl = (uint32_t)n->feature | (n->default_left ? 0x80000000u : 0u);
                q->ch[0] = n->left >= 0 ? in + n->left : ni + il + ~n->left;
                q->ch[1] = n->right >= 0 ? in + n->right : ni + il + ~n->right;
            }
            for (int32_t k = 0; k < L; k++) {
                pnode *q = p->nodes + ni + il + k;
                q->thr = 0.0f;
                q->fdl = 0;
                q->ch[0] = q->ch[1] = ni + il + k;
            }
            memcpy(p->leaf + il, tr->leaf_value, (size_t)L * sizeof(double));
            in += L - 1;
            il += L;
        }
        /* the coded walk when the model has its bins (a trained or loaded one)
         * and fits the 8-byte nodes and 24-bit slots */
        if (m->bins && m->nfeat <= 65535 && nn + nl < ((int64_t)1 << 24)) {
            wn_status s = pack_coded(fd, nn + nl, p);
            if (s != WN_OK) {
                pfold_free(pf, m->nfold);
                return s;
            }
        }
    }
    *out = pf;
    return WN_OK;
}

/* acc[i*nout + k] = base[k] + the leaves of fold p's trees of output k, for
 * the n rows of the row-major block x (nf features per row). One pass moves
 * every row of the block one level down; passes stop when all rows sit on
 * sinks. */
static void score_block_coded(const pfold *p, int nout, const uint8_t *codes, int64_t nf, int n,
                              int32_t *cur, double *acc)
{
    const cnode *cn = p->cn;
    for (int64_t t = 0; t < p->ntrees; t++) {
        const int k = (int)(t % nout);
        const int32_t r = p->croot[t];
        if (p->crleaf[t]) {
            const double v = p->cval[r];
            for (int i = 0; i < n; i++)
                acc[i * nout + k] += v;
            continue;
        }
        /* live entries carry (slot << 8) | row; compacted branch-free */
        uint32_t live[BLOCK];
        int m = n;
        for (int i = 0; i < n; i++)
            live[i] = (uint32_t)r << 8 | (uint32_t)i;
        while (m > 0) {
            int m2 = 0;
            for (int j = 0; j < m; j++) {
                const uint32_t e = live[j];
                const int i = (int)(e & 0xffu);
                const cnode nd = cn[e >> 8];
                const unsigned c = codes[(int64_t)i * nf + nd.feat];
                const unsigned left = c == 255u ? (nd.flags & 1u) : (unsigned)(c <= nd.bin);
                const unsigned dir = left ^ 1u;
                const int32_t nx = nd.child + (int32_t)dir;
                const unsigned leaf = (nd.flags >> (1u + dir)) & 1u;
                cur[i] = nx;
                live[m2] = (uint32_t)nx << 8 | (uint32_t)i;
                m2 += (int)(leaf ^ 1u);
            }
            m = m2;
        }
        for (int i = 0; i < n; i++)
            acc[i * nout + k] += p->cval[cur[i]];
    }
}

static void score_block(const pfold *p, int nout, const float *x, const uint8_t *codes, int64_t nf,
                        int n, int32_t *cur, double *acc)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < nout; k++)
            acc[i * nout + k] = p->base[k];
    if (p->cn) {
        score_block_coded(p, nout, codes, nf, n, cur, acc);
        return;
    }
    const pnode *nodes = p->nodes;
    const int32_t nint = p->nint;
    for (int64_t t = 0; t < p->ntrees; t++) {
        const int k = (int)(t % nout);
        const int32_t r = p->root[t];
        if (r >= nint) {
            const double v = p->leaf[r - nint];
            for (int i = 0; i < n; i++)
                acc[i * nout + k] += v;
            continue;
        }
        /* Level by level over the rows still inside the tree: live[] lists
         * them and is compacted branch-free after each step, so a pass does
         * no work for rows already on a leaf and nothing is mispredicted. */
        int live[BLOCK];
        int m = n;
        for (int i = 0; i < n; i++) {
            cur[i] = r;
            live[i] = i;
        }
        while (m > 0) {
            int m2 = 0;
            for (int j = 0; j < m; j++) {
                const int i = live[j];
                const pnode *nd = nodes + cur[i];
                const float v = x[(int64_t)i * nf + (nd->fdl & 0x7fffffffu)];
                const int go_left = (v <= nd->thr) | ((v != v) & (int)(nd->fdl >> 31));
                const int32_t nx = nd->ch[1 - go_left];
                cur[i] = nx;
                live[m2] = i;
                m2 += nx < nint;
            }
            m = m2;
        }
        for (int i = 0; i < n; i++)
            acc[i * nout + k] += p->leaf[cur[i] - nint];
    }
}

typedef struct pctx {
    const wn_model *m;
    const pfold *pf;
    const float **cols;            /* [nfeat] physical column data */
    const int64_t *phys;           /* view's row index, or NULL */
    const int64_t *list;           /* routed: logical rows grouped by fold, or NULL */
    const int64_t *bstart, *bfold; /* routed: block -> start in list, fold */
    int64_t nrows;
    wn_predict_kind kind;
    wn__objective obj;
    double *members;               /* members mode: [nfold][nrows][nout] values */
} pctx;

typedef struct scratch {
    float *x;
    uint8_t *codes; /* the block's bin codes, missing = 255 */
    int32_t *cur;
    double *acc, *tmp;
} scratch;

static void run_block(const pctx *c, int64_t b, scratch *s, double *out)
{
    const wn_model *m = c->m;
    const int nout = m->nout;
    const int64_t nf = m->nfeat;
    int64_t start, end;
    int fold = 0;
    if (c->list) {
        start = c->bstart[b];
        fold = (int)c->bfold[b];
        end = c->bstart[b + 1];
    } else {
        start = b * BLOCK;
        end = start + BLOCK < c->nrows ? start + BLOCK : c->nrows;
    }
    const int n = (int)(end - start);
    int64_t rows[BLOCK];
    for (int i = 0; i < n; i++) {
        int64_t lr = c->list ? c->list[start + i] : start + i;
        rows[i] = lr;
    }
    for (int64_t f = 0; f < nf; f++) {
        const float *col = c->cols[f];
        float *x = s->x + f;
        if (c->phys)
            for (int i = 0; i < n; i++)
                x[i * nf] = col[c->phys[rows[i]]];
        else
            for (int i = 0; i < n; i++)
                x[i * nf] = col[rows[i]];
    }
    if (c->pf[0].cn) /* the coded walk: the block's bin codes */
        wn__binning_codes_block(m->bins, s->x, n, 255, s->codes);
    if (c->members) { /* each member's values, apart */
        for (int f = 0; f < m->nfold; f++) {
            score_block(c->pf + f, nout, s->x, s->codes, nf, n, s->cur, s->tmp);
            wn__objective_transform(&c->obj, s->tmp, n, 1);
            double *dst = c->members + (int64_t)f * c->nrows * nout;
            for (int i = 0; i < n; i++)
                memcpy(dst + rows[i] * nout, s->tmp + (int64_t)i * nout,
                       (size_t)nout * sizeof(double));
        }
        return;
    }
    if (c->list || m->nfold == 1) {
        score_block(c->pf + fold, nout, s->x, s->codes, nf, n, s->cur, s->acc);
    } else if (m->params.ensemble > 1 && c->kind == WN_PREDICT_VALUE) {
        /* bagging averages the members' outputs, in member order */
        for (int i = 0; i < n * nout; i++)
            s->acc[i] = 0.0;
        for (int f = 0; f < m->nfold; f++) {
            score_block(c->pf + f, nout, s->x, s->codes, nf, n, s->cur, s->tmp);
            wn__objective_transform(&c->obj, s->tmp, n, 1);
            for (int i = 0; i < n * nout; i++)
                s->acc[i] += s->tmp[i];
        }
        for (int i = 0; i < n * nout; i++)
            s->acc[i] /= (double)m->nfold;
        for (int i = 0; i < n; i++)
            memcpy(out + rows[i] * nout, s->acc + (int64_t)i * nout, (size_t)nout * sizeof(double));
        return;
    } else {
        for (int i = 0; i < n * nout; i++)
            s->acc[i] = 0.0;
        for (int f = 0; f < m->nfold; f++) {
            score_block(c->pf + f, nout, s->x, s->codes, nf, n, s->cur, s->tmp);
            for (int i = 0; i < n * nout; i++)
                s->acc[i] += s->tmp[i];
        }
        for (int i = 0; i < n * nout; i++)
            s->acc[i] /= (double)m->nfold;
    }
    if (c->kind == WN_PREDICT_VALUE)
        wn__objective_transform(&c->obj, s->acc, n, 1);
    for (int i = 0; i < n; i++)
        memcpy(out + rows[i] * nout, s->acc + (int64_t)i * nout, (size_t)nout * sizeof(double));
}

/* Routing of a k-fold model: fold of each row from the id column, rows
 * grouped by fold (stable), and the blocks of each fold's group. */
static wn_status route(const wn_model *m, const wn_table *t, int64_t idc, int64_t **list_out,
                       int64_t **bstart_out, int64_t **bfold_out, int64_t *nblocks)
{
    const int64_t n = wn_table_nrows(t);
    int64_t cnt[101] = {0};
    int64_t *list = wn__malloc_array((size_t)n, sizeof(int64_t));
    uint8_t *fold = wn__malloc((size_t)n);
    if (!list || !fold) {
        wn_free(list);
        wn_free(fold);
        return wn__oom("predict");
    }
    wn_status st = wn__model_row_folds(m, t, idc, "predict", fold);
    if (st != WN_OK) {
        wn_free(list);
        wn_free(fold);
        return st;
    }
    for (int64_t r = 0; r < n; r++)
        cnt[fold[r] + 1]++;
    int64_t nb = 0;
    for (int f = 0; f < m->nfold; f++)
        nb += (cnt[f + 1] + BLOCK - 1) / BLOCK;
    int64_t *bstart = wn__malloc_array((size_t)nb + 1, sizeof(int64_t));
    int64_t *bfold = wn__malloc_array((size_t)nb + 1, sizeof(int64_t));
    if (!bstart || !bfold) {
        wn_free(list);
        wn_free(fold);
        wn_free(bstart);
        wn_free(bfold);
        return wn__oom("predict");
    }
    int64_t b = 0, pos = 0;
    for (int f = 0; f < m->nfold; f++) {
        for (int64_t s = 0; s < cnt[f + 1]; s += BLOCK) {
            bstart[b] = pos + s;
            bfold[b++] = f;
        }
        pos += cnt[f + 1];
        cnt[f + 1] = pos; /* now the end of fold f's group */
    }
    bstart[nb] = n;
    cnt[0] = 0; /* cnt[f] is now the end of group f-1: the start of group f */
    for (int64_t r = 0; r < n; r++)
        list[cnt[fold[r]]++] = r;
    wn_free(fold);
    *list_out = list;
    *bstart_out = bstart;
    *bfold_out = bfold;
    *nblocks = nb;
    return WN_OK;
}

static wn_status predict(const wn_model *m, const wn_table *t, wn_predict_kind kind, int threads,
                         double *out, double *members)
{
    if (!m || !t || !out)
        return wn__fail(WN_EINVAL, "predict: %s is NULL", !m ? "model" : !t ? "table" : "out");
    if (kind != WN_PREDICT_VALUE && kind != WN_PREDICT_RAW)
        return wn__fail(WN_EINVAL, "predict: unknown prediction kind %d", (int)kind);
    const int64_t n = wn_table_nrows(t);
    const float **cols = wn__malloc_array((size_t)m->nfeat, sizeof(float *));
    if (!cols)
        return wn__oom("predict");
    wn_status s = wn__model_feature_columns(m, t, "predict", cols);
    if (s != WN_OK) {
        wn_free(cols);
        return s;
    }
    pctx c = {m,    NULL,
              cols, wn_table_rows(t),
              NULL, NULL,
              NULL, n,
              kind, {m->objective, m->nout, m->params.huber_delta},
              members};
    int64_t *list = NULL, *bstart = NULL, *bfold = NULL, nblocks = (n + BLOCK - 1) / BLOCK;
    int64_t idc;
    pfold *pf = NULL;
    scratch *sc = NULL;
    char *mem = NULL;
    if (!members && m->nfold > 1 && m->fold_by && wn_table_find(t, m->fold_by, &idc) == WN_OK) {
        if ((s = route(m, t, idc, &list, &bstart, &bfold, &nblocks)) != WN_OK)
            goto done;
        c.list = list;
        c.bstart = bstart;
        c.bfold = bfold;
    }
    if (n == 0)
        goto done;
    if ((s = pack(m, &pf)) != WN_OK)
        goto done;
    c.pf = pf;
    int nt = wn__threads(threads);
    if (nt > nblocks)
        nt = (int)nblocks;
    size_t xbytes = ((size_t)BLOCK * (size_t)m->nfeat * sizeof(float) + 63) & ~(size_t)63;
    size_t abytes = (size_t)BLOCK * (size_t)m->nout * sizeof(double);
    size_t cbytes = ((size_t)BLOCK * (size_t)m->nfeat + 63) & ~(size_t)63;
    size_t per = xbytes + 2 * abytes + cbytes + BLOCK * sizeof(int32_t);
    sc = wn__calloc((size_t)nt, sizeof(scratch));
    mem = wn__malloc_array((size_t)nt, per);
    if (!sc || !mem) {
        s = wn__oom("predict");
        goto done;
    }
    for (int i = 0; i < nt; i++) {
        char *p = mem + (size_t)i * per;
        sc[i].x = (float *)(void *)p;
        sc[i].acc = (double *)(void *)(p + xbytes);
        sc[i].tmp = (double *)(void *)(p + xbytes + abytes);
        sc[i].codes = (uint8_t *)(p + xbytes + 2 * abytes);
        sc[i].cur = (int32_t *)(void *)(p + xbytes + 2 * abytes + cbytes);
    }
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
        scratch *mine = sc + omp_get_thread_num();
#else
        scratch *mine = sc;
#endif
#pragma omp for schedule(dynamic, 16)
        for (int64_t b = 0; b < nblocks; b++)
            run_block(&c, b, mine, out);
    }
done:
    pfold_free(pf, m->nfold);
    wn_free(sc);
    wn_free(mem);
    wn_free(list);
    wn_free(bstart);
    wn_free(bfold);
    wn_free(cols);
    return s;
}

wn_status wn_gbdt_predict(const wn_model *m, const wn_table *t, wn_predict_kind kind, int threads,
                          double *out)
{
    return predict(m, t, kind, threads, out, NULL);
}

wn_status wn_gbdt_predict_members(const wn_model *m, const wn_table *t, int threads, double *out)
{
    return predict(m, t, WN_PREDICT_VALUE, threads, out, out);
}
