#ifndef AWS_COMMON_PRIVATE_THREAD_SHARED_H
#define AWS_COMMON_PRIVATE_THREAD_SHARED_H
/* aws_thread_initialize_thread_management, aws_thread_get_managed_thread_count
 * and upstream's join-wrapper list functions (aws_thread_pending_join_add,
 * aws_thread_join_and_free_wrapper_list) are declared in the generated header.
 * As upstream, the latter two only take the nodes of this library's own
 * finished managed threads; any other node aborts (see COMPAT.md). */
#include <aws/common/thread.h>

#endif /* AWS_COMMON_PRIVATE_THREAD_SHARED_H */
