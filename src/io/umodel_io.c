/* umodel_io.c — what the model files of the unsupervised methods (PCA,
 * k-means, GMM, SOM, isolation forest) share: strict readers of the JSON
 * header, the provenance, the data-handling parameters and the row counts;
 * the writers of the header parts they all have; little-endian float64
 * sections.
 *
 * Why it exists: each loader used to carry its own copy of these helpers,
 * and the copies had drifted (one let an overflowing seed saturate, one
 * never looked at the provenance). One copy, holding the strictest check
 * any of them made, keeps the loaders equally distrustful. The layouts are
 * in each model's *_io.c and docs/model-format.md; the rule followed is
 * stb's (STYLE.md rule 7): a count read from a file is checked against the
 * size of the section that must hold it before anything is allocated from
 * it, and every value is checked before it is used. */
#include "io/umodel_io.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

wn_status wn__um_bad(const char *file, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return wn__fail(WN_EFORMAT, "%s: %s", file, msg);
}

/* ---- members ---- */

wn_status wn__um_get_object(const wn__json *obj, const char *key, const char *file,
                            const char *where, const wn__json **out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_OBJECT)
        return wn__um_bad(file, "%s: \"%s\" must be an object", where, key);
    *out = v;
    return WN_OK;
}

wn_status wn__um_get_int(const wn__json *obj, const char *key, int64_t lo, int64_t hi,
                         const char *file, const char *where, int64_t *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_NUMBER || !v->is_int || v->i < lo || v->i > hi)
        return wn__um_bad(file, "%s: \"%s\" must be an integer in %lld..%lld", where, key,
                          (long long)lo, (long long)hi);
    *out = v->i;
    return WN_OK;
}

wn_status wn__um_get_num(const wn__json *obj, const char *key, double lo, double hi, unsigned flags,
                         const char *file, const char *where, double *out)
{
    const wn__json *v = wn__json_get(obj, key);
    const int open = (flags & WN__UM_LO_OPEN) != 0, nullable = (flags & WN__UM_NULLABLE) != 0;
    if (v && v->type == WN__JSON_NULL && nullable) {
        *out = (double)NAN;
        return WN_OK;
    }
    if (v && v->type == WN__JSON_NUMBER && isfinite(v->u.num) &&
        (open ? v->u.num > lo : v->u.num >= lo) && v->u.num <= hi) {
        *out = v->u.num;
        return WN_OK;
    }
    char range[96] = "";
    const int has_lo = open || lo > -DBL_MAX, has_hi = hi < DBL_MAX;
    if (has_lo && has_hi)
        snprintf(range, sizeof range, " in %c%g, %g]", open ? '(' : '[', lo, hi);
    else if (has_lo)
        snprintf(range, sizeof range, " %s %g", open ? ">" : ">=", lo);
    else if (has_hi)
        snprintf(range, sizeof range, " <= %g", hi);
    return wn__um_bad(file, "%s: \"%s\" must be a finite number%s%s", where, key, range,
                      nullable ? " or null" : "");
}

wn_status wn__um_get_bool(const wn__json *obj, const char *key, const char *file, const char *where,
                          int *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_BOOL)
        return wn__um_bad(file, "%s: \"%s\" must be true or false", where, key);
    *out = v->boolean ? 1 : 0;
    return WN_OK;
}

wn_status wn__um_get_str(const wn__json *obj, const char *key, size_t minlen, size_t maxlen,
                         int nullable, const char *file, const char *where, const char **out,
                         size_t *len)
{
    const wn__json *v = wn__json_get(obj, key);
    if (v && v->type == WN__JSON_NULL && nullable) {
        *out = NULL;
        if (len)
            *len = 0;
        return WN_OK;
    }
    if (v && v->type == WN__JSON_STRING && v->n >= minlen && v->n <= maxlen &&
        strlen(v->u.str) == v->n) {
        *out = v->u.str;
        if (len)
            *len = v->n;
        return WN_OK;
    }
    char size[64] = "";
    if (minlen > 0 || maxlen < SIZE_MAX)
        snprintf(size, sizeof size, " of %zu to %zu bytes", minlen, maxlen);
    return wn__um_bad(file, "%s: \"%s\" must be a string%s%s", where, key, size,
                      nullable ? " or null" : "");
}

wn_status wn__um_get_u64(const wn__json *obj, const char *key, const char *file, const char *where,
                         uint64_t *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (v && v->type == WN__JSON_NUMBER && v->is_int && v->i >= 0) {
        *out = (uint64_t)v->i;
        return WN_OK;
    }
    if (v && v->type == WN__JSON_STRING && v->n >= 1 && v->n <= 20 &&
        strspn(v->u.str, "0123456789") == v->n) {
        uint64_t x = 0;
        int over = 0;
        for (size_t i = 0; i < v->n; i++) {
            const unsigned dg = (unsigned)(v->u.str[i] - '0');
            over |= x > (UINT64_MAX - dg) / 10;
            x = x * 10 + dg;
        }
        if (!over) {
            *out = x;
            return WN_OK;
        }
    }
    return wn__um_bad(file, "%s: \"%s\" must be an unsigned 64-bit integer", where, key);
}

