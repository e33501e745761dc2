//! Headers: owned ([`Header`], [`HeaderValue`]) and borrowed ([`RawHeader`],
//! [`RawValue`]) forms, the header-block iterator and the header writer.
//!
//! One header on the wire: name_len u8, name, type u8, value (see [`HeaderType`]).

use bytes::{BufMut, Bytes};

use super::error::WireError;
use super::limits::{
    HEADER_NAME_LEN_MAX, HEADER_VALUE_LEN_MAX, MAX_HEADERS_SIZE, MESSAGE_MAX_HEADERS, UUID_LEN,
};

/// `enum aws_event_stream_header_value_type`: the type byte of a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum HeaderType {
    BoolTrue = 0,
    BoolFalse = 1,
    Byte = 2,
    Int16 = 3,
    Int32 = 4,
    Int64 = 5,
    ByteBuf = 6,
    String = 7,
    Timestamp = 8,
    Uuid = 9,
}

impl HeaderType {
    pub fn from_u8(b: u8) -> Option<HeaderType> {
        Some(match b {
            0 => HeaderType::BoolTrue,
            1 => HeaderType::BoolFalse,
            2 => HeaderType::Byte,
            3 => HeaderType::Int16,
            4 => HeaderType::Int32,
            5 => HeaderType::Int64,
            6 => HeaderType::ByteBuf,
            7 => HeaderType::String,
            8 => HeaderType::Timestamp,
            9 => HeaderType::Uuid,
            _ => return None,
        })
    }

    /// Value bytes after the type byte for fixed-size types; `None` for
    /// byte_buf/string, whose value is a u16 length plus that many bytes.
    pub fn fixed_value_len(self) -> Option<usize> {
        match self {
            HeaderType::BoolTrue | HeaderType::BoolFalse => Some(0),
            HeaderType::Byte => Some(1),
            HeaderType::Int16 => Some(2),
            HeaderType::Int32 => Some(4),
            HeaderType::Int64 | HeaderType::Timestamp => Some(8),
            HeaderType::Uuid => Some(UUID_LEN),
            HeaderType::ByteBuf | HeaderType::String => None,
        }
    }
}

/// A header value borrowed from a buffer. Integers are already decoded from big-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawValue<'a> {
    Bool(bool),
    Byte(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    ByteBuf(&'a [u8]),
    String(&'a [u8]),
    /// Milliseconds since the Unix epoch.
    Timestamp(i64),
    Uuid(&'a [u8; UUID_LEN]),
    /// A type byte above 9. Upstream's one-shot parser keeps such a header
    /// with no value bytes; the streaming decoder rejects it. Encoding one
    /// writes the type byte and nothing else.
    Unknown(u8),
}

impl<'a> RawValue<'a> {
    /// The wire type byte.
    #[inline]
    pub fn type_byte(&self) -> u8 {
        match self {
            RawValue::Bool(true) => HeaderType::BoolTrue as u8,
            RawValue::Bool(false) => HeaderType::BoolFalse as u8,
            RawValue::Byte(_) => HeaderType::Byte as u8,
            RawValue::Int16(_) => HeaderType::Int16 as u8,
            RawValue::Int32(_) => HeaderType::Int32 as u8,
            RawValue::Int64(_) => HeaderType::Int64 as u8,
            RawValue::ByteBuf(_) => HeaderType::ByteBuf as u8,
            RawValue::String(_) => HeaderType::String as u8,
            RawValue::Timestamp(_) => HeaderType::Timestamp as u8,
            RawValue::Uuid(_) => HeaderType::Uuid as u8,
            RawValue::Unknown(t) => *t,
        }
    }

    /// Upstream's `header_value_len`: the value's byte count, without the
    /// u16 length prefix of byte_buf/string.
    #[inline]
    pub fn value_len(&self) -> usize {
        match self {
            RawValue::Bool(_) | RawValue::Unknown(_) => 0,
            RawValue::Byte(_) => 1,
            RawValue::Int16(_) => 2,
            RawValue::Int32(_) => 4,
            RawValue::Int64(_) | RawValue::Timestamp(_) => 8,
            RawValue::Uuid(_) => UUID_LEN,
            RawValue::ByteBuf(b) | RawValue::String(b) => b.len(),
        }
    }

    /// Bytes after the type byte on the wire.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        match self {
            RawValue::ByteBuf(b) | RawValue::String(b) => 2 + b.len(),
            other => other.value_len(),
        }
    }

    /// Fixed-size values as upstream stores them in `static_val` (big-endian);
    /// empty for bools, unknown types and variable-length values.
    pub fn static_bytes(&self) -> ([u8; UUID_LEN], usize) {
        let mut out = [0u8; UUID_LEN];
        let n = match self {
            RawValue::Byte(v) => {
                out[0] = *v as u8;
                1
            }
            RawValue::Int16(v) => put(&mut out, &v.to_be_bytes()),
            RawValue::Int32(v) => put(&mut out, &v.to_be_bytes()),
            RawValue::Int64(v) | RawValue::Timestamp(v) => put(&mut out, &v.to_be_bytes()),
            RawValue::Uuid(u) => put(&mut out, &u[..]),
            _ => 0,
        };
        (out, n)
    }

    /// An owned copy of this value.
    pub fn to_owned_value(&self) -> HeaderValue {
        self.convert(Bytes::copy_from_slice)
    }

    /// An owned value whose byte_buf/string bytes are `source.slice_ref(..)`
    /// (zero-copy). The borrowed bytes must lie inside `source`.
    pub fn to_value_in(&self, source: &Bytes) -> HeaderValue {
        self.convert(|b| source.slice_ref(b))
    }

    fn convert(&self, mut bytes: impl FnMut(&[u8]) -> Bytes) -> HeaderValue {
        match *self {
            RawValue::Bool(v) => HeaderValue::Bool(v),
            RawValue::Byte(v) => HeaderValue::Byte(v),
            RawValue::Int16(v) => HeaderValue::Int16(v),
            RawValue::Int32(v) => HeaderValue::Int32(v),
            RawValue::Int64(v) => HeaderValue::Int64(v),
            RawValue::ByteBuf(b) => HeaderValue::ByteBuf(bytes(b)),
            RawValue::String(b) => HeaderValue::String(bytes(b)),
            RawValue::Timestamp(v) => HeaderValue::Timestamp(v),
            RawValue::Uuid(u) => HeaderValue::Uuid(*u),
            RawValue::Unknown(t) => HeaderValue::Unknown(t),
        }
    }
}

fn put(out: &mut [u8; UUID_LEN], src: &[u8]) -> usize {
    out[..src.len()].copy_from_slice(src);
    src.len()
}

/// A header borrowed from a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawHeader<'a> {
    pub name: &'a [u8],
    pub value: RawValue<'a>,
}

