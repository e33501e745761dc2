/* The TLS channel handler against bad input on loopback: a plain TCP peer
 * sending garbage or a plaintext event-stream CONNECT to a TLS port, a peer
 * that stalls half-way through its ClientHello (server-side negotiation
 * timeout), an expired or wrong-host server certificate, a record cut short
 * or corrupted after the handshake (through a small TCP proxy in the test),
 * and interop with the openssl command pinned to TLS 1.2 and 1.3 with ALPN
 * both ways and mutual TLS accepted/refused. Each case checks the exact
 * error code upstream delivers; the tracing allocator ends at 0 bytes. */
#include <aws/common/string.h>
#include <aws/event-stream/event_stream_rpc_server.h>
#include <aws/io/tls_channel_handler.h>

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "bootstrap_echo.h"
#include "tls_test_certs.h"

#define WAIT_NS (10LL * 1000 * 1000 * 1000)

static struct aws_event_loop_group *s_group;
static struct aws_host_resolver *s_resolver;
static struct aws_client_bootstrap *s_client_bootstrap;

/* Extra certificates for this test, signed by tls_test_certs.h's CA: an
 * expired server leaf (openssl 3.0's x509 has no -not_after, so -days -1
 * gives notAfter one day before notBefore, both around now), a leaf for
 * another host name, and a client leaf from the unrelated CA. */
static int s_make_extra_certs(void) {
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "cd '%s' && exec >>gen.log 2>&1 && set -e && "
             "printf 'subjectAltName=DNS:other.example\\n' > other.ext && "
             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days -1 "
             "-extfile leaf.ext -out expired.pem && "
             "openssl req -new -key server.key -subj /CN=other.example -out other.csr && "
             "openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
             "-extfile other.ext -out wrong_host.pem && "
             "openssl x509 -req -in client.csr -CA other_ca.pem -CAkey other_ca.key -CAcreateserial -days 2 "
             "-extfile leaf.ext -out stranger.pem",
             s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- negotiation callback ----------------------------------------------------------- */

struct negotiation {
    int calls;
    int error;
    char protocol[32];
};

static void s_on_negotiation(struct aws_channel_handler *handler, struct aws_channel_slot *slot, int error_code,
                             void *user_data) {
    (void)slot;
    struct negotiation *n = user_data;
    struct aws_byte_buf proto = error_code ? (struct aws_byte_buf){0} : aws_tls_handler_protocol(handler);
    aws_mutex_lock(&s_mutex);
    n->calls++;
    n->error = error_code;
    size_t len = proto.len < sizeof(n->protocol) - 1 ? proto.len : sizeof(n->protocol) - 1;
    if (len) {
        memcpy(n->protocol, proto.buffer, len);
    }
    n->protocol[len] = '\0';
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

/* ---- contexts and endpoints ---------------------------------------------------------- */

static struct aws_tls_ctx *s_server_ctx(const char *cert, bool require_client_cert, const char *alpn) {
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of(cert), path_of("server.key")));
    if (alpn) {
        aws_tls_ctx_options_set_alpn_list(&o, alpn);
    }
    if (require_client_cert) {
        aws_tls_ctx_options_set_verify_peer(&o, true);
        aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL, path_of("ca.pem"));
    }
    struct aws_tls_ctx *ctx = aws_tls_server_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_options_clean_up(&o);
    return ctx;
}

static struct aws_tls_ctx *s_client_ctx(void) {
    struct aws_tls_ctx_options o;
    aws_tls_ctx_options_init_default_client(&o, s_alloc);
    aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL, path_of("ca.pem"));
    struct aws_tls_ctx *ctx = aws_tls_client_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_options_clean_up(&o);
    return ctx;
}

