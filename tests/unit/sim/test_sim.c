/* test_sim.c — the built-in simulations: distribution properties with fixed
 * seeds, determinism across thread counts, parameter errors, progress and
 * cancellation, allocation failures. */
#include "wn_test.h"

#include "core.h"

#include <math.h>

static wn_table *sim(wn_sim_kind kind, const wn_sim_params *p)
{
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_simulate(kind, p, &t, NULL));
    assert_int_equal(wn_table_nrows(t), p->rows);
    return t;
}

static const float *col(const wn_table *t, const char *name)
{
    int64_t c;
    WN_OK_OR_FAIL(wn_table_find(t, name, &c));
    return wn_table_column(t, c);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of v[i] over rows with lab[i] == want (lab NULL: all) and
 * lo <= v <= hi. */
static double quantile(const float *v, const float *lab, float want, int64_t n, double q, double lo,
                       double hi)
{
    float *b = malloc(sizeof(float) * (size_t)n);
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if ((!lab || lab[i] == want) && (double)v[i] >= lo && (double)v[i] <= hi)
            b[m++] = v[i];
    assert_true(m > 10);
    qsort(b, (size_t)m, sizeof(float), cmp_float);
    double r = (double)b[(int64_t)(q * (double)(m - 1))];
    free(b);
    return r;
}

static double mean_where(const float *v, const float *lab, float want, int64_t n)
{
    double s = 0;
    int64_t m = 0;
    for (int64_t i = 0; i < n; i++)
        if (lab[i] == want) {
            s += (double)v[i];
            m++;
        }
    assert_true(m > 0);
    return s / (double)m;
}

static void test_names_and_defaults(void **state)
{
    (void)state;
    const char *names[] = {"resonance", "shower", "higgs-like", "mismodelled", "lightcurve"};
    for (int k = 0; k < 5; k++) {
        wn_sim_kind kind;
        WN_OK_OR_FAIL(wn_sim_kind_parse(names[k], &kind));
        assert_int_equal(kind, k);
        assert_string_equal(wn_sim_kind_name(kind), names[k]);
        wn_sim_params p;
        wn_sim_params_default(kind, &p);
        assert_int_equal(p.rows, 10000);
        assert_true(p.seed == 42);
    }
    wn_sim_kind kind;
    WN_EXPECT_ERR(wn_sim_kind_parse("higgs", &kind), WN_EINVAL, "resonance, shower, higgs-like");
    WN_EXPECT_ERR(wn_sim_kind_parse("higgs", &kind), WN_EINVAL, "'higgs'");
    assert_string_equal(wn_sim_kind_name((wn_sim_kind)99), "unknown");
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_SHOWER, &p);
    assert_true(p.signal_fraction == 0.65);
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &p);
    assert_true(p.signal_fraction == 0.53);
    wn_sim_params_default(WN_SIM_RESONANCE, &p);
    assert_true(p.signal_mass == 3500.0);
}

