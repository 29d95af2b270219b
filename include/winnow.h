/* winnow.h — the public face of libwinnow, a machine-learning toolkit for
 * physics and astronomy data.
 *
 * Everything exported starts with wn_ / WN_. Handles are opaque and typed;
 * every call that can fail returns a wn_status and fills its out-parameters
 * only on success; wn_errmsg() then says what went wrong (file, line, column,
 * parameter). The library never prints, exits or aborts because of its input.
 *
 * A complete small example — read a CSV, mark the label, look at a column:
 *
 *     #include <winnow.h>
 *     #include <stdio.h>
 *
 *     int main(void) {
 *         wn_csv_options opt;
 *         wn_csv_options_default(&opt);
 *         opt.missing = "-999";                 // ATLAS-style missing marker
 *         wn_table *t = NULL;
 *         if (wn_table_read_csv("events.csv", &opt, &t) != WN_OK) {
 *             fprintf(stderr, "winnow: %s\n", wn_errmsg());
 *             return 1;
 *         }
 *         int64_t label;
 *         if (wn_table_find(t, "label", &label) == WN_OK)
 *             wn_table_set_role(t, label, WN_ROLE_LABEL);
 *         wn_column_stats s;
 *         wn_table_column_stats(t, 0, NULL, &s);
 *         printf("%s: mean %g over %lld rows (%lld missing)\n",
 *                wn_table_name(t, 0), s.mean, (long long)s.count,
 *                (long long)s.missing);
 *         wn_table_free(t);
 *         return 0;
 *     }
 *
 * Thread safety: distinct handles may be used from distinct threads freely.
 * A table may be read from many threads at once; writing to it (set_role,
 * add_column, column_mut) needs exclusive access. wn_errmsg() is per thread.
 * wn_set_allocator() is process-wide configuration: call it before anything
 * else, from one thread.
 */
#ifndef WINNOW_H
#define WINNOW_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WN_VERSION_MAJOR 0
#define WN_VERSION_MINOR 1
#define WN_VERSION_PATCH 0
#define WN_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------ */
/* Status and errors                                                          */
/* ------------------------------------------------------------------------ */

typedef enum wn_status {
    WN_OK = 0,
    WN_EINVAL = 1,    /* an argument or parameter is out of its range        */
    WN_ENOMEM = 2,    /* an allocation failed, or a size exceeds a limit      */
    WN_EIO = 3,       /* a file could not be opened, read or written          */
    WN_EFORMAT = 4,   /* input data is malformed (names file, line, column)   */
    WN_ENUMERIC = 5,  /* NaN/inf or a numerical failure where none is allowed */
    WN_ENOTFOUND = 6, /* a named column (or other thing) does not exist       */
    WN_EINTERNAL = 7  /* a broken internal invariant: a bug, please report    */
} wn_status;

/* The message describing the last error on the calling thread. Never NULL;
 * "" if no error has happened. Valid until the next failing call on this
 * thread. */
const char *wn_errmsg(void);

/* A short stable name for a status: "ok", "invalid argument", ... */
const char *wn_status_name(wn_status s);

/* The library version, "MAJOR.MINOR.PATCH". */
const char *wn_version(void);

/* ------------------------------------------------------------------------ */
/* Allocation                                                                 */
/* ------------------------------------------------------------------------ */

/* All library allocation goes through these three functions. A NULL member
 * means the C library's own. `ud` is passed back unchanged. realloc_fn must
 * behave like realloc (NULL ptr = malloc). Process-wide: set it once, before
 * any other call, from one thread. Passing NULL restores the defaults. */
typedef struct wn_allocator {
    void *(*malloc_fn)(size_t size, void *ud);
    void *(*realloc_fn)(void *ptr, size_t size, void *ud);
    void (*free_fn)(void *ptr, void *ud);
    void *ud;
} wn_allocator;

void wn_set_allocator(const wn_allocator *a);

/* Memory the library hands to the caller (documented per function) is
 * released with wn_free. */
void wn_free(void *ptr);

/* ------------------------------------------------------------------------ */
/* Progress                                                                   */
/* ------------------------------------------------------------------------ */

/* Long operations report progress through this callback: `stage` names the
 * work ("parse", "train" ...), `done` of `total` units (total may be -1 when
 * unknown). Returning non-zero asks the operation to stop; it then fails with
 * WN_EINVAL and the message "cancelled". Called from the calling thread only,
 * at most a few hundred times per operation. fn == NULL means silence. */
typedef int (*wn_progress_fn)(void *ud, const char *stage, int64_t done, int64_t total);

typedef struct wn_progress {
    wn_progress_fn fn;
    void *ud;
} wn_progress;

/* ------------------------------------------------------------------------ */
/* Random numbers                                                             */
/* ------------------------------------------------------------------------ */

/* A counter-based generator (Philox4x32-10; Salmon et al., SC'11,
 * doi:10.1145/2063384.2063405). Every number is a pure function of
 * (seed, stream, counter), so a row, tree or thread can draw its own numbers
 * without shared state and results do not depend on scheduling.
 * wn_rng is a plain value: copy it freely. */
typedef struct wn_rng {
    uint64_t seed;
    uint64_t stream;
    uint64_t counter;
} wn_rng;

wn_rng wn_rng_make(uint64_t seed, uint64_t stream);
/* Pure functions of (seed, stream, counter). */
uint64_t wn_rng_u64_at(uint64_t seed, uint64_t stream, uint64_t counter);
/* Stateful helpers: each consumes one or more counter values. */
uint64_t wn_rng_u64(wn_rng *r);
double wn_rng_uniform(wn_rng *r);      /* in [0, 1), 53 random bits          */
double wn_rng_uniform_pos(wn_rng *r);  /* in (0, 1)                          */
double wn_rng_normal(wn_rng *r);       /* standard normal                     */
double wn_rng_exponential(wn_rng *r);  /* mean 1                              */
double wn_rng_gamma(wn_rng *r, double shape); /* shape > 0, scale 1           */
uint64_t wn_rng_below(wn_rng *r, uint64_t n); /* uniform in [0, n), unbiased; n > 0 */
uint64_t wn_rng_poisson(wn_rng *r, double mean);

/* ------------------------------------------------------------------------ */
/* Tables                                                                     */
/* ------------------------------------------------------------------------ */

/* A table is columnar: one contiguous float array per column, NaN meaning
 * missing, a name and a role per column. A column read from text labels
 * (e.g. "g"/"h") holds integer codes 0..nlevels-1 and keeps the mapping
 * (levels in order of first appearance).
 *
 * A view (wn_table_view_rows) selects rows of another table through an index
 * list without copying the data; the data is shared and reference counted, so
 * a view stays valid after its parent is freed. Views are read-only. */
typedef struct wn_table wn_table;

typedef enum wn_role {
    WN_ROLE_FEATURE = 0,
    WN_ROLE_LABEL = 1,
    WN_ROLE_WEIGHT = 2,
    WN_ROLE_ID = 3,
    WN_ROLE_IGNORED = 4
} wn_role;

const char *wn_role_name(wn_role r);

/* Limits: checked before anything is allocated. */
#define WN_MAX_COLUMNS 100000
#define WN_MAX_NAME 1024
#define WN_MAX_LEVELS (1 << 24) /* integer codes stay exact in float32 */

/* A new table of `nrows` rows and no columns. nrows >= 0. */
wn_status wn_table_create(int64_t nrows, wn_table **out);

/* Appends a column. `data` (nrows floats) is copied; NULL fills with NaN.
 * The name must be non-empty, at most WN_MAX_NAME bytes, and unique.
 * Role is WN_ROLE_FEATURE. Errors: WN_EINVAL (name, view), WN_ENOMEM. */
wn_status wn_table_add_column(wn_table *t, const char *name, const float *data);

