/* Channels on a manual C event loop: setup, slot insertion/replacement/removal,
 * message flow through a pass-through handler, read back-pressure, the
 * shutdown order, shutdown and holds from other threads, channel tasks and
 * their cancellation, the message pool, statistics, local objects and
 * handlers whose vtables lack optional entries. Every case allocates through
 * a tracing allocator and ends with zero live allocations. */
#include <aws/common/error.h>
#include <aws/io/channel.h>
#include <aws/io/event_loop.h>
#include <aws/io/message_pool.h>
#include <aws/io/statistics.h>

#include "manual_event_loop.h"
#include "test_helpers.h"

static struct aws_allocator *s_alloc;
static struct aws_event_loop *s_loop;

/* ---- event log ------------------------------------------------------------------ */

enum ev_kind { EV_READ_MSG, EV_WRITE_MSG, EV_WINDOW, EV_SHUTDOWN_READ, EV_SHUTDOWN_WRITE, EV_DESTROY };

struct ev {
    enum ev_kind kind;
    int id;
    size_t value;
};

#define MAX_EVENTS 64
static struct ev s_events[MAX_EVENTS];
static int s_event_count;

static void s_log(enum ev_kind kind, int id, size_t value) {
    if (s_event_count < MAX_EVENTS) {
        s_events[s_event_count].kind = kind;
        s_events[s_event_count].id = id;
        s_events[s_event_count].value = value;
    }
    s_event_count++;
}

static int s_count_kind(enum ev_kind kind) {
    int n = 0;
    for (int i = 0; i < s_event_count && i < MAX_EVENTS; i++) {
        n += s_events[i].kind == kind;
    }
    return n;
}

/* ---- a configurable C handler ----------------------------------------------------- */

struct test_handler {
    struct aws_channel_handler base;
    int id;
    size_t initial_window;
    size_t overhead;
    bool passthrough;    /* forward reads right, writes left, window grants left */
    bool defer_shutdown; /* complete each direction from a channel task instead */
    struct aws_channel_task shutdown_task;
    enum aws_channel_direction pending_dir;
    int pending_error;
    size_t bytes_read;
    size_t bytes_written;
    int trigger_reads;
    int resets;
    struct aws_crt_statistics_socket stats;
};

static int s_th_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot, struct aws_io_message *msg) {
    struct test_handler *h = handler->impl;
    s_log(EV_READ_MSG, h->id, msg->message_data.len);
    if (h->passthrough) {
        return aws_channel_slot_send_message(slot, msg, AWS_CHANNEL_DIR_READ);
    }
    h->bytes_read += msg->message_data.len;
    aws_mem_release(msg->allocator, msg);
    return AWS_OP_SUCCESS;
}

static int s_th_write(struct aws_channel_handler *handler, struct aws_channel_slot *slot, struct aws_io_message *msg) {
    struct test_handler *h = handler->impl;
    s_log(EV_WRITE_MSG, h->id, msg->message_data.len);
    if (h->passthrough) {
        return aws_channel_slot_send_message(slot, msg, AWS_CHANNEL_DIR_WRITE);
    }
    h->bytes_written += msg->message_data.len;
    aws_mem_release(msg->allocator, msg);
    return AWS_OP_SUCCESS;
}

static int s_th_window(struct aws_channel_handler *handler, struct aws_channel_slot *slot, size_t size) {
    struct test_handler *h = handler->impl;
    s_log(EV_WINDOW, h->id, size);
    if (h->passthrough) {
        return aws_channel_slot_increment_read_window(slot, size);
    }
    return AWS_OP_SUCCESS;
}

static void s_th_deferred_shutdown(struct aws_channel_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    (void)status;
    struct test_handler *h = arg;
    aws_channel_slot_on_handler_shutdown_complete(h->base.slot, h->pending_dir, h->pending_error, false);
}

static int s_th_shutdown(
    struct aws_channel_handler *handler,
    struct aws_channel_slot *slot,
    enum aws_channel_direction dir,
    int error_code,
    bool immediately) {
    struct test_handler *h = handler->impl;
    s_log(dir == AWS_CHANNEL_DIR_READ ? EV_SHUTDOWN_READ : EV_SHUTDOWN_WRITE, h->id, (size_t)error_code);
    if (h->defer_shutdown) {
        h->pending_dir = dir;
        h->pending_error = error_code;
        aws_channel_task_init(&h->shutdown_task, s_th_deferred_shutdown, h, "deferred_shutdown");
        aws_channel_schedule_task_now(slot->channel, &h->shutdown_task);
        return AWS_OP_SUCCESS;
    }
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, immediately);
}

static size_t s_th_initial_window(struct aws_channel_handler *handler) {
    return ((struct test_handler *)handler->impl)->initial_window;
}

static size_t s_th_overhead(struct aws_channel_handler *handler) {
    return ((struct test_handler *)handler->impl)->overhead;
}

static void s_th_destroy(struct aws_channel_handler *handler) {
    struct test_handler *h = handler->impl;
    s_log(EV_DESTROY, h->id, 0);
    aws_mem_release(handler->alloc, h);
}

static void s_th_reset_stats(struct aws_channel_handler *handler) {
    struct test_handler *h = handler->impl;
    h->resets++;
    aws_crt_statistics_socket_reset(&h->stats);
}

static void s_th_gather_stats(struct aws_channel_handler *handler, struct aws_array_list *stats) {
    struct test_handler *h = handler->impl;
    void *p = &h->stats;
    aws_array_list_push_back(stats, &p);
}

static void s_th_trigger_read(struct aws_channel_handler *handler) {
    ((struct test_handler *)handler->impl)->trigger_reads++;
}

