/* The RPC server (aws_event_stream_rpc_server_*) against a misbehaving peer
 * made of hand-encoded frames, on TCP v4, v6 and a Unix socket: handshake
 * rules, stream-id rules, the exact PROTOCOL_ERROR texts, continuation close
 * semantics from both sides and on shutdown, connection accessors, and that
 * every callback runs on the connection's event-loop thread. */
#include "rpc_raw_peer.h"
#include "rpc_server_harness.h"

static struct rpc_env s_env;

#define T_APP AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE
#define T_PING AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING
#define T_CONNECT AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT
#define F_TERMINATE AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM

/* A server on `t` and a connected peer. */
struct pair {
    struct rpc_endpoint ep;
    struct srv srv;
    struct raw_peer peer;
};

static bool s_pair_open(struct pair *p, enum rpc_transport t) {
    rpc_endpoint_init(&s_env, t, &p->ep);
    if (!srv_start(&p->srv, &s_env, &p->ep)) {
        return false;
    }
    if (!peer_connect(&p->peer, &s_env, &p->ep)) {
        return false;
    }
    CHECK(s_wait_count(&p->srv.new_conn_calls, 1));
    CHECK_INT_EQ(0, p->srv.new_conn_error);
    return p->srv.conn != NULL;
}

static void s_pair_close(struct pair *p) {
    peer_close(&p->peer);
    srv_stop(&p->srv);
    rpc_endpoint_clean_up(&p->ep);
}

/* A rule violation after an accepted handshake: `text` comes back, the server
 * shuts the connection down with AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR. */
static void s_expect_violation(struct pair *p, int index, const char *text) {
    peer_expect_protocol_error(&p->peer, index, text);
    CHECK(s_wait_count(&p->srv.shutdown_calls, 1));
    CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR, p->srv.shutdown_error);
    CHECK(!aws_event_stream_rpc_server_connection_is_open(p->srv.conn));
}

/* Handshake, a PING each way, then the server closes with an open stream. */
static void test_connect_flow_and_server_close(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        struct aws_event_stream_rpc_server_connection *conn = p.srv.conn;
        CHECK(aws_event_stream_rpc_server_connection_is_open(conn));

        /* Before the handshake the server may not send anything below CONNECT_ACK. */
        struct aws_byte_buf payload;
        struct aws_event_stream_rpc_message_args ping =
            rpc_args(&payload, "early", AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING, 0);
        CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_rpc_server_connection_send_protocol_message(conn, &ping, s_srv_flush,
                                                                                               &p.srv));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_PROTOCOL_ERROR, aws_last_error());

        peer_handshake(&p.peer);
        /* Set once on_new_connection has returned, so checked after the first message. */
        CHECK(aws_event_stream_rpc_server_connection_get_user_data(conn) == &p.srv);
        CHECK_INT_EQ(1, p.srv.protocol_messages);
        CHECK_INT_EQ(T_CONNECT, p.srv.protocol[0].type);
        CHECK_INT_EQ(0, p.peer.msgs[0].stream_id);

        peer_send(&p.peer, RPC_HDR_ALL, T_PING, 0, 0, NULL, "ping!");
        CHECK(s_wait_count(&p.srv.protocol_messages, 2));
        CHECK_INT_EQ(T_PING, p.srv.protocol[1].type);
        CHECK_STR_EQ("ping!", p.srv.protocol[1].payload);

        struct aws_event_stream_rpc_message_args pong =
            rpc_args(&payload, "pong!", AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE, 0);
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_event_stream_rpc_server_connection_send_protocol_message(conn, &pong, s_srv_flush, &p.srv));
        CHECK(s_wait_count(&p.peer.received, 2));
        CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE, p.peer.msgs[1].type);
        CHECK_INT_EQ(0, p.peer.msgs[1].stream_id);
        CHECK_STR_EQ("pong!", p.peer.msgs[1].payload);

        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, "op", "hello");
        CHECK(s_wait_count(&p.srv.streams[0].messages, 1));
        CHECK_STR_EQ("op", p.srv.streams[0].operation);
        CHECK_STR_EQ("hello", p.srv.streams[0].msgs[0].payload);

        aws_event_stream_rpc_server_connection_close(conn, AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED);
        CHECK(!aws_event_stream_rpc_server_connection_is_open(conn));
        CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_rpc_server_connection_send_protocol_message(conn, &pong, s_srv_flush,
                                                                                               &p.srv));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, aws_last_error());
        aws_event_stream_rpc_server_connection_close(conn, AWS_ERROR_UNKNOWN); /* no effect */
        CHECK(s_wait_count(&p.srv.shutdown_calls, 1));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, p.srv.shutdown_error);
        CHECK(s_wait_count(&p.peer.shutdown_calls, 1));
        aws_mutex_lock(&s_lock);
        CHECK_INT_EQ(1, p.srv.streams[0].closed_calls);
        CHECK(p.srv.streams[0].closed_seq < p.srv.shutdown_seq);
        CHECK_INT_EQ(2, p.srv.flushes); /* CONNECT_ACK and pong */
        CHECK_INT_EQ(0, p.srv.last_flush_error);
        CHECK_INT_EQ(0, p.srv.user_data_mismatch);
        aws_mutex_unlock(&s_lock);
    }
    s_pair_close(&p);
}