impl<'a> RawHeader<'a> {
    /// Bytes this header takes on the wire.
    #[inline]
    pub fn encoded_len(&self) -> usize {
        2 + self.name.len() + self.value.encoded_len()
    }

    /// Upstream's encoder-side limits: name ≤ 255 bytes, byte_buf/string value
    /// ≤ 32767 bytes; both violations are `MESSAGE_INVALID_HEADERS_LEN`.
    pub fn check(&self) -> Result<(), WireError> {
        let value_ok = match self.value {
            RawValue::ByteBuf(b) | RawValue::String(b) => b.len() <= HEADER_VALUE_LEN_MAX,
            _ => true,
        };
        if self.name.len() > HEADER_NAME_LEN_MAX || !value_ok {
            return Err(WireError::MessageInvalidHeadersLen);
        }
        Ok(())
    }

    /// An owned copy.
    pub fn to_header(&self) -> Header {
        Header {
            name: Bytes::copy_from_slice(self.name),
            value: self.value.to_owned_value(),
        }
    }
}

/// An owned header value. byte_buf and string hold raw bytes: upstream does
/// no UTF-8 validation of strings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeaderValue {
    Bool(bool),
    Byte(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    ByteBuf(Bytes),
    String(Bytes),
    /// Milliseconds since the Unix epoch.
    Timestamp(i64),
    Uuid([u8; UUID_LEN]),
    /// See [`RawValue::Unknown`].
    Unknown(u8),
}

impl HeaderValue {
    /// A borrowed view of this value.
    #[inline]
    pub fn as_raw(&self) -> RawValue<'_> {
        match self {
            HeaderValue::Bool(v) => RawValue::Bool(*v),
            HeaderValue::Byte(v) => RawValue::Byte(*v),
            HeaderValue::Int16(v) => RawValue::Int16(*v),
            HeaderValue::Int32(v) => RawValue::Int32(*v),
            HeaderValue::Int64(v) => RawValue::Int64(*v),
            HeaderValue::ByteBuf(b) => RawValue::ByteBuf(b),
            HeaderValue::String(b) => RawValue::String(b),
            HeaderValue::Timestamp(v) => RawValue::Timestamp(*v),
            HeaderValue::Uuid(u) => RawValue::Uuid(u),
            HeaderValue::Unknown(t) => RawValue::Unknown(*t),
        }
    }
}

