/* aws_event_stream_channel_handler in a real channel over 127.0.0.1: messages
 * cut at every byte boundary arrive whole, a message larger than a pooled io
 * message is written in pieces and arrives whole, write callbacks fire once
 * each after the flush, a corrupt frame is reported with upstream's error and
 * shuts the channel down with it, and manual window management holds
 * messages back until the window is opened. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "rpc_test_util.h"

static struct rpc_env s_env;

/* ---- feeder: a pass-through handler that re-cuts the byte stream ------------------ */

enum feed_mode {
    FEED_ONE_BYTE,  /* every byte its own io message */
    FEED_SPLIT_EACH /* copy j of an n-byte message is cut once, j bytes in */
};

struct feeder {
    struct aws_channel_handler base;
    enum feed_mode mode;
    size_t message_len;
    size_t pos;
};

/* The next stream offset (> pos) at which a cut must fall. */
static size_t s_next_cut(struct feeder *f) {
    if (f->mode == FEED_ONE_BYTE) {
        return f->pos + 1;
    }
    size_t n = f->message_len, copy = f->pos / n, within = f->pos % n;
    size_t split = copy + 1; /* copy 0 is cut after 1 byte, copy 1 after 2, ... */
    if (split < n && within < split) {
        return copy * n + split;
    }
    return (copy + 1) * n;
}

static int s_feeder_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                         struct aws_io_message *message) {
    struct feeder *f = handler->impl;
    struct aws_byte_cursor data = aws_byte_cursor_from_buf(&message->message_data);
    int rc = AWS_OP_SUCCESS;
    while (data.len > 0 && rc == AWS_OP_SUCCESS) {
        size_t want = s_next_cut(f) - f->pos;
        struct aws_io_message *piece = aws_channel_acquire_message_from_pool(
            slot->channel, AWS_IO_MESSAGE_APPLICATION_DATA, want < data.len ? want : data.len);
        size_t n = piece->message_data.capacity;
        n = n < want ? n : want;
        n = n < data.len ? n : data.len;
        aws_byte_buf_write_from_whole_cursor(&piece->message_data, aws_byte_cursor_advance(&data, n));
        f->pos += n;
        if (aws_channel_slot_send_message(slot, piece, AWS_CHANNEL_DIR_READ)) {
            aws_mem_release(piece->allocator, piece);
            rc = AWS_OP_ERR;
        }
    }
    aws_mem_release(message->allocator, message);
    return rc;
}

static int s_feeder_write(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                          struct aws_io_message *message) {
    (void)handler;
    return aws_channel_slot_send_message(slot, message, AWS_CHANNEL_DIR_WRITE);
}

static int s_feeder_window(struct aws_channel_handler *handler, struct aws_channel_slot *slot, size_t size) {
    (void)handler;
    return aws_channel_slot_increment_read_window(slot, size);
}

static int s_feeder_shutdown(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                             enum aws_channel_direction dir, int error_code, bool immediately) {
    (void)handler;
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, immediately);
}

static size_t s_feeder_initial_window(struct aws_channel_handler *handler) {
    (void)handler;
    return SIZE_MAX;
}

static size_t s_feeder_overhead(struct aws_channel_handler *handler) {
    (void)handler;
    return 0;
}

static void s_feeder_destroy(struct aws_channel_handler *handler) {
    aws_mem_release(handler->alloc, handler->impl);
}

static struct aws_channel_handler_vtable s_feeder_vtable = {
    .process_read_message = s_feeder_read,
    .process_write_message = s_feeder_write,
    .increment_read_window = s_feeder_window,
    .shutdown = s_feeder_shutdown,
    .initial_window_size = s_feeder_initial_window,
    .message_overhead = s_feeder_overhead,
    .destroy = s_feeder_destroy,
};

/* ---- receiving side: listener channel [socket][feeder?][event-stream] ----------- */

