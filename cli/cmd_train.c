/* cmd_train.c — `winnow train DATA --label COL -o MODEL`: gradient-boosted
 * decision trees (docs/gbdt.md) from a CSV or .npy file.
 *
 * The trainer is libwinnow's (wn_gbdt_train); this file turns options into
 * column roles and wn_gbdt_params, reads the data, trains, saves atomically
 * and prints a summary from the model's own metric history. Every named
 * option is a shortcut for a `--param key=value`, applied in command-line
 * order through wn_gbdt_params_set, so the two spellings cannot disagree. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void help(void)
{
    printf("usage: winnow train DATA --label COL -o MODEL [options]\n\n"
           "Trains gradient-boosted decision trees (histogram GBDT) on DATA (.csv .tsv\n"
           ".txt .dat .data .npy). Every column is a feature except the label, the weight,\n"
           "id and fold-by columns and those named by --ignore. The model file is written\n"
           "atomically; the same data, parameters and seed give the same bits at any\n"
           "thread count.\n\n"
           "options:\n"
           "  --label COL            the label column (required): 0/1 for binary, 0..K-1 for\n"
           "                         multiclass, real values for regression\n"
           "  -o, --output MODEL     the model file to write (required)\n"
           "  --weight COL           event weights (negative ones allowed, except with l1)\n"
           "  --id COL               an identifier column, kept out of the features\n"
           "  --ignore COL[,COL..]   columns kept out of the features (repeatable)\n"
           "  --objective NAME       binary (default), multiclass, l2, l1, huber\n"
           "  --metric NAME          validation / early-stopping metric: logloss, auc,\n"
           "                         error, mlogloss, rmse, mae, huber (default: the\n"
           "                         objective's own)\n"
           "  --rounds N             boosting rounds (default 100)\n"
           "  --learning-rate X      shrinkage (default 0.1)\n"
           "  --leaves N             leaves per tree, 2..65536 (default 31)\n"
           "  --num-class K          multiclass: number of classes (default: from labels)\n"
           "  --valid FRAC|FILE      validation: a fraction in (0, 1) of DATA held out at\n"
           "                         random, or a file with the same columns\n"
           "  --early-stopping N     stop when the validation metric has not improved for\n"
           "                         N rounds; keep the best round (needs --valid)\n"
           "  --folds K --fold-by COL  k-fold: K models, row r goes to fold COL[r] mod K;\n"
           "                         one model file holds them all\n"
           "  --ensemble K           K bagged models (2..100), each on a bootstrap resample:\n"
           "                         the trust summary gives the spread of their AUC and\n"
           "                         predict writes each event's mean and standard deviation\n"
           "  --monotone COL=+1,COL=-1  the prediction may only rise (+1) / fall (-1)\n"
           "                         with COL (repeatable)\n"
           "  --class-weight W0,W1.. factors multiplying the weights of each class\n"
           "  --seed S               random seed (default 42)\n"
           "  --threads N            threads for reading and training (default: all)\n"
           "  --decoy                also run the decoy test: retrain with a shuffled copy\n"
           "                         of the top feature and a noise column and check that\n"
           "                         both stay unimportant (costs one more training)\n"
           "  --no-report            do not write the HTML run report (by default MODEL\n"
           "                         with its extension replaced by .report.html)\n"
           "  --param KEY=VALUE      any training parameter (repeatable): num_leaves,\n"
           "                         max_depth, min_data_in_leaf, min_sum_hessian,\n"
           "                         lambda_l1, lambda_l2, min_split_gain, row_subsample,\n"
           "                         col_subsample, max_bins, bin_sample_rows, huber_delta,\n"
           "                         learning_rate (eta), rounds, ... (docs/gbdt.md)\n"
           "  --delimiter C, --header, --no-header, --comment C, --missing LIST,\n"
           "  --strings LIST         CSV reading, as for 'winnow info'\n"
           "  -h, --help             this help\n\n"
           "exit codes: 0 ok, 1 I/O error, 2 bad option or parameter, 3 bad data,\n"
           "4 out of memory\n\n"
           "example: winnow train higgs.csv --label label --valid 0.2 --early-stopping 20 \\\n"
           "             --rounds 1000 -o higgs.wnm\n");
}

enum {
    O_LABEL = 256,
    O_WEIGHT,
    O_ID,
    O_IGNORE,
    O_VALID,
    O_FOLDS,
    O_FOLD_BY,
    O_OBJECTIVE,
    O_METRIC,
    O_ROUNDS,
    O_LR,
    O_LEAVES,
    O_NUM_CLASS,
    O_EARLY,
    O_SEED,
    O_PARAM,
    O_MONOTONE,
    O_CLASS_WEIGHT,
    O_NO_REPORT,
    O_DECOY,
    O_ENSEMBLE
};

/* Applies one --param KEY=VALUE. */
static int apply_param(const char *cmd, wn_gbdt_params *p, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv)
        return cli_usage_error(cmd, "--param takes KEY=VALUE, got '%s'", kv);
    size_t klen = (size_t)(eq - kv);
    char key[128];
    if (klen >= sizeof key)
        return cli_usage_error(cmd, "--param: key too long in '%s'", kv);
    memcpy(key, kv, klen);
    key[klen] = 0;
    wn_status s = wn_gbdt_params_set(p, key, eq + 1);
    return s ? cli_fail(cmd, s) : 0;
}