static struct aws_channel_handler_vtable s_th_vtable = {
    .process_read_message = s_th_read,
    .process_write_message = s_th_write,
    .increment_read_window = s_th_window,
    .shutdown = s_th_shutdown,
    .initial_window_size = s_th_initial_window,
    .message_overhead = s_th_overhead,
    .destroy = s_th_destroy,
    .reset_statistics = s_th_reset_stats,
    .gather_statistics = s_th_gather_stats,
    .trigger_read = s_th_trigger_read,
};

static struct test_handler *s_handler_new(int id, size_t initial_window, bool passthrough) {
    struct test_handler *h = aws_mem_calloc(s_alloc, 1, sizeof(struct test_handler));
    h->base.vtable = &s_th_vtable;
    h->base.alloc = s_alloc;
    h->base.impl = h;
    h->id = id;
    h->initial_window = initial_window;
    h->passthrough = passthrough;
    aws_crt_statistics_socket_init(&h->stats);
    return h;
}

/* ---- channel callbacks ---------------------------------------------------------------- */

static int s_setup_calls;
static int s_setup_error;
static bool s_setup_on_loop_thread;
static int s_shutdown_calls;
static int s_shutdown_error;
static bool s_shutdown_on_loop_thread;
static int s_events_at_shutdown_cb;

static void s_on_setup(struct aws_channel *channel, int error_code, void *user_data) {
    (void)user_data;
    s_setup_calls++;
    s_setup_error = error_code;
    s_setup_on_loop_thread = aws_channel_thread_is_callers_thread(channel);
}

static void s_on_shutdown(struct aws_channel *channel, int error_code, void *user_data) {
    (void)user_data;
    s_shutdown_calls++;
    s_shutdown_error = error_code;
    s_shutdown_on_loop_thread = aws_channel_thread_is_callers_thread(channel);
    s_events_at_shutdown_cb = s_event_count;
}

static void s_begin(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    s_loop = manual_loop_new(s_alloc);
    s_event_count = 0;
    memset(s_events, 0, sizeof(s_events));
    s_setup_calls = s_shutdown_calls = 0;
    s_setup_error = s_shutdown_error = -100;
    s_setup_on_loop_thread = s_shutdown_on_loop_thread = false;
    s_events_at_shutdown_cb = -1;
}

static void s_end(void) {
    aws_event_loop_destroy(s_loop);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_destroy(s_alloc);
}

static struct aws_channel *s_channel_new(bool back_pressure) {
    struct aws_channel_options opts = {
        .event_loop = s_loop,
        .on_setup_completed = s_on_setup,
        .on_shutdown_completed = s_on_shutdown,
        .enable_read_back_pressure = back_pressure,
    };
    struct aws_channel *channel = aws_channel_new(s_alloc, &opts);
    CHECK(channel != NULL);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_setup_calls);
    return channel;
}

/* Builds handlers[0..n) in a row of new slots; returns the slots. */
static void s_build_chain(struct aws_channel *channel, struct test_handler **handlers, struct aws_channel_slot **slots, int n) {
    for (int i = 0; i < n; i++) {
        slots[i] = aws_channel_slot_new(channel);
        if (i > 0) {
            CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_end(channel, slots[i]));
        }
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(slots[i], &handlers[i]->base));
        CHECK(handlers[i]->base.slot == slots[i]);
    }
}

static void s_shutdown_and_destroy(struct aws_channel *channel) {
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_shutdown(channel, AWS_OP_SUCCESS));
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_shutdown_calls);
    aws_channel_destroy(channel);
}

