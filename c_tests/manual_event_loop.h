/* A deterministic event loop for C tests, built on aws_event_loop_new_base.
 *
 * Nothing runs by itself: tasks wait in a run-now queue or a timed queue
 * (sorted by time) until the test calls manual_loop_run_until_idle(). Time is
 * a fake clock moved by manual_loop_advance(). The "loop thread" is the thread
 * that created the loop; other threads may schedule tasks (the queues are
 * locked), which then run on the next run_until_idle. Cancelling a task
 * removes it from its queue and runs it with AWS_TASK_STATUS_CANCELED (as the
 * common task scheduler does), and destroying the loop cancels what is left.
 * No I/O: subscribing raises AWS_ERROR_UNSUPPORTED_OPERATION. */
#ifndef C_TESTS_MANUAL_EVENT_LOOP_H
#define C_TESTS_MANUAL_EVENT_LOOP_H

#include <aws/common/linked_list.h>
#include <aws/io/event_loop.h>

#include <pthread.h>

struct manual_loop {
    pthread_mutex_t lock;
    pthread_t owner;
    struct aws_linked_list now_queue;   /* aws_task.node, FIFO */
    struct aws_linked_list timed_queue; /* aws_task.node, by timestamp */
    size_t tasks_run;
    size_t tasks_canceled;
};

/* One fake clock for the process: aws_io_clock_fn has no context argument. */
static uint64_t s_manual_clock_ns = 1000000000ull;

static int s_manual_clock(uint64_t *timestamp) {
    *timestamp = s_manual_clock_ns;
    return AWS_OP_SUCCESS;
}

static struct manual_loop *s_manual_of(struct aws_event_loop *loop) {
    return aws_event_loop_get_impl(loop);
}

static void s_manual_schedule_now(struct aws_event_loop *loop, struct aws_task *task) {
    struct manual_loop *m = s_manual_of(loop);
    pthread_mutex_lock(&m->lock);
    task->timestamp = 0;
    aws_linked_list_push_back(&m->now_queue, &task->node);
    pthread_mutex_unlock(&m->lock);
}

static void s_manual_schedule_future(struct aws_event_loop *loop, struct aws_task *task, uint64_t run_at) {
    struct manual_loop *m = s_manual_of(loop);
    pthread_mutex_lock(&m->lock);
    task->timestamp = run_at;
    struct aws_linked_list_node *it = aws_linked_list_begin(&m->timed_queue);
    while (it != aws_linked_list_end(&m->timed_queue)) {
        struct aws_task *queued = AWS_CONTAINER_OF(it, struct aws_task, node);
        if (queued->timestamp > run_at) {
            break;
        }
        it = aws_linked_list_next(it);
    }
    aws_linked_list_insert_before(it, &task->node);
    pthread_mutex_unlock(&m->lock);
}

static void s_manual_cancel(struct aws_event_loop *loop, struct aws_task *task) {
    struct manual_loop *m = s_manual_of(loop);
    pthread_mutex_lock(&m->lock);
    if (task->node.next != NULL) {
        aws_linked_list_remove(&task->node);
    }
    m->tasks_canceled++;
    pthread_mutex_unlock(&m->lock);
    task->fn(task, task->arg, AWS_TASK_STATUS_CANCELED);
}

static bool s_manual_is_on_callers_thread(struct aws_event_loop *loop) {
    return pthread_equal(pthread_self(), s_manual_of(loop)->owner) != 0;
}

static int s_manual_ok(struct aws_event_loop *loop) {
    (void)loop;
    return AWS_OP_SUCCESS;
}

static void s_manual_start_destroy(struct aws_event_loop *loop) {
    (void)loop;
}

static int s_manual_subscribe(
    struct aws_event_loop *loop,
    struct aws_io_handle *handle,
    int events,
    aws_event_loop_on_event_fn *on_event,
    void *user_data) {
    (void)loop;
    (void)handle;
    (void)events;
    (void)on_event;
    (void)user_data;
    return aws_raise_error(AWS_ERROR_UNSUPPORTED_OPERATION);
}

static int s_manual_unsubscribe(struct aws_event_loop *loop, struct aws_io_handle *handle) {
    (void)loop;
    (void)handle;
    return aws_raise_error(AWS_ERROR_UNSUPPORTED_OPERATION);
}

