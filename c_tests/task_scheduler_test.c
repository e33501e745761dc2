/* aws_task_scheduler against our headers: run order, deferral of tasks scheduled
 * while running, cancellation, clean-up, has_tasks, and a large random run.
 * Every test allocates through a tracing allocator and checks it ends empty. */
#include <aws/common/task_scheduler.h>

#include "test_helpers.h"

#define MAX_EVENTS 64

struct event {
    int id;
    enum aws_task_status status;
};

static struct event s_events[MAX_EVENTS];
static int s_event_count;
static struct aws_allocator *s_alloc;

static void s_reset_events(void) {
    s_event_count = 0;
    memset(s_events, 0, sizeof(s_events));
}

static void s_record(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    if (s_event_count < MAX_EVENTS) {
        s_events[s_event_count].id = (int)(intptr_t)arg;
        s_events[s_event_count].status = status;
    }
    s_event_count++;
}

static void s_check_events(const int *ids, const enum aws_task_status *statuses, int count) {
    CHECK_INT_EQ(count, s_event_count);
    for (int i = 0; i < count && i < s_event_count; i++) {
        CHECK_INT_EQ(ids[i], s_events[i].id);
        CHECK_INT_EQ(statuses[i], s_events[i].status);
    }
}

static void s_init_task(struct aws_task *task, int id) {
    aws_task_init(task, s_record, (void *)(intptr_t)id, "test_task");
}

static void test_task_init_and_status_strings(void) {
    struct aws_task task;
    memset(&task, 0xAB, sizeof(task));
    aws_task_init(&task, s_record, (void *)(intptr_t)7, "tag");
    CHECK(task.fn == s_record);
    CHECK(task.arg == (void *)(intptr_t)7);
    CHECK_STR_EQ("tag", task.type_tag);
    CHECK_INT_EQ(0, task.timestamp);
    CHECK(task.node.next == NULL && task.node.prev == NULL);
    CHECK(!task.abi_extension.scheduled);
    CHECK_INT_EQ(0, task.abi_extension.reserved);
    CHECK_STR_EQ("<Running>", aws_task_status_to_c_str(AWS_TASK_STATUS_RUN_READY));
    CHECK_STR_EQ("<Canceled>", aws_task_status_to_c_str(AWS_TASK_STATUS_CANCELED));
    CHECK_STR_EQ("<Unknown>", aws_task_status_to_c_str((enum aws_task_status)42));

    s_reset_events();
    aws_task_run(&task, AWS_TASK_STATUS_CANCELED);
    const int ids[] = {7};
    const enum aws_task_status st[] = {AWS_TASK_STATUS_CANCELED};
    s_check_events(ids, st, 1);
}

static void test_asap_tasks_run_fifo(void) {
    struct aws_task_scheduler s;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_task_scheduler_init(&s, s_alloc));
    CHECK(aws_task_scheduler_is_valid(&s));
    struct aws_task tasks[5];
    s_reset_events();
    for (int i = 0; i < 5; i++) {
        s_init_task(&tasks[i], i);
        aws_task_scheduler_schedule_now(&s, &tasks[i]);
        CHECK(tasks[i].abi_extension.scheduled);
        CHECK_INT_EQ(0, tasks[i].timestamp);
    }
    aws_task_scheduler_run_all(&s, 0);
    const int ids[] = {0, 1, 2, 3, 4};
    const enum aws_task_status st[] = {0, 0, 0, 0, 0};
    s_check_events(ids, st, 5);
    for (int i = 0; i < 5; i++) {
        CHECK(!tasks[i].abi_extension.scheduled);
    }
    CHECK(!aws_task_scheduler_has_tasks(&s, NULL));
    aws_task_scheduler_clean_up(&s);
    CHECK_INT_EQ(5, s_event_count);
}

static void test_timed_order_with_equal_timestamps(void) {
    struct aws_task_scheduler s;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_task_scheduler_init(&s, s_alloc));
    const uint64_t times[] = {30, 10, 20, 10, 10, 5};
    struct aws_task tasks[6];
    s_reset_events();
    for (int i = 0; i < 6; i++) {
        s_init_task(&tasks[i], i);
        aws_task_scheduler_schedule_future(&s, &tasks[i], times[i]);
        CHECK_INT_EQ(times[i], tasks[i].timestamp);
    }
    struct aws_task now_task;
    s_init_task(&now_task, 99);
    aws_task_scheduler_schedule_now(&s, &now_task);

    aws_task_scheduler_run_all(&s, 4); /* only the ASAP task is due */
    const int ids1[] = {99};
    const enum aws_task_status st1[] = {0};
    s_check_events(ids1, st1, 1);

    uint64_t next = 0;
    CHECK(aws_task_scheduler_has_tasks(&s, &next));
    CHECK_INT_EQ(5, next);

    s_reset_events();
    aws_task_scheduler_run_all(&s, 25);
    const int ids2[] = {5, 1, 3, 4, 2};
    const enum aws_task_status st2[] = {0, 0, 0, 0, 0};
    s_check_events(ids2, st2, 5);
    CHECK(aws_task_scheduler_has_tasks(&s, &next));
    CHECK_INT_EQ(30, next);
    CHECK(tasks[0].abi_extension.scheduled);

    s_reset_events();
    aws_task_scheduler_run_all(&s, 30);
    const int ids3[] = {0};
    s_check_events(ids3, st1, 1);
    CHECK(!aws_task_scheduler_has_tasks(&s, &next));
    CHECK(next == UINT64_MAX);
    aws_task_scheduler_clean_up(&s);
}

