/* The header-only container helpers: aws_array_list_* (static and dynamic
 * mode, every error path) and aws_linked_list_* (every inline, both
 * iteration directions). */
#include <stddef.h>

/* aws_array_list_ensure_capacity (dynamic growth) and aws_fatal_assert are
 * library exports that may not be implemented yet. Declaring them weak
 * before the headers lets this program link either way; the growth cases
 * run as soon as the library provides the function. */
struct aws_array_list;
int aws_array_list_ensure_capacity(struct aws_array_list *list, size_t index) __attribute__((weak));
void aws_fatal_assert(const char *cond_str, const char *file, int line) __attribute__((weak, noreturn));

#include <aws/common/array_list.h>
#include <aws/common/common.h>
#include <aws/common/linked_list.h>

#include "test_helpers.h"

/* ---- a counting allocator: leak check and secure-zero check ----------------- */

struct counting_allocator {
    size_t acquired;
    size_t released;
    bool fail_next;
    bool last_release_was_zeroed;
    size_t last_acquire_size;
};

struct counted_block {
    size_t size;
    max_align_t align;
};

static void *s_count_acquire(struct aws_allocator *allocator, size_t size) {
    struct counting_allocator *counts = (struct counting_allocator *)allocator->impl;
    if (counts->fail_next) {
        counts->fail_next = false;
        return NULL;
    }
    struct counted_block *block = (struct counted_block *)malloc(sizeof(struct counted_block) + size);
    if (!block) {
        return NULL;
    }
    block->size = size;
    /* A non-zero fill keeps the "was zeroed on release" check meaningful (and
     * defined) for bytes the list never wrote. */
    memset(block + 1, 0xAB, size);
    counts->acquired++;
    counts->last_acquire_size = size;
    return block + 1;
}

static void s_count_release(struct aws_allocator *allocator, void *ptr) {
    struct counting_allocator *counts = (struct counting_allocator *)allocator->impl;
    struct counted_block *block = (struct counted_block *)ptr - 1;
    counts->last_release_was_zeroed = aws_is_mem_zeroed(ptr, block->size);
    counts->released++;
    free(block);
}

static struct counting_allocator s_counts;
static struct aws_allocator s_counting_allocator = {
    .mem_acquire = s_count_acquire,
    .mem_release = s_count_release,
    .impl = &s_counts,
};

static void s_reset_counts(void) {
    memset(&s_counts, 0, sizeof(s_counts));
}

static bool s_have_ensure_capacity(void) {
    return aws_array_list_ensure_capacity != NULL;
}

/* ---- array list, static mode ------------------------------------------------- */

static void array_list_static_empty(void) {
    int storage[4] = {7, 7, 7, 7};
    struct aws_array_list list;
    aws_array_list_init_static(&list, storage, AWS_ARRAY_SIZE(storage), sizeof(int));

    CHECK(list.alloc == NULL);
    CHECK(list.data == (void *)storage);
    CHECK_INT_EQ(0, aws_array_list_length(&list));
    CHECK_INT_EQ(4, aws_array_list_capacity(&list));
    CHECK_INT_EQ(4 * sizeof(int), list.current_size);
    CHECK(aws_array_list_is_valid(&list));

    int out = 42;
    void *out_ptr = &out;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_front(&list, &out));
    CHECK_INT_EQ(AWS_ERROR_LIST_EMPTY, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_back(&list, &out));
    CHECK_INT_EQ(AWS_ERROR_LIST_EMPTY, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_pop_back(&list));
    CHECK_INT_EQ(AWS_ERROR_LIST_EMPTY, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_pop_front(&list));
    CHECK_INT_EQ(AWS_ERROR_LIST_EMPTY, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_get_at(&list, &out, 0));
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_get_at_ptr(&list, &out_ptr, 0));
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_erase(&list, 0));
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());
    CHECK_INT_EQ(42, out);
    CHECK(out_ptr == &out);

    aws_array_list_pop_front_n(&list, 3); /* no-op on an empty list */
    CHECK_INT_EQ(0, aws_array_list_length(&list));
}

