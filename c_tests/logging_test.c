/* Logging: the standard and no-alloc file loggers (line format, level filter,
 * runtime level changes, whole lines under concurrency), a logger written in C,
 * the pipeline logger over C parts, log subject names and level strings. */
#include <aws/common/logging.h>

#include "test_helpers.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------- */

#define MAX_LINES 1024
#define FILE_CAP (1 << 20)

static char s_file_text[FILE_CAP];
static char *s_lines[MAX_LINES];

static void temp_path(char *out, size_t cap, const char *tag) {
    snprintf(out, cap, "/tmp/aws_es_rs_logging_test_%ld_%s.log", (long)getpid(), tag);
    remove(out);
}

/* Reads `path` and splits it into lines (newlines replaced by NULs); returns
 * the count, or -1 if the file does not end with a newline. */
static int read_lines(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        return -1;
    }
    size_t len = fread(s_file_text, 1, FILE_CAP - 1, f);
    fclose(f);
    s_file_text[len] = '\0';
    if (len > 0 && s_file_text[len - 1] != '\n') {
        return -1;
    }
    int count = 0;
    char *p = s_file_text;
    while (*p && count < MAX_LINES) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        s_lines[count++] = p;
        p = nl + 1;
    }
    return count;
}

static bool all_match(const char *s, size_t n, int (*pred)(int)) {
    for (size_t i = 0; i < n; ++i) {
        if (!pred((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static int is_lower_hex(int c) {
    return isdigit(c) || (c >= 'a' && c <= 'f');
}

/* Checks the shape "[LEVEL] [YYYY-MM-DDTHH:MM:SSZ] [16 hex] [SUBJECT] - MESSAGE"
 * and returns a pointer to MESSAGE, or NULL (with a failure) if it differs. */
static const char *check_line(const char *line, const char *level, const char *subject) {
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "[%s] [", level);
    size_t n = strlen(prefix);
    if (strncmp(line, prefix, n) != 0) {
        fprintf(stderr, "bad level in: %s (want %s)\n", line, level);
        g_test_failures++;
        return NULL;
    }
    const char *ts = line + n;
    bool ts_ok = strlen(ts) > 20 && all_match(ts, 4, isdigit) && ts[4] == '-' && all_match(ts + 5, 2, isdigit) &&
                 ts[7] == '-' && all_match(ts + 8, 2, isdigit) && ts[10] == 'T' && all_match(ts + 11, 2, isdigit) &&
                 ts[13] == ':' && all_match(ts + 14, 2, isdigit) && ts[16] == ':' &&
                 all_match(ts + 17, 2, isdigit) && ts[19] == 'Z' && ts[20] == ']';
    if (!ts_ok) {
        fprintf(stderr, "bad timestamp in: %s\n", line);
        g_test_failures++;
        return NULL;
    }
    const char *tid = ts + 21;
    if (strncmp(tid, " [", 2) != 0 || !all_match(tid + 2, 16, is_lower_hex) || strncmp(tid + 18, "] [", 3) != 0) {
        fprintf(stderr, "bad thread id in: %s\n", line);
        g_test_failures++;
        return NULL;
    }
    const char *subj = tid + 21;
    size_t sn = strlen(subject);
    if (strncmp(subj, subject, sn) != 0 || strncmp(subj + sn, "] - ", 4) != 0) {
        fprintf(stderr, "bad subject in: %s (want %s)\n", line, subject);
        g_test_failures++;
        return NULL;
    }
    return subj + sn + 4;
}

static void this_thread_hex(char out[AWS_THREAD_ID_T_REPR_BUFSZ]) {
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_id_t_to_string(pthread_self(), out, AWS_THREAD_ID_T_REPR_BUFSZ));
}

/* ---- the standard logger ------------------------------------------------------ */

static void test_standard_logger_filters_and_formats(void) {
    char path[256];
    temp_path(path, sizeof(path), "standard");
    struct aws_logger logger;
    struct aws_logger_standard_options options = {.level = AWS_LL_INFO, .filename = path};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_init_standard(&logger, aws_default_allocator(), &options));
    /* As upstream: the standard logger's vtable is the exported data object,
     * and it is the logger's own. */
    CHECK(logger.vtable == &g_pipeline_logger_owned_vtable);
    CHECK(g_pipeline_logger_owned_vtable.log != NULL && g_pipeline_logger_owned_vtable.clean_up != NULL);
    CHECK(g_pipeline_logger_owned_vtable.get_log_level(&logger, AWS_LS_COMMON_GENERAL) == AWS_LL_INFO);
    aws_logger_set(&logger);
    CHECK(aws_logger_get() == &logger);
    CHECK(aws_logger_get_conditional(AWS_LS_COMMON_GENERAL, AWS_LL_INFO) == &logger);
    CHECK(aws_logger_get_conditional(AWS_LS_COMMON_GENERAL, AWS_LL_DEBUG) == NULL);

    int evaluated = 0;
    AWS_LOGF_FATAL(AWS_LS_COMMON_GENERAL, "fatal %d", ++evaluated);
    AWS_LOGF_ERROR(AWS_LS_IO_SOCKET, "error %s", "text");
    AWS_LOGF_WARN(AWS_LS_EVENT_STREAM_RPC_SERVER, "warn %05.1f", 2.5);
    AWS_LOGF_INFO(AWS_LS_IO_EVENT_LOOP, "info %c%c", 'o', 'k');
    AWS_LOGF_DEBUG(AWS_LS_COMMON_GENERAL, "debug %d", ++evaluated);
    AWS_LOGF_TRACE(AWS_LS_COMMON_GENERAL, "trace %d", ++evaluated);
    AWS_LOGF(AWS_LL_INFO, 9999, "no subject name");
    CHECK_INT_EQ(1, evaluated); /* filtered calls do not evaluate their arguments */

    aws_logger_set(NULL);
    aws_logger_clean_up(&logger);

    int n = read_lines(path);
    CHECK_INT_EQ(5, n);
    if (n == 5) {
        CHECK_STR_EQ("fatal 1", check_line(s_lines[0], "FATAL", "aws-c-common"));
        CHECK_STR_EQ("error text", check_line(s_lines[1], "ERROR", "socket"));
        CHECK_STR_EQ("warn 002.5", check_line(s_lines[2], "WARN", "event-stream-rpc-server"));
        CHECK_STR_EQ("info ok", check_line(s_lines[3], "INFO", "event-loop"));
        CHECK_STR_EQ("no subject name", check_line(s_lines[4], "INFO", "Unknown"));
        char hex[AWS_THREAD_ID_T_REPR_BUFSZ];
        this_thread_hex(hex);
        CHECK(strstr(s_lines[0], hex) != NULL);
    }
    remove(path);
}

static void test_standard_logger_appends_to_existing_file(void) {
    char path[256];
    temp_path(path, sizeof(path), "append");
    FILE *f = fopen(path, "w");
    fputs("existing line\n", f);
    fclose(f);
    struct aws_logger logger;
    struct aws_logger_standard_options options = {.level = AWS_LL_TRACE, .filename = path};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_init_standard(&logger, aws_default_allocator(), &options));
    AWS_LOGUF((&logger), AWS_LL_TRACE, AWS_LS_COMMON_THREAD, "appended %u", 7u);
    aws_logger_clean_up(&logger);
    CHECK_INT_EQ(2, read_lines(path));
    CHECK_STR_EQ("existing line", s_lines[0]);
    CHECK_STR_EQ("appended 7", check_line(s_lines[1], "TRACE", "thread"));
    remove(path);
}

static void test_standard_logger_options(void) {
    struct aws_logger logger;
    struct aws_logger_standard_options neither = {.level = AWS_LL_INFO};
    CHECK_INT_EQ(AWS_OP_ERR, aws_logger_init_standard(&logger, aws_default_allocator(), &neither));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    struct aws_logger_standard_options both = {.level = AWS_LL_INFO, .filename = "/tmp/x", .file = stderr};
    CHECK_INT_EQ(AWS_OP_ERR, aws_logger_init_standard(&logger, aws_default_allocator(), &both));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    struct aws_logger_standard_options bad_dir = {.level = AWS_LL_INFO, .filename = "/nonexistent_dir_xyz/a.log"};
    CHECK_INT_EQ(AWS_OP_ERR, aws_logger_init_standard(&logger, aws_default_allocator(), &bad_dir));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
}

static void test_set_log_level_at_runtime(void) {
    char path[256];
    temp_path(path, sizeof(path), "level");
    FILE *f = fopen(path, "w");
    struct aws_logger logger;
    struct aws_logger_standard_options options = {.level = AWS_LL_WARN, .file = f};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_init_standard(&logger, aws_default_allocator(), &options));
    aws_logger_set(&logger);
    CHECK_INT_EQ(AWS_LL_WARN, logger.vtable->get_log_level(&logger, AWS_LS_COMMON_GENERAL));
    AWS_LOGF_INFO(AWS_LS_COMMON_GENERAL, "hidden");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_set_log_level(&logger, AWS_LL_INFO));
    CHECK_INT_EQ(AWS_LL_INFO, logger.vtable->get_log_level(&logger, AWS_LS_COMMON_GENERAL));
    AWS_LOGF_INFO(AWS_LS_COMMON_GENERAL, "shown");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_set_log_level(&logger, AWS_LL_NONE));
    AWS_LOGF_FATAL(AWS_LS_COMMON_GENERAL, "hidden too");
    aws_logger_set(NULL);
    aws_logger_clean_up(&logger);
    fclose(f); /* the caller's FILE stays open after clean-up */
    CHECK_INT_EQ(1, read_lines(path));
    CHECK_STR_EQ("shown", check_line(s_lines[0], "INFO", "aws-c-common"));
    remove(path);

    CHECK_INT_EQ(AWS_OP_ERR, aws_logger_set_log_level(NULL, AWS_LL_INFO));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_logger_set_log_level(aws_logger_get(), AWS_LL_INFO)); /* the null logger */
    CHECK_INT_EQ(AWS_ERROR_UNIMPLEMENTED, aws_last_error());
}

