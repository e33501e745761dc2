/* The default host resolver against our headers, loopback names only:
 * "localhost", "127.0.0.1" and "::1" resolve (first from a resolver thread,
 * then from the cache on the caller's thread), a name getaddrinfo rejects
 * locally ("bad..name", an empty label: no DNS query is sent) fails with
 * AWS_IO_DNS_INVALID_NAME, a custom resolve impl's error reaches the callback,
 * every request is answered exactly once, cached answers rotate least recently
 * used first and a recorded connection failure takes an address out of
 * rotation, purge/count/copy/move work, and the
 * shutdown callback fires once, off the releasing thread, after which the
 * tracing allocator is empty. */
#include <aws/common/clock.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/common/string.h>
#include <aws/common/thread.h>
#include <aws/io/event_loop.h>
#include <aws/io/host_resolver.h>
#include <aws/io/io.h>

#include "test_helpers.h"

#define WAIT_NS (10LL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_mutex = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

#define MAX_ADDRS 4

struct resolve_result {
    int calls;
    int error_code;
    bool list_was_null;
    size_t count;
    struct aws_host_address addrs[MAX_ADDRS];
    char host_name[64];
    aws_thread_id_t thread;
    struct aws_host_resolver *resolver;
};

static void s_on_resolved(struct aws_host_resolver *resolver, const struct aws_string *host_name, int err_code,
                          const struct aws_array_list *host_addresses, void *user_data) {
    struct resolve_result *r = user_data;
    aws_mutex_lock(&s_mutex);
    r->calls++;
    r->error_code = err_code;
    r->resolver = resolver;
    r->thread = aws_thread_current_thread_id();
    r->list_was_null = host_addresses == NULL;
    snprintf(r->host_name, sizeof(r->host_name), "%s", host_name ? aws_string_c_str(host_name) : "(null)");
    r->count = 0;
    if (host_addresses) {
        for (size_t i = 0; i < aws_array_list_length(host_addresses) && i < MAX_ADDRS; ++i) {
            struct aws_host_address *addr = NULL;
            aws_array_list_get_at_ptr(host_addresses, (void **)&addr, i);
            aws_host_address_copy(addr, &r->addrs[r->count++]);
        }
    }
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_called(void *arg) {
    return ((struct resolve_result *)arg)->calls > 0;
}

static void s_wait_result(struct resolve_result *r) {
    aws_mutex_lock(&s_mutex);
    CHECK(aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_called, r) == AWS_OP_SUCCESS);
    aws_mutex_unlock(&s_mutex);
}

static void s_clean_result(struct resolve_result *r) {
    for (size_t i = 0; i < r->count; ++i) {
        aws_host_address_clean_up(&r->addrs[i]);
    }
    r->count = 0;
}

/* ---- resolver lifetime --------------------------------------------------------- */

struct shutdown_state {
    int calls;
    aws_thread_id_t thread;
};

static void s_on_resolver_shutdown(void *user_data) {
    struct shutdown_state *s = user_data;
    aws_mutex_lock(&s_mutex);
    s->calls++;
    s->thread = aws_thread_current_thread_id();
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

static bool s_shutdown_called(void *arg) {
    return ((struct shutdown_state *)arg)->calls > 0;
}

static struct shutdown_state s_shutdown;
static struct aws_event_loop_group *s_elg;

static struct aws_host_resolver *s_new_resolver(void) {
    s_shutdown.calls = 0;
    struct aws_shutdown_callback_options shutdown = {.shutdown_callback_fn = s_on_resolver_shutdown,
                                                     .shutdown_callback_user_data = &s_shutdown};
    struct aws_host_resolver_default_options options = {
        .max_entries = 8, .el_group = s_elg, .shutdown_options = &shutdown};
    struct aws_host_resolver *resolver = aws_host_resolver_new_default(s_alloc, &options);
    CHECK(resolver != NULL);
    return resolver;
}

static void s_release_and_wait(struct aws_host_resolver *resolver) {
    aws_host_resolver_release(resolver);
    aws_mutex_lock(&s_mutex);
    CHECK(aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_shutdown_called, &s_shutdown) ==
          AWS_OP_SUCCESS);
    aws_mutex_unlock(&s_mutex);
    CHECK_INT_EQ(1, s_shutdown.calls);
    CHECK(!aws_thread_thread_id_equal(s_shutdown.thread, aws_thread_current_thread_id()));
}

