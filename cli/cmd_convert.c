/* cmd_convert.c — `winnow convert IN OUT`: between CSV/TSV and NumPy .npy.
 * Uses the same readers as every other command, so it is also the way to see
 * exactly which numbers winnow read from a text file. */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <string.h>

static void help(void)
{
    printf("usage: winnow convert IN OUT [options]\n\n"
           "Converts a data file by extension: .csv/.tsv/.txt/.dat/.data/.npy in,\n"
           ".csv or .npy out (NPY: a structured array, column names kept;\n"
           "--matrix writes a plain 2-D float32 array instead). The write is atomic.\n\n"
           "options:\n"
           "  --matrix             .npy output as a 2-D float32 array (names are lost)\n"
           "  --delimiter C, --header, --no-header, --comment C, --missing LIST,\n"
           "  --strings LIST, --threads N   CSV reading, as for 'winnow info'\n"
           "  -h, --help           this help\n");
}

int cmd_convert(int argc, char **argv)
{
    const char *cmd = "convert";
    wn_csv_options csv;
    wn_csv_options_default(&csv);
    int matrix = 0;
    static const struct option longopts[] = {{"matrix", no_argument, 0, 'M'}, CLI_CSV_LONGOPTS,
                                             {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (o) {
        case 'M': matrix = 1; break;
        case 'h': help(); return WN_EXIT_OK;
        default: {
            int r = cli_csv_option(cmd, o, optarg, argv[optind - 1], &csv);
            if (r)
                return r;
        }
        }
    }
    if (argc - optind != 2)
        return cli_usage_error(cmd, "needs IN and OUT");
    const char *in = argv[optind], *out = argv[optind + 1];
    wn_table *t = NULL;
    double t0 = cli_now();
    wn_status s = wn_table_read(in, &csv, &t);
    if (s)
        return cli_fail(cmd, s);
    double tr = cli_now() - t0;
    size_t lo = strlen(out);
    if (matrix && lo >= 4 && !strcmp(out + lo - 4, ".npy"))
        s = wn_table_write_npy(t, out, WN_NPY_MATRIX);
    else
        s = wn_table_write(t, out);
    int64_t nr = wn_table_nrows(t), nc = wn_table_ncols(t);
    wn_table_free(t);
    if (s)
        return cli_fail(cmd, s);
    printf("%s -> %s: %lld rows x %lld columns (read %.3f s, total %.3f s)\n", in, out,
           (long long)nr, (long long)nc, tr, cli_now() - t0);
    return WN_EXIT_OK;
}
