#ifndef AWS_CHECKSUMS_CHECKSUMS_H
#define AWS_CHECKSUMS_CHECKSUMS_H
/* Library init/clean-up declarations come from the generated header. */
#include <aws/checksums/exports.h>
#include <aws/common/common.h>

#endif /* AWS_CHECKSUMS_CHECKSUMS_H */
