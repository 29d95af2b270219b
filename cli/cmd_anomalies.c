/* cmd_anomalies.c — `winnow anomalies DATA --method iforest|pca`: anomaly
 * scores for every event (isolation forest, or PCA reconstruction error),
 * and with --baskets N the astronomers' iterative loop (wn_anomaly_baskets):
 * N rounds of "fit, score, basket the top events, take the candidates out
 * of the training pool, fit again", so that a group of similar anomalies no
 * longer masks itself. A --label is shown (the ROC of the score, the label
 * content of each basket), never fitted. */
#define _GNU_SOURCE
#include "unsup.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: winnow anomalies DATA --method iforest|pca [-o OUT] [options]\n\n"
           "Scores every event of DATA (.csv .tsv .txt .dat .data .npy) for how anomalous\n"
           "it is (higher = more). OUT gets per row: score; with --baskets also basket\n"
           "(the round whose basket took the event, 0 for none) and score_last (the score\n"
           "of the last round's fit).\n\n"
           "options:\n"
           "  --method NAME          iforest (isolation forest, default) or pca\n"
           "                         (reconstruction error)\n"
           "  --trees N              isolation forest: trees (default 100)\n"
           "  --sample-size M        isolation forest: events per tree (default 256)\n"
           "  --components K         pca: components (default: the fewest explaining 90%%)\n"
           "  --baskets N            N rounds of the basket loop (default: none)\n"
           "  --basket-size M        events per basket (default 50)\n"
           "  --top N                events listed on the terminal (default 10)\n" CLI_UNSUP_HELP
           "\nexit codes: 0 ok, 1 I/O error, 2 bad option, 3 bad data, 4 out of memory\n\n"
           "example: winnow anomalies lhco.csv --id event --label label --baskets 3\n");
}

enum { O_TREES = 500, O_SAMPLE, O_COMP, O_BASKETS, O_BSIZE, O_TOP };

typedef struct ranked {
    double v;
    int64_t i;
} ranked;

static int by_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

/* PCA with the fewest components reaching 90% of the variance (or k). */
static wn_status fit_pca(const wn_table *t, const wn_unsup_data *d, int k, wn_pca **out)
{
    wn_pca_params p = wn_pca_params_default();
    p.data = *d;
    p.components = k;
    p.variance_fraction = k ? 0 : 0.9;
    wn_status s = wn_pca_fit(t, &p, out);
    /* all components would reconstruct every event exactly: keep one fewer */
    int64_t nf = s ? 0 : wn_pca_num_features(*out);
    if (s || k || nf < 2 || wn_pca_num_components(*out) < nf)
        return s;
    wn_pca_free(*out);
    *out = NULL;
    p.components = (int)nf - 1;
    return wn_pca_fit(t, &p, out);
}

