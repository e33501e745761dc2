//! Statistics: aws-c-io's socket and TLS sample structs, and the dispatch
//! functions of aws-c-common's `aws_crt_statistics_handler` (upstream exports
//! those from aws-c-common; they live here next to their only user, channels).
use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::fatal_precondition;
use crate::io::abi::*;

unsafe fn vtable<'a>(
    handler: *mut aws_crt_statistics_handler,
    func: &str,
) -> &'a aws_crt_statistics_handler_vtable {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if handler.is_null() || (*handler).vtable.is_null() {
            crate::ffi::fatal(&format!("{func}: handler or its vtable is NULL"));
        }
        // SAFETY: checked non-NULL; the vtable outlives the handler.
        &*(*handler).vtable
    }
}

/// Hands one interval's samples (`stats`: a list of `aws_crt_statistics_base *`)
/// to the handler; `context` is the channel.
#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_handler_process_statistics(
    handler: *mut aws_crt_statistics_handler,
    interval: *mut aws_crt_statistics_sample_interval,
    stats: *mut aws_array_list,
    context: *mut c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let v = vtable(handler, "aws_crt_statistics_handler_process_statistics");
        if let Some(f) = v.process_statistics {
            f(handler, interval, stats, context);
        }
    }
}

/// The handler's report interval in milliseconds (0 without the entry).
#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_handler_get_report_interval_ms(
    handler: *mut aws_crt_statistics_handler,
) -> u64 {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let v = vtable(handler, "aws_crt_statistics_handler_get_report_interval_ms");
        v.get_report_interval_ms.map_or(0, |f| f(handler))
    }
}

/// Destroys the handler; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_handler_destroy(
    handler: *mut aws_crt_statistics_handler,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if handler.is_null() {
            return;
        }
        if let Some(f) = vtable(handler, "aws_crt_statistics_handler_destroy").destroy {
            f(handler);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_socket_init(
    stats: *mut aws_crt_statistics_socket,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!stats.is_null(), "aws_crt_statistics_socket_init");
        // SAFETY: the caller owns a writable struct; all-zero is valid.
        std::ptr::write_bytes(stats, 0, 1);
        (*stats).category = aws_crt_io_statistics_category::AWSCRT_STAT_CAT_SOCKET as u32;
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_socket_cleanup(_stats: *mut aws_crt_statistics_socket) {
}

/// Zeroes the byte counters (the category stays).
#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_socket_reset(stats: *mut aws_crt_statistics_socket) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!stats.is_null(), "aws_crt_statistics_socket_reset");
        (*stats).bytes_read = 0;
        (*stats).bytes_written = 0;
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_tls_init(stats: *mut aws_crt_statistics_tls) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(!stats.is_null(), "aws_crt_statistics_tls_init");
        // SAFETY: the caller owns a writable struct; all-zero is valid.
        std::ptr::write_bytes(stats, 0, 1);
        (*stats).category = aws_crt_io_statistics_category::AWSCRT_STAT_CAT_TLS as u32;
        (*stats).handshake_status =
            aws_tls_negotiation_status::AWS_TLS_NEGOTIATION_STATUS_NONE as c_int;
        AWS_OP_SUCCESS
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_tls_cleanup(_stats: *mut aws_crt_statistics_tls) {}

/// Nothing in the TLS sample is resettable (as upstream).
#[no_mangle]
pub unsafe extern "C" fn aws_crt_statistics_tls_reset(_stats: *mut aws_crt_statistics_tls) {}
