#ifndef AWS_COMMON_SYSTEM_INFO_H
#define AWS_COMMON_SYSTEM_INFO_H
/* aws-c-event-stream-rs: enum aws_platform_os, struct aws_cpu_info, the opaque
 * struct aws_system_environment and every exported function of upstream's
 * <aws/common/system_info.h> (processor/page counts, CPU groups, debugger
 * detection, backtraces, the system environment) are declared in the
 * generated header. One CPU group holds every online CPU (no libnuma). */
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>

#if defined(AWS_HAVE_EXECINFO) || defined(_WIN32) || defined(__APPLE__)
#    define AWS_BACKTRACE_STACKS_AVAILABLE
#endif

#endif /* AWS_COMMON_SYSTEM_INFO_H */
