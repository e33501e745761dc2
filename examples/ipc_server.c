/* ipc_server: a Greengrass-IPC-style event-stream RPC server on a Unix socket.
 *
 *   ipc_server --unix PATH [--token TOKEN] [--loops N]
 *
 * Speaks enough of the Greengrass core IPC protocol for awsiotsdk's GreengrassCoreIPCClientV2:
 *   CONNECT          payload {"authToken": "..."}; CONNECT_ACK accepted only for TOKEN (default "secret-token")
 *   aws.greengrass#PublishToTopic     delivers the message to every subscriber of the topic, answers
 *                                     PublishToTopicResponse {} and ends the stream
 *   aws.greengrass#SubscribeToTopic   answers SubscribeToTopicResponse {"topicName": ...} and keeps the
 *                                     stream open; each publish arrives as a SubscriptionResponseMessage
 *   aws.greengrass#GetConfiguration   answers GetConfigurationResponse for a fixed configuration document
 *   anything else                     APPLICATION_ERROR aws.greengrass#ServiceError
 * Every response carries ":content-type: application/json" and "service-model-type: <shape name>".
 * Prints "listening on unix:PATH", one line per event, and runs until SIGINT/SIGTERM; exits 0 when
 * everything shut down and the tracing allocator is back at zero bytes. */
#include <aws/common/allocator.h>
#include <aws/common/byte_buf.h>
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
#define MAX_SUBSCRIBERS 64
#define WAIT_NS (5LL * 1000 * 1000 * 1000)

static const char s_configuration[] =
    "{\"greeting\":\"hello from ipc_server\",\"limits\":{\"maxItems\":3,\"ratio\":0.5},\"tags\":[\"a\",\"b\"]}";

static struct aws_allocator *s_alloc;
static const char *s_token = "secret-token";
static struct aws_mutex s_lock = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

struct subscriber {
    struct aws_event_stream_rpc_server_continuation_token *token; /* one reference held by the list */
    struct stream_ctx *stream;
    char topic[128];
};

/* Guarded by s_lock. */
static struct {
    struct aws_event_stream_rpc_server_connection *open[MAX_CONNECTIONS];
    size_t open_count;
    int next_connection_id;
    struct subscriber subscribers[MAX_SUBSCRIBERS];
    size_t subscriber_count;
    bool listener_gone;
} s_state;

struct connection_ctx {
    int id;
    int next_stream_id;
};

struct stream_ctx {
    struct connection_ctx *conn;
    int id;
    char operation[96];
};

#define SAY(...)                                                                                                       \
    do {                                                                                                               \
        aws_mutex_lock(&s_lock);                                                                                       \
        printf(__VA_ARGS__);                                                                                           \
        aws_mutex_unlock(&s_lock);                                                                                     \
    } while (0)

/* ---- just enough JSON: find members and copy strings out of a request -------------------------- */

struct span {
    const char *p;
    size_t len;
};

static const char *s_skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
        ++p;
    }
    return p;
}

/* Returns the end of the JSON value starting at p (strings, objects, arrays, literals), or NULL. */
static const char *s_skip_value(const char *p, const char *end) {
    if (p >= end) {
        return NULL;
    }
    if (*p == '"') {
        for (++p; p < end; ++p) {
            if (*p == '\\') {
                ++p;
            } else if (*p == '"') {
                return p + 1;
            }
        }
        return NULL;
    }
    if (*p == '{' || *p == '[') {
        int depth = 0;
        for (; p < end; ++p) {
            if (*p == '"') {
                p = s_skip_value(p, end);
                if (!p) {
                    return NULL;
                }
                --p;
            } else if (*p == '{' || *p == '[') {
                ++depth;
            } else if ((*p == '}' || *p == ']') && --depth == 0) {
                return p + 1;
            }
        }
        return NULL;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n') {
        ++p;
    }
    return p;
}

