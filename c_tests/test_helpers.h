/* Minimal assertion helpers for the C test programs. Each test program is a
 * main() that runs its cases and returns 0 only if every check passed. */
#ifndef C_TESTS_TEST_HELPERS_H
#define C_TESTS_TEST_HELPERS_H

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int g_test_failures = 0;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                   \
            g_test_failures++;                                                                                         \
        }                                                                                                              \
    } while (0)

#define CHECK_INT_EQ(expected, actual)                                                                                 \
    do {                                                                                                               \
        long long e_ = (long long)(expected), a_ = (long long)(actual);                                                \
        if (e_ != a_) {                                                                                                \
            fprintf(stderr, "%s:%d: %s == %s failed: expected %lld, got %lld\n", __FILE__, __LINE__, #expected,       \
                    #actual, e_, a_);                                                                                  \
            g_test_failures++;                                                                                         \
        }                                                                                                              \
    } while (0)

#define CHECK_STR_EQ(expected, actual)                                                                                 \
    do {                                                                                                               \
        const char *e_ = (expected), *a_ = (actual);                                                                   \
        if (!e_ || !a_ || strcmp(e_, a_) != 0) {                                                                       \
            fprintf(stderr, "%s:%d: %s == %s failed: expected \"%s\", got \"%s\"\n", __FILE__, __LINE__, #expected,   \
                    #actual, e_ ? e_ : "(null)", a_ ? a_ : "(null)");                                                  \
            g_test_failures++;                                                                                         \
        }                                                                                                              \
    } while (0)

#define CHECK_MEM_EQ(expected, expected_len, actual, actual_len)                                                       \
    do {                                                                                                               \
        size_t el_ = (size_t)(expected_len), al_ = (size_t)(actual_len);                                               \
        if (el_ != al_ || (el_ && memcmp((expected), (actual), el_) != 0)) {                                           \
            fprintf(stderr, "%s:%d: memory %s != %s (lengths %zu, %zu)\n", __FILE__, __LINE__, #expected, #actual,    \
                    el_, al_);                                                                                         \
            g_test_failures++;                                                                                         \
        }                                                                                                              \
    } while (0)

/* Runs one test case function `static void name(void)` and reports it. */
#define RUN_TEST(name)                                                                                                 \
    do {                                                                                                               \
        int before_ = g_test_failures;                                                                                 \
        name();                                                                                                        \
        fprintf(stderr, "%s %s\n", g_test_failures == before_ ? "PASS" : "FAIL", #name);                             \
    } while (0)

/* Forks a child whose stderr goes to a pipe; the parent gets the pipe's read
 * end in *read_fd. Returns the child's pid (0 in the child, -1 on error). */
static pid_t test_fork_capturing_stderr_(int *read_fd) {
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        /* An expected abort should not leave a core file behind. */
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    *read_fd = fds[0];
    return pid;
}

/* Reads the child's stderr until it closes, keeping the first cap - 1 bytes
 * (NUL-terminated) and draining the rest so the child never blocks; then reaps
 * it and returns the wait status. */
static int test_collect_child_(pid_t pid, int read_fd, char *text, size_t cap) {
    size_t used = 0;
    char spill[512];
    for (;;) {
        char *into = used < cap - 1 ? text + used : spill;
        size_t room = used < cap - 1 ? cap - 1 - used : sizeof(spill);
        ssize_t n = read(read_fd, into, room);
        if (n <= 0) {
            break;
        }
        if (into != spill) {
            used += (size_t)n;
        }
    }
    text[used] = '\0';
    close(read_fd);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return status;
}

/* Runs the statements after `expected` in a forked child and checks that the
 * child died of SIGABRT having written `expected` to stderr. The statements
 * must not return normally (if they do, the child exits 0 and the check fails). */
#define CHECK_ABORTS(expected, ...)                                                                                    \
    do {                                                                                                               \
        int fd_ = -1;                                                                                                  \
        pid_t pid_ = test_fork_capturing_stderr_(&fd_);                                                                \
        if (pid_ == 0) {                                                                                               \
            __VA_ARGS__;                                                                                               \
            _exit(0);                                                                                                  \
        }                                                                                                              \
        CHECK(pid_ > 0);                                                                                               \
        if (pid_ > 0) {                                                                                                \
            char out_[8192];                                                                                           \
            int status_ = test_collect_child_(pid_, fd_, out_, sizeof(out_));                                          \
            CHECK_INT_EQ(SIGABRT, WIFSIGNALED(status_) ? WTERMSIG(status_) : -1);                                      \
            if (strstr(out_, (expected)) == NULL) {                                                                    \
                fprintf(stderr, "%s:%d: child stderr lacks \"%s\": \"%s\"\n", __FILE__, __LINE__, (expected), out_); \
                g_test_failures++;                                                                                     \
            }                                                                                                          \
        }                                                                                                              \
    } while (0)

#define TEST_RESULT() (g_test_failures == 0 ? 0 : 1)

#endif
