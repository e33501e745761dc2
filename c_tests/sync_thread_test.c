/* Mutexes, condition variables and threads through the C API: locking and
 * contention, waits with and without predicates and deadlines, thread
 * lifecycle states, ids, names, at-exit callbacks, call-once and managed
 * threads. Every wait is bounded by a deadline. */
#include <aws/common/clock.h>
#include <aws/common/condition_variable.h>
#include <aws/common/linked_list.h>
#include <aws/common/mutex.h>
#include <aws/common/private/thread_shared.h>
#include <aws/common/thread.h>

#include "test_helpers.h"

#define NS_PER_MS 1000000ULL
/* Upper bound for waits that should end almost at once; only reached on failure. */
#define SAFETY_WAIT_NS ((int64_t)(10 * 1000 * NS_PER_MS))

static uint64_t s_now_ns(void) {
    uint64_t t = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_high_res_clock_get_ticks(&t));
    return t;
}

/* ---- mutex ----------------------------------------------------------------- */

static void test_mutex_static_init_and_try_lock(void) {
    static struct aws_mutex s_mutex = AWS_MUTEX_INIT;
    CHECK(s_mutex.initialized);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_lock(&s_mutex));
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_mutex_try_lock(&s_mutex));
    CHECK_INT_EQ(AWS_ERROR_MUTEX_TIMEOUT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_unlock(&s_mutex));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_try_lock(&s_mutex));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_unlock(&s_mutex));

    struct aws_mutex dynamic;
    memset(&dynamic, 0xab, sizeof(dynamic));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_init(&dynamic));
    CHECK(dynamic.initialized);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_lock(&dynamic));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_unlock(&dynamic));
    aws_mutex_clean_up(&dynamic);
    CHECK(!dynamic.initialized);
    /* A second clean-up of a cleaned-up mutex is harmless. */
    aws_mutex_clean_up(&dynamic);
    CHECK(!dynamic.initialized);
}

struct contention {
    struct aws_mutex mutex;
    uint64_t counter;
    int try_lock_result;
    int try_lock_error;
};

#define INCREMENTS 200000

static void s_increment_fn(void *arg) {
    struct contention *c = arg;
    for (int i = 0; i < INCREMENTS; ++i) {
        aws_mutex_lock(&c->mutex);
        c->counter++;
        aws_mutex_unlock(&c->mutex);
    }
}

static void s_try_lock_fn(void *arg) {
    struct contention *c = arg;
    aws_reset_error();
    c->try_lock_result = aws_mutex_try_lock(&c->mutex);
    c->try_lock_error = aws_last_error();
}

static void test_mutex_contention(void) {
    struct contention c = {.mutex = AWS_MUTEX_INIT};

    /* try_lock from another thread fails while this thread holds the lock. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_lock(&c.mutex));
    struct aws_thread t;
    aws_thread_init(&t, aws_default_allocator());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&t, s_try_lock_fn, &c, NULL));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&t));
    CHECK_INT_EQ(AWS_OP_ERR, c.try_lock_result);
    CHECK_INT_EQ(AWS_ERROR_MUTEX_TIMEOUT, c.try_lock_error);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_unlock(&c.mutex));
    aws_thread_clean_up(&t);

    /* Two threads and this one increment under the lock: no update is lost. */
    struct aws_thread workers[2];
    for (int i = 0; i < 2; ++i) {
        aws_thread_init(&workers[i], aws_default_allocator());
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&workers[i], s_increment_fn, &c, NULL));
    }
    s_increment_fn(&c);
    for (int i = 0; i < 2; ++i) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&workers[i]));
        aws_thread_clean_up(&workers[i]);
    }
    CHECK_INT_EQ(3ULL * INCREMENTS, c.counter);
    aws_mutex_clean_up(&c.mutex);
}

/* ---- condition variable --------------------------------------------------------- */

struct cv_data {
    struct aws_mutex mutex;
    struct aws_condition_variable cv;
    struct aws_condition_variable waiting_cv;
    bool flag;
    int waiting;
    int pred_calls;
    int results[2];
};

static bool s_flag_set(void *arg) {
    struct cv_data *d = arg;
    d->pred_calls++;
    return d->flag;
}

