/* The pieces of a pipeline logger (<aws/common/log_writer.h>, log_formatter.h,
 * log_channel.h): file writers read back from a mkdtemp directory, the default
 * formatter's exact line shape, foreground and background channels delivering
 * every line in order, the standard logger built from them, a pipeline over
 * external parts; then <aws/common/system_info.h>. Everything allocated through
 * a tracing allocator that must end at 0 bytes. */
#include <aws/common/log_channel.h>
#include <aws/common/log_formatter.h>
#include <aws/common/log_writer.h>
#include <aws/common/logging.h>
#include <aws/common/string.h>
#include <aws/common/system_info.h>
#include <aws/common/thread.h>

#include "test_helpers.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>

static struct aws_allocator *s_alloc;
static char s_dir[64];

/* ---- helpers ------------------------------------------------------------------------ */

static void path_in_dir(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", s_dir, name);
}

/* Reads a whole file into `out` (NUL-terminated); returns its length or -1. */
static long read_file(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return -1;
    }
    size_t len = fread(out, 1, cap - 1, f);
    fclose(f);
    out[len] = '\0';
    return (long)len;
}

static struct aws_string *make_line(const char *text) {
    return aws_string_new_from_c_str(s_alloc, text);
}

static int format_line(
    struct aws_log_formatter *formatter,
    struct aws_string **out,
    enum aws_log_level level,
    aws_log_subject_t subject,
    const char *format,
    ...) {
    va_list args;
    va_start(args, format);
    int result = formatter->vtable->format(formatter, out, level, subject, format, args);
    va_end(args);
    return result;
}

static int standard_line(struct aws_logging_standard_formatting_data *data, ...) {
    va_list args;
    va_start(args, data);
    int result = aws_format_standard_log_line(data, args);
    va_end(args);
    return result;
}

static bool digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (!isdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* "YYYY-MM-DDTHH:MM:SSZ" at `s`. */
static bool is_iso8601(const char *s) {
    return digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' && digits(s + 8, 2) && s[10] == 'T' &&
           digits(s + 11, 2) && s[13] == ':' && digits(s + 14, 2) && s[16] == ':' && digits(s + 17, 2) && s[19] == 'Z';
}

static void current_thread_hex(char out[AWS_THREAD_ID_T_REPR_BUFSZ]) {
    CHECK_INT_EQ(
        AWS_OP_SUCCESS, aws_thread_id_t_to_string(aws_thread_current_thread_id(), out, AWS_THREAD_ID_T_REPR_BUFSZ));
}

/* Checks `line` is "[LEVEL] [<iso date>] [<this thread>] [SUBJECT] - MESSAGE\n" exactly. */
static void check_standard_line(const char *line, size_t len, const char *level, const char *subject, const char *msg) {
    char head[32];
    snprintf(head, sizeof(head), "[%s] [", level);
    size_t head_len = strlen(head);
    CHECK(len > head_len + 20 && strncmp(line, head, head_len) == 0);
    if (len <= head_len + 20) {
        return;
    }
    CHECK(is_iso8601(line + head_len));
    char tid[AWS_THREAD_ID_T_REPR_BUFSZ];
    current_thread_hex(tid);
    size_t tail_cap = strlen(subject) + strlen(msg) + 64;
    char *tail = malloc(tail_cap);
    snprintf(tail, tail_cap, "] [%s] [%s] - %s\n", tid, subject, msg);
    CHECK_MEM_EQ(tail, strlen(tail), line + head_len + 20, len - head_len - 20);
    free(tail);
}

/* ---- writers --------------------------------------------------------------------------- */

static void test_file_writer_appends_lines(void) {
    char path[128];
    path_in_dir(path, sizeof(path), "writer.log");
    FILE *seed = fopen(path, "w");
    fputs("existing\n", seed);
    fclose(seed);

    struct aws_log_writer writer;
    struct aws_log_writer_file_options options = {.filename = path};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_writer_init_file(&writer, s_alloc, &options));
    CHECK(writer.allocator == s_alloc && writer.vtable && writer.vtable->write && writer.vtable->clean_up);
    struct aws_string *one = make_line("first line\n");
    struct aws_string *two = make_line("second line\n");
    CHECK_INT_EQ(AWS_OP_SUCCESS, writer.vtable->write(&writer, one));
    CHECK_INT_EQ(AWS_OP_SUCCESS, writer.vtable->write(&writer, two));
    /* write does not take ownership */
    aws_string_destroy(one);
    aws_string_destroy(two);
    aws_log_writer_clean_up(&writer);

    char text[256];
    CHECK_INT_EQ(strlen("existing\nfirst line\nsecond line\n"), read_file(path, text, sizeof(text)));
    CHECK_STR_EQ("existing\nfirst line\nsecond line\n", text);
    remove(path);
}

