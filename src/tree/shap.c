/* shap.c — exact SHAP values and feature importance of a GBDT model.
 *
 * SHAP values (Lundberg & Lee 2017) are the Shapley values of the game whose
 * players are the features and whose value of a coalition S is the model's
 * expected output when only the features in S are known. For one tree the
 * "path-dependent" choice of that expectation (Lundberg, Erion & Lee 2018,
 * "Consistent individualized feature attribution for tree ensembles",
 * arXiv:1802.03888) is
 *   v(S) = sum over leaves l of value(l) * prod over the splits on l's path
 *          of [feature in S ? (x goes that way) : cover(child) / cover(node)],
 * i.e. at a split on a known feature follow the row, at an unknown one take
 * both children weighted by how many training rows went each way. Summing
 * over all 2^F coalitions is exponential; the paper's Algorithm 2 gets the
 * exact values in O(L D^2) per tree (L leaves, depth D) by walking the tree
 * once and keeping, for the path from the root to the current node, the
 * "unique path": one element per distinct feature met so far with
 *   z = product of the cover fractions of its splits on the path (the weight
 *       of the path when the feature is unknown),
 *   o = 1 if the row follows the path at every one of its splits, else 0,
 * and the weights w[i] (i = 0 .. l) of the subsets of the path's features by
 * size, which carry the Shapley kernel |S|! (l - |S|)! / (l+1)!.
 *   EXTEND adds a feature to the path (a polynomial multiplication of the
 *          weights by (z + o t)),
 *   UNWIND removes one (the division, run backwards), used both when a
 *          feature repeats deeper in the tree (its old element is merged into
 *          the new one) and, at a leaf, to read each feature's share:
 *          phi[d] += value(leaf) * (o_d - z_d) * sum(weights without d).
 * Element 0 is a dummy (the root; z = o = 1) so that w[0] starts at 1.
 *
 * Covers are the training-row counts (node->count, leaf_count). The fraction
 * of a child is cover(child) / (cover(left) + cover(right)): for a trained
 * tree that denominator is node->count, and using the children's sum keeps
 * the two fractions summing to 1 even in a hand-made or loaded model whose
 * counts disagree (both 0 → 1/2 each). The tree's expected value is v({}) —
 * the cover-weighted mean of its leaf values — computed with the same
 * fractions, so by the efficiency of Shapley values a row's contributions
 * plus the expected values sum to its raw score up to rounding. A cold
 * branch (x does not go there) with zero cover adds nothing to any v(S) and
 * is skipped, which also keeps UNWIND from dividing by a zero fraction.
 *
 * Missing values go where prediction sends them (default_left); a k-fold
 * model routes rows by the fold_by column like wn_gbdt_predict, or averages
 * the folds' values in fold order. Each row is computed on its own, tree
 * after tree in model order, so the bits do not depend on the thread count;
 * all scratch (per thread: one copy of the path per level, and the stack
 * that replaces the recursion, since trees may be 65535 deep) is allocated
 * before the parallel region. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- feature importance ---- */

wn_status wn_gbdt_importance(const wn_model *m, wn_importance_kind kind, double *out)
{
    if (!m || !out)
        return wn__fail(WN_EINVAL, "importance: %s is NULL", !m ? "model" : "out");
    if (kind != WN_IMPORTANCE_GAIN && kind != WN_IMPORTANCE_SPLITS && kind != WN_IMPORTANCE_COVER)
        return wn__fail(WN_EINVAL, "importance: unknown importance kind %d", (int)kind);
    for (int64_t j = 0; j < m->nfeat; j++)
        out[j] = 0.0;
    for (int f = 0; f < m->nfold; f++) {
        const wn__fold *fd = m->folds + f;
        for (int64_t t = 0; t < fd->ntrees; t++) {
            const wn__tree *tr = fd->trees[t];
            for (int32_t i = 0; i < tr->nleaves - 1; i++) {
                const wn__node *nd = tr->nodes + i;
                out[nd->feature] += kind == WN_IMPORTANCE_GAIN     ? (double)nd->gain
                                    : kind == WN_IMPORTANCE_SPLITS ? 1.0
                                                                   : (double)nd->count;
            }
        }
    }
    return WN_OK;
}

