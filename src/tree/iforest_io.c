/* iforest_io.c — the isolation forest's model file: its JSON header, saving,
 * and a loader that trusts nothing.
 *
 * Liu, Ting & Zhou, "Isolation Forest", ICDM 2008 (doi:10.1109/ICDM.2008.17).
 *
 * The file is one model container (src/io/container.c, docs/model-format.md)
 * of kind "iforest": a JSON header (features and their standardisation,
 * provenance, parameters, n_rows, n_dropped, results) and two sections,
 * every field little-endian, written byte by byte:
 *   "trees"  one uint32 per tree: its number of nodes;
 *   "nodes"  one 12-byte record per node, tree after tree, breadth first:
 *            int32 feature (-1 for a leaf), float32 threshold (0 for a leaf),
 *            int32 child: internal: the left child's index within the tree
 *            (the right child follows it); leaf: the sample rows in it.
 * The loader (fuzzed: tests/fuzz) checks the header's counts against the
 * section sizes before allocating, then proves every tree is a tree that
 * the scorer can walk blindly: children after their parent and inside the
 * tree, every node but the root the child of exactly one node (so each is
 * reached once from the root and nothing loops), features in range,
 * thresholds finite, no node deeper than the depth limit, leaf sizes
 * positive and summing to the sample size. Leaf path lengths are recomputed
 * from the sizes, so the loaded model scores bit for bit as the saved one.
 * The header parts every unsupervised model shares (provenance, data
 * parameters, row counts) are read by src/io/umodel_io.c. */
#include "iforest.h"

#include "io/umodel_io.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

wn_status wn__iforest_build_header(wn_iforest *m, uint64_t input_hash, const char *command_line)
{
    wn__jw w;
    wn__um_jw_head(&w, "iforest", WN__IF_FORMAT, &m->f);
    wn__um_jw_provenance(&w, input_hash, m->seed, command_line);
    wn__jw_key(&w, "parameters");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "trees"), wn__jw_int(&w, m->trees);
    wn__jw_key(&w, "sample_size"), wn__jw_int(&w, m->sample_size);
    wn__jw_key(&w, "max_depth"), wn__jw_int(&w, m->max_depth);
    wn__jw_u64(&w, "seed", m->seed);
    wn__jw_key(&w, "drop_missing"), wn__jw_bool(&w, m->drop_missing != 0);
    wn__jw_key(&w, "standardize"), wn__jw_bool(&w, m->standardize != 0);
    wn__jw_object_end(&w);
    wn__um_jw_rows(&w, m->nrows, m->ndropped);
    wn__jw_key(&w, "results");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "sample_size"), wn__jw_int(&w, m->psi);
    wn__jw_key(&w, "depth_limit"), wn__jw_int(&w, m->depth_limit);
    wn__jw_key(&w, "c_sample_size"), wn__jw_double(&w, m->cpsi);
    wn__jw_key(&w, "nodes"), wn__jw_int(&w, m->off[m->trees]);
    wn__jw_object_end(&w);
    return wn__um_jw_finish(&w, "isolation forest header", &m->header);
}

/* ---- save ---- */

wn_status wn_iforest_save(const wn_iforest *m, const char *path)
{
    if (!m || !path)
        return wn__fail(WN_EINVAL, "iforest_save: NULL argument");
    const int64_t total = m->off[m->trees];
    uint8_t *tr = wn__malloc_array((size_t)m->trees, 4);
    uint8_t *nd = wn__malloc_array((size_t)total, WN__IF_NODE_REC);
    if (!tr || !nd) {
        wn_free(tr);
        wn_free(nd);
        return wn__oom("isolation forest save");
    }
    for (int k = 0; k < m->trees; k++)
        wn__put_le32(tr + 4 * k, (uint32_t)(m->off[k + 1] - m->off[k]));
    for (int64_t i = 0; i < total; i++) {
        uint8_t *p = nd + i * WN__IF_NODE_REC;
        const int leaf = m->lsize[i] > 0;
        uint32_t bits = 0;
        if (!leaf)
            memcpy(&bits, &m->nodes[i].thr, 4);
        wn__put_le32(p, leaf ? 0xFFFFFFFFu : (uint32_t)m->nodes[i].feat);
        wn__put_le32(p + 4, bits);
        wn__put_le32(p + 8, (uint32_t)(leaf ? m->lsize[i] : m->nodes[i].next));
    }
    wn__section secs[2] = {{"trees", tr, (size_t)m->trees * 4},
                           {"nodes", nd, (size_t)total * WN__IF_NODE_REC}};
    wn_status s = wn__container_save(path, m->header, secs, 2);
    wn_free(tr);
    wn_free(nd);
    return s;
}

/* ---- load ---- */

