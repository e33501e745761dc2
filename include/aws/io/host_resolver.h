#ifndef AWS_IO_HOST_RESOLVER_H
#define AWS_IO_HOST_RESOLVER_H
/* Host resolution; declarations in the generated header. */
#include <aws/common/ref_count.h>
#include <aws/io/io.h>

#endif /* AWS_IO_HOST_RESOLVER_H */
