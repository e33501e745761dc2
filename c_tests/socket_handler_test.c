/* The socket channel handler against our headers, on loopback: a channel on
 * each end of a connection, our socket handler in the first slot and a C
 * application handler in the second (and, in one case, a C transform handler
 * between them). Echo over IPv4, IPv6 and Unix sockets;
 * the peer's close shuts the other channel down with AWS_IO_SOCKET_CLOSED on
 * its loop thread; read back-pressure (a window stops reads, an increment
 * resumes them, at most max_read_size per message); many writes each complete
 * once, in order; statistics. A tracing allocator must end empty. */
#include <aws/common/array_list.h>
#include <aws/io/channel.h>
#include <aws/io/io.h>
#include <aws/io/socket.h>
#include <aws/io/socket_channel_handler.h>
#include <aws/io/statistics.h>
#include <aws/event_stream_rs/handlers.h>

#include "socket_test_util.h"

/* ---- the application handler (second slot) ---------------------------------------- */

struct app {
    struct aws_channel_handler base;
    struct aws_event_loop *loop;
    struct aws_channel *channel;
    struct aws_channel_slot *socket_slot;
    struct aws_channel_slot *slot;
    struct aws_channel_handler *socket_handler;
    struct aws_socket *socket;
    size_t initial_window;
    size_t max_read_size;
    bool back_pressure;
    bool echo;
    bool auto_window;
    bool with_middle; /* put s_middle between the socket handler and this handler */
    bool with_rust_middle; /* put the Rust counting handler there instead */
    struct aws_channel_handler *rust_middle;
    /* observed, under s_mutex */
    uint8_t rx[4096];
    size_t rx_len;
    size_t rx_messages;
    size_t largest_message;
    bool setup_done;
    int setup_error;
    bool shutdown_done;
    int shutdown_error;
    bool shutdown_on_loop;
    int completions;
    int completion_error;
    bool completions_in_order;
    bool completion_on_loop;
    bool read_on_loop;
};

static int s_app_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                      struct aws_io_message *message) {
    struct app *a = handler->impl;
    size_t len = message->message_data.len;
    aws_mutex_lock(&s_mutex);
    a->read_on_loop = aws_channel_thread_is_callers_thread(slot->channel);
    if (a->rx_len < sizeof(a->rx)) {
        size_t keep = sizeof(a->rx) - a->rx_len < len ? sizeof(a->rx) - a->rx_len : len;
        memcpy(a->rx + a->rx_len, message->message_data.buffer, keep);
    }
    a->rx_len += len;
    a->rx_messages++;
    if (len > a->largest_message) {
        a->largest_message = len;
    }
    s_signal();
    aws_mutex_unlock(&s_mutex);

    if (a->echo) {
        struct aws_io_message *out = aws_channel_acquire_message_from_pool(slot->channel, AWS_IO_MESSAGE_APPLICATION_DATA, len);
        CHECK(out != NULL && out->message_data.capacity >= len);
        memcpy(out->message_data.buffer, message->message_data.buffer, len);
        out->message_data.len = len;
        if (aws_channel_slot_send_message(slot, out, AWS_CHANNEL_DIR_WRITE)) {
            aws_mem_release(out->allocator, out);
        }
    }
    aws_mem_release(message->allocator, message);
    if (a->auto_window) {
        aws_channel_slot_increment_read_window(slot, len);
    }
    return AWS_OP_SUCCESS;
}

static int s_app_write(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                       struct aws_io_message *message) {
    (void)handler;
    return aws_channel_slot_send_message(slot, message, AWS_CHANNEL_DIR_WRITE);
}

static int s_app_window(struct aws_channel_handler *handler, struct aws_channel_slot *slot, size_t size) {
    (void)handler;
    return aws_channel_slot_increment_read_window(slot, size);
}

static int s_app_shutdown(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                          enum aws_channel_direction dir, int error_code, bool immediately) {
    (void)handler;
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, immediately);
}

static size_t s_app_initial_window(struct aws_channel_handler *handler) {
    return ((struct app *)handler->impl)->initial_window;
}

static size_t s_app_overhead(struct aws_channel_handler *handler) {
    (void)handler;
    return 0;
}

