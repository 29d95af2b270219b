/* csv.c — the CSV/TSV reader's driver.
 *
 * The file is mapped (mmap), not copied, so memory stays bounded by the table
 * being built; pipes and other non-regular files are read into one buffer
 * (then memory is the file size plus the table). The steps:
 *
 *  1-3. skip a UTF-8 BOM; then the delimiter, the header and the column
 *     types are found (csv_detect.c);
 *  4. without any '"' in the data, the fast path: the data splits at line
 *     starts into ~4 chunks per thread; pass 1 counts records per chunk (and
 *     lines, so messages carry absolute line numbers), the columns are
 *     allocated once, pass 2 parses every chunk into its rows in parallel.
 *     Text columns get per-chunk level sets, merged in chunk order so codes
 *     follow first appearance in the file. With quotes, the general serial
 *     parser runs instead. Either way the output bits do not depend on the
 *     thread count, and the error reported is the first in file order.
 *
 * Missing cells: empty, or exactly (after trimming blanks) one of the missing
 * tokens; "-999" does not match "-999.0". Text cells are trimmed of blanks
 * outside quotes. */
#include "csv_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

void wn_csv_options_default(wn_csv_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->delimiter = 0;
    o->header = -1;
    o->comment = '#';
    o->missing = NULL;
    o->strings = NULL;
    o->threads = 0;
    o->max_line = (int64_t)1 << 20;
}

typedef wn__csv_reader reader;

void wn__csv_chunk_release(wn__csv_chunk *k, int64_t ncat)
{
    if (k->ls)
        for (int64_t j = 0; j < ncat; j++)
            wn__levelset_free(&k->ls[j]);
    wn_free(k->ls);
    wn_free(k->scratch);
}

static void reader_free(reader *r)
{
    wn__csv_ctx *c = &r->c;
    if (c->names)
        for (int64_t j = 0; j < c->ncols; j++)
            wn_free(c->names[j]);
    wn_free(c->names);
    if (c->cols)
        for (int64_t j = 0; j < c->ncols; j++)
            wn_free(c->cols[j]);
    wn_free(c->cols);
    wn_free(c->cat);
    wn_free(c->miss);
    wn_free(c->miss_len);
    wn_free(r->miss_text);
    wn__csv_record_free(&r->rec1);
    wn__csv_record_free(&r->rec2);
    wn__csv_chunk_release(&r->setup, 0);
    for (int64_t i = 0; i < r->nchunks; i++)
        wn__csv_chunk_release(&r->chunks[i], c->ncat);
    wn_free(r->chunks);
    if (r->global)
        for (int64_t j = 0; j < c->ncat; j++)
            wn__levelset_free(&r->global[j]);
    wn_free(r->global);
    wn_free(r->map);
    wn_free(r->lvptr);
}

static wn_status chunk_status(const wn__csv_chunk *k)
{
    return wn__fail(k->status, "%s", k->msg);
}

static int report(const wn__csv_ctx *c, int64_t done)
{
    if (c->progress && c->progress->fn &&
        c->progress->fn(c->progress->ud, "parse", done, c->progress_total))
        return 1;
    return 0;
}

