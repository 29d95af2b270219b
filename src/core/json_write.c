/* json_write.c — JSON text out: a writer with sticky errors, and UTF-8
 * validation shared with the parser (json_read.c).
 *
 * Why our own: the model header is the one place where text a user can edit
 * meets code that trusts it, so we want the exact grammar of RFC 8259
 * (Bray, 2017), every allocation through the library's hook (tests fail the
 * Nth one), and doubles written with the fewest digits that read back
 * exactly, in any locale. NaN and infinities are not JSON: they are written
 * as null. */
#include "json.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ===================================================================== */
/* UTF-8                                                                  */
/* ===================================================================== */

/* Length of the valid UTF-8 sequence at s[0..n) (n >= 1), or 0. */
size_t wn__utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlongs */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing past U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

int wn__utf8_valid(const char *s, size_t n, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = wn__utf8_seq(u + i, n - i);
        if (!k) {
            if (bad)
                *bad = i;
            return 0;
        }
        i += k;
    }
    return 1;
}

/* ===================================================================== */
/* Writer                                                                 */
/* ===================================================================== */

void wn__jw_init(wn__jw *w, bool pretty)
{
    memset(w, 0, sizeof *w);
    w->pretty = pretty;
    w->first[0] = true;
}

void wn__jw_free(wn__jw *w)
{
    wn_free(w->buf);
    bool pretty = w->pretty;
    wn__jw_init(w, pretty);
}

static void jw_error(wn__jw *w, wn_status s, const char *what)
{
    if (w->err != WN_OK)
        return;
    w->err = s == WN_ENOMEM ? wn__oom(what) : wn__fail(s, "JSON writer: %s", what);
}

static void put(wn__jw *w, const char *s, size_t n)
{
    if (w->err != WN_OK)
        return;
    if (n + 1 > w->cap - w->len || !w->buf) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap - w->len < n + 1) {
            if (cap > SIZE_MAX / 2) {
                jw_error(w, WN_ENOMEM, "JSON text");
                return;
            }
            cap *= 2;
        }
        char *b = wn__realloc(w->buf, cap);
        if (!b) {
            jw_error(w, WN_ENOMEM, "JSON text");
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = 0;
}

static void put_c(wn__jw *w, char c)
{
    put(w, &c, 1);
}

static void newline(wn__jw *w)
{
    if (!w->pretty)
        return;
    put_c(w, '\n');
    for (int d = 0; d < w->depth; d++)
        put(w, "  ", 2);
}

/* Comma and indentation before a value; 0 when the value must not be
 * written (an error is set). */
static int before_value(wn__jw *w)
{
    if (w->err != WN_OK)
        return 0;
    if (w->after_key) {
        w->after_key = false;
        return 1;
    }
    if (w->depth == 0) {
        if (!w->first[0]) {
            jw_error(w, WN_EINTERNAL, "a second top-level value");
            return 0;
        }
        w->first[0] = false;
        return 1;
    }
    if (w->in_obj[w->depth]) {
        jw_error(w, WN_EINTERNAL, "a value in an object without a key");
        return 0;
    }
    if (!w->first[w->depth])
        put_c(w, ',');
    w->first[w->depth] = false;
    newline(w);
    return 1;
}

static void write_string(wn__jw *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t bad;
    if (!wn__utf8_valid(s, n, &bad)) {
        if (w->err == WN_OK)
            w->err = wn__fail(WN_EINVAL, "JSON writer: string is not valid UTF-8 (byte %zu)", bad);
        return;
    }
    put_c(w, '"');
    size_t run = 0; /* start of bytes not yet written */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, s + run, i - run);
        run = i + 1;
        char e[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\n': e[1] = 'n'; break;
        case '\t': e[1] = 't'; break;
        case '\r': e[1] = 'r'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        default:
            e[1] = 'u';
            e[2] = '0';
            e[3] = '0';
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            el = 6;
        }
        put(w, e, el);
    }
    put(w, s + run, n - run);
    put_c(w, '"');
}

