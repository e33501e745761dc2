#ifndef AWS_IO_TLS_CHANNEL_HANDLER_H
#define AWS_IO_TLS_CHANNEL_HANDLER_H
/* TLS (rustls): context options, contexts, connection options, the custom
 * private-key API and the TLS channel handler. Declarations are in the
 * generated header. Options that need another platform (PKCS#11, PKCS#12,
 * Windows certificate stores, Apple keychains) raise the error upstream's
 * Linux build raises. */
#include <aws/common/byte_buf.h>
#include <aws/common/ref_count.h>
#include <aws/io/io.h>

/* aws_io_message.message_tag of the message that carries the negotiated ALPN
 * protocol to the next handler. */
#ifndef AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE
#    define AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE 0x01
#endif

struct aws_pkcs11_session;

/* Called by the ALPN handler with the negotiated protocol; returns the
 * handler for the new slot. */
typedef struct aws_channel_handler *(
    *aws_tls_on_protocol_negotiated)(struct aws_channel_slot *new_slot, struct aws_byte_buf *protocol, void *user_data);

#endif /* AWS_IO_TLS_CHANNEL_HANDLER_H */
