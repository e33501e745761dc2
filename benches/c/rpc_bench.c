/* Event-stream RPC over loopback TCP, measured through the public C API only.
 *
 * Like codec_bench.c, the same source builds against this project's headers
 * and against upstream's, so one binary can time either library (swap the .so
 * with LD_LIBRARY_PATH; scripts/bench-rpc does that, interleaved).
 *
 * One process holds both ends: an RPC server listener on 127.0.0.1 (its own
 * event-loop group) and RPC clients (another event-loop group, BENCH_THREADS
 * loops each, default 1). Every client connection does the CONNECT /
 * CONNECT_ACK handshake first. The server echoes every application message on
 * an "echo" stream and answers the first message of a "term" stream with a
 * TERMINATE_STREAM reply.
 *
 * Cases (each runs a warm-up of 10% then a fixed window: BENCH_SECONDS, default
 * 2 s, or 0.2 s with BENCH_QUICK=1; the main thread waits on a condition
 * variable, with a hard timeout, for the callbacks to finish):
 *   rpc_idle_mem          RSS growth (/proc/self/statm) over N handshaken idle
 *                         connections / N, N = 2000 (fewer if RLIMIT_NOFILE
 *                         cannot be raised; the line says how many). Client AND
 *                         server side both live in this process and count.
 *   rpc_pingpong_c<N>     one 64 B message in flight per connection, sent again
 *                         from the client's callback on each echo: p50/p99
 *                         round-trip latency (us) and echoes/s over N conns.
 *   rpc_pipe<size>_c<N>   64 messages in flight per connection (64 B or 4 KiB):
 *                         echoes/s, payload MB/s one way (10^6 B), and CPU us
 *                         (getrusage user+sys, whole process, warm-up included)
 *                         per echoed message.
 *   rpc_streams_c4_p16    4 connections x 16 stream slots: new stream, activate
 *                         with a 64 B request, server replies TERMINATE_STREAM,
 *                         the closed callback starts the next: streams/s.
 *
 * BENCH_FILTER=<text> runs only the cases whose name contains <text> (a
 * trailing '$' anchors it at the end: "pingpong_c1$").
 * Output: RESULT bench=<case> impl=<argv[1] | $BENCH_IMPL | unknown> key=value...
 * Exits non-zero if any call fails, an echo is wrong, or a wait times out. */
#include <aws/common/common.h>
#include <aws/common/condition_variable.h>
#include <aws/common/error.h>
#include <aws/common/mutex.h>
#include <aws/event-stream/event_stream.h>
#include <aws/event-stream/event_stream_rpc_client.h>
#include <aws/event-stream/event_stream_rpc_server.h>
#include <aws/io/channel_bootstrap.h>
#include <aws/io/event_loop.h>
#include <aws/io/host_resolver.h>
#include <aws/io/socket.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SMALL_PAYLOAD 64
#define LARGE_PAYLOAD 4096
#define PIPE_DEPTH 64
#define IDLE_CONNS 2000
/* Connections dialled at once; keeps well under the listen backlog. */
#define CONNECT_BATCH 100
#define LATENCY_CAP 400000
/* Hard bound on any wait beyond the case's own duration. */
#define WAIT_SLACK_NS (60ull * 1000000000ull)

static struct aws_allocator *s_alloc;
static const char *s_impl;
static const char *s_filter;
static double s_budget_s;

static struct aws_mutex s_lock = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

static struct aws_event_loop_group *s_server_elg;
static struct aws_event_loop_group *s_client_elg;
static struct aws_host_resolver *s_resolver;
static struct aws_server_bootstrap *s_server_bootstrap;
static struct aws_client_bootstrap *s_client_bootstrap;
static struct aws_event_stream_rpc_server_listener *s_listener;
static uint32_t s_port;
static struct aws_socket_options s_socket_options;

/* Counters the main thread waits on; callbacks bump them then notify. */
static atomic_size_t s_handshaken;
static atomic_size_t s_setup_failures;
static atomic_size_t s_client_shutdowns;
static atomic_size_t s_server_shutdowns;
static atomic_size_t s_conns_done;
static atomic_size_t s_errors;
static atomic_int s_listener_destroyed;

static const char s_echo_op[] = "echo";
static const char s_term_op[] = "term";

