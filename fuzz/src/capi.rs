//! Body of the `capi_streaming_decoder` fuzz target: drives the exported C
//! API the way a C program would, with a counting `aws_allocator`.
//!
//! Input: `data[0]` holds flags (bits 0-2: how many of the next bytes are
//! chunk sizes, minus one; bit 6: use the legacy `_init` instead of
//! `_init_from_options`; bit 7: keep the CRCs as given instead of repairing
//! them), then the chunk sizes, then the message bytes.
//!
//! For each input: the streaming decoder is pumped chunk by chunk and, with
//! a fresh decoder, in one pump; both must report the same callbacks and
//! result. Each message found in the bytes goes through
//! `aws_event_stream_message_from_buffer` (+ `_headers`) and `_from_buffer_copy`;
//! a message the streaming decoder accepts must be accepted there with the
//! same headers and payload. Every callback argument is read in full, so a
//! dangling or short view shows up as a crash or a mismatch. Nothing may be
//! left allocated, and the peak must stay in proportion to the input.

use std::alloc::Layout;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;

use aws_c_event_stream_rs::common::abi::{aws_allocator, aws_array_list, aws_byte_buf};
use aws_c_event_stream_rs::common::error::aws_last_error;
use aws_c_event_stream_rs::common::error_codes::AWS_ERROR_EVENT_STREAM_MESSAGE_TOO_MANY_HEADERS;
use aws_c_event_stream_rs::event_stream::abi::*;
use aws_c_event_stream_rs::event_stream::capi::decoder::*;
use aws_c_event_stream_rs::event_stream::capi::headers::*;
use aws_c_event_stream_rs::event_stream::capi::message::*;
use aws_c_event_stream_rs::event_stream::wire::limits::MESSAGE_MAX_HEADERS;

use crate::alloc_guard::budget;

/// Heap bytes per input byte the C API target may use (Rust heap and its
/// `aws_allocator` each): the harness copies the input a few times, the
/// decoder itself needs only fixed-size state.
pub const PER_BYTE: usize = 16;
use crate::crc_fix;

// ---- counting allocator -------------------------------------------------------

/// An `aws_allocator` that counts live blocks and bytes. Each block carries
/// its size in a 16-byte header so `mem_release` can account for it.
#[repr(C)]
struct Counting {
    base: aws_allocator,
    live_bytes: usize,
    live_blocks: usize,
    peak_bytes: usize,
}

const HEADER: usize = 16;

fn block_layout(size: usize) -> Layout {
    Layout::from_size_align(size + HEADER, HEADER).expect("allocation size overflow")
}

unsafe extern "C" fn acquire(a: *mut aws_allocator, size: usize) -> *mut c_void {
    // SAFETY: `a` is the first field of a live `Counting` (we made it).
    let c = unsafe { &mut *(a as *mut Counting) };
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { std::alloc::alloc(block_layout(size)) };
    if p.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: the block is at least HEADER bytes and 16-aligned.
    unsafe { (p as *mut usize).write(size) };
    c.live_bytes += size;
    c.live_blocks += 1;
    c.peak_bytes = c.peak_bytes.max(c.live_bytes);
    // SAFETY: HEADER < block size.
    unsafe { p.add(HEADER) as *mut c_void }
}

/// The recorded size of a block handed out by `acquire`.
unsafe fn size_of_block(p: *mut c_void) -> usize {
    // SAFETY: `p` is HEADER bytes into a block from `acquire`.
    unsafe { ((p as *mut u8).sub(HEADER) as *const usize).read() }
}

unsafe extern "C" fn release(a: *mut aws_allocator, p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: `a` is the first field of a live `Counting`.
    let c = unsafe { &mut *(a as *mut Counting) };
    // SAFETY: the library only releases blocks it acquired from us.
    let size = unsafe { size_of_block(p) };
    assert!(
        c.live_blocks > 0 && c.live_bytes >= size,
        "release of a foreign block"
    );
    c.live_bytes -= size;
    c.live_blocks -= 1;
    // SAFETY: the block was allocated with exactly this layout.
    unsafe { std::alloc::dealloc((p as *mut u8).sub(HEADER), block_layout(size)) };
}

