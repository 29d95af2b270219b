/* cmd_cluster.c — `winnow cluster DATA --method kmeans|gmm|som -k K`: the
 * "first view" of new data. k-means (Hamerly's exact algorithm), a Gaussian
 * mixture (EM) or a self-organising map; each event's cluster (or SOM unit)
 * in the output, the model beside it, and a report with sizes, centres, the
 * clusters drawn on the first two principal components, the SOM's U-matrix
 * and hit map, and — with --k-range — the table for choosing k (elbow and
 * silhouette, or BIC). */
#define _GNU_SOURCE
#include "unsup.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: winnow cluster DATA --method kmeans|gmm|som [-k K] [-o OUT] [options]\n\n"
           "Clusters the events of DATA (.csv .tsv .txt .dat .data .npy). OUT gets per row:\n"
           "  kmeans  cluster (0..K-1), distance (to its centre, fitted space)\n"
           "  gmm     cluster (most probable component), probability (of it), loglik\n"
           "          (log density of the event under the mixture)\n"
           "  som     unit (row * cols + col), unit_row, unit_col, qerr (distance to it)\n\n"
           "options:\n"
           "  --method NAME          kmeans (default), gmm or som\n"
           "  -k K                   clusters / mixture components (default 8; with\n"
           "                         --k-range and no -k: the best of the range, by\n"
           "                         silhouette for kmeans, by BIC for gmm)\n"
           "  --k-range A:B          also fit every k in A..B and print the choice table\n"
           "  --restarts N           k-means++ seedings / EM starts kept best of (default\n"
           "                         4 for kmeans, 1 for gmm)\n"
           "  --max-iter N           iterations (default 300 kmeans, 200 gmm)\n"
           "  --silhouette-sample N  k-means: events for the silhouette (default 5000;\n"
           "                         0 = skip it)\n"
           "  --covariance full|diag the GMM's covariances (default full)\n"
           "  --grid RxC             SOM grid (default 10x10)\n"
           "  --rect, --hex          SOM grid topology (default hexagonal)\n"
           "  --epochs N             SOM batch epochs (default 20)\n" CLI_UNSUP_HELP
           "\nexit codes: 0 ok, 1 I/O error, 2 bad option, 3 bad data (K > rows, NaN without\n"
           "--drop-missing, constant data, SOM grid larger than the data), 4 out of memory\n\n"
           "example: winnow cluster higgs.csv --label label --method kmeans -k 16\n");
}

enum {
    O_K = 'k',
    O_KRANGE = 500,
    O_RESTARTS,
    O_MAXIT,
    O_COV,
    O_GRID,
    O_RECT,
    O_HEX,
    O_EPOCHS,
    O_SIL
};

typedef struct opts {
    int k, kset, kmin, kmax, restarts, maxit, diag, rows, cols, hex, epochs;
    int64_t sil;
} opts;

static int parse_range(const char *cmd, const char *s, int *a, int *b)
{
    char *e;
    long x = strtol(s, &e, 10);
    if (*e != ':' || x < 1)
        return cli_usage_error(cmd, "--k-range takes A:B with 1 <= A <= B, got '%s'", s);
    char *e2;
    long y = strtol(e + 1, &e2, 10);
    if (*e2 || y < x || y > 1000)
        return cli_usage_error(cmd, "--k-range takes A:B with 1 <= A <= B <= 1000, got '%s'", s);
    *a = (int)x, *b = (int)y;
    return 0;
}

static int parse_grid(const char *cmd, const char *s, int *r, int *c)
{
    char *e, *e2;
    long x = strtol(s, &e, 10);
    long y = (*e == 'x' || *e == 'X') ? strtol(e + 1, &e2, 10) : 0;
    if ((*e != 'x' && *e != 'X') || *e2 || x < 1 || y < 1 || x > 1000 || y > 1000)
        return cli_usage_error(cmd, "--grid takes RxC, 1..1000 each, got '%s'", s);
    *r = (int)x, *c = (int)y;
    return 0;
}

/* Results of one method as output columns; -1 labels become NaN. */
static int add_col(float **cols, char **names, int *nc, const char *name, int64_t n)
{
    if (!(cols[*nc] = malloc((size_t)(n ? n : 1) * sizeof(float))) || !(names[*nc] = strdup(name)))
        return -1;
    (*nc)++;
    return 0;
}

