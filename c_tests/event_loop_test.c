/* Our event loop through the public API: tasks from the loop thread and from
 * other threads, timed tasks, cancellation, destroy-time cancellation, io events
 * on a pipe, unsubscription, and a loop written in C on aws_event_loop_new_base.
 * Everything allocates through a tracing allocator that must end empty. */
#define _GNU_SOURCE
#include <aws/common/clock.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/common/task_scheduler.h>
#include <aws/common/thread.h>
#include <aws/io/event_loop.h>
#include <aws/io/private/event_loop_impl.h>

#include <fcntl.h>
#include <unistd.h>

#include "test_helpers.h"

/* Waits are bounded: a broken loop fails the test instead of hanging it. */
#define WAIT_NS (10ULL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_mutex = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

/* ---- a shared record of what ran ---------------------------------------------- */

#define MAX_RECORDS 512

struct record {
    int id;
    enum aws_task_status status;
    bool on_loop_thread;
    uint64_t ran_at;
};

static struct aws_event_loop *s_loop;
static struct record s_records[MAX_RECORDS];
static int s_record_count;
static int s_expected;

static void s_reset(struct aws_event_loop *loop) {
    aws_mutex_lock(&s_mutex);
    s_loop = loop;
    s_record_count = 0;
    memset(s_records, 0, sizeof(s_records));
    aws_mutex_unlock(&s_mutex);
}

static void s_record(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    uint64_t now = 0;
    aws_event_loop_current_clock_time(s_loop, &now);
    bool on_loop = aws_event_loop_thread_is_callers_thread(s_loop);
    aws_mutex_lock(&s_mutex);
    if (s_record_count < MAX_RECORDS) {
        s_records[s_record_count] = (struct record){(int)(intptr_t)arg, status, on_loop, now};
    }
    s_record_count++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_enough_records(void *user_data) {
    (void)user_data;
    return s_record_count >= s_expected;
}

/* Waits until `count` records exist; false on timeout. */
static bool s_wait_records(int count) {
    aws_mutex_lock(&s_mutex);
    s_expected = count;
    int rc = aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, (int64_t)WAIT_NS, s_enough_records, NULL);
    aws_mutex_unlock(&s_mutex);
    return rc == AWS_OP_SUCCESS;
}

static int s_count_of(int id) {
    int n = 0;
    for (int i = 0; i < s_record_count && i < MAX_RECORDS; i++) {
        n += s_records[i].id == id;
    }
    return n;
}

static void s_start_tracer(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
}

static void s_check_tracer(void) {
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    CHECK(aws_mem_tracer_destroy(s_alloc) == aws_default_allocator());
}

/* ---- tasks from many threads ------------------------------------------------------- */

#define THREADS 4
#define PER_THREAD 50
#define FROM_LOOP 20

static struct aws_task s_thread_tasks[THREADS][PER_THREAD];
static struct aws_task s_loop_tasks[FROM_LOOP];
static struct aws_task s_spawner;

static void s_spawn_from_loop(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)arg;
    s_record(task, (void *)(intptr_t)9999, status);
    for (int i = 0; i < FROM_LOOP; i++) {
        aws_task_init(&s_loop_tasks[i], s_record, (void *)(intptr_t)(5000 + i), "from_loop");
        aws_event_loop_schedule_task_now(s_loop, &s_loop_tasks[i]);
    }
}

static void s_scheduler_thread(void *arg) {
    int t = (int)(intptr_t)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct aws_task *task = &s_thread_tasks[t][i];
        aws_task_init(task, s_record, (void *)(intptr_t)(t * 1000 + i), "from_thread");
        if (i % 2) {
            aws_event_loop_schedule_task_now(s_loop, task);
        } else {
            aws_event_loop_schedule_task_now_serialized(s_loop, task);
        }
    }
}

