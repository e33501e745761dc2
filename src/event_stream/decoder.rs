//! Streaming event-stream decoder: a sans-IO state machine fed arbitrary
//! chunks (down to one byte), reporting through a [`DecoderSink`] exactly
//! what upstream's `aws_event_stream_streaming_decoder` reports.
//!
//! Upstream's observable behaviour kept on purpose:
//! - A step that consumes nothing (checking the prelude, moving from one header
//!   to the next or to the payload, delivering a zero-length string/byte_buf
//!   value) runs only while input bytes remain in the current `pump` call. So
//!   a bare 12-byte prelude is verified (and `on_prelude` fires) only when a
//!   13th byte arrives, and an empty payload produces no `on_payload`.
//! - Prelude faults (CRC, 24 MiB limits, headers vs. total, total < 16) and the
//!   message-CRC fault go through `on_error` and the return value; header-level
//!   faults (unknown type, value length > 32767, a header running past the
//!   headers block) come back only as the return value.
//! - A header is parsed to its end even if it overruns `headers_length`; the
//!   overrun is reported (`MESSAGE_PARSER_ILLEGAL_STATE`) at the next step.
//!   No header-count cap (the 1024 cap is the one-shot parser's).
//!
//! Differences from upstream, on purpose:
//! - After an error the decoder stays failed: every later `pump` returns the
//!   same error without calling the sink again. Upstream keeps its state and
//!   re-reports prelude/CRC errors on each pump, or misparses after header
//!   errors. [`StreamingDecoder::reset`] starts afresh.
//! - Nothing is allocated from a declared length: a header value split across
//!   chunks is accumulated as its bytes arrive (at most 32767 bytes, the value
//!   limit), and the buffer is freed on drop (upstream leaks a partly received
//!   value at clean-up). A header that lies wholly inside the current chunk is
//!   handed to the sink as a view of the chunk, without copying.

use std::ops::Range;

use bytes::BytesMut;

use crate::event_stream::wire::crc::{crc32, crc32_update};
use crate::event_stream::wire::header::split_header;
use crate::event_stream::wire::limits::{
    HEADER_NAME_LEN_MAX, HEADER_VALUE_LEN_MAX, PRELUDE_LEN, TRAILER_LEN, UUID_LEN,
};
use crate::event_stream::wire::{
    Header, HeaderType, HeaderValue, Message, Prelude, RawHeader, RawValue, WireError,
};

