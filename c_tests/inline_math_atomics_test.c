/* The header-only numeric helpers: checked and saturating arithmetic at the
 * boundaries, bit scans, min/max, byte order, atomics (including two threads
 * racing on compare-exchange), and the common macros (zeroing, container-of,
 * error ranges and error-returning checks). */
#include <stddef.h>

/* aws_fatal_assert may not be exported yet; a weak reference keeps the
 * FATAL_* checks inside the inline helpers linkable. */
void aws_fatal_assert(const char *cond_str, const char *file, int line) __attribute__((weak, noreturn));

#include <aws/common/atomics.h>
#include <aws/common/byte_order.h>
#include <aws/common/common.h>
#include <aws/common/math.h>

#include <pthread.h>

#include "test_helpers.h"

/* ---- checked / saturating arithmetic ---------------------------------------- */

static void math_add(void) {
    uint64_t r64 = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_add_u64_checked(UINT64_MAX - 1, 1, &r64));
    CHECK(r64 == UINT64_MAX);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_add_u64_checked(UINT64_MAX, 1, &r64));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(aws_add_u64_saturating(UINT64_MAX, 1) == UINT64_MAX);
    CHECK(aws_add_u64_saturating(UINT64_MAX - 5, 5) == UINT64_MAX);
    CHECK(aws_add_u64_saturating(40, 2) == 42);

    uint32_t r32 = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_add_u32_checked(UINT32_MAX - 1, 1, &r32));
    CHECK(r32 == UINT32_MAX);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_add_u32_checked(UINT32_MAX, UINT32_MAX, &r32));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(aws_add_u32_saturating(UINT32_MAX, 1) == UINT32_MAX);
    CHECK(aws_add_u32_saturating(1, 2) == 3);

    size_t rs = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_add_size_checked(SIZE_MAX - 10, 10, &rs));
    CHECK(rs == SIZE_MAX);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_add_size_checked(SIZE_MAX - 10, 11, &rs));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(aws_add_size_saturating(SIZE_MAX, SIZE_MAX) == SIZE_MAX);
    CHECK(aws_add_size_saturating(7, 8) == 15);
}

static void math_mul(void) {
    uint64_t r64 = 0;
    /* (2^32 - 1)(2^32 + 1) = 2^64 - 1 fits exactly; 2^32 * 2^32 does not. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mul_u64_checked(0xFFFFFFFFull, 0x100000001ull, &r64));
    CHECK(r64 == UINT64_MAX);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_mul_u64_checked(0x100000000ull, 0x100000000ull, &r64));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mul_u64_checked(UINT64_MAX, 0, &r64));
    CHECK(r64 == 0);
    CHECK(aws_mul_u64_saturating(UINT64_MAX, 2) == UINT64_MAX);
    CHECK(aws_mul_u64_saturating(0x100000000ull, 0x100000000ull) == UINT64_MAX);
    CHECK(aws_mul_u64_saturating(6, 7) == 42);

    uint32_t r32 = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mul_u32_checked(0xFFFFu, 0x10001u, &r32));
    CHECK(r32 == UINT32_MAX);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_mul_u32_checked(0x10000u, 0x10000u, &r32));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(aws_mul_u32_saturating(0x10000u, 0x10000u) == UINT32_MAX);
    CHECK(aws_mul_u32_saturating(0, UINT32_MAX) == 0);

    size_t rs = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mul_size_checked(SIZE_MAX / 3, 3, &rs));
    CHECK(rs == SIZE_MAX / 3 * 3);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_mul_size_checked(SIZE_MAX / 2 + 1, 2, &rs));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(aws_mul_size_saturating(SIZE_MAX / 2 + 1, 2) == SIZE_MAX);
    CHECK(aws_mul_size_saturating(3, 5) == 15);
}

static void math_sub(void) {
    uint64_t r64 = 77;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_sub_u64_checked(5, 5, &r64));
    CHECK(r64 == 0);
    r64 = 77;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_sub_u64_checked(0, 1, &r64));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(r64 == 77); /* untouched on failure */
    CHECK(aws_sub_u64_saturating(0, UINT64_MAX) == 0);
    CHECK(aws_sub_u64_saturating(UINT64_MAX, 1) == UINT64_MAX - 1);

    uint32_t r32 = 9;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_sub_u32_checked(1, 2, &r32));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(r32 == 9);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_sub_u32_checked(UINT32_MAX, UINT32_MAX - 3, &r32));
    CHECK(r32 == 3);
    CHECK(aws_sub_u32_saturating(3, 4) == 0);
    CHECK(aws_sub_u32_saturating(4, 3) == 1);

    size_t rs = 1;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_sub_size_checked(0, SIZE_MAX, &rs));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(rs == 1);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_sub_size_checked(SIZE_MAX, SIZE_MAX, &rs));
    CHECK(rs == 0);
    CHECK(aws_sub_size_saturating(2, 3) == 0);
    CHECK(aws_sub_size_saturating(SIZE_MAX, 0) == SIZE_MAX);
}