static void test_tasks_from_loop_and_other_threads(void) {
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    CHECK(loop != NULL);
    s_reset(loop);
    CHECK(!aws_event_loop_thread_is_callers_thread(loop));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_run(loop));

    aws_task_init(&s_spawner, s_spawn_from_loop, NULL, "spawner");
    aws_event_loop_schedule_task_now(loop, &s_spawner);

    struct aws_thread threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        aws_thread_init(&threads[t], s_alloc);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&threads[t], s_scheduler_thread, (void *)(intptr_t)t, NULL));
    }
    for (int t = 0; t < THREADS; t++) {
        aws_thread_join(&threads[t]);
        aws_thread_clean_up(&threads[t]);
    }

    int total = 1 + FROM_LOOP + THREADS * PER_THREAD;
    CHECK(s_wait_records(total));
    aws_mutex_lock(&s_mutex);
    CHECK_INT_EQ(total, s_record_count);
    for (int i = 0; i < s_record_count && i < MAX_RECORDS; i++) {
        CHECK(s_records[i].on_loop_thread);
        CHECK_INT_EQ(AWS_TASK_STATUS_RUN_READY, s_records[i].status);
    }
    CHECK_INT_EQ(1, s_count_of(9999));
    for (int i = 0; i < FROM_LOOP; i++) {
        CHECK_INT_EQ(1, s_count_of(5000 + i));
    }
    for (int t = 0; t < THREADS; t++) {
        for (int i = 0; i < PER_THREAD; i++) {
            CHECK_INT_EQ(1, s_count_of(t * 1000 + i));
        }
    }
    /* Serialized tasks from one thread keep their order. */
    for (int t = 0; t < THREADS; t++) {
        int last = -1;
        for (int i = 0; i < s_record_count && i < MAX_RECORDS; i++) {
            int id = s_records[i].id;
            if (id / 1000 == t && id < 5000 && id % 2 == 0) {
                CHECK(id > last);
                last = id;
            }
        }
    }
    aws_mutex_unlock(&s_mutex);
    aws_event_loop_destroy(loop);
}

/* ---- timed tasks --------------------------------------------------------------------- */

static void test_future_tasks_run_in_time_order(void) {
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    s_reset(loop);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_run(loop));

    const uint64_t ms = 1000 * 1000;
    const int delays_ms[5] = {50, 10, 30, 20, 40};
    struct aws_task tasks[5];
    uint64_t when[5];
    uint64_t now = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_current_clock_time(loop, &now));
    for (int i = 0; i < 5; i++) {
        when[i] = now + (uint64_t)delays_ms[i] * ms;
        aws_task_init(&tasks[i], s_record, (void *)(intptr_t)i, "timed");
        aws_event_loop_schedule_task_future(loop, &tasks[i], when[i]);
    }
    CHECK(s_wait_records(5));
    aws_mutex_lock(&s_mutex);
    const int order[5] = {1, 3, 2, 4, 0};
    for (int i = 0; i < 5 && i < s_record_count; i++) {
        CHECK_INT_EQ(order[i], s_records[i].id);
        CHECK(s_records[i].ran_at >= when[s_records[i].id]);
        CHECK(s_records[i].on_loop_thread);
        CHECK_INT_EQ(AWS_TASK_STATUS_RUN_READY, s_records[i].status);
    }
    aws_mutex_unlock(&s_mutex);
    aws_event_loop_destroy(loop);
}

/* ---- cancellation ---------------------------------------------------------------- */

static struct aws_task s_far_task;
static struct aws_task s_canceller;

static void s_schedule_then_cancel(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    (void)arg;
    (void)status;
    uint64_t now = 0;
    aws_event_loop_current_clock_time(s_loop, &now);
    aws_task_init(&s_far_task, s_record, (void *)(intptr_t)77, "far");
    aws_event_loop_schedule_task_future(s_loop, &s_far_task, now + 3600ULL * 1000 * 1000 * 1000);
    aws_event_loop_cancel_task(s_loop, &s_far_task); /* runs it CANCELED right here */
    s_record(task, (void *)(intptr_t)78, status);
}

static void test_cancel_task_runs_canceled(void) {
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    s_reset(loop);
    aws_event_loop_run(loop);
    aws_task_init(&s_canceller, s_schedule_then_cancel, NULL, "canceller");
    aws_event_loop_schedule_task_now(loop, &s_canceller);
    CHECK(s_wait_records(2));
    aws_event_loop_destroy(loop);
    CHECK_INT_EQ(2, s_record_count);
    CHECK_INT_EQ(77, s_records[0].id);
    CHECK_INT_EQ(AWS_TASK_STATUS_CANCELED, s_records[0].status);
    CHECK(s_records[0].on_loop_thread);
    CHECK_INT_EQ(78, s_records[1].id);
    CHECK_INT_EQ(AWS_TASK_STATUS_RUN_READY, s_records[1].status);
}

