/* baskets.c — iterative anomaly baskets: fit, score, basket, judge, refit.
 *
 * The loop astronomers use to dig anomalies out of large surveys (e.g.
 * Lochner & Bassett, "Astronomaly", Astronomy and Computing 36, 2021,
 * arXiv:2010.11202, with a person in the loop): a detector fitted on the
 * whole sample learns its most common anomalies as "normal" when there are
 * enough of them (masking), so a single ranking hides clustered anomalies
 * behind isolated ones. Here each round fits the detector on the training
 * pool, scores every event, and puts the `basket_size` highest-scoring
 * events not basketed before into the round's basket; a judge (a callback,
 * usually a person) marks the ordinary ones. Ordinary events stay in the
 * pool (they show what normal looks like) and are never basketed again;
 * the candidates leave the pool, so the next fit no longer learns them and
 * events like them rise to the next basket.
 *
 * Detectors: the isolation forest (Liu, Ting & Zhou, ICDM 2008;
 * src/tree/iforest.c) or the PCA reconstruction error (the squared distance
 * to the plane of the leading components; src/linear/pca.c), both used
 * through the public API only. Round r fits with seed + r, so rounds draw
 * different numbers and the whole run is deterministic at any thread
 * count. The pool is a row view of the table (wn_table_view_rows): nothing
 * is copied. */
#include "core.h"
#include "unsup.h"

#include <math.h>
#include <string.h>

#define MAX_ROUNDS 100000

wn_status wn_anomaly_method_parse(const char *name, wn_anomaly_method *out)
{
    if (!out)
        return wn__fail(WN_EINVAL, "anomaly method: NULL argument");
    if (name && strcmp(name, "iforest") == 0)
        *out = WN_ANOMALY_IFOREST;
    else if (name && strcmp(name, "pca") == 0)
        *out = WN_ANOMALY_PCA;
    else
        return wn__fail(WN_EINVAL, "unknown anomaly method '%.100s' (valid: iforest, pca)",
                        name ? name : "(null)");
    return WN_OK;
}

wn_baskets_params wn_baskets_params_default(void)
{
    wn_baskets_params p;
    memset(&p, 0, sizeof p);
    p.data.seed = 42;
    p.data.standardize = 1;
    p.method = WN_ANOMALY_IFOREST;
    p.rounds = 3;
    p.basket_size = 50;
    p.pca_components = 0;
    p.iforest_trees = 100;
    p.iforest_sample = 256;
    return p;
}

void wn_baskets_free(wn_baskets *b)
{
    if (!b)
        return;
    wn_free(b->basket_rows);
    wn_free(b->basket_scores);
    wn_free(b->basket_ordinary);
    wn_free(b->scores);
    wn_free(b->pool_size);
    wn_free(b);
}

/* The fit settings of one round: the features chosen at the start, by name. */
static wn_unsup_data round_data(const wn_baskets_params *p, const wn__features *f, int round)
{
    wn_unsup_data d = p->data;
    d.features = (const char *const *)f->names;
    d.nfeatures = f->nfeat;
    d.seed = p->data.seed + (uint64_t)round;
    d.command_line = NULL;
    d.progress = (wn_progress){NULL, NULL};
    return d;
}

static wn_status score_iforest(const wn_table *t, const wn_table *pool, const wn_unsup_data *d,
                               const wn_baskets_params *p, double *score)
{
    wn_iforest_params ip = wn_iforest_params_default();
    ip.data = *d;
    ip.trees = p->iforest_trees;
    ip.sample_size = p->iforest_sample;
    wn_iforest *m = NULL;
    wn_status s = wn_iforest_fit(pool, &ip, &m);
    if (s == WN_OK)
        s = wn_iforest_score(m, t, 1, d->threads, score);
    wn_iforest_free(m);
    return s;
}

static wn_status score_pca(const wn_table *t, const wn_table *pool, const wn_unsup_data *d,
                           const wn_baskets_params *p, int64_t nfeat, double *score)
{
    wn_pca_params pp = wn_pca_params_default();
    pp.data = *d;
    wn_pca *m = NULL;
    wn_status s;
    /* 0: the fewest components reaching 90% of the variance, but fewer
     * than all (all would reconstruct every event exactly) */
    pp.components = p->pca_components;
    pp.variance_fraction = p->pca_components ? 0 : 0.9;
    s = wn_pca_fit(pool, &pp, &m);
    if (s == WN_OK && wn_pca_num_components(m) >= nfeat) {
        wn_pca_free(m);
        m = NULL;
        pp.components = (int)nfeat - 1;
        s = wn_pca_fit(pool, &pp, &m);
    }
    if (s == WN_OK)
        s = wn_pca_transform(m, t, 1, d->threads, NULL, score);
    wn_pca_free(m);
    return s;
}

