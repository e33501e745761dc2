/* Built with find_package(aws-c-event-stream) against the installed package. */
#include <aws/checksums/crc.h>
#include <aws/common/common.h>

int main(void) {
    struct aws_allocator *alloc = aws_default_allocator();
    void *p = aws_mem_acquire(alloc, 16);
    aws_mem_release(alloc, p);
    const uint8_t data[] = "123456789";
    uint32_t crc = aws_checksums_crc32(data, 9, 0);
    printf("consumer: crc32=%08x error name=%s\n", (unsigned)crc, aws_error_name(AWS_ERROR_OOM));
    return crc == 0xCBF43926u ? 0 : 1;
}