static void test_pending_tasks_cancelled_at_destroy(void) {
    /* Never run: every task waits in the cross-thread queue. */
    struct aws_event_loop *idle = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    s_reset(idle);
    struct aws_task a, b;
    aws_task_init(&a, s_record, (void *)(intptr_t)1, "a");
    aws_task_init(&b, s_record, (void *)(intptr_t)2, "b");
    aws_event_loop_schedule_task_now(idle, &a);
    aws_event_loop_schedule_task_future(idle, &b, 1);
    aws_event_loop_destroy(idle);
    CHECK_INT_EQ(2, s_record_count);
    for (int i = 0; i < 2; i++) {
        CHECK_INT_EQ(AWS_TASK_STATUS_CANCELED, s_records[i].status);
        CHECK(s_records[i].on_loop_thread); /* the destroying thread stands in */
    }

    /* Running, with tasks far in the future. */
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    s_reset(loop);
    aws_event_loop_run(loop);
    uint64_t now = 0;
    aws_event_loop_current_clock_time(loop, &now);
    struct aws_task far[3];
    for (int i = 0; i < 3; i++) {
        aws_task_init(&far[i], s_record, (void *)(intptr_t)(10 + i), "far");
        aws_event_loop_schedule_task_future(loop, &far[i], now + 3600ULL * 1000 * 1000 * 1000);
    }
    struct aws_task fence;
    aws_task_init(&fence, s_record, (void *)(intptr_t)99, "fence");
    aws_event_loop_schedule_task_now(loop, &fence);
    CHECK(s_wait_records(1));
    CHECK_INT_EQ(99, s_records[0].id);
    aws_event_loop_destroy(loop);
    CHECK_INT_EQ(4, s_record_count);
    for (int i = 1; i < 4; i++) {
        CHECK_INT_EQ(AWS_TASK_STATUS_CANCELED, s_records[i].status);
    }
    CHECK_INT_EQ(1, s_count_of(10));
    CHECK_INT_EQ(1, s_count_of(11));
    CHECK_INT_EQ(1, s_count_of(12));
}

static void test_stop_and_run_again(void) {
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    s_reset(loop);
    aws_event_loop_run(loop);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_stop(loop));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_stop(loop)); /* twice is fine */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_wait_for_stop_completion(loop));
    struct aws_task t;
    aws_task_init(&t, s_record, (void *)(intptr_t)5, "after_restart");
    aws_event_loop_schedule_task_now(loop, &t); /* queued while stopped */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_run(loop));
    CHECK(s_wait_records(1));
    CHECK_INT_EQ(AWS_TASK_STATUS_RUN_READY, s_records[0].status);
    CHECK(s_records[0].on_loop_thread);
    aws_event_loop_destroy(loop);
}

/* ---- io events ------------------------------------------------------------------ */

#define MAX_IO 64

struct io_record {
    int id;
    int events;
    bool on_loop_thread;
};

static struct io_record s_io[MAX_IO];
static int s_io_count;

static void s_on_io(struct aws_event_loop *loop, struct aws_io_handle *handle, int events, void *user_data) {
    (void)handle;
    bool on_loop = aws_event_loop_thread_is_callers_thread(loop);
    aws_mutex_lock(&s_mutex);
    if (s_io_count < MAX_IO) {
        s_io[s_io_count] = (struct io_record){(int)(intptr_t)user_data, events, on_loop};
    }
    s_io_count++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static int s_io_expected;
static bool s_enough_io(void *user_data) {
    (void)user_data;
    return s_io_count >= s_io_expected;
}

static bool s_wait_io(int count) {
    aws_mutex_lock(&s_mutex);
    s_io_expected = count;
    int rc = aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, (int64_t)WAIT_NS, s_enough_io, NULL);
    aws_mutex_unlock(&s_mutex);
    return rc == AWS_OP_SUCCESS;
}

/* Runs `fn(arg)` as a task on the loop and waits for it. */
struct on_loop_call {
    void (*fn)(void *);
    void *arg;
    struct aws_task task;
};

static void s_on_loop_call_task(struct aws_task *task, void *arg, enum aws_task_status status) {
    struct on_loop_call *call = arg;
    call->fn(call->arg);
    s_record(task, (void *)(intptr_t)-1, status);
}

static void s_call_on_loop(struct aws_event_loop *loop, void (*fn)(void *), void *arg) {
    struct on_loop_call call = {.fn = fn, .arg = arg};
    aws_mutex_lock(&s_mutex);
    int before = s_record_count;
    aws_mutex_unlock(&s_mutex);
    aws_task_init(&call.task, s_on_loop_call_task, &call, "call_on_loop");
    aws_event_loop_schedule_task_now(loop, &call.task);
    CHECK(s_wait_records(before + 1));
}

