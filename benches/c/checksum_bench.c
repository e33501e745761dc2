/* aws-checksums throughput through the public C API (aws_checksums_crc32,
 * aws_checksums_crc32c), for the buffer sizes the event-stream codec feeds
 * them: a 12-byte prelude, a ~150-byte small message and a 64 KiB payload.
 * Builds unchanged against upstream's headers, so one binary can be timed on
 * either library.
 *
 * Output: RESULT bench=c_<crc>_<size> impl=<name> mb_per_s=<n> calls_per_s=<n>
 * Each case runs 0.5 s (0.1 s with BENCH_QUICK=1). The impl name is argv[1],
 * else $BENCH_IMPL, else "unknown". */
#include <aws/checksums/crc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LEN (64 * 1024)
#define CLOCK_STRIDE 64
#define MAX_ITERATIONS 2000000000ull

static uint8_t s_data[MAX_LEN];

static double s_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef uint32_t(crc_fn)(const uint8_t *input, int length, uint32_t previous);

/* Known check values guard against timing a broken function. */
static void s_check(const char *name, crc_fn *fn, uint32_t want) {
    uint32_t got = fn((const uint8_t *)"123456789", 9, 0);
    if (got != want) {
        fprintf(stderr, "checksum_bench: %s(\"123456789\") = 0x%08x, want 0x%08x\n", name, got, want);
        exit(1);
    }
}

static void s_run(const char *name, crc_fn *fn, const char *size_name, int len, const char *impl, double budget) {
    uint32_t acc = 0;
    double warm_end = s_now() + budget * 0.1;
    for (unsigned long long i = 0; i < MAX_ITERATIONS; ++i) {
        acc = fn(s_data, len, acc);
        if (i % CLOCK_STRIDE == 0 && s_now() >= warm_end) {
            break;
        }
    }
    unsigned long long calls = 0;
    double start = s_now();
    double elapsed = 0.0;
    while (calls < MAX_ITERATIONS) {
        acc = fn(s_data, len, acc);
        ++calls;
        if (calls % CLOCK_STRIDE == 0) {
            elapsed = s_now() - start;
            if (elapsed >= budget) {
                break;
            }
        }
    }
    if (elapsed <= 0.0) {
        elapsed = s_now() - start;
    }
    /* acc feeds the output so the calls cannot be optimised away. */
    printf(
        "RESULT bench=c_%s_%s impl=%s mb_per_s=%.1f calls_per_s=%.0f acc=%08x\n",
        name,
        size_name,
        impl,
        (double)calls * (double)len / elapsed / 1e6,
        (double)calls / elapsed,
        acc);
    fflush(stdout);
}

int main(int argc, char **argv) {
    const char *impl = argc > 1 ? argv[1] : getenv("BENCH_IMPL");
    if (!impl || !*impl) {
        impl = "unknown";
    }
    const char *quick = getenv("BENCH_QUICK");
    double budget = (quick && *quick && strcmp(quick, "0") != 0) ? 0.1 : 0.5;
    for (size_t i = 0; i < MAX_LEN; ++i) {
        s_data[i] = (uint8_t)(i * 2654435761u >> 11);
    }
    s_check("aws_checksums_crc32", aws_checksums_crc32, 0xCBF43926u);
    s_check("aws_checksums_crc32c", aws_checksums_crc32c, 0xE3069283u);

    static const struct {
        const char *name;
        int len;
    } sizes[] = {{"12b", 12}, {"150b", 150}, {"64k", MAX_LEN}};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); ++i) {
        s_run("crc32", aws_checksums_crc32, sizes[i].name, sizes[i].len, impl, budget);
        s_run("crc32c", aws_checksums_crc32c, sizes[i].name, sizes[i].len, impl, budget);
    }
    return 0;
}
