/* mismodelled.c — a "data" sample and a slightly wrong "simulation" of the
 * same process, for reweighting studies (sim -> data weights, e.g. by a
 * classifier: Rogozhnikov, "Reweighting with boosted decision trees",
 * J. Phys. Conf. Ser. 762 (2016) 012036, arXiv:1608.05806; Andreassen &
 * Nachman, "Neural networks for full phase-space reweighting", PRD 101 (2020)
 * 091901, arXiv:1907.08209).
 *
 * The process: Drell-Yan dilepton events around the Z, one row per event.
 *   mass (GeV): 75% Z: Breit-Wigner (91.1876, 2.4952) truncated to [60, 120]
 *     plus Gaussian detector resolution sigma_res; 25% continuum: 60 +
 *     Exp(mean 25 GeV). Measured masses outside [60, 120] are drawn again.
 *   pt (GeV): dilepton transverse momentum, 2 + Exp(mean tau).
 *   eta: dilepton rapidity, N(0, 1.3) with |eta| < 2.5.
 *   cos_theta: Collins-Soper decay angle, density (1 + c^2) on [-1, 1].
 *   sum_et, met (GeV): hadronic activity and missing ET,
 *     sum_et = 120 exp(0.4 z1), met = 8 exp(0.5 z2), (z1, z2) standard
 *     bivariate normal with correlation rho (MET resolution grows with
 *     activity).
 *   event: the row index (an id).
 * What differs, and nothing else:
 *                       data        sim
 *   sigma_res           2.0 GeV     1.8 GeV   (resolution 10% too narrow)
 *   tau (pt tail)       20 GeV      17 GeV    (slope 1/17 vs 1/20 per GeV)
 *   rho(ln sum_et,
 *       ln met)         0.5         0.3       (a correlation off)
 * The samples use different random streams, so the same seed never gives
 * the same events in both. */
#include "sim_internal.h"

enum { C_MASS, C_PT, C_ETA, C_COS, C_SUMET, C_MET, C_EVENT, NC };
static const char *const names[NC] = {"mass", "pt", "eta", "cos_theta", "sum_et", "met", "event"};
static const wn_role roles[NC] = {WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_FEATURE,
                                  WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_FEATURE,
                                  WN_ROLE_ID};

typedef struct ctx {
    float *c[NC];
    uint64_t seed, salt;
    double sigma_res, tau, rho;
} ctx;

static void row(const void *vc, int64_t i)
{
    const ctx *c = vc;
    wn__rr r = wn__rr_make(c->seed, c->salt, (uint64_t)i);
    double m;
    do {
        if (wn__rr_uniform(&r) < 0.75)
            m = wn__rr_breit_wigner(&r, 91.1876, 2.4952, 60.0, 120.0) +
                c->sigma_res * wn__rr_normal(&r);
        else
            m = 60.0 + 25.0 * wn__rr_exponential(&r);
    } while (m < 60.0 || m > 120.0);
    double pt = 2.0 + c->tau * wn__rr_exponential(&r);
    double eta;
    do
        eta = 1.3 * wn__rr_normal(&r);
    while (fabs(eta) >= 2.5);
    double ct;
    do
        ct = 2.0 * wn__rr_uniform(&r) - 1.0;
    while (2.0 * wn__rr_uniform(&r) > 1.0 + ct * ct);
    double z1 = wn__rr_normal(&r);
    double z2 = c->rho * z1 + sqrt(1.0 - c->rho * c->rho) * wn__rr_normal(&r);
    float *const *col = c->c;
    col[C_MASS][i] = (float)m;
    col[C_PT][i] = (float)pt;
    col[C_ETA][i] = (float)eta;
    col[C_COS][i] = (float)ct;
    col[C_SUMET][i] = (float)(120.0 * exp(0.4 * z1));
    col[C_MET][i] = (float)(8.0 * exp(0.5 * z2));
    col[C_EVENT][i] = (float)i;
}

wn_status wn__sim_mismodelled(const wn_sim_params *p, wn_table *t)
{
    ctx c;
    wn_status s = wn__sim_columns(t, names, roles, NC, c.c);
    if (s)
        return s;
    c.seed = p->seed;
    if (p->sample_sim) {
        c.salt = WN__SALT_MISMODELLED_SIM;
        c.sigma_res = 1.8;
        c.tau = 17.0;
        c.rho = 0.3;
    } else {
        c.salt = WN__SALT_MISMODELLED_DATA;
        c.sigma_res = 2.0;
        c.tau = 20.0;
        c.rho = 0.5;
    }
    return wn__sim_rows(p, p->rows, row, &c);
}
