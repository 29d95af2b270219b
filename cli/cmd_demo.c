/* cmd_demo.c — `winnow demo`: the toolkit's main job, out of the box.
 *
 * Simulates a dijet resonance search sample (src/sim/), writes it, reads it
 * back and summarises it, trains boosted trees to tell signal from background
 * and measures their AUC on held-out events, then writes the run report
 * that judges the model; then takes a first view of a fresh sample with a
 * rare signal: k-means clusters, isolation-forest anomaly scores and
 * iterative baskets. Each capability that lands
 * extends this command, so that one line of the README shows what winnow can
 * do today. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void help(void)
{
    printf("usage: winnow demo [--out DIR] [--rows N] [--seed S]\n\n"
           "Runs winnow's main job on built-in simulated data: a dijet resonance\n"
           "search sample (QCD-like background + a 3.5 TeV X -> YZ signal), written\n"
           "to DIR and summarised; boosted trees trained on 4 of every 5 events\n"
           "(model saved as DIR/resonance.wnm), their AUC on the 5th, and the run\n"
           "report judging them (DIR/resonance.report.html: open it in a browser);\n"
           "then a first view of a fresh sample with a rare (1%%) signal: k-means\n"
           "clusters, isolation-forest anomaly scores and three baskets of the most\n"
           "anomalous events, with the signal they caught (DIR/anomalies.report.html).\n\n"
           "options:\n"
           "  --out DIR     where outputs go (default: winnow-demo)\n"
           "  --rows N      events to simulate (default 200000)\n"
           "  --seed S      random seed (default 42)\n"
           "  -h, --help    this help\n");
}

/* Step 4 and 5: a GBDT on 4 of every 5 events, its AUC on the 5th. mjj stays
 * out of the features, as in a bump hunt, where a classifier that learnt the
 * mass would sculpt the background into a fake peak. */
static int train_and_test(const char *cmd, wn_table *t, const char *mpath, uint64_t seed)
{
    int64_t nr = wn_table_nrows(t), ntest = nr / 5, ntrain = nr - ntest, mjj;
    int rc = 0;
    wn_status s = wn_table_find(t, "mjj", &mjj);
    if (s || (s = wn_table_set_role(t, mjj, WN_ROLE_IGNORED)))
        return cli_fail(cmd, s);
    if (ntest < 1 || ntrain < 2) {
        fprintf(stderr, "winnow %s: --rows must be at least 5 to train and test\n", cmd);
        return WN_EXIT_USAGE;
    }
    int64_t *rows = malloc((size_t)nr * sizeof *rows);
    float *y = malloc((size_t)ntest * sizeof *y), *w = malloc((size_t)ntest * sizeof *w);
    double *pred = malloc((size_t)ntest * sizeof *pred);
    wn_table *train = NULL, *test = NULL;
    wn_model *m = NULL;
    if (!rows || !y || !w || !pred) {
        fprintf(stderr, "winnow %s: out of memory\n", cmd);
        rc = WN_EXIT_NOMEM;
        goto done;
    }
    /* every 5th event is a test event: deterministic, and spread evenly */
    int64_t a = 0, b = ntrain;
    for (int64_t r = 0; r < nr; r++) {
        if (r % 5 == 4 && b < nr)
            rows[b++] = r;
        else
            rows[a++] = r;
    }
    if ((s = wn_table_view_rows(t, rows, ntrain, &train)) ||
        (s = wn_table_view_rows(t, rows + ntrain, ntest, &test))) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    wn_gbdt_params gp;
    wn_gbdt_params_default(&gp);
    gp.rounds = 200;
    gp.num_leaves = 31;
    gp.learning_rate = 0.1;
    gp.seed = seed;
    gp.command_line = "winnow demo";
    cli_progress prog;
    gp.progress = cli_progress_make(&prog, "rounds");
    double t0 = cli_now();
    s = wn_gbdt_train(train, NULL, &gp, &m);
    double ttrain = cli_now() - t0;
    cli_progress_done(&prog);
    if (s || (s = wn_model_save(m, mpath))) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    printf("\n4. train     boosted trees (%lld rounds, %d leaves, learning rate %g) on "
           "%lld events,\n"
           "            %lld features (mjj kept out), weighted, in %.2f s -> %s\n",
           (long long)wn_model_num_rounds(m, 0), gp.num_leaves, gp.learning_rate,
           (long long)ntrain, (long long)wn_model_num_features(m), ttrain, mpath);
    t0 = cli_now();
    if ((s = wn_gbdt_predict(m, test, WN_PREDICT_VALUE, 0, pred))) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    double tpred = cli_now() - t0;
    wn_table_gather(test, wn_table_role_column(test, WN_ROLE_LABEL), y);
    int64_t wc = wn_table_role_column(test, WN_ROLE_WEIGHT);
    if (wc >= 0)
        wn_table_gather(test, wc, w);
    double auc;
    if ((s = wn_metric_eval(WN_METRIC_AUC, y, wc >= 0 ? w : NULL, pred, ntest, 1, 0, &auc))) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    printf("5. test      signal vs background on %lld held-out events (every 5th):\n"
           "            AUC %.4f (predicted in %.3f s)\n",
           (long long)ntest, auc, tpred);
    /* step 6: the run report judges the model (ROC, overtraining, importance,
     * SHAP, leak check, calibration, distributions, correlations) */
    char rpath[4200];
    snprintf(rpath, sizeof rpath, "%.4000s", mpath);
    char *dot = strrchr(rpath, '.');
    snprintf(dot ? dot : rpath + strlen(rpath), 20, ".report.html");
    wn_report_options ro;
    wn_report_options_default(&ro);
    ro.title = "winnow demo: dijet resonance search";
    t0 = cli_now();
    if ((s = wn_gbdt_report(m, train, test, &ro, rpath))) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    printf("6. judge     trust checks and plots in %.2f s -> %s\n", cli_now() - t0, rpath);
done:
    wn_model_free(m);
    wn_table_free(test);
    wn_table_free(train);
    free(pred);
    free(w);
    free(y);
    free(rows);
    return rc;
}

