/* aws_socket_* against our headers, on loopback only (127.0.0.1, ::1, Unix
 * sockets in a mkdtemp directory): echo over IPv4, IPv6 and Unix sockets,
 * connection refused, address in use, connect timeout against a full backlog,
 * an 8 MiB write with one completion, bound addresses, options, argument and
 * state errors, and the lost wake-up: 200 short-lived connections accepted on
 * one loop and read on another, each of whose bytes must arrive. A tracing
 * allocator must end empty. */
#include <aws/common/clock.h>
#include <aws/common/string.h>
#include <aws/io/io.h>
#include <aws/io/socket.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "socket_test_util.h"

/* ---- one connection end ------------------------------------------------------- */

struct conn {
    struct aws_socket *socket;
    struct aws_event_loop *loop;
    int connect_error;
    bool connected;
    uint8_t rx[256];
    size_t rx_len;
    bool rx_closed;
    int rx_error;
    bool echo; /* write back whatever arrives */
    int writes_done;
    int write_error;
    size_t write_bytes;
    bool readable_on_loop;
};

static void s_on_written(struct aws_socket *socket, int error_code, size_t bytes_written, void *user_data) {
    (void)socket;
    struct conn *c = user_data;
    aws_mutex_lock(&s_mutex);
    c->writes_done++;
    c->write_error = error_code;
    c->write_bytes += bytes_written;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static void s_on_readable(struct aws_socket *socket, int error_code, void *user_data) {
    (void)error_code;
    struct conn *c = user_data;
    bool on_loop = aws_event_loop_thread_is_callers_thread(c->loop);
    for (int i = 0; i < 64; i++) {
        uint8_t chunk[64];
        struct aws_byte_buf buf = aws_byte_buf_from_empty_array(chunk, sizeof(chunk));
        size_t amount = 0;
        if (aws_socket_read(socket, &buf, &amount)) {
            aws_mutex_lock(&s_mutex);
            if (aws_last_error() != AWS_IO_READ_WOULD_BLOCK) {
                c->rx_closed = true;
                c->rx_error = aws_last_error();
            }
            c->readable_on_loop = on_loop;
            s_signal();
            aws_mutex_unlock(&s_mutex);
            return;
        }
        CHECK_INT_EQ(buf.len, amount);
        aws_mutex_lock(&s_mutex);
        if (c->rx_len + amount <= sizeof(c->rx)) {
            memcpy(c->rx + c->rx_len, chunk, amount);
            c->rx_len += amount;
        }
        c->readable_on_loop = on_loop;
        s_signal();
        aws_mutex_unlock(&s_mutex);
        if (c->echo) {
            /* chunk is copied by nobody: the write must finish before it goes
             * out of scope, so echo from a heap copy held by the conn. */
            static uint8_t echo_buf[4096];
            static size_t echo_off;
            if (echo_off + amount > sizeof(echo_buf)) {
                echo_off = 0;
            }
            memcpy(echo_buf + echo_off, chunk, amount);
            struct aws_byte_cursor cur = aws_byte_cursor_from_array(echo_buf + echo_off, amount);
            echo_off += amount;
            CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_write(socket, &cur, s_on_written, c));
        }
    }
}

static void s_on_connect(struct aws_socket *socket, int error_code, void *user_data) {
    struct conn *c = user_data;
    if (!error_code) {
        CHECK(aws_event_loop_thread_is_callers_thread(c->loop));
        CHECK(aws_socket_get_event_loop(socket) == c->loop);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_subscribe_to_readable_events(socket, s_on_readable, c));
        /* Only once. */
        CHECK_INT_EQ(AWS_OP_ERR, aws_socket_subscribe_to_readable_events(socket, s_on_readable, c));
        CHECK_INT_EQ(AWS_ERROR_IO_ALREADY_SUBSCRIBED, aws_last_error());
    }
    aws_mutex_lock(&s_mutex);
    c->connect_error = error_code;
    c->connected = true;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static bool s_connected(void *arg) {
    return ((struct conn *)arg)->connected;
}

/* ---- the accepting side -------------------------------------------------------- */

struct acceptor {
    struct aws_event_loop *accept_loop;
    struct aws_event_loop *conn_loop;
    struct conn server;
    bool accepted;
    bool started;
    int accept_error;
};

