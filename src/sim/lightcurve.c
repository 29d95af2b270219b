/* lightcurve.c — an unevenly sampled, ground-based light curve of a periodic
 * star or planet host: what periodograms (Lomb 1976, Ap&SS 39, 447; Scargle
 * 1982, ApJ 263, 835), box searches (BLS: Kovacs, Zucker & Mazeh 2002, A&A
 * 391, 369) and noise models (damped random walk: Kelly, Bechtold & Siemiginowska
 * 2009, ApJ 698, 895) are for. The default period is that of HAT-P-7 b
 * (2.2047 d; Pal et al. 2008, ApJ 680, 1450).
 *
 * Sampling (time in days from the start): one site, nights centred at
 *   n + 0.5; the target is observable 240 nights of every 365.25 (seasonal
 *   gaps); weather is a two-state Markov chain night to night (clear stays
 *   clear with probability 0.85, cloudy clears with 0.4: gaps of a few
 *   nights); on a clear night exposures every 15 min (plus jitter
 *   U(-1.5, 1.5) min) across a window of 0.08 + 0.25 sin(pi s) d, s the
 *   fraction of the season gone (short nights at the season's ends).
 * Signal, phase phi = frac((t - t0) / P), t0 uniform in [0, P) (in the
 *   metadata):
 *   sinusoid: 1 + A sin(2 pi phi);
 *   transit:  1 - A while the planet is in front (|t - t_mid| < D / 2), else 1:
 *             a box of depth A = amplitude and duration D.
 * Noise: red: a damped random walk (Ornstein-Uhlenbeck) of rms red_noise and
 *   timescale tau = 1 d, exact for uneven steps: x' = a x + rms sqrt(1 - a^2) N,
 *   a = exp(-dt / tau); white: per-point flux_err = noise exp(0.25 N)
 *   (1 + 0.5 h^2), h in [0, 1] the distance from the middle of the night's
 *   window (higher airmass at the ends), and flux gets flux_err N.
 * Glitches: each point with probability 5e-4 gets a spike (70%: cosmic ray or
 *   satellite, + (0.02 + 0.03 E)) or a drop (30%: a passing cloud,
 *   -(0.02 + 0.03 E)), E ~ Exp(1); "glitch" is 1 there.
 * Columns: time (d), flux (relative), flux_err (relative), glitch (label).
 * The metadata JSON holds the truth: period, shape, amplitude, duration, t0,
 * noise levels, glitch times (as stored, float32) and rows.
 * The series has memory, so it is made serially (threads do not matter).
 * time is float32: at ~1000 d its resolution is ~5 s; beyond a few 1e5 rows
 * (decades of nights) it coarsens. Deliberately unrealistic: no limb
 * darkening or ingress/egress, no systematics trends, no flux from the moon. */
#include "sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { C_TIME, C_FLUX, C_ERR, C_GLITCH, NC };
static const char *const names[NC] = {"time", "flux", "flux_err", "glitch"};
static const wn_role roles[NC] = {WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_LABEL};

#define SEASON 240.0
#define YEAR 365.25
#define CADENCE (15.0 / 1440.0)
#define JITTER (1.5 / 1440.0)
#define TAU_RED 1.0
#define P_GLITCH 5e-4

/* A growing text buffer for the JSON. */
typedef struct sbuf {
    char *s;
    size_t n, cap;
    int failed;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) WN__PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 256;
        while (cap <= b->n + (size_t)k)
            cap *= 2;
        char *s = wn__realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* Shortest %g text that reads back to exactly x (JSON-friendly: 2.2047, not
 * 2.2046999999999999). buf needs 32 bytes. */
static const char *shortest(char *buf, double x)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

