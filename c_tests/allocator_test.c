/* aws_mem_acquire / aws_mem_calloc / aws_mem_realloc / aws_mem_release over a
 * C allocator: the emulated calloc and realloc paths (allocators without
 * mem_calloc / mem_realloc), and allocation failure, which is fatal as
 * upstream (checked in forked children: SIGABRT plus upstream's message). */
#include <aws/common/common.h>

#include "counting_allocator.h"
#include "test_helpers.h"

#include <stdint.h>

static const char s_oom[] = "Unhandled OOM encountered in aws_mem_acquire with allocator";

static struct counting_allocator s_alloc;
#define ALLOC (&s_alloc.base)

/* calloc through an allocator's own mem_calloc, which can also be told to fail. */
static bool s_calloc_fails;
static long s_calloc_calls;
static void *s_own_calloc(struct aws_allocator *a, size_t n, size_t size) {
    s_calloc_calls++;
    if (s_calloc_fails) {
        return NULL;
    }
    void *p = s_count_acquire(a, n * size);
    if (p) {
        memset(p, 0, n * size);
    }
    return p;
}

static void test_emulated_calloc_and_realloc(void) {
    /* No mem_calloc: acquire, then zero. */
    uint8_t *z = aws_mem_calloc(ALLOC, 3, 5);
    CHECK(z != NULL);
    CHECK(aws_is_mem_zeroed(z, 15));
    CHECK_INT_EQ(1, s_alloc.live);

    /* No mem_realloc: growth copies the old bytes and zeroes the tail. */
    s_alloc.base.mem_realloc = NULL;
    memset(z, 'x', 15);
    void *p = z;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mem_realloc(ALLOC, &p, 15, 40));
    CHECK(p != z);
    CHECK_INT_EQ(1, s_alloc.live);
    CHECK_MEM_EQ("xxxxxxxxxxxxxxx", 15, p, 15);
    CHECK(aws_is_mem_zeroed((uint8_t *)p + 15, 25));

    /* Shrinking keeps the block and allocates nothing. */
    long acquires = s_alloc.acquires;
    void *same = p;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mem_realloc(ALLOC, &p, 40, 10));
    CHECK(p == same);
    CHECK_INT_EQ(acquires, s_alloc.acquires);

    /* Size 0 frees and clears the pointer. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mem_realloc(ALLOC, &p, 40, 0));
    CHECK(p == NULL);
    CHECK_INT_EQ(0, s_alloc.live);
    s_alloc.base.mem_realloc = s_count_realloc;

    /* An allocator's own mem_calloc is preferred. */
    s_alloc.base.mem_calloc = s_own_calloc;
    void *c = aws_mem_calloc(ALLOC, 2, 8);
    CHECK(c != NULL && aws_is_mem_zeroed(c, 16));
    CHECK_INT_EQ(1, s_calloc_calls);
    aws_mem_release(ALLOC, c);
    aws_mem_release(ALLOC, NULL); /* NULL is ignored */
    s_alloc.base.mem_calloc = NULL;
    CHECK_INT_EQ(0, s_alloc.live);
}

/* Every entry point treats a NULL from the allocator as fatal, and a wrapping
 * num * size in calloc is a fatal assertion: nothing returns NULL/AWS_OP_ERR. */
static void test_allocation_failure_aborts(void) {
    CHECK_ABORTS(s_oom, {
        s_alloc.fail_above = 0;
        aws_mem_acquire(ALLOC, 1);
    });
    CHECK_ABORTS(s_oom, { /* emulated calloc */
        s_alloc.fail_above = 0;
        aws_mem_calloc(ALLOC, 1, 1);
    });
    CHECK_ABORTS(s_oom, { /* the allocator's own calloc */
        s_alloc.base.mem_calloc = s_own_calloc;
        s_calloc_fails = true;
        aws_mem_calloc(ALLOC, 1, 1);
    });
    CHECK_ABORTS("calloc computed size > SIZE_MAX", { aws_mem_calloc(ALLOC, SIZE_MAX / 2, 3); });
    CHECK_ABORTS(s_oom, { /* the allocator's own realloc */
        void *p = aws_mem_acquire(ALLOC, 4);
        s_alloc.fail_above = 4;
        aws_mem_realloc(ALLOC, &p, 4, 5);
    });
    CHECK_ABORTS(s_oom, { /* emulated realloc */
        void *p = aws_mem_acquire(ALLOC, 4);
        s_alloc.base.mem_realloc = NULL;
        s_alloc.fail_above = 4;
        aws_mem_realloc(ALLOC, &p, 4, 5);
    });
    /* The children's changes stayed in the children. */
    CHECK(s_alloc.fail_above == SIZE_MAX && !s_calloc_fails && s_alloc.base.mem_realloc != NULL);
    CHECK_INT_EQ(0, s_alloc.live);
}

int main(void) {
    counting_allocator_init(&s_alloc);
    RUN_TEST(test_emulated_calloc_and_realloc);
    RUN_TEST(test_allocation_failure_aborts);
    CHECK_INT_EQ(0, s_alloc.live);
    return TEST_RESULT();
}
