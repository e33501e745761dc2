//! Helpers shared by every `extern "C"` shim.
//!
//! Panics never unwind into C: `extern "C"` functions abort on unwind (since
//! Rust 1.81). API misuse that upstream `AWS_FATAL_ASSERT`s aborts here too, with
//! a message, through [`fatal`].
use std::io::Write;

/// Aborts the process with a message on stderr, as upstream's fatal asserts do.
#[cold]
pub fn fatal(msg: &str) -> ! {
    let _ = writeln!(
        std::io::stderr(),
        "aws-c-event-stream-rs: fatal error: {msg}"
    );
    std::process::abort()
}

/// `AWS_FATAL_PRECONDITION` for shims: a NULL or otherwise invalid argument that
/// upstream would assert on.
#[macro_export]
macro_rules! fatal_precondition {
    ($cond:expr, $func:literal) => {
        if !$cond {
            $crate::ffi::fatal(concat!($func, ": precondition failed: ", stringify!($cond)));
        }
    };
}

/// Builds a byte slice from a C pointer and length; NULL is only allowed with length 0.
///
/// # Safety
/// `ptr` must be valid for `len` bytes for the returned lifetime.
pub unsafe fn slice<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if len == 0 {
            &[]
        } else {
            // SAFETY: guaranteed by the caller.
            std::slice::from_raw_parts(ptr, len)
        }
    }
}

/// Mutable counterpart of [`slice`].
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes, unaliased, for the returned lifetime.
pub unsafe fn slice_mut<'a>(ptr: *mut u8, len: usize) -> &'a mut [u8] {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if len == 0 {
            &mut []
        } else {
            // SAFETY: guaranteed by the caller.
            std::slice::from_raw_parts_mut(ptr, len)
        }
    }
}
