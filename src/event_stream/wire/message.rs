//! Whole messages: validation of a received buffer, zero-copy decode, encode.

use bytes::{BufMut, Bytes, BytesMut};

use super::crc::{crc32, crc32_update};
use super::error::WireError;
use super::header::{headers_encoded_len, put_header, Header, HeaderIter};
use super::limits::{
    MAX_HEADERS_SIZE, MAX_MESSAGE_SIZE, MIN_MESSAGE_LEN, PRELUDE_LEN, TRAILER_LEN,
};
use super::prelude::Prelude;

/// A buffer that passed [`validate_message`]: views of its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageView<'a> {
    pub prelude: Prelude,
    pub headers_block: &'a [u8],
    pub payload: &'a [u8],
    pub message_crc: u32,
}

impl<'a> MessageView<'a> {
    /// The headers, parsed as upstream's `aws_event_stream_message_headers` does.
    pub fn headers(&self) -> HeaderIter<'a> {
        HeaderIter::new(self.headers_block)
    }
}

/// Checks a buffer holding exactly one message, in the order (and with the
/// errors) of upstream's `aws_event_stream_message_from_buffer`: length
/// below 16 or `total_length` ≠ buffer length → `BUFFER_LENGTH_MISMATCH`
/// (before the 24 MiB limit, `MESSAGE_FIELD_SIZE_EXCEEDED`); prelude CRC;
/// message CRC; then `headers_length` > total − 16 → `MESSAGE_INVALID_HEADERS_LEN`.
/// Headers are not parsed here (see [`MessageView::headers`]).
pub fn validate_message(buf: &[u8]) -> Result<MessageView<'_>, WireError> {
    if buf.len() < MIN_MESSAGE_LEN {
        return Err(WireError::BufferLengthMismatch);
    }
    let prelude_bytes: &[u8; PRELUDE_LEN] = buf[..PRELUDE_LEN].try_into().expect("12 bytes");
    let prelude = Prelude::parse(prelude_bytes);
    let total = prelude.total_len as usize;
    if total != buf.len() {
        return Err(WireError::BufferLengthMismatch);
    }
    if total > MAX_MESSAGE_SIZE {
        return Err(WireError::MessageFieldSizeExceeded);
    }
    let prelude_crc = Prelude::computed_crc(prelude_bytes);
    if prelude_crc != prelude.prelude_crc {
        return Err(WireError::PreludeChecksumFailure);
    }
    let body_end = total - TRAILER_LEN;
    let message_crc = u32::from_be_bytes(buf[body_end..].try_into().expect("4 bytes"));
    if crc32_update(prelude_crc, &buf[8..body_end]) != message_crc {
        return Err(WireError::MessageChecksumFailure);
    }
    let headers_len = prelude.headers_len as usize;
    if headers_len > total - MIN_MESSAGE_LEN {
        return Err(WireError::MessageInvalidHeadersLen);
    }
    let headers_end = PRELUDE_LEN + headers_len;
    Ok(MessageView {
        prelude,
        headers_block: &buf[PRELUDE_LEN..headers_end],
        payload: &buf[headers_end..body_end],
        message_crc,
    })
}

/// An owned message. Decoded messages share the input buffer (names, values
/// and payload are `Bytes::slice`s of it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub headers: Vec<Header>,
    pub payload: Bytes,
}

/// Bytes staged on the stack before a header run is hashed and written, so
/// small headers cost one CRC update and one `put_slice` per batch.
const STAGE: usize = 512;

impl Message {
    pub fn new(headers: Vec<Header>, payload: impl Into<Bytes>) -> Message {
        Message {
            headers,
            payload: payload.into(),
        }
    }

    /// Wire length of the headers block.
    pub fn headers_len(&self) -> usize {
        headers_encoded_len(self.headers.iter().map(Header::as_raw))
    }

    /// Wire length of the whole message (no limits checked).
    pub fn encoded_len(&self) -> usize {
        MIN_MESSAGE_LEN + self.headers_len() + self.payload.len()
    }

    /// Checks every limit upstream's encoder (`aws_event_stream_message_init`)
    /// checks, without encoding.
    pub fn check_limits(&self) -> Result<(), WireError> {
        self.checked_prelude().map(|_| ())
    }

    /// Checks every limit upstream's encoder checks; returns the prelude.
    fn checked_prelude(&self) -> Result<Prelude, WireError> {
        let mut headers_len = 0usize;
        for h in &self.headers {
            let raw = h.as_raw();
            raw.check()?;
            headers_len += raw.encoded_len();
        }
        if headers_len > MAX_HEADERS_SIZE {
            return Err(WireError::MessageFieldSizeExceeded);
        }
        let total = MIN_MESSAGE_LEN + headers_len + self.payload.len();
        if total > MAX_MESSAGE_SIZE {
            return Err(WireError::MessageFieldSizeExceeded);
        }
        Ok(Prelude::new(total as u32, headers_len as u32))
    }