static void s_client_tls_options(struct aws_tls_connection_options *tls, struct aws_tls_ctx *ctx,
                                 struct negotiation *n, const char *alpn) {
    aws_tls_connection_options_init_from_ctx(tls, ctx);
    struct aws_byte_cursor name = aws_byte_cursor_from_c_str("localhost");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_set_server_name(tls, s_alloc, &name));
    if (alpn) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_connection_options_set_alpn_list(tls, s_alloc, alpn));
    }
    aws_tls_connection_options_set_callbacks(tls, s_on_negotiation, NULL, NULL, n);
}

static struct aws_socket_options s_tcp = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_IPV4,
                                          .connect_timeout_ms = 10000};

/* An echo server on 127.0.0.1 with `ctx`, its negotiation results in `n`. */
static void s_server_start(struct echo_server *s, struct aws_tls_ctx *ctx, struct negotiation *n, uint32_t timeout_ms) {
    memset(s, 0, sizeof(*s));
    s->group = s_group;
    s->bootstrap = aws_server_bootstrap_new(s_alloc, s_group);
    struct aws_tls_connection_options tls;
    aws_tls_connection_options_init_from_ctx(&tls, ctx);
    aws_tls_connection_options_set_callbacks(&tls, s_on_negotiation, NULL, NULL, n);
    tls.timeout_ms = timeout_ms;
    CHECK(s_start_tls_listener(s, &tls) != NULL);
    aws_tls_connection_options_clean_up(&tls);
}

static void s_server_stop(struct echo_server *s) {
    CHECK(s_stop_listener(s, WAIT_NS));
    aws_server_bootstrap_release(s->bootstrap);
}

static bool s_incoming_done(void *arg) {
    struct echo_server *s = arg;
    return s->incoming_ok + s->incoming_err > 0;
}

static bool s_negotiated(void *arg) {
    return ((struct negotiation *)arg)->calls > 0;
}

/* ---- a raw TCP peer ------------------------------------------------------------------- */

static int s_raw_connect(uint32_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {.tv_sec = 10};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

static bool s_send_raw(int fd, const void *data, size_t len) {
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads (and drops, e.g. an alert) until the peer closes: true, or the 10 s
 * receive timeout: false. */
static bool s_read_until_closed(int fd) {
    uint8_t buf[4096];
    for (int i = 0; i < 10000; ++i) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            return true;
        }
        if (n < 0) {
            return false;
        }
    }
    return false;
}

/* Sends `data` to a fresh TLS server (negotiation timeout `timeout_ms`) from a
 * plain socket; the server's channel must fail with `expected` through the
 * incoming callback only, and close the connection. */
static void s_raw_peer_fails_server(const void *data, size_t len, uint32_t timeout_ms, int expected) {
    struct aws_tls_ctx *ctx = s_server_ctx("server.pem", false, NULL);
    struct negotiation neg = {0};
    struct echo_server server;
    s_server_start(&server, ctx, &neg, timeout_ms);
    int fd = s_raw_connect(s_listener_port(server.listener));
    CHECK(fd >= 0);
    CHECK(s_send_raw(fd, data, len));
    CHECK(s_wait_for(WAIT_NS, s_incoming_done, &server));
    CHECK(s_read_until_closed(fd));
    close(fd);
    s_server_stop(&server);
    CHECK_INT_EQ(0, server.incoming_ok);
    CHECK_INT_EQ(1, server.incoming_err);
    CHECK_INT_EQ(expected, server.last_incoming_error);
    CHECK(aws_error_code_is_tls(server.last_incoming_error));
    /* As upstream's bootstrap: a failed incoming channel gets no shutdown callback. */
    CHECK_INT_EQ(0, server.shutdowns);
    CHECK_INT_EQ(0, server.wrong_thread);
    if (expected == AWS_IO_TLS_NEGOTIATION_TIMEOUT) {
        CHECK_INT_EQ(0, neg.calls);
    } else {
        CHECK_INT_EQ(1, neg.calls);
        CHECK_INT_EQ(expected, neg.error);
    }
    aws_tls_ctx_release(ctx);
}

