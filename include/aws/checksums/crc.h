#ifndef AWS_CHECKSUMS_CRC_H
#define AWS_CHECKSUMS_CRC_H
/* CRC functions (aws_checksums_crc32, ...) come from the generated header.
 * Upstream's crc.h needs only macros and fixed-width integers, not all of
 * aws/common/common.h; we include the same. */
#include <aws/checksums/exports.h>
#include <aws/common/macros.h>
#include <aws/common/stdint.h>
#include <aws/event_stream_rs/generated.h>

#endif /* AWS_CHECKSUMS_CRC_H */