/* Steps *cursor to the next array element or object member (its key in *key); false at the end. */
static bool s_next_item(const char **cursor, const char *end, struct span *key, struct span *value) {
    const char *p = s_skip_ws(*cursor, end);
    if (p < end && (*p == ',' || *p == '{' || *p == '[')) {
        p = s_skip_ws(p + 1, end);
    }
    if (p >= end || *p == '}' || *p == ']') {
        return false;
    }
    if (key) {
        const char *key_end = s_skip_value(p, end);
        if (!key_end || *p != '"') {
            return false;
        }
        *key = (struct span){p + 1, (size_t)(key_end - p - 2)};
        p = s_skip_ws(key_end, end);
        if (p >= end || *p != ':') {
            return false;
        }
        p = s_skip_ws(p + 1, end);
    }
    const char *value_end = s_skip_value(p, end);
    if (!value_end) {
        return false;
    }
    *value = (struct span){p, (size_t)(value_end - p)};
    *cursor = value_end;
    return true;
}

static bool s_member(struct span object, const char *name, struct span *value) {
    const char *cursor = object.p;
    const char *end = object.p + object.len;
    if (object.len == 0 || *s_skip_ws(cursor, end) != '{') {
        return false;
    }
    struct span key;
    while (s_next_item(&cursor, end, &key, value)) {
        if (key.len == strlen(name) && memcmp(key.p, name, key.len) == 0) {
            return true;
        }
    }
    return false;
}

/* Copies a JSON string's raw contents (escapes kept as written) into out. */
static bool s_string(struct span value, char *out, size_t cap) {
    if (value.len < 2 || value.p[0] != '"' || value.len - 2 >= cap) {
        return false;
    }
    memcpy(out, value.p + 1, value.len - 2);
    out[value.len - 2] = '\0';
    return true;
}

static bool s_string_member(struct span object, const char *name, char *out, size_t cap) {
    struct span value;
    return s_member(object, name, &value) && s_string(value, out, cap);
}

static void s_append(struct aws_byte_buf *buf, const char *text) {
    struct aws_byte_cursor cur = aws_byte_cursor_from_c_str(text);
    aws_byte_buf_append_dynamic(buf, &cur);
}

static void s_append_span(struct aws_byte_buf *buf, struct span s) {
    struct aws_byte_cursor cur = aws_byte_cursor_from_array(s.p, s.len);
    aws_byte_buf_append_dynamic(buf, &cur);
}

/* ---- sending JSON shapes ------------------------------------------------------------------------- */

static void s_on_flush(int error_code, void *user_data) {
    if (error_code) {
        SAY("  write failed: %s (%s)\n", aws_error_name(error_code), (const char *)user_data);
    }
}

static int s_send_shape(struct aws_event_stream_rpc_server_continuation_token *token, const char *model,
                        struct aws_byte_buf *json, enum aws_event_stream_rpc_message_type type, bool terminate) {
    struct aws_event_stream_header_value_pair headers[2] = {
        aws_event_stream_create_string_header(aws_byte_cursor_from_c_str(":content-type"),
                                              aws_byte_cursor_from_c_str("application/json")),
        aws_event_stream_create_string_header(aws_byte_cursor_from_c_str("service-model-type"),
                                              aws_byte_cursor_from_c_str(model)),
    };
    struct aws_event_stream_rpc_message_args args = {
        .headers = headers,
        .headers_count = 2,
        .payload = json,
        .message_type = type,
        .message_flags = terminate ? AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM : 0,
    };
    return aws_event_stream_rpc_server_continuation_send_message(token, &args, s_on_flush, (void *)model);
}

static void s_reply(struct stream_ctx *s, struct aws_event_stream_rpc_server_continuation_token *token,
                    const char *model, struct aws_byte_buf *json, bool is_error, bool terminate) {
    SAY("connection %d stream %d: %s %s %.*s\n", s->conn->id, s->id, is_error ? "error" : "response", model,
        (int)json->len, (const char *)json->buffer);
    if (s_send_shape(token, model, json,
                     is_error ? AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_ERROR
                              : AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE,
                     terminate)) {
        SAY("connection %d stream %d: send failed: %s\n", s->conn->id, s->id, aws_error_name(aws_last_error()));
    }
}

static void s_service_error(struct stream_ctx *s, struct aws_event_stream_rpc_server_continuation_token *token,
                            const char *model, const char *message, const char *extra_members) {
    struct aws_byte_buf json;
    aws_byte_buf_init(&json, s_alloc, 128);
    s_append(&json, "{\"message\":\"");
    s_append(&json, message);
    s_append(&json, "\"");
    s_append(&json, extra_members);
    s_append(&json, "}");
    s_reply(s, token, model, &json, true, true);
    aws_byte_buf_clean_up(&json);
}

