#ifndef AWS_IO_CLIENT_RETRY_STRATEGY_H
#define AWS_IO_CLIENT_RETRY_STRATEGY_H
/* Upstream's retry strategies are not part of this library; the header
 * exists so that upstream's include graph resolves. */
#include <aws/common/atomics.h>
#include <aws/common/byte_buf.h>
#include <aws/io/exports.h>

#endif /* AWS_IO_CLIENT_RETRY_STRATEGY_H */
