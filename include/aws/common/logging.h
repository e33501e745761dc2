#ifndef AWS_COMMON_LOGGING_H
#define AWS_COMMON_LOGGING_H
/* aws-c-event-stream-rs: the logging macros of upstream's <aws/common/logging.h>.
 * Types, levels, subjects and functions are declared in the generated header. */
#include <aws/common/common.h>

/* Log subject ids are grouped per package, AWS_LOG_SUBJECT_STRIDE ids each. */
#define AWS_LOG_SUBJECT_BEGIN_RANGE(x) ((x) * AWS_LOG_SUBJECT_STRIDE)
#define AWS_LOG_SUBJECT_END_RANGE(x) (((x) + 1) * AWS_LOG_SUBJECT_STRIDE - 1)

/* One initializer of an aws_log_subject_info array (ids must be consecutive). */
#define DEFINE_LOG_SUBJECT_INFO(id, name, desc)                                                                        \
    { .subject_id = (id), .subject_name = (name), .subject_description = (desc) }

/* Logs through the process-wide logger. The arguments after the format are
 * evaluated only when the logger's level for `subject` admits `log_level`;
 * otherwise the cost is one call that loads the logger and checks its level. */
#define AWS_LOGF(log_level, subject, ...)                                                                              \
    do {                                                                                                               \
        struct aws_logger *aws_logf_logger_ = aws_logger_get_conditional((subject), (log_level));                    \
        if (aws_logf_logger_ != NULL) {                                                                                \
            aws_logf_logger_->vtable->log(aws_logf_logger_, (log_level), (subject), __VA_ARGS__);                    \
        }                                                                                                              \
    } while (0)

/* Logs through `logger` with no NULL or level check (for a caller that checked once). */
#define AWS_LOGUF(logger, log_level, subject, ...)                                                                     \
    {                                                                                                                  \
        (logger)->vtable->log((logger), (log_level), (subject), __VA_ARGS__);                                          \
    }

/* Per-level macros. Defining AWS_STATIC_LOG_LEVEL to an AWS_LOG_LEVEL_* value
 * compiles out every call above that level. */
#if !defined(AWS_STATIC_LOG_LEVEL) || (AWS_STATIC_LOG_LEVEL >= AWS_LOG_LEVEL_FATAL)
#    define AWS_LOGF_FATAL(subject, ...) AWS_LOGF(AWS_LL_FATAL, subject, __VA_ARGS__)
#else
#    define AWS_LOGF_FATAL(subject, ...)
#endif

#if !defined(AWS_STATIC_LOG_LEVEL) || (AWS_STATIC_LOG_LEVEL >= AWS_LOG_LEVEL_ERROR)
#    define AWS_LOGF_ERROR(subject, ...) AWS_LOGF(AWS_LL_ERROR, subject, __VA_ARGS__)
#else
#    define AWS_LOGF_ERROR(subject, ...)
#endif

#if !defined(AWS_STATIC_LOG_LEVEL) || (AWS_STATIC_LOG_LEVEL >= AWS_LOG_LEVEL_WARN)
#    define AWS_LOGF_WARN(subject, ...) AWS_LOGF(AWS_LL_WARN, subject, __VA_ARGS__)
#else
#    define AWS_LOGF_WARN(subject, ...)
#endif

#if !defined(AWS_STATIC_LOG_LEVEL) || (AWS_STATIC_LOG_LEVEL >= AWS_LOG_LEVEL_INFO)
#    define AWS_LOGF_INFO(subject, ...) AWS_LOGF(AWS_LL_INFO, subject, __VA_ARGS__)
#else
#    define AWS_LOGF_INFO(subject, ...)
#endif

#if !defined(AWS_STATIC_LOG_LEVEL) || (AWS_STATIC_LOG_LEVEL >= AWS_LOG_LEVEL_DEBUG)
#    define AWS_LOGF_DEBUG(subject, ...) AWS_LOGF(AWS_LL_DEBUG, subject, __VA_ARGS__)
#else
#    define AWS_LOGF_DEBUG(subject, ...)
#endif

#if !defined(AWS_STATIC_LOG_LEVEL) || (AWS_STATIC_LOG_LEVEL >= AWS_LOG_LEVEL_TRACE)
#    define AWS_LOGF_TRACE(subject, ...) AWS_LOGF(AWS_LL_TRACE, subject, __VA_ARGS__)
#else
#    define AWS_LOGF_TRACE(subject, ...)
#endif

#endif /* AWS_COMMON_LOGGING_H */
