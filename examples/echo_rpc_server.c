/* echo_rpc_server: an event-stream RPC server that echoes, over TCP (127.0.0.1) or a Unix socket.
 *
 *   echo_rpc_server [--port N] [--unix PATH] [--loops N]
 *
 * It prints "listening on 127.0.0.1:PORT" (or "listening on unix:PATH") once ready, then one line per
 * event, and runs until SIGINT/SIGTERM; it then closes the open connections, destroys the listener and
 * exits 0 if the tracing allocator is back at zero bytes.
 *
 * Behaviour (what the interop tests rely on):
 *   CONNECT            CONNECT_ACK, accepted unless the payload or a string header value is "reject"
 *   PING               PING_RESPONSE with the same payload and headers
 *   operation "stream" the payload is a count N (default 3): N responses, the last one TERMINATE_STREAM
 *   operation "close"  the server closes the connection
 *   any other op       every application message comes back with the same type, headers and payload;
 *                      a message flagged TERMINATE_STREAM ends the stream and is not echoed
 */
#include <aws/common/allocator.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/event-stream/event_stream.h>
#include <aws/event-stream/event_stream_rpc_server.h>
#include <aws/io/channel_bootstrap.h>
#include <aws/io/event_loop.h>
#include <aws/io/socket.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CONNECTIONS 64
#define WAIT_NS (5LL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_lock = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

/* Guarded by s_lock. Each open connection holds one reference taken here, dropped at shutdown. */
static struct {
    struct aws_event_stream_rpc_server_connection *open[MAX_CONNECTIONS];
    size_t open_count;
    int next_connection_id;
    bool listener_gone;
} s_state;

struct connection_ctx {
    int id;
    int next_stream_id;
};

struct stream_ctx {
    struct aws_event_stream_rpc_server_connection *connection;
    struct connection_ctx *conn;
    int id;
    char operation[64];
};

#define SAY(...)                                                                                                       \
    do {                                                                                                               \
        aws_mutex_lock(&s_lock);                                                                                       \
        printf(__VA_ARGS__);                                                                                           \
        aws_mutex_unlock(&s_lock);                                                                                     \
    } while (0)

static const char *s_type_name(int type) {
    static const char *names[] = {"APPLICATION_MESSAGE", "APPLICATION_ERROR", "PING", "PING_RESPONSE",
                                  "CONNECT", "CONNECT_ACK", "PROTOCOL_ERROR", "INTERNAL_ERROR"};
    return type >= 0 && type < AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_COUNT ? names[type] : "UNKNOWN";
}

static bool s_header_named(const struct aws_event_stream_header_value_pair *h, const char *name) {
    return h->header_name_len == strlen(name) && memcmp(h->header_name, name, h->header_name_len) == 0;
}

/* The library adds the RPC headers itself; echo only the application's own. */
static bool s_is_rpc_header(const struct aws_event_stream_header_value_pair *h) {
    return s_header_named(h, ":message-type") || s_header_named(h, ":message-flags") ||
           s_header_named(h, ":stream-id") || s_header_named(h, "operation");
}

static size_t s_app_headers(const struct aws_event_stream_rpc_message_args *in,
                            struct aws_event_stream_header_value_pair *out, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; i < in->headers_count && n < cap; ++i) {
        if (!s_is_rpc_header(&in->headers[i])) {
            out[n++] = in->headers[i];
        }
    }
    return n;
}

static void s_on_flush(int error_code, void *user_data) {
    if (error_code) {
        SAY("  write failed: %s (%s)\n", aws_error_name(error_code), (const char *)user_data);
    }
}

/* ---- connection-level messages ------------------------------------------------------------ */

static bool s_wants_rejection(const struct aws_event_stream_rpc_message_args *args) {
    if (args->payload && aws_byte_cursor_eq_c_str(&(struct aws_byte_cursor){.ptr = args->payload->buffer,
                                                                            .len = args->payload->len},
                                                  "reject")) {
        return true;
    }
    for (size_t i = 0; i < args->headers_count; ++i) {
        struct aws_event_stream_header_value_pair *h = &args->headers[i];
        if (h->header_value_type == AWS_EVENT_STREAM_HEADER_STRING && h->header_value_len == 6 &&
            memcmp(h->header_value.variable_len_val, "reject", 6) == 0) {
            return true;
        }
    }
    return false;
}

