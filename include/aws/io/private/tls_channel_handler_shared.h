#ifndef AWS_IO_TLS_CHANNEL_HANDLER_SHARED_H
#define AWS_IO_TLS_CHANNEL_HANDLER_SHARED_H
/* What TLS back ends share: struct aws_tls_channel_handler_shared (handshake
 * timeout and statistics), enum aws_tls_handler_read_state, and
 * aws_tls_channel_handler_shared_init/_clean_up, aws_on_drive_tls_negotiation,
 * aws_on_tls_negotiation_completed, aws_tls_options_buf_is_set and
 * aws_is_using_secitem, from the generated header. Private upstream (not
 * installed there); installed here so a C TLS handler can use them. */
#include <aws/io/channel.h>
#include <aws/io/statistics.h>

#endif /* AWS_IO_TLS_CHANNEL_HANDLER_SHARED_H */
