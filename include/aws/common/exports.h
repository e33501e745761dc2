#ifndef AWS_COMMON_EXPORTS_H
#define AWS_COMMON_EXPORTS_H
/* Visibility decoration of aws-c-common's public functions. The Rust library
 * exports its symbols itself, so for consumers this is always empty unless a
 * Windows DLL import is requested, as upstream does. */

#if defined(AWS_CRT_USE_WINDOWS_DLL_SEMANTICS) || defined(_WIN32)
#    if defined(AWS_COMMON_USE_IMPORT_EXPORT) && defined(AWS_COMMON_EXPORTS)
#        define AWS_COMMON_API __declspec(dllexport)
#    elif defined(AWS_COMMON_USE_IMPORT_EXPORT)
#        define AWS_COMMON_API __declspec(dllimport)
#    else
#        define AWS_COMMON_API
#    endif
#elif defined(AWS_COMMON_USE_IMPORT_EXPORT) && defined(AWS_COMMON_EXPORTS)
#    define AWS_COMMON_API __attribute__((visibility("default")))
#else
#    define AWS_COMMON_API
#endif

/* Inline helpers are defined in the headers; the library also exports an
 * out-of-line copy of each one upstream exports (src/common/inline_exports.c
 * compiles these headers with AWS_STATIC_IMPL non-static). AWS_NO_STATIC_IMPL
 * is not honoured: the definitions stay in the headers. */
#ifndef AWS_STATIC_IMPL
#    define AWS_STATIC_IMPL static inline
#endif

#endif /* AWS_COMMON_EXPORTS_H */
