/* csv_internal.h — private interface between the CSV reader's files.
 *
 *   fastfloat.c   decimal text -> float, bit-exact with (float)strtod
 *   csv_levels.c  string -> code hash sets for categorical columns
 *   csv_parse.c   the two record parsers (general quote-aware serial one and
 *                 the fast parallel one for quote-free data)
 *   csv.c         the driver: file mapping, sniffing, header, passes, table
 *   csv_write.c   the writer
 *
 * Never installed; names are wn__. */
#ifndef WN_CSV_INTERNAL_H
#define WN_CSV_INTERNAL_H

#include "core.h"

#include <string.h>

#include <stddef.h>
#include <stdint.h>

/* ---- numbers ----------------------------------------------------------- */


/* Eight ASCII digits in one 64-bit word (little-endian byte order): the
 * check adds 6 to each byte so that only '0'..'9' keep a high nibble of 3,
 * the conversion combines neighbours pairwise (x10, x100, x10000) with three
 * multiplications instead of eight. */
static inline int wn__eight_digits(uint64_t v)
{
    return (((v & 0xF0F0F0F0F0F0F0F0u) |
             (((v + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) >> 4)) ==
            0x3333333333333333u);
}

static inline uint64_t wn__parse_eight(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v -= 0x3030303030303030u;
    v = v * 10 + (v >> 8); /* byte pairs: d0d1, d2d3, ... in every other byte */
    uint64_t lo = (v & 0x000000FF000000FFu) * (100 + (UINT64_C(1000000) << 32));
    uint64_t hi = ((v >> 16) & 0x000000FF000000FFu) * (1 + (UINT64_C(10000) << 32));
    return (lo + hi) >> 32;
#else
    uint64_t r = 0;
    for (int i = 0; i < 8; i++)
        r = r * 10 + ((v >> (8 * (7 - i))) & 0xFF) - '0';
    return r;
#endif
}

/* Second fast path, for mantissas of 18-19+ digits (as "%.18e" writes them:
 * the HIGGS files) where Clinger's exactness condition fails. The value x
 * lies in [m, m + trunc] * 10^e; both ends are computed in x87 extended
 * precision (64-bit mantissa: m, m + 1 and 10^e <= 10^27 are exact there,
 * 10^-k is correctly rounded, so each end is within 2^-63 relative) and
 * widened by 2^-61, which brackets x for sure. float(double(.)) is monotone, so when
 * both ends narrow to the same float, that is (float)strtod(text) — double
 * rounding included. Otherwise (x within ~2^-61 of a rounding boundary, or
 * |e| > 27) it returns 0 and strtod decides. */
#if defined(__LDBL_MANT_DIG__) && __LDBL_MANT_DIG__ >= 64
static inline int wn__extended_float(uint64_t m, int trunc, int64_t e, int neg, float *out)
{
    if (e < -27 || e > 27)
        return 0;
    /* 10^-k is not exact, but correctly rounded: with the product's own
     * rounding that is < 2^-63 relative, well inside the 2^-61 widening */
    long double pw = wn__pow10_ld[e + 60];
    long double lo = (long double)m * pw;
    long double hi = trunc ? ((long double)m + 1.0L) * pw : lo;
    lo *= 1.0L - 0x1p-61L;
    hi *= 1.0L + 0x1p-61L;
    float a = (float)(double)lo, b = (float)(double)hi;
    if (a != b)
        return 0;
    *out = neg ? -a : a;
    return 1;
}
#else
static inline int wn__extended_float(uint64_t m, int trunc, int64_t e, int neg, float *out)
{
    (void)m, (void)trunc, (void)e, (void)neg, (void)out;
    return 0;
}
#endif

/* Fast path of the number parser (Clinger 1990, "How to read floating point
 * numbers accurately", PLDI '90): parses [+-]digits[.digits][(e|E)[+-]digits]
 * starting at p (never reading at or past end). Returns 1 when the value is
 * known exactly — the decimal mantissa fits 2^53 and the power of ten is exact
 * in a double, so one IEEE multiply/divide gives the correctly rounded double —
 * and sets *out = (float)that and *stop to the first byte after the number.
 * Mantissas beyond that go through wn__extended_float above.
 * Returns 0 when the text is not a number prefix or needs the slow path. */
static inline int wn__fast_float(const char *p, const char *end, const char **stop, float *out)
{
    int neg = 0;
    if (p < end && (*p == '-' || *p == '+')) {
        neg = *p == '-';
        p++;
    }
    uint64_t m = 0;
    int nd = 0, seen = 0;
    int64_t e = 0;
    int trunc = 0; /* a non-zero digit beyond the 19th was dropped */
    while (p < end && (unsigned)(*p - '0') < 10u) {
        if (nd >= 19) { /* keep 19 significant digits; the rest scale */
            trunc |= *p != '0';
            e++;
        } else {
            m = m * 10 + (uint64_t)(*p - '0');
            nd += m != 0;
        }
        p++;
        seen = 1;
    }
    if (p < end && *p == '.') {
        p++;
        /* eight digits at a time while they all count (SWAR) */
        while (m != 0 && nd <= 11 && end - p >= 8) {
            uint64_t v;
            memcpy(&v, p, 8);
            if (!wn__eight_digits(v))
                break;
            m = m * 100000000u + wn__parse_eight(v);
            nd += 8;
            e -= 8;
            p += 8;
        }
        while (p < end && (unsigned)(*p - '0') < 10u) {
            if (nd >= 19) {
                trunc |= *p != '0';
            } else {
                m = m * 10 + (uint64_t)(*p - '0');
                nd += m != 0;
                e--;
            }
            p++;
            seen = 1;
        }
    }
    if (!seen)
        return 0;
    if (p < end && (*p | 32) == 'e') {
        p++;
        int eneg = 0;
        if (p < end && (*p == '-' || *p == '+')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || (unsigned)(*p - '0') >= 10u)
            return 0;
        int64_t x = 0;
        while (p < end && (unsigned)(*p - '0') < 10u) {
            if (x < 100000)
                x = x * 10 + (*p - '0');
            p++;
        }
        e += eneg ? -x : x;
    }
    *stop = p;
    if (m == 0) {
        *out = neg ? -0.0f : 0.0f;
        return 1;
    }
    while (e < 0 && m % 10 == 0) { /* 1.50000 -> 15e-1: trailing zeros */
        m /= 10;
        e++;
    }
    if (trunc || m > (UINT64_C(1) << 53))
        return wn__extended_float(m, trunc, e, neg, out);
    double d;
    if (e >= 0) {
        if (e > 22) {
            /* m * 10^(e-22) may still be an exact integer below 2^53 */
            if (e > 22 + 15)
                return 0;
            uint64_t lim = (UINT64_C(1) << 53);
            for (int64_t k = 22; k < e; k++) {
                if (m > lim / 10)
                    return 0;
                m *= 10;
            }
            d = (double)m * 1e22;
        } else {
            d = (double)m * wn__pow10_exact[e];
        }
    } else {
        if (e < -22)
            return 0;
        d = (double)m / wn__pow10_exact[-e];
    }
    *out = (float)(neg ? -d : d);
    return 1;
}

/* Parses the whole token s[0..n) as a number: the decimal grammar above, or
 * [+-](inf|infinity|nan) in any case. Hexadecimal, leading/trailing spaces,
 * "1e" and the like are not numbers. The result equals (float)strtod(text)
 * bit for bit (strtod is the fallback, run on a NUL-terminated local copy with
 * the decimal point of the current locale substituted). Returns 1 for a
 * number, 0 for text, -1 when the copy of a very long token could not be
 * allocated. */
int wn__parse_number(const char *s, size_t n, float *out);

/* ---- level sets (categorical columns) ----------------------------------- */

/* Distinct strings in order of first appearance, with an open-addressing hash
 * index (linear probing, FNV-1a). Each level keeps the line where it first
 * appeared so a merged set can name where a limit was crossed. */
typedef struct wn__levelset {
    char *arena; /* level texts, each NUL-terminated */
    size_t alen, acap;
    size_t *off;
    int64_t *line;
    int64_t n, cap;
    uint32_t *slot; /* index+1, 0 = empty */
    size_t nslot;   /* power of two */
} wn__levelset;

void wn__levelset_free(wn__levelset *ls);
/* Finds or adds s[0..n). *code gets its index. Returns WN_OK or WN_ENOMEM
 * (no message set: callers word it). Never adds beyond WN_MAX_LEVELS + 1. */
wn_status wn__levelset_intern(wn__levelset *ls, const char *s, size_t n, int64_t line,
                              int64_t *code);
static inline const char *wn__levelset_text(const wn__levelset *ls, int64_t k)
{
    return ls->arena + ls->off[k];
}

/* ---- parsing ------------------------------------------------------------ */

typedef struct wn__csv_ctx {
    const char *name; /* file name for messages */
    char delim;       /* the delimiter; ' ' with ws = 1 means runs of blanks */
    int ws;
    int has_cr; /* some '\r' in the data: line ends need a byte scan */
    char comment;
    int64_t max_line;
    int64_t ncols;
    char **names;            /* ncols */
    int64_t *cat;            /* per column: index among text columns or -1 */
    int64_t ncat;
    char **miss;             /* missing tokens (trimmed text match) */
    size_t *miss_len;
    int nmiss;
    int miss_numeric;        /* some missing token reads as a non-NaN number */
    float **cols;            /* output arrays, ncols */
    int64_t cap_rows;        /* general path: allocated rows per column */
    const wn_progress *progress;
    int64_t progress_total;  /* bytes */
    int cancelled;
} wn__csv_ctx;

/* A piece of the data section parsed by one thread, with its first error. */
typedef struct wn__csv_chunk {
    const char *begin, *end;
    int64_t line0;  /* physical line number of `begin` (1-based) */
    int64_t nlines; /* line terminators inside (pass 1) */
    int64_t nrows;  /* data records (pass 1, or counted by the general path) */
    int64_t row0;   /* first output row */
    wn_status status;
    int64_t err_line;
    char msg[480];
    wn_status status1; /* pass 1's error (a line too long), kept aside */
    int64_t err_line1;
    char msg1[480];
    wn__levelset *ls; /* ctx->ncat local level sets */
    char *scratch;    /* unescaped quoted field */
    size_t scap;
} wn__csv_chunk;

/* Records the chunk's error (the first one wins) and returns status. */
wn_status wn__csv_chunk_fail(wn__csv_chunk *k, wn_status s, int64_t line, const char *fmt, ...)
    WN__PRINTF(4, 5);

/* Writes at most ~40 bytes of s[0..n) into out (size >= 200) quoted with
 * '...' and with control/non-ASCII bytes as \xNN, for messages. */
void wn__csv_quote_text(char *out, size_t outsz, const char *s, size_t n);

/* Pass 1 of the fast path: counts lines and records, checks line lengths. */
void wn__csv_count_chunk(const wn__csv_ctx *c, wn__csv_chunk *k);
/* Pass 2 of the fast path (no quote characters anywhere in the chunk). */
void wn__csv_fast_chunk(const wn__csv_ctx *c, wn__csv_chunk *k);
/* The general serial path: quotes, multi-line fields; grows ctx->cols. */
void wn__csv_general_chunk(wn__csv_ctx *c, wn__csv_chunk *k);

/* One record split into fields (used for sniffing, the header, and type
 * detection). Texts are unquoted/unescaped copies, NUL-terminated. */
typedef struct wn__csv_record {
    char *text;
    size_t tlen, tcap;
    size_t *off, *len;
    unsigned char *quoted;
    int64_t n, cap;
    int64_t line; /* physical line where the record starts */
} wn__csv_record;

void wn__csv_record_free(wn__csv_record *r);
/* Reads the next record at *pp (skipping blank and comment lines) into r.
 * Returns 1 for a record, 0 at the end of data, or -1 on an error recorded in
 * k (unterminated quote, NUL, line too long, out of memory). *line is the
 * physical line at *pp and is advanced. */
int wn__csv_read_record(const wn__csv_ctx *c, wn__csv_chunk *k, const char **pp, const char *end,
                        int64_t *line, wn__csv_record *r);

/* Is s[0..n) a missing token (after trimming blanks) or empty? */
int wn__csv_is_missing(const wn__csv_ctx *c, const char *s, size_t n);

/* Byte-level helpers shared by the parsers. */
static inline int wn__csv_lead_blank(const wn__csv_ctx *c, char ch)
{
    return (ch == ' ' || ch == '\t') && (c->ws || ch != c->delim);
}
static inline const char *wn__csv_skip_eol(const char *p, const char *end)
{
    if (*p == '\r') {
        p++;
        if (p < end && *p == '\n')
            p++;
        return p;
    }
    return p + 1;
}

/* ---- entry points ------------------------------------------------------- */

/* Knobs for tests and fuzzing; zeros mean the defaults. */
typedef struct wn__csv_knobs {
    size_t min_chunk;  /* smallest chunk of the parallel path, bytes (64 KiB) */
    int force_general; /* use the serial quote-aware parser even without quotes */
} wn__csv_knobs;

/* Parses an in-memory CSV text (need not be NUL-terminated). `name` is used
 * in messages. Same contract as wn_table_read_csv. */
wn_status wn__table_read_csv_mem(const char *name, const char *buf, size_t len,
                                 const wn_csv_options *o, wn_table **out);
wn_status wn__table_read_csv_mem_knobs(const char *name, const char *buf, size_t len,
                                       const wn_csv_options *o, const wn__csv_knobs *kn,
                                       wn_table **out);


/* ---- the reader's state and set-up steps (csv.c, csv_detect.c) ---------- */

/* Everything the reader allocates, so one function releases it. */
typedef struct wn__csv_reader {
    wn__csv_ctx c;
    char *miss_text;
    wn__csv_record rec1, rec2;
    wn__csv_chunk setup; /* errors found while sniffing / reading the header */
    wn__csv_chunk *chunks;
    int64_t nchunks;
    wn__levelset *global; /* ncat merged sets */
    int64_t *map;
    const char **lvptr;
} wn__csv_reader;

/* Releases a chunk's buffers and its ncat level sets. */
void wn__csv_chunk_release(wn__csv_chunk *k, int64_t ncat);
/* The missing-token list (comma-separated) into r->c.miss. */
wn_status wn__csv_parse_missing(wn__csv_reader *r, const char *list);
/* Step 1: sniffs r->c.delim from the records from p on. */
wn_status wn__csv_sniff(wn__csv_reader *r, const char *p, const char *end, int64_t line);
/* Step 2: is the first record f a header (d: the record below, if have_d)? */
int wn__csv_detect_header(const wn__csv_ctx *c, const wn__csv_record *f,
                          const wn__csv_record *d, int have_d);
/* Step 2: column names from r->rec1 (header) or c0, c1 ... */
wn_status wn__csv_set_names(wn__csv_reader *r, int header);
/* Step 3: which columns are text (r->c.cat), from the data from p on. */
wn_status wn__csv_detect_types(wn__csv_reader *r, const char *strings, const char *p,
                               const char *end, int64_t line);

#endif
