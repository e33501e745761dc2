#ifndef AWS_COMMON_ASSERT_H
#define AWS_COMMON_ASSERT_H
/* Assertions, pre/postconditions and argument checks.
 *
 * AWS_FATAL_* always checks and aborts through aws_fatal_assert() (which
 * prints the condition, file and line). AWS_ASSERT and the non-fatal
 * pre/postconditions only check in DEBUG_BUILD, as upstream. The
 * AWS_ERROR_* / AWS_RETURN_ERROR_IF forms return aws_raise_error(err) from the
 * enclosing function when the condition does NOT hold. */
#include <aws/common/exports.h>
#include <aws/common/macros.h>
#include <aws/event_stream_rs/generated.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

AWS_EXTERN_C_BEGIN
/* Prints "<cond_str>" with file and line to stderr, then aborts. */
AWS_COMMON_API
AWS_DECLSPEC_NORETURN
void aws_fatal_assert(const char *cond_str, const char *file, int line) AWS_ATTRIBUTE_NORETURN;
AWS_EXTERN_C_END

/* Abort with `msg` on stderr when an allocation returned NULL. */
#define AWS_PANIC_OOM(mem, msg)                                                                                        \
    do {                                                                                                               \
        if (!(mem)) {                                                                                                  \
            fprintf(stderr, "%s", (msg));                                                                              \
            abort();                                                                                                   \
        }                                                                                                              \
    } while (0)

/* Optimiser hints: the condition holds / this point is never reached. */
#if defined(_MSC_VER)
#    define AWS_ASSUME(cond) __assume(cond)
#    define AWS_UNREACHABLE() __assume(0)
#elif defined(__clang__)
#    define AWS_ASSUME(cond)                                                                                           \
        do {                                                                                                           \
            bool aws_assume_result_ = (cond);                                                                          \
            __builtin_assume(aws_assume_result_);                                                                      \
        } while (false)
#    define AWS_UNREACHABLE() __builtin_unreachable()
#elif defined(__GNUC__)
#    define AWS_ASSUME(cond) ((cond) ? (void)0 : __builtin_unreachable())
#    define AWS_UNREACHABLE() __builtin_unreachable()
#else
#    define AWS_ASSUME(cond)
#    define AWS_UNREACHABLE()
#endif

#define AWS_FATAL_ASSERT(cond)                                                                                         \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            aws_fatal_assert(#cond, __FILE__, __LINE__);                                                               \
        }                                                                                                              \
    } while (0)

#if defined(DEBUG_BUILD) || defined(__clang_analyzer__)
#    define AWS_ASSERT(cond) AWS_FATAL_ASSERT(cond)
#else
/* Not evaluated, as upstream: side effects in `cond` do not happen. */
#    define AWS_ASSERT(cond)
#endif

/* One- and two-argument forms; the second argument is an explanation that
 * only documents the check. */
#define AWS_PRECONDITION1(cond) AWS_ASSERT(cond)
#define AWS_PRECONDITION2(cond, explanation) AWS_ASSERT(cond)
#define AWS_POSTCONDITION1(cond) AWS_ASSERT(cond)
#define AWS_POSTCONDITION2(cond, explanation) AWS_ASSERT(cond)
#define AWS_FATAL_PRECONDITION1(cond) AWS_FATAL_ASSERT(cond)
#define AWS_FATAL_PRECONDITION2(cond, explanation) AWS_FATAL_ASSERT(cond)
#define AWS_FATAL_POSTCONDITION1(cond) AWS_FATAL_ASSERT(cond)
#define AWS_FATAL_POSTCONDITION2(cond, explanation) AWS_FATAL_ASSERT(cond)

#define AWS_PRECONDITION(...) CALL_OVERLOAD(AWS_PRECONDITION, __VA_ARGS__)
#define AWS_POSTCONDITION(...) CALL_OVERLOAD(AWS_POSTCONDITION, __VA_ARGS__)
#define AWS_FATAL_PRECONDITION(...) CALL_OVERLOAD(AWS_FATAL_PRECONDITION, __VA_ARGS__)
#define AWS_FATAL_POSTCONDITION(...) CALL_OVERLOAD(AWS_FATAL_POSTCONDITION, __VA_ARGS__)

