/* aws_string (layout, allocation through the caller's allocator, static
 * strings, comparisons), base64/hex codecs (RFC 4648 vectors, placement in
 * the output buffer, every error code), UTF-8 validation and the inline
 * helpers of string.h and encoding.h. */
#include <aws/common/encoding.h>
#include <aws/common/string.h>

#include "counting_allocator.h"
#include "test_helpers.h"

#include <stddef.h>
#include <stdint.h>

static struct counting_allocator s_alloc;
#define ALLOC (&s_alloc.base)

AWS_STATIC_STRING_FROM_LITERAL(s_static_hello, "hello");
AWS_STRING_FROM_LITERAL(g_exported_name, "exported");

static void test_string_layout_and_lifetime(void) {
    _Static_assert(offsetof(struct aws_string, allocator) == 0, "allocator first");
    _Static_assert(offsetof(struct aws_string, len) == 8, "len second");
    _Static_assert(offsetof(struct aws_string, bytes) == 16, "bytes after the header");

    struct aws_string *s = aws_string_new_from_c_str(ALLOC, "Hello");
    CHECK(s != NULL);
    CHECK_INT_EQ(1, s_alloc.live);
    CHECK(s->allocator == ALLOC);
    CHECK_INT_EQ(5, s->len);
    CHECK_STR_EQ("Hello", aws_string_c_str(s));
    CHECK(aws_string_bytes(s) == s->bytes);
    CHECK_INT_EQ(0, s->bytes[5]);
    CHECK(aws_string_is_valid(s));
    CHECK(!aws_string_is_valid(NULL));

    uint8_t raw[] = {'a', 0, 'b'};
    struct aws_string *r = aws_string_new_from_array(ALLOC, raw, sizeof(raw));
    CHECK_INT_EQ(3, r->len);
    CHECK_MEM_EQ(raw, 3, r->bytes, r->len);
    CHECK_INT_EQ(0, r->bytes[3]);

    struct aws_byte_cursor cur = aws_byte_cursor_from_c_str("cursor");
    struct aws_string *c = aws_string_new_from_cursor(ALLOC, &cur);
    CHECK(aws_string_eq_c_str(c, "cursor"));
    struct aws_byte_buf buf = aws_byte_buf_from_c_str("buffer");
    struct aws_string *b = aws_string_new_from_buf(ALLOC, &buf);
    CHECK(aws_string_eq_c_str(b, "buffer"));
    struct aws_string *copy = aws_string_new_from_string(ALLOC, s);
    CHECK(copy != s && aws_string_eq(copy, s));
    struct aws_string *empty = aws_string_new_from_array(ALLOC, NULL, 0);
    CHECK(empty != NULL && empty->len == 0 && empty->bytes[0] == 0);
    CHECK_INT_EQ(6, s_alloc.live);

    aws_string_destroy(s);
    aws_string_destroy(r);
    aws_string_destroy_secure(c);
    aws_string_destroy(b);
    aws_string_destroy_secure(copy);
    aws_string_destroy(empty);
    aws_string_destroy(NULL);
    aws_string_destroy_secure(NULL);
    CHECK_INT_EQ(0, s_alloc.live);

    /* Out of memory is fatal (aws_mem_acquire aborts), as upstream. */
    CHECK_ABORTS("Unhandled OOM encountered in aws_mem_acquire with allocator", {
        s_alloc.fail_above = 0;
        aws_string_new_from_c_str(ALLOC, "x");
    });
    CHECK(s_alloc.fail_above == SIZE_MAX);
}