static uint64_t s_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void s_die(const char *what) {
    int err = aws_last_error();
    fprintf(stderr, "rpc_bench: %s failed: %d (%s)\n", what, err, aws_error_name(err));
    exit(1);
}

static void s_notify(void) {
    aws_mutex_lock(&s_lock);
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_error(const char *what, int code) {
    fprintf(stderr, "rpc_bench: %s: %d (%s)\n", what, code, aws_error_name(code));
    atomic_fetch_add(&s_errors, 1);
    s_notify();
}

struct wait_target {
    atomic_size_t *counter;
    size_t want;
};

static bool s_reached(void *ctx) {
    struct wait_target *t = ctx;
    return atomic_load(t->counter) >= t->want || atomic_load(&s_errors) > 0;
}

/* Waits until *counter >= want; dies on a callback error or after timeout. */
static void s_wait_for(atomic_size_t *counter, size_t want, uint64_t timeout_ns, const char *what) {
    struct wait_target t = {counter, want};
    uint64_t end = s_now_ns() + timeout_ns;
    aws_mutex_lock(&s_lock);
    while (!s_reached(&t)) {
        uint64_t now = s_now_ns();
        if (now >= end) {
            break;
        }
        aws_condition_variable_wait_for(&s_cv, &s_lock, (int64_t)(end - now));
    }
    aws_mutex_unlock(&s_lock);
    if (atomic_load(&s_errors) > 0) {
        fprintf(stderr, "rpc_bench: a callback failed while waiting for %s\n", what);
        exit(1);
    }
    if (atomic_load(counter) < want) {
        fprintf(stderr, "rpc_bench: timed out waiting for %s (%zu of %zu)\n", what, atomic_load(counter), want);
        exit(1);
    }
}

static void s_flush_noop(int error_code, void *user_data) {
    (void)user_data;
    if (error_code) {
        s_error("message flush", error_code);
    }
}

static struct aws_event_stream_rpc_message_args s_args(
    struct aws_byte_buf *payload,
    enum aws_event_stream_rpc_message_type type,
    uint32_t flags) {
    struct aws_event_stream_rpc_message_args args;
    memset(&args, 0, sizeof(args));
    args.headers = NULL;
    args.headers_count = 0;
    args.payload = payload;
    args.message_type = type;
    args.message_flags = flags;
    return args;
}

static struct aws_byte_buf s_wrap(uint8_t *bytes, size_t len) {
    struct aws_byte_buf buf;
    memset(&buf, 0, sizeof(buf));
    buf.buffer = bytes;
    buf.len = len;
    buf.capacity = len;
    return buf;
}

static uint8_t s_empty_byte;

/* ---- server side ---------------------------------------------------------- */

static void s_srv_echo(
    struct aws_event_stream_rpc_server_continuation_token *token,
    const struct aws_event_stream_rpc_message_args *message_args,
    void *user_data) {
    (void)user_data;
    struct aws_event_stream_rpc_message_args reply =
        s_args(message_args->payload, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0);
    if (aws_event_stream_rpc_server_continuation_send_message(token, &reply, s_flush_noop, NULL)) {
        s_error("server echo send", aws_last_error());
    }
}

static void s_srv_term(
    struct aws_event_stream_rpc_server_continuation_token *token,
    const struct aws_event_stream_rpc_message_args *message_args,
    void *user_data) {
    (void)user_data;
    struct aws_event_stream_rpc_message_args reply = s_args(
        message_args->payload,
        AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE,
        AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM);
    if (aws_event_stream_rpc_server_continuation_send_message(token, &reply, s_flush_noop, NULL)) {
        s_error("server terminate send", aws_last_error());
    }
}

static void s_srv_stream_closed(struct aws_event_stream_rpc_server_continuation_token *token, void *user_data) {
    (void)token;
    (void)user_data;
}

static int s_srv_incoming_stream(
    struct aws_event_stream_rpc_server_connection *connection,
    struct aws_event_stream_rpc_server_continuation_token *token,
    struct aws_byte_cursor operation_name,
    struct aws_event_stream_rpc_server_stream_continuation_options *continuation_options,
    void *user_data) {
    (void)connection;
    (void)token;
    (void)user_data;
    if (operation_name.len == sizeof(s_echo_op) - 1 && memcmp(operation_name.ptr, s_echo_op, operation_name.len) == 0) {
        continuation_options->on_continuation = s_srv_echo;
    } else {
        continuation_options->on_continuation = s_srv_term;
    }
    continuation_options->on_continuation_closed = s_srv_stream_closed;
    continuation_options->user_data = NULL;
    return AWS_OP_SUCCESS;
}

static void s_srv_protocol_message(
    struct aws_event_stream_rpc_server_connection *connection,
    const struct aws_event_stream_rpc_message_args *message_args,
    void *user_data) {
    (void)user_data;
    if (message_args->message_type != AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT) {
        s_error("server got an unexpected protocol message", (int)message_args->message_type);
        return;
    }
    struct aws_byte_buf empty = s_wrap(&s_empty_byte, 0);
    struct aws_event_stream_rpc_message_args ack = s_args(
        &empty, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK, AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED);
    if (aws_event_stream_rpc_server_connection_send_protocol_message(connection, &ack, s_flush_noop, NULL)) {
        s_error("server CONNECT_ACK send", aws_last_error());
    }
}

static int s_srv_new_connection(
    struct aws_event_stream_rpc_server_connection *connection,
    int error_code,
    struct aws_event_stream_rpc_connection_options *connection_options,
    void *user_data) {
    (void)user_data;
    if (error_code || !connection) {
        s_error("server connection setup", error_code);
        return AWS_OP_ERR;
    }
    connection_options->on_incoming_stream = s_srv_incoming_stream;
    connection_options->on_connection_protocol_message = s_srv_protocol_message;
    connection_options->user_data = NULL;
    return AWS_OP_SUCCESS;
}

static void s_srv_connection_shutdown(
    struct aws_event_stream_rpc_server_connection *connection,
    int error_code,
    void *user_data) {
    (void)connection;
    (void)error_code;
    (void)user_data;
    atomic_fetch_add(&s_server_shutdowns, 1);
    s_notify();
}

static void s_srv_listener_destroyed(struct aws_event_stream_rpc_server_listener *server, void *user_data) {
    (void)server;
    (void)user_data;
    atomic_store(&s_listener_destroyed, 1);
    s_notify();
}

/* ---- client connections ------------------------------------------------- */

enum case_kind { CASE_IDLE, CASE_PINGPONG, CASE_PIPE, CASE_STREAMS };

struct bench_case {
    enum case_kind kind;
    struct aws_byte_buf payload;
    int depth; /* messages in flight (pipe) or stream slots (streams) per conn */
    uint64_t measure_start_ns;
    uint64_t deadline_ns;
};

struct conn;

struct stream_slot {
    struct conn *conn;
    struct aws_event_stream_rpc_client_continuation_token *token;
};

struct conn {
    struct aws_event_stream_rpc_client_connection *client;
    struct bench_case *bc;
    struct aws_event_stream_rpc_client_continuation_token *echo_stream;
    /* Touched only on the connection's event-loop thread once the case runs. */
    int in_flight;
    uint64_t sent_ns;
    uint64_t received_total;
    uint64_t received_measured;
    float *latencies_us;
    size_t latency_count;
    struct stream_slot *slots;
    int slots_active;
};

static void s_conn_finished(struct conn *c) {
    (void)c;
    atomic_fetch_add(&s_conns_done, 1);
    s_notify();
}

static void s_cli_setup(struct aws_event_stream_rpc_client_connection *connection, int error_code, void *user_data) {
    struct conn *c = user_data;
    if (error_code || !connection) {
        fprintf(stderr, "rpc_bench: client connect: %d (%s)\n", error_code, aws_error_name(error_code));
        atomic_fetch_add(&s_setup_failures, 1);
        s_notify();
        return;
    }
    /* The setup callback's reference is the channel's; ours lasts until
     * s_close_conns has seen the shutdown. */
    aws_event_stream_rpc_client_connection_acquire(connection);
    c->client = connection;
    struct aws_byte_buf empty = s_wrap(&s_empty_byte, 0);
    struct aws_event_stream_rpc_message_args connect = s_args(&empty, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT, 0);
    if (aws_event_stream_rpc_client_connection_send_protocol_message(connection, &connect, s_flush_noop, NULL)) {
        s_error("client CONNECT send", aws_last_error());
    }
}

static void s_cli_protocol_message(
    struct aws_event_stream_rpc_client_connection *connection,
    const struct aws_event_stream_rpc_message_args *message_args,
    void *user_data) {
    (void)connection;
    (void)user_data;
    if (message_args->message_type != AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK ||
        !(message_args->message_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED)) {
        s_error("client got an unexpected protocol message", (int)message_args->message_type);
        return;
    }
    atomic_fetch_add(&s_handshaken, 1);
    s_notify();
}

static void s_cli_shutdown(struct aws_event_stream_rpc_client_connection *connection, int error_code, void *user_data) {
    (void)connection;
    (void)error_code;
    (void)user_data;
    atomic_fetch_add(&s_client_shutdowns, 1);
    s_notify();
}

/* Dials `n` connections (CONNECT_BATCH at a time) and waits for every
 * CONNECT_ACK. Returns how many are up (all of them, or the program exits). */
static struct conn *s_open_conns(size_t n, struct bench_case *bc) {
    struct conn *conns = calloc(n, sizeof(struct conn));
    if (!conns) {
        fprintf(stderr, "rpc_bench: out of memory\n");
        exit(1);
    }
    size_t base = atomic_load(&s_handshaken);
    for (size_t start = 0; start < n; start += CONNECT_BATCH) {
        size_t end = start + CONNECT_BATCH < n ? start + CONNECT_BATCH : n;
        for (size_t i = start; i < end; ++i) {
            conns[i].bc = bc;
            struct aws_event_stream_rpc_client_connection_options options;
            memset(&options, 0, sizeof(options));
            options.host_name = "127.0.0.1";
            options.port = s_port;
            options.socket_options = &s_socket_options;
            options.bootstrap = s_client_bootstrap;
            options.on_connection_setup = s_cli_setup;
            options.on_connection_protocol_message = s_cli_protocol_message;
            options.on_connection_shutdown = s_cli_shutdown;
            options.user_data = &conns[i];
            if (aws_event_stream_rpc_client_connection_connect(s_alloc, &options)) {
                s_die("aws_event_stream_rpc_client_connection_connect");
            }
        }
        s_wait_for(&s_handshaken, base + end, WAIT_SLACK_NS, "CONNECT_ACKs");
        if (atomic_load(&s_setup_failures) > 0) {
            fprintf(stderr, "rpc_bench: %zu client connections failed to set up\n", atomic_load(&s_setup_failures));
            exit(1);
        }
    }
    return conns;
}

static void s_close_conns(struct conn *conns, size_t n) {
    size_t client_base = atomic_load(&s_client_shutdowns);
    size_t server_base = atomic_load(&s_server_shutdowns);
    for (size_t i = 0; i < n; ++i) {
        aws_event_stream_rpc_client_connection_close(conns[i].client, AWS_ERROR_SUCCESS);
    }
    s_wait_for(&s_client_shutdowns, client_base + n, WAIT_SLACK_NS, "client shutdowns");
    s_wait_for(&s_server_shutdowns, server_base + n, WAIT_SLACK_NS, "server shutdowns");
    for (size_t i = 0; i < n; ++i) {
        aws_event_stream_rpc_client_continuation_release(conns[i].echo_stream);
        aws_event_stream_rpc_client_connection_release(conns[i].client);
        free(conns[i].latencies_us);
        free(conns[i].slots);
    }
    free(conns);
}

/* ---- echo streams (ping-pong and pipelined) ------------------------------- */

static void s_cli_echo(
    struct aws_event_stream_rpc_client_continuation_token *token,
    const struct aws_event_stream_rpc_message_args *message_args,
    void *user_data) {
    struct conn *c = user_data;
    struct bench_case *bc = c->bc;
    uint64_t now = s_now_ns();
    if (!message_args->payload || message_args->payload->len != bc->payload.len ||
        message_args->payload->buffer[0] != bc->payload.buffer[0] ||
        message_args->payload->buffer[bc->payload.len - 1] != bc->payload.buffer[bc->payload.len - 1]) {
        s_error("echoed payload differs", 0);
        return;
    }
    c->received_total++;
    if (now >= bc->measure_start_ns && now < bc->deadline_ns) {
        c->received_measured++;
        if (bc->kind == CASE_PINGPONG && c->latency_count < LATENCY_CAP) {
            c->latencies_us[c->latency_count++] = (float)((double)(now - c->sent_ns) / 1000.0);
        }
    }
    if (now >= bc->deadline_ns) {
        if (--c->in_flight == 0) {
            s_conn_finished(c);
        }
        return;
    }
    c->sent_ns = now;
    struct aws_event_stream_rpc_message_args msg =
        s_args(&bc->payload, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0);
    if (aws_event_stream_rpc_client_continuation_send_message(token, &msg, s_flush_noop, NULL)) {
        s_error("client echo send", aws_last_error());
    }
}

static void s_cli_stream_closed(struct aws_event_stream_rpc_client_continuation_token *token, void *user_data) {
    (void)token;
    (void)user_data;
}

/* Opens the echo stream and puts `depth` messages in flight; the callback
 * keeps that many in flight until the deadline. */
static void s_start_echo(struct conn *c, int depth) {
    struct aws_event_stream_rpc_client_stream_continuation_options options;
    memset(&options, 0, sizeof(options));
    options.on_continuation = s_cli_echo;
    options.on_continuation_closed = s_cli_stream_closed;
    options.user_data = c;
    c->echo_stream = aws_event_stream_rpc_client_connection_new_stream(c->client, &options);
    if (!c->echo_stream) {
        s_die("aws_event_stream_rpc_client_connection_new_stream");
    }
    c->in_flight = depth;
    c->sent_ns = s_now_ns();
    struct aws_event_stream_rpc_message_args msg =
        s_args(&c->bc->payload, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0);
    struct aws_byte_cursor op = aws_byte_cursor_from_c_str(s_echo_op);
    if (aws_event_stream_rpc_client_continuation_activate(c->echo_stream, op, &msg, s_flush_noop, NULL)) {
        s_die("aws_event_stream_rpc_client_continuation_activate");
    }
    for (int i = 1; i < depth; ++i) {
        if (aws_event_stream_rpc_client_continuation_send_message(c->echo_stream, &msg, s_flush_noop, NULL)) {
            s_die("aws_event_stream_rpc_client_continuation_send_message");
        }
    }
}

/* ---- stream churn ---------------------------------------------------------- */

static void s_start_stream(struct stream_slot *slot);

static void s_cli_term_reply(
    struct aws_event_stream_rpc_client_continuation_token *token,
    const struct aws_event_stream_rpc_message_args *message_args,
    void *user_data) {
    (void)token;
    struct stream_slot *slot = user_data;
    if (!(message_args->message_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM)) {
        s_error("stream reply without TERMINATE_STREAM", 0);
        return;
    }
    uint64_t now = s_now_ns();
    slot->conn->received_total++;
    if (now >= slot->conn->bc->measure_start_ns && now < slot->conn->bc->deadline_ns) {
        slot->conn->received_measured++;
    }
}

static void s_cli_term_closed(struct aws_event_stream_rpc_client_continuation_token *token, void *user_data) {
    struct stream_slot *slot = user_data;
    struct conn *c = slot->conn;
    aws_event_stream_rpc_client_continuation_release(token);
    slot->token = NULL;
    if (s_now_ns() >= c->bc->deadline_ns) {
        if (--c->slots_active == 0) {
            s_conn_finished(c);
        }
        return;
    }
    s_start_stream(slot);
}

static void s_start_stream(struct stream_slot *slot) {
    struct conn *c = slot->conn;
    struct aws_event_stream_rpc_client_stream_continuation_options options;
    memset(&options, 0, sizeof(options));
    options.on_continuation = s_cli_term_reply;
    options.on_continuation_closed = s_cli_term_closed;
    options.user_data = slot;
    slot->token = aws_event_stream_rpc_client_connection_new_stream(c->client, &options);
    if (!slot->token) {
        s_error("aws_event_stream_rpc_client_connection_new_stream", aws_last_error());
        return;
    }
    struct aws_event_stream_rpc_message_args msg =
        s_args(&c->bc->payload, AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, 0);
    struct aws_byte_cursor op = aws_byte_cursor_from_c_str(s_term_op);
    if (aws_event_stream_rpc_client_continuation_activate(slot->token, op, &msg, s_flush_noop, NULL)) {
        s_error("aws_event_stream_rpc_client_continuation_activate", aws_last_error());
    }
}

/* ---- cases ------------------------------------------------------------------ */

/* A trailing '$' anchors the filter at the end of the name ("pingpong_c1$"). */
static bool s_selected(const char *name) {
    if (!s_filter) {
        return true;
    }
    size_t len = strlen(s_filter);
    if (len > 0 && s_filter[len - 1] == '$') {
        size_t name_len = strlen(name);
        return name_len >= len - 1 && strncmp(name + name_len - (len - 1), s_filter, len - 1) == 0;
    }
    return strstr(name, s_filter) != NULL;
}

static uint8_t *s_make_payload(size_t len) {
    uint8_t *p = malloc(len);
    if (!p) {
        fprintf(stderr, "rpc_bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < len; ++i) {
        p[i] = (uint8_t)(i * 131u + 7u);
    }
    return p;
}

static double s_cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec * 1e-6;
}

static int s_cmp_float(const void *a, const void *b) {
    float x = *(const float *)a;
    float y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Runs one timed case over `n` fresh connections and prints its RESULT line. */
static void s_run_case(const char *name, enum case_kind kind, size_t n, size_t payload_len, int depth) {
    if (!s_selected(name)) {
        return;
    }
    struct bench_case bc;
    memset(&bc, 0, sizeof(bc));
    bc.kind = kind;
    uint8_t *payload = s_make_payload(payload_len);
    bc.payload = s_wrap(payload, payload_len);
    bc.depth = depth;
    /* No deadline yet: nothing is sent until the case starts. */
    struct conn *conns = s_open_conns(n, &bc);
    for (size_t i = 0; i < n; ++i) {
        if (kind == CASE_PINGPONG) {
            conns[i].latencies_us = malloc(sizeof(float) * LATENCY_CAP);
            if (!conns[i].latencies_us) {
                fprintf(stderr, "rpc_bench: out of memory\n");
                exit(1);
            }
        } else if (kind == CASE_STREAMS) {
            conns[i].slots = calloc((size_t)depth, sizeof(struct stream_slot));
            if (!conns[i].slots) {
                fprintf(stderr, "rpc_bench: out of memory\n");
                exit(1);
            }
            conns[i].slots_active = depth;
            for (int s = 0; s < depth; ++s) {
                conns[i].slots[s].conn = &conns[i];
            }
        }
    }

    uint64_t budget_ns = (uint64_t)(s_budget_s * 1e9);
    size_t done_base = atomic_load(&s_conns_done);
    double cpu_start = s_cpu_s();
    uint64_t start = s_now_ns();
    bc.measure_start_ns = start + budget_ns / 10;
    bc.deadline_ns = bc.measure_start_ns + budget_ns;
    for (size_t i = 0; i < n; ++i) {
        if (kind == CASE_STREAMS) {
            for (int s = 0; s < depth; ++s) {
                s_start_stream(&conns[i].slots[s]);
            }
        } else {
            s_start_echo(&conns[i], kind == CASE_PINGPONG ? 1 : depth);
        }
    }
    s_wait_for(&s_conns_done, done_base + n, budget_ns + budget_ns / 10 + WAIT_SLACK_NS, "the case to finish");
    double cpu_s = s_cpu_s() - cpu_start;

    uint64_t measured = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < n; ++i) {
        measured += conns[i].received_measured;
        total += conns[i].received_total;
    }
    double window_s = (double)budget_ns / 1e9;
    double rate = (double)measured / window_s;
    if (kind == CASE_PINGPONG) {
        size_t count = 0;
        for (size_t i = 0; i < n; ++i) {
            count += conns[i].latency_count;
        }
        float *all = malloc(sizeof(float) * (count ? count : 1));
        if (!all) {
            fprintf(stderr, "rpc_bench: out of memory\n");
            exit(1);
        }
        size_t k = 0;
        for (size_t i = 0; i < n; ++i) {
            memcpy(all + k, conns[i].latencies_us, sizeof(float) * conns[i].latency_count);
            k += conns[i].latency_count;
        }
        qsort(all, count, sizeof(float), s_cmp_float);
        double p50 = count ? all[count / 2] : 0.0;
        double p99 = count ? all[(count * 99) / 100] : 0.0;
        free(all);
        printf(
            "RESULT bench=%s impl=%s conns=%zu p50_us=%.1f p99_us=%.1f msgs_per_s=%.0f\n",
            name,
            s_impl,
            n,
            p50,
            p99,
            rate);
    } else if (kind == CASE_PIPE) {
        printf(
            "RESULT bench=%s impl=%s conns=%zu in_flight=%d payload=%zu msgs_per_s=%.0f mb_per_s=%.1f "
            "cpu_us_per_msg=%.2f\n",
            name,
            s_impl,
            n,
            depth,
            payload_len,
            rate,
            rate * (double)payload_len / 1e6,
            total ? cpu_s * 1e6 / (double)total : 0.0);
    } else {
        printf(
            "RESULT bench=%s impl=%s conns=%zu parallel=%d streams_per_s=%.0f cpu_us_per_stream=%.2f\n",
            name,
            s_impl,
            n,
            depth,
            rate,
            total ? cpu_s * 1e6 / (double)total : 0.0);
    }
    fflush(stdout);
    s_close_conns(conns, n);
    free(payload);
}

static long s_rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0;
    long resident = 0;
    if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2) {
        fprintf(stderr, "rpc_bench: cannot read /proc/self/statm\n");
        exit(1);
    }
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

