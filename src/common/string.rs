//! `aws_string`: an immutable byte string allocated as one block
//! `{allocator, len, bytes[len + 1]}` through the caller's allocator, always
//! NUL-terminated. A string with a NULL allocator is static
//! (`AWS_STATIC_STRING_FROM_LITERAL`) and is never freed.
use std::mem::offset_of;
use std::ptr;

use libc::{c_char, c_int, c_void};

use super::abi::*;
use super::allocator::{aws_mem_acquire, aws_mem_release, aws_secure_zero};
use super::byte_buf::{ascii, buf_bytes, buf_mut, buf_ref, cursor_bytes, cursor_ref};
use super::error::raise;
use super::error_codes::{
    AWS_ERROR_C_STRING_BUFFER_NOT_NULL_TERMINATED, AWS_ERROR_INVALID_ARGUMENT, AWS_ERROR_OOM,
};
use crate::fatal_precondition;
use crate::ffi::slice;

const BYTES_OFFSET: usize = offset_of!(aws_string, bytes);

/// The `len` bytes of a string (without the terminator).
///
/// # Safety
/// `s` must point to a valid `aws_string`.
pub unsafe fn string_bytes<'a>(s: *const aws_string) -> &'a [u8] {
    // SAFETY: a valid aws_string has `len` bytes after its header.
    unsafe { slice((s as *const u8).add(BYTES_OFFSET), (*s).len) }
}

/// The string's NUL-terminated bytes as a C string (also for an empty string).
///
/// # Safety
/// `s` must point to a valid `aws_string`.
pub unsafe fn string_c_str(s: *const aws_string) -> *const libc::c_char {
    // SAFETY: the bytes follow the header inside the string's allocation.
    unsafe { (s as *const u8).add(BYTES_OFFSET).cast() }
}

/// Copies `bytes` into a new string from `allocator` (allocation failure aborts).
///
/// # Safety
/// `allocator` must be a valid allocator.
pub unsafe fn new_string(allocator: *mut aws_allocator, bytes: &[u8]) -> *mut aws_string {
    let Some(size) = bytes.len().checked_add(BYTES_OFFSET + 1) else {
        raise(AWS_ERROR_OOM);
        return ptr::null_mut();
    };
    // SAFETY: size is non-zero; the allocator is valid per the caller.
    let mem = unsafe { aws_mem_acquire(allocator, size) } as *mut u8;
    if mem.is_null() {
        return ptr::null_mut();
    }
    let s = mem as *mut aws_string;
    // SAFETY: `mem` holds the header plus len + 1 bytes and is malloc-aligned.
    unsafe {
        ptr::addr_of_mut!((*s).allocator).write(allocator);
        ptr::addr_of_mut!((*s).len).write(bytes.len());
        let body = mem.add(BYTES_OFFSET);
        ptr::copy_nonoverlapping(bytes.as_ptr(), body, bytes.len());
        *body.add(bytes.len()) = 0;
    }
    s
}

/// Bytes of an optional string argument (NULL allowed by the comparison functions).
unsafe fn opt_bytes<'a>(s: *const aws_string) -> Option<&'a [u8]> {
    // SAFETY: non-NULL strings are valid per the caller.
    (!s.is_null()).then(|| unsafe { string_bytes(s) })
}

// ---- construction and destruction ---------------------------------------------------