static struct aws_io_message *s_message(struct aws_channel *channel, const char *text) {
    struct aws_io_message *msg = aws_channel_acquire_message_from_pool(channel, AWS_IO_MESSAGE_APPLICATION_DATA, 64);
    size_t len = strlen(text);
    memcpy(msg->message_data.buffer, text, len);
    msg->message_data.len = len;
    return msg;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_setup_and_empty_shutdown(void) {
    s_begin();
    struct aws_channel_options opts = {
        .event_loop = s_loop,
        .on_setup_completed = s_on_setup,
        .on_shutdown_completed = s_on_shutdown,
    };
    struct aws_channel *channel = aws_channel_new(s_alloc, &opts);
    CHECK(channel != NULL);
    /* Setup completes asynchronously, on the loop. */
    CHECK_INT_EQ(0, s_setup_calls);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_setup_calls);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_setup_error);
    CHECK(s_setup_on_loop_thread);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_setup_calls);

    CHECK(aws_channel_get_event_loop(channel) == s_loop);
    CHECK(aws_channel_get_first_slot(channel) == NULL);
    CHECK(aws_channel_thread_is_callers_thread(channel));
    uint64_t now = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_current_clock_time(channel, &now));
    CHECK_INT_EQ(s_manual_clock_ns, now);
    CHECK_INT_EQ(16 * 1024, g_aws_channel_max_fragment_size);

    /* No slots: shutdown goes straight to the callback, as a loop task. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_shutdown(channel, AWS_IO_SOCKET_CLOSED));
    CHECK_INT_EQ(0, s_shutdown_calls);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, s_shutdown_error);
    CHECK(s_shutdown_on_loop_thread);
    /* A second request is accepted and ignored. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_shutdown(channel, AWS_ERROR_UNKNOWN));
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_shutdown_calls);
    aws_channel_destroy(channel);
    s_end();
}

static void test_slot_insert_replace_remove(void) {
    s_begin();
    struct aws_channel *channel = s_channel_new(false);
    struct test_handler *h[6];
    for (int i = 0; i < 6; i++) {
        h[i] = s_handler_new(i, 0, false);
        h[i]->overhead = (size_t)(i + 1) * 10;
    }
    struct aws_channel_slot *a = aws_channel_slot_new(channel);
    CHECK(aws_channel_get_first_slot(channel) == a);
    CHECK(a->channel == channel && a->alloc == s_alloc);
    /* The first slot is already in place: inserting it at the end is an error. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_slot_insert_end(channel, a));
    CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());

    struct aws_channel_slot *b = aws_channel_slot_new(channel);
    struct aws_channel_slot *c = aws_channel_slot_new(channel);
    struct aws_channel_slot *d = aws_channel_slot_new(channel);
    CHECK(aws_channel_get_first_slot(channel) == a);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_end(channel, b));     /* a b */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_left(b, c));          /* a c b */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_right(a, d));         /* a d c b */
    CHECK(a->adj_left == NULL && a->adj_right == d);
    CHECK(d->adj_left == a && d->adj_right == c);
    CHECK(c->adj_left == d && c->adj_right == b);
    CHECK(b->adj_left == c && b->adj_right == NULL);

    aws_channel_slot_set_handler(a, &h[0]->base); /* overhead 10 */
    aws_channel_slot_set_handler(d, &h[1]->base); /* 20 */
    aws_channel_slot_set_handler(c, &h[2]->base); /* 30 */
    aws_channel_slot_set_handler(b, &h[3]->base); /* 40 */
    CHECK_INT_EQ(0, aws_channel_slot_upstream_message_overhead(a));
    CHECK_INT_EQ(10, aws_channel_slot_upstream_message_overhead(d));
    CHECK_INT_EQ(30, aws_channel_slot_upstream_message_overhead(c));
    CHECK_INT_EQ(60, aws_channel_slot_upstream_message_overhead(b));

    /* Inserting left of the first slot makes a new first slot. */
    struct aws_channel_slot *e = aws_channel_slot_new(channel);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_left(a, e)); /* e a d c b */
    CHECK(aws_channel_get_first_slot(channel) == e);
    aws_channel_slot_set_handler(e, &h[4]->base); /* 50 */
    CHECK_INT_EQ(50, aws_channel_slot_upstream_message_overhead(a));
    CHECK_INT_EQ(110, aws_channel_slot_upstream_message_overhead(b));

    /* Replace c (handler 2) with f: c's handler is destroyed. */
    struct aws_channel_slot *f = aws_channel_slot_new(channel);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_replace(c, f)); /* e a d f b */
    CHECK(d->adj_right == f && f->adj_left == d && f->adj_right == b && b->adj_left == f);
    CHECK_INT_EQ(1, s_count_kind(EV_DESTROY));
    CHECK_INT_EQ(2, s_events[0].id);
    aws_channel_slot_set_handler(f, &h[5]->base); /* 60 */
    CHECK_INT_EQ(50 + 10 + 20 + 60, aws_channel_slot_upstream_message_overhead(b));

    /* Remove the first slot, then the last. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_remove(e)); /* a d f b */
    CHECK(aws_channel_get_first_slot(channel) == a);
    CHECK(a->adj_left == NULL);
    CHECK_INT_EQ(0, aws_channel_slot_upstream_message_overhead(a));
    CHECK_INT_EQ(10 + 20 + 60, aws_channel_slot_upstream_message_overhead(b));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_remove(b)); /* a d f */
    CHECK(f->adj_right == NULL);
    CHECK_INT_EQ(3, s_count_kind(EV_DESTROY));

    s_shutdown_and_destroy(channel);
    CHECK_INT_EQ(6, s_count_kind(EV_DESTROY));
    s_end();
}

static void test_message_flow_through_passthrough(void) {
    s_begin();
    struct aws_channel *channel = s_channel_new(false);
    struct test_handler *h[3] = {s_handler_new(0, 0, false), s_handler_new(1, 0, true), s_handler_new(2, 0, false)};
    struct aws_channel_slot *slots[3];
    s_build_chain(channel, h, slots, 3);

    struct aws_io_message *msg = s_message(channel, "hello");
    CHECK(msg->owning_channel == channel);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_send_message(slots[0], msg, AWS_CHANNEL_DIR_READ));
    CHECK_INT_EQ(2, s_event_count);
    CHECK(s_events[0].kind == EV_READ_MSG && s_events[0].id == 1 && s_events[0].value == 5);
    CHECK(s_events[1].kind == EV_READ_MSG && s_events[1].id == 2 && s_events[1].value == 5);
    CHECK_INT_EQ(5, h[2]->bytes_read);

    msg = s_message(channel, "abc");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_send_message(slots[2], msg, AWS_CHANNEL_DIR_WRITE));
    CHECK_INT_EQ(4, s_event_count);
    CHECK(s_events[2].kind == EV_WRITE_MSG && s_events[2].id == 1 && s_events[2].value == 3);
    CHECK(s_events[3].kind == EV_WRITE_MSG && s_events[3].id == 0 && s_events[3].value == 3);
    CHECK_INT_EQ(3, h[0]->bytes_written);

    /* No neighbour in the direction: the caller keeps the message. */
    msg = s_message(channel, "x");
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_slot_send_message(slots[2], msg, AWS_CHANNEL_DIR_READ));
    CHECK_INT_EQ(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_slot_send_message(slots[0], msg, AWS_CHANNEL_DIR_WRITE));
    CHECK_INT_EQ(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT, aws_last_error());
    CHECK_INT_EQ(4, s_event_count);
    aws_mem_release(msg->allocator, msg);

    /* Without back-pressure the window is unlimited. */
    CHECK(aws_channel_slot_downstream_read_window(slots[0]) == SIZE_MAX);
    s_shutdown_and_destroy(channel);
    s_end();
}