struct rx {
    /* configuration */
    bool use_feeder;
    enum feed_mode mode;
    const struct aws_byte_buf *expected; /* every message must equal this (if set) */
    bool manual_window;
    size_t initial_window;
    int increment_on_message; /* 1-based message number whose callback opens the window by one message */
    /* state */
    struct aws_socket *listener;
    struct aws_channel *channel;
    struct aws_channel_handler *handler;
    int incoming, messages, mismatches, errors, last_error;
    int shutdowns, shutdown_error, destroyed, wrong_thread;
    int error_seq, shutdown_seq;
};

static void s_rx_message(struct aws_event_stream_message *message, int error_code, void *user_data) {
    struct rx *r = user_data;
    int number = 0;
    aws_mutex_lock(&s_lock);
    r->wrong_thread += !aws_channel_thread_is_callers_thread(r->channel);
    if (error_code) {
        r->errors++;
        r->last_error = error_code;
        r->error_seq = ++s_seq;
        r->wrong_thread += message != NULL;
    } else {
        number = ++r->messages;
        if (r->expected) {
            size_t len = aws_event_stream_message_total_length(message);
            bool same = len == r->expected->len &&
                        memcmp(aws_event_stream_message_buffer(message), r->expected->buffer, len) == 0;
            r->mismatches += !same;
        }
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    if (number && number == r->increment_on_message && r->expected) {
        /* On the channel thread: must open the window by exactly this much. */
        aws_event_stream_channel_handler_increment_read_window(r->handler, r->expected->len);
    }
}

static void s_rx_incoming(struct aws_server_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                          void *user_data) {
    (void)bootstrap;
    struct rx *r = user_data;
    if (!error_code) {
        r->channel = channel;
        if (r->use_feeder) {
            struct feeder *f = aws_mem_calloc(s_alloc, 1, sizeof(struct feeder));
            f->base.vtable = &s_feeder_vtable;
            f->base.alloc = s_alloc;
            f->base.impl = f;
            f->mode = r->mode;
            f->message_len = r->expected ? r->expected->len : 1;
            struct aws_channel_slot *slot = aws_channel_slot_new(channel);
            aws_channel_slot_insert_end(channel, slot);
            aws_channel_slot_set_handler(slot, &f->base);
        }
        struct aws_event_stream_channel_handler_options options = {
            .on_message_received = s_rx_message,
            .user_data = r,
            .initial_window_size = r->initial_window,
            .manual_window_management = r->manual_window,
        };
        r->handler = aws_event_stream_channel_handler_new(s_alloc, &options);
        CHECK(aws_event_stream_channel_handler_get_user_data(r->handler) == r);
        struct aws_channel_slot *slot = aws_channel_slot_new(channel);
        aws_channel_slot_insert_end(channel, slot);
        aws_channel_slot_set_handler(slot, r->handler);
    }
    aws_mutex_lock(&s_lock);
    r->wrong_thread += !aws_channel_thread_is_callers_thread(channel);
    r->incoming += error_code == 0;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_rx_shutdown(struct aws_server_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                          void *user_data) {
    (void)bootstrap;
    struct rx *r = user_data;
    aws_mutex_lock(&s_lock);
    r->wrong_thread += !aws_channel_thread_is_callers_thread(channel);
    r->shutdowns++;
    r->shutdown_error = error_code;
    r->shutdown_seq = ++s_seq;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_rx_destroy(struct aws_server_bootstrap *bootstrap, void *user_data) {
    (void)bootstrap;
    s_locked_bump(&((struct rx *)user_data)->destroyed);
}

static uint16_t s_rx_listen(struct rx *r, struct rpc_endpoint *ep) {
    rpc_endpoint_init(&s_env, RPC_V4, ep);
    struct aws_server_socket_channel_bootstrap_options options = {
        .bootstrap = s_env.server_bootstrap,
        .host_name = ep->host,
        .port = 0,
        .socket_options = &ep->socket_options,
        .incoming_callback = s_rx_incoming,
        .shutdown_callback = s_rx_shutdown,
        .destroy_callback = s_rx_destroy,
        .enable_read_back_pressure = r->manual_window,
        .user_data = r,
    };
    r->listener = aws_server_bootstrap_new_socket_listener(&options);
    CHECK(r->listener != NULL);
    struct aws_socket_endpoint bound;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_get_bound_address(r->listener, &bound));
    return (uint16_t)bound.port;
}

/* Waits for the channel's shutdown, then destroys the listener. */
static void s_rx_stop(struct rx *r) {
    CHECK(s_wait_count(&r->shutdowns, 1));
    aws_server_bootstrap_destroy_socket_listener(s_env.server_bootstrap, r->listener);
    CHECK(s_wait_count(&r->destroyed, 1));
    CHECK_INT_EQ(1, r->incoming);
    CHECK_INT_EQ(1, r->shutdowns);
    CHECK_INT_EQ(0, r->wrong_thread);
    CHECK_INT_EQ(0, r->mismatches);
}

/* ---- sending sides ------------------------------------------------------------------ */

/* A plain blocking socket: connect, wait until the receiving channel is set
 * up, then send all of `bytes`; returns the fd. Waiting keeps these cases
 * clear of the first-bytes race that rpc_first_bytes_test covers. */
static int s_raw_send(struct rx *r, uint16_t port, const uint8_t *bytes, size_t len) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    CHECK(s_wait_count(&r->incoming, 1));
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(fd, bytes + done, len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        CHECK(n > 0);
        if (n <= 0) {
            break;
        }
        done += (size_t)n;
    }
    return fd;
}

/* A client channel [socket][event-stream] that writes messages. */
struct tx {
    struct aws_channel *channel;
    struct aws_channel_handler *handler;
    int setup_calls, setup_error, shutdowns, wrong_thread;
    int written[4];
    int written_order[4];
    int written_total, write_errors;
};

struct tx_write {
    struct tx *tx;
    int index;
};

static void s_tx_ignore(struct aws_event_stream_message *message, int error_code, void *user_data) {
    (void)message;
    (void)error_code;
    (void)user_data;
}

static void s_tx_written(struct aws_event_stream_message *message, int error_code, void *user_data) {
    struct tx_write *w = user_data;
    struct tx *t = w->tx;
    (void)message;
    aws_mutex_lock(&s_lock);
    t->wrong_thread += !aws_channel_thread_is_callers_thread(t->channel);
    t->written[w->index]++;
    t->written_order[t->written_total < 4 ? t->written_total : 3] = w->index;
    t->written_total++;
    t->write_errors += error_code != 0;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_tx_setup(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                       void *user_data) {
    (void)bootstrap;
    struct tx *t = user_data;
    if (!error_code) {
        t->channel = channel;
        aws_channel_acquire_hold(channel);
        struct aws_event_stream_channel_handler_options options = {.on_message_received = s_tx_ignore, .user_data = t};
        t->handler = aws_event_stream_channel_handler_new(s_alloc, &options);
        struct aws_channel_slot *slot = aws_channel_slot_new(channel);
        aws_channel_slot_insert_end(channel, slot);
        aws_channel_slot_set_handler(slot, t->handler);
    }
    aws_mutex_lock(&s_lock);
    t->setup_calls++;
    t->setup_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_tx_shutdown(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                          void *user_data) {
    (void)bootstrap;
    (void)error_code;
    (void)channel;
    s_locked_bump(&((struct tx *)user_data)->shutdowns);
}

static bool s_tx_connect(struct tx *t, struct rpc_endpoint *ep, uint16_t port) {
    struct aws_socket_channel_bootstrap_options options = {
        .bootstrap = s_env.client_bootstrap,
        .host_name = ep->host,
        .port = port,
        .socket_options = &ep->socket_options,
        .setup_callback = s_tx_setup,
        .shutdown_callback = s_tx_shutdown,
        .user_data = t,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&options));
    CHECK(s_wait_count(&t->setup_calls, 1));
    CHECK_INT_EQ(0, t->setup_error);
    return t->setup_error == 0 && t->channel != NULL;
}

static void s_tx_close(struct tx *t) {
    if (t->channel) {
        aws_channel_shutdown(t->channel, AWS_ERROR_SUCCESS);
        CHECK(s_wait_count(&t->shutdowns, 1));
        aws_channel_release_hold(t->channel);
    }
    CHECK_INT_EQ(0, t->wrong_thread);
}

/* An RPC-shaped message of a few dozen bytes. */
static void s_small_message(struct aws_event_stream_message *m, const char *payload) {
    CHECK_INT_EQ(AWS_OP_SUCCESS, rpc_encode(m, RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0,
                                            1, "split-op", payload));
}

/* ---- cases ------------------------------------------------------------------------------- */

/* n-1 copies of an n-byte message, copy j cut j bytes in: every boundary once. */
static void test_split_at_every_boundary(void) {
    struct aws_event_stream_message m;
    s_small_message(&m, "fragment me");
    struct aws_byte_buf expected =
        aws_byte_buf_from_array(aws_event_stream_message_buffer(&m), aws_event_stream_message_total_length(&m));
    size_t n = expected.len;
    struct aws_byte_buf stream;
    aws_byte_buf_init(&stream, s_alloc, n * (n - 1));
    for (size_t j = 0; j + 1 < n; ++j) {
        aws_byte_buf_write_from_whole_buffer(&stream, expected);
    }
    struct rx r = {.use_feeder = true, .mode = FEED_SPLIT_EACH, .expected = &expected};
    struct rpc_endpoint ep;
    uint16_t port = s_rx_listen(&r, &ep);
    int fd = s_raw_send(&r, port, stream.buffer, stream.len);
    CHECK(s_wait_count(&r.messages, (int)(n - 1)));
    close(fd);
    s_rx_stop(&r);
    CHECK_INT_EQ(n - 1, r.messages);
    CHECK_INT_EQ(0, r.errors);
    CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, r.shutdown_error);
    aws_byte_buf_clean_up(&stream);
    aws_event_stream_message_clean_up(&m);
    rpc_endpoint_clean_up(&ep);
}

/* Three messages delivered one byte per io message. */
static void test_one_byte_at_a_time(void) {
    struct aws_event_stream_message m;
    s_small_message(&m, "byte by byte");
    struct aws_byte_buf expected =
        aws_byte_buf_from_array(aws_event_stream_message_buffer(&m), aws_event_stream_message_total_length(&m));
    uint8_t stream[3 * 512];
    CHECK(expected.len <= 512);
    for (int i = 0; i < 3; ++i) {
        memcpy(stream + i * expected.len, expected.buffer, expected.len);
    }
    struct rx r = {.use_feeder = true, .mode = FEED_ONE_BYTE, .expected = &expected};
    struct rpc_endpoint ep;
    uint16_t port = s_rx_listen(&r, &ep);
    int fd = s_raw_send(&r, port, stream, 3 * expected.len);
    CHECK(s_wait_count(&r.messages, 3));
    close(fd);
    s_rx_stop(&r);
    CHECK_INT_EQ(3, r.messages);
    CHECK_INT_EQ(0, r.errors);
    aws_event_stream_message_clean_up(&m);
    rpc_endpoint_clean_up(&ep);
}

/* A 1 MiB message is written through many pooled io messages and arrives
 * whole; each write callback fires once, in order, without error. */
static void test_large_message_and_write_callbacks(void) {
    struct aws_byte_buf payload;
    aws_byte_buf_init(&payload, s_alloc, 1024 * 1024);
    for (size_t i = 0; i < payload.capacity; ++i) {
        aws_byte_buf_write_u8(&payload, (uint8_t)(i * 31 + i / 4093));
    }
    struct aws_array_list headers;
    aws_event_stream_headers_list_init(&headers, s_alloc);
    aws_event_stream_add_string_header(&headers, "kind", 4, "large", 5, 0);
    struct aws_event_stream_message big;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_message_init(&big, s_alloc, &headers, &payload));
    aws_event_stream_headers_list_cleanup(&headers);
    struct aws_byte_buf expected =
        aws_byte_buf_from_array(aws_event_stream_message_buffer(&big), aws_event_stream_message_total_length(&big));

    struct rx r = {.expected = &expected};
    struct rpc_endpoint ep;
    uint16_t port = s_rx_listen(&r, &ep);
    struct tx t = {0};
    if (s_tx_connect(&t, &ep, port)) {
        struct tx_write writes[3];
        for (int i = 0; i < 3; ++i) {
            writes[i] = (struct tx_write){.tx = &t, .index = i};
            CHECK_INT_EQ(AWS_OP_SUCCESS,
                         aws_event_stream_channel_handler_write_message(t.handler, &big, s_tx_written, &writes[i]));
        }
        CHECK(s_wait_count(&r.messages, 3));
        CHECK(s_wait_count(&t.written_total, 3));
        aws_mutex_lock(&s_lock);
        for (int i = 0; i < 3; ++i) {
            CHECK_INT_EQ(1, t.written[i]);
            CHECK_INT_EQ(i, t.written_order[i]);
        }
        CHECK_INT_EQ(0, t.write_errors);
        aws_mutex_unlock(&s_lock);
    }
    s_tx_close(&t);
    s_rx_stop(&r);
    CHECK_INT_EQ(3, r.messages);
    CHECK_INT_EQ(0, r.errors);
    CHECK_INT_EQ(3, t.written_total);
    aws_event_stream_message_clean_up(&big);
    aws_byte_buf_clean_up(&payload);
    rpc_endpoint_clean_up(&ep);
}

