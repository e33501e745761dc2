/* Event-loop groups, futures and aws-c-io library init against our headers:
 * N running loops, get_loop_at/get_next_loop, acquire/release (also through a
 * loop), the asynchronous shutdown whose callback fires once after every loop
 * thread has exited, and aws_future_void completed from several threads.
 * Everything allocates through a tracing allocator that must end empty. */
#include <aws/common/clock.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/common/task_scheduler.h>
#include <aws/common/thread.h>
#include <aws/io/event_loop.h>
#include <aws/io/future.h>
#include <aws/io/io.h>
#include <aws/io/private/event_loop_impl.h>
#include <aws/io/statistics.h>

#include "test_helpers.h"

#define WAIT_NS (10LL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_mutex = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

/* ---- group shutdown --------------------------------------------------------------- */

static int s_shutdown_calls;
static void *s_shutdown_user_data;
static size_t s_managed_at_shutdown;

static void s_on_shutdown(void *user_data) {
    aws_mutex_lock(&s_mutex);
    s_shutdown_calls++;
    s_shutdown_user_data = user_data;
    /* Only the clean-up thread itself is still counted. */
    s_managed_at_shutdown = aws_thread_get_managed_thread_count();
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_shutdown_done(void *user_data) {
    (void)user_data;
    return s_shutdown_calls > 0;
}

/* ---- a task that reports which loop thread ran it -------------------------------- */

struct loop_probe {
    struct aws_event_loop *loop;
    struct aws_task task;
    bool ran;
    bool on_loop_thread;
    aws_thread_id_t thread;
};

static void s_probe_task(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    struct loop_probe *probe = arg;
    aws_mutex_lock(&s_mutex);
    probe->ran = status == AWS_TASK_STATUS_RUN_READY;
    probe->on_loop_thread = aws_event_loop_thread_is_callers_thread(probe->loop);
    probe->thread = aws_thread_current_thread_id();
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_probe_ran(void *arg) {
    return ((struct loop_probe *)arg)->ran;
}

static void test_group_basics_and_shutdown(void) {
    s_shutdown_calls = 0;
    struct aws_shutdown_callback_options shutdown = {.shutdown_callback_fn = s_on_shutdown,
                                                     .shutdown_callback_user_data = &s_shutdown_calls};
    struct aws_event_loop_group_options options = {.loop_count = 3, .shutdown_options = &shutdown};
    struct aws_event_loop_group *group = aws_event_loop_group_new(s_alloc, &options);
    CHECK(group != NULL);
    if (!group) {
        return;
    }
    CHECK_INT_EQ(3, aws_event_loop_group_get_loop_count(group));
    CHECK_INT_EQ(AWS_EVENT_LOOP_EPOLL, aws_event_loop_group_get_type(group));
    CHECK(group->allocator == s_alloc);
    CHECK_INT_EQ(3, aws_array_list_length(&group->event_loops));
    CHECK(group->shutdown_options.shutdown_callback_fn == s_on_shutdown);

    struct loop_probe probes[3];
    for (size_t i = 0; i < 3; i++) {
        struct aws_event_loop *loop = aws_event_loop_group_get_loop_at(group, i);
        CHECK(loop != NULL);
        struct aws_event_loop *from_list = NULL;
        aws_array_list_get_at(&group->event_loops, &from_list, i);
        CHECK(from_list == loop);
        CHECK(loop->base_elg == group);
        memset(&probes[i], 0, sizeof(probes[i]));
        probes[i].loop = loop;
        aws_task_init(&probes[i].task, s_probe_task, &probes[i], "probe");
        aws_event_loop_schedule_task_now(loop, &probes[i].task);
    }
    CHECK(aws_event_loop_group_get_loop_at(group, 3) == NULL);
    CHECK_INT_EQ(AWS_ERROR_INVALID_INDEX, aws_last_error());

    aws_mutex_lock(&s_mutex);
    for (size_t i = 0; i < 3; i++) {
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_probe_ran, &probes[i]));
        CHECK(probes[i].on_loop_thread);
    }
    aws_mutex_unlock(&s_mutex);
    /* Each loop has its own thread. */
    CHECK(!aws_thread_thread_id_equal(probes[0].thread, probes[1].thread));
    CHECK(!aws_thread_thread_id_equal(probes[1].thread, probes[2].thread));
    CHECK(!aws_thread_thread_id_equal(probes[0].thread, probes[2].thread));

    for (int i = 0; i < 32; i++) {
        struct aws_event_loop *next = aws_event_loop_group_get_next_loop(group);
        CHECK(next == probes[0].loop || next == probes[1].loop || next == probes[2].loop);
    }

    /* Ref counting: extra references keep the group alive. */
    CHECK(aws_event_loop_group_acquire(group) == group);
    CHECK(aws_event_loop_group_acquire_from_event_loop(probes[1].loop) == group);
    CHECK(aws_event_loop_group_acquire(NULL) == NULL);
    CHECK(aws_event_loop_group_acquire_from_event_loop(NULL) == NULL);
    aws_event_loop_group_release(NULL);
    aws_event_loop_group_release_from_event_loop(NULL);
    aws_event_loop_group_release(group);
    aws_event_loop_group_release_from_event_loop(probes[1].loop);
    CHECK_INT_EQ(0, s_shutdown_calls);

    aws_event_loop_group_release(group);
    aws_mutex_lock(&s_mutex);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_shutdown_done, NULL));
    aws_mutex_unlock(&s_mutex);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK(s_shutdown_user_data == &s_shutdown_calls);
    CHECK_INT_EQ(1, s_managed_at_shutdown);
    CHECK_INT_EQ(0, aws_thread_get_managed_thread_count());
}