/* Is (sa, ra) ranked before (sb, rb)? Higher score first, then lower row. */
static int before(double sa, int64_t ra, double sb, int64_t rb)
{
    return sa > sb || (sa == sb && ra < rb);
}

/* The k best eligible rows of score[] into rows[] (best first); a min-heap
 * of the k best so far, its root the worst of them. Returns how many. */
static int64_t top_k(const double *score, const int64_t *usable, int64_t nusable,
                     const uint8_t *taken, int64_t k, int64_t *rows)
{
    int64_t h = 0;
    for (int64_t j = 0; j < nusable; j++) {
        const int64_t r = usable[j];
        if (taken[r] || isnan(score[r]))
            continue;
        if (h == k && !before(score[r], r, score[rows[0]], rows[0]))
            continue;
        int64_t i;
        if (h < k) { /* sift up */
            i = h++;
            while (i > 0) {
                int64_t par = (i - 1) / 2;
                if (!before(score[rows[par]], rows[par], score[r], r))
                    break;
                rows[i] = rows[par];
                i = par;
            }
        } else { /* replace the root, sift down */
            i = 0;
            for (;;) {
                int64_t c = 2 * i + 1;
                if (c >= h)
                    break;
                if (c + 1 < h && before(score[rows[c]], rows[c], score[rows[c + 1]], rows[c + 1]))
                    c++;
                if (!before(score[r], r, score[rows[c]], rows[c]))
                    break;
                rows[i] = rows[c];
                i = c;
            }
        }
        rows[i] = r;
    }
    /* heap sort: repeatedly move the worst to the end */
    for (int64_t n = h; n > 1; n--) {
        int64_t last = rows[n - 1], i = 0;
        rows[n - 1] = rows[0];
        for (;;) {
            int64_t c = 2 * i + 1;
            if (c >= n - 1)
                break;
            if (c + 1 < n - 1 && before(score[rows[c]], rows[c], score[rows[c + 1]], rows[c + 1]))
                c++;
            if (!before(score[last], last, score[rows[c]], rows[c]))
                break;
            rows[i] = rows[c];
            i = c;
        }
        rows[i] = last;
    }
    return h;
}

