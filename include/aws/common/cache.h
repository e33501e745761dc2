#ifndef AWS_COMMON_CACHE_H
#define AWS_COMMON_CACHE_H
/* aws-c-event-stream-rs: struct aws_cache / aws_cache_vtable and the aws_cache_*
 * functions are declared in the generated header. */
#include <aws/common/linked_hash_table.h>

#endif /* AWS_COMMON_CACHE_H */
