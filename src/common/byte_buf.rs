//! `aws_byte_buf` (an owned or borrowed growable buffer) and, in the
//! submodules, `aws_byte_cursor` (a borrowed view) and the ASCII helpers.
//!
//! Upstream's contract, kept here: a write that does not fit fails and leaves
//! the buffer exactly as it was; `_dynamic` functions grow to
//! max(2 x capacity, needed) and need an allocator (INVALID_ARGUMENT without
//! one); `reserve` grows to exactly the request. Bytes are moved with memmove
//! semantics because upstream allows appending a buffer to itself.
use std::ptr;

use libc::{c_char, c_int, c_void};

use super::abi::*;
use super::allocator::{aws_mem_acquire, aws_mem_realloc, aws_mem_release, aws_secure_zero};
use super::error::raise;
use super::error_codes::{
    AWS_ERROR_DEST_COPY_TOO_SMALL, AWS_ERROR_INVALID_ARGUMENT, AWS_ERROR_OVERFLOW_DETECTED,
};
use crate::fatal_precondition;
use crate::ffi::{fatal, slice};

// First: cbindgen emits child modules in declaration order, and generated.h
// lists the writers before the ascii and cursor functions.
mod write;

pub mod ascii;
pub mod cursor;

pub use write::*;

// ---- validity and pointer helpers shared by the shims ------------------------

/// Upstream's `aws_byte_buf_is_valid` shape check (without the NULL test).
pub fn buf_is_valid(b: &aws_byte_buf) -> bool {
    (b.capacity == 0 && b.len == 0 && b.buffer.is_null())
        || (b.capacity > 0 && b.len <= b.capacity && !b.buffer.is_null())
}

/// Upstream's `aws_byte_cursor_is_valid` shape check (without the NULL test).
pub fn cursor_is_valid(c: &aws_byte_cursor) -> bool {
    c.len == 0 || !c.ptr.is_null()
}

/// A buffer we can write into without going out of bounds. Looser than
/// `buf_is_valid` (a non-NULL pointer with capacity 0 is harmless), but
/// anything that would make us touch memory we were not given is fatal.
fn buf_is_safe(b: &aws_byte_buf) -> bool {
    b.len <= b.capacity && (b.capacity == 0 || !b.buffer.is_null())
}

/// Dereferences a cursor argument; NULL or a NULL pointer with a length aborts.
///
/// # Safety
/// `p` must be NULL or point to a cursor that outlives the returned reference.
pub unsafe fn cursor_ref<'a>(p: *const aws_byte_cursor, func: &str) -> &'a aws_byte_cursor {
    // SAFETY: non-NULL checked; validity of the pointee is the caller's contract.
    match unsafe { p.as_ref() } {
        Some(c) if cursor_is_valid(c) => c,
        _ => fatal(&format!("{func}: invalid aws_byte_cursor argument")),
    }
}

/// Dereferences a buffer argument for reading; NULL or an unsafe shape aborts.
///
/// # Safety
/// As for [`cursor_ref`].
pub unsafe fn buf_ref<'a>(p: *const aws_byte_buf, func: &str) -> &'a aws_byte_buf {
    // SAFETY: non-NULL checked; validity of the pointee is the caller's contract.
    match unsafe { p.as_ref() } {
        Some(b) if buf_is_safe(b) => b,
        _ => fatal(&format!("{func}: invalid aws_byte_buf argument")),
    }
}

/// Dereferences a buffer argument for writing; NULL or an unsafe shape aborts.
///
/// # Safety
/// As for [`cursor_ref`], and nothing else may reference `*p` meanwhile.
pub unsafe fn buf_mut<'a>(p: *mut aws_byte_buf, func: &str) -> &'a mut aws_byte_buf {
    // SAFETY: non-NULL checked; validity of the pointee is the caller's contract.
    match unsafe { p.as_mut() } {
        Some(b) if buf_is_safe(b) => b,
        _ => fatal(&format!("{func}: invalid aws_byte_buf argument")),
    }
}