#[no_mangle]
pub unsafe extern "C" fn aws_string_new_from_array(
    allocator: *mut aws_allocator,
    bytes: *const u8,
    len: usize,
) -> *mut aws_string {
    fatal_precondition!(
        !allocator.is_null() && (len == 0 || !bytes.is_null()),
        "aws_string_new_from_array"
    );
    // SAFETY: `bytes` is readable for len bytes per the caller.
    unsafe { new_string(allocator, slice(bytes, len)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_new_from_c_str(
    allocator: *mut aws_allocator,
    c_str: *const c_char,
) -> *mut aws_string {
    fatal_precondition!(
        !allocator.is_null() && !c_str.is_null(),
        "aws_string_new_from_c_str"
    );
    // SAFETY: a NUL-terminated string (checked non-NULL).
    unsafe { new_string(allocator, std::ffi::CStr::from_ptr(c_str).to_bytes()) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_new_from_string(
    allocator: *mut aws_allocator,
    str: *const aws_string,
) -> *mut aws_string {
    fatal_precondition!(
        !allocator.is_null() && !str.is_null(),
        "aws_string_new_from_string"
    );
    // SAFETY: a valid string (checked non-NULL).
    unsafe { new_string(allocator, string_bytes(str)) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_new_from_cursor(
    allocator: *mut aws_allocator,
    cursor: *const aws_byte_cursor,
) -> *mut aws_string {
    fatal_precondition!(!allocator.is_null(), "aws_string_new_from_cursor");
    // SAFETY: valid cursor (checked).
    unsafe {
        new_string(
            allocator,
            cursor_bytes(cursor_ref(cursor, "aws_string_new_from_cursor")),
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_new_from_buf(
    allocator: *mut aws_allocator,
    buf: *const aws_byte_buf,
) -> *mut aws_string {
    fatal_precondition!(!allocator.is_null(), "aws_string_new_from_buf");
    // SAFETY: valid buffer (checked).
    unsafe {
        new_string(
            allocator,
            buf_bytes(buf_ref(buf, "aws_string_new_from_buf")),
        )
    }
}

/// Frees the string through its allocator; NULL and static strings are ignored.
#[no_mangle]
pub unsafe extern "C" fn aws_string_destroy(str: *mut aws_string) {
    // SAFETY: non-NULL strings are valid; the allocator field says who owns it.
    unsafe {
        if !str.is_null() && !(*str).allocator.is_null() {
            aws_mem_release((*str).allocator, str as *mut c_void);
        }
    }
}

/// Zeroes the bytes, then frees as `aws_string_destroy`. A static string is
/// left alone (its bytes live in read-only memory).
#[no_mangle]
pub unsafe extern "C" fn aws_string_destroy_secure(str: *mut aws_string) {
    // SAFETY: as above; an owned string's bytes are writable heap memory.
    unsafe {
        if !str.is_null() && !(*str).allocator.is_null() {
            aws_secure_zero(
                (str as *mut u8).add(BYTES_OFFSET) as *mut c_void,
                (*str).len,
            );
            aws_mem_release((*str).allocator, str as *mut c_void);
        }
    }
}

/// Static strings are returned as they are (they live forever); others are copied.
#[no_mangle]
pub unsafe extern "C" fn aws_string_clone_or_reuse(
    allocator: *mut aws_allocator,
    str: *const aws_string,
) -> *mut aws_string {
    fatal_precondition!(
        !allocator.is_null() && !str.is_null(),
        "aws_string_clone_or_reuse"
    );
    // SAFETY: a valid string (checked non-NULL).
    unsafe {
        if (*str).allocator.is_null() {
            str as *mut aws_string
        } else {
            new_string(allocator, string_bytes(str))
        }
    }
}

// ---- comparisons ------------------------------------------------------------------------

/// Two NULLs are equal; NULL and non-NULL are not.
fn eq_opt(a: Option<&[u8]>, b: Option<&[u8]>, ignore_case: bool) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) if ignore_case => ascii::eq_ignore_case(a, b),
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

unsafe fn opt_cursor<'a>(c: *const aws_byte_cursor, func: &str) -> Option<&'a [u8]> {
    // SAFETY: non-NULL cursors are validated by cursor_ref.
    (!c.is_null()).then(|| unsafe { cursor_bytes(cursor_ref(c, func)) })
}

unsafe fn opt_buf<'a>(b: *const aws_byte_buf, func: &str) -> Option<&'a [u8]> {
    // SAFETY: non-NULL buffers are validated by buf_ref.
    (!b.is_null()).then(|| unsafe { buf_bytes(buf_ref(b, func)) })
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_eq(a: *const aws_string, b: *const aws_string) -> bool {
    // SAFETY: non-NULL strings are valid per the caller.
    unsafe { eq_opt(opt_bytes(a), opt_bytes(b), false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_eq_ignore_case(
    a: *const aws_string,
    b: *const aws_string,
) -> bool {
    // SAFETY: as above.
    unsafe { eq_opt(opt_bytes(a), opt_bytes(b), true) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_eq_byte_cursor(
    str: *const aws_string,
    cur: *const aws_byte_cursor,
) -> bool {
    // SAFETY: as above.
    unsafe {
        eq_opt(
            opt_bytes(str),
            opt_cursor(cur, "aws_string_eq_byte_cursor"),
            false,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_eq_byte_cursor_ignore_case(
    str: *const aws_string,
    cur: *const aws_byte_cursor,
) -> bool {
    // SAFETY: as above.
    unsafe {
        eq_opt(
            opt_bytes(str),
            opt_cursor(cur, "aws_string_eq_byte_cursor_ignore_case"),
            true,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_eq_byte_buf(
    str: *const aws_string,
    buf: *const aws_byte_buf,
) -> bool {
    // SAFETY: as above.
    unsafe {
        eq_opt(
            opt_bytes(str),
            opt_buf(buf, "aws_string_eq_byte_buf"),
            false,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_eq_byte_buf_ignore_case(
    str: *const aws_string,
    buf: *const aws_byte_buf,
) -> bool {
    // SAFETY: as above.
    unsafe {
        eq_opt(
            opt_bytes(str),
            opt_buf(buf, "aws_string_eq_byte_buf_ignore_case"),
            true,
        )
    }
}

unsafe fn eq_c(str: *const aws_string, c_str: *const c_char, ignore_case: bool) -> bool {
    // SAFETY: non-NULL arguments are a valid string and a NUL-terminated C string.
    unsafe {
        match (opt_bytes(str), c_str.is_null()) {
            (None, true) => true,
            (Some(bytes), false) => ascii::eq_c_str(bytes, c_str, ignore_case),
            _ => false,
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_eq_c_str(str: *const aws_string, c_str: *const c_char) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { eq_c(str, c_str, false) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_string_eq_c_str_ignore_case(
    str: *const aws_string,
    c_str: *const c_char,
) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { eq_c(str, c_str, true) }
}

/// Byte-wise ordering with NULL first; returns -1, 0 or 1.
#[no_mangle]
pub unsafe extern "C" fn aws_string_compare(a: *const aws_string, b: *const aws_string) -> c_int {
    if a == b {
        return 0;
    }
    // SAFETY: non-NULL strings are valid per the caller.
    match unsafe { opt_bytes(a).cmp(&opt_bytes(b)) } {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// `aws_array_list` comparator for elements of type `struct aws_string *`.
#[no_mangle]
pub unsafe extern "C" fn aws_array_list_comparator_string(
    a: *const c_void,
    b: *const c_void,
) -> c_int {
    if a == b {
        return 0;
    }
    match (a.is_null(), b.is_null()) {
        (true, _) => -1,
        (_, true) => 1,
        // SAFETY: array-list elements are `struct aws_string *`.
        _ => unsafe {
            aws_string_compare(
                *(a as *const *const aws_string),
                *(b as *const *const aws_string),
            )
        },
    }
}

// ---- conversions ----------------------------------------------------------------------------

/// NULL gives a zeroed cursor.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_cursor_from_string(src: *const aws_string) -> aws_byte_cursor {
    if src.is_null() {
        return aws_byte_cursor {
            len: 0,
            ptr: ptr::null_mut(),
        };
    }
    // SAFETY: a valid string.
    unsafe {
        aws_byte_cursor {
            len: (*src).len,
            ptr: (src as *mut u8).add(BYTES_OFFSET),
        }
    }
}

/// False (buffer unchanged) if either is NULL or the string does not fit.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_from_whole_string(
    buf: *mut aws_byte_buf,
    src: *const aws_string,
) -> bool {
    if buf.is_null() || src.is_null() {
        return false;
    }
    // SAFETY: valid buffer (checked) and string; the write is bounds-checked.
    unsafe {
        buf_mut(buf, "aws_byte_buf_write_from_whole_string");
        let bytes = string_bytes(src);
        super::byte_buf::aws_byte_buf_write(buf, bytes.as_ptr(), bytes.len())
    }
}

/// Length of `str` if a NUL occurs in its first `max_read_len` bytes, else
/// AWS_ERROR_C_STRING_BUFFER_NOT_NULL_TERMINATED.
#[no_mangle]
pub unsafe extern "C" fn aws_secure_strlen(
    str: *const c_char,
    max_read_len: usize,
    str_len: *mut usize,
) -> c_int {
    if str.is_null() || str_len.is_null() {
        return raise(AWS_ERROR_INVALID_ARGUMENT);
    }
    // SAFETY: `str` is readable for up to max_read_len bytes; memchr stops at the first NUL.
    let nul = unsafe { libc::memchr(str as *const c_void, 0, max_read_len) };
    if nul.is_null() {
        return raise(AWS_ERROR_C_STRING_BUFFER_NOT_NULL_TERMINATED);
    }
    // SAFETY: str_len checked non-NULL.
    unsafe { *str_len = nul as usize - str as usize };
    AWS_OP_SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::allocator::default_allocator;

    #[test]
    fn layout_matches_upstream() {
        assert_eq!(BYTES_OFFSET, 16);
    }

    #[test]
    fn new_compare_destroy() {
        // SAFETY: default allocator; strings destroyed once.
        unsafe {
            let a = new_string(default_allocator(), b"abc");
            let b = new_string(default_allocator(), b"abd");
            let empty = new_string(default_allocator(), b"");
            assert_eq!(string_bytes(a), b"abc");
            assert_eq!(*(a as *const u8).add(BYTES_OFFSET + 3), 0);
            assert_eq!((*empty).len, 0);
            assert_eq!(*(empty as *const u8).add(BYTES_OFFSET), 0);
            assert_eq!(aws_string_compare(a, b), -1);
            assert_eq!(aws_string_compare(b, a), 1);
            assert_eq!(aws_string_compare(empty, a), -1);
            assert_eq!(aws_string_compare(ptr::null(), a), -1);
            assert_eq!(aws_string_compare(a, ptr::null()), 1);
            assert!(aws_string_eq(ptr::null(), ptr::null()));
            assert!(!aws_string_eq(a, ptr::null()));
            assert!(aws_string_eq_c_str_ignore_case(a, c"ABC".as_ptr()));
            aws_string_destroy(a);
            aws_string_destroy_secure(b);
            aws_string_destroy(empty);
            aws_string_destroy(ptr::null_mut());
        }
    }
}