static int apply_named(const char *cmd, wn_gbdt_params *p, const char *key, const char *value)
{
    wn_status s = wn_gbdt_params_set(p, key, value);
    return s ? cli_fail(cmd, s) : 0;
}

/* Prints "winnow train: WHERE: <wn_errmsg()>" and returns the exit code. */
static int fail_at(const char *cmd, const char *where, wn_status s)
{
    fprintf(stderr, "winnow %s: %s: %s\n", cmd, where, wn_errmsg());
    return cli_exit_code(s);
}

/* The column roles, applied by name to the training table and (for all but
 * --monotone) to the validation table. */
typedef struct roles {
    const char *label, *weight, *id, *fold_by;
    const char **ignore; /* comma lists, as typed */
    int nignore;
} roles;

/* Sets one role by name. `required`: a missing column is an error, else
 * skipped. Returns 0 or an exit code (message printed). */
static int set_role(const char *cmd, wn_table *t, const char *path, const char *name, wn_role r,
                    const char *opt, int required)
{
    int64_t c;
    wn_status s = wn_table_find(t, name, &c);
    if (s == WN_ENOTFOUND && !required)
        return 0;
    if (s) {
        char where[4200];
        snprintf(where, sizeof where, "%s: %s", path, opt);
        return fail_at(cmd, where, s);
    }
    if (wn_table_role(t, c) != WN_ROLE_FEATURE && wn_table_role(t, c) != r)
        return cli_usage_error(cmd, "%s: column '%s' is already the %s column", opt, name,
                               wn_role_name(wn_table_role(t, c)));
    s = wn_table_set_role(t, c, r);
    return s ? cli_fail(cmd, s) : 0;
}

static int apply_roles(const char *cmd, wn_table *t, const char *path, const roles *ro,
                       int is_valid)
{
    int rc;
    /* Everything starts as a feature: a .npy or CSV file carries no roles,
     * but a table could in principle, so reset them. */
    for (int64_t c = 0; c < wn_table_ncols(t); c++)
        if (wn_table_role(t, c) != WN_ROLE_FEATURE &&
            (rc = wn_table_set_role(t, c, WN_ROLE_FEATURE)) != 0)
            return cli_fail(cmd, (wn_status)rc);
    if ((rc = set_role(cmd, t, path, ro->label, WN_ROLE_LABEL, "--label", 1)))
        return rc;
    if (ro->weight && (rc = set_role(cmd, t, path, ro->weight, WN_ROLE_WEIGHT, "--weight", 1)))
        return rc;
    if (ro->id && (rc = set_role(cmd, t, path, ro->id, WN_ROLE_ID, "--id", !is_valid)))
        return rc;
    if (ro->fold_by &&
        (rc = set_role(cmd, t, path, ro->fold_by, WN_ROLE_ID, "--fold-by", !is_valid)))
        return rc;
    for (int i = 0; i < ro->nignore; i++) {
        char *list = strdup(ro->ignore[i]), *save = NULL;
        if (!list) {
            fprintf(stderr, "winnow %s: out of memory\n", cmd);
            return WN_EXIT_NOMEM;
        }
        for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if ((rc = set_role(cmd, t, path, tok, WN_ROLE_IGNORED, "--ignore", !is_valid))) {
                free(list);
                return rc;
            }
        }
        free(list);
    }
    return 0;
}