int cmd_anomalies(int argc, char **argv)
{
    const char *cmd = "anomalies";
    cli_unsup u;
    int rc = 0, trees = 100, comp = 0, rounds = 0, top = 10, nc = 0;
    int64_t sample = 256, bsize = 50;
    long long iv;
    float *cols[3] = {0};
    const char *names[3] = {"score", "basket", "score_last"};
    double *score = NULL;
    wn_iforest *fo = NULL;
    wn_pca *pm = NULL;
    wn_baskets *bk = NULL;
    ranked *rk = NULL;
    static const struct option longopts[] = {{"trees", required_argument, 0, O_TREES},
                                             {"sample-size", required_argument, 0, O_SAMPLE},
                                             {"components", required_argument, 0, O_COMP},
                                             {"baskets", required_argument, 0, O_BASKETS},
                                             {"basket-size", required_argument, 0, O_BSIZE},
                                             {"top", required_argument, 0, O_TOP},
                                             CLI_UNSUP_LONGOPTS,
                                             {0, 0, 0, 0}};
    if (cli_unsup_init(&u, cmd, argc, argv)) {
        cli_unsup_free(&u);
        return WN_EXIT_NOMEM;
    }
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        int r = 0;
        switch (o) {
        case 'h': help(); goto done;
        case ':': r = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); break;
        case O_TREES:
            if (!(r = cli_parse_i64(cmd, "--trees", optarg, 1, 100000, &iv) ? WN_EXIT_USAGE : 0))
                trees = (int)iv;
            break;
        case O_SAMPLE:
            if (!(r = cli_parse_i64(cmd, "--sample-size", optarg, 2, INT64_MAX, &iv) ? WN_EXIT_USAGE : 0))
                sample = (int64_t)iv;
            break;
        case O_COMP:
            if (!(r = cli_parse_i64(cmd, "--components", optarg, 1, 1000000, &iv) ? WN_EXIT_USAGE : 0))
                comp = (int)iv;
            break;
        case O_BASKETS:
            if (!(r = cli_parse_i64(cmd, "--baskets", optarg, 1, 1000, &iv) ? WN_EXIT_USAGE : 0))
                rounds = (int)iv;
            break;
        case O_BSIZE:
            if (!(r = cli_parse_i64(cmd, "--basket-size", optarg, 1, INT64_MAX, &iv) ? WN_EXIT_USAGE : 0))
                bsize = (int64_t)iv;
            break;
        case O_TOP:
            if (!(r = cli_parse_i64(cmd, "--top", optarg, 0, 100000, &iv) ? WN_EXIT_USAGE : 0))
                top = (int)iv;
            break;
        default:
            r = cli_unsup_option(&u, o, optarg, argv[optind - 1]);
            if (r < 0)
                r = cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
        if (r) {
            rc = r;
            goto done;
        }
    }
    wn_anomaly_method method = WN_ANOMALY_IFOREST;
    if (u.method && wn_anomaly_method_parse(u.method, &method) != WN_OK) {
        rc = cli_usage_error(cmd, "--method: %s", wn_errmsg());
        goto done;
    }
    const char *mname = method == WN_ANOMALY_PCA ? "pca" : "iforest";
    wn_unsup_data d;
    if ((rc = cli_unsup_load(&u, argc, argv, mname, &d)))
        goto done;
    const int64_t n = wn_table_nrows(u.t);
    score = malloc((size_t)(n ? n : 1) * sizeof *score);
    if (!score)
        goto oom;
    double t0 = cli_now();
    wn_status s;
    if (method == WN_ANOMALY_IFOREST) {
        wn_iforest_params p = wn_iforest_params_default();
        p.data = d;
        p.trees = trees;
        p.sample_size = sample;
        if ((s = wn_iforest_fit(u.t, &p, &fo)))
            goto fail;
        double t1 = cli_now();
        if ((s = wn_iforest_score(fo, u.t, u.drop_missing, u.threads, score)))
            goto fail;
        printf("isolation forest: %d trees of %lld events, fitted on %lld rows (%lld left out) "
               "in %.3f s; %lld rows scored in %.3f s\n",
               wn_iforest_num_trees(fo), (long long)(sample < wn_iforest_num_rows(fo) ? sample : wn_iforest_num_rows(fo)),
               (long long)wn_iforest_num_rows(fo), (long long)wn_iforest_num_dropped(fo), t1 - t0,
               (long long)n, cli_now() - t1);
        if ((s = wn_iforest_save(fo, u.model)))
            goto fail;
    } else {
        if ((s = fit_pca(u.t, &d, comp, &pm)) ||
            (s = wn_pca_transform(pm, u.t, u.drop_missing, u.threads, NULL, score)))
            goto fail;
        printf("PCA reconstruction error: %d of %lld components, fitted on %lld rows (%lld left "
               "out), in %.3f s\n",
               wn_pca_num_components(pm), (long long)wn_pca_num_features(pm),
               (long long)wn_pca_num_rows(pm), (long long)wn_pca_num_dropped(pm), cli_now() - t0);
        if ((s = wn_pca_save(pm, u.model)))
            goto fail;
    }
    if (rounds > 0) {
        wn_baskets_params bp = wn_baskets_params_default();
        bp.data = d;
        bp.method = method;
        bp.rounds = rounds;
        bp.basket_size = bsize;
        bp.pca_components = comp;
        bp.iforest_trees = trees;
        bp.iforest_sample = sample;
        t0 = cli_now();
        if ((s = wn_anomaly_baskets(u.t, &bp, &bk)))
            goto fail;
        printf("baskets: %d rounds of %lld events in %.3f s\n", bk->rounds,
               (long long)bk->basket_size, cli_now() - t0);
    }
    /* output columns */
    nc = rounds > 0 ? 3 : 1;
    for (int j = 0; j < nc; j++)
        if (!(cols[j] = malloc((size_t)(n ? n : 1) * sizeof(float))))
            goto oom;
    for (int64_t r = 0; r < n; r++)
        cols[0][r] = (float)score[r];
    if (bk) {
        for (int64_t r = 0; r < n; r++) {
            cols[1][r] = 0;
            cols[2][r] = (float)bk->scores[(int64_t)(bk->rounds - 1) * n + r];
        }
        for (int rd = 0; rd < bk->rounds; rd++)
            for (int64_t j = 0; j < bk->basket_size; j++) {
                int64_t row = bk->basket_rows[(int64_t)rd * bk->basket_size + j];
                if (row >= 0 && row < n)
                    cols[1][row] = (float)(rd + 1);
            }
    }
    if ((rc = cli_unsup_write(&u, names, cols, nc)))
        goto done;
    /* the terminal summary: top events, baskets, the label's view */
    int64_t lc = -1, idc = -1, m = 0;
    if (u.label && wn_table_find(u.t, u.label, &lc) != WN_OK)
        lc = -1;
    if (u.id && wn_table_find(u.t, u.id, &idc) != WN_OK)
        idc = -1;
    if (!(rk = malloc((size_t)(n ? n : 1) * sizeof *rk)))
        goto oom;
    for (int64_t r = 0; r < n; r++)
        if (isfinite(score[r]))
            rk[m].v = score[r], rk[m++].i = r;
    qsort(rk, (size_t)m, sizeof *rk, by_desc);
    if (top > 0 && m > 0) {
        printf("top %d events:\n   rank  row        %s%sscore\n", top < m ? top : (int)m,
               idc >= 0 ? "id          " : "", lc >= 0 ? "label  " : "");
        for (int64_t t = 0; t < m && t < top; t++) {
            printf("  %5lld  %-9lld  ", (long long)t + 1, (long long)rk[t].i + 1);
            if (idc >= 0)
                printf("%-11.9g ", (double)wn_table_get(u.t, rk[t].i, idc));
            if (lc >= 0)
                printf("%-6g ", (double)wn_table_get(u.t, rk[t].i, lc));
            printf("%.6g\n", rk[t].v);
        }
    }
    if (bk) {
        for (int rd = 0; rd < bk->rounds; rd++) {
            int64_t cnt = 0, pos = 0;
            for (int64_t j = 0; j < bk->basket_size; j++) {
                int64_t row = bk->basket_rows[(int64_t)rd * bk->basket_size + j];
                if (row < 0)
                    continue;
                cnt++;
                if (lc >= 0 && wn_table_get(u.t, row, lc) == 1.0f)
                    pos++;
            }
            printf("  basket %d: %lld events, fitted on %lld", rd + 1, (long long)cnt,
                   (long long)bk->pool_size[rd]);
            if (lc >= 0)
                printf("; %lld with %s = 1", (long long)pos, u.label);
            printf("\n");
        }
    }
    if (lc >= 0) {
        float *y = malloc((size_t)(m ? m : 1) * sizeof *y);
        double *sc = malloc((size_t)(m ? m : 1) * sizeof *sc), auc;
        if (!y || !sc) {
            free(y), free(sc);
            goto oom;
        }
        int64_t k = 0;
        for (int64_t t = 0; t < m; t++) {
            float v = wn_table_get(u.t, rk[t].i, lc);
            if (v == 0.0f || v == 1.0f)
                y[k] = v, sc[k++] = rk[t].v;
        }
        if (k > 1 && wn_metric_eval(WN_METRIC_AUC, y, NULL, sc, k, 1, 1.0, &auc) == WN_OK)
            printf("the score against '%s' (not used to fit): AUC %.4f\n", u.label, auc);
        free(y), free(sc);
    }
    printf("output: %s (%lld rows)\nmodel: %s\n", u.out, (long long)n, u.model);
    wn_unsup_report rep;
    memset(&rep, 0, sizeof rep);
    rep.iforest = fo;
    rep.pca = pm;
    rep.score = score;
    rep.score_name = method == WN_ANOMALY_PCA ? "reconstruction error" : "isolation score";
    rep.baskets = bk;
    rep.kmin = 1, rep.kmax = 0;
    rc = cli_unsup_report(&u, &rep);
    goto done;
fail:
    rc = cli_fail(cmd, s);
    goto done;
oom:
    fprintf(stderr, "winnow %s: out of memory\n", cmd);
    rc = WN_EXIT_NOMEM;
done:
    for (int j = 0; j < 3; j++)
        free(cols[j]);
    free(score);
    free(rk);
    wn_iforest_free(fo);
    wn_pca_free(pm);
    wn_baskets_free(bk);
    cli_unsup_free(&u);
    return rc;
}
