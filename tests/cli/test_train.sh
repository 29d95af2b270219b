# test_train.sh — `winnow train` and `winnow predict` end to end with the real
# binary: simulated data in, a model file out, predictions with the right
# shape and range; the same bits at any thread count; k-fold; and every bad
# input gets its documented exit code and a message naming what is wrong.
source "$(dirname "$0")/lib.sh"
WINNOW=$(cd "$(dirname "$WINNOW")" && pwd)/$(basename "$WINNOW") # some steps cd

# the rows of a CSV (header excluded) and its header line
nrows() { echo $(($(wc -l <"$1") - 1)); }
header() { head -1 "$1"; }
# every value of column $2 (1-based) of CSV $1 is a number in [0, 1]
in01() { awk -F, -v c="$2" 'NR > 1 && !($c != "" && $c + 0 == $c && $c >= 0 && $c <= 1) { bad = 1 } END { exit bad }' "$1"; }

contains "usage: winnow train DATA --label COL" -- train --help
contains "usage: winnow predict MODEL DATA" -- predict --help
contains "train " -- --help
contains "predict " -- --help

# -- usage errors, before any data is read
expect 2 "missing DATA" -- train --label y -o "$TMP/m.wnm"
expect 2 "missing --label" -- train "$TMP/x.csv" -o "$TMP/m.wnm"
expect 2 "missing -o MODEL" -- train "$TMP/x.csv" --label y
expect 2 "unknown option '--bogus'" -- train "$TMP/x.csv" --label y --bogus -o "$TMP/m.wnm"
expect 2 "'--rounds' needs a value" -- train "$TMP/x.csv" --label y -o "$TMP/m.wnm" --rounds
expect 2 "rounds" -- train "$TMP/x.csv" --label y --rounds 0 -o "$TMP/m.wnm"
expect 2 "num_leaves" -- train "$TMP/x.csv" --label y --param num_leaves=1 -o "$TMP/m.wnm"
expect 2 "learning_rate" -- train "$TMP/x.csv" --label y --param learning_rate=0 -o "$TMP/m.wnm"
expect 2 "unknown parameter 'frobnicate'" -- train "$TMP/x.csv" --label y --param frobnicate=3 -o "$TMP/m.wnm"
expect 2 "KEY=VALUE" -- train "$TMP/x.csv" --label y --param rounds -o "$TMP/m.wnm"
expect 2 "objective" -- train "$TMP/x.csv" --label y --objective nonsense -o "$TMP/m.wnm"
expect 2 "--valid: a fraction must be in (0, 1)" -- train "$TMP/x.csv" --label y --valid 1.5 -o "$TMP/m.wnm"
expect 2 "--folds 3 needs --fold-by" -- train "$TMP/x.csv" --label y --folds 3 -o "$TMP/m.wnm"
expect 2 "--early-stopping needs validation data" -- train "$TMP/x.csv" --label y --early-stopping 5 -o "$TMP/m.wnm"
expect 2 "--class-weight" -- train "$TMP/x.csv" --label y --class-weight 1,x -o "$TMP/m.wnm"
expect 2 "needs MODEL and DATA" -- predict "$TMP/m.wnm" -o "$TMP/p.csv"
expect 2 "missing -o OUT" -- predict "$TMP/m.wnm" "$TMP/x.csv"
expect 2 ".csv or .npy" -- predict "$TMP/m.wnm" "$TMP/x.csv" -o "$TMP/p.txt"

# -- simulated data
"$WINNOW" simulate higgs-like --rows 5000 --seed 1 -o "$TMP/h.csv" >/dev/null || { echo "simulate failed"; exit 1; }
"$WINNOW" simulate higgs-like --rows 2000 --seed 2 -o "$TMP/hv.csv" >/dev/null || { echo "simulate failed"; exit 1; }
"$WINNOW" simulate resonance --rows 5000 -o "$TMP/r.csv" >/dev/null || { echo "simulate failed"; exit 1; }

