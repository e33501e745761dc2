//! `aws_tls_ctx`: the public struct (allocator, impl, ref count) with the
//! built rustls configuration behind it, allocated through the caller's
//! allocator and freed when its public ref count reaches zero.
use std::ptr;

use libc::c_void;

use super::config::TlsConfig;
use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::io::abi::*;

/// The allocation behind an `aws_tls_ctx *`: the public struct first, so the
/// pointer to one is the pointer to the other.
#[repr(C)]
struct CtxBox {
    ctx: aws_tls_ctx,
    config: TlsConfig,
}

/// A new context holding `config`, with one reference.
///
/// # Safety
/// `alloc` must be a valid allocator that outlives the context.
pub unsafe fn new_ctx(alloc: *mut aws_allocator, config: TlsConfig) -> *mut aws_tls_ctx {
    let ctx = aws_tls_ctx {
        alloc,
        r#impl: ptr::null_mut(),
        ref_count: aws_ref_count {
            ref_count: aws_atomic_var {
                value: ptr::null_mut(),
            },
            object: ptr::null_mut(),
            on_zero_fn: None,
        },
    };
    // SAFETY: the allocator is valid per the caller; new_in never returns NULL.
    let b = unsafe { new_in(alloc, CtxBox { ctx, config }) };
    // SAFETY: `b` is the fresh, exclusively owned box.
    let ctx = unsafe { &mut (*b).ctx };
    ctx.r#impl = b as *mut c_void;
    ctx.ref_count.init(b as *mut c_void, Some(destroy));
    b as *mut aws_tls_ctx
}

unsafe extern "C" fn destroy(object: *mut c_void) {
    let b = object as *mut CtxBox;
    // SAFETY: `object` is the box registered in new_ctx; its last reference is gone.
    unsafe { drop_in((*b).ctx.alloc, b) };
}

/// The configuration of a context made here; `None` for a context made
/// elsewhere (e.g. by C code that filled in its own `aws_tls_ctx`).
///
/// # Safety
/// `ctx` must be NULL or a live context.
pub unsafe fn config_of<'a>(ctx: *const aws_tls_ctx) -> Option<&'a TlsConfig> {
    // SAFETY: NULL or live per the caller.
    let ctx = unsafe { ctx.as_ref() }?;
    // Only our destructor marks our contexts (the ownership check).
    let mine: unsafe extern "C" fn(*mut c_void) = destroy;
    let ours = ctx.ref_count.on_zero_fn.map(|f| f as usize) == Some(mine as usize);
    // SAFETY: our contexts' impl points at their CtxBox, alive while `ctx` is.
    ours.then(|| unsafe { &(*(ctx.r#impl as *const CtxBox)).config })
}

/// One more reference; returns `ctx` (NULL stays NULL).
///
/// # Safety
/// `ctx` must be NULL or a live context.
pub unsafe fn acquire(ctx: *mut aws_tls_ctx) -> *mut aws_tls_ctx {
    // SAFETY: NULL or live per the caller.
    if let Some(c) = unsafe { ctx.as_ref() } {
        c.ref_count.count().acquire("aws_tls_ctx_acquire");
    }
    ctx
}

/// One reference fewer; the last one frees the context (NULL is ignored).
///
/// # Safety
/// `ctx` must be NULL or a live context the caller holds a reference to.
pub unsafe fn release(ctx: *mut aws_tls_ctx) {
    // SAFETY: NULL or live per the caller.
    let Some(c) = (unsafe { ctx.as_ref() }) else {
        return;
    };
    // SAFETY: the context is not touched after its last release.
    unsafe { c.ref_count.release_and_notify("aws_tls_ctx_release") };
}