/* Memory predicates: without a verifier, "readable" means non-NULL or empty. */
#define AWS_MEM_IS_READABLE_CHECK(base, len) (((len) == 0) || (base))
#define AWS_MEM_IS_WRITABLE_CHECK(base, len) (((len) == 0) || (base))
#define AWS_MEM_IS_READABLE(base, len) (((len) == 0) || (base))
#define AWS_MEM_IS_WRITABLE(base, len) (((len) == 0) || (base))
#define AWS_OBJECT_PTR_IS_READABLE(ptr) AWS_MEM_IS_READABLE((ptr), sizeof(*(ptr)))
#define AWS_OBJECT_PTR_IS_WRITABLE(ptr) AWS_MEM_IS_WRITABLE((ptr), sizeof(*(ptr)))

/* a implies b; a if and only if b (both coerced to truth values). */
#define AWS_IMPLIES(a, b) (!(a) || (b))
#define AWS_IFF(a, b) (!!(a) == !!(b))

/* Returns aws_raise_error(err) unless `cond` holds. */
#define AWS_RETURN_ERROR_IF_IMPL(type, cond, err, explanation)                                                         \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            return aws_raise_error(err);                                                                               \
        }                                                                                                              \
    } while (0)
#define AWS_RETURN_ERROR_IF3(cond, err, explanation) AWS_RETURN_ERROR_IF_IMPL("InternalCheck", cond, err, explanation)
#define AWS_RETURN_ERROR_IF2(cond, err) AWS_RETURN_ERROR_IF3(cond, err, #cond)
#define AWS_RETURN_ERROR_IF(...) CALL_OVERLOAD(AWS_RETURN_ERROR_IF, __VA_ARGS__)

/* As above; the one-argument form raises AWS_ERROR_INVALID_ARGUMENT. */
#define AWS_ERROR_PRECONDITION3(cond, err, explanation) AWS_RETURN_ERROR_IF_IMPL("Precondition", cond, err, explanation)
#define AWS_ERROR_PRECONDITION2(cond, err) AWS_ERROR_PRECONDITION3(cond, err, #cond)
#define AWS_ERROR_PRECONDITION1(cond) AWS_ERROR_PRECONDITION2(cond, AWS_ERROR_INVALID_ARGUMENT)
#define AWS_ERROR_POSTCONDITION3(cond, err, explanation)                                                               \
    AWS_RETURN_ERROR_IF_IMPL("Postcondition", cond, err, explanation)
#define AWS_ERROR_POSTCONDITION2(cond, err) AWS_ERROR_POSTCONDITION3(cond, err, #cond)
#define AWS_ERROR_POSTCONDITION1(cond) AWS_ERROR_POSTCONDITION2(cond, AWS_ERROR_INVALID_ARGUMENT)
#define AWS_ERROR_PRECONDITION(...) CALL_OVERLOAD(AWS_ERROR_PRECONDITION, __VA_ARGS__)
/* Upstream dispatches this one to the PRECONDITION forms; same behaviour. */
#define AWS_ERROR_POSTCONDITION(...) CALL_OVERLOAD(AWS_ERROR_POSTCONDITION, __VA_ARGS__)

/* Checks the postcondition, then returns `_rval`. */
#define AWS_RETURN_WITH_POSTCONDITION(_rval, ...)                                                                      \
    do {                                                                                                               \
        AWS_POSTCONDITION(__VA_ARGS__);                                                                                \
        return _rval;                                                                                                  \
    } while (0)
#define AWS_SUCCEED_WITH_POSTCONDITION(...) AWS_RETURN_WITH_POSTCONDITION(AWS_OP_SUCCESS, __VA_ARGS__)

#endif /* AWS_COMMON_ASSERT_H */