# binary, no validation
contains "28 features" -- train "$TMP/h.csv" --label label --rounds 30 -o "$TMP/h.wnm"
contains "rounds: 30 trained" -- train "$TMP/h.csv" --label label --rounds 30 -o "$TMP/h.wnm"
contains "predicted 5000 rows" -- predict "$TMP/h.wnm" "$TMP/h.csv" -o "$TMP/hp.csv"
[ "$(header "$TMP/hp.csv")" = prediction ] && ok || bad "hp.csv header: $(header "$TMP/hp.csv")"
[ "$(nrows "$TMP/hp.csv")" = 5000 ] && ok || bad "hp.csv has $(nrows "$TMP/hp.csv") rows, want 5000"
in01 "$TMP/hp.csv" 1 && ok || bad "hp.csv: predictions outside [0, 1]"
# the model beats a coin on its own training data (a property, not a number)
awk -F, 'NR == FNR { if (FNR > 1) y[FNR] = $1; next } FNR > 1 { n++; if (($1 > 0.5) == (y[FNR] == 1)) k++ } END { exit !(k > 0.6 * n) }' \
  "$TMP/h.csv" "$TMP/hp.csv" && ok || bad "h.wnm classifies no better than chance"
# .npy in and out; raw scores are not probabilities but still one column
"$WINNOW" convert "$TMP/h.csv" "$TMP/h.npy" >/dev/null
contains "raw scores" -- predict "$TMP/h.wnm" "$TMP/h.npy" --raw -o "$TMP/hp.npy"
[ -s "$TMP/hp.npy" ] && ok || bad "hp.npy not written"

# a validation file, early stopping, and a validation fraction
contains "at iteration" -- train "$TMP/h.csv" --label label --valid "$TMP/hv.csv" --metric auc --rounds 40 -o "$TMP/hv.wnm"
contains "kept (early stopping)" -- train "$TMP/h.csv" --label label --valid 0.25 --metric auc --rounds 40 --early-stopping 5 -o "$TMP/hf.wnm"

# resonance: weights, id, ignore, a note about unused columns, monotone
contains "7 features" -- train "$TMP/r.csv" --label label --weight weight --id event --ignore mjj --rounds 20 -o "$TMP/r.wnm"
out=$("$WINNOW" predict "$TMP/r.wnm" "$TMP/r.csv" --id event -o "$TMP/rp.csv" 2>&1 >/dev/null)
grep -qF "note: ignoring 1 column the model does not use: mjj" <<<"$out" && ok || bad "predict note: $out"
[ "$(header "$TMP/rp.csv")" = "event,prediction" ] && ok || bad "rp.csv header: $(header "$TMP/rp.csv")"
[ "$(nrows "$TMP/rp.csv")" = 5000 ] && ok || bad "rp.csv has $(nrows "$TMP/rp.csv") rows"
[ "$(cut -d, -f1 "$TMP/rp.csv" | sed 1d | md5sum)" = "$(awk -F, 'NR > 1 { print $11 }' "$TMP/r.csv" | md5sum)" ] \
  && ok || bad "rp.csv: the event column is not copied in order"
in01 "$TMP/rp.csv" 2 && ok || bad "rp.csv: predictions outside [0, 1]"
expect 3 "mjj" -- predict "$TMP/r.wnm" "$TMP/r.csv" --id event --strict-columns -o "$TMP/rs.csv"
[ ! -e "$TMP/rs.csv" ] && ok || bad "--strict-columns failure wrote rs.csv"
contains "trained" -- train "$TMP/r.csv" --label label --weight weight --id event --monotone mj1=+1,tau21_j1=-1 --class-weight 1,2 --rounds 10 -o "$TMP/rm.wnm"
expect 2 "--monotone: 'label' is not a feature" -- train "$TMP/r.csv" --label label --monotone label=+1 -o "$TMP/x.wnm"
expect 3 "no column named 'nope'" -- train "$TMP/r.csv" --label label --monotone nope=+1 -o "$TMP/x.wnm"
expect 2 "direction" -- train "$TMP/r.csv" --label label --monotone mj1=up -o "$TMP/x.wnm"