int cmd_cluster(int argc, char **argv)
{
    const char *cmd = "cluster";
    cli_unsup u;
    opts op = {8, 0, 0, -1, 0, 0, 0, 10, 10, 1, 20, -1};
    int rc = 0, nc = 0;
    long long iv;
    float *cols[8] = {0};
    char *names[8] = {0};
    int32_t *lab = NULL;
    double *a = NULL, *b = NULL, *resp = NULL, *ch1 = NULL, *ch2 = NULL;
    wn_kmeans *km = NULL;
    wn_gmm *gm = NULL;
    wn_som *so = NULL;
    static const struct option longopts[] = {{"k-range", required_argument, 0, O_KRANGE},
                                             {"restarts", required_argument, 0, O_RESTARTS},
                                             {"max-iter", required_argument, 0, O_MAXIT},
                                             {"covariance", required_argument, 0, O_COV},
                                             {"grid", required_argument, 0, O_GRID},
                                             {"rect", no_argument, 0, O_RECT},
                                             {"hex", no_argument, 0, O_HEX},
                                             {"epochs", required_argument, 0, O_EPOCHS},
                                             {"silhouette-sample", required_argument, 0, O_SIL},
                                             CLI_UNSUP_LONGOPTS,
                                             {0, 0, 0, 0}};
    if (cli_unsup_init(&u, cmd, argc, argv)) {
        cli_unsup_free(&u);
        return WN_EXIT_NOMEM;
    }
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, ":o:hk:", longopts, NULL)) != -1) {
        int r = 0;
        switch (o) {
        case 'h': help(); goto done;
        case ':': r = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); break;
        case O_K:
            if (!(r = cli_parse_i64(cmd, "-k", optarg, 1, 100000, &iv) ? WN_EXIT_USAGE : 0))
                op.k = (int)iv, op.kset = 1;
            break;
        case O_KRANGE: r = parse_range(cmd, optarg, &op.kmin, &op.kmax); break;
        case O_RESTARTS:
            if (!(r = cli_parse_i64(cmd, "--restarts", optarg, 1, 1000, &iv) ? WN_EXIT_USAGE : 0))
                op.restarts = (int)iv;
            break;
        case O_MAXIT:
            if (!(r = cli_parse_i64(cmd, "--max-iter", optarg, 1, 100000, &iv) ? WN_EXIT_USAGE : 0))
                op.maxit = (int)iv;
            break;
        case O_COV: r = cli_parse_choice(cmd, "--covariance", optarg, "full", "diag", &op.diag); break;
        case O_GRID: r = parse_grid(cmd, optarg, &op.rows, &op.cols); break;
        case O_RECT: op.hex = 0; break;
        case O_HEX: op.hex = 1; break;
        case O_SIL:
            if (!(r = cli_parse_i64(cmd, "--silhouette-sample", optarg, 0, 1000000, &iv) ? WN_EXIT_USAGE : 0))
                op.sil = (int64_t)iv;
            break;
        case O_EPOCHS:
            if (!(r = cli_parse_i64(cmd, "--epochs", optarg, 1, 100000, &iv) ? WN_EXIT_USAGE : 0))
                op.epochs = (int)iv;
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
    const char *method = u.method ? u.method : "kmeans";
    int is_km = !strcmp(method, "kmeans"), is_gmm = !strcmp(method, "gmm"),
        is_som = !strcmp(method, "som");
    if (!is_km && !is_gmm && !is_som) {
        rc = cli_usage_error(cmd, "--method %s: the methods are: kmeans, gmm, som", method);
        goto done;
    }
    if (is_som && op.kmax >= op.kmin) {
        rc = cli_usage_error(cmd, "--k-range applies to kmeans and gmm, not to som (use --grid)");
        goto done;
    }
    wn_unsup_data d;
    if ((rc = cli_unsup_load(&u, argc, argv, method, &d)))
        goto done;
    const int64_t n = wn_table_nrows(u.t);
    lab = malloc((size_t)(n ? n : 1) * sizeof *lab);
    a = malloc((size_t)(n ? n : 1) * sizeof *a);
    b = malloc((size_t)(n ? n : 1) * sizeof *b);
    if (!lab || !a || !b)
        goto oom;
    int nk = op.kmax - op.kmin + 1;
    if (nk > 0 && (!(ch1 = malloc((size_t)nk * sizeof *ch1)) || !(ch2 = malloc((size_t)nk * sizeof *ch2))))
        goto oom;
    wn_status s = WN_OK;
    double t0 = cli_now();
    wn_unsup_report rep;
    memset(&rep, 0, sizeof rep);
    if (is_km) {
        wn_kmeans_params p = wn_kmeans_params_default();
        p.data = d;
        if (op.restarts)
            p.restarts = op.restarts;
        if (op.maxit)
            p.max_iter = op.maxit;
        if (op.sil >= 0)
            p.silhouette_sample = op.sil;
        if (nk > 0) {
            p.k = op.kmin;
            if ((s = wn_kmeans_choose_k(u.t, &p, op.kmin, op.kmax, ch1, ch2)))
                goto fail;
            printf("choice of k (k-means):\n      k  inertia       silhouette\n");
            int best = op.kmin;
            for (int i = 0; i < nk; i++) {
                printf("  %5d  %-12.6g  %.4f\n", op.kmin + i, ch1[i], ch2[i]);
                if (isfinite(ch2[i]) && (!isfinite(ch2[best - op.kmin]) || ch2[i] > ch2[best - op.kmin]))
                    best = op.kmin + i;
            }
            if (!op.kset) {
                op.k = best;
                printf("  -> k = %d (largest silhouette)\n", best);
            }
            rep.inertia = ch1, rep.silhouette = ch2;
        }
        p.k = op.k;
        double tf = cli_now();
        if ((s = wn_kmeans_fit(u.t, &p, &km)))
            goto fail;
        tf = cli_now() - tf;
        if ((s = wn_kmeans_assign(km, u.t, u.drop_missing, u.threads, lab, a)))
            goto fail;
        if (add_col(cols, names, &nc, "cluster", n) || add_col(cols, names, &nc, "distance", n))
            goto oom;
        for (int64_t r = 0; r < n; r++) {
            cols[0][r] = lab[r] >= 0 ? (float)lab[r] : NAN;
            cols[1][r] = lab[r] >= 0 ? (float)sqrt(a[r]) : NAN;
        }
        if ((s = wn_kmeans_save(km, u.model)))
            goto fail;
        printf("k-means: k = %d, %lld rows (%lld left out), %d iterations, inertia %.6g, "
               "silhouette %.4f; fit %.3f s (%d restart%s), all %.3f s\n",
               wn_kmeans_k(km), (long long)wn_kmeans_num_rows(km),
               (long long)wn_kmeans_num_dropped(km), wn_kmeans_iterations(km),
               wn_kmeans_inertia(km), wn_kmeans_silhouette(km), tf, p.restarts,
               p.restarts > 1 ? "s" : "", cli_now() - t0);
        const double *sz = wn_kmeans_sizes(km);
        for (int c = 0; c < wn_kmeans_k(km) && c < 50; c++)
            printf("  cluster %3d: %.6g events\n", c, sz[c]);
        rep.kmeans = km;
    } else if (is_gmm) {
        wn_gmm_params p = wn_gmm_params_default();
        p.data = d;
        p.cov = op.diag ? WN_GMM_DIAG : WN_GMM_FULL;
        if (op.restarts)
            p.restarts = op.restarts;
        if (op.maxit)
            p.max_iter = op.maxit;
        if (nk > 0) {
            p.k = op.kmin;
            if ((s = wn_gmm_choose_k(u.t, &p, op.kmin, op.kmax, ch1, ch2)))
                goto fail;
            printf("choice of k (Gaussian mixture):\n      k  BIC            mean loglik\n");
            int best = op.kmin;
            for (int i = 0; i < nk; i++) {
                printf("  %5d  %-13.7g  %.6g\n", op.kmin + i, ch1[i], ch2[i]);
                if (ch1[i] < ch1[best - op.kmin])
                    best = op.kmin + i;
            }
            if (!op.kset) {
                op.k = best;
                printf("  -> k = %d (smallest BIC)\n", best);
            }
            rep.bic = ch1, rep.loglik = ch2;
        }
        p.k = op.k;
        if ((uint64_t)n > SIZE_MAX / sizeof(double) / (uint64_t)op.k ||
            !(resp = malloc((size_t)(n ? n : 1) * (size_t)op.k * sizeof *resp)))
            goto oom;
        if ((s = wn_gmm_fit(u.t, &p, &gm)) ||
            (s = wn_gmm_predict(gm, u.t, u.drop_missing, u.threads, resp, lab, a)))
            goto fail;
        if (add_col(cols, names, &nc, "cluster", n) || add_col(cols, names, &nc, "probability", n) ||
            add_col(cols, names, &nc, "loglik", n))
            goto oom;
        for (int64_t r = 0; r < n; r++) {
            cols[0][r] = lab[r] >= 0 ? (float)lab[r] : NAN;
            cols[1][r] = lab[r] >= 0 ? (float)resp[r * op.k + lab[r]] : NAN;
            cols[2][r] = (float)a[r];
        }
        if ((s = wn_gmm_save(gm, u.model)))
            goto fail;
        printf("Gaussian mixture: k = %d (%s covariances), %lld rows (%lld left out), %d "
               "iterations%s, mean log-likelihood %.6g, BIC %.7g, in %.3f s\n",
               wn_gmm_k(gm), op.diag ? "diagonal" : "full", (long long)wn_gmm_num_rows(gm),
               (long long)wn_gmm_num_dropped(gm), wn_gmm_iterations(gm),
               wn_gmm_converged(gm) ? "" : " (not converged: raise --max-iter)", wn_gmm_loglik(gm),
               wn_gmm_bic(gm), cli_now() - t0);
        if (wn_gmm_regularised(gm))
            printf("  note: %d component%s had a degenerate covariance (duplicated or constant "
                   "features within the component, e.g. a discrete feature); the diagonal "
                   "regularisation (reg_covar) made %s positive definite\n",
                   wn_gmm_regularised(gm), wn_gmm_regularised(gm) > 1 ? "s" : "",
                   wn_gmm_regularised(gm) > 1 ? "them" : "it");
        const double *w = wn_gmm_weights(gm);
        for (int c = 0; c < wn_gmm_k(gm) && c < 50; c++)
            printf("  component %3d: weight %.4f\n", c, w[c]);
        rep.gmm = gm;
    } else {
        wn_som_params p = wn_som_params_default();
        p.data = d;
        p.rows = op.rows, p.cols = op.cols;
        p.topology = op.hex ? WN_SOM_HEX : WN_SOM_RECT;
        p.epochs = op.epochs;
        p.sigma0 = (op.rows > op.cols ? op.rows : op.cols) / 2.0;
        if ((s = wn_som_fit(u.t, &p, &so)) ||
            (s = wn_som_bmu(so, u.t, u.drop_missing, u.threads, lab, a)))
            goto fail;
        if (add_col(cols, names, &nc, "unit", n) || add_col(cols, names, &nc, "unit_row", n) ||
            add_col(cols, names, &nc, "unit_col", n) || add_col(cols, names, &nc, "qerr", n))
            goto oom;
        for (int64_t r = 0; r < n; r++) {
            int ok = lab[r] >= 0;
            cols[0][r] = ok ? (float)lab[r] : NAN;
            cols[1][r] = ok ? (float)(lab[r] / op.cols) : NAN;
            cols[2][r] = ok ? (float)(lab[r] % op.cols) : NAN;
            cols[3][r] = ok ? (float)a[r] : NAN;
        }
        if ((s = wn_som_save(so, u.model)))
            goto fail;
        const double *hits = wn_som_hits(so);
        int empty = 0;
        for (int c = 0; c < op.rows * op.cols; c++)
            empty += !(hits[c] > 0);
        printf("SOM: %dx%d %s grid, %lld rows (%lld left out), %d epochs, quantisation error "
               "%.4g, topographic error %.4f, %d empty units, in %.3f s\n",
               op.rows, op.cols, op.hex ? "hexagonal" : "rectangular",
               (long long)wn_som_num_rows(so), (long long)wn_som_num_dropped(so), op.epochs,
               wn_som_quantization_error(so), wn_som_topographic_error(so), empty, cli_now() - t0);
        rep.som = so;
    }
    if ((rc = cli_unsup_write(&u, (const char *const *)names, cols, nc)))
        goto done;
    printf("output: %s (%lld rows)\nmodel: %s\n", u.out, (long long)n, u.model);
    if (nk > 0)
        rep.kmin = op.kmin, rep.kmax = op.kmax;
    else
        rep.kmin = 1, rep.kmax = 0;
    rep.cluster = lab;
    rc = cli_unsup_report(&u, &rep);
    goto done;
fail:
    rc = cli_fail(cmd, s);
    goto done;
oom:
    fprintf(stderr, "winnow %s: out of memory\n", cmd);
    rc = WN_EXIT_NOMEM;
done:
    for (int j = 0; j < 8; j++)
        free(cols[j]), free(names[j]);
    free(lab), free(a), free(b), free(resp), free(ch1), free(ch2);
    wn_kmeans_free(km);
    wn_gmm_free(gm);
    wn_som_free(so);
    cli_unsup_free(&u);
    return rc;
}
