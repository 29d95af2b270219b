/* cmd_simulate.c — `winnow simulate KIND -o FILE`: one of the built-in
 * physics simulations (docs/simulations.md) to CSV or NPY. The simulation
 * itself is libwinnow's (wn_simulate); this file parses options, checks that
 * each option applies to the kind, writes, and for the light curve writes the
 * truth (period, glitch times ...) to FILE.json beside the data. */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
    printf("usage: winnow simulate KIND -o FILE(.csv|.npy) [options]\n\n"
           "Generates a built-in toy physics simulation with truth labels; the same\n"
           "seed gives identical bits at any thread count (docs/simulations.md).\n\n"
           "kinds:\n"
           "  resonance    dijet resonance search (LHC Olympics 2020-like): mjj, jet masses,\n"
           "               tau21, pT, delta_eta, label, weight, event\n"
           "  shower       gamma/hadron air showers as Hillas parameters (MAGIC-like)\n"
           "  higgs-like   28 features shaped like UCI HIGGS (label first)\n"
           "  mismodelled  Drell-Yan-like events: --sample data, or a slightly wrong sim\n"
           "  lightcurve   unevenly sampled periodic light curve with red/white noise and\n"
           "               glitches; the truth goes to FILE.json\n\n"
           "options:\n"
           "  -o, --output FILE            output, .csv or .npy (required)\n"
           "  --rows N                     rows (events or observations), 1..2147483648;\n"
           "                               default 10000\n"
           "  --seed S                     random seed, 0..2^64-1; default 42\n"
           "  --threads T                  0 = all cores (default), up to 4096\n"
           "  --signal-fraction F          [0, 1]; resonance (default 0.1), shower\n"
           "                               (gamma fraction, 0.65), higgs-like (0.53)\n"
           "  --mass M                     resonance: X mass, GeV, [1000, 13000];\n"
           "                               default 3500\n"
           "  --negative-weight-fraction F resonance: [0, 0.5); default 0\n"
           "  --sample data|sim            mismodelled: which sample; default data\n"
           "  --period P                   lightcurve: days, (0, 1e5]; default 2.2047\n"
           "  --shape sinusoid|transit     lightcurve: default sinusoid\n"
           "  --amplitude A                lightcurve: semi-amplitude or transit depth,\n"
           "                               relative flux, [0, 1); default 0.01\n"
           "  --duration D                 lightcurve: transit duration, days,\n"
           "                               (0, period); default 0.16\n"
           "  --noise S                    lightcurve: median white noise, [0, 1];\n"
           "                               default 0.003\n"
           "  --red-noise S                lightcurve: red-noise rms, [0, 1]; default 0.002\n"
           "  -h, --help                   this help\n\n"
           "example: winnow simulate resonance --rows 1e6 --mass 3000 -o events.npy\n");
}

enum {
    O_ROWS = 256,
    O_SEED,
    O_THREADS,
    O_SIGFRAC,
    O_MASS,
    O_NEGW,
    O_SAMPLE,
    O_PERIOD,
    O_SHAPE,
    O_AMP,
    O_DUR,
    O_NOISE,
    O_RED
};

/* Writes text to path atomically: a temporary beside it, then rename. */
static int write_text_atomic(const char *path, const char *text)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 16);
    if (!tmp)
        return ENOMEM;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return e;
    }
    FILE *f = fdopen(fd, "w");
    int e = 0;
    if (!f) {
        e = errno;
        close(fd);
    } else {
        if (fputs(text, f) == EOF || fputc('\n', f) == EOF || fflush(f) != 0)
            e = errno ? errno : EIO;
        if (fclose(f) != 0 && !e)
            e = errno ? errno : EIO;
    }
    if (!e && rename(tmp, path) != 0)
        e = errno;
    if (e)
        unlink(tmp);
    free(tmp);
    return e;
}

