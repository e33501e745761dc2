/* The event-stream RPC client C API on real loopback sockets (TCP 127.0.0.1,
 * TCP ::1, a Unix socket in a mkdtemp directory) against a raw server: a
 * server bootstrap listener with an event-stream channel handler in each
 * channel, answering with messages it builds itself, so it can also break
 * the protocol on purpose. The client's PING payload tells the server what
 * to do ("protocol-error", "bad-stream", "hangup"; anything else gets a
 * PING_RESPONSE); an application payload "end" is answered with
 * TERMINATE_STREAM, any other is echoed.
 *
 * Checked: callback order and threads (all on the connection's loop),
 * handshake, stream ids 1, 2, 3, activation rules, echo on concurrent streams
 * with sends from non-loop threads and from a callback, TERMINATE_STREAM
 * from both sides (closed callback exactly once, also at shutdown), errors
 * of sends on closed streams and connections, protocol errors both ways,
 * a rejected CONNECT_ACK, the server hanging up, a refused connect, and
 * reference counts (terminated callbacks; the tracing allocator ends at 0).
 * Builds against upstream's headers and library too. */
#include <aws/common/clock.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/common/thread.h>
#include <aws/event-stream/event_stream.h>
#include <aws/event-stream/event_stream_channel_handler.h>
#include <aws/event-stream/event_stream_rpc_client.h>
#include <aws/io/channel.h>
#include <aws/io/channel_bootstrap.h>
#include <aws/io/event_loop.h>
#include <aws/io/host_resolver.h>
#include <aws/io/io.h>
#include <aws/io/socket.h>

#include "test_helpers.h"

#define WAIT_NS (10LL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_mutex = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;
static int s_seq; /* callback sequence numbers, under s_mutex */
static char s_tmp_dir[64];

static struct aws_event_loop_group *s_server_group;
static struct aws_event_loop_group *s_client_group;
static struct aws_host_resolver *s_resolver;
static struct aws_client_bootstrap *s_client_bootstrap;
static struct aws_server_bootstrap *s_server_bootstrap;

/* Waits (bounded) until `cond` holds under s_mutex; a timeout is a failure. */
#define WAIT_UNTIL(cond)                                                                                               \
    do {                                                                                                               \
        uint64_t start_ = 0, now_ = 0;                                                                                 \
        aws_high_res_clock_get_ticks(&start_);                                                                         \
        aws_mutex_lock(&s_mutex);                                                                                      \
        while (!(cond)) {                                                                                              \
            aws_high_res_clock_get_ticks(&now_);                                                                       \
            if (now_ - start_ >= (uint64_t)WAIT_NS) {                                                                  \
                break;                                                                                                 \
            }                                                                                                          \
            aws_condition_variable_wait_for(&s_cv, &s_mutex, WAIT_NS - (int64_t)(now_ - start_));                      \
        }                                                                                                              \
        bool ok_ = (cond);                                                                                             \
        aws_mutex_unlock(&s_mutex);                                                                                    \
        if (!ok_) {                                                                                                    \
            fprintf(stderr, "%s:%d: timed out waiting for %s\n", __FILE__, __LINE__, #cond);                           \
            g_test_failures++;                                                                                         \
        }                                                                                                              \
    } while (0)

static void s_notify(void) {
    aws_condition_variable_notify_all(&s_cv);
}

static struct aws_byte_cursor s_cur(const char *s) {
    return aws_byte_cursor_from_c_str(s);
}

static bool s_buf_is(const struct aws_byte_buf *b, const char *s) {
    return b && b->len == strlen(s) && memcmp(b->buffer, s, b->len) == 0;
}

/* ---- the raw server ------------------------------------------------------------------- */

#define MAX_SERVER_CONNS 4
#define MAX_ACTIVATIONS 32
struct server_conn;

struct server {
    struct aws_socket *listener;
    bool reject_connect;
    /* under s_mutex */
    int connections, shutdowns, destroyed;
    int connects, protocol_errors_received, terminates_received, app_messages;
    int activations;
    int32_t activation_ids[MAX_ACTIVATIONS];
    char activation_ops[MAX_ACTIVATIONS][32];
    struct server_conn *conns[MAX_SERVER_CONNS];
};

static struct server s_server;

struct server_conn {
    struct aws_channel *channel;
    struct aws_channel_handler *handler;
};

struct server_write {
    struct aws_event_stream_message message;
    struct aws_channel *channel;
    bool hang_up_after;
};

static void s_server_written(struct aws_event_stream_message *message, int error_code, void *user_data) {
    (void)message;
    (void)error_code;
    struct server_write *w = user_data;
    if (w->hang_up_after) {
        aws_channel_shutdown(w->channel, AWS_ERROR_SUCCESS);
    }
    aws_event_stream_message_clean_up(&w->message);
    aws_mem_release(s_alloc, w);
}

/* Sends an RPC message built by hand: one content-type header, then the three
 * reserved headers, as an RPC peer does. */
static void s_server_send(struct server_conn *c, int32_t type, int32_t flags, int32_t stream_id, const char *payload,
                          bool hang_up_after) {
    struct aws_array_list headers;
    aws_event_stream_headers_list_init(&headers, s_alloc);
    aws_event_stream_add_string_header(&headers, ":content-type", 13, "text/plain", 10, 0);
    aws_event_stream_add_int32_header(&headers, (const char *)aws_event_stream_rpc_message_type_name.ptr,
                                      (uint8_t)aws_event_stream_rpc_message_type_name.len, type);
    aws_event_stream_add_int32_header(&headers, (const char *)aws_event_stream_rpc_message_flags_name.ptr,
                                      (uint8_t)aws_event_stream_rpc_message_flags_name.len, flags);
    aws_event_stream_add_int32_header(&headers, (const char *)aws_event_stream_rpc_stream_id_name.ptr,
                                      (uint8_t)aws_event_stream_rpc_stream_id_name.len, stream_id);
    struct aws_byte_buf body = aws_byte_buf_from_c_str(payload);
    struct server_write *w = aws_mem_calloc(s_alloc, 1, sizeof(struct server_write));
    w->channel = c->channel;
    w->hang_up_after = hang_up_after;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_message_init(&w->message, s_alloc, &headers, &body));
    aws_event_stream_headers_list_cleanup(&headers);
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_event_stream_channel_handler_write_message(c->handler, &w->message, s_server_written, w));
}

