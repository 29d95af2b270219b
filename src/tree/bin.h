/* bin.h — feature quantisation for histogram gradient boosting (private).
 *
 * Each feature is mapped to at most 255 ordinary bins plus one missing bin,
 * as uint8 codes, so histograms have at most 256 entries (LightGBM, Ke et al.
 * NeurIPS 2017; XGBoost "hist", Chen & Guestrin KDD 2016). See bin.c for the
 * algorithm and docs/binning.md for the rules in one page.
 *
 * Bin layout of feature f, with nb = nbins[f]:
 *   codes 0 .. nb-2   ordinary bins, ascending in x;
 *   code  nb-1        the missing bin (NaN) == missing_bin[f].
 * The missing bin is LAST so that the ordinary bins are a prefix: a split
 * "code <= b" (b < nb-1) never catches missing values, and the trainer learns
 * a default direction by adding the missing bin's sums to the left or to the
 * right child separately (LightGBM's MissingType::NaN layout).
 *
 * Edge rule (upper edges inclusive): with c = cuts[f] (nb-2 strictly
 * ascending finite floats), a non-NaN x gets code = #{ j : c[j] < x }, i.e.
 * bin j holds c[j-1] < x <= c[j]. Hence, for every b in [0, nb-3] and every
 * non-NaN x:   code(x) <= b   <=>   x <= c[b]
 * so a tree split learned on codes is applied to raw floats as "x <= cut".
 * -inf lands in bin 0, +inf in bin nb-2, -0.0 and +0.0 in the same bin.
 *
 * Special features:
 *   constant (one distinct finite value in the sample): nb = 2, no cuts,
 *     flags |= WN__BIN_CONSTANT; every finite x goes to bin 0.
 *   all-missing (no finite value in the sample): nb = 1, missing_bin = 0,
 *     flags |= WN__BIN_ALL_MISSING; every value goes to bin 0.
 * A trainer skips features with nb <= 2 (WN__BIN_SKIP): they cannot split.
 *
 * Thread safety: fit/apply/unpack create or read; a fitted binning is
 * read-only and may be used from many threads at once. */
#ifndef WN_TREE_BIN_H
#define WN_TREE_BIN_H

#include "core.h"

#define WN__BIN_MAX_BINS 255 /* ordinary bins; plus 1 missing = 256 codes */

enum {
    WN__BIN_CONSTANT = 1,    /* one distinct finite value                  */
    WN__BIN_ALL_MISSING = 2, /* no finite value at all                     */
    WN__BIN_SKIP = 3         /* either: the feature cannot be split on     */
};

typedef struct wn__binning {
    int64_t nfeat;
    int *nbins;       /* [nfeat] bins incl. the missing bin, 1..256        */
    int *missing_bin; /* [nfeat] == nbins - 1                              */
    float **cuts;     /* [nfeat] -> nbins-2 ascending upper edges; each row
                         is padded with +inf to 256 entries (the fast search
                         reads past the real cuts), never NULL            */
    uint8_t *flags;   /* [nfeat] WN__BIN_CONSTANT / WN__BIN_ALL_MISSING     */
    uint8_t *depth;   /* [nfeat] steps of the branchless search, 0..8      */
    float *store_;    /* private: the nfeat x 256 padded cut rows          */
} wn__binning;

/* Chooses the bins of each feature t[feature_cols[i]] from a sample of rows:
 * max_bins ordinary bins at most (2..255); sample_rows rows drawn without
 * replacement by Knuth's selection sampling keyed by `seed` (the same rows
 * for every feature; <= 0 or >= nrows: all rows). Distinct finite values
 * <= max_bins: one bin each, cuts at float midpoints (a <= cut < b).
 * Otherwise quantile bins by count (sample weights are ignored: the bins
 * only need to resolve where the data is, and a weighted sample would let a
 * few heavy events claim bins); a value tied over many rows gets a bin of its
 * own. ±inf and NaN do not influence the cuts. Parallel over features with
 * `threads` (0 = all); the result does not depend on the thread count.
 * Works on views. *out is released with wn__binning_free.
 * Errors: WN_EINVAL (t/out/feature_cols NULL, nfeat < 1, a feature column out
 * of range, max_bins outside 2..255), WN_ENOMEM. */
wn_status wn__binning_fit(const wn_table *t, const int64_t *feature_cols, int64_t nfeat,
                          int max_bins, int64_t sample_rows, uint64_t seed, int threads,
                          wn__binning **out);

/* Codes for every row of t (a view too), feature-major: codes[f*nrows + r],
 * so the histogram builder scans one feature's codes contiguously. *codes_out
 * (nfeat*nrows bytes; at least 1) is released with wn_free. Parallel over
 * row blocks; identical output at any thread count.
 * Errors: WN_EINVAL (NULL arguments, a column out of range), WN_ENOMEM. */
wn_status wn__binning_apply(const wn__binning *b, const wn_table *t, const int64_t *feature_cols,
                            int threads, uint8_t **codes_out);

/* The same codes, row-major: codes[r*nfeat + f] (for row-wise histogram
 * construction when many features are used per node, as XGBoost does). */
wn_status wn__binning_apply_rowmajor(const wn__binning *b, const wn_table *t,
                                     const int64_t *feature_cols, int threads,
                                     uint8_t **codes_out);

/* The codes of row r written to dst[r * stride + f] (stride >= nfeat), into
 * a buffer of the caller's (the trainer's row records, hist.h), and, when fm
 * is not NULL, the same codes feature-major into fm[f * nrows + r] (each
 * value binned once for both). Errors: as wn__binning_apply, and WN_EINVAL
 * for stride < nfeat. */
wn_status wn__binning_apply_strided(const wn__binning *b, const wn_table *t,
                                    const int64_t *feature_cols, int threads, uint8_t *dst,
                                    int64_t stride, uint8_t *fm);

/* The code of one value of feature f (0 <= f < nfeat): the prediction-time
 * rule, identical to what apply produces. */
int wn__binning_bin_of(const wn__binning *b, int64_t f, float x);

/* Codes of a row-major block x[n][nfeat] (n <= 256) into codes[n][nfeat],
 * NaN as missing_code (the predictor uses 255 for every feature): the
 * branchless search of every row of a feature in lockstep, as the table
 * codes are made. */
void wn__binning_codes_block(const wn__binning *b, const float *x, int n, uint8_t missing_code,
                             uint8_t *codes);

void wn__binning_free(wn__binning *b);

/* Serialisation, little-endian, for the model file:
 *   "WNBN"  u32 version (=1)  u64 nfeat (>= 1)
 *   per feature: u16 nbins (1..256)  u16 0  then max(nbins-2, 0) f32 cuts
 * and nothing after. pack: *buf released with wn_free. unpack validates
 * everything (sizes before allocating, finite strictly ascending cuts,
 * no trailing bytes): WN_EFORMAT names what is wrong; WN_ENOMEM. */
wn_status wn__binning_pack(const wn__binning *b, void **buf, size_t *len);
wn_status wn__binning_unpack(const void *buf, size_t len, wn__binning **out);

#endif
