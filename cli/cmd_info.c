/* cmd_info.c — `winnow info FILE`: the first look at a data file.
 *
 * Shape, per-column type/min/max/mean/std/missing, label balance and weight
 * summary, as a table for people or JSON for programs. Built to be the first
 * thing one runs on a 1 GB file: the read is the parallel reader, the
 * statistics one parallel pass per column. */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void help(void)
{
    printf("usage: winnow info FILE [options]\n\n"
           "Summarise a data file (.csv .tsv .txt .dat .data .npy): rows, columns, and per\n"
           "column its type, min, max, mean, std and missing count.\n\n"
           "options:\n"
           "  --label COL          report the class balance of COL\n"
           "  --binary             require the label to have exactly two classes\n"
           "  --weight COL         report the sum of weights in COL (and negative ones)\n"
           "  --json               print JSON instead of a table\n"
           "  --delimiter C        field separator (default: sniffed among , TAB ; | space;\n"
           "                       write 'tab' or 'space' for those)\n"
           "  --header / --no-header   the first line is / is not a header (default: detect)\n"
           "  --comment C          skip lines starting with C (default '#'; 'none' to disable)\n"
           "  --missing LIST       comma-separated tokens read as missing, besides empty cells\n"
           "                       (default NA,NaN,nan,N/A,null; e.g. --missing -999)\n"
           "  --strings LIST       comma-separated columns to read as text labels\n"
           "  --threads N          threads to use (default: all)\n"
           "  -h, --help           this help\n\n"
           "exit codes: 0 ok, 1 I/O error, 2 bad option, 3 bad data, 4 out of memory\n");
}

