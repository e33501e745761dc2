/* The TLS channel handler through the bootstraps, on loopback: our client and
 * server echo 64 KiB over TLS (negotiation callback before the setup/incoming
 * callbacks, ALPN, server name and the TLS statistics sample readable from
 * the handler), mutual TLS,
 * a client that does not trust the server fails with
 * AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, a server that never answers times
 * out with AWS_IO_TLS_NEGOTIATION_TIMEOUT, a server certificate named only by
 * its common name (sent with its intermediate) is accepted and one whose
 * subjectAltName names another host is not, bootstraps with
 * on_protocol_negotiated install the ALPN handler (and a protocol without a
 * handler fails the client's setup), and interop both ways with the
 * openssl command (s_client against our server, our client against
 * s_server). Certificates are made at run time; the tracing allocator ends
 * at 0 bytes. */
#include <aws/common/string.h>
#include <aws/io/statistics.h>
#include <aws/io/tls_channel_handler.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "bootstrap_echo.h"
#include "tls_test_certs.h"

#define WAIT_NS (20LL * 1000 * 1000 * 1000)

static struct aws_event_loop_group *s_group;
static struct aws_host_resolver *s_resolver;
static struct aws_client_bootstrap *s_client_bootstrap;

/* ---- negotiation callbacks ---------------------------------------------------------- */

struct negotiation {
    int calls;
    int error;
    int seq;
    char protocol[32];
    char server_name[64];
    /* The handler's statistics sample, read in the callback (loop thread). */
    size_t stats_count;
    uint32_t stats_category;
    int stats_status;
    uint64_t handshake_start_ns, handshake_end_ns;
};

static void s_read_tls_statistics(struct aws_channel_handler *handler, struct negotiation *n) {
    struct aws_array_list list;
    aws_array_list_init_dynamic(&list, s_alloc, 2, sizeof(void *));
    handler->vtable->gather_statistics(handler, &list);
    n->stats_count = aws_array_list_length(&list);
    if (n->stats_count == 1) {
        struct aws_crt_statistics_tls *tls = NULL;
        aws_array_list_get_at(&list, &tls, 0);
        n->stats_category = tls->category;
        n->stats_status = (int)tls->handshake_status;
        n->handshake_start_ns = tls->handshake_start_ns;
        n->handshake_end_ns = tls->handshake_end_ns;
    }
    aws_array_list_clean_up(&list);
}

/* The statistics at the negotiation callback: a TLS sample with the result. */
static void s_check_tls_statistics(const struct negotiation *n, enum aws_tls_negotiation_status status) {
    CHECK_INT_EQ(1, n->stats_count);
    CHECK_INT_EQ(AWSCRT_STAT_CAT_TLS, n->stats_category);
    CHECK_INT_EQ(status, n->stats_status);
    CHECK(n->handshake_start_ns > 0);
    CHECK(n->handshake_end_ns >= n->handshake_start_ns);
}

static void s_copy_buf(char *out, size_t cap, struct aws_byte_buf buf) {
    size_t n = buf.len < cap - 1 ? buf.len : cap - 1;
    if (n) {
        memcpy(out, buf.buffer, n);
    }
    out[n] = '\0';
}

static void s_on_negotiation(struct aws_channel_handler *handler, struct aws_channel_slot *slot, int error_code,
                             void *user_data) {
    (void)slot;
    struct negotiation *n = user_data;
    aws_mutex_lock(&s_mutex);
    n->calls++;
    n->error = error_code;
    n->seq = ++s_seq;
    s_read_tls_statistics(handler, n);
    if (!error_code) {
        s_copy_buf(n->protocol, sizeof(n->protocol), aws_tls_handler_protocol(handler));
        s_copy_buf(n->server_name, sizeof(n->server_name), aws_tls_handler_server_name(handler));
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

/* ---- contexts -------------------------------------------------------------------------- */

static struct aws_tls_ctx *s_server_ctx_from(const char *cert, const char *key, bool require_client_cert,
                                             const char *alpn) {
    struct aws_tls_ctx_options o;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_tls_ctx_options_init_default_server_from_path(&o, s_alloc, path_of(cert), path_of(key)));
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

static struct aws_tls_ctx *s_server_ctx(bool require_client_cert, const char *alpn) {
    return s_server_ctx_from("server.pem", "server.key", require_client_cert, alpn);
}

static struct aws_tls_ctx *s_client_ctx(const char *trusted_ca, bool with_client_cert) {
    struct aws_tls_ctx_options o;
    if (with_client_cert) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_tls_ctx_options_init_client_mtls_from_path(
                                         &o, s_alloc, path_of("client.pem"), path_of("client.key")));
    } else {
        aws_tls_ctx_options_init_default_client(&o, s_alloc);
    }
    aws_tls_ctx_options_override_default_trust_store_from_path(&o, NULL, path_of(trusted_ca));
    struct aws_tls_ctx *ctx = aws_tls_client_ctx_new(s_alloc, &o);
    CHECK(ctx != NULL);
    aws_tls_ctx_options_clean_up(&o);
    return ctx;
}