static void math_powers_of_two(void) {
    CHECK(!aws_is_power_of_two(0));
    CHECK(aws_is_power_of_two(1));
    CHECK(aws_is_power_of_two(2));
    CHECK(!aws_is_power_of_two(3));
    CHECK(aws_is_power_of_two(1024));
    CHECK(!aws_is_power_of_two(1025));
    CHECK(aws_is_power_of_two(SIZE_MAX_POWER_OF_TWO));
    CHECK(!aws_is_power_of_two(SIZE_MAX));

    size_t r = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_round_up_to_power_of_two(0, &r));
    CHECK_INT_EQ(1, r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_round_up_to_power_of_two(1, &r));
    CHECK_INT_EQ(1, r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_round_up_to_power_of_two(3, &r));
    CHECK_INT_EQ(4, r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_round_up_to_power_of_two(4, &r));
    CHECK_INT_EQ(4, r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_round_up_to_power_of_two(5, &r));
    CHECK_INT_EQ(8, r);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_round_up_to_power_of_two(SIZE_MAX_POWER_OF_TWO, &r));
    CHECK(r == SIZE_MAX_POWER_OF_TWO);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_round_up_to_power_of_two(SIZE_MAX_POWER_OF_TWO / 2 + 1, &r));
    CHECK(r == SIZE_MAX_POWER_OF_TWO);
    r = 123;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_round_up_to_power_of_two(SIZE_MAX_POWER_OF_TWO + 1, &r));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(123, r);
    CHECK_INT_EQ(sizeof(size_t) * 8, SIZE_BITS);
}