static bool s_name_is(struct aws_event_stream_header_value_pair *h, struct aws_byte_cursor name) {
    struct aws_byte_buf n = aws_event_stream_header_name(h);
    return n.len == name.len && memcmp(n.buffer, name.ptr, n.len) == 0;
}

static void s_server_on_message(struct aws_event_stream_message *message, int error_code, void *user_data) {
    struct server_conn *c = user_data;
    if (error_code) {
        return;
    }
    struct aws_array_list headers;
    aws_event_stream_headers_list_init(&headers, s_alloc);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_message_headers(message, &headers));
    int32_t type = -1, flags = -1, stream_id = -1;
    char op[32] = {0};
    for (size_t i = 0; i < aws_array_list_length(&headers); ++i) {
        struct aws_event_stream_header_value_pair *h = NULL;
        aws_array_list_get_at_ptr(&headers, (void **)&h, i);
        if (s_name_is(h, aws_event_stream_rpc_message_type_name)) {
            type = aws_event_stream_header_value_as_int32(h);
        } else if (s_name_is(h, aws_event_stream_rpc_message_flags_name)) {
            flags = aws_event_stream_header_value_as_int32(h);
        } else if (s_name_is(h, aws_event_stream_rpc_stream_id_name)) {
            stream_id = aws_event_stream_header_value_as_int32(h);
        } else if (s_name_is(h, aws_event_stream_rpc_operation_name)) {
            struct aws_byte_buf v = aws_event_stream_header_value_as_string(h);
            memcpy(op, v.buffer, v.len < sizeof(op) - 1 ? v.len : sizeof(op) - 1);
        }
    }
    aws_event_stream_headers_list_cleanup(&headers);
    char payload[64] = {0};
    uint32_t len = aws_event_stream_message_payload_len(message);
    memcpy(payload, aws_event_stream_message_payload(message), len < sizeof(payload) - 1 ? len : sizeof(payload) - 1);

    aws_mutex_lock(&s_mutex);
    switch (type) {
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT:
            s_server.connects++;
            break;
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR:
            s_server.protocol_errors_received++;
            break;
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE:
            s_server.app_messages++;
            if (op[0] && s_server.activations < MAX_ACTIVATIONS) {
                s_server.activation_ids[s_server.activations] = stream_id;
                memcpy(s_server.activation_ops[s_server.activations], op, sizeof(op));
                s_server.activations++;
            }
            if (flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM) {
                s_server.terminates_received++;
            }
            break;
        default:
            break;
    }
    bool reject = s_server.reject_connect;
    s_notify();
    aws_mutex_unlock(&s_mutex);

    switch (type) {
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT:
            s_server_send(c, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK,
                          reject ? 0 : AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED, 0, "", reject);
            break;
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING:
            if (strcmp(payload, "protocol-error") == 0) {
                s_server_send(c, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR, 0, 0, "{\"message\":\"test\"}", false);
            } else if (strcmp(payload, "bad-stream") == 0) {
                s_server_send(c, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0, 99, "unasked", false);
            } else if (strcmp(payload, "hangup") == 0) {
                aws_channel_shutdown(c->channel, AWS_ERROR_SUCCESS);
            } else {
                s_server_send(c, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE, 0, 0, payload, false);
            }
            break;
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE:
            if (flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM) {
                break; /* the client ended the stream: nothing to answer */
            }
            if (strcmp(payload, "end") == 0) {
                s_server_send(c, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE,
                              AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM, stream_id, "end", false);
            } else {
                s_server_send(c, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0, stream_id, payload, false);
            }
            break;
        default:
            break;
    }
}

