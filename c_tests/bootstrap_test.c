/* Client and server bootstraps against our headers, loopback only (127.0.0.1,
 * ::1, "localhost", a Unix socket in a mkdtemp directory): a C echo handler
 * behind a server bootstrap listener, clients that send N messages and get
 * them back; callbacks counted, ordered and thread-checked; connection
 * refused; DNS failure; a listener destroyed with a live connection; pinned
 * event loops; TLS options refused until TLS lands; many short-lived
 * connections on a multi-loop server whose first bytes must never be lost. */
#include <aws/common/clock.h>
#include <aws/common/string.h>
#include <aws/io/tls_channel_handler.h>

#include <stdlib.h>
#include <unistd.h>

#include "bootstrap_echo.h"

#define WAIT_NS (30LL * 1000 * 1000 * 1000)

static struct aws_event_loop_group *s_server_group;
static struct aws_event_loop_group *s_client_group;
static struct aws_host_resolver *s_resolver;
static struct aws_client_bootstrap *s_client;
static struct echo_server s_server;

static void s_reset_server(void) {
    struct aws_server_bootstrap *b = s_server.bootstrap;
    memset(&s_server, 0, sizeof(s_server));
    s_server.bootstrap = b;
    s_server.group = s_server_group;
}

static bool s_server_shutdowns_reach(void *arg) {
    return s_server.shutdowns >= *(int *)arg;
}

/* One echo round over a listener at (listen_host, domain) with a client
 * connecting to connect_host. */
static void s_echo_round(const char *listen_host, const char *connect_host, enum aws_socket_domain domain,
                         size_t clients, size_t messages, size_t message_size) {
    s_reset_server();
    uint32_t port = 0;
    if (!s_start_listener(&s_server, listen_host, 0, domain, false)) {
        fprintf(stderr, "listener on %s failed: %s\n", listen_host, aws_error_name(aws_last_error()));
        CHECK(false);
        return;
    }
    if (domain != AWS_SOCKET_LOCAL) {
        port = s_listener_port(s_server.listener);
    }
    struct echo_conn *conns = aws_mem_calloc(s_alloc, clients, sizeof(struct echo_conn));
    for (size_t i = 0; i < clients; ++i) {
        conns[i].group = s_client_group;
        conns[i].messages = messages;
        conns[i].message_size = message_size;
        s_fill_pattern(&conns[i], i + 1);
        CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect(s_client, &conns[i], connect_host, port, domain));
    }
    for (size_t i = 0; i < clients; ++i) {
        CHECK(s_wait_for(WAIT_NS, s_conn_done, &conns[i]));
        s_check_echoed(&conns[i]);
    }
    int expected = (int)clients;
    CHECK(s_wait_for(WAIT_NS, s_server_shutdowns_reach, &expected));
    CHECK(s_stop_listener(&s_server, WAIT_NS));
    CHECK_INT_EQ((int)clients, s_server.incoming_ok);
    CHECK_INT_EQ(0, s_server.incoming_err);
    CHECK_INT_EQ((int)clients, s_server.shutdowns);
    CHECK_INT_EQ(1, s_server.destroys);
    CHECK(s_server.destroy_seq > s_server.last_shutdown_seq);
    CHECK_INT_EQ(0, s_server.wrong_thread);
    CHECK_INT_EQ(clients * messages * message_size, s_server.bytes_echoed);
    for (size_t i = 0; i < clients; ++i) {
        s_conn_clean_up(&conns[i]);
    }
    aws_mem_release(s_alloc, conns);
}

static void test_echo_tcp_ipv4(void) {
    s_echo_round("127.0.0.1", "127.0.0.1", AWS_SOCKET_IPV4, 3, 10, 512);
}

static void test_echo_tcp_ipv4_through_resolver(void) {
    /* "localhost" goes through the default resolver; every A/AAAA address is tried */
    s_echo_round("127.0.0.1", "localhost", AWS_SOCKET_IPV4, 2, 4, 100);
}

static void test_echo_tcp_ipv6(void) {
    s_echo_round("::1", "::1", AWS_SOCKET_IPV6, 3, 10, 512);
}

static char s_tmp_dir[64];

static void test_echo_unix(void) {
    char path[128];
    snprintf(path, sizeof(path), "%s/echo.sock", s_tmp_dir);
    s_echo_round(path, path, AWS_SOCKET_LOCAL, 3, 10, 512);
    unlink(path);
}

