/* core.h — internals shared by the library's files (never installed).
 *
 * Allocation goes through wn__malloc & co. so that one hook (wn_set_allocator)
 * sees every byte and a test build can fail the Nth allocation. Errors are
 * set with wn__fail, which formats the thread-local message and returns the
 * status, so a failing path reads `return wn__fail(WN_EINVAL, "...")`. */
#ifndef WN_CORE_H
#define WN_CORE_H

#include "winnow.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define WN__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define WN__PRINTF(a, b)
#endif

void *wn__malloc(size_t n);
void *wn__calloc(size_t count, size_t size); /* overflow-checked */
void *wn__realloc(void *p, size_t n);
/* count*size with overflow check; NULL on overflow or failure. */
void *wn__malloc_array(size_t count, size_t size);
void *wn__realloc_array(void *p, size_t count, size_t size);
char *wn__strdup(const char *s);
char *wn__strndup(const char *s, size_t n);

/* Sets the thread's error message and returns s. */
wn_status wn__fail(wn_status s, const char *fmt, ...) WN__PRINTF(2, 3);
/* Prepends "prefix: " to the current message (keeps the status). */
wn_status wn__fail_prefix(wn_status s, const char *fmt, ...) WN__PRINTF(2, 3);
/* Sets the message and returns WN_ENOMEM ("out of memory (<what>)"). */
wn_status wn__oom(const char *what);

/* Number of threads to use: n > 0 as given, 0 → all available. */
int wn__threads(int n);

/* Writes a file atomically: the callback writes into a temporary file beside
 * `path`; on success it is flushed, synced and renamed over `path`; on
 * failure it is removed and `path` is untouched. */
typedef wn_status (*wn__writer_fn)(void *ctx, void *file /* FILE * */);
wn_status wn__write_atomic(const char *path, wn__writer_fn fn, void *ctx);

/* Shortest decimal text that reads back (strtof) to exactly f; "nan",
 * "inf", "-inf" for the specials. buf needs 32 bytes. Returns the length. */
int wn__format_float(char *buf, float f);

/* Appends a column whose storage `data` (nrows floats from wn__malloc) the
 * table adopts on success; on failure the caller still owns it. */
wn_status wn__table_adopt_column(wn_table *t, const char *name, float *data);

/* A 64-bit fingerprint of a table's logical content, for a model's
 * provenance: the row and column counts, then per column in order its name,
 * its level names and its values (rows in the table's own order, a view's
 * through its index; every NaN counts as one NaN). Roles are not included.
 * Deterministic across runs, platforms and thread counts; not cryptographic
 * (fingerprint.c). */
uint64_t wn__table_fingerprint(const wn_table *t);

/* Powers of ten shared by the number parser and formatter: 10^0..10^22,
 * exact doubles; and 10^k for k = -60..60 at index k + 60, in long double
 * (exact for 0..27, correctly rounded otherwise). */
extern const double wn__pow10_exact[23];
extern const long double wn__pow10_ld[121];

/* Little-endian fields of the binary formats (container, binning blobs),
 * byte by byte so alignment and host order never matter. */
static inline uint32_t wn__get_le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static inline uint32_t wn__get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wn__get_le64(const uint8_t *p)
{
    return (uint64_t)wn__get_le32(p) | (uint64_t)wn__get_le32(p + 4) << 32;
}
static inline void wn__put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static inline void wn__put_le32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}
static inline void wn__put_le64(uint8_t *p, uint64_t v)
{
    wn__put_le32(p, (uint32_t)v);
    wn__put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Makes *buf (a wn__malloc'd byte buffer of *cap bytes, or NULL/0) hold at
 * least `need` bytes, doubling from 256. On failure the buffer is untouched
 * and -1 is returned (no message: callers word it); 0 on success. */
int wn__grow_bytes(char **buf, size_t *cap, size_t need);

/* Test hook: make the Nth allocation from now on fail (1 = the next one);
 * 0 turns it off. Returns the number of allocations since the last call. */
int64_t wn__alloc_fail_at(int64_t n);

/* A Poisson(1) count — how many times an item is drawn into a bootstrap
 * resample (Oza & Russell 2001) — as a pure function of (seed, stream,
 * counter): inversion of one uniform (rng.c). At most 20. */
int wn__poisson1_at(uint64_t seed, uint64_t stream, uint64_t counter);

#endif
