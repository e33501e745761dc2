//! `aws_device_random_*`: bytes from the kernel CSPRNG.
//!
//! getrandom(2) is used directly (no file descriptor to leak into children or
//! to be closed under us); kernels without it fall back to /dev/urandom.
use std::fs::File;
use std::io::Read;
use std::sync::OnceLock;

use libc::c_int;

use super::abi::*;
use super::error::raise;
use super::error_codes::*;
use crate::fatal_precondition;

/// Fills `out` completely with random bytes, or reports failure.
pub fn fill(out: &mut [u8]) -> bool {
    let mut filled = 0;
    // Each getrandom call returns at least some bytes unless it fails, so the
    // loop is bounded by out.len() iterations in the worst case.
    while filled < out.len() {
        let rest = &mut out[filled..];
        // SAFETY: `rest` is valid writable memory of the given length.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n > 0 {
            filled += n as usize;
            continue;
        }
        match std::io::Error::last_os_error().raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::ENOSYS) => return fill_from_urandom(rest),
            _ => return false,
        }
    }
    true
}

fn fill_from_urandom(out: &mut [u8]) -> bool {
    // std opens files with O_CLOEXEC, as upstream insists on.
    static URANDOM: OnceLock<Option<File>> = OnceLock::new();
    match URANDOM.get_or_init(|| File::open("/dev/urandom").ok()) {
        Some(f) => (&*f).read_exact(out).is_ok(),
        None => false,
    }
}

/// Appends `n` random bytes to `output`; on failure `output` keeps its length.
///
/// # Safety
/// `output` must point to a valid `aws_byte_buf`.
#[no_mangle]
pub unsafe extern "C" fn aws_device_random_buffer_append(
    output: *mut aws_byte_buf,
    n: usize,
) -> c_int {
    fatal_precondition!(!output.is_null(), "aws_device_random_buffer_append");
    // SAFETY: non-NULL, valid per the API contract.
    let buf = unsafe { &mut *output };
    fatal_precondition!(
        buf.len <= buf.capacity && (!buf.buffer.is_null() || buf.capacity == 0),
        "aws_device_random_buffer_append"
    );
    if buf.capacity - buf.len < n {
        return raise(AWS_ERROR_SHORT_BUFFER);
    }
    if n == 0 {
        return AWS_OP_SUCCESS;
    }
    // SAFETY: [len, len + n) lies within the buffer's capacity (checked above).
    let dest = unsafe { std::slice::from_raw_parts_mut(buf.buffer.add(buf.len), n) };
    if !fill(dest) {
        return raise(AWS_ERROR_RANDOM_GEN_FAILED);
    }
    buf.len += n;
    AWS_OP_SUCCESS
}

/// Fills the rest of `output` (capacity - len bytes).
#[no_mangle]
pub unsafe extern "C" fn aws_device_random_buffer(output: *mut aws_byte_buf) -> c_int {
    fatal_precondition!(!output.is_null(), "aws_device_random_buffer");
    // SAFETY: non-NULL, valid per the API contract.
    let space = unsafe { (*output).capacity.wrapping_sub((*output).len) };
    // SAFETY: forwarded; validity is re-checked there.
    unsafe { aws_device_random_buffer_append(output, space) }
}

/// Writes a random value of `N` bytes to `out`, which may be unaligned.
unsafe fn random_into<const N: usize>(out: *mut u8, func: &'static str) -> c_int {
    if out.is_null() {
        crate::ffi::fatal(&format!("{func}: output is NULL"));
    }
    let mut bytes = [0u8; N];
    if !fill(&mut bytes) {
        return raise(AWS_ERROR_RANDOM_GEN_FAILED);
    }
    // SAFETY: `out` points to N writable bytes (the caller's integer).
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), out, N) };
    AWS_OP_SUCCESS
}

#[no_mangle]
pub unsafe extern "C" fn aws_device_random_u64(output: *mut u64) -> c_int {
    // SAFETY: output points to a u64 per the API contract.
    unsafe { random_into::<8>(output.cast(), "aws_device_random_u64") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_device_random_u32(output: *mut u32) -> c_int {
    // SAFETY: output points to a u32 per the API contract.
    unsafe { random_into::<4>(output.cast(), "aws_device_random_u32") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_device_random_u16(output: *mut u16) -> c_int {
    // SAFETY: output points to a u16 per the API contract.
    unsafe { random_into::<2>(output.cast(), "aws_device_random_u16") }
}

#[no_mangle]
pub unsafe extern "C" fn aws_device_random_u8(output: *mut u8) -> c_int {
    // SAFETY: output points to a u8 per the API contract.
    unsafe { random_into::<1>(output, "aws_device_random_u8") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_large_buffers_with_varied_bytes() {
        let mut a = vec![0u8; 1 << 16];
        let mut b = vec![0u8; 1 << 16];
        assert!(fill(&mut a) && fill(&mut b));
        assert_ne!(a, b);
        // Every byte value shows up in 64 KiB of uniform randomness.
        let mut seen = [false; 256];
        a.iter().for_each(|&x| seen[x as usize] = true);
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn urandom_fallback_works() {
        let mut a = [0u8; 64];
        assert!(fill_from_urandom(&mut a));
        assert!(a.iter().any(|&x| x != 0));
    }
}
