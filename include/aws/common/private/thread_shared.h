#ifndef AWS_COMMON_PRIVATE_THREAD_SHARED_H
#define AWS_COMMON_PRIVATE_THREAD_SHARED_H
/* aws-c-event-stream-rs: aws_thread_initialize_thread_management and
 * aws_thread_get_managed_thread_count are declared in the generated header.
 * Upstream's join-wrapper list functions (aws_thread_join_and_free_wrapper_list,
 * aws_thread_pending_join_add) manage its internal thread records and have no
 * counterpart here (see COMPAT.md). */
#include <aws/common/thread.h>

#endif /* AWS_COMMON_PRIVATE_THREAD_SHARED_H */
