/* json_read.c — JSON text in: a strict, iterative RFC 8259 parser building
 * an arena-allocated tree (the writer is json_write.c).
 *
 * Why our own: the model header is the one place where text a user can edit
 * meets code that trusts it, so we want the exact grammar of RFC 8259
 * (Bray, 2017) with explicit limits, every allocation through the library's
 * hook (tests fail the Nth one), and errors that point at line and column.
 *
 * The parser never recurses. A container in progress is a frame (its kind
 * and where its children start on one shared stack of finished values);
 * when it closes, its children are copied from that stack into the arena in
 * one block and the container becomes a finished value of its parent. So the
 * C stack stays flat whatever the input's nesting, the nesting limit is a
 * plain counter, and every node and string of a document sits in a few large
 * arena blocks that one call frees.
 *
 * Numbers are validated against the grammar here; integer literals are
 * converted exactly to int64 when they fit; everything else goes to strtod
 * on a bounded local copy whose '.' is swapped for the locale's decimal point
 * (strtod honours LC_NUMERIC; the same trick as src/io/fastfloat.c). */
#include "json.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ===================================================================== */
/* Arena and tree                                                         */
/* ===================================================================== */

typedef struct block {
    struct block *next;
    size_t cap, used;
    /* data follows, aligned to 16 */
} block;

#define BLOCK_HDR ((sizeof(block) + 15) & ~(size_t)15)
#define BLOCK_MIN ((size_t)64 << 10)

struct wn__json_doc {
    block *blocks; /* the newest first */
    wn__json root;
};

static void *arena_alloc(wn__json_doc *d, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    block *b = d->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
        block *nb = wn__malloc(BLOCK_HDR + cap);
        if (!nb)
            return NULL;
        nb->cap = cap;
        nb->used = 0;
        /* a big one-off allocation goes behind the current block so the
         * current block's free space is not abandoned */
        if (b && n > BLOCK_MIN) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            d->blocks = nb;
        }
        b = nb;
    }
    void *p = (char *)b + BLOCK_HDR + b->used;
    b->used += n;
    return p;
}

void wn__json_doc_free(wn__json_doc *d)
{
    if (!d)
        return;
    block *b = d->blocks;
    while (b) {
        block *nx = b->next;
        wn_free(b);
        b = nx;
    }
    wn_free(d);
}

const wn__json *wn__json_doc_root(const wn__json_doc *d)
{
    return d ? &d->root : NULL;
}

/* ===================================================================== */
/* Parser                                                                 */
/* ===================================================================== */

typedef struct slot {
    wn__json_member m; /* key unused inside arrays */
    size_t key_pos;    /* byte offset of the key, for duplicate errors */
} slot;

typedef struct frame {
    bool obj;
    size_t start; /* first child slot */
} frame;

typedef struct parser {
    const char *name;
    const unsigned char *s;
    size_t len, pos;
    int max_depth, depth;
    frame *frames;
    slot *stk;
    size_t nstk, capstk;
    size_t nodes;
    wn__json_doc *doc;
} parser;

/* Sets "name: line L, column C (byte B): <what>" for offset pos. */
static wn_status perr(const parser *p, size_t pos, const char *fmt, ...) WN__PRINTF(3, 4);
static wn_status perr(const parser *p, size_t pos, const char *fmt, ...)
{
    size_t line = 1, col_start = 0;
    for (size_t i = 0; i < pos && i < p->len; i++)
        if (p->s[i] == '\n') {
            line++;
            col_start = i + 1;
        }
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return wn__fail(WN_EFORMAT, "%s: line %zu, column %zu (byte %zu): %s", p->name, line,
                    pos - col_start + 1, pos, what);
}

