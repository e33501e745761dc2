/* aws_add_size_checked_varargs: a C variadic function, which stable Rust cannot
 * define. Exported through math_varargs.map. */
#include <aws/common/math.h>

#include <stdarg.h>

int aws_add_size_checked_varargs(size_t num, size_t *r, ...) {
    va_list args;
    va_start(args, r);
    size_t sum = 0;
    int result = AWS_OP_SUCCESS;
    for (size_t i = 0; i < num && result == AWS_OP_SUCCESS; ++i) {
        result = aws_add_size_checked(sum, va_arg(args, size_t), &sum);
    }
    va_end(args);
    if (result == AWS_OP_SUCCESS) {
        *r = sum;
    }
    return result;
}
