/* csv_parse.c — the record parsers of the CSV reader.
 *
 * Two parsers share one cell classifier (store_cell), so they agree on what a
 * cell means:
 *
 *  - the fast parser, used on data sections without a single '"': every
 *    line break ends a record, so the text splits at line starts into chunks
 *    that threads parse independently. Pass 1 (wn__csv_count_chunk) counts
 *    lines and records per chunk; pass 2 (wn__csv_fast_chunk) parses into the
 *    rows the counts assign. The hot loop tries the inline Clinger fast path
 *    straight on the mapped text and only falls back to the full classifier
 *    when the number does not end at a delimiter;
 *  - the general parser (wn__csv_general_chunk), serial, which also handles
 *    RFC 4180 quoting: "" escapes, delimiters and line breaks inside quotes.
 *    It grows the columns as it goes (one pass).
 *
 * Both report the first error in file order: a chunk stops at its first
 * error, the driver reports the smallest line over chunks; a line that is too
 * long is reported before anything else on that line.
 *
 * Line breaks are LF, CRLF or a bare CR (HTRU2 uses bare CRs); a line number
 * counts physical lines from 1, the way an editor shows them. */
#include "csv_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

wn_status wn__csv_chunk_fail(wn__csv_chunk *k, wn_status s, int64_t line, const char *fmt, ...)
{
    if (k->status)
        return k->status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->msg, sizeof k->msg, fmt, ap);
    va_end(ap);
    k->status = s;
    k->err_line = line;
    return s;
}

void wn__csv_quote_text(char *out, size_t outsz, const char *s, size_t n)
{
    size_t o = 0, lim = n > 40 ? 40 : n;
    if (outsz < 200) {
        if (outsz)
            out[0] = 0;
        return;
    }
    out[o++] = '\'';
    for (size_t i = 0; i < lim; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch >= 0x7f || ch == '\\' || ch == '\'')
            o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", ch);
        else
            out[o++] = (char)ch;
    }
    out[o++] = '\'';
    out[o] = 0;
    if (n > lim)
        snprintf(out + o, outsz - o, " (%zu bytes, first 40 shown)", n);
}

