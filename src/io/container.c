/* container.c — the model container: one file format for every model.
 *
 *   magic "\x89WNMDL\r\n" | u32 version | u32 flags | u64 header length |
 *   header JSON | u32 section count | section table | sections (64-aligned) |
 *   u32 CRC-32 of everything before it | magic again
 *
 * (docs/model-format.md has the full table.) The magic follows PNG's
 * (Boutell et al., RFC 2083, 1997): a high-bit first byte catches 7-bit
 * transfers, and "\r\n" catches text-mode copies that rewrite line endings.
 * The trailing magic makes truncation visible before any checksum is taken;
 * the whole-file CRC-32 (zlib's, the ISO-HDLC polynomial) catches every
 * single-bit flip and every burst up to 32 bits; each section also carries
 * its own CRC so a writer bug that lands bytes in the wrong place is caught
 * even if the file was checksummed afterwards.
 *
 * The loader reads nothing it has not bounded: every length and offset from
 * the file is compared with the file's real size before it is used or
 * allocated from, with the arithmetic arranged so it cannot overflow. */
#include "container.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

const unsigned char wn__container_magic[8] = {0x89, 'W', 'N', 'M', 'D', 'L', '\r', '\n'};

#define FIXED 24u   /* magic, version, flags, header length */
#define ENTRY 36u   /* section table entry: name, offset, size, crc */
#define TRAILER 12u /* crc, magic */
#define MIN_FILE (FIXED + 4u + TRAILER)

typedef struct csec {
    char name[WN__CONTAINER_NAME];
    uint64_t off, size;
} csec;

struct wn__container {
    char *name; /* for messages */
    uint8_t *raw;
    const uint8_t *base; /* raw, aligned up to 64 */
    size_t len;
    uint32_t version;
    char *header;
    size_t header_len;
    wn__json_doc *doc;
    int nsecs;
    csec *secs;
};

/* ---- little-endian fields and CRC ---- */

static uint32_t crc_update(uint32_t crc, const void *data, size_t n)
{
    const Bytef *p = data;
    uLong c = crc;
    while (n > 0) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        c = crc32(c, p, k);
        p += k;
        n -= k;
    }
    return (uint32_t)c;
}

static uint64_t align_up(uint64_t x)
{
    return (x + (WN__CONTAINER_ALIGN - 1)) & ~(uint64_t)(WN__CONTAINER_ALIGN - 1);
}

/* 1..15 printable ASCII characters, no spaces. */
static int name_ok(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= WN__CONTAINER_NAME - 1 || (unsigned char)s[n] <= 0x20 ||
            (unsigned char)s[n] >= 0x7f)
            return 0;
    return n > 0;
}

/* ---- save ---- */

typedef struct save_ctx {
    const char *path;
    const char *header;
    size_t header_len;
    const wn__section *secs;
    int nsecs;
    const uint64_t *offs;
    uint64_t data_end;
    uint32_t crc;
    uint64_t pos;
} save_ctx;

static wn_status put(save_ctx *c, FILE *f, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, f) != n)
        return wn__fail(WN_EIO, "%s: write failed: %s", c->path, strerror(errno));
    c->crc = crc_update(c->crc, p, n);
    c->pos += n;
    return WN_OK;
}

static wn_status pad_to(save_ctx *c, FILE *f, uint64_t target)
{
    static const uint8_t zeros[WN__CONTAINER_ALIGN];
    while (c->pos < target) {
        uint64_t k = target - c->pos;
        wn_status s = put(c, f, zeros, k > sizeof zeros ? sizeof zeros : (size_t)k);
        if (s != WN_OK)
            return s;
    }
    return WN_OK;
}

