/* cmd_predict.c — `winnow predict MODEL DATA -o OUT`: apply a trained model.
 *
 * Features are matched by name (wn_gbdt_predict), so the columns of DATA may
 * come in any order; missing features are an error naming them, and columns
 * the model does not use are named in one note (an error with
 * --strict-columns), because a silently ignored column is usually a renamed
 * feature. The output is a table written atomically: the --id column first,
 * then the prediction(s). */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void help(void)
{
    printf("usage: winnow predict MODEL DATA -o OUT(.csv|.npy) [options]\n\n"
           "Applies a model from 'winnow train' to every row of DATA (.csv .tsv .txt .dat\n"
           ".data .npy). Features are found by name; the output (written atomically)\n"
           "has the --id column first, then 'prediction' (binary: P(label = 1);\n"
           "regression: the value) or p0..p{K-1} (multiclass: class probabilities).\n"
           "A k-fold model predicts each row with the fold model that did not see it\n"
           "when DATA has the fold-by column, else with the mean of the folds' scores.\n"
           "An ensemble (train --ensemble K) gives the mean over its K bagged models and\n"
           "adds prediction_std (multiclass: p0_std ..): the standard deviation across\n"
           "them, each event's own uncertainty.\n\n"
           "options:\n"
           "  -o, --output OUT     output file, .csv or .npy (required)\n"
           "  --id COL             copy COL into the output as its first column\n"
           "  --raw                raw scores (log-odds; multiclass: raw0..raw{K-1})\n"
           "                       instead of probabilities\n"
           "  --strict-columns     columns of DATA the model does not use are an error\n"
           "                       (default: a note)\n"
           "  --threads N          threads for reading and predicting (default: all)\n"
           "  --delimiter C, --header, --no-header, --comment C, --missing LIST,\n"
           "  --strings LIST       CSV reading, as for 'winnow info'\n"
           "  -h, --help           this help\n\n"
           "exit codes: 0 ok, 1 I/O error, 2 bad option, 3 bad data (missing feature,\n"
           "corrupt model, unused columns with --strict-columns), 4 out of memory\n\n"
           "example: winnow predict higgs.wnm test.csv --id event -o scores.csv\n");
}

enum { O_ID = 256, O_RAW, O_STRICT };

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int has_ext(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n > e && !strcmp(path + n - e, ext);
}

/* The columns of t that the model does not read: not a feature, not the
 * model's label or fold-by column, not the --id column. Writes their count
 * and a comma-separated list of (at most the first 20) names to buf. */
static int64_t unused_columns(const wn_model *m, const wn_table *t, const char *id, char *buf,
                              size_t bufsize, int *nomem)
{
    int64_t nf = wn_model_num_features(m), nc = wn_table_ncols(t), count = 0;
    const char **names = malloc(((size_t)nf + 1) * sizeof *names);
    buf[0] = 0;
    if (!names) {
        *nomem = 1;
        return 0;
    }
    for (int64_t i = 0; i < nf; i++)
        names[i] = wn_model_feature_name(m, i);
    qsort(names, (size_t)nf, sizeof *names, cmp_str);
    const char *label = wn_model_label_name(m), *fold_by = wn_model_fold_by(m);
    const char *weight = wn_model_weight_name(m);
    size_t off = 0;
    for (int64_t c = 0; c < nc; c++) {
        const char *name = wn_table_name(t, c);
        if (bsearch(&name, names, (size_t)nf, sizeof *names, cmp_str))
            continue;
        if ((label && !strcmp(name, label)) || (fold_by && !strcmp(name, fold_by)) ||
            (weight && !strcmp(name, weight)) ||
            (id && !strcmp(name, id)))
            continue;
        if (count < 20 && off < bufsize) {
            int k = snprintf(buf + off, bufsize - off, "%s%s", count ? ", " : "", name);
            off = k < 0 ? bufsize : off + (size_t)k;
        } else if (count == 20 && off < bufsize) {
            int k = snprintf(buf + off, bufsize - off, ", ...");
            off = k < 0 ? bufsize : off + (size_t)k;
        }
        count++;
    }
    free(names);
    return count;
}