/* --monotone COL=+1,COL=-1 (repeatable) → one int8 per feature, feature
 * order being the table order of the WN_ROLE_FEATURE columns. */
static int build_monotone(const char *cmd, const wn_table *t, const char **specs, int nspecs,
                          int8_t **out, int64_t *nout)
{
    int64_t nc = wn_table_ncols(t), nf = 0;
    for (int64_t c = 0; c < nc; c++)
        nf += wn_table_role(t, c) == WN_ROLE_FEATURE;
    int8_t *m = calloc((size_t)nf + 1, 1);
    if (!m) {
        fprintf(stderr, "winnow %s: out of memory\n", cmd);
        return WN_EXIT_NOMEM;
    }
    for (int i = 0; i < nspecs; i++) {
        char *list = strdup(specs[i]), *save = NULL;
        if (!list) {
            free(m);
            fprintf(stderr, "winnow %s: out of memory\n", cmd);
            return WN_EXIT_NOMEM;
        }
        for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *eq = strrchr(tok, '=');
            int rc = 0;
            if (!eq || eq == tok) {
                rc = cli_usage_error(cmd, "--monotone takes COL=+1 or COL=-1, got '%s'", tok);
            } else {
                *eq = 0;
                const char *v = eq + 1;
                int dir = !strcmp(v, "+1") || !strcmp(v, "1")   ? 1
                          : !strcmp(v, "-1")                    ? -1
                          : !strcmp(v, "0") || !strcmp(v, "+0") ? 0
                                                                : 2;
                int64_t c;
                wn_status s;
                if (dir == 2) {
                    rc = cli_usage_error(
                        cmd, "--monotone %s: the direction must be +1, -1 or 0, got '%s'", tok, v);
                } else if ((s = wn_table_find(t, tok, &c)) != WN_OK) {
                    rc = fail_at(cmd, "--monotone", s);
                } else if (wn_table_role(t, c) != WN_ROLE_FEATURE) {
                    rc = cli_usage_error(cmd,
                                         "--monotone: '%s' is not a feature (it is the %s column)",
                                         tok, wn_role_name(wn_table_role(t, c)));
                } else {
                    int64_t f = 0;
                    for (int64_t k = 0; k < c; k++)
                        f += wn_table_role(t, k) == WN_ROLE_FEATURE;
                    m[f] = (int8_t)dir;
                }
            }
            if (rc) {
                free(list);
                free(m);
                return rc;
            }
        }
        free(list);
    }
    *out = m;
    *nout = nf;
    return 0;
}

/* --class-weight 1,3.5 → doubles. */
static int parse_class_weights(const char *cmd, const char *s, double **out, int *n)
{
    size_t k = 1;
    for (const char *q = s; *q; q++)
        k += *q == ',';
    if (k > WN_GBDT_MAX_CLASSES)
        return cli_usage_error(cmd, "--class-weight: more than %d values", WN_GBDT_MAX_CLASSES);
    double *w = malloc(k * sizeof *w);
    if (!w) {
        fprintf(stderr, "winnow %s: out of memory\n", cmd);
        return WN_EXIT_NOMEM;
    }
    const char *q = s;
    for (size_t i = 0; i < k; i++) {
        char *end;
        errno = 0;
        w[i] = strtod(q, &end);
        if (errno || end == q || (*end && *end != ',') || !isfinite(w[i])) {
            free(w);
            return cli_usage_error(cmd, "--class-weight takes comma-separated numbers, got '%s'",
                                   s);
        }
        q = *end ? end + 1 : end;
    }
    *out = w;
    *n = (int)k;
    return 0;
}