/* ---- operations ----------------------------------------------------------------------------------- */

static void s_subscribe(struct stream_ctx *s, struct aws_event_stream_rpc_server_continuation_token *token,
                        struct span request) {
    char topic[128];
    if (!s_string_member(request, "topic", topic, sizeof(topic))) {
        s_service_error(s, token, "aws.greengrass#InvalidArgumentsError", "topic is required", "");
        return;
    }
    aws_mutex_lock(&s_lock);
    bool full = s_state.subscriber_count == MAX_SUBSCRIBERS;
    if (!full) {
        struct subscriber *sub = &s_state.subscribers[s_state.subscriber_count++];
        aws_event_stream_rpc_server_continuation_acquire(token);
        sub->token = token;
        sub->stream = s;
        snprintf(sub->topic, sizeof(sub->topic), "%s", topic);
        printf("connection %d stream %d: subscribed to \"%s\" (%zu subscriber(s))\n", s->conn->id, s->id, topic,
               s_state.subscriber_count);
    }
    aws_mutex_unlock(&s_lock);
    if (full) {
        s_service_error(s, token, "aws.greengrass#ServiceError", "too many subscribers", "");
        return;
    }
    struct aws_byte_buf json;
    aws_byte_buf_init(&json, s_alloc, 64);
    s_append(&json, "{\"topicName\":\"");
    s_append(&json, topic);
    s_append(&json, "\"}");
    s_reply(s, token, "aws.greengrass#SubscribeToTopicResponse", &json, false, false);
    aws_byte_buf_clean_up(&json);
}

/* Builds the SubscriptionResponseMessage for a publishMessage: the same message plus its topic as context. */
static bool s_subscription_event(struct span publish_message, const char *topic, struct aws_byte_buf *event) {
    static const char *kinds[] = {"jsonMessage", "binaryMessage"};
    for (size_t i = 0; i < 2; ++i) {
        struct span inner;
        struct span message;
        if (s_member(publish_message, kinds[i], &inner) && s_member(inner, "message", &message)) {
            s_append(event, "{\"");
            s_append(event, kinds[i]);
            s_append(event, "\":{\"message\":");
            s_append_span(event, message);
            s_append(event, ",\"context\":{\"topic\":\"");
            s_append(event, topic);
            s_append(event, "\"}}}");
            return true;
        }
    }
    return false;
}

static void s_publish(struct stream_ctx *s, struct aws_event_stream_rpc_server_continuation_token *token,
                      struct span request) {
    char topic[128];
    struct span publish_message;
    struct aws_byte_buf event;
    aws_byte_buf_init(&event, s_alloc, 256);
    if (!s_string_member(request, "topic", topic, sizeof(topic)) ||
        !s_member(request, "publishMessage", &publish_message) ||
        !s_subscription_event(publish_message, topic, &event)) {
        aws_byte_buf_clean_up(&event);
        s_service_error(s, token, "aws.greengrass#InvalidArgumentsError", "topic and publishMessage are required", "");
        return;
    }

    /* Take a reference to each matching subscriber under the lock; send outside it. */
    struct aws_event_stream_rpc_server_continuation_token *targets[MAX_SUBSCRIBERS];
    size_t n = 0;
    aws_mutex_lock(&s_lock);
    for (size_t i = 0; i < s_state.subscriber_count; ++i) {
        if (strcmp(s_state.subscribers[i].topic, topic) == 0) {
            targets[n] = s_state.subscribers[i].token;
            aws_event_stream_rpc_server_continuation_acquire(targets[n++]);
        }
    }
    printf("connection %d stream %d: publish to \"%s\" -> %zu subscriber(s): %.*s\n", s->conn->id, s->id, topic, n,
           (int)event.len, (const char *)event.buffer);
    aws_mutex_unlock(&s_lock);
    for (size_t i = 0; i < n; ++i) {
        if (s_send_shape(targets[i], "aws.greengrass#SubscriptionResponseMessage", &event,
                         AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_APPLICATION_MESSAGE, false)) {
            SAY("  delivery failed: %s\n", aws_error_name(aws_last_error()));
        }
        aws_event_stream_rpc_server_continuation_release(targets[i]);
    }
    aws_byte_buf_clean_up(&event);

    struct aws_byte_buf json = aws_byte_buf_from_c_str("{}");
    s_reply(s, token, "aws.greengrass#PublishToTopicResponse", &json, false, true);
}

