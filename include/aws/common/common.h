#ifndef AWS_COMMON_COMMON_H
#define AWS_COMMON_COMMON_H
/* aws-c-event-stream-rs: every declaration comes from the generated header;
 * the hand-written headers at upstream's paths add macros and inline helpers.
 * Includes the same set of headers as upstream's common.h, so programs that
 * rely on its transitive includes build unchanged. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aws/event_stream_rs/generated.h>

#include <aws/common/config.h>
#include <aws/common/exports.h>

#include <aws/common/allocator.h>
#include <aws/common/assert.h>
#include <aws/common/error.h>
#include <aws/common/macros.h>
#include <aws/common/platform.h>
#include <aws/common/predicates.h>
#include <aws/common/stdbool.h>
#include <aws/common/stdint.h>
#include <aws/common/zero.h>

#endif /* AWS_COMMON_COMMON_H */