/* The last release from a loop's own thread must not deadlock. */
static struct aws_task s_release_task;
static void s_release_group_task(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    (void)status;
    aws_event_loop_group_release(arg);
}

static void test_group_released_on_its_own_loop(void) {
    s_shutdown_calls = 0;
    struct aws_shutdown_callback_options shutdown = {.shutdown_callback_fn = s_on_shutdown};
    struct aws_event_loop_group *group = aws_event_loop_group_new_default(s_alloc, 2, &shutdown);
    CHECK(group != NULL);
    CHECK_INT_EQ(2, aws_event_loop_group_get_loop_count(group));
    aws_task_init(&s_release_task, s_release_group_task, group, "release");
    aws_event_loop_schedule_task_now(aws_event_loop_group_get_next_loop(group), &s_release_task);
    aws_mutex_lock(&s_mutex);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_shutdown_done, NULL));
    aws_mutex_unlock(&s_mutex);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK(s_shutdown_user_data == NULL);
}

static void test_group_defaults_and_errors(void) {
    /* 0 loops: half the processors, at least one; no shutdown options. */
    struct aws_event_loop_group *group = aws_event_loop_group_new_default(s_alloc, 0, NULL);
    CHECK(group != NULL);
    CHECK(aws_event_loop_group_get_loop_count(group) >= 1);
    aws_event_loop_group_release(group);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());

    struct aws_event_loop_group_options options = {.loop_count = 1, .type = AWS_EVENT_LOOP_IOCP};
    CHECK(aws_event_loop_group_new(s_alloc, &options) == NULL);
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());

    CHECK(aws_event_loop_group_new_default_pinned_to_cpu_group(s_alloc, 1, 7, NULL) == NULL);
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    group = aws_event_loop_group_new_default_pinned_to_cpu_group(s_alloc, 1, 0, NULL);
    CHECK(group != NULL);
    CHECK_INT_EQ(1, aws_event_loop_group_get_loop_count(group));
    aws_event_loop_group_release(group);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());
}

/* ---- futures ------------------------------------------------------------------- */

#define FUTURE_THREADS 4

struct future_ctx {
    struct aws_future_void *future;
    int index;
};