wn_status wn_anomaly_baskets(const wn_table *t, const wn_baskets_params *p, wn_baskets **out)
{
    if (!t || !p || !out)
        return wn__fail(WN_EINVAL, "baskets: NULL argument");
    if (p->method != WN_ANOMALY_IFOREST && p->method != WN_ANOMALY_PCA)
        return wn__fail(WN_EINVAL, "baskets: method %d is not iforest (0) or pca (1)",
                        (int)p->method);
    if (p->rounds < 1 || p->rounds > MAX_ROUNDS)
        return wn__fail(WN_EINVAL, "baskets: rounds = %d: must be 1..%d", p->rounds, MAX_ROUNDS);
    if (p->basket_size < 1)
        return wn__fail(WN_EINVAL, "baskets: basket_size = %lld: must be at least 1",
                        (long long)p->basket_size);
    if (p->method == WN_ANOMALY_IFOREST && p->iforest_trees < 1)
        return wn__fail(WN_EINVAL, "baskets: iforest_trees = %d: must be at least 1",
                        p->iforest_trees);
    if (p->method == WN_ANOMALY_IFOREST && p->iforest_sample < 2)
        return wn__fail(WN_EINVAL, "baskets: iforest_sample = %lld: must be at least 2",
                        (long long)p->iforest_sample);
    if (p->method == WN_ANOMALY_PCA && p->pca_components < 0)
        return wn__fail(WN_EINVAL,
                        "baskets: pca_components = %d: must be 0 (90%% of the "
                        "variance) or more",
                        p->pca_components);
    /* which events can be used: checks the features, weights and NaNs once */
    wn__udata u;
    wn_status s = wn__udata_prepare(t, &p->data, "baskets", &u);
    if (s != WN_OK)
        return s;
    const int64_t nrows = wn_table_nrows(t), nfeat = u.f.nfeat, bs = p->basket_size;
    if (p->method == WN_ANOMALY_PCA && nfeat < 2) {
        wn__udata_free(&u);
        return wn__fail(WN_EINVAL, "baskets: the pca method needs at least 2 features (it "
                                   "scores the distance to a plane of fewer components)");
    }
    if (p->method == WN_ANOMALY_PCA && p->pca_components >= nfeat) {
        wn__udata_free(&u);
        return wn__fail(WN_EINVAL,
                        "baskets: pca_components = %d: must be fewer than the %lld "
                        "features",
                        p->pca_components, (long long)nfeat);
    }
    const size_t R = (size_t)p->rounds;
    wn_baskets *b = wn__calloc(1, sizeof *b);
    int64_t *usable = wn__malloc_array((size_t)u.n, sizeof *usable);
    int64_t *pool = wn__malloc_array((size_t)u.n, sizeof *pool);
    uint8_t *taken = wn__calloc((size_t)nrows, 1), *gone = wn__calloc((size_t)nrows, 1);
    if (!b || !usable || !pool || !taken || !gone || R > SIZE_MAX / (size_t)bs ||
        !(b->basket_rows = wn__malloc_array(R * (size_t)bs, sizeof *b->basket_rows)) ||
        !(b->basket_scores = wn__malloc_array(R * (size_t)bs, sizeof *b->basket_scores)) ||
        !(b->basket_ordinary = wn__calloc(R * (size_t)bs, 1)) || (size_t)nrows > SIZE_MAX / R ||
        !(b->scores = wn__malloc_array(R * (size_t)nrows, sizeof *b->scores)) ||
        !(b->pool_size = wn__calloc(R, sizeof *b->pool_size))) {
        s = wn__oom("anomaly baskets");
        goto done;
    }
    for (int64_t i = 0; i < u.n; i++)
        usable[i] = u.rows ? u.rows[i] : i;
    for (size_t i = 0; i < R * (size_t)bs; i++)
        b->basket_rows[i] = -1, b->basket_scores[i] = (double)NAN;
    for (size_t i = 0; i < R * (size_t)nrows; i++)
        b->scores[i] = (double)NAN;
    b->nrows = nrows;
    b->basket_size = bs;
    for (int r = 0; r < p->rounds; r++) {
        const wn_progress *pg = &p->data.progress;
        if (pg->fn && pg->fn(pg->ud, "baskets", r, p->rounds)) {
            s = wn__fail(WN_EINVAL, "cancelled");
            goto done;
        }
        int64_t np = 0;
        for (int64_t i = 0; i < u.n; i++)
            if (!gone[usable[i]])
                pool[np++] = usable[i];
        if (np < 2)
            break; /* nothing left to learn from */
        wn_table *view = NULL;
        if ((s = wn_table_view_rows(t, pool, np, &view)) != WN_OK)
            goto done;
        double *score = b->scores + (size_t)r * (size_t)nrows;
        wn_unsup_data d = round_data(p, &u.f, r);
        s = p->method == WN_ANOMALY_IFOREST ? score_iforest(t, view, &d, p, score)
                                            : score_pca(t, view, &d, p, nfeat, score);
        wn_table_free(view);
        if (s != WN_OK) {
            wn__fail_prefix(s, "baskets: round %d", r + 1);
            goto done;
        }
        /* only usable rows (no missing values) are candidates for a basket */
        b->pool_size[r] = np;
        int64_t *rows = b->basket_rows + (size_t)r * (size_t)bs;
        double *bsc = b->basket_scores + (size_t)r * (size_t)bs;
        uint8_t *ord = b->basket_ordinary + (size_t)r * (size_t)bs;
        const int64_t nb = top_k(score, usable, u.n, taken, bs, rows);
        if (nb == 0)
            break;
        for (int64_t i = 0; i < nb; i++)
            bsc[i] = score[rows[i]];
        if (p->judge && p->judge(p->judge_ud, r, rows, bsc, nb, ord)) {
            s = wn__fail(WN_EINVAL, "cancelled");
            goto done;
        }
        for (int64_t i = 0; i < nb; i++) {
            ord[i] = ord[i] ? 1 : 0;
            taken[rows[i]] = 1;
            gone[rows[i]] = (uint8_t)!ord[i];
        }
        b->rounds = r + 1;
    }
    *out = b;
    b = NULL;
done:
    wn_baskets_free(b);
    wn_free(usable);
    wn_free(pool);
    wn_free(taken);
    wn_free(gone);
    wn__udata_free(&u);
    return s;
}