static void math_bit_scans(void) {
    CHECK_INT_EQ(32, aws_clz_u32(0));
    CHECK_INT_EQ(31, aws_clz_u32(1));
    CHECK_INT_EQ(0, aws_clz_u32(0x80000000u));
    CHECK_INT_EQ(16, aws_clz_u32(0x0000FFFFu));
    CHECK_INT_EQ(32, aws_clz_i32(0));
    CHECK_INT_EQ(0, aws_clz_i32(-1));
    CHECK_INT_EQ(1, aws_clz_i32(INT32_MAX));
    CHECK_INT_EQ(64, aws_clz_u64(0));
    CHECK_INT_EQ(63, aws_clz_u64(1));
    CHECK_INT_EQ(0, aws_clz_u64(UINT64_MAX));
    CHECK_INT_EQ(31, aws_clz_u64(0x100000000ull));
    CHECK_INT_EQ(64, aws_clz_i64(0));
    CHECK_INT_EQ(0, aws_clz_i64(INT64_MIN));
    CHECK_INT_EQ(1, aws_clz_i64(INT64_MAX));
    CHECK_INT_EQ(SIZE_BITS, aws_clz_size(0));
    CHECK_INT_EQ(SIZE_BITS - 1, aws_clz_size(1));

    CHECK_INT_EQ(32, aws_ctz_u32(0));
    CHECK_INT_EQ(0, aws_ctz_u32(1));
    CHECK_INT_EQ(31, aws_ctz_u32(0x80000000u));
    CHECK_INT_EQ(4, aws_ctz_u32(0xF0u));
    CHECK_INT_EQ(32, aws_ctz_i32(0));
    CHECK_INT_EQ(31, aws_ctz_i32(INT32_MIN));
    CHECK_INT_EQ(0, aws_ctz_i32(-1));
    CHECK_INT_EQ(64, aws_ctz_u64(0));
    CHECK_INT_EQ(63, aws_ctz_u64(0x8000000000000000ull));
    CHECK_INT_EQ(32, aws_ctz_u64(0x100000000ull));
    CHECK_INT_EQ(64, aws_ctz_i64(0));
    CHECK_INT_EQ(63, aws_ctz_i64(INT64_MIN));
    CHECK_INT_EQ(SIZE_BITS, aws_ctz_size(0));
    CHECK_INT_EQ(SIZE_BITS - 1, aws_ctz_size(SIZE_MAX_POWER_OF_TWO));
}

static void math_min_max(void) {
    CHECK_INT_EQ(0, aws_min_u8(0, UINT8_MAX));
    CHECK_INT_EQ(UINT8_MAX, aws_max_u8(0, UINT8_MAX));
    CHECK_INT_EQ(INT8_MIN, aws_min_i8(INT8_MIN, INT8_MAX));
    CHECK_INT_EQ(INT8_MAX, aws_max_i8(INT8_MIN, INT8_MAX));
    CHECK_INT_EQ(1, aws_min_u16(UINT16_MAX, 1));
    CHECK_INT_EQ(UINT16_MAX, aws_max_u16(UINT16_MAX, 1));
    CHECK_INT_EQ(-5, aws_min_i16(-5, 5));
    CHECK_INT_EQ(5, aws_max_i16(-5, 5));
    CHECK(aws_min_u32(UINT32_MAX, 3) == 3);
    CHECK(aws_max_u32(UINT32_MAX, 3) == UINT32_MAX);
    CHECK_INT_EQ(INT32_MIN, aws_min_i32(INT32_MIN, 0));
    CHECK_INT_EQ(0, aws_max_i32(INT32_MIN, 0));
    CHECK(aws_min_u64(UINT64_MAX, 0) == 0);
    CHECK(aws_max_u64(UINT64_MAX, 0) == UINT64_MAX);
    CHECK(aws_min_i64(INT64_MIN, INT64_MAX) == INT64_MIN);
    CHECK(aws_max_i64(INT64_MIN, INT64_MAX) == INT64_MAX);
    CHECK(aws_min_size(SIZE_MAX, 1) == 1);
    CHECK(aws_max_size(SIZE_MAX, 1) == SIZE_MAX);
    CHECK_INT_EQ(-1, aws_min_int(-1, 1));
    CHECK_INT_EQ(1, aws_max_int(-1, 1));
    CHECK(aws_min_float(-1.5f, 2.5f) == -1.5f);
    CHECK(aws_max_float(-1.5f, 2.5f) == 2.5f);
    CHECK(aws_min_double(1e300, -1e300) == -1e300);
    CHECK(aws_max_double(1e300, -1e300) == 1e300);
}

/* ---- byte order ----------------------------------------------------------------- */

