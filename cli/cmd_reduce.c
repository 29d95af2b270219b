/* cmd_reduce.c — `winnow reduce DATA --method pca --components K`: data
 * reduction. Fits a PCA (wn_pca_fit: one streaming pass for the weighted
 * covariance, LAPACK for its eigenvectors), writes every event's K scores
 * and its reconstruction error (how badly K components describe it: the
 * event-level figure of merit of a compression, and an anomaly score in its
 * own right), the model, and the report. Autoencoders will join as another
 * --method. */
#define _GNU_SOURCE
#include "unsup.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: winnow reduce DATA --method pca --components K [-o OUT] [options]\n\n"
           "Reduces the features of DATA (.csv .tsv .txt .dat .data .npy) to K principal\n"
           "components. OUT gets pc1..pcK and recon_error (squared distance, in the fitted\n"
           "space, between the event and its reconstruction from K components) per row.\n\n"
           "options:\n"
           "  --method pca           the method (default pca; autoencoders come later)\n"
           "  --components K         components to keep, 1..features; or a fraction in\n"
           "                         (0, 1): the fewest components that explain it\n"
           "                         (default 0.9)\n"
           "  --whiten               scale each score to unit variance\n" CLI_UNSUP_HELP
           "\nexit codes: 0 ok, 1 I/O error, 2 bad option, 3 bad data (NaN without\n"
           "--drop-missing, constant data, K > features), 4 out of memory\n\n"
           "example: winnow reduce higgs.csv --label label --components 10 -o higgs10.csv\n");
}

enum { O_COMP = 500, O_WHITEN };

int cmd_reduce(int argc, char **argv)
{
    const char *cmd = "reduce";
    cli_unsup u;
    wn_pca_params p = wn_pca_params_default();
    double comp = 0.9;
    int rc = 0;
    wn_pca *m = NULL;
    double *sc = NULL, *rec = NULL;
    float *cols[WN__CLI_MAXCOLS];
    char *names[WN__CLI_MAXCOLS];
    int ncols = 0;
    memset(cols, 0, sizeof cols);
    memset(names, 0, sizeof names);
    static const struct option longopts[] = {{"components", required_argument, 0, O_COMP},
                                             {"whiten", no_argument, 0, O_WHITEN},
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
        if (o == 'h') {
            help();
            goto done;
        }
        if (o == ':') {
            rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
            goto done;
        }
        if (o == O_COMP) {
            if (cli_parse_f64(cmd, "--components", optarg, &comp) ||
                !(comp > 0 && (comp < 1 || (comp == floor(comp) && comp <= 1e6)))) {
                rc = cli_usage_error(cmd, "--components: give a count >= 1 or a fraction in "
                                          "(0, 1), got '%s'", optarg);
                goto done;
            }
            continue;
        }
        if (o == O_WHITEN) {
            p.whiten = 1;
            continue;
        }
        int r = cli_unsup_option(&u, o, optarg, argv[optind - 1]);
        if (r < 0)
            r = cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        if (r) {
            rc = r;
            goto done;
        }
    }
    if (u.method && strcmp(u.method, "pca")) {
        rc = cli_usage_error(cmd, "--method %s: the methods are: pca", u.method);
        goto done;
    }
    if ((rc = cli_unsup_load(&u, argc, argv, "pca", &p.data)))
        goto done;

    double t0 = cli_now();
    p.components = comp >= 1 ? (int)comp : 0;
    p.variance_fraction = comp < 1 ? comp : 0;
    wn_status s = wn_pca_fit(u.t, &p, &m);
    double fit_s = cli_now() - t0;
    if (s) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    const int k = wn_pca_num_components(m);
    const int64_t n = wn_table_nrows(u.t), nf = wn_pca_num_features(m);
    if (k + 1 > WN__CLI_MAXCOLS) {
        fprintf(stderr, "winnow %s: %d components are more than this command writes (%d)\n",
                cmd, k, WN__CLI_MAXCOLS - 1);
        rc = WN_EXIT_USAGE;
        goto done;
    }
    sc = malloc((size_t)(n ? n : 1) * (size_t)k * sizeof *sc);
    rec = malloc((size_t)(n ? n : 1) * sizeof *rec);
    if (!sc || !rec)
        goto oom;
    t0 = cli_now();
    if ((s = wn_pca_transform(m, u.t, u.drop_missing, u.threads, sc, rec))) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    double tr_s = cli_now() - t0;
    for (int j = 0; j <= k; j++) {
        if (!(cols[j] = malloc((size_t)(n ? n : 1) * sizeof(float))) ||
            !(names[j] = malloc(32)))
            goto oom;
        if (j < k)
            snprintf(names[j], 32, "pc%d", j + 1);
        else
            snprintf(names[j], 32, "recon_error");
        for (int64_t r = 0; r < n; r++)
            cols[j][r] = (float)(j < k ? sc[r * k + j] : rec[r]);
    }
    ncols = k + 1;
    if ((s = wn_pca_save(m, u.model))) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    if ((rc = cli_unsup_write(&u, (const char *const *)names, cols, ncols)))
        goto done;

    const double *v = wn_pca_variance(m);
    double tot = 0, c = 0;
    for (int64_t i = 0; i < nf; i++)
        tot += v[i];
    for (int i = 0; i < k; i++)
        c += v[i];
    printf("PCA: %d of %lld components explain %.2f%% of the variance%s; fitted on %lld rows "
           "(%lld left out) in %.3f s, transformed in %.3f s\n",
           k, (long long)nf, tot > 0 ? 100 * c / tot : 0.0,
           u.standardize ? " (standardised features)" : "", (long long)wn_pca_num_rows(m),
           (long long)wn_pca_num_dropped(m), fit_s, tr_s);
    printf("  component  variance    fraction  cumulative\n");
    c = 0;
    for (int64_t i = 0; i < nf && i < 12; i++) {
        c += v[i];
        printf("  %9lld  %-10.4g  %7.2f%%  %9.2f%%%s\n", (long long)i + 1, v[i],
               tot > 0 ? 100 * v[i] / tot : 0.0, tot > 0 ? 100 * c / tot : 0.0,
               i + 1 == k ? "  <- kept" : "");
    }
    if (nf > 12)
        printf("  ... (%lld more)\n", (long long)(nf - 12));
    printf("output: %s (%lld rows: pc1..pc%d, recon_error)\nmodel: %s\n", u.out, (long long)n, k,
           u.model);
    wn_unsup_report rep;
    memset(&rep, 0, sizeof rep);
    rep.pca = m;
    rep.score = rec;
    rep.score_name = "reconstruction error";
    rc = cli_unsup_report(&u, &rep);
    goto done;
oom:
    fprintf(stderr, "winnow %s: out of memory\n", cmd);
    rc = WN_EXIT_NOMEM;
done:
    for (int j = 0; j < WN__CLI_MAXCOLS; j++)
        free(cols[j]), free(names[j]);
    free(sc);
    free(rec);
    wn_pca_free(m);
    cli_unsup_free(&u);
    return rc;
}
