#ifndef AWS_IO_PEM_UTILS_H
#define AWS_IO_PEM_UTILS_H
/* aws_sanitize_pem; declared in the generated header. */
#include <aws/io/io.h>

#endif /* AWS_IO_PEM_UTILS_H */