/// The bytes a cursor designates.
///
/// # Safety
/// `c.ptr` must be readable for `c.len` bytes for `'a`.
pub unsafe fn cursor_bytes<'a>(c: &aws_byte_cursor) -> &'a [u8] {
    if !cursor_is_valid(c) {
        fatal("aws_byte_cursor with a NULL pointer and a non-zero length");
    }
    // SAFETY: non-NULL when len > 0, readable per the caller.
    unsafe { slice(c.ptr, c.len) }
}

/// The used bytes (`len`, not `capacity`) of a buffer.
///
/// # Safety
/// `b.buffer` must be readable for `b.len` bytes for `'a`.
pub unsafe fn buf_bytes<'a>(b: &aws_byte_buf) -> &'a [u8] {
    if !buf_is_safe(b) {
        fatal("aws_byte_buf with an inconsistent buffer/len/capacity");
    }
    // SAFETY: non-NULL when len > 0 (len <= capacity), readable per the caller.
    unsafe { slice(b.buffer, b.len) }
}

/// Appends `n` bytes from `src` if they fit; otherwise changes nothing.
/// `src` may point into the buffer itself.
///
/// # Safety
/// `buf` passed `buf_is_safe`; `src` is readable for `n` bytes.
unsafe fn put(buf: &mut aws_byte_buf, src: *const u8, n: usize) -> bool {
    if n > buf.capacity - buf.len {
        return false;
    }
    if n > 0 {
        // SAFETY: the destination range is inside the buffer's capacity; copy is memmove.
        unsafe { ptr::copy(src, buf.buffer.add(buf.len), n) };
        buf.len += n;
    }
    true
}

/// Appends, growing the buffer to max(2 x capacity, needed) when it is full.
///
/// # Safety
/// As for [`put`]; `buf.allocator` owns `buf.buffer`.
unsafe fn append_dynamic(buf: &mut aws_byte_buf, src: *const u8, n: usize, secure: bool) -> c_int {
    if buf.allocator.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    let room = buf.capacity - buf.len;
    if n <= room {
        // SAFETY: fits, per the check above.
        unsafe { put(buf, src, n) };
        return AWS_OP_SUCCESS;
    }
    let Some(needed) = buf.capacity.checked_add(n - room) else {
        return raise(AWS_ERROR_OVERFLOW_DETECTED);
    };
    let new_capacity = needed.max(buf.capacity.saturating_mul(2));
    // SAFETY: allocator checked non-NULL; sizes are non-zero (needed > capacity >= 0).
    // Never NULL: aws_mem_acquire aborts when the allocator fails.
    let mem = unsafe { aws_mem_acquire(buf.allocator, new_capacity) } as *mut u8;
    // SAFETY: `mem` holds new_capacity >= len + n bytes; the old buffer holds len
    // bytes; `src` (possibly inside the old buffer) is read before the old buffer goes.
    unsafe {
        if buf.len > 0 {
            ptr::copy_nonoverlapping(buf.buffer, mem, buf.len);
        }
        ptr::copy_nonoverlapping(src, mem.add(buf.len), n);
        if secure && !buf.buffer.is_null() {
            aws_secure_zero(buf.buffer as *mut c_void, buf.capacity);
        }
        aws_mem_release(buf.allocator, buf.buffer as *mut c_void);
    }
    buf.buffer = mem;
    buf.capacity = new_capacity;
    buf.len += n;
    AWS_OP_SUCCESS
}

