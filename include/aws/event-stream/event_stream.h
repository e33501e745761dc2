#ifndef AWS_EVENT_STREAM_H_
#define AWS_EVENT_STREAM_H_
/* aws-c-event-stream-rs: messages, header lists and the streaming decoder.
 * Every declaration (structs, enums, callback typedefs, limit macros,
 * functions) comes from the generated header; this file keeps upstream's
 * path and includes what upstream's event_stream.h includes.
 *
 * Threading: none of these functions is tied to a thread; the streaming
 * decoder calls its callbacks synchronously from inside
 * aws_event_stream_streaming_decoder_pump, on the pumping thread. */
#include <aws/common/array_list.h>
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>
#include <aws/common/logging.h>
#include <aws/event-stream/event_stream_exports.h>
#include <stdio.h>

#endif /* AWS_EVENT_STREAM_H_ */