static void test_file_writer_leaves_callers_file_open(void) {
    char path[128];
    path_in_dir(path, sizeof(path), "borrowed.log");
    FILE *file = fopen(path, "w");
    struct aws_log_writer writer;
    struct aws_log_writer_file_options options = {.file = file};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_writer_init_file(&writer, s_alloc, &options));
    struct aws_string *line = make_line("from the writer\n");
    CHECK_INT_EQ(AWS_OP_SUCCESS, writer.vtable->write(&writer, line));
    aws_string_destroy(line);
    aws_log_writer_clean_up(&writer);
    /* still open: the caller can keep writing and closes it */
    CHECK(fputs("from the caller\n", file) >= 0);
    CHECK_INT_EQ(0, fclose(file));

    char text[256];
    read_file(path, text, sizeof(text));
    CHECK_STR_EQ("from the writer\nfrom the caller\n", text);
    remove(path);
}

static void test_writer_options_are_checked(void) {
    struct aws_log_writer writer;
    struct aws_log_writer_file_options neither = {0};
    CHECK_INT_EQ(AWS_OP_ERR, aws_log_writer_init_file(&writer, s_alloc, &neither));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());

    char path[128];
    path_in_dir(path, sizeof(path), "both.log");
    struct aws_log_writer_file_options both = {.filename = path, .file = stderr};
    CHECK_INT_EQ(AWS_OP_ERR, aws_log_writer_init_file(&writer, s_alloc, &both));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());

    char missing[128];
    path_in_dir(missing, sizeof(missing), "no-such-dir/x.log");
    struct aws_log_writer_file_options bad = {.filename = missing};
    CHECK_INT_EQ(AWS_OP_ERR, aws_log_writer_init_file(&writer, s_alloc, &bad));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
}

static void test_stdout_and_stderr_writers(void) {
    struct aws_log_writer out, err;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_writer_init_stdout(&out, s_alloc));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_writer_init_stderr(&err, s_alloc));
    struct aws_string *line = make_line("log_pieces_test: a line through the stderr writer\n");
    CHECK_INT_EQ(AWS_OP_SUCCESS, err.vtable->write(&err, line));
    aws_string_destroy(line);
    aws_log_writer_clean_up(&out);
    aws_log_writer_clean_up(&err);
    /* neither standard stream was closed */
    CHECK(fflush(stdout) == 0);
    CHECK(fprintf(stderr, "log_pieces_test: stderr still open\n") > 0);
}

/* ---- the default formatter ------------------------------------------------------------- */

