/* hist.c — building quantised node histograms (hist.h has the formats and
 * the reasons).
 *
 * Inner loop: for each row of the node, its record is read (one cache line:
 * the packed (g, h) and the codes), its PACKED3 word formed once, and added
 * to the bin of each feature's code — one 8-byte add per feature, where a
 * separate count array would need two read-modify-writes. The histogram of
 * all features (~57 KB for 28 features of 256 bins) stays in L1/L2. The
 * feature loop is unrolled by four to give the CPU independent updates.
 * Rows of deep nodes are scattered over the table: their records are
 * fetched PREFETCH rows ahead of use.
 *
 * Threads: a node of at least PAR_MIN_ROWS rows is cut into as many
 * contiguous ranges as threads; each thread sums its range into its own
 * histogram and the partials are added bin by bin after the parallel region
 * (one barrier per build: on a busy machine every barrier may wait a time
 * slice for a descheduled thread). Integer sums make the order irrelevant,
 * hence the same bits at any thread count. */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define NCODES 256
#define PAR_MIN_ROWS 8192
#define PREFETCH 32
#if defined(__GNUC__) || defined(__clang__)
#define WN__PREFETCH(p) __builtin_prefetch(p)
#else
#define WN__PREFETCH(p) ((void)(p))
#endif

struct wn__hist_builder {
    const wn__binning *b;
    int nt;
    int64_t nbins_total;
    int64_t *offset; /* [nfeat+1]                                         */
    uint64_t *gh;    /* [nt * nbins_total] partial sums (either format)    */
    uint32_t *n;     /* [nt * nbins_total] partial counts (WIDE)           */
    uint64_t *p3;    /* [nt * nbins_total] PACKED3 chunk scratch, kept zero */
};

/* ---- records -------------------------------------------------------------- */

wn_status wn__recs_create(int64_t nrows, int64_t nfeat, wn__recs *out)
{
    if (!out)
        return wn__fail(WN_EINVAL, "recs_create: out is NULL");
    memset(out, 0, sizeof *out);
    if (nrows < 1 || nfeat < 1 || nfeat > WN_MAX_COLUMNS)
        return wn__fail(WN_EINVAL, "recs_create: %lld rows x %lld features", (long long)nrows,
                        (long long)nfeat);
    int64_t stride = (4 + nfeat + 7) / 8 * 8;
    if (nrows > (INT64_MAX - 64) / stride)
        return wn__oom("row records");
    void *mem = wn__calloc(1, (size_t)(nrows * stride) + 64);
    if (!mem)
        return wn__oom("row records");
    out->mem = mem;
    out->data = (uint8_t *)mem + (64 - (uintptr_t)mem % 64) % 64;
    out->nrows = nrows;
    out->nfeat = nfeat;
    out->stride = stride;
    out->qmax = WN__Q_MAX;
    return WN_OK;
}

void wn__recs_free(wn__recs *r)
{
    if (!r)
        return;
    wn_free(r->mem);
    memset(r, 0, sizeof *r);
}

/* ---- allocation ----------------------------------------------------------- */

void wn__hist_free(wn__hist *h) { wn_free(h); }

void wn__hist_clear(wn__hist *h)
{
    if (!h)
        return;
    h->fmt = WN__HIST_WIDE;
    memset(h->gh, 0, (size_t)h->nbins_total * sizeof *h->gh);
    memset(h->n, 0, (size_t)h->nbins_total * sizeof *h->n);
}

static wn_status total_bins(const wn__binning *b, const char *who, int64_t *total)
{
    if (!b)
        return wn__fail(WN_EINVAL, "%s: binning is NULL", who);
    if (b->nfeat < 1 || b->nfeat > WN_MAX_COLUMNS)
        return wn__fail(WN_EINVAL, "%s: nfeat = %lld outside 1..%d", who, (long long)b->nfeat,
                        WN_MAX_COLUMNS);
    int64_t t = 0;
    for (int64_t f = 0; f < b->nfeat; f++) {
        if (b->nbins[f] < 1 || b->nbins[f] > NCODES)
            return wn__fail(WN_EINVAL, "%s: feature %lld has %d bins (1..%d)", who, (long long)f,
                            b->nbins[f], NCODES);
        t += b->nbins[f]; /* <= WN_MAX_COLUMNS * 256: no overflow */
    }
    *total = t;
    return WN_OK;
}