static void array_list_static_push_get_full(void) {
    int storage[4] = {0};
    struct aws_array_list list;
    aws_array_list_init_static(&list, storage, 4, sizeof(int));

    for (int i = 0; i < 4; ++i) {
        int v = 10 * (i + 1);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_back(&list, &v));
    }
    CHECK_INT_EQ(4, aws_array_list_length(&list));
    CHECK_INT_EQ(10, storage[0]);
    CHECK_INT_EQ(40, storage[3]);

    /* Full: both pushes fail with EXCEEDS_MAX_SIZE and change nothing. */
    int extra = 99;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_push_back(&list, &extra));
    CHECK_INT_EQ(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_push_front(&list, &extra));
    CHECK_INT_EQ(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE, aws_last_error());
    CHECK_INT_EQ(4, aws_array_list_length(&list));
    int expected[4] = {10, 20, 30, 40};
    CHECK_MEM_EQ(expected, sizeof(expected), storage, sizeof(storage));

    /* set_at past a static list's end is INVALID_INDEX, not EXCEEDS_MAX_SIZE. */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_set_at(&list, &extra, 4));
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());
    /* An index whose byte size overflows is reported as overflow. */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_set_at(&list, &extra, SIZE_MAX));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_set_at(&list, &extra, SIZE_MAX / 2));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_MEM_EQ(expected, sizeof(expected), storage, sizeof(storage));

    int out = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_front(&list, &out));
    CHECK_INT_EQ(10, out);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_back(&list, &out));
    CHECK_INT_EQ(40, out);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_get_at(&list, &out, 2));
    CHECK_INT_EQ(30, out);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_get_at(&list, &out, 4));
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());
    CHECK_INT_EQ(30, out);

    /* get_at_ptr hands out the slot itself. */
    int *slot = NULL;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_get_at_ptr(&list, (void **)&slot, 1));
    CHECK(slot == &storage[1]);
    *slot = 21;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_get_at(&list, &out, 1));
    CHECK_INT_EQ(21, out);

    /* set_at inside the length overwrites and keeps the length. */
    int v = 33;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_set_at(&list, &v, 2));
    CHECK_INT_EQ(33, storage[2]);
    CHECK_INT_EQ(4, aws_array_list_length(&list));

    /* clean_up of a static list leaves the caller's array alone. */
    aws_array_list_clean_up(&list);
    CHECK(AWS_IS_ZEROED(list));
    CHECK_INT_EQ(10, storage[0]);
}

