#ifndef AWS_COMMON_MACROS_H
#define AWS_COMMON_MACROS_H
/* General-purpose macros of aws-c-common: linkage, attributes, compile-time
 * checks and small helpers. Semantics follow upstream's macros.h. */
#include <stddef.h>
#include <stdint.h>

/* Upstream silences MSVC warnings about its own headers; nothing to do on
 * GCC/Clang. */
#if defined(_MSC_VER)
#    define AWS_PUSH_SANE_WARNING_LEVEL                                                                                \
        __pragma(warning(push)) __pragma(warning(disable : 4820)) __pragma(warning(disable : 4514))                    \
            __pragma(warning(disable : 5039))
#    define AWS_POP_SANE_WARNING_LEVEL __pragma(warning(pop))
#else
#    define AWS_PUSH_SANE_WARNING_LEVEL
#    define AWS_POP_SANE_WARNING_LEVEL
#endif

#ifdef __cplusplus
#    define AWS_EXTERN_C_BEGIN extern "C" {
#    define AWS_EXTERN_C_END }
#else
#    define AWS_EXTERN_C_BEGIN
#    define AWS_EXTERN_C_END
#endif

#define AWS_CONCAT(A, B) A##B

/* Compile-time assertion usable at file and block scope in C99, C11 and C++. */
#define AWS_PRIV_CONCAT_EXPANDED(A, B) AWS_CONCAT(A, B)
#if defined(__cplusplus) && __cplusplus >= 201103L
#    define AWS_STATIC_ASSERT(cond) static_assert((cond), #cond)
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#    define AWS_STATIC_ASSERT(cond) _Static_assert((cond), #cond)
#elif defined(__GNUC__) || defined(__clang__)
#    define AWS_STATIC_ASSERT(cond)                                                                                    \
        typedef char AWS_PRIV_CONCAT_EXPANDED(aws_static_assertion_at_line_, __LINE__)[(cond) ? 1 : -1]              \
            __attribute__((unused))
#else
#    define AWS_STATIC_ASSERT(cond)                                                                                    \
        typedef char AWS_PRIV_CONCAT_EXPANDED(aws_static_assertion_at_line_, __LINE__)[(cond) ? 1 : -1]
#endif

/* Dispatch on argument count (1 to 5): CALL_OVERLOAD(NAME, a, b) expands to
 * NAME2(a, b). Used by the *_PRECONDITION family. */
#define AWS_PRIV_PICK_6TH(_1, _2, _3, _4, _5, n, ...) n
#define AWS_PRIV_APPLY(macro, args) macro args
#define COUNT_ARGS_MAX5(...) AWS_PRIV_APPLY(AWS_PRIV_PICK_6TH, (__VA_ARGS__, 5, 4, 3, 2, 1, 0))
#define CALL_OVERLOAD(name, ...)                                                                                       \
    AWS_PRIV_APPLY(AWS_PRIV_CONCAT_EXPANDED(name, COUNT_ARGS_MAX5(__VA_ARGS__)), (__VA_ARGS__))

/* printf format for a (length, pointer) pair: printf(PRInSTR, (int)len, ptr). */
#define PRInSTR "%.*s"

#if defined(_MSC_VER)
#    include <malloc.h>
#    define AWS_ALIGNED_TYPEDEF(from, to, alignment) typedef __declspec(align(alignment)) from to
#    define AWS_LIKELY(x) x
#    define AWS_UNLIKELY(x) x
#    define AWS_FORCE_INLINE __forceinline
#    define AWS_NO_INLINE __declspec(noinline)
#    define AWS_VARIABLE_LENGTH_ARRAY(type, name, length) type *name = _alloca(sizeof(type) * (length))
#    define AWS_DECLSPEC_NORETURN __declspec(noreturn)
#    define AWS_ATTRIBUTE_NORETURN
#elif defined(__GNUC__) || defined(__clang__)
#    define AWS_ALIGNED_TYPEDEF(from, to, alignment) typedef from to __attribute__((aligned(alignment)))
#    define AWS_TYPE_OF(a) __typeof__(a)
#    define AWS_LIKELY(x) __builtin_expect(!!(x), 1)
#    define AWS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#    define AWS_FORCE_INLINE __attribute__((always_inline))
#    define AWS_NO_INLINE __attribute__((noinline))
#    define AWS_DECLSPEC_NORETURN
#    define AWS_ATTRIBUTE_NORETURN __attribute__((noreturn))
#    if defined(__cplusplus)
/* C++ has no VLAs: take the storage from the stack frame instead. */
#        include <alloca.h>
#        define AWS_VARIABLE_LENGTH_ARRAY(type, name, length) type *name = (type *)alloca(sizeof(type) * (length))
#    else
#        define AWS_VARIABLE_LENGTH_ARRAY(type, name, length) type name[length]
#    endif
#endif

/* Sanitizer opt-outs for functions that deliberately do something the
 * sanitizer would flag. Empty when the sanitizer is off. */
#if defined(__has_feature)
#    if __has_feature(address_sanitizer)
#        define AWS_SUPPRESS_ASAN __attribute__((no_sanitize("address")))
#    endif
#    if __has_feature(thread_sanitizer)
#        define AWS_SUPPRESS_TSAN __attribute__((no_sanitize("thread")))
#    endif
#    if __has_feature(undefined_behavior_sanitizer)
#        define AWS_SUPPRESS_UBSAN __attribute__((no_sanitize("undefined")))
#    endif
#else
#    if defined(__SANITIZE_ADDRESS__) && defined(__GNUC__)
#        define AWS_SUPPRESS_ASAN __attribute__((no_sanitize_address))
#    endif
#    if defined(__SANITIZE_THREAD__) && defined(__GNUC__)
#        define AWS_SUPPRESS_TSAN __attribute__((no_sanitize_thread))
#    endif
#    if defined(__SANITIZE_UNDEFINED__) && defined(__GNUC__)
#        define AWS_SUPPRESS_UBSAN __attribute__((no_sanitize_undefined))
#    endif
#endif
#ifndef AWS_SUPPRESS_ASAN
#    define AWS_SUPPRESS_ASAN
#endif
#ifndef AWS_SUPPRESS_TSAN
#    define AWS_SUPPRESS_TSAN
#endif
#ifndef AWS_SUPPRESS_UBSAN
#    define AWS_SUPPRESS_UBSAN
#endif

/* restrict exists in C99 and later only; C++ has no standard spelling. */
#if defined(__cplusplus)
#    define AWS_RESTRICT
#elif defined(_MSC_VER)
#    define AWS_RESTRICT __restrict
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L
#    define AWS_RESTRICT restrict
#else
#    define AWS_RESTRICT
#endif

#if defined(_MSC_VER)
#    define AWS_THREAD_LOCAL __declspec(thread)
#else
#    define AWS_THREAD_LOCAL __thread
#endif

/* Number of elements of a true array (not a pointer). */
#define AWS_ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/* The struct of type `type` whose field `member` lives at `ptr`. */
#define AWS_CONTAINER_OF(ptr, type, member) ((type *)((uint8_t *)(ptr)-offsetof(type, member)))

#endif /* AWS_COMMON_MACROS_H */
