#ifndef AWS_COMMON_SHUTDOWN_TYPES_H
#define AWS_COMMON_SHUTDOWN_TYPES_H
/* aws_simple_completion_callback and struct aws_shutdown_callback_options
 * come from the generated header. */
#include <aws/common/common.h>

#endif /* AWS_COMMON_SHUTDOWN_TYPES_H */