static void array_list_static_set_at_extends(void) {
    uint64_t storage[5] = {0};
    struct aws_array_list list;
    aws_array_list_init_static(&list, storage, 5, sizeof(uint64_t));
    uint64_t v = 0xABCDEF;
    /* Storing past the end (but inside the array) grows the length to index+1. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_set_at(&list, &v, 3));
    CHECK_INT_EQ(4, aws_array_list_length(&list));
    CHECK(storage[3] == v);
    v = 5;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_set_at(&list, &v, 4));
    CHECK_INT_EQ(5, aws_array_list_length(&list));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_set_at(&list, &v, 0));
    CHECK_INT_EQ(5, aws_array_list_length(&list));
}

static void array_list_static_push_front_pop_erase(void) {
    int storage[5] = {0};
    struct aws_array_list list;
    aws_array_list_init_static(&list, storage, 5, sizeof(int));
    for (int i = 1; i <= 5; ++i) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_front(&list, &i));
    }
    int expected_pf[5] = {5, 4, 3, 2, 1};
    CHECK_MEM_EQ(expected_pf, sizeof(expected_pf), storage, sizeof(storage));

    /* pop_back zeroes the freed slot. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_pop_back(&list));
    CHECK_INT_EQ(4, aws_array_list_length(&list));
    CHECK_INT_EQ(0, storage[4]);

    /* pop_front shifts everything down. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_pop_front(&list));
    CHECK_INT_EQ(3, aws_array_list_length(&list));
    int out = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_front(&list, &out));
    CHECK_INT_EQ(4, out); /* list: 4 3 2 */

    /* erase: middle, out of range, last, first. */
    int more = 1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_back(&list, &more)); /* 4 3 2 1 */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_erase(&list, 1));         /* 4 2 1 */
    CHECK_INT_EQ(3, aws_array_list_length(&list));
    CHECK_INT_EQ(4, storage[0]);
    CHECK_INT_EQ(2, storage[1]);
    CHECK_INT_EQ(1, storage[2]);
    CHECK_INT_EQ(0, storage[3]); /* vacated slot zeroed */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_erase(&list, 3));
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());
    CHECK_INT_EQ(3, aws_array_list_length(&list));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_erase(&list, 2)); /* 4 2 */
    CHECK_INT_EQ(0, storage[2]);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_erase(&list, 0)); /* 2 */
    CHECK_INT_EQ(1, aws_array_list_length(&list));
    CHECK_INT_EQ(2, storage[0]);

    /* clear keeps the storage. */
    aws_array_list_clear(&list);
    CHECK_INT_EQ(0, aws_array_list_length(&list));
    CHECK_INT_EQ(5, aws_array_list_capacity(&list));
    CHECK(list.data == (void *)storage);
}

static void array_list_static_pop_front_n(void) {
    int storage[6] = {1, 2, 3, 4, 5, 6};
    struct aws_array_list list;
    aws_array_list_init_static_from_initialized(&list, storage, 6, sizeof(int));
    CHECK_INT_EQ(6, aws_array_list_length(&list));
    CHECK(aws_array_list_is_valid(&list));

    /* Already full: nothing more can go in. */
    int v = 7;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_push_back(&list, &v));
    CHECK_INT_EQ(AWS_ERROR_LIST_EXCEEDS_MAX_SIZE, aws_last_error());

    aws_array_list_pop_front_n(&list, 0);
    CHECK_INT_EQ(6, aws_array_list_length(&list));
    aws_array_list_pop_front_n(&list, 2);
    CHECK_INT_EQ(4, aws_array_list_length(&list));
    int out = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_front(&list, &out));
    CHECK_INT_EQ(3, out);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_back(&list, &out));
    CHECK_INT_EQ(6, out);
    aws_array_list_pop_front_n(&list, 4); /* exactly the length: clears */
    CHECK_INT_EQ(0, aws_array_list_length(&list));
    CHECK_INT_EQ(6, aws_array_list_capacity(&list));

    aws_array_list_init_static_from_initialized(&list, storage, 6, sizeof(int));
    aws_array_list_pop_front_n(&list, 100);
    CHECK_INT_EQ(0, aws_array_list_length(&list));
}

static void array_list_is_valid_rejects(void) {
    int storage[2];
    struct aws_array_list list;
    CHECK(!aws_array_list_is_valid(NULL));
    aws_array_list_init_static(&list, storage, 2, sizeof(int));
    struct aws_array_list bad = list;
    bad.item_size = 0;
    CHECK(!aws_array_list_is_valid(&bad));
    bad = list;
    bad.length = 3; /* more items than storage */
    CHECK(!aws_array_list_is_valid(&bad));
    bad = list;
    bad.data = NULL; /* storage size without storage */
    CHECK(!aws_array_list_is_valid(&bad));
    bad = list;
    bad.length = SIZE_MAX; /* byte size overflows */
    CHECK(!aws_array_list_is_valid(&bad));
    /* A zeroed list is cleaned-up, not valid; clean_up and clear accept it. */
    AWS_ZERO_STRUCT(bad);
    CHECK(!aws_array_list_is_valid(&bad));
    aws_array_list_clear(&bad);
    aws_array_list_clean_up(&bad);
    CHECK(AWS_IS_ZEROED(bad));
}