static void test_default_formatter_line_shape(void) {
    struct aws_log_formatter formatter;
    struct aws_log_formatter_standard_options options = {.date_format = AWS_DATE_FORMAT_ISO_8601};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_formatter_init_default(&formatter, s_alloc, &options));
    CHECK(formatter.allocator == s_alloc);

    static const struct {
        enum aws_log_level level;
        const char *name;
    } levels[] = {
        {AWS_LL_FATAL, "FATAL"},
        {AWS_LL_ERROR, "ERROR"},
        {AWS_LL_WARN, "WARN"},
        {AWS_LL_INFO, "INFO"},
        {AWS_LL_DEBUG, "DEBUG"},
        {AWS_LL_TRACE, "TRACE"},
    };
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); ++i) {
        struct aws_string *out = NULL;
        CHECK_INT_EQ(
            AWS_OP_SUCCESS,
            format_line(&formatter, &out, levels[i].level, AWS_LS_IO_SOCKET, "n=%d s=%s %%", 42, "text"));
        if (out) {
            CHECK(out->allocator == s_alloc);
            check_standard_line(aws_string_c_str(out), out->len, levels[i].name, "socket", "n=42 s=text %");
            aws_string_destroy(out);
        }
    }

    /* a message longer than any internal buffer */
    char long_msg[5001];
    memset(long_msg, 'q', 5000);
    long_msg[5000] = '\0';
    struct aws_string *out = NULL;
    CHECK_INT_EQ(AWS_OP_SUCCESS, format_line(&formatter, &out, AWS_LL_INFO, AWS_LS_COMMON_GENERAL, "%s", long_msg));
    if (out) {
        check_standard_line(aws_string_c_str(out), out->len, "INFO", "aws-c-common", long_msg);
        aws_string_destroy(out);
    }

    out = NULL;
    CHECK_INT_EQ(AWS_OP_ERR, format_line(&formatter, NULL, AWS_LL_INFO, 0, "x"));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, format_line(&formatter, &out, AWS_LL_COUNT, 0, "x"));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(out == NULL);
    aws_log_formatter_clean_up(&formatter);
}

static void test_formatter_date_formats(void) {
    struct aws_log_formatter rfc, basic, autodetect;
    struct aws_log_formatter_standard_options rfc_options = {.date_format = AWS_DATE_FORMAT_RFC822};
    struct aws_log_formatter_standard_options basic_options = {.date_format = AWS_DATE_FORMAT_ISO_8601_BASIC};
    struct aws_log_formatter_standard_options auto_options = {.date_format = AWS_DATE_FORMAT_AUTO_DETECT};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_formatter_init_default(&rfc, s_alloc, &rfc_options));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_formatter_init_default(&basic, s_alloc, &basic_options));
    /* as upstream, the date format is only checked when a line is formatted */
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_formatter_init_default(&autodetect, s_alloc, &auto_options));

    struct aws_string *out = NULL;
    CHECK_INT_EQ(AWS_OP_SUCCESS, format_line(&rfc, &out, AWS_LL_WARN, AWS_LS_IO_SOCKET, "m"));
    if (out) {
        /* "[WARN] [Sun, 06 Dec 2026 03:14:50 GMT] [" */
        const char *s = aws_string_c_str(out);
        CHECK(strncmp(s, "[WARN] [", 8) == 0);
        CHECK(isupper((unsigned char)s[8]) && s[11] == ',' && s[12] == ' ' && digits(s + 13, 2) && s[15] == ' ' &&
              s[19] == ' ' && digits(s + 20, 4) && s[24] == ' ' && digits(s + 25, 2) && s[27] == ':' &&
              strncmp(s + 33, " GMT] [", 7) == 0);
        const char *tail = "] [socket] - m\n";
        CHECK(out->len > 40 && strcmp(s + out->len - strlen(tail), tail) == 0);
        aws_string_destroy(out);
    }
    out = NULL;
    CHECK_INT_EQ(AWS_OP_SUCCESS, format_line(&basic, &out, AWS_LL_WARN, AWS_LS_IO_SOCKET, "m"));
    if (out) {
        /* "[WARN] [20261206T031450Z] [" */
        const char *s = aws_string_c_str(out);
        CHECK(digits(s + 8, 8) && s[16] == 'T' && digits(s + 17, 6) && strncmp(s + 23, "Z] [", 4) == 0);
        aws_string_destroy(out);
    }
    out = NULL;
    CHECK_INT_EQ(AWS_OP_ERR, format_line(&autodetect, &out, AWS_LL_WARN, AWS_LS_IO_SOCKET, "m"));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(out == NULL);
    aws_log_formatter_clean_up(&rfc);
    aws_log_formatter_clean_up(&basic);
    aws_log_formatter_clean_up(&autodetect);
}