/* ---- cases ----------------------------------------------------------------------- */

static void test_resolve_localhost_then_cache(void) {
    struct aws_host_resolver *resolver = s_new_resolver();
    if (!resolver) {
        return;
    }
    struct aws_string *host = aws_string_new_from_c_str(s_alloc, "localhost");
    struct aws_host_resolution_config config = aws_host_resolver_init_default_resolution_config();
    CHECK(config.impl == aws_default_dns_resolve);
    CHECK_INT_EQ(30, config.max_ttl);
    CHECK_INT_EQ(1000000000ULL, config.resolve_frequency_ns);

    struct resolve_result first;
    memset(&first, 0, sizeof(first));
    CHECK_INT_EQ(0, aws_host_resolver_get_host_address_count(
                        resolver, host, AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A | AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_AAAA));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, &config, &first));
    s_wait_result(&first);
    CHECK_INT_EQ(1, first.calls);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, first.error_code);
    CHECK(first.resolver == resolver);
    CHECK_STR_EQ("localhost", first.host_name);
    CHECK(first.count >= 1 && first.count <= 2);
    /* a resolver thread answered the first request */
    CHECK(!aws_thread_thread_id_equal(first.thread, aws_thread_current_thread_id()));
    bool saw_loopback = false;
    for (size_t i = 0; i < first.count; ++i) {
        struct aws_host_address *a = &first.addrs[i];
        CHECK_STR_EQ("localhost", aws_string_c_str(a->host));
        CHECK(a->allocator == s_alloc);
        if (a->record_type == AWS_ADDRESS_RECORD_TYPE_A) {
            saw_loopback |= strncmp(aws_string_c_str(a->address), "127.", 4) == 0;
        } else {
            CHECK_INT_EQ(AWS_ADDRESS_RECORD_TYPE_AAAA, a->record_type);
            saw_loopback |= strcmp(aws_string_c_str(a->address), "::1") == 0;
        }
        /* AAAA first, then A, as upstream vends them */
        if (i == 1) {
            CHECK_INT_EQ(AWS_ADDRESS_RECORD_TYPE_AAAA, first.addrs[0].record_type);
            CHECK_INT_EQ(AWS_ADDRESS_RECORD_TYPE_A, first.addrs[1].record_type);
        }
    }
    CHECK(saw_loopback);
    size_t count = aws_host_resolver_get_host_address_count(
        resolver, host, AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A | AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_AAAA);
    CHECK(count >= first.count);

    /* cached: answered before resolve_host returns, on this thread */
    struct resolve_result cached;
    memset(&cached, 0, sizeof(cached));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, &config, &cached));
    CHECK_INT_EQ(1, cached.calls);
    CHECK(aws_thread_thread_id_equal(cached.thread, aws_thread_current_thread_id()));
    CHECK_INT_EQ(first.count, cached.count);

    /* a NULL config means the default one */
    struct resolve_result no_config;
    memset(&no_config, 0, sizeof(no_config));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, NULL, &no_config));
    CHECK_INT_EQ(1, no_config.calls);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_record_connection_failure(resolver, &first.addrs[0]));

    /* purge: nothing cached any more, next request resolves again on a thread */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_purge_cache(resolver));
    CHECK_INT_EQ(0, aws_host_resolver_get_host_address_count(resolver, host, AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A |
                                                                                 AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_AAAA));
    struct resolve_result again;
    memset(&again, 0, sizeof(again));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, &config, &again));
    s_wait_result(&again);
    CHECK_INT_EQ(1, again.calls);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, again.error_code);
    CHECK(!aws_thread_thread_id_equal(again.thread, aws_thread_current_thread_id()));

    s_clean_result(&first);
    s_clean_result(&cached);
    s_clean_result(&no_config);
    s_clean_result(&again);
    aws_string_destroy(host);
    s_release_and_wait(resolver);
}