static void test_resonance_peak(void **state)
{
    (void)state;
    const double masses[] = {3500.0, 5000.0, 2000.0};
    for (int k = 0; k < 3; k++) {
        wn_sim_params p;
        wn_sim_params_default(WN_SIM_RESONANCE, &p);
        p.rows = 40000;
        p.signal_fraction = 0.3;
        p.signal_mass = masses[k];
        wn_table *t = sim(WN_SIM_RESONANCE, &p);
        const float *mjj = col(t, "mjj"), *lab = col(t, "label");
        double width = 0.06 * masses[k];
        double med = quantile(mjj, lab, 1.0f, p.rows, 0.5, 0, 1e9);
        assert_true(fabs(med - masses[k]) < width);
        /* the background falls: its median sits far below any of these peaks */
        double bmed = quantile(mjj, lab, 0.0f, p.rows, 0.5, 0, 1e9);
        assert_true(bmed > 1500.0 && bmed < 2000.0);
        assert_true(quantile(mjj, lab, 0.0f, p.rows, 0.0, 0, 1e9) >= 1500.0);
        /* signal jets: Y (500) and Z (100) mass peaks, two-prong tau21; at
         * 2 TeV the Y decay often spills out of its R = 1 jet (by design) */
        if (masses[k] < 3000.0) {
            wn_table_free(t);
            continue;
        }
        assert_true(fabs(quantile(col(t, "mj1"), lab, 1.0f, p.rows, 0.5, 0, 1e9) - 500.0) < 50.0);
        assert_true(fabs(quantile(col(t, "mj2"), lab, 1.0f, p.rows, 0.5, 0, 1e9) - 100.0) < 10.0);
        assert_true(mean_where(col(t, "tau21_j1"), lab, 1.0f, p.rows) <
                    mean_where(col(t, "tau21_j1"), lab, 0.0f, p.rows) - 0.2);
        /* roles */
        assert_int_equal(wn_table_role_column(t, WN_ROLE_LABEL), 8);
        assert_string_equal(wn_table_name(t, wn_table_role_column(t, WN_ROLE_WEIGHT)), "weight");
        const float *ev = col(t, "event");
        assert_true(ev[0] == 0.0f && ev[12345] == 12345.0f);
        wn_table_free(t);
    }
    /* QCD jet masses grow with mjj */
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_RESONANCE, &p);
    p.rows = 40000;
    p.signal_fraction = 0;
    wn_table *t = sim(WN_SIM_RESONANCE, &p);
    const float *mjj = col(t, "mjj"), *mj = col(t, "mj1");
    double lo = 0, hi = 0;
    int64_t nlo = 0, nhi = 0;
    for (int64_t i = 0; i < p.rows; i++) {
        if (mjj[i] < 1700) {
            lo += (double)mj[i];
            nlo++;
        } else if (mjj[i] > 2500) {
            hi += (double)mj[i];
            nhi++;
        }
    }
    assert_true(nlo > 100 && nhi > 100);
    assert_true(hi / (double)nhi > 1.3 * lo / (double)nlo);
    wn_table_free(t);
}

static void test_class_balance(void **state)
{
    (void)state;
    const wn_sim_kind kinds[] = {WN_SIM_RESONANCE, WN_SIM_SHOWER, WN_SIM_HIGGS_LIKE,
                                 WN_SIM_RESONANCE};
    const double fr[] = {0.05, 0.65, 0.53, 0.0};
    for (int k = 0; k < 4; k++) {
        wn_sim_params p;
        wn_sim_params_default(kinds[k], &p);
        p.rows = 20000;
        p.signal_fraction = fr[k];
        wn_table *t = sim(kinds[k], &p);
        int64_t c = wn_table_role_column(t, WN_ROLE_LABEL), n0, n1;
        assert_true(c >= 0);
        WN_OK_OR_FAIL(wn_table_check_binary(t, c, &n0, &n1));
        double n = (double)p.rows, sd = sqrt(n * fr[k] * (1 - fr[k]));
        assert_true(fabs((double)n1 - n * fr[k]) <= 4.0 * sd);
        if (fr[k] == 0.0)
            assert_int_equal(n1, 0);
        wn_table_free(t);
    }
}

static void test_negative_weights(void **state)
{
    (void)state;
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_RESONANCE, &p);
    p.rows = 50000;
    p.negative_weight_fraction = 0.2;
    wn_table *t = sim(WN_SIM_RESONANCE, &p);
    const float *w = col(t, "weight");
    int64_t neg = 0;
    double sum = 0;
    for (int64_t i = 0; i < p.rows; i++) {
        assert_true(fabsf(fabsf(w[i]) - 1.0f / 0.6f) < 1e-6f);
        neg += w[i] < 0;
        sum += (double)w[i];
    }
    double n = (double)p.rows;
    assert_true(fabs((double)neg - 0.2 * n) <= 4.0 * sqrt(n * 0.2 * 0.8));
    /* the expected weighted yield is the event count: per-event variance
     * c^2 - 1 with c = 1/(1-2f) */
    double c = 1.0 / 0.6;
    assert_true(fabs(sum - n) <= 5.0 * sqrt(n * (c * c - 1.0)));
    wn_table_free(t);
    /* no negative weights by default, all exactly 1 */
    wn_sim_params_default(WN_SIM_RESONANCE, &p);
    p.rows = 1000;
    t = sim(WN_SIM_RESONANCE, &p);
    w = col(t, "weight");
    for (int64_t i = 0; i < p.rows; i++)
        assert_true(w[i] == 1.0f);
    wn_table_free(t);
}

