//! `aws_allocator`: the default (malloc) allocator, the `aws_mem_*` entry
//! points, and helpers that place Rust objects in memory from a C allocator so
//! a tracing allocator sees everything we hand to C.
use std::ptr;

use libc::{c_int, c_void};

use super::abi::*;
use crate::fatal_precondition;

/// What upstream prints (then aborts) when an allocator returns NULL to one of
/// the `aws_mem_*` entry points: callers written against upstream never check.
const OOM_MESSAGE: &str = "Unhandled OOM encountered in aws_mem_acquire with allocator";

/// Upstream's `AWS_PANIC_OOM`: a NULL allocation is fatal.
fn panic_oom(p: *mut c_void, msg: &str) -> *mut c_void {
    if p.is_null() {
        crate::ffi::fatal(msg);
    }
    p
}

unsafe extern "C" fn default_acquire(_: *mut aws_allocator, size: usize) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { panic_oom(libc::malloc(size), "malloc failed to allocate memory") }
}
unsafe extern "C" fn default_release(_: *mut aws_allocator, p: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe { libc::free(p) }
}
unsafe extern "C" fn default_realloc(
    _: *mut aws_allocator,
    p: *mut c_void,
    _old: usize,
    new: usize,
) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        panic_oom(
            libc::realloc(p, new),
            "Unhandled OOM encountered in s_non_aligned_realloc",
        )
    }
}
unsafe extern "C" fn default_calloc(_: *mut aws_allocator, n: usize, size: usize) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        panic_oom(
            libc::calloc(n, size),
            "Unhandled OOM encountered in s_non_aligned_calloc",
        )
    }
}

struct StaticAllocator(aws_allocator);
// SAFETY: the default allocator is immutable and its functions are thread-safe.
unsafe impl Sync for StaticAllocator {}

static DEFAULT: StaticAllocator = StaticAllocator(aws_allocator {
    mem_acquire: Some(default_acquire),
    mem_release: Some(default_release),
    mem_realloc: Some(default_realloc),
    mem_calloc: Some(default_calloc),
    r#impl: ptr::null_mut(),
});

pub fn default_allocator() -> *mut aws_allocator {
    // C takes it as non-const; no function ever writes through it.
    &DEFAULT.0 as *const aws_allocator as *mut aws_allocator
}

#[no_mangle]
pub extern "C" fn aws_default_allocator() -> *mut aws_allocator {
    default_allocator()
}

#[no_mangle]
pub unsafe extern "C" fn aws_mem_acquire(
    allocator: *mut aws_allocator,
    size: usize,
) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!allocator.is_null(), "aws_mem_acquire");
        fatal_precondition!(size != 0, "aws_mem_acquire");
        let Some(acquire) = (*allocator).mem_acquire else {
            crate::ffi::fatal("aws_mem_acquire: allocator has no mem_acquire");
        };
        panic_oom(acquire(allocator, size), OOM_MESSAGE)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_mem_calloc(
    allocator: *mut aws_allocator,
    num: usize,
    size: usize,
) -> *mut c_void {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!allocator.is_null(), "aws_mem_calloc");
        fatal_precondition!(num != 0 && size != 0, "aws_mem_calloc");
        // Upstream fatal-asserts on a wrapping num * size rather than raising.
        let Some(total) = num.checked_mul(size) else {
            crate::ffi::fatal("aws_mem_calloc: calloc computed size > SIZE_MAX");
        };
        match ((*allocator).mem_calloc, (*allocator).mem_acquire) {
            (Some(calloc), _) => panic_oom(calloc(allocator, num, size), OOM_MESSAGE),
            (None, Some(acquire)) => {
                let m = panic_oom(acquire(allocator, total), OOM_MESSAGE);
                ptr::write_bytes(m as *mut u8, 0, total);
                m
            }
            (None, None) => crate::ffi::fatal("aws_mem_calloc: allocator has no calloc or acquire"),
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_mem_release(allocator: *mut aws_allocator, p: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!allocator.is_null(), "aws_mem_release");
        let Some(release) = (*allocator).mem_release else {
            crate::ffi::fatal("aws_mem_release: allocator has no mem_release");
        };
        if !p.is_null() {
            release(allocator, p);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_mem_realloc(
    allocator: *mut aws_allocator,
    p: *mut *mut c_void,
    oldsize: usize,
    newsize: usize,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!allocator.is_null() && !p.is_null(), "aws_mem_realloc");
        if newsize == 0 {
            aws_mem_release(allocator, *p);
            *p = ptr::null_mut();
            return AWS_OP_SUCCESS;
        }
        if let Some(realloc) = (*allocator).mem_realloc {
            *p = panic_oom(realloc(allocator, *p, oldsize, newsize), OOM_MESSAGE);
            return AWS_OP_SUCCESS;
        }
        // Emulated with acquire + copy: only growth needs new memory.
        if oldsize >= newsize {
            return AWS_OP_SUCCESS;
        }
        let new = aws_mem_acquire(allocator, newsize);
        if !(*p).is_null() {
            ptr::copy_nonoverlapping(*p as *const u8, new as *mut u8, oldsize);
        }
        ptr::write_bytes((new as *mut u8).add(oldsize), 0, newsize - oldsize);
        aws_mem_release(allocator, *p);
        *p = new;
        AWS_OP_SUCCESS
    }
}

/// Zeroes memory in a way the optimiser may not remove.
#[no_mangle]
pub unsafe extern "C" fn aws_secure_zero(pbuf: *mut c_void, bufsize: usize) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let p = pbuf as *mut u8;
        for i in 0..bufsize {
            // SAFETY: the caller owns `bufsize` bytes at `pbuf`.
            ptr::write_volatile(p.add(i), 0);
        }
        std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
    }
}

// ---- Rust objects in C-allocated memory --------------------------------------

/// Moves `value` into memory from `allocator`. Never NULL: allocation failure
/// aborts in `aws_mem_acquire`.
///
/// # Safety
/// `allocator` must be a valid allocator; free the result with [`drop_in`].
pub unsafe fn new_in<T>(allocator: *mut aws_allocator, value: T) -> *mut T {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        // C allocators hand out malloc-aligned memory (16 bytes on x86_64).
        const { assert!(std::mem::align_of::<T>() <= 16) };
        let size = std::mem::size_of::<T>().max(1);
        let p = aws_mem_acquire(allocator, size) as *mut T;
        if !p.is_null() {
            p.write(value);
        }
        p
    }
}

/// Drops and frees an object made by [`new_in`]; NULL is ignored.
///
/// # Safety
/// `p` must come from `new_in` with the same allocator and not be used again.
pub unsafe fn drop_in<T>(allocator: *mut aws_allocator, p: *mut T) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if !p.is_null() {
            ptr::drop_in_place(p);
            aws_mem_release(allocator, p as *mut c_void);
        }
    }
}

/// True for a non-NULL allocator with both mem_acquire and mem_release (the rest is optional).
#[no_mangle]
pub unsafe extern "C" fn aws_allocator_is_valid(alloc: *const aws_allocator) -> bool {
    // SAFETY: a non-NULL allocator points to a live struct (caller contract).
    unsafe { alloc.as_ref() }.is_some_and(|a| a.mem_acquire.is_some() && a.mem_release.is_some())
}