static void s_server_incoming(struct aws_server_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                              void *user_data) {
    (void)bootstrap;
    (void)user_data;
    if (error_code) {
        return;
    }
    struct server_conn *c = aws_mem_calloc(s_alloc, 1, sizeof(struct server_conn));
    c->channel = channel;
    struct aws_event_stream_channel_handler_options ho = {
        .on_message_received = s_server_on_message,
        .user_data = c,
    };
    c->handler = aws_event_stream_channel_handler_new(s_alloc, &ho);
    struct aws_channel_slot *slot = aws_channel_slot_new(channel);
    CHECK(c->handler != NULL && slot != NULL);
    aws_channel_slot_insert_end(channel, slot);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(slot, c->handler));
    aws_mutex_lock(&s_mutex);
    for (size_t i = 0; i < MAX_SERVER_CONNS; ++i) {
        if (!s_server.conns[i]) {
            s_server.conns[i] = c;
            break;
        }
    }
    s_server.connections++;
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static void s_server_shutdown(struct aws_server_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                              void *user_data) {
    (void)bootstrap;
    (void)error_code;
    (void)user_data;
    aws_mutex_lock(&s_mutex);
    for (size_t i = 0; i < MAX_SERVER_CONNS; ++i) {
        if (s_server.conns[i] && s_server.conns[i]->channel == channel) {
            aws_mem_release(s_alloc, s_server.conns[i]);
            s_server.conns[i] = NULL;
        }
    }
    s_server.shutdowns++;
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static void s_server_destroyed(struct aws_server_bootstrap *bootstrap, void *user_data) {
    (void)bootstrap;
    (void)user_data;
    aws_mutex_lock(&s_mutex);
    s_server.destroyed++;
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

/* Starts the raw server on (host, domain); returns the bound port (0 for Unix). */
static uint32_t s_start_server(const char *host, enum aws_socket_domain domain, bool reject_connect) {
    memset(&s_server, 0, sizeof(s_server));
    s_server.reject_connect = reject_connect;
    struct aws_socket_options options = {.type = AWS_SOCKET_STREAM, .domain = domain, .connect_timeout_ms = 3000};
    struct aws_server_socket_channel_bootstrap_options bo = {
        .bootstrap = s_server_bootstrap,
        .host_name = host,
        .port = 0,
        .socket_options = &options,
        .incoming_callback = s_server_incoming,
        .shutdown_callback = s_server_shutdown,
        .destroy_callback = s_server_destroyed,
    };
    s_server.listener = aws_server_bootstrap_new_socket_listener(&bo);
    CHECK(s_server.listener != NULL);
    if (!s_server.listener || domain == AWS_SOCKET_LOCAL) {
        return 0;
    }
    struct aws_socket_endpoint ep;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_get_bound_address(s_server.listener, &ep));
    return ep.port;
}

/* Stops the listener once every server channel has shut down. */
static void s_stop_server(void) {
    WAIT_UNTIL(s_server.shutdowns == s_server.connections);
    if (s_server.listener) {
        aws_server_bootstrap_destroy_socket_listener(s_server_bootstrap, s_server.listener);
        WAIT_UNTIL(s_server.destroyed == 1);
    }
}

/* ---- the client's callbacks --------------------------------------------------------------- */

struct client {
    struct aws_event_stream_rpc_client_connection *conn;
    int setup_calls, setup_error, shutdown_calls, shutdown_error, shutdown_seq, terminated;
    int wrong_thread;
    int acks, last_ack_flags, ping_responses, protocol_errors, other_protocol_messages;
    char last_ping_response[64];
    bool ping_on_ack;
    int ping_on_ack_rc;
};

struct stream {
    struct client *client;
    struct aws_event_stream_rpc_client_continuation_token *token;
    int messages, closed_calls, closed_seq, terminated, wrong_thread;
    char last_payload[64];
    uint32_t last_flags;
    bool closed_in_terminating_callback;
};

struct flush_tally {
    int calls, errors, last_error;
};

/* Upstream calls a successful send's flush_fn without a NULL check: every
 * send here passes one, this tally when the test does not look. */
static struct flush_tally s_ignored_flushes;

static bool s_on_loop(struct aws_event_stream_rpc_client_connection *conn) {
    return aws_event_loop_thread_is_callers_thread(aws_event_stream_rpc_client_connection_get_event_loop(conn));
}

static void s_on_flush(int error_code, void *user_data) {
    struct flush_tally *t = user_data;
    aws_mutex_lock(&s_mutex);
    t->calls++;
    if (error_code) {
        t->errors++;
        t->last_error = error_code;
    }
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static struct aws_event_stream_rpc_message_args s_args(int32_t type, uint32_t flags, struct aws_byte_buf *payload) {
    struct aws_event_stream_rpc_message_args a = {
        .headers = NULL,
        .headers_count = 0,
        .payload = payload,
        .message_type = type,
        .message_flags = flags,
    };
    return a;
}

static int s_send_ping(struct aws_event_stream_rpc_client_connection *conn, const char *text,
                       struct flush_tally *tally) {
    struct aws_byte_buf payload = aws_byte_buf_from_c_str(text);
    struct aws_event_stream_rpc_message_args a = s_args(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING, 0, &payload);
    return aws_event_stream_rpc_client_connection_send_protocol_message(conn, &a, s_on_flush, tally ? tally : &s_ignored_flushes);
}

static void s_client_setup(struct aws_event_stream_rpc_client_connection *conn, int error_code, void *user_data) {
    struct client *c = user_data;
    if (conn) {
        aws_event_stream_rpc_client_connection_acquire(conn);
    }
    aws_mutex_lock(&s_mutex);
    c->wrong_thread += conn && !s_on_loop(conn);
    c->conn = conn;
    c->setup_calls++;
    c->setup_error = error_code;
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static void s_client_protocol_message(struct aws_event_stream_rpc_client_connection *conn,
                                      const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct client *c = user_data;
    bool send_ping = false;
    aws_mutex_lock(&s_mutex);
    c->wrong_thread += !s_on_loop(conn);
    switch (args->message_type) {
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK:
            c->acks++;
            c->last_ack_flags = (int)args->message_flags;
            send_ping = c->ping_on_ack;
            break;
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE:
            c->ping_responses++;
            memset(c->last_ping_response, 0, sizeof(c->last_ping_response));
            memcpy(c->last_ping_response, args->payload->buffer,
                   args->payload->len < sizeof(c->last_ping_response) - 1 ? args->payload->len
                                                                          : sizeof(c->last_ping_response) - 1);
            break;
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR:
            c->protocol_errors++;
            break;
        default:
            c->other_protocol_messages++;
    }
    s_notify();
    aws_mutex_unlock(&s_mutex);
    if (send_ping) {
        /* A send from the loop thread, inside a callback. */
        int rc = s_send_ping(conn, "from-the-loop", NULL);
        aws_mutex_lock(&s_mutex);
        c->ping_on_ack_rc = rc;
        aws_mutex_unlock(&s_mutex);
    }
}

static void s_client_shutdown(struct aws_event_stream_rpc_client_connection *conn, int error_code, void *user_data) {
    struct client *c = user_data;
    aws_mutex_lock(&s_mutex);
    c->wrong_thread += !s_on_loop(conn);
    c->shutdown_calls++;
    c->shutdown_error = error_code;
    c->shutdown_seq = ++s_seq;
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static void s_client_terminated(void *user_data) {
    struct client *c = user_data;
    aws_mutex_lock(&s_mutex);
    c->terminated++;
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static void s_stream_message(struct aws_event_stream_rpc_client_continuation_token *token,
                             const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct stream *s = user_data;
    bool closed = aws_event_stream_rpc_client_continuation_is_closed(token);
    aws_mutex_lock(&s_mutex);
    s->wrong_thread += !s_on_loop(s->client->conn) || token != s->token;
    s->messages++;
    s->last_flags = args->message_flags;
    memset(s->last_payload, 0, sizeof(s->last_payload));
    memcpy(s->last_payload, args->payload->buffer,
           args->payload->len < sizeof(s->last_payload) - 1 ? args->payload->len : sizeof(s->last_payload) - 1);
    if (args->message_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM) {
        s->closed_in_terminating_callback = closed;
    }
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static void s_stream_closed(struct aws_event_stream_rpc_client_continuation_token *token, void *user_data) {
    struct stream *s = user_data;
    aws_mutex_lock(&s_mutex);
    s->wrong_thread += !s_on_loop(s->client->conn) || token != s->token;
    s->closed_calls++;
    s->closed_seq = ++s_seq;
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static void s_stream_terminated(void *user_data) {
    struct stream *s = user_data;
    aws_mutex_lock(&s_mutex);
    s->terminated++;
    s_notify();
    aws_mutex_unlock(&s_mutex);
}

static struct aws_event_stream_rpc_client_continuation_token *s_new_stream(struct client *c, struct stream *s) {
    memset(s, 0, sizeof(*s));
    s->client = c;
    struct aws_event_stream_rpc_client_stream_continuation_options o = {
        .on_continuation = s_stream_message,
        .on_continuation_closed = s_stream_closed,
        .on_continuation_terminated = s_stream_terminated,
        .user_data = s,
    };
    s->token = aws_event_stream_rpc_client_connection_new_stream(c->conn, &o);
    CHECK(s->token != NULL);
    return s->token;
}

static int s_activate(struct stream *s, const char *operation, const char *text, struct flush_tally *tally) {
    struct aws_byte_buf payload = aws_byte_buf_from_c_str(text);
    struct aws_event_stream_rpc_message_args a =
        s_args(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0, &payload);
    return aws_event_stream_rpc_client_continuation_activate(s->token, s_cur(operation), &a,
                                                             s_on_flush, tally ? tally : &s_ignored_flushes);
}

static int s_send_on(struct stream *s, const char *text, uint32_t flags, struct flush_tally *tally) {
    struct aws_byte_buf payload = aws_byte_buf_from_c_str(text);
    struct aws_event_stream_rpc_message_args a =
        s_args(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, flags, &payload);
    return aws_event_stream_rpc_client_continuation_send_message(s->token, &a, s_on_flush, tally ? tally : &s_ignored_flushes);
}

/* Connects (host, port, domain) and waits for the setup callback. */
static bool s_connect(struct client *c, const char *host, uint32_t port, enum aws_socket_domain domain) {
    memset(c, 0, sizeof(*c));
    struct aws_socket_options so = {.type = AWS_SOCKET_STREAM, .domain = domain, .connect_timeout_ms = 3000};
    struct aws_event_stream_rpc_client_connection_options o = {
        .host_name = host,
        .port = port,
        .socket_options = &so,
        .bootstrap = s_client_bootstrap,
        .on_connection_setup = s_client_setup,
        .on_connection_protocol_message = s_client_protocol_message,
        .on_connection_shutdown = s_client_shutdown,
        .on_connection_terminated = s_client_terminated,
        .user_data = c,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_rpc_client_connection_connect(s_alloc, &o));
    WAIT_UNTIL(c->setup_calls == 1);
    return c->conn != NULL;
}

/* Sends CONNECT and waits for the CONNECT_ACK. */
static void s_handshake(struct client *c) {
    struct flush_tally flushed = {0};
    struct aws_byte_buf payload = aws_byte_buf_from_c_str("{}");
    struct aws_event_stream_rpc_message_args a = s_args(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, &payload);
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_event_stream_rpc_client_connection_send_protocol_message(c->conn, &a, s_on_flush, &flushed));
    WAIT_UNTIL(flushed.calls == 1 && c->acks == 1);
    CHECK_INT_EQ(0, flushed.errors);
}

/* Releases the user's connection reference and waits for it to be destroyed. */
static void s_release_client(struct client *c) {
    aws_event_stream_rpc_client_connection_release(c->conn);
    WAIT_UNTIL(c->terminated == 1);
    CHECK_INT_EQ(0, c->wrong_thread);
}

/* ---- sends from threads that are not the loop ------------------------------------------------ */

#define SENDER_THREADS 2
#define SENDS_PER_STREAM 10

struct sender {
    struct stream *streams;
    size_t stream_count;
    int failures;
    struct flush_tally flushed;
};

static void s_sender_main(void *arg) {
    struct sender *w = arg;
    for (int i = 0; i < SENDS_PER_STREAM; ++i) {
        for (size_t s = 0; s < w->stream_count; ++s) {
            if (s_send_on(&w->streams[s], "from-a-thread", 0, &w->flushed)) {
                w->failures++;
            }
        }
    }
}

/* ---- the cases ------------------------------------------------------------------------------ */

static void s_conversation(const char *host, enum aws_socket_domain domain) {
    uint32_t port = s_start_server(host, domain, false);
    struct client c;
    if (!s_connect(&c, host, port, domain)) {
        fprintf(stderr, "connect to %s failed: %s\n", host, aws_error_name(c.setup_error));
        CHECK(false);
        s_stop_server();
        return;
    }
    CHECK_INT_EQ(0, c.setup_error);
    CHECK(aws_event_stream_rpc_client_connection_is_open(c.conn));
    CHECK(aws_event_stream_rpc_client_connection_get_event_loop(c.conn) != NULL);
    CHECK(aws_event_stream_rpc_client_connection_get_event_loop(NULL) == NULL);

    /* Before the CONNECT_ACK nothing can be activated. */
    struct stream early;
    s_new_stream(&c, &early);
    CHECK_INT_EQ(AWS_OP_ERR, s_activate(&early, "test.early", "x", NULL));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, aws_last_error());
    CHECK(!aws_event_stream_rpc_client_continuation_is_closed(early.token));
    CHECK_INT_EQ(AWS_OP_ERR, s_send_on(&early, "x", 0, NULL));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_NOT_ACTIVATED, aws_last_error());
    aws_event_stream_rpc_client_continuation_release(early.token);
    CHECK_INT_EQ(1, early.terminated);
    CHECK_INT_EQ(0, early.closed_calls);

    /* The handshake; the ack's callback sends a PING from the loop thread. */
    c.ping_on_ack = true;
    s_handshake(&c);
    CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED, c.last_ack_flags);
    WAIT_UNTIL(c.ping_responses == 1);
    CHECK_INT_EQ(AWS_OP_SUCCESS, c.ping_on_ack_rc);
    CHECK_STR_EQ("from-the-loop", c.last_ping_response);
    CHECK_INT_EQ(1, s_server.connects);

    /* Three streams: ids 1, 2, 3 in activation order, each with its operation. */
    struct stream streams[3];
    struct flush_tally activated = {0};
    const char *ops[3] = {"test.one", "test.two", "test.three"};
    const char *hellos[3] = {"hello-1", "hello-2", "hello-3"};
    for (int i = 0; i < 3; ++i) {
        s_new_stream(&c, &streams[i]);
        CHECK(aws_event_stream_rpc_client_continuation_get_user_data(streams[i].token) == &streams[i]);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_activate(&streams[i], ops[i], hellos[i], &activated));
    }
    WAIT_UNTIL(s_server.activations == 3 && activated.calls == 3);
    CHECK_INT_EQ(0, activated.errors);
    for (int i = 0; i < 3; ++i) {
        CHECK_INT_EQ(i + 1, s_server.activation_ids[i]);
        CHECK_STR_EQ(ops[i], s_server.activation_ops[i]);
    }
    /* Activating twice. */
    CHECK_INT_EQ(AWS_OP_ERR, s_activate(&streams[0], "test.again", "x", NULL));
    CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());
    WAIT_UNTIL(streams[0].messages == 1 && streams[1].messages == 1 && streams[2].messages == 1);
    for (int i = 0; i < 3; ++i) {
        CHECK_STR_EQ(hellos[i], streams[i].last_payload);
        CHECK(!aws_event_stream_rpc_client_continuation_is_closed(streams[i].token));
    }

    /* Echo on all three streams at once, sent from threads that are not the loop. */
    struct sender senders[SENDER_THREADS];
    struct aws_thread threads[SENDER_THREADS];
    for (int i = 0; i < SENDER_THREADS; ++i) {
        memset(&senders[i], 0, sizeof(senders[i]));
        senders[i].streams = streams;
        senders[i].stream_count = 3;
        aws_thread_init(&threads[i], s_alloc);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&threads[i], s_sender_main, &senders[i], NULL));
    }
    for (int i = 0; i < SENDER_THREADS; ++i) {
        aws_thread_join(&threads[i]);
        aws_thread_clean_up(&threads[i]);
        CHECK_INT_EQ(0, senders[i].failures);
    }
    const int echoed = 1 + SENDER_THREADS * SENDS_PER_STREAM;
    WAIT_UNTIL(streams[0].messages == echoed && streams[1].messages == echoed && streams[2].messages == echoed);
    for (int i = 0; i < SENDER_THREADS; ++i) {
        WAIT_UNTIL(senders[i].flushed.calls == 3 * SENDS_PER_STREAM);
        CHECK_INT_EQ(0, senders[i].flushed.errors);
    }

    /* The client ends stream 1: closed once flushed, then sends fail. */
    struct flush_tally ended = {0};
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_send_on(&streams[0], "bye", AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM,
                                           &ended));
    WAIT_UNTIL(streams[0].closed_calls == 1 && ended.calls == 1 && s_server.terminates_received == 1);
    CHECK_INT_EQ(0, ended.errors);
    CHECK(aws_event_stream_rpc_client_continuation_is_closed(streams[0].token));
    CHECK_INT_EQ(AWS_OP_ERR, s_send_on(&streams[0], "late", 0, NULL));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED, aws_last_error());

    /* The server ends stream 2: closed already during its last message. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_send_on(&streams[1], "end", 0, NULL));
    WAIT_UNTIL(streams[1].closed_calls == 1);
    CHECK_INT_EQ(echoed + 1, streams[1].messages);
    CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM, streams[1].last_flags);
    CHECK(streams[1].closed_in_terminating_callback);
    CHECK(aws_event_stream_rpc_client_continuation_is_closed(streams[1].token));
    CHECK_INT_EQ(AWS_OP_ERR, s_send_on(&streams[1], "late", 0, NULL));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED, aws_last_error());

    /* A PROTOCOL_ERROR from the server is a protocol message; the connection stays. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_send_ping(c.conn, "protocol-error", NULL));
    WAIT_UNTIL(c.protocol_errors == 1);
    CHECK(aws_event_stream_rpc_client_connection_is_open(c.conn));
    CHECK_INT_EQ(0, c.other_protocol_messages);

#ifdef AWS_EVENT_STREAM_RS_GENERATED_H
    /* Ours only: a NULL flush_fn means no callback (upstream calls it anyway). */
    struct aws_byte_buf quiet = aws_byte_buf_from_c_str("no-flush-callback");
    struct aws_event_stream_rpc_message_args qa = s_args(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING, 0, &quiet);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_rpc_client_connection_send_protocol_message(c.conn, &qa, NULL, NULL));
    WAIT_UNTIL(c.ping_responses == 2);
    CHECK_STR_EQ("no-flush-callback", c.last_ping_response);
    qa.message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_rpc_client_continuation_send_message(streams[2].token, &qa, NULL, NULL));
    WAIT_UNTIL(streams[2].messages == echoed + 1);
    CHECK_STR_EQ("no-flush-callback", streams[2].last_payload);