static void s_expect_single(struct aws_host_resolver *resolver, const char *name, enum aws_address_record_type type,
                            const char *expected) {
    struct aws_string *host = aws_string_new_from_c_str(s_alloc, name);
    struct resolve_result r;
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, NULL, &r));
    s_wait_result(&r);
    CHECK_INT_EQ(1, r.calls);
    CHECK_INT_EQ(AWS_ERROR_SUCCESS, r.error_code);
    CHECK_INT_EQ(1, r.count);
    if (r.count == 1) {
        CHECK_INT_EQ(type, r.addrs[0].record_type);
        CHECK_STR_EQ(expected, aws_string_c_str(r.addrs[0].address));
        CHECK_STR_EQ(name, aws_string_c_str(r.addrs[0].host));
    }
    uint32_t flag = type == AWS_ADDRESS_RECORD_TYPE_A ? AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A
                                                      : AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_AAAA;
    uint32_t other = flag == AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A ? AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_AAAA
                                                                       : AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A;
    CHECK_INT_EQ(1, aws_host_resolver_get_host_address_count(resolver, host, flag));
    CHECK_INT_EQ(0, aws_host_resolver_get_host_address_count(resolver, host, other));
    s_clean_result(&r);
    aws_string_destroy(host);
}

static void test_resolve_literals(void) {
    struct aws_host_resolver *resolver = s_new_resolver();
    if (!resolver) {
        return;
    }
    s_expect_single(resolver, "127.0.0.1", AWS_ADDRESS_RECORD_TYPE_A, "127.0.0.1");
    s_expect_single(resolver, "::1", AWS_ADDRESS_RECORD_TYPE_AAAA, "::1");
    s_release_and_wait(resolver);
}

static void test_invalid_name(void) {
    struct aws_host_resolver *resolver = s_new_resolver();
    if (!resolver) {
        return;
    }
    /* an empty label: getaddrinfo refuses it without asking any server */
    struct aws_string *host = aws_string_new_from_c_str(s_alloc, "bad..name");
    struct resolve_result r;
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, NULL, &r));
    s_wait_result(&r);
    CHECK_INT_EQ(1, r.calls);
    CHECK_INT_EQ(AWS_IO_DNS_INVALID_NAME, r.error_code);
    CHECK(r.list_was_null);
    CHECK_INT_EQ(0, r.count);
    CHECK_STR_EQ("bad..name", r.host_name);

    /* the blocking function itself raises the same error and appends nothing */
    struct aws_array_list list;
    aws_array_list_init_dynamic(&list, s_alloc, 2, sizeof(struct aws_host_address));
    aws_raise_error(AWS_ERROR_SUCCESS);
    CHECK_INT_EQ(AWS_OP_ERR, aws_default_dns_resolve(s_alloc, host, &list, NULL));
    CHECK_INT_EQ(AWS_IO_DNS_INVALID_NAME, aws_last_error());
    CHECK_INT_EQ(0, aws_array_list_length(&list));
    aws_string_destroy(host);

    /* and succeeds for a literal */
    host = aws_string_new_from_c_str(s_alloc, "127.0.0.1");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_default_dns_resolve(s_alloc, host, &list, NULL));
    CHECK_INT_EQ(1, aws_array_list_length(&list));
    struct aws_host_address *addr = NULL;
    aws_array_list_get_at_ptr(&list, (void **)&addr, 0);
    CHECK_STR_EQ("127.0.0.1", aws_string_c_str(addr->address));
    CHECK_STR_EQ("127.0.0.1", aws_string_c_str(addr->host));
    CHECK_INT_EQ(AWS_ADDRESS_RECORD_TYPE_A, addr->record_type);

    /* move leaves the source zeroed, copy is deep */
    struct aws_host_address moved, copied;
    aws_host_address_move(addr, &moved);
    CHECK(addr->address == NULL && addr->host == NULL && addr->allocator == NULL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_address_copy(&moved, &copied));
    CHECK(copied.address != moved.address);
    CHECK(aws_string_eq(copied.address, moved.address));
    aws_host_address_clean_up(&moved);
    CHECK(moved.address == NULL);
    aws_host_address_clean_up(&copied);
    aws_host_address_clean_up(addr);
    aws_array_list_clean_up(&list);
    aws_string_destroy(host);
    s_release_and_wait(resolver);
}

