/* The out-of-line copies of the inline helpers and the C-variadic functions:
 * looked up by name in the loaded library (as a language binding would) and
 * checked against the values the header inlines give. */
#include <aws/common/byte_buf.h>
#include <aws/common/linked_list.h>
#include <aws/common/math.h>
#include <aws/common/ring_buffer.h>

#include <dlfcn.h>

#include "test_helpers.h"

static void *s_sym(const char *name) {
    void *p = dlsym(RTLD_DEFAULT, name);
    if (!p) {
        fprintf(stderr, "not exported: %s\n", name);
    }
    CHECK(p != NULL);
    return p;
}

static void test_math_copies(void) {
    int (*add_checked)(uint64_t, uint64_t, uint64_t *) = (int (*)(uint64_t, uint64_t, uint64_t *))s_sym("aws_add_u64_checked");
    uint64_t (*mul_sat)(uint64_t, uint64_t) = (uint64_t(*)(uint64_t, uint64_t))s_sym("aws_mul_u64_saturating");
    size_t (*clz)(uint32_t) = (size_t(*)(uint32_t))s_sym("aws_clz_u32");
    uint8_t (*min_u8)(uint8_t, uint8_t) = (uint8_t(*)(uint8_t, uint8_t))s_sym("aws_min_u8");
    if (!add_checked || !mul_sat || !clz || !min_u8) {
        return;
    }
    uint64_t r = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, add_checked(40, 2, &r));
    CHECK_INT_EQ(42, r);
    CHECK_INT_EQ(AWS_OP_ERR, add_checked(UINT64_MAX, 1, &r));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(mul_sat(UINT64_MAX / 2, 3) == UINT64_MAX);
    CHECK_INT_EQ(aws_clz_u32(0x00F00000u), clz(0x00F00000u));
    CHECK_INT_EQ(3, min_u8(7, 3));
}

static void test_list_copies(void) {
    void (*init)(struct aws_linked_list *) = (void (*)(struct aws_linked_list *))s_sym("aws_linked_list_init");
    void (*push_back)(struct aws_linked_list *, struct aws_linked_list_node *) =
        (void (*)(struct aws_linked_list *, struct aws_linked_list_node *))s_sym("aws_linked_list_push_back");
    struct aws_linked_list_node *(*pop_front)(struct aws_linked_list *) =
        (struct aws_linked_list_node * (*)(struct aws_linked_list *)) s_sym("aws_linked_list_pop_front");
    if (!init || !push_back || !pop_front) {
        return;
    }
    struct aws_linked_list list;
    struct aws_linked_list_node a, b;
    init(&list);
    CHECK(aws_linked_list_empty(&list));
    push_back(&list, &a);
    push_back(&list, &b);
    CHECK(aws_linked_list_front(&list) == &a);
    CHECK(pop_front(&list) == &a);
    CHECK(pop_front(&list) == &b);
    CHECK(aws_linked_list_empty(&list));
}

static void test_varargs(void) {
    size_t sum = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_add_size_checked_varargs(3, &sum, (size_t)1, (size_t)2, (size_t)39));
    CHECK_INT_EQ(42, sum);
    CHECK_INT_EQ(AWS_OP_ERR, aws_add_size_checked_varargs(2, &sum, SIZE_MAX, (size_t)1));
    CHECK_INT_EQ(42, sum);

    struct aws_allocator *alloc = aws_default_allocator();
    struct aws_byte_cursor x = aws_byte_cursor_from_c_str("abc");
    struct aws_byte_cursor y = aws_byte_cursor_from_c_str("de");
    struct aws_byte_buf cache;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init_cache_and_update_cursors(&cache, alloc, &x, &y, NULL));
    CHECK_INT_EQ(5, cache.len);
    CHECK(x.ptr == cache.buffer && y.ptr == cache.buffer + 3);

    struct aws_byte_buf out;
    aws_byte_buf_init(&out, alloc, 8);
    struct aws_byte_buf one = aws_byte_buf_from_c_str("12");
    struct aws_byte_buf two = aws_byte_buf_from_c_str("345");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_cat(&out, 2, &one, &two));
    CHECK(out.len == 5 && memcmp(out.buffer, "12345", 5) == 0);
    CHECK_INT_EQ(AWS_OP_ERR, aws_byte_buf_cat(&out, 2, &two, &two));
    aws_byte_buf_clean_up(&out);
    aws_byte_buf_clean_up(&cache);

    void *p1 = NULL, *p2 = NULL;
    void *block = aws_mem_acquire_many(alloc, 2, &p1, (size_t)3, &p2, (size_t)9);
    CHECK(block == p1);
    CHECK((uint8_t *)p2 - (uint8_t *)p1 == (ptrdiff_t)sizeof(intmax_t));
    aws_mem_release(alloc, block);
}

static void test_ring_buffer_copies(void) {
    bool (*is_empty)(const struct aws_ring_buffer *) = (bool (*)(const struct aws_ring_buffer *))s_sym("aws_ring_buffer_is_empty");
    if (!is_empty) {
        return;
    }
    struct aws_ring_buffer ring;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_ring_buffer_init(&ring, aws_default_allocator(), 16));
    CHECK(is_empty(&ring) && aws_ring_buffer_is_empty(&ring));
    struct aws_byte_buf vended;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_ring_buffer_acquire(&ring, 8, &vended));
    CHECK(!is_empty(&ring));
    CHECK(aws_ring_buffer_buf_belongs_to_pool(&ring, &vended));
    aws_ring_buffer_release(&ring, &vended);
    aws_ring_buffer_clean_up(&ring);
}

int main(void) {
    aws_common_library_init(aws_default_allocator());
    test_math_copies();
    test_list_copies();
    test_varargs();
    test_ring_buffer_copies();
    aws_common_library_clean_up();
    return g_test_failures == 0 ? 0 : 1;
}
