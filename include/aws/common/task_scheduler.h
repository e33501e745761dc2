#ifndef AWS_COMMON_TASK_SCHEDULER_H
#define AWS_COMMON_TASK_SCHEDULER_H
/* aws-c-event-stream-rs: struct aws_task, struct aws_task_scheduler, aws_task_fn
 * and the aws_task_* / aws_task_scheduler_* functions are declared in the
 * generated header with upstream's layout.
 *
 * Semantics (as upstream):
 *  - aws_task_scheduler_run_all(s, now) runs every ASAP task scheduled before the
 *    call, then every timed task with timestamp <= now, earliest first (equal
 *    timestamps in scheduling order). Tasks scheduled while it runs wait for the
 *    next call.
 *  - aws_task_scheduler_cancel_task() removes the task and runs it at once with
 *    AWS_TASK_STATUS_CANCELED.
 *  - aws_task_scheduler_clean_up() runs every remaining task (and any they
 *    schedule) with AWS_TASK_STATUS_CANCELED. Calling it twice is harmless.
 *  - Not thread-safe: one thread owns a scheduler. */
#include <aws/common/common.h>

#if defined(__has_include)
#    if __has_include(<aws/common/linked_list.h>)
#        include <aws/common/linked_list.h>
#    endif
#    if __has_include(<aws/common/priority_queue.h>)
#        include <aws/common/priority_queue.h>
#    endif
#endif

#endif /* AWS_COMMON_TASK_SCHEDULER_H */
