#ifndef AWS_COMMON_LOG_CHANNEL_H
#define AWS_COMMON_LOG_CHANNEL_H
/* aws-c-event-stream-rs: log channels, which take each formatted line from a
 * pipeline logger and hand it to a writer. struct aws_log_channel, its vtable
 * and aws_log_channel_init_foreground/_init_background/_clean_up are declared
 * in the generated header. The foreground channel writes on the logging
 * thread; the background one queues the line for its "AwsLogger" thread, and
 * its clean-up returns once every queued line is written. */
#include <aws/common/common.h>

#include <aws/common/logging.h>

#endif /* AWS_COMMON_LOG_CHANNEL_H */
