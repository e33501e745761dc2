/* The io surface beyond sockets and channels, against our headers at
 * upstream's paths: pipes on an event loop (writes in order, readable events,
 * broken pipe once the write end is gone, wrong-thread errors), PEM parsing,
 * sanitising and DER-to-PEM, input streams over a cursor and a file, futures
 * of each kind (by value, with clean-up, pointer with destroy) including the
 * AWS_FUTURE_T_* macros, retry strategies (no-retry refusal, exponential
 * backoff exhausting its retries, standard bucket refusing client errors),
 * async read-to-fill, shared libraries and the PKI lookups. Every wait is
 * bounded; the tracing allocator ends at zero. */
#include <aws/common/byte_buf.h>
#include <aws/common/clock.h>
#include <aws/common/condition_variable.h>
#include <aws/common/mutex.h>
#include <aws/common/string.h>
#include <aws/io/async_stream.h>
#include <aws/io/event_loop.h>
#include <aws/io/future.h>
#include <aws/io/io.h>
#include <aws/io/pem.h>
#include <aws/io/pipe.h>
#include <aws/io/private/pem_utils.h>
#include <aws/io/private/pki_utils.h>
#include <aws/io/retry_strategy.h>
#include <aws/io/shared_library.h>
#include <aws/io/stream.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_helpers.h"

#define WAIT_NS (10LL * 1000 * 1000 * 1000)

static struct aws_allocator *s_alloc;
static struct aws_mutex s_mutex = AWS_MUTEX_INIT;
static struct aws_condition_variable s_cv = AWS_CONDITION_VARIABLE_INIT;

static bool s_flag_set(void *arg) {
    return *(bool *)arg;
}

/* Waits (bounded) for *flag under s_mutex. */
static bool s_wait_flag(bool *flag) {
    aws_mutex_lock(&s_mutex);
    aws_condition_variable_wait_for_pred(&s_cv, &s_mutex, WAIT_NS, s_flag_set, flag);
    bool set = *flag;
    aws_mutex_unlock(&s_mutex);
    return set;
}

static void s_set_flag(bool *flag) {
    aws_mutex_lock(&s_mutex);
    *flag = true;
    aws_condition_variable_notify_all(&s_cv);
    aws_mutex_unlock(&s_mutex);
}

/* ---- pipes ---- */

struct pipe_state {
    struct aws_pipe_read_end read_end;
    struct aws_pipe_write_end write_end;
    struct aws_byte_buf received;
    int writes_done;
    int write_errors;
    int broken_pipe_events;
    bool done;
    struct aws_task task;
};

static void s_on_write(struct aws_pipe_write_end *w, int error_code, struct aws_byte_cursor src, void *user_data) {
    (void)w;
    (void)src;
    struct pipe_state *st = user_data;
    st->writes_done++;
    if (error_code) {
        st->write_errors++;
    }
}

static void s_on_readable(struct aws_pipe_read_end *r, int error_code, void *user_data) {
    struct pipe_state *st = user_data;
    if (error_code == AWS_IO_BROKEN_PIPE) {
        st->broken_pipe_events++;
        aws_pipe_clean_up_read_end(r);
        s_set_flag(&st->done);
        return;
    }
    uint8_t chunk[64] = {0};
    struct aws_byte_buf buf = aws_byte_buf_from_empty_array(chunk, sizeof(chunk));
    size_t n = 0;
    while (aws_pipe_read(r, &buf, &n) == AWS_OP_SUCCESS && n > 0) {
        struct aws_byte_cursor c = aws_byte_cursor_from_buf(&buf);
        aws_byte_buf_append_dynamic(&st->received, &c);
        buf.len = 0;
    }
    if (st->received.len == 10 && st->writes_done == 2) {
        /* Both writes arrived in order: close the write end, expect a broken pipe. */
        aws_pipe_clean_up_write_end(&st->write_end);
    }
}

