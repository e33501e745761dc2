#ifndef AWS_COMMON_THREAD_SCHEDULER_H
#define AWS_COMMON_THREAD_SCHEDULER_H
/* aws-c-event-stream-rs: aws_thread_scheduler_* are declared in the generated header:
 * a reference-counted thread running a task scheduler; tasks may be scheduled
 * and cancelled from any thread and run (or are cancelled) on its thread. */
#include <aws/common/common.h>
#include <aws/common/task_scheduler.h>
#include <aws/common/thread.h>

#endif /* AWS_COMMON_THREAD_SCHEDULER_H */