/* Step 4, fast path: chunks in parallel. Returns the row count or -1. */
static wn_status run_fast(reader *r, const char *data, const char *end, int64_t dline,
                          int threads, size_t min_chunk, int64_t *nrows_out)
{
    wn__csv_ctx *c = &r->c;
    size_t dlen = (size_t)(end - data);
    int64_t nch = threads > 1 ? (int64_t)threads * 4 : 1;
    if ((int64_t)(dlen / min_chunk) < nch)
        nch = (int64_t)(dlen / min_chunk) > 1 ? (int64_t)(dlen / min_chunk) : 1;
    r->chunks = wn__calloc((size_t)nch, sizeof *r->chunks);
    if (!r->chunks)
        return wn__oom("chunks");
    r->nchunks = nch;
    const char *prev = data;
    for (int64_t i = 0; i < nch; i++) {
        wn__csv_chunk *k = &r->chunks[i];
        k->begin = prev;
        const char *e = i == nch - 1 ? end : data + (size_t)((double)dlen * (double)(i + 1) /
                                                              (double)nch);
        if (e < prev)
            e = prev;
        if (i < nch - 1 && e > data) {
            /* move to the next line start (never inside a CRLF) */
            if (e[-1] == '\r' && e < end && *e == '\n')
                e++;
            else if (e[-1] != '\n' && e[-1] != '\r') {
                while (e < end && *e != '\n' && *e != '\r')
                    e++;
                if (e < end)
                    e = wn__csv_skip_eol(e, end);
            }
        }
        k->end = e;
        prev = e;
        if (c->ncat && !(k->ls = wn__calloc((size_t)c->ncat, sizeof *k->ls)))
            return wn__oom("chunks");
    }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t i = 0; i < nch; i++)
        wn__csv_count_chunk(c, &r->chunks[i]);
    int64_t line = dline, rows = 0;
    for (int64_t i = 0; i < nch; i++) {
        wn__csv_chunk *k = &r->chunks[i];
        k->line0 = line;
        k->row0 = rows;
        line += k->nlines;
        rows += k->nrows;
        if (k->status) { /* kept aside; its line number was relative */
            k->status1 = k->status;
            k->status = WN_OK;
        }
    }
    /* pass 1 ran before the chunks' first line numbers were known: recount
     * the (rare) chunks holding a line too long to word their message */
    for (int64_t i = 0; i < nch; i++) {
        wn__csv_chunk *k = &r->chunks[i];
        if (k->status1) {
            wn__csv_chunk t = *k;
            t.status = WN_OK;
            t.ls = NULL;
            t.scratch = NULL;
            wn__csv_count_chunk(c, &t);
            k->status1 = t.status;
            k->err_line1 = t.err_line;
            memcpy(k->msg1, t.msg, sizeof k->msg1);
        }
    }
    if (report(c, (int64_t)dlen / 4))
        return wn__fail(WN_EINVAL, "cancelled");
    if (rows == 0) {
        for (int64_t i = 0; i < nch; i++)
            if (r->chunks[i].status1)
                return wn__fail(r->chunks[i].status1, "%s", r->chunks[i].msg1);
        *nrows_out = 0;
        return WN_OK;
    }
    for (int64_t j = 0; j < c->ncols; j++)
        if (!(c->cols[j] = wn__malloc_array((size_t)rows, sizeof(float))))
            return wn__oom("column data");
    atomic_int cancel;
    atomic_init(&cancel, 0);
    _Atomic int64_t done;
    atomic_init(&done, 0);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t i = 0; i < nch; i++) {
        if (atomic_load(&cancel))
            continue;
        wn__csv_chunk *k = &r->chunks[i];
        wn__csv_fast_chunk(c, k);
        int64_t d = atomic_fetch_add(&done, (int64_t)(k->end - k->begin)) +
                    (int64_t)(k->end - k->begin);
#ifdef _OPENMP
        int master = omp_get_thread_num() == 0;
#else
        int master = 1;
#endif
        if (master && report(c, (int64_t)dlen / 4 + d * 3 / 4))
            atomic_store(&cancel, 1);
    }
    if (atomic_load(&cancel))
        return wn__fail(WN_EINVAL, "cancelled");
    /* the first error in file order; a long line wins over its own cells */
    const char *msg = NULL;
    wn_status st = WN_OK;
    int64_t best = INT64_MAX;
    for (int64_t i = 0; i < nch; i++) {
        wn__csv_chunk *k = &r->chunks[i];
        if (k->status1 && k->err_line1 <= best) {
            best = k->err_line1;
            st = k->status1;
            msg = k->msg1;
        }
        if (k->status && k->err_line < best) {
            best = k->err_line;
            st = k->status;
            msg = k->msg;
        }
    }
    if (st)
        return wn__fail(st, "%s", msg);
    *nrows_out = rows;
    return WN_OK;
}