/* Fails early, before an hour of training, when MODEL's folder is missing. */
static int check_out_dir(const char *cmd, const char *out)
{
    const char *slash = strrchr(out, '/');
    if (!slash)
        return 0;
    size_t n = slash == out ? 1 : (size_t)(slash - out);
    char *dir = malloc(n + 1);
    if (!dir)
        return 0;
    memcpy(dir, out, n);
    dir[n] = 0;
    struct stat sb;
    int rc = 0;
    if (stat(dir, &sb) != 0) {
        fprintf(stderr, "winnow %s: cannot write '%s': %s: %s\n", cmd, out, dir, strerror(errno));
        rc = WN_EXIT_ERROR;
    } else if (!S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "winnow %s: cannot write '%s': %s is not a folder\n", cmd, out, dir);
        rc = WN_EXIT_ERROR;
    }
    free(dir);
    return rc;
}

/* The last non-NaN entry of h[0..n-1] (the training metric is evaluated
 * every 10th round and at the last one). */
static int64_t last_finite(const double *h, int64_t n)
{
    for (int64_t i = n - 1; i >= 0; i--)
        if (!isnan(h[i]))
            return i;
    return -1;
}

/* The summary on stdout: one header line, then per fold the rounds, the last
 * evaluated training metric, the final validation metric and the best
 * iteration (1-based, as people count rounds). */
static void print_summary(const wn_model *m, int has_valid, double secs, const char *out)
{
    int nf = wn_model_num_folds(m);
    printf("trained %s GBDT: %lld features, label '%s', in %.2f s -> %s\n",
           wn_objective_name(wn_model_objective(m)), (long long)wn_model_num_features(m),
           wn_model_label_name(m), secs, out);
    int bag = wn_model_ensemble_size(m) > 1;
    if (bag)
        printf("%d bagged models (--ensemble), each on a bootstrap resample\n", nf);
    else if (nf > 1)
        printf("%d folds by '%s'\n", nf, wn_model_fold_by(m));
    const char *ind = nf > 1 ? "    " : "  ";
    for (int f = 0; f < nf; f++) {
        wn_metric met = WN_METRIC_DEFAULT;
        const double *tr = NULL, *va = NULL;
        int64_t n = 0, kept = wn_model_num_rounds(m, f);
        if (nf > 1)
            printf("  %s %d:\n", bag ? "member" : "fold", f);
        if (wn_model_history(m, f, &met, &tr, &va, &n) != WN_OK) {
            printf("%srounds: %lld\n", ind, (long long)kept);
            continue;
        }
        const char *mn = wn_metric_name(met);
        printf("%srounds: %lld trained", ind, (long long)n);
        if (kept != n)
            printf(", %lld kept (early stopping)", (long long)kept);
        printf("\n");
        int64_t lt = tr ? last_finite(tr, n) : -1;
        if (lt >= 0)
            printf("%strain %s: %.6g (round %lld)\n", ind, mn, tr[lt], (long long)lt + 1);
        if (va && n > 0) {
            int hb = wn_metric_higher_better(met);
            int64_t best = -1;
            for (int64_t i = 0; i < n; i++)
                if (!isnan(va[i]) && (best < 0 || (hb ? va[i] > va[best] : va[i] < va[best])))
                    best = i;
            printf("%svalid %s: %.6g (round %lld)", ind, mn, va[n - 1], (long long)n);
            if (best >= 0)
                printf("; best %.6g at iteration %lld", va[best], (long long)best + 1);
            printf("\n");
        } else if (has_valid) {
            printf("%svalid: no metric recorded\n", ind);
        }
    }
}