static bool s_two_waiting(void *arg) {
    return ((struct cv_data *)arg)->waiting == 2;
}

static bool s_never(void *arg) {
    (void)arg;
    return false;
}

static bool s_always(void *arg) {
    (void)arg;
    return true;
}

static void s_set_flag_fn(void *arg) {
    struct cv_data *d = arg;
    aws_mutex_lock(&d->mutex);
    d->flag = true;
    aws_condition_variable_notify_one(&d->cv);
    aws_mutex_unlock(&d->mutex);
}

static void test_condition_variable_notify_one(void) {
    struct cv_data d = {.mutex = AWS_MUTEX_INIT, .cv = AWS_CONDITION_VARIABLE_INIT};
    CHECK(d.cv.initialized);

    /* The setter can only take the mutex once this thread waits, so the
     * predicate is seen false at least once and true at the end. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_lock(&d.mutex));
    struct aws_thread t;
    aws_thread_init(&t, aws_default_allocator());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&t, s_set_flag_fn, &d, NULL));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_wait_for_pred(&d.cv, &d.mutex, SAFETY_WAIT_NS, s_flag_set, &d));
    CHECK(d.flag);
    CHECK(d.pred_calls >= 2);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_unlock(&d.mutex));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&t));
    aws_thread_clean_up(&t);

    /* Notifying with nobody waiting is fine. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_notify_one(&d.cv));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_notify_all(&d.cv));
    aws_condition_variable_clean_up(&d.cv);
    CHECK(!d.cv.initialized);
    aws_mutex_clean_up(&d.mutex);
}

static void s_waiter_fn(void *arg) {
    struct cv_data *d = arg;
    aws_mutex_lock(&d->mutex);
    int slot = d->waiting++;
    aws_condition_variable_notify_one(&d->waiting_cv);
    d->results[slot] = aws_condition_variable_wait_for_pred(&d->cv, &d->mutex, SAFETY_WAIT_NS, s_flag_set, d);
    aws_mutex_unlock(&d->mutex);
}

static void test_condition_variable_notify_all(void) {
    struct cv_data d = {.results = {-7, -7}};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_mutex_init(&d.mutex));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_init(&d.cv));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_init(&d.waiting_cv));
    CHECK(d.cv.initialized);

    struct aws_thread threads[2];
    for (int i = 0; i < 2; ++i) {
        aws_thread_init(&threads[i], aws_default_allocator());
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&threads[i], s_waiter_fn, &d, NULL));
    }
    aws_mutex_lock(&d.mutex);
    CHECK_INT_EQ(
        AWS_OP_SUCCESS, aws_condition_variable_wait_for_pred(&d.waiting_cv, &d.mutex, SAFETY_WAIT_NS, s_two_waiting, &d));
    /* Both waiters are now blocked in the wait (they released the mutex). */
    d.flag = true;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_notify_all(&d.cv));
    aws_mutex_unlock(&d.mutex);

    for (int i = 0; i < 2; ++i) {
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&threads[i]));
        aws_thread_clean_up(&threads[i]);
        CHECK_INT_EQ(AWS_OP_SUCCESS, d.results[i]);
    }
    aws_condition_variable_clean_up(&d.cv);
    aws_condition_variable_clean_up(&d.waiting_cv);
    aws_mutex_clean_up(&d.mutex);
}