/* ---- one tree ---- */

/* A child's cover: training rows of the internal node or leaf c. */
static double cover(const wn__tree *tr, int32_t c)
{
    return c >= 0 ? (double)tr->nodes[c].count : (double)tr->leaf_count[~c];
}

/* The fractions of node n's children (see the header: they sum to 1). */
static void fractions(const wn__tree *tr, const wn__node *nd, double *fl, double *fr)
{
    const double cl = cover(tr, nd->left), cr = cover(tr, nd->right);
    if (cl + cr > 0.0) {
        *fl = cl / (cl + cr);
        *fr = cr / (cl + cr);
    } else {
        *fl = *fr = 0.5;
    }
}

/* One tree's depth (internal nodes on its longest root-to-leaf path) and
 * expected value v({}) — the cover-weighted mean of its leaf values — by a
 * walk with an explicit stack (stk: nleaves entries; trees may be 65535
 * deep, too deep for the C stack). */
static void tree_summary(const wn__tree *tr, int32_t *stk_node, double *stk_w, int32_t *stk_d,
                         int32_t *depth, double *ev)
{
    *depth = 0;
    *ev = 0.0;
    if (tr->nleaves == 1) {
        *ev = tr->leaf_value[0];
        return;
    }
    int32_t top = 0;
    stk_node[0] = 0;
    stk_w[0] = 1.0;
    stk_d[0] = 0;
    top = 1;
    while (top > 0) {
        top--;
        const int32_t c = stk_node[top], d = stk_d[top];
        const double w = stk_w[top];
        if (c < 0) {
            *ev += w * tr->leaf_value[~c];
            *depth = d > *depth ? d : *depth;
            continue;
        }
        const wn__node *nd = tr->nodes + c;
        double fl, fr;
        fractions(tr, nd, &fl, &fr);
        stk_node[top] = nd->right;
        stk_w[top] = w * fr;
        stk_d[top++] = d + 1;
        stk_node[top] = nd->left;
        stk_w[top] = w * fl;
        stk_d[top++] = d + 1;
    }
}

typedef struct pelem {
    int32_t d; /* feature, -1 for the dummy root element */
    double z;  /* product of cover fractions of d's splits on the path */
    double o;  /* 1 if the row follows the path at all of d's splits, else 0 */
    double w;  /* weight of the subsets of size i (element i's slot) */
} pelem;

/* EXTEND: append feature d with fractions (z, o) to the path p[0 .. l-1],
 * making it p[0 .. l], and update the subset weights. */
static void extend(pelem *p, int32_t l, double z, double o, int32_t d)
{
    p[l].d = d;
    p[l].z = z;
    p[l].o = o;
    p[l].w = l == 0 ? 1.0 : 0.0;
    const double inv = 1.0 / (double)(l + 1);
    for (int32_t i = l - 1; i >= 0; i--) {
        p[i + 1].w += o * p[i].w * (double)(i + 1) * inv;
        p[i].w = z * p[i].w * (double)(l - i) * inv;
    }
}

/* UNWIND: remove element k from the path p[0 .. l], leaving p[0 .. l-1]. */
static void unwind(pelem *p, int32_t l, int32_t k)
{
    const double o = p[k].o, z = p[k].z;
    double n = p[l].w;
    if (o != 0.0) {
        for (int32_t j = l - 1; j >= 0; j--) {
            const double t = p[j].w;
            p[j].w = n * (double)(l + 1) / ((double)(j + 1) * o);
            n = t - p[j].w * z * (double)(l - j) / (double)(l + 1);
        }
    } else {
        for (int32_t j = l - 1; j >= 0; j--)
            p[j].w = p[j].w * (double)(l + 1) / (z * (double)(l - j));
    }
    for (int32_t j = k; j < l; j++) {
        p[j].d = p[j + 1].d;
        p[j].z = p[j + 1].z;
        p[j].o = p[j + 1].o;
    }
}

