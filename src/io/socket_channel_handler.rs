//! The socket channel handler: the left-most handler of a channel, moving
//! bytes between an `aws_socket` and the channel. An ordinary
//! `aws_channel_handler` with a vtable, so C handlers can sit to its right.
//!
//! Reads: on each readable notification (and on window increments) it reads
//! at most `min(downstream window, max_read_size)` bytes, one pool message per
//! read, and sends them right. Having read a full `max_read_size` it yields to
//! the loop with a task instead of reading on, so sockets sharing a loop get a
//! fair share. A window of 0 stops reading until the window is incremented.
//!
//! Writes: each message is written to the socket; its `on_completion` runs
//! (loop thread) after its last byte has been written, then the message is
//! released. A failed write shuts the channel down with the write's error.
//!
//! Shutdown: peer close or a read error shuts the channel down with that
//! error. The read direction closes the socket only when scarce resources must
//! go at once; the write direction always closes it, then completes from a
//! task so a pending read task cannot run on a finished handler.
use std::ptr::{self, addr_of_mut};

use libc::{c_int, c_void};

use crate::common::abi::*;
use crate::common::allocator::{aws_mem_release, drop_in, new_in};
use crate::common::array_list::aws_array_list_ensure_capacity;
use crate::common::error::{last_error, raise};
use crate::common::error_codes::*;
use crate::fatal_precondition;
use crate::io::abi::*;
use crate::io::channel::*;
use crate::io::socket::*;
use crate::io::statistics::*;

const READ: c_int = aws_channel_direction::AWS_CHANNEL_DIR_READ as c_int;
const APP_DATA: c_int = aws_io_message_type::AWS_IO_MESSAGE_APPLICATION_DATA as c_int;
const RUN_READY: c_int = aws_task_status::AWS_TASK_STATUS_RUN_READY as c_int;

struct SocketHandler {
    handler: aws_channel_handler,
    socket: *mut aws_socket,
    slot: *mut aws_channel_slot,
    max_rw_size: usize,
    /// `task_fn` is set while the task is scheduled.
    read_task: aws_channel_task,
    shutdown_task: aws_channel_task,
    stats: aws_crt_statistics_socket,
    shutdown_err_code: c_int,
    shutdown_in_progress: bool,
}

unsafe fn me<'a>(handler: *mut aws_channel_handler) -> &'a mut SocketHandler {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe { &mut *((*handler).r#impl as *mut SocketHandler) }
}

static VTABLE: aws_channel_handler_vtable = aws_channel_handler_vtable {
    process_read_message: Some(process_read_message),
    process_write_message: Some(process_write_message),
    increment_read_window: Some(increment_read_window),
    shutdown: Some(shutdown),
    initial_window_size: Some(initial_window_size),
    message_overhead: Some(message_overhead),
    destroy: Some(destroy),
    reset_statistics: Some(reset_statistics),
    gather_statistics: Some(gather_statistics),
    trigger_read: Some(trigger_read),
};

// ---- reads ----------------------------------------------------------------------

unsafe fn do_read(h: *mut SocketHandler) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        if (*h).shutdown_in_progress {
            return;
        }
        let slot = (*h).slot;
        let channel = (*slot).channel;
        let max_to_read = aws_channel_slot_downstream_read_window(slot).min((*h).max_rw_size);
        if max_to_read == 0 {
            return; // back-pressure: increment_read_window resumes us
        }
        let mut total = 0usize;
        let mut last_err = 0;
        while total < max_to_read {
            let want = max_to_read - total;
            let message = aws_channel_acquire_message_from_pool(channel, APP_DATA, want);
            if message.is_null() {
                last_err = last_error();
                break;
            }
            // Never read past the window, whatever the pool's message can hold.
            let data = &mut (*message).message_data;
            let mut view = aws_byte_buf {
                len: 0,
                buffer: data.buffer,
                capacity: data.capacity.min(want),
                allocator: ptr::null_mut(),
            };
            let mut amount = 0usize;
            if aws_socket_read((*h).socket, &mut view, &mut amount) != AWS_OP_SUCCESS {
                last_err = last_error();
                aws_mem_release((*message).allocator, message as *mut c_void);
                break;
            }
            data.len = view.len;
            total += amount;
            if aws_channel_slot_send_message(slot, message, READ) != AWS_OP_SUCCESS {
                last_err = last_error();
                aws_mem_release((*message).allocator, message as *mut c_void);
                break;
            }
            if (*h).shutdown_in_progress {
                // A handler to our right shut the channel down in reaction.
                (*h).stats.bytes_read += total as u64;
                return;
            }
        }
        (*h).stats.bytes_read += total as u64;

        if total < max_to_read {
            if last_err != AWS_IO_READ_WOULD_BLOCK {
                aws_channel_shutdown(channel, last_err);
            }
            return; // drained: the next readable edge brings us back
        }
        // A full share read: yield, then continue from a task.
        if total == (*h).max_rw_size && (*h).read_task.task_fn.is_none() {
            schedule_read(h, c"socket_handler_re_read");
        }
    }
}

