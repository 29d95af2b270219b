/* sim.c — STUB, replaced by the simulations work. */
#include "core.h"
void wn_sim_params_default(wn_sim_kind kind, wn_sim_params *p) { (void)kind; (void)p; }
wn_status wn_sim_kind_parse(const char *name, wn_sim_kind *out)
{ (void)out; return wn__fail(WN_EINVAL, "unknown simulation '%s'", name); }
const char *wn_sim_kind_name(wn_sim_kind kind) { (void)kind; return "?"; }
wn_status wn_simulate(wn_sim_kind kind, const wn_sim_params *p, wn_table **out, char **meta)
{ (void)kind; (void)p; (void)out; (void)meta; return wn__fail(WN_EINVAL, "not built yet"); }