struct rescheduler {
    struct aws_task_scheduler *scheduler;
    struct aws_task *now_task;
    struct aws_task *timed_task;
    uint64_t when;
    int runs;
};

static void s_reschedule_fn(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    struct rescheduler *r = arg;
    r->runs++;
    if (status == AWS_TASK_STATUS_RUN_READY) {
        aws_task_scheduler_schedule_now(r->scheduler, r->now_task);
        aws_task_scheduler_schedule_future(r->scheduler, r->timed_task, r->when);
    }
}

static void test_tasks_scheduled_while_running_wait(void) {
    struct aws_task_scheduler s;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_task_scheduler_init(&s, s_alloc));
    struct aws_task first, later_now, later_timed;
    s_init_task(&later_now, 1);
    s_init_task(&later_timed, 2);
    struct rescheduler r = {.scheduler = &s, .now_task = &later_now, .timed_task = &later_timed, .when = 100};
    aws_task_init(&first, s_reschedule_fn, &r, "rescheduler");
    aws_task_scheduler_schedule_now(&s, &first);

    s_reset_events();
    aws_task_scheduler_run_all(&s, 100);
    CHECK_INT_EQ(1, r.runs);
    CHECK_INT_EQ(0, s_event_count); /* both new tasks wait, although one is due */
    uint64_t next = 1;
    CHECK(aws_task_scheduler_has_tasks(&s, &next));
    CHECK_INT_EQ(0, next);

    aws_task_scheduler_run_all(&s, 100);
    const int ids[] = {1, 2};
    const enum aws_task_status st[] = {0, 0};
    s_check_events(ids, st, 2);
    aws_task_scheduler_clean_up(&s);
}

struct canceller {
    struct aws_task_scheduler *scheduler;
    struct aws_task *victim;
};

static void s_cancel_other_fn(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    struct canceller *c = arg;
    s_record(task, (void *)(intptr_t)100, status);
    aws_task_scheduler_cancel_task(c->scheduler, c->victim);
}

static void test_cancel_runs_task_once_with_canceled(void) {
    struct aws_task_scheduler s;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_task_scheduler_init(&s, s_alloc));
    struct aws_task asap, timed, keep, victim, canceller_task;
    s_init_task(&asap, 1);
    s_init_task(&timed, 2);
    s_init_task(&keep, 3);
    s_init_task(&victim, 4);
    struct canceller c = {.scheduler = &s, .victim = &victim};
    aws_task_init(&canceller_task, s_cancel_other_fn, &c, "canceller");

    aws_task_scheduler_schedule_now(&s, &asap);
    aws_task_scheduler_schedule_future(&s, &timed, 50);
    aws_task_scheduler_schedule_future(&s, &keep, 40);
    aws_task_scheduler_schedule_now(&s, &canceller_task);
    aws_task_scheduler_schedule_future(&s, &victim, 45); /* due in the same run as the canceller */

    s_reset_events();
    aws_task_scheduler_cancel_task(&s, &asap);
    aws_task_scheduler_cancel_task(&s, &timed);
    CHECK(!asap.abi_extension.scheduled);
    CHECK(!timed.abi_extension.scheduled);
    uint64_t next = 0;
    CHECK(aws_task_scheduler_has_tasks(&s, &next));
    CHECK_INT_EQ(0, next);

    aws_task_scheduler_run_all(&s, 1000);
    const int ids[] = {1, 2, 100, 4, 3};
    const enum aws_task_status st[] = {
        AWS_TASK_STATUS_CANCELED,
        AWS_TASK_STATUS_CANCELED,
        AWS_TASK_STATUS_RUN_READY,
        AWS_TASK_STATUS_CANCELED,
        AWS_TASK_STATUS_RUN_READY};
    s_check_events(ids, st, 5);
    CHECK(!aws_task_scheduler_has_tasks(&s, NULL));
    aws_task_scheduler_clean_up(&s);
    CHECK_INT_EQ(5, s_event_count);
}

static void s_schedule_on_cancel_fn(struct aws_task *task, void *arg, enum aws_task_status status) {
    struct rescheduler *r = arg;
    s_record(task, (void *)(intptr_t)200, status);
    if (r->runs++ == 0) {
        aws_task_scheduler_schedule_now(r->scheduler, r->now_task);
    }
}

