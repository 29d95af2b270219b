/* bin.c — feature quantisation: floats to uint8 bin codes for histogram GBDT.
 *
 * Histogram gradient boosting (LightGBM, Ke et al., NeurIPS 2017; XGBoost
 * "hist", Chen & Guestrin, KDD 2016, arXiv:1603.02754) never looks at raw
 * feature values while growing trees: each feature is quantised once into at
 * most 255 bins, and split finding scans 256-entry histograms of gradient
 * sums. The quality of the trees depends on where the cuts fall; the speed of
 * everything after depends on compact codes.
 *
 * Fit: a sample of rows (Knuth's selection sampling, TAOCP vol. 2, 3.4.2,
 * Algorithm S, with the counter-based generator, so the sample is a pure
 * function of the seed) is taken once; each feature's finite values are
 * sorted (LSD radix sort on order-preserving integer keys: three passes
 * instead of n log n comparisons), reduced to distinct values with counts,
 * and cut greedily into bins of about equal count. The greedy walk recomputes
 * its target from what is left after each bin, so a value tied over most of
 * the sample takes a bin of its own and the rest is spread over the remaining
 * bins (the idea of LightGBM's GreedyFindBin; written from the description).
 * Features are independent: parallel over features, identical bits at any
 * thread count.
 *
 * Apply: code = #{cuts < x}, computed by a branchless binary search over the
 * cuts padded with +inf to 2^depth - 1 entries; rows are processed in chunks
 * with the search step as the outer loop, so the chunk's independent searches
 * overlap in the pipeline instead of each waiting on its own chain of loads.
 * NaN compares false everywhere and is then sent to the missing bin by a
 * select. The slow obvious version lives in tests/unit/tree/test_bin.c and
 * the two are compared bit for bit. */
#include "bin.h"

#include <math.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define PAD 256           /* floats per padded cut row                  */
#define APPLY_BLOCK 8192  /* rows per parallel work unit                */
#define CHUNK 64          /* rows whose searches are interleaved        */
#define SAMPLE_STREAM 0x62696e73ULL /* "bins": the sampler's RNG stream */

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* ---- allocation ---------------------------------------------------------- */

void wn__binning_free(wn__binning *b)
{
    if (!b)
        return;
    wn_free(b->nbins);
    wn_free(b->missing_bin);
    wn_free(b->cuts);
    wn_free(b->flags);
    wn_free(b->depth);
    wn_free(b->store_);
    wn_free(b);
}

static wn_status binning_alloc(int64_t nfeat, wn__binning **out)
{
    wn__binning *b = wn__calloc(1, sizeof *b);
    if (!b)
        return wn__oom("binning");
    size_t n = (size_t)nfeat;
    b->nfeat = nfeat;
    b->nbins = wn__malloc_array(n, sizeof *b->nbins);
    b->missing_bin = wn__malloc_array(n, sizeof *b->missing_bin);
    b->cuts = wn__malloc_array(n, sizeof *b->cuts);
    b->flags = wn__calloc(n, 1);
    b->depth = wn__calloc(n, 1);
    b->store_ = (n <= SIZE_MAX / PAD) ? wn__malloc_array(n * PAD, sizeof(float)) : NULL;
    if (!b->nbins || !b->missing_bin || !b->cuts || !b->flags || !b->depth || !b->store_) {
        wn__binning_free(b);
        return wn__oom("binning");
    }
    for (size_t f = 0; f < n; f++) {
        b->cuts[f] = b->store_ + f * PAD;
        for (int j = 0; j < PAD; j++)
            b->cuts[f][j] = INFINITY;
        b->nbins[f] = 1;
        b->missing_bin[f] = 0;
    }
    *out = b;
    return WN_OK;
}

/* Records feature f's layout once its cuts are in place. */
static void finish_feature(wn__binning *b, int64_t f, int ncuts, int nfinite_distinct)
{
    int nb = nfinite_distinct == 0 ? 1 : ncuts + 2;
    b->nbins[f] = nb;
    b->missing_bin[f] = nb - 1;
    b->flags[f] = nfinite_distinct == 0   ? WN__BIN_ALL_MISSING
                  : nfinite_distinct == 1 ? WN__BIN_CONSTANT
                                          : 0;
    int d = 0;
    while ((1 << d) - 1 < ncuts)
        d++;
    b->depth[f] = (uint8_t)d;
}

/* ---- fit ------------------------------------------------------------------ */

