/* The RPC client (aws_event_stream_rpc_client_*) against the library's RPC
 * server on TCP v4, v6 and a Unix socket: setup/shutdown/terminated callbacks,
 * the CONNECT/CONNECT_ACK handshake, stream activation and ids, sends on
 * closed or unactivated streams, TERMINATE_STREAM from both sides, a server
 * PROTOCOL_ERROR, the server hanging up, and a refused connect. */
#include <aws/event-stream/event_stream_rpc_client.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include "rpc_server_harness.h"

#define T_APP AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE
#define F_TERMINATE AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM
#define CLI_MAX_MSGS 8

static struct rpc_env s_env;

struct cli {
    struct aws_event_stream_rpc_client_connection *conn;
    struct aws_event_loop *loop;
    int setup_calls, setup_error;
    int shutdown_calls, shutdown_error, shutdown_seq;
    int terminated_calls;
    int protocol_messages;
    struct rpc_msg protocol[CLI_MAX_MSGS];
    int flushes, last_flush_error;
    int wrong_thread;
};

struct cli_stream {
    struct cli *cli;
    struct aws_event_stream_rpc_client_continuation_token *token;
    int messages;
    struct rpc_msg msgs[CLI_MAX_MSGS];
    int closed_calls, closed_seq;
    int terminated_calls;
};

static void s_cli_check_thread(struct cli *c) {
    bool ok = c->loop ? aws_event_loop_thread_is_callers_thread(c->loop) : s_on_group_thread(&s_env);
    c->wrong_thread += !ok;
}

