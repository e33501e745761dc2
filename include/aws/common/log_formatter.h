#ifndef AWS_COMMON_LOG_FORMATTER_H
#define AWS_COMMON_LOG_FORMATTER_H
/* aws-c-event-stream-rs: log formatters, the first stage of a pipeline logger.
 * struct aws_log_formatter, its vtable, the option and formatting-data structs,
 * aws_log_formatter_init_default/_clean_up and aws_format_standard_log_line
 * are declared in the generated header. The default formatter writes
 * "[LEVEL] [date] [thread id] [subject] - message\n", the date in the
 * formatter's aws_date_format (UTC). */
#include <aws/common/common.h>

#include <aws/common/date_time.h>
#include <aws/common/logging.h>

#include <stdarg.h>
#include <stdio.h>

#endif /* AWS_COMMON_LOG_FORMATTER_H */
