/* npy_internal.h — what npy.c (reading and writing) and npy_header.c (the
 * header dict parser) share, plus an in-memory reader for the fuzz target and
 * the tests. Never installed. */
#ifndef WN_NPY_INTERNAL_H
#define WN_NPY_INTERNAL_H

#include "core.h"

/* Limits, checked before anything of that size is allocated. A header this
 * long holds ~2 million fields, far beyond WN_MAX_COLUMNS; a record this long
 * is 8 bytes times WN_MAX_COLUMNS with plenty of room for padding fields. */
#define WN__NPY_MAX_HEADER (64u << 20)
#define WN__NPY_MAX_RECORD ((size_t)64 << 20)
#define WN__NPY_MAX_DIMS 64

/* One element type: kind 'f' (float), 'i' (signed), 'u' (unsigned), 'b'
 * (bool), or 'V' (padding bytes, only in a structured record, unnamed). */
typedef struct wn__npy_dtype {
    char kind;
    bool big; /* big-endian bytes */
    size_t size;
} wn__npy_dtype;

typedef struct wn__npy_field {
    size_t name_off, name_len; /* the name's literal text inside the header,
                                  quotes excluded, escapes not yet decoded;
                                  name_len 0: numpy's default name f<index> */
    int64_t index;             /* position in the descr list */
    wn__npy_dtype dt;
    size_t offset; /* byte offset inside the record */
} wn__npy_field;

typedef struct wn__npy_header {
    int version;           /* 1, 2 or 3 (3: the header text is UTF-8, else latin-1) */
    size_t base;           /* file offset of the header text, for messages */
    bool fortran;          /* fortran_order */
    int ndim;              /* length of the shape tuple */
    uint64_t dims[2];      /* its first two entries */
    bool structured;       /* descr was a list of fields */
    wn__npy_dtype dt;      /* plain arrays: the element type */
    wn__npy_field *fields; /* structured: all fields, padding included */
    size_t nfields;
    size_t ncols;        /* structured: fields that become columns */
    size_t recsize;      /* structured: bytes per record */
    size_t max_name_len; /* longest raw field name, for the decode buffer */
} wn__npy_header;

/* Parses the header dict `text` (len bytes, not NUL-terminated) of file
 * `name` into *h. On failure h holds nothing to free and the message names
 * the file, the byte offset and what was expected. */
wn_status wn__npy_parse_header(const char *name, const char *text, size_t len, int version,
                               size_t base, wn__npy_header *h);
void wn__npy_header_free(wn__npy_header *h);

/* Decodes the body of a Python string literal (escapes \\ \' \" \n \t \r
 * \a \b \f \v \ooo \xhh \uhhhh \Uhhhhhhhh) into NUL-terminated UTF-8.
 * Bytes >= 0x80 are UTF-8 already when utf8, else latin-1. dst needs
 * 2*len+1 bytes. A NUL character or a bad escape is WN_EFORMAT. */
wn_status wn__npy_decode_string(const char *name, const char *s, size_t len, bool utf8, char *dst,
                                size_t *out_len);

/* wn_table_read_npy on `len` bytes in memory; `name` only labels messages. */
wn_status wn__table_read_npy_mem(const char *name, const uint8_t *buf, size_t len, wn_table **out);

#endif