static void s_on_accept_started(struct aws_socket *socket, int error_code, void *user_data) {
    (void)socket;
    struct acceptor *a = user_data;
    CHECK(aws_event_loop_thread_is_callers_thread(a->accept_loop));
    aws_mutex_lock(&s_mutex);
    a->started = error_code == 0;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static void s_on_accept(struct aws_socket *listener, int error_code, struct aws_socket *new_socket, void *user_data) {
    (void)listener;
    struct acceptor *a = user_data;
    CHECK(aws_event_loop_thread_is_callers_thread(a->accept_loop));
    if (!error_code) {
        CHECK(aws_socket_get_event_loop(new_socket) == NULL);
        CHECK(aws_socket_is_open(new_socket));
        a->server.socket = new_socket;
        a->server.loop = a->conn_loop;
        a->server.echo = true;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_assign_to_event_loop(new_socket, a->conn_loop));
        CHECK_INT_EQ(AWS_OP_ERR, aws_socket_assign_to_event_loop(new_socket, a->conn_loop));
        CHECK_INT_EQ(AWS_IO_EVENT_LOOP_ALREADY_ASSIGNED, aws_last_error());
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_subscribe_to_readable_events(new_socket, s_on_readable, &a->server));
    }
    aws_mutex_lock(&s_mutex);
    a->accepted = true;
    a->accept_error = error_code;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static bool s_accepted(void *arg) {
    return ((struct acceptor *)arg)->accepted && ((struct acceptor *)arg)->started;
}

struct rx_want {
    struct conn *c;
    size_t len;
};

static bool s_rx_has(void *arg) {
    struct rx_want *w = arg;
    return w->c->rx_len >= w->len;
}

static bool s_rx_closed(void *arg) {
    return ((struct conn *)arg)->rx_closed;
}

struct write_req {
    struct aws_socket *socket;
    struct aws_byte_cursor cursor;
    struct conn *c;
    int rc;
};

static void s_write_fn(void *arg) {
    struct write_req *w = arg;
    w->rc = aws_socket_write(w->socket, &w->cursor, s_on_written, w->c);
    /* Never completes inside aws_socket_write. */
    CHECK_INT_EQ(0, w->c->writes_done);
}

static bool s_one_write_done(void *arg) {
    return ((struct conn *)arg)->writes_done >= 1;
}

static void s_test_echo(enum aws_socket_domain domain) {
    struct aws_event_loop_group *group = s_new_group(2);
    struct aws_event_loop *loop0 = aws_event_loop_group_get_loop_at(group, 0);
    struct aws_event_loop *loop1 = aws_event_loop_group_get_loop_at(group, 1);

    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, domain, 16, &endpoint));
    if (domain != AWS_SOCKET_LOCAL) {
        CHECK(endpoint.port > 0);
    }

    struct acceptor a;
    memset(&a, 0, sizeof(a));
    a.accept_loop = loop0;
    a.conn_loop = loop1;
    struct aws_socket_listener_options lo = {
        .on_accept_result = s_on_accept,
        .on_accept_result_user_data = &a,
        .on_accept_start = s_on_accept_started,
        .on_accept_start_user_data = &a,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_start_accept(&listener, loop0, lo));
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_start_accept(&listener, loop0, lo));
    CHECK_INT_EQ(AWS_IO_EVENT_LOOP_ALREADY_ASSIGNED, aws_last_error());

    struct aws_socket client;
    struct aws_socket_options options = s_options(domain);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&client, s_alloc, &options));
    struct conn cc;
    memset(&cc, 0, sizeof(cc));
    cc.socket = &client;
    cc.loop = loop1;
    /* Not connected yet. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_subscribe_to_readable_events(&client, s_on_readable, &cc));
    CHECK_INT_EQ(AWS_IO_SOCKET_NOT_CONNECTED, aws_last_error());

    struct aws_socket_connect_options co = {
        .remote_endpoint = &endpoint, .event_loop = loop1, .on_connection_result = s_on_connect, .user_data = &cc};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_connect(&client, &co));
    CHECK(s_wait(s_connected, &cc));
    CHECK_INT_EQ(0, cc.connect_error);
    CHECK(s_wait(s_accepted, &a));
    CHECK_INT_EQ(0, a.accept_error);
    if (cc.connect_error || !a.server.socket) {
        goto done;
    }

    /* The accepted socket knows both ends. */
    CHECK_STR_EQ(endpoint.address, a.server.socket->local_endpoint.address);
    if (domain == AWS_SOCKET_LOCAL) {
        CHECK_STR_EQ(endpoint.address, a.server.socket->remote_endpoint.address);
    } else {
        CHECK_INT_EQ(endpoint.port, a.server.socket->local_endpoint.port);
        CHECK_STR_EQ(client.local_endpoint.address, a.server.socket->remote_endpoint.address);
        CHECK_INT_EQ(client.local_endpoint.port, a.server.socket->remote_endpoint.port);
        CHECK_INT_EQ(domain, a.server.socket->options.domain);
    }

    /* Off the loop thread: reads and writes are refused, and a connected
     * (non-listening) socket cannot be closed from here. */
    uint8_t scratch[8];
    struct aws_byte_buf sbuf = aws_byte_buf_from_empty_array(scratch, sizeof(scratch));
    size_t amount = 99;
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_read(&client, &sbuf, &amount));
    CHECK_INT_EQ(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY, aws_last_error());
    struct aws_byte_cursor hello = aws_byte_cursor_from_c_str("hello, socket");
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_write(&client, &hello, s_on_written, &cc));
    CHECK_INT_EQ(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY, aws_last_error());
    /* As upstream, the thread is checked before any argument: missing ones
     * do not abort here. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_read(&client, NULL, NULL));
    CHECK_INT_EQ(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_write(&client, NULL, NULL, NULL));
    CHECK_INT_EQ(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_close(&client));
    CHECK_INT_EQ(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE, aws_last_error());
    CHECK(aws_socket_is_open(&client));

    struct write_req w = {.socket = &client, .cursor = hello, .c = &cc};
    s_run_on_loop(loop1, s_write_fn, &w);
    CHECK_INT_EQ(AWS_OP_SUCCESS, w.rc);
    CHECK(s_wait(s_one_write_done, &cc));
    CHECK_INT_EQ(0, cc.write_error);
    CHECK_INT_EQ(hello.len, cc.write_bytes);

    struct rx_want server_want = {&a.server, hello.len};
    CHECK(s_wait(s_rx_has, &server_want));
    CHECK_MEM_EQ(hello.ptr, hello.len, a.server.rx, a.server.rx_len);
    struct rx_want client_want = {&cc, hello.len};
    CHECK(s_wait(s_rx_has, &client_want));
    CHECK_MEM_EQ(hello.ptr, hello.len, cc.rx, cc.rx_len);
    CHECK(cc.readable_on_loop);
    CHECK(a.server.readable_on_loop);

    /* The client hangs up: the server reads EOF as AWS_IO_SOCKET_CLOSED. */
    s_run_on_loop(loop1, s_close_socket_fn, &client);
    CHECK(!aws_socket_is_open(&client));
    CHECK(s_wait(s_rx_closed, &a.server));
    CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, a.server.rx_error);
    s_run_on_loop(loop1, s_close_socket_fn, a.server.socket);

