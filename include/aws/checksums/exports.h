#ifndef AWS_CHECKSUMS_EXPORTS_H
#define AWS_CHECKSUMS_EXPORTS_H
/* Visibility decoration of aws-checksums' functions; empty for consumers. */
#if defined(AWS_CRT_USE_WINDOWS_DLL_SEMANTICS) || defined(_WIN32)
#    if defined(AWS_CHECKSUMS_USE_IMPORT_EXPORT) && defined(AWS_CHECKSUMS_EXPORTS)
#        define AWS_CHECKSUMS_API __declspec(dllexport)
#    elif defined(AWS_CHECKSUMS_USE_IMPORT_EXPORT)
#        define AWS_CHECKSUMS_API __declspec(dllimport)
#    else
#        define AWS_CHECKSUMS_API
#    endif
#elif defined(AWS_CHECKSUMS_USE_IMPORT_EXPORT) && defined(AWS_CHECKSUMS_EXPORTS)
#    define AWS_CHECKSUMS_API __attribute__((visibility("default")))
#else
#    define AWS_CHECKSUMS_API
#endif

#endif /* AWS_CHECKSUMS_EXPORTS_H */