/* Order-preserving map float -> uint32 (for non-NaN; -0.0 must be folded to
 * +0.0 by the caller so the two zeros are one distinct value). */
static uint32_t fkey(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

static float kfloat(uint32_t k)
{
    uint32_t u = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
    float x;
    memcpy(&x, &u, 4);
    return x;
}

/* LSD radix sort of n keys, digits of 11, 11 and 10 bits; a pass whose digit
 * is the same for every key is skipped. Returns the buffer holding the
 * result (a or tmp). */
static uint32_t *radix_sort(uint32_t *a, uint32_t *tmp, int64_t n)
{
    static const int shift[3] = {0, 11, 22};
    uint32_t hist[3][2048];
    memset(hist, 0, sizeof hist);
    for (int64_t i = 0; i < n; i++) {
        uint32_t k = a[i];
        hist[0][k & 2047u]++;
        hist[1][(k >> 11) & 2047u]++;
        hist[2][k >> 22]++;
    }
    uint32_t *src = a, *dst = tmp;
    for (int p = 0; p < 3; p++) {
        uint32_t *h = hist[p];
        if (n > 0 && h[(src[0] >> shift[p]) & 2047u] == (uint32_t)n)
            continue;
        uint32_t sum = 0;
        for (int j = 0; j < 2048; j++) {
            uint32_t c = h[j];
            h[j] = sum;
            sum += c;
        }
        for (int64_t i = 0; i < n; i++) {
            uint32_t k = src[i];
            dst[h[(k >> shift[p]) & 2047u]++] = k;
        }
        uint32_t *s = src;
        src = dst;
        dst = s;
    }
    return src;
}

/* A float cut separating a < b: a <= cut < b. The midpoint is formed in
 * double (exact enough: the float nearest to a value in [a, b] lies in
 * [a, b]); it can round up to b only when a and b are neighbouring floats,
 * and then a itself is the cut. */
static float midcut(float a, float b)
{
    float m = (float)(0.5 * ((double)a + (double)b));
    if (!(m < b) || m < a)
        m = a;
    if (m == 0.0f)
        m = 0.0f; /* canonical +0.0 */
    return m;
}

/* Cuts for K distinct values u (keys, ascending) with counts c summing to m,
 * into at most max_bins bins. Returns the number of cuts (<= max_bins - 1).
 *
 * A value is heavy when it alone holds at least a mean bin's worth of rows
 * (m / max_bins): it gets a bin of its own, and the greedy target for the
 * other ("light") values is what is left of them over the bins left for
 * them, so a tie over 90% of the rows neither swallows its neighbours nor
 * makes the first bins of the rest oversized. */
static int choose_cuts(const uint32_t *u, const uint32_t *c, int64_t K, int64_t m, int max_bins,
                       float *cuts)
{
    int nc = 0;
    if (K <= max_bins) {
        for (int64_t k = 0; k + 1 < K; k++)
            cuts[nc++] = midcut(kfloat(u[k]), kfloat(u[k + 1]));
        return nc;
    }
    double heavy = (double)m / max_bins;
    int64_t light = 0, nheavy = 0;
    for (int64_t k = 0; k < K; k++) {
        if ((double)c[k] >= heavy)
            nheavy++;
        else
            light += c[k];
    }
    int64_t k = 0;
    int bins = 0;
    while (k < K) {
        int rb = max_bins - bins;
        if (rb <= 1)
            break; /* the last bin takes the rest */
        if (K - k <= rb) {
            for (; k + 1 < K; k++)
                cuts[nc++] = midcut(kfloat(u[k]), kfloat(u[k + 1]));
            break;
        }
        if ((double)c[k] >= heavy) {
            k++;
            nheavy--;
        } else {
            int64_t lb = rb - nheavy;
            double target = (double)light / (double)(lb > 1 ? lb : 1);
            int64_t cum = c[k++];
            while (k < K && (double)c[k] < heavy) {
                double with = (double)cum + (double)c[k];
                if (with > target) {
                    if (with - target <= target - (double)cum)
                        cum += c[k++];
                    break;
                }
                cum += c[k++];
            }
            light -= cum;
        }
        if (k >= K)
            break;
        cuts[nc++] = midcut(kfloat(u[k - 1]), kfloat(u[k]));
        bins++;
    }
    return nc;
}

/* One feature: gather finite sample values as keys, sort, count distinct
 * values, choose cuts. keys/tmp hold n entries each. */
static void fit_feature(wn__binning *b, int64_t f, const float *d, const int64_t *idx, int64_t n,
                        int max_bins, uint32_t *keys, uint32_t *tmp)
{
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++) {
        float x = d[idx ? idx[i] : i];
        if (!isfinite(x))
            continue; /* NaN is missing; ±inf must not pull cuts to inf */
        if (x == 0.0f)
            x = 0.0f;
        keys[m++] = fkey(x);
    }
    uint32_t *s = radix_sort(keys, tmp, m);
    uint32_t *cnt = s == keys ? tmp : keys;
    int64_t K = 0;
    for (int64_t i = 0; i < m;) {
        int64_t j = i + 1;
        while (j < m && s[j] == s[i])
            j++;
        s[K] = s[i];
        cnt[K] = (uint32_t)(j - i);
        K++;
        i = j;
    }
    int nc = K > 1 ? choose_cuts(s, cnt, K, m, max_bins, b->cuts[f]) : 0;
    finish_feature(b, f, nc, K > 2 ? 2 : (int)K);
}