/* ---- failures ------------------------------------------------------------------------- */

static int s_client_shutdown_complete_calls;

static void s_on_client_bootstrap_done(void *user_data) {
    aws_mutex_lock(&s_mutex);
    (*(int *)user_data)++;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_int_positive(void *arg) {
    return *(int *)arg > 0;
}

static void test_connection_refused_and_dns_failure(void) {
    /* a port that was just listened on and is now closed */
    s_reset_server();
    CHECK(s_start_listener(&s_server, "127.0.0.1", 0, AWS_SOCKET_IPV4, false) != NULL);
    uint32_t port = s_listener_port(s_server.listener);
    CHECK(s_stop_listener(&s_server, WAIT_NS));

    /* a bootstrap of its own, so its shutdown proves no callback is still due */
    int done = 0;
    struct aws_client_bootstrap_options bo = {.event_loop_group = s_client_group,
                                              .host_resolver = s_resolver,
                                              .on_shutdown_complete = s_on_client_bootstrap_done,
                                              .user_data = &done};
    struct aws_client_bootstrap *client = aws_client_bootstrap_new(s_alloc, &bo);
    CHECK(client != NULL);
    struct echo_conn refused, dns;
    memset(&refused, 0, sizeof(refused));
    memset(&dns, 0, sizeof(dns));
    refused.group = dns.group = s_client_group;
    s_fill_pattern(&refused, 1);
    s_fill_pattern(&dns, 2);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect(client, &refused, "127.0.0.1", port, AWS_SOCKET_IPV4));
    /* an empty label: getaddrinfo refuses it locally */
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect(client, &dns, "bad..name", port, AWS_SOCKET_IPV4));
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &refused));
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &dns));
    aws_client_bootstrap_release(client);
    CHECK(s_wait_for(WAIT_NS, s_int_positive, &done));
    CHECK_INT_EQ(1, done);

    CHECK_INT_EQ(1, refused.setup_calls);
    CHECK_INT_EQ(AWS_IO_SOCKET_CONNECTION_REFUSED, refused.setup_error);
    CHECK_INT_EQ(0, refused.creation_calls);
    CHECK_INT_EQ(0, refused.shutdown_calls);
    CHECK_INT_EQ(0, refused.wrong_thread);

    CHECK_INT_EQ(1, dns.setup_calls);
    CHECK_INT_EQ(AWS_IO_DNS_INVALID_NAME, dns.setup_error);
    CHECK_INT_EQ(0, dns.creation_calls);
    CHECK_INT_EQ(0, dns.shutdown_calls);
    CHECK_INT_EQ(0, dns.wrong_thread); /* reported on a loop thread */
    s_conn_clean_up(&refused);
    s_conn_clean_up(&dns);
}

