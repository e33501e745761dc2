#ifndef AWS_COMMON_MATH_H
#define AWS_COMMON_MATH_H
/* Overflow-checked and saturating arithmetic, bit scans, min/max.
 *
 * *_checked: on overflow raise AWS_ERROR_OVERFLOW_DETECTED and return
 * AWS_OP_ERR (for add/mul *r then holds the wrapped result, for sub it is
 * left untouched); otherwise store the result in *r and return AWS_OP_SUCCESS.
 * *_saturating: clamp to the type's maximum (add, mul) or to 0 (sub).
 * clz/ctz of 0 is the bit width of the argument type. */
#include <aws/common/common.h>
#include <aws/common/config.h>
#include <limits.h>
#include <stdlib.h>

#if SIZE_MAX == UINT32_MAX
#    define SIZE_BITS 32
#elif SIZE_MAX == UINT64_MAX
#    define SIZE_BITS 64
#else
#    error "Target not supported"
#endif

/* Largest power of two a size_t holds. */
#define SIZE_MAX_POWER_OF_TWO (((size_t)1) << (SIZE_BITS - 1))

AWS_EXTERN_C_BEGIN

/* ---- add / mul, unsigned 32 and 64 bit ---------------------------------- */

#if defined(__GNUC__) || defined(__clang__)
#    define AWS_PRIV_ADD_OVERFLOWS(a, b, r) __builtin_add_overflow((a), (b), (r))
#    define AWS_PRIV_MUL_OVERFLOWS(a, b, r) __builtin_mul_overflow((a), (b), (r))
#else
/* Portable forms for other compilers; only ever used on unsigned operands. */
#    define AWS_PRIV_ADD_OVERFLOWS(a, b, r) ((*(r) = (a) + (b)) < (a))
#    define AWS_PRIV_MUL_OVERFLOWS(a, b, r) ((*(r) = (a) * (b)), ((a) != 0 && *(r) / (a) != (b)))
#endif

AWS_STATIC_IMPL int aws_add_u64_checked(uint64_t a, uint64_t b, uint64_t *r) {
    if (AWS_PRIV_ADD_OVERFLOWS(a, b, r)) {
        return aws_raise_error(AWS_ERROR_OVERFLOW_DETECTED);
    }
    return AWS_OP_SUCCESS;
}

AWS_STATIC_IMPL uint64_t aws_add_u64_saturating(uint64_t a, uint64_t b) {
    uint64_t sum;
    return AWS_PRIV_ADD_OVERFLOWS(a, b, &sum) ? UINT64_MAX : sum;
}

AWS_STATIC_IMPL int aws_add_u32_checked(uint32_t a, uint32_t b, uint32_t *r) {
    if (AWS_PRIV_ADD_OVERFLOWS(a, b, r)) {
        return aws_raise_error(AWS_ERROR_OVERFLOW_DETECTED);
    }
    return AWS_OP_SUCCESS;
}

AWS_STATIC_IMPL uint32_t aws_add_u32_saturating(uint32_t a, uint32_t b) {
    uint32_t sum;
    return AWS_PRIV_ADD_OVERFLOWS(a, b, &sum) ? UINT32_MAX : sum;
}

AWS_STATIC_IMPL int aws_mul_u64_checked(uint64_t a, uint64_t b, uint64_t *r) {
    if (AWS_PRIV_MUL_OVERFLOWS(a, b, r)) {
        return aws_raise_error(AWS_ERROR_OVERFLOW_DETECTED);
    }
    return AWS_OP_SUCCESS;
}

AWS_STATIC_IMPL uint64_t aws_mul_u64_saturating(uint64_t a, uint64_t b) {
    uint64_t product;
    return AWS_PRIV_MUL_OVERFLOWS(a, b, &product) ? UINT64_MAX : product;
}

AWS_STATIC_IMPL int aws_mul_u32_checked(uint32_t a, uint32_t b, uint32_t *r) {
    if (AWS_PRIV_MUL_OVERFLOWS(a, b, r)) {
        return aws_raise_error(AWS_ERROR_OVERFLOW_DETECTED);
    }
    return AWS_OP_SUCCESS;
}

AWS_STATIC_IMPL uint32_t aws_mul_u32_saturating(uint32_t a, uint32_t b) {
    uint32_t product;
    return AWS_PRIV_MUL_OVERFLOWS(a, b, &product) ? UINT32_MAX : product;
}

/* ---- sub, unsigned 32 and 64 bit ---------------------------------------- */