static void test_ping_before_connect(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_send(&p.peer, RPC_HDR_ALL, T_PING, 0, 0, NULL, "");
        s_expect_violation(&p, 0, RPC_ERR_CONNECT_NOT_COMPLETED);
        CHECK_INT_EQ(0, p.srv.protocol_messages);
    }
    s_pair_close(&p);
}

static void test_stream_before_connect(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, "op", "x");
        s_expect_violation(&p, 0, RPC_ERR_CONNECT_NOT_COMPLETED);
        CHECK_INT_EQ(0, p.srv.streams_count);
    }
    s_pair_close(&p);
}

static void test_second_connect(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_CONNECT, 0, 0, NULL, "");
        s_expect_violation(&p, 1, RPC_ERR_CONNECT_NOT_COMPLETED);
        CHECK_INT_EQ(1, p.srv.protocol_messages);
    }
    s_pair_close(&p);
}

/* The ack without the accepted flag is flushed, then the server hangs up. */
static void test_rejected_connect(enum rpc_transport t) {
    struct pair p = {0};
    p.srv.reject_connect = true;
    if (s_pair_open(&p, t)) {
        peer_send(&p.peer, RPC_HDR_ALL, T_CONNECT, 0, 0, NULL, "");
        CHECK(s_wait_count(&p.peer.received, 1));
        CHECK(s_wait_count(&p.peer.shutdown_calls, 1));
        CHECK(s_wait_count(&p.srv.shutdown_calls, 1));
        aws_mutex_lock(&s_lock);
        CHECK_INT_EQ(1, p.peer.received);
        CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK, p.peer.msgs[0].type);
        CHECK_INT_EQ(0, p.peer.msgs[0].flags);
        CHECK(p.peer.last_received_seq < p.peer.shutdown_seq);
        CHECK_INT_EQ(1, p.srv.flushes);
        CHECK_INT_EQ(AWS_ERROR_SUCCESS, p.srv.shutdown_error);
        aws_mutex_unlock(&s_lock);
    }
    s_pair_close(&p);
}

/* A closed stream's id may not be reused for a new message. */
static void test_lower_stream_id(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, "first", "a");
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, NULL, "b"); /* same open stream: fine */
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, F_TERMINATE, 1, NULL, "c");
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 2, "second", "d");
        CHECK(s_wait_count(&p.srv.streams[1].messages, 1));
        CHECK_INT_EQ(3, p.srv.streams[0].messages);
        CHECK_INT_EQ(1, p.srv.streams[0].closed_calls);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, NULL, "e");
        s_expect_violation(&p, 1, RPC_ERR_INVALID_CLIENT_STREAM_ID);
        CHECK_INT_EQ(2, p.srv.streams_count);
        CHECK_INT_EQ(3, p.srv.streams[0].messages);
    }
    s_pair_close(&p);
}

/* A new stream must take exactly the next id. */
static void test_skipped_stream_id(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 2, "op", "a");
        s_expect_violation(&p, 1, RPC_ERR_INVALID_NEW_CLIENT_STREAM_ID);
        CHECK_INT_EQ(0, p.srv.streams_count);
    }
    s_pair_close(&p);
}

