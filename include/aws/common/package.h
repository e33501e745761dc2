#ifndef AWS_COMMON_PACKAGE_H
#define AWS_COMMON_PACKAGE_H
/* Package ids select each library's slice of the error-code and log-subject
 * spaces. The values come from the generated header. */
#include <aws/event_stream_rs/generated.h>

#ifndef AWS_PACKAGE_SLOTS
#    define AWS_PACKAGE_SLOTS 32
#endif
#ifndef AWS_C_COMMON_PACKAGE_ID
#    define AWS_C_COMMON_PACKAGE_ID 0
#endif

#endif /* AWS_COMMON_PACKAGE_H */
