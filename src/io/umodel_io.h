/* umodel_io.h — the pieces every unsupervised model file shares (PCA,
 * k-means, GMM, SOM, isolation forest; never installed): strict readers of
 * the JSON header, the provenance and data-handling parameters, the row
 * counts; writers of the header parts they all have; little-endian float64
 * sections.
 *
 * Why one module: the five loaders had grown four copies of these helpers,
 * each a little stricter than the others somewhere. Here every check is the
 * strictest the copies made, so each loader proves as much of its header
 * as any other (STYLE.md rule 7: a count read from a file is checked
 * against the section that must hold it before anything is allocated).
 *
 * Every failure is WN_EFORMAT with the message "<file>: <what is wrong>"
 * (wn__um_bad), or WN_ENOMEM. `where` names the place in the header, e.g.
 * "header" or "header: parameters"; it starts the message after the file.
 * Out-parameters are written only on success. */
#ifndef WN_UMODEL_IO_H
#define WN_UMODEL_IO_H

#include "core.h"
#include "io/container.h"
#include "unsup.h"

/* Flags of wn__um_get_num / wn__um_f64_section. */
#define WN__UM_NULLABLE 1u /* JSON null reads as NaN                  */
#define WN__UM_LO_OPEN 2u  /* the lower bound is excluded: (lo, hi]    */
#define WN__UM_NONNEG 4u   /* section values must also be >= 0         */

/* WN_EFORMAT, message "<file>: <fmt ...>". */
wn_status wn__um_bad(const char *file, const char *fmt, ...) WN__PRINTF(2, 3);

/* Member `key` of obj, which must be an object: */
wn_status wn__um_get_object(const wn__json *obj, const char *key, const char *file,
                            const char *where, const wn__json **out);
/* an integer literal in lo..hi; */
wn_status wn__um_get_int(const wn__json *obj, const char *key, int64_t lo, int64_t hi,
                         const char *file, const char *where, int64_t *out);
/* a finite number in [lo, hi] ((lo, hi] with WN__UM_LO_OPEN; null as NaN
 * with WN__UM_NULLABLE); pass -DBL_MAX / DBL_MAX for no bound; */
wn_status wn__um_get_num(const wn__json *obj, const char *key, double lo, double hi, unsigned flags,
                         const char *file, const char *where, double *out);
/* true or false (*out 1 or 0); */
wn_status wn__um_get_bool(const wn__json *obj, const char *key, const char *file, const char *where,
                          int *out);
/* a string of minlen..maxlen bytes and no NUL (or null when nullable:
 * *out NULL). *out points into obj (borrowed); *len (may be NULL) gets its
 * length; */
wn_status wn__um_get_str(const wn__json *obj, const char *key, size_t minlen, size_t maxlen,
                         int nullable, const char *file, const char *where, const char **out,
                         size_t *len);
/* an unsigned 64-bit integer as wn__jw_u64 writes it: an integer literal
 * >= 0, or (above INT64_MAX) a string of decimal digits; out of range is an
 * error, never a saturated value. */
wn_status wn__um_get_u64(const wn__json *obj, const char *key, const char *file, const char *where,
                         uint64_t *out);

/* The header's opening: root an object, "kind" equal to kind ("not <noun>
 * (kind ...)" otherwise), "format_version" in 1..INT64_MAX and equal to
 * format ("<name> format N is newer ..."), then the features block
 * (wn__features_from_json into *f, which the caller frees). */
wn_status wn__um_read_head(const wn__json *root, const char *file, const char *kind,
                           const char *noun, const char *name, int format, wn__features *f);

/* "drop_missing", "standardize" and (seed not NULL) "seed" of the
 * parameters object pj; standardize must agree with f (and features that
 * are not standardized have centre 0 and scale 1). */
wn_status wn__um_read_data(const wn__json *pj, const char *file, const wn__features *f,
                           int *drop_missing, int *standardize, uint64_t *seed);

/* "n_rows" (>= min_rows) and "n_dropped" (>= 0; 0 unless drop_missing). */
wn_status wn__um_read_rows(const wn__json *root, const char *file, int64_t min_rows,
                           int drop_missing, int64_t *nrows, int64_t *ndropped);

/* The "provenance" object wn__provenance_json writes: winnow_version (a
 * string), created (1 to 64 bytes), input_hash (16 lower-case hex digits),
 * seed (u64; equal to *params_seed when that is not NULL), command_line (a
 * string or null). seed (may be NULL) gets the seed; *command_line (when
 * command_line is not NULL) a wn__malloc'd copy, or NULL for null, which
 * the caller frees with wn_free. */
wn_status wn__um_read_provenance(const wn__json *root, const char *file,
                                 const uint64_t *params_seed, uint64_t *input_hash, uint64_t *seed,
                                 char **command_line);

/* Writing a header, in the order every model file has it:
 * wn__um_jw_head initialises w and opens the root object with "kind",
 * "format_version" and the features block; wn__um_jw_provenance writes the
 * "provenance" object (wn__provenance_json); wn__um_jw_rows "n_rows" and
 * "n_dropped"; wn__um_jw_finish closes the root object and, on success,
 * replaces *header (wn_free'd) with the text (w is freed either way;
 * errors are prefixed with `what`). */
void wn__um_jw_head(wn__jw *w, const char *kind, int format, const wn__features *f);
void wn__um_jw_provenance(wn__jw *w, uint64_t input_hash, uint64_t seed, const char *command_line);
void wn__um_jw_rows(wn__jw *w, int64_t nrows, int64_t ndropped);
wn_status wn__um_jw_finish(wn__jw *w, const char *what, char **header);

/* A loader keeps the header text verbatim: *out gets a wn__malloc'd copy of
 * c's header (NUL-terminated). */
wn_status wn__um_copy_header(const wn__container *c, char **out);

/* n doubles to / from 8n little-endian bytes. */
void wn__um_put_f64s(uint8_t *p, const double *v, int64_t n);
void wn__um_get_f64s(const uint8_t *p, int64_t n, double *v);

/* Section `name` of exactly count doubles, each finite (and >= 0 with
 * WN__UM_NONNEG). _into fills the caller's out[count]; wn__um_f64_section
 * checks the size before it allocates *out (wn__malloc'd, at least one
 * element; the caller frees it with wn_free). */
wn_status wn__um_f64_section_into(const wn__container *c, const char *name, int64_t count,
                                  unsigned flags, const char *file, double *out);
wn_status wn__um_f64_section(const wn__container *c, const char *name, int64_t count,
                             unsigned flags, const char *file, double **out);

#endif