static void test_read_back_pressure(void) {
    s_begin();
    struct aws_channel *channel = s_channel_new(true);
    struct test_handler *h[3] = {s_handler_new(0, 0, false), s_handler_new(1, 0, true), s_handler_new(2, 0, false)};
    struct aws_channel_slot *slots[3];
    s_build_chain(channel, h, slots, 3);
    manual_loop_run_until_idle(s_loop);
    s_event_count = 0;

    CHECK_INT_EQ(0, aws_channel_slot_downstream_read_window(slots[0]));
    struct aws_io_message *msg = s_message(channel, "12345");
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_slot_send_message(slots[0], msg, AWS_CHANNEL_DIR_READ));
    CHECK_INT_EQ(AWS_IO_CHANNEL_READ_WOULD_EXCEED_WINDOW, aws_last_error());
    CHECK_INT_EQ(0, s_event_count);

    /* The right handler grants 8: batched, applied by a loop task, passed on
     * by the pass-through handler to the left handler. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_increment_read_window(slots[2], 8));
    CHECK_INT_EQ(0, s_event_count);
    manual_loop_run_until_idle(s_loop);
    /* Grants reach the handlers right to left. (A second update pass, queued
     * by the pass-through's re-grant, may add 0-byte grants, as upstream's.) */
    struct ev grants[4];
    int n_grants = 0;
    for (int i = 0; i < s_event_count && i < MAX_EVENTS; i++) {
        if (s_events[i].kind == EV_WINDOW && s_events[i].value != 0 && n_grants < 4) {
            grants[n_grants++] = s_events[i];
        }
    }
    CHECK_INT_EQ(2, n_grants);
    CHECK(n_grants == 2 && grants[0].id == 1 && grants[0].value == 8);
    CHECK(n_grants == 2 && grants[1].id == 0 && grants[1].value == 8);
    CHECK_INT_EQ(8, aws_channel_slot_downstream_read_window(slots[0]));
    CHECK_INT_EQ(8, aws_channel_slot_downstream_read_window(slots[1]));

    s_event_count = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_send_message(slots[0], msg, AWS_CHANNEL_DIR_READ));
    CHECK_INT_EQ(2, s_count_kind(EV_READ_MSG));
    CHECK_INT_EQ(5, h[2]->bytes_read);
    CHECK_INT_EQ(3, aws_channel_slot_downstream_read_window(slots[0]));
    CHECK_INT_EQ(3, aws_channel_slot_downstream_read_window(slots[1]));
    msg = s_message(channel, "1234");
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_slot_send_message(slots[0], msg, AWS_CHANNEL_DIR_READ));
    CHECK_INT_EQ(AWS_IO_CHANNEL_READ_WOULD_EXCEED_WINDOW, aws_last_error());
    aws_mem_release(msg->allocator, msg);
    /* Writes ignore the read window. */
    msg = s_message(channel, "write-ignores-window");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_send_message(slots[2], msg, AWS_CHANNEL_DIR_WRITE));

    /* The handlers' initial windows are granted the same way. */
    s_shutdown_and_destroy(channel);
    s_end();

    s_begin();
    channel = s_channel_new(true);
    struct test_handler *g[2] = {s_handler_new(0, 0, false), s_handler_new(1, 100, false)};
    s_build_chain(channel, g, slots, 2);
    CHECK_INT_EQ(0, aws_channel_slot_downstream_read_window(slots[0]));
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(100, aws_channel_slot_downstream_read_window(slots[0]));
    CHECK_INT_EQ(1, s_count_kind(EV_WINDOW));
    CHECK_INT_EQ(100, s_events[0].value);
    s_shutdown_and_destroy(channel);
    s_end();
}

static void test_shutdown_order(void) {
    s_begin();
    struct aws_channel *channel = s_channel_new(false);
    struct test_handler *h[3] = {s_handler_new(0, 0, false), s_handler_new(1, 0, true), s_handler_new(2, 0, false)};
    h[1]->defer_shutdown = true; /* completes each direction from a task */
    struct aws_channel_slot *slots[3];
    s_build_chain(channel, h, slots, 3);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_shutdown(channel, AWS_IO_SOCKET_CLOSED));
    CHECK_INT_EQ(0, s_event_count); /* scheduled, not run inline */
    manual_loop_run_until_idle(s_loop);
    static const enum ev_kind kinds[] = {
        EV_SHUTDOWN_READ, EV_SHUTDOWN_READ, EV_SHUTDOWN_READ, EV_SHUTDOWN_WRITE, EV_SHUTDOWN_WRITE, EV_SHUTDOWN_WRITE};
    static const int ids[] = {0, 1, 2, 2, 1, 0};
    CHECK_INT_EQ(6, s_event_count);
    for (int i = 0; i < 6 && i < s_event_count; i++) {
        CHECK_INT_EQ(kinds[i], s_events[i].kind);
        CHECK_INT_EQ(ids[i], s_events[i].id);
        CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, s_events[i].value);
    }
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK_INT_EQ(6, s_events_at_shutdown_cb); /* after every handler */
    CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, s_shutdown_error);
    CHECK(s_shutdown_on_loop_thread);

    /* Shut down: a late shutdown request and late completions change nothing. */
    aws_channel_shutdown(channel, AWS_ERROR_UNKNOWN);
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_channel_slot_on_handler_shutdown_complete(slots[0], AWS_CHANNEL_DIR_WRITE, 0, false));
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK_INT_EQ(6, s_event_count);
    aws_channel_destroy(channel);
    CHECK_INT_EQ(3, s_count_kind(EV_DESTROY));
    s_end();
}