/* 1. */
static void test_garbage_instead_of_client_hello(void) {
    static uint8_t garbage[4096];
    memset(garbage, 0x41, sizeof(garbage));
    s_raw_peer_fails_server(garbage, sizeof(garbage), 0, AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE);
}

/* 3. A handshake record header announcing 512 bytes, a ClientHello header,
 * and then nothing: the server waits for the rest until its timeout. */
static void test_half_client_hello_times_out(void) {
    const uint8_t half[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 1, 2, 3, 4, 5, 6, 7, 8};
    s_raw_peer_fails_server(half, sizeof(half), 300, AWS_IO_TLS_NEGOTIATION_TIMEOUT);
}

/* ---- 2. plaintext RPC CONNECT to a TLS RPC listener ------------------------------------- */

struct rpc_user {
    int new_conn_calls, new_conn_error, new_conn_with_connection;
    int shutdown_calls, destroy_calls;
};

static int s_rpc_on_stream(struct aws_event_stream_rpc_server_connection *connection,
                           struct aws_event_stream_rpc_server_continuation_token *token,
                           struct aws_byte_cursor operation_name,
                           struct aws_event_stream_rpc_server_stream_continuation_options *continuation_options,
                           void *user_data) {
    (void)connection, (void)token, (void)operation_name, (void)continuation_options, (void)user_data;
    return AWS_OP_ERR;
}

static void s_rpc_on_message(struct aws_event_stream_rpc_server_connection *connection,
                             const struct aws_event_stream_rpc_message_args *message_args, void *user_data) {
    (void)connection, (void)message_args, (void)user_data;
}

static int s_rpc_on_new_connection(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                                   struct aws_event_stream_rpc_connection_options *options, void *user_data) {
    struct rpc_user *u = user_data;
    aws_mutex_lock(&s_mutex);
    u->new_conn_calls++;
    u->new_conn_error = error_code;
    u->new_conn_with_connection += connection != NULL;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
    if (options) {
        options->on_incoming_stream = s_rpc_on_stream;
        options->on_connection_protocol_message = s_rpc_on_message;
        options->user_data = u;
    }
    return AWS_OP_SUCCESS;
}

static void s_rpc_on_shutdown(struct aws_event_stream_rpc_server_connection *connection, int error_code,
                              void *user_data) {
    (void)connection, (void)error_code;
    struct rpc_user *u = user_data;
    aws_mutex_lock(&s_mutex);
    u->shutdown_calls++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static void s_rpc_on_destroy(struct aws_event_stream_rpc_server_listener *listener, void *user_data) {
    (void)listener;
    struct rpc_user *u = user_data;
    aws_mutex_lock(&s_mutex);
    u->destroy_calls++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_rpc_new_conn(void *arg) {
    return ((struct rpc_user *)arg)->new_conn_calls > 0;
}

static bool s_rpc_destroyed(void *arg) {
    return ((struct rpc_user *)arg)->destroy_calls > 0;
}

/* Upstream's RPC listener passes a failed incoming channel on to the user as
 * on_new_connection(NULL, error): the user hears of it, but no connection
 * ever exists and on_connection_shutdown is never called. */
static void test_plaintext_rpc_connect_to_tls_listener(void) {
    char path[512];
    const char *dir = getenv("AWS_ES_VECTORS_DIR");
    snprintf(path, sizeof(path), "%s/rpc_connect.bin", dir ? dir : "../shared/vectors");
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f) {
        return;
    }
    uint8_t frame[1024];
    size_t frame_len = fread(frame, 1, sizeof(frame), f);
    fclose(f);
    CHECK(frame_len > 16);

    struct aws_tls_ctx *ctx = s_server_ctx("server.pem", false, NULL);
    struct aws_tls_connection_options tls;
    aws_tls_connection_options_init_from_ctx(&tls, ctx);
    struct aws_server_bootstrap *bootstrap = aws_server_bootstrap_new(s_alloc, s_group);
    struct rpc_user u = {0};
    struct aws_event_stream_rpc_server_listener_options lo = {
        .host_name = "127.0.0.1",
        .port = 0,
        .socket_options = &s_tcp,
        .tls_options = &tls,
        .bootstrap = bootstrap,
        .on_new_connection = s_rpc_on_new_connection,
        .on_connection_shutdown = s_rpc_on_shutdown,
        .on_destroy_callback = s_rpc_on_destroy,
        .user_data = &u,
    };
    struct aws_event_stream_rpc_server_listener *listener = aws_event_stream_rpc_server_new_listener(s_alloc, &lo);
    CHECK(listener != NULL);
    aws_tls_connection_options_clean_up(&tls);
    if (listener) {
        int fd = s_raw_connect(aws_event_stream_rpc_server_listener_get_bound_port(listener));
        CHECK(fd >= 0);
        CHECK(s_send_raw(fd, frame, frame_len));
        CHECK(s_wait_for(WAIT_NS, s_rpc_new_conn, &u));
        CHECK(s_read_until_closed(fd));
        close(fd);
        aws_event_stream_rpc_server_listener_release(listener);
        CHECK(s_wait_for(WAIT_NS, s_rpc_destroyed, &u));
    }
    CHECK_INT_EQ(1, u.new_conn_calls);
    CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, u.new_conn_error);
    CHECK_INT_EQ(0, u.new_conn_with_connection);
    CHECK_INT_EQ(0, u.shutdown_calls);
    aws_server_bootstrap_release(bootstrap);
    aws_tls_ctx_release(ctx);
}