/* "'x'", "byte 0xNN" or "end of input", for what was found at pos. */
static const char *found(const parser *p, size_t pos, char buf[16])
{
    if (pos >= p->len)
        return "end of input";
    unsigned c = p->s[pos];
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", (char)c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

static int hex4(const unsigned char *s, unsigned *v)
{
    unsigned x = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = s[k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        x = x << 4 | d;
    }
    *v = x;
    return 1;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The string whose opening quote is at p->pos, decoded into the arena. */
static wn_status parse_string(parser *p, const char **out, size_t *out_len)
{
    const unsigned char *s = p->s;
    size_t open = p->pos, i = open + 1;
    /* find the closing quote first, to size the decoded copy (never longer
     * than the raw text) */
    while (i < p->len && s[i] != '"')
        i += s[i] == '\\' ? 2 : 1;
    if (i >= p->len)
        return perr(p, open, "unterminated string");
    size_t close = i;
    char *o = arena_alloc(p->doc, close - open);
    if (!o)
        return wn__oom("JSON tree");
    size_t n = 0;
    i = open + 1;
    while (i < close) {
        unsigned c = s[i];
        if (c == '\\') {
            unsigned e = s[i + 1];
            const char *simple = strchr("\"\\/bfnrt", (int)e);
            if (e && simple) {
                static const char map[] = "\"\\/\b\f\n\r\t";
                o[n++] = map[simple - "\"\\/bfnrt"];
                i += 2;
                continue;
            }
            if (e != 'u')
                return perr(p, i, "invalid escape '\\%c' in a string",
                            e >= 0x20 && e < 0x7f ? (char)e : '?');
            unsigned cp;
            if (i + 6 > close || !hex4(s + i + 2, &cp))
                return perr(p, i, "\\u must be followed by four hex digits");
            size_t at = i;
            i += 6;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return perr(p, at, "lone low surrogate \\u%04X", cp);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (i + 6 > close || s[i] != '\\' || s[i + 1] != 'u' || !hex4(s + i + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return perr(p, at, "high surrogate \\u%04X not followed by a low surrogate",
                                cp);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            n += put_utf8(o + n, cp);
            continue;
        }
        if (c < 0x20)
            return perr(p, i, "control character U+%04X in a string must be escaped", c);
        if (c < 0x80) {
            o[n++] = (char)c;
            i++;
            continue;
        }
        size_t k = wn__utf8_seq(s + i, close - i);
        if (!k)
            return perr(p, i, "invalid UTF-8 in a string");
        memcpy(o + n, s + i, k);
        n += k;
        i += k;
    }
    o[n] = 0;
    p->pos = close + 1;
    *out = o;
    *out_len = n;
    return WN_OK;
}

static int is_digit(unsigned c)
{
    return c - '0' < 10u;
}

#define MAX_NUMBER_TOKEN 1024

static wn_status parse_number(parser *p, wn__json *v)
{
    const unsigned char *s = p->s;
    size_t st = p->pos, i = st;
    bool neg = false;
    if (s[i] == '-') {
        neg = true;
        i++;
    }
    char fb[16];
    if (i >= p->len || !is_digit(s[i]))
        return perr(p, i, "expected a digit after '-', found %s", found(p, i, fb));
    if (s[i] == '0') {
        i++;
        if (i < p->len && is_digit(s[i]))
            return perr(p, st, "leading zeros are not allowed in a number");
    } else
        while (i < p->len && is_digit(s[i]))
            i++;
    size_t int_end = i;
    bool integral = true;
    if (i < p->len && s[i] == '.') {
        integral = false;
        i++;
        if (i >= p->len || !is_digit(s[i]))
            return perr(p, i, "expected a digit after '.', found %s", found(p, i, fb));
        while (i < p->len && is_digit(s[i]))
            i++;
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        integral = false;
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= p->len || !is_digit(s[i]))
            return perr(p, i, "expected a digit in the exponent, found %s", found(p, i, fb));
        while (i < p->len && is_digit(s[i]))
            i++;
    }
    if (i - st > MAX_NUMBER_TOKEN)
        return perr(p, st, "number longer than %d characters", MAX_NUMBER_TOKEN);
    v->type = WN__JSON_NUMBER;
    if (integral) {
        /* exact when it fits: |v| <= 2^63 - 1, or -2^63 */
        uint64_t m = 0;
        bool fits = true;
        for (size_t k = neg ? st + 1 : st; k < int_end; k++) {
            unsigned d = s[k] - '0';
            if (m > (UINT64_MAX - d) / 10) {
                fits = false;
                break;
            }
            m = m * 10 + d;
        }
        if (fits && m <= (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
            v->is_int = true;
            v->i = neg ? (m == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)m) : (int64_t)m;
            v->u.num = (double)v->i;
            if (neg && m == 0)
                v->u.num = -0.0;
            p->pos = i;
            return WN_OK;
        }
    }
    /* strtod on a local copy, '.' swapped for the locale's decimal point */
    char buf[MAX_NUMBER_TOKEN + 8];
    const char *dp = localeconv()->decimal_point;
    size_t dl = dp && dp[0] ? strlen(dp) : 1, n = 0;
    if (dl > 4)
        dl = 1, dp = ".";
    for (size_t k = st; k < i; k++) {
        if (s[k] == '.') {
            memcpy(buf + n, dp && dp[0] ? dp : ".", dl);
            n += dl;
        } else
            buf[n++] = (char)s[k];
    }
    buf[n] = 0;
    double d = strtod(buf, NULL);
    if (isinf(d))
        return perr(p, st, "number out of range for a double");
    v->u.num = d;
    p->pos = i;
    return WN_OK;
}

static wn_status push_slot(parser *p)
{
    if (p->nstk == p->capstk) {
        size_t cap = p->capstk ? p->capstk * 2 : 64;
        slot *ns = wn__realloc_array(p->stk, cap, sizeof *ns);
        if (!ns)
            return wn__oom("JSON parser stack");
        p->stk = ns;
        p->capstk = cap;
    }
    memset(&p->stk[p->nstk], 0, sizeof p->stk[p->nstk]);
    p->nstk++;
    return WN_OK;
}

/* At a key (after '{' or ','): the key string, then ':'. Pushes its slot. */
static wn_status parse_key(parser *p)
{
    char fb[16];
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '"')
        return perr(p, p->pos, "expected a string key, found %s", found(p, p->pos, fb));
    wn_status s = push_slot(p);
    if (s != WN_OK)
        return s;
    slot *k = &p->stk[p->nstk - 1];
    k->key_pos = p->pos;
    s = parse_string(p, &k->m.key, &k->m.key_len);
    if (s != WN_OK)
        return s;
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != ':')
        return perr(p, p->pos, "expected ':' after an object key, found %s", found(p, p->pos, fb));
    p->pos++;
    return WN_OK;
}

static int key_cmp(const void *a, const void *b)
{
    const slot *x = *(const slot *const *)a, *y = *(const slot *const *)b;
    size_t n = x->m.key_len < y->m.key_len ? x->m.key_len : y->m.key_len;
    int c = memcmp(x->m.key, y->m.key, n);
    if (c)
        return c;
    if (x->m.key_len != y->m.key_len)
        return x->m.key_len < y->m.key_len ? -1 : 1;
    return x->key_pos < y->key_pos ? -1 : x->key_pos > y->key_pos;
}

static bool same_key(const slot *a, const slot *b)
{
    return a->m.key_len == b->m.key_len && memcmp(a->m.key, b->m.key, a->m.key_len) == 0;
}

static wn_status dup_error(const parser *p, const slot *later)
{
    char k[64];
    size_t n = later->m.key_len < 40 ? later->m.key_len : 40;
    memcpy(k, later->m.key, n);
    k[n] = 0;
    for (size_t j = 0; j < n; j++)
        if ((unsigned char)k[j] < 0x20)
            k[j] = '?';
    return perr(p, later->key_pos, "duplicate key \"%s%s\" in an object", k,
                later->m.key_len > 40 ? "..." : "");
}

/* Duplicate keys among the n slots from `first`: pairwise when few, else by
 * sorting pointers (so a wide object costs n log n, not n^2). */
static wn_status check_duplicates(const parser *p, const slot *first, size_t n)
{
    if (n <= 16) {
        for (size_t a = 1; a < n; a++)
            for (size_t b = 0; b < a; b++)
                if (same_key(&first[a], &first[b]))
                    return dup_error(p, &first[a]);
        return WN_OK;
    }
    const slot **ix = wn__malloc_array(n, sizeof *ix);
    if (!ix)
        return wn__oom("JSON duplicate-key check");
    for (size_t k = 0; k < n; k++)
        ix[k] = &first[k];
    qsort(ix, n, sizeof *ix, key_cmp);
    wn_status s = WN_OK;
    for (size_t k = 1; k < n && s == WN_OK; k++)
        if (same_key(ix[k], ix[k - 1]))
            s = dup_error(p, ix[k]);
    wn_free(ix);
    return s;
}

/* Closes the top frame: its children move from the stack into the arena. */
static wn_status close_frame(parser *p, wn__json *v)
{
    frame *f = &p->frames[p->depth - 1];
    size_t n = p->nstk - f->start;
    const slot *first = n ? p->stk + f->start : NULL;
    memset(v, 0, sizeof *v);
    v->n = n;
    if (f->obj) {
        v->type = WN__JSON_OBJECT;
        wn_status s = check_duplicates(p, first, n);
        if (s != WN_OK)
            return s;
        wn__json_member *m = n ? arena_alloc(p->doc, n * sizeof *m) : NULL;
        if (n && !m)
            return wn__oom("JSON tree");
        for (size_t k = 0; k < n; k++)
            m[k] = first[k].m;
        v->u.members = m;
    } else {
        v->type = WN__JSON_ARRAY;
        wn__json *it = n ? arena_alloc(p->doc, n * sizeof *it) : NULL;
        if (n && !it)
            return wn__oom("JSON tree");
        for (size_t k = 0; k < n; k++)
            it[k] = first[k].m.value;
        v->u.items = it;
    }
    p->nstk = f->start;
    p->depth--;
    return WN_OK;
}

static wn_status parse_doc(parser *p)
{
    char fb[16];
    wn__json v;
    wn_status s;
    for (;;) {
        /* ---- a value starts here ---- */
        skip_ws(p);
        memset(&v, 0, sizeof v);
        if (p->pos >= p->len)
            return perr(p, p->pos, "expected a value, found end of input");
        unsigned c = p->s[p->pos];
        if (c == '{' || c == '[') {
            if (p->depth >= p->max_depth)
                return perr(p, p->pos, "nesting deeper than %d levels", p->max_depth);
            if (++p->nodes > WN__JSON_MAX_NODES)
                return wn__fail(WN_ENOMEM, "%s: more than %zu values", p->name,
                                (size_t)WN__JSON_MAX_NODES);
            frame *f = &p->frames[p->depth++];
            f->obj = c == '{';
            f->start = p->nstk;
            p->pos++;
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == (f->obj ? '}' : ']')) {
                p->pos++;
                if ((s = close_frame(p, &v)) != WN_OK)
                    return s;
            } else {
                s = f->obj ? parse_key(p) : push_slot(p);
                if (s != WN_OK)
                    return s;
                continue;
            }
        } else {
            if (++p->nodes > WN__JSON_MAX_NODES)
                return wn__fail(WN_ENOMEM, "%s: more than %zu values", p->name,
                                (size_t)WN__JSON_MAX_NODES);
            if (c == '"') {
                v.type = WN__JSON_STRING;
                if ((s = parse_string(p, &v.u.str, &v.n)) != WN_OK)
                    return s;
            } else if (c == '-' || is_digit(c)) {
                if ((s = parse_number(p, &v)) != WN_OK)
                    return s;
            } else if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "true", 4) == 0) {
                v.type = WN__JSON_BOOL;
                v.boolean = true;
                p->pos += 4;
            } else if (p->len - p->pos >= 5 && memcmp(p->s + p->pos, "false", 5) == 0) {
                v.type = WN__JSON_BOOL;
                p->pos += 5;
            } else if (p->len - p->pos >= 4 && memcmp(p->s + p->pos, "null", 4) == 0) {
                v.type = WN__JSON_NULL;
                p->pos += 4;
            } else
                return perr(p, p->pos, "expected a value, found %s", found(p, p->pos, fb));
        }
        /* ---- v is finished: store it, then ',' or close, repeatedly ---- */
        for (;;) {
            if (p->depth == 0) {
                p->doc->root = v;
                skip_ws(p);
                if (p->pos != p->len)
                    return perr(p, p->pos, "unexpected %s after the JSON value",
                                found(p, p->pos, fb));
                return WN_OK;
            }
            p->stk[p->nstk - 1].m.value = v;
            bool obj = p->frames[p->depth - 1].obj;
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') {
                p->pos++;
                s = obj ? parse_key(p) : push_slot(p);
                if (s != WN_OK)
                    return s;
                break; /* the next value */
            }
            if (p->pos < p->len && p->s[p->pos] == (obj ? '}' : ']')) {
                p->pos++;
                if ((s = close_frame(p, &v)) != WN_OK)
                    return s;
                continue; /* the container is its parent's finished value */
            }
            return perr(p, p->pos, "expected ',' or '%c', found %s", obj ? '}' : ']',
                        found(p, p->pos, fb));
        }
    }
}