/* ---- array list, dynamic mode ------------------------------------------------ */

static void array_list_dynamic_init(void) {
    s_reset_counts();
    struct aws_array_list list;

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_init_dynamic(&list, &s_counting_allocator, 0, sizeof(int)));
    CHECK(list.alloc == &s_counting_allocator);
    CHECK(list.data == NULL);
    CHECK_INT_EQ(0, list.current_size);
    CHECK_INT_EQ(0, aws_array_list_capacity(&list));
    CHECK_INT_EQ(sizeof(int), list.item_size);
    CHECK(aws_array_list_is_valid(&list));
    CHECK_INT_EQ(0, s_counts.acquired);
    aws_array_list_clean_up(&list);
    CHECK_INT_EQ(0, s_counts.released);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_init_dynamic(&list, &s_counting_allocator, 8, 16));
    CHECK_INT_EQ(1, s_counts.acquired);
    CHECK_INT_EQ(128, s_counts.last_acquire_size);
    CHECK_INT_EQ(8, aws_array_list_capacity(&list));
    CHECK_INT_EQ(0, aws_array_list_length(&list));
    aws_array_list_clean_up(&list);
    CHECK_INT_EQ(1, s_counts.released);
    CHECK(AWS_IS_ZEROED(list));

    /* Size overflow: error, nothing allocated, list zeroed. */
    memset(&list, 0xAB, sizeof(list));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_init_dynamic(&list, &s_counting_allocator, SIZE_MAX / 2, 4));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK(AWS_IS_ZEROED(list));
    CHECK_INT_EQ(1, s_counts.acquired);

    /* Allocation failure is fatal (aws_mem_acquire aborts), as upstream. */
    CHECK_ABORTS("Unhandled OOM encountered in aws_mem_acquire with allocator", {
        s_counts.fail_next = true;
        aws_array_list_init_dynamic(&list, &s_counting_allocator, 4, 4);
    });
    CHECK(!s_counts.fail_next);
    CHECK_INT_EQ(s_counts.acquired, s_counts.released);
}

static void array_list_dynamic_within_capacity(void) {
    /* Everything here fits the initial allocation: no growth needed. */
    s_reset_counts();
    struct aws_array_list list;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_init_dynamic(&list, &s_counting_allocator, 4, sizeof(uint32_t)));
    uint32_t v = 1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_back(&list, &v));
    v = 2;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_front(&list, &v));
    v = 3;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_set_at(&list, &v, 3)); /* 2 1 ? 3 */
    CHECK_INT_EQ(4, aws_array_list_length(&list));
    uint32_t out = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_get_at(&list, &out, 0));
    CHECK_INT_EQ(2, out);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_get_at(&list, &out, 1));
    CHECK_INT_EQ(1, out);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_back(&list, &out));
    CHECK_INT_EQ(3, out);
    CHECK_INT_EQ(1, s_counts.acquired);

    /* clean_up_secure wipes before releasing. */
    aws_array_list_clean_up_secure(&list);
    CHECK_INT_EQ(1, s_counts.released);
    CHECK(s_counts.last_release_was_zeroed);
    CHECK(AWS_IS_ZEROED(list));
}

