#ifndef AWS_COMMON_CONDITION_VARIABLE_H
#define AWS_COMMON_CONDITION_VARIABLE_H
/* aws-c-event-stream-rs: struct aws_condition_variable, the predicate typedef
 * and aws_condition_variable_* are declared in the generated header. Timed
 * waits take a relative time in nanoseconds and raise
 * AWS_ERROR_COND_VARIABLE_TIMED_OUT when it runs out; the _pred variants keep
 * waiting through spurious wake-ups until the predicate holds. */
#include <aws/common/common.h>

#include <pthread.h>

#define AWS_CONDITION_VARIABLE_INIT {.condition_handle = PTHREAD_COND_INITIALIZER, .initialized = true}

#endif /* AWS_COMMON_CONDITION_VARIABLE_H */