static void test_condition_variable_timeouts(void) {
    struct aws_mutex mutex = AWS_MUTEX_INIT;
    struct aws_condition_variable cv = AWS_CONDITION_VARIABLE_INIT;
    const int64_t wait_ns = 50 * NS_PER_MS;

    aws_mutex_lock(&mutex);

    aws_reset_error();
    uint64_t start = s_now_ns();
    CHECK_INT_EQ(AWS_OP_ERR, aws_condition_variable_wait_for(&cv, &mutex, wait_ns));
    CHECK(s_now_ns() - start >= (uint64_t)wait_ns);
    CHECK_INT_EQ(AWS_ERROR_COND_VARIABLE_TIMED_OUT, aws_last_error());

    aws_reset_error();
    start = s_now_ns();
    CHECK_INT_EQ(AWS_OP_ERR, aws_condition_variable_wait_for_pred(&cv, &mutex, wait_ns, s_never, NULL));
    CHECK(s_now_ns() - start >= (uint64_t)wait_ns);
    CHECK_INT_EQ(AWS_ERROR_COND_VARIABLE_TIMED_OUT, aws_last_error());

    /* A deadline already in the past times out at once. */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_condition_variable_wait_for(&cv, &mutex, -wait_ns));
    CHECK_INT_EQ(AWS_ERROR_COND_VARIABLE_TIMED_OUT, aws_last_error());

    /* A predicate that already holds returns without waiting. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_wait_for_pred(&cv, &mutex, 0, s_always, NULL));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_condition_variable_wait_pred(&cv, &mutex, s_always, NULL));

    /* The mutex is still held after a timed-out wait. */
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_mutex_try_lock(&mutex));
    CHECK_INT_EQ(AWS_ERROR_MUTEX_TIMEOUT, aws_last_error());
    aws_mutex_unlock(&mutex);
    aws_condition_variable_clean_up(&cv);
    aws_mutex_clean_up(&mutex);
}

/* ---- threads --------------------------------------------------------------------- */

struct thread_data {
    aws_thread_id_t id;
    struct aws_string *name;
    int name_result;
    int at_exit_order[3];
    int at_exit_calls;
    int at_exit_register_result;
};

static void s_record_fn(void *arg) {
    struct thread_data *d = arg;
    d->id = aws_thread_current_thread_id();
    d->name_result = aws_thread_current_name(aws_default_allocator(), &d->name);
}

static void s_release_string(struct aws_string *s) {
    if (s) {
        aws_mem_release(s->allocator, s);
    }
}

static void test_default_options_and_init(void) {
    const struct aws_thread_options *o = aws_default_thread_options();
    CHECK(o != NULL);
    CHECK_INT_EQ(0, o->stack_size);
    CHECK_INT_EQ(-1, o->cpu_id);
    CHECK_INT_EQ(AWS_TJS_MANUAL, o->join_strategy);
    CHECK_INT_EQ(0, o->name.len);

    struct aws_thread t;
    memset(&t, 0x5a, sizeof(t));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_init(&t, aws_default_allocator()));
    CHECK(t.allocator == aws_default_allocator());
    CHECK_INT_EQ(AWS_THREAD_NOT_CREATED, aws_thread_get_detach_state(&t));
    /* Joining or cleaning up a thread that never started does nothing. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&t));
    CHECK_INT_EQ(AWS_THREAD_NOT_CREATED, aws_thread_get_detach_state(&t));
    aws_thread_clean_up(&t);
}

static void test_launch_join_ids_and_names(void) {
    struct thread_data d = {0};
    struct aws_thread t;
    aws_thread_init(&t, aws_default_allocator());
    struct aws_thread_options options = *aws_default_thread_options();
    options.cpu_id = 0;
    const char name[] = "SyncTestWorker";
    options.name.ptr = (uint8_t *)name;
    options.name.len = strlen(name);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&t, s_record_fn, &d, &options));
    CHECK_INT_EQ(AWS_THREAD_JOINABLE, aws_thread_get_detach_state(&t));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&t));
    CHECK_INT_EQ(AWS_THREAD_JOIN_COMPLETED, aws_thread_get_detach_state(&t));
    /* A second join is a no-op. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&t));
    CHECK_INT_EQ(AWS_THREAD_JOIN_COMPLETED, aws_thread_get_detach_state(&t));

    CHECK(aws_thread_thread_id_equal(d.id, aws_thread_get_id(&t)));
    CHECK(!aws_thread_thread_id_equal(d.id, aws_thread_current_thread_id()));
    CHECK(aws_thread_thread_id_equal(aws_thread_current_thread_id(), aws_thread_current_thread_id()));

    CHECK_INT_EQ(AWS_OP_SUCCESS, d.name_result);
    CHECK(d.name != NULL);
    if (d.name) {
        CHECK_INT_EQ(strlen(name), d.name->len);
        CHECK_STR_EQ(name, (const char *)d.name->bytes);
        CHECK(d.name->allocator == aws_default_allocator());
    }
    s_release_string(d.name);
    aws_thread_clean_up(&t);
}

static void test_long_name_is_truncated_and_bad_cpu_ignored(void) {
    struct thread_data d = {0};
    struct aws_thread t;
    aws_thread_init(&t, aws_default_allocator());
    struct aws_thread_options options = *aws_default_thread_options();
    options.cpu_id = 512; /* no such CPU here: pinning is best effort */
    const char name[] = "a-thread-name-longer-than-fifteen";
    options.name.ptr = (uint8_t *)name;
    options.name.len = strlen(name);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&t, s_record_fn, &d, &options));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&t));
    CHECK_INT_EQ(AWS_OP_SUCCESS, d.name_result);
    CHECK(d.name != NULL);
    if (d.name) {
        CHECK_STR_EQ("a-thread-name-l", (const char *)d.name->bytes);
    }
    s_release_string(d.name);
    aws_thread_clean_up(&t);
}

