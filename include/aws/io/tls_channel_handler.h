#ifndef AWS_IO_TLS_CHANNEL_HANDLER_H
#define AWS_IO_TLS_CHANNEL_HANDLER_H
/* TLS contexts, options and the TLS channel handler; declarations in the
 * generated header. */
#include <aws/common/byte_buf.h>
#include <aws/common/ref_count.h>
#include <aws/io/io.h>

/* aws_io_message.message_tag of the message that carries the negotiated ALPN
 * protocol to the next handler. */
#ifndef AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE
#    define AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE 0x01
#endif

#endif /* AWS_IO_TLS_CHANNEL_HANDLER_H */