/* ---- bootstrap plumbing with TLS ---------------------------------------------------------- */

static int s_connect_tls(struct echo_conn *c, uint32_t port, struct aws_tls_connection_options *tls) {
    struct aws_socket_options options = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_IPV4,
                                         .connect_timeout_ms = 10000};
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client_bootstrap,
        .host_name = "127.0.0.1",
        .port = port,
        .socket_options = &options,
        .tls_options = tls,
        .creation_callback = s_client_creation,
        .setup_callback = s_client_setup,
        .shutdown_callback = s_client_shutdown,
        .user_data = c,
    };
    return aws_client_bootstrap_new_socket_channel(&co);
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

static bool s_negotiated(void *arg) {
    return ((struct negotiation *)arg)->calls > 0;
}

static bool s_server_closed(void *arg) {
    return ((struct echo_server *)arg)->shutdowns > 0;
}

static bool s_incoming_failed(void *arg) {
    return ((struct echo_server *)arg)->incoming_err > 0 || ((struct echo_server *)arg)->shutdowns > 0;
}

static void s_server_start(struct echo_server *server, struct aws_tls_connection_options *tls) {
    memset(server, 0, sizeof(*server));
    server->group = s_group;
    server->bootstrap = aws_server_bootstrap_new(s_alloc, s_group);
    CHECK(s_start_tls_listener(server, tls) != NULL);
}

static void s_server_stop(struct echo_server *server) {
    CHECK(s_stop_listener(server, WAIT_NS));
    aws_server_bootstrap_release(server->bootstrap);
}

/* One echo over TLS between our client and our server. */
static void s_echo_round_with(const char *server_cert, const char *server_key, bool mutual, size_t messages,
                              size_t size, const char *client_alpn, const char *protocol) {
    struct aws_tls_ctx *server_ctx = s_server_ctx_from(server_cert, server_key, mutual, "h2;http/1.1");
    struct aws_tls_ctx *client_ctx = s_client_ctx("ca.pem", mutual);
    struct negotiation server_neg = {0}, client_neg = {0};
    struct aws_tls_connection_options server_tls, client_tls;
    aws_tls_connection_options_init_from_ctx(&server_tls, server_ctx);
    aws_tls_connection_options_set_callbacks(&server_tls, s_on_negotiation, NULL, NULL, &server_neg);
    s_client_tls_options(&client_tls, client_ctx, &client_neg, client_alpn);

    struct echo_server server;
    s_server_start(&server, &server_tls);
    /* The bootstraps keep their own copies. */
    aws_tls_connection_options_clean_up(&server_tls);
    uint32_t port = s_listener_port(server.listener);

    struct echo_conn c = {.group = s_group, .messages = messages, .message_size = size};
    s_fill_pattern(&c, 7);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect_tls(&c, port, &client_tls));
    aws_tls_connection_options_clean_up(&client_tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    s_check_echoed(&c);
    CHECK_INT_EQ(1, client_neg.calls);
    CHECK_INT_EQ(0, client_neg.error);
    CHECK(client_neg.seq < c.setup_seq);
    CHECK_STR_EQ(protocol, client_neg.protocol);
    CHECK_STR_EQ("localhost", client_neg.server_name);
    s_check_tls_statistics(&client_neg, AWS_TLS_NEGOTIATION_STATUS_SUCCESS);
    CHECK(s_wait_for(WAIT_NS, s_negotiated, &server_neg));
    s_check_tls_statistics(&server_neg, AWS_TLS_NEGOTIATION_STATUS_SUCCESS);
    CHECK_INT_EQ(0, server_neg.error);
    CHECK_STR_EQ(protocol, server_neg.protocol);
    CHECK_STR_EQ("localhost", server_neg.server_name);
    /* The server counts after echoing: wait for its side to close. */
    CHECK(s_wait_for(WAIT_NS, s_server_closed, &server));
    CHECK_INT_EQ(c.sent.len, server.bytes_echoed);
    s_server_stop(&server);
    CHECK_INT_EQ(1, server.incoming_ok);
    CHECK_INT_EQ(0, server.wrong_thread);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

static void s_echo_round(bool mutual, size_t messages, size_t size, const char *client_alpn, const char *protocol) {
    s_echo_round_with("server.pem", "server.key", mutual, messages, size, client_alpn, protocol);
}

static void test_echo(void) {
    s_echo_round(false, 16, 4096, "x-amzn-test;http/1.1", "http/1.1");
}

static void test_mutual_tls_echo(void) {
    s_echo_round(true, 40, 8000, "x-amzn-test;http/1.1", "http/1.1");
}

/* No protocol in common: no ALPN, and the handshake goes on (as s2n). */
static void test_alpn_without_a_common_protocol(void) {
    s_echo_round(false, 2, 100, "x-other", "");
}

/* A server the client does not accept (untrusted, or not "localhost"). */
static void s_negotiation_fails(const char *server_cert, const char *server_key, const char *trusted_ca) {
    struct aws_tls_ctx *server_ctx = s_server_ctx_from(server_cert, server_key, false, NULL);
    struct aws_tls_ctx *client_ctx = s_client_ctx(trusted_ca, false);
    struct negotiation client_neg = {0};
    struct aws_tls_connection_options server_tls, client_tls;
    aws_tls_connection_options_init_from_ctx(&server_tls, server_ctx);
    s_client_tls_options(&client_tls, client_ctx, &client_neg, NULL);
    struct echo_server server;
    s_server_start(&server, &server_tls);
    aws_tls_connection_options_clean_up(&server_tls);

    struct echo_conn c = {.group = s_group, .messages = 1, .message_size = 10};
    s_fill_pattern(&c, 1);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect_tls(&c, s_listener_port(server.listener), &client_tls));
    aws_tls_connection_options_clean_up(&client_tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK_INT_EQ(1, c.setup_calls);
    CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, c.setup_error);
    CHECK_INT_EQ(0, c.shutdown_calls);
    CHECK_INT_EQ(1, client_neg.calls);
    CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, client_neg.error);
    s_check_tls_statistics(&client_neg, AWS_TLS_NEGOTIATION_STATUS_FAILURE);
    /* The server hears the client's alert and fails its negotiation too. */
    CHECK(s_wait_for(WAIT_NS, s_incoming_failed, &server));
    CHECK_INT_EQ(0, server.incoming_ok);
    CHECK_INT_EQ(1, server.incoming_err);
    CHECK_INT_EQ(AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, server.last_incoming_error);
    s_server_stop(&server);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

