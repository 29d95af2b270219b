/* unsup.h — what `winnow reduce`, `cluster` and `anomalies` share: the
 * common options (data columns, standardisation, missing values, seed,
 * output paths), reading the data with its column roles, the output table
 * (id and label copied, result columns appended) and the report. */
#ifndef WN_CLI_UNSUP_H
#define WN_CLI_UNSUP_H

#include "cli.h"

#include <getopt.h>

#define WN__CLI_MAXCOLS 1025 /* result columns a command writes, at most */

enum {
    U_LABEL = 400,
    U_WEIGHT,
    U_ID,
    U_FEATURES,
    U_IGNORE,
    U_STD,
    U_NOSTD,
    U_DROP,
    U_SEED,
    U_MODEL,
    U_NOREPORT,
    U_METHOD
};

#define CLI_UNSUP_LONGOPTS                                                                     \
    {"output", required_argument, 0, 'o'}, {"label", required_argument, 0, U_LABEL},           \
        {"weight", required_argument, 0, U_WEIGHT}, {"id", required_argument, 0, U_ID},        \
        {"features", required_argument, 0, U_FEATURES},                                        \
        {"ignore", required_argument, 0, U_IGNORE}, {"standardize", no_argument, 0, U_STD},    \
        {"no-standardize", no_argument, 0, U_NOSTD},                                           \
        {"drop-missing", no_argument, 0, U_DROP}, {"seed", required_argument, 0, U_SEED},      \
        {"model", required_argument, 0, U_MODEL}, {"no-report", no_argument, 0, U_NOREPORT},   \
        {"method", required_argument, 0, U_METHOD}, CLI_CSV_LONGOPTS,                          \
    {                                                                                          \
        "help", no_argument, 0, 'h'                                                            \
    }

/* The help lines of the common options. */
#define CLI_UNSUP_HELP                                                                         \
    "  -o, --output OUT       the output table, .csv or .npy (default: DATA's name\n"          \
    "                         with .<method>.csv); the model goes beside it as\n"              \
    "                         OUT.wnm (or --model FILE), the report as OUT.report.html\n"      \
    "  --features COL,..      the columns to use (default: every numeric column but\n"        \
    "                         the label, weight, id and ignored ones)\n"                       \
    "  --ignore COL,..        columns to leave out (repeatable)\n"                             \
    "  --label COL            a class column, only to show in the report how well the\n"       \
    "                         result separates its classes; never used to fit; copied\n"       \
    "                         into the output\n"                                               \
    "  --weight COL           event weights (>= 0)\n"                                          \
    "  --id COL               an event identifier, copied into the output first\n"             \
    "  --no-standardize       use the raw feature values (default: each feature is\n"          \
    "                         centred and scaled to unit variance, so GeV and radians\n"       \
    "                         weigh alike)\n"                                                  \
    "  --drop-missing         leave out rows with missing/infinite values (counted;\n"         \
    "                         their output is empty) instead of stopping at the first\n"       \
    "  --seed S               random seed (default 42)\n"                                      \
    "  --threads N            threads (default: all)\n"                                        \
    "  --no-report            do not write the HTML report\n"                                  \
    "  --delimiter C, --header, --no-header, --comment C, --missing LIST,\n"                   \
    "  --strings LIST         CSV reading, as for 'winnow info'\n"                             \
    "  -h, --help             this help\n"

typedef struct cli_unsup {
    const char *cmd;
    wn_csv_options csv;
    const char *data, *out, *model, *label, *weight, *id, *method;
    const char *features_arg;
    const char **ignore;
    int nignore;
    int standardize, drop_missing, no_report;
    uint64_t seed;
    int threads;
    /* after cli_unsup_load */
    wn_table *t;
    char **features; /* the --features list, split */
    int64_t nfeatures;
    char *out_def, *model_def, *report_path;
    char *command_line;
} cli_unsup;

/* Defaults, and the command line as typed (for the model's provenance;
 * before getopt permutes argv). 0, or WN_EXIT_NOMEM with the message printed. */
int cli_unsup_init(cli_unsup *u, const char *cmd, int argc, char **argv);
void cli_unsup_free(cli_unsup *u);
/* Applies one common option; 0, or an exit code (message printed). Returns
 * -1 when `o` is not a common option. */
int cli_unsup_option(cli_unsup *u, int o, const char *arg, const char *optname);
/* After option parsing: the one DATA argument, the defaults of the paths
 * (method names the output: DATA.<method>.csv), reading the table and the
 * roles; fills d (the library's common fit options). 0 or an exit code. */
int cli_unsup_load(cli_unsup *u, int argc, char **argv, const char *method, wn_unsup_data *d);
/* The output table: the --id column and the --label column copied (when
 * given), then each result column; cols[k] holds nrows floats. 0 or an
 * exit code. */
int cli_unsup_write(cli_unsup *u, const char *const *names, float *const *cols, int ncols);
/* The report through wn_unsup_report_write, unless --no-report. r->t,
 * label and id are filled here. 0 or an exit code. */
int cli_unsup_report(cli_unsup *u, wn_unsup_report *r);

#endif