static int s_callback_count[FUTURE_THREADS];
static aws_thread_id_t s_callback_thread[FUTURE_THREADS];
static aws_thread_id_t s_completer_thread[FUTURE_THREADS];

static void s_future_done(void *user_data) {
    struct future_ctx *ctx = user_data;
    aws_mutex_lock(&s_mutex);
    s_callback_count[ctx->index]++;
    s_callback_thread[ctx->index] = aws_thread_current_thread_id();
    aws_mutex_unlock(&s_mutex);
}

static void s_complete_future(void *arg) {
    struct future_ctx *ctx = arg;
    s_completer_thread[ctx->index] = aws_thread_current_thread_id();
    if (ctx->index % 2) {
        aws_future_void_set_error(ctx->future, AWS_ERROR_INVALID_STATE);
    } else {
        aws_future_void_set_result(ctx->future);
    }
    /* Later completions are ignored. */
    aws_future_void_set_error(ctx->future, AWS_ERROR_OOM);
}

static void test_futures_from_threads(void) {
    struct future_ctx ctx[FUTURE_THREADS];
    struct aws_thread threads[FUTURE_THREADS];
    for (int i = 0; i < FUTURE_THREADS; i++) {
        ctx[i].future = aws_future_void_new(s_alloc);
        ctx[i].index = i;
        s_callback_count[i] = 0;
        CHECK(!aws_future_void_is_done(ctx[i].future));
        CHECK(!aws_future_void_wait(ctx[i].future, 1000));
        aws_future_void_register_callback(ctx[i].future, s_future_done, &ctx[i]);
        CHECK(aws_future_void_acquire(ctx[i].future) == ctx[i].future);
        aws_thread_init(&threads[i], s_alloc);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&threads[i], s_complete_future, &ctx[i], NULL));
    }
    for (int i = 0; i < FUTURE_THREADS; i++) {
        CHECK(aws_future_void_wait(ctx[i].future, (uint64_t)WAIT_NS));
        aws_thread_join(&threads[i]);
        aws_thread_clean_up(&threads[i]);
        CHECK(aws_future_void_is_done(ctx[i].future));
        CHECK_INT_EQ(i % 2 ? AWS_ERROR_INVALID_STATE : 0, aws_future_void_get_error(ctx[i].future));
        CHECK_INT_EQ(1, s_callback_count[i]);
        CHECK(aws_thread_thread_id_equal(s_completer_thread[i], s_callback_thread[i]));
        CHECK(aws_future_void_release(ctx[i].future) == NULL);
        CHECK(aws_future_void_release(ctx[i].future) == NULL);
    }
    CHECK(aws_future_void_acquire(NULL) == NULL);
    CHECK(aws_future_void_release(NULL) == NULL);

    /* Registering on a done future runs the callback at once, on this thread. */
    struct future_ctx done = {.future = aws_future_void_new(s_alloc), .index = 0};
    s_callback_count[0] = 0;
    aws_future_void_set_result(done.future);
    CHECK(!aws_future_void_register_callback_if_not_done(done.future, s_future_done, &done));
    CHECK_INT_EQ(0, s_callback_count[0]);
    aws_future_void_release(done.future);

    done.future = aws_future_void_new(s_alloc);
    aws_future_void_set_result(done.future);
    aws_future_void_register_callback(done.future, s_future_done, &done);
    CHECK_INT_EQ(1, s_callback_count[0]);
    CHECK(aws_thread_thread_id_equal(aws_thread_current_thread_id(), s_callback_thread[0]));
    aws_future_void_release(done.future);

    /* register_callback_if_not_done on a pending future: fires on completion. */
    done.future = aws_future_void_new(s_alloc);
    CHECK(aws_future_void_register_callback_if_not_done(done.future, s_future_done, &done));
    CHECK_INT_EQ(1, s_callback_count[0]);
    aws_future_void_set_result(done.future);
    CHECK_INT_EQ(2, s_callback_count[0]);
    aws_future_void_release(done.future);
}

