# lib.sh — helpers for the CLI tests. Each test script is run by ctest as
#   bash test_X.sh WINNOW_BINARY SOURCE_DIR
# and exits 0 (pass), 1 (fail) or 77 (skip).
set -u
WINNOW=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*"
}

# expect CODE NEEDLE -- ARGS...: runs winnow ARGS, checks the exit code and
# that stderr (one line + optional hint) contains NEEDLE.
expect() {
  local code=$1 needle=$2
  shift 3
  local out rc
  out=$("$WINNOW" "$@" 2>&1 >/dev/null)
  rc=$?
  if [ "$rc" != "$code" ]; then
    bad "winnow $* -> exit $rc, want $code; stderr: $out"
  elif [ -n "$needle" ] && ! grep -qF -- "$needle" <<<"$out"; then
    bad "winnow $* -> stderr lacks '$needle': $out"
  elif [ "$rc" -ge 128 ]; then
    bad "winnow $* crashed (exit $rc)"
  else
    ok
  fi
}

# contains NEEDLE -- ARGS...: runs winnow ARGS successfully, stdout has NEEDLE.
contains() {
  local needle=$1
  shift 2
  local out rc
  out=$("$WINNOW" "$@" 2>&1)
  rc=$?
  if [ "$rc" != 0 ]; then
    bad "winnow $* -> exit $rc: $out"
  elif ! grep -qF -- "$needle" <<<"$out"; then
    bad "winnow $* -> output lacks '$needle': $out"
  else
    ok
  fi
}

finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit $?
}