static void test_synchronous_errors(void) {
    struct echo_conn c;
    memset(&c, 0, sizeof(c));
    c.group = s_client_group;
    struct aws_socket_options options = {.type = AWS_SOCKET_STREAM, .domain = AWS_SOCKET_IPV4};
    struct aws_socket_channel_bootstrap_options co = {
        .bootstrap = s_client,
        .host_name = "127.0.0.1",
        .port = 9,
        .socket_options = &options,
        .setup_callback = s_client_setup,
        .shutdown_callback = s_client_shutdown,
        .user_data = &c,
        /* a loop of another group */
        .requested_event_loop = aws_event_loop_group_get_loop_at(s_server_group, 0),
    };
    CHECK_INT_EQ(AWS_OP_ERR, aws_client_bootstrap_new_socket_channel(&co));
    CHECK_INT_EQ(AWS_ERROR_IO_PINNED_EVENT_LOOP_MISMATCH, aws_last_error());

    /* TLS options without a TLS context are refused */
    struct aws_tls_connection_options tls;
    AWS_ZERO_STRUCT(tls);
    co.requested_event_loop = NULL;
    co.tls_options = &tls;
    CHECK_INT_EQ(AWS_OP_ERR, aws_client_bootstrap_new_socket_channel(&co));
    CHECK_INT_EQ(AWS_IO_TLS_CTX_ERROR, aws_last_error());

    struct aws_server_socket_channel_bootstrap_options so = {
        .bootstrap = s_server.bootstrap,
        .host_name = "127.0.0.1",
        .socket_options = &options,
        .tls_options = &tls,
        .incoming_callback = s_server_incoming,
        .shutdown_callback = s_server_shutdown,
        .destroy_callback = s_server_destroy,
        .user_data = &s_server,
    };
    CHECK(aws_server_bootstrap_new_socket_listener(&so) == NULL);
    CHECK_INT_EQ(AWS_IO_TLS_CTX_ERROR, aws_last_error());

    /* a Unix socket path that does not fit an endpoint */
    char long_path[200];
    memset(long_path, 'a', sizeof(long_path) - 1);
    long_path[sizeof(long_path) - 1] = 0;
    options.domain = AWS_SOCKET_LOCAL;
    co.tls_options = NULL;
    co.host_name = long_path;
    CHECK_INT_EQ(AWS_OP_ERR, aws_client_bootstrap_new_socket_channel(&co));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_ADDRESS, aws_last_error());

    /* a Unix socket path with nothing behind it fails at once, as upstream */
    char missing[128];
    snprintf(missing, sizeof(missing), "%s/missing.sock", s_tmp_dir);
    co.host_name = missing;
    CHECK_INT_EQ(AWS_OP_ERR, aws_client_bootstrap_new_socket_channel(&co));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());

    /* a port already in use */
    s_reset_server();
    options.domain = AWS_SOCKET_IPV4;
    CHECK(s_start_listener(&s_server, "127.0.0.1", 0, AWS_SOCKET_IPV4, false) != NULL);
    uint32_t port = s_listener_port(s_server.listener);
    struct echo_server other;
    memset(&other, 0, sizeof(other));
    other.bootstrap = s_server.bootstrap;
    other.group = s_server_group;
    CHECK(s_start_listener(&other, "127.0.0.1", port, AWS_SOCKET_IPV4, false) == NULL);
    CHECK_INT_EQ(AWS_IO_SOCKET_ADDRESS_IN_USE, aws_last_error());
    CHECK_INT_EQ(0, other.destroys); /* a listener that never started has no callbacks */
    CHECK(s_stop_listener(&s_server, WAIT_NS));
    CHECK_INT_EQ(0, c.setup_calls);
}

/* ---- a listener destroyed while a connection lives ---------------------------------------- */

static bool s_echo_complete(void *arg) {
    return ((struct echo_conn *)arg)->echo_complete;
}

static bool s_server_has_incoming(void *arg) {
    (void)arg;
    return s_server.incoming_ok > 0 && s_server.listener_setups > 0;
}

/* A client handler variant that keeps the channel open after the echo: the
 * test shuts it down itself. */
static void test_destroy_listener_with_live_connection(void) {
    s_reset_server();
    CHECK(s_start_listener(&s_server, "127.0.0.1", 0, AWS_SOCKET_IPV4, true) != NULL);
    uint32_t port = s_listener_port(s_server.listener);
    struct echo_conn c;
    memset(&c, 0, sizeof(c));
    c.group = s_client_group;
    c.messages = 0; /* the client shuts down right after setup... */
    s_fill_pattern(&c, 9);
    /* ...unless we keep it: send nothing and hold the channel open instead */
    c.messages = 1;
    c.message_size = 0;
    c.requested_loop = aws_event_loop_group_get_loop_at(s_client_group, 1);
    CHECK_INT_EQ(AWS_OP_SUCCESS, s_connect(s_client, &c, "127.0.0.1", port, AWS_SOCKET_IPV4));
    CHECK(s_wait_for(WAIT_NS, s_conn_set_up, &c));
    CHECK(s_wait_for(WAIT_NS, s_server_has_incoming, NULL));
    CHECK_INT_EQ(0, c.setup_error);
    CHECK(c.channel && aws_channel_get_event_loop(c.channel) == c.requested_loop);
    CHECK_INT_EQ(1, s_server.listener_setups);

    aws_server_bootstrap_destroy_socket_listener(s_server.bootstrap, s_server.listener);
    /* the server side of the connection is still up, so no destroy callback yet */
    aws_mutex_lock(&s_mutex);
    CHECK_INT_EQ(0, s_server.destroys);
    CHECK_INT_EQ(0, s_server.shutdowns);
    aws_mutex_unlock(&s_mutex);

    aws_channel_shutdown(c.channel, AWS_ERROR_SUCCESS);
    CHECK(s_wait_for(WAIT_NS, s_conn_done, &c));
    CHECK(s_wait_for(WAIT_NS, s_server_destroyed, &s_server));
    CHECK_INT_EQ(1, s_server.shutdowns);
    CHECK_INT_EQ(1, s_server.destroys);
    CHECK(s_server.destroy_seq > s_server.last_shutdown_seq);
    CHECK_INT_EQ(0, s_server.wrong_thread);
    CHECK_INT_EQ(1, c.shutdown_calls);
    CHECK_INT_EQ(0, c.wrong_thread);
    CHECK(!c.echo_complete);
    s_conn_clean_up(&c);
}

