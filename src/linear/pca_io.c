/* pca_io.c — the PCA model file: its JSON header, save, and a loader that
 * trusts nothing.
 *
 * A PCA model is one container (src/io/container.c, docs/model-format.md)
 * of kind "pca". The header, readable by a person, holds the features and
 * their standardisation (wn__features_json), the parameters (components,
 * whiten, standardize, drop_missing), the fit's size (n_rows, n_dropped,
 * wsum, denominator), the mean and every eigenvalue (JSON doubles, which
 * round-trip bit for bit), and the provenance. One binary section,
 * "components", holds the ncomp x nfeat eigenvectors row-major as
 * little-endian IEEE-754 doubles (8 bytes each, byte by byte: no struct
 * dump, no host byte order).
 *
 * The loader is the fuzz target's entry (wn__pca_from_container). The
 * container layer has proved the bytes are what a writer saved; this file
 * proves they are a PCA model that transform can run: kind and version,
 * every count in range and consistent with the others (components <= nfeat,
 * the section exactly ncomp * nfeat * 8 bytes, checked before anything is
 * sized from it), every value finite, variances >= 0, descending and not
 * all zero, components orthonormal (to 1e-6) and signed by the convention
 * (largest-magnitude entry positive). Errors are WN_EFORMAT, one line
 * starting with the file's name, or WN_ENOMEM.
 *
 * References: Pearson 1901; Jolliffe, "Principal Component Analysis",
 * Springer 2002 (the model); the container's layout in docs/model-format.md. */
#include "pca.h"

#include "io/umodel_io.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define ORTHO_TOL 1e-6

/* ---- header ---- */

wn_status wn__pca_build_header(wn_pca *m, const char *command_line)
{
    wn__jw w;
    wn__um_jw_head(&w, "pca", WN__PCA_FORMAT, &m->f);
    wn__jw_key(&w, "parameters");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "components"), wn__jw_int(&w, m->ncomp);
    wn__jw_key(&w, "whiten"), wn__jw_bool(&w, m->whiten != 0);
    wn__jw_key(&w, "standardize"), wn__jw_bool(&w, m->f.standardized != 0);
    wn__jw_key(&w, "drop_missing"), wn__jw_bool(&w, m->drop_missing != 0);
    wn__jw_object_end(&w);
    wn__um_jw_rows(&w, m->nrows, m->ndropped);
    wn__jw_key(&w, "wsum"), wn__jw_double(&w, m->wsum);
    wn__jw_key(&w, "denominator"), wn__jw_double(&w, m->denom);
    wn__jw_doubles(&w, "mean", m->mean, m->f.nfeat);
    wn__jw_doubles(&w, "variance", m->variance, m->f.nfeat);
    wn__um_jw_provenance(&w, m->input_hash, m->seed, command_line);
    return wn__um_jw_finish(&w, "pca header", &m->header);
}

/* ---- save ---- */

wn_status wn_pca_save(const wn_pca *m, const char *path)
{
    if (!m || !path)
        return wn__fail(WN_EINVAL, "pca save: %s is NULL", m ? "path" : "model");
    if (!m->header || !m->components)
        return wn__fail(WN_EINVAL, "pca save: the model is incomplete");
    size_t n = (size_t)m->ncomp * (size_t)m->f.nfeat;
    uint8_t *buf = wn__malloc_array(n, 8);
    if (!buf)
        return wn__oom("pca save");
    wn__um_put_f64s(buf, m->components, (int64_t)n);
    wn__section sec = {"components", buf, 8 * n};
    wn_status s = wn__container_save(path, m->header, &sec, 1);
    wn_free(buf);
    return s;
}

/* ---- load ---- */

/* Decodes the "components" section (exactly ncomp x nfeat finite doubles)
 * and checks the rows are orthonormal and signed by convention. */
