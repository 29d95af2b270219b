/* unsup.c — the options, data reading, output table and report that the
 * unsupervised commands (reduce, cluster, anomalies) share, so that the
 * three spell every common option the same way and treat the label the
 * same way: shown, never fitted. */
#define _GNU_SOURCE
#include "unsup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cli_unsup_init(cli_unsup *u, const char *cmd, int argc, char **argv)
{
    memset(u, 0, sizeof *u);
    u->cmd = cmd;
    wn_csv_options_default(&u->csv);
    u->standardize = 1;
    u->seed = 42;
    if (!(u->command_line = cli_join_argv(argc, argv))) {
        fprintf(stderr, "winnow %s: out of memory\n", cmd);
        return WN_EXIT_NOMEM;
    }
    return 0;
}

void cli_unsup_free(cli_unsup *u)
{
    wn_table_free(u->t);
    if (u->features)
        for (int64_t i = 0; i < u->nfeatures; i++)
            free(u->features[i]);
    free(u->features);
    free((void *)u->ignore);
    free(u->out_def);
    free(u->model_def);
    free(u->report_path);
    free(u->command_line);
    memset(u, 0, sizeof *u);
}

int cli_unsup_option(cli_unsup *u, int o, const char *arg, const char *optname)
{
    long long v;
    switch (o) {
    case 'o': u->out = arg; return 0;
    case U_LABEL: u->label = arg; return 0;
    case U_WEIGHT: u->weight = arg; return 0;
    case U_ID: u->id = arg; return 0;
    case U_FEATURES: u->features_arg = arg; return 0;
    case U_IGNORE: {
        const char **n = realloc((void *)u->ignore, (size_t)(u->nignore + 1) * sizeof *n);
        if (!n) {
            fprintf(stderr, "winnow %s: out of memory\n", u->cmd);
            return WN_EXIT_NOMEM;
        }
        u->ignore = n;
        u->ignore[u->nignore++] = arg;
        return 0;
    }
    case U_STD: u->standardize = 1; return 0;
    case U_NOSTD: u->standardize = 0; return 0;
    case U_DROP: u->drop_missing = 1; return 0;
    case U_SEED:
        if (cli_parse_i64(u->cmd, "--seed", arg, 0, INT64_MAX, &v))
            return WN_EXIT_USAGE;
        u->seed = (uint64_t)v;
        return 0;
    case U_MODEL: u->model = arg; return 0;
    case U_NOREPORT: u->no_report = 1; return 0;
    case U_METHOD: u->method = arg; return 0;
    default: break;
    }
    if (o == 'd' || o == 'H' || o == 'N' || o == 'c' || o == 'm' || o == 's' || o == 't') {
        int r = cli_csv_option(u->cmd, o, arg, optname, &u->csv);
        if (!r && o == 't')
            u->threads = u->csv.threads;
        return r;
    }
    return -1;
}

/* PATH without its extension + suffix. */
static char *with_suffix(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    size_t stem = dot && dot != (slash ? slash + 1 : path) ? (size_t)(dot - path) : strlen(path);
    char *s = malloc(stem + strlen(suffix) + 1);
    if (!s)
        return NULL;
    memcpy(s, path, stem);
    strcpy(s + stem, suffix);
    return s;
}

static int set_role(cli_unsup *u, const char *name, wn_role r, const char *opt)
{
    int64_t c;
    wn_status s = wn_table_find(u->t, name, &c);
    if (s) {
        fprintf(stderr, "winnow %s: %s: %s: %s\n", u->cmd, u->data, opt, wn_errmsg());
        return WN_EXIT_DATA;
    }
    if (wn_table_role(u->t, c) != WN_ROLE_FEATURE && wn_table_role(u->t, c) != r)
        return cli_usage_error(u->cmd, "%s: column '%s' is already the %s column", opt, name,
                               wn_role_name(wn_table_role(u->t, c)));
    return wn_table_set_role(u->t, c, r) ? cli_fail(u->cmd, WN_EINVAL) : 0;
}

/* Splits "a,b,c" into malloc'd names. */
static int split_list(const char *s, char ***out, int64_t *n)
{
    int64_t k = 1;
    for (const char *p = s; *p; p++)
        k += *p == ',';
    char **v = calloc((size_t)k, sizeof *v);
    if (!v)
        return -1;
    int64_t i = 0;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (!(v[i] = strndup(p, len))) {
            for (int64_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return -1;
        }
        i++;
        if (!e)
            break;
        p = e + 1;
    }
    *out = v;
    *n = i;
    return 0;
}

