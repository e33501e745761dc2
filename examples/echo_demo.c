/* echo_demo: an echo server and its clients in one process, over loopback.
 *
 * The server is a server bootstrap listening on 127.0.0.1 (an ephemeral port)
 * whose channels end in a small echo handler: every byte read is written
 * back. Each client is a client bootstrap connection that sends a few text
 * lines from its setup callback, collects the echo and closes once all of it
 * came back. Everything the bootstraps report is printed, then the listener
 * is destroyed and a tracing allocator confirms nothing leaked. */
#include <aws/common/allocator.h>
#include <aws/common/byte_buf.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/io/channel.h>
#include <aws/io/channel_bootstrap.h>
#include <aws/io/event_loop.h>
#include <aws/io/host_resolver.h>
#include <aws/io/io.h>
#include <aws/io/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CLIENTS 3
#define LINES 3
#define WAIT_NS (10LL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_lock = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

struct client {
    int id;
    struct aws_channel_slot *slot;
    struct aws_byte_buf sent;
    struct aws_byte_buf received;
    bool finished;
    int error;
};

static struct {
    size_t accepted, server_closed, bytes_echoed;
    bool listener_gone;
} s_server;

/* ---- one handler for both ends: echo (server) or collect (client) ------------------ */

struct demo_handler {
    struct aws_channel_handler base;
    struct client *client; /* NULL: echo back */
};

static int s_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot, struct aws_io_message *msg) {
    struct demo_handler *h = handler->impl;
    struct aws_byte_cursor data = aws_byte_cursor_from_buf(&msg->message_data);
    if (!h->client) {
        struct aws_io_message *out =
            aws_channel_acquire_message_from_pool(slot->channel, AWS_IO_MESSAGE_APPLICATION_DATA, data.len);
        if (out && out->message_data.capacity >= data.len) {
            aws_byte_buf_write_from_whole_cursor(&out->message_data, data);
            if (aws_channel_slot_send_message(slot, out, AWS_CHANNEL_DIR_WRITE)) {
                aws_mem_release(out->allocator, out);
            }
        } else if (out) {
            aws_mem_release(out->allocator, out);
        }
        aws_mutex_lock(&s_lock);
        s_server.bytes_echoed += data.len;
        aws_mutex_unlock(&s_lock);
    } else {
        struct client *c = h->client;
        aws_byte_buf_append_dynamic(&c->received, &data);
        if (c->received.len == c->sent.len) {
            aws_mutex_lock(&s_lock);
            printf("client %d: got all %zu bytes back:\n%.*s", c->id, c->received.len, (int)c->received.len,
                   (const char *)c->received.buffer);
            aws_mutex_unlock(&s_lock);
            aws_channel_shutdown(slot->channel, AWS_ERROR_SUCCESS);
        }
    }
    aws_mem_release(msg->allocator, msg);
    return AWS_OP_SUCCESS;
}

static int s_write(struct aws_channel_handler *handler, struct aws_channel_slot *slot, struct aws_io_message *msg) {
    (void)handler;
    return aws_channel_slot_send_message(slot, msg, AWS_CHANNEL_DIR_WRITE);
}

static int s_window(struct aws_channel_handler *handler, struct aws_channel_slot *slot, size_t size) {
    (void)handler;
    return aws_channel_slot_increment_read_window(slot, size);
}

static int s_shutdown(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                      enum aws_channel_direction dir, int error_code, bool immediately) {
    (void)handler;
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, immediately);
}

static size_t s_initial_window(struct aws_channel_handler *handler) {
    (void)handler;
    return SIZE_MAX;
}

static size_t s_overhead(struct aws_channel_handler *handler) {
    (void)handler;
    return 0;
}

static void s_destroy(struct aws_channel_handler *handler) {
    aws_mem_release(handler->alloc, handler->impl);
}

static struct aws_channel_handler_vtable s_vtable = {
    .process_read_message = s_read,
    .process_write_message = s_write,
    .increment_read_window = s_window,
    .shutdown = s_shutdown,
    .initial_window_size = s_initial_window,
    .message_overhead = s_overhead,
    .destroy = s_destroy,
};

