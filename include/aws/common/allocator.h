#ifndef AWS_COMMON_ALLOCATOR_H
#define AWS_COMMON_ALLOCATOR_H
/* struct aws_allocator and the aws_mem_* functions come from the generated
 * header; this file exists so that upstream's include path works. */
#include <aws/common/macros.h>
#include <aws/common/stdbool.h>
#include <aws/common/stdint.h>
#include <aws/event_stream_rs/generated.h>

#ifdef __cplusplus
extern "C" {
#endif
/* Carves `count` (void **out, size_t size) pairs out of one allocation (each piece
 * rounded up to intmax_t alignment) and returns it; release that pointer alone. */
void *aws_mem_acquire_many(struct aws_allocator *allocator, size_t count, ...);
#ifdef __cplusplus
}
#endif

#endif /* AWS_COMMON_ALLOCATOR_H */
