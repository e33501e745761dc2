#ifndef AWS_COMMON_PRIVATE_THREAD_SHARED_H
#define AWS_COMMON_PRIVATE_THREAD_SHARED_H
/* aws-c-event-stream-rs: the managed-thread functions
 * (aws_thread_initialize_thread_management, aws_thread_get_managed_thread_count,
 * aws_thread_pending_join_add, aws_thread_join_and_free_wrapper_list) are
 * declared in the generated header. As upstream, the last two take records the
 * library makes for its own managed threads; no caller can make one. */
#include <aws/common/thread.h>

#endif /* AWS_COMMON_PRIVATE_THREAD_SHARED_H */
