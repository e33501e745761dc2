#ifndef AWS_IO_CHANNEL_BOOTSTRAP_H
#define AWS_IO_CHANNEL_BOOTSTRAP_H
/* Client and server bootstraps; declarations in the generated header. */
#include <aws/common/ref_count.h>
#include <aws/io/channel.h>
#include <aws/io/host_resolver.h>

#endif /* AWS_IO_CHANNEL_BOOTSTRAP_H */