wn_status wn__json_parse(const char *name, const char *text, size_t len, int max_depth,
                         wn__json_doc **out)
{
    if (len > WN__JSON_MAX_TEXT)
        return wn__fail(WN_ENOMEM, "%s: JSON text of %zu bytes is over the limit of %zu", name, len,
                        (size_t)WN__JSON_MAX_TEXT);
    if (max_depth <= 0 || max_depth > WN__JSON_MAX_DEPTH)
        max_depth = WN__JSON_MAX_DEPTH;
    parser p;
    memset(&p, 0, sizeof p);
    p.name = name;
    p.s = (const unsigned char *)text;
    p.len = len;
    p.max_depth = max_depth;
    p.doc = wn__calloc(1, sizeof *p.doc);
    if (!p.doc)
        return wn__oom("JSON tree");
    p.frames = wn__malloc_array((size_t)max_depth, sizeof *p.frames);
    wn_status s = p.frames ? parse_doc(&p) : wn__oom("JSON parser stack");
    wn_free(p.frames);
    wn_free(p.stk);
    if (s != WN_OK) {
        wn__json_doc_free(p.doc);
        return s;
    }
    *out = p.doc;
    return WN_OK;
}

/* ===================================================================== */
/* Lookups                                                                */
/* ===================================================================== */

