//! CBOR (RFC 8949) streaming encoder and decoder (`aws/common/cbor.h`).
//! `encode_head` / `decode_head` are the plain-Rust core: one data item head
//! (major type, argument) at a time. The encoder writes the shortest head, and
//! floats as integers when exact, else single precision when exact, else
//! double (never half, as upstream). The decoder yields one element per call,
//! caching a peeked one, and bounds container sizes (10 000) and nesting (128).
use std::ffi::c_char;

use libc::c_int;

use super::abi::*;
use super::allocator::{drop_in, new_in};
use super::byte_buf::{
    aws_byte_buf_clean_up, aws_byte_buf_init, aws_byte_buf_reserve_smart_relative,
};
use super::error::raise;
use super::error_codes::*;

const MAX_CONTAINER_SIZE: u64 = 10_000;
const MAX_NESTING_DEPTH: usize = 128;

const T_UNKNOWN: c_int = 0;
const T_UINT: c_int = 1;
const T_NEGINT: c_int = 2;
const T_FLOAT: c_int = 3;
const T_BYTES: c_int = 4;
const T_TEXT: c_int = 5;
const T_ARRAY_START: c_int = 6;
const T_MAP_START: c_int = 7;
const T_TAG: c_int = 8;
const T_BOOL: c_int = 9;
const T_NULL: c_int = 10;
const T_UNDEFINED: c_int = 11;
const T_BREAK: c_int = 12;
const T_INDEF_BYTES_START: c_int = 13;
const T_INDEF_TEXT_START: c_int = 14;
const T_INDEF_ARRAY_START: c_int = 15;
const T_INDEF_MAP_START: c_int = 16;

/// Appends a head: major type `major` (0-7) with argument `arg` in the shortest form.
fn encode_head(major: u8, arg: u64, out: &mut Vec<u8>) {
    let m = major << 5;
    match arg {
        0..=23 => out.push(m | arg as u8),
        24..=0xFF => out.extend_from_slice(&[m | 24, arg as u8]),
        0x100..=0xFFFF => {
            out.push(m | 25);
            out.extend_from_slice(&(arg as u16).to_be_bytes());
        }
        0x1_0000..=0xFFFF_FFFF => {
            out.push(m | 26);
            out.extend_from_slice(&(arg as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&arg.to_be_bytes());
        }
    }
}

fn encode_float(value: f64, out: &mut Vec<u8>) {
    if !value.is_finite() {
        out.push(0xFA);
        out.extend_from_slice(&(value as f32).to_be_bytes());
        return;
    }
    if value >= i64::MIN as f64 && value <= i64::MAX as f64 {
        let i = value as i64;
        if value == i as f64 {
            if i < 0 {
                encode_head(1, (-1 - i) as u64, out);
            } else {
                encode_head(0, i as u64, out);
            }
            return;
        }
    }
    if value.abs() <= f32::MAX as f64 && f64::from(value as f32) == value {
        out.push(0xFA);
        out.extend_from_slice(&(value as f32).to_be_bytes());
        return;
    }
    out.push(0xFB);
    out.extend_from_slice(&value.to_bits().to_be_bytes());
}

/// One decoded element.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Element {
    Uint(u64),
    NegInt(u64),
    Float(f64),
    Bytes(usize, usize),
    Text(usize, usize),
    ArrayStart(u64),
    MapStart(u64),
    Tag(u64),
    Bool(bool),
    Null,
    Undefined,
    Break,
    IndefBytes,
    IndefText,
    IndefArray,
    IndefMap,
}

impl Element {
    fn type_code(&self) -> c_int {
        match self {
            Element::Uint(_) => T_UINT,
            Element::NegInt(_) => T_NEGINT,
            Element::Float(_) => T_FLOAT,
            Element::Bytes(..) => T_BYTES,
            Element::Text(..) => T_TEXT,
            Element::ArrayStart(_) => T_ARRAY_START,
            Element::MapStart(_) => T_MAP_START,
            Element::Tag(_) => T_TAG,
            Element::Bool(_) => T_BOOL,
            Element::Null => T_NULL,
            Element::Undefined => T_UNDEFINED,
            Element::Break => T_BREAK,
            Element::IndefBytes => T_INDEF_BYTES_START,
            Element::IndefText => T_INDEF_TEXT_START,
            Element::IndefArray => T_INDEF_ARRAY_START,
            Element::IndefMap => T_INDEF_MAP_START,
        }
    }
}

