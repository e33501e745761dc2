/* aws_byte_buf, aws_byte_cursor and the ASCII helpers, against upstream's
 * documented behaviour: exact capacities, exact error codes, and failed
 * writes/reads that leave their target untouched. Every allocation goes
 * through a counting allocator that must end at zero live blocks. */
#include <aws/common/byte_buf.h>
#include <aws/common/string.h>

#include "counting_allocator.h"
#include "test_helpers.h"

#include <stdint.h>

static struct counting_allocator s_alloc;
#define ALLOC (&s_alloc.base)

/* The buffer's fields, for "nothing changed" checks. */
#define SAME_BUF(before, after)                                                                                        \
    do {                                                                                                               \
        CHECK_INT_EQ((before).len, (after).len);                                                                       \
        CHECK((before).buffer == (after).buffer);                                                                      \
        CHECK_INT_EQ((before).capacity, (after).capacity);                                                             \
        CHECK((before).allocator == (after).allocator);                                                                \
    } while (0)

static void test_init_and_clean_up(void) {
    struct aws_byte_buf buf;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 0));
    CHECK(buf.buffer == NULL);
    CHECK_INT_EQ(0, buf.capacity);
    CHECK_INT_EQ(0, buf.len);
    CHECK(buf.allocator == ALLOC);
    CHECK_INT_EQ(0, s_alloc.live);
    CHECK(aws_byte_buf_is_valid(&buf));
    aws_byte_buf_clean_up(&buf);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 16));
    CHECK(buf.buffer != NULL);
    CHECK_INT_EQ(16, buf.capacity);
    CHECK_INT_EQ(1, s_alloc.live);
    aws_byte_buf_clean_up(&buf);
    CHECK_INT_EQ(0, s_alloc.live);
    CHECK(buf.buffer == NULL && buf.allocator == NULL && buf.capacity == 0 && buf.len == 0);

    /* clean_up of a borrowed buffer frees nothing. */
    uint8_t storage[4] = {1, 2, 3, 4};
    struct aws_byte_buf borrowed = aws_byte_buf_from_array(storage, sizeof(storage));
    aws_byte_buf_clean_up(&borrowed);
    CHECK(borrowed.buffer == NULL && borrowed.len == 0);
    CHECK_INT_EQ(1, storage[0]);

    /* clean_up_secure zeroes the old memory before freeing; secure_zero keeps it. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 4));
    CHECK(aws_byte_buf_write(&buf, storage, 4));
    aws_byte_buf_secure_zero(&buf);
    CHECK_INT_EQ(0, buf.len);
    CHECK_INT_EQ(4, buf.capacity);
    CHECK(buf.buffer[0] == 0 && buf.buffer[3] == 0);
    aws_byte_buf_clean_up_secure(&buf);
    CHECK(buf.buffer == NULL && buf.capacity == 0);
    CHECK_INT_EQ(0, s_alloc.live);

    /* reset: with and without zeroing */
    struct aws_byte_buf fixed = aws_byte_buf_from_array(storage, sizeof(storage));
    aws_byte_buf_reset(&fixed, false);
    CHECK_INT_EQ(0, fixed.len);
    CHECK_INT_EQ(4, fixed.capacity);
    CHECK_INT_EQ(4, storage[3]);
    fixed.len = 4;
    aws_byte_buf_reset(&fixed, true);
    CHECK_INT_EQ(0, fixed.len);
    CHECK_INT_EQ(0, storage[3]);
}