static void test_untrusted_server_fails_negotiation(void) {
    s_negotiation_fails("server.pem", "server.key", "other_ca.pem");
}

/* As s2n, a certificate without a subjectAltName host is matched by its
 * common name; the chain goes through an intermediate the server sends. */
static void test_common_name_server_through_an_intermediate(void) {
    s_echo_round_with("cn_chain.pem", "cn.key", false, 4, 1000, "h2", "h2");
}

/* A subjectAltName naming other hosts wins over a matching common name. */
static void test_alt_name_for_another_host_fails(void) {
    s_negotiation_fails("san_other.pem", "cn.key", "ca.pem");
}

/* ---- the ALPN handler, installed by the bootstraps --------------------------------- */

/* What a bootstrap's on_protocol_negotiated saw, and the pass-through handler
 * it returned (which counts the bytes read through it). */
struct alpn_seen {
    int calls;
    void *user_data;
    char protocol[32];
    size_t bytes_read;
    bool refuse; /* return NULL: no handler for the protocol */
};
static struct alpn_seen s_client_alpn, s_server_alpn;

struct pass_through {
    struct aws_channel_handler base;
    struct alpn_seen *seen;
};

static int s_pass_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                       struct aws_io_message *message) {
    struct pass_through *p = handler->impl;
    aws_mutex_lock(&s_mutex);
    p->seen->bytes_read += message->message_data.len;
    aws_mutex_unlock(&s_mutex);
    if (!slot->adj_right || aws_channel_slot_send_message(slot, message, AWS_CHANNEL_DIR_READ)) {
        aws_mem_release(message->allocator, message);
    }
    return AWS_OP_SUCCESS;
}

static int s_pass_write(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                        struct aws_io_message *message) {
    (void)handler;
    return aws_channel_slot_send_message(slot, message, AWS_CHANNEL_DIR_WRITE);
}

static int s_pass_window(struct aws_channel_handler *handler, struct aws_channel_slot *slot, size_t size) {
    (void)handler;
    return aws_channel_slot_increment_read_window(slot, size);
}

static int s_pass_shutdown(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                           enum aws_channel_direction dir, int error_code, bool free_scarce_resources_immediately) {
    (void)handler;
    return aws_channel_slot_on_handler_shutdown_complete(slot, dir, error_code, free_scarce_resources_immediately);
}

static size_t s_pass_initial_window(struct aws_channel_handler *handler) {
    (void)handler;
    return SIZE_MAX;
}

static size_t s_pass_overhead(struct aws_channel_handler *handler) {
    (void)handler;
    return 0;
}

static void s_pass_destroy(struct aws_channel_handler *handler) {
    aws_mem_release(handler->alloc, handler->impl);
}

static struct aws_channel_handler_vtable s_pass_vtable = {
    .process_read_message = s_pass_read,
    .process_write_message = s_pass_write,
    .increment_read_window = s_pass_window,
    .shutdown = s_pass_shutdown,
    .initial_window_size = s_pass_initial_window,
    .message_overhead = s_pass_overhead,
    .destroy = s_pass_destroy,
};