/* ---- the no-alloc logger ---------------------------------------------------------- */

static void test_noalloc_logger_truncates_long_lines(void) {
    char path[256];
    temp_path(path, sizeof(path), "noalloc");
    struct aws_logger logger;
    struct aws_logger_standard_options options = {.level = AWS_LL_DEBUG, .filename = path};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_init_noalloc(&logger, aws_default_allocator(), &options));
    static char big[10001];
    memset(big, 'q', 10000);
    big[10000] = '\0';
    AWS_LOGUF((&logger), AWS_LL_DEBUG, AWS_LS_IO_TLS, "%s", big);
    AWS_LOGUF((&logger), AWS_LL_ERROR, AWS_LS_IO_TLS, "short %d", -3);
    aws_logger_clean_up(&logger);
    CHECK_INT_EQ(2, read_lines(path));
    CHECK_INT_EQ(8191, strlen(s_lines[0])); /* 8192 bytes with its newline */
    const char *msg = check_line(s_lines[0], "DEBUG", "tls-handler");
    CHECK(msg != NULL && all_match(msg, strlen(msg), isalpha));
    CHECK_STR_EQ("short -3", check_line(s_lines[1], "ERROR", "tls-handler"));
    remove(path);
}

/* ---- concurrency ---------------------------------------------------------------- */

