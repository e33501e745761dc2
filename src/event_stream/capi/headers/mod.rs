//! Header lists (`aws_array_list` of `aws_event_stream_header_value_pair`):
//! building, reading values back, and the header-block encoder/parser.
//!
//! Ownership follows upstream: the `_by_cursor` string/byte_buf adders and
//! `aws_event_stream_add_header` copy the value (`value_owned`, freed by
//! `aws_event_stream_headers_list_cleanup` through the list's allocator); the
//! pointer forms copy only when asked; empty values are never copied. Parsed
//! headers point into the parsed buffer.
use std::{mem, ptr};

use libc::{c_char, c_int, c_void};

use super::bytes;
use crate::common::abi::{
    aws_allocator, aws_array_list, aws_byte_buf, aws_byte_cursor, AWS_OP_ERR, AWS_OP_SUCCESS,
};
use crate::common::allocator::{aws_mem_acquire, aws_mem_release};
use crate::common::array_list;
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::event_stream::abi::aws_event_stream_header_value_type::*;
use crate::event_stream::abi::*;
use crate::event_stream::wire::limits::{
    HEADER_NAME_LEN_MAX, HEADER_VALUE_LEN_MAX, MAX_HEADERS_SIZE, UUID_LEN,
};
use crate::event_stream::wire::{HeaderIter, RawHeader, RawValue};
use crate::fatal_precondition;

mod accessors;
mod block;

pub use accessors::*;
pub use block::*;

type Pair = aws_event_stream_header_value_pair;

const STRING: c_int = AWS_EVENT_STREAM_HEADER_STRING as c_int;
const BYTE_BUF: c_int = AWS_EVENT_STREAM_HEADER_BYTE_BUF as c_int;
const BOOL_TRUE: c_int = AWS_EVENT_STREAM_HEADER_BOOL_TRUE as c_int;
const BOOL_FALSE: c_int = AWS_EVENT_STREAM_HEADER_BOOL_FALSE as c_int;

fn is_variable(ty: c_int) -> bool {
    ty == STRING || ty == BYTE_BUF
}

/// An all-zero pair (`AWS_ZERO_STRUCT`).
pub(crate) fn zeroed_pair() -> Pair {
    // SAFETY: every field (integers, byte arrays, a pointer/bytes union) is valid as zero.
    unsafe { mem::zeroed() }
}

// Pairs are filled in place (in a list slot, in the decoder's
// `current_header`) rather than built and copied: at 288 bytes, the copies
// dominated small-message costs. The writers take a pointer to an all-zero
// pair, which may be unaligned (a caller's static list storage), and write
// only the fields that carry the header, leaving the rest zero as upstream's
// zero-initialised pairs are.

/// Sets the name (at most 255 bytes; longer is cut), type and value length.
///
/// # Safety
/// `p` must point to a writable, all-zero pair.
pub(crate) unsafe fn set_header(p: *mut Pair, name: &[u8], ty: c_int, value_len: u16) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let n = name.len().min(HEADER_NAME_LEN_MAX);
        // SAFETY: the name field holds 255 bytes; places are reached without references.
        ptr::copy_nonoverlapping(
            name.as_ptr(),
            ptr::addr_of_mut!((*p).header_name) as *mut u8,
            n,
        );
        ptr::addr_of_mut!((*p).header_name_len).write(n as u8);
        ptr::addr_of_mut!((*p).header_value_type).write_unaligned(ty);
        ptr::addr_of_mut!((*p).header_value_len).write_unaligned(value_len);
    }
}

/// Points a string/byte_buf pair's value at `value`.
///
/// # Safety
/// `p` must point to a writable pair.
pub(crate) unsafe fn set_variable_value(p: *mut Pair, value: *const u8, owned: bool) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: union field place of a writable pair, possibly unaligned.
        ptr::addr_of_mut!((*p).header_value.variable_len_val).write_unaligned(value as *mut u8);
        ptr::addr_of_mut!((*p).value_owned).write(owned as i8);
    }
}