AWS_STATIC_IMPL int aws_sub_u64_checked(uint64_t a, uint64_t b, uint64_t *r) {
    if (b > a) {
        return aws_raise_error(AWS_ERROR_OVERFLOW_DETECTED);
    }
    *r = a - b;
    return AWS_OP_SUCCESS;
}

AWS_STATIC_IMPL uint64_t aws_sub_u64_saturating(uint64_t a, uint64_t b) {
    return b >= a ? 0 : a - b;
}

AWS_STATIC_IMPL int aws_sub_u32_checked(uint32_t a, uint32_t b, uint32_t *r) {
    if (b > a) {
        return aws_raise_error(AWS_ERROR_OVERFLOW_DETECTED);
    }
    *r = a - b;
    return AWS_OP_SUCCESS;
}

AWS_STATIC_IMPL uint32_t aws_sub_u32_saturating(uint32_t a, uint32_t b) {
    return b >= a ? 0 : a - b;
}

/* ---- size_t: the 64-bit (or 32-bit) forms, by target width --------------- */

#if SIZE_BITS == 64
#    define AWS_PRIV_SIZE_OP(op, kind) aws_##op##_u64_##kind
typedef uint64_t aws_priv_size_word_t;
#else
#    define AWS_PRIV_SIZE_OP(op, kind) aws_##op##_u32_##kind
typedef uint32_t aws_priv_size_word_t;
#endif

/* Sums `num` size_t arguments into *r; raises AWS_ERROR_OVERFLOW_DETECTED (and
 * leaves *r alone) on overflow. */
AWS_EXTERN_C_BEGIN
int aws_add_size_checked_varargs(size_t num, size_t *r, ...);
AWS_EXTERN_C_END

AWS_STATIC_IMPL int aws_add_size_checked(size_t a, size_t b, size_t *r) {
    aws_priv_size_word_t out = 0;
    int rc = AWS_PRIV_SIZE_OP(add, checked)(a, b, &out);
    *r = (size_t)out;
    return rc;
}

AWS_STATIC_IMPL size_t aws_add_size_saturating(size_t a, size_t b) {
    return (size_t)AWS_PRIV_SIZE_OP(add, saturating)(a, b);
}

AWS_STATIC_IMPL int aws_mul_size_checked(size_t a, size_t b, size_t *r) {
    aws_priv_size_word_t out = 0;
    int rc = AWS_PRIV_SIZE_OP(mul, checked)(a, b, &out);
    *r = (size_t)out;
    return rc;
}

AWS_STATIC_IMPL size_t aws_mul_size_saturating(size_t a, size_t b) {
    return (size_t)AWS_PRIV_SIZE_OP(mul, saturating)(a, b);
}

AWS_STATIC_IMPL int aws_sub_size_checked(size_t a, size_t b, size_t *r) {
    if (b > a) {
        return aws_raise_error(AWS_ERROR_OVERFLOW_DETECTED);
    }
    *r = a - b;
    return AWS_OP_SUCCESS;
}

AWS_STATIC_IMPL size_t aws_sub_size_saturating(size_t a, size_t b) {
    return b >= a ? 0 : a - b;
}

/* ---- powers of two -------------------------------------------------------- */

/* True for 1, 2, 4, ...; false for 0. */
AWS_STATIC_IMPL bool aws_is_power_of_two(const size_t x) {
    return x != 0 && (x & (x - 1)) == 0;
}

/* Smallest power of two >= n (1 for n == 0). Raises
 * AWS_ERROR_OVERFLOW_DETECTED when it does not fit in a size_t. */
AWS_STATIC_IMPL int aws_round_up_to_power_of_two(size_t n, size_t *result) {
    if (n <= 1) {
        *result = 1;
        return AWS_OP_SUCCESS;
    }
    if (n > SIZE_MAX_POWER_OF_TWO) {
        return aws_raise_error(AWS_ERROR_OVERFLOW_DETECTED);
    }
    size_t p = 1;
    while (p < n) {
        p <<= 1;
    }
    *result = p;
    return AWS_OP_SUCCESS;
}

/* ---- bit scans ------------------------------------------------------------ */

