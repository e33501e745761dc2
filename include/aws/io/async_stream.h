#ifndef AWS_IO_ASYNC_STREAM_H
#define AWS_IO_ASYNC_STREAM_H
/* Asynchronous input streams (struct aws_async_input_stream and its vtable)
 * and their functions; declarations in the generated header. */
#include <aws/common/ref_count.h>
#include <aws/io/future.h>
#include <aws/io/io.h>

#endif /* AWS_IO_ASYNC_STREAM_H */
