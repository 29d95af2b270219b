/* som_io.c — the self-organising map's model file: JSON header, saving, and
 * a loader that trusts nothing.
 *
 * Kohonen, "Essentials of the self-organizing map", Neural Networks 37
 * (2013) 52-65 (the batch map fitted in som.c).
 *
 * One model container (src/io/container.c, docs/model-format.md) of kind
 * "som": a JSON header (features and their standardisation, provenance,
 * parameters with the grid, n_rows, n_dropped, results: quantisation and
 * topographic errors) and three sections of little-endian IEEE doubles:
 *   "codebook"  [units][features], the fitted space;
 *   "umatrix"   [units];
 *   "hits"      [units] (weighted counts, >= 0).
 * The loader checks the grid against its limits before sizing anything
 * from it, each section's size against the grid, every value finite, the
 * hits non-negative, and the U-matrix against the one the codebook gives
 * (it is derived data, so it must match to the bit). Errors: WN_EFORMAT
 * naming the file, or WN_ENOMEM. */
#include "som.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *topo_name(wn_som_topology t)
{
    return t == WN_SOM_HEX ? "hex" : "rect";
}

wn_status wn__som_build_header(wn_som *m, uint64_t input_hash, const char *command_line)
{
    wn__jw w;
    wn__jw_init(&w, true);
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "kind"), wn__jw_string(&w, "som");
    wn__jw_key(&w, "format_version"), wn__jw_int(&w, WN__SOM_FORMAT);
    wn__features_json(&w, &m->f);
    wn__jw_key(&w, "provenance");
    wn__jw_object_begin(&w);
    wn__provenance_json(&w, input_hash, m->seed, command_line);
    wn__jw_object_end(&w);
    wn__jw_key(&w, "parameters");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "rows"), wn__jw_int(&w, m->rows);
    wn__jw_key(&w, "cols"), wn__jw_int(&w, m->cols);
    wn__jw_key(&w, "topology"), wn__jw_string(&w, topo_name(m->topology));
    wn__jw_key(&w, "epochs"), wn__jw_int(&w, m->epochs);
    wn__jw_key(&w, "sigma0"), wn__jw_double(&w, m->sigma0);
    wn__jw_key(&w, "sigma_end"), wn__jw_double(&w, m->sigma_end);
    wn__jw_u64(&w, "seed", m->seed);
    wn__jw_key(&w, "drop_missing"), wn__jw_bool(&w, m->drop_missing != 0);
    wn__jw_key(&w, "standardize"), wn__jw_bool(&w, m->standardize != 0);
    wn__jw_object_end(&w);
    wn__jw_key(&w, "n_rows"), wn__jw_int(&w, m->nrows);
    wn__jw_key(&w, "n_dropped"), wn__jw_int(&w, m->ndropped);
    wn__jw_key(&w, "results");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "quantization_error"), wn__jw_double(&w, m->qe);
    wn__jw_key(&w, "topographic_error"), wn__jw_double(&w, m->te);
    wn__jw_object_end(&w);
    wn__jw_object_end(&w);
    size_t len;
    char *text;
    wn_status s = wn__jw_finish(&w, &text, &len);
    if (s != WN_OK)
        return s == WN_ENOMEM ? wn__oom("self-organising map header") : s;
    wn_free(m->header);
    m->header = text;
    return WN_OK;
}

/* ---- save ---- */

static void put_doubles(uint8_t *p, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, v + i, 8);
        wn__put_le64(p + 8 * i, bits);
    }
}

wn_status wn_som_save(const wn_som *m, const char *path)
{
    if (!m || !path)
        return wn__fail(WN_EINVAL, "som_save: NULL argument");
    const size_t U = (size_t)m->rows * (size_t)m->cols, D = (size_t)m->f.nfeat;
    uint8_t *buf = wn__malloc_array(U * (D + 2), 8);
    if (!buf)
        return wn__oom("som save");
    put_doubles(buf, m->codebook, U * D);
    put_doubles(buf + 8 * U * D, m->umatrix, U);
    put_doubles(buf + 8 * U * (D + 1), m->hits, U);
    wn__section secs[3] = {{"codebook", buf, 8 * U * D},
                           {"umatrix", buf + 8 * U * D, 8 * U},
                           {"hits", buf + 8 * U * (D + 1), 8 * U}};
    wn_status s = wn__container_save(path, m->header, secs, 3);
    wn_free(buf);
    return s;
}

