/* fuzz_umodel.c — libFuzzer target for the loaders of the unsupervised
 * models (PCA, k-means, GMM, SOM, isolation forest).
 *
 * The bytes go through the container check (wn__container_load_mem) and
 * then to the loader of the kind the header names — and, to reach every
 * loader's checks whatever the kind says, to all five. A failure must
 * explain itself in one line naming the file. A model that loads is used:
 * its accessors read, and it is applied to a small table carrying its
 * feature names (values with NaN and +-inf, rows allowed missing), with one
 * and two threads, which must give the same bits. ASan/UBSan watch. The
 * seeds (tests/fuzz/corpus/umodel) are valid files of every kind. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster.h"
#include "cluster/som.h"
#include "io/container.h"
#include "linear/pca.h"
#include "tree/iforest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NROWS 37
#define NAME "fuzz.wnm"

static void need(int ok)
{
    if (!ok)
        abort();
}

/* The failure message names the file (running out of memory aside). */
static void check_msg(wn_status s)
{
    need(s != WN_OK && (s == WN_ENOMEM || strstr(wn_errmsg(), NAME) != NULL));
}

static wn_table *table_for(int64_t nf, const char *(*name)(const void *, int64_t), const void *m)
{
    if (nf < 1 || nf > 200)
        return NULL;
    wn_table *t = NULL;
    if (wn_table_create(NROWS, &t) != WN_OK)
        return NULL;
    float col[NROWS];
    for (int64_t f = 0; f < nf; f++) {
        for (int r = 0; r < NROWS; r++)
            col[r] = r == 0   ? NAN
                     : r == 1 ? INFINITY
                     : r == 2 ? -INFINITY
                              : (float)((r * 7 + f) % 31) - 15.0f;
        if (wn_table_add_column(t, name(m, f), col) != WN_OK) {
            wn_table_free(t);
            return NULL;
        }
    }
    return t;
}

static const char *pca_name(const void *m, int64_t f) { return wn_pca_feature_name(m, f); }
static const char *km_name(const void *m, int64_t f) { return wn_kmeans_feature_name(m, f); }
static const char *gmm_name(const void *m, int64_t f) { return wn_gmm_feature_name(m, f); }
static const char *som_name(const void *m, int64_t f) { return wn_som_feature_name(m, f); }
static const char *if_name(const void *m, int64_t f) { return wn_iforest_feature_name(m, f); }

static void use_pca(const wn_pca *m)
{
    int k = wn_pca_num_components(m);
    need(k >= 1 && k <= wn_pca_num_features(m) && wn_pca_header(m) != NULL);
    wn_table *t = table_for(wn_pca_num_features(m), pca_name, m);
    if (!t)
        return;
    double *a = malloc(sizeof(double) * NROWS * (size_t)(k + 1) * 2);
    if (a && wn_pca_transform(m, t, 1, 1, a, a + NROWS * k) == WN_OK) {
        double *b = a + NROWS * (k + 1);
        need(wn_pca_transform(m, t, 1, 2, b, b + NROWS * k) == WN_OK);
        need(!memcmp(a, b, sizeof(double) * NROWS * (size_t)(k + 1)));
        need(wn_pca_transform(m, t, 0, 1, a, NULL) != WN_OK); /* row 1 is NaN */
    }
    free(a);
    wn_table_free(t);
}

static void use_kmeans(const wn_kmeans *m)
{
    need(wn_kmeans_k(m) >= 1 && wn_kmeans_header(m) != NULL);
    wn_table *t = table_for(wn_kmeans_num_features(m), km_name, m);
    if (!t)
        return;
    int32_t l1[NROWS], l2[NROWS];
    double d1[NROWS], d2[NROWS];
    if (wn_kmeans_assign(m, t, 1, 1, l1, d1) == WN_OK) {
        need(wn_kmeans_assign(m, t, 1, 2, l2, d2) == WN_OK);
        need(!memcmp(l1, l2, sizeof l1) && !memcmp(d1, d2, sizeof d1));
        for (int r = 0; r < NROWS; r++)
            need(l1[r] >= -1 && l1[r] < wn_kmeans_k(m));
    }
    wn_table_free(t);
}

static void use_gmm(const wn_gmm *m)
{
    int k = wn_gmm_k(m);
    need(k >= 1 && wn_gmm_header(m) != NULL);
    wn_table *t = table_for(wn_gmm_num_features(m), gmm_name, m);
    if (!t)
        return;
    double *resp = malloc(sizeof(double) * NROWS * (size_t)k);
    int32_t lab[NROWS];
    double ll[NROWS];
    if (resp && wn_gmm_predict(m, t, 1, 1, resp, lab, ll) == WN_OK)
        for (int r = 0; r < NROWS; r++)
            need(lab[r] >= -1 && lab[r] < k);
    free(resp);
    wn_table_free(t);
}

static void use_som(const wn_som *m)
{
    int gr, gc;
    wn_som_topology tp;
    wn_som_grid(m, &gr, &gc, &tp);
    need(gr >= 1 && gc >= 1 && wn_som_header(m) != NULL);
    wn_table *t = table_for(wn_som_num_features(m), som_name, m);
    if (!t)
        return;
    int32_t b[NROWS];
    double q[NROWS];
    if (wn_som_bmu(m, t, 1, 2, b, q) == WN_OK)
        for (int r = 0; r < NROWS; r++)
            need(b[r] >= -1 && b[r] < gr * gc);
    wn_table_free(t);
}

static void use_iforest(const wn_iforest *m)
{
    need(wn_iforest_num_trees(m) >= 1 && wn_iforest_header(m) != NULL);
    wn_table *t = table_for(wn_iforest_num_features(m), if_name, m);
    if (!t)
        return;
    double s1[NROWS], s2[NROWS];
    if (wn_iforest_score(m, t, 1, 1, s1) == WN_OK) {
        need(wn_iforest_score(m, t, 1, 2, s2) == WN_OK);
        need(!memcmp(s1, s2, sizeof s1));
        for (int r = 3; r < NROWS; r++)
            need(s1[r] > 0 && s1[r] <= 1);
    }
    wn_table_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wn__container *c = NULL;
    wn_status s = wn__container_load_mem(NAME, data, size, &c);
    if (s != WN_OK) {
        check_msg(s);
        return 0;
    }
    wn_pca *p = NULL;
    if ((s = wn__pca_from_container(c, NAME, &p)) == WN_OK)
        use_pca(p);
    else
        check_msg(s);
    wn_pca_free(p);
    wn_kmeans *k = NULL;
    if ((s = wn__kmeans_from_container(c, NAME, &k)) == WN_OK)
        use_kmeans(k);
    else
        check_msg(s);
    wn_kmeans_free(k);
    wn_gmm *g = NULL;
    if ((s = wn__gmm_from_container(c, NAME, &g)) == WN_OK)
        use_gmm(g);
    else
        check_msg(s);
    wn_gmm_free(g);
    wn_som *o = NULL;
    if ((s = wn__som_from_container(c, NAME, &o)) == WN_OK)
        use_som(o);
    else
        check_msg(s);
    wn_som_free(o);
    wn_iforest *f = NULL;
    if ((s = wn__iforest_from_container(c, NAME, &f)) == WN_OK)
        use_iforest(f);
    else
        check_msg(s);
    wn_iforest_free(f);
    wn__container_free(c);
    return 0;
}
