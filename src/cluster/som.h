/* som.h — the self-organising map's internals, shared by som.c (fit and
 * best-matching units), som_io.c (header, save, load), the tests and the
 * fuzz target (never installed).
 *
 * Kohonen, "Self-organized formation of topologically correct feature
 * maps", Biol. Cybern. 43 (1982) 59-69; the batch map: Kohonen, "Essentials
 * of the self-organizing map", Neural Networks 37 (2013) 52-65.
 *
 * Unit u = row * cols + col sits on the plane at (col, row) for the
 * rectangular grid, and at (col + 0.5 [odd rows], row * sqrt(3)/2) for the
 * hexagonal one; neighbours are the units at distance 1 there (4 and 6 in
 * the grid's interior). */
#ifndef WN_CLUSTER_SOM_H
#define WN_CLUSTER_SOM_H

#include "core.h"
#include "io/container.h"
#include "unsup.h"

#define WN__SOM_FORMAT 1
#define WN__SOM_MAX_SIDE 1000
#define WN__SOM_MAX_UNITS 100000
#define WN__SOM_MAX_EPOCHS 1000000

struct wn_som {
    wn__features f;
    int rows, cols;
    wn_som_topology topology;
    int epochs;
    double sigma0, sigma_end;
    uint64_t seed;
    int drop_missing, standardize;
    int64_t nrows, ndropped;
    double *codebook; /* [units][d], fitted space                      */
    float *cbf;       /* [d][units] float copy (transposed) for the BMU search */
    double *umatrix;  /* [units]                                       */
    double *hits;     /* [units]                                       */
    double qe, te;    /* quantisation and topographic errors           */
    char *header;     /* JSON, owned                                   */
};

/* Position of unit u on the plane (see above). */
void wn__som_pos(int cols, wn_som_topology topo, int64_t u, double *x, double *y);

/* The neighbours of every unit: nb[u * 6 + k] for k < nn[u] (nn <= 6). */
void wn__som_neighbours(int rows, int cols, wn_som_topology topo, int32_t *nb, uint8_t *nn);

/* umatrix[u]: mean Euclidean distance from codebook vector u to those of
 * its grid neighbours (0 for a 1 x 1 grid). */
void wn__som_umatrix(const wn_som *m, double *umatrix);

/* Builds the transposed float copy of the codebook (m->cbf). WN_ENOMEM. */
wn_status wn__som_finish(wn_som *m);

/* Builds m->header (kind, format_version, features, provenance, parameters,
 * n_rows, n_dropped, results). */
wn_status wn__som_build_header(wn_som *m, uint64_t input_hash, const char *command_line);

/* A model from a loaded container, every byte checked (WN_EFORMAT naming
 * file, WN_ENOMEM). The fuzz target's entry point. */
wn_status wn__som_from_container(const wn__container *c, const char *file, wn_som **out);

#endif
