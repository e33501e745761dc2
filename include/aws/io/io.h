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

/* Upstream's CMake package gives every consumer -DAWS_ENABLE_EPOLL on Linux
 * (INTERFACE_COMPILE_DEFINITIONS of AWS::aws-c-io), and tests branch on it;
 * the header says it too, for builds without CMake. The event loop here is
 * epoll (through mio) on Linux. */
#if defined(__linux__) && !defined(AWS_ENABLE_EPOLL)
#    define AWS_ENABLE_EPOLL
#endif

#endif /* AWS_IO_IO_H */