static void s_cli_flush(int error_code, void *user_data) {
    struct cli *c = user_data;
    aws_mutex_lock(&s_lock);
    s_cli_check_thread(c);
    c->flushes++;
    c->last_flush_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_cli_setup(struct aws_event_stream_rpc_client_connection *connection, int error_code, void *user_data) {
    struct cli *c = user_data;
    aws_mutex_lock(&s_lock);
    if (connection) {
        /* Upstream's rule: the user takes its reference here. */
        aws_event_stream_rpc_client_connection_acquire(connection);
        c->conn = connection;
        c->loop = aws_event_stream_rpc_client_connection_get_event_loop(connection);
        c->wrong_thread += c->loop == NULL;
    }
    s_cli_check_thread(c);
    c->setup_calls++;
    c->setup_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_cli_shutdown(struct aws_event_stream_rpc_client_connection *connection, int error_code,
                           void *user_data) {
    struct cli *c = user_data;
    aws_mutex_lock(&s_lock);
    s_cli_check_thread(c);
    c->wrong_thread += connection != c->conn;
    c->shutdown_calls++;
    c->shutdown_error = error_code;
    c->shutdown_seq = ++s_seq;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_cli_terminated(void *user_data) {
    s_locked_bump(&((struct cli *)user_data)->terminated_calls);
}

static void s_cli_protocol(struct aws_event_stream_rpc_client_connection *connection,
                           const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct cli *c = user_data;
    aws_mutex_lock(&s_lock);
    s_cli_check_thread(c);
    c->wrong_thread += connection != c->conn;
    if (c->protocol_messages < CLI_MAX_MSGS) {
        rpc_msg_from_args(&c->protocol[c->protocol_messages], args);
    }
    c->protocol_messages++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_stream_message(struct aws_event_stream_rpc_client_continuation_token *token,
                             const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct cli_stream *st = user_data;
    aws_mutex_lock(&s_lock);
    s_cli_check_thread(st->cli);
    st->cli->wrong_thread += token != st->token;
    if (st->messages < CLI_MAX_MSGS) {
        rpc_msg_from_args(&st->msgs[st->messages], args);
    }
    st->messages++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_stream_closed(struct aws_event_stream_rpc_client_continuation_token *token, void *user_data) {
    struct cli_stream *st = user_data;
    aws_mutex_lock(&s_lock);
    s_cli_check_thread(st->cli);
    st->cli->wrong_thread += token != st->token;
    st->closed_calls++;
    st->closed_seq = ++s_seq;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_stream_terminated(void *user_data) {
    s_locked_bump(&((struct cli_stream *)user_data)->terminated_calls);
}

static void s_stream_new(struct cli *c, struct cli_stream *st) {
    st->cli = c;
    struct aws_event_stream_rpc_client_stream_continuation_options options = {
        .on_continuation = s_stream_message,
        .on_continuation_closed = s_stream_closed,
        .on_continuation_terminated = s_stream_terminated,
        .user_data = st,
    };
    st->token = aws_event_stream_rpc_client_connection_new_stream(c->conn, &options);
    CHECK(st->token != NULL);
    CHECK(aws_event_stream_rpc_client_continuation_get_user_data(st->token) == st);
    CHECK(!aws_event_stream_rpc_client_continuation_is_closed(st->token));
}

static int s_activate(struct cli_stream *st, const char *operation, const char *payload) {
    struct aws_byte_buf body;
    struct aws_event_stream_rpc_message_args args = rpc_args(&body, payload, T_APP, 0);
    return aws_event_stream_rpc_client_continuation_activate(st->token, aws_byte_cursor_from_c_str(operation), &args,
                                                             s_cli_flush, st->cli);
}

static int s_stream_send(struct cli_stream *st, const char *payload, uint32_t flags) {
    struct aws_byte_buf body;
    struct aws_event_stream_rpc_message_args args = rpc_args(&body, payload, T_APP, flags);
    return aws_event_stream_rpc_client_continuation_send_message(st->token, &args, s_cli_flush, st->cli);
}

static int s_connect(struct cli *c, struct rpc_endpoint *ep) {
    struct aws_event_stream_rpc_client_connection_options options = {
        .host_name = ep->host,
        .port = ep->port,
        .socket_options = &ep->socket_options,
        .bootstrap = s_env.client_bootstrap,
        .on_connection_setup = s_cli_setup,
        .on_connection_protocol_message = s_cli_protocol,
        .on_connection_shutdown = s_cli_shutdown,
        .on_connection_terminated = s_cli_terminated,
        .user_data = c,
    };
    return aws_event_stream_rpc_client_connection_connect(s_alloc, &options);
}

static void s_send_protocol(struct cli *c, enum aws_event_stream_rpc_message_type type) {
    struct aws_byte_buf body;
    struct aws_event_stream_rpc_message_args args = rpc_args(&body, "", type, 0);
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_event_stream_rpc_client_connection_send_protocol_message(c->conn, &args, s_cli_flush, c));
}

/* Connects to a fresh server on `t`; true once the client is set up. */
static bool s_open(enum rpc_transport t, struct rpc_endpoint *ep, struct srv *s, struct cli *c) {
    rpc_endpoint_init(&s_env, t, ep);
    s->echo = true;
    if (!srv_start(s, &s_env, ep)) {
        return false;
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect(c, ep));
    CHECK(s_wait_count(&c->setup_calls, 1));
    CHECK_INT_EQ(0, c->setup_error);
    CHECK(s_wait_count(&s->new_conn_calls, 1));
    return c->conn != NULL && s->conn != NULL;
}

/* CONNECT, then the accepted CONNECT_ACK reaches the protocol callback. */
static void s_handshake(struct cli *c) {
    s_send_protocol(c, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT);
    CHECK(s_wait_count(&c->protocol_messages, 1));
    CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK, c->protocol[0].type);
    CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED, c->protocol[0].flags);
}

/* Drops the client's references; the terminated callback follows the last one. */
static void s_close(struct cli *c, struct srv *s, struct rpc_endpoint *ep, struct cli_stream *streams, int n) {
    for (int i = 0; i < n; ++i) {
        if (streams[i].token) {
            aws_event_stream_rpc_client_continuation_release(streams[i].token);
            CHECK(s_wait_count(&streams[i].terminated_calls, 1));
        }
    }
    if (c->conn) {
        aws_event_stream_rpc_client_connection_close(c->conn, AWS_ERROR_SUCCESS);
        CHECK(s_wait_count(&c->shutdown_calls, 1));
        aws_event_stream_rpc_client_connection_release(c->conn);
        CHECK(s_wait_count(&c->terminated_calls, 1));
    }
    srv_stop(s);
    rpc_endpoint_clean_up(ep);
    CHECK_INT_EQ(0, c->wrong_thread);
}

static void test_streams(enum rpc_transport t) {
    struct rpc_endpoint ep;
    struct srv s = {0};
    struct cli c = {0};
    struct cli_stream st[4] = {{0}};
    if (s_open(t, &ep, &s, &c)) {
        CHECK(aws_event_stream_rpc_client_connection_is_open(c.conn));
        s_stream_new(&c, &st[0]);
        /* No stream before the CONNECT_ACK. */
        CHECK_INT_EQ(AWS_OP_ERR, s_activate(&st[0], "early", "x"));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, aws_last_error());

        s_handshake(&c);
        CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, s.protocol[0].type);

        CHECK_INT_EQ(AWS_OP_SUCCESS, s_activate(&st[0], "echo", "one"));
        CHECK_INT_EQ(AWS_OP_ERR, s_activate(&st[0], "echo", "twice"));
        CHECK_INT_EQ(AWS_ERROR_INVALID_STATE, aws_last_error());
        s_stream_new(&c, &st[1]);
        s_stream_new(&c, &st[2]);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_activate(&st[1], "second", "two"));
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_activate(&st[2], "third", "three"));
        CHECK(s_wait_count(&st[2].messages, 1));
        CHECK(s_wait_count(&st[0].messages, 1));
        CHECK(s_wait_count(&st[1].messages, 1));
        CHECK_INT_EQ(3, s.streams_count);
        const char *ops[] = {"echo", "second", "third"};
        const char *payloads[] = {"one", "two", "three"};
        for (int i = 0; i < 3; ++i) {
            /* Ids grow by exactly one, in activation order, on the wire both ways. */
            CHECK_STR_EQ(ops[i], s.streams[i].operation);
            CHECK_INT_EQ(i + 1, s.streams[i].msgs[0].stream_id);
            CHECK_STR_EQ(ops[i], s.streams[i].msgs[0].operation);
            CHECK_INT_EQ(i + 1, st[i].msgs[0].stream_id);
            CHECK_STR_EQ(payloads[i], st[i].msgs[0].payload);
            CHECK_INT_EQ(T_APP, st[i].msgs[0].type);
            CHECK_INT_EQ(0, st[i].msgs[0].flags);
        }

        /* A stream never activated cannot send. */
        s_stream_new(&c, &st[3]);
        CHECK_INT_EQ(AWS_OP_ERR, s_stream_send(&st[3], "x", 0));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_NOT_ACTIVATED, aws_last_error());

        /* Client TERMINATE_STREAM on stream 1. */
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_stream_send(&st[0], "more", 0));
        CHECK(s_wait_count(&st[0].messages, 2));
        CHECK_STR_EQ("more", st[0].msgs[1].payload);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_stream_send(&st[0], "end", F_TERMINATE));
        CHECK(s_wait_count(&st[0].closed_calls, 1));
        CHECK(aws_event_stream_rpc_client_continuation_is_closed(st[0].token));
        CHECK(s_wait_count(&s.streams[0].closed_calls, 1));
        CHECK_INT_EQ(F_TERMINATE, s.streams[0].msgs[2].flags);
        CHECK_STR_EQ("end", s.streams[0].msgs[2].payload);
        CHECK_INT_EQ(AWS_OP_ERR, s_stream_send(&st[0], "after", 0));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED, aws_last_error());

        /* Server TERMINATE_STREAM on stream 2. */
        struct aws_byte_buf body;
        struct aws_event_stream_rpc_message_args bye = rpc_args(&body, "bye", T_APP, F_TERMINATE);
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_event_stream_rpc_server_continuation_send_message(s.streams[1].token, &bye, s_srv_flush, &s));
        CHECK(s_wait_count(&st[1].closed_calls, 1));
        CHECK_INT_EQ(2, st[1].messages);
        CHECK_INT_EQ(F_TERMINATE, st[1].msgs[1].flags);
        CHECK_STR_EQ("bye", st[1].msgs[1].payload);
        CHECK(aws_event_stream_rpc_client_continuation_is_closed(st[1].token));
        CHECK_INT_EQ(AWS_OP_ERR, s_stream_send(&st[1], "after", 0));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED, aws_last_error());

        /* Closing the connection closes stream 3 once, before the shutdown callback. */
        aws_event_stream_rpc_client_connection_close(c.conn, AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED);
        CHECK(!aws_event_stream_rpc_client_connection_is_open(c.conn));
        CHECK(s_wait_count(&c.shutdown_calls, 1));
        aws_mutex_lock(&s_lock);
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, c.shutdown_error);
        CHECK_INT_EQ(1, st[2].closed_calls);
        CHECK(st[2].closed_seq < c.shutdown_seq);
        for (int i = 0; i < 3; ++i) {
            CHECK_INT_EQ(1, st[i].closed_calls);
        }
        CHECK_INT_EQ(0, st[3].closed_calls);
        aws_mutex_unlock(&s_lock);
        CHECK_INT_EQ(AWS_OP_ERR, s_activate(&st[3], "late", "x"));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, aws_last_error());
    }
    s_close(&c, &s, &ep, st, 4);
    CHECK_INT_EQ(1, c.setup_calls);
    CHECK_INT_EQ(1, c.shutdown_calls);
    CHECK_INT_EQ(1, c.terminated_calls);
}