unsafe extern "C" fn realloc(
    a: *mut aws_allocator,
    p: *mut c_void,
    old: usize,
    new: usize,
) -> *mut c_void {
    // SAFETY: allocator contract, as above.
    unsafe {
        let fresh = acquire(a, new);
        if fresh.is_null() || p.is_null() {
            return fresh;
        }
        let recorded = size_of_block(p);
        assert_eq!(old, recorded, "aws_mem_realloc given the wrong old size");
        ptr::copy_nonoverlapping(p as *const u8, fresh as *mut u8, old.min(new));
        release(a, p);
        fresh
    }
}

unsafe extern "C" fn calloc(a: *mut aws_allocator, n: usize, size: usize) -> *mut c_void {
    let Some(total) = n.checked_mul(size) else {
        return ptr::null_mut();
    };
    // SAFETY: allocator contract, as above; the block holds `total` bytes.
    unsafe {
        let p = acquire(a, total);
        if !p.is_null() {
            ptr::write_bytes(p as *mut u8, 0, total);
        }
        p
    }
}

impl Counting {
    fn new() -> Box<Counting> {
        Box::new(Counting {
            base: aws_allocator {
                mem_acquire: Some(acquire),
                mem_release: Some(release),
                mem_realloc: Some(realloc),
                mem_calloc: Some(calloc),
                r#impl: ptr::null_mut(),
            },
            live_bytes: 0,
            live_blocks: 0,
            peak_bytes: 0,
        })
    }

    fn as_ptr(&mut self) -> *mut aws_allocator {
        &mut self.base
    }

    fn assert_clean(&self, what: &str, input_len: usize) {
        assert_eq!(
            (self.live_blocks, self.live_bytes),
            (0, 0),
            "{what}: blocks/bytes still allocated from the aws_allocator"
        );
        assert!(
            self.peak_bytes <= budget(input_len, PER_BYTE),
            "{what}: aws_allocator peak {} bytes for {input_len} input bytes",
            self.peak_bytes
        );
    }
}

// ---- what the callbacks saw ---------------------------------------------------

/// FNV-1a over a byte stream, plus its length: the same for any split of
/// the same bytes. The harness keeps digests instead of copies so its own
/// heap use stays small next to the library's, which the budget is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Digest {
    len: u64,
    hash: u64,
}