static void test_name_of_current_thread(void) {
    struct aws_string *name = (struct aws_string *)(uintptr_t)1;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_name(aws_default_allocator(), aws_thread_current_thread_id(), &name));
    CHECK(name != NULL && name->len > 0 && name->len <= 15);
    s_release_string(name);
}

static void test_launch_errors(void) {
    struct aws_thread t;
    aws_thread_init(&t, aws_default_allocator());
    struct aws_thread_options options = *aws_default_thread_options();
    /* glibc rejects a stack size that overflows with its guard page. */
    options.stack_size = SIZE_MAX & ~(size_t)4095;
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_thread_launch(&t, s_record_fn, NULL, &options));
    CHECK_INT_EQ(AWS_ERROR_THREAD_INVALID_SETTINGS, aws_last_error());
    CHECK_INT_EQ(AWS_THREAD_NOT_CREATED, aws_thread_get_detach_state(&t));

    /* A failed managed launch leaves no managed thread behind. */
    options.join_strategy = AWS_TJS_MANAGED;
    size_t managed_before = aws_thread_get_managed_thread_count();
    CHECK_INT_EQ(AWS_OP_ERR, aws_thread_launch(&t, s_record_fn, NULL, &options));
    CHECK_INT_EQ(managed_before, aws_thread_get_managed_thread_count());
    aws_thread_clean_up(&t);
}

struct self_join {
    struct aws_mutex mutex;
    struct aws_condition_variable cv;
    bool go;
    struct aws_thread thread;
    int result;
    int error;
};

static bool s_go(void *arg) {
    return ((struct self_join *)arg)->go;
}

static void s_self_join_fn(void *arg) {
    struct self_join *s = arg;
    aws_mutex_lock(&s->mutex);
    aws_condition_variable_wait_for_pred(&s->cv, &s->mutex, SAFETY_WAIT_NS, s_go, s);
    aws_mutex_unlock(&s->mutex);
    aws_reset_error();
    s->result = aws_thread_join(&s->thread);
    s->error = aws_last_error();
}

static void test_self_join_is_a_deadlock(void) {
    struct self_join s = {.mutex = AWS_MUTEX_INIT, .cv = AWS_CONDITION_VARIABLE_INIT};
    aws_thread_init(&s.thread, aws_default_allocator());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&s.thread, s_self_join_fn, &s, NULL));
    /* The thread joins itself only once the state is JOINABLE. */
    aws_mutex_lock(&s.mutex);
    s.go = true;
    aws_condition_variable_notify_one(&s.cv);
    aws_mutex_unlock(&s.mutex);

    /* Wait for the thread to finish through a copy, so the shared struct
     * keeps its JOINABLE state until the thread has tried. */
    struct aws_thread copy = s.thread;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&copy));
    CHECK_INT_EQ(AWS_OP_ERR, s.result);
    CHECK_INT_EQ(AWS_ERROR_THREAD_DEADLOCK_DETECTED, s.error);
    CHECK_INT_EQ(AWS_THREAD_JOINABLE, aws_thread_get_detach_state(&s.thread));
}

