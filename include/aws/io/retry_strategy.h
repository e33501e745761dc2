#ifndef AWS_IO_CLIENT_RETRY_STRATEGY_H
#define AWS_IO_CLIENT_RETRY_STRATEGY_H
/* Retry strategies and tokens (exponential backoff, standard, no-retry);
 * types and declarations in the generated header. */
#include <aws/common/atomics.h>
#include <aws/common/byte_buf.h>
#include <aws/io/exports.h>
#include <aws/io/io.h>

#endif /* AWS_IO_CLIENT_RETRY_STRATEGY_H */
