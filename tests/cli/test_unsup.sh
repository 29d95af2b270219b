# test_unsup.sh — `winnow reduce`, `cluster` and `anomalies` end to end with
# the real binary: output tables with the right columns and shapes, models
# and reports written (every panel that applies, no nan/inf printed), the
# label only shown, the same bytes at 1 and 2 threads, the planted structure
# found (three separated blobs; planted outliers on top of the anomaly
# ranking), and every bad input of the issue with its exit code and a
# message naming the culprit.
source "$(dirname "$0")/lib.sh"
WINNOW=$(cd "$(dirname "$WINNOW")" && pwd)/$(basename "$WINNOW")

nrows() { echo $(($(wc -l <"$1") - 1)); }
header() { head -1 "$1"; }
# has_panels FILE ID...: the report exists, is one page, has these panels
has_panels() {
  local f=$1
  shift
  [ -s "$f" ] || { bad "$f not written"; return; }
  [ "$(head -c 15 "$f")" = "<!DOCTYPE html>" ] && ok || bad "$f is not an HTML page"
  ! grep -qi "<script" "$f" && ok || bad "$f has a script"
  for id in "$@"; do
    grep -qE "<section class=\"panel[^\"]*\" id=\"$id\"" "$f" && ok || bad "$f lacks the panel '$id'"
  done
  ! grep -qiwE 'nan|-?inf' "$f" && ok || bad "$f prints nan/inf: $(grep -oiwE '.{30}(nan|inf).{10}' "$f" | head -3)"
}

# -- data: three separated 4-D blobs (labels 0, 1, 2), 900 rows, a text
#    (they are separated in raw units: the clustering runs use
#    --no-standardize, as standardising makes the two pure-noise features as
#    wide as the blob directions)
#    column that must be left out, an id, and 9 planted far outliers
awk 'BEGIN {
  srand(7); print "id,a,b,c,d,kind,blob";
  for (i = 0; i < 900; i++) {
    k = i % 3; cx = (k == 0) ? 0 : (k == 1) ? 10 : -10; cy = (k == 2) ? 10 : 0;
    printf "%d,%.5f,%.5f,%.5f,%.5f,%s,%d\n", i, cx + rand() + rand() - 1, cy + rand() + rand() - 1,
      rand() + rand() - 1, rand() + rand() - 1, (k == 0) ? "x" : "y", k
  }
}' >"$TMP/blobs.csv"
awk -F, 'NR == 1 { print; next } NR % 100 == 0 { $2 = 40 + NR / 50; $4 = -30 - NR / 90; OFS = ","; $1 = $1 } { print }' \
  "$TMP/blobs.csv" >"$TMP/outl.csv"

# -- help and usage errors
contains "usage: winnow reduce DATA" -- reduce --help
contains "usage: winnow cluster DATA" -- cluster --help
contains "usage: winnow anomalies DATA" -- anomalies --help
expect 2 "missing DATA" -- reduce
expect 2 "the methods are: pca" -- reduce "$TMP/blobs.csv" --method magic
expect 2 "the methods are: kmeans, gmm, som" -- cluster "$TMP/blobs.csv" --method dbscan
expect 2 "iforest" -- anomalies "$TMP/blobs.csv" --method nope
expect 2 "--components" -- reduce "$TMP/blobs.csv" --components 0
expect 2 "-k" -- cluster "$TMP/blobs.csv" -k 0
expect 2 "--grid takes RxC" -- cluster "$TMP/blobs.csv" --method som --grid 3by3
expect 2 "--k-range" -- cluster "$TMP/blobs.csv" --k-range 5:2
expect 2 ".csv or .npy" -- reduce "$TMP/blobs.csv" -o "$TMP/x.txt"

# -- reduce: columns, shape, model, report; the text column is left out
out=$("$WINNOW" reduce "$TMP/blobs.csv" --id id --label blob --components 2 --no-standardize -o "$TMP/r.csv" 2>&1)
[ $? = 0 ] && ok || bad "reduce failed: $out"
grep -q "note: 1 text column left out ('kind')" <<<"$out" && ok || bad "text column note: $out"
grep -qE "PCA: 2 of 4 components explain (9[0-9]|100)\.[0-9]+% of the variance" <<<"$out" && ok ||
  bad "two blob directions should carry most variance: $out"
