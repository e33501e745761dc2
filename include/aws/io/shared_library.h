#ifndef AWS_COMMON_SHARED_LIBRARY_H
#define AWS_COMMON_SHARED_LIBRARY_H
/* Shared libraries (struct aws_shared_library and its functions, from the
 * generated header). aws_generic_function is upstream's pointer typedef. */
#include <aws/io/io.h>

typedef void (*aws_generic_function)(void);

#endif /* AWS_COMMON_SHARED_LIBRARY_H */
