#ifndef AWS_EVENT_STREAM_EXPORTS_H_
#define AWS_EVENT_STREAM_EXPORTS_H_
/* Visibility decoration of aws-c-event-stream's functions; empty for consumers. */
#if defined(AWS_CRT_USE_WINDOWS_DLL_SEMANTICS) || defined(_WIN32)
#    if defined(AWS_EVENT_STREAM_USE_IMPORT_EXPORT) && defined(AWS_EVENT_STREAM_EXPORTS)
#        define AWS_EVENT_STREAM_API __declspec(dllexport)
#    elif defined(AWS_EVENT_STREAM_USE_IMPORT_EXPORT)
#        define AWS_EVENT_STREAM_API __declspec(dllimport)
#    else
#        define AWS_EVENT_STREAM_API
#    endif
#elif defined(AWS_EVENT_STREAM_USE_IMPORT_EXPORT) && defined(AWS_EVENT_STREAM_EXPORTS)
#    define AWS_EVENT_STREAM_API __attribute__((visibility("default")))
#else
#    define AWS_EVENT_STREAM_API
#endif

#endif /* AWS_EVENT_STREAM_EXPORTS_H_ */
