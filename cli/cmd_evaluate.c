/* cmd_evaluate.c — `winnow evaluate MODEL DATA`: the HTML run report of a
 * model on labelled data (wn_gbdt_report), and `winnow explain MODEL DATA
 * -o OUT`: every row's SHAP values (wn_gbdt_shap) as a table, so that a
 * prediction can be taken apart feature by feature. Both are thin: the
 * library computes, this file reads, names columns and writes. */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

char *cli_report_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    size_t stem = dot && dot != (slash ? slash + 1 : path) ? (size_t)(dot - path) : strlen(path);
    char *s = malloc(stem + sizeof ".report.html");
    if (!s)
        return NULL;
    memcpy(s, path, stem);
    memcpy(s + stem, ".report.html", sizeof ".report.html");
    return s;
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && !strcmp(path + n - e, ext);
}

/* Loads MODEL and reads DATA; 0 or an exit code (message printed). */
static int load_both(const char *cmd, const char *mpath, const char *dpath, wn_csv_options *csv,
                     wn_model **m, wn_table **t)
{
    wn_status s = wn_model_load(mpath, m);
    if (s)
        return cli_fail(cmd, s);
    cli_progress prog;
    csv->progress = cli_progress_make(&prog, "bytes");
    s = wn_table_read(dpath, csv, t);
    cli_progress_done(&prog);
    return s ? cli_fail(cmd, s) : 0;
}

/* ---- evaluate ------------------------------------------------------------ */

static void help_evaluate(void)
{
    printf("usage: winnow evaluate MODEL DATA [-o REPORT.html] [options]\n\n"
           "Writes the run report of a model from 'winnow train' on labelled DATA (.csv\n"
           ".tsv .txt .dat .data .npy) as held-out rows: one self-contained HTML file\n"
           "(inline SVG plots, no scripts, no network) with the verdicts of the checks,\n"
           "ROC curve and TMVA's efficiency table, classifier output per class, feature\n"
           "importance (gain, permutation, SHAP), the leak check, calibration, input\n"
           "distributions and correlations, learning curves and the model's manifest.\n"
           "DATA needs the model's label column (and its weight column, if any, to be\n"
           "weighted).\n\n"
           "options:\n"
           "  -o, --output FILE    the report (default: DATA with its extension replaced\n"
           "                       by .report.html)\n"
           "  --title TEXT         the report's title\n"
           "  --max-features N     features in the per-feature panels (default 8)\n"
           "  --max-rows N         rows sampled for SHAP and permutation importance\n"
           "                       (default 20000)\n"
           "  --seed S             seed of the row sample and shuffles (default 42)\n"
           "  --threads N          threads (default: all)\n"
           "  --delimiter C, --header, --no-header, --comment C, --missing LIST,\n"
           "  --strings LIST       CSV reading, as for 'winnow info'\n"
           "  -h, --help           this help\n\n"
           "exit codes: 0 ok, 1 I/O error, 2 bad option, 3 bad data (no label column,\n"
           "missing feature, corrupt model), 4 out of memory\n\n"
           "example: winnow evaluate higgs.wnm test.csv -o higgs-test.report.html\n");
}

enum { O_TITLE = 256, O_MAXF, O_MAXR, O_SEED, O_ID };

int cmd_evaluate(int argc, char **argv)
{
    const char *cmd = "evaluate";
    wn_csv_options csv;
    wn_csv_options_default(&csv);
    wn_report_options ro;
    wn_report_options_default(&ro);
    const char *out = NULL;
    char *def = NULL;
    wn_model *m = NULL;
    wn_table *t = NULL;
    int rc = 0;
    long long iv;
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"title", required_argument, 0, O_TITLE},
                                             {"max-features", required_argument, 0, O_MAXF},
                                             {"max-rows", required_argument, 0, O_MAXR},
                                             {"seed", required_argument, 0, O_SEED},
                                             CLI_CSV_LONGOPTS,
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'h': help_evaluate(); return WN_EXIT_OK;
        case 'o': out = optarg; break;
        case O_TITLE: ro.title = optarg; break;
        case O_MAXF:
            if (cli_parse_i64(cmd, "--max-features", optarg, 1, 1000, &iv))
                return WN_EXIT_USAGE;
            ro.max_features = (int)iv;
            break;
        case O_MAXR:
            if (cli_parse_i64(cmd, "--max-rows", optarg, 100, INT64_MAX, &iv))
                return WN_EXIT_USAGE;
            ro.max_rows = (int64_t)iv;
            break;
        case O_SEED:
            if (cli_parse_i64(cmd, "--seed", optarg, 0, INT64_MAX, &iv))
                return WN_EXIT_USAGE;
            ro.seed = (uint64_t)iv;
            break;
        case ':': return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        default: {
            int r = cli_csv_option(cmd, o, optarg, argv[optind - 1], &csv);
            if (r)
                return r;
            if (o == 't')
                ro.threads = csv.threads;
        }
        }
    }
    if (argc - optind < 2)
        return cli_usage_error(cmd, "needs MODEL and DATA");
    if (argc - optind > 2)
        return cli_usage_error(cmd, "one MODEL and one DATA file (got '%s' too)", argv[optind + 2]);
    const char *mpath = argv[optind], *dpath = argv[optind + 1];
    if (!out) {
        if (!(def = cli_report_path(dpath))) {
            fprintf(stderr, "winnow %s: out of memory\n", cmd);
            return WN_EXIT_NOMEM;
        }
        out = def;
    }
    if ((rc = load_both(cmd, mpath, dpath, &csv, &m, &t)))
        goto done;
    int64_t c;
    const char *label = wn_model_label_name(m);
    if (wn_table_find(t, label, &c) != WN_OK) {
        fprintf(stderr,
                "winnow %s: %s has no column '%s', the model's label: evaluate needs labelled "
                "data (use 'winnow predict' for unlabelled data)\n",
                cmd, dpath, label);
        rc = WN_EXIT_DATA;
        goto done;
    }
    wn_status s = wn_gbdt_report(m, NULL, t, &ro, out);
    if (s) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    printf("evaluated %s on %lld rows of %s\nreport: %s\n", mpath, (long long)wn_table_nrows(t),
           dpath, out);