static void test_init_copy(void) {
    struct aws_byte_buf src = aws_byte_buf_from_c_str("hello");
    struct aws_byte_buf dest;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init_copy(&dest, ALLOC, &src));
    CHECK(dest.buffer != src.buffer);
    CHECK_INT_EQ(5, dest.len);
    CHECK_INT_EQ(5, dest.capacity);
    CHECK(dest.allocator == ALLOC);
    CHECK_MEM_EQ("hello", 5, dest.buffer, dest.len);
    CHECK_INT_EQ(1, s_alloc.live);
    aws_byte_buf_clean_up(&dest);

    /* Capacity follows the source's capacity, not its length. */
    uint8_t room[10] = {'x', 'y'};
    struct aws_byte_buf partial = aws_byte_buf_from_empty_array(room, sizeof(room));
    partial.len = 2;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init_copy(&dest, ALLOC, &partial));
    CHECK_INT_EQ(2, dest.len);
    CHECK_INT_EQ(10, dest.capacity);
    aws_byte_buf_clean_up(&dest);

    /* Empty source: nothing allocated, allocator still recorded. */
    struct aws_byte_buf empty = {0};
    memset(&dest, 0xCD, sizeof(dest));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init_copy(&dest, ALLOC, &empty));
    CHECK(dest.buffer == NULL && dest.len == 0 && dest.capacity == 0 && dest.allocator == ALLOC);
    CHECK_INT_EQ(0, s_alloc.live);

    /* Invalid or NULL source: AWS_ERROR_INVALID_ARGUMENT. */
    struct aws_byte_buf bad = {.len = 3, .buffer = room, .capacity = 2, .allocator = NULL};
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_init_copy(&dest, ALLOC, &bad));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_init_copy(&dest, ALLOC, NULL));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());

    /* From a cursor: capacity == len; empty cursor allocates nothing. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init_copy_from_cursor(&dest, ALLOC, aws_byte_cursor_from_c_str("abc")));
    CHECK_INT_EQ(3, dest.len);
    CHECK_INT_EQ(3, dest.capacity);
    CHECK(aws_byte_buf_eq_c_str(&dest, "abc"));
    aws_byte_buf_clean_up(&dest);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init_copy_from_cursor(&dest, ALLOC, aws_byte_cursor_from_c_str("")));
    CHECK(dest.buffer == NULL && dest.len == 0 && dest.capacity == 0 && dest.allocator == ALLOC);
    struct aws_byte_cursor bad_cur = {.len = 3, .ptr = NULL};
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_init_copy_from_cursor(&dest, ALLOC, bad_cur));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(0, s_alloc.live);
}

static void test_borrowed_constructors(void) {
    long acquires = s_alloc.acquires;
    const char *text = "borrowed";
    struct aws_byte_buf b = aws_byte_buf_from_c_str(text);
    CHECK(b.buffer == (const uint8_t *)text);
    CHECK_INT_EQ(8, b.len);
    CHECK_INT_EQ(8, b.capacity);
    CHECK(b.allocator == NULL);
    b = aws_byte_buf_from_c_str("");
    CHECK(b.buffer == NULL && b.len == 0 && b.capacity == 0);
    b = aws_byte_buf_from_c_str(NULL);
    CHECK(b.buffer == NULL && b.len == 0);

    uint8_t arr[6] = {0};
    b = aws_byte_buf_from_array(arr, 6);
    CHECK(b.buffer == arr && b.len == 6 && b.capacity == 6 && b.allocator == NULL);
    b = aws_byte_buf_from_array(arr, 0);
    CHECK(b.buffer == NULL && b.capacity == 0);
    b = aws_byte_buf_from_empty_array(arr, 6);
    CHECK(b.buffer == arr && b.len == 0 && b.capacity == 6);
    b = aws_byte_buf_from_empty_array(arr, 0);
    CHECK(b.buffer == NULL);
    CHECK_INT_EQ(acquires, s_alloc.acquires);

    struct aws_byte_cursor c = aws_byte_cursor_from_c_str(text);
    CHECK(c.ptr == (const uint8_t *)text && c.len == 8);
    c = aws_byte_cursor_from_c_str(NULL);
    CHECK(c.ptr == NULL && c.len == 0);
    c = aws_byte_cursor_from_array(arr, 3);
    CHECK(c.ptr == arr && c.len == 3);
    b = aws_byte_buf_from_array(arr, 6);
    b.len = 2;
    c = aws_byte_cursor_from_buf(&b);
    CHECK(c.ptr == arr && c.len == 2);

    struct aws_byte_cursor lit = AWS_BYTE_CUR_INIT_FROM_STRING_LITERAL("lit\0eral");
    CHECK_INT_EQ(8, lit.len);
    char printed[32];
    struct aws_byte_cursor abc = aws_byte_cursor_from_c_str("abcdef");
    abc.len = 3;
    snprintf(printed, sizeof(printed), "<%.*s>", AWS_BYTE_CURSOR_PRI(abc));
    CHECK_STR_EQ("<abc>", printed);
    struct aws_byte_buf abuf = aws_byte_buf_from_c_str("xyz");
    snprintf(printed, sizeof(printed), "<%.*s>", AWS_BYTE_BUF_PRI(abuf));
    CHECK_STR_EQ("<xyz>", printed);
}

static void test_validity(void) {
    uint8_t byte = 0;
    struct aws_byte_buf ok = {0};
    CHECK(aws_byte_buf_is_valid(&ok));
    struct aws_byte_buf too_long = {.len = 2, .buffer = &byte, .capacity = 1};
    CHECK(!aws_byte_buf_is_valid(&too_long));
    struct aws_byte_buf no_memory = {.len = 0, .buffer = NULL, .capacity = 5};
    CHECK(!aws_byte_buf_is_valid(&no_memory));
    struct aws_byte_buf ptr_no_cap = {.len = 0, .buffer = &byte, .capacity = 0};
    CHECK(!aws_byte_buf_is_valid(&ptr_no_cap));
    CHECK(!aws_byte_buf_is_valid(NULL));

    struct aws_byte_cursor c = {0};
    CHECK(aws_byte_cursor_is_valid(&c));
    c.len = 1;
    CHECK(!aws_byte_cursor_is_valid(&c));
    c.ptr = &byte;
    CHECK(aws_byte_cursor_is_valid(&c));
    CHECK(!aws_byte_cursor_is_valid(NULL));
}

static void test_append_fixed(void) {
    uint8_t storage[8] = {0};
    struct aws_byte_buf buf = aws_byte_buf_from_empty_array(storage, sizeof(storage));
    struct aws_byte_cursor abc = aws_byte_cursor_from_c_str("abcde");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append(&buf, &abc));
    CHECK_INT_EQ(5, buf.len);

    /* Does not fit: error, nothing written. */
    struct aws_byte_buf before = buf;
    uint8_t snapshot[8];
    memcpy(snapshot, storage, sizeof(snapshot));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_append(&buf, &abc));
    CHECK_INT_EQ(AWS_ERROR_DEST_COPY_TOO_SMALL, aws_last_error());
    SAME_BUF(before, buf);
    CHECK_MEM_EQ(snapshot, 8, storage, 8);

    /* An empty append always works, even into a full or NULL buffer. */
    struct aws_byte_cursor empty = {0};
    struct aws_byte_buf nothing = {0};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append(&nothing, &empty));

    /* A buffer appended to itself (overlapping source). */
    struct aws_byte_cursor own = {.len = 3, .ptr = buf.buffer};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append(&buf, &own));
    CHECK_MEM_EQ("abcdeabc", 8, buf.buffer, buf.len);

    /* with_lookup: mapped through a 256-byte table. */
    uint8_t out_mem[6] = {0};
    struct aws_byte_buf out = aws_byte_buf_from_empty_array(out_mem, sizeof(out_mem));
    struct aws_byte_cursor mixed = aws_byte_cursor_from_c_str("AbC-9");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_with_lookup(&out, &mixed, aws_lookup_table_to_lower_get()));
    CHECK_MEM_EQ("abc-9", 5, out.buffer, out.len);
    before = out;
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_append_with_lookup(&out, &mixed, aws_lookup_table_to_lower_get()));
    CHECK_INT_EQ(AWS_ERROR_DEST_COPY_TOO_SMALL, aws_last_error());
    SAME_BUF(before, out);

    /* append_and_update: the cursor ends up pointing into the buffer. */
    uint8_t au_mem[4] = {0};
    struct aws_byte_buf au = aws_byte_buf_from_empty_array(au_mem, sizeof(au_mem));
    struct aws_byte_cursor moving = aws_byte_cursor_from_c_str("xyz");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_and_update(&au, &moving));
    CHECK(moving.ptr == au_mem);
    CHECK_INT_EQ(3, moving.len);
    struct aws_byte_cursor unmoved = aws_byte_cursor_from_c_str("too long");
    const uint8_t *orig = unmoved.ptr;
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_append_and_update(&au, &unmoved));
    CHECK_INT_EQ(AWS_ERROR_DEST_COPY_TOO_SMALL, aws_last_error());
    CHECK(unmoved.ptr == orig);
    CHECK_INT_EQ(3, au.len);
}