#if defined(__GNUC__) || defined(__clang__)
#    define AWS_PRIV_CLZ32(n) ((size_t)__builtin_clz((unsigned int)(n)))
#    define AWS_PRIV_CTZ32(n) ((size_t)__builtin_ctz((unsigned int)(n)))
#    define AWS_PRIV_CLZ64(n) ((size_t)__builtin_clzll((unsigned long long)(n)))
#    define AWS_PRIV_CTZ64(n) ((size_t)__builtin_ctzll((unsigned long long)(n)))
#else
AWS_STATIC_IMPL size_t aws_priv_clz_bits(uint64_t n, size_t width) {
    size_t count = 0;
    for (uint64_t bit = (uint64_t)1 << (width - 1); bit != 0 && !(n & bit); bit >>= 1) {
        ++count;
    }
    return count;
}
AWS_STATIC_IMPL size_t aws_priv_ctz_bits(uint64_t n, size_t width) {
    size_t count = 0;
    while (count < width && !(n & ((uint64_t)1 << count))) {
        ++count;
    }
    return count;
}
#    define AWS_PRIV_CLZ32(n) aws_priv_clz_bits((uint32_t)(n), 32)
#    define AWS_PRIV_CTZ32(n) aws_priv_ctz_bits((uint32_t)(n), 32)
#    define AWS_PRIV_CLZ64(n) aws_priv_clz_bits((uint64_t)(n), 64)
#    define AWS_PRIV_CTZ64(n) aws_priv_ctz_bits((uint64_t)(n), 64)
#endif

/* Leading zero bits (from the most significant end). */
AWS_STATIC_IMPL size_t aws_clz_u32(uint32_t n) {
    return n == 0 ? 32 : AWS_PRIV_CLZ32(n);
}
AWS_STATIC_IMPL size_t aws_clz_i32(int32_t n) {
    return n == 0 ? 32 : AWS_PRIV_CLZ32((uint32_t)n);
}
AWS_STATIC_IMPL size_t aws_clz_u64(uint64_t n) {
    return n == 0 ? 64 : AWS_PRIV_CLZ64(n);
}
AWS_STATIC_IMPL size_t aws_clz_i64(int64_t n) {
    return n == 0 ? 64 : AWS_PRIV_CLZ64((uint64_t)n);
}
AWS_STATIC_IMPL size_t aws_clz_size(size_t n) {
#if SIZE_BITS == 64
    return aws_clz_u64((uint64_t)n);
#else
    return aws_clz_u32((uint32_t)n);
#endif
}

/* Trailing zero bits (from the least significant end). */
AWS_STATIC_IMPL size_t aws_ctz_u32(uint32_t n) {
    return n == 0 ? 32 : AWS_PRIV_CTZ32(n);
}
AWS_STATIC_IMPL size_t aws_ctz_i32(int32_t n) {
    return n == 0 ? 32 : AWS_PRIV_CTZ32((uint32_t)n);
}
AWS_STATIC_IMPL size_t aws_ctz_u64(uint64_t n) {
    return n == 0 ? 64 : AWS_PRIV_CTZ64(n);
}
AWS_STATIC_IMPL size_t aws_ctz_i64(int64_t n) {
    return n == 0 ? 64 : AWS_PRIV_CTZ64((uint64_t)n);
}
AWS_STATIC_IMPL size_t aws_ctz_size(size_t n) {
#if SIZE_BITS == 64
    return aws_ctz_u64((uint64_t)n);
#else
    return aws_ctz_u32((uint32_t)n);
#endif
}

/* ---- min / max ------------------------------------------------------------ */

/* One min and one max per type. When the comparison is false (equal values,
 * or a NaN operand) the second argument is returned, as upstream does. */
#define AWS_PRIV_MIN_MAX(suffix, type)                                                                                 \
    AWS_STATIC_IMPL type aws_min_##suffix(type a, type b) {                                                            \
        return a < b ? a : b;                                                                                          \
    }                                                                                                                  \
    AWS_STATIC_IMPL type aws_max_##suffix(type a, type b) {                                                            \
        return a > b ? a : b;                                                                                          \
    }

AWS_PRIV_MIN_MAX(u8, uint8_t)
AWS_PRIV_MIN_MAX(i8, int8_t)
AWS_PRIV_MIN_MAX(u16, uint16_t)
AWS_PRIV_MIN_MAX(i16, int16_t)
AWS_PRIV_MIN_MAX(u32, uint32_t)
AWS_PRIV_MIN_MAX(i32, int32_t)
AWS_PRIV_MIN_MAX(u64, uint64_t)
AWS_PRIV_MIN_MAX(i64, int64_t)
AWS_PRIV_MIN_MAX(size, size_t)
AWS_PRIV_MIN_MAX(int, int)
AWS_PRIV_MIN_MAX(float, float)
AWS_PRIV_MIN_MAX(double, double)

AWS_EXTERN_C_END

#endif /* AWS_COMMON_MATH_H */
