/* alloc.c — the one allocation hook.
 *
 * Every allocation in the library passes through here (Lua and SQLite do the
 * same), which buys two things: an embedding program can route memory to its
 * own allocator, and the test build can make the Nth allocation fail to prove
 * that every error path releases what it took (tests/unit/core/test_alloc.c
 * walks N = 1, 2, ... until an operation succeeds). Overflow in count*size is
 * caught here, before any allocator sees a wrapped size. */
#include "core.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static wn_allocator hook;
static _Atomic int64_t fail_at;  /* 0: off; else fail when counter reaches it */
static _Atomic int64_t counter;

void wn_set_allocator(const wn_allocator *a)
{
    if (a)
        hook = *a;
    else
        memset(&hook, 0, sizeof hook);
}

int64_t wn__alloc_fail_at(int64_t n)
{
    int64_t c = atomic_exchange(&counter, 0);
    atomic_store(&fail_at, n);
    return c;
}

static bool should_fail(void)
{
    int64_t c = atomic_fetch_add(&counter, 1) + 1;
    int64_t f = atomic_load(&fail_at);
    return f > 0 && c == f;
}

void *wn__malloc(size_t n)
{
    if (n == 0)
        n = 1;
    if (should_fail())
        return NULL;
    return hook.malloc_fn ? hook.malloc_fn(n, hook.ud) : malloc(n);
}

void *wn__realloc(void *p, size_t n)
{
    if (n == 0)
        n = 1;
    if (should_fail())
        return NULL;
    return hook.realloc_fn ? hook.realloc_fn(p, n, hook.ud) : realloc(p, n);
}

void wn_free(void *p)
{
    if (!p)
        return;
    if (hook.free_fn)
        hook.free_fn(p, hook.ud);
    else
        free(p);
}

void *wn__malloc_array(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return wn__malloc(count * size);
}

void *wn__realloc_array(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return wn__realloc(p, count * size);
}

void *wn__calloc(size_t count, size_t size)
{
    void *p = wn__malloc_array(count, size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *wn__strndup(const char *s, size_t n)
{
    char *d = wn__malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

char *wn__strdup(const char *s) { return wn__strndup(s, strlen(s)); }

int wn__grow_bytes(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 256;
    while (nc < need) {
        if (nc > SIZE_MAX / 2)
            return -1;
        nc *= 2;
    }
    char *b = wn__realloc(*buf, nc);
    if (!b)
        return -1;
    *buf = b;
    *cap = nc;
    return 0;
}
