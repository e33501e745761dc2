//! Aligned allocators: `aws_aligned_allocator()` (64-byte aligned blocks) and
//! `aws_explicit_aligned_allocator_new(alignment)` (a power of two that is a
//! multiple of the pointer size), both over posix_memalign.
use std::ptr;

use libc::c_void;

use super::abi::*;
use super::error::raise;
use super::error_codes::*;

const DEFAULT_ALIGNMENT: usize = 64;

/// The alignment an allocator of ours was made with (its `impl` slot).
///
/// # Safety
/// `a` is one of this module's allocators.
unsafe fn alignment(a: *mut aws_allocator) -> usize {
    // SAFETY: per the contract, impl holds the alignment.
    unsafe { (*a).r#impl as usize }
}

fn aligned(align: usize, size: usize) -> *mut c_void {
    let mut out = ptr::null_mut();
    // SAFETY: out is a valid out-parameter; the alignment is a power-of-two multiple of sizeof(void *).
    if unsafe { libc::posix_memalign(&mut out, align, size.max(1)) } != 0 {
        crate::ffi::fatal("Unhandled OOM encountered in aligned allocator");
    }
    out
}

unsafe extern "C" fn aligned_acquire(a: *mut aws_allocator, size: usize) -> *mut c_void {
    // SAFETY: called through one of our allocators.
    aligned(unsafe { alignment(a) }, size)
}

unsafe extern "C" fn aligned_release(_: *mut aws_allocator, p: *mut c_void) {
    // SAFETY: p came from posix_memalign.
    unsafe { libc::free(p) }
}

unsafe extern "C" fn aligned_realloc(
    a: *mut aws_allocator,
    old: *mut c_void,
    old_size: usize,
    new_size: usize,
) -> *mut c_void {
    // SAFETY: old holds old_size bytes from this allocator; the new block holds new_size.
    unsafe {
        let new = aligned(alignment(a), new_size);
        if !old.is_null() {
            ptr::copy_nonoverlapping(old as *const u8, new as *mut u8, old_size.min(new_size));
            libc::free(old);
        }
        new
    }
}

unsafe extern "C" fn aligned_calloc(a: *mut aws_allocator, n: usize, size: usize) -> *mut c_void {
    let Some(total) = n.checked_mul(size) else {
        crate::ffi::fatal("aligned calloc: size overflow");
    };
    // SAFETY: called through one of our allocators; the block holds `total` bytes.
    unsafe {
        let p = aligned(alignment(a), total);
        ptr::write_bytes(p as *mut u8, 0, total);
        p
    }
}

const fn allocator_with(align: usize) -> aws_allocator {
    aws_allocator {
        mem_acquire: Some(aligned_acquire),
        mem_release: Some(aligned_release),
        mem_realloc: Some(aligned_realloc),
        mem_calloc: Some(aligned_calloc),
        r#impl: align as *mut c_void,
    }
}

struct StaticAllocator(aws_allocator);
// SAFETY: immutable, and its functions are thread-safe.
unsafe impl Sync for StaticAllocator {}

static ALIGNED: StaticAllocator = StaticAllocator(allocator_with(DEFAULT_ALIGNMENT));

#[no_mangle]
pub extern "C" fn aws_aligned_allocator() -> *mut aws_allocator {
    // C takes it as non-const; nothing writes through it.
    &ALIGNED.0 as *const aws_allocator as *mut aws_allocator
}

/// NULL (AWS_ERROR_INVALID_ARGUMENT) unless `customized_alignment` is a power of
/// two and a multiple of sizeof(void *).
#[no_mangle]
pub extern "C" fn aws_explicit_aligned_allocator_new(
    customized_alignment: usize,
) -> *mut aws_allocator {
    let word = std::mem::size_of::<*mut c_void>();
    if customized_alignment == 0
        || !customized_alignment.is_power_of_two()
        || customized_alignment % word != 0
    {
        raise(AWS_ERROR_INVALID_ARGUMENT);
        return ptr::null_mut();
    }
    Box::into_raw(Box::new(allocator_with(customized_alignment)))
}

#[no_mangle]
pub unsafe extern "C" fn aws_explicit_aligned_allocator_destroy(aligned_alloc: *mut aws_allocator) {
    if !aligned_alloc.is_null() {
        // SAFETY: it came from aws_explicit_aligned_allocator_new.
        drop(unsafe { Box::from_raw(aligned_alloc) });
    }
}
