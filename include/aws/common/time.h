#ifndef AWS_COMMON_TIME_H
#define AWS_COMMON_TIME_H
/* aws-c-event-stream-rs: aws_timegm, aws_localtime and aws_gmtime (libc's
 * timegm / localtime_r / gmtime_r) are declared in the generated header. */
#include <aws/common/common.h>

#include <time.h>

#endif /* AWS_COMMON_TIME_H */
