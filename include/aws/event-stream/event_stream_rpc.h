#ifndef AWS_EVENT_STREAM_RPC_H
#define AWS_EVENT_STREAM_RPC_H
/* RPC message types, flags and arguments, and the reserved header names
 * (extern const struct aws_byte_cursor aws_event_stream_rpc_message_type_name,
 * _message_flags_name, _stream_id_name, _operation_name): declarations in the
 * generated header. */
#include <aws/event-stream/event_stream.h>

#endif /* AWS_EVENT_STREAM_RPC_H */
