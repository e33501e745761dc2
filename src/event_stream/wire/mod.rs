//! Sans-IO event-stream wire codec (pure Rust, no C types).
//!
//! Public API, by module:
//! - [`limits`]: upstream's sizes and caps (`MAX_MESSAGE_SIZE`, `HEADER_VALUE_LEN_MAX`, ...).
//! - [`error`]: [`WireError`], one variant per upstream error code
//!   (`aws_error_code()`, `aws_error_name()`).
//! - [`prelude`]: [`Prelude`] `{ total_len, headers_len, prelude_crc }` with
//!   `parse(&[u8; 12])`, `computed_crc`, `validate_lengths` (the streaming
//!   decoder's checks in upstream order), `new`, `to_bytes`.
//! - [`header`]: owned [`Header`]/[`HeaderValue`] (byte_buf/string as `Bytes`)
//!   and borrowed [`RawHeader`]/[`RawValue`]; [`HeaderIter`] over a headers
//!   block with upstream's one-shot errors and 1024-header cap;
//!   [`headers_encoded_len`], [`write_header`], [`write_header_to_slice`].
//! - [`message`]: [`Message`] `{ headers, payload }` with `encoded_len`,
//!   `encode_into(&mut impl BufMut)`, `encode_to_slice`, `to_bytes`, zero-copy
//!   `decode(Bytes)`; [`validate_message`] checks a raw buffer as upstream's
//!   `aws_event_stream_message_from_buffer` and returns a borrowed [`MessageView`].
//! - [`crc`]: `crc32`, `crc32_update` (continuing a running CRC, like
//!   `aws_checksums_crc32(.., previous)`).
//!
//! The streaming decoder lives beside this module in `event_stream::decoder`:
//! `StreamingDecoder::pump(&mut self, &[u8], &mut impl DecoderSink) ->
//! Result<(), WireError>`, where `DecoderSink` has `on_prelude`, `on_header`
//! (a `RawHeader` view, zero-copy when the header lies in one chunk),
//! `on_payload(fragment, final_segment)`, `on_complete(message_crc)` and
//! `on_error(prelude, error, text)`; `MessageCollector` is a ready-made sink
//! that assembles `Message`s. The fuzz bodies live in `event_stream::fuzz_targets`
//! (hidden), above both.
//! Upstream behaviour is the spec: each path reports the error upstream
//! reports on it, even where two paths disagree for the same bytes.

pub mod crc;
pub mod error;
pub mod header;
pub mod limits;
pub mod message;
pub mod prelude;

pub use crc::{crc32, crc32_update};
pub use error::WireError;
pub use header::{
    headers_encoded_len, write_header, write_header_to_slice, Header, HeaderIter, HeaderType,
    HeaderValue, RawHeader, RawValue,
};
pub use message::{validate_message, Message, MessageView};
pub use prelude::Prelude;