static wn_status save_body(void *ctx, void *file)
{
    save_ctx *c = ctx;
    FILE *f = file;
    uint8_t fixed[FIXED];
    memcpy(fixed, wn__container_magic, 8);
    wn__put_le32(fixed + 8, WN__CONTAINER_VERSION);
    wn__put_le32(fixed + 12, 0);
    wn__put_le64(fixed + 16, c->header_len);
    wn_status s = put(c, f, fixed, FIXED);
    if (s == WN_OK)
        s = put(c, f, c->header, c->header_len);
    uint8_t b[ENTRY];
    wn__put_le32(b, (uint32_t)c->nsecs);
    if (s == WN_OK)
        s = put(c, f, b, 4);
    for (int k = 0; k < c->nsecs && s == WN_OK; k++) {
        memset(b, 0, sizeof b);
        memcpy(b, c->secs[k].name, strlen(c->secs[k].name));
        wn__put_le64(b + 16, c->offs[k]);
        wn__put_le64(b + 24, c->secs[k].size);
        wn__put_le32(b + 32, crc_update(0, c->secs[k].data, c->secs[k].size));
        s = put(c, f, b, ENTRY);
    }
    for (int k = 0; k < c->nsecs && s == WN_OK; k++) {
        s = pad_to(c, f, c->offs[k]);
        if (s == WN_OK)
            s = put(c, f, c->secs[k].data, c->secs[k].size);
    }
    if (s != WN_OK)
        return s;
    wn__put_le32(b, c->crc);
    memcpy(b + 4, wn__container_magic, 8);
    return put(c, f, b, TRAILER);
}

wn_status wn__container_save(const char *path, const char *header_json, const wn__section *secs,
                             int nsecs)
{
    if (!path || !header_json || nsecs < 0 || (nsecs > 0 && !secs))
        return wn__fail(WN_EINVAL, "model file: missing path, header or sections");
    if (nsecs > WN__CONTAINER_MAX_SECTIONS)
        return wn__fail(WN_EINVAL, "%s: %d sections, the limit is %d", path, nsecs,
                        WN__CONTAINER_MAX_SECTIONS);
    for (int k = 0; k < nsecs; k++) {
        if (!secs[k].name || !name_ok(secs[k].name))
            return wn__fail(WN_EINVAL,
                            "%s: section %d: a name must be 1 to %d printable characters "
                            "without spaces",
                            path, k, WN__CONTAINER_NAME - 1);
        if (secs[k].size && !secs[k].data)
            return wn__fail(WN_EINVAL, "%s: section '%s' has %zu bytes but no data", path,
                            secs[k].name, secs[k].size);
        for (int j = 0; j < k; j++)
            if (strcmp(secs[j].name, secs[k].name) == 0)
                return wn__fail(WN_EINVAL, "%s: two sections are named '%s'", path, secs[k].name);
    }
    size_t hl = strlen(header_json);
    if (hl > WN__CONTAINER_MAX_HEADER)
        return wn__fail(WN_EINVAL, "%s: header of %zu bytes is over the limit of %zu", path, hl,
                        (size_t)WN__CONTAINER_MAX_HEADER);
    wn__json_doc *doc;
    wn_status s = wn__json_parse("header", header_json, hl, 0, &doc);
    if (s != WN_OK)
        return wn__fail_prefix(s == WN_EFORMAT ? WN_EINVAL : s, "%s", path);
    const wn__json *root = wn__json_doc_root(doc);
    bool ok = root->type == WN__JSON_OBJECT && wn__json_get_string(root, "kind", NULL);
    wn__json_doc_free(doc);
    if (!ok)
        return wn__fail(WN_EINVAL, "%s: the header must be a JSON object with a string \"kind\"",
                        path);

    uint64_t *offs = wn__malloc_array(nsecs > 0 ? (size_t)nsecs : 1, sizeof *offs);
    if (!offs)
        return wn__oom("model file layout");
    uint64_t at = FIXED + (uint64_t)hl + 4 + (uint64_t)ENTRY * (uint64_t)nsecs;
    for (int k = 0; k < nsecs; k++) {
        offs[k] = align_up(at);
        at = offs[k] + secs[k].size; /* sizes are in memory: no overflow */
    }
    save_ctx c = {path, header_json, hl, secs, nsecs, offs, at, 0, 0};
    s = wn__write_atomic(path, save_body, &c);
    wn_free(offs);
    return s;
}

/* ---- load ---- */

/* Everything a load checks, on bytes that are all there; no allocation.
 * Fills *nsecs; the table is then re-read by the caller. */
