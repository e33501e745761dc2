/* The RPC server protections (include/aws/event_stream_rs/rpc_server_ext.h)
 * on real loopback sockets with short timeouts: handshake and idle timeouts,
 * connection, stream, message-size and write-queue limits, auto-PING, and
 * graceful drain; each asserts the callbacks and the exact counters. */
#include <aws/event-stream/event_stream_rpc_server.h>
#include <aws/event_stream_rs/rpc_server_ext.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpc_raw_peer.h"
#include "rpc_test_util.h"

#define MAX_CONNS 8

struct pconn {
    struct aws_event_stream_rpc_server_connection *conn;
    int shutdown_calls, shutdown_error;
    int streams_opened, stream_messages;
    struct aws_event_stream_rpc_server_continuation_token *tokens[4];
};

struct psrv {
    struct rpc_env *env;
    struct aws_event_stream_rpc_server_listener *listener;
    struct aws_mutex *unused;
    int new_conn_calls;
    int shutdown_calls;
    int destroy_calls;
    int drained_calls, drained_after_shutdowns;
    int protocol_messages;
    int acks_sent;
    int wrong_thread;
    struct pconn conns[MAX_CONNS];
    int conn_count;
};

static struct rpc_env s_env;

static struct pconn *s_find(struct psrv *s, struct aws_event_stream_rpc_server_connection *c) {
    for (int i = 0; i < s->conn_count; ++i) {
        if (s->conns[i].conn == c) {
            return &s->conns[i];
        }
    }
    return NULL;
}

