//! The standard log line, as upstream's default formatter writes it:
//!
//! `[LEVEL] [date] [thread id] [subject name] - message\n`
//!
//! Level names are unpadded; the date is UTC with one-second resolution in one
//! of upstream's three output formats (ISO 8601 `YYYY-MM-DDTHH:MM:SSZ` by
//! default); the thread id is the `pthread_t` as 16 lowercase hex digits, most
//! significant byte first (what `aws_thread_id_t_to_string` prints). Without a
//! subject name the `[subject]` part is left out (two spaces before the `-`).
//! Pure code: the caller supplies the clock reading and the thread id.

/// Upstream's level names, indexed by `aws_log_level`.
pub const LEVEL_NAMES: [&str; 7] = ["NONE", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"];

/// Where a line goes: a growable buffer, or a fixed one that truncates.
pub trait LineOut {
    fn put(&mut self, bytes: &[u8]);
}

impl LineOut for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A fixed buffer that keeps the first bytes it is given and drops the rest.
pub struct Truncating<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> Truncating<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        Truncating { buf, len: 0 }
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl LineOut for Truncating<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }
}

/// The date formats a log line can carry (upstream's `aws_date_format`
/// without AUTO_DETECT, which only parsing accepts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// `Sun, 06 Dec 2026 03:14:50 GMT`
    Rfc822,
    /// `2026-12-06T03:14:50Z`
    Iso8601,
    /// `20261206T031450Z`
    Iso8601Basic,
}

impl DateFormat {
    /// The format for an `aws_date_format` value; None for AUTO_DETECT and unknown values.
    pub fn from_c(value: i32) -> Option<Self> {
        match value {
            0 => Some(DateFormat::Rfc822),
            1 => Some(DateFormat::Iso8601),
            2 => Some(DateFormat::Iso8601Basic),
            _ => None,
        }
    }
}

/// A formatted date: at most 29 bytes (RFC 822).
pub struct Stamp {
    buf: [u8; 29],
    len: usize,
}

