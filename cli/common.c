/* common.c — exit codes, error lines, option value parsing. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_exit_code(wn_status s)
{
    switch (s) {
    case WN_OK: return WN_EXIT_OK;
    case WN_EINVAL: return WN_EXIT_USAGE;
    case WN_EFORMAT:
    case WN_ENUMERIC:
    case WN_ENOTFOUND: return WN_EXIT_DATA;
    case WN_ENOMEM: return WN_EXIT_NOMEM;
    case WN_EIO: return WN_EXIT_ERROR;
    case WN_EINTERNAL: return WN_EXIT_BUG;
    }
    return WN_EXIT_ERROR;
}

int cli_fail(const char *cmd, wn_status s)
{
    fprintf(stderr, "winnow %s: %s\n", cmd, wn_errmsg());
    return cli_exit_code(s);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "winnow %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n  (see 'winnow %s --help')\n", cmd);
    va_end(ap);
    return WN_EXIT_USAGE;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_parse_i64(const char *cmd, const char *opt, const char *s, long long lo, long long hi,
                  long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    /* accept 1e6-style too, as people type row counts that way */
    if ((*end == 'e' || *end == 'E') && end != s) {
        double d = strtod(s, &end);
        if (*end == 0 && d == floor(d) && fabs(d) < 9e18) {
            v = (long long)d;
        }
    }
    if (errno || end == s || *end) {
        cli_usage_error(cmd, "%s: '%s' is not an integer", opt, s);
        return 1;
    }
    if (v < lo || v > hi) {
        cli_usage_error(cmd, "%s must be in %lld..%lld, got %lld", opt, lo, hi, v);
        return 1;
    }
    *out = v;
    return 0;
}

int cli_parse_f64(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v)) {
        cli_usage_error(cmd, "%s: '%s' is not a finite number", opt, s);
        return 1;
    }
    *out = v;
    return 0;
}

int cli_parse_char_option(const char *cmd, const char *opt, const char *s, char *out)
{
    if (!strcmp(s, "tab") || !strcmp(s, "\\t"))
        *out = '\t';
    else if (!strcmp(s, "space"))
        *out = ' ';
    else if (!strcmp(s, "none"))
        *out = 0;
    else if (strlen(s) == 1)
        *out = s[0];
    else {
        cli_usage_error(cmd, "%s takes one character, 'tab', 'space' or 'none', got '%s'", opt, s);
        return 1;
    }
    return 0;
}

int cli_csv_option(const char *cmd, int o, const char *arg, const char *optname,
                   wn_csv_options *csv)
{
    long long v;
    switch (o) {
    case 'H': csv->header = 1; return 0;
    case 'N': csv->header = 0; return 0;
    case 'm': csv->missing = arg; return 0;
    case 's': csv->strings = arg; return 0;
    case 'd': return cli_parse_char_option(cmd, "--delimiter", arg, &csv->delimiter) ? WN_EXIT_USAGE : 0;
    case 'c': return cli_parse_char_option(cmd, "--comment", arg, &csv->comment) ? WN_EXIT_USAGE : 0;
    case 't':
        if (cli_parse_i64(cmd, "--threads", arg, 0, 1024, &v))
            return WN_EXIT_USAGE;
        csv->threads = (int)v;
        return 0;
    }
    return cli_usage_error(cmd, "unknown option '%s'", optname);
}

int cli_parse_choice(const char *cmd, const char *opt, const char *s, const char *a,
                     const char *b, int *out)
{
    if (!strcmp(s, a))
        *out = 0;
    else if (!strcmp(s, b))
        *out = 1;
    else
        return cli_usage_error(cmd, "%s must be '%s' or '%s', got '%s'", opt, a, b, s);
    return 0;
}

int cli_output_table(const char *cmd, const wn_table *t, int64_t idc, float *buf,
                     wn_table **out)
{
    wn_table *res = NULL;
    wn_status s = wn_table_create(wn_table_nrows(t), &res);
    if (s == WN_OK && idc >= 0) {
        wn_table_gather(t, idc, buf);
        s = wn_table_add_column(res, wn_table_name(t, idc), buf);
        int64_t nl = s == WN_OK ? wn_table_nlevels(t, idc) : 0;
        if (nl > 0) {
            const char **levels = malloc((size_t)nl * sizeof *levels);
            if (!levels) {
                wn_table_free(res);
                fprintf(stderr, "winnow %s: out of memory\n", cmd);
                return WN_EXIT_NOMEM;
            }
            for (int64_t i = 0; i < nl; i++)
                levels[i] = wn_table_level(t, idc, i);
            s = wn_table_set_levels(res, 0, levels, nl);
            free(levels);
        }
    }
    if (s != WN_OK) {
        wn_table_free(res);
        return cli_fail(cmd, s);
    }
    *out = res;
    return 0;
}

/* "winnow <cmd> a b c": the command line as typed, for the model's
 * provenance. Taken before getopt permutes argv. */
char *cli_join_argv(int argc, char **argv)
{
    size_t n = strlen("winnow") + 1;
    for (int i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    strcpy(s, "winnow");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}