static void test_format_standard_log_line_into_a_buffer(void) {
    char buffer[256];
    struct aws_logging_standard_formatting_data data = {
        .log_line_buffer = buffer,
        .total_length = sizeof(buffer),
        .level = AWS_LL_ERROR,
        .subject_name = "my-subject",
        .format = "v=%u",
        .date_format = AWS_DATE_FORMAT_ISO_8601,
    };
    CHECK_INT_EQ(AWS_OP_SUCCESS, standard_line(&data, 7u));
    CHECK_INT_EQ(strlen(buffer), data.amount_written);
    check_standard_line(buffer, data.amount_written, "ERROR", "my-subject", "v=7");

    /* no subject name: the [subject] part is left out */
    data.subject_name = NULL;
    CHECK_INT_EQ(AWS_OP_SUCCESS, standard_line(&data, 8u));
    char tid[AWS_THREAD_ID_T_REPR_BUFSZ];
    current_thread_hex(tid);
    char tail[64];
    snprintf(tail, sizeof(tail), "] [%s]  - v=8\n", tid);
    CHECK(data.amount_written > strlen(tail) &&
          strcmp(buffer + data.amount_written - strlen(tail), tail) == 0);

    /* a short buffer: cut, newline and NUL kept */
    char small[20];
    data.log_line_buffer = small;
    data.total_length = sizeof(small);
    CHECK_INT_EQ(AWS_OP_SUCCESS, standard_line(&data, 9u));
    CHECK_INT_EQ(sizeof(small) - 1, data.amount_written);
    CHECK(small[sizeof(small) - 2] == '\n' && small[sizeof(small) - 1] == '\0');
    CHECK(strncmp(small, "[ERROR] [", 9) == 0);

    data.total_length = 0;
    CHECK_INT_EQ(AWS_OP_ERR, standard_line(&data, 1u));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
}

/* ---- channels --------------------------------------------------------------------------- */

#define THREADS 4
#define LINES_PER_THREAD 2500
#define TOTAL_LINES (THREADS * LINES_PER_THREAD)

/* A writer in C that remembers each line it is given (and on which thread). */
struct recording_writer {
    char *lines[TOTAL_LINES + 8];
    size_t count;
    size_t overflow;
    aws_thread_id_t last_thread;
};

static int s_record_write(struct aws_log_writer *writer, const struct aws_string *output) {
    struct recording_writer *rec = writer->impl;
    if (rec->count >= sizeof(rec->lines) / sizeof(rec->lines[0])) {
        rec->overflow++;
        return AWS_OP_SUCCESS;
    }
    char *copy = malloc(output->len + 1);
    memcpy(copy, aws_string_bytes(output), output->len + 1);
    rec->lines[rec->count++] = copy;
    rec->last_thread = aws_thread_current_thread_id();
    return AWS_OP_SUCCESS;
}

static void s_record_clean_up(struct aws_log_writer *writer) {
    struct recording_writer *rec = writer->impl;
    for (size_t i = 0; i < rec->count; ++i) {
        free(rec->lines[i]);
    }
    rec->count = 0;
}

static struct aws_log_writer_vtable s_record_vtable = {.write = s_record_write, .clean_up = s_record_clean_up};

static void test_foreground_channel_writes_in_order_on_the_caller(void) {
    static struct recording_writer rec;
    memset(&rec, 0, sizeof(rec));
    struct aws_log_writer writer = {.vtable = &s_record_vtable, .allocator = s_alloc, .impl = &rec};
    struct aws_log_channel channel;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_channel_init_foreground(&channel, s_alloc, &writer));
    CHECK(channel.writer == &writer && channel.allocator == s_alloc);
    for (int i = 0; i < 100; ++i) {
        char text[32];
        snprintf(text, sizeof(text), "line %d\n", i);
        CHECK_INT_EQ(AWS_OP_SUCCESS, channel.vtable->send(&channel, make_line(text)));
        /* written before send returns, on this thread */
        CHECK_INT_EQ(i + 1, rec.count);
    }
    CHECK(aws_thread_thread_id_equal(rec.last_thread, aws_thread_current_thread_id()));
    aws_log_channel_clean_up(&channel);
    for (size_t i = 0; i < rec.count; ++i) {
        char want[32];
        snprintf(want, sizeof(want), "line %zu\n", i);
        CHECK_STR_EQ(want, rec.lines[i]);
    }
    aws_log_writer_clean_up(&writer);
}

