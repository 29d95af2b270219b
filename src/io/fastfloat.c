/* fastfloat.c — decimal text to float32, bit-exact with (float)strtod.
 *
 * The contract (winnow.h) is that a cell reads as the float nearest to the
 * double strtod gives, i.e. (float)strtod(text) — double rounding included,
 * on purpose, so any tool that reads with strtod and narrows agrees with us.
 *
 * Most cells in physics tables have at most 17 significant digits and a small
 * exponent. For those, the decimal mantissa m (<= 2^53) and 10^|e| (e <= 22)
 * are both exact doubles and one IEEE multiply or divide is correctly rounded
 * (Clinger, PLDI 1990; the same fast path as Gay's dtoa.c and Lemire's
 * fast_float). That path lives inline in csv_internal.h so the parser's hot
 * loop can call it. Longer mantissas ("%.18e" text, as in the HIGGS files)
 * take a second inline path: the value is bracketed in x87 extended precision
 * and accepted when both ends round to one float (wn__extended_float).
 * Everything else — values within ~2^-61 of a rounding boundary,
 * exponents beyond the exact range, subnormals — goes to strtod on a
 * NUL-terminated local copy of the token. strtod honours LC_NUMERIC, so the
 * copy gets the locale's decimal point instead of '.'; we validate the
 * grammar ourselves first, so strtod never sees hex, "infinity(...)" forms or
 * leading blanks.
 *
 * Decisions: hexadecimal ("0x1p3") is text, not a number; "inf", "infinity",
 * "nan" (any case, optional sign) are numbers; "1e", ".", "+" are text. */
#include "csv_internal.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c) { return (unsigned)(c - '0') < 10u; }

/* Does s[0..n) match [+-]?(d+(.d*)?|.d+)([eE][+-]?d+)? exactly? */
static int decimal_grammar(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && is_digit(s[i])) {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i])) {
            i++;
            digits++;
        }
    }
    if (!digits)
        return 0;
    if (i < n && (s[i] | 32) == 'e') {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i == n;
}

static int ieq(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    if (n != k)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 32) != lit[i])
            return 0;
    return 1;
}

int wn__parse_number(const char *s, size_t n, float *out)
{
    if (n == 0)
        return 0;
    const char *stop = NULL;
    float v;
    if (wn__fast_float(s, s + n, &stop, &v) && stop == s + n) {
        *out = v;
        return 1;
    }
    if (!decimal_grammar(s, n)) {
        size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
        int neg = s[0] == '-';
        if (ieq(s + i, n - i, "inf") || ieq(s + i, n - i, "infinity")) {
            *out = neg ? -INFINITY : INFINITY;
            return 1;
        }
        if (ieq(s + i, n - i, "nan")) {
            *out = NAN;
            return 1;
        }
        return 0;
    }
    char local[128];
    char *tmp = n < sizeof local ? local : wn__malloc(n + 1);
    if (!tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && dp[0] != '.' && !dp[1]) {
        char *dot = memchr(tmp, '.', n);
        if (dot)
            *dot = dp[0];
    }
    double d = strtod(tmp, NULL);
    if (tmp != local)
        wn_free(tmp);
    *out = (float)d;
    return 1;
}