static bool s_read_vector(const char *name, struct aws_byte_buf *out) {
    char path[512];
    const char *dir = getenv("AWS_ES_VECTORS_DIR");
    if (dir) {
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    } else {
        const char *shared = getenv("AWS_ES_SHARED_DIR");
        snprintf(path, sizeof(path), "%s/vectors/%s", shared ? shared : "../shared", name);
    }
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) {
        fprintf(stderr, "cannot open %s (set AWS_ES_VECTORS_DIR)\n", path);
        return false;
    }
    aws_byte_buf_init(out, s_alloc, 4096);
    size_t n = fread(out->buffer, 1, out->capacity, f);
    out->len = n;
    fclose(f);
    return n > 0;
}

/* A valid message, then a corrupt frame: the valid one is delivered, the
 * corrupt one is reported once (NULL message, upstream's error from
 * vectors/index.json expected_channel_error) and the channel shuts down with
 * that error. */
static void s_corrupt_case(const char *vector, int expected_error) {
    struct aws_byte_buf bad;
    if (!s_read_vector(vector, &bad)) {
        return;
    }
    struct aws_event_stream_message m;
    s_small_message(&m, "valid first");
    struct aws_byte_buf stream;
    aws_byte_buf_init(&stream, s_alloc, aws_event_stream_message_total_length(&m) + bad.len);
    aws_byte_buf_write(&stream, aws_event_stream_message_buffer(&m), aws_event_stream_message_total_length(&m));
    aws_byte_buf_write_from_whole_buffer(&stream, bad);

    struct rx r = {0};
    struct rpc_endpoint ep;
    uint16_t port = s_rx_listen(&r, &ep);
    int fd = s_raw_send(&r, port, stream.buffer, stream.len);
    CHECK(s_wait_count(&r.shutdowns, 1));
    close(fd);
    s_rx_stop(&r);
    aws_mutex_lock(&s_lock);
    CHECK_INT_EQ(1, r.messages);
    CHECK_INT_EQ(1, r.errors);
    CHECK_INT_EQ(expected_error, r.last_error);
    CHECK_INT_EQ(expected_error, r.shutdown_error);
    CHECK(r.error_seq < r.shutdown_seq);
    aws_mutex_unlock(&s_lock);
    aws_byte_buf_clean_up(&stream);
    aws_byte_buf_clean_up(&bad);
    aws_event_stream_message_clean_up(&m);
    rpc_endpoint_clean_up(&ep);
}

