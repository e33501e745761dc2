//! `aws_event_stream_message`: encoding from a header list and payload,
//! validating a received buffer (borrowed or copied), and the accessors,
//! which read the fields back from the buffer as upstream does.
use std::ptr;

use libc::c_int;

use super::bytes::{self, Cursor};
use super::headers::aws_event_stream_write_headers_to_buffer_safe;
use super::headers::{
    aws_event_stream_compute_headers_required_buffer_len, aws_event_stream_read_headers_from_buffer,
};
use crate::common::abi::{aws_allocator, aws_array_list, aws_byte_buf, AWS_OP_ERR, AWS_OP_SUCCESS};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::event_stream::abi::aws_event_stream_message;
use crate::event_stream::wire::limits::{
    MAX_HEADERS_SIZE, MAX_MESSAGE_SIZE, MIN_MESSAGE_LEN, PRELUDE_LEN, TRAILER_LEN,
};
use crate::event_stream::wire::{crc32, crc32_update, validate_message};
use crate::fatal_precondition;

/// Builds the message: prelude, the list's headers, a copy of the payload and
/// the trailer, in one buffer from `alloc`. NULL headers or payload mean none.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_init(
    message: *mut aws_event_stream_message,
    alloc: *mut aws_allocator,
    headers: *const aws_array_list,
    payload: *const aws_byte_buf,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!message.is_null(), "aws_event_stream_message_init");
        fatal_precondition!(!alloc.is_null(), "aws_event_stream_message_init");
        // Only the length matters until the limits are checked.
        let payload_len = payload.as_ref().map_or(0, |p| p.len);
        let headers_len = aws_event_stream_compute_headers_required_buffer_len(headers);
        if headers_len as usize > MAX_HEADERS_SIZE {
            return raise(AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED);
        }
        // Upstream sums in size_t and keeps 32 bits; a wrap shows as a smaller total.
        let total = (MIN_MESSAGE_LEN + headers_len as usize).wrapping_add(payload_len) as u32;
        if total < headers_len || (total as usize) < payload_len {
            return raise(AWS_ERROR_OVERFLOW_DETECTED);
        }
        if total as usize > MAX_MESSAGE_SIZE {
            return raise(AWS_ERROR_EVENT_STREAM_MESSAGE_FIELD_SIZE_EXCEEDED);
        }
        // SAFETY: non-null per the checks above.
        let m = &mut *message;
        m.alloc = alloc;
        let Some(mut buf) = bytes::with_capacity(alloc, total as usize) else {
            m.message_buffer = bytes::zeroed();
            return AWS_OP_ERR;
        };
        let mut prelude = [0u8; PRELUDE_LEN];
        prelude[..4].copy_from_slice(&total.to_be_bytes());
        prelude[4..8].copy_from_slice(&headers_len.to_be_bytes());
        let prelude_crc = crc32(&prelude[..8]);
        prelude[8..].copy_from_slice(&prelude_crc.to_be_bytes());
        bytes::write(&mut buf, &prelude);
        m.message_buffer = buf;
        if aws_event_stream_write_headers_to_buffer_safe(headers, &mut m.message_buffer)
            != AWS_OP_SUCCESS
        {
            aws_event_stream_message_clean_up(message);
            return AWS_OP_ERR;
        }
        if let Some(p) = payload.as_ref() {
            bytes::write(&mut m.message_buffer, bytes::contents(p));
        }
        let crc = crc32_update(prelude_crc, &bytes::contents(&m.message_buffer)[8..]);
        bytes::write(&mut m.message_buffer, &crc.to_be_bytes());
        AWS_OP_SUCCESS
    }
}

/// Checks `buffer` as one whole message and wraps it without copying (the
/// message does not own it). Errors in upstream's order; see `validate_message`.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_from_buffer(
    message: *mut aws_event_stream_message,
    alloc: *mut aws_allocator,
    buffer: *mut aws_byte_buf,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!message.is_null(), "aws_event_stream_message_from_buffer");
        fatal_precondition!(!alloc.is_null(), "aws_event_stream_message_from_buffer");
        fatal_precondition!(!buffer.is_null(), "aws_event_stream_message_from_buffer");
        // SAFETY: non-null per the checks above.
        let (m, b) = (&mut *message, &*buffer);
        m.alloc = alloc;
        if b.len < MIN_MESSAGE_LEN {
            return raise(AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH);
        }
        match validate_message(bytes::contents(b)) {
            Ok(_) => {
                m.message_buffer = *b;
                m.message_buffer.allocator = ptr::null_mut();
                AWS_OP_SUCCESS
            }
            Err(e) => {
                // Upstream had already taken the buffer when it checks headers_length.
                if e.aws_error_code() == AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN {
                    m.message_buffer = bytes::zeroed();
                }
                raise(e.aws_error_code())
            }
        }
    }
}