static void s_app_destroy(struct aws_channel_handler *handler) {
    (void)handler; /* embedded in struct app, owned by the test */
}

static struct aws_channel_handler_vtable s_app_vtable = {
    .process_read_message = s_app_read,
    .process_write_message = s_app_write,
    .increment_read_window = s_app_window,
    .shutdown = s_app_shutdown,
    .initial_window_size = s_app_initial_window,
    .message_overhead = s_app_overhead,
    .destroy = s_app_destroy,
};

/* ---- a C handler between our socket handler and the application ------------------------ */

/* Upper-cases what it reads, passes writes through untouched, counts both and
 * forwards window increments: a transform that sits in the middle slot. */
struct middle {
    struct aws_channel_handler base;
    size_t read_bytes;
    size_t write_bytes;
    size_t window_forwarded;
    bool on_loop;
};

static int s_mid_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                      struct aws_io_message *message) {
    struct middle *m = handler->impl;
    for (size_t i = 0; i < message->message_data.len; ++i) {
        uint8_t c = message->message_data.buffer[i];
        message->message_data.buffer[i] = (uint8_t)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    aws_mutex_lock(&s_mutex);
    m->read_bytes += message->message_data.len;
    m->on_loop = aws_channel_thread_is_callers_thread(slot->channel);
    aws_mutex_unlock(&s_mutex);
    return aws_channel_slot_send_message(slot, message, AWS_CHANNEL_DIR_READ);
}

static int s_mid_write(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                       struct aws_io_message *message) {
    struct middle *m = handler->impl;
    aws_mutex_lock(&s_mutex);
    m->write_bytes += message->message_data.len;
    aws_mutex_unlock(&s_mutex);
    return aws_channel_slot_send_message(slot, message, AWS_CHANNEL_DIR_WRITE);
}

static int s_mid_window(struct aws_channel_handler *handler, struct aws_channel_slot *slot, size_t size) {
    struct middle *m = handler->impl;
    m->window_forwarded += size;
    return aws_channel_slot_increment_read_window(slot, size);
}

static struct aws_channel_handler_vtable s_mid_vtable = {
    .process_read_message = s_mid_read,
    .process_write_message = s_mid_write,
    .increment_read_window = s_mid_window,
    .shutdown = s_app_shutdown,
    .initial_window_size = s_app_initial_window,
    .message_overhead = s_app_overhead,
    .destroy = s_app_destroy,
};

static struct middle s_middle;

/* ---- channel life cycle --------------------------------------------------------------- */

static void s_on_setup(struct aws_channel *channel, int error_code, void *user_data) {
    struct app *a = user_data;
    CHECK(aws_channel_thread_is_callers_thread(channel));
    if (!error_code) {
        /* The first slot of an empty channel becomes its first by itself. */
        a->socket_slot = aws_channel_slot_new(channel);
        CHECK(aws_channel_get_first_slot(channel) == a->socket_slot);
        a->socket_handler = aws_socket_handler_new(s_alloc, a->socket, a->socket_slot, a->max_read_size);
        CHECK(a->socket_handler != NULL);
        CHECK(aws_socket_handler_get_socket(a->socket_handler) == a->socket);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(a->socket_slot, a->socket_handler));
        /* A second reader on the same socket is refused. */
        CHECK(aws_socket_handler_new(s_alloc, a->socket, a->socket_slot, 1024) == NULL);
        CHECK_INT_EQ(AWS_ERROR_IO_ALREADY_SUBSCRIBED, aws_last_error());

        if (a->with_middle) {
            struct aws_channel_slot *mid = aws_channel_slot_new(channel);
            CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_end(channel, mid));
            s_middle.base.vtable = &s_mid_vtable;
            s_middle.base.alloc = s_alloc;
            s_middle.base.impl = &s_middle;
            CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(mid, &s_middle.base));
            CHECK(a->socket_slot->adj_right == mid);
        }
        if (a->with_rust_middle) {
            struct aws_channel_slot *mid = aws_channel_slot_new(channel);
            CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_end(channel, mid));
            a->rust_middle = aws_es_rs_counting_handler_new(s_alloc);
            CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(mid, a->rust_middle));
            CHECK(a->socket_slot->adj_right == mid);
        }
        a->slot = aws_channel_slot_new(channel);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_insert_end(channel, a->slot));
        a->base.vtable = &s_app_vtable;
        a->base.alloc = s_alloc;
        a->base.impl = a;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_set_handler(a->slot, &a->base));
    }
    aws_mutex_lock(&s_mutex);
    a->setup_done = true;
    a->setup_error = error_code;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static void s_on_shutdown(struct aws_channel *channel, int error_code, void *user_data) {
    struct app *a = user_data;
    bool on_loop = aws_channel_thread_is_callers_thread(channel);
    /* As a bootstrap does: destroy the channel, then the socket it owned. */
    aws_channel_destroy(channel);
    CHECK(!aws_socket_is_open(a->socket));
    aws_socket_clean_up(a->socket);
    aws_mem_release(s_alloc, a->socket);
    aws_mutex_lock(&s_mutex);
    a->shutdown_done = true;
    a->shutdown_error = error_code;
    a->shutdown_on_loop = on_loop;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static void s_start_channel(struct app *a, struct aws_socket *socket) {
    a->socket = socket;
    struct aws_channel_options options = {
        .event_loop = a->loop,
        .on_setup_completed = s_on_setup,
        .on_shutdown_completed = s_on_shutdown,
        .setup_user_data = a,
        .shutdown_user_data = a,
        .enable_read_back_pressure = a->back_pressure,
    };
    a->channel = aws_channel_new(s_alloc, &options);
    CHECK(a->channel != NULL);
}

static bool s_setup_pred(void *arg) {
    return ((struct app *)arg)->setup_done;
}
static bool s_shutdown_pred(void *arg) {
    return ((struct app *)arg)->shutdown_done;
}

struct rx_want {
    struct app *a;
    size_t len;
};
static bool s_rx_pred(void *arg) {
    struct rx_want *w = arg;
    return w->a->rx_len >= w->len;
}

/* ---- server and client ends ------------------------------------------------------------ */

static struct app s_server;
static struct app s_client;

static void s_on_accept(struct aws_socket *listener, int error_code, struct aws_socket *new_socket, void *user_data) {
    (void)listener;
    (void)user_data;
    CHECK_INT_EQ(0, error_code);
    if (new_socket) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_assign_to_event_loop(new_socket, s_server.loop));
        s_start_channel(&s_server, new_socket);
    }
}

