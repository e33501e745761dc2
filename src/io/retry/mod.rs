//! `retry_strategy.h`: retry strategies and their tokens. The generic calls
//! dispatch through the strategy's vtable (so C-defined strategies work too);
//! the three upstream strategies are in `backoff.rs` (exponential backoff
//! with jitter), `standard.rs` (token buckets per partition over a backoff
//! strategy) and `no_retry.rs`.
use std::sync::atomic::{AtomicUsize, Ordering};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::fatal_precondition;
use crate::io::abi::*;

pub mod backoff;
pub mod no_retry;
pub mod standard;

/// The public `aws_atomic_var` ref count of a strategy or token.
///
/// # Safety
/// `var` is a live, pointer-aligned atomic var.
pub(crate) unsafe fn counter<'a>(var: *const aws_atomic_var) -> &'a AtomicUsize {
    // SAFETY: per the caller; aws_atomic_var is one pointer-sized, aligned word.
    unsafe { AtomicUsize::from_ptr(var as *mut usize) }
}

/// Calls the strategy's shutdown callback, if any, after it is freed.
pub(crate) fn notify_shutdown(opts: aws_shutdown_callback_options) {
    if let Some(f) = opts.shutdown_callback_fn {
        // SAFETY: the callback and its data come from the caller's options.
        unsafe { f(opts.shutdown_callback_user_data) };
    }
}

/// # Safety
/// `strategy` is live with a vtable.
unsafe fn vtable<'a>(
    strategy: *mut aws_retry_strategy,
    func: &str,
) -> &'a aws_retry_strategy_vtable {
    // SAFETY: per the caller.
    unsafe {
        if strategy.is_null() || (*strategy).vtable.is_null() {
            crate::ffi::fatal(&format!("{func}: retry strategy is NULL or has no vtable"));
        }
        &*(*strategy).vtable
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_retry_strategy_acquire(retry_strategy: *mut aws_retry_strategy) {
    fatal_precondition!(!retry_strategy.is_null(), "aws_retry_strategy_acquire");
    // SAFETY: C passes a live strategy.
    unsafe { counter(&(*retry_strategy).ref_count) }.fetch_add(1, Ordering::Relaxed);
}

/// NULL-tolerant; the last release calls the vtable's destroy.
#[no_mangle]
pub unsafe extern "C" fn aws_retry_strategy_release(retry_strategy: *mut aws_retry_strategy) {
    if retry_strategy.is_null() {
        return;
    }
    // SAFETY: C passes a live strategy; the last reference destroys it.
    unsafe {
        if counter(&(*retry_strategy).ref_count).fetch_sub(1, Ordering::AcqRel) == 1 {
            let destroy = vtable(retry_strategy, "aws_retry_strategy_release").destroy;
            destroy.expect("retry strategy vtable has no destroy")(retry_strategy);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_retry_strategy_acquire_retry_token(
    retry_strategy: *mut aws_retry_strategy,
    partition_id: *const aws_byte_cursor,
    on_acquired: aws_retry_strategy_on_retry_token_acquired_fn,
    user_data: *mut c_void,
    timeout_ms: u64,
) -> c_int {
    // SAFETY: C passes a live strategy.
    unsafe {
        let f = vtable(retry_strategy, "aws_retry_strategy_acquire_retry_token").acquire_token;
        f.expect("retry strategy vtable has no acquire_token")(
            retry_strategy,
            partition_id,
            on_acquired,
            user_data,
            timeout_ms,
        )
    }
}

/// # Safety
/// `token` is live with a strategy.
unsafe fn token_vtable<'a>(
    token: *mut aws_retry_token,
    func: &str,
) -> &'a aws_retry_strategy_vtable {
    if token.is_null() {
        crate::ffi::fatal(&format!("{func}: token is NULL"));
    }
    // SAFETY: per the caller.
    unsafe { vtable((*token).retry_strategy, func) }
}

#[no_mangle]
pub unsafe extern "C" fn aws_retry_strategy_schedule_retry(
    token: *mut aws_retry_token,
    error_type: enum_aws_retry_error_type,
    retry_ready: aws_retry_strategy_on_retry_ready_fn,
    user_data: *mut c_void,
) -> c_int {
    // SAFETY: C passes a live token.
    unsafe {
        let f = token_vtable(token, "aws_retry_strategy_schedule_retry").schedule_retry;
        f.expect("retry strategy vtable has no schedule_retry")(
            token,
            error_type,
            retry_ready,
            user_data,
        )
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_retry_token_record_success(token: *mut aws_retry_token) -> c_int {
    // SAFETY: C passes a live token.
    unsafe {
        let f = token_vtable(token, "aws_retry_token_record_success").record_success;
        f.expect("retry strategy vtable has no record_success")(token)
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_retry_token_acquire(token: *mut aws_retry_token) {
    fatal_precondition!(!token.is_null(), "aws_retry_token_acquire");
    // SAFETY: C passes a live token.
    unsafe { counter(&(*token).ref_count) }.fetch_add(1, Ordering::Relaxed);
}

/// NULL-tolerant; the last release hands the token to its strategy.
#[no_mangle]
pub unsafe extern "C" fn aws_retry_token_release(token: *mut aws_retry_token) {
    if token.is_null() {
        return;
    }
    // SAFETY: C passes a live token; the last reference frees it.
    unsafe {
        let release = token_vtable(token, "aws_retry_token_release").release_token;
        if counter(&(*token).ref_count).fetch_sub(1, Ordering::AcqRel) == 1 {
            release.expect("retry strategy vtable has no release_token")(token);
        }
    }
}

/// A public ref count holding its first reference.
pub(crate) fn one_ref() -> aws_atomic_var {
    aws_atomic_var {
        value: std::ptr::without_provenance_mut(1),
    }
}