#define THREADS 4
#define LINES_PER_THREAD 250

static void *s_log_many(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < LINES_PER_THREAD; ++i) {
        AWS_LOGF_INFO(AWS_LS_IO_CHANNEL, "t%d n%03d %0200d end", id, i, 0);
    }
    return NULL;
}

static void test_concurrent_lines_stay_whole(void) {
    char path[256];
    temp_path(path, sizeof(path), "threads");
    struct aws_logger logger;
    struct aws_logger_standard_options options = {.level = AWS_LL_INFO, .filename = path};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_init_standard(&logger, aws_default_allocator(), &options));
    aws_logger_set(&logger);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; ++t) {
        CHECK_INT_EQ(0, pthread_create(&threads[t], NULL, s_log_many, (void *)(intptr_t)t));
    }
    for (int t = 0; t < THREADS; ++t) {
        pthread_join(threads[t], NULL);
    }
    aws_logger_set(NULL);
    aws_logger_clean_up(&logger);

    int n = read_lines(path);
    CHECK_INT_EQ(THREADS * LINES_PER_THREAD, n);
    int next[THREADS] = {0};
    for (int i = 0; i < n; ++i) {
        const char *msg = check_line(s_lines[i], "INFO", "channel");
        int t = -1, seq = -1, consumed = 0;
        if (!msg || sscanf(msg, "t%d n%d %n", &t, &seq, &consumed) != 2 || t < 0 || t >= THREADS) {
            CHECK(!"unparsable line");
            break;
        }
        CHECK_INT_EQ(next[t], seq); /* each thread's lines arrive in its order */
        next[t] = seq + 1;
        CHECK_INT_EQ(204, strlen(msg + consumed)); /* 200 zeros, " end" */
    }
    for (int t = 0; t < THREADS; ++t) {
        CHECK_INT_EQ(LINES_PER_THREAD, next[t]);
    }
    remove(path);
}

