#ifndef AWS_IO_FILE_UTILS_H
#define AWS_IO_FILE_UTILS_H
/* Deprecated upstream: the file helpers moved to aws-c-common. */
#include <aws/common/file.h>

#endif /* AWS_IO_FILE_UTILS_H */