static void byte_order_round_trips(void) {
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    CHECK_INT_EQ(first == 0, aws_is_big_endian());

    /* The network form is big-endian in memory whatever the host. */
    uint16_t n16 = aws_hton16(0x1234);
    uint8_t expect16[] = {0x12, 0x34};
    CHECK_MEM_EQ(expect16, 2, &n16, 2);
    CHECK_INT_EQ(0x1234, aws_ntoh16(n16));

    uint32_t n32 = aws_hton32(0x01020304u);
    uint8_t expect32[] = {1, 2, 3, 4};
    CHECK_MEM_EQ(expect32, 4, &n32, 4);
    CHECK(aws_ntoh32(n32) == 0x01020304u);

    uint64_t n64 = aws_hton64(0x0102030405060708ull);
    uint8_t expect64[] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_MEM_EQ(expect64, 8, &n64, 8);
    CHECK(aws_ntoh64(n64) == 0x0102030405060708ull);

    /* Little-endian bytes read back as the host value. */
    uint8_t le16[] = {0x34, 0x12};
    uint16_t raw16;
    memcpy(&raw16, le16, 2);
    CHECK_INT_EQ(0x1234, aws_letoh16(raw16));
    uint8_t le32[] = {4, 3, 2, 1};
    uint32_t raw32;
    memcpy(&raw32, le32, 4);
    CHECK(aws_letoh32(raw32) == 0x01020304u);

    /* IEEE-754: 1.0f is 3F 80 00 00, 1.0 is 3F F0 00 .. 00 on the wire. */
    float f = aws_htonf32(1.0f);
    uint8_t expect_f[] = {0x3F, 0x80, 0x00, 0x00};
    CHECK_MEM_EQ(expect_f, 4, &f, 4);
    CHECK(aws_ntohf32(f) == 1.0f);
    CHECK(aws_ntohf32(aws_htonf32(-123.25f)) == -123.25f);
    double d = aws_htonf64(1.0);
    uint8_t expect_d[] = {0x3F, 0xF0, 0, 0, 0, 0, 0, 0};
    CHECK_MEM_EQ(expect_d, 8, &d, 8);
    CHECK(aws_ntohf64(d) == 1.0);
    CHECK(aws_ntohf64(aws_htonf64(6.02214076e23)) == 6.02214076e23);

    /* Edge values survive the round trip. */
    CHECK(aws_ntoh64(aws_hton64(UINT64_MAX)) == UINT64_MAX);
    CHECK(aws_ntoh32(aws_hton32(0)) == 0);
    CHECK_INT_EQ(0xFF00, aws_ntoh16(aws_hton16(0xFF00)));
}

/* ---- atomics -------------------------------------------------------------------- */

