#ifndef AWS_COMMON_PROCESS_H
#define AWS_COMMON_PROCESS_H
/* aws-c-event-stream-rs: aws_get_pid, the open-file limits and aws_run_command (with struct
 * aws_run_command_options / aws_run_command_result) are declared in the generated
 * header. */
#include <aws/common/common.h>
#include <aws/common/string.h>
#endif /* AWS_COMMON_PROCESS_H */