static struct aws_io_handle s_handles[2];

static void s_unsubscribe_0(void *arg) {
    (void)arg;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_unsubscribe_from_io_events(s_loop, &s_handles[0]));
    CHECK(s_handles[0].additional_data == NULL);
}

static void s_nothing(void *arg) {
    (void)arg;
}

static void test_pipe_events(void) {
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    s_reset(loop);
    s_io_count = 0;
    aws_event_loop_run(loop);

    int fds[2];
    CHECK_INT_EQ(0, pipe2(fds, O_NONBLOCK | O_CLOEXEC));
    memset(&s_handles[0], 0, sizeof(s_handles[0]));
    s_handles[0].data.fd = fds[0];
    CHECK_INT_EQ(
        AWS_OP_SUCCESS,
        aws_event_loop_subscribe_to_io_events(loop, &s_handles[0], AWS_IO_EVENT_TYPE_READABLE, s_on_io, (void *)1));
    CHECK(s_handles[0].additional_data != NULL);

    CHECK_INT_EQ(1, write(fds[1], "x", 1));
    CHECK(s_wait_io(1));
    CHECK_INT_EQ(1, s_io[0].id);
    CHECK(s_io[0].events & AWS_IO_EVENT_TYPE_READABLE);
    CHECK(!(s_io[0].events & AWS_IO_EVENT_TYPE_WRITABLE));
    CHECK(s_io[0].on_loop_thread);

    close(fds[1]);
    CHECK(s_wait_io(2));
    CHECK(s_io[1].events & (AWS_IO_EVENT_TYPE_CLOSED | AWS_IO_EVENT_TYPE_REMOTE_HANG_UP));
    CHECK(s_io[1].on_loop_thread);

    s_call_on_loop(loop, s_unsubscribe_0, NULL);
    aws_event_loop_destroy(loop);
    close(fds[0]);
}

static void test_unsubscribe_stops_events(void) {
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    s_reset(loop);
    s_io_count = 0;
    aws_event_loop_run(loop);

    int fds[2];
    CHECK_INT_EQ(0, pipe2(fds, O_NONBLOCK | O_CLOEXEC));
    memset(&s_handles[0], 0, sizeof(s_handles[0]));
    s_handles[0].data.fd = fds[0];
    aws_event_loop_subscribe_to_io_events(loop, &s_handles[0], AWS_IO_EVENT_TYPE_READABLE, s_on_io, (void *)3);
    s_call_on_loop(loop, s_unsubscribe_0, NULL);

    /* Readiness that arises before the fence task's wake-up would be harvested
     * in the same (or an earlier) poll and dispatched before the task runs. */
    CHECK_INT_EQ(1, write(fds[1], "y", 1));
    close(fds[1]);
    s_call_on_loop(loop, s_nothing, NULL);
    CHECK_INT_EQ(0, s_io_count);

    aws_event_loop_destroy(loop);
    close(fds[0]);
}

/* Two pipes become readable in one poll; whichever callback runs first
 * unsubscribes the other, which must then not be called. */
static int s_pipe_fds[2][2];

static void s_on_io_unsubscribe_other(
    struct aws_event_loop *loop,
    struct aws_io_handle *handle,
    int events,
    void *user_data) {
    s_on_io(loop, handle, events, user_data);
    int me = (int)(intptr_t)user_data;
    int other = 1 - me;
    if (s_handles[other].additional_data) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_unsubscribe_from_io_events(loop, &s_handles[other]));
    }
    if (s_handles[me].additional_data) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_unsubscribe_from_io_events(loop, &s_handles[me]));
    }
}

static void s_write_both(void *arg) {
    (void)arg;
    CHECK_INT_EQ(1, write(s_pipe_fds[0][1], "a", 1));
    CHECK_INT_EQ(1, write(s_pipe_fds[1][1], "b", 1));
}

