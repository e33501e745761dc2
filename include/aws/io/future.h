#ifndef AWS_IO_FUTURE_H
#define AWS_IO_FUTURE_H
/* aws_future_void and its functions come from the generated header.
 * Upstream's AWS_FUTURE_T_* macros, which define further future types, are
 * not provided: they need aws_future_impl_* functions this library does not
 * export. */
#include <aws/io/io.h>

#endif /* AWS_IO_FUTURE_H */
