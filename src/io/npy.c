/* npy.c — NumPy .npy files in and out.
 *
 * The format (numpy/lib/format.py, NEP 1 "A simple file format for NumPy
 * arrays"):
 *
 *     bytes 0-5   magic "\x93NUMPY"
 *     byte  6-7   format version, major then minor: 1.0, 2.0 or 3.0
 *     then        header length, little-endian: u16 in 1.0, u32 in 2.0/3.0
 *     then        the header: a Python dict literal, latin-1 text in 1.0/2.0
 *                 and UTF-8 in 3.0, e.g.
 *                 {'descr': '<f4', 'fortran_order': False, 'shape': (1000, 28), }
 *                 padded with spaces and ended by '\n' so that the data starts
 *                 at a multiple of 64 bytes (16 in files from numpy < 1.14)
 *     then        the raw elements, C (row-major) order unless fortran_order
 *
 * 'descr' is a type string (byte order '<' '>' '|' '=', kind, size in bytes)
 * or, for a record array, a list of (name, type string) tuples; see
 * npy_header.c for the parser.
 *
 * Reading. Everything is checked before the table is allocated: the shape
 * must be 1-D or 2-D (1-D for records), non-empty, its byte count must not
 * overflow and must equal exactly the bytes after the header. A file longer
 * than its header says is an error too: numpy never writes trailing bytes, so
 * they mean a wrong header or two files glued together, and silently ignoring
 * them would hide that. The data is then read with fread in chunks of about
 * 1 MiB and converted as it arrives, so memory is the table plus one chunk.
 * Every element type converts to float32: float64 rounds to nearest (beyond
 * float32's range it becomes ±inf), integers beyond 2^24 in magnitude round
 * to the nearest float32, bool is 0/1. float16 is decoded by hand, including
 * subnormals, infinities and NaN.
 * Record arrays: unnamed void fields ('', '|V4') are padding and skipped;
 * an unnamed numeric field gets numpy's default name f<position>. Duplicate
 * names, nested records and subarray fields are errors naming the field.
 *
 * Writing. The table's logical rows (views included) as float32 little
 * endian, either a record array with one '<f4' field per column (names
 * survive; the default) or a C-order 2-D '<f4' matrix. The header is version
 * 1.0 unless it exceeds 65535 bytes (then 2.0), padded to a multiple of 64.
 * Names are written as Python string literals with every byte outside
 * printable ASCII escaped (\xhh, \uhhhh, \Uhhhhhhhh), so the header stays
 * ASCII and any numpy reads it; a name that is not valid UTF-8 has its stray
 * bytes written as \xhh (read back as latin-1 characters). Categorical columns
 * are written as their integer codes: the level text does not survive NPY. */
#include "npy_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK_BYTES ((size_t)1 << 20)

static const uint8_t npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

/* ------------------------------------------------------------------------ */
/* Reading                                                                    */
/* ------------------------------------------------------------------------ */

/* Where the bytes come from: a FILE or a buffer in memory. */
typedef struct source {
    const char *name;
    FILE *f;
    const uint8_t *mem;
    size_t memlen, pos;
    int64_t total; /* size in bytes; -1 when unknown (a pipe) */
} source;

static wn_status src_read(source *s, void *dst, size_t n, size_t *got)
{
    if (!s->f) {
        size_t left = s->memlen - s->pos, k = n < left ? n : left;
        if (k)
            memcpy(dst, s->mem + s->pos, k);
        s->pos += k;
        *got = k;
        return WN_OK;
    }
    size_t k = fread(dst, 1, n, s->f);
    if (k < n && ferror(s->f))
        return wn__fail(WN_EIO, "%s: read error: %s", s->name, strerror(errno));
    *got = k;
    return WN_OK;
}

static uint16_t ld16(const uint8_t *p, bool big)
{
    unsigned hi = big ? p[0] : p[1], lo = big ? p[1] : p[0];
    return (uint16_t)((hi << 8 | lo) & 0xFFFFu);
}

