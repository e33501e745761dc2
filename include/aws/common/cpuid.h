#ifndef AWS_COMMON_CPUID_H
#define AWS_COMMON_CPUID_H
/* aws-c-event-stream-rs: enum aws_cpu_feature_name and aws_cpu_has_feature are declared
 * in the generated header. */
#include <aws/common/common.h>

#endif /* AWS_COMMON_CPUID_H */
