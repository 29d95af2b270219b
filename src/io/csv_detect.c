/* csv_detect.c — what a CSV file looks like, before its data is parsed.
 *
 * Steps 1-3 of the reader (csv.c drives them; steps 4-5 parse):
 *  1. the delimiter, when not given: among , TAB ; | the candidate giving
 *     the same field count (> 1) on the first 20 records wins (most fields
 *     first, then that order); else runs of blanks;
 *  2. the header: forced by the options, or detected — the first record is a
 *     header when one of its fields is text while the field below it is a
 *     number, or when all its non-empty fields are text; names are checked
 *     (empty → c<index>, duplicates refused);
 *  3. the column types: a column is text (categorical) when its first
 *     non-missing cell is text or texts outnumber numbers among its first 100
 *     non-missing cells (within the first 10000 records), or when the strings
 *     option names it; a numeric column's stray text is then an error.
 * Also the missing-token list. */
#include "csv_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Splits the comma-separated missing list into trimmed tokens. */
wn_status wn__csv_parse_missing(wn__csv_reader *r, const char *list)
{
    wn__csv_ctx *c = &r->c;
    size_t n = strlen(list), cnt = 1;
    for (size_t i = 0; i < n; i++)
        cnt += list[i] == ',';
    r->miss_text = wn__strndup(list, n);
    c->miss = wn__calloc(cnt, sizeof *c->miss);
    c->miss_len = wn__calloc(cnt, sizeof *c->miss_len);
    if (!r->miss_text || !c->miss || !c->miss_len)
        return wn__oom("missing tokens");
    char *s = r->miss_text;
    for (;;) {
        char *e = strchr(s, ',');
        if (e)
            *e = 0;
        char *a = s, *b = s + strlen(s);
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        *b = 0;
        if (a < b) {
            float v;
            if (wn__parse_number(a, (size_t)(b - a), &v) == 1 && !isnan(v))
                c->miss_numeric = 1;
            c->miss[c->nmiss] = a;
            c->miss_len[c->nmiss++] = (size_t)(b - a);
        }
        if (!e)
            break;
        s = e + 1;
    }
    return WN_OK;
}

/* Step 1: the delimiter. */
wn_status wn__csv_sniff(wn__csv_reader *r, const char *p, const char *end, int64_t line)
{
    static const char cand[5] = {',', '\t', ';', '|', ' '};
    int64_t n1[5] = {0}, ok[5] = {0};
    wn__csv_ctx c = r->c;
    for (int i = 0; i < 5; i++) {
        c.delim = cand[i];
        c.ws = cand[i] == ' ';
        wn__csv_chunk k;
        memset(&k, 0, sizeof k);
        const char *q = p;
        int64_t ln = line;
        ok[i] = 1;
        for (int nrec = 0; nrec < 20; nrec++) {
            int st = wn__csv_read_record(&c, &k, &q, end, &ln, &r->rec1);
            if (st < 0) {
                if (k.status == WN_ENOMEM) {
                    wn__csv_chunk_release(&k, 0);
                    return wn__oom("delimiter sniffing");
                }
                ok[i] = nrec > 0 && k.err_line > r->rec1.line;
                break;
            }
            if (st == 0)
                break;
            if (nrec == 0)
                n1[i] = r->rec1.n;
            else if (r->rec1.n != n1[i])
                ok[i] = 0;
        }
        wn__csv_chunk_release(&k, 0);
    }
    int best = -1;
    for (int i = 0; i < 4; i++)
        if (ok[i] && n1[i] > 1 && (best < 0 || n1[i] > n1[best]))
            best = i;
    if (best < 0 && ok[4] && n1[4] > 1)
        best = 4;
    for (int i = 0; best < 0 && i < 4; i++) /* nothing consistent: most fields */
        if (n1[i] > 1 && (best < 0 || n1[i] > n1[best]))
            best = i;
    if (best < 0)
        best = n1[4] > 1 ? 4 : 0;
    r->c.delim = cand[best];
    r->c.ws = cand[best] == ' ';
    return WN_OK;
}

/* 1 number, 0 not, -1 out of memory. Missing tokens are not numbers. */
static int cell_is_number(const wn__csv_ctx *c, const char *s, size_t n)
{
    if (wn__csv_is_missing(c, s, n))
        return 0;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    float v;
    return wn__parse_number(s, n, &v);
}

static int cell_is_text(const wn__csv_ctx *c, const char *s, size_t n)
{
    if (wn__csv_is_missing(c, s, n))
        return 0;
    int k = cell_is_number(c, s, n);
    return k < 0 ? -1 : !k;
}

/* Step 2: is the first record a header? */
int wn__csv_detect_header(const wn__csv_ctx *c, const wn__csv_record *f, const wn__csv_record *d,
                         int have_d)
{
    int any_hint = 0, ntext = 0, nnum = 0;
    for (int64_t i = 0; i < f->n; i++) {
        const char *s = f->text + f->off[i];
        int t = cell_is_text(c, s, f->len[i]);
        int nm = cell_is_number(c, s, f->len[i]);
        if (t < 0 || nm < 0)
            return -1;
        ntext += t;
        nnum += nm;
        if (t && have_d && i < d->n) {
            int dn = cell_is_number(c, d->text + d->off[i], d->len[i]);
            if (dn < 0)
                return -1;
            any_hint |= dn;
        }
    }
    return any_hint || (ntext > 0 && nnum == 0);
}