/* A PROTOCOL_ERROR from the server reaches the protocol callback; the server
 * hanging up then shuts the client down with the socket's error. */
static void test_server_protocol_error_and_hangup(enum rpc_transport t) {
    struct rpc_endpoint ep;
    struct srv s = {0};
    struct cli c = {0};
    struct cli_stream st[1] = {{0}};
    if (s_open(t, &ep, &s, &c)) {
        s_handshake(&c);
        s_stream_new(&c, &st[0]);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_activate(&st[0], "op", "x"));
        CHECK(s_wait_count(&st[0].messages, 1));

        struct aws_event_stream_header_value_pair content_type =
            aws_event_stream_create_string_header(aws_byte_cursor_from_c_str(":content-type"),
                                                  aws_byte_cursor_from_c_str("application/json"));
        struct aws_byte_buf body = aws_byte_buf_from_c_str("{ \"message\": \"test\" }");
        struct aws_event_stream_rpc_message_args err = {
            .headers = &content_type,
            .headers_count = 1,
            .payload = &body,
            .message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR,
        };
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_event_stream_rpc_server_connection_send_protocol_message(s.conn, &err, s_srv_flush, &s));
        CHECK(s_wait_count(&c.protocol_messages, 2));
        CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR, c.protocol[1].type);
        CHECK_INT_EQ(0, c.protocol[1].stream_id);
        CHECK_STR_EQ("application/json", c.protocol[1].content_type);
        CHECK_STR_EQ("{ \"message\": \"test\" }", c.protocol[1].payload);

        aws_event_stream_rpc_server_connection_close(s.conn, AWS_ERROR_SUCCESS);
        CHECK(s_wait_count(&c.shutdown_calls, 1));
        aws_mutex_lock(&s_lock);
        CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, c.shutdown_error);
        CHECK_INT_EQ(1, st[0].closed_calls);
        CHECK(st[0].closed_seq < c.shutdown_seq);
        aws_mutex_unlock(&s_lock);
        CHECK(!aws_event_stream_rpc_client_connection_is_open(c.conn));
    }
    s_close(&c, &s, &ep, st, 1);
}