struct thread_job {
    struct aws_channel *channel;
    struct aws_channel_task *task;
    int shutdown_result;
    bool on_loop_thread;
};

static void *s_shutdown_thread(void *arg) {
    struct thread_job *job = arg;
    job->on_loop_thread = aws_channel_thread_is_callers_thread(job->channel);
    if (job->task) {
        aws_channel_schedule_task_now(job->channel, job->task);
    }
    job->shutdown_result = aws_channel_shutdown(job->channel, AWS_IO_SOCKET_CLOSED);
    return NULL;
}

static int s_task_runs;
static int s_task_cancels;
static bool s_task_on_loop_thread;
static int s_task_order[8];
static int s_task_order_count;

static void s_count_task(struct aws_channel_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    if (status == AWS_TASK_STATUS_RUN_READY) {
        s_task_runs++;
    } else {
        s_task_cancels++;
    }
    s_task_on_loop_thread = aws_channel_thread_is_callers_thread(arg);
}

static void test_shutdown_from_other_thread(void) {
    s_begin();
    s_task_runs = s_task_cancels = 0;
    struct aws_channel *channel = s_channel_new(false);
    struct test_handler *h[2] = {s_handler_new(0, 0, false), s_handler_new(1, 0, false)};
    struct aws_channel_slot *slots[2];
    s_build_chain(channel, h, slots, 2);

    struct aws_channel_task task;
    aws_channel_task_init(&task, s_count_task, channel, "from_thread");
    struct thread_job job = {.channel = channel, .task = &task, .shutdown_result = -5, .on_loop_thread = true};
    pthread_t thread;
    CHECK_INT_EQ(0, pthread_create(&thread, NULL, s_shutdown_thread, &job));
    CHECK_INT_EQ(0, pthread_join(thread, NULL));
    CHECK(!job.on_loop_thread);
    CHECK_INT_EQ(AWS_OP_SUCCESS, job.shutdown_result);
    /* Nothing ran on the other thread. */
    CHECK_INT_EQ(0, s_event_count);
    CHECK_INT_EQ(0, s_task_runs + s_task_cancels);

    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_task_runs);
    CHECK(s_task_on_loop_thread);
    CHECK_INT_EQ(4, s_event_count);
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK(s_shutdown_on_loop_thread);
    CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, s_shutdown_error);

    /* After shutdown, a task from another thread runs at once, cancelled. */
    aws_channel_task_init(&task, s_count_task, channel, "late");
    job.task = &task;
    CHECK_INT_EQ(0, pthread_create(&thread, NULL, s_shutdown_thread, &job));
    CHECK_INT_EQ(0, pthread_join(thread, NULL));
    CHECK_INT_EQ(1, s_task_cancels);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_shutdown_calls);
    aws_channel_destroy(channel);
    s_end();
}

static void *s_release_thread(void *arg) {
    aws_channel_release_hold(arg);
    return NULL;
}

static void test_holds_defer_destroy(void) {
    s_begin();
    struct aws_channel *channel = s_channel_new(false);
    struct test_handler *h[1] = {s_handler_new(0, 0, false)};
    struct aws_channel_slot *slots[1];
    s_build_chain(channel, h, slots, 1);
    aws_channel_acquire_hold(channel);
    aws_channel_acquire_hold(channel);
    s_shutdown_and_destroy(channel);
    CHECK_INT_EQ(0, s_count_kind(EV_DESTROY));
    aws_channel_release_hold(channel);
    CHECK_INT_EQ(0, s_count_kind(EV_DESTROY));
    /* The last hold dropped off the loop thread: freed by a loop task. */
    pthread_t thread;
    CHECK_INT_EQ(0, pthread_create(&thread, NULL, s_release_thread, channel));
    CHECK_INT_EQ(0, pthread_join(thread, NULL));
    CHECK_INT_EQ(0, s_count_kind(EV_DESTROY));
    CHECK_INT_EQ(1, manual_loop_run_until_idle(s_loop));
    CHECK_INT_EQ(1, s_count_kind(EV_DESTROY));
    s_end();
}

static void s_ordered_task(struct aws_channel_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    (void)status;
    if (s_task_order_count < 8) {
        s_task_order[s_task_order_count] = (int)(intptr_t)arg;
    }
    s_task_order_count++;
}