static void test_append_dynamic(void) {
    struct aws_byte_buf buf;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 4));
    struct aws_byte_cursor five = aws_byte_cursor_from_c_str("12345");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_dynamic(&buf, &five));
    CHECK_INT_EQ(8, buf.capacity); /* doubling (8) beats the 5 needed */
    CHECK_INT_EQ(5, buf.len);
    uint8_t twenty[20];
    memset(twenty, 'z', sizeof(twenty));
    struct aws_byte_cursor tw = aws_byte_cursor_from_array(twenty, sizeof(twenty));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_dynamic_secure(&buf, &tw));
    CHECK_INT_EQ(25, buf.capacity); /* exactly needed (25) beats doubling (16) */
    CHECK_INT_EQ(25, buf.len);
    CHECK_MEM_EQ("12345zz", 7, buf.buffer, 7);
    CHECK_INT_EQ(1, s_alloc.live);

    /* Self-append through a growth. */
    struct aws_byte_cursor own = aws_byte_cursor_from_buf(&buf);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_dynamic(&buf, &own));
    CHECK_INT_EQ(50, buf.len);
    CHECK_INT_EQ(50, buf.capacity);
    CHECK_MEM_EQ("12345zz", 7, buf.buffer + 25, 7);

    /* Full again: growth doubles (100) rather than taking the 55 needed. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_dynamic(&buf, &five));
    CHECK_INT_EQ(100, buf.capacity);
    CHECK_INT_EQ(55, buf.len);
    aws_byte_buf_clean_up(&buf);
    CHECK_INT_EQ(0, s_alloc.live);

    /* Growing from nothing. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 0));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_dynamic(&buf, &five));
    CHECK_INT_EQ(5, buf.capacity);
    aws_byte_buf_clean_up(&buf);

    /* Byte at a time: capacities 1, 2, 4, 4, 8, 8. */
    static const uint8_t bytes[] = {0xFF, 0xFE, 0xAB, 0x00, 0x55, 0x62};
    static const size_t caps[] = {1, 2, 4, 4, 8, 8};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 1));
    for (size_t i = 0; i < sizeof(bytes); ++i) {
        int rc = (i % 2) ? aws_byte_buf_append_byte_dynamic_secure(&buf, bytes[i])
                         : aws_byte_buf_append_byte_dynamic(&buf, bytes[i]);
        CHECK_INT_EQ(AWS_OP_SUCCESS, rc);
        CHECK_INT_EQ(caps[i], buf.capacity);
        CHECK_MEM_EQ(bytes, i + 1, buf.buffer, buf.len);
    }
    /* The terminator counts in len. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_null_terminator(&buf));
    CHECK_INT_EQ(7, buf.len);
    CHECK_INT_EQ(0, buf.buffer[6]);
    aws_byte_buf_clean_up(&buf);
    CHECK_INT_EQ(0, s_alloc.live);

    /* A borrowed buffer (NULL allocator) cannot grow, even when it would fit. */
    uint8_t storage[16] = {0};
    struct aws_byte_buf fixed = aws_byte_buf_from_empty_array(storage, sizeof(storage));
    struct aws_byte_buf before = fixed;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_append_dynamic(&fixed, &five));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    SAME_BUF(before, fixed);
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_append_byte_dynamic(&fixed, 1));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());

    /* append_auto: dynamic with an allocator, fixed without. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_auto(&fixed, &five));
    CHECK_INT_EQ(5, fixed.len);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_auto(&fixed, &five));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_auto(&fixed, &five));
    before = fixed;
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_append_auto(&fixed, &five));
    CHECK_INT_EQ(AWS_ERROR_DEST_COPY_TOO_SMALL, aws_last_error());
    SAME_BUF(before, fixed);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 2));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_append_auto(&buf, &five));
    CHECK_INT_EQ(5, buf.len);
    CHECK(buf.capacity >= 5);
    aws_byte_buf_clean_up(&buf);
    CHECK_INT_EQ(0, s_alloc.live);
}

static void test_reserve(void) {
    struct aws_byte_buf buf;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 0));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve(&buf, 1));
    CHECK_INT_EQ(1, buf.capacity);
    CHECK(buf.buffer != NULL);
    CHECK(aws_byte_buf_write_u8(&buf, 'q'));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve(&buf, 100));
    CHECK_INT_EQ(100, buf.capacity); /* exact, no doubling */
    CHECK_INT_EQ('q', buf.buffer[0]);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve(&buf, 10));
    CHECK_INT_EQ(100, buf.capacity); /* never shrinks */

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve_relative(&buf, 150));
    CHECK_INT_EQ(151, buf.capacity); /* len 1 + 150 */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_reserve_relative(&buf, SIZE_MAX));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());

    aws_byte_buf_clean_up(&buf);

    /* Smart reserve: at least doubles. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&buf, ALLOC, 10));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve_smart(&buf, 20));
    CHECK_INT_EQ(20, buf.capacity);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve_smart(&buf, 30));
    CHECK_INT_EQ(40, buf.capacity);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve_smart(&buf, 50));
    CHECK_INT_EQ(80, buf.capacity);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve_smart(&buf, 50));
    CHECK_INT_EQ(80, buf.capacity);
    CHECK(aws_byte_buf_write_u8_n(&buf, 'a', 80));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_reserve_smart_relative(&buf, 1));
    CHECK_INT_EQ(160, buf.capacity);
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_reserve_smart_relative(&buf, SIZE_MAX));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    aws_byte_buf_clean_up(&buf);
    CHECK_INT_EQ(0, s_alloc.live);

    /* A borrowed buffer cannot be reserved. */
    uint8_t storage[4] = {0};
    struct aws_byte_buf fixed = aws_byte_buf_from_empty_array(storage, sizeof(storage));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_reserve(&fixed, 2));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_reserve_relative(&fixed, 2));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(4, fixed.capacity);
}