/* ---- a logger written in C ------------------------------------------------------ */

static struct {
    int calls;
    int level;
    aws_log_subject_t subject;
    char text[256];
} s_seen;

static int s_custom_log(struct aws_logger *logger, enum aws_log_level level, aws_log_subject_t subject,
                        const char *format, ...) {
    (void)logger;
    va_list args;
    va_start(args, format);
    vsnprintf(s_seen.text, sizeof(s_seen.text), format, args);
    va_end(args);
    s_seen.calls++;
    s_seen.level = level;
    s_seen.subject = subject;
    return AWS_OP_SUCCESS;
}

static enum aws_log_level s_custom_level(struct aws_logger *logger, aws_log_subject_t subject) {
    (void)logger;
    /* A per-subject filter: TRACE for sockets, INFO otherwise. */
    return subject == AWS_LS_IO_SOCKET ? AWS_LL_TRACE : AWS_LL_INFO;
}

static void s_custom_clean_up(struct aws_logger *logger) {
    logger->p_impl = NULL;
}

static void test_custom_c_logger(void) {
    struct aws_logger_vtable vtable = {
        .log = s_custom_log, .get_log_level = s_custom_level, .clean_up = s_custom_clean_up};
    int marker = 1;
    struct aws_logger logger = {.vtable = &vtable, .allocator = aws_default_allocator(), .p_impl = &marker};
    memset(&s_seen, 0, sizeof(s_seen));
    aws_logger_set(&logger);
    CHECK(aws_logger_get() == &logger);

    AWS_LOGF_INFO(AWS_LS_EVENT_STREAM_GENERAL, "x=%d y=%s z=%llx", 5, "why", 0xabcULL);
    CHECK_INT_EQ(1, s_seen.calls);
    CHECK_INT_EQ(AWS_LL_INFO, s_seen.level);
    CHECK_INT_EQ(AWS_LS_EVENT_STREAM_GENERAL, s_seen.subject);
    CHECK_STR_EQ("x=5 y=why z=abc", s_seen.text);

    AWS_LOGF_DEBUG(AWS_LS_EVENT_STREAM_GENERAL, "filtered");
    CHECK_INT_EQ(1, s_seen.calls);
    AWS_LOGF_TRACE(AWS_LS_IO_SOCKET, "socket %s", "trace");
    CHECK_INT_EQ(2, s_seen.calls);
    CHECK_INT_EQ(AWS_LL_TRACE, s_seen.level);
    CHECK_INT_EQ(AWS_LS_IO_SOCKET, s_seen.subject);
    CHECK_STR_EQ("socket trace", s_seen.text);
    CHECK(aws_logger_get_conditional(AWS_LS_IO_SOCKET, AWS_LL_TRACE) == &logger);
    CHECK(aws_logger_get_conditional(AWS_LS_IO_DNS, AWS_LL_TRACE) == NULL);

    /* No set_log_level in this vtable. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_logger_set_log_level(&logger, AWS_LL_TRACE));
    CHECK_INT_EQ(AWS_ERROR_UNIMPLEMENTED, aws_last_error());

    aws_logger_set(NULL);
    struct aws_logger *null_logger = aws_logger_get();
    CHECK(null_logger != NULL && null_logger != &logger);
    CHECK(aws_logger_get_conditional(AWS_LS_COMMON_GENERAL, AWS_LL_FATAL) == NULL);
    CHECK_INT_EQ(AWS_LL_NONE, null_logger->vtable->get_log_level(null_logger, 0));
    AWS_LOGF_FATAL(AWS_LS_COMMON_GENERAL, "goes nowhere");
    CHECK_INT_EQ(2, s_seen.calls);

    aws_logger_clean_up(&logger);
    CHECK(logger.p_impl == NULL);
}

/* ---- the pipeline logger over C parts ---------------------------------------------- */

static struct {
    int sends;
    int fail_next_send;
    char last[256];
} s_pipe;

static int s_format(struct aws_log_formatter *formatter, struct aws_string **out, enum aws_log_level level,
                    aws_log_subject_t subject, const char *format, va_list args) {
    char body[200];
    vsnprintf(body, sizeof(body), format, args);
    char line[256];
    int len = snprintf(line, sizeof(line), "%d/%u:%s", (int)level, (unsigned)subject, body);
    struct aws_string *s = aws_mem_acquire(formatter->allocator, sizeof(struct aws_string) + (size_t)len + 1);
    s->allocator = formatter->allocator;
    s->len = (size_t)len;
    memcpy(s->bytes, line, (size_t)len + 1);
    *out = s;
    return AWS_OP_SUCCESS;
}

static int s_send(struct aws_log_channel *channel, struct aws_string *output) {
    if (s_pipe.fail_next_send) {
        s_pipe.fail_next_send = 0;
        return AWS_OP_ERR; /* the logger keeps ownership and frees it */
    }
    s_pipe.sends++;
    snprintf(s_pipe.last, sizeof(s_pipe.last), "%s", (const char *)output->bytes);
    aws_mem_release(channel->allocator, output);
    return AWS_OP_SUCCESS;
}

static void test_pipeline_over_external_parts(void) {
    struct aws_log_formatter_vtable fvt = {.format = s_format};
    struct aws_log_formatter formatter = {.vtable = &fvt, .allocator = aws_default_allocator()};
    struct aws_log_channel_vtable cvt = {.send = s_send};
    struct aws_log_channel channel = {.vtable = &cvt, .allocator = aws_default_allocator()};
    struct aws_log_writer writer = {0};
    memset(&s_pipe, 0, sizeof(s_pipe));

    struct aws_logger logger;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_logger_init_from_external(&logger, aws_default_allocator(), &formatter, &channel, &writer,
                                               AWS_LL_WARN));
    struct aws_logger_pipeline *impl = logger.p_impl;
    CHECK(impl->formatter == &formatter && impl->channel == &channel && impl->writer == &writer);
    aws_logger_set(&logger);
    AWS_LOGF_WARN(AWS_LS_IO_DNS, "%s-%d", "dns", 42);
    AWS_LOGF_INFO(AWS_LS_IO_DNS, "filtered");
    CHECK_INT_EQ(1, s_pipe.sends);
    CHECK_STR_EQ("3/1030:dns-42", s_pipe.last);

    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_logger_set_log_level(&logger, AWS_LL_DEBUG));
    CHECK_INT_EQ(AWS_LL_DEBUG, logger.vtable->get_log_level(&logger, 0));
    AWS_LOGF_DEBUG(AWS_LS_COMMON_GENERAL, "%.3s", "abcdef");
    CHECK_INT_EQ(2, s_pipe.sends);
    CHECK_STR_EQ("5/0:abc", s_pipe.last);

    s_pipe.fail_next_send = 1;
    CHECK_INT_EQ(AWS_OP_ERR, logger.vtable->log(&logger, AWS_LL_ERROR, 0, "lost %d", 1));
    CHECK_INT_EQ(2, s_pipe.sends);

    aws_logger_set(NULL);
    aws_logger_clean_up(&logger);
}

