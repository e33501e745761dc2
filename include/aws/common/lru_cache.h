#ifndef AWS_COMMON_LRU_CACHE_H
#define AWS_COMMON_LRU_CACHE_H
/* aws-c-event-stream-rs: aws_cache_new_lru, aws_lru_cache_use_lru_element and
 * aws_lru_cache_get_mru_element are declared in the generated header. */
#include <aws/common/cache.h>

#endif /* AWS_COMMON_LRU_CACHE_H */