wn_status wn__hist_create(const wn__binning *b, wn__hist **out)
{
    if (!out)
        return wn__fail(WN_EINVAL, "hist_create: out is NULL");
    int64_t total;
    wn_status st = total_bins(b, "hist_create", &total);
    if (st != WN_OK)
        return st;
    /* header | offsets | gh | n, each part a multiple of 8 bytes */
    size_t nf = (size_t)b->nfeat, nb = (size_t)total;
    size_t head = (sizeof(wn__hist) + 7) / 8 * 8;
    size_t offs = (nf + 1) * sizeof(int64_t);
    size_t ghb = nb * sizeof(uint64_t);
    size_t nbb = (nb * sizeof(uint32_t) + 7) / 8 * 8;
    unsigned char *mem = wn__calloc(1, head + offs + ghb + nbb);
    if (!mem)
        return wn__oom("histogram");
    wn__hist *h = (wn__hist *)(void *)mem;
    h->nfeat = b->nfeat;
    h->nbins_total = total;
    h->fmt = WN__HIST_WIDE;
    h->offset = (int64_t *)(void *)(mem + head);
    h->gh = (uint64_t *)(void *)(mem + head + offs);
    h->n = (uint32_t *)(void *)(mem + head + offs + ghb);
    h->offset[0] = 0;
    for (int64_t f = 0; f < b->nfeat; f++)
        h->offset[f + 1] = h->offset[f] + b->nbins[f];
    *out = h;
    return WN_OK;
}

void wn__hist_builder_free(wn__hist_builder *hb)
{
    if (!hb)
        return;
    wn_free(hb->offset);
    wn_free(hb->gh);
    wn_free(hb->n);
    wn_free(hb->p3);
    wn_free(hb);
}

wn_status wn__hist_builder_create(const wn__binning *b, int threads, wn__hist_builder **out)
{
    if (!out)
        return wn__fail(WN_EINVAL, "hist_builder_create: out is NULL");
    int64_t total;
    wn_status st = total_bins(b, "hist_builder_create", &total);
    if (st != WN_OK)
        return st;
    wn__hist_builder *hb = wn__calloc(1, sizeof *hb);
    if (!hb)
        return wn__oom("histogram builder");
    hb->b = b;
    hb->nt = wn__threads(threads);
    hb->nbins_total = total;
    size_t cells = (size_t)hb->nt * (size_t)total;
    hb->offset = wn__malloc_array((size_t)b->nfeat + 1, sizeof *hb->offset);
    hb->gh = wn__malloc_array(cells, sizeof *hb->gh);
    hb->n = wn__malloc_array(cells, sizeof *hb->n);
    hb->p3 = wn__calloc(cells, sizeof *hb->p3);
    if (!hb->offset || !hb->gh || !hb->n || !hb->p3) {
        wn__hist_builder_free(hb);
        return wn__oom("histogram builder");
    }
    hb->offset[0] = 0;
    for (int64_t f = 0; f < b->nfeat; f++)
        hb->offset[f + 1] = hb->offset[f] + b->nbins[f];
    *out = hb;
    return WN_OK;
}

static int same_shape(const wn__hist *a, const wn__hist *c)
{
    return a->nfeat == c->nfeat && a->nbins_total == c->nbins_total &&
           memcmp(a->offset, c->offset, (size_t)(a->nfeat + 1) * sizeof(int64_t)) == 0;
}

/* ---- build ---------------------------------------------------------------- */

/* Adds the PACKED3 words of rows [a, e) of the node (e - a <= WN__P3_MAX_ROWS
 * plus what acc already holds) into acc. With q (rows == NULL), each row's
 * (g, h) is quantised first and stored in its record. */
static void sum_rows(const wn__recs *rc, const int64_t *off, const wn__rowid *rows, int64_t a,
                     int64_t e, const wn__quant *q, uint64_t *acc)
{
    uint8_t *data = rc->data;
    const int64_t stride = rc->stride, nf = rc->nfeat;
    for (int64_t i = a; i < e; i++) {
        int64_t r = rows ? rows[i] : i;
        if (rows && i + PREFETCH < e)
            WN__PREFETCH(data + rows[i + PREFETCH] * stride);
        uint8_t *p = data + r * stride;
        uint64_t v;
        if (q) {
            int32_t g, h;
            wn__quant_row(q, r, &g, &h);
            uint32_t w = ((uint32_t)(uint16_t)(int16_t)g << 16) | (uint32_t)(uint16_t)(int16_t)h;
            memcpy(p, &w, sizeof w);
            v = wn__p3_row(g, h);
        } else {
            uint32_t w;
            memcpy(&w, p, sizeof w);
            v = wn__p3_row((int16_t)(uint16_t)(w >> 16), (int16_t)(uint16_t)w);
        }
        const uint8_t *c = p + 4;
        int64_t f = 0;
        for (; f + 4 <= nf; f += 4) {
            int64_t k0 = off[f] + c[f], k1 = off[f + 1] + c[f + 1];
            int64_t k2 = off[f + 2] + c[f + 2], k3 = off[f + 3] + c[f + 3];
            acc[k0] += v;
            acc[k1] += v;
            acc[k2] += v;
            acc[k3] += v;
        }
        for (; f < nf; f++)
            acc[off[f] + c[f]] += v;
    }
}

