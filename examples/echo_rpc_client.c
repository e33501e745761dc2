/* echo_rpc_client: an event-stream RPC client for examples/echo_rpc_server.
 *
 *   echo_rpc_client (--port N | --unix PATH) [--streams N] [--responses N] [--connect-payload TEXT] [--server-close]
 *
 * Connects, sends CONNECT and waits for the CONNECT_ACK, PINGs, echoes two messages on each of N concurrent
 * streams and terminates them, has the server stream back a number of responses and terminate that stream,
 * then closes the connection (or, with --server-close, asks the server to). Each step is checked and printed;
 * exits 0 when all of them held and the tracing allocator is back at zero bytes. With
 * --connect-payload reject the server rejects the CONNECT, which is then the expected outcome. */
#include <aws/common/allocator.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/event-stream/event_stream.h>
#include <aws/event-stream/event_stream_rpc_client.h>
#include <aws/io/channel_bootstrap.h>
#include <aws/io/event_loop.h>
#include <aws/io/host_resolver.h>
#include <aws/io/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STREAMS 32
#define WAIT_NS (10LL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_lock = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

struct stream {
    int index;
    struct aws_event_stream_rpc_client_continuation_token *token;
    int messages;      /* received */
    int good_messages; /* received and as expected */
    bool terminated_by_server;
    bool closed;
};

/* Everything the callbacks report, guarded by s_lock. */
static struct {
    struct aws_event_stream_rpc_client_connection *connection;
    bool setup_done, shut_down, terminated;
    int setup_error, shutdown_error;
    bool ack_received;
    uint32_t ack_flags;
    int ping_responses;
    int protocol_errors;
    struct stream streams[MAX_STREAMS + 1]; /* the last one is the server-streamed one */
} s;

static int s_failures;

static void s_check(bool ok, const char *what) {
    printf("%s %s\n", ok ? "  ok  " : "  FAIL", what);
    if (!ok) {
        ++s_failures;
    }
}

static bool s_wait(bool (*pred)(void *), void *arg, const char *what) {
    aws_mutex_lock(&s_lock);
    bool ok = aws_condition_variable_wait_for_pred(&s_cv, &s_lock, WAIT_NS, pred, arg) == AWS_OP_SUCCESS;
    aws_mutex_unlock(&s_lock);
    if (!ok) {
        printf("  FAIL timed out waiting for %s\n", what);
        ++s_failures;
    }
    return ok;
}