/* Frees a table or view. NULL is fine. */
void wn_table_free(wn_table *t);

int64_t wn_table_nrows(const wn_table *t);
int64_t wn_table_ncols(const wn_table *t);
/* Name of column c (0 <= c < ncols), owned by the table. */
const char *wn_table_name(const wn_table *t, int64_t c);
/* Finds a column by exact name. WN_ENOTFOUND (message lists near names). */
wn_status wn_table_find(const wn_table *t, const char *name, int64_t *col);

wn_role wn_table_role(const wn_table *t, int64_t c);
wn_status wn_table_set_role(wn_table *t, int64_t c, wn_role r);
/* The first column with role r, or -1. */
int64_t wn_table_role_column(const wn_table *t, wn_role r);

/* Physical column data. For a base table it has nrows entries; for a view it
 * is the parent's storage and must be read through wn_table_rows(). Owned by
 * the table; valid while the table (or any view of it) lives. */
const float *wn_table_column(const wn_table *t, int64_t c);
/* Writable column data of a base table (NULL for a view). */
float *wn_table_column_mut(wn_table *t, int64_t c);
/* The row index list of a view (nrows entries into the physical columns), or
 * NULL for a base table. */
const int64_t *wn_table_rows(const wn_table *t);
/* Value at logical row r of column c. */
float wn_table_get(const wn_table *t, int64_t r, int64_t c);
/* Copies column c's logical rows into dst (nrows floats). */
void wn_table_gather(const wn_table *t, int64_t c, float *dst);

/* A view of `n` rows of `t` chosen by `rows` (each 0 <= rows[i] < nrows(t);
 * repeats allowed). The list is copied. Views of views compose. */
wn_status wn_table_view_rows(const wn_table *t, const int64_t *rows, int64_t n, wn_table **out);

/* Categorical levels of column c: 0 for a numeric column. */
int64_t wn_table_nlevels(const wn_table *t, int64_t c);
/* Level text of code k, owned by the table; NULL if out of range. */
const char *wn_table_level(const wn_table *t, int64_t c, int64_t k);
/* Sets the levels of column c (copied); codes in the data must index them. */
wn_status wn_table_set_levels(wn_table *t, int64_t c, const char *const *levels, int64_t n);

/* Summary of one column over the logical rows; weights (may be NULL) weigh
 * the moments. Accumulated in double, in a fixed order (deterministic). */
typedef struct wn_column_stats {
    int64_t count;   /* non-missing, finite values                        */
    int64_t missing; /* NaN                                               */
    int64_t posinf;  /* +inf                                              */
    int64_t neginf;  /* -inf                                              */
    double min, max; /* over finite values; NaN when count == 0           */
    double mean, std; /* weighted when weights given; std is population std */
    double sum_weights;
} wn_column_stats;

wn_status wn_table_column_stats(const wn_table *t, int64_t c, const float *weights,
                                wn_column_stats *out);

/* One distinct value of a column and how often it occurs. */
typedef struct wn_class_count {
    float value;   /* the value (a level code for a text column)      */
    int64_t count; /* rows holding it                                  */
    double weight; /* sum of their weights (= count without weights)   */
} wn_class_count;

/* Class balance of column c: its distinct non-missing values in ascending
 * order with counts and weight sums, written to out[0..*n-1] (cap entries
 * available). *missing counts NaN rows. More than `cap` distinct values gives
 * WN_EFORMAT ("more than cap distinct values"). Deterministic. */
wn_status wn_table_class_counts(const wn_table *t, int64_t c, const float *weights,
                                wn_class_count *out, int64_t cap, int64_t *n, int64_t *missing);

/* Checks that column c holds a binary label: every value 0 or 1 (or exactly
 * two levels). WN_EFORMAT names the values found otherwise. *n1 counts ones. */
wn_status wn_table_check_binary(const wn_table *t, int64_t c, int64_t *n0, int64_t *n1);

/* ------------------------------------------------------------------------ */
/* Reading and writing                                                        */
/* ------------------------------------------------------------------------ */

typedef struct wn_csv_options {
    char delimiter;      /* 0: sniff among , \t ; | and space. Default 0    */
    int header;          /* -1: detect, 0: none (names c0, c1 ...), 1: yes   */
    char comment;        /* lines starting with it are skipped; 0 = none. '#' */
    const char *missing; /* comma-separated tokens read as NaN, besides empty
                            cells and the defaults NA,NaN,nan,N/A,null     */
    const char *strings; /* comma-separated column names forced to be
                            categorical (text); NULL: detect from the data  */
    int threads;         /* 0: all available                                */
    int64_t max_line;    /* longest line accepted, bytes. Default 1 MiB     */
    wn_progress progress;
} wn_csv_options;

void wn_csv_options_default(wn_csv_options *o);

/* Reads a CSV/TSV file into a new table (docs/csv.md). Each number is stored
 * as (float)strtod(text), bit for bit. A column whose first non-missing cell
 * is text, or that is mostly text, becomes categorical; a stray text in a
 * numeric column is an error. Errors name the file, line, column and text.
 * Output is identical at any thread count. */
wn_status wn_table_read_csv(const char *path, const wn_csv_options *o, wn_table **out);

/* Writes the table's logical rows as CSV with a header line; categorical
 * columns as their level text; NaN as empty. Floats are written with the
 * shortest text that reads back to the same float. Atomic (temp + rename). */
wn_status wn_table_write_csv(const wn_table *t, const char *path);

/* Reads a NumPy .npy file: a 1-D array (one column), a 2-D array (columns
 * x0, x1 ...; C or Fortran order) or a 1-D structured array of numeric
 * fields (one column per field, field names kept). Element types: float16/
 * 32/64, signed and unsigned integers of 1-8 bytes, bool; either endian.
 * Values convert to float32. */
wn_status wn_table_read_npy(const char *path, wn_table **out);

typedef enum wn_npy_layout {
    WN_NPY_STRUCTURED = 0, /* 1-D record array, one float32 field a column:
                              names survive the round trip (default)       */
    WN_NPY_MATRIX = 1      /* 2-D float32 array, C order: names are lost   */
} wn_npy_layout;

/* Writes the logical rows as .npy. Atomic (temp + rename). */
wn_status wn_table_write_npy(const wn_table *t, const char *path, wn_npy_layout layout);

/* Reads by extension: .csv .tsv .txt .dat .data → CSV (o may be NULL for
 * defaults), .npy → NumPy. */
wn_status wn_table_read(const char *path, const wn_csv_options *o, wn_table **out);
/* Writes by extension: .csv or .npy (structured). */
wn_status wn_table_write(const wn_table *t, const char *path);

/* ------------------------------------------------------------------------ */
/* Built-in simulations                                                       */
/* ------------------------------------------------------------------------ */

/* Toy physics models with truth labels, documented in docs/simulations.md.
 * Output is a pure function of the parameters and seed: identical bits at
 * any thread count. */
typedef enum wn_sim_kind {
    WN_SIM_RESONANCE = 0,   /* dijet resonance search (LHC Olympics-like)   */
    WN_SIM_SHOWER = 1,      /* gamma/hadron air showers, Hillas parameters  */
    WN_SIM_HIGGS_LIKE = 2,  /* 28 features shaped like UCI HIGGS            */
    WN_SIM_MISMODELLED = 3, /* data / slightly wrong simulation pair        */
    WN_SIM_LIGHTCURVE = 4   /* unevenly sampled periodic light curve        */
} wn_sim_kind;

