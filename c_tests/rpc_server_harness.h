/* An RPC server on the library's listener that records every callback (count,
 * order, thread) and answers CONNECT with a CONNECT_ACK (accepted or not).
 * Continuations are acquired on arrival so tests can use them after close. */
#ifndef C_TESTS_RPC_SERVER_HARNESS_H
#define C_TESTS_RPC_SERVER_HARNESS_H

#include <aws/event-stream/event_stream_rpc_server.h>

#include "rpc_test_util.h"

/* Exported by upstream but declared only in its source file. */
AWS_EVENT_STREAM_API void aws_event_stream_rpc_server_override_last_stream_id(
    struct aws_event_stream_rpc_server_connection *connection, int32_t value);

#define SRV_MAX_STREAMS 8
#define SRV_MAX_MSGS 16

struct srv;

struct srv_stream {
    struct srv *srv;
    struct aws_event_stream_rpc_server_continuation_token *token;
    char operation[64];
    int messages;
    struct rpc_msg msgs[SRV_MAX_MSGS];
    int closed_calls;
    int closed_seq;
};

struct srv {
    struct rpc_env *env;
    struct aws_event_stream_rpc_server_listener *listener;
    /* knobs, set before connecting */
    bool reject_connect;           /* CONNECT_ACK without the accepted flag */
    int32_t override_last_stream;  /* > 0: applied when CONNECT arrives */
    bool echo;                     /* answer each stream message with its payload */
    /* the (single) connection */
    struct aws_event_stream_rpc_server_connection *conn;
    struct aws_event_loop *conn_loop;
    int new_conn_calls, new_conn_error;
    int shutdown_calls, shutdown_error, shutdown_seq;
    int destroy_calls, destroy_seq;
    int wrong_thread;
    int user_data_mismatch;
    int protocol_messages;
    struct rpc_msg protocol[SRV_MAX_MSGS];
    int streams_count;
    struct srv_stream streams[SRV_MAX_STREAMS];
    int closed_before_shutdown; /* continuation closes seen before on_connection_shutdown */
    int flushes, last_flush_error;
};

static void s_srv_check_thread(struct srv *s) {
    bool ok = s->conn_loop ? aws_event_loop_thread_is_callers_thread(s->conn_loop) : s_on_group_thread(s->env);
    s->wrong_thread += !ok;
}

static void s_srv_flush(int error_code, void *user_data) {
    struct srv *s = user_data;
    aws_mutex_lock(&s_lock);
    s_srv_check_thread(s);
    s->flushes++;
    s->last_flush_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_srv_on_continuation(struct aws_event_stream_rpc_server_continuation_token *token,
                                  const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct srv_stream *st = user_data;
    struct srv *s = st->srv;
    aws_mutex_lock(&s_lock);
    s_srv_check_thread(s);
    s->wrong_thread += token != st->token;
    if (st->messages < SRV_MAX_MSGS) {
        rpc_msg_from_args(&st->msgs[st->messages], args);
    }
    st->messages++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    if (s->echo && !(args->message_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM)) {
        struct aws_event_stream_rpc_message_args reply = {
            .payload = args->payload,
            .message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE,
        };
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_rpc_server_continuation_send_message(token, &reply, s_srv_flush, s));
    }
}

