/* test_container.c — the model container file, and the table fingerprint
 * that goes into a model's provenance. */
#include "wn_test.h"

#include "core.h"
#include "io/container.h"

#include <dirent.h>
#include <math.h>
#include <sys/stat.h>
#include <zlib.h>

static const char *HEADER = "{\"kind\":\"test\",\"features\":[\"a\",\"b\"],\"parameters\":{}}";

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* A small valid file (two sections, one empty, one of 100 bytes) in memory. */
static uint8_t *small_file(size_t *len)
{
    uint8_t data[100];
    for (int k = 0; k < 100; k++)
        data[k] = (uint8_t)(k * 7 + 1);
    wn__section secs[3] = {{"trees", data, 100}, {"empty", NULL, 0}, {"x", data, 3}};
    const char *p = wn_test_file(".wnm", "", 0);
    WN_OK_OR_FAIL(wn__container_save(p, HEADER, secs, 3));
    uint8_t *b = slurp(p, len);
    unlink(p);
    return b;
}

/* Recomputes the whole-file CRC, so a crafted change reaches the checks
 * behind it. */
static void refresh_crc(uint8_t *b, size_t len)
{
    wn__put_le32(b + len - 12, (uint32_t)crc32(0, b, (uInt)(len - 12)));
}

/* Offset of section table entry k. */
static size_t entry(const uint8_t *b, int k)
{
    size_t hl = (size_t)wn__get_le32(b + 16);
    return 24 + hl + 4 + 36 * (size_t)k;
}