#endif

    /* Close from the client: stream 3 closes before the shutdown callback;
     * streams 1 and 2 do not close again. */
    aws_event_stream_rpc_client_connection_close(c.conn, AWS_ERROR_SUCCESS);
    CHECK(!aws_event_stream_rpc_client_connection_is_open(c.conn));
    WAIT_UNTIL(c.shutdown_calls == 1);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, c.shutdown_error);
    CHECK_INT_EQ(1, streams[2].closed_calls);
    CHECK(streams[2].closed_seq < c.shutdown_seq);
    CHECK_INT_EQ(1, streams[0].closed_calls);
    CHECK_INT_EQ(1, streams[1].closed_calls);
    CHECK(aws_event_stream_rpc_client_continuation_is_closed(streams[2].token));

    /* After the close: sends fail, now or in their flush callback. */
    CHECK_INT_EQ(AWS_OP_ERR, s_send_on(&streams[2], "late", 0, NULL));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED, aws_last_error());
    struct stream late;
    s_new_stream(&c, &late);
    CHECK_INT_EQ(AWS_OP_ERR, s_activate(&late, "test.late", "x", NULL));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, aws_last_error());
    aws_event_stream_rpc_client_continuation_release(late.token);
    struct flush_tally after_close = {0};
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_send_ping(c.conn, "late", &after_close));
    WAIT_UNTIL(after_close.calls == 1);
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, after_close.last_error);

    for (int i = 0; i < 3; ++i) {
        aws_event_stream_rpc_client_continuation_release(streams[i].token);
        WAIT_UNTIL(streams[i].terminated == 1);
        CHECK_INT_EQ(0, streams[i].wrong_thread);
    }
    CHECK_INT_EQ(1, late.terminated);
    CHECK_INT_EQ(0, c.terminated);
    s_release_client(&c);
    s_stop_server();
}

