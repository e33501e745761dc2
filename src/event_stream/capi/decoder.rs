//! `aws_event_stream_streaming_decoder` over the safe [`StreamingDecoder`].
//!
//! The C struct is embedded by value in callers. `alloc`, the callbacks and
//! `user_context` sit at upstream's offsets; `prelude` mirrors the current
//! message's (callbacks get a pointer to it, as upstream), `current_header`
//! holds the header being reported and is all zero between headers, as
//! upstream leaves it.
//!
//! Like upstream's, the decoder holds no memory while idle: C programs decode
//! whole messages and never call clean-up. A pump that starts at a message
//! boundary runs the core on the stack; only if it ends mid-message is the
//! core moved into a block from `alloc` (its pointer kept in the first 8
//! bytes of the upstream-private `working_buffer`), and that block is freed
//! again by the first pump that ends on a boundary, by a failure, or by
//! clean-up. The other upstream-private fields carry the rest: `message_pos`
//! is non-zero while a pump runs (callbacks may run), `running_crc` holds the
//! error a failed decoder keeps returning.
//!
//! Callbacks get what upstream gives them: a header whose string/byte_buf
//! value points into the pumped bytes (`value_owned` 0) or, if it straddled
//! pumps, into the decoder's own buffer (`value_owned` 1); payload segments
//! as an `aws_byte_buf` view with a final-segment flag. Prelude and
//! message-CRC faults go through `on_error` (error raised first, as
//! upstream) and the return value; header faults only through the return
//! value. Differences (see COMPAT.md): after an error every pump fails with
//! the same error without calling back; clean-up frees a partly received
//! header value (upstream leaks it); clean-up from inside a callback is safe.
use std::ffi::CString;
use std::ptr::{self, addr_of_mut};

use libc::c_int;

use super::bytes;
use super::headers::{fill_from_raw, set_variable_value};
use crate::common::abi::{aws_allocator, aws_byte_buf, AWS_OP_ERR, AWS_OP_SUCCESS};
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::{
    AWS_ERROR_EVENT_STREAM_MESSAGE_PARSER_ILLEGAL_STATE, AWS_ERROR_OOM,
};
use crate::event_stream::abi::*;
use crate::event_stream::decoder::{DecoderSink, StreamingDecoder};
use crate::event_stream::wire::{Prelude, RawHeader, RawValue, WireError};
use crate::fatal_precondition;

type Decoder = aws_event_stream_streaming_decoder;

/// A mid-message core, in memory from the decoder's allocator.
struct Spilled {
    core: StreamingDecoder,
    alloc: *mut aws_allocator,
}

/// `message_pos` while a pump runs.
const PUMPING: usize = 1;

unsafe fn spill_slot(d: *mut Decoder) -> *mut *mut Spilled {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: working_buffer is 12 bytes at offset 8 of a live decoder.
        addr_of_mut!((*d).working_buffer) as *mut *mut Spilled
    }
}

unsafe fn spilled_of(d: *mut Decoder) -> *mut Spilled {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { ptr::read_unaligned(spill_slot(d)) }
}

unsafe fn set_spilled(d: *mut Decoder, s: *mut Spilled) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { ptr::write_unaligned(spill_slot(d), s) }
}

unsafe fn pumping(d: *mut Decoder) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { (*d).message_pos == PUMPING }
}