done:
    aws_socket_clean_up(&client);
    if (a.server.socket) {
        aws_socket_clean_up(a.server.socket);
        aws_mem_release(s_alloc, a.server.socket);
    }
    /* A listener may be closed from outside its loop: this blocks until done. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(&listener));
    CHECK(!aws_socket_is_open(&listener));
    aws_socket_clean_up(&listener);
    aws_socket_clean_up(&listener); /* twice is harmless */
    if (domain == AWS_SOCKET_LOCAL) {
        CHECK_INT_EQ(0, unlink(endpoint.address));
    }
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

/* ---- errors ---------------------------------------------------------------------- */

static void test_connection_refused(void) {
    struct aws_event_loop_group *group = s_new_group(1);
    struct aws_event_loop *loop = aws_event_loop_group_get_loop_at(group, 0);

    /* A port that was just ours and is now closed. */
    struct aws_socket probe;
    struct aws_socket_options options = s_options(AWS_SOCKET_IPV4);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&probe, s_alloc, &options));
    struct aws_socket_endpoint endpoint = s_listen_endpoint(AWS_SOCKET_IPV4);
    struct aws_socket_bind_options bind = {.local_endpoint = &endpoint};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_bind(&probe, &bind));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_get_bound_address(&probe, &endpoint));
    aws_socket_clean_up(&probe);

    struct aws_socket client;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&client, s_alloc, &options));
    struct conn cc;
    memset(&cc, 0, sizeof(cc));
    cc.loop = loop;
    struct aws_socket_connect_options co = {
        .remote_endpoint = &endpoint, .event_loop = loop, .on_connection_result = s_on_connect, .user_data = &cc};
    if (aws_socket_connect(&client, &co) == AWS_OP_SUCCESS) {
        CHECK(s_wait(s_connected, &cc));
        CHECK_INT_EQ(AWS_IO_SOCKET_CONNECTION_REFUSED, cc.connect_error);
        s_run_on_loop(loop, s_close_socket_fn, &client);
    } else {
        CHECK_INT_EQ(AWS_IO_SOCKET_CONNECTION_REFUSED, aws_last_error());
    }
    aws_socket_clean_up(&client);

    /* A Unix socket path nobody listens on. */
    options = s_options(AWS_SOCKET_LOCAL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&client, s_alloc, &options));
    memset(&cc, 0, sizeof(cc));
    cc.loop = loop;
    endpoint = s_listen_endpoint(AWS_SOCKET_LOCAL);
    if (aws_socket_connect(&client, &co) == AWS_OP_SUCCESS) {
        CHECK(s_wait(s_connected, &cc));
        CHECK(cc.connect_error == AWS_ERROR_FILE_INVALID_PATH || cc.connect_error == AWS_IO_SOCKET_CONNECTION_REFUSED);
        s_run_on_loop(loop, s_close_socket_fn, &client);
    } else {
        CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
    }
    aws_socket_clean_up(&client);
    s_release_group(group);
}

