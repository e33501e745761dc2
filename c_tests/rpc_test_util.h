/* Shared by the event-stream RPC tests: a tracing allocator, an event-loop
 * group with both bootstraps, bounded waits on one mutex + condition variable,
 * loopback endpoints (127.0.0.1, ::1, a Unix socket in a mkdtemp dir),
 * RPC message building with the library's own encoder, and a decoded copy of
 * received messages that outlives the callback. */
#ifndef C_TESTS_RPC_TEST_UTIL_H
#define C_TESTS_RPC_TEST_UTIL_H

#include <aws/common/array_list.h>
#include <aws/common/byte_buf.h>
#include <aws/common/clock.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/event-stream/event_stream.h>
#include <aws/event-stream/event_stream_channel_handler.h>
#include <aws/event-stream/event_stream_rpc.h>
#include <aws/io/channel.h>
#include <aws/io/channel_bootstrap.h>
#include <aws/io/event_loop.h>
#include <aws/io/host_resolver.h>
#include <aws/io/io.h>
#include <aws/io/socket.h>

#include <stdio.h>
#include <sys/stat.h>

#include "test_helpers.h"

#define RPC_WAIT_NS (10LL * 1000 * 1000 * 1000)

/* Protocol-error payloads, verbatim from shared/abi/constants.tsv (wire-strings),
 * including upstream's stray ';' in the missing-operation text. */
#define RPC_ERR_CONNECT_NOT_COMPLETED                                                                                  \
    "{ \"message\": \"A CONNECT message must be received, and the CONNECT_ACK must be sent in response, before any "  \
    "other message-types can be sent on this connection. In addition, only one CONNECT message is allowed on a "      \
    "connection.\" }"
#define RPC_ERR_INVALID_STREAM_ID                                                                                      \
    "{ \"message\": \"non-zero stream-id field is only allowed for messages of type APPLICATION_MESSAGE. The stream " \
    "id max value is INT32_MAX.\" }"
#define RPC_ERR_INVALID_CLIENT_STREAM_ID                                                                               \
    "{ \"message\": \"stream-id values must be monotonically incrementing. A stream-id arrived that was lower than "  \
    "the last seen stream-id.\" }"
#define RPC_ERR_INVALID_NEW_CLIENT_STREAM_ID                                                                           \
    "{ \"message\": \"stream-id values must be monotonically incrementing. A new stream-id arrived that was "         \
    "incremented by more than 1.\" }"
#define RPC_ERR_INVALID_MESSAGE_TYPE "{ \"message\": \"an invalid value for message-type field was received.\" }"
#define RPC_ERR_INVALID_MESSAGE                                                                                        \
    "{ \"message\": \"A message was received with missing required fields. Check that your client is sending at "    \
    "least, :message-type, :message-flags, and :stream-id\" }"
#define RPC_ERR_MISSING_OPERATION                                                                                      \
    "{ \"message\": \"The first message for on a non-zero :stream-id must contain an operation header value.\"; }"

static struct aws_allocator *s_alloc;
static struct aws_mutex s_lock = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;
/* Incremented under s_lock by callbacks that record their order. */
static int s_seq __attribute__((unused));

/* Waits (bounded) until pred(arg) holds; pred runs under s_lock. */
static bool s_wait(bool (*pred)(void *), void *arg) {
    aws_mutex_lock(&s_lock);
    bool ok = aws_condition_variable_wait_for_pred(&s_cv, &s_lock, RPC_WAIT_NS, pred, arg) == AWS_OP_SUCCESS;
    aws_mutex_unlock(&s_lock);
    return ok;
}

/* Waits (bounded) until *counter >= target. */
struct counter_wait {
    const int *counter;
    int target;
};
static bool s_counter_reached(void *arg) {
    struct counter_wait *w = arg;
    return *w->counter >= w->target;
}
static bool s_wait_count(const int *counter, int target) {
    struct counter_wait w = {counter, target};
    return s_wait(s_counter_reached, &w);
}