typedef struct wn_sim_params {
    int64_t rows;                    /* [1, 2^31]; default 10000             */
    uint64_t seed;                   /* default 42                           */
    int threads;                     /* 0: all available (default); <= 4096  */
    double signal_fraction;          /* [0,1]; resonance (default 0.1),
                                        shower (0.65), higgs-like (0.53)     */
    double signal_mass;              /* resonance: X mass in GeV,
                                        [1000, 13000]; default 3500          */
    double negative_weight_fraction; /* [0,0.5); resonance; default 0        */
    int sample_sim;                  /* mismodelled: 0 = data, 1 = sim       */
    double period;                   /* lightcurve: days, (0, 1e5];
                                        default 2.2047 (HAT-P-7 b)           */
    int transit;                     /* lightcurve: 0 sinusoid, 1 box transit */
    wn_progress progress;
    /* Added with the simulations (lightcurve only): */
    double amplitude; /* sinusoid semi-amplitude or transit depth, relative
                         flux, [0, 1); default 0.01                          */
    double duration;  /* transit duration, days, (0, period); default 0.16   */
    double noise;     /* median white-noise sigma (flux_err), relative flux,
                         [0, 1]; default 0.003                               */
    double red_noise; /* rms of the red (damped random walk, tau = 1 d)
                         noise, relative flux, [0, 1]; default 0.002         */
} wn_sim_params;

/* Fills defaults for a kind (rows 10000, seed 42, ...). */
void wn_sim_params_default(wn_sim_kind kind, wn_sim_params *p);
/* "resonance", "shower", ... → kind. WN_EINVAL lists the valid names. */
wn_status wn_sim_kind_parse(const char *name, wn_sim_kind *out);
const char *wn_sim_kind_name(wn_sim_kind kind);

/* Simulates into a new table (label/weight columns get their roles). For
 * WN_SIM_LIGHTCURVE, *meta_json (if meta_json is non-NULL) receives a JSON
 * text with the truth (period, glitch times ...), released with wn_free;
 * other kinds set it to NULL. WN_EINVAL names a parameter out of range and
 * its allowed range. */
wn_status wn_simulate(wn_sim_kind kind, const wn_sim_params *p, wn_table **out,
                      char **meta_json);

/* ------------------------------------------------------------------------ */
/* Metrics                                                                    */
/* ------------------------------------------------------------------------ */

/* Figures of merit for predictions, weighted by event weights (negative
 * weights allowed: every metric is a ratio of weighted sums). */
typedef enum wn_metric {
    WN_METRIC_DEFAULT = 0,  /* the objective's own: logloss, mlogloss, rmse,
                               mae or huber                                   */
    WN_METRIC_LOGLOSS = 1,  /* binary cross-entropy of P(y=1)                 */
    WN_METRIC_AUC = 2,      /* area under the ROC curve, ties counted half    */
    WN_METRIC_ERROR = 3,    /* binary: fraction misclassified at P = 0.5;
                               multiclass: fraction whose argmax is wrong     */
    WN_METRIC_MLOGLOSS = 4, /* multiclass cross-entropy                       */
    WN_METRIC_RMSE = 5,
    WN_METRIC_MAE = 6,
    WN_METRIC_HUBER = 7     /* mean Huber loss with the objective's delta     */
} wn_metric;

/* "auc", "logloss", ... → metric; WN_EINVAL lists the valid names. */
wn_status wn_metric_parse(const char *name, wn_metric *out);
const char *wn_metric_name(wn_metric m);
/* 1 when a larger value is better (AUC), 0 otherwise. */
int wn_metric_higher_better(wn_metric m);

/* Evaluates metric m on n predictions. y: labels (0/1 for binary metrics;
 * class 0..nclass-1 for multiclass ones; real values for regression ones);
 * w: weights or NULL (all 1); pred: n*nclass values, row-major, already
 * transformed (probabilities, or values for regression); nclass: 1 for binary
 * and regression. huber_delta: for WN_METRIC_HUBER only. Deterministic.
 * Errors: WN_EINVAL (n < 1, NULL arguments, metric not defined for nclass,
 * WN_METRIC_DEFAULT), WN_ENUMERIC (the sum of weights, or for AUC of the
 * positive or negative weights, is not > 0; NaN in the inputs). */
wn_status wn_metric_eval(wn_metric m, const float *y, const float *w, const double *pred,
                         int64_t n, int nclass, double huber_delta, double *out);

/* ROC analysis of a binary classifier's scores (src/eval/roc.c). y: 0/1
 * labels; w: weights or NULL (negative weights allowed; each class's total
 * must be > 0); score: larger = more signal-like. Deterministic. */
typedef struct wn_roc_summary {
    double auc;
    double auc_lo, auc_hi;  /* bootstrap percentile interval (level given),
                               NaN when nboot == 0                           */
    double sig_eff_at_bkg[3]; /* signal efficiency at background efficiency
                               1e-1, 1e-2, 1e-3 (TMVA's table; interpolated
                               on the weighted ROC curve)                    */
    double bkg_rej_at_sig[3]; /* background rejection 1 - eff_B at signal
                               efficiency 0.3, 0.5, 0.7                      */
    double ams;             /* max over thresholds of the approximate median
                               significance (ATLAS Higgs challenge, b_reg =
                               10) with s, b the weight sums above threshold  */
    double ams_threshold;   /* the score where it is reached                 */
    double brier;           /* weighted mean (p - y)^2; scores read as P     */
    double accuracy;        /* at score 0.5                                  */
} wn_roc_summary;

/* Fills *out. nboot bootstrap resamples of the rows (0 = none) drawn by the
 * counter RNG from seed; level e.g. 0.68 or 0.95. Errors: WN_EINVAL (n < 2,
 * NULL, level outside (0,1), nboot < 0), WN_EFORMAT (a label not 0/1),
 * WN_ENUMERIC (NaN score or weight; a class total <= 0). */
wn_status wn_roc_summarize(const float *y, const float *w, const double *score, int64_t n,
                           int64_t nboot, double level, uint64_t seed, int threads,
                           wn_roc_summary *out);

/* The weighted ROC curve: at most max_points (>= 2) points (eff_S, eff_B),
 * from (0,0) to (1,1), thresholds chosen at equal steps of eff_S.
 * *npoints receives the count; the caller provides arrays of max_points. */
wn_status wn_roc_curve(const float *y, const float *w, const double *score, int64_t n,
                       int64_t max_points, double *eff_sig, double *eff_bkg, int64_t *npoints);

/* Two-sample Kolmogorov-Smirnov test between weighted samples a and b (e.g.
 * train and test scores of one class, TMVA's overtraining check): *d the
 * largest distance between the weighted empirical CDFs, *p the asymptotic
 * p-value with the effective sizes n_eff = (sum w)^2 / sum w^2 (Kish).
 * wa/wb may be NULL. Errors: WN_EINVAL (na or nb < 1), WN_ENUMERIC (NaN,
 * a weight total <= 0). */
wn_status wn_ks_test(const double *a, const float *wa, int64_t na, const double *b,
                     const float *wb, int64_t nb, double *d, double *p);

/* Calibration (reliability) of predicted probabilities p in [0, 1]: nbins
 * equal-width bins of p; per bin the weighted mean prediction, the weighted
 * fraction of label 1 and the weight sum (NaN means for an empty bin), and
 * the expected calibration error ECE = sum_b W_b |frac_b - mean_b| / W.
 * Arrays of nbins entries (2..1000). Errors: WN_EINVAL, WN_EFORMAT (label
 * not 0/1), WN_ENUMERIC (NaN, p outside [0,1], weight total <= 0). */
wn_status wn_calibration(const float *y, const float *w, const double *p, int64_t n, int nbins,
                         double *mean_pred, double *frac_pos, double *wsum, double *ece);

/* The leak check's figure: the AUC of one feature used alone as the score
 * (rows where x is NaN skipped; *used receives their complement). A value
 * near 0 or 1 means the feature alone separates the classes. Errors as
 * wn_roc_summarize. */