static void test_conversation_tcp_ipv4(void) {
    s_conversation("127.0.0.1", AWS_SOCKET_IPV4);
}

static void test_conversation_tcp_ipv6(void) {
    s_conversation("::1", AWS_SOCKET_IPV6);
}

static void test_conversation_unix(void) {
    char path[128];
    snprintf(path, sizeof(path), "%s/rpc.sock", s_tmp_dir);
    s_conversation(path, AWS_SOCKET_LOCAL);
    unlink(path);
}

/* Streams activated from several threads at once reach the wire in stream-id
 * order (ids are taken and sends queued under one lock). */
#define ACTIVATOR_THREADS 4
#define ACTIVATIONS_PER_THREAD 4

struct activator {
    struct stream *streams;
    int failures;
};

static void s_activator_main(void *arg) {
    struct activator *a = arg;
    for (int i = 0; i < ACTIVATIONS_PER_THREAD; ++i) {
        if (s_activate(&a->streams[i], "test.concurrent", "hi", NULL)) {
            a->failures++;
        }
    }
}

static void test_concurrent_activation(void) {
    uint32_t port = s_start_server("127.0.0.1", AWS_SOCKET_IPV4, false);
    struct client c;
    if (s_connect(&c, "127.0.0.1", port, AWS_SOCKET_IPV4)) {
        s_handshake(&c);
        struct stream streams[ACTIVATOR_THREADS * ACTIVATIONS_PER_THREAD];
        struct activator activators[ACTIVATOR_THREADS];
        struct aws_thread threads[ACTIVATOR_THREADS];
        for (int i = 0; i < ACTIVATOR_THREADS * ACTIVATIONS_PER_THREAD; ++i) {
            s_new_stream(&c, &streams[i]);
        }
        for (int t = 0; t < ACTIVATOR_THREADS; ++t) {
            activators[t].streams = &streams[t * ACTIVATIONS_PER_THREAD];
            activators[t].failures = 0;
            aws_thread_init(&threads[t], s_alloc);
            CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&threads[t], s_activator_main, &activators[t], NULL));
        }
        for (int t = 0; t < ACTIVATOR_THREADS; ++t) {
            aws_thread_join(&threads[t]);
            aws_thread_clean_up(&threads[t]);
            CHECK_INT_EQ(0, activators[t].failures);
        }
        const int total = ACTIVATOR_THREADS * ACTIVATIONS_PER_THREAD;
        WAIT_UNTIL(s_server.activations == total);
        for (int i = 0; i < total; ++i) {
            CHECK_INT_EQ(i + 1, s_server.activation_ids[i]);
        }
        for (int i = 0; i < total; ++i) {
            WAIT_UNTIL(streams[i].messages == 1);
        }
        aws_event_stream_rpc_client_connection_close(c.conn, AWS_ERROR_SUCCESS);
        WAIT_UNTIL(c.shutdown_calls == 1);
        for (int i = 0; i < total; ++i) {
            CHECK_INT_EQ(1, streams[i].closed_calls);
            CHECK(streams[i].closed_seq < c.shutdown_seq);
            aws_event_stream_rpc_client_continuation_release(streams[i].token);
            WAIT_UNTIL(streams[i].terminated == 1);
        }
        s_release_client(&c);
    }
    s_stop_server();
}

