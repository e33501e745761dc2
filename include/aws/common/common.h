#ifndef AWS_COMMON_COMMON_H
#define AWS_COMMON_COMMON_H
/* aws-c-event-stream-rs: every declaration comes from the generated header;
 * the hand-written headers at upstream's paths add macros and inline helpers. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aws/event_stream_rs/generated.h>

#include <aws/common/error.h>

#endif /* AWS_COMMON_COMMON_H */
