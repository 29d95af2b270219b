/* cluster_io.c — pieces of the k-means and mixture model files that both
 * share: strict header readers (every member checked for type and range,
 * errors naming the file), the data-handling parameters and provenance,
 * and little-endian float64 sections.
 *
 * The loaders follow stb's rule (STYLE.md rule 7): a count read from a file
 * is checked against the size of the section that must hold it before
 * anything is allocated from it. See kmeans_io.c and gmm_io.c for the
 * layouts; the algorithms are Lloyd 1982 / Hamerly 2010 (k-means) and
 * Dempster et al. 1977 (EM). */
#include "cluster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wn_status wn__clu_bad(const char *file, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wn__fail(WN_EFORMAT, "%s: %s", file, msg);
}

wn_status wn__clu_get_int(const wn__json *obj, const char *key, int64_t lo, int64_t hi,
                          const char *file, const char *where, int64_t *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_NUMBER || !v->is_int || v->i < lo || v->i > hi)
        return wn__clu_bad(file, "%s: \"%s\" must be an integer in %lld..%lld", where, key,
                           (long long)lo, (long long)hi);
    *out = v->i;
    return WN_OK;
}

wn_status wn__clu_get_num(const wn__json *obj, const char *key, int nullable, const char *file,
                          const char *where, double *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (v && v->type == WN__JSON_NULL && nullable) {
        *out = (double)NAN;
        return WN_OK;
    }
    if (!v || v->type != WN__JSON_NUMBER || !isfinite(v->u.num))
        return wn__clu_bad(file, "%s: \"%s\" must be a finite number%s", where, key,
                           nullable ? " or null" : "");
    *out = v->u.num;
    return WN_OK;
}

static wn_status get_u64(const wn__json *obj, const char *key, const char *file, const char *where,
                         uint64_t *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (v && v->type == WN__JSON_NUMBER && v->is_int && v->i >= 0) {
        *out = (uint64_t)v->i;
        return WN_OK;
    }
    if (v && v->type == WN__JSON_STRING && v->n >= 1 && v->n <= 20 &&
        strspn(v->u.str, "0123456789") == v->n) {
        *out = (uint64_t)strtoull(v->u.str, NULL, 10);
        return WN_OK;
    }
    return wn__clu_bad(file, "%s: \"%s\" must be an unsigned integer", where, key);
}

void wn__clu_jw_data(wn__jw *w, const wn_unsup_data *d)
{
    wn__jw_key(w, "drop_missing"), wn__jw_bool(w, d->drop_missing != 0);
    wn__jw_key(w, "standardize"), wn__jw_bool(w, d->standardize != 0);
    wn__jw_u64(w, "seed", d->seed);
    wn__jw_key(w, "threads"), wn__jw_int(w, d->threads);
}

static wn_status get_bool(const wn__json *obj, const char *key, const char *file, int *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_BOOL)
        return wn__clu_bad(file, "header: parameters: \"%s\" must be true or false", key);
    *out = v->boolean;
    return WN_OK;
}

wn_status wn__clu_read_data(const wn__json *root, const char *file, wn_unsup_data *d,
                            uint64_t *input_hash, char **command_line)
{
    const wn__json *pj = wn__json_get(root, "parameters");
    wn_status s;
    int64_t v;
    *command_line = NULL;
    if (!pj || pj->type != WN__JSON_OBJECT)
        return wn__clu_bad(file, "header: \"parameters\" must be an object");
    if ((s = get_bool(pj, "drop_missing", file, &d->drop_missing)) != WN_OK ||
        (s = get_bool(pj, "standardize", file, &d->standardize)) != WN_OK ||
        (s = get_u64(pj, "seed", file, "header: parameters", &d->seed)) != WN_OK ||
        (s = wn__clu_get_int(pj, "threads", 0, 1 << 20, file, "header: parameters", &v)) != WN_OK)
        return s;
    d->threads = (int)v;
    const wn__json *pv = wn__json_get(root, "provenance");
    if (!pv || pv->type != WN__JSON_OBJECT)
        return wn__clu_bad(file, "header: \"provenance\" must be an object");
    const char *hx = wn__json_get_string(pv, "input_hash", "");
    if (strlen(hx) != 16 || strspn(hx, "0123456789abcdef") != 16)
        return wn__clu_bad(file, "header: provenance: input_hash must be 16 hex digits");
    *input_hash = (uint64_t)strtoull(hx, NULL, 16);
    const wn__json *cr = wn__json_get(pv, "created");
    if (!cr || cr->type != WN__JSON_STRING || cr->n < 1 || cr->n > 64)
        return wn__clu_bad(file, "header: provenance: \"created\" must be a short string");
    uint64_t seed;
    if ((s = get_u64(pv, "seed", file, "header: provenance", &seed)) != WN_OK)
        return s;
    if (seed != d->seed)
        return wn__clu_bad(file, "header: provenance seed differs from the parameters' seed");
    const wn__json *cl = wn__json_get(pv, "command_line");
    if (!cl ||
        (cl->type != WN__JSON_NULL && (cl->type != WN__JSON_STRING || strlen(cl->u.str) != cl->n)))
        return wn__clu_bad(file, "header: provenance: \"command_line\" must be a string or null");
    if (cl->type == WN__JSON_STRING && !(*command_line = wn__strndup(cl->u.str, cl->n)))
        return wn__oom("model");
    return WN_OK;
}

void wn__clu_put_f64s(uint8_t *p, const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, v + i, 8);
        wn__put_le64(p + 8 * i, u);
    }
}

wn_status wn__clu_f64_section(const wn__container *c, const char *name, int64_t count,
                              const char *file, double **out)
{
    *out = NULL;
    const void *data;
    size_t size;
    if (wn__container_section(c, name, &data, &size) != WN_OK)
        return wn__clu_bad(file, "missing section \"%s\"", name);
    if (count < 0 || (uint64_t)count > SIZE_MAX / 8 || size != (size_t)count * 8)
        return wn__clu_bad(file, "section \"%s\" has %zu bytes, expected %lld doubles", name, size,
                           (long long)count);
    const uint8_t *p = data;
    double *v = wn__malloc_array((size_t)(count ? count : 1), sizeof(double));
    if (!v)
        return wn__oom("model");
    for (int64_t i = 0; i < count; i++) {
        uint64_t u = wn__get_le64(p + 8 * i);
        memcpy(v + i, &u, 8);
        if (!isfinite(v[i])) {
            wn_free(v);
            return wn__clu_bad(file, "section \"%s\": value %lld is not finite", name,
                               (long long)i);
        }
    }
    *out = v;
    return WN_OK;
}
