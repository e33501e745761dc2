#ifndef AWS_IO_TLS_CHANNEL_HANDLER_PRIVATE_H
#define AWS_IO_TLS_CHANNEL_HANDLER_PRIVATE_H
/* Upstream's private TLS header, which its tls_handler_test.c includes.
 * Upstream keeps a table of back-end functions here (s2n, SChannel, Secure
 * Transport) that nothing outside its library uses; this library has one
 * back end (rustls), so the header only brings in the TLS API. */
#include <aws/io/io.h>
#include <aws/io/tls_channel_handler.h>

#endif /* AWS_IO_TLS_CHANNEL_HANDLER_PRIVATE_H */