/* An event-loop callback runs as a task on that loop, even for a done future. */
struct loop_cb {
    struct aws_event_loop *loop;
    int calls;
    bool on_loop_thread;
};

static void s_loop_future_done(void *user_data) {
    struct loop_cb *cb = user_data;
    aws_mutex_lock(&s_mutex);
    cb->calls++;
    cb->on_loop_thread = aws_event_loop_thread_is_callers_thread(cb->loop);
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_loop_cb_called(void *arg) {
    return ((struct loop_cb *)arg)->calls > 0;
}

static void test_future_event_loop_callback(void) {
    struct aws_event_loop_group *group = aws_event_loop_group_new_default(s_alloc, 1, NULL);
    struct loop_cb pending = {.loop = aws_event_loop_group_get_loop_at(group, 0)};
    struct loop_cb done = {.loop = pending.loop};

    struct aws_future_void *f = aws_future_void_new(s_alloc);
    aws_future_void_register_event_loop_callback(f, pending.loop, s_loop_future_done, &pending);
    aws_future_void_set_result(f);
    aws_future_void_release(f); /* the registration keeps it alive until the task ran */

    f = aws_future_void_new(s_alloc);
    aws_future_void_set_error(f, AWS_ERROR_OOM);
    aws_future_void_register_event_loop_callback(f, done.loop, s_loop_future_done, &done);

    aws_mutex_lock(&s_mutex);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_loop_cb_called, &pending));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_loop_cb_called, &done));
    aws_mutex_unlock(&s_mutex);
    CHECK_INT_EQ(1, pending.calls);
    CHECK(pending.on_loop_thread);
    CHECK_INT_EQ(1, done.calls);
    CHECK(done.on_loop_thread);
    CHECK_INT_EQ(AWS_ERROR_OOM, aws_future_void_get_error(f));
    aws_future_void_release(f);
    aws_event_loop_group_release(group);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());
}

/* ---- library init and statistics ----------------------------------------------- */

static void test_library_and_statistics(void) {
    aws_io_library_init(s_alloc);
    aws_io_library_init(s_alloc); /* a flag, not a count */
    aws_io_fatal_assert_library_initialized();
    aws_common_fatal_assert_library_initialized();

    struct aws_crt_statistics_socket stats;
    memset(&stats, 0xFF, sizeof(stats));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_crt_statistics_socket_init(&stats));
    CHECK_INT_EQ(AWSCRT_STAT_CAT_SOCKET, stats.category);
    CHECK_INT_EQ(0, stats.bytes_read);
    CHECK_INT_EQ(0, stats.bytes_written);
    stats.bytes_read = 10;
    stats.bytes_written = 20;
    aws_crt_statistics_socket_reset(&stats);
    CHECK_INT_EQ(AWSCRT_STAT_CAT_SOCKET, stats.category);
    CHECK_INT_EQ(0, stats.bytes_read);
    CHECK_INT_EQ(0, stats.bytes_written);
    aws_crt_statistics_socket_cleanup(&stats);

    CHECK(aws_io_error_code_is_retryable(AWS_IO_SOCKET_TIMEOUT));
    CHECK(aws_io_error_code_is_retryable(AWS_IO_DNS_QUERY_AGAIN));
    CHECK(!aws_io_error_code_is_retryable(AWS_ERROR_OOM));
    CHECK(!aws_io_error_code_is_retryable(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE));

    aws_io_library_clean_up();
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    RUN_TEST(test_group_basics_and_shutdown);
    RUN_TEST(test_group_released_on_its_own_loop);
    RUN_TEST(test_group_defaults_and_errors);
    RUN_TEST(test_futures_from_threads);
    RUN_TEST(test_future_event_loop_callback);
    RUN_TEST(test_library_and_statistics);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    CHECK(aws_mem_tracer_destroy(s_alloc) == aws_default_allocator());
    return TEST_RESULT();
}