static void test_corrupt_frames(void) {
    s_corrupt_case("bad_prelude_crc.bin", AWS_ERROR_EVENT_STREAM_PRELUDE_CHECKSUM_FAILURE);
    s_corrupt_case("prelude_bitflip_total_length.bin", AWS_ERROR_EVENT_STREAM_PRELUDE_CHECKSUM_FAILURE);
    s_corrupt_case("bad_message_crc.bin", AWS_ERROR_EVENT_STREAM_MESSAGE_CHECKSUM_FAILURE);
    s_corrupt_case("total_length_below_minimum.bin", AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH);
    s_corrupt_case("total_length_over_max.bin", AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED);
    s_corrupt_case("headers_length_exceeds_total.bin", AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN);
}

static bool s_more_than(void *arg) {
    struct counter_wait *w = arg;
    return *w->counter > w->target;
}

/* True if *counter goes beyond `limit` within a short bounded window; used to
 * show that nothing more arrives while the read window is closed. */
static bool s_exceeds_soon(const int *counter, int limit) {
    struct counter_wait w = {counter, limit};
    aws_mutex_lock(&s_lock);
    bool exceeded = aws_condition_variable_wait_for_pred(&s_cv, &s_lock, 300LL * 1000 * 1000, s_more_than, &w) ==
                    AWS_OP_SUCCESS;
    aws_mutex_unlock(&s_lock);
    return exceeded;
}

