/* Demo of the aws-c-common and aws-checksums layer, written exactly as a
 * program for the upstream libraries would be: a tracing allocator, the
 * standard logger, byte buffers, base64, the task scheduler, a thread, CRCs.
 * It grows with the library (the event-stream echo RPC demo comes with RPC). */
#include <aws/checksums/crc.h>
#include <aws/common/byte_buf.h>
#include <aws/common/clock.h>
#include <aws/common/common.h>
#include <aws/common/encoding.h>
#include <aws/common/logging.h>
#include <aws/common/string.h>
#include <aws/common/task_scheduler.h>
#include <aws/common/thread.h>

static void s_on_task(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    printf("  task '%s' ran with status %s\n", (const char *)arg, aws_task_status_to_c_str(status));
}

static void s_thread_main(void *arg) {
    int *answer = arg;
    *answer = 42;
    AWS_LOGF_INFO(AWS_LS_COMMON_THREAD, "hello from a thread launched with aws_thread_launch");
}

int main(void) {
    struct aws_allocator *alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_common_library_init(alloc);

    struct aws_logger logger;
    struct aws_logger_standard_options log_options = {.level = AWS_LL_INFO, .file = stdout};
    aws_logger_init_standard(&logger, alloc, &log_options);
    aws_logger_set(&logger);
    AWS_LOGF_INFO(AWS_LS_COMMON_GENERAL, "common demo starting");

    /* Byte buffers and base64. */
    struct aws_byte_buf buf;
    aws_byte_buf_init(&buf, alloc, 4);
    struct aws_byte_cursor hello = aws_byte_cursor_from_c_str("hello, event stream");
    aws_byte_buf_append_dynamic(&buf, &hello);
    struct aws_byte_cursor data = aws_byte_cursor_from_buf(&buf);
    size_t encoded_len = 0;
    aws_base64_compute_encoded_len(data.len, &encoded_len);
    struct aws_byte_buf b64;
    aws_byte_buf_init(&b64, alloc, encoded_len);
    aws_base64_encode(&data, &b64);
    printf("byte_buf: \"" PRInSTR "\" (capacity grew to %zu), base64 %.*s\n", AWS_BYTE_CURSOR_PRI(data), buf.capacity,
           (int)b64.len, (const char *)b64.buffer);
    printf("crc32 %08x, crc32c %08x\n", (unsigned)aws_checksums_crc32(buf.buffer, (int)buf.len, 0),
           (unsigned)aws_checksums_crc32c(buf.buffer, (int)buf.len, 0));

    /* Errors. */
    struct aws_byte_buf small = aws_byte_buf_from_empty_array((uint8_t[2]){0}, 2);
    if (!aws_byte_buf_write_from_whole_cursor(&small, hello)) {
        printf("writing 19 bytes into a 2-byte buffer fails; buffer length stays %zu\n", small.len);
    }
    aws_raise_error(AWS_ERROR_SHORT_BUFFER);
    printf("last error: %s (%s)\n", aws_error_name(aws_last_error()), aws_error_lib_name(aws_last_error()));

    /* Task scheduler. */
    struct aws_task_scheduler scheduler;
    aws_task_scheduler_init(&scheduler, alloc);
    struct aws_task now_task, later_task, cancelled_task;
    aws_task_init(&now_task, s_on_task, "now", "demo");
    aws_task_init(&later_task, s_on_task, "at t=100", "demo");
    aws_task_init(&cancelled_task, s_on_task, "cancelled", "demo");
    aws_task_scheduler_schedule_future(&scheduler, &later_task, 100);
    aws_task_scheduler_schedule_future(&scheduler, &cancelled_task, 200);
    aws_task_scheduler_schedule_now(&scheduler, &now_task);
    printf("task scheduler:\n");
    aws_task_scheduler_run_all(&scheduler, 150);
    aws_task_scheduler_clean_up(&scheduler);

    /* A thread. */
    int answer = 0;
    struct aws_thread thread;
    aws_thread_init(&thread, alloc);
    aws_thread_launch(&thread, s_thread_main, &answer, aws_default_thread_options());
    aws_thread_join(&thread);
    aws_thread_clean_up(&thread);
    printf("thread returned %d\n", answer);

    aws_byte_buf_clean_up(&b64);
    aws_byte_buf_clean_up(&buf);
    AWS_LOGF_INFO(AWS_LS_COMMON_GENERAL, "common demo done");
    aws_logger_set(NULL);
    aws_logger_clean_up(&logger);
    aws_common_library_clean_up();

    size_t leaked = aws_mem_tracer_count(alloc);
    printf("tracing allocator: %zu live allocations at exit\n", leaked);
    aws_mem_tracer_destroy(alloc);
    return leaked == 0 ? 0 : 1;
}