/* ---- the parts every header has ---- */

wn_status wn__um_read_head(const wn__json *root, const char *file, const char *kind,
                           const char *noun, const char *name, int format, wn__features *f)
{
    if (!root || root->type != WN__JSON_OBJECT)
        return wn__um_bad(file, "header is not a JSON object");
    const char *k = wn__json_get_string(root, "kind", "");
    if (strcmp(k, kind) != 0)
        return wn__um_bad(file, "not %s (kind \"%.100s\")", noun, k);
    int64_t v;
    wn_status s = wn__um_get_int(root, "format_version", 1, INT64_MAX, file, "header", &v);
    if (s != WN_OK)
        return s;
    if (v > format)
        return wn__um_bad(file, "%s format %lld is newer than this winnow reads (%d)", name,
                          (long long)v, format);
    if (v < format)
        return wn__um_bad(file, "%s format %lld is older than this winnow reads (%d)", name,
                          (long long)v, format);
    return wn__features_from_json(root, file, f);
}

wn_status wn__um_read_data(const wn__json *pj, const char *file, const wn__features *f,
                           int *drop_missing, int *standardize, uint64_t *seed)
{
    const char *W = "header: parameters";
    int drop, stdz;
    uint64_t sd = 0;
    wn_status s;
    if ((s = wn__um_get_bool(pj, "drop_missing", file, W, &drop)) != WN_OK ||
        (s = wn__um_get_bool(pj, "standardize", file, W, &stdz)) != WN_OK ||
        (seed && (s = wn__um_get_u64(pj, "seed", file, W, &sd)) != WN_OK))
        return s;
    for (int64_t i = 0; i < f->nfeat && !f->standardized; i++)
        if (f->center[i] != 0 || f->scale[i] != 1)
            return wn__um_bad(file,
                              "header: feature %lld has center %.17g and scale %.17g but the "
                              "features are not standardized",
                              (long long)i, f->center[i], f->scale[i]);
    if (stdz != (f->standardized != 0))
        return wn__um_bad(file, "%s: standardize is %s but the features are%s standardized", W,
                          stdz ? "true" : "false", f->standardized ? "" : " not");
    *drop_missing = drop, *standardize = stdz;
    if (seed)
        *seed = sd;
    return WN_OK;
}

wn_status wn__um_read_rows(const wn__json *root, const char *file, int64_t min_rows,
                           int drop_missing, int64_t *nrows, int64_t *ndropped)
{
    int64_t n, nd;
    wn_status s;
    if ((s = wn__um_get_int(root, "n_rows", min_rows, INT64_MAX, file, "header", &n)) != WN_OK ||
        (s = wn__um_get_int(root, "n_dropped", 0, INT64_MAX, file, "header", &nd)) != WN_OK)
        return s;
    if (nd > 0 && !drop_missing)
        return wn__um_bad(file, "header: n_dropped is %lld but drop_missing is false",
                          (long long)nd);
    *nrows = n, *ndropped = nd;
    return WN_OK;
}

wn_status wn__um_read_provenance(const wn__json *root, const char *file,
                                 const uint64_t *params_seed, uint64_t *input_hash, uint64_t *seed,
                                 char **command_line)
{
    const char *P = "header: provenance";
    const wn__json *pv, *hx;
    const char *str;
    size_t len;
    uint64_t sd;
    wn_status s;
    if ((s = wn__um_get_object(root, "provenance", file, "header", &pv)) != WN_OK)
        return s;
    hx = wn__json_get(pv, "input_hash");
    if (!hx || hx->type != WN__JSON_STRING || hx->n != 16 ||
        strspn(hx->u.str, "0123456789abcdef") != 16)
        return wn__um_bad(file, "%s: \"input_hash\" must be 16 hex digits", P);
    if ((s = wn__um_get_u64(pv, "seed", file, P, &sd)) != WN_OK)
        return s;
    if (params_seed && sd != *params_seed)
        return wn__um_bad(file, "header: provenance seed differs from the parameters' seed");
    if ((s = wn__um_get_str(pv, "winnow_version", 0, SIZE_MAX, 0, file, P, &str, NULL)) != WN_OK ||
        (s = wn__um_get_str(pv, "created", 1, 64, 0, file, P, &str, NULL)) != WN_OK ||
        (s = wn__um_get_str(pv, "command_line", 0, SIZE_MAX, 1, file, P, &str, &len)) != WN_OK)
        return s;
    char *cl = NULL;
    if (command_line && str && !(cl = wn__strndup(str, len)))
        return wn__oom("model provenance");
    *input_hash = (uint64_t)strtoull(hx->u.str, NULL, 16);
    if (seed)
        *seed = sd;
    if (command_line)
        *command_line = cl;
    return WN_OK;
}

