/* resonance.c — a dijet resonance search, in the spirit of the LHC Olympics
 * 2020 R&D data set (Kasieczka et al., "The LHC Olympics 2020", Rep. Prog.
 * Phys. 84 (2021) 124201, arXiv:2101.08320): QCD dijet events and a rare
 * signal X -> Y Z with Y -> qq (500 GeV), Z -> qq (100 GeV), each decay
 * captured in one large-radius (R = 1) jet.
 *
 * Background (label 0), per event:
 *   mjj: the dijet function f(x) = (1 - x)^P1 / x^P2, x = mjj / sqrt(s),
 *        sqrt(s) = 13 TeV, P1 = 10, P2 = 5 (the form CMS and ATLAS fit to
 *        dijet spectra, e.g. CMS, PRL 105 (2010) 211801), on 1.5-9 TeV;
 *        sampled exactly: x^-P2 by inverse CDF, accepted with probability
 *        ((1 - x) / (1 - x_min))^P1.
 *   |delta_eta|: QCD t-channel scattering is flat in chi = exp(|delta_y|)
 *        (Rutherford-like); chi uniform on [1, e^1.3], i.e. |delta_eta| < 1.3
 *        as in the CMS/ATLAS dijet searches.
 *   pt_j = mjj / (2 cosh(delta_eta / 2)) (massless 2 -> 2) times (1 + 0.03 N)
 *        per jet, for the imbalance from radiation and resolution.
 *   Jet mass: QCD jet masses scale with pT R: m_j = pt_j R exp(ln 0.06 +
 *        0.5 z), z ~ N(0,1), clipped to [5 GeV, 0.5 pt_j]; so the jet masses
 *        rise with mjj, as in real data (the correlation that mass-decorrelated
 *        taggers fight).
 *   tau21 (N-subjettiness ratio tau2/tau1, Thaler & Van Tilburg, JHEP 03
 *        (2011) 015): 0.70 - 0.07 z + 0.11 N, clipped to [0.05, 0.99]; heavier
 *        QCD jets (at a given pT) look slightly more two-pronged.
 * Signal (label 1), mass M = signal_mass:
 *   mjj: with probability 0.85 N(M, 0.06 M) (6% dijet mass resolution), else
 *        M (1 - 0.08 E), E ~ Exp(1): a low tail from final-state radiation
 *        out of the jets.
 *   |delta_eta|: an isotropic (scalar) decay: cos(theta*) uniform on
 *        [0, tanh(0.65)], delta_eta = 2 atanh(cos theta*) — the same
 *        |delta_eta| < 1.3 acceptance, but central.
 *   Jet of Y (500 GeV) and of Z (100 GeV): the decay products fit in an R = 1
 *        jet when their opening angle 2 m / pT is small. Contained with
 *        probability 0.92 for 2m/pT < 0.7, falling linearly to 0.1 at 1.4;
 *        contained: m_j = m (1 + 0.1 N) (10% jet mass resolution), tau21 =
 *        0.28 + 0.08 N (two prongs); not contained: a QCD-like jet as above.
 *        So the signal degrades, physically, at low M.
 * Both: j1 is the heavier jet (mj1 >= mj2; its pT and tau21 go with it).
 *   The trigger threshold mjj > 1.5 TeV shapes the background only; a real
 *   signal below ~2 TeV would also be sculpted by it.
 *
 * Weights: with negative_weight_fraction f, an event has weight
 *   +1 / (1 - 2f) with probability 1 - f and -1 / (1 - 2f) with probability f,
 * independently of its kinematics, as events from an NLO generator with
 * MC@NLO-style negative weights. The expected sum of weights is the number of
 * events, so weighted histograms estimate the same yields as unweighted ones,
 * and the effective sample size (sum w)^2 / sum w^2 is N (1 - 2f)^2.
 * Deliberately unrealistic: the sign does not depend on the phase space. */
#include "sim_internal.h"

#define SQRT_S 13000.0
#define MJJ_MIN 1500.0
#define MJJ_MAX 9000.0
#define P1 10.0
#define P2 5.0
#define JET_R 1.0
#define DETA_MAX 1.3
#define M_Y 500.0
#define M_Z 100.0

enum { C_MJJ, C_MJ1, C_MJ2, C_T1, C_T2, C_PT1, C_PT2, C_DETA, C_LABEL, C_WEIGHT, C_EVENT, NC };

static const char *const names[NC] = {"mjj",      "mj1",    "mj2",   "tau21_j1",
                                      "tau21_j2", "pt_j1",  "pt_j2", "delta_eta",
                                      "label",    "weight", "event"};
static const wn_role roles[NC] = {WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_FEATURE,
                                  WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_FEATURE,
                                  WN_ROLE_FEATURE, WN_ROLE_FEATURE, WN_ROLE_LABEL,
                                  WN_ROLE_WEIGHT,  WN_ROLE_ID};