/// Zeroes the upstream-private fields (spill pointer, pump flag, sticky
/// error), the current header and the prelude.
unsafe fn reset_private(d: *mut Decoder) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: plain writes to fields of a live decoder.
        (*d).working_buffer = [0; 12];
        (*d).message_pos = 0;
        (*d).running_crc = 0;
        (*d).current_header_name_offset = 0;
        (*d).current_header_value_offset = 0;
        ptr::write_bytes(addr_of_mut!((*d).current_header), 0, 1);
        (*d).prelude = aws_event_stream_message_prelude::default();
        (*d).state = None;
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_streaming_decoder_init_from_options(
    decoder: *mut aws_event_stream_streaming_decoder,
    allocator: *mut aws_allocator,
    options: *const aws_event_stream_streaming_decoder_options,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !decoder.is_null(),
            "aws_event_stream_streaming_decoder_init_from_options"
        );
        fatal_precondition!(
            !allocator.is_null(),
            "aws_event_stream_streaming_decoder_init_from_options"
        );
        fatal_precondition!(
            !options.is_null(),
            "aws_event_stream_streaming_decoder_init_from_options"
        );
        reset_private(decoder);
        let o = &*options;
        let d = &mut *decoder;
        d.alloc = allocator;
        d.on_payload = o.on_payload_segment;
        d.on_prelude = o.on_prelude;
        d.on_header = o.on_header;
        d.on_complete = o.on_complete;
        d.on_error = o.on_error;
        d.user_context = o.user_data;
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_streaming_decoder_init(
    decoder: *mut aws_event_stream_streaming_decoder,
    alloc: *mut aws_allocator,
    on_payload_segment: aws_event_stream_process_on_payload_segment_fn,
    on_prelude: aws_event_stream_prelude_received_fn,
    on_header: aws_event_stream_header_received_fn,
    on_error: aws_event_stream_on_error_fn,
    user_data: *mut libc::c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let options = aws_event_stream_streaming_decoder_options {
            on_payload_segment,
            on_prelude,
            on_header,
            on_complete: None,
            on_error,
            user_data,
        };
        aws_event_stream_streaming_decoder_init_from_options(decoder, alloc, &options);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_streaming_decoder_clean_up(
    decoder: *mut aws_event_stream_streaming_decoder,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !decoder.is_null(),
            "aws_event_stream_streaming_decoder_clean_up"
        );
        // From inside a callback the running pump owns (and frees) the spilled
        // core; it sees the cleared flag and stops reporting.
        let spilled = spilled_of(decoder);
        if !spilled.is_null() && !pumping(decoder) {
            drop_in((*spilled).alloc, spilled);
        }
        reset_private(decoder);
        let d = &mut *decoder;
        d.on_payload = None;
        d.on_prelude = None;
        d.on_header = None;
        d.on_complete = None;
        d.on_error = None;
        d.user_context = ptr::null_mut();
    }
}

/// Feeds `data` through the decoder; every callback for it fires before this
/// returns. Returns AWS_OP_ERR with upstream's error on a fault.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_streaming_decoder_pump(
    decoder: *mut aws_event_stream_streaming_decoder,
    data: *const aws_byte_buf,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !decoder.is_null(),
            "aws_event_stream_streaming_decoder_pump"
        );
        fatal_precondition!(!data.is_null(), "aws_event_stream_streaming_decoder_pump");
        let data = &*data;
        if data.buffer.is_null() || data.len == 0 {
            return AWS_OP_SUCCESS;
        }
        if pumping(decoder) {
            // Pumping again from one of this decoder's own callbacks.
            return raise(AWS_ERROR_EVENT_STREAM_MESSAGE_PARSER_ILLEGAL_STATE);
        }
        if (*decoder).running_crc != 0 {
            return raise((*decoder).running_crc as c_int);
        }
        let alloc = (*decoder).alloc;
        fatal_precondition!(
            !alloc.is_null(),
            "aws_event_stream_streaming_decoder_pump: decoder not initialized"
        );
        let spilled = spilled_of(decoder);
        let mut local = None;
        let core = if spilled.is_null() {
            local.insert(StreamingDecoder::new())
        } else {
            // SAFETY: the spilled block is this decoder's and live; callbacks
            // cannot free it while we pump (clean-up leaves it to us).
            &mut (*spilled).core
        };
        let bytes_in = bytes::contents(data);
        let mut sink = CSink {
            decoder,
            chunk: bytes_in.as_ptr_range(),
            reported: false,
        };
        (*decoder).message_pos = PUMPING;
        let result = core.pump(bytes_in, &mut sink);
        if !pumping(decoder) {
            // Cleaned up or re-initialised from a callback: the decoder is no
            // longer ours to touch; drop the core this pump ran.
            if !spilled.is_null() {
                drop_in((*spilled).alloc, spilled);
            }
            return finish(result, sink.reported);
        }
        (*decoder).message_pos = 0;
        let keep = core.failed().is_none() && core.message_in_progress();
        if let Some(e) = core.failed() {
            (*decoder).running_crc = e.aws_error_code() as u32;
        }
        match (keep, spilled.is_null()) {
            (true, false) => {}
            (false, false) => {
                set_spilled(decoder, ptr::null_mut());
                drop_in((*spilled).alloc, spilled);
            }
            (false, true) => {}
            (true, true) => {
                let core = local.take().unwrap_or_default();
                let block = new_in(alloc, Spilled { core, alloc });
                if block.is_null() {
                    // Without memory the partial message is lost: fail for good.
                    (*decoder).running_crc = AWS_ERROR_OOM as u32;
                    return raise(AWS_ERROR_OOM);
                }
                set_spilled(decoder, block);
            }
        }
        finish(result, sink.reported)
    }
}

