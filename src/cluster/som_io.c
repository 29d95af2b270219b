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
 * (it is derived data, so it must match to the bit); the parts every
 * unsupervised model shares (provenance, data parameters, row counts,
 * float64 sections) through src/io/umodel_io.c. Errors: WN_EFORMAT naming
 * the file, or WN_ENOMEM. */
#include "som.h"

#include "io/umodel_io.h"

#include <string.h>

static const char *topo_name(wn_som_topology t)
{
    return t == WN_SOM_HEX ? "hex" : "rect";
}

wn_status wn__som_build_header(wn_som *m, uint64_t input_hash, const char *command_line)
{
    wn__jw w;
    wn__um_jw_head(&w, "som", WN__SOM_FORMAT, &m->f);
    wn__um_jw_provenance(&w, input_hash, m->seed, command_line);
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
    wn__um_jw_rows(&w, m->nrows, m->ndropped);
    wn__jw_key(&w, "results");
    wn__jw_object_begin(&w);
    wn__jw_key(&w, "quantization_error"), wn__jw_double(&w, m->qe);
    wn__jw_key(&w, "topographic_error"), wn__jw_double(&w, m->te);
    wn__jw_object_end(&w);
    return wn__um_jw_finish(&w, "self-organising map header", &m->header);
}

/* ---- save ---- */

wn_status wn_som_save(const wn_som *m, const char *path)
{
    if (!m || !path)
        return wn__fail(WN_EINVAL, "som_save: NULL argument");
    const size_t U = (size_t)m->rows * (size_t)m->cols, D = (size_t)m->f.nfeat;
    uint8_t *buf = wn__malloc_array(U * (D + 2), 8);
    if (!buf)
        return wn__oom("som save");
    wn__um_put_f64s(buf, m->codebook, (int64_t)(U * D));
    wn__um_put_f64s(buf + 8 * U * D, m->umatrix, (int64_t)U);
    wn__um_put_f64s(buf + 8 * U * (D + 1), m->hits, (int64_t)U);
    wn__section secs[3] = {{"codebook", buf, 8 * U * D},
                           {"umatrix", buf + 8 * U * D, 8 * U},
                           {"hits", buf + 8 * U * (D + 1), 8 * U}};
    wn_status s = wn__container_save(path, m->header, secs, 3);
    wn_free(buf);
    return s;
}

/* ---- load ---- */

static wn_status read_header(const wn__json *root, const char *file, wn_som *m)
{
    const char *P = "header: parameters", *R = "header: results";
    const wn__json *pj, *rj;
    wn_status s;
    int64_t v, rows, cols;
    if ((s = wn__um_read_head(root, file, "som", "a self-organising map", "self-organising map",
                              WN__SOM_FORMAT, &m->f)) != WN_OK ||
        (s = wn__um_get_object(root, "parameters", file, "header", &pj)) != WN_OK ||
        (s = wn__um_get_object(root, "results", file, "header", &rj)) != WN_OK ||
        (s = wn__um_get_int(pj, "rows", 1, WN__SOM_MAX_SIDE, file, P, &rows)) != WN_OK ||
        (s = wn__um_get_int(pj, "cols", 1, WN__SOM_MAX_SIDE, file, P, &cols)) != WN_OK)
        return s;
    if (rows * cols > WN__SOM_MAX_UNITS)
        return wn__um_bad(file, "header: grid %lld x %lld has more than %d units", (long long)rows,
                          (long long)cols, WN__SOM_MAX_UNITS);
    m->rows = (int)rows, m->cols = (int)cols;
    const char *topo = wn__json_get_string(pj, "topology", NULL);
    if (!topo || (strcmp(topo, "rect") != 0 && strcmp(topo, "hex") != 0))
        return wn__um_bad(file, "%s: \"topology\" must be \"rect\" or \"hex\"", P);
    m->topology = strcmp(topo, "hex") == 0 ? WN_SOM_HEX : WN_SOM_RECT;
    if ((s = wn__um_get_int(pj, "epochs", 1, WN__SOM_MAX_EPOCHS, file, P, &v)) != WN_OK)
        return s;
    m->epochs = (int)v;
    uint64_t input_hash;
    if ((s = wn__um_get_num(pj, "sigma0", 1e-300, 1e300, 0, file, P, &m->sigma0)) != WN_OK ||
        (s = wn__um_get_num(pj, "sigma_end", 1e-300, 1e300, 0, file, P, &m->sigma_end)) != WN_OK ||
        (s = wn__um_read_data(pj, file, &m->f, &m->drop_missing, &m->standardize, &m->seed)) !=
            WN_OK ||
        (s = wn__um_read_rows(root, file, rows * cols, m->drop_missing, &m->nrows, &m->ndropped)) !=
            WN_OK ||
        (s = wn__um_get_num(rj, "quantization_error", 0, 1e300, 0, file, R, &m->qe)) != WN_OK ||
        (s = wn__um_get_num(rj, "topographic_error", 0, 1, 0, file, R, &m->te)) != WN_OK ||
        (s = wn__um_read_provenance(root, file, &m->seed, &input_hash, NULL, NULL)) != WN_OK)
        return s;
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
    /* each section's size is checked before anything is sized from it */
    if ((s = wn__um_f64_section(c, "codebook", (int64_t)(U * D), 0, file, &m->codebook)) != WN_OK ||
        (s = wn__um_f64_section(c, "umatrix", (int64_t)U, WN__UM_NONNEG, file, &m->umatrix)) !=
            WN_OK ||
        (s = wn__um_f64_section(c, "hits", (int64_t)U, WN__UM_NONNEG, file, &m->hits)) != WN_OK)
        goto fail;
    if (!(um = wn__malloc_array(U, sizeof(double)))) {
        s = wn__oom("self-organising map");
        goto fail;
    }
    wn__som_umatrix(m, um);
    if (memcmp(um, m->umatrix, U * sizeof *um) != 0) {
        s = wn__um_bad(file, "section \"umatrix\" does not match the codebook");
        goto fail;
    }
    if ((s = wn__som_finish(m)) != WN_OK)
        goto fail;
    if ((s = wn__um_copy_header(c, &m->header)) != WN_OK)
        goto fail;
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
