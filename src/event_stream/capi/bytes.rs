//! `aws_byte_buf` handling on the struct's fields (init, clean-up, views and
//! upstream's cursor reads), kept private to the event-stream C API.
use std::ptr;

use crate::common::abi::{aws_allocator, aws_byte_buf};
use crate::common::allocator::{aws_mem_acquire, aws_mem_release};

/// An all-zero buffer (`AWS_ZERO_STRUCT`).
pub const fn zeroed() -> aws_byte_buf {
    aws_byte_buf {
        len: 0,
        buffer: ptr::null_mut(),
        capacity: 0,
        allocator: ptr::null_mut(),
    }
}

/// `aws_byte_buf_from_array`: a non-owning view (NULL buffer when empty).
pub fn from_array(bytes: *const u8, len: usize) -> aws_byte_buf {
    aws_byte_buf {
        len,
        buffer: if len > 0 {
            bytes as *mut u8
        } else {
            ptr::null_mut()
        },
        capacity: len,
        allocator: ptr::null_mut(),
    }
}

/// An empty buffer owning `capacity` bytes from `alloc` (`aws_byte_buf_init`).
/// Returns None (OOM raised) if the allocator fails.
///
/// # Safety
/// `alloc` must be a valid allocator.
pub unsafe fn with_capacity(alloc: *mut aws_allocator, capacity: usize) -> Option<aws_byte_buf> {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        let buffer = if capacity == 0 {
            ptr::null_mut()
        } else {
            let p = aws_mem_acquire(alloc, capacity) as *mut u8;
            if p.is_null() {
                return None;
            }
            p
        };
        Some(aws_byte_buf {
            len: 0,
            buffer,
            capacity,
            allocator: alloc,
        })
    }
}

/// `aws_byte_buf_clean_up`: frees an owned buffer and zeroes the struct.
///
/// # Safety
/// `buf` must be a valid buffer.
pub unsafe fn clean_up(buf: &mut aws_byte_buf) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if !buf.allocator.is_null() && !buf.buffer.is_null() {
            aws_mem_release(buf.allocator, buf.buffer as *mut libc::c_void);
        }
        *buf = zeroed();
    }
}

/// The bytes `[..len]` of a buffer.
///
/// # Safety
/// `buf` must be valid: `buffer` readable for `len` bytes.
pub unsafe fn contents(buf: &aws_byte_buf) -> &[u8] {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // SAFETY: per the caller.
        crate::ffi::slice(buf.buffer, buf.len)
    }
}

/// Appends `bytes` if they fit (`aws_byte_buf_write`); false if not.
///
/// # Safety
/// `buf` must be valid and writable up to `capacity`.
pub unsafe fn write(buf: &mut aws_byte_buf, bytes: &[u8]) -> bool {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if bytes.len() > buf.capacity.saturating_sub(buf.len) {
            return false;
        }
        if !bytes.is_empty() {
            // SAFETY: room checked above; `bytes` cannot overlap unused capacity
            // that nobody has written yet, but may alias it in theory: use copy.
            ptr::copy(bytes.as_ptr(), buf.buffer.add(buf.len), bytes.len());
            buf.len += bytes.len();
        }
        true
    }
}

/// A read position over a byte range with `aws_byte_cursor` semantics:
/// advancing or reading past the end fails and leaves it unchanged.
#[derive(Clone, Copy)]
pub struct Cursor {
    pub ptr: *const u8,
    pub len: usize,
}

impl Cursor {
    pub fn of(buf: &aws_byte_buf) -> Cursor {
        Cursor {
            ptr: buf.buffer,
            len: buf.len,
        }
    }

    /// `aws_byte_cursor_advance`: moves on by `n` if that many bytes remain.
    pub fn advance(&mut self, n: usize) {
        if n <= self.len {
            if !self.ptr.is_null() {
                // SAFETY: n ≤ len, so still inside (or one past) the range.
                self.ptr = unsafe { self.ptr.add(n) };
            }
            self.len -= n;
        }
    }

    /// `aws_byte_cursor_read_be32`: 0 (and no move) if fewer than 4 bytes remain.
    ///
    /// # Safety
    /// The cursor must describe readable memory.
    pub unsafe fn read_be32(&mut self) -> u32 {
        // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
        unsafe {
            if self.len < 4 {
                return 0;
            }
            // SAFETY: 4 bytes remain, per the check and the caller.
            let b = crate::ffi::slice(self.ptr, 4);
            self.advance(4);
            u32::from_be_bytes([b[0], b[1], b[2], b[3]])
        }
    }
}