static void test_shower(void **state)
{
    (void)state;
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_SHOWER, &p);
    p.rows = 20000;
    wn_table *t = sim(WN_SIM_SHOWER, &p);
    const float *lab = col(t, "label"), *alpha = col(t, "alpha"), *width = col(t, "width");
    const float *len = col(t, "length"), *size = col(t, "size"), *conc = col(t, "conc");
    assert_true(mean_where(alpha, lab, 1.0f, p.rows) + 15.0 < mean_where(alpha, lab, 0.0f, p.rows));
    assert_true(mean_where(width, lab, 1.0f, p.rows) < mean_where(width, lab, 0.0f, p.rows));
    assert_true(quantile(alpha, lab, 1.0f, p.rows, 0.5, 0, 90) < 20.0);
    assert_true(fabs(quantile(alpha, lab, 0.0f, p.rows, 0.5, 0, 90) - 45.0) < 5.0);
    /* ranges, and length >= width, and images grow with size */
    double wl = 0, wh = 0;
    int64_t nl = 0, nh = 0;
    for (int64_t i = 0; i < p.rows; i++) {
        assert_true(alpha[i] >= 0.0f && alpha[i] <= 90.0f);
        assert_true(len[i] >= width[i]);
        assert_true(conc[i] > 0.0f && conc[i] <= 1.0f);
        assert_true(size[i] >= 1.8f && size[i] <= 5.6f);
        if (lab[i] == 1.0f && size[i] < 2.3f) {
            wl += (double)len[i];
            nl++;
        } else if (lab[i] == 1.0f && size[i] > 3.3f) {
            wh += (double)len[i];
            nh++;
        }
    }
    assert_true(nl > 100 && nh > 100 && wh / (double)nh > wl / (double)nl);
    wn_table_free(t);
}

static void test_higgs(void **state)
{
    (void)state;
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_HIGGS_LIKE, &p);
    p.rows = 40000;
    wn_table *t = sim(WN_SIM_HIGGS_LIKE, &p);
    assert_int_equal(wn_table_ncols(t), 29);
    assert_string_equal(wn_table_name(t, 0), "label");
    assert_string_equal(wn_table_name(t, 21), "jet4_btag");
    assert_string_equal(wn_table_name(t, 28), "m_wwbb");
    const float *lab = col(t, "label"), *mbb = col(t, "m_bb"), *mwwbb = col(t, "m_wwbb");
    /* the mode of signal m_bb, 5 GeV bins in [50, 300] */
    int64_t h[50] = {0}, hb[50] = {0};
    for (int64_t i = 0; i < p.rows; i++) {
        assert_false(isnan(mbb[i]));
        if (mbb[i] >= 50.0f && mbb[i] < 300.0f)
            (lab[i] == 1.0f ? h : hb)[(int)((mbb[i] - 50.0f) / 5.0f)]++;
    }
    int best = 0, bestb = 0;
    for (int k = 1; k < 50; k++) {
        if (h[k] > h[best])
            best = k;
        if (hb[k] > hb[bestb])
            bestb = k;
    }
    double mode = 50.0 + 5.0 * best + 2.5;
    assert_true(fabs(mode - 125.0) <= 10.0);
    /* the signal peak is sharper than the background's bump */
    assert_true((double)h[best] > 2.0 * (double)hb[bestb] * 0.53 / 0.47);
    assert_true(fabs(quantile(mwwbb, lab, 1.0f, p.rows, 0.5, 0, 1e9) - 425.0) < 40.0);
    assert_true(quantile(mwwbb, lab, 0.0f, p.rows, 0.5, 0, 1e9) > 470.0);
    /* m_lv comes from the W mass constraint: mostly exactly m_W */
    const float *mlv = col(t, "m_lv");
    int64_t atw = 0;
    for (int64_t i = 0; i < p.rows; i++)
        atw += fabsf(mlv[i] - 80.38f) < 0.05f;
    assert_true(atw > p.rows / 2);
    /* selection: |eta| < 2.5, pT > 20 */
    const float *eta = col(t, "jet4_eta"), *pt = col(t, "jet4_pt"), *b = col(t, "jet2_btag");
    for (int64_t i = 0; i < p.rows; i++) {
        assert_true(fabsf(eta[i]) < 2.5f && pt[i] > 20.0f);
        assert_true(b[i] == 0.0f || b[i] == 1.0f || b[i] == 2.0f);
    }
    wn_table_free(t);
}