static void test_round_trip(void **state)
{
    (void)state;
    float w[1000];
    for (int k = 0; k < 1000; k++)
        w[k] = (float)k * 0.5f - 3.0f;
    const char hdr[] = "{\n  \"kind\": \"gbdt\",\n  \"winnow_version\": \"0.1.0\",\n"
                       "  \"features\": [\"pt\", \"\\u00e9ta\"]\n}\n";
    wn__section secs[2] = {{"weights", w, sizeof w}, {"meta", "hello", 5}};
    const char *p = wn_test_file(".wnm", "", 0);
    WN_OK_OR_FAIL(wn__container_save(p, hdr, secs, 2));
    wn__container *c = NULL;
    WN_OK_OR_FAIL(wn__container_load(p, &c));
    size_t hl;
    assert_string_equal(wn__container_header(c, &hl), hdr);
    assert_int_equal(hl, strlen(hdr));
    assert_int_equal(wn__container_version(c), 1);
    const wn__json *h = wn__container_header_json(c);
    assert_string_equal(wn__json_get_string(h, "kind", NULL), "gbdt");
    assert_string_equal(wn__json_at(wn__json_get(h, "features"), 1)->u.str, "\xc3\xa9ta");
    assert_int_equal(wn__container_nsections(c), 2);
    assert_string_equal(wn__container_section_name(c, 1), "meta");
    assert_null(wn__container_section_name(c, 2));
    const void *d;
    size_t n;
    WN_OK_OR_FAIL(wn__container_section(c, "weights", &d, &n));
    assert_int_equal(n, sizeof w);
    assert_memory_equal(d, w, sizeof w);
    assert_int_equal((uintptr_t)d % 64, 0);
    WN_OK_OR_FAIL(wn__container_section(c, "meta", &d, &n));
    assert_int_equal(n, 5);
    assert_memory_equal(d, "hello", 5);
    assert_int_equal((uintptr_t)d % 64, 0);
    WN_EXPECT_ERR(wn__container_section(c, "trees", &d, &n), WN_ENOTFOUND,
                  "no section 'trees' (the file has sections: weights, meta)");
    assert_non_null(strstr(wn_errmsg(), p));

    /* the bytes: layout as documented */
    size_t len;
    uint8_t *b = slurp(p, &len);
    assert_memory_equal(b, "\x89WNMDL\r\n", 8);
    assert_memory_equal(b + len - 8, "\x89WNMDL\r\n", 8);
    assert_int_equal(wn__get_le32(b + 8), 1);
    assert_int_equal(wn__get_le32(b + 12), 0);
    assert_int_equal(wn__get_le32(b + 16), strlen(hdr));
    assert_memory_equal(b + 24, hdr, strlen(hdr));
    assert_int_equal(wn__get_le32(b + 24 + strlen(hdr)), 2);
    size_t e0 = entry(b, 0), e1 = entry(b, 1);
    assert_string_equal((const char *)b + e0, "weights");
    assert_int_equal(wn__get_le32(b + e0 + 16) % 64, 0);
    assert_int_equal(wn__get_le32(b + e0 + 32), (uint32_t)crc32(0, (const Bytef *)w, sizeof w));
    assert_int_equal(wn__get_le32(b + e1 + 16), (wn__get_le32(b + e0 + 16) + sizeof w + 63) / 64 * 64);
    assert_int_equal(len, wn__get_le32(b + e1 + 16) + 5 + 12);
    assert_int_equal(wn__get_le32(b + len - 12), (uint32_t)crc32(0, b, (uInt)(len - 12)));

    /* the memory entry point sees the same; saving again gives the same bytes */
    wn__container *m = NULL;
    WN_OK_OR_FAIL(wn__container_load_mem("mem", b, len, &m));
    assert_string_equal(wn__container_header(m, NULL), hdr);
    const char *p2 = wn_test_file(".wnm", "", 0);
    WN_OK_OR_FAIL(wn__container_save(p2, hdr, secs, 2));
    size_t len2;
    uint8_t *b2 = slurp(p2, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(b2, b, len);
    free(b2);
    free(b);
    wn__container_free(m);
    wn__container_free(c);
    wn__container_free(NULL);
    unlink(p);
    unlink(p2);

    /* no sections at all */
    p = wn_test_file(".wnm", "", 0);
    WN_OK_OR_FAIL(wn__container_save(p, "{\"kind\":\"k\"}", NULL, 0));
    WN_OK_OR_FAIL(wn__container_load(p, &c));
    assert_int_equal(wn__container_nsections(c), 0);
    WN_EXPECT_ERR(wn__container_section(c, "a", &d, &n), WN_ENOTFOUND, "no sections");
    wn__container_free(c);
    unlink(p);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = small_file(&len);
    for (size_t n = 0; n < len; n++) {
        wn__container *c = NULL;
        uint8_t *cut = malloc(n ? n : 1); /* exact size, so ASan sees any over-read */
        memcpy(cut, b, n);
        wn_status s = wn__container_load_mem("model.wnm", cut, n, &c);
        if (s != WN_EFORMAT || c)
            fail_msg("length %zu: %s", n, wn_status_name(s));
        if (!strstr(wn_errmsg(), "model.wnm: truncated"))
            fail_msg("length %zu: '%s'", n, wn_errmsg());
        free(cut);
    }
    /* the message says what the table expects */
    WN_EXPECT_ERR(wn__container_load_mem("model.wnm", b, len - 20, &(wn__container *){NULL}),
                  WN_EFORMAT, "truncated: file has");
    char want[120];
    snprintf(want, sizeof want, "file has %zu bytes, the section table says %zu", len - 20, len);
    assert_non_null(strstr(wn_errmsg(), want));
    /* and from a file */
    const char *p = wn_test_file(".wnm", b, 1000 < len ? 1000 : len / 2);
    wn__container *c = NULL;
    WN_EXPECT_ERR(wn__container_load(p, &c), WN_EFORMAT, "truncated");
    assert_non_null(strstr(wn_errmsg(), p));
    unlink(p);
    free(b);
}

static void test_every_bit_flip(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = small_file(&len);
    uint8_t *m = malloc(len);
    for (size_t bit = 0; bit < len * 8; bit++) {
        memcpy(m, b, len);
        m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        wn__container *c = NULL;
        wn_status s = wn__container_load_mem("model.wnm", m, len, &c);
        if (s != WN_EFORMAT || c)
            fail_msg("bit %zu: %s", bit, wn_status_name(s));
        if (strncmp(wn_errmsg(), "model.wnm: ", 11) != 0)
            fail_msg("bit %zu: '%s'", bit, wn_errmsg());
        /* past the fixed fields, a flip is a checksum failure */
        if (bit / 8 >= 24 && bit / 8 < len - 8 && !strstr(wn_errmsg(), "checksum mismatch"))
            fail_msg("bit %zu: '%s'", bit, wn_errmsg());
    }
    free(m);
    free(b);
}

static void test_bad_headers(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = small_file(&len);
    wn__container *c = NULL;
    uint8_t *m = malloc(len);

    memcpy(m, b, len);
    m[1] = 'X';
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "m.wnm: not a winnow model file");
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", (const uint8_t *)"PK\3\4", 4, &c), WN_EFORMAT,
                  "not a winnow model file");
    /* "\r\n" turned into "\n" by a text-mode copy */
    memcpy(m, b, len);
    memmove(m + 6, m + 7, len - 7);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len - 1, &c), WN_EFORMAT,
                  "line endings were rewritten");

    memcpy(m, b, len);
    wn__put_le32(m + 8, 2);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "m.wnm: written by a newer winnow (format 2), this one reads format 1");
    wn__put_le32(m + 8, 0);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT, "version 0");
    memcpy(m, b, len);
    wn__put_le32(m + 12, 4);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT, "unknown flags");

    /* structural lies that pass the whole-file CRC */
    size_t e0 = entry(b, 0), e1 = entry(b, 1);
    memcpy(m, b, len);
    wn__put_le64(m + e0 + 16, (uint64_t)len + 64 * 10); /* offset past the end */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT, "inconsistent");
    memcpy(m, b, len);
    wn__put_le64(m + e0 + 24, UINT64_MAX); /* size that would overflow offset + size */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "section table says 18446744073709551615");
    memcpy(m, b, len);
    wn__put_le64(m + e0 + 16, UINT64_MAX - 63); /* aligned offset near 2^64 */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT, "inconsistent");
    memcpy(m, b, len);
    wn__put_le64(m + 16, UINT64_MAX); /* header length */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "the header length says");
    memcpy(m, b, len);
    wn__put_le32(m + 24 + wn__get_le32(b + 16), 0xFFFFFFFFu); /* section count */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "the section table needs");
    memcpy(m, b, len);
    wn__put_le64(m + e1 + 16, wn__get_le32(b + e0 + 16)); /* "empty" starts where "trees" does */
    wn__put_le64(m + e1 + 24, 8);
    wn__put_le32(m + e1 + 32, (uint32_t)crc32(0, b + wn__get_le32(b + e0 + 16), 8));
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "sections 'trees' and 'empty' overlap");
    memcpy(m, b, len);
    wn__put_le64(m + e0 + 16, wn__get_le32(b + e0 + 16) + 1);
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT, "not 64-byte aligned");
    memcpy(m, b, len);
    wn__put_le64(m + e0 + 16, 0); /* over the fixed header */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT, "outside the data area");
    memcpy(m, b, len);
    m[e0 + 32] ^= 1; /* a section's own CRC */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "section 'trees': checksum mismatch");
    memcpy(m, b, len);
    memcpy(m + e1, "trees", 6); /* duplicate name */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "two sections are named");
    memcpy(m, b, len);
    m[e1 + 10] = 'z'; /* garbage after the name's NUL */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT, "invalid name");
    memcpy(m, b, len);
    m[24 + 9] = '!'; /* {"kind":"!est"... still JSON; break it instead: */
    m[24] = '[';
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT,
                  "m.wnm: header: line 1, column");
    memcpy(m, b, len);
    memcpy(m + 24 + 2, "kinx", 4); /* valid JSON, no "kind" */
    refresh_crc(m, len);
    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", m, len, &c), WN_EFORMAT, "string \"kind\"");
    assert_null(c);
    free(m);
    free(b);

    WN_EXPECT_ERR(wn__container_load_mem("m.wnm", NULL, 0, &c), WN_EFORMAT, "truncated");
    WN_EXPECT_ERR(wn__container_load("/nonexistent/dir/m.wnm", &c), WN_EIO, "cannot open");
}

