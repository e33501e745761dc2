#ifndef AWS_COMMON_PREDICATES_H
#define AWS_COMMON_PREDICATES_H
/* AWS_BYTES_EQ is only evaluated when deep checks are enabled; otherwise it
 * is the constant 1 so that postconditions using it cost nothing. */
#include <string.h>

#if defined(AWS_DEEP_CHECKS) && (AWS_DEEP_CHECKS == 1)
#    define AWS_BYTES_EQ(arr1, arr2, len) (memcmp((arr1), (arr2), (len)) == 0)
#else
#    define AWS_BYTES_EQ(arr1, arr2, len) (1)
#endif

#endif /* AWS_COMMON_PREDICATES_H */
