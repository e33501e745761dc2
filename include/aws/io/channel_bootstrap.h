#ifndef AWS_IO_CHANNEL_BOOTSTRAP_H
#define AWS_IO_CHANNEL_BOOTSTRAP_H
/* Client and server bootstraps; declarations in the generated header.
 *
 * Client (aws_client_bootstrap_new_socket_channel), per connection:
 * - IPv4/IPv6: the host name is resolved with the bootstrap's resolver (a
 *   literal address skips it) and one connection attempt per returned address
 *   (at most one AAAA and one A) runs on the connection's loop
 *   (requested_event_loop, or the group's next loop); the first to connect
 *   wins. AWS_SOCKET_LOCAL connects to the path in host_name at once.
 * - creation_callback (optional): once the socket connected and the channel
 *   exists; never after a failed connect. Channel's loop thread.
 * - setup_callback: exactly once. Success: the channel is ready, a socket
 *   handler in its first slot. Failure: channel is NULL and error_code is the
 *   cause (AWS_IO_SOCKET_CONNECTION_REFUSED, AWS_IO_SOCKET_TIMEOUT after
 *   socket_options->connect_timeout_ms, AWS_IO_DNS_INVALID_NAME, ...); no
 *   shutdown_callback follows. Always on the connection's loop thread (also
 *   for resolution failures, which upstream reports on the resolver thread).
 * - shutdown_callback: once after a successful setup, on the channel's loop
 *   thread; the channel is destroyed right after it returns.
 * - tls_options (optional): a TLS handler goes right of the socket handler
 *   (and an ALPN handler right of it when the bootstrap has
 *   on_protocol_negotiated); setup_callback fires only after the handshake.
 *   A failed handshake gives setup_callback the TLS error (e.g.
 *   AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE, AWS_IO_TLS_NEGOTIATION_TIMEOUT) and
 *   a NULL channel.
 * - on_shutdown_complete (bootstrap options): once, on the thread that drops
 *   the last reference (connections hold one until they are finished).
 *
 * Server (aws_server_bootstrap_new_socket_listener):
 * - the listener accepts on one loop of the group; each accepted socket gets a
 *   channel on the group's next loop.
 * - setup_callback (optional): once the listener accepts, on its loop thread.
 * - incoming_callback: once per accepted connection, on that channel's loop
 *   thread (success, with the socket handler installed), or with an error and
 *   a NULL channel (on the listener's thread if no channel could be made).
 * - shutdown_callback: once per successful incoming channel, on its loop thread.
 * - destroy_callback: once, after aws_server_bootstrap_destroy_socket_listener
 *   closed the listener AND every accepted channel has shut down, on the loop
 *   thread that finished last. Connections already accepted stay up after the
 *   listener is destroyed.
 * - tls_options (optional): as for the client; incoming_callback fires only
 *   after the handshake, and a failed one gives it the TLS error and a NULL
 *   channel (no shutdown_callback follows). */
#include <aws/common/ref_count.h>
#include <aws/io/channel.h>
#include <aws/io/host_resolver.h>
#include <aws/io/socket.h>

#endif /* AWS_IO_CHANNEL_BOOTSTRAP_H */