struct sender_args {
    struct aws_log_channel *channel;
    int id;
};

static void *s_send_lines(void *arg) {
    struct sender_args *args = arg;
    for (int i = 0; i < LINES_PER_THREAD; ++i) {
        char text[32];
        snprintf(text, sizeof(text), "%d %d\n", args->id, i);
        args->channel->vtable->send(args->channel, make_line(text));
    }
    return NULL;
}

static void test_background_channel_delivers_everything(void) {
    static struct recording_writer rec;
    memset(&rec, 0, sizeof(rec));
    struct aws_log_writer writer = {.vtable = &s_record_vtable, .allocator = s_alloc, .impl = &rec};
    struct aws_log_channel channel;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_channel_init_background(&channel, s_alloc, &writer));
    CHECK(channel.writer == &writer);

    pthread_t threads[THREADS];
    struct sender_args args[THREADS];
    for (int t = 0; t < THREADS; ++t) {
        args[t] = (struct sender_args){.channel = &channel, .id = t};
        CHECK_INT_EQ(0, pthread_create(&threads[t], NULL, s_send_lines, &args[t]));
    }
    for (int t = 0; t < THREADS; ++t) {
        pthread_join(threads[t], NULL);
    }
    /* clean-up waits for the queue to drain */
    aws_log_channel_clean_up(&channel);

    CHECK_INT_EQ(TOTAL_LINES, rec.count);
    CHECK_INT_EQ(0, rec.overflow);
    CHECK(!aws_thread_thread_id_equal(rec.last_thread, aws_thread_current_thread_id()));
    int next[THREADS] = {0};
    for (size_t i = 0; i < rec.count; ++i) {
        int id = -1, seq = -1;
        CHECK_INT_EQ(2, sscanf(rec.lines[i], "%d %d", &id, &seq));
        if (id < 0 || id >= THREADS) {
            CHECK(false);
            continue;
        }
        /* each sender's lines arrive in the order it sent them */
        CHECK_INT_EQ(next[id], seq);
        next[id] = seq + 1;
    }
    for (int t = 0; t < THREADS; ++t) {
        CHECK_INT_EQ(LINES_PER_THREAD, next[t]);
    }
    aws_log_writer_clean_up(&writer);
}

static void test_background_channel_clean_up_when_idle(void) {
    static struct recording_writer rec;
    memset(&rec, 0, sizeof(rec));
    struct aws_log_writer writer = {.vtable = &s_record_vtable, .allocator = s_alloc, .impl = &rec};
    struct aws_log_channel channel;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_channel_init_background(&channel, s_alloc, &writer));
    aws_log_channel_clean_up(&channel);
    CHECK_INT_EQ(0, rec.count);
    aws_log_writer_clean_up(&writer);
}

/* ---- loggers built from the pieces ------------------------------------------------------- */

struct logger_args {
    int id;
};

static void *s_log_lines(void *arg) {
    struct logger_args *args = arg;
    for (int i = 0; i < 1000; ++i) {
        AWS_LOGF_INFO(AWS_LS_IO_SOCKET, "sender %d seq %d", args->id, i);
    }
    return NULL;
}