static void s_on_protocol_message(struct aws_event_stream_rpc_server_connection *connection,
                                  const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct connection_ctx *conn = user_data;
    struct aws_event_stream_rpc_message_args reply = {.payload = args->payload};
    struct aws_event_stream_header_value_pair headers[16];

    switch (args->message_type) {
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT: {
            bool reject = s_wants_rejection(args);
            SAY("connection %d: CONNECT (%zu bytes of payload) -> CONNECT_ACK %s\n", conn->id,
                args->payload ? args->payload->len : 0, reject ? "rejected" : "accepted");
            reply.message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK;
            reply.message_flags = reject ? 0 : AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED;
            reply.payload = NULL;
            break;
        }
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING:
            SAY("connection %d: PING -> PING_RESPONSE\n", conn->id);
            reply.message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE;
            reply.headers = headers;
            reply.headers_count = s_app_headers(args, headers, 16);
            break;
        default:
            SAY("connection %d: %s ignored\n", conn->id, s_type_name((int)args->message_type));
            return;
    }
    if (aws_event_stream_rpc_server_connection_send_protocol_message(connection, &reply, s_on_flush,
                                                                     "protocol message")) {
        SAY("connection %d: send failed: %s\n", conn->id, aws_error_name(aws_last_error()));
    }
}

/* ---- streams ------------------------------------------------------------------------------- */

static void s_send_on_stream(struct stream_ctx *s, struct aws_event_stream_rpc_server_continuation_token *token,
                             struct aws_event_stream_rpc_message_args *msg) {
    if (aws_event_stream_rpc_server_continuation_send_message(token, msg, s_on_flush, s->operation)) {
        SAY("connection %d stream %d: send failed: %s\n", s->conn->id, s->id, aws_error_name(aws_last_error()));
    }
}

static void s_stream_responses(struct stream_ctx *s, struct aws_event_stream_rpc_server_continuation_token *token,
                               const struct aws_byte_buf *payload) {
    long count = 3;
    if (payload && payload->len > 0 && payload->len < 16) {
        char digits[16];
        memcpy(digits, payload->buffer, payload->len);
        digits[payload->len] = '\0';
        count = strtol(digits, NULL, 10);
    }
    SAY("connection %d stream %d: sending %ld responses, the last one terminates the stream\n", s->conn->id, s->id,
        count);
    for (long i = 1; i <= count; ++i) {
        char text[64];
        int n = snprintf(text, sizeof(text), "response %ld of %ld", i, count);
        struct aws_byte_buf body = aws_byte_buf_from_array(text, (size_t)n);
        struct aws_event_stream_rpc_message_args msg = {
            .payload = &body,
            .message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE,
            .message_flags = i == count ? AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM : 0,
        };
        s_send_on_stream(s, token, &msg);
    }
}

static void s_on_stream_message(struct aws_event_stream_rpc_server_continuation_token *token,
                                const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct stream_ctx *s = user_data;
    if (args->message_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM) {
        SAY("connection %d stream %d: TERMINATE_STREAM from the client\n", s->conn->id, s->id);
        return;
    }
    if (strcmp(s->operation, "close") == 0) {
        SAY("connection %d stream %d: closing the connection as asked\n", s->conn->id, s->id);
        aws_event_stream_rpc_server_connection_close(s->connection, AWS_ERROR_SUCCESS);
        return;
    }
    if (strcmp(s->operation, "stream") == 0) {
        s_stream_responses(s, token, args->payload);
        return;
    }
    struct aws_event_stream_header_value_pair headers[16];
    struct aws_event_stream_rpc_message_args echo = {
        .headers = headers,
        .headers_count = s_app_headers(args, headers, 16),
        .payload = args->payload,
        .message_type = args->message_type,
    };
    SAY("connection %d stream %d: echo %s, %zu headers, %zu bytes\n", s->conn->id, s->id,
        s_type_name((int)args->message_type), echo.headers_count, args->payload ? args->payload->len : 0);
    s_send_on_stream(s, token, &echo);
}