static void test_static_strings(void) {
    CHECK(s_static_hello->allocator == NULL);
    CHECK_INT_EQ(5, s_static_hello->len);
    CHECK_STR_EQ("hello", aws_string_c_str(s_static_hello));
    CHECK(aws_string_is_valid(s_static_hello));
    CHECK_STR_EQ("exported", aws_string_c_str(g_exported_name));
    /* Destroying a static string is a no-op (its bytes are read-only). */
    aws_string_destroy((struct aws_string *)s_static_hello);
    aws_string_destroy_secure((struct aws_string *)s_static_hello);
    CHECK_STR_EQ("hello", aws_string_c_str(s_static_hello));

    /* clone_or_reuse: a static string is reused, an owned one copied. */
    CHECK(aws_string_clone_or_reuse(ALLOC, s_static_hello) == s_static_hello);
    CHECK_INT_EQ(0, s_alloc.live);
    struct aws_string *owned = aws_string_new_from_c_str(ALLOC, "owned");
    struct aws_string *clone = aws_string_clone_or_reuse(ALLOC, owned);
    CHECK(clone != owned && aws_string_eq(clone, owned));
    aws_string_destroy(clone);
    aws_string_destroy(owned);
    CHECK_INT_EQ(0, s_alloc.live);

    struct aws_byte_cursor cur = aws_byte_cursor_from_string(s_static_hello);
    CHECK(cur.ptr == s_static_hello->bytes && cur.len == 5);
    cur = aws_byte_cursor_from_string(NULL);
    CHECK(cur.ptr == NULL && cur.len == 0);

    CHECK(aws_c_string_is_valid("x"));
    CHECK(!aws_c_string_is_valid(NULL));
}

static void test_string_compare(void) {
    struct aws_string *a = aws_string_new_from_c_str(ALLOC, "Hello");
    struct aws_string *b = aws_string_new_from_c_str(ALLOC, "hello");
    CHECK(aws_string_eq(a, a));
    CHECK(!aws_string_eq(a, b));
    CHECK(aws_string_eq(b, s_static_hello));
    CHECK(aws_string_eq(NULL, NULL));
    CHECK(!aws_string_eq(a, NULL));
    CHECK(!aws_string_eq(NULL, a));
    CHECK(aws_string_eq_ignore_case(a, b));
    CHECK(aws_string_eq_ignore_case(NULL, NULL));
    CHECK(!aws_string_eq_ignore_case(NULL, b));

    struct aws_byte_cursor cur = aws_byte_cursor_from_c_str("HELLO");
    CHECK(!aws_string_eq_byte_cursor(a, &cur));
    CHECK(aws_string_eq_byte_cursor_ignore_case(a, &cur));
    CHECK(aws_string_eq_byte_cursor(NULL, NULL));
    CHECK(!aws_string_eq_byte_cursor(a, NULL));
    CHECK(!aws_string_eq_byte_cursor_ignore_case(NULL, &cur));
    struct aws_byte_buf buf = aws_byte_buf_from_c_str("Hello");
    CHECK(aws_string_eq_byte_buf(a, &buf));
    CHECK(!aws_string_eq_byte_buf(b, &buf));
    CHECK(aws_string_eq_byte_buf_ignore_case(b, &buf));
    CHECK(aws_string_eq_byte_buf(NULL, NULL));
    CHECK(!aws_string_eq_byte_buf_ignore_case(a, NULL));
    CHECK(aws_string_eq_c_str(a, "Hello"));
    CHECK(!aws_string_eq_c_str(a, "Hell"));
    CHECK(aws_string_eq_c_str(NULL, NULL));
    CHECK(!aws_string_eq_c_str(a, NULL));
    CHECK(aws_string_eq_c_str_ignore_case(a, "hELLO"));
    CHECK(!aws_string_eq_c_str_ignore_case(NULL, "x"));

    struct aws_string *hell = aws_string_new_from_c_str(ALLOC, "Hell");
    CHECK(aws_string_compare(a, b) < 0); /* 'H' < 'h' */
    CHECK(aws_string_compare(b, a) > 0);
    CHECK(aws_string_compare(hell, a) < 0);
    CHECK(aws_string_compare(a, hell) > 0);
    CHECK_INT_EQ(0, aws_string_compare(b, s_static_hello));
    CHECK(aws_string_compare(NULL, a) < 0);
    CHECK(aws_string_compare(a, NULL) > 0);
    CHECK_INT_EQ(0, aws_string_compare(NULL, NULL));
    CHECK(aws_array_list_comparator_string(&hell, &a) < 0);
    CHECK_INT_EQ(0, aws_array_list_comparator_string(&a, &a));

    size_t len = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_secure_strlen("abc", 10, &len));
    CHECK_INT_EQ(3, len);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_secure_strlen("abc", 4, &len));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_secure_strlen("abc", 3, &len));
    CHECK_INT_EQ(AWS_ERROR_C_STRING_BUFFER_NOT_NULL_TERMINATED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_secure_strlen(NULL, 3, &len));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());

    aws_string_destroy(a);
    aws_string_destroy(b);
    aws_string_destroy(hell);
    CHECK_INT_EQ(0, s_alloc.live);
}

