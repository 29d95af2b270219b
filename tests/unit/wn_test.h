/* wn_test.h — shared helpers for the cmocka unit tests. */
#ifndef WN_TEST_H
#define WN_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "winnow.h"

/* Asserts a call succeeds, printing wn_errmsg() if not. */
#define WN_OK_OR_FAIL(call)                                                                    \
    do {                                                                                       \
        wn_status s_ = (call);                                                                 \
        if (s_ != WN_OK)                                                                       \
            fail_msg("%s -> %s: %s", #call, wn_status_name(s_), wn_errmsg());                  \
    } while (0)

/* Asserts a call fails with the status and its message contains `needle`. */
#define WN_EXPECT_ERR(call, status, needle)                                                    \
    do {                                                                                       \
        wn_status s_ = (call);                                                                 \
        if (s_ != (status))                                                                    \
            fail_msg("%s -> %s (want %s): %s", #call, wn_status_name(s_),                      \
                     wn_status_name(status), wn_errmsg());                                     \
        if ((needle) && !strstr(wn_errmsg(), (needle)))                                        \
            fail_msg("%s: message '%s' lacks '%s'", #call, wn_errmsg(), (const char *)(needle)); \
    } while (0)

/* Writes `len` bytes to a fresh temporary file; returns its path (static buffer
 * rotated among 8). */
static inline const char *wn_test_file(const char *suffix, const void *data, size_t len)
{
    static char paths[8][256];
    static int k;
    char *p = paths[k++ & 7];
    static int serial;
    snprintf(p, 256, "%s/wn_test_%d_%d%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid(), serial++, suffix);
    FILE *f = fopen(p, "wb");
    if (!f)
        fail_msg("cannot create %s", p);
    if (len && fwrite(data, 1, len, f) != len)
        fail_msg("cannot write %s", p);
    fclose(f);
    return p;
}

/* The shared real-data folder, or NULL (and a message) when absent. */
static inline const char *wn_test_shared_data(void)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/../shared/data", WN_SOURCE_DIR);
    FILE *f;
    char probe[1100];
    snprintf(probe, sizeof probe, "%s/README.md", path);
    if (!(f = fopen(probe, "r"))) {
        printf("SKIP: %s is absent; real-data checks not run\n", path);
        return NULL;
    }
    fclose(f);
    return path;
}

#endif