static void atomics_single_thread(void) {
    struct aws_atomic_var v;
    aws_atomic_init_int(&v, 5);
    CHECK_INT_EQ(5, aws_atomic_load_int(&v));
    CHECK_INT_EQ(5, AWS_ATOMIC_VAR_INTVAL(&v));
    aws_atomic_store_int(&v, 10);
    CHECK_INT_EQ(10, aws_atomic_load_int(&v));
    CHECK_INT_EQ(10, aws_atomic_exchange_int(&v, 20));
    CHECK_INT_EQ(20, aws_atomic_fetch_add(&v, 5));
    CHECK_INT_EQ(25, aws_atomic_fetch_sub(&v, 24));
    CHECK_INT_EQ(1, aws_atomic_fetch_or(&v, 0x6));
    CHECK_INT_EQ(7, aws_atomic_fetch_and(&v, 0x5));
    CHECK_INT_EQ(5, aws_atomic_fetch_xor(&v, 0xF));
    CHECK_INT_EQ(0xA, aws_atomic_load_int(&v));

    /* Wrap-around is modular, as for size_t. */
    aws_atomic_store_int(&v, 0);
    CHECK_INT_EQ(0, aws_atomic_fetch_sub(&v, 1));
    CHECK(aws_atomic_load_int(&v) == SIZE_MAX);

    size_t expected = 3;
    CHECK(!aws_atomic_compare_exchange_int(&v, &expected, 4));
    CHECK(expected == SIZE_MAX); /* failure reports the current value */
    CHECK(aws_atomic_compare_exchange_int(&v, &expected, 4));
    CHECK(expected == SIZE_MAX); /* success leaves expected alone */
    CHECK_INT_EQ(4, aws_atomic_load_int(&v));

    int a = 1;
    int b = 2;
    aws_atomic_init_ptr(&v, &a);
    CHECK(aws_atomic_load_ptr(&v) == &a);
    CHECK(AWS_ATOMIC_VAR_PTRVAL(&v) == &a);
    aws_atomic_store_ptr(&v, &b);
    CHECK(aws_atomic_exchange_ptr(&v, &a) == &b);
    void *expected_ptr = &b;
    CHECK(!aws_atomic_compare_exchange_ptr(&v, &expected_ptr, NULL));
    CHECK(expected_ptr == &a);
    CHECK(aws_atomic_compare_exchange_ptr(&v, &expected_ptr, NULL));
    CHECK(aws_atomic_load_ptr(&v) == NULL);

    /* Every explicit form with every order. */
    const enum aws_memory_order orders[] = {
        aws_memory_order_relaxed,
        aws_memory_order_acquire,
        aws_memory_order_release,
        aws_memory_order_acq_rel,
        aws_memory_order_seq_cst,
    };
    aws_atomic_init_int(&v, 0);
    for (size_t i = 0; i < AWS_ARRAY_SIZE(orders); ++i) {
        enum aws_memory_order o = orders[i];
        size_t before = aws_atomic_load_int_explicit(&v, aws_memory_order_seq_cst);
        CHECK_INT_EQ(before, aws_atomic_fetch_add_explicit(&v, 2, o));
        CHECK_INT_EQ(before + 2, aws_atomic_fetch_sub_explicit(&v, 1, o));
        CHECK_INT_EQ(before + 1, aws_atomic_fetch_or_explicit(&v, 0, o));
        CHECK_INT_EQ(before + 1, aws_atomic_fetch_and_explicit(&v, SIZE_MAX, o));
        CHECK_INT_EQ(before + 1, aws_atomic_fetch_xor_explicit(&v, 0, o));
        CHECK_INT_EQ(before + 1, aws_atomic_exchange_int_explicit(&v, before + 1, o));
        size_t exp = before + 1;
        CHECK(aws_atomic_compare_exchange_int_explicit(&v, &exp, before + 1, o, aws_memory_order_relaxed));
        aws_atomic_thread_fence(o);
    }
    CHECK_INT_EQ(5, aws_atomic_load_int_explicit(&v, aws_memory_order_acquire));
    aws_atomic_store_int_explicit(&v, 9, aws_memory_order_release);
    CHECK_INT_EQ(9, aws_atomic_load_int_explicit(&v, aws_memory_order_relaxed));
    aws_atomic_store_ptr_explicit(&v, &a, aws_memory_order_release);
    CHECK(aws_atomic_load_ptr_explicit(&v, aws_memory_order_acquire) == &a);
    CHECK(aws_atomic_exchange_ptr_explicit(&v, &b, aws_memory_order_acq_rel) == &a);
    void *ep = &b;
    CHECK(aws_atomic_compare_exchange_ptr_explicit(
        &v, &ep, &a, aws_memory_order_seq_cst, aws_memory_order_seq_cst));
    CHECK(aws_atomic_load_ptr(&v) == &a);

    /* Static initialisers. */
    struct aws_atomic_var si = AWS_ATOMIC_INIT_INT(77);
    struct aws_atomic_var sp = AWS_ATOMIC_INIT_PTR(&b);
    CHECK_INT_EQ(77, aws_atomic_load_int(&si));
    CHECK(aws_atomic_load_ptr(&sp) == &b);
}

#define RACE_INCREMENTS 100000
#define RACE_MAX_ATTEMPTS (RACE_INCREMENTS * 1000)

struct race {
    struct aws_atomic_var counter;
    struct aws_atomic_var added;
    struct aws_atomic_var start;
    size_t failures;
};