/// Grows to exactly `requested` bytes (never shrinks). On failure the buffer
/// is unchanged.
///
/// # Safety
/// `buf` passed `buf_is_safe`.
unsafe fn reserve(buf: &mut aws_byte_buf, requested: usize) -> c_int {
    if buf.allocator.is_null() || !buf_is_valid(buf) {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    if requested <= buf.capacity {
        return AWS_OP_SUCCESS;
    }
    let mut mem = buf.buffer as *mut c_void;
    if mem.is_null() {
        // Nothing to carry over: a plain allocation, as upstream does (C
        // allocators need not accept realloc of NULL).
        // SAFETY: allocator non-NULL, requested > capacity >= 0.
        mem = unsafe { aws_mem_acquire(buf.allocator, requested) };
        if mem.is_null() {
            return AWS_OP_ERR;
        }
    // SAFETY: the allocator owns `mem`; on failure it is left untouched.
    } else if unsafe { aws_mem_realloc(buf.allocator, &mut mem, buf.capacity, requested) }
        != AWS_OP_SUCCESS
    {
        return AWS_OP_ERR;
    }
    buf.buffer = mem as *mut u8;
    buf.capacity = requested;
    AWS_OP_SUCCESS
}

fn empty_buf() -> aws_byte_buf {
    aws_byte_buf {
        len: 0,
        buffer: ptr::null_mut(),
        capacity: 0,
        allocator: ptr::null_mut(),
    }
}

// ---- init and clean-up ---------------------------------------------------------

/// Capacity 0 allocates nothing (buffer NULL). On failure `*buf` is zeroed.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_init(
    buf: *mut aws_byte_buf,
    allocator: *mut aws_allocator,
    capacity: usize,
) -> c_int {
    fatal_precondition!(!buf.is_null() && !allocator.is_null(), "aws_byte_buf_init");
    let mut out = empty_buf();
    if capacity > 0 {
        // SAFETY: allocator checked non-NULL, capacity non-zero.
        out.buffer = unsafe { aws_mem_acquire(allocator, capacity) } as *mut u8;
        if out.buffer.is_null() {
            // SAFETY: buf checked non-NULL.
            unsafe { *buf = empty_buf() };
            return AWS_OP_ERR;
        }
    }
    out.capacity = capacity;
    out.allocator = allocator;
    // SAFETY: buf checked non-NULL.
    unsafe { *buf = out };
    AWS_OP_SUCCESS
}

/// Copies `src` into a new allocation of `src->capacity` bytes. A source with
/// no buffer gives an empty `dest` that still records `allocator`.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_init_copy(
    dest: *mut aws_byte_buf,
    allocator: *mut aws_allocator,
    src: *const aws_byte_buf,
) -> c_int {
    fatal_precondition!(
        !dest.is_null() && !allocator.is_null(),
        "aws_byte_buf_init_copy"
    );
    // SAFETY: NULL is handled; otherwise the caller passes a readable buffer.
    let Some(src) = (unsafe { src.as_ref() }).filter(|s| buf_is_valid(s)) else {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    };
    let src = *src; // dest may alias src
    let mut out = aws_byte_buf {
        allocator,
        ..empty_buf()
    };
    if !src.buffer.is_null() {
        // SAFETY: allocator non-NULL; a valid buffer with a pointer has capacity > 0.
        out.buffer = unsafe { aws_mem_acquire(allocator, src.capacity) } as *mut u8;
        if out.buffer.is_null() {
            // SAFETY: dest checked non-NULL.
            unsafe { *dest = empty_buf() };
            return AWS_OP_ERR;
        }
        // SAFETY: both regions hold at least src.len bytes and are distinct.
        unsafe { ptr::copy_nonoverlapping(src.buffer, out.buffer, src.len) };
        out.len = src.len;
        out.capacity = src.capacity;
    }
    // SAFETY: dest checked non-NULL.
    unsafe { *dest = out };
    AWS_OP_SUCCESS
}