static void test_channel_tasks(void) {
    s_begin();
    s_task_runs = s_task_cancels = 0;
    s_task_order_count = 0;
    struct aws_channel *channel = s_channel_new(false);
    struct aws_channel_task now_task, future_task, far_task, late_task;

    aws_channel_task_init(&now_task, s_count_task, channel, "now");
    CHECK(now_task.task_fn == s_count_task && now_task.arg == channel);
    CHECK_STR_EQ("now", now_task.type_tag);
    aws_channel_schedule_task_now(channel, &now_task);
    CHECK_INT_EQ(0, s_task_runs);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_task_runs);

    uint64_t now = 0;
    aws_channel_current_clock_time(channel, &now);
    aws_channel_task_init(&future_task, s_count_task, channel, "future");
    aws_channel_schedule_task_future(channel, &future_task, now + 100);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_task_runs);
    manual_loop_advance(s_loop, 100);
    CHECK_INT_EQ(2, s_task_runs);

    /* Serialized tasks keep their order. */
    struct aws_channel_task ser[3];
    for (int i = 0; i < 3; i++) {
        aws_channel_task_init(&ser[i], s_ordered_task, (void *)(intptr_t)(i + 1), "serialized");
        aws_channel_schedule_task_now_serialized(channel, &ser[i]);
    }
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(3, s_task_order_count);
    for (int i = 0; i < 3; i++) {
        CHECK_INT_EQ(i + 1, s_task_order[i]);
    }

    /* A task still pending at shutdown is cancelled before the shutdown callback. */
    aws_channel_task_init(&far_task, s_count_task, channel, "far");
    aws_channel_schedule_task_future(channel, &far_task, now + 1000000000000ull);
    aws_channel_shutdown(channel, 0);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_task_cancels);
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK_INT_EQ(0, manual_loop_pending(s_loop));

    /* Scheduled after shutdown: runs at once, cancelled. */
    aws_channel_task_init(&late_task, s_count_task, channel, "late");
    aws_channel_schedule_task_now(channel, &late_task);
    CHECK_INT_EQ(2, s_task_cancels);
    CHECK_INT_EQ(2, s_task_runs);
    aws_channel_destroy(channel);
    s_end();

    /* A channel destroyed without shutdown cancels its pending tasks. */
    s_begin();
    s_task_runs = s_task_cancels = 0;
    channel = s_channel_new(false);
    aws_channel_task_init(&far_task, s_count_task, channel, "far");
    aws_channel_schedule_task_future(channel, &far_task, s_manual_clock_ns + 1000000000000ull);
    aws_channel_destroy(channel);
    CHECK_INT_EQ(1, s_task_cancels);
    CHECK_INT_EQ(0, s_task_runs);
    CHECK_INT_EQ(0, manual_loop_pending(s_loop));
    s_end();
}

static void test_message_pool(void) {
    s_begin();
    struct aws_message_pool pool;
    struct aws_message_pool_creation_args args = {
        .application_data_msg_data_size = 1000,
        .application_data_msg_count = 2,
        .small_block_msg_data_size = 100,
        .small_block_msg_count = 1,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_message_pool_init(&pool, s_alloc, &args));
    CHECK(pool.alloc == s_alloc);
    CHECK_INT_EQ(2, aws_array_list_length(&pool.application_data_pool.stack));
    CHECK_INT_EQ(1, aws_array_list_length(&pool.small_block_pool.stack));

    struct aws_io_message *small = aws_message_pool_acquire(&pool, AWS_IO_MESSAGE_APPLICATION_DATA, 50);
    CHECK_INT_EQ(50, small->message_data.capacity);
    CHECK_INT_EQ(0, small->message_data.len);
    CHECK(small->allocator != NULL && small->on_completion == NULL && small->user_data == NULL);
    CHECK_INT_EQ(0, aws_array_list_length(&pool.small_block_pool.stack));
    struct aws_io_message *big = aws_message_pool_acquire(&pool, AWS_IO_MESSAGE_APPLICATION_DATA, 5000);
    CHECK_INT_EQ(1000, big->message_data.capacity); /* clamped */
    memset(big->message_data.buffer, 0xAB, 1000);
    big->message_data.len = 1000;
    struct aws_io_message *big_address = big;
    aws_mem_release(big->allocator, big); /* back to the pool */
    CHECK_INT_EQ(2, aws_array_list_length(&pool.application_data_pool.stack));
    big = aws_message_pool_acquire(&pool, AWS_IO_MESSAGE_APPLICATION_DATA, 200);
    CHECK(big == big_address); /* reused */
    CHECK_INT_EQ(200, big->message_data.capacity);
    CHECK_INT_EQ(0, big->message_data.buffer[0]); /* used bytes were zeroed */

    /* Beyond the pool's count: fresh blocks, freed on release when full. */
    struct aws_io_message *extra[3];
    for (int i = 0; i < 3; i++) {
        extra[i] = aws_message_pool_acquire(&pool, AWS_IO_MESSAGE_APPLICATION_DATA, 500);
    }
    for (int i = 0; i < 3; i++) {
        aws_message_pool_release(&pool, extra[i]);
    }
    CHECK_INT_EQ(2, aws_array_list_length(&pool.application_data_pool.stack));
    aws_mem_release(big->allocator, big);
    aws_mem_release(small->allocator, small);
    CHECK_INT_EQ(1, aws_array_list_length(&pool.small_block_pool.stack));
    aws_message_pool_clean_up(&pool);

    /* The plain memory pool. */
    struct aws_memory_pool mp;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_memory_pool_init(&mp, s_alloc, 1, 32));
    void *m1 = aws_memory_pool_acquire(&mp);
    void *m2 = aws_memory_pool_acquire(&mp);
    CHECK(m1 != NULL && m2 != NULL && m1 != m2);
    aws_memory_pool_release(&mp, m1);
    aws_memory_pool_release(&mp, m2); /* pool full: freed */
    CHECK(aws_memory_pool_acquire(&mp) == m1);
    aws_memory_pool_release(&mp, m1);
    aws_memory_pool_clean_up(&mp);

    /* Through a channel: the loop's pool, clamped to the max fragment size. */
    struct aws_channel *channel = s_channel_new(false);
    struct test_handler *h[2] = {s_handler_new(0, 0, false), s_handler_new(1, 0, false)};
    h[0]->overhead = 100;
    struct aws_channel_slot *slots[2];
    s_build_chain(channel, h, slots, 2);
    struct aws_io_message *msg = aws_channel_acquire_message_from_pool(channel, AWS_IO_MESSAGE_APPLICATION_DATA, 1 << 20);
    CHECK(msg->owning_channel == channel);
    CHECK_INT_EQ(g_aws_channel_max_fragment_size, msg->message_data.capacity);
    aws_mem_release(msg->allocator, msg);
    msg = aws_channel_slot_acquire_max_message_for_write(slots[1]);
    CHECK_INT_EQ(g_aws_channel_max_fragment_size - 100, msg->message_data.capacity);
    aws_mem_release(msg->allocator, msg);
    s_shutdown_and_destroy(channel);
    s_end(); /* the loop's pool goes with the loop's local objects */
}