/* An allocator that returns NULL is fatal, as upstream: aws_mem_acquire (init)
 * and aws_mem_realloc (reserve) abort instead of raising OOM. */
static void test_allocation_failure_aborts(void) {
    static const char oom[] = "Unhandled OOM encountered in aws_mem_acquire with allocator";
    CHECK_ABORTS(oom, {
        struct aws_byte_buf buf;
        s_alloc.fail_above = 8;
        aws_byte_buf_init(&buf, ALLOC, 9);
    });
    CHECK_ABORTS(oom, {
        struct aws_byte_buf buf;
        aws_byte_buf_init(&buf, ALLOC, 4);
        s_alloc.fail_above = 200;
        aws_byte_buf_reserve(&buf, 201);
    });
    /* The parent's allocator never failed and holds nothing. */
    CHECK_INT_EQ(0, s_alloc.live);
    CHECK(s_alloc.fail_above == SIZE_MAX);
}

static void test_writes(void) {
    uint8_t storage[32] = {0};
    memset(storage, 0xEE, sizeof(storage));
    struct aws_byte_buf buf = aws_byte_buf_from_empty_array(storage, sizeof(storage));

    CHECK(aws_byte_buf_write(&buf, (const uint8_t *)"ab", 2));
    CHECK(aws_byte_buf_write(&buf, NULL, 0));
    CHECK(aws_byte_buf_write_u8(&buf, 0x01));
    CHECK(aws_byte_buf_write_be16(&buf, 0x0203));
    CHECK(aws_byte_buf_write_be24(&buf, 0x040506));
    CHECK(!aws_byte_buf_write_be24(&buf, 0x01000000)); /* needs 25 bits */
    CHECK(aws_byte_buf_write_be32(&buf, 0x0708090A));
    CHECK(aws_byte_buf_write_be64(&buf, 0x0B0C0D0E0F101112ULL));
    CHECK(aws_byte_buf_write_float_be32(&buf, 1.0f));
    CHECK(aws_byte_buf_write_float_be64(&buf, -2.0));
    static const uint8_t expected[] = {'a',  'b',  0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A,
                                       0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x3F, 0x80, 0x00, 0x00,
                                       0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    CHECK_MEM_EQ(expected, 32, buf.buffer, buf.len);
    CHECK(!aws_byte_buf_write_u8(&buf, 0));

    /* Every writer fails without side effects on a buffer with too little room. */
    uint8_t small_mem[3] = {0};
    struct aws_byte_buf small = aws_byte_buf_from_empty_array(small_mem, 3);
    CHECK(aws_byte_buf_write_u8(&small, 0x77));
    struct aws_byte_buf before = small;
    CHECK(!aws_byte_buf_write(&small, (const uint8_t *)"xyz", 3));
    CHECK(!aws_byte_buf_write_be24(&small, 1));
    CHECK(!aws_byte_buf_write_be32(&small, 1));
    CHECK(!aws_byte_buf_write_be64(&small, 1));
    CHECK(!aws_byte_buf_write_float_be32(&small, 1.0f));
    CHECK(!aws_byte_buf_write_float_be64(&small, 1.0));
    CHECK(!aws_byte_buf_write_u8_n(&small, 'x', 3));
    SAME_BUF(before, small);
    CHECK(small_mem[1] == 0 && small_mem[2] == 0);
    CHECK(aws_byte_buf_write_be16(&small, 0xABCD));
    CHECK(!aws_byte_buf_write_u8(&small, 1));
    CHECK_INT_EQ(3, small.len);

    uint8_t fill_mem[5] = {0};
    struct aws_byte_buf fill = aws_byte_buf_from_empty_array(fill_mem, 5);
    CHECK(aws_byte_buf_write_u8_n(&fill, 'k', 0));
    CHECK(aws_byte_buf_write_u8_n(&fill, 'k', 5));
    CHECK_MEM_EQ("kkkkk", 5, fill.buffer, fill.len);

    /* Whole buffer / cursor / string. */
    uint8_t dst_mem[6] = {0};
    struct aws_byte_buf dst = aws_byte_buf_from_empty_array(dst_mem, 6);
    CHECK(aws_byte_buf_write_from_whole_buffer(&dst, aws_byte_buf_from_c_str("ab")));
    CHECK(aws_byte_buf_write_from_whole_cursor(&dst, aws_byte_cursor_from_c_str("cd")));
    AWS_STATIC_STRING_FROM_LITERAL(s_ef, "ef");
    CHECK(aws_byte_buf_write_from_whole_string(&dst, s_ef));
    CHECK_MEM_EQ("abcdef", 6, dst.buffer, dst.len);
    CHECK(!aws_byte_buf_write_from_whole_cursor(&dst, aws_byte_cursor_from_c_str("g")));
    CHECK(!aws_byte_buf_write_from_whole_buffer(&dst, aws_byte_buf_from_c_str("g")));
    CHECK(!aws_byte_buf_write_from_whole_string(&dst, s_ef));
    CHECK(!aws_byte_buf_write_from_whole_string(NULL, s_ef));
    CHECK(!aws_byte_buf_write_from_whole_string(&dst, NULL));
    CHECK_INT_EQ(6, dst.len);

    /* write_to_capacity: writes what fits and advances the cursor. */
    uint8_t cap_mem[5] = {0};
    struct aws_byte_buf cap = aws_byte_buf_from_empty_array(cap_mem, 5);
    struct aws_byte_cursor abc = aws_byte_cursor_from_c_str("abc");
    struct aws_byte_cursor written = aws_byte_buf_write_to_capacity(&cap, &abc);
    CHECK_INT_EQ(3, written.len);
    CHECK_INT_EQ(0, abc.len);
    struct aws_byte_cursor defg = aws_byte_cursor_from_c_str("defg");
    const uint8_t *defg_start = defg.ptr;
    written = aws_byte_buf_write_to_capacity(&cap, &defg);
    CHECK(written.ptr == defg_start && written.len == 2);
    CHECK(defg.ptr == defg_start + 2 && defg.len == 2);
    CHECK_MEM_EQ("abcde", 5, cap.buffer, cap.len);
    written = aws_byte_buf_write_to_capacity(&cap, &defg);
    CHECK_INT_EQ(0, written.len);
    CHECK_INT_EQ(2, defg.len);

    /* aws_byte_buf_advance: carves spare capacity out as an empty borrowed buffer. */
    uint8_t adv_mem[8] = {0};
    struct aws_byte_buf adv = aws_byte_buf_from_empty_array(adv_mem, 8);
    adv.len = 2;
    struct aws_byte_buf part;
    CHECK(aws_byte_buf_advance(&adv, &part, 4));
    CHECK(part.buffer == adv_mem + 2 && part.len == 0 && part.capacity == 4 && part.allocator == NULL);
    CHECK_INT_EQ(6, adv.len);
    CHECK(!aws_byte_buf_advance(&adv, &part, 3));
    CHECK(part.buffer == NULL && part.capacity == 0);
    CHECK_INT_EQ(6, adv.len);
}

static void test_buf_compare(void) {
    struct aws_byte_buf a = aws_byte_buf_from_c_str("Hello");
    struct aws_byte_buf b = aws_byte_buf_from_c_str("hELLO");
    struct aws_byte_buf c = aws_byte_buf_from_c_str("Hello");
    struct aws_byte_buf empty = {0};
    struct aws_byte_buf empty2 = aws_byte_buf_from_c_str("");
    CHECK(aws_byte_buf_eq(&a, &c));
    CHECK(!aws_byte_buf_eq(&a, &b));
    CHECK(aws_byte_buf_eq(&empty, &empty2));
    CHECK(aws_byte_buf_eq_ignore_case(&a, &b));
    CHECK(!aws_byte_buf_eq_ignore_case(&a, &empty));
    CHECK(aws_byte_buf_eq_c_str(&a, "Hello"));
    CHECK(!aws_byte_buf_eq_c_str(&a, "Hell"));
    CHECK(!aws_byte_buf_eq_c_str(&a, "Hello!"));
    CHECK(aws_byte_buf_eq_c_str(&empty, ""));
    CHECK(aws_byte_buf_eq_c_str_ignore_case(&a, "HELLO"));
    CHECK(!aws_byte_buf_eq_c_str_ignore_case(&a, "HELLO!"));

    /* Same content, different len. */
    uint8_t arr[] = {'a', 'b', 'c'};
    struct aws_byte_buf ab = aws_byte_buf_from_array(arr, 2);
    struct aws_byte_buf abc = aws_byte_buf_from_array(arr, 3);
    CHECK(!aws_byte_buf_eq(&ab, &abc));

    CHECK(aws_array_eq(NULL, 0, NULL, 0));
    CHECK(aws_array_eq("abc", 3, "abc", 3));
    CHECK(!aws_array_eq("abc", 3, "abd", 3));
    CHECK(!aws_array_eq("abc", 3, "ab", 2));
    CHECK(aws_array_eq_ignore_case("aBc", 3, "AbC", 3));
    CHECK(!aws_array_eq_ignore_case("[", 1, "{", 1)); /* only letters fold */
    CHECK(aws_array_eq_c_str("abc", 3, "abc"));
    CHECK(!aws_array_eq_c_str("ab\0", 3, "ab"));
    CHECK(aws_array_eq_c_str(NULL, 0, ""));
    CHECK(aws_array_eq_c_str_ignore_case("ABC", 3, "abc"));
    CHECK(!aws_array_eq_c_str_ignore_case("ABC", 3, "ab"));

    /* FNV-1a over lower-cased bytes. */
    CHECK(aws_hash_array_ignore_case("", 0) == 0xcbf29ce484222325ULL);
    CHECK(aws_hash_array_ignore_case("A", 1) == 0xaf63dc4c8601ec8cULL);
    CHECK(aws_hash_array_ignore_case("HeLLo", 5) == aws_hash_array_ignore_case("hello", 5));
    struct aws_byte_cursor key = aws_byte_cursor_from_c_str("Key");
    CHECK(aws_hash_byte_cursor_ptr_ignore_case(&key) == aws_hash_array_ignore_case("kEY", 3));

    const uint8_t *lower = aws_lookup_table_to_lower_get();
    const uint8_t *hex = aws_lookup_table_hex_to_num_get();
    for (int i = 0; i < 256; ++i) {
        int want_lower = (i >= 'A' && i <= 'Z') ? i + 32 : i;
        CHECK_INT_EQ(want_lower, lower[i]);
        int want_hex = (i >= '0' && i <= '9')   ? i - '0'
                       : (i >= 'a' && i <= 'f') ? i - 'a' + 10
                       : (i >= 'A' && i <= 'F') ? i - 'A' + 10
                                                : 255;
        CHECK_INT_EQ(want_hex, hex[i]);
    }
}

static void test_cursor_advance_and_read(void) {
    uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B};
    struct aws_byte_cursor cur = aws_byte_cursor_from_array(data, sizeof(data));

    struct aws_byte_cursor part = aws_byte_cursor_advance(&cur, 2);
    CHECK(part.ptr == data && part.len == 2);
    CHECK(cur.ptr == data + 2 && cur.len == 9);
    part = aws_byte_cursor_advance(&cur, 10);
    CHECK(part.ptr == NULL && part.len == 0);
    CHECK(cur.ptr == data + 2 && cur.len == 9);
    part = aws_byte_cursor_advance(&cur, SIZE_MAX);
    CHECK(part.ptr == NULL && cur.len == 9);
    part = aws_byte_cursor_advance(&cur, 0);
    CHECK(part.ptr == data + 2 && part.len == 0 && cur.len == 9);

    part = aws_byte_cursor_advance_nospec(&cur, 1);
    CHECK(part.ptr == data + 2 && part.len == 1);
    CHECK(cur.ptr == data + 3 && cur.len == 8);
    part = aws_byte_cursor_advance_nospec(&cur, 9);
    CHECK(part.ptr == NULL && part.len == 0);
    CHECK(cur.ptr == data + 3 && cur.len == 8);
    part = aws_byte_cursor_advance_nospec(&cur, 8);
    CHECK(part.ptr == data + 3 && part.len == 8 && cur.len == 0);

    /* Zeroed cursor: advancing by 0 works and keeps NULL. */
    struct aws_byte_cursor zero = {0};
    part = aws_byte_cursor_advance(&zero, 0);
    CHECK(part.ptr == NULL && zero.ptr == NULL);

    CHECK(aws_nospec_mask(3, 4) == SIZE_MAX);
    CHECK(aws_nospec_mask(4, 4) == 0);
    CHECK(aws_nospec_mask(0, SIZE_MAX) == 0);

    /* Typed reads. */
    cur = aws_byte_cursor_from_array(data, sizeof(data));
    uint8_t u8 = 0;
    uint16_t u16 = 0;
    uint32_t u32 = 0;
    uint64_t u64 = 0;
    int32_t i32 = 0;
    CHECK(aws_byte_cursor_read_u8(&cur, &u8));
    CHECK_INT_EQ(0x01, u8);
    CHECK(aws_byte_cursor_read_be16(&cur, &u16));
    CHECK_INT_EQ(0x0203, u16);
    CHECK(aws_byte_cursor_read_be24(&cur, &u32));
    CHECK_INT_EQ(0x040506, u32);
    CHECK(aws_byte_cursor_read_be32(&cur, &u32));
    CHECK_INT_EQ(0x0708090A, u32);
    CHECK_INT_EQ(1, cur.len);
    /* Too short: false, cursor and output untouched. */
    struct aws_byte_cursor before = cur;
    u16 = 0x5555;
    CHECK(!aws_byte_cursor_read_be16(&cur, &u16));
    CHECK_INT_EQ(0x5555, u16);
    CHECK(!aws_byte_cursor_read_le16(&cur, &u16));
    CHECK(!aws_byte_cursor_read_be24(&cur, &u32));
    CHECK(!aws_byte_cursor_read_be32(&cur, &u32));
    CHECK(!aws_byte_cursor_read_le32(&cur, &u32));
    CHECK(!aws_byte_cursor_read_be_i32(&cur, &i32));
    CHECK(!aws_byte_cursor_read_le_i32(&cur, &i32));
    CHECK(!aws_byte_cursor_read_be64(&cur, &u64));
    uint8_t two[2] = {9, 9};
    CHECK(!aws_byte_cursor_read(&cur, two, 2));
    CHECK(two[0] == 9 && two[1] == 9);
    CHECK(cur.ptr == before.ptr && cur.len == before.len);
    CHECK(aws_byte_cursor_read(&cur, NULL, 0));
    CHECK(aws_byte_cursor_read_u8(&cur, &u8));
    CHECK_INT_EQ(0x0B, u8);
    CHECK(!aws_byte_cursor_read_u8(&cur, &u8));

    uint8_t le[] = {0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFE, 0xFE, 0xFF, 0xFF, 0xFF, 0x04, 0x03, 0x02, 0x01};
    cur = aws_byte_cursor_from_array(le, sizeof(le));
    CHECK(aws_byte_cursor_read_le16(&cur, &u16));
    CHECK_INT_EQ(0x0201, u16);
    CHECK(aws_byte_cursor_read_be_i32(&cur, &i32));
    CHECK_INT_EQ(-2, i32);
    CHECK(aws_byte_cursor_read_le_i32(&cur, &i32));
    CHECK_INT_EQ(-2, i32);
    CHECK(aws_byte_cursor_read_le32(&cur, &u32));
    CHECK_INT_EQ(0x01020304, u32);

    uint8_t be64[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x3F, 0x80, 0x00, 0x00,
                      0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    cur = aws_byte_cursor_from_array(be64, sizeof(be64));
    CHECK(aws_byte_cursor_read_be64(&cur, &u64));
    CHECK(u64 == 0x0102030405060708ULL);
    float f = 0;
    double d = 0;
    CHECK(aws_byte_cursor_read_float_be32(&cur, &f));
    CHECK(f == 1.0f);
    CHECK(aws_byte_cursor_read_float_be64(&cur, &d));
    CHECK(d == -2.0);
    CHECK(!aws_byte_cursor_read_float_be32(&cur, &f));
    CHECK(!aws_byte_cursor_read_float_be64(&cur, &d));

    /* read_and_fill_buffer: all of capacity or nothing. */
    uint8_t src[] = {1, 2, 3, 4, 5};
    cur = aws_byte_cursor_from_array(src, sizeof(src));
    uint8_t fill_mem[3] = {0};
    struct aws_byte_buf fill = aws_byte_buf_from_empty_array(fill_mem, 3);
    CHECK(aws_byte_cursor_read_and_fill_buffer(&cur, &fill));
    CHECK_INT_EQ(3, fill.len);
    CHECK_MEM_EQ(src, 3, fill.buffer, fill.len);
    CHECK_INT_EQ(2, cur.len);
    fill.len = 0;
    CHECK(!aws_byte_cursor_read_and_fill_buffer(&cur, &fill));
    CHECK_INT_EQ(0, fill.len);
    CHECK_INT_EQ(2, cur.len);

    /* Hex pairs. */
    struct aws_byte_cursor hex = aws_byte_cursor_from_c_str("0FaBz1F");
    CHECK(aws_byte_cursor_read_hex_u8(&hex, &u8));
    CHECK_INT_EQ(15, u8);
    CHECK(aws_byte_cursor_read_hex_u8(&hex, &u8));
    CHECK_INT_EQ(0xAB, u8);
    before = hex;
    CHECK(!aws_byte_cursor_read_hex_u8(&hex, &u8));
    CHECK(hex.ptr == before.ptr && hex.len == 3);
    CHECK_INT_EQ(0xAB, u8);
    aws_byte_cursor_advance(&hex, 2);
    CHECK(!aws_byte_cursor_read_hex_u8(&hex, &u8)); /* one char left */
    CHECK_INT_EQ(1, hex.len);
}

static void test_cursor_compare(void) {
    struct aws_byte_cursor a = aws_byte_cursor_from_c_str("Content-Type");
    struct aws_byte_cursor b = aws_byte_cursor_from_c_str("content-type");
    struct aws_byte_cursor empty = {0};
    struct aws_byte_cursor empty2 = aws_byte_cursor_from_c_str("");
    CHECK(!aws_byte_cursor_eq(&a, &b));
    CHECK(aws_byte_cursor_eq(&a, &a));
    CHECK(aws_byte_cursor_eq(&empty, &empty2));
    CHECK(aws_byte_cursor_eq_ignore_case(&a, &b));
    struct aws_byte_buf buf = aws_byte_buf_from_c_str("CONTENT-TYPE");
    CHECK(!aws_byte_cursor_eq_byte_buf(&a, &buf));
    CHECK(aws_byte_cursor_eq_byte_buf_ignore_case(&a, &buf));
    struct aws_byte_buf same = aws_byte_buf_from_c_str("Content-Type");
    CHECK(aws_byte_cursor_eq_byte_buf(&a, &same));
    CHECK(aws_byte_cursor_eq_c_str(&a, "Content-Type"));
    CHECK(!aws_byte_cursor_eq_c_str(&a, "content-type"));
    CHECK(aws_byte_cursor_eq_c_str_ignore_case(&a, "CONTENT-type"));
    CHECK(!aws_byte_cursor_eq_c_str_ignore_case(&a, "CONTENT"));
    CHECK(aws_byte_cursor_eq_c_str(&empty, ""));

    struct aws_byte_cursor prefix = aws_byte_cursor_from_c_str("Content");
    struct aws_byte_cursor lower_prefix = aws_byte_cursor_from_c_str("content");
    CHECK(aws_byte_cursor_starts_with(&a, &prefix));
    CHECK(!aws_byte_cursor_starts_with(&a, &lower_prefix));
    CHECK(aws_byte_cursor_starts_with_ignore_case(&a, &lower_prefix));
    CHECK(!aws_byte_cursor_starts_with(&prefix, &a)); /* longer prefix */
    CHECK(!aws_byte_cursor_starts_with_ignore_case(&prefix, &a));
    CHECK(aws_byte_cursor_starts_with(&a, &empty2));

    struct aws_byte_cursor abc = aws_byte_cursor_from_c_str("abc");
    struct aws_byte_cursor abd = aws_byte_cursor_from_c_str("abd");
    struct aws_byte_cursor ab = aws_byte_cursor_from_c_str("ab");
    struct aws_byte_cursor ABC = aws_byte_cursor_from_c_str("ABC");
    CHECK(aws_byte_cursor_compare_lexical(&abc, &abd) < 0);
    CHECK(aws_byte_cursor_compare_lexical(&abd, &abc) > 0);
    CHECK(aws_byte_cursor_compare_lexical(&ab, &abc) < 0);
    CHECK(aws_byte_cursor_compare_lexical(&abc, &ab) > 0);
    CHECK_INT_EQ(0, aws_byte_cursor_compare_lexical(&abc, &abc));
    CHECK(aws_byte_cursor_compare_lexical(&ABC, &abc) < 0);
    const uint8_t *lower = aws_lookup_table_to_lower_get();
    CHECK_INT_EQ(0, aws_byte_cursor_compare_lookup(&ABC, &abc, lower));
    CHECK(aws_byte_cursor_compare_lookup(&ab, &ABC, lower) < 0);
    CHECK(aws_byte_cursor_compare_lookup(&abd, &ABC, lower) > 0);
    CHECK(aws_byte_cursor_compare_lookup(&empty, &ab, lower) < 0);
    CHECK_INT_EQ(0, aws_byte_cursor_compare_lookup(&empty, &empty2, lower));
}

static void test_find_and_split(void) {
    struct aws_byte_cursor hay = aws_byte_cursor_from_c_str("a needle in a haystack needle");
    struct aws_byte_cursor needle = aws_byte_cursor_from_c_str("needle");
    struct aws_byte_cursor found = {0};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_cursor_find_exact(&hay, &needle, &found));
    CHECK(found.ptr == hay.ptr + 2);
    CHECK_INT_EQ(hay.len - 2, found.len);

    struct aws_byte_cursor missing = aws_byte_cursor_from_c_str("needles");
    found.len = 77;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_find_exact(&hay, &missing, &found));
    CHECK_INT_EQ(AWS_ERROR_STRING_MATCH_NOT_FOUND, aws_last_error());
    CHECK_INT_EQ(77, found.len);
    struct aws_byte_cursor longer = aws_byte_cursor_from_c_str("a needle in a haystack needle!");
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_find_exact(&hay, &longer, &found));
    CHECK_INT_EQ(AWS_ERROR_STRING_MATCH_NOT_FOUND, aws_last_error());
    struct aws_byte_cursor empty = aws_byte_cursor_from_c_str("");
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_find_exact(&hay, &empty, &found));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_last_error());

    /* next_split edge cases, with a bound on the iterations. */
    struct {
        const char *input;
        int count;
        const char *pieces[4];
    } cases[] = {
        {"", 1, {""}},
        {";A", 2, {"", "A"}},
        {"A;;B", 3, {"A", "", "B"}},
        {"A;", 2, {"A", ""}},
        {"abc", 1, {"abc"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); ++i) {
        struct aws_byte_cursor input = aws_byte_cursor_from_c_str(cases[i].input);
        struct aws_byte_cursor piece = {0};
        int n = 0;
        while (n < 10 && aws_byte_cursor_next_split(&input, ';', &piece)) {
            if (n < cases[i].count) {
                CHECK(aws_byte_cursor_eq_c_str(&piece, cases[i].pieces[n]));
            }
            ++n;
        }
        CHECK_INT_EQ(cases[i].count, n);
        CHECK(piece.ptr == NULL && piece.len == 0);
    }

    /* A zeroed input gives one empty piece. */
    struct aws_byte_cursor zero = {0};
    struct aws_byte_cursor piece = {0};
    CHECK(aws_byte_cursor_next_split(&zero, ',', &piece));
    CHECK_INT_EQ(0, piece.len);
    CHECK(piece.ptr != NULL);
    CHECK(!aws_byte_cursor_next_split(&zero, ',', &piece));

    /* Multi-byte separator. */
    struct aws_byte_cursor input = aws_byte_cursor_from_c_str("a--bb----c");
    struct aws_byte_cursor sep = aws_byte_cursor_from_c_str("--");
    const char *want[] = {"a", "bb", "", "c"};
    int n = 0;
    memset(&piece, 0, sizeof(piece));
    while (n < 10 && aws_byte_cursor_next_split_on_cursor(&input, sep, &piece)) {
        if (n < 4) {
            CHECK(aws_byte_cursor_eq_c_str(&piece, want[n]));
        }
        ++n;
    }
    CHECK_INT_EQ(4, n);
}

