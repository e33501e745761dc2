#ifndef AWS_COMMON_ENVIRONMENT_H
#define AWS_COMMON_ENVIRONMENT_H
/* aws-c-event-stream-rs: Process environment variables as aws_strings (aws_get_env, aws_get_env_nonempty,
 * aws_get_environment_value, aws_set/unset_environment_value), declared in the
 * generated header. */
#include <aws/common/common.h>
#include <aws/common/string.h>
#endif /* AWS_COMMON_ENVIRONMENT_H */