wn_status wn_single_feature_auc(const float *y, const float *w, const float *x, int64_t n,
                                double *auc, int64_t *used);

/* Weighted Pearson correlations of ncols columns of t (physical columns
 * cols[]), over the rows with mask[r] != 0 (mask NULL: all) and no NaN in
 * any of the columns; out is ncols x ncols, row-major, 1 on the diagonal
 * (NaN for a constant column). w may be NULL. Deterministic (fixed-order
 * double sums). */
wn_status wn_correlation(const wn_table *t, const int64_t *cols, int64_t ncols, const float *w,
                         const uint8_t *mask, double *out);

/* ------------------------------------------------------------------------ */
/* Boosted decision trees                                                    */
/* ------------------------------------------------------------------------ */

/* Histogram gradient boosting (docs/gbdt.md). Training data is a table whose
 * roles say what each column is: exactly one WN_ROLE_LABEL column, at most
 * one WN_ROLE_WEIGHT column (event weights; negative weights are allowed
 * with every objective but L1, docs/negative-weights.md), the features are
 * all WN_ROLE_FEATURE columns in table order; WN_ROLE_ID and
 * WN_ROLE_IGNORED columns are not used (except params.fold_by).
 *
 *     wn_gbdt_params p;
 *     wn_gbdt_params_default(&p);
 *     p.rounds = 200;
 *     wn_model *m = NULL;
 *     if (wn_gbdt_train(train, NULL, &p, &m) != WN_OK)
 *         fprintf(stderr, "winnow: %s\n", wn_errmsg());
 *     double *prob = malloc(sizeof(double) * wn_table_nrows(test));
 *     wn_gbdt_predict(m, test, WN_PREDICT_VALUE, 0, prob); // P(label = 1)
 *     wn_model_save(m, "higgs.wnm");
 *     wn_model_free(m);
 */
typedef enum wn_objective {
    WN_OBJ_BINARY = 0,     /* log-loss, label 0/1; output P(y = 1)          */
    WN_OBJ_MULTICLASS = 1, /* softmax, label 0..num_class-1; output K probs */
    WN_OBJ_L2 = 2,         /* squared error; output the value                */
    WN_OBJ_L1 = 3,         /* absolute error (leaves: weighted medians)      */
    WN_OBJ_HUBER = 4       /* Huber loss with huber_delta                    */
} wn_objective;

wn_status wn_objective_parse(const char *name, wn_objective *out);
const char *wn_objective_name(wn_objective o);

#define WN_GBDT_MAX_LEAVES 65536
#define WN_GBDT_MAX_CLASSES 1024

typedef struct wn_gbdt_params {
    wn_objective objective; /* default WN_OBJ_BINARY                         */
    int num_class;          /* multiclass: 3..WN_GBDT_MAX_CLASSES; 0 = from
                               the labels (max + 1). Others: ignored         */
    int64_t rounds;         /* boosting rounds, >= 1; default 100            */
    double learning_rate;   /* (0, 1]... any > 0; default 0.1                */
    int num_leaves;         /* 2..WN_GBDT_MAX_LEAVES; default 31             */
    int max_depth;          /* 0 = unlimited (default), else 1..64           */
    int64_t min_data_in_leaf; /* >= 1; default 20                            */
    double min_sum_hessian; /* >= 0; default 1e-3 (a leaf's hessian sum must
                               exceed max(this, 1e-12): see negative weights) */
    double lambda_l1;       /* >= 0; default 0                               */
    double lambda_l2;       /* >= 0; default 1                               */
    double min_split_gain;  /* >= 0; default 0                               */
    double row_subsample;   /* (0, 1]; default 1: each round keeps each row
                               with this probability (counter RNG: seed, round,
                               row)                                          */
    double col_subsample;   /* (0, 1]; default 1: features per tree          */
    int max_bins;           /* 2..255; default 255                           */
    int64_t bin_sample_rows; /* rows sampled to choose bins; default 200000;
                               <= 0: all                                      */
    double huber_delta;     /* > 0; default 1                                */
    const int8_t *monotone; /* NULL, or one of -1/0/+1 per feature (feature
                               order): the prediction may only fall/rise with
                               that feature                                   */
    int64_t n_monotone;     /* entries in monotone (= number of features)    */
    const double *class_weight; /* NULL or num classes (2 for binary) factors
                               multiplying the weight of each class's rows,
                               each finite and > 0                            */
    int n_class_weight;
    double valid_fraction;  /* [0, 1): rows held out for validation when no
                               validation table is given (chosen by the RNG);
                               default 0                                      */
    int64_t early_stopping_rounds; /* 0 = off (default); stops when the
                               validation metric has not improved for this
                               many rounds; the model keeps the best round    */
    wn_metric metric;       /* for validation and early stopping; default:
                               the objective's own                            */
    int folds;              /* 0 or 1: one model (default); 2..100: k-fold by
                               event number, fold = id mod folds              */
    const char *fold_by;    /* the id column (integer values >= 0) that
                               defines the folds; required when folds > 1     */
    int ensemble;           /* 0 or 1: one model (default); 2..100: K bagged
                               members, each trained on a Poisson(1)
                               bootstrap resample of the training rows (the
                               counter RNG: seed, member, row), so that the
                               spread of their outputs measures the model's
                               own uncertainty. predict gives the members'
                               mean; wn_gbdt_predict_members each one's.
                               Not combined with folds.                      */
    uint64_t seed;          /* default 42                                    */
    int threads;            /* 0 = all available; the model does not depend
                               on it                                          */
    const char *command_line; /* recorded in the model's provenance; NULL ok */
    wn_progress progress;   /* stage "train": done = rounds so far           */
} wn_gbdt_params;

void wn_gbdt_params_default(wn_gbdt_params *p);
/* Sets one parameter from text, as `winnow train --param key=value` does:
 * objective, num_class, rounds, learning_rate (alias eta), num_leaves,
 * max_depth, min_data_in_leaf, min_sum_hessian, lambda_l1, lambda_l2,
 * min_split_gain, row_subsample, col_subsample, max_bins, bin_sample_rows,
 * huber_delta, early_stopping_rounds, metric, seed, threads, valid_fraction,
 * ensemble.
 * WN_EINVAL names the key and the allowed range, or lists the keys. */
wn_status wn_gbdt_params_set(wn_gbdt_params *p, const char *key, const char *value);

typedef struct wn_model wn_model;

/* Trains a model on `train` (roles as above). `valid` (may be NULL): a table
 * with the same feature, label and weight names, used for the validation
 * metric and early stopping; with valid == NULL and valid_fraction > 0 a
 * random part of train is held out instead. With folds > 1 one model per fold
 * is trained on the rows whose fold differs (validation inside each fold
 * uses valid_fraction of its training rows) and *out holds all of them.
 * The model is a pure function of the data, the parameters and the seed
 * (bit-identical at any thread count). Errors name the column or parameter:
 * WN_EINVAL, WN_EFORMAT (labels), WN_ENUMERIC (NaN/inf label or weight,
 * weights summing to <= 0), WN_ENOTFOUND, WN_ENOMEM. */
wn_status wn_gbdt_train(const wn_table *train, const wn_table *valid, const wn_gbdt_params *p,
                        wn_model **out);

/* The rows wn_gbdt_train holds out for validation when valid_fraction > 0
 * and no validation table is given: mask[r] = 1 for held-out rows of a
 * table of nrows rows (k-fold training holds out the same rows within each
 * fold's training set). Lets a caller compare training and held-out rows. */
wn_status wn_gbdt_holdout_mask(const wn_gbdt_params *p, int64_t nrows, uint8_t *mask);

typedef enum wn_predict_kind {
    WN_PREDICT_VALUE = 0, /* probabilities (classification) or values       */
    WN_PREDICT_RAW = 1    /* raw scores (log-odds, softmax inputs)           */
} wn_predict_kind;

