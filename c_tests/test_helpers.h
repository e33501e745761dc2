/* Minimal assertion helpers for the C test programs. Each test program is a
 * main() that runs its cases and returns 0 only if every check passed. */
#ifndef C_TESTS_TEST_HELPERS_H
#define C_TESTS_TEST_HELPERS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#define TEST_RESULT() (g_test_failures == 0 ? 0 : 1)

#endif