/* Steps 7 and 8: the first view of new data. A fresh sample with a rare
 * signal (1%), all kinematic features (mjj too: an anomaly search looks
 * everywhere); k-means clusters, and where the signal falls among them;
 * then isolation-forest anomaly scores and three baskets, each the top
 * events of a fit that no longer sees the earlier baskets: does the
 * injected resonance land in them? The label is only counted, never fitted. */
static int first_view(const char *cmd, const char *out, long long rows, uint64_t seed)
{
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_RESONANCE, &p);
    p.rows = rows;
    p.seed = seed + 1;
    p.signal_fraction = 0.01;
    wn_table *t = NULL;
    wn_kmeans *km = NULL;
    wn_iforest *fo = NULL;
    wn_baskets *bk = NULL;
    int32_t *lab = NULL;
    double *score = NULL;
    float *y = NULL;
    int rc = 0;
    wn_status s = wn_simulate(WN_SIM_RESONANCE, &p, &t, NULL);
    if (s)
        return cli_fail(cmd, s);
    const int64_t n = wn_table_nrows(t);
    lab = malloc((size_t)n * sizeof *lab);
    score = malloc((size_t)n * sizeof *score);
    y = malloc((size_t)n * sizeof *y);
    if (!lab || !score || !y) {
        fprintf(stderr, "winnow %s: out of memory\n", cmd);
        rc = WN_EXIT_NOMEM;
        goto done;
    }
    wn_table_gather(t, wn_table_role_column(t, WN_ROLE_LABEL), y);
    double nsig = 0;
    for (int64_t r = 0; r < n; r++)
        nsig += y[r] == 1.0f;
    /* 7. k-means */
    wn_kmeans_params kp = wn_kmeans_params_default();
    kp.k = 8;
    kp.data.standardize = 1;
    kp.data.seed = seed;
    kp.data.command_line = "winnow demo";
    double t0 = cli_now();
    if ((s = wn_kmeans_fit(t, &kp, &km)) || (s = wn_kmeans_assign(km, t, 0, 0, lab, NULL)))
        goto fail;
    printf("\n7. cluster   a fresh sample of %lld events with a rare signal (%.0f events, 1%%):\n"
           "            k-means, k = 8, standardised features, in %.2f s (silhouette %.2f);\n"
           "            share of the events / of the signal per cluster:\n",
           (long long)n, nsig, cli_now() - t0, wn_kmeans_silhouette(km));
    for (int c = 0; c < 8; c++) {
        double ne = 0, ns = 0;
        for (int64_t r = 0; r < n; r++)
            if (lab[r] == c)
                ne += 1, ns += y[r] == 1.0f;
        printf("            cluster %d: %5.1f%% / %5.1f%%%s\n", c, 100 * ne / (double)n,
               nsig > 0 ? 100 * ns / nsig : 0.0,
               nsig > 0 && ns / nsig > 4 * ne / (double)n ? "   <- the signal gathers here" : "");
    }
    /* 8. anomalies and baskets */
    wn_iforest_params ip = wn_iforest_params_default();
    ip.data.seed = seed;
    ip.data.command_line = "winnow demo";
    t0 = cli_now();
    if ((s = wn_iforest_fit(t, &ip, &fo)) || (s = wn_iforest_score(fo, t, 0, 0, score)))
        goto fail;
    double tif = cli_now() - t0;
    wn_baskets_params bp = wn_baskets_params_default();
    bp.data.seed = seed;
    bp.rounds = 3;
    bp.basket_size = 100;
    t0 = cli_now();
    if ((s = wn_anomaly_baskets(t, &bp, &bk)))
        goto fail;
    printf("8. anomalies isolation forest (100 trees) in %.2f s; 3 baskets of 100 events in "
           "%.2f s\n            (expected signal in 100 random events: %.1f):\n",
           tif, cli_now() - t0, 100 * nsig / (double)n);
    for (int rd = 0; rd < bk->rounds; rd++) {
        int64_t cnt = 0, sig = 0;
        for (int64_t j = 0; j < bk->basket_size; j++) {
            int64_t r = bk->basket_rows[(int64_t)rd * bk->basket_size + j];
            if (r >= 0)
                cnt++, sig += y[r] == 1.0f;
        }
        printf("            basket %d: %lld signal of %lld\n", rd + 1, (long long)sig,
               (long long)cnt);
    }
    char rpath[4200];
    snprintf(rpath, sizeof rpath, "%.4000s/anomalies.report.html", out);
    wn_unsup_report rep;
    memset(&rep, 0, sizeof rep);
    rep.t = t;
    rep.label = "label";
    rep.id = "event";
    rep.iforest = fo;
    rep.score = score;
    rep.score_name = "isolation score";
    rep.baskets = bk;
    rep.kmin = 1, rep.kmax = 0;
    wn_report_options ro;
    wn_report_options_default(&ro);
    ro.title = "winnow demo: anomalies in a dijet sample";
    ro.max_rows = 20000;
    if ((s = wn_unsup_report_write(&rep, &ro, rpath)))
        goto fail;
    printf("            report -> %s\n", rpath);
    goto done;