/* Adds rows [a, e) directly into a WIDE (gh, n): any (g, h) within int16.
 * With q, as sum_rows. */
static void sum_rows_wide(const wn__recs *rc, const int64_t *off, const wn__rowid *rows, int64_t a,
                          int64_t e, const wn__quant *q, uint64_t *gh, uint32_t *n)
{
    uint8_t *data = rc->data;
    const int64_t stride = rc->stride, nf = rc->nfeat;
    for (int64_t i = a; i < e; i++) {
        int64_t r = rows ? rows[i] : i;
        if (rows && i + PREFETCH < e)
            WN__PREFETCH(data + rows[i + PREFETCH] * stride);
        uint8_t *p = data + r * stride;
        uint32_t w;
        if (q) {
            int32_t qg, qh;
            wn__quant_row(q, r, &qg, &qh);
            w = ((uint32_t)(uint16_t)(int16_t)qg << 16) | (uint32_t)(uint16_t)(int16_t)qh;
            memcpy(p, &w, sizeof w);
        } else {
            memcpy(&w, p, sizeof w);
        }
        const uint64_t v = wn__gh_pack((int16_t)(uint16_t)(w >> 16), (int16_t)(uint16_t)w);
        const uint8_t *c = p + 4;
        for (int64_t f = 0; f < nf; f++) {
            int64_t k = off[f] + c[f];
            gh[k] += v;
            n[k]++;
        }
    }
}

/* Adds the PACKED3 scratch into a WIDE (gh, n) and zeroes the scratch. */
static void flush_p3(uint64_t *p3, int64_t nb, uint64_t *gh, uint32_t *n)
{
    for (int64_t k = 0; k < nb; k++) {
        uint64_t v = p3[k];
        if (!v)
            continue;
        p3[k] = 0;
        int64_t g, h, c;
        wn__p3_unpack(v, &g, &h, &c);
        gh[k] += wn__gh_pack((int32_t)g, (int32_t)h);
        n[k] += (uint32_t)c;
    }
}

/* Rows [a, e) into a zeroed partial: PACKED3 directly, or WIDE through the
 * scratch in chunks of WN__P3_MAX_ROWS rows, or WIDE directly (fine
 * quantisation). */
static void build_range(const wn__recs *rc, const int64_t *off, const wn__rowid *rows, int64_t a,
                        int64_t e, const wn__quant *q, int wide, uint64_t *p3, int64_t nb,
                        uint64_t *gh, uint32_t *n)
{
    if (!wide) {
        sum_rows(rc, off, rows, a, e, q, gh);
        return;
    }
    if (rc->qmax > WN__Q_MAX) {
        sum_rows_wide(rc, off, rows, a, e, q, gh, n);
        return;
    }
    for (int64_t c = a; c < e; c += WN__P3_MAX_ROWS) {
        int64_t ce = e - c > WN__P3_MAX_ROWS ? c + WN__P3_MAX_ROWS : e;
        sum_rows(rc, off, rows, c, ce, q, p3);
        flush_p3(p3, nb, gh, n);
    }
}