/* Rows of the underlying storage to read: the sample (Algorithm S: row i is
 * taken with probability need/left, which yields exactly `want` rows, in
 * order) composed with the view's row map. *idx = NULL means rows 0..n-1. */
static wn_status sample_index(const wn_table *t, int64_t want, uint64_t seed, int64_t **idx,
                              int64_t *n)
{
    int64_t nrows = wn_table_nrows(t);
    const int64_t *rows = wn_table_rows(t);
    *idx = NULL;
    *n = nrows;
    if (want <= 0 || want >= nrows) {
        if (!rows || nrows == 0)
            return WN_OK;
        want = nrows;
    }
    int64_t *ix = wn__malloc_array((size_t)want, sizeof *ix);
    if (!ix)
        return wn__oom("binning sample");
    if (want == nrows) {
        for (int64_t i = 0; i < nrows; i++)
            ix[i] = rows[i];
    } else {
        wn_rng r = wn_rng_make(seed, SAMPLE_STREAM);
        int64_t need = want, k = 0;
        for (int64_t i = 0; i < nrows && need > 0; i++) {
            if ((double)(nrows - i) * wn_rng_uniform(&r) < (double)need) {
                ix[k++] = rows ? rows[i] : i;
                need--;
            }
        }
    }
    *idx = ix;
    *n = want;
    return WN_OK;
}

static wn_status check_features(const wn_table *t, const int64_t *feature_cols, int64_t nfeat,
                                const char *who)
{
    if (!feature_cols)
        return wn__fail(WN_EINVAL, "%s: feature_cols is NULL", who);
    int64_t ncols = wn_table_ncols(t);
    for (int64_t i = 0; i < nfeat; i++)
        if (feature_cols[i] < 0 || feature_cols[i] >= ncols)
            return wn__fail(WN_EINVAL, "%s: feature_cols[%lld] = %lld out of range [0, %lld)",
                            who, (long long)i, (long long)feature_cols[i], (long long)ncols);
    return WN_OK;
}

wn_status wn__binning_fit(const wn_table *t, const int64_t *feature_cols, int64_t nfeat,
                          int max_bins, int64_t sample_rows, uint64_t seed, int threads,
                          wn__binning **out)
{
    if (!t || !out)
        return wn__fail(WN_EINVAL, "binning_fit: %s is NULL", t ? "out" : "table");
    if (nfeat < 1 || nfeat > WN_MAX_COLUMNS)
        return wn__fail(WN_EINVAL, "binning_fit: nfeat = %lld outside 1..%d", (long long)nfeat,
                        WN_MAX_COLUMNS);
    if (max_bins < 2 || max_bins > WN__BIN_MAX_BINS)
        return wn__fail(WN_EINVAL, "binning_fit: max_bins = %d outside 2..%d", max_bins,
                        WN__BIN_MAX_BINS);
    wn_status s = check_features(t, feature_cols, nfeat, "binning_fit");
    if (s != WN_OK)
        return s;
    int64_t *idx = NULL, n = 0;
    if ((s = sample_index(t, sample_rows, seed, &idx, &n)) != WN_OK)
        return s;
    if (n > (int64_t)UINT32_MAX) {
        wn_free(idx);
        return wn__fail(WN_EINVAL, "binning_fit: %lld sample rows exceed 2^32-1; set sample_rows",
                        (long long)n);
    }
    wn__binning *b = NULL;
    if ((s = binning_alloc(nfeat, &b)) != WN_OK) {
        wn_free(idx);
        return s;
    }
    int nt = wn__threads(threads);
    if (nt > nfeat)
        nt = (int)nfeat;
    /* all scratch is taken before the parallel region: nothing inside fails */
    uint32_t *scratch = NULL;
    if (n > 0) {
        size_t per = 2 * (size_t)n;
        scratch = (size_t)nt <= SIZE_MAX / per ? wn__malloc_array((size_t)nt * per, 4) : NULL;
        if (!scratch) {
            wn_free(idx);
            wn__binning_free(b);
            return wn__oom("binning sort buffers");
        }
    }
    if (n == 0) {
        for (int64_t f = 0; f < nfeat; f++)
            finish_feature(b, f, 0, 0);
    } else {
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
        for (int64_t f = 0; f < nfeat; f++) {
            uint32_t *keys = scratch + (size_t)thread_id() * 2 * (size_t)n;
            fit_feature(b, f, wn_table_column(t, feature_cols[f]), idx, n, max_bins, keys,
                        keys + n);
        }
    }
    wn_free(scratch);
    wn_free(idx);
    *out = b;
    return WN_OK;
}