static void s_on_connect(struct aws_socket *socket, int error_code, void *user_data) {
    struct app *a = user_data;
    CHECK_INT_EQ(0, error_code);
    if (error_code) {
        aws_mutex_lock(&s_mutex);
        a->setup_done = true;
        a->setup_error = error_code;
        s_signal();
        aws_mutex_unlock(&s_mutex);
        return;
    }
    s_start_channel(a, socket);
}

static void s_reset_app(struct app *a, struct aws_event_loop *loop) {
    memset(a, 0, sizeof(*a));
    a->loop = loop;
    a->initial_window = SIZE_MAX;
    a->max_read_size = 16 * 1024;
    a->completions_in_order = true;
}

/* Connects a client channel to a server channel through `listener`. */
static bool s_connect_pair(enum aws_socket_domain domain, struct aws_socket *listener,
                           struct aws_socket_endpoint *endpoint) {
    struct aws_socket_listener_options lo = {.on_accept_result = s_on_accept};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_start_accept(listener, s_server.loop, lo));
    struct aws_socket *client = aws_mem_calloc(s_alloc, 1, sizeof(struct aws_socket));
    struct aws_socket_options options = s_options(domain);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(client, s_alloc, &options));
    struct aws_socket_connect_options co = {.remote_endpoint = endpoint,
                                            .event_loop = s_client.loop,
                                            .on_connection_result = s_on_connect,
                                            .user_data = &s_client};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_connect(client, &co));
    CHECK(s_wait(s_setup_pred, &s_client));
    CHECK(s_wait(s_setup_pred, &s_server));
    return s_client.setup_error == 0 && s_server.setup_error == 0 && s_client.setup_done && s_server.setup_done;
}