static double corr_log(const float *a, const float *b, int64_t n)
{
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = log((double)a[i]), y = log((double)b[i]);
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
    }
    double N = (double)n, ca = saa / N - (sa / N) * (sa / N), cb = sbb / N - (sb / N) * (sb / N);
    return (sab / N - sa / N * sb / N) / sqrt(ca * cb);
}

static void test_mismodelled(void **state)
{
    (void)state;
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_MISMODELLED, &p);
    p.rows = 100000;
    wn_table *d = sim(WN_SIM_MISMODELLED, &p);
    p.sample_sim = 1;
    wn_table *s = sim(WN_SIM_MISMODELLED, &p);
    assert_null(wn_table_role_column(d, WN_ROLE_LABEL) >= 0 ? (void *)1 : NULL);
    /* same seed, different events */
    assert_true(memcmp(col(d, "mass"), col(s, "mass"), sizeof(float) * (size_t)p.rows) != 0);
    assert_true(memcmp(col(d, "eta"), col(s, "eta"), sizeof(float) * (size_t)p.rows) != 0);
    /* the Z peak: sim 10% narrower resolution; on a Voigt profile with
     * Gamma = 2.5 GeV the interquartile range of the core shrinks by ~7% */
    const float *md = col(d, "mass"), *ms = col(s, "mass");
    double iqd =
        quantile(md, NULL, 0, p.rows, 0.75, 84, 98) - quantile(md, NULL, 0, p.rows, 0.25, 84, 98);
    double iqs =
        quantile(ms, NULL, 0, p.rows, 0.75, 84, 98) - quantile(ms, NULL, 0, p.rows, 0.25, 84, 98);
    double ratio = iqs / iqd;
    if (!(ratio > 0.88 && ratio < 0.98))
        fail_msg("peak IQR ratio sim/data %g, want ~0.93", ratio);
    /* pT tail: mean(pt - 2) = tau, 20 GeV (data) vs 17 GeV (sim) */
    double pd = 0, ps = 0;
    const float *ptd = col(d, "pt"), *pts = col(s, "pt");
    for (int64_t i = 0; i < p.rows; i++) {
        pd += (double)ptd[i] - 2.0;
        ps += (double)pts[i] - 2.0;
    }
    pd /= (double)p.rows;
    ps /= (double)p.rows;
    assert_true(fabs(pd - 20.0) < 0.4 && fabs(ps - 17.0) < 0.35);
    /* the correlation of ln sum_et and ln met: 0.5 vs 0.3 */
    double rd = corr_log(col(d, "sum_et"), col(d, "met"), p.rows);
    double rs = corr_log(col(s, "sum_et"), col(s, "met"), p.rows);
    if (!(fabs(rd - 0.5) < 0.015 && fabs(rs - 0.3) < 0.015))
        fail_msg("correlations data %g sim %g, want 0.5 and 0.3", rd, rs);
    /* unchanged variables agree: mean |eta| within a few standard errors */
    double ed = 0, es = 0;
    const float *etd = col(d, "eta"), *ets = col(s, "eta");
    for (int64_t i = 0; i < p.rows; i++) {
        ed += fabs((double)etd[i]);
        es += fabs((double)ets[i]);
    }
    assert_true(fabs(ed - es) / (double)p.rows < 0.015);
    wn_table_free(d);
    wn_table_free(s);
}

/* Scatter of the binned means of flux folded at period P (20 phase bins). */
static double fold_scatter(const float *t, const float *f, const float *g, int64_t n, double P)
{
    double s[20] = {0}, c[20] = {0};
    for (int64_t i = 0; i < n; i++) {
        if (g[i] != 0.0f)
            continue;
        double ph = fmod((double)t[i], P) / P;
        int b = (int)(ph * 20.0);
        if (b > 19)
            b = 19;
        s[b] += (double)f[i];
        c[b]++;
    }
    double m = 0, m2 = 0;
    for (int b = 0; b < 20; b++) {
        assert_true(c[b] > 0);
        double v = s[b] / c[b];
        m += v / 20.0;
        m2 += v * v / 20.0;
    }
    return sqrt(fmax(0.0, m2 - m * m));
}

static double json_number(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (!p)
        fail_msg("metadata lacks %s: %s", key, json);
    return strtod(p + strlen(pat), NULL);
}

