#ifndef AWS_COMMON_STRING_H
#define AWS_COMMON_STRING_H
/* aws-c-event-stream-rs: struct aws_string {allocator, len, bytes[]} and the
 * aws_string_* functions are declared in the generated header; this file adds
 * upstream's macros and inline helpers.
 *
 * A string is one allocation from its allocator, immutable, and its bytes are
 * always followed by a NUL. A string whose allocator is NULL is static (see the
 * macros below): aws_string_destroy leaves it alone. */
#include <aws/common/byte_buf.h>
#include <aws/common/common.h>

/* The static strings below are a struct with the same leading members as
 * struct aws_string, but with a bytes array sized for the literal, so the
 * whole thing (NUL included) can live in read-only memory. */
#define AWS_ES_RS_STRING_STORAGE_(literal)                                                                             \
    struct {                                                                                                           \
        struct aws_allocator *const allocator;                                                                         \
        const size_t len;                                                                                              \
        const uint8_t bytes[sizeof(literal)];                                                                          \
    }

/* Declares `static const struct aws_string *name` holding `literal`. */
#define AWS_STATIC_STRING_FROM_LITERAL(name, literal)                                                                  \
    static const AWS_ES_RS_STRING_STORAGE_(literal) name##_s = {NULL, sizeof(literal) - 1, literal};                   \
    static const struct aws_string *name = (const struct aws_string *)(const void *)(&name##_s)

/* Like AWS_STATIC_STRING_FROM_LITERAL, but the pointer `name` has external linkage. */
#define AWS_STRING_FROM_LITERAL(name, literal)                                                                         \
    static const AWS_ES_RS_STRING_STORAGE_(literal) name##_s = {NULL, sizeof(literal) - 1, literal};                   \
    const struct aws_string *(name) = (const struct aws_string *)(const void *)(&name##_s)

/* The string's bytes (NUL-terminated). */
AWS_STATIC_IMPL const uint8_t *aws_string_bytes(const struct aws_string *str) {
    return str->bytes;
}

/* The string's bytes as a C string. */
AWS_STATIC_IMPL const char *aws_string_c_str(const struct aws_string *str) {
    return (const char *)str->bytes;
}

/* Cheap shape check: non-NULL and NUL at bytes[len]. */
AWS_STATIC_IMPL bool aws_string_is_valid(const struct aws_string *str) {
    return str != NULL && str->bytes[str->len] == 0;
}

/* A C string is at least its terminator, so only NULL is known to be invalid. */
AWS_STATIC_IMPL bool aws_c_string_is_valid(const char *str) {
    return str != NULL;
}

/* Locale-independent isspace: space, \t, \n, \v, \f, \r. */
AWS_STATIC_IMPL bool aws_char_is_space(uint8_t c) {
    return aws_isspace(c);
}

#endif /* AWS_COMMON_STRING_H */