/* ---- apply ---------------------------------------------------------------- */

/* #{c[j] < x} over c padded with +inf to 2^depth - 1 entries. The compare
 * result is shifted in as an integer: written as "? half : 0" gcc -O2 emits
 * a conditional jump, which mispredicts half the time on real data (measured
 * 37 ns/value against 6 with the shift, 1M x 28 HIGGS-like, one thread). */
static inline int search(const float *c, int depth, float x)
{
    unsigned pos = 0;
    for (int s = depth - 1; s >= 0; s--)
        pos += (unsigned)(c[pos + (1u << s) - 1] < x) << s;
    return (int)pos;
}

int wn__binning_bin_of(const wn__binning *b, int64_t f, float x)
{
    if (isnan(x))
        return b->missing_bin[f];
    return search(b->cuts[f], b->depth[f], x);
}

void wn__binning_codes_block(const wn__binning *b, const float *x, int n, uint8_t missing_code,
                             uint8_t *codes)
{
    const int64_t nf = b->nfeat;
    unsigned pos[256];
    for (int64_t f = 0; f < nf; f++) {
        const float *c = b->cuts[f];
        const float *xf = x + f;
        for (int j = 0; j < n; j++)
            pos[j] = 0;
        for (int s = b->depth[f] - 1; s >= 0; s--) {
            const float *cs = c + ((1u << s) - 1);
            for (int j = 0; j < n; j++)
                pos[j] += (unsigned)(cs[pos[j]] < xf[(int64_t)j * nf]) << s;
        }
        for (int j = 0; j < n; j++) {
            const float v = xf[(int64_t)j * nf];
            codes[(int64_t)j * nf + f] = v != v ? missing_code : (uint8_t)pos[j];
        }
    }
}

/* Codes of feature f for rows [lo, hi) into dst[0], dst[stride], ... and, if
 * dst2, also into dst2[0], dst2[1], ... */
static void apply_range(const wn__binning *b, int64_t f, const float *d, const int64_t *rows,
                        int64_t lo, int64_t hi, uint8_t *dst, int64_t stride, uint8_t *dst2)
{
    const float *c = b->cuts[f];
    const int depth = b->depth[f];
    const uint8_t mb = (uint8_t)b->missing_bin[f];
    float xs[CHUNK];
    unsigned pos[CHUNK];
    for (int64_t i0 = lo; i0 < hi; i0 += CHUNK) {
        int m = hi - i0 < CHUNK ? (int)(hi - i0) : CHUNK;
        if (rows)
            for (int j = 0; j < m; j++)
                xs[j] = d[rows[i0 + j]];
        else
            memcpy(xs, d + i0, (size_t)m * sizeof(float));
        for (int j = 0; j < m; j++)
            pos[j] = 0;
        for (int s = depth - 1; s >= 0; s--) {
            const float *cs = c + ((1u << s) - 1);
            for (int j = 0; j < m; j++)
                pos[j] += (unsigned)(cs[pos[j]] < xs[j]) << s;
        }
        uint8_t *o = dst + (i0 - lo) * stride;
        for (int j = 0; j < m; j++)
            o[j * stride] = xs[j] != xs[j] ? mb : (uint8_t)pos[j];
        if (dst2)
            for (int j = 0; j < m; j++)
                dst2[i0 - lo + j] = o[j * stride];
    }
}

