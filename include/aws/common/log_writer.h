#ifndef AWS_COMMON_LOG_WRITER_H
#define AWS_COMMON_LOG_WRITER_H
/* aws-c-event-stream-rs: log writers, the last stage of a pipeline logger.
 * struct aws_log_writer, its vtable, struct aws_log_writer_file_options and
 * aws_log_writer_init_stdout/_stderr/_file/_clean_up are declared in the
 * generated header. A file writer appends each line with one fwrite; clean-up
 * closes a file it opened itself and leaves a caller's FILE open. */
#include <aws/common/common.h>

#endif /* AWS_COMMON_LOG_WRITER_H */