static const char *s_rfc4648[][2] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

static void test_base64_vectors(void) {
    for (size_t i = 0; i < sizeof(s_rfc4648) / sizeof(s_rfc4648[0]); ++i) {
        const char *plain = s_rfc4648[i][0];
        const char *coded = s_rfc4648[i][1];
        size_t n = 0;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_compute_encoded_len(strlen(plain), &n));
        CHECK_INT_EQ(strlen(coded), n);

        struct aws_byte_buf out;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&out, ALLOC, 16));
        struct aws_byte_cursor in = aws_byte_cursor_from_c_str(plain);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_encode(&in, &out));
        CHECK(aws_byte_buf_eq_c_str(&out, coded));

        struct aws_byte_cursor enc = aws_byte_cursor_from_c_str(coded);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_compute_decoded_len(&enc, &n));
        CHECK_INT_EQ(strlen(plain), n);
        struct aws_byte_buf dec;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&dec, ALLOC, 8));
        dec.len = 5; /* decode overwrites from the start */
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_decode(&enc, &dec));
        CHECK(aws_byte_buf_eq_c_str(&dec, plain));

        /* URL form: same without padding, and decodes back. */
        aws_byte_buf_reset(&out, false);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_url_compute_encoded_len(strlen(plain), &n));
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_url_encode(&in, &out));
        CHECK_INT_EQ(n, out.len);
        size_t unpadded = strlen(coded);
        while (unpadded > 0 && coded[unpadded - 1] == '=') {
            --unpadded;
        }
        CHECK_MEM_EQ(coded, unpadded, out.buffer, out.len);
        struct aws_byte_cursor url = aws_byte_cursor_from_buf(&out);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_decode(&url, &dec));
        CHECK(aws_byte_buf_eq_c_str(&dec, plain));

        aws_byte_buf_clean_up(&out);
        aws_byte_buf_clean_up(&dec);
    }
    CHECK_INT_EQ(0, s_alloc.live);
}