/* ---- writing from the client's application slot ---------------------------------------- */

struct send_req {
    struct app *a;
    const uint8_t *data;
    size_t len;
    size_t chunk;
};

static void s_on_write_completion(struct aws_channel *channel, struct aws_io_message *message, int err_code,
                                  void *user_data) {
    struct app *a = user_data;
    aws_mutex_lock(&s_mutex);
    /* message_tag carries the message's index: completions come in order. */
    if (message->message_tag != a->completions) {
        a->completions_in_order = false;
    }
    a->completions++;
    if (err_code) {
        a->completion_error = err_code;
    }
    a->completion_on_loop = aws_channel_thread_is_callers_thread(channel);
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static void s_send_fn(void *arg) {
    struct send_req *r = arg;
    size_t off = 0;
    int tag = 0;
    while (off < r->len) {
        size_t n = r->len - off < r->chunk ? r->len - off : r->chunk;
        struct aws_io_message *m =
            aws_channel_acquire_message_from_pool(r->a->channel, AWS_IO_MESSAGE_APPLICATION_DATA, n);
        CHECK(m != NULL && m->message_data.capacity >= n);
        memcpy(m->message_data.buffer, r->data + off, n);
        m->message_data.len = n;
        m->message_tag = tag++;
        m->on_completion = s_on_write_completion;
        m->user_data = r->a;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_send_message(r->a->slot, m, AWS_CHANNEL_DIR_WRITE));
        off += n;
    }
    /* Completions never run inside send_message. */
    CHECK_INT_EQ(0, r->a->completions);
}

struct count_want {
    struct app *a;
    int n;
};
static bool s_completions_pred(void *arg) {
    struct count_want *w = arg;
    return w->a->completions >= w->n;
}

static void s_shutdown_fn(void *arg) {
    struct app *a = arg;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_shutdown(a->channel, AWS_ERROR_SUCCESS));
}

/* ---- echo ------------------------------------------------------------------------------- */

static void s_test_echo(enum aws_socket_domain domain) {
    struct aws_event_loop_group *group = s_new_group(2);
    s_reset_app(&s_server, aws_event_loop_group_get_loop_at(group, 0));
    s_reset_app(&s_client, aws_event_loop_group_get_loop_at(group, 1));
    s_server.echo = true;

    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, domain, 8, &endpoint));
    if (s_connect_pair(domain, &listener, &endpoint)) {
        static const char text[] = "event-stream says hello through two socket handlers";
        struct send_req r = {.a = &s_client, .data = (const uint8_t *)text, .len = sizeof(text) - 1, .chunk = 10};
        s_run_on_loop(s_client.loop, s_send_fn, &r);
        struct count_want cw = {&s_client, 6};
        CHECK(s_wait(s_completions_pred, &cw));
        struct rx_want w = {&s_client, r.len};
        CHECK(s_wait(s_rx_pred, &w));
        aws_mutex_lock(&s_mutex);
        CHECK_INT_EQ(6, s_client.completions);
        CHECK_INT_EQ(0, s_client.completion_error);
        CHECK(s_client.completions_in_order);
        CHECK(s_client.completion_on_loop);
        CHECK_MEM_EQ(text, r.len, s_client.rx, s_client.rx_len);
        CHECK_INT_EQ(r.len, s_server.rx_len);
        CHECK_MEM_EQ(text, r.len, s_server.rx, s_server.rx_len);
        CHECK(s_client.read_on_loop && s_server.read_on_loop);
        aws_mutex_unlock(&s_mutex);

        /* The client shuts down; the server sees its peer close. */
        s_run_on_loop(s_client.loop, s_shutdown_fn, &s_client);
        CHECK(s_wait(s_shutdown_pred, &s_client));
        CHECK(s_wait(s_shutdown_pred, &s_server));
        aws_mutex_lock(&s_mutex);
        CHECK_INT_EQ(AWS_ERROR_SUCCESS, s_client.shutdown_error);
        CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, s_server.shutdown_error);
        CHECK(s_client.shutdown_on_loop && s_server.shutdown_on_loop);
        aws_mutex_unlock(&s_mutex);
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(&listener));
    aws_socket_clean_up(&listener);
    if (domain == AWS_SOCKET_LOCAL) {
        unlink(endpoint.address);
    }
    s_release_group(group);
}