/* Predicts every row of t into out[nrows * wn_model_num_outputs(m)],
 * row-major. Features are found by name in t (extra columns are ignored;
 * WN_ENOTFOUND lists the missing ones). A k-fold model applies to each row
 * the fold model that did not see it when t has the fold_by column, else the
 * mean of the fold models' raw scores. An ensemble (params.ensemble) gives
 * the mean of its members' outputs: of their values (probabilities) for
 * WN_PREDICT_VALUE, of their raw scores for WN_PREDICT_RAW. Deterministic;
 * threads 0 = all. */
wn_status wn_gbdt_predict(const wn_model *m, const wn_table *t, wn_predict_kind kind,
                          int threads, double *out);

/* Output values (WN_PREDICT_VALUE) of each member of a model separately:
 * out[(k * nrows + r) * nout + j] for member k (0 .. members-1), where the
 * members are an ensemble's bagged models (params.ensemble = K) or a k-fold
 * model's fold models (no routing by the fold column). Their mean over k is
 * what wn_gbdt_predict gives an ensemble; their standard deviation is the
 * per-event uncertainty `winnow predict` writes. A one-model model has one
 * member. Deterministic; errors as wn_gbdt_predict. */
wn_status wn_gbdt_predict_members(const wn_model *m, const wn_table *t, int threads, double *out);

/* Atomic save (temp file, fsync, rename) in the container format
 * (docs/model-format.md). */
wn_status wn_model_save(const wn_model *m, const char *path);
/* Loads and checks a model file: WN_EIO, WN_EFORMAT (not a model, truncated,
 * corrupted, newer version, inconsistent trees) naming the file. */
wn_status wn_model_load(const char *path, wn_model **out);
void wn_model_free(wn_model *m);

/* Accessors. Strings are owned by the model. */
const char *wn_model_kind(const wn_model *m);          /* "gbdt"              */
wn_objective wn_model_objective(const wn_model *m);
int wn_model_num_outputs(const wn_model *m);           /* 1, or num_class     */
int64_t wn_model_num_features(const wn_model *m);
const char *wn_model_feature_name(const wn_model *m, int64_t i);
const char *wn_model_label_name(const wn_model *m);
const char *wn_model_weight_name(const wn_model *m);   /* NULL: unweighted    */
int wn_model_num_folds(const wn_model *m);             /* 1 = no k-fold       */
int wn_model_ensemble_size(const wn_model *m);         /* K bagged; 0: none   */
const char *wn_model_fold_by(const wn_model *m);       /* NULL when 1 fold    */
/* Rounds kept in fold f (after early stopping: best iteration + 1). */
int64_t wn_model_num_rounds(const wn_model *m, int fold);
/* Per-round metric history of fold f: *n rounds trained (before any early
 * stopping cut). The training metric is evaluated every 10th round and at
 * the last one (NaN at the others: it costs a pass over all rows); the
 * validation metric every round. train/valid may be passed NULL; *valid is
 * NULL when there was no validation. Owned by the model. */
wn_status wn_model_history(const wn_model *m, int fold, wn_metric *metric, const double **train,
                           const double **valid, int64_t *n);
/* The model file's JSON header (parameters, provenance), owned by the model. */
const char *wn_model_header(const wn_model *m);

/* Feature importance of a GBDT model, one value per feature (model order),
 * summed over all trees of all folds: WN_IMPORTANCE_GAIN the total split gain
 * of the feature's splits, WN_IMPORTANCE_SPLITS how many splits use it,
 * WN_IMPORTANCE_COVER the training rows through them. */
typedef enum wn_importance_kind {
    WN_IMPORTANCE_GAIN = 0,
    WN_IMPORTANCE_SPLITS = 1,
    WN_IMPORTANCE_COVER = 2
} wn_importance_kind;
wn_status wn_gbdt_importance(const wn_model *m, wn_importance_kind kind, double *out);

/* Exact SHAP values (TreeSHAP, Lundberg, Erion & Lee 2018, arXiv:1802.03888,
 * the path-dependent algorithm; leaf covers from the training rows) of every
 * row of t: out[(r * nout + k) * (nfeat + 1) + j] is feature j's
 * contribution to raw score k of row r, and j = nfeat holds the expected
 * value (base score + the trees' cover-weighted mean leaf values), so a
 * row's nfeat + 1 values sum to its raw score (WN_PREDICT_RAW) up to
 * rounding. A k-fold model uses the fold that predict would use, or, when t
 * lacks the fold column, the mean of the folds' values (SHAP values are
 * linear in the model, so the sum still holds). Parallel over rows;
 * deterministic. Errors as wn_gbdt_predict. */
wn_status wn_gbdt_shap(const wn_model *m, const wn_table *t, int threads, double *out);

/* Permutation importance (Breiman 2001; Fisher, Rudin & Dominici 2019) on
 * held-out data t: for each model feature, the metric's loss when that
 * feature's values are shuffled among the rows (a permutation drawn by the
 * counter RNG from (seed, feature, repeat)), repeated `repeats` (>= 2)
 * times: mean[f] and std[f] (sample standard deviation over repeats) of
 * metric(original) - metric(shuffled) for higher-is-better metrics (AUC),
 * the reverse otherwise, so larger = more important. Repeat k evaluates
 * both metrics on its own bootstrap resample of the rows (Poisson(1) counts
 * times the weights, from the counter RNG), so std is an error bar for the
 * finite held-out sample as well as for the shuffle. Needs the label (and
 * weight) columns in t. Deterministic at any thread count. */
wn_status wn_gbdt_permutation_importance(const wn_model *m, const wn_table *t, wn_metric metric,
                                         int repeats, uint64_t seed, int threads, double *mean,
                                         double *std);

/* Multiclass summary (src/eval/classes.c): for K classes (labels 0..K-1,
 * prob row-major n x K), the one-vs-rest AUC of each class (auc[K]; NaN when
 * a class or its complement has no positive weight) and the weighted
 * confusion matrix conf[K*K] (row = true class, column = argmax class, ties
 * to the lower class), plus the weighted accuracy. w may be NULL. */
wn_status wn_multiclass_summary(const float *y, const float *w, const double *prob, int64_t n,
                                int nclass, double *auc, double *conf, double *accuracy);

/* Regression summary: weighted RMSE, MAE, R² (1 - SS_res/SS_tot about the
 * weighted mean; NaN when SS_tot = 0) and the residual (pred - y) quantiles
 * at 2.5%, 16%, 50%, 84%, 97.5% (q[5], weighted). w may be NULL. */
wn_status wn_regression_summary(const float *y, const float *w, const double *pred, int64_t n,
                                double *rmse, double *mae, double *r2, double *q);

/* Stability under input smearing (src/eval/stability.c): each of `repeats`
 * times, every model feature x of every row of t is replaced by
 * x * (1 + resolution[f] * z), z ~ N(0,1) from the counter RNG keyed by
 * (seed, repeat, feature, row) (resolution NULL: 1% for all; NaN stays NaN),
 * and the output (WN_PREDICT_VALUE, first output) is recomputed. Out: the
 * distribution of |output change| over rows and repeats — mean, and the
 * 50%, 90%, 99% quantiles (q[3]) — and, for binary models with labels in t,
 * the AUC's mean and standard deviation over the repeats (NaN otherwise).
 * Deterministic at any thread count. */
typedef struct wn_stability {
    double mean_abs_change;
    double q_abs_change[3];   /* 50%, 90%, 99%                               */
    double auc_mean, auc_std; /* over the smeared repeats                    */
    double auc_nominal;       /* without smearing                            */
} wn_stability;
wn_status wn_gbdt_stability(const wn_model *m, const wn_table *t, const double *resolution,
                            int repeats, uint64_t seed, int threads, wn_stability *out);