/* Pops the next due task (run-now first, then timed tasks due by the clock). */
static struct aws_task *s_manual_pop_due(struct manual_loop *m) {
    struct aws_task *task = NULL;
    pthread_mutex_lock(&m->lock);
    if (!aws_linked_list_empty(&m->now_queue)) {
        task = AWS_CONTAINER_OF(aws_linked_list_pop_front(&m->now_queue), struct aws_task, node);
    } else if (!aws_linked_list_empty(&m->timed_queue)) {
        struct aws_task *first = AWS_CONTAINER_OF(aws_linked_list_front(&m->timed_queue), struct aws_task, node);
        if (first->timestamp <= s_manual_clock_ns) {
            aws_linked_list_pop_front(&m->timed_queue);
            task = first;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return task;
}

/* Runs due tasks, including those they schedule, until none is due (at most
 * 10000). Returns how many ran. Call from the loop thread. */
static size_t manual_loop_run_until_idle(struct aws_event_loop *loop) {
    struct manual_loop *m = s_manual_of(loop);
    size_t ran = 0;
    for (; ran < 10000; ran++) {
        struct aws_task *task = s_manual_pop_due(m);
        if (task == NULL) {
            break;
        }
        m->tasks_run++;
        task->fn(task, task->arg, AWS_TASK_STATUS_RUN_READY);
    }
    return ran;
}

/* Moves the fake clock forward and runs whatever became due. */
static size_t manual_loop_advance(struct aws_event_loop *loop, uint64_t ns) {
    s_manual_clock_ns += ns;
    return manual_loop_run_until_idle(loop);
}

static size_t manual_loop_pending(struct aws_event_loop *loop) {
    struct manual_loop *m = s_manual_of(loop);
    size_t n = 0;
    pthread_mutex_lock(&m->lock);
    for (struct aws_linked_list_node *it = aws_linked_list_begin(&m->now_queue);
         it != aws_linked_list_end(&m->now_queue);
         it = aws_linked_list_next(it)) {
        n++;
    }
    for (struct aws_linked_list_node *it = aws_linked_list_begin(&m->timed_queue);
         it != aws_linked_list_end(&m->timed_queue);
         it = aws_linked_list_next(it)) {
        n++;
    }
    pthread_mutex_unlock(&m->lock);
    return n;
}

static void s_manual_complete_destroy(struct aws_event_loop *loop) {
    struct manual_loop *m = s_manual_of(loop);
    /* Whatever is still queued is told it was cancelled (bounded). */
    for (int i = 0; i < 10000; i++) {
        struct aws_task *task = NULL;
        pthread_mutex_lock(&m->lock);
        if (!aws_linked_list_empty(&m->now_queue)) {
            task = AWS_CONTAINER_OF(aws_linked_list_pop_front(&m->now_queue), struct aws_task, node);
        } else if (!aws_linked_list_empty(&m->timed_queue)) {
            task = AWS_CONTAINER_OF(aws_linked_list_pop_front(&m->timed_queue), struct aws_task, node);
        }
        pthread_mutex_unlock(&m->lock);
        if (task == NULL) {
            break;
        }
        task->fn(task, task->arg, AWS_TASK_STATUS_CANCELED);
    }
    struct aws_allocator *alloc = loop->alloc;
    aws_event_loop_clean_up_base(loop);
    pthread_mutex_destroy(&m->lock);
    aws_mem_release(alloc, m);
    aws_mem_release(alloc, loop);
}

static struct aws_event_loop_vtable s_manual_vtable = {
    .start_destroy = s_manual_start_destroy,
    .complete_destroy = s_manual_complete_destroy,
    .run = s_manual_ok,
    .stop = s_manual_ok,
    .wait_for_stop_completion = s_manual_ok,
    .schedule_task_now = s_manual_schedule_now,
    .schedule_task_now_serialized = s_manual_schedule_now,
    .schedule_task_future = s_manual_schedule_future,
    .cancel_task = s_manual_cancel,
    .subscribe_to_io_events = s_manual_subscribe,
    .unsubscribe_from_io_events = s_manual_unsubscribe,
    .is_on_callers_thread = s_manual_is_on_callers_thread,
};

/* A manual loop owned by the calling thread. Free with aws_event_loop_destroy. */
static struct aws_event_loop *manual_loop_new(struct aws_allocator *alloc) {
    struct manual_loop *m = aws_mem_calloc(alloc, 1, sizeof(struct manual_loop));
    if (m == NULL) {
        return NULL;
    }
    pthread_mutex_init(&m->lock, NULL);
    m->owner = pthread_self();
    aws_linked_list_init(&m->now_queue);
    aws_linked_list_init(&m->timed_queue);
    struct aws_event_loop *loop = aws_event_loop_new_base(alloc, s_manual_clock, &s_manual_vtable, m);
    if (loop == NULL) {
        pthread_mutex_destroy(&m->lock);
        aws_mem_release(alloc, m);
    }
    return loop;
}

#endif /* C_TESTS_MANUAL_EVENT_LOOP_H */