/* The run report beside MODEL (higgs.wnm -> higgs.report.html): training
 * rows vs held-out rows as the training saw them — the validation file; the
 * two sides of wn_gbdt_holdout_mask with --valid FRAC; with k folds every
 * row is held out once (out-of-fold predictions), so all rows are the test
 * and there is no separate training sample. */
static int write_report(const char *cmd, const wn_model *m, const wn_table *t, const wn_table *v,
                        const wn_gbdt_params *p, const wn_decoy_result *decoy, const char *out)
{
    char *path = cli_report_path(out);
    wn_table *trv = NULL, *tev = NULL;
    const wn_table *train = t, *test = v;
    uint8_t *mask = NULL;
    int64_t *rows = NULL;
    int rc = 0;
    wn_status s = WN_OK;
    if (!path)
        goto oom;
    if (!v && p->folds > 1) {
        train = NULL;
        test = t;
    } else if (!v && p->valid_fraction > 0) {
        int64_t n = wn_table_nrows(t), n1 = 0;
        mask = malloc((size_t)n + 1);
        rows = malloc(((size_t)n + 1) * sizeof *rows);
        if (!mask || !rows)
            goto oom;
        if ((s = wn_gbdt_holdout_mask(p, n, mask)) != WN_OK)
            goto fail;
        for (int64_t r = 0; r < n; r++)
            n1 += mask[r] != 0;
        for (int side = 0; side < 2; side++) {
            int64_t k = 0;
            for (int64_t r = 0; r < n; r++)
                if ((mask[r] != 0) == side)
                    rows[k++] = r;
            if ((s = wn_table_view_rows(t, rows, side ? n1 : n - n1, side ? &tev : &trv)) != WN_OK)
                goto fail;
        }
        train = trv;
        test = tev;
    }
    wn_report_options o;
    wn_report_options_default(&o);
    o.threads = p->threads;
    o.decoy = decoy;
    const char *base = strrchr(out, '/');
    char title[4200];
    snprintf(title, sizeof title, "winnow report: %s", base ? base + 1 : out);
    o.title = title;
    s = wn_gbdt_report(m, train, test, &o, path);
    if (s)
        goto fail;
    printf("\nreport: %s\n", path);
    goto done;
fail:
    fprintf(stderr, "winnow %s: report: %s\n", cmd, wn_errmsg());
    rc = cli_exit_code(s);
    goto done;
oom:
    fprintf(stderr, "winnow %s: report: out of memory\n", cmd);
    rc = WN_EXIT_NOMEM;
done:
    wn_table_free(trv);
    wn_table_free(tev);
    free(mask);
    free(rows);
    free(path);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    const char *cmd = "train";
    wn_csv_options csv;
    wn_csv_options_default(&csv);
    wn_gbdt_params p;
    wn_gbdt_params_default(&p);
    roles ro = {0};
    const char *out = NULL, *valid_file = NULL, *class_weight = NULL;
    const char **ignore = NULL, **monotone = NULL;
    int nmonotone = 0, no_report = 0, decoy = 0;
    char *cmdline = NULL;
    wn_table *t = NULL, *v = NULL;
    wn_model *m = NULL;
    int8_t *mono = NULL;
    double *cw = NULL;
    int rc = 0;
    static const struct option longopts[] = {{"label", required_argument, 0, O_LABEL},
                                             {"weight", required_argument, 0, O_WEIGHT},
                                             {"id", required_argument, 0, O_ID},
                                             {"ignore", required_argument, 0, O_IGNORE},
                                             {"valid", required_argument, 0, O_VALID},
                                             {"folds", required_argument, 0, O_FOLDS},
                                             {"fold-by", required_argument, 0, O_FOLD_BY},
                                             {"objective", required_argument, 0, O_OBJECTIVE},
                                             {"metric", required_argument, 0, O_METRIC},
                                             {"rounds", required_argument, 0, O_ROUNDS},
                                             {"learning-rate", required_argument, 0, O_LR},
                                             {"leaves", required_argument, 0, O_LEAVES},
                                             {"num-class", required_argument, 0, O_NUM_CLASS},
                                             {"early-stopping", required_argument, 0, O_EARLY},
                                             {"seed", required_argument, 0, O_SEED},
                                             {"param", required_argument, 0, O_PARAM},
                                             {"monotone", required_argument, 0, O_MONOTONE},
                                             {"class-weight", required_argument, 0, O_CLASS_WEIGHT},
                                             {"no-report", no_argument, 0, O_NO_REPORT},
                                             {"decoy", no_argument, 0, O_DECOY},
                                             {"ensemble", required_argument, 0, O_ENSEMBLE},
                                             {"output", required_argument, 0, 'o'},
                                             CLI_CSV_LONGOPTS,
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};

    /* Room for every repeatable option, whatever the mix. */
    ignore = calloc((size_t)argc + 1, sizeof *ignore);
    monotone = calloc((size_t)argc + 1, sizeof *monotone);
    cmdline = cli_join_argv(argc, argv);
    if (!ignore || !monotone || !cmdline) {
        fprintf(stderr, "winnow %s: out of memory\n", cmd);
        rc = WN_EXIT_NOMEM;
        goto done;
    }
    ro.ignore = ignore;
    p.command_line = cmdline;

    optind = 1;
    opterr = 0;
    int o;
    long long iv;
    while ((o = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'h': help(); goto done;
        case 'o': out = optarg; break;
        case O_LABEL: ro.label = optarg; break;
        case O_WEIGHT: ro.weight = optarg; break;
        case O_ID: ro.id = optarg; break;
        case O_FOLD_BY: ro.fold_by = optarg; break;
        case O_IGNORE: ignore[ro.nignore++] = optarg; break;
        case O_MONOTONE: monotone[nmonotone++] = optarg; break;
        case O_CLASS_WEIGHT: class_weight = optarg; break;
        case O_NO_REPORT: no_report = 1; break;
        case O_DECOY: decoy = 1; break;
        case O_ENSEMBLE:
            if (cli_parse_i64(cmd, "--ensemble", optarg, 2, 100, &iv)) {
                rc = WN_EXIT_USAGE;
                goto done;
            }
            p.ensemble = (int)iv;
            break;
        case O_FOLDS:
            if (cli_parse_i64(cmd, "--folds", optarg, 1, 100, &iv)) {
                rc = WN_EXIT_USAGE;
                goto done;
            }
            p.folds = (int)iv;
            break;
        case O_VALID: {
            /* a number is a fraction; anything else is a file */
            char *end;
            errno = 0;
            double f = strtod(optarg, &end);
            if (end != optarg && *end == 0 && !errno) {
                if (!(f > 0 && f < 1)) {
                    rc = cli_usage_error(cmd, "--valid: a fraction must be in (0, 1), got '%s'",
                                         optarg);
                    goto done;
                }
                valid_file = NULL;
                rc = apply_named(cmd, &p, "valid_fraction", optarg);
            } else {
                valid_file = optarg;
                p.valid_fraction = 0;
            }
            break;
        }
        case O_OBJECTIVE: rc = apply_named(cmd, &p, "objective", optarg); break;
        case O_METRIC: rc = apply_named(cmd, &p, "metric", optarg); break;
        case O_ROUNDS: rc = apply_named(cmd, &p, "rounds", optarg); break;
        case O_LR: rc = apply_named(cmd, &p, "learning_rate", optarg); break;
        case O_LEAVES: rc = apply_named(cmd, &p, "num_leaves", optarg); break;
        case O_NUM_CLASS: rc = apply_named(cmd, &p, "num_class", optarg); break;
        case O_EARLY: rc = apply_named(cmd, &p, "early_stopping_rounds", optarg); break;
        case O_SEED: rc = apply_named(cmd, &p, "seed", optarg); break;
        case O_PARAM: rc = apply_param(cmd, &p, optarg); break;
        case 't':
            if (!(rc = cli_csv_option(cmd, o, optarg, "--threads", &csv)))
                rc = apply_named(cmd, &p, "threads", optarg);
            break;
        case ':': rc = cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]); break;
        default: rc = cli_csv_option(cmd, o, optarg, argv[optind - 1], &csv); break;
        }
        if (rc)
            goto done;
    }
    if (optind >= argc) {
        rc = cli_usage_error(cmd, "missing DATA");
        goto done;
    }
    if (optind + 1 < argc) {
        rc = cli_usage_error(cmd, "one DATA file at a time (got '%s' too)", argv[optind + 1]);
        goto done;
    }
    const char *path = argv[optind];
    if (!ro.label) {
        rc = cli_usage_error(cmd, "missing --label COL");
        goto done;
    }
    if (!out) {
        rc = cli_usage_error(cmd, "missing -o MODEL");
        goto done;
    }
    if (p.folds > 1 && !ro.fold_by) {
        rc = cli_usage_error(cmd, "--folds %d needs --fold-by COL (the event number column)",
                             p.folds);
        goto done;
    }
    if (ro.fold_by && p.folds < 2) {
        rc = cli_usage_error(cmd, "--fold-by needs --folds K with K >= 2");
        goto done;
    }
    {
        const char *names[] = {ro.label, ro.weight, ro.id, ro.fold_by};
        const char *opts[] = {"--label", "--weight", "--id", "--fold-by"};
        for (int i = 0; i < 4; i++)
            for (int j = i + 1; j < 4; j++)
                if (names[i] && names[j] && !strcmp(names[i], names[j]) && !(i == 2 && j == 3)) {
                    rc = cli_usage_error(cmd, "%s and %s name the same column '%s'", opts[i],
                                         opts[j], names[i]);
                    goto done;
                }
    }
    if (p.early_stopping_rounds > 0 && !valid_file && !(p.valid_fraction > 0)) {
        rc = cli_usage_error(cmd, "--early-stopping needs validation data: --valid FRAC|FILE");
        goto done;
    }
    p.fold_by = ro.fold_by;
    if (class_weight && (rc = parse_class_weights(cmd, class_weight, &cw, &p.n_class_weight)))
        goto done;
    p.class_weight = cw;
    if ((rc = check_out_dir(cmd, out)))
        goto done;

    cli_progress prog;
    csv.progress = cli_progress_make(&prog, "bytes");
    wn_status s = wn_table_read(path, &csv, &t);
    cli_progress_done(&prog);
    if (s) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    if ((rc = apply_roles(cmd, t, path, &ro, 0)))
        goto done;
    if (nmonotone) {
        if ((rc = build_monotone(cmd, t, monotone, nmonotone, &mono, &p.n_monotone)))
            goto done;
        p.monotone = mono;
    }
    if (valid_file) {
        csv.progress = cli_progress_make(&prog, "bytes");
        s = wn_table_read(valid_file, &csv, &v);
        cli_progress_done(&prog);
        if (s) {
            rc = cli_fail(cmd, s);
            goto done;
        }
        if ((rc = apply_roles(cmd, v, valid_file, &ro, 1)))
            goto done;
    }

    p.progress = cli_progress_make(&prog, "rounds");
    double t0 = cli_now();
    s = wn_gbdt_train(t, v, &p, &m);
    double secs = cli_now() - t0;
    cli_progress_done(&prog);
    if (s) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    s = wn_model_save(m, out);
    if (s) {
        rc = cli_fail(cmd, s);
        goto done;
    }
    print_summary(m, v || p.valid_fraction > 0, secs, out);
    cli_trust_summary(m, t, v, &p, p.threads);
    wn_decoy_result dr;
    int have_decoy = 0;
    if (decoy) {
        p.progress.fn = NULL; /* the retraining runs quietly */
        have_decoy = cli_decoy_summary(m, t, v, &p, &dr) >= 0;
    }
    if (!no_report)
        rc = write_report(cmd, m, t, v, &p, have_decoy ? &dr : NULL, out);

done:
    wn_model_free(m);
    wn_table_free(v);
    wn_table_free(t);
    free(mono);
    free(cw);
    free(cmdline);
    free(ignore);
    free(monotone);
    return rc;
}