# k-fold by event number: one model file, predictions for every row
# a validation file lacking the weight column is named
cut -d, -f1-9,11 "$TMP/r.csv" >"$TMP/rv.csv"
expect 3 "rv.csv: --weight: no column named 'weight'" -- train "$TMP/r.csv" --label label --weight weight --valid "$TMP/rv.csv" -o "$TMP/x.wnm"

contains "3 folds by 'event'" -- train "$TMP/r.csv" --label label --weight weight --folds 3 --fold-by event --rounds 15 -o "$TMP/rk.wnm"
# the trust summary: gain ranking always; held-out ROC and KS with --valid;
# with --folds the out-of-fold scores; a hint without held-out data
contains "held-out: every event, scored by the fold model that did not see it" -- train "$TMP/r.csv" --label label --weight weight --folds 3 --fold-by event --rounds 15 -o "$TMP/rk2.wnm"
out=$("$WINNOW" train "$TMP/h.csv" --label label --valid 0.25 --rounds 30 -o "$TMP/ht.wnm" 2>&1)
for want in "features by split gain: " "held-out: " "AUC 0." "68% bootstrap interval" \
  "signal efficiency at background efficiency 1e-1 / 1e-2 / 1e-3" "AMS " \
  "overtraining (KS, training vs held-out scores): class 0 D = "; do
  grep -qF "$want" <<<"$out" && ok || bad "trust summary lacks '$want': $out"
done
contains "no held-out data" -- train "$TMP/h.csv" --label label --rounds 5 -o "$TMP/hn.wnm"
# the leak check names a planted leak (a copy of the label); calibration shown
awk -F, 'NR == 1 { print $0 ",leak" } NR > 1 { print $0 "," $1 }' "$TMP/h.csv" >"$TMP/hl.csv"
contains "WARNING leak check: feature 'leak' alone separates the classes (AUC 1.0000)" -- train "$TMP/hl.csv" --label label --valid 0.25 --rounds 10 --no-report -o "$TMP/hl.wnm"
contains "calibration: expected calibration error" -- train "$TMP/h.csv" --label label --valid 0.25 --rounds 10 --no-report -o "$TMP/hc.wnm"
contains "leak check: no single feature separates the classes" -- train "$TMP/h.csv" --label label --valid 0.25 --rounds 10 --no-report -o "$TMP/hc.wnm"
out=$("$WINNOW" train "$TMP/h.csv" --label label --valid 0.25 --rounds 20 --decoy --no-report -o "$TMP/hd.wnm" 2>&1)
grep -qE "decoy_shuffled \(shuffled [a-z_]+\) .* PASS; decoy_noise .* PASS" <<<"$out" && ok || bad "decoy test: $out"

# -- --ensemble K: K bagged models; the trust summary gives their AUC spread,
#    predict adds each event's standard deviation across them
expect 2 "--ensemble" -- train "$TMP/h.csv" --label label --ensemble 1 -o "$TMP/he.wnm"
expect 2 "cannot be combined" -- train "$TMP/h.csv" --label label --ensemble 3 --folds 2 --fold-by jet1_btag -o "$TMP/he.wnm"
out=$("$WINNOW" train "$TMP/h.csv" --label label --valid 0.25 --rounds 20 --ensemble 3 --no-report -o "$TMP/he.wnm" 2>&1)
grep -q "3 bagged models (--ensemble)" <<<"$out" && ok || bad "ensemble summary: $out"
grep -qE "ensemble: 3 bagged models, held-out AUC 0\.[0-9]+ ± 0\.[0-9]+ \(range" <<<"$out" && ok || bad "ensemble trust line: $out"
contains "predicted 5000 rows" -- predict "$TMP/he.wnm" "$TMP/h.csv" -o "$TMP/pe.csv"
[ "$(header "$TMP/pe.csv")" = "prediction,prediction_std" ] && ok || bad "ensemble predict header: $(header "$TMP/pe.csv")"
in01 "$TMP/pe.csv" 1 && in01 "$TMP/pe.csv" 2 && ok || bad "ensemble predictions out of [0, 1]"
awk -F, 'NR > 1 && $2 > 0 { n++ } END { exit !(n > 4000) }' "$TMP/pe.csv" && ok || bad "ensemble std is zero for most events"
contains "predicted 5000 rows" -- predict "$TMP/rk.wnm" "$TMP/r.csv" --id event -o "$TMP/rkp.csv"
[ "$(header "$TMP/rkp.csv")" = "event,prediction" ] && [ "$(nrows "$TMP/rkp.csv")" = 5000 ] \
  && ok || bad "rkp.csv: $(header "$TMP/rkp.csv"), $(nrows "$TMP/rkp.csv") rows"
