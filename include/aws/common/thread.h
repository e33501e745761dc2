#ifndef AWS_COMMON_THREAD_H
#define AWS_COMMON_THREAD_H
/* aws-c-event-stream-rs: the thread structs, enums and aws_thread_* functions
 * are declared in the generated header.
 *
 * Lifecycle of a struct aws_thread: aws_thread_init (NOT_CREATED) ->
 * aws_thread_launch (JOINABLE, or MANAGED with join_strategy AWS_TJS_MANAGED)
 * -> aws_thread_join (JOIN_COMPLETED) -> aws_thread_clean_up. Managed threads
 * are never joined by their owner: aws_thread_join_all_managed() (called by
 * aws_common_library_clean_up upstream) joins them all. */
#include <aws/common/common.h>

#if defined(__has_include)
#    if __has_include(<aws/common/byte_buf.h>)
#        include <aws/common/byte_buf.h>
#    endif
#    if __has_include(<aws/common/string.h>)
#        include <aws/common/string.h>
#    endif
#endif

#include <pthread.h>

/* For an aws_thread_once flag that aws_thread_call_once has not used yet. */
#define AWS_THREAD_ONCE_STATIC_INIT PTHREAD_ONCE_INIT

#endif /* AWS_COMMON_THREAD_H */
