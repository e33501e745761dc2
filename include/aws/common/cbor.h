#ifndef AWS_COMMON_CBOR_H
#define AWS_COMMON_CBOR_H
/* aws-c-event-stream-rs: enum aws_cbor_type, the opaque encoder/decoder and the
 * aws_cbor_* functions are declared in the generated header. Decoded byte and
 * text cursors point into the caller's source buffer. Malformed input raises
 * AWS_ERROR_INVALID_CBOR; a wrong pop AWS_ERROR_CBOR_UNEXPECTED_TYPE; containers
 * over 10000 entries or nesting over 128 AWS_ERROR_CBOR_RESOURCE_LIMIT_EXCEEDED. */
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>

/* Tag numbers of RFC 8949 section 3.4 and the item each is followed by. */
#define AWS_CBOR_TAG_STANDARD_TIME 0 /* text */
#define AWS_CBOR_TAG_EPOCH_TIME 1 /* uint, negint or float */
#define AWS_CBOR_TAG_UNSIGNED_BIGNUM 2 /* bytes */
#define AWS_CBOR_TAG_NEGATIVE_BIGNUM 3 /* bytes */
#define AWS_CBOR_TAG_DECIMAL_FRACTION 4 /* array */

#endif /* AWS_COMMON_CBOR_H */
