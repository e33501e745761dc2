/* The tracing allocator: counts and bytes of live allocations at BYTES and
 * STACKS, realloc/calloc accounting, a deliberate leak caught then released,
 * NONE tracks nothing, dump output, thread safety, destroy returns the wrapped
 * allocator. */
#include <aws/common/common.h>

#include <pthread.h>
#include <unistd.h>

#include "test_helpers.h"

static void s_check_level(enum aws_mem_trace_level level) {
    struct aws_allocator *t = aws_mem_tracer_new(aws_default_allocator(), NULL, level, 16);
    CHECK(t != NULL && t != aws_default_allocator());
    CHECK_INT_EQ(0, aws_mem_tracer_count(t));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(t));

    void *leak = aws_mem_acquire(t, 123); /* the deliberate leak */
    CHECK_INT_EQ(1, aws_mem_tracer_count(t));
    CHECK_INT_EQ(123, aws_mem_tracer_bytes(t));

    void *zeroed = aws_mem_calloc(t, 4, 25);
    CHECK(zeroed != NULL && ((unsigned char *)zeroed)[99] == 0);
    CHECK_INT_EQ(2, aws_mem_tracer_count(t));
    CHECK_INT_EQ(223, aws_mem_tracer_bytes(t));

    void *grown = aws_mem_acquire(t, 10);
    memset(grown, 7, 10);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mem_realloc(t, &grown, 10, 5000));
    CHECK(((unsigned char *)grown)[9] == 7);
    CHECK_INT_EQ(3, aws_mem_tracer_count(t));
    CHECK_INT_EQ(5223, aws_mem_tracer_bytes(t));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mem_realloc(t, &grown, 5000, 1));
    CHECK_INT_EQ(224, aws_mem_tracer_bytes(t));

    aws_mem_release(t, grown);
    aws_mem_release(t, zeroed);
    CHECK_INT_EQ(1, aws_mem_tracer_count(t));
    CHECK_INT_EQ(123, aws_mem_tracer_bytes(t));

    aws_mem_tracer_dump(t); /* prints the leak; must not crash */

    aws_mem_release(t, leak);
    CHECK_INT_EQ(0, aws_mem_tracer_count(t));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(t));
    aws_mem_tracer_dump(t); /* nothing live: prints nothing */
    aws_mem_release(t, NULL); /* releasing NULL is a no-op */
    CHECK(aws_mem_tracer_destroy(t) == aws_default_allocator());
}

static void test_bytes_level(void) {
    s_check_level(AWS_MEMTRACE_BYTES);
}

static void test_stacks_level(void) {
    s_check_level(AWS_MEMTRACE_STACKS);
}

static void test_none_level_tracks_nothing(void) {
    struct aws_allocator *t = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_NONE, 0);
    void *p = aws_mem_acquire(t, 64);
    CHECK(p != NULL);
    CHECK_INT_EQ(0, aws_mem_tracer_count(t));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(t));
    aws_mem_release(t, p);
    CHECK(aws_mem_tracer_destroy(t) == aws_default_allocator());
}

static void test_tracers_nest(void) {
    struct aws_allocator *outer = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    struct aws_allocator *inner = aws_mem_tracer_new(outer, NULL, AWS_MEMTRACE_BYTES, 0);
    void *p = aws_mem_acquire(inner, 40);
    CHECK_INT_EQ(40, aws_mem_tracer_bytes(inner));
    CHECK_INT_EQ(40, aws_mem_tracer_bytes(outer));
    aws_mem_release(inner, p);
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(outer));
    CHECK(aws_mem_tracer_destroy(inner) == outer);
    CHECK(aws_mem_tracer_destroy(outer) == aws_default_allocator());
}

#define THREADS 4
#define PER_THREAD 2000

static void *s_churn(void *arg) {
    struct aws_allocator *t = arg;
    void *blocks[16] = {0};
    for (int i = 0; i < PER_THREAD; i++) {
        int slot = i % 16;
        aws_mem_release(t, blocks[slot]);
        blocks[slot] = aws_mem_acquire(t, (size_t)(1 + i % 100));
    }
    for (int i = 0; i < 16; i++) {
        aws_mem_release(t, blocks[i]);
    }
    return NULL;
}

static void test_thread_safe_counts(void) {
    struct aws_allocator *t = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK_INT_EQ(0, pthread_create(&threads[i], NULL, s_churn, t));
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    CHECK_INT_EQ(0, aws_mem_tracer_count(t));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(t));
    aws_mem_tracer_destroy(t);
}

/* The dump of a STACKS tracer names the size and carries a stack trace. */
static void test_dump_output(void) {
    int fds[2];
    CHECK_INT_EQ(0, pipe(fds));
    int saved = dup(STDERR_FILENO);
    dup2(fds[1], STDERR_FILENO);

    struct aws_allocator *t = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_STACKS, 8);
    void *p = aws_mem_acquire(t, 4321);
    aws_mem_tracer_dump(t);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(fds[1]);

    char text[16384];
    size_t used = 0;
    ssize_t n;
    while (used < sizeof(text) - 1 && (n = read(fds[0], text + used, sizeof(text) - 1 - used)) > 0) {
        used += (size_t)n;
    }
    text[used] = '\0';
    close(fds[0]);
    CHECK(strstr(text, "4321 bytes still allocated in 1 allocations") != NULL);
    CHECK(strstr(text, "ALLOC 4321 bytes") != NULL);
    CHECK(strstr(text, "stacktrace:") != NULL);

    aws_mem_release(t, p);
    aws_mem_tracer_destroy(t);
}

int main(void) {
    RUN_TEST(test_bytes_level);
    RUN_TEST(test_stacks_level);
    RUN_TEST(test_none_level_tracks_nothing);
    RUN_TEST(test_tracers_nest);
    RUN_TEST(test_thread_safe_counts);
    RUN_TEST(test_dump_output);
    return TEST_RESULT();
}
