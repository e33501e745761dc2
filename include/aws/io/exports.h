#ifndef AWS_IO_EXPORTS_H
#define AWS_IO_EXPORTS_H
/* Visibility decoration of aws-c-io's functions; empty for consumers. */
#if defined(AWS_CRT_USE_WINDOWS_DLL_SEMANTICS) || defined(_WIN32)
#    if defined(AWS_IO_USE_IMPORT_EXPORT) && defined(AWS_IO_EXPORTS)
#        define AWS_IO_API __declspec(dllexport)
#    elif defined(AWS_IO_USE_IMPORT_EXPORT)
#        define AWS_IO_API __declspec(dllimport)
#    else
#        define AWS_IO_API
#    endif
#elif defined(AWS_IO_USE_IMPORT_EXPORT) && defined(AWS_IO_EXPORTS)
#    define AWS_IO_API __attribute__((visibility("default")))
#else
#    define AWS_IO_API
#endif

#endif /* AWS_IO_EXPORTS_H */
