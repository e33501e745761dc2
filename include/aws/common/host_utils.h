#ifndef AWS_COMMON_HOST_UTILS_H
#define AWS_COMMON_HOST_UTILS_H
/* aws-c-event-stream-rs: aws_host_utils_is_ipv4 / aws_host_utils_is_ipv6 (textual address checks) are
 * declared in the generated header. */
#include <aws/common/common.h>
#include <aws/common/byte_buf.h>
#endif /* AWS_COMMON_HOST_UTILS_H */
