/* 1,000 concurrent loopback connections through the bootstraps (server
 * group of 2 loops, client group of 2), each echoing 4 messages through the C
 * echo handler, all shut down cleanly within 120 s. RLIMIT_NOFILE is raised
 * to the hard limit; if that still cannot hold two fds per connection the
 * count drops to 500 (reported). Under valgrind (AWS_ES_UNDER_VALGRIND set)
 * it runs 50 connections. */
#include <aws/common/clock.h>

#include <sys/resource.h>

#include "bootstrap_echo.h"

#define STRESS_WAIT_NS (120LL * 1000 * 1000 * 1000)

static size_t s_connection_count(void) {
    if (getenv("AWS_ES_UNDER_VALGRIND")) {
        return 50;
    }
    size_t wanted = 1000;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t need = (rlim_t)(2 * wanted + 256);
        if (rl.rlim_cur < need) {
            rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
        if (rl.rlim_cur < need) {
            fprintf(stderr, "RLIMIT_NOFILE %llu is below %llu: running 500 connections\n",
                    (unsigned long long)rl.rlim_cur, (unsigned long long)need);
            wanted = 500;
        }
    }
    return wanted;
}

struct all_done {
    struct echo_conn *conns;
    size_t count;
};

static bool s_all_done(void *arg) {
    struct all_done *d = arg;
    for (size_t i = 0; i < d->count; ++i) {
        if (!s_conn_done(&d->conns[i])) {
            return false;
        }
    }
    return true;
}

static struct echo_server s_server;

static bool s_server_all_shut(void *arg) {
    return s_server.shutdowns >= (int)*(size_t *)arg;
}

static void test_stress(void) {
    size_t n = s_connection_count();
    struct aws_event_loop_group *server_group = aws_event_loop_group_new_default(s_alloc, 2, NULL);
    struct aws_event_loop_group *client_group = aws_event_loop_group_new_default(s_alloc, 2, NULL);
    struct aws_host_resolver_default_options ro = {.max_entries = 8, .el_group = client_group};
    struct aws_host_resolver *resolver = aws_host_resolver_new_default(s_alloc, &ro);
    struct aws_client_bootstrap_options bo = {.event_loop_group = client_group, .host_resolver = resolver};
    struct aws_client_bootstrap *client = aws_client_bootstrap_new(s_alloc, &bo);
    s_server.group = server_group;
    s_server.bootstrap = aws_server_bootstrap_new(s_alloc, server_group);
    CHECK(s_start_listener(&s_server, "127.0.0.1", 0, AWS_SOCKET_IPV4, false) != NULL);
    struct aws_socket_endpoint ep;
    AWS_ZERO_STRUCT(ep);
    aws_socket_get_bound_address(s_server.listener, &ep);

    uint64_t start = 0, end = 0;
    aws_high_res_clock_get_ticks(&start);
    struct echo_conn *conns = aws_mem_calloc(s_alloc, n, sizeof(struct echo_conn));
    size_t started = 0;
    for (size_t i = 0; i < n; ++i) {
        conns[i].group = client_group;
        conns[i].messages = 4;
        conns[i].message_size = 256;
        s_fill_pattern(&conns[i], i);
        /* every other one through the resolver ("localhost") */
        const char *host = (i % 2) ? "localhost" : "127.0.0.1";
        if (s_connect(client, &conns[i], host, ep.port, AWS_SOCKET_IPV4) == AWS_OP_SUCCESS) {
            started++;
        } else {
            fprintf(stderr, "connect %zu failed: %s\n", i, aws_error_name(aws_last_error()));
        }
    }
    CHECK_INT_EQ(n, started);
    struct all_done d = {.conns = conns, .count = n};
    CHECK(s_wait_for(STRESS_WAIT_NS, s_all_done, &d));
    CHECK(s_wait_for(STRESS_WAIT_NS, s_server_all_shut, &n));
    aws_high_res_clock_get_ticks(&end);

    size_t ok = 0;
    for (size_t i = 0; i < n; ++i) {
        struct echo_conn *c = &conns[i];
        bool good = c->setup_error == 0 && c->setup_calls == 1 && c->shutdown_calls == 1 && c->creation_calls == 1 &&
                    c->wrong_thread == 0 && c->shutdown_error == 0 && c->received.len == c->sent.len &&
                    memcmp(c->received.buffer, c->sent.buffer, c->sent.len) == 0 &&
                    c->creation_seq < c->setup_seq && c->setup_seq < c->shutdown_seq;
        if (!good) {
            fprintf(stderr, "connection %zu: setup %d (%s) shutdown %d (%s) received %zu/%zu\n", i, c->setup_calls,
                    aws_error_name(c->setup_error), c->shutdown_calls, aws_error_name(c->shutdown_error),
                    c->received.len, c->sent.len);
        }
        ok += good;
        s_conn_clean_up(c);
    }
    CHECK_INT_EQ(n, ok);
    CHECK(s_stop_listener(&s_server, STRESS_WAIT_NS));
    CHECK_INT_EQ((int)n, s_server.incoming_ok);
    CHECK_INT_EQ((int)n, s_server.shutdowns);
    CHECK_INT_EQ(1, s_server.destroys);
    CHECK_INT_EQ(0, s_server.wrong_thread);
    CHECK_INT_EQ(n * 4 * 256, s_server.bytes_echoed);
    fprintf(stderr, "%zu connections echoed in %.3f s\n", n, (double)(end - start) / 1e9);

    aws_mem_release(s_alloc, conns);
    aws_client_bootstrap_release(client);
    aws_server_bootstrap_release(s_server.bootstrap);
    aws_host_resolver_release(resolver);
    aws_event_loop_group_release(client_group);
    aws_event_loop_group_release(server_group);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    RUN_TEST(test_stress);
    aws_io_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