/* Step 4, general path: one serial pass with quote handling. */
static wn_status run_general(reader *r, const char *data, const char *end, int64_t dline,
                             int64_t *nrows_out)
{
    wn__csv_ctx *c = &r->c;
    r->chunks = wn__calloc(1, sizeof *r->chunks);
    if (!r->chunks)
        return wn__oom("chunks");
    r->nchunks = 1;
    wn__csv_chunk *k = &r->chunks[0];
    k->begin = data;
    k->end = end;
    k->line0 = dline;
    if (c->ncat && !(k->ls = wn__calloc((size_t)c->ncat, sizeof *k->ls)))
        return wn__oom("chunks");
    wn__csv_general_chunk(c, k);
    if (k->status)
        return chunk_status(k);
    if (k->nrows > 0 && k->nrows < c->cap_rows)
        for (int64_t j = 0; j < c->ncols; j++) { /* give back the slack */
            float *a = wn__realloc_array(c->cols[j], (size_t)k->nrows, sizeof(float));
            if (a)
                c->cols[j] = a;
        }
    *nrows_out = k->nrows;
    return WN_OK;
}

/* Merges the chunks' level sets in chunk order and rewrites local codes. */
static wn_status merge_levels(reader *r)
{
    wn__csv_ctx *c = &r->c;
    if (!c->ncat)
        return WN_OK;
    r->global = wn__calloc((size_t)c->ncat, sizeof *r->global);
    if (!r->global)
        return wn__oom("levels");
    for (int64_t j = 0; j < c->ncols; j++) {
        int64_t g = c->cat[j];
        if (g < 0)
            continue;
        wn__levelset *G = &r->global[g];
        for (int64_t i = 0; i < r->nchunks; i++) {
            wn__csv_chunk *k = &r->chunks[i];
            wn__levelset *L = &k->ls[g];
            if (!L->n)
                continue;
            wn_free(r->map);
            r->map = wn__malloc_array((size_t)L->n, sizeof *r->map);
            if (!r->map)
                return wn__oom("levels");
            int identity = 1;
            for (int64_t q = 0; q < L->n; q++) {
                const char *t = wn__levelset_text(L, q);
                if (wn__levelset_intern(G, t, strlen(t), L->line[q], &r->map[q]))
                    return wn__oom("levels");
                if (r->map[q] >= WN_MAX_LEVELS)
                    return wn__fail(WN_EFORMAT,
                                    "%s:%lld:%lld (%s): more than %d distinct values in a text "
                                    "column",
                                    c->name, (long long)L->line[q], (long long)j + 1, c->names[j],
                                    WN_MAX_LEVELS);
                identity &= r->map[q] == q;
            }
            if (identity)
                continue;
            float *col = c->cols[j];
            for (int64_t row = k->row0; row < k->row0 + k->nrows; row++)
                if (!isnan(col[row]))
                    col[row] = (float)r->map[(int64_t)col[row]];
        }
    }
    return WN_OK;
}

static wn_status build_table(reader *r, int64_t nrows, wn_table **out)
{
    wn__csv_ctx *c = &r->c;
    wn_table *t = NULL;
    wn_status s = wn_table_create(nrows, &t);
    if (s)
        return s;
    for (int64_t j = 0; j < c->ncols; j++) {
        if ((s = wn__table_adopt_column(t, c->names[j], c->cols[j]))) {
            wn_table_free(t);
            return s;
        }
        c->cols[j] = NULL;
        int64_t g = c->cat[j];
        if (g < 0)
            continue;
        wn__levelset *G = &r->global[g];
        wn_free(r->lvptr);
        r->lvptr = wn__malloc_array((size_t)(G->n ? G->n : 1), sizeof *r->lvptr);
        if (!r->lvptr) {
            wn_table_free(t);
            return wn__oom("levels");
        }
        for (int64_t q = 0; q < G->n; q++)
            r->lvptr[q] = wn__levelset_text(G, q);
        if ((s = wn_table_set_levels(t, j, r->lvptr, G->n))) {
            wn_table_free(t);
            return s;
        }
    }
    *out = t;
    return WN_OK;
}