static void test_base64_placement_and_errors(void) {
    /* Encode appends after existing content. */
    uint8_t mem[12] = {0};
    struct aws_byte_buf out = aws_byte_buf_from_empty_array(mem, sizeof(mem));
    CHECK(aws_byte_buf_write(&out, (const uint8_t *)"<>", 2));
    struct aws_byte_cursor in = aws_byte_cursor_from_c_str("foob");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_encode(&in, &out));
    CHECK_MEM_EQ("<>Zm9vYg==", 10, out.buffer, out.len);

    /* Not enough room after len: SHORT_BUFFER, nothing written. */
    uint8_t snapshot[12];
    memcpy(snapshot, mem, sizeof(mem));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_base64_encode(&in, &out));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_last_error());
    CHECK_INT_EQ(10, out.len);
    CHECK_MEM_EQ(snapshot, 12, mem, 12);

    /* Both alphabets decode; the standard one encodes with + and /. */
    uint8_t bin[] = {0xFB, 0xFF, 0xBF};
    struct aws_byte_cursor bin_cur = aws_byte_cursor_from_array(bin, sizeof(bin));
    uint8_t enc_mem[8];
    struct aws_byte_buf enc = aws_byte_buf_from_empty_array(enc_mem, sizeof(enc_mem));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_encode(&bin_cur, &enc));
    CHECK(aws_byte_buf_eq_c_str(&enc, "+/+/"));
    aws_byte_buf_reset(&enc, false);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_url_encode(&bin_cur, &enc));
    CHECK(aws_byte_buf_eq_c_str(&enc, "-_-_"));
    uint8_t dec_mem[3];
    struct aws_byte_buf dec = aws_byte_buf_from_empty_array(dec_mem, sizeof(dec_mem));
    struct aws_byte_cursor url = aws_byte_cursor_from_buf(&enc);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_decode(&url, &dec));
    CHECK_MEM_EQ(bin, 3, dec.buffer, dec.len);

    /* Decode needs capacity for the decoded length (not len + it). */
    struct aws_byte_cursor six = aws_byte_cursor_from_c_str("Zm9vYmFy");
    dec.len = 1;
    CHECK_INT_EQ(AWS_OP_ERR, aws_base64_decode(&six, &dec));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_last_error());
    CHECK_INT_EQ(1, dec.len);

    /* Invalid input: INVALID_BASE64_STR, buffer untouched. */
    const char *invalid[] = {"Z", "Zm9vY", "Zg=a", "Z===", "====", "Zm9v====", "Zg==Zg==", "Zm9*", "Zg =", "Zm9v\nYmFy"};
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); ++i) {
        uint8_t big[16];
        memset(big, 0x5A, sizeof(big));
        struct aws_byte_buf target = aws_byte_buf_from_empty_array(big, sizeof(big));
        target.len = 2;
        struct aws_byte_cursor bad = aws_byte_cursor_from_c_str(invalid[i]);
        aws_reset_error();
        CHECK_INT_EQ(AWS_OP_ERR, aws_base64_decode(&bad, &target));
        CHECK_INT_EQ(AWS_ERROR_INVALID_BASE64_STR, aws_last_error());
        CHECK_INT_EQ(2, target.len);
        CHECK(big[0] == 0x5A && big[1] == 0x5A && big[2] == 0x5A);
    }
    /* A NUL byte is not base64 (see COMPAT notes: upstream's software path misreads it). */
    uint8_t with_nul[] = {'Z', 'g', 0, '='};
    struct aws_byte_cursor nul_cur = aws_byte_cursor_from_array(with_nul, sizeof(with_nul));
    CHECK_INT_EQ(AWS_OP_ERR, aws_base64_decode(&nul_cur, &dec));
    CHECK_INT_EQ(AWS_ERROR_INVALID_BASE64_STR, aws_last_error());

    size_t n = 0;
    struct aws_byte_cursor bad_len = aws_byte_cursor_from_c_str("Zm9vY");
    CHECK_INT_EQ(AWS_OP_ERR, aws_base64_compute_decoded_len(&bad_len, &n));
    CHECK_INT_EQ(AWS_ERROR_INVALID_BASE64_STR, aws_last_error());
    struct aws_byte_cursor pad_only = aws_byte_cursor_from_c_str("==");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_compute_decoded_len(&pad_only, &n));
    CHECK_INT_EQ(0, n);
    struct aws_byte_cursor no_pad = aws_byte_cursor_from_c_str("Zm9vYg");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_compute_decoded_len(&no_pad, &n));
    CHECK_INT_EQ(4, n);

    /* Empty input decodes to nothing, even into a NULL buffer. */
    struct aws_byte_buf nothing = {0};
    struct aws_byte_cursor empty = {0};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_decode(&empty, &nothing));
    CHECK_INT_EQ(0, nothing.len);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_encode(&empty, &nothing));

    /* Length arithmetic. */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_base64_compute_encoded_len(SIZE_MAX, &n));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_base64_url_compute_encoded_len(SIZE_MAX / 4, &n));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_base64_compute_encoded_len(3, NULL));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_compute_encoded_len(4, &n));
    CHECK_INT_EQ(8, n);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_url_compute_encoded_len(4, &n));
    CHECK_INT_EQ(6, n);

    /* Round trip of every byte value through a growing buffer. */
    uint8_t all[256];
    for (int i = 0; i < 256; ++i) {
        all[i] = (uint8_t)i;
    }
    struct aws_byte_cursor all_cur = aws_byte_cursor_from_array(all, sizeof(all));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_compute_encoded_len(sizeof(all), &n));
    struct aws_byte_buf big_enc, big_dec;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&big_enc, ALLOC, n));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_encode(&all_cur, &big_enc));
    CHECK_INT_EQ(n, big_enc.len);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&big_dec, ALLOC, sizeof(all)));
    struct aws_byte_cursor enc_cur = aws_byte_cursor_from_buf(&big_enc);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_base64_decode(&enc_cur, &big_dec));
    CHECK_MEM_EQ(all, sizeof(all), big_dec.buffer, big_dec.len);
    aws_byte_buf_clean_up(&big_enc);
    aws_byte_buf_clean_up(&big_dec);
    CHECK_INT_EQ(0, s_alloc.live);
}