static int has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int cmd_simulate(int argc, char **argv)
{
    const char *cmd = "simulate";
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'},
        {"rows", required_argument, 0, O_ROWS},
        {"seed", required_argument, 0, O_SEED},
        {"threads", required_argument, 0, O_THREADS},
        {"signal-fraction", required_argument, 0, O_SIGFRAC},
        {"mass", required_argument, 0, O_MASS},
        {"negative-weight-fraction", required_argument, 0, O_NEGW},
        {"sample", required_argument, 0, O_SAMPLE},
        {"period", required_argument, 0, O_PERIOD},
        {"shape", required_argument, 0, O_SHAPE},
        {"amplitude", required_argument, 0, O_AMP},
        {"duration", required_argument, 0, O_DUR},
        {"noise", required_argument, 0, O_NOISE},
        {"red-noise", required_argument, 0, O_RED},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    /* Options are collected first: the kind (a positional argument) may come
     * after them, and its defaults must be set before they apply. */
    const char *val[O_RED + 1] = {0};
    const char *out = NULL;
    optind = 1;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        if (o == 'h') {
            help();
            return WN_EXIT_OK;
        } else if (o == 'o') {
            out = optarg;
        } else if (o >= O_ROWS && o <= O_RED) {
            val[o] = optarg;
        } else if (o == ':') {
            return cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
        } else {
            return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (argc - optind < 1)
        return cli_usage_error(cmd, "missing KIND (resonance, shower, higgs-like, mismodelled, "
                                    "lightcurve)");
    if (argc - optind > 1)
        return cli_usage_error(cmd, "one KIND only, got '%s' and '%s'", argv[optind],
                               argv[optind + 1]);
    wn_sim_kind kind;
    wn_status s = wn_sim_kind_parse(argv[optind], &kind);
    if (s)
        return cli_fail(cmd, s);
    if (!out)
        return cli_usage_error(cmd, "missing -o FILE (.csv or .npy)");
    if (!has_suffix(out, ".csv") && !has_suffix(out, ".npy"))
        return cli_usage_error(cmd, "-o %s: the output must end in .csv or .npy", out);

    wn_sim_params p;
    wn_sim_params_default(kind, &p);
    /* which options apply to which kind */
    static const struct {
        int opt;
        const char *name;
        unsigned kinds; /* bit per wn_sim_kind */
    } only[] = {
        {O_SIGFRAC, "--signal-fraction",
         1u << WN_SIM_RESONANCE | 1u << WN_SIM_SHOWER | 1u << WN_SIM_HIGGS_LIKE},
        {O_MASS, "--mass", 1u << WN_SIM_RESONANCE},
        {O_NEGW, "--negative-weight-fraction", 1u << WN_SIM_RESONANCE},
        {O_SAMPLE, "--sample", 1u << WN_SIM_MISMODELLED},
        {O_PERIOD, "--period", 1u << WN_SIM_LIGHTCURVE},
        {O_SHAPE, "--shape", 1u << WN_SIM_LIGHTCURVE},
        {O_AMP, "--amplitude", 1u << WN_SIM_LIGHTCURVE},
        {O_DUR, "--duration", 1u << WN_SIM_LIGHTCURVE},
        {O_NOISE, "--noise", 1u << WN_SIM_LIGHTCURVE},
        {O_RED, "--red-noise", 1u << WN_SIM_LIGHTCURVE},
    };
    for (size_t k = 0; k < sizeof only / sizeof only[0]; k++)
        if (val[only[k].opt] && !(only[k].kinds & (1u << kind)))
            return cli_usage_error(cmd, "%s does not apply to %s", only[k].name,
                                   wn_sim_kind_name(kind));

    long long v;
    if (val[O_ROWS]) {
        if (cli_parse_i64(cmd, "--rows", val[O_ROWS], 1, 2147483648LL, &v))
            return WN_EXIT_USAGE;
        p.rows = v;
    }
    if (val[O_SEED]) {
        char *end;
        errno = 0;
        unsigned long long u = strtoull(val[O_SEED], &end, 10);
        if (errno || end == val[O_SEED] || *end || val[O_SEED][0] == '-')
            return cli_usage_error(cmd, "--seed: '%s' is not an integer in 0..2^64-1", val[O_SEED]);
        p.seed = (uint64_t)u;
    }
    if (val[O_THREADS]) {
        if (cli_parse_i64(cmd, "--threads", val[O_THREADS], 0, 4096, &v))
            return WN_EXIT_USAGE;
        p.threads = (int)v;
    }
    struct {
        int opt;
        const char *name;
        double *dst;
    } dbl[] = {{O_SIGFRAC, "--signal-fraction", &p.signal_fraction},
               {O_MASS, "--mass", &p.signal_mass},
               {O_NEGW, "--negative-weight-fraction", &p.negative_weight_fraction},
               {O_PERIOD, "--period", &p.period},
               {O_AMP, "--amplitude", &p.amplitude},
               {O_DUR, "--duration", &p.duration},
               {O_NOISE, "--noise", &p.noise},
               {O_RED, "--red-noise", &p.red_noise}};
    for (size_t k = 0; k < sizeof dbl / sizeof dbl[0]; k++)
        if (val[dbl[k].opt] && cli_parse_f64(cmd, dbl[k].name, val[dbl[k].opt], dbl[k].dst))
            return WN_EXIT_USAGE;
    if (val[O_SAMPLE] &&
        cli_parse_choice(cmd, "--sample", val[O_SAMPLE], "data", "sim", &p.sample_sim))
        return WN_EXIT_USAGE;
    if (val[O_SHAPE] &&
        cli_parse_choice(cmd, "--shape", val[O_SHAPE], "sinusoid", "transit", &p.transit))
        return WN_EXIT_USAGE;

    cli_progress prog;
    p.progress = cli_progress_make(&prog, "rows");
    double t0 = cli_now();
    wn_table *t = NULL;
    char *meta = NULL;
    s = wn_simulate(kind, &p, &t, &meta);
    cli_progress_done(&prog);
    if (s)
        return cli_fail(cmd, s);
    double tsim = cli_now() - t0;
    s = wn_table_write(t, out);
    if (s) {
        wn_table_free(t);
        wn_free(meta);
        return cli_fail(cmd, s);
    }
    char extra[4200] = "";
    int64_t lc = wn_table_role_column(t, WN_ROLE_LABEL);
    if (lc >= 0 && kind != WN_SIM_LIGHTCURVE) {
        int64_t n0 = 0, n1 = 0;
        if (wn_table_check_binary(t, lc, &n0, &n1) == WN_OK)
            snprintf(extra, sizeof extra, ", signal fraction %.4f",
                     (double)n1 / (double)wn_table_nrows(t));
    }
    if (meta) {
        size_t n = strlen(out);
        char *side = malloc(n + 6);
        int e = side ? 0 : ENOMEM;
        if (side) {
            memcpy(side, out, n);
            memcpy(side + n, ".json", 6);
            e = write_text_atomic(side, meta);
            if (e)
                fprintf(stderr, "winnow %s: %s: %s\n", cmd, side, strerror(e));
            else
                snprintf(extra, sizeof extra, ", truth in %s", side);
        }
        free(side);
        wn_free(meta);
        if (e) {
            wn_table_free(t);
            return WN_EXIT_ERROR;
        }
    }
    printf("%s: %lld rows x %lld columns%s (simulated in %.3f s, total %.3f s) -> %s\n",
           wn_sim_kind_name(kind), (long long)wn_table_nrows(t), (long long)wn_table_ncols(t),
           extra, tsim, cli_now() - t0, out);
    wn_table_free(t);
    return WN_EXIT_OK;
}
