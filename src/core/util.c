/* util.c — small services: thread counts, atomic file writes, float text.
 *
 * Atomic writes follow the classic recipe (write a temporary beside the
 * target, fsync, rename): a crash or a failed write leaves the old file as it
 * was, never a half-written one.
 *
 * Float text: the shortest of 6..9 significant digits that reads back to the
 * same float, as printf's %g would write it, found without printf for the
 * common range (decimal exponents whose read-back Clinger's exact path can
 * check) and with printf + strtof elsewhere. */

#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

int wn__threads(int n)
{
    if (n > 0)
        return n;
#ifdef _OPENMP
    int m = omp_get_max_threads();
    return m > 0 ? m : 1;
#else
    return 1;
#endif
}

wn_status wn__write_atomic(const char *path, wn__writer_fn fn, void *ctx)
{
    size_t n = strlen(path);
    char *tmp = wn__malloc(n + 16);
    if (!tmp)
        return wn__oom("temporary file name");
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        wn_status s = wn__fail(WN_EIO, "%s: cannot create a temporary file beside it: %s",
                               path, strerror(errno));
        wn_free(tmp);
        return s;
    }
    mode_t um = umask(0);
    umask(um);
    (void)fchmod(fd, (mode_t)(0666 & ~um));
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        unlink(tmp);
        wn_free(tmp);
        return wn__fail(WN_EIO, "%s: %s", path, strerror(errno));
    }
    wn_status s = fn(ctx, f);
    if (s == WN_OK && (fflush(f) != 0 || ferror(f)))
        s = wn__fail(WN_EIO, "%s: write failed: %s", path, strerror(errno));
    if (s == WN_OK && fsync(fileno(f)) != 0 && errno != EINVAL)
        s = wn__fail(WN_EIO, "%s: fsync failed: %s", path, strerror(errno));
    if (fclose(f) != 0 && s == WN_OK)
        s = wn__fail(WN_EIO, "%s: close failed: %s", path, strerror(errno));
    if (s == WN_OK && rename(tmp, path) != 0)
        s = wn__fail(WN_EIO, "%s: cannot rename the temporary file into place: %s", path,
                     strerror(errno));
    if (s != WN_OK)
        unlink(tmp);
    wn_free(tmp);
    return s;
}

const double wn__pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* 10^k, k = -60..60, correctly rounded to long double by the compiler
 * (exact for 0 <= k <= 27: 5^27 < 2^63). */
const long double wn__pow10_ld[121] = {
    1e-60L, 1e-59L, 1e-58L, 1e-57L, 1e-56L, 1e-55L, 1e-54L, 1e-53L,
    1e-52L, 1e-51L, 1e-50L, 1e-49L, 1e-48L, 1e-47L, 1e-46L, 1e-45L,
    1e-44L, 1e-43L, 1e-42L, 1e-41L, 1e-40L, 1e-39L, 1e-38L, 1e-37L,
    1e-36L, 1e-35L, 1e-34L, 1e-33L, 1e-32L, 1e-31L, 1e-30L, 1e-29L,
    1e-28L, 1e-27L, 1e-26L, 1e-25L, 1e-24L, 1e-23L, 1e-22L, 1e-21L,
    1e-20L, 1e-19L, 1e-18L, 1e-17L, 1e-16L, 1e-15L, 1e-14L, 1e-13L,
    1e-12L, 1e-11L, 1e-10L, 1e-9L, 1e-8L, 1e-7L, 1e-6L, 1e-5L,
    1e-4L, 1e-3L, 1e-2L, 1e-1L, 1e0L, 1e1L, 1e2L, 1e3L,
    1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L,
    1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
    1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
    1e28L, 1e29L, 1e30L, 1e31L, 1e32L, 1e33L, 1e34L, 1e35L,
    1e36L, 1e37L, 1e38L, 1e39L, 1e40L, 1e41L, 1e42L, 1e43L,
    1e44L, 1e45L, 1e46L, 1e47L, 1e48L, 1e49L, 1e50L, 1e51L,
    1e52L, 1e53L, 1e54L, 1e55L, 1e56L, 1e57L, 1e58L, 1e59L,
    1e60L};

