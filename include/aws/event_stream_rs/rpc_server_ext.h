#ifndef AWS_EVENT_STREAM_RS_RPC_SERVER_EXT_H
#define AWS_EVENT_STREAM_RS_RPC_SERVER_EXT_H
/* Extension of aws-c-event-stream-rs (not in upstream): protections for RPC
 * servers that face untrusted peers. Opt-in: a listener made with
 * aws_event_stream_rpc_server_new_listener and never passed to these
 * functions behaves exactly as upstream's. Declarations (and the field
 * documentation) are in the generated header.
 *
 * struct aws_es_rs_rpc_server_protection_options: every field 0 / false
 *   means "no limit", as upstream:
 *   - connect_timeout_ms: from accept until the server has sent its
 *     CONNECT_ACK. Past it the connection is shut down with
 *     AWS_IO_SOCKET_TIMEOUT (on_connection_shutdown reports that code).
 *   - idle_timeout_ms: no message received or written either way. Shut down
 *     with AWS_IO_SOCKET_TIMEOUT.
 *   - max_connections: a connection accepted while this many are live is
 *     shut down at once; on_new_connection is not called for it.
 *   - max_streams_per_connection: the first message of a stream beyond it is
 *     answered on that stream with an APPLICATION_ERROR carrying
 *     TERMINATE_STREAM, ":content-type: application/json" and the payload
 *     { "message": "Too many open streams on this connection. ..." };
 *     on_incoming_stream is not called; the connection stays up.
 *   - max_message_size: a message whose prelude declares more bytes shuts the
 *     connection down with AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED
 *     (as one above the 24 MiB wire limit does).
 *   - max_queued_write_bytes: bytes a connection has been asked to send and
 *     has not yet handed to the kernel (sends queued in the channel and in
 *     the socket's write queue). A send that would go past it fails with
 *     AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT ("the channel will not take
 *     more": the peer is not reading), its flush callback is not called, and
 *     the connection shuts down with that code; later sends fail with
 *     AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED.
 *   - auto_ping: each PING (after the handshake) is answered with a
 *     PING_RESPONSE carrying the PING's own headers and payload, written on
 *     the connection's loop thread; on_connection_protocol_message does not
 *     see the PING.
 *   Timers run as tasks on the connection's event loop and are cancelled
 *   when its channel shuts down.
 *
 * aws_es_rs_rpc_server_new_listener_ext(allocator, options, protection):
 *   aws_event_stream_rpc_server_new_listener with `protection` (may be NULL)
 *   in force before the first connection. Same references, threads and
 *   callbacks as upstream's function.
 *
 * aws_es_rs_rpc_server_listener_set_protection(listener, protection): any
 *   thread. Applies to connections accepted afterwards (those already up keep
 *   what they started with). NULL removes every protection.
 *
 * aws_es_rs_rpc_server_listener_get_counters(listener, &counters): any
 *   thread, any time while the caller holds a reference: a snapshot of
 *   struct aws_es_rs_rpc_server_counters (each field exact on its own; read
 *   them when the server is quiet for a consistent set).
 *
 * aws_es_rs_rpc_server_listener_drain(listener, timeout_ms, on_drained,
 *   user_data): any thread, once (a second call fails with
 *   AWS_ERROR_INVALID_STATE). The listening socket closes at once and any
 *   connection accepted meanwhile is refused. Each live connection, on its
 *   loop thread: closes with AWS_ERROR_SUCCESS if it has no open stream,
 *   otherwise refuses new streams (APPLICATION_ERROR + TERMINATE_STREAM,
 *   { "message": "The server is shutting down ..." }), closes with
 *   AWS_ERROR_SUCCESS when its last stream ends, or with
 *   AWS_ERROR_EVENT_STREAM_RPC_CONNECTION_CLOSED when timeout_ms pass first.
 *   on_drained(listener, user_data) (may be NULL) runs once, when the last
 *   connection has shut down: on that connection's loop thread after its
 *   on_connection_shutdown, or on the calling thread before drain returns
 *   if no connection was live. The caller still releases the listener;
 *   on_destroy_callback follows its last release as usual. */
#include <aws/event-stream/event_stream_rpc_server.h>

#endif /* AWS_EVENT_STREAM_RS_RPC_SERVER_EXT_H */