static void s_check_in_use(enum aws_socket_domain domain) {
    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, domain, 4, &endpoint));

    struct aws_socket dup;
    struct aws_socket_options options = s_options(domain);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&dup, s_alloc, &options));
    struct aws_socket_bind_options bind = {.local_endpoint = &endpoint};
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_bind(&dup, &bind));
    CHECK_INT_EQ(AWS_IO_SOCKET_ADDRESS_IN_USE, aws_last_error());
    /* A failed bind leaves the socket in the error state. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_listen(&dup, 4));
    CHECK_INT_EQ(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE, aws_last_error());
    aws_socket_clean_up(&dup);
    aws_socket_clean_up(&listener);

    if (domain == AWS_SOCKET_LOCAL) {
        /* As upstream, the socket file outlives the listener and a new bind to
         * the stale path fails the same way; the owner removes the file. */
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&dup, s_alloc, &options));
        CHECK_INT_EQ(AWS_OP_ERR, aws_socket_bind(&dup, &bind));
        CHECK_INT_EQ(AWS_IO_SOCKET_ADDRESS_IN_USE, aws_last_error());
        aws_socket_clean_up(&dup);
        CHECK_INT_EQ(0, unlink(endpoint.address));
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&dup, s_alloc, &options));
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_bind(&dup, &bind));
        aws_socket_clean_up(&dup);
        unlink(endpoint.address);
    }
}

static void test_address_in_use(void) {
    s_check_in_use(AWS_SOCKET_IPV4);
    s_check_in_use(AWS_SOCKET_IPV6);
    s_check_in_use(AWS_SOCKET_LOCAL);
}

/* Connect timeout: a listener with backlog 1 that never accepts. Once its
 * accept queue is full the kernel drops further SYNs, so a connect stays
 * pending until our 300 ms timeout fires. */
static void test_connect_timeout(void) {
    struct aws_event_loop_group *group = s_new_group(1);
    struct aws_event_loop *loop = aws_event_loop_group_get_loop_at(group, 0);
    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, AWS_SOCKET_IPV4, 1, &endpoint));

    enum { MAX_CLIENTS = 16 };
    struct aws_socket clients[MAX_CLIENTS];
    struct conn conns[MAX_CLIENTS];
    memset(conns, 0, sizeof(conns));
    int used = 0;
    int timeouts = 0;
    for (int i = 0; i < MAX_CLIENTS && timeouts == 0; i++) {
        struct aws_socket_options options = s_options(AWS_SOCKET_IPV4);
        options.connect_timeout_ms = 300;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&clients[i], s_alloc, &options));
        used++;
        conns[i].loop = loop;
        struct aws_socket_connect_options co = {.remote_endpoint = &endpoint,
                                                .event_loop = loop,
                                                .on_connection_result = s_on_connect,
                                                .user_data = &conns[i]};
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_connect(&clients[i], &co));
        CHECK(s_wait(s_connected, &conns[i]));
        if (conns[i].connect_error == AWS_IO_SOCKET_TIMEOUT) {
            timeouts++;
        } else {
            CHECK_INT_EQ(0, conns[i].connect_error);
        }
    }
    CHECK_INT_EQ(1, timeouts);
    /* The timed-out socket was closed for us. */
    CHECK(!aws_socket_is_open(&clients[used - 1]));
    for (int i = 0; i < used; i++) {
        if (aws_socket_is_open(&clients[i])) {
            s_run_on_loop(loop, s_close_socket_fn, &clients[i]);
        }
        aws_socket_clean_up(&clients[i]);
    }
    aws_socket_clean_up(&listener);
    s_release_group(group);
}

/* ---- a large write ------------------------------------------------------------------- */

#define BIG (8u * 1024u * 1024u)

struct sink {
    struct aws_event_loop *loop;
    struct aws_socket *socket;
    size_t received;
    bool pattern_ok;
    bool accepted;
};

static void s_sink_readable(struct aws_socket *socket, int error_code, void *user_data) {
    (void)error_code;
    struct sink *k = user_data;
    static uint8_t chunk[65536];
    for (int i = 0; i < 1024; i++) {
        struct aws_byte_buf buf = aws_byte_buf_from_empty_array(chunk, sizeof(chunk));
        size_t amount = 0;
        if (aws_socket_read(socket, &buf, &amount)) {
            return;
        }
        aws_mutex_lock(&s_mutex);
        for (size_t j = 0; j < amount; j++) {
            if (chunk[j] != (uint8_t)((k->received + j) * 7)) {
                k->pattern_ok = false;
            }
        }
        k->received += amount;
        s_signal();
        aws_mutex_unlock(&s_mutex);
    }
}

static void s_sink_accept(struct aws_socket *listener, int error_code, struct aws_socket *new_socket, void *user_data) {
    (void)listener;
    struct sink *k = user_data;
    CHECK_INT_EQ(0, error_code);
    if (new_socket) {
        k->socket = new_socket;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_assign_to_event_loop(new_socket, k->loop));
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_subscribe_to_readable_events(new_socket, s_sink_readable, k));
    }
    aws_mutex_lock(&s_mutex);
    k->accepted = true;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static bool s_sink_accepted(void *arg) {
    return ((struct sink *)arg)->accepted;
}

static bool s_sink_full(void *arg) {
    return ((struct sink *)arg)->received >= BIG;
}

