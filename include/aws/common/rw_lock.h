#ifndef AWS_COMMON_RW_LOCK_H
#define AWS_COMMON_RW_LOCK_H
/* aws-c-event-stream-rs: struct aws_rw_lock (a pthread rwlock) and aws_rw_lock_* are declared in the
 * generated header. */
#include <aws/common/common.h>

#include <pthread.h>

#define AWS_RW_LOCK_INIT {.lock_handle = PTHREAD_RWLOCK_INITIALIZER}

#endif /* AWS_COMMON_RW_LOCK_H */
