#ifndef AWS_COMMON_MUTEX_H
#define AWS_COMMON_MUTEX_H
/* aws-c-event-stream-rs: struct aws_mutex and aws_mutex_* are declared in the
 * generated header. The pthread mutex is embedded by value, so a mutex can be
 * set up statically with AWS_MUTEX_INIT instead of aws_mutex_init(). */
#include <aws/common/common.h>

#include <pthread.h>

#define AWS_MUTEX_INIT {.mutex_handle = PTHREAD_MUTEX_INITIALIZER, .initialized = true}

#endif /* AWS_COMMON_MUTEX_H */
