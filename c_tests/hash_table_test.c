/* aws_hash_table against our headers: find/put/create/remove/clear/swap/move,
 * destroy callbacks counted exactly, foreach flags, iteration with deletion
 * (including wrap-around shifts), c-string / aws_string / cursor hashing,
 * 100k keys, and allocation failure aborting. Leak-checked with the tracing allocator. */
#include <aws/common/hash_table.h>

#include "test_helpers.h"

static struct aws_allocator *s_alloc;
static int s_keys_destroyed;
static int s_values_destroyed;
static const void *s_last_key_destroyed;
static void *s_last_value_destroyed;

static void s_destroy_key(void *key) {
    s_keys_destroyed++;
    s_last_key_destroyed = key;
}
static void s_destroy_value(void *value) {
    s_values_destroyed++;
    s_last_value_destroyed = value;
}
static void s_reset_counts(void) {
    s_keys_destroyed = s_values_destroyed = 0;
    s_last_key_destroyed = NULL;
    s_last_value_destroyed = NULL;
}

static void test_c_string_put_find_remove(void) {
    struct aws_hash_table t;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_hash_table_init(&t, s_alloc, 10, aws_hash_c_string, aws_hash_callback_c_str_eq, s_destroy_key,
                                     s_destroy_value));
    CHECK(aws_hash_table_is_valid(&t));
    s_reset_counts();
    static char k1[] = "alpha", k2[] = "beta", k3[] = "gamma";
    int v1 = 1, v2 = 2, v3 = 3;
    int created = -1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, k1, &v1, &created));
    CHECK_INT_EQ(1, created);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, k2, &v2, &created));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, k3, &v3, NULL));
    CHECK_INT_EQ(3, aws_hash_table_get_entry_count(&t));

    struct aws_hash_element *e = NULL;
    char probe[] = "beta"; /* equal string, different pointer */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_find(&t, probe, &e));
    CHECK(e != NULL && e->value == &v2 && e->key == k2);
    e = (struct aws_hash_element *)0x1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_find(&t, "delta", &e));
    CHECK(e == NULL);

    /* replace with the same key pointer: only the old value is destroyed */
    int v2b = 22;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, k2, &v2b, &created));
    CHECK_INT_EQ(0, created);
    CHECK_INT_EQ(0, s_keys_destroyed);
    CHECK_INT_EQ(1, s_values_destroyed);
    CHECK(s_last_value_destroyed == &v2);

    /* replace with an equal but different key pointer: old key and value destroyed */
    static char k2_copy[] = "beta";
    int v2c = 222;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, k2_copy, &v2c, &created));
    CHECK_INT_EQ(0, created);
    CHECK_INT_EQ(1, s_keys_destroyed);
    CHECK(s_last_key_destroyed == k2);
    CHECK_INT_EQ(2, s_values_destroyed);
    CHECK(s_last_value_destroyed == &v2b);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_find(&t, "beta", &e));
    CHECK(e && e->key == k2_copy && e->value == &v2c);

    /* remove handing the element back: nothing destroyed */
    struct aws_hash_element out = {0};
    int present = -1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_remove(&t, "alpha", &out, &present));
    CHECK_INT_EQ(1, present);
    CHECK(out.key == k1 && out.value == &v1);
    CHECK_INT_EQ(1, s_keys_destroyed);
    CHECK_INT_EQ(2, s_values_destroyed);

    /* remove without p_value: key and value destroyed */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_remove(&t, "gamma", NULL, &present));
    CHECK_INT_EQ(1, present);
    CHECK_INT_EQ(2, s_keys_destroyed);
    CHECK_INT_EQ(3, s_values_destroyed);
    CHECK(s_last_key_destroyed == k3 && s_last_value_destroyed == &v3);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_remove(&t, "gamma", NULL, &present));
    CHECK_INT_EQ(0, present);
    CHECK_INT_EQ(1, aws_hash_table_get_entry_count(&t));

    /* create: a new element starts with a NULL value */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_create(&t, k1, &e, &created));
    CHECK_INT_EQ(1, created);
    CHECK(e && e->key == k1 && e->value == NULL);
    e->value = &v1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_create(&t, "alpha", &e, &created));
    CHECK_INT_EQ(0, created);
    CHECK(e->value == &v1);

    /* clear destroys the two remaining elements and leaves a usable table */
    aws_hash_table_clear(&t);
    CHECK_INT_EQ(4, s_keys_destroyed);
    CHECK_INT_EQ(5, s_values_destroyed);
    CHECK_INT_EQ(0, aws_hash_table_get_entry_count(&t));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, k3, &v3, &created));
    CHECK_INT_EQ(1, created);

    aws_hash_table_clean_up(&t);
    CHECK_INT_EQ(5, s_keys_destroyed);
    CHECK_INT_EQ(6, s_values_destroyed);
    CHECK(t.p_impl == NULL);
    aws_hash_table_clean_up(&t); /* idempotent */
    CHECK_INT_EQ(5, s_keys_destroyed);
    CHECK(!aws_hash_table_is_valid(&t));
}