/* A rejected CONNECT_ACK reaches the application; the server then hangs up. */
static void test_rejected_connect(void) {
    uint32_t port = s_start_server("127.0.0.1", AWS_SOCKET_IPV4, true);
    struct client c;
    if (s_connect(&c, "127.0.0.1", port, AWS_SOCKET_IPV4)) {
        s_handshake(&c);
        CHECK_INT_EQ(0, c.last_ack_flags);
        WAIT_UNTIL(c.shutdown_calls == 1);
        CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, c.shutdown_error);
        CHECK(!aws_event_stream_rpc_client_connection_is_open(c.conn));
        s_release_client(&c);
    }
    CHECK(c.conn != NULL);
    s_stop_server();
}

/* The server hangs up mid-stream: the open stream closes, then the
 * connection reports the socket's error. */
static void test_server_hangs_up(void) {
    uint32_t port = s_start_server("127.0.0.1", AWS_SOCKET_IPV4, false);
    struct client c;
    if (s_connect(&c, "127.0.0.1", port, AWS_SOCKET_IPV4)) {
        s_handshake(&c);
        struct stream s;
        s_new_stream(&c, &s);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_activate(&s, "test.op", "hello", NULL));
        WAIT_UNTIL(s.messages == 1);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_send_ping(c.conn, "hangup", NULL));
        WAIT_UNTIL(c.shutdown_calls == 1);
        CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, c.shutdown_error);
        CHECK_INT_EQ(1, s.closed_calls);
        CHECK(s.closed_seq < c.shutdown_seq);
        CHECK(aws_event_stream_rpc_client_continuation_is_closed(s.token));
        CHECK(!aws_event_stream_rpc_client_connection_is_open(c.conn));
        aws_event_stream_rpc_client_continuation_release(s.token);
        WAIT_UNTIL(s.terminated == 1);
        s_release_client(&c);
    }
    s_stop_server();
}

