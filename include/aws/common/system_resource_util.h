#ifndef AWS_COMMON_SYSTEM_RESOURCE_UTIL_H
#define AWS_COMMON_SYSTEM_RESOURCE_UTIL_H
/* aws-c-event-stream-rs: struct aws_memory_usage_stats and
 * aws_init_memory_usage_for_current_process are declared in the generated header. */
#include <aws/common/common.h>

#endif /* AWS_COMMON_SYSTEM_RESOURCE_UTIL_H */