/// Like `_from_buffer`, then copies the buffer into memory from `alloc`.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_from_buffer_copy(
    message: *mut aws_event_stream_message,
    alloc: *mut aws_allocator,
    buffer: *const aws_byte_buf,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let rv = aws_event_stream_message_from_buffer(message, alloc, buffer as *mut aws_byte_buf);
        if rv != AWS_OP_SUCCESS {
            return rv;
        }
        // SAFETY: validated above (non-null, len bytes readable).
        let (m, src) = (&mut *message, &*buffer);
        // As aws_byte_buf_init_copy: same capacity, the first `len` bytes copied.
        let Some(mut copy) = bytes::with_capacity(alloc, src.capacity.max(src.len)) else {
            m.message_buffer = bytes::zeroed();
            return AWS_OP_ERR;
        };
        bytes::write(&mut copy, bytes::contents(src));
        m.message_buffer = copy;
        m.alloc = alloc;
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_clean_up(message: *mut aws_event_stream_message) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!message.is_null(), "aws_event_stream_message_clean_up");
        bytes::clean_up(&mut (*message).message_buffer);
    }
}

unsafe fn cursor(message: *const aws_event_stream_message, func: &'static str) -> Cursor {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if message.is_null() {
            crate::ffi::fatal(func);
        }
        // SAFETY: non-null, and a valid message per the caller.
        Cursor::of(&(*message).message_buffer)
    }
}

/// The big-endian u32 at `offset` of the buffer, 0 if the buffer is shorter.
unsafe fn word_at(
    message: *const aws_event_stream_message,
    offset: usize,
    func: &'static str,
) -> u32 {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let mut cur = cursor(message, func);
        cur.advance(offset);
        cur.read_be32()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_total_length(
    message: *const aws_event_stream_message,
) -> u32 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        word_at(
            message,
            0,
            "aws_event_stream_message_total_length: message is NULL",
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_headers_len(
    message: *const aws_event_stream_message,
) -> u32 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        word_at(
            message,
            4,
            "aws_event_stream_message_headers_len: message is NULL",
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_prelude_crc(
    message: *const aws_event_stream_message,
) -> u32 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        word_at(
            message,
            8,
            "aws_event_stream_message_prelude_crc: message is NULL",
        )
    }
}

/// The trailer, found through the message's own total_length field.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_message_crc(
    message: *const aws_event_stream_message,
) -> u32 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let total = aws_event_stream_message_total_length(message);
        let at = total.wrapping_sub(TRAILER_LEN as u32) as usize;
        word_at(
            message,
            at,
            "aws_event_stream_message_message_crc: message is NULL",
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_payload(
    message: *const aws_event_stream_message,
) -> *const u8 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let mut cur = cursor(message, "aws_event_stream_message_payload: message is NULL");
        cur.advance(PRELUDE_LEN + aws_event_stream_message_headers_len(message) as usize);
        cur.ptr
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_payload_len(
    message: *const aws_event_stream_message,
) -> u32 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let total = aws_event_stream_message_total_length(message);
        let headers = aws_event_stream_message_headers_len(message);
        total.wrapping_sub(headers.wrapping_add(MIN_MESSAGE_LEN as u32))
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_buffer(
    message: *const aws_event_stream_message,
) -> *const u8 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!message.is_null(), "aws_event_stream_message_buffer");
        (*message).message_buffer.buffer
    }
}

/// Parses the message's headers into `headers` (values point into the message).
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_message_headers(
    message: *const aws_event_stream_message,
    headers: *mut aws_array_list,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let mut cur = cursor(message, "aws_event_stream_message_headers: message is NULL");
        cur.advance(PRELUDE_LEN);
        let len = aws_event_stream_message_headers_len(message) as usize;
        fatal_precondition!(!cur.ptr.is_null(), "aws_event_stream_message_headers");
        // Upstream trusts headers_length here; a hand-made message could claim
        // more than its buffer holds, which we refuse instead of over-reading.
        if len > cur.len {
            return raise(AWS_ERROR_EVENT_STREAM_BUFFER_LENGTH_MISMATCH);
        }
        aws_event_stream_read_headers_from_buffer(headers, cur.ptr, len)
    }
}
