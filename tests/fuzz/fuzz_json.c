/* fuzz_json.c — libFuzzer target for the strict JSON parser.
 *
 * A document that parses is walked completely (ASan sees any node or string
 * that points outside the arena) and written back with the writer; the text
 * written must parse again to a tree of the same shape, which ties the
 * writer's escaping and number formatting to the parser's grammar. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void emit(wn__jw *w, const wn__json *v)
{
    /* recursion is bounded by the parser's depth limit (64) */
    switch (v->type) {
    case WN__JSON_NULL: wn__jw_null(w); break;
    case WN__JSON_BOOL: wn__jw_bool(w, v->boolean); break;
    case WN__JSON_NUMBER:
        if (v->is_int)
            wn__jw_int(w, v->i);
        else
            wn__jw_double(w, v->u.num);
        break;
    case WN__JSON_STRING: wn__jw_string_n(w, v->u.str, v->n); break;
    case WN__JSON_ARRAY:
        wn__jw_array_begin(w);
        for (size_t k = 0; k < v->n; k++)
            emit(w, &v->u.items[k]);
        wn__jw_array_end(w);
        break;
    default:
        wn__jw_object_begin(w);
        for (size_t k = 0; k < v->n; k++) {
            if (strlen(v->u.members[k].key) != v->u.members[k].key_len) {
                /* a key with \u0000: the writer takes C strings for keys */
                wn__jw_key(w, "?nul");
            } else
                wn__jw_key(w, v->u.members[k].key);
            emit(w, &v->u.members[k].value);
        }
        wn__jw_object_end(w);
    }
}

static int same(const wn__json *a, const wn__json *b)
{
    if (a->type != b->type || a->n != b->n)
        return 0;
    switch (a->type) {
    case WN__JSON_BOOL: return a->boolean == b->boolean;
    case WN__JSON_NUMBER:
        if (a->is_int)
            return b->is_int && a->i == b->i;
        return memcmp(&a->u.num, &b->u.num, sizeof(double)) == 0 ||
               (a->u.num == b->u.num); /* "1.0" comes back as the integer 1 */
    case WN__JSON_STRING: return memcmp(a->u.str, b->u.str, a->n) == 0;
    case WN__JSON_ARRAY:
        for (size_t k = 0; k < a->n; k++)
            if (!same(&a->u.items[k], &b->u.items[k]))
                return 0;
        return 1;
    case WN__JSON_OBJECT:
        for (size_t k = 0; k < a->n; k++)
            if (!same(&a->u.members[k].value, &b->u.members[k].value))
                return 0;
        return 1;
    default: return 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wn__json_doc *d = NULL;
    wn_status s = wn__json_parse("fuzz", (const char *)data, size, 0, &d);
    if (s != WN_OK) {
        if (d || strncmp(wn_errmsg(), "fuzz: ", 6) != 0)
            abort();
        return 0;
    }
    const wn__json *root = wn__json_doc_root(d);
    for (int pretty = 0; pretty < 2; pretty++) {
        wn__jw w;
        wn__jw_init(&w, pretty);
        emit(&w, root);
        char *text;
        size_t len;
        s = wn__jw_finish(&w, &text, &len);
        if (s != WN_OK) {
            /* keys holding \u0000 may become duplicates of "?nul" */
            break;
        }
        wn__json_doc *d2 = NULL;
        s = wn__json_parse("again", text, len, 0, &d2);
        if (s == WN_OK && !same(root, wn__json_doc_root(d2)))
            abort();
        if (s != WN_OK && !strstr(wn_errmsg(), "duplicate key") && s != WN_ENOMEM)
            abort();
        wn__json_doc_free(d2);
        wn_free(text);
    }
    wn__json_doc_free(d);
    return 0;
}
