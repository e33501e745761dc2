/* The RPC client's CONNECT_ACK timeout (include/aws/event_stream_rs/rpc_client_ext.h)
 * on loopback: a client that never gets a CONNECT_ACK is shut down with
 * AWS_IO_SOCKET_TIMEOUT, one that does is not; NULL protection is upstream's
 * connect. */
#include <aws/event-stream/event_stream_rpc_client.h>
#include <aws/event_stream_rs/rpc_client_ext.h>

#include "rpc_server_harness.h"

struct cli {
    struct aws_event_stream_rpc_client_connection *conn;
    int setup_calls, setup_error;
    int acks;
    int shutdown_calls, shutdown_error;
    int terminated;
    int flushes, flush_error;
};

static void s_flushed(int error_code, void *user_data) {
    struct cli *c = user_data;
    aws_mutex_lock(&s_lock);
    c->flushes++;
    c->flush_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static struct rpc_env s_env;

static void s_setup(struct aws_event_stream_rpc_client_connection *conn, int error_code, void *user_data) {
    struct cli *c = user_data;
    if (conn) {
        aws_event_stream_rpc_client_connection_acquire(conn);
    }
    aws_mutex_lock(&s_lock);
    c->conn = conn;
    c->setup_calls++;
    c->setup_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_protocol(struct aws_event_stream_rpc_client_connection *conn,
                       const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    (void)conn;
    struct cli *c = user_data;
    aws_mutex_lock(&s_lock);
    c->acks += args->message_type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_shutdown(struct aws_event_stream_rpc_client_connection *conn, int error_code, void *user_data) {
    (void)conn;
    struct cli *c = user_data;
    aws_mutex_lock(&s_lock);
    c->shutdown_calls++;
    c->shutdown_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_terminated(void *user_data) {
    struct cli *c = user_data;
    aws_mutex_lock(&s_lock);
    c->terminated++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static bool s_connect(struct cli *c, struct rpc_endpoint *ep, uint64_t timeout_ms) {
    memset(c, 0, sizeof(*c));
    struct aws_event_stream_rpc_client_connection_options o = {
        .host_name = ep->host,
        .port = ep->port,
        .socket_options = &ep->socket_options,
        .bootstrap = s_env.client_bootstrap,
        .on_connection_setup = s_setup,
        .on_connection_protocol_message = s_protocol,
        .on_connection_shutdown = s_shutdown,
        .on_connection_terminated = s_terminated,
        .user_data = c,
    };
    struct aws_es_rs_rpc_client_protection_options p = {.connect_ack_timeout_ms = timeout_ms};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_es_rs_rpc_client_connection_connect_ext(s_alloc, &o, timeout_ms ? &p : NULL));
    CHECK(s_wait_count(&c->setup_calls, 1));
    CHECK_INT_EQ(0, c->setup_error);
    return c->conn != NULL;
}

static void s_send_connect(struct cli *c) {
    struct aws_byte_buf payload;
    struct aws_event_stream_rpc_message_args a = rpc_args(&payload, "{}", AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_rpc_client_connection_send_protocol_message(c->conn, &a, NULL, NULL));
}

static void s_release(struct cli *c) {
    aws_event_stream_rpc_client_connection_close(c->conn, AWS_ERROR_SUCCESS);
    CHECK(s_wait_count(&c->shutdown_calls, 1));
    aws_event_stream_rpc_client_connection_release(c->conn);
    CHECK(s_wait_count(&c->terminated, 1));
}

static void test_connect_ack_timeout(enum rpc_transport t) {
    struct srv silent = {0}, answering = {0};
    struct rpc_endpoint ep_silent, ep_answering;
    rpc_endpoint_init(&s_env, t, &ep_silent);
    rpc_endpoint_init(&s_env, t, &ep_answering);
    if (!srv_start(&silent, &s_env, &ep_silent) || !srv_start(&answering, &s_env, &ep_answering)) {
        return;
    }
    struct cli waiting, served;
    /* `served` sends CONNECT and gets its CONNECT_ACK; `waiting` never sends
     * CONNECT, so no CONNECT_ACK comes: only it times out. */
    if (s_connect(&served, &ep_answering, 200) && s_connect(&waiting, &ep_silent, 200)) {
        s_send_connect(&served);
        CHECK(s_wait_count(&served.acks, 1));
        CHECK(s_wait_count(&waiting.shutdown_calls, 1));
        aws_mutex_lock(&s_lock);
        CHECK_INT_EQ(AWS_IO_SOCKET_TIMEOUT, waiting.shutdown_error);
        CHECK_INT_EQ(0, served.shutdown_calls);
        aws_mutex_unlock(&s_lock);
        CHECK(!aws_event_stream_rpc_client_connection_is_open(waiting.conn));
        CHECK(aws_event_stream_rpc_client_connection_is_open(served.conn));
        struct aws_byte_buf payload;
        struct aws_event_stream_rpc_message_args ping =
            rpc_args(&payload, "", AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING, 0);
        /* As upstream, the client's send is checked on the loop: its flush reports the close. */
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_event_stream_rpc_client_connection_send_protocol_message(
                                         waiting.conn, &ping, s_flushed, &waiting));
        CHECK(s_wait_count(&waiting.flushes, 1));
        CHECK_INT_EQ(AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, waiting.flush_error);
        s_release(&waiting);
        s_release(&served);
    }
    srv_stop(&silent);
    srv_stop(&answering);
    rpc_endpoint_clean_up(&ep_silent);
    rpc_endpoint_clean_up(&ep_answering);
}

int main(void) {
    rpc_test_begin();
    rpc_env_init(&s_env, 2);
    RUN_ON_ALL_TRANSPORTS(test_connect_ack_timeout);
    rpc_env_clean_up(&s_env);
    return rpc_test_end();
}
