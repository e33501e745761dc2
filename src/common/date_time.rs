//! `aws_date_time` (`aws/common/date_time.h`): a UTC timestamp with
//! milliseconds and its broken-down UTC and local forms, parsed from and
//! printed as RFC 822 ("Tue, 24 Sep 2019 04:08:43 GMT") and ISO 8601
//! ("2019-09-24T04:08:43Z", basic "20190924T040843Z"). Parsing is plain Rust
//! (`parse_rfc822`, `parse_iso8601`); the calendar conversions are libc's
//! (timegm, gmtime_r, localtime_r, mktime, strftime), as upstream's are.
use std::ffi::CStr;

use libc::{c_int, time_t, tm};

use super::abi::*;
use super::error::raise;
use super::error_codes::*;

const STR_MAX_LEN: usize = 100;
const FORMAT_RFC822: c_int = 0;
const FORMAT_ISO_8601: c_int = 1;
const FORMAT_ISO_8601_BASIC: c_int = 2;
const FORMAT_AUTO_DETECT: c_int = 3;

/// A parsed date: calendar fields (tm conventions), seconds east of UTC, the
/// RFC 822 zone text, and whether the text named UTC or an offset.
#[derive(Default, Debug, PartialEq)]
struct Parsed {
    year: c_int,
    mon: c_int,
    mday: c_int,
    hour: c_int,
    min: c_int,
    sec: c_int,
    offset: i64,
    tz: [u8; 5],
    utc: bool,
}

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

fn month_number(name: &[u8]) -> Option<c_int> {
    let head = name.get(..3)?.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| m[..] == head[..])
        .map(|i| i as c_int)
}

/// Z, UT, UTC, GMT (by prefix, any case) or a +hhmm / -hhmm offset.
fn is_utc_zone(tz: &[u8]) -> bool {
    let lower = tz.to_ascii_lowercase();
    match lower.as_slice() {
        [] => false,
        [b'z', ..] => true,
        [b'+' | b'-', _, _, _, _] => true,
        [b'u', b't'] => true,
        [_] | [_, _] => false,
        [a, b, c, ..] => [*a, *b, *c] == *b"utc" || [*a, *b, *c] == *b"gmt",
    }
}

fn push_digit(field: &mut c_int, c: u8) {
    *field = field
        .saturating_mul(10)
        .saturating_add(c_int::from(c - b'0'));
}

/// `[Weekday, ]DD Mon YYYY HH:MM:SS ZONE` (two-digit years are 20xx). The
/// zone is required, must be UTC-like or an offset, and is at most 5 bytes.
fn parse_rfc822(text: &[u8]) -> Option<Parsed> {
    #[derive(PartialEq)]
    enum St {
        Weekday,
        Space,
        MonthDay,
        Month,
        Year,
        Hour,
        Minute,
        Second,
        Tz,
    }
    let mut p = Parsed::default();
    let mut state = St::Weekday;
    let mut start = 0;
    for (i, &c) in text.iter().enumerate() {
        let run = i - start;
        match state {
            St::Weekday if c == b',' => (state, start) = (St::Space, i + 1),
            St::Weekday if c.is_ascii_digit() => {
                // The first digit of the day itself is not counted, as upstream's parser does not.
                state = St::MonthDay;
            }
            St::Weekday if c.is_ascii_alphabetic() => {}
            St::Space if c.is_ascii_whitespace() => (state, start) = (St::MonthDay, i + 1),
            St::MonthDay if c.is_ascii_digit() => push_digit(&mut p.mday, c),
            St::MonthDay if c.is_ascii_whitespace() => (state, start) = (St::Month, i + 1),
            St::Month if c.is_ascii_whitespace() => {
                p.mon = month_number(&text[start..=i])?;
                (state, start) = (St::Year, i + 1);
            }
            St::Month if c.is_ascii_alphabetic() => {}
            St::Year if c.is_ascii_whitespace() && (run == 4 || run == 2) => {
                p.year += if run == 4 { -1900 } else { 100 };
                (state, start) = (St::Hour, i + 1);
            }
            St::Year if c.is_ascii_digit() => push_digit(&mut p.year, c),
            St::Hour if c == b':' && run == 2 => (state, start) = (St::Minute, i + 1),
            St::Hour if c.is_ascii_digit() => push_digit(&mut p.hour, c),
            St::Minute if c == b':' && run == 2 => (state, start) = (St::Second, i + 1),
            St::Minute if c.is_ascii_digit() => push_digit(&mut p.min, c),
            St::Second if c.is_ascii_whitespace() && run == 2 => (state, start) = (St::Tz, i + 1),
            St::Second if c.is_ascii_digit() => push_digit(&mut p.sec, c),
            St::Tz if (c.is_ascii_alphanumeric() || c == b'-' || c == b'+') && run < 5 => {
                p.tz[run] = c
            }
            _ => return None,
        }
    }
    let tz_len = p.tz.iter().position(|&b| b == 0).unwrap_or(5);
    let tz = &p.tz[..tz_len];
    if !tz.is_empty() {
        if !is_utc_zone(tz) {
            return None;
        }
        p.utc = true;
        if let [sign @ (b'+' | b'-'), h1, h2, m1, m2] = *tz {
            let num = |a: u8, b: u8| {
                i64::from(a.wrapping_sub(b'0')) * 10 + i64::from(b.wrapping_sub(b'0'))
            };
            let digits = [h1, h2, m1, m2].iter().all(u8::is_ascii_digit);
            let secs = if digits {
                num(h1, h2) * 3600 + num(m1, m2) * 60
            } else {
                0
            };
            p.offset = if sign == b'-' { -secs } else { secs };
        }
    }
    (state == St::Tz).then_some(p)
}

