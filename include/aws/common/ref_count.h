#ifndef AWS_COMMON_REF_COUNT_H
#define AWS_COMMON_REF_COUNT_H
/* struct aws_ref_count (an aws_atomic_var counter plus an on-zero callback)
 * and its functions come from the generated header. */
#include <aws/common/atomics.h>
#include <aws/common/common.h>
#include <aws/common/shutdown_types.h>

#endif /* AWS_COMMON_REF_COUNT_H */
