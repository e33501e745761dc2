#ifndef AWS_COMMON_PRIORITY_QUEUE_H
#define AWS_COMMON_PRIORITY_QUEUE_H
/* struct aws_priority_queue (a heap over two aws_array_lists) and its
 * functions come from the generated header. */
#include <aws/common/array_list.h>
#include <aws/common/common.h>

#endif /* AWS_COMMON_PRIORITY_QUEUE_H */