/// A little cursor for the ISO 8601 parser.
struct Scan<'a>(&'a [u8]);

impl Scan<'_> {
    fn digits(&mut self, n: usize) -> Option<c_int> {
        let head = self.0.get(..n)?;
        if !head.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = &self.0[n..];
        Some(head.iter().fold(0, |v, c| v * 10 + c_int::from(c - b'0')))
    }
    fn byte(&mut self) -> Option<u8> {
        let (&c, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(c)
    }
    fn skip_if(&mut self, c: u8) -> bool {
        let hit = self.0.first() == Some(&c);
        if hit {
            self.0 = &self.0[1..];
        }
        hit
    }
}

/// `YYYY-MM-DD[(T| )hh:mm:ss[.fff](Z|±hh[:]mm)]`, each separator optional as a
/// whole (basic form); fractional seconds are skipped.
fn parse_iso8601(text: &[u8]) -> Option<Parsed> {
    let mut s = Scan(text);
    let mut p = Parsed {
        year: s.digits(4)? - 1900,
        utc: true,
        ..Parsed::default()
    };
    let dashes = s.skip_if(b'-');
    p.mon = s.digits(2)? - 1;
    if dashes && s.byte()? != b'-' {
        return None;
    }
    p.mday = s.digits(2)?;
    if s.0.is_empty() {
        return Some(p);
    }
    if !matches!(s.byte()?, b'T' | b't' | b' ') {
        return None;
    }
    p.hour = s.digits(2)?;
    let colons = s.skip_if(b':');
    p.min = s.digits(2)?;
    if colons && s.byte()? != b':' {
        return None;
    }
    p.sec = s.digits(2)?;
    if matches!(s.0.first(), Some(b'.' | b',')) {
        let n = s.0[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        s.0 = &s.0[1 + n..];
    }
    let zone = s.byte()?;
    if zone.eq_ignore_ascii_case(&b'z') {
        return Some(p);
    }
    if zone != b'+' && zone != b'-' {
        return None;
    }
    let hours = s.digits(2)?;
    s.skip_if(b':');
    let minutes = s.digits(2)?;
    let secs = i64::from(hours) * 3600 + i64::from(minutes) * 60;
    p.offset = if zone == b'-' { -secs } else { secs };
    Some(p)
}

fn broken_down(timestamp: time_t, local: bool) -> tm {
    // SAFETY: an all-zero tm is valid; gmtime_r/localtime_r only write into it.
    unsafe {
        let mut out: tm = std::mem::zeroed();
        if local {
            libc::localtime_r(&timestamp, &mut out);
        } else {
            libc::gmtime_r(&timestamp, &mut out);
        }
        out
    }
}

fn fill(dt: &mut aws_date_time) {
    dt.gmt_time = broken_down(dt.timestamp, false);
    dt.local_time = broken_down(dt.timestamp, true);
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_init_epoch_millis(
    dt: *mut aws_date_time,
    ms_since_epoch: u64,
) {
    // SAFETY: dt is writable (caller contract).
    let dt = unsafe { &mut *dt };
    dt.timestamp = (ms_since_epoch / 1000) as time_t;
    dt.milliseconds = (ms_since_epoch % 1000) as u16;
    fill(dt);
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_init_now(dt: *mut aws_date_time) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    // SAFETY: forwarded caller contract.
    unsafe { aws_date_time_init_epoch_millis(dt, now.as_millis() as u64) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_init_epoch_secs(dt: *mut aws_date_time, sec_ms: f64) {
    // SAFETY: dt is writable (caller contract).
    let dt = unsafe { &mut *dt };
    let whole = sec_ms.trunc();
    dt.milliseconds = ((sec_ms - whole) * 1000.0).round() as u16;
    dt.timestamp = whole as time_t;
    fill(dt);
}

fn init_from_text(dt: &mut aws_date_time, text: &[u8], fmt: c_int) -> c_int {
    if text.len() > STR_MAX_LEN {
        return raise(AWS_ERROR_OVERFLOW_DETECTED);
    }
    // SAFETY: aws_date_time is plain data; all-zero is its reset state.
    *dt = unsafe { std::mem::zeroed() };
    let mut parsed = None;
    if matches!(
        fmt,
        FORMAT_ISO_8601 | FORMAT_ISO_8601_BASIC | FORMAT_AUTO_DETECT
    ) {
        parsed = parse_iso8601(text);
    }
    if parsed.is_none() && matches!(fmt, FORMAT_RFC822 | FORMAT_AUTO_DETECT) {
        parsed = parse_rfc822(text);
        if let Some(p) = &parsed {
            for (d, s) in dt.tz.iter_mut().zip(p.tz) {
                *d = s as libc::c_char;
            }
        }
    }
    let Some(p) = parsed else {
        return raise(AWS_ERROR_INVALID_DATE_STR);
    };
    dt.utc_assumed = p.utc;
    // SAFETY: an all-zero tm is valid; timegm/mktime read and normalise it.
    let timestamp = unsafe {
        let mut t: tm = std::mem::zeroed();
        (
            t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
        ) = (p.year, p.mon, p.mday, p.hour, p.min, p.sec);
        if p.utc || p.offset != 0 {
            libc::timegm(&mut t)
        } else {
            libc::mktime(&mut t)
        }
    };
    dt.timestamp = timestamp - p.offset as time_t;
    dt.milliseconds = 0;
    fill(dt);
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_init_from_str_cursor(
    dt: *mut aws_date_time,
    date_str_cursor: *const aws_byte_cursor,
    fmt: enum_aws_date_format,
) -> c_int {
    // SAFETY: dt is writable and the cursor valid (caller contract).
    unsafe {
        let c = &*date_str_cursor;
        init_from_text(&mut *dt, crate::ffi::slice(c.ptr, c.len), fmt)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_init_from_str(
    dt: *mut aws_date_time,
    date_str: *const aws_byte_buf,
    fmt: enum_aws_date_format,
) -> c_int {
    // SAFETY: dt is writable and the buffer valid (caller contract).
    unsafe {
        let b = &*date_str;
        init_from_text(&mut *dt, crate::ffi::slice(b.buffer, b.len), fmt)
    }
}

/// strftime into the free tail of `out`; AWS_ERROR_SHORT_BUFFER when it does not fit.
///
/// # Safety
/// `out` is a valid buffer.
unsafe fn strftime_into(t: &tm, format: &CStr, out: *mut aws_byte_buf) -> c_int {
    // SAFETY: strftime writes at most the free space it is given.
    unsafe {
        let b = &mut *out;
        let room = b.capacity - b.len;
        let n = libc::strftime(b.buffer.add(b.len).cast(), room, format.as_ptr(), t);
        if n == 0 {
            return raise(AWS_ERROR_SHORT_BUFFER);
        }
        b.len += n;
    }
    AWS_OP_SUCCESS
}

/// # Safety
/// `dt` is a valid date and `out` a valid buffer.
unsafe fn to_str(
    dt: *const aws_date_time,
    fmt: c_int,
    out: *mut aws_byte_buf,
    local: bool,
    short: bool,
) -> c_int {
    let format: &CStr = match (fmt, short, local) {
        (FORMAT_RFC822, false, false) => c"%a, %d %b %Y %H:%M:%S GMT",
        (FORMAT_RFC822, false, true) => c"%a, %d %b %Y %H:%M:%S %Z",
        (FORMAT_RFC822, true, _) => c"%a, %d %b %Y",
        (FORMAT_ISO_8601, false, _) => c"%Y-%m-%dT%H:%M:%SZ",
        (FORMAT_ISO_8601, true, _) => c"%Y-%m-%d",
        (FORMAT_ISO_8601_BASIC, false, _) => c"%Y%m%dT%H%M%SZ",
        (FORMAT_ISO_8601_BASIC, true, _) => c"%Y%m%d",
        _ => return raise(AWS_ERROR_INVALID_ARGUMENT),
    };
    // SAFETY: per the contract.
    unsafe {
        let t = if local {
            &(*dt).local_time
        } else {
            &(*dt).gmt_time
        };
        strftime_into(t, format, out)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_to_local_time_str(
    dt: *const aws_date_time,
    fmt: enum_aws_date_format,
    output_buf: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { to_str(dt, fmt, output_buf, true, false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_to_utc_time_str(
    dt: *const aws_date_time,
    fmt: enum_aws_date_format,
    output_buf: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { to_str(dt, fmt, output_buf, false, false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_to_local_time_short_str(
    dt: *const aws_date_time,
    fmt: enum_aws_date_format,
    output_buf: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { to_str(dt, fmt, output_buf, true, true) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_to_utc_time_short_str(
    dt: *const aws_date_time,
    fmt: enum_aws_date_format,
    output_buf: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { to_str(dt, fmt, output_buf, false, true) }
}

/// The UTC or local broken-down time of a valid date.
///
/// # Safety
/// `dt` points to a valid aws_date_time.
unsafe fn fields<'a>(dt: *const aws_date_time, local: bool) -> &'a tm {
    // SAFETY: per the contract.
    unsafe {
        if local {
            &(*dt).local_time
        } else {
            &(*dt).gmt_time
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_as_epoch_secs(dt: *const aws_date_time) -> f64 {
    // SAFETY: dt is a valid date.
    let dt = unsafe { &*dt };
    dt.timestamp as f64 + f64::from(dt.milliseconds) / 1000.0
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_as_nanos(dt: *const aws_date_time) -> u64 {
    // SAFETY: dt is a valid date.
    let dt = unsafe { &*dt };
    (dt.timestamp as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(dt.milliseconds) * 1_000_000)
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_as_millis(dt: *const aws_date_time) -> u64 {
    // SAFETY: dt is a valid date.
    let dt = unsafe { &*dt };
    (dt.timestamp as u64)
        .saturating_mul(1000)
        .saturating_add(u64::from(dt.milliseconds))
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_year(dt: *const aws_date_time, local_time: bool) -> u16 {
    // SAFETY: dt is a valid date.
    (unsafe { fields(dt, local_time) }.tm_year + 1900) as u16
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_month(
    dt: *const aws_date_time,
    local_time: bool,
) -> enum_aws_date_month {
    // SAFETY: dt is a valid date.
    unsafe { fields(dt, local_time) }.tm_mon
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_month_day(dt: *const aws_date_time, local_time: bool) -> u8 {
    // SAFETY: dt is a valid date.
    unsafe { fields(dt, local_time) }.tm_mday as u8
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_day_of_week(
    dt: *const aws_date_time,
    local_time: bool,
) -> enum_aws_date_day_of_week {
    // SAFETY: dt is a valid date.
    unsafe { fields(dt, local_time) }.tm_wday
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_hour(dt: *const aws_date_time, local_time: bool) -> u8 {
    // SAFETY: dt is a valid date.
    unsafe { fields(dt, local_time) }.tm_hour as u8
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_minute(dt: *const aws_date_time, local_time: bool) -> u8 {
    // SAFETY: dt is a valid date.
    unsafe { fields(dt, local_time) }.tm_min as u8
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_second(dt: *const aws_date_time, local_time: bool) -> u8 {
    // SAFETY: dt is a valid date.
    unsafe { fields(dt, local_time) }.tm_sec as u8
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_dst(dt: *const aws_date_time, local_time: bool) -> bool {
    // SAFETY: dt is a valid date.
    unsafe { fields(dt, local_time) }.tm_isdst != 0
}

#[no_mangle]
pub unsafe extern "C" fn aws_date_time_diff(
    a: *const aws_date_time,
    b: *const aws_date_time,
) -> time_t {
    // SAFETY: both are valid dates.
    unsafe { (*a).timestamp - (*b).timestamp }
}

/// `aws/common/time.h`: timegm, and the thread-safe gmtime / localtime.
#[no_mangle]
pub unsafe extern "C" fn aws_timegm(t: *mut tm) -> time_t {
    // SAFETY: t is a valid, writable struct tm (timegm normalises it).
    unsafe { libc::timegm(t) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_localtime(time: time_t, t: *mut tm) {
    // SAFETY: t is writable (caller contract).
    unsafe { *t = broken_down(time, true) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_gmtime(time: time_t, t: *mut tm) {
    // SAFETY: t is writable (caller contract).
    unsafe { *t = broken_down(time, false) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let p = parse_rfc822(b"Tue, 24 Sep 2019 04:08:43 GMT").unwrap();
        assert_eq!(
            (p.year, p.mon, p.mday, p.hour, p.min, p.sec, p.utc),
            (119, 8, 24, 4, 8, 43, true)
        );
        assert_eq!(
            parse_rfc822(b"24 Sep 2019 04:08:43 -0130").unwrap().offset,
            -5400
        );
        assert!(parse_rfc822(b"Tue, 24 Sep 2019 04:08:43 PST").is_none());
        let p = parse_iso8601(b"2002-10-02T08:05:09.123+01:30").unwrap();
        assert_eq!(
            (p.year, p.mon, p.mday, p.hour, p.min, p.sec, p.offset),
            (102, 9, 2, 8, 5, 9, 5400)
        );
        assert_eq!(parse_iso8601(b"20021002T080509Z").unwrap().sec, 9);
        assert!(parse_iso8601(b"2002-1002T080509Z").is_none());
    }
}
