/* aws-checksums: known check values, continuation, agreement between the
 * int and size_t entry points and the portable (_sw) paths, combining CRCs of
 * adjacent blocks, and xxHash through the C API (digest bytes, output buffer
 * rules, allocation through the caller's allocator). Expected xxHash digests of
 * the generated data were checked against upstream's library. */
#include <aws/checksums/checksums.h>
#include <aws/checksums/crc.h>
#include <aws/checksums/xxhash.h>
#include <aws/common/allocator.h>
#include <aws/common/error.h>

#include "test_helpers.h"

static const uint8_t s_check[] = "123456789";

static void crc32_check_value(void) {
    CHECK_INT_EQ(0xCBF43926u, aws_checksums_crc32(s_check, 9, 0));
    CHECK_INT_EQ(0u, aws_checksums_crc32(NULL, 0, 0));
    uint32_t part = aws_checksums_crc32(s_check, 4, 0);
    CHECK_INT_EQ(0xCBF43926u, aws_checksums_crc32(s_check + 4, 5, part));
    CHECK_INT_EQ(0xCBF43926u, aws_checksums_crc32_ex(s_check, 9, 0));
}

static void crc32c_check_value(void) {
    CHECK_INT_EQ(0xE3069283u, aws_checksums_crc32c(s_check, 9, 0));
    uint32_t part = aws_checksums_crc32c(s_check, 3, 0);
    CHECK_INT_EQ(0xE3069283u, aws_checksums_crc32c(s_check + 3, 6, part));
    CHECK_INT_EQ(0xE3069283u, aws_checksums_crc32c_ex(s_check, 9, 0));
}

/* Large buffers take the multi-stream path; splitting anywhere must agree. */
static void large_buffers_split_anywhere(void) {
    enum { N = 100000 };
    static uint8_t data[N];
    for (size_t i = 0; i < N; ++i) {
        data[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    uint32_t whole32 = aws_checksums_crc32(data, N, 0);
    uint32_t whole32c = aws_checksums_crc32c(data, N, 0);
    const int splits[] = {1, 4095, 12288, 50001, N - 1};
    for (size_t i = 0; i < sizeof(splits) / sizeof(splits[0]); ++i) {
        int s = splits[i];
        CHECK_INT_EQ(whole32, aws_checksums_crc32(data + s, N - s, aws_checksums_crc32(data, s, 0)));
        CHECK_INT_EQ(whole32c, aws_checksums_crc32c(data + s, N - s, aws_checksums_crc32c(data, s, 0)));
    }
}

enum { BIG = 100000 };
static uint8_t s_big[BIG];

static void fill_big(void) {
    for (size_t i = 0; i < BIG; ++i) {
        s_big[i] = (uint8_t)((i * 2654435761u) >> 13);
    }
}

static void crc64nvme_check_values(void) {
    CHECK(aws_checksums_crc64nvme(s_check, 9, 0) == 0xAE8B14860A799888ull);
    CHECK(aws_checksums_crc64nvme_ex(s_check, 9, 0) == 0xAE8B14860A799888ull);
    CHECK(aws_checksums_crc64nvme_sw(s_check, 9, 0) == 0xAE8B14860A799888ull);
    uint8_t zeros[32] = {0};
    uint8_t counting[32];
    for (int i = 0; i < 32; ++i) {
        counting[i] = (uint8_t)i;
    }
    CHECK(aws_checksums_crc64nvme(zeros, 32, 0) == 0xCF3473434D4ECF3Bull);
    CHECK(aws_checksums_crc64nvme(counting, 32, 0) == 0xB9D9D4A8492CBD7Full);
    CHECK(aws_checksums_crc64nvme(NULL, 0, 0) == 0);
    /* A negative length hashes nothing: the previous value comes back. */
    CHECK(aws_checksums_crc64nvme(s_check, -1, 42) == 42);
    uint64_t part = aws_checksums_crc64nvme(s_check, 2, 0);
    CHECK(aws_checksums_crc64nvme(s_check + 2, 7, part) == 0xAE8B14860A799888ull);
}

/* Data followed by its CRC (little-endian) always has the same CRC. */
static void crc64nvme_residue(void) {
    uint8_t buf[1000 + 8];
    memcpy(buf, s_big, 1000);
    uint64_t crc = aws_checksums_crc64nvme(buf, 1000, 0);
    for (int i = 0; i < 8; ++i) {
        buf[1000 + i] = (uint8_t)(crc >> (8 * i));
    }
    CHECK(aws_checksums_crc64nvme(buf, sizeof(buf), 0) == ~0xF310303B2B6F6E42ull);
}

static void software_paths_agree(void) {
    const int lens[] = {0, 1, 15, 16, 127, 128, 129, 1000, 4097, BIG};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); ++i) {
        int n = lens[i];
        CHECK_INT_EQ(aws_checksums_crc32(s_big, n, 3), aws_checksums_crc32_sw(s_big, n, 3));
        CHECK_INT_EQ(aws_checksums_crc32c(s_big, n, 3), aws_checksums_crc32c_sw(s_big, n, 3));
        CHECK(aws_checksums_crc64nvme(s_big, n, 3) == aws_checksums_crc64nvme_sw(s_big, n, 3));
        CHECK(aws_checksums_crc64nvme_ex(s_big, (size_t)n, 3) == aws_checksums_crc64nvme_sw(s_big, n, 3));
    }
    /* Values upstream computes for the first 1000 bytes, previous value 7. */
    CHECK_INT_EQ(0xe2d239fdu, aws_checksums_crc32_sw(s_big, 1000, 7));
    CHECK_INT_EQ(0xf04c26dfu, aws_checksums_crc32c_sw(s_big, 1000, 7));
    CHECK(aws_checksums_crc64nvme_sw(s_big, 1000, 7) == 0xf3632f3fab7acde7ull);
}