/* The total weight the path p[0 .. l] would have without element k (UNWIND
 * without changing anything). */
static double unwound_sum(const pelem *p, int32_t l, int32_t k)
{
    const double o = p[k].o, z = p[k].z;
    double n = p[l].w, total = 0.0;
    if (o != 0.0) {
        for (int32_t j = l - 1; j >= 0; j--) {
            const double t = n * (double)(l + 1) / ((double)(j + 1) * o);
            total += t;
            n = p[j].w - t * z * (double)(l - j) / (double)(l + 1);
        }
    } else {
        for (int32_t j = l - 1; j >= 0; j--)
            total += p[j].w * (double)(l + 1) / (z * (double)(l - j));
    }
    return total;
}

/* What a node still owes after its hot child: the cold child's call. */
typedef struct frame {
    pelem *p; /* the node's path (after any merge), elements 0 .. l */
    int32_t l;
    int32_t cold; /* child, or skipped when zc == 0 */
    int32_t feat;
    double zc; /* z of the cold child */
} frame;

/* Adds one tree's SHAP values for row x to phi[0 .. nfeat-1]: RECURSE of
 * Algorithm 2 with an explicit stack (fr: depth + 1 frames). Each call
 * (child c, parent's path of l elements, new element (z, o, d)) copies the
 * parent's path to just after it before extending it, so the parent's stays
 * intact for the sibling; path holds the copies of all levels. */
static void tree_shap(const wn__tree *tr, const float *x, double *phi, pelem *path, frame *fr)
{
    if (tr->nleaves == 1)
        return; /* a constant: all of it is expected value */
    int32_t top = 0;
    int32_t c = 0, l = 0, d = -1;
    pelem *parent = path;
    double z = 1.0, o = 1.0;
    for (;;) {
        pelem *p = parent + l;
        if (l > 0)
            memcpy(p, parent, (size_t)l * sizeof(pelem));
        extend(p, l, z, o, d);
        int go = 0; /* 1: (c, parent, l, z, o, d) hold the next call */
        if (c < 0) {
            const double v = tr->leaf_value[~c];
            for (int32_t i = 1; i <= l; i++) {
                const double w = unwound_sum(p, l, i);
                phi[p[i].d] += w * (p[i].o - p[i].z) * v;
            }
        } else {
            const wn__node *nd = tr->nodes + c;
            const float xv = x[nd->feature];
            const int left = isnan(xv) ? nd->default_left : xv <= nd->threshold;
            double f_left, f_right;
            fractions(tr, nd, &f_left, &f_right);
            double iz = 1.0, io = 1.0;
            int32_t k = 1;
            while (k <= l && p[k].d != nd->feature)
                k++;
            if (k <= l) { /* the feature is already on the path: merge its element */
                iz = p[k].z;
                io = p[k].o;
                unwind(p, l, k);
                l--;
            }
            /* A child whose z and o are both 0 has weight 0 under every
             * coalition: skipping it also keeps UNWIND from dividing by 0. */
            const double zh = iz * (left ? f_left : f_right), zc = iz * (left ? f_right : f_left);
            fr[top++] = (frame){p, l, left ? nd->right : nd->left, nd->feature, zc};
            if (zh != 0.0 || io != 0.0) {
                parent = p;
                c = left ? nd->left : nd->right;
                l++;
                z = zh;
                o = io;
                d = nd->feature;
                go = 1;
            }
        }
        while (!go && top > 0) {
            const frame *f = fr + --top;
            if (f->zc != 0.0) {
                parent = f->p;
                c = f->cold;
                l = f->l + 1;
                z = f->zc;
                o = 0.0;
                d = f->feat;
                go = 1;
            }
        }
        if (!go)
            return;
    }
}

