//! The strategy that never retries: acquiring a token is refused.
use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::io::abi::*;

#[repr(C)]
struct NoRetry {
    base: aws_retry_strategy,
    shutdown: aws_shutdown_callback_options,
}

unsafe extern "C" fn destroy(strategy: *mut aws_retry_strategy) {
    // SAFETY: the vtable is only installed on a NoRetry, destroyed once.
    unsafe {
        let me = strategy as *mut NoRetry;
        let shutdown = (*me).shutdown;
        drop_in((*me).base.allocator, me);
        super::notify_shutdown(shutdown);
    }
}

unsafe extern "C" fn acquire_token(
    _strategy: *mut aws_retry_strategy,
    _partition_id: *const aws_byte_cursor,
    _on_acquired: aws_retry_strategy_on_retry_token_acquired_fn,
    _user_data: *mut c_void,
    _timeout_ms: u64,
) -> c_int {
    raise(AWS_IO_RETRY_PERMISSION_DENIED)
}

unsafe extern "C" fn schedule_retry(
    _token: *mut aws_retry_token,
    _error_type: enum_aws_retry_error_type,
    _retry_ready: aws_retry_strategy_on_retry_ready_fn,
    _user_data: *mut c_void,
) -> c_int {
    crate::ffi::fatal("schedule_retry must not be called for the no-retry strategy")
}

unsafe extern "C" fn record_success(_token: *mut aws_retry_token) -> c_int {
    crate::ffi::fatal("record_success must not be called for the no-retry strategy")
}

unsafe extern "C" fn release_token(_token: *mut aws_retry_token) {
    crate::ffi::fatal("release_token must not be called for the no-retry strategy")
}

/// Never written through (C sees a mutable pointer, as upstream's header has it).
static mut VTABLE: aws_retry_strategy_vtable = aws_retry_strategy_vtable {
    destroy: Some(destroy),
    acquire_token: Some(acquire_token),
    schedule_retry: Some(schedule_retry),
    record_success: Some(record_success),
    release_token: Some(release_token),
};

#[no_mangle]
pub unsafe extern "C" fn aws_retry_strategy_new_no_retry(
    allocator: *mut aws_allocator,
    config: *const aws_no_retry_options,
) -> *mut aws_retry_strategy {
    crate::fatal_precondition!(!allocator.is_null(), "aws_retry_strategy_new_no_retry");
    // SAFETY: C passes a valid allocator and, if non-NULL, valid options.
    unsafe {
        let shutdown = if !config.is_null() && !(*config).shutdown_options.is_null() {
            *(*config).shutdown_options
        } else {
            aws_shutdown_callback_options {
                shutdown_callback_fn: None,
                shutdown_callback_user_data: std::ptr::null_mut(),
            }
        };
        let me = new_in(
            allocator,
            NoRetry {
                base: aws_retry_strategy {
                    allocator,
                    vtable: std::ptr::addr_of_mut!(VTABLE),
                    ref_count: super::one_ref(),
                    r#impl: std::ptr::null_mut(),
                },
                shutdown,
            },
        );
        if !me.is_null() {
            (*me).base.r#impl = me as *mut c_void;
        }
        me as *mut aws_retry_strategy
    }
}