static wn_status read_mem(reader *r, const char *name, const char *buf, size_t len,
                          const wn_csv_options *o, const wn__csv_knobs *kn, wn_table **out)
{
    wn__csv_ctx *c = &r->c;
    if (o->header < -1 || o->header > 1)
        return wn__fail(WN_EINVAL, "csv option header must be -1, 0 or 1, got %d", o->header);
    if (o->delimiter == '"' || o->delimiter == '\n' || o->delimiter == '\r')
        return wn__fail(WN_EINVAL, "csv option delimiter cannot be a quote or a line break");
    if (o->comment == '"' || o->comment == '\n' || o->comment == '\r' ||
        (o->comment && o->comment == o->delimiter) || o->comment == ' ' || o->comment == '\t')
        return wn__fail(WN_EINVAL, "csv option comment must differ from the delimiter, quotes, "
                                   "blanks and line breaks");
    if (o->max_line <= 0)
        return wn__fail(WN_EINVAL, "csv option max_line must be > 0, got %lld",
                        (long long)o->max_line);
    if (o->threads < 0)
        return wn__fail(WN_EINVAL, "csv option threads must be >= 0, got %d", o->threads);
    c->name = name;
    c->comment = o->comment;
    c->max_line = o->max_line;
    c->progress = &o->progress;
    c->progress_total = (int64_t)len;
    /* user tokens add to the defaults: --missing -999 must not turn an NA
     * into a parse error */
    char *ml = NULL;
    const char *defaults = "NA,NaN,nan,N/A,null";
    if (o->missing && *o->missing) {
        size_t a = strlen(defaults), b = strlen(o->missing);
        if (!(ml = wn__malloc(a + b + 2)))
            return wn__oom("missing tokens");
        memcpy(ml, defaults, a);
        ml[a] = ',';
        memcpy(ml + a + 1, o->missing, b + 1);
    }
    wn_status s = wn__csv_parse_missing(r, ml ? ml : defaults);
    wn_free(ml);
    if (s)
        return s;
    const char *p = buf, *end = buf + len;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        p += 3;
    int64_t line = 1;
    c->has_cr = memchr(p, '\r', (size_t)(end - p)) != NULL;
    if (report(c, 0))
        return wn__fail(WN_EINVAL, "cancelled");
    if (o->delimiter) {
        c->delim = o->delimiter;
        c->ws = o->delimiter == ' ';
    } else if ((s = wn__csv_sniff(r, p, end, line))) {
        return s;
    }
    int st = wn__csv_read_record(c, &r->setup, &p, end, &line, &r->rec1);
    if (st < 0)
        return chunk_status(&r->setup);
    if (st == 0)
        return wn__fail(WN_EFORMAT, "%s: no header and no data (the file is empty or holds only "
                                    "comments and blank lines)", name);
    const char *after1 = p;
    int64_t line1 = r->rec1.line, line_after1 = line;
    int header = o->header;
    if (header < 0) {
        const char *q = p;
        int64_t ln = line;
        wn__csv_chunk k;
        memset(&k, 0, sizeof k);
        int st2 = wn__csv_read_record(c, &k, &q, end, &ln, &r->rec2);
        wn_status ks = k.status;
        wn__csv_chunk_release(&k, 0);
        if (st2 < 0 && ks == WN_ENOMEM)
            return wn__oom("header detection");
        header = wn__csv_detect_header(c, &r->rec1, &r->rec2, st2 > 0);
        if (header < 0)
            return wn__oom("header detection");
    }
    if ((s = wn__csv_set_names(r, header)))
        return s;
    const char *data = header ? after1 : NULL;
    int64_t dline = header ? line_after1 : line1;
    if (!header) { /* data starts at the first record's line */
        data = buf + (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0);
        dline = 1;
    }
    if ((s = wn__csv_detect_types(r, o->strings, data, end, dline)))
        return s;
    int64_t nrows = 0;
    int threads = wn__threads(o->threads);
    int general = kn->force_general || memchr(data, '"', (size_t)(end - data)) != NULL;
    s = general ? run_general(r, data, end, dline, &nrows)
                : run_fast(r, data, end, dline, threads, kn->min_chunk ? kn->min_chunk : 65536,
                           &nrows);
    if (s)
        return s;
    if (nrows == 0)
        return wn__fail(WN_EFORMAT, "%s:%lld: has a header but no data rows", name,
                        (long long)line1);
    if ((s = merge_levels(r)))
        return s;
    if ((s = build_table(r, nrows, out)))
        return s;
    if (report(c, (int64_t)len)) {
        wn_table_free(*out);
        *out = NULL;
        return wn__fail(WN_EINVAL, "cancelled");
    }
    return WN_OK;
}