static int count_temp_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void test_save_errors_and_atomicity(void **state)
{
    (void)state;
    char dir[256];
    snprintf(dir, sizeof dir, "%s/wn_cont_%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    mkdir(dir, 0700);
    char path[300];
    snprintf(path, sizeof path, "%s/m.wnm", dir);
    wn__section ok[1] = {{"a", "xyz", 3}};
    WN_OK_OR_FAIL(wn__container_save(path, HEADER, ok, 1));
    size_t len0;
    uint8_t *before = slurp(path, &len0);

    WN_EXPECT_ERR(wn__container_save(path, "[1]", ok, 1), WN_EINVAL, "string \"kind\"");
    WN_EXPECT_ERR(wn__container_save(path, "{\"kind\":1}", ok, 1), WN_EINVAL, "\"kind\"");
    WN_EXPECT_ERR(wn__container_save(path, "{\"kind\":", ok, 1), WN_EINVAL, "header: line 1");
    wn__section bad[2] = {{"a", "x", 1}, {"a", "y", 1}};
    WN_EXPECT_ERR(wn__container_save(path, HEADER, bad, 2), WN_EINVAL,
                  "two sections are named 'a'");
    bad[1].name = "has space";
    WN_EXPECT_ERR(wn__container_save(path, HEADER, bad, 2), WN_EINVAL, "section 1");
    bad[1].name = "sixteen_chars_xx";
    WN_EXPECT_ERR(wn__container_save(path, HEADER, bad, 2), WN_EINVAL, "1 to 15");
    bad[1].name = "";
    WN_EXPECT_ERR(wn__container_save(path, HEADER, bad, 2), WN_EINVAL, "section 1");
    bad[1] = (wn__section){"b", NULL, 4};
    WN_EXPECT_ERR(wn__container_save(path, HEADER, bad, 2), WN_EINVAL, "no data");
    WN_EXPECT_ERR(wn__container_save(path, HEADER, ok, WN__CONTAINER_MAX_SECTIONS + 1), WN_EINVAL,
                  "the limit is 1024");
    /* a failure while writing (out of memory at each step) */
    for (int64_t f = 1; f < 4; f++) {
        wn__alloc_fail_at(f);
        wn_status s = wn__container_save(path, "{\"kind\":\"other\"}", ok, 1);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            break;
        assert_int_equal(s, WN_ENOMEM);
    }
    WN_OK_OR_FAIL(wn__container_save(path, HEADER, ok, 1)); /* put the original back */
    size_t len1;
    uint8_t *after = slurp(path, &len1);
    assert_int_equal(len1, len0);
    assert_memory_equal(after, before, len0);
    free(after);
    /* a directory that does not exist: EIO naming the path */
    char missing[320];
    snprintf(missing, sizeof missing, "%s/no/such/m.wnm", dir);
    const char *dirp = dir;
    WN_EXPECT_ERR(wn__container_save(missing, HEADER, ok, 1), WN_EIO, dirp);
    /* the target is a directory: the rename fails, the temporary is removed */
    char sub[320];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0700);
    WN_EXPECT_ERR(wn__container_save(sub, HEADER, ok, 1), WN_EIO, "rename");
    assert_int_equal(count_temp_files(dir), 0);
    after = slurp(path, &len1);
    assert_memory_equal(after, before, len0);
    free(after);
    free(before);
    rmdir(sub);
    unlink(path);
    rmdir(dir);
}

