#ifndef AWS_EVENT_STREAM_H_
#define AWS_EVENT_STREAM_H_
/* aws-c-event-stream-rs: messages, header lists and the streaming decoder.
 * Every declaration (structs, enums, callback typedefs, limit macros,
 * functions) comes from the generated header; this file keeps upstream's
 * path and adds the export macro. */
#include <aws/common/common.h>

#if defined(__has_include)
#    if __has_include(<aws/common/array_list.h>)
#        include <aws/common/array_list.h>
#    endif
#    if __has_include(<aws/common/byte_buf.h>)
#        include <aws/common/byte_buf.h>
#    endif
#    if __has_include(<aws/common/logging.h>)
#        include <aws/common/logging.h>
#    endif
#endif

#include <aws/event-stream/event_stream_exports.h>

#include <stdio.h>

#endif /* AWS_EVENT_STREAM_H_ */
