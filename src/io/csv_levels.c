/* csv_levels.c — the string -> code sets behind categorical CSV columns.
 *
 * A text column (MAGIC's class g/h, SDSS's STAR/GALAXY/QSO) is stored as
 * integer codes 0..k-1 in order of first appearance. The set keeps the texts
 * in one arena (one allocation that grows by doubling, not one per level) and
 * an open-addressing index with linear probing, kept under half full, hashed
 * with 64-bit FNV-1a (Fowler, Noll, Vo). The parallel reader gives each chunk
 * its own set and merges them in chunk order, which reproduces the order of
 * first appearance in the whole file. */
#include "csv_internal.h"

#include <string.h>

void wn__levelset_free(wn__levelset *ls)
{
    if (!ls)
        return;
    wn_free(ls->arena);
    wn_free(ls->off);
    wn_free(ls->line);
    wn_free(ls->slot);
    memset(ls, 0, sizeof *ls);
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static wn_status rehash(wn__levelset *ls, size_t nslot)
{
    uint32_t *slot = wn__calloc(nslot, sizeof *slot);
    if (!slot)
        return WN_ENOMEM;
    for (int64_t k = 0; k < ls->n; k++) {
        const char *t = ls->arena + ls->off[k];
        size_t i = (size_t)fnv1a(t, strlen(t)) & (nslot - 1);
        while (slot[i])
            i = (i + 1) & (nslot - 1);
        slot[i] = (uint32_t)(k + 1);
    }
    wn_free(ls->slot);
    ls->slot = slot;
    ls->nslot = nslot;
    return WN_OK;
}

wn_status wn__levelset_intern(wn__levelset *ls, const char *s, size_t n, int64_t line,
                              int64_t *code)
{
    if (!ls->nslot && rehash(ls, 16))
        return WN_ENOMEM;
    uint64_t h = fnv1a(s, n);
    size_t i = (size_t)h & (ls->nslot - 1);
    while (ls->slot[i]) {
        int64_t k = (int64_t)ls->slot[i] - 1;
        const char *t = ls->arena + ls->off[k];
        if (strncmp(t, s, n) == 0 && t[n] == 0) {
            *code = k;
            return WN_OK;
        }
        i = (i + 1) & (ls->nslot - 1);
    }
    if (ls->n > WN_MAX_LEVELS) { /* the caller reports the limit */
        *code = ls->n;
        return WN_OK;
    }
    if (ls->n == ls->cap) {
        int64_t nc = ls->cap ? ls->cap * 2 : 16;
        size_t *off = wn__realloc_array(ls->off, (size_t)nc, sizeof *off);
        if (!off)
            return WN_ENOMEM;
        ls->off = off;
        int64_t *ln = wn__realloc_array(ls->line, (size_t)nc, sizeof *ln);
        if (!ln)
            return WN_ENOMEM;
        ls->line = ln;
        ls->cap = nc;
    }
    if (wn__grow_bytes(&ls->arena, &ls->acap, ls->alen + n + 1))
        return WN_ENOMEM;
    memcpy(ls->arena + ls->alen, s, n);
    ls->arena[ls->alen + n] = 0;
    ls->off[ls->n] = ls->alen;
    ls->line[ls->n] = line;
    ls->alen += n + 1;
    *code = ls->n++;
    if ((size_t)ls->n * 2 > ls->nslot) {
        if (rehash(ls, ls->nslot * 2)) {
            ls->n--; /* keep the set consistent: the index lacks the new one */
            ls->alen -= n + 1;
            return WN_ENOMEM;
        }
    } else {
        size_t j = (size_t)h & (ls->nslot - 1);
        while (ls->slot[j])
            j = (j + 1) & (ls->nslot - 1);
        ls->slot[j] = (uint32_t)*code + 1;
    }
    return WN_OK;
}
