#ifndef AWS_COMMON_JSON_H
#define AWS_COMMON_JSON_H
/* aws-c-event-stream-rs: the opaque struct aws_json_value, its callbacks and the
 * aws_json_* functions are declared in the generated header. Values added to
 * an object or array belong to it; destroy only roots. Object keys are matched
 * case-insensitively, as upstream's. */
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>

#endif /* AWS_COMMON_JSON_H */
