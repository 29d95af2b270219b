/* util.c — small services: thread counts, atomic file writes, float text.
 *
 * Atomic writes follow the classic recipe (write a temporary beside the
 * target, fsync, rename): a crash or a failed write leaves the old file as it
 * was, never a half-written one. */

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

int wn__format_float(char *buf, float f)
{
    if (f != f)
        return snprintf(buf, 32, "nan");
    if (f == (float)INFINITY)
        return snprintf(buf, 32, "inf");
    if (f == -(float)INFINITY)
        return snprintf(buf, 32, "-inf");
    /* %g strips trailing zeros, so the first precision that round-trips is
     * also the shortest text; 9 significant digits always round-trip. */
    int len = 0;
    for (int p = 6; p <= 9; p++) {
        len = snprintf(buf, 32, "%.*g", p, (double)f);
        if (strtof(buf, NULL) == f)
            break;
    }
    return len;
}
