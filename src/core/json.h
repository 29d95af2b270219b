/* json.h — a small JSON writer and a strict JSON parser (never installed).
 *
 * Used for model file headers (src/io/container.c) and anything else that
 * needs a self-describing text record. Two halves:
 *
 * Writer (wn__jw): a growable buffer plus helpers that emit objects, arrays,
 * keys and scalars, with commas and (optionally) indentation handled for the
 * caller. Errors are sticky: the helpers return nothing, the first failure
 * (out of memory, invalid UTF-8 in a string, a key outside an object, nesting
 * past WN__JSON_MAX_DEPTH) is remembered and reported by wn__jw_finish, so a
 * writer reads as a straight list of calls.
 *
 *     wn__jw w;
 *     wn__jw_init(&w, true);
 *     wn__jw_object_begin(&w);
 *     wn__jw_key(&w, "kind");   wn__jw_string(&w, "gbdt");
 *     wn__jw_key(&w, "rounds"); wn__jw_int(&w, 500);
 *     wn__jw_object_end(&w);
 *     char *text; size_t len;
 *     if (wn__jw_finish(&w, &text, &len) != WN_OK) return ...;   // w is freed
 *     ... wn_free(text);
 *
 * Numbers: int64 exactly; doubles as the shortest "%.<p>g" text (p <= 17)
 * that strtod reads back to the same double, so every finite double round
 * trips bit for bit (-0 included). NaN and +-inf have no JSON form: they are
 * written as null (a reader that needs them must store them another way).
 *
 * Parser (wn__json_parse): RFC 8259, strictly: one value with optional
 * surrounding whitespace; no comments, trailing commas, single quotes,
 * leading zeros, leading '+', hex, NaN/Infinity literals, unescaped control
 * characters in strings or invalid UTF-8 (overlong forms, surrogates, code
 * points past U+10FFFF); \u escapes must pair surrogates correctly; duplicate
 * keys in one object are an error (RFC 8259 leaves them undefined, and a
 * model header must mean one thing). Implementation limits (RFC 8259 §9):
 * text <= WN__JSON_MAX_TEXT bytes, nesting <= max_depth (default 64), at most
 * WN__JSON_MAX_NODES values, number tokens <= 1024 characters. The parser is
 * iterative: untrusted nesting never grows the C stack.
 *
 * The tree (wn__json_doc) lives in one arena: one wn__json_doc_free releases
 * every node and string. Nodes are read-only and stay valid until then.
 * Errors name the input, line, column (1-based, in bytes) and byte offset:
 * "header: line 3, column 14 (byte 37): expected ':' after an object key". */
#ifndef WN_JSON_H
#define WN_JSON_H

#include "core.h"

#define WN__JSON_MAX_DEPTH 64
#define WN__JSON_MAX_TEXT ((size_t)64 << 20)
#define WN__JSON_MAX_NODES ((size_t)1 << 23)

/* ---- writer ---- */

typedef struct wn__jw {
    char *buf;
    size_t len, cap;
    bool pretty;
    int depth;                           /* open containers */
    bool first[WN__JSON_MAX_DEPTH + 1];  /* no element written yet at that level */
    bool in_obj[WN__JSON_MAX_DEPTH + 1]; /* that level is an object */
    bool after_key;                      /* a key was written, its value is next */
    wn_status err;                       /* first failure, sticky */
} wn__jw;

/* Starts an empty writer (no allocation yet). pretty: two-space indentation
 * and one element per line; otherwise no whitespace at all. */
void wn__jw_init(wn__jw *w, bool pretty);
void wn__jw_object_begin(wn__jw *w);
void wn__jw_object_end(wn__jw *w);
void wn__jw_array_begin(wn__jw *w);
void wn__jw_array_end(wn__jw *w);
/* A key inside an object; the next call writes its value. */
void wn__jw_key(wn__jw *w, const char *key);
/* A string (UTF-8; invalid UTF-8 is a WN_EINVAL error). "\"\\/" and control
 * characters are escaped (\n \t \r \b \f, else \u00XX); everything else,
 * multi-byte UTF-8 included, is passed through. */
