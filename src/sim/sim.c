/* sim.c — the built-in simulations: names, defaults, parameter checks, and
 * the row driver the kinds share.
 *
 * Physicists train on simulation all the time, so winnow carries small
 * simulators of its own: data that is always there, has truth labels, and is
 * of any size. Each kind lives in its own file with the physics it imitates
 * (docs/simulations.md collects them). The output is a pure function of the
 * parameters: every row draws from a generator keyed by (seed, kind, row), see
 * sim_internal.h, so the bits do not depend on the thread count. */
#include "sim_internal.h"

#include <string.h>

#define MAX_ROWS ((int64_t)1 << 31)

static const char *const kind_names[] = {"resonance", "shower", "higgs-like", "mismodelled",
                                         "lightcurve"};
#define NKINDS ((int)(sizeof kind_names / sizeof kind_names[0]))

void wn_sim_params_default(wn_sim_kind kind, wn_sim_params *p)
{
    memset(p, 0, sizeof *p);
    p->rows = 10000;
    p->seed = 42;
    p->threads = 0;
    switch (kind) {
    case WN_SIM_RESONANCE: p->signal_fraction = 0.1; break;
    case WN_SIM_SHOWER: p->signal_fraction = 0.65; break;
    case WN_SIM_HIGGS_LIKE: p->signal_fraction = 0.53; break;
    default: p->signal_fraction = 0.0; break;
    }
    p->signal_mass = 3500.0;
    p->negative_weight_fraction = 0.0;
    p->sample_sim = 0;
    p->period = 2.2047;
    p->transit = 0;
    p->progress.fn = NULL;
    p->progress.ud = NULL;
    p->amplitude = 0.01;
    p->duration = 0.16;
    p->noise = 0.003;
    p->red_noise = 0.002;
}

wn_status wn_sim_kind_parse(const char *name, wn_sim_kind *out)
{
    if (name)
        for (int k = 0; k < NKINDS; k++)
            if (!strcmp(name, kind_names[k])) {
                *out = (wn_sim_kind)k;
                return WN_OK;
            }
    return wn__fail(WN_EINVAL,
                    "unknown simulation '%s'; the kinds are: resonance, shower, higgs-like, "
                    "mismodelled, lightcurve",
                    name ? name : "(null)");
}

const char *wn_sim_kind_name(wn_sim_kind kind)
{
    if ((int)kind < 0 || (int)kind >= NKINDS)
        return "unknown";
    return kind_names[kind];
}

/* "NAME must be in RANGE, got X" for a double out of [lo, hi] (or NaN). */
static wn_status check_range(const char *name, double v, double lo, double hi, int lo_open,
                             int hi_open, const char *range)
{
    int ok = isfinite(v) && (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
    if (!ok)
        return wn__fail(WN_EINVAL, "%s must be in %s, got %g", name, range, v);
    return WN_OK;
}

static wn_status validate(wn_sim_kind kind, const wn_sim_params *p)
{
    wn_status s;
    if ((int)kind < 0 || (int)kind >= NKINDS)
        return wn__fail(WN_EINVAL, "unknown simulation kind %d (valid 0..%d)", (int)kind,
                        NKINDS - 1);
    if (p->rows < 1 || p->rows > MAX_ROWS)
        return wn__fail(WN_EINVAL, "rows must be in [1, %lld], got %lld", (long long)MAX_ROWS,
                        (long long)p->rows);
    if (p->threads < 0 || p->threads > 4096)
        return wn__fail(WN_EINVAL, "threads must be in [0, 4096] (0 = all), got %d", p->threads);
    if ((s = check_range("signal_fraction", p->signal_fraction, 0, 1, 0, 0, "[0, 1]")) ||
        (s = check_range("signal_mass", p->signal_mass, 1000, 13000, 0, 0, "[1000, 13000] GeV")) ||
        (s = check_range("negative_weight_fraction", p->negative_weight_fraction, 0, 0.5, 0, 1,
                         "[0, 0.5)")) ||
        (s = check_range("period", p->period, 0, 1e5, 1, 0, "(0, 1e5] days")) ||
        (s = check_range("amplitude", p->amplitude, 0, 1, 0, 1, "[0, 1)")) ||
        (s = check_range("noise", p->noise, 0, 1, 0, 0, "[0, 1]")) ||
        (s = check_range("red_noise", p->red_noise, 0, 1, 0, 0, "[0, 1]")))
        return s;
    if (!(isfinite(p->duration) && p->duration > 0 && (!p->transit || p->duration < p->period)))
        return wn__fail(WN_EINVAL, "duration must be in (0, period = %g) days, got %g", p->period,
                        p->duration);
    if (p->sample_sim != 0 && p->sample_sim != 1)
        return wn__fail(WN_EINVAL, "sample_sim must be 0 (data) or 1 (sim), got %d", p->sample_sim);
    if (p->transit != 0 && p->transit != 1)
        return wn__fail(WN_EINVAL, "transit must be 0 (sinusoid) or 1 (box transit), got %d",
                        p->transit);
    return WN_OK;
}

wn_status wn_simulate(wn_sim_kind kind, const wn_sim_params *p, wn_table **out, char **meta_json)
{
    if (!p || !out)
        return wn__fail(WN_EINVAL, "wn_simulate: params and out must not be NULL");
    wn_status s = validate(kind, p);
    if (s)
        return s;
    wn_table *t = NULL;
    if ((s = wn_table_create(p->rows, &t)) != WN_OK)
        return s;
    char *meta = NULL;
    switch (kind) {
    case WN_SIM_RESONANCE: s = wn__sim_resonance(p, t); break;
    case WN_SIM_SHOWER: s = wn__sim_shower(p, t); break;
    case WN_SIM_HIGGS_LIKE: s = wn__sim_higgs(p, t); break;
    case WN_SIM_MISMODELLED: s = wn__sim_mismodelled(p, t); break;
    case WN_SIM_LIGHTCURVE: s = wn__sim_lightcurve(p, t, meta_json ? &meta : NULL); break;
    }
    if (s) {
        wn_table_free(t);
        wn_free(meta);
        return s;
    }
    *out = t;
    if (meta_json)
        *meta_json = meta;
    return WN_OK;
}

wn_status wn__sim_columns(wn_table *t, const char *const *names, const wn_role *roles, int n,
                          float **cols)
{
    int64_t base = wn_table_ncols(t);
    for (int k = 0; k < n; k++) {
        wn_status s = wn_table_add_column(t, names[k], NULL);
        if (s)
            return s;
        if (roles[k] != WN_ROLE_FEATURE && (s = wn_table_set_role(t, base + k, roles[k])))
            return s;
        cols[k] = wn_table_column_mut(t, base + k);
        if (!cols[k] && wn_table_nrows(t) > 0)
            return wn__fail(WN_EINTERNAL, "simulation column '%s' has no storage", names[k]);
    }
    return WN_OK;
}

wn_status wn__sim_rows(const wn_sim_params *p, int64_t n, wn__sim_row_fn fn, const void *ctx)
{
    int nt = wn__threads(p->threads);
    /* blocks of >= 64k rows and at most ~256 progress calls */
    int64_t block = (int64_t)1 << 16;
    while (n / block > 256)
        block *= 2;
    for (int64_t b = 0; b < n; b += block) {
        int64_t e = n - b < block ? n : b + block;
#pragma omp parallel for schedule(static) num_threads(nt)
        for (int64_t i = b; i < e; i++)
            fn(ctx, i);
        if (p->progress.fn && p->progress.fn(p->progress.ud, "simulate", e, n))
            return wn__fail(WN_EINVAL, "cancelled");
    }
    return WN_OK;
}