static void combine_equals_whole(void) {
    const int cuts[] = {0, 1, 7, 4096, 50001, BIG - 1, BIG};
    uint32_t whole32 = aws_checksums_crc32(s_big, BIG, 0);
    uint32_t whole32c = aws_checksums_crc32c(s_big, BIG, 0);
    uint64_t whole64 = aws_checksums_crc64nvme(s_big, BIG, 0);
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); ++i) {
        int a = cuts[i];
        int b = BIG - a;
        uint32_t a32 = aws_checksums_crc32(s_big, a, 0), b32 = aws_checksums_crc32(s_big + a, b, 0);
        uint32_t a32c = aws_checksums_crc32c(s_big, a, 0), b32c = aws_checksums_crc32c(s_big + a, b, 0);
        uint64_t a64 = aws_checksums_crc64nvme(s_big, a, 0), b64 = aws_checksums_crc64nvme(s_big + a, b, 0);
        CHECK_INT_EQ(whole32, aws_checksums_crc32_combine(a32, b32, (uint64_t)b));
        CHECK_INT_EQ(whole32, aws_checksums_crc32_combine_sw(a32, b32, (uint64_t)b));
        CHECK_INT_EQ(whole32c, aws_checksums_crc32c_combine(a32c, b32c, (uint64_t)b));
        CHECK_INT_EQ(whole32c, aws_checksums_crc32c_combine_sw(a32c, b32c, (uint64_t)b));
        CHECK(whole64 == aws_checksums_crc64nvme_combine(a64, b64, (uint64_t)b));
        CHECK(whole64 == aws_checksums_crc64nvme_combine_sw(a64, b64, (uint64_t)b));
    }
    /* As upstream: a zero second length returns the first CRC unchanged. */
    CHECK_INT_EQ(5, aws_checksums_crc32_combine(5, 9, 0));
    CHECK(aws_checksums_crc64nvme_combine(5, 9, 0) == 5);
    /* Lengths far beyond any buffer (values from upstream's library). */
    CHECK(aws_checksums_crc64nvme_combine(0x123456789abcdefull, 9, 0xffffffffffffull) == 0x285c2f14385c42d3ull);
    CHECK_INT_EQ(0x97d03985u, aws_checksums_crc32_combine(0x12345, 9, 1ull << 40));
    CHECK_INT_EQ(0x85d2083du, aws_checksums_crc32c_combine(0x12345, 9, 123456789012345ull));
}