static void s_on_stream_closed(struct aws_event_stream_rpc_server_continuation_token *token, void *user_data) {
    (void)token;
    struct stream_ctx *s = user_data;
    SAY("connection %d stream %d: closed\n", s->conn->id, s->id);
    aws_mem_release(s_alloc, s);
}

static int s_on_incoming_stream(struct aws_event_stream_rpc_server_connection *connection,
                                struct aws_event_stream_rpc_server_continuation_token *token,
                                struct aws_byte_cursor operation,
                                struct aws_event_stream_rpc_server_stream_continuation_options *options,
                                void *user_data) {
    (void)token;
    struct connection_ctx *conn = user_data;
    struct stream_ctx *s = aws_mem_calloc(s_alloc, 1, sizeof(struct stream_ctx));
    s->connection = connection;
    s->conn = conn;
    s->id = ++conn->next_stream_id;
    size_t len = operation.len < sizeof(s->operation) - 1 ? operation.len : sizeof(s->operation) - 1;
    memcpy(s->operation, operation.ptr, len);
    SAY("connection %d stream %d: new stream, operation \"%s\"\n", conn->id, s->id, s->operation);
    options->on_continuation = s_on_stream_message;
    options->on_continuation_closed = s_on_stream_closed;
    options->user_data = s;
    return AWS_OP_SUCCESS;
}

/* ---- connections and the listener ------------------------------------------------------------ */

static int s_on_new_connection(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                               struct aws_event_stream_rpc_connection_options *options, void *user_data) {
    (void)user_data;
    if (error_code) {
        SAY("incoming connection failed: %s\n", aws_error_name(error_code));
        return AWS_OP_SUCCESS;
    }
    struct connection_ctx *conn = aws_mem_calloc(s_alloc, 1, sizeof(struct connection_ctx));
    aws_mutex_lock(&s_lock);
    if (s_state.open_count == MAX_CONNECTIONS) {
        aws_mutex_unlock(&s_lock);
        aws_mem_release(s_alloc, conn);
        return aws_raise_error(AWS_ERROR_INVALID_STATE);
    }
    conn->id = ++s_state.next_connection_id;
    aws_event_stream_rpc_server_connection_acquire(connection);
    s_state.open[s_state.open_count++] = connection;
    printf("connection %d: accepted\n", conn->id);
    aws_mutex_unlock(&s_lock);
    options->on_incoming_stream = s_on_incoming_stream;
    options->on_connection_protocol_message = s_on_protocol_message;
    options->user_data = conn;
    return AWS_OP_SUCCESS;
}

static void s_on_connection_shutdown(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                                     void *user_data) {
    (void)user_data;
    struct connection_ctx *conn = aws_event_stream_rpc_server_connection_get_user_data(connection);
    bool tracked = false;
    aws_mutex_lock(&s_lock);
    for (size_t i = 0; i < s_state.open_count && !tracked; ++i) {
        if (s_state.open[i] == connection) {
            s_state.open[i] = s_state.open[--s_state.open_count];
            tracked = true;
        }
    }
    printf("connection %d: shut down (%s)\n", conn ? conn->id : 0,
           error_code ? aws_error_name(error_code) : "clean");
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
    if (tracked) {
        aws_mem_release(s_alloc, conn);
        aws_event_stream_rpc_server_connection_release(connection);
    }
}

