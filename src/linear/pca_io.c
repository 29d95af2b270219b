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

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORTHO_TOL 1e-6

/* ---- header ---- */

wn_status wn__pca_build_header(wn_pca *m, const char *command_line)
{
    wn__jw w;
    wn__jw_init(&w, true);
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "kind"), wn__jw_string(&w, "pca");
    wn__jw_key(&w, "format_version"), wn__jw_int(&w, WN__PCA_FORMAT);
    wn__features_json(&w, &m->f);
    wn__jw_key(&w, "parameters");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "components"), wn__jw_int(&w, m->ncomp);
    wn__jw_key(&w, "whiten"), wn__jw_bool(&w, m->whiten != 0);
    wn__jw_key(&w, "standardize"), wn__jw_bool(&w, m->f.standardized != 0);
    wn__jw_key(&w, "drop_missing"), wn__jw_bool(&w, m->drop_missing != 0);
    wn__jw_object_end(&w);
    wn__jw_key(&w, "n_rows"), wn__jw_int(&w, m->nrows);
    wn__jw_key(&w, "n_dropped"), wn__jw_int(&w, m->ndropped);
    wn__jw_key(&w, "wsum"), wn__jw_double(&w, m->wsum);
    wn__jw_key(&w, "denominator"), wn__jw_double(&w, m->denom);
    wn__jw_doubles(&w, "mean", m->mean, m->f.nfeat);
    wn__jw_doubles(&w, "variance", m->variance, m->f.nfeat);
    wn__jw_key(&w, "provenance");
    wn__jw_object_begin(&w);
    wn__provenance_json(&w, m->input_hash, m->seed, command_line);
    wn__jw_object_end(&w);
    wn__jw_object_end(&w);
    char *h;
    size_t len;
    wn_status s = wn__jw_finish(&w, &h, &len);
    if (s != WN_OK)
        return wn__fail_prefix(s, "pca header");
    wn_free(m->header);
    m->header = h;
    return WN_OK;
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
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, m->components + i, 8);
        wn__put_le64(buf + 8 * i, u);
    }
    wn__section sec = {"components", buf, 8 * n};
    wn_status s = wn__container_save(path, m->header, &sec, 1);
    wn_free(buf);
    return s;
}

/* ---- load ---- */

static wn_status bad(const char *file, const char *fmt, ...) WN__PRINTF(2, 3);
static wn_status bad(const char *file, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wn__fail(WN_EFORMAT, "%s: %s", file, msg);
}

static wn_status get_int(const char *file, const wn__json *obj, const char *where, const char *key,
                         int64_t lo, int64_t hi, int64_t *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_NUMBER || !v->is_int || v->i < lo || v->i > hi)
        return bad(file, "%s: \"%s\" must be an integer in %lld..%lld", where, key, (long long)lo,
                   (long long)hi);
    *out = v->i;
    return WN_OK;
}

static wn_status get_bool(const char *file, const wn__json *obj, const char *where, const char *key,
                          int *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_BOOL)
        return bad(file, "%s: \"%s\" must be true or false", where, key);
    *out = v->boolean ? 1 : 0;
    return WN_OK;
}

static wn_status get_pos(const char *file, const wn__json *obj, const char *key, double *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_NUMBER || !isfinite(v->u.num) || !(v->u.num > 0))
        return bad(file, "header: \"%s\" must be a finite positive number", key);
    *out = v->u.num;
    return WN_OK;
}

static wn_status read_provenance(const char *file, const wn__json *root, wn_pca *m)
{
    const wn__json *pv = wn__json_get(root, "provenance"), *v;
    if (!pv || pv->type != WN__JSON_OBJECT)
        return bad(file, "header: \"provenance\" must be an object");
    const char *hx = wn__json_get_string(pv, "input_hash", "");
    if (strlen(hx) != 16 || strspn(hx, "0123456789abcdef") != 16)
        return bad(file, "header: provenance: \"input_hash\" must be 16 hex digits");
    m->input_hash = (uint64_t)strtoull(hx, NULL, 16);
    v = wn__json_get(pv, "seed");
    if (v && v->type == WN__JSON_NUMBER && v->is_int && v->i >= 0) {
        m->seed = (uint64_t)v->i;
    } else if (v && v->type == WN__JSON_STRING && v->n >= 1 && v->n <= 20 &&
               strspn(v->u.str, "0123456789") == v->n) {
        errno = 0;
        unsigned long long u = strtoull(v->u.str, NULL, 10);
        if (errno)
            return bad(file, "header: provenance: \"seed\" is out of range");
        m->seed = (uint64_t)u;
    } else {
        return bad(file, "header: provenance: \"seed\" must be an unsigned integer");
    }
    static const char *const strs[] = {"winnow_version", "created", "command_line"};
    for (int i = 0; i < 3; i++) {
        v = wn__json_get(pv, strs[i]);
        if (!v || (v->type != WN__JSON_STRING && !(i == 2 && v->type == WN__JSON_NULL)))
            return bad(file, "header: provenance: \"%s\" must be a string%s", strs[i],
                       i == 2 ? " or null" : "");
    }
    return WN_OK;
}