/* override_last_stream_id moves the expected next id. */
static void test_override_last_stream_id(enum rpc_transport t) {
    struct pair p = {0};
    p.srv.override_last_stream = 41;
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 42, "op", "a");
        CHECK(s_wait_count(&p.srv.streams[0].messages, 1));
        CHECK_INT_EQ(42, p.srv.streams[0].msgs[0].stream_id);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, "op", "b"); /* now below the last id */
        s_expect_violation(&p, 1, RPC_ERR_INVALID_CLIENT_STREAM_ID);
    }
    s_pair_close(&p);
}

static void test_missing_operation(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, NULL, "a");
        s_expect_violation(&p, 1, RPC_ERR_MISSING_OPERATION);
        CHECK_INT_EQ(0, p.srv.streams_count);
    }
    s_pair_close(&p);
}

static void test_stream_id_on_protocol_message(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_PING, 0, 1, NULL, "");
        s_expect_violation(&p, 1, RPC_ERR_INVALID_STREAM_ID);
        CHECK_INT_EQ(1, p.srv.protocol_messages);
    }
    s_pair_close(&p);
}

static void test_missing_message_type(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_FLAGS | RPC_HDR_STREAM_ID, T_PING, 0, 0, NULL, "");
        s_expect_violation(&p, 1, RPC_ERR_INVALID_MESSAGE);
    }
    s_pair_close(&p);
}

static void test_unknown_message_type(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, 42, 0, 0, NULL, "");
        s_expect_violation(&p, 1, RPC_ERR_INVALID_MESSAGE_TYPE);
    }
    s_pair_close(&p);
}

/* Client TERMINATE_STREAM: the message is delivered, then the continuation
 * closes once; a second TERMINATE for it is ignored. */
static void test_client_terminate(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, "op", "a");
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, F_TERMINATE, 1, NULL, "bye");
        CHECK(s_wait_count(&p.srv.streams[0].closed_calls, 1));
        struct srv_stream *st = &p.srv.streams[0];
        CHECK_INT_EQ(2, st->messages);
        CHECK_INT_EQ(F_TERMINATE, st->msgs[1].flags);
        CHECK_STR_EQ("bye", st->msgs[1].payload);
        CHECK(aws_event_stream_rpc_server_continuation_is_closed(st->token));

        peer_send(&p.peer, RPC_HDR_ALL, T_APP, F_TERMINATE, 1, NULL, "again");
        peer_send(&p.peer, RPC_HDR_ALL, T_PING, 0, 0, NULL, "after");
        CHECK(s_wait_count(&p.srv.protocol_messages, 2));
        CHECK_STR_EQ("after", p.srv.protocol[1].payload);
        CHECK_INT_EQ(2, st->messages);
        CHECK_INT_EQ(1, st->closed_calls);
        CHECK(aws_event_stream_rpc_server_connection_is_open(p.srv.conn));
        CHECK_INT_EQ(1, p.peer.received);

        struct aws_byte_buf payload;
        struct aws_event_stream_rpc_message_args msg = rpc_args(&payload, "late", T_APP, 0);
        CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_rpc_server_continuation_send_message(st->token, &msg, s_srv_flush,
                                                                                        &p.srv));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED, aws_last_error());
    }
    s_pair_close(&p);
}

/* Server TERMINATE_STREAM: once flushed the continuation is closed (callback
 * once) and further sends fail. */
