/* Upstream's TLS back-end helpers (private/tls_channel_handler_shared.h) on a
 * manual event loop with a fake clock: negotiation statistics (status, start
 * and end times), the handshake timeout that shuts the channel down with
 * AWS_IO_TLS_NEGOTIATION_TIMEOUT only while the handshake is ongoing, and
 * aws_tls_options_buf_is_set / aws_is_using_secitem. Tracing allocator ends
 * at 0 bytes. */
#include <aws/io/channel.h>
#include <aws/io/event_loop.h>
#include <aws/io/private/tls_channel_handler_shared.h>
#include <aws/io/statistics.h>
#include <aws/io/tls_channel_handler.h>

#include "manual_event_loop.h"
#include "test_helpers.h"

#define MS (1000ull * 1000ull)

static struct aws_allocator *s_alloc;
static struct aws_event_loop *s_loop;
static int s_shutdown_calls;
static int s_shutdown_error;

static int s_shutdown(struct aws_channel_handler *handler, struct aws_channel_slot *slot, enum aws_channel_direction dir,
                      int error_code, bool free_scarce_resources_immediately) {
    (void)handler;
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, free_scarce_resources_immediately);
}

static size_t s_window(struct aws_channel_handler *handler) {
    (void)handler;
    return SIZE_MAX;
}

static size_t s_overhead(struct aws_channel_handler *handler) {
    (void)handler;
    return 0;
}

static void s_destroy(struct aws_channel_handler *handler) {
    (void)handler;
}

static struct aws_channel_handler_vtable s_vtable = {
    .shutdown = s_shutdown,
    .initial_window_size = s_window,
    .message_overhead = s_overhead,
    .destroy = s_destroy,
};

static void s_on_setup(struct aws_channel *channel, int error_code, void *user_data) {
    (void)channel;
    (void)error_code;
    (void)user_data;
}

static void s_on_shutdown(struct aws_channel *channel, int error_code, void *user_data) {
    (void)channel;
    (void)user_data;
    s_shutdown_calls++;
    s_shutdown_error = error_code;
}

struct fixture {
    struct aws_channel *channel;
    struct aws_channel_handler handler;
    struct aws_tls_channel_handler_shared shared;
};

static void s_setup(struct fixture *f, uint32_t timeout_ms) {
    s_shutdown_calls = 0;
    s_shutdown_error = -1;
    struct aws_channel_options opts = {
        .event_loop = s_loop,
        .on_setup_completed = s_on_setup,
        .on_shutdown_completed = s_on_shutdown,
    };
    f->channel = aws_channel_new(s_alloc, &opts);
    CHECK(f->channel != NULL);
    manual_loop_run_until_idle(s_loop);
    struct aws_channel_slot *slot = aws_channel_slot_new(f->channel);
    f->handler = (struct aws_channel_handler){.vtable = &s_vtable, .alloc = s_alloc, .impl = f};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(slot, &f->handler));
    struct aws_tls_connection_options options = {.timeout_ms = timeout_ms};
    memset(&f->shared, 0xAB, sizeof(f->shared));
    aws_tls_channel_handler_shared_init(&f->shared, &f->handler, &options);
    CHECK(f->shared.handler == &f->handler);
    CHECK_INT_EQ(timeout_ms, f->shared.tls_timeout_ms);
    CHECK_INT_EQ(AWSCRT_STAT_CAT_TLS, f->shared.stats.category);
    CHECK_INT_EQ(AWS_TLS_NEGOTIATION_STATUS_NONE, f->shared.stats.handshake_status);
    CHECK_INT_EQ(0, f->shared.stats.handshake_start_ns);
    CHECK_INT_EQ(0, f->shared.stats.handshake_end_ns);
}

