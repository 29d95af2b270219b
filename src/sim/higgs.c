/* higgs.c — a 28-feature signal/background set shaped like the UCI HIGGS
 * benchmark (Baldi, Sadowski, Whiteson, "Searching for exotic particles in
 * high-energy physics with deep learning", Nat. Commun. 5 (2014) 4308,
 * arXiv:1402.4735): one lepton, missing transverse energy and four jets, plus
 * seven invariant masses reconstructed from them.
 *
 * Signal (label 1), as in the paper: g g -> H0 (425 GeV) -> W-+ H+- ,
 *   H+- (325 GeV) -> W+- h, h (125 GeV) -> b b-bar; one W decays to l nu,
 *   the other to q q-bar (which one: 50/50).
 * Background (label 0): t t-bar -> W+ b W- b-bar, the same final state;
 *   m_tt = m_t1 + m_t2 + 75 (E1 + E2) GeV, E ~ Exp(1) (threshold rise and
 *   falling tail; mean ~500 GeV).
 * Masses: W Breit-Wigner (80.38, 2.09) on [65, 95]; top (172.5, 1.4) on
 *   [160, 185]; H0 (425, 5) on [405, 445]; H+- (325, 3) on [310, 340];
 *   h 125 (narrow); b quarks 4.8 GeV; leptons, neutrinos, light quarks 0.
 *   Each two-body decay is isotropic in the parent's rest frame, then boosted.
 * Production: the heavy system gets pT = 50 E GeV recoiling against one ISR
 *   jet, rapidity y ~ N(0, 0.8); the ISR jet has eta ~ N(0, 1.6).
 * Detector: jets (b, light and ISR) are the parton four-vector times
 *   r = 1 + sigma N, sigma = sqrt(0.8^2 / pT + 0.05^2) (calorimeter), and with
 *   probability 0.3 times (1 - 0.15 E) (radiation out of the jet, semileptonic
 *   b decays); r >= 0.2. Lepton pT resolution 2%. Missing ET = neutrino pT +
 *   the mis-measurement of every object + a soft term N(0, 12 GeV) per
 *   component. b-tag (0, 1, 2 = none, loose, tight; UCI HIGGS stores the same
 *   three levels rescaled): b jets 0.20 / 0.15 / 0.65, light jets 0.92 / 0.06
 *   / 0.02.
 * Selection: the lepton with pT > 20 GeV, |eta| < 2.5; at least four of the
 *   five jets with pT > 20 GeV, |eta| < 2.5; the four leading ones are kept
 *   (jet1 = highest pT). An event failing it is drawn again (own stream).
 * High-level features, reconstructed as an analysis would (no truth used):
 *   neutrino pz from the W mass constraint, smaller |pz| root (the real part
 *   if none), so m_lv = 80.38 unless the discriminant is negative; the two
 *   jets with the highest b-tag (then pT) are the b candidates, the other two
 *   the hadronic W; m_jj = m(W jets), m_bb, m_jjj = m(jj b) with the b giving
 *   the mass closer to m_top, m_jlv = m(l nu + other b), m_wbb = m(jj b b),
 *   m_wwbb = m(l nu jj b b). ISR jets, b-tag mistakes and resolution make the
 *   classes overlap, as in the real set: a histogram GBDT (scikit-learn, 200k
 *   training rows) reaches AUC ~0.76 on the 21 low-level features, ~0.84 on
 *   the 7 masses, ~0.88 on all 28 (UCI HIGGS: ~0.73 / 0.78 / 0.81 for BDTs).
 * Units: GeV and radians, not UCI HIGGS's rescaled values. Computed in float
 * for speed (millions of rows a second). Label is the first column, as in the
 * UCI file. Deliberately unrealistic: no pile-up, no parton showers beyond the
 * single ISR jet and the out-of-cone loss, no detector geometry. */
#include "sim_internal.h"

#define MW 80.38f
#define MT 172.5f
#define MB 4.8f
#define MH 125.0f