static void test_clean_up_cancels_everything(void) {
    struct aws_task_scheduler s;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_task_scheduler_init(&s, s_alloc));
    struct aws_task timed, asap, spawner, spawned;
    s_init_task(&timed, 1);
    s_init_task(&asap, 2);
    s_init_task(&spawned, 3);
    struct rescheduler r = {.scheduler = &s, .now_task = &spawned};
    aws_task_init(&spawner, s_schedule_on_cancel_fn, &r, "spawner");
    aws_task_scheduler_schedule_future(&s, &timed, 999999999999ULL);
    aws_task_scheduler_schedule_now(&s, &asap);
    aws_task_scheduler_schedule_future(&s, &spawner, 7);

    s_reset_events();
    aws_task_scheduler_clean_up(&s);
    const int ids[] = {2, 200, 1, 3};
    const enum aws_task_status st[] = {1, 1, 1, 1};
    s_check_events(ids, st, 4);
    CHECK(!aws_task_scheduler_is_valid(&s));
    aws_task_scheduler_clean_up(&s); /* idempotent */
    CHECK_INT_EQ(4, s_event_count);
}

static void s_self_free_fn(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)status;
    (*(int *)arg)++;
    aws_mem_release(s_alloc, task);
}

static void test_task_may_free_itself(void) {
    struct aws_task_scheduler s;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_task_scheduler_init(&s, s_alloc));
    int runs = 0;
    for (int i = 0; i < 3; i++) {
        struct aws_task *t = aws_mem_acquire(s_alloc, sizeof(struct aws_task));
        aws_task_init(t, s_self_free_fn, &runs, "self_free");
        if (i == 0) {
            aws_task_scheduler_schedule_now(&s, t);
        } else {
            aws_task_scheduler_schedule_future(&s, t, (uint64_t)i);
        }
    }
    aws_task_scheduler_run_all(&s, 1);
    CHECK_INT_EQ(2, runs);
    aws_task_scheduler_clean_up(&s);
    CHECK_INT_EQ(3, runs);
}

#define RANDOM_TASKS 10000

static uint64_t s_rng = 0x9E3779B97F4A7C15ULL;
static uint64_t s_next_random(void) {
    s_rng = s_rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return s_rng >> 33;
}

struct ordered {
    struct aws_task task;
    uint64_t when;
    int index;
};

static uint64_t s_last_when;
static int s_last_index;
static int s_ordered_runs;
static int s_order_violations;

static void s_ordered_fn(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    struct ordered *o = arg;
    if (status != AWS_TASK_STATUS_RUN_READY) {
        s_order_violations++;
    }
    if (o->when < s_last_when || (o->when == s_last_when && o->index < s_last_index)) {
        s_order_violations++;
    }
    s_last_when = o->when;
    s_last_index = o->index;
    s_ordered_runs++;
}

static void test_random_timed_tasks_run_in_order(void) {
    struct aws_task_scheduler s;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_task_scheduler_init(&s, s_alloc));
    struct ordered *all = aws_mem_calloc(s_alloc, RANDOM_TASKS, sizeof(struct ordered));
    for (int i = 0; i < RANDOM_TASKS; i++) {
        all[i].when = s_next_random() % 2000; /* many equal timestamps */
        all[i].index = i;
        aws_task_init(&all[i].task, s_ordered_fn, &all[i], "ordered");
        aws_task_scheduler_schedule_future(&s, &all[i].task, all[i].when);
    }
    /* cancel every 10th task: it runs once, CANCELED, outside the ordered stream */
    int cancelled = 0;
    for (int i = 0; i < RANDOM_TASKS; i += 10) {
        all[i].task.fn = s_record;
        all[i].task.arg = (void *)(intptr_t)i;
        s_reset_events();
        aws_task_scheduler_cancel_task(&s, &all[i].task);
        cancelled += s_event_count == 1 && s_events[0].status == AWS_TASK_STATUS_CANCELED;
    }
    CHECK_INT_EQ(RANDOM_TASKS / 10, cancelled);

    s_last_when = 0;
    s_last_index = -1;
    s_ordered_runs = 0;
    s_order_violations = 0;
    for (uint64_t now = 0; now < 2000; now += 97) {
        aws_task_scheduler_run_all(&s, now);
        uint64_t next = 0;
        if (aws_task_scheduler_has_tasks(&s, &next)) {
            CHECK(next > now);
        }
    }
    aws_task_scheduler_run_all(&s, 2000);
    CHECK_INT_EQ(RANDOM_TASKS - RANDOM_TASKS / 10, s_ordered_runs);
    CHECK_INT_EQ(0, s_order_violations);
    CHECK(!aws_task_scheduler_has_tasks(&s, NULL));
    aws_task_scheduler_clean_up(&s);
    aws_mem_release(s_alloc, all);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    RUN_TEST(test_task_init_and_status_strings);
    RUN_TEST(test_asap_tasks_run_fifo);
    RUN_TEST(test_timed_order_with_equal_timestamps);
    RUN_TEST(test_tasks_scheduled_while_running_wait);
    RUN_TEST(test_cancel_runs_task_once_with_canceled);
    RUN_TEST(test_clean_up_cancels_everything);
    RUN_TEST(test_task_may_free_itself);
    RUN_TEST(test_random_timed_tasks_run_in_order);
    CHECK_INT_EQ(0, aws_mem_tracer_count(s_alloc));
    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_dump(s_alloc);
    CHECK(aws_mem_tracer_destroy(s_alloc) == aws_default_allocator());
    return TEST_RESULT();
}