static void s_teardown(struct fixture *f) {
    aws_tls_channel_handler_shared_clean_up(&f->shared);
    if (s_shutdown_calls == 0) {
        aws_channel_shutdown(f->channel, AWS_ERROR_SUCCESS);
        manual_loop_run_until_idle(s_loop);
    }
    CHECK_INT_EQ(1, s_shutdown_calls);
    aws_channel_destroy(f->channel);
    manual_loop_run_until_idle(s_loop);
}

static void test_statistics_without_timeout(void) {
    struct fixture f;
    s_setup(&f, 0);
    uint64_t start = s_manual_clock_ns;
    aws_on_drive_tls_negotiation(&f.shared);
    CHECK_INT_EQ(AWS_TLS_NEGOTIATION_STATUS_ONGOING, f.shared.stats.handshake_status);
    CHECK_INT_EQ(start, f.shared.stats.handshake_start_ns);
    CHECK_INT_EQ(0, manual_loop_pending(s_loop)); /* no timeout armed */

    /* Later steps of the same handshake keep the start time. */
    manual_loop_advance(s_loop, 3 * MS);
    aws_on_drive_tls_negotiation(&f.shared);
    CHECK_INT_EQ(start, f.shared.stats.handshake_start_ns);

    manual_loop_advance(s_loop, 4 * MS);
    aws_on_tls_negotiation_completed(&f.shared, AWS_ERROR_SUCCESS);
    CHECK_INT_EQ(AWS_TLS_NEGOTIATION_STATUS_SUCCESS, f.shared.stats.handshake_status);
    CHECK_INT_EQ(start + 7 * MS, f.shared.stats.handshake_end_ns);

    aws_on_tls_negotiation_completed(&f.shared, AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE);
    CHECK_INT_EQ(AWS_TLS_NEGOTIATION_STATUS_FAILURE, f.shared.stats.handshake_status);
    s_teardown(&f);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, s_shutdown_error);
}

static void test_timeout_shuts_the_channel_down(void) {
    struct fixture f;
    s_setup(&f, 5);
    aws_on_drive_tls_negotiation(&f.shared);
    CHECK_INT_EQ(1, manual_loop_pending(s_loop));
    manual_loop_advance(s_loop, 5 * MS - 1);
    CHECK_INT_EQ(0, s_shutdown_calls);
    manual_loop_advance(s_loop, 1);
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_shutdown_calls);
    CHECK_INT_EQ(AWS_IO_TLS_NEGOTIATION_TIMEOUT, s_shutdown_error);
    CHECK_INT_EQ(AWS_TLS_NEGOTIATION_STATUS_ONGOING, f.shared.stats.handshake_status);
    s_teardown(&f);
}

static void test_timeout_after_completion_does_nothing(void) {
    struct fixture f;
    s_setup(&f, 5);
    aws_on_drive_tls_negotiation(&f.shared);
    manual_loop_advance(s_loop, 2 * MS);
    aws_on_tls_negotiation_completed(&f.shared, AWS_ERROR_SUCCESS);
    manual_loop_advance(s_loop, 10 * MS);
    CHECK_INT_EQ(0, manual_loop_pending(s_loop));
    CHECK_INT_EQ(0, s_shutdown_calls);
    s_teardown(&f);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, s_shutdown_error);
}

static void test_buf_is_set(void) {
    struct aws_byte_buf unset;
    AWS_ZERO_STRUCT(unset);
    CHECK(!aws_tls_options_buf_is_set(&unset));
    /* A setter given zero bytes still counts as set. */
    struct aws_byte_buf empty;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_byte_buf_init(&empty, s_alloc, 0));
    CHECK(aws_tls_options_buf_is_set(&empty));
    aws_byte_buf_clean_up(&empty);
    CHECK(!aws_is_using_secitem());
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    s_loop = manual_loop_new(s_alloc);
    RUN_TEST(test_statistics_without_timeout);
    RUN_TEST(test_timeout_shuts_the_channel_down);
    RUN_TEST(test_timeout_after_completion_does_nothing);
    RUN_TEST(test_buf_is_set);
    aws_event_loop_destroy(s_loop);
    aws_io_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
