#ifndef AWS_COMMON_FILE_H
#define AWS_COMMON_FILE_H
/* aws-c-event-stream-rs: struct aws_directory_entry, enum aws_file_type, the
 * aws_on_directory_entry callback and every file/directory function are
 * declared in the generated header.
 *
 * Errors follow upstream: errno values map through
 * aws_translate_and_raise_io_error (ENOENT/ENOTDIR/EISDIR -> AWS_ERROR_FILE_INVALID_PATH,
 * EACCES/EPERM -> AWS_ERROR_NO_PERMISSION, ...). aws_directory_traverse reports
 * a directory's children before the directory itself when recursive; returning
 * false from the callback stops it with AWS_ERROR_OPERATION_INTERUPTED. */
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>
#include <aws/common/platform.h>

#include <stdio.h>

#define AWS_PATH_DELIM '/'
#define AWS_PATH_DELIM_STR "/"

#endif /* AWS_COMMON_FILE_H */