static void test_large_write(void) {
    struct aws_event_loop_group *group = s_new_group(2);
    struct aws_event_loop *loop0 = aws_event_loop_group_get_loop_at(group, 0);
    struct aws_event_loop *loop1 = aws_event_loop_group_get_loop_at(group, 1);
    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, AWS_SOCKET_IPV4, 4, &endpoint));
    struct sink k = {.loop = loop0, .pattern_ok = true};
    struct aws_socket_listener_options lo = {.on_accept_result = s_sink_accept, .on_accept_result_user_data = &k};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_start_accept(&listener, loop0, lo));

    struct aws_socket client;
    struct aws_socket_options options = s_options(AWS_SOCKET_IPV4);
    options.tcp_nodelay = AWS_SOCKET_TCP_NODELAY_ON;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&client, s_alloc, &options));
    struct conn cc;
    memset(&cc, 0, sizeof(cc));
    cc.loop = loop1;
    struct aws_socket_connect_options co = {
        .remote_endpoint = &endpoint, .event_loop = loop1, .on_connection_result = s_on_connect, .user_data = &cc};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_connect(&client, &co));
    CHECK(s_wait(s_connected, &cc));
    CHECK(s_wait(s_sink_accepted, &k));

    uint8_t *big = aws_mem_acquire(s_alloc, BIG);
    for (size_t i = 0; i < BIG; i++) {
        big[i] = (uint8_t)(i * 7);
    }
    struct write_req w = {.socket = &client, .cursor = aws_byte_cursor_from_array(big, BIG), .c = &cc};
    s_run_on_loop(loop1, s_write_fn, &w);
    CHECK_INT_EQ(AWS_OP_SUCCESS, w.rc);
    CHECK(s_wait(s_sink_full, &k));
    CHECK(s_wait(s_one_write_done, &cc));
    aws_mutex_lock(&s_mutex);
    CHECK_INT_EQ(1, cc.writes_done);
    CHECK_INT_EQ(0, cc.write_error);
    CHECK_INT_EQ(BIG, cc.write_bytes);
    CHECK_INT_EQ(BIG, k.received);
    CHECK(k.pattern_ok);
    aws_mutex_unlock(&s_mutex);

    s_run_on_loop(loop1, s_close_socket_fn, &client);
    aws_socket_clean_up(&client);
    if (k.socket) {
        s_run_on_loop(loop0, s_close_socket_fn, k.socket);
        aws_socket_clean_up(k.socket);
        aws_mem_release(s_alloc, k.socket);
    }
    aws_mem_release(s_alloc, big);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(&listener));
    aws_socket_clean_up(&listener);
    s_release_group(group);
}

/* ---- writes pending at close fail with AWS_IO_SOCKET_CLOSED ----------------------- */

struct pending_close {
    struct aws_socket *socket;
    struct conn *c;
    uint8_t *data;
};

static void s_write_then_close(void *arg) {
    struct pending_close *p = arg;
    /* Far more than the socket buffers hold while the peer reads nothing. */
    struct aws_byte_cursor cur = aws_byte_cursor_from_array(p->data, BIG);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_write(p->socket, &cur, s_on_written, p->c));
    CHECK_INT_EQ(0, p->c->writes_done);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(p->socket));
    /* Delivered before close returned. */
    CHECK_INT_EQ(1, p->c->writes_done);
    CHECK_INT_EQ(AWS_IO_SOCKET_CLOSED, p->c->write_error);
    CHECK(p->c->write_bytes < BIG);
    /* Closed: reads and writes now fail as not connected. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_write(p->socket, &cur, s_on_written, p->c));
}

static void test_pending_write_at_close(void) {
    struct aws_event_loop_group *group = s_new_group(1);
    struct aws_event_loop *loop = aws_event_loop_group_get_loop_at(group, 0);
    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, AWS_SOCKET_LOCAL, 4, &endpoint));
    struct acceptor a;
    memset(&a, 0, sizeof(a));
    a.accept_loop = loop;
    a.conn_loop = loop;
    struct aws_socket_listener_options lo = {
        .on_accept_result = s_on_accept,
        .on_accept_result_user_data = &a,
        .on_accept_start = s_on_accept_started,
        .on_accept_start_user_data = &a};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_start_accept(&listener, loop, lo));

    struct aws_socket client;
    struct aws_socket_options options = s_options(AWS_SOCKET_LOCAL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&client, s_alloc, &options));
    struct conn cc;
    memset(&cc, 0, sizeof(cc));
    cc.loop = loop;
    struct aws_socket_connect_options co = {
        .remote_endpoint = &endpoint, .event_loop = loop, .on_connection_result = s_on_connect, .user_data = &cc};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_connect(&client, &co));
    CHECK(s_wait(s_connected, &cc));
    CHECK(s_wait(s_accepted, &a));
    /* No echo: the write and the close below run in one loop task, so the
     * bulk of the 8 MiB is still queued when the socket closes. */
    a.server.echo = false;

    uint8_t *data = aws_mem_calloc(s_alloc, 1, BIG);
    struct pending_close p = {.socket = &client, .c = &cc, .data = data};
    s_run_on_loop(loop, s_write_then_close, &p);
    aws_socket_clean_up(&client);
    if (a.server.socket) {
        s_run_on_loop(loop, s_close_socket_fn, a.server.socket);
        aws_socket_clean_up(a.server.socket);
        aws_mem_release(s_alloc, a.server.socket);
    }
    aws_mem_release(s_alloc, data);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(&listener));
    aws_socket_clean_up(&listener);
    unlink(endpoint.address);
    s_release_group(group);
}

