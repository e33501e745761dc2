/* The exported (non-inline) aws_array_list functions, driving the struct fields
 * directly so this test does not depend on the inline helpers. */
#include <aws/common/common.h>

#include "test_helpers.h"

static struct aws_allocator *s_alloc;

static int s_cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void test_ensure_capacity(void) {
    struct aws_array_list list = {.alloc = s_alloc, .item_size = sizeof(int)};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_ensure_capacity(&list, 3));
    CHECK_INT_EQ(4 * sizeof(int), list.current_size);
    CHECK(list.data != NULL);
    int *items = list.data;
    for (int i = 0; i < 4; i++) {
        items[i] = i * 11;
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_ensure_capacity(&list, 2)); /* already fits */
    CHECK_INT_EQ(4 * sizeof(int), list.current_size);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_ensure_capacity(&list, 4)); /* doubles */
    CHECK_INT_EQ(8 * sizeof(int), list.current_size);
    CHECK_INT_EQ(33, ((int *)list.data)[3]); /* contents kept */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_ensure_capacity(&list, 99)); /* exact when more than double */
    CHECK_INT_EQ(100 * sizeof(int), list.current_size);

    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_ensure_capacity(&list, SIZE_MAX));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_ensure_capacity(&list, SIZE_MAX / 2));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(100 * sizeof(int), list.current_size);

    list.length = 3;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_shrink_to_fit(&list));
    CHECK_INT_EQ(3 * sizeof(int), list.current_size);
    CHECK_INT_EQ(22, ((int *)list.data)[2]);
    list.length = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_shrink_to_fit(&list));
    CHECK(list.data == NULL && list.current_size == 0);

    int storage[4];
    struct aws_array_list fixed = {.current_size = sizeof(storage), .item_size = sizeof(int), .data = storage};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_ensure_capacity(&fixed, 3));
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_ensure_capacity(&fixed, 4));
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());
    CHECK(fixed.data == storage && fixed.current_size == sizeof(storage));
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_shrink_to_fit(&fixed));
    CHECK_INT_EQ(AWS_ERROR_LIST_STATIC_MODE_CANT_SHRINK, aws_last_error());
}

static void test_copy_swap_sort(void) {
    int src_items[5] = {5, 3, 9, 1, 7};
    struct aws_array_list src = {
        .current_size = sizeof(src_items), .length = 5, .item_size = sizeof(int), .data = src_items};

    int small[2] = {-1, -1};
    struct aws_array_list too_small = {.current_size = sizeof(small), .item_size = sizeof(int), .data = small};
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_copy(&src, &too_small));
    CHECK_INT_EQ(AWS_ERROR_DEST_COPY_TOO_SMALL, aws_last_error());
    CHECK_INT_EQ(-1, small[0]);
    CHECK_INT_EQ(0, too_small.length);

    struct aws_array_list dst = {.alloc = s_alloc, .item_size = sizeof(int)};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_copy(&src, &dst));
    CHECK_INT_EQ(5, dst.length);
    CHECK_MEM_EQ(src_items, sizeof(src_items), dst.data, dst.length * sizeof(int));

    aws_array_list_swap(&dst, 0, 4);
    aws_array_list_swap(&dst, 2, 2);
    const int swapped[5] = {7, 3, 9, 1, 5};
    CHECK_MEM_EQ(swapped, sizeof(swapped), dst.data, 5 * sizeof(int));

    aws_array_list_sort(&dst, s_cmp_int);
    const int sorted[5] = {1, 3, 5, 7, 9};
    CHECK_MEM_EQ(sorted, sizeof(sorted), dst.data, 5 * sizeof(int));

    /* swapping items larger than any internal buffer */
    struct big {
        unsigned char bytes[300];
    } bigs[2];
    memset(&bigs[0], 1, sizeof(bigs[0]));
    memset(&bigs[1], 2, sizeof(bigs[1]));
    struct aws_array_list big_list = {
        .current_size = sizeof(bigs), .length = 2, .item_size = sizeof(struct big), .data = bigs};
    aws_array_list_swap(&big_list, 0, 1);
    CHECK(bigs[0].bytes[299] == 2 && bigs[1].bytes[0] == 1);

    aws_mem_release(s_alloc, dst.data);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    RUN_TEST(test_ensure_capacity);
    RUN_TEST(test_copy_swap_sort);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