/// `dest` gets exactly `src.len` bytes of capacity; an empty cursor allocates nothing.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_init_copy_from_cursor(
    dest: *mut aws_byte_buf,
    allocator: *mut aws_allocator,
    src: aws_byte_cursor,
) -> c_int {
    fatal_precondition!(
        !dest.is_null() && !allocator.is_null(),
        "aws_byte_buf_init_copy_from_cursor"
    );
    if !cursor_is_valid(&src) {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    let mut out = empty_buf();
    if src.len > 0 {
        // SAFETY: allocator non-NULL, size non-zero.
        out.buffer = unsafe { aws_mem_acquire(allocator, src.len) } as *mut u8;
        if out.buffer.is_null() {
            // SAFETY: dest checked non-NULL.
            unsafe { *dest = empty_buf() };
            return AWS_OP_ERR;
        }
        // SAFETY: fresh allocation of src.len bytes; the cursor is readable.
        unsafe { ptr::copy_nonoverlapping(src.ptr, out.buffer, src.len) };
    }
    out.len = src.len;
    out.capacity = src.len;
    out.allocator = allocator;
    // SAFETY: dest checked non-NULL.
    unsafe { *dest = out };
    AWS_OP_SUCCESS
}

/// Frees the memory if the buffer owns it, then zeroes the struct.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_clean_up(buf: *mut aws_byte_buf) {
    fatal_precondition!(!buf.is_null(), "aws_byte_buf_clean_up");
    // SAFETY: checked non-NULL.
    let b = unsafe { &mut *buf };
    if !b.allocator.is_null() && !b.buffer.is_null() {
        // SAFETY: a buffer with an allocator owns its memory.
        unsafe { aws_mem_release(b.allocator, b.buffer as *mut c_void) };
    }
    *b = empty_buf();
}

/// Zeroes all `capacity` bytes and sets `len` to 0.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_secure_zero(buf: *mut aws_byte_buf) {
    // SAFETY: the caller passes a valid buffer (checked by buf_mut).
    let b = unsafe { buf_mut(buf, "aws_byte_buf_secure_zero") };
    if !b.buffer.is_null() {
        // SAFETY: the buffer holds `capacity` writable bytes.
        unsafe { aws_secure_zero(b.buffer as *mut c_void, b.capacity) };
    }
    b.len = 0;
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_clean_up_secure(buf: *mut aws_byte_buf) {
    // SAFETY: forwarded caller contract.
    unsafe {
        aws_byte_buf_secure_zero(buf);
        aws_byte_buf_clean_up(buf);
    }
}

/// Sets `len` to 0, keeping the memory; optionally zeroes it first.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_reset(buf: *mut aws_byte_buf, zero_contents: bool) {
    if zero_contents {
        // SAFETY: forwarded caller contract.
        unsafe { aws_byte_buf_secure_zero(buf) };
    }
    // SAFETY: the caller passes a valid buffer.
    unsafe { buf_mut(buf, "aws_byte_buf_reset") }.len = 0;
}

/// True if `buf` is non-NULL and either empty-and-unallocated or has
/// `len <= capacity` over a non-NULL pointer.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_is_valid(buf: *const aws_byte_buf) -> bool {
    // SAFETY: NULL is handled; otherwise the caller passes a readable struct.
    unsafe { buf.as_ref() }.is_some_and(buf_is_valid)
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_is_valid(cursor: *const aws_byte_cursor) -> bool {
    // SAFETY: as above.
    unsafe { cursor.as_ref() }.is_some_and(cursor_is_valid)
}

// ---- borrowed buffers (no allocation) ------------------------------------------

/// Wraps a C string without copying; "" or NULL gives a NULL buffer.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_from_c_str(c_str: *const c_char) -> aws_byte_buf {
    let len = if c_str.is_null() {
        0
    } else {
        // SAFETY: a non-NULL argument is a NUL-terminated string.
        unsafe { libc::strlen(c_str) }
    };
    aws_byte_buf_from_array(c_str as *const c_void, len)
}

/// A full, non-owning buffer over `len` bytes (NULL buffer when `len` is 0).
#[no_mangle]
pub extern "C" fn aws_byte_buf_from_array(bytes: *const c_void, len: usize) -> aws_byte_buf {
    let buffer = if len == 0 {
        ptr::null_mut()
    } else {
        bytes as *mut u8
    };
    aws_byte_buf {
        len,
        buffer,
        capacity: len,
        allocator: ptr::null_mut(),
    }
}

/// An empty, non-owning buffer with `capacity` bytes of room.
#[no_mangle]
pub extern "C" fn aws_byte_buf_from_empty_array(
    bytes: *const c_void,
    capacity: usize,
) -> aws_byte_buf {
    let buffer = if capacity == 0 {
        ptr::null_mut()
    } else {
        bytes as *mut u8
    };
    aws_byte_buf {
        len: 0,
        buffer,
        capacity,
        allocator: ptr::null_mut(),
    }
}

