#ifndef AWS_EVENT_STREAM_RPC_SERVER_H
#define AWS_EVENT_STREAM_RPC_SERVER_H
/* RPC server listeners, connections and continuations; declarations in the
 * generated header. */
#include <aws/event-stream/event_stream_rpc.h>

#endif /* AWS_EVENT_STREAM_RPC_SERVER_H */