static wn_status check(const char *name, const uint8_t *b, size_t len, uint32_t *nsecs_out)
{
    const uint8_t *magic = wn__container_magic;
    if (len < 8 || memcmp(b, magic, 8) != 0) {
        size_t n = len < 8 ? len : 8;
        if (memcmp(b, magic, n) == 0)
            return wn__fail(WN_EFORMAT,
                            "%s: truncated: file has %zu bytes, a model file has at least %u", name,
                            len, MIN_FILE);
        if (len >= 7 && memcmp(b, magic, 6) == 0 &&
            (b[6] == '\n' || (b[6] == '\r' && b[7] == '\r')))
            return wn__fail(WN_EFORMAT,
                            "%s: damaged: its line endings were rewritten (copied as text, "
                            "not binary?)",
                            name);
        return wn__fail(WN_EFORMAT, "%s: not a winnow model file (wrong magic bytes)", name);
    }
    if (len < FIXED)
        return wn__fail(WN_EFORMAT,
                        "%s: truncated: file has %zu bytes, a model file has at least %u", name,
                        len, MIN_FILE);
    uint32_t version = wn__get_le32(b + 8), flags = wn__get_le32(b + 12);
    if (version > WN__CONTAINER_VERSION)
        return wn__fail(WN_EFORMAT,
                        "%s: written by a newer winnow (format %u), this one reads format %u", name,
                        version, WN__CONTAINER_VERSION);
    if (version == 0)
        return wn__fail(WN_EFORMAT, "%s: format version 0 is not valid (this one reads format %u)",
                        name, WN__CONTAINER_VERSION);
    if (flags != 0)
        return wn__fail(WN_EFORMAT, "%s: unknown flags 0x%08x for format %u", name, flags, version);

    /* What the structure says the size is, as far as it can be read; used
     * to explain a missing end marker. All sums are bounded by len first. */
    uint64_t hl = wn__get_le64(b + 16);
    uint64_t need = 0;
    const char *says = NULL;
    uint32_t nsecs = 0;
    if (hl > (uint64_t)len || FIXED + hl + 4 + TRAILER > (uint64_t)len) {
        says = "the header length says at least";
        need = hl > UINT64_MAX - (FIXED + 4 + TRAILER) ? UINT64_MAX : FIXED + hl + 4 + TRAILER;
    } else {
        nsecs = wn__get_le32(b + FIXED + hl);
        uint64_t table_end = FIXED + hl + 4 + (uint64_t)ENTRY * nsecs;
        if (table_end + TRAILER > (uint64_t)len) {
            says = "the section table needs";
            need = table_end + TRAILER;
        } else {
            uint64_t end = table_end;
            for (uint32_t k = 0; k < nsecs; k++) {
                const uint8_t *e = b + FIXED + hl + 4 + (uint64_t)ENTRY * k;
                uint64_t off = wn__get_le64(e + 16), size = wn__get_le64(e + 24);
                uint64_t e_end = off > UINT64_MAX - size ? UINT64_MAX : off + size;
                if (e_end > end)
                    end = e_end;
            }
            if (end > (uint64_t)len - TRAILER) {
                says = "the section table says";
                need = end > UINT64_MAX - TRAILER ? UINT64_MAX : end + TRAILER;
            }
        }
    }
    if (len < MIN_FILE || memcmp(b + len - 8, magic, 8) != 0) {
        if (says)
            return wn__fail(WN_EFORMAT, "%s: truncated: file has %zu bytes, %s %llu", name, len,
                            says, (unsigned long long)need);
        return wn__fail(WN_EFORMAT,
                        "%s: truncated or damaged: the end marker is missing (file has %zu bytes)",
                        name, len);
    }
    size_t tpos = len - TRAILER; /* where the trailer starts */
    if (crc_update(0, b, tpos) != wn__get_le32(b + tpos))
        return wn__fail(WN_EFORMAT, "%s: checksum mismatch: the file is corrupted", name);

    /* The checksum holds: what follows catches a faulty writer, or a file
     * crafted to pass the CRC. */
    if (says)
        return wn__fail(WN_EFORMAT, "%s: inconsistent: file has %zu bytes, %s %llu", name, len,
                        says, (unsigned long long)need);
    if (hl > WN__CONTAINER_MAX_HEADER)
        return wn__fail(WN_EFORMAT, "%s: header of %llu bytes is over the limit of %zu", name,
                        (unsigned long long)hl, (size_t)WN__CONTAINER_MAX_HEADER);
    if (nsecs > WN__CONTAINER_MAX_SECTIONS)
        return wn__fail(WN_EFORMAT, "%s: %u sections, the limit is %d", name, nsecs,
                        WN__CONTAINER_MAX_SECTIONS);
    uint64_t table = FIXED + hl + 4, table_end = table + (uint64_t)ENTRY * nsecs;
    for (uint32_t k = 0; k < nsecs; k++) {
        const uint8_t *e = b + table + (uint64_t)ENTRY * k;
        size_t nl = 0;
        while (nl < WN__CONTAINER_NAME && e[nl])
            nl++;
        int ok = nl > 0 && nl < WN__CONTAINER_NAME;
        for (size_t j = 0; j < WN__CONTAINER_NAME && ok; j++)
            ok = j < nl ? e[j] > 0x20 && e[j] < 0x7f : e[j] == 0;
        if (!ok)
            return wn__fail(WN_EFORMAT, "%s: section %u has an invalid name", name, k);
        uint64_t off = wn__get_le64(e + 16), size = wn__get_le64(e + 24);
        if (off % WN__CONTAINER_ALIGN != 0)
            return wn__fail(WN_EFORMAT, "%s: section '%.*s' at offset %llu is not %d-byte aligned",
                            name, (int)nl, (const char *)e, (unsigned long long)off,
                            WN__CONTAINER_ALIGN);
        if (off < table_end || off > tpos || size > tpos - off)
            return wn__fail(WN_EFORMAT,
                            "%s: section '%.*s' (offset %llu, %llu bytes) lies outside the data "
                            "area (bytes %llu to %zu)",
                            name, (int)nl, (const char *)e, (unsigned long long)off,
                            (unsigned long long)size, (unsigned long long)table_end, tpos);
        for (uint32_t j = 0; j < k; j++) {
            const uint8_t *o = b + table + (uint64_t)ENTRY * j;
            uint64_t ooff = wn__get_le64(o + 16), osize = wn__get_le64(o + 24);
            if (memcmp(o, e, WN__CONTAINER_NAME) == 0)
                return wn__fail(WN_EFORMAT, "%s: two sections are named '%.*s'", name, (int)nl,
                                (const char *)e);
            if (off < ooff + osize && ooff < off + size)
                return wn__fail(WN_EFORMAT, "%s: sections '%.*s' and '%.*s' overlap", name,
                                (int)strnlen((const char *)o, WN__CONTAINER_NAME), (const char *)o,
                                (int)nl, (const char *)e);
        }
        if (crc_update(0, b + off, (size_t)size) != wn__get_le32(e + 32))
            return wn__fail(WN_EFORMAT,
                            "%s: section '%.*s': checksum mismatch: the file is "
                            "corrupted",
                            name, (int)nl, (const char *)e);
    }
    *nsecs_out = nsecs;
    return WN_OK;
}