/* Adds 1 to the counter RACE_INCREMENTS times with a compare-exchange retry
 * loop, and 1 to `added` with fetch_add. Gives up after a bounded number of
 * attempts, which the test then reports. */
static void *s_race_thread(void *arg) {
    struct race *race = (struct race *)arg;
    size_t attempts = 0;
    while (!aws_atomic_load_int(&race->start) && attempts++ < RACE_MAX_ATTEMPTS) {
        /* spin until both threads are ready (bounded) */
    }
    for (size_t i = 0; i < RACE_INCREMENTS; ++i) {
        size_t seen = aws_atomic_load_int(&race->counter);
        while (!aws_atomic_compare_exchange_int(&race->counter, &seen, seen + 1)) {
            if (++attempts > RACE_MAX_ATTEMPTS) {
                return NULL;
            }
        }
        aws_atomic_fetch_add(&race->added, 1);
    }
    return NULL;
}

static void atomics_two_threads(void) {
    struct race race;
    aws_atomic_init_int(&race.counter, 0);
    aws_atomic_init_int(&race.added, 0);
    aws_atomic_init_int(&race.start, 0);
    pthread_t threads[2];
    CHECK_INT_EQ(0, pthread_create(&threads[0], NULL, s_race_thread, &race));
    CHECK_INT_EQ(0, pthread_create(&threads[1], NULL, s_race_thread, &race));
    aws_atomic_store_int(&race.start, 1);
    CHECK_INT_EQ(0, pthread_join(threads[0], NULL));
    CHECK_INT_EQ(0, pthread_join(threads[1], NULL));
    /* No increment lost: every CAS that succeeded was exclusive. */
    CHECK_INT_EQ(2 * RACE_INCREMENTS, aws_atomic_load_int(&race.counter));
    CHECK_INT_EQ(2 * RACE_INCREMENTS, aws_atomic_load_int(&race.added));
}

/* ---- macros and small helpers --------------------------------------------------- */

struct outer {
    uint64_t a;
    char b;
    int member;
};

AWS_STATIC_ASSERT(sizeof(uint32_t) == 4);

static int s_return_error_if(int x) {
    AWS_RETURN_ERROR_IF(x > 0, AWS_ERROR_INVALID_INDEX);
    return AWS_OP_SUCCESS;
}

static int s_error_precondition(const void *p) {
    AWS_ERROR_PRECONDITION(p != NULL);
    return AWS_OP_SUCCESS;
}

static int s_error_precondition_code(int x) {
    AWS_ERROR_PRECONDITION(x != 0, AWS_ERROR_SHORT_BUFFER);
    return AWS_OP_SUCCESS;
}

#define PICK_ARG1(a) (a)
#define PICK_ARG2(a, b) (b)
#define PICK_ARG3(a, b, c) (c)

