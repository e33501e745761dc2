//! What the RPC server and client C APIs share around the sans-IO cores: the
//! connection's event-stream handler, C message args in and out, and the
//! write completion that runs a core's [`AfterFlush`] steps.
//!
//! Threads: sends may come from any thread (upstream allows it); they are
//! checked by the core under the connection's lock, encoded at once (the C
//! args are borrowed only for the call), and written on the channel's loop
//! thread in the order they were made. Everything else runs on the loop thread.
use bytes::Bytes;
use libc::{c_int, c_void};

use super::protocol::{AfterFlush, MessageArgs, Outgoing};
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error_codes::*;
use crate::event_stream::abi::*;
use crate::event_stream::capi::headers::fill_from_raw;
use crate::event_stream::channel_handler::{EventStreamHandler, Receiver, RustReceiver, WriteDone};
use crate::event_stream::wire::{
    Header, HeaderIter, HeaderType, HeaderValue, Message, MessageView,
};
use crate::io::abi::*;
use crate::io::channel::rust_handler::*;
use crate::io::channel::*;

/// Copies the C message args of a send into owned [`MessageArgs`] (the
/// caller's memory is only borrowed for the call).
///
/// # Safety
/// `args` points to valid args whose headers/payload are valid for reading.
pub unsafe fn message_args_from_c(
    args: *const aws_event_stream_rpc_message_args,
) -> Result<MessageArgs, c_int> {
    if args.is_null() {
        return Err(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: per the caller.
    unsafe {
        let a = &*args;
        let pairs = if a.headers_count == 0 || a.headers.is_null() {
            &[][..]
        } else {
            std::slice::from_raw_parts(a.headers, a.headers_count)
        };
        let mut headers = Vec::with_capacity(pairs.len() + 4);
        for p in pairs {
            headers.push(header_from_pair(p)?);
        }
        let payload = if a.payload.is_null() {
            Bytes::new()
        } else {
            let b = &*a.payload;
            Bytes::copy_from_slice(crate::ffi::slice(b.buffer, b.len))
        };
        Ok(MessageArgs {
            headers,
            payload,
            message_type: a.message_type,
            flags: a.message_flags,
        })
    }
}

/// One C header pair as an owned wire header.
///
/// # Safety
/// A variable-length value points to `header_value_len` readable bytes.
unsafe fn header_from_pair(p: &aws_event_stream_header_value_pair) -> Result<Header, c_int> {
    let name_len = usize::from(p.header_name_len);
    // SAFETY: the name array holds 255 bytes; name_len <= 255.
    let name = unsafe { std::slice::from_raw_parts(p.header_name.as_ptr() as *const u8, name_len) };
    let ty = u8::try_from(p.header_value_type)
        .ok()
        .and_then(HeaderType::from_u8)
        .ok_or(AWS_ERROR_EVENT_STREAM_MESSAGE_UNKNOWN_HEADER_TYPE)?;
    // SAFETY: the union member read matches the type tag.
    let value = unsafe {
        let v = &p.header_value;
        let fixed = |n: usize| -> [u8; 16] {
            let mut out = [0u8; 16];
            out[..n].copy_from_slice(&v.static_val[..n]);
            out
        };
        match ty {
            HeaderType::BoolTrue => HeaderValue::Bool(true),
            HeaderType::BoolFalse => HeaderValue::Bool(false),
            HeaderType::Byte => HeaderValue::Byte(v.static_val[0] as i8),
            HeaderType::Int16 => {
                HeaderValue::Int16(i16::from_be_bytes(fixed(2)[..2].try_into().unwrap()))
            }
            HeaderType::Int32 => {
                HeaderValue::Int32(i32::from_be_bytes(fixed(4)[..4].try_into().unwrap()))
            }
            HeaderType::Int64 => {
                HeaderValue::Int64(i64::from_be_bytes(fixed(8)[..8].try_into().unwrap()))
            }
            HeaderType::Timestamp => {
                HeaderValue::Timestamp(i64::from_be_bytes(fixed(8)[..8].try_into().unwrap()))
            }
            HeaderType::Uuid => HeaderValue::Uuid(fixed(16)),
            HeaderType::ByteBuf | HeaderType::String => {
                let bytes = Bytes::copy_from_slice(crate::ffi::slice(
                    v.variable_len_val,
                    usize::from(p.header_value_len),
                ));
                if ty == HeaderType::String {
                    HeaderValue::String(bytes)
                } else {
                    HeaderValue::ByteBuf(bytes)
                }
            }
        }
    };
    Ok(Header::new(Bytes::copy_from_slice(name), value))
}

/// An owned copy of a received message's headers for a core (the view's
/// bytes are the channel's, valid only for the call); the payload stays
/// empty: the cores never read it, and C gets it straight from the frame
/// (see [`CArgs::new`]). The headers are parsed as upstream's one-shot
/// `aws_event_stream_message_headers` (at most 1024); its error code when
/// they do not parse.
pub fn owned_headers(view: &MessageView<'_>) -> Result<Message, c_int> {
    let block = Bytes::copy_from_slice(view.headers_block);
    let mut headers = Vec::new();
    for raw in HeaderIter::new(&block) {
        let raw = raw.map_err(|e| e.aws_error_code())?;
        headers.push(Header::new(
            block.slice_ref(raw.name),
            raw.value.to_value_in(&block),
        ));
    }
    Ok(Message::new(headers, Bytes::new()))
}

/// C message args over a received message's headers and payload, valid
/// while `message`, `payload` and the returned storage live (header values
/// point into the message).
pub struct CArgs {
    pairs: Vec<aws_event_stream_header_value_pair>,
    payload: aws_byte_buf,
    message_type: c_int,
    flags: u32,
}

impl CArgs {
    pub fn new(message: &Message, payload: &[u8], message_type: i32, flags: u32) -> CArgs {
        let mut pairs = Vec::with_capacity(message.headers.len());
        for h in &message.headers {
            let mut p = crate::event_stream::capi::headers::zeroed_pair();
            // SAFETY: `p` is a local pair; the value borrows the message's bytes.
            unsafe { fill_from_raw(&mut p, &h.as_raw(), false) };
            pairs.push(p);
        }
        CArgs {
            pairs,
            payload: aws_byte_buf {
                len: payload.len(),
                buffer: payload.as_ptr() as *mut u8,
                capacity: payload.len(),
                allocator: std::ptr::null_mut(),
            },
            message_type,
            flags,
        }
    }

    /// The C struct for a callback; borrow it only for the call.
    pub fn as_c(&mut self) -> aws_event_stream_rpc_message_args {
        aws_event_stream_rpc_message_args {
            headers: self.pairs.as_mut_ptr(),
            headers_count: self.pairs.len(),
            payload: &mut self.payload,
            message_type: self.message_type,
            message_flags: self.flags,
        }
    }
}

/// Installs an event-stream handler in a new last slot of `channel`, feeding
/// `receiver`. Returns the C handler (owned by the channel).
///
/// # Safety
/// Loop thread of a live channel; `alloc` outlives the channel.
pub unsafe fn install_event_stream_handler(
    alloc: *mut aws_allocator,
    channel: *mut aws_channel,
    receiver: RustReceiver,
    user_data: *mut c_void,
    initial_window_size: usize,
    manual_window: bool,
) -> Result<*mut aws_channel_handler, c_int> {
    // SAFETY: per the caller.
    unsafe {
        let handler = EventStreamHandler::new_c_handler(
            alloc,
            Receiver::Rust(std::cell::RefCell::new(receiver)),
            user_data,
            initial_window_size,
            manual_window,
        );
        let slot = aws_channel_slot_new(channel);
        if slot.is_null() {
            let err = crate::common::error::last_error();
            aws_channel_handler_destroy(handler);
            return Err(err);
        }
        if aws_channel_slot_insert_end(channel, slot) != AWS_OP_SUCCESS
            && aws_channel_get_first_slot(channel) != slot
        {
            let err = crate::common::error::last_error();
            aws_channel_handler_destroy(handler);
            return Err(err);
        }
        if aws_channel_slot_set_handler(slot, handler) != AWS_OP_SUCCESS {
            return Err(crate::common::error::last_error());
        }
        Ok(handler)
    }
}

/// The loop-thread steps after a send was flushed (or failed); implemented
/// by each side's connection.
pub trait Flushed: Send + Sync + 'static {
    /// Runs the core's `after_flush` steps around the application's flush
    /// callback (which `fire_flush` calls), on the loop thread.
    fn after_flush(&self, after: AfterFlush, error_code: c_int, fire_flush: &mut dyn FnMut(c_int));
    /// Drops the reference the send held.
    fn release_send_ref(&self);
}

/// A send in flight: what to call when its last byte is written.
struct PendingSend {
    alloc: *mut aws_allocator,
    conn: *const dyn Flushed,
    after: AfterFlush,
    flush_fn: Option<unsafe extern "C" fn(c_int, *mut c_void)>,
    user_data: *mut c_void,
}

unsafe extern "C" fn on_written(
    _channel: *mut aws_channel,
    _io: *mut aws_io_message,
    error_code: c_int,
    user_data: *mut c_void,
) {
    // SAFETY: user_data is the PendingSend of this write; it completes once.
    unsafe { finish_send(user_data as *mut PendingSend, error_code) }
}

/// # Safety
/// `p` is a live PendingSend, freed here; its connection is alive (the send
/// holds a reference).
unsafe fn finish_send(p: *mut PendingSend, error_code: c_int) {
    // SAFETY: per the caller.
    unsafe {
        let PendingSend {
            alloc,
            conn,
            after,
            flush_fn,
            user_data,
        } = std::ptr::read(p);
        drop_in(alloc, p);
        let conn = &*conn;
        conn.after_flush(after, error_code, &mut |code| {
            if let Some(f) = flush_fn {
                f(code, user_data);
            }
        });
        conn.release_send_ref();
    }
}

struct SendPtr(*mut PendingSend);
// SAFETY: the record is only touched on the loop thread once sent there.
unsafe impl Send for SendPtr {}

/// Writes `out` on `handler`'s channel in send order; the flush callback and
/// the core's after-flush steps follow on the loop thread. The caller has
/// taken a connection reference for the send (released after the flush).
///
/// # Safety
/// `handler` is the connection's live event-stream handler; `conn` outlives
/// the send (the reference the caller took).
pub unsafe fn write_outgoing(
    alloc: *mut aws_allocator,
    handler: *mut aws_channel_handler,
    conn: *const dyn Flushed,
    out: Outgoing,
    flush_fn: Option<unsafe extern "C" fn(c_int, *mut c_void)>,
    user_data: *mut c_void,
) {
    // SAFETY: per the caller.
    unsafe {
        let h = expect_handler::<EventStreamHandler>(handler, "rpc connection write");
        let p = SendPtr(new_in(
            alloc,
            PendingSend {
                alloc,
                conn,
                after: out.after_flush,
                flush_fn,
                user_data,
            },
        ));
        let message = out.message;
        h.with_write_order(Box::new(move |h| {
            let p = { p }.0;
            let Some(h) = h else {
                return finish_send(p, AWS_ERROR_IO_OPERATION_CANCELLED);
            };
            let done = WriteDone {
                on_done: Some(on_written),
                user_data: p as *mut c_void,
            };
            if let Err(e) = h.write_encoded(&message, Some(done)) {
                finish_send(p, e);
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_stream::rpc::test_support::vector;
    use crate::event_stream::wire::validate_message;

    #[test]
    fn owned_headers_are_the_decoded_headers() {
        for name in [
            "many_mixed_headers_with_payload.bin",
            "rpc_connect_ack_accepted.bin",
            "empty_message.bin",
        ] {
            let bytes = vector(name);
            let view = validate_message(&bytes).unwrap();
            let owned = owned_headers(&view).unwrap();
            let decoded = Message::decode(bytes.clone()).unwrap();
            assert_eq!(owned.headers, decoded.headers, "{name}");
            assert!(owned.payload.is_empty(), "{name}: the payload stays in the frame");
        }
    }

    #[test]
    fn owned_headers_caps_headers_as_the_one_shot_parser() {
        let headers: Vec<Header> = (0..1025)
            .map(|i| Header::new(Bytes::from(format!("h{i}")), HeaderValue::Bool(true)))
            .collect();
        let bytes = Message::new(headers, Bytes::new()).to_bytes().unwrap();
        let view = validate_message(&bytes).unwrap();
        let expected = Message::decode(bytes.clone()).unwrap_err().aws_error_code();
        assert_eq!(owned_headers(&view), Err(expected));
    }
}
