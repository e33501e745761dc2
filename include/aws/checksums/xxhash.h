#ifndef AWS_CHECKSUMS_XXHASH_H
#define AWS_CHECKSUMS_XXHASH_H
/* xxHash (XXH64, XXH3-64, XXH3-128): struct aws_xxhash, enum aws_xxhash_type
 * and the aws_xxhash_* functions come from the generated header. Digests are
 * appended to the output buffer in big-endian order (XXH3-128: high half
 * first); a buffer without room fails with AWS_ERROR_INVALID_BUFFER_SIZE and
 * is left as it was. */
#include <aws/checksums/exports.h>
#include <aws/common/byte_buf.h>
#include <aws/event_stream_rs/generated.h>

#endif /* AWS_CHECKSUMS_XXHASH_H */