wn_status wn__table_read_csv_mem_knobs(const char *name, const char *buf, size_t len,
                                       const wn_csv_options *o, const wn__csv_knobs *kn,
                                       wn_table **out)
{
    if (!out || (!buf && len))
        return wn__fail(WN_EINVAL, "read_csv: buffer or out is NULL");
    wn_csv_options def;
    if (!o) {
        wn_csv_options_default(&def);
        o = &def;
    }
    wn__csv_knobs k0;
    memset(&k0, 0, sizeof k0);
    if (!kn)
        kn = &k0;
    if (!name)
        name = "<memory>";
    if (!buf)
        buf = "";
    reader r;
    memset(&r, 0, sizeof r);
    wn_table *t = NULL;
    wn_status s = read_mem(&r, name, buf, len, o, kn, &t);
    reader_free(&r);
    if (s == WN_OK)
        *out = t;
    return s;
}

wn_status wn__table_read_csv_mem(const char *name, const char *buf, size_t len,
                                 const wn_csv_options *o, wn_table **out)
{
    return wn__table_read_csv_mem_knobs(name, buf, len, o, NULL, out);
}

wn_status wn_table_read_csv(const char *path, const wn_csv_options *o, wn_table **out)
{
    if (!path || !out)
        return wn__fail(WN_EINVAL, "read_csv: path or out is NULL");
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return wn__fail(WN_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        wn_status s = wn__fail(WN_EIO, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return s;
    }
    if (S_ISDIR(sb.st_mode)) {
        close(fd);
        return wn__fail(WN_EIO, "%s: is a directory, not a file", path);
    }
    char *heap = NULL;
    void *map = MAP_FAILED;
    size_t len = 0;
    if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
        len = (size_t)sb.st_size;
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED)
            (void)posix_madvise(map, len, POSIX_MADV_SEQUENTIAL);
    }
    if (map == MAP_FAILED) { /* pipes, /dev/stdin, or mmap refused */
        size_t cap = 0;
        len = 0;
        for (;;) {
            if (len == cap) {
                size_t nc = cap ? cap * 2 : 65536;
                char *b = wn__realloc(heap, nc);
                if (!b) {
                    wn_free(heap);
                    close(fd);
                    return wn__oom("file buffer");
                }
                heap = b;
                cap = nc;
            }
            ssize_t got = read(fd, heap + len, cap - len);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                wn_status s = wn__fail(WN_EIO, "%s: read failed: %s", path, strerror(errno));
                wn_free(heap);
                close(fd);
                return s;
            }
            if (got == 0)
                break;
            len += (size_t)got;
        }
    }
    close(fd);
    const char *buf = map != MAP_FAILED ? (const char *)map : heap;
    wn_status s = wn__table_read_csv_mem(path, buf, len, o, out);
    if (map != MAP_FAILED)
        munmap(map, len);
    wn_free(heap);
    return s;
}
