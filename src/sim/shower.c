/* shower.c — gamma and hadron air showers seen by an imaging atmospheric
 * Cherenkov telescope, as Hillas parameters, in the spirit of the MAGIC
 * gamma telescope data (Bock et al., "Methods for multidimensional event
 * classification: a case study using images from a Cherenkov gamma-ray
 * telescope", NIM A 516 (2004) 511; UCI "MAGIC Gamma Telescope" data set).
 *
 * Each event is an image: photo-electrons scattered on the camera plane and
 * collected in square 30 mm pixels (MAGIC's inner pixels are 0.1 deg, about
 * 30 mm at 17 m focal length). The Hillas parameters (A. M. Hillas, "Cerenkov
 * light images of EAS produced by primary gamma rays and by nuclei", Proc.
 * 19th ICRC, La Jolla, 3 (1985) 445) are then computed from the pixel
 * contents exactly as an analysis would, so their correlations (length and
 * width grow with size, conc falls as images spread, alpha resolution
 * improves with size) follow from the image, not from a formula per column.
 *
 * Light: N = 10^lsize photo-electrons, lsize = 1.9 + 0.9 E (gammas) or
 *   1.9 + 1.0 E (hadrons), E ~ Exp(1), capped at 5.5: a power-law spectrum
 *   above a trigger threshold of ~80 pe. The image is drawn as n = min(N, 256)
 *   equal bunches of N / n pe each (photon statistics are thereby coarser for
 *   big images than a real camera's).
 * Gamma (label 1), from a point source at the camera centre:
 *   impact b = sqrt(U) (uniform in area), image centre at distance
 *   25 + 260 b + 25 N mm from the centre, at a random azimuth; the major axis
 *   points back to the source up to an error N(0, 8 + 20 / sqrt(N/100)) deg
 *   (shower fluctuations; worse for faint images).
 *   Along the axis: sigma_l (Gamma(6) - 6) / sqrt(6), skewness 0.82, tail
 *   away from the source; sigma_l = (20 + 0.12 dist + 8 (lsize - 2))
 *   (1 + 0.15 N) mm. Across: sigma_w N, sigma_w = (10 + 4 (lsize - 2))
 *   (1 + 0.15 N) mm.
 * Hadron (label 0), isotropic arrival directions:
 *   centre at 10 + 300 sqrt(U) mm, axis orientation uniform (so alpha is
 *   uniform on 0-90 deg). 35% are mostly electromagnetic: shaped like a gamma
 *   image (sigma_w 10% wider) but placed and oriented at random. The others:
 *   a main cascade, sigma_l = (30 + 0.12 dist + 12 (lsize - 2)) (1 + 0.25 N),
 *   sigma_w = (15 + 5 (lsize - 2)) (1 + 0.3 N), skewed either way along the
 *   axis, plus k = min(3, floor(1.2 E)) electromagnetic sub-cascades from pi0
 *   decays, each carrying 15% of the light, offset N(0, 60 mm) in both
 *   directions, round with sigma 12-30 mm: broader, lumpier, less concentrated.
 * Both: night-sky light surviving image cleaning, a share min(0.2, 2/sqrt(N))
 *   of the bunches spread uniformly over +-100 mm around the image centre:
 *   faint images get wider and point worse. A histogram GBDT reaches AUC ~0.96
 *   (MAGIC data: ~0.9-0.93).
 *
 * Columns (MAGIC's names without the leading f):
 *   length, width (mm): sqrt of the major/minor eigenvalues of the pixel
 *   second-moment matrix; size: log10 of the total pe; conc: the two
 *   brightest pixels over the total; conc1: the brightest over the total;
 *   asym (mm): brightest pixel minus centroid, projected on the major axis
 *   (positive away from the camera centre); m3long, m3trans (mm): signed cube
 *   roots of the third moments along the major and minor axes (major axis
 *   oriented away from the centre); alpha (deg, 0-90): angle between the major
 *   axis and the line from the camera centre to the centroid; dist (mm):
 *   centre-to-centroid distance; label: 1 gamma, 0 hadron.
 * Deliberately unrealistic: night-sky light only as above (no pedestal noise
 * per pixel), no image cleaning step, a square (not hexagonal) infinite
 * camera, no muon rings. */
#include "sim_internal.h"

#include <stdlib.h>

#define PIX 30.0
#define MAX_BUNCH 256

enum {
    C_LENGTH,
    C_WIDTH,
    C_SIZE,
    C_CONC,
    C_CONC1,
    C_ASYM,
    C_M3LONG,
    C_M3TRANS,
    C_ALPHA,
    C_DIST,
    C_LABEL,
    C_EVENT,
    NC
};
static const char *const names[NC] = {"length", "width",   "size",  "conc", "conc1", "asym",
                                      "m3long", "m3trans", "alpha", "dist", "label", "event"};
