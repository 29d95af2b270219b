/* kmeans_io.c — the k-means model file (kind "kmeans"): header, save, and
 * a loader that trusts nothing.
 *
 * One container (src/io/container.c, docs/model-format.md):
 *   header (JSON): kind, format_version, the features block (names,
 *     standardized, center, scale), parameters (k, restarts, max_iter, tol,
 *     silhouette_sample, drop_missing, standardize, seed, threads), n_rows,
 *     n_dropped, results (inertia, silhouette (null when skipped),
 *     iterations), sizes[k], provenance (winnow_version, created,
 *     input_hash, seed, command_line);
 *   section "centers": k x d little-endian float64, row-major, in the
 *     fitted (standardised if asked) space.
 * The loader checks every member's type and range, the section's exact
 * size against k x d before anything is allocated from it, and every value
 * for finiteness; then derives the float centres and the centres in
 * original units exactly as the fit does, so a loaded model assigns bit for
 * bit like the fitted one. Errors: WN_EFORMAT naming the file.
 *
 * The model is Lloyd's k-means (Lloyd 1982) seeded by k-means++ (Arthur &
 * Vassilvitskii 2007), iterated with Hamerly's bounds (Hamerly 2010). */
#include "cluster.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define KMEANS_FORMAT 1

wn_status wn__kmeans_build_header(wn_kmeans *m)
{
    const wn_kmeans_params *p = &m->params;
    wn__jw w;
    wn__um_jw_head(&w, "kmeans", KMEANS_FORMAT, &m->f);
    wn__jw_key(&w, "parameters");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "k"), wn__jw_int(&w, m->k);
    wn__jw_key(&w, "restarts"), wn__jw_int(&w, p->restarts);
    wn__jw_key(&w, "max_iter"), wn__jw_int(&w, p->max_iter);
    wn__jw_key(&w, "tol"), wn__jw_double(&w, p->tol);
    wn__jw_key(&w, "silhouette_sample"), wn__jw_int(&w, p->silhouette_sample);
    wn__clu_jw_data(&w, &p->data);
    wn__jw_object_end(&w);
    wn__um_jw_rows(&w, m->nrows, m->ndropped);
    wn__jw_key(&w, "results");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "inertia"), wn__jw_double(&w, m->inertia);
    wn__jw_key(&w, "silhouette"), wn__jw_double(&w, m->silhouette); /* NaN -> null */
    wn__jw_key(&w, "iterations"), wn__jw_int(&w, m->iterations);
    wn__jw_object_end(&w);
    wn__jw_doubles(&w, "sizes", m->sizes, m->k);
    wn__um_jw_provenance(&w, m->input_hash, p->data.seed, m->command_line);
    return wn__um_jw_finish(&w, "kmeans header", &m->header);
}

wn_status wn_kmeans_save(const wn_kmeans *m, const char *path)
{
    if (!m || !path)
        return wn__fail(WN_EINVAL, "kmeans_save: %s is NULL", m ? "path" : "model");
    const int64_t kd = (int64_t)m->k * m->f.nfeat;
    uint8_t *buf = wn__malloc_array((size_t)kd, 8);
    if (!buf)
        return wn__oom("kmeans_save");
    wn__um_put_f64s(buf, m->centers_fit, kd);
    wn__section sec = {"centers", buf, (size_t)kd * 8};
    wn_status s = wn__container_save(path, m->header, &sec, 1);
    wn_free(buf);
    return s;
}