static double get_f64(const uint8_t *p)
{
    uint64_t u = wn__get_le64(p);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

/* Decodes the "components" section (exactly ncomp x nfeat doubles) and
 * checks each is finite, the rows orthonormal and signed by convention. */
static wn_status read_components(const char *file, const wn__container *c, wn_pca *m)
{
    const int64_t d = m->f.nfeat;
    const int k = m->ncomp;
    const void *data;
    size_t size;
    if (wn__container_section(c, "components", &data, &size) != WN_OK)
        return bad(file, "missing section \"components\"");
    size_t want = (size_t)k * (size_t)d * 8;
    if (size != want)
        return bad(file,
                   "section \"components\" has %zu bytes; %d components of %lld features "
                   "need %zu",
                   size, k, (long long)d, want);
    const uint8_t *p = data;
    double *v = m->components;
    for (size_t i = 0; i < (size_t)k * (size_t)d; i++) {
        v[i] = get_f64(p + 8 * i);
        if (!isfinite(v[i]))
            return bad(file, "component %zu, feature %zu is not finite", i / (size_t)d,
                       i % (size_t)d);
    }
    for (int a = 0; a < k; a++) {
        const double *va = v + (size_t)a * (size_t)d;
        int64_t big = 0;
        for (int64_t f = 1; f < d; f++)
            if (fabs(va[f]) > fabs(va[big]))
                big = f;
        if (!(va[big] > 0))
            return bad(file, "component %d: its largest-magnitude entry is not positive", a);
        for (int b = a; b < k; b++) {
            const double *vb = v + (size_t)b * (size_t)d;
            double dot = 0;
            for (int64_t f = 0; f < d; f++)
                dot += va[f] * vb[f];
            if (!(fabs(dot - (a == b ? 1.0 : 0.0)) <= ORTHO_TOL))
                return bad(file, "components %d and %d are not orthonormal (dot product %.3g)", a,
                           b, dot);
        }
    }
    return WN_OK;
}

static wn_status load(const char *file, const wn__container *c, wn_pca *m)
{
    const wn__json *root = wn__container_header_json(c);
    wn_status s;
    if (!root || root->type != WN__JSON_OBJECT)
        return bad(file, "header is not a JSON object");
    const char *kind = wn__json_get_string(root, "kind", "");
    if (strcmp(kind, "pca") != 0)
        return bad(file, "not a pca model (kind \"%.100s\")", kind);
    int64_t fv, v;
    if ((s = get_int(file, root, "header", "format_version", 1, INT64_MAX, &fv)) != WN_OK)
        return s;
    if (fv > WN__PCA_FORMAT)
        return bad(file, "pca format %lld is newer than this winnow reads (%d)", (long long)fv,
                   WN__PCA_FORMAT);
    if ((s = wn__features_from_json(root, file, &m->f)) != WN_OK)
        return s;
    const int64_t d = m->f.nfeat;
    if (d < 1)
        return bad(file, "header: no features");
    const wn__json *pj = wn__json_get(root, "parameters");
    if (!pj || pj->type != WN__JSON_OBJECT)
        return bad(file, "header: \"parameters\" must be an object");
    int stdz = 0;
    const char *wp = "header: parameters";
    if ((s = get_int(file, pj, wp, "components", 1, d < INT32_MAX ? d : INT32_MAX, &v)) != WN_OK ||
        (s = get_bool(file, pj, wp, "whiten", &m->whiten)) != WN_OK ||
        (s = get_bool(file, pj, wp, "standardize", &stdz)) != WN_OK ||
        (s = get_bool(file, pj, wp, "drop_missing", &m->drop_missing)) != WN_OK)
        return s;
    m->ncomp = (int)v;
    for (int64_t i = 0; i < d && !m->f.standardized; i++)
        if (m->f.center[i] != 0 || m->f.scale[i] != 1)
            return bad(file,
                       "header: feature %lld has center %.17g and scale %.17g but the "
                       "features are not standardized",
                       (long long)i, m->f.center[i], m->f.scale[i]);
    if (stdz != (m->f.standardized != 0))
        return bad(file,
                   "header: parameters: standardize is %s but the features are%s "
                   "standardized",
                   stdz ? "true" : "false", m->f.standardized ? "" : " not");
    if ((s = get_int(file, root, "header", "n_rows", 2, INT64_MAX, &m->nrows)) != WN_OK ||
        (s = get_int(file, root, "header", "n_dropped", 0, INT64_MAX, &m->ndropped)) != WN_OK)
        return s;
    if (m->ndropped > 0 && !m->drop_missing)
        return bad(file, "header: n_dropped is %lld but drop_missing is false",
                   (long long)m->ndropped);
    if ((s = get_pos(file, root, "wsum", &m->wsum)) != WN_OK ||
        (s = get_pos(file, root, "denominator", &m->denom)) != WN_OK)
        return s;
    if (m->denom > m->wsum)
        return bad(file, "header: denominator %.17g exceeds wsum %.17g", m->denom, m->wsum);
    if ((s = wn__pca_alloc(m)) != WN_OK)
        return s;
    if ((s = wn__json_doubles(root, "mean", d, file, m->mean)) != WN_OK ||
        (s = wn__json_doubles(root, "variance", d, file, m->variance)) != WN_OK)
        return s;
    for (int64_t i = 0; i < d; i++) {
        if (!(m->variance[i] >= 0))
            return bad(file, "header: variance[%lld] is negative", (long long)i);
        if (i > 0 && m->variance[i] > m->variance[i - 1])
            return bad(file, "header: variance is not in descending order at %lld", (long long)i);
    }
    if (!(m->variance[0] > 0))
        return bad(file, "header: every variance is zero");
    if ((s = read_provenance(file, root, m)) != WN_OK ||
        (s = read_components(file, c, m)) != WN_OK || (s = wn__pca_finish(m)) != WN_OK)
        return s;
    size_t hl;
    const char *h = wn__container_header(c, &hl);
    if (!(m->header = wn__strndup(h, hl)))
        return wn__oom("pca header");
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
