//! Wire-format sizes and upstream's (v0.7.1) limits.

/// Bytes in the prelude: total_length, headers_length, prelude_crc.
pub const PRELUDE_LEN: usize = 12;
/// Bytes in the trailer: the message CRC.
pub const TRAILER_LEN: usize = 4;
/// The smallest well-formed message: a prelude and a trailer.
pub const MIN_MESSAGE_LEN: usize = PRELUDE_LEN + TRAILER_LEN;
/// `AWS_EVENT_STREAM_MAX_MESSAGE_SIZE`.
pub const MAX_MESSAGE_SIZE: usize = 24 * 1024 * 1024;
/// `AWS_EVENT_STREAM_MAX_HEADERS_SIZE` (same as the message limit upstream).
pub const MAX_HEADERS_SIZE: usize = MAX_MESSAGE_SIZE;
/// `AWS_EVENT_STREAM_HEADER_NAME_LEN_MAX`: the name length is one byte on the wire.
pub const HEADER_NAME_LEN_MAX: usize = u8::MAX as usize;
/// `AWS_EVENT_STREAM_HEADER_VALUE_LEN_MAX` (INT16_MAX) for string and byte_buf values.
pub const HEADER_VALUE_LEN_MAX: usize = i16::MAX as usize;
/// `AWS_EVENT_STREAM_MESSAGE_MAX_HEADERS`: enforced by the one-shot parser only.
pub const MESSAGE_MAX_HEADERS: usize = 1024;
/// Bytes in a uuid header value.
pub const UUID_LEN: usize = 16;