static void test_hex(void) {
    size_t n = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hex_compute_encoded_len(3, &n));
    CHECK_INT_EQ(6, n);
    CHECK_INT_EQ(AWS_OP_ERR, aws_hex_compute_encoded_len(SIZE_MAX, &n));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hex_compute_decoded_len(5, &n));
    CHECK_INT_EQ(3, n);
    CHECK_INT_EQ(AWS_OP_ERR, aws_hex_compute_decoded_len(SIZE_MAX, &n));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());

    uint8_t bytes[] = {0x00, 0xAB, 0x7F};
    struct aws_byte_cursor in = aws_byte_cursor_from_array(bytes, sizeof(bytes));
    uint8_t mem[6];
    struct aws_byte_buf out = aws_byte_buf_from_empty_array(mem, sizeof(mem));
    out.len = 3; /* overwritten from the start */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hex_encode(&in, &out));
    CHECK(aws_byte_buf_eq_c_str(&out, "00ab7f"));
    struct aws_byte_buf small = aws_byte_buf_from_empty_array(mem, 5);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_hex_encode(&in, &small));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_last_error());
    CHECK_INT_EQ(0, small.len);

    uint8_t dmem[3];
    struct aws_byte_buf dec = aws_byte_buf_from_empty_array(dmem, sizeof(dmem));
    struct aws_byte_cursor text = aws_byte_cursor_from_c_str("00AB7f");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hex_decode(&text, &dec));
    CHECK_MEM_EQ(bytes, 3, dec.buffer, dec.len);
    struct aws_byte_cursor odd = aws_byte_cursor_from_c_str("abc");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hex_decode(&odd, &dec));
    CHECK_INT_EQ(2, dec.len);
    CHECK(dmem[0] == 0x0A && dmem[1] == 0xBC);
    struct aws_byte_cursor bad = aws_byte_cursor_from_c_str("0g");
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_hex_decode(&bad, &dec));
    CHECK_INT_EQ(AWS_ERROR_INVALID_HEX_STR, aws_last_error());
    CHECK_INT_EQ(2, dec.len);
    CHECK_INT_EQ(0x0A, dmem[0]);
    struct aws_byte_cursor too_long = aws_byte_cursor_from_c_str("00112233");
    CHECK_INT_EQ(AWS_OP_ERR, aws_hex_decode(&too_long, &dec));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_last_error());

    struct aws_byte_buf grow;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&grow, ALLOC, 1));
    CHECK(aws_byte_buf_write_u8(&grow, '#'));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hex_encode_append_dynamic(&in, &grow));
    CHECK(aws_byte_buf_eq_c_str(&grow, "#00ab7f"));
    aws_byte_buf_clean_up(&grow);
    struct aws_byte_buf fixed = aws_byte_buf_from_empty_array(mem, sizeof(mem));
    CHECK_INT_EQ(AWS_OP_ERR, aws_hex_encode_append_dynamic(&in, &fixed));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(0, s_alloc.live);
}