/* ---- the lost wake-up ------------------------------------------------------------------ */

#define STORM 200
#define STORM_BYTES 8

static int s_storm_server_done;
static int s_storm_client_done;
static int s_storm_errors;
static struct aws_event_loop *s_storm_loops[3];

struct storm_server {
    struct aws_socket *socket;
    struct aws_task subscribe_task;
    size_t got;
};

static void s_storm_server_finish(struct storm_server *s, bool ok) {
    aws_socket_close(s->socket);
    aws_socket_clean_up(s->socket);
    aws_mem_release(s_alloc, s->socket);
    aws_mem_release(s_alloc, s);
    aws_mutex_lock(&s_mutex);
    if (ok) {
        s_storm_server_done++;
    } else {
        s_storm_errors++;
    }
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static void s_storm_readable(struct aws_socket *socket, int error_code, void *user_data) {
    (void)error_code;
    struct storm_server *s = user_data;
    for (int i = 0; i < 16; i++) {
        uint8_t chunk[64];
        struct aws_byte_buf buf = aws_byte_buf_from_empty_array(chunk, sizeof(chunk));
        size_t amount = 0;
        if (aws_socket_read(socket, &buf, &amount)) {
            if (aws_last_error() != AWS_IO_READ_WOULD_BLOCK) {
                /* EOF before all bytes came would be a failure. */
                s_storm_server_finish(s, s->got == STORM_BYTES);
            }
            return;
        }
        for (size_t j = 0; j < amount; j++) {
            if (chunk[j] != (uint8_t)('a' + s->got + j)) {
                s_storm_server_finish(s, false);
                return;
            }
        }
        s->got += amount;
        if (s->got == STORM_BYTES) {
            s_storm_server_finish(s, true);
            return;
        }
    }
}

/* Subscribing from a task on the connection's loop: by the time it runs that
 * loop has usually already consumed the readable edge of the early bytes. */
static void s_storm_subscribe(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    struct storm_server *s = arg;
    if (status != AWS_TASK_STATUS_RUN_READY ||
        aws_socket_subscribe_to_readable_events(s->socket, s_storm_readable, s)) {
        s_storm_server_finish(s, false);
    }
}

static int s_storm_next_loop;

static void s_storm_accept(struct aws_socket *listener, int error_code, struct aws_socket *new_socket,
                           void *user_data) {
    (void)listener;
    (void)user_data;
    if (error_code || !new_socket) {
        aws_mutex_lock(&s_mutex);
        s_storm_errors++;
        s_signal();
        aws_mutex_unlock(&s_mutex);
        return;
    }
    /* Never the accepting loop (index 0). */
    struct aws_event_loop *loop = s_storm_loops[1 + (s_storm_next_loop++ % 2)];
    struct storm_server *s = aws_mem_calloc(s_alloc, 1, sizeof(*s));
    s->socket = new_socket;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_assign_to_event_loop(new_socket, loop));
    aws_task_init(&s->subscribe_task, s_storm_subscribe, s, "storm_subscribe");
    aws_event_loop_schedule_task_now(loop, &s->subscribe_task);
}

struct storm_client {
    struct aws_socket socket;
};

static void s_storm_client_written(struct aws_socket *socket, int error_code, size_t bytes_written, void *user_data) {
    struct storm_client *c = user_data;
    bool ok = error_code == 0 && bytes_written == STORM_BYTES;
    aws_socket_close(socket);
    aws_socket_clean_up(&c->socket);
    aws_mem_release(s_alloc, c);
    aws_mutex_lock(&s_mutex);
    if (ok) {
        s_storm_client_done++;
    } else {
        s_storm_errors++;
    }
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static const uint8_t s_storm_payload[STORM_BYTES] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};

static void s_storm_connected(struct aws_socket *socket, int error_code, void *user_data) {
    struct storm_client *c = user_data;
    struct aws_byte_cursor cur = aws_byte_cursor_from_array(s_storm_payload, STORM_BYTES);
    if (error_code || aws_socket_write(socket, &cur, s_storm_client_written, c)) {
        aws_mutex_lock(&s_mutex);
        s_storm_errors++;
        s_signal();
        aws_mutex_unlock(&s_mutex);
    }
}

static bool s_storm_finished(void *arg) {
    (void)arg;
    return s_storm_errors > 0 || (s_storm_server_done == STORM && s_storm_client_done == STORM);
}