/// Receives what the decoder finds. Borrowed data lives only for the call.
pub trait DecoderSink {
    /// A prelude passed its CRC and length checks; a message begins.
    fn on_prelude(&mut self, prelude: &Prelude);
    /// One complete header of the current message.
    fn on_header(&mut self, prelude: &Prelude, header: &RawHeader<'_>);
    /// Payload bytes; `final_segment` is set on the piece that ends the payload.
    fn on_payload(&mut self, fragment: &[u8], final_segment: bool);
    /// The trailer matched the running CRC; the decoder is ready for the next message.
    fn on_complete(&mut self, message_crc: u32);
    /// A prelude or message-CRC fault (with upstream's message text). The
    /// decoder is failed after this; `pump` returns the same error.
    fn on_error(&mut self, prelude: &Prelude, error: WireError, message: &str);
}

/// Lets a caller lend a sink it keeps (`pump(data, &mut &mut sink)` or a
/// sink reached through a reference held elsewhere).
impl<S: DecoderSink + ?Sized> DecoderSink for &mut S {
    fn on_prelude(&mut self, prelude: &Prelude) {
        (**self).on_prelude(prelude)
    }
    fn on_header(&mut self, prelude: &Prelude, header: &RawHeader<'_>) {
        (**self).on_header(prelude, header)
    }
    fn on_payload(&mut self, fragment: &[u8], final_segment: bool) {
        (**self).on_payload(fragment, final_segment)
    }
    fn on_complete(&mut self, message_crc: u32) {
        (**self).on_complete(message_crc)
    }
    fn on_error(&mut self, prelude: &Prelude, error: WireError, message: &str) {
        (**self).on_error(prelude, error, message)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Prelude,
    VerifyPrelude,
    HeaderBoundary,
    NameLen,
    Name,
    Type,
    ValueLen(HeaderType),
    FixedValue(HeaderType),
    VarValue(HeaderType),
    Payload,
    Trailer,
    Failed(WireError),
}

impl State {
    /// States whose consumed input is covered by the message CRC (taken
    /// straight from the chunk, in batches).
    fn hashes_input(self) -> bool {
        !matches!(
            self,
            State::Prelude | State::VerifyPrelude | State::Trailer | State::Failed(_)
        )
    }
}

/// The streaming decoder. Feed it with [`StreamingDecoder::pump`].
#[derive(Debug, Clone)]
pub struct StreamingDecoder {
    state: State,
    prelude: Prelude,
    /// Bytes of the current message consumed so far (upstream's `message_pos`).
    pos: usize,
    crc: u32,
    /// Bytes of the current multi-byte field gathered so far.
    have: usize,
    prelude_buf: [u8; PRELUDE_LEN],
    trailer_buf: [u8; TRAILER_LEN],
    name_len: usize,
    name_buf: [u8; HEADER_NAME_LEN_MAX],
    /// Fixed-size values and the u16 length of variable ones.
    fixed: [u8; UUID_LEN],
    value_len: usize,
    /// A string/byte_buf value that straddles chunks (≤ 32767 bytes).
    value_buf: Vec<u8>,
}

impl Default for StreamingDecoder {
    fn default() -> Self {
        StreamingDecoder::new()
    }
}

impl StreamingDecoder {
    pub fn new() -> StreamingDecoder {
        StreamingDecoder {
            state: State::Prelude,
            prelude: Prelude::default(),
            pos: 0,
            crc: 0,
            have: 0,
            prelude_buf: [0; PRELUDE_LEN],
            trailer_buf: [0; TRAILER_LEN],
            name_len: 0,
            name_buf: [0; HEADER_NAME_LEN_MAX],
            fixed: [0; UUID_LEN],
            value_len: 0,
            value_buf: Vec::new(),
        }
    }

    /// Forgets any partial message and any failure.
    pub fn reset(&mut self) {
        self.state = State::Prelude;
        self.prelude = Prelude::default();
        self.pos = 0;
        self.crc = 0;
        self.have = 0;
        self.value_buf = Vec::new();
    }