/* ---- subjects and levels -------------------------------------------------------------- */

static struct aws_log_subject_info s_my_subjects[] = {
    DEFINE_LOG_SUBJECT_INFO(AWS_LOG_SUBJECT_BEGIN_RANGE(7), "my-general", "first"),
    DEFINE_LOG_SUBJECT_INFO(AWS_LOG_SUBJECT_BEGIN_RANGE(7) + 1, "my-other", "second"),
};
static struct aws_log_subject_info_list s_my_list = {.subject_list = s_my_subjects, .count = 2};

static struct aws_log_subject_info s_override[] = {
    DEFINE_LOG_SUBJECT_INFO(AWS_LS_COMMON_GENERAL, "overridden", ""),
};
static struct aws_log_subject_info_list s_override_list = {.subject_list = s_override, .count = 1};

static void test_subject_names(void) {
    CHECK_STR_EQ("aws-c-common", aws_log_subject_name(AWS_LS_COMMON_GENERAL));
    CHECK_STR_EQ("task-scheduler", aws_log_subject_name(AWS_LS_COMMON_TASK_SCHEDULER));
    CHECK_STR_EQ("memtrace", aws_log_subject_name(AWS_LS_COMMON_MEMTRACE));
    CHECK_STR_EQ("cbor", aws_log_subject_name(AWS_LS_COMMON_CBOR));
    CHECK_STR_EQ("aws-c-io", aws_log_subject_name(AWS_LS_IO_GENERAL));
    CHECK_STR_EQ("event-loop", aws_log_subject_name(AWS_LS_IO_EVENT_LOOP));
    CHECK_STR_EQ("tls-handler", aws_log_subject_name(AWS_LS_IO_TLS));
    CHECK_STR_EQ("channel-bootstrap", aws_log_subject_name(AWS_LS_IO_CHANNEL_BOOTSTRAP));
    CHECK_STR_EQ("pem", aws_log_subject_name(AWS_LS_IO_PEM));
    CHECK_STR_EQ("event-stream-general", aws_log_subject_name(AWS_LS_EVENT_STREAM_GENERAL));
    CHECK_STR_EQ("event-stream-channel-handler", aws_log_subject_name(AWS_LS_EVENT_STREAM_CHANNEL_HANDLER));
    CHECK_STR_EQ("event-stream-rpc-client", aws_log_subject_name(AWS_LS_EVENT_STREAM_RPC_CLIENT));
    CHECK_STR_EQ("Unknown", aws_log_subject_name(AWS_LS_IO_PEM + 1));
    CHECK_STR_EQ("Unknown", aws_log_subject_name(AWS_LS_COMMON_LAST));
    CHECK_STR_EQ("Unknown", aws_log_subject_name(AWS_LOG_SUBJECT_BEGIN_RANGE(7)));
    CHECK_STR_EQ("Unknown", aws_log_subject_name(0xffffffffu));
    CHECK_INT_EQ(1024, AWS_LOG_SUBJECT_BEGIN_RANGE(1));
    CHECK_INT_EQ(2047, AWS_LOG_SUBJECT_END_RANGE(1));

    aws_register_log_subject_info_list(&s_my_list);
    CHECK_STR_EQ("my-general", aws_log_subject_name(7 * 1024));
    CHECK_STR_EQ("my-other", aws_log_subject_name(7 * 1024 + 1));
    CHECK_STR_EQ("Unknown", aws_log_subject_name(7 * 1024 + 2));
    aws_unregister_log_subject_info_list(&s_my_list);
    CHECK_STR_EQ("Unknown", aws_log_subject_name(7 * 1024));

    /* A registered list replaces a slot's names; unregistering restores ours. */
    aws_register_log_subject_info_list(&s_override_list);
    CHECK_STR_EQ("overridden", aws_log_subject_name(AWS_LS_COMMON_GENERAL));
    CHECK_STR_EQ("Unknown", aws_log_subject_name(AWS_LS_COMMON_THREAD));
    aws_unregister_log_subject_info_list(&s_override_list);
    CHECK_STR_EQ("aws-c-common", aws_log_subject_name(AWS_LS_COMMON_GENERAL));
    CHECK_STR_EQ("thread", aws_log_subject_name(AWS_LS_COMMON_THREAD));
}