static struct aws_channel_handler *s_on_protocol(struct alpn_seen *seen, struct aws_byte_buf *protocol,
                                                 void *user_data) {
    if (seen->refuse) {
        aws_mutex_lock(&s_mutex);
        seen->calls++;
        aws_mutex_unlock(&s_mutex);
        return NULL;
    }
    struct pass_through *p = aws_mem_calloc(s_alloc, 1, sizeof(*p));
    p->seen = seen;
    p->base.vtable = &s_pass_vtable;
    p->base.alloc = s_alloc;
    p->base.impl = p;
    aws_mutex_lock(&s_mutex);
    seen->calls++;
    seen->user_data = user_data;
    s_copy_buf(seen->protocol, sizeof(seen->protocol), *protocol);
    aws_mutex_unlock(&s_mutex);
    return &p->base;
}

static struct aws_channel_handler *s_client_on_protocol(struct aws_channel_slot *new_slot,
                                                        struct aws_byte_buf *protocol, void *user_data) {
    (void)new_slot;
    return s_on_protocol(&s_client_alpn, protocol, user_data);
}

static struct aws_channel_handler *s_server_on_protocol(struct aws_channel_slot *new_slot,
                                                        struct aws_byte_buf *protocol, void *user_data) {
    (void)new_slot;
    return s_on_protocol(&s_server_alpn, protocol, user_data);
}

/* Bootstraps with on_protocol_negotiated put an ALPN handler right of TLS; on
 * the negotiated protocol it gives its place to the user's handler, through
 * which the echo then runs (each side's data passes it once). */
static void test_alpn_handler_installed_by_bootstraps(void) {
    memset(&s_client_alpn, 0, sizeof(s_client_alpn));
    memset(&s_server_alpn, 0, sizeof(s_server_alpn));
    struct aws_tls_ctx *server_ctx = s_server_ctx(false, "h2;http/1.1");
    struct aws_tls_ctx *client_ctx = s_client_ctx("ca.pem", false);
    struct negotiation client_neg = {0};
    struct aws_tls_connection_options server_tls, client_tls;
    aws_tls_connection_options_init_from_ctx(&server_tls, server_ctx);
    s_client_tls_options(&client_tls, client_ctx, &client_neg, "h2");

    struct echo_server server;
    memset(&server, 0, sizeof(server));
    server.group = s_group;
    server.bootstrap = aws_server_bootstrap_new(s_alloc, s_group);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_server_bootstrap_set_alpn_callback(server.bootstrap, s_server_on_protocol));
    CHECK(s_start_tls_listener(&server, &server_tls) != NULL);
    aws_tls_connection_options_clean_up(&server_tls);

    struct aws_client_bootstrap_options bo = {.event_loop_group = s_group, .host_resolver = s_resolver};
    struct aws_client_bootstrap *plain = s_client_bootstrap;
    s_client_bootstrap = aws_client_bootstrap_new(s_alloc, &bo);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_set_alpn_callback(s_client_bootstrap, s_client_on_protocol));
    struct echo_conn c = {.group = s_group, .messages = 4, .message_size = 1000};
    s_fill_pattern(&c, 3);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect_tls(&c, s_listener_port(server.listener), &client_tls));
    aws_tls_connection_options_clean_up(&client_tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    s_check_echoed(&c);
    CHECK(s_wait_for(WAIT_NS, s_server_closed, &server));
    s_server_stop(&server);
    aws_client_bootstrap_release(s_client_bootstrap);
    s_client_bootstrap = plain;

    CHECK_STR_EQ("h2", client_neg.protocol);
    CHECK_INT_EQ(1, s_client_alpn.calls);
    CHECK_STR_EQ("h2", s_client_alpn.protocol);
    CHECK(s_client_alpn.user_data == &c);
    CHECK_INT_EQ(c.sent.len, s_client_alpn.bytes_read);
    CHECK_INT_EQ(1, s_server_alpn.calls);
    CHECK_STR_EQ("h2", s_server_alpn.protocol);
    CHECK(s_server_alpn.user_data == &server);
    CHECK_INT_EQ(c.sent.len, s_server_alpn.bytes_read);
    CHECK_INT_EQ(c.sent.len, server.bytes_echoed);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

/* A client whose on_protocol_negotiated has no handler for the protocol: the
 * channel shuts down before setup, which reports the ALPN handler's error. */
static void test_alpn_protocol_without_a_handler_fails_setup(void) {
    memset(&s_client_alpn, 0, sizeof(s_client_alpn));
    s_client_alpn.refuse = true;
    struct aws_tls_ctx *server_ctx = s_server_ctx(false, "h2");
    struct aws_tls_ctx *client_ctx = s_client_ctx("ca.pem", false);
    struct negotiation client_neg = {0};
    struct aws_tls_connection_options server_tls, client_tls;
    aws_tls_connection_options_init_from_ctx(&server_tls, server_ctx);
    s_client_tls_options(&client_tls, client_ctx, &client_neg, "h2");
    struct echo_server server;
    s_server_start(&server, &server_tls);
    aws_tls_connection_options_clean_up(&server_tls);

    struct aws_client_bootstrap_options bo = {.event_loop_group = s_group, .host_resolver = s_resolver};
    struct aws_client_bootstrap *plain = s_client_bootstrap;
    s_client_bootstrap = aws_client_bootstrap_new(s_alloc, &bo);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_set_alpn_callback(s_client_bootstrap, s_client_on_protocol));
    struct echo_conn c = {.group = s_group, .messages = 1, .message_size = 10};
    s_fill_pattern(&c, 5);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect_tls(&c, s_listener_port(server.listener), &client_tls));
    aws_tls_connection_options_clean_up(&client_tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK_INT_EQ(1, s_client_alpn.calls);
    CHECK_INT_EQ(1, c.setup_calls);
    CHECK_INT_EQ(AWS_IO_UNHANDLED_ALPN_PROTOCOL_MESSAGE, c.setup_error);
    CHECK_INT_EQ(0, c.shutdown_calls);
    /* As upstream: the negotiation callback is not called (the shutdown came first). */
    CHECK_INT_EQ(0, client_neg.calls);
    CHECK(s_wait_for(WAIT_NS, s_server_closed, &server));
    s_server_stop(&server);
    aws_client_bootstrap_release(s_client_bootstrap);
    s_client_bootstrap = plain;
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

/* A listening socket that is never accepted from: TCP connects (the kernel's
 * backlog), TLS never answers, and the client times out. */
static int s_silent_listener(uint32_t *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        return -1;
    }
    *port = ntohs(addr.sin_port);
    return fd;
}

