/* npy_header.c — the .npy header: a Python dict literal, parsed with bounds.
 *
 * numpy writes the header with repr() of a dict such as
 *
 *     {'descr': '<f4', 'fortran_order': False, 'shape': (1000, 28), }
 *     {'descr': [('mjj', '<f4'), ('label', '<i8')], 'fortran_order': False, 'shape': (1000,), }
 *
 * and reads it back with ast.literal_eval. We accept the subset of Python
 * literal syntax that can describe a numeric array: string literals (single
 * or double quotes, with escapes), integers (an 'L' suffix from Python 2
 * writers is tolerated), True/False, tuples and lists, whitespace anywhere
 * and trailing commas. Exactly the three keys must be present, as numpy
 * requires; anything else is an error naming the byte where it went wrong.
 * The parser never looks past `len` and never recurses on input, so a hostile
 * header cannot overrun a buffer or the stack. */
#include "npy_internal.h"

#include <stdio.h>
#include <string.h>

typedef struct parser {
    const char *file;
    const char *s;
    size_t n, i, base;
    bool utf8;
} parser;

static bool host_big_endian(void)
{
    const uint16_t one = 1;
    uint8_t b;
    memcpy(&b, &one, 1);
    return b == 0;
}

static wn_status perr(const parser *p, const char *what)
{
    char near[24];
    size_t k = 0;
    for (size_t j = p->i; j < p->n && k < 20; j++) {
        unsigned char c = (unsigned char)p->s[j];
        near[k++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    near[k] = 0;
    if (!k)
        return wn__fail(WN_EFORMAT,
                        "%s: malformed NPY header at byte %zu: %s (at the end of the header)",
                        p->file, p->base + p->i, what);
    return wn__fail(WN_EFORMAT, "%s: malformed NPY header at byte %zu: %s (near \"%s\")", p->file,
                    p->base + p->i, what, near);
}

static void skip_ws(parser *p)
{
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
            break;
        p->i++;
    }
}

static int peek(const parser *p)
{
    return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

static wn_status expect(parser *p, char c, const char *what)
{
    skip_ws(p);
    if (peek(p) != (unsigned char)c)
        return perr(p, what);
    p->i++;
    return WN_OK;
}

/* A string literal: records where its body lies; escapes are decoded later. */
static wn_status parse_string(parser *p, size_t *off, size_t *len)
{
    int q = peek(p);
    if (q != '\'' && q != '"')
        return perr(p, "expected a string");
    size_t start = ++p->i;
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c == q) {
            *off = start;
            *len = p->i - start;
            p->i++;
            return WN_OK;
        }
        if (c == '\n') /* a single-quoted Python string cannot span lines */
            return perr(p, "unterminated string");
        p->i += (c == '\\') ? 2 : 1;
    }
    p->i = start - 1;
    return perr(p, "unterminated string");
}

static bool ident_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool take_word(parser *p, const char *w)
{
    size_t k = strlen(w);
    if (p->n - p->i < k || memcmp(p->s + p->i, w, k) != 0)
        return false;
    if (p->i + k < p->n && ident_char((unsigned char)p->s[p->i + k]))
        return false;
    p->i += k;
    return true;
}

/* A non-negative integer no larger than INT64_MAX. */
static wn_status parse_dim(parser *p, uint64_t *v)
{
    if (peek(p) == '-')
        return perr(p, "negative dimension in 'shape'");
    if (peek(p) < '0' || peek(p) > '9')
        return perr(p, "expected an integer or ')' in the 'shape' tuple");
    uint64_t x = 0;
    while (peek(p) >= '0' && peek(p) <= '9') {
        uint64_t d = (uint64_t)(peek(p) - '0');
        if (x > ((uint64_t)INT64_MAX - d) / 10)
            return perr(p, "dimension in 'shape' exceeds 2**63-1");
        x = x * 10 + d;
        p->i++;
    }
    if (peek(p) == 'L' || peek(p) == 'l') /* Python 2 long */
        p->i++;
    if (ident_char(peek(p)))
        return perr(p, "bad integer in 'shape'");
    *v = x;
    return WN_OK;
}

static wn_status parse_shape(parser *p, wn__npy_header *h)
{
    if (peek(p) != '(')
        return perr(p, "expected a tuple such as (5,) or (5, 3) for 'shape'");
    p->i++;
    h->ndim = 0;
    for (;;) {
        skip_ws(p);
        if (peek(p) == ')') {
            p->i++;
            return WN_OK;
        }
        uint64_t v = 0;
        wn_status s = parse_dim(p, &v);
        if (s)
            return s;
        if (h->ndim >= WN__NPY_MAX_DIMS)
            return perr(p, "more than 64 dimensions in 'shape'");
        if (h->ndim < 2)
            h->dims[h->ndim] = v;
        h->ndim++;
        skip_ws(p);
        if (peek(p) == ',')
            p->i++;
        else if (peek(p) != ')')
            return perr(p, "expected ',' or ')' in the 'shape' tuple");
    }
}