/* Only CONNECT may go first: anything else fails its flush and kills the connection. */
static void test_client_message_before_connect(enum rpc_transport t) {
    struct rpc_endpoint ep;
    struct srv s = {0};
    struct cli c = {0};
    if (s_open(t, &ep, &s, &c)) {
        s_send_protocol(&c, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING);
        CHECK(s_wait_count(&c.flushes, 1));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR, c.last_flush_error);
        CHECK(s_wait_count(&c.shutdown_calls, 1));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR, c.shutdown_error);
        CHECK_INT_EQ(0, s.protocol_messages);
    }
    s_close(&c, &s, &ep, NULL, 0);
}

/* A bound socket that does not listen: connecting to it is refused at once. */
static int s_bind_not_listening(struct rpc_endpoint *ep) {
    int fd = -1;
    if (ep->socket_options.domain == AWS_SOCKET_IPV4) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0);
        ep->port = ntohs(a.sin_port);
    } else if (ep->socket_options.domain == AWS_SOCKET_IPV6) {
        struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        socklen_t len = sizeof(a);
        fd = socket(AF_INET6, SOCK_STREAM, 0);
        CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0);
        ep->port = ntohs(a.sin6_port);
    } else {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path, sizeof(a.sun_path), "%s", ep->host);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
    }
    return fd;
}

/* TCP reports the refusal through the setup callback; a Unix connect() is
 * refused synchronously, so upstream fails the call itself with the same code
 * and never calls setup. Either way the connection object is torn down. */
static void test_refused(enum rpc_transport t) {
    struct rpc_endpoint ep;
    struct cli c = {0};
    rpc_endpoint_init(&s_env, t, &ep);
    int fd = s_bind_not_listening(&ep);
    int rc = s_connect(&c, &ep);
    if (t == RPC_UNIX) {
        CHECK_INT_EQ(AWS_OP_ERR, rc);
        CHECK_INT_EQ(AWS_IO_SOCKET_CONNECTION_REFUSED, aws_last_error());
    } else {
        CHECK_INT_EQ(AWS_OP_SUCCESS, rc);
        CHECK(s_wait_count(&c.setup_calls, 1));
    }
    CHECK(s_wait_count(&c.terminated_calls, 1));
    aws_mutex_lock(&s_lock);
    CHECK_INT_EQ(t == RPC_UNIX ? 0 : 1, c.setup_calls);
    if (t != RPC_UNIX) {
        CHECK_INT_EQ(AWS_IO_SOCKET_CONNECTION_REFUSED, c.setup_error);
    }
    CHECK(c.conn == NULL);
    CHECK_INT_EQ(0, c.shutdown_calls);
    CHECK_INT_EQ(1, c.terminated_calls);
    CHECK_INT_EQ(0, c.wrong_thread);
    aws_mutex_unlock(&s_lock);
    close(fd);
    rpc_endpoint_clean_up(&ep);
}

int main(void) {
    rpc_test_begin();
    rpc_env_init(&s_env, 2);
    RUN_ON_ALL_TRANSPORTS(test_streams);
    RUN_ON_ALL_TRANSPORTS(test_server_protocol_error_and_hangup);
    RUN_ON_ALL_TRANSPORTS(test_client_message_before_connect);
    RUN_ON_ALL_TRANSPORTS(test_refused);
    rpc_env_clean_up(&s_env);
    return rpc_test_end();
}