fn finish(result: Result<(), WireError>, reported: bool) -> c_int {
    match result {
        Ok(()) => AWS_OP_SUCCESS,
        Err(_) if reported => AWS_OP_ERR,
        Err(e) => raise(e.aws_error_code()),
    }
}

/// Delivers the core's reports to the C callbacks.
struct CSink {
    decoder: *mut Decoder,
    chunk: std::ops::Range<*const u8>,
    /// An error went through `on_error` (and was raised) already.
    reported: bool,
}

fn mirror(p: &Prelude) -> aws_event_stream_message_prelude {
    aws_event_stream_message_prelude {
        total_len: p.total_len,
        headers_len: p.headers_len,
        prelude_crc: p.prelude_crc,
    }
}

impl CSink {
    /// False once the decoder was cleaned up or re-initialised from a callback:
    /// the rest of the pump then reports nothing.
    fn live(&self) -> bool {
        // SAFETY: the decoder is the caller's and outlives the pump.
        unsafe { pumping(self.decoder) }
    }

    fn in_chunk(&self, b: &[u8]) -> bool {
        let r = b.as_ptr_range();
        self.chunk.start <= r.start && r.end <= self.chunk.end
    }
}

impl DecoderSink for CSink {
    fn on_prelude(&mut self, prelude: &Prelude) {
        if !self.live() {
            return;
        }
        let d = self.decoder;
        // SAFETY: the decoder is live; callbacks get pointers into it, as upstream.
        unsafe {
            (*d).prelude = mirror(prelude);
            if let Some(f) = (*d).on_prelude {
                f(d, addr_of_mut!((*d).prelude), (*d).user_context);
            }
        }
    }

    fn on_header(&mut self, _prelude: &Prelude, header: &RawHeader<'_>) {
        if !self.live() {
            return;
        }
        let d = self.decoder;
        // SAFETY: the decoder is live; its current_header is all zero between
        // headers (init and the end of every header leave it so), so it is
        // filled in place; the value bytes outlive the callback.
        unsafe {
            let h = addr_of_mut!((*d).current_header);
            match header.value {
                RawValue::ByteBuf(b) | RawValue::String(b) => {
                    fill_from_raw(h, header, !self.in_chunk(b));
                    if b.is_empty() {
                        // Empty values point at the pumped bytes, as upstream.
                        set_variable_value(h, self.chunk.start, false);
                    }
                }
                _ => fill_from_raw(h, header, false),
            }
            if let Some(f) = (*d).on_header {
                f(d, addr_of_mut!((*d).prelude), h, (*d).user_context);
            }
            if self.live() {
                ptr::write_bytes(h, 0, 1);
            }
        }
    }

    fn on_payload(&mut self, fragment: &[u8], final_segment: bool) {
        if !self.live() {
            return;
        }
        let d = self.decoder;
        let mut view = bytes::from_array(fragment.as_ptr(), fragment.len());
        // SAFETY: as in on_prelude; the view lives across the call.
        unsafe {
            if let Some(f) = (*d).on_payload {
                f(d, &mut view, final_segment as i8, (*d).user_context);
            }
        }
    }

    fn on_complete(&mut self, message_crc: u32) {
        if !self.live() {
            return;
        }
        let d = self.decoder;
        // SAFETY: as in on_prelude.
        unsafe {
            if let Some(f) = (*d).on_complete {
                f(d, message_crc, (*d).user_context);
            }
            if self.live() {
                (*d).prelude = aws_event_stream_message_prelude::default();
            }
        }
    }

    fn on_error(&mut self, prelude: &Prelude, error: WireError, message: &str) {
        let code = error.aws_error_code();
        raise(code);
        self.reported = true;
        if !self.live() {
            return;
        }
        let text = CString::new(message).unwrap_or_default();
        let d = self.decoder;
        // SAFETY: as in on_prelude; `text` outlives the call.
        unsafe {
            (*d).prelude = mirror(prelude);
            if let Some(f) = (*d).on_error {
                f(
                    d,
                    addr_of_mut!((*d).prelude),
                    code,
                    text.as_ptr(),
                    (*d).user_context,
                );
            }
        }
    }
}