static wn_status parse_bool(parser *p, bool *v)
{
    if (take_word(p, "True"))
        *v = true;
    else if (take_word(p, "False"))
        *v = false;
    else
        return perr(p, "expected True or False for 'fortran_order'");
    return WN_OK;
}

static void put_utf8(char *dst, size_t *k, uint32_t cp)
{
    if (cp < 0x80) {
        dst[(*k)++] = (char)cp;
    } else if (cp < 0x800) {
        dst[(*k)++] = (char)(0xC0 | (cp >> 6));
        dst[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        dst[(*k)++] = (char)(0xE0 | (cp >> 12));
        dst[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[(*k)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        dst[(*k)++] = (char)(0xF0 | (cp >> 18));
        dst[(*k)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        dst[(*k)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[(*k)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Output never exceeds 2*len bytes: each escape of m source bytes yields at
 * most m UTF-8 bytes, and a latin-1 byte yields two. */
wn_status wn__npy_decode_string(const char *name, const char *s, size_t len, bool utf8, char *dst,
                                size_t *out_len)
{
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        if (c != '\\') {
            if (c == 0)
                return wn__fail(WN_EFORMAT, "%s: a string in the NPY header contains a NUL byte",
                                name);
            if (c >= 0x80 && !utf8)
                put_utf8(dst, &k, c); /* latin-1 → UTF-8 */
            else
                dst[k++] = (char)c;
            i++;
            continue;
        }
        if (i + 1 >= len)
            return wn__fail(WN_EFORMAT, "%s: a string in the NPY header ends with a lone backslash",
                            name);
        char e = s[i + 1];
        i += 2;
        int digits = 0;
        switch (e) {
        case '\\': cp = '\\'; break;
        case '\'': cp = '\''; break;
        case '"': cp = '"'; break;
        case 'n': cp = '\n'; break;
        case 't': cp = '\t'; break;
        case 'r': cp = '\r'; break;
        case 'a': cp = 7; break;
        case 'b': cp = 8; break;
        case 'f': cp = 12; break;
        case 'v': cp = 11; break;
        case '\n': continue; /* line continuation */
        case 'x': digits = 2; break;
        case 'u': digits = 4; break;
        case 'U': digits = 8; break;
        default:
            if (e >= '0' && e <= '7') {
                cp = (uint32_t)(e - '0');
                for (int m = 0; m < 2 && i < len && s[i] >= '0' && s[i] <= '7'; m++)
                    cp = cp * 8 + (uint32_t)(s[i++] - '0');
                break;
            }
            /* Python keeps an unknown escape as written */
            dst[k++] = '\\';
            i--;
            continue;
        }
        if (digits) {
            cp = 0;
            for (int m = 0; m < digits; m++) {
                int h = i < len ? hexval(s[i]) : -1;
                if (h < 0)
                    return wn__fail(WN_EFORMAT, "%s: bad \\%c escape in a string of the NPY header",
                                    name, e);
                cp = cp * 16 + (uint32_t)h;
                i++;
            }
            if (cp > 0x10FFFF)
                return wn__fail(WN_EFORMAT,
                                "%s: \\U escape beyond U+10FFFF in a string of the NPY header",
                                name);
        }
        if (cp == 0)
            return wn__fail(WN_EFORMAT, "%s: a string in the NPY header contains a NUL character",
                            name);
        put_utf8(dst, &k, cp);
    }
    dst[k] = 0;
    *out_len = k;
    return WN_OK;
}

/* The field's name for a message: decoded, cut short, never failing. */
static const char *field_label(const parser *p, const wn__npy_field *f, char *buf, size_t cap)
{
    if (!f) {
        buf[0] = 0;
        return buf;
    }
    if (!f->name_len) {
        snprintf(buf, cap, "f%lld", (long long)f->index);
        return buf;
    }
    char tmp[2 * 48 + 1];
    size_t len = f->name_len < 48 ? f->name_len : 48, out;
    if (wn__npy_decode_string(p->file, p->s + f->name_off, len, p->utf8, tmp, &out) != WN_OK)
        snprintf(tmp, sizeof tmp, "#%lld", (long long)f->index);
    /* the name is shown shortened on purpose: copy by hand, gcc would warn */
    size_t n = strnlen(tmp, sizeof tmp - 1);
    if (n > cap - 4)
        n = cap - 4;
    memcpy(buf, tmp, n);
    strcpy(buf + n, len < f->name_len ? "..." : "");
    return buf;
}

static const char *kind_words(char kind, size_t size)
{
    switch (kind) {
    case 'c': return "complex numbers";
    case 'O': return "Python objects";
    case 'U': return "unicode strings";
    case 'S':
    case 'a': return "byte strings";
    case 'M': return "datetimes";
    case 'm': return "timedeltas";
    case 'V': return "raw bytes (void)";
    case 'f': return size > 8 ? "extended precision floats" : "floats of this size";
    case 'i':
    case 'u': return "integers of this size";
    case 'b': return "bools of this size";
    default: return "not a numeric type";
    }
}

/* Interprets a type string such as '<f4', '>i8', '|u1', '|b1', '=f8'. Void
 * ('|V4') is accepted only where allow_void (an unnamed padding field). */
static wn_status parse_typestr(parser *p, size_t off, size_t len, const wn__npy_field *f,
                               bool allow_void, wn__npy_dtype *dt)
{
    char ts[40], lab[80];
    size_t tl = 0;
    if (len > 16)
        return wn__fail(WN_EFORMAT, "%s: unsupported element type (a %zu-byte string)%s%s", p->file,
                        len, f ? " in field " : "", field_label(p, f, lab, sizeof lab));
    wn_status st = wn__npy_decode_string(p->file, p->s + off, len, p->utf8, ts, &tl);
    if (st)
        return st;
    const char *q = ts;
    bool big = host_big_endian();
    if (*q == '<' || *q == '>' || *q == '=' || *q == '|') {
        if (*q == '<')
            big = false;
        else if (*q == '>')
            big = true;
        q++;
    }
    char kind = *q ? *q++ : '?';
    size_t size = 0;
    bool ok = true;
    if (kind == '?' && q > ts && q[-1] == '?') {
        kind = 'b';
        size = 1;
        ok = !*q;
    } else {
        int nd = 0;
        while (*q >= '0' && *q <= '9' && nd < 10) {
            size = size * 10 + (size_t)(*q++ - '0');
            nd++;
        }
        ok = nd > 0 && !*q;
    }
    bool good =
        ok &&
        ((kind == 'f' && (size == 2 || size == 4 || size == 8)) ||
         ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
         (kind == 'b' && size == 1) || (kind == 'V' && allow_void && size > 0));
    if (!good) {
        char shown[40];
        size_t m = 0;
        for (size_t j = 0; j < tl && m < sizeof shown - 1; j++) {
            unsigned char c = (unsigned char)ts[j];
            shown[m++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
        }
        shown[m] = 0;
        return wn__fail(WN_EFORMAT,
                        "%s: unsupported element type '%s' (%s)%s%s; winnow reads float16/32/64, "
                        "int8-64, uint8-64 and bool",
                        p->file, shown,
                        (ok || (kind && strchr("cOUSaMmV", kind))) ? kind_words(kind, size)
                                                                   : "not a numeric type",
                        f ? " in field " : "", field_label(p, f, lab, sizeof lab));
    }
    dt->kind = kind;
    dt->big = size > 1 && big;
    dt->size = size;
    return WN_OK;
}

static wn_status field_error(const parser *p, const wn__npy_field *f, const char *what)
{
    char lab[80];
    return wn__fail(WN_EFORMAT, "%s: field '%s' %s", p->file, field_label(p, f, lab, sizeof lab),
                    what);
}

static wn_status parse_field(parser *p, wn__npy_header *h, wn__npy_field *f)
{
    wn_status s;
    memset(f, 0, sizeof *f);
    f->index = (int64_t)h->nfields;
    p->i++; /* '(' */
    skip_ws(p);
    if (peek(p) == '(') { /* (title, name) */
        p->i++;
        skip_ws(p);
        size_t o, l;
        if ((s = parse_string(p, &o, &l)) ||
            (s = expect(p, ',', "expected ',' after a field title")))
            return s;
        skip_ws(p);
        if ((s = parse_string(p, &f->name_off, &f->name_len)) ||
            (s = expect(p, ')', "expected ')' after a field's (title, name)")))
            return s;
    } else if ((s = parse_string(p, &f->name_off, &f->name_len))) {
        return s;
    }
    if ((s = expect(p, ',', "expected ',' after a field name")))
        return s;
    skip_ws(p);
    if (peek(p) == '[')
        return field_error(p, f, "is a nested record; winnow reads flat records of numbers");
    size_t o, l;
    if (peek(p) != '\'' && peek(p) != '"')
        return perr(p, "expected the field's type string, such as '<f4'");
    if ((s = parse_string(p, &o, &l)) || (s = parse_typestr(p, o, l, f, !f->name_len, &f->dt)))
        return s;
    skip_ws(p);
    if (peek(p) == ',') {
        p->i++;
        skip_ws(p);
        if (peek(p) != ')')
            return field_error(p, f,
                               "is a subarray (it has a shape); winnow reads one number per field");
    }
    return expect(p, ')', "expected ')' closing a field tuple");
}

static wn_status parse_fields(parser *p, wn__npy_header *h)
{
    size_t cap = 0;
    p->i++; /* '[' */
    h->structured = true;
    for (;;) {
        skip_ws(p);
        if (peek(p) == ']') {
            p->i++;
            return WN_OK;
        }
        if (peek(p) != '(')
            return perr(p, "expected '(' starting a field tuple or ']' in 'descr'");
        if (h->nfields == cap) {
            size_t nc = cap ? cap * 2 : 8;
            wn__npy_field *nf = wn__realloc_array(h->fields, nc, sizeof *nf);
            if (!nf)
                return wn__fail_prefix(wn__oom("NPY field list"), "%s", p->file);
            h->fields = nf;
            cap = nc;
        }
        wn__npy_field *f = &h->fields[h->nfields];
        wn_status s = parse_field(p, h, f);
        if (s)
            return s;
        if (f->dt.size > WN__NPY_MAX_RECORD - h->recsize)
            return wn__fail(WN_ENOMEM,
                            "%s: NPY records are longer than winnow's limit of %zu bytes", p->file,
                            WN__NPY_MAX_RECORD);
        f->offset = h->recsize;
        h->recsize += f->dt.size;
        h->nfields++;
        if (f->dt.kind != 'V' && ++h->ncols > WN_MAX_COLUMNS)
            return wn__fail(WN_ENOMEM, "%s: more than %d fields (winnow's column limit)", p->file,
                            WN_MAX_COLUMNS);
        if (f->name_len > h->max_name_len)
            h->max_name_len = f->name_len;
        skip_ws(p);
        if (peek(p) == ',')
            p->i++;
        else if (peek(p) != ']')
            return perr(p, "expected ',' or ']' after a field in 'descr'");
    }
}

static wn_status parse_dict(parser *p, wn__npy_header *h)
{
    bool have_descr = false, have_fortran = false, have_shape = false;
    wn_status s = expect(p, '{', "expected '{' opening the header dict");
    if (s)
        return s;
    for (;;) {
        skip_ws(p);
        if (peek(p) == '}') {
            p->i++;
            break;
        }
        size_t key_at = p->i, o, l;
        if ((s = parse_string(p, &o, &l)))
            return s;
        const char *k = p->s + o;
        int which = (l == 5 && !memcmp(k, "descr", 5))             ? 0
                    : (l == 13 && !memcmp(k, "fortran_order", 13)) ? 1
                    : (l == 5 && !memcmp(k, "shape", 5))           ? 2
                                                                   : -1;
        if (which < 0) {
            p->i = key_at;
            return perr(p, "unexpected key (an NPY header has exactly 'descr', "
                           "'fortran_order' and 'shape')");
        }
        bool *have = which == 0 ? &have_descr : which == 1 ? &have_fortran : &have_shape;
        if (*have) {
            p->i = key_at;
            return perr(p, "key appears twice");
        }
        *have = true;
        if ((s = expect(p, ':', "expected ':' after a key")))
            return s;
        skip_ws(p);
        if (which == 0) {
            if (peek(p) == '[') {
                s = parse_fields(p, h);
            } else if (peek(p) == '\'' || peek(p) == '"') {
                if (!(s = parse_string(p, &o, &l)))
                    s = parse_typestr(p, o, l, NULL, false, &h->dt);
            } else {
                s = perr(p, "expected a type string or a list of fields for 'descr'");
            }
        } else if (which == 1) {
            s = parse_bool(p, &h->fortran);
        } else {
            s = parse_shape(p, h);
        }
        if (s)
            return s;
        skip_ws(p);
        if (peek(p) == ',')
            p->i++;
        else if (peek(p) != '}')
            return perr(p, "expected ',' or '}' after a value");
    }
    skip_ws(p);
    if (p->i < p->n)
        return perr(p, "unexpected text after the header dict");
    const char *missing = !have_descr     ? "descr"
                          : !have_fortran ? "fortran_order"
                          : !have_shape   ? "shape"
                                          : NULL;
    if (missing)
        return wn__fail(WN_EFORMAT, "%s: the NPY header lacks the '%s' key", p->file, missing);
    return WN_OK;
}

wn_status wn__npy_parse_header(const char *name, const char *text, size_t len, int version,
                               size_t base, wn__npy_header *h)
{
    memset(h, 0, sizeof *h);
    h->version = version;
    h->base = base;
    parser p = {name, text, len, 0, base, version >= 3};
    wn_status s = parse_dict(&p, h);
    if (s)
        wn__npy_header_free(h);
    return s;
}

void wn__npy_header_free(wn__npy_header *h)
{
    wn_free(h->fields);
    h->fields = NULL;
    h->nfields = 0;
}
