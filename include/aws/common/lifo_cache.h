#ifndef AWS_COMMON_LIFO_CACHE_H
#define AWS_COMMON_LIFO_CACHE_H
/* aws-c-event-stream-rs: aws_cache_new_lifo is declared in the generated header. */
#include <aws/common/cache.h>

#endif /* AWS_COMMON_LIFO_CACHE_H */
