#ifndef AWS_COMMON_ZERO_H
#define AWS_COMMON_ZERO_H
/* Zeroing helpers. aws_secure_zero (exported) is declared in the generated
 * header. */
#include <aws/common/exports.h>
#include <aws/common/macros.h>
#include <aws/common/stdbool.h>
#include <aws/common/stdint.h>
#include <aws/event_stream_rs/generated.h>
#include <string.h>

/* Zero a struct (or any object) in place; `object` is an lvalue, not a pointer. */
#define AWS_ZERO_STRUCT(object)                                                                                        \
    do {                                                                                                               \
        memset(&(object), 0, sizeof(object));                                                                          \
    } while (0)

/* Zero a true array (sizeof must give the whole array). */
#define AWS_ZERO_ARRAY(array) memset((void *)(array), 0, sizeof(array))

/* True when every byte of `object` is zero. */
#define AWS_IS_ZEROED(object) aws_is_mem_zeroed(&(object), sizeof(object))

AWS_EXTERN_C_BEGIN

/* True when all `bufsize` bytes at `buf` are zero (true for bufsize 0). */
AWS_STATIC_IMPL bool aws_is_mem_zeroed(const void *buf, size_t bufsize) {
    const uint8_t *bytes = (const uint8_t *)buf;
    size_t i = 0;
    /* Word-at-a-time while at least 8 bytes remain; memcpy keeps the loads
     * free of alignment and aliasing assumptions. */
    for (; i + sizeof(uint64_t) <= bufsize; i += sizeof(uint64_t)) {
        uint64_t word;
        memcpy(&word, bytes + i, sizeof(word));
        if (word != 0) {
            return false;
        }
    }
    for (; i < bufsize; ++i) {
        if (bytes[i] != 0) {
            return false;
        }
    }
    return true;
}

AWS_EXTERN_C_END

#endif /* AWS_COMMON_ZERO_H */