static void test_unsubscribe_in_same_batch(void) {
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    s_reset(loop);
    s_io_count = 0;
    aws_event_loop_run(loop);
    for (int i = 0; i < 2; i++) {
        CHECK_INT_EQ(0, pipe2(s_pipe_fds[i], O_NONBLOCK | O_CLOEXEC));
        memset(&s_handles[i], 0, sizeof(s_handles[i]));
        s_handles[i].data.fd = s_pipe_fds[i][0];
        CHECK_INT_EQ(
            AWS_OP_SUCCESS,
            aws_event_loop_subscribe_to_io_events(
                loop, &s_handles[i], AWS_IO_EVENT_TYPE_READABLE, s_on_io_unsubscribe_other, (void *)(intptr_t)i));
    }
    s_call_on_loop(loop, s_write_both, NULL); /* both become readable before the next poll */
    s_call_on_loop(loop, s_nothing, NULL);
    CHECK_INT_EQ(1, s_io_count);
    CHECK(s_handles[0].additional_data == NULL && s_handles[1].additional_data == NULL);
    aws_event_loop_destroy(loop);
    for (int i = 0; i < 2; i++) {
        close(s_pipe_fds[i][0]);
        close(s_pipe_fds[i][1]);
    }
}

static void test_subscribe_bad_fd_fails(void) {
    struct aws_event_loop *loop = aws_event_loop_new_default(s_alloc, aws_high_res_clock_get_ticks);
    struct aws_io_handle handle;
    memset(&handle, 0, sizeof(handle));
    handle.data.fd = -1;
    CHECK_INT_EQ(
        AWS_OP_ERR, aws_event_loop_subscribe_to_io_events(loop, &handle, AWS_IO_EVENT_TYPE_READABLE, s_on_io, NULL));
    CHECK_INT_EQ(AWS_ERROR_SYS_CALL_FAILURE, aws_last_error());
    CHECK(handle.additional_data == NULL);
    aws_event_loop_destroy(loop);
}

static void test_new_with_unsupported_type(void) {
    struct aws_event_loop_options options = {
        .clock = aws_high_res_clock_get_ticks,
        .type = AWS_EVENT_LOOP_KQUEUE,
    };
    CHECK(aws_event_loop_new(s_alloc, &options) == NULL);
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    options.type = AWS_EVENT_LOOP_EPOLL;
    struct aws_event_loop *loop = aws_event_loop_new(s_alloc, &options);
    CHECK(loop != NULL);
    CHECK_INT_EQ(AWS_EVENT_LOOP_EPOLL, aws_event_loop_get_default_type());
    aws_event_loop_destroy(loop);
}

/* ---- a loop written in C -------------------------------------------------------- */

struct manual_loop {
    struct aws_linked_list tasks;
    uint64_t fake_now;
    int destroyed;
};

static uint64_t s_fake_time;
static int s_fake_clock(uint64_t *now) {
    *now = s_fake_time;
    return AWS_OP_SUCCESS;
}

static void s_manual_schedule(struct aws_event_loop *loop, struct aws_task *task) {
    struct manual_loop *impl = aws_event_loop_get_impl(loop);
    aws_linked_list_push_back(&impl->tasks, &task->node);
}

static void s_manual_schedule_future(struct aws_event_loop *loop, struct aws_task *task, uint64_t when) {
    task->timestamp = when;
    s_manual_schedule(loop, task);
}

static bool s_manual_on_thread(struct aws_event_loop *loop) {
    (void)loop;
    return true;
}

static void s_manual_destroy(struct aws_event_loop *loop) {
    struct manual_loop *impl = aws_event_loop_get_impl(loop);
    while (!aws_linked_list_empty(&impl->tasks)) {
        struct aws_task *task = AWS_CONTAINER_OF(aws_linked_list_pop_front(&impl->tasks), struct aws_task, node);
        task->fn(task, task->arg, AWS_TASK_STATUS_CANCELED);
    }
    impl->destroyed++;
    struct aws_allocator *alloc = loop->alloc;
    aws_event_loop_clean_up_base(loop);
    aws_mem_release(alloc, loop);
}

static void s_manual_start_destroy(struct aws_event_loop *loop) {
    (void)loop;
}

static struct aws_event_loop_vtable s_manual_vtable = {
    .start_destroy = s_manual_start_destroy,
    .complete_destroy = s_manual_destroy,
    .schedule_task_now = s_manual_schedule,
    .schedule_task_now_serialized = s_manual_schedule,
    .schedule_task_future = s_manual_schedule_future,
    .is_on_callers_thread = s_manual_on_thread,
};

static int s_removed_calls;
static void *s_removed_object;
static void s_on_removed(struct aws_event_loop_local_object *obj) {
    s_removed_calls++;
    s_removed_object = obj->object;
}