int cli_unsup_load(cli_unsup *u, int argc, char **argv, const char *method, wn_unsup_data *d)
{
    if (argc - optind < 1)
        return cli_usage_error(u->cmd, "missing DATA");
    if (argc - optind > 1)
        return cli_usage_error(u->cmd, "one DATA file (got '%s' too)", argv[optind + 1]);
    u->data = argv[optind];
    if (!u->out) {
        char sfx[64];
        snprintf(sfx, sizeof sfx, ".%s.csv", method);
        if (!(u->out_def = with_suffix(u->data, sfx)))
            goto oom;
        u->out = u->out_def;
    }
    size_t ol = strlen(u->out);
    if (!(ol > 4 && (!strcmp(u->out + ol - 4, ".csv") || !strcmp(u->out + ol - 4, ".npy"))))
        return cli_usage_error(u->cmd, "-o %s: the output must end in .csv or .npy", u->out);
    if (!u->model) {
        if (!(u->model_def = with_suffix(u->out, ".wnm")))
            goto oom;
        u->model = u->model_def;
    }
    if (!(u->report_path = cli_report_path(u->out)))
        goto oom;
    if (u->features_arg && split_list(u->features_arg, &u->features, &u->nfeatures))
        goto oom;

    cli_progress prog;
    u->csv.progress = cli_progress_make(&prog, "bytes");
    wn_status s = wn_table_read(u->data, &u->csv, &u->t);
    cli_progress_done(&prog);
    if (s)
        return cli_fail(u->cmd, s);
    int rc;
    if ((u->label && (rc = set_role(u, u->label, WN_ROLE_LABEL, "--label"))) ||
        (u->weight && (rc = set_role(u, u->weight, WN_ROLE_WEIGHT, "--weight"))) ||
        (u->id && (rc = set_role(u, u->id, WN_ROLE_ID, "--id"))))
        return rc;
    for (int i = 0; i < u->nignore; i++) {
        char **names;
        int64_t n;
        if (split_list(u->ignore[i], &names, &n))
            goto oom;
        rc = 0;
        for (int64_t j = 0; j < n; j++) {
            if (!rc)
                rc = set_role(u, names[j], WN_ROLE_IGNORED, "--ignore");
            free(names[j]);
        }
        free(names);
        if (rc)
            return rc;
    }
    /* text columns hold level codes: no distance or variance means anything
     * on them, so they stay out unless named with --features */
    int64_t ntext = 0;
    char first[256] = "";
    for (int64_t c = 0; !u->features && c < wn_table_ncols(u->t); c++)
        if (wn_table_role(u->t, c) == WN_ROLE_FEATURE && wn_table_nlevels(u->t, c) > 0) {
            if (!ntext++)
                snprintf(first, sizeof first, "%s", wn_table_name(u->t, c));
            wn_table_set_role(u->t, c, WN_ROLE_IGNORED);
        }
    if (ntext)
        fprintf(stderr, "winnow %s: note: %lld text column%s left out ('%s'%s)\n", u->cmd,
                (long long)ntext, ntext > 1 ? "s" : "", first, ntext > 1 ? ", ..." : "");
    memset(d, 0, sizeof *d);
    d->features = (const char *const *)u->features;
    d->nfeatures = u->nfeatures;
    d->drop_missing = u->drop_missing;
    d->standardize = u->standardize;
    d->seed = u->seed;
    d->threads = u->threads;
    d->command_line = u->command_line;
    return 0;
oom:
    fprintf(stderr, "winnow %s: out of memory\n", u->cmd);
    return WN_EXIT_NOMEM;
}

int cli_unsup_write(cli_unsup *u, const char *const *names, float *const *cols, int ncols)
{
    int64_t n = wn_table_nrows(u->t), idc = -1, lc;
    wn_table *res = NULL;
    float *buf = malloc((size_t)(n ? n : 1) * sizeof *buf);
    int rc = 0;
    wn_status s;
    if (!buf) {
        fprintf(stderr, "winnow %s: out of memory\n", u->cmd);
        return WN_EXIT_NOMEM;
    }
    if (u->id && wn_table_find(u->t, u->id, &idc) != WN_OK)
        idc = -1;
    if ((rc = cli_output_table(u->cmd, u->t, idc, buf, &res)))
        goto done;
    if (u->label && wn_table_find(u->t, u->label, &lc) == WN_OK) {
        wn_table_gather(u->t, lc, buf);
        if ((s = wn_table_add_column(res, u->label, buf))) {
            rc = cli_fail(u->cmd, s);
            goto done;
        }
        int64_t nl = wn_table_nlevels(u->t, lc);
        const char **lv = nl > 0 ? malloc((size_t)nl * sizeof *lv) : NULL;
        for (int64_t k = 0; lv && k < nl; k++)
            lv[k] = wn_table_level(u->t, lc, k);
        s = lv ? wn_table_set_levels(res, wn_table_ncols(res) - 1, lv, nl) : WN_OK;
        free((void *)lv);
        if (s || (nl > 0 && !lv)) {
            rc = s ? cli_fail(u->cmd, s) : WN_EXIT_NOMEM;
            goto done;
        }
    }
    for (int k = 0; k < ncols; k++)
        if ((s = wn_table_add_column(res, names[k], cols[k]))) {
            rc = cli_fail(u->cmd, s);
            goto done;
        }
    if ((s = wn_table_write(res, u->out)))
        rc = cli_fail(u->cmd, s);
done:
    wn_table_free(res);
    free(buf);
    return rc;
}

int cli_unsup_report(cli_unsup *u, wn_unsup_report *r)
{
    if (u->no_report)
        return 0;
    r->t = u->t;
    r->label = u->label;
    r->id = u->id;
    wn_report_options o;
    wn_report_options_default(&o);
    o.threads = u->threads;
    o.seed = u->seed;
    o.max_rows = 20000;
    wn_status s = wn_unsup_report_write(r, &o, u->report_path);
    if (s) {
        fprintf(stderr, "winnow %s: report: %s\n", u->cmd, wn_errmsg());
        return cli_exit_code(s);
    }
    printf("report: %s\n", u->report_path);
    return 0;
}