struct digest_case {
    uint64_t seed;
    size_t len;
    uint8_t xxh64[8];
    uint8_t xxh3_64[8];
    uint8_t xxh3_128[16];
};

static const struct digest_case s_digests[] = {
    /* The reference implementation's digests of the empty input. */
    {0, 0, {0xef, 0x46, 0xdb, 0x37, 0x51, 0xd8, 0xe9, 0x99}, {0x2d, 0x06, 0x80, 0x05, 0x38, 0xd3, 0x94, 0xc2},
     {0x99, 0xaa, 0x06, 0xd3, 0x01, 0x47, 0x98, 0xd8, 0x60, 0x01, 0xc3, 0x24, 0x46, 0x8d, 0x49, 0x7f}},
    {0, 1000, {0xb2, 0x60, 0x52, 0x17, 0x30, 0xb6, 0xd8, 0xd9}, {0xa0, 0x67, 0xb5, 0x8e, 0x6e, 0xa5, 0xd2, 0xf2},
     {0xeb, 0xf2, 0x92, 0x81, 0x9e, 0xcb, 0x8a, 0x2c, 0xa0, 0x67, 0xb5, 0x8e, 0x6e, 0xa5, 0xd2, 0xf2}},
    {0x9e3779b97f4a7c15ull, 100000, {0x15, 0x81, 0xae, 0x37, 0x0f, 0x54, 0xe4, 0x64},
     {0x42, 0x0b, 0x91, 0xc8, 0x13, 0x72, 0x58, 0xd5},
     {0x14, 0x71, 0xc2, 0x23, 0x98, 0xa9, 0x1f, 0x48, 0x42, 0x0b, 0x91, 0xc8, 0x13, 0x72, 0x58, 0xd5}},
};

static void xxhash_one_shot_digests(void) {
    for (size_t i = 0; i < sizeof(s_digests) / sizeof(s_digests[0]); ++i) {
        const struct digest_case *c = &s_digests[i];
        struct aws_byte_cursor data = aws_byte_cursor_from_array(s_big, c->len);
        uint8_t storage[16];
        struct aws_byte_buf out = aws_byte_buf_from_empty_array(storage, sizeof(storage));
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_xxhash64_compute(c->seed, data, &out));
        CHECK_MEM_EQ(c->xxh64, 8, out.buffer, out.len);
        out.len = 0;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_xxhash3_64_compute(c->seed, data, &out));
        CHECK_MEM_EQ(c->xxh3_64, 8, out.buffer, out.len);
        out.len = 0;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_xxhash3_128_compute(c->seed, data, &out));
        CHECK_MEM_EQ(c->xxh3_128, 16, out.buffer, out.len);
    }
}

/* Streaming through the tracing allocator: digests match the one-shot ones,
 * finalizing midway does not end the hash, and destroy returns every byte. */