static void macros_and_helpers(void) {
    int arr[7];
    CHECK_INT_EQ(7, AWS_ARRAY_SIZE(arr));
    AWS_ZERO_ARRAY(arr);
    CHECK(aws_is_mem_zeroed(arr, sizeof(arr)));

    struct outer o;
    memset(&o, 0xFF, sizeof(o));
    CHECK(!AWS_IS_ZEROED(o));
    CHECK(AWS_CONTAINER_OF(&o.member, struct outer, member) == &o);
    AWS_ZERO_STRUCT(o);
    CHECK(AWS_IS_ZEROED(o));

    /* aws_is_mem_zeroed finds a set byte at every position of odd lengths. */
    uint8_t buf[33];
    CHECK(aws_is_mem_zeroed(buf, 0));
    for (size_t len = 1; len <= sizeof(buf); ++len) {
        for (size_t pos = 0; pos < len; ++pos) {
            memset(buf, 0, sizeof(buf));
            buf[pos] = 0x10;
            CHECK(!aws_is_mem_zeroed(buf, len));
        }
        memset(buf, 0, sizeof(buf));
        if (len < sizeof(buf)) {
            buf[len] = 1; /* just past the range: must not be looked at */
        }
        CHECK(aws_is_mem_zeroed(buf, len));
    }

    CHECK_INT_EQ(0, AWS_ERROR_ENUM_BEGIN_RANGE(0));
    CHECK_INT_EQ(1024, AWS_ERROR_ENUM_BEGIN_RANGE(1));
    CHECK_INT_EQ(2047, AWS_ERROR_ENUM_END_RANGE(1));
    CHECK_INT_EQ(5119, AWS_ERROR_ENUM_END_RANGE(4));

    static const struct aws_error_info info[] = {
        AWS_DEFINE_ERROR_INFO(AWS_ERROR_OOM, "Out of memory.", "aws-c-common"),
    };
    CHECK_INT_EQ(AWS_ERROR_OOM, info[0].error_code);
    CHECK_STR_EQ("AWS_ERROR_OOM", info[0].literal_name);
    CHECK_STR_EQ("Out of memory.", info[0].error_str);
    CHECK_STR_EQ("aws-c-common", info[0].lib_name);
    CHECK_STR_EQ("aws-c-common: AWS_ERROR_OOM, Out of memory.", info[0].formatted_name);

    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_raise_error(AWS_ERROR_INVALID_STATE));
    CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());

    /* The check returns the error when the condition does NOT hold. */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_return_error_if(1));
    CHECK_INT_EQ(0, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, s_return_error_if(0));
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, s_error_precondition(NULL));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_error_precondition(arr));
    CHECK_INT_EQ(AWS_OP_ERR, s_error_precondition_code(0));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_last_error());

    CHECK_INT_EQ(5, COUNT_ARGS_MAX5(a, b, c, d, e));
    CHECK_INT_EQ(1, COUNT_ARGS_MAX5(a));
    CHECK_INT_EQ(10, CALL_OVERLOAD(PICK_ARG, 10));
    CHECK_INT_EQ(20, CALL_OVERLOAD(PICK_ARG, 10, 20));
    CHECK_INT_EQ(30, CALL_OVERLOAD(PICK_ARG, 10, 20, 30));

    CHECK(AWS_IMPLIES(0, 0));
    CHECK(AWS_IMPLIES(0, 1));
    CHECK(!AWS_IMPLIES(1, 0));
    CHECK(AWS_IFF(2, 5));
    CHECK(!AWS_IFF(0, 5));
    CHECK(AWS_LIKELY(1));
    CHECK(!AWS_UNLIKELY(0));

    /* Non-fatal checks compile away outside DEBUG_BUILD; true ones never fire. */
    AWS_FATAL_ASSERT(arr[0] == 0);
    AWS_FATAL_PRECONDITION(arr[0] == 0, "explained");
    AWS_FATAL_POSTCONDITION(arr[1] == 0);
    AWS_PRECONDITION(arr[0] == 0);
    AWS_POSTCONDITION(arr[0] == 0, "explained");
    AWS_ASSERT(arr[0] == 0);

    char text[16];
    snprintf(text, sizeof(text), PRInSTR, 3, "abcdef");
    CHECK_STR_EQ("abc", text);

    AWS_VARIABLE_LENGTH_ARRAY(uint8_t, vla, arr[0] + 4);
    memset(vla, 1, 4);
    CHECK_INT_EQ(1, vla[3]);
}

int main(void) {
    RUN_TEST(math_add);
    RUN_TEST(math_mul);
    RUN_TEST(math_sub);
    RUN_TEST(math_powers_of_two);
    RUN_TEST(math_bit_scans);
    RUN_TEST(math_min_max);
    RUN_TEST(byte_order_round_trips);
    RUN_TEST(atomics_single_thread);
    RUN_TEST(atomics_two_threads);
    RUN_TEST(macros_and_helpers);
    return TEST_RESULT();
}
