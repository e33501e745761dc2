//! The bool-returning writes into a buffer (`aws_byte_buf_advance`,
//! `aws_byte_buf_write*`): on failure they return false and raise no error.
use super::*;

/// Carves the next `len` bytes of spare capacity out as an empty, non-owning buffer.
/// If they are not there, `*output` is zeroed and false returned.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_advance(
    buffer: *mut aws_byte_buf,
    output: *mut aws_byte_buf,
    len: usize,
) -> bool {
    fatal_precondition!(!output.is_null(), "aws_byte_buf_advance");
    // SAFETY: valid buffer (checked); output checked non-NULL.
    unsafe {
        let b = buf_mut(buffer, "aws_byte_buf_advance");
        if b.capacity - b.len >= len {
            let start = if b.buffer.is_null() {
                ptr::null_mut()
            } else {
                b.buffer.add(b.len)
            };
            *output = aws_byte_buf_from_empty_array(start as *const c_void, len);
            b.len += len;
            true
        } else {
            *output = empty_buf();
            false
        }
    }
}

/// Copies `len` bytes in if they fit; otherwise returns false and changes nothing.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write(
    buf: *mut aws_byte_buf,
    src: *const u8,
    len: usize,
) -> bool {
    fatal_precondition!(len == 0 || !src.is_null(), "aws_byte_buf_write");
    // SAFETY: valid buffer (checked); src readable for len bytes.
    unsafe { put(buf_mut(buf, "aws_byte_buf_write"), src, len) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_from_whole_buffer(
    buf: *mut aws_byte_buf,
    src: aws_byte_buf,
) -> bool {
    // SAFETY: a by-value buffer must describe readable memory (checked for shape).
    unsafe {
        let bytes = buf_bytes(&src);
        put(
            buf_mut(buf, "aws_byte_buf_write_from_whole_buffer"),
            bytes.as_ptr(),
            bytes.len(),
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_from_whole_cursor(
    buf: *mut aws_byte_buf,
    src: aws_byte_cursor,
) -> bool {
    // SAFETY: a by-value cursor must describe readable memory (checked for shape).
    unsafe {
        let bytes = cursor_bytes(&src);
        put(
            buf_mut(buf, "aws_byte_buf_write_from_whole_cursor"),
            bytes.as_ptr(),
            bytes.len(),
        )
    }
}

/// Writes as much of the cursor as fits, advances the cursor past it and
/// returns the part written. Never fails.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_to_capacity(
    buf: *mut aws_byte_buf,
    advancing_cursor: *mut aws_byte_cursor,
) -> aws_byte_cursor {
    const F: &str = "aws_byte_buf_write_to_capacity";
    // SAFETY: valid arguments (checked); the written part fits by construction.
    unsafe {
        let b = buf_mut(buf, F);
        cursor_ref(advancing_cursor, F);
        let n = (b.capacity - b.len).min((*advancing_cursor).len);
        let written = cursor::aws_byte_cursor_advance(advancing_cursor, n);
        put(b, written.ptr, written.len);
        written
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_u8(buf: *mut aws_byte_buf, c: u8) -> bool {
    // SAFETY: valid buffer (checked).
    unsafe { put(buf_mut(buf, "aws_byte_buf_write_u8"), &c, 1) }
}

/// Writes `count` copies of `c` (like memset) if they fit.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_u8_n(
    buf: *mut aws_byte_buf,
    c: u8,
    count: usize,
) -> bool {
    // SAFETY: valid buffer (checked); the range is inside capacity.
    unsafe {
        let b = buf_mut(buf, "aws_byte_buf_write_u8_n");
        if count > b.capacity - b.len {
            return false;
        }
        if count > 0 {
            ptr::write_bytes(b.buffer.add(b.len), c, count);
            b.len += count;
        }
    }
    true
}

unsafe fn put_bytes<const N: usize>(buf: *mut aws_byte_buf, bytes: [u8; N], func: &str) -> bool {
    // SAFETY: valid buffer (checked); `bytes` is a local array.
    unsafe { put(buf_mut(buf, func), bytes.as_ptr(), N) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_be16(buf: *mut aws_byte_buf, x: u16) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { put_bytes(buf, x.to_be_bytes(), "aws_byte_buf_write_be16") }
}

/// Writes the low 3 bytes big-endian; false (buffer unchanged) if `x` needs more than 24 bits.
#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_be24(buf: *mut aws_byte_buf, x: u32) -> bool {
    if x > 0x00FF_FFFF {
        return false;
    }
    let [_, a, b, c] = x.to_be_bytes();
    // SAFETY: forwarded caller contract.
    unsafe { put_bytes(buf, [a, b, c], "aws_byte_buf_write_be24") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_be32(buf: *mut aws_byte_buf, x: u32) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { put_bytes(buf, x.to_be_bytes(), "aws_byte_buf_write_be32") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_be64(buf: *mut aws_byte_buf, x: u64) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { put_bytes(buf, x.to_be_bytes(), "aws_byte_buf_write_be64") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_float_be32(buf: *mut aws_byte_buf, x: f32) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { put_bytes(buf, x.to_be_bytes(), "aws_byte_buf_write_float_be32") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_byte_buf_write_float_be64(buf: *mut aws_byte_buf, x: f64) -> bool {
    // SAFETY: forwarded caller contract.
    unsafe { put_bytes(buf, x.to_be_bytes(), "aws_byte_buf_write_float_be64") }
}