const wn__json *wn__json_get(const wn__json *obj, const char *key)
{
    if (!obj || obj->type != WN__JSON_OBJECT)
        return NULL;
    size_t kl = strlen(key);
    for (size_t k = 0; k < obj->n; k++) {
        const wn__json_member *m = &obj->u.members[k];
        if (m->key_len == kl && memcmp(m->key, key, kl) == 0)
            return &m->value;
    }
    return NULL;
}

const wn__json *wn__json_at(const wn__json *arr, size_t i)
{
    if (!arr || arr->type != WN__JSON_ARRAY || i >= arr->n)
        return NULL;
    return &arr->u.items[i];
}

size_t wn__json_len(const wn__json *v)
{
    return v && (v->type == WN__JSON_ARRAY || v->type == WN__JSON_OBJECT) ? v->n : 0;
}

const char *wn__json_get_string(const wn__json *obj, const char *key, const char *dflt)
{
    const wn__json *v = wn__json_get(obj, key);
    return v && v->type == WN__JSON_STRING ? v->u.str : dflt;
}

double wn__json_get_number(const wn__json *obj, const char *key, double dflt)
{
    const wn__json *v = wn__json_get(obj, key);
    return v && v->type == WN__JSON_NUMBER ? v->u.num : dflt;
}

int64_t wn__json_get_int(const wn__json *obj, const char *key, int64_t dflt)
{
    const wn__json *v = wn__json_get(obj, key);
    return v && v->type == WN__JSON_NUMBER && v->is_int ? v->i : dflt;
}

bool wn__json_get_bool(const wn__json *obj, const char *key, bool dflt)
{
    const wn__json *v = wn__json_get(obj, key);
    return v && v->type == WN__JSON_BOOL ? v->boolean : dflt;
}