/* ---- the table ---- */

typedef struct sctx {
    const wn_model *m;
    const float **cols;  /* [nfeat] physical column data */
    const int64_t *phys; /* view's row index, or NULL */
    const uint8_t *fold; /* [nrows] routed fold, or NULL: mean over folds */
    const double *ev;    /* [nfold * nout] base score + trees' expected values */
} sctx;

typedef struct sscratch {
    float *x;    /* [nfeat] */
    double *tmp; /* [nout * (nfeat + 1)] one fold's values when averaging */
    pelem *path; /* the path copies of all levels (see wn_gbdt_shap) */
    frame *fr;   /* [depth + 1] */
} sscratch;

/* out[k * (nfeat+1) + j] for fold f and row x (overwrites out). */
static void fold_shap(const sctx *c, int f, const float *x, const sscratch *s, double *out)
{
    const wn_model *m = c->m;
    const int64_t nf = m->nfeat, stride = nf + 1;
    const wn__fold *fd = m->folds + f;
    for (int k = 0; k < m->nout; k++) {
        double *o = out + k * stride;
        for (int64_t j = 0; j < nf; j++)
            o[j] = 0.0;
        o[nf] = c->ev[(int64_t)f * m->nout + k];
    }
    for (int64_t t = 0; t < fd->ntrees; t++)
        tree_shap(fd->trees[t], x, out + (t % m->nout) * stride, s->path, s->fr);
}

static void row_shap(const sctx *c, int64_t r, sscratch *s, double *out)
{
    const wn_model *m = c->m;
    const int64_t nf = m->nfeat, nv = (int64_t)m->nout * (nf + 1);
    const int64_t pr = c->phys ? c->phys[r] : r;
    for (int64_t j = 0; j < nf; j++)
        s->x[j] = c->cols[j][pr];
    double *o = out + r * nv;
    if (m->nfold == 1 || c->fold) {
        fold_shap(c, c->fold ? c->fold[r] : 0, s->x, s, o);
        return;
    }
    for (int64_t i = 0; i < nv; i++)
        o[i] = 0.0;
    for (int f = 0; f < m->nfold; f++) {
        fold_shap(c, f, s->x, s, s->tmp);
        for (int64_t i = 0; i < nv; i++)
            o[i] += s->tmp[i];
    }
    for (int64_t i = 0; i < nv; i++)
        o[i] /= (double)m->nfold;
}

