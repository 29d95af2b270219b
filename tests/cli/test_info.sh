# test_info.sh — `winnow info` on good and bad input: every bad input gets one
# clear line naming file/line/column, a documented non-zero exit, no crash.
source "$(dirname "$0")/lib.sh"

# -- the basics
contains "usage: winnow info" -- info --help
contains "winnow $("$WINNOW" --version | cut -d' ' -f2)" -- --version
expect 2 "not a winnow command" -- frobnicate
expect 2 "missing FILE" -- info
expect 2 "unknown option" -- info --bogus x.csv

printf 'a,b,label\n1,2,0\n3,4,1\n5,,1\n' >"$TMP/ok.csv"
contains "3 rows x 3 columns" -- info "$TMP/ok.csv"
contains "label 'label': 0 1 (33.33%), 1 2 (66.67%)" -- info "$TMP/ok.csv" --label label
contains '"rows": 3' -- info "$TMP/ok.csv" --json
contains '"missing": 1' -- info "$TMP/ok.csv" --json
expect 3 "no column named 'nope'" -- info "$TMP/ok.csv" --label nope

# weights, including negative ones
printf 'x,w\n1,0.5\n2,-0.25\n3,1\n' >"$TMP/w.csv"
contains "sum 1.25, 1 negative (sum -0.25)" -- info "$TMP/w.csv" --weight w

# text labels (MAGIC-style g/h) and the binary check
printf 'x,class\n1,g\n2,h\n3,g\n' >"$TMP/gh.csv"
contains "label 'class': g 2 (66.67%), h 1 (33.33%)" -- info "$TMP/gh.csv" --label class
contains "text(2)" -- info "$TMP/gh.csv"
printf 'x,class\n1,GALAXY\n2,STAR\n3,QSO\n' >"$TMP/three.csv"
expect 3 "3 classes" -- info "$TMP/three.csv" --label class --binary
printf 'x,y\n1,0\n2,2\n' >"$TMP/num3.csv"
expect 3 "not binary" -- info "$TMP/num3.csv" --label y --binary

# inf/NaN literals are values, counted and reported
printf 'x\n1\ninf\n-inf\nnan\n2\n' >"$TMP/inf.csv"
contains "(+inf 1, -inf 1)" -- info "$TMP/inf.csv"

# --missing for ATLAS-style files
printf 'x\n1\n-999\n3\n' >"$TMP/atlas.csv"
contains '"missing": 1' -- info "$TMP/atlas.csv" --missing -999 --json

# -- bad input: each one line, non-zero, naming where
expect 1 "No such file" -- info "$TMP/absent.csv"
: >"$TMP/empty.csv"
expect 3 "empty.csv" -- info "$TMP/empty.csv"
printf 'a,b,c\n' >"$TMP/header.csv"
expect 3 "no data rows" -- info "$TMP/header.csv"
printf 'a,b,c\n1,2,3\n4,5\n' >"$TMP/ragged.csv"
expect 3 "ragged.csv:3" -- info "$TMP/ragged.csv"
printf 'a,b\n1,2\n3,abc\n' >"$TMP/text.csv"
expect 3 "'abc'" -- info "$TMP/text.csv"
expect 3 "text.csv:3" -- info "$TMP/text.csv"
printf 'a,b\n1,2\n3,4\x005\n' >"$TMP/nul.csv"
expect 3 "NUL" -- info "$TMP/nul.csv"
printf 'a,b\n1,"2\n3,4\n' >"$TMP/quote.csv"
expect 3 "quote" -- info "$TMP/quote.csv"
printf 'a,a\n1,2\n' >"$TMP/dup.csv"
expect 3 "duplicate column name 'a'" -- info "$TMP/dup.csv"
{ printf 'a\n'; head -c 2000000 /dev/zero | tr '\0' '1'; printf '\n'; } >"$TMP/long.csv"
expect 3 "long.csv:2" -- info "$TMP/long.csv"
printf 'x\n' >"$TMP/unknown.xyz"
expect 2 "unknown file type" -- info "$TMP/unknown.xyz"

# a lying .npy header: shape far larger than the data
hdr="{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 28), }"
pad=$((118 - ${#hdr} - 1))
{ printf '\x93NUMPY\x01\x00\x76\x00%s%*s\n' "$hdr" "$pad" ''; printf '\x00\x00\x80\x3f'; } >"$TMP/lie.npy"
[ "$(head -c 128 "$TMP/lie.npy" | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ] || bad "test bug: npy header not 128 bytes"
expect 3 "lie.npy" -- info "$TMP/lie.npy"

finish
