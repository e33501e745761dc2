//! `aws_event_stream_message_to_debug_str`: upstream's JSON-like dump of a
//! message, byte for byte (including its quirks: CRCs printed as signed
//! ints, the first header on the `"headers": [` line, names unescaped).
use std::io::Write;

use libc::{c_int, c_void, FILE};

use super::message::*;
use crate::common::abi::AWS_OP_SUCCESS;
use crate::common::encoding::base64_to_string;
use crate::event_stream::abi::aws_event_stream_message;
use crate::event_stream::wire::limits::PRELUDE_LEN;
use crate::event_stream::wire::{HeaderIter, RawValue};
use crate::fatal_precondition;

/// The dump as bytes.
///
/// # Safety
/// `message` must be a valid message.
pub(crate) unsafe fn render(message: *const aws_event_stream_message) -> Vec<u8> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let mut out = Vec::new();
        let total = aws_event_stream_message_total_length(message);
        let headers_len = aws_event_stream_message_headers_len(message);
        let _ = write!(
            out,
            "{{\n  \"total_length\": {},\n  \"headers_length\": {},\n  \"prelude_crc\": {},\n",
            total as i32,
            headers_len as i32,
            aws_event_stream_message_prelude_crc(message) as i32
        );
        out.extend_from_slice(b"  \"headers\": [");
        // The headers upstream's parser would list (stopping at the first fault).
        let buf = super::bytes::contents(&(*message).message_buffer);
        let block = buf
            .get(PRELUDE_LEN..)
            .and_then(|rest| rest.get(..headers_len as usize))
            .unwrap_or(&[]);
        let headers: Vec<_> = HeaderIter::new(block).map_while(Result::ok).collect();
        for (i, h) in headers.iter().enumerate() {
            out.extend_from_slice(b"    {\n      \"name\": \"");
            out.extend_from_slice(h.name);
            let _ = write!(out, "\",\n      \"type\": {},\n", h.value.type_byte());
            let value = match h.value {
                RawValue::Bool(b) => b.to_string(),
                RawValue::Byte(v) => v.to_string(),
                RawValue::Int16(v) => v.to_string(),
                RawValue::Int32(v) => v.to_string(),
                RawValue::Int64(v) | RawValue::Timestamp(v) => v.to_string(),
                RawValue::ByteBuf(b) | RawValue::String(b) => {
                    format!("\"{}\"", base64_to_string(b, false))
                }
                RawValue::Uuid(u) => format!("\"{}\"", base64_to_string(u, false)),
                RawValue::Unknown(_) => "\"\"".to_string(),
            };
            let _ = writeln!(out, "      \"value\": {value}");
            out.extend_from_slice(b"    }");
            if i + 1 < headers.len() {
                out.push(b',');
            }
            out.push(b'\n');
        }
        out.extend_from_slice(b"  ],\n");
        let payload_len = aws_event_stream_message_payload_len(message) as usize;
        let payload = crate::ffi::slice(aws_event_stream_message_payload(message), payload_len);
        let _ = write!(
            out,
            "  \"payload\": \"{}\",\n  \"message_crc\": {}\n}}\n",
            base64_to_string(payload, false),
            aws_event_stream_message_message_crc(message) as i32
        );
        out
    }
}

/// Writes the dump to `fd`.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_to_debug_str(
    fd: *mut FILE,
    message: *const aws_event_stream_message,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!fd.is_null(), "aws_event_stream_message_to_debug_str");
        fatal_precondition!(!message.is_null(), "aws_event_stream_message_to_debug_str");
        let text = render(message);
        // SAFETY: fd is an open stream per the caller; text is a live buffer.
        libc::fwrite(text.as_ptr() as *const c_void, 1, text.len(), fd);
        AWS_OP_SUCCESS
    }
}