static void test_null_key_and_null_destructors(void) {
    struct aws_hash_table t;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_init(&t, s_alloc, 0, aws_hash_ptr, aws_ptr_eq, NULL, NULL));
    int v = 5;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, NULL, &v, NULL));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, NULL, &v, NULL));
    struct aws_hash_element *e = NULL;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_find(&t, NULL, &e));
    CHECK(e && e->key == NULL && e->value == &v);
    CHECK_INT_EQ(1, aws_hash_table_get_entry_count(&t));
    aws_hash_table_clean_up(&t);
}

static void test_swap_and_move(void) {
    struct aws_hash_table a, b, c;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_init(&a, s_alloc, 4, aws_hash_ptr, aws_ptr_eq, NULL, NULL));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_init(&b, s_alloc, 4, aws_hash_ptr, aws_ptr_eq, NULL, NULL));
    int x = 1, y = 2;
    aws_hash_table_put(&a, &x, &x, NULL);
    aws_hash_table_put(&b, &y, &y, NULL);
    aws_hash_table_swap(&a, &b);
    struct aws_hash_element *e = NULL;
    aws_hash_table_find(&a, &y, &e);
    CHECK(e && e->value == &y);
    aws_hash_table_find(&b, &x, &e);
    CHECK(e && e->value == &x);

    aws_hash_table_clean_up(&b);
    memset(&c, 0xDD, sizeof(c)); /* swap with an uninitialised table is allowed */
    aws_hash_table_swap(&a, &c);
    aws_hash_table_swap(&a, &c);
    aws_hash_table_move(&b, &a);
    CHECK(a.p_impl == NULL);
    aws_hash_table_find(&b, &y, &e);
    CHECK(e && e->value == &y);
    aws_hash_table_clean_up(&a); /* no-op after move */
    CHECK(a.p_impl == NULL);
    aws_hash_table_clean_up(&b);
}

static int s_visits;
static int s_cb_keep_going(void *ctx, struct aws_hash_element *e) {
    (void)ctx;
    (void)e;
    s_visits++;
    return AWS_COMMON_HASH_TABLE_ITER_CONTINUE;
}
static int s_cb_delete_even(void *ctx, struct aws_hash_element *e) {
    (void)ctx;
    s_visits++;
    uintptr_t k = (uintptr_t)e->key;
    return AWS_COMMON_HASH_TABLE_ITER_CONTINUE | (k % 2 == 0 ? AWS_COMMON_HASH_TABLE_ITER_DELETE : 0);
}
static int s_cb_stop(void *ctx, struct aws_hash_element *e) {
    (void)ctx;
    (void)e;
    s_visits++;
    return 0;
}
static int s_cb_error(void *ctx, struct aws_hash_element *e) {
    (void)e;
    s_visits++;
    if (ctx) {
        aws_raise_error(*(int *)ctx);
    }
    return AWS_COMMON_HASH_TABLE_ITER_ERROR | AWS_COMMON_HASH_TABLE_ITER_DELETE;
}
static int s_cb_double_value(void *ctx, struct aws_hash_element *e) {
    (void)ctx;
    e->value = (void *)((uintptr_t)e->value * 2);
    return AWS_COMMON_HASH_TABLE_ITER_CONTINUE;
}