/* The p significant digits of x (> 0) as an integer D with decimal exponent
 * *E (x ~ D * 10^(*E - p + 1)), or 0 when out of the table's range. The
 * scaling is done in x87 extended precision: D is the correctly rounded
 * integer except within ~2^-63 of a half-way point, and the caller verifies
 * the round trip anyway. */
static int digits_of(double x, int p, int *E, uint64_t *D)
{
    static const uint64_t p10[11] = {1,         10,         100,      1000,
                                     10000,     100000,     1000000,  10000000,
                                     100000000, 1000000000, 10000000000u};
    for (int tries = 0; tries < 3; tries++) {
        int k = p - 1 - *E;
        if (k < -60 || k > 60)
            return 0;
        long double y = (long double)x * wn__pow10_ld[k + 60];
        uint64_t d = (uint64_t)(y + 0.5L);
        if (d >= p10[p]) {
            (*E)++;
            continue;
        }
        if (d < p10[p - 1]) {
            (*E)--;
            continue;
        }
        *D = d;
        return 1;
    }
    return 0;
}

/* Reads back D * 10^e the way strtod would (exactly, by Clinger's fast
 * path: D < 2^53 and |e| <= 22) and narrows to float: 1 same as f, 0 not,
 * -1 cannot tell here. */
static int reads_back(uint64_t D, int e, float f)
{
    if (e < -22 || e > 22)
        return -1;
    double d = e >= 0 ? (double)D * wn__pow10_exact[e] : (double)D / wn__pow10_exact[-e];
    return (float)d == f;
}

/* Writes D's p digits (trailing zeros dropped) with decimal exponent E in
 * the style of printf's %g at precision p. */
static int emit(char *buf, int neg, uint64_t D, int p, int E)
{
    char dg[24];
    for (int i = p - 1; i >= 0; i--) {
        dg[i] = (char)('0' + D % 10);
        D /= 10;
    }
    int nd = p;
    while (nd > 1 && dg[nd - 1] == '0')
        nd--;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (E < -4 || E >= p) {
        *o++ = dg[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, dg + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        int ae = E < 0 ? -E : E;
        *o++ = 'e';
        *o++ = E < 0 ? '-' : '+';
        if (ae >= 100)
            *o++ = (char)('0' + ae / 100);
        *o++ = (char)('0' + ae / 10 % 10);
        *o++ = (char)('0' + ae % 10);
    } else if (E >= 0) {
        for (int i = 0; i <= E; i++)
            *o++ = i < nd ? dg[i] : '0';
        if (nd > E + 1) {
            *o++ = '.';
            memcpy(o, dg + E + 1, (size_t)(nd - E - 1));
            o += nd - E - 1;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -E - 1; i++)
            *o++ = '0';
        memcpy(o, dg, (size_t)nd);
        o += nd;
    }
    *o = 0;
    return (int)(o - buf);
}

int wn__format_float(char *buf, float f)
{
    if (f != f)
        return snprintf(buf, 32, "nan");
    if (f == (float)INFINITY)
        return snprintf(buf, 32, "inf");
    if (f == -(float)INFINITY)
        return snprintf(buf, 32, "-inf");
    if (f == 0.0f)
        return snprintf(buf, 32, signbit(f) ? "-0" : "0");
    /* The shortest of 6..9 significant digits that reads back to f (9
     * always does). Fast path: digits by extended-precision scaling, the read
     * back checked exactly; printf + strtof only where that cannot decide. */
    float a = fabsf(f);
    double x = (double)a;
    int E0 = (int)floor(log10(x));
    for (int p = 6; p <= 9; p++) {
        int E = E0;
        uint64_t D;
        if (!digits_of(x, p, &E, &D))
            break;
        int r = reads_back(D, E - p + 1, a);
        if (r == 1)
            return emit(buf, f < 0.0f, D, p, E);
        if (r < 0)
            break;
    }
    /* %g strips trailing zeros, so the first precision that round-trips is
     * also the shortest text. */
    int len = 0;
    for (int p = 6; p <= 9; p++) {
        len = snprintf(buf, 32, "%.*g", p, (double)f);
        if (strtof(buf, NULL) == f)
            break;
    }
    return len;
}