static void json_str(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void json_num(double x)
{
    if (isfinite(x))
        printf("%.9g", x);
    else
        printf("null");
}

static const char *type_of(const wn_table *t, int64_t c, char *buf, size_t n)
{
    int64_t nl = wn_table_nlevels(t, c);
    if (nl > 0)
        snprintf(buf, n, "text(%lld)", (long long)nl);
    else
        snprintf(buf, n, "float");
    return buf;
}

static void class_name(const wn_table *t, int64_t c, float v, char *buf, size_t n)
{
    const char *lv = wn_table_level(t, c, (int64_t)v);
    if (wn_table_nlevels(t, c) > 0 && lv)
        snprintf(buf, n, "%s", lv);
    else
        snprintf(buf, n, "%g", (double)v);
}

int cmd_info(int argc, char **argv)
{
    const char *cmd = "info";
    wn_csv_options csv;
    wn_csv_options_default(&csv);
    const char *label = NULL, *weight = NULL;
    int json = 0, binary = 0;
    static const struct option longopts[] = {
        {"label", required_argument, 0, 'l'}, {"weight", required_argument, 0, 'w'},
        {"json", no_argument, 0, 'j'},        {"binary", no_argument, 0, 'b'},
        CLI_CSV_LONGOPTS,                     {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'l': label = optarg; break;
        case 'w': weight = optarg; break;
        case 'j': json = 1; break;
        case 'b': binary = 1; break;
        case 'h': help(); return WN_EXIT_OK;
        default: {
            int r = cli_csv_option(cmd, o, optarg, argv[optind - 1], &csv);
            if (r)
                return r;
        }
        }
    }
    if (optind >= argc)
        return cli_usage_error(cmd, "missing FILE");
    if (optind + 1 < argc)
        return cli_usage_error(cmd, "one FILE at a time (got '%s' too)", argv[optind + 1]);
    const char *path = argv[optind];

    cli_progress prog;
    csv.progress = cli_progress_make(&prog, "bytes");
    double t0 = cli_now();
    wn_table *t = NULL;
    wn_status s = wn_table_read(path, &csv, &t);
    cli_progress_done(&prog);
    if (s)
        return cli_fail(cmd, s);
    double tread = cli_now() - t0;
    struct stat sb;
    double bytes = stat(path, &sb) == 0 ? (double)sb.st_size : 0.0;

    int64_t lc = -1, wc = -1;
    if (label && (s = wn_table_find(t, label, &lc)) != WN_OK)
        goto fail;
    if (weight && (s = wn_table_find(t, weight, &wc)) != WN_OK)
        goto fail;
    if (binary && lc < 0) {
        wn_table_free(t);
        return cli_usage_error(cmd, "--binary needs --label COL");
    }
    if (binary && (s = wn_table_check_binary(t, lc, NULL, NULL)) != WN_OK)
        goto fail;
    const float *w = NULL;
    float *wbuf = NULL;
    if (wc >= 0) {
        wbuf = malloc((size_t)wn_table_nrows(t) * sizeof(float) + 1);
        if (!wbuf) {
            wn_table_free(t);
            fprintf(stderr, "winnow info: out of memory\n");
            return WN_EXIT_NOMEM;
        }
        wn_table_gather(t, wc, wbuf);
        w = wbuf;
    }

    int64_t nr = wn_table_nrows(t), nc = wn_table_ncols(t);
    wn_column_stats *st = calloc((size_t)nc + 1, sizeof *st);
    if (!st) {
        free(wbuf);
        wn_table_free(t);
        fprintf(stderr, "winnow info: out of memory\n");
        return WN_EXIT_NOMEM;
    }
    for (int64_t c = 0; c < nc; c++)
        if ((s = wn_table_column_stats(t, c, NULL, &st[c])) != WN_OK) {
            free(st);
            free(wbuf);
            goto fail;
        }

    /* weight summary */
    double wsum = 0, wneg = 0, w2 = 0;
    int64_t nneg = 0, wnan = 0;
    if (w)
        for (int64_t i = 0; i < nr; i++) {
            double x = (double)w[i];
            if (!isfinite(x)) {
                wnan++;
                continue;
            }
            wsum += x;
            w2 += x * x;
            if (x < 0) {
                nneg++;
                wneg += x;
            }
        }
    wn_class_count k[64];
    int64_t nk = 0, lmiss = 0;
    if (lc >= 0 && wn_table_class_counts(t, lc, w, k, 64, &nk, &lmiss) != WN_OK)
        nk = -1; /* more than 64 values: a regression target, not classes */

    char tb[32], nb[256];
    if (json) {
        printf("{\"file\": ");
        json_str(path);
        printf(", \"bytes\": %.0f, \"rows\": %lld, \"columns\": %lld, \"read_seconds\": %.6f,\n",
               bytes, (long long)nr, (long long)nc, tread);
        printf(" \"schema\": [\n");
        for (int64_t c = 0; c < nc; c++) {
            printf("  {\"name\": ");
            json_str(wn_table_name(t, c));
            printf(", \"type\": \"%s\", \"count\": %lld, \"missing\": %lld, \"posinf\": %lld, "
                   "\"neginf\": %lld, \"min\": ",
                   wn_table_nlevels(t, c) ? "text" : "float", (long long)st[c].count,
                   (long long)st[c].missing, (long long)st[c].posinf, (long long)st[c].neginf);
            json_num(st[c].min);
            printf(", \"max\": ");
            json_num(st[c].max);
            printf(", \"mean\": ");
            json_num(st[c].mean);
            printf(", \"std\": ");
            json_num(st[c].std);
            if (wn_table_nlevels(t, c)) {
                printf(", \"levels\": [");
                for (int64_t l = 0; l < wn_table_nlevels(t, c) && l < 1000; l++) {
                    if (l)
                        printf(", ");
                    json_str(wn_table_level(t, c, l));
                }
                printf("]");
            }
            printf("}%s\n", c + 1 < nc ? "," : "");
        }
        printf(" ]");
        if (lc >= 0) {
            printf(",\n \"label\": {\"column\": ");
            json_str(label);
            printf(", \"missing\": %lld, ", (long long)lmiss);
            if (nk < 0)
                printf("\"classes\": null}");
            else {
                printf("\"classes\": [");
                for (int64_t i = 0; i < nk; i++) {
                    class_name(t, lc, k[i].value, nb, sizeof nb);
                    printf("%s{\"class\": ", i ? ", " : "");
                    json_str(nb);
                    printf(", \"count\": %lld, \"weight\": ", (long long)k[i].count);
                    json_num(k[i].weight);
                    printf("}");
                }
                printf("]}");
            }
        }
        if (wc >= 0) {
            printf(",\n \"weight\": {\"column\": ");
            json_str(weight);
            printf(", \"sum\": ");
            json_num(wsum);
            printf(", \"negative_count\": %lld, \"negative_sum\": ", (long long)nneg);
            json_num(wneg);
            printf(", \"effective_entries\": ");
            json_num(w2 > 0 ? wsum * wsum / w2 : 0.0);
            printf(", \"nonfinite\": %lld}", (long long)wnan);
        }
        printf("\n}\n");
    } else {
        printf("%s: %lld rows x %lld columns", path, (long long)nr, (long long)nc);
        if (bytes > 0)
            printf(" (%.1f MB read in %.3f s, %.0f MB/s)", bytes / 1e6, tread,
                   tread > 0 ? bytes / 1e6 / tread : 0.0);
        printf("\n\n  %4s  %-24s %-10s %12s %12s %12s %12s %9s\n", "#", "column", "type", "min",
               "max", "mean", "std", "missing");
        for (int64_t c = 0; c < nc; c++) {
            const char *name = wn_table_name(t, c);
            char extra[64] = "";
            if (st[c].posinf || st[c].neginf)
                snprintf(extra, sizeof extra, "  (+inf %lld, -inf %lld)",
                         (long long)st[c].posinf, (long long)st[c].neginf);
            printf("  %4lld  %-24.*s %-10s %12.5g %12.5g %12.5g %12.5g %9lld%s\n",
                   (long long)c + 1, 24, name, type_of(t, c, tb, sizeof tb), st[c].min,
                   st[c].max, st[c].mean, st[c].std, (long long)st[c].missing, extra);
        }
        if (lc >= 0) {
            printf("\nlabel '%s': ", label);
            if (nk < 0)
                printf("more than 64 distinct values (a regression target?)");
            for (int64_t i = 0; i < nk; i++) {
                class_name(t, lc, k[i].value, nb, sizeof nb);
                printf("%s%s %lld (%.2f%%)", i ? ", " : "", nb, (long long)k[i].count,
                       nr ? 100.0 * (double)k[i].count / (double)nr : 0.0);
                if (w)
                    printf(" [weight %.6g]", k[i].weight);
            }
            if (lmiss)
                printf(", missing %lld", (long long)lmiss);
            printf("\n");
        }
        if (wc >= 0) {
            printf("weight '%s': sum %.6g, %lld negative (sum %.6g), effective entries %.6g",
                   weight, wsum, (long long)nneg, wneg, w2 > 0 ? wsum * wsum / w2 : 0.0);
            if (wnan)
                printf(", %lld not finite", (long long)wnan);
            printf("\n");
        }
    }
    free(st);
    free(wbuf);
    wn_table_free(t);
    return WN_EXIT_OK;
fail:
    wn_table_free(t);
    return cli_fail(cmd, s);
}