/* The decoy test (src/eval/decoy.c): retrains with decoy features added —
 * a row-shuffled copy of the model's most important feature (by gain: same
 * distribution, no information) and pure Gaussian noise, plus optionally an
 * existing column named extra_decoy (tests use it to plant an informative
 * "decoy") — and measures each decoy's permutation importance on held-out
 * rows (test; NULL: the training rows). A decoy passes when its importance
 * is within the noise band: mean <= 2 std (std over repeats) or <= 1% of
 * the top real feature's. The retraining uses params as given (and their
 * seed), so it costs one more training. */
typedef struct wn_decoy_result {
    int ndecoys;              /* 2, or 3 with extra_decoy                  */
    char names[3][80];        /* the decoy columns' names                  */
    double mean[3], std[3];   /* their permutation importance (AUC loss for
                                 binary, the objective's metric otherwise) */
    double top_mean;          /* the most important real feature's         */
    char top_name[80];
    int pass[3];              /* 1: within the noise band                  */
    int all_pass;
} wn_decoy_result;

wn_status wn_gbdt_decoy_test(const wn_model *m, const wn_table *train, const wn_table *test,
                             const wn_gbdt_params *p, const char *extra_decoy, int repeats,
                             wn_decoy_result *out);

/* The run report: one self-contained HTML file (inline SVG, no scripts or
 * network) judging a model (src/report/). train: the training rows (may be
 * NULL: no overtraining panel); test: held-out rows with labels (may be
 * NULL: only the model's own panels). Panels for binary classifiers: ROC
 * and background rejection vs signal efficiency (log), TMVA's efficiency
 * table, classifier output per class (train points over test filled, with
 * KS p-values), importance (gain; permutation on test with error bars;
 * mean |SHAP|), leak check, calibration, input distributions per class of
 * the most important features, correlation matrices per class, learning
 * curves, and the manifest (model header: data hash, parameters, seed,
 * version, command); for an ensemble (params.ensemble) each member's
 * held-out AUC and the per-event spread; the decoy test when options.decoy
 * is given. Other objectives get the panels that apply. Written
 * atomically. */
typedef struct wn_report_options {
    const char *title;     /* NULL: from the model                          */
    int max_features;      /* feature panels for the top features; default 8 */
    int64_t max_rows;      /* rows sampled for SHAP and permutation
                              importance (counter RNG); default 5000        */
    int perm_repeats;      /* default 5                                     */
    uint64_t seed;         /* default 42                                    */
    int threads;           /* 0 = all                                       */
    const wn_decoy_result *decoy; /* a decoy test's result to show, or NULL */
} wn_report_options;

void wn_report_options_default(wn_report_options *o);
wn_status wn_gbdt_report(const wn_model *m, const wn_table *train, const wn_table *test,
                         const wn_report_options *o, const char *path);


/* ==== Unsupervised methods: reduction, clustering, anomalies ==============
 *
 * Common conventions (src/core/unsup.c):
 * - Features: the columns named in wn_unsup_data.features, or, when that is
 *   NULL, every column whose role is WN_ROLE_FEATURE. A fitted model keeps
 *   their names and finds them by name in the data it is applied to
 *   (WN_ENOTFOUND names the missing ones).
 * - Weights: the table's WN_ROLE_WEIGHT column, when it has one, weights
 *   every event in the fit (a weight w counts as w identical events);
 *   negative weights are refused (WN_ENUMERIC naming the row): a density, a
 *   centroid or a variance has no meaning with negative mass.
 * - Missing values: a NaN or +-inf in a used feature is WN_ENUMERIC naming
 *   the row (1-based) and the column, unless drop_missing is set: then such rows
 *   are left out of the fit and counted (the model's n_dropped). When a model
 *   is applied with allow_missing, such rows get NaN outputs (label -1).
 * - standardize: each feature is centred on its weighted mean and divided by
 *   its weighted standard deviation before fitting; the model keeps both and
 *   applies them to new data. A constant feature keeps scale 1. Data whose
 *   features are all constant is WN_ENUMERIC. (WN_EINVAL is kept for
 *   parameters: k larger than the rows, a grid larger than the data ...)
 * - Randomness from the counter RNG keyed by seed: the same data, parameters
 *   and seed give the same bits at any thread count.
 * - Models are read-only once fitted: applying one from many threads at once
 *   is safe. Each saves to the model container (docs/model-format.md) with
 *   kind "pca", "kmeans", "gmm", "som" or "iforest", atomically; its header
 *   records features, parameters and provenance (input hash, seed, version,
 *   command line, created). Loads check everything before trusting it. */
typedef struct wn_unsup_data {
    const char *const *features; /* NULL: the WN_ROLE_FEATURE columns      */
    int64_t nfeatures;
    int drop_missing;            /* 0 (default): NaN/inf is an error       */
    int standardize;             /* 0 (default) or 1                       */
    uint64_t seed;               /* default 42                             */
    int threads;                 /* 0 = all                                */
    const char *command_line;    /* recorded in the model; may be NULL     */
    wn_progress progress;        /* optional                               */
} wn_unsup_data;

/* ---- PCA (src/linear/pca.c) ----
 * Weighted principal components from the weighted covariance matrix, built
 * in one streaming pass over the data (double accumulators, fixed block
 * order), then its eigen-decomposition (LAPACKE dsyevr). Components are unit
 * vectors in the fitted (standardised if asked) space, sorted by variance,
 * signed so that each one's largest-magnitude entry is positive. */
typedef struct wn_pca_params {
    wn_unsup_data data;
    int components;   /* 1 .. nfeat; 0 (default) = all, or see below         */
    double variance_fraction; /* with components 0 and 0 < f < 1: keep the
                         fewest components whose variances reach this
                         fraction of the total; 0 (default): all            */
    int whiten;       /* transform divides each score by sqrt(variance)     */
} wn_pca_params;
wn_pca_params wn_pca_params_default(void);

typedef struct wn_pca wn_pca;
/* Errors: WN_EINVAL (components > features or < 0, no features, fewer than
 * 2 rows), WN_ENUMERIC (NaN without drop_missing, negative weights,
 * all-constant data, LAPACK failed), WN_ENOTFOUND (a named feature),
 * WN_ENOMEM. */
wn_status wn_pca_fit(const wn_table *t, const wn_pca_params *p, wn_pca **out);
void wn_pca_free(wn_pca *m);
int64_t wn_pca_num_features(const wn_pca *m);
const char *wn_pca_feature_name(const wn_pca *m, int64_t i);
int wn_pca_num_components(const wn_pca *m);
int64_t wn_pca_num_rows(const wn_pca *m);          /* rows fitted          */
int64_t wn_pca_num_dropped(const wn_pca *m);       /* rows left out        */
/* Owned by the model. mean[nfeat] in the fitted space; components
 * [ncomp][nfeat] row-major; variance[nfeat]: every eigenvalue (weighted,
 * denominator sum(w) - sum(w^2)/sum(w), i.e. n-1 when unweighted), in
 * descending order; the explained fraction is variance / their sum. The
 * weights act as relative (reliability) weights in that denominator, so a
 * weight of 2 gives the same mean and components as a duplicated row and
 * variances that differ from it by O(1/n). */
const double *wn_pca_mean(const wn_pca *m);
const double *wn_pca_components(const wn_pca *m);
const double *wn_pca_variance(const wn_pca *m);
/* scores[nrows][ncomp] row-major (may be NULL) and the squared
 * reconstruction error in the fitted space, recon[nrows] (may be NULL), of
 * every row of t. allow_missing: rows with NaN/inf get NaN; otherwise they
 * are WN_ENUMERIC naming row and column. Parallel; deterministic. */
wn_status wn_pca_transform(const wn_pca *m, const wn_table *t, int allow_missing, int threads,
                           double *scores, double *recon);