/* ---- statistics ---------------------------------------------------------------------- */

static int s_stats_reports;
static size_t s_stats_last_count;
static uint64_t s_stats_begin, s_stats_end;
static int s_stats_destroys;
static uint32_t s_stats_first_category;
static void *s_stats_context;

static void s_stats_process(
    struct aws_crt_statistics_handler *handler,
    struct aws_crt_statistics_sample_interval *interval,
    struct aws_array_list *stats,
    void *context) {
    (void)handler;
    s_stats_reports++;
    s_stats_last_count = aws_array_list_length(stats);
    s_stats_begin = interval->begin_time_ms;
    s_stats_end = interval->end_time_ms;
    s_stats_context = context;
    struct aws_crt_statistics_base *first = NULL;
    if (aws_array_list_get_at(stats, &first, 0) == AWS_OP_SUCCESS) {
        s_stats_first_category = first->category;
    }
}

static void s_stats_destroy(struct aws_crt_statistics_handler *handler) {
    s_stats_destroys++;
    aws_mem_release(handler->allocator, handler);
}

static uint64_t s_stats_interval(struct aws_crt_statistics_handler *handler) {
    (void)handler;
    return 1000;
}

static struct aws_crt_statistics_handler_vtable s_stats_vtable = {
    .process_statistics = s_stats_process,
    .destroy = s_stats_destroy,
    .get_report_interval_ms = s_stats_interval,
};

static struct aws_crt_statistics_handler *s_stats_handler_new(void) {
    struct aws_crt_statistics_handler *handler = aws_mem_calloc(s_alloc, 1, sizeof(*handler));
    handler->vtable = &s_stats_vtable;
    handler->allocator = s_alloc;
    return handler;
}

static void test_statistics(void) {
    s_begin();
    s_stats_reports = s_stats_destroys = 0;
    struct aws_crt_statistics_socket sock;
    memset(&sock, 0xFF, sizeof(sock));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_crt_statistics_socket_init(&sock));
    CHECK_INT_EQ(AWSCRT_STAT_CAT_SOCKET, sock.category);
    CHECK_INT_EQ(0, sock.bytes_read);
    sock.bytes_read = 5;
    sock.bytes_written = 6;
    aws_crt_statistics_socket_reset(&sock);
    CHECK(sock.bytes_read == 0 && sock.bytes_written == 0 && sock.category == AWSCRT_STAT_CAT_SOCKET);
    aws_crt_statistics_socket_cleanup(&sock);
    struct aws_crt_statistics_tls tls;
    memset(&tls, 0xFF, sizeof(tls));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_crt_statistics_tls_init(&tls));
    CHECK_INT_EQ(AWSCRT_STAT_CAT_TLS, tls.category);
    CHECK_INT_EQ(AWS_TLS_NEGOTIATION_STATUS_NONE, tls.handshake_status);
    CHECK_INT_EQ(0, tls.handshake_start_ns);
    aws_crt_statistics_tls_reset(&tls);
    aws_crt_statistics_tls_cleanup(&tls);

    struct aws_channel *channel = s_channel_new(false);
    struct test_handler *h[2] = {s_handler_new(0, 0, false), s_handler_new(1, 0, false)};
    struct aws_channel_slot *slots[2];
    s_build_chain(channel, h, slots, 2);
    uint64_t start_ms = s_manual_clock_ns / 1000000;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_set_statistics_handler(channel, s_stats_handler_new()));
    CHECK_INT_EQ(1, h[0]->resets);
    manual_loop_advance(s_loop, 999 * 1000000ull);
    CHECK_INT_EQ(0, s_stats_reports);
    h[0]->stats.bytes_read = 77;
    manual_loop_advance(s_loop, 1000000ull);
    CHECK_INT_EQ(1, s_stats_reports);
    CHECK_INT_EQ(2, s_stats_last_count);
    CHECK_INT_EQ(AWSCRT_STAT_CAT_SOCKET, s_stats_first_category);
    CHECK_INT_EQ(start_ms, s_stats_begin);
    CHECK_INT_EQ(start_ms + 1000, s_stats_end);
    CHECK(s_stats_context == channel);
    CHECK_INT_EQ(2, h[0]->resets);
    CHECK_INT_EQ(0, h[0]->stats.bytes_read);
    manual_loop_advance(s_loop, 1000 * 1000000ull);
    CHECK_INT_EQ(2, s_stats_reports);
    CHECK_INT_EQ(start_ms + 1000, s_stats_begin);

    /* Replacing the handler destroys the old one; the channel owns the new one. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_set_statistics_handler(channel, s_stats_handler_new()));
    CHECK_INT_EQ(1, s_stats_destroys);
    s_shutdown_and_destroy(channel);
    CHECK_INT_EQ(2, s_stats_destroys);
    CHECK_INT_EQ(0, manual_loop_pending(s_loop));
    s_end();
}

/* ---- misc -------------------------------------------------------------------------------- */

static int s_removed_calls;
static void s_on_removed(struct aws_event_loop_local_object *obj) {
    (void)obj;
    s_removed_calls++;
}

static void *s_trigger_read_thread(void *arg) {
    struct thread_job *job = arg;
    job->shutdown_result = aws_channel_trigger_read(job->channel);
    job->on_loop_thread = aws_last_error() == AWS_ERROR_INVALID_STATE;
    return NULL;
}