static void array_list_dynamic_growth(void) {
    if (!s_have_ensure_capacity()) {
        fprintf(stderr, "SKIP array_list_dynamic_growth: aws_array_list_ensure_capacity not exported yet\n");
        return;
    }
    s_reset_counts();
    struct aws_array_list list;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_init_dynamic(&list, &s_counting_allocator, 0, sizeof(size_t)));
    for (size_t i = 0; i < 100; ++i) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_back(&list, &i));
    }
    CHECK_INT_EQ(100, aws_array_list_length(&list));
    CHECK(aws_array_list_capacity(&list) >= 100);
    for (size_t i = 0; i < 100; ++i) {
        size_t out = SIZE_MAX;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_get_at(&list, &out, i));
        CHECK_INT_EQ(i, out);
    }

    /* push_front on a full dynamic list grows it too. */
    while (aws_array_list_length(&list) < aws_array_list_capacity(&list)) {
        size_t filler = 7;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_back(&list, &filler));
    }
    size_t cap = aws_array_list_capacity(&list);
    size_t front = 12345;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_front(&list, &front));
    CHECK(aws_array_list_capacity(&list) > cap);
    size_t out = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_front(&list, &out));
    CHECK_INT_EQ(12345, out);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_get_at(&list, &out, 1));
    CHECK_INT_EQ(0, out);

    /* set_at far past the end grows to exactly cover it. */
    size_t far = 999;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_set_at(&list, &far, 1000));
    CHECK_INT_EQ(1001, aws_array_list_length(&list));
    CHECK(aws_array_list_capacity(&list) >= 1001);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_back(&list, &out));
    CHECK_INT_EQ(999, out);

    /* An impossible size is refused without touching the list. */
    size_t len_before = aws_array_list_length(&list);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_array_list_set_at(&list, &far, SIZE_MAX));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
    CHECK_INT_EQ(len_before, aws_array_list_length(&list));

    aws_array_list_clean_up(&list);
    CHECK(s_counts.acquired > 1);
    CHECK_INT_EQ(s_counts.acquired, s_counts.released);
}

static void array_list_swap_contents(void) {
    s_reset_counts();
    struct aws_array_list a;
    struct aws_array_list b;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_init_dynamic(&a, &s_counting_allocator, 2, sizeof(int)));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_init_dynamic(&b, &s_counting_allocator, 3, sizeof(int)));
    int v = 1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_back(&a, &v));
    v = 2;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_back(&b, &v));
    v = 3;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_push_back(&b, &v));
    void *a_data = a.data;
    void *b_data = b.data;

    aws_array_list_swap_contents(&a, &b);
    CHECK(a.data == b_data);
    CHECK(b.data == a_data);
    CHECK_INT_EQ(2, aws_array_list_length(&a));
    CHECK_INT_EQ(1, aws_array_list_length(&b));
    CHECK_INT_EQ(3, aws_array_list_capacity(&a));
    CHECK_INT_EQ(2, aws_array_list_capacity(&b));
    int out = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_back(&a, &out));
    CHECK_INT_EQ(3, out);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_front(&b, &out));
    CHECK_INT_EQ(1, out);

    aws_array_list_clean_up(&a);
    aws_array_list_clean_up(&b);
    CHECK_INT_EQ(2, s_counts.released);
    CHECK_INT_EQ(s_counts.acquired, s_counts.released);
}

/* ---- linked list ------------------------------------------------------------- */

struct item {
    int value;
    struct aws_linked_list_node node;
};

/* Copies the values front-to-back (or back-to-front) into out; returns the
 * count, at most max. */
static size_t s_collect(const struct aws_linked_list *list, int *out, size_t max, bool reverse) {
    size_t n = 0;
    if (!reverse) {
        for (struct aws_linked_list_node *it = aws_linked_list_begin(list);
             it != aws_linked_list_end(list) && n < max;
             it = aws_linked_list_next(it)) {
            out[n++] = AWS_CONTAINER_OF(it, struct item, node)->value;
        }
    } else {
        for (struct aws_linked_list_node *it = aws_linked_list_rbegin(list);
             it != aws_linked_list_rend(list) && n < max;
             it = aws_linked_list_prev(it)) {
            out[n++] = AWS_CONTAINER_OF(it, struct item, node)->value;
        }
    }
    return n;
}