/* ---- 4. certificates the client must refuse --------------------------------------------- */

static void s_client_refuses(const char *server_cert) {
    struct aws_tls_ctx *server_ctx = s_server_ctx(server_cert, false, NULL);
    struct aws_tls_ctx *client_ctx = s_client_ctx();
    struct negotiation server_neg = {0}, client_neg = {0};
    struct echo_server server;
    s_server_start(&server, server_ctx, &server_neg, 0);
    struct aws_tls_connection_options tls;
    s_client_tls_options(&tls, client_ctx, &client_neg, NULL);
    struct echo_conn c = {.group = s_group, .messages = 1, .message_size = 10};
    s_fill_pattern(&c, 4);
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client_bootstrap,
        .host_name = "127.0.0.1",
        .port = s_listener_port(server.listener),
        .socket_options = &s_tcp,
        .tls_options = &tls,
        .setup_callback = s_client_setup,
        .shutdown_callback = s_client_shutdown,
        .user_data = &c,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&co));
    aws_tls_connection_options_clean_up(&tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK_INT_EQ(1, c.setup_calls);
    CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, c.setup_error);
    CHECK_INT_EQ(0, c.shutdown_calls);
    CHECK_INT_EQ(1, client_neg.calls);
    CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, client_neg.error);
    /* The client's alert fails the server's negotiation too. */
    CHECK(s_wait_for(WAIT_NS, s_incoming_done, &server));
    s_server_stop(&server);
    CHECK_INT_EQ(0, server.incoming_ok);
    CHECK_INT_EQ(1, server.incoming_err);
    CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, server.last_incoming_error);
    CHECK_INT_EQ(0, server.shutdowns);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

static void test_expired_server_certificate(void) {
    s_client_refuses("expired.pem");
}

static void test_wrong_host_server_certificate(void) {
    s_client_refuses("wrong_host.pem");
}

/* ---- 5. a bad record after the handshake, through a TCP proxy ------------------------------ */

/* Relays one connection between our client and our server; on request (a
 * byte on `wake`) it writes `inject` to the client, then either closes both
 * sides (a record cut short by EOF) or goes on relaying. */
struct proxy {
    int listen_fd, wake[2];
    uint32_t port, target_port;
    const uint8_t *inject;
    size_t inject_len;
    bool close_after_inject;
    pthread_t thread;
};