static wn_status read_header(const wn__json *root, const char *file, wn_iforest *m)
{
    const char *P = "header: parameters", *R = "header: results";
    const wn__json *pj, *rj;
    wn_status s;
    int64_t v;
    if ((s = wn__um_read_head(root, file, "iforest", "an isolation forest", "isolation forest",
                              WN__IF_FORMAT, &m->f)) != WN_OK ||
        (s = wn__um_get_object(root, "parameters", file, "header", &pj)) != WN_OK ||
        (s = wn__um_get_object(root, "results", file, "header", &rj)) != WN_OK ||
        (s = wn__um_get_int(pj, "trees", 1, WN__IF_MAX_TREES, file, P, &v)) != WN_OK)
        return s;
    m->trees = (int)v;
    if ((s = wn__um_get_int(pj, "sample_size", 2, WN__IF_MAX_SAMPLE, file, P, &m->sample_size)) !=
            WN_OK ||
        (s = wn__um_get_int(pj, "max_depth", 0, WN__IF_MAX_DEPTH, file, P, &v)) != WN_OK)
        return s;
    m->max_depth = (int)v;
    uint64_t input_hash;
    if ((s = wn__um_read_data(pj, file, &m->f, &m->drop_missing, &m->standardize, &m->seed)) !=
            WN_OK ||
        (s = wn__um_read_rows(root, file, 2, m->drop_missing, &m->nrows, &m->ndropped)) != WN_OK ||
        (s = wn__um_read_provenance(root, file, &m->seed, &input_hash, NULL, NULL)) != WN_OK ||
        (s = wn__um_get_int(rj, "sample_size", 2, WN__IF_MAX_SAMPLE, file, R, &m->psi)) != WN_OK)
        return s;
    if (m->psi != (m->sample_size < m->nrows ? m->sample_size : m->nrows))
        return wn__um_bad(file, "%s: sample_size %lld is not min(sample_size, n_rows)", R,
                          (long long)m->psi);
    if ((s = wn__um_get_int(rj, "depth_limit", 1, WN__IF_MAX_DEPTH, file, R, &v)) != WN_OK)
        return s;
    m->depth_limit = (int)v;
    if (m->depth_limit != (m->max_depth ? m->max_depth : wn__iforest_depth_for(m->psi)))
        return wn__um_bad(file, "%s: depth_limit %d does not follow from the parameters", R,
                          m->depth_limit);
    m->cpsi = wn__iforest_c((double)m->psi);
    return WN_OK;
}

/* Decodes and proves tree k (nn nodes from rec). indeg/depth: scratch [nn]. */
static wn_status read_tree(wn_iforest *m, const char *file, int k, const uint8_t *rec, int64_t nn,
                           uint8_t *indeg, int32_t *depth)
{
    const int64_t o = m->off[k];
    int64_t leafsum = 0;
    int32_t maxdep = 0;
    memset(indeg, 0, (size_t)nn);
    depth[0] = 0;
    for (int64_t i = 0; i < nn; i++) {
        const uint8_t *p = rec + i * WN__IF_NODE_REC;
        const int32_t feat = (int32_t)wn__get_le32(p);
        const uint32_t bits = wn__get_le32(p + 4);
        const int32_t child = (int32_t)wn__get_le32(p + 8);
        float thr;
        memcpy(&thr, &bits, 4);
        if (i > 0 && indeg[i] != 1)
            return wn__um_bad(file, "tree %d, node %lld: not the child of exactly one node", k,
                              (long long)i);
        const int32_t dep = depth[i];
        maxdep = dep > maxdep ? dep : maxdep;
        if (feat == -1) {
            if (child < 1 || child > m->psi || bits != 0)
                return wn__um_bad(file, "tree %d, node %lld: leaf of %d rows (1..%lld allowed)", k,
                                  (long long)i, (int)child, (long long)m->psi);
            leafsum += child;
            m->nodes[o + i] = (wn__ifnode){NAN, 0, (int32_t)i};
            m->leafval[o + i] = (double)dep + wn__iforest_c((double)child);
            m->lsize[o + i] = child;
            continue;
        }
        if (feat < 0 || feat >= m->f.nfeat)
            return wn__um_bad(file, "tree %d, node %lld: feature %d outside 0..%lld", k,
                              (long long)i, (int)feat, (long long)(m->f.nfeat - 1));
        if (!isfinite(thr))
            return wn__um_bad(file, "tree %d, node %lld: threshold is not finite", k, (long long)i);
        if (child <= i || child >= nn - 1)
            return wn__um_bad(file, "tree %d, node %lld: child %d outside %lld..%lld", k,
                              (long long)i, (int)child, (long long)(i + 1), (long long)(nn - 2));
        if (dep >= m->depth_limit)
            return wn__um_bad(file, "tree %d, node %lld: split below the depth limit %d", k,
                              (long long)i, m->depth_limit);
        if (indeg[child]++ || indeg[child + 1]++)
            return wn__um_bad(file, "tree %d, node %lld: child %d already has a parent", k,
                              (long long)i, (int)child);
        depth[child] = depth[child + 1] = dep + 1;
        m->nodes[o + i] = (wn__ifnode){thr, feat, child};
        m->leafval[o + i] = 0.0;
        m->lsize[o + i] = 0;
    }
    if (leafsum != m->psi)
        return wn__um_bad(file, "tree %d: its leaves hold %lld rows, not the sample size %lld", k,
                          (long long)leafsum, (long long)m->psi);
    m->steps[k] = maxdep;
    return WN_OK;
}

