/* stats.c — column summaries and label checks.
 *
 * Moments are accumulated per fixed block of rows (independent of the thread
 * count) in two passes over the cached block (mean, then squared deviations),
 * then blocks are merged left to right with
 * Chan, Golub & LeVeque's pairwise formula (Stanford CS tech. report 79-773,
 * 1979). Fixed blocks + fixed merge order = the same bits on 1 or 64 threads. */
#include "core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 65536

typedef struct acc {
    int64_t count, missing, posinf, neginf;
    double w, mean, m2, min, max;
} acc;

/* One block, two passes over data that sits in cache: the weighted mean,
 * then the sum of squared deviations from it. No division per value, and no
 * cancellation from a sum of squares. */
static void acc_block(const wn_table *t, int64_t c, const float *wts, int64_t lo, int64_t hi,
                      acc *a)
{
    const float *d = wn_table_column(t, c);
    const int64_t *rows = wn_table_rows(t);
    memset(a, 0, sizeof *a);
    double mn = HUGE_VAL, mx = -HUGE_VAL, sw = 0.0, swx = 0.0;
    int64_t count = 0, missing = 0, posinf = 0, neginf = 0;
    for (int64_t i = lo; i < hi; i++) {
        float x = rows ? d[rows[i]] : d[i];
        if (!isfinite(x)) {
            missing += isnan(x);
            posinf += x > 0.0f && !isnan(x);
            neginf += x < 0.0f && !isnan(x);
            continue;
        }
        double xd = (double)x, w = wts ? (double)wts[i] : 1.0;
        count++;
        mn = xd < mn ? xd : mn;
        mx = xd > mx ? xd : mx;
        if (isnan(w))
            continue;
        sw += w;
        swx += w * xd;
    }
    double mean = sw != 0.0 ? swx / sw : 0.0, m2 = 0.0;
    for (int64_t i = lo; i < hi; i++) {
        float x = rows ? d[rows[i]] : d[i];
        double w = wts ? (double)wts[i] : 1.0;
        if (!isfinite(x) || isnan(w))
            continue;
        double dx = (double)x - mean;
        m2 += w * dx * dx;
    }
    a->count = count;
    a->missing = missing;
    a->posinf = posinf;
    a->neginf = neginf;
    a->min = mn;
    a->max = mx;
    a->w = sw;
    a->mean = mean;
    a->m2 = m2;
}

static void acc_merge(acc *a, const acc *b)
{
    a->count += b->count;
    a->missing += b->missing;
    a->posinf += b->posinf;
    a->neginf += b->neginf;
    if (b->min < a->min)
        a->min = b->min;
    if (b->max > a->max)
        a->max = b->max;
    double w = a->w + b->w;
    if (w != 0.0) {
        double delta = b->mean - a->mean;
        a->m2 += b->m2 + delta * delta * a->w * b->w / w;
        a->mean += delta * b->w / w;
    }
    a->w = w;
}

wn_status wn_table_column_stats(const wn_table *t, int64_t c, const float *weights,
                                wn_column_stats *out)
{
    if (!t || c < 0 || c >= wn_table_ncols(t) || !out)
        return wn__fail(WN_EINVAL, "column_stats: column %lld out of range", (long long)c);
    int64_t n = wn_table_nrows(t);
    int64_t nb = (n + BLOCK - 1) / BLOCK;
    acc total;
    memset(&total, 0, sizeof total);
    total.min = HUGE_VAL;
    total.max = -HUGE_VAL;
    if (nb > 0) {
        acc *blocks = wn__malloc_array((size_t)nb, sizeof(acc));
        if (!blocks)
            return wn__oom("column statistics");
#pragma omp parallel for schedule(static)
        for (int64_t b = 0; b < nb; b++) {
            int64_t lo = b * BLOCK, hi = lo + BLOCK < n ? lo + BLOCK : n;
            acc_block(t, c, weights, lo, hi, &blocks[b]);
        }
        for (int64_t b = 0; b < nb; b++)
            acc_merge(&total, &blocks[b]);
        wn_free(blocks);
    }
    memset(out, 0, sizeof *out);
    out->count = total.count;
    out->missing = total.missing;
    out->posinf = total.posinf;
    out->neginf = total.neginf;
    out->sum_weights = total.w;
    if (total.count == 0) {
        out->min = out->max = out->mean = out->std = (double)NAN;
    } else {
        out->min = total.min;
        out->max = total.max;
        out->mean = total.w != 0.0 ? total.mean : (double)NAN;
        out->std = total.w > 0.0 ? sqrt(fmax(total.m2 / total.w, 0.0)) : (double)NAN;
    }
    return WN_OK;
}