static void test_foreach_flags(void) {
    struct aws_hash_table t;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_hash_table_init(&t, s_alloc, 8, aws_hash_ptr, aws_ptr_eq, s_destroy_key, s_destroy_value));
    for (uintptr_t k = 1; k <= 20; k++) {
        aws_hash_table_put(&t, (void *)k, (void *)(k * 10), NULL);
    }
    s_reset_counts();
    s_visits = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_foreach(&t, s_cb_keep_going, NULL));
    CHECK_INT_EQ(20, s_visits);

    s_visits = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_foreach(&t, s_cb_delete_even, NULL));
    CHECK_INT_EQ(20, s_visits);
    CHECK_INT_EQ(10, aws_hash_table_get_entry_count(&t));
    CHECK_INT_EQ(0, s_keys_destroyed); /* DELETE does not destroy */
    CHECK_INT_EQ(0, s_values_destroyed);
    struct aws_hash_element *e = NULL;
    aws_hash_table_find(&t, (void *)(uintptr_t)4, &e);
    CHECK(e == NULL);
    aws_hash_table_find(&t, (void *)(uintptr_t)5, &e);
    CHECK(e && (uintptr_t)e->value == 50);

    s_visits = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_foreach(&t, s_cb_stop, NULL));
    CHECK_INT_EQ(1, s_visits);

    s_visits = 0;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_hash_table_foreach(&t, s_cb_error, NULL));
    CHECK_INT_EQ(AWS_ERROR_UNKNOWN, aws_last_error());
    CHECK_INT_EQ(1, s_visits);
    CHECK_INT_EQ(10, aws_hash_table_get_entry_count(&t)); /* ERROR wins over DELETE */
    int err = AWS_ERROR_INVALID_ARGUMENT;
    CHECK_INT_EQ(AWS_OP_ERR, aws_hash_table_foreach(&t, s_cb_error, &err));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());

    /* values written by the callback stick */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_foreach(&t, s_cb_double_value, NULL));
    aws_hash_table_find(&t, (void *)(uintptr_t)5, &e);
    CHECK(e && (uintptr_t)e->value == 100);

    aws_hash_table_clean_up(&t);
    CHECK_INT_EQ(10, s_keys_destroyed);
    CHECK_INT_EQ(10, s_values_destroyed);
}

static uint64_t s_home_14(const void *key) {
    (void)key;
    return 14; /* everything collides; 16 slots, so probing wraps past the end */
}
static uint64_t s_identity(const void *key) {
    return (uint64_t)(uintptr_t)key;
}

static void test_iteration_with_deletion(void) {
    /* Identity hash: keys 5..18 in 16 slots; 16,17,18 wrap to slots 0..2. */
    struct aws_hash_table t;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_hash_table_init(&t, s_alloc, 10, s_identity, aws_ptr_eq, s_destroy_key, s_destroy_value));
    for (uintptr_t k = 5; k <= 18; k++) {
        aws_hash_table_put(&t, (void *)k, (void *)(k + 100), NULL);
    }
    const uintptr_t order[] = {16, 17, 18, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    int i = 0;
    for (struct aws_hash_iter it = aws_hash_iter_begin(&t); !aws_hash_iter_done(&it); aws_hash_iter_next(&it), i++) {
        CHECK(i < 14);
        if (i < 14) {
            CHECK_INT_EQ(order[i], (uintptr_t)it.element.key);
            CHECK_INT_EQ(order[i] + 100, (uintptr_t)it.element.value);
        }
    }
    CHECK_INT_EQ(14, i);

    /* delete the element in slot 0 with destruction: the rest still come, once each */
    s_reset_counts();
    struct aws_hash_iter it = aws_hash_iter_begin(&t);
    CHECK_INT_EQ(AWS_HASH_ITER_STATUS_READY_FOR_USE, it.status);
    aws_hash_iter_delete(&it, true);
    CHECK_INT_EQ(AWS_HASH_ITER_STATUS_DELETE_CALLED, it.status);
    CHECK(s_last_key_destroyed == (void *)(uintptr_t)16 && s_last_value_destroyed == (void *)(uintptr_t)116);
    CHECK(!aws_hash_iter_done(&it));
    int seen = 0;
    for (aws_hash_iter_next(&it); !aws_hash_iter_done(&it) && seen < 100; aws_hash_iter_next(&it)) {
        CHECK_INT_EQ(order[seen + 1], (uintptr_t)it.element.key);
        seen++;
    }
    CHECK_INT_EQ(13, seen);
    aws_hash_table_clean_up(&t);

    /* Wrap-around shift: keys 100..105 all live at 14,15,0,1,2,3. Deleting the one
     * at slot 14 shifts an already-visited key into slot 15; it must not repeat. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_init(&t, s_alloc, 10, s_home_14, aws_ptr_eq, NULL, NULL));
    for (uintptr_t k = 100; k <= 105; k++) {
        aws_hash_table_put(&t, (void *)k, NULL, NULL);
    }
    const uintptr_t wrap_order[] = {102, 103, 104, 105, 100, 101};
    int visited = 0;
    for (it = aws_hash_iter_begin(&t); !aws_hash_iter_done(&it) && visited < 100; aws_hash_iter_next(&it)) {
        if (visited < 6) {
            CHECK_INT_EQ(wrap_order[visited], (uintptr_t)it.element.key);
        }
        if ((uintptr_t)it.element.key == 100) {
            aws_hash_iter_delete(&it, false);
        }
        visited++;
    }
    CHECK_INT_EQ(6, visited);
    CHECK_INT_EQ(5, aws_hash_table_get_entry_count(&t));

    /* delete everything while iterating */
    visited = 0;
    for (it = aws_hash_iter_begin(&t); !aws_hash_iter_done(&it) && visited < 100; aws_hash_iter_next(&it)) {
        aws_hash_iter_delete(&it, false);
        visited++;
    }
    CHECK_INT_EQ(5, visited);
    CHECK_INT_EQ(0, aws_hash_table_get_entry_count(&t));
    it = aws_hash_iter_begin(&t);
    CHECK(aws_hash_iter_done(&it));
    CHECK_INT_EQ(AWS_HASH_ITER_STATUS_DONE, it.status);
    aws_hash_iter_next(&it); /* next on a done iterator stays done */
    CHECK(aws_hash_iter_done(&it));
    aws_hash_table_clean_up(&t);
}