enum {
    C_LABEL,
    C_LPT,
    C_LETA,
    C_LPHI,
    C_MET,
    C_METPHI,
    C_J1PT,
    C_J1ETA,
    C_J1PHI,
    C_J1B,
    C_J2PT,
    C_J2ETA,
    C_J2PHI,
    C_J2B,
    C_J3PT,
    C_J3ETA,
    C_J3PHI,
    C_J3B,
    C_J4PT,
    C_J4ETA,
    C_J4PHI,
    C_J4B,
    C_MJJ,
    C_MJJJ,
    C_MLV,
    C_MJLV,
    C_MBB,
    C_MWBB,
    C_MWWBB,
    NC
};
static const char *const names[NC] = {"label",
                                      "lepton_pt",
                                      "lepton_eta",
                                      "lepton_phi",
                                      "missing_energy_magnitude",
                                      "missing_energy_phi",
                                      "jet1_pt",
                                      "jet1_eta",
                                      "jet1_phi",
                                      "jet1_btag",
                                      "jet2_pt",
                                      "jet2_eta",
                                      "jet2_phi",
                                      "jet2_btag",
                                      "jet3_pt",
                                      "jet3_eta",
                                      "jet3_phi",
                                      "jet3_btag",
                                      "jet4_pt",
                                      "jet4_eta",
                                      "jet4_phi",
                                      "jet4_btag",
                                      "m_jj",
                                      "m_jjj",
                                      "m_lv",
                                      "m_jlv",
                                      "m_bb",
                                      "m_wbb",
                                      "m_wwbb"};

typedef struct v4 {
    float e, x, y, z;
} v4;

/* A Breit-Wigner truncated to [lo, hi]: the CDF's ends precomputed. */
typedef struct bw {
    float m0, hg, a, b;
} bw;

typedef struct ctx {
    float *c[NC];
    uint64_t seed;
    double fsig;
    bw w, top, h0, hc;
} ctx;

static bw bw_make(double m0, double gamma, double lo, double hi)
{
    bw b;
    b.m0 = (float)m0;
    b.hg = (float)(0.5 * gamma);
    b.a = (float)atan(2.0 * (lo - m0) / gamma);
    b.b = (float)atan(2.0 * (hi - m0) / gamma);
    return b;
}

static inline float bw_draw(const bw *b, wn__rr *r)
{
    return b->m0 + b->hg * tanf(b->a + (b->b - b->a) * wn__rr_uniformf(r));
}

static inline v4 add(v4 a, v4 b)
{
    v4 s = {a.e + b.e, a.x + b.x, a.y + b.y, a.z + b.z};
    return s;
}
static inline v4 sub(v4 a, v4 b)
{
    v4 s = {a.e - b.e, a.x - b.x, a.y - b.y, a.z - b.z};
    return s;
}
static inline v4 scale(v4 a, float k)
{
    v4 s = {a.e * k, a.x * k, a.y * k, a.z * k};
    return s;
}
static inline float mass(v4 a)
{
    float m2 = a.e * a.e - a.x * a.x - a.y * a.y - a.z * a.z;
    return m2 > 0 ? sqrtf(m2) : 0.0f;
}
static inline float pt2(v4 a)
{
    return a.x * a.x + a.y * a.y;
}

static inline float expf_draw(wn__rr *r)
{
    return -logf(wn__rr_uniformf(r));
}

/* Isotropic two-body decay of P (mass M) into masses m1, m2, boosted to the
 * lab; returns 0 if kinematically closed. */
static int decay(wn__rr *r, v4 P, float M, float m1, float m2, v4 *d1, v4 *d2)
{
    float s1 = M * M - (m1 + m2) * (m1 + m2), s2 = M * M - (m1 - m2) * (m1 - m2);
    if (s1 <= 0)
        return 0;
    float p = sqrtf(s1 * s2) / (2.0f * M);
    float ct = 2.0f * wn__rr_uniformf(r) - 1.0f, st = sqrtf(fmaxf(0.0f, 1.0f - ct * ct));
    float ph = (float)WN__TWO_PI * wn__rr_uniformf(r);
    float px = p * st * cosf(ph), py = p * st * sinf(ph), pz = p * ct;
    float e = sqrtf(p * p + m1 * m1);
    /* boost by beta = P.p / P.e */
    float bx = P.x / P.e, by = P.y / P.e, bz = P.z / P.e, g = P.e / M;
    float bp = bx * px + by * py + bz * pz;
    float k = g * g / (g + 1.0f) * bp + g * e;
    v4 a = {g * (e + bp), px + k * bx, py + k * by, pz + k * bz};
    *d1 = a;
    *d2 = sub(P, a);
    return 1;
}

static inline v4 jet_reco(wn__rr *r, v4 p)
{
    float pt = sqrtf(pt2(p));
    float sig = sqrtf(0.64f / fmaxf(pt, 1.0f) + 0.0025f);
    float k = 1.0f + sig * wn__rr_normalf(r);
    if (wn__rr_uniformf(r) < 0.3f)
        k *= 1.0f - 0.15f * expf_draw(r);
    return scale(p, fmaxf(k, 0.2f));
}

static inline int btag(wn__rr *r, int is_b)
{
    float u = wn__rr_uniformf(r);
    if (is_b)
        return u < 0.20f ? 0 : (u < 0.35f ? 1 : 2);
    return u < 0.92f ? 0 : (u < 0.98f ? 1 : 2);
}