/* The server runs socket handler | C upper-casing handler | C echo handler: the
 * client gets its text back upper-cased, and the middle handler saw every byte
 * in both directions on the loop thread. */
static void test_middle_handler(void) {
    struct aws_event_loop_group *group = s_new_group(2);
    s_reset_app(&s_server, aws_event_loop_group_get_loop_at(group, 0));
    s_reset_app(&s_client, aws_event_loop_group_get_loop_at(group, 1));
    memset(&s_middle, 0, sizeof(s_middle));
    s_server.echo = true;
    s_server.with_middle = true;

    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, AWS_SOCKET_IPV4, 8, &endpoint));
    if (s_connect_pair(AWS_SOCKET_IPV4, &listener, &endpoint)) {
        static const char text[] = "a c handler sits in the middle, 42 times!";
        static const char upper[] = "A C HANDLER SITS IN THE MIDDLE, 42 TIMES!";
        struct send_req r = {.a = &s_client, .data = (const uint8_t *)text, .len = sizeof(text) - 1, .chunk = 8};
        s_run_on_loop(s_client.loop, s_send_fn, &r);
        struct rx_want w = {&s_client, r.len};
        CHECK(s_wait(s_rx_pred, &w));
        aws_mutex_lock(&s_mutex);
        CHECK_MEM_EQ(upper, r.len, s_client.rx, s_client.rx_len);
        CHECK_MEM_EQ(upper, r.len, s_server.rx, s_server.rx_len);
        CHECK_INT_EQ(r.len, s_middle.read_bytes);
        CHECK_INT_EQ(r.len, s_middle.write_bytes);
        CHECK(s_middle.on_loop);
        aws_mutex_unlock(&s_mutex);

        s_run_on_loop(s_client.loop, s_shutdown_fn, &s_client);
        CHECK(s_wait(s_shutdown_pred, &s_client));
        CHECK(s_wait(s_shutdown_pred, &s_server));
        aws_mutex_lock(&s_mutex);
        CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, s_server.shutdown_error);
        aws_mutex_unlock(&s_mutex);
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(&listener));
    aws_socket_clean_up(&listener);
    s_release_group(group);
}

/* The worked example of HACKING.md: socket handler | Rust counting
 * pass-through | C echo handler. The client gets its text back unchanged and
 * the Rust handler counted every byte both ways. */
struct rust_counts {
    struct app *a;
    uint64_t read;
    uint64_t written;
    bool done;
};

static void s_read_counts(void *arg) {
    struct rust_counts *c = arg;
    aws_es_rs_counting_handler_bytes(c->a->rust_middle, &c->read, &c->written);
    aws_mutex_lock(&s_mutex);
    c->done = true;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static bool s_counts_pred(void *arg) {
    return ((struct rust_counts *)arg)->done;
}

static void test_rust_middle_handler(void) {
    struct aws_event_loop_group *group = s_new_group(2);
    s_reset_app(&s_server, aws_event_loop_group_get_loop_at(group, 0));
    s_reset_app(&s_client, aws_event_loop_group_get_loop_at(group, 1));
    s_server.echo = true;
    s_server.with_rust_middle = true;

    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, AWS_SOCKET_IPV4, 8, &endpoint));
    if (s_connect_pair(AWS_SOCKET_IPV4, &listener, &endpoint)) {
        static const char text[] = "a rust handler sits in the middle, 7 times";
        struct send_req r = {.a = &s_client, .data = (const uint8_t *)text, .len = sizeof(text) - 1, .chunk = 5};
        s_run_on_loop(s_client.loop, s_send_fn, &r);
        struct rx_want w = {&s_client, r.len};
        CHECK(s_wait(s_rx_pred, &w));
        aws_mutex_lock(&s_mutex);
        CHECK_MEM_EQ(text, r.len, s_client.rx, s_client.rx_len);
        aws_mutex_unlock(&s_mutex);
        struct rust_counts counts = {.a = &s_server};
        s_run_on_loop(s_server.loop, s_read_counts, &counts);
        CHECK(s_wait(s_counts_pred, &counts));
        CHECK_INT_EQ(r.len, counts.read);
        CHECK_INT_EQ(r.len, counts.written);

        s_run_on_loop(s_client.loop, s_shutdown_fn, &s_client);
        CHECK(s_wait(s_shutdown_pred, &s_client));
        CHECK(s_wait(s_shutdown_pred, &s_server));
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(&listener));
    aws_socket_clean_up(&listener);
    s_release_group(group);
}