static void xxhash_streaming_through_caller_allocator(void) {
    struct aws_allocator *tracer = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_checksums_library_init(tracer);
    const struct digest_case *c = &s_digests[2];
    struct aws_xxhash *hashes[3] = {
        aws_xxhash64_new(tracer, c->seed),
        aws_xxhash3_64_new(tracer, c->seed),
        aws_xxhash3_128_new(tracer, c->seed),
    };
    const uint8_t *expected[3] = {c->xxh64, c->xxh3_64, c->xxh3_128};
    const size_t expected_len[3] = {8, 8, 16};
    CHECK(aws_mem_tracer_bytes(tracer) > 0);
    for (int k = 0; k < 3; ++k) {
        struct aws_xxhash *h = hashes[k];
        CHECK(h != NULL);
        CHECK(h->allocator == tracer);
        CHECK_INT_EQ(k == 0 ? XXHASH64 : k == 1 ? XXHASH3_64 : XXHASH3_128, h->type);
        CHECK(h->impl != NULL);
        uint8_t storage[32];
        struct aws_byte_buf out = aws_byte_buf_from_empty_array(storage, sizeof(storage));
        for (size_t off = 0; off < c->len; off += 7777) {
            size_t n = c->len - off < 7777 ? c->len - off : 7777;
            CHECK_INT_EQ(AWS_OP_SUCCESS, aws_xxhash_update(h, aws_byte_cursor_from_array(s_big + off, n)));
            if (off == 0) {
                CHECK_INT_EQ(AWS_OP_SUCCESS, aws_xxhash_finalize(h, &out));
                out.len = 0;
            }
        }
        /* The digest is appended after what the buffer already holds. */
        storage[0] = 0xAB;
        out.len = 1;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_xxhash_finalize(h, &out));
        CHECK_INT_EQ(1 + expected_len[k], out.len);
        CHECK_INT_EQ(0xAB, storage[0]);
        CHECK_MEM_EQ(expected[k], expected_len[k], out.buffer + 1, out.len - 1);
        aws_xxhash_destroy(h);
    }
    aws_xxhash_destroy(NULL);
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(tracer));
    aws_checksums_library_clean_up();
    aws_mem_tracer_destroy(tracer);
}

/* A buffer without room for the whole digest fails and is left as it was. */
static void xxhash_output_buffer_rules(void) {
    uint8_t storage[24];
    memset(storage, 0x5A, sizeof(storage));
    struct aws_byte_buf out = aws_byte_buf_from_empty_array(storage, 15);
    struct aws_byte_cursor data = aws_byte_cursor_from_array(s_big, 5);
    CHECK_INT_EQ(AWS_OP_ERR, aws_xxhash3_128_compute(0, data, &out));
    CHECK_INT_EQ(AWS_ERROR_INVALID_BUFFER_SIZE, aws_last_error());
    CHECK_INT_EQ(0, out.len);
    CHECK_INT_EQ(0x5A, storage[0]);
    out.capacity = 7;
    CHECK_INT_EQ(AWS_OP_ERR, aws_xxhash64_compute(0, data, &out));
    CHECK_INT_EQ(AWS_ERROR_INVALID_BUFFER_SIZE, aws_last_error());
    out.capacity = 20;
    out.len = 13;
    CHECK_INT_EQ(AWS_OP_ERR, aws_xxhash3_64_compute(0, data, &out));
    CHECK_INT_EQ(13, out.len);
    out.len = 12;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_xxhash3_64_compute(0, data, &out));
    CHECK_INT_EQ(20, out.len);

    struct aws_xxhash *h = aws_xxhash3_128_new(aws_default_allocator(), 0);
    out.len = 5;
    CHECK_INT_EQ(AWS_OP_ERR, aws_xxhash_finalize(h, &out));
    CHECK_INT_EQ(AWS_ERROR_INVALID_BUFFER_SIZE, aws_last_error());
    CHECK_INT_EQ(5, out.len);
    CHECK_INT_EQ(AWS_OP_ERR, aws_xxhash_finalize(h, NULL));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_xxhash_finalize(NULL, &out));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_xxhash_update(NULL, data));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    aws_xxhash_destroy(h);
}

int main(void) {
    fill_big();
    RUN_TEST(crc32_check_value);
    RUN_TEST(crc32c_check_value);
    RUN_TEST(large_buffers_split_anywhere);
    RUN_TEST(crc64nvme_check_values);
    RUN_TEST(crc64nvme_residue);
    RUN_TEST(software_paths_agree);
    RUN_TEST(combine_equals_whole);
    RUN_TEST(xxhash_one_shot_digests);
    RUN_TEST(xxhash_streaming_through_caller_allocator);
    RUN_TEST(xxhash_output_buffer_rules);
    return TEST_RESULT();
}
