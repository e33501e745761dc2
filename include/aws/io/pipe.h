#ifndef AWS_IO_PIPE_H
#define AWS_IO_PIPE_H
/* Pipes whose ends live on event loops; declarations in the generated header. */
#include <aws/common/byte_buf.h>
#include <aws/io/io.h>

#endif /* AWS_IO_PIPE_H */
