/* metrics_tool.c — a test helper, not part of the library: reads a CSV of
 * predictions and prints the library's figures of merit, one "name value"
 * per line (%.12g), so a script can compare them with another
 * implementation (tests/cli/sklearn_metrics.sh compares with scikit-learn).
 *
 *   metrics_tool [FILE]                  columns y,w,score (binary):
 *                                        auc, logloss, brier, accuracy
 *   metrics_tool --multiclass K [FILE]   columns y,w,p0..pK-1: auc<k> per
 *                                        class, conf <true> <pred> per cell,
 *                                        accuracy
 *   metrics_tool --regression [FILE]     columns y,w,pred: rmse, mae, r2 and
 *                                        the residual quantiles q<level>
 *
 * Without FILE it reads stdin. A first line that does not start with a
 * number is a header and skipped. Exit 0 on success, 2 on bad usage or
 * input, 1 when the library reports an error. */
#include "winnow.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rows {
    float *y, *w;
    double *p; /* n x ncol, row-major */
    int64_t n, cap;
    int ncol;
} rows;

static int push(rows *r, float y, float w, const double *p)
{
    if (r->n == r->cap) {
        int64_t cap = r->cap ? 2 * r->cap : 1024;
        float *y2 = realloc(r->y, (size_t)cap * sizeof *y2);
        if (y2)
            r->y = y2;
        float *w2 = realloc(r->w, (size_t)cap * sizeof *w2);
        if (w2)
            r->w = w2;
        double *p2 = realloc(r->p, (size_t)cap * (size_t)r->ncol * sizeof *p2);
        if (p2)
            r->p = p2;
        if (!y2 || !w2 || !p2)
            return -1;
        r->cap = cap;
    }
    r->y[r->n] = y;
    r->w[r->n] = w;
    memcpy(r->p + r->n * r->ncol, p, (size_t)r->ncol * sizeof *p);
    r->n++;
    return 0;
}

/* Parses one line of 2 + ncol numbers; returns 0, or -1 with *why set and
 * *col the (0-based) column where it failed. */
static int parse_line(char *line, int ncol, double *vals, const char **why, int *col)
{
    char *s = line;
    for (int k = 0; k < 2 + ncol; k++) {
        char *end;
        errno = 0;
        vals[k] = strtod(s, &end);
        *col = k;
        if (end == s) {
            *why = "not a number";
            return -1;
        }
        s = end;
        while (*s == ' ' || *s == '\t')
            s++;
        if (k < 1 + ncol) {
            if (*s != ',') {
                *why = "too few columns";
                return -1;
            }
            s++;
        }
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    if (*s) {
        *why = "too many columns or trailing text";
        return -1;
    }
    return 0;
}

static int read_rows(FILE *f, const char *name, rows *r)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t lineno = 0;
    double *vals = malloc((size_t)(2 + r->ncol) * sizeof *vals);
    if (!vals) {
        fprintf(stderr, "metrics_tool: out of memory\n");
        return -1;
    }
    int rc = 0;
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (len == 0 || line[0] == '\n' || (line[0] == '\r' && line[1] == '\n'))
            continue;
        const char *why = NULL;
        int col = 0;
        if (parse_line(line, r->ncol, vals, &why, &col) != 0) {
            if (lineno == 1 && col == 0 && !strcmp(why, "not a number"))
                continue; /* a header */
            fprintf(stderr, "metrics_tool: %s line %lld: %s\n", name, (long long)lineno, why);
            rc = -1;
            break;
        }
        if (push(r, (float)vals[0], (float)vals[1], vals + 2) != 0) {
            fprintf(stderr, "metrics_tool: out of memory\n");
            rc = -1;
            break;
        }
    }
    free(line);
    free(vals);
    return rc;
}

static int lib_fail(const char *what, wn_status s)
{
    fprintf(stderr, "metrics_tool: %s: %s: %s\n", what, wn_status_name(s), wn_errmsg());
    return 1;
}

