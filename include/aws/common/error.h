#ifndef AWS_COMMON_ERROR_H
#define AWS_COMMON_ERROR_H
/* Error reporting: the per-thread last error, error-code ranges per library
 * and the aws_raise_error() helper. The error codes themselves and the
 * exported functions are in the generated header. */
#include <aws/common/assert.h>
#include <aws/common/exports.h>
#include <aws/common/macros.h>
#include <aws/common/package.h>
#include <aws/common/stdint.h>
#include <aws/event_stream_rs/generated.h>

/* Library `x` owns the codes [x * STRIDE, (x + 1) * STRIDE - 1]. */
#define AWS_ERROR_ENUM_BEGIN_RANGE(x) ((x)*AWS_ERROR_ENUM_STRIDE)
#define AWS_ERROR_ENUM_END_RANGE(x) (((x) + 1) * AWS_ERROR_ENUM_STRIDE - 1)

/* One aws_error_info table entry for code C with description ES in library
 * LN; formatted_name reads "LN: C, ES". */
#define AWS_DEFINE_ERROR_INFO(C, ES, LN)                                                                               \
    {                                                                                                                  \
        .error_code = (C),                                                                                             \
        .literal_name = #C,                                                                                            \
        .error_str = (ES),                                                                                             \
        .lib_name = (LN),                                                                                              \
        .formatted_name = LN ": " #C ", " ES,                                                                          \
    }

AWS_EXTERN_C_BEGIN

/* Sets the calling thread's last error to `err` (notifying any installed
 * error handler) and returns AWS_OP_ERR, so callers can write
 * `return aws_raise_error(AWS_ERROR_...);`. */
AWS_STATIC_IMPL int aws_raise_error(int err) {
    aws_raise_error_private(err);
    return AWS_OP_ERR;
}

AWS_EXTERN_C_END

#endif /* AWS_COMMON_ERROR_H */
