#ifndef AWS_COMMON_ALLOCATOR_H
#define AWS_COMMON_ALLOCATOR_H
/* struct aws_allocator and the aws_mem_* functions come from the generated
 * header; this file exists so that upstream's include path works. */
#include <aws/common/macros.h>
#include <aws/common/stdbool.h>
#include <aws/common/stdint.h>
#include <aws/event_stream_rs/generated.h>

#endif /* AWS_COMMON_ALLOCATOR_H */