static void s_pipe_task(struct aws_task *task, void *arg, enum aws_task_status status) {
    (void)task;
    (void)status;
    struct pipe_state *st = arg;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pipe_subscribe_to_readable_events(&st->read_end, s_on_readable, st));
    CHECK_INT_EQ(AWS_OP_ERR, aws_pipe_subscribe_to_readable_events(&st->read_end, s_on_readable, st));
    CHECK_INT_EQ(AWS_ERROR_IO_ALREADY_SUBSCRIBED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pipe_write(&st->write_end, aws_byte_cursor_from_c_str("hello"), s_on_write, st));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pipe_write(&st->write_end, aws_byte_cursor_from_c_str("world"), s_on_write, st));
}

static void test_pipe_on_loop(void) {
    struct aws_event_loop_group_options opts = {.loop_count = 1};
    struct aws_event_loop_group *group = aws_event_loop_group_new(s_alloc, &opts);
    struct aws_event_loop *loop = aws_event_loop_group_get_next_loop(group);
    struct pipe_state st;
    memset(&st, 0, sizeof(st));
    aws_byte_buf_init(&st.received, s_alloc, 16);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pipe_init(&st.read_end, loop, &st.write_end, loop, s_alloc));
    CHECK(aws_pipe_get_read_end_event_loop(&st.read_end) == loop);
    CHECK(aws_pipe_get_write_end_event_loop(&st.write_end) == loop);
    /* Off the loop thread: refused. */
    CHECK_INT_EQ(AWS_OP_ERR, aws_pipe_write(&st.write_end, aws_byte_cursor_from_c_str("x"), NULL, NULL));
    CHECK_INT_EQ(AWS_ERROR_IO_EVENT_LOOP_THREAD_ONLY, aws_last_error());
    aws_task_init(&st.task, s_pipe_task, &st, "pipe_test");
    aws_event_loop_schedule_task_now(loop, &st.task);
    CHECK(s_wait_flag(&st.done));
    CHECK_INT_EQ(2, st.writes_done);
    CHECK_INT_EQ(0, st.write_errors);
    CHECK_INT_EQ(1, st.broken_pipe_events);
    CHECK_MEM_EQ("helloworld", 10, st.received.buffer, st.received.len);
    CHECK(st.read_end.impl_data == NULL && st.write_end.impl_data == NULL);
    aws_byte_buf_clean_up(&st.received);
    aws_event_loop_group_release(group);
}

/* ---- PEM ---- */

static const char *s_pem = "# comment\n"
                           "-----BEGIN CERTIFICATE-----\r\n"
                           "AAECAw==\r\n"
                           "-----END CERTIFICATE-----\r\n"
                           "junk\n"
                           "-----BEGIN EC PRIVATE KEY-----\n"
                           "BAUG\n"
                           "-----END EC PRIVATE KEY-----\n";

