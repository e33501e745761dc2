//! The 12-byte prelude: total_length, headers_length, prelude_crc (big-endian).

use super::crc::crc32;
use super::error::WireError;
use super::limits::{
    MAX_HEADERS_SIZE, MAX_MESSAGE_SIZE, MIN_MESSAGE_LEN, PRELUDE_LEN, TRAILER_LEN,
};

/// The prelude fields as they were read from (or will be written to) the wire.
/// Mirrors `struct aws_event_stream_message_prelude`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prelude {
    pub total_len: u32,
    pub headers_len: u32,
    pub prelude_crc: u32,
}

impl Prelude {
    /// A prelude for a message of the given sizes, with its CRC computed.
    pub fn new(total_len: u32, headers_len: u32) -> Prelude {
        let mut first8 = [0u8; 8];
        first8[..4].copy_from_slice(&total_len.to_be_bytes());
        first8[4..].copy_from_slice(&headers_len.to_be_bytes());
        Prelude {
            total_len,
            headers_len,
            prelude_crc: crc32(&first8),
        }
    }

    /// Reads the three fields; checks nothing.
    #[inline]
    pub fn parse(bytes: &[u8; PRELUDE_LEN]) -> Prelude {
        let word =
            |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        Prelude {
            total_len: word(0),
            headers_len: word(4),
            prelude_crc: word(8),
        }
    }

    /// The CRC of the first 8 bytes, i.e. what `prelude_crc` must equal.
    #[inline]
    pub fn computed_crc(bytes: &[u8; PRELUDE_LEN]) -> u32 {
        crc32(&bytes[..8])
    }

    /// The wire bytes of this prelude.
    pub fn to_bytes(&self) -> [u8; PRELUDE_LEN] {
        let mut out = [0u8; PRELUDE_LEN];
        out[..4].copy_from_slice(&self.total_len.to_be_bytes());
        out[4..8].copy_from_slice(&self.headers_len.to_be_bytes());
        out[8..].copy_from_slice(&self.prelude_crc.to_be_bytes());
        out
    }

    /// The length checks the streaming decoder applies once the CRC matched, in
    /// upstream's order: size limits, then headers vs. total, then the minimum.
    pub fn validate_lengths(&self) -> Result<(), WireError> {
        let total = self.total_len as usize;
        let headers = self.headers_len as usize;
        if headers > MAX_HEADERS_SIZE || total > MAX_MESSAGE_SIZE {
            return Err(WireError::MessageFieldSizeExceeded);
        }
        // Upstream computes `total - 16` in u32 arithmetic; below 16 it wraps and
        // this check passes, leaving the minimum-length check to report.
        if total >= MIN_MESSAGE_LEN && headers > total - MIN_MESSAGE_LEN {
            return Err(WireError::MessageInvalidHeadersLen);
        }
        if total < MIN_MESSAGE_LEN {
            return Err(WireError::BufferLengthMismatch);
        }
        Ok(())
    }

    /// Payload bytes implied by the lengths (0 if the lengths are inconsistent).
    #[inline]
    pub fn payload_len(&self) -> u32 {
        self.total_len
            .saturating_sub(self.headers_len)
            .saturating_sub((PRELUDE_LEN + TRAILER_LEN) as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_round_trips_through_bytes() {
        let p = Prelude::new(16, 0);
        assert_eq!(p.prelude_crc, 96618731); // empty_message vector
        let b = p.to_bytes();
        assert_eq!(Prelude::parse(&b), p);
        assert_eq!(Prelude::computed_crc(&b), p.prelude_crc);
        assert_eq!(p.payload_len(), 0);
        assert_eq!(Prelude::new(40, 4).payload_len(), 20);
    }

    #[test]
    fn length_checks_in_upstream_order() {
        let v = |t, h| Prelude::new(t, h).validate_lengths();
        assert_eq!(v(16, 0), Ok(()));
        assert_eq!(v(15, 0), Err(WireError::BufferLengthMismatch));
        assert_eq!(v(0, 0), Err(WireError::BufferLengthMismatch));
        // below the minimum, headers_len is not compared (u32 wrap upstream)
        assert_eq!(v(15, 1000), Err(WireError::BufferLengthMismatch));
        assert_eq!(v(20, 5), Err(WireError::MessageInvalidHeadersLen));
        assert_eq!(v(20, 4), Ok(()));
        let max = MAX_MESSAGE_SIZE as u32;
        assert_eq!(v(max, 0), Ok(()));
        assert_eq!(v(max + 1, 0), Err(WireError::MessageFieldSizeExceeded));
        assert_eq!(v(100, max + 1), Err(WireError::MessageFieldSizeExceeded));
        assert_eq!(v(10, max + 1), Err(WireError::MessageFieldSizeExceeded));
    }
}