static void test_level_strings(void) {
    static const char *names[] = {"NONE", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"};
    for (int level = AWS_LL_NONE; level < AWS_LL_COUNT; ++level) {
        const char *name = NULL;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_level_to_string((enum aws_log_level)level, &name));
        CHECK_STR_EQ(names[level], name);
        enum aws_log_level back = AWS_LL_COUNT;
        CHECK_INT_EQ(AWS_OP_SUCCESS, aws_string_to_log_level(name, &back));
        CHECK_INT_EQ(level, back);
    }
    enum aws_log_level parsed = AWS_LL_NONE;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_string_to_log_level("dEbUg", &parsed));
    CHECK_INT_EQ(AWS_LL_DEBUG, parsed);

    aws_reset_error();
    parsed = AWS_LL_FATAL;
    CHECK_INT_EQ(AWS_OP_ERR, aws_string_to_log_level("verbose", &parsed));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_INT_EQ(AWS_LL_FATAL, parsed); /* untouched on failure */
    CHECK_INT_EQ(AWS_OP_ERR, aws_string_to_log_level("INFO ", &parsed));
    CHECK_INT_EQ(AWS_OP_ERR, aws_string_to_log_level("", &parsed));
    CHECK_INT_EQ(AWS_OP_ERR, aws_string_to_log_level(NULL, &parsed));
    CHECK_INT_EQ(AWS_OP_ERR, aws_string_to_log_level("INFO", NULL));

    aws_reset_error();
    const char *name = "unchanged";
    CHECK_INT_EQ(AWS_OP_ERR, aws_log_level_to_string(AWS_LL_COUNT, &name));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK_STR_EQ("unchanged", name);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_log_level_to_string(AWS_LL_WARN, NULL));
}