static void test_no_lost_wakeup(void) {
    struct aws_event_loop_group *group = s_new_group(3);
    for (int i = 0; i < 3; i++) {
        s_storm_loops[i] = aws_event_loop_group_get_loop_at(group, (size_t)i);
    }
    struct aws_socket listener;
    struct aws_socket_endpoint endpoint;
    CHECK(s_listen(&listener, AWS_SOCKET_IPV4, 1024, &endpoint));
    struct aws_socket_listener_options lo = {.on_accept_result = s_storm_accept};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_start_accept(&listener, s_storm_loops[0], lo));

    for (int i = 0; i < STORM; i++) {
        struct storm_client *c = aws_mem_calloc(s_alloc, 1, sizeof(*c));
        struct aws_socket_options options = s_options(AWS_SOCKET_IPV4);
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&c->socket, s_alloc, &options));
        struct aws_socket_connect_options co = {.remote_endpoint = &endpoint,
                                                .event_loop = s_storm_loops[1 + i % 2],
                                                .on_connection_result = s_storm_connected,
                                                .user_data = c};
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_connect(&c->socket, &co));
    }
    CHECK(s_wait(s_storm_finished, NULL));
    aws_mutex_lock(&s_mutex);
    CHECK_INT_EQ(0, s_storm_errors);
    CHECK_INT_EQ(STORM, s_storm_server_done);
    CHECK_INT_EQ(STORM, s_storm_client_done);
    aws_mutex_unlock(&s_mutex);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_stop_accept(&listener));
    CHECK(aws_socket_get_event_loop(&listener) == NULL);
    aws_socket_clean_up(&listener);
    s_release_group(group);
}

/* ---- synchronous API: addresses, options, validation ---------------------------- */

static void test_bound_address_and_state_errors(void) {
    struct aws_socket s;
    struct aws_socket_options options = s_options(AWS_SOCKET_IPV4);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&s, s_alloc, &options));
    CHECK(aws_socket_is_open(&s));
    CHECK_INT_EQ(0, aws_socket_get_error(&s));
    CHECK(aws_socket_get_event_loop(&s) == NULL);

    struct aws_socket_endpoint out;
    memset(&out, 0x5A, sizeof(out));
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_get_bound_address(&s, &out));
    CHECK_INT_EQ(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE, aws_last_error());
    CHECK_INT_EQ(0x5A5A5A5A, out.port); /* untouched */
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_listen(&s, 4));
    CHECK_INT_EQ(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_stop_accept(&s));
    CHECK_INT_EQ(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE, aws_last_error());

    struct aws_socket_endpoint endpoint;
    memset(&endpoint, 0, sizeof(endpoint));
    strcpy(endpoint.address, "127.0.0.1");
    endpoint.port = 70000;
    struct aws_socket_bind_options bind = {.local_endpoint = &endpoint};
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_bind(&s, &bind));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_ADDRESS, aws_last_error());
    endpoint.port = 0;
    strcpy(endpoint.address, "127.0.0.256");
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_bind(&s, &bind));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_ADDRESS, aws_last_error());
    strcpy(endpoint.address, "127.0.0.1");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_bind(&s, &bind));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_get_bound_address(&s, &out));
    CHECK_STR_EQ("127.0.0.1", out.address);
    CHECK(out.port > 0 && out.port <= 65535);
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_bind(&s, &bind));
    CHECK_INT_EQ(AWS_IO_SOCKET_ILLEGAL_OPERATION_FOR_STATE, aws_last_error());

    /* Options must keep domain and type. */
    struct aws_socket_options other = s_options(AWS_SOCKET_IPV6);
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_set_options(&s, &other));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_OPTIONS, aws_last_error());
    aws_socket_clean_up(&s);
    CHECK(s.impl == NULL);

    /* Only the POSIX implementation exists here. */
    options.impl_type = AWS_SOCKET_IMPL_WINSOCK;
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_init(&s, s_alloc, &options));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    options.impl_type = AWS_SOCKET_IMPL_APPLE_NETWORK_FRAMEWORK;
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_init(&s, s_alloc, &options));
    CHECK_INT_EQ(AWS_ERROR_PLATFORM_NOT_SUPPORTED, aws_last_error());
    CHECK_INT_EQ(AWS_SOCKET_IMPL_POSIX, aws_socket_get_default_impl_type());
    options.impl_type = AWS_SOCKET_IMPL_POSIX;

    /* An interface name that does not exist is rejected at init. */
    strcpy(options.network_interface_name, "nosuchif0");
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_init(&s, s_alloc, &options));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_OPTIONS, aws_last_error());
    memset(options.network_interface_name, 'x', sizeof(options.network_interface_name));
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_init(&s, s_alloc, &options));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_OPTIONS, aws_last_error());
    CHECK(aws_is_network_interface_name_valid("lo"));
    CHECK(!aws_is_network_interface_name_valid("nosuchif0"));
}

static int s_getsockopt_int(int fd, int level, int name) {
    int value = -1;
    socklen_t len = sizeof(value);
    if (getsockopt(fd, level, name, &value, &len)) {
        return -2;
    }
    return value;
}

