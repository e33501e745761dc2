#ifndef AWS_COMMON_DEVICE_RANDOM_H
#define AWS_COMMON_DEVICE_RANDOM_H
/* aws-c-event-stream-rs: aws_device_random_* (bytes from the kernel's CSPRNG)
 * are declared in the generated header. They raise AWS_ERROR_RANDOM_GEN_FAILED
 * if the kernel cannot supply bytes, and the buffer variants raise
 * AWS_ERROR_SHORT_BUFFER (leaving the buffer unchanged) when it lacks room. */
#include <aws/common/common.h>

#endif /* AWS_COMMON_DEVICE_RANDOM_H */
