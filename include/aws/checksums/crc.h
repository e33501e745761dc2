#ifndef AWS_CHECKSUMS_CRC_H
#define AWS_CHECKSUMS_CRC_H
/* aws_checksums_crc32/_crc32c (and the size_t _ex forms): declared in the generated header. */
#include <aws/common/common.h>

#endif /* AWS_CHECKSUMS_CRC_H */
