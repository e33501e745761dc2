#ifndef AWS_IO_MESSAGE_POOL_H
#define AWS_IO_MESSAGE_POOL_H
/* Pooled aws_io_message allocation; declarations in the generated header. */
#include <aws/common/array_list.h>
#include <aws/io/io.h>

#endif /* AWS_IO_MESSAGE_POOL_H */
