/* Clocks, timestamp unit conversion (including saturation at the u64 limit)
 * and the device random functions. */
#include <aws/common/clock.h>
#include <aws/common/device_random.h>
#include <aws/common/thread.h>

#include <sys/time.h>

#include "test_helpers.h"

#define NS_PER_SEC 1000000000ULL

static void test_high_res_clock_is_monotonic(void) {
    uint64_t prev = 0;
    for (int i = 0; i < 200; ++i) {
        uint64_t now = 0;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_high_res_clock_get_ticks(&now));
        CHECK(now >= prev);
        prev = now;
    }
    /* A sleep is visible on the clock. */
    uint64_t before = 0, after = 0;
    aws_high_res_clock_get_ticks(&before);
    aws_thread_current_sleep(5 * 1000 * 1000);
    aws_high_res_clock_get_ticks(&after);
    CHECK(after - before >= 5 * 1000 * 1000);
}

static void test_sys_clock_is_wall_time(void) {
    /* gettimeofday reads the same wall clock at microsecond precision
     * (time() may lag: glibc serves it from a coarse clock). */
    uint64_t now = 0;
    struct timeval before, after;
    gettimeofday(&before, NULL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_sys_clock_get_ticks(&now));
    gettimeofday(&after, NULL);
    uint64_t before_ns = (uint64_t)before.tv_sec * NS_PER_SEC + (uint64_t)before.tv_usec * 1000;
    uint64_t after_ns = (uint64_t)after.tv_sec * NS_PER_SEC + (uint64_t)after.tv_usec * 1000 + 999;
    CHECK(now >= before_ns);
    CHECK(now <= after_ns);
}

static void test_unit_conversions(void) {
    CHECK_INT_EQ(10000, aws_timestamp_convert(10, AWS_TIMESTAMP_SECS, AWS_TIMESTAMP_MILLIS, NULL));
    CHECK_INT_EQ(10, aws_timestamp_convert(10000, AWS_TIMESTAMP_MILLIS, AWS_TIMESTAMP_SECS, NULL));
    CHECK_INT_EQ(10000000, aws_timestamp_convert(10, AWS_TIMESTAMP_SECS, AWS_TIMESTAMP_MICROS, NULL));
    CHECK_INT_EQ(10000000000LL, aws_timestamp_convert(10, AWS_TIMESTAMP_SECS, AWS_TIMESTAMP_NANOS, NULL));
    CHECK_INT_EQ(7000, aws_timestamp_convert(7, AWS_TIMESTAMP_MILLIS, AWS_TIMESTAMP_MICROS, NULL));
    CHECK_INT_EQ(7, aws_timestamp_convert(7999, AWS_TIMESTAMP_MICROS, AWS_TIMESTAMP_MILLIS, NULL));
    CHECK_INT_EQ(42, aws_timestamp_convert(42, AWS_TIMESTAMP_NANOS, AWS_TIMESTAMP_NANOS, NULL));

    uint64_t rem = 99;
    CHECK_INT_EQ(10, aws_timestamp_convert(10123456789ULL, AWS_TIMESTAMP_NANOS, AWS_TIMESTAMP_SECS, &rem));
    CHECK_INT_EQ(123456789, rem);
    rem = 99;
    CHECK_INT_EQ(1, aws_timestamp_convert(1999, AWS_TIMESTAMP_MICROS, AWS_TIMESTAMP_MILLIS, &rem));
    CHECK_INT_EQ(999, rem);
    /* Converting up loses nothing: the remainder is 0. */
    rem = 99;
    CHECK_INT_EQ(5000, aws_timestamp_convert(5, AWS_TIMESTAMP_SECS, AWS_TIMESTAMP_MILLIS, &rem));
    CHECK_INT_EQ(0, rem);
    /* 1000 Hz to 3 Hz: not a whole ratio, so no remainder is reported. */
    rem = 99;
    CHECK_INT_EQ(4, aws_timestamp_convert_u64(1500, 1000, 3, &rem));
    CHECK_INT_EQ(0, rem);
    /* Odd hardware frequencies. */
    CHECK_INT_EQ(2592000000000000ULL,
                 aws_timestamp_convert_u64(30ULL * 24 * 3600 * 3000000ULL, 3000000ULL, NS_PER_SEC, NULL));
    CHECK_INT_EQ(18446744073710000ULL, aws_timestamp_convert_u64(18446744073710ULL, 1000000ULL, NS_PER_SEC, NULL));
}