static void test_standard_logger_is_a_pipeline(void) {
    char path[128];
    path_in_dir(path, sizeof(path), "standard.log");
    struct aws_logger logger;
    struct aws_logger_standard_options options = {.level = AWS_LL_INFO, .filename = path};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_init_standard(&logger, s_alloc, &options));

    /* upstream's shape: p_impl is an aws_logger_pipeline of formatter, background channel and file writer */
    struct aws_logger_pipeline *impl = logger.p_impl;
    CHECK(impl->allocator == s_alloc && impl->formatter && impl->channel && impl->writer);
    CHECK(impl->channel->writer == impl->writer);
    CHECK(impl->formatter->vtable->format && impl->writer->vtable->write && impl->channel->vtable->send);
    CHECK_INT_EQ(AWS_LL_INFO, logger.vtable->get_log_level(&logger, AWS_LS_IO_SOCKET));

    aws_logger_set(&logger);
    AWS_LOGF_WARN(AWS_LS_IO_SOCKET, "warned %d", 1);
    AWS_LOGF_DEBUG(AWS_LS_IO_SOCKET, "filtered out");
    pthread_t threads[THREADS];
    struct logger_args args[THREADS];
    for (int t = 0; t < THREADS; ++t) {
        args[t].id = t;
        CHECK_INT_EQ(0, pthread_create(&threads[t], NULL, s_log_lines, &args[t]));
    }
    for (int t = 0; t < THREADS; ++t) {
        pthread_join(threads[t], NULL);
    }
    aws_logger_set(NULL);
    aws_logger_clean_up(&logger);

    static char text[1 << 20];
    CHECK(read_file(path, text, sizeof(text)) > 0);
    int lines = 0, next[THREADS] = {0};
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        ++lines;
        const char *msg = strstr(line, "] [socket] - ");
        CHECK(msg != NULL);
        if (!msg) {
            continue;
        }
        msg += strlen("] [socket] - ");
        if (lines == 1) {
            CHECK(strncmp(line, "[WARN] [", 8) == 0 && is_iso8601(line + 8));
            CHECK_STR_EQ("warned 1", msg);
            continue;
        }
        CHECK(strncmp(line, "[INFO] [", 8) == 0);
        int id = -1, seq = -1;
        CHECK_INT_EQ(2, sscanf(msg, "sender %d seq %d", &id, &seq));
        if (id >= 0 && id < THREADS) {
            CHECK_INT_EQ(next[id], seq);
            next[id] = seq + 1;
        }
    }
    CHECK_INT_EQ(1 + THREADS * 1000, lines);
    remove(path);
}

static void test_pipeline_over_our_own_parts(void) {
    char path[128];
    path_in_dir(path, sizeof(path), "external.log");
    FILE *file = fopen(path, "w");
    struct aws_log_writer writer;
    struct aws_log_writer_file_options writer_options = {.file = file};
    struct aws_log_formatter formatter;
    struct aws_log_formatter_standard_options formatter_options = {.date_format = AWS_DATE_FORMAT_ISO_8601};
    struct aws_log_channel channel;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_writer_init_file(&writer, s_alloc, &writer_options));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_formatter_init_default(&formatter, s_alloc, &formatter_options));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_channel_init_foreground(&channel, s_alloc, &writer));

    struct aws_logger logger;
    CHECK_INT_EQ(
        AWS_OP_SUCCESS, aws_logger_init_from_external(&logger, s_alloc, &formatter, &channel, &writer, AWS_LL_TRACE));
    aws_logger_set(&logger);
    AWS_LOGF_TRACE(AWS_LS_COMMON_GENERAL, "external %s", "parts");
    aws_logger_set(NULL);
    aws_logger_clean_up(&logger);
    /* the parts are still the caller's */
    aws_log_channel_clean_up(&channel);
    aws_log_formatter_clean_up(&formatter);
    aws_log_writer_clean_up(&writer);
    fclose(file);

    char text[512];
    long len = read_file(path, text, sizeof(text));
    CHECK(len > 0);
    if (len > 0) {
        check_standard_line(text, (size_t)len, "TRACE", "aws-c-common", "external parts");
    }
    remove(path);
}

/* ---- system_info.h ----------------------------------------------------------------------- */