done:
    wn_table_free(t);
    wn_model_free(m);
    free(def);
    return rc;
}

/* ---- explain ------------------------------------------------------------- */

static void help_explain(void)
{
    printf("usage: winnow explain MODEL DATA -o OUT(.csv|.npy) [options]\n\n"
           "Writes the SHAP values (exact TreeSHAP) of every row of DATA: one column\n"
           "shap_<feature> per model feature and shap_expected (the expected value), so\n"
           "that each row's columns sum to its raw score ('winnow predict --raw'; float32\n"
           "rounding aside). Multiclass models get one such block per class, the names\n"
           "suffixed _0, _1, ... Columns are float32; with --id the id column comes first.\n\n"
           "options:\n"
           "  -o, --output OUT     output file, .csv or .npy (required)\n"
           "  --id COL             copy COL into the output as its first column\n"
           "  --threads N          threads (default: all)\n"
           "  --delimiter C, --header, --no-header, --comment C, --missing LIST,\n"
           "  --strings LIST       CSV reading, as for 'winnow info'\n"
           "  -h, --help           this help\n\n"
           "exit codes: 0 ok, 1 I/O error, 2 bad option, 3 bad data (missing feature or\n"
           "--id column, corrupt model), 4 out of memory\n\n"
           "example: winnow explain higgs.wnm test.csv --id event -o shap.csv\n");
}

int cmd_explain(int argc, char **argv)
{
    const char *cmd = "explain";
    wn_csv_options csv;
    wn_csv_options_default(&csv);
    const char *out = NULL, *id = NULL;
    wn_model *m = NULL;
    wn_table *t = NULL, *res = NULL;
    double *shap = NULL;
    float *col = NULL;
    char *name = NULL;
    int rc = 0;
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"id", required_argument, 0, O_ID},
                                             CLI_CSV_LONGOPTS,
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'h': help_explain(); return WN_EXIT_OK;
        case 'o': out = optarg; break;
        case O_ID: id = optarg; break;
        case ':': return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        default: {
            int r = cli_csv_option(cmd, o, optarg, argv[optind - 1], &csv);
            if (r)
                return r;
        }
        }
    }
    if (argc - optind < 2)
        return cli_usage_error(cmd, "needs MODEL and DATA");
    if (argc - optind > 2)
        return cli_usage_error(cmd, "one MODEL and one DATA file (got '%s' too)", argv[optind + 2]);
    if (!out)
        return cli_usage_error(cmd, "missing -o OUT");
    if (!has_ext(out, ".csv") && !has_ext(out, ".npy"))
        return cli_usage_error(cmd, "OUT must end in .csv or .npy, got '%s'", out);
    const char *mpath = argv[optind], *dpath = argv[optind + 1];
    if ((rc = load_both(cmd, mpath, dpath, &csv, &m, &t)))
        goto done;
    wn_status s;
    int64_t idc = -1;
    if (id && (s = wn_table_find(t, id, &idc)) != WN_OK) {
        fprintf(stderr, "winnow %s: --id: %s\n", cmd, wn_errmsg());
        rc = cli_exit_code(s);
        goto done;
    }
    int64_t nr = wn_table_nrows(t), nf = wn_model_num_features(m);
    int k = wn_model_num_outputs(m);
    size_t per = (size_t)k * (size_t)(nf + 1);
    if (k < 1 || (uint64_t)nr > SIZE_MAX / sizeof(double) / per) {
        fprintf(stderr, "winnow %s: %lld rows x %zu SHAP values is too large\n", cmd, (long long)nr,
                per);
        rc = WN_EXIT_NOMEM;
        goto done;
    }
    shap = malloc((size_t)nr * per * sizeof *shap + 1);
    col = malloc((size_t)nr * sizeof *col + 1);
    name = malloc(WN_MAX_NAME + 64);
    if (!shap || !col || !name)
        goto oom;
    if ((s = wn_gbdt_shap(m, t, csv.threads, shap)) != WN_OK) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    if ((rc = cli_output_table(cmd, t, idc, col, &res)))
        goto done;
    for (int j = 0; j < k; j++)
        for (int64_t f = 0; f <= nf; f++) {
            const char *fn = f < nf ? wn_model_feature_name(m, f) : "expected";
            if (k == 1)
                snprintf(name, WN_MAX_NAME + 64, "shap_%s", fn);
            else
                snprintf(name, WN_MAX_NAME + 64, "shap_%s_%d", fn, j);
            for (int64_t r = 0; r < nr; r++)
                col[r] =
                    (float)shap[((size_t)r * (size_t)k + (size_t)j) * (size_t)(nf + 1) + (size_t)f];
            if ((s = wn_table_add_column(res, name, col)) != WN_OK) {
                rc = cli_fail(cmd, s);
                goto done;
            }
        }
    if ((s = wn_table_write(res, out)) != WN_OK) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    printf("explained %lld rows (%lld features%s) -> %s\n", (long long)nr, (long long)nf,
           k > 1 ? ", one block per class" : "", out);
    goto done;
oom:
    fprintf(stderr, "winnow %s: out of memory\n", cmd);
    rc = WN_EXIT_NOMEM;
done:
    free(name);
    free(col);
    free(shap);
    wn_table_free(res);
    wn_table_free(t);
    wn_model_free(m);
    return rc;
}