wn_status wn_table_check_binary(const wn_table *t, int64_t c, int64_t *n0, int64_t *n1)
{
    if (!t || c < 0 || c >= wn_table_ncols(t))
        return wn__fail(WN_EINVAL, "check_binary: column %lld out of range", (long long)c);
    const char *name = wn_table_name(t, c);
    int64_t nl = wn_table_nlevels(t, c);
    if (nl > 2) {
        char buf[256];
        size_t off = 0;
        buf[0] = 0;
        for (int64_t k = 0; k < nl && k < 6; k++) {
            int m = snprintf(buf + off, sizeof buf - off, "%s'%s'", k ? ", " : "",
                             wn_table_level(t, c, k));
            if (m < 0 || (size_t)m >= sizeof buf - off)
                break;
            off += (size_t)m;
        }
        return wn__fail(WN_EFORMAT, "label column '%s' has %lld classes (%s%s); binary needs 2",
                        name, (long long)nl, buf, nl > 6 ? ", ..." : "");
    }
    int64_t n = wn_table_nrows(t), z = 0, o = 0;
    float other[5];
    int nother = 0;
    int64_t nmiss = 0, first_bad = -1;
    for (int64_t i = 0; i < n; i++) {
        float x = wn_table_get(t, i, c);
        if (x == 0.0f)
            z++;
        else if (x == 1.0f)
            o++;
        else {
            if (first_bad < 0)
                first_bad = i;
            if (isnan(x)) {
                nmiss++;
                continue;
            }
            int seen = 0;
            for (int k = 0; k < nother; k++)
                if (other[k] == x)
                    seen = 1;
            if (!seen && nother < 5)
                other[nother++] = x;
        }
    }
    if (nmiss)
        return wn__fail(WN_EFORMAT,
                        "label column '%s' has %lld missing values (first at row %lld)", name,
                        (long long)nmiss, (long long)first_bad + 1);
    if (nother) {
        char buf[200];
        size_t off = 0;
        buf[0] = 0;
        for (int k = 0; k < nother; k++) {
            int m = snprintf(buf + off, sizeof buf - off, "%s%g", k ? ", " : "", (double)other[k]);
            if (m < 0 || (size_t)m >= sizeof buf - off)
                break;
            off += (size_t)m;
        }
        return wn__fail(WN_EFORMAT,
                        "label column '%s' is not binary: besides 0 and 1 it holds %s%s (first "
                        "at row %lld)",
                        name, buf, nother == 5 ? ", ..." : "", (long long)first_bad + 1);
    }
    if (n0)
        *n0 = z;
    if (n1)
        *n1 = o;
    return WN_OK;
}

static int class_cmp(const void *a, const void *b)
{
    float x = ((const wn_class_count *)a)->value, y = ((const wn_class_count *)b)->value;
    return (x > y) - (x < y);
}

wn_status wn_table_class_counts(const wn_table *t, int64_t c, const float *weights,
                                wn_class_count *out, int64_t cap, int64_t *n, int64_t *missing)
{
    if (!t || c < 0 || c >= wn_table_ncols(t) || !out || cap < 1 || !n)
        return wn__fail(WN_EINVAL, "class_counts: bad arguments (column %lld, cap %lld)",
                        (long long)c, (long long)cap);
    int64_t nk = 0, nmiss = 0, nr = wn_table_nrows(t);
    for (int64_t i = 0; i < nr; i++) {
        float v = wn_table_get(t, i, c);
        if (isnan(v)) {
            nmiss++;
            continue;
        }
        int64_t j = 0;
        while (j < nk && out[j].value != v)
            j++;
        if (j == nk) {
            if (nk == cap)
                return wn__fail(WN_EFORMAT, "column '%s' has more than %lld distinct values",
                                wn_table_name(t, c), (long long)cap);
            out[nk].value = v;
            out[nk].count = 0;
            out[nk].weight = 0.0;
            nk++;
        }
        out[j].count++;
        out[j].weight += weights ? (double)weights[i] : 1.0;
    }
    qsort(out, (size_t)nk, sizeof *out, class_cmp);
    *n = nk;
    if (missing)
        *missing = nmiss;
    return WN_OK;
}
