/* Demo of the common layer: allocator, errors. Grows with the library. */
#include <aws/common/common.h>

int main(void) {
    struct aws_allocator *alloc = aws_default_allocator();
    void *p = aws_mem_acquire(alloc, 64);
    printf("allocated 64 bytes at %p\n", p);
    aws_mem_release(alloc, p);
    aws_raise_error(AWS_ERROR_SHORT_BUFFER);
    printf("last error: %d %s (%s)\n", aws_last_error(), aws_error_name(aws_last_error()), aws_error_str(aws_last_error()));
    return 0;
}