/* Back from scores[n][ncomp] to x[n][nfeat] in the data's original units. */
wn_status wn_pca_inverse(const wn_pca *m, const double *scores, int64_t n, double *x);
wn_status wn_pca_save(const wn_pca *m, const char *path);
wn_status wn_pca_load(const char *path, wn_pca **out);
const char *wn_pca_header(const wn_pca *m);        /* JSON, owned          */

/* ---- k-means (src/cluster/kmeans.c) ----
 * Weighted k-means: k-means++ seeding (Arthur & Vassilvitskii 2007) from
 * the counter RNG, Hamerly's exact accelerated iterations (Hamerly 2010),
 * `restarts` seeds keeping the lowest inertia. Converges when no assignment
 * changes or the centres move less than tol (relative to the data's mean
 * variance, as scikit-learn). */
typedef struct wn_kmeans_params {
    wn_unsup_data data;
    int k;                      /* 1 .. rows; required                     */
    int restarts;               /* default 4                                */
    int max_iter;               /* default 300                              */
    double tol;                 /* default 1e-4                             */
    int64_t silhouette_sample;  /* rows for the silhouette; default 5000,
                                   0 = skip                                 */
} wn_kmeans_params;
wn_kmeans_params wn_kmeans_params_default(void);

typedef struct wn_kmeans wn_kmeans;
wn_status wn_kmeans_fit(const wn_table *t, const wn_kmeans_params *p, wn_kmeans **out);
void wn_kmeans_free(wn_kmeans *m);
int64_t wn_kmeans_num_features(const wn_kmeans *m);
const char *wn_kmeans_feature_name(const wn_kmeans *m, int64_t i);
int wn_kmeans_k(const wn_kmeans *m);
int64_t wn_kmeans_num_rows(const wn_kmeans *m);
int64_t wn_kmeans_num_dropped(const wn_kmeans *m);
/* centres[k][nfeat] in the ORIGINAL units of the features; size[k] the
 * weighted size of each cluster on the fitted rows; owned by the model. */
const double *wn_kmeans_centers(const wn_kmeans *m);
const double *wn_kmeans_sizes(const wn_kmeans *m);
double wn_kmeans_inertia(const wn_kmeans *m);      /* weighted, fitted space */
double wn_kmeans_silhouette(const wn_kmeans *m);   /* NaN when skipped       */
int wn_kmeans_iterations(const wn_kmeans *m);      /* of the kept restart    */
/* label[nrows] (0..k-1; -1 for a missing row with allow_missing) and
 * dist2[nrows] (squared distance to the centre, fitted space; may be NULL). */
wn_status wn_kmeans_assign(const wn_kmeans *m, const wn_table *t, int allow_missing, int threads,
                           int32_t *label, double *dist2);
/* The choice-of-k table: for k = kmin..kmax, the inertia and silhouette of
 * a fit with p's other settings (inertia[kmax-kmin+1], silhouette[...]). */
wn_status wn_kmeans_choose_k(const wn_table *t, const wn_kmeans_params *p, int kmin, int kmax,
                             double *inertia, double *silhouette);
wn_status wn_kmeans_save(const wn_kmeans *m, const char *path);
wn_status wn_kmeans_load(const char *path, wn_kmeans **out);
const char *wn_kmeans_header(const wn_kmeans *m);

/* ---- Gaussian mixture (src/cluster/gmm.c) ----
 * EM (Dempster, Laird & Rubin 1977) for a weighted Gaussian mixture with
 * full or diagonal covariances, initialised from k-means; log-densities via
 * Cholesky factors (LAPACKE dpotrf). reg_covar is always added to the
 * diagonal (as scikit-learn does); a covariance that is degenerate without
 * it (duplicated or constant features within the component) is counted in
 * wn_gmm_regularised, and one that stays singular with it gets 10x more
 * until it factorises (each raise counted too). BIC = -2 logL + p ln(sum w). */
typedef enum wn_gmm_cov { WN_GMM_FULL = 0, WN_GMM_DIAG = 1 } wn_gmm_cov;
typedef struct wn_gmm_params {
    wn_unsup_data data;
    int k;               /* 1 .. rows; required                             */
    wn_gmm_cov cov;      /* default full                                    */
    int max_iter;        /* default 200                                     */
    double tol;          /* change of mean log-likelihood per event; 1e-4   */
    double reg_covar;    /* default 1e-6 (fitted-space units squared)       */
    int restarts;        /* default 1 (k-means seeds differ per restart)    */
} wn_gmm_params;
wn_gmm_params wn_gmm_params_default(void);

typedef struct wn_gmm wn_gmm;
wn_status wn_gmm_fit(const wn_table *t, const wn_gmm_params *p, wn_gmm **out);
void wn_gmm_free(wn_gmm *m);
int64_t wn_gmm_num_features(const wn_gmm *m);
const char *wn_gmm_feature_name(const wn_gmm *m, int64_t i);
int wn_gmm_k(const wn_gmm *m);
int64_t wn_gmm_num_rows(const wn_gmm *m);
int64_t wn_gmm_num_dropped(const wn_gmm *m);
/* In the fitted space, owned by the model: weights[k] (sum 1), means[k][d],
 * covariances[k][d][d] (diagonal ones stored full, zero off the diagonal). */
const double *wn_gmm_weights(const wn_gmm *m);
const double *wn_gmm_means(const wn_gmm *m);
const double *wn_gmm_covariances(const wn_gmm *m);
double wn_gmm_loglik(const wn_gmm *m);      /* mean per unit weight         */
double wn_gmm_bic(const wn_gmm *m);
int wn_gmm_iterations(const wn_gmm *m);
int wn_gmm_converged(const wn_gmm *m);
int wn_gmm_regularised(const wn_gmm *m);    /* degenerate components of the
                                               fitted model (+ any raises)  */
/* resp[nrows][k] membership probabilities (may be NULL), label[nrows] the
 * most probable component (may be NULL), loglik[nrows] log density (may be
 * NULL). Missing rows as wn_kmeans_assign. */
wn_status wn_gmm_predict(const wn_gmm *m, const wn_table *t, int allow_missing, int threads,
                         double *resp, int32_t *label, double *loglik);
/* BIC and mean log-likelihood for k = kmin..kmax. */
wn_status wn_gmm_choose_k(const wn_table *t, const wn_gmm_params *p, int kmin, int kmax,
                          double *bic, double *loglik);
wn_status wn_gmm_save(const wn_gmm *m, const char *path);
wn_status wn_gmm_load(const char *path, wn_gmm **out);
const char *wn_gmm_header(const wn_gmm *m);

/* ---- Self-organising map (src/cluster/som.c) ----
 * Kohonen's batch SOM (deterministic and parallel): codebook initialised on
 * the plane of the first two principal components, then `epochs` batch
 * updates with a Gaussian neighbourhood whose width shrinks exponentially
 * from sigma0 to sigma_end. Rectangular (4 neighbours) or hexagonal
 * (6 neighbours, odd rows shifted by half a cell) grid of rows x cols units. */
typedef enum wn_som_topology { WN_SOM_RECT = 0, WN_SOM_HEX = 1 } wn_som_topology;
typedef struct wn_som_params {
    wn_unsup_data data;
    int rows, cols;            /* grid; default 10 x 10; units <= data rows */
    wn_som_topology topology;  /* default hexagonal                          */
    int epochs;                /* default 20                                 */
    double sigma0;             /* default max(rows, cols) / 2                */
    double sigma_end;          /* default 0.5                                */
} wn_som_params;
wn_som_params wn_som_params_default(void);