fail:
    rc = cli_fail(cmd, s);
done:
    wn_kmeans_free(km);
    wn_iforest_free(fo);
    wn_baskets_free(bk);
    wn_table_free(t);
    free(lab), free(score), free(y);
    return rc;
}

int cmd_demo(int argc, char **argv)
{
    const char *cmd = "demo", *out = "winnow-demo";
    long long rows = 200000, seed = 42;
    static const struct option longopts[] = {{"out", required_argument, 0, 'o'},
                                             {"rows", required_argument, 0, 'r'},
                                             {"seed", required_argument, 0, 's'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        switch (o) {
        case 'o': out = optarg; break;
        case 'r':
            if (cli_parse_i64(cmd, "--rows", optarg, 1, 100000000, &rows))
                return WN_EXIT_USAGE;
            break;
        case 's':
            if (cli_parse_i64(cmd, "--seed", optarg, 0, INT64_MAX, &seed))
                return WN_EXIT_USAGE;
            break;
        case 'h': help(); return WN_EXIT_OK;
        default: return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "winnow demo: cannot create output folder '%s': %s\n", out,
                strerror(errno));
        return WN_EXIT_ERROR;
    }

    printf("winnow %s demo: a dijet resonance search on simulated events\n\n", wn_version());
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_RESONANCE, &p);
    p.rows = rows;
    p.seed = (uint64_t)seed;
    cli_progress prog;
    p.progress = cli_progress_make(&prog, "events");
    double t0 = cli_now();
    wn_table *t = NULL;
    wn_status s = wn_simulate(WN_SIM_RESONANCE, &p, &t, NULL);
    cli_progress_done(&prog);
    if (s)
        return cli_fail(cmd, s);
    double tsim = cli_now() - t0;
    char path[4096];
    snprintf(path, sizeof path, "%s/resonance.csv", out);
    t0 = cli_now();
    s = wn_table_write(t, path);
    double twrite = cli_now() - t0;
    int64_t nr = wn_table_nrows(t), nc = wn_table_ncols(t);
    if (s) {
        wn_table_free(t);
        return cli_fail(cmd, s);
    }
    printf("1. simulate  %lld events x %lld columns (signal X -> YZ at %.0f GeV, "
           "%.1f%% signal) in %.2f s\n",
           (long long)nr, (long long)nc, p.signal_mass, 100.0 * p.signal_fraction, tsim);
    printf("2. write     %s in %.2f s\n", path, twrite);
    printf("3. info      read back and summarised:\n\n");
    fflush(stdout);
    char *iargv[] = {(char *)"info", path, (char *)"--label", (char *)"label",
                     (char *)"--weight", (char *)"weight", NULL};
    int rc = cmd_info(6, iargv);
    if (rc) {
        wn_table_free(t);
        return rc;
    }
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/resonance.wnm", out);
    rc = train_and_test(cmd, t, mpath, (uint64_t)seed);
    wn_table_free(t);
    if (rc || (rc = first_view(cmd, out, rows, (uint64_t)seed)))
        return rc;
    printf("\noutputs in %s/ — next:\n"
           "  open %s/resonance.report.html and %s/anomalies.report.html in a browser\n"
           "  winnow predict %s %s -o scores.csv\n"
           "  winnow info %s --json\n"
           "  winnow train --help\n",
           out, out, out, mpath, path, path);
    return WN_EXIT_OK;
}
