#ifndef AWS_IO_IO_H
#define AWS_IO_IO_H
/* aws-c-io's shared types (aws_io_message, aws_io_handle, ...), error codes and
 * library init/clean-up come from the generated header. */
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>
#include <aws/common/linked_list.h>
#include <aws/io/exports.h>
#include <aws/event_stream_rs/generated.h>

/* aws-c-io's slot in the error-code and log-subject spaces. */
#ifndef AWS_C_IO_PACKAGE_ID
#    define AWS_C_IO_PACKAGE_ID 1
#endif

#endif /* AWS_IO_IO_H */