/* a resolve impl that always fails with the code in impl_data */
static int s_failing_impl(struct aws_allocator *allocator, const struct aws_string *host_name,
                          struct aws_array_list *output_addresses, void *user_data) {
    (void)allocator;
    (void)host_name;
    (void)output_addresses;
    return aws_raise_error(*(int *)user_data);
}

/* a resolve impl that succeeds with nothing */
static int s_empty_impl(struct aws_allocator *allocator, const struct aws_string *host_name,
                        struct aws_array_list *output_addresses, void *user_data) {
    (void)allocator;
    (void)host_name;
    (void)output_addresses;
    (void)user_data;
    return AWS_OP_SUCCESS;
}

static void test_custom_impl_errors(void) {
    struct aws_host_resolver *resolver = s_new_resolver();
    if (!resolver) {
        return;
    }
    int code = AWS_IO_DNS_NO_ADDRESS_FOR_HOST;
    struct aws_host_resolution_config config = {.impl = s_failing_impl, .max_ttl = 30, .impl_data = &code};
    struct aws_string *host = aws_string_new_from_c_str(s_alloc, "example.invalid");
    /* several concurrent requests for the same host: each answered once */
    struct resolve_result r[3];
    memset(r, 0, sizeof(r));
    for (int i = 0; i < 3; ++i) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, &config, &r[i]));
    }
    for (int i = 0; i < 3; ++i) {
        s_wait_result(&r[i]);
        CHECK_INT_EQ(1, r[i].calls);
        CHECK_INT_EQ(AWS_IO_DNS_NO_ADDRESS_FOR_HOST, r[i].error_code);
        CHECK(r[i].list_was_null);
    }
    aws_string_destroy(host);

    /* success without addresses is reported as a failed query */
    host = aws_string_new_from_c_str(s_alloc, "empty.invalid");
    config.impl = s_empty_impl;
    struct resolve_result e;
    memset(&e, 0, sizeof(e));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, &config, &e));
    s_wait_result(&e);
    CHECK_INT_EQ(1, e.calls);
    CHECK_INT_EQ(AWS_IO_DNS_QUERY_FAILED, e.error_code);
    aws_string_destroy(host);

    /* acquire returns its argument; NULL is tolerated */
    CHECK(aws_host_resolver_acquire(resolver) == resolver);
    CHECK(aws_host_resolver_acquire(NULL) == NULL);
    aws_host_resolver_release(NULL);
    aws_host_resolver_release(resolver);
    CHECK_INT_EQ(0, s_shutdown.calls);
    s_release_and_wait(resolver);
}

/* ---- address cache semantics: LRU vending, connection failures -------------------- */

/* Answers two A records, "127.0.0.2" and "127.0.0.3" (loopback; never dialled). */
static int s_two_a_impl(struct aws_allocator *allocator, const struct aws_string *host_name,
                        struct aws_array_list *output_addresses, void *user_data) {
    (void)user_data;
    const char *texts[2] = {"127.0.0.2", "127.0.0.3"};
    for (int i = 0; i < 2; ++i) {
        struct aws_host_address a = {
            .allocator = allocator,
            .host = aws_string_new_from_string(allocator, host_name),
            .address = aws_string_new_from_c_str(allocator, texts[i]),
            .record_type = AWS_ADDRESS_RECORD_TYPE_A,
        };
        aws_array_list_push_back(output_addresses, &a);
    }
    return AWS_OP_SUCCESS;
}

static void s_resolve_once(struct aws_host_resolver *resolver, struct aws_string *host,
                           struct aws_host_resolution_config *config, struct resolve_result *r) {
    memset(r, 0, sizeof(*r));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, config, r));
    s_wait_result(r);
    CHECK_INT_EQ(0, r->error_code);
    CHECK_INT_EQ(1, (int)r->count);
}

