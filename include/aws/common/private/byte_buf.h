#ifndef AWS_COMMON_PRIVATE_BYTE_BUF_H
#define AWS_COMMON_PRIVATE_BYTE_BUF_H
/* aws-c-event-stream-rs: upstream's semi-private byte_buf helpers
 * (aws_nospec_mask, aws_byte_buf_reserve_smart[_relative]) are exported and
 * declared in the generated header; this path exists for code that includes it. */
#include <aws/common/byte_buf.h>

#endif /* AWS_COMMON_PRIVATE_BYTE_BUF_H */