static bool s_relay(int from, int to) {
    uint8_t buf[16384];
    ssize_t n = recv(from, buf, sizeof(buf), 0);
    return n > 0 && s_send_raw(to, buf, (size_t)n);
}

static void *s_proxy_main(void *arg) {
    struct proxy *p = arg;
    struct pollfd lp = {.fd = p->listen_fd, .events = POLLIN};
    if (poll(&lp, 1, 10000) != 1) {
        return NULL;
    }
    int client = accept(p->listen_fd, NULL, NULL);
    int server = s_raw_connect(p->target_port);
    /* Bounded: every wait is at most 10 s and the test ends within a few. */
    for (int i = 0; client >= 0 && server >= 0 && i < 100000; ++i) {
        struct pollfd fds[3] = {{.fd = client, .events = POLLIN}, {.fd = server, .events = POLLIN},
                                {.fd = p->wake[0], .events = POLLIN}};
        if (poll(fds, 3, 10000) <= 0) {
            break;
        }
        if ((fds[0].revents && !s_relay(client, server)) || (fds[1].revents && !s_relay(server, client))) {
            break;
        }
        if (fds[2].revents) {
            uint8_t b;
            (void)!read(p->wake[0], &b, 1);
            if (!s_send_raw(client, p->inject, p->inject_len) || p->close_after_inject) {
                break;
            }
        }
    }
    if (client >= 0) {
        close(client);
    }
    if (server >= 0) {
        close(server);
    }
    return NULL;
}

static bool s_proxy_start(struct proxy *p, uint32_t target_port) {
    p->target_port = target_port;
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(p->listen_fd, 1) != 0 || getsockname(p->listen_fd, (struct sockaddr *)&addr, &len) != 0 ||
        pipe(p->wake) != 0) {
        return false;
    }
    p->port = ntohs(addr.sin_port);
    return pthread_create(&p->thread, NULL, s_proxy_main, p) == 0;
}

static void s_proxy_join(struct proxy *p) {
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
    close(p->wake[0]);
    close(p->wake[1]);
}

/* The client side: counts decrypted bytes (under s_mutex) and never closes. */
static size_t s_counted;

static int s_count_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                        struct aws_io_message *message) {
    (void)handler, (void)slot;
    aws_mutex_lock(&s_mutex);
    s_counted += message->message_data.len;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
    aws_mem_release(message->allocator, message);
    return AWS_OP_SUCCESS;
}

static struct aws_channel_handler_vtable s_count_vtable = {
    .process_read_message = s_count_read,
    .process_write_message = s_echo_process_write,
    .increment_read_window = s_echo_increment_window,
    .shutdown = s_echo_shutdown,
    .initial_window_size = s_echo_initial_window,
    .message_overhead = s_echo_overhead,
    .destroy = s_echo_destroy,
};

static bool s_all_counted(void *arg) {
    return s_counted >= ((struct echo_conn *)arg)->sent.len;
}