static const wn_role roles[NC] = {WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_FEATURE,
                                  WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_FEATURE,
                                  WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_FEATURE,
                                  WN_ROLE_FEATURE, WN_ROLE_LABEL,   WN_ROLE_ID};

typedef struct ctx {
    float *c[NC];
    uint64_t seed;
    double fsig;
} ctx;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Standardised Gamma(6): mean 0, variance 1, skewness 0.82. */
static double skewed(wn__rr *r)
{
    double u = 1.0;
    for (int k = 0; k < 6; k++)
        u *= wn__rr_uniform_pos(r);
    return (-log(u) - 6.0) * (1.0 / 2.449489742783178);
}

static double cbrt_signed(double x)
{
    return x < 0 ? -cbrt(-x) : cbrt(x);
}

static void row(const void *vc, int64_t i)
{
    const ctx *c = vc;
    wn__rr r = wn__rr_make(c->seed, WN__SALT_SHOWER, (uint64_t)i);
    int gamma = wn__rr_uniform(&r) < c->fsig;
    double lsize = fmin(5.5, 1.9 + (gamma ? 0.9 : 1.0) * wn__rr_exponential(&r));
    double npe = pow(10.0, lsize);
    double dist, psi = WN__TWO_PI * wn__rr_uniform(&r), axis, sl, sw;
    int nsub = 0, em_like = !gamma && wn__rr_uniform(&r) < 0.35;
    double skew_sign = 1.0;
    if (gamma || em_like) {
        dist = wn__clamp(25.0 + 260.0 * sqrt(wn__rr_uniform(&r)) + 25.0 * wn__rr_normal(&r), 5.0,
                         450.0);
        double err = (8.0 + 20.0 / sqrt(npe / 100.0)) * wn__rr_normal(&r);
        axis = psi + err * (WN__PI / 180.0);
        sl = (20.0 + 0.12 * dist + 8.0 * (lsize - 2.0)) * (1.0 + 0.15 * wn__rr_normal(&r));
        sw = (10.0 + 4.0 * (lsize - 2.0)) * (1.0 + 0.15 * wn__rr_normal(&r));
        if (em_like) { /* a hadron whose shower is mostly electromagnetic */
            dist = 10.0 + 300.0 * sqrt(wn__rr_uniform(&r));
            psi = WN__TWO_PI * wn__rr_uniform(&r);
            axis = WN__TWO_PI * wn__rr_uniform(&r);
            sw *= 1.1;
        }
    } else {
        dist = 10.0 + 300.0 * sqrt(wn__rr_uniform(&r));
        axis = WN__TWO_PI * wn__rr_uniform(&r);
        sl = (30.0 + 0.12 * dist + 12.0 * (lsize - 2.0)) * (1.0 + 0.25 * wn__rr_normal(&r));
        sw = (15.0 + 5.0 * (lsize - 2.0)) * (1.0 + 0.3 * wn__rr_normal(&r));
        nsub = (int)fmin(3.0, floor(1.2 * wn__rr_exponential(&r)));
        skew_sign = wn__rr_uniform(&r) < 0.5 ? -1.0 : 1.0;
    }
    sl = fmax(sl, 3.0);
    sw = fmax(fmin(sw, sl), 2.0);
    double cx = dist * cos(psi), cy = dist * sin(psi);
    double ux = cos(axis), uy = sin(axis);

    /* sub-cascade centres (image frame) and sizes */
    double sub_l[3] = {0}, sub_w[3] = {0}, sub_s[3] = {0};
    for (int k = 0; k < nsub; k++) {
        sub_l[k] = 60.0 * wn__rr_normal(&r);
        sub_w[k] = 60.0 * wn__rr_normal(&r);
        sub_s[k] = 12.0 + 18.0 * wn__rr_uniform(&r);
    }

    int nb = npe < MAX_BUNCH ? (int)npe : MAX_BUNCH;
    if (nb < 1)
        nb = 1;
    /* night-sky light and afterpulses surviving image cleaning: a share
     * 2 / sqrt(N) (capped at 0.2) of the bunches, uniform in +-100 mm */
    int nnsb = (int)(nb * fmin(0.2, 2.0 / sqrt(npe)));
    int nmain = nb - nnsb - (int)(0.15 * (nb - nnsb) * nsub);
    uint32_t key[MAX_BUNCH];
    for (int b = 0; b < nb; b++) {
        double l, w;
        if (b < nmain) {
            l = skew_sign * sl * skewed(&r);
            w = sw * wn__rr_normal(&r);
        } else if (b >= nb - nnsb) {
            l = 200.0 * (wn__rr_uniform(&r) - 0.5);
            w = 200.0 * (wn__rr_uniform(&r) - 0.5);
        } else {
            int k = (b - nmain) % nsub;
            l = sub_l[k] + sub_s[k] * wn__rr_normal(&r);
            w = sub_w[k] + sub_s[k] * wn__rr_normal(&r);
        }
        double x = cx + l * ux - w * uy, y = cy + l * uy + w * ux;
        int ix = (int)floor(wn__clamp(x / PIX, -30000.0, 30000.0)) + 32768;
        int iy = (int)floor(wn__clamp(y / PIX, -30000.0, 30000.0)) + 32768;
        key[b] = ((uint32_t)ix << 16) | (uint32_t)iy;
    }
    qsort(key, (size_t)nb, sizeof key[0], cmp_u32);

    /* pixels: (centre, content) from runs of equal keys */
    double q = npe / nb;
    double px[MAX_BUNCH], py[MAX_BUNCH], pq[MAX_BUNCH];
    int np = 0;
    for (int b = 0; b < nb;) {
        int e = b;
        while (e < nb && key[e] == key[b])
            e++;
        px[np] = ((double)(key[b] >> 16) - 32768.0 + 0.5) * PIX;
        py[np] = ((double)(key[b] & 0xffffu) - 32768.0 + 0.5) * PIX;
        pq[np] = q * (e - b);
        np++;
        b = e;
    }

    /* Hillas moments */
    double tot = 0, mx = 0, my = 0;
    int best = 0, second = -1;
    for (int k = 0; k < np; k++) {
        tot += pq[k];
        mx += pq[k] * px[k];
        my += pq[k] * py[k];
        if (pq[k] > pq[best]) {
            second = best;
            best = k;
        } else if (k != best && (second < 0 || pq[k] > pq[second])) {
            second = k;
        }
    }
    mx /= tot;
    my /= tot;
    double sxx = 0, syy = 0, sxy = 0;
    for (int k = 0; k < np; k++) {
        double dx = px[k] - mx, dy = py[k] - my;
        sxx += pq[k] * dx * dx;
        syy += pq[k] * dy * dy;
        sxy += pq[k] * dx * dy;
    }
    sxx /= tot;
    syy /= tot;
    sxy /= tot;
    double tr = 0.5 * (sxx + syy), det = sqrt(0.25 * (sxx - syy) * (sxx - syy) + sxy * sxy);
    double l1 = tr + det, l2 = fmax(tr - det, 0.0);
    double delta = 0.5 * atan2(2.0 * sxy, sxx - syy);
    double ax = cos(delta), ay = sin(delta);
    if (ax * mx + ay * my < 0) {
        ax = -ax;
        ay = -ay;
    }
    double m3l = 0, m3t = 0;
    for (int k = 0; k < np; k++) {
        double dx = px[k] - mx, dy = py[k] - my;
        double dl = dx * ax + dy * ay, dt = -dx * ay + dy * ax;
        m3l += pq[k] * dl * dl * dl;
        m3t += pq[k] * dt * dt * dt;
    }
    double d = sqrt(mx * mx + my * my);
    double alpha = d > 0 ? acos(fmin(1.0, fabs(ax * mx + ay * my) / d)) * (180.0 / WN__PI) : 0.0;
    double asym = (px[best] - mx) * ax + (py[best] - my) * ay;

    float *const *col = c->c;
    col[C_LENGTH][i] = (float)sqrt(l1);
    col[C_WIDTH][i] = (float)sqrt(l2);
    col[C_SIZE][i] = (float)log10(tot);
    col[C_CONC][i] = (float)((pq[best] + (second >= 0 ? pq[second] : 0.0)) / tot);
    col[C_CONC1][i] = (float)(pq[best] / tot);
    col[C_ASYM][i] = (float)asym;
    col[C_M3LONG][i] = (float)cbrt_signed(m3l / tot);
    col[C_M3TRANS][i] = (float)cbrt_signed(m3t / tot);
    col[C_ALPHA][i] = (float)alpha;
    col[C_DIST][i] = (float)d;
    col[C_LABEL][i] = gamma ? 1.0f : 0.0f;
    col[C_EVENT][i] = (float)i;
}

wn_status wn__sim_shower(const wn_sim_params *p, wn_table *t)
{
    ctx c;
    wn_status s = wn__sim_columns(t, names, roles, NC, c.c);
    if (s)
        return s;
    c.seed = p->seed;
    c.fsig = p->signal_fraction;
    return wn__sim_rows(p, p->rows, row, &c);
}
