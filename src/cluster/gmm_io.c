/* gmm_io.c — the Gaussian mixture model file (kind "gmm"): header, save,
 * and a loader that trusts nothing.
 *
 * One container (src/io/container.c, docs/model-format.md):
 *   header (JSON): kind, format_version, the features block (names,
 *     standardized, center, scale), parameters (k, cov "full"/"diag",
 *     max_iter, tol, reg_covar, restarts, drop_missing, standardize, seed,
 *     threads), n_rows, n_dropped, results (loglik, bic, iterations,
 *     converged, regularised), weights[k], provenance;
 *   section "means":       k x d little-endian float64 (fitted space);
 *   section "covariances": k x d x d little-endian float64, row-major,
 *     regularisation included (diagonal ones stored full).
 * The loader checks every member, the sections' exact sizes against the
 * header's counts before allocating, finiteness, weights in (0, 1]
 * summing to 1 (within 1e-9), each covariance exactly symmetric (and
 * exactly diagonal for "diag") and positive definite (its Cholesky factor,
 * LAPACKE dpotrf, is what prediction uses, computed the same way as at fit
 * time, so a loaded model predicts bit for bit like the fitted one).
 * Errors: WN_EFORMAT naming the file.
 *
 * The model: EM (Dempster, Laird & Rubin 1977), BIC (Schwarz 1978). */
#include "cluster.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define GMM_FORMAT 1

wn_status wn__gmm_build_header(wn_gmm *m)
{
    const wn_gmm_params *p = &m->params;
    wn__jw w;
    wn__um_jw_head(&w, "gmm", GMM_FORMAT, &m->f);
    wn__jw_key(&w, "parameters");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "k"), wn__jw_int(&w, m->k);
    wn__jw_key(&w, "cov"), wn__jw_string(&w, p->cov == WN_GMM_DIAG ? "diag" : "full");
    wn__jw_key(&w, "max_iter"), wn__jw_int(&w, p->max_iter);
    wn__jw_key(&w, "tol"), wn__jw_double(&w, p->tol);
    wn__jw_key(&w, "reg_covar"), wn__jw_double(&w, p->reg_covar);
    wn__jw_key(&w, "restarts"), wn__jw_int(&w, p->restarts);
    wn__clu_jw_data(&w, &p->data);
    wn__jw_object_end(&w);
    wn__um_jw_rows(&w, m->nrows, m->ndropped);
    wn__jw_key(&w, "results");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "loglik"), wn__jw_double(&w, m->loglik);
    wn__jw_key(&w, "bic"), wn__jw_double(&w, m->bic);
    wn__jw_key(&w, "iterations"), wn__jw_int(&w, m->iterations);
    wn__jw_key(&w, "converged"), wn__jw_bool(&w, m->converged != 0);
    wn__jw_key(&w, "regularised"), wn__jw_int(&w, m->regularised);
    wn__jw_object_end(&w);
    wn__jw_doubles(&w, "weights", m->weights, m->k);
    wn__um_jw_provenance(&w, m->input_hash, p->data.seed, m->command_line);
    return wn__um_jw_finish(&w, "gmm header", &m->header);
}

wn_status wn_gmm_save(const wn_gmm *m, const char *path)
{
    if (!m || !path)
        return wn__fail(WN_EINVAL, "gmm_save: %s is NULL", m ? "path" : "model");
    const int64_t kd = (int64_t)m->k * m->f.nfeat, kdd = kd * m->f.nfeat;
    uint8_t *mb = wn__malloc_array((size_t)kd, 8), *cb = wn__malloc_array((size_t)kdd, 8);
    wn_status s;
    if (!mb || !cb) {
        s = wn__oom("gmm_save");
    } else {
        wn__um_put_f64s(mb, m->means, kd);
        wn__um_put_f64s(cb, m->covs, kdd);
        wn__section secs[2] = {{"means", mb, (size_t)kd * 8}, {"covariances", cb, (size_t)kdd * 8}};
        s = wn__container_save(path, m->header, secs, 2);
    }
    wn_free(mb);
    wn_free(cb);
    return s;
}