/* Codes of every row into dst: code (r, f) at dst[r * rstride + f * fstride],
 * and, if fm, also feature-major into fm[f * nrows + r]. */
static void apply_into(const wn__binning *b, const wn_table *t, const int64_t *feature_cols,
                       int threads, uint8_t *dst, int64_t rstride, int64_t fstride, uint8_t *fm)
{
    int64_t nrows = wn_table_nrows(t), nfeat = b->nfeat;
    const int64_t *rows = wn_table_rows(t);
    int64_t nblk = (nrows + APPLY_BLOCK - 1) / APPLY_BLOCK;
    int nt = wn__threads(threads);
#pragma omp parallel for schedule(static) num_threads(nt)
    for (int64_t k = 0; k < nblk; k++) {
        int64_t lo = k * APPLY_BLOCK, hi = lo + APPLY_BLOCK < nrows ? lo + APPLY_BLOCK : nrows;
        for (int64_t f = 0; f < nfeat; f++) {
            const float *d = wn_table_column(t, feature_cols[f]);
            apply_range(b, f, d, rows, lo, hi, dst + lo * rstride + f * fstride, rstride,
                        fm ? fm + f * nrows + lo : NULL);
        }
    }
}

static wn_status apply_any(const wn__binning *b, const wn_table *t, const int64_t *feature_cols,
                           int threads, uint8_t **codes_out, int rowmajor, const char *who)
{
    if (!b || !t || !codes_out)
        return wn__fail(WN_EINVAL, "%s: %s is NULL", who,
                        !b ? "binning" : !t ? "table" : "codes_out");
    wn_status s = check_features(t, feature_cols, b->nfeat, who);
    if (s != WN_OK)
        return s;
    int64_t nrows = wn_table_nrows(t), nfeat = b->nfeat;
    if (nrows > 0 && nfeat > INT64_MAX / nrows)
        return wn__oom("bin codes");
    size_t total = (size_t)(nrows * nfeat);
    uint8_t *codes = wn__malloc(total ? total : 1);
    if (!codes)
        return wn__oom("bin codes");
    if (rowmajor)
        apply_into(b, t, feature_cols, threads, codes, nfeat, 1, NULL);
    else
        apply_into(b, t, feature_cols, threads, codes, 1, nrows, NULL);
    *codes_out = codes;
    return WN_OK;
}

wn_status wn__binning_apply(const wn__binning *b, const wn_table *t, const int64_t *feature_cols,
                            int threads, uint8_t **codes_out)
{
    return apply_any(b, t, feature_cols, threads, codes_out, 0, "binning_apply");
}

wn_status wn__binning_apply_rowmajor(const wn__binning *b, const wn_table *t,
                                     const int64_t *feature_cols, int threads,
                                     uint8_t **codes_out)
{
    return apply_any(b, t, feature_cols, threads, codes_out, 1, "binning_apply_rowmajor");
}

wn_status wn__binning_apply_strided(const wn__binning *b, const wn_table *t,
                                    const int64_t *feature_cols, int threads, uint8_t *dst,
                                    int64_t stride, uint8_t *fm)
{
    if (!b || !t || !dst)
        return wn__fail(WN_EINVAL, "binning_apply_strided: %s is NULL",
                        !b ? "binning" : !t ? "table" : "dst");
    if (stride < b->nfeat)
        return wn__fail(WN_EINVAL, "binning_apply_strided: stride %lld < %lld features",
                        (long long)stride, (long long)b->nfeat);
    wn_status s = check_features(t, feature_cols, b->nfeat, "binning_apply_strided");
    if (s != WN_OK)
        return s;
    apply_into(b, t, feature_cols, threads, dst, stride, 1, fm);
    return WN_OK;
}

/* ---- serialisation -------------------------------------------------------- */

#define HEADER 16
#define MAGIC "WNBN"
#define VERSION 1u

static int ncuts_of(int nbins) { return nbins > 2 ? nbins - 2 : 0; }