wn_status wn__sim_lightcurve(const wn_sim_params *p, wn_table *t, char **meta)
{
    float *c[NC];
    wn_status s = wn__sim_columns(t, names, roles, NC, c);
    if (s)
        return s;
    const int64_t n = p->rows;
    const double P = p->period, A = p->amplitude, D = p->duration;
    wn__rr r = wn__rr_make(p->seed, WN__SALT_LIGHTCURVE, 0);
    const double t0 = P * wn__rr_uniform(&r);
    int64_t i = 0, nglitch = 0, next_report = (int64_t)1 << 16;
    int clear = 1;
    double red = p->red_noise * wn__rr_normal(&r), tprev = 0.0;
    for (int64_t night = 0; i < n; night++) {
        if (night > 0)
            clear = clear ? wn__rr_uniform(&r) < 0.85 : wn__rr_uniform(&r) < 0.4;
        double sd = fmod((double)night, YEAR);
        if (!clear || sd >= SEASON)
            continue;
        double win = 0.08 + 0.25 * sin(WN__PI * sd / SEASON);
        double mid = (double)night + 0.5, start = mid - 0.5 * win;
        int nexp = (int)(win / CADENCE) + 1;
        for (int k = 0; k < nexp && i < n; k++, i++) {
            double tt = start + k * CADENCE + JITTER * (2.0 * wn__rr_uniform(&r) - 1.0);
            float tf = (float)tt;
            double h = fabs(tt - mid) / (0.5 * win);
            if (h > 1.0)
                h = 1.0;
            double a = exp(-(tt - tprev) / TAU_RED);
            if (i > 0)
                red = a * red + p->red_noise * sqrt(fmax(0.0, 1.0 - a * a)) * wn__rr_normal(&r);
            tprev = tt;
            double ph = fmod((double)tf - t0, P) / P;
            if (ph < 0)
                ph += 1.0;
            double model;
            if (p->transit) {
                double dt = ph < 0.5 ? ph * P : (1.0 - ph) * P;
                model = dt < 0.5 * D ? 1.0 - A : 1.0;
            } else {
                model = 1.0 + A * sin(WN__TWO_PI * ph);
            }
            double err = p->noise * exp(0.25 * wn__rr_normal(&r)) * (1.0 + 0.5 * h * h);
            double flux = model + red + err * wn__rr_normal(&r);
            float g = 0.0f;
            if (wn__rr_uniform(&r) < P_GLITCH) {
                double amp = 0.02 + 0.03 * wn__rr_exponential(&r);
                flux += wn__rr_uniform(&r) < 0.7 ? amp : -amp;
                g = 1.0f;
                nglitch++;
            }
            c[C_TIME][i] = tf;
            c[C_FLUX][i] = (float)flux;
            c[C_ERR][i] = (float)err;
            c[C_GLITCH][i] = g;
            if (i + 1 == next_report || i + 1 == n) {
                next_report += (int64_t)1 << 16;
                if (p->progress.fn && p->progress.fn(p->progress.ud, "simulate", i + 1, n))
                    return wn__fail(WN_EINVAL, "cancelled");
            }
        }
    }
    if (!meta)
        return WN_OK;

    sbuf b = {NULL, 0, 0, 0};
    char f[6][32];
    sb_printf(&b,
              "{\"kind\":\"lightcurve\",\"shape\":\"%s\",\"period\":%s,\"amplitude\":%s,"
              "\"duration\":%s,\"t0\":%s,\"noise\":%s,\"red_noise\":%s,"
              "\"red_noise_tau\":%g,\"seed\":%llu,\"rows\":%lld,\"glitches\":%lld,"
              "\"glitch_times\":[",
              p->transit ? "transit" : "sinusoid", shortest(f[0], P), shortest(f[1], A),
              shortest(f[2], D), shortest(f[3], t0), shortest(f[4], p->noise),
              shortest(f[5], p->red_noise), TAU_RED, (unsigned long long)p->seed, (long long)n,
              (long long)nglitch);
    int64_t k = 0;
    for (int64_t j = 0; j < n; j++)
        if (c[C_GLITCH][j] != 0.0f)
            sb_printf(&b, "%s%.9g", k++ ? "," : "", (double)c[C_TIME][j]);
    sb_printf(&b, "]}");
    if (b.failed) {
        wn_free(b.s);
        return wn__oom("lightcurve metadata");
    }
    *meta = b.s;
    return WN_OK;
}