impl Default for Digest {
    fn default() -> Digest {
        Digest {
            len: 0,
            hash: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl Digest {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash = (self.hash ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        self.len += bytes.len() as u64;
    }
}

/// The bytes of a view the library handed out (read in full, so a short or
/// dangling view faults or changes the digest).
unsafe fn view<'a>(b: aws_byte_buf) -> &'a [u8] {
    if b.len == 0 {
        return &[];
    }
    assert!(!b.buffer.is_null(), "non-empty view with a NULL buffer");
    // SAFETY: the library promises `len` readable bytes at `buffer`.
    unsafe { std::slice::from_raw_parts(b.buffer, b.len) }
}

/// Reads a pair back through the public accessors into `d`.
unsafe fn read_header(p: *mut aws_event_stream_header_value_pair, d: &mut Digest) {
    use aws_event_stream_header_value_type::*;
    // SAFETY: `p` is a valid pair for the duration of the call.
    unsafe {
        let kind = (*p).header_value_type;
        let len = aws_event_stream_header_value_length(p) as usize;
        let name = view(aws_event_stream_header_name(p));
        d.feed(&[name.len() as u8]);
        d.feed(name);
        d.feed(&kind.to_be_bytes());
        let fixed: [u8; 8];
        let value: &[u8] = match kind {
            k if k == AWS_EVENT_STREAM_HEADER_BOOL_TRUE as i32
                || k == AWS_EVENT_STREAM_HEADER_BOOL_FALSE as i32 =>
            {
                fixed = [
                    aws_event_stream_header_value_as_bool(p) as u8,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                ];
                &fixed[..1]
            }
            k if k == AWS_EVENT_STREAM_HEADER_BYTE as i32 => {
                fixed = [
                    aws_event_stream_header_value_as_byte(p) as u8,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                ];
                &fixed[..1]
            }
            k if k == AWS_EVENT_STREAM_HEADER_INT16 as i32 => {
                fixed = (aws_event_stream_header_value_as_int16(p) as i64).to_be_bytes();
                &fixed
            }
            k if k == AWS_EVENT_STREAM_HEADER_INT32 as i32 => {
                fixed = (aws_event_stream_header_value_as_int32(p) as i64).to_be_bytes();
                &fixed
            }
            k if k == AWS_EVENT_STREAM_HEADER_INT64 as i32 => {
                fixed = aws_event_stream_header_value_as_int64(p).to_be_bytes();
                &fixed
            }
            k if k == AWS_EVENT_STREAM_HEADER_TIMESTAMP as i32 => {
                fixed = aws_event_stream_header_value_as_timestamp(p).to_be_bytes();
                &fixed
            }
            k if k == AWS_EVENT_STREAM_HEADER_UUID as i32 => {
                view(aws_event_stream_header_value_as_uuid(p))
            }
            k if k == AWS_EVENT_STREAM_HEADER_STRING as i32 => {
                let v = view(aws_event_stream_header_value_as_string(p));
                assert_eq!(v.len(), len, "string header length");
                v
            }
            k if k == AWS_EVENT_STREAM_HEADER_BYTE_BUF as i32 => {
                let v = view(aws_event_stream_header_value_as_bytebuf(p));
                assert_eq!(v.len(), len, "byte_buf header length");
                v
            }
            // Upstream hands unknown types through from
            // `_read_headers_from_buffer`, with no value.
            _ => {
                assert_eq!(len, 0, "unknown header type with a value length");
                &[]
            }
        };
        d.feed(&(value.len() as u32).to_be_bytes());
        d.feed(value);
    }
}

/// Everything the decoder reported, in order, independent of chunking.
#[derive(Debug, Default, PartialEq, Eq)]
struct Seen {
    preludes: Vec<(u32, u32, u32)>,
    header_count: usize,
    headers: Digest,
    payload: Digest,
    final_segments: usize,
    completes: Vec<u32>,
    errors: Vec<(c_int, String)>,
    /// Return of the last pump and the error it raised.
    result: (c_int, c_int),
}

unsafe fn seen<'a>(user_data: *mut c_void) -> &'a mut Seen {
    // SAFETY: user_data is the `Seen` this module passed in.
    unsafe { &mut *(user_data as *mut Seen) }
}

unsafe extern "C" fn on_payload(
    _: *mut aws_event_stream_streaming_decoder,
    payload: *mut aws_byte_buf,
    final_segment: i8,
    user_data: *mut c_void,
) {
    // SAFETY: callback arguments are valid for the call.
    unsafe {
        let s = seen(user_data);
        let bytes = view(*payload);
        assert!(!bytes.is_empty(), "empty payload segment");
        s.payload.feed(bytes);
        s.final_segments += (final_segment != 0) as usize;
    }
}

unsafe extern "C" fn on_prelude(
    _: *mut aws_event_stream_streaming_decoder,
    prelude: *mut aws_event_stream_message_prelude,
    user_data: *mut c_void,
) {
    // SAFETY: callback arguments are valid for the call.
    unsafe {
        let p = *prelude;
        seen(user_data)
            .preludes
            .push((p.total_len, p.headers_len, p.prelude_crc));
    }
}

unsafe extern "C" fn on_header(
    _: *mut aws_event_stream_streaming_decoder,
    _: *mut aws_event_stream_message_prelude,
    header: *mut aws_event_stream_header_value_pair,
    user_data: *mut c_void,
) {
    // SAFETY: callback arguments are valid for the call.
    unsafe {
        let s = seen(user_data);
        read_header(header, &mut s.headers);
        s.header_count += 1;
    }
}

unsafe extern "C" fn on_complete(
    _: *mut aws_event_stream_streaming_decoder,
    crc: u32,
    user_data: *mut c_void,
) {
    // SAFETY: callback arguments are valid for the call.
    unsafe { seen(user_data).completes.push(crc) };
}

unsafe extern "C" fn on_error(
    _: *mut aws_event_stream_streaming_decoder,
    _: *mut aws_event_stream_message_prelude,
    code: c_int,
    message: *const c_char,
    user_data: *mut c_void,
) {
    assert_ne!(code, 0, "on_error with error code 0");
    assert_eq!(
        aws_last_error(),
        code,
        "on_error before the error was raised"
    );
    assert!(!message.is_null(), "on_error with a NULL message");
    // SAFETY: a NUL-terminated string valid for the call.
    let text = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: user_data is our `Seen`.
    unsafe { seen(user_data).errors.push((code, text)) };
}

// ---- the runs -------------------------------------------------------------------

/// A read-only `aws_byte_buf` view of `bytes`.
fn buf_of(bytes: &mut [u8]) -> aws_byte_buf {
    aws_byte_buf {
        len: bytes.len(),
        buffer: bytes.as_mut_ptr(),
        capacity: bytes.len(),
        allocator: ptr::null_mut(),
    }
}

/// Pumps `chunks` through a new decoder. Each chunk is copied to its own
/// heap block that is freed right after its pump, so a decoder that keeps a
/// pointer into an earlier chunk reads freed (with MALLOC_PERTURB_, garbled)
/// memory and disagrees with the one-pump run.
fn stream(chunks: &[&[u8]], legacy_init: bool, total_len: usize) -> Seen {
    let mut alloc = Counting::new();
    let mut out = Seen::default();
    let user_data = &mut out as *mut Seen as *mut c_void;
    // SAFETY: the decoder is zero-initialised plain data, lives on this
    // frame, and is cleaned up before `out` and `alloc` go away.
    unsafe {
        let mut decoder: aws_event_stream_streaming_decoder = std::mem::zeroed();
        if legacy_init {
            aws_event_stream_streaming_decoder_init(
                &mut decoder,
                alloc.as_ptr(),
                Some(on_payload),
                Some(on_prelude),
                Some(on_header),
                Some(on_error),
                user_data,
            );
        } else {
            let options = aws_event_stream_streaming_decoder_options {
                on_payload_segment: Some(on_payload),
                on_prelude: Some(on_prelude),
                on_header: Some(on_header),
                on_complete: Some(on_complete),
                on_error: Some(on_error),
                user_data,
            };
            aws_event_stream_streaming_decoder_init_from_options(
                &mut decoder,
                alloc.as_ptr(),
                &options,
            );
        }
        for chunk in chunks {
            let mut owned = chunk.to_vec();
            let buf = buf_of(&mut owned);
            let rv = aws_event_stream_streaming_decoder_pump(&mut decoder, &buf);
            let err = if rv == 0 { 0 } else { aws_last_error() };
            (*(user_data as *mut Seen)).result = (rv, err);
            if rv != 0 {
                assert_ne!(err, 0, "pump failed without raising an error");
                // A failed decoder stays failed, and quiet.
                let before = format!("{:?}", *(user_data as *mut Seen));
                let again = aws_event_stream_streaming_decoder_pump(&mut decoder, &buf);
                assert_eq!((again, aws_last_error()), (rv, err), "pump after failure");
                (*(user_data as *mut Seen)).result = (rv, err);
                assert_eq!(before, format!("{:?}", *(user_data as *mut Seen)));
                break;
            }
        }
        aws_event_stream_streaming_decoder_clean_up(&mut decoder);
    }
    alloc.assert_clean("streaming decoder", total_len);
    assert!(
        out.errors.len() <= 1,
        "more than one on_error: {:?}",
        out.errors
    );
    assert!(out.final_segments <= out.preludes.len());
    out
}

/// One message through `_from_buffer`, `_headers` and `_from_buffer_copy`:
/// its headers and payload, or the error code that refused it.
fn one_shot(bytes: &[u8]) -> Result<(usize, Digest, Digest), c_int> {
    let mut alloc = Counting::new();
    let mut owned = bytes.to_vec();
    let mut buf = buf_of(&mut owned);
    let result;
    // SAFETY: message and list are zeroed plain data on this frame, cleaned
    // up before return; the buffer outlives the message that borrows it.
    unsafe {
        let mut message: aws_event_stream_message = std::mem::zeroed();
        if aws_event_stream_message_from_buffer(&mut message, alloc.as_ptr(), &mut buf) == 0 {
            let total = aws_event_stream_message_total_length(&message) as usize;
            let headers_len = aws_event_stream_message_headers_len(&message) as usize;
            let payload_len = aws_event_stream_message_payload_len(&message) as usize;
            assert_eq!(total, bytes.len(), "total_length of an accepted buffer");
            assert_eq!(headers_len + payload_len + 16, total);
            let mut payload = Digest::default();
            payload.feed(std::slice::from_raw_parts(
                aws_event_stream_message_payload(&message),
                payload_len,
            ));
            let mut list: aws_array_list = std::mem::zeroed();
            assert_eq!(
                aws_event_stream_headers_list_init(&mut list, alloc.as_ptr()),
                0
            );
            if aws_event_stream_message_headers(&message, &mut list) == 0 {
                let pairs = list.data as *mut aws_event_stream_header_value_pair;
                let mut headers = Digest::default();
                for i in 0..list.length {
                    read_header(pairs.add(i), &mut headers);
                }
                result = Ok((list.length, headers, payload));
            } else {
                result = Err(aws_last_error());
            }
            aws_event_stream_headers_list_cleanup(&mut list);
            aws_event_stream_message_clean_up(&mut message);

            let mut copy: aws_event_stream_message = std::mem::zeroed();
            let rv = aws_event_stream_message_from_buffer_copy(&mut copy, alloc.as_ptr(), &buf);
            assert_eq!(rv, 0, "_from_buffer_copy refused what _from_buffer took");
            let copied = std::slice::from_raw_parts(aws_event_stream_message_buffer(&copy), total);
            assert_eq!(copied, bytes);
            aws_event_stream_message_clean_up(&mut copy);
        } else {
            result = Err(aws_last_error());
            aws_event_stream_message_clean_up(&mut message);
        }
    }
    alloc.assert_clean("message_from_buffer", bytes.len());
    assert_ne!(result, Err(0), "refused without raising an error");
    result
}

/// The messages `body` holds back to back: each `total_length` slice that
/// fits, then whatever is left over.
fn split_messages(body: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = body;
    while rest.len() >= 4 && out.len() < 64 {
        let total = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if total < 16 || total > rest.len() {
            break;
        }
        out.push(&rest[..total]);
        rest = &rest[total..];
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// The target body; panics on any finding.
pub fn capi_streaming_decoder(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let n = (flags as usize % 8 + 1).min(rest.len());
    let (sizes, body) = rest.split_at(n);
    let mut body = body.to_vec();
    if flags & 0x80 == 0 {
        crc_fix::fix_stream(&mut body);
    }
    let legacy = flags & 0x40 != 0;

    let chunked = stream(&crc_fix::chunks(&body, sizes), legacy, body.len());
    let whole = stream(&[&body[..]], legacy, body.len());
    assert_eq!(chunked, whole, "chunking changed what the C callbacks saw");

    for message in split_messages(&body) {
        let accepted = one_shot(message);
        let alone = stream(&[message], false, message.len());
        // Exactly this one message, complete and without error.
        let clean = alone.errors.is_empty()
            && alone.result.0 == 0
            && alone.completes.len() == 1
            && alone.preludes.len() == 1
            && alone.preludes[0].0 as usize == message.len();
        if !clean {
            continue;
        }
        match accepted {
            Ok((count, headers, payload)) => {
                assert_eq!(
                    (count, headers),
                    (alone.header_count, alone.headers),
                    "headers differ between the two decoders"
                );
                assert_eq!(
                    payload, alone.payload,
                    "payload differs between the two decoders"
                );
            }
            // As upstream: only `_read_headers_from_buffer` caps the count.
            Err(AWS_ERROR_EVENT_STREAM_MESSAGE_TOO_MANY_HEADERS)
                if alone.header_count > MESSAGE_MAX_HEADERS => {}
            Err(code) => {
                panic!("_from_buffer/_headers refused ({code}) a message the decoder accepted")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    #[test]
    fn counting_allocator_reports_leaks_and_peaks() {
        let mut a = Counting::new();
        // SAFETY: blocks from our own allocator, released once.
        unsafe {
            let p = acquire(a.as_ptr(), 10);
            let p = realloc(a.as_ptr(), p, 10, 40);
            assert_eq!((a.live_blocks, a.live_bytes, a.peak_bytes), (1, 40, 50));
            let leaked = catch_unwind(AssertUnwindSafe(|| a.assert_clean("t", 0)));
            assert!(leaked.is_err(), "a live block must fail the check");
            release(a.as_ptr(), p);
        }
        a.assert_clean("t", 0);
        // SAFETY: as above.
        unsafe { release(a.as_ptr(), acquire(a.as_ptr(), budget(0, PER_BYTE) + 1)) };
        let over = catch_unwind(AssertUnwindSafe(|| a.assert_clean("t", 0)));
        assert!(over.is_err(), "a peak over budget must fail the check");
    }
}