static void s_on_listener_destroyed(struct aws_event_stream_rpc_server_listener *listener, void *user_data) {
    (void)listener;
    (void)user_data;
    aws_mutex_lock(&s_lock);
    s_state.listener_gone = true;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static bool s_none_open(void *arg) {
    (void)arg;
    return s_state.open_count == 0;
}

static bool s_listener_gone(void *arg) {
    (void)arg;
    return s_state.listener_gone;
}

/* Closes every open connection and waits (bounded) until each has shut down. */
static int s_close_all(void) {
    struct aws_event_stream_rpc_server_connection *open[MAX_CONNECTIONS];
    aws_mutex_lock(&s_lock);
    size_t n = s_state.open_count;
    for (size_t i = 0; i < n; ++i) {
        open[i] = s_state.open[i];
        aws_event_stream_rpc_server_connection_acquire(open[i]);
    }
    aws_mutex_unlock(&s_lock);
    for (size_t i = 0; i < n; ++i) {
        aws_event_stream_rpc_server_connection_close(open[i], AWS_ERROR_SUCCESS);
        aws_event_stream_rpc_server_connection_release(open[i]);
    }
    aws_mutex_lock(&s_lock);
    int rc = aws_condition_variable_wait_for_pred(&s_cv, &s_lock, WAIT_NS, s_none_open, NULL);
    aws_mutex_unlock(&s_lock);
    return rc;
}

static void s_usage(void) {
    fprintf(stderr, "usage: echo_rpc_server [--port N] [--unix PATH] [--loops N]\n");
    exit(2);
}

int main(int argc, char **argv) {
    uint32_t port = 0;
    const char *unix_path = NULL;
    uint16_t loops = 1;
    for (int i = 1; i < argc; ++i) {
        if (i + 1 < argc && strcmp(argv[i], "--port") == 0) {
            port = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (i + 1 < argc && strcmp(argv[i], "--unix") == 0) {
            unix_path = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--loops") == 0) {
            loops = (uint16_t)strtoul(argv[++i], NULL, 10);
        } else {
            s_usage();
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* Every thread started from here on inherits the blocked signals; main waits for them below. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_event_stream_library_init(s_alloc);
    struct aws_event_loop_group *group = aws_event_loop_group_new_default(s_alloc, loops, NULL);
    struct aws_server_bootstrap *bootstrap = aws_server_bootstrap_new(s_alloc, group);

    struct aws_socket_options socket_options = {
        .type = AWS_SOCKET_STREAM,
        .domain = unix_path ? AWS_SOCKET_LOCAL : AWS_SOCKET_IPV4,
        .connect_timeout_ms = 3000,
    };
    struct aws_event_stream_rpc_server_listener_options listener_options = {
        .host_name = unix_path ? unix_path : "127.0.0.1",
        .port = unix_path ? 0 : port,
        .socket_options = &socket_options,
        .bootstrap = bootstrap,
        .on_new_connection = s_on_new_connection,
        .on_connection_shutdown = s_on_connection_shutdown,
        .on_destroy_callback = s_on_listener_destroyed,
    };
    struct aws_event_stream_rpc_server_listener *listener =
        aws_event_stream_rpc_server_new_listener(s_alloc, &listener_options);
    if (!listener) {
        fprintf(stderr, "listen failed: %s\n", aws_error_name(aws_last_error()));
        return 1;
    }
    if (unix_path) {
        SAY("listening on unix:%s with %u event loop(s)\n", unix_path, (unsigned)loops);
    } else {
        SAY("listening on 127.0.0.1:%u with %u event loop(s)\n",
            (unsigned)aws_event_stream_rpc_server_listener_get_bound_port(listener), (unsigned)loops);
    }

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    SAY("signal %d: shutting down\n", signal_number);

    int rc = s_close_all() ? 1 : 0;
    aws_event_stream_rpc_server_listener_release(listener);
    aws_mutex_lock(&s_lock);
    if (aws_condition_variable_wait_for_pred(&s_cv, &s_lock, WAIT_NS, s_listener_gone, NULL)) {
        rc = 1;
    }
    printf("listener destroyed after %d connection(s)\n", s_state.next_connection_id);
    aws_mutex_unlock(&s_lock);

    aws_server_bootstrap_release(bootstrap);
    aws_event_loop_group_release(group);
    aws_event_stream_library_clean_up();
    size_t live = aws_mem_tracer_bytes(s_alloc);
    printf("bytes still allocated at exit: %zu\n", live);
    aws_mem_tracer_destroy(s_alloc);
    return rc || live ? 1 : 0;
}