wn_status wn__csv_set_names(wn__csv_reader *r, int header)
{
    wn__csv_ctx *c = &r->c;
    wn__csv_record *f = &r->rec1;
    c->ncols = f->n;
    c->names = wn__calloc((size_t)c->ncols, sizeof *c->names);
    c->cat = wn__malloc_array((size_t)c->ncols, sizeof *c->cat);
    c->cols = wn__calloc((size_t)c->ncols, sizeof *c->cols);
    if (!c->names || !c->cat || !c->cols)
        return wn__oom("column names");
    for (int64_t j = 0; j < c->ncols; j++) {
        c->cat[j] = -1;
        char buf[32];
        const char *s = buf;
        size_t n = 0;
        if (header) {
            s = f->text + f->off[j];
            n = f->len[j];
            if (!f->quoted[j])
                while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                    n--;
            if (!f->quoted[j])
                while (n && (*s == ' ' || *s == '\t')) {
                    s++;
                    n--;
                }
            if (memchr(s, 0, n))
                return wn__fail(WN_EFORMAT, "%s:%lld:%lld: NUL byte in the column name", c->name,
                                (long long)f->line, (long long)j + 1);
            if (n > WN_MAX_NAME)
                return wn__fail(WN_EFORMAT, "%s:%lld:%lld: column name longer than %d bytes",
                                c->name, (long long)f->line, (long long)j + 1, WN_MAX_NAME);
        }
        if (n == 0) {
            n = (size_t)snprintf(buf, sizeof buf, "c%lld", (long long)j);
            s = buf;
        }
        if (!(c->names[j] = wn__strndup(s, n)))
            return wn__oom("column names");
    }
    /* duplicates, through a level set so 100000 columns stay cheap */
    wn__levelset ls;
    memset(&ls, 0, sizeof ls);
    for (int64_t j = 0; j < c->ncols; j++) {
        int64_t code;
        if (wn__levelset_intern(&ls, c->names[j], strlen(c->names[j]), j, &code)) {
            wn__levelset_free(&ls);
            return wn__oom("column names");
        }
        if (code != j) {
            int64_t first = ls.line[code];
            wn__levelset_free(&ls);
            return wn__fail(WN_EFORMAT,
                            "%s:%lld: duplicate column name '%s' (columns %lld and %lld)",
                            c->name, (long long)f->line, c->names[j], (long long)first + 1,
                            (long long)j + 1);
        }
    }
    wn__levelset_free(&ls);
    return WN_OK;
}

/* Step 3: which columns hold text. */
wn_status wn__csv_detect_types(wn__csv_reader *r, const char *strings, const char *p, const char *end,
                              int64_t line)
{
    wn__csv_ctx *c = &r->c;
    if (strings) {
        const char *s = strings;
        for (;;) {
            const char *e = strchr(s, ',');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            while (n && (*s == ' ' || *s == '\t')) {
                s++;
                n--;
            }
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                n--;
            if (n) {
                int64_t j = 0;
                while (j < c->ncols && !(strlen(c->names[j]) == n && !memcmp(c->names[j], s, n)))
                    j++;
                if (j == c->ncols)
                    return wn__fail(WN_EINVAL, "%s: the strings option names '%.*s', which is "
                                               "not a column of the file",
                                    c->name, (int)(n > 200 ? 200 : n), s);
                c->cat[j] = 0;
            }
            if (!e)
                break;
            s = e + 1;
        }
    }
    /* nnum[j], ntext[j]: numbers and texts seen among column j's first 100
     * non-missing cells. A column is text when its first cell is text or texts
     * outnumber numbers, so a typo ("3,abc") in a numeric column is reported
     * as such, not silently taken for a column of categories. */
    int64_t *nnum = wn__calloc(2 * (size_t)c->ncols, sizeof *nnum);
    if (!nnum)
        return wn__oom("type detection");
    int64_t *ntext = nnum + c->ncols;
    int64_t open = 0;
    for (int64_t j = 0; j < c->ncols; j++)
        open += c->cat[j] < 0;
    wn__csv_chunk k;
    memset(&k, 0, sizeof k);
    wn_status s = WN_OK;
    for (int64_t nrec = 0; open > 0 && nrec < 10000; nrec++) {
        int st = wn__csv_read_record(c, &k, &p, end, &line, &r->rec2);
        if (st < 0 && k.status == WN_ENOMEM)
            s = wn__oom("type detection");
        if (st <= 0)
            break;
        for (int64_t j = 0; j < c->ncols && j < r->rec2.n; j++) {
            if (c->cat[j] >= 0 || nnum[j] + ntext[j] >= 100)
                continue;
            const char *cell = r->rec2.text + r->rec2.off[j];
            if (wn__csv_is_missing(c, cell, r->rec2.len[j]))
                continue;
            int t = cell_is_text(c, cell, r->rec2.len[j]);
            if (t < 0) {
                s = wn__oom("type detection");
                open = 0;
                break;
            }
            if (t && nnum[j] + ntext[j] == 0) { /* starts with text: a text column */
                c->cat[j] = 0;
                open--;
                continue;
            }
            if (t)
                ntext[j]++;
            else
                nnum[j]++;
            if (nnum[j] + ntext[j] == 100)
                open--;
        }
    }
    for (int64_t j = 0; j < c->ncols; j++)
        if (c->cat[j] < 0 && ntext[j] > nnum[j])
            c->cat[j] = 0;
    wn__csv_chunk_release(&k, 0);
    wn_free(nnum);
    c->ncat = 0;
    for (int64_t j = 0; j < c->ncols; j++)
        c->cat[j] = c->cat[j] >= 0 ? c->ncat++ : -1;
    return s;
}