fn half_to_f64(h: u16) -> f64 {
    let exp = (h >> 10) & 0x1F;
    let mant = f64::from(h & 0x3FF);
    let v = match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + mant / 1024.0) * 2f64.powi(i32::from(e) - 15),
    };
    if h & 0x8000 != 0 {
        -v
    } else {
        v
    }
}

/// Decodes the element at the start of `src`: it and its length, or None when
/// the bytes are not (or not yet all) a valid element. Byte/text payloads are
/// given as (offset, length) within `src`.
fn decode_head(src: &[u8]) -> Option<(Element, usize)> {
    let first = *src.first()?;
    let (major, info) = (first >> 5, first & 0x1F);
    let arg_len = match info {
        0..=23 => 0,
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        31 => return indefinite(major).map(|e| (e, 1)),
        _ => return None,
    };
    let raw = src.get(1..1 + arg_len)?;
    let arg = if arg_len == 0 {
        u64::from(info)
    } else {
        raw.iter().fold(0u64, |v, b| v << 8 | u64::from(*b))
    };
    let head = 1 + arg_len;
    let element = match major {
        0 => Element::Uint(arg),
        1 => Element::NegInt(arg),
        2 | 3 => {
            let len = usize::try_from(arg).ok()?;
            if src.len() - head < len {
                return None;
            }
            let e = if major == 2 {
                Element::Bytes(head, len)
            } else {
                Element::Text(head, len)
            };
            return Some((e, head + len));
        }
        4 => Element::ArrayStart(arg),
        5 => Element::MapStart(arg),
        6 => Element::Tag(arg),
        _ => match (info, arg_len) {
            (20, 0) => Element::Bool(false),
            (21, 0) => Element::Bool(true),
            (22, 0) => Element::Null,
            (23, 0) => Element::Undefined,
            (25, _) => Element::Float(half_to_f64(arg as u16)),
            (26, _) => Element::Float(f64::from(f32::from_bits(arg as u32))),
            (27, _) => Element::Float(f64::from_bits(arg)),
            _ => return None,
        },
    };
    Some((element, head))
}

fn indefinite(major: u8) -> Option<Element> {
    match major {
        2 => Some(Element::IndefBytes),
        3 => Some(Element::IndefText),
        4 => Some(Element::IndefArray),
        5 => Some(Element::IndefMap),
        7 => Some(Element::Break),
        _ => None,
    }
}

// ---- encoder ---------------------------------------------------------------------------

struct Encoder {
    allocator: *mut aws_allocator,
    buf: aws_byte_buf,
}