static void test_lru_vending_and_connection_failures(void) {
    struct aws_host_resolver *resolver = s_new_resolver();
    if (!resolver) {
        return;
    }
    struct aws_host_resolution_config config = {.impl = s_two_a_impl, .max_ttl = 30, .resolve_frequency_ns = 0};
    struct aws_string *host = aws_string_new_from_c_str(s_alloc, "lru.invalid");
    struct resolve_result r;
    s_resolve_once(resolver, host, &config, &r); /* from the host's thread */
    CHECK_STR_EQ("127.0.0.2", aws_string_c_str(r.addrs[0].address));
    CHECK(r.addrs[0].expiry > 0);
    s_clean_result(&r);
    CHECK_INT_EQ(2, (int)aws_host_resolver_get_host_address_count(
                        resolver, host, AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A));
    /* cached answers rotate least-recently-used first */
    s_resolve_once(resolver, host, &config, &r);
    CHECK_STR_EQ("127.0.0.3", aws_string_c_str(r.addrs[0].address));
    s_clean_result(&r);
    s_resolve_once(resolver, host, &config, &r);
    CHECK_STR_EQ("127.0.0.2", aws_string_c_str(r.addrs[0].address));
    /* a failed connection takes 127.0.0.2 out of rotation */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_record_connection_failure(resolver, &r.addrs[0]));
    s_clean_result(&r);
    CHECK_INT_EQ(1, (int)aws_host_resolver_get_host_address_count(
                        resolver, host, AWS_GET_HOST_ADDRESS_COUNT_RECORD_TYPE_A));
    for (int i = 0; i < 3; ++i) {
        s_resolve_once(resolver, host, &config, &r);
        CHECK_STR_EQ("127.0.0.3", aws_string_c_str(r.addrs[0].address));
        s_clean_result(&r);
    }
    aws_string_destroy(host);
    s_release_and_wait(resolver);
}

/* purge with callback: fires once, off this thread */
static struct shutdown_state s_purge;

static void test_purge_with_callback_and_release_while_resolving(void) {
    struct aws_host_resolver *resolver = s_new_resolver();
    if (!resolver) {
        return;
    }
    s_purge.calls = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_purge_cache_with_callback(resolver, s_on_resolver_shutdown, &s_purge));
    aws_mutex_lock(&s_mutex);
    CHECK(aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_shutdown_called, &s_purge) ==
          AWS_OP_SUCCESS);
    aws_mutex_unlock(&s_mutex);
    CHECK_INT_EQ(1, s_purge.calls);

    struct aws_string *host = aws_string_new_from_c_str(s_alloc, "localhost");
    s_purge.calls = 0;
    struct aws_host_resolver_purge_host_options purge = {
        .host = host, .on_host_purge_complete_callback = s_on_resolver_shutdown, .user_data = &s_purge};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_purge_host_cache(resolver, &purge));
    aws_mutex_lock(&s_mutex);
    CHECK(aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_shutdown_called, &s_purge) ==
          AWS_OP_SUCCESS);
    aws_mutex_unlock(&s_mutex);

    /* releasing the last reference with a request in flight: it is still
     * answered, and the shutdown callback comes after it */
    struct resolve_result r;
    memset(&r, 0, sizeof(r));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_host_resolver_resolve_host(resolver, host, s_on_resolved, NULL, &r));
    s_release_and_wait(resolver);
    CHECK_INT_EQ(1, r.calls);
    s_clean_result(&r);
    aws_string_destroy(host);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    s_elg = aws_event_loop_group_new_default(s_alloc, 1, NULL);
    RUN_TEST(test_resolve_localhost_then_cache);
    RUN_TEST(test_resolve_literals);
    RUN_TEST(test_invalid_name);
    RUN_TEST(test_custom_impl_errors);
    RUN_TEST(test_lru_vending_and_connection_failures);
    RUN_TEST(test_purge_with_callback_and_release_while_resolving);
    aws_event_loop_group_release(s_elg);
    aws_io_library_clean_up();
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