static void s_get_configuration(struct stream_ctx *s, struct aws_event_stream_rpc_server_continuation_token *token,
                                struct span request) {
    char component[128] = "ipc_server";
    s_string_member(request, "componentName", component, sizeof(component));

    struct span node = {s_configuration, sizeof(s_configuration) - 1};
    char key[128] = "";
    struct span key_path;
    if (s_member(request, "keyPath", &key_path) && key_path.p[0] == '[') {
        const char *cursor = key_path.p;
        struct span element;
        while (s_next_item(&cursor, key_path.p + key_path.len, NULL, &element)) {
            if (!s_string(element, key, sizeof(key)) || !s_member(node, key, &node)) {
                char extra[200];
                snprintf(extra, sizeof(extra), ",\"resourceType\":\"configuration\",\"resourceName\":\"%s\"", key);
                s_service_error(s, token, "aws.greengrass#ResourceNotFoundError", "no such key", extra);
                return;
            }
        }
    }
    struct aws_byte_buf json;
    aws_byte_buf_init(&json, s_alloc, 256);
    s_append(&json, "{\"componentName\":\"");
    s_append(&json, component);
    s_append(&json, "\",\"value\":");
    if (node.p[0] == '{') {
        s_append_span(&json, node);
    } else { /* a leaf comes back as {"<last key>": value} */
        s_append(&json, "{\"");
        s_append(&json, key);
        s_append(&json, "\":");
        s_append_span(&json, node);
        s_append(&json, "}");
    }
    s_append(&json, "}");
    s_reply(s, token, "aws.greengrass#GetConfigurationResponse", &json, false, true);
    aws_byte_buf_clean_up(&json);
}

/* ---- streams -------------------------------------------------------------------------------------- */

static void s_on_stream_message(struct aws_event_stream_rpc_server_continuation_token *token,
                                const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct stream_ctx *s = user_data;
    if (args->message_flags & AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_TERMINATE_STREAM) {
        SAY("connection %d stream %d: TERMINATE_STREAM from the client\n", s->conn->id, s->id);
        return;
    }
    struct span request = {(const char *)args->payload->buffer, args->payload->len};
    SAY("connection %d stream %d: %s %.*s\n", s->conn->id, s->id, s->operation, (int)request.len, request.p);
    if (strcmp(s->operation, "aws.greengrass#PublishToTopic") == 0) {
        s_publish(s, token, request);
    } else if (strcmp(s->operation, "aws.greengrass#SubscribeToTopic") == 0) {
        s_subscribe(s, token, request);
    } else if (strcmp(s->operation, "aws.greengrass#GetConfiguration") == 0) {
        s_get_configuration(s, token, request);
    } else {
        s_service_error(s, token, "aws.greengrass#ServiceError", "operation not supported by ipc_server", "");
    }
}

static void s_on_stream_closed(struct aws_event_stream_rpc_server_continuation_token *token, void *user_data) {
    struct stream_ctx *s = user_data;
    struct aws_event_stream_rpc_server_continuation_token *unsubscribed = NULL;
    aws_mutex_lock(&s_lock);
    for (size_t i = 0; i < s_state.subscriber_count; ++i) {
        if (s_state.subscribers[i].token == token) {
            unsubscribed = token;
            s_state.subscribers[i] = s_state.subscribers[--s_state.subscriber_count];
            break;
        }
    }
    printf("connection %d stream %d: closed%s\n", s->conn->id, s->id, unsubscribed ? ", unsubscribed" : "");
    aws_mutex_unlock(&s_lock);
    if (unsubscribed) {
        aws_event_stream_rpc_server_continuation_release(unsubscribed);
    }
    aws_mem_release(s_alloc, s);
}