static wn_status build(wn__hist_builder *hb, const wn__recs *recs, const wn__rowid *rows,
                       int64_t nnode, const wn__quant *q, wn__hist *out)
{
    if (!hb || !out)
        return wn__fail(WN_EINVAL, "hist_build: %s is NULL", hb ? "out" : "builder");
    if (nnode < 0)
        return wn__fail(WN_EINVAL, "hist_build: nnode = %lld", (long long)nnode);
    if (out->nfeat != hb->b->nfeat || out->nbins_total != hb->nbins_total ||
        memcmp(out->offset, hb->offset, (size_t)(out->nfeat + 1) * sizeof(int64_t)) != 0)
        return wn__fail(WN_EINVAL, "hist_build: histogram not shaped by the binning");
    if (nnode > 0 && (!recs || !recs->data))
        return wn__fail(WN_EINVAL, "hist_build: records are NULL");
    if (nnode > 0 && recs->nfeat != out->nfeat)
        return wn__fail(WN_EINVAL, "hist_build: records of %lld features, histogram of %lld",
                        (long long)recs->nfeat, (long long)out->nfeat);
    if (nnode > 0 && (recs->qmax < 1 || recs->qmax > WN__Q_FINE))
        return wn__fail(WN_EINVAL, "hist_build: records' qmax = %d outside 1..%d",
                        (int)recs->qmax, WN__Q_FINE);
    const int wide = nnode > WN__P3_MAX_ROWS || (nnode > 0 && recs->qmax > WN__Q_MAX);
    const int64_t nb = out->nbins_total;
    memset(out->gh, 0, (size_t)nb * sizeof *out->gh);
    if (wide)
        memset(out->n, 0, (size_t)nb * sizeof *out->n);
    out->fmt = wide ? WN__HIST_WIDE : WN__HIST_PACKED3;
    if (nnode == 0)
        return WN_OK;
    int nt = hb->nt;
    if (nt > 1 && nnode >= PAR_MIN_ROWS) {
        if ((int64_t)nt > nnode / (PAR_MIN_ROWS / 2))
            nt = (int)(nnode / (PAR_MIN_ROWS / 2));
    } else {
        nt = 1;
    }
    if (nt == 1) {
        build_range(recs, out->offset, rows, 0, nnode, q, wide, hb->p3, nb, out->gh, out->n);
        return WN_OK;
    }
    int used = nt;
#pragma omp parallel num_threads(nt)
    {
#ifdef _OPENMP
        int t = omp_get_thread_num(), tn = omp_get_num_threads();
#else
        int t = 0, tn = 1;
#endif
        if (t == 0)
            used = tn;
        uint64_t *pg = t == 0 ? out->gh : hb->gh + (size_t)t * (size_t)nb;
        uint32_t *pn = t == 0 ? out->n : hb->n + (size_t)t * (size_t)nb;
        if (t) {
            memset(pg, 0, (size_t)nb * sizeof *pg);
            if (wide)
                memset(pn, 0, (size_t)nb * sizeof *pn);
        }
        int64_t a = nnode * t / tn, e = nnode * (t + 1) / tn;
        build_range(recs, out->offset, rows, a, e, q, wide, hb->p3 + (size_t)t * (size_t)nb, nb,
                    pg, pn);
    }
    for (int u = 1; u < used; u++) {
        const uint64_t *pg = hb->gh + (size_t)u * (size_t)nb;
        const uint32_t *pn = hb->n + (size_t)u * (size_t)nb;
        for (int64_t k = 0; k < nb; k++)
            out->gh[k] += pg[k];
        if (wide)
            for (int64_t k = 0; k < nb; k++)
                out->n[k] += pn[k];
    }
    return WN_OK;
}

wn_status wn__hist_build(wn__hist_builder *hb, const wn__recs *recs, const wn__rowid *rows,
                         int64_t nnode, wn__hist *out)
{
    return build(hb, recs, rows, nnode, NULL, out);
}

wn_status wn__hist_build_quantize(wn__hist_builder *hb, wn__recs *recs, const wn__quant *q,
                                  wn__hist *out)
{
    if (!recs || !q || !q->grad || !q->hess)
        return wn__fail(WN_EINVAL, "hist_build_quantize: %s is NULL", !recs ? "records" : "q");
    if (!(q->Q >= 1.0) || q->Q > (double)recs->qmax)
        return wn__fail(WN_EINVAL, "hist_build_quantize: Q = %g outside 1..qmax = %d", q->Q,
                        (int)recs->qmax);
    return build(hb, recs, NULL, recs->nrows, q, out);
}

/* ---- subtraction ---------------------------------------------------------- */

wn_status wn__hist_subtract(const wn__hist *parent, const wn__hist *child, wn__hist *sibling)
{
    if (!parent || !child || !sibling)
        return wn__fail(WN_EINVAL, "hist_subtract: %s is NULL",
                        !parent ? "parent" : !child ? "child" : "sibling");
    if (!same_shape(parent, child) || !same_shape(parent, sibling))
        return wn__fail(WN_EINVAL, "hist_subtract: histograms of different shapes");
    const int64_t nb = parent->nbins_total;
    const int pf = parent->fmt, cf = child->fmt;
    if (pf == WN__HIST_PACKED3 && cf == WN__HIST_WIDE)
        return wn__fail(WN_EINVAL, "hist_subtract: a wide child of a packed parent");
    if (pf == cf) {
        for (int64_t k = 0; k < nb; k++)
            sibling->gh[k] = parent->gh[k] - child->gh[k];
        if (pf == WN__HIST_WIDE)
            for (int64_t k = 0; k < nb; k++)
                sibling->n[k] = parent->n[k] - child->n[k];
    } else { /* WIDE parent, PACKED3 child */
        for (int64_t k = 0; k < nb; k++) {
            int64_t g, h, c;
            wn__p3_unpack(child->gh[k], &g, &h, &c);
            sibling->gh[k] = parent->gh[k] - wn__gh_pack((int32_t)g, (int32_t)h);
            sibling->n[k] = parent->n[k] - (uint32_t)c;
        }
    }
    sibling->fmt = pf;
    return WN_OK;
}
