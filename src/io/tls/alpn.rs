//! Upstream's ALPN handler (`aws_tls_alpn_handler_new`): sits right of a TLS
//! handler that advertises the negotiated protocol, and on that one message
//! asks the user for the handler that speaks the protocol, puts it in a new
//! slot in its own place, and so goes away.
//!
//! A plain C-ABI handler rather than one on the `ChannelHandler` trait: it is
//! destroyed inside its own `process_read_message` (the slot replace), which
//! a `&self` method must not outlive, and upstream's vtable is writable data
//! that C code patches (upstream's own tests replace its `shutdown`).
use std::cell::UnsafeCell;
use std::ptr;

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_release, drop_in, new_in};
use crate::common::error::raise;
use crate::common::error_codes::*;
use crate::io::abi::*;
use crate::io::channel::*;

/// The C handler and the user's callback in one allocation (`c` first).
#[repr(C)]
struct AlpnHandler {
    c: aws_channel_handler,
    on_protocol_negotiated: aws_channel_on_protocol_negotiated_fn,
    user_data: *mut c_void,
}

/// Upstream's vtable is a mutable static; so is this one.
struct WritableVtable(UnsafeCell<aws_channel_handler_vtable>);

// SAFETY: only C writes it (as with upstream's static vtable), and only
// before handing the handler to a channel; Rust only takes its address.
unsafe impl Sync for WritableVtable {}

static VTABLE: WritableVtable = WritableVtable(UnsafeCell::new(aws_channel_handler_vtable {
    process_read_message: Some(process_read),
    process_write_message: None,
    increment_read_window: None,
    shutdown: Some(shutdown),
    initial_window_size: Some(initial_window_size),
    message_overhead: Some(message_overhead),
    destroy: Some(destroy),
    reset_statistics: None,
    gather_statistics: None,
    trigger_read: None,
}));

unsafe extern "C" fn process_read(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    message: *mut aws_io_message,
) -> c_int {
    // SAFETY: the channel (or a C caller, as upstream's tests do) passes this
    // handler, its slot and a live message; `handler` is an AlpnHandler (our
    // vtable), read before the replace below frees it.
    unsafe {
        if (*message).message_tag != AWS_TLS_NEGOTIATED_PROTOCOL_MESSAGE {
            return raise(AWS_IO_MISSING_ALPN_MESSAGE);
        }
        let this = handler as *mut AlpnHandler;
        let (callback, user_data) = ((*this).on_protocol_negotiated, (*this).user_data);
        let protocol_message =
            (*message).message_data.buffer as *mut aws_tls_negotiated_protocol_message;
        let new_slot = aws_channel_slot_new((*slot).channel);
        if new_slot.is_null() {
            return AWS_OP_ERR;
        }
        let new_handler = match callback {
            Some(cb) => cb(new_slot, &mut (*protocol_message).protocol, user_data),
            None => ptr::null_mut(),
        };
        if new_handler.is_null() {
            aws_channel_slot_remove(new_slot);
            return raise(AWS_IO_UNHANDLED_ALPN_PROTOCOL_MESSAGE);
        }
        // Ours now: a pool message goes back to its pool (upstream leaves it
        // unreleased); one without an allocator belongs to its C caller.
        let message_allocator = (*message).allocator;
        if !message_allocator.is_null() {
            aws_mem_release(message_allocator, message as *mut c_void);
        }
        // Destroys this handler: nothing of it is touched after.
        aws_channel_slot_replace(slot, new_slot);
        aws_channel_slot_set_handler(new_slot, new_handler);
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn shutdown(
    _handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    dir: enum_aws_channel_direction,
    error_code: c_int,
    free_scarce_resources_immediately: bool,
) -> c_int {
    // SAFETY: the channel passes this handler's live slot.
    unsafe {
        aws_channel_slot_on_handler_shutdown_complete(
            slot,
            dir,
            error_code,
            free_scarce_resources_immediately,
        )
    }
}

/// Room for the protocol message, the only one this handler reads.
unsafe extern "C" fn initial_window_size(_handler: *mut aws_channel_handler) -> usize {
    std::mem::size_of::<aws_tls_negotiated_protocol_message>()
}

unsafe extern "C" fn message_overhead(_handler: *mut aws_channel_handler) -> usize {
    0
}

unsafe extern "C" fn destroy(handler: *mut aws_channel_handler) {
    // SAFETY: made by aws_tls_alpn_handler_new from this allocator.
    unsafe { drop_in((*handler).alloc, handler as *mut AlpnHandler) }
}

/// A handler that replaces itself, on the TLS handler's negotiated-protocol
/// message, by the one `on_protocol_negotiated` returns for that protocol
/// (called on the channel's thread with a fresh slot; NULL refuses the
/// protocol: AWS_IO_UNHANDLED_ALPN_PROTOCOL_MESSAGE). Any other message is
/// refused with AWS_IO_MISSING_ALPN_MESSAGE.
#[no_mangle]
pub unsafe extern "C" fn aws_tls_alpn_handler_new(
    allocator: *mut aws_allocator,
    on_protocol_negotiated: aws_channel_on_protocol_negotiated_fn,
    user_data: *mut c_void,
) -> *mut aws_channel_handler {
    // SAFETY: C passes a live allocator as the upstream header documents.
    unsafe {
        crate::fatal_precondition!(!allocator.is_null(), "aws_tls_alpn_handler_new");
        let h = new_in(
            allocator,
            AlpnHandler {
                c: aws_channel_handler {
                    vtable: VTABLE.0.get(),
                    alloc: allocator,
                    slot: ptr::null_mut(),
                    r#impl: ptr::null_mut(),
                },
                on_protocol_negotiated,
                user_data,
            },
        );
        (*h).c.r#impl = h as *mut c_void;
        ptr::addr_of_mut!((*h).c)
    }
}