/* Each connection costs two descriptors here (client and server ends). */
static size_t s_idle_conn_budget(void) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl)) {
        return 0;
    }
    rlim_t want = (rlim_t)IDLE_CONNS * 2 + 256;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur >= want) {
        return IDLE_CONNS;
    }
    return rl.rlim_cur > 512 ? (size_t)(rl.rlim_cur - 256) / 2 : 0;
}

static void s_run_idle_memory(void) {
    const char *name = "rpc_idle_mem";
    if (!s_selected(name)) {
        return;
    }
    size_t n = s_idle_conn_budget();
    if (n == 0) {
        printf("RESULT bench=%s impl=%s conns=0 note=RLIMIT_NOFILE_too_low\n", name, s_impl);
        return;
    }
    struct bench_case bc;
    memset(&bc, 0, sizeof(bc));
    bc.kind = CASE_IDLE;
    /* One connection first, so one-off lazy set-up (resolver thread, pools)
     * is not charged to the idle connections. */
    s_close_conns(s_open_conns(1, &bc), 1);
    long before = s_rss_bytes();
    struct conn *conns = s_open_conns(n, &bc);
    long after = s_rss_bytes();
    printf(
        "RESULT bench=%s impl=%s conns=%zu bytes_per_conn=%.0f rss_delta_kb=%ld sides=client+server_in_one_process\n",
        name,
        s_impl,
        n,
        (double)(after - before) / (double)n,
        (after - before) / 1024);
    fflush(stdout);
    s_close_conns(conns, n);
}