static void test_trigger_read_and_local_objects(void) {
    s_begin();
    struct aws_channel *channel = s_channel_new(false);
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_trigger_read(NULL));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_trigger_read(channel));
    CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());
    struct test_handler *h[2] = {s_handler_new(0, 0, false), s_handler_new(1, 0, false)};
    struct aws_channel_slot *slots[2];
    s_build_chain(channel, h, slots, 2);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_trigger_read(channel));
    CHECK_INT_EQ(1, h[0]->trigger_reads);
    CHECK_INT_EQ(0, h[1]->trigger_reads);
    struct thread_job job = {.channel = channel};
    pthread_t thread;
    CHECK_INT_EQ(0, pthread_create(&thread, NULL, s_trigger_read_thread, &job));
    CHECK_INT_EQ(0, pthread_join(thread, NULL));
    CHECK_INT_EQ(AWS_OP_ERR, job.shutdown_result);
    CHECK(job.on_loop_thread); /* raised AWS_ERROR_INVALID_STATE */
    CHECK_INT_EQ(1, h[0]->trigger_reads);

    static int key;
    s_removed_calls = 0;
    struct aws_event_loop_local_object obj = {.key = &key, .object = &key, .on_object_removed = s_on_removed};
    struct aws_event_loop_local_object out;
    AWS_ZERO_STRUCT(out);
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_fetch_local_object(channel, &key, &out));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_put_local_object(channel, &key, &obj));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_fetch_local_object(channel, &key, &out));
    CHECK(out.object == &key && out.key == &key);
    AWS_ZERO_STRUCT(out);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_remove_local_object(channel, &key, &out));
    CHECK(out.object == &key);
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_fetch_local_object(channel, &key, &out));
    s_shutdown_and_destroy(channel);
    s_end();
}

/* A handler whose vtable has no entries at all (not even destroy). */
static struct aws_channel_handler_vtable s_empty_vtable;

static void test_handler_without_optional_entries(void) {
    s_begin();
    struct aws_channel *channel = s_channel_new(true);
    struct aws_channel_handler bare[2];
    memset(bare, 0, sizeof(bare));
    struct test_handler *right = s_handler_new(9, 0, false);
    struct aws_channel_slot *slots[3];
    for (int i = 0; i < 2; i++) {
        bare[i].vtable = &s_empty_vtable;
        bare[i].alloc = s_alloc;
        slots[i] = aws_channel_slot_new(channel);
        if (i > 0) {
            aws_channel_slot_insert_end(channel, slots[i]);
        }
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(slots[i], &bare[i]));
    }
    slots[2] = aws_channel_slot_new(channel);
    aws_channel_slot_insert_end(channel, slots[2]);
    aws_channel_slot_set_handler(slots[2], &right->base);
    CHECK_INT_EQ(0, aws_channel_handler_initial_window_size(&bare[0]));
    CHECK_INT_EQ(0, aws_channel_slot_upstream_message_overhead(slots[2]));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_handler_increment_read_window(&bare[0], slots[0], 10));

    /* The right handler's grant reaches a bare handler: accepted, dropped. */
    aws_channel_slot_increment_read_window(slots[2], 10);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(10, aws_channel_slot_downstream_read_window(slots[1]));
    /* A bare handler cannot take messages. */
    struct aws_io_message *msg = s_message(channel, "hi");
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_handler_process_read_message(&bare[1], slots[1], msg));
    CHECK_INT_EQ(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_handler_process_write_message(&bare[0], slots[0], msg));
    CHECK_INT_EQ(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_send_message(slots[1], msg, AWS_CHANNEL_DIR_READ));
    CHECK_INT_EQ(2, right->bytes_read);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_trigger_read(channel));

    /* No shutdown entry: each direction completes at once, the sequence goes on. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_shutdown(channel, AWS_IO_SOCKET_CLOSED));
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK_INT_EQ(1, s_count_kind(EV_SHUTDOWN_READ));
    CHECK_INT_EQ(1, s_count_kind(EV_SHUTDOWN_WRITE));
    aws_channel_destroy(channel); /* no destroy entry: the bare handlers are ours */
    CHECK_INT_EQ(1, s_count_kind(EV_DESTROY));
    s_end();
}

static void test_setup_cancelled_by_loop_destroy(void) {
    s_begin();
    struct aws_channel_options opts = {
        .event_loop = s_loop,
        .on_setup_completed = s_on_setup,
        .on_shutdown_completed = s_on_shutdown,
    };
    struct aws_channel *channel = aws_channel_new(s_alloc, &opts);
    CHECK(channel != NULL);
    aws_channel_destroy(channel); /* the setup task still holds it */
    /* Destroying the loop cancels the setup task: failure reported, channel freed. */
    s_end();
    CHECK_INT_EQ(1, s_setup_calls);
    CHECK(s_setup_error != AWS_OP_SUCCESS);
}

int main(void) {
    aws_common_library_init(aws_default_allocator());
    RUN_TEST(test_setup_and_empty_shutdown);
    RUN_TEST(test_slot_insert_replace_remove);
    RUN_TEST(test_message_flow_through_passthrough);
    RUN_TEST(test_read_back_pressure);
    RUN_TEST(test_shutdown_order);
    RUN_TEST(test_shutdown_from_other_thread);
    RUN_TEST(test_holds_defer_destroy);
    RUN_TEST(test_channel_tasks);
    RUN_TEST(test_message_pool);
    RUN_TEST(test_statistics);
    RUN_TEST(test_trigger_read_and_local_objects);
    RUN_TEST(test_handler_without_optional_entries);
    RUN_TEST(test_setup_cancelled_by_loop_destroy);
    aws_common_library_clean_up();
    return TEST_RESULT();
}