[ "$(header "$TMP/r.csv")" = "id,blob,pc1,pc2,recon_error" ] && ok || bad "reduce header: $(header "$TMP/r.csv")"
[ "$(nrows "$TMP/r.csv")" = 900 ] && ok || bad "reduce rows: $(nrows "$TMP/r.csv")"
[ -s "$TMP/r.wnm" ] && ok || bad "no PCA model"
has_panels "$TMP/r.report.html" variance loadings plane scores top manifest
contains "fraction" -- reduce "$TMP/blobs.csv" --id id --components 0.5 --no-standardize --no-report -o "$TMP/r5.csv"
[ "$(header "$TMP/r5.csv")" = "id,pc1,recon_error" ] && ok || bad "--components 0.5: $(header "$TMP/r5.csv")"
expect 2 "components = 9" -- reduce "$TMP/blobs.csv" --components 9 --ignore kind -o "$TMP/x.csv"

# -- cluster: k-means finds the three blobs exactly
out=$("$WINNOW" cluster "$TMP/blobs.csv" --id id --label blob --method kmeans -k 3 --k-range 2:5 --no-standardize -o "$TMP/k.csv" 2>&1)
[ $? = 0 ] && ok || bad "kmeans failed: $out"
grep -q "choice of k (k-means)" <<<"$out" && ok || bad "no choice-of-k table: $out"
[ "$(header "$TMP/k.csv")" = "id,blob,cluster,distance" ] && ok || bad "kmeans header: $(header "$TMP/k.csv")"
# every blob is one cluster and every cluster one blob
pairs=$(awk -F, 'NR > 1 { print $2 "-" $3 }' "$TMP/k.csv" | sort -u | wc -l)
[ "$pairs" = 3 ] && ok || bad "k-means split the 3 blobs into $pairs (blob, cluster) pairs"
has_panels "$TMP/k.report.html" sizes centres plane classes choosek manifest
grep -qF "purity 100%" "$TMP/k.report.html" && ok || bad "k-means purity is not 100%"
# the same bytes at 1 and 2 threads
"$WINNOW" cluster "$TMP/blobs.csv" --id id -k 3 --threads 1 --no-standardize --no-report -o "$TMP/k1.csv" >/dev/null 2>&1
"$WINNOW" cluster "$TMP/blobs.csv" --id id -k 3 --threads 2 --no-standardize --no-report -o "$TMP/k2.csv" >/dev/null 2>&1
cmp -s "$TMP/k1.csv" "$TMP/k2.csv" && ok || bad "k-means output depends on the thread count"
cmp -s "$TMP/k1.wnm" "$TMP/k2.wnm" || true # models carry the command line; outputs must agree

out=$("$WINNOW" cluster "$TMP/blobs.csv" --id id --label blob --method gmm --k-range 1:4 --no-standardize -o "$TMP/g.csv" 2>&1)
[ $? = 0 ] && ok || bad "gmm failed: $out"
grep -q -- "-> k = 3 (smallest BIC)" <<<"$out" && ok || bad "BIC did not choose 3: $out"
[ "$(header "$TMP/g.csv")" = "id,blob,cluster,probability,loglik" ] && ok || bad "gmm header: $(header "$TMP/g.csv")"
pairs=$(awk -F, 'NR > 1 { print $2 "-" $3 }' "$TMP/g.csv" | sort -u | wc -l)
[ "$pairs" = 3 ] && ok || bad "GMM split the 3 blobs into $pairs pairs"
has_panels "$TMP/g.report.html" sizes centres plane classes choosek manifest

out=$("$WINNOW" cluster "$TMP/blobs.csv" --id id --label blob --method som --grid 6x5 --rect --no-standardize -o "$TMP/s.csv" 2>&1)
[ $? = 0 ] && ok || bad "som failed: $out"
[ "$(header "$TMP/s.csv")" = "id,blob,unit,unit_row,unit_col,qerr" ] && ok || bad "som header: $(header "$TMP/s.csv")"
awk -F, 'NR > 1 && !($3 >= 0 && $3 < 30 && $4 == int($3 / 5) && $5 == $3 % 5) { bad = 1 } END { exit bad }' "$TMP/s.csv" &&
  ok || bad "som units out of the 6x5 grid"