static struct aws_string *s_new_string(const char *text) {
    size_t len = strlen(text);
    struct aws_string *s = aws_mem_acquire(s_alloc, sizeof(struct aws_string) + len);
    s->allocator = s_alloc;
    s->len = len;
    memcpy((uint8_t *)s->bytes, text, len + 1);
    return s;
}

static void test_aws_string_keys_and_hashes(void) {
    struct aws_hash_table t;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_hash_table_init(&t, s_alloc, 4, aws_hash_string, aws_hash_callback_string_eq,
                                     aws_hash_callback_string_destroy, NULL));
    const char *words[] = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
    for (int i = 0; i < 10; i++) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, s_new_string(words[i]), (void *)(intptr_t)(i + 1), NULL));
    }
    /* replacing with an equal new string destroys the old key string */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, s_new_string("three"), (void *)(intptr_t)33, NULL));
    CHECK_INT_EQ(10, aws_hash_table_get_entry_count(&t));
    struct aws_string *probe = s_new_string("three");
    struct aws_hash_element *e = NULL;
    aws_hash_table_find(&t, probe, &e);
    CHECK(e && (intptr_t)e->value == 33);
    CHECK(aws_hash_callback_string_eq(probe, e->key));
    CHECK(!aws_hash_callback_string_eq(probe, NULL));

    /* the c-string, aws_string and cursor hashes agree, and match upstream's value */
    struct aws_byte_cursor cur = {.len = 5, .ptr = (uint8_t *)"three"};
    CHECK(aws_hash_string(probe) == aws_hash_c_string("three"));
    CHECK(aws_hash_byte_cursor_ptr(&cur) == aws_hash_c_string("three"));
    CHECK(aws_hash_c_string("a") == 0x663f2d46b2109858ULL);
    CHECK(aws_hash_c_string("") == 0x6707ef7c994be624ULL);
    CHECK(aws_hash_callback_c_str_eq("x", "x"));
    CHECK(!aws_hash_callback_c_str_eq("x", "y"));
    CHECK(aws_ptr_eq(&t, &t) && !aws_ptr_eq(&t, &e));
    CHECK(aws_hash_ptr(&t) == aws_hash_ptr(&t));
    CHECK(aws_hash_ptr(&t) != aws_hash_ptr(&e));
    uint64_t a = 0x123456789abcdefULL, b = 0xfedcba987654321ULL;
    CHECK(aws_hash_combine(a, b) == aws_hash_combine(a, b));
    CHECK(aws_hash_combine(a, b) != aws_hash_combine(b, a));

    aws_hash_callback_string_destroy(probe);
    aws_hash_table_clean_up(&t); /* frees all ten key strings */
}

static void test_table_eq(void) {
    struct aws_hash_table a, b;
    aws_hash_table_init(&a, s_alloc, 4, aws_hash_c_string, aws_hash_callback_c_str_eq, NULL, NULL);
    aws_hash_table_init(&b, s_alloc, 64, aws_hash_c_string, aws_hash_callback_c_str_eq, NULL, NULL);
    aws_hash_table_put(&a, "k1", "v1", NULL);
    aws_hash_table_put(&a, "k2", "v2", NULL);
    aws_hash_table_put(&b, "k2", "v2", NULL);
    CHECK(!aws_hash_table_eq(&a, &b, aws_hash_callback_c_str_eq));
    aws_hash_table_put(&b, "k1", "v1", NULL);
    CHECK(aws_hash_table_eq(&a, &b, aws_hash_callback_c_str_eq));
    aws_hash_table_put(&b, "k1", "other", NULL);
    CHECK(!aws_hash_table_eq(&a, &b, aws_hash_callback_c_str_eq));
    aws_hash_table_clean_up(&a);
    aws_hash_table_clean_up(&b);
}