#define CHECK_LIST(list, ...)                                                                                          \
    do {                                                                                                               \
        int expected_[] = {__VA_ARGS__};                                                                               \
        size_t n_ = AWS_ARRAY_SIZE(expected_);                                                                         \
        int got_[32];                                                                                                  \
        int rgot_[32];                                                                                                 \
        size_t gn_ = s_collect((list), got_, 32, false);                                                               \
        size_t rn_ = s_collect((list), rgot_, 32, true);                                                               \
        CHECK_MEM_EQ(expected_, n_ * sizeof(int), got_, gn_ * sizeof(int));                                            \
        CHECK_INT_EQ(n_, rn_);                                                                                         \
        for (size_t i_ = 0; i_ < rn_ && i_ < n_; ++i_) {                                                               \
            CHECK_INT_EQ(expected_[n_ - 1 - i_], rgot_[i_]);                                                           \
        }                                                                                                              \
        CHECK(aws_linked_list_is_valid(list));                                                                         \
        CHECK(aws_linked_list_is_valid_deep(list));                                                                    \
    } while (0)

static void s_init_items(struct item *items, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        items[i].value = (int)i + 1;
        aws_linked_list_node_reset(&items[i].node);
    }
}

static void linked_list_empty(void) {
    struct aws_linked_list list;
    aws_linked_list_init(&list);
    CHECK(aws_linked_list_empty(&list));
    CHECK(aws_linked_list_is_valid(&list));
    CHECK(aws_linked_list_is_valid_deep(&list));
    CHECK(aws_linked_list_begin(&list) == aws_linked_list_end(&list));
    CHECK(aws_linked_list_rbegin(&list) == aws_linked_list_rend(&list));
    CHECK(aws_linked_list_end(&list) == &list.tail);
    CHECK(aws_linked_list_rend(&list) == &list.head);
    CHECK(list.head.prev == NULL);
    CHECK(list.tail.next == NULL);

    CHECK(!aws_linked_list_is_valid(NULL));
    CHECK(!aws_linked_list_is_valid_deep(NULL));
    struct aws_linked_list zeroed;
    AWS_ZERO_STRUCT(zeroed);
    CHECK(!aws_linked_list_is_valid(&zeroed));
}

static void linked_list_push_pop(void) {
    struct item items[4];
    s_init_items(items, 4);
    struct aws_linked_list list;
    aws_linked_list_init(&list);

    CHECK(!aws_linked_list_node_is_in_list(&items[0].node));
    aws_linked_list_push_back(&list, &items[1].node);  /* 2 */
    aws_linked_list_push_back(&list, &items[2].node);  /* 2 3 */
    aws_linked_list_push_front(&list, &items[0].node); /* 1 2 3 */
    aws_linked_list_push_back(&list, &items[3].node);  /* 1 2 3 4 */
    CHECK(!aws_linked_list_empty(&list));
    CHECK_LIST(&list, 1, 2, 3, 4);
    CHECK(aws_linked_list_node_is_in_list(&items[0].node));
    CHECK(aws_linked_list_front(&list) == &items[0].node);
    CHECK(aws_linked_list_back(&list) == &items[3].node);

    struct aws_linked_list_node *n = aws_linked_list_pop_front(&list);
    CHECK(n == &items[0].node);
    CHECK(n->next == NULL && n->prev == NULL);
    CHECK(!aws_linked_list_node_is_in_list(n));
    n = aws_linked_list_pop_back(&list);
    CHECK(n == &items[3].node);
    CHECK(n->next == NULL && n->prev == NULL);
    CHECK_LIST(&list, 2, 3);

    aws_linked_list_pop_back(&list);
    aws_linked_list_pop_back(&list);
    CHECK(aws_linked_list_empty(&list));
    CHECK(aws_linked_list_is_valid_deep(&list));
}