/// Copies a fixed-size value (at most 16 bytes) into `static_val`.
///
/// # Safety
/// `p` must point to a writable pair.
unsafe fn set_static_value(p: *mut Pair, value: &[u8]) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let n = value.len().min(UUID_LEN);
        // SAFETY: static_val holds 16 bytes.
        ptr::copy_nonoverlapping(
            value.as_ptr(),
            ptr::addr_of_mut!((*p).header_value.static_val) as *mut u8,
            n,
        );
    }
}

/// Fills a zeroed pair from a parsed header. byte_buf/string values point at
/// the borrowed bytes (`value_owned` as given); fixed values are copied in
/// big-endian, bools keep 0/1 in `static_val[0]`, unknown types have length 0.
///
/// # Safety
/// `p` must point to a writable, all-zero pair.
pub(crate) unsafe fn fill_from_raw(p: *mut Pair, h: &RawHeader<'_>, value_owned: bool) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let v = &h.value;
        set_header(p, h.name, v.type_byte() as c_int, v.value_len() as u16);
        match *v {
            RawValue::ByteBuf(b) | RawValue::String(b) => {
                set_variable_value(p, b.as_ptr(), value_owned);
            }
            RawValue::Bool(b) => set_static_value(p, &[b as u8]),
            _ => {
                let (bytes, n) = v.static_bytes();
                set_static_value(p, &bytes[..n]);
            }
        }
    }
}

/// A zeroed pair carrying a name, type and value length (for the by-value
/// `create_*` functions).
fn named_pair(name: &[u8], ty: c_int, value_len: u16) -> Pair {
    let mut p = zeroed_pair();
    // SAFETY: a local, all-zero pair.
    unsafe { set_header(&mut p, name, ty, value_len) };
    p
}

/// Upstream's header-name check for the cursor adders.
unsafe fn check_name(name: &aws_byte_cursor) -> Result<&[u8], c_int> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        fatal_precondition!(name.len > 0, "aws_event_stream_add_header_by_cursor");
        fatal_precondition!(!name.ptr.is_null(), "aws_event_stream_add_header_by_cursor");
        if name.len > HEADER_NAME_LEN_MAX {
            return Err(raise(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN));
        }
        // SAFETY: the caller's cursor describes readable bytes.
        Ok(crate::ffi::slice(name.ptr, name.len))
    }
}

/// Pushes a fixed-size header (bool, byte, integer, timestamp, uuid) after
/// checking the list and name: the one body of the typed adders.
unsafe fn add_fixed(headers: *mut aws_array_list, name: aws_byte_cursor, value: RawValue) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        fatal_precondition!(!headers.is_null(), "aws_event_stream_add_header");
        match check_name(&name) {
            Ok(name) => push_fixed(headers, name, value),
            Err(e) => e,
        }
    }
}

/// Pushes a fixed-size header with a checked name (bools carry no value bytes).
unsafe fn push_fixed(headers: *mut aws_array_list, name: &[u8], value: RawValue) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        match array_list::push_zeroed::<Pair>(headers) {
            Ok(p) => {
                let (bytes, n) = value.static_bytes();
                set_header(p, name, value.type_byte() as c_int, n as u16);
                set_static_value(p, &bytes[..n]);
                AWS_OP_SUCCESS
            }
            Err(e) => e,
        }
    }
}

/// Pushes a string/byte_buf header, copying the value into memory from the
/// list's allocator when `copy` is set and the value is not empty (before
/// the list grows, as upstream).
unsafe fn add_variable(
    headers: *mut aws_array_list,
    name: &[u8],
    ty: c_int,
    value: *const u8,
    value_len: u16,
    copy: bool,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        fatal_precondition!(
            value_len == 0 || !value.is_null(),
            "aws_event_stream_add_header: NULL value with a length"
        );
        let owned = copy && value_len != 0;
        let mut stored = value;
        if owned {
            let mem = aws_mem_acquire((*headers).alloc, value_len as usize) as *mut u8;
            if mem.is_null() {
                return AWS_OP_ERR;
            }
            // SAFETY: the caller's value holds value_len bytes; mem is fresh.
            ptr::copy_nonoverlapping(value, mem, value_len as usize);
            stored = mem;
        }
        match array_list::push_zeroed::<Pair>(headers) {
            Ok(p) => {
                set_header(p, name, ty, value_len);
                set_variable_value(p, stored, owned);
                AWS_OP_SUCCESS
            }
            Err(e) => {
                if owned {
                    aws_mem_release((*headers).alloc, stored as *mut c_void);
                }
                e
            }
        }
    }
}