static void test_echo_ipv4(void) {
    s_test_echo(AWS_SOCKET_IPV4);
}
static void test_echo_ipv6(void) {
    s_test_echo(AWS_SOCKET_IPV6);
}
static void test_echo_local(void) {
    s_test_echo(AWS_SOCKET_LOCAL);
}

/* ---- back-pressure and statistics ------------------------------------------------------ */

static void s_open_window_fn(void *arg) {
    struct app *a = arg;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_channel_slot_increment_read_window(a->slot, 90));
}

static void s_noop_fn(void *arg) {
    (void)arg;
}

struct stats_probe {
    struct app *a;
    uint64_t read;
    uint64_t written;
    uint32_t category;
    size_t count;
};

static void s_stats_fn(void *arg) {
    struct stats_probe *p = arg;
    struct aws_array_list list;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_array_list_init_dynamic(&list, s_alloc, 2, sizeof(void *)));
    p->a->socket_handler->vtable->gather_statistics(p->a->socket_handler, &list);
    p->count = aws_array_list_length(&list);
    if (p->count == 1) {
        struct aws_crt_statistics_socket *stats = NULL;
        aws_array_list_get_at(&list, &stats, 0);
        p->read = stats->bytes_read;
        p->written = stats->bytes_written;
        p->category = stats->category;
        p->a->socket_handler->vtable->reset_statistics(p->a->socket_handler);
        CHECK_INT_EQ(0, stats->bytes_read);
    }
    aws_array_list_clean_up(&list);
}

static void test_back_pressure(void) {
    struct aws_event_loop_group *group = s_new_group(2);
    s_reset_app(&s_server, aws_event_loop_group_get_loop_at(group, 0));
    s_reset_app(&s_client, aws_event_loop_group_get_loop_at(group, 1));
    s_server.back_pressure = true;
    s_server.initial_window = 10;
    s_server.max_read_size = 16;

    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, AWS_SOCKET_IPV4, 8, &endpoint));
    if (s_connect_pair(AWS_SOCKET_IPV4, &listener, &endpoint)) {
        uint8_t data[100];
        for (size_t i = 0; i < sizeof(data); i++) {
            data[i] = (uint8_t)(i + 1);
        }
        struct send_req r = {.a = &s_client, .data = data, .len = sizeof(data), .chunk = sizeof(data)};
        s_run_on_loop(s_client.loop, s_send_fn, &r);
        struct count_want cw = {&s_client, 1};
        CHECK(s_wait(s_completions_pred, &cw));

        /* The window lets exactly 10 bytes through... */
        struct rx_want w10 = {&s_server, 10};
        CHECK(s_wait(s_rx_pred, &w10));
        /* ...and no more, however many loop ticks pass (the other 90 bytes
         * came in the same segment as the first 10). */
        for (int i = 0; i < 20; i++) {
            s_run_on_loop(s_server.loop, s_noop_fn, NULL);
        }
        aws_mutex_lock(&s_mutex);
        CHECK_INT_EQ(10, s_server.rx_len);
        aws_mutex_unlock(&s_mutex);

        /* Opening the window resumes reading, max_read_size at a time. */
        size_t messages_before = s_server.rx_messages;
        s_run_on_loop(s_server.loop, s_open_window_fn, &s_server);
        struct rx_want w100 = {&s_server, 100};
        CHECK(s_wait(s_rx_pred, &w100));
        aws_mutex_lock(&s_mutex);
        CHECK_INT_EQ(100, s_server.rx_len);
        CHECK_MEM_EQ(data, sizeof(data), s_server.rx, s_server.rx_len);
        CHECK(s_server.largest_message <= 16);
        CHECK(s_server.rx_messages - messages_before >= 6); /* 90 bytes, 16 per read */
        aws_mutex_unlock(&s_mutex);

        struct stats_probe ps = {.a = &s_server};
        s_run_on_loop(s_server.loop, s_stats_fn, &ps);
        CHECK_INT_EQ(1, ps.count);
        CHECK_INT_EQ(AWSCRT_STAT_CAT_SOCKET, ps.category);
        CHECK_INT_EQ(100, ps.read);
        CHECK_INT_EQ(0, ps.written);
        struct stats_probe pc = {.a = &s_client};
        s_run_on_loop(s_client.loop, s_stats_fn, &pc);
        CHECK_INT_EQ(100, pc.written);
        CHECK_INT_EQ(0, pc.read);

        /* This time the server shuts down; the client sees the close. */
        s_run_on_loop(s_server.loop, s_shutdown_fn, &s_server);
        CHECK(s_wait(s_shutdown_pred, &s_server));
        CHECK(s_wait(s_shutdown_pred, &s_client));
        CHECK_INT_EQ(AWS_ERROR_SUCCESS, s_server.shutdown_error);
        CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, s_client.shutdown_error);
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(&listener));
    aws_socket_clean_up(&listener);
    s_release_group(group);
}

