#ifndef AWS_IO_STREAM_H
#define AWS_IO_STREAM_H
/* Input streams (enum aws_stream_seek_basis, struct aws_stream_status,
 * struct aws_input_stream_vtable, struct aws_input_stream) and their
 * functions; declarations in the generated header. */
#include <aws/common/ref_count.h>
#include <aws/io/io.h>
#include <stdio.h>

#endif /* AWS_IO_STREAM_H */
