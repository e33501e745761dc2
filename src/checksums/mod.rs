//! aws-checksums: CRC32 (IEEE, via crc32fast's PCLMULQDQ path), CRC32C
//! (Castagnoli, via the SSE4.2 `crc32` instruction), CRC64-NVME (PCLMULQDQ
//! folding), each with a slicing-by-8 table fallback; combining two CRCs of
//! adjacent blocks; xxHash.
//!
//! CRCs take and return *finished* values, so a running checksum is
//! continued by passing the previous result, exactly as upstream.
pub mod abi;
mod combine;
mod crc32c;
mod crc64;
#[cfg(target_arch = "x86_64")]
mod fold;
mod library;
mod table;
pub mod xxhash;

pub use combine::{crc32_combine, crc32c_combine, crc64nvme_combine};
pub use crc32c::crc32c;
pub use crc64::{crc64nvme, crc64nvme_sw};

/// CRC32 (IEEE 802.3) of `data`, continuing from `previous`.
#[inline]
pub fn crc32(data: &[u8], previous: u32) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(previous);
    h.update(data);
    h.finalize()
}

/// The portable CRC32 path (upstream's `_sw`).
pub fn crc32_sw(data: &[u8], previous: u32) -> u32 {
    table::crc32(data, previous)
}

/// The portable CRC32C path (upstream's `_sw`).
pub fn crc32c_sw(data: &[u8], previous: u32) -> u32 {
    table::crc32c(data, previous)
}

/// The bytes of an `int`-length C buffer; a negative length reads as empty.
///
/// # Safety
/// `input` must be valid for `length` bytes when `length > 0`.
unsafe fn int_slice<'a>(input: *const u8, length: libc::c_int) -> &'a [u8] {
    // SAFETY: forwarded caller contract.
    unsafe { crate::ffi::slice(input, length.max(0) as usize) }
}

/// # Safety
/// `input` must be valid for `length` bytes (NULL allowed when length <= 0).
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc32(
    input: *const u8,
    length: libc::c_int,
    previous_crc32: u32,
) -> u32 {
    // SAFETY: caller contract.
    crc32(unsafe { int_slice(input, length) }, previous_crc32)
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
    // SAFETY: caller contract.
    crc32c(unsafe { int_slice(input, length) }, previous_crc32c)
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

/// # Safety
/// `input` must be valid for `length` bytes (NULL allowed when length <= 0).
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc64nvme(
    input: *const u8,
    length: libc::c_int,
    previous_crc64: u64,
) -> u64 {
    // SAFETY: caller contract.
    crc64nvme(unsafe { int_slice(input, length) }, previous_crc64)
}

/// # Safety
/// `input` must be valid for `length` bytes.
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc64nvme_ex(
    input: *const u8,
    length: usize,
    previous_crc64: u64,
) -> u64 {
    // SAFETY: caller contract.
    crc64nvme(unsafe { crate::ffi::slice(input, length) }, previous_crc64)
}

// ---- upstream's portable ("software") entry points -----------------------------

/// # Safety
/// `input` must be valid for `length` bytes (NULL allowed when length <= 0).
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc32_sw(
    input: *const u8,
    length: libc::c_int,
    previous_crc32: u32,
) -> u32 {
    // SAFETY: caller contract.
    crc32_sw(unsafe { int_slice(input, length) }, previous_crc32)
}

/// # Safety
/// `input` must be valid for `length` bytes (NULL allowed when length <= 0).
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc32c_sw(
    input: *const u8,
    length: libc::c_int,
    previous_crc32c: u32,
) -> u32 {
    // SAFETY: caller contract.
    crc32c_sw(unsafe { int_slice(input, length) }, previous_crc32c)
}

/// # Safety
/// `input` must be valid for `length` bytes (NULL allowed when length <= 0).
#[no_mangle]
pub unsafe extern "C" fn aws_checksums_crc64nvme_sw(
    input: *const u8,
    length: libc::c_int,
    previous_crc64: u64,
) -> u64 {
    // SAFETY: caller contract.
    crc64nvme_sw(unsafe { int_slice(input, length) }, previous_crc64)
}

// ---- combining the CRCs of adjacent blocks -------------------------------------
// One portable method serves both names: x^(8 len2) mod P by square-and-multiply
// over precomputed powers, a few dozen 64-bit carry-less steps.

#[no_mangle]
pub extern "C" fn aws_checksums_crc32_combine(crc1: u32, crc2: u32, len2: u64) -> u32 {
    crc32_combine(crc1, crc2, len2)
}

#[no_mangle]
pub extern "C" fn aws_checksums_crc32_combine_sw(crc1: u32, crc2: u32, len2: u64) -> u32 {
    crc32_combine(crc1, crc2, len2)
}

#[no_mangle]
pub extern "C" fn aws_checksums_crc32c_combine(crc1: u32, crc2: u32, len2: u64) -> u32 {
    crc32c_combine(crc1, crc2, len2)
}

#[no_mangle]
pub extern "C" fn aws_checksums_crc32c_combine_sw(crc1: u32, crc2: u32, len2: u64) -> u32 {
    crc32c_combine(crc1, crc2, len2)
}

#[no_mangle]
pub extern "C" fn aws_checksums_crc64nvme_combine(crc1: u64, crc2: u64, len2: u64) -> u64 {
    crc64nvme_combine(crc1, crc2, len2)
}

#[no_mangle]
pub extern "C" fn aws_checksums_crc64nvme_combine_sw(crc1: u64, crc2: u64, len2: u64) -> u64 {
    crc64nvme_combine(crc1, crc2, len2)
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

    #[test]
    fn software_paths_equal_fast_paths() {
        let data: Vec<u8> = (0..20_000u32).map(|i| ((i * 7919) >> 3) as u8).collect();
        for len in [0, 1, 15, 16, 127, 128, 129, 4096, 12_289, 20_000] {
            let d = &data[..len];
            assert_eq!(crc32_sw(d, 5), crc32(d, 5), "crc32 len {len}");
            assert_eq!(crc32c_sw(d, 5), crc32c(d, 5), "crc32c len {len}");
            assert_eq!(crc64nvme_sw(d, 5), crc64nvme(d, 5), "crc64 len {len}");
        }
    }
}