/* ---- writing ---- */

void wn__um_jw_head(wn__jw *w, const char *kind, int format, const wn__features *f)
{
    wn__jw_init(w, true);
    wn__jw_object_begin(w);
    wn__jw_key(w, "kind"), wn__jw_string(w, kind);
    wn__jw_key(w, "format_version"), wn__jw_int(w, format);
    wn__features_json(w, f);
}

void wn__um_jw_provenance(wn__jw *w, uint64_t input_hash, uint64_t seed, const char *command_line)
{
    wn__jw_key(w, "provenance");
    wn__jw_object_begin(w);
    wn__provenance_json(w, input_hash, seed, command_line);
    wn__jw_object_end(w);
}

void wn__um_jw_rows(wn__jw *w, int64_t nrows, int64_t ndropped)
{
    wn__jw_key(w, "n_rows"), wn__jw_int(w, nrows);
    wn__jw_key(w, "n_dropped"), wn__jw_int(w, ndropped);
}

wn_status wn__um_jw_finish(wn__jw *w, const char *what, char **header)
{
    char *text;
    size_t len;
    wn__jw_object_end(w);
    wn_status s = wn__jw_finish(w, &text, &len);
    if (s != WN_OK)
        return wn__fail_prefix(s, "%s", what);
    wn_free(*header);
    *header = text;
    return WN_OK;
}

wn_status wn__um_copy_header(const wn__container *c, char **out)
{
    size_t len;
    const char *h = wn__container_header(c, &len);
    char *copy = wn__strndup(h, len);
    if (!copy)
        return wn__oom("model header");
    *out = copy;
    return WN_OK;
}

/* ---- float64 sections ---- */

void wn__um_put_f64s(uint8_t *p, const double *v, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, v + i, 8);
        wn__put_le64(p + 8 * i, u);
    }
}

void wn__um_get_f64s(const uint8_t *p, int64_t n, double *v)
{
    for (int64_t i = 0; i < n; i++) {
        const uint64_t u = wn__get_le64(p + 8 * i);
        memcpy(v + i, &u, 8);
    }
}

/* The bytes of section name, exactly 8 * count of them. */
static wn_status section_bytes(const wn__container *c, const char *name, int64_t count,
                               const char *file, const uint8_t **out)
{
    const void *data;
    size_t size;
    if (wn__container_section(c, name, &data, &size) != WN_OK)
        return wn__um_bad(file, "missing section \"%s\"", name);
    if (count < 0 || (uint64_t)count > SIZE_MAX / 8)
        return wn__um_bad(file, "section \"%s\" has %zu bytes, expected %lld doubles", name, size,
                          (long long)count);
    if (size != (size_t)count * 8)
        return wn__um_bad(file, "section \"%s\" has %zu bytes, expected %lld doubles (need %zu)",
                          name, size, (long long)count, (size_t)count * 8);
    *out = data;
    return WN_OK;
}

static wn_status decode(const uint8_t *p, int64_t count, unsigned flags, const char *name,
                        const char *file, double *out)
{
    wn__um_get_f64s(p, count, out);
    for (int64_t i = 0; i < count; i++) {
        if (!isfinite(out[i]))
            return wn__um_bad(file, "section \"%s\": value %lld is not finite", name, (long long)i);
        if ((flags & WN__UM_NONNEG) && out[i] < 0)
            return wn__um_bad(file,
                              "section \"%s\": value %lld is %g, not a finite non-negative "
                              "number",
                              name, (long long)i, out[i]);
    }
    return WN_OK;
}

wn_status wn__um_f64_section_into(const wn__container *c, const char *name, int64_t count,
                                  unsigned flags, const char *file, double *out)
{
    const uint8_t *p;
    wn_status s = section_bytes(c, name, count, file, &p);
    return s != WN_OK ? s : decode(p, count, flags, name, file, out);
}

wn_status wn__um_f64_section(const wn__container *c, const char *name, int64_t count,
                             unsigned flags, const char *file, double **out)
{
    const uint8_t *p;
    wn_status s = section_bytes(c, name, count, file, &p);
    if (s != WN_OK)
        return s;
    double *v = wn__malloc_array((size_t)(count ? count : 1), sizeof(double));
    if (!v)
        return wn__oom("model section");
    if ((s = decode(p, count, flags, name, file, v)) != WN_OK) {
        wn_free(v);
        return s;
    }
    *out = v;
    return WN_OK;
}
