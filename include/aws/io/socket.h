#ifndef AWS_IO_SOCKET_H
#define AWS_IO_SOCKET_H
/* Sockets; declarations in the generated header. */
#include <aws/io/channel.h>
#include <aws/io/io.h>

#ifndef AWS_NETWORK_INTERFACE_NAME_MAX
#    define AWS_NETWORK_INTERFACE_NAME_MAX 16
#endif

/* Upstream's socket.h brings struct sockaddr_un in on POSIX. */
#ifndef _WIN32
#    include <sys/un.h>
#endif

/* Room for an address: a Unix socket path at most (108 on Linux). */
#ifndef AWS_ADDRESS_MAX_LEN
#    ifdef _WIN32
#        define AWS_ADDRESS_MAX_LEN 256
#    else
#        include <sys/un.h>
#        define AWS_ADDRESS_MAX_LEN sizeof(((struct sockaddr_un *)0)->sun_path)
#    endif
#endif

#endif /* AWS_IO_SOCKET_H */
