#ifndef AWS_COMMON_ERROR_H
#define AWS_COMMON_ERROR_H
#include <aws/common/common.h>

/* Sets the thread's last error (and calls the error handlers); returns AWS_OP_ERR. */
static inline int aws_raise_error(int err) {
    aws_raise_error_private(err);
    return AWS_OP_ERR;
}

#endif /* AWS_COMMON_ERROR_H */