static bool s_is_x(uint8_t c) {
    return c == 'x';
}

static void test_trim(void) {
    struct aws_byte_cursor padded = aws_byte_cursor_from_c_str(" \t\v hello world\r\n\f ");
    struct aws_byte_cursor t = aws_byte_cursor_trim_pred(&padded, aws_isspace);
    CHECK(aws_byte_cursor_eq_c_str(&t, "hello world"));
    t = aws_byte_cursor_left_trim_pred(&padded, aws_isspace);
    CHECK(aws_byte_cursor_eq_c_str(&t, "hello world\r\n\f "));
    t = aws_byte_cursor_right_trim_pred(&padded, aws_char_is_space);
    CHECK(aws_byte_cursor_eq_c_str(&t, " \t\v hello world"));
    struct aws_byte_cursor xs = aws_byte_cursor_from_c_str("xxx");
    t = aws_byte_cursor_trim_pred(&xs, s_is_x);
    CHECK_INT_EQ(0, t.len);
    CHECK(aws_byte_cursor_satisfies_pred(&xs, s_is_x));
    CHECK(!aws_byte_cursor_satisfies_pred(&padded, s_is_x));
    struct aws_byte_cursor empty = {0};
    CHECK(aws_byte_cursor_satisfies_pred(&empty, s_is_x));
    t = aws_byte_cursor_trim_pred(&empty, s_is_x);
    CHECK(t.len == 0 && t.ptr == NULL);
}