impl Stamp {
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn push_number(&mut self, value: i64, width: usize) {
        let mut v = value.clamp(0, 9999);
        for i in (0..width).rev() {
            self.buf[self.len + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        self.len += width;
    }
}

const WEEKDAYS: [&[u8; 3]; 7] = [b"Sun", b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat"];
const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `unix_secs` (UTC) written in `format`, as strftime in the C locale would.
pub fn timestamp(unix_secs: i64, format: DateFormat) -> Stamp {
    let days = unix_secs.div_euclid(86_400);
    let secs_of_day = unix_secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (secs_of_day / 3600, secs_of_day / 60 % 60, secs_of_day % 60);
    let mut out = Stamp {
        buf: [0; 29],
        len: 0,
    };
    match format {
        DateFormat::Rfc822 => {
            // 1970-01-01 was a Thursday.
            out.push(WEEKDAYS[(days + 4).rem_euclid(7) as usize]);
            out.push(b", ");
            out.push_number(day, 2);
            out.push(b" ");
            out.push(MONTHS[(month - 1) as usize]);
            out.push(b" ");
            out.push_number(year, 4);
            out.push(b" ");
            out.push_number(hour, 2);
            out.push(b":");
            out.push_number(minute, 2);
            out.push(b":");
            out.push_number(second, 2);
            out.push(b" GMT");
        }
        DateFormat::Iso8601 | DateFormat::Iso8601Basic => {
            let basic = format == DateFormat::Iso8601Basic;
            let (date_sep, time_sep): (&[u8], &[u8]) =
                if basic { (b"", b"") } else { (b"-", b":") };
            out.push_number(year, 4);
            out.push(date_sep);
            out.push_number(month, 2);
            out.push(date_sep);
            out.push_number(day, 2);
            out.push(b"T");
            out.push_number(hour, 2);
            out.push(time_sep);
            out.push_number(minute, 2);
            out.push(time_sep);
            out.push_number(second, 2);
            out.push(b"Z");
        }
    }
    out
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01,
/// using 400-year eras (146097 days each) that start on March 1st.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468; // 0000-03-01 to 1970-01-01
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The 16-hex-digit form of a thread id, most significant byte first.
pub fn thread_id_hex(id: u64) -> [u8; 16] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = HEX[((id >> (60 - 4 * i)) & 0xf) as usize];
    }
    out
}

/// One line's parts, ready to be written.
pub struct Line<'a> {
    pub level: usize,
    pub unix_secs: i64,
    pub date_format: DateFormat,
    pub thread_id: &'a [u8],
    pub subject: Option<&'a [u8]>,
    pub message: &'a [u8],
}

impl Line<'_> {
    /// Writes the whole line, newline included. With a limit the line (newline
    /// included) is at most `limit` bytes: the message is cut so that the newline
    /// still fits (upstream's no-alloc logger loses the newline on long lines;
    /// we keep every line whole).
    pub fn write_to(&self, out: &mut impl LineOut, limit: Option<usize>) {
        let stamp = timestamp(self.unix_secs, self.date_format);
        let level = LEVEL_NAMES.get(self.level).copied().unwrap_or("NONE");
        let (open, subject, close): (&[u8], &[u8], &[u8]) = match self.subject {
            Some(name) => (b"[", name, b"]"),
            None => (b"", b"", b""),
        };
        let pieces: [&[u8]; 12] = [
            b"[",
            level.as_bytes(),
            b"] [",
            stamp.as_bytes(),
            b"] [",
            self.thread_id,
            b"] ",
            open,
            subject,
            close,
            b" - ",
            self.message,
        ];
        let mut room = limit.map(|l| l.saturating_sub(1));
        for piece in pieces {
            let take = room.map_or(piece.len(), |r| r.min(piece.len()));
            out.put(&piece[..take]);
            if let Some(r) = room.as_mut() {
                *r -= take;
            }
        }
        out.put(b"\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(secs: i64) -> String {
        String::from_utf8(timestamp(secs, DateFormat::Iso8601).as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn other_date_formats() {
        let rfc = timestamp(1_796_526_890, DateFormat::Rfc822);
        assert_eq!(rfc.as_bytes(), b"Sun, 06 Dec 2026 03:14:50 GMT");
        let basic = timestamp(1_796_526_890, DateFormat::Iso8601Basic);
        assert_eq!(basic.as_bytes(), b"20261206T031450Z");
        assert_eq!(
            timestamp(0, DateFormat::Rfc822).as_bytes(),
            b"Thu, 01 Jan 1970 00:00:00 GMT"
        );
        assert_eq!(DateFormat::from_c(3), None);
        assert_eq!(DateFormat::from_c(1), Some(DateFormat::Iso8601));
    }

    #[test]
    fn timestamps_are_utc_iso8601() {
        assert_eq!(stamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(stamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(stamp(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(stamp(1_735_689_600), "2025-01-01T00:00:00Z");
        assert_eq!(stamp(4_102_444_799), "2099-12-31T23:59:59Z");
        assert_eq!(stamp(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn timestamps_agree_with_gmtime() {
        for secs in (0..4_000_000_000i64).step_by(86_399 * 37) {
            let t = secs as libc::time_t;
            // SAFETY: gmtime_r writes only into `tm`.
            let tm = unsafe {
                let mut tm: libc::tm = std::mem::zeroed();
                libc::gmtime_r(&t, &mut tm);
                tm
            };
            let want = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                tm.tm_year + 1900,
                tm.tm_mon + 1,
                tm.tm_mday,
                tm.tm_hour,
                tm.tm_min,
                tm.tm_sec
            );
            assert_eq!(stamp(secs), want);
        }
    }

    #[test]
    fn thread_ids_print_most_significant_byte_first() {
        assert_eq!(&thread_id_hex(0x7f12_3456_789a_bcde), b"7f123456789abcde");
        assert_eq!(&thread_id_hex(1), b"0000000000000001");
    }

    fn line(message: &[u8]) -> Line<'_> {
        Line {
            level: 4,
            unix_secs: 0,
            date_format: DateFormat::Iso8601,
            thread_id: b"00007f0000000001",
            subject: Some(b"event-loop"),
            message,
        }
    }

    #[test]
    fn whole_line_has_upstream_shape() {
        let mut out = Vec::new();
        line(b"hello 42").write_to(&mut out, None);
        assert_eq!(
            out,
            b"[INFO] [1970-01-01T00:00:00Z] [00007f0000000001] [event-loop] - hello 42\n"
        );
        let mut out = Vec::new();
        Line {
            level: 9,
            ..line(b"")
        }
        .write_to(&mut out, None);
        assert!(out.starts_with(b"[NONE] ["));
        assert!(out.ends_with(b"] - \n"));
        let mut out = Vec::new();
        Line {
            subject: None,
            ..line(b"m")
        }
        .write_to(&mut out, None);
        assert_eq!(
            out,
            b"[INFO] [1970-01-01T00:00:00Z] [00007f0000000001]  - m\n"
        );
    }

    #[test]
    fn truncated_line_keeps_its_newline() {
        let long = vec![b'x'; 200];
        let mut buf = [0u8; 100];
        let mut out = Truncating::new(&mut buf);
        line(&long).write_to(&mut out, Some(100));
        let bytes = out.bytes();
        assert_eq!(bytes.len(), 100);
        assert_eq!(bytes[99], b'\n');
        assert!(bytes.starts_with(b"[INFO] [1970-01-01T00:00:00Z]"));
        assert!(bytes[..99].ends_with(b"xxxx"));
    }

    #[test]
    fn short_line_is_not_padded_by_the_limit() {
        let mut buf = [0u8; 8192];
        let mut out = Truncating::new(&mut buf);
        line(b"m").write_to(&mut out, Some(8192));
        assert_eq!(
            out.bytes(),
            b"[INFO] [1970-01-01T00:00:00Z] [00007f0000000001] [event-loop] - m\n"
        );
    }
}