/* ---- setup and teardown ---------------------------------------------------- */

static uint16_t s_threads(void) {
    const char *t = getenv("BENCH_THREADS");
    int n = t && *t ? atoi(t) : 1;
    return (uint16_t)(n > 0 && n < 64 ? n : 1);
}

static struct aws_event_loop_group *s_new_elg(uint16_t loops) {
    struct aws_event_loop_group_options options;
    memset(&options, 0, sizeof(options));
    options.loop_count = loops;
    options.type = AWS_EVENT_LOOP_PLATFORM_DEFAULT;
    struct aws_event_loop_group *elg = aws_event_loop_group_new(s_alloc, &options);
    if (!elg) {
        s_die("aws_event_loop_group_new");
    }
    return elg;
}

static void s_setup(void) {
    uint16_t loops = s_threads();
    s_server_elg = s_new_elg(loops);
    s_client_elg = s_new_elg(loops);

    struct aws_host_resolver_default_options resolver_options;
    memset(&resolver_options, 0, sizeof(resolver_options));
    resolver_options.max_entries = 8;
    resolver_options.el_group = s_client_elg;
    s_resolver = aws_host_resolver_new_default(s_alloc, &resolver_options);
    if (!s_resolver) {
        s_die("aws_host_resolver_new_default");
    }

    s_server_bootstrap = aws_server_bootstrap_new(s_alloc, s_server_elg);
    if (!s_server_bootstrap) {
        s_die("aws_server_bootstrap_new");
    }
    struct aws_client_bootstrap_options client_options;
    memset(&client_options, 0, sizeof(client_options));
    client_options.event_loop_group = s_client_elg;
    client_options.host_resolver = s_resolver;
    s_client_bootstrap = aws_client_bootstrap_new(s_alloc, &client_options);
    if (!s_client_bootstrap) {
        s_die("aws_client_bootstrap_new");
    }

    memset(&s_socket_options, 0, sizeof(s_socket_options));
    s_socket_options.type = AWS_SOCKET_STREAM;
    s_socket_options.domain = AWS_SOCKET_IPV4;
    s_socket_options.connect_timeout_ms = 10000;

    struct aws_event_stream_rpc_server_listener_options listener_options;
    memset(&listener_options, 0, sizeof(listener_options));
    listener_options.host_name = "127.0.0.1";
    listener_options.port = 0;
    listener_options.socket_options = &s_socket_options;
    listener_options.bootstrap = s_server_bootstrap;
    listener_options.on_new_connection = s_srv_new_connection;
    listener_options.on_connection_shutdown = s_srv_connection_shutdown;
    listener_options.on_destroy_callback = s_srv_listener_destroyed;
    s_listener = aws_event_stream_rpc_server_new_listener(s_alloc, &listener_options);
    if (!s_listener) {
        s_die("aws_event_stream_rpc_server_new_listener");
    }
    s_port = aws_event_stream_rpc_server_listener_get_bound_port(s_listener);
    if (s_port == 0) {
        fprintf(stderr, "rpc_bench: listener reports port 0\n");
        exit(1);
    }
}

