/* fingerprint.c — a 64-bit content fingerprint of a table, for provenance.
 *
 * A model records which data it was trained on; a cryptographic hash would
 * need a library (libcrypto) for a job that only has to tell data sets apart
 * and notice an edit, not resist an adversary. So this is a fingerprint: a
 * 64-bit multiply-rotate hash in the style of xxHash64 (Collet, 2012; its
 * round function and primes) fed a fixed byte stream, finished with the
 * MurmurHash3 64-bit avalanche (Appleby, 2011). Two different tables collide
 * with probability about 2^-64 by accident, and on purpose with little
 * effort: never use it to verify that data is authentic.
 *
 * The stream is: nrows, ncols; per column in order the name's length and
 * bytes, the number of levels and each level's length and bytes, then the
 * values as 32-bit little-endian patterns (every NaN as 0x7fc00000, so
 * payloads that readers may set differently do not matter; -0 and 0 differ),
 * two per 64-bit word. It is computed in one thread, so the thread count
 * cannot change it. */
#include "core.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full

typedef struct fp {
    uint64_t h;
    uint64_t n; /* words mixed, folded in at the end */
} fp;

static uint64_t rotl(uint64_t x, int r)
{
    return x << r | x >> (64 - r);
}

static void word(fp *s, uint64_t w)
{
    s->h ^= rotl(w * P2, 31) * P1;
    s->h = rotl(s->h, 27) * P1 + 0x85EBCA77C2B2AE63ull;
    s->n++;
}

static void bytes(fp *s, const char *p, size_t n)
{
    word(s, (uint64_t)n);
    while (n >= 8) {
        uint64_t w = 0;
        for (int k = 0; k < 8; k++)
            w |= (uint64_t)(unsigned char)p[k] << (8 * k);
        word(s, w);
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        for (size_t k = 0; k < n; k++)
            w |= (uint64_t)(unsigned char)p[k] << (8 * k);
        word(s, w);
    }
}

static uint32_t bits(float f)
{
    if (f != f)
        return 0x7fc00000u;
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

uint64_t wn__table_fingerprint(const wn_table *t)
{
    fp s = {0x27D4EB2F165667C5ull, 0};
    int64_t nrows = wn_table_nrows(t), ncols = wn_table_ncols(t);
    word(&s, (uint64_t)nrows);
    word(&s, (uint64_t)ncols);
    const int64_t *rows = wn_table_rows(t);
    for (int64_t c = 0; c < ncols; c++) {
        const char *name = wn_table_name(t, c);
        bytes(&s, name, strlen(name));
        int64_t nl = wn_table_nlevels(t, c);
        word(&s, (uint64_t)nl);
        for (int64_t k = 0; k < nl; k++) {
            const char *lv = wn_table_level(t, c, k);
            bytes(&s, lv, strlen(lv));
        }
        const float *d = wn_table_column(t, c);
        int64_t r = 0;
        for (; r + 1 < nrows; r += 2) {
            float a = rows ? d[rows[r]] : d[r], b = rows ? d[rows[r + 1]] : d[r + 1];
            word(&s, (uint64_t)bits(a) | (uint64_t)bits(b) << 32);
        }
        if (r < nrows)
            word(&s, (uint64_t)bits(rows ? d[rows[r]] : d[r]));
    }
    /* MurmurHash3 fmix64 over the state and the length */
    uint64_t h = s.h ^ s.n;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return h;
}