#define MANY 100000

static void test_many_keys(void) {
    struct aws_hash_table t;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_init(&t, s_alloc, 1, aws_hash_ptr, aws_ptr_eq, NULL, NULL));
    for (uintptr_t k = 1; k <= MANY; k++) {
        if (aws_hash_table_put(&t, (void *)k, (void *)(k ^ 0x5555), NULL) != AWS_OP_SUCCESS) {
            CHECK(0);
            break;
        }
    }
    CHECK_INT_EQ(MANY, aws_hash_table_get_entry_count(&t));
    int wrong = 0;
    for (uintptr_t k = 1; k <= MANY; k += 2) {
        aws_hash_table_remove(&t, (void *)k, NULL, NULL);
    }
    for (uintptr_t k = 1; k <= MANY; k++) {
        struct aws_hash_element *e = NULL;
        aws_hash_table_find(&t, (void *)k, &e);
        if (k % 2 == 1) {
            wrong += e != NULL;
        } else {
            wrong += e == NULL || (uintptr_t)e->value != (k ^ 0x5555);
        }
    }
    CHECK_INT_EQ(0, wrong);
    CHECK_INT_EQ(MANY / 2, aws_hash_table_get_entry_count(&t));
    size_t iterated = 0;
    for (struct aws_hash_iter it = aws_hash_iter_begin(&t); !aws_hash_iter_done(&it); aws_hash_iter_next(&it)) {
        iterated++;
    }
    CHECK_INT_EQ(MANY / 2, iterated);
    aws_hash_table_clean_up(&t);
}

/* An allocator that can be told to fail, over the tracer. */
static bool s_fail_next;
static void *s_failing_acquire(struct aws_allocator *a, size_t size) {
    (void)a;
    return s_fail_next ? NULL : aws_mem_acquire(s_alloc, size);
}
static void s_failing_release(struct aws_allocator *a, void *p) {
    (void)a;
    aws_mem_release(s_alloc, p);
}
static void *s_failing_calloc(struct aws_allocator *a, size_t n, size_t size) {
    (void)a;
    return s_fail_next ? NULL : aws_mem_calloc(s_alloc, n, size);
}

/* Allocation failure is fatal, as upstream: both the initial slot array and
 * growth abort instead of raising OOM. Updating an existing key needs no
 * memory, so it still succeeds while the allocator is failing. */
static void test_allocation_failure_aborts(void) {
    static const char oom[] = "Unhandled OOM encountered in aws_mem_acquire with allocator";
    struct aws_allocator failing = {
        .mem_acquire = s_failing_acquire, .mem_release = s_failing_release, .mem_calloc = s_failing_calloc};
    struct aws_hash_table t;
    CHECK_ABORTS(oom, {
        s_fail_next = true;
        aws_hash_table_init(&t, &failing, 4, aws_hash_ptr, aws_ptr_eq, NULL, NULL);
    });
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_init(&t, &failing, 2, aws_hash_ptr, aws_ptr_eq, NULL, NULL));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, (void *)(uintptr_t)1, NULL, NULL));
    CHECK_ABORTS(oom, {
        s_fail_next = true;
        aws_hash_table_put(&t, (void *)(uintptr_t)2, NULL, NULL);
    });
    CHECK(!s_fail_next);
    s_fail_next = true;
    int created = -1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_hash_table_put(&t, (void *)(uintptr_t)1, (void *)(uintptr_t)9, &created));
    CHECK_INT_EQ(0, created);
    s_fail_next = false;
    CHECK_INT_EQ(1, aws_hash_table_get_entry_count(&t));
    aws_hash_table_clean_up(&t);
    struct aws_hash_table huge;
    CHECK_INT_EQ(AWS_OP_ERR, aws_hash_table_init(&huge, &failing, SIZE_MAX, aws_hash_ptr, aws_ptr_eq, NULL, NULL));
    CHECK_INT_EQ(AWS_ERROR_OVERFLOW_DETECTED, aws_last_error());
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    RUN_TEST(test_c_string_put_find_remove);
    RUN_TEST(test_null_key_and_null_destructors);
    RUN_TEST(test_swap_and_move);
    RUN_TEST(test_foreach_flags);
    RUN_TEST(test_iteration_with_deletion);
    RUN_TEST(test_aws_string_keys_and_hashes);
    RUN_TEST(test_table_eq);
    RUN_TEST(test_many_keys);
    RUN_TEST(test_allocation_failure_aborts);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