int cmd_predict(int argc, char **argv)
{
    const char *cmd = "predict";
    wn_csv_options csv;
    wn_csv_options_default(&csv);
    const char *out = NULL, *id = NULL;
    int raw = 0, strict = 0, rc = 0;
    wn_model *m = NULL;
    wn_table *t = NULL, *res = NULL;
    double *pred = NULL, *mem = NULL;
    float *col = NULL;
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"id", required_argument, 0, O_ID},
                                             {"raw", no_argument, 0, O_RAW},
                                             {"strict-columns", no_argument, 0, O_STRICT},
                                             CLI_CSV_LONGOPTS,
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'h': help(); return WN_EXIT_OK;
        case 'o': out = optarg; break;
        case O_ID: id = optarg; break;
        case O_RAW: raw = 1; break;
        case O_STRICT: strict = 1; break;
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

    wn_status s = wn_model_load(mpath, &m);
    if (s)
        return cli_fail(cmd, s);
    cli_progress prog;
    csv.progress = cli_progress_make(&prog, "bytes");
    s = wn_table_read(dpath, &csv, &t);
    cli_progress_done(&prog);
    if (s) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    int64_t idc = -1;
    if (id && (s = wn_table_find(t, id, &idc)) != WN_OK) {
        fprintf(stderr, "winnow %s: --id: %s\n", cmd, wn_errmsg());
        rc = cli_exit_code(s);
        goto done;
    }

    char list[2048];
    int nomem = 0;
    int64_t nunused = unused_columns(m, t, id, list, sizeof list, &nomem);
    if (nomem)
        goto oom;
    if (nunused && strict) {
        fprintf(stderr,
                "winnow %s: %s has %lld column%s the model does not use: %s (--strict-columns)\n",
                cmd, dpath, (long long)nunused, nunused == 1 ? "" : "s", list);
        rc = WN_EXIT_DATA;
        goto done;
    }
    if (nunused)
        fprintf(stderr, "winnow %s: note: ignoring %lld column%s the model does not use: %s\n", cmd,
                (long long)nunused, nunused == 1 ? "" : "s", list);

    int64_t nr = wn_table_nrows(t);
    int k = wn_model_num_outputs(m);
    if (k < 1 || (uint64_t)nr > SIZE_MAX / sizeof(double) / (uint64_t)k) {
        fprintf(stderr, "winnow %s: %lld rows x %d outputs is too large\n", cmd, (long long)nr, k);
        rc = WN_EXIT_NOMEM;
        goto done;
    }
    pred = malloc((size_t)nr * (size_t)k * sizeof *pred + 1);
    col = malloc((size_t)nr * sizeof *col + 1);
    if (!pred || !col)
        goto oom;
    double t0 = cli_now();
    s = wn_gbdt_predict(m, t, raw ? WN_PREDICT_RAW : WN_PREDICT_VALUE, csv.threads, pred);
    double secs = cli_now() - t0;
    if (s) {
        rc = cli_fail(cmd, s);
        goto done;
    }

    if ((rc = cli_output_table(cmd, t, idc, col, &res)))
        goto done;
    for (int j = 0; j < k; j++) {
        char name[32];
        if (k == 1)
            snprintf(name, sizeof name, "prediction");
        else
            snprintf(name, sizeof name, "%s%d", raw ? "raw" : "p", j);
        for (int64_t r = 0; r < nr; r++)
            col[r] = (float)pred[r * k + j];
        if ((s = wn_table_add_column(res, name, col)) != WN_OK) {
            rc = cli_fail(cmd, s);
            goto done;
        }
    }
    /* an ensemble: each output's standard deviation across the members */
    int ens = wn_model_ensemble_size(m);
    if (ens > 1 && !raw) {
        if ((uint64_t)nr > SIZE_MAX / sizeof(double) / (uint64_t)k / (uint64_t)ens ||
            !(mem = malloc((size_t)nr * (size_t)k * (size_t)ens * sizeof *mem + 1)))
            goto oom;
        if ((s = wn_gbdt_predict_members(m, t, csv.threads, mem)) != WN_OK) {
            rc = cli_fail(cmd, s);
            goto done;
        }
        for (int j = 0; j < k; j++) {
            char name[40];
            snprintf(name, sizeof name, k == 1 ? "prediction_std" : "p%d_std", j);
            for (int64_t r = 0; r < nr; r++) {
                double mu = pred[r * k + j], ss = 0;
                for (int e = 0; e < ens; e++) {
                    double d = mem[((int64_t)e * nr + r) * k + j] - mu;
                    ss += d * d;
                }
                col[r] = (float)sqrt(ss / (ens - 1));
            }
            if ((s = wn_table_add_column(res, name, col)) != WN_OK) {
                rc = cli_fail(cmd, s);
                goto done;
            }
        }
    }
    if ((s = wn_table_write(res, out)) != WN_OK) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    printf("predicted %lld rows (%s%s) in %.3f s (%.0f rows/s) -> %s\n", (long long)nr,
           wn_objective_name(wn_model_objective(m)), raw ? ", raw scores" : "", secs,
           secs > 0 ? (double)nr / secs : 0.0, out);
    goto done;

oom:
    fprintf(stderr, "winnow %s: out of memory\n", cmd);
    rc = WN_EXIT_NOMEM;
done:
    free(mem);
    free(col);
    free(pred);
    wn_table_free(res);
    wn_table_free(t);
    wn_model_free(m);
    return rc;
}