static void test_lightcurve(void **state)
{
    (void)state;
    for (int transit = 0; transit <= 1; transit++) {
        wn_sim_params p;
        wn_sim_params_default(WN_SIM_LIGHTCURVE, &p);
        p.rows = 20000;
        p.transit = transit;
        p.period = transit ? 3.1 : 2.2047;
        wn_table *t = NULL;
        char *meta = NULL;
        WN_OK_OR_FAIL(wn_simulate(WN_SIM_LIGHTCURVE, &p, &t, &meta));
        assert_non_null(meta);
        assert_non_null(strstr(meta, transit ? "\"shape\":\"transit\"" : "\"shape\":\"sinusoid\""));
        assert_true(json_number(meta, "period") == p.period);
        assert_true(json_number(meta, "rows") == (double)p.rows);
        double t0 = json_number(meta, "t0");
        assert_true(t0 >= 0 && t0 < p.period);
        const float *tm = col(t, "time"), *fl = col(t, "flux"), *er = col(t, "flux_err");
        const float *gl = col(t, "glitch");
        assert_int_equal(wn_table_role(t, 3), WN_ROLE_LABEL);
        /* times increase, uneven, with gaps of days (weather) and months */
        double maxgap = 0, mingap = 1e9;
        for (int64_t i = 1; i < p.rows; i++) {
            double dt = (double)tm[i] - (double)tm[i - 1];
            assert_true(dt > 0);
            maxgap = fmax(maxgap, dt);
            mingap = fmin(mingap, dt);
            assert_true(er[i] > 0);
        }
        assert_true(maxgap > 100.0 && mingap < 0.011);
        /* glitches: the count and times agree with the metadata */
        int64_t ng = 0;
        const char *list = strstr(meta, "\"glitch_times\":[");
        assert_non_null(list);
        list += strlen("\"glitch_times\":[");
        for (int64_t i = 0; i < p.rows; i++)
            if (gl[i] != 0.0f) {
                char *end;
                double v = strtod(list, &end);
                assert_true(end != list && (float)v == tm[i]);
                list = *end == ',' ? end + 1 : end;
                ng++;
            }
        assert_true(*list == ']');
        assert_true(json_number(meta, "glitches") == (double)ng);
        assert_true(ng >= 2 && ng <= 30);
        /* folding at the true period lines the signal up; a wrong one doesn't */
        double right = fold_scatter(tm, fl, gl, p.rows, p.period);
        double wrong = fold_scatter(tm, fl, gl, p.rows, p.period * 1.137);
        if (!(right > 3.0 * wrong))
            fail_msg("fold scatter at P %g vs wrong %g", right, wrong);
        assert_true(right > (transit ? 0.001 : 0.005));
        wn_free(meta);
        wn_table_free(t);
    }
    /* meta_json may be NULL; other kinds set it to NULL */
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_LIGHTCURVE, &p);
    p.rows = 100;
    wn_table *t = NULL;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_LIGHTCURVE, &p, &t, NULL));
    wn_table_free(t);
    char *meta = (char *)"x";
    wn_sim_params_default(WN_SIM_SHOWER, &p);
    p.rows = 10;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_SHOWER, &p, &t, &meta));
    assert_null(meta);
    wn_table_free(t);
}

static int tables_equal(const wn_table *a, const wn_table *b)
{
    if (wn_table_nrows(a) != wn_table_nrows(b) || wn_table_ncols(a) != wn_table_ncols(b))
        return 0;
    for (int64_t c = 0; c < wn_table_ncols(a); c++)
        if (strcmp(wn_table_name(a, c), wn_table_name(b, c)) ||
            memcmp(wn_table_column(a, c), wn_table_column(b, c),
                   sizeof(float) * (size_t)wn_table_nrows(a)))
            return 0;
    return 1;
}