static void test_char_classes(void) {
    for (int i = 0; i < 256; ++i) {
        uint8_t c = (uint8_t)i;
        bool digit = c >= '0' && c <= '9';
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool xdigit = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        bool space = c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
        CHECK_INT_EQ(digit, aws_isdigit(c));
        CHECK_INT_EQ(alpha, aws_isalpha(c));
        CHECK_INT_EQ(alpha || digit, aws_isalnum(c));
        CHECK_INT_EQ(xdigit, aws_isxdigit(c));
        CHECK_INT_EQ(space, aws_isspace(c));
        CHECK_INT_EQ(space, aws_char_is_space(c));
    }
}

static void test_parse_numbers(void) {
    uint64_t u = 99;
    int64_t i = 99;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_cursor_utf8_parse_u64(aws_byte_cursor_from_c_str("00004"), &u));
    CHECK(u == 4);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_cursor_utf8_parse_u64(aws_byte_cursor_from_c_str("18446744073709551615"), &u));
    CHECK(u == UINT64_MAX);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_utf8_parse_u64(aws_byte_cursor_from_c_str("18446744073709551616"), &u));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    const char *bad[] = {"", "-1", "1,000", " 0", "0x0", "FF"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); ++k) {
        aws_reset_error();
        CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_utf8_parse_u64(aws_byte_cursor_from_c_str(bad[k]), &u));
        CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_cursor_utf8_parse_i64(aws_byte_cursor_from_c_str("-9223372036854775808"), &i));
    CHECK(i == INT64_MIN);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_cursor_utf8_parse_i64(aws_byte_cursor_from_c_str("123"), &i));
    CHECK(i == 123);
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_utf8_parse_i64(aws_byte_cursor_from_c_str("9223372036854775808"), &i));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_utf8_parse_i64(aws_byte_cursor_from_c_str("-"), &i));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(i == 123);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_cursor_utf8_parse_u64_hex(aws_byte_cursor_from_c_str("Ff"), &u));
    CHECK(u == 255);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_cursor_utf8_parse_u64_hex(aws_byte_cursor_from_c_str("FFFFFFFFFFFFFFFF"), &u));
    CHECK(u == UINT64_MAX);
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_utf8_parse_u64_hex(aws_byte_cursor_from_c_str("10000000000000000"), &u));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_cursor_utf8_parse_u64_hex(aws_byte_cursor_from_c_str("0x1"), &u));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(u == 0); /* unsigned parses zero the output on failure */
}

int main(void) {
    counting_allocator_init(&s_alloc);
    RUN_TEST(test_init_and_clean_up);
    RUN_TEST(test_init_copy);
    RUN_TEST(test_borrowed_constructors);
    RUN_TEST(test_validity);
    RUN_TEST(test_append_fixed);
    RUN_TEST(test_append_dynamic);
    RUN_TEST(test_reserve);
    RUN_TEST(test_allocation_failure_aborts);
    RUN_TEST(test_writes);
    RUN_TEST(test_buf_compare);
    RUN_TEST(test_cursor_advance_and_read);
    RUN_TEST(test_cursor_compare);
    RUN_TEST(test_find_and_split);
    RUN_TEST(test_trim);
    RUN_TEST(test_char_classes);
    RUN_TEST(test_parse_numbers);
    CHECK_INT_EQ(0, s_alloc.live);
    return TEST_RESULT();
}