static void test_negotiation_timeout(void) {
    uint32_t port = 0;
    int fd = s_silent_listener(&port);
    CHECK(fd >= 0);
    struct aws_tls_ctx *client_ctx = s_client_ctx("ca.pem", false);
    struct negotiation client_neg = {0};
    struct aws_tls_connection_options client_tls;
    s_client_tls_options(&client_tls, client_ctx, &client_neg, NULL);
    client_tls.timeout_ms = 200;
    struct echo_conn c = {.group = s_group, .messages = 1, .message_size = 10};
    s_fill_pattern(&c, 2);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect_tls(&c, port, &client_tls));
    aws_tls_connection_options_clean_up(&client_tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK_INT_EQ(AWS_IO_TLS_NEGOTIATION_TIMEOUT, c.setup_error);
    CHECK_INT_EQ(0, c.shutdown_calls);
    /* As upstream, a timeout does not call on_negotiation_result. */
    CHECK_INT_EQ(0, client_neg.calls);
    close(fd);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
}

/* ---- aws_channel_setup_client_tls on a plain channel ------------------------------------------ */

static struct aws_tls_connection_options s_manual_tls;
static struct negotiation s_manual_neg;

/* Negotiated: the echo handler goes right of the TLS handler and the pattern is sent. */
static void s_manual_negotiated(struct aws_channel_handler *handler, struct aws_channel_slot *slot, int error_code,
                                void *user_data) {
    struct echo_conn *c = user_data;
    s_on_negotiation(handler, slot, error_code, &s_manual_neg);
    if (error_code) {
        return;
    }
    c->slot = s_add_echo_handler(slot->channel, NULL, c);
    if (c->slot) {
        s_send_all(c);
    }
}

static void s_plain_setup_then_tls(struct aws_client_bootstrap *bootstrap, int error_code,
                                   struct aws_channel *channel, void *user_data) {
    (void)bootstrap;
    struct echo_conn *c = user_data;
    if (!error_code) {
        c->channel = channel;
        int rc = aws_channel_setup_client_tls(aws_channel_get_first_slot(channel), &s_manual_tls);
        CHECK_INT_EQ(AWS_OP_SUCCESS, rc);
    }
    aws_mutex_lock(&s_mutex);
    c->setup_calls++;
    c->setup_seq = ++s_seq;
    c->setup_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static void test_setup_client_tls_on_a_plain_channel(void) {
    struct aws_tls_ctx *server_ctx = s_server_ctx(false, NULL);
    struct aws_tls_ctx *client_ctx = s_client_ctx("ca.pem", false);
    struct aws_tls_connection_options server_tls;
    aws_tls_connection_options_init_from_ctx(&server_tls, server_ctx);
    struct echo_server server;
    s_server_start(&server, &server_tls);
    aws_tls_connection_options_clean_up(&server_tls);

    struct echo_conn c = {.group = s_group, .messages = 4, .message_size = 5000};
    s_fill_pattern(&c, 9);
    memset(&s_manual_neg, 0, sizeof(s_manual_neg));
    s_client_tls_options(&s_manual_tls, client_ctx, &s_manual_neg, NULL);
    aws_tls_connection_options_set_callbacks(&s_manual_tls, s_manual_negotiated, NULL, NULL, &c);
    struct aws_socket_options options = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_IPV4,
                                         .connect_timeout_ms = 10000};
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client_bootstrap,
        .host_name = "127.0.0.1",
        .port = s_listener_port(server.listener),
        .socket_options = &options,
        .setup_callback = s_plain_setup_then_tls,
        .shutdown_callback = s_client_shutdown,
        .user_data = &c,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&co));
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK_INT_EQ(0, c.setup_error);
    CHECK_INT_EQ(1, s_manual_neg.calls);
    CHECK_INT_EQ(0, s_manual_neg.error);
    CHECK_STR_EQ("localhost", s_manual_neg.server_name);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, c.shutdown_error);
    CHECK_MEM_EQ(c.sent.buffer, c.sent.len, c.received.buffer, c.received.len);
    s_server_stop(&server);
    aws_tls_connection_options_clean_up(&s_manual_tls);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

