#ifndef AWS_EVENT_STREAM_RS_RPC_CLIENT_EXT_H
#define AWS_EVENT_STREAM_RS_RPC_CLIENT_EXT_H
/* Extension of aws-c-event-stream-rs (not in upstream): protection for RPC
 * clients. A connection made with aws_event_stream_rpc_client_connection_connect
 * behaves exactly as upstream's. Declarations in the generated header.
 *
 * struct aws_es_rs_rpc_client_protection_options:
 *   - connect_ack_timeout_ms (0: none): from the channel's setup until the
 *     server's CONNECT_ACK arrives. The socket connect before it is bounded
 *     by socket_options->connect_timeout_ms, as upstream.
 *
 * aws_es_rs_rpc_client_connection_connect_ext(allocator, conn_options,
 *   protection): aws_event_stream_rpc_client_connection_connect with
 *   `protection` (may be NULL). Same callbacks, threads and references as
 *   upstream's function. When the timeout passes without a CONNECT_ACK the
 *   connection closes, from a task on its event-loop thread, with
 *   AWS_IO_SOCKET_TIMEOUT: sends then fail with
 *   AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED, open streams close, and
 *   on_connection_shutdown reports AWS_IO_SOCKET_TIMEOUT on that thread. The
 *   timer is cancelled when the channel shuts down. */
#include <aws/event-stream/event_stream_rpc_client.h>

#endif /* AWS_EVENT_STREAM_RS_RPC_CLIENT_EXT_H */
