/* Shared by the bootstrap tests: a C echo channel handler (the server side
 * writes back every byte it reads; the client side collects the echo and
 * shuts its channel down once everything came back), a server and client
 * bookkeeping struct filled by the bootstrap callbacks, and bounded waits on
 * one mutex + condition variable. */
#ifndef C_TESTS_BOOTSTRAP_ECHO_H
#define C_TESTS_BOOTSTRAP_ECHO_H

#include <aws/common/byte_buf.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/common/thread.h>
#include <aws/io/channel.h>
#include <aws/io/channel_bootstrap.h>
#include <aws/io/event_loop.h>
#include <aws/io/host_resolver.h>
#include <aws/io/io.h>
#include <aws/io/socket.h>

#include <stdint.h>

#include "test_helpers.h"

static struct aws_allocator *s_alloc;
static struct aws_mutex s_mutex = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;
/* Incremented under s_mutex by every callback: gives each one a sequence number. */
static int s_seq;

static bool s_wait_for(int64_t timeout_ns, bool (*pred)(void *), void *arg) {
    aws_mutex_lock(&s_mutex);
    bool ok = aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, timeout_ns, pred, arg) == AWS_OP_SUCCESS;
    aws_mutex_unlock(&s_mutex);
    return ok;
}

/* True if the calling thread is one of `group`'s loop threads. */
static bool s_on_group_thread(struct aws_event_loop_group *group) {
    size_t n = aws_event_loop_group_get_loop_count(group);
    for (size_t i = 0; i < n; ++i) {
        if (aws_event_loop_thread_is_callers_thread(aws_event_loop_group_get_loop_at(group, i))) {
            return true;
        }
    }
    return false;
}

/* ---- bookkeeping --------------------------------------------------------------- */

struct echo_server {
    struct aws_event_loop_group *group;
    struct aws_server_bootstrap *bootstrap;
    struct aws_socket *listener;
    int incoming_ok, incoming_err, last_incoming_error;
    int shutdowns, destroys, listener_setups;
    int last_shutdown_seq, destroy_seq;
    int wrong_thread;
    size_t bytes_echoed;
};

struct echo_conn {
    struct echo_server *server; /* unused by the client side */
    struct aws_event_loop_group *group;
    struct aws_channel *channel;
    struct aws_channel_slot *slot;
    struct aws_event_loop *requested_loop;
    int creation_calls, setup_calls, shutdown_calls;
    int creation_seq, setup_seq, shutdown_seq;
    int setup_error, shutdown_error;
    int wrong_thread;
    size_t messages, message_size;
    struct aws_byte_buf sent;
    struct aws_byte_buf received;
    bool echo_complete;
};

/* ---- the echo handler ------------------------------------------------------------ */

struct echo_handler {
    struct aws_channel_handler base;
    struct echo_server *server; /* set: echo side */
    struct echo_conn *conn;     /* set: client side */
};

static int s_echo_process_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                               struct aws_io_message *message) {
    struct echo_handler *h = handler->impl;
    struct aws_byte_cursor data = aws_byte_cursor_from_buf(&message->message_data);
    int rc = AWS_OP_SUCCESS;
    if (h->server) {
        while (data.len > 0 && rc == AWS_OP_SUCCESS) {
            struct aws_io_message *out =
                aws_channel_acquire_message_from_pool(slot->channel, AWS_IO_MESSAGE_APPLICATION_DATA, data.len);
            if (!out) {
                rc = AWS_OP_ERR;
                break;
            }
            size_t n = out->message_data.capacity < data.len ? out->message_data.capacity : data.len;
            struct aws_byte_cursor chunk = aws_byte_cursor_advance(&data, n);
            aws_byte_buf_write_from_whole_cursor(&out->message_data, chunk);
            if (aws_channel_slot_send_message(slot, out, AWS_CHANNEL_DIR_WRITE)) {
                aws_mem_release(out->allocator, out);
                rc = AWS_OP_ERR;
            }
        }
        aws_mutex_lock(&s_mutex);
        h->server->bytes_echoed += message->message_data.len;
        aws_mutex_unlock(&s_mutex);
    } else {
        struct echo_conn *c = h->conn;
        aws_byte_buf_append_dynamic(&c->received, &data);
        if (c->received.len >= c->sent.len && !c->echo_complete) {
            aws_mutex_lock(&s_mutex);
            c->echo_complete = true;
            aws_mutex_unlock(&s_mutex);
            aws_channel_shutdown(slot->channel, AWS_ERROR_SUCCESS);
        }
    }
    aws_mem_release(message->allocator, message);
    return rc;
}