static void s_at_exit_first(void *arg) {
    struct thread_data *d = arg;
    d->at_exit_order[d->at_exit_calls++] = 1;
}

static void s_at_exit_second(void *arg) {
    struct thread_data *d = arg;
    d->at_exit_order[d->at_exit_calls++] = 2;
}

static void s_at_exit_fn(void *arg) {
    struct thread_data *d = arg;
    d->at_exit_register_result = aws_thread_current_at_exit(s_at_exit_first, d);
    if (aws_thread_current_at_exit(s_at_exit_second, d) != AWS_OP_SUCCESS) {
        d->at_exit_register_result = AWS_OP_ERR;
    }
    /* Nothing has run yet while the thread function is still going. */
    d->at_exit_order[2] = d->at_exit_calls;
}

static void test_at_exit(void) {
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_thread_current_at_exit(s_at_exit_first, NULL));
    CHECK_INT_EQ(AWS_ERROR_THREAD_NOT_JOINABLE, aws_last_error());

    struct thread_data d = {0};
    struct aws_thread t;
    aws_thread_init(&t, aws_default_allocator());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&t, s_at_exit_fn, &d, NULL));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&t));
    CHECK_INT_EQ(AWS_OP_SUCCESS, d.at_exit_register_result);
    CHECK_INT_EQ(2, d.at_exit_calls);
    CHECK_INT_EQ(2, d.at_exit_order[0]); /* most recent first */
    CHECK_INT_EQ(1, d.at_exit_order[1]);
    CHECK_INT_EQ(0, d.at_exit_order[2]);
    aws_thread_clean_up(&t);
}

static int s_once_calls;
static void s_once_fn(void *arg) {
    s_once_calls += *(int *)arg;
}

static void test_call_once(void) {
    static aws_thread_once s_flag = AWS_THREAD_ONCE_STATIC_INIT;
    int one = 1;
    aws_thread_call_once(&s_flag, s_once_fn, &one);
    aws_thread_call_once(&s_flag, s_once_fn, &one);
    CHECK_INT_EQ(1, s_once_calls);
}

static void test_sleep_and_id_string(void) {
    uint64_t start = s_now_ns();
    aws_thread_current_sleep(20 * NS_PER_MS);
    CHECK(s_now_ns() - start >= 20 * NS_PER_MS);
    aws_thread_current_sleep(0);

    aws_thread_id_t id = aws_thread_current_thread_id();
    char buf[AWS_THREAD_ID_T_REPR_BUFSZ];
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_id_t_to_string(id, buf, sizeof(buf)));
    char expected[AWS_THREAD_ID_T_REPR_BUFSZ];
    snprintf(expected, sizeof(expected), "%016llx", (unsigned long long)id);
    CHECK_STR_EQ(expected, buf);

    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_thread_id_t_to_string(id, buf, sizeof(buf) - 1));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    aws_reset_error();
    CHECK_INT_EQ(AWS_OP_ERR, aws_thread_id_t_to_string(id, NULL, sizeof(buf)));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
}

static void s_noop_fn(void *arg) {
    (void)arg;
}

static void test_clean_up_detaches_unjoined_thread(void) {
    struct aws_thread t;
    aws_thread_init(&t, aws_default_allocator());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&t, s_noop_fn, NULL, NULL));
    /* Never joined: clean-up detaches it; the state is left as it was. */
    aws_thread_clean_up(&t);
    CHECK_INT_EQ(AWS_THREAD_JOINABLE, aws_thread_get_detach_state(&t));
}

/* ---- managed threads ------------------------------------------------------------------ */

#define MANAGED_COUNT 8

struct managed_data {
    struct aws_mutex mutex;
    struct aws_condition_variable cv;
    bool release;
    int finished;
};

static bool s_released(void *arg) {
    return ((struct managed_data *)arg)->release;
}

static void s_managed_fn(void *arg) {
    struct managed_data *m = arg;
    aws_mutex_lock(&m->mutex);
    aws_condition_variable_wait_for_pred(&m->cv, &m->mutex, SAFETY_WAIT_NS, s_released, m);
    m->finished++;
    aws_mutex_unlock(&m->mutex);
}