static void s_notify(void) {
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static bool s_payload_is(const struct aws_byte_buf *payload, const char *text) {
    return payload && payload->len == strlen(text) && memcmp(payload->buffer, text, payload->len) == 0;
}

static bool s_has_string_header(const struct aws_event_stream_rpc_message_args *args, const char *name,
                                const char *value) {
    for (size_t i = 0; i < args->headers_count; ++i) {
        struct aws_event_stream_header_value_pair *h = &args->headers[i];
        if (h->header_name_len == strlen(name) && memcmp(h->header_name, name, h->header_name_len) == 0 &&
            h->header_value_type == AWS_EVENT_STREAM_HEADER_STRING && h->header_value_len == strlen(value) &&
            memcmp(h->header_value.variable_len_val, value, h->header_value_len) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- connection callbacks (on the connection's event-loop thread) ------------------------------ */

static void s_on_setup(struct aws_event_stream_rpc_client_connection *connection, int error_code, void *ud) {
    (void)ud;
    aws_mutex_lock(&s_lock);
    if (connection) {
        aws_event_stream_rpc_client_connection_acquire(connection);
    }
    s.connection = connection;
    s.setup_error = error_code;
    s.setup_done = true;
    s_notify();
}

static void s_on_protocol_message(struct aws_event_stream_rpc_client_connection *connection,
                                  const struct aws_event_stream_rpc_message_args *args, void *ud) {
    (void)connection;
    (void)ud;
    aws_mutex_lock(&s_lock);
    switch (args->message_type) {
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK:
            s.ack_received = true;
            s.ack_flags = args->message_flags;
            break;
        case AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE:
            s.ping_responses += s_payload_is(args->payload, "are you there?") ? 1 : 0;
            break;
        default:
            s.protocol_errors++;
            break;
    }
    s_notify();
}

static void s_on_shutdown(struct aws_event_stream_rpc_client_connection *connection, int error_code, void *ud) {
    (void)connection;
    (void)ud;
    aws_mutex_lock(&s_lock);
    s.shut_down = true;
    s.shutdown_error = error_code;
    s_notify();
}

static void s_on_terminated(void *ud) {
    (void)ud;
    aws_mutex_lock(&s_lock);
    s.terminated = true;
    s_notify();
}

/* ---- stream callbacks ---------------------------------------------------------------------------- */

static void s_on_stream_message(struct aws_event_stream_rpc_client_continuation_token *token,
                                const struct aws_event_stream_rpc_message_args *args, void *ud) {
    (void)token;
    struct stream *st = ud;
    char expected[64];
    aws_mutex_lock(&s_lock);
    st->messages++;
    if (st->index == MAX_STREAMS) { /* server-streamed: "response i of n" */
        snprintf(expected, sizeof(expected), "response %d of ", st->messages);
        st->good_messages += args->payload && args->payload->len > strlen(expected) &&
                             memcmp(args->payload->buffer, expected, strlen(expected)) == 0;
        st->terminated_by_server = args->message_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM;
    } else {
        char header[16];
        snprintf(header, sizeof(header), "%d", st->index);
        snprintf(expected, sizeof(expected), "message %d on stream %d", st->messages, st->index);
        st->good_messages += s_payload_is(args->payload, expected) && s_has_string_header(args, "x-stream", header);
    }
    s_notify();
}

static void s_on_stream_closed(struct aws_event_stream_rpc_client_continuation_token *token, void *ud) {
    (void)token;
    struct stream *st = ud;
    aws_mutex_lock(&s_lock);
    st->closed = true;
    s_notify();
}

/* ---- wait predicates ----------------------------------------------------------------------------- */

static bool s_setup_done(void *arg) {
    (void)arg;
    return s.setup_done;
}
static bool s_ack_or_shutdown(void *arg) {
    (void)arg;
    return s.ack_received || s.shut_down;
}
static bool s_shut_down(void *arg) {
    (void)arg;
    return s.shut_down;
}
static bool s_terminated(void *arg) {
    (void)arg;
    return s.terminated;
}
static bool s_ping_answered(void *arg) {
    (void)arg;
    return s.ping_responses > 0 || s.shut_down;
}
static bool s_each_has(void *arg) {
    int *want = arg; /* {count, messages} */
    for (int i = 0; i < want[0]; ++i) {
        if (s.streams[i].messages < want[1]) {
            return s.shut_down;
        }
    }
    return true;
}
static bool s_each_closed(void *arg) {
    int *want = arg;
    for (int i = 0; i < want[0]; ++i) {
        if (!s.streams[i].closed) {
            return s.shut_down;
        }
    }
    return true;
}
static bool s_stream_closed(void *arg) {
    return ((struct stream *)arg)->closed || s.shut_down;
}

/* ---- sending ------------------------------------------------------------------------------------- */

static void s_on_flush(int error_code, void *ud) {
    if (error_code) {
        printf("  write of %s failed: %s\n", (const char *)ud, aws_error_name(error_code));
    }
}

static void s_send_on_stream(struct stream *st, const char *operation, const char *text, uint32_t flags) {
    char number[16];
    snprintf(number, sizeof(number), "%d", st->index);
    struct aws_event_stream_header_value_pair header = aws_event_stream_create_string_header(
        aws_byte_cursor_from_c_str("x-stream"), aws_byte_cursor_from_c_str(number));
    struct aws_byte_buf payload = aws_byte_buf_from_c_str(text);
    struct aws_event_stream_rpc_message_args args = {
        .headers = &header,
        .headers_count = 1,
        .payload = &payload,
        .message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE,
        .message_flags = flags,
    };
    int rc = operation ? aws_event_stream_rpc_client_continuation_activate(
                             st->token, aws_byte_cursor_from_c_str(operation), &args, s_on_flush, "activation")
                       : aws_event_stream_rpc_client_continuation_send_message(st->token, &args, s_on_flush,
                                                                               "stream message");
    if (rc) {
        printf("  FAIL sending on stream %d: %s\n", st->index, aws_error_name(aws_last_error()));
        ++s_failures;
    }
}

static struct stream *s_new_stream(int index) {
    struct stream *st = &s.streams[index];
    st->index = index;
    struct aws_event_stream_rpc_client_stream_continuation_options options = {
        .on_continuation = s_on_stream_message,
        .on_continuation_closed = s_on_stream_closed,
        .user_data = st,
    };
    st->token = aws_event_stream_rpc_client_connection_new_stream(s.connection, &options);
    return st;
}

static void s_protocol_message(enum aws_event_stream_rpc_message_type type, const char *payload_text) {
    struct aws_byte_buf payload = aws_byte_buf_from_c_str(payload_text);
    struct aws_event_stream_rpc_message_args args = {.payload = &payload, .message_type = type};
    if (aws_event_stream_rpc_client_connection_send_protocol_message(s.connection, &args, s_on_flush,
                                                                     "protocol message")) {
        printf("  FAIL sending a protocol message: %s\n", aws_error_name(aws_last_error()));
        ++s_failures;
    }
}

/* ---- the conversation ---------------------------------------------------------------------------- */

static void s_converse(int streams, int responses, bool server_close) {
    printf("PING\n");
    s_protocol_message(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING, "are you there?");
    s_wait(s_ping_answered, NULL, "PING_RESPONSE");
    s_check(s.ping_responses == 1, "PING_RESPONSE with the PING's payload");

    printf("%d concurrent echo streams, two messages each, then TERMINATE_STREAM from the client\n", streams);
    char text[128];
    for (int i = 0; i < streams; ++i) {
        snprintf(text, sizeof(text), "message 1 on stream %d", i);
        s_send_on_stream(s_new_stream(i), "echo", text, 0);
    }
    int want[2] = {streams, 1};
    s_wait(s_each_has, want, "the first echoes");
    for (int i = 0; i < streams; ++i) {
        snprintf(text, sizeof(text), "message 2 on stream %d", i);
        s_send_on_stream(&s.streams[i], NULL, text, 0);
    }
    want[1] = 2;
    s_wait(s_each_has, want, "the second echoes");
    for (int i = 0; i < streams; ++i) {
        s_send_on_stream(&s.streams[i], NULL, "bye", AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM);
    }
    s_wait(s_each_closed, want, "the echo streams to close");
    aws_mutex_lock(&s_lock);
    int good = 0;
    for (int i = 0; i < streams; ++i) {
        good += s.streams[i].good_messages == 2 && s.streams[i].closed;
    }
    aws_mutex_unlock(&s_lock);
    snprintf(text, sizeof(text), "%d of %d streams echoed both messages and closed", good, streams);
    s_check(good == streams, text);

    printf("operation \"stream\": %d responses from the server, which terminates the stream\n", responses);
    struct stream *streamed = s_new_stream(MAX_STREAMS);
    snprintf(text, sizeof(text), "%d", responses);
    s_send_on_stream(streamed, "stream", text, 0);
    s_wait(s_stream_closed, streamed, "the server-streamed stream to close");
    aws_mutex_lock(&s_lock);
    snprintf(text, sizeof(text), "%d of %d responses as expected, the last one with TERMINATE_STREAM",
             streamed->good_messages, responses);
    bool streamed_ok = streamed->good_messages == responses && streamed->messages == responses &&
                       streamed->terminated_by_server && streamed->closed;
    aws_mutex_unlock(&s_lock);
    s_check(streamed_ok, text);

    if (server_close) {
        printf("operation \"close\": the server closes the connection\n");
        s_send_on_stream(s_new_stream(streams), "close", "", 0);
    } else {
        printf("closing the connection\n");
        aws_event_stream_rpc_client_connection_close(s.connection, AWS_ERROR_SUCCESS);
    }
    s_wait(s_shut_down, NULL, "shutdown");
    printf("connection shut down (%s)\n", s.shutdown_error ? aws_error_name(s.shutdown_error) : "clean");
    s_check(server_close || s.shutdown_error == AWS_ERROR_SUCCESS, "shutdown reason");
    s_check(s.protocol_errors == 0, "no error messages from the server");
}

static void s_usage(void) {
    fprintf(stderr, "usage: echo_rpc_client (--port N | --unix PATH) [--streams N] [--responses N] "
                    "[--connect-payload TEXT] [--server-close]\n");
    exit(2);
}

int main(int argc, char **argv) {
    uint32_t port = 0;
    const char *unix_path = NULL;
    const char *connect_payload = "hello";
    int streams = 3;
    int responses = 3;
    bool server_close = false;
    for (int i = 1; i < argc; ++i) {
        if (i + 1 < argc && strcmp(argv[i], "--port") == 0) {
            port = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (i + 1 < argc && strcmp(argv[i], "--unix") == 0) {
            unix_path = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--streams") == 0) {
            streams = atoi(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--responses") == 0) {
            responses = atoi(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--connect-payload") == 0) {
            connect_payload = argv[++i];
        } else if (strcmp(argv[i], "--server-close") == 0) {
            server_close = true;
        } else {
            s_usage();
        }
    }
    if ((!port && !unix_path) || streams < 1 || streams >= MAX_STREAMS || responses < 1) {
        s_usage();
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    bool expect_reject = strcmp(connect_payload, "reject") == 0;

    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_event_stream_library_init(s_alloc);
    struct aws_event_loop_group *group = aws_event_loop_group_new_default(s_alloc, 1, NULL);
    struct aws_host_resolver_default_options resolver_options = {.max_entries = 4, .el_group = group};
    struct aws_host_resolver *resolver = aws_host_resolver_new_default(s_alloc, &resolver_options);
    struct aws_client_bootstrap_options bootstrap_options = {.event_loop_group = group, .host_resolver = resolver};
    struct aws_client_bootstrap *bootstrap = aws_client_bootstrap_new(s_alloc, &bootstrap_options);

    struct aws_socket_options socket_options = {
        .type = AWS_SOCKET_STREAM,
        .domain = unix_path ? AWS_SOCKET_LOCAL : AWS_SOCKET_IPV4,
        .connect_timeout_ms = 3000,
    };
    struct aws_event_stream_rpc_client_connection_options options = {
        .host_name = unix_path ? unix_path : "127.0.0.1",
        .port = unix_path ? 0 : port,
        .socket_options = &socket_options,
        .bootstrap = bootstrap,
        .on_connection_setup = s_on_setup,
        .on_connection_protocol_message = s_on_protocol_message,
        .on_connection_shutdown = s_on_shutdown,
        .on_connection_terminated = s_on_terminated,
    };
    if (unix_path) {
        printf("connecting to unix:%s\n", unix_path);
    } else {
        printf("connecting to 127.0.0.1:%u\n", (unsigned)port);
    }
    if (aws_event_stream_rpc_client_connection_connect(s_alloc, &options)) {
        printf("  FAIL connect: %s\n", aws_error_name(aws_last_error()));
        ++s_failures;
    } else if (s_wait(s_setup_done, NULL, "connection setup")) {
        s_check(s.connection != NULL, s.connection ? "connected" : aws_error_name(s.setup_error));
    }

    if (s.connection) {
        printf("CONNECT with payload \"%s\"\n", connect_payload);
        s_protocol_message(AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, connect_payload);
        s_wait(s_ack_or_shutdown, NULL, "CONNECT_ACK");
        bool accepted = s.ack_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED;
        printf("CONNECT_ACK: %s\n", !s.ack_received ? "none" : accepted ? "accepted" : "rejected");
        if (expect_reject) {
            s_check(s.ack_received && !accepted, "the server rejected the CONNECT");
            s_wait(s_shut_down, NULL, "the server to close the rejected connection");
            printf("connection shut down (%s)\n", s.shutdown_error ? aws_error_name(s.shutdown_error) : "clean");
        } else {
            s_check(s.ack_received && accepted, "the server accepted the CONNECT");
            if (accepted) {
                s_converse(streams, responses, server_close);
            } else {
                s_wait(s_shut_down, NULL, "shutdown");
            }
        }
        for (int i = 0; i <= MAX_STREAMS; ++i) {
            if (s.streams[i].token) {
                aws_event_stream_rpc_client_continuation_release(s.streams[i].token);
            }
        }
        aws_event_stream_rpc_client_connection_close(s.connection, AWS_ERROR_SUCCESS);
        aws_event_stream_rpc_client_connection_release(s.connection);
        s_wait(s_terminated, NULL, "the connection to be destroyed");
    }

    aws_client_bootstrap_release(bootstrap);
    aws_host_resolver_release(resolver);
    aws_event_loop_group_release(group);
    aws_event_stream_library_clean_up();
    size_t live = aws_mem_tracer_bytes(s_alloc);
    printf("bytes still allocated at exit: %zu\n", live);
    aws_mem_tracer_destroy(s_alloc);
    if (live) {
        ++s_failures;
    }
    printf("%s\n", s_failures ? "echo_rpc_client FAILED" : "echo_rpc_client OK");
    return s_failures ? 1 : 0;
}