in01 "$TMP/rkp.csv" 2 && ok || bad "rkp.csv: predictions outside [0, 1]"
# without the fold-by column: the mean of the folds
cut -d, -f1-10 "$TMP/r.csv" >"$TMP/r_noevent.csv"
contains "predicted 5000 rows" -- predict "$TMP/rk.wnm" "$TMP/r_noevent.csv" -o "$TMP/rkm.csv"

# multiclass: p0..p2
awk -F, 'NR == 1 { print $0 ",cls"; next } { print $0 "," (NR % 3) }' "$TMP/h.csv" | cut -d, -f2- >"$TMP/m3.csv"
contains "trained multiclass" -- train "$TMP/m3.csv" --label cls --objective multiclass --rounds 5 -o "$TMP/m3.wnm"
"$WINNOW" predict "$TMP/m3.wnm" "$TMP/m3.csv" -o "$TMP/m3p.csv" >/dev/null 2>&1
[ "$(header "$TMP/m3p.csv")" = "p0,p1,p2" ] && ok || bad "m3p.csv header: $(header "$TMP/m3p.csv")"
# held-out figures for multiclass (per-class AUC, confusion) and regression
out=$("$WINNOW" train "$TMP/m3.csv" --label cls --objective multiclass --valid 0.25 --rounds 5 --no-report -o "$TMP/m3v.wnm" 2>&1)
grep -qE "accuracy 0\.[0-9]+; one-vs-rest AUC per class: 0: 0\.[0-9]+ 1: 0\.[0-9]+ 2: 0\.[0-9]+" <<<"$out" && ok || bad "multiclass trust: $out"
grep -qF "confusion (rows: true class, columns: predicted" <<<"$out" && ok || bad "no confusion matrix: $out"
out=$("$WINNOW" train "$TMP/h.csv" --label m_bb --objective l2 --valid 0.25 --rounds 10 --no-report -o "$TMP/rg.wnm" 2>&1)
grep -qE "RMSE [0-9.e-]+, MAE [0-9.e-]+, R2 -?[0-9.]+; residual \(prediction - label\) quantiles" <<<"$out" && ok || bad "regression trust: $out"

