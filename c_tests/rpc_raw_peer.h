/* A misbehaving RPC peer: a plain client-bootstrap channel with an
 * aws_event_stream_channel_handler on top, writing hand-encoded messages and
 * recording every message (decoded copy) it receives. */
#ifndef C_TESTS_RPC_RAW_PEER_H
#define C_TESTS_RPC_RAW_PEER_H

#include "rpc_test_util.h"

#define PEER_MAX_MSGS 16

struct raw_peer {
    struct rpc_env *env;
    struct aws_channel *channel;
    struct aws_channel_handler *handler;
    int setup_calls, setup_error;
    int shutdown_calls, shutdown_error, shutdown_seq;
    int received;
    int last_received_seq;
    struct rpc_msg msgs[PEER_MAX_MSGS];
    int receive_errors;
    int written, write_errors;
    int wrong_thread;
};

struct raw_peer_write {
    struct raw_peer *peer;
    struct aws_event_stream_message message;
};

static void s_peer_on_message(struct aws_event_stream_message *message, int error_code, void *user_data) {
    struct raw_peer *p = user_data;
    aws_mutex_lock(&s_lock);
    p->wrong_thread += !aws_channel_thread_is_callers_thread(p->channel);
    if (error_code) {
        p->receive_errors++;
    } else {
        if (p->received < PEER_MAX_MSGS) {
            rpc_msg_from_message(&p->msgs[p->received], message);
        }
        p->received++;
        p->last_received_seq = ++s_seq;
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_peer_on_written(struct aws_event_stream_message *message, int error_code, void *user_data) {
    struct raw_peer_write *w = user_data;
    struct raw_peer *p = w->peer;
    (void)message;
    aws_event_stream_message_clean_up(&w->message);
    aws_mem_release(s_alloc, w);
    aws_mutex_lock(&s_lock);
    p->wrong_thread += !aws_channel_thread_is_callers_thread(p->channel);
    p->written++;
    p->write_errors += error_code != 0;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_peer_setup(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                         void *user_data) {
    (void)bootstrap;
    struct raw_peer *p = user_data;
    if (!error_code) {
        p->channel = channel;
        /* Keeps the channel (destroyed by the bootstrap after shutdown) valid until peer_close. */
        aws_channel_acquire_hold(channel);
        struct aws_event_stream_channel_handler_options options = {
            .on_message_received = s_peer_on_message,
            .user_data = p,
        };
        p->handler = aws_event_stream_channel_handler_new(s_alloc, &options);
        struct aws_channel_slot *slot = aws_channel_slot_new(channel);
        aws_channel_slot_insert_end(channel, slot);
        if (aws_channel_slot_set_handler(slot, p->handler)) {
            aws_channel_shutdown(channel, aws_last_error());
        }
    }
    aws_mutex_lock(&s_lock);
    p->wrong_thread += !s_on_group_thread(p->env);
    p->setup_calls++;
    p->setup_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_peer_shutdown(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                            void *user_data) {
    (void)bootstrap;
    struct raw_peer *p = user_data;
    aws_mutex_lock(&s_lock);
    p->wrong_thread += !aws_channel_thread_is_callers_thread(channel);
    p->shutdown_calls++;
    p->shutdown_error = error_code;
    p->shutdown_seq = ++s_seq;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

/* Connects and waits (bounded) for setup; true on success. */
static bool peer_connect(struct raw_peer *p, struct rpc_env *env, struct rpc_endpoint *ep) {
    AWS_ZERO_STRUCT(*p);
    p->env = env;
    struct aws_socket_channel_bootstrap_options options = {
        .bootstrap = env->client_bootstrap,
        .host_name = ep->host,
        .port = ep->port,
        .socket_options = &ep->socket_options,
        .setup_callback = s_peer_setup,
        .shutdown_callback = s_peer_shutdown,
        .user_data = p,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&options));
    CHECK(s_wait_count(&p->setup_calls, 1));
    CHECK_INT_EQ(0, p->setup_error);
    return p->setup_calls == 1 && p->setup_error == 0;
}

/* Queues one hand-encoded message (see rpc_encode). */
static void peer_send(struct raw_peer *p, int which_headers, int32_t type, int32_t flags, int32_t stream_id,
                      const char *operation, const char *payload) {
    struct raw_peer_write *w = aws_mem_calloc(s_alloc, 1, sizeof(struct raw_peer_write));
    w->peer = p;
    CHECK_INT_EQ(AWS_OP_SUCCESS, rpc_encode(&w->message, which_headers, type, flags, stream_id, operation, payload));
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_event_stream_channel_handler_write_message(p->handler, &w->message, s_peer_on_written, w));
}

/* Sends CONNECT and waits for the (accepted) CONNECT_ACK. */
static void peer_handshake(struct raw_peer *p) {
    peer_send(p, RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, "");
    CHECK(s_wait_count(&p->received, 1));
    CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK, p->msgs[0].type);
    CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED, p->msgs[0].flags);
}

/* Shuts the peer's channel down (if still up), waits for its shutdown
 * callback and drops the hold; a second call does nothing. */
static void peer_close(struct raw_peer *p) {
    if (p->channel) {
        aws_channel_shutdown(p->channel, AWS_ERROR_SUCCESS);
        CHECK(s_wait_count(&p->shutdown_calls, 1));
        aws_channel_release_hold(p->channel);
        p->channel = NULL;
    }
    CHECK_INT_EQ(0, p->wrong_thread);
}

/* The peer got a PROTOCOL_ERROR with `text`, JSON content type, stream 0, and then the server hung up. */
static void peer_expect_protocol_error(struct raw_peer *p, int index, const char *text) {
    CHECK(s_wait_count(&p->received, index + 1));
    CHECK(s_wait_count(&p->shutdown_calls, 1));
    aws_mutex_lock(&s_lock);
    if (p->received > index) {
        struct rpc_msg *m = &p->msgs[index];
        CHECK_INT_EQ(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PROTOCOL_ERROR, m->type);
        CHECK_INT_EQ(0, m->flags);
        CHECK(m->has_stream_id);
        CHECK_INT_EQ(0, m->stream_id);
        CHECK_STR_EQ("application/json", m->content_type);
        CHECK_STR_EQ(text, m->payload);
        CHECK(p->last_received_seq < p->shutdown_seq);
    }
    CHECK_INT_EQ(index + 1, p->received);
    aws_mutex_unlock(&s_lock);
}

#endif