/// # Safety
/// `encoder` came from aws_cbor_encoder_new.
unsafe fn append(encoder: *mut aws_cbor_encoder, bytes: &[u8]) {
    // SAFETY: per the contract; the reservation makes room for the bytes.
    unsafe {
        let e = &mut *(encoder as *mut Encoder);
        if aws_byte_buf_reserve_smart_relative(&mut e.buf, bytes.len()) != AWS_OP_SUCCESS {
            crate::ffi::fatal("aws_cbor_encoder: out of memory");
        }
        crate::ffi::slice_mut(e.buf.buffer.add(e.buf.len), bytes.len()).copy_from_slice(bytes);
        e.buf.len += bytes.len();
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_new(
    allocator: *mut aws_allocator,
) -> *mut aws_cbor_encoder {
    // SAFETY: allocator is the caller's.
    unsafe {
        let e = new_in(
            allocator,
            Encoder {
                allocator,
                buf: std::mem::zeroed(),
            },
        );
        aws_byte_buf_init(&mut (*e).buf, allocator, 256);
        e.cast()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_destroy(
    encoder: *mut aws_cbor_encoder,
) -> *mut aws_cbor_encoder {
    let e = encoder as *mut Encoder;
    // SAFETY: it came from aws_cbor_encoder_new and is not used again.
    unsafe {
        aws_byte_buf_clean_up(&mut (*e).buf);
        drop_in((*e).allocator, e);
    }
    std::ptr::null_mut()
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_get_encoded_data(
    encoder: *const aws_cbor_encoder,
) -> aws_byte_cursor {
    // SAFETY: a live encoder.
    let e = unsafe { &*(encoder as *const Encoder) };
    aws_byte_cursor {
        len: e.buf.len,
        ptr: e.buf.buffer,
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_reset(encoder: *mut aws_cbor_encoder) {
    // SAFETY: a live encoder.
    unsafe { (*(encoder as *mut Encoder)).buf.len = 0 };
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_uint(encoder: *mut aws_cbor_encoder, value: u64) {
    let mut out = Vec::with_capacity(9);
    encode_head(0, value, &mut out);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_negint(encoder: *mut aws_cbor_encoder, value: u64) {
    let mut out = Vec::with_capacity(9);
    encode_head(1, value, &mut out);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_float(encoder: *mut aws_cbor_encoder, value: f64) {
    let mut out = Vec::with_capacity(9);
    encode_float(value, &mut out);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_array_start(
    encoder: *mut aws_cbor_encoder,
    number_entries: usize,
) {
    let mut out = Vec::with_capacity(9);
    encode_head(4, number_entries as u64, &mut out);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_map_start(
    encoder: *mut aws_cbor_encoder,
    number_entries: usize,
) {
    let mut out = Vec::with_capacity(9);
    encode_head(5, number_entries as u64, &mut out);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_tag(
    encoder: *mut aws_cbor_encoder,
    tag_number: u64,
) {
    let mut out = Vec::with_capacity(9);
    encode_head(6, tag_number, &mut out);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_null(encoder: *mut aws_cbor_encoder) {
    let mut out = Vec::with_capacity(9);
    out.push(0xF6);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_undefined(encoder: *mut aws_cbor_encoder) {
    let mut out = Vec::with_capacity(9);
    out.push(0xF7);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_bool(encoder: *mut aws_cbor_encoder, value: bool) {
    let mut out = Vec::with_capacity(9);
    out.push(if value { 0xF5 } else { 0xF4 });
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_break(encoder: *mut aws_cbor_encoder) {
    let mut out = Vec::with_capacity(9);
    out.push(0xFF);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_indef_bytes_start(encoder: *mut aws_cbor_encoder) {
    let mut out = Vec::with_capacity(9);
    out.push(0x5F);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_indef_text_start(encoder: *mut aws_cbor_encoder) {
    let mut out = Vec::with_capacity(9);
    out.push(0x7F);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_indef_array_start(encoder: *mut aws_cbor_encoder) {
    let mut out = Vec::with_capacity(9);
    out.push(0x9F);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_indef_map_start(encoder: *mut aws_cbor_encoder) {
    let mut out = Vec::with_capacity(9);
    out.push(0xBF);
    // SAFETY: a live encoder.
    unsafe { append(encoder, &out) }
}

/// # Safety
/// A live encoder and a valid cursor.
unsafe fn write_string(encoder: *mut aws_cbor_encoder, major: u8, from: aws_byte_cursor) {
    // SAFETY: per the contract.
    unsafe {
        let mut out = Vec::with_capacity(9 + from.len);
        encode_head(major, from.len as u64, &mut out);
        out.extend_from_slice(crate::ffi::slice(from.ptr, from.len));
        append(encoder, &out);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_bytes(
    encoder: *mut aws_cbor_encoder,
    from: aws_byte_cursor,
) {
    // SAFETY: forwarded caller contract.
    unsafe { write_string(encoder, 2, from) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_encoder_write_text(
    encoder: *mut aws_cbor_encoder,
    from: aws_byte_cursor,
) {
    // SAFETY: forwarded caller contract.
    unsafe { write_string(encoder, 3, from) }
}

// ---- decoder ---------------------------------------------------------------------------

struct Decoder {
    allocator: *mut aws_allocator,
    src: aws_byte_cursor,
    /// A decoded, not yet popped element, its payload pointer and its size in bytes.
    cached: Option<(Element, *mut u8, usize)>,
    error: c_int,
    depth: usize,
}

impl Decoder {
    /// Decodes the next element into the cache (if it is empty).
    fn fill(&mut self) -> c_int {
        if self.error != 0 {
            return raise(self.error);
        }
        if self.cached.is_some() {
            return AWS_OP_SUCCESS;
        }
        // SAFETY: src is the caller's valid cursor.
        let bytes = unsafe { crate::ffi::slice(self.src.ptr, self.src.len) };
        let Some((element, used)) = decode_head(bytes) else {
            self.error = AWS_ERROR_INVALID_CBOR;
            return raise(self.error);
        };
        let base = self.src.ptr;
        // SAFETY: used <= len, so the cursor stays within the source.
        let rest = unsafe { base.add(used) };
        self.src = aws_byte_cursor {
            len: self.src.len - used,
            ptr: rest,
        };
        self.cached = Some((element, base, used));
        AWS_OP_SUCCESS
    }

    fn take(&mut self, expected: c_int) -> Result<(Element, *mut u8), c_int> {
        if self.fill() != AWS_OP_SUCCESS {
            return Err(AWS_OP_ERR);
        }
        let (element, base, _) = self.cached.expect("filled");
        if element.type_code() != expected {
            return Err(raise(AWS_ERROR_CBOR_UNEXPECTED_TYPE));
        }
        self.cached = None;
        Ok((element, base))
    }

    fn consume_whole(&mut self) -> c_int {
        if self.error != 0 {
            return raise(self.error);
        }
        self.depth += 1;
        let rc = self.consume_whole_inner();
        self.depth -= 1;
        rc
    }

    fn consume_whole_inner(&mut self) -> c_int {
        if self.depth > MAX_NESTING_DEPTH {
            self.error = AWS_ERROR_CBOR_RESOURCE_LIMIT_EXCEEDED;
            return raise(self.error);
        }
        if self.fill() != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let (element, _, _) = self.cached.take().expect("filled");
        let children = match element {
            Element::Tag(_) => 1,
            Element::ArrayStart(n) => n,
            Element::MapStart(n) => n.saturating_mul(2),
            Element::IndefBytes | Element::IndefText | Element::IndefArray | Element::IndefMap => {
                loop {
                    if self.fill() != AWS_OP_SUCCESS {
                        return AWS_OP_ERR;
                    }
                    if matches!(self.cached, Some((Element::Break, _, _))) {
                        self.cached = None;
                        return AWS_OP_SUCCESS;
                    }
                    if self.consume_whole() != AWS_OP_SUCCESS {
                        return AWS_OP_ERR;
                    }
                }
            }
            _ => 0,
        };
        for _ in 0..children {
            if self.consume_whole() != AWS_OP_SUCCESS {
                return AWS_OP_ERR;
            }
        }
        AWS_OP_SUCCESS
    }
}

/// # Safety
/// `decoder` came from aws_cbor_decoder_new.
unsafe fn dec<'a>(decoder: *const aws_cbor_decoder) -> &'a mut Decoder {
    // SAFETY: per the contract.
    unsafe { &mut *(decoder as *mut Decoder) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_new(
    allocator: *mut aws_allocator,
    src: aws_byte_cursor,
) -> *mut aws_cbor_decoder {
    // SAFETY: allocator is the caller's.
    unsafe {
        new_in(
            allocator,
            Decoder {
                allocator,
                src,
                cached: None,
                error: 0,
                depth: 0,
            },
        )
        .cast()
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_destroy(
    decoder: *mut aws_cbor_decoder,
) -> *mut aws_cbor_decoder {
    let d = decoder as *mut Decoder;
    // SAFETY: it came from aws_cbor_decoder_new and is not used again.
    unsafe { drop_in((*d).allocator, d) };
    std::ptr::null_mut()
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_get_remaining_length(
    decoder: *const aws_cbor_decoder,
) -> usize {
    // SAFETY: a live decoder.
    unsafe { dec(decoder) }.src.len
}

/// Remaining bytes including a peeked but not consumed element.
#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_get_unconsumed_length(
    decoder: *const aws_cbor_decoder,
) -> usize {
    // SAFETY: a live decoder.
    let d = unsafe { dec(decoder) };
    d.src.len + d.cached.map_or(0, |(_, _, used)| used)
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_reset_src(
    decoder: *mut aws_cbor_decoder,
    src: aws_byte_cursor,
) {
    // SAFETY: a live decoder.
    let d = unsafe { dec(decoder) };
    d.src = src;
    d.cached = None;
    d.error = 0;
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_peek_type(
    decoder: *mut aws_cbor_decoder,
    out_type: *mut enum_aws_cbor_type,
) -> c_int {
    // SAFETY: a live decoder; out_type writable.
    unsafe {
        let d = dec(decoder);
        if d.fill() != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        *out_type = d.cached.map_or(T_UNKNOWN, |(e, _, _)| e.type_code());
    }
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_consume_next_whole_data_item(
    decoder: *mut aws_cbor_decoder,
) -> c_int {
    // SAFETY: a live decoder.
    unsafe { dec(decoder) }.consume_whole()
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_consume_next_single_element(
    decoder: *mut aws_cbor_decoder,
) -> c_int {
    // SAFETY: a live decoder.
    let d = unsafe { dec(decoder) };
    if d.fill() != AWS_OP_SUCCESS {
        return AWS_OP_ERR;
    }
    d.cached = None;
    AWS_OP_SUCCESS
}

fn number(e: Element) -> u64 {
    match e {
        Element::Uint(v)
        | Element::NegInt(v)
        | Element::Tag(v)
        | Element::ArrayStart(v)
        | Element::MapStart(v) => v,
        _ => 0,
    }
}

/// The cursor of a bytes / text element whose head starts at `base`.
///
/// # Safety
/// `base` is where the element was decoded from.
unsafe fn payload(e: Element, base: *mut u8) -> aws_byte_cursor {
    match e {
        Element::Bytes(off, len) | Element::Text(off, len) => {
            // SAFETY: the payload lies within the decoded element.
            let ptr = unsafe { base.add(off) };
            aws_byte_cursor { len, ptr }
        }
        _ => aws_byte_cursor {
            len: 0,
            ptr: std::ptr::null_mut(),
        },
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_unsigned_int_val(
    decoder: *mut aws_cbor_decoder,
    out: *mut u64,
) -> c_int {
    // SAFETY: a live decoder and a writable out; payloads lie within the source.
    unsafe {
        match dec(decoder).take(T_UINT) {
            Ok((e, base)) => {
                let _ = base;
                *out = number(e);
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_negative_int_val(
    decoder: *mut aws_cbor_decoder,
    out: *mut u64,
) -> c_int {
    // SAFETY: a live decoder and a writable out; payloads lie within the source.
    unsafe {
        match dec(decoder).take(T_NEGINT) {
            Ok((e, base)) => {
                let _ = base;
                *out = number(e);
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_tag_val(
    decoder: *mut aws_cbor_decoder,
    out: *mut u64,
) -> c_int {
    // SAFETY: a live decoder and a writable out; payloads lie within the source.
    unsafe {
        match dec(decoder).take(T_TAG) {
            Ok((e, base)) => {
                let _ = base;
                *out = number(e);
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_float_val(
    decoder: *mut aws_cbor_decoder,
    out: *mut f64,
) -> c_int {
    // SAFETY: a live decoder and a writable out; payloads lie within the source.
    unsafe {
        match dec(decoder).take(T_FLOAT) {
            Ok((e, base)) => {
                let _ = base;
                *out = match e {
                    Element::Float(f) => f,
                    _ => 0.0,
                };
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_boolean_val(
    decoder: *mut aws_cbor_decoder,
    out: *mut bool,
) -> c_int {
    // SAFETY: a live decoder and a writable out; payloads lie within the source.
    unsafe {
        match dec(decoder).take(T_BOOL) {
            Ok((e, base)) => {
                let _ = base;
                *out = matches!(e, Element::Bool(true));
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_bytes_val(
    decoder: *mut aws_cbor_decoder,
    out: *mut aws_byte_cursor,
) -> c_int {
    // SAFETY: a live decoder and a writable out; payloads lie within the source.
    unsafe {
        match dec(decoder).take(T_BYTES) {
            Ok((e, base)) => {
                let _ = base;
                *out = payload(e, base);
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_text_val(
    decoder: *mut aws_cbor_decoder,
    out: *mut aws_byte_cursor,
) -> c_int {
    // SAFETY: a live decoder and a writable out; payloads lie within the source.
    unsafe {
        match dec(decoder).take(T_TEXT) {
            Ok((e, base)) => {
                let _ = base;
                *out = payload(e, base);
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

/// # Safety
/// A live decoder and a writable `out`.
unsafe fn pop_container(decoder: *mut aws_cbor_decoder, out: *mut u64, code: c_int) -> c_int {
    // SAFETY: per the contract.
    unsafe {
        let d = dec(decoder);
        match d.take(code) {
            Ok((e, _)) => {
                *out = number(e);
                if *out > MAX_CONTAINER_SIZE {
                    d.error = AWS_ERROR_CBOR_RESOURCE_LIMIT_EXCEEDED;
                    return raise(d.error);
                }
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_array_start(
    decoder: *mut aws_cbor_decoder,
    out_size: *mut u64,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { pop_container(decoder, out_size, T_ARRAY_START) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_cbor_decoder_pop_next_map_start(
    decoder: *mut aws_cbor_decoder,
    out_size: *mut u64,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { pop_container(decoder, out_size, T_MAP_START) }
}

/// The enumerator's name, e.g. "AWS_CBOR_TYPE_UINT", or "<UNKNOWN TYPE>".
#[no_mangle]
pub extern "C" fn aws_cbor_type_cstr(r#type: enum_aws_cbor_type) -> *const c_char {
    const NAMES: [&std::ffi::CStr; 16] = [
        c"AWS_CBOR_TYPE_UINT",
        c"AWS_CBOR_TYPE_NEGINT",
        c"AWS_CBOR_TYPE_FLOAT",
        c"AWS_CBOR_TYPE_BYTES",
        c"AWS_CBOR_TYPE_TEXT",
        c"AWS_CBOR_TYPE_ARRAY_START",
        c"AWS_CBOR_TYPE_MAP_START",
        c"AWS_CBOR_TYPE_TAG",
        c"AWS_CBOR_TYPE_BOOL",
        c"AWS_CBOR_TYPE_NULL",
        c"AWS_CBOR_TYPE_UNDEFINED",
        c"AWS_CBOR_TYPE_BREAK",
        c"AWS_CBOR_TYPE_INDEF_BYTES_START",
        c"AWS_CBOR_TYPE_INDEF_TEXT_START",
        c"AWS_CBOR_TYPE_INDEF_ARRAY_START",
        c"AWS_CBOR_TYPE_INDEF_MAP_START",
    ];
    usize::try_from(r#type - 1)
        .ok()
        .and_then(|i| NAMES.get(i))
        .map_or(c"<UNKNOWN TYPE>".as_ptr(), |n| n.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_and_floats() {
        let mut out = Vec::new();
        encode_head(0, 500, &mut out);
        assert_eq!(out, [0x19, 0x01, 0xF4]);
        assert_eq!(decode_head(&out), Some((Element::Uint(500), 3)));
        let mut f = Vec::new();
        encode_float(1.5, &mut f);
        assert_eq!(f, [0xFA, 0x3F, 0xC0, 0, 0]);
        let mut i = Vec::new();
        encode_float(-2.0, &mut i);
        assert_eq!(i, [0x21]);
        assert_eq!(
            decode_head(&[0xF9, 0x3C, 0x00]),
            Some((Element::Float(1.0), 3))
        );
        assert_eq!(decode_head(&[0x62, b'a']), None);
        assert_eq!(decode_head(&[0x1C]), None);
    }
}