static void test_pem(void) {
    struct aws_array_list objs;
    CHECK_INT_EQ(AWS_OP_SUCCESS,
                 aws_pem_objects_init_from_file_contents(&objs, s_alloc, aws_byte_cursor_from_c_str(s_pem)));
    CHECK_INT_EQ(2, (int)aws_array_list_length(&objs));
    struct aws_pem_object *o = NULL;
    aws_array_list_get_at_ptr(&objs, (void **)&o, 0);
    CHECK_INT_EQ(AWS_PEM_TYPE_X509, o->type);
    CHECK_STR_EQ("CERTIFICATE", aws_string_c_str(o->type_string));
    CHECK_MEM_EQ("\x00\x01\x02\x03", 4, o->data.buffer, o->data.len);
    aws_array_list_get_at_ptr(&objs, (void **)&o, 1);
    CHECK_INT_EQ(AWS_PEM_TYPE_EC_PRIVATE, o->type);
    CHECK_MEM_EQ("\x04\x05\x06", 3, o->data.buffer, o->data.len);
    aws_pem_objects_clean_up(&objs);

    CHECK_INT_EQ(AWS_OP_ERR, aws_pem_objects_init_from_file_contents(
                                 &objs, s_alloc, aws_byte_cursor_from_c_str("-----BEGIN X-----\nAA==\n")));
    CHECK_INT_EQ(AWS_ERROR_PEM_MALFORMED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_ERR, aws_pem_objects_init_from_file_path(&objs, s_alloc, "/nonexistent/x.pem"));
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());

    struct aws_byte_buf buf;
    aws_byte_buf_init_copy_from_cursor(&buf, s_alloc, aws_byte_cursor_from_c_str("x\n-----BEGIN A-----\nAA==\n-----END A-----\ny"));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_sanitize_pem(&buf, s_alloc));
    CHECK_MEM_EQ("-----BEGIN A-----\nAA==\n-----END A-----\n", 39, buf.buffer, buf.len);
    aws_byte_buf_clean_up(&buf);

    uint8_t der[100];
    for (int i = 0; i < 100; ++i) {
        der[i] = (uint8_t)i;
    }
    struct aws_string *pem = aws_der_cert_to_pem(s_alloc, aws_byte_cursor_from_array(der, sizeof(der)));
    CHECK(pem != NULL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_pem_objects_init_from_file_contents(&objs, s_alloc, aws_byte_cursor_from_string(pem)));
    aws_array_list_get_at_ptr(&objs, (void **)&o, 0);
    CHECK_MEM_EQ(der, sizeof(der), o->data.buffer, o->data.len);
    aws_pem_objects_clean_up(&objs);
    aws_string_destroy(pem);
    CHECK(aws_der_cert_to_pem(s_alloc, aws_byte_cursor_from_array(der, 0)) == NULL);
    CHECK_INT_EQ(AWS_ERROR_INVALID_ARGUMENT, aws_last_error());
}

/* ---- input streams ---- */

static void test_streams(void) {
    struct aws_byte_cursor data = aws_byte_cursor_from_c_str("0123456789");
    struct aws_input_stream *s = aws_input_stream_new_from_cursor(s_alloc, &data);
    int64_t len = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_input_stream_get_length(s, &len));
    CHECK_INT_EQ(10, (int)len);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_input_stream_seek(s, -4, AWS_SSB_END));
    uint8_t out[8] = {0};
    struct aws_byte_buf buf = aws_byte_buf_from_empty_array(out, sizeof(out));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_input_stream_read(s, &buf));
    CHECK_MEM_EQ("6789", 4, buf.buffer, buf.len);
    struct aws_stream_status status;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_input_stream_get_status(s, &status));
    CHECK(status.is_end_of_stream && status.is_valid);
    CHECK_INT_EQ(AWS_OP_ERR, aws_input_stream_seek(s, 11, AWS_SSB_BEGIN));
    CHECK_INT_EQ(AWS_IO_STREAM_INVALID_SEEK_POSITION, aws_last_error());
    CHECK(aws_input_stream_acquire(s) == s);
    aws_input_stream_release(s);
    aws_input_stream_release(s);

    char path[] = "/tmp/io_surface_streamXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK_INT_EQ(5, (int)write(fd, "abcde", 5));
    close(fd);
    s = aws_input_stream_new_from_file(s_alloc, path);
    CHECK(s != NULL);
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_input_stream_get_length(s, &len));
    CHECK_INT_EQ(5, (int)len);
    buf.len = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_input_stream_seek(s, 1, AWS_SSB_BEGIN));
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_input_stream_read(s, &buf));
    CHECK_MEM_EQ("bcde", 4, buf.buffer, buf.len);
    aws_input_stream_release(s);
    FILE *f = fopen(path, "rb");
    s = aws_input_stream_new_from_open_file(s_alloc, f);
    buf.len = 0;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_input_stream_read(s, &buf));
    CHECK_INT_EQ(5, (int)buf.len);
    aws_input_stream_release(s);
    fclose(f); /* still ours */
    unlink(path);
    CHECK(aws_input_stream_new_from_file(s_alloc, "/nonexistent/file") == NULL);
    CHECK_INT_EQ(AWS_ERROR_FILE_INVALID_PATH, aws_last_error());
}