static void s_locked_bump(int *counter) {
    aws_mutex_lock(&s_lock);
    ++*counter;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

/* ---- environment ------------------------------------------------------------------ */

struct rpc_env {
    struct aws_event_loop_group *group;
    struct aws_host_resolver *resolver;
    struct aws_client_bootstrap *client_bootstrap;
    struct aws_server_bootstrap *server_bootstrap;
    char tmpdir[64];
    int unix_count;
};

static void rpc_env_init(struct rpc_env *env, uint16_t loops) {
    AWS_ZERO_STRUCT(*env);
    struct aws_event_loop_group_options elg_options = {.loop_count = loops};
    env->group = aws_event_loop_group_new(s_alloc, &elg_options);
    struct aws_host_resolver_default_options resolver_options = {.max_entries = 8, .el_group = env->group};
    env->resolver = aws_host_resolver_new_default(s_alloc, &resolver_options);
    struct aws_client_bootstrap_options cbo = {.event_loop_group = env->group, .host_resolver = env->resolver};
    env->client_bootstrap = aws_client_bootstrap_new(s_alloc, &cbo);
    env->server_bootstrap = aws_server_bootstrap_new(s_alloc, env->group);
    snprintf(env->tmpdir, sizeof(env->tmpdir), "/tmp/rpc_test_XXXXXX");
    CHECK(mkdtemp(env->tmpdir) != NULL);
    CHECK(env->group && env->resolver && env->client_bootstrap && env->server_bootstrap);
}

static void rpc_env_clean_up(struct rpc_env *env) {
    aws_server_bootstrap_release(env->server_bootstrap);
    aws_client_bootstrap_release(env->client_bootstrap);
    aws_host_resolver_release(env->resolver);
    aws_event_loop_group_release(env->group);
    rmdir(env->tmpdir);
}

/* True if the calling thread is one of the group's loop threads. */
static bool s_on_group_thread(struct rpc_env *env) {
    size_t n = aws_event_loop_group_get_loop_count(env->group);
    for (size_t i = 0; i < n; ++i) {
        if (aws_event_loop_thread_is_callers_thread(aws_event_loop_group_get_loop_at(env->group, i))) {
            return true;
        }
    }
    return false;
}

/* The group loop whose thread is calling, or NULL. */
static struct aws_event_loop *s_current_loop(struct rpc_env *env) {
    size_t n = aws_event_loop_group_get_loop_count(env->group);
    for (size_t i = 0; i < n; ++i) {
        struct aws_event_loop *loop = aws_event_loop_group_get_loop_at(env->group, i);
        if (aws_event_loop_thread_is_callers_thread(loop)) {
            return loop;
        }
    }
    return NULL;
}

/* ---- endpoints ----------------------------------------------------------------------- */

enum rpc_transport { RPC_V4, RPC_V6, RPC_UNIX, RPC_TRANSPORT_COUNT };
static const char *s_transport_name(int t) {
    return t == RPC_V4 ? "v4" : t == RPC_V6 ? "v6" : "unix";
}

struct rpc_endpoint {
    struct aws_socket_options socket_options;
    char host[100]; /* fits a sockaddr_un path */
    uint32_t port;
};

static void rpc_endpoint_init(struct rpc_env *env, enum rpc_transport t, struct rpc_endpoint *ep) {
    AWS_ZERO_STRUCT(*ep);
    ep->socket_options.type = AWS_SOCKET_STREAM;
    ep->socket_options.connect_timeout_ms = 5000;
    switch (t) {
        case RPC_V4:
            ep->socket_options.domain = AWS_SOCKET_IPV4;
            snprintf(ep->host, sizeof(ep->host), "127.0.0.1");
            break;
        case RPC_V6:
            ep->socket_options.domain = AWS_SOCKET_IPV6;
            snprintf(ep->host, sizeof(ep->host), "::1");
            break;
        default:
            ep->socket_options.domain = AWS_SOCKET_LOCAL;
            snprintf(ep->host, sizeof(ep->host), "%s/s%d.sock", env->tmpdir, env->unix_count++);
            break;
    }
}

static void rpc_endpoint_clean_up(struct rpc_endpoint *ep) {
    if (ep->socket_options.domain == AWS_SOCKET_LOCAL) {
        unlink(ep->host);
    }
}

/* Runs `fn(transport)` on every transport, one PASS/FAIL line each. */
#define RUN_ON_ALL_TRANSPORTS(fn)                                                                                      \
    do {                                                                                                               \
        for (int t_ = 0; t_ < RPC_TRANSPORT_COUNT; ++t_) {                                                             \
            int before_ = g_test_failures;                                                                             \
            fn((enum rpc_transport)t_);                                                                                \
            fprintf(stderr, "%s %s/%s\n", g_test_failures == before_ ? "PASS" : "FAIL", #fn, s_transport_name(t_)); \
        }                                                                                                              \
    } while (0)

/* ---- messages ---------------------------------------------------------------------- */

/* Which RPC metadata headers a hand-built message carries. */
enum {
    RPC_HDR_TYPE = 1,
    RPC_HDR_FLAGS = 2,
    RPC_HDR_STREAM_ID = 4,
    RPC_HDR_ALL = 7,
};

/* Encodes an RPC message by hand (so a test can break the rules the RPC
 * senders enforce). `operation` NULL = no operation header. */
static int rpc_encode(struct aws_event_stream_message *out, int which_headers, int32_t type, int32_t flags,
                      int32_t stream_id, const char *operation, const char *payload) {
    struct aws_array_list headers;
    aws_event_stream_headers_list_init(&headers, s_alloc);
    if (which_headers & RPC_HDR_TYPE) {
        aws_event_stream_add_int32_header(&headers, ":message-type", 13, type);
    }
    if (which_headers & RPC_HDR_FLAGS) {
        aws_event_stream_add_int32_header(&headers, ":message-flags", 14, flags);
    }
    if (which_headers & RPC_HDR_STREAM_ID) {
        aws_event_stream_add_int32_header(&headers, ":stream-id", 10, stream_id);
    }
    if (operation) {
        aws_event_stream_add_string_header(&headers, "operation", 9, operation, (uint16_t)strlen(operation), 1);
    }
    struct aws_byte_buf body = aws_byte_buf_from_c_str(payload ? payload : "");
    int rc = aws_event_stream_message_init(out, s_alloc, &headers, &body);
    aws_event_stream_headers_list_cleanup(&headers);
    return rc;
}

/* A received message, copied out of the callback. */
struct rpc_msg {
    bool has_type, has_flags, has_stream_id;
    int32_t type, flags, stream_id;
    char content_type[64];
    char operation[64];
    char payload[512];
    size_t payload_len;
};

static void s_copy_str(char *dst, size_t cap, struct aws_byte_buf value) {
    size_t n = value.len < cap - 1 ? value.len : cap - 1;
    memcpy(dst, value.buffer, n);
    dst[n] = '\0';
}

static bool s_header_is(struct aws_event_stream_header_value_pair *h, const char *name) {
    struct aws_byte_buf n = aws_event_stream_header_name(h);
    return n.len == strlen(name) && memcmp(n.buffer, name, n.len) == 0;
}

/* Fills `out` from a header array (as the RPC callbacks hand it) and payload. */
static void rpc_msg_from_headers(struct rpc_msg *out, struct aws_event_stream_header_value_pair *headers,
                                 size_t count, const uint8_t *payload, size_t payload_len) {
    AWS_ZERO_STRUCT(*out);
    for (size_t i = 0; i < count; ++i) {
        struct aws_event_stream_header_value_pair *h = &headers[i];
        if (s_header_is(h, ":message-type") && h->header_value_type == AWS_EVENT_STREAM_HEADER_INT32) {
            out->has_type = true;
            out->type = aws_event_stream_header_value_as_int32(h);
        } else if (s_header_is(h, ":message-flags") && h->header_value_type == AWS_EVENT_STREAM_HEADER_INT32) {
            out->has_flags = true;
            out->flags = aws_event_stream_header_value_as_int32(h);
        } else if (s_header_is(h, ":stream-id") && h->header_value_type == AWS_EVENT_STREAM_HEADER_INT32) {
            out->has_stream_id = true;
            out->stream_id = aws_event_stream_header_value_as_int32(h);
        } else if (s_header_is(h, ":content-type") && h->header_value_type == AWS_EVENT_STREAM_HEADER_STRING) {
            s_copy_str(out->content_type, sizeof(out->content_type), aws_event_stream_header_value_as_string(h));
        } else if (s_header_is(h, "operation") && h->header_value_type == AWS_EVENT_STREAM_HEADER_STRING) {
            s_copy_str(out->operation, sizeof(out->operation), aws_event_stream_header_value_as_string(h));
        }
    }
    out->payload_len = payload_len;
    size_t n = payload_len < sizeof(out->payload) - 1 ? payload_len : sizeof(out->payload) - 1;
    if (n) {
        memcpy(out->payload, payload, n);
    }
    out->payload[n] = '\0';
}

static void rpc_msg_from_args(struct rpc_msg *out, const struct aws_event_stream_rpc_message_args *args) {
    rpc_msg_from_headers(out, args->headers, args->headers_count, args->payload ? args->payload->buffer : NULL,
                         args->payload ? args->payload->len : 0);
    /* The RPC layer reports type and flags as parsed values too. */
    out->type = (int32_t)args->message_type;
    out->flags = (int32_t)args->message_flags;
}

static void rpc_msg_from_message(struct rpc_msg *out, struct aws_event_stream_message *message) {
    struct aws_array_list headers;
    aws_event_stream_headers_list_init(&headers, s_alloc);
    aws_event_stream_message_headers(message, &headers);
    rpc_msg_from_headers(out, headers.data, aws_array_list_length(&headers), aws_event_stream_message_payload(message),
                         aws_event_stream_message_payload_len(message));
    aws_event_stream_headers_list_cleanup(&headers);
}

/* Args for a message with a plain-text payload and no extra headers. */
static struct aws_event_stream_rpc_message_args rpc_args(struct aws_byte_buf *payload_storage, const char *payload,
                                                         enum aws_event_stream_rpc_message_type type, uint32_t flags) {
    *payload_storage = aws_byte_buf_from_c_str(payload);
    struct aws_event_stream_rpc_message_args args = {
        .headers = NULL,
        .headers_count = 0,
        .payload = payload_storage,
        .message_type = type,
        .message_flags = flags,
    };
    return args;
}

/* ---- program frame ------------------------------------------------------------------ */

static void rpc_test_begin(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_event_stream_library_init(s_alloc);
}

/* Cleans up the libraries, checks nothing is left allocated, returns the exit code. */
static int rpc_test_end(void) {
    aws_event_stream_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    if (aws_mem_tracer_count(s_alloc)) {
        aws_mem_tracer_dump(s_alloc);
    }
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}

#endif