static void test_thread_id_strings(void) {
    char buf[AWS_THREAD_ID_T_REPR_BUFSZ];
    memset(buf, 'x', sizeof(buf));
    CHECK_INT_EQ(AWS_OP_ERR, aws_thread_id_t_to_string(pthread_self(), buf, sizeof(buf) - 1));
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
    CHECK(buf[0] == 'x');
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_thread_id_t_to_string(pthread_self(), buf, sizeof(buf)));
    char want[32];
    snprintf(want, sizeof(want), "%016lx", (unsigned long)pthread_self());
    CHECK_STR_EQ(want, buf);
}

int main(void) {
    RUN_TEST(test_standard_logger_filters_and_formats);
    RUN_TEST(test_standard_logger_appends_to_existing_file);
    RUN_TEST(test_standard_logger_options);
    RUN_TEST(test_set_log_level_at_runtime);
    RUN_TEST(test_noalloc_logger_truncates_long_lines);
    RUN_TEST(test_concurrent_lines_stay_whole);
    RUN_TEST(test_custom_c_logger);
    RUN_TEST(test_pipeline_over_external_parts);
    RUN_TEST(test_subject_names);
    RUN_TEST(test_level_strings);
    RUN_TEST(test_thread_id_strings);
    return TEST_RESULT();
}