/* ---- futures ---- */

AWS_FUTURE_T_BY_VALUE_WITH_CLEAN_UP_DECLARATION(test_future_buf, struct aws_byte_buf, )
AWS_FUTURE_T_BY_VALUE_WITH_CLEAN_UP_IMPLEMENTATION(test_future_buf, struct aws_byte_buf, aws_byte_buf_clean_up)
AWS_FUTURE_T_POINTER_WITH_DESTROY_DECLARATION(test_future_string, struct aws_string, )
AWS_FUTURE_T_POINTER_WITH_DESTROY_IMPLEMENTATION(test_future_string, struct aws_string, aws_string_destroy)

static int s_callbacks;
static void s_count_callback(void *user_data) {
    (void)user_data;
    s_callbacks++;
}

static void test_futures(void) {
    s_callbacks = 0;
    struct aws_future_size *fs = aws_future_size_new(s_alloc);
    CHECK(aws_future_size_register_callback_if_not_done(fs, s_count_callback, NULL));
    aws_future_size_set_result(fs, 42);
    aws_future_size_set_error(fs, AWS_ERROR_UNKNOWN); /* ignored: done */
    CHECK_INT_EQ(1, s_callbacks);
    CHECK_INT_EQ(0, aws_future_size_get_error(fs));
    CHECK_INT_EQ(42, (int)aws_future_size_get_result(fs));
    /* Once fired, a new registration is allowed and reports "done". */
    CHECK(!aws_future_size_register_callback_if_not_done(fs, s_count_callback, NULL));
    aws_future_size_release(fs);

    struct aws_future_bool *fb = aws_future_bool_new(s_alloc);
    aws_future_bool_set_error(fb, AWS_ERROR_SHORT_BUFFER);
    CHECK(aws_future_bool_wait(fb, 0));
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_future_bool_get_error(fb));
    aws_future_bool_release(fb);

    /* A moved-in buffer the future still owns is cleaned up on release. */
    struct test_future_buf *fbuf = test_future_buf_new(s_alloc);
    struct aws_byte_buf b;
    aws_byte_buf_init(&b, s_alloc, 32);
    test_future_buf_set_result_by_move(fbuf, &b);
    CHECK(b.buffer == NULL);
    CHECK_INT_EQ(32, (int)test_future_buf_peek_result(fbuf)->capacity);
    test_future_buf_release(fbuf);

    /* Moved out, it is ours to free. */
    struct test_future_string *fstr = test_future_string_new(s_alloc);
    struct aws_string *str = aws_string_new_from_c_str(s_alloc, "value");
    test_future_string_set_result_by_move(fstr, &str);
    CHECK(str == NULL);
    struct aws_string *late = aws_string_new_from_c_str(s_alloc, "late");
    test_future_string_set_result_by_move(fstr, &late); /* done: destroyed instead */
    CHECK(late == NULL);
    struct aws_string *got = test_future_string_get_result_by_move(fstr);
    CHECK_STR_EQ("value", aws_string_c_str(got));
    test_future_string_release(fstr);
    aws_string_destroy(got);
}

/* ---- retry strategies ---- */

struct retry_state {
    struct aws_retry_token *token;
    int acquire_error;
    int ready_calls;
    bool acquired;
    bool ready;
};

static void s_on_token(struct aws_retry_strategy *strategy, int error_code, struct aws_retry_token *token, void *user_data) {
    (void)strategy;
    struct retry_state *st = user_data;
    st->token = token;
    st->acquire_error = error_code;
    s_set_flag(&st->acquired);
}

