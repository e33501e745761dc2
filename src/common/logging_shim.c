/* The only C in the logging module: aws_logger_vtable.log is a C variadic
 * function, which stable Rust can call but not define. Each function here
 * turns the variadic call into a va_list and hands it to Rust; formatting,
 * filtering and writing all happen on the Rust side.
 *
 * Rust reaches its per-logger entry point through an extension slot that our
 * own vtables carry right after the four upstream members, so nothing here
 * needs an exported Rust symbol. The one exception is the exported
 * g_pipeline_logger_owned_vtable, which has upstream's size and no slot: its
 * log function calls the pipeline's entry point by a hidden name. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct aws_logger;

typedef int(es_rs_log_v_fn)(struct aws_logger *logger, int level, uint32_t subject, const char *format, va_list args);

/* Prefix of src/common/logging: LoggerVtable (upstream's four pointers, then ours). */
struct es_rs_logger_vtable {
    void *upstream_members[4];
    es_rs_log_v_fn *log_v;
};

/* struct aws_logger starts with its vtable pointer. */
struct es_rs_logger_head {
    const struct es_rs_logger_vtable *vtable;
};

int aws_es_rs_logger_log(struct aws_logger *logger, int level, uint32_t subject, const char *format, ...) {
    const struct es_rs_logger_vtable *vtable = ((const struct es_rs_logger_head *)(void *)logger)->vtable;
    va_list args;
    va_start(args, format);
    int result = vtable->log_v(logger, level, subject, format, args);
    va_end(args);
    return result;
}

/* Defined in src/common/logging/pipeline.rs; hidden, not exported. */
__attribute__((visibility("hidden"))) es_rs_log_v_fn aws_es_rs_pipeline_log_v;

int aws_es_rs_pipeline_logger_log(struct aws_logger *logger, int level, uint32_t subject, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int result = aws_es_rs_pipeline_log_v(logger, level, subject, format, args);
    va_end(args);
    return result;
}

int aws_es_rs_null_logger_log(struct aws_logger *logger, int level, uint32_t subject, const char *format, ...) {
    (void)logger;
    (void)level;
    (void)subject;
    (void)format;
    return 0;
}

/* vsnprintf on a copy, so the caller may format the same arguments again
 * (first into a stack buffer, then into one of the measured size). */
int aws_es_rs_vformat(char *buffer, size_t capacity, const char *format, va_list args) {
    va_list copy;
    va_copy(copy, args);
    int written = vsnprintf(buffer, capacity, format, copy);
    va_end(copy);
    return written;
}