static int s_on_incoming_stream(struct aws_event_stream_rpc_server_connection *connection,
                                struct aws_event_stream_rpc_server_continuation_token *token,
                                struct aws_byte_cursor operation,
                                struct aws_event_stream_rpc_server_stream_continuation_options *options,
                                void *user_data) {
    (void)connection;
    (void)token;
    struct connection_ctx *conn = user_data;
    struct stream_ctx *s = aws_mem_calloc(s_alloc, 1, sizeof(struct stream_ctx));
    s->conn = conn;
    s->id = ++conn->next_stream_id;
    size_t len = operation.len < sizeof(s->operation) - 1 ? operation.len : sizeof(s->operation) - 1;
    memcpy(s->operation, operation.ptr, len);
    options->on_continuation = s_on_stream_message;
    options->on_continuation_closed = s_on_stream_closed;
    options->user_data = s;
    return AWS_OP_SUCCESS;
}

/* ---- connections ------------------------------------------------------------------------------------ */

static void s_on_protocol_message(struct aws_event_stream_rpc_server_connection *connection,
                                  const struct aws_event_stream_rpc_message_args *args, void *user_data) {
    struct connection_ctx *conn = user_data;
    struct aws_event_stream_rpc_message_args reply = {0};
    if (args->message_type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT) {
        char token[256];
        struct span payload = {(const char *)args->payload->buffer, args->payload->len};
        bool good = s_string_member(payload, "authToken", token, sizeof(token)) && strcmp(token, s_token) == 0;
        SAY("connection %d: CONNECT %s -> CONNECT_ACK %s\n", conn->id, good ? "with the right token" : "bad token",
            good ? "accepted" : "rejected");
        reply.message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_CONNECT_ACK;
        reply.message_flags = good ? AWS_EVENT_STREAM_RPC_MESSAGE_FLAG_CONNECTION_ACCEPTED : 0;
    } else if (args->message_type == AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING) {
        reply.message_type = AWS_EVENT_STREAM_RPC_MESSAGE_TYPE_PING_RESPONSE;
        reply.payload = args->payload;
    } else {
        SAY("connection %d: protocol message of type %d ignored\n", conn->id, (int)args->message_type);
        return;
    }
    if (aws_event_stream_rpc_server_connection_send_protocol_message(connection, &reply, s_on_flush, "ack")) {
        SAY("connection %d: send failed: %s\n", conn->id, aws_error_name(aws_last_error()));
    }
}

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
    fprintf(stderr, "usage: ipc_server --unix PATH [--token TOKEN] [--loops N]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *unix_path = NULL;
    uint16_t loops = 1;
    for (int i = 1; i < argc; ++i) {
        if (i + 1 < argc && strcmp(argv[i], "--unix") == 0) {
            unix_path = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--token") == 0) {
            s_token = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--loops") == 0) {
            loops = (uint16_t)strtoul(argv[++i], NULL, 10);
        } else {
            s_usage();
        }
    }
    if (!unix_path) {
        s_usage();
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* Threads started from here on inherit the blocked signals; main waits for them below. */
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
        .domain = AWS_SOCKET_LOCAL,
        .connect_timeout_ms = 3000,
    };
    struct aws_event_stream_rpc_server_listener_options listener_options = {
        .host_name = unix_path,
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
    SAY("listening on unix:%s with %u event loop(s)\n", unix_path, (unsigned)loops);

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    SAY("signal %d: shutting down\n", signal_number);

    int rc = s_close_all() ? 1 : 0;
    aws_event_stream_rpc_server_listener_release(listener);
    aws_mutex_lock(&s_lock);
    if (aws_condition_variable_wait_for_pred(&s_cv, &s_lock, WAIT_NS, s_listener_gone, NULL)) {
        rc = 1;
    }
    printf("listener destroyed after %d connection(s), %zu subscriber(s) left\n", s_state.next_connection_id,
           s_state.subscriber_count);
    rc |= s_state.subscriber_count != 0;
    aws_mutex_unlock(&s_lock);

    aws_server_bootstrap_release(bootstrap);
    aws_event_loop_group_release(group);
    aws_event_stream_library_clean_up();
    size_t live = aws_mem_tracer_bytes(s_alloc);
    printf("bytes still allocated at exit: %zu\n", live);
    aws_mem_tracer_destroy(s_alloc);
    return rc || live ? 1 : 0;
}