/* ---- back-pressure ------------------------------------------------------------------------ */

/* A client-side handler with a read window of WINDOW bytes: it checks that no
 * message overruns what it granted, and grants WINDOW more each time the
 * window is used up. */
#define WINDOW 1000

struct windowed {
    struct aws_channel_handler base;
    struct echo_conn *conn;
    size_t granted;
    size_t largest;
    int overruns;
};

static int s_windowed_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                           struct aws_io_message *message) {
    struct windowed *w = handler->impl;
    size_t len = message->message_data.len;
    if (len > w->granted) {
        w->overruns++;
    }
    w->granted -= len < w->granted ? len : w->granted;
    w->largest = len > w->largest ? len : w->largest;
    struct aws_byte_cursor data = aws_byte_cursor_from_buf(&message->message_data);
    aws_byte_buf_append_dynamic(&w->conn->received, &data);
    aws_mem_release(message->allocator, message);
    if (w->conn->received.len >= w->conn->sent.len) {
        aws_mutex_lock(&s_mutex);
        w->conn->echo_complete = true;
        aws_mutex_unlock(&s_mutex);
        aws_channel_shutdown(slot->channel, AWS_ERROR_SUCCESS);
    } else if (w->granted == 0) {
        w->granted = WINDOW;
        aws_channel_slot_increment_read_window(slot, WINDOW);
    }
    return AWS_OP_SUCCESS;
}

static size_t s_windowed_initial_window(struct aws_channel_handler *handler) {
    (void)handler;
    return WINDOW;
}

static struct aws_channel_handler_vtable s_windowed_vtable = {
    .process_read_message = s_windowed_read,
    .process_write_message = s_echo_process_write,
    .increment_read_window = s_echo_increment_window,
    .shutdown = s_echo_shutdown,
    .initial_window_size = s_windowed_initial_window,
    .message_overhead = s_echo_overhead,
    .destroy = s_echo_destroy,
};

static struct windowed s_windowed;
/* Whether the windowed client sends its pattern (else the server speaks first). */
static bool s_windowed_sends = true;

static void s_windowed_setup(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                             void *user_data) {
    (void)bootstrap;
    struct echo_conn *c = user_data;
    if (!error_code) {
        c->channel = channel;
        struct windowed *w = aws_mem_calloc(s_alloc, 1, sizeof(struct windowed));
        w->base.vtable = &s_windowed_vtable;
        w->base.alloc = s_alloc;
        w->base.impl = w;
        w->conn = c;
        w->granted = WINDOW;
        struct aws_channel_slot *slot = aws_channel_slot_new(channel);
        aws_channel_slot_insert_end(channel, slot);
        aws_channel_slot_set_handler(slot, &w->base);
        c->slot = slot;
        if (s_windowed_sends) {
            s_send_all(c);
        }
    }
    aws_mutex_lock(&s_mutex);
    c->setup_calls++;
    c->setup_seq = ++s_seq;
    c->setup_error = error_code;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

/* Reports the handler's counters before it is destroyed (loop thread). */
static void s_windowed_shutdown(struct aws_client_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                                void *user_data) {
    struct echo_conn *c = user_data;
    struct aws_channel_slot *slot = c->slot;
    if (slot && slot->handler) {
        struct windowed *w = slot->handler->impl;
        s_windowed.largest = w->largest;
        s_windowed.overruns = w->overruns;
    }
    s_client_shutdown(bootstrap, error_code, channel, user_data);
}

static void test_read_window_is_honoured(void) {
    struct aws_tls_ctx *server_ctx = s_server_ctx(false, NULL);
    struct aws_tls_ctx *client_ctx = s_client_ctx("ca.pem", false);
    struct negotiation client_neg = {0};
    struct aws_tls_connection_options server_tls, client_tls;
    aws_tls_connection_options_init_from_ctx(&server_tls, server_ctx);
    s_client_tls_options(&client_tls, client_ctx, &client_neg, NULL);
    struct echo_server server;
    s_server_start(&server, &server_tls);
    aws_tls_connection_options_clean_up(&server_tls);

    struct echo_conn c = {.group = s_group, .messages = 8, .message_size = 8000};
    s_fill_pattern(&c, 3);
    struct aws_socket_options options = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_IPV4,
                                         .connect_timeout_ms = 10000};
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client_bootstrap,
        .host_name = "127.0.0.1",
        .port = s_listener_port(server.listener),
        .socket_options = &options,
        .tls_options = &client_tls,
        .setup_callback = s_windowed_setup,
        .shutdown_callback = s_windowed_shutdown,
        .enable_read_back_pressure = true,
        .user_data = &c,
    };
    memset(&s_windowed, 0, sizeof(s_windowed));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&co));
    aws_tls_connection_options_clean_up(&client_tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK_INT_EQ(0, c.setup_error);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, c.shutdown_error);
    CHECK_MEM_EQ(c.sent.buffer, c.sent.len, c.received.buffer, c.received.len);
    CHECK_INT_EQ(0, s_windowed.overruns);
    CHECK(s_windowed.largest > 0 && s_windowed.largest <= WINDOW);
    s_server_stop(&server);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

