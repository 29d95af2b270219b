/* main.c — `winnow <command> ...`, git-style. Each command lives in its own
 * cmd_<name>.c and receives argv starting at the command name. */
#define _GNU_SOURCE
#include "cli.h"

#include <string.h>

typedef struct command {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} command;

static const command commands[] = {
    {"anomalies", cmd_anomalies, "score events for how anomalous they are; iterative baskets"},
    {"cluster", cmd_cluster, "cluster events: k-means, Gaussian mixture, self-organising map"},
    {"convert", cmd_convert, "convert a data file between CSV and NumPy .npy"},
    {"demo", cmd_demo, "run the toolkit's main job on built-in simulated data"},
    {"evaluate", cmd_evaluate, "judge a model on labelled data: the HTML run report"},
    {"explain", cmd_explain, "per-row SHAP values of a model's predictions"},
    {"info", cmd_info, "summarise a data file: shape, per-column statistics, labels"},
    {"predict", cmd_predict, "apply a trained model to a data file"},
    {"reduce", cmd_reduce, "reduce the features to principal components (PCA)"},
    {"simulate", cmd_simulate, "generate a built-in physics simulation to CSV/NPY"},
    {"train", cmd_train, "train gradient-boosted decision trees on a data file"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: winnow <command> [options]\n\n"
               "winnow %s — fast, trustworthy machine learning for physics and astronomy\n\n"
               "commands:\n",
            wn_version());
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'winnow <command> --help' describes a command; 'winnow --version' prints "
               "the version.\n");
}

/* OpenBLAS (Debian's pthreads build) keeps its own worker threads, which
 * spin for tens of milliseconds after every call. winnow's LAPACK calls are
 * all small (28 x 28 eigenproblems, per-component Cholesky factors) and run
 * inside its own OpenMP parallelism, so the command line keeps OpenBLAS to
 * the calling thread. The library itself leaves this process-wide setting
 * to its host program. */
void openblas_set_num_threads(int num_threads);

int main(int argc, char **argv)
{
    openblas_set_num_threads(1);
    if (argc < 2) {
        usage(stderr);
        return WN_EXIT_USAGE;
    }
    const char *c = argv[1];
    if (!strcmp(c, "--help") || !strcmp(c, "-h") || !strcmp(c, "help")) {
        if (argc >= 3 && strcmp(c, "help") == 0) {
            for (size_t i = 0; i < NCOMMANDS; i++)
                if (!strcmp(argv[2], commands[i].name)) {
                    char *a[] = {argv[2], (char *)"--help", NULL};
                    return commands[i].fn(2, a);
                }
        }
        usage(stdout);
        return WN_EXIT_OK;
    }
    if (!strcmp(c, "--version") || !strcmp(c, "-V") || !strcmp(c, "version")) {
        printf("winnow %s\n", wn_version());
        return WN_EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(c, commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "winnow: '%s' is not a winnow command (see 'winnow --help')\n", c);
    return WN_EXIT_USAGE;
}