# -- determinism: the model is the same bits at any thread count. The command
# line is recorded in the model, so runs to compare byte for byte must be
# typed identically: the thread count comes from OMP_NUM_THREADS there, and
# --threads 1 vs 2 is compared through the predictions.
mkdir -p "$TMP/d1" "$TMP/d2"
(cd "$TMP/d1" && SOURCE_DATE_EPOCH=0 OMP_NUM_THREADS=1 "$WINNOW" train ../h.csv --label label --rounds 25 --param row_subsample=0.8 -o m.wnm >/dev/null) || bad "train (1 thread) failed"
(cd "$TMP/d2" && SOURCE_DATE_EPOCH=0 OMP_NUM_THREADS=2 "$WINNOW" train ../h.csv --label label --rounds 25 --param row_subsample=0.8 -o m.wnm >/dev/null) || bad "train (2 threads) failed"
cmp -s "$TMP/d1/m.wnm" "$TMP/d2/m.wnm" && ok || bad "model files differ between 1 and 2 threads"
SOURCE_DATE_EPOCH=0 "$WINNOW" train "$TMP/h.csv" --label label --rounds 25 --threads 1 -o "$TMP/t1.wnm" >/dev/null || bad "train --threads 1 failed"
SOURCE_DATE_EPOCH=0 "$WINNOW" train "$TMP/h.csv" --label label --rounds 25 --threads 2 -o "$TMP/t2.wnm" >/dev/null || bad "train --threads 2 failed"
"$WINNOW" predict "$TMP/t1.wnm" "$TMP/h.csv" --raw --threads 1 -o "$TMP/t1.csv" >/dev/null
"$WINNOW" predict "$TMP/t2.wnm" "$TMP/h.csv" --raw --threads 2 -o "$TMP/t2.csv" >/dev/null
[ -s "$TMP/t1.csv" ] && cmp -s "$TMP/t1.csv" "$TMP/t2.csv" && ok || bad "predictions differ between --threads 1 and 2"

# -- bad data: exit 3 (or 2 for a bad parameter), a message naming the problem
mk() { # mk FILE HEADER ROWS...: a small CSV
  local f=$1
  shift
  printf '%s\n' "$@" >"$TMP/$f"
}
rows40() { # 40 rows "x,z,y,w" with y alternating 0/1, w = 1
  local i
  for i in $(seq 1 40); do echo "$i,$((i * 7 % 11)),$((i % 2)),1"; done
}
{ echo "x,z,y,w"; rows40; } >"$TMP/good.csv"
contains "trained" -- train "$TMP/good.csv" --label y --weight w --rounds 3 --param min_data_in_leaf=2 -o "$TMP/good.wnm"
{ echo "x,z,y,w"; rows40 | sed '5s/,[01],1$/,2,1/'; } >"$TMP/lab2.csv"
expect 3 "found 0, 1, 2" -- train "$TMP/lab2.csv" --label y -o "$TMP/x.wnm"
expect 3 "label column 'y'" -- train "$TMP/lab2.csv" --label y -o "$TMP/x.wnm"
{ echo "x,z,y,w"; rows40 | sed 's/,[01],1$/,1,1/'; } >"$TMP/one.csv"
expect 3 "all labels are 1" -- train "$TMP/one.csv" --label y -o "$TMP/x.wnm"
{ echo "x,z,y,w"; rows40 | sed '7s/,[01],1$/,nan,1/'; } >"$TMP/nanlab.csv"
expect 3 "label column 'y': NaN at row 7" -- train "$TMP/nanlab.csv" --label y -o "$TMP/x.wnm"
{ echo "x,z,y,w"; rows40 | sed '7s/,1$/,nan/'; } >"$TMP/nanw.csv"
expect 3 "weight column 'w': NaN at row 7" -- train "$TMP/nanw.csv" --label y --weight w -o "$TMP/x.wnm"
{ echo "x,z,y,w"; rows40 | sed 's/,1$/,0/'; } >"$TMP/zerow.csv"
expect 3 "weight column 'w': the weights sum to 0" -- train "$TMP/zerow.csv" --label y --weight w -o "$TMP/x.wnm"
{ echo "x,z,y,w"; rows40 | sed '3s/,1$/,-0.5/'; } >"$TMP/negw.csv"
expect 2 "objective l1 cannot take them" -- train "$TMP/negw.csv" --label y --weight w --objective l1 -o "$TMP/x.wnm"
contains "trained" -- train "$TMP/negw.csv" --label y --weight w --rounds 3 --param min_data_in_leaf=2 -o "$TMP/negw.wnm"
# a constant feature is unusable, not an error
{ echo "x,z,c,y,w"; rows40 | sed 's/^\([^,]*,[^,]*\),/\1,5,/'; } >"$TMP/const.csv"
contains "trained" -- train "$TMP/const.csv" --label y --weight w --rounds 3 --param min_data_in_leaf=2 -o "$TMP/const.wnm"
expect 3 "no column named 'label'" -- train "$TMP/good.csv" --label label -o "$TMP/x.wnm"
expect 3 "no column named 'wt'" -- train "$TMP/good.csv" --label y --weight wt -o "$TMP/x.wnm"
mk one_row.csv "x,z,y" "1,2,1"
# too few rows is reported as a bad parameter (WN_EINVAL) by the trainer
expect 3 "1 row" -- train "$TMP/one_row.csv" --label y -o "$TMP/x.wnm"
[ ! -e "$TMP/x.wnm" ] && ok || bad "a failed train wrote x.wnm"