static int run_binary(const rows *r)
{
    double auc, logloss;
    wn_status s = wn_metric_eval(WN_METRIC_AUC, r->y, r->w, r->p, r->n, 1, 0.0, &auc);
    if (s != WN_OK)
        return lib_fail("auc", s);
    s = wn_metric_eval(WN_METRIC_LOGLOSS, r->y, r->w, r->p, r->n, 1, 0.0, &logloss);
    if (s != WN_OK)
        return lib_fail("logloss", s);
    wn_roc_summary o;
    s = wn_roc_summarize(r->y, r->w, r->p, r->n, 0, 0.68, 1, 1, &o);
    if (s != WN_OK)
        return lib_fail("roc summary", s);
    printf("auc %.12g\nlogloss %.12g\nbrier %.12g\naccuracy %.12g\n", auc, logloss, o.brier,
           o.accuracy);
    if (o.auc != auc) {
        fprintf(stderr, "metrics_tool: roc summary AUC %.17g differs from the metric's %.17g\n",
                o.auc, auc);
        return 1;
    }
    return 0;
}

static int run_multiclass(const rows *r)
{
    const int K = r->ncol;
    double *auc = malloc((size_t)K * sizeof *auc);
    double *conf = malloc((size_t)K * (size_t)K * sizeof *conf);
    double acc;
    int rc = 0;
    if (!auc || !conf) {
        fprintf(stderr, "metrics_tool: out of memory\n");
        rc = 2;
    } else {
        wn_status s = wn_multiclass_summary(r->y, r->w, r->p, r->n, K, auc, conf, &acc);
        if (s != WN_OK) {
            rc = lib_fail("multiclass summary", s);
        } else {
            for (int k = 0; k < K; k++)
                printf("auc%d %.12g\n", k, auc[k]);
            for (int a = 0; a < K; a++)
                for (int b = 0; b < K; b++)
                    printf("conf %d %d %.12g\n", a, b, conf[a * K + b]);
            printf("accuracy %.12g\n", acc);
        }
    }
    free(auc);
    free(conf);
    return rc;
}

static int run_regression(const rows *r)
{
    double rmse, mae, r2, q[5];
    wn_status s = wn_regression_summary(r->y, r->w, r->p, r->n, &rmse, &mae, &r2, q);
    if (s != WN_OK)
        return lib_fail("regression summary", s);
    printf("rmse %.12g\nmae %.12g\nr2 %.12g\n", rmse, mae, r2);
    static const char *const lv[5] = {"0.025", "0.16", "0.5", "0.84", "0.975"};
    for (int k = 0; k < 5; k++)
        printf("q%s %.12g\n", lv[k], q[k]);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: metrics_tool [--multiclass K | --regression] [FILE]\n"
                    "  CSV columns: y,w,score | y,w,p0..pK-1 | y,w,pred\n");
    return 2;
}

int main(int argc, char **argv)
{
    int mode = 0, K = 1; /* 0 binary, 1 multiclass, 2 regression */
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--multiclass") && i + 1 < argc) {
            char *end;
            long k = strtol(argv[++i], &end, 10);
            if (*end || k < 2 || k > WN_GBDT_MAX_CLASSES)
                return usage();
            mode = 1;
            K = (int)k;
        } else if (!strcmp(argv[i], "--regression")) {
            mode = 2;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage();
        } else if (!path) {
            path = argv[i];
        } else {
            return usage();
        }
    }
    FILE *f = stdin;
    if (path && strcmp(path, "-")) {
        f = fopen(path, "r");
        if (!f) {
            fprintf(stderr, "metrics_tool: cannot open %s: %s\n", path, strerror(errno));
            return 2;
        }
    }
    rows r = {0};
    r.ncol = K;
    int rc = read_rows(f, path ? path : "stdin", &r) != 0 ? 2 : 0;
    if (f != stdin)
        fclose(f);
    if (rc == 0 && r.n == 0) {
        fprintf(stderr, "metrics_tool: no rows\n");
        rc = 2;
    }
    if (rc == 0)
        rc = mode == 1 ? run_multiclass(&r) : mode == 2 ? run_regression(&r) : run_binary(&r);
    free(r.y);
    free(r.w);
    free(r.p);
    return rc;
}
