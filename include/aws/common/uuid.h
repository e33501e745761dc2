#ifndef AWS_COMMON_UUID_H
#define AWS_COMMON_UUID_H
/* aws-c-event-stream-rs: struct aws_uuid and the aws_uuid_* functions are
 * declared in the generated header. aws_uuid_to_str needs AWS_UUID_STR_LEN
 * bytes free (the text plus a NUL that len does not count). */
#include <aws/common/common.h>

enum { AWS_UUID_STR_LEN = 37 };
enum { AWS_UUID_STR_COMPACT_LEN = 33 };

#endif /* AWS_COMMON_UUID_H */