// ---- comparisons ---------------------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_eq(a: *const aws_byte_buf, b: *const aws_byte_buf) -> bool {
    // SAFETY: the caller passes valid buffers (checked by buf_ref).
    unsafe { buf_bytes(buf_ref(a, "aws_byte_buf_eq")) == buf_bytes(buf_ref(b, "aws_byte_buf_eq")) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_eq_ignore_case(
    a: *const aws_byte_buf,
    b: *const aws_byte_buf,
) -> bool {
    const F: &str = "aws_byte_buf_eq_ignore_case";
    // SAFETY: as above.
    unsafe { ascii::eq_ignore_case(buf_bytes(buf_ref(a, F)), buf_bytes(buf_ref(b, F))) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_eq_c_str(
    buf: *const aws_byte_buf,
    c_str: *const c_char,
) -> bool {
    fatal_precondition!(!c_str.is_null(), "aws_byte_buf_eq_c_str");
    // SAFETY: valid buffer (checked) and a NUL-terminated string.
    unsafe { buf_eq_c_str(buf, c_str, false, "aws_byte_buf_eq_c_str") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_eq_c_str_ignore_case(
    buf: *const aws_byte_buf,
    c_str: *const c_char,
) -> bool {
    fatal_precondition!(!c_str.is_null(), "aws_byte_buf_eq_c_str_ignore_case");
    // SAFETY: valid buffer (checked) and a NUL-terminated string.
    unsafe { buf_eq_c_str(buf, c_str, true, "aws_byte_buf_eq_c_str_ignore_case") }
}

/// Both `aws_byte_buf_eq_c_str` forms (`c_str` checked); `func` names a NULL abort.
unsafe fn buf_eq_c_str(
    buf: *const aws_byte_buf,
    c_str: *const c_char,
    ignore_case: bool,
    func: &str,
) -> bool {
    // SAFETY: valid buffer (checked) and, per the caller, a NUL-terminated string.
    unsafe { ascii::eq_c_str(buf_bytes(buf_ref(buf, func)), c_str, ignore_case) }
}

// ---- appends (int-returning, raise on failure) -----------------------------------

/// Fails with AWS_ERROR_DEST_COPY_TOO_SMALL (buffer unchanged) if `from` does not fit.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append(
    to: *mut aws_byte_buf,
    from: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: valid arguments (checked); `put` copies with memmove semantics.
    unsafe {
        let from = *cursor_ref(from, "aws_byte_buf_append");
        if put(buf_mut(to, "aws_byte_buf_append"), from.ptr, from.len) {
            AWS_OP_SUCCESS
        } else {
            raise(AWS_ERROR_DEST_COPY_TOO_SMALL)
        }
    }
}

/// Appends each byte mapped through a 256-entry table. `from` must not overlap `to`.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_with_lookup(
    to: *mut aws_byte_buf,
    from: *const aws_byte_cursor,
    lookup_table: *const u8,
) -> c_int {
    const F: &str = "aws_byte_buf_append_with_lookup";
    fatal_precondition!(!lookup_table.is_null(), "aws_byte_buf_append_with_lookup");
    // SAFETY: valid arguments (checked); the table has 256 entries per the contract.
    unsafe {
        let from = cursor_bytes(cursor_ref(from, F));
        let to = buf_mut(to, F);
        if from.len() > to.capacity - to.len {
            return raise(AWS_ERROR_DEST_COPY_TOO_SMALL);
        }
        let table = &*(lookup_table as *const [u8; 256]);
        for (i, &b) in from.iter().enumerate() {
            *to.buffer.add(to.len + i) = table[b as usize];
        }
        to.len += from.len();
    }
    AWS_OP_SUCCESS
}

/// Grows `to` as needed (to max(2 x capacity, needed)); needs an allocator.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_dynamic(
    to: *mut aws_byte_buf,
    from: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { append_cursor_dynamic(to, from, false, "aws_byte_buf_append_dynamic") }
}

/// As `aws_byte_buf_append_dynamic`, but a replaced allocation is zeroed before it is freed.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_dynamic_secure(
    to: *mut aws_byte_buf,
    from: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe { append_cursor_dynamic(to, from, true, "aws_byte_buf_append_dynamic_secure") }
}

/// The two cursor forms of [`append_dynamic`], named `func` in a NULL abort.
unsafe fn append_cursor_dynamic(
    to: *mut aws_byte_buf,
    from: *const aws_byte_cursor,
    secure: bool,
    func: &str,
) -> c_int {
    // SAFETY: valid arguments (checked).
    unsafe {
        let from = *cursor_ref(from, func);
        append_dynamic(buf_mut(to, func), from.ptr, from.len, secure)
    }
}

/// Dynamic append when `to` has an allocator, fixed-capacity append otherwise.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_auto(
    to: *mut aws_byte_buf,
    from: *const aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract.
    unsafe {
        if buf_ref(to, "aws_byte_buf_append_auto").allocator.is_null() {
            aws_byte_buf_append(to, from)
        } else {
            aws_byte_buf_append_dynamic(to, from)
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_byte_dynamic(
    buffer: *mut aws_byte_buf,
    value: u8,
) -> c_int {
    const F: &str = "aws_byte_buf_append_byte_dynamic";
    // SAFETY: valid buffer (checked); `value` lives on our stack for the call.
    unsafe { append_dynamic(buf_mut(buffer, F), &value, 1, false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_byte_dynamic_secure(
    buffer: *mut aws_byte_buf,
    value: u8,
) -> c_int {
    const F: &str = "aws_byte_buf_append_byte_dynamic_secure";
    // SAFETY: as above.
    unsafe { append_dynamic(buf_mut(buffer, F), &value, 1, true) }
}

/// Appends, then points the cursor at the copy inside `to`.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_and_update(
    to: *mut aws_byte_buf,
    from_and_update: *mut aws_byte_cursor,
) -> c_int {
    // SAFETY: forwarded caller contract; both pointers were validated by the append.
    unsafe {
        if aws_byte_buf_append(to, from_and_update) != AWS_OP_SUCCESS {
            return AWS_OP_ERR;
        }
        let (to, cur) = (&*to, &mut *from_and_update);
        cur.ptr = if to.buffer.is_null() {
            ptr::null_mut()
        } else {
            to.buffer.add(to.len - cur.len)
        };
    }
    AWS_OP_SUCCESS
}

/// Appends one NUL byte (dynamically), which counts in `len`.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_append_null_terminator(buf: *mut aws_byte_buf) -> c_int {
    // SAFETY: as for aws_byte_buf_append_byte_dynamic.
    unsafe { aws_byte_buf_append_byte_dynamic(buf, 0) }
}

// ---- capacity --------------------------------------------------------------------

/// Grows capacity to exactly `requested_capacity`; never shrinks. Needs an allocator.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_reserve(
    buffer: *mut aws_byte_buf,
    requested_capacity: usize,
) -> c_int {
    // SAFETY: valid buffer (checked).
    unsafe { reserve(buf_mut(buffer, "aws_byte_buf_reserve"), requested_capacity) }
}

/// `aws_byte_buf_reserve(buffer, buffer->len + additional_length)`, overflow-checked.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_reserve_relative(
    buffer: *mut aws_byte_buf,
    additional_length: usize,
) -> c_int {
    // SAFETY: valid buffer (checked).
    let b = unsafe { buf_mut(buffer, "aws_byte_buf_reserve_relative") };
    if b.allocator.is_null() || !buf_is_valid(b) {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    match b.len.checked_add(additional_length) {
        // SAFETY: as above.
        Some(requested) => unsafe { reserve(b, requested) },
        None => raise(AWS_ERROR_OVERFLOW_DETECTED),
    }
}

/// Like reserve, but grows to at least twice the current capacity.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_reserve_smart(
    buffer: *mut aws_byte_buf,
    requested_capacity: usize,
) -> c_int {
    // SAFETY: valid buffer (checked).
    let b = unsafe { buf_mut(buffer, "aws_byte_buf_reserve_smart") };
    if requested_capacity <= b.capacity {
        return AWS_OP_SUCCESS;
    }
    // SAFETY: as above.
    unsafe { reserve(b, requested_capacity.max(b.capacity.saturating_mul(2))) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_reserve_smart_relative(
    buffer: *mut aws_byte_buf,
    additional_length: usize,
) -> c_int {
    // SAFETY: valid buffer (checked).
    let len = unsafe { buf_ref(buffer, "aws_byte_buf_reserve_smart_relative") }.len;
    match len.checked_add(additional_length) {
        // SAFETY: forwarded caller contract.
        Some(requested) => unsafe { aws_byte_buf_reserve_smart(buffer, requested) },
        None => raise(AWS_ERROR_OVERFLOW_DETECTED),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;

    fn new_buf(capacity: usize) -> aws_byte_buf {
        let mut b = empty_buf();
        // SAFETY: valid out-pointer and allocator.
        assert_eq!(
            unsafe { aws_byte_buf_init(&mut b, default_allocator(), capacity) },
            AWS_OP_SUCCESS
        );
        b
    }

    #[test]
    fn validity_shapes() {
        let mut byte = 0u8;
        assert!(buf_is_valid(&empty_buf()));
        assert!(!buf_is_valid(&aws_byte_buf {
            len: 2,
            buffer: &mut byte,
            capacity: 1,
            allocator: ptr::null_mut()
        }));
        assert!(!buf_is_valid(&aws_byte_buf {
            len: 0,
            buffer: &mut byte,
            capacity: 0,
            allocator: ptr::null_mut()
        }));
        assert!(buf_is_safe(&aws_byte_buf {
            len: 0,
            buffer: &mut byte,
            capacity: 0,
            allocator: ptr::null_mut()
        }));
        assert!(cursor_is_valid(&aws_byte_cursor {
            len: 0,
            ptr: ptr::null_mut()
        }));
        assert!(!cursor_is_valid(&aws_byte_cursor {
            len: 1,
            ptr: ptr::null_mut()
        }));
    }

    #[test]
    fn dynamic_growth_doubles_or_fits() {
        let mut b = new_buf(4);
        // SAFETY: b is a valid owned buffer; sources are locals.
        unsafe {
            assert_eq!(
                append_dynamic(&mut b, b"abcde".as_ptr(), 5, false),
                AWS_OP_SUCCESS
            );
            assert_eq!(b.capacity, 8); // 2 x 4 beats the 5 needed
            assert_eq!(
                append_dynamic(&mut b, [b'x'; 20].as_ptr(), 20, true),
                AWS_OP_SUCCESS
            );
            assert_eq!(b.capacity, 25); // exactly needed beats 2 x 8
            assert_eq!(buf_bytes(&b), b"abcdexxxxxxxxxxxxxxxxxxxx");
            // Appending a buffer to itself reads the old bytes before they move.
            let (p, n) = (b.buffer, b.len);
            assert_eq!(append_dynamic(&mut b, p, n, false), AWS_OP_SUCCESS);
            assert_eq!(b.len, 50);
            assert_eq!(&buf_bytes(&b)[25..], b"abcdexxxxxxxxxxxxxxxxxxxx");
            aws_byte_buf_clean_up(&mut b);
        }
        assert!(b.buffer.is_null() && b.capacity == 0);
    }

    #[test]
    fn fixed_writes_leave_buffer_unchanged_on_failure() {
        let mut storage = [0u8; 3];
        let mut b = aws_byte_buf_from_empty_array(storage.as_mut_ptr() as *const c_void, 3);
        // SAFETY: b wraps `storage`.
        unsafe {
            assert!(aws_byte_buf_write_be16(&mut b, 0x0102));
            assert!(!aws_byte_buf_write_be16(&mut b, 0x0304));
            assert_eq!(b.len, 2);
            assert!(!aws_byte_buf_write_be24(&mut b, 0x0100_0000));
            assert!(aws_byte_buf_write_u8(&mut b, 9));
            assert_eq!(append_dynamic(&mut b, b"z".as_ptr(), 1, false), AWS_OP_ERR);
        }
        assert_eq!(storage, [1, 2, 9]);
    }
}
