# test_report.sh — the HTML run report (`winnow train` writes it beside the
# model; `winnow evaluate` on labelled data) and `winnow explain` (per-row
# SHAP values). Checks properties, not stored bytes: a self-contained page
# (no scripts, no network references but the SVG namespace), every panel
# present, every plot titled, no NaN/inf printed, the same bytes at any
# thread count; SHAP rows summing to the raw prediction; bad inputs named.
# When chromium is installed the page is also rendered headless and the
# screenshot must not be blank.
source "$(dirname "$0")/lib.sh"
WINNOW=$(cd "$(dirname "$WINNOW")" && pwd)/$(basename "$WINNOW")

"$WINNOW" simulate higgs-like --rows 5000 --seed 1 -o "$TMP/h.csv" >/dev/null || { echo "simulate failed"; exit 1; }
"$WINNOW" simulate higgs-like --rows 1500 --seed 2 -o "$TMP/hv.csv" >/dev/null || { echo "simulate failed"; exit 1; }

# check_page FILE ID...: the structural properties every report has
check_page() {
  local f=$1
  shift
  [ -s "$f" ] || { bad "$f not written"; return; }
  [ "$(head -c 15 "$f")" = "<!DOCTYPE html>" ] && ok || bad "$f does not start with <!DOCTYPE html>"
  grep -qF '<meta charset="utf-8">' "$f" && ok || bad "$f: no charset"
  grep -qF 'name="viewport"' "$f" && ok || bad "$f: no viewport"
  ! grep -qi "<script" "$f" && ok || bad "$f has a script"
  local ext
  ext=$(grep -oE "(https?|ftp)://[^\"' <>)]*" "$f" | grep -vx "http://www.w3.org/2000/svg" | sort -u)
  [ -z "$ext" ] && ok || bad "$f references outside resources: $ext"
  ! grep -qE 'url\(|@import|<link|<img|<iframe' "$f" && ok || bad "$f loads something"
  for id in "$@"; do
    grep -qF "<section class=\"panel" "$f" && grep -qE "<section class=\"panel[^\"]*\" id=\"$id\"" "$f" \
      && ok || bad "$f lacks the panel '$id'"
  done
  local nsvg untitled
  nsvg=$(grep -o '<svg xmlns' "$f" | wc -l)
  [ "$nsvg" -ge 3 ] && ok || bad "$f has $nsvg plots"
  untitled=$(awk 'BEGIN { RS = "<svg xmlns" } NR > 1 && !index($0, "<title>") { n++ } END { print n + 0 }' "$f")
  [ "$untitled" = 0 ] && ok || bad "$f: $untitled of $nsvg plots have no <title>"
  ! grep -qiwE 'nan|-?inf|-nan' "$f" && ok || bad "$f prints nan/inf: $(grep -oiwE '.{30}(nan|inf).{10}' "$f" | head -3)"
  grep -qF 'class="verdicts"' "$f" && ok || bad "$f has no verdicts box"
}

BIN_PANELS="roc efficiency output importance leak calibration stability inputs correlation learning manifest"

# -- train writes the report beside the model
out=$("$WINNOW" train "$TMP/h.csv" --label label --valid 0.2 --rounds 30 -o "$TMP/h.wnm" 2>&1)
grep -qF "report: $TMP/h.report.html" <<<"$out" && ok || bad "train does not print the report path: $out"
check_page "$TMP/h.report.html" $BIN_PANELS
grep -qF "leak:" "$TMP/h.report.html" && ok || bad "no leak verdict"
grep -qF "overtraining:" "$TMP/h.report.html" && ok || bad "no overtraining verdict (train rows given)"
grep -qF "Kolmogorov-Smirnov" "$TMP/h.report.html" && ok || bad "no KS p-values in the output caption"
grep -qF "<table" "$TMP/h.report.html" && ok || bad "no efficiency table"
grep -qF "held-out rows</th><td>1" "$TMP/h.report.html" && ok || bad "manifest lacks the held-out row count"

# --no-report writes none; a model name without extension gets one appended
out=$("$WINNOW" train "$TMP/h.csv" --label label --rounds 5 --no-report -o "$TMP/n.wnm" 2>&1)
[ ! -e "$TMP/n.report.html" ] && ok || bad "--no-report wrote a report"
! grep -qF "report:" <<<"$out" && ok || bad "--no-report still prints a report line"
contains "report: $TMP/noext.report.html" -- train "$TMP/h.csv" --label label --rounds 5 -o "$TMP/noext"
[ -s "$TMP/noext.report.html" ] && ok || bad "noext.report.html not written"

# a validation file, and k-fold (every row held out once, no training sample)
contains "report: $TMP/hf.report.html" -- train "$TMP/h.csv" --label label --valid "$TMP/hv.csv" --rounds 10 -o "$TMP/hf.wnm"
check_page "$TMP/hf.report.html" $BIN_PANELS
"$WINNOW" simulate resonance --rows 3000 -o "$TMP/r.csv" >/dev/null
contains "report:" -- train "$TMP/r.csv" --label label --weight weight --id event --folds 3 --fold-by event --rounds 10 -o "$TMP/rk.wnm"
check_page "$TMP/rk.report.html" $BIN_PANELS
# regression: residuals instead of the classifier panels
contains "report:" -- train "$TMP/r.csv" --label mjj --ignore label --weight weight --id event --objective l2 --valid 0.2 --rounds 10 -o "$TMP/rr.wnm"
check_page "$TMP/rr.report.html" residuals regression importance inputs learning manifest
! grep -qF 'id="roc"' "$TMP/rr.report.html" && ok || bad "a regression report has a ROC panel"