static void test_determinism(void **state)
{
    (void)state;
    for (int k = 0; k < 5; k++) {
        wn_sim_params p;
        wn_sim_params_default((wn_sim_kind)k, &p);
        /* more than one 65536-row block, except for the slow image kind */
        p.rows = k == WN_SIM_SHOWER ? 5000 : 70000;
        p.negative_weight_fraction = 0.1;
        p.threads = 1;
        wn_table *a = NULL, *b = NULL, *c = NULL;
        char *ma = NULL, *mb = NULL, *mc = NULL;
        WN_OK_OR_FAIL(wn_simulate((wn_sim_kind)k, &p, &a, &ma));
        p.threads = 2;
        WN_OK_OR_FAIL(wn_simulate((wn_sim_kind)k, &p, &b, &mb));
        p.threads = 3;
        p.seed = 43;
        WN_OK_OR_FAIL(wn_simulate((wn_sim_kind)k, &p, &c, &mc));
        if (!tables_equal(a, b))
            fail_msg("%s differs between 1 and 2 threads", wn_sim_kind_name((wn_sim_kind)k));
        assert_false(tables_equal(a, c));
        /* each feature column differs for another seed */
        for (int64_t j = 0; j < wn_table_ncols(a); j++)
            if (wn_table_role(a, j) == WN_ROLE_FEATURE)
                assert_true(memcmp(wn_table_column(a, j), wn_table_column(c, j),
                                   sizeof(float) * (size_t)p.rows) != 0);
        if (k == WN_SIM_LIGHTCURVE) {
            assert_string_equal(ma, mb);
            assert_string_not_equal(ma, mc);
        } else {
            assert_null(ma);
        }
        /* no NaN anywhere */
        for (int64_t j = 0; j < wn_table_ncols(a); j++) {
            const float *v = wn_table_column(a, j);
            for (int64_t i = 0; i < p.rows; i++)
                if (!isfinite(v[i]))
                    fail_msg("%s: column %s row %lld is %g", wn_sim_kind_name((wn_sim_kind)k),
                             wn_table_name(a, j), (long long)i, (double)v[i]);
        }
        wn_free(ma);
        wn_free(mb);
        wn_free(mc);
        wn_table_free(a);
        wn_table_free(b);
        wn_table_free(c);
    }
}

#define EXPECT_PARAM(kind, field, value, needle)                                                   \
    do {                                                                                           \
        wn_sim_params p_;                                                                          \
        wn_sim_params_default(kind, &p_);                                                          \
        p_.field = value;                                                                          \
        wn_table *t_ = (wn_table *)0x1;                                                            \
        WN_EXPECT_ERR(wn_simulate(kind, &p_, &t_, NULL), WN_EINVAL, needle);                       \
        assert_true(t_ == (wn_table *)0x1);                                                        \
    } while (0)

static void test_parameter_errors(void **state)
{
    (void)state;
    EXPECT_PARAM(WN_SIM_RESONANCE, rows, 0, "rows must be in [1, 2147483648], got 0");
    EXPECT_PARAM(WN_SIM_RESONANCE, rows, -5, "rows");
    EXPECT_PARAM(WN_SIM_RESONANCE, rows, ((int64_t)1 << 31) + 1, "rows");
    EXPECT_PARAM(WN_SIM_RESONANCE, threads, -1, "threads");
    EXPECT_PARAM(WN_SIM_RESONANCE, signal_fraction, 1.5,
                 "signal_fraction must be in [0, 1], got 1.5");
    EXPECT_PARAM(WN_SIM_SHOWER, signal_fraction, -0.01, "signal_fraction");
    EXPECT_PARAM(WN_SIM_HIGGS_LIKE, signal_fraction, (double)NAN, "signal_fraction");
    EXPECT_PARAM(WN_SIM_RESONANCE, signal_mass, 0.0, "signal_mass must be in [1000, 13000] GeV");
    EXPECT_PARAM(WN_SIM_RESONANCE, signal_mass, -3500.0, "signal_mass");
    EXPECT_PARAM(WN_SIM_RESONANCE, signal_mass, 14000.0, "signal_mass");
    EXPECT_PARAM(WN_SIM_RESONANCE, signal_mass, (double)INFINITY, "signal_mass");
    EXPECT_PARAM(WN_SIM_RESONANCE, negative_weight_fraction, 0.5,
                 "negative_weight_fraction must be in [0, 0.5)");
    EXPECT_PARAM(WN_SIM_RESONANCE, negative_weight_fraction, -0.1, "negative_weight_fraction");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, period, 0.0, "period must be in (0, 1e5] days");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, period, -2.0, "period");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, period, (double)NAN, "period");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, amplitude, 1.0, "amplitude must be in [0, 1)");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, amplitude, -0.1, "amplitude");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, duration, 0.0, "duration");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, noise, -1.0, "noise must be in [0, 1]");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, red_noise, 2.0, "red_noise");
    EXPECT_PARAM(WN_SIM_MISMODELLED, sample_sim, 2, "sample_sim");
    EXPECT_PARAM(WN_SIM_LIGHTCURVE, transit, 3, "transit");
    /* a transit longer than the period */
    wn_sim_params p;
    wn_sim_params_default(WN_SIM_LIGHTCURVE, &p);
    p.transit = 1;
    p.period = 0.1;
    wn_table *t = NULL;
    WN_EXPECT_ERR(wn_simulate(WN_SIM_LIGHTCURVE, &p, &t, NULL), WN_EINVAL,
                  "duration must be in (0, period = 0.1) days, got 0.16");
    p.transit = 0; /* a sinusoid has no duration: fine */
    p.rows = 10;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_LIGHTCURVE, &p, &t, NULL));
    wn_table_free(t);
    WN_EXPECT_ERR(wn_simulate((wn_sim_kind)7, &p, &t, NULL), WN_EINVAL, "kind");
    WN_EXPECT_ERR(wn_simulate(WN_SIM_SHOWER, NULL, &t, NULL), WN_EINVAL, "NULL");
    /* the extremes of the ranges are accepted */
    wn_sim_params_default(WN_SIM_RESONANCE, &p);
    p.rows = 1;
    p.signal_fraction = 1.0;
    p.signal_mass = 13000.0;
    p.negative_weight_fraction = 0.499;
    WN_OK_OR_FAIL(wn_simulate(WN_SIM_RESONANCE, &p, &t, NULL));
    assert_true(wn_table_get(t, 0, 8) == 1.0f);
    wn_table_free(t);
}