static int s_echo_process_write(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                                struct aws_io_message *message) {
    (void)handler;
    return aws_channel_slot_send_message(slot, message, AWS_CHANNEL_DIR_WRITE);
}

static int s_echo_increment_window(struct aws_channel_handler *handler, struct aws_channel_slot *slot, size_t size) {
    (void)handler;
    return aws_channel_slot_increment_read_window(slot, size);
}

static int s_echo_shutdown(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                           enum aws_channel_direction dir, int error_code, bool free_scarce_resources_immediately) {
    (void)handler;
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, free_scarce_resources_immediately);
}

static size_t s_echo_initial_window(struct aws_channel_handler *handler) {
    (void)handler;
    return SIZE_MAX;
}

static size_t s_echo_overhead(struct aws_channel_handler *handler) {
    (void)handler;
    return 0;
}

static void s_echo_destroy(struct aws_channel_handler *handler) {
    aws_mem_release(handler->alloc, handler->impl);
}

static struct aws_channel_handler_vtable s_echo_vtable = {
    .process_read_message = s_echo_process_read,
    .process_write_message = s_echo_process_write,
    .increment_read_window = s_echo_increment_window,
    .shutdown = s_echo_shutdown,
    .initial_window_size = s_echo_initial_window,
    .message_overhead = s_echo_overhead,
    .destroy = s_echo_destroy,
};

/* Appends an echo handler to `channel` (loop thread). */
static struct aws_channel_slot *s_add_echo_handler(struct aws_channel *channel, struct echo_server *server,
                                                   struct echo_conn *conn) {
    struct echo_handler *h = aws_mem_calloc(s_alloc, 1, sizeof(struct echo_handler));
    h->base.vtable = &s_echo_vtable;
    h->base.alloc = s_alloc;
    h->base.impl = h;
    h->server = server;
    h->conn = conn;
    struct aws_channel_slot *slot = aws_channel_slot_new(channel);
    if (!slot || aws_channel_slot_insert_end(channel, slot) || aws_channel_slot_set_handler(slot, &h->base)) {
        aws_mem_release(s_alloc, h);
        return NULL;
    }
    return slot;
}

/* ---- server callbacks --------------------------------------------------------------- */

