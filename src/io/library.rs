//! aws-c-io library init/clean-up, the socket statistics helpers and the
//! retryable-error table.
//!
//! Like upstream, "initialised" is a flag, not a count. Our error and log
//! subject tables are static, so init only sets the flag (and initialises
//! aws-c-common); clean-up waits for every managed thread (event-loop group
//! shutdowns included) before clearing it.
use std::sync::atomic::{AtomicBool, Ordering};

use libc::c_int;

use crate::common::abi::*;
use crate::common::error_codes::*;
use crate::common::library::{aws_common_library_clean_up, aws_common_library_init};
use crate::common::thread::aws_thread_join_all_managed;

static INITIALIZED: AtomicBool = AtomicBool::new(false);

#[no_mangle]
pub extern "C" fn aws_io_library_init(allocator: *mut aws_allocator) {
    if !INITIALIZED.swap(true, Ordering::AcqRel) {
        aws_common_library_init(allocator);
    }
}

#[no_mangle]
pub extern "C" fn aws_io_library_clean_up() {
    if INITIALIZED.swap(false, Ordering::AcqRel) {
        aws_thread_join_all_managed();
        aws_common_library_clean_up();
    }
}

#[no_mangle]
pub extern "C" fn aws_io_fatal_assert_library_initialized() {
    if !INITIALIZED.load(Ordering::Acquire) {
        crate::ffi::fatal(
            "aws_io_library_init() must be called before using any functionality in aws-c-io.",
        );
    }
}

/// Errors a caller may retry: transient socket, DNS and TLS-timeout failures.
#[no_mangle]
pub extern "C" fn aws_io_error_code_is_retryable(error_code: c_int) -> bool {
    matches!(
        error_code,
        AWS_IO_SOCKET_CLOSED
            | AWS_IO_SOCKET_CONNECT_ABORTED
            | AWS_IO_SOCKET_CONNECTION_REFUSED
            | AWS_IO_SOCKET_NETWORK_DOWN
            | AWS_IO_DNS_QUERY_AGAIN
            | AWS_IO_DNS_NO_ADDRESS_FOR_HOST
            | AWS_IO_SOCKET_TIMEOUT
            | AWS_IO_TLS_NEGOTIATION_TIMEOUT
    )
}
