//! The standard log line, as upstream's default formatter writes it:
//!
//! `[LEVEL] [YYYY-MM-DDTHH:MM:SSZ] [thread id] [subject name] - message\n`
//!
//! Level names are unpadded; the timestamp is UTC with one-second resolution;
//! the thread id is the `pthread_t` as 16 lowercase hex digits, most
//! significant byte first (what `aws_thread_id_t_to_string` prints). Pure
//! code: the caller supplies the clock reading and the thread id.

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

/// Writes `YYYY-MM-DDTHH:MM:SSZ` for `unix_secs` (UTC) into `out`.
pub fn iso8601(unix_secs: i64, out: &mut [u8; 20]) {
    let days = unix_secs.div_euclid(86_400);
    let secs_of_day = unix_secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let fields: [(i64, usize); 6] = [
        (year, 4),
        (month, 2),
        (day, 2),
        (secs_of_day / 3600, 2),
        (secs_of_day / 60 % 60, 2),
        (secs_of_day % 60, 2),
    ];
    let separators = [b'-', b'-', b'T', b':', b':', b'Z'];
    let mut at = 0;
    for ((value, width), sep) in fields.into_iter().zip(separators) {
        let mut v = value.clamp(0, 9999);
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        at += width;
        out[at] = sep;
        at += 1;
    }
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
    pub thread_id: &'a [u8],
    pub subject: &'a [u8],
    pub message: &'a [u8],
}

impl Line<'_> {
    /// Writes the whole line, newline included. With a truncating output the
    /// message is cut so that the newline still fits (upstream's no-alloc
    /// logger loses the newline on long lines; we keep every line whole).
    pub fn write_to(&self, out: &mut impl LineOut, limit: Option<usize>) {
        let mut stamp = [0u8; 20];
        iso8601(self.unix_secs, &mut stamp);
        let level = LEVEL_NAMES.get(self.level).copied().unwrap_or("NONE");
        let pieces: [&[u8]; 10] = [
            b"[",
            level.as_bytes(),
            b"] [",
            &stamp,
            b"] [",
            self.thread_id,
            b"] [",
            self.subject,
            b"] - ",
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
        let mut out = [0u8; 20];
        iso8601(secs, &mut out);
        String::from_utf8(out.to_vec()).unwrap()
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
            thread_id: b"00007f0000000001",
            subject: b"event-loop",
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