static void s_on_continuation(struct aws_event_stream_rpc_server_continuation_token *token,
                              const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    (void)token;
    (void)args;
    struct pconn *pc = user_data;
    aws_mutex_lock(&s_lock);
    pc->stream_messages++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_on_continuation_closed(struct aws_event_stream_rpc_server_continuation_token *token,
                                     void *user_data) {
    (void)token;
    (void)user_data;
}

static int s_on_incoming_stream(struct aws_event_stream_rpc_server_connection *connection,
                                struct aws_event_stream_rpc_server_continuation_token *token,
                                struct aws_byte_cursor operation_name,
                                struct aws_event_stream_rpc_server_stream_continuation_options *options,
                                void *user_data) {
    (void)operation_name;
    struct psrv *s = user_data;
    aws_mutex_lock(&s_lock);
    struct pconn *pc = s_find(s, connection);
    CHECK(pc != NULL);
    if (pc && pc->streams_opened < 4) {
        pc->tokens[pc->streams_opened] = token;
        aws_event_stream_rpc_server_continuation_acquire(token);
    }
    if (pc) {
        pc->streams_opened++;
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    options->on_continuation = s_on_continuation;
    options->on_continuation_closed = s_on_continuation_closed;
    options->user_data = pc;
    return AWS_OP_SUCCESS;
}

static void s_on_protocol_message(struct aws_event_stream_rpc_server_connection *connection,
                                  const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct psrv *s = user_data;
    aws_mutex_lock(&s_lock);
    s->protocol_messages++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    if (args->message_type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT) {
        struct aws_byte_buf empty;
        struct aws_event_stream_rpc_message_args ack = rpc_args(
            &empty, "", AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK, AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED);
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_event_stream_rpc_server_connection_send_protocol_message(connection, &ack, NULL, NULL));
        aws_mutex_lock(&s_lock);
        s->acks_sent++;
        aws_condition_variable_notify_all(&s_cv);
        aws_mutex_unlock(&s_lock);
    }
}

static int s_on_new_connection(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                               struct aws_event_stream_rpc_connection_options *options, void *user_data) {
    struct psrv *s = user_data;
    CHECK_INT_EQ(0, error_code);
    aws_mutex_lock(&s_lock);
    s->wrong_thread += !s_on_group_thread(s->env);
    s->new_conn_calls++;
    if (connection && s->conn_count < MAX_CONNS) {
        s->conns[s->conn_count++].conn = connection;
        aws_event_stream_rpc_server_connection_acquire(connection);
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    options->on_incoming_stream = s_on_incoming_stream;
    options->on_connection_protocol_message = s_on_protocol_message;
    options->user_data = s;
    return AWS_OP_SUCCESS;
}

static void s_on_connection_shutdown(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                                     void *user_data) {
    struct psrv *s = user_data;
    aws_mutex_lock(&s_lock);
    s->wrong_thread += !s_on_group_thread(s->env);
    struct pconn *pc = s_find(s, connection);
    CHECK(pc != NULL);
    if (pc) {
        pc->shutdown_calls++;
        pc->shutdown_error = error_code;
    }
    s->shutdown_calls++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_on_destroy(struct aws_event_stream_rpc_server_listener *listener, void *user_data) {
    (void)listener;
    struct psrv *s = user_data;
    aws_mutex_lock(&s_lock);
    s->destroy_calls++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_on_drained(struct aws_event_stream_rpc_server_listener *listener, void *user_data) {
    struct psrv *s = user_data;
    aws_mutex_lock(&s_lock);
    s->wrong_thread += listener != s->listener;
    s->drained_calls++;
    s->drained_after_shutdowns = s->shutdown_calls;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static bool psrv_start(struct psrv *s, struct rpc_endpoint *ep, const struct aws_es_rs_rpc_server_protection_options *o) {
    AWS_ZERO_STRUCT(*s);
    s->env = &s_env;
    rpc_endpoint_init(&s_env, RPC_V4, ep);
    struct aws_event_stream_rpc_server_listener_options options = {
        .host_name = ep->host,
        .port = ep->port,
        .socket_options = &ep->socket_options,
        .bootstrap = s_env.server_bootstrap,
        .on_new_connection = s_on_new_connection,
        .on_connection_shutdown = s_on_connection_shutdown,
        .on_destroy_callback = s_on_destroy,
        .user_data = s,
    };
    s->listener = aws_es_rs_rpc_server_new_listener_ext(s_alloc, &options, o);
    CHECK(s->listener != NULL);
    if (!s->listener) {
        return false;
    }
    ep->port = aws_event_stream_rpc_server_listener_get_bound_port(s->listener);
    return true;
}

static struct aws_es_rs_rpc_server_counters psrv_counters(struct psrv *s) {
    struct aws_es_rs_rpc_server_counters c;
    aws_es_rs_rpc_server_listener_get_counters(s->listener, &c);
    return c;
}

static void psrv_stop(struct psrv *s) {
    CHECK(s_wait_count(&s->shutdown_calls, s->conn_count));
    for (int i = 0; i < s->conn_count; ++i) {
        struct pconn *pc = &s->conns[i];
        for (int j = 0; j < pc->streams_opened && j < 4; ++j) {
            aws_event_stream_rpc_server_continuation_release(pc->tokens[j]);
        }
        aws_event_stream_rpc_server_connection_release(pc->conn);
        CHECK_INT_EQ(1, pc->shutdown_calls);
    }
    aws_event_stream_rpc_server_listener_release(s->listener);
    CHECK(s_wait_count(&s->destroy_calls, 1));
    CHECK_INT_EQ(0, s->wrong_thread);
}

/* Encoded size of a hand-built message (what the counters see on the wire). */
static uint64_t s_wire_len(int32_t type, int32_t flags, int32_t stream_id, const char *op, const char *payload) {
    struct aws_event_stream_message m;
    CHECK_INT_EQ(AWS_OP_SUCCESS, rpc_encode(&m, RPC_HDR_ALL, type, flags, stream_id, op, payload));
    uint64_t n = aws_event_stream_message_total_length(&m);
    aws_event_stream_message_clean_up(&m);
    return n;
}

/* Encoded size of the server's PROTOCOL_ERROR reply with `text`: its
 * :content-type header comes before the RPC headers. */
static uint64_t s_error_reply_len(const char *text) {
    struct aws_array_list headers;
    aws_event_stream_headers_list_init(&headers, s_alloc);
    aws_event_stream_add_string_header(&headers, ":content-type", 13, "application/json", 16, 1);
    aws_event_stream_add_int32_header(&headers, ":message-type", 13, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR);
    aws_event_stream_add_int32_header(&headers, ":message-flags", 14, 0);
    aws_event_stream_add_int32_header(&headers, ":stream-id", 10, 0);
    struct aws_byte_buf body = aws_byte_buf_from_c_str(text);
    struct aws_event_stream_message m;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_message_init(&m, s_alloc, &headers, &body));
    uint64_t n = aws_event_stream_message_total_length(&m);
    aws_event_stream_message_clean_up(&m);
    aws_event_stream_headers_list_cleanup(&headers);
    return n;
}

#define T_APP AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE
#define T_APP_ERR AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_ERROR
#define T_PING AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING
#define TERM AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM
#define TOO_MANY_STREAMS                                                                                               \
    "{ \"message\": \"Too many open streams on this connection. Close a stream before opening another.\" }"
#define DRAINING                                                                                                       \
    "{ \"message\": \"The server is shutting down and accepts no new streams on this connection.\" }"

/* A peer that never sends CONNECT is closed at the CONNECT timeout; one that
 * completed the handshake is not. */
static void test_handshake_timeout(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    struct aws_es_rs_rpc_server_protection_options o = {.connect_timeout_ms = 400};
    if (!psrv_start(&s, &ep, &o)) {
        return;
    }
    struct raw_peer good, slow;
    peer_connect(&good, &s_env, &ep);
    peer_handshake(&good);
    peer_connect(&slow, &s_env, &ep);
    CHECK(s_wait_count(&slow.shutdown_calls, 1));
    CHECK(s_wait_count(&s.shutdown_calls, 1));
    aws_mutex_lock(&s_lock);
    CHECK_INT_EQ(2, s.new_conn_calls);
    CHECK_INT_EQ(0, s.conns[0].shutdown_calls);
    CHECK_INT_EQ(1, s.conns[1].shutdown_calls);
    CHECK_INT_EQ(AWS_IO_SOCKET_TIMEOUT, s.conns[1].shutdown_error);
    aws_mutex_unlock(&s_lock);
    struct aws_es_rs_rpc_server_counters c = psrv_counters(&s);
    CHECK_INT_EQ(1, c.live_connections);
    CHECK_INT_EQ(2, c.connections_accepted);
    CHECK_INT_EQ(1, c.handshake_timeouts);
    CHECK_INT_EQ(0, c.idle_timeouts);
    CHECK_INT_EQ(1, c.messages_received);
    CHECK_INT_EQ(1, c.messages_sent);
    CHECK_INT_EQ(s_wire_len(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, ""), c.bytes_received);
    peer_close(&good);
    peer_close(&slow);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

/* No traffic either way for the idle timeout: closed, counted. */
static void test_idle_timeout(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    struct aws_es_rs_rpc_server_protection_options o = {.idle_timeout_ms = 150};
    if (!psrv_start(&s, &ep, &o)) {
        return;
    }
    struct raw_peer p;
    peer_connect(&p, &s_env, &ep);
    peer_handshake(&p);
    CHECK(s_wait_count(&p.shutdown_calls, 1));
    CHECK(s_wait_count(&s.shutdown_calls, 1));
    CHECK_INT_EQ(AWS_IO_SOCKET_TIMEOUT, s.conns[0].shutdown_error);
    struct aws_es_rs_rpc_server_counters c = psrv_counters(&s);
    CHECK_INT_EQ(0, c.live_connections);
    CHECK_INT_EQ(1, c.idle_timeouts);
    CHECK_INT_EQ(0, c.handshake_timeouts);
    peer_close(&p);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

/* The third connection over a limit of two is closed at once, no callback. */
static void test_max_connections(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    struct aws_es_rs_rpc_server_protection_options o = {.max_connections = 2};
    if (!psrv_start(&s, &ep, &o)) {
        return;
    }
    struct raw_peer p[3];
    for (int i = 0; i < 3; ++i) {
        peer_connect(&p[i], &s_env, &ep);
        if (i < 2) {
            peer_handshake(&p[i]);
        }
    }
    CHECK(s_wait_count(&p[2].shutdown_calls, 1));
    struct aws_es_rs_rpc_server_counters c = psrv_counters(&s);
    CHECK_INT_EQ(2, s.new_conn_calls);
    CHECK_INT_EQ(2, c.live_connections);
    CHECK_INT_EQ(2, c.connections_accepted);
    CHECK_INT_EQ(1, c.connections_refused);
    /* One leaves: room for another. */
    peer_close(&p[0]);
    CHECK(s_wait_count(&s.shutdown_calls, 1));
    struct raw_peer q;
    peer_connect(&q, &s_env, &ep);
    peer_handshake(&q);
    c = psrv_counters(&s);
    CHECK_INT_EQ(3, c.connections_accepted);
    CHECK_INT_EQ(1, c.connections_refused);
    CHECK_INT_EQ(2, c.live_connections);
    peer_close(&p[1]);
    peer_close(&p[2]);
    peer_close(&q);
    CHECK(s_wait_count(&s.shutdown_calls, 3));
    CHECK_INT_EQ(0, psrv_counters(&s).live_connections);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

/* A stream over the limit is refused on that stream; the connection stays. */
static void test_max_streams(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    struct aws_es_rs_rpc_server_protection_options o = {.max_streams_per_connection = 1};
    if (!psrv_start(&s, &ep, &o)) {
        return;
    }
    struct raw_peer p;
    peer_connect(&p, &s_env, &ep);
    peer_handshake(&p);
    peer_send(&p, RPC_HDR_ALL, T_APP, 0, 1, "op", "a");
    peer_send(&p, RPC_HDR_ALL, T_APP, 0, 2, "op", "b");
    CHECK(s_wait_count(&p.received, 2));
    aws_mutex_lock(&s_lock);
    struct rpc_msg *m = &p.msgs[1];
    CHECK_INT_EQ(T_APP_ERR, m->type);
    CHECK_INT_EQ(TERM, m->flags);
    CHECK_INT_EQ(2, m->stream_id);
    CHECK_STR_EQ("application/json", m->content_type);
    CHECK_STR_EQ(TOO_MANY_STREAMS, m->payload);
    aws_mutex_unlock(&s_lock);
    /* Stream 1 ends; stream 3 is accepted. */
    peer_send(&p, RPC_HDR_ALL, T_APP, TERM, 1, NULL, "");
    peer_send(&p, RPC_HDR_ALL, T_APP, 0, 3, "op", "c");
    CHECK(s_wait_count(&s.conns[0].streams_opened, 2));
    CHECK(s_wait_count(&s.conns[0].stream_messages, 3));
    struct aws_es_rs_rpc_server_counters c = psrv_counters(&s);
    CHECK_INT_EQ(2, c.streams_opened);
    CHECK_INT_EQ(1, c.streams_closed);
    CHECK_INT_EQ(1, c.streams_refused);
    CHECK_INT_EQ(0, c.protocol_errors_sent);
    CHECK_INT_EQ(5, c.messages_received);
    CHECK_INT_EQ(1, c.live_connections);
    CHECK_INT_EQ(0, p.shutdown_calls);
    peer_close(&p);
    CHECK(s_wait_count(&s.shutdown_calls, 1));
    CHECK_INT_EQ(2, psrv_counters(&s).streams_closed);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

/* A message over max_message_size closes the connection with FIELD_SIZE_EXCEEDED. */
static void test_max_message_size(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    struct aws_es_rs_rpc_server_protection_options o = {.max_message_size = 1024};
    if (!psrv_start(&s, &ep, &o)) {
        return;
    }
    struct raw_peer p;
    peer_connect(&p, &s_env, &ep);
    peer_handshake(&p);
    char small[900];
    memset(small, 'x', sizeof(small) - 1);
    small[sizeof(small) - 1] = '\0';
    peer_send(&p, RPC_HDR_ALL, T_APP, 0, 1, "op", small);
    CHECK(s_wait_count(&s.conns[0].stream_messages, 1));
    char big[1100];
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    peer_send(&p, RPC_HDR_ALL, T_APP, 0, 1, NULL, big);
    CHECK(s_wait_count(&s.shutdown_calls, 1));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED, s.conns[0].shutdown_error);
    struct aws_es_rs_rpc_server_counters c = psrv_counters(&s);
    CHECK_INT_EQ(2, c.messages_received);
    peer_close(&p);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

/* A client that never reads: sends past max_queued_write_bytes fail with
 * CANT_ACCEPT_INPUT and the connection closes with it. */
static void test_write_queue_cap(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    struct aws_es_rs_rpc_server_protection_options o = {.max_queued_write_bytes = 256 * 1024};
    if (!psrv_start(&s, &ep, &o)) {
        return;
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int small = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ep.port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    CHECK_INT_EQ(0, connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
    struct aws_event_stream_message connect_msg;
    rpc_encode(&connect_msg, RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, "");
    size_t len = aws_event_stream_message_total_length(&connect_msg);
    CHECK_INT_EQ((long)len, (long)write(fd, aws_event_stream_message_buffer(&connect_msg), len));
    aws_event_stream_message_clean_up(&connect_msg);
    CHECK(s_wait_count(&s.acks_sent, 1)); /* sends before the CONNECT_ACK would be refused */
    /* 16 KiB PINGs until one is refused (bounded: 64 MiB). */
    static uint8_t payload_bytes[16 * 1024];
    struct aws_byte_buf payload = aws_byte_buf_from_array(payload_bytes, sizeof(payload_bytes));
    struct aws_event_stream_rpc_message_args ping = {.payload = &payload, .message_type = T_PING};
    int sent = 0, err = 0;
    for (int i = 0; i < 4096; ++i) {
        if (aws_event_stream_rpc_server_connection_send_protocol_message(s.conns[0].conn, &ping, NULL, NULL)) {
            err = aws_last_error();
            break;
        }
        sent++;
    }
    CHECK_INT_EQ(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT, err);
    CHECK(sent >= 1);
    CHECK(s_wait_count(&s.shutdown_calls, 1));
    CHECK_INT_EQ(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT, s.conns[0].shutdown_error);
    CHECK_INT_EQ(AWS_OP_ERR,
                 aws_event_stream_rpc_server_connection_send_protocol_message(s.conns[0].conn, &ping, NULL, NULL));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, aws_last_error());
    struct aws_es_rs_rpc_server_counters c = psrv_counters(&s);
    CHECK_INT_EQ(1, c.write_queue_overflows);
    CHECK(c.messages_sent <= (uint64_t)sent + 1);
    close(fd);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

/* PING answered by the server itself: headers (none here) and payload echoed. */
static void test_auto_ping(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    struct aws_es_rs_rpc_server_protection_options o = {.auto_ping = true};
    if (!psrv_start(&s, &ep, &o)) {
        return;
    }
    struct raw_peer p;
    peer_connect(&p, &s_env, &ep);
    peer_handshake(&p);
    peer_send(&p, RPC_HDR_ALL, T_PING, 0, 0, NULL, "hello");
    CHECK(s_wait_count(&p.received, 2));
    aws_mutex_lock(&s_lock);
    CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE, p.msgs[1].type);
    CHECK_INT_EQ(0, p.msgs[1].stream_id);
    CHECK_STR_EQ("hello", p.msgs[1].payload);
    CHECK_INT_EQ(1, s.protocol_messages); /* the CONNECT only */
    aws_mutex_unlock(&s_lock);
    struct aws_es_rs_rpc_server_counters c = psrv_counters(&s);
    CHECK_INT_EQ(1, c.pings_answered);
    CHECK_INT_EQ(2, c.messages_received);
    CHECK_INT_EQ(s_wire_len(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, "") +
                     s_wire_len(T_PING, 0, 0, NULL, "hello"),
                 c.bytes_received);
    /* A protocol violation is counted; once the server's connection is down
     * every write has completed, so the sent counters are final. */
    peer_send(&p, RPC_HDR_ALL, T_APP, 0, 5, "op", "");
    CHECK(s_wait_count(&p.shutdown_calls, 1));
    CHECK(s_wait_count(&s.shutdown_calls, 1));
    c = psrv_counters(&s);
    CHECK_INT_EQ(1, c.protocol_errors_sent);
    CHECK_INT_EQ(3, c.messages_sent);
    CHECK_INT_EQ(s_wire_len(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK, AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED, 0, NULL, "") +
                     s_wire_len(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE, 0, 0, NULL, "hello") +
                     s_error_reply_len(RPC_ERR_INVALID_NEW_CLIENT_STREAM_ID),
                 c.bytes_sent);
    peer_close(&p);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

/* Drain: the idle connection closes at once, the busy one refuses a new
 * stream and closes when its stream ends; then on_drained; new connects fail. */
static void test_drain(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    if (!psrv_start(&s, &ep, NULL)) {
        return;
    }
    struct raw_peer busy, idle;
    peer_connect(&busy, &s_env, &ep);
    peer_handshake(&busy);
    peer_connect(&idle, &s_env, &ep);
    peer_handshake(&idle);
    peer_send(&busy, RPC_HDR_ALL, T_APP, 0, 1, "op", "");
    CHECK(s_wait_count(&s.conns[0].streams_opened, 1));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_es_rs_rpc_server_listener_drain(s.listener, 10000, s_on_drained, &s));
    CHECK_INT_EQ(AWS_OP_ERR, aws_es_rs_rpc_server_listener_drain(s.listener, 10000, s_on_drained, &s));
    CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());
    CHECK(s_wait_count(&idle.shutdown_calls, 1));
    CHECK(s_wait_count(&s.conns[1].shutdown_calls, 1));
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, s.conns[1].shutdown_error);
    peer_send(&busy, RPC_HDR_ALL, T_APP, 0, 2, "op", "");
    CHECK(s_wait_count(&busy.received, 2));
    aws_mutex_lock(&s_lock);
    CHECK_INT_EQ(T_APP_ERR, busy.msgs[1].type);
    CHECK_INT_EQ(2, busy.msgs[1].stream_id);
    CHECK_STR_EQ(DRAINING, busy.msgs[1].payload);
    CHECK_INT_EQ(0, s.drained_calls);
    aws_mutex_unlock(&s_lock);
    peer_send(&busy, RPC_HDR_ALL, T_APP, TERM, 1, NULL, "");
    CHECK(s_wait_count(&s.drained_calls, 1));
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, s.conns[0].shutdown_error);
    CHECK_INT_EQ(2, s.drained_after_shutdowns);
    CHECK(s_wait_count(&busy.shutdown_calls, 1));
    /* The listening socket is closed: a new connection fails. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)ep.port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    bool refused = false;
    for (int i = 0; i < 500 && !refused; ++i) {
        refused = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0;
        if (!refused) { /* the socket closes on the listener's loop, with no callback to wait on: poll, bounded */
            close(fd);
            fd = socket(AF_INET, SOCK_STREAM, 0);
            usleep(2000);
        }
    }
    CHECK(refused);
    close(fd);
    struct aws_es_rs_rpc_server_counters c = psrv_counters(&s);
    CHECK_INT_EQ(0, c.live_connections);
    CHECK_INT_EQ(1, c.streams_refused);
    CHECK_INT_EQ(0, c.drain_timeouts);
    peer_close(&busy);
    peer_close(&idle);
    psrv_stop(&s);
    CHECK_INT_EQ(1, s.drained_calls);
    rpc_endpoint_clean_up(&ep);
}

/* Drain deadline: a stream that never ends is cut; a drain with nothing
 * live completes before it returns. */
static void test_drain_deadline(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    if (!psrv_start(&s, &ep, NULL)) {
        return;
    }
    struct raw_peer p;
    peer_connect(&p, &s_env, &ep);
    peer_handshake(&p);
    peer_send(&p, RPC_HDR_ALL, T_APP, 0, 1, "op", "");
    CHECK(s_wait_count(&s.conns[0].streams_opened, 1));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_es_rs_rpc_server_listener_drain(s.listener, 100, s_on_drained, &s));
    CHECK(s_wait_count(&s.drained_calls, 1));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, s.conns[0].shutdown_error);
    CHECK_INT_EQ(1, psrv_counters(&s).drain_timeouts);
    peer_close(&p);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);

    if (!psrv_start(&s, &ep, NULL)) {
        return;
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_es_rs_rpc_server_listener_drain(s.listener, 100, s_on_drained, &s));
    CHECK_INT_EQ(1, s.drained_calls);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

/* set_protection applies to connections accepted afterwards; NULL removes it. */
static void test_set_protection(void) {
    struct psrv s;
    struct rpc_endpoint ep;
    if (!psrv_start(&s, &ep, NULL)) {
        return;
    }
    struct aws_es_rs_rpc_server_protection_options o = {.max_connections = 1};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_es_rs_rpc_server_listener_set_protection(s.listener, &o));
    struct raw_peer a, b, c;
    peer_connect(&a, &s_env, &ep);
    peer_handshake(&a);
    peer_connect(&b, &s_env, &ep);
    CHECK(s_wait_count(&b.shutdown_calls, 1));
    CHECK_INT_EQ(1, (int)psrv_counters(&s).connections_refused);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_es_rs_rpc_server_listener_set_protection(s.listener, NULL));
    peer_connect(&c, &s_env, &ep);
    peer_handshake(&c);
    struct aws_es_rs_rpc_server_counters k = psrv_counters(&s);
    CHECK_INT_EQ(2, (int)k.live_connections);
    CHECK_INT_EQ(2, (int)k.connections_accepted);
    CHECK_INT_EQ(1, (int)k.connections_refused);
    CHECK_INT_EQ(2, s.new_conn_calls);
    peer_close(&a);
    peer_close(&b);
    peer_close(&c);
    psrv_stop(&s);
    rpc_endpoint_clean_up(&ep);
}

int main(void) {
    rpc_test_begin();
    rpc_env_init(&s_env, 2);
    RUN_TEST(test_handshake_timeout);
    RUN_TEST(test_idle_timeout);
    RUN_TEST(test_max_connections);
    RUN_TEST(test_max_streams);
    RUN_TEST(test_max_message_size);
    RUN_TEST(test_write_queue_cap);
    RUN_TEST(test_auto_ping);
    RUN_TEST(test_drain);
    RUN_TEST(test_drain_deadline);
    RUN_TEST(test_set_protection);
    rpc_env_clean_up(&s_env);
    return rpc_test_end();
}