wn_status wn__iforest_from_container(const wn__container *c, const char *file, wn_iforest **out)
{
    if (!c || !out)
        return wn__fail(WN_EINVAL, "iforest_load: NULL argument");
    if (!file)
        file = "model";
    wn_iforest *m = wn__calloc(1, sizeof *m);
    if (!m)
        return wn__oom("isolation forest");
    uint8_t *indeg = NULL;
    int32_t *depth = NULL;
    wn_status s = read_header(wn__container_header_json(c), file, m);
    if (s != WN_OK)
        goto fail;
    const void *tp, *np;
    size_t tn, nbytes;
    if ((s = wn__container_section(c, "trees", &tp, &tn)) != WN_OK ||
        (s = wn__container_section(c, "nodes", &np, &nbytes)) != WN_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s", wn_errmsg());
        s = wn__um_bad(file, "%s", msg);
        goto fail;
    }
    if (tn != (size_t)m->trees * 4) {
        s = wn__um_bad(file, "section \"trees\" has %zu bytes, not 4 per tree (%d trees)", tn,
                       m->trees);
        goto fail;
    }
    if (nbytes % WN__IF_NODE_REC) {
        s = wn__um_bad(file, "section \"nodes\" has %zu bytes, not a multiple of %d", nbytes,
                       WN__IF_NODE_REC);
        goto fail;
    }
    const int64_t total = (int64_t)(nbytes / WN__IF_NODE_REC), maxnn = 2 * m->psi - 1;
    if (!(m->off = wn__malloc_array((size_t)m->trees + 1, sizeof *m->off)) ||
        !(m->steps = wn__malloc_array((size_t)m->trees, sizeof *m->steps))) {
        s = wn__oom("isolation forest");
        goto fail;
    }
    m->off[0] = 0;
    int64_t biggest = 1; /* the scratch is sized by the trees, not the header */
    for (int k = 0; k < m->trees; k++) {
        uint32_t nn = wn__get_le32((const uint8_t *)tp + 4 * k);
        biggest = nn > biggest ? nn : biggest;
        if (nn < 1 || nn > (uint64_t)maxnn || nn % 2 == 0) {
            s = wn__um_bad(file, "tree %d has %u nodes (an odd count in 1..%lld expected)", k,
                           (unsigned)nn, (long long)maxnn);
            goto fail;
        }
        m->off[k + 1] = m->off[k] + nn;
    }
    if (m->off[m->trees] != total) {
        s = wn__um_bad(file, "the trees count %lld nodes but section \"nodes\" holds %lld",
                       (long long)m->off[m->trees], (long long)total);
        goto fail;
    }
    if (!(m->nodes = wn__malloc_array((size_t)total, sizeof *m->nodes)) ||
        !(m->leafval = wn__malloc_array((size_t)total, sizeof *m->leafval)) ||
        !(m->lsize = wn__malloc_array((size_t)total, sizeof *m->lsize)) ||
        !(indeg = wn__malloc_array((size_t)biggest, 1)) ||
        !(depth = wn__malloc_array((size_t)biggest, sizeof *depth))) {
        s = wn__oom("isolation forest");
        goto fail;
    }
    for (int k = 0; k < m->trees; k++) {
        const int64_t nn = m->off[k + 1] - m->off[k];
        s = read_tree(m, file, k, (const uint8_t *)np + m->off[k] * WN__IF_NODE_REC, nn, indeg,
                      depth);
        if (s != WN_OK)
            goto fail;
    }
    if ((s = wn__um_copy_header(c, &m->header)) != WN_OK)
        goto fail;
    wn_free(indeg);
    wn_free(depth);
    *out = m;
    return WN_OK;
fail:
    wn_free(indeg);
    wn_free(depth);
    wn_iforest_free(m);
    return s;
}

wn_status wn_iforest_load(const char *path, wn_iforest **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "iforest_load: NULL argument");
    wn__container *c;
    wn_status s = wn__container_load(path, &c);
    if (s != WN_OK)
        return s;
    s = wn__iforest_from_container(c, path, out);
    wn__container_free(c);
    return s;
}
