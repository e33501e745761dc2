//! `private/tls_channel_handler_shared.h`: the handshake timeout and TLS
//! statistics that upstream's TLS back ends (s2n, SChannel, Secure Transport)
//! share. Exported as upstream does, so a C TLS handler written against
//! upstream's private header keeps working; our rustls handler keeps the same
//! state in Rust.
use libc::c_void;

use crate::common::abi::aws_task_status::AWS_TASK_STATUS_RUN_READY;
use crate::common::abi::{aws_byte_buf, enum_aws_task_status};
use crate::common::error_codes::*;
use crate::io::abi::aws_tls_negotiation_status::*;
use crate::io::abi::*;
use crate::io::channel::{
    aws_channel_current_clock_time, aws_channel_schedule_task_future, aws_channel_shutdown,
    aws_channel_task_init,
};
use crate::io::statistics::aws_crt_statistics_tls_init;

const NANOS_PER_MILLI: u64 = 1_000_000;

/// The channel of a handler that sits in a slot.
///
/// # Safety
/// `handler` is live and in a slot.
unsafe fn channel_of(handler: *mut aws_channel_handler) -> *mut aws_channel {
    // SAFETY: per this fn's contract.
    unsafe { (*(*handler).slot).channel }
}

/// False: there is no Apple SecItem back end here.
#[no_mangle]
pub extern "C" fn aws_is_using_secitem() -> bool {
    false
}

/// Loop thread: shuts the channel down with AWS_IO_TLS_NEGOTIATION_TIMEOUT if
/// the handshake is still going when the timeout task runs.
unsafe extern "C" fn timeout_task(
    _task: *mut aws_channel_task,
    arg: *mut c_void,
    status: enum_aws_task_status,
) {
    if status != AWS_TASK_STATUS_RUN_READY as i32 {
        return;
    }
    let shared = arg as *mut aws_tls_channel_handler_shared;
    // SAFETY: `arg` is the shared state given to aws_tls_channel_handler_shared_init,
    // which its handler keeps alive while its channel can run tasks.
    unsafe {
        if (*shared).stats.handshake_status != AWS_TLS_NEGOTIATION_STATUS_ONGOING as i32 {
            return;
        }
        let channel = channel_of((*shared).handler);
        aws_channel_shutdown(channel, AWS_IO_TLS_NEGOTIATION_TIMEOUT);
    }
}

#[no_mangle]
pub unsafe extern "C" fn aws_tls_channel_handler_shared_init(
    tls_handler_shared: *mut aws_tls_channel_handler_shared,
    handler: *mut aws_channel_handler,
    options: *mut aws_tls_connection_options,
) {
    crate::fatal_precondition!(
        !tls_handler_shared.is_null() && !options.is_null(),
        "aws_tls_channel_handler_shared_init"
    );
    // SAFETY: C passes writable shared state and live connection options.
    unsafe {
        let shared = &mut *tls_handler_shared;
        shared.handler = handler;
        shared.tls_timeout_ms = (*options).timeout_ms;
        aws_crt_statistics_tls_init(&mut shared.stats);
        aws_channel_task_init(
            &mut shared.timeout_task,
            Some(timeout_task),
            tls_handler_shared as *mut c_void,
            c"tls_timeout".as_ptr(),
        );
    }
}

/// Nothing to free: the state owns no memory.
#[no_mangle]
pub extern "C" fn aws_tls_channel_handler_shared_clean_up(
    tls_handler_shared: *mut aws_tls_channel_handler_shared,
) {
    let _ = tls_handler_shared;
}

/// Loop thread, on each negotiation step: the first marks the handshake
/// ongoing, stamps its start and arms the timeout (if any).
#[no_mangle]
pub unsafe extern "C" fn aws_on_drive_tls_negotiation(
    tls_handler_shared: *mut aws_tls_channel_handler_shared,
) {
    crate::fatal_precondition!(
        !tls_handler_shared.is_null(),
        "aws_on_drive_tls_negotiation"
    );
    // SAFETY: C passes state set up by aws_tls_channel_handler_shared_init whose
    // handler sits in a slot of a live channel.
    unsafe {
        let shared = &mut *tls_handler_shared;
        if shared.stats.handshake_status != AWS_TLS_NEGOTIATION_STATUS_NONE as i32 {
            return;
        }
        shared.stats.handshake_status = AWS_TLS_NEGOTIATION_STATUS_ONGOING as i32;
        let channel = channel_of(shared.handler);
        let mut now = 0u64;
        aws_channel_current_clock_time(channel, &mut now);
        shared.stats.handshake_start_ns = now;
        if shared.tls_timeout_ms > 0 {
            let at = now + u64::from(shared.tls_timeout_ms) * NANOS_PER_MILLI;
            aws_channel_schedule_task_future(channel, &mut shared.timeout_task, at);
        }
    }
}

/// Loop thread: records the handshake's outcome and end time.
#[no_mangle]
pub unsafe extern "C" fn aws_on_tls_negotiation_completed(
    tls_handler_shared: *mut aws_tls_channel_handler_shared,
    error_code: libc::c_int,
) {
    crate::fatal_precondition!(
        !tls_handler_shared.is_null(),
        "aws_on_tls_negotiation_completed"
    );
    // SAFETY: as in aws_on_drive_tls_negotiation.
    unsafe {
        let shared = &mut *tls_handler_shared;
        shared.stats.handshake_status = if error_code == AWS_ERROR_SUCCESS {
            AWS_TLS_NEGOTIATION_STATUS_SUCCESS as i32
        } else {
            AWS_TLS_NEGOTIATION_STATUS_FAILURE as i32
        };
        let channel = channel_of(shared.handler);
        aws_channel_current_clock_time(channel, &mut shared.stats.handshake_end_ns);
    }
}

/// True once a setter filled `buf`, even with zero bytes: set buffers carry
/// their allocator.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_options_buf_is_set(buf: *const aws_byte_buf) -> bool {
    crate::fatal_precondition!(!buf.is_null(), "aws_tls_options_buf_is_set");
    // SAFETY: C passes a readable byte buffer.
    unsafe { !(*buf).allocator.is_null() }
}