static void test_alloc_failure_sweep(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = small_file(&len);
    const char *p = wn_test_file(".wnm", b, len);
    const char *q = wn_test_file(".wnm", "", 0);
    wn__section secs[2] = {{"s1", "abc", 3}, {"s2", "defg", 4}};
    int ok = 0;
    for (int64_t f = 1; f < 500 && !ok; f++) {
        wn__container *c1 = NULL, *c2 = NULL;
        wn__alloc_fail_at(f);
        wn_status s = wn__container_load(p, &c1);
        if (s == WN_OK)
            s = wn__container_load_mem("m", b, len, &c2);
        if (s == WN_OK)
            s = wn__container_save(q, HEADER, secs, 2);
        wn__alloc_fail_at(0);
        if (s == WN_OK)
            ok = 1;
        else {
            assert_int_equal(s, WN_ENOMEM);
        }
        wn__container_free(c1);
        wn__container_free(c2);
    }
    assert_true(ok);
    unlink(p);
    unlink(q);
    free(b);
}

static void test_fingerprint(void **state)
{
    (void)state;
    float a[5] = {1, 2, NAN, 4, 5}, bb[5] = {0, 1, 1, 0, 1};
    wn_table *t = NULL, *u = NULL;
    WN_OK_OR_FAIL(wn_table_create(5, &t));
    WN_OK_OR_FAIL(wn_table_add_column(t, "x", a));
    WN_OK_OR_FAIL(wn_table_add_column(t, "label", bb));
    uint64_t h = wn__table_fingerprint(t);
    assert_true(h == wn__table_fingerprint(t));
    /* a rebuilt table (NaN with another payload) gives the same */
    float a2[5] = {1, 2, -NAN, 4, 5};
    WN_OK_OR_FAIL(wn_table_create(5, &u));
    WN_OK_OR_FAIL(wn_table_add_column(u, "x", a2));
    WN_OK_OR_FAIL(wn_table_add_column(u, "label", bb));
    assert_true(h == wn__table_fingerprint(u));
    /* any change shows: a value, -0, a name, order, levels */
    wn_table_column_mut(u, 0)[4] = 5.000001f;
    assert_true(h != wn__table_fingerprint(u));
    wn_table_column_mut(u, 0)[4] = 5;
    wn_table_column_mut(u, 1)[0] = -0.0f;
    assert_true(h != wn__table_fingerprint(u));
    wn_table_column_mut(u, 1)[0] = 0;
    assert_true(h == wn__table_fingerprint(u));
    const char *lv[2] = {"bkg", "sig"};
    WN_OK_OR_FAIL(wn_table_set_levels(u, 1, lv, 2));
    assert_true(h != wn__table_fingerprint(u));
    wn_table_free(u);
    WN_OK_OR_FAIL(wn_table_create(5, &u));
    WN_OK_OR_FAIL(wn_table_add_column(u, "label", bb));
    WN_OK_OR_FAIL(wn_table_add_column(u, "x", a));
    assert_true(h != wn__table_fingerprint(u));
    wn_table_free(u);
    /* a view hashes as the rows it shows */
    int64_t rows[3] = {4, 0, 2};
    wn_table *v = NULL;
    WN_OK_OR_FAIL(wn_table_view_rows(t, rows, 3, &v));
    float va[3] = {5, 1, NAN}, vb[3] = {1, 0, 1};
    WN_OK_OR_FAIL(wn_table_create(3, &u));
    WN_OK_OR_FAIL(wn_table_add_column(u, "x", va));
    WN_OK_OR_FAIL(wn_table_add_column(u, "label", vb));
    assert_true(wn__table_fingerprint(v) == wn__table_fingerprint(u));
    assert_true(wn__table_fingerprint(v) != h);
    wn_table_free(u);
    wn_table_free(v);
    wn_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_every_bit_flip),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_save_errors_and_atomicity),
        cmocka_unit_test(test_alloc_failure_sweep),
        cmocka_unit_test(test_fingerprint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