static void test_inline_encoding_helpers(void) {
    uint8_t b[8];
    aws_write_u64(0x0102030405060708ULL, b);
    static const uint8_t be64[] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_MEM_EQ(be64, 8, b, 8);
    CHECK(aws_read_u64(b) == 0x0102030405060708ULL);
    aws_write_u32(0xA1B2C3D4u, b);
    CHECK(b[0] == 0xA1 && b[3] == 0xD4);
    CHECK(aws_read_u32(b) == 0xA1B2C3D4u);
    memset(b, 0xEE, sizeof(b));
    aws_write_u24(0xFF123456u, b);
    CHECK(b[0] == 0x12 && b[1] == 0x34 && b[2] == 0x56 && b[3] == 0xEE);
    CHECK(aws_read_u24(b) == 0x123456u);
    aws_write_u16(0xBEEF, b);
    CHECK(b[0] == 0xBE && b[1] == 0xEF);
    CHECK(aws_read_u16(b) == 0xBEEF);

    static const uint8_t utf8_bom[] = {0xEF, 0xBB, 0xBF, 'a'};
    static const uint8_t utf16_le[] = {0xFF, 0xFE, 'a', 0};
    static const uint8_t utf16_be[] = {0xFE, 0xFF, 0, 'a'};
    static const uint8_t utf32_le[] = {0xFF, 0xFE, 0, 0};
    static const uint8_t utf32_be[] = {0, 0, 0xFE, 0xFF};
    static const uint8_t high[] = {'a', 0xC3, 0xA9};
    CHECK_INT_EQ(AWS_TEXT_UTF8, aws_text_detect_encoding(utf8_bom, sizeof(utf8_bom)));
    CHECK_INT_EQ(AWS_TEXT_UTF16, aws_text_detect_encoding(utf16_le, sizeof(utf16_le)));
    CHECK_INT_EQ(AWS_TEXT_UTF16, aws_text_detect_encoding(utf16_be, sizeof(utf16_be)));
    CHECK_INT_EQ(AWS_TEXT_UTF32, aws_text_detect_encoding(utf32_le, sizeof(utf32_le)));
    CHECK_INT_EQ(AWS_TEXT_UTF32, aws_text_detect_encoding(utf32_be, sizeof(utf32_be)));
    CHECK_INT_EQ(AWS_TEXT_UTF16, aws_text_detect_encoding(utf32_le, 3)); /* too short for UTF-32 */
    CHECK_INT_EQ(AWS_TEXT_ASCII, aws_text_detect_encoding((const uint8_t *)"plain", 5));
    CHECK_INT_EQ(AWS_TEXT_ASCII, aws_text_detect_encoding(NULL, 0));
    CHECK_INT_EQ(AWS_TEXT_UNKNOWN, aws_text_detect_encoding(high, sizeof(high)));
    CHECK(aws_text_is_utf8(utf8_bom, sizeof(utf8_bom)));
    CHECK(aws_text_is_utf8((const uint8_t *)"plain", 5));
    CHECK(!aws_text_is_utf8(high, sizeof(high)));
    CHECK(!aws_text_is_utf8(utf16_le, sizeof(utf16_le)));
}

struct codepoints {
    uint32_t seen[16];
    int count;
    int stop_at; /* fail the callback on this codepoint index (-1: never) */
};

static int s_on_codepoint(uint32_t codepoint, void *user_data) {
    struct codepoints *cp = user_data;
    if (cp->count == cp->stop_at) {
        return aws_raise_error(AWS_ERROR_INVALID_ARGUMENT);
    }
    if (cp->count < 16) {
        cp->seen[cp->count] = codepoint;
    }
    cp->count++;
    return AWS_OP_SUCCESS;
}