# predict: a missing feature is named; a corrupt model is exit 3 naming the file
cut -d, -f1,3,4 "$TMP/good.csv" >"$TMP/noz.csv"
expect 3 'lacks 1 model feature: "z"' -- predict "$TMP/good.wnm" "$TMP/noz.csv" -o "$TMP/p.csv"
[ ! -e "$TMP/p.csv" ] && ok || bad "a failed predict wrote p.csv"
sz=$(stat -c %s "$TMP/good.wnm")
head -c $((sz / 2)) "$TMP/good.wnm" >"$TMP/trunc.wnm"
expect 3 "trunc.wnm" -- predict "$TMP/trunc.wnm" "$TMP/good.csv" -o "$TMP/p.csv"
cp "$TMP/good.wnm" "$TMP/flip.wnm"
off=$((sz * 2 / 3))
byte=$(od -An -tu1 -j "$off" -N1 "$TMP/flip.wnm" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" | dd of="$TMP/flip.wnm" bs=1 seek="$off" conv=notrunc status=none
cmp -s "$TMP/good.wnm" "$TMP/flip.wnm" && bad "test bug: byte not flipped" || ok
expect 3 "flip.wnm" -- predict "$TMP/flip.wnm" "$TMP/good.csv" -o "$TMP/p.csv"
: >"$TMP/empty.wnm"
expect 3 "empty.wnm" -- predict "$TMP/empty.wnm" "$TMP/good.csv" -o "$TMP/p.csv"
expect 3 "" -- predict "$TMP/good.csv" "$TMP/good.csv" -o "$TMP/p.csv"
expect 1 "" -- predict "$TMP/absent.wnm" "$TMP/good.csv" -o "$TMP/p.csv"
expect 3 "no column named 'nope'" -- predict "$TMP/good.wnm" "$TMP/good.csv" --id nope -o "$TMP/p.csv"
[ ! -e "$TMP/p.csv" ] && ok || bad "a failed predict wrote p.csv"

# -- output: a missing folder fails before training; a failed train leaves an
# existing model untouched; no temporary files are left behind
expect 1 "no/such/dir" -- train "$TMP/good.csv" --label y -o "$TMP/no/such/dir/m.wnm"
expect 1 "" -- predict "$TMP/good.wnm" "$TMP/good.csv" -o "$TMP/no/such/dir/p.csv"
cp "$TMP/good.wnm" "$TMP/keep.wnm"
expect 3 "" -- train "$TMP/one.csv" --label y -o "$TMP/keep.wnm"
expect 2 "" -- train "$TMP/good.csv" --label y --param num_leaves=1 -o "$TMP/keep.wnm"
cmp -s "$TMP/good.wnm" "$TMP/keep.wnm" && ok || bad "a failed train changed an existing model file"
ls "$TMP" | grep -q 'tmp\.' && bad "temporary files left: $(ls "$TMP")" || ok

# -- the demo trains, tests and saves a model that predict can use
contains "AUC" -- demo --rows 3000 --out "$TMP/demo"
[ -s "$TMP/demo/resonance.wnm" ] && ok || bad "demo wrote no model"
contains "predicted 3000 rows" -- predict "$TMP/demo/resonance.wnm" "$TMP/demo/resonance.csv" -o "$TMP/demo/p.csv"

finish
