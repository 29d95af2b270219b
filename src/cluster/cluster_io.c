/* cluster_io.c — the one part of the k-means and mixture model files that
 * only those two share: the data-handling parameters as wn_unsup_data
 * (drop_missing, standardize, seed, threads, in that order) and the
 * provenance with the command line kept. Everything generic (strict
 * getters, provenance, float64 sections) is in src/io/umodel_io.c, shared
 * with PCA, the SOM and the isolation forest. See kmeans_io.c and gmm_io.c
 * for the layouts. */
#include "cluster.h"

void wn__clu_jw_data(wn__jw *w, const wn_unsup_data *d)
{
    wn__jw_key(w, "drop_missing"), wn__jw_bool(w, d->drop_missing != 0);
    wn__jw_key(w, "standardize"), wn__jw_bool(w, d->standardize != 0);
    wn__jw_u64(w, "seed", d->seed);
    wn__jw_key(w, "threads"), wn__jw_int(w, d->threads);
}

wn_status wn__clu_read_data(const wn__json *root, const char *file, const wn__features *f,
                            wn_unsup_data *d, uint64_t *input_hash, char **command_line)
{
    const wn__json *pj;
    wn_status s;
    int64_t v;
    *command_line = NULL;
    if ((s = wn__um_get_object(root, "parameters", file, "header", &pj)) != WN_OK ||
        (s = wn__um_read_data(pj, file, f, &d->drop_missing, &d->standardize, &d->seed)) != WN_OK ||
        (s = wn__um_get_int(pj, "threads", 0, 1 << 20, file, "header: parameters", &v)) != WN_OK)
        return s;
    d->threads = (int)v;
    return wn__um_read_provenance(root, file, &d->seed, input_hash, NULL, command_line);
}
