/* cli.h — what the subcommands share: exit codes, error printing, the
 * terminal progress line. The CLI is thin: it parses options, calls the
 * library, prints. Anything a Python user would also want lives in libwinnow. */
#ifndef WN_CLI_H
#define WN_CLI_H

#include "winnow.h"

#include <stdio.h>

/* Exit codes (docs/cli.md). */
enum {
    WN_EXIT_OK = 0,
    WN_EXIT_ERROR = 1, /* I/O and other run-time failures             */
    WN_EXIT_USAGE = 2, /* bad option or parameter                     */
    WN_EXIT_DATA = 3,  /* malformed or unsuitable input data          */
    WN_EXIT_NOMEM = 4, /* out of memory or over a size limit          */
    WN_EXIT_BUG = 70   /* internal error                              */
};

typedef int (*cli_cmd_fn)(int argc, char **argv);

/* Maps a library status to an exit code. */
int cli_exit_code(wn_status s);
/* Prints "winnow CMD: <wn_errmsg()>" and returns the mapped exit code. */
int cli_fail(const char *cmd, wn_status s);
/* Prints "winnow CMD: <formatted>" (+ a usage hint) and returns WN_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A progress callback drawing "stage  done/total  rate  ETA" on stderr when
 * it is a terminal, silent otherwise. ud: a cli_progress. */
typedef struct cli_progress {
    double t0, last;
    int active;
    const char *unit;
} cli_progress;
wn_progress cli_progress_make(cli_progress *p, const char *unit);
void cli_progress_done(cli_progress *p);

double cli_now(void);

/* A new table of t's rows for a command's output (predict, explain): empty,
 * or, when idc >= 0, holding a copy of t's column idc under its name, text
 * levels included. buf: scratch of nrows(t) floats. Returns 0, or prints the
 * error and returns the exit code. */
int cli_output_table(const char *cmd, const wn_table *t, int64_t idc, float *buf,
                     wn_table **out);

/* The trust summary printed after training (cli/trust.c): features by split
 * gain; for binary classifiers, held-out ROC figures and the overtraining
 * KS test. valid: the validation table or NULL. */
void cli_trust_summary(const wn_model *m, const wn_table *train, const wn_table *valid,
                       const wn_gbdt_params *p, int threads);
/* `train --decoy`: the decoy test's verdict (cli/trust.c): 0 passed, 1 a
 * decoy failed, -1 the test could not run; *out (may be NULL) gets the
 * result for the report when it ran. */
int cli_decoy_summary(const wn_model *m, const wn_table *train, const wn_table *valid,
                      const wn_gbdt_params *p, wn_decoy_result *out);

/* Parses a decimal integer / float option value strictly; prints an error
 * naming the option and returns non-zero on junk. */
int cli_parse_i64(const char *cmd, const char *opt, const char *s, long long lo, long long hi,
                  long long *out);
/* One-character option (--delimiter, --comment): a character, or 'tab',
 * 'space', 'none' (0). */
int cli_parse_char_option(const char *cmd, const char *opt, const char *s, char *out);
int cli_parse_f64(const char *cmd, const char *opt, const char *s, double *out);

/* The CSV reading options every data-reading command takes, as getopt_long
 * entries (values 'd','H','N','c','m','s','t'): put CLI_CSV_LONGOPTS in the
 * command's option table and hand unknown option letters to cli_csv_option. */
#define CLI_CSV_LONGOPTS                                                                       \
    {"delimiter", required_argument, 0, 'd'}, {"header", no_argument, 0, 'H'},                 \
        {"no-header", no_argument, 0, 'N'}, {"comment", required_argument, 0, 'c'},            \
        {"missing", required_argument, 0, 'm'}, {"strings", required_argument, 0, 's'},        \
        {"threads", required_argument, 0, 't'}

/* Applies CSV option `o` with value `arg`: returns 0 when applied, else
 * WN_EXIT_USAGE with the message printed (a bad value, or `o` is not a CSV
 * option either: "unknown option 'optname'"). */
int cli_csv_option(const char *cmd, int o, const char *arg, const char *optname,
                   wn_csv_options *csv);
/* Parses a two-way keyword option: s must be a (*out = 0) or b (*out = 1). */
int cli_parse_choice(const char *cmd, const char *opt, const char *s, const char *a,
                     const char *b, int *out);

/* PATH with its extension (after the last '/') replaced by ".report.html",
 * or that appended when it has none: higgs.wnm -> higgs.report.html.
 * malloc'd; NULL when out of memory. */
char *cli_report_path(const char *path);
/* "winnow <argv...>": the command line as typed, for a model's provenance
 * (take it before getopt permutes argv). malloc'd; NULL when out of memory. */
char *cli_join_argv(int argc, char **argv);

int cmd_info(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_evaluate(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_reduce(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_anomalies(int argc, char **argv);

#endif