static void test_managed_threads_are_joined(void) {
    struct managed_data m = {.mutex = AWS_MUTEX_INIT, .cv = AWS_CONDITION_VARIABLE_INIT, .release = true};
    struct aws_thread_options options = *aws_default_thread_options();
    options.join_strategy = AWS_TJS_MANAGED;
    CHECK_INT_EQ(0, aws_thread_get_managed_thread_count());

    struct aws_thread threads[MANAGED_COUNT];
    for (int i = 0; i < MANAGED_COUNT; ++i) {
        aws_thread_init(&threads[i], aws_default_allocator());
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&threads[i], s_managed_fn, &m, &options));
        CHECK_INT_EQ(AWS_THREAD_MANAGED, aws_thread_get_detach_state(&threads[i]));
        /* Owners do not join managed threads: join is a no-op. */
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join(&threads[i]));
        CHECK_INT_EQ(AWS_THREAD_MANAGED, aws_thread_get_detach_state(&threads[i]));
        aws_thread_clean_up(&threads[i]);
    }
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());
    CHECK_INT_EQ(0, aws_thread_get_managed_thread_count());
    CHECK_INT_EQ(MANAGED_COUNT, m.finished);
    /* Nothing left: returns at once. */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());
}

/* Only the library makes join records; an empty list is left empty. */
static void test_join_and_free_empty_wrapper_list(void) {
    struct aws_linked_list list;
    aws_linked_list_init(&list);
    aws_thread_join_and_free_wrapper_list(&list);
    CHECK(aws_linked_list_empty(&list));
    CHECK_INT_EQ(0, aws_thread_get_managed_thread_count());
}

static void test_managed_join_timeout(void) {
    struct managed_data m = {.mutex = AWS_MUTEX_INIT, .cv = AWS_CONDITION_VARIABLE_INIT};
    struct aws_thread_options options = *aws_default_thread_options();
    options.join_strategy = AWS_TJS_MANAGED;

    aws_thread_set_managed_join_timeout_ns(50 * NS_PER_MS);
    struct aws_thread t;
    aws_thread_init(&t, aws_default_allocator());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_launch(&t, s_managed_fn, &m, &options));
    CHECK_INT_EQ(1, aws_thread_get_managed_thread_count());

    /* The thread waits to be released, so the join gives up after the timeout. */
    uint64_t start = s_now_ns();
    CHECK_INT_EQ(AWS_OP_ERR, aws_thread_join_all_managed());
    CHECK(s_now_ns() - start >= 50 * NS_PER_MS);
    CHECK_INT_EQ(1, aws_thread_get_managed_thread_count());

    aws_mutex_lock(&m.mutex);
    m.release = true;
    aws_condition_variable_notify_all(&m.cv);
    aws_mutex_unlock(&m.mutex);

    aws_thread_set_managed_join_timeout_ns(10 * 1000 * NS_PER_MS);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_join_all_managed());
    CHECK_INT_EQ(0, aws_thread_get_managed_thread_count());
    CHECK_INT_EQ(1, m.finished);
    aws_thread_set_managed_join_timeout_ns(0);
}

int main(void) {
    RUN_TEST(test_mutex_static_init_and_try_lock);
    RUN_TEST(test_mutex_contention);
    RUN_TEST(test_condition_variable_notify_one);
    RUN_TEST(test_condition_variable_notify_all);
    RUN_TEST(test_condition_variable_timeouts);
    RUN_TEST(test_default_options_and_init);
    RUN_TEST(test_launch_join_ids_and_names);
    RUN_TEST(test_long_name_is_truncated_and_bad_cpu_ignored);
    RUN_TEST(test_name_of_current_thread);
    RUN_TEST(test_launch_errors);
    RUN_TEST(test_self_join_is_a_deadlock);
    RUN_TEST(test_at_exit);
    RUN_TEST(test_call_once);
    RUN_TEST(test_sleep_and_id_string);
    RUN_TEST(test_clean_up_detaches_unjoined_thread);
    RUN_TEST(test_managed_threads_are_joined);
    RUN_TEST(test_join_and_free_empty_wrapper_list);
    RUN_TEST(test_managed_join_timeout);
    return TEST_RESULT();
}