static wn_status read_components(const char *file, const wn__container *c, wn_pca *m)
{
    const int64_t d = m->f.nfeat;
    const int k = m->ncomp;
    double *v = m->components;
    wn_status s = wn__um_f64_section_into(c, "components", (int64_t)k * d, 0, file, v);
    if (s != WN_OK)
        return s;
    for (int a = 0; a < k; a++) {
        const double *va = v + (size_t)a * (size_t)d;
        int64_t big = 0;
        for (int64_t f = 1; f < d; f++)
            if (fabs(va[f]) > fabs(va[big]))
                big = f;
        if (!(va[big] > 0))
            return wn__um_bad(file, "component %d: its largest-magnitude entry is not positive", a);
        for (int b = a; b < k; b++) {
            const double *vb = v + (size_t)b * (size_t)d;
            double dot = 0;
            for (int64_t f = 0; f < d; f++)
                dot += va[f] * vb[f];
            if (!(fabs(dot - (a == b ? 1.0 : 0.0)) <= ORTHO_TOL))
                return wn__um_bad(
                    file, "components %d and %d are not orthonormal (dot product %.3g)", a, b, dot);
        }
    }
    return WN_OK;
}

static wn_status load(const char *file, const wn__container *c, wn_pca *m)
{
    const wn__json *root = wn__container_header_json(c), *pj;
    const char *wp = "header: parameters";
    wn_status s;
    int64_t v;
    if ((s = wn__um_read_head(root, file, "pca", "a pca model", "pca", WN__PCA_FORMAT, &m->f)) !=
        WN_OK)
        return s;
    const int64_t d = m->f.nfeat;
    if (d < 1)
        return wn__um_bad(file, "header: no features");
    int stdz = 0;
    if ((s = wn__um_get_object(root, "parameters", file, "header", &pj)) != WN_OK ||
        (s = wn__um_get_int(pj, "components", 1, d < INT32_MAX ? d : INT32_MAX, file, wp, &v)) !=
            WN_OK ||
        (s = wn__um_get_bool(pj, "whiten", file, wp, &m->whiten)) != WN_OK ||
        (s = wn__um_read_data(pj, file, &m->f, &m->drop_missing, &stdz, NULL)) != WN_OK)
        return s;
    m->ncomp = (int)v;
    if ((s = wn__um_read_rows(root, file, 2, m->drop_missing, &m->nrows, &m->ndropped)) != WN_OK ||
        (s = wn__um_get_num(root, "wsum", 0, DBL_MAX, WN__UM_LO_OPEN, file, "header", &m->wsum)) !=
            WN_OK ||
        (s = wn__um_get_num(root, "denominator", 0, DBL_MAX, WN__UM_LO_OPEN, file, "header",
                            &m->denom)) != WN_OK)
        return s;
    if (m->denom > m->wsum)
        return wn__um_bad(file, "header: denominator %.17g exceeds wsum %.17g", m->denom, m->wsum);
    if ((s = wn__pca_alloc(m)) != WN_OK)
        return s;
    if ((s = wn__json_doubles(root, "mean", d, file, m->mean)) != WN_OK ||
        (s = wn__json_doubles(root, "variance", d, file, m->variance)) != WN_OK)
        return s;
    for (int64_t i = 0; i < d; i++) {
        if (!(m->variance[i] >= 0))
            return wn__um_bad(file, "header: variance[%lld] is negative", (long long)i);
        if (i > 0 && m->variance[i] > m->variance[i - 1])
            return wn__um_bad(file, "header: variance is not in descending order at %lld",
                              (long long)i);
    }
    if (!(m->variance[0] > 0))
        return wn__um_bad(file, "header: every variance is zero");
    if ((s = wn__um_read_provenance(root, file, NULL, &m->input_hash, &m->seed, NULL)) != WN_OK ||
        (s = read_components(file, c, m)) != WN_OK || (s = wn__pca_finish(m)) != WN_OK)
        return s;
    if ((s = wn__um_copy_header(c, &m->header)) != WN_OK)
        return s;
    return WN_OK;
}

wn_status wn__pca_from_container(const wn__container *c, const char *file, wn_pca **out)
{
    if (!c || !file || !out)
        return wn__fail(WN_EINVAL, "pca load: NULL argument");
    wn_pca *m = wn__pca_new();
    if (!m)
        return wn__oom("pca model");
    wn_status s = load(file, c, m);
    if (s != WN_OK) {
        wn_pca_free(m);
        return s;
    }
    *out = m;
    return WN_OK;
}

wn_status wn_pca_load(const char *path, wn_pca **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "pca load: %s is NULL", path ? "out" : "path");
    wn__container *c = NULL;
    wn_status s = wn__container_load(path, &c);
    if (s != WN_OK)
        return s;
    s = wn__pca_from_container(c, path, out);
    wn__container_free(c);
    return s;
}