static void test_server_terminate(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, "op", "a");
        CHECK(s_wait_count(&p.srv.streams[0].messages, 1));
        struct srv_stream *st = &p.srv.streams[0];
        CHECK(!aws_event_stream_rpc_server_continuation_is_closed(st->token));

        struct aws_byte_buf payload;
        struct aws_event_stream_rpc_message_args reply = rpc_args(&payload, "reply", T_APP, 0);
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_event_stream_rpc_server_continuation_send_message(st->token, &reply, s_srv_flush, &p.srv));
        struct aws_event_stream_rpc_message_args done = rpc_args(&payload, "done", T_APP, F_TERMINATE);
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_event_stream_rpc_server_continuation_send_message(st->token, &done, s_srv_flush, &p.srv));
        CHECK(s_wait_count(&p.srv.flushes, 3));
        CHECK_INT_EQ(0, p.srv.last_flush_error);
        CHECK_INT_EQ(1, st->closed_calls);
        CHECK(aws_event_stream_rpc_server_continuation_is_closed(st->token));
        CHECK_INT_EQ(AWS_OP_ERR, aws_event_stream_rpc_server_continuation_send_message(st->token, &reply, s_srv_flush,
                                                                                        &p.srv));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_STREAM_CLOSED, aws_last_error());

        CHECK(s_wait_count(&p.peer.received, 3));
        CHECK_INT_EQ(T_APP, p.peer.msgs[1].type);
        CHECK_INT_EQ(1, p.peer.msgs[1].stream_id);
        CHECK_INT_EQ(0, p.peer.msgs[1].flags);
        CHECK_STR_EQ("reply", p.peer.msgs[1].payload);
        CHECK_INT_EQ(1, p.peer.msgs[2].stream_id);
        CHECK_INT_EQ(F_TERMINATE, p.peer.msgs[2].flags);
        CHECK_STR_EQ("done", p.peer.msgs[2].payload);

        /* The peer's simultaneous TERMINATE is ignored; the stream stays closed once. */
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, F_TERMINATE, 1, NULL, "");
        peer_send(&p.peer, RPC_HDR_ALL, T_PING, 0, 0, NULL, "");
        CHECK(s_wait_count(&p.srv.protocol_messages, 2));
        CHECK_INT_EQ(1, st->messages);
        CHECK_INT_EQ(1, st->closed_calls);
    }
    s_pair_close(&p);
}

/* The peer hangs up with streams open: each closes exactly once, before the
 * connection's shutdown callback; an already terminated one does not again. */
static void test_peer_hangup_closes_streams(enum rpc_transport t) {
    struct pair p = {0};
    if (s_pair_open(&p, t)) {
        peer_handshake(&p.peer);
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 1, "one", "");
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 2, "two", "");
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, F_TERMINATE, 2, NULL, "");
        peer_send(&p.peer, RPC_HDR_ALL, T_APP, 0, 3, "three", "");
        CHECK(s_wait_count(&p.srv.streams[2].messages, 1));
        CHECK_INT_EQ(1, p.srv.streams[1].closed_calls);
        peer_close(&p.peer);
        CHECK(s_wait_count(&p.srv.shutdown_calls, 1));
        aws_mutex_lock(&s_lock);
        for (int i = 0; i < 3; ++i) {
            CHECK_INT_EQ(1, p.srv.streams[i].closed_calls);
            CHECK(p.srv.streams[i].closed_seq < p.srv.shutdown_seq);
        }
        CHECK_INT_EQ(3, p.srv.closed_before_shutdown);
        aws_mutex_unlock(&s_lock);
        CHECK(!aws_event_stream_rpc_server_connection_is_open(p.srv.conn));
    }
    s_pair_close(&p);
}

int main(void) {
    rpc_test_begin();
    rpc_env_init(&s_env, 2);
    RUN_ON_ALL_TRANSPORTS(test_connect_flow_and_server_close);
    RUN_ON_ALL_TRANSPORTS(test_ping_before_connect);
    RUN_ON_ALL_TRANSPORTS(test_stream_before_connect);
    RUN_ON_ALL_TRANSPORTS(test_second_connect);
    RUN_ON_ALL_TRANSPORTS(test_rejected_connect);
    RUN_ON_ALL_TRANSPORTS(test_lower_stream_id);
    RUN_ON_ALL_TRANSPORTS(test_skipped_stream_id);
    RUN_ON_ALL_TRANSPORTS(test_override_last_stream_id);
    RUN_ON_ALL_TRANSPORTS(test_missing_operation);
    RUN_ON_ALL_TRANSPORTS(test_stream_id_on_protocol_message);
    RUN_ON_ALL_TRANSPORTS(test_missing_message_type);
    RUN_ON_ALL_TRANSPORTS(test_unknown_message_type);
    RUN_ON_ALL_TRANSPORTS(test_client_terminate);
    RUN_ON_ALL_TRANSPORTS(test_server_terminate);
    RUN_ON_ALL_TRANSPORTS(test_peer_hangup_closes_streams);
    rpc_env_clean_up(&s_env);
    return rpc_test_end();
}