static void s_on_ready(struct aws_retry_token *token, int error_code, void *user_data) {
    (void)token;
    struct retry_state *st = user_data;
    CHECK_INT_EQ(0, error_code);
    st->ready_calls++;
    s_set_flag(&st->ready);
}

static bool s_shutdown_done;
static void s_on_strategy_shutdown(void *user_data) {
    (void)user_data;
    s_set_flag(&s_shutdown_done);
}

static void test_retry(void) {
    struct aws_retry_strategy *none = aws_retry_strategy_new_no_retry(s_alloc, NULL);
    CHECK_INT_EQ(AWS_OP_ERR, aws_retry_strategy_acquire_retry_token(none, NULL, s_on_token, NULL, 0));
    CHECK_INT_EQ(AWS_IO_RETRY_PERMISSION_DENIED, aws_last_error());
    aws_retry_strategy_release(none);

    struct aws_event_loop_group_options opts = {.loop_count = 1};
    struct aws_event_loop_group *group = aws_event_loop_group_new(s_alloc, &opts);
    struct aws_shutdown_callback_options shutdown = {.shutdown_callback_fn = s_on_strategy_shutdown};
    struct aws_exponential_backoff_retry_options backoff = {
        .el_group = group,
        .max_retries = 2,
        .backoff_scale_factor_ms = 1,
        .jitter_mode = AWS_EXPONENTIAL_BACKOFF_JITTER_NONE,
        .shutdown_options = &shutdown,
    };
    struct aws_retry_strategy *exp = aws_retry_strategy_new_exponential_backoff(s_alloc, &backoff);
    CHECK(exp != NULL);
    struct retry_state st = {0};
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_retry_strategy_acquire_retry_token(exp, NULL, s_on_token, &st, 0));
    CHECK(s_wait_flag(&st.acquired));
    CHECK_INT_EQ(0, st.acquire_error);
    for (int i = 0; i < 2; ++i) {
        st.ready = false;
        CHECK_INT_EQ(AWS_OP_SUCCESS,
                     aws_retry_strategy_schedule_retry(st.token, AWS_RETRY_ERROR_TYPE_SERVER_ERROR, s_on_ready, &st));
        CHECK(s_wait_flag(&st.ready));
    }
    CHECK_INT_EQ(AWS_OP_ERR,
                 aws_retry_strategy_schedule_retry(st.token, AWS_RETRY_ERROR_TYPE_SERVER_ERROR, s_on_ready, &st));
    CHECK_INT_EQ(AWS_IO_MAX_RETRIES_EXCEEDED, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_retry_token_record_success(st.token));
    aws_retry_token_release(st.token);
    aws_retry_strategy_release(exp);
    CHECK(s_wait_flag(&s_shutdown_done));

    struct aws_standard_retry_options std_opts = {.backoff_retry_options = {.el_group = group}};
    struct aws_retry_strategy *standard = aws_retry_strategy_new_standard(s_alloc, &std_opts);
    struct retry_state st2 = {0};
    struct aws_byte_cursor partition = aws_byte_cursor_from_c_str("Partition");
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_retry_strategy_acquire_retry_token(standard, &partition, s_on_token, &st2, 0));
    CHECK(s_wait_flag(&st2.acquired));
    CHECK_INT_EQ(AWS_OP_ERR,
                 aws_retry_strategy_schedule_retry(st2.token, AWS_RETRY_ERROR_TYPE_CLIENT_ERROR, s_on_ready, &st2));
    CHECK_INT_EQ(AWS_IO_RETRY_PERMISSION_DENIED, aws_last_error());
    aws_retry_token_release(st2.token);
    aws_retry_strategy_release(standard);
    aws_event_loop_group_release(group);
}

/* ---- async streams ---- */

struct chunk_stream {
    struct aws_async_input_stream base;
    size_t left;
};

static void s_chunk_destroy(struct aws_async_input_stream *stream) {
    aws_mem_release(stream->alloc, stream->impl);
}