static void trim(const char **s, size_t *n)
{
    const char *a = *s, *b = *s + *n;
    while (a < b && (*a == ' ' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    *s = a;
    *n = (size_t)(b - a);
}

int wn__csv_is_missing(const wn__csv_ctx *c, const char *s, size_t n)
{
    trim(&s, &n);
    if (n == 0)
        return 1;
    for (int i = 0; i < c->nmiss; i++)
        if (c->miss_len[i] == n && memcmp(c->miss[i], s, n) == 0)
            return 1;
    return 0;
}

static const char *find_eol(const char *p, const char *end)
{
    while (p < end && *p != '\n' && *p != '\r')
        p++;
    return p;
}

static wn_status line_too_long(const wn__csv_ctx *c, wn__csv_chunk *k, const char *ls,
                               const char *end, int64_t line)
{
    const char *e = find_eol(ls, end);
    if (e - ls > c->max_line)
        return wn__csv_chunk_fail(k, WN_EFORMAT,
                                  line, "%s:%lld: line is longer than %lld bytes (max_line); "
                                        "is this a text table?",
                                  c->name, (long long)line, (long long)c->max_line);
    return WN_OK;
}

void wn__csv_count_chunk(const wn__csv_ctx *c, wn__csv_chunk *k)
{
    const char *p = k->begin, *end = k->end;
    int64_t line = k->line0, rows = 0;
    while (p < end) {
        const char *ls = p;
        const char *q;
        if (c->has_cr) {
            q = find_eol(p, end);
        } else {
            q = memchr(p, '\n', (size_t)(end - p));
            if (!q)
                q = end;
        }
        if (q - ls > c->max_line && !k->status)
            line_too_long(c, k, ls, end, line);
        const char *f = ls;
        while (f < q && wn__csv_lead_blank(c, *f))
            f++;
        if (f < q && !(c->comment && *f == c->comment))
            rows++;
        p = q < end ? wn__csv_skip_eol(q, end) : end;
        if (q < end)
            line++;
    }
    k->nlines = line - k->line0;
    k->nrows = rows;
}

/* The name of column col for messages ("" when past the last column). */
static const char *cname(const wn__csv_ctx *c, int64_t col)
{
    return col < c->ncols ? c->names[col] : "";
}

/* Classifies one cell and stores it at (row, col). */
static wn_status store_cell(const wn__csv_ctx *c, wn__csv_chunk *k, int64_t col, int64_t row,
                            const char *s, size_t n, int quoted, int64_t line)
{
    if (memchr(s, 0, n))
        return wn__csv_chunk_fail(k, WN_EFORMAT, line,
                                  "%s:%lld:%lld (%s): NUL byte in the field (binary data?)",
                                  c->name, (long long)line, (long long)col + 1, cname(c, col));
    float *dst = &c->cols[col][row];
    if (!quoted) /* text inside quotes is kept exactly */
        trim(&s, &n);
    if (wn__csv_is_missing(c, s, n)) {
        *dst = NAN;
        return WN_OK;
    }
    if (c->cat[col] >= 0) {
        int64_t code;
        wn__levelset *ls = &k->ls[c->cat[col]];
        if (wn__levelset_intern(ls, s, n, line, &code))
            return wn__csv_chunk_fail(k, WN_ENOMEM, line, "out of memory (text column levels)");
        if (code >= WN_MAX_LEVELS)
            return wn__csv_chunk_fail(k, WN_EFORMAT, line,
                                      "%s:%lld:%lld (%s): more than %d distinct values in a "
                                      "text column",
                                      c->name, (long long)line, (long long)col + 1,
                                      cname(c, col), WN_MAX_LEVELS);
        *dst = (float)code;
        return WN_OK;
    }
    float v;
    int r = wn__parse_number(s, n, &v);
    if (r < 0)
        return wn__csv_chunk_fail(k, WN_ENOMEM, line, "out of memory (long number)");
    if (r == 0) {
        char q[240];
        wn__csv_quote_text(q, sizeof q, s, n);
        return wn__csv_chunk_fail(k, WN_EFORMAT, line,
                                  "%s:%lld:%lld (%s): expected a number, found %s "
                                  "(a text column must start with text in its first rows, "
                                  "or be named in the strings option)",
                                  c->name, (long long)line, (long long)col + 1, cname(c, col), q);
    }
    *dst = v;
    return WN_OK;
}

static int is_field_end(const wn__csv_ctx *c, char ch)
{
    if (ch == '\n' || ch == '\r')
        return 1;
    return c->ws ? (ch == ' ' || ch == '\t') : ch == c->delim;
}

/* After a field at p: 1 = another field follows (p moved to it), 0 = end of
 * the record (p at the line break or end). */
static int next_field(const wn__csv_ctx *c, const char **pp, const char *end)
{
    const char *p = *pp;
    if (p >= end)
        return 0;
    if (c->ws) {
        if (*p != ' ' && *p != '\t')
            return 0;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        *pp = p;
        return p < end && *p != '\n' && *p != '\r';
    }
    if (*p == c->delim) {
        *pp = p + 1;
        return 1;
    }
    return 0;
}

/* Counts the fields from p to the end of the line (unquoted view), for the
 * "found N fields" of a ragged-row message. */
static int64_t count_rest(const wn__csv_ctx *c, const char *p, const char *end)
{
    int64_t n = 1;
    for (;;) {
        while (p < end && !is_field_end(c, *p))
            p++;
        if (!next_field(c, &p, end))
            return n;
        n++;
    }
}

static wn_status ragged(const wn__csv_ctx *c, wn__csv_chunk *k, int64_t line, int64_t found)
{
    return wn__csv_chunk_fail(k, WN_EFORMAT, line,
                              "%s:%lld: expected %lld fields (as in the %s), found %lld", c->name,
                              (long long)line, (long long)c->ncols, "first line", (long long)found);
}

void wn__csv_fast_chunk(const wn__csv_ctx *c, wn__csv_chunk *k)
{
    const char *p = k->begin, *end = k->end;
    int64_t line = k->line0, row = k->row0, rowend = k->row0 + k->nrows;
    const int64_t ncols = c->ncols;
    float **cols = c->cols;
    const int64_t *cat = c->cat;
    const char delim = c->delim;
    const int ws = c->ws;
    while (p < end) {
        const char *q = p;
        while (q < end && wn__csv_lead_blank(c, *q))
            q++;
        if (q == end)
            break;
        if (*q == '\n' || *q == '\r') {
            p = wn__csv_skip_eol(q, end);
            line++;
            continue;
        }
        if (c->comment && *q == c->comment) {
            p = find_eol(q, end);
            if (p < end) {
                p = wn__csv_skip_eol(p, end);
                line++;
            }
            continue;
        }
        if (row >= rowend) {
            wn__csv_chunk_fail(k, WN_EINTERNAL, line, "%s:%lld: row count changed between passes",
                               c->name, (long long)line);
            return;
        }
        if (ws)
            p = q;
        int64_t col = 0;
        for (;;) {
            const char *fs = p;
            if (col < ncols && cat[col] < 0) {
                const char *stop;
                float v;
                if (wn__fast_float(p, end, &stop, &v) &&
                    (stop == end || *stop == delim || *stop == '\n' || *stop == '\r' ||
                     (ws && *stop == '\t'))) {
                    if (c->miss_numeric && wn__csv_is_missing(c, fs, (size_t)(stop - fs)))
                        v = NAN;
                    cols[col][row] = v;
                    p = stop;
                    goto separator;
                }
            }
            while (p < end && !is_field_end(c, *p))
                p++;
            if (col >= ncols) {
                ragged(c, k, line, ncols + count_rest(c, fs, end));
                return;
            }
            if (store_cell(c, k, col, row, fs, (size_t)(p - fs), 0, line))
                return;
        separator:
            col++;
            if (!next_field(c, &p, end))
                break;
        }
        if (col != ncols) {
            ragged(c, k, line, col);
            return;
        }
        row++;
        if (p < end) {
            p = wn__csv_skip_eol(p, end);
            line++;
        }
    }
    if (row != rowend)
        wn__csv_chunk_fail(k, WN_EINTERNAL, line, "%s:%lld: row count changed between passes",
                           c->name, (long long)line);
}

/* ---- the general, quote-aware parser ------------------------------------ */

/* Reads the field at *pp. Quoted fields may span lines (*line advances, and
 * each new physical line is checked against max_line). On return *s and *n hold
 * the text (pointing into the file, or into k->scratch when "" escapes had to
 * be undone) and *pp the byte after the field. */
static wn_status read_field(const wn__csv_ctx *c, wn__csv_chunk *k, const char **pp,
                            const char *end, int64_t *line, int64_t col, const char **s,
                            size_t *n, int *quoted)
{
    *quoted = 0;
    const char *p = *pp, *q = p;
    if (!c->ws)
        while (q < end && (*q == ' ' || *q == '\t') && *q != c->delim)
            q++;
    if (q >= end || *q != '"') {
        while (p < end && !is_field_end(c, *p))
            p++;
        *s = *pp;
        *n = (size_t)(p - *pp);
        *pp = p;
        return WN_OK;
    }
    int64_t open_line = *line;
    *quoted = 1;
    const char *body = ++q;
    size_t w = 0;
    int escaped = 0;
    for (;;) {
        if (q >= end)
            return wn__csv_chunk_fail(k, WN_EFORMAT, open_line,
                                      "%s:%lld:%lld (%s): unterminated quoted field (the quote "
                                      "opened here is never closed)",
                                      c->name, (long long)open_line, (long long)col + 1,
                                      cname(c, col));
        char ch = *q;
        if (ch == '"') {
            if (q + 1 < end && q[1] == '"') {
                escaped = 1;
                q += 2;
                w++;
                continue;
            }
            break;
        }
        if (ch == '\n' || ch == '\r') {
            q = wn__csv_skip_eol(q, end) - 1;
            ++*line;
            if (line_too_long(c, k, q + 1, end, *line))
                return k->status;
        }
        q++;
        w++;
    }
    const char *close = q++;
    w = (size_t)(close - body);
    while (q < end && (*q == ' ' || *q == '\t') && !is_field_end(c, *q))
        q++;
    if (q < end && !is_field_end(c, *q)) {
        char t[240];
        wn__csv_quote_text(t, sizeof t, q, (size_t)(find_eol(q, end) - q));
        return wn__csv_chunk_fail(k, WN_EFORMAT, *line,
                                  "%s:%lld:%lld (%s): text after the closing quote: %s", c->name,
                                  (long long)*line, (long long)col + 1, cname(c, col), t);
    }
    *pp = q;
    if (!escaped) {
        *s = body;
        *n = (size_t)(close - body);
        return WN_OK;
    }
    if (w + 1 > k->scap) {
        char *b = wn__realloc(k->scratch, w + 1);
        if (!b)
            return wn__csv_chunk_fail(k, WN_ENOMEM, *line, "out of memory (quoted field)");
        k->scratch = b;
        k->scap = w + 1;
    }
    size_t o = 0;
    for (const char *r = body; r < close; r++) {
        k->scratch[o++] = *r;
        if (*r == '"')
            r++;
    }
    *s = k->scratch;
    *n = o;
    return WN_OK;
}

/* Skips blank and comment lines at *pp. Returns 1 when a record starts there
 * (p at its first byte), 0 at the end, -1 on error. */
static int skip_to_record(const wn__csv_ctx *c, wn__csv_chunk *k, const char **pp,
                          const char *end, int64_t *line)
{
    const char *p = *pp;
    while (p < end) {
        if (line_too_long(c, k, p, end, *line))
            return -1;
        const char *q = p;
        while (q < end && wn__csv_lead_blank(c, *q))
            q++;
        if (q == end)
            break;
        if (*q == '\n' || *q == '\r' || (c->comment && *q == c->comment)) {
            p = find_eol(q, end);
            if (p < end) {
                p = wn__csv_skip_eol(p, end);
                ++*line;
            }
            continue;
        }
        *pp = c->ws ? q : p;
        return 1;
    }
    *pp = end;
    return 0;
}

static wn_status grow_cols(wn__csv_ctx *c, wn__csv_chunk *k, int64_t line)
{
    int64_t nc = c->cap_rows ? c->cap_rows * 2 : 1024;
    for (int64_t j = 0; j < c->ncols; j++) {
        float *a = wn__realloc_array(c->cols[j], (size_t)nc, sizeof(float));
        if (!a)
            return wn__csv_chunk_fail(k, WN_ENOMEM, line, "out of memory (columns)");
        c->cols[j] = a;
    }
    c->cap_rows = nc;
    return WN_OK;
}

void wn__csv_general_chunk(wn__csv_ctx *c, wn__csv_chunk *k)
{
    const char *p = k->begin, *end = k->end;
    int64_t line = k->line0, row = 0;
    int64_t step = c->progress_total / 50 + 1;
    const char *next_report = p + step;
    int r;
    while ((r = skip_to_record(c, k, &p, end, &line)) == 1) {
        if (row == c->cap_rows && grow_cols(c, k, line))
            return;
        int64_t col = 0, rline = line;
        for (;;) {
            const char *s;
            size_t n;
            const char *fs = p;
            int quoted;
            if (read_field(c, k, &p, end, &line, col, &s, &n, &quoted))
                return;
            if (col >= c->ncols) {
                ragged(c, k, rline, c->ncols + count_rest(c, fs, end));
                return;
            }
            if (store_cell(c, k, col, row, s, n, quoted, line))
                return;
            col++;
            if (!next_field(c, &p, end))
                break;
        }
        if (col != c->ncols) {
            ragged(c, k, rline, col);
            return;
        }
        row++;
        if (p < end) {
            p = wn__csv_skip_eol(p, end);
            line++;
        }
        if (p >= next_report && c->progress && c->progress->fn) {
            next_report = p + step;
            if (c->progress->fn(c->progress->ud, "parse", (int64_t)(p - k->begin),
                                c->progress_total)) {
                wn__csv_chunk_fail(k, WN_EINVAL, line, "cancelled");
                return;
            }
        }
    }
    k->nrows = row;
}

/* ---- whole records, for sniffing / header / type detection -------------- */

void wn__csv_record_free(wn__csv_record *r)
{
    wn_free(r->text);
    wn_free(r->off);
    wn_free(r->len);
    wn_free(r->quoted);
    memset(r, 0, sizeof *r);
}

static int record_push(wn__csv_record *r, const char *s, size_t n, int quoted)
{
    if (r->n == r->cap) {
        int64_t nc = r->cap ? r->cap * 2 : 32;
        size_t *o = wn__realloc_array(r->off, (size_t)nc, sizeof *o);
        if (!o)
            return -1;
        r->off = o;
        size_t *l = wn__realloc_array(r->len, (size_t)nc, sizeof *l);
        if (!l)
            return -1;
        r->len = l;
        unsigned char *qd = wn__realloc(r->quoted, (size_t)nc);
        if (!qd)
            return -1;
        r->quoted = qd;
        r->cap = nc;
    }
    if (wn__grow_bytes(&r->text, &r->tcap, r->tlen + n + 1))
        return -1;
    memcpy(r->text + r->tlen, s, n);
    r->text[r->tlen + n] = 0;
    r->off[r->n] = r->tlen;
    r->len[r->n] = n;
    r->quoted[r->n] = (unsigned char)quoted;
    r->tlen += n + 1;
    r->n++;
    return 0;
}

int wn__csv_read_record(const wn__csv_ctx *c, wn__csv_chunk *k, const char **pp, const char *end,
                        int64_t *line, wn__csv_record *r)
{
    r->n = 0;
    r->tlen = 0;
    int st = skip_to_record(c, k, pp, end, line);
    if (st <= 0)
        return st;
    r->line = *line;
    const char *p = *pp;
    for (int64_t col = 0;; col++) {
        const char *s;
        size_t n;
        int quoted;
        if (read_field(c, k, &p, end, line, col, &s, &n, &quoted))
            return -1;
        if (record_push(r, s, n, quoted)) {
            wn__csv_chunk_fail(k, WN_ENOMEM, *line, "out of memory (record)");
            return -1;
        }
        if (r->n > WN_MAX_COLUMNS) {
            wn__csv_chunk_fail(k, WN_EFORMAT, r->line, "%s:%lld: more than %d fields",
                               c->name, (long long)r->line, WN_MAX_COLUMNS);
            return -1;
        }
        if (!next_field(c, &p, end))
            break;
    }
    if (p < end) {
        p = wn__csv_skip_eol(p, end);
        ++*line;
    }
    *pp = p;
    return 1;
}
