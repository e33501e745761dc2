/* aws_tls_alpn_handler_new on a manual event loop: the negotiated-protocol
 * message makes it call on_protocol_negotiated with a fresh slot and the
 * protocol, and the returned handler takes its place in the channel (the
 * next message reaches that handler; a pool message is released); a message
 * without the negotiated-protocol tag is refused with
 * AWS_IO_MISSING_ALPN_MESSAGE, a NULL handler from the callback with
 * AWS_IO_UNHANDLED_ALPN_PROTOCOL_MESSAGE (and the fresh slot is freed). Its
 * vtable is writable data, as upstream's. The tracing allocator ends at 0. */
#include <aws/io/channel.h>
#include <aws/io/event_loop.h>
#include <aws/io/tls_channel_handler.h>

#include "manual_event_loop.h"
#include "test_helpers.h"

static struct aws_allocator *s_alloc;
static struct aws_event_loop *s_loop;
static int s_shutdown_calls;

/* ---- the handler the callback hands back ----------------------------------------- */

struct next_handler {
    struct aws_channel_handler base;
    size_t bytes_read;
    int destroyed;
};

static int s_next_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                       struct aws_io_message *message) {
    (void)slot;
    struct next_handler *h = handler->impl;
    h->bytes_read += message->message_data.len;
    aws_mem_release(message->allocator, message);
    return AWS_OP_SUCCESS;
}

static int s_next_shutdown(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                           enum aws_channel_direction dir, int error_code, bool free_scarce_resources_immediately) {
    (void)handler;
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, free_scarce_resources_immediately);
}

static size_t s_next_window(struct aws_channel_handler *handler) {
    (void)handler;
    return SIZE_MAX;
}

static size_t s_next_overhead(struct aws_channel_handler *handler) {
    (void)handler;
    return 0;
}

static int s_destroyed_handlers;

static void s_next_destroy(struct aws_channel_handler *handler) {
    s_destroyed_handlers++;
    aws_mem_release(handler->alloc, handler->impl);
}

static struct aws_channel_handler_vtable s_next_vtable = {
    .process_read_message = s_next_read,
    .shutdown = s_next_shutdown,
    .initial_window_size = s_next_window,
    .message_overhead = s_next_overhead,
    .destroy = s_next_destroy,
};

struct negotiated {
    int calls;
    char protocol[16];
    struct aws_channel_slot *slot;
    struct next_handler *handler;
    bool refuse;
};

static struct aws_channel_handler *s_on_protocol(struct aws_channel_slot *new_slot, struct aws_byte_buf *protocol,
                                                 void *user_data) {
    struct negotiated *n = user_data;
    n->calls++;
    n->slot = new_slot;
    size_t len = protocol->len < sizeof(n->protocol) - 1 ? protocol->len : sizeof(n->protocol) - 1;
    memcpy(n->protocol, protocol->buffer, len);
    n->protocol[len] = '\0';
    if (n->refuse) {
        return NULL;
    }
    n->handler = aws_mem_calloc(s_alloc, 1, sizeof(*n->handler));
    n->handler->base.vtable = &s_next_vtable;
    n->handler->base.alloc = s_alloc;
    n->handler->base.impl = n->handler;
    return &n->handler->base;
}

/* ---- plumbing ------------------------------------------------------------------------ */

static void s_on_setup(struct aws_channel *channel, int error_code, void *user_data) {
    (void)channel, (void)error_code, (void)user_data;
}

static void s_on_shutdown(struct aws_channel *channel, int error_code, void *user_data) {
    (void)channel, (void)error_code, (void)user_data;
    s_shutdown_calls++;
}

static struct aws_channel *s_channel_new(void) {
    struct aws_channel_options opts = {
        .event_loop = s_loop,
        .on_setup_completed = s_on_setup,
        .on_shutdown_completed = s_on_shutdown,
    };
    struct aws_channel *channel = aws_channel_new(s_alloc, &opts);
    CHECK(channel != NULL);
    manual_loop_run_until_idle(s_loop);
    return channel;
}

static void s_shutdown_and_destroy(struct aws_channel *channel) {
    s_shutdown_calls = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_shutdown(channel, AWS_OP_SUCCESS));
    manual_loop_run_until_idle(s_loop);
    CHECK_INT_EQ(1, s_shutdown_calls);
    aws_channel_destroy(channel);
}