static void test_custom_c_loop(void) {
    struct manual_loop impl;
    memset(&impl, 0, sizeof(impl));
    aws_linked_list_init(&impl.tasks);
    s_fake_time = 12345;
    struct aws_event_loop *loop = aws_event_loop_new_base(s_alloc, s_fake_clock, &s_manual_vtable, &impl);
    CHECK(loop != NULL);
    CHECK(aws_event_loop_get_impl(loop) == &impl);
    CHECK(loop->vtable == &s_manual_vtable);
    CHECK(loop->alloc == s_alloc);
    s_reset(loop);

    uint64_t now = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_current_clock_time(loop, &now));
    CHECK_INT_EQ(12345, now);
    CHECK(aws_event_loop_thread_is_callers_thread(loop));

    struct aws_task t1, t2, t3;
    aws_task_init(&t1, s_record, (void *)(intptr_t)1, "t1");
    aws_task_init(&t2, s_record, (void *)(intptr_t)2, "t2");
    aws_task_init(&t3, s_record, (void *)(intptr_t)3, "t3");
    aws_event_loop_schedule_task_now(loop, &t1);
    aws_event_loop_schedule_task_now_serialized(loop, &t2);
    aws_event_loop_schedule_task_future(loop, &t3, 99);
    CHECK_INT_EQ(99, t3.timestamp);

    /* Run the first two by hand, as this loop's "thread". */
    for (int i = 0; i < 2; i++) {
        struct aws_task *task = AWS_CONTAINER_OF(aws_linked_list_pop_front(&impl.tasks), struct aws_task, node);
        task->fn(task, task->arg, AWS_TASK_STATUS_RUN_READY);
    }
    CHECK_INT_EQ(2, s_record_count);
    CHECK_INT_EQ(1, s_records[0].id);
    CHECK_INT_EQ(2, s_records[1].id);
    CHECK_INT_EQ(12345, s_records[0].ran_at);

    /* Local objects. */
    static int key_a, key_b, value_a, value_b;
    struct aws_event_loop_local_object a = {.key = &key_a, .object = &value_a, .on_object_removed = s_on_removed};
    struct aws_event_loop_local_object b = {.key = &key_b, .object = &value_b, .on_object_removed = s_on_removed};
    struct aws_event_loop_local_object out;
    memset(&out, 0, sizeof(out));
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_loop_fetch_local_object(loop, &key_a, &out));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_put_local_object(loop, &a));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_put_local_object(loop, &b));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_fetch_local_object(loop, &key_a, &out));
    CHECK(out.object == &value_a && out.key == &key_a && out.on_object_removed == s_on_removed);
    /* Removal into `out`: the callback is not called, the object is handed back. */
    memset(&out, 0, sizeof(out));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_remove_local_object(loop, &key_a, &out));
    CHECK(out.object == &value_a);
    CHECK_INT_EQ(0, s_removed_calls);
    CHECK_INT_EQ(AWS_OP_ERR, aws_event_loop_fetch_local_object(loop, &key_a, &out));
    /* Removal without `out`: the callback runs. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_remove_local_object(loop, &key_b, NULL));
    CHECK_INT_EQ(1, s_removed_calls);
    CHECK(s_removed_object == &value_b);
    /* Still present at destroy: clean_up_base calls the callback. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_loop_put_local_object(loop, &a));

    aws_event_loop_destroy(loop); /* t3 is cancelled by our destroy */
    CHECK_INT_EQ(1, impl.destroyed);
    CHECK_INT_EQ(2, s_removed_calls);
    CHECK(s_removed_object == &value_a);
    CHECK_INT_EQ(3, s_record_count);
    CHECK_INT_EQ(3, s_records[2].id);
    CHECK_INT_EQ(AWS_TASK_STATUS_CANCELED, s_records[2].status);
}

int main(void) {
    s_start_tracer();
    RUN_TEST(test_tasks_from_loop_and_other_threads);
    RUN_TEST(test_future_tasks_run_in_time_order);
    RUN_TEST(test_cancel_task_runs_canceled);
    RUN_TEST(test_pending_tasks_cancelled_at_destroy);
    RUN_TEST(test_stop_and_run_again);
    RUN_TEST(test_pipe_events);
    RUN_TEST(test_unsubscribe_stops_events);
    RUN_TEST(test_unsubscribe_in_same_batch);
    RUN_TEST(test_subscribe_bad_fd_fails);
    RUN_TEST(test_new_with_unsupported_type);
    RUN_TEST(test_custom_c_loop);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());
    s_check_tracer();
    return TEST_RESULT();
}