wn_status wn_gbdt_shap(const wn_model *m, const wn_table *t, int threads, double *out)
{
    if (!m || !t || !out)
        return wn__fail(WN_EINVAL, "shap: %s is NULL", !m ? "model" : !t ? "table" : "out");
    const int64_t n = wn_table_nrows(t), nf = m->nfeat;
    const int64_t nv = (int64_t)m->nout * (nf + 1);
    const float **cols = wn__malloc_array((size_t)(nf ? nf : 1), sizeof(float *));
    if (!cols)
        return wn__oom("shap");
    wn_status s = wn__model_feature_columns(m, t, "shap", cols);
    if (s != WN_OK) {
        wn_free(cols);
        return s;
    }
    uint8_t *fold = NULL;
    double *ev = NULL;
    char *stk = NULL;
    sscratch *sc = NULL;
    char *mem = NULL;
    int64_t idc;
    if (m->nfold > 1 && m->fold_by && wn_table_find(t, m->fold_by, &idc) == WN_OK) {
        fold = wn__malloc((size_t)(n ? n : 1));
        if (!fold) {
            s = wn__oom("shap");
            goto done;
        }
        if ((s = wn__model_row_folds(m, t, idc, "shap", fold)) != WN_OK)
            goto done;
    }
    if (n == 0)
        goto done;

    /* Expected values per fold and output, and the deepest tree. */
    int32_t maxl = 1;
    for (int f = 0; f < m->nfold; f++)
        for (int64_t k = 0; k < m->folds[f].ntrees; k++)
            maxl = m->folds[f].trees[k]->nleaves > maxl ? m->folds[f].trees[k]->nleaves : maxl;
    ev = wn__malloc_array((size_t)m->nfold * (size_t)m->nout, sizeof(double));
    stk = wn__malloc_array((size_t)maxl, sizeof(double) + 2 * sizeof(int32_t));
    if (!ev || !stk) {
        s = wn__oom("shap");
        goto done;
    }
    int32_t depth = 0;
    for (int f = 0; f < m->nfold; f++) {
        const wn__fold *fd = m->folds + f;
        double *e = ev + (int64_t)f * m->nout;
        for (int k = 0; k < m->nout; k++)
            e[k] = fd->base_score[k];
        for (int64_t k = 0; k < fd->ntrees; k++) {
            int32_t dd;
            double te;
            tree_summary(
                fd->trees[k], (int32_t *)(void *)(stk + (size_t)maxl * sizeof(double)),
                (double *)(void *)stk,
                (int32_t *)(void *)(stk + (size_t)maxl * (sizeof(double) + sizeof(int32_t))), &dd,
                &te);
            e[k % m->nout] += te;
            depth = dd > depth ? dd : depth;
        }
    }

    /* Per-thread scratch, one block each: x, tmp, frames, path (aligned to
     * 64). A level's path holds at most one element per distinct feature
     * plus the root's, and a leaf at depth D has D + 1 levels above it, so
     * all copies fit in min((D+2)(D+3)/2, (D+2)(U+2)) elements, U the
     * number of distinct features a path can hold. */
    int nt = wn__threads(threads);
    if (nt > n)
        nt = (int)n;
    const size_t D = (size_t)depth, U = (size_t)nf < D ? (size_t)nf : D;
    const size_t tri = (D + 2) * (D + 3) / 2, rect = (D + 2) * (U + 2);
    const size_t npath = tri < rect ? tri : rect;
    const size_t xbytes = ((size_t)nf * sizeof(float) + 63) & ~(size_t)63;
    const size_t tbytes = ((size_t)nv * sizeof(double) + 63) & ~(size_t)63;
    const size_t fbytes = ((D + 1) * sizeof(frame) + 63) & ~(size_t)63;
    if (npath > (SIZE_MAX / 4 - xbytes - tbytes - fbytes) / sizeof(pelem)) {
        s = wn__fail(WN_ENOMEM, "shap: trees %d deep need too much memory", (int)depth);
        goto done;
    }
    const size_t per = xbytes + tbytes + fbytes + npath * sizeof(pelem);
    sc = wn__calloc((size_t)nt, sizeof(sscratch));
    mem = wn__malloc_array((size_t)nt, per);
    if (!sc || !mem) {
        s = wn__oom("shap");
        goto done;
    }
    for (int i = 0; i < nt; i++) {
        char *p = mem + (size_t)i * per;
        sc[i].x = (float *)(void *)p;
        sc[i].tmp = (double *)(void *)(p + xbytes);
        sc[i].fr = (frame *)(void *)(p + xbytes + tbytes);
        sc[i].path = (pelem *)(void *)(p + xbytes + tbytes + fbytes);
    }
    const sctx c = {m, cols, wn_table_rows(t), fold, ev};
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
#ifdef _OPENMP
        sscratch *mine = sc + omp_get_thread_num();
#else
        sscratch *mine = sc;
#endif
#pragma omp for schedule(dynamic, 64)
        for (int64_t r = 0; r < n; r++)
            row_shap(&c, r, mine, out);
    }
done:
    wn_free(sc);
    wn_free(mem);
    wn_free(ev);
    wn_free(stk);
    wn_free(fold);
    wn_free(cols);
    return s;
}