unsafe fn cursor(ptr: *const c_char, len: u8) -> aws_byte_cursor {
    aws_byte_cursor {
        len: len as usize,
        ptr: ptr as *mut u8,
    }
}

// ---- lists ------------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_headers_list_init(
    headers: *mut aws_array_list,
    allocator: *mut aws_allocator,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!headers.is_null(), "aws_event_stream_headers_list_init");
        fatal_precondition!(!allocator.is_null(), "aws_event_stream_headers_list_init");
        array_list::init_dynamic(headers, allocator, 4, mem::size_of::<Pair>())
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_headers_list_cleanup(headers: *mut aws_array_list) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!headers.is_null(), "aws_event_stream_headers_list_cleanup");
        if !array_list::is_valid(&*headers) {
            return;
        }
        let alloc = (*headers).alloc;
        for i in 0..(*headers).length {
            let p = array_list::item_ptr::<Pair>(headers, i);
            // Only string/byte_buf values can be owned; a flag on anything else
            // is not a pointer we handed out.
            // SAFETY: i < length; fields read in place (the slot may be unaligned).
            let owned = ptr::addr_of!((*p).value_owned).read();
            let ty = ptr::addr_of!((*p).header_value_type).read_unaligned();
            if owned != 0 && is_variable(ty) {
                let value = ptr::addr_of!((*p).header_value.variable_len_val).read_unaligned();
                aws_mem_release(alloc, value as *mut c_void);
            }
        }
        array_list::clean_up(headers);
    }
}

