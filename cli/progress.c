/* progress.c — the terminal progress line: stage, count, rate, ETA.
 * Drawn only when stderr is a terminal, so pipes, logs and CI stay clean. */
#define _GNU_SOURCE
#include "cli.h"

#include <unistd.h>

static void human(double x, char *buf, size_t n)
{
    if (x >= 1e9)
        snprintf(buf, n, "%.2fG", x / 1e9);
    else if (x >= 1e6)
        snprintf(buf, n, "%.2fM", x / 1e6);
    else if (x >= 1e3)
        snprintf(buf, n, "%.1fk", x / 1e3);
    else
        snprintf(buf, n, "%.0f", x);
}

static int draw(void *ud, const char *stage, int64_t done, int64_t total)
{
    cli_progress *p = ud;
    double now = cli_now();
    if (now - p->last < 0.1 && done != total)
        return 0;
    p->last = now;
    p->active = 1;
    double el = now - p->t0, rate = el > 0 ? (double)done / el : 0;
    char d[32], t[32], r[32];
    human((double)done, d, sizeof d);
    human((double)total, t, sizeof t);
    human(rate, r, sizeof r);
    if (total > 0 && rate > 0) {
        double eta = (double)(total - done) / rate;
        fprintf(stderr, "\r\033[K%s  %s/%s %s  %s %s/s  ETA %.0fs", stage, d, t, p->unit,
                r, p->unit, eta);
    } else {
        fprintf(stderr, "\r\033[K%s  %s %s  %s %s/s", stage, d, p->unit, r, p->unit);
    }
    fflush(stderr);
    return 0;
}

wn_progress cli_progress_make(cli_progress *p, const char *unit)
{
    p->t0 = p->last = cli_now();
    p->active = 0;
    p->unit = unit;
    wn_progress w = {NULL, NULL};
    if (isatty(STDERR_FILENO)) {
        w.fn = draw;
        w.ud = p;
    }
    return w;
}

void cli_progress_done(cli_progress *p)
{
    if (p->active)
        fprintf(stderr, "\r\033[K");
    p->active = 0;
}