    /// Encodes into `buf` in one pass (CRC computed while writing); returns
    /// the bytes written. Fails without writing if a limit is exceeded or
    /// `buf` lacks room (`INSUFFICIENT_BUFFER_LEN`).
    pub fn encode_into<B: BufMut>(&self, buf: &mut B) -> Result<usize, WireError> {
        let prelude = self.checked_prelude()?;
        let total = prelude.total_len as usize;
        if buf.remaining_mut() < total {
            return Err(WireError::InsufficientBufferLen);
        }
        buf.put_slice(&prelude.to_bytes());
        let mut crc = crc32fast::Hasher::new_with_initial(prelude.prelude_crc);
        crc.update(&prelude.prelude_crc.to_be_bytes());
        let mut stage = [0u8; STAGE];
        let mut used = 0;
        let flush = |stage: &[u8], buf: &mut B, crc: &mut crc32fast::Hasher| {
            crc.update(stage);
            buf.put_slice(stage);
        };
        for h in &self.headers {
            let raw = h.as_raw();
            let len = raw.encoded_len();
            if used + len > STAGE {
                flush(&stage[..used], buf, &mut crc);
                used = 0;
            }
            if len <= STAGE {
                put_header(&mut &mut stage[used..], &raw);
                used += len;
            } else {
                // Large value: write it straight through.
                let mut tmp = Vec::with_capacity(len);
                put_header(&mut tmp, &raw);
                flush(&tmp, buf, &mut crc);
            }
        }
        flush(&stage[..used], buf, &mut crc);
        flush(&self.payload, buf, &mut crc);
        buf.put_u32(crc.finalize());
        Ok(total)
    }

    /// Encodes into the front of `dst`; returns the bytes written.
    pub fn encode_to_slice(&self, dst: &mut [u8]) -> Result<usize, WireError> {
        let prelude = self.checked_prelude()?;
        let total = prelude.total_len as usize;
        let out = dst
            .get_mut(..total)
            .ok_or(WireError::InsufficientBufferLen)?;
        self.write_body(prelude, &mut &mut out[..]);
        seal(out, prelude.prelude_crc);
        Ok(total)
    }

    /// Encodes into a new buffer of exactly the message's length.
    pub fn to_bytes(&self) -> Result<Bytes, WireError> {
        let prelude = self.checked_prelude()?;
        let mut out = BytesMut::with_capacity(prelude.total_len as usize);
        self.write_body(prelude, &mut out);
        out.put_u32(0);
        seal(&mut out, prelude.prelude_crc);
        Ok(out.freeze())
    }

    /// Writes prelude, headers and payload (not the trailer).
    fn write_body<B: BufMut>(&self, prelude: Prelude, buf: &mut B) {
        buf.put_slice(&prelude.to_bytes());
        for h in &self.headers {
            put_header(buf, &h.as_raw());
        }
        buf.put_slice(&self.payload);
    }

    /// Decodes one message occupying all of `bytes`, as upstream's
    /// `aws_event_stream_message_from_buffer` followed by
    /// `aws_event_stream_message_headers` (so ≤ 1024 headers). Zero-copy.
    pub fn decode(bytes: Bytes) -> Result<Message, WireError> {
        let view = validate_message(&bytes)?;
        let mut headers = Vec::new();
        for raw in view.headers() {
            let raw = raw?;
            headers.push(Header {
                name: bytes.slice_ref(raw.name),
                value: raw.value.to_value_in(&bytes),
            });
        }
        Ok(Message {
            headers,
            payload: bytes.slice_ref(view.payload),
        })
    }
}