static void s_count_setup(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                          void *user_data) {
    (void)bootstrap;
    struct echo_conn *c = user_data;
    if (!error_code) {
        c->channel = channel;
        c->slot = s_add_echo_handler(channel, NULL, c);
        CHECK(c->slot != NULL);
        if (c->slot) {
            c->slot->handler->vtable = &s_count_vtable;
            s_send_all(c);
        }
    }
    aws_mutex_lock(&s_mutex);
    c->setup_calls++;
    c->setup_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_client_closed(void *arg) {
    return ((struct echo_conn *)arg)->shutdown_calls > 0;
}

/* Our client echoes 64 bytes with our server through the proxy (so every
 * handshake and ticket byte has been relayed), then the proxy injects. */
static void s_bad_record_round(const uint8_t *inject, size_t len, bool close_after, int expected) {
    struct aws_tls_ctx *server_ctx = s_server_ctx("server.pem", false, NULL);
    struct aws_tls_ctx *client_ctx = s_client_ctx();
    struct negotiation server_neg = {0}, client_neg = {0};
    struct echo_server server;
    s_server_start(&server, server_ctx, &server_neg, 0);
    struct proxy p = {.inject = inject, .inject_len = len, .close_after_inject = close_after};
    CHECK(s_proxy_start(&p, s_listener_port(server.listener)));
    struct aws_tls_connection_options tls;
    s_client_tls_options(&tls, client_ctx, &client_neg, NULL);
    struct echo_conn c = {.group = s_group, .messages = 1, .message_size = 64};
    s_fill_pattern(&c, 6);
    s_counted = 0;
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client_bootstrap,
        .host_name = "127.0.0.1",
        .port = p.port,
        .socket_options = &s_tcp,
        .tls_options = &tls,
        .setup_callback = s_count_setup,
        .shutdown_callback = s_client_shutdown,
        .user_data = &c,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&co));
    aws_tls_connection_options_clean_up(&tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_set_up, &c));
    CHECK_INT_EQ(0, c.setup_error);
    /* The server's echo handler is the stock one: it echoes. */
    CHECK(s_wait_for(WAIT_NS, s_all_counted, &c));
    CHECK_INT_EQ(64, s_counted);
    CHECK_INT_EQ(1, write(p.wake[1], "x", 1));
    CHECK(s_wait_for(WAIT_NS, s_client_closed, &c));
    CHECK_INT_EQ(1, c.shutdown_calls);
    CHECK_INT_EQ(expected, c.shutdown_error);
    s_proxy_join(&p);
    CHECK(s_wait_for(WAIT_NS, s_incoming_done, &server));
    s_server_stop(&server);
    CHECK_INT_EQ(1, server.incoming_ok);
    CHECK_INT_EQ(1, server.shutdowns);
    CHECK_INT_EQ(64, server.bytes_echoed);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

/* Half an application-data record, then EOF: the socket handler sees the
 * close first, so the channel shuts down with AWS_IO_SOCKET_CLOSED (as
 * upstream: s2n only buffers the partial record, it never reports it). */
static void test_truncated_record_then_eof(void) {
    uint8_t half[5 + 40] = {0x17, 0x03, 0x03, 0x00, 0x50};
    memset(half + 5, 0x5a, 40);
    s_bad_record_round(half, sizeof(half), true, AWS_IO_SOCKET_CLOSED);
}

/* A whole record that does not decrypt: AWS_IO_TLS_ERROR_READ_FAILURE, as
 * upstream's s2n handler on a fatal s2n_recv error. */
static void test_corrupt_record_after_handshake(void) {
    uint8_t bad[5 + 48] = {0x17, 0x03, 0x03, 0x00, 0x30};
    memset(bad + 5, 0xa5, 48);
    s_bad_record_round(bad, sizeof(bad), false, AWS_IO_TLS_ERROR_READ_FAILURE);
}

/* ---- 6. interop with the openssl command ------------------------------------------------- */

/* Echoes, and closes the connection once a newline came through. */
static int s_echo_line_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                            struct aws_io_message *message) {
    bool newline = memchr(message->message_data.buffer, '\n', message->message_data.len) != NULL;
    int rc = s_echo_process_read(handler, slot, message);
    if (newline) {
        aws_channel_shutdown(slot->channel, AWS_ERROR_SUCCESS);
    }
    return rc;
}

/* Runs `cmd` (bounded by `timeout` inside it); its output goes to `out`. */
static int s_run(const char *cmd, char *out, size_t cap) {
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    if (!p) {
        return -1;
    }
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    return pclose(p);
}

