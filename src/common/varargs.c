/* aws-c-common's C variadic functions, which stable Rust cannot define. Each
 * only walks its arguments and calls exported Rust functions for the work.
 * Exported through varargs.map. */
#include <aws/common/allocator.h>
#include <aws/common/byte_buf.h>
#include <aws/common/math.h>

#include <stdarg.h>
#include <stdint.h>

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

/* Appends each of the `number_of_args` struct aws_byte_buf * arguments to dest, stopping at the first failure. */
int aws_byte_buf_cat(struct aws_byte_buf *dest, size_t number_of_args, ...) {
    va_list args;
    va_start(args, number_of_args);
    int result = AWS_OP_SUCCESS;
    for (size_t i = 0; i < number_of_args && result == AWS_OP_SUCCESS; ++i) {
        struct aws_byte_buf *piece = va_arg(args, struct aws_byte_buf *);
        struct aws_byte_cursor cursor = aws_byte_cursor_from_buf(piece);
        result = aws_byte_buf_append(dest, &cursor);
    }
    va_end(args);
    return result;
}

/* One allocation holding the NULL-terminated list of struct aws_byte_cursor * arguments, each
 * cursor moved to point at its copy. */
int aws_byte_buf_init_cache_and_update_cursors(struct aws_byte_buf *dest, struct aws_allocator *allocator, ...) {
    memset(dest, 0, sizeof(*dest));
    va_list args;
    va_start(args, allocator);
    size_t total = 0;
    struct aws_byte_cursor *cursor;
    while ((cursor = va_arg(args, struct aws_byte_cursor *)) != NULL) {
        if (aws_add_size_checked(total, cursor->len, &total)) {
            va_end(args);
            return AWS_OP_ERR;
        }
    }
    va_end(args);
    if (aws_byte_buf_init(dest, allocator, total)) {
        return AWS_OP_ERR;
    }
    va_start(args, allocator);
    while ((cursor = va_arg(args, struct aws_byte_cursor *)) != NULL) {
        aws_byte_buf_append_and_update(dest, cursor);
    }
    va_end(args);
    return AWS_OP_SUCCESS;
}

/* `count` (void **out, size_t size) pairs carved from one allocation, each piece rounded up to
 * intmax_t alignment; returns the allocation (NULL when every size is 0). */
void *aws_mem_acquire_many(struct aws_allocator *allocator, size_t count, ...) {
    const size_t align = sizeof(intmax_t);
    va_list args;
    va_start(args, count);
    size_t total = 0;
    for (size_t i = 0; i < count; ++i) {
        (void)va_arg(args, void **);
        total += (va_arg(args, size_t) + align - 1) / align * align;
    }
    va_end(args);
    if (total == 0) {
        return NULL;
    }
    uint8_t *allocation = aws_mem_acquire(allocator, total);
    if (allocation == NULL) {
        fprintf(stderr, "aws_mem_acquire_many: out of memory\n");
        abort();
    }
    uint8_t *next = allocation;
    va_start(args, count);
    for (size_t i = 0; i < count; ++i) {
        void **out = va_arg(args, void **);
        *out = next;
        next += (va_arg(args, size_t) + align - 1) / align * align;
    }
    va_end(args);
    return allocation;
}
