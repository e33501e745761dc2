#ifndef AWS_COMMON_URI_H
#define AWS_COMMON_URI_H
/* aws-c-event-stream-rs: struct aws_uri / aws_uri_param /
 * aws_uri_builder_options and the aws_uri_* / query-string / percent-encoding
 * functions are declared in the generated header. A parsed URI owns a copy of
 * its text (uri_str); every cursor points into it. Malformed text raises
 * AWS_ERROR_MALFORMED_INPUT_STRING. */
#include <aws/common/array_list.h>
#include <aws/common/byte_buf.h>

#endif /* AWS_COMMON_URI_H */