/* A pool message carrying the TLS handler's negotiated-protocol body. */
static struct aws_io_message *s_protocol_message(struct aws_channel *channel, const char *protocol) {
    struct aws_tls_negotiated_protocol_message body = {.protocol = aws_byte_buf_from_c_str(protocol)};
    struct aws_io_message *msg =
        aws_channel_acquire_message_from_pool(channel, AWS_IO_MESSAGE_APPLICATION_DATA, sizeof(body));
    memcpy(msg->message_data.buffer, &body, sizeof(body));
    msg->message_data.len = sizeof(body);
    msg->message_tag = AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE;
    return msg;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_protocol_message_installs_the_next_handler(void) {
    struct aws_channel *channel = s_channel_new();
    /* A handler on the left, as the TLS handler would be. */
    struct aws_channel_slot *left = aws_channel_slot_new(channel);
    struct next_handler *left_handler = aws_mem_calloc(s_alloc, 1, sizeof(*left_handler));
    left_handler->base = (struct aws_channel_handler){.vtable = &s_next_vtable, .alloc = s_alloc, .impl = left_handler};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(left, &left_handler->base));
    struct aws_channel_slot *slot = aws_channel_slot_new(channel);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_right(left, slot));
    struct negotiated n = {0};
    struct aws_channel_handler *alpn = aws_tls_alpn_handler_new(s_alloc, s_on_protocol, &n);
    CHECK(alpn != NULL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(slot, alpn));

    struct aws_io_message *msg = s_protocol_message(channel, "h2");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_send_message(left, msg, AWS_CHANNEL_DIR_READ));
    CHECK_INT_EQ(1, n.calls);
    CHECK_STR_EQ("h2", n.protocol);
    CHECK(n.handler != NULL);
    if (!n.handler) {
        return;
    }
    /* The new slot took the old one's place, with the returned handler. */
    CHECK(left->adj_right == n.slot);
    CHECK(n.slot->adj_left == left);
    CHECK(n.slot->handler == &n.handler->base);
    CHECK(n.handler->base.slot == n.slot);

    struct aws_io_message *data = aws_channel_acquire_message_from_pool(channel, AWS_IO_MESSAGE_APPLICATION_DATA, 8);
    memcpy(data->message_data.buffer, "payload", 7);
    data->message_data.len = 7;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_send_message(left, data, AWS_CHANNEL_DIR_READ));
    CHECK_INT_EQ(7, n.handler->bytes_read);
    s_destroyed_handlers = 0;
    s_shutdown_and_destroy(channel);
    CHECK_INT_EQ(2, s_destroyed_handlers);
}

/* What upstream's own test does: a caller-owned message (no allocator). */
static void test_caller_owned_message_is_left_alone(void) {
    struct aws_channel *channel = s_channel_new();
    struct aws_channel_slot *slot = aws_channel_slot_new(channel);
    struct negotiated n = {0};
    struct aws_channel_handler *alpn = aws_tls_alpn_handler_new(s_alloc, s_on_protocol, &n);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(slot, alpn));
    struct aws_tls_negotiated_protocol_message body = {.protocol = aws_byte_buf_from_c_str("http/1.1")};
    struct aws_io_message msg = {
        .message_tag = AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE,
        .message_data = aws_byte_buf_from_array((const uint8_t *)&body, sizeof(body)),
        .message_type = AWS_IO_MESSAGE_APPLICATION_DATA,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_handler_process_read_message(alpn, slot, &msg));
    CHECK_STR_EQ("http/1.1", n.protocol);
    CHECK(aws_channel_get_first_slot(channel) == n.slot);
    s_shutdown_and_destroy(channel);
}

static int s_patched_shutdowns;

static int s_patched_shutdown(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                              enum aws_channel_direction dir, int error_code, bool free_scarce_resources_immediately) {
    (void)handler;
    s_patched_shutdowns++;
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, free_scarce_resources_immediately);
}

static void test_refusals(void) {
    struct aws_channel *channel = s_channel_new();
    struct aws_channel_slot *slot = aws_channel_slot_new(channel);
    struct negotiated n = {.refuse = true};
    struct aws_channel_handler *alpn = aws_tls_alpn_handler_new(s_alloc, s_on_protocol, &n);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(slot, alpn));
    /* Upstream's vtable is plain writable data; C code (its tests) patches it. */
    int (*original)(struct aws_channel_handler *, struct aws_channel_slot *, enum aws_channel_direction, int, bool) =
        alpn->vtable->shutdown;
    alpn->vtable->shutdown = s_patched_shutdown;

    struct aws_io_message *plain = aws_channel_acquire_message_from_pool(channel, AWS_IO_MESSAGE_APPLICATION_DATA, 8);
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_handler_process_read_message(alpn, slot, plain));
    CHECK_INT_EQ(AWS_IO_MISSING_ALPN_MESSAGE, aws_last_error());
    CHECK_INT_EQ(0, n.calls);
    aws_mem_release(plain->allocator, plain);

    struct aws_io_message *msg = s_protocol_message(channel, "h2");
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_channel_handler_process_read_message(alpn, slot, msg));
    CHECK_INT_EQ(AWS_IO_UNHANDLED_ALPN_PROTOCOL_MESSAGE, aws_last_error());
    CHECK_INT_EQ(1, n.calls);
    CHECK_STR_EQ("h2", n.protocol);
    /* The refused message is still the caller's; the ALPN handler stays. */
    aws_mem_release(msg->allocator, msg);
    CHECK(aws_channel_get_first_slot(channel) == slot);
    CHECK(slot->adj_right == NULL);

    s_patched_shutdowns = 0;
    s_shutdown_and_destroy(channel);
    CHECK_INT_EQ(2, s_patched_shutdowns);
    /* Later handlers share the vtable as C left it: put the original back. */
    struct aws_channel_handler *again = aws_tls_alpn_handler_new(s_alloc, s_on_protocol, &n);
    again->vtable->shutdown = original;
    again->vtable->destroy(again);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    s_loop = manual_loop_new(s_alloc);

    RUN_TEST(test_protocol_message_installs_the_next_handler);
    RUN_TEST(test_caller_owned_message_is_left_alone);
    RUN_TEST(test_refusals);

    aws_event_loop_destroy(s_loop);
    aws_io_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_destroy(s_alloc);
    return g_test_failures == 0 ? 0 : 1;
}
