#ifndef AWS_EVENT_STREAM_H_
#define AWS_EVENT_STREAM_H_
/* Messages, headers and the streaming decoder; declarations, enums and
 * error codes come from the generated header. */
#include <aws/common/array_list.h>
#include <aws/common/byte_buf.h>
#include <aws/common/logging.h>
#include <aws/event-stream/event_stream_exports.h>
#include <stdio.h>

/* The constants below normally come from the generated header too; the
 * fallbacks keep this header usable on its own. */
#ifndef AWS_C_EVENT_STREAM_PACKAGE_ID
#    define AWS_C_EVENT_STREAM_PACKAGE_ID 4
#endif

/* Limits of the wire format as this library enforces them. */
#ifndef AWS_EVENT_STREAM_MAX_MESSAGE_SIZE
#    define AWS_EVENT_STREAM_MAX_MESSAGE_SIZE (24 * 1024 * 1024)
#endif
#ifndef AWS_EVENT_STREAM_MAX_HEADERS_SIZE
#    define AWS_EVENT_STREAM_MAX_HEADERS_SIZE (AWS_EVENT_STREAM_MAX_MESSAGE_SIZE)
#endif
#ifndef AWS_EVENT_STREAM_HEADER_NAME_LEN_MAX
#    define AWS_EVENT_STREAM_HEADER_NAME_LEN_MAX (UINT8_MAX)
#endif
#ifndef AWS_EVENT_STREAM_HEADER_VALUE_LEN_MAX
#    define AWS_EVENT_STREAM_HEADER_VALUE_LEN_MAX (INT16_MAX)
#endif
#ifndef AWS_EVENT_STREAM_MESSAGE_MAX_HEADERS
#    define AWS_EVENT_STREAM_MESSAGE_MAX_HEADERS 1024
#endif

/* Prelude: total length, headers length, prelude CRC (3 x 4 bytes).
 * Trailer: message CRC (4 bytes). */
#ifndef AWS_EVENT_STREAM_PRELUDE_LENGTH
#    define AWS_EVENT_STREAM_PRELUDE_LENGTH (uint32_t)(12)
#endif
#ifndef AWS_EVENT_STREAM_TRAILER_LENGTH
#    define AWS_EVENT_STREAM_TRAILER_LENGTH (uint32_t)(4)
#endif

#endif /* AWS_EVENT_STREAM_H_ */
