#ifndef AWS_IO_LOGGING_H
#define AWS_IO_LOGGING_H
/* aws-c-io log subjects (enum aws_io_log_subject) come from the generated header. */
#include <aws/io/io.h>
#include <aws/common/logging.h>

#endif /* AWS_IO_LOGGING_H */