/* s_client pinned to `version` with ALPN h2 against our server offering h2. */
static void s_s_client_round(const char *version, const char *expect_version) {
    s_echo_vtable.process_read_message = s_echo_line_read;
    struct aws_tls_ctx *ctx = s_server_ctx("server.pem", false, "h2;http/1.1");
    struct negotiation neg = {0};
    struct echo_server server;
    s_server_start(&server, ctx, &neg, 0);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "printf 'pinned\\n' | timeout 10 openssl s_client %s -alpn h2 -connect 127.0.0.1:%u "
             "-servername localhost -CAfile '%s' -verify_return_error -ign_eof 2>&1",
             version, (unsigned)s_listener_port(server.listener), path_of("ca.pem"));
    static char out[16384];
    int status = s_run(cmd, out, sizeof(out));
    CHECK_INT_EQ(0, status);
    CHECK(strstr(out, expect_version) != NULL);
    CHECK(strstr(out, "ALPN protocol: h2") != NULL);
    CHECK(strstr(out, "\npinned\n") != NULL);
    CHECK(s_wait_for(WAIT_NS, s_negotiated, &neg));
    CHECK_INT_EQ(0, neg.error);
    CHECK_STR_EQ("h2", neg.protocol);
    s_server_stop(&server);
    CHECK_INT_EQ(1, server.incoming_ok);
    s_echo_vtable.process_read_message = s_echo_process_read;
    aws_tls_ctx_release(ctx);
}

static void test_openssl_s_client_tls12_alpn(void) {
    s_s_client_round("-tls1_2", "New, TLSv1.2");
}

static void test_openssl_s_client_tls13_alpn(void) {
    s_s_client_round("-tls1_3", "New, TLSv1.3");
}

/* Our client (ALPN x-other;h2) against s_server pinned to `version` with ALPN h2. */
static void s_s_server_round(const char *version) {
    char extra[64];
    snprintf(extra, sizeof(extra), "%s -alpn h2", version);
    uint32_t port = 0;
    FILE *p = s_openssl_s_server(extra, 10, &port);
    CHECK(p != NULL);
    if (!p) {
        return;
    }
    struct aws_tls_ctx *ctx = s_client_ctx();
    struct negotiation neg = {0};
    struct aws_tls_connection_options tls;
    s_client_tls_options(&tls, ctx, &neg, "x-other;h2");
    struct echo_conn c = {.group = s_group, .messages = 1, .message_size = 6};
    aws_byte_buf_init(&c.sent, s_alloc, 6);
    struct aws_byte_cursor hello = aws_byte_cursor_from_c_str("hello\n");
    aws_byte_buf_append(&c.sent, &hello);
    aws_byte_buf_init(&c.received, s_alloc, 16);
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client_bootstrap,
        .host_name = "127.0.0.1",
        .port = port,
        .socket_options = &s_tcp,
        .tls_options = &tls,
        .setup_callback = s_client_setup,
        .shutdown_callback = s_client_shutdown,
        .user_data = &c,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&co));
    aws_tls_connection_options_clean_up(&tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK_INT_EQ(0, c.setup_error);
    CHECK_INT_EQ(0, neg.error);
    CHECK_STR_EQ("h2", neg.protocol);
    CHECK_MEM_EQ("olleh\n", 6, c.received.buffer, c.received.len);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, c.shutdown_error);
    /* s_server's own report of the version it spoke. */
    static char rest[16384];
    size_t n = fread(rest, 1, sizeof(rest) - 1, p);
    rest[n] = '\0';
    pclose(p);
    CHECK(strstr(rest, strcmp(version, "-tls1_2") == 0 ? "TLSv1.2" : "TLSv1.3") != NULL);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(ctx);
}

static void test_our_client_against_s_server_tls12_alpn(void) {
    s_s_server_round("-tls1_2");
}

static void test_our_client_against_s_server_tls13_alpn(void) {
    s_s_server_round("-tls1_3");
}