/* ---- DESIGN §7: first bytes on a connection handed to another loop ------------------------ */

static void test_many_short_connections_keep_first_bytes(void) {
    /* the server group has 3 loops: accepted sockets move off the accept loop */
    for (int round = 0; round < 10; ++round) {
        s_echo_round("127.0.0.1", "127.0.0.1", AWS_SOCKET_IPV4, 20, 1, 64);
    }
}

/* ---- bootstrap reference counts ----------------------------------------------------------- */

static void test_bootstrap_refcounts(void) {
    s_client_shutdown_complete_calls = 0;
    struct aws_client_bootstrap_options bo = {.event_loop_group = s_client_group,
                                              .host_resolver = s_resolver,
                                              .on_shutdown_complete = s_on_client_bootstrap_done,
                                              .user_data = &s_client_shutdown_complete_calls};
    struct aws_client_bootstrap *b = aws_client_bootstrap_new(s_alloc, &bo);
    CHECK(b != NULL);
    CHECK(b->event_loop_group == s_client_group);
    CHECK(b->host_resolver == s_resolver);
    CHECK(b->host_resolver_config.impl == aws_default_dns_resolve);
    CHECK(aws_client_bootstrap_acquire(b) == b);
    CHECK(aws_client_bootstrap_acquire(NULL) == NULL);
    aws_client_bootstrap_release(NULL);
    aws_client_bootstrap_release(b);
    CHECK_INT_EQ(0, s_client_shutdown_complete_calls);
    aws_client_bootstrap_release(b);
    CHECK(s_wait_for(WAIT_NS, s_int_positive, &s_client_shutdown_complete_calls));
    CHECK_INT_EQ(1, s_client_shutdown_complete_calls);

    struct aws_server_bootstrap *sb = aws_server_bootstrap_new(s_alloc, s_server_group);
    CHECK(sb != NULL && sb->event_loop_group == s_server_group);
    CHECK(aws_server_bootstrap_acquire(sb) == sb);
    aws_server_bootstrap_release(sb);
    aws_server_bootstrap_release(sb);
    aws_server_bootstrap_release(NULL);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    snprintf(s_tmp_dir, sizeof(s_tmp_dir), "/tmp/aws_es_bootstrap_XXXXXX");
    CHECK(mkdtemp(s_tmp_dir) != NULL);

    s_server_group = aws_event_loop_group_new_default(s_alloc, 3, NULL);
    s_client_group = aws_event_loop_group_new_default(s_alloc, 2, NULL);
    struct aws_host_resolver_default_options ro = {.max_entries = 8, .el_group = s_client_group};
    s_resolver = aws_host_resolver_new_default(s_alloc, &ro);
    struct aws_client_bootstrap_options bo = {.event_loop_group = s_client_group, .host_resolver = s_resolver};
    s_client = aws_client_bootstrap_new(s_alloc, &bo);
    s_server.bootstrap = aws_server_bootstrap_new(s_alloc, s_server_group);
    CHECK(s_client != NULL && s_server.bootstrap != NULL);

    RUN_TEST(test_echo_tcp_ipv4);
    RUN_TEST(test_echo_tcp_ipv4_through_resolver);
    RUN_TEST(test_echo_tcp_ipv6);
    RUN_TEST(test_echo_unix);
    RUN_TEST(test_connection_refused_and_dns_failure);
    RUN_TEST(test_synchronous_errors);
    RUN_TEST(test_destroy_listener_with_live_connection);
    RUN_TEST(test_many_short_connections_keep_first_bytes);
    RUN_TEST(test_bootstrap_refcounts);

    aws_client_bootstrap_release(s_client);
    aws_server_bootstrap_release(s_server.bootstrap);
    aws_host_resolver_release(s_resolver);
    aws_event_loop_group_release(s_client_group);
    aws_event_loop_group_release(s_server_group);
    aws_io_library_clean_up();
    rmdir(s_tmp_dir);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