static wn_status load(const wn__container *c, const char *file, wn_kmeans *m)
{
    const wn__json *root = wn__container_header_json(c), *pj, *rj;
    const char *W = "header: parameters", *R = "header: results";
    wn_status s;
    int64_t v;
    if ((s = wn__um_read_head(root, file, "kmeans", "a kmeans model", "kmeans", KMEANS_FORMAT,
                              &m->f)) != WN_OK)
        return s;
    const int64_t d = m->f.nfeat;
    wn_kmeans_params *p = &m->params;
    *p = wn_kmeans_params_default();
    if ((s = wn__clu_read_data(root, file, &m->f, &p->data, &m->input_hash, &m->command_line)) !=
        WN_OK)
        return s;
    pj = wn__json_get(root, "parameters");
    if ((s = wn__um_get_int(pj, "k", 1, WN__CLU_MAX_K, file, W, &v)) != WN_OK)
        return s;
    m->k = p->k = (int)v;
    if ((s = wn__um_get_int(pj, "restarts", 1, INT32_MAX, file, W, &v)) != WN_OK)
        return s;
    p->restarts = (int)v;
    if ((s = wn__um_get_int(pj, "max_iter", 1, INT32_MAX, file, W, &v)) != WN_OK)
        return s;
    p->max_iter = (int)v;
    if ((s = wn__um_get_num(pj, "tol", 0, DBL_MAX, 0, file, W, &p->tol)) != WN_OK ||
        (s = wn__um_get_int(pj, "silhouette_sample", 0, INT64_MAX, file, W,
                            &p->silhouette_sample)) != WN_OK ||
        (s = wn__um_read_rows(root, file, m->k, p->data.drop_missing, &m->nrows, &m->ndropped)) !=
            WN_OK ||
        (s = wn__um_get_object(root, "results", file, "header", &rj)) != WN_OK)
        return s;
    if ((s = wn__um_get_num(rj, "inertia", -DBL_MAX, DBL_MAX, 0, file, R, &m->inertia)) != WN_OK ||
        (s = wn__um_get_num(rj, "silhouette", -DBL_MAX, DBL_MAX, WN__UM_NULLABLE, file, R,
                            &m->silhouette)) != WN_OK ||
        (s = wn__um_get_int(rj, "iterations", 0, p->max_iter, file, R, &v)) != WN_OK)
        return s;
    m->iterations = (int)v;
    if (m->inertia < 0)
        return wn__um_bad(file, "%s: inertia %g is negative", R, m->inertia);
    if (!isnan(m->silhouette) && !(m->silhouette >= -1 && m->silhouette <= 1))
        return wn__um_bad(file, "%s: silhouette %g is outside [-1, 1]", R, m->silhouette);
    if ((s = wn__um_f64_section(c, "centers", (int64_t)m->k * d, 0, file, &m->centers_fit)) !=
        WN_OK)
        return s;
    for (int64_t t = 0; t < (int64_t)m->k * d; t++)
        if (!(fabs(m->centers_fit[t]) <= (double)FLT_MAX)) /* assign reads them as floats */
            return wn__um_bad(file, "section \"centers\": value %lld is outside the float range",
                              (long long)t);
    if (!(m->sizes = wn__malloc_array((size_t)m->k, sizeof(double))))
        return wn__oom("kmeans model");
    if ((s = wn__json_doubles(root, "sizes", m->k, file, m->sizes)) != WN_OK)
        return s;
    for (int c2 = 0; c2 < m->k; c2++)
        if (m->sizes[c2] < 0)
            return wn__um_bad(file, "header: sizes[%d] is negative", c2);
    if ((s = wn__um_copy_header(c, &m->header)) != WN_OK)
        return s;
    return wn__kmeans_derive(m);
}

wn_status wn__kmeans_from_container(const wn__container *c, const char *file, wn_kmeans **out)
{
    if (!c || !file || !out)
        return wn__fail(WN_EINVAL, "kmeans_load: NULL argument");
    wn_kmeans *m = wn__calloc(1, sizeof *m);
    if (!m)
        return wn__oom("kmeans model");
    wn_status s = load(c, file, m);
    if (s != WN_OK) {
        wn_kmeans_free(m);
        return s;
    }
    *out = m;
    return WN_OK;
}

wn_status wn_kmeans_load(const char *path, wn_kmeans **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "kmeans_load: NULL argument");
    wn__container *c = NULL;
    wn_status s = wn__container_load(path, &c);
    if (s != WN_OK)
        return s;
    s = wn__kmeans_from_container(c, path, out);
    wn__container_free(c);
    return s;
}
