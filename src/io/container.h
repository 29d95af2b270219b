/* container.h — the model container file: magic, version, JSON header,
 * named binary sections, checksums (never installed; docs/model-format.md
 * documents the bytes).
 *
 * Every winnow model is one of these. A model type chooses its "kind", its
 * header fields and its section names; this layer only promises that what
 * comes back from a load is exactly what was saved, or an error that says
 * which file and what is wrong with it.
 *
 *     wn__section secs[1] = {{"trees", nodes, nbytes}};
 *     if (wn__container_save("m.wnm", header_json, secs, 1) != WN_OK) ...
 *     wn__container *c;
 *     if (wn__container_load("m.wnm", &c) != WN_OK) ...
 *     const void *p; size_t n;
 *     if (wn__container_section(c, "trees", &p, &n) != WN_OK) ...
 *     wn__container_free(c);
 *
 * A loaded container is read-only; concurrent reads from many threads are
 * safe. */
#ifndef WN_CONTAINER_H
#define WN_CONTAINER_H

#include "core.h"
#include "json.h"

#define WN__CONTAINER_VERSION 1u
#define WN__CONTAINER_MAX_HEADER ((size_t)64 << 20)
#define WN__CONTAINER_MAX_SECTIONS 1024
#define WN__CONTAINER_NAME 16 /* bytes per section name in the table, NUL-padded */
#define WN__CONTAINER_ALIGN 64

extern const unsigned char wn__container_magic[8]; /* "\x89WNMDL\r\n" */

/* One section to save: 1..15 printable ASCII characters (no spaces), unique
 * within the file; size bytes at data (data may be NULL when size is 0). */
typedef struct wn__section {
    const char *name;
    const void *data;
    size_t size;
} wn__section;

typedef struct wn__container wn__container;

/* Writes header_json and the sections to path atomically (a temporary file
 * beside it, flushed, synced, renamed; on any failure an existing file at
 * path is untouched). The header must be a JSON object with a string "kind"
 * and at most WN__CONTAINER_MAX_HEADER bytes; nsecs 0..1024. Errors:
 * WN_EINVAL (header not such an object, bad or duplicate section names,
 * too many sections), WN_EIO (naming path), WN_ENOMEM. */
wn_status wn__container_save(const char *path, const char *header_json, const wn__section *secs,
                             int nsecs);

/* Reads and fully checks a container file (magic, version, flags, sizes
 * against the file's size, section offsets, alignment and overlaps, names,
 * each section's CRC, the whole-file CRC, the trailer, the header JSON).
 * On WN_OK *out owns a copy of everything; free with wn__container_free.
 * Errors, each one line starting with the file name: WN_EIO (cannot open or
 * read), WN_EFORMAT (not a model file, truncated, corrupted, written by a
 * newer winnow, malformed header), WN_ENOMEM (out of memory, or the header
 * over its limit). Nothing is allocated from a size read in the file before
 * that size has been checked against the file's length. */
wn_status wn__container_load(const char *path, wn__container **out);
/* The same checks on len bytes in memory; name is used in messages. The
 * container copies what it keeps: buf may be released after the call. */
wn_status wn__container_load_mem(const char *name, const uint8_t *buf, size_t len,
                                 wn__container **out);
void wn__container_free(wn__container *c);

/* The header as it was saved (NUL-terminated; *len its length if len is not
 * NULL), and parsed. Both live as long as c. */
const char *wn__container_header(const wn__container *c, size_t *len);
const wn__json *wn__container_header_json(const wn__container *c);
/* Format version the file was written with. */
uint32_t wn__container_version(const wn__container *c);

int wn__container_nsections(const wn__container *c);
/* Name of section i (0-based, table order), or NULL when out of range. */
const char *wn__container_section_name(const wn__container *c, int i);
/* Section by name: *data (64-byte aligned, valid as long as c) and *size.
 * WN_ENOTFOUND names the missing section and the file's sections. */
wn_status wn__container_section(const wn__container *c, const char *name, const void **data,
                                size_t *size);

#endif