has_panels "$TMP/s.report.html" som classes manifest
expect 2 "grid 40 x 40 has 1600 units, more than the 900 rows" -- cluster "$TMP/blobs.csv" --method som --grid 40x40 -o "$TMP/x.csv"
expect 2 "k = 5000 is more than the 900 rows" -- cluster "$TMP/blobs.csv" -k 5000 -o "$TMP/x.csv"

# -- anomalies: the planted outliers rank on top, with and without baskets
out=$("$WINNOW" anomalies "$TMP/outl.csv" --id id --ignore blob --top 9 -o "$TMP/a.csv" 2>&1)
[ $? = 0 ] && ok || bad "anomalies failed: $out"
[ "$(header "$TMP/a.csv")" = "id,score" ] && ok || bad "anomalies header: $(header "$TMP/a.csv")"
top=$(tail -n +2 "$TMP/a.csv" | sort -t, -k2 -gr | head -9 | awk -F, '{ print ($1 + 2) % 100 }' | sort -u)
[ "$top" = 0 ] && ok || bad "the 9 planted outliers are not the 9 top scores: $(tail -n +2 "$TMP/a.csv" | sort -t, -k2 -gr | head -9 | tr '\n' ' ')"
has_panels "$TMP/a.report.html" scores top manifest
out=$("$WINNOW" anomalies "$TMP/outl.csv" --id id --ignore blob --baskets 2 --basket-size 5 -o "$TMP/b.csv" 2>&1)
[ $? = 0 ] && ok || bad "baskets failed: $out"
[ "$(header "$TMP/b.csv")" = "id,score,basket,score_last" ] && ok || bad "baskets header: $(header "$TMP/b.csv")"
n1=$(awk -F, 'NR > 1 && $3 == 1' "$TMP/b.csv" | wc -l)
n2=$(awk -F, 'NR > 1 && $3 == 2' "$TMP/b.csv" | wc -l)
[ "$n1" = 5 ] && [ "$n2" = 5 ] && ok || bad "baskets of 5: got $n1 and $n2"
has_panels "$TMP/b.report.html" scores top baskets manifest
out=$("$WINNOW" anomalies "$TMP/outl.csv" --method pca --components 2 --ignore blob --no-report -o "$TMP/p.csv" 2>&1)
[ $? = 0 ] && ok || bad "pca anomalies failed: $out"

# -- bad data: NaN rows, constant data, negative weights
sed '5s/^\([0-9]*\),[^,]*,/\1,,/' "$TMP/blobs.csv" >"$TMP/nan.csv"
expect 3 "row 4, column 'a'" -- cluster "$TMP/nan.csv" -k 3 -o "$TMP/x.csv"
out=$("$WINNOW" cluster "$TMP/nan.csv" -k 3 --drop-missing --no-report -o "$TMP/dm.csv" 2>&1)
[ $? = 0 ] && ok || bad "--drop-missing failed: $out"
grep -q "899 rows (1 left out)" <<<"$out" && ok || bad "--drop-missing count: $out"
[ "$(sed -n 5p "$TMP/dm.csv")" = "," ] && ok || bad "the dropped row's output is not empty: $(sed -n 5p "$TMP/dm.csv")"
printf 'a,b\n1,2\n1,2\n1,2\n1,2\n' >"$TMP/const.csv"
expect 3 "constant" -- reduce "$TMP/const.csv" -o "$TMP/x.csv"
expect 3 "constant" -- cluster "$TMP/const.csv" -k 1 -o "$TMP/x.csv"
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "w"; next } { print $0, (NR == 7 ? -1 : 1) }' "$TMP/blobs.csv" >"$TMP/negw.csv"
expect 3 "negative weight" -- cluster "$TMP/negw.csv" --weight w -k 3 -o "$TMP/x.csv"
expect 1 "no/such" -- reduce "$TMP/no/such.csv" -o "$TMP/x.csv"

finish