unsafe fn schedule_read(h: *mut SocketHandler, tag: &'static std::ffi::CStr) {
    // SAFETY: this fn's caller guarantees its pointer arguments are valid and used on their owning thread.
    unsafe {
        aws_channel_task_init(
            addr_of_mut!((*h).read_task),
            Some(read_task),
            h as *mut c_void,
            tag.as_ptr(),
        );
        aws_channel_schedule_task_now((*(*h).slot).channel, addr_of_mut!((*h).read_task));
    }
}

unsafe extern "C" fn read_task(task: *mut aws_channel_task, arg: *mut c_void, status: c_int) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        (*task).task_fn = None;
        (*task).arg = ptr::null_mut();
        if status == RUN_READY {
            do_read(arg as *mut SocketHandler);
        }
    }
}

/// Readable or errored: read either way, so bytes sent just before a hang-up
/// (or a TLS alert before a reset) are delivered before the close is.
unsafe extern "C" fn on_readable(_socket: *mut aws_socket, _error: c_int, user_data: *mut c_void) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        do_read(user_data as *mut SocketHandler);
    }
}

unsafe extern "C" fn increment_read_window(
    handler: *mut aws_channel_handler,
    _slot: *mut aws_channel_slot,
    _size: usize,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let h = me(handler) as *mut SocketHandler;
        if !(*h).shutdown_in_progress && (*h).read_task.task_fn.is_none() {
            schedule_read(h, c"socket_handler_read_on_window_increment");
        }
        AWS_OP_SUCCESS
    }
}

unsafe extern "C" fn trigger_read(handler: *mut aws_channel_handler) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        do_read(me(handler));
    }
}

/// The socket handler is always first in its channel: nothing reads into it.
unsafe extern "C" fn process_read_message(
    _handler: *mut aws_channel_handler,
    _slot: *mut aws_channel_slot,
    _message: *mut aws_io_message,
) -> c_int {
    raise(AWS_IO_CHANNEL_ERROR_ERROR_CANT_ACCEPT_INPUT)
}

// ---- writes ---------------------------------------------------------------------

unsafe extern "C" fn on_write_complete(
    socket: *mut aws_socket,
    error_code: c_int,
    bytes_written: usize,
    user_data: *mut c_void,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let message = user_data as *mut aws_io_message;
        if message.is_null() {
            return;
        }
        let channel = (*message).owning_channel;
        if !socket.is_null() && !(*socket).handler.is_null() {
            me((*socket).handler).stats.bytes_written += bytes_written as u64;
        }
        if let Some(cb) = (*message).on_completion {
            cb(channel, message, error_code, (*message).user_data);
        }
        aws_mem_release((*message).allocator, message as *mut c_void);
        if error_code != 0 {
            aws_channel_shutdown(channel, error_code);
        }
    }
}

unsafe extern "C" fn process_write_message(
    handler: *mut aws_channel_handler,
    _slot: *mut aws_channel_slot,
    message: *mut aws_io_message,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let h = me(handler);
        if !aws_socket_is_open(h.socket) {
            return raise(AWS_IO_SOCKET_CLOSED);
        }
        let data = &(*message).message_data;
        let cursor = aws_byte_cursor {
            len: data.len,
            ptr: data.buffer,
        };
        aws_socket_write(
            h.socket,
            &cursor,
            Some(on_write_complete),
            message as *mut c_void,
        )
    }
}

// ---- shutdown -------------------------------------------------------------------

unsafe extern "C" fn finish_write_shutdown(
    _task: *mut aws_channel_task,
    arg: *mut c_void,
    _status: c_int,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        // Whatever the status: the channel's shutdown waits on this.
        let h = arg as *mut SocketHandler;
        aws_channel_slot_on_handler_shutdown_complete(
            (*h).slot,
            aws_channel_direction::AWS_CHANNEL_DIR_WRITE as c_int,
            (*h).shutdown_err_code,
            false,
        );
    }
}