static void test_conversion_boundaries(void) {
    uint64_t rem = 0;
    uint64_t max_secs = aws_timestamp_convert(UINT64_MAX, AWS_TIMESTAMP_NANOS, AWS_TIMESTAMP_SECS, &rem);
    CHECK_INT_EQ(18446744073ULL, max_secs);
    CHECK_INT_EQ(709551615ULL, rem);
    /* The largest whole second that fits in ns converts exactly... */
    CHECK(aws_timestamp_convert(max_secs, AWS_TIMESTAMP_SECS, AWS_TIMESTAMP_NANOS, NULL) == 18446744073000000000ULL);
    /* ...one more saturates instead of wrapping. */
    CHECK(aws_timestamp_convert(max_secs + 1, AWS_TIMESTAMP_SECS, AWS_TIMESTAMP_NANOS, NULL) == UINT64_MAX);
    CHECK(aws_timestamp_convert(100000000000ULL, AWS_TIMESTAMP_SECS, AWS_TIMESTAMP_NANOS, NULL) == UINT64_MAX);
    CHECK(aws_timestamp_convert(UINT64_MAX, AWS_TIMESTAMP_MILLIS, AWS_TIMESTAMP_MICROS, NULL) == UINT64_MAX);
    CHECK(aws_timestamp_convert(UINT64_MAX, AWS_TIMESTAMP_NANOS, AWS_TIMESTAMP_NANOS, NULL) == UINT64_MAX);
    CHECK(aws_timestamp_convert(100000000000000000ULL, AWS_TIMESTAMP_MICROS, AWS_TIMESTAMP_NANOS, NULL) == UINT64_MAX);
    CHECK_INT_EQ(0, aws_timestamp_convert(0, AWS_TIMESTAMP_SECS, AWS_TIMESTAMP_NANOS, NULL));
    CHECK_INT_EQ(0, aws_timestamp_convert(999, AWS_TIMESTAMP_NANOS, AWS_TIMESTAMP_MICROS, NULL));
}

static bool s_all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static void test_random_buffers(void) {
    uint8_t a[64], b[64];
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    struct aws_byte_buf buf_a = {.len = 0, .buffer = a, .capacity = sizeof(a), .allocator = NULL};
    struct aws_byte_buf buf_b = {.len = 0, .buffer = b, .capacity = sizeof(b), .allocator = NULL};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_buffer(&buf_a));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_buffer(&buf_b));
    CHECK_INT_EQ(sizeof(a), buf_a.len);
    CHECK_INT_EQ(sizeof(b), buf_b.len);
    CHECK(!s_all_zero(a, sizeof(a)));
    CHECK(memcmp(a, b, sizeof(a)) != 0);

    /* A full buffer: filling the rest is a successful no-op. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_buffer(&buf_a));
    CHECK_INT_EQ(sizeof(a), buf_a.len);
    /* An empty buffer with no storage is fine too. */
    struct aws_byte_buf empty = {0};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_buffer(&empty));
    CHECK_INT_EQ(0, empty.len);
}

static void test_random_append(void) {
    uint8_t storage[32];
    memset(storage, 0xee, sizeof(storage));
    struct aws_byte_buf buf = {.len = 8, .buffer = storage, .capacity = 24, .allocator = NULL};

    /* Too little room: error, and neither length nor bytes change. */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_device_random_buffer_append(&buf, 17));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_last_error());
    CHECK_INT_EQ(8, buf.len);
    for (size_t i = 0; i < sizeof(storage); ++i) {
        CHECK_INT_EQ(0xee, storage[i]);
    }

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_buffer_append(&buf, 0));
    CHECK_INT_EQ(8, buf.len);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_buffer_append(&buf, 16));
    CHECK_INT_EQ(24, buf.len);
    /* The existing prefix and the bytes past capacity are untouched. */
    for (size_t i = 0; i < 8; ++i) {
        CHECK_INT_EQ(0xee, storage[i]);
    }
    for (size_t i = 24; i < sizeof(storage); ++i) {
        CHECK_INT_EQ(0xee, storage[i]);
    }
    bool all_ee = true;
    for (size_t i = 8; i < 24; ++i) {
        all_ee = all_ee && storage[i] == 0xee;
    }
    CHECK(!all_ee);
}

static void test_random_integers(void) {
    /* Over 64 draws every bit is set at least once (failure odds ~2^-58). */
    uint64_t or64 = 0, and64 = UINT64_MAX;
    uint32_t or32 = 0;
    uint16_t or16 = 0;
    uint8_t or8 = 0;
    for (int i = 0; i < 64; ++i) {
        uint64_t v64 = 0;
        uint32_t v32 = 0;
        uint16_t v16 = 0;
        uint8_t v8 = 0;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_u64(&v64));
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_u32(&v32));
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_u16(&v16));
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_device_random_u8(&v8));
        or64 |= v64;
        and64 &= v64;
        or32 |= v32;
        or16 |= v16;
        or8 |= v8;
    }
    CHECK(or64 == UINT64_MAX);
    CHECK(and64 == 0);
    CHECK(or32 == UINT32_MAX);
    CHECK(or16 == UINT16_MAX);
    CHECK(or8 == UINT8_MAX);

    /* Each function writes exactly its own width. */
    union {
        uint64_t align;
        uint8_t bytes[16];
    } guard;
    memset(guard.bytes, 0xaa, sizeof(guard.bytes));
    for (int i = 0; i < 8; ++i) {
        aws_device_random_u16((uint16_t *)(void *)&guard.bytes[2]);
        aws_device_random_u32((uint32_t *)(void *)&guard.bytes[4]);
        aws_device_random_u8(&guard.bytes[1]);
    }
    CHECK_INT_EQ(0xaa, guard.bytes[0]);
    for (size_t i = 8; i < sizeof(guard.bytes); ++i) {
        CHECK_INT_EQ(0xaa, guard.bytes[i]);
    }
}

int main(void) {
    RUN_TEST(test_high_res_clock_is_monotonic);
    RUN_TEST(test_sys_clock_is_wall_time);
    RUN_TEST(test_unit_conversions);
    RUN_TEST(test_conversion_boundaries);
    RUN_TEST(test_random_buffers);
    RUN_TEST(test_random_append);
    RUN_TEST(test_random_integers);
    return TEST_RESULT();
}