typedef struct wn_som wn_som;
wn_status wn_som_fit(const wn_table *t, const wn_som_params *p, wn_som **out);
void wn_som_free(wn_som *m);
int64_t wn_som_num_features(const wn_som *m);
const char *wn_som_feature_name(const wn_som *m, int64_t i);
void wn_som_grid(const wn_som *m, int *rows, int *cols, wn_som_topology *topology);
int64_t wn_som_num_rows(const wn_som *m);
int64_t wn_som_num_dropped(const wn_som *m);
/* codebook[units][d] (fitted space), umatrix[units] (mean distance to grid
 * neighbours), hits[units] (weighted count of fitted rows whose best-matching
 * unit it is); unit u = row * cols + col. Owned by the model. */
const double *wn_som_codebook(const wn_som *m);
const double *wn_som_umatrix(const wn_som *m);
const double *wn_som_hits(const wn_som *m);
double wn_som_quantization_error(const wn_som *m); /* weighted mean distance */
double wn_som_topographic_error(const wn_som *m);  /* fraction: 2nd BMU not adjacent */
/* bmu[nrows] (unit index, -1 for missing rows) and qerr[nrows] (distance to
 * it; may be NULL). */
wn_status wn_som_bmu(const wn_som *m, const wn_table *t, int allow_missing, int threads,
                     int32_t *bmu, double *qerr);
wn_status wn_som_save(const wn_som *m, const char *path);
wn_status wn_som_load(const char *path, wn_som **out);
const char *wn_som_header(const wn_som *m);

/* ---- Isolation forest (src/tree/iforest.c) ----
 * Liu, Ting & Zhou 2008: each tree isolates a subsample of sample_size rows
 * (drawn without replacement; with weights, drawn with probability
 * proportional to weight) by random splits up to depth ceil(log2(sample));
 * an event's score is 2^(-E[h(x)] / c(sample_size)) in (0, 1], higher = more
 * anomalous. Scoring walks compact trees, many rows at once. */
typedef struct wn_iforest_params {
    wn_unsup_data data;          /* standardize has no effect on splits    */
    int trees;                   /* default 100                            */
    int64_t sample_size;         /* default 256 (capped at the rows)       */
    int max_depth;               /* 0 (default): ceil(log2(sample_size))   */
} wn_iforest_params;
wn_iforest_params wn_iforest_params_default(void);

typedef struct wn_iforest wn_iforest;
wn_status wn_iforest_fit(const wn_table *t, const wn_iforest_params *p, wn_iforest **out);
void wn_iforest_free(wn_iforest *m);
int64_t wn_iforest_num_features(const wn_iforest *m);
const char *wn_iforest_feature_name(const wn_iforest *m, int64_t i);
int wn_iforest_num_trees(const wn_iforest *m);
int64_t wn_iforest_num_rows(const wn_iforest *m);
int64_t wn_iforest_num_dropped(const wn_iforest *m);
/* score[nrows]: NaN for a missing row with allow_missing. */
wn_status wn_iforest_score(const wn_iforest *m, const wn_table *t, int allow_missing, int threads,
                           double *score);
wn_status wn_iforest_save(const wn_iforest *m, const char *path);
wn_status wn_iforest_load(const char *path, wn_iforest **out);
const char *wn_iforest_header(const wn_iforest *m);

/* ---- Iterative anomaly baskets (src/cluster/baskets.c) ----
 * The astronomers' loop, for `rounds` rounds: fit the method on the
 * training pool (at first every usable event); score every event; the
 * round's basket is the `basket_size` highest-scoring events that are in no
 * earlier basket; a judge (a person, through the callback) marks the basket
 * events that are ordinary ("not too bad"). Ordinary events stay in the
 * pool — they are what normal looks like — and are never basketed again;
 * the others (the real candidates) are taken out of the pool, so that the
 * next fit does not learn them as normal and similar events, no longer
 * masked, rise to the next basket. Without a judge every basket event is a
 * candidate. Scores of every round are kept (the score history). */
typedef enum wn_anomaly_method {
    WN_ANOMALY_IFOREST = 0,  /* isolation forest score                     */
    WN_ANOMALY_PCA = 1       /* PCA reconstruction error                   */
} wn_anomaly_method;
wn_status wn_anomaly_method_parse(const char *name, wn_anomaly_method *out);

/* A judge looks at a basket (rows: table row indices, best first; scores)
 * and sets ordinary[i] = 1 for each event it finds ordinary ("not too
 * bad"). Returning non-zero stops the loop: WN_EINVAL "cancelled". */
typedef int (*wn_basket_judge_fn)(void *ud, int round, const int64_t *rows, const double *scores,
                                  int64_t n, uint8_t *ordinary);

typedef struct wn_baskets_params {
    wn_unsup_data data;          /* standardize defaults to 1 here          */
    wn_anomaly_method method;    /* default iforest                         */
    int rounds;                  /* default 3                               */
    int64_t basket_size;         /* default 50                              */
    int pca_components;          /* PCA: 0 = enough for 90% of the variance */
    int iforest_trees;           /* default 100                             */
    int64_t iforest_sample;      /* default 256                             */
    wn_basket_judge_fn judge;    /* NULL: every basket event is a candidate */
    void *judge_ud;
} wn_baskets_params;
wn_baskets_params wn_baskets_params_default(void);

typedef struct wn_baskets {
    int rounds;                  /* rounds done                             */
    int64_t nrows;               /* rows of the table                       */
    int64_t basket_size;         /* events per basket (the last may be less) */
    int64_t *basket_rows;        /* [rounds][basket_size] row indices, -1 pad */
    double *basket_scores;       /* [rounds][basket_size]                   */
    uint8_t *basket_ordinary;    /* [rounds][basket_size] the judgement     */
    double *scores;              /* [rounds][nrows]; NaN for missing rows   */
    int64_t *pool_size;          /* [rounds] training events of each round  */
} wn_baskets;
wn_status wn_anomaly_baskets(const wn_table *t, const wn_baskets_params *p, wn_baskets **out);
void wn_baskets_free(wn_baskets *b);

/* ---- Reports of unsupervised runs (src/report/report_unsup.c) ----
 * One self-contained HTML page, like the training report, for `winnow
 * reduce`, `cluster` and `anomalies`: the panels that apply to what is
 * given. PCA: explained variance, loadings, reconstruction error, the first
 * two components (density, or points coloured by class). Clustering: sizes,
 * centres per feature, the data on its first two principal components
 * coloured by cluster, the choice-of-k table, classes per cluster; a SOM
 * adds its U-matrix and hit map. Anomalies: the score distribution (per
 * class), ROC of the score against the label, the top events with their most
 * unusual features, and per basket its size and the features that set it
 * apart. A label is only ever used to show how well the unsupervised result
 * separates its classes. Written atomically. */
typedef struct wn_unsup_report {
    const wn_table *t;          /* the rows the model was applied to       */
    const char *label;          /* column of t (classes 0..K-1), or NULL   */
    const char *id;             /* column of t naming events, or NULL      */
    /* the fitted model: exactly one */
    const wn_pca *pca;
    const wn_kmeans *kmeans;
    const wn_gmm *gmm;
    const wn_som *som;
    const wn_iforest *iforest;
    /* per-row results for the rows of t, or NULL */
    const int32_t *cluster;     /* cluster, component or SOM unit; -1 none */
    const double *score;        /* anomaly score, higher = more anomalous  */
    const char *score_name;     /* e.g. "isolation score"                  */
    const wn_baskets *baskets;  /* or NULL                                 */
    /* choice of k: k = kmin..kmax (none when kmax < kmin); any may be NULL */
    int kmin, kmax;
    const double *inertia, *silhouette, *bic, *loglik;
} wn_unsup_report;
wn_status wn_unsup_report_write(const wn_unsup_report *r, const wn_report_options *o,
                                const char *path);

#ifdef __cplusplus
}
#endif
#endif /* WINNOW_H */