unsafe extern "C" fn shutdown(
    handler: *mut aws_channel_handler,
    slot: *mut aws_channel_slot,
    dir: enum_aws_channel_direction,
    error_code: c_int,
    free_scarce_resources_immediately: bool,
) -> c_int {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let h = me(handler) as *mut SocketHandler;
        (*h).shutdown_in_progress = true;
        if dir == READ {
            if free_scarce_resources_immediately
                && aws_socket_is_open((*h).socket)
                && aws_socket_close((*h).socket) != AWS_OP_SUCCESS
            {
                return AWS_OP_ERR;
            }
            return aws_channel_slot_on_handler_shutdown_complete(
                slot,
                dir,
                error_code,
                free_scarce_resources_immediately,
            );
        }
        if aws_socket_is_open((*h).socket) {
            let _ = aws_socket_close((*h).socket);
        }
        (*h).shutdown_err_code = error_code;
        aws_channel_task_init(
            addr_of_mut!((*h).shutdown_task),
            Some(finish_write_shutdown),
            h as *mut c_void,
            c"socket_handler_close".as_ptr(),
        );
        aws_channel_schedule_task_now((*slot).channel, addr_of_mut!((*h).shutdown_task));
        AWS_OP_SUCCESS
    }
}

// ---- the rest of the vtable -------------------------------------------------------

unsafe extern "C" fn initial_window_size(_handler: *mut aws_channel_handler) -> usize {
    usize::MAX
}

unsafe extern "C" fn message_overhead(_handler: *mut aws_channel_handler) -> usize {
    0
}

unsafe extern "C" fn destroy(handler: *mut aws_channel_handler) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        if handler.is_null() {
            return;
        }
        // The socket is not touched: its owner may already have freed it.
        let h = (*handler).r#impl as *mut SocketHandler;
        aws_crt_statistics_socket_cleanup(addr_of_mut!((*h).stats));
        drop_in((*handler).alloc, h);
    }
}

unsafe extern "C" fn reset_statistics(handler: *mut aws_channel_handler) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        aws_crt_statistics_socket_reset(&mut me(handler).stats);
    }
}

/// Appends a pointer to our sample to `stats_list` (a list of pointers).
unsafe extern "C" fn gather_statistics(
    handler: *mut aws_channel_handler,
    stats_list: *mut aws_array_list,
) {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        let stats = &mut me(handler).stats as *mut aws_crt_statistics_socket as *mut c_void;
        let list = &mut *stats_list;
        if list.item_size != std::mem::size_of::<*mut c_void>() {
            return;
        }
        let index = list.length;
        if aws_array_list_ensure_capacity(list, index) != AWS_OP_SUCCESS {
            return;
        }
        let slot = (list.data as *mut *mut c_void).add(index);
        slot.write(stats);
        list.length = index + 1;
    }
}

// ---- C API ------------------------------------------------------------------------

/// A handler for the first slot of a channel, reading at most `max_read_size`
/// bytes per event-loop tick. The socket must already be assigned to the
/// channel's event loop; the handler subscribes to its readable events.
/// NULL on failure (e.g. AWS_ERROR_IO_ALREADY_SUBSCRIBED).
#[no_mangle]
pub unsafe extern "C" fn aws_socket_handler_new(
    allocator: *mut aws_allocator,
    socket: *mut aws_socket,
    slot: *mut aws_channel_slot,
    max_read_size: usize,
) -> *mut aws_channel_handler {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !allocator.is_null() && !socket.is_null() && !slot.is_null(),
            "aws_socket_handler_new"
        );
        fatal_precondition!(
            !aws_socket_get_event_loop(socket).is_null(),
            "aws_socket_handler_new (socket has no event loop)"
        );
        let h = new_in(
            allocator,
            SocketHandler {
                handler: aws_channel_handler {
                    vtable: &VTABLE as *const aws_channel_handler_vtable as *mut _,
                    alloc: allocator,
                    slot,
                    r#impl: ptr::null_mut(),
                },
                socket,
                slot,
                max_rw_size: max_read_size,
                read_task: std::mem::zeroed(),
                shutdown_task: std::mem::zeroed(),
                stats: std::mem::zeroed(),
                shutdown_err_code: 0,
                shutdown_in_progress: false,
            },
        );
        if h.is_null() {
            return ptr::null_mut();
        }
        (*h).handler.r#impl = h as *mut c_void;
        aws_crt_statistics_socket_init(addr_of_mut!((*h).stats));
        if aws_socket_subscribe_to_readable_events(socket, Some(on_readable), h as *mut c_void)
            != AWS_OP_SUCCESS
        {
            drop_in(allocator, h);
            return ptr::null_mut();
        }
        let handler = addr_of_mut!((*h).handler);
        (*socket).handler = handler;
        handler
    }
}

/// The socket a handler made by `aws_socket_handler_new` wraps.
#[no_mangle]
pub unsafe extern "C" fn aws_socket_handler_get_socket(
    handler: *const aws_channel_handler,
) -> *const aws_socket {
    // SAFETY: C passes pointers valid as the upstream header documents; NULL is checked where upstream checks it.
    unsafe {
        fatal_precondition!(
            !handler.is_null() && !(*handler).r#impl.is_null(),
            "aws_socket_handler_get_socket"
        );
        (*((*handler).r#impl as *const SocketHandler)).socket
    }
}