/* ---- many writes ------------------------------------------------------------------------ */

static void test_many_writes(void) {
    struct aws_event_loop_group *group = s_new_group(2);
    s_reset_app(&s_server, aws_event_loop_group_get_loop_at(group, 0));
    s_reset_app(&s_client, aws_event_loop_group_get_loop_at(group, 1));
    s_server.auto_window = true;
    s_server.back_pressure = true;
    s_server.initial_window = 16 * 1024;

    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, AWS_SOCKET_LOCAL, 8, &endpoint));
    if (s_connect_pair(AWS_SOCKET_LOCAL, &listener, &endpoint)) {
        enum { N = 64, CHUNK = 16 * 1024 };
        uint8_t *data = aws_mem_acquire(s_alloc, (size_t)N * CHUNK);
        for (size_t i = 0; i < (size_t)N * CHUNK; i++) {
            data[i] = (uint8_t)(i % 251);
        }
        struct send_req r = {.a = &s_client, .data = data, .len = (size_t)N * CHUNK, .chunk = CHUNK};
        s_run_on_loop(s_client.loop, s_send_fn, &r);
        struct count_want cw = {&s_client, N};
        CHECK(s_wait(s_completions_pred, &cw));
        struct rx_want w = {&s_server, (size_t)N * CHUNK};
        CHECK(s_wait(s_rx_pred, &w));
        aws_mutex_lock(&s_mutex);
        CHECK_INT_EQ(N, s_client.completions);
        CHECK(s_client.completions_in_order);
        CHECK_INT_EQ(0, s_client.completion_error);
        CHECK_INT_EQ((size_t)N * CHUNK, s_server.rx_len);
        /* The first 4 KiB were kept: spot-check them. */
        CHECK_MEM_EQ(data, sizeof(s_server.rx), s_server.rx, sizeof(s_server.rx));
        aws_mutex_unlock(&s_mutex);
        aws_mem_release(s_alloc, data);

        s_run_on_loop(s_client.loop, s_shutdown_fn, &s_client);
        CHECK(s_wait(s_shutdown_pred, &s_client));
        CHECK(s_wait(s_shutdown_pred, &s_server));
        CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, s_server.shutdown_error);
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(&listener));
    aws_socket_clean_up(&listener);
    unlink(endpoint.address);
    s_release_group(group);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    s_make_tmp_dir();
    RUN_TEST(test_echo_ipv4);
    RUN_TEST(test_echo_ipv6);
    RUN_TEST(test_echo_local);
    RUN_TEST(test_middle_handler);
    RUN_TEST(test_rust_middle_handler);
    RUN_TEST(test_back_pressure);
    RUN_TEST(test_many_writes);
    aws_io_library_clean_up();
    rmdir(s_tmp_dir);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