static wn_status load(const wn__container *c, const char *file, wn_gmm *m)
{
    const wn__json *root = wn__container_header_json(c), *pj, *rj;
    const char *W = "header: parameters", *R = "header: results";
    wn_status s;
    int64_t v;
    if ((s = wn__um_read_head(root, file, "gmm", "a gmm model", "gmm", GMM_FORMAT, &m->f)) != WN_OK)
        return s;
    const int64_t d = m->f.nfeat;
    wn_gmm_params *p = &m->params;
    *p = wn_gmm_params_default();
    if ((s = wn__clu_read_data(root, file, &m->f, &p->data, &m->input_hash, &m->command_line)) !=
        WN_OK)
        return s;
    pj = wn__json_get(root, "parameters");
    if ((s = wn__um_get_int(pj, "k", 1, WN__CLU_MAX_K, file, W, &v)) != WN_OK)
        return s;
    m->k = p->k = (int)v;
    const char *cv = wn__json_get_string(pj, "cov", "");
    if (strcmp(cv, "full") && strcmp(cv, "diag"))
        return wn__um_bad(file, "%s: \"cov\" must be \"full\" or \"diag\"", W);
    p->cov = strcmp(cv, "diag") == 0 ? WN_GMM_DIAG : WN_GMM_FULL;
    if ((s = wn__um_get_int(pj, "max_iter", 1, INT32_MAX, file, W, &v)) != WN_OK)
        return s;
    p->max_iter = (int)v;
    if ((s = wn__um_get_int(pj, "restarts", 1, INT32_MAX, file, W, &v)) != WN_OK)
        return s;
    p->restarts = (int)v;
    if ((s = wn__um_get_num(pj, "tol", 0, DBL_MAX, 0, file, W, &p->tol)) != WN_OK ||
        (s = wn__um_get_num(pj, "reg_covar", 0, DBL_MAX, 0, file, W, &p->reg_covar)) != WN_OK ||
        (s = wn__um_read_rows(root, file, m->k, p->data.drop_missing, &m->nrows, &m->ndropped)) !=
            WN_OK ||
        (s = wn__um_get_object(root, "results", file, "header", &rj)) != WN_OK)
        return s;
    if ((s = wn__um_get_num(rj, "loglik", -DBL_MAX, DBL_MAX, 0, file, R, &m->loglik)) != WN_OK ||
        (s = wn__um_get_num(rj, "bic", -DBL_MAX, DBL_MAX, 0, file, R, &m->bic)) != WN_OK ||
        (s = wn__um_get_int(rj, "iterations", 0, p->max_iter, file, R, &v)) != WN_OK)
        return s;
    m->iterations = (int)v;
    if ((s = wn__um_get_int(rj, "regularised", 0, INT32_MAX, file, R, &v)) != WN_OK)
        return s;
    m->regularised = (int)v;
    if ((s = wn__um_get_bool(rj, "converged", file, R, &m->converged)) != WN_OK)
        return s;
    if (!(m->weights = wn__malloc_array((size_t)m->k, sizeof(double))))
        return wn__oom("gmm model");
    if ((s = wn__json_doubles(root, "weights", m->k, file, m->weights)) != WN_OK)
        return s;
    double ws = 0;
    for (int k = 0; k < m->k; k++) {
        if (!(m->weights[k] > 0 && m->weights[k] <= 1))
            return wn__um_bad(file, "header: weights[%d] = %g is outside (0, 1]", k, m->weights[k]);
        ws += m->weights[k];
    }
    if (!(fabs(ws - 1) <= 1e-9))
        return wn__um_bad(file, "header: the weights sum to %.17g, not 1", ws);
    if ((s = wn__um_f64_section(c, "means", (int64_t)m->k * d, 0, file, &m->means)) != WN_OK ||
        (s = wn__um_f64_section(c, "covariances", (int64_t)m->k * d * d, 0, file, &m->covs)) !=
            WN_OK)
        return s;
    for (int k = 0; k < m->k; k++) {
        const double *cv2 = m->covs + (int64_t)k * d * d;
        for (int64_t a = 0; a < d; a++)
            for (int64_t b = 0; b < d; b++) {
                if (cv2[a * d + b] != cv2[b * d + a])
                    return wn__um_bad(file, "covariance %d is not symmetric at (%lld, %lld)", k,
                                      (long long)a, (long long)b);
                if (p->cov == WN_GMM_DIAG && a != b && cv2[a * d + b] != 0)
                    return wn__um_bad(file, "diagonal covariance %d has (%lld, %lld) != 0", k,
                                      (long long)a, (long long)b);
            }
    }
    if ((s = wn__gmm_factor(m)) != WN_OK) {
        if (s != WN_ENUMERIC)
            return s;
        char msg[256];
        snprintf(msg, sizeof msg, "%s", wn_errmsg());
        return wn__um_bad(file, "%s", msg);
    }
    if ((s = wn__um_copy_header(c, &m->header)) != WN_OK)
        return s;
    return WN_OK;
}

wn_status wn__gmm_from_container(const wn__container *c, const char *file, wn_gmm **out)
{
    if (!c || !file || !out)
        return wn__fail(WN_EINVAL, "gmm_load: NULL argument");
    wn_gmm *m = wn__calloc(1, sizeof *m);
    if (!m)
        return wn__oom("gmm model");
    wn_status s = load(c, file, m);
    if (s != WN_OK) {
        wn_gmm_free(m);
        return s;
    }
    *out = m;
    return WN_OK;
}

wn_status wn_gmm_load(const char *path, wn_gmm **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "gmm_load: NULL argument");
    wn__container *c = NULL;
    wn_status s = wn__container_load(path, &c);
    if (s != WN_OK)
        return s;
    s = wn__gmm_from_container(c, path, out);
    wn__container_free(c);
    return s;
}