void wn__container_free(wn__container *c)
{
    if (!c)
        return;
    wn_free(c->name);
    wn_free(c->raw);
    wn_free(c->header);
    wn__json_doc_free(c->doc);
    wn_free(c->secs);
    wn_free(c);
}

/* A buffer of len bytes whose start is 64-byte aligned: *raw to free. */
static uint8_t *alloc_aligned(size_t len, uint8_t **raw)
{
    if (len > SIZE_MAX - WN__CONTAINER_ALIGN)
        return NULL;
    *raw = wn__malloc(len + WN__CONTAINER_ALIGN);
    if (!*raw)
        return NULL;
    uintptr_t p = (uintptr_t)*raw;
    return *raw + ((WN__CONTAINER_ALIGN - p % WN__CONTAINER_ALIGN) % WN__CONTAINER_ALIGN);
}

/* Checks base[0..len) (inside the 64-aligned buffer raw) and, on success,
 * wraps it in a container. Takes raw in every case. */
static wn_status finish(const char *name, uint8_t *raw, const uint8_t *base, size_t len,
                        wn__container **out)
{
    uint32_t nsecs = 0;
    wn_status s = check(name, base, len, &nsecs);
    if (s != WN_OK) {
        wn_free(raw);
        return s;
    }
    wn__container *c = wn__calloc(1, sizeof *c);
    if (!c) {
        wn_free(raw);
        return wn__oom("model file");
    }
    c->raw = raw;
    c->base = base;
    c->len = len;
    c->version = wn__get_le32(base + 8);
    c->header_len = (size_t)wn__get_le64(base + 16);
    c->nsecs = (int)nsecs;
    c->name = wn__strdup(name);
    c->header = wn__malloc(c->header_len + 1);
    c->secs = wn__calloc(nsecs ? nsecs : 1, sizeof *c->secs);
    if (!c->name || !c->header || !c->secs) {
        wn__container_free(c);
        return wn__oom("model file");
    }
    memcpy(c->header, base + FIXED, c->header_len);
    c->header[c->header_len] = 0;
    const uint8_t *table = base + FIXED + c->header_len + 4;
    for (uint32_t k = 0; k < nsecs; k++) {
        memcpy(c->secs[k].name, table + (size_t)ENTRY * k, WN__CONTAINER_NAME);
        c->secs[k].name[WN__CONTAINER_NAME - 1] = 0;
        c->secs[k].off = wn__get_le64(table + (size_t)ENTRY * k + 16);
        c->secs[k].size = wn__get_le64(table + (size_t)ENTRY * k + 24);
    }
    s = wn__json_parse("header", c->header, c->header_len, 0, &c->doc);
    if (s != WN_OK) {
        wn__container_free(c);
        return wn__fail_prefix(s, "%s", name);
    }
    const wn__json *root = wn__json_doc_root(c->doc);
    if (root->type != WN__JSON_OBJECT || !wn__json_get_string(root, "kind", NULL)) {
        wn__container_free(c);
        return wn__fail(WN_EFORMAT, "%s: the header is not a JSON object with a string \"kind\"",
                        name);
    }
    *out = c;
    return WN_OK;
}

