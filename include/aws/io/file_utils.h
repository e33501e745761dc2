#ifndef AWS_IO_FILE_UTILS_H
#define AWS_IO_FILE_UTILS_H
/* Upstream's deprecated alias: the file helpers live in aws/common/file.h. */
#include <aws/common/file.h>

#endif /* AWS_IO_FILE_UTILS_H */
