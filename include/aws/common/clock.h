#ifndef AWS_COMMON_CLOCK_H
#define AWS_COMMON_CLOCK_H
/* aws-c-event-stream-rs: enum aws_timestamp_unit and the two clocks
 * (aws_high_res_clock_get_ticks: monotonic ns; aws_sys_clock_get_ticks: ns since
 * the epoch) are declared in the generated header. The unit conversions are
 * inline, as upstream's are. */
#include <aws/common/common.h>

#if defined(__has_include)
#    if __has_include(<aws/common/math.h>)
#        include <aws/common/math.h>
#    endif
#endif

#include <stdint.h>

/* Saturating helpers private to this header (aws/common/math.h has the
 * public ones). */
static inline uint64_t aws_es_rs_clock_mul_sat_(uint64_t a, uint64_t b) {
    if (a != 0 && b > UINT64_MAX / a) {
        return UINT64_MAX;
    }
    return a * b;
}

static inline uint64_t aws_es_rs_clock_add_sat_(uint64_t a, uint64_t b) {
    return (b > UINT64_MAX - a) ? UINT64_MAX : a + b;
}

/*
 * Converts `ticks` counted at `old_frequency` per second into ticks at
 * `new_frequency` per second. The result saturates at UINT64_MAX instead of
 * wrapping. When `remainder` is not NULL it receives the ticks lost by the
 * conversion if the old frequency is a whole multiple of the new one, and 0
 * otherwise. Both frequencies must be positive (the process aborts if not).
 */
AWS_STATIC_IMPL uint64_t aws_timestamp_convert_u64(
    uint64_t ticks,
    uint64_t old_frequency,
    uint64_t new_frequency,
    uint64_t *remainder) {

    if (old_frequency == 0 || new_frequency == 0) {
        fprintf(stderr, "aws_timestamp_convert_u64: frequencies must be positive\n");
        abort();
    }

    if (remainder) {
        *remainder = 0;
        if (new_frequency < old_frequency && old_frequency % new_frequency == 0) {
            *remainder = ticks % (old_frequency / new_frequency);
        }
    }

    /* Whole seconds and the sub-second part are scaled separately so that the
     * intermediate products stay in range for any realistic frequency. */
    uint64_t seconds = ticks / old_frequency;
    uint64_t sub_second = ticks % old_frequency;
    uint64_t whole = aws_es_rs_clock_mul_sat_(seconds, new_frequency);
    uint64_t fraction = aws_es_rs_clock_mul_sat_(sub_second, new_frequency) / old_frequency;
    return aws_es_rs_clock_add_sat_(whole, fraction);
}

/* aws_timestamp_convert_u64 between two of the standard units. */
AWS_STATIC_IMPL uint64_t aws_timestamp_convert(
    uint64_t timestamp,
    enum aws_timestamp_unit convert_from,
    enum aws_timestamp_unit convert_to,
    uint64_t *remainder) {
    return aws_timestamp_convert_u64(timestamp, (uint64_t)convert_from, (uint64_t)convert_to, remainder);
}

#endif /* AWS_COMMON_CLOCK_H */