void wn__jw_string(wn__jw *w, const char *s);
void wn__jw_string_n(wn__jw *w, const char *s, size_t n);
void wn__jw_int(wn__jw *w, int64_t v);
void wn__jw_double(wn__jw *w, double v); /* NaN, +-inf -> null */
void wn__jw_bool(wn__jw *w, bool v);
void wn__jw_null(wn__jw *w);
/* Ends writing. On WN_OK, *out is the NUL-terminated text (caller frees with
 * wn_free) and *len its length. On failure (the first error seen, or
 * containers left open: WN_EINTERNAL) nothing is returned. Either way the
 * writer is released; wn__jw_init starts it again. */
wn_status wn__jw_finish(wn__jw *w, char **out, size_t *len);
/* Releases a writer without taking its text. */
void wn__jw_free(wn__jw *w);

/* Writes the shortest round-trip text of a finite double into buf (32 bytes),
 * '.' as the decimal point whatever the locale. Returns its length. */
int wn__json_format_double(char *buf, double v);

/* ---- parser and tree ---- */

typedef enum wn__json_type {
    WN__JSON_NULL,
    WN__JSON_BOOL,
    WN__JSON_NUMBER,
    WN__JSON_STRING,
    WN__JSON_ARRAY,
    WN__JSON_OBJECT
} wn__json_type;

typedef struct wn__json wn__json;
typedef struct wn__json_member wn__json_member;

struct wn__json {
    uint8_t type; /* wn__json_type */
    bool boolean; /* WN__JSON_BOOL */
    bool is_int;  /* number: written as an integer literal (no '.', no
                     exponent) that fits int64; then i is its exact value */
    size_t n;     /* string: bytes; array: items; object: members */
    int64_t i;    /* number, when is_int */
    union {
        double num;                     /* number (always set; rounded if large) */
        const char *str;                /* string: NUL-terminated UTF-8; a \u0000
                                           escape makes n the only true length */
        const wn__json *items;          /* array */
        const wn__json_member *members; /* object, in file order */
    } u;
};

struct wn__json_member {
    const char *key; /* NUL-terminated UTF-8 */
    size_t key_len;
    wn__json value;
};

typedef struct wn__json_doc wn__json_doc;

/* Parses len bytes of text. name prefixes error messages ("header",
 * "model.wnm: header"). max_depth <= 0 means WN__JSON_MAX_DEPTH; a
 * max_depth above it is clamped to it. On WN_OK *out is the tree (free with
 * wn__json_doc_free). Errors: WN_EFORMAT (malformed; the message gives line,
 * column, byte offset and what was expected), WN_ENOMEM (out of memory, or
 * a text or node-count limit). */
wn_status wn__json_parse(const char *name, const char *text, size_t len, int max_depth,
                         wn__json_doc **out);
const wn__json *wn__json_doc_root(const wn__json_doc *d);
void wn__json_doc_free(wn__json_doc *d);

/* Lookups: NULL when v is NULL, of the wrong type, or has no such member.
 * Object lookup is a linear scan (headers are small; first match, and keys
 * are unique anyway). */
const wn__json *wn__json_get(const wn__json *obj, const char *key);
const wn__json *wn__json_at(const wn__json *arr, size_t i);
/* Items of an array or members of an object; 0 for anything else. */
size_t wn__json_len(const wn__json *v);

/* Typed getters on an object member: the default when the member is absent
 * or of another type (get_int also when the number is not an exact int64). */
const char *wn__json_get_string(const wn__json *obj, const char *key, const char *dflt);
double wn__json_get_number(const wn__json *obj, const char *key, double dflt);
int64_t wn__json_get_int(const wn__json *obj, const char *key, int64_t dflt);
bool wn__json_get_bool(const wn__json *obj, const char *key, bool dflt);

/* Length of the valid UTF-8 sequence at s[0..n) (n >= 1), or 0. */
size_t wn__utf8_seq(const unsigned char *s, size_t n);
/* 1 when s[0..n) is valid UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing past U+10FFFF), else 0; *bad (if not NULL) gets the offset of the
 * first invalid byte. */
int wn__utf8_valid(const char *s, size_t n, size_t *bad);

#endif