/* s_client with `client_cert` (NULL: none) against our server that requires one. */
static void s_mtls_round(const char *client_cert, bool accepted) {
    s_echo_vtable.process_read_message = s_echo_line_read;
    struct aws_tls_ctx *ctx = s_server_ctx("server.pem", true, NULL);
    struct negotiation neg = {0};
    struct echo_server server;
    s_server_start(&server, ctx, &neg, 0);
    char creds[512] = "";
    if (client_cert) {
        snprintf(creds, sizeof(creds), "-cert '%s' -key '%s'", path_of(client_cert), path_of("client.key"));
    }
    char cmd[1536];
    snprintf(cmd, sizeof(cmd),
             "printf 'mutual\\n' | timeout 10 openssl s_client %s -connect 127.0.0.1:%u -servername localhost "
             "-CAfile '%s' -ign_eof -quiet 2>/dev/null",
             creds, (unsigned)s_listener_port(server.listener), path_of("ca.pem"));
    char out[256];
    int status = s_run(cmd, out, sizeof(out));
    CHECK(s_wait_for(WAIT_NS, s_incoming_done, &server));
    s_server_stop(&server);
    if (accepted) {
        CHECK_INT_EQ(0, status);
        CHECK_STR_EQ("mutual\n", out);
        CHECK_INT_EQ(1, server.incoming_ok);
        CHECK_INT_EQ(0, neg.error);
    } else {
        CHECK(strstr(out, "mutual") == NULL);
        CHECK_INT_EQ(0, server.incoming_ok);
        CHECK_INT_EQ(1, server.incoming_err);
        CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, server.last_incoming_error);
        CHECK_INT_EQ(1, neg.calls);
        CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, neg.error);
    }
    s_echo_vtable.process_read_message = s_echo_process_read;
    aws_tls_ctx_release(ctx);
}

static void test_mtls_right_client_cert_accepted(void) {
    s_mtls_round("client.pem", true);
}

static void test_mtls_client_cert_from_other_ca_refused(void) {
    s_mtls_round("stranger.pem", false);
}

static void test_mtls_no_client_cert_refused(void) {
    s_mtls_round(NULL, false);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_event_stream_library_init(s_alloc);
    if (make_certs() != 0 || s_make_extra_certs() != 0) {
        fprintf(stderr, "could not make test certificates with the openssl command\n");
        return 1;
    }
    s_group = aws_event_loop_group_new_default(s_alloc, 2, NULL);
    struct aws_host_resolver_default_options ro = {.max_entries = 8, .el_group = s_group};
    s_resolver = aws_host_resolver_new_default(s_alloc, &ro);
    struct aws_client_bootstrap_options bo = {.event_loop_group = s_group, .host_resolver = s_resolver};
    s_client_bootstrap = aws_client_bootstrap_new(s_alloc, &bo);

    RUN_TEST(test_garbage_instead_of_client_hello);
    RUN_TEST(test_plaintext_rpc_connect_to_tls_listener);
    RUN_TEST(test_half_client_hello_times_out);
    RUN_TEST(test_expired_server_certificate);
    RUN_TEST(test_wrong_host_server_certificate);
    RUN_TEST(test_truncated_record_then_eof);
    RUN_TEST(test_corrupt_record_after_handshake);
    RUN_TEST(test_openssl_s_client_tls12_alpn);
    RUN_TEST(test_openssl_s_client_tls13_alpn);
    RUN_TEST(test_our_client_against_s_server_tls12_alpn);
    RUN_TEST(test_our_client_against_s_server_tls13_alpn);
    RUN_TEST(test_mtls_right_client_cert_accepted);
    RUN_TEST(test_mtls_client_cert_from_other_ca_refused);
    RUN_TEST(test_mtls_no_client_cert_refused);

    aws_client_bootstrap_release(s_client_bootstrap);
    aws_host_resolver_release(s_resolver);
    aws_event_loop_group_release(s_group);
    remove_certs();
    aws_event_stream_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return g_test_failures == 0 ? 0 : 1;
}