// ---- adders -----------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_string_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: *const c_char,
    value_len: u16,
    copy: i8,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!headers.is_null(), "aws_event_stream_add_string_header");
        if value_len as usize > HEADER_VALUE_LEN_MAX {
            return raise(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN);
        }
        let name = crate::ffi::slice(name as *const u8, name_len as usize);
        add_variable(
            headers,
            name,
            STRING,
            value as *const u8,
            value_len,
            copy != 0,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_bytebuf_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: *mut u8,
    value_len: u16,
    copy: i8,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!headers.is_null(), "aws_event_stream_add_bytebuf_header");
        fatal_precondition!(!name.is_null(), "aws_event_stream_add_bytebuf_header");
        if value_len as usize > HEADER_VALUE_LEN_MAX {
            return raise(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN);
        }
        let name = crate::ffi::slice(name as *const u8, name_len as usize);
        add_variable(headers, name, BYTE_BUF, value, value_len, copy != 0)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_bool_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: i8,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, cursor(name, name_len), RawValue::Bool(value != 0)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_byte_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: i8,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, cursor(name, name_len), RawValue::Byte(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_int16_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: i16,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, cursor(name, name_len), RawValue::Int16(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_int32_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: i32,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, cursor(name, name_len), RawValue::Int32(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_int64_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: i64,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, cursor(name, name_len), RawValue::Int64(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_timestamp_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: i64,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, cursor(name, name_len), RawValue::Timestamp(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_uuid_header(
    headers: *mut aws_array_list,
    name: *const c_char,
    name_len: u8,
    value: *const u8,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!value.is_null(), "aws_event_stream_add_uuid_header");
        let value = aws_byte_cursor {
            len: UUID_LEN,
            ptr: value as *mut u8,
        };
        aws_event_stream_add_uuid_header_by_cursor(headers, cursor(name, name_len), value)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_bool_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: bool,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, name, RawValue::Bool(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_byte_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: i8,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, name, RawValue::Byte(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_int16_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: i16,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, name, RawValue::Int16(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_int32_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: i32,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, name, RawValue::Int32(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_int64_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: i64,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, name, RawValue::Int64(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_timestamp_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: i64,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_fixed(headers, name, RawValue::Timestamp(value)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_uuid_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: aws_byte_cursor,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !headers.is_null(),
            "aws_event_stream_add_uuid_header_by_cursor"
        );
        let name = match check_name(&name) {
            Ok(n) => n,
            Err(e) => return e,
        };
        if value.len != UUID_LEN {
            return raise(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN);
        }
        // SAFETY: the caller's cursor holds 16 readable bytes.
        let uuid = &*(value.ptr as *const [u8; UUID_LEN]);
        push_fixed(headers, name, RawValue::Uuid(uuid))
    }
}

unsafe fn add_variable_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: aws_byte_cursor,
    ty: c_int,
) -> c_int {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        fatal_precondition!(!headers.is_null(), "aws_event_stream_add_header_by_cursor");
        let name = match check_name(&name) {
            Ok(n) => n,
            Err(e) => return e,
        };
        if value.len > HEADER_VALUE_LEN_MAX {
            return raise(AWS_ERROR_EVENT_STREAM_MESSAGE_INVALID_HEADERS_LEN);
        }
        add_variable(headers, name, ty, value.ptr, value.len as u16, true)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_string_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: aws_byte_cursor,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_variable_by_cursor(headers, name, value, STRING) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_byte_buf_header_by_cursor(
    headers: *mut aws_array_list,
    name: aws_byte_cursor,
    value: aws_byte_cursor,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { add_variable_by_cursor(headers, name, value, BYTE_BUF) }
}

/// Copies `header` into the list; string/byte_buf values are copied too.
#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_add_header(
    headers: *mut aws_array_list,
    header: *const aws_event_stream_header_value_pair,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!headers.is_null(), "aws_event_stream_add_header");
        fatal_precondition!(!header.is_null(), "aws_event_stream_add_header");
        // The caller's whole pair is copied (bytes past the name included), as upstream.
        let mut p = *header;
        if !is_variable(p.header_value_type) {
            // Upstream copies the flag as is; a fixed value is never ours to free.
            p.value_owned = 0;
            return array_list::push_item(headers, &p);
        }
        let len = p.header_value_len as usize;
        let value = p.header_value.variable_len_val;
        fatal_precondition!(
            len == 0 || !value.is_null(),
            "aws_event_stream_add_header: NULL value with a length"
        );
        p.value_owned = 0;
        if len != 0 {
            let mem = aws_mem_acquire((*headers).alloc, len) as *mut u8;
            if mem.is_null() {
                return AWS_OP_ERR;
            }
            // SAFETY: the caller's value holds len bytes; mem is fresh.
            ptr::copy_nonoverlapping(value, mem, len);
            p.header_value.variable_len_val = mem;
            p.value_owned = 1;
        }
        if array_list::push_item(headers, &p) != AWS_OP_SUCCESS {
            if p.value_owned != 0 {
                aws_mem_release(
                    (*headers).alloc,
                    p.header_value.variable_len_val as *mut c_void,
                );
            }
            return AWS_OP_ERR;
        }
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_create_string_header(
    name: aws_byte_cursor,
    value: aws_byte_cursor,
) -> aws_event_stream_header_value_pair {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            name.len <= HEADER_NAME_LEN_MAX,
            "aws_event_stream_create_string_header"
        );
        fatal_precondition!(
            value.len <= HEADER_VALUE_LEN_MAX,
            "aws_event_stream_create_string_header"
        );
        let mut p = named_pair(
            crate::ffi::slice(name.ptr, name.len),
            STRING,
            value.len as u16,
        );
        p.header_value.variable_len_val = value.ptr;
        p
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_event_stream_create_int32_header(
    name: aws_byte_cursor,
    value: i32,
) -> aws_event_stream_header_value_pair {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            name.len <= HEADER_NAME_LEN_MAX,
            "aws_event_stream_create_int32_header"
        );
        let ty = AWS_EVENT_STREAM_HEADER_INT32 as c_int;
        let mut p = named_pair(crate::ffi::slice(name.ptr, name.len), ty, 4);
        p.header_value.static_val[..4].copy_from_slice(&value.to_be_bytes());
        p
    }
}
