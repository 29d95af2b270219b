# test_simulate.sh — `winnow simulate`: help, every bad parameter gets exit 2
# and a message naming it, unknown kinds list the valid ones, and real runs
# write the file (and the light curve's JSON truth beside it).
source "$(dirname "$0")/lib.sh"

contains "usage: winnow simulate KIND" -- simulate --help
contains "--negative-weight-fraction" -- simulate --help
contains "default 3500" -- simulate --help
contains "usage: winnow simulate" -- help simulate

# -- bad parameters: exit 2, the parameter named
expect 2 "missing KIND" -- simulate
expect 2 "the kinds are: resonance, shower, higgs-like, mismodelled, lightcurve" -- simulate frobnicate -o "$TMP/x.csv"
expect 2 "missing -o FILE" -- simulate resonance
expect 2 ".csv or .npy" -- simulate resonance -o "$TMP/x.txt"
expect 2 "unknown option '--bogus'" -- simulate resonance --bogus -o "$TMP/x.csv"
expect 2 "--rows' needs a value" -- simulate resonance -o "$TMP/x.csv" --rows
expect 2 "--rows must be in 1..2147483648, got 0" -- simulate resonance --rows 0 -o "$TMP/x.csv"
expect 2 "--rows must be in" -- simulate resonance --rows -5 -o "$TMP/x.csv"
expect 2 "--rows: 'abc' is not an integer" -- simulate resonance --rows abc -o "$TMP/x.csv"
expect 2 "--seed" -- simulate resonance --seed -1 -o "$TMP/x.csv"
expect 2 "--threads must be in" -- simulate resonance --threads -1 -o "$TMP/x.csv"
expect 2 "signal_fraction must be in [0, 1], got 1.5" -- simulate resonance --signal-fraction 1.5 -o "$TMP/x.csv"
expect 2 "signal_fraction" -- simulate shower --signal-fraction -0.2 -o "$TMP/x.csv"
expect 2 "--signal-fraction: 'nan' is not a finite number" -- simulate higgs-like --signal-fraction nan -o "$TMP/x.csv"
expect 2 "signal_mass must be in [1000, 13000] GeV, got 0" -- simulate resonance --mass 0 -o "$TMP/x.csv"
expect 2 "signal_mass" -- simulate resonance --mass 20000 -o "$TMP/x.csv"
expect 2 "negative_weight_fraction must be in [0, 0.5), got 0.5" -- simulate resonance --negative-weight-fraction 0.5 -o "$TMP/x.csv"
expect 2 "--sample must be 'data' or 'sim', got 'mc'" -- simulate mismodelled --sample mc -o "$TMP/x.csv"
expect 2 "period must be in (0, 1e5] days, got -1" -- simulate lightcurve --period -1 -o "$TMP/x.csv"
expect 2 "--shape must be 'sinusoid' or 'transit'" -- simulate lightcurve --shape box -o "$TMP/x.csv"
expect 2 "duration must be in (0, period = 0.1) days" -- simulate lightcurve --shape transit --period 0.1 -o "$TMP/x.csv"
expect 2 "amplitude must be in [0, 1)" -- simulate lightcurve --amplitude 1 -o "$TMP/x.csv"
expect 2 "noise must be in [0, 1]" -- simulate lightcurve --noise -0.1 -o "$TMP/x.csv"
expect 2 "--mass does not apply to shower" -- simulate shower --mass 3000 -o "$TMP/x.csv"
expect 2 "--period does not apply to resonance" -- simulate resonance --period 3 -o "$TMP/x.csv"
expect 2 "--sample does not apply to higgs-like" -- simulate higgs-like --sample sim -o "$TMP/x.csv"
[ ! -e "$TMP/x.csv" ] && ok || bad "a failed run left $TMP/x.csv"

# -- real runs (need the CSV/NPY writers of src/io)
contains "resonance: 100 rows x 11 columns, signal fraction" -- simulate resonance --rows 100 -o "$TMP/r.csv"
if [ -f "$TMP/r.csv" ] && [ "$(wc -l <"$TMP/r.csv")" = 101 ]; then ok; else bad "r.csv should have 101 lines"; fi
head -1 "$TMP/r.csv" | grep -q '^mjj,mj1,mj2,tau21_j1,tau21_j2,pt_j1,pt_j2,delta_eta,label,weight,event$' \
  && ok || bad "r.csv header: $(head -1 "$TMP/r.csv")"
# the option order does not matter, and threads do not change the bits
contains "higgs-like: 2000 rows x 29 columns" -- simulate --rows 2000 --threads 1 -o "$TMP/h1.npy" higgs-like
contains "higgs-like: 2000 rows x 29 columns" -- simulate higgs-like --rows 2000 --threads 2 -o "$TMP/h2.npy"
cmp -s "$TMP/h1.npy" "$TMP/h2.npy" && ok || bad "higgs-like differs between 1 and 2 threads"
contains "x 7 columns" -- simulate mismodelled --sample sim --rows 500 -o "$TMP/m.csv"
contains "truth in $TMP/lc.csv.json" -- simulate lightcurve --rows 3000 --shape transit --period 3.5 -o "$TMP/lc.csv"
grep -q '"period":3.5' "$TMP/lc.csv.json" && grep -q '"shape":"transit"' "$TMP/lc.csv.json" \
  && ok || bad "lc.csv.json: $(cat "$TMP/lc.csv.json")"
ls "$TMP" | grep -q 'tmp\.' && bad "temporary files left: $(ls "$TMP")" || ok
expect 1 "" -- simulate shower --rows 10 -o "$TMP/no/such/dir/s.csv"

finish
