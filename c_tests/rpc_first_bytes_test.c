/* A CONNECT written the instant a TCP connect() returns must always be
 * answered by CONNECT_ACK, whichever event loop the server hands the accepted
 * socket to: 200 short connections per server with 1, 2 and 4 loops. The
 * client side is a plain blocking socket so the bytes can arrive with (or
 * before) the accept. */
#include <aws/event-stream/event_stream_rpc_server.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "rpc_test_util.h"

/* Connections per configuration (fewer under valgrind, as scripts/valgrind-ctests
 * announces), the per-connection answer deadline, and the failures tolerated
 * before a configuration gives up (keeps a broken server's run short). */
static int s_connections = 200;
#define ANSWER_TIMEOUT_MS 5000
#define MAX_FAILURES 3

struct fb_server {
    struct rpc_env *env;
    int accepted, shutdowns, destroyed, wrong_thread, ack_failures;
};

static void s_fb_flush(int error_code, void *user_data) {
    (void)error_code;
    (void)user_data;
}

static int s_fb_incoming_stream(struct aws_event_stream_rpc_server_connection *connection,
                                struct aws_event_stream_rpc_server_continuation_token *token,
                                struct aws_byte_cursor operation_name,
                                struct aws_event_stream_rpc_server_stream_continuation_options *options,
                                void *user_data) {
    (void)connection;
    (void)token;
    (void)operation_name;
    (void)options;
    (void)user_data;
    return aws_raise_error(AWS_ERROR_INVALID_STATE); /* no streams in this test */
}

static void s_fb_protocol(struct aws_event_stream_rpc_server_connection *connection,
                          const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct fb_server *s = user_data;
    if (args->message_type != AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT) {
        return;
    }
    struct aws_byte_buf empty;
    struct aws_event_stream_rpc_message_args ack = rpc_args(&empty, "", AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK,
                                                            AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED);
    if (aws_event_stream_rpc_server_connection_send_protocol_message(connection, &ack, s_fb_flush, NULL)) {
        s_locked_bump(&s->ack_failures);
    }
}

static int s_fb_new_connection(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                               struct aws_event_stream_rpc_connection_options *options, void *user_data) {
    struct fb_server *s = user_data;
    aws_mutex_lock(&s_lock);
    s->wrong_thread += !s_on_group_thread(s->env);
    s->accepted += connection != NULL && error_code == 0;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    options->on_incoming_stream = s_fb_incoming_stream;
    options->on_connection_protocol_message = s_fb_protocol;
    options->user_data = s;
    return AWS_OP_SUCCESS;
}

