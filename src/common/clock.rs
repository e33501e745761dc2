//! Clocks in nanoseconds and timestamp unit conversion.
//!
//! The high-resolution clock is CLOCK_BOOTTIME, as upstream picks on Linux: it
//! is monotonic and keeps counting while the machine is suspended, so timers
//! scheduled on it do not stretch across a suspend. The system clock is
//! CLOCK_REALTIME (wall time since the epoch).
use libc::{c_int, clockid_t};

use super::abi::AWS_OP_SUCCESS;
use super::error::raise;
use super::error_codes::AWS_ERROR_CLOCK_FAILURE;
use crate::fatal_precondition;

pub const NANOS_PER_SEC: u64 = 1_000_000_000;

fn read_clock(id: clockid_t) -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid, writable timespec.
    if unsafe { libc::clock_gettime(id, &mut ts) } != 0 {
        return None;
    }
    Some(
        (ts.tv_sec as u64)
            .wrapping_mul(NANOS_PER_SEC)
            .wrapping_add(ts.tv_nsec as u64),
    )
}

/// Monotonic time in ns (the clock behind `aws_high_res_clock_get_ticks`).
pub fn high_res_ns() -> Option<u64> {
    read_clock(libc::CLOCK_BOOTTIME)
}

/// Wall-clock time in ns since the epoch (`aws_sys_clock_get_ticks`).
pub fn sys_ns() -> Option<u64> {
    read_clock(libc::CLOCK_REALTIME)
}

/// Converts `ticks` at `old_frequency` ticks per second to `new_frequency`,
/// saturating at `u64::MAX`, exactly as the `aws_timestamp_convert_u64`
/// inline in `clock.h`. The remainder is the part lost when converting to a
/// frequency that evenly divides the old one, else 0.
pub fn timestamp_convert(ticks: u64, old_frequency: u64, new_frequency: u64) -> (u64, u64) {
    assert!(
        old_frequency > 0 && new_frequency > 0,
        "timestamp frequencies must be positive"
    );
    let remainder = if new_frequency < old_frequency && old_frequency % new_frequency == 0 {
        ticks % (old_frequency / new_frequency)
    } else {
        0
    };
    let whole_seconds = ticks / old_frequency;
    let sub_second_ticks = ticks % old_frequency;
    let whole = whole_seconds.saturating_mul(new_frequency);
    let fraction = sub_second_ticks.saturating_mul(new_frequency) / old_frequency;
    (whole.saturating_add(fraction), remainder)
}

#[no_mangle]
pub unsafe extern "C" fn aws_high_res_clock_get_ticks(timestamp: *mut u64) -> c_int {
    fatal_precondition!(!timestamp.is_null(), "aws_high_res_clock_get_ticks");
    match high_res_ns() {
        // SAFETY: non-NULL, caller-provided output.
        Some(ns) => unsafe {
            *timestamp = ns;
            AWS_OP_SUCCESS
        },
        None => raise(AWS_ERROR_CLOCK_FAILURE),
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_sys_clock_get_ticks(timestamp: *mut u64) -> c_int {
    fatal_precondition!(!timestamp.is_null(), "aws_sys_clock_get_ticks");
    match sys_ns() {
        // SAFETY: non-NULL, caller-provided output.
        Some(ns) => unsafe {
            *timestamp = ns;
            AWS_OP_SUCCESS
        },
        None => raise(AWS_ERROR_CLOCK_FAILURE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_and_high_res_is_monotonic() {
        let a = high_res_ns().unwrap();
        let b = high_res_ns().unwrap();
        assert!(b >= a);
        // Wall time is after 2020-01-01.
        assert!(sys_ns().unwrap() > 1_577_836_800 * NANOS_PER_SEC);
    }

    #[test]
    fn conversions_between_units() {
        assert_eq!(timestamp_convert(10, 1, 1_000), (10_000, 0));
        assert_eq!(
            timestamp_convert(10_123_456_789, NANOS_PER_SEC, 1),
            (10, 123_456_789)
        );
        assert_eq!(timestamp_convert(1_999, 1_000, 1), (1, 999));
        // 3 MHz to ns: remainder is 0 because 1e9 is not a divisor of 3e6.
        assert_eq!(
            timestamp_convert(30 * 24 * 3600 * 3_000_000, 3_000_000, NANOS_PER_SEC).0,
            2_592_000_000_000_000
        );
    }

    #[test]
    fn conversions_saturate() {
        assert_eq!(
            timestamp_convert(100_000_000_000, 1, NANOS_PER_SEC).0,
            u64::MAX
        );
        assert_eq!(timestamp_convert(u64::MAX, 1_000, 1_000_000).0, u64::MAX);
        // Largest value that still fits: u64::MAX ns expressed in seconds and back.
        let (secs, rem) = timestamp_convert(u64::MAX, NANOS_PER_SEC, 1);
        assert_eq!(secs, u64::MAX / NANOS_PER_SEC);
        assert_eq!(rem, u64::MAX % NANOS_PER_SEC);
        assert_eq!(timestamp_convert(secs, 1, NANOS_PER_SEC).0, u64::MAX - rem);
    }
}