/* ---- load ---- */

static wn_status bad(const char *file, const char *fmt, ...) WN__PRINTF(2, 3);
static wn_status bad(const char *file, const char *fmt, ...)
{
    char msg[400];
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
        return bad(file, "header: %s\"%s\" must be an integer in %lld..%lld", where, key,
                   (long long)lo, (long long)hi);
    *out = v->i;
    return WN_OK;
}

static wn_status get_num(const char *file, const wn__json *obj, const char *where, const char *key,
                         double lo, double hi, double *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_NUMBER || !isfinite(v->u.num) || !(v->u.num >= lo) ||
        !(v->u.num <= hi))
        return bad(file, "header: %s\"%s\" must be a number in [%g, %g]", where, key, lo, hi);
    *out = v->u.num;
    return WN_OK;
}

static wn_status get_bool(const char *file, const wn__json *obj, const char *key, int *out)
{
    const wn__json *v = wn__json_get(obj, key);
    if (!v || v->type != WN__JSON_BOOL)
        return bad(file, "header: parameters: \"%s\" must be true or false", key);
    *out = v->boolean ? 1 : 0;
    return WN_OK;
}

static wn_status get_seed(const char *file, const wn__json *obj, uint64_t *out)
{
    const wn__json *v = wn__json_get(obj, "seed");
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
    return bad(file, "header: parameters: \"seed\" must be an unsigned 64-bit integer");
}

static wn_status read_header(const wn__json *root, const char *file, wn_som *m)
{
    wn_status s;
    int64_t v;
    const char *kind = wn__json_get_string(root, "kind", NULL);
    if (!kind || strcmp(kind, "som") != 0)
        return bad(file, "not a self-organising map (kind \"%.40s\")", kind ? kind : "?");
    if ((s = get_int(file, root, "", "format_version", 1, 1000000, &v)) != WN_OK)
        return s;
    if (v != WN__SOM_FORMAT)
        return bad(file, "self-organising map format %lld is newer than this winnow reads (%d)",
                   (long long)v, WN__SOM_FORMAT);
    if ((s = wn__features_from_json(root, file, &m->f)) != WN_OK)
        return s;
    const wn__json *pj = wn__json_get(root, "parameters"), *rj = wn__json_get(root, "results");
    if (!pj || pj->type != WN__JSON_OBJECT)
        return bad(file, "header: \"parameters\" must be an object");
    if (!rj || rj->type != WN__JSON_OBJECT)
        return bad(file, "header: \"results\" must be an object");
    const char *P = "parameters: ", *R = "results: ";
    int64_t rows, cols;
    if ((s = get_int(file, pj, P, "rows", 1, WN__SOM_MAX_SIDE, &rows)) != WN_OK ||
        (s = get_int(file, pj, P, "cols", 1, WN__SOM_MAX_SIDE, &cols)) != WN_OK)
        return s;
    if (rows * cols > WN__SOM_MAX_UNITS)
        return bad(file, "header: grid %lld x %lld has more than %d units", (long long)rows,
                   (long long)cols, WN__SOM_MAX_UNITS);
    m->rows = (int)rows, m->cols = (int)cols;
    const char *topo = wn__json_get_string(pj, "topology", NULL);
    if (!topo || (strcmp(topo, "rect") != 0 && strcmp(topo, "hex") != 0))
        return bad(file, "header: parameters: \"topology\" must be \"rect\" or \"hex\"");
    m->topology = strcmp(topo, "hex") == 0 ? WN_SOM_HEX : WN_SOM_RECT;
    if ((s = get_int(file, pj, P, "epochs", 1, WN__SOM_MAX_EPOCHS, &v)) != WN_OK)
        return s;
    m->epochs = (int)v;
    if ((s = get_num(file, pj, P, "sigma0", 1e-300, 1e300, &m->sigma0)) != WN_OK ||
        (s = get_num(file, pj, P, "sigma_end", 1e-300, 1e300, &m->sigma_end)) != WN_OK ||
        (s = get_seed(file, pj, &m->seed)) != WN_OK ||
        (s = get_bool(file, pj, "drop_missing", &m->drop_missing)) != WN_OK ||
        (s = get_bool(file, pj, "standardize", &m->standardize)) != WN_OK ||
        (s = get_int(file, root, "", "n_rows", rows * cols, INT64_MAX, &m->nrows)) != WN_OK ||
        (s = get_int(file, root, "", "n_dropped", 0, INT64_MAX, &m->ndropped)) != WN_OK ||
        (s = get_num(file, rj, R, "quantization_error", 0, 1e300, &m->qe)) != WN_OK ||
        (s = get_num(file, rj, R, "topographic_error", 0, 1, &m->te)) != WN_OK)
        return s;
    return WN_OK;
}

