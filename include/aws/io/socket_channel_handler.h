#ifndef AWS_IO_SOCKET_CHANNEL_HANDLER_H
#define AWS_IO_SOCKET_CHANNEL_HANDLER_H
/* The socket channel handler; declarations in the generated header. */
#include <aws/io/io.h>

#endif /* AWS_IO_SOCKET_CHANNEL_HANDLER_H */