/* Completes at once with 3 bytes per read; true at end of stream. */
static struct aws_future_bool *s_chunk_read(struct aws_async_input_stream *stream, struct aws_byte_buf *dest) {
    struct chunk_stream *cs = stream->impl;
    size_t n = dest->capacity - dest->len;
    n = n < 3 ? n : 3;
    n = n < cs->left ? n : cs->left;
    memset(dest->buffer + dest->len, 'z', n);
    dest->len += n;
    cs->left -= n;
    struct aws_future_bool *f = aws_future_bool_new(stream->alloc);
    aws_future_bool_set_result(f, cs->left == 0);
    return f;
}

static const struct aws_async_input_stream_vtable s_chunk_vtable = {.destroy = s_chunk_destroy, .read = s_chunk_read};

static void test_async_stream(void) {
    struct chunk_stream *cs = aws_mem_calloc(s_alloc, 1, sizeof(*cs));
    aws_async_input_stream_init_base(&cs->base, s_alloc, &s_chunk_vtable, cs);
    cs->left = 7;
    struct aws_byte_buf buf;
    aws_byte_buf_init(&buf, s_alloc, 5);
    struct aws_future_bool *f = aws_async_input_stream_read_to_fill(&cs->base, &buf);
    CHECK(aws_future_bool_is_done(f));
    CHECK_INT_EQ(0, aws_future_bool_get_error(f));
    CHECK(!aws_future_bool_get_result(f));
    CHECK_INT_EQ(5, (int)buf.len);
    aws_future_bool_release(f);
    f = aws_async_input_stream_read_to_fill(&cs->base, &buf); /* full */
    CHECK_INT_EQ(AWS_ERROR_SHORT_BUFFER, aws_future_bool_get_error(f));
    aws_future_bool_release(f);
    buf.len = 0;
    f = aws_async_input_stream_read_to_fill(&cs->base, &buf);
    CHECK(aws_future_bool_get_result(f));
    CHECK_INT_EQ(2, (int)buf.len);
    aws_future_bool_release(f);
    aws_byte_buf_clean_up(&buf);
    aws_async_input_stream_release(&cs->base);
}

/* ---- shared libraries, PKI ---- */

static void test_shared_library_and_pki(void) {
    struct aws_shared_library lib;
    CHECK_INT_EQ(AWS_OP_ERR, aws_shared_library_init(&lib, "not-a-real-library.so"));
    CHECK_INT_EQ(AWS_IO_SHARED_LIBRARY_LOAD_FAILURE, aws_last_error());
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_shared_library_init(&lib, NULL));
    aws_generic_function fn = NULL;
    CHECK_INT_EQ(AWS_OP_SUCCESS, aws_shared_library_find_function(&lib, "aws_shared_library_init", &fn));
    CHECK(fn != NULL);
    CHECK_INT_EQ(AWS_OP_ERR, aws_shared_library_find_function(&lib, "no_such_function_here", &fn));
    CHECK(fn == NULL);
    aws_shared_library_clean_up(&lib);
    const char *dir = aws_determine_default_pki_dir();
    const char *file = aws_determine_default_pki_ca_file();
    CHECK(dir == NULL || access(dir, F_OK) == 0);
    CHECK(file == NULL || access(file, F_OK) == 0);
}

int main(void) {
    s_alloc = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    aws_io_library_init(s_alloc);
    RUN_TEST(test_pipe_on_loop);
    RUN_TEST(test_pem);
    RUN_TEST(test_streams);
    RUN_TEST(test_futures);
    RUN_TEST(test_retry);
    RUN_TEST(test_async_stream);
    RUN_TEST(test_shared_library_and_pki);
    aws_io_library_clean_up();
    CHECK_INT_EQ(0, (int)aws_mem_tracer_count(s_alloc));
    aws_mem_tracer_destroy(s_alloc);
    return TEST_RESULT();
}