/// An owned header; name and value bytes may share one buffer with the message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Header {
    pub name: Bytes,
    pub value: HeaderValue,
}

impl Header {
    /// A header; limits are checked when the message is encoded.
    pub fn new(name: impl Into<Bytes>, value: HeaderValue) -> Header {
        Header {
            name: name.into(),
            value,
        }
    }

    /// A borrowed view of this header.
    #[inline]
    pub fn as_raw(&self) -> RawHeader<'_> {
        RawHeader {
            name: &self.name,
            value: self.value.as_raw(),
        }
    }
}

/// Wire length of a list of headers (upstream's
/// `aws_event_stream_compute_headers_required_buffer_len`).
pub fn headers_encoded_len<'a>(headers: impl IntoIterator<Item = RawHeader<'a>>) -> usize {
    headers.into_iter().map(|h| h.encoded_len()).sum()
}

/// Writes one header after checking its limits. Fails with
/// `INSUFFICIENT_BUFFER_LEN` if `buf` has no room (nothing is written then).
pub fn write_header<B: BufMut>(buf: &mut B, header: &RawHeader<'_>) -> Result<(), WireError> {
    header.check()?;
    if buf.remaining_mut() < header.encoded_len() {
        return Err(WireError::InsufficientBufferLen);
    }
    put_header(buf, header);
    Ok(())
}

/// Writes one header at the start of `dst`; returns the bytes written.
pub fn write_header_to_slice(dst: &mut [u8], header: &RawHeader<'_>) -> Result<usize, WireError> {
    let len = header.encoded_len();
    let mut out = &mut dst[..];
    write_header(&mut out, header)?;
    Ok(len)
}

/// Writes a header whose limits were already checked and whose room exists.
#[inline]
pub(crate) fn put_header<B: BufMut>(buf: &mut B, header: &RawHeader<'_>) {
    buf.put_u8(header.name.len() as u8);
    buf.put_slice(header.name);
    buf.put_u8(header.value.type_byte());
    match header.value {
        RawValue::Bool(_) | RawValue::Unknown(_) => {}
        RawValue::Byte(v) => buf.put_i8(v),
        RawValue::Int16(v) => buf.put_i16(v),
        RawValue::Int32(v) => buf.put_i32(v),
        RawValue::Int64(v) | RawValue::Timestamp(v) => buf.put_i64(v),
        RawValue::Uuid(u) => buf.put_slice(u),
        RawValue::ByteBuf(b) | RawValue::String(b) => {
            buf.put_u16(b.len() as u16);
            buf.put_slice(b);
        }
    }
}

/// Why a header could not be split off the front of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// The buffer ends inside the header.
    Truncated,
    /// A byte_buf/string length field above 32767.
    ValueTooLong,
}

/// Splits the first header off `buf`, returning it and its wire length.
/// Unknown type bytes give [`RawValue::Unknown`] with no value bytes.
#[inline]
pub(crate) fn split_header(buf: &[u8]) -> Result<(RawHeader<'_>, usize), SplitError> {
    let name_len = *buf.first().ok_or(SplitError::Truncated)? as usize;
    let name = buf.get(1..1 + name_len).ok_or(SplitError::Truncated)?;
    let ty = *buf.get(1 + name_len).ok_or(SplitError::Truncated)?;
    let at = 2 + name_len;
    let rest = &buf[at..];
    let fixed = |n: usize| rest.get(..n).ok_or(SplitError::Truncated);
    let (value, value_bytes) = match HeaderType::from_u8(ty) {
        None => (RawValue::Unknown(ty), 0),
        Some(HeaderType::BoolTrue) => (RawValue::Bool(true), 0),
        Some(HeaderType::BoolFalse) => (RawValue::Bool(false), 0),
        Some(HeaderType::Byte) => (RawValue::Byte(fixed(1)?[0] as i8), 1),
        Some(HeaderType::Int16) => (RawValue::Int16(i16::from_be_bytes(arr(fixed(2)?))), 2),
        Some(HeaderType::Int32) => (RawValue::Int32(i32::from_be_bytes(arr(fixed(4)?))), 4),
        Some(HeaderType::Int64) => (RawValue::Int64(i64::from_be_bytes(arr(fixed(8)?))), 8),
        Some(HeaderType::Timestamp) => (RawValue::Timestamp(i64::from_be_bytes(arr(fixed(8)?))), 8),
        Some(HeaderType::Uuid) => {
            let u: &[u8; UUID_LEN] = fixed(UUID_LEN)?.try_into().expect("16 bytes");
            (RawValue::Uuid(u), UUID_LEN)
        }
        Some(t @ (HeaderType::ByteBuf | HeaderType::String)) => {
            let len = u16::from_be_bytes(arr(fixed(2)?)) as usize;
            if len > HEADER_VALUE_LEN_MAX {
                return Err(SplitError::ValueTooLong);
            }
            let bytes = rest.get(2..2 + len).ok_or(SplitError::Truncated)?;
            let v = if t == HeaderType::String {
                RawValue::String(bytes)
            } else {
                RawValue::ByteBuf(bytes)
            };
            (v, 2 + len)
        }
    };
    Ok((RawHeader { name, value }, at + value_bytes))
}

