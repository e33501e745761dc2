#ifndef AWS_COMMON_BYTE_ORDER_H
#define AWS_COMMON_BYTE_ORDER_H
/* Host <-> network (big-endian) and little-endian -> host conversions.
 * hton and ntoh are the same swap; on a big-endian host every conversion
 * except letoh is the identity. */
#include <aws/common/common.h>

#ifndef _WIN32
/* Upstream pulls this in; programs may rely on it for htonl & co. */
#    include <netinet/in.h>
#endif

AWS_EXTERN_C_BEGIN

/* 1 on a big-endian host, 0 on a little-endian one. */
AWS_STATIC_IMPL int aws_is_big_endian(void) {
    const uint16_t probe = 1;
    uint8_t first_byte;
    memcpy(&first_byte, &probe, 1);
    return first_byte == 0;
}

AWS_STATIC_IMPL uint16_t aws_priv_bswap16(uint16_t x) {
    return (uint16_t)((x >> 8) | (x << 8));
}

AWS_STATIC_IMPL uint32_t aws_priv_bswap32(uint32_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_bswap32(x);
#else
    return (x >> 24) | ((x >> 8) & 0x0000FF00u) | ((x << 8) & 0x00FF0000u) | (x << 24);
#endif
}

AWS_STATIC_IMPL uint64_t aws_priv_bswap64(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_bswap64(x);
#else
    return ((uint64_t)aws_priv_bswap32((uint32_t)x) << 32) | aws_priv_bswap32((uint32_t)(x >> 32));
#endif
}

AWS_STATIC_IMPL uint16_t aws_hton16(uint16_t x) {
    return aws_is_big_endian() ? x : aws_priv_bswap16(x);
}
AWS_STATIC_IMPL uint16_t aws_ntoh16(uint16_t x) {
    return aws_hton16(x);
}
AWS_STATIC_IMPL uint32_t aws_hton32(uint32_t x) {
    return aws_is_big_endian() ? x : aws_priv_bswap32(x);
}
AWS_STATIC_IMPL uint32_t aws_ntoh32(uint32_t x) {
    return aws_hton32(x);
}
AWS_STATIC_IMPL uint64_t aws_hton64(uint64_t x) {
    return aws_is_big_endian() ? x : aws_priv_bswap64(x);
}
AWS_STATIC_IMPL uint64_t aws_ntoh64(uint64_t x) {
    return aws_hton64(x);
}

/* Little-endian to host: a swap only on big-endian hosts. */
AWS_STATIC_IMPL uint16_t aws_letoh16(uint16_t x) {
    return aws_is_big_endian() ? aws_priv_bswap16(x) : x;
}
AWS_STATIC_IMPL uint32_t aws_letoh32(uint32_t x) {
    return aws_is_big_endian() ? aws_priv_bswap32(x) : x;
}

/* Floating point: the IEEE-754 bit pattern is byte-swapped, via memcpy so no
 * value is ever read through a pointer of the wrong type. */
AWS_STATIC_IMPL float aws_htonf32(float x) {
    uint32_t bits;
    memcpy(&bits, &x, sizeof(bits));
    bits = aws_hton32(bits);
    memcpy(&x, &bits, sizeof(bits));
    return x;
}
AWS_STATIC_IMPL float aws_ntohf32(float x) {
    return aws_htonf32(x);
}
AWS_STATIC_IMPL double aws_htonf64(double x) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof(bits));
    bits = aws_hton64(bits);
    memcpy(&x, &bits, sizeof(bits));
    return x;
}
AWS_STATIC_IMPL double aws_ntohf64(double x) {
    return aws_htonf64(x);
}

AWS_EXTERN_C_END

#endif /* AWS_COMMON_BYTE_ORDER_H */