# -- evaluate: labelled data as held-out rows; same bytes at any thread count
contains "report: $TMP/hv.report.html" -- evaluate "$TMP/h.wnm" "$TMP/hv.csv" --threads 1
check_page "$TMP/hv.report.html" $BIN_PANELS

# an ensemble with the decoy test: their two panels, and their verdicts
"$WINNOW" train "$TMP/h.csv" --label label --valid 0.3 --rounds 15 --ensemble 3 --decoy \
  -o "$TMP/he.wnm" >/dev/null 2>&1 || bad "train --ensemble 3 --decoy failed"
check_page "$TMP/he.report.html" $BIN_PANELS ensemble decoy
grep -qE "ensemble of 3: member AUC 0\.[0-9]+ ± " "$TMP/he.report.html" && ok || bad "no ensemble verdict"
grep -qF "decoy test: every decoy stays in the noise band" "$TMP/he.report.html" && ok || bad "no decoy verdict"
contains "report: $TMP/e3.html" -- evaluate "$TMP/h.wnm" "$TMP/hv.csv" --threads 3 -o "$TMP/e3.html"
cmp -s "$TMP/hv.report.html" "$TMP/e3.html" && ok || bad "the report depends on the thread count"
contains "report: $TMP/t.html" -- evaluate "$TMP/h.wnm" "$TMP/hv.csv" --title "My <b>run</b>" -o "$TMP/t.html"
grep -qF "My &lt;b&gt;run&lt;/b&gt;" "$TMP/t.html" && ok || bad "the title is not escaped"
contains "usage: winnow evaluate MODEL DATA" -- evaluate --help
expect 2 "needs MODEL and DATA" -- evaluate "$TMP/h.wnm"
cut -d, -f2- "$TMP/hv.csv" >"$TMP/nolabel.csv"
expect 3 "'label'" -- evaluate "$TMP/h.wnm" "$TMP/nolabel.csv" -o "$TMP/nl.html"
[ ! -e "$TMP/nl.html" ] && ok || bad "evaluate without labels wrote a report"
cut -d, -f1,2,4- "$TMP/hv.csv" >"$TMP/nofeat.csv" # drops lepton_eta
expect 3 "lepton_eta" -- evaluate "$TMP/h.wnm" "$TMP/nofeat.csv" -o "$TMP/nf.html"

# -- explain: one column per feature plus the expected value; rows sum to the raw score
contains "explained 1500 rows" -- explain "$TMP/h.wnm" "$TMP/hv.csv" -o "$TMP/shap.csv"
hdr=$(head -1 "$TMP/shap.csv")
[ "$(tr , '\n' <<<"$hdr" | wc -l)" = 29 ] && ok || bad "shap.csv has $(tr , '\n' <<<"$hdr" | wc -l) columns, want 29"
[ "${hdr%%,*}" = shap_lepton_pt ] && [ "${hdr##*,}" = shap_expected ] && ok || bad "shap.csv header: $hdr"
"$WINNOW" predict "$TMP/h.wnm" "$TMP/hv.csv" --raw -o "$TMP/raw.csv" >/dev/null 2>&1
[ "$(($(wc -l <"$TMP/shap.csv")))" = "$(($(wc -l <"$TMP/raw.csv")))" ] && ok || bad "shap.csv and raw.csv differ in rows"
paste -d, "$TMP/shap.csv" "$TMP/raw.csv" | awk -F, 'NR > 1 { s = 0; for (i = 1; i < NF; i++) s += $i; d = s - $NF; if (d < 0) d = -d; if (d > m) m = d }
  END { if (m > 1e-6) { print "max |sum of SHAP - raw| = " m; exit 1 } }' && ok || bad "SHAP rows do not sum to the raw prediction"
contains "explained" -- explain "$TMP/h.wnm" "$TMP/hv.csv" -o "$TMP/shap.npy"
[ -s "$TMP/shap.npy" ] && ok || bad "shap.npy not written"
contains "usage: winnow explain MODEL DATA" -- explain --help
expect 2 "missing -o OUT" -- explain "$TMP/h.wnm" "$TMP/hv.csv"
expect 2 ".csv or .npy" -- explain "$TMP/h.wnm" "$TMP/hv.csv" -o "$TMP/x.txt"
expect 3 "lepton_eta" -- explain "$TMP/h.wnm" "$TMP/nofeat.csv" -o "$TMP/x.csv"
[ ! -e "$TMP/x.csv" ] && ok || bad "explain on a missing feature wrote output"
contains "evaluate " -- --help
contains "explain " -- --help

# -- the page renders (headless chromium), and is not blank
if command -v chromium >/dev/null 2>&1; then
  HOME=$TMP timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$TMP/chrome" \
    --screenshot="$TMP/r.png" --window-size=1200,3000 "file://$TMP/h.report.html" >/dev/null 2>&1
  size=$(stat -c %s "$TMP/r.png" 2>/dev/null || echo 0)
  [ "$size" -gt 20000 ] && ok || bad "screenshot missing or blank ($size bytes)"
else
  echo "SKIP: chromium not installed, no screenshot check"
fi

finish
