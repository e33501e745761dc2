//! `aws_channel_handler_*`: dispatch through a handler's vtable. A NULL
//! optional entry means "no callback" (DESIGN §7) where upstream would crash.
use libc::c_int;

use crate::common::abi::AWS_OP_SUCCESS;
use crate::common::error::raise;
use crate::common::error_codes::AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT;
use crate::io::abi::*;

use super::shutdown::aws_channel_slot_on_handler_shutdown_complete;

unsafe fn vtable<'a>(
    handler: *mut aws_channel_handler,
    func: &str,
) -> &'a aws_channel_handler_vtable {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if handler.is_null() || (*handler).vtable.is_null() {
            crate::ffi::fatal(&format!("{func}: handler or its vtable is NULL"));
        }
        // SAFETY: checked non-NULL; the vtable outlives the handler.
        &*(*handler).vtable
    }
}

/// Calls `destroy`; a handler without one is simply left alone.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_handler_destroy(handler: *mut aws_channel_handler) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if let Some(destroy) = vtable(handler, "aws_channel_handler_destroy").destroy {
            destroy(handler);
        }
    }
}

/// A handler without `process_read_message` cannot accept input.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_handler_process_read_message(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    message: *mut aws_io_message,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        match vtable(handler, "aws_channel_handler_process_read_message").process_read_message {
            Some(f) => f(handler, slot, message),
            None => raise(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT),
        }
    }
}

/// A handler without `process_write_message` cannot accept input.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_handler_process_write_message(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    message: *mut aws_io_message,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        match vtable(handler, "aws_channel_handler_process_write_message").process_write_message {
            Some(f) => f(handler, slot, message),
            None => raise(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT),
        }
    }
}

/// Without `increment_read_window` the update is accepted and dropped.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_handler_increment_read_window(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    size: usize,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        match vtable(handler, "aws_channel_handler_increment_read_window").increment_read_window {
            Some(f) => f(handler, slot, size),
            None => AWS_OP_SUCCESS,
        }
    }
}

/// Without `shutdown` the handler has nothing to do: its direction completes
/// at once so the channel's shutdown sequence carries on.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_handler_shutdown(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    dir: enum_aws_channel_direction,
    error_code: c_int,
    free_scarce_resources_immediately: bool,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        match vtable(handler, "aws_channel_handler_shutdown").shutdown {
            Some(f) => f(
                handler,
                slot,
                dir,
                error_code,
                free_scarce_resources_immediately,
            ),
            None if !slot.is_null() => aws_channel_slot_on_handler_shutdown_complete(
                slot,
                dir,
                error_code,
                free_scarce_resources_immediately,
            ),
            None => AWS_OP_SUCCESS,
        }
    }
}

/// Without `initial_window_size` the handler starts with a window of 0.
#[no_mangle]
pub unsafe extern "C" fn aws_channel_handler_initial_window_size(
    handler: *mut aws_channel_handler,
) -> usize {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        match vtable(handler, "aws_channel_handler_initial_window_size").initial_window_size {
            Some(f) => f(handler),
            None => 0,
        }
    }
}

/// Without `message_overhead` the handler adds none.
pub(super) unsafe fn message_overhead(handler: *mut aws_channel_handler) -> usize {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        match vtable(handler, "message_overhead").message_overhead {
            Some(f) => f(handler),
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::error::last_error;

    #[test]
    fn empty_vtable_means_no_callbacks() {
        // SAFETY: a handler on the stack with an all-NULL vtable and no slot.
        unsafe {
            let mut vtable: aws_channel_handler_vtable = std::mem::zeroed();
            let mut handler: aws_channel_handler = std::mem::zeroed();
            handler.vtable = &mut vtable;
            let h: *mut aws_channel_handler = &mut handler;
            let null = std::ptr::null_mut();
            assert_eq!(aws_channel_handler_initial_window_size(h), 0);
            assert_eq!(message_overhead(h), 0);
            assert_eq!(aws_channel_handler_increment_read_window(h, null, 5), 0);
            assert_eq!(aws_channel_handler_shutdown(h, null, 0, 0, false), 0);
            assert_eq!(
                aws_channel_handler_process_read_message(h, null, std::ptr::null_mut()),
                -1
            );
            assert_eq!(last_error(), AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT);
            assert_eq!(
                aws_channel_handler_process_write_message(h, null, std::ptr::null_mut()),
                -1
            );
            aws_channel_handler_destroy(h);
        }
    }
}
