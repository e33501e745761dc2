//! aws-checksums: CRC32 (IEEE, via crc32fast's PCLMULQDQ path) and CRC32C
//! (Castagnoli, via the SSE4.2 `crc32` instruction, with a table fallback).
//!
//! Both take and return *finished* CRC values, so a running checksum is
//! continued by passing the previous result, exactly as upstream.
mod crc32c;

pub use crc32c::crc32c;

/// CRC32 (IEEE 802.3) of `data`, continuing from `previous`.
#[inline]
pub fn crc32(data: &[u8], previous: u32) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(previous);
    h.update(data);
    h.finalize()
}

/// # Safety
/// `input` must be valid for `length` bytes (NULL allowed when length <= 0).
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc32(
    input: *const u8,
    length: libc::c_int,
    previous_crc32: u32,
) -> u32 {
    // SAFETY: caller contract; a negative length reads as empty.
    unsafe { aws_checksums_crc32_ex(input, length.max(0) as usize, previous_crc32) }
}

/// # Safety
/// `input` must be valid for `length` bytes.
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc32_ex(
    input: *const u8,
    length: usize,
    previous_crc32: u32,
) -> u32 {
    // SAFETY: caller contract.
    crc32(unsafe { crate::ffi::slice(input, length) }, previous_crc32)
}

/// # Safety
/// `input` must be valid for `length` bytes (NULL allowed when length <= 0).
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc32c(
    input: *const u8,
    length: libc::c_int,
    previous_crc32c: u32,
) -> u32 {
    // SAFETY: caller contract; a negative length reads as empty.
    unsafe { aws_checksums_crc32c_ex(input, length.max(0) as usize, previous_crc32c) }
}

/// # Safety
/// `input` must be valid for `length` bytes.
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc32c_ex(
    input: *const u8,
    length: usize,
    previous_crc32c: u32,
) -> u32 {
    // SAFETY: caller contract.
    crc32c(unsafe { crate::ffi::slice(input, length) }, previous_crc32c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_values() {
        assert_eq!(crc32(b"123456789", 0), 0xCBF4_3926);
        assert_eq!(crc32(b"", 0), 0);
        let (a, b) = b"123456789".split_at(4);
        assert_eq!(crc32(b, crc32(a, 0)), 0xCBF4_3926);
    }
}