wn_status wn__container_load_mem(const char *name, const uint8_t *buf, size_t len,
                                 wn__container **out)
{
    if (!buf && len)
        return wn__fail(WN_EINVAL, "%s: no data", name);
    /* check first, so a bad file costs no allocation at all */
    uint32_t nsecs;
    wn_status s = check(name, buf ? buf : (const uint8_t *)"", len, &nsecs);
    if (s != WN_OK)
        return s;
    uint8_t *raw;
    uint8_t *base = alloc_aligned(len, &raw);
    if (!base)
        return wn__oom("model file");
    memcpy(base, buf, len);
    return finish(name, raw, base, len, out);
}

wn_status wn__container_load(const char *path, wn__container **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return wn__fail(WN_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return wn__fail(WN_EIO, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > (uint64_t)SIZE_MAX - WN__CONTAINER_ALIGN) {
        fclose(f);
        return wn__fail(WN_ENOMEM, "%s: file too large for this machine", path);
    }
    size_t len = (size_t)st.st_size;
    uint8_t *raw;
    uint8_t *base = alloc_aligned(len, &raw);
    if (!base) {
        fclose(f);
        return wn__oom("model file");
    }
    size_t got = len ? fread(base, 1, len, f) : 0;
    int err = ferror(f);
    fclose(f);
    if (got != len || err) {
        wn_free(raw);
        return wn__fail(WN_EIO, "%s: read failed after %zu of %zu bytes", path, got, len);
    }
    return finish(path, raw, base, len, out);
}

const char *wn__container_header(const wn__container *c, size_t *len)
{
    if (len)
        *len = c->header_len;
    return c->header;
}

const wn__json *wn__container_header_json(const wn__container *c)
{
    return wn__json_doc_root(c->doc);
}

uint32_t wn__container_version(const wn__container *c)
{
    return c->version;
}

int wn__container_nsections(const wn__container *c)
{
    return c->nsecs;
}

const char *wn__container_section_name(const wn__container *c, int i)
{
    return i >= 0 && i < c->nsecs ? c->secs[i].name : NULL;
}

wn_status wn__container_section(const wn__container *c, const char *name, const void **data,
                                size_t *size)
{
    for (int k = 0; k < c->nsecs; k++)
        if (strcmp(c->secs[k].name, name) == 0) {
            *data = c->base + c->secs[k].off;
            *size = (size_t)c->secs[k].size;
            return WN_OK;
        }
    char list[400];
    size_t n = 0;
    for (int k = 0; k < c->nsecs; k++) {
        size_t l = strlen(c->secs[k].name);
        if (n + l + 8 >= sizeof list) {
            memcpy(list + n, ", ...", 5);
            n += 5;
            break;
        }
        if (k) {
            memcpy(list + n, ", ", 2);
            n += 2;
        }
        memcpy(list + n, c->secs[k].name, l);
        n += l;
    }
    list[n] = 0;
    return wn__fail(WN_ENOTFOUND, "%s: no section '%s' (the file has %s%s)", c->name, name,
                    c->nsecs ? "sections: " : "no sections", list);
}