static struct aws_channel_slot *s_add_handler(struct aws_channel *channel, struct client *client) {
    struct demo_handler *h = aws_mem_calloc(s_alloc, 1, sizeof(struct demo_handler));
    h->base.vtable = &s_vtable;
    h->base.alloc = s_alloc;
    h->base.impl = h;
    h->client = client;
    struct aws_channel_slot *slot = aws_channel_slot_new(channel);
    if (!slot || aws_channel_slot_insert_end(channel, slot) || aws_channel_slot_set_handler(slot, &h->base)) {
        aws_mem_release(s_alloc, h);
        return NULL;
    }
    return slot;
}

/* ---- server callbacks (each on the connection's loop thread) --------------------------- */

static void s_on_incoming(struct aws_server_bootstrap *b, int error_code, struct aws_channel *channel, void *ud) {
    (void)b;
    (void)ud;
    if (error_code) {
        printf("server: accept failed: %s\n", aws_error_name(error_code));
        return;
    }
    s_add_handler(channel, NULL);
    aws_mutex_lock(&s_lock);
    s_server.accepted++;
    printf("server: connection %zu accepted\n", s_server.accepted);
    aws_mutex_unlock(&s_lock);
}

static void s_on_server_shutdown(struct aws_server_bootstrap *b, int error_code, struct aws_channel *channel,
                                 void *ud) {
    (void)b;
    (void)channel;
    (void)ud;
    aws_mutex_lock(&s_lock);
    s_server.server_closed++;
    printf("server: connection closed (%s)\n", error_code ? aws_error_name(error_code) : "clean");
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static void s_on_listener_destroyed(struct aws_server_bootstrap *b, void *ud) {
    (void)b;
    (void)ud;
    aws_mutex_lock(&s_lock);
    s_server.listener_gone = true;
    printf("server: listener destroyed\n");
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

/* ---- client callbacks ---------------------------------------------------------------------- */

static void s_on_client_setup(struct aws_client_bootstrap *b, int error_code, struct aws_channel *channel, void *ud) {
    (void)b;
    struct client *c = ud;
    if (error_code) {
        aws_mutex_lock(&s_lock);
        printf("client %d: connect failed: %s\n", c->id, aws_error_name(error_code));
        c->error = error_code;
        c->finished = true;
        aws_condition_variable_notify_all(&s_cv);
        aws_mutex_unlock(&s_lock);
        return;
    }
    aws_mutex_lock(&s_lock);
    printf("client %d: connected, sending %zu bytes\n", c->id, c->sent.len);
    aws_mutex_unlock(&s_lock);
    c->slot = s_add_handler(channel, c);
    struct aws_io_message *msg =
        aws_channel_acquire_message_from_pool(channel, AWS_IO_MESSAGE_APPLICATION_DATA, c->sent.len);
    aws_byte_buf_write_from_whole_buffer(&msg->message_data, c->sent);
    if (aws_channel_slot_send_message(c->slot, msg, AWS_CHANNEL_DIR_WRITE)) {
        aws_mem_release(msg->allocator, msg);
        aws_channel_shutdown(channel, aws_last_error());
    }
}

static void s_on_client_shutdown(struct aws_client_bootstrap *b, int error_code, struct aws_channel *channel,
                                 void *ud) {
    (void)b;
    (void)channel;
    struct client *c = ud;
    aws_mutex_lock(&s_lock);
    printf("client %d: closed (%s)\n", c->id, error_code ? aws_error_name(error_code) : "clean");
    c->error = error_code;
    c->finished = true;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_lock);
}

static bool s_clients_finished(void *arg) {
    struct client *clients = arg;
    for (int i = 0; i < CLIENTS; ++i) {
        if (!clients[i].finished) {
            return false;
        }
    }
    return s_server.server_closed == CLIENTS;
}

static bool s_listener_gone(void *arg) {
    (void)arg;
    return s_server.listener_gone;
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    int rc = 0;

    struct aws_event_loop_group *group = aws_event_loop_group_new_default(s_alloc, 2, NULL);
    struct aws_host_resolver_default_options ro = {.max_entries = 4, .el_group = group};
    struct aws_host_resolver *resolver = aws_host_resolver_new_default(s_alloc, &ro);
    struct aws_server_bootstrap *server = aws_server_bootstrap_new(s_alloc, group);
    struct aws_client_bootstrap_options co = {.event_loop_group = group, .host_resolver = resolver};
    struct aws_client_bootstrap *client_bootstrap = aws_client_bootstrap_new(s_alloc, &co);

    struct aws_socket_options options = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_IPV4, .connect_timeout_ms = 3000};
    struct aws_server_socket_channel_bootstrap_options lo = {
        .bootstrap = server,
        .host_name = "127.0.0.1",
        .port = 0,
        .socket_options = &options,
        .incoming_callback = s_on_incoming,
        .shutdown_callback = s_on_server_shutdown,
        .destroy_callback = s_on_listener_destroyed,
    };
    struct aws_socket *listener = aws_server_bootstrap_new_socket_listener(&lo);
    if (!listener) {
        fprintf(stderr, "listen failed: %s\n", aws_error_name(aws_last_error()));
        return 1;
    }
    struct aws_socket_endpoint ep;
    aws_socket_get_bound_address(listener, &ep);
    printf("server: listening on %s:%u\n", ep.address, (unsigned)ep.port);

    struct client clients[CLIENTS];
    memset(clients, 0, sizeof(clients));
    for (int i = 0; i < CLIENTS; ++i) {
        clients[i].id = i + 1;
        aws_byte_buf_init(&clients[i].sent, s_alloc, 256);
        aws_byte_buf_init(&clients[i].received, s_alloc, 256);
        for (int line = 1; line <= LINES; ++line) {
            char text[64];
            int n = snprintf(text, sizeof(text), "  client %d says hello #%d\n", i + 1, line);
            struct aws_byte_cursor cur = aws_byte_cursor_from_array(text, (size_t)n);
            aws_byte_buf_append_dynamic(&clients[i].sent, &cur);
        }
        struct aws_socket_channel_bootstrap_options conn = {
            .bootstrap = client_bootstrap,
            .host_name = i == 0 ? "localhost" : "127.0.0.1", /* the first one goes through the resolver */
            .port = ep.port,
            .socket_options = &options,
            .setup_callback = s_on_client_setup,
            .shutdown_callback = s_on_client_shutdown,
            .user_data = &clients[i],
        };
        if (aws_client_bootstrap_new_socket_channel(&conn)) {
            printf("client %d: could not start: %s\n", i + 1, aws_error_name(aws_last_error()));
            clients[i].finished = true;
            rc = 1;
        }
    }

    aws_mutex_lock(&s_lock);
    if (aws_condition_variable_wait_for_pred(&s_cv, &s_lock, WAIT_NS, s_clients_finished, clients)) {
        printf("timed out waiting for the clients\n");
        rc = 1;
    }
    aws_mutex_unlock(&s_lock);

    for (int i = 0; i < CLIENTS; ++i) {
        if (clients[i].error || !aws_byte_buf_eq(&clients[i].sent, &clients[i].received)) {
            rc = 1;
        }
        aws_byte_buf_clean_up(&clients[i].sent);
        aws_byte_buf_clean_up(&clients[i].received);
    }

    aws_server_bootstrap_destroy_socket_listener(server, listener);
    aws_mutex_lock(&s_lock);
    if (aws_condition_variable_wait_for_pred(&s_cv, &s_lock, WAIT_NS, s_listener_gone, NULL)) {
        rc = 1;
    }
    printf("summary: %zu connections accepted, %zu bytes echoed, %zu closed\n", s_server.accepted,
           s_server.bytes_echoed, s_server.server_closed);
    aws_mutex_unlock(&s_lock);

    aws_client_bootstrap_release(client_bootstrap);
    aws_server_bootstrap_release(server);
    aws_host_resolver_release(resolver);
    aws_event_loop_group_release(group);
    aws_io_library_clean_up();
    size_t live = aws_mem_tracer_count(s_alloc);
    printf("allocations still live at exit: %zu\n", live);
    aws_mem_tracer_destroy(s_alloc);
    if (live) {
        rc = 1;
    }
    printf("%s\n", rc ? "echo_demo FAILED" : "echo_demo OK");
    return rc;
}