static void open_container(wn__jw *w, char c, bool obj)
{
    if (!before_value(w))
        return;
    if (w->depth >= WN__JSON_MAX_DEPTH) {
        jw_error(w, WN_EINTERNAL, "nesting deeper than the limit");
        return;
    }
    put_c(w, c);
    w->depth++;
    w->first[w->depth] = true;
    w->in_obj[w->depth] = obj;
}

static void close_container(wn__jw *w, char c, bool obj)
{
    if (w->err != WN_OK)
        return;
    if (w->depth == 0 || w->in_obj[w->depth] != obj || w->after_key) {
        jw_error(w, WN_EINTERNAL, "a close that matches no open container");
        return;
    }
    bool empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        newline(w);
    put_c(w, c);
}

void wn__jw_object_begin(wn__jw *w)
{
    open_container(w, '{', true);
}
void wn__jw_object_end(wn__jw *w)
{
    close_container(w, '}', true);
}
void wn__jw_array_begin(wn__jw *w)
{
    open_container(w, '[', false);
}
void wn__jw_array_end(wn__jw *w)
{
    close_container(w, ']', false);
}

void wn__jw_key(wn__jw *w, const char *key)
{
    if (w->err != WN_OK)
        return;
    if (w->depth == 0 || !w->in_obj[w->depth] || w->after_key) {
        jw_error(w, WN_EINTERNAL, "a key outside an object, or two keys in a row");
        return;
    }
    if (!w->first[w->depth])
        put_c(w, ',');
    w->first[w->depth] = false;
    newline(w);
    write_string(w, key, strlen(key));
    if (w->pretty)
        put(w, ": ", 2);
    else
        put_c(w, ':');
    w->after_key = true;
}

void wn__jw_string_n(wn__jw *w, const char *s, size_t n)
{
    if (before_value(w))
        write_string(w, s, n);
}

void wn__jw_string(wn__jw *w, const char *s)
{
    wn__jw_string_n(w, s, strlen(s));
}

void wn__jw_int(wn__jw *w, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%lld", (long long)v);
    if (before_value(w))
        put(w, b, (size_t)n);
}

/* Rewrites the locale's decimal point in buf (len bytes) as '.'. */
static int c_locale_point(char *buf, int len)
{
    const char *dp = localeconv()->decimal_point;
    if (!dp || !dp[0] || (dp[0] == '.' && !dp[1]))
        return len;
    char *p = strstr(buf, dp);
    if (!p)
        return len;
    size_t dl = strlen(dp);
    *p = '.';
    memmove(p + 1, p + dl, strlen(p + dl) + 1);
    return len - (int)(dl - 1);
}

int wn__json_format_double(char *buf, double v)
{
    if (v == 0.0)
        return snprintf(buf, 32, signbit(v) ? "-0" : "0");
    /* Round-tripping is monotone in the precision, so the first p that reads
     * back is the shortest; 17 always does for a finite double. */
    int len = 0;
    for (int p = 1; p <= 17; p++) {
        len = snprintf(buf, 32, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return c_locale_point(buf, len);
}

void wn__jw_double(wn__jw *w, double v)
{
    if (!isfinite(v)) {
        wn__jw_null(w);
        return;
    }
    char b[40];
    int n = wn__json_format_double(b, v);
    if (before_value(w))
        put(w, b, (size_t)n);
}

void wn__jw_bool(wn__jw *w, bool v)
{
    if (before_value(w))
        put(w, v ? "true" : "false", v ? 4 : 5);
}

void wn__jw_null(wn__jw *w)
{
    if (before_value(w))
        put(w, "null", 4);
}

wn_status wn__jw_finish(wn__jw *w, char **out, size_t *len)
{
    if (w->err == WN_OK && (w->depth != 0 || w->after_key || w->first[0]))
        jw_error(w, WN_EINTERNAL, "unfinished document (a container left open, or no value)");
    if (w->err == WN_OK && w->pretty)
        put_c(w, '\n');
    wn_status s = w->err;
    if (s == WN_OK) {
        *out = w->buf;
        *len = w->len;
        w->buf = NULL;
    }
    wn__jw_free(w);
    return s;
}