static void linked_list_insert_remove(void) {
    struct item items[5];
    s_init_items(items, 5);
    struct aws_linked_list list;
    aws_linked_list_init(&list);
    aws_linked_list_push_back(&list, &items[0].node);                 /* 1 */
    aws_linked_list_push_back(&list, &items[4].node);                 /* 1 5 */
    aws_linked_list_insert_after(&items[0].node, &items[1].node);     /* 1 2 5 */
    aws_linked_list_insert_before(&items[4].node, &items[3].node);    /* 1 2 4 5 */
    aws_linked_list_insert_after(&items[1].node, &items[2].node);     /* 1 2 3 4 5 */
    CHECK_LIST(&list, 1, 2, 3, 4, 5);
    CHECK(aws_linked_list_next(&items[2].node) == &items[3].node);
    CHECK(aws_linked_list_prev(&items[2].node) == &items[1].node);
    CHECK(aws_linked_list_node_next_is_valid(&items[2].node));
    CHECK(aws_linked_list_node_prev_is_valid(&items[2].node));

    aws_linked_list_remove(&items[2].node);
    CHECK(items[2].node.next == NULL && items[2].node.prev == NULL);
    CHECK(!aws_linked_list_node_next_is_valid(&items[2].node));
    CHECK(!aws_linked_list_node_prev_is_valid(&items[2].node));
    CHECK_LIST(&list, 1, 2, 4, 5);
    aws_linked_list_remove(&items[0].node);
    aws_linked_list_remove(&items[4].node);
    CHECK_LIST(&list, 2, 4);

    /* Inserting at the sentinels is push_front / push_back. */
    aws_linked_list_insert_after(&list.head, &items[0].node);
    aws_linked_list_insert_before(&list.tail, &items[4].node);
    CHECK_LIST(&list, 1, 2, 4, 5);

    /* A corrupted back link is caught by the deep check only. */
    struct aws_linked_list_node *saved = items[1].node.prev;
    items[1].node.prev = &items[3].node;
    CHECK(aws_linked_list_is_valid(&list));
    CHECK(!aws_linked_list_is_valid_deep(&list));
    items[1].node.prev = saved;
    CHECK(aws_linked_list_is_valid_deep(&list));
}

static void linked_list_swap_nodes(void) {
    struct item items[5];
    s_init_items(items, 5);
    struct aws_linked_list list;
    aws_linked_list_init(&list);
    for (int i = 0; i < 5; ++i) {
        aws_linked_list_push_back(&list, &items[i].node);
    }
    aws_linked_list_swap_nodes(&items[1].node, &items[3].node); /* apart */
    CHECK_LIST(&list, 1, 4, 3, 2, 5);
    aws_linked_list_swap_nodes(&items[2].node, &items[1].node); /* adjacent, b after a */
    CHECK_LIST(&list, 1, 4, 2, 3, 5);
    aws_linked_list_swap_nodes(&items[3].node, &items[1].node); /* adjacent, b before a */
    CHECK_LIST(&list, 1, 2, 4, 3, 5);
    aws_linked_list_swap_nodes(&items[0].node, &items[4].node); /* first and last */
    CHECK_LIST(&list, 5, 2, 4, 3, 1);
    aws_linked_list_swap_nodes(&items[2].node, &items[2].node); /* itself */
    CHECK_LIST(&list, 5, 2, 4, 3, 1);

    /* Across two lists. */
    struct item other[2];
    s_init_items(other, 2);
    other[0].value = 10;
    other[1].value = 20;
    struct aws_linked_list list2;
    aws_linked_list_init(&list2);
    aws_linked_list_push_back(&list2, &other[0].node);
    aws_linked_list_push_back(&list2, &other[1].node);
    aws_linked_list_swap_nodes(&items[2].node, &other[1].node);
    CHECK_LIST(&list, 5, 2, 4, 20, 1);
    CHECK_LIST(&list2, 10, 3);
}

