#ifndef AWS_COMMON_STDBOOL_H
#define AWS_COMMON_STDBOOL_H
/* Every supported compiler has <stdbool.h>; upstream's NO_STDBOOL fallback
 * for pre-C99 toolchains is not needed. */
#include <stdbool.h>
#endif /* AWS_COMMON_STDBOOL_H */