/* pT > 20 GeV and |eta| < 2.5, i.e. |pz| < pT sinh(2.5). */
static inline int accepted(v4 a)
{
    float p2 = pt2(a);
    return p2 > 400.0f && a.z * a.z < p2 * (6.0502045f * 6.0502045f);
}

typedef struct event {
    v4 lep, nu, jet[5];
    int isb[5];
} event;

/* One parton-level event; returns 0 when a decay was kinematically closed. */
static int generate(const ctx *c, wn__rr *r, int sig, event *ev)
{
    float M, ma, mb;
    if (sig) {
        M = bw_draw(&c->h0, r);
        ma = bw_draw(&c->w, r);  /* W from H0 */
        mb = bw_draw(&c->hc, r); /* H+- */
    } else {
        ma = bw_draw(&c->top, r);
        mb = bw_draw(&c->top, r);
        M = ma + mb + 75.0f * (expf_draw(r) + expf_draw(r));
    }
    float spt = 50.0f * expf_draw(r), sphi = (float)WN__TWO_PI * wn__rr_uniformf(r);
    float y = 0.8f * wn__rr_normalf(r);
    float mt = sqrtf(M * M + spt * spt);
    float cph = cosf(sphi), sph = sinf(sphi);
    v4 P = {mt * coshf(y), spt * cph, spt * sph, mt * sinhf(y)};
    float isr_eta = 1.6f * wn__rr_normalf(r);
    v4 isr = {spt * coshf(isr_eta), -spt * cph, -spt * sph, spt * sinhf(isr_eta)};

    v4 A, B, w1, w2, b1, b2;
    if (sig) {
        v4 h;
        float mw2 = bw_draw(&c->w, r);
        if (!decay(r, P, M, ma, mb, &w1, &B) || !decay(r, B, mb, mw2, MH, &w2, &h) ||
            !decay(r, h, MH, MB, MB, &b1, &b2))
            return 0;
        mb = mw2; /* ma stays the mass of w1, the W from H0 */
    } else {
        float mwa = bw_draw(&c->w, r), mwb = bw_draw(&c->w, r);
        if (!decay(r, P, M, ma, mb, &A, &B) || !decay(r, A, ma, mwa, MB, &w1, &b1) ||
            !decay(r, B, mb, mwb, MB, &w2, &b2))
            return 0;
        ma = mwa;
        mb = mwb;
    }
    /* one W to l nu, the other to q q-bar */
    v4 wl = w1, wh = w2;
    float ml = ma, mh = mb;
    if (wn__rr_uniformf(r) < 0.5f) {
        wl = w2;
        wh = w1;
        ml = mb;
        mh = ma;
    }
    v4 q1, q2;
    decay(r, wl, ml, 0.0f, 0.0f, &ev->lep, &ev->nu);
    decay(r, wh, mh, 0.0f, 0.0f, &q1, &q2);
    ev->jet[0] = b1;
    ev->jet[1] = b2;
    ev->jet[2] = q1;
    ev->jet[3] = q2;
    ev->jet[4] = isr;
    ev->isb[0] = ev->isb[1] = 1;
    ev->isb[2] = ev->isb[3] = ev->isb[4] = 0;
    return 1;
}

static inline float eta_of(v4 a)
{
    return asinhf(a.z / sqrtf(pt2(a)));
}
static inline float phi_of(v4 a)
{
    return atan2f(a.y, a.x);
}