static void linked_list_swap_contents(void) {
    struct item items[5];
    s_init_items(items, 5);
    struct aws_linked_list a;
    struct aws_linked_list b;
    aws_linked_list_init(&a);
    aws_linked_list_init(&b);
    aws_linked_list_push_back(&a, &items[0].node);
    aws_linked_list_push_back(&a, &items[1].node);
    aws_linked_list_push_back(&b, &items[2].node);
    aws_linked_list_push_back(&b, &items[3].node);
    aws_linked_list_push_back(&b, &items[4].node);

    aws_linked_list_swap_contents(&a, &b);
    CHECK_LIST(&a, 3, 4, 5);
    CHECK_LIST(&b, 1, 2);

    /* One side empty, either way round. */
    struct aws_linked_list empty;
    aws_linked_list_init(&empty);
    aws_linked_list_swap_contents(&a, &empty);
    CHECK(aws_linked_list_empty(&a));
    CHECK(aws_linked_list_is_valid_deep(&a));
    CHECK_LIST(&empty, 3, 4, 5);
    aws_linked_list_swap_contents(&a, &empty);
    CHECK_LIST(&a, 3, 4, 5);
    CHECK(aws_linked_list_empty(&empty));

    /* Both empty. */
    struct aws_linked_list empty2;
    aws_linked_list_init(&empty2);
    aws_linked_list_swap_contents(&empty, &empty2);
    CHECK(aws_linked_list_empty(&empty));
    CHECK(aws_linked_list_empty(&empty2));
    CHECK(aws_linked_list_is_valid_deep(&empty));
    CHECK(aws_linked_list_is_valid_deep(&empty2));
}

static void linked_list_move_all(void) {
    struct item items[6];
    s_init_items(items, 6);
    struct aws_linked_list dst;
    struct aws_linked_list src;
    aws_linked_list_init(&dst);
    aws_linked_list_init(&src);

    /* Into an empty destination. */
    aws_linked_list_push_back(&src, &items[0].node);
    aws_linked_list_push_back(&src, &items[1].node);
    aws_linked_list_move_all_back(&dst, &src);
    CHECK_LIST(&dst, 1, 2);
    CHECK(aws_linked_list_empty(&src));
    CHECK(aws_linked_list_is_valid_deep(&src));

    /* Back of a non-empty destination. */
    aws_linked_list_push_back(&src, &items[2].node);
    aws_linked_list_push_back(&src, &items[3].node);
    aws_linked_list_move_all_back(&dst, &src);
    CHECK_LIST(&dst, 1, 2, 3, 4);
    CHECK(aws_linked_list_empty(&src));

    /* Front of a non-empty destination. */
    aws_linked_list_push_back(&src, &items[4].node);
    aws_linked_list_push_back(&src, &items[5].node);
    aws_linked_list_move_all_front(&dst, &src);
    CHECK_LIST(&dst, 5, 6, 1, 2, 3, 4);
    CHECK(aws_linked_list_empty(&src));

    /* An empty source changes nothing. */
    aws_linked_list_move_all_back(&dst, &src);
    aws_linked_list_move_all_front(&dst, &src);
    CHECK_LIST(&dst, 5, 6, 1, 2, 3, 4);
    CHECK(aws_linked_list_empty(&src));

    /* Front of an empty destination. */
    struct aws_linked_list dst2;
    aws_linked_list_init(&dst2);
    aws_linked_list_move_all_front(&dst2, &dst);
    CHECK_LIST(&dst2, 5, 6, 1, 2, 3, 4);
    CHECK(aws_linked_list_empty(&dst));
    CHECK(aws_linked_list_is_valid_deep(&dst));
}

int main(void) {
    RUN_TEST(array_list_static_empty);
    RUN_TEST(array_list_static_push_get_full);
    RUN_TEST(array_list_static_set_at_extends);
    RUN_TEST(array_list_static_push_front_pop_erase);
    RUN_TEST(array_list_static_pop_front_n);
    RUN_TEST(array_list_is_valid_rejects);
    RUN_TEST(array_list_dynamic_init);
    RUN_TEST(array_list_dynamic_within_capacity);
    RUN_TEST(array_list_dynamic_growth);
    RUN_TEST(array_list_swap_contents);
    RUN_TEST(linked_list_empty);
    RUN_TEST(linked_list_push_pop);
    RUN_TEST(linked_list_insert_remove);
    RUN_TEST(linked_list_swap_nodes);
    RUN_TEST(linked_list_swap_contents);
    RUN_TEST(linked_list_move_all);
    return TEST_RESULT();
}
