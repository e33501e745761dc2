#ifndef AWS_COMMON_CROSS_PROCESS_LOCK_H
#define AWS_COMMON_CROSS_PROCESS_LOCK_H
/* aws-c-event-stream-rs: aws_cross_process_lock_try_acquire / _release are declared in
 * the generated header: an exclusive flock on
 * /tmp/aws_crt_cross_process_lock/<nonce>.lock. */
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>

#endif /* AWS_COMMON_CROSS_PROCESS_LOCK_H */