    /// The error this decoder failed with, if it did.
    pub fn failed(&self) -> Option<WireError> {
        match self.state {
            State::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// True between the first byte of a message and its last (or a failure).
    pub fn message_in_progress(&self) -> bool {
        self.pos > 0
    }

    /// The current message's prelude once `on_prelude` fired for it (or the
    /// rejected one after a prelude error).
    pub fn prelude(&self) -> Option<&Prelude> {
        let known = self.pos >= PRELUDE_LEN && self.state != State::VerifyPrelude;
        known.then_some(&self.prelude)
    }

    /// Feeds `data`. Every callback for the bytes in `data` fires before this
    /// returns. On error the decoder is failed (see the module notes).
    pub fn pump<S: DecoderSink + ?Sized>(
        &mut self,
        data: &[u8],
        sink: &mut S,
    ) -> Result<(), WireError> {
        if let State::Failed(e) = self.state {
            return Err(e);
        }
        let mut i = 0;
        // Start of the input consumed but not yet added to the running CRC.
        let mut crc_from = self.state.hashes_input().then_some(0);
        while i < data.len() {
            let rest = &data[i..];
            match self.state {
                State::Prelude => {
                    let n = (PRELUDE_LEN - self.pos).min(rest.len());
                    self.prelude_buf[self.pos..self.pos + n].copy_from_slice(&rest[..n]);
                    self.consume(&mut i, n);
                    if self.pos == PRELUDE_LEN {
                        self.state = State::VerifyPrelude;
                    }
                }
                State::VerifyPrelude => {
                    self.verify_prelude(sink)?;
                    crc_from = Some(i);
                }
                State::HeaderBoundary => {
                    let boundary = PRELUDE_LEN + self.prelude.headers_len as usize;
                    self.state = if self.pos < boundary {
                        State::NameLen
                    } else if self.pos == boundary {
                        State::Payload
                    } else {
                        return Err(self.fail(WireError::MessageParserIllegalState));
                    };
                }
                State::NameLen => {
                    if let Some(used) = self.whole_header(rest, sink) {
                        self.consume(&mut i, used);
                        self.state = State::HeaderBoundary;
                        continue;
                    }
                    self.name_len = rest[0] as usize;
                    self.have = 0;
                    self.consume(&mut i, 1);
                    self.state = State::Name;
                }
                State::Name => {
                    let n = (self.name_len - self.have).min(rest.len());
                    self.name_buf[self.have..self.have + n].copy_from_slice(&rest[..n]);
                    self.have += n;
                    self.consume(&mut i, n);
                    if self.have == self.name_len {
                        self.state = State::Type;
                    }
                }
                State::Type => {
                    let ty = rest[0];
                    self.consume(&mut i, 1);
                    self.have = 0;
                    let Some(ty) = HeaderType::from_u8(ty) else {
                        return Err(self.fail(WireError::MessageUnknownHeaderType));
                    };
                    match ty.fixed_value_len() {
                        Some(0) => {
                            let value = RawValue::Bool(ty == HeaderType::BoolTrue);
                            let header = RawHeader {
                                name: &self.name_buf[..self.name_len],
                                value,
                            };
                            sink.on_header(&self.prelude, &header);
                            self.state = State::HeaderBoundary;
                        }
                        Some(n) => {
                            self.value_len = n;
                            self.state = State::FixedValue(ty);
                        }
                        None => self.state = State::ValueLen(ty),
                    }
                }
                State::ValueLen(ty) => {
                    let n = (2 - self.have).min(rest.len());
                    self.fixed[self.have..self.have + n].copy_from_slice(&rest[..n]);
                    self.have += n;
                    self.consume(&mut i, n);
                    if self.have == 2 {
                        let len = u16::from_be_bytes([self.fixed[0], self.fixed[1]]) as usize;
                        if len > HEADER_VALUE_LEN_MAX {
                            return Err(self.fail(WireError::MessageInvalidHeadersLen));
                        }
                        self.value_len = len;
                        self.have = 0;
                        self.value_buf.clear();
                        self.state = State::VarValue(ty);
                    }
                }
                State::FixedValue(ty) => {
                    let n = (self.value_len - self.have).min(rest.len());
                    self.fixed[self.have..self.have + n].copy_from_slice(&rest[..n]);
                    self.have += n;
                    self.consume(&mut i, n);
                    if self.have == self.value_len {
                        let value = fixed_value(ty, &self.fixed);
                        let header = RawHeader {
                            name: &self.name_buf[..self.name_len],
                            value,
                        };
                        sink.on_header(&self.prelude, &header);
                        self.state = State::HeaderBoundary;
                    }
                }
                State::VarValue(ty) => {
                    let need = self.value_len - self.have;
                    if self.have == 0 && rest.len() >= need {
                        // Whole value in this chunk: hand out a view of it.
                        let name = &self.name_buf[..self.name_len];
                        let header = RawHeader {
                            name,
                            value: var_value(ty, &rest[..need]),
                        };
                        sink.on_header(&self.prelude, &header);
                        self.consume(&mut i, need);
                        self.state = State::HeaderBoundary;
                        continue;
                    }
                    let n = need.min(rest.len());
                    self.value_buf.extend_from_slice(&rest[..n]);
                    self.have += n;
                    self.consume(&mut i, n);
                    if self.have == self.value_len {
                        let name = &self.name_buf[..self.name_len];
                        let header = RawHeader {
                            name,
                            value: var_value(ty, &self.value_buf),
                        };
                        sink.on_header(&self.prelude, &header);
                        self.state = State::HeaderBoundary;
                    }
                }
                State::Payload => {
                    let end = self.prelude.total_len as usize - TRAILER_LEN;
                    if self.pos < end {
                        let n = (end - self.pos).min(rest.len());
                        sink.on_payload(&rest[..n], self.pos + n == end);
                        self.consume(&mut i, n);
                    }
                    if self.pos == end {
                        if let Some(from) = crc_from.take() {
                            self.crc = crc32_update(self.crc, &data[from..i]);
                        }
                        self.have = 0;
                        self.state = State::Trailer;
                    }
                }
                State::Trailer => {
                    let n = (TRAILER_LEN - self.have).min(rest.len());
                    self.trailer_buf[self.have..self.have + n].copy_from_slice(&rest[..n]);
                    self.have += n;
                    self.consume(&mut i, n);
                    if self.have == TRAILER_LEN {
                        self.finish_message(sink)?;
                    }
                }
                State::Failed(e) => return Err(e),
            }
        }
        if let Some(from) = crc_from {
            self.crc = crc32_update(self.crc, &data[from..i]);
        }
        Ok(())
    }
}

impl StreamingDecoder {
    #[inline]
    fn consume(&mut self, i: &mut usize, n: usize) {
        *i += n;
        self.pos += n;
    }

    fn fail(&mut self, e: WireError) -> WireError {
        self.state = State::Failed(e);
        e
    }

    fn fail_with_callback<S: DecoderSink + ?Sized>(
        &mut self,
        sink: &mut S,
        e: WireError,
        message: &str,
    ) -> WireError {
        sink.on_error(&self.prelude, e, message);
        self.fail(e)
    }

    /// Checks the buffered prelude in upstream's order and starts the message.
    fn verify_prelude<S: DecoderSink + ?Sized>(&mut self, sink: &mut S) -> Result<(), WireError> {
        self.prelude = Prelude::parse(&self.prelude_buf);
        let computed = crc32(&self.prelude_buf[..8]);
        if computed != self.prelude.prelude_crc {
            // Upstream's format string prints a literal "0x08" before unpadded hex.
            let text = format!(
                "CRC Mismatch. prelude_crc was 0x08{:X}, but computed 0x08{:X}",
                self.prelude.prelude_crc, computed
            );
            return Err(self.fail_with_callback(sink, WireError::PreludeChecksumFailure, &text));
        }
        if let Err(e) = self.prelude.validate_lengths() {
            let text = match e {
                WireError::MessageFieldSizeExceeded => "Maximum message field size exceeded",
                WireError::MessageInvalidHeadersLen => "Invalid message headers length",
                _ => "Message length too short",
            };
            return Err(self.fail_with_callback(sink, e, text));
        }
        sink.on_prelude(&self.prelude);
        self.crc = crc32_update(computed, &self.prelude_buf[8..]);
        self.state = if self.prelude.headers_len > 0 {
            State::HeaderBoundary
        } else {
            State::Payload
        };
        Ok(())
    }

    /// Fast path: if a whole header starts `rest`, deliver it as a view of the
    /// chunk and return its length. Anything else (a partial header, an
    /// unknown type, a bad value length, or an empty value at the very end of
    /// the chunk, which upstream delivers only once another byte arrives) is
    /// left to the byte-wise states, which report it as upstream does.
    #[inline]
    fn whole_header<S: DecoderSink + ?Sized>(&self, rest: &[u8], sink: &mut S) -> Option<usize> {
        let (header, used) = split_header(rest).ok()?;
        match header.value {
            RawValue::Unknown(_) => return None,
            RawValue::ByteBuf(v) | RawValue::String(v) if v.is_empty() && used == rest.len() => {
                return None
            }
            _ => {}
        }
        sink.on_header(&self.prelude, &header);
        Some(used)
    }

    fn finish_message<S: DecoderSink + ?Sized>(&mut self, sink: &mut S) -> Result<(), WireError> {
        let message_crc = u32::from_be_bytes(self.trailer_buf);
        if message_crc != self.crc {
            let text = format!(
                "CRC Mismatch. message_crc was 0x08{:X}, but computed 0x08{:X}",
                message_crc, self.crc
            );
            return Err(self.fail_with_callback(sink, WireError::MessageChecksumFailure, &text));
        }
        sink.on_complete(message_crc);
        self.state = State::Prelude;
        self.pos = 0;
        self.crc = 0;
        self.have = 0;
        Ok(())
    }
}

fn fixed_value(ty: HeaderType, b: &[u8; UUID_LEN]) -> RawValue<'_> {
    let be8 = || i64::from_be_bytes(b[..8].try_into().expect("8 bytes"));
    match ty {
        HeaderType::Byte => RawValue::Byte(b[0] as i8),
        HeaderType::Int16 => RawValue::Int16(i16::from_be_bytes([b[0], b[1]])),
        HeaderType::Int32 => RawValue::Int32(i32::from_be_bytes([b[0], b[1], b[2], b[3]])),
        HeaderType::Int64 => RawValue::Int64(be8()),
        HeaderType::Timestamp => RawValue::Timestamp(be8()),
        HeaderType::Uuid => RawValue::Uuid(b),
        HeaderType::BoolTrue => RawValue::Bool(true),
        HeaderType::BoolFalse => RawValue::Bool(false),
        HeaderType::ByteBuf | HeaderType::String => {
            unreachable!("variable-length type in fixed state")
        }
    }
}

fn var_value(ty: HeaderType, bytes: &[u8]) -> RawValue<'_> {
    if ty == HeaderType::String {
        RawValue::String(bytes)
    } else {
        RawValue::ByteBuf(bytes)
    }
}

/// A [`DecoderSink`] that assembles whole [`Message`]s. Each message's header
/// names, values and payload are copied into one buffer (one allocation per
/// message) that the decoded `Bytes` share.
#[derive(Debug, Default)]
pub struct MessageCollector {
    /// Messages completed so far, oldest first; drain as you like.
    pub messages: Vec<Message>,
    /// The first `on_error` report: error and upstream's message text.
    pub error: Option<(WireError, String)>,
    arena: BytesMut,
    pending: Vec<(Range<usize>, PendingValue)>,
    payload_start: usize,
}

#[derive(Debug)]
enum PendingValue {
    Fixed(HeaderValue),
    ByteBuf(Range<usize>),
    String(Range<usize>),
}

/// Upper bound on what a prelude may make the collector reserve up front.
const COLLECTOR_RESERVE_MAX: usize = 64 * 1024;

impl MessageCollector {
    pub fn new() -> MessageCollector {
        MessageCollector::default()
    }