static void test_options_applied(void) {
    struct aws_socket s;
    struct aws_socket_options options = s_options(AWS_SOCKET_IPV4);
    options.tcp_nodelay = AWS_SOCKET_TCP_NODELAY_ON;
    options.keepalive = true;
    options.keep_alive_interval_sec = 17;
    options.keep_alive_timeout_sec = 5;
    options.keep_alive_max_failed_probes = 3;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_init(&s, s_alloc, &options));
    int fd = s.io_handle.data.fd;
    CHECK_INT_EQ(1, s_getsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY));
    CHECK_INT_EQ(1, s_getsockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE));
    CHECK_INT_EQ(17, s_getsockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE));
    CHECK_INT_EQ(5, s_getsockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL));
    CHECK_INT_EQ(3, s_getsockopt_int(fd, IPPROTO_TCP, TCP_KEEPCNT));
    CHECK_INT_EQ(1, s_getsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR));
    /* Non-blocking and close-on-exec. */
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);

    options.tcp_nodelay = AWS_SOCKET_TCP_NODELAY_OFF;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_set_options(&s, &options));
    CHECK_INT_EQ(0, s_getsockopt_int(fd, IPPROTO_TCP, TCP_NODELAY));
    CHECK_INT_EQ(AWS_SOCKET_TCP_NODELAY_OFF, s.options.tcp_nodelay);
    aws_socket_clean_up(&s);
    CHECK_INT_EQ(-1, s.io_handle.data.fd);
}

static void test_validation_and_parsing(void) {
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_validate_port_for_connect(443, AWS_SOCKET_IPV4));
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_validate_port_for_connect(0, AWS_SOCKET_IPV4));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_ADDRESS, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_validate_port_for_connect(65536, AWS_SOCKET_IPV6));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_validate_port_for_connect(0, AWS_SOCKET_LOCAL));
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_validate_port_for_connect(UINT32_MAX, AWS_SOCKET_VSOCK));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_validate_port_for_connect(UINT32_MAX - 1, AWS_SOCKET_VSOCK));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_validate_port_for_bind(0, AWS_SOCKET_IPV6));
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_validate_port_for_bind(65536, AWS_SOCKET_IPV4));
    CHECK_INT_EQ(AWS_OP_ERR, aws_socket_validate_port_for_bind(1, (enum aws_socket_domain)9));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_ADDRESS, aws_last_error());

    struct aws_socket_endpoint e;
    memset(&e, 0, sizeof(e));
    aws_socket_endpoint_init_local_address_for_test(&e);
    CHECK(strncmp(e.address, "testsock", 8) == 0);
    CHECK_INT_EQ(8 + 36 + 5, strlen(e.address));
    CHECK_STR_EQ(".sock", e.address + 8 + 36);

    struct aws_string *v4 = aws_string_new_from_c_str(s_alloc, "127.0.0.1");
    uint32_t addr = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_parse_ipv4_address(v4, &addr));
    CHECK_INT_EQ(htonl(0x7F000001), addr);
    aws_string_destroy(v4);
    v4 = aws_string_new_from_c_str(s_alloc, "1.2.3");
    addr = 7;
    CHECK_INT_EQ(AWS_OP_ERR, aws_parse_ipv4_address(v4, &addr));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_ADDRESS, aws_last_error());
    aws_string_destroy(v4);

    uint8_t storage[16];
    struct aws_byte_buf buf = aws_byte_buf_from_empty_array(storage, sizeof(storage));
    struct aws_string *v6 = aws_string_new_from_c_str(s_alloc, "::1");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_parse_ipv6_address(v6, &buf));
    CHECK_INT_EQ(16, buf.len);
    CHECK_INT_EQ(1, storage[15]);
    CHECK_INT_EQ(0, storage[0]);
    /* Full buffer: unchanged, short buffer error. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_parse_ipv6_address(v6, &buf));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_last_error());
    CHECK_INT_EQ(16, buf.len);
    aws_string_destroy(v6);
    buf.len = 0;
    v6 = aws_string_new_from_c_str(s_alloc, "::g");
    CHECK_INT_EQ(AWS_OP_ERR, aws_parse_ipv6_address(v6, &buf));
    CHECK_INT_EQ(AWS_IO_SOCKET_INVALID_ADDRESS, aws_last_error());
    CHECK_INT_EQ(0, buf.len);
    aws_string_destroy(v6);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    s_make_tmp_dir();
    RUN_TEST(test_validation_and_parsing);
    RUN_TEST(test_bound_address_and_state_errors);
    RUN_TEST(test_options_applied);
    RUN_TEST(test_echo_ipv4);
    RUN_TEST(test_echo_ipv6);
    RUN_TEST(test_echo_local);
    RUN_TEST(test_connection_refused);
    RUN_TEST(test_address_in_use);
    RUN_TEST(test_connect_timeout);
    RUN_TEST(test_large_write);
    RUN_TEST(test_pending_write_at_close);
    RUN_TEST(test_no_lost_wakeup);
    aws_io_library_clean_up();
    rmdir(s_tmp_dir);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
