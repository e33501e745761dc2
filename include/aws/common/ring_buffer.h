#ifndef AWS_COMMON_RING_BUFFER_H
#define AWS_COMMON_RING_BUFFER_H
/* aws-c-event-stream-rs: struct aws_ring_buffer and its functions are declared
 * in the generated header; this file adds upstream's inline checks. A ring
 * vends contiguous slices of one allocation to one producer and hands them
 * back in order from one consumer (aws_ring_buffer_release). */
#include <aws/common/atomics.h>
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>

AWS_EXTERN_C_BEGIN

/* True when `atomic_ptr` is non-NULL and points into the ring's allocation (its end included). */
AWS_STATIC_IMPL bool aws_ring_buffer_check_atomic_ptr(
    const struct aws_ring_buffer *ring_buf,
    const uint8_t *atomic_ptr) {
    return atomic_ptr != NULL && atomic_ptr >= ring_buf->allocation && atomic_ptr <= ring_buf->allocation_end;
}

/* True when nothing is vended. */
AWS_STATIC_IMPL bool aws_ring_buffer_is_empty(const struct aws_ring_buffer *ring_buf) {
    return aws_atomic_load_ptr(&ring_buf->head) == aws_atomic_load_ptr(&ring_buf->tail);
}

/* Structural check: allocated, head and tail inside, and a tail at the start when the head is. */
AWS_STATIC_IMPL bool aws_ring_buffer_is_valid(const struct aws_ring_buffer *ring_buf) {
    if (ring_buf == NULL) {
        return false;
    }
    const uint8_t *head = (const uint8_t *)aws_atomic_load_ptr(&ring_buf->head);
    const uint8_t *tail = (const uint8_t *)aws_atomic_load_ptr(&ring_buf->tail);
    return ring_buf->allocation != NULL && ring_buf->allocator != NULL &&
           aws_ring_buffer_check_atomic_ptr(ring_buf, head) && aws_ring_buffer_check_atomic_ptr(ring_buf, tail) &&
           (head != ring_buf->allocation || tail == ring_buf->allocation);
}

AWS_EXTERN_C_END

#endif /* AWS_COMMON_RING_BUFFER_H */