#[inline]
fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
    b.try_into().expect("length checked by caller")
}

/// Iterates the headers of a headers block as upstream's one-shot parser
/// (`aws_event_stream_read_headers_from_buffer`) does: a block longer than
/// 24 MiB is `MESSAGE_FIELD_SIZE_EXCEEDED`; a header cut short is
/// `BUFFER_LENGTH_MISMATCH`; a value length above 32767 is
/// `MESSAGE_INVALID_HEADERS_LEN`; a 1025th header is `MESSAGE_TOO_MANY_HEADERS`
/// (unless built with [`HeaderIter::uncapped`]). After an error it yields nothing more.
#[derive(Debug, Clone)]
pub struct HeaderIter<'a> {
    rest: &'a [u8],
    seen: usize,
    cap: usize,
    done: bool,
}

impl<'a> HeaderIter<'a> {
    /// Upstream's one-shot semantics, with the 1024-header cap.
    pub fn new(block: &'a [u8]) -> HeaderIter<'a> {
        HeaderIter {
            rest: block,
            seen: 0,
            cap: MESSAGE_MAX_HEADERS,
            done: false,
        }
    }

    /// Like [`HeaderIter::new`] without the header-count cap.
    pub fn uncapped(block: &'a [u8]) -> HeaderIter<'a> {
        HeaderIter {
            cap: usize::MAX,
            ..HeaderIter::new(block)
        }
    }

    /// The bytes not yet consumed.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    fn fail(&mut self, e: WireError) -> Option<Result<RawHeader<'a>, WireError>> {
        self.done = true;
        Some(Err(e))
    }
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = Result<RawHeader<'a>, WireError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.rest.is_empty() {
            return None;
        }
        if self.seen == 0 && self.rest.len() > MAX_HEADERS_SIZE {
            return self.fail(WireError::MessageFieldSizeExceeded);
        }
        if self.seen >= self.cap {
            return self.fail(WireError::MessageTooManyHeaders);
        }
        match split_header(self.rest) {
            Ok((h, used)) => {
                self.rest = &self.rest[used..];
                self.seen += 1;
                Some(Ok(h))
            }
            Err(SplitError::Truncated) => self.fail(WireError::BufferLengthMismatch),
            Err(SplitError::ValueTooLong) => self.fail(WireError::MessageInvalidHeadersLen),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(h: &RawHeader<'_>) -> Vec<u8> {
        let mut v = Vec::new();
        write_header(&mut v, h).unwrap();
        assert_eq!(v.len(), h.encoded_len());
        v
    }

    #[test]
    fn every_type_round_trips_with_exact_bytes() {
        let uuid = [7u8; 16];
        let cases: Vec<(RawValue<'_>, Vec<u8>)> = vec![
            (RawValue::Bool(true), vec![0]),
            (RawValue::Bool(false), vec![1]),
            (RawValue::Byte(-1), vec![2, 0xff]),
            (RawValue::Int16(-2), vec![3, 0xff, 0xfe]),
            (RawValue::Int32(0x01020304), vec![4, 1, 2, 3, 4]),
            (
                RawValue::Int64(-1),
                vec![5, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            ),
            (RawValue::ByteBuf(b"ab"), vec![6, 0, 2, b'a', b'b']),
            (RawValue::String(b""), vec![7, 0, 0]),
            (RawValue::Timestamp(1), vec![8, 0, 0, 0, 0, 0, 0, 0, 1]),
            (RawValue::Uuid(&uuid), [vec![9], uuid.to_vec()].concat()),
        ];
        for (value, tail) in cases {
            let h = RawHeader { name: b"nm", value };
            let bytes = enc(&h);
            assert_eq!(&bytes[..3], &[2, b'n', b'm']);
            assert_eq!(&bytes[3..], &tail[..]);
            let mut it = HeaderIter::new(&bytes);
            assert_eq!(it.next(), Some(Ok(h)));
            assert_eq!(it.next(), None);
            assert_eq!(h.to_header().as_raw(), h);
        }
    }

    #[test]
    fn static_bytes_are_big_endian() {
        let (b, n) = RawValue::Int32(0x0a0b0c0d).static_bytes();
        assert_eq!(&b[..n], &[0x0a, 0x0b, 0x0c, 0x0d]);
        assert_eq!(RawValue::Bool(true).static_bytes().1, 0);
        assert_eq!(RawValue::String(b"xyz").value_len(), 3);
        assert_eq!(RawValue::String(b"xyz").encoded_len(), 5);
    }

    #[test]
    fn writer_limits() {
        let long_name = [b'n'; 256];
        let h = RawHeader {
            name: &long_name,
            value: RawValue::Bool(true),
        };
        assert_eq!(
            write_header(&mut Vec::new(), &h),
            Err(WireError::MessageInvalidHeadersLen)
        );
        let ok_name = [b'n'; 255];
        let h = RawHeader {
            name: &ok_name,
            value: RawValue::Bool(true),
        };
        assert!(write_header(&mut Vec::new(), &h).is_ok());
        let big = vec![0u8; HEADER_VALUE_LEN_MAX + 1];
        let h = RawHeader {
            name: b"a",
            value: RawValue::ByteBuf(&big),
        };
        assert_eq!(
            write_header(&mut Vec::new(), &h),
            Err(WireError::MessageInvalidHeadersLen)
        );
        let h = RawHeader {
            name: b"a",
            value: RawValue::String(&big[1..]),
        };
        assert!(write_header(&mut Vec::new(), &h).is_ok());
        let h = RawHeader {
            name: b"abc",
            value: RawValue::Int32(5),
        };
        let mut small = [0u8; 8];
        assert_eq!(
            write_header_to_slice(&mut small, &h),
            Err(WireError::InsufficientBufferLen)
        );
        assert_eq!(small, [0u8; 8]);
        let mut exact = [0u8; 9];
        assert_eq!(write_header_to_slice(&mut exact, &h), Ok(9));
        assert_eq!(exact, [3, b'a', b'b', b'c', 4, 0, 0, 0, 5]);
        assert_eq!(headers_encoded_len([h, h]), 18);
    }

    #[test]
    fn iterator_errors_follow_upstream() {
        // truncated in the name, at the type byte, and in each value kind
        for bad in [
            &[5u8, b'a'][..],
            &[1, b'a'],
            &[1, b'a', 4, 0, 0],
            &[1, b'a', 7, 0],
            &[1, b'a', 6, 0, 3, 1],
        ] {
            let mut it = HeaderIter::new(bad);
            assert_eq!(
                it.next(),
                Some(Err(WireError::BufferLengthMismatch)),
                "{bad:?}"
            );
            assert_eq!(it.next(), None);
        }
        let too_long = [1u8, b'a', 7, 0x80, 0x00];
        assert_eq!(
            HeaderIter::new(&too_long).next(),
            Some(Err(WireError::MessageInvalidHeadersLen))
        );
        // unknown types carry no value bytes and are accepted
        let unknown = [1u8, b'a', 10, 1, b'b', 0];
        let got: Vec<_> = HeaderIter::new(&unknown).collect();
        assert_eq!(
            got,
            vec![
                Ok(RawHeader {
                    name: b"a",
                    value: RawValue::Unknown(10)
                }),
                Ok(RawHeader {
                    name: b"b",
                    value: RawValue::Bool(true)
                }),
            ]
        );
        // empty name is legal
        assert_eq!(
            HeaderIter::new(&[0, 1]).next(),
            Some(Ok(RawHeader {
                name: b"",
                value: RawValue::Bool(false)
            }))
        );
    }

    #[test]
    fn iterator_caps_at_1024_headers() {
        let block: Vec<u8> = std::iter::repeat_n([0u8, 0], 1025).flatten().collect();
        let results: Vec<_> = HeaderIter::new(&block).collect();
        assert_eq!(results.len(), 1025);
        assert!(results[..1024].iter().all(|r| r.is_ok()));
        assert_eq!(results[1024], Err(WireError::MessageTooManyHeaders));
        assert_eq!(HeaderIter::new(&block[..2048]).count(), 1024);
        assert!(HeaderIter::uncapped(&block).all(|r| r.is_ok()));
    }
}