typedef struct ctx {
    float *c[NC];
    uint64_t seed;
    double fsig, mass, fneg;
} ctx;

typedef struct jet {
    double pt, m, tau21;
} jet;

/* A QCD-like jet of transverse momentum pt. */
static jet qcd_jet(wn__rr *r, double pt)
{
    jet j;
    double z = wn__rr_normal(r);
    j.pt = pt;
    j.m = wn__clamp(pt * JET_R * exp(log(0.06) + 0.5 * z), 5.0, 0.5 * pt);
    j.tau21 = wn__clamp(0.70 - 0.07 * z + 0.11 * wn__rr_normal(r), 0.05, 0.99);
    return j;
}

/* The jet holding a two-prong decay of a particle of mass m. */
static jet prong_jet(wn__rr *r, double pt, double m)
{
    double dr = 2.0 * m / pt;
    double pc = dr < 0.7 ? 0.92 : wn__clamp(0.92 - (dr - 0.7) * (0.82 / 0.7), 0.1, 0.92);
    if (wn__rr_uniform(r) >= pc)
        return qcd_jet(r, pt);
    jet j;
    j.pt = pt;
    j.m = wn__clamp(m * (1.0 + 0.1 * wn__rr_normal(r)), 5.0, pt);
    j.tau21 = wn__clamp(0.28 + 0.08 * wn__rr_normal(r), 0.05, 0.99);
    return j;
}

static double qcd_mjj(wn__rr *r)
{
    const double xmin = MJJ_MIN / SQRT_S, xmax = MJJ_MAX / SQRT_S;
    const double a = pow(xmin, 1.0 - P2), b = pow(xmax, 1.0 - P2);
    for (;;) {
        double x = pow(a - wn__rr_uniform(r) * (a - b), 1.0 / (1.0 - P2));
        if (wn__rr_uniform(r) < pow((1.0 - x) / (1.0 - xmin), P1))
            return x * SQRT_S;
    }
}

static void row(const void *vc, int64_t i)
{
    const ctx *c = vc;
    wn__rr r = wn__rr_make(c->seed, WN__SALT_RESONANCE, (uint64_t)i);
    int sig = wn__rr_uniform(&r) < c->fsig;
    double mjj, deta;
    jet a, b;
    if (!sig) {
        mjj = qcd_mjj(&r);
        deta = log(1.0 + wn__rr_uniform(&r) * (exp(DETA_MAX) - 1.0));
    } else {
        if (wn__rr_uniform(&r) < 0.85)
            mjj = c->mass * (1.0 + 0.06 * wn__rr_normal(&r));
        else
            mjj = c->mass * (1.0 - 0.08 * wn__rr_exponential(&r));
        mjj = wn__clamp(mjj, 100.0, SQRT_S);
        deta = 2.0 * atanh(wn__rr_uniform(&r) * tanh(0.5 * DETA_MAX));
    }
    double pt = mjj / (2.0 * cosh(0.5 * deta));
    double pta = pt * (1.0 + 0.03 * wn__rr_normal(&r));
    double ptb = pt * (1.0 + 0.03 * wn__rr_normal(&r));
    if (!sig) {
        a = qcd_jet(&r, pta);
        b = qcd_jet(&r, ptb);
    } else {
        a = prong_jet(&r, pta, M_Y);
        b = prong_jet(&r, ptb, M_Z);
    }
    if (b.m > a.m) {
        jet t = a;
        a = b;
        b = t;
    }
    double w = 1.0 / (1.0 - 2.0 * c->fneg);
    if (c->fneg > 0 && wn__rr_uniform(&r) < c->fneg)
        w = -w;
    float *const *col = c->c;
    col[C_MJJ][i] = (float)mjj;
    col[C_MJ1][i] = (float)a.m;
    col[C_MJ2][i] = (float)b.m;
    col[C_T1][i] = (float)a.tau21;
    col[C_T2][i] = (float)b.tau21;
    col[C_PT1][i] = (float)a.pt;
    col[C_PT2][i] = (float)b.pt;
    col[C_DETA][i] = (float)deta;
    col[C_LABEL][i] = sig ? 1.0f : 0.0f;
    col[C_WEIGHT][i] = (float)w;
    col[C_EVENT][i] = (float)i;
}

wn_status wn__sim_resonance(const wn_sim_params *p, wn_table *t)
{
    ctx c;
    wn_status s = wn__sim_columns(t, names, roles, NC, c.c);
    if (s)
        return s;
    c.seed = p->seed;
    c.fsig = p->signal_fraction;
    c.mass = p->signal_mass;
    c.fneg = p->negative_weight_fraction;
    return wn__sim_rows(p, p->rows, row, &c);
}