static void s_fb_shutdown(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                          void *user_data) {
    (void)connection;
    (void)error_code;
    struct fb_server *s = user_data;
    aws_mutex_lock(&s_lock);
    s->wrong_thread += !s_on_group_thread(s->env);
    s->shutdowns++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_fb_destroy(struct aws_event_stream_rpc_server_listener *listener, void *user_data) {
    (void)listener;
    s_locked_bump(&((struct fb_server *)user_data)->destroyed);
}

/* Reads one whole event-stream message into buf within the deadline. */
static bool s_read_message(int fd, struct aws_byte_buf *buf, int64_t deadline_ms) {
    size_t want = 12;
    while (buf->len < want) {
        uint64_t now = 0;
        aws_high_res_clock_get_ticks(&now);
        int64_t left = deadline_ms - (int64_t)(now / 1000000);
        if (left <= 0) {
            return false;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ready = poll(&pfd, 1, (int)left);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            return false;
        }
        ssize_t n = recv(fd, buf->buffer + buf->len, want - buf->len, 0);
        if (n <= 0) {
            return false;
        }
        buf->len += (size_t)n;
        if (buf->len == 12 && want == 12) {
            uint32_t total = ((uint32_t)buf->buffer[0] << 24) | ((uint32_t)buf->buffer[1] << 16) |
                             ((uint32_t)buf->buffer[2] << 8) | buf->buffer[3];
            if (total < 16 || total > buf->capacity) {
                return false;
            }
            want = total;
        }
    }
    return true;
}

/* One connection: connect, CONNECT at once, expect an accepted CONNECT_ACK. */
static bool s_one_connection(uint16_t port, const struct aws_byte_buf *connect_bytes) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
              send(fd, connect_bytes->buffer, connect_bytes->len, MSG_NOSIGNAL) == (ssize_t)connect_bytes->len;
    if (ok) {
        uint64_t now = 0;
        aws_high_res_clock_get_ticks(&now);
        uint8_t storage[256];
        struct aws_byte_buf reply = aws_byte_buf_from_empty_array(storage, sizeof(storage));
        ok = s_read_message(fd, &reply, (int64_t)(now / 1000000) + ANSWER_TIMEOUT_MS);
        if (ok) {
            struct aws_event_stream_message message;
            ok = aws_event_stream_message_from_buffer(&message, s_alloc, &reply) == AWS_OP_SUCCESS;
            if (ok) {
                struct rpc_msg m;
                rpc_msg_from_message(&m, &message);
                ok = m.type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK &&
                     m.flags == AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED && m.stream_id == 0;
                aws_event_stream_message_clean_up(&message);
            }
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return ok;
}

static void s_run_config(uint16_t loops) {
    struct rpc_env env;
    rpc_env_init(&env, loops);
    struct rpc_endpoint ep;
    rpc_endpoint_init(&env, RPC_V4, &ep);
    struct fb_server s = {.env = &env};
    struct aws_event_stream_rpc_server_listener_options options = {
        .host_name = ep.host,
        .port = 0,
        .socket_options = &ep.socket_options,
        .bootstrap = env.server_bootstrap,
        .on_new_connection = s_fb_new_connection,
        .on_connection_shutdown = s_fb_shutdown,
        .on_destroy_callback = s_fb_destroy,
        .user_data = &s,
    };
    struct aws_event_stream_rpc_server_listener *listener = aws_event_stream_rpc_server_new_listener(s_alloc, &options);
    CHECK(listener != NULL);
    if (listener) {
        uint16_t port = (uint16_t)aws_event_stream_rpc_server_listener_get_bound_port(listener);
        struct aws_event_stream_message connect;
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     rpc_encode(&connect, RPC_HDR_ALL, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0, 0, NULL, ""));
        struct aws_byte_buf connect_bytes = aws_byte_buf_from_array(aws_event_stream_message_buffer(&connect),
                                                                    aws_event_stream_message_total_length(&connect));
        int answered = 0, attempted = 0, failures = 0;
        for (; attempted < s_connections && failures < MAX_FAILURES; ++attempted) {
            if (s_one_connection(port, &connect_bytes)) {
                answered++;
            } else {
                failures++;
            }
        }
        aws_event_stream_message_clean_up(&connect);
        fprintf(stderr, "  %u loop(s): %d of %d CONNECTs answered\n", (unsigned)loops, answered, attempted);
        CHECK_INT_EQ(s_connections, answered);
        /* Every accepted connection also shuts down once the client is gone. */
        CHECK(s_wait_count(&s.shutdowns, attempted));
        aws_event_stream_rpc_server_listener_release(listener);
        CHECK(s_wait_count(&s.destroyed, 1));
        CHECK_INT_EQ(attempted, s.accepted);
        CHECK_INT_EQ(attempted, s.shutdowns);
        CHECK_INT_EQ(0, s.ack_failures);
        CHECK_INT_EQ(0, s.wrong_thread);
    }
    rpc_endpoint_clean_up(&ep);
    rpc_env_clean_up(&env);
}

static void test_first_bytes_one_loop(void) {
    s_run_config(1);
}
static void test_first_bytes_two_loops(void) {
    s_run_config(2);
}
static void test_first_bytes_four_loops(void) {
    s_run_config(4);
}

int main(void) {
    if (getenv("AWS_ES_UNDER_VALGRIND")) {
        s_connections = 40;
    }
    rpc_test_begin();
    RUN_TEST(test_first_bytes_one_loop);
    RUN_TEST(test_first_bytes_two_loops);
    RUN_TEST(test_first_bytes_four_loops);
    return rpc_test_end();
}