static void test_utf8(void) {
    /* "a", U+00E9, U+20AC, U+1D11E */
    static const uint8_t text[] = {'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9D, 0x84, 0x9E};
    struct codepoints cp = {.stop_at = -1};
    struct aws_utf8_decoder_options opts = {.on_codepoint = s_on_codepoint, .user_data = &cp};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_decode_utf8(aws_byte_cursor_from_array(text, sizeof(text)), &opts));
    CHECK_INT_EQ(4, cp.count);
    CHECK(cp.seen[0] == 'a' && cp.seen[1] == 0xE9 && cp.seen[2] == 0x20AC && cp.seen[3] == 0x1D11E);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_decode_utf8(aws_byte_cursor_from_array(text, sizeof(text)), NULL));

    static const uint8_t overlong[] = {0xC0, 0xAF};
    static const uint8_t surrogate[] = {0xED, 0xA0, 0x80};
    static const uint8_t truncated[] = {'a', 0xE2, 0x82};
    static const uint8_t stray[] = {0x80};
    static const uint8_t five[] = {0xF8, 0x88, 0x80, 0x80, 0x80};
    const struct aws_byte_cursor bad[] = {
        {sizeof(overlong), (uint8_t *)overlong},   {sizeof(surrogate), (uint8_t *)surrogate},
        {sizeof(truncated), (uint8_t *)truncated}, {sizeof(stray), (uint8_t *)stray},
        {sizeof(five), (uint8_t *)five},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
        aws_reset_error();
        CHECK_INT_EQ(AWS_OP_ERR, aws_decode_utf8(bad[i], NULL));
        CHECK_INT_EQ(AWS_ERROR_INVALID_UTF8, aws_last_error());
    }

    /* A callback's failure stops decoding and its error stands. */
    struct codepoints stop = {.stop_at = 1};
    opts.user_data = &stop;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_decode_utf8(aws_byte_cursor_from_array(text, sizeof(text)), &opts));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(1, stop.count);

    /* Streaming: a code point split across updates. */
    struct codepoints streamed = {.stop_at = -1};
    opts.user_data = &streamed;
    struct aws_utf8_decoder *d = aws_utf8_decoder_new(ALLOC, &opts);
    CHECK(d != NULL);
    CHECK_INT_EQ(1, s_alloc.live);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_utf8_decoder_update(d, aws_byte_cursor_from_array(text, 5)));
    CHECK_INT_EQ(2, streamed.count);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_utf8_decoder_update(d, aws_byte_cursor_from_array(text + 5, 5)));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_utf8_decoder_finalize(d));
    CHECK_INT_EQ(4, streamed.count);
    /* Ending mid code point fails at finalize, which also resets. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_utf8_decoder_update(d, aws_byte_cursor_from_array(text + 3, 2)));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_utf8_decoder_finalize(d));
    CHECK_INT_EQ(AWS_ERROR_INVALID_UTF8, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_utf8_decoder_finalize(d));
    /* reset discards a partial code point. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_utf8_decoder_update(d, aws_byte_cursor_from_array(text + 6, 2)));
    aws_utf8_decoder_reset(d);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_utf8_decoder_update(d, aws_byte_cursor_from_c_str("ok")));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_utf8_decoder_finalize(d));
    aws_utf8_decoder_destroy(d);
    aws_utf8_decoder_destroy(NULL);
    d = aws_utf8_decoder_new(ALLOC, NULL);
    CHECK_INT_EQ(AWS_OP_ERR, aws_utf8_decoder_update(d, aws_byte_cursor_from_array(stray, 1)));
    CHECK_INT_EQ(AWS_ERROR_INVALID_UTF8, aws_last_error());
    aws_utf8_decoder_destroy(d);
    CHECK_INT_EQ(0, s_alloc.live);
}

int main(void) {
    counting_allocator_init(&s_alloc);
    RUN_TEST(test_string_layout_and_lifetime);
    RUN_TEST(test_static_strings);
    RUN_TEST(test_string_compare);
    RUN_TEST(test_base64_vectors);
    RUN_TEST(test_base64_placement_and_errors);
    RUN_TEST(test_hex);
    RUN_TEST(test_inline_encoding_helpers);
    RUN_TEST(test_utf8);
    CHECK_INT_EQ(0, s_alloc.live);
    return TEST_RESULT();
}
