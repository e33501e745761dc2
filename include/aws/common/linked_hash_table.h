#ifndef AWS_COMMON_LINKED_HASH_TABLE_H
#define AWS_COMMON_LINKED_HASH_TABLE_H
/* aws-c-event-stream-rs: struct aws_linked_hash_table / aws_linked_hash_table_node and the
 * aws_linked_hash_table_* functions are declared in the generated header. Its
 * list keeps entries in insertion (or use) order; removing an entry runs the
 * key and value destroy callbacks. */
#include <aws/common/hash_table.h>
#include <aws/common/linked_list.h>

#endif /* AWS_COMMON_LINKED_HASH_TABLE_H */