static void test_system_info(void) {
    size_t cpus = aws_system_info_processor_count();
    CHECK_INT_EQ(sysconf(_SC_NPROCESSORS_ONLN), cpus);
    CHECK_INT_EQ(sysconf(_SC_PAGESIZE), aws_system_info_page_size());
    CHECK_INT_EQ(1, aws_get_cpu_group_count());
    CHECK_INT_EQ(cpus, aws_get_cpu_count_for_group(0));

    struct aws_cpu_info infos[8];
    memset(infos, 0x7f, sizeof(infos));
    aws_get_cpu_ids_for_group(0, infos, 8);
    for (int i = 0; i < 8; ++i) {
        CHECK_INT_EQ(i, infos[i].cpu_id);
        CHECK_INT_EQ(i >= 4, infos[i].suspected_hyper_thread);
    }

    CHECK(!aws_is_debugger_present());
    aws_debug_break(); /* no debugger: nothing happens */
    CHECK_INT_EQ(AWS_PLATFORM_OS_UNIX, aws_get_platform_build_os());
    struct aws_byte_cursor os = aws_get_platform_build_os_string();
    CHECK_MEM_EQ("Unix", 4, os.ptr, os.len);

    void *frames[16];
    size_t depth = aws_backtrace(frames, 16);
    CHECK(depth > 0 && depth <= 16);
}

static void test_system_environment(void) {
    struct aws_system_environment *env = aws_system_environment_load(s_alloc);
    CHECK(env != NULL);
    CHECK(aws_system_environment_acquire(env) == env);
    aws_system_environment_release(env);
    CHECK_INT_EQ(aws_system_info_processor_count(), aws_system_environment_get_processor_count(env));
    CHECK_INT_EQ(1, aws_system_environment_get_cpu_group_count(env));

    /* the DMI vendor, trimmed, or empty where sysfs does not have it */
    char raw[256];
    long len = read_file("/sys/devices/virtual/dmi/id/sys_vendor", raw, sizeof(raw));
    struct aws_byte_cursor vendor = aws_system_environment_get_virtualization_vendor(env);
    if (len < 0) {
        CHECK_INT_EQ(0, vendor.len);
    } else {
        while (len > 0 && isspace((unsigned char)raw[len - 1])) {
            raw[--len] = '\0';
        }
        CHECK_MEM_EQ(raw, (size_t)len, vendor.ptr, vendor.len);
    }
    struct aws_byte_cursor product = aws_system_environment_get_virtualization_product_name(env);
    CHECK(product.len == 0 || !isspace(product.ptr[product.len - 1]));
    aws_system_environment_release(env);
    aws_system_environment_release(NULL);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    snprintf(s_dir, sizeof(s_dir), "/tmp/aws_es_rs_log_pieces_XXXXXX");
    if (!mkdtemp(s_dir)) {
        perror("mkdtemp");
        return 1;
    }

    RUN_TEST(test_file_writer_appends_lines);
    RUN_TEST(test_file_writer_leaves_callers_file_open);
    RUN_TEST(test_writer_options_are_checked);
    RUN_TEST(test_stdout_and_stderr_writers);
    RUN_TEST(test_default_formatter_line_shape);
    RUN_TEST(test_formatter_date_formats);
    RUN_TEST(test_format_standard_log_line_into_a_buffer);
    RUN_TEST(test_foreground_channel_writes_in_order_on_the_caller);
    RUN_TEST(test_background_channel_delivers_everything);
    RUN_TEST(test_background_channel_clean_up_when_idle);
    RUN_TEST(test_standard_logger_is_a_pipeline);
    RUN_TEST(test_pipeline_over_our_own_parts);
    RUN_TEST(test_system_info);
    RUN_TEST(test_system_environment);

    CHECK_INT_EQ(0, aws_mem_tracer_bytes(s_alloc));
    aws_mem_tracer_destroy(s_alloc);
    CHECK_INT_EQ(0, rmdir(s_dir));
    fprintf(stderr, "%s\n", g_test_failures ? "FAILED" : "ALL PASSED");
    return g_test_failures ? 1 : 0;
}