wn_status wn__binning_pack(const wn__binning *b, void **buf, size_t *len)
{
    if (!b || !buf || !len)
        return wn__fail(WN_EINVAL, "binning_pack: NULL argument");
    if (b->nfeat < 1 || (uint64_t)b->nfeat > SIZE_MAX / (4 + 4 * PAD))
        return wn__fail(WN_EINVAL, "binning_pack: nfeat = %lld", (long long)b->nfeat);
    size_t n = HEADER;
    for (int64_t f = 0; f < b->nfeat; f++)
        n += 4 + 4 * (size_t)ncuts_of(b->nbins[f]);
    uint8_t *p = wn__malloc(n);
    if (!p)
        return wn__oom("binning pack");
    memcpy(p, MAGIC, 4);
    wn__put_le32(p + 4, VERSION);
    wn__put_le32(p + 8, (uint32_t)((uint64_t)b->nfeat & 0xffffffffu));
    wn__put_le32(p + 12, (uint32_t)((uint64_t)b->nfeat >> 32));
    size_t o = HEADER;
    for (int64_t f = 0; f < b->nfeat; f++) {
        wn__put_le16(p + o, (uint32_t)b->nbins[f]);
        wn__put_le16(p + o + 2, 0);
        o += 4;
        for (int j = 0; j < ncuts_of(b->nbins[f]); j++) {
            uint32_t u;
            memcpy(&u, &b->cuts[f][j], 4);
            wn__put_le32(p + o, u);
            o += 4;
        }
    }
    *buf = p;
    *len = n;
    return WN_OK;
}

wn_status wn__binning_unpack(const void *buf, size_t len, wn__binning **out)
{
    const uint8_t *p = buf;
    if (!out || (!buf && len))
        return wn__fail(WN_EINVAL, "binning_unpack: NULL argument");
    if (len < HEADER)
        return wn__fail(WN_EFORMAT, "binning: %zu bytes, shorter than the %d-byte header", len,
                        HEADER);
    if (memcmp(p, MAGIC, 4) != 0)
        return wn__fail(WN_EFORMAT, "binning: bad magic (not \"" MAGIC "\")");
    uint32_t ver = wn__get_le32(p + 4);
    if (ver != VERSION)
        return wn__fail(WN_EFORMAT, "binning: version %u, this build reads %u", (unsigned)ver,
                        VERSION);
    uint64_t nfeat = (uint64_t)wn__get_le32(p + 8) | (uint64_t)wn__get_le32(p + 12) << 32;
    /* every feature takes at least 4 bytes: check before allocating */
    if (nfeat < 1 || nfeat > WN_MAX_COLUMNS || nfeat > (len - HEADER) / 4)
        return wn__fail(WN_EFORMAT, "binning: feature count %llu impossible for %zu bytes",
                        (unsigned long long)nfeat, len);
    wn__binning *b = NULL;
    wn_status s = binning_alloc((int64_t)nfeat, &b);
    if (s != WN_OK)
        return s;
    size_t o = HEADER;
    for (uint64_t f = 0; f < nfeat; f++) {
        if (len - o < 4) {
            s = wn__fail(WN_EFORMAT, "binning: truncated at feature %llu",
                         (unsigned long long)f);
            goto fail;
        }
        uint32_t nb = wn__get_le16(p + o), rsv = wn__get_le16(p + o + 2);
        o += 4;
        if (nb < 1 || nb > WN__BIN_MAX_BINS + 1 || rsv != 0) {
            s = wn__fail(WN_EFORMAT, "binning: feature %llu: %u bins (allowed 1..%d)%s",
                         (unsigned long long)f, (unsigned)nb, WN__BIN_MAX_BINS + 1,
                         rsv ? ", reserved field not zero" : "");
            goto fail;
        }
        int nc = ncuts_of((int)nb);
        if ((len - o) / 4 < (size_t)nc) {
            s = wn__fail(WN_EFORMAT, "binning: feature %llu: truncated in its %d cuts",
                         (unsigned long long)f, nc);
            goto fail;
        }
        float *c = b->cuts[f];
        for (int j = 0; j < nc; j++, o += 4) {
            uint32_t u = wn__get_le32(p + o);
            memcpy(&c[j], &u, 4);
            if (!isfinite(c[j]) || (j > 0 && !(c[j] > c[j - 1]))) {
                s = wn__fail(WN_EFORMAT,
                             "binning: feature %llu: cut %d is %s (cuts must be finite and "
                             "strictly ascending)",
                             (unsigned long long)f, j, isfinite(c[j]) ? "not ascending" : "not finite");
                goto fail;
            }
        }
        finish_feature(b, (int64_t)f, nc, nb == 1 ? 0 : nb == 2 ? 1 : 2);
    }
    if (o != len) {
        s = wn__fail(WN_EFORMAT, "binning: %zu trailing bytes", len - o);
        goto fail;
    }
    *out = b;
    return WN_OK;
fail:
    wn__binning_free(b);
    return s;
}