static void s_srv_on_continuation_closed(struct aws_event_stream_rpc_server_continuation_token *token,
                                         void *user_data) {
    struct srv_stream *st = user_data;
    struct srv *s = st->srv;
    aws_mutex_lock(&s_lock);
    s_srv_check_thread(s);
    s->wrong_thread += token != st->token;
    st->closed_calls++;
    st->closed_seq = ++s_seq;
    if (s->shutdown_calls == 0) {
        s->closed_before_shutdown++;
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static int s_srv_on_incoming_stream(struct aws_event_stream_rpc_server_connection *connection,
                                    struct aws_event_stream_rpc_server_continuation_token *token,
                                    struct aws_byte_cursor operation_name,
                                    struct aws_event_stream_rpc_server_stream_continuation_options *options,
                                    void *user_data) {
    struct srv *s = user_data;
    aws_mutex_lock(&s_lock);
    s_srv_check_thread(s);
    s->wrong_thread += connection != s->conn;
    if (s->streams_count >= SRV_MAX_STREAMS) {
        aws_mutex_unlock(&s_lock);
        return aws_raise_error(AWS_ERROR_INVALID_STATE);
    }
    struct srv_stream *st = &s->streams[s->streams_count++];
    st->srv = s;
    st->token = token;
    size_t n = operation_name.len < sizeof(st->operation) - 1 ? operation_name.len : sizeof(st->operation) - 1;
    memcpy(st->operation, operation_name.ptr, n);
    st->operation[n] = '\0';
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    aws_event_stream_rpc_server_continuation_acquire(token);
    options->on_continuation = s_srv_on_continuation;
    options->on_continuation_closed = s_srv_on_continuation_closed;
    options->user_data = st;
    return AWS_OP_SUCCESS;
}

static void s_srv_on_protocol_message(struct aws_event_stream_rpc_server_connection *connection,
                                      const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct srv *s = user_data;
    aws_mutex_lock(&s_lock);
    s_srv_check_thread(s);
    s->wrong_thread += connection != s->conn;
    if (s->protocol_messages < SRV_MAX_MSGS) {
        rpc_msg_from_args(&s->protocol[s->protocol_messages], args);
    }
    s->protocol_messages++;
    s->user_data_mismatch += aws_event_stream_rpc_server_connection_get_user_data(connection) != s;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    if (args->message_type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT) {
        if (s->override_last_stream > 0) {
            aws_event_stream_rpc_server_override_last_stream_id(connection, s->override_last_stream);
        }
        struct aws_byte_buf empty;
        struct aws_event_stream_rpc_message_args ack =
            rpc_args(&empty, "", AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK,
                     s->reject_connect ? 0 : AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED);
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_event_stream_rpc_server_connection_send_protocol_message(connection, &ack, s_srv_flush, s));
    }
}

static int s_srv_on_new_connection(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                                   struct aws_event_stream_rpc_connection_options *options, void *user_data) {
    struct srv *s = user_data;
    aws_mutex_lock(&s_lock);
    s->wrong_thread += !s_on_group_thread(s->env);
    s->new_conn_calls++;
    s->new_conn_error = error_code;
    if (connection && !s->conn) {
        s->conn = connection;
        s->conn_loop = s_current_loop(s->env);
        aws_event_stream_rpc_server_connection_acquire(connection);
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    options->on_incoming_stream = s_srv_on_incoming_stream;
    options->on_connection_protocol_message = s_srv_on_protocol_message;
    options->user_data = s;
    return AWS_OP_SUCCESS;
}

static void s_srv_on_connection_shutdown(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                                         void *user_data) {
    struct srv *s = user_data;
    aws_mutex_lock(&s_lock);
    s_srv_check_thread(s);
    s->wrong_thread += connection != s->conn;
    s->shutdown_calls++;
    s->shutdown_error = error_code;
    s->shutdown_seq = ++s_seq;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_srv_on_destroy(struct aws_event_stream_rpc_server_listener *listener, void *user_data) {
    struct srv *s = user_data;
    aws_mutex_lock(&s_lock);
    s->wrong_thread += !s_on_group_thread(s->env);
    s->wrong_thread += listener != s->listener;
    s->destroy_calls++;
    s->destroy_seq = ++s_seq;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

/* Starts the listener on `ep` (port 0 = any; the bound port is written back). */
static bool srv_start(struct srv *s, struct rpc_env *env, struct rpc_endpoint *ep) {
    s->env = env;
    struct aws_event_stream_rpc_server_listener_options options = {
        .host_name = ep->host,
        .port = ep->port,
        .socket_options = &ep->socket_options,
        .bootstrap = env->server_bootstrap,
        .on_new_connection = s_srv_on_new_connection,
        .on_connection_shutdown = s_srv_on_connection_shutdown,
        .on_destroy_callback = s_srv_on_destroy,
        .user_data = s,
    };
    s->listener = aws_event_stream_rpc_server_new_listener(s_alloc, &options);
    CHECK(s->listener != NULL);
    if (!s->listener) {
        fprintf(stderr, "listener on %s failed: %s\n", ep->host, aws_error_name(aws_last_error()));
        return false;
    }
    if (ep->socket_options.domain != AWS_SOCKET_LOCAL) {
        ep->port = aws_event_stream_rpc_server_listener_get_bound_port(s->listener);
        CHECK(ep->port > 0 && ep->port < 65536);
    }
    return true;
}

/* Drops the test's references (streams, connection, listener) and waits for
 * the listener's destroy callback, which must come after the connection's
 * shutdown callback (if there was a connection). */
static void srv_stop(struct srv *s) {
    if (!s->listener) {
        return;
    }
    if (s->conn) {
        CHECK(s_wait_count(&s->shutdown_calls, 1));
    }
    for (int i = 0; i < s->streams_count; ++i) {
        aws_event_stream_rpc_server_continuation_release(s->streams[i].token);
    }
    if (s->conn) {
        aws_event_stream_rpc_server_connection_release(s->conn);
    }
    aws_event_stream_rpc_server_listener_release(s->listener);
    CHECK(s_wait_count(&s->destroy_calls, 1));
    aws_mutex_lock(&s_lock);
    CHECK_INT_EQ(1, s->destroy_calls);
    if (s->conn) {
        CHECK_INT_EQ(1, s->shutdown_calls);
        CHECK(s->shutdown_seq < s->destroy_seq);
    }
    CHECK_INT_EQ(0, s->wrong_thread);
    for (int i = 0; i < s->streams_count; ++i) {
        CHECK_INT_EQ(1, s->streams[i].closed_calls);
    }
    aws_mutex_unlock(&s_lock);
}

#endif
