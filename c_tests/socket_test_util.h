/* Shared by the socket tests: one mutex + condition variable for every wait
 * (always bounded), an event-loop group whose shutdown we can wait for, running
 * a function on a loop thread and waiting for it, loopback endpoints and a
 * private directory for Unix sockets. */
#ifndef C_TESTS_SOCKET_TEST_UTIL_H
#define C_TESTS_SOCKET_TEST_UTIL_H

#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/common/task_scheduler.h>
#include <aws/io/event_loop.h>
#include <aws/io/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_helpers.h"

#define WAIT_NS (20LL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_mutex = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;
static char s_tmp_dir[64];

static void s_signal(void) {
    aws_condition_variable_notify_all(&s_cv);
}

/* Waits (bounded) until pred(arg) holds; s_mutex must be held. */
static bool s_wait_locked(bool (*pred)(void *), void *arg) {
    return aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, pred, arg) == AWS_OP_SUCCESS;
}

static bool s_wait(bool (*pred)(void *), void *arg) {
    aws_mutex_lock(&s_mutex);
    bool ok = s_wait_locked(pred, arg);
    aws_mutex_unlock(&s_mutex);
    return ok;
}

/* ---- a group whose asynchronous shutdown we wait for -------------------------- */

static bool s_group_gone;

static void s_on_group_shutdown(void *user_data) {
    (void)user_data;
    aws_mutex_lock(&s_mutex);
    s_group_gone = true;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static bool s_group_gone_pred(void *arg) {
    (void)arg;
    return s_group_gone;
}

static struct aws_event_loop_group *s_new_group(uint16_t loops) {
    s_group_gone = false;
    struct aws_shutdown_callback_options shutdown = {.shutdown_callback_fn = s_on_group_shutdown};
    struct aws_event_loop_group_options options = {.loop_count = loops, .shutdown_options = &shutdown};
    return aws_event_loop_group_new(s_alloc, &options);
}

static void s_release_group(struct aws_event_loop_group *group) {
    aws_event_loop_group_release(group);
    CHECK(s_wait(s_group_gone_pred, NULL));
}

/* ---- run a function on a loop thread and wait for it ------------------------------ */

struct loop_call {
    struct aws_task task;
    void (*fn)(void *);
    void *arg;
    bool done;
};

static void s_loop_call_task(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    struct loop_call *call = arg;
    if (status == AWS_TASK_STATUS_RUN_READY) {
        call->fn(call->arg);
    }
    aws_mutex_lock(&s_mutex);
    call->done = true;
    s_signal();
    aws_mutex_unlock(&s_mutex);
}

static bool s_loop_call_done(void *arg) {
    return ((struct loop_call *)arg)->done;
}

static void s_run_on_loop(struct aws_event_loop *loop, void (*fn)(void *), void *arg) {
    struct loop_call call = {.fn = fn, .arg = arg};
    aws_task_init(&call.task, s_loop_call_task, &call, "test_run_on_loop");
    aws_event_loop_schedule_task_now(loop, &call.task);
    CHECK(s_wait(s_loop_call_done, &call));
}

static void s_close_socket_fn(void *arg) {
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_socket_close(arg));
}

/* ---- endpoints ------------------------------------------------------------------- */

static struct aws_socket_options s_options(enum aws_socket_domain domain) {
    struct aws_socket_options options;
    memset(&options, 0, sizeof(options));
    options.type = AWS_SOCKET_STREAM;
    options.domain = domain;
    options.connect_timeout_ms = 3000;
    return options;
}

static void s_make_tmp_dir(void) {
    snprintf(s_tmp_dir, sizeof(s_tmp_dir), "/tmp/aws_es_rs_sock_XXXXXX");
    if (!mkdtemp(s_tmp_dir)) {
        fprintf(stderr, "mkdtemp failed\n");
        exit(2);
    }
}

/* A listening endpoint: loopback with port 0 (the kernel picks), or a fresh
 * Unix socket path inside our temporary directory. */
static struct aws_socket_endpoint s_listen_endpoint(enum aws_socket_domain domain) {
    struct aws_socket_endpoint endpoint;
    memset(&endpoint, 0, sizeof(endpoint));
    if (domain == AWS_SOCKET_IPV4) {
        strcpy(endpoint.address, "127.0.0.1");
    } else if (domain == AWS_SOCKET_IPV6) {
        strcpy(endpoint.address, "::1");
    } else {
        struct aws_socket_endpoint name;
        aws_socket_endpoint_init_local_address_for_test(&name);
        /* Both parts are short (about 27 and 49 bytes); join them by hand. */
        size_t dir_len = strlen(s_tmp_dir);
        size_t name_len = strlen(name.address);
        if (dir_len + 1 + name_len < sizeof(endpoint.address)) {
            memcpy(endpoint.address, s_tmp_dir, dir_len);
            endpoint.address[dir_len] = '/';
            memcpy(endpoint.address + dir_len + 1, name.address, name_len + 1);
        }
    }
    return endpoint;
}

/* Binds and listens; returns the endpoint clients connect to. */
static bool s_listen(struct aws_socket *listener, enum aws_socket_domain domain, int backlog,
                     struct aws_socket_endpoint *out) {
    struct aws_socket_options options = s_options(domain);
    if (aws_socket_init(listener, s_alloc, &options)) {
        return false;
    }
    struct aws_socket_endpoint endpoint = s_listen_endpoint(domain);
    struct aws_socket_bind_options bind = {.local_endpoint = &endpoint};
    if (aws_socket_bind(listener, &bind) || aws_socket_listen(listener, backlog)) {
        aws_socket_clean_up(listener);
        return false;
    }
    return aws_socket_get_bound_address(listener, out) == AWS_OP_SUCCESS;
}

#endif