typedef struct prog {
    int calls, cancel_at;
    int64_t last;
} prog;

static int on_progress(void *ud, const char *stage, int64_t done, int64_t total)
{
    prog *g = ud;
    assert_string_equal(stage, "simulate");
    assert_true(done > g->last && done <= total);
    g->last = done;
    return ++g->calls == g->cancel_at;
}

static void test_progress_and_cancel(void **state)
{
    (void)state;
    for (int k = 0; k < 5; k++) {
        if (k == WN_SIM_SHOWER)
            continue;
        wn_sim_params p;
        wn_sim_params_default((wn_sim_kind)k, &p);
        p.rows = 200000;
        prog g = {0, 0, 0};
        p.progress.fn = on_progress;
        p.progress.ud = &g;
        wn_table *t = NULL;
        char *meta = NULL;
        WN_OK_OR_FAIL(wn_simulate((wn_sim_kind)k, &p, &t, &meta));
        assert_true(g.calls >= 2 && g.last == p.rows);
        wn_table_free(t);
        wn_free(meta);
        g.calls = 0;
        g.last = 0;
        g.cancel_at = 1;
        t = NULL;
        WN_EXPECT_ERR(wn_simulate((wn_sim_kind)k, &p, &t, &meta), WN_EINVAL, "cancelled");
        assert_null(t);
        assert_int_equal(g.calls, 1);
    }
}

static void test_allocation_failures(void **state)
{
    (void)state;
    for (int k = 0; k < 5; k++) {
        wn_sim_params p;
        wn_sim_params_default((wn_sim_kind)k, &p);
        p.rows = 200;
        int ok = 0;
        for (int64_t n = 1; n < 200 && !ok; n++) {
            wn__alloc_fail_at(n);
            wn_table *t = NULL;
            char *meta = NULL;
            wn_status s = wn_simulate((wn_sim_kind)k, &p, &t, &meta);
            wn__alloc_fail_at(0);
            if (s == WN_OK) {
                ok = 1;
                wn_table_free(t);
                wn_free(meta);
            } else {
                assert_int_equal(s, WN_ENOMEM);
                assert_null(t);
            }
        }
        assert_true(ok);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_defaults),
        cmocka_unit_test(test_resonance_peak),
        cmocka_unit_test(test_class_balance),
        cmocka_unit_test(test_negative_weights),
        cmocka_unit_test(test_shower),
        cmocka_unit_test(test_higgs),
        cmocka_unit_test(test_mismodelled),
        cmocka_unit_test(test_lightcurve),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_parameter_errors),
        cmocka_unit_test(test_progress_and_cancel),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