/* Section `name` of exactly n doubles, all finite (and >= 0 if nonneg). */
static wn_status read_doubles(const wn__container *c, const char *file, const char *name, size_t n,
                              int nonneg, double *out)
{
    const void *p;
    size_t size;
    if (wn__container_section(c, name, &p, &size) != WN_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "%s", wn_errmsg());
        return bad(file, "%s", msg);
    }
    if (size != 8 * n)
        return bad(file, "section \"%s\" has %zu bytes, not %zu (8 per value)", name, size, 8 * n);
    for (size_t i = 0; i < n; i++) {
        const uint64_t bits = wn__get_le64((const uint8_t *)p + 8 * i);
        memcpy(out + i, &bits, 8);
        if (!isfinite(out[i]) || (nonneg && out[i] < 0))
            return bad(file, "section \"%s\": value %zu is %g, not a finite%s number", name, i,
                       out[i], nonneg ? " non-negative" : "");
    }
    return WN_OK;
}

wn_status wn__som_from_container(const wn__container *c, const char *file, wn_som **out)
{
    if (!c || !out)
        return wn__fail(WN_EINVAL, "som_load: NULL argument");
    if (!file)
        file = "model";
    wn_som *m = wn__calloc(1, sizeof *m);
    if (!m)
        return wn__oom("self-organising map");
    double *um = NULL;
    wn_status s = read_header(wn__container_header_json(c), file, m);
    if (s != WN_OK)
        goto fail;
    const size_t U = (size_t)m->rows * (size_t)m->cols, D = (size_t)m->f.nfeat;
    const void *p;
    size_t size;
    /* the codebook's size is checked before anything is sized from U * D */
    if (wn__container_section(c, "codebook", &p, &size) != WN_OK) {
        s = bad(file, "no section \"codebook\"");
        goto fail;
    }
    if (size != 8 * U * D) {
        s = bad(file, "section \"codebook\" has %zu bytes, not %zu (%zu units x %zu features)",
                size, 8 * U * D, U, D);
        goto fail;
    }
    if (!(m->codebook = wn__malloc_array(U * D, sizeof(double))) ||
        !(m->umatrix = wn__malloc_array(U, sizeof(double))) ||
        !(m->hits = wn__malloc_array(U, sizeof(double))) ||
        !(um = wn__malloc_array(U, sizeof(double)))) {
        s = wn__oom("self-organising map");
        goto fail;
    }
    if ((s = read_doubles(c, file, "codebook", U * D, 0, m->codebook)) != WN_OK ||
        (s = read_doubles(c, file, "umatrix", U, 1, m->umatrix)) != WN_OK ||
        (s = read_doubles(c, file, "hits", U, 1, m->hits)) != WN_OK)
        goto fail;
    wn__som_umatrix(m, um);
    if (memcmp(um, m->umatrix, U * sizeof *um) != 0) {
        s = bad(file, "section \"umatrix\" does not match the codebook");
        goto fail;
    }
    if ((s = wn__som_finish(m)) != WN_OK)
        goto fail;
    size_t hlen;
    const char *h = wn__container_header(c, &hlen);
    if (!(m->header = wn__strndup(h, hlen))) {
        s = wn__oom("self-organising map header");
        goto fail;
    }
    wn_free(um);
    *out = m;
    return WN_OK;
fail:
    wn_free(um);
    wn_som_free(m);
    return s;
}

wn_status wn_som_load(const char *path, wn_som **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "som_load: NULL argument");
    wn__container *c;
    wn_status s = wn__container_load(path, &c);
    if (s != WN_OK)
        return s;
    s = wn__som_from_container(c, path, out);
    wn__container_free(c);
    return s;
}
