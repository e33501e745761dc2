#ifndef AWS_EVENT_STREAM_RPC_H
#define AWS_EVENT_STREAM_RPC_H
/* RPC message types, flags and arguments; declarations in the generated header. */
#include <aws/event-stream/event_stream.h>

#endif /* AWS_EVENT_STREAM_RPC_H */
