#ifndef AWS_COMMON_BYTE_BUF_H
#define AWS_COMMON_BYTE_BUF_H
/* aws-c-event-stream-rs: struct aws_byte_buf / aws_byte_cursor and every
 * aws_byte_buf_* / aws_byte_cursor_* function are declared in the generated
 * header (via common.h); this file adds upstream's macros.
 *
 * aws_byte_buf: {len, buffer, capacity, allocator}. A NULL allocator means the
 * memory is borrowed: it is never freed and never grown (growing functions
 * fail with AWS_ERROR_INVALID_ARGUMENT). aws_byte_cursor: {len, ptr}, a view. */
#include <aws/common/common.h>

#include <string.h>

/* Upstream's byte_buf.h brings these in; include them when they exist. */
#if defined(__has_include)
#    if __has_include(<aws/common/array_list.h>)
#        include <aws/common/array_list.h>
#    endif
#    if __has_include(<aws/common/byte_order.h>)
#        include <aws/common/byte_order.h>
#    endif
#endif

/* printf helpers, to pair with "%.*s" (PRInSTR):
 *   printf("%.*s\n", AWS_BYTE_CURSOR_PRI(cursor));
 * A length that does not fit in an int prints as empty. */
#define AWS_BYTE_CURSOR_PRI(C) ((int)(C).len < 0 ? 0 : (int)(C).len), (const char *)(C).ptr
#define AWS_BYTE_BUF_PRI(B) ((int)(B).len < 0 ? 0 : (int)(B).len), (const char *)(B).buffer

/* Static initialiser for a cursor over a string literal (without its NUL):
 *   struct aws_byte_cursor c = AWS_BYTE_CUR_INIT_FROM_STRING_LITERAL("abc"); */
#define AWS_BYTE_CUR_INIT_FROM_STRING_LITERAL(literal)                                                                 \
    { .len = sizeof(literal) - 1, .ptr = (uint8_t *)(const char *)(literal) }

AWS_EXTERN_C_BEGIN
/* The variadic ones (src/common/varargs.c). aws_byte_buf_cat appends `number_of_args`
 * struct aws_byte_buf * to dest; aws_byte_buf_init_cache_and_update_cursors copies a
 * NULL-terminated list of struct aws_byte_cursor * into one new buffer and points each
 * cursor at its copy. */
int aws_byte_buf_cat(struct aws_byte_buf *dest, size_t number_of_args, ...);
int aws_byte_buf_init_cache_and_update_cursors(struct aws_byte_buf *dest, struct aws_allocator *allocator, ...);
AWS_EXTERN_C_END

#endif /* AWS_COMMON_BYTE_BUF_H */