/* A message on a stream the client never opened: the client answers with
 * PROTOCOL_ERROR and closes with AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR. */
static void test_server_breaks_protocol(void) {
    uint32_t port = s_start_server("127.0.0.1", AWS_SOCKET_IPV4, false);
    struct client c;
    if (s_connect(&c, "127.0.0.1", port, AWS_SOCKET_IPV4)) {
        s_handshake(&c);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_send_ping(c.conn, "bad-stream", NULL));
        WAIT_UNTIL(c.shutdown_calls == 1);
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR, c.shutdown_error);
        WAIT_UNTIL(s_server.protocol_errors_received == 1);
        CHECK_INT_EQ(0, s_server.app_messages);
        s_release_client(&c);
    }
    s_stop_server();
}

/* Anything but CONNECT first fails its flush with PROTOCOL_ERROR and takes
 * the connection down with it. */
static void test_send_before_connect(void) {
    uint32_t port = s_start_server("127.0.0.1", AWS_SOCKET_IPV4, false);
    struct client c;
    if (s_connect(&c, "127.0.0.1", port, AWS_SOCKET_IPV4)) {
        struct flush_tally flushed = {0};
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_send_ping(c.conn, "too-early", &flushed));
        WAIT_UNTIL(flushed.calls == 1 && c.shutdown_calls == 1);
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR, flushed.last_error);
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR, c.shutdown_error);
        CHECK_INT_EQ(0, c.ping_responses);
        s_release_client(&c);
    }
    s_stop_server();
}