static void row(const void *vc, int64_t i)
{
    const ctx *c = vc;
    wn__rr r = wn__rr_make(c->seed, WN__SALT_HIGGS, (uint64_t)i);
    int sig = wn__rr_uniform(&r) < c->fsig;
    event ev;
    v4 lep = {0, 0, 0, 0}, jet[5] = {{0, 0, 0, 0}};
    int sel[5], nsel = 0;
    for (int tries = 0; tries < 1000; tries++) {
        if (!generate(c, &r, sig, &ev))
            continue;
        lep = scale(ev.lep, fmaxf(0.2f, 1.0f + 0.02f * wn__rr_normalf(&r)));
        if (!accepted(lep))
            continue;
        nsel = 0;
        for (int k = 0; k < 5; k++) {
            jet[k] = jet_reco(&r, ev.jet[k]);
            if (accepted(jet[k]))
                sel[nsel++] = k;
        }
        if (nsel >= 4)
            break;
    }
    /* the four leading selected jets, by pT (insertion sort of <= 5) */
    float jpt[5];
    for (int k = 0; k < 5; k++)
        jpt[k] = pt2(jet[k]);
    for (int a = 1; a < nsel; a++)
        for (int b = a; b > 0 && jpt[sel[b]] > jpt[sel[b - 1]]; b--) {
            int t = sel[b];
            sel[b] = sel[b - 1];
            sel[b - 1] = t;
        }
    if (nsel > 4)
        nsel = 4;
    int tag[4];
    for (int k = 0; k < nsel; k++)
        tag[k] = btag(&r, ev.isb[sel[k]]);

    /* missing ET: neutrino + mis-measurements + soft term */
    float mx = ev.nu.x + ev.lep.x - lep.x + 12.0f * wn__rr_normalf(&r);
    float my = ev.nu.y + ev.lep.y - lep.y + 12.0f * wn__rr_normalf(&r);
    for (int k = 0; k < 5; k++) {
        mx += ev.jet[k].x - jet[k].x;
        my += ev.jet[k].y - jet[k].y;
    }

    float *const *col = c->c;
    col[C_LABEL][i] = sig ? 1.0f : 0.0f;
    col[C_LPT][i] = sqrtf(pt2(lep));
    col[C_LETA][i] = eta_of(lep);
    col[C_LPHI][i] = phi_of(lep);
    float met = sqrtf(mx * mx + my * my);
    col[C_MET][i] = met;
    col[C_METPHI][i] = atan2f(my, mx);
    for (int k = 0; k < 4; k++) {
        if (k < nsel) {
            v4 j = jet[sel[k]];
            col[C_J1PT + 4 * k][i] = sqrtf(pt2(j));
            col[C_J1ETA + 4 * k][i] = eta_of(j);
            col[C_J1PHI + 4 * k][i] = phi_of(j);
            col[C_J1B + 4 * k][i] = (float)tag[k];
        } else { /* only after 1000 failed tries: never in practice */
            col[C_J1PT + 4 * k][i] = col[C_J1ETA + 4 * k][i] = NAN;
            col[C_J1PHI + 4 * k][i] = col[C_J1B + 4 * k][i] = NAN;
        }
    }
    if (nsel < 4) {
        for (int k = C_MJJ; k <= C_MWWBB; k++)
            col[k][i] = NAN;
        return;
    }

    /* neutrino pz from the W mass constraint (massless lepton) */
    float lpt2 = pt2(lep), le = sqrtf(lpt2 + lep.z * lep.z);
    float A = 0.5f * MW * MW + lep.x * mx + lep.y * my;
    float disc = A * A - lpt2 * met * met;
    float root = disc > 0 ? le * sqrtf(disc) : 0.0f;
    float pz1 = (A * lep.z + root) / lpt2, pz2 = (A * lep.z - root) / lpt2;
    float pz = fabsf(pz1) < fabsf(pz2) ? pz1 : pz2;
    v4 nu = {sqrtf(met * met + pz * pz), mx, my, pz};
    v4 lv = add(lep, nu);

    /* b candidates: highest tag, then highest pT (sel is pT-ordered) */
    int ord[4] = {0, 1, 2, 3};
    for (int a = 1; a < 4; a++)
        for (int b = a; b > 0 && tag[ord[b]] > tag[ord[b - 1]]; b--) {
            int t = ord[b];
            ord[b] = ord[b - 1];
            ord[b - 1] = t;
        }
    v4 b1 = jet[sel[ord[0]]], b2 = jet[sel[ord[1]]];
    v4 jj = add(jet[sel[ord[2]]], jet[sel[ord[3]]]);
    float m1 = mass(add(jj, b1)), m2 = mass(add(jj, b2));
    int first = fabsf(m1 - MT) <= fabsf(m2 - MT);
    v4 bb = add(b1, b2);
    col[C_MJJ][i] = mass(jj);
    col[C_MJJJ][i] = first ? m1 : m2;
    col[C_MLV][i] = mass(lv);
    col[C_MJLV][i] = mass(add(lv, first ? b2 : b1));
    col[C_MBB][i] = mass(bb);
    col[C_MWBB][i] = mass(add(jj, bb));
    col[C_MWWBB][i] = mass(add(add(jj, bb), lv));
}

wn_status wn__sim_higgs(const wn_sim_params *p, wn_table *t)
{
    ctx c;
    wn_role roles[NC];
    for (int k = 0; k < NC; k++)
        roles[k] = WN_ROLE_FEATURE;
    roles[C_LABEL] = WN_ROLE_LABEL;
    wn_status s = wn__sim_columns(t, names, roles, NC, c.c);
    if (s)
        return s;
    c.seed = p->seed;
    c.fsig = p->signal_fraction;
    c.w = bw_make(80.38, 2.085, 65.0, 95.0);
    c.top = bw_make(172.5, 1.4, 160.0, 185.0);
    c.h0 = bw_make(425.0, 5.0, 405.0, 445.0);
    c.hc = bw_make(325.0, 3.0, 310.0, 340.0);
    return wn__sim_rows(p, p->rows, row, &c);
}
