/* aws_common_library_init/clean_up pairs, aws_fatal_assert and
 * aws_common_fatal_assert_library_initialized in forked children (SIGABRT and
 * the upstream message on stderr), aws_backtrace_print to a FILE. */
#include <aws/common/common.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_helpers.h"

/* Runs fn in a child with stderr captured; returns the wait status and fills text. */
static int s_run_child(void (*fn)(void), char *text, size_t cap) {
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        fn();
        _exit(0); /* only reached if fn returned */
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t n;
    while (used < cap - 1 && (n = read(fds[0], text + used, cap - 1 - used)) > 0) {
        used += (size_t)n;
    }
    text[used] = '\0';
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

static void s_assert_fails(void) {
    aws_fatal_assert("1 == 2", "some/file.c", 4242);
}

static void s_check_uninitialized(void) {
    aws_common_library_clean_up();
    aws_common_fatal_assert_library_initialized();
}

static void s_check_initialized(void) {
    aws_common_library_init(aws_default_allocator());
    aws_common_fatal_assert_library_initialized();
}

static void test_init_clean_up_pairs(void) {
    struct aws_allocator *t = aws_mem_tracer_new(aws_default_allocator(), NULL, AWS_MEMTRACE_BYTES, 0);
    for (int i = 0; i < 3; i++) {
        aws_common_library_init(t);
        aws_common_library_init(t); /* a second init is harmless */
        aws_common_fatal_assert_library_initialized();
        aws_common_library_clean_up();
        aws_common_library_clean_up(); /* so is a second clean-up */
    }
    CHECK_INT_EQ(0, aws_mem_tracer_count(t));
    aws_mem_tracer_destroy(t);
}

static void test_fatal_assert_aborts_with_message(void) {
    char text[32768];
    int status = s_run_child(s_assert_fails, text, sizeof(text));
    CHECK(WIFSIGNALED(status));
    CHECK_INT_EQ(SIGABRT, WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    CHECK(strstr(text, "Fatal error condition occurred in some/file.c:4242: 1 == 2\n") != NULL);
    CHECK(strstr(text, "Exiting Application") != NULL);
    CHECK(strstr(text, "Stack trace:") != NULL);
}

static void test_library_initialized_assert(void) {
    char text[32768];
    int status = s_run_child(s_check_uninitialized, text, sizeof(text));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK(strstr(text, "aws_common_library_init() must be called before using any functionality in aws-c-common.") !=
          NULL);
    CHECK(strstr(text, "Fatal error condition occurred in") != NULL);

    status = s_run_child(s_check_initialized, text, sizeof(text));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_STR_EQ("", text);
}

static void test_backtrace_print_to_file(void) {
    FILE *fp = tmpfile();
    CHECK(fp != NULL);
    if (!fp) {
        return;
    }
    aws_backtrace_print(fp, NULL);
    long size = ftell(fp);
    CHECK(size > 0);
    rewind(fp);
    char text[8192] = {0};
    size_t got = fread(text, 1, sizeof(text) - 1, fp);
    CHECK(got > 0);
    CHECK(strstr(text, "Stack trace:") != NULL);
    fclose(fp);
}

int main(void) {
    RUN_TEST(test_init_clean_up_pairs);
    RUN_TEST(test_fatal_assert_aborts_with_message);
    RUN_TEST(test_library_initialized_assert);
    RUN_TEST(test_backtrace_print_to_file);
    return TEST_RESULT();
}