/// Fills in the message CRC of a fully written message: the prelude CRC is
/// the hash state after 8 bytes, continued over everything up to the trailer.
fn seal(msg: &mut [u8], prelude_crc: u32) {
    debug_assert_eq!(crc32(&msg[..8]), prelude_crc);
    let body_end = msg.len() - TRAILER_LEN;
    let crc = crc32_update(prelude_crc, &msg[8..body_end]);
    msg[body_end..].copy_from_slice(&crc.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_stream::wire::header::{HeaderValue, RawValue};

    fn sample() -> Message {
        Message::new(
            vec![
                Header::new("event", HeaderValue::String(Bytes::from_static(b"x"))),
                Header::new("n", HeaderValue::Int32(-5)),
                Header::new("", HeaderValue::Bool(false)),
            ],
            Bytes::from_static(b"payload!"),
        )
    }

    #[test]
    fn empty_message_is_the_16_byte_vector() {
        let b = Message::default().to_bytes().unwrap();
        assert_eq!(b.len(), 16);
        assert_eq!(&b[..12], &Prelude::new(16, 0).to_bytes());
        assert_eq!(u32::from_be_bytes(b[12..].try_into().unwrap()), 2107164927);
    }

    #[test]
    fn three_encoders_agree_and_decode_round_trips() {
        let m = sample();
        let a = m.to_bytes().unwrap();
        assert_eq!(a.len(), m.encoded_len());
        let mut v = Vec::new();
        assert_eq!(m.encode_into(&mut v), Ok(a.len()));
        assert_eq!(&v[..], &a[..]);
        let mut s = vec![0xAAu8; a.len() + 3];
        assert_eq!(m.encode_to_slice(&mut s), Ok(a.len()));
        assert_eq!(&s[..a.len()], &a[..]);
        let d = Message::decode(a.clone()).unwrap();
        assert_eq!(d, m);
        // zero-copy: the payload points into the input
        assert_eq!(d.payload.as_ptr(), a[a.len() - 12..].as_ptr());
        let view = validate_message(&a).unwrap();
        assert_eq!(view.prelude.headers_len as usize, m.headers_len());
        assert_eq!(view.headers().count(), 3);
    }

    #[test]
    fn encode_into_batches_large_headers() {
        let big = Bytes::from(vec![3u8; 20_000]);
        let mut headers: Vec<Header> = (0..100)
            .map(|i| Header::new(format!("h{i}"), HeaderValue::Int64(i)))
            .collect();
        headers.insert(50, Header::new("big", HeaderValue::ByteBuf(big)));
        let m = Message::new(headers, vec![1u8; 1000]);
        let mut v = Vec::new();
        m.encode_into(&mut v).unwrap();
        assert_eq!(Bytes::from(v), m.to_bytes().unwrap());
    }

    #[test]
    fn encoder_limits() {
        let mut small = [0u8; 10];
        assert_eq!(
            sample().encode_to_slice(&mut small),
            Err(WireError::InsufficientBufferLen)
        );
        let mut fixed = [0u8; 20];
        assert_eq!(
            sample().encode_into(&mut &mut fixed[..]),
            Err(WireError::InsufficientBufferLen)
        );
        let m = Message::new(
            vec![Header::new(vec![b'a'; 256], HeaderValue::Bool(true))],
            Bytes::new(),
        );
        assert_eq!(m.to_bytes(), Err(WireError::MessageInvalidHeadersLen));
        let m = Message::new(vec![], vec![0u8; MAX_MESSAGE_SIZE - 15]);
        assert_eq!(m.to_bytes(), Err(WireError::MessageFieldSizeExceeded));
        let m = Message::new(vec![], vec![0u8; MAX_MESSAGE_SIZE - 16]);
        assert_eq!(m.to_bytes().unwrap().len(), MAX_MESSAGE_SIZE);
    }

    #[test]
    fn validation_order_follows_from_buffer() {
        let good = sample().to_bytes().unwrap().to_vec();
        assert_eq!(
            validate_message(&good[..15]),
            Err(WireError::BufferLengthMismatch)
        );
        assert_eq!(
            validate_message(&good[..good.len() - 1]),
            Err(WireError::BufferLengthMismatch)
        );
        let mut extra = good.clone();
        extra.push(0);
        assert_eq!(
            validate_message(&extra),
            Err(WireError::BufferLengthMismatch)
        );
        let mut bad = good.clone();
        bad[9] ^= 1;
        assert_eq!(
            validate_message(&bad),
            Err(WireError::PreludeChecksumFailure)
        );
        let mut bad = good.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(
            validate_message(&bad),
            Err(WireError::MessageChecksumFailure)
        );
        // a bogus headers_length with both CRCs fixed
        let mut bad = good.clone();
        let total = bad.len() as u32;
        bad[4..8].copy_from_slice(&(total - 15).to_be_bytes());
        fix_crcs(&mut bad);
        assert_eq!(
            validate_message(&bad),
            Err(WireError::MessageInvalidHeadersLen)
        );
    }

    #[test]
    fn decode_reports_header_faults_and_keeps_unknown_types() {
        let mut m = sample().to_bytes().unwrap().to_vec();
        // first header's type byte (after 12 prelude + 1 len + 5 name) -> 10
        m[18] = 10;
        fix_crcs(&mut m);
        // the string's length bytes now parse as a name length etc.
        assert!(Message::decode(Bytes::from(m)).is_err());

        let one = Message::new(
            vec![Header::new("a", HeaderValue::Bool(true))],
            Bytes::new(),
        );
        let mut b = one.to_bytes().unwrap().to_vec();
        b[14] = 11;
        fix_crcs(&mut b);
        let d = Message::decode(Bytes::from(b)).unwrap();
        assert_eq!(d.headers[0].value, HeaderValue::Unknown(11));
        assert_eq!(d.headers[0].as_raw().value, RawValue::Unknown(11));
        assert_eq!(d.to_bytes().unwrap().len(), 19);
    }

    fn fix_crcs(m: &mut [u8]) {
        let c = crc32(&m[..8]);
        m[8..12].copy_from_slice(&c.to_be_bytes());
        seal(m, c);
    }
}
