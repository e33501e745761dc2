#ifndef AWS_IO_STATISTICS_H
#define AWS_IO_STATISTICS_H
/* Socket and TLS statistics; declarations in the generated header. */
#include <aws/io/io.h>
#include <aws/common/statistics.h>
#include <aws/io/tls_channel_handler.h>

#endif /* AWS_IO_STATISTICS_H */