/* Nobody listening: the setup callback gets NULL and the socket's error, no
 * shutdown callback follows, and the connection is gone. */
static void test_connection_refused(void) {
    uint32_t port = s_start_server("127.0.0.1", AWS_SOCKET_IPV4, false);
    s_stop_server();
    struct client c;
    CHECK(!s_connect(&c, "127.0.0.1", port, AWS_SOCKET_IPV4));
    CHECK_INT_EQ(AWS_IO_SOCKET_CONNECTION_REFUSED, c.setup_error);
    WAIT_UNTIL(c.terminated == 1);
    CHECK_INT_EQ(0, c.shutdown_calls);
    CHECK_INT_EQ(1, c.setup_calls);
}

/* A connect that fails at once returns the error; no setup callback, and the
 * connection is already gone (terminated on the calling thread). */
static void test_synchronous_connect_failure(void) {
    char missing[128], too_long[200];
    snprintf(missing, sizeof(missing), "%s/no-such-dir/rpc.sock", s_tmp_dir);
    memset(too_long, 'a', sizeof(too_long) - 1);
    too_long[0] = '/';
    too_long[sizeof(too_long) - 1] = '\0';
    const char *hosts[2] = {missing, too_long};
    const int errors[2] = {AWS_ERROR_FILE_INVALID_PATH, AWS_IO_SOCKET_INVALID_ADDRESS};
    for (int i = 0; i < 2; ++i) {
        struct client c;
        memset(&c, 0, sizeof(c));
        struct aws_socket_options so = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_LOCAL, .connect_timeout_ms = 3000};
        struct aws_event_stream_rpc_client_connection_options o = {
            .host_name = hosts[i],
            .socket_options = &so,
            .bootstrap = s_client_bootstrap,
            .on_connection_setup = s_client_setup,
            .on_connection_protocol_message = s_client_protocol_message,
            .on_connection_shutdown = s_client_shutdown,
            .on_connection_terminated = s_client_terminated,
            .user_data = &c,
        };
        CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_rpc_client_connection_connect(s_alloc, &o));
        CHECK_INT_EQ(errors[i], aws_last_error());
        CHECK_INT_EQ(1, c.terminated);
        CHECK_INT_EQ(0, c.setup_calls);
    }
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_event_stream_library_init(s_alloc);
    snprintf(s_tmp_dir, sizeof(s_tmp_dir), "/tmp/aws_es_rpc_client_XXXXXX");
    CHECK(mkdtemp(s_tmp_dir) != NULL);

    s_server_group = aws_event_loop_group_new_default(s_alloc, 1, NULL);
    s_client_group = aws_event_loop_group_new_default(s_alloc, 2, NULL);
    struct aws_host_resolver_default_options ro = {.max_entries = 8, .el_group = s_client_group};
    s_resolver = aws_host_resolver_new_default(s_alloc, &ro);
    struct aws_client_bootstrap_options bo = {.event_loop_group = s_client_group, .host_resolver = s_resolver};
    s_client_bootstrap = aws_client_bootstrap_new(s_alloc, &bo);
    s_server_bootstrap = aws_server_bootstrap_new(s_alloc, s_server_group);
    CHECK(s_client_bootstrap != NULL && s_server_bootstrap != NULL);

    RUN_TEST(test_conversation_tcp_ipv4);
    RUN_TEST(test_conversation_tcp_ipv6);
    RUN_TEST(test_conversation_unix);
    RUN_TEST(test_concurrent_activation);
    RUN_TEST(test_rejected_connect);
    RUN_TEST(test_server_hangs_up);
    RUN_TEST(test_server_breaks_protocol);
    RUN_TEST(test_send_before_connect);
    RUN_TEST(test_connection_refused);
    RUN_TEST(test_synchronous_connect_failure);

    aws_client_bootstrap_release(s_client_bootstrap);
    aws_server_bootstrap_release(s_server_bootstrap);
    aws_host_resolver_release(s_resolver);
    aws_event_loop_group_release(s_client_group);
    aws_event_loop_group_release(s_server_group);
    aws_event_stream_library_clean_up();
    rmdir(s_tmp_dir);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
