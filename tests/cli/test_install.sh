# test_install.sh — `cmake --install` gives a usable library: the worked
# example at the top of winnow.h compiles against the installed header and
# links through pkg-config, statically and dynamically, and runs.
source "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$WINNOW")
command -v pkg-config >/dev/null || { echo "SKIP: no pkg-config"; exit 77; }
if ! cmake --install "$BUILD" --prefix "$TMP/prefix" >/dev/null 2>"$TMP/install.err"; then
  bad "cmake --install failed: $(cat "$TMP/install.err")"
  finish
fi
[ -f "$TMP/prefix/include/winnow.h" ] && ok || bad "winnow.h not installed"
pc=$(find "$TMP/prefix" -name winnow.pc | head -1)
[ -n "$pc" ] && ok || bad "winnow.pc not installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
# the example from the header comment, verbatim
sed -n '/^ \*     #include <winnow.h>/,/^ \*     }$/p' "$TMP/prefix/include/winnow.h" |
  sed 's/^ \*     //; s/^ \*$//' >"$TMP/example.c"
grep -q "wn_table_read_csv" "$TMP/example.c" && ok || bad "could not extract the header example"
printf 'x,label\n1.5,0\n2.5,1\nNA,1\n' >"$TMP/events.csv"
CC=${CC:-cc}
WN_TEST_CFLAGS=${WN_TEST_CFLAGS:--fopenmp}
if $CC -std=c11 -Wall -Werror -o "$TMP/ex_static" "$TMP/example.c" \
     $(pkg-config --cflags winnow) "$(pkg-config --variable=libdir winnow)/libwinnow.a" \
     $(pkg-config --static --libs-only-l winnow | sed "s/-lwinnow//") $WN_TEST_CFLAGS 2>"$TMP/cc.err"; then
  out=$(cd "$TMP" && ./ex_static)
  grep -q "x: mean 2 over 2 rows (1 missing)" <<<"$out" && ok || bad "static example printed: $out"
else
  bad "example does not compile/link statically: $(cat "$TMP/cc.err")"
fi
if $CC -std=c11 -Wall -Werror -o "$TMP/ex_shared" "$TMP/example.c" \
     $(pkg-config --cflags --libs winnow) $WN_TEST_CFLAGS 2>"$TMP/cc2.err"; then
  out=$(cd "$TMP" && LD_LIBRARY_PATH="$(pkg-config --variable=libdir winnow)" ./ex_shared)
  grep -q "x: mean 2 over 2 rows (1 missing)" <<<"$out" && ok || bad "shared example printed: $out"
  # the shared library exports the public API only
  if nm -D --defined-only "$(pkg-config --variable=libdir winnow)/libwinnow.so" | grep -q ' wn__'; then
    bad "libwinnow.so exports internal wn__ symbols"
  else ok; fi
else
  bad "example does not link against libwinnow.so: $(cat "$TMP/cc2.err")"
fi
finish