/* The server writes a pattern and closes as soon as the last byte is written
 * (close_notify, then FIN): the client, reading through a 1000-byte window,
 * still gets every byte before its read side shuts down. */
static struct aws_byte_buf s_burst;

static void s_burst_written(struct aws_channel *channel, struct aws_io_message *message, int err, void *user_data) {
    (void)message, (void)err, (void)user_data;
    aws_channel_shutdown(channel, AWS_ERROR_SUCCESS);
}

static void s_burst_incoming(struct aws_server_bootstrap *bootstrap, int error_code, struct aws_channel *channel,
                             void *user_data) {
    struct echo_server *s = user_data;
    if (!error_code) {
        struct aws_channel_slot *slot = s_add_echo_handler(channel, s, NULL);
        struct aws_byte_cursor all = aws_byte_cursor_from_buf(&s_burst);
        while (slot && all.len > 0) {
            struct aws_io_message *msg =
                aws_channel_acquire_message_from_pool(channel, AWS_IO_MESSAGE_APPLICATION_DATA, all.len);
            size_t n = msg->message_data.capacity < all.len ? msg->message_data.capacity : all.len;
            struct aws_byte_cursor chunk = aws_byte_cursor_advance(&all, n);
            aws_byte_buf_write_from_whole_cursor(&msg->message_data, chunk);
            if (all.len == 0) {
                msg->on_completion = s_burst_written;
            }
            if (aws_channel_slot_send_message(slot, msg, AWS_CHANNEL_DIR_WRITE)) {
                aws_mem_release(msg->allocator, msg);
                break;
            }
        }
    }
    s_server_incoming(bootstrap, error_code, channel, user_data);
}

static void test_data_before_close_is_delivered(void) {
    struct aws_tls_ctx *server_ctx = s_server_ctx(false, NULL);
    struct aws_tls_ctx *client_ctx = s_client_ctx("ca.pem", false);
    struct negotiation client_neg = {0};
    struct aws_tls_connection_options server_tls, client_tls;
    aws_tls_connection_options_init_from_ctx(&server_tls, server_ctx);
    s_client_tls_options(&client_tls, client_ctx, &client_neg, NULL);

    struct echo_conn c = {.group = s_group, .messages = 5, .message_size = 10000};
    s_fill_pattern(&c, 5);
    aws_byte_buf_init_copy(&s_burst, s_alloc, &c.sent);

    struct echo_server server;
    memset(&server, 0, sizeof(server));
    server.group = s_group;
    server.bootstrap = aws_server_bootstrap_new(s_alloc, s_group);
    struct aws_socket_options options = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_IPV4,
                                         .connect_timeout_ms = 10000};
    struct aws_server_socket_channel_bootstrap_options so = {
        .bootstrap = server.bootstrap,
        .host_name = "127.0.0.1",
        .socket_options = &options,
        .tls_options = &server_tls,
        .incoming_callback = s_burst_incoming,
        .shutdown_callback = s_server_shutdown,
        .destroy_callback = s_server_destroy,
        .user_data = &server,
    };
    server.listener = aws_server_bootstrap_new_socket_listener(&so);
    CHECK(server.listener != NULL);
    aws_tls_connection_options_clean_up(&server_tls);

    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client_bootstrap,
        .host_name = "127.0.0.1",
        .port = s_listener_port(server.listener),
        .socket_options = &options,
        .tls_options = &client_tls,
        .setup_callback = s_windowed_setup,
        .shutdown_callback = s_windowed_shutdown,
        .enable_read_back_pressure = true,
        .user_data = &c,
    };
    s_windowed_sends = false;
    memset(&s_windowed, 0, sizeof(s_windowed));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_client_bootstrap_new_socket_channel(&co));
    aws_tls_connection_options_clean_up(&client_tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    s_windowed_sends = true;
    CHECK_INT_EQ(0, c.setup_error);
    CHECK_MEM_EQ(c.sent.buffer, c.sent.len, c.received.buffer, c.received.len);
    CHECK_INT_EQ(0, s_windowed.overruns);
    s_server_stop(&server);
    s_conn_clean_up(&c);
    aws_byte_buf_clean_up(&s_burst);
    aws_tls_ctx_release(client_ctx);
    aws_tls_ctx_release(server_ctx);
}