static void s_server_incoming(struct aws_server_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                              void *user_data) {
    (void)bootstrap;
    struct echo_server *s = user_data;
    bool on_loop = channel ? aws_channel_thread_is_callers_thread(channel) : s_on_group_thread(s->group);
    if (!error_code && !s_add_echo_handler(channel, s, NULL)) {
        aws_channel_shutdown(channel, aws_last_error());
    }
    aws_mutex_lock(&s_mutex);
    s->wrong_thread += !on_loop;
    if (error_code) {
        s->incoming_err++;
        s->last_incoming_error = error_code;
    } else {
        s->incoming_ok++;
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static void s_server_shutdown(struct aws_server_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                              void *user_data) {
    (void)bootstrap;
    (void)error_code;
    struct echo_server *s = user_data;
    bool on_loop = aws_channel_thread_is_callers_thread(channel);
    aws_mutex_lock(&s_mutex);
    s->wrong_thread += !on_loop;
    s->shutdowns++;
    s->last_shutdown_seq = ++s_seq;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static void s_server_destroy(struct aws_server_bootstrap *bootstrap, void *user_data) {
    (void)bootstrap;
    struct echo_server *s = user_data;
    bool on_loop = s_on_group_thread(s->group);
    aws_mutex_lock(&s_mutex);
    s->wrong_thread += !on_loop;
    s->destroys++;
    s->destroy_seq = ++s_seq;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static void s_server_listener_setup(struct aws_server_bootstrap *bootstrap, int error_code, void *user_data) {
    (void)bootstrap;
    struct echo_server *s = user_data;
    bool on_loop = s_on_group_thread(s->group);
    aws_mutex_lock(&s_mutex);
    s->wrong_thread += !on_loop;
    s->listener_setups += error_code == 0;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_server_destroyed(void *arg) {
    return ((struct echo_server *)arg)->destroys > 0;
}

/* Starts a listener (TLS on every accepted channel when `tls` is set); NULL on
 * failure (error raised). */
static struct aws_socket *s_start_listener_tls(struct echo_server *s, const char *host, uint32_t port,
                                               enum aws_socket_domain domain, bool async_setup,
                                               struct aws_tls_connection_options *tls) {
    struct aws_socket_options options = {
        .type = AWS_SOCKET_STREAM, .domain = domain, .connect_timeout_ms = 10000};
    struct aws_server_socket_channel_bootstrap_options bo = {
        .bootstrap = s->bootstrap,
        .host_name = host,
        .port = port,
        .socket_options = &options,
        .tls_options = tls,
        .setup_callback = async_setup ? s_server_listener_setup : NULL,
        .incoming_callback = s_server_incoming,
        .shutdown_callback = s_server_shutdown,
        .destroy_callback = s_server_destroy,
        .user_data = s,
    };
    s->listener = aws_server_bootstrap_new_socket_listener(&bo);
    return s->listener;
}

static struct aws_socket *s_start_listener(struct echo_server *s, const char *host, uint32_t port,
                                           enum aws_socket_domain domain, bool async_setup) {
    return s_start_listener_tls(s, host, port, domain, async_setup, NULL);
}

/* Destroys the listener and waits (bounded) for destroy_callback. */
static bool s_stop_listener(struct echo_server *s, int64_t timeout_ns) {
    aws_server_bootstrap_destroy_socket_listener(s->bootstrap, s->listener);
    bool ok = s_wait_for(timeout_ns, s_server_destroyed, s);
    s->listener = NULL;
    return ok;
}

/* A listener on 127.0.0.1 (an ephemeral port) negotiating `tls` on every
 * accepted channel; NULL on failure (error raised). */
static struct aws_socket *s_start_tls_listener(struct echo_server *s, struct aws_tls_connection_options *tls) {
    return s_start_listener_tls(s, "127.0.0.1", 0, AWS_SOCKET_IPV4, false, tls);
}

/* The port `listener` is bound to. */
static uint32_t s_listener_port(struct aws_socket *listener) {
    struct aws_socket_endpoint ep;
    AWS_ZERO_STRUCT(ep);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_get_bound_address(listener, &ep));
    CHECK(ep.port != 0);
    return ep.port;
}

/* ---- client callbacks ------------------------------------------------------------------ */

static void s_fill_pattern(struct echo_conn *c, size_t seed) {
    aws_byte_buf_init(&c->sent, s_alloc, c->messages * c->message_size);
    for (size_t i = 0; i < c->messages * c->message_size; ++i) {
        uint8_t b = (uint8_t)(seed * 131 + i * 7 + i / 251);
        aws_byte_buf_write_u8(&c->sent, b);
    }
    aws_byte_buf_init(&c->received, s_alloc, c->sent.len ? c->sent.len : 1);
}

static void s_send_all(struct echo_conn *c) {
    struct aws_byte_cursor all = aws_byte_cursor_from_buf(&c->sent);
    for (size_t i = 0; i < c->messages; ++i) {
        struct aws_byte_cursor piece = aws_byte_cursor_advance(&all, c->message_size);
        if (piece.len == 0) {
            continue; /* nothing to send: the channel just stays open */
        }
        struct aws_io_message *msg =
            aws_channel_acquire_message_from_pool(c->channel, AWS_IO_MESSAGE_APPLICATION_DATA, piece.len);
        CHECK(msg != NULL && msg->message_data.capacity >= piece.len);
        if (!msg) {
            return;
        }
        aws_byte_buf_write_from_whole_cursor(&msg->message_data, piece);
        if (aws_channel_slot_send_message(c->slot, msg, AWS_CHANNEL_DIR_WRITE)) {
            aws_mem_release(msg->allocator, msg);
            CHECK(false);
        }
    }
}

static bool s_client_thread_ok(struct echo_conn *c, struct aws_channel *channel) {
    if (channel && !aws_channel_thread_is_callers_thread(channel)) {
        return false;
    }
    if (c->requested_loop && !aws_event_loop_thread_is_callers_thread(c->requested_loop)) {
        return false;
    }
    return s_on_group_thread(c->group);
}

static void s_client_creation(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                              void *user_data) {
    (void)bootstrap;
    struct echo_conn *c = user_data;
    bool ok = s_client_thread_ok(c, channel) && error_code == 0 && channel != NULL;
    aws_mutex_lock(&s_mutex);
    c->wrong_thread += !ok;
    c->creation_calls++;
    c->creation_seq = ++s_seq;
    aws_mutex_unlock(&s_mutex);
}

static void s_client_setup(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                           void *user_data) {
    (void)bootstrap;
    struct echo_conn *c = user_data;
    bool ok = s_client_thread_ok(c, channel);
    if (!error_code) {
        c->channel = channel;
        c->slot = s_add_echo_handler(channel, NULL, c);
        if (c->slot) {
            s_send_all(c);
            if (c->messages == 0) {
                aws_channel_shutdown(channel, AWS_ERROR_SUCCESS);
            }
        } else {
            aws_channel_shutdown(channel, aws_last_error());
        }
    }
    aws_mutex_lock(&s_mutex);
    c->wrong_thread += !ok;
    c->setup_calls++;
    c->setup_seq = ++s_seq;
    c->setup_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static void s_client_shutdown(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                              void *user_data) {
    (void)bootstrap;
    struct echo_conn *c = user_data;
    bool ok = s_client_thread_ok(c, channel) && channel == c->channel;
    aws_mutex_lock(&s_mutex);
    c->wrong_thread += !ok;
    c->shutdown_calls++;
    c->shutdown_seq = ++s_seq;
    c->shutdown_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

/* Finished: shut down after a good setup, or setup failed. */
static bool s_conn_done(void *arg) {
    struct echo_conn *c = arg;
    return c->shutdown_calls > 0 || (c->setup_calls > 0 && c->setup_error != 0);
}

static bool s_conn_set_up(void *arg) {
    return ((struct echo_conn *)arg)->setup_calls > 0;
}

static int s_connect(struct aws_client_bootstrap *bootstrap, struct echo_conn *c, const char *host, uint32_t port,
                     enum aws_socket_domain domain) {
    struct aws_socket_options options = {
        .type = AWS_SOCKET_STREAM, .domain = domain, .connect_timeout_ms = 10000};
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = bootstrap,
        .host_name = host,
        .port = port,
        .socket_options = &options,
        .creation_callback = s_client_creation,
        .setup_callback = s_client_setup,
        .shutdown_callback = s_client_shutdown,
        .user_data = c,
        .requested_event_loop = c->requested_loop,
    };
    return aws_client_bootstrap_new_socket_channel(&co);
}

static void s_conn_clean_up(struct echo_conn *c) {
    aws_byte_buf_clean_up(&c->sent);
    aws_byte_buf_clean_up(&c->received);
}

/* A finished connection echoed everything, with callbacks in upstream order. */
static void s_check_echoed(struct echo_conn *c) {
    CHECK_INT_EQ(0, c->setup_error);
    CHECK_INT_EQ(1, c->creation_calls);
    CHECK_INT_EQ(1, c->setup_calls);
    CHECK_INT_EQ(1, c->shutdown_calls);
    CHECK_INT_EQ(0, c->wrong_thread);
    CHECK(c->creation_seq < c->setup_seq && c->setup_seq < c->shutdown_seq);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, c->shutdown_error);
    CHECK_MEM_EQ(c->sent.buffer, c->sent.len, c->received.buffer, c->received.len);
}

#endif