static uint32_t ld32(const uint8_t *p, bool big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t ld64(const uint8_t *p, bool big)
{
    uint64_t a = ld32(p, big), b = ld32(p + 4, big);
    return big ? a << 32 | b : b << 32 | a;
}

/* IEEE 754 binary16 → binary32, exactly (every half is a float). */
static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu, bits;
    if (e == 0) { /* zero or subnormal: m * 2^-24, exact in float */
        float f = (float)m * 0x1p-24f;
        return sign ? -f : f;
    }
    if (e == 31) /* inf (m == 0) or NaN (payload kept, so it stays a NaN) */
        bits = sign | 0x7F800000u | (m << 13);
    else
        bits = sign | ((e + 112) << 23) | (m << 13); /* rebias 15 → 127 */
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Converts n elements spaced `stride` bytes apart into dst. */
static void convert(const wn__npy_dtype *dt, const uint8_t *src, size_t stride, size_t n,
                    float *dst)
{
    bool big = dt->big;
    switch (dt->kind) {
    case 'f':
        if (dt->size == 2) {
            for (size_t i = 0; i < n; i++, src += stride)
                dst[i] = half_to_float(ld16(src, big));
        } else if (dt->size == 4) {
            for (size_t i = 0; i < n; i++, src += stride) {
                uint32_t u = ld32(src, big);
                memcpy(&dst[i], &u, sizeof u);
            }
        } else {
            for (size_t i = 0; i < n; i++, src += stride) {
                uint64_t u = ld64(src, big);
                double d;
                memcpy(&d, &u, sizeof d);
                dst[i] = (float)d;
            }
        }
        break;
    case 'i':
        for (size_t i = 0; i < n; i++, src += stride) {
            switch (dt->size) {
            case 1: dst[i] = (float)(int8_t)src[0]; break;
            case 2: dst[i] = (float)(int16_t)ld16(src, big); break;
            case 4: dst[i] = (float)(int32_t)ld32(src, big); break;
            default: dst[i] = (float)(int64_t)ld64(src, big); break;
            }
        }
        break;
    case 'u':
        for (size_t i = 0; i < n; i++, src += stride) {
            switch (dt->size) {
            case 1: dst[i] = (float)src[0]; break;
            case 2: dst[i] = (float)ld16(src, big); break;
            case 4: dst[i] = (float)ld32(src, big); break;
            default: dst[i] = (float)ld64(src, big); break;
            }
        }
        break;
    default: /* 'b' */
        for (size_t i = 0; i < n; i++, src += stride)
            dst[i] = src[0] ? 1.0f : 0.0f;
        break;
    }
}

static void shape_text(const wn__npy_header *h, char *buf, size_t cap)
{
    if (h->ndim == 1)
        snprintf(buf, cap, "(%llu,)", (unsigned long long)h->dims[0]);
    else
        snprintf(buf, cap, "(%llu, %llu)", (unsigned long long)h->dims[0],
                 (unsigned long long)h->dims[1]);
}

/* The column layout the header implies, checked against the file. */
typedef struct plan {
    uint64_t nrows, ncols;
    size_t recsize;    /* bytes per row in the record path */
    bool column_major; /* Fortran-order 2-D with more than one column */
} plan;

static wn_status make_plan(const source *src, const wn__npy_header *h, int64_t data_bytes, plan *pl)
{
    const char *name = src->name;
    char sh[64];
    if (h->structured && h->ndim != 1)
        return wn__fail(WN_EFORMAT,
                        "%s: a record array must be 1-D, but the shape has %d dimensions; "
                        "winnow reads 1-D record arrays",
                        name, h->ndim);
    if (h->ndim == 0)
        return wn__fail(WN_EFORMAT,
                        "%s: the array is 0-D (a single scalar); winnow reads 1-D and 2-D arrays",
                        name);
    if (h->ndim > 2)
        return wn__fail(WN_EFORMAT, "%s: the array is %d-D; winnow reads 1-D and 2-D arrays", name,
                        h->ndim);
    shape_text(h, sh, sizeof sh);
    pl->nrows = h->dims[0];
    pl->ncols = h->structured ? h->ncols : h->ndim == 2 ? h->dims[1] : 1;
    size_t item = h->structured ? h->recsize : h->dt.size;
    uint64_t count = h->structured ? pl->nrows : pl->nrows * pl->ncols;
    if ((!h->structured && pl->ncols && pl->nrows > UINT64_MAX / pl->ncols) ||
        (item && count > UINT64_MAX / item) || count * item > (uint64_t)INT64_MAX)
        return wn__fail(WN_EFORMAT,
                        "%s: header shape %s is impossibly large: its byte count overflows 64 bits",
                        name, sh);
    if (pl->nrows == 0)
        return wn__fail(WN_EFORMAT, "%s: the array has no rows (shape %s)", name, sh);
    if (pl->ncols == 0)
        return wn__fail(WN_EFORMAT, "%s: the array has no columns (shape %s%s)", name, sh,
                        h->structured ? ", no numeric fields" : "");
    uint64_t need = count * item;
    if (data_bytes >= 0 && need != (uint64_t)data_bytes) {
        const char *what = h->structured ? "records" : "elements";
        if (need > (uint64_t)data_bytes)
            return wn__fail(WN_EFORMAT,
                            "%s: header says shape %s = %llu %s of %zu bytes but the file has "
                            "%lld data bytes (it is truncated or the header is wrong)",
                            name, sh, (unsigned long long)count, what, item, (long long)data_bytes);
        return wn__fail(WN_EFORMAT,
                        "%s: header says shape %s = %llu %s of %zu bytes but the file has "
                        "%lld data bytes: %llu trailing bytes after the array",
                        name, sh, (unsigned long long)count, what, item, (long long)data_bytes,
                        (unsigned long long)((uint64_t)data_bytes - need));
    }
    if (pl->ncols > WN_MAX_COLUMNS)
        return wn__fail(WN_ENOMEM, "%s: %llu columns exceed winnow's limit of %d", name,
                        (unsigned long long)pl->ncols, WN_MAX_COLUMNS);
    if (h->structured) {
        pl->recsize = h->recsize;
    } else {
        if (pl->ncols * h->dt.size > WN__NPY_MAX_RECORD)
            return wn__fail(WN_ENOMEM, "%s: rows of %llu bytes exceed winnow's limit", name,
                            (unsigned long long)(pl->ncols * h->dt.size));
        pl->recsize = (size_t)pl->ncols * h->dt.size;
    }
    pl->column_major = !h->structured && h->fortran && pl->ncols > 1;
    return WN_OK;
}

/* Creates the table and its (not yet filled) columns. */
static wn_status make_columns(const source *src, const wn__npy_header *h, const char *htext,
                              const plan *pl, wn_table **out)
{
    wn_table *t = NULL;
    char *nbuf = NULL;
    wn_status s = wn_table_create((int64_t)pl->nrows, &t);
    if (s)
        return wn__fail_prefix(s, "%s", src->name);
    size_t ncap = 2 * h->max_name_len + 32;
    nbuf = wn__malloc(ncap);
    if (!nbuf) {
        s = wn__fail_prefix(wn__oom("column name"), "%s", src->name);
        goto fail;
    }
    size_t nf = h->structured ? h->nfields : (size_t)pl->ncols;
    for (size_t j = 0; j < nf; j++) {
        const wn__npy_field *f = h->structured ? &h->fields[j] : NULL;
        if (f && f->dt.kind == 'V')
            continue;
        size_t len = 0;
        if (!f)
            snprintf(nbuf, ncap, "x%zu", j);
        else if (!f->name_len)
            snprintf(nbuf, ncap, "f%lld", (long long)f->index);
        else if ((s = wn__npy_decode_string(src->name, htext + f->name_off, f->name_len,
                                            h->version >= 3, nbuf, &len)))
            goto fail;
        if (len > WN_MAX_NAME) {
            s = wn__fail(WN_EFORMAT, "%s: field %zu has a name of %zu bytes; the limit is %d",
                         src->name, j + 1, len, WN_MAX_NAME);
            goto fail;
        }
        float *d = wn__malloc_array((size_t)pl->nrows, sizeof(float));
        if (!d) {
            s = wn__fail_prefix(wn__oom("column data"), "%s", src->name);
            goto fail;
        }
        s = wn__table_adopt_column(t, nbuf, d);
        if (s) {
            wn_free(d);
            /* a duplicate name is a fault of the file, not of the caller */
            s = wn__fail_prefix(s == WN_EINVAL ? WN_EFORMAT : s, "%s", src->name);
            goto fail;
        }
    }
    wn_free(nbuf);
    *out = t;
    return WN_OK;
fail:
    wn_free(nbuf);
    wn_table_free(t);
    return s;
}

static wn_status read_exact(source *src, uint8_t *buf, size_t n, uint64_t done, uint64_t need)
{
    size_t got;
    wn_status s = src_read(src, buf, n, &got);
    if (s)
        return s;
    if (got < n)
        return wn__fail(WN_EFORMAT,
                        "%s: the file ends after %llu of the %llu data bytes the header promises",
                        src->name, (unsigned long long)(done + got), (unsigned long long)need);
    return WN_OK;
}

static wn_status fill_columns(source *src, const wn__npy_header *h, const plan *pl, wn_table *t)
{
    const uint64_t n = pl->nrows;
    const uint64_t need = n * pl->recsize;
    size_t item = pl->column_major ? h->dt.size : pl->recsize;
    size_t per = CHUNK_BYTES / item ? CHUNK_BYTES / item : 1;
    if (per > n)
        per = (size_t)n;
    uint8_t *buf = wn__malloc_array(per, item);
    if (!buf)
        return wn__fail_prefix(wn__oom("NPY read buffer"), "%s", src->name);
    wn_status s = WN_OK;
    uint64_t done = 0;
    if (pl->column_major) {
        for (uint64_t c = 0; c < pl->ncols && !s; c++) {
            float *col = wn_table_column_mut(t, (int64_t)c);
            for (uint64_t r = 0; r < n && !s; r += per) {
                size_t m = (size_t)(n - r < per ? n - r : per);
                if (!(s = read_exact(src, buf, m * item, done, need)))
                    convert(&h->dt, buf, item, m, col + r);
                done += m * item;
            }
        }
    } else {
        for (uint64_t r = 0; r < n && !s; r += per) {
            size_t m = (size_t)(n - r < per ? n - r : per);
            if ((s = read_exact(src, buf, m * item, done, need)))
                break;
            done += m * item;
            if (!h->structured) {
                for (uint64_t c = 0; c < pl->ncols; c++)
                    convert(&h->dt, buf + c * h->dt.size, item, m,
                            wn_table_column_mut(t, (int64_t)c) + r);
                continue;
            }
            int64_t c = 0;
            for (size_t j = 0; j < h->nfields; j++) {
                const wn__npy_field *f = &h->fields[j];
                if (f->dt.kind == 'V')
                    continue;
                convert(&f->dt, buf + f->offset, item, m, wn_table_column_mut(t, c++) + r);
            }
        }
    }
    if (!s && src->total < 0) { /* size unknown up front: look for trailing bytes now */
        size_t got;
        if (!(s = src_read(src, buf, 1, &got)) && got)
            s = wn__fail(WN_EFORMAT,
                         "%s: the file has trailing bytes after the %llu data bytes the header "
                         "describes",
                         src->name, (unsigned long long)need);
    }
    wn_free(buf);
    return s;
}

static wn_status read_core(source *src, wn_table **out)
{
    const char *name = src->name;
    uint8_t pre[12];
    size_t got;
    wn_status s = src_read(src, pre, 8, &got);
    if (s)
        return s;
    if (got < 6 || memcmp(pre, npy_magic, 6) != 0)
        return wn__fail(WN_EFORMAT,
                        "%s: not a NumPy .npy file (bad magic: it does not start with \\x93NUMPY)",
                        name);
    if (got < 8)
        return wn__fail(WN_EFORMAT, "%s: truncated NPY header: the file ends after %zu bytes", name,
                        got);
    unsigned major = pre[6], minor = pre[7];
    if (major < 1 || major > 3 || minor != 0)
        return wn__fail(WN_EFORMAT,
                        "%s: unsupported NPY format version %u.%u (winnow reads 1.0, 2.0 and 3.0)",
                        name, major, minor);
    size_t lenbytes = major == 1 ? 2 : 4;
    if ((s = src_read(src, pre + 8, lenbytes, &got)))
        return s;
    if (got < lenbytes)
        return wn__fail(WN_EFORMAT, "%s: truncated NPY header: the file ends after %zu bytes", name,
                        8 + got);
    uint64_t hlen = major == 1 ? ld16(pre + 8, false) : ld32(pre + 8, false);
    size_t prefix = 8 + lenbytes;
    if (src->total >= 0 && hlen > (uint64_t)(src->total - (int64_t)prefix))
        return wn__fail(WN_EFORMAT,
                        "%s: truncated NPY header: it claims %llu bytes but the file has only "
                        "%lld after the %zu-byte preamble",
                        name, (unsigned long long)hlen, (long long)(src->total - (int64_t)prefix),
                        prefix);
    if (hlen > WN__NPY_MAX_HEADER)
        return wn__fail(WN_ENOMEM, "%s: NPY header of %llu bytes exceeds winnow's limit of %u",
                        name, (unsigned long long)hlen, WN__NPY_MAX_HEADER);
    char *text = wn__malloc((size_t)hlen);
    if (!text)
        return wn__fail_prefix(wn__oom("NPY header"), "%s", name);
    if ((s = src_read(src, text, (size_t)hlen, &got))) {
        wn_free(text);
        return s;
    }
    if (got < hlen) {
        wn_free(text);
        return wn__fail(WN_EFORMAT, "%s: truncated NPY header: the file ends %zu bytes into it",
                        name, got);
    }
    wn__npy_header h;
    if ((s = wn__npy_parse_header(name, text, (size_t)hlen, (int)major, prefix, &h))) {
        wn_free(text);
        return s;
    }
    int64_t data_bytes = src->total >= 0 ? src->total - (int64_t)(prefix + hlen) : -1;
    plan pl;
    memset(&pl, 0, sizeof pl); /* gcc -O2 cannot see that make_plan fills it */
    wn_table *t = NULL;
    if (!(s = make_plan(src, &h, data_bytes, &pl)) && !(s = make_columns(src, &h, text, &pl, &t)) &&
        (s = fill_columns(src, &h, &pl, t))) {
        wn_table_free(t);
        t = NULL;
    }
    wn__npy_header_free(&h);
    wn_free(text);
    if (!s)
        *out = t;
    return s;
}

wn_status wn__table_read_npy_mem(const char *name, const uint8_t *buf, size_t len, wn_table **out)
{
    if (!name || (!buf && len) || !out)
        return wn__fail(WN_EINVAL, "read_npy_mem: name, buffer or out is NULL");
    if (len > (size_t)INT64_MAX)
        return wn__fail(WN_EINVAL, "%s: buffer too large", name);
    source src = {name, NULL, buf, len, 0, (int64_t)len};
    return read_core(&src, out);
}

wn_status wn_table_read_npy(const char *path, wn_table **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "read_npy: path or out is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return wn__fail(WN_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int64_t total = -1;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return wn__fail(WN_EIO, "%s: is a directory", path);
        }
        if (S_ISREG(st.st_mode))
            total = (int64_t)st.st_size;
    }
    source src = {path, f, NULL, 0, 0, total};
    wn_status s = read_core(&src, out);
    fclose(f);
    return s;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    bool oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n > b->cap - b->n) {
        size_t nc = b->cap ? b->cap : 256;
        while (nc - b->n < n) {
            if (nc > SIZE_MAX / 2) {
                b->oom = true;
                return;
            }
            nc *= 2;
        }
        char *q = wn__realloc(b->p, nc);
        if (!q) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = nc;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* Length of a valid UTF-8 sequence at s (1-4) and its code point, or 0. */
static int utf8_seq(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    int n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1Fu;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0Fu;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    for (int k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80) /* also stops at the NUL terminator */
            return 0;
        v = v << 6 | (s[k] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* A Python string literal in single quotes, pure ASCII. */
static void sb_pyname(sbuf *b, const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    char e[16];
    sb_put(b, "'", 1);
    while (*s) {
        unsigned char c = *s;
        uint32_t cp = c;
        int n = 1;
        if (c >= 0x80 && !(n = utf8_seq(s, &cp)))
            n = 1; /* stray byte: \xhh, read back as a latin-1 character */
        s += n;
        if (c == '\\' || c == '\'') {
            e[0] = '\\';
            e[1] = (char)c;
            sb_put(b, e, 2);
        } else if (c == '\n') {
            sb_puts(b, "\\n");
        } else if (c == '\r') {
            sb_puts(b, "\\r");
        } else if (c == '\t') {
            sb_puts(b, "\\t");
        } else if (cp >= 0x20 && cp < 0x7F) {
            sb_put(b, (const char *)&c, 1);
        } else {
            if (cp < 0x100)
                snprintf(e, sizeof e, "\\x%02x", (unsigned)cp);
            else if (cp < 0x10000)
                snprintf(e, sizeof e, "\\u%04x", (unsigned)cp);
            else
                snprintf(e, sizeof e, "\\U%08x", (unsigned)cp);
            sb_puts(b, e);
        }
    }
    sb_put(b, "'", 1);
}

typedef struct writer {
    const wn_table *t;
    const char *path;
    uint8_t pre[12];
    size_t prelen;
    const sbuf *hdr;
} writer;

static wn_status write_body(void *ctx, void *file)
{
    writer *w = ctx;
    FILE *f = file;
    const wn_table *t = w->t;
    const int64_t nrows = wn_table_nrows(t), ncols = wn_table_ncols(t);
    const int64_t *rows = wn_table_rows(t);
    size_t rec = (size_t)ncols * 4;
    size_t per = CHUNK_BYTES / rec ? CHUNK_BYTES / rec : 1;
    if ((int64_t)per > nrows)
        per = nrows > 0 ? (size_t)nrows : 1;
    if (fwrite(w->pre, 1, w->prelen, f) != w->prelen ||
        fwrite(w->hdr->p, 1, w->hdr->n, f) != w->hdr->n)
        return wn__fail(WN_EIO, "%s: write failed: %s", w->path, strerror(errno));
    /* allocated after the temporary file exists, so the allocation-failure
     * tests also prove that a failed write leaves the target untouched */
    uint8_t *buf = wn__malloc_array(per, rec);
    if (!buf)
        return wn__fail_prefix(wn__oom("NPY write buffer"), "%s", w->path);
    wn_status s = WN_OK;
    for (int64_t r0 = 0; r0 < nrows; r0 += (int64_t)per) {
        int64_t r1 = r0 + (int64_t)per < nrows ? r0 + (int64_t)per : nrows;
        for (int64_t c = 0; c < ncols; c++) {
            const float *col = wn_table_column(t, c);
            uint8_t *q = buf + (size_t)c * 4;
            for (int64_t r = r0; r < r1; r++, q += rec) {
                float v = rows ? col[rows[r]] : col[r];
                uint32_t u;
                memcpy(&u, &v, sizeof u);
                q[0] = (uint8_t)u;
                q[1] = (uint8_t)(u >> 8);
                q[2] = (uint8_t)(u >> 16);
                q[3] = (uint8_t)(u >> 24);
            }
        }
        size_t len = (size_t)(r1 - r0) * rec;
        if (fwrite(buf, 1, len, f) != len) {
            s = wn__fail(WN_EIO, "%s: write failed: %s", w->path, strerror(errno));
            break;
        }
    }
    wn_free(buf);
    return s;
}

wn_status wn_table_write_npy(const wn_table *t, const char *path, wn_npy_layout layout)
{
    if (!t || !path)
        return wn__fail(WN_EINVAL, "write_npy: table or path is NULL");
    if (layout != WN_NPY_STRUCTURED && layout != WN_NPY_MATRIX)
        return wn__fail(WN_EINVAL, "%s: unknown NPY layout %d", path, (int)layout);
    const int64_t nrows = wn_table_nrows(t), ncols = wn_table_ncols(t);
    if (ncols == 0)
        return wn__fail(WN_EINVAL, "%s: the table has no columns to write", path);
    sbuf b = {0};
    char num[64];
    sb_puts(&b, "{'descr': ");
    if (layout == WN_NPY_MATRIX) {
        sb_puts(&b, "'<f4'");
    } else {
        sb_puts(&b, "[");
        for (int64_t c = 0; c < ncols; c++) {
            sb_puts(&b, c ? ", (" : "(");
            sb_pyname(&b, wn_table_name(t, c));
            sb_puts(&b, ", '<f4')");
        }
        sb_puts(&b, "]");
    }
    sb_puts(&b, ", 'fortran_order': False, 'shape': ");
    if (layout == WN_NPY_MATRIX)
        snprintf(num, sizeof num, "(%lld, %lld), }", (long long)nrows, (long long)ncols);
    else
        snprintf(num, sizeof num, "(%lld,), }", (long long)nrows);
    sb_puts(&b, num);
    /* pad with spaces and a final '\n' so the data starts at a multiple of 64 */
    size_t prefix = 10;
    size_t total = (prefix + b.n + 1 + 63) / 64 * 64;
    if (total - prefix > 65535) {
        prefix = 12;
        total = (prefix + b.n + 1 + 63) / 64 * 64;
    }
    size_t pad = total - prefix - b.n;
    for (size_t k = 0; k + 1 < pad; k++)
        sb_put(&b, " ", 1);
    sb_put(&b, "\n", 1);
    if (b.oom) {
        wn_free(b.p);
        return wn__fail_prefix(wn__oom("NPY header"), "%s", path);
    }
    if (b.n > UINT32_MAX) {
        wn_free(b.p);
        return wn__fail(WN_ENOMEM, "%s: NPY header of %zu bytes is too long", path, b.n);
    }
    writer w = {t, path, {0}, prefix, &b};
    memcpy(w.pre, npy_magic, 6);
    w.pre[6] = prefix == 10 ? 1 : 2;
    w.pre[7] = 0;
    uint32_t hl = (uint32_t)b.n;
    for (size_t k = 8; k < prefix; k++, hl >>= 8)
        w.pre[k] = (uint8_t)(hl & 0xFF);
    wn_status s = wn__write_atomic(path, write_body, &w);
    wn_free(b.p);
    return s;
}
