#ifndef AWS_EVENT_STREAM_CHANNEL_HANDLER_H
#define AWS_EVENT_STREAM_CHANNEL_HANDLER_H
/* The event-stream channel handler; declarations in the generated header. */
#include <aws/event-stream/event_stream.h>

#endif /* AWS_EVENT_STREAM_CHANNEL_HANDLER_H */