static bool s_listener_gone(void *ctx) {
    (void)ctx;
    return atomic_load(&s_listener_destroyed) != 0;
}

static void s_teardown(void) {
    aws_event_stream_rpc_server_listener_release(s_listener);
    aws_mutex_lock(&s_lock);
    for (int i = 0; i < 1000 && !s_listener_gone(NULL); ++i) {
        aws_condition_variable_wait_for(&s_cv, &s_lock, 10000000);
    }
    aws_mutex_unlock(&s_lock);
    aws_client_bootstrap_release(s_client_bootstrap);
    aws_server_bootstrap_release(s_server_bootstrap);
    aws_host_resolver_release(s_resolver);
    aws_event_loop_group_release(s_client_elg);
    aws_event_loop_group_release(s_server_elg);
}

int main(int argc, char **argv) {
    s_impl = argc > 1 ? argv[1] : getenv("BENCH_IMPL");
    if (!s_impl || !*s_impl) {
        s_impl = "unknown";
    }
    s_filter = getenv("BENCH_FILTER");
    if (s_filter && !*s_filter) {
        s_filter = NULL;
    }
    const char *quick = getenv("BENCH_QUICK");
    const char *seconds = getenv("BENCH_SECONDS");
    s_budget_s = (quick && *quick && strcmp(quick, "0") != 0) ? 0.2 : 2.0;
    if (seconds && *seconds && atof(seconds) > 0.0) {
        s_budget_s = atof(seconds);
    }

    s_alloc = aws_default_allocator();
    aws_event_stream_library_init(s_alloc);
    s_setup();

    /* Memory first, while the heap is still small and unfragmented. */
    s_run_idle_memory();
    s_run_case("rpc_pingpong_c1", CASE_PINGPONG, 1, SMALL_PAYLOAD, 1);
    s_run_case("rpc_pingpong_c16", CASE_PINGPONG, 16, SMALL_PAYLOAD, 1);
    s_run_case("rpc_pipe64_c1", CASE_PIPE, 1, SMALL_PAYLOAD, PIPE_DEPTH);
    s_run_case("rpc_pipe64_c16", CASE_PIPE, 16, SMALL_PAYLOAD, PIPE_DEPTH);
    s_run_case("rpc_pipe64_c64", CASE_PIPE, 64, SMALL_PAYLOAD, PIPE_DEPTH);
    s_run_case("rpc_pipe4k_c1", CASE_PIPE, 1, LARGE_PAYLOAD, PIPE_DEPTH);
    s_run_case("rpc_pipe4k_c16", CASE_PIPE, 16, LARGE_PAYLOAD, PIPE_DEPTH);
    s_run_case("rpc_pipe4k_c64", CASE_PIPE, 64, LARGE_PAYLOAD, PIPE_DEPTH);
    s_run_case("rpc_streams_c4_p16", CASE_STREAMS, 4, SMALL_PAYLOAD, 16);

    s_teardown();
    aws_event_stream_library_clean_up();
    return 0;
}