/* ---- interop with the openssl command ------------------------------------------------------ */

/* Echo handler variant for s_client: echoes, and closes the connection once a
 * newline came through. */
static int s_echo_line_process_read(struct aws_channel_handler *handler, struct aws_channel_slot *slot,
                                    struct aws_io_message *message) {
    bool newline = memchr(message->message_data.buffer, '\n', message->message_data.len) != NULL;
    int rc = s_echo_process_read(handler, slot, message);
    if (newline) {
        aws_channel_shutdown(slot->channel, AWS_ERROR_SUCCESS);
    }
    return rc;
}

static void test_openssl_s_client_against_our_server(void) {
    s_echo_vtable.process_read_message = s_echo_line_process_read;
    struct aws_tls_ctx *server_ctx = s_server_ctx(false, NULL);
    struct aws_tls_connection_options server_tls;
    aws_tls_connection_options_init_from_ctx(&server_tls, server_ctx);
    struct echo_server server;
    s_server_start(&server, &server_tls);
    aws_tls_connection_options_clean_up(&server_tls);
    uint32_t port = s_listener_port(server.listener);

    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "printf 'hello over tls\\n' | timeout 20 openssl s_client -connect 127.0.0.1:%u -servername localhost "
             "-CAfile '%s' -verify_return_error -ign_eof -quiet 2>/dev/null",
             (unsigned)port, path_of("ca.pem"));
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    char out[256] = {0};
    size_t n = p ? fread(out, 1, sizeof(out) - 1, p) : 0;
    int status = p ? pclose(p) : -1;
    out[n] = '\0';
    CHECK_STR_EQ("hello over tls\n", out);
    CHECK_INT_EQ(0, status);
    s_server_stop(&server);
    CHECK_INT_EQ(1, server.incoming_ok);
    s_echo_vtable.process_read_message = s_echo_process_read;
    aws_tls_ctx_release(server_ctx);
}

static void test_our_client_against_openssl_s_server(void) {
    uint32_t port = 0;
    FILE *p = s_openssl_s_server("", 20, &port);
    CHECK(p != NULL);
    if (!p) {
        return;
    }

    struct aws_tls_ctx *client_ctx = s_client_ctx("ca.pem", false);
    struct negotiation client_neg = {0};
    struct aws_tls_connection_options client_tls;
    s_client_tls_options(&client_tls, client_ctx, &client_neg, NULL);
    struct echo_conn c = {.group = s_group, .messages = 1, .message_size = 6};
    aws_byte_buf_init(&c.sent, s_alloc, 6);
    struct aws_byte_cursor hello = aws_byte_cursor_from_c_str("hello\n");
    aws_byte_buf_append(&c.sent, &hello);
    aws_byte_buf_init(&c.received, s_alloc, 16);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect_tls(&c, port, &client_tls));
    aws_tls_connection_options_clean_up(&client_tls);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK_INT_EQ(0, c.setup_error);
    CHECK_INT_EQ(0, client_neg.error);
    CHECK_MEM_EQ("olleh\n", 6, c.received.buffer, c.received.len);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, c.shutdown_error);
    pclose(p);
    s_conn_clean_up(&c);
    aws_tls_ctx_release(client_ctx);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    if (make_certs() != 0) {
        fprintf(stderr, "could not make test certificates with the openssl command\n");
        return 1;
    }
    s_group = aws_event_loop_group_new_default(s_alloc, 2, NULL);
    struct aws_host_resolver_default_options ro = {.max_entries = 8, .el_group = s_group};
    s_resolver = aws_host_resolver_new_default(s_alloc, &ro);
    struct aws_client_bootstrap_options bo = {.event_loop_group = s_group, .host_resolver = s_resolver};
    s_client_bootstrap = aws_client_bootstrap_new(s_alloc, &bo);

    RUN_TEST(test_echo);
    RUN_TEST(test_mutual_tls_echo);
    RUN_TEST(test_alpn_without_a_common_protocol);
    RUN_TEST(test_untrusted_server_fails_negotiation);
    RUN_TEST(test_common_name_server_through_an_intermediate);
    RUN_TEST(test_alt_name_for_another_host_fails);
    RUN_TEST(test_alpn_handler_installed_by_bootstraps);
    RUN_TEST(test_alpn_protocol_without_a_handler_fails_setup);
    RUN_TEST(test_negotiation_timeout);
    RUN_TEST(test_setup_client_tls_on_a_plain_channel);
    RUN_TEST(test_read_window_is_honoured);
    RUN_TEST(test_data_before_close_is_delivered);
    RUN_TEST(test_openssl_s_client_against_our_server);
    RUN_TEST(test_our_client_against_openssl_s_server);

    aws_client_bootstrap_release(s_client_bootstrap);
    aws_host_resolver_release(s_resolver);
    aws_event_loop_group_release(s_group);
    remove_certs();
    aws_io_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return g_test_failures == 0 ? 0 : 1;
}