/* Window of one message: one arrives; each opening lets exactly one more in,
 * whether opened from another thread or from inside the message callback. */
static void test_manual_window(void) {
    struct aws_event_stream_message m;
    s_small_message(&m, "windowed");
    struct aws_byte_buf expected =
        aws_byte_buf_from_array(aws_event_stream_message_buffer(&m), aws_event_stream_message_total_length(&m));
    uint8_t stream[5 * 512];
    CHECK(expected.len <= 512);
    for (int i = 0; i < 5; ++i) {
        memcpy(stream + i * expected.len, expected.buffer, expected.len);
    }
    struct rx r = {
        .expected = &expected,
        .manual_window = true,
        .initial_window = expected.len,
        .increment_on_message = 3,
    };
    struct rpc_endpoint ep;
    uint16_t port = s_rx_listen(&r, &ep);
    int fd = s_raw_send(&r, port, stream, 5 * expected.len);
    CHECK(s_wait_count(&r.messages, 1));
    CHECK(!s_exceeds_soon(&r.messages, 1));
    aws_event_stream_channel_handler_increment_read_window(r.handler, expected.len);
    CHECK(s_wait_count(&r.messages, 2));
    CHECK(!s_exceeds_soon(&r.messages, 2));
    /* Message 3's callback opens the window for message 4 only. */
    aws_event_stream_channel_handler_increment_read_window(r.handler, expected.len);
    CHECK(s_wait_count(&r.messages, 4));
    CHECK(!s_exceeds_soon(&r.messages, 4));
    CHECK_INT_EQ(4, r.messages);
    aws_event_stream_channel_handler_increment_read_window(r.handler, expected.len);
    CHECK(s_wait_count(&r.messages, 5));
    /* A closed window reads nothing, not even the end of the stream: open it
     * so the hang-up is seen. */
    aws_event_stream_channel_handler_increment_read_window(r.handler, expected.len);
    close(fd);
    s_rx_stop(&r);
    CHECK_INT_EQ(5, r.messages);
    CHECK_INT_EQ(0, r.errors);
    aws_event_stream_message_clean_up(&m);
    rpc_endpoint_clean_up(&ep);
}

int main(void) {
    rpc_test_begin();
    /* One loop: with two, upstream aws-c-io's server bootstrap writes the new
     * channel into its bookkeeping after handing it to the other loop, which
     * may already have run a short-lived (corrupt-frame) channel to its end and
     * freed that bookkeeping (use-after-free, channel_bootstrap.c). */
    rpc_env_init(&s_env, 1);
    RUN_TEST(test_split_at_every_boundary);
    RUN_TEST(test_one_byte_at_a_time);
    RUN_TEST(test_large_message_and_write_callbacks);
    RUN_TEST(test_corrupt_frames);
    RUN_TEST(test_manual_window);
    rpc_env_clean_up(&s_env);
    return rpc_test_end();
}