    fn push_bytes(&mut self, b: &[u8]) -> Range<usize> {
        let start = self.arena.len();
        self.arena.extend_from_slice(b);
        start..self.arena.len()
    }
}

impl DecoderSink for MessageCollector {
    fn on_prelude(&mut self, prelude: &Prelude) {
        self.arena.clear();
        self.pending.clear();
        self.arena
            .reserve((prelude.total_len as usize).min(COLLECTOR_RESERVE_MAX));
    }

    fn on_header(&mut self, _prelude: &Prelude, header: &RawHeader<'_>) {
        let name = self.push_bytes(header.name);
        let value = match header.value {
            RawValue::ByteBuf(b) => PendingValue::ByteBuf(self.push_bytes(b)),
            RawValue::String(b) => PendingValue::String(self.push_bytes(b)),
            other => PendingValue::Fixed(other.to_owned_value()),
        };
        self.pending.push((name, value));
        self.payload_start = self.arena.len();
    }

    fn on_payload(&mut self, fragment: &[u8], _final_segment: bool) {
        self.arena.extend_from_slice(fragment);
    }

    fn on_complete(&mut self, _message_crc: u32) {
        let payload_start = if self.pending.is_empty() {
            0
        } else {
            self.payload_start
        };
        let buf = self.arena.split().freeze();
        let headers = self
            .pending
            .drain(..)
            .map(|(name, value)| Header {
                name: buf.slice(name),
                value: match value {
                    PendingValue::Fixed(v) => v,
                    PendingValue::ByteBuf(r) => HeaderValue::ByteBuf(buf.slice(r)),
                    PendingValue::String(r) => HeaderValue::String(buf.slice(r)),
                },
            })
            .collect();
        let payload = buf.slice(payload_start..);
        self.messages.push(Message { headers, payload });
    }

    fn on_error(&mut self, _prelude: &Prelude, error: WireError, message: &str) {
        self.error
            .get_or_insert_with(|| (error, message.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[derive(Default, Debug, PartialEq)]
    struct Log(Vec<String>);

    impl DecoderSink for Log {
        fn on_prelude(&mut self, p: &Prelude) {
            self.0
                .push(format!("prelude {} {}", p.total_len, p.headers_len));
        }
        fn on_header(&mut self, _p: &Prelude, h: &RawHeader<'_>) {
            self.0.push(format!("header {:?}", h.value));
        }
        fn on_payload(&mut self, f: &[u8], last: bool) {
            self.0.push(format!("payload {} {last}", f.len()));
        }
        fn on_complete(&mut self, _crc: u32) {
            self.0.push("complete".into());
        }
        fn on_error(&mut self, _p: &Prelude, e: WireError, m: &str) {
            self.0.push(format!("error {} {m}", e.aws_error_code()));
        }
    }

    fn msg(headers: Vec<Header>, payload: &'static [u8]) -> Vec<u8> {
        Message::new(headers, Bytes::from_static(payload))
            .to_bytes()
            .unwrap()
            .to_vec()
    }

    fn fix_crcs(m: &mut [u8]) {
        let c = crc32(&m[..8]);
        m[8..12].copy_from_slice(&c.to_be_bytes());
        let end = m.len() - 4;
        let mc = crc32_update(c, &m[8..end]);
        m[end..].copy_from_slice(&mc.to_be_bytes());
    }

    #[test]
    fn prelude_is_checked_only_when_a_later_byte_arrives() {
        let m = msg(vec![], b"");
        let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
        d.pump(&m[..12], &mut log).unwrap();
        assert!(log.0.is_empty());
        assert!(d.message_in_progress());
        assert_eq!(d.prelude(), None);
        d.pump(&m[12..13], &mut log).unwrap();
        assert_eq!(log.0, ["prelude 16 0"]);
        assert_eq!(d.prelude().map(|p| p.total_len), Some(16));
        d.pump(&m[13..], &mut log).unwrap();
        // no on_payload for an empty payload
        assert_eq!(log.0, ["prelude 16 0", "complete"]);
        assert!(!d.message_in_progress());
    }

    #[test]
    fn bad_prelude_crc_at_12_bytes_waits_then_reports_once() {
        let mut m = msg(vec![], b"abc");
        m[11] ^= 0x10;
        let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
        assert_eq!(d.pump(&m[..12], &mut log), Ok(()));
        assert_eq!(
            d.pump(&m[12..], &mut log),
            Err(WireError::PreludeChecksumFailure)
        );
        assert_eq!(log.0.len(), 1);
        assert!(log.0[0].starts_with("error 4099 CRC Mismatch. prelude_crc was 0x08"));
        assert_eq!(d.pump(&m, &mut log), Err(WireError::PreludeChecksumFailure));
        assert_eq!(log.0.len(), 1, "stays failed without re-reporting");
        assert_eq!(d.failed(), Some(WireError::PreludeChecksumFailure));
        d.reset();
        let good = msg(vec![], b"abc");
        assert_eq!(d.pump(&good, &mut log), Ok(()));
        assert_eq!(log.0.last().unwrap(), "complete");
    }

    #[test]
    fn payload_segments_mark_the_final_one() {
        let m = msg(vec![], b"0123456789");
        let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
        for c in m.chunks(16) {
            d.pump(c, &mut log).unwrap();
        }
        assert_eq!(
            log.0,
            [
                "prelude 26 0",
                "payload 4 false",
                "payload 6 true",
                "complete"
            ]
        );
    }

    #[test]
    fn empty_string_value_at_chunk_end_waits_for_a_byte() {
        let m = msg(
            vec![Header::new("s", HeaderValue::String(Bytes::new()))],
            b"p",
        );
        // prelude 12, name_len 1, name 1, type 1, len 2 => value ends at 17
        let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
        d.pump(&m[..17], &mut log).unwrap();
        assert_eq!(log.0, ["prelude 22 5"]);
        d.pump(&m[17..18], &mut log).unwrap();
        assert_eq!(
            log.0,
            ["prelude 22 5", "header String([])", "payload 1 true"]
        );
        // same through the byte-wise path
        let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
        for b in &m[..17] {
            d.pump(std::slice::from_ref(b), &mut log).unwrap();
        }
        assert_eq!(log.0, ["prelude 22 5"]);
    }

    #[test]
    fn header_faults_come_back_without_callback() {
        // unknown type
        let mut m = msg(vec![Header::new("a", HeaderValue::Bool(true))], b"xy");
        m[14] = 10;
        fix_crcs(&mut m);
        let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
        assert_eq!(
            d.pump(&m, &mut log),
            Err(WireError::MessageUnknownHeaderType)
        );
        assert_eq!(log.0, ["prelude 21 3"]);

        // value length above 32767, split right inside the length field
        let mut m = msg(
            vec![Header::new(
                "a",
                HeaderValue::ByteBuf(Bytes::from_static(b"v")),
            )],
            b"",
        );
        m[15] = 0x80;
        m[16] = 0x00;
        fix_crcs(&mut m);
        let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
        assert_eq!(d.pump(&m[..16], &mut log), Ok(()));
        assert_eq!(
            d.pump(&m[16..], &mut log),
            Err(WireError::MessageInvalidHeadersLen)
        );
        assert_eq!(log.0, ["prelude 22 6"]);
    }

    #[test]
    fn header_overrunning_the_block_is_delivered_then_rejected_at_the_next_byte() {
        let mut m = msg(
            vec![
                Header::new("a", HeaderValue::Int32(7)),
                Header::new("b", HeaderValue::Int32(8)),
            ],
            b"zz",
        );
        // headers_length 14 -> 13: the second header straddles the boundary
        m[7] = 13;
        fix_crcs(&mut m);
        let end_of_headers = 12 + 14;
        let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
        assert_eq!(d.pump(&m[..end_of_headers], &mut log), Ok(()));
        assert_eq!(
            log.0,
            ["prelude 32 13", "header Int32(7)", "header Int32(8)"]
        );
        assert_eq!(
            d.pump(&m[end_of_headers..], &mut log),
            Err(WireError::MessageParserIllegalState)
        );
        assert_eq!(log.0.len(), 3);
    }

    #[test]
    fn length_faults_go_through_on_error_with_upstream_text() {
        let cases: [(u32, u32, &str); 3] = [
            (15, 0, "error 4096 Message length too short"),
            (20, 5, "error 4101 Invalid message headers length"),
            (
                25 * 1024 * 1024,
                0,
                "error 4098 Maximum message field size exceeded",
            ),
        ];
        for (total, headers, want) in cases {
            let mut bytes = Prelude::new(total, headers).to_bytes().to_vec();
            bytes.push(0);
            let (mut d, mut log) = (StreamingDecoder::new(), Log::default());
            assert!(d.pump(&bytes, &mut log).is_err());
            assert_eq!(log.0, [want]);
        }
    }

    #[test]
    fn straddling_value_is_buffered_as_it_arrives_only() {
        let value = Bytes::from(vec![9u8; 32767]);
        let m = Message::new(
            vec![Header::new("big", HeaderValue::String(value.clone()))],
            Bytes::new(),
        );
        let bytes = m.to_bytes().unwrap();
        let mut d = StreamingDecoder::new();
        let mut c = MessageCollector::new();
        d.pump(&bytes[..12 + 7 + 100], &mut c).unwrap();
        assert!(
            d.value_buf.capacity() < 1024,
            "buffered {} bytes",
            d.value_buf.capacity()
        );
        d.pump(&bytes[12 + 7 + 100..], &mut c).unwrap();
        assert_eq!(c.messages, vec![m]);
    }

    #[test]
    fn huge_declared_message_allocates_nothing_up_front() {
        let mut bytes = Prelude::new(16 * 1024 * 1024, 0).to_bytes().to_vec();
        bytes.extend_from_slice(&[1, 2, 3]);
        let mut d = StreamingDecoder::new();
        let mut c = MessageCollector::new();
        d.pump(&bytes, &mut c).unwrap();
        assert!(c.arena.capacity() <= COLLECTOR_RESERVE_MAX);
        assert_eq!(d.value_buf.capacity(), 0);
        assert!(d.message_in_progress());
    }

    #[test]
    fn collector_shares_one_buffer_per_message() {
        let m = Message::new(
            vec![
                Header::new("n", HeaderValue::ByteBuf(Bytes::from_static(b"vv"))),
                Header::new("u", HeaderValue::Uuid([3; 16])),
            ],
            Bytes::from_static(b"payload"),
        );
        let bytes = m.to_bytes().unwrap();
        let mut stream = bytes.to_vec();
        stream.extend_from_slice(&bytes);
        let mut d = StreamingDecoder::new();
        let mut c = MessageCollector::new();
        for piece in stream.chunks(5) {
            d.pump(piece, &mut c).unwrap();
        }
        assert_eq!(c.messages, vec![m.clone(), m]);
        assert_eq!(c.error, None);
    }
}
